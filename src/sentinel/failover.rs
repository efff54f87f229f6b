//! Failure detection and failover (the "acting half" of sentinel.c).
//!
//! * SDOWN (sentinelCheckSubjectivelyDown): no valid PING reply for
//!   down-after-milliseconds, a master reporting itself as a replica for too
//!   long, or a rebooted master not answering PONG within
//!   master-reboot-down-after-period. Links that look stuck are dropped
//!   and reconnected on the way.
//! * ODOWN (sentinelCheckObjectivelyDown): SDOWN here plus `quorum - 1`
//!   other Sentinels answering 1 to SENTINEL IS-MASTER-DOWN-BY-ADDR, asked
//!   every ask-period while we see the master down.
//! * Election: a Sentinel starting a failover bumps the current epoch and
//!   asks the others for their vote (same command, with its run id); each
//!   Sentinel votes once per epoch, for the first asker. The leader needs the
//!   majority of the known Sentinels and at least `quorum` votes.
//! * The failover state machine, one step per timer run:
//!
//! ```text
//! WAIT_START ─elected─► SELECT_SLAVE ─► SEND_SLAVEOF_NOONE ─► WAIT_PROMOTION
//!   (abort if not elected          (abort: no good       (abort after
//!    within the election timeout)   replica)               failover-timeout)
//! ─INFO says role:master─► RECONF_SLAVES (SLAVEOF <new> to parallel-syncs
//!   replicas at a time) ─all done or timeout─► UPDATE_CONFIG ─► +switch-master
//! ```
//!
//! Every reconfiguration is sent as MULTI / SLAVEOF / CONFIG REWRITE /
//! CLIENT KILL TYPE normal / CLIENT KILL TYPE pubsub / EXEC, so clients of
//! the reconfigured instance reconnect and ask the Sentinels again.
use super::link::{self, Cb};
use super::monitor::current_master_addr;
use super::{event, event_at, now, sri, Addr, FailoverState, Sentinel, Which, MAX_DESYNC};
use crate::log::Level;
use crate::resp::value::RespValue;
use crate::server::Server;

/// sentinelCheckSubjectivelyDown.
pub fn check_subjectively_down(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) {
    let t = now();
    let Some(ri) = s.ri(mi, w) else {
        return;
    };
    let (li, down_after, flags, role_reported, role_reported_time) = (
        ri.link,
        ri.down_after_period,
        ri.flags,
        ri.role_reported,
        ri.role_reported_time,
    );
    let Some(l) = link::link(s, li) else {
        return;
    };
    let elapsed = if l.act_ping_time != 0 {
        t - l.act_ping_time
    } else if l.disconnected {
        t - l.last_avail_time
    } else {
        0
    };
    // A command link connected long enough, with a PING pending for half
    // the timeout and no reply at all meanwhile: reconnect it.
    if l.cc.is_some()
        && t - l.cc_conn_time > s.p.min_link_reconnect_period
        && l.act_ping_time != 0
        && t - l.act_ping_time > down_after / 2
        && t - l.last_pong_time > down_after / 2
    {
        link::close_conn(srv, s, li, false);
    }
    // A Pub/Sub link silent for three publish periods: reconnect it.
    if let Some(l) = link::link(s, li) {
        if l.pc.is_some()
            && t - l.pc_conn_time > s.p.min_link_reconnect_period
            && t - l.pc_last_activity > s.p.publish_period * 3
        {
            link::close_conn(srv, s, li, true);
        }
    }
    let (reboot_period, reboot_since) = s
        .masters
        .get(mi)
        .map(|m| {
            (
                m.master_reboot_down_after_period,
                m.master_reboot_since_time,
            )
        })
        .unwrap_or((0, 0));
    let down = elapsed > down_after
        || (flags & sri::MASTER != 0
            && role_reported == sri::SLAVE
            && t - role_reported_time > down_after + s.p.info_period * 2)
        || (flags & sri::MASTER_REBOOT != 0 && t - reboot_since > reboot_period);
    if down {
        if flags & sri::S_DOWN == 0 {
            event_at(srv, s, Level::Warning, "+sdown", mi, w, "");
            if let Some(ri) = s.ri_mut(mi, w) {
                ri.s_down_since_time = now();
                ri.flags |= sri::S_DOWN;
            }
        }
    } else if flags & sri::S_DOWN != 0 {
        event_at(srv, s, Level::Warning, "-sdown", mi, w, "");
        if let Some(ri) = s.ri_mut(mi, w) {
            ri.flags &= !(sri::S_DOWN | sri::SCRIPT_KILL_SENT);
        }
    }
}

/// sentinelCheckObjectivelyDown.
pub fn check_objectively_down(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    let mut quorum = 0u32;
    let mut odown = false;
    if m.ri.flags & sri::S_DOWN != 0 {
        quorum = 1 + m
            .sentinels
            .iter()
            .filter(|r| r.flags & sri::MASTER_DOWN != 0)
            .count() as u32;
        odown = quorum >= m.quorum;
    }
    let (flags, need) = (m.ri.flags, m.quorum);
    if odown {
        if flags & sri::O_DOWN == 0 {
            let rest = format!(" #quorum {}/{}", quorum, need);
            event_at(srv, s, Level::Warning, "+odown", mi, Which::Master, &rest);
            let m = &mut s.masters[mi];
            m.ri.flags |= sri::O_DOWN;
            m.ri.o_down_since_time = now();
        }
    } else if flags & sri::O_DOWN != 0 {
        event_at(srv, s, Level::Warning, "-odown", mi, Which::Master, "");
        s.masters[mi].ri.flags &= !sri::O_DOWN;
    }
}

/// sentinelReceiveIsMasterDownReply: [down 0|1, leader run id or "*",
/// leader epoch].
pub fn is_master_down_reply(s: &mut Sentinel, mi: usize, w: Which, reply: &RespValue) {
    let RespValue::Array(Some(items)) = reply else {
        return;
    };
    let (
        Some(RespValue::Int(down)),
        Some(RespValue::Bulk(Some(leader))),
        Some(RespValue::Int(epoch)),
    ) = (items.first(), items.get(1), items.get(2))
    else {
        return;
    };
    if items.len() != 3 {
        return;
    }
    let Some(ri) = s.ri_mut(mi, w) else {
        return;
    };
    ri.last_master_down_reply_time = now();
    if *down == 1 {
        ri.flags |= sri::MASTER_DOWN;
    } else {
        ri.flags &= !sri::MASTER_DOWN;
    }
    if leader.as_slice() != b"*" {
        let leader = String::from_utf8_lossy(leader).into_owned();
        if ri.leader_epoch as i64 != *epoch {
            crate::server_log!(
                Warning,
                "{} voted for {} {}",
                ri.name,
                leader,
                *epoch as u64
            );
        }
        ri.leader = Some(leader);
        ri.leader_epoch = *epoch as u64;
    }
}

/// sentinelAskMasterStateToOtherSentinels: while we see the master down,
/// ask every connected Sentinel (each ask-period, or now when `forced`);
/// during a failover the request also asks for a vote.
pub fn ask_master_state_to_other_sentinels(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    forced: bool,
) {
    let t = now();
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    let n = m.sentinels.len();
    for si in 0..n {
        let m = &mut s.masters[mi];
        let master_down = m.ri.flags & sri::S_DOWN != 0;
        let ri = &mut m.sentinels[si];
        let elapsed = t - ri.last_master_down_reply_time;
        if elapsed > s.p.ask_period * 5 {
            ri.flags &= !sri::MASTER_DOWN;
            ri.leader = None;
        }
        if !master_down {
            continue;
        }
        let li = ri.link;
        let last = ri.last_master_down_reply_time;
        if link::link(s, li).is_none_or(|l| l.disconnected) {
            continue;
        }
        if !forced && t - last < s.p.ask_period {
            continue;
        }
        let m = &s.masters[mi];
        let ip = s.announce_addr(&m.ri.addr).to_string();
        let port = m.ri.addr.port.to_string();
        let epoch = s.current_epoch.to_string();
        let runid = if m.failover_state > FailoverState::None {
            s.myid.clone()
        } else {
            "*".to_string()
        };
        link::send_to(
            srv,
            s,
            mi,
            Which::Sentinel(si),
            false,
            Cb::IsMasterDown,
            &[
                "SENTINEL",
                "is-master-down-by-addr",
                &ip,
                &port,
                &epoch,
                &runid,
            ],
        );
    }
}

/// sentinelSimFailureCrash.
pub fn sim_failure_crash() -> ! {
    crate::server_log!(
        Warning,
        "Sentinel CRASH because of SENTINEL simulate-failure"
    );
    std::process::exit(99);
}

/// sentinelVoteLeader: vote for `req_runid` in `req_epoch` unless we already
/// voted in that epoch; returns our vote and its epoch.
pub fn vote_leader(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    req_epoch: u64,
    req_runid: &str,
) -> (Option<String>, u64) {
    if req_epoch > s.current_epoch {
        s.current_epoch = req_epoch;
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
    let Some(m) = s.masters.get_mut(mi) else {
        return (None, 0);
    };
    if m.ri.leader_epoch < req_epoch && s.current_epoch <= req_epoch {
        m.ri.leader = Some(req_runid.to_string());
        m.ri.leader_epoch = s.current_epoch;
        super::config::flush_config(srv, s);
        let m = &s.masters[mi];
        let rest = format!("{} {}", req_runid, m.ri.leader_epoch);
        event(
            srv,
            s,
            Level::Warning,
            "+vote-for-leader",
            Some((mi, Which::Master)),
            false,
            &rest,
        );
        // Voting for somebody else delays our own failover attempt.
        if !req_runid.eq_ignore_ascii_case(&s.myid) {
            let jitter = (srv.rng.next_u64() % MAX_DESYNC as u64) as i64;
            s.masters[mi].failover_start_time = now() + jitter;
        }
    }
    let m = &s.masters[mi];
    (m.ri.leader.clone(), m.ri.leader_epoch)
}

/// sentinelGetLeader: the Sentinel with the majority of the votes for
/// `epoch` (and at least quorum votes), voting ourselves on the way.
pub fn get_leader(srv: &mut Server, s: &mut Sentinel, mi: usize, epoch: u64) -> Option<String> {
    let m = s.masters.get(mi)?;
    let voters = m.sentinels.len() as u64 + 1;
    let mut counters: Vec<(String, u64)> = Vec::new();
    let incr = |counters: &mut Vec<(String, u64)>, id: &str| -> u64 {
        match counters.iter_mut().find(|(k, _)| k == id) {
            Some((_, v)) => {
                *v += 1;
                *v
            }
            None => {
                counters.push((id.to_string(), 1));
                1
            }
        }
    };
    for ri in &m.sentinels {
        if let Some(l) = &ri.leader {
            if ri.leader_epoch == s.current_epoch {
                incr(&mut counters, l);
            }
        }
    }
    let mut winner: Option<String> = None;
    let mut max_votes = 0;
    for (k, v) in &counters {
        if *v > max_votes {
            max_votes = *v;
            winner = Some(k.clone());
        }
    }
    let candidate = winner.clone().unwrap_or_else(|| s.myid.clone());
    let (myvote, leader_epoch) = vote_leader(srv, s, mi, epoch, &candidate);
    if let Some(v) = myvote {
        if leader_epoch == epoch {
            let votes = incr(&mut counters, &v);
            if votes > max_votes {
                max_votes = votes;
                winner = Some(v);
            }
        }
    }
    let quorum = s.masters.get(mi).map(|m| m.quorum as u64).unwrap_or(0);
    let voters_quorum = voters / 2 + 1;
    if winner.is_some() && (max_votes < voters_quorum || max_votes < quorum) {
        winner = None;
    }
    winner
}

/// sentinelSendSlaveOf: reconfigure instance (mi, w) as a replica of
/// `addr` (None: SLAVEOF NO ONE) in one transaction that also rewrites its
/// config and kills its normal and Pub/Sub clients.
pub fn send_slaveof(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    w: Which,
    addr: Option<&Addr>,
) -> bool {
    let (host, port) = match addr {
        None => ("NO".to_string(), "ONE".to_string()),
        Some(a) => (s.announce_addr(a).to_string(), a.port.to_string()),
    };
    let cmds: [&[&str]; 6] = [
        &["MULTI"],
        &["SLAVEOF", &host, &port],
        &["CONFIG", "REWRITE"],
        &["CLIENT", "KILL", "TYPE", "normal"],
        &["CLIENT", "KILL", "TYPE", "pubsub"],
        &["EXEC"],
    ];
    for c in cmds {
        if !link::send_to(srv, s, mi, w, false, Cb::Discard, c) {
            return false;
        }
    }
    true
}

/// sentinelStartFailover.
pub fn start_failover(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    s.current_epoch += 1;
    let epoch = s.current_epoch;
    {
        let m = &mut s.masters[mi];
        m.failover_state = FailoverState::WaitStart;
        m.ri.flags |= sri::FAILOVER_IN_PROGRESS;
        m.failover_epoch = epoch;
    }
    let rest = format!("{}", epoch);
    event(
        srv,
        s,
        Level::Warning,
        "+new-epoch",
        Some((mi, Which::Master)),
        false,
        &rest,
    );
    event_at(
        srv,
        s,
        Level::Warning,
        "+try-failover",
        mi,
        Which::Master,
        "",
    );
    let jitter = (srv.rng.next_u64() % MAX_DESYNC as u64) as i64;
    let m = &mut s.masters[mi];
    m.failover_start_time = now() + jitter;
    m.failover_state_change_time = now();
}

/// ctime(3) without the newline: "Sun Nov 22 13:11:30 2026".
fn ctime(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mon, d, h, mi, sec) = crate::sys::localtime(secs);
    // Sakamoto's day of the week.
    let t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let yy = if mon < 2 { y - 1 } else { y };
    let wd = (yy + yy / 4 - yy / 100 + yy / 400 + t[mon.clamp(0, 11) as usize] + d).rem_euclid(7);
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        DAYS[wd as usize],
        MONTHS[mon.clamp(0, 11) as usize],
        d,
        h,
        mi,
        sec,
        y
    )
}

/// sentinelStartFailoverIfNeeded: ODOWN, no failover running, and none
/// attempted within twice the failover timeout.
pub fn start_failover_if_needed(srv: &mut Server, s: &mut Sentinel, mi: usize) -> bool {
    let Some(m) = s.masters.get_mut(mi) else {
        return false;
    };
    if m.ri.flags & sri::O_DOWN == 0 || m.ri.flags & sri::FAILOVER_IN_PROGRESS != 0 {
        return false;
    }
    if now() - m.failover_start_time < m.failover_timeout * 2 {
        if m.failover_delay_logged != m.failover_start_time {
            let clock = (m.failover_start_time + m.failover_timeout * 2) / 1000;
            m.failover_delay_logged = m.failover_start_time;
            crate::server_log!(
                Warning,
                "Next failover delay: I will not start a failover before {}",
                ctime(clock)
            );
        }
        return false;
    }
    start_failover(srv, s, mi);
    true
}

/// sentinelSelectSlave: the best replica to promote, or None.
pub fn select_slave(s: &Sentinel, mi: usize) -> Option<usize> {
    let m = s.masters.get(mi)?;
    let t = now();
    let mut max_master_down_time = 0;
    if m.ri.flags & sri::S_DOWN != 0 {
        max_master_down_time += t - m.ri.s_down_since_time;
    }
    max_master_down_time += m.ri.down_after_period * 10;
    let mut candidates: Vec<usize> = Vec::new();
    for (i, sl) in m.slaves.iter().enumerate() {
        if sl.flags & (sri::S_DOWN | sri::O_DOWN) != 0 {
            continue;
        }
        let Some(l) = link::link(s, sl.link) else {
            continue;
        };
        if l.disconnected {
            continue;
        }
        if t - l.last_avail_time > s.p.ping_period * 5 {
            continue;
        }
        if sl.slave_priority == 0 {
            continue;
        }
        let info_validity_time = if m.ri.flags & sri::S_DOWN != 0 {
            s.p.ping_period * 5
        } else {
            s.p.info_period * 3
        };
        if t - sl.info_refresh > info_validity_time {
            continue;
        }
        if sl.master_link_down_time > max_master_down_time {
            continue;
        }
        candidates.push(i);
    }
    // Lower priority, then larger offset, then smaller run id (none last).
    candidates.sort_by(|&a, &b| {
        let (a, b) = (&m.slaves[a], &m.slaves[b]);
        a.slave_priority
            .cmp(&b.slave_priority)
            .then(b.slave_repl_offset.cmp(&a.slave_repl_offset))
            .then_with(|| match (&a.runid, &b.runid) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) => x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()),
            })
    });
    candidates.first().copied()
}

/// sentinelAbortFailover (only before the promotion was acknowledged).
pub fn abort_failover(s: &mut Sentinel, mi: usize) {
    let Some(m) = s.masters.get_mut(mi) else {
        return;
    };
    m.ri.flags &= !(sri::FAILOVER_IN_PROGRESS | sri::FORCE_FAILOVER);
    m.failover_state = FailoverState::None;
    m.failover_state_change_time = now();
    if let Some(p) = m.promoted() {
        m.slaves[p].flags &= !sri::PROMOTED;
    }
    m.promoted_slave = None;
}

fn failover_wait_start(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let epoch = s.masters[mi].failover_epoch;
    let leader = get_leader(srv, s, mi, epoch);
    let isleader = leader.is_some_and(|l| l.eq_ignore_ascii_case(&s.myid));
    let m = &s.masters[mi];
    if !isleader && m.ri.flags & sri::FORCE_FAILOVER == 0 {
        let election_timeout = s.p.election_timeout.min(m.failover_timeout);
        if now() - m.failover_start_time > election_timeout {
            event_at(
                srv,
                s,
                Level::Warning,
                "-failover-abort-not-elected",
                mi,
                Which::Master,
                "",
            );
            abort_failover(s, mi);
        }
        return;
    }
    event_at(
        srv,
        s,
        Level::Warning,
        "+elected-leader",
        mi,
        Which::Master,
        "",
    );
    if s.simfailure_flags & super::SIMFAILURE_CRASH_AFTER_ELECTION != 0 {
        sim_failure_crash();
    }
    let m = &mut s.masters[mi];
    m.failover_state = FailoverState::SelectSlave;
    m.failover_state_change_time = now();
    event_at(
        srv,
        s,
        Level::Warning,
        "+failover-state-select-slave",
        mi,
        Which::Master,
        "",
    );
}

fn failover_select_slave(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    match select_slave(s, mi) {
        None => {
            event_at(
                srv,
                s,
                Level::Warning,
                "-failover-abort-no-good-slave",
                mi,
                Which::Master,
                "",
            );
            abort_failover(s, mi);
        }
        Some(si) => {
            event_at(
                srv,
                s,
                Level::Warning,
                "+selected-slave",
                mi,
                Which::Slave(si),
                "",
            );
            let m = &mut s.masters[mi];
            m.slaves[si].flags |= sri::PROMOTED;
            m.promoted_slave = Some(m.slaves[si].id);
            m.failover_state = FailoverState::SendSlaveofNoone;
            m.failover_state_change_time = now();
            event_at(
                srv,
                s,
                Level::Notice,
                "+failover-state-send-slaveof-noone",
                mi,
                Which::Slave(si),
                "",
            );
        }
    }
}

fn failover_send_slaveof_noone(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let m = &s.masters[mi];
    let Some(pi) = m.promoted() else {
        return;
    };
    let disconnected = link::link(s, m.slaves[pi].link).is_none_or(|l| l.disconnected);
    if disconnected {
        if now() - m.failover_state_change_time > m.failover_timeout {
            event_at(
                srv,
                s,
                Level::Warning,
                "-failover-abort-slave-timeout",
                mi,
                Which::Master,
                "",
            );
            abort_failover(s, mi);
        }
        return;
    }
    if !send_slaveof(srv, s, mi, Which::Slave(pi), None) {
        return;
    }
    event_at(
        srv,
        s,
        Level::Notice,
        "+failover-state-wait-promotion",
        mi,
        Which::Slave(pi),
        "",
    );
    let m = &mut s.masters[mi];
    m.failover_state = FailoverState::WaitPromotion;
    m.failover_state_change_time = now();
}

fn failover_wait_promotion(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let m = &s.masters[mi];
    if now() - m.failover_state_change_time > m.failover_timeout {
        event_at(
            srv,
            s,
            Level::Warning,
            "-failover-abort-slave-timeout",
            mi,
            Which::Master,
            "",
        );
        abort_failover(s, mi);
    }
}

/// sentinelFailoverDetectEnd.
fn failover_detect_end(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let m = &s.masters[mi];
    let elapsed = now() - m.failover_state_change_time;
    let Some(pi) = m.promoted() else {
        return;
    };
    if m.slaves[pi].flags & sri::S_DOWN != 0 {
        return;
    }
    let mut not_reconfigured = m
        .slaves
        .iter()
        .filter(|sl| {
            sl.flags & (sri::PROMOTED | sri::RECONF_DONE) == 0 && sl.flags & sri::S_DOWN == 0
        })
        .count();
    let mut timeout = false;
    if elapsed > m.failover_timeout {
        not_reconfigured = 0;
        timeout = true;
        event_at(
            srv,
            s,
            Level::Warning,
            "+failover-end-for-timeout",
            mi,
            Which::Master,
            "",
        );
    }
    if not_reconfigured == 0 {
        event_at(
            srv,
            s,
            Level::Warning,
            "+failover-end",
            mi,
            Which::Master,
            "",
        );
        let m = &mut s.masters[mi];
        m.failover_state = FailoverState::UpdateConfig;
        m.failover_state_change_time = now();
    }
    if timeout {
        // Best effort: point the replicas still not reconfigured to the
        // new master.
        let paddr = s.masters[mi].slaves[pi].addr.clone();
        for si in 0..s.masters[mi].slaves.len() {
            let sl = &s.masters[mi].slaves[si];
            if sl.flags & (sri::PROMOTED | sri::RECONF_DONE | sri::RECONF_SENT) != 0 {
                continue;
            }
            if link::link(s, sl.link).is_none_or(|l| l.disconnected) {
                continue;
            }
            if send_slaveof(srv, s, mi, Which::Slave(si), Some(&paddr)) {
                event_at(
                    srv,
                    s,
                    Level::Notice,
                    "+slave-reconf-sent-be",
                    mi,
                    Which::Slave(si),
                    "",
                );
                s.masters[mi].slaves[si].flags |= sri::RECONF_SENT;
            }
        }
    }
}

/// sentinelFailoverReconfNextSlave: SLAVEOF <promoted> to the replicas,
/// parallel-syncs at a time.
fn failover_reconf_next_slave(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let Some(pi) = s.masters[mi].promoted() else {
        return;
    };
    let paddr = s.masters[mi].slaves[pi].addr.clone();
    let mut in_progress = s.masters[mi]
        .slaves
        .iter()
        .filter(|sl| sl.flags & (sri::RECONF_SENT | sri::RECONF_INPROG) != 0)
        .count() as i32;
    let mut si = 0;
    while in_progress < s.masters[mi].parallel_syncs && si < s.masters[mi].slaves.len() {
        let t = now();
        let sl = &mut s.masters[mi].slaves[si];
        let here = si;
        si += 1;
        if sl.flags & (sri::PROMOTED | sri::RECONF_DONE) != 0 {
            continue;
        }
        if sl.flags & sri::RECONF_SENT != 0
            && t - sl.slave_reconf_sent_time > s.p.slave_reconf_timeout
        {
            sl.flags &= !sri::RECONF_SENT;
            sl.flags |= sri::RECONF_DONE;
            event_at(
                srv,
                s,
                Level::Notice,
                "-slave-reconf-sent-timeout",
                mi,
                Which::Slave(here),
                "",
            );
        }
        let sl = &s.masters[mi].slaves[here];
        if sl.flags & (sri::RECONF_SENT | sri::RECONF_INPROG) != 0 {
            continue;
        }
        if link::link(s, sl.link).is_none_or(|l| l.disconnected) {
            continue;
        }
        if send_slaveof(srv, s, mi, Which::Slave(here), Some(&paddr)) {
            let sl = &mut s.masters[mi].slaves[here];
            sl.flags |= sri::RECONF_SENT;
            sl.slave_reconf_sent_time = now();
            event_at(
                srv,
                s,
                Level::Notice,
                "+slave-reconf-sent",
                mi,
                Which::Slave(here),
                "",
            );
            in_progress += 1;
        }
    }
    failover_detect_end(srv, s, mi);
}

/// sentinelFailoverStateMachine.
pub fn failover_state_machine(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    if m.ri.flags & sri::FAILOVER_IN_PROGRESS == 0 {
        return;
    }
    match m.failover_state {
        FailoverState::WaitStart => failover_wait_start(srv, s, mi),
        FailoverState::SelectSlave => failover_select_slave(srv, s, mi),
        FailoverState::SendSlaveofNoone => failover_send_slaveof_noone(srv, s, mi),
        FailoverState::WaitPromotion => failover_wait_promotion(srv, s, mi),
        FailoverState::ReconfSlaves => failover_reconf_next_slave(srv, s, mi),
        FailoverState::None | FailoverState::UpdateConfig => {}
    }
}

/// sentinelFailoverSwitchToPromotedSlave.
pub fn switch_to_promoted_slave(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let m = &s.masters[mi];
    let to = match m.promoted() {
        Some(p) => m.slaves[p].addr.clone(),
        None => m.ri.addr.clone(),
    };
    let rest = format!(
        "{} {} {} {} {}",
        m.ri.name,
        s.announce_addr(&m.ri.addr),
        m.ri.addr.port,
        s.announce_addr(&to),
        to.port
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
    let _ = reset_master_and_change_address(srv, s, mi, &to.hostname, to.port as i64);
}

/// sentinelResetMaster: forget replicas (and Sentinels unless
/// `keep_sentinels`), runtime flags, failover state; reconnect.
pub fn reset_master(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    keep_sentinels: bool,
    generate_event: bool,
) {
    let Some(m) = s.masters.get_mut(mi) else {
        return;
    };
    let slaves = std::mem::take(&mut m.slaves);
    let sentinels = if keep_sentinels {
        Vec::new()
    } else {
        std::mem::take(&mut m.sentinels)
    };
    for ri in slaves.into_iter().chain(sentinels) {
        s.release_instance(srv, ri);
    }
    let li = s.masters[mi].ri.link;
    link::close_conn(srv, s, li, false);
    link::close_conn(srv, s, li, true);
    let t = now();
    let m = &mut s.masters[mi];
    m.ri.flags &= sri::MASTER;
    m.ri.leader = None;
    m.failover_state = FailoverState::None;
    m.failover_state_change_time = 0;
    m.failover_start_time = 0;
    m.promoted_slave = None;
    m.ri.runid = None;
    m.ri.slave_master_host = None;
    m.ri.role_reported_time = t;
    m.ri.role_reported = sri::MASTER;
    if let Some(l) = link::link_mut(s, li) {
        l.act_ping_time = t;
        l.last_ping_time = 0;
        l.last_avail_time = t;
        l.last_pong_time = t;
    }
    if generate_event {
        event_at(
            srv,
            s,
            Level::Warning,
            "+reset-master",
            mi,
            Which::Master,
            "",
        );
    }
}

/// sentinelResetMasterAndChangeAddress: the master now lives at host:port;
/// its other replicas and the old master address become its replicas.
pub fn reset_master_and_change_address(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    host: &str,
    port: i64,
) -> Result<(), super::CreateError> {
    let newaddr = s.create_addr(host, port, false)?;
    let m = &s.masters[mi];
    let mut slaves: Vec<Addr> = m
        .slaves
        .iter()
        .filter(|sl| !super::addr_or_hostname_equal(&sl.addr, &newaddr))
        .map(|sl| sl.addr.clone())
        .collect();
    if !super::addr_or_hostname_equal(&newaddr, &m.ri.addr) {
        slaves.push(m.ri.addr.clone());
    }
    reset_master(srv, s, mi, true, false);
    let m = &mut s.masters[mi];
    m.ri.addr = newaddr;
    m.ri.o_down_since_time = 0;
    m.ri.s_down_since_time = 0;
    for a in slaves {
        if let Ok(si) = s.create_slave(mi, &a.hostname, a.port as i64) {
            event_at(srv, s, Level::Notice, "+slave", mi, Which::Slave(si), "");
        }
    }
    super::config::flush_config(srv, s);
    Ok(())
}

/// sentinelIsQuorumReachable: (usable Sentinels, no quorum, no majority).
pub fn is_quorum_reachable(s: &Sentinel, mi: usize) -> (u32, bool, bool) {
    let Some(m) = s.masters.get(mi) else {
        return (0, true, true);
    };
    let voters = m.sentinels.len() as u32 + 1;
    let usable = 1 + m
        .sentinels
        .iter()
        .filter(|r| r.flags & (sri::S_DOWN | sri::O_DOWN) == 0)
        .count() as u32;
    (usable, usable < m.quorum, usable < voters / 2 + 1)
}

/// The address clients should use for master `mi` (get-master-addr-by-name).
pub fn current_addr(s: &Sentinel, mi: usize) -> Option<&Addr> {
    s.masters.get(mi).map(current_master_addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_format() {
        let t = ctime(0);
        assert_eq!(t.len(), 24, "{}", t);
        assert!(t.ends_with(" 1970") || t.ends_with(" 1969"));
    }
}
