//! The redis.conf configuration subsystem (Redis 7.0.15 `src/config.c`, plus the argv
//! folding of `main()` in server.c and the keyspace-event flag strings of notify.c).
//!
//! Owns: the typed [`Config`] struct, config-file / command-line loading
//! (`loadServerConfig` / `loadServerConfigFromString`), CONFIG GET (`configGetCommand`),
//! CONFIG SET (`configSetCommand`, all-or-nothing with rollback), CONFIG REWRITE
//! (`rewriteConfig`, in `rewrite.rs`) and the debug dump (`getConfigDebugInfo`).
//! Side effects of a change (re-binding, resizing, ...) are NOT done here: `config_set`
//! returns the canonical names that changed and the server applies them (Redis's
//! `apply` functions). The one exception is `dir`, which chdir()s like Redis.
//!
//! Design: one declarative table (`table.rs`, same order/flags/bounds as Redis's
//! `static_configs[]`) with accessor fns per directive drives parse, GET, SET and REWRITE
//! through generic per-type code; special directives (dir, save, client-output-buffer-limit,
//! oom-score-adj-values, notify-keyspace-events, bind, replicaof,
//! latency-tracking-info-percentiles) have dedicated code.
//!
//! Field naming: canonical directive name with '-' -> '_' (e.g. `repl_backlog_size`).
//! Type choices:
//! * yes/no directives: `bool`.
//! * numeric directives Redis stores in a signed C type (int, long long, ssize_t, off_t,
//!   time_t) and Redis's `unsigned long` ones (which it bound-checks as signed) : `i64`;
//!   those stored as unsigned int / unsigned long long / size_t: `u64`. Bounds/units are in
//!   the table. `maxmemory_clients` uses Redis's encoding: negative = percent (-10 = "10%").
//! * enum directives: Rust enums (`Loglevel`, `MaxmemoryPolicy`, ...; `ProtectedConfig`
//!   No/Yes/Local for enable-*-command/configs). `shutdown_on_sigint/sigterm` are `u32`
//!   bit flags (`SHUTDOWN_SAVE`...), 0 = "default".
//! * strings that Redis allows empty: `String`; strings Redis stores as NULL when empty:
//!   `Option<String>`; `requirepass` / `masterauth`: `Option<Vec<u8>>` (binary safe).
//! * specials: `bind: Vec<String>` (as given, "-" prefix kept), `save: Vec<(secs, changes)>`,
//!   `client_output_buffer_limit: [ClientBufferLimit; 3]` (normal, replica, pubsub),
//!   `oom_score_adj_values: [i64; 3]`, `notify_keyspace_events: u32` (NOTIFY_* bits),
//!   `replicaof: Option<(host, port)>`, `latency_tracking_info_percentiles: Vec<f64>`,
//!   `dir: String` (absolute cwd).
//! * directives that are not config values: `rename_command`, `user`, `loadmodule`,
//!   `module_configs`, `sentinel_lines` (+ their line origins) collected in load order.

mod parse;
mod rewrite;
mod table;

pub use parse::{
    get_absolute_path, memtoull, parse_server_args, repr, split_args, string2ll, ServerArgs,
};
pub use rewrite::{config_debug_info, config_rewrite, config_rewrite_with, RewriteState};
pub use table::{keyspace_events_flags_to_string, keyspace_events_string_to_flags};

use parse::string_match;
use std::collections::HashSet;
use table::{get_entry, lookup, set_entry, SetState, TABLE};

/// Redis version shown in the FATAL CONFIG FILE ERROR banner.
pub const REDIS_VERSION: &str = "7.0.15";

pub const NOTIFY_KEYSPACE: u32 = 1 << 0;
pub const NOTIFY_KEYEVENT: u32 = 1 << 1;
pub const NOTIFY_GENERIC: u32 = 1 << 2;
pub const NOTIFY_STRING: u32 = 1 << 3;
pub const NOTIFY_LIST: u32 = 1 << 4;
pub const NOTIFY_SET: u32 = 1 << 5;
pub const NOTIFY_HASH: u32 = 1 << 6;
pub const NOTIFY_ZSET: u32 = 1 << 7;
pub const NOTIFY_EXPIRED: u32 = 1 << 8;
pub const NOTIFY_EVICTED: u32 = 1 << 9;
pub const NOTIFY_STREAM: u32 = 1 << 10;
pub const NOTIFY_KEY_MISS: u32 = 1 << 11;
pub const NOTIFY_LOADED: u32 = 1 << 12;
pub const NOTIFY_MODULE: u32 = 1 << 13;
pub const NOTIFY_NEW: u32 = 1 << 14;
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// shutdown-on-sigint / shutdown-on-sigterm flag bits (same values as SHUTDOWN_* in Redis).
pub const SHUTDOWN_SAVE: u32 = 1;
pub const SHUTDOWN_NOSAVE: u32 = 2;
pub const SHUTDOWN_NOW: u32 = 4;
pub const SHUTDOWN_FORCE: u32 = 8;

/// Index of each class in `client_output_buffer_limit`.
pub const CLIENT_TYPE_NORMAL: usize = 0;
pub const CLIENT_TYPE_SLAVE: usize = 1;
pub const CLIENT_TYPE_PUBSUB: usize = 2;

pub const DEFAULT_PROC_TITLE_TEMPLATE: &str = "{title} {listen-addr} {server-mode}";
pub const DEFAULT_OOM_SCORE_ADJ_VALUES: [i64; 3] = [0, 200, 800];
/// hz is clamped to this range after being set (updateHZ / load).
pub const CONFIG_MIN_HZ: i64 = 1;
pub const CONFIG_MAX_HZ: i64 = 500;

/// Generates a config enum: variants in Redis's table order, the (name, value) table used
/// for parsing (several names may map to one variant) and name/lookup helpers.
macro_rules! config_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident),* $(,)? } [ $(($s:literal, $v:ident)),* $(,)? ]) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),* }
        impl $name {
            pub(crate) const NAMES: &'static [(&'static str, i32)] = &[$(($s, $name::$v as i32)),*];
            const ALL: &'static [$name] = &[$($name::$variant),*];
            pub(crate) fn from_i32(v: i32) -> Option<$name> {
                usize::try_from(v).ok().and_then(|i| Self::ALL.get(i).copied())
            }
            /// The name CONFIG GET shows for this value.
            pub fn name(self) -> &'static str {
                Self::NAMES.iter().find(|(_, v)| *v == self as i32).map(|(n, _)| *n).unwrap_or("unknown")
            }
            /// Case-insensitive parse of a config value.
            pub fn from_name(s: &[u8]) -> Option<$name> {
                Self::NAMES.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(s)).and_then(|(_, v)| Self::from_i32(*v))
            }
        }
    };
}

config_enum!(MaxmemoryPolicy { VolatileLru, VolatileLfu, VolatileRandom, VolatileTtl, AllkeysLru, AllkeysLfu, AllkeysRandom, Noeviction }
    [("volatile-lru", VolatileLru), ("volatile-lfu", VolatileLfu), ("volatile-random", VolatileRandom), ("volatile-ttl", VolatileTtl),
     ("allkeys-lru", AllkeysLru), ("allkeys-lfu", AllkeysLfu), ("allkeys-random", AllkeysRandom), ("noeviction", Noeviction)]);
config_enum!(
    /// syslog-facility; the server maps these to LOG_USER / LOG_LOCALn.
    SyslogFacility { User, Local0, Local1, Local2, Local3, Local4, Local5, Local6, Local7 }
    [("user", User), ("local0", Local0), ("local1", Local1), ("local2", Local2), ("local3", Local3),
     ("local4", Local4), ("local5", Local5), ("local6", Local6), ("local7", Local7)]);
config_enum!(
    /// Ordered like Redis's LL_* levels (Debug < Verbose < Notice < Warning).
    Loglevel { Debug, Verbose, Notice, Warning }
    [("debug", Debug), ("verbose", Verbose), ("notice", Notice), ("warning", Warning)]);
config_enum!(SupervisedMode { Upstart, Systemd, Auto, No }
    [("upstart", Upstart), ("systemd", Systemd), ("auto", Auto), ("no", No)]);
config_enum!(AppendFsync { Everysec, Always, No } [("everysec", Everysec), ("always", Always), ("no", No)]);
config_enum!(ReplDisklessLoad { Disabled, OnEmptyDb, Swapdb }
    [("disabled", Disabled), ("on-empty-db", OnEmptyDb), ("swapdb", Swapdb)]);
config_enum!(TlsAuthClients { No, Yes, Optional } [("no", No), ("yes", Yes), ("optional", Optional)]);
config_enum!(
    /// "yes" is an alias of "relative" (CONFIG GET shows "yes").
    OomScoreAdj { No, Relative, Absolute }
    [("no", No), ("yes", Relative), ("relative", Relative), ("absolute", Absolute)]);
config_enum!(AclPubsubDefault { AllChannels, ResetChannels } [("allchannels", AllChannels), ("resetchannels", ResetChannels)]);
config_enum!(SanitizeDumpPayload { No, Yes, Clients } [("no", No), ("yes", Yes), ("clients", Clients)]);
config_enum!(
    /// enable-protected-configs / enable-debug-command / enable-module-command.
    ProtectedConfig { No, Yes, Local }
    [("no", No), ("yes", Yes), ("local", Local)]);
config_enum!(ClusterPreferredEndpointType { Ip, Hostname, UnknownEndpoint }
    [("ip", Ip), ("hostname", Hostname), ("unknown-endpoint", UnknownEndpoint)]);
config_enum!(PropagationErrorBehavior { Ignore, Panic, PanicOnReplicas }
    [("ignore", Ignore), ("panic", Panic), ("panic-on-replicas", PanicOnReplicas)]);

impl ProtectedConfig {
    /// allowProtectedAction(): is the protected action allowed for this client?
    pub fn allows(self, ctx: SetContext) -> bool {
        self == ProtectedConfig::Yes || (self == ProtectedConfig::Local && ctx == SetContext::Local)
    }
}

/// One output-buffer-limit class (`clientBufferLimitsConfig`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ClientBufferLimit {
    pub hard_limit_bytes: u64,
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

/// Redis's `clientBufferLimitsDefaults` (normal, replica, pubsub).
pub fn default_client_output_buffer_limits() -> [ClientBufferLimit; 3] {
    [
        ClientBufferLimit {
            hard_limit_bytes: 0,
            soft_limit_bytes: 0,
            soft_limit_seconds: 0,
        },
        ClientBufferLimit {
            hard_limit_bytes: 256 << 20,
            soft_limit_bytes: 64 << 20,
            soft_limit_seconds: 60,
        },
        ClientBufferLimit {
            hard_limit_bytes: 32 << 20,
            soft_limit_bytes: 8 << 20,
            soft_limit_seconds: 60,
        },
    ]
}

/// Where a non-value directive (sentinel ...) came from, for later FATAL reporting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineOrigin {
    /// 1-based line number inside the text (file or included file) that contained it.
    pub line_no: usize,
    /// The trimmed line as Redis prints it after ">>> ".
    pub line: String,
}

macro_rules! define_config {
    ($( $(#[$m:meta])* $field:ident : $ty:ty = $def:expr ),* $(,)?) => {
        /// All server configuration, one typed field per directive (see module docs).
        #[derive(Clone, Debug, PartialEq)]
        pub struct Config { $( $(#[$m])* pub $field: $ty, )* }
        impl Default for Config {
            /// Redis 7.0.15 defaults (`dir` = the current working directory).
            fn default() -> Config { Config { $( $field: $def, )* } }
        }
    };
}

define_config! {
    // bool
    rdbchecksum: bool = true,
    daemonize: bool = false,
    io_threads_do_reads: bool = false,
    always_show_logo: bool = false,
    protected_mode: bool = true,
    rdbcompression: bool = true,
    rdb_del_sync_files: bool = false,
    activerehashing: bool = true,
    stop_writes_on_bgsave_error: bool = true,
    set_proc_title: bool = true,
    dynamic_hz: bool = true,
    lazyfree_lazy_eviction: bool = false,
    lazyfree_lazy_expire: bool = false,
    lazyfree_lazy_server_del: bool = false,
    lazyfree_lazy_user_del: bool = false,
    lazyfree_lazy_user_flush: bool = false,
    repl_disable_tcp_nodelay: bool = false,
    repl_diskless_sync: bool = true,
    aof_rewrite_incremental_fsync: bool = true,
    no_appendfsync_on_rewrite: bool = false,
    cluster_require_full_coverage: bool = true,
    rdb_save_incremental_fsync: bool = true,
    aof_load_truncated: bool = true,
    aof_use_rdb_preamble: bool = true,
    aof_timestamp_enabled: bool = false,
    cluster_replica_no_failover: bool = false,
    replica_lazy_flush: bool = false,
    replica_serve_stale_data: bool = true,
    replica_read_only: bool = true,
    replica_ignore_maxmemory: bool = true,
    jemalloc_bg_thread: bool = true,
    activedefrag: bool = false,
    syslog_enabled: bool = false,
    cluster_enabled: bool = false,
    appendonly: bool = false,
    cluster_allow_reads_when_down: bool = false,
    cluster_allow_pubsubshard_when_down: bool = true,
    crash_log_enabled: bool = true,
    crash_memcheck_enabled: bool = true,
    use_exit_on_panic: bool = false,
    disable_thp: bool = true,
    cluster_allow_replica_migration: bool = true,
    replica_announced: bool = true,
    latency_tracking: bool = true,
    aof_disable_auto_gc: bool = false,
    replica_ignore_disk_write_errors: bool = false,
    tls_cluster: bool = false,
    tls_replication: bool = false,
    tls_prefer_server_ciphers: bool = false,
    tls_session_caching: bool = true,
    // strings (empty allowed)
    aclfile: String = String::new(),
    cluster_config_file: String = "nodes.conf".to_string(),
    syslog_ident: String = "redis".to_string(),
    dbfilename: String = "dump.rdb".to_string(),
    appendfilename: String = "appendonly.aof".to_string(),
    appenddirname: String = "appendonlydir".to_string(),
    ignore_warnings: String = String::new(),
    proc_title_template: String = DEFAULT_PROC_TITLE_TEMPLATE.to_string(),
    logfile: String = String::new(),
    // strings (empty = NULL)
    unixsocket: Option<String> = None,
    pidfile: Option<String> = None,
    replica_announce_ip: Option<String> = None,
    masteruser: Option<String> = None,
    cluster_announce_ip: Option<String> = None,
    cluster_announce_hostname: Option<String> = None,
    server_cpulist: Option<String> = None,
    bio_cpulist: Option<String> = None,
    aof_rewrite_cpulist: Option<String> = None,
    bgsave_cpulist: Option<String> = None,
    bind_source_addr: Option<String> = None,
    tls_cert_file: Option<String> = None,
    tls_key_file: Option<String> = None,
    tls_key_file_pass: Option<String> = None,
    tls_client_cert_file: Option<String> = None,
    tls_client_key_file: Option<String> = None,
    tls_client_key_file_pass: Option<String> = None,
    tls_dh_params_file: Option<String> = None,
    tls_ca_cert_file: Option<String> = None,
    tls_ca_cert_dir: Option<String> = None,
    tls_protocols: Option<String> = None,
    tls_ciphers: Option<String> = None,
    tls_ciphersuites: Option<String> = None,
    // binary-safe secrets
    masterauth: Option<Vec<u8>> = None,
    requirepass: Option<Vec<u8>> = None,
    // enums
    supervised: SupervisedMode = SupervisedMode::No,
    syslog_facility: SyslogFacility = SyslogFacility::Local0,
    repl_diskless_load: ReplDisklessLoad = ReplDisklessLoad::Disabled,
    loglevel: Loglevel = Loglevel::Notice,
    maxmemory_policy: MaxmemoryPolicy = MaxmemoryPolicy::Noeviction,
    appendfsync: AppendFsync = AppendFsync::Everysec,
    oom_score_adj: OomScoreAdj = OomScoreAdj::No,
    acl_pubsub_default: AclPubsubDefault = AclPubsubDefault::ResetChannels,
    sanitize_dump_payload: SanitizeDumpPayload = SanitizeDumpPayload::No,
    enable_protected_configs: ProtectedConfig = ProtectedConfig::No,
    enable_debug_command: ProtectedConfig = ProtectedConfig::No,
    enable_module_command: ProtectedConfig = ProtectedConfig::No,
    cluster_preferred_endpoint_type: ClusterPreferredEndpointType = ClusterPreferredEndpointType::Ip,
    propagation_error_behavior: PropagationErrorBehavior = PropagationErrorBehavior::Ignore,
    tls_auth_clients: TlsAuthClients = TlsAuthClients::Yes,
    /// SHUTDOWN_* bits, 0 = "default"
    shutdown_on_sigint: u32 = 0,
    /// SHUTDOWN_* bits, 0 = "default"
    shutdown_on_sigterm: u32 = 0,
    // signed numerics
    databases: i64 = 16,
    port: i64 = 6379,
    io_threads: i64 = 1,
    auto_aof_rewrite_percentage: i64 = 100,
    cluster_replica_validity_factor: i64 = 10,
    list_max_listpack_size: i64 = -2,
    tcp_keepalive: i64 = 300,
    cluster_migration_barrier: i64 = 1,
    active_defrag_cycle_min: i64 = 1,
    active_defrag_cycle_max: i64 = 25,
    active_defrag_threshold_lower: i64 = 10,
    active_defrag_threshold_upper: i64 = 100,
    lfu_log_factor: i64 = 10,
    lfu_decay_time: i64 = 1,
    replica_priority: i64 = 100,
    repl_diskless_sync_delay: i64 = 5,
    maxmemory_samples: i64 = 5,
    maxmemory_eviction_tenacity: i64 = 10,
    timeout: i64 = 0,
    replica_announce_port: i64 = 0,
    tcp_backlog: i64 = 511,
    cluster_port: i64 = 0,
    cluster_announce_bus_port: i64 = 0,
    cluster_announce_port: i64 = 0,
    cluster_announce_tls_port: i64 = 0,
    repl_timeout: i64 = 60,
    repl_ping_replica_period: i64 = 10,
    list_compress_depth: i64 = 0,
    rdb_key_save_delay: i64 = 0,
    key_load_delay: i64 = 0,
    active_expire_effort: i64 = 1,
    /// already clamped to [CONFIG_MIN_HZ, CONFIG_MAX_HZ]
    hz: i64 = 10,
    min_replicas_to_write: i64 = 0,
    min_replicas_max_lag: i64 = 10,
    watchdog_period: i64 = 0,
    shutdown_timeout: i64 = 10,
    repl_diskless_sync_max_replicas: i64 = 0,
    active_defrag_max_scan_fields: i64 = 1000,
    slowlog_max_len: i64 = 128,
    acllog_max_len: i64 = 128,
    busy_reply_threshold: i64 = 5000,
    cluster_node_timeout: i64 = 15000,
    slowlog_log_slower_than: i64 = 10000,
    latency_monitor_threshold: i64 = 0,
    proto_max_bulk_len: i64 = 512 * 1024 * 1024,
    stream_node_max_entries: i64 = 100,
    repl_backlog_size: i64 = 1024 * 1024,
    /// bytes, or a percentage of maxmemory when negative (-N = "N%")
    maxmemory_clients: i64 = 0,
    repl_backlog_ttl: i64 = 3600,
    auto_aof_rewrite_min_size: i64 = 64 * 1024 * 1024,
    loading_process_events_interval_bytes: i64 = 2 * 1024 * 1024,
    tls_port: i64 = 0,
    tls_session_cache_size: i64 = 20 * 1024,
    tls_session_cache_timeout: i64 = 300,
    // unsigned numerics
    maxclients: u64 = 10000,
    unixsocketperm: u64 = 0,
    socket_mark_id: u64 = 0,
    maxmemory: u64 = 0,
    cluster_link_sendbuf_limit: u64 = 0,
    hash_max_listpack_entries: u64 = 512,
    set_max_intset_entries: u64 = 512,
    zset_max_listpack_entries: u64 = 128,
    active_defrag_ignore_bytes: u64 = 100 << 20,
    hash_max_listpack_value: u64 = 64,
    stream_node_max_bytes: u64 = 4096,
    zset_max_listpack_value: u64 = 64,
    hll_sparse_max_bytes: u64 = 3000,
    tracking_table_max_keys: u64 = 1_000_000,
    client_query_buffer_limit: u64 = 1024 * 1024 * 1024,
    // specials
    /// absolute path of the working directory (Redis chdir()s to it)
    dir: String = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
    /// (seconds, changes) pairs
    save: Vec<(i64, i64)> = vec![(3600, 1), (300, 100), (60, 10000)],
    /// indexed by CLIENT_TYPE_NORMAL / CLIENT_TYPE_SLAVE / CLIENT_TYPE_PUBSUB
    client_output_buffer_limit: [ClientBufferLimit; 3] = default_client_output_buffer_limits(),
    /// master, replica, bgchild
    oom_score_adj_values: [i64; 3] = DEFAULT_OOM_SCORE_ADJ_VALUES,
    /// NOTIFY_* bits
    notify_keyspace_events: u32 = 0,
    /// addresses as given ("-" prefix = optional address)
    bind: Vec<String> = vec!["*".to_string(), "-::*".to_string()],
    replicaof: Option<(String, u16)> = None,
    latency_tracking_info_percentiles: Vec<f64> = vec![50.0, 99.0, 99.9],
    // non-value directives and loader context
    /// absolute path of the config file given on the command line (None: no file / stdin)
    config_file: Option<String> = None,
    /// loaded in Sentinel mode
    sentinel_mode: bool = false,
    /// `rename-command <from> <to>` in load order (`to` empty = delete the command)
    rename_command: Vec<(String, String)> = Vec::new(),
    /// `user <args...>` lines (arguments after "user"), in load order
    user: Vec<Vec<String>> = Vec::new(),
    /// `loadmodule <path> <args...>` (arguments after "loadmodule")
    loadmodule: Vec<Vec<String>> = Vec::new(),
    /// `module.name value...` lines: (name, values joined by ' '), last one wins per name
    module_configs: Vec<(String, String)> = Vec::new(),
    /// `sentinel <args...>` lines (arguments after "sentinel"), Sentinel mode only
    sentinel_lines: Vec<Vec<String>> = Vec::new(),
    /// origin of each entry of `sentinel_lines` (same index)
    sentinel_line_origins: Vec<LineOrigin> = Vec::new(),
}

impl Config {
    /// Restore a backup taken before CONFIG SET (for when the server's apply step fails),
    /// chdir()ing back if `dir` changed, like Redis's restoreBackupConfig.
    pub fn restore_from(&mut self, backup: Config) {
        if self.dir != backup.dir {
            let _ = std::env::set_current_dir(&backup.dir);
        }
        *self = backup;
    }
}

/// Kind of loading failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// A "*** FATAL CONFIG FILE ERROR ***" block on stderr, then exit(1).
    Fatal,
    /// Config file (or include) can't be opened: Redis logs a WARNING line
    /// ("Fatal error, can't open config file '...': ...") and exits with 1.
    CantOpen,
}

/// A config loading error. Redis prints [`LoadError::fatal_text`] and exits with status 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// 1-based line number; 0 when the error is not tied to a line (post-load checks).
    pub line_no: usize,
    pub line: String,
    pub reason: String,
    pub kind: LoadErrorKind,
}

impl LoadError {
    fn at(line_no: usize, line: &[u8], reason: impl Into<String>) -> LoadError {
        LoadError {
            line_no,
            line: String::from_utf8_lossy(line).into_owned(),
            reason: reason.into(),
            kind: LoadErrorKind::Fatal,
        }
    }

    /// For `Fatal`: the exact stderr text of loadServerConfigFromString's error path.
    /// For `CantOpen`: the log message (without timestamp prefix) Redis logs at WARNING.
    pub fn fatal_text(&self) -> String {
        match self.kind {
            LoadErrorKind::CantOpen => self.reason.clone(),
            LoadErrorKind::Fatal => {
                let mut s = format!(
                    "\n*** FATAL CONFIG FILE ERROR (Redis {}) ***\n",
                    REDIS_VERSION
                );
                if self.line_no > 0 {
                    s.push_str(&format!(
                        "Reading the configuration file, at line {}\n>>> '{}'\n",
                        self.line_no, self.line
                    ));
                }
                s.push_str(&self.reason);
                s.push('\n');
                s
            }
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.fatal_text())
    }
}

/// Validation hooks for directives whose checking belongs to other subsystems. An `Err`
/// becomes a FATAL error at that line, with the returned text as the reason.
pub trait LoadHooks {
    /// `rename-command <from> <to>`: Redis fails with "No such command in rename-command"
    /// or "Target command name already exists".
    fn rename_command(&mut self, _from: &str, _to: &str) -> Result<(), String> {
        Ok(())
    }
    /// `user <args>`: Redis fails with "Error in user declaration '<arg>': <why>".
    fn user(&mut self, _args: &[String]) -> Result<(), String> {
        Ok(())
    }
}

/// Hooks accepting everything.
pub struct NoHooks;
impl LoadHooks for NoHooks {}

/// deprecated_configs[] of loadServerConfigFromString: (name, argc_min, argc_max).
const DEPRECATED_CONFIGS: &[(&str, usize, usize)] = &[
    ("list-max-ziplist-entries", 2, 2),
    ("list-max-ziplist-value", 2, 2),
    ("lua-replicate-commands", 2, 2),
];

struct Loader<'a> {
    cfg: Config,
    st: SetState,
    hooks: &'a mut dyn LoadHooks,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn cant_open(path: &str, e: &std::io::Error) -> LoadError {
    LoadError {
        line_no: 0,
        line: String::new(),
        reason: format!(
            "Fatal error, can't open config file '{}': {}",
            path,
            table::io_error_text(e)
        ),
        kind: LoadErrorKind::CantOpen,
    }
}

/// glob(3) with default flags, enough for `include` patterns: wildcards in any path
/// component, sorted results, hidden entries only matched by a pattern starting with '.'.
fn glob_paths(pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let mut current: Vec<String> = vec![if absolute {
        "/".to_string()
    } else {
        String::new()
    }];
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let wild = comp.contains(['*', '?', '[']);
        let mut next = Vec::new();
        for base in &current {
            if !wild {
                next.push(format!("{}{}", base, comp));
                continue;
            }
            let dir = if base.is_empty() { "." } else { base.as_str() };
            let rd = match std::fs::read_dir(dir) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || comp.starts_with('.'))
                .filter(|n| string_match(comp.as_bytes(), n.as_bytes(), false))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| format!("{}{}", base, n)));
        }
        current = next
            .into_iter()
            .filter(|p| std::fs::symlink_metadata(p).is_ok())
            .map(|p| if last { p } else { format!("{}/", p) })
            .collect();
    }
    current
}

impl Loader<'_> {
    /// loadServerConfig(filename, 0, NULL) for `include` (and the main file's text).
    fn read_config_file(path: &str) -> Result<Vec<u8>, LoadError> {
        if path.contains(['*', '?', '[']) {
            let mut out = Vec::new();
            for p in glob_paths(path) {
                let data = std::fs::read(&p).map_err(|e| cant_open(&p, &e))?;
                out.extend_from_slice(&data);
            }
            Ok(out)
        } else {
            std::fs::read(path).map_err(|e| cant_open(path, &e))
        }
    }

    /// loadServerConfigFromString().
    fn load_string(&mut self, text: &[u8]) -> Result<(), LoadError> {
        self.st.reading_config_file = true;
        for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
            let line_no = i + 1;
            let line = trim(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let argv = split_args(line).ok_or_else(|| {
                LoadError::at(line_no, line, "Unbalanced quotes in configuration line")
            })?;
            if argv.is_empty() {
                continue;
            }
            self.directive(&argv, line_no, line)?;
        }
        // Post-load checks
        if !self.cfg.logfile.is_empty() {
            if let Err(e) = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&self.cfg.logfile)
            {
                return Err(LoadError::at(
                    0,
                    b"",
                    format!("Can't open the log file: {}", table::io_error_text(&e)),
                ));
            }
        }
        if self.cfg.cluster_enabled && self.cfg.replicaof.is_some() {
            return Err(LoadError::at(
                0,
                b"",
                "replicaof directive not allowed in cluster mode",
            ));
        }
        self.cfg.hz = self.cfg.hz.clamp(CONFIG_MIN_HZ, CONFIG_MAX_HZ);
        self.st.reading_config_file = false;
        Ok(())
    }

    fn directive(
        &mut self,
        argv: &[Vec<u8>],
        line_no: usize,
        line: &[u8],
    ) -> Result<(), LoadError> {
        let err = |reason: String| LoadError::at(line_no, line, reason);
        let name = argv[0].to_ascii_lowercase();
        let argc = argv.len();
        if let Some((idx, _)) = lookup(&name) {
            let e = &TABLE[idx];
            let multi = e.flags & table::MULTI_ARG != 0;
            if !multi && argc != 2 {
                return Err(err("wrong number of arguments".into()));
            }
            let resplit;
            let args: Vec<&[u8]> = if multi && argc == 2 && !argv[1].is_empty() {
                resplit = table::resplit_single(&argv[1]);
                resplit.iter().map(Vec::as_slice).collect()
            } else {
                argv[1..].iter().map(Vec::as_slice).collect()
            };
            set_entry(&mut self.cfg, e, &args, &mut self.st).map_err(|r| err(r.into_owned()))?;
            return Ok(());
        }
        if DEPRECATED_CONFIGS
            .iter()
            .any(|(n, lo, hi)| n.as_bytes() == name.as_slice() && *lo <= argc && argc <= *hi)
        {
            return Ok(());
        }
        let strs = || argv[1..].iter().map(|a| lossy(a)).collect::<Vec<String>>();
        match name.as_slice() {
            b"include" if argc == 2 => {
                let path = lossy(&argv[1]);
                let text = Self::read_config_file(&path)?;
                self.load_string(&text)?;
            }
            b"rename-command" if argc == 3 => {
                let (from, to) = (lossy(&argv[1]), lossy(&argv[2]));
                self.hooks.rename_command(&from, &to).map_err(err)?;
                self.cfg.rename_command.push((from, to));
            }
            b"user" if argc >= 2 => {
                let args = strs();
                self.hooks.user(&args).map_err(err)?;
                self.cfg.user.push(args);
            }
            b"loadmodule" if argc >= 2 => self.cfg.loadmodule.push(strs()),
            n if n.contains(&b'.') => {
                if argc < 2 {
                    return Err(err("Module config specified without value".into()));
                }
                let key = lossy(&argv[0]);
                let val = strs().join(" ");
                match self.cfg.module_configs.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = val,
                    None => self.cfg.module_configs.push((key, val)),
                }
            }
            b"sentinel" => {
                if argc != 1 {
                    if !self.cfg.sentinel_mode {
                        return Err(err("sentinel directive while not in sentinel mode".into()));
                    }
                    self.cfg.sentinel_lines.push(strs());
                    self.cfg.sentinel_line_origins.push(LineOrigin {
                        line_no,
                        line: lossy(line),
                    });
                }
            }
            _ => return Err(err("Bad directive or wrong number of arguments".into())),
        }
        Ok(())
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    let is_t = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    while s.first().is_some_and(is_t) {
        s = &s[1..];
    }
    while s.last().is_some_and(is_t) {
        s = &s[..s.len() - 1];
    }
    s
}

/// loadServerConfig(): `config_file` ("-" = read stdin instead), then the options text
/// (always appended after a '\n', as main() does whenever redis-server has arguments).
/// `config_file` is stored in `Config::config_file` as an absolute path.
pub fn load_server_config(
    config_file: Option<&str>,
    options_text: &str,
    sentinel_mode: bool,
) -> Result<Config, LoadError> {
    match config_file {
        Some("-") => {
            load_server_config_ex(None, true, Some(options_text), sentinel_mode, &mut NoHooks)
        }
        f => load_server_config_ex(f, false, Some(options_text), sentinel_mode, &mut NoHooks),
    }
}

/// Full form of [`load_server_config`]: file and stdin may both be given (Redis reads the
/// file, then stdin, then the options); `options` None = nothing appended (no '\n' either);
/// hooks validate rename-command / user lines. The caller should log
/// "Reading config from stdin" (WARNING) itself when `from_stdin` is set.
pub fn load_server_config_ex(
    config_file: Option<&str>,
    from_stdin: bool,
    options: Option<&str>,
    sentinel_mode: bool,
    hooks: &mut dyn LoadHooks,
) -> Result<Config, LoadError> {
    let mut cfg = Config {
        sentinel_mode,
        ..Config::default()
    };
    if sentinel_mode {
        // initSentinelConfig: Sentinel's own defaults (it must be exposed).
        cfg.port = 26379;
        cfg.protected_mode = false;
    }
    let mut text = Vec::new();
    if let Some(f) = config_file {
        cfg.config_file = get_absolute_path(f);
        text = Loader::read_config_file(f)?;
    }
    if from_stdin {
        use std::io::Read;
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| cant_open("-", &e))?;
        text.extend_from_slice(&buf);
    }
    if let Some(o) = options {
        text.push(b'\n');
        text.extend_from_slice(o.as_bytes());
    }
    let mut loader = Loader {
        cfg,
        st: SetState::default(),
        hooks,
    };
    loader.load_string(&text)?;
    Ok(loader.cfg)
}

/// Apply config text (same syntax as a file) on top of an existing config, e.g. the
/// test suite's overrides. Not a Redis function; uses loadServerConfigFromString rules.
pub fn load_config_from_string(
    cfg: Config,
    text: &str,
    hooks: &mut dyn LoadHooks,
) -> Result<Config, LoadError> {
    let mut loader = Loader {
        cfg,
        st: SetState::default(),
        hooks,
    };
    loader.load_string(text.as_bytes())?;
    Ok(loader.cfg)
}

/// main()'s argv folding. `args` is argv WITHOUT the program name. Returns (absolute config
/// file path, options text); a lone "-" (stdin) is returned as `Some("-")` when no file was
/// given (use [`parse_server_args`] for the file+stdin combination).
pub fn args_to_options_text(args: &[String]) -> Result<(Option<String>, String), String> {
    let a = parse_server_args(args)?;
    let file = match (a.config_file, a.config_from_stdin) {
        (Some(f), _) => Some(f),
        (None, true) => Some("-".to_string()),
        (None, false) => None,
    };
    Ok((file, a.options))
}

/// CONFIG GET (configGetCommand): each pattern without glob chars is an exact,
/// case-insensitive lookup reported under the name as typed (hidden configs included);
/// glob patterns match (nocase) every non-hidden name and alias, reported under the
/// registered name. A name already in the result is not repeated.
pub fn config_get(cfg: &Config, patterns: &[&[u8]]) -> Vec<(String, String)> {
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut out = Vec::new();
    for &pat in patterns {
        if !pat.iter().any(|b| matches!(b, b'[' | b'*' | b'?')) {
            let key = pat.to_ascii_lowercase();
            if seen.contains(&key) {
                continue;
            }
            if let Some((idx, _)) = lookup(pat) {
                seen.insert(key);
                out.push((lossy(pat), get_entry(cfg, &TABLE[idx])));
            }
            continue;
        }
        for e in TABLE {
            if e.flags & table::HIDDEN != 0 {
                continue;
            }
            for name in std::iter::once(e.name).chain(e.alias) {
                if seen.contains(name.as_bytes()) {
                    continue;
                }
                if string_match(pat, name.as_bytes(), true) {
                    seen.insert(name.as_bytes().to_vec());
                    out.push((name.to_string(), get_entry(cfg, e)));
                }
            }
        }
    }
    out
}

/// Who issues CONFIG SET (for `enable-protected-configs local`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SetContext {
    /// Loopback / unix socket client.
    Local,
    Remote,
}

/// CONFIG SET name value [name value ...] when the server is not loading.
pub fn config_set(
    cfg: &mut Config,
    args: &[&[u8]],
    ctx: SetContext,
) -> Result<Vec<&'static str>, String> {
    config_set_ex(cfg, args, ctx, false)
}

/// CONFIG SET (configSetCommand). `args` are the name/value pairs after "CONFIG SET".
/// All-or-nothing: on error the config is left unchanged. Returns the canonical names of
/// the directives whose value changed (the server then runs the matching side effects;
/// if one fails it should `restore_from` a clone taken before the call and reply
/// "ERR CONFIG SET failed (possibly related to argument '<name>') - <why>").
/// `loading`: the server is loading a dataset (DENY_LOADING configs then fail with
/// "LOADING Redis is loading the dataset in memory"). Errors are Redis's texts without '-'.
pub fn config_set_ex(
    cfg: &mut Config,
    args: &[&[u8]],
    ctx: SetContext,
    loading: bool,
) -> Result<Vec<&'static str>, String> {
    if !args.len().is_multiple_of(2) {
        return Err("ERR syntax error".to_string());
    }
    let mut chosen: Vec<(usize, bool)> = Vec::with_capacity(args.len() / 2);
    let mut invalid_arg_name: Option<String> = None;
    let mut err: Option<(String, &'static str)> = None;
    let mut deny_loading = false;
    for pair in args.chunks(2) {
        let name = pair[0];
        let found = lookup(name);
        let (idx, alias) = match found {
            None => {
                if invalid_arg_name.is_none() && err.is_none() && !deny_loading {
                    invalid_arg_name = Some(lossy(name));
                }
                continue;
            }
            Some(f) => f,
        };
        if invalid_arg_name.is_some() || err.is_some() || deny_loading {
            continue;
        }
        let e = &TABLE[idx];
        if e.flags & table::IMMUTABLE != 0 {
            err = Some((lossy(name), "can't set immutable config"));
            continue;
        }
        if e.flags & table::PROTECTED != 0 && !cfg.enable_protected_configs.allows(ctx) {
            err = Some((lossy(name), "can't set protected config"));
            continue;
        }
        if loading && e.flags & table::DENY_LOADING != 0 {
            deny_loading = true;
            continue;
        }
        if chosen.contains(&(idx, alias)) {
            err = Some((lossy(name), "duplicate parameter"));
            continue;
        }
        chosen.push((idx, alias));
    }
    if deny_loading {
        return Err("LOADING Redis is loading the dataset in memory".to_string());
    }
    if let Some(n) = invalid_arg_name {
        return Err(format!(
            "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
            n
        ));
    }
    if let Some((n, why)) = err {
        return Err(format!(
            "ERR CONFIG SET failed (possibly related to argument '{}') - {}",
            n, why
        ));
    }

    let backup = cfg.clone();
    let mut st = SetState::default();
    let mut changed: Vec<&'static str> = Vec::new();
    for (pair, &(idx, alias)) in args.chunks(2).zip(chosen.iter()) {
        let e = &TABLE[idx];
        let value = pair[1];
        let argv: Vec<&[u8]> = if e.flags & table::MULTI_ARG != 0 {
            table::split_config_set_value(value)
        } else {
            vec![value]
        };
        match set_entry(cfg, e, &argv, &mut st) {
            Ok(true) => {
                if !changed.contains(&e.name) {
                    changed.push(e.name);
                }
            }
            Ok(false) => {}
            Err(why) => {
                cfg.restore_from(backup);
                let reg = if alias {
                    e.alias.unwrap_or(e.name)
                } else {
                    e.name
                };
                return Err(format!(
                    "ERR CONFIG SET failed (possibly related to argument '{}') - {}",
                    reg, why
                ));
            }
        }
    }
    if changed.contains(&"hz") {
        cfg.hz = cfg.hz.clamp(CONFIG_MIN_HZ, CONFIG_MAX_HZ);
    }
    Ok(changed)
}

/// True for SENSITIVE_CONFIG directives (requirepass, masterauth, masteruser): their
/// CONFIG SET values must be redacted from slowlog / MONITOR.
pub fn is_sensitive_config(name: &[u8]) -> bool {
    lookup(name).is_some_and(|(i, _)| TABLE[i].flags & table::SENSITIVE != 0)
}

/// Canonical name of a directive or alias (case-insensitive lookup).
pub fn canonical_name(name: &[u8]) -> Option<&'static str> {
    lookup(name).map(|(i, _)| TABLE[i].name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `redis-cli config get '*'` of Debian's redis-server 7.0.15 started with
    /// `--port N --save ''` (dir, port and save removed: environment dependent).
    const REAL_DEFAULTS: &[(&str, &str)] = &[
        ("acl-pubsub-default", "resetchannels"),
        ("aclfile", ""),
        ("acllog-max-len", "128"),
        ("active-defrag-cycle-max", "25"),
        ("active-defrag-cycle-min", "1"),
        ("active-defrag-ignore-bytes", "104857600"),
        ("active-defrag-max-scan-fields", "1000"),
        ("active-defrag-threshold-lower", "10"),
        ("active-defrag-threshold-upper", "100"),
        ("active-expire-effort", "1"),
        ("activedefrag", "no"),
        ("activerehashing", "yes"),
        ("always-show-logo", "no"),
        ("aof-disable-auto-gc", "no"),
        ("aof-load-truncated", "yes"),
        ("aof-rewrite-incremental-fsync", "yes"),
        ("aof-timestamp-enabled", "no"),
        ("aof-use-rdb-preamble", "yes"),
        ("aof_rewrite_cpulist", ""),
        ("appenddirname", "appendonlydir"),
        ("appendfilename", "appendonly.aof"),
        ("appendfsync", "everysec"),
        ("appendonly", "no"),
        ("auto-aof-rewrite-min-size", "67108864"),
        ("auto-aof-rewrite-percentage", "100"),
        ("bgsave_cpulist", ""),
        ("bind", "* -::*"),
        ("bind-source-addr", ""),
        ("bio_cpulist", ""),
        ("busy-reply-threshold", "5000"),
        (
            "client-output-buffer-limit",
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ),
        ("client-query-buffer-limit", "1073741824"),
        ("cluster-allow-pubsubshard-when-down", "yes"),
        ("cluster-allow-reads-when-down", "no"),
        ("cluster-allow-replica-migration", "yes"),
        ("cluster-announce-bus-port", "0"),
        ("cluster-announce-hostname", ""),
        ("cluster-announce-ip", ""),
        ("cluster-announce-port", "0"),
        ("cluster-announce-tls-port", "0"),
        ("cluster-config-file", "nodes.conf"),
        ("cluster-enabled", "no"),
        ("cluster-link-sendbuf-limit", "0"),
        ("cluster-migration-barrier", "1"),
        ("cluster-node-timeout", "15000"),
        ("cluster-port", "0"),
        ("cluster-preferred-endpoint-type", "ip"),
        ("cluster-replica-no-failover", "no"),
        ("cluster-replica-validity-factor", "10"),
        ("cluster-require-full-coverage", "yes"),
        ("cluster-slave-no-failover", "no"),
        ("cluster-slave-validity-factor", "10"),
        ("crash-log-enabled", "yes"),
        ("crash-memcheck-enabled", "yes"),
        ("daemonize", "no"),
        ("databases", "16"),
        ("dbfilename", "dump.rdb"),
        ("disable-thp", "yes"),
        ("dynamic-hz", "yes"),
        ("enable-debug-command", "no"),
        ("enable-module-command", "no"),
        ("enable-protected-configs", "no"),
        ("hash-max-listpack-entries", "512"),
        ("hash-max-listpack-value", "64"),
        ("hash-max-ziplist-entries", "512"),
        ("hash-max-ziplist-value", "64"),
        ("hll-sparse-max-bytes", "3000"),
        ("hz", "10"),
        ("ignore-warnings", ""),
        ("io-threads", "1"),
        ("io-threads-do-reads", "no"),
        ("jemalloc-bg-thread", "yes"),
        ("latency-monitor-threshold", "0"),
        ("latency-tracking", "yes"),
        ("latency-tracking-info-percentiles", "50 99 99.9"),
        ("lazyfree-lazy-eviction", "no"),
        ("lazyfree-lazy-expire", "no"),
        ("lazyfree-lazy-server-del", "no"),
        ("lazyfree-lazy-user-del", "no"),
        ("lazyfree-lazy-user-flush", "no"),
        ("lfu-decay-time", "1"),
        ("lfu-log-factor", "10"),
        ("list-compress-depth", "0"),
        ("list-max-listpack-size", "-2"),
        ("list-max-ziplist-size", "-2"),
        ("logfile", ""),
        ("loglevel", "notice"),
        ("lua-time-limit", "5000"),
        ("masterauth", ""),
        ("masteruser", ""),
        ("maxclients", "10000"),
        ("maxmemory", "0"),
        ("maxmemory-clients", "0"),
        ("maxmemory-eviction-tenacity", "10"),
        ("maxmemory-policy", "noeviction"),
        ("maxmemory-samples", "5"),
        ("min-replicas-max-lag", "10"),
        ("min-replicas-to-write", "0"),
        ("min-slaves-max-lag", "10"),
        ("min-slaves-to-write", "0"),
        ("no-appendfsync-on-rewrite", "no"),
        ("notify-keyspace-events", ""),
        ("oom-score-adj", "no"),
        ("oom-score-adj-values", "0 200 800"),
        ("pidfile", ""),
        ("proc-title-template", "{title} {listen-addr} {server-mode}"),
        ("propagation-error-behavior", "ignore"),
        ("protected-mode", "yes"),
        ("proto-max-bulk-len", "536870912"),
        ("rdb-del-sync-files", "no"),
        ("rdb-save-incremental-fsync", "yes"),
        ("rdbchecksum", "yes"),
        ("rdbcompression", "yes"),
        ("repl-backlog-size", "1048576"),
        ("repl-backlog-ttl", "3600"),
        ("repl-disable-tcp-nodelay", "no"),
        ("repl-diskless-load", "disabled"),
        ("repl-diskless-sync", "yes"),
        ("repl-diskless-sync-delay", "5"),
        ("repl-diskless-sync-max-replicas", "0"),
        ("repl-ping-replica-period", "10"),
        ("repl-ping-slave-period", "10"),
        ("repl-timeout", "60"),
        ("replica-announce-ip", ""),
        ("replica-announce-port", "0"),
        ("replica-announced", "yes"),
        ("replica-ignore-disk-write-errors", "no"),
        ("replica-ignore-maxmemory", "yes"),
        ("replica-lazy-flush", "no"),
        ("replica-priority", "100"),
        ("replica-read-only", "yes"),
        ("replica-serve-stale-data", "yes"),
        ("replicaof", ""),
        ("requirepass", ""),
        ("sanitize-dump-payload", "no"),
        ("server_cpulist", ""),
        ("set-max-intset-entries", "512"),
        ("set-proc-title", "yes"),
        ("shutdown-on-sigint", "default"),
        ("shutdown-on-sigterm", "default"),
        ("shutdown-timeout", "10"),
        ("slave-announce-ip", ""),
        ("slave-announce-port", "0"),
        ("slave-ignore-maxmemory", "yes"),
        ("slave-lazy-flush", "no"),
        ("slave-priority", "100"),
        ("slave-read-only", "yes"),
        ("slave-serve-stale-data", "yes"),
        ("slaveof", ""),
        ("slowlog-log-slower-than", "10000"),
        ("slowlog-max-len", "128"),
        ("socket-mark-id", "0"),
        ("stop-writes-on-bgsave-error", "yes"),
        ("stream-node-max-bytes", "4096"),
        ("stream-node-max-entries", "100"),
        ("supervised", "no"),
        ("syslog-enabled", "no"),
        ("syslog-facility", "local0"),
        ("syslog-ident", "redis"),
        ("tcp-backlog", "511"),
        ("tcp-keepalive", "300"),
        ("timeout", "0"),
        ("tls-auth-clients", "yes"),
        ("tls-ca-cert-dir", ""),
        ("tls-ca-cert-file", ""),
        ("tls-cert-file", ""),
        ("tls-ciphers", ""),
        ("tls-ciphersuites", ""),
        ("tls-client-cert-file", ""),
        ("tls-client-key-file", ""),
        ("tls-client-key-file-pass", ""),
        ("tls-cluster", "no"),
        ("tls-dh-params-file", ""),
        ("tls-key-file", ""),
        ("tls-key-file-pass", ""),
        ("tls-port", "0"),
        ("tls-prefer-server-ciphers", "no"),
        ("tls-protocols", ""),
        ("tls-replication", "no"),
        ("tls-session-cache-size", "20480"),
        ("tls-session-cache-timeout", "300"),
        ("tls-session-caching", "yes"),
        ("tracking-table-max-keys", "1000000"),
        ("unixsocket", ""),
        ("unixsocketperm", "0"),
        ("zset-max-listpack-entries", "128"),
        ("zset-max-listpack-value", "64"),
        ("zset-max-ziplist-entries", "128"),
        ("zset-max-ziplist-value", "64"),
    ];

    const SUITE: &str = "/var/tmp/redis-suite-src/redis-7.0.15/tests/assets";

    fn tmp_path(name: &str) -> String {
        let dir = std::env::temp_dir().join(format!("ferrodis-config-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir.join(name).to_string_lossy().into_owned()
    }

    fn get1(cfg: &Config, name: &str) -> String {
        let r = config_get(cfg, &[name.as_bytes()]);
        assert_eq!(r.len(), 1, "{}", name);
        r[0].1.clone()
    }

    fn set(cfg: &mut Config, args: &[&str]) -> Result<Vec<&'static str>, String> {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        config_set(cfg, &a, SetContext::Remote)
    }

    fn load_text(text: &str) -> Result<Config, LoadError> {
        let p = tmp_path(&format!(
            "load-{:x}.conf",
            text.len() * 31 + text.bytes().map(|b| b as usize).sum::<usize>()
        ));
        std::fs::write(&p, text).unwrap();
        load_server_config(Some(&p), "", false)
    }

    #[test]
    fn config_get_star_matches_real_redis_defaults() {
        let cfg = Config::default();
        let got = config_get(&cfg, &[b"*"]);
        let mut got: Vec<(String, String)> = got
            .into_iter()
            .filter(|(k, _)| k != "dir" && k != "port" && k != "save")
            .collect();
        got.sort();
        let mut want: Vec<(String, String)> = REAL_DEFAULTS
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(get1(&cfg, "port"), "6379");
        assert_eq!(get1(&cfg, "save"), "3600 1 300 100 60 10000");
        assert_eq!(
            get1(&cfg, "dir"),
            std::env::current_dir().unwrap().to_string_lossy()
        );
    }

    #[test]
    fn table_defaults_agree_with_struct_defaults() {
        // A default config rewritten into an empty file only yields the always-forced lines.
        let p = tmp_path("defaults-rewrite.conf");
        let _ = std::fs::remove_file(&p);
        config_rewrite(&Config::default(), &p, false).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cwd = std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            lines,
            vec![
                "# Generated by CONFIG REWRITE".to_string(),
                format!("dir {}", repr(cwd.as_bytes())),
                "save 3600 1".into(),
                "save 300 100".into(),
                "save 60 10000".into(),
                "latency-tracking-info-percentiles 50 99 99.9".into(),
            ]
        );
    }

    #[test]
    fn config_get_patterns_aliases_hidden() {
        let cfg = Config::default();
        let r = config_get(&cfg, &[b"PORT"]);
        assert_eq!(r, vec![("PORT".to_string(), "6379".to_string())]);
        let r = config_get(&cfg, &[b"port", b"PORT"]);
        assert_eq!(r.len(), 1);
        assert_eq!(
            config_get(&cfg, &[b"key-load-delay"]),
            vec![("key-load-delay".into(), "0".into())]
        );
        assert!(config_get(&cfg, &[b"key-load*"]).is_empty());
        assert!(config_get(&cfg, &[b"nosuch"]).is_empty());
        let r = config_get(&cfg, &[b"SLAVE-PRIO*"]);
        assert_eq!(r, vec![("slave-priority".into(), "100".into())]);
        let r = config_get(&cfg, &[b"maxmemory", b"maxmemory*", b"bind", b"*of"]);
        let names: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
        let uniq: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(uniq.len(), names.len());
        for n in [
            "slaveof",
            "replicaof",
            "maxmemory",
            "maxmemory-samples",
            "maxmemory-clients",
            "bind",
        ] {
            assert!(uniq.contains(n), "{}", n);
        }
    }

    #[test]
    fn config_set_errors_match_real_redis() {
        let mut cfg = Config::default();
        let cases: &[(&[&str], &str)] = &[
            (&["maxmemory", "foo"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            (&["maxmemory", "-1"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            (&["maxmemory", "+5"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
            (&["port", "70000"], "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"),
            (&["port", "abc"], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
            (&["PORT", "007"], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"),
            (&["timeout", "-0"], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"),
            (&["slave-priority", "abc"], "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"),
            (&["protected-mode", "maybe"], "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"),
            (&["loglevel", "foo"], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"),
            (&["maxmemory-clients", "200%"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"),
            (&["maxmemory-clients", "-5"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"),
            (&["maxmemory-clients", "-0%"], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"),
            (&["dir", "/tmp"], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
            (&["dbfilename", "a/b"], "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
            (&["daemonize", "yes"], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
            (&["replicaof", "no one"], "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"),
            (&["foo", "bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (&["port", "1", "port", "2"], "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter"),
            (&["save", "100 1 200"], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
            (&["shutdown-on-sigint", "save nosave"], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"),
            (&["activedefrag", "yes"], "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"),
            (&["notify-keyspace-events", "x!"], "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
            (&["client-output-buffer-limit", "master 1 1 1"], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."),
            (&["client-output-buffer-limit", "normal 1 1"], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."),
            (&["oom-score-adj-values", "1 2"], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"),
            (&["oom-score-adj-values", "1 2 3000"], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000."),
            (&["latency-tracking-info-percentiles", "50 x"], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"),
            (&["latency-tracking-info-percentiles", "101"], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
            (&["proc-title-template", "{foo}"], "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"),
            (&["cluster-announce-hostname", "a_b"], "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots"),
            (&["list-max-listpack-size", "99999999999"], "ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"),
            (&["maxclients", "0"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
            (&["maxclients", "-1"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
            (&["repl-backlog-size", "99999999999999999999"], "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive"),
            (&["port"], "ERR syntax error"),
        ];
        let before = cfg.clone();
        for (args, want) in cases {
            assert_eq!(set(&mut cfg, args).unwrap_err(), *want, "{:?}", args);
            assert_eq!(cfg, before, "{:?} modified the config", args);
        }
        let a: Vec<&[u8]> = vec![b"dir", b"x"];
        assert_eq!(config_set_ex(&mut cfg, &a, SetContext::Local, true).unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
        cfg.enable_protected_configs = ProtectedConfig::Local;
        assert_eq!(
            config_set_ex(&mut cfg, &a, SetContext::Local, true).unwrap_err(),
            "LOADING Redis is loading the dataset in memory"
        );
    }

    #[test]
    fn config_set_values_and_rollback() {
        let mut cfg = Config::default();
        assert_eq!(
            set(&mut cfg, &["maxmemory", "1Gb"]).unwrap(),
            vec!["maxmemory"]
        );
        assert_eq!(cfg.maxmemory, 1 << 30);
        assert_eq!(get1(&cfg, "maxmemory"), "1073741824");
        assert!(set(&mut cfg, &["maxmemory", "1Gb"]).unwrap().is_empty());
        set(&mut cfg, &["maxmemory", "99999999999999999999999"]).unwrap();
        assert_eq!(get1(&cfg, "maxmemory"), "18446744073709551615");
        set(&mut cfg, &["maxmemory", ""]).unwrap();
        assert_eq!(cfg.maxmemory, 0);
        set(&mut cfg, &["maxmemory-clients", "10%"]).unwrap();
        assert_eq!(
            (cfg.maxmemory_clients, get1(&cfg, "maxmemory-clients")),
            (-10, "10%".to_string())
        );
        set(&mut cfg, &["hz", "1000"]).unwrap();
        assert_eq!(get1(&cfg, "hz"), "500");
        set(&mut cfg, &["notify-keyspace-events", "KEA"]).unwrap();
        assert_eq!(get1(&cfg, "notify-keyspace-events"), "AKE");
        assert_eq!(
            cfg.notify_keyspace_events,
            NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT
        );
        set(&mut cfg, &["shutdown-on-sigint", "save now"]).unwrap();
        assert_eq!(
            (cfg.shutdown_on_sigint, get1(&cfg, "shutdown-on-sigint")),
            (SHUTDOWN_SAVE | SHUTDOWN_NOW, "save now".into())
        );
        set(&mut cfg, &["oom-score-adj", "relative"]).unwrap();
        assert_eq!(get1(&cfg, "oom-score-adj"), "yes");
        set(&mut cfg, &["client-output-buffer-limit", "replica 1mb 2 3"]).unwrap();
        assert_eq!(
            get1(&cfg, "client-output-buffer-limit"),
            "normal 0 0 0 slave 1048576 2 3 pubsub 33554432 8388608 60"
        );
        set(
            &mut cfg,
            &["latency-tracking-info-percentiles", "1.5 100 0"],
        )
        .unwrap();
        assert_eq!(get1(&cfg, "latency-tracking-info-percentiles"), "1.5 100 0");
        set(&mut cfg, &["save", "100 1 200 2"]).unwrap();
        assert_eq!(cfg.save, vec![(100, 1), (200, 2)]);
        set(&mut cfg, &["save", ""]).unwrap();
        assert!(cfg.save.is_empty());
        set(&mut cfg, &["bind", ""]).unwrap();
        assert!(cfg.bind.is_empty());
        set(&mut cfg, &["bind", "127.0.0.1 -::1"]).unwrap();
        assert_eq!(cfg.bind, vec!["127.0.0.1", "-::1"]);
        set(&mut cfg, &["requirepass", "s3cr\u{1}t"]).unwrap();
        assert_eq!(cfg.requirepass.as_deref(), Some(&b"s3cr\x01t"[..]));
        set(&mut cfg, &["requirepass", ""]).unwrap();
        assert_eq!(cfg.requirepass, None);
        // alias and its primary are distinct entries: no duplicate error, last wins
        set(&mut cfg, &["SLAVE-priority", "1", "replica-priority", "2"]).unwrap();
        assert_eq!(cfg.replica_priority, 2);
        // rollback of earlier values when a later one fails
        let before = cfg.clone();
        let err = set(
            &mut cfg,
            &[
                "maxmemory",
                "10000001",
                "maxmemory-clients",
                "200%",
                "client-query-buffer-limit",
                "invalid",
            ],
        )
        .unwrap_err();
        assert_eq!(err, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100");
        assert_eq!(cfg, before);
        let changed = set(
            &mut cfg,
            &[
                "maxmemory",
                "10000001",
                "repl-backlog-size",
                "10000002",
                "save",
                "3000 5",
            ],
        )
        .unwrap();
        assert_eq!(changed, vec!["maxmemory", "repl-backlog-size", "save"]);
        // protected config allowed for local clients when enable-protected-configs is local
        cfg.enable_protected_configs = ProtectedConfig::Local;
        let a: Vec<&[u8]> = vec![b"dbfilename", b"x.rdb"];
        assert!(config_set(&mut cfg, &a, SetContext::Remote).is_err());
        assert_eq!(
            config_set(&mut cfg, &a, SetContext::Local).unwrap(),
            vec!["dbfilename"]
        );
        let cwd = cfg.dir.clone();
        let a: Vec<&[u8]> = vec![b"dir", b"/nonexistent-ferrodis-dir"];
        assert_eq!(config_set(&mut cfg, &a, SetContext::Local).unwrap_err(), "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory");
        let a: Vec<&[u8]> = vec![b"dir", cwd.as_bytes()];
        assert!(config_set(&mut cfg, &a, SetContext::Local)
            .unwrap()
            .is_empty());
    }

    /// tests/unit/introspection.tcl "CONFIG sanity": setting every config to the value
    /// CONFIG GET returns must succeed and not change it.
    #[test]
    fn config_sanity_roundtrip() {
        let skip = [
            "rdbchecksum",
            "daemonize",
            "io-threads-do-reads",
            "tcp-backlog",
            "always-show-logo",
            "syslog-enabled",
            "cluster-enabled",
            "disable-thp",
            "aclfile",
            "unixsocket",
            "pidfile",
            "syslog-ident",
            "appendfilename",
            "appenddirname",
            "supervised",
            "syslog-facility",
            "databases",
            "io-threads",
            "logfile",
            "unixsocketperm",
            "replicaof",
            "slaveof",
            "requirepass",
            "server_cpulist",
            "bio_cpulist",
            "aof_rewrite_cpulist",
            "bgsave_cpulist",
            "set-proc-title",
            "cluster-config-file",
            "cluster-port",
            "oom-score-adj",
            "oom-score-adj-values",
            "enable-protected-configs",
            "enable-debug-command",
            "enable-module-command",
            "dbfilename",
            "dir",
            "socket-mark-id",
        ];
        let mut cfg =
            load_server_config(Some(&format!("{}/default.conf", SUITE)), "", false).unwrap();
        let before = config_get(&cfg, &[b"*"]);
        for (k, v) in &before {
            if skip.contains(&k.as_str()) {
                continue;
            }
            set(&mut cfg, &[k, v]).unwrap_or_else(|e| panic!("{} {:?}: {}", k, v, e));
        }
        assert_eq!(config_get(&cfg, &[b"*"]), before);
    }

    #[test]
    fn suite_assets_load() {
        let cfg = load_server_config(Some(&format!("{}/default.conf", SUITE)), "", false).unwrap();
        assert!(cfg.always_show_logo);
        assert_eq!(
            cfg.notify_keyspace_events,
            NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT
        );
        assert_eq!(cfg.pidfile.as_deref(), Some("/var/run/redis.pid"));
        assert_eq!(cfg.bind, vec!["127.0.0.1"]);
        assert_eq!(cfg.loglevel, Loglevel::Verbose);
        assert_eq!(cfg.logfile, "");
        assert_eq!(cfg.latency_monitor_threshold, 1);
        assert_eq!(cfg.save, vec![(900, 1)]);
        assert_eq!(cfg.enable_debug_command, ProtectedConfig::Yes);
        assert_eq!(
            cfg.propagation_error_behavior,
            PropagationErrorBehavior::Panic
        );
        assert!(cfg
            .config_file
            .as_deref()
            .unwrap()
            .ends_with("/default.conf"));
        let cfg = load_server_config(Some(&format!("{}/minimal.conf", SUITE)), "", false).unwrap();
        assert_eq!(cfg.save, vec![(3600, 1), (300, 100), (60, 10000)]);
        assert_eq!(cfg.loglevel, Loglevel::Verbose);
    }

    #[test]
    fn fatal_texts_match_real_redis() {
        let e = load_text("port 6379\nmaxmemory foo\n").unwrap_err();
        assert_eq!(e.fatal_text(), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'maxmemory foo'\nargument must be a memory value\n");
        let e = load_text("\n  protected-mode maybe  \r\n").unwrap_err();
        assert_eq!(
            (e.line_no, e.line.as_str(), e.reason.as_str()),
            (2, "protected-mode maybe", "argument must be 'yes' or 'no'")
        );
        let run = |args: &[&str]| {
            let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let (f, o) = args_to_options_text(&a).unwrap();
            load_server_config(f.as_deref(), &o, false).unwrap_err()
        };
        let e = run(&["--foo", "bar"]);
        assert_eq!(e.fatal_text(), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments\n");
        let e = run(&["--loglevel", "xx"]);
        assert_eq!(
            e.reason,
            "argument(s) must be one of the following: debug, verbose, notice, warning"
        );
        let e = run(&["--logfile", "/nonexistent/x.log"]);
        assert_eq!(e.fatal_text(), "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory\n");
        let e = run(&["--sentinel monitor"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            (
                "sentinel monitor",
                "sentinel directive while not in sentinel mode"
            )
        );
        let e = run(&["--port", "\"abc"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            (
                "port \"\\\"abc\"",
                "argument couldn't be parsed into an integer"
            )
        );
        let e = run(&["--save", "10"]);
        assert_eq!(e.reason, "Invalid save parameters");
        let e = run(&["--unixsocketperm", "999"]);
        assert_eq!(e.reason, "argument couldn't be parsed as an octal number");
        let e = run(&["--unixsocketperm", "7777"]);
        assert_eq!(e.reason, "argument must be between 0 and 777 inclusive");
        let e = run(&[
            "--list-max-ziplist-entries",
            "5",
            "--port",
            "0",
            "--dir",
            "/nonexist",
        ]);
        assert_eq!(
            (e.line_no, e.line.as_str(), e.reason.as_str()),
            (4, "dir \"/nonexist\"", "No such file or directory")
        );
        // introspection.tcl "redis-server command line arguments - error cases"
        let e = run(&["--port"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            ("port", "wrong number of arguments")
        );
        let e = run(&["--port", "6380", "--loglevel"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            ("loglevel", "wrong number of arguments")
        );
        let e = run(&["--port", "--bla", "--loglevel", "verbose"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            (
                "port \"--bla\"",
                "argument couldn't be parsed into an integer"
            )
        );
        let e = run(&["--logfile", "--my--log--file", "--loglevel", "--bla"]);
        assert_eq!(e.line, "loglevel \"--bla\"");
        let e = run(&["--shutdown-on-sigint"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            (
                "shutdown-on-sigint",
                "argument(s) must be one of the following: default, save, nosave, now, force"
            )
        );
        let e = run(&["--replicaof", "127.0.0.1", "abc"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            ("replicaof \"127.0.0.1\" \"abc\"", "Invalid master port")
        );
        let e = run(&["--replicaof", "--127.0.0.1", "--abc"]);
        assert_eq!(
            (e.line.as_str(), e.reason.as_str()),
            ("replicaof \"--127.0.0.1\"", "wrong number of arguments")
        );
        let e = run(&["/nonexistent/ferrodis.conf"]);
        assert_eq!(e.kind, LoadErrorKind::CantOpen);
        assert_eq!(e.fatal_text(), "Fatal error, can't open config file '/nonexistent/ferrodis.conf': No such file or directory");
        let e = load_text("port 1\nfoo \"bar\n").unwrap_err();
        assert_eq!(
            (e.line_no, e.reason.as_str()),
            (2, "Unbalanced quotes in configuration line")
        );
        let e = load_text("mymodule.opt\n").unwrap_err();
        assert_eq!(e.reason, "Module config specified without value");
    }

    #[test]
    fn command_line_forms() {
        let run = |args: &[&str]| {
            let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let (f, o) = args_to_options_text(&a).unwrap();
            load_server_config(f.as_deref(), &o, false).unwrap()
        };
        let c = run(&["--maxmemory 700mb", "--maxmemory-policy volatile-lru"]);
        assert_eq!(
            (c.maxmemory, c.maxmemory_policy),
            (734003200, MaxmemoryPolicy::VolatileLru)
        );
        let c = run(&["--maxmemory '700mb'", "--maxmemory-policy 'volatile-lru'"]);
        assert_eq!(c.maxmemory, 734003200);
        let c = run(&[
            "--proc-title-template",
            "--my--title--template",
            "--loglevel",
            "verbose",
        ]);
        assert_eq!(
            (c.proc_title_template.as_str(), c.loglevel),
            ("--my--title--template", Loglevel::Verbose)
        );
        for args in [
            &["--save", "--loglevel", "verbose"][..],
            &["--loglevel", "verbose", "--save"],
            &["--save", "", "--loglevel", "verbose"],
        ] {
            let c = run(args);
            assert!(
                c.save.is_empty() && c.loglevel == Loglevel::Verbose,
                "{:?}",
                args
            );
        }
        let c = run(&[
            "--proc-title-template",
            "--save",
            "--save",
            "",
            "--loglevel",
            "verbose",
        ]);
        assert_eq!(c.proc_title_template, "--save");
        assert!(c.save.is_empty());
        let c = run(&[
            "--shutdown-on-sigint",
            "nosave",
            "force",
            "now",
            "--shutdown-on-sigterm",
            "nosave force",
        ]);
        assert_eq!(get1(&c, "shutdown-on-sigint"), "nosave now force");
        assert_eq!(get1(&c, "shutdown-on-sigterm"), "nosave force");
        let c = run(&["--save", "3600 1 300 100"]);
        assert_eq!(c.save, vec![(3600, 1), (300, 100)]);
        let c = run(&["--sentinel"]);
        assert!(!c.sentinel_mode);
    }

    #[test]
    fn save_semantics_match_real_redis() {
        let c = load_text("save 100 1\nsave 200 2 300 3\n").unwrap();
        assert_eq!(c.save, vec![(100, 1), (200, 2), (300, 3)]);
        let p = tmp_path("q2.conf");
        std::fs::write(&p, "save 100 1\nsave 200 2 300 3\n").unwrap();
        let c = load_server_config(Some(&p), "save \"400 4\"", false).unwrap();
        assert_eq!(c.save, vec![(100, 1), (200, 2), (300, 3), (400, 4)]);
        let c = load_server_config(Some(&p), "save \"\"\nsave 5 5", false).unwrap();
        assert_eq!(c.save, vec![(5, 5)]);
        // after an include, reading_config_file is reset: each save line replaces
        let empty = tmp_path("empty.conf");
        std::fs::write(&empty, "").unwrap();
        let c = load_text(&format!(
            "save 100 1\ninclude {}\nsave 200 2\nsave 300 3\n",
            empty
        ))
        .unwrap();
        assert_eq!(c.save, vec![(300, 3)]);
        let c = load_text("port 1\n").unwrap();
        assert_eq!(c.save.len(), 3);
    }

    #[test]
    fn non_value_directives() {
        let inc = tmp_path("inc-a.conf");
        std::fs::write(&inc, "maxmemory 5mb\n").unwrap();
        let pattern = inc.replace("inc-a", "inc-?");
        let text = format!(
            "rename-command flushdb badger\nuser alice on >pw ~*\nloadmodule /x.so a b\nmymod.opt 1 2\nmymod.opt 3\n\
             list-max-ziplist-value 5\nlua-replicate-commands yes\nsentinel\ninclude {}\ninclude /nonexistent-dir/*.conf\n\
             slaveof 10.0.0.1 6380\nhash-max-ziplist-entries 20\n",
            pattern
        );
        let c = load_text(&text).unwrap();
        assert_eq!(
            c.rename_command,
            vec![("flushdb".to_string(), "badger".to_string())]
        );
        assert_eq!(
            c.user,
            vec![vec![
                "alice".to_string(),
                "on".into(),
                ">pw".into(),
                "~*".into()
            ]]
        );
        assert_eq!(
            c.loadmodule,
            vec![vec!["/x.so".to_string(), "a".into(), "b".into()]]
        );
        assert_eq!(
            c.module_configs,
            vec![("mymod.opt".to_string(), "3".to_string())]
        );
        assert_eq!(c.maxmemory, 5 << 20);
        assert_eq!(c.replicaof, Some(("10.0.0.1".to_string(), 6380)));
        assert_eq!(get1(&c, "slaveof"), "10.0.0.1 6380");
        assert_eq!(c.hash_max_listpack_entries, 20);
        assert!(load_text("list-max-ziplist-value 5 6\n").is_err());
        let e = load_text("cluster-enabled yes\nreplicaof h 1\n").unwrap_err();
        assert_eq!(
            (e.line_no, e.reason.as_str()),
            (0, "replicaof directive not allowed in cluster mode")
        );
        // hooks
        struct H;
        impl LoadHooks for H {
            fn rename_command(&mut self, from: &str, _to: &str) -> Result<(), String> {
                if from == "nosuch" {
                    Err("No such command in rename-command".into())
                } else {
                    Ok(())
                }
            }
        }
        let e = load_config_from_string(Config::default(), "\nrename-command nosuch x\n", &mut H)
            .unwrap_err();
        assert_eq!(
            (e.line_no, e.reason.as_str()),
            (2, "No such command in rename-command")
        );
        // sentinel mode
        let p = tmp_path("sentinel.conf");
        std::fs::write(
            &p,
            "port 26379\nsentinel monitor mymaster 127.0.0.1 6379 2\n",
        )
        .unwrap();
        let c = load_server_config(Some(&p), "", true).unwrap();
        assert!(c.sentinel_mode);
        assert_eq!(
            c.sentinel_lines,
            vec![vec![
                "monitor".to_string(),
                "mymaster".into(),
                "127.0.0.1".into(),
                "6379".into(),
                "2".into()
            ]]
        );
        assert_eq!(c.sentinel_line_origins[0].line_no, 2);
    }

    /// Same input file as handed to the real redis-server 7.0.15, then CONFIG SET
    /// maxmemory 10mb, notify-keyspace-events KEA, client-output-buffer-limit "pubsub 1 2 3",
    /// maxmemory-clients 5%, CONFIG REWRITE.
    #[test]
    fn rewrite_matches_real_redis() {
        let p = tmp_path("rw.conf");
        std::fs::write(
            &p,
            "# hello\n  port 48792\nsave 100 1\nsave 200 2\n\n\n\nslave-priority 5\nreplica-priority 7\n\nrename-command flushdb badger\n\
             hash-max-ziplist-entries 20\nloglevel notice\nsentinel\ninclude /dev/null\nlist-max-ziplist-entries 5\nlogfile \"\"\nunixsocketperm 700\n",
        )
        .unwrap();
        let mut cfg =
            load_server_config(Some(&p), "daemonize yes\npidfile /tmp/config_rw.pid", false)
                .unwrap();
        for kv in [
            ["maxmemory", "10mb"],
            ["notify-keyspace-events", "KEA"],
            ["client-output-buffer-limit", "pubsub 1 2 3"],
            ["maxmemory-clients", "5%"],
        ] {
            set(&mut cfg, &kv).unwrap();
        }
        config_rewrite_with(&cfg, &p, false, &mut |st| {
            st.rewrite_line("user", "user default on nopass ~* &* +@all".into(), true);
            st.mark_processed("user");
        })
        .unwrap();
        let got = std::fs::read_to_string(&p).unwrap();
        let (head, tail) = got.split_once("# Generated by CONFIG REWRITE\n").unwrap();
        assert_eq!(
            head,
            "# hello\nport 48792\nsave 100 1\nsave 200 2\n\nreplica-priority 7\n\nrename-command flushdb badger\nhash-max-listpack-entries 20\n\
             loglevel notice\nsentinel\ninclude /dev/null\n# ??? list-max-ziplist-entries 5\nlogfile \"\"\nunixsocketperm 700\n\n"
        );
        let mut tail: Vec<&str> = tail.lines().collect();
        tail.sort();
        let cwd = std::env::current_dir()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let dir_line = format!("dir {}", repr(cwd.as_bytes()));
        let mut want = vec![
            "client-output-buffer-limit pubsub 1 2 3",
            "maxmemory 10mb",
            "maxmemory-clients 5%",
            &dir_line,
            "notify-keyspace-events \"AKE\"",
            "daemonize yes",
            "latency-tracking-info-percentiles 50 99 99.9",
            "pidfile \"/tmp/config_rw.pid\"",
            "user default on nopass ~* &* +@all",
        ];
        want.sort();
        assert_eq!(tail, want);
        // Rewriting again shows Redis's quirk (verified on the real server): the existing
        // client-output-buffer-limit line is reused by the "normal" class and pubsub is
        // appended after the (kept) trailing blank line.
        config_rewrite(&cfg, &p, false).unwrap();
        let again = std::fs::read_to_string(&p).unwrap();
        let want = got.replace(
            "client-output-buffer-limit pubsub 1 2 3\n",
            "client-output-buffer-limit normal 0 0 0\n",
        ) + "\nclient-output-buffer-limit pubsub 1 2 3\n";
        assert_eq!(again, want);
    }

    /// "CONFIG REWRITE sanity" + "handles save and shutdown properly" + alias handling.
    #[test]
    fn rewrite_force_all_reloads_identically() {
        let p = tmp_path("force.conf");
        std::fs::copy(format!("{}/default.conf", SUITE), &p).unwrap();
        let mut cfg = load_server_config(Some(&p), "", false).unwrap();
        for kv in [
            ["save", "3600 1 300 100 60 10000"],
            ["shutdown-on-sigterm", "nosave now"],
            ["shutdown-on-sigint", "save"],
            ["maxmemory-clients", "3%"],
            ["requirepass", "a \"b\" \\c"],
        ] {
            set(&mut cfg, &kv).unwrap();
        }
        config_rewrite(&cfg, &p, true).unwrap();
        let cfg2 = load_server_config(Some(&p), "", false).unwrap();
        assert_eq!(config_get(&cfg2, &[b"*"]), config_get(&cfg, &[b"*"]));
        assert_eq!(cfg2.requirepass, cfg.requirepass);
        set(&mut cfg, &["save", ""]).unwrap();
        config_rewrite(&cfg, &p, false).unwrap();
        let cfg3 = load_server_config(Some(&p), "", false).unwrap();
        assert!(cfg3.save.is_empty());
        // alias lines: the first line is reused under the canonical name, the other blanked
        let p = tmp_path("alias.conf");
        std::fs::write(
            &p,
            "hash-max-ziplist-entries 20\nhash-max-listpack-entries 21\n",
        )
        .unwrap();
        let mut cfg = load_server_config(Some(&p), "", false).unwrap();
        assert_eq!(cfg.hash_max_listpack_entries, 21);
        set(&mut cfg, &["hash-max-listpack-entries", "100"]).unwrap();
        config_rewrite(&cfg, &p, false).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("hash-max-listpack-entries 100\n\n"),
            "{}",
            text
        );
        assert_eq!(
            load_server_config(Some(&p), "", false)
                .unwrap()
                .hash_max_listpack_entries,
            100
        );
    }

    #[test]
    fn rewrite_error_text() {
        let e = config_rewrite(
            &Config::default(),
            "/nonexistent-ferrodis-dir/x.conf",
            false,
        )
        .unwrap_err();
        assert_eq!(e, "ERR Rewriting config file: No such file or directory");
    }

    #[test]
    fn misc_helpers() {
        assert!(is_sensitive_config(b"REQUIREPASS"));
        assert!(!is_sensitive_config(b"port"));
        assert_eq!(canonical_name(b"slaveof"), Some("replicaof"));
        assert_eq!(MaxmemoryPolicy::AllkeysLru.name(), "allkeys-lru");
        assert_eq!(OomScoreAdj::from_name(b"YES"), Some(OomScoreAdj::Relative));
        assert!(Loglevel::Debug < Loglevel::Warning);
        let dbg = config_debug_info(&Config::default());
        assert!(dbg.contains("replica-read-only yes\n") && dbg.contains("slave-read-only yes\n"));
        assert!(dbg.contains("proto-max-bulk-len 512mb\n"));
        assert!(!dbg.contains("Generated"));
        assert_eq!(
            keyspace_events_string_to_flags(b"Kx"),
            Some(NOTIFY_KEYSPACE | NOTIFY_EXPIRED)
        );
        assert_eq!(
            keyspace_events_flags_to_string(NOTIFY_KEYEVENT | NOTIFY_KEY_MISS | NOTIFY_GENERIC),
            "gEm"
        );
        let mut c = Config::default();
        let b = c.clone();
        c.port = 1;
        c.restore_from(b);
        assert_eq!(c.port, 6379);
    }
}
