//! The declarative directive table (Redis `static_configs[]` in config.c) and the generic
//! per-type set / get / rewrite logic that it drives.
//!
//! Every directive is one [`Entry`]: canonical name, optional alias, flags (IMMUTABLE,
//! SENSITIVE, DEBUG, MULTI_ARG, HIDDEN, PROTECTED, DENY_LOADING, VOLATILE) and a [`Kind`]
//! describing its type (bool, string, nullable string, binary sds, enum, numeric with
//! bounds and MEMORY / PERCENT / OCTAL parsing, or one of the special parsers) together
//! with accessor fns into [`Config`]. The generic functions here mirror Redis's
//! `boolConfigSet/Get/Rewrite`, `stringConfig*`, `sdsConfig*`, `enumConfig*`,
//! `numericConfig*` (incl. `numericParseString`/`numericBoundaryCheck`) and the special
//! `setConfig*Option` / `getConfig*Option` / `rewriteConfig*Option` functions.
//!
//! Table order follows config.c; it is the order used for CONFIG GET globs and for lines
//! appended by CONFIG REWRITE (Redis uses its dict order there, which is unspecified).

use super::parse::{
    format_memory, format_percentile, memtoull, repr, split_args, string2d, string2ll, strtoll_c,
    strtoll_octal,
};
use super::rewrite::RewriteState;
use super::*;
use std::borrow::Cow;

// Config flags (server.h)
pub(crate) const IMMUTABLE: u32 = 1 << 0;
pub(crate) const SENSITIVE: u32 = 1 << 1;
pub(crate) const DEBUG: u32 = 1 << 2;
pub(crate) const MULTI_ARG: u32 = 1 << 3;
pub(crate) const HIDDEN: u32 = 1 << 4;
pub(crate) const PROTECTED: u32 = 1 << 5;
pub(crate) const DENY_LOADING: u32 = 1 << 6;
pub(crate) const VOLATILE: u32 = 1 << 9;
const M: u32 = 0; // MODIFIABLE_CONFIG

// Numeric config flags
pub(crate) const MEMORY: u8 = 1 << 0;
pub(crate) const PERCENT: u8 = 1 << 1;
pub(crate) const OCTAL: u8 = 1 << 2;
const INTEGER: u8 = 0;

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const LLONG_MAX: i64 = i64::MAX;
const ULLONG_MAX: i64 = -1; // stored as long long like Redis; compared unsigned

type Validator<T> = Option<fn(T) -> Result<(), &'static str>>;
type BytesValidator = Option<fn(&[u8]) -> Result<(), &'static str>>;

pub(crate) enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
        default: bool,
        valid: Validator<bool>,
    },
    /// ALLOW_EMPTY_STRING string config.
    Str {
        get: fn(&Config) -> &str,
        set: fn(&mut Config, String),
        default: &'static str,
        valid: BytesValidator,
    },
    /// EMPTY_STRING_IS_NULL string config with NULL default.
    OptStr {
        get: fn(&Config) -> Option<&str>,
        set: fn(&mut Config, Option<String>),
        valid: BytesValidator,
    },
    /// Binary-safe sds config, EMPTY_STRING_IS_NULL, NULL default.
    Sds {
        get: fn(&Config) -> Option<&[u8]>,
        set: fn(&mut Config, Option<Vec<u8>>),
    },
    Enum {
        names: &'static [(&'static str, i32)],
        get: fn(&Config) -> i32,
        set: fn(&mut Config, i32),
        default: i32,
        valid: Validator<i32>,
    },
    Num {
        /// Boundary check done on unsigned values (Redis: ULONG_LONG, UINT, SIZE_T).
        unsigned: bool,
        nflags: u8,
        lower: i64,
        upper: i64,
        default: i64,
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
        valid: Validator<i64>,
    },
    Special(Special),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    Replicaof,
    LatencyTrackingInfoPercentiles,
}

pub(crate) struct Entry {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
}

macro_rules! bool_c {
    ($n:expr, $a:expr, $f:expr, $field:ident, $d:expr) => {
        bool_c!($n, $a, $f, $field, $d, None)
    };
    ($n:expr, $a:expr, $f:expr, $field:ident, $d:expr, $v:expr) => {
        Entry {
            name: $n,
            alias: $a,
            flags: $f,
            kind: Kind::Bool {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                default: $d,
                valid: $v,
            },
        }
    };
}
macro_rules! str_c {
    ($n:expr, $f:expr, $field:ident, $d:expr, $v:expr) => {
        Entry {
            name: $n,
            alias: None,
            flags: $f,
            kind: Kind::Str {
                get: |c| c.$field.as_str(),
                set: |c, v| c.$field = v,
                default: $d,
                valid: $v,
            },
        }
    };
}
macro_rules! optstr_c {
    ($n:expr, $a:expr, $f:expr, $field:ident) => {
        optstr_c!($n, $a, $f, $field, None)
    };
    ($n:expr, $a:expr, $f:expr, $field:ident, $v:expr) => {
        Entry {
            name: $n,
            alias: $a,
            flags: $f,
            kind: Kind::OptStr {
                get: |c| c.$field.as_deref(),
                set: |c, v| c.$field = v,
                valid: $v,
            },
        }
    };
}
macro_rules! sds_c {
    ($n:expr, $f:expr, $field:ident) => {
        Entry {
            name: $n,
            alias: None,
            flags: $f,
            kind: Kind::Sds {
                get: |c| c.$field.as_deref(),
                set: |c, v| c.$field = v,
            },
        }
    };
}
macro_rules! enum_c {
    ($n:expr, $f:expr, $ty:ident, $field:ident, $d:ident) => {
        enum_c!($n, $f, $ty, $field, $d, None)
    };
    ($n:expr, $f:expr, $ty:ident, $field:ident, $d:ident, $v:expr) => {
        Entry {
            name: $n,
            alias: None,
            flags: $f,
            kind: Kind::Enum {
                names: $ty::NAMES,
                get: |c| c.$field as i32,
                set: |c, v| {
                    if let Some(e) = $ty::from_i32(v) {
                        c.$field = e
                    }
                },
                default: $ty::$d as i32,
                valid: $v,
            },
        }
    };
}
macro_rules! flags_c {
    ($n:expr, $f:expr, $names:expr, $field:ident, $d:expr, $v:expr) => {
        Entry {
            name: $n,
            alias: None,
            flags: $f,
            kind: Kind::Enum {
                names: $names,
                get: |c| c.$field as i32,
                set: |c, v| c.$field = v as u32,
                default: $d,
                valid: $v,
            },
        }
    };
}
/// Signed-checked numeric (int, long, long long, ssize_t, off_t, time_t, and Redis's
/// unsigned long which it also checks signed) stored as i64.
macro_rules! num_i {
    ($n:expr, $a:expr, $f:expr, $lo:expr, $hi:expr, $field:ident, $d:expr, $nf:expr) => {
        Entry {
            name: $n,
            alias: $a,
            flags: $f,
            kind: Kind::Num {
                unsigned: false,
                nflags: $nf,
                lower: $lo,
                upper: $hi,
                default: $d,
                get: |c| c.$field as i64,
                set: |c, v| c.$field = v as _,
                valid: None,
            },
        }
    };
}
/// Unsigned-checked numeric (unsigned int, unsigned long long, size_t) stored as u64.
macro_rules! num_u {
    ($n:expr, $a:expr, $f:expr, $lo:expr, $hi:expr, $field:ident, $d:expr, $nf:expr) => {
        Entry {
            name: $n,
            alias: $a,
            flags: $f,
            kind: Kind::Num {
                unsigned: true,
                nflags: $nf,
                lower: $lo,
                upper: $hi,
                default: $d,
                get: |c| c.$field as i64,
                set: |c, v| c.$field = v as u64,
                valid: None,
            },
        }
    };
}
macro_rules! special_c {
    ($n:expr, $a:expr, $f:expr, $s:ident) => {
        Entry {
            name: $n,
            alias: $a,
            flags: $f,
            kind: Kind::Special(Special::$s),
        }
    };
}

const N: Option<&'static str> = None;

pub(crate) static SHUTDOWN_ON_SIG_NAMES: &[(&str, i32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE as i32),
    ("nosave", SHUTDOWN_NOSAVE as i32),
    ("now", SHUTDOWN_NOW as i32),
    ("force", SHUTDOWN_FORCE as i32),
];

fn valid_active_defrag(v: bool) -> Result<(), &'static str> {
    // Debian's 7.0.15 build (system jemalloc) has no HAVE_DEFRAG; neither do we.
    if v {
        Err("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")
    } else {
        Ok(())
    }
}
fn is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}
fn valid_dbfilename(v: &[u8]) -> Result<(), &'static str> {
    if is_base_name(v) {
        Ok(())
    } else {
        Err("dbfilename can't be a path, just a filename")
    }
}
fn valid_aof_filename(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("appendfilename can't be empty")
    } else if !is_base_name(v) {
        Err("appendfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}
fn valid_aof_dirname(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("appenddirname can't be empty")
    } else if !is_base_name(v) {
        Err("appenddirname can't be a path, just a dirname")
    } else {
        Ok(())
    }
}
fn valid_shutdown_flags(v: i32) -> Result<(), &'static str> {
    let v = v as u32;
    if v & SHUTDOWN_NOSAVE != 0 && v & SHUTDOWN_SAVE != 0 {
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously")
    } else {
        Ok(())
    }
}
fn valid_hostname(v: &[u8]) -> Result<(), &'static str> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if v.iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        Ok(())
    } else {
        Err("Hostnames may only contain alphanumeric characters, hyphens or dots")
    }
}
/// `validateProcTitleTemplate()`: the template must expand (known {variables}, `{{` quoting,
/// no unterminated variable) to a non-blank string with an empty title.
pub(crate) fn valid_proc_title_template(v: &[u8]) -> Result<(), &'static str> {
    const ERR: &str = "template format is invalid or contains unknown variables";
    let mut out_nonblank = false;
    let mut p = 0;
    while p < v.len() {
        match v[p..].iter().position(|&b| b == b'{') {
            None => {
                out_nonblank |= v[p..].iter().any(|&b| b != b' ');
                break;
            }
            Some(off) => {
                out_nonblank |= v[p..p + off].iter().any(|&b| b != b' ');
                let sv = p + off + 1;
                if sv >= v.len() {
                    return Err(ERR);
                }
                if v[sv] == b'{' {
                    out_nonblank = true;
                    p = sv + 1;
                    continue;
                }
                let ev = match v[sv..].iter().position(|&b| b == b'}') {
                    Some(e) => sv + e,
                    None => return Err(ERR),
                };
                match &v[sv..ev] {
                    b"title" | b"server-mode" | b"unixsocket" => {}
                    b"listen-addr" | b"config-file" | b"port" | b"tls-port" => out_nonblank = true,
                    _ => return Err(ERR),
                }
                p = ev + 1;
            }
        }
    }
    if out_nonblank {
        Ok(())
    } else {
        Err(ERR)
    }
}

pub(crate) static TABLE: &[Entry] = &[
    bool_c!("rdbchecksum", N, IMMUTABLE, rdbchecksum, true),
    bool_c!("daemonize", N, IMMUTABLE, daemonize, false),
    bool_c!(
        "io-threads-do-reads",
        N,
        DEBUG | IMMUTABLE,
        io_threads_do_reads,
        false
    ),
    bool_c!("always-show-logo", N, IMMUTABLE, always_show_logo, false),
    bool_c!("protected-mode", N, M, protected_mode, true),
    bool_c!("rdbcompression", N, M, rdbcompression, true),
    bool_c!("rdb-del-sync-files", N, M, rdb_del_sync_files, false),
    bool_c!("activerehashing", N, M, activerehashing, true),
    bool_c!(
        "stop-writes-on-bgsave-error",
        N,
        M,
        stop_writes_on_bgsave_error,
        true
    ),
    bool_c!("set-proc-title", N, IMMUTABLE, set_proc_title, true),
    bool_c!("dynamic-hz", N, M, dynamic_hz, true),
    bool_c!(
        "lazyfree-lazy-eviction",
        N,
        DEBUG,
        lazyfree_lazy_eviction,
        false
    ),
    bool_c!(
        "lazyfree-lazy-expire",
        N,
        DEBUG,
        lazyfree_lazy_expire,
        false
    ),
    bool_c!(
        "lazyfree-lazy-server-del",
        N,
        DEBUG,
        lazyfree_lazy_server_del,
        false
    ),
    bool_c!(
        "lazyfree-lazy-user-del",
        N,
        DEBUG,
        lazyfree_lazy_user_del,
        false
    ),
    bool_c!(
        "lazyfree-lazy-user-flush",
        N,
        DEBUG,
        lazyfree_lazy_user_flush,
        false
    ),
    bool_c!(
        "repl-disable-tcp-nodelay",
        N,
        M,
        repl_disable_tcp_nodelay,
        false
    ),
    bool_c!("repl-diskless-sync", N, DEBUG, repl_diskless_sync, true),
    bool_c!(
        "aof-rewrite-incremental-fsync",
        N,
        M,
        aof_rewrite_incremental_fsync,
        true
    ),
    bool_c!(
        "no-appendfsync-on-rewrite",
        N,
        M,
        no_appendfsync_on_rewrite,
        false
    ),
    bool_c!(
        "cluster-require-full-coverage",
        N,
        M,
        cluster_require_full_coverage,
        true
    ),
    bool_c!(
        "rdb-save-incremental-fsync",
        N,
        M,
        rdb_save_incremental_fsync,
        true
    ),
    bool_c!("aof-load-truncated", N, M, aof_load_truncated, true),
    bool_c!("aof-use-rdb-preamble", N, M, aof_use_rdb_preamble, true),
    bool_c!("aof-timestamp-enabled", N, M, aof_timestamp_enabled, false),
    bool_c!(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        M,
        cluster_replica_no_failover,
        false
    ),
    bool_c!(
        "replica-lazy-flush",
        Some("slave-lazy-flush"),
        M,
        replica_lazy_flush,
        false
    ),
    bool_c!(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        M,
        replica_serve_stale_data,
        true
    ),
    bool_c!(
        "replica-read-only",
        Some("slave-read-only"),
        DEBUG,
        replica_read_only,
        true
    ),
    bool_c!(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        M,
        replica_ignore_maxmemory,
        true
    ),
    bool_c!("jemalloc-bg-thread", N, M, jemalloc_bg_thread, true),
    bool_c!(
        "activedefrag",
        N,
        DEBUG,
        activedefrag,
        false,
        Some(valid_active_defrag)
    ),
    bool_c!("syslog-enabled", N, IMMUTABLE, syslog_enabled, false),
    bool_c!("cluster-enabled", N, IMMUTABLE, cluster_enabled, false),
    bool_c!("appendonly", N, DENY_LOADING, appendonly, false),
    bool_c!(
        "cluster-allow-reads-when-down",
        N,
        M,
        cluster_allow_reads_when_down,
        false
    ),
    bool_c!(
        "cluster-allow-pubsubshard-when-down",
        N,
        M,
        cluster_allow_pubsubshard_when_down,
        true
    ),
    bool_c!("crash-log-enabled", N, M, crash_log_enabled, true),
    bool_c!("crash-memcheck-enabled", N, M, crash_memcheck_enabled, true),
    bool_c!("use-exit-on-panic", N, HIDDEN, use_exit_on_panic, false),
    bool_c!("disable-thp", N, IMMUTABLE, disable_thp, true),
    bool_c!(
        "cluster-allow-replica-migration",
        N,
        M,
        cluster_allow_replica_migration,
        true
    ),
    bool_c!("replica-announced", N, M, replica_announced, true),
    bool_c!("latency-tracking", N, M, latency_tracking, true),
    bool_c!("aof-disable-auto-gc", N, M, aof_disable_auto_gc, false),
    bool_c!(
        "replica-ignore-disk-write-errors",
        N,
        M,
        replica_ignore_disk_write_errors,
        false
    ),
    // String configs
    str_c!("aclfile", IMMUTABLE, aclfile, "", None),
    optstr_c!("unixsocket", N, IMMUTABLE, unixsocket),
    optstr_c!("pidfile", N, IMMUTABLE, pidfile),
    optstr_c!(
        "replica-announce-ip",
        Some("slave-announce-ip"),
        M,
        replica_announce_ip
    ),
    optstr_c!("masteruser", N, SENSITIVE, masteruser),
    optstr_c!("cluster-announce-ip", N, M, cluster_announce_ip),
    str_c!(
        "cluster-config-file",
        IMMUTABLE,
        cluster_config_file,
        "nodes.conf",
        None
    ),
    optstr_c!(
        "cluster-announce-hostname",
        N,
        M,
        cluster_announce_hostname,
        Some(valid_hostname)
    ),
    str_c!("syslog-ident", IMMUTABLE, syslog_ident, "redis", None),
    str_c!(
        "dbfilename",
        PROTECTED,
        dbfilename,
        "dump.rdb",
        Some(valid_dbfilename)
    ),
    str_c!(
        "appendfilename",
        IMMUTABLE,
        appendfilename,
        "appendonly.aof",
        Some(valid_aof_filename)
    ),
    str_c!(
        "appenddirname",
        IMMUTABLE,
        appenddirname,
        "appendonlydir",
        Some(valid_aof_dirname)
    ),
    optstr_c!("server_cpulist", N, IMMUTABLE, server_cpulist),
    optstr_c!("bio_cpulist", N, IMMUTABLE, bio_cpulist),
    optstr_c!("aof_rewrite_cpulist", N, IMMUTABLE, aof_rewrite_cpulist),
    optstr_c!("bgsave_cpulist", N, IMMUTABLE, bgsave_cpulist),
    str_c!("ignore-warnings", M, ignore_warnings, "", None),
    str_c!(
        "proc-title-template",
        M,
        proc_title_template,
        DEFAULT_PROC_TITLE_TEMPLATE,
        Some(valid_proc_title_template)
    ),
    optstr_c!("bind-source-addr", N, M, bind_source_addr),
    str_c!("logfile", IMMUTABLE, logfile, "", None),
    // SDS configs
    sds_c!("masterauth", SENSITIVE, masterauth),
    sds_c!("requirepass", SENSITIVE, requirepass),
    // Enum configs
    enum_c!("supervised", IMMUTABLE, SupervisedMode, supervised, No),
    enum_c!(
        "syslog-facility",
        IMMUTABLE,
        SyslogFacility,
        syslog_facility,
        Local0
    ),
    enum_c!(
        "repl-diskless-load",
        DEBUG | DENY_LOADING,
        ReplDisklessLoad,
        repl_diskless_load,
        Disabled
    ),
    enum_c!("loglevel", M, Loglevel, loglevel, Notice),
    enum_c!(
        "maxmemory-policy",
        M,
        MaxmemoryPolicy,
        maxmemory_policy,
        Noeviction
    ),
    enum_c!("appendfsync", M, AppendFsync, appendfsync, Everysec),
    enum_c!("oom-score-adj", M, OomScoreAdj, oom_score_adj, No),
    enum_c!(
        "acl-pubsub-default",
        M,
        AclPubsubDefault,
        acl_pubsub_default,
        ResetChannels
    ),
    enum_c!(
        "sanitize-dump-payload",
        DEBUG,
        SanitizeDumpPayload,
        sanitize_dump_payload,
        No
    ),
    enum_c!(
        "enable-protected-configs",
        IMMUTABLE,
        ProtectedConfig,
        enable_protected_configs,
        No
    ),
    enum_c!(
        "enable-debug-command",
        IMMUTABLE,
        ProtectedConfig,
        enable_debug_command,
        No
    ),
    enum_c!(
        "enable-module-command",
        IMMUTABLE,
        ProtectedConfig,
        enable_module_command,
        No
    ),
    enum_c!(
        "cluster-preferred-endpoint-type",
        M,
        ClusterPreferredEndpointType,
        cluster_preferred_endpoint_type,
        Ip
    ),
    enum_c!(
        "propagation-error-behavior",
        M,
        PropagationErrorBehavior,
        propagation_error_behavior,
        Ignore
    ),
    flags_c!(
        "shutdown-on-sigint",
        MULTI_ARG,
        SHUTDOWN_ON_SIG_NAMES,
        shutdown_on_sigint,
        0,
        Some(valid_shutdown_flags)
    ),
    flags_c!(
        "shutdown-on-sigterm",
        MULTI_ARG,
        SHUTDOWN_ON_SIG_NAMES,
        shutdown_on_sigterm,
        0,
        Some(valid_shutdown_flags)
    ),
    // Integer configs
    num_i!(
        "databases",
        N,
        IMMUTABLE,
        1,
        INT_MAX,
        databases,
        16,
        INTEGER
    ),
    num_i!("port", N, M, 0, 65535, port, 6379, INTEGER),
    num_i!(
        "io-threads",
        N,
        DEBUG | IMMUTABLE,
        1,
        128,
        io_threads,
        1,
        INTEGER
    ),
    num_i!(
        "auto-aof-rewrite-percentage",
        N,
        M,
        0,
        INT_MAX,
        auto_aof_rewrite_percentage,
        100,
        INTEGER
    ),
    num_i!(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        M,
        0,
        INT_MAX,
        cluster_replica_validity_factor,
        10,
        INTEGER
    ),
    num_i!(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        M,
        INT_MIN,
        INT_MAX,
        list_max_listpack_size,
        -2,
        INTEGER
    ),
    num_i!(
        "tcp-keepalive",
        N,
        M,
        0,
        INT_MAX,
        tcp_keepalive,
        300,
        INTEGER
    ),
    num_i!(
        "cluster-migration-barrier",
        N,
        M,
        0,
        INT_MAX,
        cluster_migration_barrier,
        1,
        INTEGER
    ),
    num_i!(
        "active-defrag-cycle-min",
        N,
        M,
        1,
        99,
        active_defrag_cycle_min,
        1,
        INTEGER
    ),
    num_i!(
        "active-defrag-cycle-max",
        N,
        M,
        1,
        99,
        active_defrag_cycle_max,
        25,
        INTEGER
    ),
    num_i!(
        "active-defrag-threshold-lower",
        N,
        M,
        0,
        1000,
        active_defrag_threshold_lower,
        10,
        INTEGER
    ),
    num_i!(
        "active-defrag-threshold-upper",
        N,
        M,
        0,
        1000,
        active_defrag_threshold_upper,
        100,
        INTEGER
    ),
    num_i!(
        "lfu-log-factor",
        N,
        M,
        0,
        INT_MAX,
        lfu_log_factor,
        10,
        INTEGER
    ),
    num_i!(
        "lfu-decay-time",
        N,
        M,
        0,
        INT_MAX,
        lfu_decay_time,
        1,
        INTEGER
    ),
    num_i!(
        "replica-priority",
        Some("slave-priority"),
        M,
        0,
        INT_MAX,
        replica_priority,
        100,
        INTEGER
    ),
    num_i!(
        "repl-diskless-sync-delay",
        N,
        M,
        0,
        INT_MAX,
        repl_diskless_sync_delay,
        5,
        INTEGER
    ),
    num_i!(
        "maxmemory-samples",
        N,
        M,
        1,
        INT_MAX,
        maxmemory_samples,
        5,
        INTEGER
    ),
    num_i!(
        "maxmemory-eviction-tenacity",
        N,
        M,
        0,
        100,
        maxmemory_eviction_tenacity,
        10,
        INTEGER
    ),
    num_i!("timeout", N, M, 0, INT_MAX, timeout, 0, INTEGER),
    num_i!(
        "replica-announce-port",
        Some("slave-announce-port"),
        M,
        0,
        65535,
        replica_announce_port,
        0,
        INTEGER
    ),
    num_i!(
        "tcp-backlog",
        N,
        IMMUTABLE,
        0,
        INT_MAX,
        tcp_backlog,
        511,
        INTEGER
    ),
    num_i!(
        "cluster-port",
        N,
        IMMUTABLE,
        0,
        65535,
        cluster_port,
        0,
        INTEGER
    ),
    num_i!(
        "cluster-announce-bus-port",
        N,
        M,
        0,
        65535,
        cluster_announce_bus_port,
        0,
        INTEGER
    ),
    num_i!(
        "cluster-announce-port",
        N,
        M,
        0,
        65535,
        cluster_announce_port,
        0,
        INTEGER
    ),
    num_i!(
        "cluster-announce-tls-port",
        N,
        M,
        0,
        65535,
        cluster_announce_tls_port,
        0,
        INTEGER
    ),
    num_i!("repl-timeout", N, M, 1, INT_MAX, repl_timeout, 60, INTEGER),
    num_i!(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        M,
        1,
        INT_MAX,
        repl_ping_replica_period,
        10,
        INTEGER
    ),
    num_i!(
        "list-compress-depth",
        N,
        DEBUG,
        0,
        INT_MAX,
        list_compress_depth,
        0,
        INTEGER
    ),
    num_i!(
        "rdb-key-save-delay",
        N,
        HIDDEN,
        INT_MIN,
        INT_MAX,
        rdb_key_save_delay,
        0,
        INTEGER
    ),
    num_i!(
        "key-load-delay",
        N,
        HIDDEN,
        INT_MIN,
        INT_MAX,
        key_load_delay,
        0,
        INTEGER
    ),
    num_i!(
        "active-expire-effort",
        N,
        M,
        1,
        10,
        active_expire_effort,
        1,
        INTEGER
    ),
    num_i!("hz", N, M, 0, INT_MAX, hz, 10, INTEGER),
    num_i!(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        M,
        0,
        INT_MAX,
        min_replicas_to_write,
        0,
        INTEGER
    ),
    num_i!(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        M,
        0,
        INT_MAX,
        min_replicas_max_lag,
        10,
        INTEGER
    ),
    num_i!(
        "watchdog-period",
        N,
        HIDDEN,
        0,
        INT_MAX,
        watchdog_period,
        0,
        INTEGER
    ),
    num_i!(
        "shutdown-timeout",
        N,
        M,
        0,
        INT_MAX,
        shutdown_timeout,
        10,
        INTEGER
    ),
    num_i!(
        "repl-diskless-sync-max-replicas",
        N,
        M,
        0,
        INT_MAX,
        repl_diskless_sync_max_replicas,
        0,
        INTEGER
    ),
    // Unsigned int configs
    num_u!("maxclients", N, M, 1, UINT_MAX, maxclients, 10000, INTEGER),
    num_u!(
        "unixsocketperm",
        N,
        IMMUTABLE,
        0,
        0o777,
        unixsocketperm,
        0,
        OCTAL
    ),
    num_u!(
        "socket-mark-id",
        N,
        IMMUTABLE,
        0,
        UINT_MAX,
        socket_mark_id,
        0,
        INTEGER
    ),
    // Unsigned long configs (Redis bound-checks these as signed)
    num_i!(
        "active-defrag-max-scan-fields",
        N,
        M,
        1,
        LONG_MAX,
        active_defrag_max_scan_fields,
        1000,
        INTEGER
    ),
    num_i!(
        "slowlog-max-len",
        N,
        M,
        0,
        LONG_MAX,
        slowlog_max_len,
        128,
        INTEGER
    ),
    num_i!(
        "acllog-max-len",
        N,
        M,
        0,
        LONG_MAX,
        acllog_max_len,
        128,
        INTEGER
    ),
    // Long long configs
    num_i!(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        M,
        0,
        LONG_MAX,
        busy_reply_threshold,
        5000,
        INTEGER
    ),
    num_i!(
        "cluster-node-timeout",
        N,
        M,
        0,
        LLONG_MAX,
        cluster_node_timeout,
        15000,
        INTEGER
    ),
    num_i!(
        "slowlog-log-slower-than",
        N,
        M,
        -1,
        LLONG_MAX,
        slowlog_log_slower_than,
        10000,
        INTEGER
    ),
    num_i!(
        "latency-monitor-threshold",
        N,
        M,
        0,
        LLONG_MAX,
        latency_monitor_threshold,
        0,
        INTEGER
    ),
    num_i!(
        "proto-max-bulk-len",
        N,
        DEBUG,
        1024 * 1024,
        LONG_MAX,
        proto_max_bulk_len,
        512 * 1024 * 1024,
        MEMORY
    ),
    num_i!(
        "stream-node-max-entries",
        N,
        M,
        0,
        LLONG_MAX,
        stream_node_max_entries,
        100,
        INTEGER
    ),
    num_i!(
        "repl-backlog-size",
        N,
        M,
        1,
        LLONG_MAX,
        repl_backlog_size,
        1024 * 1024,
        MEMORY
    ),
    // Unsigned long long configs
    num_u!("maxmemory", N, M, 0, ULLONG_MAX, maxmemory, 0, MEMORY),
    num_u!(
        "cluster-link-sendbuf-limit",
        N,
        M,
        0,
        ULLONG_MAX,
        cluster_link_sendbuf_limit,
        0,
        MEMORY
    ),
    // Size_t configs
    num_u!(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        M,
        0,
        LONG_MAX,
        hash_max_listpack_entries,
        512,
        INTEGER
    ),
    num_u!(
        "set-max-intset-entries",
        N,
        M,
        0,
        LONG_MAX,
        set_max_intset_entries,
        512,
        INTEGER
    ),
    num_u!(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        M,
        0,
        LONG_MAX,
        zset_max_listpack_entries,
        128,
        INTEGER
    ),
    num_u!(
        "active-defrag-ignore-bytes",
        N,
        M,
        1,
        LLONG_MAX,
        active_defrag_ignore_bytes,
        100 << 20,
        MEMORY
    ),
    num_u!(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        M,
        0,
        LONG_MAX,
        hash_max_listpack_value,
        64,
        MEMORY
    ),
    num_u!(
        "stream-node-max-bytes",
        N,
        M,
        0,
        LONG_MAX,
        stream_node_max_bytes,
        4096,
        MEMORY
    ),
    num_u!(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        M,
        0,
        LONG_MAX,
        zset_max_listpack_value,
        64,
        MEMORY
    ),
    num_u!(
        "hll-sparse-max-bytes",
        N,
        M,
        0,
        LONG_MAX,
        hll_sparse_max_bytes,
        3000,
        MEMORY
    ),
    num_u!(
        "tracking-table-max-keys",
        N,
        M,
        0,
        LONG_MAX,
        tracking_table_max_keys,
        1000000,
        INTEGER
    ),
    num_u!(
        "client-query-buffer-limit",
        N,
        DEBUG,
        1024 * 1024,
        LONG_MAX,
        client_query_buffer_limit,
        1024 * 1024 * 1024,
        MEMORY
    ),
    num_i!(
        "maxmemory-clients",
        N,
        M,
        -100,
        i64::MAX,
        maxmemory_clients,
        0,
        MEMORY | PERCENT
    ),
    // Other configs
    num_i!(
        "repl-backlog-ttl",
        N,
        M,
        0,
        LONG_MAX,
        repl_backlog_ttl,
        60 * 60,
        INTEGER
    ),
    num_i!(
        "auto-aof-rewrite-min-size",
        N,
        M,
        0,
        LLONG_MAX,
        auto_aof_rewrite_min_size,
        64 * 1024 * 1024,
        MEMORY
    ),
    num_i!(
        "loading-process-events-interval-bytes",
        N,
        HIDDEN,
        1024,
        INT_MAX,
        loading_process_events_interval_bytes,
        1024 * 1024 * 2,
        INTEGER
    ),
    // TLS configs (Debian builds with TLS)
    num_i!("tls-port", N, M, 0, 65535, tls_port, 0, INTEGER),
    num_i!(
        "tls-session-cache-size",
        N,
        M,
        0,
        INT_MAX,
        tls_session_cache_size,
        20 * 1024,
        INTEGER
    ),
    num_i!(
        "tls-session-cache-timeout",
        N,
        M,
        0,
        INT_MAX,
        tls_session_cache_timeout,
        300,
        INTEGER
    ),
    bool_c!("tls-cluster", N, M, tls_cluster, false),
    bool_c!("tls-replication", N, M, tls_replication, false),
    enum_c!("tls-auth-clients", M, TlsAuthClients, tls_auth_clients, Yes),
    bool_c!(
        "tls-prefer-server-ciphers",
        N,
        M,
        tls_prefer_server_ciphers,
        false
    ),
    bool_c!("tls-session-caching", N, M, tls_session_caching, true),
    optstr_c!("tls-cert-file", N, VOLATILE, tls_cert_file),
    optstr_c!("tls-key-file", N, VOLATILE, tls_key_file),
    optstr_c!("tls-key-file-pass", N, M, tls_key_file_pass),
    optstr_c!("tls-client-cert-file", N, VOLATILE, tls_client_cert_file),
    optstr_c!("tls-client-key-file", N, VOLATILE, tls_client_key_file),
    optstr_c!("tls-client-key-file-pass", N, M, tls_client_key_file_pass),
    optstr_c!("tls-dh-params-file", N, VOLATILE, tls_dh_params_file),
    optstr_c!("tls-ca-cert-file", N, VOLATILE, tls_ca_cert_file),
    optstr_c!("tls-ca-cert-dir", N, VOLATILE, tls_ca_cert_dir),
    optstr_c!("tls-protocols", N, M, tls_protocols),
    optstr_c!("tls-ciphers", N, M, tls_ciphers),
    optstr_c!("tls-ciphersuites", N, M, tls_ciphersuites),
    // Special configs
    special_c!("dir", N, PROTECTED | DENY_LOADING, Dir),
    special_c!("save", N, MULTI_ARG, Save),
    special_c!(
        "client-output-buffer-limit",
        N,
        MULTI_ARG,
        ClientOutputBufferLimit
    ),
    special_c!("oom-score-adj-values", N, MULTI_ARG, OomScoreAdjValues),
    special_c!("notify-keyspace-events", N, M, NotifyKeyspaceEvents),
    special_c!("bind", N, MULTI_ARG, Bind),
    special_c!(
        "replicaof",
        Some("slaveof"),
        IMMUTABLE | MULTI_ARG,
        Replicaof
    ),
    special_c!(
        "latency-tracking-info-percentiles",
        N,
        MULTI_ARG,
        LatencyTrackingInfoPercentiles
    ),
];

/// Look a directive up by name or alias (case-insensitive). Returns (index, is_alias).
pub(crate) fn lookup(name: &[u8]) -> Option<(usize, bool)> {
    for (i, e) in TABLE.iter().enumerate() {
        if e.name.as_bytes().eq_ignore_ascii_case(name) {
            return Some((i, false));
        }
        if let Some(a) = e.alias {
            if a.as_bytes().eq_ignore_ascii_case(name) {
                return Some((i, true));
            }
        }
    }
    None
}

/// State shared with the file loader: Redis's `reading_config_file` and the static
/// `save_loaded` of setConfigSaveOption.
#[derive(Default)]
pub(crate) struct SetState {
    pub reading_config_file: bool,
    pub save_loaded: bool,
}

pub(crate) type SetResult = Result<bool, Cow<'static, str>>;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// configEnumGetValue(): None is Redis's INT_MIN.
fn enum_value(names: &[(&str, i32)], argv: &[&[u8]], bitflags: bool) -> Option<i32> {
    if argv.is_empty() || (!bitflags && argv.len() != 1) {
        return None;
    }
    let mut values = 0;
    for a in argv {
        let mut matched = false;
        for (n, v) in names {
            if n.as_bytes().eq_ignore_ascii_case(a) {
                values |= *v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(values)
}

/// configEnumGetName().
pub(crate) fn enum_name(names: &[(&str, i32)], value: i32, bitflags: bool) -> String {
    let mut out: Option<String> = None;
    let mut unmatched = value;
    for (n, v) in names {
        if value == *v {
            return (*n).to_string();
        }
        if bitflags && *v != 0 && *v == (unmatched & *v) {
            match out.as_mut() {
                Some(s) => {
                    s.push(' ');
                    s.push_str(n);
                }
                None => out = Some((*n).to_string()),
            }
            unmatched &= !*v;
        }
    }
    match out {
        Some(s) if unmatched == 0 => s,
        _ => "unknown".to_string(),
    }
}

/// numericParseString().
fn numeric_parse(nflags: u8, v: &[u8]) -> Result<i64, &'static str> {
    if nflags & MEMORY != 0 {
        if let Some(x) = memtoull(v) {
            return Ok(x as i64);
        }
    }
    if nflags & PERCENT != 0 && v.len() > 1 && v[v.len() - 1] == b'%' {
        if let Some(x) = string2ll(&v[..v.len() - 1]) {
            if x >= 0 {
                return Ok(-x);
            }
        }
    }
    if nflags & OCTAL != 0 {
        if let Some(x) = strtoll_octal(v) {
            return Ok(x);
        }
    }
    if nflags == 0 {
        if let Some(x) = string2ll(v) {
            return Ok(x);
        }
    }
    Err(if nflags & MEMORY != 0 && nflags & PERCENT != 0 {
        "argument must be a memory or percent value"
    } else if nflags & MEMORY != 0 {
        "argument must be a memory value"
    } else if nflags & OCTAL != 0 {
        "argument couldn't be parsed as an octal number"
    } else {
        "argument couldn't be parsed into an integer"
    })
}

/// numericBoundaryCheck().
fn numeric_bounds(
    unsigned: bool,
    nflags: u8,
    lower: i64,
    upper: i64,
    ll: i64,
) -> Result<(), String> {
    if unsigned {
        let (u, lo, hi) = (ll as u64, lower as u64, upper as u64);
        if u > hi || u < lo {
            return Err(if nflags & OCTAL != 0 {
                format!("argument must be between {:o} and {:o} inclusive", lo, hi)
            } else {
                format!("argument must be between {} and {} inclusive", lo, hi)
            });
        }
    } else if nflags & PERCENT != 0 && ll < 0 {
        if ll < lower {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -lower
            ));
        }
    } else if ll > upper || ll < lower {
        return Err(format!(
            "argument must be between {} and {} inclusive",
            lower, upper
        ));
    }
    Ok(())
}

/// Set one directive from its already split arguments (the `set` of Redis's typeInterface).
/// Ok(true) = value changed (apply needed), Ok(false) = same value.
pub(crate) fn set_entry(
    cfg: &mut Config,
    e: &Entry,
    argv: &[&[u8]],
    st: &mut SetState,
) -> SetResult {
    let volatile = e.flags & VOLATILE != 0;
    let first: &[u8] = argv.first().copied().unwrap_or(b"");
    match &e.kind {
        Kind::Bool {
            get, set, valid, ..
        } => {
            let v = if first.eq_ignore_ascii_case(b"yes") {
                true
            } else if first.eq_ignore_ascii_case(b"no") {
                false
            } else {
                return Err("argument must be 'yes' or 'no'".into());
            };
            if let Some(f) = valid {
                f(v)?;
            }
            if get(cfg) != v {
                set(cfg, v);
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::Str {
            get, set, valid, ..
        } => {
            if let Some(f) = valid {
                f(first)?;
            }
            if get(cfg).as_bytes() != first {
                set(cfg, lossy(first));
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::OptStr { get, set, valid } => {
            if let Some(f) = valid {
                f(first)?;
            }
            let new = if first.is_empty() { None } else { Some(first) };
            if get(cfg).map(str::as_bytes) != new {
                set(cfg, new.map(lossy));
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::Sds { get, set } => {
            let new = if first.is_empty() { None } else { Some(first) };
            if get(cfg) != new {
                set(cfg, new.map(<[u8]>::to_vec));
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::Enum {
            names,
            get,
            set,
            valid,
            ..
        } => {
            let bitflags = e.flags & MULTI_ARG != 0;
            let v = match enum_value(names, argv, bitflags) {
                Some(v) => v,
                None => {
                    let mut msg = String::from("argument(s) must be one of the following: ");
                    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    msg.push_str(&list.join(", "));
                    msg.truncate(255);
                    return Err(msg.into());
                }
            };
            if let Some(f) = valid {
                f(v)?;
            }
            if get(cfg) != v {
                set(cfg, v);
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::Num {
            unsigned,
            nflags,
            lower,
            upper,
            get,
            set,
            valid,
            ..
        } => {
            let ll = numeric_parse(*nflags, first)?;
            numeric_bounds(*unsigned, *nflags, *lower, *upper, ll)?;
            if let Some(f) = valid {
                f(ll)?;
            }
            if get(cfg) != ll {
                set(cfg, ll);
                return Ok(true);
            }
            Ok(volatile)
        }
        Kind::Special(s) => set_special(cfg, *s, argv, st),
    }
}

fn strip_os_error(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

pub(crate) fn io_error_text(e: &std::io::Error) -> String {
    strip_os_error(e)
}

fn set_special(cfg: &mut Config, s: Special, argv: &[&[u8]], st: &mut SetState) -> SetResult {
    match s {
        Special::Dir => {
            if argv.len() != 1 {
                return Err("wrong number of arguments".into());
            }
            let path =
                std::str::from_utf8(argv[0]).map_err(|_| Cow::Borrowed("Invalid argument"))?;
            std::env::set_current_dir(path).map_err(|e| Cow::Owned(strip_os_error(&e)))?;
            let now = std::env::current_dir()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let changed = now != cfg.dir;
            cfg.dir = now;
            Ok(changed)
        }
        Special::Save => {
            let mut argv = argv;
            if argv.len() == 1 && argv[0].is_empty() {
                cfg.save.clear();
                argv = &[];
            }
            if argv.len() % 2 == 1 {
                return Err("Invalid save parameters".into());
            }
            let mut parsed = Vec::with_capacity(argv.len() / 2);
            for pair in argv.chunks(2) {
                let (secs, ok1) = strtoll_c(pair[0]);
                let (changes, ok2) = strtoll_c(pair[1]);
                if !ok1 || !ok2 || secs < 1 || changes < 0 {
                    return Err("Invalid save parameters".into());
                }
                // changes is stored in a C int by Redis
                parsed.push((secs, i64::from(changes as i32)));
            }
            if !st.reading_config_file {
                cfg.save.clear();
            } else if !st.save_loaded {
                st.save_loaded = true;
                cfg.save.clear();
            }
            cfg.save.extend(parsed);
            Ok(true)
        }
        Special::ClientOutputBufferLimit => {
            if !argv.len().is_multiple_of(4) {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let mut vals = cfg.client_output_buffer_limit;
            for q in argv.chunks(4) {
                let class = if q[0].eq_ignore_ascii_case(b"normal") {
                    0
                } else if q[0].eq_ignore_ascii_case(b"slave")
                    || q[0].eq_ignore_ascii_case(b"replica")
                {
                    1
                } else if q[0].eq_ignore_ascii_case(b"pubsub") {
                    2
                } else {
                    return Err(
                        "Invalid client class specified in buffer limit configuration.".into(),
                    );
                };
                let hard = memtoull(q[1]);
                let soft = memtoull(q[2]);
                let (secs, ok) = strtoll_c(q[3]);
                let secs = secs as i32; // stored in a C int
                match (hard, soft) {
                    (Some(h), Some(sf)) if ok && secs >= 0 => {
                        vals[class] = ClientBufferLimit {
                            hard_limit_bytes: h,
                            soft_limit_bytes: sf,
                            soft_limit_seconds: i64::from(secs),
                        };
                    }
                    _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
                }
            }
            cfg.client_output_buffer_limit = vals;
            Ok(true)
        }
        Special::OomScoreAdjValues => {
            if argv.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            let mut vals = [0i64; 3];
            for (i, a) in argv.iter().enumerate() {
                let (v, ok) = strtoll_c(a);
                if !ok || !(-2000..=2000).contains(&v) {
                    return Err(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
                            .into(),
                    );
                }
                vals[i] = v;
            }
            let changed = vals != cfg.oom_score_adj_values;
            cfg.oom_score_adj_values = vals;
            Ok(changed)
        }
        Special::NotifyKeyspaceEvents => {
            if argv.len() != 1 {
                return Err("wrong number of arguments".into());
            }
            let flags = keyspace_events_string_to_flags(argv[0]).ok_or(Cow::Borrowed(
                "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
            ))?;
            cfg.notify_keyspace_events = flags;
            Ok(true)
        }
        Special::Bind => {
            if argv.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            let argv = if argv.len() == 1 && argv[0].is_empty() {
                &[][..]
            } else {
                argv
            };
            cfg.bind = argv.iter().map(|a| lossy(a)).collect();
            Ok(true)
        }
        Special::Replicaof => {
            if argv.len() != 2 {
                return Err("wrong number of arguments".into());
            }
            cfg.replicaof = None;
            if argv[0].eq_ignore_ascii_case(b"no") && argv[1].eq_ignore_ascii_case(b"one") {
                return Ok(true);
            }
            let (port, ok) = strtoll_c(argv[1]);
            let port = i64::from(port as i32); // masterport is a C int
            if !ok || !(0..=65535).contains(&port) {
                return Err("Invalid master port".into());
            }
            cfg.replicaof = Some((lossy(argv[0]), port as u16));
            Ok(true)
        }
        Special::LatencyTrackingInfoPercentiles => {
            cfg.latency_tracking_info_percentiles.clear();
            if argv.len() == 1 && argv[0].is_empty() {
                return Ok(true);
            }
            let mut out = Vec::with_capacity(argv.len());
            for a in argv {
                let p = string2d(a).ok_or(Cow::Borrowed(
                    "Invalid latency-tracking-info-percentiles parameters",
                ))?;
                if !(0.0..=100.0).contains(&p) {
                    return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                }
                out.push(p);
            }
            cfg.latency_tracking_info_percentiles = out;
            Ok(true)
        }
    }
}

/// keyspaceEventsStringToFlags() from notify.c.
pub fn keyspace_events_string_to_flags(s: &[u8]) -> Option<u32> {
    let mut flags = 0u32;
    for &c in s {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// keyspaceEventsFlagsToString() from notify.c.
pub fn keyspace_events_flags_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (f, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & f != 0 {
                s.push(c);
            }
        }
    }
    for (f, c) in [
        (NOTIFY_KEYSPACE, 'K'),
        (NOTIFY_KEYEVENT, 'E'),
        (NOTIFY_KEY_MISS, 'm'),
    ] {
        if flags & f != 0 {
            s.push(c);
        }
    }
    s
}

/// The CONFIG GET value of one directive.
pub(crate) fn get_entry(cfg: &Config, e: &Entry) -> String {
    match &e.kind {
        Kind::Bool { get, .. } => (if get(cfg) { "yes" } else { "no" }).to_string(),
        Kind::Str { get, .. } => get(cfg).to_string(),
        Kind::OptStr { get, .. } => get(cfg).unwrap_or("").to_string(),
        Kind::Sds { get, .. } => get(cfg).map(lossy).unwrap_or_default(),
        Kind::Enum { names, get, .. } => enum_name(names, get(cfg), e.flags & MULTI_ARG != 0),
        Kind::Num { nflags, get, .. } => {
            let v = get(cfg);
            if nflags & PERCENT != 0 && v < 0 {
                format!("{}%", v.unsigned_abs())
            } else if nflags & MEMORY != 0 {
                (v as u64).to_string()
            } else if nflags & OCTAL != 0 {
                format!("{:o}", v)
            } else {
                v.to_string()
            }
        }
        Kind::Special(s) => get_special(cfg, *s),
    }
}

fn get_special(cfg: &Config, s: Special) -> String {
    match s {
        Special::Dir => cfg.dir.clone(),
        Special::Save => {
            let parts: Vec<String> = cfg
                .save
                .iter()
                .map(|(s, c)| format!("{} {}", s, c))
                .collect();
            parts.join(" ")
        }
        Special::ClientOutputBufferLimit => {
            let parts: Vec<String> = cfg
                .client_output_buffer_limit
                .iter()
                .zip(["normal", "slave", "pubsub"])
                .map(|(l, n)| {
                    format!(
                        "{} {} {} {}",
                        n, l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                    )
                })
                .collect();
            parts.join(" ")
        }
        Special::OomScoreAdjValues => {
            let v = &cfg.oom_score_adj_values;
            format!("{} {} {}", v[0], v[1], v[2])
        }
        Special::NotifyKeyspaceEvents => {
            keyspace_events_flags_to_string(cfg.notify_keyspace_events)
        }
        Special::Bind => cfg.bind.join(" "),
        Special::Replicaof => match &cfg.replicaof {
            Some((h, p)) => format!("{} {}", h, p),
            None => String::new(),
        },
        Special::LatencyTrackingInfoPercentiles => {
            let parts: Vec<String> = cfg
                .latency_tracking_info_percentiles
                .iter()
                .map(|p| format_percentile(*p))
                .collect();
            parts.join(" ")
        }
    }
}

/// The `rewrite` of Redis's typeInterface for one primary directive.
pub(crate) fn rewrite_entry(cfg: &Config, e: &Entry, name: &str, st: &mut RewriteState) {
    match &e.kind {
        Kind::Bool { get, default, .. } => {
            let v = get(cfg);
            st.rewrite_line(
                name,
                format!("{} {}", name, if v { "yes" } else { "no" }),
                v != *default,
            );
        }
        Kind::Str { get, default, .. } => {
            let v = get(cfg);
            st.rewrite_line(
                name,
                format!("{} {}", name, repr(v.as_bytes())),
                v != *default,
            );
        }
        Kind::OptStr { get, .. } => match get(cfg) {
            None => st.mark_processed(name),
            Some(v) => st.rewrite_line(name, format!("{} {}", name, repr(v.as_bytes())), true),
        },
        Kind::Sds { get, .. } => match get(cfg) {
            None => st.mark_processed(name),
            Some(v) => st.rewrite_line(name, format!("{} {}", name, repr(v)), true),
        },
        Kind::Enum {
            names,
            get,
            default,
            ..
        } => {
            let v = get(cfg);
            let n = enum_name(names, v, e.flags & MULTI_ARG != 0);
            st.rewrite_line(name, format!("{} {}", name, n), v != *default);
        }
        Kind::Num {
            nflags,
            default,
            get,
            ..
        } => {
            let v = get(cfg);
            if nflags & PERCENT != 0 && v < 0 {
                st.rewrite_line(
                    name,
                    format!("{} {}%", name, v.wrapping_neg()),
                    v.wrapping_neg() != *default,
                );
            } else if nflags & MEMORY != 0 {
                st.rewrite_line(
                    name,
                    format!("{} {}", name, format_memory(v)),
                    v != *default,
                );
            } else if nflags & OCTAL != 0 {
                st.rewrite_line(name, format!("{} {:o}", name, v), v != *default);
            } else {
                st.rewrite_line(name, format!("{} {}", name, v), v != *default);
            }
        }
        Kind::Special(s) => rewrite_special(cfg, *s, name, st),
    }
}

fn rewrite_special(cfg: &Config, s: Special, name: &str, st: &mut RewriteState) {
    match s {
        Special::Dir => match std::env::current_dir() {
            Ok(p) => {
                let p = p.to_string_lossy();
                st.rewrite_line(name, format!("{} {}", name, repr(p.as_bytes())), true);
            }
            Err(_) => st.mark_processed(name),
        },
        Special::Save => {
            if cfg.sentinel_mode {
                st.mark_processed(name);
                return;
            }
            if cfg.save.is_empty() {
                st.rewrite_line(name, "save \"\"".to_string(), true);
            } else {
                for (secs, changes) in &cfg.save {
                    st.rewrite_line(name, format!("save {} {}", secs, changes), true);
                }
            }
            st.mark_processed(name);
        }
        Special::ClientOutputBufferLimit => {
            let defaults = default_client_output_buffer_limits();
            for (j, l) in cfg.client_output_buffer_limit.iter().enumerate() {
                let force = *l != defaults[j];
                let class = ["normal", "replica", "pubsub"][j];
                st.rewrite_line(
                    name,
                    format!(
                        "{} {} {} {} {}",
                        name,
                        class,
                        format_memory(l.hard_limit_bytes as i64),
                        format_memory(l.soft_limit_bytes as i64),
                        l.soft_limit_seconds
                    ),
                    force,
                );
            }
        }
        Special::OomScoreAdjValues => {
            let v = &cfg.oom_score_adj_values;
            let force = *v != DEFAULT_OOM_SCORE_ADJ_VALUES;
            st.rewrite_line(name, format!("{} {} {} {}", name, v[0], v[1], v[2]), force);
        }
        Special::NotifyKeyspaceEvents => {
            let flags = keyspace_events_flags_to_string(cfg.notify_keyspace_events);
            st.rewrite_line(
                name,
                format!("{} {}", name, repr(flags.as_bytes())),
                cfg.notify_keyspace_events != 0,
            );
        }
        Special::Bind => {
            if cfg.bind.len() == 2 && cfg.bind[0] == "*" && cfg.bind[1] == "-::*" {
                st.mark_processed(name);
                return;
            }
            let addrs = if cfg.bind.is_empty() {
                "\"\"".to_string()
            } else {
                cfg.bind.join(" ")
            };
            st.rewrite_line(name, format!("{} {}", name, addrs), true);
        }
        Special::Replicaof => match &cfg.replicaof {
            Some((h, p)) if !cfg.cluster_enabled => {
                st.rewrite_line(name, format!("{} {} {}", name, h, p), true)
            }
            _ => st.mark_processed(name),
        },
        Special::LatencyTrackingInfoPercentiles => {
            let mut line = name.to_string();
            if cfg.latency_tracking_info_percentiles.is_empty() {
                line.push_str(" \"\"");
            } else {
                for p in &cfg.latency_tracking_info_percentiles {
                    line.push(' ');
                    line.push_str(&format_percentile(*p));
                }
            }
            st.rewrite_line(name, line, true);
        }
    }
}

/// Split a CONFIG SET value the way performInterfaceSet does for MULTI_ARG configs:
/// sdssplitlen(value, " ") (every single space separates; empty value = no args).
pub(crate) fn split_config_set_value(v: &[u8]) -> Vec<&[u8]> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(|&b| b == b' ').collect()
}

/// For config-file lines of MULTI_ARG configs with a single non-empty argument, Redis
/// re-splits that argument with sdssplitargs (so `--save "3600 1 300 100"` works).
pub(crate) fn resplit_single(arg: &[u8]) -> Vec<Vec<u8>> {
    split_args(arg).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_unique_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for e in TABLE {
            for n in std::iter::once(e.name).chain(e.alias) {
                assert!(seen.insert(n), "duplicate {}", n);
                assert!(!n.bytes().any(|b| b.is_ascii_uppercase()), "{}", n);
            }
        }
        // 178 primaries (5 hidden) + 19 aliases: 192 names in CONFIG GET * on Redis 7.0.15+TLS
        assert_eq!(TABLE.len(), 178);
        assert_eq!(TABLE.iter().filter(|e| e.flags & HIDDEN != 0).count(), 5);
        assert_eq!(TABLE.iter().filter(|e| e.alias.is_some()).count(), 19);
        assert_eq!(
            lookup(b"SLAVEOF"),
            lookup(b"replicaof").map(|(i, _)| (i, true))
        );
        assert_eq!(lookup(b"include"), None);
    }

    #[test]
    fn enum_names() {
        assert_eq!(enum_name(SHUTDOWN_ON_SIG_NAMES, 0, true), "default");
        assert_eq!(
            enum_name(SHUTDOWN_ON_SIG_NAMES, 1 | 4 | 8, true),
            "save now force"
        );
        assert_eq!(enum_name(SHUTDOWN_ON_SIG_NAMES, 16, true), "unknown");
        assert_eq!(
            enum_name(OomScoreAdj::NAMES, OomScoreAdj::Relative as i32, false),
            "yes"
        );
        assert_eq!(
            enum_value(SHUTDOWN_ON_SIG_NAMES, &[b"NOW", b"force"], true),
            Some(12)
        );
        assert_eq!(
            enum_value(SHUTDOWN_ON_SIG_NAMES, &[b"now", b"force"], false),
            None
        );
        assert_eq!(enum_value(SHUTDOWN_ON_SIG_NAMES, &[], true), None);
    }

    #[test]
    fn numeric_parsing_and_bounds() {
        assert_eq!(numeric_parse(MEMORY, b"1mb"), Ok(1 << 20));
        assert_eq!(numeric_parse(MEMORY | PERCENT, b"7%"), Ok(-7));
        assert_eq!(
            numeric_parse(MEMORY | PERCENT, b"%"),
            Err("argument must be a memory or percent value")
        );
        assert_eq!(numeric_parse(OCTAL, b"0777"), Ok(511));
        assert_eq!(
            numeric_parse(INTEGER, b"1k"),
            Err("argument couldn't be parsed into an integer")
        );
        assert_eq!(
            numeric_bounds(true, OCTAL, 0, 0o777, 0o1000).unwrap_err(),
            "argument must be between 0 and 777 inclusive"
        );
        assert_eq!(
            numeric_bounds(true, MEMORY, 0, ULLONG_MAX, -1),
            Ok(()),
            "u64::MAX is in range for unsigned long long configs"
        );
        assert_eq!(
            numeric_bounds(false, MEMORY | PERCENT, -100, i64::MAX, -100),
            Ok(())
        );
        assert_eq!(
            numeric_bounds(false, INTEGER, -1, LLONG_MAX, -2).unwrap_err(),
            "argument must be between -1 and 9223372036854775807 inclusive"
        );
    }

    #[test]
    fn proc_title_template_validation() {
        assert!(valid_proc_title_template(DEFAULT_PROC_TITLE_TEMPLATE.as_bytes()).is_ok());
        assert!(valid_proc_title_template(b"--my--title--template").is_ok());
        assert!(valid_proc_title_template(b"{{x").is_ok());
        assert!(valid_proc_title_template(b"{foo}").is_err());
        assert!(valid_proc_title_template(b"{title").is_err());
        assert!(valid_proc_title_template(b"{title} {server-mode}").is_err()); // blank result
        assert!(valid_proc_title_template(b"").is_err());
    }

    #[test]
    fn set_value_splitting() {
        assert!(split_config_set_value(b"").is_empty());
        assert_eq!(split_config_set_value(b"a  b"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(
            resplit_single(b"3600 1 '300' 100"),
            vec![
                b"3600".to_vec(),
                b"1".to_vec(),
                b"300".to_vec(),
                b"100".to_vec()
            ]
        );
    }
}
