//! Latency introspection: per-command latency histograms (INFO latencystats,
//! LATENCY HISTOGRAM) and the latency monitor (LATENCY LATEST / HISTORY /
//! RESET / DOCTOR / GRAPH), Redis's latency.c, sparkline.c and the bits of
//! deps/hdr_histogram it uses.
//!
//! ## Histograms
//! Redis records every command's duration in nanoseconds (microseconds × 1000)
//! into an HdrHistogram covering 1 ns .. 1 s with 2 significant digits, and
//! prints percentiles as the bucket's highest equivalent value / 1000 with
//! `%.3f`. `LatencyHistogram` is the same log-linear bucketing (256 linear
//! sub-buckets in the first bucket, then 128 per power of two, 23 buckets,
//! 3072 counters), so the numbers INFO shows are the ones Redis would show
//! for the same samples. Counters are allocated on first use, as Redis does.
//!
//! ## Latency monitor
//! Events ("command", "fast-command", "expire-cycle", ...) keep the last 160
//! one-per-second samples in a ring plus the all-time maximum. A sample is
//! recorded only when `latency-monitor-threshold` is set and reached
//! (`Server::latency_add_sample_if_needed`). Events are kept in insertion
//! order (Redis uses a dict, whose order clients cannot rely on).
use super::Server;

/// LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE (ns).
pub const LATENCY_HISTOGRAM_MIN_VALUE: i64 = 1;
pub const LATENCY_HISTOGRAM_MAX_VALUE: i64 = 1_000_000_000;

/// 2 significant digits: sub_bucket_count = 2^ceil(log2(2 * 10^2)) = 256.
const SUB_BUCKET_COUNT_MAGNITUDE: u32 = 8;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: u32 = SUB_BUCKET_COUNT_MAGNITUDE - 1;
const SUB_BUCKET_COUNT: i64 = 1 << SUB_BUCKET_COUNT_MAGNITUDE;
const SUB_BUCKET_HALF_COUNT: i64 = SUB_BUCKET_COUNT / 2;
const SUB_BUCKET_MASK: i64 = SUB_BUCKET_COUNT - 1;
/// Buckets needed so that SUB_BUCKET_COUNT << (BUCKET_COUNT-1) > MAX_VALUE.
const BUCKET_COUNT: usize = 23;
const COUNTS_LEN: usize = (BUCKET_COUNT + 1) * (SUB_BUCKET_HALF_COUNT as usize);

/// HdrHistogram(1, 1e9, 2) as Redis configures it for command latencies.
#[derive(Clone)]
pub struct LatencyHistogram {
    counts: Box<[u64]>,
    total_count: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram::new()
    }
}

impl std::fmt::Debug for LatencyHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LatencyHistogram {{ total_count: {} }}",
            self.total_count
        )
    }
}

fn bucket_index(value: i64) -> i32 {
    let pow2ceiling = 64 - ((value | SUB_BUCKET_MASK) as u64).leading_zeros() as i32;
    pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE as i32 + 1)
}

fn sub_bucket_index(value: i64, bucket: i32) -> i64 {
    value >> bucket
}

fn counts_index(bucket: i32, sub: i64) -> usize {
    let base = ((bucket as i64) + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    (base + sub - SUB_BUCKET_HALF_COUNT) as usize
}

fn value_from_index(bucket: i32, sub: i64) -> i64 {
    sub << bucket
}

/// The lowest value of the bucket slot at `index`.
fn value_at_index(index: usize) -> i64 {
    let mut bucket = (index as i64 >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) as i32 - 1;
    let mut sub = (index as i64 & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if bucket < 0 {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    value_from_index(bucket, sub)
}

fn size_of_equivalent_range(value: i64) -> i64 {
    let b = bucket_index(value);
    let s = sub_bucket_index(value, b);
    let adjusted = if s >= SUB_BUCKET_COUNT { b + 1 } else { b };
    1i64 << adjusted
}

fn lowest_equivalent_value(value: i64) -> i64 {
    let b = bucket_index(value);
    value_from_index(b, sub_bucket_index(value, b))
}

fn highest_equivalent_value(value: i64) -> i64 {
    lowest_equivalent_value(value) + size_of_equivalent_range(value) - 1
}

impl LatencyHistogram {
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            counts: vec![0u64; COUNTS_LEN].into_boxed_slice(),
            total_count: 0,
        }
    }

    pub fn total_count(&self) -> u64 {
        self.total_count
    }

    /// Record a duration in nanoseconds, clamped to [1 ns, 1 s]
    /// (updateCommandLatencyHistogram).
    pub fn record(&mut self, ns: i64) {
        let v = ns.clamp(LATENCY_HISTOGRAM_MIN_VALUE, LATENCY_HISTOGRAM_MAX_VALUE);
        let b = bucket_index(v);
        let idx = counts_index(b, sub_bucket_index(v, b));
        if let Some(c) = self.counts.get_mut(idx) {
            *c += 1;
            self.total_count += 1;
        }
    }

    /// hdr_value_at_percentile (ns).
    pub fn value_at_percentile(&self, percentile: f64) -> i64 {
        let requested = if percentile < 100.0 {
            percentile
        } else {
            100.0
        };
        let mut at = ((requested / 100.0) * self.total_count as f64 + 0.5) as i64;
        if at < 1 {
            at = 1;
        }
        let mut cum: i64 = 0;
        let mut value = 0;
        for (idx, &c) in self.counts.iter().enumerate() {
            cum += c as i64;
            if cum >= at {
                value = value_at_index(idx);
                break;
            }
        }
        if percentile == 0.0 {
            lowest_equivalent_value(value)
        } else {
            highest_equivalent_value(value)
        }
    }

    /// LATENCY HISTOGRAM's buckets: (usec upper bound, cumulative count) for
    /// each power-of-two step from 1024 ns where the cumulative count grew
    /// (fillCommandCDF over hdr_iter_log_init(h, 1024, 2)).
    pub fn cumulative_buckets(&self) -> Vec<(i64, u64)> {
        let mut out = Vec::new();
        let total = self.total_count;
        let mut idx: i64 = -1;
        let mut cumulative: u64 = 0;
        let mut value: i64 = 0;
        let mut highest: i64 = 0;
        let mut next_level: i64 = 1024;
        let mut next_level_lowest = lowest_equivalent_value(next_level);
        let mut previous: u64 = 0;
        loop {
            let has_next = cumulative < total;
            let more_values =
                idx < COUNTS_LEN as i64 && value_at_index((idx + 1) as usize) > next_level_lowest;
            if !(has_next || more_values) {
                break;
            }
            // One log-iterator step.
            loop {
                if value >= next_level_lowest {
                    next_level = next_level.saturating_mul(2);
                    next_level_lowest = lowest_equivalent_value(next_level);
                    break;
                }
                idx += 1;
                if idx >= COUNTS_LEN as i64 {
                    break;
                }
                let c = self.counts[idx as usize];
                cumulative += c;
                value = value_at_index(idx as usize);
                let leq = lowest_equivalent_value(value);
                highest = leq + size_of_equivalent_range(value) - 1;
            }
            if cumulative > previous {
                out.push((highest / 1000, cumulative));
            }
            previous = cumulative;
            if idx >= COUNTS_LEN as i64 {
                break;
            }
        }
        out
    }
}

/// Append `p<percentile>=<value>` pairs the way fillPercentileDistributionLatencies
/// does: percentile with `%f` then trailing zeros (and dot) trimmed, value in
/// usec with `%.3f`.
pub fn fill_percentile_distribution(
    out: &mut String,
    name: &str,
    h: &LatencyHistogram,
    percentiles: &[f64],
) {
    out.push_str("latency_percentiles_usec_");
    out.push_str(name);
    out.push(':');
    for (j, &p) in percentiles.iter().enumerate() {
        let v = h.value_at_percentile(p) as f64 / 1000.0;
        out.push('p');
        out.push_str(&trim_double_string(&format!("{:.6}", p)));
        out.push('=');
        out.push_str(&format!("{:.3}", v));
        if j + 1 != percentiles.len() {
            out.push(',');
        }
    }
    out.push_str("\r\n");
}

/// trimDoubleString: drop trailing zeros of a fixed-point number, and the
/// dot if nothing is left after it.
pub fn trim_double_string(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    let t = s.trim_end_matches('0');
    t.strip_suffix('.').unwrap_or(t).to_string()
}

/// LATENCY_TS_LEN: samples kept per event.
pub const LATENCY_TS_LEN: usize = 160;

#[derive(Clone, Copy, Default, Debug)]
pub struct LatencySample {
    /// unix seconds (0 = empty slot)
    pub time: i64,
    /// milliseconds
    pub latency: u64,
}

#[derive(Clone, Debug)]
pub struct LatencyTimeSeries {
    pub idx: usize,
    pub max: u64,
    pub samples: [LatencySample; LATENCY_TS_LEN],
}

impl LatencyTimeSeries {
    fn new() -> LatencyTimeSeries {
        LatencyTimeSeries {
            idx: 0,
            max: 0,
            samples: [LatencySample::default(); LATENCY_TS_LEN],
        }
    }

    /// Samples oldest first.
    pub fn ordered(&self) -> impl Iterator<Item = &LatencySample> {
        (0..LATENCY_TS_LEN)
            .map(move |j| &self.samples[(self.idx + j) % LATENCY_TS_LEN])
            .filter(|s| s.time != 0)
    }

    pub fn last(&self) -> &LatencySample {
        &self.samples[(self.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN]
    }
}

/// The latency monitor's events (Redis's server.latency_events).
#[derive(Default)]
pub struct LatencyMonitor {
    pub events: Vec<(String, Box<LatencyTimeSeries>)>,
}

impl LatencyMonitor {
    pub fn get(&self, event: &str) -> Option<&LatencyTimeSeries> {
        self.events
            .iter()
            .find(|(e, _)| e == event)
            .map(|(_, ts)| &**ts)
    }

    /// latencyAddSample: one sample per second, keeping the highest.
    pub fn add_sample(&mut self, event: &str, latency_ms: u64, now_s: i64) {
        let pos = match self.events.iter().position(|(e, _)| e == event) {
            Some(p) => p,
            None => {
                self.events
                    .push((event.to_string(), Box::new(LatencyTimeSeries::new())));
                self.events.len() - 1
            }
        };
        let ts = &mut self.events[pos].1;
        if latency_ms > ts.max {
            ts.max = latency_ms;
        }
        let prev = (ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
        if ts.samples[prev].time == now_s {
            if latency_ms > ts.samples[prev].latency {
                ts.samples[prev].latency = latency_ms;
            }
            return;
        }
        ts.samples[ts.idx] = LatencySample {
            time: now_s,
            latency: latency_ms,
        };
        ts.idx = (ts.idx + 1) % LATENCY_TS_LEN;
    }

    /// latencyResetEvent: reset one event (case-insensitive) or all; returns
    /// how many were removed.
    pub fn reset(&mut self, event: Option<&[u8]>) -> usize {
        let before = self.events.len();
        match event {
            None => self.events.clear(),
            Some(e) => self
                .events
                .retain(|(name, _)| !name.as_bytes().eq_ignore_ascii_case(e)),
        }
        before - self.events.len()
    }
}

/// analyzeLatencyForEvent's numbers.
#[derive(Default, Debug, PartialEq)]
pub struct LatencyStats {
    pub all_time_high: u64,
    pub avg: u64,
    pub min: u64,
    pub max: u64,
    pub mad: u64,
    pub samples: u64,
    pub period: i64,
}

pub fn analyze_latency(ts: &LatencyTimeSeries, now_s: i64) -> LatencyStats {
    let mut ls = LatencyStats {
        all_time_high: ts.max,
        ..Default::default()
    };
    let mut sum: u64 = 0;
    for s in ts.samples.iter().filter(|s| s.time != 0) {
        ls.samples += 1;
        if ls.samples == 1 {
            ls.min = s.latency;
            ls.max = s.latency;
        } else {
            ls.min = ls.min.min(s.latency);
            ls.max = ls.max.max(s.latency);
        }
        sum += s.latency;
        if ls.period == 0 || s.time < ls.period {
            ls.period = s.time;
        }
    }
    if let Some(avg) = sum.checked_div(ls.samples) {
        ls.avg = avg;
        ls.period = now_s - ls.period;
        if ls.period == 0 {
            ls.period = 1;
        }
        let mut dev: u64 = 0;
        for s in ts.samples.iter().filter(|s| s.time != 0) {
            dev += (ls.avg as i64 - s.latency as i64).unsigned_abs();
        }
        ls.mad = dev / ls.samples;
    }
    ls
}

/// LATENCY GRAPH: title line, 80 dashes, then a 4-row filled sparkline with
/// "Ns/Nm/Nh/Nd ago" labels printed vertically (latencyCommandGenSparkeline).
pub fn gen_sparkline(event: &str, ts: &LatencyTimeSeries, now_s: i64) -> String {
    const COLS: usize = 80;
    let mut samples: Vec<(f64, String)> = Vec::new();
    let (mut min, mut max) = (0u64, 0u64);
    for s in ts.ordered() {
        if samples.is_empty() {
            min = s.latency;
            max = s.latency;
        } else {
            max = max.max(s.latency);
            min = min.min(s.latency);
        }
        let elapsed = now_s - s.time;
        let label = if elapsed < 60 {
            format!("{}s", elapsed)
        } else if elapsed < 3600 {
            format!("{}m", elapsed / 60)
        } else if elapsed < 3600 * 24 {
            format!("{}h", elapsed / 3600)
        } else {
            format!("{}d", elapsed / (3600 * 24))
        };
        samples.push((s.latency as f64, label));
    }
    let mut out = format!(
        "{} - high {} ms, low {} ms (all time high {} ms)\n",
        event, max, min, ts.max
    );
    out.push_str(&"-".repeat(COLS));
    out.push('\n');
    sparkline_render(&mut out, &samples, COLS, 4);
    out
}

/// sparklineRender with SPARKLINE_FILL (charset "_o#", '|' below the curve).
fn sparkline_render(out: &mut String, samples: &[(f64, String)], columns: usize, rows: usize) {
    if samples.is_empty() {
        return;
    }
    let mut smin = samples[0].0;
    let mut smax = samples[0].0;
    for (v, _) in samples.iter().skip(1) {
        if *v < smin {
            smin = *v;
        } else if *v > smax {
            smax = *v;
        }
    }
    let has_labels = samples.iter().any(|(_, l)| !l.is_empty());
    let mut j = 0;
    while j < samples.len() {
        let len = (samples.len() - j).min(columns);
        if j != 0 {
            out.push('\n');
        }
        render_range(out, &samples[j..j + len], smin, smax, rows, has_labels);
        j += columns;
    }
}

fn render_range(
    out: &mut String,
    seq: &[(f64, String)],
    min: f64,
    max: f64,
    rows: usize,
    has_labels: bool,
) {
    const FILL: &[u8] = b"_o#";
    let charset_len = FILL.len() as i64;
    let mut relmax = max - min;
    if relmax == 0.0 {
        relmax = 1.0;
    }
    let steps = charset_len * rows as i64;
    let mut row = 0usize;
    loop {
        let mut any = false;
        let mut chars = vec![b' '; seq.len()];
        for (j, (value, label)) in seq.iter().enumerate() {
            let relval = value - min;
            let mut step = (((relval * steps as f64) as i64) as f64 / relmax) as i64;
            step = step.clamp(0, steps - 1);
            if row < rows {
                let charidx = step - ((rows - row - 1) as i64 * charset_len);
                any = true;
                if (0..charset_len).contains(&charidx) {
                    chars[j] = FILL[charidx as usize];
                } else if charidx >= charset_len {
                    chars[j] = b'|';
                }
            } else {
                if has_labels && row - rows < 1 {
                    any = true;
                    break;
                }
                let label_char = row - rows - 1;
                if let Some(&b) = label.as_bytes().get(label_char) {
                    any = true;
                    chars[j] = b;
                }
            }
        }
        if !any {
            break;
        }
        row += 1;
        out.push_str(&String::from_utf8_lossy(&chars));
        out.push('\n');
    }
}

impl Server {
    /// latencyAddSampleIfNeeded: record `latency_ms` for `event` when the
    /// latency monitor is enabled and the threshold is reached.
    pub fn latency_add_sample_if_needed(&mut self, event: &str, latency_ms: u64) {
        let threshold = self.config.latency_monitor_threshold;
        if threshold > 0 && latency_ms >= threshold as u64 {
            let now_s = super::now_ms() / 1000;
            self.latency.add_sample(event, latency_ms, now_s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdr_geometry_matches_redis_configuration() {
        // hdr_init(1, 1e9, 2): 23 buckets, 3072 counters.
        assert_eq!(COUNTS_LEN, 3072);
        let (top, below) = (
            SUB_BUCKET_COUNT << (BUCKET_COUNT - 1),
            SUB_BUCKET_COUNT << (BUCKET_COUNT - 2),
        );
        assert_eq!((top, below), (1 << 30, 1 << 29));
        assert!(below <= LATENCY_HISTOGRAM_MAX_VALUE && top > LATENCY_HISTOGRAM_MAX_VALUE);
        // Exact below 256, then 2 significant digits.
        assert_eq!(highest_equivalent_value(255), 255);
        assert_eq!(highest_equivalent_value(256), 257);
        assert_eq!(highest_equivalent_value(1000), 1003);
        assert_eq!(highest_equivalent_value(1_000_000), 1_003_519);
        assert_eq!(lowest_equivalent_value(1_000_000), 999_424);
        // The last slot still holds 1e9.
        let b = bucket_index(LATENCY_HISTOGRAM_MAX_VALUE);
        assert!(counts_index(b, sub_bucket_index(LATENCY_HISTOGRAM_MAX_VALUE, b)) < COUNTS_LEN);
    }

    #[test]
    fn percentiles_like_redis() {
        let mut h = LatencyHistogram::new();
        // A 1 usec command: Redis shows p50=1.003.
        h.record(1000);
        assert_eq!(h.value_at_percentile(50.0), 1003);
        assert_eq!(h.value_at_percentile(0.0), 1000);
        for _ in 0..98 {
            h.record(2000);
        }
        h.record(50_000_000); // one 50 ms outlier
        assert_eq!(h.total_count(), 100);
        assert_eq!(h.value_at_percentile(50.0), 2007);
        assert_eq!(
            h.value_at_percentile(99.9),
            highest_equivalent_value(50_000_000)
        );
        assert_eq!(
            h.value_at_percentile(100.0),
            highest_equivalent_value(50_000_000)
        );
        // Relative error of the reported bound stays under 1%.
        for v in [3_000i64, 17_000, 123_456, 9_999_999, 999_999_999] {
            let hi = highest_equivalent_value(v);
            assert!(hi >= v && (hi - v) as f64 / v as f64 <= 0.01, "{v} -> {hi}");
        }
        // Clamped to [1, 1e9].
        let mut h = LatencyHistogram::new();
        h.record(0);
        h.record(5_000_000_000);
        assert_eq!(h.value_at_percentile(0.0), 1);
        assert!(h.value_at_percentile(100.0) >= LATENCY_HISTOGRAM_MAX_VALUE);
    }

    #[test]
    fn info_line_format() {
        let mut h = LatencyHistogram::new();
        h.record(1000);
        let mut s = String::new();
        fill_percentile_distribution(&mut s, "get", &h, &[50.0, 99.0, 99.9]);
        assert_eq!(
            s,
            "latency_percentiles_usec_get:p50=1.003,p99=1.003,p99.9=1.003\r\n"
        );
        let mut s = String::new();
        fill_percentile_distribution(&mut s, "set", &h, &[0.0, 100.0, 12.5]);
        assert_eq!(
            s,
            "latency_percentiles_usec_set:p0=1.000,p100=1.003,p12.5=1.003\r\n"
        );
        assert_eq!(trim_double_string("99.900000"), "99.9");
        assert_eq!(trim_double_string("50.000000"), "50");
    }

    #[test]
    fn histogram_buckets_like_latency_histogram() {
        // Real Redis after 2 PINGs of ~1 usec: histogram_usec {1 2}.
        let mut h = LatencyHistogram::new();
        h.record(1000);
        h.record(1000);
        assert_eq!(h.cumulative_buckets(), vec![(1, 2)]);
        let mut h = LatencyHistogram::new();
        h.record(1000);
        h.record(3000);
        h.record(100_000);
        let b = h.cumulative_buckets();
        assert_eq!(b.first(), Some(&(1, 1)));
        assert_eq!(b.last().map(|x| x.1), Some(3));
        assert!(b.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    }

    #[test]
    fn latency_monitor_samples() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 5, 100);
        m.add_sample("command", 3, 100); // same second, lower: ignored
        m.add_sample("command", 7, 100); // same second, higher: replaces
        m.add_sample("command", 2, 101);
        let ts = m.get("command").unwrap();
        assert_eq!(ts.max, 7);
        assert_eq!(ts.last().latency, 2);
        let v: Vec<_> = ts.ordered().map(|s| (s.time, s.latency)).collect();
        assert_eq!(v, vec![(100, 7), (101, 2)]);
        let st = analyze_latency(ts, 110);
        assert_eq!(
            (st.samples, st.avg, st.min, st.max, st.mad, st.period),
            (2, 4, 2, 7, 2, 10)
        );
        // Ring wraps after LATENCY_TS_LEN seconds.
        for t in 0..(LATENCY_TS_LEN as i64 + 5) {
            m.add_sample("x", 1, 1000 + t);
        }
        assert_eq!(m.get("x").unwrap().ordered().count(), LATENCY_TS_LEN);
        assert_eq!(m.reset(Some(b"COMMAND")), 1);
        assert_eq!(m.reset(None), 1);
        assert!(m.events.is_empty());
    }

    #[test]
    fn sparkline_shape() {
        let mut ts = LatencyTimeSeries::new();
        ts.samples[0] = LatencySample {
            time: 95,
            latency: 10,
        };
        ts.samples[1] = LatencySample {
            time: 99,
            latency: 20,
        };
        ts.idx = 2;
        ts.max = 20;
        let g = gen_sparkline("command", &ts, 100);
        let lines: Vec<&str> = g.lines().collect();
        assert_eq!(
            lines[0],
            "command - high 20 ms, low 10 ms (all time high 20 ms)"
        );
        assert_eq!(lines[1], "-".repeat(80));
        // 4 rows of graph: min sample at the bottom, max at the top.
        assert_eq!(&lines[2..6], &[" #", " |", " |", "_|"]);
        // blank spacing row, then the labels vertically.
        assert_eq!(lines[6], "  ");
        assert_eq!(&lines[7..], &["51", "ss"]);
    }
}
