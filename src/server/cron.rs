//! `server_cron`: the periodic work, run `hz` times per second (Redis's
//! serverCron + databasesCron + clientsCron + activeExpireCycle).
//!
//! Active expiry follows Redis's slow cycle: for each db, sample up to 20
//! volatile keys at a time by scanning the `expires` dict from a persistent
//! cursor, delete the expired ones, and keep going while more than 10% of a
//! sample was stale — within 25% of the cron period (ACTIVE_EXPIRE_CYCLE_
//! SLOW_TIME_PERC), so a flood of expiring keys never stalls clients.
use super::{now_ms, Server};
use crate::client::flags;

const ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP: usize = 20;
const ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC: i64 = 25;
const ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE: usize = 10;
const STATS_METRIC_SAMPLES: usize = 16;

impl Server {
    pub fn server_cron(&mut self) {
        self.now_ms = now_ms();
        self.lru_clock = super::lru_clock_from(self.now_ms);
        self.cronloops += 1;
        self.track_instantaneous_metrics();
        self.clients_cron();
        self.shutdown_cron();
        // Clear an elapsed client pause (checkClientPauseTimeoutAndReturnIfPaused).
        let paused = self.check_pause_timeout();
        // Replicas never expire keys themselves: the master sends DELs.
        // Nothing expires while clients are paused.
        if self.active_expire_enabled && !paused {
            if self.repl.is_replica() {
                crate::replication::replica::expire_slave_keys(self);
            } else {
                self.active_expire_cycle();
            }
        }
        for db in self.dbs.iter_mut() {
            db.dict.resize_if_needed();
            db.expires.resize_if_needed();
            if db.dict.is_rehashing() {
                db.dict.rehash_ms(1);
            }
            if db.expires.is_rehashing() {
                db.expires.rehash_ms(1);
            }
        }
        crate::rdb::child::rdb_cron(self);
        crate::replication::cron(self);
        let used = crate::alloc::used_memory() as u64;
        if used > self.stats.peak_memory {
            self.stats.peak_memory = used;
        }
    }

    fn track_instantaneous_metrics(&mut self) {
        let s = &mut self.stats;
        s.inst_samples.push((
            self.now_ms,
            s.numcommands,
            s.net_input_bytes,
            s.net_output_bytes,
        ));
        if s.inst_samples.len() > STATS_METRIC_SAMPLES + 1 {
            s.inst_samples.remove(0);
        }
    }

    /// (ops/sec, input kbps, output kbps) over the sampled window.
    pub fn instantaneous_metrics(&self) -> (u64, f64, f64) {
        let s = &self.stats.inst_samples;
        if s.len() < 2 {
            return (0, 0.0, 0.0);
        }
        let (t0, c0, i0, o0) = s[0];
        let (t1, c1, i1, o1) = s[s.len() - 1];
        let dt = (t1 - t0).max(1) as f64 / 1000.0;
        (
            ((c1 - c0) as f64 / dt) as u64,
            (i1 - i0) as f64 / dt / 1024.0,
            (o1 - o0) as f64 / dt / 1024.0,
        )
    }

    /// Idle timeouts and query buffer shrinking.
    fn clients_cron(&mut self) {
        let timeout_ms = self.config.timeout * 1000;
        let now = self.now_ms;
        let mut to_close = Vec::new();
        for c in self.clients.iter_mut().flatten() {
            if timeout_ms > 0
                && !c.has(flags::SLAVE | flags::MASTER | flags::BLOCKED | flags::PUBSUB)
                && now - c.last_interaction_ms > timeout_ms
            {
                to_close.push(c.fd);
                continue;
            }
            // Give back query buffer memory of idle clients (Redis: clientsCronResizeQueryBuffer).
            if c.querybuf.is_empty()
                && c.querybuf.capacity() > 32 * 1024
                && now - c.last_interaction_ms > 2000
            {
                c.querybuf = Vec::new();
                c.querybuf_peak = 0;
            }
        }
        for fd in to_close {
            crate::server_log!(Verbose, "Closing idle client");
            self.free_client(fd);
        }
    }

    /// The slow active-expire cycle (see the module header).
    pub fn active_expire_cycle(&mut self) {
        let start = std::time::Instant::now();
        let limit_us = (1_000_000 / self.hz.max(1)) * ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC / 100;
        let mut sampled_total = 0usize;
        let mut expired_total = 0usize;
        let mut timed_out = false;
        let mut batch: Vec<(Vec<u8>, i64)> =
            Vec::with_capacity(ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP * 2);
        for dbi in 0..self.dbs.len() {
            if timed_out {
                break;
            }
            loop {
                if self.dbs[dbi].expires.is_empty() {
                    break;
                }
                batch.clear();
                let mut cursor = self.dbs[dbi].expires_cursor;
                let mut buckets = 0;
                while batch.len() < ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
                    && buckets < ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP * 20
                {
                    cursor = self.dbs[dbi]
                        .expires
                        .scan(cursor, |k, &w| batch.push((k.to_vec(), w)));
                    buckets += 1;
                    if cursor == 0 {
                        break;
                    }
                }
                self.dbs[dbi].expires_cursor = cursor;
                let now = now_ms();
                let mut expired = 0;
                let mut ttl_sum = 0i64;
                let mut ttl_n = 0i64;
                for (k, w) in batch.iter() {
                    if *w <= now {
                        self.now_ms = now;
                        self.delete_expired_key(dbi, k);
                        expired += 1;
                    } else {
                        ttl_sum += w - now;
                        ttl_n += 1;
                    }
                }
                if ttl_n > 0 {
                    let avg = ttl_sum / ttl_n;
                    let db = &mut self.dbs[dbi];
                    db.avg_ttl = if db.avg_ttl == 0 {
                        avg
                    } else {
                        (db.avg_ttl / 50) * 49 + avg / 50
                    };
                }
                sampled_total += batch.len();
                expired_total += expired;
                if start.elapsed().as_micros() as i64 > limit_us {
                    timed_out = true;
                    self.stats.expired_time_cap_reached_count += 1;
                    break;
                }
                if batch.is_empty()
                    || cursor == 0
                        && expired * 100 <= batch.len() * ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE
                {
                    break;
                }
                if expired * 100 <= batch.len() * ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE {
                    break;
                }
            }
        }
        self.stats.expire_cycle_time_used += start.elapsed().as_micros() as u64;
        let perc = if sampled_total > 0 {
            expired_total as f64 / sampled_total as f64
        } else {
            0.0
        };
        self.stats.expired_stale_perc = perc * 0.05 + self.stats.expired_stale_perc * 0.95;
    }
}
