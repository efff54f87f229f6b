//! Reading a whole snapshot into the keyspace (Redis's rdbLoadRio, rdbLoad,
//! loadDataFromDisk, the DEBUG RELOAD path) and the fatal-error report.
//!
//! [`load_rio`] is the opcode loop: it only needs a reader, the databases
//! and a [`LoadCtx`], so it serves startup, DEBUG RELOAD and (later) a
//! replica's full sync. Aux fields are logged like Redis; keys that already
//! expired are dropped when loading as a master; IDLE / FREQ opcodes set
//! the object's LRU/LFU field (objectSetLRUOrLFU).
//!
//! Errors are values ([`LoadFailure`]); the callers decide: at startup and
//! on DEBUG RELOAD a corrupt file is logged with its offset and reason, the
//! redis-check-rdb report is printed, and the process exits with status 1
//! (Redis's rdbReportError behaviour), never a panic.
use super::decode::{RdbError, RdbReader};
use super::value::{load_value, LoadCtx};
use super::*;
use crate::config::MaxmemoryPolicy;
use crate::db::{Db, Obj};
use crate::server::Server;
use std::io;

/// Loading options (Redis's RDBFLAGS_*).
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOpts {
    /// Drop keys whose expire is in the past (iAmMaster() and not an AOF
    /// preamble).
    pub expire_on_load: bool,
    /// Replace existing keys instead of failing (RDBFLAGS_ALLOW_DUP, DEBUG
    /// RELOAD MERGE).
    pub allow_dup: bool,
    /// Honour key-load-delay.
    pub key_load_delay: i64,
    /// Call the progress hook every this many bytes (0 = never).
    pub progress_interval: u64,
}

/// What a successful load reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub keys_loaded: u64,
    pub keys_expired: u64,
    pub empty_keys_skipped: u64,
    /// Replication info from the aux fields (repl-stream-db, repl-id,
    /// repl-offset); -1 / empty when absent.
    pub repl_stream_db: i64,
    pub repl_id: Option<String>,
    pub repl_offset: i64,
    /// used-mem aux field.
    pub rdb_used_mem: u64,
    /// (db, key) of the keys dropped as expired (with `expire_on_load`):
    /// a master restarting feeds them as DELs to its backlog
    /// (RDBFLAGS_FEED_REPL, replication/replica.rs).
    pub expired_keys: Vec<(usize, Vec<u8>)>,
}

/// Why a load failed.
#[derive(Debug)]
pub enum LoadFailure {
    /// The file does not exist (not an error at startup).
    NotFound,
    /// The file exists but cannot be opened/read.
    Open(io::Error),
    /// Bad signature or version (Redis returns C_ERR with EINVAL).
    BadHeader(RdbError),
    /// Corrupt or truncated content.
    Corrupt(RdbError),
    /// SELECTDB beyond `databases` (Redis exits at once).
    TooManyDbs(u64),
}

/// The LRU/LFU field of a freshly created object (createObject).
pub(crate) fn initial_lru(policy: MaxmemoryPolicy, lru_clock: u32, now_ms: i64) -> u32 {
    if matches!(
        policy,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    ) {
        let minutes = ((now_ms / 1000 / 60) as u32) & 0xffff;
        (minutes << 8) | 5 // LFU_INIT_VAL
    } else {
        lru_clock
    }
}

/// objectSetLRUOrLFU with the IDLE (seconds) / FREQ opcodes.
pub(crate) fn set_lru_or_lfu(
    obj: &mut Obj,
    policy: MaxmemoryPolicy,
    lfu_freq: Option<u8>,
    lru_idle: Option<u64>,
    lru_clock: u32,
    now_ms: i64,
) {
    const LRU_CLOCK_MAX: i64 = (1 << 24) - 1;
    if matches!(
        policy,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    ) {
        if let Some(f) = lfu_freq {
            let minutes = ((now_ms / 1000 / 60) as u32) & 0xffff;
            obj.lru = (minutes << 8) | f as u32;
        }
    } else if let Some(idle) = lru_idle {
        let idle = idle.min(LRU_CLOCK_MAX as u64) as i64;
        let mut abs = lru_clock as i64 - idle;
        if abs < 0 {
            abs += LRU_CLOCK_MAX;
        }
        obj.lru = abs as u32;
    }
}

/// Log an aux field the way rdbLoadRio does and record what matters.
fn handle_aux(key: &[u8], val: &[u8], stats: &mut LoadStats) {
    let k = String::from_utf8_lossy(key);
    let v = String::from_utf8_lossy(val);
    let num = |s: &str| -> i64 {
        // strtoll: leading integer prefix.
        let s = s.trim_start();
        let mut end = 0;
        for (i, ch) in s.char_indices() {
            if ch.is_ascii_digit() || (i == 0 && (ch == '-' || ch == '+')) {
                end = i + 1;
            } else {
                break;
            }
        }
        s[..end].parse().unwrap_or(0)
    };
    if key.first() == Some(&b'%') {
        crate::server_log!(Notice, "RDB '{}': {}", k, v);
    } else if k.eq_ignore_ascii_case("repl-stream-db") {
        stats.repl_stream_db = num(&v);
    } else if k.eq_ignore_ascii_case("repl-id") {
        if val.len() == 40 {
            stats.repl_id = Some(v.into_owned());
        }
    } else if k.eq_ignore_ascii_case("repl-offset") {
        stats.repl_offset = num(&v);
    } else if k.eq_ignore_ascii_case("lua") {
        // Scripts are not loaded back any more.
    } else if k.eq_ignore_ascii_case("redis-ver") {
        crate::server_log!(Notice, "Loading RDB produced by version {}", v);
    } else if k.eq_ignore_ascii_case("ctime") {
        let age = (crate::server::now_ms() / 1000 - num(&v)).max(0);
        crate::server_log!(Notice, "RDB age {} seconds", age);
    } else if k.eq_ignore_ascii_case("used-mem") {
        let m = num(&v);
        crate::server_log!(
            Notice,
            "RDB memory usage when created {:.2} Mb",
            m as f64 / (1024.0 * 1024.0)
        );
        stats.rdb_used_mem = m.max(0) as u64;
    } else if k.eq_ignore_ascii_case("aof-preamble") {
        if num(&v) != 0 {
            crate::server_log!(Notice, "RDB has an AOF tail");
        }
    } else if k.eq_ignore_ascii_case("aof-base") {
        if num(&v) != 0 {
            crate::server_log!(Notice, "RDB is base AOF");
        }
    } else if k.eq_ignore_ascii_case("redis-bits") {
        // Ignored.
    } else {
        crate::server_log!(Debug, "Unrecognized RDB AUX field: '{}'", k);
    }
}

/// Everything the opcode loop needs from the server besides the dbs.
pub struct LoadEnv<'c> {
    pub ctx: LoadCtx<'c>,
    pub policy: MaxmemoryPolicy,
    pub now_ms: i64,
    pub lru_clock: u32,
}

/// rdbLoadRio: read a whole snapshot from `rd` into `dbs`. `progress` is
/// called with the byte offset every `opts.progress_interval` bytes.
pub fn load_rio(
    rd: &mut RdbReader,
    dbs: &mut [Db],
    env: &LoadEnv,
    opts: &LoadOpts,
    progress: &mut dyn FnMut(u64),
) -> Result<LoadStats, LoadFailure> {
    let mut stats = LoadStats {
        repl_stream_db: -1,
        repl_offset: -1,
        ..LoadStats::default()
    };
    let rdbver = rd.read_header().map_err(|e| {
        if e.short_read {
            LoadFailure::Corrupt(e)
        } else {
            LoadFailure::BadHeader(e)
        }
    })?;
    let c = LoadFailure::Corrupt;
    let mut dbid: usize = 0;
    let mut expiretime: Option<i64> = None;
    let mut lfu_freq: Option<u8> = None;
    let mut lru_idle: Option<u64> = None;
    let mut next_progress = opts.progress_interval;
    let mut delay_rng = (env.now_ms as u64) | 1;
    loop {
        let t = rd.load_type().map_err(c)?;
        match t {
            RDB_OPCODE_EXPIRETIME => {
                expiretime = Some(rd.load_time().map_err(c)? * 1000);
                continue;
            }
            RDB_OPCODE_EXPIRETIME_MS => {
                expiretime = Some(rd.load_millisecond_time().map_err(c)?);
                continue;
            }
            RDB_OPCODE_FREQ => {
                lfu_freq = Some(rd.read_u8().map_err(c)?);
                continue;
            }
            RDB_OPCODE_IDLE => {
                lru_idle = Some(rd.load_len().map_err(c)?);
                continue;
            }
            RDB_OPCODE_EOF => break,
            RDB_OPCODE_SELECTDB => {
                let id = rd.load_len().map_err(c)?;
                if id >= dbs.len() as u64 {
                    return Err(LoadFailure::TooManyDbs(id));
                }
                dbid = id as usize;
                continue;
            }
            RDB_OPCODE_RESIZEDB => {
                let db_size = rd.load_len().map_err(c)?;
                let expires_size = rd.load_len().map_err(c)?;
                // A hint only: bounded by what the input can hold (every
                // key takes at least 3 bytes).
                let cap = rd.remaining().unwrap_or(1 << 20) / 3;
                if let Some(db) = dbs.get_mut(dbid) {
                    db.dict.expand_hint(db_size.min(cap) as usize);
                    db.expires.expand_hint(expires_size.min(cap) as usize);
                }
                continue;
            }
            RDB_OPCODE_AUX => {
                let k = rd.load_string().map_err(c)?;
                let v = rd.load_string().map_err(c)?;
                handle_aux(&k, &v, &mut stats);
                continue;
            }
            RDB_OPCODE_MODULE_AUX => {
                let id = rd.load_len().map_err(c)?;
                let _ = id;
                return Err(c(rd.corrupt(
                    "The RDB file contains AUX module data I can't load: no matching module",
                )));
            }
            RDB_OPCODE_FUNCTION | RDB_OPCODE_FUNCTION2 => {
                return Err(c(rd.corrupt(
                    "Failed loading library, functions are not supported by this server yet",
                )));
            }
            _ => {}
        }
        // A key: type byte `t`, then key, then value.
        let key = rd.load_key().map_err(c)?;
        let key_at = rd.offset();
        let val = load_value(rd, t, &env.ctx).map_err(c)?;
        match val {
            None => {
                if stats.empty_keys_skipped < 10 {
                    crate::server_log!(
                        Warning,
                        "rdbLoadObject skipping empty key: {}",
                        String::from_utf8_lossy(&key)
                    );
                }
                stats.empty_keys_skipped += 1;
            }
            Some(_) if opts.expire_on_load && expiretime.is_some_and(|e| e < env.now_ms) => {
                stats.keys_expired += 1;
                stats.expired_keys.push((dbid, key.into_vec()));
            }
            Some(v) => {
                let mut obj = Obj::new(v, initial_lru(env.policy, env.lru_clock, env.now_ms));
                set_lru_or_lfu(
                    &mut obj,
                    env.policy,
                    lfu_freq,
                    lru_idle,
                    env.lru_clock,
                    env.now_ms,
                );
                let Some(db) = dbs.get_mut(dbid) else {
                    return Err(LoadFailure::TooManyDbs(dbid as u64));
                };
                if db.dict.contains_key(&key) {
                    if !opts.allow_dup {
                        return Err(c(RdbError {
                            offset: key_at,
                            reason: format!(
                                "RDB has duplicated key '{}' in DB {}",
                                String::from_utf8_lossy(&key),
                                dbid
                            ),
                            short_read: false,
                        }));
                    }
                    db.delete(&key);
                }
                stats.keys_loaded += 1;
                match expiretime {
                    Some(when) => {
                        db.expires.insert_new(key.clone(), when);
                        db.dict.insert_new(key, obj);
                    }
                    None => db.dict.insert_new(key, obj),
                }
            }
        }
        if opts.key_load_delay != 0 {
            super::save::debug_delay(opts.key_load_delay, &mut delay_rng);
        }
        if next_progress > 0 && rd.offset() >= next_progress {
            progress(rd.offset());
            next_progress = (rd.offset() / opts.progress_interval + 1) * opts.progress_interval;
        }
        expiretime = None;
        lfu_freq = None;
        lru_idle = None;
    }
    if rdbver >= 5 {
        let expected = rd.checksum_so_far();
        let at = rd.offset();
        let stored = u64::from_le_bytes(rd.read_array::<8>().map_err(c)?);
        if env.ctx.config.rdbchecksum {
            if stored == 0 {
                crate::server_log!(
                    Warning,
                    "RDB file was saved with checksum disabled: no check performed."
                );
            } else if stored != expected {
                crate::server_log!(
                    Warning,
                    "Wrong RDB checksum expected: ({:x}) but got ({:x}). Aborting now.",
                    expected,
                    stored
                );
                return Err(c(RdbError {
                    offset: at,
                    reason: "RDB CRC error".into(),
                    short_read: false,
                }));
            }
        }
    }
    if stats.empty_keys_skipped > 0 {
        crate::server_log!(
            Warning,
            "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
            stats.keys_loaded,
            stats.keys_expired,
            stats.empty_keys_skipped
        );
    } else {
        crate::server_log!(
            Notice,
            "Done loading RDB, keys loaded: {}, keys expired: {}.",
            stats.keys_loaded,
            stats.keys_expired
        );
    }
    Ok(stats)
}

/// iAmMaster()
fn i_am_master(srv: &Server) -> bool {
    srv.config.replicaof.is_none()
}

/// rdbLoad: load `filename` into the server's databases, with the
/// loading state (INFO loading, rdb_last_load_keys_*) maintained. With
/// `serve_clients` the event loop runs every
/// loading-process-events-interval-bytes (clients get -LOADING for
/// commands not flagged `loading`); the keyspace being built is kept apart
/// meanwhile and installed at the end.
pub fn rdb_load(
    srv: &mut Server,
    filename: &str,
    allow_dup: bool,
    serve_clients: bool,
) -> Result<LoadStats, LoadFailure> {
    let mut file = match std::fs::File::open(filename) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(LoadFailure::NotFound),
        Err(e) => return Err(LoadFailure::Open(e)),
    };
    let size = file.metadata().map(|m| m.len()).ok();
    let now_ms = crate::server::now_ms();
    {
        let st = &mut srv.rdb_state;
        st.loading = true;
        st.loading_start_time = now_ms / 1000;
        st.loading_loaded_bytes = 0;
        st.loading_total_bytes = size.unwrap_or(0);
        st.loading_rdb_used_mem = 0;
        st.rdb_last_load_keys_expired = 0;
        st.rdb_last_load_keys_loaded = 0;
    }
    let opts = LoadOpts {
        expire_on_load: i_am_master(srv),
        allow_dup,
        key_load_delay: srv.config.key_load_delay,
        progress_interval: srv.config.loading_process_events_interval_bytes.max(0) as u64,
    };
    // Clients served while loading may CONFIG SET: load with a snapshot.
    let cfg = srv.config.clone();
    let env = LoadEnv {
        ctx: LoadCtx {
            config: &cfg,
            // sanitize-dump-payload yes validates loaded files deeply too
            // ("clients" only RESTOREs), as rdbLoadObject.
            deep_sanitize: cfg.sanitize_dump_payload == crate::config::SanitizeDumpPayload::Yes,
        },
        policy: cfg.maxmemory_policy,
        now_ms,
        lru_clock: crate::server::lru_clock_from(now_ms),
    };
    let ndb = srv.dbs.len();
    let mut dbs = std::mem::replace(&mut srv.dbs, (0..ndb).map(Db::new).collect());
    let mut rd = RdbReader::from_read(&mut file, size, cfg.rdbchecksum);
    let r = {
        let mut progress = |off: u64| {
            srv.rdb_state.loading_loaded_bytes = off;
            if serve_clients {
                srv.process_events_while_blocked();
            }
        };
        load_rio(&mut rd, &mut dbs, &env, &opts, &mut progress)
    };
    srv.dbs = dbs;
    super::child::update_dict_resize_policy(srv);
    let st = &mut srv.rdb_state;
    st.loading = false;
    st.loading_loaded_bytes = rd.offset();
    if let Ok(s) = &r {
        st.rdb_last_load_keys_loaded = s.keys_loaded;
        st.rdb_last_load_keys_expired = s.keys_expired;
        st.loading_rdb_used_mem = s.rdb_used_mem;
    }
    r
}

/// rdbReportError for a file being loaded: log the error with its offset,
/// print the redis-check-rdb report of the file, and exit(1).
pub fn report_corrupt_and_exit(filename: &str, e: &RdbError) -> ! {
    if e.short_read {
        crate::server_log!(
            Warning,
            "Short read or OOM loading DB. Unrecoverable error, aborting now."
        );
    }
    crate::server_log!(
        Warning,
        "Internal error in RDB reading offset {}, function at rdb_load -> {}",
        e.offset,
        e.reason
    );
    let mut out = std::io::stdout().lock();
    let _ = super::check::check_rdb_file(filename, &mut out);
    drop(out);
    crate::server_log!(
        Warning,
        "Terminating server after rdb file reading failure."
    );
    std::process::exit(1);
}

/// Handle a failed load the way Redis does at startup (and on DEBUG
/// RELOAD): everything but a missing file ends the process with status 1.
fn fatal_load_failure(filename: &str, f: LoadFailure) -> ! {
    match f {
        LoadFailure::Corrupt(e) => report_corrupt_and_exit(filename, &e),
        LoadFailure::BadHeader(e) => {
            crate::server_log!(Warning, "{}", e.reason);
            crate::server_log!(
                Warning,
                "Fatal error loading the DB: Invalid argument. Exiting."
            );
        }
        LoadFailure::Open(e) => {
            crate::server_log!(
                Warning,
                "Fatal error loading the DB: {}. Exiting.",
                super::save::io_text(&e)
            );
        }
        LoadFailure::TooManyDbs(_) | LoadFailure::NotFound => {}
    }
    std::process::exit(1);
}

/// loadDataFromDisk (RDB part): at startup, load `dir/dbfilename` if it
/// exists; exit(1) with a clear log on any other failure. With
/// `appendonly yes` the AOF is the source of truth and this does nothing.
pub fn load_data_from_disk(srv: &mut Server) {
    if srv.config.appendonly {
        return;
    }
    let start = std::time::Instant::now();
    let filename = srv.config.dbfilename.clone();
    match rdb_load(srv, &filename, false, true) {
        Ok(stats) => {
            crate::server_log!(
                Notice,
                "DB loaded from disk: {:.3} seconds",
                start.elapsed().as_secs_f64()
            );
            // Restore the replication id / offset from the aux fields.
            crate::replication::replica::restore_from_rdb(srv, &stats);
        }
        Err(LoadFailure::NotFound) => {}
        Err(LoadFailure::TooManyDbs(_)) => {
            crate::server_log!(
                Warning,
                "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                srv.dbs.len()
            );
            std::process::exit(1);
        }
        Err(f) => fatal_load_failure(&filename, f),
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush, load back.
/// `opts` are the arguments after RELOAD. Err is the full error reply
/// text. A corrupt file ends the process as in Redis.
pub fn debug_reload(srv: &mut Server, opts: &[&[u8]]) -> Result<(), String> {
    let (mut flush, mut save, mut merge) = (true, true, false);
    for o in opts {
        if o.eq_ignore_ascii_case(b"merge") {
            merge = true;
        } else if o.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if o.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return Err(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.".to_string(),
            );
        }
    }
    let filename = srv.config.dbfilename.clone();
    if save {
        let rsi = super::save::populate_save_info(srv);
        if super::save::rdb_save(srv, &filename, rsi.as_ref()).is_err() {
            return Err("ERR".to_string());
        }
    }
    if flush {
        srv.signal_flushed_db(None);
        for db in srv.dbs.iter_mut() {
            db.clear();
        }
    }
    match rdb_load(srv, &filename, merge, false) {
        Ok(_) => {
            crate::server_log!(Warning, "DB reloaded by DEBUG RELOAD");
            Ok(())
        }
        Err(LoadFailure::NotFound) | Err(LoadFailure::Open(_)) => {
            Err("ERR Error trying to load the RDB dump".to_string())
        }
        Err(LoadFailure::TooManyDbs(_)) => {
            crate::server_log!(
                Warning,
                "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                srv.dbs.len()
            );
            std::process::exit(1);
        }
        Err(f) => fatal_load_failure(&filename, f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::db::object::{StrVal, Value};
    use crate::rdb::encode::RdbWriter;

    fn env(cfg: &Config, now_ms: i64) -> LoadEnv<'_> {
        LoadEnv {
            ctx: LoadCtx {
                config: cfg,
                deep_sanitize: false,
            },
            policy: cfg.maxmemory_policy,
            now_ms,
            lru_clock: crate::server::lru_clock_from(now_ms),
        }
    }

    fn load(bytes: &[u8], ndb: usize, opts: LoadOpts) -> (Vec<Db>, Result<LoadStats, LoadFailure>) {
        let cfg = Config::default();
        let mut dbs: Vec<Db> = (0..ndb).map(Db::new).collect();
        let mut rd = RdbReader::from_slice(bytes, true);
        let r = load_rio(&mut rd, &mut dbs, &env(&cfg, 1_000_000), &opts, &mut |_| {});
        (dbs, r)
    }

    fn get(db: &Db, k: &[u8]) -> Option<Vec<u8>> {
        db.dict.get(k).map(|o| match &o.val {
            Value::Str(s) => s.as_bytes().into_owned(),
            #[allow(unreachable_patterns)]
            _ => b"<other>".to_vec(),
        })
    }

    /// A hand-built file: header, aux, two dbs, an expired and a live TTL.
    fn sample(checksum: bool) -> Vec<u8> {
        let mut w = RdbWriter::new_memory(true, checksum);
        w.write_raw(b"REDIS0010").unwrap();
        w.save_aux_field(b"redis-ver", b"7.0.15").unwrap();
        w.save_aux_field(b"%custom", b"hello").unwrap();
        w.save_type(RDB_OPCODE_SELECTDB).unwrap();
        w.save_len(0).unwrap();
        w.save_type(RDB_OPCODE_RESIZEDB).unwrap();
        w.save_len(3).unwrap();
        w.save_len(2).unwrap();
        w.save_type(RDB_TYPE_STRING).unwrap();
        w.save_raw_string(b"a").unwrap();
        w.save_raw_string(b"1").unwrap();
        w.save_type(RDB_OPCODE_EXPIRETIME_MS).unwrap();
        w.save_millisecond_time(500).unwrap(); // expired at now=1_000_000
        w.save_type(RDB_TYPE_STRING).unwrap();
        w.save_raw_string(b"old").unwrap();
        w.save_raw_string(b"x").unwrap();
        w.save_type(RDB_OPCODE_EXPIRETIME_MS).unwrap();
        w.save_millisecond_time(2_000_000).unwrap();
        w.save_type(RDB_OPCODE_IDLE).unwrap();
        w.save_len(10).unwrap();
        w.save_type(RDB_TYPE_STRING).unwrap();
        w.save_raw_string(b"ttl").unwrap();
        w.save_raw_string(&[b'v'; 100]).unwrap();
        w.save_type(RDB_OPCODE_SELECTDB).unwrap();
        w.save_len(2).unwrap();
        w.save_type(RDB_TYPE_STRING).unwrap();
        w.save_raw_string(b"k2").unwrap();
        w.save_raw_string(b"hello").unwrap();
        w.save_type(RDB_OPCODE_EOF).unwrap();
        let s = w.checksum();
        w.write_raw(&s.to_le_bytes()).unwrap();
        w.into_bytes()
    }

    #[test]
    fn loads_keys_ttls_and_expires_old_keys() {
        let data = sample(true);
        let opts = LoadOpts {
            expire_on_load: true,
            ..Default::default()
        };
        let (dbs, r) = load(&data, 4, opts);
        let st = r.unwrap();
        assert_eq!((st.keys_loaded, st.keys_expired), (3, 1));
        assert_eq!(get(&dbs[0], b"a").as_deref(), Some(&b"1"[..]));
        assert!(dbs[0].dict.get(b"old").is_none());
        assert_eq!(dbs[0].get_expire(b"ttl"), Some(2_000_000));
        assert_eq!(get(&dbs[0], b"ttl").unwrap(), vec![b'v'; 100]);
        assert_eq!(get(&dbs[2], b"k2").as_deref(), Some(&b"hello"[..]));
        assert_eq!(dbs[0].dict.get(b"a").unwrap().val.encoding_name(), "int");
        // IDLE 10 s → lru = clock - 10.
        let clock = crate::server::lru_clock_from(1_000_000);
        assert_eq!(dbs[0].dict.get(b"ttl").unwrap().lru, clock - 10);
        // Replica-style load keeps expired keys.
        let (dbs, r) = load(&data, 4, LoadOpts::default());
        assert_eq!(r.unwrap().keys_loaded, 4);
        assert_eq!(dbs[0].get_expire(b"old"), Some(500));
    }

    #[test]
    fn checksum_mismatch_and_disabled() {
        let mut data = sample(true);
        let n = data.len();
        data[n - 1] ^= 0xff;
        let (_, r) = load(&data, 4, LoadOpts::default());
        match r {
            Err(LoadFailure::Corrupt(e)) => {
                assert_eq!(e.reason, "RDB CRC error");
                assert_eq!(e.offset, n as u64 - 8);
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        // A zero checksum means "not computed": accepted.
        let data = sample(false);
        assert_eq!(&data[data.len() - 8..], &[0; 8]);
        let (_, r) = load(&data, 4, LoadOpts::default());
        assert!(r.is_ok());
    }

    #[test]
    fn too_many_dbs_and_duplicates() {
        let data = sample(true);
        let (_, r) = load(&data, 2, LoadOpts::default());
        assert!(matches!(r, Err(LoadFailure::TooManyDbs(2))));
        let mut w = RdbWriter::new_memory(false, true);
        w.write_raw(b"REDIS0010").unwrap();
        for _ in 0..2 {
            w.save_type(RDB_TYPE_STRING).unwrap();
            w.save_raw_string(b"dup").unwrap();
            w.save_raw_string(b"v").unwrap();
        }
        w.save_type(RDB_OPCODE_EOF).unwrap();
        let s = w.checksum();
        w.write_raw(&s.to_le_bytes()).unwrap();
        let data = w.into_bytes();
        let (_, r) = load(&data, 1, LoadOpts::default());
        match r {
            Err(LoadFailure::Corrupt(e)) => {
                assert_eq!(e.reason, "RDB has duplicated key 'dup' in DB 0")
            }
            _ => panic!("expected duplicate error"),
        }
        let (dbs, r) = load(
            &data,
            1,
            LoadOpts {
                allow_dup: true,
                ..Default::default()
            },
        );
        assert_eq!(r.unwrap().keys_loaded, 2);
        assert_eq!(dbs[0].len(), 1);
    }

    #[test]
    fn bad_headers() {
        let (_, r) = load(b"REDIS0011xxxxxxx", 1, LoadOpts::default());
        assert!(matches!(r, Err(LoadFailure::BadHeader(_))));
        let (_, r) = load(b"HELLO0009", 1, LoadOpts::default());
        assert!(matches!(r, Err(LoadFailure::BadHeader(_))));
        let (_, r) = load(b"REDIS", 1, LoadOpts::default());
        assert!(matches!(r, Err(LoadFailure::Corrupt(ref e)) if e.short_read));
    }

    /// Every truncation and many bit flips of a valid file give an error or
    /// a clean load — never a panic.
    #[test]
    fn fuzz_truncation_and_bit_flips_never_panic() {
        let data = sample(true);
        for cut in 0..data.len() {
            let (_, r) = load(&data[..cut], 4, LoadOpts::default());
            assert!(r.is_err(), "truncated at {} loaded", cut);
        }
        let mut seed = 0x9e3779b97f4a7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // Flips in the body (header flips can legally turn the version
        // into 1..4, which has no checksum: see bad_headers).
        let mut corrupted = 0;
        let mut detected = 0;
        for _ in 0..20_000 {
            let mut d = data.clone();
            let flips = 1 + next() % 4;
            for _ in 0..flips {
                let i = 9 + (next() % (d.len() as u64 - 9)) as usize;
                d[i] ^= 1 << (next() % 8);
            }
            let (_, r) = load(&d, 4, LoadOpts::default());
            if d != data {
                corrupted += 1;
                if r.is_err() {
                    detected += 1;
                }
            }
        }
        assert!(corrupted > 19_000);
        assert_eq!(
            detected, corrupted,
            "every body corruption must be detected"
        );
        // Random garbage after a valid header.
        for _ in 0..2000 {
            let mut d = b"REDIS0010".to_vec();
            let n = next() % 200;
            for _ in 0..n {
                d.push(next() as u8);
            }
            let _ = load(&d, 16, LoadOpts::default());
        }
    }

    #[test]
    fn round_trip_through_save_rio_with_a_server() {
        let cfg = Config::default();
        let mut srv = match Server::new(cfg, String::new(), false) {
            Ok(s) => s,
            Err(_) => return, // no epoll in this sandbox
        };
        srv.dbs[0].add(b"s", Obj::new(Value::Str(StrVal::from_bytes(b"hello")), 0));
        srv.dbs[0].add(b"i", Obj::new(Value::Str(StrVal::Int(-77)), 0));
        srv.dbs[0].add(b"big", Obj::new(Value::Str(StrVal::Int(i64::MIN)), 0));
        let long: Vec<u8> = (0..5000u32)
            .map(|i| b"abcdefgh"[(i % 8) as usize])
            .collect();
        srv.dbs[3].add(b"long", Obj::new(Value::Str(StrVal::from_bytes(&long)), 0));
        srv.dbs[3].add(b"", Obj::new(Value::Str(StrVal::from_bytes(b"")), 0));
        srv.dbs[3].set_expire(b"long", 9_999_999_999_999);
        let bytes = super::super::save::save_to_vec(&srv, None).unwrap();
        assert_eq!(&bytes[..9], b"REDIS0010");
        let (dbs, r) = load(
            &bytes,
            16,
            LoadOpts {
                expire_on_load: true,
                ..Default::default()
            },
        );
        assert_eq!(r.unwrap().keys_loaded, 5);
        assert_eq!(get(&dbs[0], b"s").as_deref(), Some(&b"hello"[..]));
        assert_eq!(get(&dbs[0], b"i").as_deref(), Some(&b"-77"[..]));
        assert_eq!(
            get(&dbs[0], b"big").unwrap(),
            i64::MIN.to_string().into_bytes()
        );
        assert_eq!(dbs[0].dict.get(b"big").unwrap().val.encoding_name(), "int");
        assert_eq!(get(&dbs[3], b"long").unwrap(), long);
        assert_eq!(get(&dbs[3], b"").as_deref(), Some(&b""[..]));
        assert_eq!(dbs[3].get_expire(b"long"), Some(9_999_999_999_999));
        assert_eq!(dbs[3].expires.len(), 1);
    }
}
