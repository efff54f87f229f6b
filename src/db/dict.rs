//! `Dict`: the chained hash table behind every keyspace (and later behind big
//! hashes and sets), mirroring Redis's `dict.c` design:
//!
//! * power-of-two bucket arrays, chaining through boxed nodes;
//! * two tables during a resize and *incremental rehashing*: each operation
//!   moves one bucket (`rehash_step`), cron may move more (`rehash_ms`), so no
//!   single command pays for a whole resize;
//! * the SCAN cursor is the bucket index with its bits reversed and incremented
//!   from the high end (Pieter Noordhuis's algorithm), which guarantees that an
//!   element present for the whole scan is returned at least once even when
//!   the table grows or shrinks between calls;
//! * keys are hashed with SipHash (std's keyed hasher, random per process) so
//!   clients cannot flood a bucket chain.
//!
//! Keys are byte strings owned by the node (`Box<[u8]>`).
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

struct Node<V> {
    key: Box<[u8]>,
    val: V,
    next: Option<Box<Node<V>>>,
}

struct Table<V> {
    buckets: Vec<Option<Box<Node<V>>>>,
    used: usize,
}

impl<V> Table<V> {
    fn empty() -> Self {
        Table {
            buckets: Vec::new(),
            used: 0,
        }
    }
    fn with_size(n: usize) -> Self {
        let mut buckets = Vec::with_capacity(n);
        buckets.resize_with(n, || None);
        Table { buckets, used: 0 }
    }
    #[inline]
    fn mask(&self) -> u64 {
        (self.buckets.len() as u64).wrapping_sub(1)
    }
}

const DICT_HT_INITIAL_SIZE: usize = 4;
/// With a fork child alive, grow only beyond this load factor (copy-on-write).
const DICT_FORCE_RESIZE_RATIO: usize = 5;

pub struct Dict<V> {
    ht: [Table<V>; 2],
    /// Next bucket of ht[0] to move, or -1 when not rehashing.
    rehash_idx: isize,
    hasher: RandomState,
    /// False while a fork child shares our pages (Redis: dict_can_resize).
    pub can_resize: bool,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

fn rev(v: u64) -> u64 {
    v.reverse_bits()
}

impl<V> Dict<V> {
    pub fn new() -> Self {
        Dict {
            ht: [Table::empty(), Table::empty()],
            rehash_idx: -1,
            hasher: RandomState::new(),
            can_resize: true,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.ht[0].used + self.ht[1].used
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total buckets (for INFO/DEBUG HTSTATS-style reporting).
    pub fn buckets(&self) -> usize {
        self.ht[0].buckets.len() + self.ht[1].buckets.len()
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx != -1
    }

    /// (buckets, elements) of the main table and of the rehashing target
    /// (DEBUG HTSTATS reports them separately, as dictGetStats).
    pub fn table_stats(&self) -> [(usize, usize); 2] {
        [
            (self.ht[0].buckets.len(), self.ht[0].used),
            (self.ht[1].buckets.len(), self.ht[1].used),
        ]
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// Move up to `n` buckets from ht[0] to ht[1] (visiting at most 10*n empty ones).
    pub fn rehash(&mut self, n: usize) -> bool {
        if self.rehash_idx == -1 {
            return false;
        }
        let mut empty_visits = n * 10;
        let mut n = n;
        while n > 0 && self.ht[0].used != 0 {
            n -= 1;
            let mut idx = self.rehash_idx as usize;
            while idx < self.ht[0].buckets.len() && self.ht[0].buckets[idx].is_none() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_idx = idx as isize;
                    return true;
                }
            }
            if idx >= self.ht[0].buckets.len() {
                break;
            }
            let mut chain = self.ht[0].buckets[idx].take();
            while let Some(mut node) = chain {
                chain = node.next.take();
                let h = self.hasher.hash_one(&*node.key) & self.ht[1].mask();
                node.next = self.ht[1].buckets[h as usize].take();
                self.ht[1].buckets[h as usize] = Some(node);
                self.ht[0].used -= 1;
                self.ht[1].used += 1;
            }
            self.rehash_idx = idx as isize + 1;
        }
        if self.ht[0].used == 0 {
            self.ht[0] = std::mem::replace(&mut self.ht[1], Table::empty());
            self.rehash_idx = -1;
            return false;
        }
        true
    }

    /// Rehash for about `ms` milliseconds (cron's active rehashing).
    pub fn rehash_ms(&mut self, ms: u64) -> usize {
        let start = std::time::Instant::now();
        let mut moved = 0;
        while self.rehash(100) {
            moved += 100;
            if start.elapsed().as_millis() as u64 >= ms {
                break;
            }
        }
        moved
    }

    #[inline]
    fn rehash_step(&mut self) {
        if self.rehash_idx != -1 {
            self.rehash(1);
        }
    }

    fn expand(&mut self, size: usize) {
        if self.is_rehashing() || self.ht[0].used > size {
            return;
        }
        let real = size.max(DICT_HT_INITIAL_SIZE).next_power_of_two();
        if real == self.ht[0].buckets.len() {
            return;
        }
        let t = Table::with_size(real);
        if self.ht[0].buckets.is_empty() {
            self.ht[0] = t;
        } else {
            self.ht[1] = t;
            self.rehash_idx = 0;
        }
    }

    /// Pre-size for `size` entries (dictExpand; RDB RESIZEDB hint).
    pub fn expand_hint(&mut self, size: usize) {
        self.expand(size);
    }

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let size = self.ht[0].buckets.len();
        if size == 0 {
            self.expand(DICT_HT_INITIAL_SIZE);
            return;
        }
        let used = self.ht[0].used;
        if used >= size && (self.can_resize || used / size > DICT_FORCE_RESIZE_RATIO) {
            self.expand(used + 1);
        }
    }

    /// Shrink to fit when under 10% full (cron's `tryResizeHashTables`).
    pub fn resize_if_needed(&mut self) {
        let size = self.ht[0].buckets.len();
        if !self.can_resize || self.is_rehashing() || size <= DICT_HT_INITIAL_SIZE {
            return;
        }
        if self.len() * 100 / size < 10 {
            self.expand(self.len().max(DICT_HT_INITIAL_SIZE));
        }
    }

    fn find(&self, key: &[u8]) -> Option<&Node<V>> {
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key);
        for t in 0..2 {
            let table = &self.ht[t];
            if table.buckets.is_empty() {
                continue;
            }
            let mut cur = table.buckets[(h & table.mask()) as usize].as_deref();
            while let Some(n) = cur {
                if &*n.key == key {
                    return Some(n);
                }
                cur = n.next.as_deref();
            }
            if !self.is_rehashing() {
                break;
            }
        }
        None
    }

    fn find_mut(&mut self, key: &[u8]) -> Option<&mut Node<V>> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key);
        let rehashing = self.is_rehashing();
        for t in 0..2 {
            if self.ht[t].buckets.is_empty() {
                continue;
            }
            let idx = (h & self.ht[t].mask()) as usize;
            // Find the position first, then return a fresh mutable borrow.
            let mut depth = None;
            {
                let mut cur = self.ht[t].buckets[idx].as_deref();
                let mut d = 0;
                while let Some(n) = cur {
                    if &*n.key == key {
                        depth = Some(d);
                        break;
                    }
                    d += 1;
                    cur = n.next.as_deref();
                }
            }
            if let Some(d) = depth {
                let mut cur = self.ht[t].buckets[idx].as_deref_mut();
                for _ in 0..d {
                    cur = cur.and_then(|n| n.next.as_deref_mut());
                }
                return cur;
            }
            if !rehashing {
                break;
            }
        }
        None
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.find(key).map(|n| &n.val)
    }

    pub fn get_key_value(&self, key: &[u8]) -> Option<(&[u8], &V)> {
        self.find(key).map(|n| (&*n.key, &n.val))
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.find_mut(key).map(|n| &mut n.val)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(key).is_some()
    }

    /// Insert or replace; returns the old value when the key existed.
    pub fn insert(&mut self, key: &[u8], val: V) -> Option<V> {
        if let Some(n) = self.find_mut(key) {
            return Some(std::mem::replace(&mut n.val, val));
        }
        self.insert_new(key.into(), val);
        None
    }

    /// Insert a key known to be absent.
    pub fn insert_new(&mut self, key: Box<[u8]>, val: V) {
        self.rehash_step();
        self.expand_if_needed();
        let h = self.hash(&key);
        let t = if self.is_rehashing() { 1 } else { 0 };
        let table = &mut self.ht[t];
        let idx = (h & table.mask()) as usize;
        let next = table.buckets[idx].take();
        table.buckets[idx] = Some(Box::new(Node { key, val, next }));
        table.used += 1;
    }

    /// Remove a key, returning its owned key and value.
    pub fn remove(&mut self, key: &[u8]) -> Option<(Box<[u8]>, V)> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key);
        let rehashing = self.is_rehashing();
        for t in 0..2 {
            if self.ht[t].buckets.is_empty() {
                continue;
            }
            let idx = (h & self.ht[t].mask()) as usize;
            let mut link = &mut self.ht[t].buckets[idx];
            loop {
                match link {
                    None => break,
                    Some(n) if &*n.key == key => {
                        let mut node = link.take().expect("matched Some above"); // ok: the arm matched Some
                        *link = node.next.take();
                        self.ht[t].used -= 1;
                        let Node { key, val, .. } = *node;
                        return Some((key, val));
                    }
                    Some(n) => link = &mut n.next,
                }
            }
            if !rehashing {
                break;
            }
        }
        None
    }

    pub fn clear(&mut self) {
        // Unlink chains iteratively so long chains cannot overflow the stack.
        for t in self.ht.iter_mut() {
            for b in t.buckets.iter_mut() {
                let mut cur = b.take();
                while let Some(mut n) = cur {
                    cur = n.next.take();
                }
            }
        }
        self.ht = [Table::empty(), Table::empty()];
        self.rehash_idx = -1;
    }

    /// One SCAN step: calls `f` for every element of the bucket(s) the cursor
    /// designates and returns the next cursor (0 = done).
    pub fn scan<F: FnMut(&[u8], &V)>(&self, cursor: u64, mut f: F) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        let emit = |t: &Table<V>, idx: u64, f: &mut F| {
            let mut cur = t.buckets[(idx & t.mask()) as usize].as_deref();
            while let Some(n) = cur {
                f(&n.key, &n.val);
                cur = n.next.as_deref();
            }
        };
        if !self.is_rehashing() {
            let t0 = &self.ht[0];
            let m0 = t0.mask();
            emit(t0, v, &mut f);
            v |= !m0;
            v = rev(v).wrapping_add(1);
            v = rev(v);
        } else {
            let (small, big) = if self.ht[0].buckets.len() <= self.ht[1].buckets.len() {
                (&self.ht[0], &self.ht[1])
            } else {
                (&self.ht[1], &self.ht[0])
            };
            let m0 = small.mask();
            let m1 = big.mask();
            emit(small, v, &mut f);
            loop {
                emit(big, v, &mut f);
                v |= !m1;
                v = rev(v).wrapping_add(1);
                v = rev(v);
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// A random element, or None when empty (Redis's dictGetRandomKey).
    pub fn random_entry(&self, rng: &mut crate::util::rand::Rng) -> Option<(&[u8], &V)> {
        if self.is_empty() {
            return None;
        }
        // Pick a non-empty bucket uniformly among the live buckets of both
        // tables (ht[0] below rehash_idx is already empty), then a random
        // element of its chain.
        let s0 = self.ht[0].buckets.len();
        let s1 = self.ht[1].buckets.len();
        let lo = if self.is_rehashing() {
            (self.rehash_idx as usize).min(s0)
        } else {
            0
        };
        let range = (s0 - lo + s1).max(1);
        for _ in 0..(range * 4 + 64) {
            let i = lo + (rng.next_u64() as usize) % range;
            let b = if i < s0 {
                &self.ht[0].buckets[i]
            } else {
                &self.ht[1].buckets[i - s0]
            };
            if let Some(head) = b.as_deref() {
                let mut len = 0;
                let mut cur = Some(head);
                while let Some(n) = cur {
                    len += 1;
                    cur = n.next.as_deref();
                }
                let mut cur = head;
                for _ in 0..(rng.next_u64() as usize) % len {
                    match cur.next.as_deref() {
                        Some(n) => cur = n,
                        None => break,
                    }
                }
                return Some((&cur.key, &cur.val));
            }
        }
        self.iter().next()
    }

    /// A random element with a fairer distribution than `random_entry`
    /// (Redis's dictGetFairRandomKey): sample up to 15 elements from a run of
    /// consecutive buckets starting at a random one (dictGetSomeKeys, with
    /// reservoir sampling inside long chains) and pick one of them uniformly,
    /// so elements in long chains are not under-represented. Exactly uniform
    /// for dicts of up to 15 elements (the whole table is sampled); for
    /// bigger ones elements after runs of empty buckets are favoured, as in
    /// Redis.
    pub fn fair_random_entry(&self, rng: &mut crate::util::rand::Rng) -> Option<(&[u8], &V)> {
        const GETFAIR_NUM_ENTRIES: usize = 15;
        let count = self.len().min(GETFAIR_NUM_ENTRIES);
        if count == 0 {
            return None;
        }
        let mut picked: [Option<&Node<V>>; GETFAIR_NUM_ENTRIES] = [None; GETFAIR_NUM_ENTRIES];
        let mut stored = 0usize;
        let tables = if self.is_rehashing() { 2 } else { 1 };
        let mut maxmask = self.ht[0].mask();
        if tables > 1 && self.ht[1].mask() > maxmask {
            maxmask = self.ht[1].mask();
        }
        let mut i = rng.next_u64() & maxmask;
        let mut emptylen = 0usize;
        let mut maxsteps = count * 10;
        'outer: while stored < count && maxsteps > 0 {
            maxsteps -= 1;
            for t in 0..tables {
                if tables == 2 && t == 0 && (i as isize) < self.rehash_idx {
                    if i as usize >= self.ht[1].buckets.len() {
                        i = self.rehash_idx as u64;
                    } else {
                        continue;
                    }
                }
                let table = &self.ht[t];
                let mut cur = match table.buckets.get(i as usize) {
                    Some(b) => b.as_deref(),
                    None => continue,
                };
                if cur.is_none() {
                    emptylen += 1;
                    if emptylen >= 5 && emptylen > count {
                        i = rng.next_u64() & maxmask;
                        emptylen = 0;
                    }
                    continue;
                }
                emptylen = 0;
                while let Some(n) = cur {
                    if stored < count {
                        picked[stored] = Some(n);
                    } else {
                        let r = (rng.next_u64() % (stored as u64 + 1)) as usize;
                        if r < count {
                            picked[r] = Some(n);
                        }
                    }
                    stored += 1;
                    cur = n.next.as_deref();
                }
                if stored >= count {
                    break 'outer;
                }
            }
            i = (i + 1) & maxmask;
        }
        let got = stored.min(count);
        if got == 0 {
            return self.random_entry(rng);
        }
        picked[(rng.next_u64() % got as u64) as usize].map(|n| (&*n.key, &n.val))
    }

    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            dict: self,
            table: 0,
            bucket: 0,
            node: None,
        }
    }
}

impl<V> Drop for Dict<V> {
    fn drop(&mut self) {
        self.clear();
    }
}

pub struct Iter<'a, V> {
    dict: &'a Dict<V>,
    table: usize,
    bucket: usize,
    node: Option<&'a Node<V>>,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a [u8], &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(n) = self.node {
                self.node = n.next.as_deref();
                return Some((&n.key, &n.val));
            }
            if self.table >= 2 {
                return None;
            }
            let t = &self.dict.ht[self.table];
            if self.bucket >= t.buckets.len() {
                self.table += 1;
                self.bucket = 0;
                continue;
            }
            self.node = t.buckets[self.bucket].as_deref();
            self.bucket += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn insert_get_remove_through_rehashing() {
        let mut d: Dict<u32> = Dict::new();
        for i in 0..10000u32 {
            assert!(d.insert(format!("k{i}").as_bytes(), i).is_none());
        }
        assert_eq!(d.len(), 10000);
        for i in 0..10000u32 {
            assert_eq!(d.get(format!("k{i}").as_bytes()), Some(&i));
        }
        for i in (0..10000u32).step_by(2) {
            assert_eq!(d.remove(format!("k{i}").as_bytes()).map(|x| x.1), Some(i));
        }
        assert_eq!(d.len(), 5000);
        assert!(d.get(b"k0").is_none());
        assert_eq!(d.iter().count(), 5000);
        *d.get_mut(b"k1").unwrap() = 7;
        assert_eq!(d.get(b"k1"), Some(&7));
    }

    #[test]
    fn scan_returns_every_stable_element_across_resizes() {
        let mut d: Dict<()> = Dict::new();
        for i in 0..1000 {
            d.insert(format!("a{i}").as_bytes(), ());
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut steps = 0;
        loop {
            cursor = d.scan(cursor, |k, _| {
                seen.insert(k.to_vec());
            });
            steps += 1;
            // Grow the table mid-scan, then shrink it.
            if steps == 50 {
                for i in 0..5000 {
                    d.insert(format!("b{i}").as_bytes(), ());
                }
            }
            if steps == 300 {
                for i in 0..5000 {
                    d.remove(format!("b{i}").as_bytes());
                }
                d.resize_if_needed();
            }
            if cursor == 0 || steps > 100000 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(format!("a{i}").as_bytes()), "missing a{i}");
        }
    }

    #[test]
    fn fair_random_entry_is_uniform_even_while_rehashing() {
        let mut rng = crate::util::rand::Rng::new(11);
        let mut d: Dict<u32> = Dict::new();
        assert!(d.fair_random_entry(&mut rng).is_none());
        // 10 elements in 16 buckets: some chains are longer than others,
        // which random_entry would under-sample.
        for i in 0..10u32 {
            d.insert(format!("e{i}").as_bytes(), i);
        }
        let chi = |d: &Dict<u32>, rng: &mut crate::util::rand::Rng, n: usize| {
            let mut counts = vec![0f64; n];
            for _ in 0..20000 {
                let (_, v) = d.fair_random_entry(rng).unwrap();
                counts[*v as usize] += 1.0;
            }
            let p = 20000.0 / n as f64;
            counts.iter().map(|c| (c - p).powi(2) / p).sum::<f64>()
        };
        assert!(chi(&d, &mut rng, 10) < 40.0);
        // Grow into a rehash: every element stays reachable from both
        // tables (for bigger dicts the sampling window makes the choice only
        // approximately uniform, exactly as Redis's).
        for i in 10..40u32 {
            d.insert(format!("e{i}").as_bytes(), i);
        }
        assert!(d.is_rehashing());
        let mut seen = std::collections::HashSet::new();
        for _ in 0..20000 {
            seen.insert(*d.fair_random_entry(&mut rng).unwrap().1);
        }
        assert_eq!(seen.len(), 40);
    }

    #[test]
    fn random_entry_finds_elements() {
        let mut d: Dict<u8> = Dict::new();
        let mut rng = crate::util::rand::Rng::new(42);
        assert!(d.random_entry(&mut rng).is_none());
        d.insert(b"x", 1);
        assert_eq!(d.random_entry(&mut rng).map(|e| e.0), Some(&b"x"[..]));
        for i in 0..100 {
            d.insert(format!("{i}").as_bytes(), 0);
        }
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            seen.insert(d.random_entry(&mut rng).unwrap().0.to_vec());
        }
        assert!(seen.len() > 90);
    }
}
