//! The replica side of replication (Redis's replicationSetMaster,
//! replicationUnsetMaster, connectWithMaster, syncWithMaster,
//! slaveTryPartialResynchronization, readSyncBulkPayload,
//! replicationCreateMasterClient, replicationCacheMaster,
//! replicationCacheMasterUsingMyself, replicationResurrectCachedMaster,
//! replicationHandleMasterDisconnection, cancelReplicationHandshake,
//! replicationSendAck and the replica half of replicationCron).
//!
//! The link goes through these states (`ReplState::state`):
//!
//! ```text
//! Connect ──cron──► Connecting ──writable──► ReceivePingReply ──► SendHandshake
//!   (AUTH, REPLCONF listening-port [ip-address] capa eof psync2, pipelined)
//! ──► ReceiveAuth/Port/Ip/CapaReply ──► SendPsync ──► ReceivePsyncReply
//!   +FULLRESYNC ──► Transfer ($len or $EOF:<mark>, into temp-<t>.<pid>.rdb)
//!               ──► load ──► Connected (MASTER client created on the socket)
//!   +CONTINUE   ──► Connected (the cached master client resurrected)
//! ```
//!
//! The handshake is non-blocking: every reply is read from readable events
//! into `link_buf` and consumed line by line, so bytes the master sends
//! right after a reply (the RDB, the stream after +CONTINUE or after a
//! `$len` payload) are never lost: they move on to the next stage.
//!
//! The MASTER client applies the stream without replies (its reply buffer
//! is disabled; REPLCONF ACK is written with the buffer briefly enabled).
//! After every command applied outside MULTI its offset (`reploff`)
//! advances by the bytes consumed and those bytes are proxied verbatim to
//! our backlog and sub-replicas (chained replication).
use super::master::{
    change_replication_id, clear_replication_id2, create_backlog, disconnect_slaves,
    feed_stream_from_master, free_backlog, shift_replication_id,
};
use super::*;
use crate::client::{flags, Client};
use crate::server::{FdOwner, Server};
use crate::sys::{self, epoll};
use std::io::Write;

/// REPL_MAX_WRITTEN_BEFORE_FSYNC
const MAX_WRITTEN_BEFORE_FSYNC: i64 = 8 * 1024 * 1024;
/// Bytes read per call while receiving the payload.
const TRANSFER_CHUNK: usize = 64 * 1024;
/// Payload bytes consumed per readable event at most (fairness).
const TRANSFER_PER_EVENT: usize = 8 * 1024 * 1024;

fn unix_s() -> i64 {
    crate::server::now_ms() / 1000
}

// ---------------------------------------------------------------------------
// REPLICAOF
// ---------------------------------------------------------------------------

/// replicationSetMaster: become a replica of host:port.
pub fn set_master(srv: &mut Server, host: &str, port: u16) {
    let was_master = srv.repl.masterhost.is_none();
    srv.repl.masterhost = None;
    if srv.repl.master_fd >= 0 {
        let fd = srv.repl.master_fd;
        srv.free_client(fd);
    }
    disconnect_all_blocked_clients(srv);
    srv.repl.masterhost = Some(host.to_string());
    srv.repl.masterport = port;
    srv.config.replicaof = Some((host.to_string(), port));
    srv.repl.logflood.reset();
    crate::log::set_role(b'S');
    cancel_handshake(srv, false);
    if was_master {
        discard_cached_master(srv);
        cache_master_using_myself(srv);
    }
    srv.repl.state = LinkState::Connect;
    crate::server_log!(Notice, "Connecting to MASTER {}:{}", host, port);
    connect_with_master(srv);
}

/// replicationUnsetMaster: become a master (REPLICAOF NO ONE).
pub fn unset_master(srv: &mut Server) {
    if srv.repl.masterhost.is_none() {
        return;
    }
    srv.repl.masterhost = None;
    srv.config.replicaof = None;
    if srv.repl.master_fd >= 0 {
        let fd = srv.repl.master_fd;
        srv.free_client(fd);
    }
    discard_cached_master(srv);
    cancel_handshake(srv, false);
    shift_replication_id(srv);
    disconnect_slaves(srv);
    srv.repl.state = LinkState::None;
    srv.repl.slaveseldb = -1;
    srv.repl.no_slaves_since = unix_s();
    srv.repl.down_since = 0;
    srv.repl.logflood.reset();
    crate::log::set_role(b'M');
}

/// disconnectAllBlockedClients: clients blocked on a master must not wait
/// on a replica.
fn disconnect_all_blocked_clients(srv: &mut Server) {
    let fds: Vec<RawFd> = srv.blocking.states.keys().copied().collect();
    for fd in fds {
        srv.unblock_client_with_error(
            fd,
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
        );
        if let Some(c) = srv.client_mut(fd) {
            c.flags |= flags::CLOSE_AFTER_REPLY;
        }
    }
    srv.repl.waiting_acks.clear();
}

// ---------------------------------------------------------------------------
// Connecting and the handshake
// ---------------------------------------------------------------------------

fn resolve(host: &str, port: u16) -> std::io::Result<std::net::SocketAddr> {
    use std::net::ToSocketAddrs;
    let mut it = (host, port).to_socket_addrs()?;
    it.next().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "Name or service not known")
    })
}

/// connectWithMaster: start the non-blocking connect.
pub fn connect_with_master(srv: &mut Server) -> bool {
    let host = match srv.repl.masterhost.clone() {
        Some(h) => h,
        None => return false,
    };
    let port = srv.repl.masterport;
    srv.repl.logflood.attempt(crate::server::now_ms());
    let fd = match resolve(&host, port)
        .and_then(|a| sys::net::tcp_connect_nonblock(&a).map(|fd| (fd, a)))
    {
        Ok((fd, addr)) => {
            srv.repl.link_peer = format!("{}:{}", addr.ip(), addr.port());
            fd
        }
        Err(e) => {
            crate::repl_flood_log!(
                srv,
                "unable",
                Warning,
                "Unable to connect to MASTER: {}",
                crate::rdb::save::io_text(&e)
            );
            return false;
        }
    };
    let _ = srv.poller.add(fd, epoll::WRITABLE);
    srv.set_fd_owner(fd, FdOwner::MasterLink);
    srv.repl.link_fd = fd;
    srv.repl.link_buf.clear();
    srv.repl.transfer.lastio = unix_s();
    srv.repl.state = LinkState::Connecting;
    crate::repl_flood_log!(srv, "started", Notice, "MASTER <-> REPLICA sync started");
    true
}

/// Close the handshake / transfer socket.
fn close_link(srv: &mut Server) {
    let fd = srv.repl.link_fd;
    if fd >= 0 {
        srv.poller.forget(fd);
        srv.fd_owner_clear(fd);
        sys::close(fd);
    }
    srv.repl.link_fd = -1;
    srv.repl.link_buf.clear();
}

/// Drop the temp file of an aborted transfer.
fn abort_transfer_file(srv: &mut Server, unlink: bool) {
    srv.repl.transfer.file = None;
    if let Some(t) = srv.repl.transfer.tmpfile.take() {
        if unlink {
            let _ = std::fs::remove_file(t);
        }
    }
}

/// cancelReplicationHandshake: abort a connect / handshake / transfer in
/// progress; with `reconnect`, start a new attempt at once.
pub fn cancel_handshake(srv: &mut Server, reconnect: bool) -> bool {
    let st = srv.repl.state;
    if st == LinkState::Transfer {
        close_link(srv);
        abort_transfer_file(srv, true);
        srv.repl.state = LinkState::Connect;
    } else if st == LinkState::Connecting || st.is_handshake() {
        close_link(srv);
        srv.repl.state = LinkState::Connect;
    } else {
        return false;
    }
    if !reconnect {
        return true;
    }
    let (h, p) = (
        srv.repl.masterhost.clone().unwrap_or_default(),
        srv.repl.masterport,
    );
    crate::repl_flood_log!(
        srv,
        "reconnect",
        Notice,
        "Reconnecting to MASTER {}:{} after failure",
        h,
        p
    );
    connect_with_master(srv);
    true
}

/// The `error:` exit of syncWithMaster: close the link, retry from cron.
fn handshake_error(srv: &mut Server) {
    close_link(srv);
    abort_transfer_file(srv, false);
    srv.repl.state = LinkState::Connect;
}

/// sendCommand: one multibulk written synchronously (a handshake command
/// is tiny; a short write on a fresh socket is an error).
fn send_command(fd: RawFd, args: &[&[u8]]) -> Result<(), String> {
    let mut buf = Vec::new();
    encode_command(&mut buf, args.len(), args.iter().copied());
    match sys::write(fd, &buf) {
        Ok(n) if n == buf.len() => Ok(()),
        Ok(_) => Err("-Writing to master: short write".to_string()),
        Err(e) => Err(format!(
            "-Writing to master: {}",
            crate::rdb::save::io_text(&e)
        )),
    }
}

/// One reply line from `link_buf` (without CR LF), if complete.
fn take_line(buf: &mut Vec<u8>) -> Option<String> {
    let nl = memchr::memchr(b'\n', buf)?;
    let mut end = nl;
    if end > 0 && buf[end - 1] == b'\r' {
        end -= 1;
    }
    let line = String::from_utf8_lossy(&buf[..end]).into_owned();
    buf.drain(..=nl);
    Some(line)
}

/// Read what the link has into `link_buf`. Ok(false) = nothing new yet.
fn fill_link_buf(srv: &mut Server) -> Result<bool, String> {
    let fd = srv.repl.link_fd;
    let mut chunk = [0u8; 16 * 1024];
    let mut got = false;
    loop {
        match sys::read(fd, &mut chunk) {
            Ok(0) => {
                if got {
                    return Ok(true);
                }
                return Err("Connection closed".to_string());
            }
            Ok(n) => {
                srv.repl.link_buf.extend_from_slice(&chunk[..n]);
                srv.repl.stat_net_repl_input_bytes += n as u64;
                srv.repl.transfer.lastio = unix_s();
                got = true;
                if n < chunk.len() {
                    return Ok(true);
                }
            }
            Err(e) if sys::would_block(&e) => return Ok(got),
            Err(e) => return Err(crate::rdb::save::io_text(&e)),
        }
    }
}

/// An event on the master link (syncWithMaster / readSyncBulkPayload).
pub fn link_event(srv: &mut Server, _mask: u8) {
    let fd = srv.repl.link_fd;
    if fd < 0 {
        return;
    }
    match srv.repl.state {
        LinkState::None => {
            close_link(srv);
        }
        LinkState::Connecting => {
            let err = match sys::net::take_error(fd) {
                Ok(None) => None,
                Ok(Some(e)) | Err(e) => Some(crate::rdb::save::io_text(&e)),
            };
            if let Some(e) = err {
                crate::repl_flood_log!(
                    srv,
                    "error",
                    Warning,
                    "Error condition on socket for SYNC: {}",
                    e
                );
                handshake_error(srv);
                return;
            }
            crate::server_log!(Notice, "Non blocking connect for SYNC fired the event.");
            let _ = srv.poller.del(fd, epoll::WRITABLE);
            let _ = srv.poller.add(fd, epoll::READABLE);
            srv.repl.state = LinkState::ReceivePingReply;
            if let Err(e) = send_command(fd, &[b"PING"]) {
                crate::server_log!(
                    Warning,
                    "Sending command to master in replication handshake: {}",
                    e
                );
                handshake_error(srv);
            }
        }
        LinkState::Transfer => read_sync_bulk_payload(srv),
        st if st.is_handshake() => {
            if let Err(e) = fill_link_buf(srv) {
                crate::server_log!(Warning, "Failed to read response from the server: {}", e);
                crate::server_log!(
                    Warning,
                    "Master did not respond to command during SYNC handshake"
                );
                handshake_error(srv);
                return;
            }
            handshake_steps(srv);
        }
        _ => {}
    }
}

/// Outcome of the PSYNC reply (slaveTryPartialResynchronization).
#[derive(PartialEq, Eq, Debug)]
enum Psync {
    WaitReply,
    Continue,
    FullResync,
    NotSupported,
    TryLater,
}

/// Advance the handshake with the replies in `link_buf`.
fn handshake_steps(srv: &mut Server) {
    let fd = srv.repl.link_fd;
    loop {
        if srv.repl.link_fd != fd {
            return;
        }
        match srv.repl.state {
            LinkState::ReceivePingReply => {
                let Some(line) = take_line(&mut srv.repl.link_buf) else {
                    return;
                };
                if !line.starts_with('+')
                    && !line.starts_with("-NOAUTH")
                    && !line.starts_with("-NOPERM")
                    && !line.starts_with("-ERR operation not permitted")
                {
                    crate::repl_flood_log!(
                        srv,
                        "pingerr",
                        Warning,
                        "Error reply to PING from master: '{}'",
                        line
                    );
                    handshake_error(srv);
                    return;
                }
                crate::server_log!(
                    Notice,
                    "Master replied to PING, replication can continue..."
                );
                srv.repl.state = LinkState::SendHandshake;
            }
            LinkState::SendHandshake => {
                if let Err(e) = send_handshake(srv, fd) {
                    crate::server_log!(
                        Warning,
                        "Sending command to master in replication handshake: {}",
                        e
                    );
                    handshake_error(srv);
                    return;
                }
                srv.repl.state = if srv.config.masterauth.is_some() {
                    LinkState::ReceiveAuthReply
                } else {
                    LinkState::ReceivePortReply
                };
            }
            LinkState::ReceiveAuthReply => {
                let Some(line) = take_line(&mut srv.repl.link_buf) else {
                    return;
                };
                if line.starts_with('-') {
                    crate::repl_flood_log!(
                        srv,
                        "auth",
                        Warning,
                        "Unable to AUTH to MASTER: {}",
                        line
                    );
                    handshake_error(srv);
                    return;
                }
                srv.repl.state = LinkState::ReceivePortReply;
            }
            LinkState::ReceivePortReply => {
                let Some(line) = take_line(&mut srv.repl.link_buf) else {
                    return;
                };
                if line.starts_with('-') {
                    crate::server_log!(
                        Notice,
                        "(Non critical) Master does not understand REPLCONF listening-port: {}",
                        line
                    );
                }
                srv.repl.state = if srv.config.replica_announce_ip.is_some() {
                    LinkState::ReceiveIpReply
                } else {
                    LinkState::ReceiveCapaReply
                };
            }
            LinkState::ReceiveIpReply => {
                let Some(line) = take_line(&mut srv.repl.link_buf) else {
                    return;
                };
                if line.starts_with('-') {
                    crate::server_log!(
                        Notice,
                        "(Non critical) Master does not understand REPLCONF ip-address: {}",
                        line
                    );
                }
                srv.repl.state = LinkState::ReceiveCapaReply;
            }
            LinkState::ReceiveCapaReply => {
                let Some(line) = take_line(&mut srv.repl.link_buf) else {
                    return;
                };
                if line.starts_with('-') {
                    crate::server_log!(
                        Notice,
                        "(Non critical) Master does not understand REPLCONF capa: {}",
                        line
                    );
                }
                srv.repl.state = LinkState::SendPsync;
            }
            LinkState::SendPsync => {
                if let Err(e) = send_psync(srv, fd) {
                    crate::server_log!(Warning, "Unable to send PSYNC to master: {}", e);
                    super::cmds::abort_failover(srv, "Write error to failover target");
                    crate::server_log!(
                        Warning,
                        "Sending command to master in replication handshake: Write error sending the PSYNC command."
                    );
                    handshake_error(srv);
                    return;
                }
                srv.repl.state = LinkState::ReceivePsyncReply;
            }
            LinkState::ReceivePsyncReply => {
                let res = read_psync_reply(srv);
                if res == Psync::WaitReply {
                    return;
                }
                after_psync_reply(srv, fd, res);
                return;
            }
            _ => return,
        }
    }
}

/// AUTH, REPLCONF listening-port, [REPLCONF ip-address], REPLCONF capa.
fn send_handshake(srv: &mut Server, fd: RawFd) -> Result<(), String> {
    if let Some(pass) = srv.config.masterauth.clone() {
        match srv.config.masteruser.clone() {
            Some(user) => send_command(fd, &[b"AUTH", user.as_bytes(), &pass])?,
            None => send_command(fd, &[b"AUTH", &pass])?,
        }
    }
    let port = if srv.config.replica_announce_port != 0 {
        srv.config.replica_announce_port
    } else {
        srv.config.port
    };
    send_command(
        fd,
        &[b"REPLCONF", b"listening-port", port.to_string().as_bytes()],
    )?;
    if let Some(ip) = srv.config.replica_announce_ip.clone() {
        send_command(fd, &[b"REPLCONF", b"ip-address", ip.as_bytes()])?;
    }
    send_command(fd, &[b"REPLCONF", b"capa", b"eof", b"capa", b"psync2"])
}

/// The writing half of slaveTryPartialResynchronization.
fn send_psync(srv: &mut Server, fd: RawFd) -> Result<(), String> {
    srv.repl.master_initial_offset = -1;
    let (replid, offset) = match &srv.repl.cached_master {
        Some(cm) => {
            let r = cm.repl.as_ref();
            let id = r.map(|r| r.replid.clone()).unwrap_or_default();
            let off = r.map(|r| r.reploff).unwrap_or(0) + 1;
            crate::server_log!(
                Notice,
                "Trying a partial resynchronization (request {}:{}).",
                id,
                off
            );
            (id, off.to_string())
        }
        None => {
            crate::server_log!(
                Notice,
                "Partial resynchronization not possible (no cached master)"
            );
            ("?".to_string(), "-1".to_string())
        }
    };
    if srv.repl.failover == FailoverState::InProgress {
        send_command(
            fd,
            &[b"PSYNC", replid.as_bytes(), offset.as_bytes(), b"FAILOVER"],
        )
    } else {
        send_command(fd, &[b"PSYNC", replid.as_bytes(), offset.as_bytes()])
    }
}

/// The reading half of slaveTryPartialResynchronization.
fn read_psync_reply(srv: &mut Server) -> Psync {
    loop {
        let Some(line) = take_line(&mut srv.repl.link_buf) else {
            return Psync::WaitReply;
        };
        if line.is_empty() {
            // Newlines keep the link alive before the reply.
            continue;
        }
        if let Some(rest) = line.strip_prefix("+FULLRESYNC") {
            let mut parts = rest.split(' ').filter(|s| !s.is_empty());
            match (parts.next(), parts.next()) {
                (Some(id), Some(off)) if id.len() == RUN_ID_SIZE => {
                    srv.repl.master_replid = id.to_string();
                    srv.repl.master_initial_offset = off.trim().parse::<i64>().unwrap_or(0);
                    crate::server_log!(
                        Notice,
                        "Full resync from master: {}:{}",
                        srv.repl.master_replid,
                        srv.repl.master_initial_offset
                    );
                }
                _ => {
                    crate::server_log!(Warning, "Master replied with wrong +FULLRESYNC syntax.");
                    srv.repl.master_replid.clear();
                }
            }
            return Psync::FullResync;
        }
        if let Some(rest) = line.strip_prefix("+CONTINUE") {
            crate::server_log!(Notice, "Successful partial resynchronization with master.");
            let new = rest.trim();
            if new.len() == RUN_ID_SIZE {
                let old = srv
                    .repl
                    .cached_master
                    .as_ref()
                    .and_then(|c| c.repl.as_ref())
                    .map(|r| r.replid.clone())
                    .unwrap_or_default();
                if new != old {
                    crate::server_log!(Warning, "Master replication ID changed to {}", new);
                    srv.repl.replid2 = old;
                    srv.repl.second_replid_offset = srv.repl.master_repl_offset + 1;
                    srv.repl.replid = new.to_string();
                    if let Some(cm) = srv.repl.cached_master.as_mut() {
                        repl_of(cm).replid = new.to_string();
                    }
                    disconnect_slaves(srv);
                }
            }
            return Psync::Continue;
        }
        if line.starts_with("-NOMASTERLINK") || line.starts_with("-LOADING") {
            crate::server_log!(
                Notice,
                "Master is currently unable to PSYNC but should be in the future: {}",
                line
            );
            return Psync::TryLater;
        }
        if !line.starts_with("-ERR") {
            crate::server_log!(Warning, "Unexpected reply to PSYNC from master: {}", line);
        } else {
            crate::server_log!(
                Notice,
                "Master does not support PSYNC or is in error state (reply: {})",
                line
            );
        }
        return Psync::NotSupported;
    }
}

/// The rest of syncWithMaster once PSYNC was answered.
fn after_psync_reply(srv: &mut Server, fd: RawFd, res: Psync) {
    if srv.repl.failover == FailoverState::InProgress {
        if res == Psync::Continue || res == Psync::FullResync {
            super::cmds::clear_failover_state(srv);
        } else {
            super::cmds::abort_failover(srv, "Failover target rejected psync request");
            return;
        }
    }
    match res {
        Psync::TryLater => {
            handshake_error(srv);
            return;
        }
        Psync::Continue => {
            let leftover = std::mem::take(&mut srv.repl.link_buf);
            srv.repl.link_fd = -1;
            resurrect_cached_master(srv, fd, leftover);
            if srv.repl.backlog.is_none() {
                create_backlog(srv);
            }
            crate::server_log!(
                Notice,
                "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization."
            );
            link_is_up(srv);
            return;
        }
        Psync::NotSupported => {
            crate::server_log!(Notice, "Retrying with SYNC...");
            if let Err(e) = sys::write(fd, b"SYNC\r\n") {
                crate::server_log!(
                    Warning,
                    "I/O error writing to MASTER: {}",
                    crate::rdb::save::io_text(&e)
                );
                handshake_error(srv);
                return;
            }
        }
        _ => {}
    }
    // Prepare the temp file for the bulk transfer.
    let name = format!("temp-{}.{}.rdb", unix_s(), sys::process::getpid());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&name)
        .or_else(|_| {
            let _ = std::fs::remove_file(&name);
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&name)
        });
    match file {
        Ok(f) => {
            srv.repl.transfer.file = Some(f);
            srv.repl.transfer.tmpfile = Some(name);
        }
        Err(e) => {
            crate::server_log!(
                Warning,
                "Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                crate::rdb::save::io_text(&e)
            );
            handshake_error(srv);
            return;
        }
    }
    srv.repl.state = LinkState::Transfer;
    let t = &mut srv.repl.transfer;
    t.size = -1;
    t.read = 0;
    t.last_fsync_off = 0;
    t.lastio = unix_s();
    t.usemark = false;
    if !srv.repl.link_buf.is_empty() {
        read_sync_bulk_payload(srv);
    }
}

/// Summaries of suppressed failure lines + the recovery line.
fn link_is_up(srv: &mut Server) {
    for (lvl, line) in srv.repl.logflood.link_up(crate::server::now_ms()) {
        if crate::log::enabled(lvl) {
            crate::log::log(lvl, &line);
        }
    }
}

// ---------------------------------------------------------------------------
// Receiving the RDB
// ---------------------------------------------------------------------------

/// readSyncBulkPayload: receive the payload into the temp file, then load.
pub fn read_sync_bulk_payload(srv: &mut Server) {
    // The bulk length line.
    if srv.repl.transfer.size == -1 {
        loop {
            if let Some(line) = take_line(&mut srv.repl.link_buf) {
                if let Some(err) = line.strip_prefix('-') {
                    crate::server_log!(
                        Warning,
                        "MASTER aborted replication with an error: {}",
                        err
                    );
                    cancel_handshake(srv, true);
                    return;
                }
                if line.is_empty() {
                    srv.repl.transfer.lastio = unix_s();
                    continue;
                }
                if !line.starts_with('$') {
                    crate::server_log!(Warning, "Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure the host and port are right?", line);
                    cancel_handshake(srv, true);
                    return;
                }
                let rest = &line[1..];
                let t = &mut srv.repl.transfer;
                if rest.starts_with("EOF:") && rest.len() >= 4 + RUN_ID_SIZE {
                    t.usemark = true;
                    t.eofmark = rest.as_bytes()[4..4 + RUN_ID_SIZE].to_vec();
                    t.lastbytes = vec![0u8; RUN_ID_SIZE];
                    t.size = 0;
                    crate::server_log!(Notice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
                } else {
                    t.usemark = false;
                    t.size = parse_strtol(rest);
                    crate::server_log!(
                        Notice,
                        "MASTER <-> REPLICA sync: receiving {} bytes from master to disk",
                        t.size
                    );
                }
                break;
            }
            match fill_link_buf(srv) {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    crate::server_log!(Warning, "I/O error reading bulk count from MASTER: {}", e);
                    cancel_handshake(srv, true);
                    return;
                }
            }
        }
    }
    // The payload itself.
    let mut consumed = 0usize;
    let mut chunk = vec![0u8; TRANSFER_CHUNK];
    loop {
        let t = &srv.repl.transfer;
        let want = if t.usemark {
            TRANSFER_CHUNK
        } else {
            ((t.size - t.read).max(0) as usize).min(TRANSFER_CHUNK)
        };
        if !t.usemark && want == 0 {
            break;
        }
        // Buffered bytes first (read together with the last reply line).
        let n = if !srv.repl.link_buf.is_empty() {
            let n = want.min(srv.repl.link_buf.len());
            chunk[..n].copy_from_slice(&srv.repl.link_buf[..n]);
            srv.repl.link_buf.drain(..n);
            n
        } else {
            if consumed >= TRANSFER_PER_EVENT {
                return;
            }
            match sys::read(srv.repl.link_fd, &mut chunk[..want]) {
                Ok(0) => {
                    crate::server_log!(
                        Warning,
                        "I/O error trying to sync with MASTER: connection lost"
                    );
                    cancel_handshake(srv, true);
                    return;
                }
                Ok(n) => {
                    srv.repl.stat_net_repl_input_bytes += n as u64;
                    n
                }
                Err(e) if sys::would_block(&e) => return,
                Err(e) => {
                    crate::server_log!(
                        Warning,
                        "I/O error trying to sync with MASTER: {}",
                        crate::rdb::save::io_text(&e)
                    );
                    cancel_handshake(srv, true);
                    return;
                }
            }
        };
        consumed += n;
        let t = &mut srv.repl.transfer;
        let data = &chunk[..n];
        let mut eof = false;
        if t.usemark {
            if n >= RUN_ID_SIZE {
                t.lastbytes.copy_from_slice(&data[n - RUN_ID_SIZE..]);
            } else {
                t.lastbytes.drain(..n);
                t.lastbytes.extend_from_slice(data);
            }
            if t.lastbytes == t.eofmark {
                eof = true;
            }
        }
        t.lastio = unix_s();
        let wr = match t.file.as_mut() {
            Some(f) => f.write_all(data),
            None => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        };
        if let Err(e) = wr {
            crate::server_log!(Warning, "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {}", crate::rdb::save::io_text(&e));
            cancel_handshake(srv, true);
            return;
        }
        t.read += n as i64;
        if t.usemark && eof {
            let len = (t.read - RUN_ID_SIZE as i64).max(0) as u64;
            if let Some(Err(e)) = t.file.as_ref().map(|f| f.set_len(len)) {
                crate::server_log!(
                    Warning,
                    "Error truncating the RDB file received from the master for SYNC: {}",
                    crate::rdb::save::io_text(&e)
                );
                cancel_handshake(srv, true);
                return;
            }
        }
        if t.read >= t.last_fsync_off + MAX_WRITTEN_BEFORE_FSYNC {
            if let Some(f) = t.file.as_ref() {
                let _ = f.sync_data();
            }
            t.last_fsync_off = t.read;
        }
        if !t.usemark && t.read == t.size {
            eof = true;
        }
        if eof {
            break;
        }
    }
    finish_transfer(srv);
}

/// strtol of the bulk length (garbage → 0, as Redis).
fn parse_strtol(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut v: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        v = v.saturating_mul(10).saturating_add((b - b'0') as i64);
    }
    if neg {
        -v
    } else {
        v
    }
}

/// The payload is on disk: flush our data, load it, create the master.
fn finish_transfer(srv: &mut Server) {
    if srv.rdb_state.child_type == crate::rdb::ChildType::Rdb {
        crate::server_log!(Notice, "Replica is about to load the RDB file received from the master, but there is a pending RDB child running. Killing process {} and removing its temp file to avoid any race", srv.rdb_state.child_pid);
        crate::rdb::child::kill_rdb_child(srv);
        crate::rdb::child::remove_temp_file(srv, srv.rdb_state.child_pid);
    }
    // replicationAttachToNewMaster
    discard_cached_master(srv);
    disconnect_slaves(srv);
    free_backlog(srv);
    crate::server_log!(Notice, "MASTER <-> REPLICA sync: Flushing old data");
    srv.repl.slave_keys_with_expire.clear();
    srv.signal_flushed_db(None);
    for db in srv.dbs.iter_mut() {
        db.clear();
    }
    let fd = srv.repl.link_fd;
    // No events for the link while loading (the loader serves clients).
    let _ = srv.poller.del(fd, epoll::READABLE | epoll::WRITABLE);
    srv.fd_owner_clear(fd);
    crate::server_log!(Notice, "MASTER <-> REPLICA sync: Loading DB in memory");
    let filename = srv.config.dbfilename.clone();
    let tmp = srv.repl.transfer.tmpfile.clone().unwrap_or_default();
    if let Some(f) = srv.repl.transfer.file.take() {
        if let Err(e) = f.sync_all() {
            crate::server_log!(Warning, "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {}", crate::rdb::save::io_text(&e));
            srv.set_fd_owner(fd, FdOwner::MasterLink);
            cancel_handshake(srv, true);
            return;
        }
    }
    if let Err(e) = std::fs::rename(&tmp, &filename) {
        crate::server_log!(
            Warning,
            "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {}",
            filename,
            crate::rdb::save::io_text(&e)
        );
        srv.set_fd_owner(fd, FdOwner::MasterLink);
        cancel_handshake(srv, true);
        return;
    }
    srv.repl.transfer.tmpfile = None;
    let dir = std::path::Path::new(&filename)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    let stats = match crate::rdb::load::rdb_load(srv, &filename, false, true) {
        Ok(s) => s,
        Err(crate::rdb::load::LoadFailure::Corrupt(e)) => {
            crate::rdb::load::report_corrupt_and_exit(&filename, &e)
        }
        Err(f) => {
            crate::server_log!(
                Warning,
                "Failed trying to load the MASTER synchronization DB from disk: {}",
                load_failure_text(&f)
            );
            srv.set_fd_owner(fd, FdOwner::MasterLink);
            cancel_handshake(srv, true);
            if srv.config.rdb_del_sync_files && all_persistence_disabled(srv) {
                crate::server_log!(Notice, "Removing the RDB file obtained from the master. This replica has persistence disabled");
                let _ = std::fs::remove_file(&filename);
            }
            return;
        }
    };
    if srv.config.rdb_del_sync_files && all_persistence_disabled(srv) {
        crate::server_log!(
            Notice,
            "Removing the RDB file obtained from the master. This replica has persistence disabled"
        );
        let _ = std::fs::remove_file(&filename);
    }
    // Final setup of the link (the loader may have seen a REPLICAOF NO ONE).
    if srv.repl.state != LinkState::Transfer || srv.repl.link_fd != fd {
        return;
    }
    let leftover = std::mem::take(&mut srv.repl.link_buf);
    srv.repl.link_fd = -1;
    create_master_client(srv, fd, stats.repl_stream_db, leftover);
    srv.repl.state = LinkState::Connected;
    srv.repl.down_since = 0;
    srv.repl.replid = srv.repl.master_replid.clone();
    srv.repl.master_repl_offset = srv.repl.master_initial_offset.max(0);
    clear_replication_id2(srv);
    if srv.repl.backlog.is_none() {
        create_backlog(srv);
    }
    crate::server_log!(Notice, "MASTER <-> REPLICA sync: Finished with success");
    link_is_up(srv);
    if srv.repl.transfer.usemark {
        send_ack_to_master(srv);
    }
    // Stream bytes that arrived with the payload.
    if srv.repl.master_fd == fd {
        if let Some(mut c) = srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            if !c.querybuf.is_empty() {
                process_master_input(srv, &mut c);
            }
            srv.mark_pending_write(&mut c);
            if let Some(slot) = srv.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }
}

fn load_failure_text(f: &crate::rdb::load::LoadFailure) -> String {
    use crate::rdb::load::LoadFailure;
    match f {
        LoadFailure::NotFound => "No such file or directory".to_string(),
        LoadFailure::Open(e) => crate::rdb::save::io_text(e),
        LoadFailure::BadHeader(e) | LoadFailure::Corrupt(e) => e.reason.to_string(),
        LoadFailure::TooManyDbs(_) => "Invalid argument".to_string(),
    }
}

/// allPersistenceDisabled
fn all_persistence_disabled(srv: &Server) -> bool {
    srv.config.save.is_empty() && !srv.config.appendonly
}

// ---------------------------------------------------------------------------
// The master client
// ---------------------------------------------------------------------------

fn new_master_client(srv: &mut Server, fd: RawFd, peer: String) -> Box<Client> {
    let id = srv.next_client_id;
    srv.next_client_id += 1;
    let laddr = if fd >= 0 {
        sys::net::local_addr(fd)
            .map(|a| format!("{}:{}", a.ip(), a.port()))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let mut c = Box::new(Client::new(id, fd, peer, laddr, srv.now_ms));
    c.flags |= flags::MASTER;
    c.authenticated = true;
    c.reply.enabled = false;
    c
}

/// Put a master client on `fd` into the client table.
fn install_master_client(srv: &mut Server, c: Box<Client>) {
    let fd = c.fd;
    let _ = sys::net::set_nodelay(fd);
    if srv.config.tcp_keepalive > 0 {
        let _ = sys::net::set_keepalive(fd, srv.config.tcp_keepalive as i32);
    }
    let i = fd as usize;
    if srv.clients.len() <= i {
        srv.clients.resize_with(i + 1, || None);
    }
    srv.clients[i] = Some(c);
    srv.set_fd_owner(fd, FdOwner::Client);
    let _ = srv.poller.add(fd, epoll::READABLE);
    srv.nclients += 1;
    srv.repl.master_fd = fd;
}

/// replicationCreateMasterClient
fn create_master_client(srv: &mut Server, fd: RawFd, dbid: i64, leftover: Vec<u8>) {
    let peer = srv.repl.link_peer.clone();
    let mut c = new_master_client(srv, fd, peer);
    let off = srv.repl.master_initial_offset;
    {
        let r = repl_of(&mut c);
        r.reploff = off;
        r.read_reploff = off + leftover.len() as i64;
        r.replid = srv.repl.master_replid.clone();
        r.pre_psync = off == -1;
    }
    if dbid >= 0 && (dbid as usize) < srv.dbs.len() {
        c.db = dbid as usize;
    }
    c.querybuf = leftover;
    install_master_client(srv, c);
}

/// replicationCacheMaster: keep the disconnected master's state for PSYNC
/// (its socket is closed already).
pub fn cache_master(srv: &mut Server, mut c: Box<Client>) {
    crate::server_log!(Notice, "Caching the disconnected master state.");
    c.querybuf.clear();
    c.qb_pos = 0;
    c.parser.reset();
    if c.has(flags::MULTI) {
        c.mstate.clear();
        c.flags &= !(flags::MULTI | flags::DIRTY_CAS | flags::DIRTY_EXEC);
    }
    c.reply.buf.clear();
    c.reply.sent = 0;
    c.flags &= !flags::PENDING_WRITE;
    {
        let r = repl_of(&mut c);
        r.repl_applied = 0;
        r.read_reploff = r.reploff;
    }
    srv.repl.cached_master = Some(c);
    handle_master_disconnection(srv);
}

/// replicationCacheMasterUsingMyself: a synthetic cached master from our
/// own replid/offset, to PSYNC with a promoted former replica.
pub fn cache_master_using_myself(srv: &mut Server) {
    crate::server_log!(Notice, "Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.");
    srv.repl.master_initial_offset = srv.repl.master_repl_offset;
    let mut c = new_master_client(srv, -1, String::new());
    {
        let r = repl_of(&mut c);
        r.reploff = srv.repl.master_repl_offset;
        r.read_reploff = srv.repl.master_repl_offset;
        r.replid = srv.repl.replid.clone();
    }
    srv.repl.cached_master = Some(c);
}

/// replicationDiscardCachedMaster
pub fn discard_cached_master(srv: &mut Server) {
    if srv.repl.cached_master.take().is_some() {
        crate::server_log!(Notice, "Discarding previously cached master state.");
    }
}

/// replicationResurrectCachedMaster: the cached master continues on `fd`.
fn resurrect_cached_master(srv: &mut Server, fd: RawFd, leftover: Vec<u8>) {
    let peer = srv.repl.link_peer.clone();
    let mut c = match srv.repl.cached_master.take() {
        Some(c) => c,
        None => new_master_client(srv, fd, peer.clone()),
    };
    c.fd = fd;
    c.addr = peer;
    c.laddr = sys::net::local_addr(fd)
        .map(|a| format!("{}:{}", a.ip(), a.port()))
        .unwrap_or_default();
    c.flags &= !(flags::CLOSE_AFTER_REPLY | flags::CLOSE_ASAP);
    c.authenticated = true;
    c.last_interaction_ms = srv.now_ms;
    {
        let r = repl_of(&mut c);
        r.read_reploff += leftover.len() as i64;
    }
    c.querybuf = leftover;
    srv.repl.state = LinkState::Connected;
    srv.repl.down_since = 0;
    install_master_client(srv, c);
    if let Some(mut c) = srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
        if !c.querybuf.is_empty() {
            process_master_input(srv, &mut c);
        }
        srv.mark_pending_write(&mut c);
        if let Some(slot) = srv.clients.get_mut(fd as usize) {
            *slot = Some(c);
        }
    }
}

/// replicationHandleMasterDisconnection
pub fn handle_master_disconnection(srv: &mut Server) {
    srv.repl.master_fd = -1;
    srv.repl.state = LinkState::Connect;
    srv.repl.down_since = unix_s();
    if let Some(h) = srv.repl.masterhost.clone() {
        let p = srv.repl.masterport;
        crate::repl_flood_log!(
            srv,
            "reconnect",
            Notice,
            "Reconnecting to MASTER {}:{}",
            h,
            p
        );
        connect_with_master(srv);
    }
}

/// Write `REPLCONF ACK <reploff>` into the master client's buffer.
pub fn send_ack(c: &mut Client) {
    let off = c.repl.as_ref().map(|r| r.reploff).unwrap_or(0);
    let mut n = Vec::with_capacity(20);
    crate::util::num::ll2string(&mut n, off);
    encode_command(&mut c.reply.buf, 3, [&b"REPLCONF"[..], b"ACK", &n]);
}

/// replicationSendAck (the master client is in the table).
pub fn send_ack_to_master(srv: &mut Server) {
    let fd = srv.repl.master_fd;
    if fd < 0 {
        return;
    }
    if let Some(mut c) = srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
        send_ack(&mut c);
        srv.mark_pending_write(&mut c);
        if let Some(slot) = srv.clients.get_mut(fd as usize) {
            *slot = Some(c);
        }
    }
}

/// After a command from the master ran (outside MULTI, not blocked): its
/// bytes count in the replication offset and go to our own sub-replicas.
fn account_applied_master_bytes(srv: &mut Server, c: &mut Client) {
    if c.has(flags::MULTI) || c.has(flags::BLOCKED) {
        return;
    }
    let start = c.repl.as_ref().map(|r| r.repl_applied).unwrap_or(0);
    let end = c.qb_pos;
    if end > start {
        let applied = (end - start) as i64;
        if let Some(r) = c.repl.as_mut() {
            r.reploff += applied;
            r.repl_applied = end;
        }
        if srv.repl.backlog.is_some() {
            if let Some(data) = c.querybuf.get(start..end) {
                let data = data.to_vec();
                feed_stream_from_master(srv, &data);
            }
        }
    }
}

/// The master client's command was postponed by a client pause and has
/// just run again (server/pause.rs): account it, then go on with the
/// stream that arrived meanwhile.
pub fn resume_postponed_master(srv: &mut Server, c: &mut Client) {
    account_applied_master_bytes(srv, c);
    process_master_input(srv, c);
}

/// Apply the stream in the master client's query buffer (processInputBuffer
/// + commandProcessed for CLIENT_MASTER): offsets, proxying, trimming.
pub fn process_master_input(srv: &mut Server, c: &mut Client) {
    use crate::resp::{Limits, Parsed};
    while c.qb_pos < c.querybuf.len() {
        if c.has(flags::CLOSE_AFTER_REPLY | flags::CLOSE_ASAP | flags::BLOCKED) {
            break;
        }
        let lim = Limits {
            proto_max_bulk_len: srv.config.proto_max_bulk_len,
            authenticated: true,
            is_master: true,
        };
        match c.parser.parse(&c.querybuf, &mut c.qb_pos, &lim) {
            Ok(Parsed::Incomplete) => break,
            Ok(Parsed::Command) => {
                if !c.parser.argv.is_empty() {
                    srv.execute_parsed(c);
                }
                c.parser.reset();
                account_applied_master_bytes(srv, c);
            }
            Err(msg) => {
                let info = srv.client_info_string(c);
                crate::server_log!(
                    Warning,
                    "Protocol error ({}) from client: {}. Query buffer during protocol error: '{}'",
                    msg,
                    info,
                    String::from_utf8_lossy(
                        &c.querybuf
                            [c.qb_pos.min(c.querybuf.len())..c.querybuf.len().min(c.qb_pos + 128)]
                    )
                );
                c.flags |= flags::PROTOCOL_ERROR;
                srv.close_client_async(c);
                break;
            }
        }
    }
    // Trim what was applied (and proxied); keep a partial command.
    let applied = c.repl.as_ref().map(|r| r.repl_applied).unwrap_or(0);
    let mut cut = applied;
    if c.parser.in_progress() {
        cut = cut.min(c.parser.cmd_start);
    }
    cut = cut.min(c.qb_pos);
    if cut > 0 {
        if cut >= c.querybuf.len() {
            c.querybuf.clear();
        } else {
            c.querybuf.drain(..cut);
        }
        c.parser.shift(cut);
        c.qb_pos -= cut;
        if let Some(r) = c.repl.as_mut() {
            r.repl_applied -= cut;
        }
    }
}

// ---------------------------------------------------------------------------
// Cron
// ---------------------------------------------------------------------------

/// The replica half of replicationCron (once per second).
pub fn replica_cron(srv: &mut Server) {
    let now = unix_s();
    let timeout = srv.config.repl_timeout;
    let st = srv.repl.state;
    if srv.repl.is_replica()
        && (st == LinkState::Connecting || st.is_handshake())
        && now - srv.repl.transfer.lastio > timeout
    {
        crate::repl_flood_log!(
            srv,
            "timeout",
            Warning,
            "Timeout connecting to the MASTER..."
        );
        cancel_handshake(srv, true);
    }
    if srv.repl.is_replica()
        && srv.repl.state == LinkState::Transfer
        && now - srv.repl.transfer.lastio > timeout
    {
        crate::server_log!(Warning, "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        cancel_handshake(srv, true);
    }
    if srv.repl.is_replica() && srv.repl.state == LinkState::Connected && srv.repl.master_fd >= 0 {
        let last = srv
            .clients
            .get(srv.repl.master_fd as usize)
            .and_then(|s| s.as_deref())
            .map(|c| c.last_interaction_ms / 1000)
            .unwrap_or(now);
        if now - last > timeout {
            crate::server_log!(Warning, "MASTER timeout: no data nor PING received...");
            let fd = srv.repl.master_fd;
            srv.free_client(fd);
        }
    }
    if srv.repl.state == LinkState::Connect {
        if let Some(h) = srv.repl.masterhost.clone() {
            let p = srv.repl.masterport;
            crate::repl_flood_log!(
                srv,
                "connecting",
                Notice,
                "Connecting to MASTER {}:{}",
                h,
                p
            );
            connect_with_master(srv);
        }
    }
    if srv.repl.is_replica() && srv.repl.master_fd >= 0 {
        let pre = srv
            .clients
            .get(srv.repl.master_fd as usize)
            .and_then(|s| s.as_deref())
            .and_then(|c| c.repl.as_ref())
            .map(|r| r.pre_psync)
            .unwrap_or(true);
        if !pre {
            send_ack_to_master(srv);
        }
    }
}

/// rememberSlaveKeyWithExpire for the keys of a write command run by a
/// client of a (writable) replica.
pub fn remember_keys_with_expire(
    srv: &mut Server,
    db: usize,
    idx: usize,
    args: &crate::client::Args,
) {
    let name = srv.commands.cmds[idx].full_name;
    let arity = srv.commands.cmds[idx].def.arity;
    let Some(m) = crate::command::meta::lookup(name) else {
        return;
    };
    for k in crate::command::getkeys::get_keys_from_command(m, args, arity) {
        let key = args.get(k.pos);
        if db < srv.dbs.len() && srv.dbs[db].get_expire(key).is_some() {
            srv.repl.slave_keys_with_expire.insert((db, key.to_vec()));
        }
    }
}

/// expireSlaveKeys: expire the keys remembered above (replicas do not run
/// the active expire cycle: the master's DELs expire its keys).
pub fn expire_slave_keys(srv: &mut Server) {
    if srv.repl.slave_keys_with_expire.is_empty() {
        return;
    }
    let now = crate::server::now_ms();
    let keys: Vec<(usize, Vec<u8>)> = srv.repl.slave_keys_with_expire.iter().cloned().collect();
    for (db, key) in keys {
        let when = srv.dbs.get(db).and_then(|d| d.get_expire(&key));
        match when {
            Some(t) if t <= now => {
                srv.now_ms = now;
                srv.delete_expired_key(db, &key);
                srv.repl.slave_keys_with_expire.remove(&(db, key));
            }
            Some(_) => {}
            None => {
                srv.repl.slave_keys_with_expire.remove(&(db, key));
            }
        }
    }
}

/// replicationSendNewlineToMaster: keep the link alive while loading.
pub fn send_newline_to_master(srv: &mut Server) {
    let now = unix_s();
    if srv.repl.state == LinkState::Transfer
        && srv.repl.link_fd >= 0
        && srv.repl.newline_sent != now
    {
        srv.repl.newline_sent = now;
        let _ = sys::write(srv.repl.link_fd, b"\n");
    }
}

/// replicationGetSlaveOffset
pub fn slave_offset(srv: &Server) -> i64 {
    let mut off = 0;
    if srv.repl.is_replica() {
        if srv.repl.master_fd >= 0 {
            off = srv
                .clients
                .get(srv.repl.master_fd as usize)
                .and_then(|s| s.as_deref())
                .and_then(|c| c.repl.as_ref())
                .map(|r| r.reploff)
                .unwrap_or(0);
        } else if let Some(cm) = &srv.repl.cached_master {
            off = cm.repl.as_ref().map(|r| r.reploff).unwrap_or(0);
        }
    }
    off.max(0)
}

/// Restore the replication id/offset saved in the RDB loaded at startup
/// (loadDataFromDisk's replication part).
pub fn restore_from_rdb(srv: &mut Server, stats: &crate::rdb::load::LoadStats) {
    let valid = stats
        .repl_id
        .as_ref()
        .map(|id| id.len() == RUN_ID_SIZE)
        .unwrap_or(false)
        && stats.repl_offset != -1
        && stats.repl_stream_db != -1;
    if !srv.repl.is_replica() && valid {
        // A master creates the backlog before loading: the keys that
        // expired while it was down are fed to it as DELs
        // (RDBFLAGS_FEED_REPL), so replicas get them after a partial resync.
        create_backlog(srv);
        let cmd: &[u8] = if srv.config.lazyfree_lazy_expire {
            b"UNLINK"
        } else {
            b"DEL"
        };
        for (db, key) in stats.expired_keys.iter() {
            let argv = crate::client::OwnedArgs::from_slices(&[cmd, key]);
            super::master::feed_slaves(srv, *db as i64, &argv.args());
        }
    }
    if !valid {
        return;
    }
    let id = stats.repl_id.clone().unwrap_or_default();
    if srv.repl.is_replica() {
        srv.repl.replid = id;
        srv.repl.master_repl_offset = stats.repl_offset;
        cache_master_using_myself(srv);
        let db = stats.repl_stream_db;
        if let Some(cm) = srv.repl.cached_master.as_mut() {
            if db >= 0 && (db as usize) < srv.dbs.len() {
                cm.db = db as usize;
            }
        }
    } else {
        srv.repl.replid2 = id;
        srv.repl.second_replid_offset = stats.repl_offset + 1;
        // Rebase the offsets on the saved one (rebaseReplicationBuffer).
        srv.repl.master_repl_offset += stats.repl_offset;
        let off = srv.repl.master_repl_offset;
        if let Some(bl) = srv.repl.backlog.as_mut() {
            bl.rebase(off - bl.histlen as i64 + 1);
        }
        srv.repl.no_slaves_since = unix_s();
    }
}

/// Replication state at start-up: `replicaof` in the config.
pub fn init_from_config(srv: &mut Server) {
    if let Some((h, p)) = srv.config.replicaof.clone() {
        srv.repl.masterhost = Some(h);
        srv.repl.masterport = p;
        srv.repl.state = LinkState::Connect;
        crate::log::set_role(b'S');
    }
}

/// changeReplicationId + clearReplicationId2 (DEBUG CHANGE-REPL-ID).
pub fn debug_change_repl_id(srv: &mut Server) {
    change_replication_id(srv);
    clear_replication_id2(srv);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_like_sync_read_line() {
        let mut b = b"+PONG\r\n+OK\r\n\n$12\r\npartial".to_vec();
        assert_eq!(take_line(&mut b).as_deref(), Some("+PONG"));
        assert_eq!(take_line(&mut b).as_deref(), Some("+OK"));
        assert_eq!(take_line(&mut b).as_deref(), Some(""));
        assert_eq!(take_line(&mut b).as_deref(), Some("$12"));
        assert_eq!(take_line(&mut b), None);
        assert_eq!(b, b"partial");
    }

    #[test]
    fn strtol_like_redis() {
        assert_eq!(parse_strtol("1234"), 1234);
        assert_eq!(parse_strtol("12ab"), 12);
        assert_eq!(parse_strtol("abc"), 0);
        assert_eq!(parse_strtol("-5"), -5);
    }

    #[test]
    fn ack_is_a_multibulk() {
        let mut c = Client::new(1, -1, String::new(), String::new(), 0);
        repl_of(&mut c).reploff = 12345;
        c.reply.enabled = false;
        send_ack(&mut c);
        assert_eq!(
            c.reply.buf,
            b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$5\r\n12345\r\n"
        );
    }
}
