//! The List value: a **quicklist** — Redis 7.0's `quicklist.c` design,
//! written for a `VecDeque` of nodes instead of a doubly linked list.
//!
//! * Each node holds either a Redis-format **listpack** of several elements
//!   ("packed" container, `CONTAINER_PACKED` = 2) or one large element on its
//!   own ("plain" container, `CONTAINER_PLAIN` = 1). An element is large when
//!   its length reaches the packed threshold (`isLargeElement`; 1 GB by
//!   default, `DEBUG QUICKLIST-PACKED-THRESHOLD` changes it — a per-thread
//!   global here, as it is a process global in Redis).
//! * How full a listpack node may get is `fill` (`list-max-listpack-size`,
//!   fixed when the list is created, as `quicklistSetOptions` does):
//!   negative = a byte budget of 4/8/16/32/64 KB, positive = an entry count
//!   capped by the 8 KB safety limit (`_quicklistNodeAllowInsert`,
//!   `_quicklistNodeAllowMerge`).
//! * `compress` (`list-compress-depth`): nodes further than `compress` nodes
//!   from both ends are LZF-compressed (`crate::util::lzf`), with Redis's
//!   thresholds (≥ 48 bytes, saves ≥ 8 bytes). The head and tail nodes are
//!   therefore never compressed, so pushes and pops never decompress.
//!   Reads of an interior node decompress into a scratch buffer and leave
//!   the node compressed; writes decompress the node in place and
//!   recompress it afterwards (`fixup_compression`).
//! * Insertion in the middle follows `_quicklistInsert`: insert into the
//!   node when it has room, else into the neighbour at that edge, else a new
//!   node, else split the node and merge around the split
//!   (`_quicklistSplitNode`, `_quicklistMergeNodes`). LSET follows
//!   `quicklistReplaceEntry` (packed↔plain conversions).
//!
//! RDB / DUMP (RDB_TYPE_LIST_QUICKLIST_2): `rdb_nodes()` yields per node its
//! container and either its raw bytes or its LZF blob plus raw length (what
//! `rdbSaveLzfBlob` writes); loading builds a list with `List::new`, then
//! `append_rdb_node` per node (validates listpacks, skips empty ones),
//! `append_ziplist_node` for ziplist-based v9 nodes (RDB_TYPE_LIST_QUICKLIST),
//! `push_ziplist_elements` for RDB_TYPE_LIST_ZIPLIST, or `push(.., false)`
//! per element for RDB_TYPE_LIST.
use crate::db::listpack::{lp_string_to_int64, Listpack, LpVal, Where};
use crate::util::lzf;
use crate::util::num::ll2string;
use std::cell::Cell;
use std::collections::VecDeque;

/// QUICKLIST_NODE_CONTAINER_PLAIN
pub const CONTAINER_PLAIN: u8 = 1;
/// QUICKLIST_NODE_CONTAINER_PACKED
pub const CONTAINER_PACKED: u8 = 2;

/// optimization_level[]: byte budgets of fill -1 .. -5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// SIZE_SAFETY_LIMIT: max bytes of a multi-element listpack with count fill.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// SIZE_ESTIMATE_OVERHEAD: estimated per-entry listpack overhead.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// MIN_COMPRESS_BYTES / MIN_COMPRESS_IMPROVE
const MIN_COMPRESS_BYTES: usize = 48;
const MIN_COMPRESS_IMPROVE: usize = 8;
/// Bytes of an empty listpack (header + terminator), subtracted when merging.
const LP_HDR_AND_END: usize = 11;
const DEFAULT_PACKED_THRESHOLD: usize = 1 << 30;
/// FILL_MAX = (1 << (QL_FILL_BITS-1)) - 1, COMPRESS_MAX = (1 << QL_COMP_BITS) - 1
const FILL_MAX: i64 = (1 << 15) - 1;
const COMPRESS_MAX: i64 = (1 << 16) - 1;

thread_local! {
    static PACKED_THRESHOLD: Cell<usize> = const { Cell::new(DEFAULT_PACKED_THRESHOLD) };
}

/// quicklistisSetPackedThreshold: 0 restores the 1 GB default; values above
/// 4 GB - 1 MB are refused (false).
pub fn set_packed_threshold(sz: u64) -> bool {
    if sz > (1u64 << 32) - (1 << 20) {
        return false;
    }
    let v = if sz == 0 {
        DEFAULT_PACKED_THRESHOLD
    } else {
        sz as usize
    };
    PACKED_THRESHOLD.with(|t| t.set(v));
    true
}

pub fn packed_threshold() -> usize {
    PACKED_THRESHOLD.with(|t| t.get())
}

#[inline]
fn is_large(sz: usize) -> bool {
    sz >= packed_threshold()
}

/// A node's payload.
#[derive(Clone)]
enum Data {
    Packed(Listpack),
    Plain(Vec<u8>),
    /// LZF-compressed bytes of a listpack or plain element (`Node::plain`
    /// tells which); `Node::sz` is the decompressed length.
    Lzf(Box<[u8]>),
}

#[derive(Clone)]
struct Node {
    data: Data,
    /// Uncompressed size in bytes (listpack bytes or element length).
    sz: usize,
    /// Number of elements (1 for plain nodes).
    count: u32,
    plain: bool,
    /// A compression attempt failed and the content did not change since.
    incompressible: bool,
}

/// What the RDB writer stores for one node.
#[derive(Debug, PartialEq, Eq)]
pub enum NodeBlob<'a> {
    /// Listpack bytes (packed) or the element (plain).
    Raw(&'a [u8]),
    /// LZF data of a compressed node and the length it expands to.
    Lzf { data: &'a [u8], raw_len: usize },
}

/// The Redis quicklist.
#[derive(Clone)]
pub struct List {
    nodes: VecDeque<Node>,
    count: usize,
    fill: i16,
    compress: u16,
}

/// Scratch space to read compressed nodes without modifying them.
#[derive(Default)]
struct Scratch {
    lp: Option<Listpack>,
    plain: Vec<u8>,
}

/// Read view of a node.
enum View<'a> {
    Packed(&'a Listpack),
    Plain(&'a [u8]),
    /// Corrupt compressed data (never produced by this code).
    Broken,
}

/// A needle for comparisons against list entries (`lpCompare`): integer
/// entries match a needle whose bytes are that integer's canonical form.
pub struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    pub fn new(bytes: &'a [u8]) -> Needle<'a> {
        let int = lp_string_to_int64(bytes);
        Needle { bytes, int }
    }

    #[inline]
    pub fn matches(&self, v: LpVal<'_>) -> bool {
        match v {
            LpVal::Str(s) => s == self.bytes,
            LpVal::Int(n) => self.int == Some(n),
        }
    }
}

/// Write an entry's string form into `out` (replacing its contents).
pub fn lpval_to_bytes(v: LpVal<'_>, out: &mut Vec<u8>) {
    out.clear();
    match v {
        LpVal::Int(n) => ll2string(out, n),
        LpVal::Str(s) => out.extend_from_slice(s),
    }
}

impl Node {
    fn new_packed(v: &[u8]) -> Node {
        let mut lp = Listpack::new();
        lp.append(v);
        Node {
            sz: lp.bytes(),
            data: Data::Packed(lp),
            count: 1,
            plain: false,
            incompressible: false,
        }
    }

    fn new_plain(v: &[u8]) -> Node {
        Node {
            sz: v.len(),
            data: Data::Plain(v.to_vec()),
            count: 1,
            plain: true,
            incompressible: false,
        }
    }

    fn from_listpack(lp: Listpack) -> Node {
        Node {
            sz: lp.bytes(),
            count: lp.len() as u32,
            data: Data::Packed(lp),
            plain: false,
            incompressible: false,
        }
    }

    #[inline]
    fn is_compressed(&self) -> bool {
        matches!(self.data, Data::Lzf(_))
    }

    /// Decompress in place (before a modification).
    fn decompress(&mut self) {
        if let Data::Lzf(z) = &self.data {
            let raw = lzf::lzf_decompress(z, self.sz).unwrap_or_default();
            self.data = if self.plain {
                Data::Plain(raw)
            } else {
                match Listpack::from_bytes(raw) {
                    Some(lp) => Data::Packed(lp),
                    None => Data::Packed(Listpack::new()),
                }
            };
        }
    }

    /// __quicklistCompressNode: keep the LZF form only if it is worth it.
    fn compress(&mut self) {
        if self.incompressible || self.is_compressed() {
            return;
        }
        if self.sz < MIN_COMPRESS_BYTES {
            self.incompressible = true;
            return;
        }
        let raw: &[u8] = match &self.data {
            Data::Packed(lp) => lp.as_bytes(),
            Data::Plain(v) => v,
            Data::Lzf(_) => return,
        };
        let mut out = Vec::with_capacity(raw.len());
        match lzf::lzf_compress(raw, &mut out, raw.len()) {
            Some(n) if n + MIN_COMPRESS_IMPROVE < raw.len() => {
                self.data = Data::Lzf(out.into_boxed_slice());
            }
            _ => self.incompressible = true,
        }
    }

    /// Mutable listpack of a packed node (decompressing it); marks the
    /// content as changed.
    fn lp_mut(&mut self) -> Option<&mut Listpack> {
        self.decompress();
        self.incompressible = false;
        match &mut self.data {
            Data::Packed(lp) => Some(lp),
            _ => None,
        }
    }

    fn update_sz(&mut self) {
        if let Data::Packed(lp) = &self.data {
            self.sz = lp.bytes();
        }
    }

    fn view<'a>(&'a self, scratch: &'a mut Scratch) -> View<'a> {
        match &self.data {
            Data::Packed(lp) => View::Packed(lp),
            Data::Plain(v) => View::Plain(v),
            Data::Lzf(z) => {
                let mut buf = match scratch.lp.take() {
                    Some(lp) => lp.into_bytes(),
                    None => std::mem::take(&mut scratch.plain),
                };
                buf.clear();
                if !lzf::lzf_decompress_into(z, &mut buf, self.sz) {
                    return View::Broken;
                }
                if self.plain {
                    scratch.plain = buf;
                    View::Plain(&scratch.plain)
                } else {
                    scratch.lp = Listpack::from_bytes(buf);
                    match &scratch.lp {
                        Some(lp) => View::Packed(lp),
                        None => View::Broken,
                    }
                }
            }
        }
    }

    /// _quicklistNodeAllowInsert
    fn allow_insert(&self, fill: i16, sz: usize) -> bool {
        if self.plain || is_large(sz) {
            return false;
        }
        let new_sz = self.sz + sz + SIZE_ESTIMATE_OVERHEAD;
        if size_meets_optimization(new_sz, fill) {
            true
        } else if new_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (self.count as i64) < fill as i64
        }
    }
}

/// _quicklistNodeSizeMeetsOptimizationRequirement
#[inline]
fn size_meets_optimization(sz: usize, fill: i16) -> bool {
    if fill >= 0 {
        return false;
    }
    let off = (-(fill as i32) - 1) as usize;
    match OPTIMIZATION_LEVEL.get(off) {
        Some(&limit) => sz <= limit,
        None => false,
    }
}

/// _quicklistNodeAllowMerge
fn allow_merge(a: &Node, b: &Node, fill: i16) -> bool {
    if a.plain || b.plain {
        return false;
    }
    let merge_sz = (a.sz + b.sz).saturating_sub(LP_HDR_AND_END);
    if size_meets_optimization(merge_sz, fill) {
        true
    } else if merge_sz > SIZE_SAFETY_LIMIT {
        false
    } else {
        (a.count as i64 + b.count as i64) <= fill as i64
    }
}

/// Offset in `lp` of its `idx`-th entry, seeking from the nearer end.
#[inline]
fn lp_seek(lp: &Listpack, idx: usize, count: usize) -> Option<usize> {
    if idx > count / 2 {
        lp.seek(idx as i64 - count as i64)
    } else {
        lp.seek(idx as i64)
    }
}

impl Default for List {
    fn default() -> Self {
        List::new(-2, 0)
    }
}

impl List {
    /// quicklistNew(fill, compress) with Redis's clamping
    /// (quicklistSetFill / quicklistSetCompressDepth).
    pub fn new(fill: i64, compress: i64) -> List {
        List {
            nodes: VecDeque::new(),
            count: 0,
            fill: fill.clamp(-5, FILL_MAX) as i16,
            compress: compress.clamp(0, COMPRESS_MAX) as u16,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.count
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn fill(&self) -> i64 {
        self.fill as i64
    }

    pub fn compress_depth(&self) -> i64 {
        self.compress as i64
    }

    /// Number of quicklist nodes (`ql->len`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Sum of the uncompressed node sizes (DEBUG OBJECT ql_uncompressed_size).
    pub fn uncompressed_size(&self) -> usize {
        self.nodes.iter().map(|n| n.sz).sum()
    }

    /// Approximate heap bytes used (MEMORY USAGE).
    pub fn mem_usage(&self) -> usize {
        let mut total =
            std::mem::size_of::<List>() + self.nodes.capacity() * std::mem::size_of::<Node>();
        for n in &self.nodes {
            total += match &n.data {
                Data::Packed(lp) => lp.bytes(),
                Data::Plain(v) => v.capacity(),
                Data::Lzf(z) => z.len(),
            };
        }
        total
    }

    /// Container of each node and whether it is LZF-compressed (tests,
    /// DEBUG output).
    pub fn node_kinds(&self) -> Vec<(u8, u32, bool)> {
        self.nodes
            .iter()
            .map(|n| {
                let c = if n.plain {
                    CONTAINER_PLAIN
                } else {
                    CONTAINER_PACKED
                };
                (c, n.count, n.is_compressed())
            })
            .collect()
    }

    // ------------------------------------------------------------------
    // Compression bookkeeping
    // ------------------------------------------------------------------

    /// __quicklistCompress generalised: the `compress` nodes at each end are
    /// kept raw; interior nodes at the depth boundaries (widened by `shift`
    /// nodes added by the operation) and the `touched` node are compressed.
    fn fixup_compression(&mut self, touched: Option<usize>, shift: usize) {
        let d = self.compress as usize;
        if d == 0 {
            return;
        }
        let len = self.nodes.len();
        let k = d.min(len);
        for i in 0..k {
            self.nodes[i].decompress();
            self.nodes[len - 1 - i].decompress();
        }
        if len <= 2 * d {
            return;
        }
        let (lo, hi) = (d, len - d);
        let a_end = (lo + shift + 1).min(hi);
        for i in lo..a_end {
            self.nodes[i].compress();
        }
        let b_start = hi.saturating_sub(shift + 1).max(a_end);
        for i in b_start..hi {
            self.nodes[i].compress();
        }
        if let Some(t) = touched {
            if t >= lo && t < hi {
                self.nodes[t].compress();
            }
        }
    }

    // ------------------------------------------------------------------
    // Node-level helpers
    // ------------------------------------------------------------------

    fn insert_node(&mut self, at: usize, node: Node) {
        if self.nodes.capacity() == 0 {
            // Most lists have a single node: do not let VecDeque round the
            // first allocation up to 4 nodes.
            self.nodes.reserve_exact(1);
        }
        self.nodes.insert(at, node);
    }

    /// __quicklistDelNode (without the compression fix-up).
    fn remove_node(&mut self, i: usize) {
        if let Some(n) = self.nodes.remove(i) {
            self.count -= n.count as usize;
        }
    }

    /// Node index and index inside the node of element `index`
    /// (negative counts from the tail), seeking from the nearer end.
    fn locate(&self, index: i64) -> Option<(usize, usize)> {
        let count = self.count;
        let idx = if index < 0 {
            let back = index.unsigned_abs() as usize;
            if back > count {
                return None;
            }
            count - back
        } else {
            let i = index as usize;
            if i >= count {
                return None;
            }
            i
        };
        if idx <= (count - 1) / 2 {
            let mut accum = 0usize;
            for (ni, n) in self.nodes.iter().enumerate() {
                let c = n.count as usize;
                if accum + c > idx {
                    return Some((ni, idx - accum));
                }
                accum += c;
            }
        } else {
            let mut accum = count;
            for ni in (0..self.nodes.len()).rev() {
                let c = self.nodes[ni].count as usize;
                accum -= c;
                if idx >= accum {
                    return Some((ni, idx - accum));
                }
            }
        }
        None
    }

    // ------------------------------------------------------------------
    // Push / pop
    // ------------------------------------------------------------------

    /// quicklistPushHead / quicklistPushTail.
    pub fn push(&mut self, v: &[u8], head: bool) {
        let sz = v.len();
        let fill = self.fill;
        if is_large(sz) {
            let at = if head { 0 } else { self.nodes.len() };
            self.insert_node(at, Node::new_plain(v));
            self.count += 1;
            self.fixup_compression(Some(at), 1);
            return;
        }
        let end = if head {
            self.nodes.front_mut()
        } else {
            self.nodes.back_mut()
        };
        if let Some(node) = end {
            if node.allow_insert(fill, sz) {
                if let Some(lp) = node.lp_mut() {
                    if head {
                        lp.prepend(v);
                    } else {
                        lp.append(v);
                    }
                    node.count += 1;
                    node.update_sz();
                    self.count += 1;
                    return;
                }
            }
        }
        let at = if head { 0 } else { self.nodes.len() };
        self.insert_node(at, Node::new_packed(v));
        self.count += 1;
        self.fixup_compression(Some(at), 1);
    }

    /// Call `f` with the head (or tail) element, then remove it.
    pub fn pop_with<R>(&mut self, head: bool, f: impl FnOnce(LpVal<'_>) -> R) -> Option<R> {
        let ni = if head {
            0
        } else {
            self.nodes.len().checked_sub(1)?
        };
        let node = self.nodes.get_mut(ni)?;
        node.decompress();
        let r;
        let emptied;
        match &mut node.data {
            Data::Plain(v) => {
                r = f(LpVal::Str(v));
                emptied = true;
            }
            Data::Packed(lp) => {
                let off = if head { lp.first() } else { lp.last() };
                let off = match off {
                    Some(o) => o,
                    None => {
                        // An empty node should not exist; drop it.
                        self.remove_node(ni);
                        return None;
                    }
                };
                r = f(lp.get(off));
                lp.delete(off);
                node.count = node.count.saturating_sub(1);
                node.incompressible = false;
                node.update_sz();
                emptied = node.count == 0;
                self.count -= 1;
            }
            Data::Lzf(_) => return None,
        }
        if emptied {
            self.remove_node(ni);
            self.fixup_compression(None, 0);
        }
        Some(r)
    }

    /// Pop the head (or tail) element as bytes.
    pub fn pop(&mut self, head: bool) -> Option<Vec<u8>> {
        self.pop_with(head, |v| {
            let mut out = Vec::new();
            lpval_to_bytes(v, &mut out);
            out
        })
    }

    // ------------------------------------------------------------------
    // Reads
    // ------------------------------------------------------------------

    /// Call `f` with the element at `index` (negative from the tail).
    pub fn get_with<R>(&self, index: i64, f: impl FnOnce(LpVal<'_>) -> R) -> Option<R> {
        let (ni, off) = self.locate(index)?;
        let node = self.nodes.get(ni)?;
        let mut scratch = Scratch::default();
        match node.view(&mut scratch) {
            View::Plain(v) => Some(f(LpVal::Str(v))),
            View::Packed(lp) => {
                let p = lp_seek(lp, off, node.count as usize)?;
                Some(f(lp.get(p)))
            }
            View::Broken => None,
        }
    }

    /// The element at `index` as bytes.
    pub fn get(&self, index: i64) -> Option<Vec<u8>> {
        self.get_with(index, |v| {
            let mut out = Vec::new();
            lpval_to_bytes(v, &mut out);
            out
        })
    }

    /// Visit `n` elements starting at index `start` (0-based, must be in
    /// range), towards the tail, or towards the head when `reverse`.
    /// `f` returns false to stop early.
    pub fn for_each_from(&self, start: usize, reverse: bool, mut f: impl FnMut(LpVal<'_>) -> bool) {
        let (mut ni, off) = match self.locate(start as i64) {
            Some(x) => x,
            None => return,
        };
        let mut first = Some(off);
        let mut scratch = Scratch::default();
        loop {
            let node = match self.nodes.get(ni) {
                Some(n) => n,
                None => return,
            };
            let cnt = node.count as usize;
            match node.view(&mut scratch) {
                View::Plain(v) => {
                    if !f(LpVal::Str(v)) {
                        return;
                    }
                }
                View::Packed(lp) => {
                    let mut p = match first {
                        Some(o) => lp_seek(lp, o, cnt),
                        None if reverse => lp.last(),
                        None => lp.first(),
                    };
                    while let Some(o) = p {
                        if !f(lp.get(o)) {
                            return;
                        }
                        p = if reverse { lp.prev(o) } else { lp.next(o) };
                    }
                }
                View::Broken => return,
            }
            first = None;
            if reverse {
                if ni == 0 {
                    return;
                }
                ni -= 1;
            } else {
                ni += 1;
            }
        }
    }

    /// Visit every element from the head (or from the tail if `reverse`).
    pub fn for_each(&self, reverse: bool, f: impl FnMut(LpVal<'_>) -> bool) {
        if self.count == 0 {
            return;
        }
        let start = if reverse { self.count - 1 } else { 0 };
        self.for_each_from(start, reverse, f);
    }

    /// Index of the first element equal to `pivot` (head to tail).
    fn find_first(&self, needle: &Needle<'_>) -> Option<(usize, usize)> {
        let mut scratch = Scratch::default();
        for (ni, node) in self.nodes.iter().enumerate() {
            match node.view(&mut scratch) {
                View::Plain(v) => {
                    if needle.matches(LpVal::Str(v)) {
                        return Some((ni, 0));
                    }
                }
                View::Packed(lp) => {
                    let mut p = lp.first();
                    let mut i = 0usize;
                    while let Some(o) = p {
                        if needle.matches(lp.get(o)) {
                            return Some((ni, i));
                        }
                        i += 1;
                        p = lp.next(o);
                    }
                }
                View::Broken => {}
            }
        }
        None
    }

    // ------------------------------------------------------------------
    // Writes in the middle
    // ------------------------------------------------------------------

    /// _quicklistSplitNode: split node `ni` around entry `off`.
    /// after: the node keeps [0, off], the returned node has [off+1, end];
    /// before: the returned node has [0, off), the node keeps [off, end].
    fn split_node(&mut self, ni: usize, off: usize, after: bool) -> Node {
        let node = &mut self.nodes[ni];
        node.decompress();
        node.incompressible = false;
        let cnt = node.count as usize;
        let mut new_lp = match &node.data {
            Data::Packed(lp) => lp.clone(),
            _ => Listpack::new(),
        };
        if let Data::Packed(lp) = &mut node.data {
            if after {
                lp.delete_range((off + 1) as i64, cnt - off - 1);
                new_lp.delete_range(0, off + 1);
            } else {
                lp.delete_range(0, off);
                new_lp.delete_range(off as i64, cnt - off);
            }
            node.count = lp.len() as u32;
        }
        node.update_sz();
        Node::from_listpack(new_lp)
    }

    /// _quicklistListpackMerge of adjacent nodes `a` and `a + 1` into `a`.
    fn merge_pair(&mut self, a: usize) {
        if a + 1 >= self.nodes.len() {
            return;
        }
        self.nodes[a].decompress();
        self.nodes[a + 1].decompress();
        let right = match self.nodes.remove(a + 1) {
            Some(n) => n,
            None => return,
        };
        let left = &mut self.nodes[a];
        if let (Data::Packed(dst), Data::Packed(src)) = (&mut left.data, &right.data) {
            if !dst.merge(src) {
                // Cannot happen below the 4 GB listpack limit; keep both.
                self.nodes.insert(a + 1, right);
                return;
            }
            left.count = dst.len() as u32;
            left.incompressible = false;
            left.update_sz();
        } else {
            // Plain nodes are never merged; put it back.
            self.nodes.insert(a + 1, right);
        }
    }

    /// _quicklistMergeNodes around node `center`.
    fn merge_around(&mut self, center: usize) {
        let fill = self.fill;
        let mut center = center;
        let can = |s: &Self, a: usize| -> bool {
            a + 1 < s.nodes.len() && allow_merge(&s.nodes[a], &s.nodes[a + 1], fill)
        };
        if center >= 2 && can(self, center - 2) {
            self.merge_pair(center - 2);
            center -= 1;
        }
        if can(self, center + 1) {
            self.merge_pair(center + 1);
        }
        let target = if center >= 1 && can(self, center - 1) {
            self.merge_pair(center - 1);
            center - 1
        } else {
            center
        };
        if can(self, target) {
            self.merge_pair(target);
        }
    }

    /// _quicklistInsert: insert `v` before/after element `off` of node `ni`.
    fn insert_at(&mut self, ni: usize, off: usize, v: &[u8], after: bool) {
        let sz = v.len();
        let fill = self.fill;
        let len = self.nodes.len();
        let (full, cnt, plain) = {
            let n = &self.nodes[ni];
            (!n.allow_insert(fill, sz), n.count as usize, n.plain)
        };
        let at_tail = after && off + 1 == cnt;
        let at_head = !after && off == 0;
        let avail_next = at_tail && ni + 1 < len && self.nodes[ni + 1].allow_insert(fill, sz);
        let avail_prev = at_head && ni > 0 && self.nodes[ni - 1].allow_insert(fill, sz);

        if is_large(sz) {
            if plain || at_tail || at_head {
                let at = if after { ni + 1 } else { ni };
                self.insert_node(at, Node::new_plain(v));
                self.count += 1;
                self.fixup_compression(Some(at), 1);
            } else {
                let rest = self.split_node(ni, off, after);
                if after {
                    self.insert_node(ni + 1, Node::new_plain(v));
                    self.insert_node(ni + 2, rest);
                } else {
                    self.insert_node(ni, rest);
                    self.insert_node(ni + 1, Node::new_plain(v));
                }
                self.count += 1;
                self.fixup_compression(Some(ni), 2);
                let last = (ni + 2).min(self.nodes.len() - 1);
                self.fixup_compression(Some(last), 0);
                self.fixup_compression(Some(ni + 1), 0);
            }
            return;
        }

        if !full {
            let node = &mut self.nodes[ni];
            if let Some(lp) = node.lp_mut() {
                if let Some(p) = lp_seek(lp, off, cnt) {
                    lp.insert(p, v, if after { Where::After } else { Where::Before });
                    node.count += 1;
                    node.update_sz();
                    self.count += 1;
                }
            }
            self.fixup_compression(Some(ni), 0);
        } else if at_tail && avail_next {
            let next = &mut self.nodes[ni + 1];
            if let Some(lp) = next.lp_mut() {
                lp.prepend(v);
                next.count += 1;
                next.update_sz();
                self.count += 1;
            }
            self.fixup_compression(Some(ni + 1), 0);
        } else if at_head && avail_prev {
            let prev = &mut self.nodes[ni - 1];
            if let Some(lp) = prev.lp_mut() {
                lp.append(v);
                prev.count += 1;
                prev.update_sz();
                self.count += 1;
            }
            self.fixup_compression(Some(ni - 1), 0);
        } else if at_tail || at_head {
            let at = if after { ni + 1 } else { ni };
            self.insert_node(at, Node::new_packed(v));
            self.count += 1;
            self.fixup_compression(Some(at), 1);
        } else {
            let mut rest = self.split_node(ni, off, after);
            if let Data::Packed(lp) = &mut rest.data {
                if after {
                    lp.prepend(v);
                } else {
                    lp.append(v);
                }
                rest.count += 1;
                rest.update_sz();
            }
            let center = if after {
                self.insert_node(ni + 1, rest);
                ni
            } else {
                self.insert_node(ni, rest);
                ni + 1
            };
            self.count += 1;
            self.merge_around(center);
            let last = self.nodes.len().saturating_sub(1);
            self.fixup_compression(Some(center.min(last)), 2);
            self.fixup_compression(Some((center + 1).min(last)), 0);
            if center > 0 {
                self.fixup_compression(Some(center - 1), 0);
            }
        }
    }

    /// Delete element `off` of node `ni` (quicklistDelIndex).
    fn delete_at(&mut self, ni: usize, off: usize) {
        let node = &mut self.nodes[ni];
        if node.plain {
            self.remove_node(ni);
            self.fixup_compression(None, 0);
            return;
        }
        let cnt = node.count as usize;
        if let Some(lp) = node.lp_mut() {
            if let Some(p) = lp_seek(lp, off, cnt) {
                lp.delete(p);
                node.count -= 1;
                node.update_sz();
                self.count -= 1;
            }
        }
        if self.nodes[ni].count == 0 {
            self.remove_node(ni);
            self.fixup_compression(None, 0);
        } else {
            self.fixup_compression(Some(ni), 0);
        }
    }

    /// LINSERT: insert `v` before/after the first element equal to `pivot`.
    /// False when the pivot is not found.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], v: &[u8], after: bool) -> bool {
        match self.find_first(&Needle::new(pivot)) {
            Some((ni, off)) => {
                self.insert_at(ni, off, v, after);
                true
            }
            None => false,
        }
    }

    /// Insert `v` before/after the element at `index` (false if out of range).
    pub fn insert_at_index(&mut self, index: i64, v: &[u8], after: bool) -> bool {
        match self.locate(index) {
            Some((ni, off)) => {
                self.insert_at(ni, off, v, after);
                true
            }
            None => false,
        }
    }

    /// LSET (quicklistReplaceAtIndex / quicklistReplaceEntry). False when
    /// the index is out of range.
    pub fn replace(&mut self, index: i64, v: &[u8]) -> bool {
        let (ni, off) = match self.locate(index) {
            Some(x) => x,
            None => return false,
        };
        let large = is_large(v.len());
        let plain = self.nodes[ni].plain;
        match (plain, large) {
            (false, false) => {
                let node = &mut self.nodes[ni];
                let cnt = node.count as usize;
                if let Some(lp) = node.lp_mut() {
                    if let Some(p) = lp_seek(lp, off, cnt) {
                        lp.replace(p, v);
                    }
                }
                node.update_sz();
                self.fixup_compression(Some(ni), 0);
            }
            (true, true) => {
                let node = &mut self.nodes[ni];
                node.data = Data::Plain(v.to_vec());
                node.sz = v.len();
                node.incompressible = false;
                self.fixup_compression(Some(ni), 0);
            }
            (true, false) => {
                // Insert the new value after the plain node, drop the node.
                self.insert_at(ni, 0, v, true);
                self.remove_node(ni);
                self.fixup_compression(None, 0);
            }
            (false, true) => {
                // The large value goes in its own node after the entry (the
                // node is split if needed); then the old entry, now the last
                // of node `ni`, is deleted.
                self.insert_at(ni, off, v, true);
                let cnt = self.nodes[ni].count as usize;
                if cnt == 1 {
                    self.remove_node(ni);
                    self.fixup_compression(None, 0);
                } else {
                    self.delete_at(ni, cnt - 1);
                    if ni + 1 < self.nodes.len() {
                        self.fixup_compression(Some(ni + 1), 0);
                    }
                }
            }
        }
        true
    }

    /// quicklistDelRange over normalised arguments: delete `n` elements
    /// starting at index `start` (clamped to the list).
    pub fn delete_range(&mut self, start: usize, n: usize) {
        if n == 0 || start >= self.count {
            return;
        }
        let mut remaining = n.min(self.count - start);
        let (mut ni, mut off) = match self.locate(start as i64) {
            Some(x) => x,
            None => return,
        };
        while remaining > 0 && ni < self.nodes.len() {
            let cnt = self.nodes[ni].count as usize;
            if off == 0 && remaining >= cnt {
                self.remove_node(ni);
                remaining -= cnt;
            } else {
                let del = (cnt - off).min(remaining);
                let node = &mut self.nodes[ni];
                if let Some(lp) = node.lp_mut() {
                    lp.delete_range(off as i64, del);
                }
                node.count -= del as u32;
                node.update_sz();
                self.count -= del;
                remaining -= del;
                if self.nodes[ni].count == 0 {
                    self.remove_node(ni);
                } else {
                    let keep = ni;
                    ni += 1;
                    if self.compress > 0 {
                        self.fixup_compression(Some(keep), 0);
                    }
                }
            }
            off = 0;
        }
        self.fixup_compression(None, 0);
    }

    /// Delete `n` elements from the head (or the tail).
    pub fn trim_end(&mut self, head: bool, n: usize) {
        let n = n.min(self.count);
        if head {
            self.delete_range(0, n);
        } else {
            self.delete_range(self.count - n, n);
        }
    }

    /// LREM: remove up to `limit` (0 = all) elements equal to `v`, scanning
    /// from the head, or from the tail when `from_tail`. Returns how many.
    pub fn remove_matching(&mut self, v: &[u8], limit: usize, from_tail: bool) -> usize {
        let needle = Needle::new(v);
        let mut removed = 0usize;
        let mut scratch = Scratch::default();
        let mut ni: isize = if from_tail {
            self.nodes.len() as isize - 1
        } else {
            0
        };
        while ni >= 0 && (ni as usize) < self.nodes.len() {
            let i = ni as usize;
            // Look before decompressing for real.
            let has_match = {
                let node = &self.nodes[i];
                if node.is_compressed() {
                    let mut found = false;
                    match node.view(&mut scratch) {
                        View::Plain(b) => found = needle.matches(LpVal::Str(b)),
                        View::Packed(lp) => {
                            let mut p = lp.first();
                            while let Some(o) = p {
                                if needle.matches(lp.get(o)) {
                                    found = true;
                                    break;
                                }
                                p = lp.next(o);
                            }
                        }
                        View::Broken => {}
                    }
                    found
                } else {
                    true
                }
            };
            let mut node_gone = false;
            if has_match {
                let node = &mut self.nodes[i];
                if node.plain {
                    node.decompress();
                    let m = matches!(&node.data, Data::Plain(b) if needle.matches(LpVal::Str(b)));
                    if m {
                        self.remove_node(i);
                        removed += 1;
                        node_gone = true;
                    }
                } else {
                    let was_compressed = node.is_compressed();
                    let mut del = 0u32;
                    if let Some(lp) = node.lp_mut() {
                        if from_tail {
                            let mut p = lp.last();
                            while let Some(o) = p {
                                if limit != 0 && removed + del as usize >= limit {
                                    break;
                                }
                                let prev = lp.prev(o);
                                if needle.matches(lp.get(o)) {
                                    lp.delete(o);
                                    del += 1;
                                }
                                p = prev;
                            }
                        } else {
                            let mut p = lp.first();
                            while let Some(o) = p {
                                if limit != 0 && removed + del as usize >= limit {
                                    break;
                                }
                                if needle.matches(lp.get(o)) {
                                    p = lp.delete(o);
                                    del += 1;
                                } else {
                                    p = lp.next(o);
                                }
                            }
                        }
                    }
                    node.count -= del;
                    node.update_sz();
                    self.count -= del as usize;
                    removed += del as usize;
                    if self.nodes[i].count == 0 {
                        self.remove_node(i);
                        node_gone = true;
                    } else if was_compressed || del > 0 {
                        self.fixup_compression(Some(i), 0);
                    }
                }
            }
            if node_gone {
                self.fixup_compression(None, 0);
            }
            if limit != 0 && removed >= limit {
                break;
            }
            if from_tail {
                ni -= 1;
            } else if !node_gone {
                ni += 1;
            }
        }
        removed
    }

    // ------------------------------------------------------------------
    // RDB support
    // ------------------------------------------------------------------

    /// Per node: container (CONTAINER_PLAIN / CONTAINER_PACKED) and blob,
    /// head to tail (rdbSaveObject for OBJ_ENCODING_QUICKLIST).
    pub fn rdb_nodes(&self) -> impl Iterator<Item = (u8, NodeBlob<'_>)> + '_ {
        self.nodes.iter().map(|n| {
            let c = if n.plain {
                CONTAINER_PLAIN
            } else {
                CONTAINER_PACKED
            };
            let blob = match &n.data {
                Data::Packed(lp) => NodeBlob::Raw(lp.as_bytes()),
                Data::Plain(v) => NodeBlob::Raw(v),
                Data::Lzf(z) => NodeBlob::Lzf {
                    data: z,
                    raw_len: n.sz,
                },
            };
            (c, blob)
        })
    }

    /// Append a node loaded from RDB_TYPE_LIST_QUICKLIST_2 (the blob already
    /// LZF-decoded by the RDB reader). Packed blobs are validated (`deep`
    /// checks every entry, as sanitize-dump-payload does); empty listpacks
    /// are skipped silently as Redis does.
    pub fn append_rdb_node(
        &mut self,
        container: u64,
        data: Vec<u8>,
        deep: bool,
    ) -> Result<(), &'static str> {
        match container {
            1 => {
                if data.is_empty() {
                    return Err("Quicklist integrity check failed.");
                }
                let at = self.nodes.len();
                self.insert_node(
                    at,
                    Node {
                        sz: data.len(),
                        data: Data::Plain(data),
                        count: 1,
                        plain: true,
                        incompressible: false,
                    },
                );
                self.count += 1;
                self.fixup_compression(Some(at), 1);
                Ok(())
            }
            2 => {
                if data.is_empty() || !Listpack::validate(&data, deep) {
                    return Err("Listpack integrity check failed.");
                }
                let lp = match Listpack::from_bytes(data) {
                    Some(lp) => lp,
                    None => return Err("Listpack integrity check failed."),
                };
                self.append_listpack(lp);
                Ok(())
            }
            _ => Err("Quicklist integrity check failed."),
        }
    }

    /// quicklistAppendListpack: a pre-built listpack becomes the new tail
    /// node (empty ones are dropped).
    pub fn append_listpack(&mut self, lp: Listpack) {
        let node = Node::from_listpack(lp);
        if node.count == 0 {
            return;
        }
        let at = self.nodes.len();
        self.count += node.count as usize;
        self.insert_node(at, node);
        self.fixup_compression(Some(at), 1);
    }

    /// Append a ziplist node of RDB_TYPE_LIST_QUICKLIST (RDB v9 and older):
    /// deep-validated and converted to a listpack node (empty ones skipped).
    pub fn append_ziplist_node(&mut self, zl: &[u8]) -> Result<(), &'static str> {
        match crate::db::ziplist::to_listpack(zl) {
            Some(lp) => {
                self.append_listpack(lp);
                Ok(())
            }
            None => Err("Ziplist integrity check failed."),
        }
    }

    /// RDB_TYPE_LIST_ZIPLIST (a whole pre-3.2 list in one ziplist): every
    /// element pushed at the tail (_listZiplistEntryConvertAndValidate).
    pub fn push_ziplist_elements(&mut self, zl: &[u8]) -> Result<(), &'static str> {
        let mut buf = Vec::new();
        let ok = crate::db::ziplist::validate_with(zl, true, |v| {
            lpval_to_bytes(v, &mut buf);
            self.push(&buf, false);
            true
        });
        if ok {
            Ok(())
        } else {
            Err("List ziplist integrity check failed.")
        }
    }

    /// A new tail node holding `values` in order (ziplist nodes of
    /// RDB_TYPE_LIST_QUICKLIST, converted by the caller).
    pub fn append_packed_values<'v, I: IntoIterator<Item = LpVal<'v>>>(&mut self, values: I) {
        let mut lp = Listpack::new();
        for v in values {
            lp.append_val(v);
        }
        self.append_listpack(lp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed threshold is per thread; tests that change it restore it.
    struct Threshold;
    impl Threshold {
        fn set(n: u64) -> Threshold {
            assert!(set_packed_threshold(n));
            Threshold
        }
    }
    impl Drop for Threshold {
        fn drop(&mut self) {
            set_packed_threshold(0);
        }
    }

    fn items(l: &List) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        l.for_each(false, |v| {
            let mut b = Vec::new();
            lpval_to_bytes(v, &mut b);
            out.push(b);
            true
        });
        out
    }

    fn strs(l: &List) -> Vec<String> {
        items(l)
            .into_iter()
            .map(|b| String::from_utf8(b).unwrap())
            .collect()
    }

    fn check_invariants(l: &List) {
        let total: usize = l.nodes.iter().map(|n| n.count as usize).sum();
        assert_eq!(total, l.count);
        for n in &l.nodes {
            assert!(n.count > 0, "empty node");
            if let Data::Packed(lp) = &n.data {
                assert_eq!(lp.len(), n.count as usize);
                assert_eq!(lp.bytes(), n.sz);
            }
            if n.plain {
                assert_eq!(n.count, 1);
            }
        }
        // Reverse iteration agrees with forward.
        let mut fwd = items(l);
        let mut rev = Vec::new();
        l.for_each(true, |v| {
            let mut b = Vec::new();
            lpval_to_bytes(v, &mut b);
            rev.push(b);
            true
        });
        rev.reverse();
        assert_eq!(fwd, rev);
        // Compression only in the interior.
        let d = l.compress as usize;
        let len = l.nodes.len();
        for (i, n) in l.nodes.iter().enumerate() {
            if d == 0 || i < d || i >= len.saturating_sub(d) {
                assert!(!n.is_compressed(), "node {} of {} compressed", i, len);
            }
        }
        fwd.clear();
    }

    #[test]
    fn push_pop_both_ends() {
        let mut l = List::new(-2, 0);
        l.push(b"b", true);
        l.push(b"a", true);
        l.push(b"c", false);
        l.push(b"12345", false);
        assert_eq!(strs(&l), ["a", "b", "c", "12345"]);
        assert_eq!(l.len(), 4);
        assert_eq!(l.pop(true).unwrap(), b"a");
        assert_eq!(l.pop(false).unwrap(), b"12345");
        assert_eq!(l.pop(false).unwrap(), b"c");
        assert_eq!(l.pop(false).unwrap(), b"b");
        assert!(l.pop(false).is_none());
        assert!(l.is_empty());
        assert_eq!(l.node_count(), 0);
    }

    #[test]
    fn count_fill_splits_nodes() {
        let mut l = List::new(5, 0);
        for i in 0..23 {
            l.push(format!("{}", i).as_bytes(), false);
        }
        assert_eq!(l.node_count(), 5);
        check_invariants(&l);
        for i in 0..23i64 {
            assert_eq!(l.get(i).unwrap(), format!("{}", i).as_bytes());
            assert_eq!(l.get(-1 - i).unwrap(), format!("{}", 22 - i).as_bytes());
        }
        assert!(l.get(23).is_none());
        assert!(l.get(-24).is_none());
    }

    #[test]
    fn size_fill_uses_byte_budget() {
        // -1 = 4096 bytes per node: 100-byte elements fit ~36 per node.
        let mut l = List::new(-1, 0);
        let v = [b'x'; 100];
        for _ in 0..100 {
            l.push(&v, false);
        }
        check_invariants(&l);
        for n in &l.nodes {
            assert!(n.sz <= 4096);
        }
        assert_eq!(l.node_count(), 3);
        // Fill above the safety limit with a count: elements over 8 KB each
        // get their own node.
        let mut l = List::new(1000, 0);
        let big = vec![b'y'; 5000];
        l.push(&big, false);
        l.push(&big, false);
        assert_eq!(l.node_count(), 2);
        // Clamping of options.
        let l = List::new(-100, -3);
        assert_eq!((l.fill(), l.compress_depth()), (-5, 0));
        let l = List::new(1 << 20, 1 << 20);
        assert_eq!((l.fill(), l.compress_depth()), (32767, 65535));
    }

    #[test]
    fn integers_compare_like_lpcompare() {
        let n = Needle::new(b"42");
        assert!(n.matches(LpVal::Int(42)));
        assert!(n.matches(LpVal::Str(b"42")));
        assert!(!Needle::new(b"042").matches(LpVal::Int(42)));
        assert!(!Needle::new(b"+42").matches(LpVal::Int(42)));
        let mut l = List::new(-2, 0);
        for v in ["1", "2", "3", "2", "02"] {
            l.push(v.as_bytes(), false);
        }
        assert_eq!(l.remove_matching(b"2", 0, false), 2);
        assert_eq!(strs(&l), ["1", "3", "02"]);
    }

    #[test]
    fn packed_threshold_makes_plain_nodes() {
        let _t = Threshold::set(1);
        let mut l = List::new(-2, 0);
        l.push(b"9", true);
        l.push(b"xxxxxxxxxx", true);
        l.push(b"xxxxxxxxxx", true);
        assert_eq!(l.node_count(), 3);
        assert!(l.node_kinds().iter().all(|k| k.0 == CONTAINER_PLAIN));
        assert_eq!(l.pop(false).unwrap(), b"9");
        check_invariants(&l);
        // set_packed_threshold limits (DEBUG QUICKLIST-PACKED-THRESHOLD).
        assert!(!set_packed_threshold((1 << 32) - (1 << 20) + 1));
        assert!(set_packed_threshold((1 << 32) - (1 << 20)));
        assert_eq!(packed_threshold(), (1 << 32) - (1 << 20));
        assert!(set_packed_threshold(0));
        assert_eq!(packed_threshold(), 1 << 30);
    }

    #[test]
    fn linsert_on_plain_nodes() {
        // unit/type/list "Test LINDEX and LINSERT on plain nodes"
        let _t = Threshold::set(1);
        let mut l = List::new(-2, 0);
        l.push(b"xxxxxxxxxxx", true);
        l.push(b"9", true);
        l.push(b"xxxxxxxxxxx", true);
        assert!(l.insert_at_pivot(b"9", b"8", false));
        assert_eq!(l.get(1).unwrap(), b"8");
        assert!(l.insert_at_pivot(b"9", b"7", false));
        assert!(l.insert_at_pivot(b"9", b"xxxxxxxxxxx", false));
        assert_eq!(l.get(3).unwrap(), b"xxxxxxxxxxx");
        assert_eq!(
            strs(&l),
            ["xxxxxxxxxxx", "8", "7", "xxxxxxxxxxx", "9", "xxxxxxxxxxx"]
        );
        assert!(!l.insert_at_pivot(b"nope", b"z", true));
        check_invariants(&l);
    }

    #[test]
    fn lset_packed_plain_combinations() {
        // "Test LSET with packed / plain combinations"
        let _t = Threshold::set(5);
        let mut l = List::new(-2, 0);
        l.push(b"aa", false);
        l.push(b"bb", false);
        let d = vec![b'd'; 50001];
        assert!(l.replace(0, &d));
        check_invariants(&l);
        assert_eq!(l.pop(true).unwrap(), d);
        let f = vec![b'f'; 50001];
        let e = vec![b'e'; 50001];
        l.push(&f, false);
        assert!(l.replace(0, &e));
        assert_eq!(l.pop(true).unwrap(), e);
        l.push(&vec![b'm'; 50001], false);
        assert!(l.replace(0, b"bb"));
        assert_eq!(l.pop(true).unwrap(), b"bb");
        l.push(b"bb", false);
        assert!(l.replace(0, b"cc"));
        assert_eq!(l.pop(true).unwrap(), b"cc");
        check_invariants(&l);
        assert!(!l.replace(100, b"x"));
        assert!(!l.replace(-100, b"x"));
    }

    #[test]
    fn lset_splits_packed_node_in_the_middle() {
        let _t = Threshold::set(5);
        let mut l = List::new(-2, 0);
        for v in ["aa", "bb", "cc", "dd", "ee"] {
            l.push(v.as_bytes(), false);
        }
        assert!(l.replace(2, b"eeeeeeeeee"));
        check_invariants(&l);
        assert_eq!(strs(&l), ["aa", "bb", "eeeeeeeeee", "dd", "ee"]);
        assert_eq!(l.node_count(), 3);
        // "Crash due to split quicklist node wrongly"
        let _t2 = Threshold::set(10);
        let mut l = List::new(-2, 0);
        l.push(b"aa", true);
        l.push(b"bb", true);
        assert!(l.replace(-2, b"xxxxxxxxxx"));
        assert_eq!(l.pop(false).unwrap(), b"aa");
        assert_eq!(strs(&l), ["xxxxxxxxxx"]);
        check_invariants(&l);
    }

    #[test]
    fn compression_of_interior_nodes() {
        let mut l = List::new(1, 1);
        let vals: Vec<Vec<u8>> = (0..6u8).map(|i| vec![b'a' + i; 500]).collect();
        for v in &vals {
            l.push(v, false);
        }
        check_invariants(&l);
        let kinds = l.node_kinds();
        assert_eq!(kinds.len(), 6);
        assert!(!kinds[0].2 && !kinds[5].2);
        assert!(kinds[1..5].iter().all(|k| k.2), "{:?}", kinds);
        // Reads of compressed nodes work and leave them compressed.
        assert_eq!(l.get(2).unwrap(), vals[2]);
        assert!(l.node_kinds()[2].2);
        // RDB view exposes LZF blobs for compressed nodes.
        let blobs: Vec<_> = l.rdb_nodes().collect();
        assert!(matches!(blobs[0].1, NodeBlob::Raw(_)));
        match &blobs[2].1 {
            NodeBlob::Lzf { data, raw_len } => {
                let raw = lzf::lzf_decompress(data, *raw_len).unwrap();
                let lp = Listpack::from_bytes(raw).unwrap();
                assert_eq!(lp.get(lp.first().unwrap()), LpVal::Str(&vals[2]));
            }
            other => panic!("{:?}", other),
        }
        // Popping from the head moves the boundary: node 1 decompressed.
        l.pop(true);
        check_invariants(&l);
        // Write in the middle: decompress, modify, recompress.
        assert!(l.replace(2, b"short"));
        check_invariants(&l);
        assert!(l.insert_at_pivot(b"short", &vec![b'z'; 300], true));
        check_invariants(&l);
        assert_eq!(l.remove_matching(b"short", 1, false), 1);
        check_invariants(&l);
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn compression_depth_two_insert_and_pop() {
        // unit/type/list "reg node check compression with insert and pop"
        let mut l = List::new(1, 2);
        let r = |c: u8| vec![c; 500];
        for c in [b'a', b'b', b'c', b'd'] {
            l.push(&r(c), true);
        }
        for c in [b'e', b'f', b'g', b'j'] {
            assert!(l.insert_at_pivot(&r(b'd'), &r(c), true));
            check_invariants(&l);
        }
        for c in [b'd', b'j', b'g', b'f', b'e', b'c', b'b', b'a'] {
            assert_eq!(l.pop(true).unwrap(), r(c));
            check_invariants(&l);
        }
    }

    #[test]
    fn plain_nodes_with_compression() {
        let _t = Threshold::set(1);
        let mut l = List::new(1, 2);
        let r = |c: u8| vec![c; 500];
        for c in [b'a', b'b', b'c', b'd'] {
            l.push(&r(c), true);
        }
        for c in [b'e', b'f', b'g', b'j'] {
            assert!(l.insert_at_pivot(&r(b'd'), &r(c), true));
            check_invariants(&l);
        }
        assert!(l.node_kinds().iter().any(|k| k.2));
        for c in [b'd', b'j', b'g', b'f', b'e', b'c', b'b', b'a'] {
            assert_eq!(l.pop(true).unwrap(), r(c));
        }
        // "Crash due to delete entry from a compress quicklist node"
        let _t2 = Threshold::set(100);
        let mut l = List::new(-2, 1);
        let small = vec![b'x'; 32];
        let large = vec![b'x'; 100];
        l.push(&large, false);
        l.push(&small, false);
        l.push(&small, false);
        assert!(l.replace(-1, &large));
        check_invariants(&l);
        assert_eq!(items(&l), vec![large.clone(), small.clone(), large.clone()]);
    }

    #[test]
    fn delete_range_and_trim() {
        let mut l = List::new(3, 0);
        for i in 0..20 {
            l.push(format!("{}", i).as_bytes(), false);
        }
        l.delete_range(2, 5);
        check_invariants(&l);
        assert_eq!(l.get(2).unwrap(), b"7");
        l.trim_end(true, 1);
        l.trim_end(false, 3);
        check_invariants(&l);
        let s = strs(&l);
        assert_eq!(s.first().unwrap(), "1");
        assert_eq!(s.last().unwrap(), "16");
        assert_eq!(l.len(), 11);
        l.delete_range(0, 1000);
        assert!(l.is_empty());
        assert_eq!(l.node_count(), 0);
    }

    #[test]
    fn lrem_from_tail_and_limits() {
        let mut l = List::new(2, 0);
        for v in [
            "a", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo",
        ] {
            l.push(v.as_bytes(), false);
        }
        assert_eq!(l.remove_matching(b"bar", 1, true), 1);
        assert_eq!(
            strs(&l),
            ["a", "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"]
        );
        assert_eq!(l.remove_matching(b"foo", 2, true), 2);
        assert_eq!(
            strs(&l),
            ["a", "foo", "bar", "foobar", "foobared", "zap", "test"]
        );
        assert_eq!(l.remove_matching(b"nosuch", 0, false), 0);
        assert_eq!(l.remove_matching(b"a", 0, false), 1);
        check_invariants(&l);
    }

    #[test]
    fn range_iteration() {
        let mut l = List::new(4, 0);
        for i in 0..30 {
            l.push(format!("{}", i).as_bytes(), false);
        }
        let mut got = Vec::new();
        l.for_each_from(25, true, |v| {
            got.push(match v {
                LpVal::Int(n) => n,
                LpVal::Str(_) => -1,
            });
            got.len() < 5
        });
        assert_eq!(got, [25, 24, 23, 22, 21]);
        let mut got = Vec::new();
        l.for_each_from(27, false, |v| {
            got.push(match v {
                LpVal::Int(n) => n,
                LpVal::Str(_) => -1,
            });
            true
        });
        assert_eq!(got, [27, 28, 29]);
    }

    #[test]
    fn rdb_roundtrip_and_validation() {
        let _t = Threshold::set(20);
        let mut l = List::new(4, 0);
        for i in 0..10 {
            l.push(format!("v{}", i).as_bytes(), false);
        }
        l.push(&[b'L'; 30], false);
        let mut copy = List::new(4, 0);
        for (c, blob) in l.rdb_nodes() {
            let bytes = match blob {
                NodeBlob::Raw(b) => b.to_vec(),
                NodeBlob::Lzf { data, raw_len } => lzf::lzf_decompress(data, raw_len).unwrap(),
            };
            copy.append_rdb_node(c as u64, bytes, true).unwrap();
        }
        assert_eq!(items(&copy), items(&l));
        assert_eq!(copy.node_kinds(), l.node_kinds());
        // Corrupt data is refused, empty listpacks are skipped.
        assert!(copy.append_rdb_node(2, vec![1, 2, 3], true).is_err());
        assert!(copy.append_rdb_node(3, vec![1], true).is_err());
        let n = copy.node_count();
        copy.append_rdb_node(2, Listpack::new().as_bytes().to_vec(), true)
            .unwrap();
        assert_eq!(copy.node_count(), n);
        copy.append_packed_values([LpVal::Int(7), LpVal::Str(b"x")]);
        assert_eq!(copy.get(-2).unwrap(), b"7");
        check_invariants(&copy);
    }

    /// A ziplist as Redis 6 wrote it: strings and integers.
    fn ziplist_of(items: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prevlen = 0usize;
        let mut last_off = 10usize;
        for it in items {
            let start = body.len();
            last_off = 10 + start;
            if prevlen < 254 {
                body.push(prevlen as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prevlen as u32).to_le_bytes());
            }
            match std::str::from_utf8(it)
                .ok()
                .and_then(|t| t.parse::<i16>().ok())
            {
                Some(n) if n.to_string().as_bytes() == *it => {
                    body.push(0xC0);
                    body.extend_from_slice(&n.to_le_bytes());
                }
                _ => {
                    assert!(it.len() < 64);
                    body.push(it.len() as u8);
                    body.extend_from_slice(it);
                }
            }
            prevlen = body.len() - start;
        }
        let mut zl = Vec::new();
        zl.extend_from_slice(&((10 + body.len() + 1) as u32).to_le_bytes());
        zl.extend_from_slice(&(last_off as u32).to_le_bytes());
        zl.extend_from_slice(&(items.len() as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(0xFF);
        zl
    }

    #[test]
    fn loads_v9_ziplist_quicklists() {
        let mut l = List::new(-2, 0);
        l.append_ziplist_node(&ziplist_of(&[b"a", b"300", b"hello"]))
            .unwrap();
        l.append_ziplist_node(&ziplist_of(&[])).unwrap();
        l.append_ziplist_node(&ziplist_of(&[b"-7"])).unwrap();
        assert_eq!(strs(&l), ["a", "300", "hello", "-7"]);
        assert_eq!(l.node_count(), 2);
        check_invariants(&l);
        let mut bad = ziplist_of(&[b"a"]);
        bad[11] = 60; // string length beyond the blob
        assert!(l.append_ziplist_node(&bad).is_err());
        // RDB_TYPE_LIST_ZIPLIST: elements pushed one by one (fill 2 → nodes of 2).
        let mut l = List::new(2, 0);
        l.push_ziplist_elements(&ziplist_of(&[b"x", b"1", b"y", b"2", b"z"]))
            .unwrap();
        assert_eq!(strs(&l), ["x", "1", "y", "2", "z"]);
        assert_eq!(l.node_count(), 3);
        assert!(l.push_ziplist_elements(&bad).is_err());
    }

    /// Random operations against a Vec model, with and without compression
    /// and plain nodes (the list-3 stress test in miniature).
    #[test]
    fn random_ops_match_model() {
        let mut rng = crate::util::rand::Rng::new(12345);
        for (fill, depth, thr) in [
            (4, 0, 0u64),
            (2, 1, 0),
            (16, 2, 50),
            (1, 1, 30),
            (-2, 0, 1),
            (-1, 1, 0),
        ] {
            let _t = Threshold::set(thr);
            let mut l = List::new(fill, depth);
            let mut m: Vec<Vec<u8>> = Vec::new();
            let (mut saw_lzf, mut saw_plain) = (false, false);
            for i in 0..300 {
                let v = format!("{}{}", "y".repeat(i % 90), i).into_bytes();
                l.push(&v, false);
                m.push(v);
            }
            for step in 0..3000 {
                let ele: Vec<u8> = if rng.gen_range(2) == 0 {
                    format!("{}", rng.gen_range(1000)).into_bytes()
                } else {
                    let mut v = vec![b'x'; rng.gen_range(200) as usize];
                    v.extend_from_slice(format!("{}", rng.gen_range(1000)).as_bytes());
                    v
                };
                match rng.gen_range(10) {
                    0 | 8 => {
                        l.push(&ele, true);
                        m.insert(0, ele);
                    }
                    1 | 9 => {
                        l.push(&ele, false);
                        m.push(ele);
                    }
                    2 => assert_eq!(
                        l.pop(true),
                        if m.is_empty() {
                            None
                        } else {
                            Some(m.remove(0))
                        }
                    ),
                    3 => assert_eq!(l.pop(false), m.pop()),
                    4 => {
                        let idx = rng.gen_range(10) as i64 - 5;
                        let ok = l.replace(idx, &ele);
                        let mi = if idx < 0 { m.len() as i64 + idx } else { idx };
                        assert_eq!(ok, mi >= 0 && (mi as usize) < m.len());
                        if ok {
                            m[mi as usize] = ele;
                        }
                    }
                    5 => {
                        let pivot = format!("{}", rng.gen_range(1000)).into_bytes();
                        let after = rng.gen_range(2) == 0;
                        let ok = l.insert_at_pivot(&pivot, &ele, after);
                        let pos = m.iter().position(|x| *x == pivot);
                        assert_eq!(ok, pos.is_some());
                        if let Some(p) = pos {
                            m.insert(if after { p + 1 } else { p }, ele);
                        }
                    }
                    6 => {
                        if !m.is_empty() {
                            let target = m[rng.gen_index(m.len())].clone();
                            let from_tail = rng.gen_range(2) == 0;
                            assert_eq!(l.remove_matching(&target, 1, from_tail), 1);
                            let p = if from_tail {
                                m.iter().rposition(|x| *x == target)
                            } else {
                                m.iter().position(|x| *x == target)
                            };
                            m.remove(p.unwrap());
                        }
                    }
                    _ => {
                        if !m.is_empty() {
                            let a = rng.gen_index(m.len());
                            let n = rng.gen_index(4);
                            l.delete_range(a, n);
                            let e = (a + n).min(m.len());
                            m.drain(a..e);
                        }
                    }
                }
                assert_eq!(l.len(), m.len(), "step {}", step);
                let kinds = l.node_kinds();
                saw_lzf |= kinds.iter().any(|k| k.2);
                saw_plain |= kinds.iter().any(|k| k.0 == CONTAINER_PLAIN);
                if step % 97 == 0 {
                    check_invariants(&l);
                    assert_eq!(items(&l), m);
                }
            }
            check_invariants(&l);
            assert_eq!(items(&l), m);
            assert_eq!(
                saw_lzf,
                depth > 0,
                "fill {} depth {} {:?} {}",
                fill,
                depth,
                l.node_kinds(),
                l.len()
            );
            assert_eq!(saw_plain, thr > 0, "fill {} thr {}", fill, thr);
        }
    }
}
