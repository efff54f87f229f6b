//! Intset: Redis's sorted array of unique integers, kept byte for byte.
//!
//! Small sets made only of integers are stored in memory as an `IntSet`, a
//! `Vec<u8>` in exactly the layout Redis 7.0 uses (`intset.c`), so RDB save /
//! DUMP write the buffer verbatim and RDB load / RESTORE adopt the payload
//! after `validate`.
//!
//! Layout: `<encoding u32 LE: 2, 4 or 8> <length u32 LE> <length ints>`, the
//! ints little endian, each `encoding` bytes wide, strictly ascending. The
//! encoding is the width needed by the widest member; adding a wider value
//! upgrades every member (intsetUpgradeAndAdd), removing never downgrades.
//!
//! Mirrors: intsetNew, intsetAdd (+UpgradeAndAdd), intsetRemove, intsetFind
//! (intsetSearch), intsetRandom, intsetGet, intsetLen, intsetBlobLen,
//! intsetValidateIntegrity.

const HDR: usize = 8;
pub const INTSET_ENC_INT16: u32 = 2;
pub const INTSET_ENC_INT32: u32 = 4;
pub const INTSET_ENC_INT64: u32 = 8;

/// _intsetValueEncoding: bytes needed to store `v`.
#[inline]
pub fn value_encoding(v: i64) -> u32 {
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        INTSET_ENC_INT64
    } else if v < i16::MIN as i64 || v > i16::MAX as i64 {
        INTSET_ENC_INT32
    } else {
        INTSET_ENC_INT16
    }
}

/// Reads member `i` from `contents` encoded with width `enc`.
#[inline]
fn read_at(contents: &[u8], enc: u32, i: usize) -> i64 {
    match enc {
        INTSET_ENC_INT16 => {
            let o = i * 2;
            i16::from_le_bytes([contents[o], contents[o + 1]]) as i64
        }
        INTSET_ENC_INT32 => {
            let o = i * 4;
            i32::from_le_bytes([
                contents[o],
                contents[o + 1],
                contents[o + 2],
                contents[o + 3],
            ]) as i64
        }
        _ => {
            let o = i * 8;
            let mut a = [0u8; 8];
            a.copy_from_slice(&contents[o..o + 8]);
            i64::from_le_bytes(a)
        }
    }
}

#[inline]
fn write_val(out: &mut [u8], enc: u32, v: i64) {
    match enc {
        INTSET_ENC_INT16 => out.copy_from_slice(&(v as i16).to_le_bytes()),
        INTSET_ENC_INT32 => out.copy_from_slice(&(v as i32).to_le_bytes()),
        _ => out.copy_from_slice(&v.to_le_bytes()),
    }
}

/// An intset in Redis's exact byte layout.
///
/// Invariant: the encoding field is 2, 4 or 8 and `buf.len()` equals
/// `8 + length * encoding` (checked by `from_bytes`, kept by mutations).
/// Order/uniqueness is only trusted after `validate(.., true)`; on a
/// corrupt (unsorted) set lookups may miss but never panic.
#[derive(Clone, PartialEq, Eq)]
pub struct IntSet {
    buf: Vec<u8>,
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::new()
    }
}

impl std::fmt::Debug for IntSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Iterator over the members in ascending order.
pub struct Iter<'a> {
    set: &'a IntSet,
    pos: usize,
    len: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = i64;
    #[inline]
    fn next(&mut self) -> Option<i64> {
        if self.pos >= self.len {
            return None;
        }
        let v = self.set.get_unchecked_pos(self.pos);
        self.pos += 1;
        Some(v)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.len - self.pos;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl IntSet {
    /// intsetNew: empty set with 16-bit encoding.
    pub fn new() -> IntSet {
        let mut buf = Vec::with_capacity(HDR);
        buf.extend_from_slice(&INTSET_ENC_INT16.to_le_bytes());
        buf.extend_from_slice(&0u32.to_le_bytes());
        IntSet { buf }
    }

    /// Adopts a raw intset blob. Checks the structure (valid encoding, size
    /// matching the length field) but, unlike `validate`, accepts an empty
    /// set and does not check ordering.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<IntSet> {
        if Self::check_header(&bytes).is_some() {
            Some(IntSet { buf: bytes })
        } else {
            None
        }
    }

    /// Encoding and count if the header is sane and the size matches.
    fn check_header(bytes: &[u8]) -> Option<(u32, usize)> {
        if bytes.len() < HDR {
            return None;
        }
        let enc = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if enc != INTSET_ENC_INT16 && enc != INTSET_ENC_INT32 && enc != INTSET_ENC_INT64 {
            return None;
        }
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as u64;
        if HDR as u64 + count * enc as u64 != bytes.len() as u64 {
            return None;
        }
        Some((enc, count as usize))
    }

    /// intsetValidateIntegrity: valid encoding, size == 8 + len*encoding,
    /// not empty; with `deep` also strictly ascending (sorted, no dups).
    pub fn validate(bytes: &[u8], deep: bool) -> bool {
        let (enc, count) = match Self::check_header(bytes) {
            Some(x) => x,
            None => return false,
        };
        if count == 0 {
            return false;
        }
        if !deep {
            return true;
        }
        let contents = &bytes[HDR..];
        let mut prev = read_at(contents, enc, 0);
        for i in 1..count {
            let cur = read_at(contents, enc, i);
            if cur <= prev {
                return false;
            }
            prev = cur;
        }
        true
    }

    /// The raw bytes (what RDB / DUMP write).
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Gives the raw bytes back.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// intsetBlobLen.
    #[inline]
    pub fn blob_len(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes held (capacity), for memory accounting.
    pub fn alloc_size(&self) -> usize {
        self.buf.capacity()
    }

    /// Current encoding width in bytes (2, 4 or 8).
    #[inline]
    pub fn encoding(&self) -> u32 {
        u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]])
    }

    /// intsetLen.
    #[inline]
    pub fn len(&self) -> usize {
        u32::from_le_bytes([self.buf[4], self.buf[5], self.buf[6], self.buf[7]]) as usize
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn set_len(&mut self, n: usize) {
        self.buf[4..8].copy_from_slice(&(n as u32).to_le_bytes());
    }

    #[inline]
    fn get_unchecked_pos(&self, pos: usize) -> i64 {
        read_at(&self.buf[HDR..], self.encoding(), pos)
    }

    /// intsetGet: member at position `pos` (ascending order).
    #[inline]
    pub fn get(&self, pos: usize) -> Option<i64> {
        if pos < self.len() {
            Some(self.get_unchecked_pos(pos))
        } else {
            None
        }
    }

    /// Smallest member.
    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }

    /// Largest member.
    pub fn max(&self) -> Option<i64> {
        self.get(self.len().checked_sub(1)?)
    }

    /// intsetSearch: Ok(position) if present, Err(insert position) if not.
    #[inline]
    pub fn search(&self, v: i64) -> Result<usize, usize> {
        let len = self.len();
        if len == 0 {
            return Err(0);
        }
        let enc = self.encoding();
        let c = &self.buf[HDR..];
        if v > read_at(c, enc, len - 1) {
            return Err(len);
        }
        if v < read_at(c, enc, 0) {
            return Err(0);
        }
        let (mut lo, mut hi) = (0usize, len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let cur = read_at(c, enc, mid);
            if cur < v {
                lo = mid + 1;
            } else if cur > v {
                hi = mid;
            } else {
                return Ok(mid);
            }
        }
        Err(lo)
    }

    /// intsetFind.
    #[inline]
    pub fn contains(&self, v: i64) -> bool {
        value_encoding(v) <= self.encoding() && self.search(v).is_ok()
    }

    /// intsetAdd: true if added, false if already present. Upgrades the
    /// encoding when `v` needs a wider one.
    pub fn add(&mut self, v: i64) -> bool {
        let venc = value_encoding(v);
        let cur = self.encoding();
        let len = self.len();
        if venc > cur {
            // v is outside the current range: goes first (negative) or last.
            let mut nb = Vec::with_capacity(HDR + (len + 1) * venc as usize);
            nb.extend_from_slice(&venc.to_le_bytes());
            nb.extend_from_slice(&((len + 1) as u32).to_le_bytes());
            nb.resize(HDR + (len + 1) * venc as usize, 0);
            let w = venc as usize;
            let shift = if v < 0 { 1 } else { 0 };
            for i in 0..len {
                let x = read_at(&self.buf[HDR..], cur, i);
                let o = HDR + (i + shift) * w;
                write_val(&mut nb[o..o + w], venc, x);
            }
            let o = if v < 0 { HDR } else { HDR + len * w };
            write_val(&mut nb[o..o + w], venc, v);
            self.buf = nb;
            return true;
        }
        let pos = match self.search(v) {
            Ok(_) => return false,
            Err(p) => p,
        };
        let w = cur as usize;
        let old = self.buf.len();
        self.buf.reserve_exact(w);
        self.buf.resize(old + w, 0);
        let at = HDR + pos * w;
        self.buf.copy_within(at..old, at + w);
        write_val(&mut self.buf[at..at + w], cur, v);
        self.set_len(len + 1);
        true
    }

    /// intsetRemove: true if `v` was present and removed.
    pub fn remove(&mut self, v: i64) -> bool {
        if value_encoding(v) > self.encoding() {
            return false;
        }
        let pos = match self.search(v) {
            Ok(p) => p,
            Err(_) => return false,
        };
        let w = self.encoding() as usize;
        let len = self.len();
        let at = HDR + pos * w;
        let old = self.buf.len();
        self.buf.copy_within(at + w..old, at);
        self.buf.truncate(old - w);
        if self.buf.capacity() > self.buf.len() * 2 + 64 {
            self.buf.shrink_to_fit();
        }
        self.set_len(len - 1);
        true
    }

    /// intsetRandom with the caller's random number: member at `r % len`.
    /// None for an empty set (Redis asserts).
    #[inline]
    pub fn random(&self, r: u64) -> Option<i64> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        self.get((r % len as u64) as usize)
    }

    /// Members in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            set: self,
            pos: 0,
            len: self.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz cases per run (fewer in unoptimized builds to keep tests quick).
    const FUZZ_CASES: usize = if cfg!(debug_assertions) {
        60_000
    } else {
        300_000
    };

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // DUMP of `SADD s 1 2 3 -5 70000`, `SADD s16 1 2 3 -5`,
    // `SADD s64 1 -3 5000000000` from Redis 7.0.15 (type 11 = SET_INTSET).
    const DUMP_S: &str =
        "0b1c0400000005000000fbffffff010000000200000003000000701101000a0023e5f3765598617d";
    const DUMP_S16: &str = "0b100200000004000000fbff0100020003000a00c8e4dfb66f7396f0";
    const DUMP_S64: &str =
        "0b200800000003000000fdffffffffffffff010000000000000000f2052a010000000a0088f89414e0bcb85d";

    fn blob(dump: &str) -> Vec<u8> {
        let d = hex(dump);
        assert_eq!(d[0], 11);
        let l = d[1] as usize;
        d[2..2 + l].to_vec()
    }

    fn build(vals: &[i64]) -> IntSet {
        let mut s = IntSet::new();
        for &v in vals {
            s.add(v);
        }
        s
    }

    #[test]
    fn golden_vs_redis() {
        assert_eq!(build(&[1, 2, 3, -5, 70000]).as_bytes(), &blob(DUMP_S)[..]);
        assert_eq!(build(&[1, 2, 3, -5]).as_bytes(), &blob(DUMP_S16)[..]);
        assert_eq!(build(&[1, -3, 5000000000]).as_bytes(), &blob(DUMP_S64)[..]);
        // Insertion order does not matter for the final bytes.
        assert_eq!(build(&[70000, -5, 3, 2, 1]).as_bytes(), &blob(DUMP_S)[..]);
        for d in [DUMP_S, DUMP_S16, DUMP_S64] {
            assert!(IntSet::validate(&blob(d), true));
        }
        let s = IntSet::from_bytes(blob(DUMP_S)).unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![-5, 1, 2, 3, 70000]);
    }

    #[test]
    fn encodings_and_upgrade() {
        assert_eq!(value_encoding(-32768), 2);
        assert_eq!(value_encoding(32767), 2);
        assert_eq!(value_encoding(-32769), 4);
        assert_eq!(value_encoding(32768), 4);
        assert_eq!(value_encoding(i32::MIN as i64), 4);
        assert_eq!(value_encoding(i32::MAX as i64), 4);
        assert_eq!(value_encoding(i32::MIN as i64 - 1), 8);
        assert_eq!(value_encoding(i64::MAX), 8);
        let mut s = build(&[5, 6]);
        assert_eq!(s.encoding(), 2);
        assert!(s.add(-100000));
        assert_eq!(s.encoding(), 4);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![-100000, 5, 6]);
        assert!(s.add(i64::MAX));
        assert_eq!(s.encoding(), 8);
        assert!(s.remove(i64::MAX));
        assert!(s.remove(-100000));
        assert_eq!(s.encoding(), 8, "no downgrade");
        assert_eq!(s.blob_len(), 8 + 2 * 8);
        assert!(!s.contains(i64::MIN));
        assert!(!s.remove(1 << 40));
        let s2 = build(&[5, 6]);
        assert!(!s2.contains(1 << 40));
    }

    #[test]
    fn add_remove_contains_model() {
        let mut r: u64 = 88172645463325252;
        let mut s = IntSet::new();
        let mut model = std::collections::BTreeSet::new();
        for _ in 0..20000 {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            let v = match r % 4 {
                0 => (r >> 8) as i64 % 100,
                1 => (r >> 8) as i64 % 100000,
                2 => (r >> 8) as i64 % 10_000_000_000,
                _ => (r >> 3) as i64,
            } * if r & 1 == 0 { 1 } else { -1 };
            if (r >> 20).is_multiple_of(3) {
                assert_eq!(s.remove(v), model.remove(&v));
            } else {
                assert_eq!(s.add(v), model.insert(v));
            }
            assert_eq!(s.contains(v), model.contains(&v));
            if model.len() > 300 {
                let first = *model.iter().next().unwrap();
                assert!(s.remove(first));
                model.remove(&first);
            }
        }
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            model.iter().copied().collect::<Vec<_>>()
        );
        assert!(IntSet::validate(s.as_bytes(), true));
        assert_eq!(s.len(), model.len());
        assert_eq!(s.min(), model.iter().next().copied());
        assert_eq!(s.max(), model.iter().next_back().copied());
        assert_eq!(s.random(7), s.get(7 % s.len()));
        assert_eq!(IntSet::new().random(3), None);
        for (i, v) in model.iter().enumerate() {
            assert_eq!(s.search(*v), Ok(i));
        }
    }

    #[test]
    fn validation_rules() {
        let good = build(&[1, 2, 3]).into_bytes();
        assert!(IntSet::validate(&good, true));
        assert!(
            !IntSet::validate(&IntSet::new().into_bytes(), false),
            "empty is invalid"
        );
        assert!(IntSet::from_bytes(IntSet::new().into_bytes()).is_some());
        let mut b = good.clone();
        b[0] = 3;
        assert!(!IntSet::validate(&b, false));
        assert!(IntSet::from_bytes(b).is_none());
        let mut b = good.clone();
        b[4] = 4;
        assert!(!IntSet::validate(&b, false));
        let mut b = good.clone();
        b.push(0);
        assert!(!IntSet::validate(&b, false));
        // unsorted / dup: shallow ok, deep fails
        let mut b = good.clone();
        b[8] = 3;
        assert!(IntSet::validate(&b, false));
        assert!(!IntSet::validate(&b, true));
        let mut b = good.clone();
        b[8] = 2;
        assert!(!IntSet::validate(&b, true));
        assert!(!IntSet::validate(&[2, 0, 0], false));
        // huge length field must not overflow
        let b = [8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        assert!(!IntSet::validate(&b, true));
    }

    #[test]
    fn fuzz_never_panics() {
        let start = std::time::Instant::now();
        let mut r: u64 = 0x1234_5678_9abc_def1;
        let mut next = || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        let seed = build(&[-70000, -3, 0, 9, 1 << 20]).into_bytes();
        let mut n = 0;
        while n < FUZZ_CASES && start.elapsed().as_secs() < 10 {
            n += 1;
            let mut b = seed.clone();
            match next() % 3 {
                0 => {
                    let len = (next() % 40) as usize;
                    b = (0..len).map(|_| next() as u8).collect();
                    if len >= 8 && next() % 2 == 0 {
                        b[0] = [2, 4, 8][(next() % 3) as usize];
                        b[1..4].fill(0);
                        let cnt = ((len - 8) / b[0] as usize) as u32;
                        b[4..8].copy_from_slice(&cnt.to_le_bytes());
                        b.truncate(8 + cnt as usize * b[0] as usize);
                    }
                }
                1 => {
                    let i = (next() as usize) % b.len();
                    b[i] = next() as u8;
                }
                _ => {
                    let i = 8 + (next() as usize) % (b.len() - 8);
                    b[i] ^= 1 << (next() % 8);
                }
            }
            let deep = IntSet::validate(&b, true);
            if let Some(mut s) = IntSet::from_bytes(b) {
                let v = next() as i64 >> (next() % 64);
                let _ = s.contains(v);
                let _ = s.iter().count();
                let _ = s.random(next());
                s.add(v);
                s.remove(v ^ 1);
                if deep {
                    assert!(IntSet::validate(s.as_bytes(), true) || s.is_empty());
                }
            }
        }
    }
}
