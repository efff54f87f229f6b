//! Tiny fast PRNG for non-cryptographic randomness: RANDOMKEY, dict random
//! sampling, SRANDMEMBER/SPOP/HRANDFIELD/ZRANDMEMBER picks, eviction pools.
//! Redis uses libc `random()` for these (and redisLrand48 for Lua); exact
//! sequences are not part of Redis' observable contract, so any good
//! generator works.
//!
//! Design: xorshift64* (Vigna), state seeded through splitmix64 so that any
//! seed (including 0) gives a good non-zero state. `gen_range` uses Lemire's
//! multiply-shift reduction with rejection, so results are unbiased.
//! [`Rng::from_entropy`] mixes wall-clock nanoseconds, the pid, a stack
//! address and a process-wide counter (no syscalls beyond reading the clock).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// xorshift64* generator.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl Rng {
    /// Deterministic generator from a seed (any value, including 0).
    pub fn new(seed: u64) -> Rng {
        let s = splitmix64(seed);
        Rng {
            state: if s == 0 { 0x2545_f491_4f6c_dd1d } else { s },
        }
    }

    /// Generator seeded from time, pid, a stack address and a counter.
    pub fn from_entropy() -> Rng {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let local = 0u8;
        let addr = &local as *const u8 as usize as u64;
        let c = COUNTER.fetch_add(1, Ordering::Relaxed);
        let seed = nanos
            ^ splitmix64(std::process::id() as u64)
            ^ addr.rotate_left(32)
            ^ splitmix64(c.wrapping_add(0x1234_5678));
        Rng::new(seed)
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n`; returns 0 when `n == 0`.
    #[inline]
    pub fn gen_range(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut m = (self.next_u64() as u128) * (n as u128);
        let mut low = m as u64;
        if low < n {
            let t = n.wrapping_neg() % n;
            while low < t {
                m = (self.next_u64() as u128) * (n as u128);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Uniform in `0..n` for usize (indexing convenience).
    #[inline]
    pub fn gen_index(&mut self, n: usize) -> usize {
        self.gen_range(n as u64) as usize
    }

    /// Uniform float in [0, 1) with 53 random bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Fill `buf` with random bytes.
    pub fn fill_bytes(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_nonzero() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut z = Rng::new(0);
        assert_ne!(z.next_u64(), 0);
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
        let mut e1 = Rng::from_entropy();
        let mut e2 = Rng::from_entropy();
        assert_ne!(e1.next_u64(), e2.next_u64());
    }

    #[test]
    fn range_uniformity() {
        let mut r = Rng::new(7);
        assert_eq!(r.gen_range(0), 0);
        assert_eq!(r.gen_range(1), 0);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            let v = r.gen_range(10);
            assert!(v < 10);
            counts[v as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
        for _ in 0..1000 {
            assert!(r.gen_range(u64::MAX) < u64::MAX);
            let f = r.next_f64();
            assert!((0.0..1.0).contains(&f));
        }
        let mut buf = [0u8; 13];
        r.fill_bytes(&mut buf);
        assert!(buf.iter().any(|&b| b != 0));
    }
}
