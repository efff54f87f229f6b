//! The Hash value type (the data half of Redis's `t_hash.c`; commands live in
//! `crate::command::hash`).
//!
//! Two encodings, as Redis 7.0, reported by OBJECT ENCODING:
//!
//! * `listpack` — small hashes: one listpack holding field, value, field,
//!   value ... in insertion order (new fields are appended, updates replace
//!   the value in place, deletes remove both entries). No per-field
//!   allocation: the whole hash is one exact-size byte buffer in Redis's
//!   listpack layout, which RDB (`RDB_TYPE_HASH_LISTPACK` = 16) writes
//!   verbatim.
//! * `hashtable` — a `Dict` from field to value (`Box<[u8]>` each).
//!
//! Conversion listpack → hashtable happens exactly where Redis does it, and
//! never back:
//! * `try_conversion` (hashTypeTryConversion): before HSET/HMSET/HSETNX
//!   write, any field or value argument longer than `hash-max-listpack-value`,
//!   or a listpack that would grow past the 1 GB safety size;
//! * `set` (hashTypeSet): a field or value longer than the limit (the
//!   HINCRBY/HINCRBYFLOAT path), or more than `hash-max-listpack-entries`
//!   pairs after the insertion.
//!
//! Elements are read as `LpVal` (`Int(i64)` or `Str(&[u8])`) for both
//! encodings, so replies, DEBUG DIGEST and the RDB writer never allocate to
//! look at a field or value.
//!
//! Memory: a `Hash` is 16 bytes and lives directly in `Value` (which stays
//! 24 bytes): the listpack encoding is a bare `Box<[u8]>` — no `Vec`
//! capacity word, no extra box — read in place through `LpRef` (built on
//! `crate::db::listpack`'s entry decoder) and turned into a `Listpack` only
//! for the duration of a mutation (`with_lp`, no copy, no reallocation when
//! the size is unchanged).
//!
//! For RDB / DUMP / DEBUG DIGEST: `listpack_bytes()` gives the bytes
//! RDB_TYPE_HASH_LISTPACK (16) stores verbatim, `iter()` the
//! pairs of either encoding (RDB_TYPE_HASH = 4, digests); loading uses
//! `from_listpack_loaded` (type 16, after `Listpack::validate_pairs_no_dups`)
//! or `new_for_load` + `load_pair` (type 4), which follow rdb.c's conversion
//! rules and duplicate checks.
//!
//! Also here: the listpack pair sampling used by HRANDFIELD (Redis's
//! lpRandomPair, lpRandomPairs, lpRandomPairsUnique).
use crate::db::dict::{self, Dict};
use crate::db::listpack::{self, lp_string_to_int64, Listpack, LpVal, LP_EOF, LP_HDR_SIZE};
use crate::util::num::sdigits10;
use crate::util::rand::Rng;

/// `hash-max-listpack-entries` / `hash-max-listpack-value`.
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub max_entries: u64,
    pub max_value: u64,
}

impl HashLimits {
    pub fn from_config(cfg: &crate::config::Config) -> HashLimits {
        HashLimits {
            max_entries: cfg.hash_max_listpack_entries,
            max_value: cfg.hash_max_listpack_value,
        }
    }
}

type Table = Dict<Box<[u8]>>;

pub enum Hash {
    /// Exact listpack bytes (header, entries, end marker).
    Listpack(Box<[u8]>),
    Table(Box<Table>),
}

/// Read-only view of listpack bytes with the read half of `Listpack`'s API
/// (lpFirst, lpNext, lpGet, lpLength, lpSeek, lpFind on fields). Reads are
/// bounds checked: a corrupt blob ends iteration, never panics.
#[derive(Clone, Copy)]
pub struct LpRef<'a>(pub &'a [u8]);

impl<'a> LpRef<'a> {
    /// The raw bytes (what RDB / DUMP write verbatim).
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// lpLength (walks the entries when the header count is unknown).
    pub fn len(&self) -> usize {
        let n = match self.0.get(4..6) {
            Some(b) => u16::from_le_bytes([b[0], b[1]]),
            None => return 0,
        };
        if n != u16::MAX {
            return n as usize;
        }
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.first().is_none()
    }

    /// lpFirst.
    #[inline]
    pub fn first(&self) -> Option<usize> {
        match self.0.get(LP_HDR_SIZE) {
            Some(&b) if b != LP_EOF => Some(LP_HDR_SIZE),
            _ => None,
        }
    }

    /// lpNext.
    #[inline]
    pub fn next(&self, off: usize) -> Option<usize> {
        let n = listpack::validate_next(self.0, off)?;
        match self.0.get(n) {
            Some(&b) if b != LP_EOF => Some(n),
            _ => None,
        }
    }

    /// lpGet.
    #[inline]
    pub fn get(&self, off: usize) -> LpVal<'a> {
        listpack::get_lenient(self.0, off)
    }

    pub fn iter(&self) -> LpIter<'a> {
        LpIter {
            lp: *self,
            off: self.first(),
        }
    }

    /// lpSeek for a non-negative index.
    pub fn seek(&self, index: usize) -> Option<usize> {
        let mut off = self.first()?;
        for _ in 0..index {
            off = self.next(off)?;
        }
        Some(off)
    }

    /// lpFind(first, field, skip = 1): offset of the field `field` of a
    /// field/value listpack (an integer entry matches the canonical decimal
    /// form of its value).
    pub fn find_field(&self, field: &[u8]) -> Option<usize> {
        let mut fint: Option<Option<i64>> = None;
        let mut off = self.first()?;
        loop {
            let hit = match self.get(off) {
                LpVal::Str(s) => s == field,
                LpVal::Int(i) => *fint.get_or_insert_with(|| lp_string_to_int64(field)) == Some(i),
            };
            if hit {
                return Some(off);
            }
            let v = self.next(off)?;
            off = self.next(v)?;
        }
    }
}

/// Iterator over the elements of an `LpRef`.
pub struct LpIter<'a> {
    lp: LpRef<'a>,
    off: Option<usize>,
}

impl<'a> Iterator for LpIter<'a> {
    type Item = LpVal<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpVal<'a>> {
        let off = self.off?;
        self.off = self.lp.next(off);
        Some(self.lp.get(off))
    }
}

/// Run `f` on the listpack stored in `b` as a `Listpack` (moved out and
/// back: no copy).
fn with_lp<R>(b: &mut Box<[u8]>, f: impl FnOnce(&mut Listpack) -> R) -> R {
    let bytes = std::mem::take(b).into_vec();
    let mut lp = Listpack::from_bytes(bytes).unwrap_or_default();
    let r = f(&mut lp);
    *b = lp.into_bytes().into_boxed_slice();
    r
}

fn empty_lp() -> Box<[u8]> {
    Listpack::new().into_bytes().into_boxed_slice()
}

impl Default for Hash {
    fn default() -> Self {
        Hash::new()
    }
}

/// Deep copy keeping the encoding (hashTypeDup, used by COPY).
impl Clone for Hash {
    fn clone(&self) -> Hash {
        match self {
            Hash::Listpack(b) => Hash::Listpack(b.clone()),
            Hash::Table(d) => {
                let mut nd: Table = Dict::new();
                for (k, v) in d.iter() {
                    nd.insert_new(k.into(), v.clone());
                }
                Hash::Table(Box::new(nd))
            }
        }
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter() {
            m.entry(&k.to_vec(), &v.to_vec());
        }
        m.finish()
    }
}

#[inline]
fn boxed(v: LpVal<'_>) -> Box<[u8]> {
    match v {
        LpVal::Str(s) => s.into(),
        LpVal::Int(_) => v.to_vec().into_boxed_slice(),
    }
}

impl Hash {
    /// An empty listpack-encoded hash (createHashObject).
    pub fn new() -> Hash {
        Hash::Listpack(empty_lp())
    }

    /// Adopt a listpack of field/value pairs (RDB_TYPE_HASH_LISTPACK load,
    /// RESTORE). The caller validates it first (`Listpack::validate_pairs_no_dups`).
    pub fn from_listpack(lp: Listpack) -> Hash {
        Hash::Listpack(lp.into_bytes().into_boxed_slice())
    }

    /// An empty hashtable-encoded hash, for loaders that know the result is
    /// big (RDB_TYPE_HASH with more pairs than hash-max-listpack-entries).
    pub fn new_table() -> Hash {
        Hash::Table(Box::default())
    }

    /// Number of field/value pairs (hashTypeLength).
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(b) => LpRef(b).len() / 2,
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Hash::Listpack(b) => LpRef(b).is_empty(),
            Hash::Table(d) => d.is_empty(),
        }
    }

    /// OBJECT ENCODING's answer.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// The listpack bytes (what RDB_TYPE_HASH_LISTPACK stores), or None for
    /// the hashtable encoding.
    pub fn listpack_bytes(&self) -> Option<&[u8]> {
        match self {
            Hash::Listpack(b) => Some(b),
            Hash::Table(_) => None,
        }
    }

    /// Read-only view of the listpack encoding.
    pub fn listpack(&self) -> Option<LpRef<'_>> {
        match self {
            Hash::Listpack(b) => Some(LpRef(b)),
            Hash::Table(_) => None,
        }
    }

    /// The value of `field` (hashTypeGetValue).
    pub fn get(&self, field: &[u8]) -> Option<LpVal<'_>> {
        match self {
            Hash::Listpack(b) => {
                let lp = LpRef(b);
                let f = lp.find_field(field)?;
                let v = lp.next(f)?;
                Some(lp.get(v))
            }
            Hash::Table(d) => d.get(field).map(|v| LpVal::Str(v)),
        }
    }

    /// HSTRLEN: length of the value's string form, 0 if missing.
    pub fn value_len(&self, field: &[u8]) -> usize {
        match self.get(field) {
            Some(LpVal::Str(s)) => s.len(),
            Some(LpVal::Int(i)) => sdigits10(i) as usize,
            None => 0,
        }
    }

    pub fn exists(&self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(b) => LpRef(b).find_field(field).is_some(),
            Hash::Table(d) => d.contains_key(field),
        }
    }

    /// hashTypeTryConversion: convert before a write of `args` (fields and
    /// values) if one is longer than `max_value`, or if their total size
    /// could push the listpack past its 1 GB safety limit.
    pub fn try_conversion<'a, I: IntoIterator<Item = &'a [u8]>>(
        &mut self,
        args: I,
        max_value: u64,
    ) {
        let cur = match self {
            Hash::Listpack(b) => b.len(),
            Hash::Table(_) => return,
        };
        let mut sum = 0usize;
        for a in args {
            if a.len() as u64 > max_value {
                self.convert_to_table();
                return;
            }
            sum = sum.saturating_add(a.len());
        }
        if !listpack::safe_to_add_bytes(cur, sum) {
            self.convert_to_table();
        }
    }

    /// hashTypeSet: add or overwrite; true if the field existed (update).
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: HashLimits) -> bool {
        if let Hash::Listpack(_) = self {
            if field.len() as u64 > limits.max_value || value.len() as u64 > limits.max_value {
                self.convert_to_table();
            }
        }
        match self {
            Hash::Listpack(b) => {
                let lp = LpRef(b);
                let at = lp.find_field(field).and_then(|f| lp.next(f));
                let update = at.is_some();
                let ok = with_lp(b, |lp| match at {
                    Some(v) => lp.replace(v, value).is_some(),
                    None => lp.append(field) && lp.append(value),
                });
                if !ok {
                    // The listpack refused to grow past 4 GB (cannot happen
                    // after try_conversion): fall back to a table.
                    self.convert_to_table();
                    return self.set(field, value, limits);
                }
                if self.len() as u64 > limits.max_entries {
                    self.convert_to_table();
                }
                update
            }
            Hash::Table(d) => match d.get_mut(field) {
                Some(v) => {
                    *v = value.into();
                    true
                }
                None => {
                    d.insert_new(field.into(), value.into());
                    false
                }
            },
        }
    }

    /// RDB_TYPE_HASH load, step 1 (rdbLoadObject): the empty hash to fill
    /// with `len` pairs — a table right away when `len` is above
    /// hash-max-listpack-entries, a listpack otherwise.
    pub fn new_for_load(len: u64, limits: HashLimits) -> Hash {
        if len > limits.max_entries {
            Hash::new_table()
        } else {
            Hash::new()
        }
    }

    /// RDB_TYPE_HASH load, step 2, for each pair: appended to the listpack
    /// unless the field or value is longer than hash-max-listpack-value or
    /// the listpack would pass its safety size (then the hash becomes a
    /// table first). Err with Redis's corruption text on a duplicate field.
    pub fn load_pair(
        &mut self,
        field: &[u8],
        value: &[u8],
        limits: HashLimits,
    ) -> Result<(), &'static str> {
        if let Hash::Listpack(b) = self {
            if field.len() as u64 > limits.max_value
                || value.len() as u64 > limits.max_value
                || !listpack::safe_to_add_bytes(b.len(), field.len() + value.len())
            {
                self.convert_to_table();
            }
        }
        match self {
            Hash::Listpack(b) => {
                if LpRef(b).find_field(field).is_some() {
                    return Err("Hash with dup elements");
                }
                if with_lp(b, |lp| lp.append(field) && lp.append(value)) {
                    Ok(())
                } else {
                    Err("Hash listpack too big")
                }
            }
            Hash::Table(d) => {
                if d.contains_key(field) {
                    return Err("Duplicate hash fields detected");
                }
                d.insert_new(field.into(), value.into());
                Ok(())
            }
        }
    }

    /// RDB_TYPE_HASH_LISTPACK load / RESTORE: adopt a listpack the caller
    /// validated (`Listpack::validate_pairs_no_dups`), converted to a table
    /// when it has more pairs than hash-max-listpack-entries. The caller
    /// treats an empty result as an empty key (skipped).
    pub fn from_listpack_loaded(lp: Listpack, limits: HashLimits) -> Hash {
        let mut h = Hash::from_listpack(lp);
        if h.len() as u64 > limits.max_entries {
            h.convert_to_table();
        }
        h
    }

    /// hashTypeDelete: true if the field existed.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(b) => match LpRef(b).find_field(field) {
                Some(f) => {
                    with_lp(b, |lp| lp.delete_range_at(f, 2));
                    true
                }
                None => false,
            },
            Hash::Table(d) => {
                if d.remove(field).is_some() {
                    d.resize_if_needed();
                    true
                } else {
                    false
                }
            }
        }
    }

    /// hashTypeConvertListpack(OBJ_ENCODING_HT). No-op for a table.
    pub fn convert_to_table(&mut self) {
        if let Hash::Listpack(b) = self {
            let mut d: Table = Dict::new();
            let mut it = LpRef(b).iter();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                // A corrupt listpack with a duplicate field: last one wins
                // (Redis panics here).
                d.insert(&boxed(f), boxed(v));
            }
            *self = Hash::Table(Box::new(d));
        }
    }

    /// Field/value pairs: insertion order for a listpack, table order for a
    /// hashtable (hashTypeInitIterator / hashTypeNext).
    pub fn iter(&self) -> HashIter<'_> {
        match self {
            Hash::Listpack(b) => HashIter::Lp(LpRef(b).iter()),
            Hash::Table(d) => HashIter::Table(d.iter()),
        }
    }

    /// A random pair of a non-empty hash (hashTypeRandomElement): uniform
    /// for a listpack, dictGetFairRandomKey for a table.
    pub fn random_pair(&self, rng: &mut Rng) -> Option<(LpVal<'_>, LpVal<'_>)> {
        match self {
            Hash::Listpack(b) => lp_random_pair(LpRef(b), rng),
            Hash::Table(d) => d
                .fair_random_entry(rng)
                .map(|(k, v)| (LpVal::Str(k), LpVal::Str(v))),
        }
    }

    /// The table, for SCAN-style cursor iteration (None for a listpack).
    pub fn table(&self) -> Option<&Dict<Box<[u8]>>> {
        match self {
            Hash::Listpack(_) => None,
            Hash::Table(d) => Some(d),
        }
    }

    /// Approximate heap bytes used by the value (MEMORY USAGE,
    /// objectComputeSize): the listpack's buffer, or for a table the bucket
    /// array plus per-entry node, field and value sizes — averaged over the
    /// first `samples` entries when `samples` > 0 (all entries when 0).
    pub fn mem_usage(&self, samples: usize) -> usize {
        let own = std::mem::size_of::<Hash>();
        match self {
            Hash::Listpack(b) => own + b.len(),
            Hash::Table(d) => {
                let node = 3 * std::mem::size_of::<usize>() + 2 * std::mem::size_of::<Box<[u8]>>();
                let base =
                    own + std::mem::size_of::<Table>() + d.buckets() * std::mem::size_of::<usize>();
                let (mut n, mut bytes) = (0usize, 0usize);
                for (k, v) in d.iter() {
                    bytes += node + k.len() + v.len();
                    n += 1;
                    if samples > 0 && n >= samples {
                        break;
                    }
                }
                if n == 0 {
                    return base;
                }
                base + bytes / n * d.len()
            }
        }
    }
}

/// Iterator over the field/value pairs of a hash.
pub enum HashIter<'a> {
    Lp(LpIter<'a>),
    Table(dict::Iter<'a, Box<[u8]>>),
}

impl<'a> Iterator for HashIter<'a> {
    type Item = (LpVal<'a>, LpVal<'a>);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            HashIter::Lp(it) => {
                let f = it.next()?;
                let v = it.next()?;
                Some((f, v))
            }
            HashIter::Table(it) => it.next().map(|(k, v)| (LpVal::Str(k), LpVal::Str(&v[..]))),
        }
    }
}

// ---------------------------------------------------------------------------
// Random pair sampling over a field/value listpack (listpack.c)
// ---------------------------------------------------------------------------

/// lpRandomPair: a uniformly chosen pair.
pub fn lp_random_pair<'a>(lp: LpRef<'a>, rng: &mut Rng) -> Option<(LpVal<'a>, LpVal<'a>)> {
    let pairs = lp.len() / 2;
    if pairs == 0 {
        return None;
    }
    let idx = rng.gen_range(pairs as u64) as usize * 2;
    let f = lp.seek(idx)?;
    let v = lp.next(f)?;
    Some((lp.get(f), lp.get(v)))
}

/// lpRandomPairs: `count` pairs chosen independently (repetitions
/// possible), in random order, appended to `out`. One pass over the
/// listpack: the picks are sorted by position, fetched, then put back in
/// the order they were drawn.
pub fn lp_random_pairs<'a>(
    lp: LpRef<'a>,
    count: usize,
    rng: &mut Rng,
    out: &mut Vec<(LpVal<'a>, LpVal<'a>)>,
) {
    let pairs = lp.len() / 2;
    if pairs == 0 || count == 0 {
        return;
    }
    // (pair index, order drawn)
    let mut picks: Vec<(u32, u32)> = (0..count as u32)
        .map(|i| (rng.gen_range(pairs as u64) as u32, i))
        .collect();
    picks.sort_unstable();
    let base = out.len();
    out.resize(base + count, (LpVal::Int(0), LpVal::Int(0)));
    let mut it = lp.iter();
    let mut idx = 0u32;
    let mut p = 0usize;
    while p < picks.len() {
        let (f, v) = match (it.next(), it.next()) {
            (Some(f), Some(v)) => (f, v),
            _ => break,
        };
        while p < picks.len() && picks[p].0 == idx {
            out[base + picks[p].1 as usize] = (f, v);
            p += 1;
        }
        idx += 1;
    }
    // A corrupt listpack shorter than its header says: drop unfilled slots.
    if p < picks.len() {
        out.truncate(base + p);
    }
}

/// lpRandomPairsUnique: up to `count` distinct pairs, each pair equally
/// likely to be chosen (selection sampling), in listpack order. Returns how
/// many were appended.
pub fn lp_random_pairs_unique<'a>(
    lp: LpRef<'a>,
    count: usize,
    rng: &mut Rng,
    out: &mut Vec<(LpVal<'a>, LpVal<'a>)>,
) -> usize {
    let total = lp.len() / 2;
    let count = count.min(total);
    let mut remaining = count;
    let mut index = 0usize;
    let mut it = lp.iter();
    while remaining > 0 {
        let (f, v) = match (it.next(), it.next()) {
            (Some(f), Some(v)) => (f, v),
            _ => break,
        };
        // Pick with probability remaining / (pairs not yet visited).
        if (rng.gen_range((total - index) as u64) as usize) < remaining {
            out.push((f, v));
            remaining -= 1;
        }
        index += 1;
    }
    count - remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: HashLimits = HashLimits {
        max_entries: 128,
        max_value: 64,
    };

    fn s(v: LpVal<'_>) -> String {
        String::from_utf8(v.to_vec()).unwrap()
    }

    fn pairs(h: &Hash) -> Vec<(String, String)> {
        let mut v: Vec<_> = h.iter().map(|(f, v)| (s(f), s(v))).collect();
        v.sort();
        v
    }

    #[test]
    fn listpack_set_get_delete() {
        let mut h = Hash::new();
        assert_eq!(h.encoding_name(), "listpack");
        assert!(!h.set(b"a", b"1", LIM));
        assert!(!h.set(b"b", b"hello", LIM));
        assert!(h.set(b"a", b"22", LIM));
        assert_eq!(h.len(), 2);
        assert_eq!(h.get(b"a"), Some(LpVal::Int(22)));
        assert_eq!(h.get(b"b"), Some(LpVal::Str(b"hello")));
        assert_eq!(h.get(b"c"), None);
        assert_eq!(h.value_len(b"a"), 2);
        assert_eq!(h.value_len(b"b"), 5);
        assert_eq!(h.value_len(b"zz"), 0);
        // Insertion order is kept.
        let order: Vec<String> = h.iter().map(|(f, _)| s(f)).collect();
        assert_eq!(order, vec!["a", "b"]);
        // Field "1" stored as int must not match value entries.
        assert!(!h.set(b"1", b"a", LIM));
        assert_eq!(h.get(b"1"), Some(LpVal::Str(b"a")));
        assert!(h.exists(b"1"));
        assert!(!h.exists(b"22"), "values are not fields");
        assert!(h.delete(b"a"));
        assert!(!h.delete(b"a"));
        assert_eq!(
            pairs(&h),
            vec![("1".into(), "a".into()), ("b".into(), "hello".into())]
        );
        assert!(h.delete(b"1"));
        assert!(h.delete(b"b"));
        assert!(h.is_empty());
        assert_eq!(h.len(), 0);
    }

    #[test]
    fn listpack_bytes_match_redis() {
        // HSET h a 1 b hello (Redis 7.0.15 DUMP payload of the listpack).
        let mut h = Hash::new();
        h.set(b"a", b"1", LIM);
        h.set(b"b", b"hello", LIM);
        let lp = h.listpack_bytes().unwrap();
        assert_eq!(
            lp,
            &[
                0x16, 0, 0, 0, 4, 0, 0x81, b'a', 2, 0x01, 1, 0x81, b'b', 2, 0x85, b'h', b'e', b'l',
                b'l', b'o', 6, 0xff
            ][..]
        );
    }

    #[test]
    fn conversion_thresholds() {
        // Entries: converts when the count goes above max_entries.
        let lim = HashLimits {
            max_entries: 4,
            max_value: 64,
        };
        let mut h = Hash::new();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", lim);
        }
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"f4", b"v", lim);
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.len(), 5);
        // Never converts back.
        for i in 0..5 {
            h.delete(format!("f{i}").as_bytes());
        }
        assert!(h.is_empty());
        assert_eq!(h.encoding_name(), "hashtable");

        // Value length: exactly max_value stays, max_value+1 converts.
        let mut h = Hash::new();
        h.set(b"f", &[b'x'; 64], LIM);
        assert_eq!(h.encoding_name(), "listpack");
        h.set(b"g", &[b'x'; 65], LIM);
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(h.value_len(b"f"), 64);
        assert_eq!(h.value_len(b"g"), 65);

        // Field length too.
        let mut h = Hash::new();
        h.set(&[b'k'; 65], b"v", LIM);
        assert_eq!(h.encoding_name(), "hashtable");

        // try_conversion looks at every argument.
        let mut h = Hash::new();
        h.try_conversion([&b"a"[..], &[b'x'; 64][..]], 64);
        assert_eq!(h.encoding_name(), "listpack");
        h.try_conversion([&b"a"[..], &[b'x'; 65][..]], 64);
        assert_eq!(h.encoding_name(), "hashtable");
    }

    #[test]
    fn table_encoding_and_clone() {
        let mut h = Hash::new();
        h.set(b"n", b"12", LIM);
        h.set(b"s", b"str", LIM);
        h.convert_to_table();
        assert_eq!(h.encoding_name(), "hashtable");
        // Integers become their decimal strings.
        assert_eq!(h.get(b"n"), Some(LpVal::Str(b"12")));
        assert!(h.set(b"n", b"13", LIM));
        assert!(!h.set(b"new", b"x", LIM));
        let c = h.clone();
        assert_eq!(c.encoding_name(), "hashtable");
        assert_eq!(pairs(&c), pairs(&h));
        h.delete(b"n");
        assert_eq!(c.len(), 3, "deep copy");
        let lp = Hash::new();
        assert_eq!(lp.clone().encoding_name(), "listpack");
        assert!(c.mem_usage(0) > 0);
        assert!(lp.mem_usage(5) > 0);
    }

    #[test]
    fn rdb_load_helpers_follow_rdb_c() {
        let lim = HashLimits {
            max_entries: 4,
            max_value: 8,
        };
        assert_eq!(Hash::new_for_load(4, lim).encoding_name(), "listpack");
        assert_eq!(Hash::new_for_load(5, lim).encoding_name(), "hashtable");
        let mut h = Hash::new_for_load(3, lim);
        assert_eq!(h.load_pair(b"1", b"x", lim), Ok(()));
        assert_eq!(h.load_pair(b"1", b"y", lim), Err("Hash with dup elements"));
        assert_eq!(h.encoding_name(), "listpack");
        // A long value converts, the pair goes into the table.
        assert_eq!(h.load_pair(b"f", b"123456789", lim), Ok(()));
        assert_eq!(h.encoding_name(), "hashtable");
        assert_eq!(
            h.load_pair(b"f", b"z", lim),
            Err("Duplicate hash fields detected")
        );
        assert_eq!(h.get(b"1"), Some(LpVal::Str(b"x")));
        let mut small = Hash::new();
        for i in 0..5 {
            small.set(format!("f{i}").as_bytes(), b"v", LIM);
        }
        let lp = Listpack::from_bytes(small.listpack_bytes().unwrap().to_vec()).unwrap();
        assert_eq!(
            Hash::from_listpack_loaded(lp.clone(), LIM).encoding_name(),
            "listpack"
        );
        let h2 = Hash::from_listpack_loaded(lp, lim);
        assert_eq!(h2.encoding_name(), "hashtable");
        assert_eq!(pairs(&h2), pairs(&small));
    }

    #[test]
    fn random_pairs_cover_and_keep_pairs_together() {
        let mut h = Hash::new();
        for i in 0..10 {
            h.set(format!("f{i}").as_bytes(), format!("v{i}").as_bytes(), LIM);
        }
        let lp = h.listpack().unwrap();
        let mut rng = Rng::new(7);
        let mut counts = [0usize; 10];
        let mut out = Vec::new();
        lp_random_pairs(lp, 10000, &mut rng, &mut out);
        assert_eq!(out.len(), 10000);
        for (f, v) in &out {
            let f = s(*f);
            let v = s(*v);
            assert_eq!(f[1..], v[1..]);
            counts[f[1..].parse::<usize>().unwrap()] += 1;
        }
        for c in counts {
            assert!((800..1200).contains(&c), "{counts:?}");
        }
        // Order is random, not sorted.
        let firsts: Vec<String> = out.iter().take(20).map(|(f, _)| s(*f)).collect();
        let mut sorted = firsts.clone();
        sorted.sort();
        assert_ne!(firsts, sorted);

        let mut counts = [0usize; 10];
        for _ in 0..5000 {
            let mut out = Vec::new();
            assert_eq!(lp_random_pairs_unique(lp, 3, &mut rng, &mut out), 3);
            let mut names: Vec<String> = out.iter().map(|(f, _)| s(*f)).collect();
            for n in &names {
                counts[n[1..].parse::<usize>().unwrap()] += 1;
            }
            names.dedup();
            assert_eq!(names.len(), 3);
        }
        for c in counts {
            assert!((1300..1700).contains(&c), "{counts:?}");
        }
        let mut out = Vec::new();
        assert_eq!(lp_random_pairs_unique(lp, 50, &mut rng, &mut out), 10);

        let (f, v) = lp_random_pair(lp, &mut rng).unwrap();
        assert_eq!(s(f)[1..], s(v)[1..]);
        let empty = Listpack::new();
        assert!(lp_random_pair(LpRef(empty.as_bytes()), &mut rng).is_none());
    }

    #[test]
    fn table_random_is_fair() {
        let mut h = Hash::new_table();
        for i in 0..10 {
            h.set(format!("f{i}").as_bytes(), b"v", LIM);
        }
        let mut rng = Rng::new(3);
        let mut counts = std::collections::HashMap::new();
        for _ in 0..10000 {
            let (f, _) = h.random_pair(&mut rng).unwrap();
            *counts.entry(s(f)).or_insert(0usize) += 1;
        }
        assert_eq!(counts.len(), 10);
        // dictGetFairRandomKey samples the whole table when it has at most
        // 15 elements, except when a long run of empty buckets (random hash
        // seed) makes it jump: allow some bias but catch a broken picker
        // (chi-square, df = 9: a stuck picker scores in the thousands).
        let chi: f64 = counts
            .values()
            .map(|&c| (c as f64 - 1000.0).powi(2) / 1000.0)
            .sum();
        assert!(chi < 150.0, "{counts:?}");
    }
}
