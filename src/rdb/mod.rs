//! RDB persistence: the snapshot file format and everything around it
//! (Redis's `rdb.c`, `rio.c`, `childinfo.c`, `redis-check-rdb.c` and the
//! RDB parts of `server.c`).
//!
//! Layout (one concern per file):
//!
//! ```text
//! mod.rs     format constants (RDB_OPCODE_*, RDB_TYPE_*, RDB_ENC_*), RdbState
//! encode.rs  RdbWriter: buffered output + running CRC64, lengths, strings
//!            (int / LZF / raw), doubles, times          (rdbSave* primitives)
//! decode.rs  RdbReader: buffered input + running CRC64, the same primitives
//!            read back with offset + reason errors       (rdbLoad* primitives)
//! value.rs   THE per-type dispatch: value_rdb_type / save_value / load_value
//!            / skip_value (rdbSaveObjectType, rdbSaveObject, rdbLoadObject).
//!            New value types add one match arm in each function there.
//! save.rs    a whole snapshot: header, aux fields, dbs, EOF, checksum; the
//!            temp-file + fsync + rename dance              (rdbSaveRio, rdbSave)
//! load.rs    a whole snapshot back into the keyspace, startup load, DEBUG
//!            RELOAD, fatal-error reporting          (rdbLoadRio, rdbLoad,
//!                                                    loadDataFromDisk)
//! child.rs   BGSAVE with fork(): child body, child→parent info pipe (CoW,
//!            keys processed), reaping from cron, save points, scheduled
//!            BGSAVE            (rdbSaveBackground, checkChildrenDone,
//!                               backgroundSaveDoneHandler, sendChildInfo)
//! cmds.rs    SAVE, BGSAVE, LASTSAVE; shutdown save; FLUSHALL hook; MISCONF
//! check.rs   `redis-check-rdb FILE` mode and the report printed when a load
//!            fails at startup                        (redis-check-rdb.c)
//! ```
//!
//! State kept across calls lives in `Server::rdb_state` ([`RdbState`]);
//! `Server::dirty` and `Server::lastsave` stay on the server (they are also
//! used by other code).
pub mod check;
pub mod child;
pub mod cmds;
pub mod decode;
pub mod encode;
pub mod load;
pub mod save;
pub mod value;

pub use cmds::{
    bgsave_command, flushall_hook, lastsave_command, save_command, shutdown_save,
    write_commands_denied_by_disk_error, MISCONF_BGSAVE_ERR,
};
pub use decode::{RdbError, RdbReader};
pub use encode::RdbWriter;
pub use load::{debug_reload, load_data_from_disk};
pub use save::{rdb_save, SaveInfo};

/// A save (SAVE, BGSAVE fork, shutdown save) failed; the reason was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveFailed;

/// RDB_VERSION: the version we write (and the newest we read).
pub const RDB_VERSION: u32 = 10;

// Length encoding: the two most significant bits of the first byte.
pub const RDB_6BITLEN: u8 = 0;
pub const RDB_14BITLEN: u8 = 1;
pub const RDB_32BITLEN: u8 = 0x80;
pub const RDB_64BITLEN: u8 = 0x81;
pub const RDB_ENCVAL: u8 = 3;

// Special string encodings (after an RDB_ENCVAL length byte).
pub const RDB_ENC_INT8: u8 = 0;
pub const RDB_ENC_INT16: u8 = 1;
pub const RDB_ENC_INT32: u8 = 2;
pub const RDB_ENC_LZF: u8 = 3;

// Object types.
pub const RDB_TYPE_STRING: u8 = 0;
pub const RDB_TYPE_LIST: u8 = 1;
pub const RDB_TYPE_SET: u8 = 2;
pub const RDB_TYPE_ZSET: u8 = 3;
pub const RDB_TYPE_HASH: u8 = 4;
pub const RDB_TYPE_ZSET_2: u8 = 5;
pub const RDB_TYPE_MODULE: u8 = 6;
pub const RDB_TYPE_MODULE_2: u8 = 7;
pub const RDB_TYPE_HASH_ZIPMAP: u8 = 9;
pub const RDB_TYPE_LIST_ZIPLIST: u8 = 10;
pub const RDB_TYPE_SET_INTSET: u8 = 11;
pub const RDB_TYPE_ZSET_ZIPLIST: u8 = 12;
pub const RDB_TYPE_HASH_ZIPLIST: u8 = 13;
pub const RDB_TYPE_LIST_QUICKLIST: u8 = 14;
pub const RDB_TYPE_STREAM_LISTPACKS: u8 = 15;
pub const RDB_TYPE_HASH_LISTPACK: u8 = 16;
pub const RDB_TYPE_ZSET_LISTPACK: u8 = 17;
pub const RDB_TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const RDB_TYPE_STREAM_LISTPACKS_2: u8 = 19;

/// rdbIsObjectType
pub fn is_object_type(t: u8) -> bool {
    t <= 7 || (9..=19).contains(&t)
}

// Opcodes.
pub const RDB_OPCODE_FUNCTION2: u8 = 245;
pub const RDB_OPCODE_FUNCTION: u8 = 246;
pub const RDB_OPCODE_MODULE_AUX: u8 = 247;
pub const RDB_OPCODE_IDLE: u8 = 248;
pub const RDB_OPCODE_FREQ: u8 = 249;
pub const RDB_OPCODE_AUX: u8 = 250;
pub const RDB_OPCODE_RESIZEDB: u8 = 251;
pub const RDB_OPCODE_EXPIRETIME_MS: u8 = 252;
pub const RDB_OPCODE_EXPIRETIME: u8 = 253;
pub const RDB_OPCODE_SELECTDB: u8 = 254;
pub const RDB_OPCODE_EOF: u8 = 255;

// Module value sub-opcodes (for skipping RDB_TYPE_MODULE_2 values).
pub const RDB_MODULE_OPCODE_EOF: u64 = 0;
pub const RDB_MODULE_OPCODE_SINT: u64 = 1;
pub const RDB_MODULE_OPCODE_UINT: u64 = 2;
pub const RDB_MODULE_OPCODE_FLOAT: u64 = 3;
pub const RDB_MODULE_OPCODE_DOUBLE: u64 = 4;
pub const RDB_MODULE_OPCODE_STRING: u64 = 5;

/// REDIS_AUTOSYNC_BYTES: fsync every 4 MB while saving when
/// `rdb-save-incremental-fsync yes`.
pub const AUTOSYNC_BYTES: u64 = 4 * 1024 * 1024;
/// CONFIG_BGSAVE_RETRY_DELAY: seconds before retrying a failed BGSAVE from
/// save points.
pub const BGSAVE_RETRY_DELAY: i64 = 5;

/// Which kind of fork child is running (Redis's `server.child_type`). Only
/// one child at a time; AOF rewrite and module forks share this slot.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ChildType {
    #[default]
    None,
    Rdb,
    Aof,
    Module,
}

/// Persistence state of the server (`server.*` fields of Redis related to
/// RDB, fork children and loading). Read by INFO persistence / stats.
#[derive(Debug)]
pub struct RdbState {
    // --- fork child ---
    pub child_type: ChildType,
    /// pid of the running child, -1 when none.
    pub child_pid: i32,
    /// Read end / write end of the child info pipe (-1 when closed).
    pub child_info_pipe: (i32, i32),
    /// Partial child-info record read so far.
    pub child_info_buf: Vec<u8>,
    // --- child info (INFO persistence current_* / *_cow_size) ---
    pub stat_current_cow_peak: u64,
    pub stat_current_cow_bytes: u64,
    /// Unix ms when the child last measured CoW (0 = never).
    pub stat_current_cow_updated: i64,
    pub stat_current_save_keys_processed: u64,
    pub stat_current_save_keys_total: u64,
    pub stat_rdb_cow_bytes: u64,
    /// Last AOF / module fork CoW (filled by their owners).
    pub stat_aof_cow_bytes: u64,
    pub stat_module_cow_bytes: u64,
    // --- save bookkeeping ---
    /// rdb_saves: SAVE + BGSAVE attempts.
    pub stat_rdb_saves: u64,
    /// false after a failed (BG)SAVE until one succeeds (lastbgsave_status).
    pub lastbgsave_ok: bool,
    /// Unix seconds of the last BGSAVE attempt (lastbgsave_try).
    pub lastbgsave_try: i64,
    /// Unix seconds the running BGSAVE started (-1 none).
    pub rdb_save_time_start: i64,
    /// Duration in seconds of the last BGSAVE (-1 none yet).
    pub rdb_save_time_last: i64,
    /// `dirty` when the running BGSAVE forked.
    pub dirty_before_bgsave: u64,
    /// BGSAVE SCHEDULE pending (rdb_bgsave_scheduled).
    pub bgsave_scheduled: bool,
    // --- fork stats (INFO stats) ---
    pub stat_total_forks: u64,
    /// latest_fork_usec
    pub stat_fork_time_us: u64,
    /// GB per second copied by the last fork (INFO stats has no field; kept
    /// for LATENCY DOCTOR style reports).
    pub stat_fork_rate: f64,
    // --- loading ---
    pub loading: bool,
    pub async_loading: bool,
    /// Unix seconds when loading started.
    pub loading_start_time: i64,
    pub loading_total_bytes: u64,
    pub loading_loaded_bytes: u64,
    pub loading_rdb_used_mem: u64,
    pub rdb_last_load_keys_expired: u64,
    pub rdb_last_load_keys_loaded: u64,
    // --- cron bookkeeping ---
    /// Last unix ms the parent drained the child info pipe.
    pub last_child_info_ms: i64,
}

impl Default for RdbState {
    fn default() -> Self {
        RdbState {
            child_type: ChildType::None,
            child_pid: -1,
            child_info_pipe: (-1, -1),
            child_info_buf: Vec::new(),
            stat_current_cow_peak: 0,
            stat_current_cow_bytes: 0,
            stat_current_cow_updated: 0,
            stat_current_save_keys_processed: 0,
            stat_current_save_keys_total: 0,
            stat_rdb_cow_bytes: 0,
            stat_aof_cow_bytes: 0,
            stat_module_cow_bytes: 0,
            stat_rdb_saves: 0,
            lastbgsave_ok: true,
            lastbgsave_try: 0,
            rdb_save_time_start: -1,
            rdb_save_time_last: -1,
            dirty_before_bgsave: 0,
            bgsave_scheduled: false,
            stat_total_forks: 0,
            stat_fork_time_us: 0,
            stat_fork_rate: 0.0,
            loading: false,
            async_loading: false,
            loading_start_time: 0,
            loading_total_bytes: 0,
            loading_loaded_bytes: 0,
            loading_rdb_used_mem: 0,
            rdb_last_load_keys_expired: 0,
            rdb_last_load_keys_loaded: 0,
            last_child_info_ms: 0,
        }
    }
}

impl RdbState {
    /// hasActiveChildProcess
    pub fn has_active_child(&self) -> bool {
        self.child_pid != -1
    }

    /// rdb_bgsave_in_progress
    pub fn bgsave_in_progress(&self) -> bool {
        self.child_type == ChildType::Rdb
    }

    /// current_fork_perc: keys processed by the child / keys at fork time.
    pub fn fork_perc(&self) -> f64 {
        if self.stat_current_save_keys_total > 0 {
            self.stat_current_save_keys_processed as f64 / self.stat_current_save_keys_total as f64
                * 100.0
        } else {
            0.0
        }
    }

    /// current_cow_size_age in seconds.
    pub fn current_cow_size_age(&self, now_ms: i64) -> u64 {
        if self.stat_current_cow_updated == 0 {
            0
        } else {
            ((now_ms - self.stat_current_cow_updated).max(0) / 1000) as u64
        }
    }

    /// rdb_current_bgsave_time_sec
    pub fn current_bgsave_time_sec(&self, now_s: i64) -> i64 {
        if self.child_type == ChildType::Rdb {
            now_s - self.rdb_save_time_start
        } else {
            -1
        }
    }

    /// The RDB lines of INFO persistence, from `loading:` to
    /// `rdb_last_load_keys_loaded:`, exactly as Redis prints them
    /// (each line ends with CRLF). The AOF/module lines follow in INFO.
    pub fn info_persistence_rdb(&self, dirty: u64, lastsave: i64, now_ms: i64) -> String {
        format!(
            "loading:{}\r\nasync_loading:{}\r\ncurrent_cow_peak:{}\r\ncurrent_cow_size:{}\r\ncurrent_cow_size_age:{}\r\ncurrent_fork_perc:{:.2}\r\ncurrent_save_keys_processed:{}\r\ncurrent_save_keys_total:{}\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_last_bgsave_time_sec:{}\r\nrdb_current_bgsave_time_sec:{}\r\nrdb_saves:{}\r\nrdb_last_cow_size:{}\r\nrdb_last_load_keys_expired:{}\r\nrdb_last_load_keys_loaded:{}\r\n",
            (self.loading && !self.async_loading) as i32,
            self.async_loading as i32,
            self.stat_current_cow_peak,
            self.stat_current_cow_bytes,
            self.current_cow_size_age(now_ms),
            self.fork_perc(),
            self.stat_current_save_keys_processed,
            self.stat_current_save_keys_total,
            dirty,
            self.bgsave_in_progress() as i32,
            lastsave,
            if self.lastbgsave_ok { "ok" } else { "err" },
            self.rdb_save_time_last,
            self.current_bgsave_time_sec(now_ms / 1000),
            self.stat_rdb_saves,
            self.stat_rdb_cow_bytes,
            self.rdb_last_load_keys_expired,
            self.rdb_last_load_keys_loaded,
        )
    }

    /// The `loading_*` block INFO persistence appends while loading.
    pub fn info_loading_block(&self, now_ms: i64) -> String {
        if !self.loading {
            return String::new();
        }
        let loaded = self.loading_loaded_bytes;
        let (perc, remaining) = if self.loading_total_bytes > 0 {
            (
                loaded as f64 / self.loading_total_bytes as f64 * 100.0,
                self.loading_total_bytes.saturating_sub(loaded),
            )
        } else if self.loading_rdb_used_mem > 0 {
            let p = (loaded as f64 / self.loading_rdb_used_mem as f64 * 100.0).min(99.99);
            (p, self.loading_rdb_used_mem.saturating_sub(loaded).max(1))
        } else {
            (0.0, 1)
        };
        let elapsed = (now_ms / 1000 - self.loading_start_time).max(0) as u64;
        let eta = if elapsed == 0 {
            1
        } else {
            elapsed * remaining / (loaded + 1)
        };
        format!(
            "loading_start_time:{}\r\nloading_total_bytes:{}\r\nloading_rdb_used_mem:{}\r\nloading_loaded_bytes:{}\r\nloading_loaded_perc:{:.2}\r\nloading_eta_seconds:{}\r\n",
            self.loading_start_time,
            self.loading_total_bytes,
            self.loading_rdb_used_mem,
            loaded,
            perc,
            eta
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_types_match_redis_macro() {
        for t in 0..=255u8 {
            let redis = t <= 7 || (9..=19).contains(&t);
            assert_eq!(is_object_type(t), redis, "type {t}");
        }
        assert!(!is_object_type(8));
        assert!(!is_object_type(RDB_OPCODE_EOF));
    }

    #[test]
    fn info_lines_have_redis_shape() {
        let mut st = RdbState::default();
        let s = st.info_persistence_rdb(7, 1700000000, 1_700_000_000_000);
        assert!(s.starts_with("loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\n"));
        assert!(s.contains("\r\nrdb_changes_since_last_save:7\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:1700000000\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\n"));
        assert!(s.ends_with("rdb_last_load_keys_loaded:0\r\n"));
        st.child_type = ChildType::Rdb;
        st.child_pid = 42;
        st.rdb_save_time_start = 1_699_999_990;
        st.stat_current_save_keys_total = 4;
        st.stat_current_save_keys_processed = 1;
        st.lastbgsave_ok = false;
        let s = st.info_persistence_rdb(0, 0, 1_700_000_000_000);
        assert!(s.contains("current_fork_perc:25.00\r\n"));
        assert!(s.contains("rdb_bgsave_in_progress:1\r\n"));
        assert!(s.contains("rdb_last_bgsave_status:err\r\n"));
        assert!(s.contains("rdb_current_bgsave_time_sec:10\r\n"));
        assert_eq!(st.info_loading_block(0), "");
        st.loading = true;
        st.loading_start_time = 100;
        st.loading_total_bytes = 1000;
        st.loading_loaded_bytes = 250;
        let l = st.info_loading_block(102_000);
        assert!(l.contains("loading_loaded_perc:25.00\r\n"));
        assert!(l.contains("loading_eta_seconds:5\r\n"), "{l}");
    }
}
