//! Optimistic locking for transactions: WATCHed keys (Redis's multi.c).
//!
//! `watched` maps (db, key) to the clients watching it, each with the
//! "was already expired when WATCHed" flag Redis keeps, so that a key that
//! was logically gone before WATCH and is then actually deleted does not
//! count as a change. Any write to a watched key (`signal_modified_key`)
//! marks its watchers DIRTY_CAS, and their next EXEC fails with a null reply.
//! The running client is reached through `current_fd`/`current_dirty_cas`
//! (it is taken out of the client table while its command runs).
use super::Server;
use crate::client::{flags, Client};
use crate::sys::RawFd;

impl Server {
    pub fn watch_key(&mut self, c: &mut Client, db: usize, key: &[u8]) {
        if c.watched
            .iter()
            .any(|(d, k)| *d == db && k.as_slice() == key)
        {
            return;
        }
        let expired = self.key_is_expired(db, key);
        self.watched
            .entry((db, key.to_vec()))
            .or_default()
            .push((c.fd, expired));
        c.watched.push((db, key.to_vec()));
    }

    pub fn unwatch_all_keys(&mut self, c: &mut Client) {
        for (db, key) in c.watched.drain(..) {
            let k = (db, key);
            if let Some(list) = self.watched.get_mut(&k) {
                list.retain(|(fd, _)| *fd != c.fd);
                if list.is_empty() {
                    self.watched.remove(&k);
                }
            }
        }
    }

    /// True if a key watched by `c` (not already expired at WATCH time) is
    /// logically expired now (Redis's isWatchedKeyExpired).
    pub fn is_watched_key_expired(&self, c: &Client) -> bool {
        c.watched.iter().any(|(db, key)| {
            let flagged = self
                .watched
                .get(&(*db, key.clone()))
                .and_then(|l| l.iter().find(|(fd, _)| *fd == c.fd))
                .map(|(_, e)| *e)
                .unwrap_or(false);
            !flagged && self.key_is_expired(*db, key)
        })
    }

    fn mark_dirty_cas(&mut self, fd: RawFd) {
        if fd == self.current_fd {
            self.current_dirty_cas = true;
        } else if let Some(c) = self.client_mut(fd) {
            c.flags |= flags::DIRTY_CAS;
        }
    }

    /// A key changed: flag its watchers (Redis's touchWatchedKey).
    pub fn touch_watched_key(&mut self, db: usize, key: &[u8]) {
        if self.watched.is_empty() {
            return;
        }
        let exists = self.dbs[db].dict.contains_key(key);
        let mut dirty = Vec::new();
        if let Some(list) = self.watched.get_mut(&(db, key.to_vec())) {
            for (fd, expired) in list.iter_mut() {
                if *expired && !exists {
                    // Already-expired key got deleted: no logical change.
                    *expired = false;
                    continue;
                }
                dirty.push(*fd);
            }
        }
        for fd in dirty {
            self.mark_dirty_cas(fd);
        }
    }

    /// A whole db is emptied or swapped (FLUSHDB/FLUSHALL/SWAPDB): flag the
    /// watchers of keys that existed in it or exist in its replacement.
    pub fn touch_all_watched_keys_in_db(&mut self, emptied: usize, replaced_with: Option<usize>) {
        if self.watched.is_empty() {
            return;
        }
        let keys: Vec<(usize, Vec<u8>)> = self
            .watched
            .keys()
            .filter(|(d, _)| *d == emptied)
            .cloned()
            .collect();
        let mut dirty = Vec::new();
        for k in keys {
            let in_emptied = self.dbs[emptied].dict.contains_key(&k.1);
            let in_repl = replaced_with
                .map(|r| self.dbs[r].dict.contains_key(&k.1))
                .unwrap_or(false);
            if !in_emptied && !in_repl {
                continue;
            }
            let repl_expired = replaced_with
                .map(|r| self.key_is_expired(r, &k.1))
                .unwrap_or(false);
            if let Some(list) = self.watched.get_mut(&k) {
                for (fd, expired) in list.iter_mut() {
                    if *expired {
                        if !in_repl {
                            *expired = false;
                            continue;
                        } else if repl_expired {
                            continue;
                        }
                    } else if !in_emptied && repl_expired {
                        *expired = true;
                        continue;
                    }
                    dirty.push(*fd);
                }
            }
        }
        for fd in dirty {
            self.mark_dirty_cas(fd);
        }
    }
}
