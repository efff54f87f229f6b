//! The replication commands: ROLE, REPLICAOF / SLAVEOF, SYNC / PSYNC,
//! REPLCONF, WAIT and FAILOVER (Redis's roleCommand, replicaofCommand,
//! syncCommand, replconfCommand, waitCommand, failoverCommand with
//! updateFailoverStatus / abortFailover / clearFailoverState).
use super::master::{self, count_acks, slave_write_hook};
use super::replica;
use super::*;
use crate::client::{flags, Args, Client};
use crate::error::{self, CmdResult, Error};
use crate::server::Server;

fn unix_s() -> i64 {
    crate::server::now_ms() / 1000
}

/// SYNC / PSYNC replid offset [FAILOVER]
pub fn sync_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    master::sync_command(srv, c, args)
}

/// REPLCONF <option> <value> [<option> <value> ...]
pub fn replconf_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(error::SYNTAX);
    }
    let mut j = 1;
    while j < args.len() {
        let opt = args.get(j);
        let val = args.get(j + 1);
        if opt.eq_ignore_ascii_case(b"listening-port") {
            let port = crate::util::string2ll(val).ok_or(error::NOT_INTEGER)?;
            repl_of(c).listening_port = port;
        } else if opt.eq_ignore_ascii_case(b"ip-address") {
            if val.len() < 256 {
                repl_of(c).announced_ip = Some(String::from_utf8_lossy(val).into_owned());
            } else {
                return Err(Error::msg(format!(
                    "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                    val.len()
                )));
            }
        } else if opt.eq_ignore_ascii_case(b"capa") {
            if val.eq_ignore_ascii_case(b"eof") {
                repl_of(c).capa |= capa::EOF;
            } else if val.eq_ignore_ascii_case(b"psync2") {
                repl_of(c).capa |= capa::PSYNC2;
            }
        } else if opt.eq_ignore_ascii_case(b"ack") {
            // No reply, ever.
            if !c.has(flags::SLAVE) {
                return Ok(());
            }
            let Some(off) = crate::util::string2ll(val) else {
                return Ok(());
            };
            let r = repl_of(c);
            if off > r.ack_off {
                r.ack_off = off;
            }
            r.ack_time = unix_s();
            if r.start_cmd_stream_on_ack && r.state == SlaveState::Online {
                // replicaStartCommandStream: the buffer flushes from now on.
                r.start_cmd_stream_on_ack = false;
                srv.mark_pending_write_always(c);
            }
            return Ok(());
        } else if opt.eq_ignore_ascii_case(b"getack") {
            if srv.repl.is_replica() && srv.repl.master_fd >= 0 {
                if c.fd == srv.repl.master_fd {
                    replica::send_ack(c);
                } else {
                    replica::send_ack_to_master(srv);
                }
            }
            return Ok(());
        } else if opt.eq_ignore_ascii_case(b"rdb-only") {
            match crate::util::string2ll(val) {
                Some(0) => repl_of(c).rdb_only = false,
                Some(1) => repl_of(c).rdb_only = true,
                _ => return Err(Error::new("ERR value is out of range, must be positive")),
            }
        } else if opt.eq_ignore_ascii_case(b"rdb-filter-only") {
            // Only "functions" (or nothing) exists; ferrodis has no
            // functions, so a filtered RDB is an RDB without data: accepted.
            for w in val.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
                if !w.eq_ignore_ascii_case(b"functions") {
                    return Err(Error::msg(format!(
                        "ERR Unsupported rdb-filter-only option: {}",
                        String::from_utf8_lossy(w)
                    )));
                }
            }
        } else {
            return Err(Error::msg(format!(
                "ERR Unrecognized REPLCONF option: {}",
                String::from_utf8_lossy(opt)
            )));
        }
        j += 2;
    }
    c.reply.ok();
    Ok(())
}

/// REPLICAOF host port | NO ONE (and its alias SLAVEOF)
pub fn replicaof_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if srv.config.cluster_enabled {
        return Err(Error::new("ERR REPLICAOF not allowed in cluster mode."));
    }
    if srv.repl.failover != FailoverState::None {
        return Err(Error::new("ERR REPLICAOF not allowed while failing over."));
    }
    if args.get(1).eq_ignore_ascii_case(b"no") && args.get(2).eq_ignore_ascii_case(b"one") {
        if srv.repl.is_replica() {
            replica::unset_master(srv);
            let info = srv.client_info_string(c);
            crate::server_log!(Notice, "MASTER MODE enabled (user request from '{}')", info);
        }
    } else {
        if c.has(flags::SLAVE) {
            return Err(Error::new(
                "ERR Command is not valid when client is a replica.",
            ));
        }
        let port = match crate::util::string2ll(args.get(2)) {
            Some(p) if (0..=65535).contains(&p) => p as u16,
            _ => return Err(Error::new("ERR Invalid master port")),
        };
        let host = String::from_utf8_lossy(args.get(1)).into_owned();
        if let Some(h) = &srv.repl.masterhost {
            if h.eq_ignore_ascii_case(&host) && srv.repl.masterport == port {
                crate::server_log!(Notice, "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
                c.reply.status(b"OK Already connected to specified master");
                return Ok(());
            }
        }
        replica::set_master(srv, &host, port);
        let info = srv.client_info_string(c);
        crate::server_log!(
            Notice,
            "REPLICAOF {}:{} enabled (user request from '{}')",
            host,
            port,
            info
        );
    }
    c.reply.ok();
    Ok(())
}

/// ROLE
pub fn role_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if !srv.repl.is_replica() {
        c.reply.array_len(3);
        c.reply.bulk(b"master");
        c.reply.int(srv.repl.master_repl_offset);
        let mut rows: Vec<(String, i64, i64)> = Vec::new();
        for &fd in srv.repl.slaves.iter() {
            let Some(s) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
                continue;
            };
            let Some(r) = s.repl.as_ref() else { continue };
            if r.state != SlaveState::Online {
                continue;
            }
            let ip = r
                .announced_ip
                .clone()
                .unwrap_or_else(|| peer_ip(&s.addr).to_string());
            rows.push((ip, r.listening_port, r.ack_off));
        }
        c.reply.array_len(rows.len());
        for (ip, port, off) in rows {
            c.reply.array_len(3);
            c.reply.bulk(ip.as_bytes());
            c.reply.bulk(port.to_string().as_bytes());
            c.reply.bulk(off.to_string().as_bytes());
        }
    } else {
        c.reply.array_len(5);
        c.reply.bulk(b"slave");
        c.reply
            .bulk(srv.repl.masterhost.as_deref().unwrap_or("").as_bytes());
        c.reply.int(srv.repl.masterport as i64);
        let st = srv.repl.state;
        let s = if st.is_handshake() {
            "handshake"
        } else {
            match st {
                LinkState::None => "none",
                LinkState::Connect => "connect",
                LinkState::Connecting => "connecting",
                LinkState::Transfer => "sync",
                LinkState::Connected => "connected",
                _ => "unknown",
            }
        };
        c.reply.bulk(s.as_bytes());
        let off = if srv.repl.master_fd >= 0 {
            srv.clients
                .get(srv.repl.master_fd as usize)
                .and_then(|s| s.as_deref())
                .and_then(|m| m.repl.as_ref())
                .map(|r| r.reploff)
                .unwrap_or(-1)
        } else {
            -1
        };
        c.reply.int(off);
    }
    Ok(())
}

/// WAIT numreplicas timeout
pub fn wait_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if srv.repl.is_replica() {
        return Err(Error::new("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."));
    }
    let numreplicas = crate::util::string2ll(args.get(1)).ok_or(error::NOT_INTEGER)?;
    let t = crate::util::string2ll(args.get(2))
        .ok_or_else(|| Error::new("ERR timeout is not an integer or out of range"))?;
    if t < 0 {
        return Err(Error::new("ERR timeout is negative"));
    }
    let timeout = if t > 0 {
        if t > i64::MAX - srv.now_ms {
            return Err(Error::new("ERR timeout is out of range"));
        }
        srv.now_ms + t
    } else {
        0
    };
    let offset = c.woff;
    let acks = count_acks(srv, offset);
    if acks >= numreplicas || c.has(flags::MULTI) || srv.in_exec {
        c.reply.int(acks);
        return Ok(());
    }
    srv.block_client_for_wait(c, args, timeout, offset, numreplicas);
    srv.repl.waiting_acks.insert(0, c.fd);
    srv.repl.get_ack_from_slaves = true;
    Ok(())
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]
pub fn failover_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if srv.config.cluster_enabled {
        return Err(Error::new(
            "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.",
        ));
    }
    if args.len() == 2 && args.get(1).eq_ignore_ascii_case(b"abort") {
        if srv.repl.failover == FailoverState::None {
            return Err(Error::new("ERR No failover in progress."));
        }
        abort_failover(srv, "Failover manually aborted");
        c.reply.ok();
        return Ok(());
    }
    let mut timeout_ms: i64 = 0;
    let mut force = false;
    let mut target: Option<(String, i64)> = None;
    let mut j = 1;
    while j < args.len() {
        let a = args.get(j);
        if a.eq_ignore_ascii_case(b"timeout") && j + 1 < args.len() && timeout_ms == 0 {
            timeout_ms = crate::util::string2ll(args.get(j + 1)).ok_or(error::NOT_INTEGER)?;
            if timeout_ms <= 0 {
                return Err(Error::new("ERR FAILOVER timeout must be greater than 0"));
            }
            j += 2;
        } else if a.eq_ignore_ascii_case(b"to") && j + 2 < args.len() && target.is_none() {
            let port = crate::util::string2ll(args.get(j + 2)).ok_or(error::NOT_INTEGER)?;
            target = Some((String::from_utf8_lossy(args.get(j + 1)).into_owned(), port));
            j += 3;
        } else if a.eq_ignore_ascii_case(b"force") && !force {
            force = true;
            j += 1;
        } else {
            return Err(error::SYNTAX);
        }
    }
    if srv.repl.failover != FailoverState::None {
        return Err(Error::new("ERR FAILOVER already in progress."));
    }
    if srv.repl.is_replica() {
        return Err(Error::new(
            "ERR FAILOVER is not valid when server is a replica.",
        ));
    }
    if srv.repl.slaves.is_empty() {
        return Err(Error::new("ERR FAILOVER requires connected replicas."));
    }
    if force && (timeout_ms == 0 || target.is_none()) {
        return Err(Error::new(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        ));
    }
    if let Some((host, port)) = &target {
        match find_replica(srv, host, *port) {
            None => {
                return Err(Error::new(
                    "ERR FAILOVER target HOST and PORT is not a replica.",
                ))
            }
            Some(st) if st != SlaveState::Online => {
                return Err(Error::new("ERR FAILOVER target replica is not online."))
            }
            _ => {}
        }
        srv.repl.failover_target = Some((host.clone(), (*port).clamp(0, 65535) as u16));
        crate::server_log!(Notice, "FAILOVER requested to {}:{}.", host, port);
    } else {
        crate::server_log!(Notice, "FAILOVER requested to any replica.");
    }
    srv.repl.failover_end_ms = if timeout_ms > 0 {
        crate::server::now_ms() + timeout_ms
    } else {
        0
    };
    srv.repl.failover_force = force;
    srv.repl.failover = FailoverState::WaitForSync;
    pause_for_failover(srv, true);
    c.reply.ok();
    Ok(())
}

/// pauseClients(PAUSE_DURING_FAILOVER, CLIENT_PAUSE_WRITE) / unpause.
fn pause_for_failover(srv: &mut Server, on: bool) {
    use crate::server::pause::{PausePurpose, PauseType};
    srv.repl.failover_paused = on;
    if on {
        srv.pause_clients(PausePurpose::Failover, i64::MAX, PauseType::Write);
    } else {
        srv.unpause_clients(PausePurpose::Failover);
    }
}

/// findReplica: the state of the replica announced as host:port.
fn find_replica(srv: &Server, host: &str, port: i64) -> Option<SlaveState> {
    for &fd in srv.repl.slaves.iter() {
        let Some(s) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
            continue;
        };
        let Some(r) = s.repl.as_ref() else { continue };
        let ip = r
            .announced_ip
            .clone()
            .unwrap_or_else(|| peer_ip(&s.addr).to_string());
        if ip.eq_ignore_ascii_case(host) && r.listening_port == port {
            return Some(r.state);
        }
    }
    None
}

/// clearFailoverState
pub fn clear_failover_state(srv: &mut Server) {
    srv.repl.failover_end_ms = 0;
    srv.repl.failover_force = false;
    srv.repl.failover_target = None;
    srv.repl.failover = FailoverState::None;
    pause_for_failover(srv, false);
}

/// abortFailover
pub fn abort_failover(srv: &mut Server, err: &str) {
    if srv.repl.failover == FailoverState::None {
        return;
    }
    match &srv.repl.failover_target {
        Some((h, p)) => crate::server_log!(Notice, "FAILOVER to {}:{} aborted: {}", h, p, err),
        None => crate::server_log!(Notice, "FAILOVER to any replica aborted: {}", err),
    }
    if srv.repl.failover == FailoverState::InProgress {
        replica::unset_master(srv);
    }
    clear_failover_state(srv);
}

/// updateFailoverStatus (from replicationCron).
pub fn update_failover_status(srv: &mut Server) {
    if srv.repl.failover != FailoverState::WaitForSync {
        return;
    }
    let now = crate::server::now_ms();
    if srv.repl.failover_end_ms != 0 && srv.repl.failover_end_ms <= now {
        if srv.repl.failover_force {
            if let Some((h, p)) = srv.repl.failover_target.clone() {
                crate::server_log!(
                    Notice,
                    "FAILOVER to {}:{} time out exceeded, failing over.",
                    h,
                    p
                );
                srv.repl.failover = FailoverState::InProgress;
                replica::set_master(srv, &h, p);
            }
        } else {
            abort_failover(srv, "Replica never caught up before timeout");
        }
        return;
    }
    let master_off = srv.repl.master_repl_offset;
    let mut caught_up: Option<(String, u16)> = None;
    for &fd in srv.repl.slaves.iter() {
        let Some(s) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
            continue;
        };
        let Some(r) = s.repl.as_ref() else { continue };
        let ip = r
            .announced_ip
            .clone()
            .unwrap_or_else(|| peer_ip(&s.addr).to_string());
        let port = r.listening_port.clamp(0, 65535) as u16;
        match &srv.repl.failover_target {
            Some((h, p)) => {
                if ip.eq_ignore_ascii_case(h) && port == *p {
                    if r.ack_off == master_off {
                        caught_up = Some((h.clone(), *p));
                    }
                    break;
                }
            }
            None => {
                if r.ack_off == master_off {
                    caught_up = Some((ip, port));
                    break;
                }
            }
        }
    }
    if let Some((h, p)) = caught_up {
        srv.repl.failover_target = Some((h.clone(), p));
        srv.repl.failover = FailoverState::InProgress;
        crate::server_log!(
            Notice,
            "Failover target {}:{} is synced, failing over.",
            h,
            p
        );
        replica::set_master(srv, &h, p);
    }
}

/// The write hook re-exported for the server's write path.
pub fn write_hook(srv: &mut Server, fd: RawFd) -> bool {
    slave_write_hook(srv, fd)
}
