//! Blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN/MAX, BZMPOP, XREAD, XREADGROUP, ...)
//! — Redis's blocked.c, with one simplification taken from Redis 7.2: a
//! blocked client is served by *re-executing its command* once one of its
//! keys is signalled ready, instead of type-specific serve functions.
//!
//! * A handler that finds no data calls `block_client_on_keys` (unless the
//!   client is in MULTI/EXEC — such commands never block, they reply the
//!   timeout reply at once). The client stops processing input.
//! * Writers call `signal_key_as_ready(db, key)` after adding data to a
//!   list/zset/stream key (and `set_key`/`Db::add` paths do it for such
//!   values). Ready keys are collected and handled in `before_sleep`.
//! * `handle_clients_blocked_on_keys` walks each ready key's waiters in
//!   arrival order (FIFO) and re-runs their commands through `call`, while the
//!   key still exists; a served command propagates and notifies normally.
//!   A waiter is only served when the key holds the type its command waits
//!   for (`blocked_value_type`), so e.g. MULTI; LPUSH k; DEL k; SET k; EXEC
//!   wakes nobody.
//! * SWAPDB signals every blocked key of both dbs (scanDatabaseForReadyKeys).
//! * Timeouts (absolute ms, 0 = never) are checked every loop turn, and the
//!   loop wakes up in time for the nearest one (sub-second precision).
use super::Server;
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::sys::RawFd;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

/// The value type a blocking command waits for (Redis's BLOCKED_LIST /
/// BLOCKED_ZSET / BLOCKED_STREAM): a ready key holding another type does not
/// serve it, it stays blocked. None: re-run on any ready key (XREADGROUP is
/// left to its own handler: Redis unblocks it with an error in that case).
fn blocked_value_type(cmd: &[u8]) -> Option<&'static str> {
    const TYPES: &[(&str, &str)] = &[
        ("blpop", "list"),
        ("brpop", "list"),
        ("brpoplpush", "list"),
        ("blmove", "list"),
        ("blmpop", "list"),
        ("bzpopmin", "zset"),
        ("bzpopmax", "zset"),
        ("bzmpop", "zset"),
        ("xread", "stream"),
    ];
    TYPES
        .iter()
        .find(|(c, _)| c.as_bytes().eq_ignore_ascii_case(cmd))
        .map(|(_, t)| *t)
}

/// What a blocked client receives when its timeout fires.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeoutReply {
    /// `*-1` (RESP3 `_`): BLPOP, BRPOP, BZPOPMIN, BLMPOP, BZMPOP ...
    NullArray,
    /// `$-1` (RESP3 `_`): BLMOVE, BRPOPLPUSH.
    NullBulk,
    /// WAIT: the number of replicas that acknowledged `offset` by then
    /// (replication/cmds.rs). No keys; unblocked by ACKs.
    Replicas { offset: i64, numreplicas: i64 },
    /// A command postponed by a client pause (server/pause.rs): no timeout,
    /// re-processed from scratch when the pause lifts.
    Postponed,
    /// SHUTDOWN waiting for replicas (server/shutdown.rs): no timeout;
    /// answered with an error if the shutdown is cancelled.
    Shutdown,
}

pub struct BlockedState {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// Absolute unix ms, 0 = forever.
    pub timeout_ms: i64,
    pub argv: OwnedArgs,
    pub reply: TimeoutReply,
}

#[derive(Default)]
pub struct Blocking {
    /// (db, key) → fds of clients waiting on it, in arrival order.
    pub waiters: HashMap<(usize, Vec<u8>), VecDeque<RawFd>>,
    /// Keys signalled since the last before_sleep.
    pub ready: Vec<(usize, Vec<u8>)>,
    pub ready_set: HashSet<(usize, Vec<u8>)>,
    /// (timeout ms, fd) of clients with a timeout.
    pub timeouts: BTreeSet<(i64, RawFd)>,
    /// Blocked client states by fd.
    pub states: HashMap<RawFd, BlockedState>,
    /// Clients unblocked this turn whose pending input must be processed.
    pub unblocked: Vec<RawFd>,
    /// While a blocked client's command is re-executed: its original
    /// absolute timeout (blocking again keeps it instead of restarting it).
    pub reexec_timeout: Option<i64>,
}

impl Server {
    /// Number of blocked clients (INFO blocked_clients).
    pub fn blocked_clients(&self) -> usize {
        self.blocking.states.len()
    }

    /// Block `c` until one of `keys` is ready or `timeout_ms` (absolute, 0 =
    /// forever) passes; its command (`args`) will be re-run then.
    pub fn block_client_on_keys(
        &mut self,
        c: &mut Client,
        args: &Args,
        keys: &[&[u8]],
        timeout_ms: i64,
        reply: TimeoutReply,
    ) {
        let timeout_ms = self.blocking.reexec_timeout.unwrap_or(timeout_ms);
        let db = c.db;
        for k in keys {
            let q = self.blocking.waiters.entry((db, k.to_vec())).or_default();
            if !q.contains(&c.fd) {
                q.push_back(c.fd);
            }
        }
        if timeout_ms > 0 {
            self.blocking.timeouts.insert((timeout_ms, c.fd));
        }
        self.blocking.states.insert(
            c.fd,
            BlockedState {
                db,
                keys: keys.iter().map(|k| k.to_vec()).collect(),
                timeout_ms,
                argv: args.to_owned(),
                reply,
            },
        );
        c.flags |= flags::BLOCKED;
    }

    /// Remove a client from every blocking structure (no reply).
    fn forget_blocked(&mut self, fd: RawFd) -> Option<BlockedState> {
        let st = self.blocking.states.remove(&fd)?;
        for k in st.keys.iter() {
            let key = (st.db, k.clone());
            if let Some(q) = self.blocking.waiters.get_mut(&key) {
                q.retain(|&f| f != fd);
                if q.is_empty() {
                    self.blocking.waiters.remove(&key);
                }
            }
        }
        if st.timeout_ms > 0 {
            self.blocking.timeouts.remove(&(st.timeout_ms, fd));
        }
        Some(st)
    }

    /// Unblock a client without serving it (disconnect, CLIENT KILL).
    pub fn blocking_forget_client(&mut self, c: &mut Client) {
        if self.forget_blocked(c.fd).is_some() {
            c.flags &= !flags::BLOCKED;
            self.pause_forget_client(c.fd);
        }
    }

    /// Block `c` with no keys and no timeout, keeping its argv: a command
    /// postponed by a pause, or SHUTDOWN waiting for replicas.
    fn block_client_no_keys(&mut self, c: &mut Client, args: &Args, reply: TimeoutReply) {
        self.blocking.states.insert(
            c.fd,
            BlockedState {
                db: c.db,
                keys: Vec::new(),
                timeout_ms: 0,
                argv: args.to_owned(),
                reply,
            },
        );
        c.flags |= flags::BLOCKED;
    }

    /// blockClient(c, BLOCKED_POSTPONE) (the pause bookkeeping is in pause.rs).
    pub fn block_client_postponed(&mut self, c: &mut Client, args: &Args) {
        self.block_client_no_keys(c, args, TimeoutReply::Postponed);
    }

    /// blockClient(c, BLOCKED_SHUTDOWN).
    pub fn block_client_for_shutdown(&mut self, c: &mut Client, args: &Args) {
        self.block_client_no_keys(c, args, TimeoutReply::Shutdown);
    }

    /// Unblock a postponed client, returning the argv to run again.
    pub fn take_postponed_argv(&mut self, fd: RawFd) -> Option<OwnedArgs> {
        match self.blocking.states.get(&fd)?.reply {
            TimeoutReply::Postponed => self.forget_blocked(fd).map(|st| st.argv),
            _ => None,
        }
    }

    /// Clients blocked in SHUTDOWN (replyToClientsBlockedOnShutdown).
    pub fn clients_blocked_on_shutdown(&self) -> Vec<RawFd> {
        let mut v: Vec<RawFd> = self
            .blocking
            .states
            .iter()
            .filter(|(_, st)| st.reply == TimeoutReply::Shutdown)
            .map(|(&fd, _)| fd)
            .collect();
        v.sort_unstable();
        v
    }

    /// Whether CLIENT UNBLOCK may unblock `fd` (not a postponed or
    /// SHUTDOWN-blocked client: those have no timeout reply).
    pub fn is_unblockable(&self, fd: RawFd) -> bool {
        self.blocking
            .states
            .get(&fd)
            .is_some_and(|st| !matches!(st.reply, TimeoutReply::Postponed | TimeoutReply::Shutdown))
    }

    /// A list/zset/stream key received data: wake its waiters this turn.
    pub fn signal_key_as_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocking.waiters.is_empty() {
            return;
        }
        let k = (db, key.to_vec());
        if self.blocking.waiters.contains_key(&k) && self.blocking.ready_set.insert(k.clone()) {
            self.blocking.ready.push(k);
        }
    }

    /// Signal every key of `db` that clients are blocked on (SWAPDB's
    /// scanDatabaseForReadyKeys; keys that do not exist are skipped when
    /// handled).
    pub fn signal_blocked_keys_in_db(&mut self, db: usize) {
        if self.blocking.waiters.is_empty() {
            return;
        }
        let keys: Vec<Vec<u8>> = self
            .blocking
            .waiters
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for k in keys {
            self.signal_key_as_ready(db, &k);
        }
    }

    /// Reply the timeout reply and unblock (timeout or CLIENT UNBLOCK TIMEOUT).
    pub fn unblock_client_with_timeout(&mut self, fd: RawFd) {
        let st = match self.forget_blocked(fd) {
            Some(s) => s,
            None => return,
        };
        if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            match st.reply {
                TimeoutReply::Postponed | TimeoutReply::Shutdown => {}
                TimeoutReply::NullArray => c.reply.null_array(),
                TimeoutReply::NullBulk => c.reply.null(),
                TimeoutReply::Replicas { offset, .. } => {
                    let n = crate::replication::master::count_acks(self, offset);
                    c.reply.int(n);
                }
            }
            c.flags &= !flags::BLOCKED;
            self.mark_pending_write(&mut c);
            self.blocking.unblocked.push(fd);
            if let Some(slot) = self.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }

    /// Block `c` in WAIT until enough replicas acknowledge `offset` or
    /// `timeout_ms` (absolute, 0 = forever) passes.
    pub fn block_client_for_wait(
        &mut self,
        c: &mut Client,
        args: &Args,
        timeout_ms: i64,
        offset: i64,
        numreplicas: i64,
    ) {
        if timeout_ms > 0 {
            self.blocking.timeouts.insert((timeout_ms, c.fd));
        }
        self.blocking.states.insert(
            c.fd,
            BlockedState {
                db: c.db,
                keys: Vec::new(),
                timeout_ms,
                argv: args.to_owned(),
                reply: TimeoutReply::Replicas {
                    offset,
                    numreplicas,
                },
            },
        );
        c.flags |= flags::BLOCKED;
    }

    /// (offset, numreplicas) of a client blocked in WAIT.
    pub fn blocked_wait_params(&self, fd: RawFd) -> Option<(i64, i64)> {
        match self.blocking.states.get(&fd)?.reply {
            TimeoutReply::Replicas {
                offset,
                numreplicas,
            } => Some((offset, numreplicas)),
            _ => None,
        }
    }

    /// Unblock a WAIT client with its integer reply.
    pub fn unblock_client_with_int(&mut self, fd: RawFd, n: i64) {
        if self.forget_blocked(fd).is_none() {
            return;
        }
        if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            c.reply.int(n);
            c.flags &= !flags::BLOCKED;
            self.mark_pending_write(&mut c);
            self.blocking.unblocked.push(fd);
            if let Some(slot) = self.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }

    /// CLIENT UNBLOCK ... ERROR: unblock with an error reply.
    pub fn unblock_client_with_error(&mut self, fd: RawFd, msg: &str) {
        if self.forget_blocked(fd).is_none() {
            return;
        }
        if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            c.reply.error(msg);
            self.count_error_replies(&mut c);
            c.flags &= !flags::BLOCKED;
            self.mark_pending_write(&mut c);
            self.blocking.unblocked.push(fd);
            if let Some(slot) = self.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }

    /// Expire blocked clients whose timeout passed.
    pub fn handle_blocked_timeouts(&mut self) {
        let now = self.now_ms;
        while let Some(&(t, fd)) = self.blocking.timeouts.iter().next() {
            if t > now {
                break;
            }
            self.unblock_client_with_timeout(fd);
            self.blocking.timeouts.remove(&(t, fd));
        }
    }

    /// Milliseconds until the nearest blocked-client timeout, if any.
    pub fn next_blocked_timeout(&self) -> Option<i64> {
        self.blocking.timeouts.iter().next().map(|&(t, _)| t)
    }

    /// True while a blocked client's command is being re-executed (stream
    /// commands then word their errors as Redis's unblocking path does).
    pub fn blocking_reexecuting(&self) -> bool {
        self.blocking.reexec_timeout.is_some()
    }

    /// Clients blocked in XREADGROUP whose key was deleted or replaced by
    /// another type since they blocked (DEL, SET, FLUSHALL, SWAPDB ...):
    /// Redis signals such keys on deletion (unblockDeletedStreamReadgroupClients);
    /// we look for them each turn, which only costs anything while such
    /// clients are blocked. Re-running their command replies the error.
    fn signal_deleted_stream_keys(&mut self) {
        let mut gone: Vec<(usize, Vec<u8>)> = Vec::new();
        for st in self.blocking.states.values() {
            if !st.argv.args().get(0).eq_ignore_ascii_case(b"xreadgroup") {
                continue;
            }
            for k in st.keys.iter() {
                let is_stream = self.dbs[st.db]
                    .dict
                    .get(k)
                    .is_some_and(|o| o.val.type_name() == "stream");
                if !is_stream {
                    gone.push((st.db, k.clone()));
                }
            }
        }
        for (db, k) in gone {
            let key = (db, k);
            if self.blocking.ready_set.insert(key.clone()) {
                self.blocking.ready.push(key);
            }
        }
    }

    /// Serve clients blocked on keys that became ready (see module header).
    pub fn handle_clients_blocked_on_keys(&mut self) {
        if !self.blocking.states.is_empty() {
            self.signal_deleted_stream_keys();
        }
        let mut rounds = 0;
        while !self.blocking.ready.is_empty() && rounds < 1000 {
            rounds += 1;
            let ready = std::mem::take(&mut self.blocking.ready);
            self.blocking.ready_set.clear();
            for (db, key) in ready {
                let waiters: Vec<RawFd> = match self.blocking.waiters.get(&(db, key.clone())) {
                    Some(q) => q.iter().copied().collect(),
                    None => continue,
                };
                for fd in waiters {
                    self.now_ms = super::now_ms();
                    let is_xreadgroup = self.blocking.states.get(&fd).is_some_and(|st| {
                        st.argv.args().get(0).eq_ignore_ascii_case(b"xreadgroup")
                    });
                    // A missing key only matters to XREADGROUP (it is
                    // released with an error); the others keep waiting.
                    if !is_xreadgroup && !self.key_exists(db, &key) {
                        continue;
                    }
                    // Only a value of the awaited type serves the client
                    // (a zset key does not wake BLPOP, a string wakes nobody).
                    let wanted = self
                        .blocking
                        .states
                        .get(&fd)
                        .and_then(|st| blocked_value_type(st.argv.args().get(0)));
                    if let Some(t) = wanted {
                        let actual = self.dbs[db].dict.get(&key).map(|o| o.val.type_name());
                        if actual != Some(t) {
                            continue;
                        }
                    }
                    let st = match self.forget_blocked(fd) {
                        Some(s) => s,
                        None => continue,
                    };
                    let mut c = match self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
                        Some(c) => c,
                        None => continue,
                    };
                    c.flags &= !flags::BLOCKED;
                    let saved_db = c.db;
                    c.db = st.db;
                    let args = st.argv.args();
                    if let Some(idx) = self.resolve_command(&args) {
                        self.blocking.reexec_timeout = Some(st.timeout_ms);
                        self.call(&mut c, idx, &args);
                        self.blocking.reexec_timeout = None;
                    }
                    if !c.has(flags::BLOCKED) {
                        c.db = saved_db;
                        self.blocking.unblocked.push(fd);
                    }
                    self.mark_pending_write(&mut c);
                    if let Some(slot) = self.clients.get_mut(fd as usize) {
                        *slot = Some(c);
                    }
                }
            }
        }
    }

    /// Resume reading pipelined commands of clients unblocked this turn.
    pub fn process_unblocked_clients(&mut self) {
        while let Some(fd) = self.blocking.unblocked.pop() {
            if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
                if !c.has(flags::BLOCKED) && c.qb_pos < c.querybuf.len() {
                    self.process_input(&mut c);
                }
                self.mark_pending_write(&mut c);
                if let Some(slot) = self.clients.get_mut(fd as usize) {
                    *slot = Some(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::blocked_value_type;

    #[test]
    fn blocking_commands_wait_for_their_type() {
        assert_eq!(blocked_value_type(b"BZPOPMIN"), Some("zset"));
        assert_eq!(blocked_value_type(b"bzmpop"), Some("zset"));
        assert_eq!(blocked_value_type(b"blmove"), Some("list"));
        assert_eq!(blocked_value_type(b"XREAD"), Some("stream"));
        assert_eq!(blocked_value_type(b"xreadgroup"), None);
        assert_eq!(blocked_value_type(b"get"), None);
    }
}
