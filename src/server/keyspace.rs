//! Keyspace policy on top of `crate::db`: lazy expiry on access, hit/miss
//! stats, LRU clock updates, the "key changed" signal (WATCH) and keyspace
//! notifications — Redis's `lookupKey*`, `expireIfNeeded`,
//! `deleteExpiredKeyAndPropagate`, `signalModifiedKey`, `notifyKeyspaceEvent`.
//!
//! Commands never call `Db::dict.get` directly for client-visible reads: they
//! go through `lookup_read` / `lookup_write`, so an expired key is never seen.
use super::Server;
use crate::client::OwnedArgs;
use crate::db::{Obj, Value};
use crate::error::{self, Error};

/// Keyspace notification classes (Redis's NOTIFY_* bits).
pub mod notify {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const KEYEVENT: u32 = 1 << 1;
    pub const GENERIC: u32 = 1 << 2;
    pub const STRING: u32 = 1 << 3;
    pub const LIST: u32 = 1 << 4;
    pub const SET: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const ZSET: u32 = 1 << 7;
    pub const EXPIRED: u32 = 1 << 8;
    pub const EVICTED: u32 = 1 << 9;
    pub const STREAM: u32 = 1 << 10;
    pub const KEY_MISS: u32 = 1 << 11;
    pub const LOADED: u32 = 1 << 12;
    pub const MODULE: u32 = 1 << 13;
    pub const NEW: u32 = 1 << 14;
}

impl Server {
    /// True if the key is logically expired at the cached time.
    pub fn key_is_expired(&self, db: usize, key: &[u8]) -> bool {
        match self.dbs[db].get_expire(key) {
            Some(when) => when <= self.now_ms,
            None => false,
        }
    }

    /// Delete the key if it is expired; true if it was (Redis's expireIfNeeded).
    /// On a replica expired keys are not deleted (the master's DEL does it):
    /// they only read as missing, except for the master's own commands.
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        self.expire_if_needed_flags(db, key, false)
    }

    /// expireIfNeeded with EXPIRE_FORCE_DELETE_EXPIRED (`force_delete`:
    /// writes on a writable replica delete the expired key).
    pub fn expire_if_needed_flags(&mut self, db: usize, key: &[u8], force_delete: bool) -> bool {
        if !self.key_is_expired(db, key) {
            return false;
        }
        if self.repl.is_replica() {
            if self.repl.master_fd >= 0 && self.current_fd == self.repl.master_fd {
                return false;
            }
            if !force_delete {
                return true;
            }
        }
        // Paused: report the key as expired but keep the dataset still.
        if self.check_pause_timeout() {
            return true;
        }
        self.delete_expired_key(db, key);
        true
    }

    /// Remove an expired key, count it, notify and propagate the DEL.
    pub fn delete_expired_key(&mut self, db: usize, key: &[u8]) {
        self.dbs[db].delete(key);
        self.stats.expiredkeys += 1;
        self.notify_keyspace_event(notify::EXPIRED, "expired", key, db);
        self.signal_modified_key(db, key);
        // propagateDeletion: UNLINK with lazyfree-lazy-expire.
        let cmd: &[u8] = if self.config.lazyfree_lazy_expire {
            b"UNLINK"
        } else {
            b"DEL"
        };
        self.propagate(db, OwnedArgs::from_slices(&[cmd, key]));
    }

    /// Read lookup: expiry, stats and LRU touch. None when missing/expired.
    pub fn lookup_read(&mut self, db: usize, key: &[u8]) -> Option<&mut Obj> {
        if self.expire_if_needed(db, key) {
            self.stats.keyspace_misses += 1;
            self.notify_keyspace_event(notify::KEY_MISS, "keymiss", key, db);
            return None;
        }
        let lru = self.lru_clock;
        match self.dbs[db].dict.get_mut(key) {
            Some(o) => {
                o.lru = lru;
                self.stats.keyspace_hits += 1;
                // Re-borrow to satisfy the borrow checker after the stats update.
                self.dbs[db].dict.get_mut(key)
            }
            None => {
                self.stats.keyspace_misses += 1;
                self.notify_keyspace_event(notify::KEY_MISS, "keymiss", key, db);
                None
            }
        }
    }

    /// Write lookup: expiry and LRU touch, no hit/miss stats.
    pub fn lookup_write(&mut self, db: usize, key: &[u8]) -> Option<&mut Obj> {
        let force = !(self.repl.is_replica() && self.config.replica_read_only);
        if self.expire_if_needed_flags(db, key, force) && self.repl.is_replica() {
            return None;
        }
        let lru = self.lru_clock;
        let o = self.dbs[db].dict.get_mut(key)?;
        o.lru = lru;
        Some(o)
    }

    /// Existence check without touching stats or LRU (EXISTS, TYPE use lookup_read).
    pub fn key_exists(&mut self, db: usize, key: &[u8]) -> bool {
        if self.expire_if_needed(db, key) && self.repl.is_replica() {
            return false;
        }
        self.dbs[db].dict.contains_key(key)
    }

    /// Lookup for reading a string value: Ok(None) when missing, WRONGTYPE otherwise.
    pub fn lookup_string(
        &mut self,
        db: usize,
        key: &[u8],
    ) -> Result<Option<&mut crate::db::StrVal>, Error> {
        match self.lookup_read(db, key) {
            None => Ok(None),
            Some(o) => match &mut o.val {
                Value::Str(s) => Ok(Some(s)),
                #[allow(unreachable_patterns)]
                _ => Err(error::WRONGTYPE),
            },
        }
    }

    /// Create or overwrite a key (Redis's setKey): removes the TTL unless
    /// `keep_ttl`, signals WATCHers.
    pub fn set_key(&mut self, db: usize, key: &[u8], val: Value, keep_ttl: bool) {
        if matches!(val, Value::List(_)) {
            // dbAdd's signalKeyAsReady: wake clients blocked on the key.
            self.signal_key_as_ready(db, key);
        }
        let obj = Obj::new(val, self.lru_clock);
        self.dbs[db].set_key(key, obj, keep_ttl);
        // Clients blocked on the key (BZPOPMIN, BLPOP ...) may be served now
        // (only if the value has the type they wait for, see blocking.rs).
        self.signal_key_as_ready(db, key);
        self.signal_modified_key(db, key);
    }

    /// Delete a key (DEL semantics, no notification); true if it existed.
    pub fn delete_key(&mut self, db: usize, key: &[u8]) -> bool {
        self.expire_if_needed(db, key);
        let existed = self.dbs[db].delete(key);
        if existed {
            self.signal_modified_key(db, key);
        }
        existed
    }

    /// A key's value changed: invalidate WATCHes (and client tracking).
    pub fn signal_modified_key(&mut self, db: usize, key: &[u8]) {
        self.touch_watched_key(db, key);
    }

    /// A whole db is emptied (FLUSHDB/FLUSHALL; None = all dbs): invalidate
    /// WATCHes on keys that existed. Call before emptying.
    pub fn signal_flushed_db(&mut self, db: Option<usize>) {
        match db {
            Some(d) => self.touch_all_watched_keys_in_db(d, None),
            None => {
                for d in 0..self.dbs.len() {
                    self.touch_all_watched_keys_in_db(d, None);
                }
            }
        }
    }

    /// SWAPDB is about to exchange the contents of `db1` and `db2`: touch the
    /// WATCHed keys of each that exist in either (Redis's
    /// touchAllWatchedKeysInDb(db1, db2) and (db2, db1), with its stale-key
    /// rules). Unlike a flush, client-side tracking is not invalidated.
    pub fn signal_swapped_dbs(&mut self, db1: usize, db2: usize) {
        self.touch_all_watched_keys_in_db(db1, Some(db2));
        self.touch_all_watched_keys_in_db(db2, Some(db1));
        // scanDatabaseForReadyKeys on both dbs.
        self.signal_blocked_keys_in_db(db1);
        self.signal_blocked_keys_in_db(db2);
    }

    /// Publish a keyspace notification if its class is enabled
    /// (`notify-keyspace-events`), on `__keyspace@<db>__:<key>` (message =
    /// event) and/or `__keyevent@<db>__:<event>` (message = key).
    pub fn notify_keyspace_event(&mut self, class: u32, event: &str, key: &[u8], db: usize) {
        let flags = self.config.notify_keyspace_events;
        if flags & class == 0 {
            return;
        }
        if flags & notify::KEYSPACE != 0 {
            let mut chan = format!("__keyspace@{}__:", db).into_bytes();
            chan.extend_from_slice(key);
            self.publish(&chan, event.as_bytes());
        }
        if flags & notify::KEYEVENT != 0 {
            let chan = format!("__keyevent@{}__:{}", db, event);
            self.publish(chan.as_bytes(), key);
        }
    }
}
