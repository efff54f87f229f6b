//! The master side of replication (Redis's replicationFeedSlaves,
//! feedReplicationBuffer, syncCommand, masterTryPartialResynchronization,
//! startBgsaveForReplication, replicationSetupSlaveForFullResync,
//! rdbSaveToSlavesSockets, rdbPipeReadHandler / rdbPipeWriteHandler,
//! sendBulkToSlave, updateSlavesWaitingBgsave, replicaPutOnline,
//! refreshGoodSlavesCount, replicationCountAcksByOffset,
//! processClientsWaitingReplicas and the master half of replicationCron).
//!
//! The stream: every command that reaches the replicas is encoded once as a
//! RESP multibulk (preceded by `SELECT n` when its db differs from the last
//! one sent, `slaveseldb`) and appended to the backlog and to the output
//! buffer of every replica past WAIT_BGSAVE_START; `master_repl_offset`
//! grows by the same number of bytes. A replica's buffer is only written to
//! its socket once it is ONLINE (and, after a diskless sync, has sent its
//! first ACK): until then it holds the stream since the RDB's fork point.
//!
//! Full sync, disk target: a BGSAVE child writes `dbfilename`; when it is
//! reaped each waiting replica gets `$<size>\r\n` + the file, sent from
//! write events, then goes ONLINE. Socket target (repl-diskless-sync): the
//! child writes `$EOF:<40 hex>\r\n<rdb><same 40 hex>` into a pipe; the
//! parent copies each chunk to every replica, pausing the pipe while a slow
//! replica catches up; at EOF it closes the "exit pipe" so the child may
//! exit; when reaped, the replicas go ONLINE and start streaming at their
//! first REPLCONF ACK.
use super::backlog::Backlog;
use super::*;
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::server::{FdOwner, Server};
use crate::sys::{self, epoll};

/// PROTO_IOBUF_LEN for RDB transfer chunks.
const RDB_CHUNK: usize = 64 * 1024;
/// At most this much RDB data is written to one replica per write event.
const RDB_BULK_PER_EVENT: u64 = 4 * 1024 * 1024;

/// Unix seconds.
fn unix_s() -> i64 {
    crate::server::now_ms() / 1000
}

/// Run `f` with the client of `fd`, which is either `extra` (the client
/// running a command, taken out of the table) or taken out of the table
/// for the call. `f` must not free clients synchronously (use
/// `close_client_async`).
pub fn with_client<R>(
    srv: &mut Server,
    extra: &mut Option<&mut Client>,
    fd: RawFd,
    f: impl FnOnce(&mut Server, &mut Client) -> R,
) -> Option<R> {
    if let Some(e) = extra.as_deref_mut() {
        if e.fd == fd {
            return Some(f(srv, e));
        }
    }
    let mut c = srv.clients.get_mut(fd as usize)?.take()?;
    let r = f(srv, &mut c);
    if let Some(slot) = srv.clients.get_mut(fd as usize) {
        *slot = Some(c);
    }
    Some(r)
}

fn slave_state(c: &Client) -> SlaveState {
    c.repl.as_ref().map(|r| r.state).unwrap_or_default()
}

/// A replica (not a monitor) in some replication state.
pub fn is_replica_client(c: &Client) -> bool {
    c.has(flags::SLAVE) && !c.has(flags::MONITOR) && slave_state(c) != SlaveState::None
}

/// May this client's output buffer be written to its socket now?
pub fn can_write_replies(c: &Client) -> bool {
    match &c.repl {
        Some(r) if c.has(flags::SLAVE) && !c.has(flags::MONITOR) => match r.state {
            SlaveState::None => true,
            SlaveState::Online => !r.start_cmd_stream_on_ack,
            _ => false,
        },
        _ => true,
    }
}

// ---------------------------------------------------------------------------
// Feeding the stream
// ---------------------------------------------------------------------------

/// Turn the commands queued by `Server::propagate` into the stream
/// (propagatePendingCommands). Several commands of one execution unit are
/// wrapped in MULTI/EXEC unless `allow_multi` is false (active expiry,
/// RANDOMKEY / SCAN lazy expiry) or they are wrapped already (EXEC).
pub fn propagate_pending(srv: &mut Server, allow_multi: bool) {
    if srv.propagated.is_empty() {
        return;
    }
    let mut ops = std::mem::take(&mut srv.propagated);
    if srv.has_propagation_consumer() {
        let wrap =
            allow_multi && ops.len() > 1 && !ops[0].1.args().get(0).eq_ignore_ascii_case(b"multi");
        if wrap {
            let db = ops[0].0 as i64;
            feed_slaves(srv, db, &OwnedArgs::from_slices(&[b"MULTI"]).args());
        }
        for (db, argv) in ops.iter() {
            feed_slaves(srv, *db as i64, &argv.args());
        }
        if wrap {
            let db = ops[ops.len() - 1].0 as i64;
            feed_slaves(srv, db, &OwnedArgs::from_slices(&[b"EXEC"]).args());
        }
    }
    ops.clear();
    if srv.propagated.is_empty() {
        srv.propagated = ops;
    }
}

/// replicationFeedSlaves: SELECT if needed, then the command, into the
/// backlog and the replicas. `dictid` -1 (PING, GETACK) never selects.
pub fn feed_slaves(srv: &mut Server, dictid: i64, argv: &Args) {
    if srv.repl.is_replica() {
        return;
    }
    if srv.repl.backlog.is_none() && srv.repl.slaves.is_empty() {
        return;
    }
    let mut buf = std::mem::take(&mut srv.repl.scratch);
    buf.clear();
    if srv.repl.slaveseldb != dictid {
        let mut n = Vec::with_capacity(4);
        crate::util::num::ll2string(&mut n, dictid);
        encode_command(&mut buf, 2, [&b"SELECT"[..], &n]);
        srv.repl.slaveseldb = dictid;
    }
    encode_command(&mut buf, argv.len(), argv.iter());
    feed_replication_buffer(srv, &buf);
    buf.clear();
    srv.repl.scratch = buf;
}

/// feedReplicationBuffer: append stream bytes to the shared buffer
/// (advancing master_repl_offset); every replica that accumulates the
/// stream starts referencing it from the first byte it is fed, and is
/// queued for writing (or checked against its output buffer limit).
pub fn feed_replication_buffer(srv: &mut Server, data: &[u8]) {
    let first = srv.repl.master_repl_offset + 1;
    match srv.repl.backlog.as_mut() {
        Some(bl) => bl.append(data),
        None => return,
    }
    srv.repl.master_repl_offset += data.len() as i64;
    for i in 0..srv.repl.slaves.len() {
        let fd = srv.repl.slaves[i];
        let mut c = match srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            Some(c) => c,
            None => continue,
        };
        let feed = match &c.repl {
            Some(r) => !r.rdb_only && r.state != SlaveState::WaitBgsaveStart,
            None => false,
        };
        if feed && !c.has(flags::CLOSE_ASAP) {
            let r = repl_of(&mut c);
            if r.stream_pos == 0 {
                r.stream_pos = first;
            }
            if can_write_replies(&c) {
                srv.mark_pending_write_always(&mut c);
            }
            srv.check_output_buffer_limits(&mut c);
        }
        if let Some(slot) = srv.clients.get_mut(fd as usize) {
            *slot = Some(c);
        }
    }
    trim_backlog(srv, None);
}

/// Bytes of the stream a replica still has to be sent from the shared
/// buffer, and the memory that pins (block-granular, as Redis counts it).
pub fn replica_stream_pending(srv: &Server, c: &Client) -> (u64, usize) {
    let pos = c.repl.as_ref().map(|r| r.stream_pos).unwrap_or(0);
    match srv.repl.backlog.as_ref() {
        Some(bl) if pos > 0 => ((bl.end() - pos).max(0) as u64, bl.pending_memory(pos)),
        _ => (0, 0),
    }
}

/// Drop the shared-buffer blocks nobody needs any more (the backlog keeps
/// repl-backlog-size bytes; replicas keep what they still have to send).
/// `extra`: a replica taken out of the client table by the caller. When a
/// replica cannot be seen, nothing is trimmed.
pub fn trim_backlog(srv: &mut Server, extra: Option<&Client>) {
    if srv.repl.backlog.is_none() {
        return;
    }
    let mut keep_from = i64::MAX;
    for &fd in srv.repl.slaves.iter() {
        let c = match srv.clients.get(fd as usize).and_then(|s| s.as_deref()) {
            Some(c) => c,
            None => match extra {
                Some(e) if e.fd == fd => e,
                _ => return,
            },
        };
        if let Some(r) = c.repl.as_ref() {
            if r.stream_pos > 0 {
                keep_from = keep_from.min(r.stream_pos);
            }
        }
    }
    if let Some(bl) = srv.repl.backlog.as_mut() {
        bl.trim(keep_from);
    }
}

/// A write to a replica's socket failed: the replica is to be freed.
#[derive(Debug)]
pub struct ReplicaWriteError;

/// Write a replica's pending stream from the shared buffer until the socket
/// is full. Ok(true) when it has nothing left to send; Err on a write error.
pub fn write_stream_to_replica(
    srv: &mut Server,
    c: &mut Client,
) -> Result<bool, ReplicaWriteError> {
    let Some(bl) = srv.repl.backlog.as_ref() else {
        return Ok(true);
    };
    let Some(r) = c.repl.as_mut() else {
        return Ok(true);
    };
    if r.stream_pos == 0 {
        return Ok(true);
    }
    let mut written = 0u64;
    let result = loop {
        let chunk = bl.chunk_at(r.stream_pos);
        if chunk.is_empty() {
            break Ok(true);
        }
        match sys::write(c.fd, chunk) {
            Ok(0) => break Ok(false),
            Ok(n) => {
                r.stream_pos += n as i64;
                written += n as u64;
            }
            Err(e) if sys::would_block(&e) => break Ok(false),
            Err(_) => break Err(ReplicaWriteError),
        }
    };
    c.net_out += written;
    srv.repl.stat_net_repl_output_bytes += written;
    if written > 0 {
        trim_backlog(srv, Some(c));
    }
    result
}

/// replicationFeedStreamFromMasterStream: a replica proxies the bytes it
/// applied from its master, verbatim, to its backlog and sub-replicas.
pub fn feed_stream_from_master(srv: &mut Server, data: &[u8]) {
    if srv.repl.backlog.is_some() {
        feed_replication_buffer(srv, data);
    }
}

/// changeReplicationId
pub fn change_replication_id(srv: &mut Server) {
    srv.repl.replid = random_replid(&mut srv.rng);
}

/// clearReplicationId2
pub fn clear_replication_id2(srv: &mut Server) {
    srv.repl.replid2 = NULL_REPLID.to_string();
    srv.repl.second_replid_offset = -1;
}

/// shiftReplicationId: the current history becomes the secondary one.
pub fn shift_replication_id(srv: &mut Server) {
    srv.repl.replid2 = srv.repl.replid.clone();
    srv.repl.second_replid_offset = srv.repl.master_repl_offset + 1;
    change_replication_id(srv);
    crate::server_log!(
        Warning,
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        srv.repl.replid2,
        srv.repl.second_replid_offset,
        srv.repl.replid
    );
}

/// createReplicationBacklog
pub fn create_backlog(srv: &mut Server) {
    let size = srv.config.repl_backlog_size.max(0) as usize;
    srv.repl.backlog = Some(Backlog::new(size, srv.repl.master_repl_offset));
}

/// freeReplicationBacklog
pub fn free_backlog(srv: &mut Server) {
    srv.repl.backlog = None;
}

/// CONFIG SET repl-backlog-size
pub fn resize_backlog(srv: &mut Server) {
    let size = srv.config.repl_backlog_size.max(0) as usize;
    if let Some(bl) = srv.repl.backlog.as_mut() {
        bl.resize(size);
    }
    trim_backlog(srv, None);
}

// ---------------------------------------------------------------------------
// SYNC / PSYNC
// ---------------------------------------------------------------------------

/// masterTryPartialResynchronization: true when the replica continues from
/// the backlog (`+CONTINUE` sent, the backlog tail queued).
pub fn try_partial_resync(srv: &mut Server, c: &mut Client, replid: &[u8], offset: i64) -> bool {
    let replid_s = String::from_utf8_lossy(replid).into_owned();
    let r = &srv.repl;
    let is_id1 = replid_s.eq_ignore_ascii_case(&r.replid);
    let is_id2 = replid_s.eq_ignore_ascii_case(&r.replid2);
    if !is_id1 && (!is_id2 || offset > r.second_replid_offset) {
        if !replid_s.starts_with('?') {
            if !is_id1 && !is_id2 {
                crate::server_log!(Notice, "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')", replid_s, r.replid, r.replid2);
            } else {
                crate::server_log!(Notice, "Partial resynchronization not accepted: Requested offset for second ID was {}, but I can reply up to {}", offset, r.second_replid_offset);
            }
        } else {
            crate::server_log!(Notice, "Full resync requested by replica {}", slave_name(c));
        }
        return false;
    }
    let servable = r
        .backlog
        .as_ref()
        .map(|b| b.can_serve(offset))
        .unwrap_or(false);
    if !servable {
        crate::server_log!(
            Notice,
            "Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).",
            slave_name(c),
            offset
        );
        if offset > r.master_repl_offset {
            crate::server_log!(Warning, "Warning: replica {} tried to PSYNC with an offset that is greater than the master replication offset.", slave_name(c));
        }
        return false;
    }
    c.flags |= flags::SLAVE;
    let rc = repl_of(c);
    rc.state = SlaveState::Online;
    rc.ack_time = unix_s();
    rc.start_cmd_stream_on_ack = false;
    let psync2 = rc.capa & capa::PSYNC2 != 0;
    srv.repl.slaves.push(c.fd);
    let line = if psync2 {
        format!("+CONTINUE {}\r\n", srv.repl.replid)
    } else {
        "+CONTINUE\r\n".to_string()
    };
    if !matches!(sys::write(c.fd, line.as_bytes()), Ok(n) if n == line.len()) {
        srv.close_client_async(c);
        return true;
    }
    srv.repl.stat_net_repl_output_bytes += line.len() as u64;
    // The replica continues from `offset` in the shared buffer (no copy).
    let psync_len = (srv.repl.master_repl_offset + 1 - offset).max(0);
    repl_of(c).stream_pos = offset;
    srv.mark_pending_write_always(c);
    crate::server_log!(
        Notice,
        "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
        slave_name(c),
        psync_len,
        offset
    );
    refresh_good_slaves_count(srv, Some(c));
    true
}

/// replicationSetupSlaveForFullResync: remember the RDB's offset, start
/// accumulating the stream, force a SELECT, send +FULLRESYNC.
pub fn setup_slave_for_full_resync(srv: &mut Server, c: &mut Client, offset: i64) {
    let rc = repl_of(c);
    rc.psync_initial_offset = offset;
    rc.state = SlaveState::WaitBgsaveEnd;
    let pre_psync = rc.pre_psync;
    srv.repl.slaveseldb = -1;
    if !pre_psync {
        let line = format!("+FULLRESYNC {} {}\r\n", srv.repl.replid, offset);
        if !matches!(sys::write(c.fd, line.as_bytes()), Ok(n) if n == line.len()) {
            srv.close_client_async(c);
            return;
        }
        srv.repl.stat_net_repl_output_bytes += line.len() as u64;
    }
}

/// The SYNC / PSYNC command (syncCommand).
pub fn sync_command(srv: &mut Server, c: &mut Client, args: &Args) -> crate::error::CmdResult {
    use crate::error::Error;
    if c.has(flags::SLAVE) {
        return Ok(());
    }
    let is_psync = args.get(0).eq_ignore_ascii_case(b"psync");
    if args.len() > 3 && is_psync && args.get(3).eq_ignore_ascii_case(b"failover") {
        crate::server_log!(
            Warning,
            "Failover request received for replid {}.",
            String::from_utf8_lossy(args.get(1))
        );
        if !srv.repl.is_replica() {
            return Err(Error::new("ERR PSYNC FAILOVER can't be sent to a master."));
        }
        if args.get(1).eq_ignore_ascii_case(srv.repl.replid.as_bytes()) {
            super::replica::unset_master(srv);
            let info = srv.client_info_string(c);
            crate::server_log!(
                Notice,
                "MASTER MODE enabled (failover request from '{}')",
                info
            );
        } else {
            return Err(Error::new(
                "ERR PSYNC FAILOVER replid must match my replid.",
            ));
        }
    }
    if srv.repl.failover != FailoverState::None {
        return Err(Error::new("NOMASTERLINK Can't SYNC while failing over"));
    }
    if srv.repl.is_replica() && srv.repl.state != LinkState::Connected {
        return Err(Error::new(
            "NOMASTERLINK Can't SYNC while not connected with my master",
        ));
    }
    if c.reply.pending() > 0 {
        return Err(Error::new(
            "ERR SYNC and PSYNC are invalid with pending output",
        ));
    }
    crate::server_log!(Notice, "Replica {} asks for synchronization", slave_name(c));
    if is_psync {
        let offset = match crate::util::string2ll(args.get(2)) {
            Some(o) => o,
            None => {
                crate::server_log!(
                    Warning,
                    "Replica {} asks for synchronization but with a wrong offset",
                    slave_name(c)
                );
                return Err(crate::error::NOT_INTEGER);
            }
        };
        if try_partial_resync(srv, c, args.get(1), offset) {
            srv.repl.stat_sync_partial_ok += 1;
            return Ok(());
        }
        if !args.get(1).starts_with(b"?") {
            srv.repl.stat_sync_partial_err += 1;
        }
    } else {
        repl_of(c).pre_psync = true;
    }
    srv.repl.stat_sync_full += 1;
    {
        let rc = repl_of(c);
        rc.state = SlaveState::WaitBgsaveStart;
        rc.dbfile = None;
    }
    if srv.config.repl_disable_tcp_nodelay {
        let _ = sys::net::set_nodelay_flag(c.fd, false);
    }
    c.flags |= flags::SLAVE;
    srv.repl.slaves.push(c.fd);
    if srv.repl.slaves.len() == 1 && srv.repl.backlog.is_none() {
        change_replication_id(srv);
        clear_replication_id2(srv);
        create_backlog(srv);
        crate::server_log!(
            Notice,
            "Replication backlog created, my new replication IDs are '{}' and '{}'",
            srv.repl.replid,
            srv.repl.replid2
        );
    }
    let my_capa = c.repl.as_ref().map(|r| r.capa).unwrap_or(0);
    let rdb_running = srv.rdb_state.child_type == crate::rdb::ChildType::Rdb;
    if rdb_running && srv.repl.rdb_child_target == RdbChildTarget::Disk {
        // CASE 1: a disk BGSAVE runs; attach if another replica registers
        // the differences since its fork.
        let mut found: Option<(i64, i64, u8)> = None;
        for &fd in srv.repl.slaves.iter() {
            if fd == c.fd {
                continue;
            }
            if let Some(o) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) {
                if let Some(r) = &o.repl {
                    if r.state == SlaveState::WaitBgsaveEnd && !r.rdb_only {
                        found = Some((r.stream_pos, r.psync_initial_offset, r.capa));
                        break;
                    }
                }
            }
        }
        match found {
            Some((pos, off, other_capa)) if my_capa & other_capa == other_capa => {
                // copyReplicaOutputBuffer: the same position in the shared buffer.
                let rdb_only = c.repl.as_ref().map(|r| r.rdb_only).unwrap_or(false);
                if !rdb_only {
                    repl_of(c).stream_pos = pos;
                }
                setup_slave_for_full_resync(srv, c, off);
                crate::server_log!(Notice, "Waiting for end of BGSAVE for SYNC");
            }
            _ => crate::server_log!(
                Notice,
                "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC"
            ),
        }
    } else if rdb_running {
        crate::server_log!(
            Notice,
            "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC"
        );
    } else if srv.config.repl_diskless_sync
        && my_capa & capa::EOF != 0
        && srv.config.repl_diskless_sync_delay > 0
    {
        crate::server_log!(Notice, "Delay next BGSAVE for diskless SYNC");
    } else if !srv.rdb_state.has_active_child() {
        start_bgsave_for_replication(srv, my_capa, Some(c));
    } else {
        crate::server_log!(Notice, "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed");
    }
    Ok(())
}

/// rdbPopulateSaveInfo: the replication info stored in an RDB's aux
/// fields, or None when this instance is in no replication chain.
pub fn populate_save_info(srv: &Server) -> Option<crate::rdb::SaveInfo> {
    let r = &srv.repl;
    let stream_db = if !r.is_replica() && r.backlog.is_some() {
        if r.slaveseldb == -1 {
            0
        } else {
            r.slaveseldb
        }
    } else if r.master_fd >= 0 {
        srv.clients
            .get(r.master_fd as usize)
            .and_then(|s| s.as_deref())
            .map(|c| c.db as i64)?
    } else if let Some(cm) = &r.cached_master {
        cm.db as i64
    } else {
        return None;
    };
    Some(crate::rdb::SaveInfo {
        repl_stream_db: stream_db,
        repl_id: r.replid.clone(),
        repl_offset: r.master_repl_offset,
    })
}

/// startBgsaveForReplication: fork the RDB child for the replicas waiting
/// in WAIT_BGSAVE_START (`extra` is one of them when called from SYNC).
pub fn start_bgsave_for_replication(
    srv: &mut Server,
    mincapa: u8,
    mut extra: Option<&mut Client>,
) -> bool {
    let socket = srv.config.repl_diskless_sync && mincapa & capa::EOF != 0;
    crate::server_log!(
        Notice,
        "Starting BGSAVE for SYNC with target: {}",
        if socket { "replicas sockets" } else { "disk" }
    );
    let rsi = populate_save_info(srv);
    let ok = match &rsi {
        Some(rsi) => {
            if socket {
                rdb_save_to_slaves_sockets(srv, rsi, &mut extra)
            } else {
                let filename = srv.config.dbfilename.clone();
                let ok = crate::rdb::child::rdb_save_background(srv, &filename, Some(rsi)).is_ok();
                if ok {
                    srv.repl.rdb_child_target = RdbChildTarget::Disk;
                }
                ok
            }
        }
        None => {
            crate::server_log!(Warning, "BGSAVE for replication: replication information not available, can't generate the RDB file right now. Try later.");
            false
        }
    };
    let fds: Vec<RawFd> = srv.repl.slaves.clone();
    if !ok {
        crate::server_log!(Warning, "BGSAVE for replication failed");
        for fd in fds {
            let removed = with_client(srv, &mut extra, fd, |srv, s| {
                if slave_state(s) == SlaveState::WaitBgsaveStart {
                    repl_of(s).state = SlaveState::None;
                    s.flags &= !flags::SLAVE;
                    s.reply
                        .error("ERR BGSAVE failed, replication can't continue");
                    s.flags |= flags::CLOSE_AFTER_REPLY;
                    srv.mark_pending_write(s);
                    true
                } else {
                    false
                }
            });
            if removed == Some(true) {
                srv.repl.slaves.retain(|&f| f != fd);
            }
        }
        return false;
    }
    if !socket {
        let off = srv.repl.master_repl_offset;
        for fd in fds {
            with_client(srv, &mut extra, fd, |srv, s| {
                if slave_state(s) == SlaveState::WaitBgsaveStart {
                    setup_slave_for_full_resync(srv, s, off);
                }
            });
        }
    }
    true
}

/// The RDB sink of the diskless child: a blocking pipe.
struct PipeSink(RawFd);

impl crate::rdb::encode::RdbSink for PipeSink {
    fn write_chunk(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            match sys::write(self.0, data) {
                Ok(0) => return Err(std::io::Error::from(std::io::ErrorKind::WriteZero)),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// rdbSaveToSlavesSockets: fork a child streaming the RDB (with EOF marks)
/// into a pipe the parent relays to the waiting replicas.
fn rdb_save_to_slaves_sockets(
    srv: &mut Server,
    rsi: &crate::rdb::SaveInfo,
    extra: &mut Option<&mut Client>,
) -> bool {
    if srv.rdb_state.has_active_child() || srv.repl.rdb_pipe.is_some() {
        return false;
    }
    let (pipe_r, pipe_w) = match sys::process::pipe(true, false) {
        Ok(p) => p,
        Err(_) => return false,
    };
    let (exit_r, exit_w) = match sys::process::pipe(false, false) {
        Ok(p) => p,
        Err(_) => {
            sys::close(pipe_r);
            sys::close(pipe_w);
            return false;
        }
    };
    let mut conns = Vec::new();
    let off = srv.repl.master_repl_offset;
    for fd in srv.repl.slaves.clone() {
        with_client(srv, extra, fd, |srv, s| {
            if slave_state(s) == SlaveState::WaitBgsaveStart {
                conns.push(fd);
                setup_slave_for_full_resync(srv, s, off);
            }
        });
    }
    let mut mark = vec![0u8; RUN_ID_SIZE];
    for b in mark.iter_mut() {
        *b = b"0123456789abcdef"[(srv.rng.next_u64() % 16) as usize];
    }
    let start = std::time::Instant::now();
    match crate::rdb::child::fork_rdb_child(srv) {
        Ok(0) => {
            // Child.
            crate::server::proctitle::set_proc_title(srv, Some("redis-rdb-to-slaves"));
            let sender = crate::rdb::child::child_setup(srv);
            sys::close(pipe_r);
            sys::close(exit_w);
            let mut sink = PipeSink(pipe_w);
            let mut progress = crate::rdb::child::ChildProgress::new(sender);
            // "$EOF:<mark>\r\n" + RDB + "<mark>" (the marks are outside
            // the RDB checksum, as rdbSaveRioWithEOFMark).
            use crate::rdb::encode::RdbSink;
            let mut head = Vec::with_capacity(48);
            head.extend_from_slice(b"$EOF:");
            head.extend_from_slice(&mark);
            head.extend_from_slice(b"\r\n");
            let ok = sink.write_chunk(&head).is_ok()
                && {
                    let mut w = crate::rdb::RdbWriter::new_sink(
                        &mut sink,
                        srv.config.rdbcompression,
                        srv.config.rdbchecksum,
                        0,
                    );
                    crate::rdb::save::save_rio(srv, &mut w, Some(rsi), false, &mut progress)
                        .and_then(|_| w.flush())
                        .is_ok()
                }
                && sink.write_chunk(&mark).is_ok();
            if ok {
                progress.sender_mut().send(
                    crate::rdb::child::CHILD_INFO_TYPE_RDB_COW_SIZE,
                    0,
                    -1.0,
                    "RDB",
                );
            }
            sys::close(pipe_w);
            // Hold the exit until the parent has read everything.
            let mut dummy = [0u8; 1];
            let _ = sys::read(exit_r, &mut dummy);
            sys::process::exit_now(if ok { 0 } else { 1 });
        }
        Ok(pid) => {
            crate::rdb::child::parent_after_fork(srv, pid, start);
            crate::server_log!(Notice, "Background RDB transfer started by pid {}", pid);
            sys::close(pipe_w);
            sys::close(exit_r);
            srv.repl.rdb_child_target = RdbChildTarget::Socket;
            let _ = srv.poller.add(pipe_r, epoll::READABLE);
            srv.set_fd_owner(pipe_r, FdOwner::ReplRdbPipe);
            srv.repl.rdb_pipe = Some(RdbPipe {
                read_fd: pipe_r,
                child_exit_fd: exit_w,
                conns,
                numconns_writing: 0,
                buf: vec![0u8; RDB_CHUNK],
                buflen: 0,
                reading: true,
            });
            true
        }
        Err(e) => {
            crate::server_log!(
                Warning,
                "Can't save in background: fork: {}",
                crate::rdb::save::io_text(&e)
            );
            for fd in conns {
                with_client(srv, extra, fd, |_, s| {
                    if slave_state(s) == SlaveState::WaitBgsaveEnd {
                        repl_of(s).state = SlaveState::WaitBgsaveStart;
                    }
                });
            }
            sys::close(pipe_r);
            sys::close(pipe_w);
            sys::close(exit_r);
            sys::close(exit_w);
            false
        }
    }
}

/// rdbPipeReadHandler: relay the child's RDB bytes to the replicas.
pub fn rdb_pipe_read_handler(srv: &mut Server) {
    loop {
        let mut p = match srv.repl.rdb_pipe.take() {
            Some(p) => p,
            None => return,
        };
        let rd = sys::read(p.read_fd, &mut p.buf);
        match rd {
            Err(e) if sys::would_block(&e) => {
                srv.repl.rdb_pipe = Some(p);
                return;
            }
            Err(e) => {
                crate::server_log!(
                    Warning,
                    "Diskless rdb transfer, read error sending DB to replicas: {}",
                    crate::rdb::save::io_text(&e)
                );
                let conns = std::mem::take(&mut p.conns);
                srv.repl.rdb_pipe = Some(p);
                for fd in conns.into_iter().filter(|&f| f >= 0) {
                    srv.free_client(fd);
                }
                crate::rdb::child::kill_rdb_child(srv);
                return;
            }
            Ok(0) => {
                let still_up = p.conns.iter().filter(|&&f| f >= 0).count();
                let _ = srv.poller.del(p.read_fd, epoll::READABLE);
                p.reading = false;
                crate::server_log!(
                    Warning,
                    "Diskless rdb transfer, done reading from pipe, {} replicas still up.",
                    still_up
                );
                sys::close(p.child_exit_fd);
                p.child_exit_fd = -1;
                srv.repl.rdb_pipe = Some(p);
                return;
            }
            Ok(n) => {
                p.buflen = n;
                let conns = p.conns.clone();
                let data = std::mem::take(&mut p.buf);
                srv.repl.rdb_pipe = Some(p);
                let mut still_alive = 0;
                let mut dead = Vec::new();
                let now = unix_s();
                for fd in conns.into_iter().filter(|&f| f >= 0) {
                    let nwritten = match sys::write(fd, &data[..n]) {
                        Ok(w) => {
                            srv.repl.stat_net_repl_output_bytes += w as u64;
                            w
                        }
                        Err(e) if sys::would_block(&e) => 0,
                        Err(e) => {
                            crate::server_log!(
                                Warning,
                                "Diskless rdb transfer, write error sending DB to replica: {}",
                                crate::rdb::save::io_text(&e)
                            );
                            dead.push(fd);
                            continue;
                        }
                    };
                    if let Some(c) = srv.client_mut(fd) {
                        let r = repl_of(c);
                        r.pipe_off = nwritten;
                        if nwritten != n {
                            r.last_partial_write = now;
                            r.pipe_writing = true;
                        }
                    }
                    if nwritten != n {
                        if let Some(p) = srv.repl.rdb_pipe.as_mut() {
                            p.numconns_writing += 1;
                        }
                        let _ = srv.poller.add(fd, epoll::WRITABLE);
                    }
                    still_alive += 1;
                }
                if let Some(p) = srv.repl.rdb_pipe.as_mut() {
                    p.buf = data;
                }
                for fd in dead {
                    srv.free_client(fd);
                }
                if still_alive == 0 {
                    crate::server_log!(
                        Warning,
                        "Diskless rdb transfer, last replica dropped, killing fork child."
                    );
                    crate::rdb::child::kill_rdb_child(srv);
                }
                let writing = srv
                    .repl
                    .rdb_pipe
                    .as_ref()
                    .map(|p| p.numconns_writing)
                    .unwrap_or(0);
                if writing > 0 || still_alive == 0 {
                    if let Some(p) = srv.repl.rdb_pipe.as_mut() {
                        let _ = srv.poller.del(p.read_fd, epoll::READABLE);
                        p.reading = false;
                    }
                    return;
                }
            }
        }
    }
}

/// rdbPipeWriteHandlerConnRemoved: `fd` finished (or dropped) its chunk.
fn rdb_pipe_conn_done(srv: &mut Server, fd: RawFd, c: Option<&mut Client>) {
    if let Some(c) = c {
        if let Some(r) = c.repl.as_mut() {
            if !r.pipe_writing {
                return;
            }
            r.pipe_writing = false;
            r.last_partial_write = 0;
        }
    }
    let _ = srv.poller.del(fd, epoll::WRITABLE);
    if let Some(p) = srv.repl.rdb_pipe.as_mut() {
        p.numconns_writing = p.numconns_writing.saturating_sub(1);
        if p.numconns_writing == 0 && p.child_exit_fd >= 0 {
            let _ = srv.poller.add(p.read_fd, epoll::READABLE);
            p.reading = true;
        }
    }
}

/// rdbPipeWriteHandler: a slow replica can take more of the current chunk.
fn rdb_pipe_write_handler(srv: &mut Server, fd: RawFd) {
    let off = match srv.clients.get(fd as usize).and_then(|s| s.as_deref()) {
        Some(c) => c.repl.as_ref().map(|r| r.pipe_off).unwrap_or(0),
        None => return,
    };
    let buf = match srv.repl.rdb_pipe.as_ref() {
        Some(p) => p.buf[off.min(p.buflen)..p.buflen].to_vec(),
        None => return,
    };
    match sys::write(fd, &buf) {
        Err(e) if sys::would_block(&e) => {}
        Err(e) => {
            crate::server_log!(
                Warning,
                "Write error sending DB to replica: {}",
                crate::rdb::save::io_text(&e)
            );
            srv.free_client(fd);
        }
        Ok(w) => {
            srv.repl.stat_net_repl_output_bytes += w as u64;
            let mut c = match srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
                Some(c) => c,
                None => return,
            };
            let done = {
                let r = repl_of(&mut c);
                r.pipe_off = off + w;
                if w < buf.len() {
                    r.last_partial_write = unix_s();
                    false
                } else {
                    true
                }
            };
            if done {
                rdb_pipe_conn_done(srv, fd, Some(&mut c));
            }
            if let Some(slot) = srv.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }
}

/// sendBulkToSlave: write the preamble and the RDB file from write events.
fn send_bulk_to_slave(srv: &mut Server, fd: RawFd) {
    use std::os::unix::fs::FileExt;
    let mut c = match srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
        Some(c) => c,
        None => return,
    };
    let mut fail = false;
    let mut finished = false;
    {
        let mut sent_total = 0u64;
        let r = repl_of(&mut c);
        if !r.preamble.is_empty() {
            match sys::write(fd, &r.preamble) {
                Ok(n) => {
                    srv.repl.stat_net_repl_output_bytes += n as u64;
                    r.preamble.drain(..n);
                }
                Err(e) if sys::would_block(&e) => {}
                Err(e) => {
                    crate::server_log!(
                        Warning,
                        "Write error sending RDB preamble to replica: {}",
                        crate::rdb::save::io_text(&e)
                    );
                    fail = true;
                }
            }
        }
        let mut buf = vec![0u8; RDB_CHUNK];
        while !fail
            && r.preamble.is_empty()
            && r.dboff < r.dbsize
            && sent_total < RDB_BULK_PER_EVENT
        {
            let file = match r.dbfile.as_ref() {
                Some(f) => f,
                None => {
                    fail = true;
                    break;
                }
            };
            let want = ((r.dbsize - r.dboff) as usize).min(RDB_CHUNK);
            let got = match file.read_at(&mut buf[..want], r.dboff) {
                Ok(0) => {
                    crate::server_log!(Warning, "Read error sending DB to replica: premature EOF");
                    fail = true;
                    break;
                }
                Ok(n) => n,
                Err(e) => {
                    crate::server_log!(
                        Warning,
                        "Read error sending DB to replica: {}",
                        crate::rdb::save::io_text(&e)
                    );
                    fail = true;
                    break;
                }
            };
            match sys::write(fd, &buf[..got]) {
                Ok(n) => {
                    r.dboff += n as u64;
                    sent_total += n as u64;
                    srv.repl.stat_net_repl_output_bytes += n as u64;
                    if n < got {
                        break;
                    }
                }
                Err(e) if sys::would_block(&e) => break,
                Err(e) => {
                    crate::server_log!(
                        Warning,
                        "Write error sending DB to replica: {}",
                        crate::rdb::save::io_text(&e)
                    );
                    fail = true;
                    break;
                }
            }
        }
        if !fail && r.preamble.is_empty() && r.dboff >= r.dbsize {
            r.dbfile = None;
            finished = true;
        }
    }
    if fail {
        if let Some(slot) = srv.clients.get_mut(fd as usize) {
            *slot = Some(c);
        }
        srv.free_client(fd);
        return;
    }
    if finished {
        let _ = srv.poller.del(fd, epoll::WRITABLE);
        if !replica_put_online(srv, &mut c) {
            if let Some(slot) = srv.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
            srv.free_client(fd);
            return;
        }
        // replicaStartCommandStream
        srv.mark_pending_write_always(&mut c);
        refresh_good_slaves_count(srv, Some(&c));
    }
    if let Some(slot) = srv.clients.get_mut(fd as usize) {
        *slot = Some(c);
    }
}

/// replicaPutOnline: false when the replica must be disconnected (rdb-only).
pub fn replica_put_online(srv: &mut Server, c: &mut Client) -> bool {
    let _ = srv;
    let name = slave_name(c);
    let r = repl_of(c);
    if r.rdb_only {
        r.state = SlaveState::RdbTransmitted;
        crate::server_log!(
            Notice,
            "RDB transfer completed, rdb only replica ({}) should be disconnected asap",
            name
        );
        return false;
    }
    r.state = SlaveState::Online;
    r.ack_time = unix_s();
    crate::server_log!(Notice, "Synchronization with replica {} succeeded", name);
    true
}

/// Called at the top of `write_to_client`: true when replication handled
/// (or withheld) the write of this replica's connection.
pub fn slave_write_hook(srv: &mut Server, fd: RawFd) -> bool {
    let (state, pipe_writing, can) = match srv.clients.get(fd as usize).and_then(|s| s.as_deref()) {
        Some(c) if c.has(flags::SLAVE) && !c.has(flags::MONITOR) => match &c.repl {
            Some(r) => (r.state, r.pipe_writing, can_write_replies(c)),
            None => return false,
        },
        _ => return false,
    };
    if can {
        return false;
    }
    if let Some(c) = srv.client_mut(fd) {
        c.flags &= !flags::PENDING_WRITE;
    }
    match state {
        SlaveState::SendBulk => send_bulk_to_slave(srv, fd),
        SlaveState::WaitBgsaveEnd if pipe_writing => rdb_pipe_write_handler(srv, fd),
        _ => {
            let _ = srv.poller.del(fd, epoll::WRITABLE);
        }
    }
    true
}

/// updateSlavesWaitingBgsave: the RDB child ended; serve the replicas
/// waiting for it.
pub fn update_slaves_waiting_bgsave(srv: &mut Server, ok: bool, target: RdbChildTarget) {
    let mut none = None;
    let filename = srv.config.dbfilename.clone();
    for fd in srv.repl.slaves.clone() {
        with_client(srv, &mut none, fd, |srv, s| {
            if slave_state(s) != SlaveState::WaitBgsaveEnd {
                return;
            }
            if !ok {
                srv.close_client_async(s);
                crate::server_log!(Warning, "SYNC failed. BGSAVE child returned an error");
                return;
            }
            if target == RdbChildTarget::Socket {
                crate::server_log!(Notice, "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming", slave_name(s));
                if !replica_put_online(srv, s) {
                    srv.close_client_async(s);
                    return;
                }
                repl_of(s).start_cmd_stream_on_ack = true;
            } else {
                let opened = std::fs::File::open(&filename).and_then(|f| {
                    let len = f.metadata()?.len();
                    Ok((f, len))
                });
                match opened {
                    Ok((f, len)) => {
                        let r = repl_of(s);
                        r.dbfile = Some(f);
                        r.dboff = 0;
                        r.dbsize = len;
                        r.state = SlaveState::SendBulk;
                        r.preamble = format!("${}\r\n", len).into_bytes();
                        let _ = srv.poller.add(fd, epoll::WRITABLE);
                    }
                    Err(e) => {
                        srv.close_client_async(s);
                        crate::server_log!(
                            Warning,
                            "SYNC failed. Can't open/stat DB after BGSAVE: {}",
                            crate::rdb::save::io_text(&e)
                        );
                    }
                }
            }
        });
    }
    refresh_good_slaves_count(srv, None);
}

/// The socket-target part of the child-done handler
/// (backgroundSaveDoneHandlerSocket): logs and closes the pipes.
pub fn socket_child_done(srv: &mut Server, exitcode: i32, bysignal: i32) {
    if bysignal == 0 && exitcode == 0 {
        crate::server_log!(Notice, "Background RDB transfer terminated with success");
    } else if bysignal == 0 {
        crate::server_log!(Warning, "Background transfer error");
    } else {
        crate::server_log!(
            Warning,
            "Background transfer terminated by signal {}",
            bysignal
        );
    }
    if let Some(p) = srv.repl.rdb_pipe.take() {
        if p.child_exit_fd >= 0 {
            sys::close(p.child_exit_fd);
        }
        srv.poller.forget(p.read_fd);
        srv.fd_owner_clear(p.read_fd);
        sys::close(p.read_fd);
        // Replicas still writing a chunk stop waiting for it.
        for fd in p.conns.into_iter().filter(|&f| f >= 0) {
            if let Some(c) = srv.client_mut(fd) {
                if let Some(r) = c.repl.as_mut() {
                    r.pipe_writing = false;
                }
            }
        }
    }
}

/// Called by the RDB child reaper for an RDB child (disk or socket).
pub fn rdb_child_done(srv: &mut Server, exitcode: i32, bysignal: i32) {
    let target = srv.repl.rdb_child_target;
    srv.repl.rdb_child_target = RdbChildTarget::Disk;
    update_slaves_waiting_bgsave(srv, bysignal == 0 && exitcode == 0, target);
}

/// The RDB target of the running child is the replicas' sockets.
pub fn socket_child_running(srv: &Server) -> bool {
    srv.rdb_state.child_type == crate::rdb::ChildType::Rdb
        && srv.repl.rdb_child_target == RdbChildTarget::Socket
}

/// shouldStartChildReplication + replicationStartPendingFork.
pub fn start_pending_fork(srv: &mut Server) {
    if srv.rdb_state.has_active_child() || srv.repl.rdb_pipe.is_some() {
        return;
    }
    let now = unix_s();
    let mut waiting = 0i64;
    let mut max_idle = 0i64;
    let mut mincapa: Option<u8> = None;
    for &fd in srv.repl.slaves.iter() {
        if let Some(c) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) {
            if slave_state(c) == SlaveState::WaitBgsaveStart {
                let idle = now - c.last_interaction_ms / 1000;
                max_idle = max_idle.max(idle);
                waiting += 1;
                let cc = c.repl.as_ref().map(|r| r.capa).unwrap_or(0);
                mincapa = Some(mincapa.map(|m| m & cc).unwrap_or(cc));
            }
        }
    }
    let cfg = &srv.config;
    if waiting > 0
        && (!cfg.repl_diskless_sync
            || (cfg.repl_diskless_sync_max_replicas > 0
                && waiting >= cfg.repl_diskless_sync_max_replicas)
            || max_idle >= cfg.repl_diskless_sync_delay)
    {
        start_bgsave_for_replication(srv, mincapa.unwrap_or(0), None);
    }
}

/// disconnectSlaves: close every replica (they reconnect and PSYNC).
pub fn disconnect_slaves(srv: &mut Server) {
    for fd in srv.repl.slaves.clone() {
        if let Some(mut c) = srv.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            srv.close_client_async(&mut c);
            if let Some(slot) = srv.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }
}

/// What replication must do when a client is freed (freeClient's
/// master/replica parts). Returns the client back when the caller should
/// free it as usual, None when replication kept it (cached master).
pub fn free_client_hook(srv: &mut Server, mut c: Box<Client>) -> Option<Box<Client>> {
    if c.has(flags::MASTER) && c.fd >= 0 && srv.repl.master_fd == c.fd {
        crate::server_log!(Warning, "Connection with master lost.");
        if !c.has(flags::PROTOCOL_ERROR | flags::BLOCKED) {
            c.flags &= !(flags::CLOSE_ASAP | flags::CLOSE_AFTER_REPLY);
            let fd = c.fd;
            srv.poller.forget(fd);
            srv.fd_owner_clear(fd);
            sys::close(fd);
            srv.nclients = srv.nclients.saturating_sub(1);
            c.fd = -1;
            super::replica::cache_master(srv, c);
            return None;
        }
        srv.repl.master_fd = -1;
        super::replica::handle_master_disconnection(srv);
        return Some(c);
    }
    if c.has(flags::SLAVE) && !c.has(flags::MONITOR) && c.repl.is_some() {
        let fd = c.fd;
        let state = slave_state(&c);
        if state != SlaveState::None {
            crate::server_log!(Warning, "Connection with replica {} lost.", slave_name(&c));
        }
        if srv.config.save.is_empty()
            && state == SlaveState::WaitBgsaveEnd
            && srv.rdb_state.child_type == crate::rdb::ChildType::Rdb
            && srv.repl.rdb_child_target == RdbChildTarget::Disk
        {
            let other = srv.repl.slaves.iter().any(|&f| {
                f != fd
                    && srv
                        .clients
                        .get(f as usize)
                        .and_then(|s| s.as_deref())
                        .map(|o| slave_state(o) == SlaveState::WaitBgsaveEnd)
                        .unwrap_or(false)
            });
            if !other {
                crate::rdb::child::kill_rdb_child(srv);
            }
        }
        if let Some(r) = c.repl.as_mut() {
            r.dbfile = None;
        }
        let was_writing = c.repl.as_ref().map(|r| r.pipe_writing).unwrap_or(false);
        if was_writing {
            rdb_pipe_conn_done(srv, fd, Some(&mut c));
        }
        if let Some(p) = srv.repl.rdb_pipe.as_mut() {
            for f in p.conns.iter_mut() {
                if *f == fd {
                    *f = -1;
                }
            }
        }
        let before = srv.repl.slaves.len();
        srv.repl.slaves.retain(|&f| f != fd);
        if before != srv.repl.slaves.len() && srv.repl.slaves.is_empty() {
            srv.repl.no_slaves_since = unix_s();
        }
        // Its part of the shared buffer can go.
        trim_backlog(srv, None);
        refresh_good_slaves_count(srv, None);
    }
    Some(c)
}

/// A replica's command produced a reply: Redis never lets a reply go down
/// the replication link; the replica is disconnected
/// (_addReplyToBufferOrList's check, logInvalidUseAndFreeClientAsync, and
/// afterErrorReply's "== CRITICAL ==" line for errors).
pub fn check_replica_reply(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    before: usize,
    _errs: usize,
) {
    if c.reply.buf.len() <= before || !is_replica_client(c) {
        return;
    }
    let name = srv
        .lookup_command(args)
        .ok()
        .map(|i| srv.commands.cmds[i].full_name.to_string())
        .unwrap_or_else(|| String::from_utf8_lossy(args.get(0)).to_lowercase());
    let added = c.reply.buf[before..].to_vec();
    if added.first() == Some(&b'-') {
        let end = memchr::memchr(b'\r', &added).unwrap_or(added.len());
        crate::server_log!(
            Warning,
            "== CRITICAL == This master is sending an error to its replica: '{}' after processing the command '{}'",
            String::from_utf8_lossy(&added[1..end]),
            name
        );
    }
    c.reply.buf.truncate(before);
    let info = srv.client_info_string(c);
    crate::server_log!(
        Warning,
        "Replica generated a reply to command '{}', disconnecting it: {}",
        name,
        info
    );
    srv.close_client_async(c);
}

// ---------------------------------------------------------------------------
// ACKs, WAIT, min-replicas
// ---------------------------------------------------------------------------

/// refreshGoodSlavesCount (`extra`: a replica taken out of the table).
pub fn refresh_good_slaves_count(srv: &mut Server, extra: Option<&Client>) {
    let to_write = srv.config.min_replicas_to_write;
    let max_lag = srv.config.min_replicas_max_lag;
    if to_write == 0 || max_lag == 0 {
        return;
    }
    let now = unix_s();
    let mut good = 0;
    for &fd in srv.repl.slaves.iter() {
        let c = match extra {
            Some(e) if e.fd == fd => Some(e),
            _ => srv.clients.get(fd as usize).and_then(|s| s.as_deref()),
        };
        if let Some(r) = c.and_then(|c| c.repl.as_ref()) {
            if r.state == SlaveState::Online && now - r.ack_time <= max_lag {
                good += 1;
            }
        }
    }
    srv.repl.good_slaves_count = good;
}

/// checkGoodReplicasStatus
pub fn good_replicas_ok(srv: &Server) -> bool {
    srv.repl.is_replica()
        || srv.config.min_replicas_max_lag == 0
        || srv.config.min_replicas_to_write == 0
        || srv.repl.good_slaves_count >= srv.config.min_replicas_to_write
}

/// replicationCountAcksByOffset
pub fn count_acks(srv: &Server, offset: i64) -> i64 {
    srv.repl
        .slaves
        .iter()
        .filter_map(|&fd| srv.clients.get(fd as usize).and_then(|s| s.as_deref()))
        .filter_map(|c| c.repl.as_ref())
        .filter(|r| r.state == SlaveState::Online && r.ack_off >= offset)
        .count() as i64
}

/// processClientsWaitingReplicas
pub fn process_clients_waiting_replicas(srv: &mut Server) {
    let waiting = std::mem::take(&mut srv.repl.waiting_acks);
    let mut keep = Vec::with_capacity(waiting.len());
    let mut last: Option<(i64, i64)> = None;
    for fd in waiting {
        let (off, num) = match srv.blocked_wait_params(fd) {
            Some(p) => p,
            None => continue,
        };
        if let Some((loff, lnum)) = last {
            if loff >= off && lnum >= num {
                srv.unblock_client_with_int(fd, lnum);
                continue;
            }
        }
        let n = count_acks(srv, off);
        if n >= num {
            last = Some((off, n));
            srv.unblock_client_with_int(fd, n);
        } else {
            keep.push(fd);
        }
    }
    keep.append(&mut srv.repl.waiting_acks);
    srv.repl.waiting_acks = keep;
}

/// REPLCONF GETACK * to every replica (sendGetackToReplicas).
pub fn send_getack_to_replicas(srv: &mut Server) {
    let dbid = srv.repl.slaveseldb;
    let argv = OwnedArgs::from_slices(&[b"REPLCONF", b"GETACK", b"*"]);
    feed_slaves(srv, dbid, &argv.args());
}

// ---------------------------------------------------------------------------
// Cron
// ---------------------------------------------------------------------------

/// The master half of replicationCron (called once per second).
pub fn master_cron(srv: &mut Server) {
    let now = unix_s();
    let period = srv.config.repl_ping_replica_period.max(1) as u64;
    if srv.repl.cron_loops.is_multiple_of(period) && !srv.repl.slaves.is_empty() {
        let paused_failover = srv.repl.failover_end_ms != 0 && srv.check_pause_timeout();
        if !paused_failover {
            let dbid = srv.repl.slaveseldb;
            feed_slaves(srv, dbid, &OwnedArgs::from_slices(&[b"PING"]).args());
        }
    }
    let socket_target = socket_child_running(srv);
    let timeout = srv.config.repl_timeout;
    let mut to_free = Vec::new();
    for &fd in srv.repl.slaves.iter() {
        let Some(c) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
            continue;
        };
        let Some(r) = c.repl.as_ref() else { continue };
        let presync = r.state == SlaveState::WaitBgsaveStart
            || (r.state == SlaveState::WaitBgsaveEnd && !socket_target);
        if presync {
            let _ = sys::write(fd, b"\n");
        }
        if r.state == SlaveState::Online {
            if r.pre_psync {
                continue;
            }
            if now - r.ack_time > timeout {
                crate::server_log!(
                    Warning,
                    "Disconnecting timedout replica (streaming sync): {}",
                    slave_name(c)
                );
                to_free.push(fd);
                continue;
            }
        }
        if r.state == SlaveState::WaitBgsaveEnd
            && socket_target
            && r.last_partial_write != 0
            && now - r.last_partial_write > timeout
        {
            crate::server_log!(
                Warning,
                "Disconnecting timedout replica (full sync): {}",
                slave_name(c)
            );
            to_free.push(fd);
        }
    }
    for fd in to_free {
        srv.free_client(fd);
    }
    let ttl = srv.config.repl_backlog_ttl;
    if srv.repl.slaves.is_empty() && ttl > 0 && srv.repl.backlog.is_some() && !srv.repl.is_replica()
    {
        let idle = now - srv.repl.no_slaves_since;
        if idle > ttl {
            change_replication_id(srv);
            clear_replication_id2(srv);
            free_backlog(srv);
            crate::server_log!(
                Notice,
                "Replication backlog freed after {} seconds without connected replicas.",
                ttl
            );
        }
    }
    start_pending_fork(srv);
    refresh_good_slaves_count(srv, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_gate_follows_states() {
        let mut c = Client::new(1, 9, "127.0.0.1:1".into(), String::new(), 0);
        assert!(can_write_replies(&c));
        c.flags |= flags::SLAVE;
        repl_of(&mut c).state = SlaveState::WaitBgsaveEnd;
        assert!(!can_write_replies(&c));
        assert!(is_replica_client(&c));
        repl_of(&mut c).state = SlaveState::Online;
        assert!(can_write_replies(&c));
        repl_of(&mut c).start_cmd_stream_on_ack = true;
        assert!(!can_write_replies(&c));
        c.flags |= flags::MONITOR;
        assert!(can_write_replies(&c));
        assert!(!is_replica_client(&c));
    }
}
