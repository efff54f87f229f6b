//! The command table: ONE declarative list of every command ferrodis knows,
//! with its handler, signed arity (negative = at least |arity|), flags, legacy
//! key positions (first, last, step) and ACL categories — Redis's
//! `redisCommandTable`. The dispatcher (`Server::process_command`) is the only
//! place that checks arity and flags; COMMAND COUNT/INFO/LIST/GETKEYS read the
//! same table, so metadata and dispatch cannot drift apart.
//!
//! Handlers live in one file per family, named as Redis's `t_*.c` files:
//! `string.rs` (GET, SET ...), `generic.rs` (DEL, EXPIRE, SCAN ...),
//! `connection.rs` (PING, AUTH, HELLO, CLIENT ...), `server_cmds.rs` (INFO,
//! CONFIG, COMMAND, SHUTDOWN ...), `debug.rs` (DEBUG). A handler is named
//! `<command>_command`, so `grep -n 'fn incrbyfloat_command'` finds it.
use crate::client::{Args, Client};
use crate::error::CmdResult;
use crate::server::Server;
use std::collections::HashMap;

pub mod bitops;
pub mod connection;
pub mod debug;
pub mod dump;
pub mod generic;
pub mod getkeys;
pub mod hash;
pub mod hyperloglog;
pub mod list;
pub mod meta;
pub mod multi;
pub mod pubsub;
pub mod server_cmds;
pub mod set;
pub mod stream;
pub mod string;
pub mod zset;

pub type Handler = fn(&mut Server, &mut Client, &Args) -> CmdResult;

/// Command flags (Redis's CMD_*), parsed once from the table's flag words.
pub mod flag {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;

    /// (word, bit) in the order COMMAND INFO lists them.
    pub const NAMES: &[(&str, u64)] = &[
        ("write", WRITE),
        ("readonly", READONLY),
        ("denyoom", DENYOOM),
        ("admin", ADMIN),
        ("pubsub", PUBSUB),
        ("noscript", NOSCRIPT),
        ("blocking", BLOCKING),
        ("loading", LOADING),
        ("stale", STALE),
        ("skip_monitor", SKIP_MONITOR),
        ("skip_slowlog", SKIP_SLOWLOG),
        ("asking", ASKING),
        ("fast", FAST),
        ("no_auth", NO_AUTH),
        ("may_replicate", MAY_REPLICATE),
        ("no_mandatory_keys", NO_MANDATORY_KEYS),
        ("no_async_loading", NO_ASYNC_LOADING),
        ("no_multi", NO_MULTI),
        ("movablekeys", MOVABLE_KEYS),
        ("allow_busy", ALLOW_BUSY),
    ];

    pub fn parse(words: &str) -> u64 {
        let mut f = 0;
        for w in words.split_whitespace() {
            match w {
                "sentinel" => f |= SENTINEL,
                "only-sentinel" => f |= ONLY_SENTINEL,
                "protected" => f |= PROTECTED,
                _ => {
                    let bit = NAMES.iter().find(|(n, _)| *n == w).map(|(_, b)| *b);
                    debug_assert!(bit.is_some(), "unknown flag word {w}");
                    f |= bit.unwrap_or(0);
                }
            }
        }
        f
    }
}

/// One row of the table.
pub struct CommandDef {
    pub name: &'static str,
    pub handler: Handler,
    pub arity: i32,
    pub flags: &'static str,
    pub first_key: i32,
    pub last_key: i32,
    pub key_step: i32,
    pub acl: &'static str,
    pub subcommands: &'static [CommandDef],
}

/// Per-command statistics (INFO commandstats / latencystats).
#[derive(Default, Clone, Debug)]
pub struct CmdStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    /// Allocated on the first recorded call (latency-tracking yes).
    pub latency_histogram: Option<Box<crate::server::latency::LatencyHistogram>>,
}

/// A command as the server uses it: table row + parsed flags + stats.
pub struct Command {
    pub def: &'static CommandDef,
    /// "get", or "config|get" for a subcommand.
    pub full_name: &'static str,
    pub flags: u64,
    pub parent: Option<usize>,
    /// Index of each subcommand by lowercase name.
    pub subs: HashMap<&'static str, usize>,
    pub stats: CmdStats,
}

impl Command {
    #[inline]
    pub fn has(&self, f: u64) -> bool {
        self.flags & f != 0
    }
}

/// The server's view of the table: a flat vector (stable indices for stats)
/// and a lowercase-name index.
pub struct CommandTable {
    pub cmds: Vec<Command>,
    pub by_name: HashMap<&'static str, usize>,
}

impl CommandTable {
    pub fn build(defs: &'static [CommandDef]) -> CommandTable {
        let mut t = CommandTable {
            cmds: Vec::new(),
            by_name: HashMap::new(),
        };
        for def in defs {
            let idx = t.cmds.len();
            t.cmds.push(Command {
                def,
                full_name: def.name,
                flags: flag::parse(def.flags),
                parent: None,
                subs: HashMap::new(),
                stats: CmdStats::default(),
            });
            t.by_name.insert(def.name, idx);
            for sub in def.subcommands {
                let sidx = t.cmds.len();
                let full: &'static str =
                    Box::leak(format!("{}|{}", def.name, sub.name).into_boxed_str());
                t.cmds.push(Command {
                    def: sub,
                    full_name: full,
                    flags: flag::parse(sub.flags),
                    parent: Some(idx),
                    subs: HashMap::new(),
                    stats: CmdStats::default(),
                });
                t.cmds[idx].subs.insert(sub.name, sidx);
            }
        }
        t
    }

    /// Case-insensitive lookup of a top-level command.
    pub fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut buf = [0u8; 32];
        if name.len() > buf.len() {
            return None;
        }
        for (i, &b) in name.iter().enumerate() {
            buf[i] = b.to_ascii_lowercase();
        }
        let s = std::str::from_utf8(&buf[..name.len()]).ok()?;
        self.by_name.get(s).copied()
    }

    pub fn lookup_sub(&self, parent: usize, name: &[u8]) -> Option<usize> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        self.cmds.get(parent)?.subs.get(lower.as_str()).copied()
    }

    /// Top-level commands only (COMMAND COUNT / LIST).
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.cmds.iter().filter(|c| c.parent.is_none())
    }
}

macro_rules! cmd {
    ($name:expr, $handler:expr, $arity:expr, $flags:expr, $fk:expr, $lk:expr, $st:expr, $acl:expr) => {
        CommandDef {
            name: $name,
            handler: $handler,
            arity: $arity,
            flags: $flags,
            first_key: $fk,
            last_key: $lk,
            key_step: $st,
            acl: $acl,
            subcommands: &[],
        }
    };
    ($name:expr, $handler:expr, $arity:expr, $flags:expr, $fk:expr, $lk:expr, $st:expr, $acl:expr, $subs:expr) => {
        CommandDef {
            name: $name,
            handler: $handler,
            arity: $arity,
            flags: $flags,
            first_key: $fk,
            last_key: $lk,
            key_step: $st,
            acl: $acl,
            subcommands: $subs,
        }
    };
}

use crate::replication::cmds as repl;
use bitops as bit;
use connection as conn;
use debug as dbg;
use generic as gen;
use hash as h;
use hyperloglog as hll;
use list as lst;
use multi as mul;
use pubsub as ps;
use server_cmds as srv;
use set as s;
use stream as x;
use string as st;
use zset as z;

/// Handler of container commands whose subcommand was not found (the
/// dispatcher replies the error before calling it).
fn container_command(_: &mut Server, _: &mut Client, _: &Args) -> CmdResult {
    Ok(())
}

#[rustfmt::skip]
pub static COMMAND_TABLE: &[CommandDef] = &[
    // --- strings (string.rs) ---
    cmd!("get", st::get_command, 2, "readonly fast", 1, 1, 1, "@read @string @fast"),
    cmd!("set", st::set_command, -3, "write denyoom", 1, 1, 1, "@write @string @slow"),
    cmd!("setnx", st::setnx_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("setex", st::setex_command, 4, "write denyoom", 1, 1, 1, "@write @string @slow"),
    cmd!("psetex", st::psetex_command, 4, "write denyoom", 1, 1, 1, "@write @string @slow"),
    cmd!("getset", st::getset_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("getdel", st::getdel_command, 2, "write fast", 1, 1, 1, "@write @string @fast"),
    cmd!("getex", st::getex_command, -2, "write fast", 1, 1, 1, "@write @string @fast"),
    cmd!("mget", st::mget_command, -2, "readonly fast", 1, -1, 1, "@read @string @fast"),
    cmd!("mset", st::mset_command, -3, "write denyoom", 1, -1, 2, "@write @string @slow"),
    cmd!("msetnx", st::msetnx_command, -3, "write denyoom", 1, -1, 2, "@write @string @slow"),
    cmd!("append", st::append_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("strlen", st::strlen_command, 2, "readonly fast", 1, 1, 1, "@read @string @fast"),
    cmd!("incr", st::incr_command, 2, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("decr", st::decr_command, 2, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("incrby", st::incrby_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("decrby", st::decrby_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("incrbyfloat", st::incrbyfloat_command, 3, "write denyoom fast", 1, 1, 1, "@write @string @fast"),
    cmd!("getrange", st::getrange_command, 4, "readonly", 1, 1, 1, "@read @string @slow"),
    cmd!("substr", st::getrange_command, 4, "readonly", 1, 1, 1, "@read @string @slow"),
    cmd!("setrange", st::setrange_command, 4, "write denyoom", 1, 1, 1, "@write @string @slow"),
    cmd!("lcs", st::lcs_command, -3, "readonly", 1, 2, 1, "@read @string @slow"),
    // --- lists (list.rs) ---
    cmd!("lpush", lst::lpush_command, -3, "write denyoom fast", 1, 1, 1, "@write @list @fast"),
    cmd!("rpush", lst::rpush_command, -3, "write denyoom fast", 1, 1, 1, "@write @list @fast"),
    cmd!("lpushx", lst::lpushx_command, -3, "write denyoom fast", 1, 1, 1, "@write @list @fast"),
    cmd!("rpushx", lst::rpushx_command, -3, "write denyoom fast", 1, 1, 1, "@write @list @fast"),
    cmd!("linsert", lst::linsert_command, 5, "write denyoom", 1, 1, 1, "@write @list @slow"),
    cmd!("lpop", lst::lpop_command, -2, "write fast", 1, 1, 1, "@write @list @fast"),
    cmd!("rpop", lst::rpop_command, -2, "write fast", 1, 1, 1, "@write @list @fast"),
    cmd!("lmpop", lst::lmpop_command, -4, "write movablekeys", 0, 0, 0, "@write @list @slow"),
    cmd!("llen", lst::llen_command, 2, "readonly fast", 1, 1, 1, "@read @list @fast"),
    cmd!("lindex", lst::lindex_command, 3, "readonly", 1, 1, 1, "@read @list @slow"),
    cmd!("lset", lst::lset_command, 4, "write denyoom", 1, 1, 1, "@write @list @slow"),
    cmd!("lrange", lst::lrange_command, 4, "readonly", 1, 1, 1, "@read @list @slow"),
    cmd!("ltrim", lst::ltrim_command, 4, "write", 1, 1, 1, "@write @list @slow"),
    cmd!("lpos", lst::lpos_command, -3, "readonly", 1, 1, 1, "@read @list @slow"),
    cmd!("lrem", lst::lrem_command, 4, "write", 1, 1, 1, "@write @list @slow"),
    cmd!("rpoplpush", lst::rpoplpush_command, 3, "write denyoom", 1, 2, 1, "@write @list @slow"),
    cmd!("lmove", lst::lmove_command, 5, "write denyoom", 1, 2, 1, "@write @list @slow"),
    cmd!("blpop", lst::blpop_command, -3, "write noscript blocking", 1, -2, 1, "@write @list @slow @blocking"),
    cmd!("brpop", lst::brpop_command, -3, "write noscript blocking", 1, -2, 1, "@write @list @slow @blocking"),
    cmd!("brpoplpush", lst::brpoplpush_command, 4, "write denyoom noscript blocking", 1, 2, 1, "@write @list @slow @blocking"),
    cmd!("blmove", lst::blmove_command, 6, "write denyoom noscript blocking", 1, 2, 1, "@write @list @slow @blocking"),
    cmd!("blmpop", lst::blmpop_command, -5, "write blocking movablekeys", 0, 0, 0, "@write @list @slow @blocking"),
    // --- bitmaps (bitops.rs) ---
    cmd!("setbit", bit::setbit_command, 4, "write denyoom", 1, 1, 1, "@write @bitmap @slow"),
    cmd!("getbit", bit::getbit_command, 3, "readonly fast", 1, 1, 1, "@read @bitmap @fast"),
    cmd!("bitcount", bit::bitcount_command, -2, "readonly", 1, 1, 1, "@read @bitmap @slow"),
    cmd!("bitpos", bit::bitpos_command, -3, "readonly", 1, 1, 1, "@read @bitmap @slow"),
    cmd!("bitop", bit::bitop_command, -4, "write denyoom", 2, -1, 1, "@write @bitmap @slow"),
    cmd!("bitfield", bit::bitfield_command, -2, "write denyoom", 1, 1, 1, "@write @bitmap @slow"),
    cmd!("bitfield_ro", bit::bitfield_ro_command, -2, "readonly fast", 1, 1, 1, "@read @bitmap @fast"),
    // --- hyperloglog (hyperloglog.rs) ---
    cmd!("pfadd", hll::pfadd_command, -2, "write denyoom fast", 1, 1, 1, "@write @hyperloglog @fast"),
    cmd!("pfcount", hll::pfcount_command, -2, "readonly may_replicate", 1, -1, 1, "@read @hyperloglog @slow"),
    cmd!("pfmerge", hll::pfmerge_command, -2, "write denyoom", 1, -1, 1, "@write @hyperloglog @slow"),
    cmd!("pfselftest", hll::pfselftest_command, 1, "admin", 0, 0, 0, "@hyperloglog @admin @slow @dangerous"),
    cmd!("pfdebug", hll::pfdebug_command, 3, "write denyoom admin", 2, 2, 1, "@write @hyperloglog @admin @slow @dangerous"),
    // --- sorted sets (zset.rs) ---
    cmd!("zadd", z::zadd_command, -4, "write denyoom fast", 1, 1, 1, "@write @sortedset @fast"),
    cmd!("zincrby", z::zincrby_command, 4, "write denyoom fast", 1, 1, 1, "@write @sortedset @fast"),
    cmd!("zrem", z::zrem_command, -3, "write fast", 1, 1, 1, "@write @sortedset @fast"),
    cmd!("zcard", z::zcard_command, 2, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zscore", z::zscore_command, 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zmscore", z::zmscore_command, -3, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zrank", z::zrank_command, 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zrevrank", z::zrevrank_command, 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zcount", z::zcount_command, 4, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zlexcount", z::zlexcount_command, 4, "readonly fast", 1, 1, 1, "@read @sortedset @fast"),
    cmd!("zrange", z::zrange_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zrangestore", z::zrangestore_command, -5, "write denyoom", 1, 2, 1, "@write @sortedset @slow"),
    cmd!("zrevrange", z::zrevrange_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zrangebyscore", z::zrangebyscore_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zrevrangebyscore", z::zrevrangebyscore_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zrangebylex", z::zrangebylex_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zrevrangebylex", z::zrevrangebylex_command, -4, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zremrangebyrank", z::zremrangebyrank_command, 4, "write", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zremrangebyscore", z::zremrangebyscore_command, 4, "write", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zremrangebylex", z::zremrangebylex_command, 4, "write", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zunion", z::zunion_command, -3, "readonly movablekeys", 0, 0, 0, "@read @sortedset @slow"),
    cmd!("zunionstore", z::zunionstore_command, -4, "write denyoom movablekeys", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zinter", z::zinter_command, -3, "readonly movablekeys", 0, 0, 0, "@read @sortedset @slow"),
    cmd!("zinterstore", z::zinterstore_command, -4, "write denyoom movablekeys", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zintercard", z::zintercard_command, -3, "readonly movablekeys", 0, 0, 0, "@read @sortedset @slow"),
    cmd!("zdiff", z::zdiff_command, -3, "readonly movablekeys", 0, 0, 0, "@read @sortedset @slow"),
    cmd!("zdiffstore", z::zdiffstore_command, -4, "write denyoom movablekeys", 1, 1, 1, "@write @sortedset @slow"),
    cmd!("zpopmin", z::zpopmin_command, -2, "write fast", 1, 1, 1, "@write @sortedset @fast"),
    cmd!("zpopmax", z::zpopmax_command, -2, "write fast", 1, 1, 1, "@write @sortedset @fast"),
    cmd!("zmpop", z::zmpop_command, -4, "write movablekeys", 0, 0, 0, "@write @sortedset @slow"),
    cmd!("bzpopmin", z::bzpopmin_command, -3, "write noscript blocking fast", 1, -2, 1, "@write @sortedset @fast @blocking"),
    cmd!("bzpopmax", z::bzpopmax_command, -3, "write noscript blocking fast", 1, -2, 1, "@write @sortedset @fast @blocking"),
    cmd!("bzmpop", z::bzmpop_command, -5, "write blocking movablekeys", 0, 0, 0, "@write @sortedset @slow @blocking"),
    cmd!("zrandmember", z::zrandmember_command, -2, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    cmd!("zscan", z::zscan_command, -3, "readonly", 1, 1, 1, "@read @sortedset @slow"),
    // --- keyspace (generic.rs) ---
    cmd!("del", gen::del_command, -2, "write", 1, -1, 1, "@keyspace @write @slow"),
    cmd!("unlink", gen::unlink_command, -2, "write fast", 1, -1, 1, "@keyspace @write @fast"),
    cmd!("exists", gen::exists_command, -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast"),
    cmd!("type", gen::type_command, 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"),
    cmd!("keys", gen::keys_command, 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous"),
    cmd!("scan", gen::scan_command, -2, "readonly", 0, 0, 0, "@keyspace @read @slow"),
    cmd!("randomkey", gen::randomkey_command, 1, "readonly", 0, 0, 0, "@keyspace @read @slow"),
    cmd!("rename", gen::rename_command, 3, "write", 1, 2, 1, "@keyspace @write @slow"),
    cmd!("renamenx", gen::renamenx_command, 3, "write fast", 1, 2, 1, "@keyspace @write @fast"),
    cmd!("move", gen::move_command, 3, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("dump", dump::dump_command, 2, "readonly", 1, 1, 1, "@keyspace @read @slow"),
    cmd!("restore", dump::restore_command, -4, "write denyoom", 1, 1, 1, "@keyspace @write @slow @dangerous"),
    cmd!("restore-asking", dump::restore_command, -4, "write denyoom asking", 1, 1, 1, "@keyspace @write @slow @dangerous"),
    cmd!("migrate", dump::migrate_command, -6, "write movablekeys", 3, 3, 1, "@keyspace @write @slow @dangerous"),
    cmd!("copy", gen::copy_command, -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow"),
    cmd!("dbsize", gen::dbsize_command, 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast"),
    cmd!("select", gen::select_command, 2, "loading stale fast", 0, 0, 0, "@fast @connection"),
    cmd!("swapdb", gen::swapdb_command, 3, "write fast", 0, 0, 0, "@keyspace @write @fast @dangerous"),
    cmd!("flushdb", gen::flushdb_command, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous"),
    cmd!("flushall", gen::flushall_command, -1, "write", 0, 0, 0, "@keyspace @write @slow @dangerous"),
    cmd!("expire", gen::expire_command, -3, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("pexpire", gen::pexpire_command, -3, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("expireat", gen::expireat_command, -3, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("pexpireat", gen::pexpireat_command, -3, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("ttl", gen::ttl_command, 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"),
    cmd!("pttl", gen::pttl_command, 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"),
    cmd!("expiretime", gen::expiretime_command, 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"),
    cmd!("pexpiretime", gen::pexpiretime_command, 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast"),
    cmd!("persist", gen::persist_command, 2, "write fast", 1, 1, 1, "@keyspace @write @fast"),
    cmd!("touch", gen::touch_command, -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast"),
    cmd!("object", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("encoding", gen::object_encoding_command, 3, "readonly", 2, 2, 1, "@keyspace @read @slow"),
        cmd!("freq", gen::object_freq_command, 3, "readonly", 2, 2, 1, "@keyspace @read @slow"),
        cmd!("idletime", gen::object_idletime_command, 3, "readonly", 2, 2, 1, "@keyspace @read @slow"),
        cmd!("refcount", gen::object_refcount_command, 3, "readonly", 2, 2, 1, "@keyspace @read @slow"),
        cmd!("help", gen::object_help_command, 2, "loading stale", 0, 0, 0, "@keyspace @slow"),
    ]),
    // --- streams (stream.rs) ---
    cmd!("xadd", x::xadd_command, -5, "write denyoom fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xrange", x::xrange_command, -4, "readonly", 1, 1, 1, "@read @stream @slow"),
    cmd!("xrevrange", x::xrevrange_command, -4, "readonly", 1, 1, 1, "@read @stream @slow"),
    cmd!("xlen", x::xlen_command, 2, "readonly fast", 1, 1, 1, "@read @stream @fast"),
    cmd!("xread", x::xread_command, -4, "readonly blocking movablekeys", 0, 0, 0, "@read @stream @slow @blocking"),
    cmd!("xreadgroup", x::xread_command, -7, "write blocking movablekeys", 0, 0, 0, "@write @stream @slow @blocking"),
    cmd!("xgroup", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("create", x::xgroup_command, -5, "write denyoom", 2, 2, 1, "@write @stream @slow"),
        cmd!("setid", x::xgroup_command, -5, "write", 2, 2, 1, "@write @stream @slow"),
        cmd!("destroy", x::xgroup_command, 4, "write", 2, 2, 1, "@write @stream @slow"),
        cmd!("createconsumer", x::xgroup_command, 5, "write denyoom", 2, 2, 1, "@write @stream @slow"),
        cmd!("delconsumer", x::xgroup_command, 5, "write", 2, 2, 1, "@write @stream @slow"),
        cmd!("help", x::xgroup_command, 2, "loading stale", 0, 0, 0, "@stream @slow"),
    ]),
    cmd!("xsetid", x::xsetid_command, -3, "write denyoom fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xack", x::xack_command, -4, "write fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xpending", x::xpending_command, -3, "readonly", 1, 1, 1, "@read @stream @slow"),
    cmd!("xclaim", x::xclaim_command, -6, "write fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xautoclaim", x::xautoclaim_command, -6, "write fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xinfo", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("consumers", x::xinfo_command, 4, "readonly", 2, 2, 1, "@read @stream @slow"),
        cmd!("groups", x::xinfo_command, 3, "readonly", 2, 2, 1, "@read @stream @slow"),
        cmd!("stream", x::xinfo_command, -3, "readonly", 2, 2, 1, "@read @stream @slow"),
        cmd!("help", x::xinfo_command, 2, "loading stale", 0, 0, 0, "@stream @slow"),
    ]),
    cmd!("xdel", x::xdel_command, -3, "write fast", 1, 1, 1, "@write @stream @fast"),
    cmd!("xtrim", x::xtrim_command, -4, "write", 1, 1, 1, "@write @stream @slow"),
    // --- hashes (hash.rs) ---
    cmd!("hset", h::hset_command, -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hsetnx", h::hsetnx_command, 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hmset", h::hset_command, -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hget", h::hget_command, 3, "readonly fast", 1, 1, 1, "@read @hash @fast"),
    cmd!("hmget", h::hmget_command, -3, "readonly fast", 1, 1, 1, "@read @hash @fast"),
    cmd!("hdel", h::hdel_command, -3, "write fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hlen", h::hlen_command, 2, "readonly fast", 1, 1, 1, "@read @hash @fast"),
    cmd!("hstrlen", h::hstrlen_command, 3, "readonly fast", 1, 1, 1, "@read @hash @fast"),
    cmd!("hexists", h::hexists_command, 3, "readonly fast", 1, 1, 1, "@read @hash @fast"),
    cmd!("hincrby", h::hincrby_command, 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hincrbyfloat", h::hincrbyfloat_command, 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast"),
    cmd!("hkeys", h::hkeys_command, 2, "readonly", 1, 1, 1, "@read @hash @slow"),
    cmd!("hvals", h::hvals_command, 2, "readonly", 1, 1, 1, "@read @hash @slow"),
    cmd!("hgetall", h::hgetall_command, 2, "readonly", 1, 1, 1, "@read @hash @slow"),
    cmd!("hrandfield", h::hrandfield_command, -2, "readonly", 1, 1, 1, "@read @hash @slow"),
    cmd!("hscan", h::hscan_command, -3, "readonly", 1, 1, 1, "@read @hash @slow"),
    // --- sets (set.rs) ---
    cmd!("sadd", s::sadd_command, -3, "write denyoom fast", 1, 1, 1, "@write @set @fast"),
    cmd!("srem", s::srem_command, -3, "write fast", 1, 1, 1, "@write @set @fast"),
    cmd!("smove", s::smove_command, 4, "write fast", 1, 2, 1, "@write @set @fast"),
    cmd!("sismember", s::sismember_command, 3, "readonly fast", 1, 1, 1, "@read @set @fast"),
    cmd!("smismember", s::smismember_command, -3, "readonly fast", 1, 1, 1, "@read @set @fast"),
    cmd!("scard", s::scard_command, 2, "readonly fast", 1, 1, 1, "@read @set @fast"),
    cmd!("spop", s::spop_command, -2, "write fast", 1, 1, 1, "@write @set @fast"),
    cmd!("srandmember", s::srandmember_command, -2, "readonly", 1, 1, 1, "@read @set @slow"),
    cmd!("smembers", s::sinter_command, 2, "readonly", 1, 1, 1, "@read @set @slow"),
    cmd!("sinter", s::sinter_command, -2, "readonly", 1, -1, 1, "@read @set @slow"),
    cmd!("sintercard", s::sintercard_command, -3, "readonly movablekeys", 0, 0, 0, "@read @set @slow"),
    cmd!("sinterstore", s::sinterstore_command, -3, "write denyoom", 1, -1, 1, "@write @set @slow"),
    cmd!("sunion", s::sunion_command, -2, "readonly", 1, -1, 1, "@read @set @slow"),
    cmd!("sunionstore", s::sunionstore_command, -3, "write denyoom", 1, -1, 1, "@write @set @slow"),
    cmd!("sdiff", s::sdiff_command, -2, "readonly", 1, -1, 1, "@read @set @slow"),
    cmd!("sdiffstore", s::sdiffstore_command, -3, "write denyoom", 1, -1, 1, "@write @set @slow"),
    cmd!("sscan", s::sscan_command, -3, "readonly", 1, 1, 1, "@read @set @slow"),
    // --- transactions (multi.rs) ---
    cmd!("multi", mul::multi_command, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction"),
    cmd!("exec", mul::exec_command, 1, "noscript loading stale skip_slowlog", 0, 0, 0, "@slow @transaction"),
    cmd!("discard", mul::discard_command, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction"),
    cmd!("watch", mul::watch_command, -2, "noscript loading stale fast allow_busy", 1, -1, 1, "@fast @transaction"),
    cmd!("unwatch", mul::unwatch_command, 1, "noscript loading stale fast allow_busy", 0, 0, 0, "@fast @transaction"),
    // --- pub/sub (pubsub.rs) ---
    cmd!("subscribe", ps::subscribe_command, -2, "pubsub noscript loading stale sentinel", 0, 0, 0, "@pubsub @slow"),
    cmd!("unsubscribe", ps::unsubscribe_command, -1, "pubsub noscript loading stale sentinel", 0, 0, 0, "@pubsub @slow"),
    cmd!("psubscribe", ps::psubscribe_command, -2, "pubsub noscript loading stale sentinel", 0, 0, 0, "@pubsub @slow"),
    cmd!("punsubscribe", ps::punsubscribe_command, -1, "pubsub noscript loading stale sentinel", 0, 0, 0, "@pubsub @slow"),
    cmd!("publish", ps::publish_command, 3, "pubsub loading stale fast may_replicate sentinel", 0, 0, 0, "@pubsub @fast"),
    cmd!("ssubscribe", ps::ssubscribe_command, -2, "pubsub noscript loading stale", 1, -1, 1, "@pubsub @slow"),
    cmd!("sunsubscribe", ps::sunsubscribe_command, -1, "pubsub noscript loading stale", 1, -1, 1, "@pubsub @slow"),
    cmd!("spublish", ps::spublish_command, 3, "pubsub loading stale fast may_replicate", 1, 1, 1, "@pubsub @fast"),
    cmd!("pubsub", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("channels", ps::pubsub_channels_command, -2, "pubsub loading stale", 0, 0, 0, "@pubsub @slow"),
        cmd!("numpat", ps::pubsub_numpat_command, 2, "pubsub loading stale", 0, 0, 0, "@pubsub @slow"),
        cmd!("numsub", ps::pubsub_numsub_command, -2, "pubsub loading stale", 0, 0, 0, "@pubsub @slow"),
        cmd!("shardchannels", ps::pubsub_shardchannels_command, -2, "pubsub loading stale", 0, 0, 0, "@pubsub @slow"),
        cmd!("shardnumsub", ps::pubsub_shardnumsub_command, -2, "pubsub loading stale", 0, 0, 0, "@pubsub @slow"),
        cmd!("help", ps::pubsub_help_command, 2, "loading stale", 0, 0, 0, "@slow"),
    ]),
    // --- connection (connection.rs) ---
    cmd!("ping", conn::ping_command, -1, "fast sentinel", 0, 0, 0, "@fast @connection"),
    cmd!("echo", conn::echo_command, 2, "loading stale fast", 0, 0, 0, "@fast @connection"),
    cmd!("quit", conn::quit_command, -1, "allow_busy noscript loading stale fast no_auth", 0, 0, 0, "@fast @connection"),
    cmd!("reset", conn::reset_command, 1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0, "@fast @connection"),
    cmd!("auth", conn::auth_command, -2, "noscript loading stale fast no_auth allow_busy sentinel", 0, 0, 0, "@fast @connection"),
    cmd!("hello", conn::hello_command, -1, "noscript loading stale fast no_auth allow_busy sentinel", 0, 0, 0, "@fast @connection"),
    cmd!("client", container_command, -2, "sentinel", 0, 0, 0, "@slow", &[
        cmd!("id", conn::client_id_command, 2, "noscript loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("getname", conn::client_getname_command, 2, "noscript loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("setname", conn::client_setname_command, 3, "noscript loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("list", conn::client_list_command, -2, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("info", conn::client_info_command, 2, "noscript loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("kill", conn::client_kill_command, -3, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("pause", conn::client_pause_command, -3, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("unpause", conn::client_unpause_command, 2, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("reply", conn::client_reply_command, 3, "noscript loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("unblock", conn::client_unblock_command, -3, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("no-evict", conn::client_no_evict_command, 3, "admin noscript loading stale sentinel", 0, 0, 0, "@admin @slow @dangerous @connection"),
        cmd!("help", conn::client_help_command, 2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
    ]),
    // --- server (server_cmds.rs) ---
    cmd!("info", srv::info_command, -1, "loading stale sentinel", 0, 0, 0, "@slow @dangerous"),
    cmd!("time", srv::time_command, 1, "loading stale fast", 0, 0, 0, "@fast"),
    cmd!("lastsave", crate::rdb::lastsave_command, 1, "loading stale fast", 0, 0, 0, "@admin @fast @dangerous"),
    // --- persistence (rdb/cmds.rs) ---
    cmd!("save", crate::rdb::save_command, 1, "no_async_loading admin noscript no_multi", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("bgsave", crate::rdb::bgsave_command, -1, "no_async_loading admin noscript", 0, 0, 0, "@admin @slow @dangerous"),
    // --- replication (replication/cmds.rs) ---
    cmd!("sync", repl::sync_command, 1, "no_async_loading admin noscript no_multi", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("psync", repl::sync_command, -3, "no_async_loading admin noscript no_multi", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("replconf", repl::replconf_command, -1, "admin noscript loading stale allow_busy", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("replicaof", repl::replicaof_command, 3, "no_async_loading admin noscript stale", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("slaveof", repl::replicaof_command, 3, "no_async_loading admin noscript stale", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("role", repl::role_command, 1, "noscript loading stale fast sentinel", 0, 0, 0, "@admin @fast @dangerous"),
    cmd!("wait", repl::wait_command, 3, "noscript", 0, 0, 0, "@slow @connection"),
    cmd!("failover", repl::failover_command, -1, "admin noscript stale", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("shutdown", srv::shutdown_command, -1, "admin noscript loading stale no_multi sentinel allow_busy", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("monitor", srv::monitor_command, 1, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
    cmd!("config", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("get", srv::config_get_command, -3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("set", srv::config_set_command, -4, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("resetstat", srv::config_resetstat_command, 2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("rewrite", srv::config_rewrite_command, 2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("help", srv::config_help_command, 2, "loading stale", 0, 0, 0, "@slow"),
    ]),
    cmd!("command", srv::command_command, -1, "loading stale sentinel", 0, 0, 0, "@slow @connection", &[
        cmd!("count", srv::command_count_command, 2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("info", srv::command_info_command, -2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("list", srv::command_list_command, -2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("getkeys", srv::command_getkeys_command, -4, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("getkeysandflags", srv::command_getkeysandflags_command, -4, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("docs", srv::command_docs_command, -2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
        cmd!("help", srv::command_help_command, 2, "loading stale sentinel", 0, 0, 0, "@slow @connection"),
    ]),
    cmd!("slowlog", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("get", srv::slowlog_get_command, -2, "admin loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("len", srv::slowlog_len_command, 2, "admin loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("reset", srv::slowlog_reset_command, 2, "admin loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("help", srv::slowlog_help_command, 2, "loading stale", 0, 0, 0, "@slow"),
    ]),
    cmd!("latency", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("doctor", srv::latency_command, 2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("graph", srv::latency_command, 3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("histogram", srv::latency_command, -2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("history", srv::latency_command, 3, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("latest", srv::latency_command, 2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("reset", srv::latency_command, -2, "admin noscript loading stale", 0, 0, 0, "@admin @slow @dangerous"),
        cmd!("help", srv::latency_command, 2, "loading stale", 0, 0, 0, "@slow"),
    ]),
    cmd!("memory", container_command, -2, "", 0, 0, 0, "@slow", &[
        cmd!("doctor", srv::memory_doctor_command, 2, "", 0, 0, 0, "@slow"),
        cmd!("malloc-stats", srv::memory_malloc_stats_command, 2, "", 0, 0, 0, "@slow"),
        cmd!("purge", srv::memory_purge_command, 2, "", 0, 0, 0, "@slow"),
        cmd!("stats", srv::memory_stats_command, 2, "", 0, 0, 0, "@slow"),
        cmd!("usage", srv::memory_usage_command, -3, "readonly", 2, 2, 1, "@read @slow"),
        cmd!("help", srv::memory_help_command, 2, "loading stale", 0, 0, 0, "@slow"),
    ]),
    cmd!("debug", dbg::debug_command, -2, "admin noscript loading stale protected", 0, 0, 0, "@admin @slow @dangerous"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_invariants() {
        let mut names = HashSet::new();
        for def in COMMAND_TABLE {
            assert_eq!(def.name, def.name.to_ascii_lowercase());
            assert!(names.insert(def.name), "duplicate {}", def.name);
            let f = flag::parse(def.flags);
            assert!(
                !(f & flag::WRITE != 0 && f & flag::READONLY != 0),
                "{} both write and readonly",
                def.name
            );
            if def.first_key > 0 && def.arity > 0 {
                assert!(def.first_key < def.arity, "{} key beyond arity", def.name);
            }
            for s in def.subcommands {
                assert_eq!(s.name, s.name.to_ascii_lowercase());
            }
        }
        let t = CommandTable::build(COMMAND_TABLE);
        assert!(t.lookup(b"GeT").is_some());
        assert!(t.lookup(b"nosuch").is_none());
        let cfg = t.lookup(b"config").unwrap();
        assert!(t.lookup_sub(cfg, b"GET").is_some());
    }
}
