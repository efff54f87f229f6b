//! The server: global state, the event loop, client I/O, command dispatch.
//!
//! Request flow (Redis's `ae` + `networking.c` + `server.c`):
//!
//! ```text
//! epoll_wait ──► read_from_client ──► process_input (resp::parse, many
//!   commands per read: pipelining) ──► process_command (lookup, arity,
//!   auth, flag checks) ──► call (handler, stats, propagation hook)
//!   ──► reply bytes appended to the client's buffer
//! before_sleep ──► write every pending reply once per loop turn; a write
//!   event is armed only for what the socket did not take.
//! timers ──► server_cron at `hz`: expiry, timeouts, stats, (RDB, replication)
//! ```
//!
//! Clients live in a vector indexed by fd (`clients`). While a command runs,
//! its client is *taken out* of the vector and passed separately as
//! `&mut Client`, so a handler can touch the server and other clients freely.
//! A client is never freed while it is taken out: closing is deferred through
//! the `CLOSE_ASAP` flag and done in `before_sleep`.
pub mod blocking;
pub mod config_apply;
pub mod cron;
pub mod info;
pub mod keyspace;
pub mod latency;
pub mod monitor;
pub mod multi;
pub mod pause;
pub mod proctitle;
pub mod pubsub;
pub mod shutdown;
pub mod slowlog;
pub mod startup;

use crate::client::{flags, Args, Client};
use crate::command::{flag, CommandTable, COMMAND_TABLE};
use crate::config::Config;
use crate::db::Db;
use crate::error;
use crate::resp::{Limits, Parsed};
use crate::sys::{self, epoll, RawFd};
use crate::util::rand::Rng;
use std::collections::HashMap;
use std::time::Instant;

/// PROTO_IOBUF_LEN: bytes read per read(2) call.
pub const PROTO_IOBUF_LEN: usize = 16 * 1024;
/// Reads beyond this size for a pending big bulk are done in one go.
pub const PROTO_MBULK_BIG_ARG: usize = 32 * 1024;
/// Accept at most this many connections per readable event.
const MAX_ACCEPTS_PER_CALL: usize = 1000;
/// CONFIG_MIN_RESERVED_FDS
pub const CONFIG_MIN_RESERVED_FDS: u64 = 32;

pub const REDIS_VERSION: &str = "7.0.15";
pub const FERRODIS_VERSION: &str = env!("CARGO_PKG_VERSION");

pub struct Listener {
    pub fd: RawFd,
    pub unix: bool,
    pub addr: String,
}

/// What an fd registered with the poller belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FdOwner {
    None,
    Listener(usize),
    Client,
    /// The socket to our master during the handshake and the RDB transfer
    /// (replication/replica.rs).
    MasterLink,
    /// The pipe a diskless-sync child writes the RDB into (replication/master.rs).
    ReplRdbPipe,
}

/// Counters reported by INFO stats (Redis's `server.stat_*`).
#[derive(Default)]
pub struct Stats {
    pub numcommands: u64,
    pub numconnections: u64,
    pub rejected_conn: u64,
    pub expiredkeys: u64,
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub expire_cycle_time_used: u64,
    pub evictedkeys: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub errors: HashMap<String, u64>,
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    pub client_qbuf_limit_disconnections: u64,
    pub client_outbuf_limit_disconnections: u64,
    pub dump_payload_sanitizations: u64,
    /// Instantaneous metrics samples: (time ms, ops, net in, net out).
    pub inst_samples: Vec<(i64, u64, u64, u64)>,
    pub peak_memory: u64,
}

/// A WATCHing client: (fd, whether the key was already expired at WATCH).
pub type Watcher = (RawFd, bool);

pub struct Server {
    pub config: Config,
    pub commands: CommandTable,
    pub dbs: Vec<Db>,
    /// Connected clients, indexed by fd.
    pub clients: Vec<Option<Box<Client>>>,
    pub fd_owner: Vec<FdOwner>,
    pub nclients: usize,
    pub poller: epoll::Epoll,
    pub listeners: Vec<Listener>,
    pub next_client_id: u64,
    /// Clients with replies to flush in before_sleep (fds).
    pub pending_write: Vec<RawFd>,
    /// Clients to free in before_sleep (fds).
    pub to_close: Vec<RawFd>,
    /// Cached clock, refreshed every loop turn and before each command.
    pub now_ms: i64,
    pub lru_clock: u32,
    pub start_instant: Instant,
    pub start_time_ms: i64,
    pub run_id: String,
    pub stats: Stats,
    /// Changes since the last save (rdb_changes_since_last_save).
    pub dirty: u64,
    pub lastsave: i64,
    pub rng: Rng,
    pub hz: i64,
    pub cronloops: u64,
    pub next_cron_ms: i64,
    pub active_expire_enabled: bool,
    pub shutdown_asap: bool,
    /// A shutdown waiting for replicas (server/shutdown.rs).
    pub shutdown: shutdown::ShutdownState,
    pub exit_code: Option<i32>,
    pub executable: String,
    pub config_file: Option<String>,
    pub sentinel_mode: bool,
    /// Commands ready for replicas / AOF since the last before_sleep
    /// (the propagation hook; consumed by replication when it exists).
    pub propagated: Vec<(usize, crate::client::OwnedArgs)>,
    /// A handler may replace the argv that gets propagated (SET EX → SET PXAT ...).
    pub rewritten_argv: Option<crate::client::OwnedArgs>,
    /// Propagate the current command even if it changed nothing (Redis's
    /// forceCommandPropagation, e.g. FLUSHDB on an empty db). Reset by `call`.
    pub force_propagation: bool,
    /// Do not propagate the current command itself: the handler already
    /// propagated what it did (Redis's preventCommandPropagation after
    /// alsoPropagate, e.g. SPOP with count → SREMs). Reset by `call`.
    pub prevent_propagation: bool,
    /// CLIENT PAUSE / FAILOVER / SHUTDOWN pauses (server/pause.rs).
    pub pause: pause::PauseState,
    pub monitors: Vec<RawFd>,
    pub arch_bits: u32,
    pub pubsub: pubsub::PubSub,
    /// fd of the client whose command is running (-1 outside commands).
    pub current_fd: RawFd,
    /// Push messages for the running client (see server/pubsub.rs).
    pub self_push: Vec<Vec<Vec<u8>>>,
    /// A key watched by the running client was touched by its own command.
    pub current_dirty_cas: bool,
    /// WATCHed keys: (db, key) → watchers (fd, expired-at-WATCH flag).
    pub watched: HashMap<(usize, Vec<u8>), Vec<Watcher>>,
    pub in_exec: bool,
    pub blocking: blocking::Blocking,
    /// RDB persistence / fork child / loading state (rdb/mod.rs).
    pub rdb_state: crate::rdb::RdbState,
    /// LATENCY LATEST/HISTORY/DOCTOR events (server/latency.rs).
    pub latency: latency::LatencyMonitor,
    /// SLOWLOG entries (server/slowlog.rs).
    pub slowlog: slowlog::Slowlog,
    /// Argument positions of the running command to show as "(redacted)"
    /// in SLOWLOG / MONITOR (Redis's redactClientCommandArgument). Reset by `call`.
    pub redacted_args: Vec<usize>,
    /// DEBUG PAUSE-CRON: skip server_cron while set.
    pub cron_paused: bool,
    /// Replication state, both roles (replication/mod.rs).
    pub repl: crate::replication::ReplState,
}

impl Server {
    pub fn new(config: Config, executable: String, sentinel_mode: bool) -> std::io::Result<Server> {
        let ndb = config.databases.max(1) as usize;
        let now = now_ms();
        let mut rng = Rng::new(now as u64 ^ ((sys::process::getpid() as u64) << 32));
        let run_id: String = (0..40)
            .map(|_| b"0123456789abcdef"[(rng.next_u64() % 16) as usize] as char)
            .collect();
        let hz = config.hz.clamp(1, 500);
        let replid = crate::replication::random_replid(&mut rng);
        Ok(Server {
            commands: CommandTable::build(COMMAND_TABLE),
            dbs: (0..ndb).map(Db::new).collect(),
            clients: Vec::new(),
            fd_owner: Vec::new(),
            nclients: 0,
            poller: epoll::Epoll::new(config.maxclients.max(64) as usize)?,
            listeners: Vec::new(),
            next_client_id: 1,
            pending_write: Vec::new(),
            to_close: Vec::new(),
            now_ms: now,
            lru_clock: lru_clock_from(now),
            start_instant: Instant::now(),
            start_time_ms: now,
            run_id,
            stats: Stats::default(),
            dirty: 0,
            lastsave: now / 1000,
            rng,
            hz,
            cronloops: 0,
            next_cron_ms: now,
            active_expire_enabled: true,
            shutdown_asap: false,
            shutdown: Default::default(),
            exit_code: None,
            executable,
            config_file: config.config_file.clone(),
            sentinel_mode,
            propagated: Vec::new(),
            rewritten_argv: None,
            force_propagation: false,
            prevent_propagation: false,
            pause: Default::default(),
            monitors: Vec::new(),
            arch_bits: 64,
            pubsub: pubsub::PubSub::default(),
            current_fd: -1,
            self_push: Vec::new(),
            current_dirty_cas: false,
            watched: HashMap::new(),
            in_exec: false,
            blocking: blocking::Blocking::default(),
            rdb_state: crate::rdb::RdbState::default(),
            latency: latency::LatencyMonitor::default(),
            slowlog: slowlog::Slowlog::default(),
            redacted_args: Vec::new(),
            cron_paused: false,
            repl: crate::replication::ReplState::new(replid),
            config,
        })
    }

    // ------------------------------------------------------------------
    // Event loop
    // ------------------------------------------------------------------

    /// Run until shutdown; returns the process exit code.
    pub fn run(&mut self) -> i32 {
        let mut events = Vec::with_capacity(256);
        loop {
            self.before_sleep();
            if let Some(code) = self.exit_code {
                return code;
            }
            self.now_ms = now_ms();
            let mut wake = self.next_cron_ms;
            if let Some(t) = self.next_blocked_timeout() {
                wake = wake.min(t);
            }
            let timeout = (wake - self.now_ms).clamp(0, 1000) as i32;
            if let Err(e) = self.poller.wait(timeout, &mut events) {
                crate::server_log!(Warning, "epoll_wait failed: {}", e);
            }
            self.now_ms = now_ms();
            self.handle_events(&events);
            if self.now_ms >= self.next_cron_ms {
                if !self.cron_paused {
                    self.server_cron();
                }
                self.next_cron_ms = self.now_ms + 1000 / self.hz;
            }
        }
    }

    /// Dispatch the readiness events of one poll.
    fn handle_events(&mut self, events: &[(RawFd, u8)]) {
        for &(fd, mask) in events.iter() {
            match self
                .fd_owner
                .get(fd as usize)
                .copied()
                .unwrap_or(FdOwner::None)
            {
                FdOwner::Listener(i) => self.accept_connections(i),
                FdOwner::Client => {
                    if mask & epoll::READABLE != 0 {
                        self.read_from_client(fd);
                    }
                    if mask & epoll::WRITABLE != 0 {
                        self.write_to_client(fd, true);
                    }
                }
                FdOwner::MasterLink => crate::replication::replica::link_event(self, mask),
                FdOwner::ReplRdbPipe => crate::replication::master::rdb_pipe_read_handler(self),
                FdOwner::None => {}
            }
        }
    }

    /// processEventsWhileBlocked: serve clients during a long blocking
    /// operation (loading a dataset): a few non-blocking polls, no timers.
    /// A shutdown requested meanwhile ends the process here.
    pub fn process_events_while_blocked(&mut self) {
        let mut events = Vec::with_capacity(64);
        for _ in 0..4 {
            self.before_sleep();
            if let Some(code) = self.exit_code {
                std::process::exit(code);
            }
            if self.poller.wait(0, &mut events).is_err() || events.is_empty() {
                break;
            }
            self.now_ms = now_ms();
            self.handle_events(&events);
        }
        self.before_sleep();
        if let Some(code) = self.exit_code {
            std::process::exit(code);
        }
    }

    pub fn fd_owner_clear(&mut self, fd: RawFd) {
        self.set_fd_owner(fd, FdOwner::None);
    }

    pub fn set_fd_owner(&mut self, fd: RawFd, owner: FdOwner) {
        let i = fd as usize;
        if self.fd_owner.len() <= i {
            self.fd_owner.resize(i + 1, FdOwner::None);
        }
        self.fd_owner[i] = owner;
    }

    /// Work done before going back to epoll_wait (Redis's beforeSleep):
    /// free clients scheduled for closing and flush pending replies.
    pub fn before_sleep(&mut self) {
        self.note_shutdown_signal();
        self.now_ms = now_ms();
        if !self.blocking.timeouts.is_empty() {
            self.handle_blocked_timeouts();
        }
        crate::replication::before_sleep(self);
        // Blocked clients: also polled for XREADGROUP keys that vanished.
        if !self.blocking.ready.is_empty() || !self.blocking.states.is_empty() {
            self.handle_clients_blocked_on_keys();
        }
        if !self.blocking.unblocked.is_empty() {
            self.process_unblocked_clients();
        }
        self.process_released_clients();
        let pending = std::mem::take(&mut self.pending_write);
        for fd in pending.iter().copied() {
            self.write_to_client(fd, false);
        }
        let mut pending = pending;
        pending.clear();
        if self.pending_write.is_empty() {
            self.pending_write = pending;
        }
        while let Some(fd) = self.to_close.pop() {
            self.free_client(fd);
        }
    }

    // ------------------------------------------------------------------
    // Connections
    // ------------------------------------------------------------------

    pub fn add_listener(&mut self, fd: RawFd, unix: bool, addr: String) -> std::io::Result<()> {
        let idx = self.listeners.len();
        self.listeners.push(Listener { fd, unix, addr });
        self.poller.add(fd, epoll::READABLE)?;
        self.set_fd_owner(fd, FdOwner::Listener(idx));
        Ok(())
    }

    fn accept_connections(&mut self, li: usize) {
        let (lfd, unix) = match self.listeners.get(li) {
            Some(l) => (l.fd, l.unix),
            None => return,
        };
        for _ in 0..MAX_ACCEPTS_PER_CALL {
            match sys::net::accept(lfd) {
                Ok(Some((fd, peer))) => {
                    let addr = match (unix, peer) {
                        (true, _) => {
                            format!("{}:0", self.config.unixsocket.as_deref().unwrap_or(""))
                        }
                        (false, Some(p)) => format!("{}:{}", p.ip(), p.port()),
                        (false, None) => "?:0".to_string(),
                    };
                    let laddr = if unix {
                        format!("{}:0", self.config.unixsocket.as_deref().unwrap_or(""))
                    } else {
                        sys::net::local_addr(fd)
                            .map(|a| format!("{}:{}", a.ip(), a.port()))
                            .unwrap_or_default()
                    };
                    crate::server_log!(Verbose, "Accepted {}", addr);
                    let local_peer =
                        unix || peer.map(|p| p.ip().is_loopback_exact()).unwrap_or(false);
                    self.accept_client(fd, addr, laddr, unix, local_peer);
                }
                Ok(None) => break,
                Err(e) => {
                    crate::server_log!(Warning, "Accepting client connection: {}", e);
                    break;
                }
            }
        }
    }

    fn accept_client(
        &mut self,
        fd: RawFd,
        addr: String,
        laddr: String,
        unix: bool,
        local_peer: bool,
    ) {
        if !unix {
            let _ = sys::net::set_nodelay(fd);
            if self.config.tcp_keepalive > 0 {
                let _ = sys::net::set_keepalive(fd, self.config.tcp_keepalive as i32);
            }
        }
        // maxclients: reply and close (Redis writes the error synchronously).
        if self.nclients >= self.config.maxclients as usize {
            let _ = sys::write(fd, b"-ERR max number of clients reached\r\n");
            self.stats.rejected_conn += 1;
            sys::close(fd);
            return;
        }
        // Protected mode: no password for the default user and a non-local peer.
        if self.config.protected_mode
            && self.config.requirepass.is_none()
            && !local_peer
            && !self.sentinel_mode
        {
            let _ = sys::write(fd, PROTECTED_MODE_DENIED);
            self.stats.rejected_conn += 1;
            sys::close(fd);
            return;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        let mut c = Client::new(id, fd, addr, laddr, self.now_ms);
        if unix {
            c.flags |= flags::UNIX_SOCKET;
        }
        c.authenticated = self.config.requirepass.is_none();
        if self.poller.add(fd, epoll::READABLE).is_err() {
            sys::close(fd);
            return;
        }
        let i = fd as usize;
        if self.clients.len() <= i {
            self.clients.resize_with(i + 1, || None);
        }
        self.clients[i] = Some(Box::new(c));
        self.set_fd_owner(fd, FdOwner::Client);
        self.nclients += 1;
        self.stats.numconnections += 1;
    }

    /// Close a client's connection and drop its state.
    pub fn free_client(&mut self, fd: RawFd) {
        let c = match self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            Some(c) => c,
            None => return,
        };
        // Our master is cached for a partial resync; replicas leave the
        // replica list (replication/master.rs).
        let mut c = if c.has(flags::MASTER | flags::SLAVE) {
            match crate::replication::master::free_client_hook(self, c) {
                Some(c) => c,
                None => return,
            }
        } else {
            c
        };
        self.unwatch_all_keys(&mut c);
        self.pubsub_forget_client(&mut c);
        self.blocking_forget_client(&mut c);
        self.monitors.retain(|&m| m != fd);
        self.poller.forget(fd);
        self.set_fd_owner(fd, FdOwner::None);
        sys::close(fd);
        self.nclients -= 1;
        drop(c);
    }

    /// Schedule a client for closing at the next before_sleep.
    pub fn close_client_async(&mut self, c: &mut Client) {
        if !c.has(flags::CLOSE_ASAP) {
            c.flags |= flags::CLOSE_ASAP;
            self.to_close.push(c.fd);
        }
    }

    pub fn client_mut(&mut self, fd: RawFd) -> Option<&mut Client> {
        self.clients
            .get_mut(fd as usize)
            .and_then(|s| s.as_deref_mut())
    }

    /// Queue a client for writing in before_sleep whatever its reply buffer
    /// holds (a replica's stream lives in the shared replication buffer).
    pub fn mark_pending_write_always(&mut self, c: &mut Client) {
        if c.fd >= 0 && !c.has(flags::PENDING_WRITE) {
            c.flags |= flags::PENDING_WRITE;
            self.pending_write.push(c.fd);
        }
    }

    /// Queue a client's reply to be flushed in before_sleep, enforcing the
    /// output buffer limits first.
    pub fn mark_pending_write(&mut self, c: &mut Client) {
        if c.fd >= 0 && c.reply.pending() > 0 {
            self.check_output_buffer_limits(c);
            if !c.has(flags::PENDING_WRITE) {
                c.flags |= flags::PENDING_WRITE;
                self.pending_write.push(c.fd);
            }
        }
    }

    /// `client-output-buffer-limit` (Redis's checkClientOutputBufferLimits):
    /// past the hard limit, or past the soft limit for longer than its
    /// seconds, the client is closed asynchronously. The first 16 KB are the
    /// static reply buffer Redis does not count.
    pub fn check_output_buffer_limits(&mut self, c: &mut Client) -> bool {
        if c.has(flags::CLOSE_ASAP) || c.has(flags::MASTER) {
            return false;
        }
        let class = if c.has(flags::SLAVE) && !c.has(flags::MONITOR) {
            crate::config::CLIENT_TYPE_SLAVE
        } else if c.has(flags::PUBSUB) {
            crate::config::CLIENT_TYPE_PUBSUB
        } else {
            crate::config::CLIENT_TYPE_NORMAL
        };
        let lim = self.config.client_output_buffer_limit[class];
        let mut used = c.reply.pending().saturating_sub(16 * 1024) as u64;
        let mut hard_limit = lim.hard_limit_bytes;
        if class == crate::config::CLIENT_TYPE_SLAVE {
            // The replica's share of the replication buffer counts; a hard
            // limit below repl-backlog-size is raised to it (a partial
            // resync within the backlog must not get the replica dropped).
            used += crate::replication::master::replica_stream_pending(self, c).1 as u64;
            let backlog = self.config.repl_backlog_size.max(0) as u64;
            if hard_limit > 0 && hard_limit < backlog {
                hard_limit = backlog;
            }
        }
        let hard = hard_limit > 0 && used >= hard_limit;
        let mut soft = false;
        if lim.soft_limit_bytes > 0 && used >= lim.soft_limit_bytes {
            if c.obuf_soft_limit_since == 0 {
                c.obuf_soft_limit_since = self.now_ms;
            } else if (self.now_ms - c.obuf_soft_limit_since) / 1000 > lim.soft_limit_seconds {
                soft = true;
            }
        } else {
            c.obuf_soft_limit_since = 0;
        }
        if hard || soft {
            let info = self.client_info_string(c);
            crate::server_log!(
                Warning,
                "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                info
            );
            self.stats.client_outbuf_limit_disconnections += 1;
            // Drop what is queued: the client gets nothing more.
            c.reply.buf.truncate(c.reply.sent);
            self.close_client_async(c);
            return true;
        }
        false
    }

    fn read_from_client(&mut self, fd: RawFd) {
        let mut c = match self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            Some(c) => c,
            None => return,
        };
        let mut readlen = PROTO_IOBUF_LEN;
        if c.parser.pending_bulk >= PROTO_MBULK_BIG_ARG {
            readlen = c.parser.pending_bulk;
        }
        match sys::read_into_vec(fd, &mut c.querybuf, readlen) {
            Ok(0) => {
                crate::server_log!(
                    Verbose,
                    "Client closed connection id={} addr={} laddr={} fd={} name={}",
                    c.id,
                    c.addr,
                    c.laddr,
                    c.fd,
                    c.name
                        .as_deref()
                        .map(String::from_utf8_lossy)
                        .unwrap_or_default()
                );
                self.put_back(c);
                self.free_client(fd);
                return;
            }
            Ok(n) => {
                if c.has(flags::MASTER) {
                    self.repl.stat_net_repl_input_bytes += n as u64;
                    if let Some(r) = c.repl.as_mut() {
                        r.read_reploff += n as i64;
                    }
                } else {
                    self.stats.net_input_bytes += n as u64;
                }
                self.stats.total_reads_processed += 1;
                c.net_in += n as u64;
            }
            Err(e) if sys::would_block(&e) => {
                self.put_back(c);
                return;
            }
            Err(e) => {
                crate::server_log!(Verbose, "Reading from client: {}", e);
                self.put_back(c);
                self.free_client(fd);
                return;
            }
        }
        c.last_interaction_ms = self.now_ms;
        if c.querybuf.len() > c.querybuf_peak {
            c.querybuf_peak = c.querybuf.len();
        }
        let limit = self.config.client_query_buffer_limit as usize;
        if !c.has(flags::MASTER) && c.querybuf.len() > limit {
            let info = self.client_info_string(&c);
            let head: String =
                String::from_utf8_lossy(&c.querybuf[..c.querybuf.len().min(64)]).into_owned();
            crate::server_log!(Warning, "Closing client that reached max query buffer length: {} (qbuf initial bytes: {:?})", info, head);
            self.stats.client_qbuf_limit_disconnections += 1;
            self.put_back(c);
            self.free_client(fd);
            return;
        }
        if c.has(flags::MASTER) {
            crate::replication::replica::process_master_input(self, &mut c);
        } else {
            self.process_input(&mut c);
        }
        self.put_back(c);
    }

    fn put_back(&mut self, mut c: Box<Client>) {
        let fd = c.fd;
        if c.reply.pending() > 0 {
            self.mark_pending_write(&mut c);
        }
        if let Some(slot) = self.clients.get_mut(fd as usize) {
            *slot = Some(c);
        }
    }

    /// Write as much of the reply buffer as the socket takes. With
    /// `from_event` the call comes from a write event.
    fn write_to_client(&mut self, fd: RawFd, _from_event: bool) {
        // Replicas receive nothing until their RDB is sent (and the RDB
        // itself goes out from here): replication/master.rs.
        if self.fd_owner.get(fd as usize) == Some(&FdOwner::Client)
            && crate::replication::cmds::write_hook(self, fd)
        {
            return;
        }
        let (close, done) = {
            let c = match self
                .clients
                .get_mut(fd as usize)
                .and_then(|s| s.as_deref_mut())
            {
                Some(c) => c,
                None => return,
            };
            c.flags &= !flags::PENDING_WRITE;
            let mut err = false;
            while c.reply.sent < c.reply.buf.len() {
                match sys::write(fd, &c.reply.buf[c.reply.sent..]) {
                    Ok(0) => break,
                    Ok(n) => {
                        c.reply.sent += n;
                        c.net_out += n as u64;
                        self.stats.net_output_bytes += n as u64;
                    }
                    Err(e) if sys::would_block(&e) => break,
                    Err(_) => {
                        err = true;
                        break;
                    }
                }
            }
            self.stats.total_writes_processed += 1;
            let done = c.reply.sent >= c.reply.buf.len();
            if done {
                c.reply.compact();
            }
            (err || (done && c.has(flags::CLOSE_AFTER_REPLY)), done)
        };
        if close {
            self.free_client(fd);
            return;
        }
        // A replica: then its stream, from the shared replication buffer.
        let mut done = done;
        if done
            && self
                .clients
                .get(fd as usize)
                .and_then(|s| s.as_deref())
                .is_some_and(|c| c.repl.as_ref().is_some_and(|r| r.stream_pos > 0))
        {
            if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
                let res = crate::replication::master::write_stream_to_replica(self, &mut c);
                if let Some(slot) = self.clients.get_mut(fd as usize) {
                    *slot = Some(c);
                }
                match res {
                    Ok(d) => done = d,
                    Err(_) => {
                        self.free_client(fd);
                        return;
                    }
                }
            }
        }
        if done {
            let _ = self.poller.del(fd, epoll::WRITABLE);
        } else {
            let _ = self.poller.add(fd, epoll::WRITABLE);
        }
    }

    // ------------------------------------------------------------------
    // Command processing
    // ------------------------------------------------------------------

    /// Parse and run every complete command in the query buffer.
    pub fn process_input(&mut self, c: &mut Client) {
        while c.qb_pos < c.querybuf.len() {
            if c.has(flags::CLOSE_AFTER_REPLY | flags::CLOSE_ASAP | flags::BLOCKED) {
                break;
            }
            let lim = Limits {
                proto_max_bulk_len: self.config.proto_max_bulk_len,
                authenticated: c.authenticated,
                is_master: c.has(flags::MASTER),
            };
            match c.parser.parse(&c.querybuf, &mut c.qb_pos, &lim) {
                Ok(Parsed::Incomplete) => break,
                Ok(Parsed::Command) => {
                    if !c.parser.argv.is_empty() {
                        self.execute_parsed(c);
                    }
                    c.parser.reset();
                }
                Err(msg) => {
                    if crate::log::enabled(crate::log::Level::Verbose) {
                        let info = self.client_info_string(c);
                        let head = String::from_utf8_lossy(
                            &c.querybuf[c.qb_pos.min(c.querybuf.len())
                                ..c.querybuf.len().min(c.qb_pos + 128)],
                        )
                        .into_owned();
                        crate::server_log!(Verbose, "Protocol error ({}) from client: {}. Query buffer during protocol error: '{}'", msg, info, head);
                    }
                    c.reply.error(&format!("ERR Protocol error: {}", msg));
                    self.count_error_replies(c);
                    c.flags |= flags::CLOSE_AFTER_REPLY | flags::PROTOCOL_ERROR;
                    c.querybuf.clear();
                    c.qb_pos = 0;
                    c.parser.reset();
                    break;
                }
            }
        }
        c.trim_querybuf();
    }

    pub(crate) fn execute_parsed(&mut self, c: &mut Client) {
        let qb = std::mem::take(&mut c.querybuf);
        let ranges = std::mem::take(&mut c.parser.argv);
        let inline = c.parser.argv_inline;
        let ib = if inline {
            std::mem::take(&mut c.parser.inline_buf)
        } else {
            Vec::new()
        };
        {
            let args = Args::new(if inline { &ib } else { &qb }, &ranges);
            if c.has(flags::SLAVE) && c.repl.is_some() {
                let before = c.reply.buf.len();
                let errs = c.reply.error_codes.len();
                self.process_command(c, &args);
                crate::replication::master::check_replica_reply(self, c, &args, before, errs);
            } else {
                self.process_command(c, &args);
            }
        }
        c.querybuf = qb;
        c.parser.argv = ranges;
        if inline {
            c.parser.inline_buf = ib;
        }
        c.cmds_processed += 1;
    }

    /// Find the table entry for argv (command, or subcommand of a container)
    /// or the error text Redis replies for an unknown one.
    pub fn lookup_command(&self, args: &Args) -> Result<usize, String> {
        let name = args.get(0);
        let idx = match self.commands.lookup(name) {
            Some(i) => i,
            None => {
                let mut rest = String::new();
                let mut i = 1;
                while i < args.len() && rest.len() < 128 {
                    let a = String::from_utf8_lossy(args.get(i));
                    let room = 128 - rest.len();
                    let a: String = a.chars().take(room).collect();
                    rest.push_str(&format!("'{}' ", a));
                    i += 1;
                }
                let nm: String = String::from_utf8_lossy(name).chars().take(128).collect();
                return Err(format!(
                    "ERR unknown command '{}', with args beginning with: {}",
                    nm, rest
                ));
            }
        };
        if !self.commands.cmds[idx].subs.is_empty() && args.len() >= 2 {
            return match self.commands.lookup_sub(idx, args.get(1)) {
                Some(s) => Ok(s),
                None => Err(error::unknown_subcommand(
                    args.get(1),
                    self.commands.cmds[idx].full_name,
                )
                .text()
                .to_string()),
            };
        }
        Ok(idx)
    }

    /// Table entry for an already-validated argv (EXEC's queue).
    pub fn resolve_command(&self, args: &Args) -> Option<usize> {
        self.lookup_command(args).ok()
    }

    /// Redis's processCommand: lookup, arity, auth and state checks, then
    /// queue (MULTI) or call.
    pub fn process_command(&mut self, c: &mut Client, args: &Args) {
        self.now_ms = now_ms();
        let idx = match self.lookup_command(args) {
            Ok(i) => i,
            Err(msg) => {
                self.reject(c, &msg);
                return;
            }
        };
        let (arity, cflags, full_name) = {
            let cmd = &self.commands.cmds[idx];
            (cmd.def.arity, cmd.flags, cmd.full_name)
        };
        let argc = args.len() as i32;
        if (arity > 0 && arity != argc) || argc < -arity {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            self.reject(c, error::wrong_args(full_name).text());
            return;
        }
        if !c.authenticated && cflags & flag::NO_AUTH == 0 {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            self.reject(c, error::NOAUTH.text());
            return;
        }
        if cflags & flag::PROTECTED != 0 && full_name == "debug" {
            let allowed = match self.config.enable_debug_command {
                crate::config::ProtectedConfig::Yes => true,
                crate::config::ProtectedConfig::Local => {
                    c.has(flags::UNIX_SOCKET)
                        || c.addr.starts_with("127.0.0.1:")
                        || c.addr.starts_with("::1:")
                }
                crate::config::ProtectedConfig::No => false,
            };
            if !allowed {
                self.commands.cmds[idx].stats.rejected_calls += 1;
                self.reject(c, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
                return;
            }
        }
        if c.has(flags::MULTI) && cflags & flag::NO_MULTI != 0 {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            self.reject(c, "ERR Command not allowed inside a transaction");
            return;
        }
        // RESP2 subscribed context: only (un)subscribe, PING, QUIT, RESET.
        if c.has(flags::PUBSUB) && c.reply.resp == 2 {
            let top = self.commands.cmds[idx]
                .parent
                .map(|p| self.commands.cmds[p].full_name)
                .unwrap_or(full_name);
            if !matches!(
                top,
                "ping"
                    | "subscribe"
                    | "ssubscribe"
                    | "unsubscribe"
                    | "sunsubscribe"
                    | "psubscribe"
                    | "punsubscribe"
                    | "quit"
                    | "reset"
            ) {
                self.commands.cmds[idx].stats.rejected_calls += 1;
                self.reject(c, &format!("ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context", full_name));
                return;
            }
        }
        // stop-writes-on-bgsave-error (processCommand's disk error check).
        if crate::rdb::write_commands_denied_by_disk_error(self)
            && !c.has(flags::MASTER)
            && (cflags & flag::WRITE != 0
                || full_name == "ping"
                || (full_name == "exec" && self.queued_write(c)))
        {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            if full_name == "exec" {
                // execCommandAbort
                crate::command::multi::discard_transaction(self, c);
                c.reply.error(&format!(
                    "EXECABORT Transaction discarded because of: {}",
                    crate::rdb::MISCONF_BGSAVE_ERR
                ));
                self.count_error_replies(c);
            } else {
                self.reject(c, crate::rdb::MISCONF_BGSAVE_ERR);
            }
            return;
        }
        // NOREPLICAS / READONLY / MASTERDOWN / replicas touching keys.
        if let Err(msg) = crate::replication::command_allowed(self, c, cflags, full_name) {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            if full_name == "exec" {
                // execCommandAbort
                crate::command::multi::discard_transaction(self, c);
                c.reply.error(&format!(
                    "EXECABORT Transaction discarded because of: {}",
                    msg
                ));
                self.count_error_replies(c);
            } else {
                self.reject(c, msg);
            }
            return;
        }
        // Loading a dataset: only commands flagged `loading` run.
        if self.rdb_state.loading && !self.rdb_state.async_loading && cflags & flag::LOADING == 0 {
            self.commands.cmds[idx].stats.rejected_calls += 1;
            self.reject(c, "LOADING Redis is loading the dataset in memory");
            return;
        }
        // Paused clients (CLIENT PAUSE, FAILOVER, SHUTDOWN): postpone.
        if self.clients_paused() {
            let may_replicate = cflags & (flag::WRITE | flag::MAY_REPLICATE) != 0
                || (full_name == "exec" && self.queued_may_replicate(c));
            if self.must_postpone(c, may_replicate) {
                self.postpone_client(c, args);
                return;
            }
        }
        if c.has(flags::MULTI)
            && !matches!(
                full_name,
                "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
            )
        {
            c.mstate.push(args.to_owned());
            c.reply.raw(b"+QUEUED\r\n");
            return;
        }
        self.call(c, idx, args);
    }

    /// True when a command queued by MULTI may replicate (write or
    /// may-replicate flag: EXEC is then paused by CLIENT PAUSE WRITE).
    fn queued_may_replicate(&self, c: &Client) -> bool {
        c.mstate.iter().any(|q| {
            self.resolve_command(&q.args())
                .map(|i| self.commands.cmds[i].flags & (flag::WRITE | flag::MAY_REPLICATE) != 0)
                .unwrap_or(false)
        })
    }

    /// True when a command queued by MULTI is a write command.
    fn queued_write(&self, c: &Client) -> bool {
        c.mstate.iter().any(|q| {
            self.resolve_command(&q.args())
                .map(|i| self.commands.cmds[i].flags & flag::WRITE != 0)
                .unwrap_or(false)
        })
    }

    /// Reply an error for a command that was not executed.
    fn reject(&mut self, c: &mut Client, msg: &str) {
        if c.has(flags::MULTI) {
            c.flags |= flags::DIRTY_EXEC;
        }
        c.reply.error(msg);
        self.count_error_replies(c);
    }

    /// Account the error replies a client received (INFO errorstats).
    pub fn count_error_replies(&mut self, c: &mut Client) {
        for code in c.reply.error_codes.drain(..) {
            self.stats.total_error_replies += 1;
            if self.stats.errors.len() < 128 || self.stats.errors.contains_key(&code) {
                *self.stats.errors.entry(code).or_insert(0) += 1;
            }
        }
    }

    /// Run a command's handler with stats and the propagation hook (Redis's call()).
    pub fn call(&mut self, c: &mut Client, idx: usize, args: &Args) {
        let def = self.commands.cmds[idx].def;
        let cflags = self.commands.cmds[idx].flags;
        c.last_cmd = self.commands.cmds[idx].full_name;
        let dirty_before = self.dirty;
        let errors_before = c.reply.error_codes.len();
        let start = Instant::now();
        let prev_fd = self.current_fd;
        self.current_fd = c.fd;
        if let Err(e) = (def.handler)(self, c, args) {
            c.reply.error(e.text());
        }
        self.current_fd = prev_fd;
        if !self.self_push.is_empty() {
            self.flush_self_push(c);
        }
        if self.current_dirty_cas {
            self.current_dirty_cas = false;
            c.flags |= flags::DIRTY_CAS;
        }
        let usec = start.elapsed().as_micros() as u64;
        let failed = c.reply.error_codes.len() > errors_before;
        {
            // A blocked command re-run once its key is ready was already
            // counted when it blocked (Redis counts the blocking call).
            let reexec = self.blocking.reexec_timeout.is_some();
            let st = &mut self.commands.cmds[idx].stats;
            if !reexec {
                st.calls += 1;
            }
            st.usec += usec;
            if failed {
                st.failed_calls += 1;
            }
        }
        self.count_error_replies(c);
        self.stats.numcommands += 1;
        self.after_call_introspection(c, idx, args, usec);
        // Keys given a TTL on a writable replica expire by themselves
        // (rememberSlaveKeyWithExpire).
        if cflags & flag::WRITE != 0 && self.repl.is_replica() && !c.has(flags::MASTER) {
            crate::replication::replica::remember_keys_with_expire(self, c.db, idx, args);
        }
        let forced = std::mem::take(&mut self.force_propagation);
        let prevented = std::mem::take(&mut self.prevent_propagation);
        if !prevented
            && cflags & (flag::WRITE | flag::MAY_REPLICATE) != 0
            && (self.dirty != dirty_before || forced)
        {
            let rewritten = self.rewritten_argv.take();
            match rewritten {
                Some(o) => self.propagate(c.db, o),
                None => self.propagate(c.db, args.to_owned()),
            }
        } else {
            self.rewritten_argv = None;
        }
        // afterCommand at the top-level call: the execution unit's commands
        // become the replication stream (MULTI/EXEC around several).
        if !self.in_exec {
            if !self.propagated.is_empty() {
                let allow_multi = !matches!(c.last_cmd, "randomkey" | "scan");
                crate::replication::master::propagate_pending(self, allow_multi);
            }
            c.woff = self.repl.master_repl_offset;
        }
    }

    /// The propagation hook: every write command that changed the dataset,
    /// with the db it ran against, lands here (replication and AOF feed
    /// from `propagated`). Kept bounded until a consumer drains it.
    pub fn propagate(&mut self, db: usize, argv: crate::client::OwnedArgs) {
        if self.has_propagation_consumer() {
            self.propagated.push((db, argv));
        }
    }

    /// Propagate a command even though it changed no data (PUBLISH).
    pub fn force_propagate(&mut self, db: usize, argv: crate::client::OwnedArgs) {
        self.propagate(db, argv);
    }

    /// Commands propagated by an EXEC since `start`: wrap several in
    /// MULTI/EXEC so replicas apply them atomically.
    pub fn wrap_propagated_in_multi(&mut self, start: usize, _db: usize) {
        if self.propagated.len() > start + 1 {
            // MULTI in the db of the first command, EXEC in the db of the
            // last one, so no extra SELECT is emitted (propagatePendingCommands).
            let first_db = self.propagated[start].0;
            let last_db = self.propagated[self.propagated.len() - 1].0;
            self.propagated.insert(
                start,
                (first_db, crate::client::OwnedArgs::from_slices(&[b"MULTI"])),
            );
            self.propagated
                .push((last_db, crate::client::OwnedArgs::from_slices(&[b"EXEC"])));
        }
    }

    /// True when someone consumes propagated commands (replicas, AOF).
    pub fn has_propagation_consumer(&self) -> bool {
        !self.repl.is_replica() && (self.repl.backlog.is_some() || !self.repl.slaves.is_empty())
    }

    // ------------------------------------------------------------------
    // Helpers for commands
    // ------------------------------------------------------------------

    /// Iterate over all clients except the one currently running a command.
    pub fn for_each_client<F: FnMut(&mut Client)>(&mut self, mut f: F) {
        for c in self.clients.iter_mut().flatten() {
            f(c);
        }
    }

    /// The CLIENT LIST line of a client.
    pub fn client_info_string(&self, c: &Client) -> String {
        info::client_info_string(self, c)
    }
}

pub const PROTECTED_MODE_DENIED: &[u8] = b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Wall clock in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wall clock in microseconds.
pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// LRU_CLOCK: seconds, wrapped to 24 bits (Redis's LRU_CLOCK_MAX).
pub fn lru_clock_from(ms: i64) -> u32 {
    ((ms / 1000) as u64 & ((1 << 24) - 1)) as u32
}

trait LoopbackExact {
    fn is_loopback_exact(&self) -> bool;
}

impl LoopbackExact for std::net::IpAddr {
    /// Redis counts only 127.0.0.1 and ::1 as local (not all of 127/8).
    fn is_loopback_exact(&self) -> bool {
        match self {
            std::net::IpAddr::V4(v4) => v4.octets() == [127, 0, 0, 1],
            std::net::IpAddr::V6(v6) => {
                v6.is_loopback()
                    || v6
                        .to_ipv4_mapped()
                        .map(|v| v.octets() == [127, 0, 0, 1])
                        .unwrap_or(false)
            }
        }
    }
}
