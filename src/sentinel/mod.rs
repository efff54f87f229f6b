//! Redis Sentinel (Redis's sentinel.c): monitoring, failure detection,
//! leader election and automatic failover of masters, run by the same binary
//! when started as `redis-sentinel` or with `--sentinel`.
//!
//! The state lives in [`Sentinel`], owned by the [`Server`] (`srv.sentinel`)
//! and taken out while Sentinel code runs (`with_sentinel`), so the code can
//! use both the server (log, Pub/Sub, config) and its own tables freely.
//!
//! ```text
//! masters: Vec<Master>            one per `sentinel monitor <name> ...`
//!   Master.ri                     the master instance itself
//!   Master.slaves: Vec<Instance>  discovered from the master's INFO
//!   Master.sentinels: Vec<..>     discovered from hello messages
//! links: slab of Link             a command connection (cc) and, for
//!                                 masters/replicas, a Pub/Sub one (pc);
//!                                 Sentinels seen under several masters share
//!                                 one link (refcount), as in Redis
//! ```
//!
//! Everything is driven by [`timer`] (Redis's sentinelTimer), called by
//! `server_cron` at a randomized 10-19 Hz: per instance, reconnect links
//! (link.rs), send PING/INFO/hello (monitor.rs), check SDOWN, ODOWN, start
//! and run failovers (failover.rs); then run notification scripts
//! (scripts.rs). Replies arrive through the event loop (`FdOwner::Sentinel`
//! → link.rs) and are dispatched to the callbacks of monitor.rs/failover.rs.
//! Instances are named in pending callbacks by a unique id, never by
//! position: an instance freed meanwhile (SENTINEL RESET/REMOVE, address
//! switch) simply makes its replies discarded.
//!
//! Files: config.rs (sentinel directives, state lines, config rewrite),
//! link.rs (non-blocking outbound connections), monitor.rs (INFO, PING,
//! hello), failover.rs (SDOWN/ODOWN, votes, failover state machine),
//! cmds.rs (the SENTINEL command family, INFO/ROLE/PUBLISH of Sentinel mode
//! and its restricted command table), scripts.rs (notification and client
//! reconfiguration scripts).
pub mod cmds;
pub mod config;
pub mod failover;
pub mod link;
pub mod monitor;
pub mod scripts;

use crate::log::Level;
use crate::server::Server;

/// Instance flags (Redis's SRI_*).
pub mod sri {
    pub const MASTER: u32 = 1 << 0;
    pub const SLAVE: u32 = 1 << 1;
    pub const SENTINEL: u32 = 1 << 2;
    pub const S_DOWN: u32 = 1 << 3;
    pub const O_DOWN: u32 = 1 << 4;
    pub const MASTER_DOWN: u32 = 1 << 5;
    pub const FAILOVER_IN_PROGRESS: u32 = 1 << 6;
    pub const PROMOTED: u32 = 1 << 7;
    pub const RECONF_SENT: u32 = 1 << 8;
    pub const RECONF_INPROG: u32 = 1 << 9;
    pub const RECONF_DONE: u32 = 1 << 10;
    pub const FORCE_FAILOVER: u32 = 1 << 11;
    pub const SCRIPT_KILL_SENT: u32 = 1 << 12;
    pub const MASTER_REBOOT: u32 = 1 << 13;
}

pub const REDIS_SENTINEL_PORT: i64 = 26379;
pub const HELLO_CHANNEL: &str = "__sentinel__:hello";
pub const DEFAULT_SLAVE_PRIORITY: i32 = 100;
pub const DEFAULT_PARALLEL_SYNCS: i32 = 1;
pub const MAX_PENDING_COMMANDS: i64 = 100;
pub const MAX_DESYNC: i64 = 1000;
pub const DEFAULT_DENY_SCRIPTS_RECONFIG: bool = true;
/// SENTINEL SIMULATE-FAILURE flags.
pub const SIMFAILURE_CRASH_AFTER_ELECTION: u64 = 1 << 0;
pub const SIMFAILURE_CRASH_AFTER_PROMOTION: u64 = 1 << 1;

/// The failover state machine of a master (SENTINEL_FAILOVER_STATE_*).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum FailoverState {
    /// No failover in progress.
    None,
    /// Wait for failover_start_time, win the election.
    WaitStart,
    /// Pick the replica to promote.
    SelectSlave,
    /// Send it SLAVEOF NO ONE.
    SendSlaveofNoone,
    /// Wait for its INFO to report role:master.
    WaitPromotion,
    /// SLAVEOF <new master> to the other replicas.
    ReconfSlaves,
    /// Switch our configuration to the promoted replica.
    UpdateConfig,
}

impl FailoverState {
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "none",
            FailoverState::WaitStart => "wait_start",
            FailoverState::SelectSlave => "select_slave",
            FailoverState::SendSlaveofNoone => "send_slaveof_noone",
            FailoverState::WaitPromotion => "wait_promotion",
            FailoverState::ReconfSlaves => "reconf_slaves",
            FailoverState::UpdateConfig => "update_config",
        }
    }
}

/// The periods SENTINEL DEBUG can change (milliseconds).
#[derive(Clone, Debug)]
pub struct Periods {
    pub info_period: i64,
    pub ping_period: i64,
    pub ask_period: i64,
    pub publish_period: i64,
    pub default_down_after: i64,
    pub tilt_trigger: i64,
    pub tilt_period: i64,
    pub slave_reconf_timeout: i64,
    pub min_link_reconnect_period: i64,
    pub election_timeout: i64,
    pub script_max_runtime: i64,
    pub script_retry_delay: i64,
    pub default_failover_timeout: i64,
}

impl Default for Periods {
    fn default() -> Periods {
        Periods {
            info_period: 10000,
            ping_period: 1000,
            ask_period: 1000,
            publish_period: 2000,
            default_down_after: 30000,
            tilt_trigger: 2000,
            tilt_period: 1000 * 30,
            slave_reconf_timeout: 10000,
            min_link_reconnect_period: 15000,
            election_timeout: 10000,
            script_max_runtime: 60000,
            script_retry_delay: 30000,
            default_failover_timeout: 60 * 3 * 1000,
        }
    }
}

/// An instance address (sentinelAddr): the hostname as given, the resolved
/// ip ("" when it could not be resolved), the port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr {
    pub hostname: String,
    pub ip: String,
    pub port: i32,
}

/// Why an address or an instance could not be created (errno in Redis).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateError {
    /// EINVAL: bad port.
    Inval,
    /// ENOENT: hostname not resolvable.
    NoEnt,
    /// EBUSY: duplicate name / address / runid.
    Busy,
}

/// One monitored instance: a master, a replica or another Sentinel
/// (sentinelRedisInstance, minus the master-only fields kept in [`Master`]).
#[derive(Debug)]
pub struct Instance {
    /// Unique for the life of the process (names pending replies).
    pub id: u64,
    pub flags: u32,
    /// Master name, "ip:port" of a replica, run id of a Sentinel.
    pub name: String,
    pub runid: Option<String>,
    pub config_epoch: u64,
    pub addr: Addr,
    /// Index into `Sentinel::links`.
    pub link: usize,
    pub last_pub_time: i64,
    pub last_hello_time: i64,
    pub last_master_down_reply_time: i64,
    pub s_down_since_time: i64,
    pub o_down_since_time: i64,
    pub down_after_period: i64,
    pub info_refresh: i64,
    pub role_reported: u32,
    pub role_reported_time: i64,
    pub slave_conf_change_time: i64,
    // Replica specific.
    pub master_link_down_time: i64,
    pub slave_priority: i32,
    pub replica_announced: i32,
    pub slave_reconf_sent_time: i64,
    pub slave_master_host: Option<String>,
    pub slave_master_port: i32,
    pub slave_master_link_up: bool,
    pub slave_repl_offset: u64,
    /// Master: the leader it voted for; Sentinel: the leader it reported.
    pub leader: Option<String>,
    pub leader_epoch: u64,
    /// Last INFO text (SENTINEL INFO-CACHE).
    pub info: Option<String>,
}

/// A monitored master: its own instance plus what only masters have.
#[derive(Debug)]
pub struct Master {
    pub ri: Instance,
    pub slaves: Vec<Instance>,
    pub sentinels: Vec<Instance>,
    pub quorum: u32,
    pub parallel_syncs: i32,
    pub auth_pass: Option<String>,
    pub auth_user: Option<String>,
    pub master_reboot_down_after_period: i64,
    pub master_reboot_since_time: i64,
    /// rename-command: (original, renamed), original compared nocase.
    pub renamed_commands: Vec<(String, String)>,
    pub failover_epoch: u64,
    pub failover_state: FailoverState,
    pub failover_state_change_time: i64,
    pub failover_start_time: i64,
    pub failover_timeout: i64,
    pub failover_delay_logged: i64,
    /// Id of the replica selected for promotion.
    pub promoted_slave: Option<u64>,
    pub notification_script: Option<String>,
    pub client_reconfig_script: Option<String>,
}

/// Which instance of a master: itself, a replica or a Sentinel (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Master,
    Slave(usize),
    Sentinel(usize),
}

impl Master {
    pub fn inst(&self, w: Which) -> Option<&Instance> {
        match w {
            Which::Master => Some(&self.ri),
            Which::Slave(i) => self.slaves.get(i),
            Which::Sentinel(i) => self.sentinels.get(i),
        }
    }

    pub fn inst_mut(&mut self, w: Which) -> Option<&mut Instance> {
        match w {
            Which::Master => Some(&mut self.ri),
            Which::Slave(i) => self.slaves.get_mut(i),
            Which::Sentinel(i) => self.sentinels.get_mut(i),
        }
    }

    pub fn slave_by_id(&self, id: u64) -> Option<usize> {
        self.slaves.iter().position(|s| s.id == id)
    }

    /// The promoted replica (index), if any.
    pub fn promoted(&self) -> Option<usize> {
        self.promoted_slave.and_then(|id| self.slave_by_id(id))
    }

    /// sentinelInstanceMapCommand: the name to send for `cmd`.
    pub fn map_command<'a>(&'a self, cmd: &'a str) -> &'a str {
        self.renamed_commands
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(cmd))
            .map(|(_, n)| n.as_str())
            .unwrap_or(cmd)
    }
}

/// The Sentinel state (Redis's `struct sentinelState` plus the tunables).
pub struct Sentinel {
    pub myid: String,
    pub current_epoch: u64,
    pub masters: Vec<Master>,
    pub tilt: bool,
    pub tilt_start_time: i64,
    pub previous_time: i64,
    pub announce_ip: Option<String>,
    pub announce_port: i64,
    pub simfailure_flags: u64,
    pub deny_scripts_reconfig: bool,
    pub sentinel_auth_pass: Option<String>,
    pub sentinel_auth_user: Option<String>,
    pub resolve_hostnames: bool,
    pub announce_hostnames: bool,
    pub p: Periods,
    pub links: Vec<Option<link::Link>>,
    /// fd -> (link index, is the Pub/Sub connection)
    pub fds: std::collections::HashMap<crate::sys::RawFd, (usize, bool)>,
    pub scripts: scripts::Scripts,
    next_id: u64,
}

impl Default for Sentinel {
    fn default() -> Sentinel {
        Sentinel {
            myid: String::new(),
            current_epoch: 0,
            masters: Vec::new(),
            tilt: false,
            tilt_start_time: 0,
            previous_time: now(),
            announce_ip: None,
            announce_port: 0,
            simfailure_flags: 0,
            deny_scripts_reconfig: DEFAULT_DENY_SCRIPTS_RECONFIG,
            sentinel_auth_pass: None,
            sentinel_auth_user: None,
            resolve_hostnames: false,
            announce_hostnames: false,
            p: Periods::default(),
            links: Vec::new(),
            fds: Default::default(),
            scripts: Default::default(),
            next_id: 1,
        }
    }
}

/// mstime().
pub fn now() -> i64 {
    crate::server::now_ms()
}

/// Run `f` with the Sentinel state taken out of the server (see the module
/// header). Does nothing outside Sentinel mode.
pub fn with_sentinel<R>(
    srv: &mut Server,
    f: impl FnOnce(&mut Server, &mut Sentinel) -> R,
) -> Option<R> {
    let mut s = srv.sentinel.take()?;
    let r = f(srv, &mut s);
    srv.sentinel = Some(s);
    Some(r)
}

impl Sentinel {
    /// announceSentinelAddr.
    pub fn announce_addr<'a>(&self, a: &'a Addr) -> &'a str {
        if self.announce_hostnames {
            &a.hostname
        } else {
            &a.ip
        }
    }

    /// announceSentinelAddrAndPort: "ip:port", IPv6 in brackets.
    pub fn announce_addr_port(&self, a: &Addr) -> String {
        let h = self.announce_addr(a);
        if h.contains(':') {
            format!("[{}]:{}", h, a.port)
        } else {
            format!("{}:{}", h, a.port)
        }
    }

    /// Resolve `host` as Redis's anetResolve does: an IP literal only, or
    /// any hostname when resolve-hostnames is on.
    pub fn resolve(&self, host: &str) -> Option<String> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return Some(ip.to_string());
        }
        if !self.resolve_hostnames {
            return None;
        }
        use std::net::ToSocketAddrs;
        (host, 0u16)
            .to_socket_addrs()
            .ok()?
            .next()
            .map(|a| a.ip().to_string())
    }

    /// createSentinelAddr.
    pub fn create_addr(
        &self,
        hostname: &str,
        port: i64,
        accept_unresolved: bool,
    ) -> Result<Addr, CreateError> {
        if !(0..=65535).contains(&port) {
            return Err(CreateError::Inval);
        }
        let ip = match self.resolve(hostname) {
            Some(ip) => ip,
            None => {
                crate::server_log!(Warning, "Failed to resolve hostname '{}'", hostname);
                if self.resolve_hostnames && accept_unresolved {
                    String::new()
                } else {
                    return Err(CreateError::NoEnt);
                }
            }
        };
        Ok(Addr {
            hostname: hostname.to_string(),
            ip,
            port: port as i32,
        })
    }

    /// sentinelAddrEqualsHostname: does `hostname` name address `a`?
    pub fn addr_equals_hostname(&self, a: &Addr, hostname: &str) -> bool {
        match self.resolve(hostname) {
            Some(ip) => a.ip.eq_ignore_ascii_case(&ip),
            None => {
                let mine = if self.resolve_hostnames {
                    &a.hostname
                } else {
                    &a.ip
                };
                mine.eq_ignore_ascii_case(hostname)
            }
        }
    }

    fn next_instance_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A new, not yet connected instance (the common part of
    /// createSentinelRedisInstance).
    pub fn new_instance(
        &mut self,
        name: String,
        flags: u32,
        addr: Addr,
        down_after: i64,
    ) -> Instance {
        let t = now();
        let link = link::create_link(self);
        Instance {
            id: self.next_instance_id(),
            flags,
            name,
            runid: None,
            config_epoch: 0,
            addr,
            link,
            last_pub_time: t,
            last_hello_time: t,
            last_master_down_reply_time: t,
            s_down_since_time: 0,
            o_down_since_time: 0,
            down_after_period: down_after,
            info_refresh: 0,
            role_reported: flags & (sri::MASTER | sri::SLAVE),
            role_reported_time: t,
            slave_conf_change_time: t,
            master_link_down_time: 0,
            slave_priority: DEFAULT_SLAVE_PRIORITY,
            replica_announced: 1,
            slave_reconf_sent_time: 0,
            slave_master_host: None,
            slave_master_port: 0,
            slave_master_link_up: false,
            slave_repl_offset: 0,
            leader: None,
            leader_epoch: 0,
            info: None,
        }
    }

    pub fn master_index(&self, name: &str) -> Option<usize> {
        self.masters.iter().position(|m| m.ri.name == name)
    }

    /// createSentinelRedisInstance for a master.
    pub fn create_master(
        &mut self,
        name: &str,
        host: &str,
        port: i64,
        quorum: u32,
    ) -> Result<usize, CreateError> {
        let addr = self.create_addr(host, port, true)?;
        if self.master_index(name).is_some() {
            return Err(CreateError::Busy);
        }
        let down_after = self.p.default_down_after;
        let ri = self.new_instance(name.to_string(), sri::MASTER, addr, down_after);
        self.masters.push(Master {
            ri,
            slaves: Vec::new(),
            sentinels: Vec::new(),
            quorum,
            parallel_syncs: DEFAULT_PARALLEL_SYNCS,
            auth_pass: None,
            auth_user: None,
            master_reboot_down_after_period: 0,
            master_reboot_since_time: 0,
            renamed_commands: Vec::new(),
            failover_epoch: 0,
            failover_state: FailoverState::None,
            failover_state_change_time: 0,
            failover_start_time: 0,
            failover_timeout: self.p.default_failover_timeout,
            failover_delay_logged: 0,
            promoted_slave: None,
            notification_script: None,
            client_reconfig_script: None,
        });
        Ok(self.masters.len() - 1)
    }

    /// createSentinelRedisInstance for a replica of master `mi`; its name is
    /// its announced "ip:port".
    pub fn create_slave(&mut self, mi: usize, host: &str, port: i64) -> Result<usize, CreateError> {
        let addr = self.create_addr(host, port, true)?;
        let name = self.announce_addr_port(&addr);
        let Some(m) = self.masters.get(mi) else {
            return Err(CreateError::Busy);
        };
        if m.slaves.iter().any(|s| s.name == name) {
            return Err(CreateError::Busy);
        }
        let down_after = m.ri.down_after_period;
        let ri = self.new_instance(name, sri::SLAVE, addr, down_after);
        let m = &mut self.masters[mi];
        m.slaves.push(ri);
        Ok(m.slaves.len() - 1)
    }

    /// createSentinelRedisInstance for another Sentinel of master `mi`,
    /// named by its run id (which is also set).
    pub fn create_sentinel(
        &mut self,
        mi: usize,
        runid: &str,
        host: &str,
        port: i64,
    ) -> Result<usize, CreateError> {
        let addr = self.create_addr(host, port, true)?;
        let Some(m) = self.masters.get(mi) else {
            return Err(CreateError::Busy);
        };
        if m.sentinels.iter().any(|s| s.name == runid) {
            return Err(CreateError::Busy);
        }
        let down_after = m.ri.down_after_period;
        let mut ri = self.new_instance(runid.to_string(), sri::SENTINEL, addr, down_after);
        ri.runid = Some(runid.to_string());
        let m = &mut self.masters[mi];
        m.sentinels.push(ri);
        Ok(m.sentinels.len() - 1)
    }

    /// releaseSentinelRedisInstance for a replica or Sentinel instance that
    /// was removed from its table: drop our reference to its link.
    pub fn release_instance(&mut self, srv: &mut Server, ri: Instance) {
        link::release_link(srv, self, ri.link);
    }

    /// Release a whole master (and all its replicas and Sentinels).
    pub fn release_master(&mut self, srv: &mut Server, m: Master) {
        for ri in m.slaves.into_iter().chain(m.sentinels) {
            self.release_instance(srv, ri);
        }
        self.release_instance(srv, m.ri);
    }

    /// Find an instance by id: (master index, which).
    pub fn locate(&self, id: u64) -> Option<(usize, Which)> {
        for (mi, m) in self.masters.iter().enumerate() {
            if m.ri.id == id {
                return Some((mi, Which::Master));
            }
            if let Some(i) = m.slaves.iter().position(|s| s.id == id) {
                return Some((mi, Which::Slave(i)));
            }
            if let Some(i) = m.sentinels.iter().position(|s| s.id == id) {
                return Some((mi, Which::Sentinel(i)));
            }
        }
        None
    }

    /// The instance at (mi, w).
    pub fn ri(&self, mi: usize, w: Which) -> Option<&Instance> {
        self.masters.get(mi)?.inst(w)
    }

    pub fn ri_mut(&mut self, mi: usize, w: Which) -> Option<&mut Instance> {
        self.masters.get_mut(mi)?.inst_mut(w)
    }

    /// The "%@" part of an event: `<type> <name> <ip> <port>` and, for
    /// replicas and Sentinels, ` @ <master> <ip> <port>`.
    pub fn describe(&self, mi: usize, w: Which) -> String {
        let Some(m) = self.masters.get(mi) else {
            return String::new();
        };
        let Some(ri) = m.inst(w) else {
            return String::new();
        };
        let me = format!(
            "{} {} {} {}",
            type_str(ri.flags),
            ri.name,
            self.announce_addr(&ri.addr),
            ri.addr.port
        );
        if w == Which::Master {
            me
        } else {
            format!(
                "{} @ {} {} {}",
                me,
                m.ri.name,
                self.announce_addr(&m.ri.addr),
                m.ri.addr.port
            )
        }
    }

    /// getSentinelRedisInstanceByAddrAndRunID among the Sentinels of `mi`.
    pub fn sentinel_by_addr_and_runid(
        &self,
        mi: usize,
        addr: Option<(&str, i64)>,
        runid: Option<&str>,
    ) -> Option<usize> {
        let m = self.masters.get(mi)?;
        let want = match addr {
            Some((h, p)) => Some(self.create_addr(h, p, true).ok()?),
            None => None,
        };
        m.sentinels.iter().position(|ri| {
            if runid.is_some() && ri.runid.is_none() {
                return false;
            }
            let id_ok = runid.is_none_or(|r| ri.runid.as_deref() == Some(r));
            let addr_ok = want
                .as_ref()
                .is_none_or(|a| addr_or_hostname_equal(&ri.addr, a));
            id_ok && addr_ok
        })
    }

    /// The master whose address is host:port (IS-MASTER-DOWN-BY-ADDR).
    pub fn master_by_addr(&self, host: &str, port: i64) -> Option<usize> {
        let want = self.create_addr(host, port, true).ok()?;
        self.masters
            .iter()
            .position(|m| addr_or_hostname_equal(&m.ri.addr, &want))
    }
}

/// sentinelAddrOrHostnameEqual.
pub fn addr_or_hostname_equal(a: &Addr, b: &Addr) -> bool {
    a.port == b.port && (a.ip == b.ip || a.hostname.eq_ignore_ascii_case(&b.hostname))
}

/// sentinelRedisInstanceTypeStr.
pub fn type_str(flags: u32) -> &'static str {
    if flags & sri::MASTER != 0 {
        "master"
    } else if flags & sri::SLAVE != 0 {
        "slave"
    } else if flags & sri::SENTINEL != 0 {
        "sentinel"
    } else {
        "unknown"
    }
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// sentinelEvent: log (if the level allows), publish on the channel named
/// after the event (unless it is a debug event), and run the master's
/// notification script for warnings. `ri` is the instance the event is
/// about; with `at` the message starts with its description ("%@").
pub fn event(
    srv: &mut Server,
    s: &mut Sentinel,
    level: Level,
    kind: &str,
    ri: Option<(usize, Which)>,
    at: bool,
    rest: &str,
) {
    let mut msg = match (at, ri) {
        (true, Some((mi, w))) => s.describe(mi, w),
        _ => String::new(),
    };
    msg.push_str(rest);
    if crate::log::enabled(level) {
        crate::log::log(level, &format!("{} {}", kind, msg));
    }
    if level != Level::Debug {
        srv.publish(kind.as_bytes(), msg.as_bytes());
    }
    if level == Level::Warning {
        if let Some((mi, _)) = ri {
            if let Some(path) = s
                .masters
                .get(mi)
                .and_then(|m| m.notification_script.clone())
            {
                s.scripts
                    .schedule(vec![path, kind.to_string(), msg.clone()]);
            }
        }
    }
}

/// An event whose message is the instance description plus `rest`.
pub fn event_at(
    srv: &mut Server,
    s: &mut Sentinel,
    level: Level,
    kind: &str,
    mi: usize,
    w: Which,
    rest: &str,
) {
    event(srv, s, level, kind, Some((mi, w)), true, rest);
}

// ---------------------------------------------------------------------------
// Start-up and the timer
// ---------------------------------------------------------------------------

/// sentinelIsRunning: pick and persist an ID if the config has none, log
/// it, and generate the +monitor events of the configured masters.
pub fn is_running(srv: &mut Server) {
    with_sentinel(srv, |srv, s| {
        if s.myid.is_empty() {
            s.myid = random_hex(srv, 40);
            config::flush_config(srv, s);
        }
        crate::server_log!(Warning, "Sentinel ID is {}", s.myid);
        for mi in 0..s.masters.len() {
            let q = format!(" quorum {}", s.masters[mi].quorum);
            event_at(srv, s, Level::Warning, "+monitor", mi, Which::Master, &q);
        }
    });
}

/// getRandomHexChars.
pub fn random_hex(srv: &mut Server, n: usize) -> String {
    (0..n)
        .map(|_| b"0123456789abcdef"[(srv.rng.next_u64() % 16) as usize] as char)
        .collect()
}

/// sentinelCheckTiltCondition: a clock jump or a stall longer than the
/// tilt trigger makes us stop acting for tilt-period.
fn check_tilt_condition(srv: &mut Server, s: &mut Sentinel) {
    let t = now();
    let delta = t - s.previous_time;
    if delta < 0 || delta > s.p.tilt_trigger {
        s.tilt = true;
        s.tilt_start_time = now();
        event(
            srv,
            s,
            Level::Warning,
            "+tilt",
            None,
            false,
            "#tilt mode entered",
        );
    }
    s.previous_time = now();
}

/// sentinelTimer: called by server_cron in Sentinel mode.
pub fn timer(srv: &mut Server) {
    with_sentinel(srv, |srv, s| {
        check_tilt_condition(srv, s);
        handle_masters(srv, s);
        scripts::run_pending(srv, s);
        scripts::collect_terminated(srv, s);
        scripts::kill_timedout(srv, s);
        // Desynchronize the Sentinels' timers (split votes otherwise).
        srv.hz = 10 + (srv.rng.next_u64() % 10) as i64;
    });
}

/// sentinelHandleDictOfRedisInstances over the masters: each master, then
/// its replicas and Sentinels; a failover that reached UPDATE_CONFIG
/// switches the master's address at the end.
fn handle_masters(srv: &mut Server, s: &mut Sentinel) {
    let mut switch_to_promoted = None;
    let mut mi = 0;
    while mi < s.masters.len() {
        let id = s.masters[mi].ri.id;
        handle_instance(srv, s, mi, Which::Master);
        let Some(mi2) = s.masters.iter().position(|m| m.ri.id == id) else {
            continue;
        };
        let mut i = 0;
        while i < s.masters[mi2].slaves.len() {
            handle_instance(srv, s, mi2, Which::Slave(i));
            i += 1;
        }
        let mut i = 0;
        while i < s.masters[mi2].sentinels.len() {
            handle_instance(srv, s, mi2, Which::Sentinel(i));
            i += 1;
        }
        if s.masters[mi2].failover_state == FailoverState::UpdateConfig {
            switch_to_promoted = Some(id);
        }
        mi = mi2 + 1;
    }
    if let Some(id) = switch_to_promoted {
        if let Some(mi) = s.masters.iter().position(|m| m.ri.id == id) {
            failover::switch_to_promoted_slave(srv, s, mi);
        }
    }
}

/// sentinelHandleRedisInstance.
fn handle_instance(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) {
    // Monitoring half.
    link::reconnect_instance(srv, s, mi, w);
    monitor::send_periodic_commands(srv, s, mi, w);
    // Acting half: not in TILT mode.
    if s.tilt {
        if now() - s.tilt_start_time < s.p.tilt_period {
            return;
        }
        s.tilt = false;
        event(
            srv,
            s,
            Level::Warning,
            "-tilt",
            None,
            false,
            "#tilt mode exited",
        );
    }
    failover::check_subjectively_down(srv, s, mi, w);
    if w == Which::Master {
        failover::check_objectively_down(srv, s, mi);
        if failover::start_failover_if_needed(srv, s, mi) {
            failover::ask_master_state_to_other_sentinels(srv, s, mi, true);
        }
        failover::failover_state_machine(srv, s, mi);
        failover::ask_master_state_to_other_sentinels(srv, s, mi, false);
    }
}
