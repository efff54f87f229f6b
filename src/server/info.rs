//! INFO text and the CLIENT LIST line (Redis's genRedisInfoString and
//! catClientInfoString). Field names, order and number formats are Redis
//! 7.0.15's, since clients and tools parse them.
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
    let tot_mem =
        c.querybuf.capacity() + c.reply.buf.capacity() + multi_mem + std::mem::size_of::<Client>();
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
        omem.saturating_sub(16 * 1024),
        tot_mem,
        events,
        c.last_cmd,
        c.user,
        c.reply.resp
    )
}

fn human_bytes(n: u64) -> String {
    let d = n as f64;
    if n < 1024 {
        format!("{}B", n)
    } else if n < 1024 * 1024 {
        format!("{:.2}K", d / 1024.0)
    } else if n < 1024 * 1024 * 1024 {
        format!("{:.2}M", d / (1024.0 * 1024.0))
    } else if n < 1024u64.pow(4) {
        format!("{:.2}G", d / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.2}T", d / 1024f64.powi(4))
    }
}

/// Build the INFO text for the requested sections (lowercase names;
/// empty = default set).
pub fn gen_info_string(srv: &Server, sections: &[String]) -> String {
    let all = sections.iter().any(|s| s == "all" || s == "everything");
    let default = sections.is_empty() || sections.iter().any(|s| s == "default");
    let want = |name: &str, in_default: bool| -> bool {
        all && name != "commandstats_never"
            || (default && in_default)
            || sections.iter().any(|s| s == name)
    };
    let mut out = String::with_capacity(4096);
    let sep = |out: &mut String| {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
    };
    if want("server", true) {
        sep(&mut out);
        let uptime = (srv.now_ms - srv.start_time_ms) / 1000;
        let port = srv.config.port;
        out.push_str(&format!(
            "# Server\r\nredis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:{}\r\nredis_mode:{}\r\nos:Linux {} x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\nferrodis_version:{}\r\n",
            super::REDIS_VERSION,
            "0000000000000000",
            if srv.sentinel_mode { "sentinel" } else { "standalone" },
            std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
            crate::sys::process::getpid(),
            srv.run_id,
            port,
            super::now_us(),
            uptime,
            uptime / 86400,
            srv.hz,
            srv.config.hz,
            srv.lru_clock,
            srv.executable,
            srv.config_file.clone().unwrap_or_default(),
            super::FERRODIS_VERSION,
        ));
    }
    if want("clients", true) {
        sep(&mut out);
        out.push_str(&format!(
            "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:{}\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:{}\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
            srv.nclients,
            srv.config.maxclients,
            srv.clients.iter().flatten().map(|c| c.querybuf_peak).max().unwrap_or(0),
            0
        ));
    }
    if want("memory", true) {
        sep(&mut out);
        let used = crate::alloc::used_memory() as u64;
        let rss = crate::sys::process::rss_bytes();
        let peak = srv.stats.peak_memory.max(used);
        out.push_str(&format!(
            "# Memory\r\nused_memory:{used}\r\nused_memory_human:{}\r\nused_memory_rss:{rss}\r\nused_memory_rss_human:{}\r\nused_memory_peak:{peak}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2}%\r\nused_memory_overhead:0\r\nused_memory_startup:0\r\nused_memory_dataset:{used}\r\nused_memory_dataset_perc:100.00%\r\nallocator_allocated:{used}\r\nallocator_active:{rss}\r\nallocator_resident:{rss}\r\ntotal_system_memory:0\r\ntotal_system_memory_human:0B\r\nused_memory_lua:31744\r\nused_memory_vm_eval:31744\r\nused_memory_lua_human:31.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:32768\r\nused_memory_vm_total:64512\r\nused_memory_vm_total_human:63.00K\r\nused_memory_functions:184\r\nused_memory_scripts:184\r\nused_memory_scripts_human:184B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.00\r\nallocator_frag_bytes:0\r\nallocator_rss_ratio:1.00\r\nallocator_rss_bytes:0\r\nrss_overhead_ratio:1.00\r\nrss_overhead_bytes:0\r\nmem_fragmentation_ratio:{:.2}\r\nmem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:0\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:libc\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
            human_bytes(used),
            human_bytes(rss),
            human_bytes(peak),
            if peak > 0 { used as f64 * 100.0 / peak as f64 } else { 0.0 },
            if used > 0 { rss as f64 / used as f64 } else { 0.0 },
            rss as i64 - used as i64,
        ));
    }
    if want("persistence", true) {
        sep(&mut out);
        out.push_str(&format!(
            "# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
            srv.dirty, srv.lastsave
        ));
    }
    if want("stats", true) {
        sep(&mut out);
        let (ops, ikbps, okbps) = srv.instantaneous_metrics();
        let s = &srv.stats;
        out.push_str(&format!(
            "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:{:.2}\r\ninstantaneous_output_kbps:{:.2}\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:{}\r\nexpired_stale_perc:{:.2}\r\nexpired_time_cap_reached_count:{}\r\nexpire_cycle_cpu_milliseconds:{}\r\nevicted_keys:{}\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:{}\r\ntotal_error_replies:{}\r\ndump_payload_sanitizations:{}\r\ntotal_reads_processed:{}\r\ntotal_writes_processed:{}\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n",
            s.numconnections, s.numcommands, ops, s.net_input_bytes, s.net_output_bytes, ikbps, okbps, s.rejected_conn,
            s.expiredkeys, s.expired_stale_perc * 100.0, s.expired_time_cap_reached_count, s.expire_cycle_time_used / 1000,
            s.evictedkeys, s.keyspace_hits, s.keyspace_misses, s.unexpected_error_replies, s.total_error_replies,
            s.dump_payload_sanitizations, s.total_reads_processed, s.total_writes_processed
        ));
    }
    if want("replication", true) {
        sep(&mut out);
        out.push_str(&format!(
            "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
            srv.run_id
        ));
    }
    if want("cpu", true) {
        sep(&mut out);
        let (u, s) = crate::sys::process::cpu_usage(false);
        let (cu, cs) = crate::sys::process::cpu_usage(true);
        out.push_str(&format!(
            "# CPU\r\nused_cpu_sys:{:.6}\r\nused_cpu_user:{:.6}\r\nused_cpu_sys_children:{:.6}\r\nused_cpu_user_children:{:.6}\r\nused_cpu_sys_main_thread:{:.6}\r\nused_cpu_user_main_thread:{:.6}\r\n",
            s, u, cs, cu, s, u
        ));
    }
    if want("modules", true) {
        sep(&mut out);
        out.push_str("# Modules\r\n");
    }
    if want("commandstats", false) {
        sep(&mut out);
        out.push_str("# Commandstats\r\n");
        for c in srv.commands.cmds.iter() {
            let st = &c.stats;
            if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
                continue;
            }
            let per = if st.calls > 0 {
                st.usec as f64 / st.calls as f64
            } else {
                0.0
            };
            out.push_str(&format!(
                "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
                c.full_name, st.calls, st.usec, per, st.rejected_calls, st.failed_calls
            ));
        }
    }
    if want("errorstats", true) {
        sep(&mut out);
        out.push_str("# Errorstats\r\n");
        let mut errs: Vec<_> = srv.stats.errors.iter().collect();
        errs.sort();
        for (code, n) in errs {
            out.push_str(&format!("errorstat_{}:count={}\r\n", code, n));
        }
    }
    if want("cluster", true) {
        sep(&mut out);
        out.push_str("# Cluster\r\ncluster_enabled:0\r\n");
    }
    if want("keyspace", true) {
        sep(&mut out);
        out.push_str("# Keyspace\r\n");
        for db in srv.dbs.iter() {
            if db.len() > 0 {
                out.push_str(&format!(
                    "db{}:keys={},expires={},avg_ttl={}\r\n",
                    db.id,
                    db.len(),
                    db.expires.len(),
                    db.avg_ttl
                ));
            }
        }
    }
    out
}
