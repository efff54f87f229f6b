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
//! For RDB / DUMP / DEBUG DIGEST: `intset()` gives the intset whose
//! `as_bytes()` RDB_TYPE_SET_INTSET (11) stores verbatim, `iter()` the members
//! of either encoding (RDB_TYPE_SET = 2, digests); loading uses
//! `from_intset_loaded` (type 11, after `IntSet::validate`) or
//! `new_for_load` + `load_member` (type 2), following rdb.c.
//!
//! Members are read as `LpVal` (`Int(i64)` for an intset, `Str(&[u8])` for a
//! table), so replies, DEBUG DIGEST and the RDB writer never allocate.
use crate::db::dict::{self, Dict};
use crate::db::intset::{self, IntSet};
use crate::db::listpack::LpVal;
use crate::util::num::string2ll;
use crate::util::rand::Rng;

/// Redis caps set-max-intset-entries at 1G entries (intset internals).
const INTSET_MAX_ENTRIES_CAP: u64 = 1 << 30;

type Table = Dict<()>;

pub enum Set {
    Intset(IntSet),
    Table(Box<Table>),
}

/// Deep copy keeping the encoding (setTypeDup, used by COPY).
impl Clone for Set {
    fn clone(&self) -> Set {
        match self {
            Set::Intset(is) => Set::Intset(is.clone()),
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
        f.debug_set().entries(self.iter().map(|m| m.to_vec())).finish()
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
        Set::Intset(IntSet::new())
    }

    /// An empty hashtable-encoded set (createSetObject).
    pub fn new_table() -> Set {
        Set::Table(Box::default())
    }

    /// Adopt an intset blob (RDB_TYPE_SET_INTSET load, RESTORE); the caller
    /// validates it first (`IntSet::validate`).
    pub fn from_intset(is: IntSet) -> Set {
        Set::Intset(is)
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(is) => is.len(),
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

    /// The intset (its `as_bytes()` is what RDB_TYPE_SET_INTSET stores), or
    /// None for the hashtable encoding.
    pub fn intset(&self) -> Option<&IntSet> {
        match self {
            Set::Intset(is) => Some(is),
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
            Set::Intset(is) => match string2ll(value) {
                Some(v) => {
                    if !is.add(v) {
                        return false;
                    }
                    if is.len() as u64 > max_intset_entries.min(INTSET_MAX_ENTRIES_CAP) {
                        self.convert_to_table();
                    }
                    true
                }
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
            (LpVal::Int(i), Set::Intset(is)) => {
                if !is.add(i) {
                    return false;
                }
                if is.len() as u64 > max_intset_entries.min(INTSET_MAX_ENTRIES_CAP) {
                    self.convert_to_table();
                }
                true
            }
            _ => v.with_bytes(|b| self.add(b, max_intset_entries)),
        }
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
        if let Set::Intset(is) = self {
            match string2ll(member) {
                Some(v) => {
                    return if is.add(v) {
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
        let mut s = Set::Intset(is);
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
            Set::Intset(is) => match string2ll(value) {
                Some(v) => is.remove(v),
                None => false,
            },
        }
    }

    /// `remove` for an element read from a set (LpVal).
    pub fn remove_val(&mut self, v: LpVal<'_>) -> bool {
        match (v, &mut *self) {
            (LpVal::Int(i), Set::Intset(is)) => is.remove(i),
            _ => v.with_bytes(|b| self.remove(b)),
        }
    }

    /// setTypeIsMember.
    pub fn contains(&self, value: &[u8]) -> bool {
        match self {
            Set::Table(d) => d.contains_key(value),
            Set::Intset(is) => match string2ll(value) {
                Some(v) => is.contains(v),
                None => false,
            },
        }
    }

    /// `contains` for an element read from another set.
    pub fn contains_val(&self, v: LpVal<'_>) -> bool {
        match (v, self) {
            (LpVal::Int(i), Set::Intset(is)) => is.contains(i),
            (LpVal::Str(s), _) => self.contains(s),
            (LpVal::Int(_), Set::Table(_)) => v.with_bytes(|b| self.contains(b)),
        }
    }

    /// Members: ascending for an intset, table order for a table.
    pub fn iter(&self) -> SetIter<'_> {
        match self {
            Set::Intset(is) => SetIter::Int(is.iter()),
            Set::Table(d) => SetIter::Table(d.iter()),
        }
    }

    /// setTypeRandomElement: a random member of a non-empty set (uniform for
    /// an intset, dictGetFairRandomKey for a table).
    pub fn random(&self, rng: &mut Rng) -> Option<LpVal<'_>> {
        match self {
            Set::Intset(is) => is.random(rng.next_u64()).map(LpVal::Int),
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
                if let Set::Intset(is) = self {
                    is.remove(*i);
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
        if let Set::Intset(is) = self {
            let mut d: Table = Dict::new();
            let mut buf = Vec::with_capacity(20);
            for v in is.iter() {
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
            Set::Intset(is) => own + is.alloc_size(),
            Set::Table(d) => {
                let node = 2 * std::mem::size_of::<usize>() + std::mem::size_of::<Box<[u8]>>();
                let base = own + std::mem::size_of::<Table>() + d.buckets() * std::mem::size_of::<usize>();
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
    Int(intset::Iter<'a>),
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
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![LpVal::Int(-5), LpVal::Int(17)]);
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
        let b = s.intset().unwrap().as_bytes();
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
        let blob = is.intset().unwrap().clone();
        assert_eq!(Set::from_intset_loaded(blob.clone(), 10).encoding_name(), "intset");
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
            assert!(chi < 40.0, "{first}: {counts:?}");
        }
    }
}
