//! Streams (the data half of Redis's t_stream.c and stream.h).
//!
//! Layout: Redis keeps a rax (radix tree) of listpack nodes keyed by the
//! 128-bit big-endian master ID of each node. We keep the same listpacks,
//! byte for byte, in a `BTreeMap<StreamId, Listpack>` keyed by that master
//! ID (same order as the rax), so RDB / DUMP write exactly Redis's bytes and
//! node-level behaviour (MAXLEN ~ trimming whole nodes, node splits on
//! stream-node-max-bytes / -entries) matches.
//!
//! A node listpack is (streamAppendItem):
//!
//! ```text
//! master entry: count | deleted | num-fields | field_1 .. field_N | 0
//! each entry:   flags | ms-delta | seq-delta |
//!               (SAMEFIELDS: value_1 .. value_N)
//!               (otherwise:  num-fields | field_1 | value_1 | ...)  | lp-count
//! ```
//!
//! Flags: 1 = deleted (tombstone), 2 = same fields as the master entry.
//! IDs are deltas from the master ID (wrapping u64 arithmetic like Redis).
//!
//! Robustness: every listpack is structurally validated when loaded
//! (`validate_node`, Redis's streamValidateListpackIntegrity in deep mode),
//! so offsets are always valid; node *contents* may still be semantically
//! inconsistent after a RESTORE of a crafted payload, so the scanner stops at
//! the first malformed entry and all counters use saturating arithmetic: a
//! corrupt stream gives odd replies, never a panic.
//!
//! Consumer groups (streamCG), consumers and NACKs mirror stream.h with
//! ordered maps in place of raxes (same iteration order: byte-wise keys).
//! A NACK names its consumer instead of pointing to it.
use crate::db::listpack::{Listpack, LpVal};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// A consumer name, shared by the consumer and its NACKs.
pub type Name = Rc<[u8]>;

pub const FLAG_NONE: i64 = 0;
pub const FLAG_DELETED: i64 = 1;
pub const FLAG_SAMEFIELDS: i64 = 2;

/// STREAM_LISTPACK_MAX_SIZE
pub const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// STREAM_LISTPACK_MAX_PRE_ALLOCATE
const LISTPACK_MAX_PRE_ALLOCATE: usize = 4096;

/// SCG_INVALID_ENTRIES_READ
pub const INVALID_ENTRIES_READ: i64 = -1;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Debug, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// streamEncodeID: 128-bit big endian.
    pub fn encode(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.ms.to_be_bytes());
        b[8..].copy_from_slice(&self.seq.to_be_bytes());
        b
    }

    /// streamDecodeID (None unless exactly 16 bytes).
    pub fn decode(b: &[u8]) -> Option<StreamId> {
        if b.len() != 16 {
            return None;
        }
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        Some(StreamId {
            ms: u64::from_be_bytes(ms),
            seq: u64::from_be_bytes(seq),
        })
    }

    pub fn is_zero(&self) -> bool {
        self.ms == 0 && self.seq == 0
    }

    /// streamIncrID: false (and 0-0) when already the maximum.
    pub fn incr(&mut self) -> bool {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                *self = StreamId::MIN;
                return false;
            }
            self.ms += 1;
            self.seq = 0;
        } else {
            self.seq += 1;
        }
        true
    }

    /// streamDecrID: false (and MAX) when already 0-0.
    pub fn decr(&mut self) -> bool {
        if self.seq == 0 {
            if self.ms == 0 {
                *self = StreamId::MAX;
                return false;
            }
            self.ms -= 1;
            self.seq = u64::MAX;
        } else {
            self.seq -= 1;
        }
        true
    }

    /// "<ms>-<seq>" appended to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let _ = write!(out, "{}-{}", self.ms, self.seq);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(24);
        self.write_to(&mut v);
        v
    }
}

/// streamNACK
#[derive(Clone, Debug)]
pub struct Nack {
    pub delivery_time: i64,
    pub delivery_count: u64,
    /// Name of the consumer that owns it (None only in a corrupt load).
    pub consumer: Option<Name>,
}

/// streamConsumer
#[derive(Clone, Debug, Default)]
pub struct Consumer {
    pub seen_time: i64,
    pub pel: BTreeSet<StreamId>,
}

/// streamCG
#[derive(Clone, Debug, Default)]
pub struct ConsumerGroup {
    pub last_id: StreamId,
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Nack>,
    pub consumers: BTreeMap<Name, Consumer>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Remove `id` from the group PEL and from its owner's PEL (XACK).
    pub fn ack(&mut self, id: &StreamId) -> bool {
        match self.pel.remove(id) {
            Some(nack) => {
                if let Some(name) = nack.consumer.as_deref() {
                    if let Some(c) = self.consumers.get_mut(name) {
                        c.pel.remove(id);
                    }
                }
                true
            }
            None => false,
        }
    }

    /// streamDelConsumer: drop a consumer and its pending entries; returns
    /// how many were pending.
    pub fn del_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in c.pel.iter() {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// The shared name of an existing consumer (a new one otherwise).
    pub fn name_of(&self, consumer: &[u8]) -> Name {
        match self.consumers.get_key_value(consumer) {
            Some((k, _)) => k.clone(),
            None => consumer.into(),
        }
    }

    /// Make `consumer` the owner of the pending entry `id` (moving it out of
    /// its previous owner's PEL). The consumer must exist.
    pub fn set_owner(&mut self, id: StreamId, consumer: &[u8]) {
        let name = self.name_of(consumer);
        let prev = match self.pel.get_mut(&id) {
            Some(n) => {
                if n.consumer.as_deref() == Some(consumer) {
                    return;
                }
                n.consumer.replace(name)
            }
            None => return,
        };
        if let Some(p) = prev {
            if let Some(c) = self.consumers.get_mut(&p) {
                c.pel.remove(&id);
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }
}

/// One entry of a scanned node.
#[derive(Clone, Copy, Debug)]
pub struct NodeEntry {
    pub id: StreamId,
    pub flags: i64,
    /// Offset of the flags element (tombstoning rewrites it in place).
    pub flags_off: usize,
    /// Offset of the first field (or value, for SAMEFIELDS entries).
    pub body_off: Option<usize>,
    pub nfields: usize,
}

/// A node decoded into entry positions (one forward walk).
#[derive(Clone, Debug, Default)]
pub struct NodeScan {
    pub master_fields_off: Option<usize>,
    pub master_fields: usize,
    pub entries: Vec<NodeEntry>,
}

/// Cursor over listpack elements that never panics.
struct Cur<'a> {
    lp: &'a Listpack,
    at: Option<usize>,
}

impl<'a> Cur<'a> {
    fn take(&mut self) -> Option<usize> {
        let p = self.at?;
        self.at = self.lp.next(p);
        Some(p)
    }
    fn int(&mut self) -> Option<i64> {
        let p = self.take()?;
        self.lp.get(p).as_int()
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        for _ in 0..n {
            self.take()?;
        }
        Some(())
    }
}

/// Decode a node's entries (stops at the first malformed entry).
pub fn scan_node(lp: &Listpack, master: StreamId) -> NodeScan {
    let mut scan = NodeScan::default();
    let mut cur = Cur { lp, at: lp.first() };
    let head = (|| {
        cur.int()?; // count
        cur.int()?; // deleted
        let nf = cur.int()?;
        if nf < 0 {
            return None;
        }
        Some(nf as usize)
    })();
    let nf = match head {
        Some(n) => n,
        None => return scan,
    };
    scan.master_fields = nf;
    scan.master_fields_off = cur.at;
    if cur.skip(nf).is_none() {
        return scan;
    }
    match cur.int() {
        Some(0) => {}
        _ => return scan,
    }
    while cur.at.is_some() {
        let e = (|| {
            let flags_off = cur.at?;
            let flags = cur.int()?;
            let msd = cur.int()?;
            let seqd = cur.int()?;
            let id = StreamId {
                ms: master.ms.wrapping_add(msd as u64),
                seq: master.seq.wrapping_add(seqd as u64),
            };
            let (nfields, body_off) = if flags & FLAG_SAMEFIELDS != 0 {
                let b = cur.at;
                cur.skip(nf)?;
                (nf, b)
            } else {
                let n = cur.int()?;
                if n < 0 {
                    return None;
                }
                let n = n as usize;
                let b = cur.at;
                cur.skip(n.checked_mul(2)?)?;
                (n, b)
            };
            cur.int()?; // lp-count
            Some(NodeEntry {
                id,
                flags,
                flags_off,
                body_off: if nfields == 0 { None } else { body_off },
                nfields,
            })
        })();
        match e {
            Some(e) => scan.entries.push(e),
            None => break,
        }
    }
    scan
}

/// Call `f(field, value)` for each pair of entry `e` of a scanned node.
pub fn for_each_field<'a>(
    lp: &'a Listpack,
    scan: &NodeScan,
    e: &NodeEntry,
    mut f: impl FnMut(LpVal<'a>, LpVal<'a>),
) {
    if e.flags & FLAG_SAMEFIELDS != 0 {
        let mut fc = Cur {
            lp,
            at: scan.master_fields_off,
        };
        let mut vc = Cur { lp, at: e.body_off };
        for _ in 0..e.nfields {
            match (fc.take(), vc.take()) {
                (Some(a), Some(b)) => f(lp.get(a), lp.get(b)),
                _ => return,
            }
        }
    } else {
        let mut c = Cur { lp, at: e.body_off };
        for _ in 0..e.nfields {
            match (c.take(), c.take()) {
                (Some(a), Some(b)) => f(lp.get(a), lp.get(b)),
                _ => return,
            }
        }
    }
}

/// streamValidateListpackIntegrity in deep mode (the listpack itself is
/// validated first): master entry, then every entry with a correct
/// lp-count, and nothing after the last one.
pub fn validate_node(bytes: &[u8], deep: bool) -> bool {
    if !Listpack::validate(bytes, true) {
        return false;
    }
    if !deep {
        return true;
    }
    let lp = match Listpack::from_bytes(bytes.to_vec()) {
        Some(l) => l,
        None => return false,
    };
    let mut cur = Cur {
        lp: &lp,
        at: lp.first(),
    };
    let r = (|| {
        let count = cur.int()?;
        let deleted = cur.int()?;
        let nf = cur.int()?;
        if nf < 0 {
            return None;
        }
        cur.skip(nf as usize)?;
        if cur.int()? != 0 {
            return None;
        }
        let mut total = count.checked_add(deleted)?;
        while total > 0 {
            total -= 1;
            let flags = cur.int()?;
            cur.int()?;
            cur.int()?;
            let mut fields = nf;
            let mut extra = 3i64;
            if flags & FLAG_SAMEFIELDS == 0 {
                fields = cur.int()?;
                if fields < 0 {
                    return None;
                }
                cur.skip(fields as usize)?;
                extra += fields + 1;
            }
            cur.skip(fields as usize)?;
            if cur.int()? != fields.checked_add(extra)? {
                return None;
            }
        }
        if cur.at.is_some() {
            return None;
        }
        Some(())
    })();
    r.is_some()
}

/// The stream value. `nodes` changes only through `insert_node` /
/// `remove_node`, which keep `rax` (the shape of Redis's rax over the
/// node keys, for radix-tree-nodes and MEMORY USAGE) in step.
#[derive(Debug, Default)]
pub struct Stream {
    pub nodes: BTreeMap<StreamId, Listpack>,
    rax: crate::types::rax::RaxShape,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_entry_id: StreamId,
    pub entries_added: u64,
    pub cgroups: BTreeMap<Box<[u8]>, ConsumerGroup>,
}

/// Why `Stream::append` refused an entry.
#[derive(Debug, PartialEq, Eq)]
pub enum AppendError {
    /// ID equal or smaller than the top item (EDOM).
    IdTooSmall,
    /// Fields too large (ERANGE).
    TooLarge,
}

/// Trimming strategy (streamAddTrimArgs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    None,
    MaxLen(u64),
    MinId(StreamId),
}

/// Node limits (stream-node-max-bytes / -entries).
#[derive(Clone, Copy, Debug)]
pub struct NodeLimits {
    pub max_bytes: u64,
    pub max_entries: i64,
}

/// Iterator state (streamIterator): positions are re-found by ID after a
/// mutation, so the caller may modify the stream between calls.
pub struct StreamIter {
    start: StreamId,
    end: StreamId,
    start_given: bool,
    end_given: bool,
    rev: bool,
    pub skip_tombstones: bool,
    /// Master ID of the node being walked.
    node: Option<StreamId>,
    scan: NodeScan,
    /// Next index into scan.entries (forward) or one past it (reverse).
    pos: usize,
    started: bool,
    done: bool,
    /// Entry last returned.
    cur: Option<NodeEntry>,
}

impl StreamIter {
    /// streamIteratorStart (None bounds = whole stream).
    pub fn new(start: Option<StreamId>, end: Option<StreamId>, rev: bool) -> StreamIter {
        StreamIter {
            start: start.unwrap_or(StreamId::MIN),
            end: end.unwrap_or(StreamId::MAX),
            start_given: start.is_some_and(|s| !s.is_zero()),
            end_given: end.is_some_and(|e| !e.is_zero()),
            rev,
            skip_tombstones: true,
            node: None,
            scan: NodeScan::default(),
            pos: 0,
            started: false,
            done: false,
            cur: None,
        }
    }

    fn load_node(&mut self, s: &Stream, key: StreamId) {
        self.node = Some(key);
        match s.nodes.get(&key) {
            Some(lp) => self.scan = scan_node(lp, key),
            None => self.scan.entries.clear(),
        }
        self.pos = if self.rev { self.scan.entries.len() } else { 0 };
    }

    /// Advance to the next node; false at the end.
    fn next_node(&mut self, s: &Stream) -> bool {
        use std::ops::Bound::*;
        let key = if !self.started {
            self.started = true;
            if !self.rev {
                let k = if self.start_given {
                    s.nodes.range(..=self.start).next_back().map(|(k, _)| *k)
                } else {
                    None
                };
                k.or_else(|| s.nodes.keys().next().copied())
            } else {
                let k = if self.end_given {
                    s.nodes.range(..=self.end).next_back().map(|(k, _)| *k)
                } else {
                    None
                };
                k.or_else(|| s.nodes.keys().next_back().copied())
            }
        } else {
            let cur = match self.node {
                Some(c) => c,
                None => return false,
            };
            if !self.rev {
                s.nodes
                    .range((Excluded(cur), Unbounded))
                    .next()
                    .map(|(k, _)| *k)
            } else {
                s.nodes.range(..cur).next_back().map(|(k, _)| *k)
            }
        };
        match key {
            Some(k) => {
                self.load_node(s, k);
                true
            }
            None => {
                self.node = None;
                false
            }
        }
    }

    /// streamIteratorGetID: the next entry's ID in range.
    pub fn next(&mut self, s: &Stream) -> Option<StreamId> {
        if self.done {
            return None;
        }
        loop {
            let e = if !self.rev {
                if self.started && self.node.is_some() && self.pos < self.scan.entries.len() {
                    self.pos += 1;
                    Some(self.scan.entries[self.pos - 1])
                } else {
                    None
                }
            } else if self.started && self.node.is_some() && self.pos > 0 {
                self.pos -= 1;
                Some(self.scan.entries[self.pos])
            } else {
                None
            };
            let e = match e {
                Some(e) => e,
                None => {
                    if !self.next_node(s) {
                        self.done = true;
                        return None;
                    }
                    continue;
                }
            };
            let emit = !self.skip_tombstones || e.flags & FLAG_DELETED == 0;
            if !self.rev {
                if e.id >= self.start && emit {
                    if e.id > self.end {
                        self.done = true;
                        return None;
                    }
                    self.cur = Some(e);
                    return Some(e.id);
                }
            } else if e.id <= self.end && emit {
                if e.id < self.start {
                    self.done = true;
                    return None;
                }
                self.cur = Some(e);
                return Some(e.id);
            }
        }
    }

    /// Fields of the entry last returned by `next`.
    pub fn fields<'a>(&self, s: &'a Stream, f: impl FnMut(LpVal<'a>, LpVal<'a>)) {
        let (node, e) = match (self.node, self.cur.as_ref()) {
            (Some(n), Some(e)) => (n, e),
            _ => return,
        };
        if let Some(lp) = s.nodes.get(&node) {
            for_each_field(lp, &self.scan, e, f);
        }
    }

    /// Number of field-value pairs of the current entry.
    pub fn num_fields(&self) -> usize {
        self.cur.map(|e| e.nfields).unwrap_or(0)
    }

    /// streamIteratorRemoveEntry: tombstone the current entry, then restart
    /// after it (Redis re-seeks the same way).
    pub fn remove_current(&mut self, s: &mut Stream) {
        let (node, e) = match (self.node, self.cur) {
            (Some(n), Some(e)) => (n, e),
            _ => return,
        };
        s.tombstone(node, &e);
        if self.rev {
            self.end = e.id;
            self.end_given = !e.id.is_zero();
        } else {
            self.start = e.id;
            self.start_given = !e.id.is_zero();
        }
        self.started = false;
        self.node = None;
        self.cur = None;
        self.scan.entries.clear();
    }
}

/// Read an integer element of a node (None when malformed).
fn lp_int_at(lp: &Listpack, off: Option<usize>) -> Option<i64> {
    lp.get(off?).as_int()
}

/// streamDup (COPY): Redis re-inserts the nodes into a fresh rax, so the
/// copy's rax has the shape of an insert-only history.
impl Clone for Stream {
    fn clone(&self) -> Stream {
        let mut s = Stream {
            nodes: BTreeMap::new(),
            rax: Default::default(),
            length: self.length,
            last_id: self.last_id,
            first_id: self.first_id,
            max_deleted_entry_id: self.max_deleted_entry_id,
            entries_added: self.entries_added,
            cgroups: self.cgroups.clone(),
        };
        for (k, lp) in self.nodes.iter() {
            s.insert_node(*k, lp.clone());
        }
        s
    }
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Add a node (raxInsert); false if the key exists (raxTryInsert).
    pub fn insert_node(&mut self, key: StreamId, lp: Listpack) -> bool {
        if self.nodes.contains_key(&key) {
            return false;
        }
        self.rax.insert(&key.encode());
        self.nodes.insert(key, lp);
        true
    }

    /// Drop a node (raxRemove).
    pub fn remove_node(&mut self, key: &StreamId) {
        if self.nodes.remove(key).is_some() {
            self.rax.remove(&key.encode());
        }
    }

    /// rax->numnodes of the node rax (XINFO radix-tree-nodes).
    pub fn rax_nodes(&self) -> usize {
        self.rax.numnodes()
    }

    /// Number of listpack nodes (XINFO radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// streamAppendItem. `id`: None = auto, Some((id, seq_given)).
    pub fn append(
        &mut self,
        fields: &[(&[u8], &[u8])],
        use_id: Option<(StreamId, bool)>,
        now_ms: u64,
        limits: NodeLimits,
    ) -> Result<StreamId, AppendError> {
        let id = match use_id {
            Some((id, true)) => id,
            Some((id, false)) => {
                if self.last_id.ms == id.ms {
                    if self.last_id.seq == u64::MAX {
                        return Err(AppendError::IdTooSmall);
                    }
                    StreamId::new(id.ms, self.last_id.seq + 1)
                } else {
                    id
                }
            }
            None => {
                if now_ms > self.last_id.ms {
                    StreamId::new(now_ms, 0)
                } else {
                    let mut n = self.last_id;
                    n.incr();
                    n
                }
            }
        };
        if id <= self.last_id {
            return Err(AppendError::IdTooSmall);
        }
        let totelelen: usize = fields.iter().map(|(f, v)| f.len() + v.len()).sum();
        if totelelen > LISTPACK_MAX_SIZE {
            return Err(AppendError::TooLarge);
        }
        let mut tail = self
            .nodes
            .iter()
            .next_back()
            .map(|(k, lp)| (*k, lp.bytes()));
        if let Some((key, lp_bytes)) = tail {
            let mut node_max = limits.max_bytes as usize;
            if node_max == 0 || node_max > LISTPACK_MAX_SIZE {
                node_max = LISTPACK_MAX_SIZE;
            }
            let mut new_node = lp_bytes + totelelen >= node_max;
            if !new_node && limits.max_entries != 0 {
                if let Some(lp) = self.nodes.get(&key) {
                    let first = lp.first();
                    let count = lp_int_at(lp, first).unwrap_or(0);
                    let deleted = lp_int_at(lp, first.and_then(|p| lp.next(p))).unwrap_or(0);
                    if count.saturating_add(deleted) >= limits.max_entries {
                        new_node = true;
                    }
                }
            }
            if new_node {
                if let Some(lp) = self.nodes.get_mut(&key) {
                    lp.shrink_to_fit();
                }
                tail = None;
            }
        }
        let numfields = fields.len() as i64;
        let mut flags = FLAG_NONE;
        let (master, lp) = match tail {
            None => {
                let mut prealloc = LISTPACK_MAX_PRE_ALLOCATE;
                if limits.max_bytes > 0 && (limits.max_bytes as usize) < prealloc {
                    prealloc = limits.max_bytes as usize;
                }
                let mut lp = Listpack::with_capacity(prealloc);
                lp.append_int(1);
                lp.append_int(0);
                lp.append_int(numfields);
                for (f, _) in fields {
                    lp.append(f);
                }
                lp.append_int(0);
                flags |= FLAG_SAMEFIELDS;
                self.insert_node(id, lp);
                (id, self.nodes.get_mut(&id))
            }
            Some((key, _)) => {
                let lp = match self.nodes.get_mut(&key) {
                    Some(lp) => lp,
                    None => return Err(AppendError::TooLarge),
                };
                if let Some(p) = lp.first() {
                    let count = lp.get(p).as_int().unwrap_or(0);
                    lp.replace_int(p, count.saturating_add(1));
                }
                let p = lp.first().and_then(|p| lp.next(p)).and_then(|p| lp.next(p));
                let mfc = lp_int_at(lp, p).unwrap_or(-1);
                if mfc == numfields {
                    let mut q = p.and_then(|p| lp.next(p));
                    let mut same = true;
                    for (f, _) in fields {
                        match q {
                            Some(off) if lp.get(off).eq_bytes_exact(f) => q = lp.next(off),
                            _ => {
                                same = false;
                                break;
                            }
                        }
                    }
                    if same {
                        flags |= FLAG_SAMEFIELDS;
                    }
                }
                (key, Some(lp))
            }
        };
        let lp = match lp {
            Some(l) => l,
            None => return Err(AppendError::TooLarge),
        };
        lp.append_int(flags);
        lp.append_int(id.ms.wrapping_sub(master.ms) as i64);
        lp.append_int(id.seq.wrapping_sub(master.seq) as i64);
        let same = flags & FLAG_SAMEFIELDS != 0;
        if !same {
            lp.append_int(numfields);
        }
        for (f, v) in fields {
            if !same {
                lp.append(f);
            }
            lp.append(v);
        }
        let mut lp_count = numfields + 3;
        if !same {
            lp_count += numfields + 1;
        }
        lp.append_int(lp_count);
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Mark entry `e` of node `node` deleted and fix the node counters;
    /// drops the node when it was its last live entry.
    fn tombstone(&mut self, node: StreamId, e: &NodeEntry) {
        let lp = match self.nodes.get_mut(&node) {
            Some(l) => l,
            None => return,
        };
        lp.replace_int(e.flags_off, e.flags | FLAG_DELETED);
        let p = lp.first();
        let count = lp_int_at(lp, p).unwrap_or(0);
        if count <= 1 {
            self.remove_node(&node);
        } else if let Some(p) = p {
            if let Some(p) = lp.replace_int(p, count - 1) {
                if let Some(q) = lp.next(p) {
                    let del = lp.get(q).as_int().unwrap_or(0);
                    lp.replace_int(q, del.saturating_add(1));
                }
            }
        }
        self.length = self.length.saturating_sub(1);
    }

    /// streamDeleteItem.
    pub fn delete_item(&mut self, id: StreamId) -> bool {
        let mut it = StreamIter::new(Some(id), Some(id), false);
        if it.next(self).is_some() {
            it.remove_current(self);
            true
        } else {
            false
        }
    }

    /// streamEntryExists.
    pub fn entry_exists(&self, id: StreamId) -> bool {
        let mut it = StreamIter::new(Some(id), Some(id), false);
        it.next(self) == Some(id)
    }

    /// streamGetEdgeID.
    pub fn edge_id(&self, first: bool, skip_tombstones: bool) -> StreamId {
        let mut it = StreamIter::new(None, None, !first);
        it.skip_tombstones = skip_tombstones;
        match it.next(self) {
            Some(id) => id,
            None => {
                if first {
                    StreamId::MAX
                } else {
                    StreamId::MIN
                }
            }
        }
    }

    /// streamLastValidID (0-0 when none).
    pub fn last_valid_id(&self) -> StreamId {
        let mut it = StreamIter::new(None, None, true);
        it.next(self).unwrap_or(StreamId::MIN)
    }

    /// Update first_id after deletions (XDEL's tail).
    pub fn refresh_first_id(&mut self) {
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else {
            self.first_id = self.edge_id(true, true);
        }
    }

    /// streamTrim. `limit` 0 = none. Returns the number of entries removed.
    pub fn trim(&mut self, strategy: Trim, approx: bool, limit: i64) -> i64 {
        if strategy == Trim::None {
            return 0;
        }
        let mut deleted: i64 = 0;
        let keys: Vec<StreamId> = self.nodes.keys().copied().collect();
        for key in keys {
            if let Trim::MaxLen(maxlen) = strategy {
                if self.length <= maxlen {
                    break;
                }
            }
            let lp = match self.nodes.get(&key) {
                Some(l) => l,
                None => continue,
            };
            let entries = lp_int_at(lp, lp.first()).unwrap_or(0);
            if limit != 0 && deleted.saturating_add(entries) > limit {
                break;
            }
            let scan = scan_node(lp, key);
            let remove_node = match strategy {
                Trim::MaxLen(maxlen) => {
                    self.length.wrapping_sub(entries as u64) >= maxlen
                        && self.length >= entries as u64
                }
                Trim::MinId(minid) => {
                    let last = scan.entries.last().map(|e| e.id).unwrap_or(key);
                    last < minid
                }
                Trim::None => false,
            };
            if remove_node {
                self.remove_node(&key);
                self.length = self.length.saturating_sub(entries.max(0) as u64);
                deleted = deleted.saturating_add(entries);
                continue;
            }
            if approx {
                break;
            }
            let lp = match self.nodes.get_mut(&key) {
                Some(l) => l,
                None => break,
            };
            let mut deleted_from_lp = 0i64;
            for e in scan.entries.iter() {
                let stop = match strategy {
                    Trim::MaxLen(maxlen) => self.length <= maxlen,
                    Trim::MinId(minid) => e.id >= minid,
                    Trim::None => true,
                };
                if stop {
                    break;
                }
                if e.flags & FLAG_DELETED == 0 {
                    // Same-size rewrite (flags are 1-byte small ints).
                    lp.replace_int(e.flags_off, e.flags | FLAG_DELETED);
                    deleted_from_lp += 1;
                    self.length = self.length.saturating_sub(1);
                }
            }
            deleted = deleted.saturating_add(deleted_from_lp);
            if let Some(p) = lp.first() {
                if let Some(p) = lp.replace_int(p, entries.saturating_sub(deleted_from_lp)) {
                    if let Some(q) = lp.next(p) {
                        let md = lp.get(q).as_int().unwrap_or(0);
                        lp.replace_int(q, md.saturating_add(deleted_from_lp));
                    }
                }
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted != 0 {
            self.first_id = self.edge_id(true, true);
        }
        deleted
    }

    /// streamRangeHasTombstones.
    pub fn range_has_tombstones(&self, start: Option<StreamId>, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        let s = start.unwrap_or(StreamId::MIN);
        let e = end.unwrap_or(StreamId::MAX);
        s <= self.max_deleted_entry_id && self.max_deleted_entry_id <= e
    }

    /// streamEstimateDistanceFromFirstEverEntry.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return self.entries_added as i64;
        }
        if id == self.last_id {
            return self.entries_added as i64;
        } else if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return self.entries_added.wrapping_sub(self.length) as i64;
            } else if id == self.first_id {
                return self.entries_added.wrapping_sub(self.length).wrapping_add(1) as i64;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// The lag of a group (streamReplyWithCGLag); None = unknown (null).
    pub fn group_lag(&self, cg: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if cg.entries_read != INVALID_ENTRIES_READ
            && !self.range_has_tombstones(Some(cg.last_id), None)
        {
            return Some((self.entries_added as i64).wrapping_sub(cg.entries_read));
        }
        let er = self.estimate_distance(cg.last_id);
        if er != INVALID_ENTRIES_READ {
            Some((self.entries_added as i64).wrapping_sub(er))
        } else {
            None
        }
    }

    /// objectComputeSize for a stream, `sample` nodes sampled (0 = all):
    /// robj + stream struct, the rax (streamRadixTreeMemoryUsage), the
    /// listpacks (average of the sampled ones, plus the real last one),
    /// and the groups with their PELs and consumers.
    pub fn memory_usage(&self, sample: usize) -> usize {
        use crate::command::server_cmds::jemalloc_size;
        let mut size = 16 + 80 + self.nodes.len() * 16 + self.rax.numnodes() * (4 + 8 * 30);
        let n = self.nodes.len();
        let mut lpsize = 0usize;
        let mut samples = 0usize;
        for lp in self.nodes.values() {
            if sample != 0 && samples >= sample {
                break;
            }
            lpsize += jemalloc_size(lp.alloc_size());
            samples += 1;
        }
        if n <= samples {
            size += lpsize;
        } else {
            lpsize = lpsize.checked_div(samples).unwrap_or(0);
            size += lpsize * (n - 1);
            if let Some(lp) = self.nodes.values().next_back() {
                size += jemalloc_size(lp.alloc_size());
            }
        }
        for cg in self.cgroups.values() {
            size += 40 + rax_memory_usage(cg.pel.keys()) + 24 * cg.pel.len();
            for (name, c) in cg.consumers.iter() {
                size += 24 + name.len() + rax_memory_usage(c.pel.iter());
            }
        }
        size
    }

    pub fn lookup_group(&self, name: &[u8]) -> Option<&ConsumerGroup> {
        self.cgroups.get(name)
    }

    pub fn lookup_group_mut(&mut self, name: &[u8]) -> Option<&mut ConsumerGroup> {
        self.cgroups.get_mut(name)
    }

    /// streamCreateCG: false when the name exists.
    pub fn create_group(&mut self, name: &[u8], id: StreamId, entries_read: i64) -> bool {
        if self.cgroups.contains_key(name) {
            return false;
        }
        self.cgroups
            .insert(name.into(), ConsumerGroup::new(id, entries_read));
        true
    }
}

/// Number of nodes of a Redis rax holding these 16-byte keys (XINFO
/// radix-tree-nodes). A rax keeps paths compressed, so its nodes start at:
/// the root, every branching prefix, every child of a branching prefix and
/// every key end. For sorted keys the branching prefixes are the longest
/// common prefixes of neighbours.
pub fn rax_node_count<'a>(keys: impl Iterator<Item = &'a StreamId>) -> usize {
    use std::collections::HashSet;
    let keys: Vec<[u8; 16]> = keys.map(|k| k.encode()).collect();
    let mut set: HashSet<&[u8]> = HashSet::new();
    set.insert(&[]);
    for k in keys.iter() {
        set.insert(&k[..]);
    }
    for w in keys.windows(2) {
        let l = w[0]
            .iter()
            .zip(w[1].iter())
            .take_while(|(a, b)| a == b)
            .count();
        if l < 16 {
            set.insert(&w[0][..l]);
            set.insert(&w[0][..l + 1]);
            set.insert(&w[1][..l + 1]);
        }
    }
    set.len()
}

/// streamRadixTreeMemoryUsage: 16 bytes a key, 4 + 30 words a node.
fn rax_memory_usage<'a>(keys: impl Iterator<Item = &'a StreamId> + Clone) -> usize {
    let n = keys.clone().count();
    n * 16 + rax_node_count(keys) * (4 + 8 * 30)
}

/// Exact byte equality of a listpack element with `s` (lpGet + memcmp: an
/// integer element compares through its decimal form).
trait EqExact {
    fn eq_bytes_exact(&self, s: &[u8]) -> bool;
}

impl EqExact for LpVal<'_> {
    fn eq_bytes_exact(&self, s: &[u8]) -> bool {
        self.with_bytes(|b| b == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> NodeLimits {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }

    fn ids(s: &Stream, rev: bool) -> Vec<StreamId> {
        let mut it = StreamIter::new(None, None, rev);
        let mut v = Vec::new();
        while let Some(id) = it.next(s) {
            v.push(id);
        }
        v
    }

    #[test]
    fn append_iterate_delete_trim() {
        let mut s = Stream::new();
        for i in 1..=250u64 {
            let v = i.to_string();
            let f: &[(&[u8], &[u8])] = if i % 3 == 0 {
                &[(b"other", v.as_bytes())]
            } else {
                &[(b"a", v.as_bytes()), (b"b", b"x")]
            };
            let id = s
                .append(f, Some((StreamId::new(i, 0), true)), 0, lim())
                .unwrap();
            assert_eq!(id, StreamId::new(i, 0));
        }
        assert_eq!(s.length, 250);
        assert_eq!(s.nodes.len(), 3);
        let all = ids(&s, false);
        assert_eq!(all.len(), 250);
        let mut r = ids(&s, true);
        r.reverse();
        assert_eq!(all, r);
        for n in s.nodes.iter() {
            assert!(validate_node(n.1.as_bytes(), true));
        }
        // fields
        let mut it = StreamIter::new(Some(StreamId::new(3, 0)), None, false);
        assert_eq!(it.next(&s), Some(StreamId::new(3, 0)));
        let mut got = Vec::new();
        it.fields(&s, |f, v| got.push((f.to_vec(), v.to_vec())));
        assert_eq!(got, vec![(b"other".to_vec(), b"3".to_vec())]);
        assert!(s.delete_item(StreamId::new(5, 0)));
        assert!(!s.delete_item(StreamId::new(5, 0)));
        assert!(!s.entry_exists(StreamId::new(5, 0)));
        assert_eq!(s.length, 249);
        let t = s.trim(Trim::MaxLen(100), true, 0);
        assert_eq!(t, 99);
        assert_eq!(s.length, 150);
        let t = s.trim(Trim::MaxLen(10), false, 0);
        assert_eq!(t, 140);
        assert_eq!(s.length, 10);
        assert_eq!(ids(&s, false).len(), 10);
        assert_eq!(s.first_id, StreamId::new(241, 0));
        for n in s.nodes.iter() {
            assert!(validate_node(n.1.as_bytes(), true));
        }
    }

    #[test]
    fn ids_incr_decr() {
        let mut a = StreamId::new(1, u64::MAX);
        assert!(a.incr());
        assert_eq!(a, StreamId::new(2, 0));
        assert!(a.decr());
        assert_eq!(a, StreamId::new(1, u64::MAX));
        let mut m = StreamId::MAX;
        assert!(!m.incr());
        assert_eq!(StreamId::decode(&a.encode()), Some(a));
    }
}
