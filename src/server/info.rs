//! INFO text and the CLIENT LIST line (Redis's genRedisInfoString,
//! genInfoSectionDict and catClientInfoString). Field names, order and number
//! formats are Redis 7.0.15's, since clients and tools parse them.
//!
//! Section selection (`InfoSections::parse`, genInfoSectionDict): no argument
//! or `default` = server clients memory persistence stats replication cpu
//! module_list errorstats cluster keyspace; `all` = every section;
//! `everything` = all plus module-generated sections; other words name
//! sections, case-insensitively; unknown names select nothing. Sections are
//! always printed in Redis's fixed order, separated by an empty line.
//!
//! Values we do not have yet (RDB/AOF/replication state, allocator details,
//! Lua memory) are what a fresh Redis 7.0.15 reports. `ferrodis_version` is
//! an extra line of the server section.
use super::Server;
use crate::client::{flags, Client};

/// One CLIENT LIST / CLIENT INFO line (without the trailing newline).
pub fn client_info_string(srv: &Server, c: &Client) -> String {
    let mut fl = String::new();
    if c.has(flags::SLAVE) {
        fl.push(if c.has(flags::MONITOR) { 'O' } else { 'S' });
    }
    if c.has(flags::MASTER) {
        fl.push('M');
    }
    if c.has(flags::PUBSUB) {
        fl.push('P');
    }
    if c.has(flags::MULTI) {
        fl.push('x');
    }
    if c.has(flags::BLOCKED) {
        fl.push('b');
    }
    if c.has(flags::DIRTY_CAS) {
        fl.push('d');
    }
    if c.has(flags::CLOSE_AFTER_REPLY) {
        fl.push('c');
    }
    if c.has(flags::CLOSE_ASAP) {
        fl.push('A');
    }
    if c.has(flags::UNIX_SOCKET) {
        fl.push('U');
    }
    if c.has(flags::NO_EVICT) {
        fl.push('e');
    }
    if fl.is_empty() {
        fl.push('N');
    }
    let mask = srv.poller.mask(c.fd);
    let mut events = String::new();
    if c.fd >= 0 {
        if mask & crate::sys::epoll::READABLE != 0 {
            events.push('r');
        }
        if mask & crate::sys::epoll::WRITABLE != 0 {
            events.push('w');
        }
    }
    let now_s = srv.now_ms / 1000;
    let qbuf = c.querybuf.len();
    let qbuf_free = c.querybuf.capacity() - qbuf;
    let omem = c.reply.pending();
    let multi_mem: usize = c.mstate.iter().map(|a| a.buf.len()).sum();
    // A replica's share of the shared replication buffer counts as its
    // output memory (Redis's getClientOutputBufferMemoryUsage).
    let stream_mem = crate::replication::master::replica_stream_pending(srv, c).1;
    let tot_mem = c.querybuf.capacity()
        + c.reply.buf.capacity()
        + multi_mem
        + std::mem::size_of::<Client>()
        + stream_mem;
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} cmd={} user={} redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default(),
        now_s - c.ctime_ms / 1000,
        now_s - c.last_interaction_ms / 1000,
        fl,
        c.db,
        0,
        0,
        0,
        if c.has(flags::MULTI) { c.mstate.len() as i64 } else { -1 },
        qbuf,
        qbuf_free,
        0,
        multi_mem,
        c.reply.buf.capacity().max(1024),
        c.reply.buf.len(),
        omem.min(16 * 1024),
        if omem > 16 * 1024 { 1 } else { 0 },
        omem.saturating_sub(16 * 1024) + stream_mem,
        tot_mem,
        events,
        c.last_cmd,
        c.user,
        c.reply.resp
    )
}

/// bytesToHuman
pub fn bytes_to_human(n: u64) -> String {
    let d = n as f64;
    const K: f64 = 1024.0;
    if n < 1024 {
        format!("{}B", n)
    } else if n < 1024 * 1024 {
        format!("{:.2}K", d / K)
    } else if n < 1024 * 1024 * 1024 {
        format!("{:.2}M", d / (K * K))
    } else if n < 1024u64.pow(4) {
        format!("{:.2}G", d / (K * K * K))
    } else if n < 1024u64.pow(5) {
        format!("{:.2}T", d / K.powi(4))
    } else if n < 1024u64.pow(6) {
        format!("{:.2}P", d / K.powi(5))
    } else {
        format!("{}B", n)
    }
}

/// getSafeInfoString: '#', ':', CR and LF in names become '_'.
pub fn safe_info_string(s: &str) -> String {
    s.chars()
        .map(|ch| {
            if matches!(ch, '#' | ':' | '\n' | '\r') {
                '_'
            } else {
                ch
            }
        })
        .collect()
}

/// The sections INFO was asked for (genInfoSectionDict).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct InfoSections {
    /// Lowercased, deduplicated section names.
    pub names: Vec<String>,
    pub all: bool,
    pub everything: bool,
}

/// Default sections of INFO without arguments.
pub const DEFAULT_INFO_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

impl InfoSections {
    pub fn parse<'a, I: Iterator<Item = &'a [u8]>>(args: I) -> InfoSections {
        let mut s = InfoSections::default();
        let mut any = false;
        for a in args {
            any = true;
            let w = String::from_utf8_lossy(a).to_ascii_lowercase();
            match w.as_str() {
                "default" => {
                    for d in DEFAULT_INFO_SECTIONS {
                        s.add(d);
                    }
                }
                "all" => s.all = true,
                "everything" => {
                    s.all = true;
                    s.everything = true;
                }
                _ => s.add(&w),
            }
        }
        if !any {
            for d in DEFAULT_INFO_SECTIONS {
                s.add(d);
            }
        }
        s
    }

    fn add(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }

    fn has(&self, name: &str) -> bool {
        self.all || self.names.iter().any(|n| n == name)
    }
}

/// total_system_memory: MemTotal of /proc/meminfo.
fn total_system_memory() -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("MemTotal:") {
            let kb: u64 = rest
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0);
            return kb * 1024;
        }
    }
    0
}

fn os_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// `%ld.%06ld` of a CPU time in seconds.
fn cpu_secs(v: f64) -> String {
    let us = (v * 1e6).round() as i64;
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

macro_rules! field {
    ($out:expr, $name:expr, $val:expr) => {{
        use std::fmt::Write as _;
        let _ = write!($out, "{}:{}\r\n", $name, $val);
    }};
}

/// Build the INFO text (genRedisInfoString).
pub fn gen_info_string(srv: &Server, sel: &InfoSections) -> String {
    let mut out = String::with_capacity(4096);
    let mut sections = 0;
    let mut begin = |out: &mut String, title: &str| {
        if sections > 0 {
            out.push_str("\r\n");
        }
        sections += 1;
        out.push_str("# ");
        out.push_str(title);
        out.push_str("\r\n");
    };
    let cfg = &srv.config;

    if sel.has("server") {
        begin(&mut out, "Server");
        let uptime = (srv.now_ms - srv.start_time_ms) / 1000;
        let mode = if cfg.cluster_enabled {
            "cluster"
        } else if srv.sentinel_mode {
            "sentinel"
        } else {
            "standalone"
        };
        let supervised = match cfg.supervised {
            crate::config::SupervisedMode::No | crate::config::SupervisedMode::Auto => "no",
            crate::config::SupervisedMode::Upstart => "upstart",
            crate::config::SupervisedMode::Systemd => "systemd",
        };
        field!(out, "redis_version", super::REDIS_VERSION);
        field!(out, "redis_git_sha1", "00000000");
        field!(out, "redis_git_dirty", 0);
        field!(out, "redis_build_id", "0000000000000000");
        field!(out, "redis_mode", mode);
        field!(
            out,
            "os",
            format!("Linux {} {}", os_release(), std::env::consts::ARCH)
        );
        field!(out, "arch_bits", srv.arch_bits);
        field!(out, "monotonic_clock", "POSIX clock_gettime");
        field!(out, "multiplexing_api", "epoll");
        field!(out, "atomicvar_api", "c11-builtin");
        field!(out, "gcc_version", "0.0.0");
        field!(out, "process_id", crate::sys::process::getpid());
        field!(out, "process_supervised", supervised);
        field!(out, "run_id", srv.run_id);
        field!(
            out,
            "tcp_port",
            if cfg.port != 0 {
                cfg.port
            } else {
                cfg.tls_port
            }
        );
        field!(out, "server_time_usec", super::now_us());
        field!(out, "uptime_in_seconds", uptime);
        field!(out, "uptime_in_days", uptime / (3600 * 24));
        field!(out, "hz", srv.hz);
        field!(out, "configured_hz", cfg.hz);
        field!(out, "lru_clock", srv.lru_clock);
        field!(out, "executable", srv.executable);
        field!(out, "config_file", srv.config_file.as_deref().unwrap_or(""));
        field!(out, "io_threads_active", 0);
        if let Some(ms) = srv.shutdown_in_milliseconds() {
            field!(out, "shutdown_in_milliseconds", ms);
        }
        field!(out, "ferrodis_version", super::FERRODIS_VERSION);
    }

    if sel.has("clients") {
        begin(&mut out, "Clients");
        let maxin = srv
            .clients
            .iter()
            .flatten()
            .map(|c| c.querybuf_peak)
            .max()
            .unwrap_or(0);
        let maxout = srv
            .clients
            .iter()
            .flatten()
            .map(|c| c.reply.pending())
            .max()
            .unwrap_or(0);
        let replicas = srv
            .clients
            .iter()
            .flatten()
            .filter(|c| c.has(flags::SLAVE) && !c.has(flags::MONITOR))
            .count();
        field!(
            out,
            "connected_clients",
            srv.nclients.saturating_sub(replicas)
        );
        field!(out, "cluster_connections", 0);
        field!(out, "maxclients", cfg.maxclients);
        field!(out, "client_recent_max_input_buffer", maxin);
        field!(out, "client_recent_max_output_buffer", maxout);
        field!(out, "blocked_clients", srv.blocked_clients());
        field!(out, "tracking_clients", 0);
        field!(out, "clients_in_timeout_table", srv.blocking.timeouts.len());
    }

    if sel.has("memory") {
        begin(&mut out, "Memory");
        let used = crate::alloc::used_memory() as u64;
        let rss = crate::sys::process::rss_bytes();
        let peak = srv.stats.peak_memory.max(used);
        let total_mem = total_system_memory();
        let frag = if used > 0 {
            rss as f64 / used as f64
        } else {
            0.0
        };
        field!(out, "used_memory", used);
        field!(out, "used_memory_human", bytes_to_human(used));
        field!(out, "used_memory_rss", rss);
        field!(out, "used_memory_rss_human", bytes_to_human(rss));
        field!(out, "used_memory_peak", peak);
        field!(out, "used_memory_peak_human", bytes_to_human(peak));
        field!(
            out,
            "used_memory_peak_perc",
            format!(
                "{:.2}%",
                if peak > 0 {
                    used as f64 * 100.0 / peak as f64
                } else {
                    0.0
                }
            )
        );
        field!(out, "used_memory_overhead", 0);
        field!(out, "used_memory_startup", 0);
        field!(out, "used_memory_dataset", used);
        field!(out, "used_memory_dataset_perc", "100.00%");
        field!(out, "allocator_allocated", used);
        field!(out, "allocator_active", used);
        field!(out, "allocator_resident", rss);
        field!(out, "total_system_memory", total_mem);
        field!(out, "total_system_memory_human", bytes_to_human(total_mem));
        field!(out, "used_memory_lua", 32768);
        field!(out, "used_memory_vm_eval", 32768);
        field!(out, "used_memory_lua_human", bytes_to_human(32768));
        field!(out, "used_memory_scripts_eval", 0);
        field!(out, "number_of_cached_scripts", 0);
        field!(out, "number_of_functions", 0);
        field!(out, "number_of_libraries", 0);
        field!(out, "used_memory_vm_functions", 33792);
        field!(out, "used_memory_vm_total", 66560);
        field!(out, "used_memory_vm_total_human", bytes_to_human(66560));
        field!(out, "used_memory_functions", 200);
        field!(out, "used_memory_scripts", 200);
        field!(out, "used_memory_scripts_human", bytes_to_human(200));
        field!(out, "maxmemory", cfg.maxmemory);
        field!(out, "maxmemory_human", bytes_to_human(cfg.maxmemory));
        field!(out, "maxmemory_policy", cfg.maxmemory_policy.name());
        field!(out, "allocator_frag_ratio", "1.00");
        field!(out, "allocator_frag_bytes", 0);
        field!(out, "allocator_rss_ratio", format!("{:.2}", frag));
        field!(out, "allocator_rss_bytes", rss as i64 - used as i64);
        field!(out, "rss_overhead_ratio", "1.00");
        field!(out, "rss_overhead_bytes", 0);
        field!(out, "mem_fragmentation_ratio", format!("{:.2}", frag));
        field!(out, "mem_fragmentation_bytes", rss as i64 - used as i64);
        field!(out, "mem_not_counted_for_evict", 0);
        let (repl_total, backlog_mem, repl_out) = crate::replication::info::replication_memory(srv);
        field!(out, "mem_replication_backlog", backlog_mem);
        field!(out, "mem_total_replication_buffers", repl_total);
        field!(out, "mem_clients_slaves", repl_out);
        field!(out, "mem_clients_normal", 0);
        field!(out, "mem_cluster_links", 0);
        field!(out, "mem_aof_buffer", 0);
        field!(out, "mem_allocator", "libc");
        field!(out, "active_defrag_running", 0);
        field!(out, "lazyfree_pending_objects", 0);
        field!(out, "lazyfreed_objects", 0);
    }

    if sel.has("persistence") {
        begin(&mut out, "Persistence");
        out.push_str(
            &srv.rdb_state
                .info_persistence_rdb(srv.dirty, srv.lastsave, srv.now_ms),
        );
        field!(out, "aof_enabled", cfg.appendonly as i32);
        field!(out, "aof_rewrite_in_progress", 0);
        field!(out, "aof_rewrite_scheduled", 0);
        field!(out, "aof_last_rewrite_time_sec", -1);
        field!(out, "aof_current_rewrite_time_sec", -1);
        field!(out, "aof_last_bgrewrite_status", "ok");
        field!(out, "aof_rewrites", 0);
        field!(out, "aof_rewrites_consecutive_failures", 0);
        field!(out, "aof_last_write_status", "ok");
        field!(out, "aof_last_cow_size", 0);
        field!(out, "module_fork_in_progress", 0);
        field!(out, "module_fork_last_cow_size", 0);
        out.push_str(&srv.rdb_state.info_loading_block(srv.now_ms));
    }

    if sel.has("stats") {
        begin(&mut out, "Stats");
        let (ops, ikbps, okbps) = srv.instantaneous_metrics();
        let s = &srv.stats;
        field!(out, "total_connections_received", s.numconnections);
        field!(out, "total_commands_processed", s.numcommands);
        field!(out, "instantaneous_ops_per_sec", ops);
        field!(out, "total_net_input_bytes", s.net_input_bytes);
        field!(out, "total_net_output_bytes", s.net_output_bytes);
        field!(
            out,
            "total_net_repl_input_bytes",
            srv.repl.stat_net_repl_input_bytes
        );
        field!(
            out,
            "total_net_repl_output_bytes",
            srv.repl.stat_net_repl_output_bytes
        );
        field!(out, "instantaneous_input_kbps", format!("{:.2}", ikbps));
        field!(out, "instantaneous_output_kbps", format!("{:.2}", okbps));
        field!(out, "instantaneous_input_repl_kbps", "0.00");
        field!(out, "instantaneous_output_repl_kbps", "0.00");
        field!(out, "rejected_connections", s.rejected_conn);
        field!(out, "sync_full", srv.repl.stat_sync_full);
        field!(out, "sync_partial_ok", srv.repl.stat_sync_partial_ok);
        field!(out, "sync_partial_err", srv.repl.stat_sync_partial_err);
        field!(out, "expired_keys", s.expiredkeys);
        field!(
            out,
            "expired_stale_perc",
            format!("{:.2}", s.expired_stale_perc * 100.0)
        );
        field!(
            out,
            "expired_time_cap_reached_count",
            s.expired_time_cap_reached_count
        );
        field!(
            out,
            "expire_cycle_cpu_milliseconds",
            s.expire_cycle_time_used / 1000
        );
        field!(out, "evicted_keys", s.evictedkeys);
        field!(out, "evicted_clients", 0);
        field!(out, "total_eviction_exceeded_time", 0);
        field!(out, "current_eviction_exceeded_time", 0);
        field!(out, "keyspace_hits", s.keyspace_hits);
        field!(out, "keyspace_misses", s.keyspace_misses);
        field!(out, "pubsub_channels", srv.pubsub.channels.len());
        field!(out, "pubsub_patterns", srv.pubsub.patterns.len());
        field!(out, "pubsubshard_channels", srv.pubsub.shard_channels.len());
        field!(out, "latest_fork_usec", srv.rdb_state.stat_fork_time_us);
        field!(out, "total_forks", srv.rdb_state.stat_total_forks);
        field!(
            out,
            "migrate_cached_sockets",
            srv.rdb_state.migrate_cache.len()
        );
        field!(out, "slave_expires_tracked_keys", 0);
        field!(out, "active_defrag_hits", 0);
        field!(out, "active_defrag_misses", 0);
        field!(out, "active_defrag_key_hits", 0);
        field!(out, "active_defrag_key_misses", 0);
        field!(out, "total_active_defrag_time", 0);
        field!(out, "current_active_defrag_time", 0);
        field!(out, "tracking_total_keys", 0);
        field!(out, "tracking_total_items", 0);
        field!(out, "tracking_total_prefixes", 0);
        field!(out, "unexpected_error_replies", s.unexpected_error_replies);
        field!(out, "total_error_replies", s.total_error_replies);
        field!(
            out,
            "dump_payload_sanitizations",
            s.dump_payload_sanitizations
        );
        field!(out, "total_reads_processed", s.total_reads_processed);
        field!(out, "total_writes_processed", s.total_writes_processed);
        field!(out, "io_threaded_reads_processed", 0);
        field!(out, "io_threaded_writes_processed", 0);
        field!(out, "reply_buffer_shrinks", 0);
        field!(out, "reply_buffer_expands", 0);
    }

    if sel.has("replication") {
        begin(&mut out, "Replication");
        out.push_str(&crate::replication::info::replication_section(srv));
    }

    if sel.has("cpu") {
        begin(&mut out, "CPU");
        let (u, s) = crate::sys::process::cpu_usage(false);
        let (cu, cs) = crate::sys::process::cpu_usage(true);
        field!(out, "used_cpu_sys", cpu_secs(s));
        field!(out, "used_cpu_user", cpu_secs(u));
        field!(out, "used_cpu_sys_children", cpu_secs(cs));
        field!(out, "used_cpu_user_children", cpu_secs(cu));
        field!(out, "used_cpu_sys_main_thread", cpu_secs(s));
        field!(out, "used_cpu_user_main_thread", cpu_secs(u));
    }

    if sel.has("module_list") || sel.has("modules") {
        begin(&mut out, "Modules");
    }

    if sel.has("commandstats") {
        begin(&mut out, "Commandstats");
        for c in srv.commands.cmds.iter() {
            let st = &c.stats;
            if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
                continue;
            }
            let per = if st.calls == 0 {
                0.0
            } else {
                (st.usec as f32 / st.calls as f32) as f64
            };
            out.push_str(&format!(
                "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                safe_info_string(c.full_name),
                st.calls,
                st.usec,
                per,
                st.rejected_calls,
                st.failed_calls
            ));
        }
    }

    if sel.has("errorstats") {
        begin(&mut out, "Errorstats");
        let mut errs: Vec<_> = srv.stats.errors.iter().collect();
        errs.sort();
        for (code, n) in errs {
            out.push_str(&format!(
                "errorstat_{}:count={}\r\n",
                safe_info_string(code),
                n
            ));
        }
    }

    if sel.has("latencystats") {
        begin(&mut out, "Latencystats");
        if cfg.latency_tracking {
            for c in srv.commands.cmds.iter() {
                if let Some(h) = c.stats.latency_histogram.as_deref() {
                    super::latency::fill_percentile_distribution(
                        &mut out,
                        &safe_info_string(c.full_name),
                        h,
                        &cfg.latency_tracking_info_percentiles,
                    );
                }
            }
        }
    }

    if sel.has("cluster") {
        begin(&mut out, "Cluster");
        field!(out, "cluster_enabled", cfg.cluster_enabled as i32);
    }

    if sel.has("keyspace") {
        begin(&mut out, "Keyspace");
        for db in srv.dbs.iter() {
            let (keys, vkeys) = (db.dict.len(), db.expires.len());
            if keys > 0 || vkeys > 0 {
                out.push_str(&format!(
                    "db{}:keys={},expires={},avg_ttl={}\r\n",
                    db.id, keys, vkeys, db.avg_ttl
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(words: &[&str]) -> InfoSections {
        InfoSections::parse(words.iter().map(|w| w.as_bytes()))
    }

    fn titles(s: &str) -> Vec<String> {
        s.split("\r\n")
            .filter(|l| l.starts_with("# "))
            .map(|l| l[2..].to_string())
            .collect()
    }

    #[test]
    fn section_selection() {
        let srv = match Server::new(Config::default(), "/x/redis-server".into(), false) {
            Ok(s) => s,
            Err(_) => return,
        };
        let default = [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Errorstats",
            "Cluster",
            "Keyspace",
        ];
        assert_eq!(titles(&gen_info_string(&srv, &parse(&[]))), default);
        assert_eq!(
            titles(&gen_info_string(&srv, &parse(&["DEFAULT"]))),
            default
        );
        let all = [
            "Server",
            "Clients",
            "Memory",
            "Persistence",
            "Stats",
            "Replication",
            "CPU",
            "Modules",
            "Commandstats",
            "Errorstats",
            "Latencystats",
            "Cluster",
            "Keyspace",
        ];
        assert_eq!(titles(&gen_info_string(&srv, &parse(&["all"]))), all);
        assert_eq!(titles(&gen_info_string(&srv, &parse(&["everything"]))), all);
        assert_eq!(titles(&gen_info_string(&srv, &parse(&["cpu", "all"]))), all);
        // Requested order does not matter; duplicates are printed once.
        assert_eq!(
            titles(&gen_info_string(
                &srv,
                &parse(&["keyspace", "CPU", "cpu", "server"])
            )),
            ["Server", "CPU", "Keyspace"]
        );
        assert_eq!(gen_info_string(&srv, &parse(&["nosuchsection"])), "");
        assert_eq!(gen_info_string(&srv, &parse(&["sentinel"])), "");
        let cs = gen_info_string(&srv, &parse(&["commandSTATS"]));
        assert_eq!(cs, "# Commandstats\r\n");
        let two = gen_info_string(&srv, &parse(&["cluster", "modules"]));
        assert_eq!(two, "# Modules\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n");
        let server = gen_info_string(&srv, &parse(&["server"]));
        assert!(server.contains("redis_version:7.0.15\r\n"));
        assert!(server.contains("executable:/x/redis-server\r\n"));
        assert!(server.contains("\r\nferrodis_version:"));
        assert!(server.ends_with("\r\n"));
    }

    #[test]
    fn helpers() {
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(916312), "894.84K");
        assert_eq!(bytes_to_human(11993088), "11.44M");
        assert_eq!(bytes_to_human(25276514304), "23.54G");
        assert_eq!(safe_info_string("a:b#c\r\nd"), "a_b_c__d");
        assert_eq!(cpu_secs(0.010191), "0.010191");
        assert_eq!(cpu_secs(12.5), "12.500000");
    }
}
