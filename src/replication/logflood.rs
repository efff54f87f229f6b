//! Keeps a replica's log readable while its master is unreachable.
//!
//! Redis retries the master link every second and logs each attempt in full
//! ("Connecting to MASTER ...", "MASTER <-> REPLICA sync started", "Error
//! condition on socket for SYNC: Connection refused"), so a long outage
//! grows the log file by three lines a second without bound. ferrodis logs
//! the first [`FULL_LINES`] occurrences of each such message as Redis does,
//! then counts the repeats and writes one summary line per message at
//! growing intervals (10 s, 20 s, 40 s ... capped at [`MAX_INTERVAL_MS`]):
//!
//! ```text
//! # Error condition on socket for SYNC: Connection refused (repeated 7 times in the last 10 s)
//! ```
//!
//! When the link is up again (full or partial sync done) one line says how
//! long it was down and how many attempts were made, and the limiter starts
//! afresh. The retry behaviour itself is unchanged. This is ferrodis's own
//! addition (documented in conf/redis.conf); nothing in Redis mirrors it.
use crate::log::Level;

/// Occurrences of one message logged in full before summarizing.
pub const FULL_LINES: u64 = 3;
/// First summary interval.
pub const FIRST_INTERVAL_MS: i64 = 10_000;
/// Summary interval cap (5 minutes).
pub const MAX_INTERVAL_MS: i64 = 300_000;

#[derive(Debug, Clone)]
struct Entry {
    key: &'static str,
    /// Occurrences since the limiter was reset.
    total: u64,
    /// Repeats not logged since the last line for this key.
    suppressed: u64,
    /// When the suppressed run started (ms).
    since_ms: i64,
    /// Next summary is due at (ms).
    next_ms: i64,
    interval_ms: i64,
    level: Level,
    last_text: String,
}

#[derive(Debug, Default)]
pub struct LogFlood {
    entries: Vec<Entry>,
    /// First failure of the current outage (ms).
    outage_since_ms: Option<i64>,
    /// Connection attempts during the outage.
    attempts: u64,
}

impl LogFlood {
    /// Count one connection attempt of the current outage.
    pub fn attempt(&mut self, now_ms: i64) {
        if self.outage_since_ms.is_none() {
            self.outage_since_ms = Some(now_ms);
        }
        self.attempts += 1;
    }

    /// A failure-path message: returns what to log now (the text itself, a
    /// summary line, or nothing).
    pub fn filter(
        &mut self,
        key: &'static str,
        level: Level,
        text: String,
        now_ms: i64,
    ) -> Option<(Level, String)> {
        if self.outage_since_ms.is_none() {
            self.outage_since_ms = Some(now_ms);
        }
        let i = match self.entries.iter().position(|e| e.key == key) {
            Some(i) => i,
            None => {
                self.entries.push(Entry {
                    key,
                    total: 0,
                    suppressed: 0,
                    since_ms: now_ms,
                    next_ms: 0,
                    interval_ms: FIRST_INTERVAL_MS,
                    level,
                    last_text: String::new(),
                });
                self.entries.len() - 1
            }
        };
        let e = &mut self.entries[i];
        e.total += 1;
        e.level = level;
        if e.total <= FULL_LINES {
            e.last_text = text.clone();
            if e.total == FULL_LINES {
                e.since_ms = now_ms;
                e.next_ms = now_ms + e.interval_ms;
            }
            return Some((level, text));
        }
        e.suppressed += 1;
        e.last_text = text;
        if now_ms >= e.next_ms {
            let line = summary(&e.last_text, e.suppressed, now_ms - e.since_ms);
            e.suppressed = 0;
            e.since_ms = now_ms;
            e.interval_ms = (e.interval_ms * 2).min(MAX_INTERVAL_MS);
            e.next_ms = now_ms + e.interval_ms;
            return Some((level, line));
        }
        None
    }

    /// The link is up: pending summaries and a recovery line (if there was
    /// an outage worth reporting), then reset.
    pub fn link_up(&mut self, now_ms: i64) -> Vec<(Level, String)> {
        let mut out = Vec::new();
        let summarized = self.entries.iter().any(|e| e.total > FULL_LINES);
        for e in self.entries.iter() {
            if e.suppressed > 0 {
                out.push((
                    e.level,
                    summary(&e.last_text, e.suppressed, now_ms - e.since_ms),
                ));
            }
        }
        if let (true, Some(since)) = (summarized, self.outage_since_ms) {
            out.push((
                Level::Notice,
                format!(
                    "MASTER <-> REPLICA link is up again after {} s of failures ({} connection attempts; repeated log lines were summarized)",
                    (now_ms - since).max(0) / 1000,
                    self.attempts
                ),
            ));
        }
        self.reset();
        out
    }

    /// Forget everything (REPLICAOF to another master / NO ONE).
    pub fn reset(&mut self) {
        self.entries.clear();
        self.outage_since_ms = None;
        self.attempts = 0;
    }
}

fn summary(text: &str, n: u64, ms: i64) -> String {
    format!(
        "{} (repeated {} times in the last {} s)",
        text,
        n,
        (ms.max(0) + 500) / 1000
    )
}

/// Log through the limiter of `srv.repl.logflood`.
#[macro_export]
macro_rules! repl_flood_log {
    ($srv:expr, $key:expr, $level:ident, $($arg:tt)*) => {{
        let now = $crate::server::now_ms();
        if let Some((lvl, line)) = $srv.repl.logflood.filter($key, $crate::log::Level::$level, format!($($arg)*), now) {
            if $crate::log::enabled(lvl) {
                $crate::log::log(lvl, &line);
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_lines_then_growing_summaries() {
        let mut f = LogFlood::default();
        let mut logged = Vec::new();
        // One failure a second for 10 minutes.
        for s in 0..600i64 {
            let now = s * 1000;
            f.attempt(now);
            if let Some((_, l)) = f.filter(
                "err",
                Level::Warning,
                "Error condition on socket for SYNC: Connection refused".into(),
                now,
            ) {
                logged.push((s, l));
            }
        }
        assert_eq!(
            logged[0].1,
            "Error condition on socket for SYNC: Connection refused"
        );
        assert_eq!(logged[2].0, 2);
        // Summaries at 12, 32, 72, 152, 312 (intervals 10, 20, 40, 80, 160 s).
        let times: Vec<i64> = logged.iter().skip(3).map(|(s, _)| *s).collect();
        assert_eq!(times, vec![12, 32, 72, 152, 312]);
        assert_eq!(
            logged[3].1,
            "Error condition on socket for SYNC: Connection refused (repeated 10 times in the last 10 s)"
        );
        assert!(logged[4].1.contains("repeated 20 times in the last 20 s"));
        // 8 lines for 600 failures; an hour adds at most 12 more (5 min cap).
        assert_eq!(logged.len(), 8);
        let up = f.link_up(600_000);
        assert_eq!(up.len(), 2);
        assert!(up[0].1.contains("repeated 287 times"), "{:?}", up);
        assert_eq!(
            up[1].1,
            "MASTER <-> REPLICA link is up again after 600 s of failures (600 connection attempts; repeated log lines were summarized)"
        );
        // Reset: the next outage logs in full again.
        assert!(f
            .filter("err", Level::Warning, "x".into(), 700_000)
            .is_some());
    }

    #[test]
    fn short_outage_is_logged_like_redis() {
        let mut f = LogFlood::default();
        for s in 0..3i64 {
            assert!(f
                .filter("c", Level::Notice, format!("line {s}"), s * 1000)
                .is_some());
        }
        assert!(f.link_up(3000).is_empty());
    }

    #[test]
    fn interval_is_capped() {
        let mut f = LogFlood::default();
        let mut last = None;
        let mut gaps = Vec::new();
        for s in 0..4000i64 {
            if f.filter("k", Level::Notice, "m".into(), s * 1000).is_some() {
                if let Some(p) = last {
                    gaps.push(s - p);
                }
                last = Some(s);
            }
        }
        assert_eq!(*gaps.iter().max().unwrap(), MAX_INTERVAL_MS / 1000);
    }
}
