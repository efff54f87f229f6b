//! The keyspace: numbered databases, each a `Dict` of keys to `Obj` plus a
//! second `Dict` of expiry times (Redis's `redisDb { dict, expires }`).
//!
//! This module is mechanism only: it never looks at the clock. Policy —
//! lazy expiry on access, stats, keyspace notifications, propagation of the
//! resulting DELs — lives in `crate::server::keyspace`, which wraps these
//! calls the way Redis's `lookupKey*` / `expireIfNeeded` wrap `dictFind`.
pub mod dict;
pub mod intset;
pub mod listpack;
pub mod object;
pub mod ziplist;
pub mod zipmap;

pub use dict::Dict;
pub use object::{Obj, StrVal, Value};

pub struct Db {
    pub id: usize,
    pub dict: Dict<Obj>,
    /// Absolute unix time in milliseconds at which each volatile key expires.
    pub expires: Dict<i64>,
    /// Cursor of the active-expire cycle over `expires` (Redis: expires_cursor).
    pub expires_cursor: u64,
    /// Running average TTL of sampled keys (INFO keyspace avg_ttl).
    pub avg_ttl: i64,
}

impl Db {
    pub fn new(id: usize) -> Db {
        Db {
            id,
            dict: Dict::new(),
            expires: Dict::new(),
            expires_cursor: 0,
            avg_ttl: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    pub fn get_expire(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Set the expiry of an existing key.
    pub fn set_expire(&mut self, key: &[u8], when_ms: i64) {
        match self.expires.get_mut(key) {
            Some(w) => *w = when_ms,
            None => self.expires.insert_new(key.into(), when_ms),
        }
    }

    /// Remove the expiry; true if there was one (PERSIST).
    pub fn remove_expire(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Add a key that does not exist yet.
    pub fn add(&mut self, key: &[u8], obj: Obj) {
        self.dict.insert_new(key.into(), obj);
    }

    /// Overwrite or create a key's value. The TTL is removed unless
    /// `keep_ttl` (Redis's `setKey` with SETKEY_KEEPTTL).
    pub fn set_key(&mut self, key: &[u8], obj: Obj, keep_ttl: bool) {
        match self.dict.get_mut(key) {
            Some(old) => {
                *old = obj;
                if !keep_ttl {
                    self.remove_expire(key);
                }
            }
            None => self.dict.insert_new(key.into(), obj),
        }
    }

    /// Delete a key and its expiry; true if it existed.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        if self.dict.remove(key).is_some() {
            if !self.expires.is_empty() {
                self.expires.remove(key);
            }
            true
        } else {
            false
        }
    }

    /// Remove a key, returning its value and expiry (RENAME / MOVE).
    pub fn take(&mut self, key: &[u8]) -> Option<(Obj, Option<i64>)> {
        let (_, obj) = self.dict.remove(key)?;
        let exp = if self.expires.is_empty() {
            None
        } else {
            self.expires.remove(key).map(|e| e.1)
        };
        Some((obj, exp))
    }

    pub fn clear(&mut self) -> usize {
        let n = self.dict.len();
        self.dict.clear();
        self.expires.clear();
        self.avg_ttl = 0;
        self.expires_cursor = 0;
        n
    }
}
