//! The INFO `# Replication` section (genRedisInfoString's replication part),
//! field for field and in Redis 7.0.15's order.
use super::*;
use crate::server::Server;
use std::fmt::Write;

/// The section's lines (CRLF-terminated), without the "# Replication" title.
pub fn replication_section(srv: &Server) -> String {
    let r = &srv.repl;
    let now = crate::server::now_ms() / 1000;
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        "role:{}\r\n",
        if r.is_replica() { "slave" } else { "master" }
    );
    if let Some(host) = &r.masterhost {
        let master = if r.master_fd >= 0 {
            srv.clients
                .get(r.master_fd as usize)
                .and_then(|s| s.as_deref())
        } else {
            None
        };
        let (reploff, read_reploff) = match master
            .and_then(|m| m.repl.as_ref())
            .or_else(|| r.cached_master.as_ref().and_then(|c| c.repl.as_ref()))
        {
            Some(mr) => (mr.reploff, mr.read_reploff),
            None => (1, 1),
        };
        let _ = write!(
            out,
            "master_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{}\r\nslave_repl_offset:{}\r\n",
            host,
            r.masterport,
            if r.state == LinkState::Connected { "up" } else { "down" },
            match master {
                Some(m) => now - m.last_interaction_ms / 1000,
                None => -1,
            },
            (r.state == LinkState::Transfer) as i32,
            read_reploff,
            reploff
        );
        if r.state == LinkState::Transfer {
            let t = &r.transfer;
            let perc = if t.size > 0 {
                t.read as f64 / t.size as f64 * 100.0
            } else {
                0.0
            };
            let _ = write!(
                out,
                "master_sync_total_bytes:{}\r\nmaster_sync_read_bytes:{}\r\nmaster_sync_left_bytes:{}\r\nmaster_sync_perc:{:.2}\r\nmaster_sync_last_io_seconds_ago:{}\r\n",
                t.size,
                t.read,
                t.size - t.read,
                perc,
                now - t.lastio
            );
        }
        if r.state != LinkState::Connected {
            let _ = write!(
                out,
                "master_link_down_since_seconds:{}\r\n",
                if r.down_since != 0 {
                    now - r.down_since
                } else {
                    -1
                }
            );
        }
        let _ = write!(
            out,
            "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:{}\r\n",
            srv.config.replica_priority,
            srv.config.replica_read_only as i32,
            srv.config.replica_announced as i32
        );
    }
    let _ = write!(out, "connected_slaves:{}\r\n", r.slaves.len());
    if srv.config.min_replicas_to_write > 0 && srv.config.min_replicas_max_lag > 0 {
        let _ = write!(out, "min_slaves_good_slaves:{}\r\n", r.good_slaves_count);
    }
    let mut id = 0;
    for &fd in r.slaves.iter() {
        let Some(s) = srv.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
            continue;
        };
        let Some(sr) = s.repl.as_ref() else { continue };
        let state = sr.state.as_str();
        if state.is_empty() {
            continue;
        }
        let ip = sr
            .announced_ip
            .clone()
            .unwrap_or_else(|| peer_ip(&s.addr).to_string());
        let lag = if sr.state == SlaveState::Online {
            now - sr.ack_time
        } else {
            0
        };
        let _ = write!(
            out,
            "slave{}:ip={},port={},state={},offset={},lag={}\r\n",
            id, ip, sr.listening_port, state, sr.ack_off, lag
        );
        id += 1;
    }
    let (bl_active, bl_first, bl_hist) = match &r.backlog {
        Some(b) => (1, b.offset, b.histlen),
        None => (0, 0, 0),
    };
    let _ = write!(
        out,
        "master_failover_state:{}\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{}\r\nsecond_repl_offset:{}\r\nrepl_backlog_active:{}\r\nrepl_backlog_size:{}\r\nrepl_backlog_first_byte_offset:{}\r\nrepl_backlog_histlen:{}\r\n",
        r.failover.as_str(),
        r.replid,
        r.replid2,
        r.master_repl_offset,
        r.second_replid_offset,
        bl_active,
        srv.config.repl_backlog_size,
        bl_first,
        bl_hist
    );
    out
}

/// INFO memory's replication figures, as Redis's getMemoryOverheadData:
/// (mem_total_replication_buffers, mem_replication_backlog,
/// mem_clients_slaves). The shared buffer counts as backlog up to
/// repl-backlog-size while replicas are connected, the rest as theirs.
pub fn replication_memory(srv: &Server) -> (usize, usize, usize) {
    let total = srv.repl.backlog.as_ref().map(|b| b.memory()).unwrap_or(0);
    let backlog_size = srv.config.repl_backlog_size.max(0) as usize;
    let own: usize = srv
        .repl
        .slaves
        .iter()
        .filter_map(|&fd| srv.clients.get(fd as usize).and_then(|s| s.as_deref()))
        .map(|c| c.reply.pending())
        .sum();
    if !srv.repl.slaves.is_empty() && total > backlog_size {
        (total, backlog_size, total - backlog_size + own)
    } else {
        (total, total, own)
    }
}
