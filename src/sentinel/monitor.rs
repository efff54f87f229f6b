//! Monitoring (the "monitoring half" of sentinel.c): the periodic PING,
//! INFO and hello PUBLISH every instance gets (sentinelSendPeriodicCommands),
//! the reply callbacks, the parsing of INFO (sentinelRefreshInstanceInfo:
//! run id, replicas, role, replication link) with the reactions it
//! triggers, and the hello protocol that discovers other Sentinels and
//! spreads new configurations (sentinelSendHello,
//! sentinelProcessHelloMessage).
//!
//! Hello message, published every 2 s to `__sentinel__:hello` of masters
//! and replicas (received by everybody subscribed there) and sent with
//! PUBLISH straight to the other Sentinels (whose PUBLISH handles it):
//!
//! ```text
//! <ip>,<port>,<runid>,<current_epoch>,<master name>,<master ip>,<master port>,<master config epoch>
//! ```
use super::link::{self, Cb};
use super::{event, event_at, now, sri, FailoverState, Sentinel, Which};
use crate::log::Level;
use crate::resp::value::RespValue;
use crate::server::Server;

/// atoi(): the leading integer of `s`, 0 if none.
pub fn atoi(s: &str) -> i64 {
    let b = s.trim_start().as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((d - b'0') as i64);
        i += 1;
    }
    if neg {
        -n
    } else {
        n
    }
}

/// strtoull(s, NULL, 10): the leading unsigned number, 0 if none.
pub fn strtoull(s: &str) -> u64 {
    let b = s.trim_start().as_bytes();
    let mut n: u64 = 0;
    for &d in b.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((d - b'0') as u64);
    }
    n
}

/// sentinelSendPing: PING the instance; act_ping_time is the time of the
/// oldest PING still without an answer.
pub fn send_ping(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) -> bool {
    if !link::send_to(srv, s, mi, w, false, Cb::Ping, &["PING"]) {
        return false;
    }
    if let Some(l) = link::link_of_mut(s, mi, w) {
        l.last_ping_time = now();
        if l.act_ping_time == 0 {
            l.act_ping_time = l.last_ping_time;
        }
    }
    true
}

/// sentinelSendPeriodicCommands.
pub fn send_periodic_commands(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) {
    let t = now();
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    let Some(ri) = m.inst(w) else {
        return;
    };
    let Some(l) = link::link(s, ri.link) else {
        return;
    };
    if l.disconnected {
        return;
    }
    if l.pending_commands >= super::MAX_PENDING_COMMANDS * l.refcount as i64 {
        return;
    }
    // Replicas of a master in trouble, or that lost their master, are
    // polled every second.
    let info_period = if ri.flags & sri::SLAVE != 0
        && (m.ri.flags & (sri::O_DOWN | sri::FAILOVER_IN_PROGRESS) != 0
            || ri.master_link_down_time != 0)
    {
        1000
    } else {
        s.p.info_period
    };
    let ping_period = ri.down_after_period.min(s.p.ping_period);
    let send_info = ri.flags & sri::SENTINEL == 0
        && (ri.info_refresh == 0 || t - ri.info_refresh > info_period);
    let send_ping_now =
        t - l.last_pong_time > ping_period && t - l.last_ping_time > ping_period / 2;
    let send_hello_now = t - ri.last_pub_time > s.p.publish_period;
    if send_info {
        link::send_to(srv, s, mi, w, false, Cb::Info, &["INFO"]);
    }
    if send_ping_now {
        send_ping(srv, s, mi, w);
    }
    if send_hello_now {
        send_hello(srv, s, mi, w);
    }
}

/// sentinelGetCurrentMasterAddress: once the promoted replica acknowledged
/// its promotion, the master's address is the replica's.
pub fn current_master_addr(m: &super::Master) -> &super::Addr {
    if m.ri.flags & sri::FAILOVER_IN_PROGRESS != 0
        && m.failover_state >= FailoverState::ReconfSlaves
    {
        if let Some(p) = m.promoted() {
            return &m.slaves[p].addr;
        }
    }
    &m.ri.addr
}

/// sentinelSendHello.
pub fn send_hello(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) -> bool {
    let Some(m) = s.masters.get(mi) else {
        return false;
    };
    let Some(ri) = m.inst(w) else {
        return false;
    };
    let Some(l) = link::link(s, ri.link) else {
        return false;
    };
    if l.disconnected {
        return false;
    }
    let ip = match &s.announce_ip {
        Some(ip) => ip.clone(),
        None => {
            let Some(fd) = l.cc.as_ref().map(|c| c.fd) else {
                return false;
            };
            match crate::sys::net::local_addr(fd) {
                Some(a) => a.ip().to_string(),
                None => return false,
            }
        }
    };
    let port = if s.announce_port != 0 {
        s.announce_port
    } else {
        srv.config.port
    };
    let ma = current_master_addr(m);
    let payload = format!(
        "{},{},{},{},{},{},{},{}",
        ip,
        port,
        s.myid,
        s.current_epoch,
        m.ri.name,
        s.announce_addr(ma),
        ma.port,
        m.ri.config_epoch
    );
    link::send_to(
        srv,
        s,
        mi,
        w,
        false,
        Cb::Publish,
        &["PUBLISH", super::HELLO_CHANNEL, &payload],
    )
}

/// sentinelForceHelloUpdateForMaster: make every instance of the master
/// publish a hello at the next timer run.
pub fn force_hello_update_for_master(s: &mut Sentinel, mi: usize) {
    let back = s.p.publish_period + 1;
    let Some(m) = s.masters.get_mut(mi) else {
        return;
    };
    let bump = |ri: &mut super::Instance| {
        if ri.last_pub_time >= back {
            ri.last_pub_time -= back;
        }
    };
    bump(&mut m.ri);
    m.sentinels.iter_mut().for_each(bump);
    m.slaves.iter_mut().for_each(bump);
}

/// A reply arrived for a command sent on link `li` on behalf of instance
/// `id` (gone instances: the reply is discarded).
pub fn on_reply(srv: &mut Server, s: &mut Sentinel, li: usize, cb: Cb, id: u64, reply: RespValue) {
    if let Some(l) = link::link_mut(s, li) {
        l.pending_commands -= 1;
    }
    let Some((mi, w)) = s.locate(id) else {
        return;
    };
    match cb {
        Cb::Discard => {}
        Cb::Info => {
            if let RespValue::Bulk(Some(text)) = reply {
                let text = String::from_utf8_lossy(&text).into_owned();
                refresh_instance_info(srv, s, mi, w, text);
            }
        }
        Cb::Ping => ping_reply(srv, s, li, mi, w, &reply),
        Cb::Publish => {
            if !reply.is_error() {
                if let Some(ri) = s.ri_mut(mi, w) {
                    ri.last_pub_time = now();
                }
            }
        }
        Cb::IsMasterDown => super::failover::is_master_down_reply(s, mi, w, &reply),
    }
}

/// sentinelPingReplyCallback: PONG, LOADING and MASTERDOWN prove the
/// instance is available; a -BUSY of an SDOWN instance gets SCRIPT KILL.
fn ping_reply(
    srv: &mut Server,
    s: &mut Sentinel,
    li: usize,
    mi: usize,
    w: Which,
    reply: &RespValue,
) {
    let t = now();
    if let RespValue::Status(text) | RespValue::Error(text) = reply {
        if text.starts_with(b"PONG")
            || text.starts_with(b"LOADING")
            || text.starts_with(b"MASTERDOWN")
        {
            if let Some(l) = link::link_mut(s, li) {
                l.last_avail_time = t;
                l.act_ping_time = 0;
            }
            if let Some(ri) = s.ri_mut(mi, w) {
                if ri.flags & sri::MASTER_REBOOT != 0 && text.starts_with(b"PONG") {
                    ri.flags &= !sri::MASTER_REBOOT;
                }
            }
        } else if text.starts_with(b"BUSY") {
            let flags = s.ri(mi, w).map(|r| r.flags).unwrap_or(0);
            if flags & sri::S_DOWN != 0 && flags & sri::SCRIPT_KILL_SENT == 0 {
                link::send_to(srv, s, mi, w, false, Cb::Discard, &["SCRIPT", "KILL"]);
                if let Some(ri) = s.ri_mut(mi, w) {
                    ri.flags |= sri::SCRIPT_KILL_SENT;
                }
            }
        }
    }
    if let Some(l) = link::link_mut(s, li) {
        l.last_pong_time = t;
    }
}

/// sentinelMasterLooksSane.
pub fn master_looks_sane(s: &Sentinel, mi: usize) -> bool {
    let Some(m) = s.masters.get(mi) else {
        return false;
    };
    m.ri.flags & sri::MASTER != 0
        && m.ri.role_reported == sri::MASTER
        && m.ri.flags & (sri::S_DOWN | sri::O_DOWN) == 0
        && now() - m.ri.info_refresh < s.p.info_period * 2
}

/// sentinelRedisInstanceNoDownFor.
pub fn no_down_for(ri: &super::Instance, ms: i64) -> bool {
    let most_recent = ri.s_down_since_time.max(ri.o_down_since_time);
    most_recent == 0 || now() - most_recent > ms
}

/// The ip and port of a "slaveN:" INFO line (both formats).
fn parse_slave_line(l: &str) -> Option<(String, i64)> {
    if !l.contains("ip=") {
        // Old format: slave0:<ip>,<port>,<state>
        let rest = &l[l.find(':')? + 1..];
        let mut it = rest.split(',');
        let ip = it.next()?;
        let port = it.next()?;
        it.next()?;
        return Some((ip.to_string(), atoi(port)));
    }
    let ip_at = l.find("ip=")? + 3;
    let port_at = l.find("port=")? + 5;
    let ip = l[ip_at..].split(',').next().unwrap_or("");
    let port = l[port_at..].split(',').next().unwrap_or("");
    Some((ip.to_string(), atoi(port)))
}

/// sentinelRefreshInstanceInfo: parse an INFO reply, then act on it.
pub fn refresh_instance_info(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    w: Which,
    info: String,
) {
    let t = now();
    let mut role = 0u32;
    let mut new_slaves: Vec<(String, i64)> = Vec::new();
    let mut reboot = false;
    {
        let reboot_period = s
            .masters
            .get(mi)
            .map(|m| m.master_reboot_down_after_period)
            .unwrap_or(0);
        let Some(ri) = s.ri_mut(mi, w) else {
            return;
        };
        ri.master_link_down_time = 0;
        for l in info.split("\r\n") {
            if l.len() >= 47 && l.starts_with("run_id:") {
                let id = l.get(7..47).unwrap_or("").to_string();
                match &ri.runid {
                    None => ri.runid = Some(id),
                    Some(old) if *old != id => {
                        reboot = true;
                        if ri.flags & sri::MASTER != 0 && reboot_period != 0 {
                            ri.flags |= sri::MASTER_REBOOT;
                        }
                        ri.runid = Some(id);
                    }
                    _ => {}
                }
            }
            if ri.flags & sri::MASTER != 0
                && l.len() >= 7
                && l.starts_with("slave")
                && l.as_bytes()[5].is_ascii_digit()
            {
                if let Some(sl) = parse_slave_line(l) {
                    new_slaves.push(sl);
                }
            }
            if l.len() >= 32 && l.starts_with("master_link_down_since_seconds") {
                ri.master_link_down_time = atoi(l.get(31..).unwrap_or("")) * 1000;
            }
            if l.starts_with("role:master") {
                role = sri::MASTER;
            } else if l.starts_with("role:slave") {
                role = sri::SLAVE;
            }
            if role == sri::SLAVE {
                if let Some(h) = l.strip_prefix("master_host:") {
                    if ri
                        .slave_master_host
                        .as_deref()
                        .is_none_or(|old| !old.eq_ignore_ascii_case(h))
                    {
                        ri.slave_master_host = Some(h.to_string());
                        ri.slave_conf_change_time = t;
                    }
                }
                if let Some(p) = l.strip_prefix("master_port:") {
                    let p = atoi(p) as i32;
                    if ri.slave_master_port != p {
                        ri.slave_master_port = p;
                        ri.slave_conf_change_time = t;
                    }
                }
                if let Some(st) = l.strip_prefix("master_link_status:") {
                    ri.slave_master_link_up = st.eq_ignore_ascii_case("up");
                }
                if let Some(p) = l.strip_prefix("slave_priority:") {
                    ri.slave_priority = atoi(p) as i32;
                }
                if let Some(o) = l.strip_prefix("slave_repl_offset:") {
                    ri.slave_repl_offset = strtoull(o);
                }
                if let Some(a) = l.strip_prefix("replica_announced:") {
                    ri.replica_announced = atoi(a) as i32;
                }
            }
        }
        ri.info = Some(info);
    }
    if reboot {
        event_at(srv, s, Level::Notice, "+reboot", mi, w, "");
        if let Some(m) = s.masters.get_mut(mi) {
            if w == Which::Master && m.ri.flags & sri::MASTER_REBOOT != 0 {
                m.master_reboot_since_time = t;
            }
        }
    }
    // Replicas listed by a master: add the new ones.
    for (ip, port) in new_slaves {
        let known = match s.create_addr(&ip, port, false) {
            Ok(a) => {
                let name = s.announce_addr_port(&a);
                s.masters[mi].slaves.iter().any(|x| x.name == name)
            }
            Err(_) => true,
        };
        if !known {
            if let Ok(si) = s.create_slave(mi, &ip, port) {
                event_at(srv, s, Level::Notice, "+slave", mi, Which::Slave(si), "");
                super::config::flush_config(srv, s);
            }
        }
    }
    let Some(ri) = s.ri_mut(mi, w) else {
        return;
    };
    ri.info_refresh = now();

    // ---- Acting half (not in TILT mode, except the role bookkeeping). ----
    if role != ri.role_reported {
        ri.role_reported_time = now();
        ri.role_reported = role;
        if role == sri::SLAVE {
            ri.slave_conf_change_time = now();
        }
        let coherent = ri.flags & (sri::MASTER | sri::SLAVE) == role;
        let rest = format!(
            " new reported role is {}",
            if role == sri::MASTER {
                "master"
            } else {
                "slave"
            }
        );
        event_at(
            srv,
            s,
            Level::Verbose,
            if coherent {
                "+role-change"
            } else {
                "-role-change"
            },
            mi,
            w,
            &rest,
        );
    }
    if s.tilt {
        return;
    }
    let Some(ri) = s.ri(mi, w) else {
        return;
    };
    let flags = ri.flags;
    let m = &s.masters[mi];
    // A replica turned into a master.
    if flags & sri::SLAVE != 0 && role == sri::MASTER {
        if flags & sri::PROMOTED != 0
            && m.ri.flags & sri::FAILOVER_IN_PROGRESS != 0
            && m.failover_state == FailoverState::WaitPromotion
        {
            // Our promotion worked: claim the new configuration with the
            // epoch we won the election with.
            let m = &mut s.masters[mi];
            m.ri.config_epoch = m.failover_epoch;
            m.failover_state = FailoverState::ReconfSlaves;
            m.failover_state_change_time = now();
            super::config::flush_config(srv, s);
            event_at(srv, s, Level::Warning, "+promoted-slave", mi, w, "");
            if s.simfailure_flags & super::SIMFAILURE_CRASH_AFTER_PROMOTION != 0 {
                super::failover::sim_failure_crash();
            }
            event_at(
                srv,
                s,
                Level::Warning,
                "+failover-state-reconf-slaves",
                mi,
                Which::Master,
                "",
            );
            let from = s.masters[mi].ri.addr.clone();
            let to = s.ri(mi, w).map(|r| r.addr.clone());
            if let Some(to) = to {
                super::scripts::call_client_reconf_script(s, mi, true, "start", &from, &to);
            }
            force_hello_update_for_master(s, mi);
        } else {
            // Wait a bit (maybe another Sentinel reconfigured it), then
            // force our view: make it a replica again.
            let wait_time = s.p.publish_period * 4;
            if flags & sri::PROMOTED == 0
                && master_looks_sane(s, mi)
                && no_down_for(ri, wait_time)
                && now() - ri.role_reported_time > wait_time
            {
                let addr = s.masters[mi].ri.addr.clone();
                if super::failover::send_slaveof(srv, s, mi, w, Some(&addr)) {
                    event_at(srv, s, Level::Notice, "+convert-to-slave", mi, w, "");
                }
            }
        }
    }
    // A replica replicating from the wrong master.
    let Some(ri) = s.ri(mi, w) else {
        return;
    };
    let m = &s.masters[mi];
    if flags & sri::SLAVE != 0
        && role == sri::SLAVE
        && (ri.slave_master_port != m.ri.addr.port
            || !s.addr_equals_hostname(&m.ri.addr, ri.slave_master_host.as_deref().unwrap_or("")))
    {
        let wait_time = m.failover_timeout;
        if master_looks_sane(s, mi)
            && no_down_for(ri, wait_time)
            && now() - ri.slave_conf_change_time > wait_time
        {
            let addr = m.ri.addr.clone();
            if super::failover::send_slaveof(srv, s, mi, w, Some(&addr)) {
                event_at(srv, s, Level::Notice, "+fix-slave-config", mi, w, "");
            }
        }
    }
    // A replica being reconfigured moved on.
    let Some(ri) = s.ri(mi, w) else {
        return;
    };
    if flags & sri::SLAVE != 0
        && role == sri::SLAVE
        && ri.flags & (sri::RECONF_SENT | sri::RECONF_INPROG) != 0
    {
        let m = &s.masters[mi];
        let promoted = m.promoted().map(|p| m.slaves[p].addr.clone());
        if ri.flags & sri::RECONF_SENT != 0 {
            if let (Some(pa), Some(h)) = (promoted.as_ref(), ri.slave_master_host.as_deref()) {
                if s.addr_equals_hostname(pa, h) && ri.slave_master_port == pa.port {
                    if let Some(ri) = s.ri_mut(mi, w) {
                        ri.flags &= !sri::RECONF_SENT;
                        ri.flags |= sri::RECONF_INPROG;
                    }
                    event_at(srv, s, Level::Notice, "+slave-reconf-inprog", mi, w, "");
                }
            }
        }
        let Some(ri) = s.ri(mi, w) else {
            return;
        };
        if ri.flags & sri::RECONF_INPROG != 0 && ri.slave_master_link_up {
            if let Some(ri) = s.ri_mut(mi, w) {
                ri.flags &= !sri::RECONF_INPROG;
                ri.flags |= sri::RECONF_DONE;
            }
            event_at(srv, s, Level::Notice, "+slave-reconf-done", mi, w, "");
        }
    }
}

/// sentinelReceiveHelloMessages: a message on the hello channel of
/// instance `id` (ours are skipped).
pub fn on_hello_message(srv: &mut Server, s: &mut Sentinel, id: u64, reply: RespValue) {
    let Some((mi, w)) = s.locate(id) else {
        return;
    };
    if let Some(l) = link::link_of_mut(s, mi, w) {
        l.pc_last_activity = now();
    }
    let RespValue::Array(Some(items)) = reply else {
        return;
    };
    if items.len() != 3 {
        return;
    }
    let (Some(kind), Some(_), Some(payload)) = (bulk(&items[0]), bulk(&items[1]), bulk(&items[2]))
    else {
        return;
    };
    if kind != b"message" {
        return;
    }
    if !s.myid.is_empty() && memchr::memmem::find(payload, s.myid.as_bytes()).is_some() {
        return;
    }
    let payload = String::from_utf8_lossy(payload).into_owned();
    process_hello(srv, s, &payload);
}

fn bulk(v: &RespValue) -> Option<&[u8]> {
    match v {
        RespValue::Bulk(Some(b)) => Some(b),
        _ => None,
    }
}

/// Remove the Sentinels of master `mi` with this run id; returns how many.
fn remove_matching_sentinel(srv: &mut Server, s: &mut Sentinel, mi: usize, runid: &str) -> usize {
    let Some(m) = s.masters.get_mut(mi) else {
        return 0;
    };
    let mut removed = Vec::new();
    let mut i = 0;
    while i < m.sentinels.len() {
        if m.sentinels[i].runid.as_deref() == Some(runid) {
            removed.push(m.sentinels.remove(i));
        } else {
            i += 1;
        }
    }
    let n = removed.len();
    for ri in removed {
        s.release_instance(srv, ri);
    }
    n
}

/// sentinelUpdateSentinelAddressInAllMasters: the Sentinel `id` changed
/// address: copy it to the same Sentinel under the other masters and drop
/// their connections.
fn update_sentinel_address_in_all_masters(srv: &mut Server, s: &mut Sentinel, id: u64) {
    let Some((mi, Which::Sentinel(si))) = s.locate(id) else {
        return;
    };
    let (runid, addr) = {
        let ri = &s.masters[mi].sentinels[si];
        (ri.runid.clone(), ri.addr.clone())
    };
    let Some(runid) = runid else {
        return;
    };
    let mut reconfigured = 0;
    for omi in 0..s.masters.len() {
        let Some(osi) = s.sentinel_by_addr_and_runid(omi, None, Some(&runid)) else {
            continue;
        };
        let li = s.masters[omi].sentinels[osi].link;
        link::close_conn(srv, s, li, false);
        link::close_conn(srv, s, li, true);
        if omi == mi && osi == si {
            continue;
        }
        s.masters[omi].sentinels[osi].addr = addr.clone();
        reconfigured += 1;
    }
    if reconfigured > 0 {
        let rest = format!(" {} additional matching instances", reconfigured);
        event_at(
            srv,
            s,
            Level::Notice,
            "+sentinel-address-update",
            mi,
            Which::Sentinel(si),
            &rest,
        );
    }
}

/// sentinelProcessHelloMessage (from Pub/Sub or from our PUBLISH command).
pub fn process_hello(srv: &mut Server, s: &mut Sentinel, hello: &str) {
    let token: Vec<&str> = hello.split(',').collect();
    if token.len() != 8 {
        return;
    }
    let Some(mi) = s.master_index(token[4]) else {
        return;
    };
    let port = atoi(token[1]);
    let master_port = atoi(token[6]);
    let current_epoch = strtoull(token[3]);
    let master_config_epoch = strtoull(token[7]);
    let mut si_id = s
        .sentinel_by_addr_and_runid(mi, Some((token[0], port)), Some(token[2]))
        .map(|i| s.masters[mi].sentinels[i].id);
    if si_id.is_none() {
        // Unknown: a Sentinel that changed address (same run id) is
        // removed and added back; another Sentinel at the same address is
        // obsolete and removed everywhere.
        let removed = remove_matching_sentinel(srv, s, mi, token[2]);
        if removed > 0 {
            let rest = format!(" ip {} port {} for {}", token[0], port, token[2]);
            event_at(
                srv,
                s,
                Level::Notice,
                "+sentinel-address-switch",
                mi,
                Which::Master,
                &rest,
            );
        } else if let Some(other) = s.sentinel_by_addr_and_runid(mi, Some((token[0], port)), None) {
            event_at(
                srv,
                s,
                Level::Notice,
                "+sentinel-invalid-addr",
                mi,
                Which::Sentinel(other),
                "",
            );
            if let Some(obsolete) = s.masters[mi].sentinels[other].runid.clone() {
                for omi in 0..s.masters.len() {
                    remove_matching_sentinel(srv, s, omi, &obsolete);
                }
            }
        }
        if let Ok(si) = s.create_sentinel(mi, token[2], token[0], port) {
            let id = s.masters[mi].sentinels[si].id;
            if removed == 0 {
                event_at(
                    srv,
                    s,
                    Level::Notice,
                    "+sentinel",
                    mi,
                    Which::Sentinel(si),
                    "",
                );
            }
            link::try_connection_sharing(srv, s, mi, si);
            if removed > 0 {
                update_sentinel_address_in_all_masters(srv, s, id);
            }
            super::config::flush_config(srv, s);
            si_id = Some(id);
        }
    }
    // A newer epoch.
    if current_epoch > s.current_epoch {
        s.current_epoch = current_epoch;
        super::config::flush_config(srv, s);
        let rest = format!("{}", s.current_epoch);
        event(
            srv,
            s,
            Level::Warning,
            "+new-epoch",
            Some((mi, Which::Master)),
            false,
            &rest,
        );
    }
    // A newer configuration for the master.
    if let Some(id) = si_id {
        if s.masters[mi].ri.config_epoch < master_config_epoch {
            s.masters[mi].ri.config_epoch = master_config_epoch;
            let moved = {
                let ma = &s.masters[mi].ri.addr;
                master_port as i32 != ma.port || !s.addr_equals_hostname(ma, token[5])
            };
            if moved {
                if let Some((smi, sw)) = s.locate(id) {
                    event_at(srv, s, Level::Warning, "+config-update-from", smi, sw, "");
                }
                let (name, old) = {
                    let m = &s.masters[mi];
                    (m.ri.name.clone(), m.ri.addr.clone())
                };
                let rest = format!(
                    "{} {} {} {} {}",
                    name,
                    s.announce_addr(&old),
                    old.port,
                    token[5],
                    master_port
                );
                event(
                    srv,
                    s,
                    Level::Warning,
                    "+switch-master",
                    Some((mi, Which::Master)),
                    false,
                    &rest,
                );
                let _ = super::failover::reset_master_and_change_address(
                    srv,
                    s,
                    mi,
                    token[5],
                    master_port,
                );
                let new = s.masters[mi].ri.addr.clone();
                super::scripts::call_client_reconf_script(s, mi, false, "start", &old, &new);
            }
        }
        if let Some((smi, sw)) = s.locate(id) {
            if let Some(ri) = s.ri_mut(smi, sw) {
                ri.last_hello_time = now();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi("6379"), 6379);
        assert_eq!(atoi("-1"), -1);
        assert_eq!(atoi("12abc"), 12);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(strtoull("18446744073709551615"), u64::MAX);
        assert_eq!(strtoull("7,"), 7);
    }

    #[test]
    fn slave_lines() {
        assert_eq!(
            parse_slave_line("slave0:ip=127.0.0.1,port=6380,state=online,offset=1,lag=0"),
            Some(("127.0.0.1".to_string(), 6380))
        );
        assert_eq!(
            parse_slave_line("slave1:10.0.0.2,6381,online"),
            Some(("10.0.0.2".to_string(), 6381))
        );
        assert_eq!(parse_slave_line("slave1:10.0.0.2,6381"), None);
    }
}
