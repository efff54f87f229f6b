//! Writing a whole snapshot (Redis's rdbSaveRio, rdbSaveDb,
//! rdbSaveKeyValuePair, rdbSaveInfoAuxFields, rdbSave).
//!
//! File layout written (RDB version 10, as Redis 7.0.15):
//!
//! ```text
//! "REDIS0010"
//! AUX redis-ver, redis-bits, ctime, used-mem, [repl-stream-db, repl-id,
//!     repl-offset when replication info is given], aof-base
//! per non-empty db: SELECTDB n, RESIZEDB keys expires,
//!     per key: [EXPIRETIME_MS t] [IDLE s | FREQ f] type key value
//! EOF, CRC-64 (little endian; 0 when rdbchecksum no)
//! ```
//!
//! `rdb_save` writes `temp-<pid>.rdb` next to the target, fsyncs it,
//! renames it over the target and fsyncs the directory, so a crash at any
//! moment leaves either the old or the new complete file. It is used by
//! SAVE, by the BGSAVE child, by FLUSHALL and by the shutdown save.
use super::encode::{RdbSink, RdbWriter};
use super::value::{save_value, value_rdb_type};
use super::*;
use crate::config::MaxmemoryPolicy;
use crate::db::Obj;
use crate::server::{Server, REDIS_VERSION};
use std::io;
use std::path::{Path, PathBuf};

/// Replication info stored in the aux fields (Redis's rdbSaveInfo as far
/// as it is written to the file). `None` for a master without replication
/// backlog (rdbPopulateSaveInfo returns NULL then).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaveInfo {
    pub repl_stream_db: i64,
    pub repl_id: String,
    pub repl_offset: i64,
}

/// rdbPopulateSaveInfo: the replication id / offset / stream db of this
/// instance (replication/master.rs); None for a plain master without a
/// backlog.
pub fn populate_save_info(srv: &Server) -> Option<SaveInfo> {
    crate::replication::master::populate_save_info(srv)
}

/// Calls made while saving (BGSAVE child progress reports).
pub trait SaveProgress {
    /// Called after every key with the running key count.
    fn key_saved(&mut self, keys: u64);
}

/// No progress reporting (SAVE in the main process).
pub struct NoProgress;
impl SaveProgress for NoProgress {
    fn key_saved(&mut self, _keys: u64) {}
}

const LRU_CLOCK_MAX: u64 = (1 << 24) - 1;
const LRU_CLOCK_RESOLUTION: u64 = 1000;

fn policy_is_lru(p: MaxmemoryPolicy) -> bool {
    matches!(
        p,
        MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru
    )
}

fn policy_is_lfu(p: MaxmemoryPolicy) -> bool {
    matches!(
        p,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    )
}

/// estimateObjectIdleTime in milliseconds.
fn estimate_idle_ms(lru_clock: u32, obj_lru: u32) -> u64 {
    let now = lru_clock as u64 & LRU_CLOCK_MAX;
    let lru = obj_lru as u64 & LRU_CLOCK_MAX;
    if now >= lru {
        (now - lru) * LRU_CLOCK_RESOLUTION
    } else {
        (now + (LRU_CLOCK_MAX - lru)) * LRU_CLOCK_RESOLUTION
    }
}

/// LFUDecrAndReturn: the counter decayed by elapsed decay periods.
fn lfu_decr_and_return(obj_lru: u32, now_minutes: u64, decay_minutes: u64) -> u8 {
    let ldt = ((obj_lru >> 8) & 0xffff) as u64;
    let counter = (obj_lru & 0xff) as u64;
    let now = now_minutes & 0xffff;
    let elapsed = if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    };
    let periods = elapsed.checked_div(decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods) as u8
}

/// debugDelay: sleep `usec` microseconds; a negative value sleeps 1 µs
/// with probability 1/|usec| (statistical short sleeps).
pub fn debug_delay(usec: i64, rng_state: &mut u64) {
    let us = if usec < 0 {
        *rng_state ^= *rng_state << 13;
        *rng_state ^= *rng_state >> 7;
        *rng_state ^= *rng_state << 17;
        if (*rng_state).is_multiple_of(usec.unsigned_abs()) {
            1
        } else {
            0
        }
    } else {
        usec as u64
    };
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us));
    }
}

/// Per-save context derived from the server once.
struct KvCtx {
    save_lru: bool,
    save_lfu: bool,
    lru_clock: u32,
    now_minutes: u64,
    lfu_decay: u64,
    key_save_delay: i64,
    rng: u64,
}

/// rdbSaveKeyValuePair
fn save_key_value_pair(
    w: &mut RdbWriter,
    ctx: &mut KvCtx,
    key: &[u8],
    obj: &Obj,
    expire: Option<i64>,
) -> io::Result<()> {
    let Some(t) = value_rdb_type(&obj.val) else {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("cannot save values of type {} yet", obj.val.type_name()),
        ));
    };
    if let Some(when) = expire {
        w.save_type(RDB_OPCODE_EXPIRETIME_MS)?;
        w.save_millisecond_time(when)?;
    }
    if ctx.save_lru {
        let idle = estimate_idle_ms(ctx.lru_clock, obj.lru) / 1000;
        w.save_type(RDB_OPCODE_IDLE)?;
        w.save_len(idle)?;
    }
    if ctx.save_lfu {
        let f = lfu_decr_and_return(obj.lru, ctx.now_minutes, ctx.lfu_decay);
        w.save_type(RDB_OPCODE_FREQ)?;
        w.write_raw(&[f])?;
    }
    w.save_type(t)?;
    w.save_raw_string(key)?;
    save_value(w, &obj.val)?;
    if ctx.key_save_delay != 0 {
        debug_delay(ctx.key_save_delay, &mut ctx.rng);
    }
    Ok(())
}

/// rdbSaveInfoAuxFields
fn save_info_aux_fields(
    w: &mut RdbWriter,
    rsi: Option<&SaveInfo>,
    aof_base: bool,
    now_s: i64,
) -> io::Result<()> {
    w.save_aux_field(b"redis-ver", REDIS_VERSION.as_bytes())?;
    w.save_aux_field_int(b"redis-bits", 64)?;
    w.save_aux_field_int(b"ctime", now_s)?;
    w.save_aux_field_int(b"used-mem", crate::alloc::used_memory() as i64)?;
    if let Some(rsi) = rsi {
        w.save_aux_field_int(b"repl-stream-db", rsi.repl_stream_db)?;
        w.save_aux_field(b"repl-id", rsi.repl_id.as_bytes())?;
        w.save_aux_field_int(b"repl-offset", rsi.repl_offset)?;
    }
    w.save_aux_field_int(b"aof-base", aof_base as i64)
}

/// rdbSaveRio: the whole snapshot into `w` (EOF and checksum included;
/// the caller flushes). `aof_base` marks an AOF base / preamble.
pub fn save_rio(
    srv: &Server,
    w: &mut RdbWriter,
    rsi: Option<&SaveInfo>,
    aof_base: bool,
    progress: &mut dyn SaveProgress,
) -> io::Result<()> {
    let now_ms = crate::server::now_ms();
    w.write_raw(format!("REDIS{:04}", RDB_VERSION).as_bytes())?;
    save_info_aux_fields(w, rsi, aof_base, now_ms / 1000)?;
    let policy = srv.config.maxmemory_policy;
    let mut ctx = KvCtx {
        save_lru: policy_is_lru(policy),
        save_lfu: policy_is_lfu(policy),
        lru_clock: crate::server::lru_clock_from(now_ms),
        now_minutes: (now_ms / 1000 / 60) as u64,
        lfu_decay: srv.config.lfu_decay_time.max(0) as u64,
        key_save_delay: srv.config.rdb_key_save_delay,
        rng: (now_ms as u64) | 1,
    };
    let mut keys = 0u64;
    for (dbid, db) in srv.dbs.iter().enumerate() {
        if db.dict.is_empty() {
            continue;
        }
        w.save_type(RDB_OPCODE_SELECTDB)?;
        w.save_len(dbid as u64)?;
        w.save_type(RDB_OPCODE_RESIZEDB)?;
        w.save_len(db.dict.len() as u64)?;
        w.save_len(db.expires.len() as u64)?;
        let has_expires = !db.expires.is_empty();
        for (key, obj) in db.dict.iter() {
            let expire = if has_expires {
                db.expires.get(key).copied()
            } else {
                None
            };
            save_key_value_pair(w, &mut ctx, key, obj, expire)?;
            keys += 1;
            progress.key_saved(keys);
        }
    }
    w.save_type(RDB_OPCODE_EOF)?;
    let sum = w.checksum();
    w.write_raw(&sum.to_le_bytes())
}

/// The snapshot as bytes in memory (DEBUG / tests / replication to a
/// buffer).
pub fn save_to_vec(srv: &Server, rsi: Option<&SaveInfo>) -> io::Result<Vec<u8>> {
    let mut w = RdbWriter::new_memory(srv.config.rdbcompression, srv.config.rdbchecksum);
    save_rio(srv, &mut w, rsi, false, &mut NoProgress)?;
    Ok(w.into_bytes())
}

/// "temp-<pid>.rdb" in the directory of `filename` (the cwd for a bare
/// name, as Redis, which chdir()s to `dir`).
pub fn temp_file_for(filename: &str, pid: i32) -> PathBuf {
    let name = format!("temp-{}.rdb", pid);
    match Path::new(filename).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(name),
        _ => PathBuf::from(name),
    }
}

fn cwd_text() -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".to_string())
}

/// strerror-style text of an io::Error (without Rust's " (os error N)").
pub fn io_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// fsyncFileDir: fsync the directory containing `filename`.
fn fsync_file_dir(filename: &str) -> io::Result<()> {
    let dir = match Path::new(filename).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

/// rdbSave: write the snapshot to `filename` atomically (see module
/// header), logging as Redis does. On success resets `dirty`, sets
/// `lastsave` and the bgsave status to ok.
pub fn rdb_save_with(
    srv: &mut Server,
    filename: &str,
    rsi: Option<&SaveInfo>,
    progress: &mut dyn SaveProgress,
) -> Result<(), SaveFailed> {
    let tmp = temp_file_for(filename, crate::sys::process::getpid());
    let mut file = match std::fs::File::create(&tmp) {
        Ok(f) => f,
        Err(e) => {
            crate::server_log!(
                Warning,
                "Failed opening the temp RDB file {} (in server root dir {}) for saving: {}",
                tmp.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                cwd_text(),
                io_text(&e)
            );
            return Err(SaveFailed);
        }
    };
    let werr = |op: &str, e: &io::Error, tmp: &Path| {
        crate::server_log!(
            Warning,
            "Write error saving DB on disk({}): {}",
            op,
            io_text(e)
        );
        let _ = std::fs::remove_file(tmp);
    };
    let autosync = if srv.config.rdb_save_incremental_fsync {
        AUTOSYNC_BYTES
    } else {
        0
    };
    let r = {
        let sink: &mut dyn RdbSink = &mut file;
        let mut w = RdbWriter::new_sink(
            sink,
            srv.config.rdbcompression,
            srv.config.rdbchecksum,
            autosync,
        );
        save_rio(srv, &mut w, rsi, false, progress).and_then(|_| w.flush())
    };
    if let Err(e) = r {
        werr("rdbSaveRio", &e, &tmp);
        return Err(SaveFailed);
    }
    if let Err(e) = file.sync_all() {
        werr("fsync", &e, &tmp);
        return Err(SaveFailed);
    }
    drop(file);
    if let Err(e) = std::fs::rename(&tmp, filename) {
        crate::server_log!(
            Warning,
            "Error moving temp DB file {} on the final destination {} (in server root dir {}): {}",
            tmp.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            filename,
            cwd_text(),
            io_text(&e)
        );
        let _ = std::fs::remove_file(&tmp);
        return Err(SaveFailed);
    }
    if let Err(e) = fsync_file_dir(filename) {
        crate::server_log!(
            Warning,
            "Write error saving DB on disk(fsyncFileDir): {}",
            io_text(&e)
        );
        return Err(SaveFailed);
    }
    crate::server_log!(Notice, "DB saved on disk");
    srv.dirty = 0;
    srv.lastsave = crate::server::now_ms() / 1000;
    srv.rdb_state.lastbgsave_ok = true;
    Ok(())
}

/// rdbSave without progress reporting.
pub fn rdb_save(
    srv: &mut Server,
    filename: &str,
    rsi: Option<&SaveInfo>,
) -> Result<(), SaveFailed> {
    rdb_save_with(srv, filename, rsi, &mut NoProgress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_follow_redis() {
        assert_eq!(temp_file_for("dump.rdb", 42), PathBuf::from("temp-42.rdb"));
        assert_eq!(
            temp_file_for("/a/b/dump.rdb", 7),
            PathBuf::from("/a/b/temp-7.rdb")
        );
    }

    #[test]
    fn lru_lfu_helpers() {
        assert_eq!(estimate_idle_ms(100, 90), 10_000);
        assert_eq!(estimate_idle_ms(5, (LRU_CLOCK_MAX - 5) as u32), 10_000);
        // counter 10, stamped at minute 100, now 103, decay 1 → 7.
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 103, 1), 7);
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 200, 1), 0);
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 200, 0), 10);
    }

    #[test]
    fn io_text_strips_os_error() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(io_text(&e), "No such file or directory");
    }
}
