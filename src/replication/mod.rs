//! Master/replica replication with PSYNC2 (Redis's `replication.c` and the
//! replication parts of `server.c` / `networking.c`).
//!
//! Layout (one concern per file):
//!
//! ```text
//! mod.rs      ReplState (server-wide), ReplClient (per connection), ids,
//!             small helpers (replica names, RESP encoding of commands)
//! backlog.rs  the circular backlog                (repl_backlog)
//! master.rs   the master side: feeding the stream (SELECT, commands,
//!             MULTI/EXEC) to the backlog and to replicas; SYNC / PSYNC /
//!             REPLCONF; full sync by a forked RDB to disk or streamed to
//!             the sockets through a pipe; +CONTINUE from the backlog; ACKs,
//!             WAIT, min-replicas; the master half of replicationCron
//! replica.rs  the replica side: REPLICAOF, the non-blocking handshake
//!             (PING, AUTH, REPLCONF, PSYNC), receiving and loading the RDB,
//!             the master client (stream applied without replies, offsets,
//!             ACKs), cached master for partial resync, promotion (replid2),
//!             the replica half of replicationCron
//! cmds.rs     ROLE, REPLICAOF/SLAVEOF, WAIT, SYNC/PSYNC, REPLCONF, FAILOVER
//! info.rs     the INFO replication section
//! logflood.rs rate limiting of the "master unreachable" log lines
//! ```
//!
//! How it plugs into the server: `Server::propagate` queues write commands
//! into `Server::propagated`; at the end of the outermost `call()` (and in
//! `before_sleep` for cron-time DELs) [`master::propagate_pending`] turns the
//! queue into the replication stream (MULTI/EXEC around several commands of
//! one execution unit, SELECT when the db changes). Replica connections are
//! ordinary clients flagged SLAVE whose output buffer accumulates the stream
//! while their RDB is produced; `write_to_client` asks
//! [`master::slave_write_hook`] before flushing them. The master link is an
//! fd owned by `FdOwner::MasterLink` during the handshake and the RDB
//! transfer, then becomes an ordinary client flagged MASTER.
pub mod backlog;
pub mod cmds;
pub mod info;
pub mod logflood;
pub mod master;
pub mod replica;

use crate::client::Client;
use crate::sys::RawFd;
use backlog::Backlog;

/// CONFIG_RUN_ID_SIZE: replication ids are 40 hex characters.
pub const RUN_ID_SIZE: usize = 40;
/// The replid2 of an instance without a secondary history.
pub const NULL_REPLID: &str = "0000000000000000000000000000000000000000";

/// Replica capabilities announced with REPLCONF capa (SLAVE_CAPA_*).
pub mod capa {
    pub const EOF: u8 = 1;
    pub const PSYNC2: u8 = 2;
}

/// State of the link with our master (REPL_STATE_*), replica side.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LinkState {
    /// Not a replica.
    None,
    /// Must connect (replicationCron does it).
    Connect,
    /// Non-blocking connect in progress.
    Connecting,
    ReceivePingReply,
    SendHandshake,
    ReceiveAuthReply,
    ReceivePortReply,
    ReceiveIpReply,
    ReceiveCapaReply,
    SendPsync,
    ReceivePsyncReply,
    /// Receiving the RDB payload.
    Transfer,
    /// Link up, applying the stream.
    Connected,
}

impl LinkState {
    /// slaveIsInHandshakeState
    pub fn is_handshake(self) -> bool {
        matches!(
            self,
            LinkState::ReceivePingReply
                | LinkState::SendHandshake
                | LinkState::ReceiveAuthReply
                | LinkState::ReceivePortReply
                | LinkState::ReceiveIpReply
                | LinkState::ReceiveCapaReply
                | LinkState::SendPsync
                | LinkState::ReceivePsyncReply
        )
    }
}

/// State of a replica connected to us (SLAVE_STATE_*), master side.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SlaveState {
    #[default]
    None,
    /// Waiting for a BGSAVE to start (no stream accumulated yet).
    WaitBgsaveStart,
    /// BGSAVE running; the stream since the fork accumulates.
    WaitBgsaveEnd,
    /// Sending the RDB file from disk.
    SendBulk,
    /// Receiving the stream.
    Online,
    /// rdb-only replica that got its RDB.
    RdbTransmitted,
}

impl SlaveState {
    /// replstateToString (INFO slaveN state=).
    pub fn as_str(self) -> &'static str {
        match self {
            SlaveState::WaitBgsaveStart | SlaveState::WaitBgsaveEnd => "wait_bgsave",
            SlaveState::SendBulk => "send_bulk",
            SlaveState::Online => "online",
            SlaveState::RdbTransmitted => "rdb_transmitted",
            SlaveState::None => "",
        }
    }
}

/// Failover state (FAILOVER command), master side.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum FailoverState {
    #[default]
    None,
    WaitForSync,
    InProgress,
}

impl FailoverState {
    pub fn as_str(self) -> &'static str {
        match self {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

/// Per-connection replication fields (Redis's client->repl*, slave_*,
/// reploff ...). Created on demand: most clients never need it.
#[derive(Debug, Default)]
pub struct ReplClient {
    // ---- a replica connected to us ----
    pub state: SlaveState,
    /// REPLCONF listening-port (0 = unknown).
    pub listening_port: i64,
    /// REPLCONF ip-address.
    pub announced_ip: Option<String>,
    /// capa::* bits.
    pub capa: u8,
    /// Last offset acknowledged with REPLCONF ACK.
    pub ack_off: i64,
    /// Unix seconds of the last ACK.
    pub ack_time: i64,
    /// Offset of the +FULLRESYNC reply (the RDB's point in the stream).
    pub psync_initial_offset: i64,
    /// Came with SYNC (no PSYNC, no ACKs).
    pub pre_psync: bool,
    /// REPLCONF rdb-only 1.
    pub rdb_only: bool,
    /// Diskless sync done: start streaming at the first ACK.
    pub start_cmd_stream_on_ack: bool,
    /// Disk sync: the RDB file being sent, position, size, "$len\r\n".
    pub dbfile: Option<std::fs::File>,
    pub dboff: u64,
    pub dbsize: u64,
    pub preamble: Vec<u8>,
    /// Stream offset of the next byte of the replication stream to send
    /// this replica, from the shared buffer (backlog.rs); 0 = not fed yet.
    pub stream_pos: i64,
    /// Diskless sync: bytes of the current pipe buffer already written.
    pub pipe_off: usize,
    /// Diskless sync: this replica still has pipe data to write.
    pub pipe_writing: bool,
    /// Unix seconds of the last partial write of the RDB (0 = none).
    pub last_partial_write: i64,
    // ---- our master (the MASTER client) ----
    /// Offset of the stream applied so far.
    pub reploff: i64,
    /// Offset of the stream read so far.
    pub read_reploff: i64,
    /// Bytes of the query buffer applied but not yet proxied/trimmed.
    pub repl_applied: usize,
    /// The master's replication id.
    pub replid: String,
}

/// The in-flight diskless transfer (rdb_pipe_*): the child writes the RDB
/// into `read_fd`'s pipe; the parent copies each chunk to every replica.
#[derive(Debug, Default)]
pub struct RdbPipe {
    pub read_fd: RawFd,
    /// Closing it tells the child it may exit.
    pub child_exit_fd: RawFd,
    /// Replicas (fds) fed by this transfer; -1 once dropped.
    pub conns: Vec<RawFd>,
    /// Replicas that have not written the current chunk yet.
    pub numconns_writing: usize,
    pub buf: Vec<u8>,
    pub buflen: usize,
    /// The pipe is registered for reading.
    pub reading: bool,
}

/// Where the running RDB child writes (RDB_CHILD_TYPE_*).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum RdbChildTarget {
    #[default]
    Disk,
    Socket,
}

/// The replica-side transfer of the RDB payload (repl_transfer_*).
#[derive(Debug, Default)]
pub struct Transfer {
    /// -1 = bulk length not read yet.
    pub size: i64,
    pub read: i64,
    pub last_fsync_off: i64,
    /// Unix seconds of the last byte received from the master.
    pub lastio: i64,
    pub file: Option<std::fs::File>,
    pub tmpfile: Option<String>,
    pub usemark: bool,
    pub eofmark: Vec<u8>,
    pub lastbytes: Vec<u8>,
}

/// Server-wide replication state (the `server.repl_*`, `server.master*`,
/// `server.slaves` ... fields of Redis).
pub struct ReplState {
    // ---- replication ids and offsets (both roles) ----
    pub replid: String,
    pub replid2: String,
    pub second_replid_offset: i64,
    pub master_repl_offset: i64,
    pub backlog: Option<Backlog>,
    // ---- master side ----
    /// Replica connections (fds) in attach order.
    pub slaves: Vec<RawFd>,
    /// Db of the last SELECT in the stream (-1 = emit SELECT next).
    pub slaveseldb: i64,
    /// Unix seconds since there are no replicas (backlog ttl).
    pub no_slaves_since: i64,
    pub good_slaves_count: i64,
    /// Send REPLCONF GETACK * in before_sleep (WAIT).
    pub get_ack_from_slaves: bool,
    /// Clients blocked in WAIT (fds).
    pub waiting_acks: Vec<RawFd>,
    pub rdb_child_target: RdbChildTarget,
    pub rdb_pipe: Option<RdbPipe>,
    pub stat_sync_full: u64,
    pub stat_sync_partial_ok: u64,
    pub stat_sync_partial_err: u64,
    pub stat_net_repl_input_bytes: u64,
    pub stat_net_repl_output_bytes: u64,
    pub failover: FailoverState,
    pub failover_end_ms: i64,
    pub failover_force: bool,
    pub failover_target: Option<(String, u16)>,
    pub failover_target_fd: RawFd,
    /// Writes are (meant to be) paused by FAILOVER.
    pub failover_paused: bool,
    // ---- replica side ----
    pub masterhost: Option<String>,
    pub masterport: u16,
    pub state: LinkState,
    /// The socket of the handshake / transfer (repl_transfer_s).
    pub link_fd: RawFd,
    /// Bytes read from the link not consumed yet (handshake replies, the
    /// start of the payload).
    pub link_buf: Vec<u8>,
    pub transfer: Transfer,
    /// fd of the MASTER client once connected (-1 none).
    pub master_fd: RawFd,
    pub cached_master: Option<Box<Client>>,
    /// From +FULLRESYNC: the master's replid and offset (-1 = unknown).
    pub master_replid: String,
    pub master_initial_offset: i64,
    /// Unix seconds the link went down (0 = never up / up).
    pub down_since: i64,
    /// replicationCron runs (1 Hz).
    pub cron_loops: u64,
    pub last_cron_ms: i64,
    /// Last second a newline was sent to the master while loading.
    pub newline_sent: i64,
    pub logflood: logflood::LogFlood,
    /// "ip:port" of the master we connect to (the MASTER client's addr).
    pub link_peer: String,
    /// Keys that got a TTL from a client of a writable replica: the
    /// replica expires them itself (slaveKeysWithExpire).
    pub slave_keys_with_expire: std::collections::HashSet<(usize, Vec<u8>)>,
    /// Scratch buffer for encoding commands.
    pub scratch: Vec<u8>,
}

impl ReplState {
    pub fn new(replid: String) -> ReplState {
        ReplState {
            replid,
            replid2: NULL_REPLID.to_string(),
            second_replid_offset: -1,
            master_repl_offset: 0,
            backlog: None,
            slaves: Vec::new(),
            slaveseldb: -1,
            no_slaves_since: crate::server::now_ms() / 1000,
            good_slaves_count: 0,
            get_ack_from_slaves: false,
            waiting_acks: Vec::new(),
            rdb_child_target: RdbChildTarget::Disk,
            rdb_pipe: None,
            stat_sync_full: 0,
            stat_sync_partial_ok: 0,
            stat_sync_partial_err: 0,
            stat_net_repl_input_bytes: 0,
            stat_net_repl_output_bytes: 0,
            failover: FailoverState::None,
            failover_end_ms: 0,
            failover_force: false,
            failover_target: None,
            failover_target_fd: -1,
            failover_paused: false,
            masterhost: None,
            masterport: 0,
            state: LinkState::None,
            link_fd: -1,
            link_buf: Vec::new(),
            transfer: Transfer::default(),
            master_fd: -1,
            cached_master: None,
            master_replid: String::new(),
            master_initial_offset: -1,
            down_since: 0,
            cron_loops: 0,
            last_cron_ms: 0,
            newline_sent: 0,
            logflood: logflood::LogFlood::default(),
            link_peer: String::new(),
            slave_keys_with_expire: Default::default(),
            scratch: Vec::new(),
        }
    }

    /// True when this instance is a replica (server.masterhost != NULL).
    #[inline]
    pub fn is_replica(&self) -> bool {
        self.masterhost.is_some()
    }
}

/// getRandomHexChars(CONFIG_RUN_ID_SIZE)
pub fn random_replid(rng: &mut crate::util::rand::Rng) -> String {
    (0..RUN_ID_SIZE)
        .map(|_| b"0123456789abcdef"[(rng.next_u64() % 16) as usize] as char)
        .collect()
}

/// The peer ip of "ip:port" (IPv6 without brackets, as client addrs are kept).
pub fn peer_ip(addr: &str) -> &str {
    addr.rsplit_once(':').map(|(ip, _)| ip).unwrap_or(addr)
}

/// anetFormatAddr: "ip:port", "[ipv6]:port".
pub fn format_addr(ip: &str, port: i64) -> String {
    if ip.contains(':') {
        format!("[{}]:{}", ip, port)
    } else {
        format!("{}:{}", ip, port)
    }
}

/// replicationGetSlaveName: "ip:listening-port" of a replica for logs.
pub fn slave_name(c: &Client) -> String {
    let (ip, port) = match &c.repl {
        Some(r) => (
            r.announced_ip
                .clone()
                .unwrap_or_else(|| peer_ip(&c.addr).to_string()),
            r.listening_port,
        ),
        None => (peer_ip(&c.addr).to_string(), 0),
    };
    if ip.is_empty() {
        return format!("client id #{}", c.id);
    }
    if port != 0 {
        format_addr(&ip, port)
    } else {
        format!("{}:<unknown-replica-port>", ip)
    }
}

/// Append `argv` as a RESP multibulk to `out` (the stream format).
pub fn encode_command<'a, I: IntoIterator<Item = &'a [u8]>>(
    out: &mut Vec<u8>,
    argc: usize,
    argv: I,
) {
    out.push(b'*');
    crate::util::num::ll2string(out, argc as i64);
    out.extend_from_slice(b"\r\n");
    for a in argv {
        out.push(b'$');
        crate::util::num::ll2string(out, a.len() as i64);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// processCommand's replication checks: Err(error reply) when the command
/// must be refused (NOREPLICAS, READONLY, MASTERDOWN, a replica touching
/// keys). For EXEC the queued commands' flags count.
pub fn command_allowed(
    srv: &crate::server::Server,
    c: &Client,
    cflags: u64,
    name: &str,
) -> Result<(), &'static str> {
    use crate::command::flag;
    let r = &srv.repl;
    if !r.is_replica()
        && srv.config.min_replicas_to_write == 0
        && !c.has(crate::client::flags::SLAVE)
    {
        return Ok(());
    }
    let (mut any, mut inv) = (cflags, !cflags);
    if name == "exec" {
        for q in c.mstate.iter() {
            if let Some(i) = srv.resolve_command(&q.args()) {
                let f = srv.commands.cmds[i].flags;
                any |= f;
                inv |= !f;
            }
        }
    }
    let is_write = any & flag::WRITE != 0;
    let is_read = any & flag::READONLY != 0;
    let may_replicate = any & (flag::WRITE | flag::MAY_REPLICATE) != 0;
    let deny_stale = cflags & flag::STALE == 0 || (name == "exec" && inv & flag::STALE != 0);
    if is_write && !master::good_replicas_ok(srv) {
        return Err("NOREPLICAS Not enough good replicas to write.");
    }
    let obey = c.has(crate::client::flags::MASTER);
    if r.is_replica() && srv.config.replica_read_only && !obey && is_write {
        return Err("READONLY You can't write against a read only replica.");
    }
    if r.is_replica()
        && r.state != LinkState::Connected
        && !srv.config.replica_serve_stale_data
        && deny_stale
    {
        return Err(
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        );
    }
    if c.has(crate::client::flags::SLAVE) && (may_replicate || is_write || is_read) {
        return Err("ERR Replica can't interact with the keyspace");
    }
    Ok(())
}

/// Replication work of beforeSleep: propagate what cron produced (expired
/// keys, without MULTI), answer WAITs, send GETACK, keep the master link
/// alive while loading.
pub fn before_sleep(srv: &mut crate::server::Server) {
    if !srv.propagated.is_empty() {
        master::propagate_pending(srv, false);
    }
    if !srv.repl.waiting_acks.is_empty() {
        master::process_clients_waiting_replicas(srv);
    }
    if srv.repl.get_ack_from_slaves {
        master::send_getack_to_replicas(srv);
        srv.repl.get_ack_from_slaves = false;
    }
    if srv.rdb_state.loading && srv.repl.state == LinkState::Transfer {
        replica::send_newline_to_master(srv);
    }
}

/// replicationCron: once a second (ten times a second during a FAILOVER).
pub fn cron(srv: &mut crate::server::Server) {
    let now = crate::server::now_ms();
    let period = if srv.repl.failover != FailoverState::None {
        100
    } else {
        1000
    };
    if now - srv.repl.last_cron_ms < period {
        return;
    }
    srv.repl.last_cron_ms = now;
    cmds::update_failover_status(srv);
    replica::replica_cron(srv);
    master::master_cron(srv);
    srv.repl.cron_loops += 1;
}

/// The client's replication fields, created on first use.
pub fn repl_of(c: &mut Client) -> &mut ReplClient {
    c.repl.get_or_insert_with(Default::default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_multibulk() {
        let mut v = Vec::new();
        encode_command(&mut v, 2, [&b"SELECT"[..], b"9"]);
        assert_eq!(v, b"*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n");
        v.clear();
        encode_command(&mut v, 1, [&b""[..]]);
        assert_eq!(v, b"*1\r\n$0\r\n\r\n");
    }

    #[test]
    fn names_and_addrs() {
        assert_eq!(peer_ip("127.0.0.1:6379"), "127.0.0.1");
        assert_eq!(peer_ip("::1:6379"), "::1");
        assert_eq!(format_addr("::1", 5), "[::1]:5");
        assert_eq!(format_addr("10.0.0.1", 6380), "10.0.0.1:6380");
        let mut c = Client::new(7, 5, "127.0.0.1:50000".into(), String::new(), 0);
        assert_eq!(slave_name(&c), "127.0.0.1:<unknown-replica-port>");
        repl_of(&mut c).listening_port = 6380;
        assert_eq!(slave_name(&c), "127.0.0.1:6380");
        repl_of(&mut c).announced_ip = Some("10.1.2.3".into());
        assert_eq!(slave_name(&c), "10.1.2.3:6380");
    }

    #[test]
    fn replid_shape() {
        let mut rng = crate::util::rand::Rng::new(42);
        let id = random_replid(&mut rng);
        assert_eq!(id.len(), RUN_ID_SIZE);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(id, random_replid(&mut rng));
    }

    #[test]
    fn handshake_states() {
        assert!(LinkState::ReceivePingReply.is_handshake());
        assert!(LinkState::ReceivePsyncReply.is_handshake());
        assert!(!LinkState::Connecting.is_handshake());
        assert!(!LinkState::Transfer.is_handshake());
        assert_eq!(SlaveState::WaitBgsaveEnd.as_str(), "wait_bgsave");
        assert_eq!(SlaveState::None.as_str(), "");
    }
}
