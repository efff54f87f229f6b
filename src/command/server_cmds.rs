//! Server and introspection commands (Redis's server.c, config.c, slowlog.c,
//! latency.c, object.c memoryCommand): INFO, TIME, LASTSAVE, SHUTDOWN,
//! MONITOR, CONFIG GET/SET/RESETSTAT/REWRITE/HELP, COMMAND (COUNT, LIST,
//! INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP), SLOWLOG, LATENCY, MEMORY.
//!
//! COMMAND replies combine the dispatch table (`mod.rs`: name, arity, flags,
//! legacy key range, ACL categories, subcommands) with the generated Redis
//! metadata (`meta.rs`: tips, key specs, docs). Aggregates use Redis's reply
//! types (sets for flags/categories/tips/key specs, maps for docs), so RESP3
//! clients see the same shapes. Commands are listed in table order (Redis
//! uses its dict order, which clients cannot rely on).
use super::debug::add_reply_help;
use super::getkeys;
use super::meta::{self, Arg, CommandMeta, KeySpec};
use super::{flag, Command};
use crate::client::{flags, Args, Client};
use crate::config::{self, SetContext};
use crate::error::{self, CmdResult, Error};
use crate::server::info::{gen_info_string, InfoSections};
use crate::server::Server;

// ---------------------------------------------------------------------------
// INFO, TIME, LASTSAVE, SHUTDOWN, MONITOR
// ---------------------------------------------------------------------------

/// INFO [section ...]
pub fn info_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let sel = InfoSections::parse(args.iter().skip(1));
    let text = gen_info_string(srv, &sel);
    c.reply.verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// TIME
pub fn time_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let us = crate::server::now_us();
    c.reply.array_len(2);
    c.reply.bulk_int(us / 1_000_000);
    c.reply.bulk_int(us % 1_000_000);
    Ok(())
}

/// LASTSAVE
pub fn lastsave_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.lastsave);
    Ok(())
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
pub fn shutdown_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (mut nosave, mut save, mut now, mut force, mut abort) = (false, false, false, false, false);
    for a in args.iter().skip(1) {
        let w = String::from_utf8_lossy(a).to_ascii_lowercase();
        match w.as_str() {
            "nosave" => nosave = true,
            "save" => save = true,
            "now" => now = true,
            "force" => force = true,
            "abort" => abort = true,
            _ => return Err(error::SYNTAX),
        }
    }
    let any_flag = nosave || save || now || force;
    if (abort && any_flag) || (nosave && save) {
        return Err(error::SYNTAX);
    }
    if abort {
        if srv.abort_shutdown() {
            c.reply.ok();
            return Ok(());
        }
        return Err(Error::new("ERR No shutdown in progress."));
    }
    if !now && srv.in_exec {
        return Err(Error::new(
            "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client",
        ));
    }
    let mut fl = 0;
    for (on, bit) in [
        (nosave, crate::config::SHUTDOWN_NOSAVE),
        (save, crate::config::SHUTDOWN_SAVE),
        (now, crate::config::SHUTDOWN_NOW),
        (force, crate::config::SHUTDOWN_FORCE),
    ] {
        if on {
            fl |= bit;
        }
    }
    // blockClient(c, BLOCKED_SHUTDOWN): exiting, the client gets no reply;
    // waiting for replicas, it stays blocked; failed, it gets the error.
    srv.block_client_for_shutdown(c, args);
    if srv.prepare_for_shutdown(fl).is_ok() || srv.is_shutdown_initiated() {
        return Ok(());
    }
    srv.blocking_forget_client(c);
    c.flags &= !flags::BLOCKED;
    Err(Error::new(crate::server::shutdown::SHUTDOWN_FAILED_ERR))
}

/// MONITOR
pub fn monitor_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    if srv.in_exec {
        return Err(Error::new(
            "ERR MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    // Already a replica or a monitor: ignored, no reply (as Redis).
    if c.has(flags::SLAVE) {
        return Ok(());
    }
    c.flags |= flags::SLAVE | flags::MONITOR;
    if !srv.monitors.contains(&c.fd) {
        srv.monitors.push(c.fd);
    }
    c.reply.ok();
    Ok(())
}

// ---------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------

/// CONFIG GET parameter [parameter ...]
pub fn config_get_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let pats: Vec<&[u8]> = args.iter().skip(2).collect();
    let res = config::config_get(&srv.config, &pats);
    c.reply.map_len(res.len());
    for (k, v) in res {
        c.reply.bulk(k.as_bytes());
        c.reply.bulk(v.as_bytes());
    }
    Ok(())
}

/// Loopback or unix-socket client (islocalClient).
fn is_local_client(c: &Client) -> bool {
    c.has(flags::UNIX_SOCKET) || c.addr.starts_with("127.0.0.1:") || c.addr.starts_with("::1:")
}

/// CONFIG SET parameter value [parameter value ...]
pub fn config_set_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let pairs: Vec<&[u8]> = args.iter().skip(2).collect();
    // Hide sensitive values from SLOWLOG / MONITOR, whatever happens next.
    for (i, name) in pairs.iter().step_by(2).enumerate() {
        if config::is_sensitive_config(name) {
            srv.redact_client_command_argument(2 + i * 2 + 1);
        }
    }
    let ctx = if is_local_client(c) {
        SetContext::Local
    } else {
        SetContext::Remote
    };
    let backup = srv.config.clone();
    let changed = config::config_set(&mut srv.config, &pairs, ctx).map_err(Error::msg)?;
    if let Err((name, why)) = srv.apply_config_changes(&changed, &backup) {
        crate::server_log!(
            Warning,
            "Failed applying new configuration. Possibly related to new {} setting. Restoring previous settings.",
            name
        );
        // The failing apply step already restored its own side effects
        // (e.g. the old listeners); put the values back and re-apply the rest.
        let failed = srv.config.clone();
        srv.config.restore_from(backup);
        let restore: Vec<&'static str> = changed
            .iter()
            .copied()
            .filter(|n| !matches!(*n, "port" | "bind"))
            .collect();
        let _ = srv.apply_config_changes(&restore, &failed);
        return Err(Error::msg(format!(
            "ERR CONFIG SET failed (possibly related to argument '{}') - {}",
            name, why
        )));
    }
    c.reply.ok();
    Ok(())
}

/// resetServerStats + resetCommandTableStats + resetErrorTableStats.
pub fn reset_stats(srv: &mut Server) {
    let s = &mut srv.stats;
    s.numcommands = 0;
    s.numconnections = 0;
    s.expiredkeys = 0;
    s.expired_stale_perc = 0.0;
    s.expired_time_cap_reached_count = 0;
    s.expire_cycle_time_used = 0;
    s.evictedkeys = 0;
    s.keyspace_misses = 0;
    s.keyspace_hits = 0;
    s.rejected_conn = 0;
    s.total_reads_processed = 0;
    s.total_writes_processed = 0;
    s.inst_samples.clear();
    s.net_input_bytes = 0;
    s.net_output_bytes = 0;
    s.unexpected_error_replies = 0;
    s.total_error_replies = 0;
    s.dump_payload_sanitizations = 0;
    s.errors.clear();
    let r = &mut srv.repl;
    r.stat_sync_full = 0;
    r.stat_sync_partial_ok = 0;
    r.stat_sync_partial_err = 0;
    r.stat_net_repl_input_bytes = 0;
    r.stat_net_repl_output_bytes = 0;
    for cmd in srv.commands.cmds.iter_mut() {
        cmd.stats = Default::default();
    }
}

/// CONFIG RESETSTAT
pub fn config_resetstat_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    reset_stats(srv);
    c.reply.ok();
    Ok(())
}

/// CONFIG REWRITE
pub fn config_rewrite_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let path = match srv.config_file.clone() {
        Some(p) => p,
        None => {
            return Err(Error::new(
                "ERR The server is running without a config file",
            ))
        }
    };
    match config::config_rewrite(&srv.config, &path, false) {
        Ok(()) => {
            crate::server_log!(Warning, "CONFIG REWRITE executed with success.");
            c.reply.ok();
            Ok(())
        }
        Err(e) => {
            let why = e.strip_prefix("ERR Rewriting config file: ").unwrap_or(&e);
            crate::server_log!(Warning, "CONFIG REWRITE failed: {}", why);
            Err(Error::msg(e))
        }
    }
}

/// CONFIG HELP
pub fn config_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    add_reply_help(
        c,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------

/// Command flags as COMMAND INFO lists them (may_replicate, sentinel,
/// only_sentinel, protected are hidden on purpose, as in Redis).
const REPLY_FLAGS: &[(&str, u64)] = &[
    ("write", flag::WRITE),
    ("readonly", flag::READONLY),
    ("denyoom", flag::DENYOOM),
    ("admin", flag::ADMIN),
    ("pubsub", flag::PUBSUB),
    ("noscript", flag::NOSCRIPT),
    ("blocking", flag::BLOCKING),
    ("loading", flag::LOADING),
    ("stale", flag::STALE),
    ("skip_monitor", flag::SKIP_MONITOR),
    ("skip_slowlog", flag::SKIP_SLOWLOG),
    ("asking", flag::ASKING),
    ("fast", flag::FAST),
    ("no_auth", flag::NO_AUTH),
    ("no_mandatory_keys", flag::NO_MANDATORY_KEYS),
    ("no_async_loading", flag::NO_ASYNC_LOADING),
    ("no_multi", flag::NO_MULTI),
    ("movablekeys", flag::MOVABLE_KEYS),
    ("allow_busy", flag::ALLOW_BUSY),
];

/// ACL categories in ACLCommandCategories order.
pub const ACL_CATEGORIES: &[&str] = &[
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

/// Command flags including movablekeys derived from the key specs.
fn command_flags(cmd: &Command) -> u64 {
    let mut f = cmd.flags;
    if meta::lookup(cmd.full_name).is_some_and(|m| m.movablekeys) {
        f |= flag::MOVABLE_KEYS;
    }
    f
}

/// ACL category bits of a command (table words + setImplicitACLCategories).
pub fn command_acl_categories(cmd: &Command) -> u32 {
    let mut bits = 0u32;
    let bit = |name: &str| {
        ACL_CATEGORIES
            .iter()
            .position(|c| *c == name)
            .map(|i| 1u32 << i)
            .unwrap_or(0)
    };
    for w in cmd.def.acl.split_whitespace() {
        bits |= bit(w.trim_start_matches('@'));
    }
    let f = cmd.flags;
    if f & flag::WRITE != 0 {
        bits |= bit("write");
    }
    if f & flag::READONLY != 0 && bits & bit("scripting") == 0 {
        bits |= bit("read");
    }
    if f & flag::ADMIN != 0 {
        bits |= bit("admin") | bit("dangerous");
    }
    if f & flag::PUBSUB != 0 {
        bits |= bit("pubsub");
    }
    if f & flag::FAST != 0 {
        bits |= bit("fast");
    }
    if f & flag::BLOCKING != 0 {
        bits |= bit("blocking");
    }
    if bits & bit("fast") == 0 {
        bits |= bit("slow");
    }
    bits
}

fn reply_key_flags(c: &mut Client, f: u16) {
    let names: Vec<&str> = meta::KEY_FLAG_NAMES
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, n)| *n)
        .collect();
    c.reply.set_len(names.len());
    for n in names {
        c.reply.status(n.as_bytes());
    }
}

fn reply_key_specs(c: &mut Client, specs: &[KeySpec]) {
    c.reply.set_len(specs.len());
    for ks in specs {
        c.reply.map_len(if ks.notes.is_some() { 4 } else { 3 });
        if let Some(n) = ks.notes {
            c.reply.bulk(b"notes");
            c.reply.bulk(n.as_bytes());
        }
        c.reply.bulk(b"flags");
        reply_key_flags(c, ks.flags);
        c.reply.bulk(b"begin_search");
        c.reply.map_len(2);
        c.reply.bulk(b"type");
        match ks.bs {
            meta::BeginSearch::Unknown => {
                c.reply.bulk(b"unknown");
                c.reply.bulk(b"spec");
                c.reply.map_len(0);
            }
            meta::BeginSearch::Index(pos) => {
                c.reply.bulk(b"index");
                c.reply.bulk(b"spec");
                c.reply.map_len(1);
                c.reply.bulk(b"index");
                c.reply.int(pos as i64);
            }
            meta::BeginSearch::Keyword(kw, startfrom) => {
                c.reply.bulk(b"keyword");
                c.reply.bulk(b"spec");
                c.reply.map_len(2);
                c.reply.bulk(b"keyword");
                c.reply.bulk(kw.as_bytes());
                c.reply.bulk(b"startfrom");
                c.reply.int(startfrom as i64);
            }
        }
        c.reply.bulk(b"find_keys");
        c.reply.map_len(2);
        c.reply.bulk(b"type");
        match ks.fk {
            meta::FindKeys::Unknown => {
                c.reply.bulk(b"unknown");
                c.reply.bulk(b"spec");
                c.reply.map_len(0);
            }
            meta::FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                c.reply.bulk(b"range");
                c.reply.bulk(b"spec");
                c.reply.map_len(3);
                c.reply.bulk(b"lastkey");
                c.reply.int(lastkey as i64);
                c.reply.bulk(b"keystep");
                c.reply.int(keystep as i64);
                c.reply.bulk(b"limit");
                c.reply.int(limit as i64);
            }
            meta::FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                c.reply.bulk(b"keynum");
                c.reply.bulk(b"spec");
                c.reply.map_len(3);
                c.reply.bulk(b"keynumidx");
                c.reply.int(keynumidx as i64);
                c.reply.bulk(b"firstkey");
                c.reply.int(firstkey as i64);
                c.reply.bulk(b"keystep");
                c.reply.int(keystep as i64);
            }
        }
    }
}

/// addReplyCommandInfo for table entry `idx`.
fn reply_command_info(srv: &Server, c: &mut Client, idx: usize) {
    let cmd = &srv.commands.cmds[idx];
    let m = meta::lookup(cmd.full_name);
    c.reply.array_len(10);
    c.reply.bulk(cmd.full_name.as_bytes());
    c.reply.int(cmd.def.arity as i64);
    let f = command_flags(cmd);
    let names: Vec<&str> = REPLY_FLAGS
        .iter()
        .filter(|(_, b)| f & b != 0)
        .map(|(n, _)| *n)
        .collect();
    c.reply.set_len(names.len());
    for n in names {
        c.reply.status(n.as_bytes());
    }
    c.reply.int(cmd.def.first_key as i64);
    c.reply.int(cmd.def.last_key as i64);
    c.reply.int(cmd.def.key_step as i64);
    let cats = command_acl_categories(cmd);
    c.reply.set_len(cats.count_ones() as usize);
    for (i, name) in ACL_CATEGORIES.iter().enumerate() {
        if cats & (1 << i) != 0 {
            c.reply.status(format!("@{}", name).as_bytes());
        }
    }
    let tips: &[&str] = m.map(|m| m.tips).unwrap_or(&[]);
    c.reply.set_len(tips.len());
    for t in tips {
        c.reply.bulk(t.as_bytes());
    }
    reply_key_specs(c, m.map(|m| m.key_specs).unwrap_or(&[]));
    let subs = subcommands_of(srv, idx);
    if subs.is_empty() {
        c.reply.set_len(0);
    } else {
        c.reply.array_len(subs.len());
        for s in subs {
            reply_command_info(srv, c, s);
        }
    }
}

/// Table indices of a container's subcommands, in table order.
fn subcommands_of(srv: &Server, idx: usize) -> Vec<usize> {
    let mut v: Vec<usize> = srv.commands.cmds[idx].subs.values().copied().collect();
    v.sort_unstable();
    v
}

fn reply_arg_flags(c: &mut Client, f: u8) {
    let mut names = Vec::new();
    if f & meta::ARG_OPTIONAL != 0 {
        names.push("optional");
    }
    if f & meta::ARG_MULTIPLE != 0 {
        names.push("multiple");
    }
    if f & meta::ARG_MULTIPLE_TOKEN != 0 {
        names.push("multiple_token");
    }
    c.reply.set_len(names.len());
    for n in names {
        c.reply.status(n.as_bytes());
    }
}

/// addReplyCommandArgList
fn reply_args(c: &mut Client, args: &[Arg]) {
    c.reply.array_len(args.len());
    for a in args {
        let nested = matches!(a.kind, meta::ArgType::OneOf | meta::ArgType::Block);
        let maplen = 2
            + (a.key_spec_index != -1) as usize
            + a.token.is_some() as usize
            + a.summary.is_some() as usize
            + a.since.is_some() as usize
            + a.deprecated_since.is_some() as usize
            + (a.flags != 0) as usize
            + nested as usize;
        c.reply.map_len(maplen);
        c.reply.bulk(b"name");
        c.reply.bulk(a.name.as_bytes());
        c.reply.bulk(b"type");
        c.reply.bulk(a.kind.name().as_bytes());
        if a.key_spec_index != -1 {
            c.reply.bulk(b"key_spec_index");
            c.reply.int(a.key_spec_index as i64);
        }
        for (k, v) in [
            ("token", a.token),
            ("summary", a.summary),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ] {
            if let Some(v) = v {
                c.reply.bulk(k.as_bytes());
                c.reply.bulk(v.as_bytes());
            }
        }
        if a.flags != 0 {
            c.reply.bulk(b"flags");
            reply_arg_flags(c, a.flags);
        }
        if nested {
            c.reply.bulk(b"arguments");
            reply_args(c, a.args);
        }
    }
}

/// addReplyCommandDocs for table entry `idx`.
fn reply_command_docs(srv: &Server, c: &mut Client, idx: usize) {
    let cmd = &srv.commands.cmds[idx];
    let subs = subcommands_of(srv, idx);
    let m: Option<&CommandMeta> = meta::lookup(cmd.full_name);
    let (summary, since, group, complexity, doc_flags, deprecated, replaced, history, args) =
        match m {
            Some(m) => (
                m.summary,
                m.since,
                m.group,
                m.complexity,
                m.doc_flags,
                m.deprecated_since,
                m.replaced_by,
                m.history,
                m.args,
            ),
            None => (None, None, "generic", None, 0, None, None, &[][..], &[][..]),
        };
    let maplen = 1
        + summary.is_some() as usize
        + since.is_some() as usize
        + complexity.is_some() as usize
        + (doc_flags != 0) as usize
        + deprecated.is_some() as usize
        + replaced.is_some() as usize
        + !history.is_empty() as usize
        + !args.is_empty() as usize
        + !subs.is_empty() as usize;
    c.reply.map_len(maplen);
    if let Some(s) = summary {
        c.reply.bulk(b"summary");
        c.reply.bulk(s.as_bytes());
    }
    if let Some(s) = since {
        c.reply.bulk(b"since");
        c.reply.bulk(s.as_bytes());
    }
    c.reply.bulk(b"group");
    c.reply.bulk(group.as_bytes());
    if let Some(s) = complexity {
        c.reply.bulk(b"complexity");
        c.reply.bulk(s.as_bytes());
    }
    if doc_flags != 0 {
        c.reply.bulk(b"doc_flags");
        let mut names = Vec::new();
        if doc_flags & meta::DOC_DEPRECATED != 0 {
            names.push("deprecated");
        }
        if doc_flags & meta::DOC_SYSCMD != 0 {
            names.push("syscmd");
        }
        c.reply.set_len(names.len());
        for n in names {
            c.reply.status(n.as_bytes());
        }
    }
    if let Some(s) = deprecated {
        c.reply.bulk(b"deprecated_since");
        c.reply.bulk(s.as_bytes());
    }
    if let Some(s) = replaced {
        c.reply.bulk(b"replaced_by");
        c.reply.bulk(s.as_bytes());
    }
    if !history.is_empty() {
        c.reply.bulk(b"history");
        c.reply.set_len(history.len());
        for (v, ch) in history {
            c.reply.array_len(2);
            c.reply.bulk(v.as_bytes());
            c.reply.bulk(ch.as_bytes());
        }
    }
    if !args.is_empty() {
        c.reply.bulk(b"arguments");
        reply_args(c, args);
    }
    if !subs.is_empty() {
        c.reply.bulk(b"subcommands");
        c.reply.map_len(subs.len());
        for s in subs {
            c.reply.bulk(srv.commands.cmds[s].full_name.as_bytes());
            reply_command_docs(srv, c, s);
        }
    }
}

/// lookupCommandBySds: "name" or "container|sub", case-insensitive, strict.
pub fn lookup_command_by_name(srv: &Server, name: &[u8]) -> Option<usize> {
    let mut parts = name.split(|&b| b == b'|');
    let first = parts.next()?;
    let second = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let base = srv.commands.lookup(first)?;
    match second {
        None => Some(base),
        Some(sub) => {
            if srv.commands.cmds[base].subs.is_empty() {
                None
            } else {
                srv.commands.lookup_sub(base, sub)
            }
        }
    }
}

fn top_level_indices(srv: &Server) -> Vec<usize> {
    (0..srv.commands.cmds.len())
        .filter(|&i| srv.commands.cmds[i].parent.is_none())
        .collect()
}

/// COMMAND
pub fn command_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let all = top_level_indices(srv);
    c.reply.array_len(all.len());
    for i in all {
        reply_command_info(srv, c, i);
    }
    Ok(())
}

/// COMMAND COUNT
pub fn command_count_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.commands.top_level().count() as i64);
    Ok(())
}

/// COMMAND INFO [command-name ...]
pub fn command_info_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 2 {
        return command_command(srv, c, args);
    }
    c.reply.array_len(args.len() - 2);
    for name in args.iter().skip(2) {
        match lookup_command_by_name(srv, name) {
            Some(i) => reply_command_info(srv, c, i),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// COMMAND DOCS [command-name ...]
pub fn command_docs_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let found: Vec<usize> = if args.len() == 2 {
        top_level_indices(srv)
    } else {
        args.iter()
            .skip(2)
            .filter_map(|n| lookup_command_by_name(srv, n))
            .collect()
    };
    c.reply.map_len(found.len());
    for i in found {
        c.reply.bulk(srv.commands.cmds[i].full_name.as_bytes());
        reply_command_docs(srv, c, i);
    }
    Ok(())
}

/// COMMAND LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern]
pub fn command_list_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    enum Filter<'a> {
        None,
        Module,
        AclCat(Option<u32>),
        Pattern(&'a [u8]),
    }
    let mut filter = Filter::None;
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if args.get(i).eq_ignore_ascii_case(b"filterby") && more == 2 {
            let kind = args.get(i + 1);
            let arg = args.get(i + 2);
            filter = if kind.eq_ignore_ascii_case(b"module") {
                Filter::Module
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                Filter::AclCat(
                    ACL_CATEGORIES
                        .iter()
                        .position(|n| n.as_bytes().eq_ignore_ascii_case(arg))
                        .map(|p| 1u32 << p),
                )
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                Filter::Pattern(arg)
            } else {
                return Err(error::SYNTAX);
            };
            i += 3;
        } else {
            return Err(error::SYNTAX);
        }
    }
    let mut out: Vec<&'static str> = Vec::new();
    for top in top_level_indices(srv) {
        let mut group = vec![top];
        group.extend(subcommands_of(srv, top));
        for idx in group {
            let cmd = &srv.commands.cmds[idx];
            let keep = match &filter {
                Filter::None => true,
                Filter::Module => false,
                Filter::AclCat(None) => false,
                Filter::AclCat(Some(bit)) => command_acl_categories(cmd) & bit != 0,
                Filter::Pattern(p) => {
                    crate::util::string_match_len(p, cmd.full_name.as_bytes(), true)
                }
            };
            if keep {
                out.push(cmd.full_name);
            }
        }
    }
    c.reply.array_len(out.len());
    for n in out {
        c.reply.bulk(n.as_bytes());
    }
    Ok(())
}

/// getKeysSubcommandImpl
fn getkeys_impl(srv: &mut Server, c: &mut Client, args: &Args, with_flags: bool) -> CmdResult {
    // lookupCommand(argv+2): a container with arguments resolves to its subcommand.
    let name = args.get(2);
    let idx = match srv.commands.lookup(name) {
        Some(base) => {
            if !srv.commands.cmds[base].subs.is_empty() && args.len() > 3 {
                srv.commands.lookup_sub(base, args.get(3))
            } else {
                Some(base)
            }
        }
        None => None,
    };
    let idx = idx.ok_or(Error::new("ERR Invalid command specified"))?;
    let cmd = &srv.commands.cmds[idx];
    let m = meta::lookup(cmd.full_name);
    let has_keys = m.is_some_and(getkeys::command_has_keys);
    if !has_keys {
        return Err(Error::new("ERR The command has no key arguments"));
    }
    let arity = cmd.def.arity;
    let argc = (args.len() - 2) as i32;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err(Error::new(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let mut o = crate::client::OwnedArgs::default();
    for a in args.iter().skip(2) {
        o.push(a);
    }
    let sub = o.args();
    let keys = match m {
        Some(m) => getkeys::get_keys_from_command(m, &sub, arity),
        None => Vec::new(),
    };
    if keys.is_empty() {
        if cmd.flags & flag::NO_MANDATORY_KEYS != 0 {
            c.reply.array_len(0);
            return Ok(());
        }
        return Err(Error::new("ERR Invalid arguments specified for command"));
    }
    c.reply.array_len(keys.len());
    for k in keys {
        if with_flags {
            c.reply.array_len(2);
            c.reply.bulk(sub.get(k.pos));
            reply_key_flags(c, k.flags);
        } else {
            c.reply.bulk(sub.get(k.pos));
        }
    }
    Ok(())
}

/// COMMAND GETKEYS command [arg ...]
pub fn command_getkeys_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    getkeys_impl(srv, c, args, false)
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
pub fn command_getkeysandflags_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    getkeys_impl(srv, c, args, true)
}

/// COMMAND HELP
pub fn command_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    add_reply_help(
        c,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------

/// SLOWLOG GET [count]
pub fn slowlog_get_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() > 3 {
        return Err(subcommand_syntax_error("SLOWLOG", args));
    }
    let mut count: i64 = 10;
    if args.len() == 3 {
        // getRangeLongFromObjectOrReply with a message: same text for both failures.
        count = match crate::util::string2ll(args.get(2)) {
            Some(n) if n >= -1 => n,
            _ => {
                return Err(Error::new(
                    "ERR count should be greater than or equal to -1",
                ))
            }
        };
        if count == -1 {
            count = srv.slowlog.entries.len() as i64;
        }
    }
    let n = (count.max(0) as usize).min(srv.slowlog.entries.len());
    c.reply.array_len(n);
    for e in srv.slowlog.entries.iter().take(n) {
        c.reply.array_len(6);
        c.reply.int(e.id as i64);
        c.reply.int(e.time);
        c.reply.int(e.duration as i64);
        c.reply.array_len(e.argv.len());
        for a in e.argv.iter() {
            c.reply.bulk(a);
        }
        c.reply.bulk(e.peerid.as_bytes());
        c.reply.bulk(&e.cname);
    }
    Ok(())
}

/// SLOWLOG LEN
pub fn slowlog_len_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.slowlog.entries.len() as i64);
    Ok(())
}

/// SLOWLOG RESET
pub fn slowlog_reset_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    srv.slowlog.reset();
    c.reply.ok();
    Ok(())
}

/// SLOWLOG HELP
pub fn slowlog_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    add_reply_help(
        c,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}

/// addReplySubcommandSyntaxError
fn subcommand_syntax_error(cmd: &str, args: &Args) -> Error {
    let sub: String = String::from_utf8_lossy(args.get(1))
        .chars()
        .take(128)
        .collect();
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        sub, cmd
    ))
}

// ---------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------

/// latencyCommand: DOCTOR, GRAPH, HISTOGRAM, HISTORY, LATEST, RESET, HELP.
pub fn latency_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    let argc = args.len();
    let now_s = crate::server::now_ms() / 1000;
    match (sub.as_str(), argc) {
        ("history", 3) => {
            let ev = String::from_utf8_lossy(args.get(2)).into_owned();
            match srv.latency.get(&ev) {
                None => c.reply.array_len(0),
                Some(ts) => {
                    let samples: Vec<_> = ts.ordered().copied().collect();
                    c.reply.array_len(samples.len());
                    for s in samples {
                        c.reply.array_len(2);
                        c.reply.int(s.time);
                        c.reply.int(s.latency as i64);
                    }
                }
            }
        }
        ("graph", 3) => {
            let ev = String::from_utf8_lossy(args.get(2)).into_owned();
            let graph = match srv.latency.get(&ev) {
                Some(ts) => crate::server::latency::gen_sparkline(&ev, ts, now_s),
                None => {
                    return Err(Error::msg(format!(
                        "ERR No samples available for event '{}'",
                        ev
                    )))
                }
            };
            c.reply.verbatim(graph.as_bytes(), "txt");
        }
        ("latest", 2) => {
            c.reply.array_len(srv.latency.events.len());
            for (name, ts) in srv.latency.events.iter() {
                let last = ts.last();
                c.reply.array_len(4);
                c.reply.bulk(name.as_bytes());
                c.reply.int(last.time);
                c.reply.int(last.latency as i64);
                c.reply.int(ts.max as i64);
            }
        }
        ("doctor", 2) => {
            let report = latency_doctor(srv, now_s);
            c.reply.verbatim(report.as_bytes(), "txt");
        }
        ("reset", _) => {
            let n = if argc == 2 {
                srv.latency.reset(None)
            } else {
                args.iter().skip(2).map(|e| srv.latency.reset(Some(e))).sum()
            };
            c.reply.int(n as i64);
        }
        ("histogram", _) => {
            let mut picked: Vec<usize> = Vec::new();
            if argc == 2 {
                for (i, cmd) in srv.commands.cmds.iter().enumerate() {
                    if cmd.stats.latency_histogram.is_some() {
                        picked.push(i);
                    }
                }
            } else {
                for name in args.iter().skip(2) {
                    if let Some(i) = lookup_command_by_name(srv, name) {
                        if srv.commands.cmds[i].stats.latency_histogram.is_some() {
                            picked.push(i);
                        }
                        for s in subcommands_of(srv, i) {
                            if srv.commands.cmds[s].stats.latency_histogram.is_some() {
                                picked.push(s);
                            }
                        }
                    }
                }
            }
            c.reply.map_len(picked.len());
            for i in picked {
                let cmd = &srv.commands.cmds[i];
                c.reply.bulk(cmd.full_name.as_bytes());
                if let Some(h) = cmd.stats.latency_histogram.as_deref() {
                    c.reply.map_len(2);
                    c.reply.bulk(b"calls");
                    c.reply.int(h.total_count() as i64);
                    c.reply.bulk(b"histogram_usec");
                    let buckets = h.cumulative_buckets();
                    c.reply.map_len(buckets.len());
                    for (us, n) in buckets {
                        c.reply.int(us);
                        c.reply.int(n as i64);
                    }
                }
            }
        }
        ("help", 2) => add_reply_help(
            c,
            "LATENCY",
            &[
                "DOCTOR",
                "    Return a human readable latency analysis report.",
                "GRAPH <event>",
                "    Return an ASCII latency graph for the <event> class.",
                "HISTORY <event>",
                "    Return time-latency samples for the <event> class.",
                "LATEST",
                "    Return the latest latency samples for all events.",
                "RESET [<event> ...]",
                "    Reset latency data of one or more <event> classes.",
                "    (default: reset all data for all event classes)",
                "HISTOGRAM [COMMAND ...]",
                "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
                "    If no commands are specified then all histograms are replied.",
            ],
        ),
        _ => return Err(subcommand_syntax_error("LATENCY", args)),
    }
    Ok(())
}

/// createLatencyReport
fn latency_doctor(srv: &Server, now_s: i64) -> String {
    let lat = &srv.latency;
    let threshold = srv.config.latency_monitor_threshold;
    if lat.events.is_empty() && threshold == 0 {
        return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".to_string();
    }
    let mut report = String::new();
    let (mut slowlog_enabled, mut slowlog_tuning, mut slowlog_inspect) = (false, false, false);
    let (mut scheduler, mut hz_adv, mut large_objects, mut mass_eviction) =
        (false, false, false, false);
    let (mut local_disk, mut disk_contention, mut ssd, mut writeback) =
        (false, false, false, false);
    let (mut no_appendfsync, mut relax_fsync, mut write_load) = (false, false, false);
    let mut advices = 0;
    for (n, (event, ts)) in lat.events.iter().enumerate() {
        if n == 0 {
            report.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        }
        let ls = crate::server::latency::analyze_latency(ts, now_s);
        report.push_str(&format!(
            "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            n + 1,
            event,
            ls.samples,
            ls.avg,
            ls.mad,
            ls.period as f64 / ls.samples.max(1) as f64,
            ts.max
        ));
        let e = event.to_ascii_lowercase();
        match e.as_str() {
            "command" => {
                if srv.config.slowlog_log_slower_than < 0 {
                    slowlog_enabled = true;
                    advices += 1;
                } else if srv.config.slowlog_log_slower_than / 1000 > threshold {
                    slowlog_tuning = true;
                    advices += 1;
                }
                slowlog_inspect = true;
                large_objects = true;
                advices += 2;
            }
            "fast-command" => {
                scheduler = true;
                advices += 1;
            }
            "aof-write-pending-fsync" => {
                local_disk = true;
                disk_contention = true;
                ssd = true;
                writeback = true;
                advices += 4;
            }
            "aof-write-active-child" => {
                no_appendfsync = true;
                writeback = true;
                ssd = true;
                advices += 3;
            }
            "aof-write-alone" => {
                local_disk = true;
                writeback = true;
                ssd = true;
                advices += 3;
            }
            "aof-fsync-always" => {
                relax_fsync = true;
                advices += 1;
            }
            "aof-fstat" | "rdb-unlink-temp-file" => {
                disk_contention = true;
                local_disk = true;
                advices += 2;
            }
            "aof-rewrite-diff-write" | "aof-rename" => {
                write_load = true;
                writeback = true;
                ssd = true;
                local_disk = true;
                advices += 4;
            }
            "expire-cycle" => {
                hz_adv = true;
                large_objects = true;
                advices += 2;
            }
            "eviction-del" => {
                large_objects = true;
                advices += 1;
            }
            "eviction-cycle" => {
                mass_eviction = true;
                advices += 1;
            }
            _ => {}
        }
        report.push('\n');
    }
    let eventnum = lat.events.len();
    if eventnum == 0 && advices == 0 {
        report.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
    } else if eventnum > 0 && advices == 0 {
        report.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
    } else {
        report.push_str("\nI have a few advices for you:\n\n");
        if slowlog_enabled {
            report.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold as u64 * 1000));
        }
        if slowlog_tuning {
            report.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.\n", threshold as u64 * 1000));
        }
        if slowlog_inspect {
            report.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
        }
        if scheduler {
            report.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
        }
        if local_disk {
            report.push_str("- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n");
        }
        if ssd {
            report.push_str("- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n");
        }
        if writeback {
            report.push_str("- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n");
        }
        if disk_contention {
            report.push_str("- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n");
        }
        if no_appendfsync {
            report.push_str("- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n");
        }
        if relax_fsync && srv.config.appendfsync == crate::config::AppendFsync::Always {
            report.push_str("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n");
        }
        if write_load {
            report.push_str("- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n");
        }
        if hz_adv && srv.hz < 100 {
            report.push_str("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
        }
        if large_objects {
            report.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
        }
        if mass_eviction {
            report.push_str("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n");
        }
    }
    report
}

// ---------------------------------------------------------------------------
// MEMORY
// ---------------------------------------------------------------------------

/// jemalloc's size class for an allocation of `n` bytes (4 classes per
/// doubling above 128 bytes, 16-byte steps below).
pub fn jemalloc_size(n: usize) -> usize {
    if n <= 8 {
        8
    } else if n <= 128 {
        n.div_ceil(16) * 16
    } else {
        let lg = usize::BITS - (n - 1).leading_zeros();
        let delta = 1usize << (lg - 3);
        n.div_ceil(delta) * delta
    }
}

/// sds allocation size for a string of `len` bytes created exactly
/// (sdsnewlen: header by type, then the bytes and a NUL).
pub fn sds_alloc_size(len: usize) -> usize {
    let hdr = if len < 32 {
        1
    } else if len < 256 {
        3
    } else if len < 65536 {
        5
    } else if len <= u32::MAX as usize {
        9
    } else {
        17
    };
    jemalloc_size(hdr + len + 1)
}

/// objectComputeSize for the value types we have (robj is 16 bytes).
fn value_memory_usage(v: &crate::db::Value) -> usize {
    use crate::db::{StrVal, Value};
    match v {
        Value::Str(StrVal::Int(_)) => 16,
        Value::Str(StrVal::Emb(b)) => jemalloc_size(16 + 3 + b.len() + 1),
        Value::Str(StrVal::Raw(b)) => {
            let hdr = if b.len() < 256 {
                3
            } else if b.len() < 65536 {
                5
            } else {
                9
            };
            jemalloc_size(hdr + b.capacity().max(b.len()) + 1) + 16
        }
        Value::Stream(st) => st.memory_usage(5),
        // Other types report their own size when they exist.
        #[allow(unreachable_patterns)]
        _ => 16,
    }
}

/// MEMORY USAGE key [SAMPLES count]
pub fn memory_usage_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut j = 3;
    while j < args.len() {
        if args.get(j).eq_ignore_ascii_case(b"samples") && j + 1 < args.len() {
            let n = crate::util::string2ll(args.get(j + 1)).ok_or(error::NOT_INTEGER)?;
            if n < 0 {
                return Err(error::SYNTAX);
            }
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    let key = args.get(2);
    match srv.dbs[c.db].dict.get_key_value(key) {
        None => c.reply.null(),
        Some((k, o)) => {
            let usage = value_memory_usage(&o.val) + sds_alloc_size(k.len()) + 24;
            c.reply.int(usage as i64);
        }
    }
    Ok(())
}

/// MEMORY STATS
pub fn memory_stats_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let used = crate::alloc::used_memory() as i64;
    let rss = crate::sys::process::rss_bytes() as i64;
    let peak = (srv.stats.peak_memory as i64).max(used);
    let dbs: Vec<(usize, usize, usize)> = srv
        .dbs
        .iter()
        .filter(|d| !d.dict.is_empty())
        .map(|d| (d.id, d.dict.buckets(), d.expires.buckets()))
        .collect();
    let keys: usize = srv.dbs.iter().map(|d| d.dict.len()).sum();
    let mut overhead: i64 = 0;
    for &(_, main, exp) in &dbs {
        overhead += (main * 8 + exp * 8) as i64;
    }
    let dataset = (used - overhead).max(0);
    let frag = if used > 0 {
        rss as f64 / used as f64
    } else {
        0.0
    };
    c.reply.map_len(27 + dbs.len());
    let kv = |c: &mut Client, k: &str, v: i64| {
        c.reply.bulk(k.as_bytes());
        c.reply.int(v);
    };
    kv(c, "peak.allocated", peak);
    kv(c, "total.allocated", used);
    kv(c, "startup.allocated", 0);
    kv(c, "replication.backlog", 0);
    kv(c, "clients.slaves", 0);
    kv(c, "clients.normal", 0);
    kv(c, "cluster.links", 0);
    kv(c, "aof.buffer", 0);
    kv(c, "lua.caches", 0);
    kv(c, "functions.caches", 0);
    for &(id, main, exp) in &dbs {
        c.reply.bulk(format!("db.{}", id).as_bytes());
        c.reply.map_len(3);
        kv(c, "overhead.hashtable.main", (main * 8) as i64);
        kv(c, "overhead.hashtable.expires", (exp * 8) as i64);
        kv(c, "overhead.hashtable.slot-to-keys", 0);
    }
    kv(c, "overhead.total", overhead);
    kv(c, "keys.count", keys as i64);
    kv(
        c,
        "keys.bytes-per-key",
        if keys > 0 { used / keys as i64 } else { 0 },
    );
    kv(c, "dataset.bytes", dataset);
    c.reply.bulk(b"dataset.percentage");
    c.reply.double(if used > 0 {
        dataset as f64 * 100.0 / used as f64
    } else {
        0.0
    });
    c.reply.bulk(b"peak.percentage");
    c.reply.double(if peak > 0 {
        used as f64 * 100.0 / peak as f64
    } else {
        0.0
    });
    kv(c, "allocator.allocated", used);
    kv(c, "allocator.active", used);
    kv(c, "allocator.resident", rss);
    c.reply.bulk(b"allocator-fragmentation.ratio");
    c.reply.double(1.0);
    kv(c, "allocator-fragmentation.bytes", 0);
    c.reply.bulk(b"allocator-rss.ratio");
    c.reply.double(frag);
    kv(c, "allocator-rss.bytes", rss - used);
    c.reply.bulk(b"rss-overhead.ratio");
    c.reply.double(1.0);
    kv(c, "rss-overhead.bytes", 0);
    c.reply.bulk(b"fragmentation");
    c.reply.double(frag);
    kv(c, "fragmentation.bytes", rss - used);
    Ok(())
}

/// MEMORY DOCTOR
pub fn memory_doctor_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let used = crate::alloc::used_memory();
    let report = if used < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    };
    c.reply.verbatim(report.as_bytes(), "txt");
    Ok(())
}

/// MEMORY MALLOC-STATS
pub fn memory_malloc_stats_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply
        .bulk(b"Stats not supported for the current allocator");
    Ok(())
}

/// MEMORY PURGE
pub fn memory_purge_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.ok();
    Ok(())
}

/// MEMORY HELP
pub fn memory_help_command(_srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    add_reply_help(
        c,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{CommandTable, COMMAND_TABLE};

    #[test]
    fn table_matches_redis_metadata() {
        // Every row of the dispatch table agrees with Redis 7.0.15's own
        // command JSON: arity, flags, ACL categories, legacy key range.
        let t = CommandTable::build(COMMAND_TABLE);
        let mut problems = Vec::new();
        for cmd in t.cmds.iter() {
            let m = match meta::lookup(cmd.full_name) {
                Some(m) => m,
                None => {
                    problems.push(format!("{}: not a Redis command", cmd.full_name));
                    continue;
                }
            };
            if m.arity != cmd.def.arity {
                problems.push(format!(
                    "{}: arity {} vs {}",
                    cmd.full_name, cmd.def.arity, m.arity
                ));
            }
            let want = flag::parse(
                &m.flags
                    .replace("only_sentinel", "only-sentinel")
                    .replace("touches_arbitrary_keys", ""),
            );
            let have = cmd.flags & !flag::MOVABLE_KEYS;
            if want != have {
                problems.push(format!(
                    "{}: flags '{}' vs '{}'",
                    cmd.full_name, cmd.def.flags, m.flags
                ));
            }
            let cats = command_acl_categories(cmd);
            let names: Vec<String> = ACL_CATEGORIES
                .iter()
                .enumerate()
                .filter(|(i, _)| cats & (1 << i) != 0)
                .map(|(_, n)| format!("@{}", n))
                .collect();
            if names.join(" ") != m.acl {
                problems.push(format!(
                    "{}: acl '{}' vs '{}'",
                    cmd.full_name,
                    names.join(" "),
                    m.acl
                ));
            }
            let range = (cmd.def.first_key, cmd.def.last_key, cmd.def.key_step);
            if range != (m.first_key, m.last_key, m.key_step) {
                problems.push(format!(
                    "{}: keys {:?} vs {:?}",
                    cmd.full_name,
                    range,
                    (m.first_key, m.last_key, m.key_step)
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn meta_is_sorted_and_complete() {
        assert!(meta::COMMAND_META.windows(2).all(|w| w[0].name < w[1].name));
        // 7.0.15 has 240 top-level commands (COMMAND COUNT of the real server).
        let top = meta::COMMAND_META
            .iter()
            .filter(|m| !m.name.contains('|'))
            .count();
        assert!(top >= 235, "{top}");
        let get = meta::lookup("get").unwrap();
        assert_eq!(get.group, "string");
        assert_eq!(get.key_specs.len(), 1);
        assert!(meta::lookup("config|get").is_some());
        assert!(meta::lookup("nosuch").is_none());
    }

    #[test]
    fn jemalloc_classes() {
        assert_eq!(jemalloc_size(23), 32);
        assert_eq!(jemalloc_size(7), 8);
        assert_eq!(jemalloc_size(104), 112);
        assert_eq!(jemalloc_size(129), 160);
        assert_eq!(jemalloc_size(257), 320);
        assert_eq!(jemalloc_size(4097), 5120);
        // MEMORY USAGE on Redis 7.0.15: "foo" -> "bar" = 64, "n" -> 12345 = 48,
        // "big" -> 100 x 'a' (raw) = 160.
        use crate::db::{StrVal, Value};
        assert_eq!(
            value_memory_usage(&Value::Str(StrVal::from_bytes(b"bar"))) + sds_alloc_size(3) + 24,
            64
        );
        assert_eq!(
            value_memory_usage(&Value::Str(StrVal::from_bytes(b"12345"))) + sds_alloc_size(1) + 24,
            48
        );
        let big = Value::Str(StrVal::Raw(vec![b'a'; 100]));
        assert_eq!(value_memory_usage(&big) + sds_alloc_size(3) + 24, 160);
    }
}
