//! The Set value type (the data half of Redis's `t_set.c`; commands live in
//! `crate::command::set`).
//!
//! Two encodings, as Redis 7.0 (which has no listpack sets), reported by
//! OBJECT ENCODING:
//!
//! * `intset` — while every member is an integer (Redis's
//!   `isSdsRepresentableAsLongLong`, i.e. `string2ll`) and there are at most
//!   `set-max-intset-entries` members (capped at 2^30): an `IntSet`, Redis's
//!   exact sorted-array bytes, which RDB (`RDB_TYPE_SET_INTSET` = 11) writes
//!   verbatim;
//! * `hashtable` — a `Dict` of members with no value.
//!
//! A new set is an intset if its first member is an integer
//! (`setTypeCreate`); adding a non-integer or one member too many converts
//! it (`setTypeAdd` → `setTypeConvert`), never back.
//!
//! For RDB / DUMP / DEBUG DIGEST: `intset_bytes()` gives the bytes
//! RDB_TYPE_SET_INTSET (11) stores verbatim, `iter()` the members
//! of either encoding (RDB_TYPE_SET = 2, digests); loading uses
//! `from_intset_loaded` (type 11, after `IntSet::validate`) or
//! `new_for_load` + `load_member` (type 2), following rdb.c.
//!
//! Memory: a `Set` is 16 bytes and lives directly in `Value` (which stays
//! 24 bytes): the intset encoding is a bare exact-size `Box<[u8]>`, read in
//! place through `IsRef` and turned into an `IntSet` only for the duration
//! of a mutation (`with_is`, no copy).
//!
//! Members are read as `LpVal` (`Int(i64)` for an intset, `Str(&[u8])` for a
//! table), so replies, DEBUG DIGEST and the RDB writer never allocate.
use crate::db::dict::{self, Dict};
use crate::db::intset::{value_encoding, IntSet};
use crate::db::listpack::LpVal;
use crate::util::num::string2ll;
use crate::util::rand::Rng;

/// Redis caps set-max-intset-entries at 1G entries (intset internals).
const INTSET_MAX_ENTRIES_CAP: u64 = 1 << 30;

type Table = Dict<()>;

pub enum Set {
    /// Exact intset bytes (encoding, length, sorted little-endian ints).
    Intset(Box<[u8]>),
    Table(Box<Table>),
}

/// Read-only view of intset bytes (intsetLen, intsetGet, intsetFind).
/// Reads are bounds checked: a short blob reads as fewer members.
#[derive(Clone, Copy)]
pub struct IsRef<'a>(pub &'a [u8]);

impl<'a> IsRef<'a> {
    /// The raw bytes (what RDB / DUMP write verbatim).
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    #[inline]
    fn word(&self, at: usize) -> u32 {
        match self.0.get(at..at + 4) {
            Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            None => 0,
        }
    }

    /// Width of each member: 2, 4 or 8 bytes.
    #[inline]
    pub fn encoding(&self) -> u32 {
        self.word(0)
    }

    /// intsetLen (never more members than the bytes hold).
    #[inline]
    pub fn len(&self) -> usize {
        let enc = self.encoding() as usize;
        let n = self.word(4) as usize;
        if enc == 0 {
            return 0;
        }
        n.min(self.0.len().saturating_sub(8) / enc)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// intsetGet.
    #[inline]
    pub fn get(&self, pos: usize) -> Option<i64> {
        if pos >= self.len() {
            return None;
        }
        let enc = self.encoding() as usize;
        let b = self.0.get(8 + pos * enc..8 + (pos + 1) * enc)?;
        Some(match enc {
            2 => i16::from_le_bytes([b[0], b[1]]) as i64,
            4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        })
    }

    /// intsetFind: binary search.
    pub fn contains(&self, v: i64) -> bool {
        if value_encoding(v) > self.encoding() {
            return false;
        }
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid) {
                Some(x) if x == v => return true,
                Some(x) if x < v => lo = mid + 1,
                Some(_) => hi = mid,
                None => return false,
            }
        }
        false
    }

    /// Members in ascending order.
    pub fn iter(&self) -> IsIter<'a> {
        IsIter {
            is: *self,
            pos: 0,
            len: self.len(),
        }
    }
}

/// Iterator over the members of an `IsRef`.
pub struct IsIter<'a> {
    is: IsRef<'a>,
    pos: usize,
    len: usize,
}

impl Iterator for IsIter<'_> {
    type Item = i64;
    #[inline]
    fn next(&mut self) -> Option<i64> {
        if self.pos >= self.len {
            return None;
        }
        self.pos += 1;
        self.is.get(self.pos - 1)
    }
}

/// Run `f` on the intset stored in `b` as an `IntSet` (moved out and back:
/// no copy).
fn with_is<R>(b: &mut Box<[u8]>, f: impl FnOnce(&mut IntSet) -> R) -> R {
    let bytes = std::mem::take(b).into_vec();
    let mut is = IntSet::from_bytes(bytes).unwrap_or_default();
    let r = f(&mut is);
    *b = is.into_bytes().into_boxed_slice();
    r
}

/// Deep copy keeping the encoding (setTypeDup, used by COPY).
impl Clone for Set {
    fn clone(&self) -> Set {
        match self {
            Set::Intset(b) => Set::Intset(b.clone()),
            Set::Table(d) => {
                let mut nd: Table = Dict::new();
                for (k, _) in d.iter() {
                    nd.insert_new(k.into(), ());
                }
                Set::Table(Box::new(nd))
            }
        }
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|m| m.to_vec()))
            .finish()
    }
}

impl Set {
    /// setTypeCreate: an empty set able to hold `first` — an intset when it
    /// is an integer, a table otherwise.
    pub fn new_for(first: &[u8]) -> Set {
        if string2ll(first).is_some() {
            Set::new_intset()
        } else {
            Set::new_table()
        }
    }

    /// An empty intset-encoded set (createIntsetObject).
    pub fn new_intset() -> Set {
        Set::Intset(IntSet::new().into_bytes().into_boxed_slice())
    }

    /// An empty hashtable-encoded set (createSetObject).
    pub fn new_table() -> Set {
        Set::Table(Box::default())
    }

    /// Adopt an intset blob (RDB_TYPE_SET_INTSET load, RESTORE); the caller
    /// validates it first (`IntSet::validate`).
    pub fn from_intset(is: IntSet) -> Set {
        Set::Intset(is.into_bytes().into_boxed_slice())
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(b) => IsRef(b).len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    /// The intset bytes (what RDB_TYPE_SET_INTSET stores), or None for the
    /// hashtable encoding.
    pub fn intset_bytes(&self) -> Option<&[u8]> {
        match self {
            Set::Intset(b) => Some(b),
            Set::Table(_) => None,
        }
    }

    /// Read-only view of the intset encoding.
    pub fn intset(&self) -> Option<IsRef<'_>> {
        match self {
            Set::Intset(b) => Some(IsRef(b)),
            Set::Table(_) => None,
        }
    }

    /// The table, for SCAN-style cursor iteration (None for an intset).
    pub fn table(&self) -> Option<&Dict<()>> {
        match self {
            Set::Intset(_) => None,
            Set::Table(d) => Some(d),
        }
    }

    /// setTypeAdd: true if `value` was not a member yet.
    pub fn add(&mut self, value: &[u8], max_intset_entries: u64) -> bool {
        match self {
            Set::Table(d) => {
                if d.contains_key(value) {
                    return false;
                }
                d.insert_new(value.into(), ());
                true
            }
            Set::Intset(_) => match string2ll(value) {
                Some(v) => self.add_int(v, max_intset_entries),
                None => {
                    self.convert_to_table();
                    if let Set::Table(d) = self {
                        d.insert_new(value.into(), ());
                    }
                    true
                }
            },
        }
    }

    /// `add` for an element read from another set: integers go straight
    /// into an intset without a round trip through their string form.
    pub fn add_val(&mut self, v: LpVal<'_>, max_intset_entries: u64) -> bool {
        match (v, &mut *self) {
            (LpVal::Int(i), Set::Intset(_)) => self.add_int(i, max_intset_entries),
            _ => v.with_bytes(|b| self.add(b, max_intset_entries)),
        }
    }

    /// intsetAdd on an intset-encoded set, converting past the limit.
    fn add_int(&mut self, v: i64, max_intset_entries: u64) -> bool {
        let b = match self {
            Set::Intset(b) => b,
            Set::Table(_) => return false,
        };
        if IsRef(b).contains(v) {
            return false;
        }
        let len = with_is(b, |is| {
            is.add(v);
            is.len()
        });
        if len as u64 > max_intset_entries.min(INTSET_MAX_ENTRIES_CAP) {
            self.convert_to_table();
        }
        true
    }

    /// RDB_TYPE_SET load, step 1 (rdbLoadObject): the empty set to fill
    /// with `len` members — a table when `len` is above
    /// set-max-intset-entries (capped at 2^30), an intset otherwise.
    pub fn new_for_load(len: u64, max_intset_entries: u64) -> Set {
        if len > max_intset_entries.min(INTSET_MAX_ENTRIES_CAP) {
            Set::new_table()
        } else {
            Set::new_intset()
        }
    }

    /// RDB_TYPE_SET load, step 2, for each member: an intset takes integers
    /// and becomes a table at the first non-integer. Err with Redis's
    /// corruption text on a duplicate member.
    pub fn load_member(&mut self, member: &[u8]) -> Result<(), &'static str> {
        if let Set::Intset(b) = self {
            match string2ll(member) {
                Some(v) => {
                    return if with_is(b, |is| is.add(v)) {
                        Ok(())
                    } else {
                        Err("Duplicate set members detected")
                    };
                }
                None => self.convert_to_table(),
            }
        }
        match self {
            Set::Table(d) => {
                if d.contains_key(member) {
                    return Err("Duplicate set members detected");
                }
                d.insert_new(member.into(), ());
                Ok(())
            }
            Set::Intset(_) => Err("Duplicate set members detected"),
        }
    }

    /// RDB_TYPE_SET_INTSET load / RESTORE: adopt an intset the caller
    /// validated (`IntSet::validate`), converted to a table when it has more
    /// members than set-max-intset-entries.
    pub fn from_intset_loaded(is: IntSet, max_intset_entries: u64) -> Set {
        let mut s = Set::from_intset(is);
        if s.len() as u64 > max_intset_entries {
            s.convert_to_table();
        }
        s
    }

    /// setTypeRemove: true if `value` was a member.
    pub fn remove(&mut self, value: &[u8]) -> bool {
        match self {
            Set::Table(d) => {
                if d.remove(value).is_some() {
                    d.resize_if_needed();
                    true
                } else {
                    false
                }
            }
            Set::Intset(b) => match string2ll(value) {
                Some(v) => IsRef(b).contains(v) && with_is(b, |is| is.remove(v)),
                None => false,
            },
        }
    }

    /// `remove` for an element read from a set (LpVal).
    pub fn remove_val(&mut self, v: LpVal<'_>) -> bool {
        match (v, &mut *self) {
            (LpVal::Int(i), Set::Intset(b)) => {
                IsRef(b).contains(i) && with_is(b, |is| is.remove(i))
            }
            _ => v.with_bytes(|b| self.remove(b)),
        }
    }

    /// setTypeIsMember.
    pub fn contains(&self, value: &[u8]) -> bool {
        match self {
            Set::Table(d) => d.contains_key(value),
            Set::Intset(b) => match string2ll(value) {
                Some(v) => IsRef(b).contains(v),
                None => false,
            },
        }
    }

    /// `contains` for an element read from another set.
    pub fn contains_val(&self, v: LpVal<'_>) -> bool {
        match (v, self) {
            (LpVal::Int(i), Set::Intset(b)) => IsRef(b).contains(i),
            (LpVal::Str(s), _) => self.contains(s),
            (LpVal::Int(_), Set::Table(_)) => v.with_bytes(|b| self.contains(b)),
        }
    }

    /// Members: ascending for an intset, table order for a table.
    pub fn iter(&self) -> SetIter<'_> {
        match self {
            Set::Intset(b) => SetIter::Int(IsRef(b).iter()),
            Set::Table(d) => SetIter::Table(d.iter()),
        }
    }

    /// setTypeRandomElement: a random member of a non-empty set (uniform for
    /// an intset, dictGetFairRandomKey for a table).
    pub fn random(&self, rng: &mut Rng) -> Option<LpVal<'_>> {
        match self {
            Set::Intset(b) => {
                let is = IsRef(b);
                match is.len() {
                    0 => None,
                    n => is.get(rng.gen_index(n)).map(LpVal::Int),
                }
            }
            Set::Table(d) => d.fair_random_entry(rng).map(|(k, _)| LpVal::Str(k)),
        }
    }

    /// Remove and return a random member (SPOP's building block).
    pub fn pop_random(&mut self, rng: &mut Rng) -> Option<PoppedMember> {
        let m = match self.random(rng)? {
            LpVal::Int(i) => PoppedMember::Int(i),
            LpVal::Str(s) => PoppedMember::Str(s.into()),
        };
        match &m {
            PoppedMember::Int(i) => {
                if let Set::Intset(b) = self {
                    with_is(b, |is| is.remove(*i));
                }
            }
            PoppedMember::Str(s) => {
                self.remove(s);
            }
        }
        Some(m)
    }

    /// setTypeConvert(OBJ_ENCODING_HT). No-op for a table.
    pub fn convert_to_table(&mut self) {
        if let Set::Intset(b) = self {
            let mut d: Table = Dict::new();
            let mut buf = Vec::with_capacity(20);
            for v in IsRef(b).iter() {
                buf.clear();
                crate::util::num::ll2string(&mut buf, v);
                d.insert_new(buf.as_slice().into(), ());
            }
            *self = Set::Table(Box::new(d));
        }
    }

    /// Approximate heap bytes (MEMORY USAGE, objectComputeSize): the intset
    /// blob, or the bucket array plus node and member sizes (averaged over
    /// the first `samples` members when `samples` > 0).
    pub fn mem_usage(&self, samples: usize) -> usize {
        let own = std::mem::size_of::<Set>();
        match self {
            Set::Intset(b) => own + b.len(),
            Set::Table(d) => {
                let node = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Box<[u8]>>();
                let base =
                    own + std::mem::size_of::<Table>() + d.buckets() * std::mem::size_of::<usize>();
                let (mut n, mut bytes) = (0usize, 0usize);
                for (k, _) in d.iter() {
                    bytes += node + k.len();
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

/// A member removed from a set (owned, since the set no longer holds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoppedMember {
    Int(i64),
    Str(Box<[u8]>),
}

impl PoppedMember {
    pub fn as_val(&self) -> LpVal<'_> {
        match self {
            PoppedMember::Int(i) => LpVal::Int(*i),
            PoppedMember::Str(s) => LpVal::Str(s),
        }
    }
}

/// Iterator over the members of a set.
pub enum SetIter<'a> {
    Int(IsIter<'a>),
    Table(dict::Iter<'a, ()>),
}

impl<'a> Iterator for SetIter<'a> {
    type Item = LpVal<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpVal<'a>> {
        match self {
            SetIter::Int(it) => it.next().map(LpVal::Int),
            SetIter::Table(it) => it.next().map(|(k, _)| LpVal::Str(k)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &Set) -> Vec<String> {
        let mut v: Vec<String> = s
            .iter()
            .map(|m| String::from_utf8(m.to_vec()).unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn intset_until_non_integer() {
        let mut s = Set::new_for(b"17");
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"17", 512));
        assert!(!s.add(b"17", 512));
        assert!(s.add(b"-5", 512));
        assert!(s.contains(b"-5"));
        assert!(!s.contains(b"-05"), "not canonical: not a member");
        assert!(!s.contains(b"abc"));
        // Ascending order.
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![LpVal::Int(-5), LpVal::Int(17)]
        );
        // Non-canonical integers are strings: conversion.
        assert!(s.add(b"007", 512));
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(members(&s), vec!["-5", "007", "17"]);
        assert!(s.contains(b"17"));
        assert!(s.contains_val(LpVal::Int(-5)));
        assert!(!s.contains(b"7"));
        // Never back to intset.
        assert!(s.remove(b"007"));
        assert_eq!(s.encoding_name(), "hashtable");
    }

    #[test]
    fn intset_entries_limit_and_bigints() {
        let mut s = Set::new_for(b"0");
        for i in 0..512 {
            assert!(s.add(i.to_string().as_bytes(), 512));
        }
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"512", 512));
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(s.len(), 513);

        let s = Set::new_for(b"213244124402402314402033402");
        assert_eq!(s.encoding_name(), "hashtable");
        // Limit 0: the first add converts.
        let mut s = Set::new_for(b"1");
        s.add(b"1", 0);
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"1"));
    }

    #[test]
    fn intset_bytes_are_redis_bytes() {
        // SADD s 1 2 3 -5 70000 → DUMP payload (RDB_TYPE_SET_INTSET).
        let mut s = Set::new_for(b"1");
        for m in ["1", "2", "3", "-5", "70000"] {
            s.add(m.as_bytes(), 512);
        }
        let b = s.intset_bytes().unwrap();
        assert_eq!(&b[..8], &[4, 0, 0, 0, 5, 0, 0, 0]);
        assert_eq!(&b[8..12], &(-5i32).to_le_bytes());
    }

    #[test]
    fn add_val_remove_val_and_loaded() {
        let mut s = Set::new_intset();
        assert!(s.add_val(LpVal::Int(3), 512));
        assert!(!s.add_val(LpVal::Str(b"3"), 512));
        assert!(s.add_val(LpVal::Str(b"x"), 512));
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains_val(LpVal::Int(3)));
        assert!(s.remove_val(LpVal::Int(3)));
        assert!(!s.remove_val(LpVal::Int(3)));
        assert_eq!(Set::new_for_load(512, 512).encoding_name(), "intset");
        assert_eq!(Set::new_for_load(513, 512).encoding_name(), "hashtable");
        let mut s = Set::new_for_load(3, 512);
        assert_eq!(s.load_member(b"5"), Ok(()));
        assert_eq!(s.load_member(b"5"), Err("Duplicate set members detected"));
        assert_eq!(s.encoding_name(), "intset");
        assert_eq!(s.load_member(b"a"), Ok(()));
        assert_eq!(s.encoding_name(), "hashtable");
        assert_eq!(s.load_member(b"a"), Err("Duplicate set members detected"));
        assert_eq!(s.load_member(b"5"), Err("Duplicate set members detected"));
        let mut is = Set::new_intset();
        for i in 0..10 {
            is.add(i.to_string().as_bytes(), 512);
        }
        let blob = IntSet::from_bytes(is.intset_bytes().unwrap().to_vec()).unwrap();
        assert_eq!(
            Set::from_intset_loaded(blob.clone(), 10).encoding_name(),
            "intset"
        );
        let t = Set::from_intset_loaded(blob, 9);
        assert_eq!(t.encoding_name(), "hashtable");
        assert!(t.contains(b"9"));
    }

    #[test]
    fn pop_random_and_clone() {
        let mut rng = Rng::new(1);
        for first in ["1", "a"] {
            let mut s = Set::new_for(first.as_bytes());
            for i in 0..20 {
                s.add(i.to_string().as_bytes(), 512);
            }
            s.add(first.as_bytes(), 512);
            let c = s.clone();
            assert_eq!(c.encoding_name(), s.encoding_name());
            let n = s.len();
            let mut seen = std::collections::HashSet::new();
            while let Some(m) = s.pop_random(&mut rng) {
                assert!(seen.insert(m.as_val().to_vec()));
                assert!(c.contains_val(m.as_val()));
            }
            assert_eq!(seen.len(), n);
            assert_eq!(c.len(), n, "deep copy untouched");
            assert!(s.is_empty());
            assert!(s.random(&mut rng).is_none());
            assert!(c.mem_usage(0) > 0);
        }
    }

    #[test]
    fn random_distribution_table_and_intset() {
        let mut rng = Rng::new(99);
        for first in ["0", "x"] {
            let mut s = Set::new_for(first.as_bytes());
            for i in 0..10 {
                s.add(i.to_string().as_bytes(), 512);
            }
            if first == "x" {
                s.remove(b"x");
            }
            assert_eq!(s.len(), 10);
            let mut counts = [0f64; 10];
            for _ in 0..10000 {
                let m = s.random(&mut rng).unwrap();
                let i: usize = String::from_utf8(m.to_vec()).unwrap().parse().unwrap();
                counts[i] += 1.0;
            }
            let chi: f64 = counts.iter().map(|c| (c - 1000.0).powi(2) / 1000.0).sum();
            // Tables may be slightly biased (see Dict::fair_random_entry).
            assert!(chi < 100.0, "{first}: {counts:?}");
        }
    }
}
