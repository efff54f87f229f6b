//! The commands of Sentinel mode: the SENTINEL family (sentinelCommand,
//! sentinelSetCommand, sentinelConfig{Get,Set}Command ...), Sentinel's INFO,
//! ROLE and PUBLISH, and the restricted command table Sentinel runs with.
//!
//! The table is derived from the server's single command table (Redis's
//! populateCommandStructure): only rows and subcommands flagged `sentinel`
//! are kept, INFO / ROLE / PUBLISH get their Sentinel handlers, and the
//! Sentinel-only rows are added: SENTINEL and its 21 subcommands, ACL, and
//! the CLIENT subcommands of client-side caching (which a Sentinel, holding
//! no keys, answers as a server whose clients never enabled tracking).
//! That gives Redis's COMMAND COUNT of 15 and COMMAND LIST of 72 names.
use super::failover;
use super::{event_at, now, sri, with_sentinel, Sentinel, Which};
use crate::client::{Args, Client};
use crate::command::{flag, CommandDef, CommandTable, COMMAND_TABLE};
use crate::error::{self, CmdResult, Error};
use crate::log::Level;
use crate::server::Server;

macro_rules! row {
    ($name:expr, $handler:expr, $arity:expr, $flags:expr, $acl:expr) => {
        CommandDef {
            name: $name,
            handler: $handler,
            arity: $arity,
            flags: $flags,
            first_key: 0,
            last_key: 0,
            key_step: 0,
            acl: $acl,
            subcommands: &[],
        }
    };
    ($name:expr, $handler:expr, $arity:expr, $flags:expr, $acl:expr, $subs:expr) => {
        CommandDef {
            name: $name,
            handler: $handler,
            arity: $arity,
            flags: $flags,
            first_key: 0,
            last_key: 0,
            key_step: 0,
            acl: $acl,
            subcommands: $subs,
        }
    };
}

const ADM: &str = "admin sentinel only-sentinel";
const ADM_ACL: &str = "@admin @slow @dangerous";

/// The Sentinel-only rows.
#[rustfmt::skip]
static SENTINEL_ONLY: &[CommandDef] = &[
    row!("sentinel", container, -2, ADM, "@admin @slow @dangerous", &[
        row!("ckquorum", sentinel_ckquorum_command, 3, ADM, ADM_ACL),
        row!("config", sentinel_config_command, -3, ADM, ADM_ACL),
        row!("debug", sentinel_debug_command, -2, ADM, ADM_ACL),
        row!("failover", sentinel_failover_command, 3, ADM, ADM_ACL),
        row!("flushconfig", sentinel_flushconfig_command, 2, ADM, ADM_ACL),
        row!("get-master-addr-by-name", sentinel_get_master_addr_by_name_command, 3, ADM, ADM_ACL),
        row!("help", sentinel_help_command, 2, "loading stale sentinel only-sentinel", "@slow"),
        row!("info-cache", sentinel_info_cache_command, -3, ADM, ADM_ACL),
        row!("is-master-down-by-addr", sentinel_is_master_down_by_addr_command, 6, ADM, ADM_ACL),
        row!("master", sentinel_master_command, 3, ADM, ADM_ACL),
        row!("masters", sentinel_masters_command, 2, ADM, ADM_ACL),
        row!("monitor", sentinel_monitor_command, 6, ADM, ADM_ACL),
        row!("myid", sentinel_myid_command, 2, ADM, ADM_ACL),
        row!("pending-scripts", sentinel_pending_scripts_command, 2, ADM, ADM_ACL),
        row!("remove", sentinel_remove_command, 3, ADM, ADM_ACL),
        row!("replicas", sentinel_replicas_command, 3, ADM, ADM_ACL),
        row!("reset", sentinel_reset_command, 3, ADM, ADM_ACL),
        row!("sentinels", sentinel_sentinels_command, 3, ADM, ADM_ACL),
        row!("set", sentinel_set_command, -5, ADM, ADM_ACL),
        row!("simulate-failure", sentinel_simulate_failure_command, -3, ADM, ADM_ACL),
        row!("slaves", sentinel_replicas_command, 3, ADM, ADM_ACL),
    ]),
    row!("acl", container, -2, "sentinel", "@slow", &[
        row!("cat", acl_cat_command, -2, "noscript loading stale sentinel", "@slow"),
        row!("deluser", acl_unsupported_command, -3, "admin noscript loading stale sentinel", ADM_ACL),
        row!("dryrun", acl_unsupported_command, -4, "admin noscript loading stale sentinel", ADM_ACL),
        row!("genpass", acl_genpass_command, -2, "noscript loading stale sentinel", "@slow"),
        row!("getuser", acl_unsupported_command, 3, "admin noscript loading stale sentinel", ADM_ACL),
        row!("help", acl_help_command, 2, "loading stale sentinel", "@slow"),
        row!("list", acl_unsupported_command, 2, "admin noscript loading stale sentinel", ADM_ACL),
        row!("load", acl_no_file_command, 2, "admin noscript loading stale sentinel", ADM_ACL),
        row!("log", acl_log_command, -2, "admin noscript loading stale sentinel", ADM_ACL),
        row!("save", acl_no_file_command, 2, "admin noscript loading stale sentinel", ADM_ACL),
        row!("setuser", acl_unsupported_command, -3, "admin noscript loading stale sentinel", ADM_ACL),
        row!("users", acl_users_command, 2, "admin noscript loading stale sentinel", ADM_ACL),
        row!("whoami", acl_whoami_command, 2, "noscript loading stale sentinel", "@slow"),
    ]),
];

/// CLIENT subcommands of client-side caching.
#[rustfmt::skip]
static CLIENT_EXTRA: &[CommandDef] = &[
    row!("caching", client_caching_command, 3, "noscript loading stale sentinel", "@slow @connection"),
    row!("getredir", client_getredir_command, 2, "noscript loading stale sentinel", "@slow @connection"),
    row!("tracking", client_tracking_command, -3, "noscript loading stale sentinel", "@slow @connection"),
    row!("trackinginfo", client_trackinginfo_command, 2, "noscript loading stale sentinel", "@slow @connection"),
];

fn container(_: &mut Server, _: &mut Client, _: &Args) -> CmdResult {
    Ok(())
}

fn copy_def(d: &'static CommandDef, subs: &'static [CommandDef]) -> CommandDef {
    let handler = match d.name {
        "info" if d.subcommands.is_empty() && subs.is_empty() => info_command,
        "role" => role_command,
        "publish" => publish_command,
        _ => d.handler,
    };
    CommandDef {
        name: d.name,
        handler,
        arity: d.arity,
        flags: d.flags,
        first_key: d.first_key,
        last_key: d.last_key,
        key_step: d.key_step,
        acl: d.acl,
        subcommands: subs,
    }
}

/// The command table of Sentinel mode (see the module header).
pub fn command_table() -> CommandTable {
    let has = |d: &CommandDef| flag::parse(d.flags) & flag::SENTINEL != 0;
    let mut rows: Vec<CommandDef> = Vec::new();
    for d in COMMAND_TABLE.iter().filter(|d| has(d)) {
        let subs: &'static [CommandDef] = if d.subcommands.is_empty() {
            &[]
        } else {
            let mut v: Vec<CommandDef> = d
                .subcommands
                .iter()
                .filter(|s| has(s))
                .map(|s| copy_def(s, &[]))
                .collect();
            if d.name == "client" {
                for e in CLIENT_EXTRA {
                    if !v.iter().any(|x| x.name == e.name) {
                        v.push(copy_def(e, &[]));
                    }
                }
            }
            Box::leak(v.into_boxed_slice())
        };
        rows.push(copy_def(d, subs));
    }
    for d in SENTINEL_ONLY {
        if !rows.iter().any(|r| r.name == d.name) {
            rows.push(copy_def(d, d.subcommands));
        }
    }
    CommandTable::build(Box::leak(rows.into_boxed_slice()))
}

/// Run a handler with the Sentinel state.
fn sentinel<F>(srv: &mut Server, f: F) -> CmdResult
where
    F: FnOnce(&mut Server, &mut Sentinel) -> CmdResult,
{
    with_sentinel(srv, f).unwrap_or(Ok(()))
}

fn arg_str(args: &Args, i: usize) -> String {
    String::from_utf8_lossy(args.get(i)).into_owned()
}

/// sentinelGetMasterByNameOrReplyError.
fn master_or_err(s: &Sentinel, name: &[u8]) -> Result<usize, Error> {
    let name = String::from_utf8_lossy(name);
    s.master_index(&name)
        .ok_or(Error::new("ERR No such master with that name"))
}

/// sentinelFlushConfigAndReply.
fn flush_and_reply(srv: &mut Server, s: &Sentinel, c: &mut Client) {
    if super::config::flush_config(srv, s) {
        c.reply.ok();
    } else {
        c.reply
            .error("ERR Failed to save config file. Check server logs.");
    }
}

/// addReplySentinelRedisInstance.
fn reply_instance(c: &mut Client, s: &Sentinel, mi: usize, w: Which) {
    let Some(m) = s.masters.get(mi) else {
        c.reply.null();
        return;
    };
    let Some(ri) = m.inst(w) else {
        c.reply.null();
        return;
    };
    let t = now();
    let l = super::link::link(s, ri.link);
    let disconnected = l.is_none_or(|l| l.disconnected);
    let mut fields: Vec<(&str, Vec<u8>)> = Vec::with_capacity(32);
    let num = |n: i64| n.to_string().into_bytes();
    fields.push(("name", ri.name.clone().into_bytes()));
    fields.push(("ip", s.announce_addr(&ri.addr).as_bytes().to_vec()));
    fields.push(("port", num(ri.addr.port as i64)));
    fields.push(("runid", ri.runid.clone().unwrap_or_default().into_bytes()));
    let mut flags = String::new();
    let f = ri.flags;
    for (bit, name) in [
        (sri::S_DOWN, "s_down,"),
        (sri::O_DOWN, "o_down,"),
        (sri::MASTER, "master,"),
        (sri::SLAVE, "slave,"),
        (sri::SENTINEL, "sentinel,"),
    ] {
        if f & bit != 0 {
            flags.push_str(name);
        }
    }
    if disconnected {
        flags.push_str("disconnected,");
    }
    for (bit, name) in [
        (sri::MASTER_DOWN, "master_down,"),
        (sri::FAILOVER_IN_PROGRESS, "failover_in_progress,"),
        (sri::PROMOTED, "promoted,"),
        (sri::RECONF_SENT, "reconf_sent,"),
        (sri::RECONF_INPROG, "reconf_inprog,"),
        (sri::RECONF_DONE, "reconf_done,"),
        (sri::FORCE_FAILOVER, "force_failover,"),
        (sri::SCRIPT_KILL_SENT, "script_kill_sent,"),
    ] {
        if f & bit != 0 {
            flags.push_str(name);
        }
    }
    flags.pop();
    fields.push(("flags", flags.into_bytes()));
    let (pending, refcount, act_ping, avail, pong) = match l {
        Some(l) => (
            l.pending_commands,
            l.refcount as i64,
            l.act_ping_time,
            l.last_avail_time,
            l.last_pong_time,
        ),
        None => (0, 0, 0, t, t),
    };
    fields.push(("link-pending-commands", num(pending)));
    fields.push(("link-refcount", num(refcount)));
    if w == Which::Master && f & sri::FAILOVER_IN_PROGRESS != 0 {
        fields.push((
            "failover-state",
            m.failover_state.name().as_bytes().to_vec(),
        ));
    }
    fields.push((
        "last-ping-sent",
        num(if act_ping != 0 { t - act_ping } else { 0 }),
    ));
    fields.push(("last-ok-ping-reply", num(t - avail)));
    fields.push(("last-ping-reply", num(t - pong)));
    if f & sri::S_DOWN != 0 {
        fields.push(("s-down-time", num(t - ri.s_down_since_time)));
    }
    if f & sri::O_DOWN != 0 {
        fields.push(("o-down-time", num(t - ri.o_down_since_time)));
    }
    fields.push(("down-after-milliseconds", num(ri.down_after_period)));
    if f & (sri::MASTER | sri::SLAVE) != 0 {
        fields.push((
            "info-refresh",
            num(if ri.info_refresh != 0 {
                t - ri.info_refresh
            } else {
                0
            }),
        ));
        fields.push((
            "role-reported",
            if ri.role_reported == sri::MASTER {
                b"master".to_vec()
            } else {
                b"slave".to_vec()
            },
        ));
        fields.push(("role-reported-time", num(t - ri.role_reported_time)));
    }
    if w == Which::Master {
        fields.push(("config-epoch", num(ri.config_epoch as i64)));
        fields.push(("num-slaves", num(m.slaves.len() as i64)));
        fields.push(("num-other-sentinels", num(m.sentinels.len() as i64)));
        fields.push(("quorum", num(m.quorum as i64)));
        fields.push(("failover-timeout", num(m.failover_timeout)));
        fields.push(("parallel-syncs", num(m.parallel_syncs as i64)));
        if let Some(p) = &m.notification_script {
            fields.push(("notification-script", p.clone().into_bytes()));
        }
        if let Some(p) = &m.client_reconfig_script {
            fields.push(("client-reconfig-script", p.clone().into_bytes()));
        }
    }
    if f & sri::SLAVE != 0 {
        fields.push(("master-link-down-time", num(ri.master_link_down_time)));
        fields.push((
            "master-link-status",
            if ri.slave_master_link_up {
                b"ok".to_vec()
            } else {
                b"err".to_vec()
            },
        ));
        fields.push((
            "master-host",
            ri.slave_master_host
                .clone()
                .unwrap_or_else(|| "?".into())
                .into_bytes(),
        ));
        fields.push(("master-port", num(ri.slave_master_port as i64)));
        fields.push(("slave-priority", num(ri.slave_priority as i64)));
        fields.push(("slave-repl-offset", num(ri.slave_repl_offset as i64)));
        fields.push(("replica-announced", num(ri.replica_announced as i64)));
    }
    if f & sri::SENTINEL != 0 {
        fields.push(("last-hello-message", num(t - ri.last_hello_time)));
        fields.push((
            "voted-leader",
            ri.leader.clone().unwrap_or_else(|| "?".into()).into_bytes(),
        ));
        fields.push(("voted-leader-epoch", num(ri.leader_epoch as i64)));
    }
    c.reply.map_len(fields.len());
    for (k, v) in fields {
        c.reply.bulk(k.as_bytes());
        c.reply.bulk(&v);
    }
}

/// addReplyDictOfRedisInstances (replicas with replica-announced no are
/// not listed).
fn reply_instances(c: &mut Client, s: &Sentinel, list: Vec<(usize, Which)>) {
    let shown: Vec<(usize, Which)> = list
        .into_iter()
        .filter(|&(mi, w)| {
            s.ri(mi, w)
                .is_some_and(|ri| ri.flags & sri::SLAVE == 0 || ri.replica_announced != 0)
        })
        .collect();
    c.reply.array_len(shown.len());
    for (mi, w) in shown {
        reply_instance(c, s, mi, w);
    }
}

/// SENTINEL MASTERS
pub fn sentinel_masters_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let list = (0..s.masters.len()).map(|mi| (mi, Which::Master)).collect();
        reply_instances(c, s, list);
        Ok(())
    })
}

/// SENTINEL MASTER <name>
pub fn sentinel_master_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let mi = master_or_err(s, args.get(2))?;
        reply_instance(c, s, mi, Which::Master);
        Ok(())
    })
}

/// SENTINEL REPLICAS|SLAVES <name>
pub fn sentinel_replicas_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let mi = master_or_err(s, args.get(2))?;
        let list = (0..s.masters[mi].slaves.len())
            .map(|i| (mi, Which::Slave(i)))
            .collect();
        reply_instances(c, s, list);
        Ok(())
    })
}

/// SENTINEL SENTINELS <name>
pub fn sentinel_sentinels_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let mi = master_or_err(s, args.get(2))?;
        let list = (0..s.masters[mi].sentinels.len())
            .map(|i| (mi, Which::Sentinel(i)))
            .collect();
        reply_instances(c, s, list);
        Ok(())
    })
}

/// SENTINEL MYID
pub fn sentinel_myid_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        c.reply.bulk(s.myid.as_bytes());
        Ok(())
    })
}

/// SENTINEL IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>:
/// whether we see that master SDOWN, and our vote when runid is not "*".
pub fn sentinel_is_master_down_by_addr_command(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
) -> CmdResult {
    let port = crate::util::num::string2ll(args.get(3)).ok_or(error::NOT_INTEGER)?;
    let req_epoch = crate::util::num::string2ll(args.get(4)).ok_or(error::NOT_INTEGER)?;
    sentinel(srv, |srv, s| {
        let ip = arg_str(args, 2);
        let mi = s.master_by_addr(&ip, port);
        let mut isdown = false;
        let mut leader: Option<String> = None;
        let mut leader_epoch = 0u64;
        if let Some(mi) = mi {
            let f = s.masters[mi].ri.flags;
            if !s.tilt && f & sri::S_DOWN != 0 && f & sri::MASTER != 0 {
                isdown = true;
            }
            let runid = arg_str(args, 5);
            if !runid.eq_ignore_ascii_case("*") {
                let (l, e) = failover::vote_leader(srv, s, mi, req_epoch as u64, &runid);
                leader = l;
                leader_epoch = e;
            }
        }
        c.reply.array_len(3);
        c.reply.int(isdown as i64);
        c.reply.bulk(leader.as_deref().unwrap_or("*").as_bytes());
        c.reply.int(leader_epoch as i64);
        Ok(())
    })
}

/// SENTINEL RESET <pattern>
pub fn sentinel_reset_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |srv, s| {
        let pat = args.get(2);
        let mut n = 0;
        for mi in 0..s.masters.len() {
            if crate::util::glob::string_match_len(pat, s.masters[mi].ri.name.as_bytes(), false) {
                failover::reset_master(srv, s, mi, false, true);
                n += 1;
            }
        }
        c.reply.int(n);
        Ok(())
    })
}

/// SENTINEL GET-MASTER-ADDR-BY-NAME <name>
pub fn sentinel_get_master_addr_by_name_command(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
) -> CmdResult {
    sentinel(srv, |_, s| {
        let name = arg_str(args, 2);
        match s
            .master_index(&name)
            .and_then(|mi| failover::current_addr(s, mi))
        {
            None => c.reply.null_array(),
            Some(a) => {
                c.reply.array_len(2);
                c.reply.bulk(s.announce_addr(a).as_bytes());
                c.reply.bulk_int(a.port as i64);
            }
        }
        Ok(())
    })
}

/// SENTINEL FAILOVER <name>: fail over now, without asking the others.
pub fn sentinel_failover_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |srv, s| {
        let mi = master_or_err(s, args.get(2))?;
        if s.masters[mi].ri.flags & sri::FAILOVER_IN_PROGRESS != 0 {
            return Err(Error::new("INPROG Failover already in progress"));
        }
        if failover::select_slave(s, mi).is_none() {
            return Err(Error::new("NOGOODSLAVE No suitable replica to promote"));
        }
        crate::server_log!(
            Warning,
            "Executing user requested FAILOVER of '{}'",
            s.masters[mi].ri.name
        );
        failover::start_failover(srv, s, mi);
        s.masters[mi].ri.flags |= sri::FORCE_FAILOVER;
        c.reply.ok();
        Ok(())
    })
}

/// SENTINEL PENDING-SCRIPTS
pub fn sentinel_pending_scripts_command(
    srv: &mut Server,
    c: &mut Client,
    _args: &Args,
) -> CmdResult {
    sentinel(srv, |_, s| {
        let t = now();
        c.reply.array_len(s.scripts.queue.len());
        for j in s.scripts.queue.iter() {
            c.reply.map_len(5);
            c.reply.bulk(b"argv");
            c.reply.array_len(j.argv.len());
            for a in &j.argv {
                c.reply.bulk(a.as_bytes());
            }
            c.reply.bulk(b"flags");
            c.reply.bulk(if j.running {
                &b"running"[..]
            } else {
                b"scheduled"
            });
            c.reply.bulk(b"pid");
            c.reply.bulk_int(j.pid as i64);
            if j.running {
                c.reply.bulk(b"run-time");
                c.reply.bulk_int(t - j.start_time);
            } else {
                let delay = if j.start_time != 0 {
                    (j.start_time - t).max(0)
                } else {
                    0
                };
                c.reply.bulk(b"run-delay");
                c.reply.bulk_int(delay);
            }
            c.reply.bulk(b"retry-num");
            c.reply.bulk_int(j.retry_num as i64);
        }
        Ok(())
    })
}

/// SENTINEL MONITOR <name> <ip> <port> <quorum>
pub fn sentinel_monitor_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let quorum = crate::util::num::string2l(args.get(5)).ok_or(Error::new("ERR Invalid quorum"))?;
    let port = crate::util::num::string2l(args.get(4)).ok_or(Error::new("ERR Invalid port"))?;
    if quorum <= 0 {
        return Err(Error::new("ERR Quorum must be 1 or greater."));
    }
    sentinel(srv, |srv, s| {
        let host = arg_str(args, 3);
        if s.resolve(&host).is_none() {
            return Err(Error::new("ERR Invalid IP address or hostname specified"));
        }
        let name = arg_str(args, 2);
        match s.create_master(&name, &host, port, quorum as u32) {
            Err(e) => Err(Error::msg(format!(
                "ERR {}",
                super::config::create_error_text(e, sri::MASTER)
            ))),
            Ok(mi) => {
                flush_and_reply(srv, s, c);
                let rest = format!(" quorum {}", s.masters[mi].quorum);
                event_at(srv, s, Level::Warning, "+monitor", mi, Which::Master, &rest);
                Ok(())
            }
        }
    })
}

/// SENTINEL FLUSHCONFIG
pub fn sentinel_flushconfig_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    sentinel(srv, |srv, s| {
        flush_and_reply(srv, s, c);
        Ok(())
    })
}

/// SENTINEL REMOVE <name>
pub fn sentinel_remove_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |srv, s| {
        let mi = master_or_err(s, args.get(2))?;
        event_at(srv, s, Level::Warning, "-monitor", mi, Which::Master, "");
        let m = s.masters.remove(mi);
        s.release_master(srv, m);
        flush_and_reply(srv, s, c);
        Ok(())
    })
}

/// SENTINEL CKQUORUM <name>
pub fn sentinel_ckquorum_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let mi = master_or_err(s, args.get(2))?;
        let (usable, noquorum, noauth) = failover::is_quorum_reachable(s, mi);
        if !noquorum && !noauth {
            c.reply.status(
                format!(
                    "OK {} usable Sentinels. Quorum and failover authorization can be reached",
                    usable
                )
                .as_bytes(),
            );
            return Ok(());
        }
        let mut e = format!("NOQUORUM {} usable Sentinels. ", usable);
        if noquorum {
            e.push_str(
                "Not enough available Sentinels to reach the specified quorum for this master",
            );
        }
        if noauth {
            if noquorum {
                e.push_str(". ");
            }
            e.push_str(
                "Not enough available Sentinels to reach the majority and authorize a failover",
            );
        }
        Err(Error::msg(e))
    })
}

/// SENTINEL CONFIG GET <param> | SET <param> <value>
pub fn sentinel_config_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let sub = args.get(2);
    if sub.eq_ignore_ascii_case(b"set") && args.len() == 5 {
        sentinel(srv, |srv, s| config_set(srv, s, c, args))
    } else if sub.eq_ignore_ascii_case(b"get") && args.len() == 4 {
        sentinel(srv, |_, s| {
            config_get(s, c, args.get(3));
            Ok(())
        })
    } else {
        Err(Error::new(
            "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.",
        ))
    }
}

/// sentinelConfigSetCommand.
fn config_set(srv: &mut Server, s: &mut Sentinel, c: &mut Client, args: &Args) -> CmdResult {
    let opt = arg_str(args, 3);
    let val = arg_str(args, 4);
    let badfmt = || {
        Error::msg(format!(
            "ERR Invalid value '{}' to SENTINEL CONFIG SET '{}'",
            val, opt
        ))
    };
    let yesno = |v: &str| {
        if v.eq_ignore_ascii_case("yes") {
            Some(true)
        } else if v.eq_ignore_ascii_case("no") {
            Some(false)
        } else {
            None
        }
    };
    let mut drop_conns = false;
    match opt.to_ascii_lowercase().as_str() {
        "resolve-hostnames" => s.resolve_hostnames = yesno(&val).ok_or_else(badfmt)?,
        "announce-hostnames" => s.announce_hostnames = yesno(&val).ok_or_else(badfmt)?,
        "announce-ip" => s.announce_ip = Some(val.clone()),
        "announce-port" => {
            let n = crate::util::num::string2ll(val.as_bytes())
                .filter(|n| (0..=65535).contains(n))
                .ok_or_else(badfmt)?;
            s.announce_port = n;
        }
        "sentinel-user" => {
            s.sentinel_auth_user = (!val.is_empty()).then(|| val.clone());
            drop_conns = true;
        }
        "sentinel-pass" => {
            s.sentinel_auth_pass = (!val.is_empty()).then(|| val.clone());
            drop_conns = true;
        }
        _ => {
            return Err(Error::msg(format!(
                "ERR Invalid argument '{}' to SENTINEL CONFIG SET",
                opt
            )))
        }
    }
    flush_and_reply(srv, s, c);
    if drop_conns {
        drop_sentinel_connections(srv, s);
    }
    Ok(())
}

/// sentinelDropConnections: reconnect to every other Sentinel (new
/// credentials).
fn drop_sentinel_connections(srv: &mut Server, s: &mut Sentinel) {
    let mut links = Vec::new();
    for m in &s.masters {
        for ri in &m.sentinels {
            if super::link::link(s, ri.link).is_some_and(|l| !l.disconnected) {
                links.push(ri.link);
            }
        }
    }
    for li in links {
        super::link::close_conn(srv, s, li, true);
        super::link::close_conn(srv, s, li, false);
    }
}

/// sentinelConfigGetCommand.
fn config_get(s: &Sentinel, c: &mut Client, pattern: &[u8]) {
    let m = |name: &str| crate::util::glob::string_match_len(pattern, name.as_bytes(), true);
    let mut out: Vec<(&str, Vec<u8>)> = Vec::new();
    if m("resolve-hostnames") {
        out.push(("resolve-hostnames", yes_no(s.resolve_hostnames)));
    }
    if m("announce-hostnames") {
        out.push(("announce-hostnames", yes_no(s.announce_hostnames)));
    }
    if m("announce-ip") {
        out.push((
            "announce-ip",
            s.announce_ip.clone().unwrap_or_default().into_bytes(),
        ));
    }
    if m("announce-port") {
        out.push(("announce-port", s.announce_port.to_string().into_bytes()));
    }
    if m("sentinel-user") {
        out.push((
            "sentinel-user",
            s.sentinel_auth_user
                .clone()
                .unwrap_or_default()
                .into_bytes(),
        ));
    }
    if m("sentinel-pass") {
        out.push((
            "sentinel-pass",
            s.sentinel_auth_pass
                .clone()
                .unwrap_or_default()
                .into_bytes(),
        ));
    }
    c.reply.map_len(out.len());
    for (k, v) in out {
        c.reply.bulk(k.as_bytes());
        c.reply.bulk(&v);
    }
}

fn yes_no(b: bool) -> Vec<u8> {
    if b {
        b"yes".to_vec()
    } else {
        b"no".to_vec()
    }
}

/// SENTINEL INFO-CACHE [<name> ...]
pub fn sentinel_info_cache_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        let t = now();
        let mut list: Vec<usize> = Vec::new();
        if args.len() > 2 {
            for i in 2..args.len() {
                if let Some(mi) = s.master_index(&arg_str(args, i)) {
                    if !list.contains(&mi) {
                        list.push(mi);
                    }
                }
            }
        } else {
            list = (0..s.masters.len()).collect();
        }
        c.reply.array_len(list.len() * 2);
        for mi in list {
            let m = &s.masters[mi];
            c.reply.bulk(m.ri.name.as_bytes());
            c.reply.array_len(m.slaves.len() + 1);
            c.reply.array_len(2);
            c.reply.int(if m.ri.info_refresh != 0 {
                t - m.ri.info_refresh
            } else {
                0
            });
            match &m.ri.info {
                Some(i) => c.reply.bulk(i.as_bytes()),
                None => c.reply.null(),
            }
            for sl in &m.slaves {
                c.reply.array_len(2);
                // As Redis: the master's refresh time decides 0.
                c.reply.int(if m.ri.info_refresh != 0 {
                    t - sl.info_refresh
                } else {
                    0
                });
                match &sl.info {
                    Some(i) => c.reply.bulk(i.as_bytes()),
                    None => c.reply.null(),
                }
            }
        }
        Ok(())
    })
}

/// SENTINEL SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]
pub fn sentinel_simulate_failure_command(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
) -> CmdResult {
    sentinel(srv, |_, s| {
        s.simfailure_flags = 0;
        for i in 2..args.len() {
            let a = args.get(i);
            if a.eq_ignore_ascii_case(b"crash-after-election") {
                s.simfailure_flags |= super::SIMFAILURE_CRASH_AFTER_ELECTION;
                crate::server_log!(Warning, "Failure simulation: this Sentinel will crash after being successfully elected as failover leader");
            } else if a.eq_ignore_ascii_case(b"crash-after-promotion") {
                s.simfailure_flags |= super::SIMFAILURE_CRASH_AFTER_PROMOTION;
                crate::server_log!(Warning, "Failure simulation: this Sentinel will crash after promoting the selected replica to master");
            } else if a.eq_ignore_ascii_case(b"help") {
                c.reply.array_len(2);
                c.reply.bulk(b"crash-after-election");
                c.reply.bulk(b"crash-after-promotion");
                return Ok(());
            } else {
                return Err(Error::new("ERR Unknown failure simulation specified"));
            }
        }
        c.reply.ok();
        Ok(())
    })
}

/// SENTINEL DEBUG [<param> <value> ...]
pub fn sentinel_debug_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        if args.len() == 2 {
            let p = &s.p;
            let rows: [(&str, i64); 13] = [
                ("INFO-PERIOD", p.info_period),
                ("PING-PERIOD", p.ping_period),
                ("ASK-PERIOD", p.ask_period),
                ("PUBLISH-PERIOD", p.publish_period),
                ("DEFAULT-DOWN-AFTER", p.default_down_after),
                ("DEFAULT-FAILOVER-TIMEOUT", p.default_failover_timeout),
                ("TILT-TRIGGER", p.tilt_trigger),
                ("TILT-PERIOD", p.tilt_period),
                ("SLAVE-RECONF-TIMEOUT", p.slave_reconf_timeout),
                ("MIN-LINK-RECONNECT-PERIOD", p.min_link_reconnect_period),
                ("ELECTION-TIMEOUT", p.election_timeout),
                ("SCRIPT-MAX-RUNTIME", p.script_max_runtime),
                ("SCRIPT-RETRY-DELAY", p.script_retry_delay),
            ];
            c.reply.map_len(rows.len());
            for (k, v) in rows {
                c.reply.bulk(k.as_bytes());
                c.reply.bulk_int(v);
            }
            return Ok(());
        }
        let mut j = 2;
        while j < args.len() {
            let option = arg_str(args, j);
            let moreargs = args.len() - 1 - j;
            let slot: Option<&mut i64> = match option.to_ascii_lowercase().as_str() {
                "info-period" => Some(&mut s.p.info_period),
                "ping-period" => Some(&mut s.p.ping_period),
                "ask-period" => Some(&mut s.p.ask_period),
                "publish-period" => Some(&mut s.p.publish_period),
                "default-down-after" => Some(&mut s.p.default_down_after),
                "tilt-trigger" => Some(&mut s.p.tilt_trigger),
                "tilt-period" => Some(&mut s.p.tilt_period),
                "slave-reconf-timeout" => Some(&mut s.p.slave_reconf_timeout),
                "min-link-reconnect-period" => Some(&mut s.p.min_link_reconnect_period),
                "default-failover-timeout" => Some(&mut s.p.default_failover_timeout),
                "election-timeout" => Some(&mut s.p.election_timeout),
                "script-max-runtime" => Some(&mut s.p.script_max_runtime),
                "script-retry-delay" => Some(&mut s.p.script_retry_delay),
                _ => None,
            };
            let Some(slot) = slot.filter(|_| moreargs > 0) else {
                return Err(Error::msg(format!(
                    "ERR Unknown option or number of arguments for SENTINEL DEBUG '{}'",
                    option
                )));
            };
            j += 1;
            match crate::util::num::string2ll(args.get(j)).filter(|&n| n > 0) {
                Some(n) => *slot = n,
                None => {
                    return Err(Error::msg(format!(
                        "ERR Invalid argument '{}' for SENTINEL DEBUG '{}'",
                        arg_str(args, j),
                        option
                    )))
                }
            }
            j += 1;
        }
        c.reply.ok();
        Ok(())
    })
}

const SENTINEL_HELP: &[&str] = &[
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
];

/// SENTINEL HELP
pub fn sentinel_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    crate::command::debug::add_reply_help(c, "sentinel", SENTINEL_HELP);
    Ok(())
}

/// SENTINEL SET <name> <option> <value> [<option> <value> ...]
pub fn sentinel_set_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sentinel(srv, |srv, s| {
        let mi = master_or_err(s, args.get(2))?;
        let mut changes = 0;
        let mut j = 3;
        let result: Result<(), Error> = loop {
            if j >= args.len() {
                break Ok(());
            }
            let option = arg_str(args, j);
            let moreargs = args.len() - 1 - j;
            let old_j = j;
            let mut redacted = false;
            let badfmt = |at: usize| {
                Error::msg(format!(
                    "ERR Invalid argument '{}' for SENTINEL SET '{}'",
                    arg_str(args, at),
                    option
                ))
            };
            let lopt = option.to_ascii_lowercase();
            let positive = |at: usize| {
                crate::util::num::string2ll(args.get(at))
                    .filter(|&n| n > 0)
                    .ok_or_else(|| badfmt(at))
            };
            match lopt.as_str() {
                "down-after-milliseconds" if moreargs > 0 => {
                    j += 1;
                    match positive(j) {
                        Ok(n) => {
                            s.masters[mi].ri.down_after_period = n;
                            super::config::propagate_down_after_period(s, mi);
                        }
                        Err(e) => break Err(e),
                    }
                }
                "failover-timeout" if moreargs > 0 => {
                    j += 1;
                    match positive(j) {
                        Ok(n) => s.masters[mi].failover_timeout = n,
                        Err(e) => break Err(e),
                    }
                }
                "parallel-syncs" if moreargs > 0 => {
                    j += 1;
                    match positive(j) {
                        Ok(n) => s.masters[mi].parallel_syncs = n as i32,
                        Err(e) => break Err(e),
                    }
                }
                "notification-script" | "client-reconfig-script" if moreargs > 0 => {
                    j += 1;
                    let value = arg_str(args, j);
                    if s.deny_scripts_reconfig {
                        break Err(Error::new("ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration"));
                    }
                    let notif = lopt == "notification-script";
                    if !value.is_empty() && !super::config::is_executable(&value) {
                        break Err(Error::new(if notif {
                            "ERR Notification script seems non existing or non executable"
                        } else {
                            "ERR Client reconfiguration script seems non existing or non executable"
                        }));
                    }
                    let v = (!value.is_empty()).then_some(value);
                    if notif {
                        s.masters[mi].notification_script = v;
                    } else {
                        s.masters[mi].client_reconfig_script = v;
                    }
                }
                "auth-pass" | "auth-user" if moreargs > 0 => {
                    j += 1;
                    let value = arg_str(args, j);
                    let v = (!value.is_empty()).then_some(value);
                    if lopt == "auth-pass" {
                        s.masters[mi].auth_pass = v;
                        redacted = true;
                    } else {
                        s.masters[mi].auth_user = v;
                    }
                    drop_instance_connections(srv, s, mi);
                }
                "quorum" if moreargs > 0 => {
                    j += 1;
                    match positive(j) {
                        Ok(n) => s.masters[mi].quorum = n as u32,
                        Err(e) => break Err(e),
                    }
                }
                "rename-command" if moreargs > 1 => {
                    let oldname = arg_str(args, j + 1);
                    let newname = arg_str(args, j + 2);
                    j += 2;
                    if oldname.is_empty() || newname.is_empty() {
                        break Err(badfmt(if !newname.is_empty() { j - 1 } else { j }));
                    }
                    let m = &mut s.masters[mi];
                    m.renamed_commands
                        .retain(|(o, _)| !o.eq_ignore_ascii_case(&oldname));
                    if !oldname.eq_ignore_ascii_case(&newname) {
                        m.renamed_commands.push((oldname, newname));
                    }
                }
                "master-reboot-down-after-period" if moreargs > 0 => {
                    j += 1;
                    match crate::util::num::string2ll(args.get(j)).filter(|&n| n >= 0) {
                        Some(n) => s.masters[mi].master_reboot_down_after_period = n,
                        None => break Err(badfmt(j)),
                    }
                }
                _ => {
                    break Err(Error::msg(format!(
                        "ERR Unknown option or number of arguments for SENTINEL SET '{}'",
                        option
                    )))
                }
            }
            changes += 1;
            // Log the change as a +set event.
            let numargs = j - old_j + 1;
            let rest = match numargs {
                2 => format!(
                    " {} {}",
                    option,
                    if redacted {
                        "******".to_string()
                    } else {
                        arg_str(args, old_j + 1)
                    }
                ),
                3 => format!(
                    " {} {} {}",
                    option,
                    arg_str(args, old_j + 1),
                    arg_str(args, old_j + 2)
                ),
                _ => format!(" {}", option),
            };
            event_at(srv, s, Level::Warning, "+set", mi, Which::Master, &rest);
            j += 1;
        };
        match result {
            Ok(()) => {
                if changes > 0 {
                    flush_and_reply(srv, s, c);
                }
                Ok(())
            }
            Err(e) => {
                if changes > 0 {
                    super::config::flush_config(srv, s);
                }
                Err(e)
            }
        }
    })
}

/// dropInstanceConnections: reconnect to a master and its replicas (new
/// credentials).
fn drop_instance_connections(srv: &mut Server, s: &mut Sentinel, mi: usize) {
    let mut links = vec![s.masters[mi].ri.link];
    links.extend(s.masters[mi].slaves.iter().map(|r| r.link));
    for li in links {
        super::link::close_conn(srv, s, li, false);
        super::link::close_conn(srv, s, li, true);
    }
}

// ---------------------------------------------------------------------------
// INFO, ROLE, PUBLISH of Sentinel mode
// ---------------------------------------------------------------------------

const SENTINEL_SECTIONS: &[&str] = &["server", "clients", "cpu", "stats", "sentinel"];

/// INFO [<section> ...] (sentinelInfoCommand): only the server, clients,
/// cpu, stats and sentinel sections exist.
pub fn info_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut names: Vec<String> = Vec::new();
    let mut all = false;
    let add_defaults = |names: &mut Vec<String>| {
        for d in SENTINEL_SECTIONS {
            if !names.iter().any(|n| n == d) {
                names.push(d.to_string());
            }
        }
    };
    for a in args.iter().skip(1) {
        let w = String::from_utf8_lossy(a).to_ascii_lowercase();
        match w.as_str() {
            "default" => add_defaults(&mut names),
            "all" | "everything" => all = true,
            _ => {
                if !names.contains(&w) {
                    names.push(w)
                }
            }
        }
    }
    if args.len() == 1 {
        add_defaults(&mut names);
    }
    if all {
        names.clear();
        add_defaults(&mut names);
    }
    names.retain(|n| SENTINEL_SECTIONS.contains(&n.as_str()));
    let server_names: Vec<String> = names.iter().filter(|n| *n != "sentinel").cloned().collect();
    let mut info = if server_names.is_empty() {
        String::new()
    } else {
        let sel = crate::server::info::InfoSections {
            names: server_names,
            all: false,
            everything: false,
        };
        crate::server::info::gen_info_string(srv, &sel)
    };
    if all || names.iter().any(|n| n == "sentinel") {
        with_sentinel(srv, |_, s| {
            if !info.is_empty() {
                info.push_str("\r\n");
            }
            let tilt_since = if s.tilt {
                (now() - s.tilt_start_time) / 1000
            } else {
                -1
            };
            info.push_str(&format!(
                "# Sentinel\r\nsentinel_masters:{}\r\nsentinel_tilt:{}\r\nsentinel_tilt_since_seconds:{}\r\nsentinel_running_scripts:{}\r\nsentinel_scripts_queue_length:{}\r\nsentinel_simulate_failure_flags:{}\r\n",
                s.masters.len(),
                s.tilt as i32,
                tilt_since,
                s.scripts.running,
                s.scripts.queue.len(),
                s.simfailure_flags
            ));
            for (i, m) in s.masters.iter().enumerate() {
                let status = if m.ri.flags & sri::O_DOWN != 0 {
                    "odown"
                } else if m.ri.flags & sri::S_DOWN != 0 {
                    "sdown"
                } else {
                    "ok"
                };
                info.push_str(&format!(
                    "master{}:name={},status={},address={}:{},slaves={},sentinels={}\r\n",
                    i,
                    m.ri.name,
                    status,
                    s.announce_addr(&m.ri.addr),
                    m.ri.addr.port,
                    m.slaves.len(),
                    m.sentinels.len() + 1
                ));
            }
        });
    }
    c.reply.bulk(info.as_bytes());
    Ok(())
}

/// ROLE in Sentinel mode: ["sentinel", [master names]].
pub fn role_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    sentinel(srv, |_, s| {
        c.reply.array_len(2);
        c.reply.bulk(b"sentinel");
        c.reply.array_len(s.masters.len());
        for m in &s.masters {
            c.reply.bulk(m.ri.name.as_bytes());
        }
        Ok(())
    })
}

/// PUBLISH in Sentinel mode (sentinelPublishCommand): only hello messages,
/// which are processed as if received on the hello channel.
pub fn publish_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.get(1) != super::HELLO_CHANNEL.as_bytes() {
        return Err(Error::new(
            "ERR Only HELLO messages are accepted by Sentinel instances.",
        ));
    }
    let hello = String::from_utf8_lossy(args.get(2)).into_owned();
    sentinel(srv, |srv, s| {
        super::monitor::process_hello(srv, s, &hello);
        Ok(())
    })?;
    c.reply.int(1);
    Ok(())
}

// ---------------------------------------------------------------------------
// CLIENT caching subcommands and ACL in Sentinel mode
// ---------------------------------------------------------------------------

/// CLIENT CACHING YES|NO: tracking is never on here.
pub fn client_caching_command(_srv: &mut Server, _c: &mut Client, _args: &Args) -> CmdResult {
    Err(Error::new("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"))
}

/// CLIENT GETREDIR: -1, not tracking.
pub fn client_getredir_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(-1);
    Ok(())
}

/// CLIENT TRACKING ON|OFF ...: OFF is a no-op; a Sentinel holds no keys to
/// track.
pub fn client_tracking_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let a = args.get(2);
    if a.eq_ignore_ascii_case(b"off") {
        c.reply.ok();
        Ok(())
    } else if a.eq_ignore_ascii_case(b"on") {
        Err(Error::new(
            "ERR CLIENT TRACKING is not available in Sentinel mode",
        ))
    } else {
        Err(error::SYNTAX)
    }
}

/// CLIENT TRACKINGINFO
pub fn client_trackinginfo_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.map_len(3);
    c.reply.bulk(b"flags");
    c.reply.set_len(1);
    c.reply.bulk(b"off");
    c.reply.bulk(b"redirect");
    c.reply.int(-1);
    c.reply.bulk(b"prefixes");
    c.reply.array_len(0);
    Ok(())
}

const ACL_CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// ACL CAT [category]
pub fn acl_cat_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 2 {
        c.reply.array_len(ACL_CATEGORIES.len());
        for cat in ACL_CATEGORIES {
            c.reply.bulk(cat.as_bytes());
        }
        return Ok(());
    }
    let cat = String::from_utf8_lossy(args.get(2)).to_ascii_lowercase();
    if !ACL_CATEGORIES.contains(&cat.as_str()) {
        return Err(Error::msg(format!(
            "ERR Unknown category '{}'",
            String::from_utf8_lossy(args.get(2))
        )));
    }
    let tag = format!("@{}", cat);
    let names: Vec<&str> = srv
        .commands
        .cmds
        .iter()
        .filter(|cmd| cmd.def.acl.split_whitespace().any(|t| t == tag))
        .map(|cmd| cmd.full_name)
        .collect();
    c.reply.array_len(names.len());
    for n in names {
        c.reply.bulk(n.as_bytes());
    }
    Ok(())
}

/// ACL GENPASS [bits]
pub fn acl_genpass_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let bits = if args.len() > 2 {
        match crate::util::num::string2ll(args.get(2)) {
            Some(n) if (1..=4096).contains(&n) => n,
            _ => {
                return Err(Error::new(
                    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
                ))
            }
        }
    } else {
        256
    };
    let chars = ((bits + 3) / 4) as usize;
    let pass = super::random_hex(srv, chars);
    c.reply.bulk(pass.as_bytes());
    Ok(())
}

/// ACL WHOAMI
pub fn acl_whoami_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let user = if c.user.is_empty() {
        "default".to_string()
    } else {
        c.user.clone()
    };
    c.reply.bulk(user.as_bytes());
    Ok(())
}

/// ACL USERS
pub fn acl_users_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.array_len(1);
    c.reply.bulk(b"default");
    Ok(())
}

/// ACL LOG [count|RESET]: nothing is ever denied by ACL rules here.
pub fn acl_log_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 3 && args.get(2).eq_ignore_ascii_case(b"reset") {
        c.reply.ok();
    } else {
        c.reply.array_len(0);
    }
    Ok(())
}

/// ACL LOAD / ACL SAVE without an aclfile.
pub fn acl_no_file_command(_srv: &mut Server, _c: &mut Client, _args: &Args) -> CmdResult {
    Err(Error::new("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."))
}

/// ACL user management: not built yet (only the default user exists).
pub fn acl_unsupported_command(_srv: &mut Server, _c: &mut Client, _args: &Args) -> CmdResult {
    Err(Error::new(
        "ERR ACL users are not supported by this server yet (only the default user exists)",
    ))
}

const ACL_HELP: &[&str] = &[
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
];

/// ACL HELP
pub fn acl_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    crate::command::debug::add_reply_help(c, "acl", ACL_HELP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinel_table_has_redis_counts() {
        let t = command_table();
        assert_eq!(t.top_level().count(), 15);
        assert_eq!(t.cmds.len(), 72);
        assert!(t.lookup(b"get").is_none());
        let s = t.lookup(b"sentinel").unwrap();
        assert!(t.lookup_sub(s, b"GET-MASTER-ADDR-BY-NAME").is_some());
        assert_eq!(t.cmds[t.lookup_sub(s, b"set").unwrap()].def.arity, -5);
    }
}
