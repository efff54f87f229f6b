//! The Sorted Set value (Redis's `t_zset.c` data half: `zskiplist`, the
//! `zzl*` listpack helpers and the encoding-independent `zset*` API).
//!
//! Two encodings, chosen exactly where Redis chooses them:
//!
//! * **listpack** (`OBJECT ENCODING listpack`): a Redis-format listpack
//!   (`crate::db::listpack`) holding `member, score, member, score ...`
//!   ordered by score, then by member bytes. Members that look like integers
//!   are stored as listpack integers (the listpack decides); scores are
//!   stored as integers when `double2ll` accepts them, otherwise as the
//!   `d2string` text (Redis's `zzlInsertAt`). Read back with `strtod`
//!   semantics (`zzlStrtod`).
//! * **skiplist**: Redis's `zset { dict, zskiplist }`: a member → score
//!   `Dict` for O(1) ZSCORE plus a skiplist ordered by (score, member bytes)
//!   whose per-level spans give O(log n) ranks. Levels are random with
//!   p = 1/4, at most 32 (zslRandomLevel).
//!
//! The skiplist is an arena (`Vec` of nodes linked by `u32` indices, slot 0
//! is the 32-level header, `NIL` is the null link), so it needs no unsafe
//! code; freed slots are recycled and the arena is compacted when it becomes
//! mostly holes. Spans and indices are `u32`: a sorted set is limited to
//! 2^32-2 members, far beyond what fits in memory.
//!
//! Conversions: listpack → skiplist when an insertion would exceed
//! `zset-max-listpack-entries` or a member is longer than
//! `zset-max-listpack-value` (zsetAdd), or the listpack would exceed 1 GB
//! (lpSafeToAdd); skiplist → listpack only through
//! [`ZSet::convert_to_listpack_if_needed`] (Z*STORE results, RDB loading),
//! as Redis's zsetConvertToListpackIfNeeded.
//!
//! Positions ([`Pos`]) let the command layer walk either encoding the same
//! way (zzlNext/zzlPrev vs node->level[0].forward/backward).
//!
//! RDB-facing API: [`ZSet::listpack_bytes`] (RDB_TYPE_ZSET_LISTPACK),
//! [`ZSet::iter_rdb`] (RDB_TYPE_ZSET_2 order: highest to lowest, as
//! rdbSaveObject writes skiplists), [`ZSetLoader`] (ZSET / ZSET_2 loading with
//! NaN / duplicate detection and the post-load conversion),
//! [`ZSet::from_listpack`] and [`ZSet::from_sorted_pairs`] (v9 ziplists).
use crate::db::dict::Dict;
use crate::db::listpack::{Listpack, LpVal, Where};
use crate::util::num::{d2string, double2ll, fmt_g17, string2ll, strtod_full};
use crate::util::rand::Rng;
use std::cell::RefCell;
use std::cmp::Ordering;

/// ZSKIPLIST_MAXLEVEL
pub const ZSKIPLIST_MAXLEVEL: usize = 32;
/// LISTPACK_MAX_SAFETY_SIZE (lpSafeToAdd).
pub const LISTPACK_MAX_SAFETY_SIZE: usize = 1 << 30;
const NIL: u32 = u32::MAX;
const HEAD: u32 = 0;

// ---------------------------------------------------------------------------
// Members and small helpers
// ---------------------------------------------------------------------------

/// A member as stored: listpacks keep integer-looking members as integers.
#[derive(Clone, Copy, Debug)]
pub enum Ele<'a> {
    Str(&'a [u8]),
    Int(i64),
}

/// Decimal form of `n` in `buf` (no allocation).
fn int_str(n: i64, buf: &mut [u8; 24]) -> &[u8] {
    let mut i = buf.len();
    let neg = n < 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

impl<'a> Ele<'a> {
    fn from_lp(v: LpVal<'a>) -> Ele<'a> {
        match v {
            LpVal::Int(n) => Ele::Int(n),
            LpVal::Str(s) => Ele::Str(s),
        }
    }

    /// Append the member's bytes to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Ele::Str(s) => out.extend_from_slice(s),
            Ele::Int(n) => {
                let mut b = [0u8; 24];
                out.extend_from_slice(int_str(*n, &mut b));
            }
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v);
        v
    }

    /// Byte length of the member.
    pub fn len(&self) -> usize {
        match self {
            Ele::Str(s) => s.len(),
            Ele::Int(n) => {
                let mut b = [0u8; 24];
                int_str(*n, &mut b).len()
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run `f` on the member's bytes.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Ele::Str(s) => f(s),
            Ele::Int(n) => {
                let mut b = [0u8; 24];
                f(int_str(*n, &mut b))
            }
        }
    }

    /// memcmp-style comparison of the member's bytes with `other`.
    fn cmp_bytes(&self, other: &[u8]) -> Ordering {
        self.with_bytes(|b| b.cmp(other))
    }
}

/// Random skiplist level (zslRandomLevel): 1 + geometric(p = 1/4), max 32.
fn random_level() -> usize {
    thread_local! {
        static LEVEL_RNG: RefCell<Rng> = RefCell::new(Rng::from_entropy());
    }
    LEVEL_RNG.with(|r| {
        let mut r = r.borrow_mut();
        let mut level = 1;
        // Two random bits per level: P(continue) = 1/4.
        let mut bits = r.next_u64();
        let mut left = 32;
        while level < ZSKIPLIST_MAXLEVEL && bits & 3 == 0 {
            level += 1;
            bits >>= 2;
            left -= 1;
            if left == 0 {
                bits = r.next_u64();
                left = 32;
            }
        }
        level
    })
}

/// Redis `zzlStrtod`: `strtod` of (at most 127 bytes of) a stored score,
/// ignoring trailing garbage (scores written by us are always clean).
pub fn zzl_strtod(s: &[u8]) -> f64 {
    let s = &s[..s.len().min(127)];
    if let Some(v) = strtod_full(s) {
        return v;
    }
    // Longest parseable prefix, as strtod would stop there.
    let mut end = s.len();
    while end > 0 {
        end -= 1;
        if let Some(v) = strtod_full(&s[..end]) {
            return v;
        }
    }
    0.0
}

/// `strtod(s, &eptr)` accepted iff `*eptr == '\0'` and not NaN, with C string
/// semantics (the argument ends at its first NUL byte; leading whitespace is
/// skipped; an empty string is 0). Used for ZRANGEBYSCORE-style bounds.
fn strtod_c_whole(arg: &[u8]) -> Option<f64> {
    let s = match memchr::memchr(0, arg) {
        Some(i) => &arg[..i],
        None => arg,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    strtod_full(&s[start..])
}

// ---------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------

/// Score interval (Redis's zrangespec).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    /// Exclusive bounds ("(" prefix).
    pub minex: bool,
    pub maxex: bool,
}

fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    match arg.first() {
        Some(b'(') => strtod_c_whole(&arg[1..]).map(|v| (v, true)),
        _ => strtod_c_whole(arg).map(|v| (v, false)),
    }
}

impl ScoreRange {
    /// zslParseRange: "1.5", "(1.5", "inf", "-inf", "+inf" ...; None on
    /// a bound that is not a float ("ERR min or max is not a float").
    pub fn parse(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
        let (min, minex) = parse_score_bound(min)?;
        let (max, maxex) = parse_score_bound(max)?;
        Some(ScoreRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// The range can never contain anything.
    fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// One end of a lexicographic range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LexBound<'a> {
    /// "-": before every string.
    MinusInf,
    /// "+": after every string.
    PlusInf,
    Str(&'a [u8]),
}

/// Lexicographic interval (Redis's zlexrangespec).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LexRange<'a> {
    pub min: LexBound<'a>,
    pub max: LexBound<'a>,
    pub minex: bool,
    pub maxex: bool,
}

fn parse_lex_item(item: &[u8]) -> Option<(LexBound<'_>, bool)> {
    // C string semantics for the one-character forms ("+\0x" is "+").
    let single = item.len() == 1 || item.get(1) == Some(&0);
    match item.first() {
        Some(b'+') if single => Some((LexBound::PlusInf, true)),
        Some(b'-') if single => Some((LexBound::MinusInf, true)),
        Some(b'(') => Some((LexBound::Str(&item[1..]), true)),
        Some(b'[') => Some((LexBound::Str(&item[1..]), false)),
        _ => None,
    }
}

/// sdscmplex(value, bound).
fn lex_cmp(value: &[u8], b: &LexBound) -> Ordering {
    match b {
        LexBound::MinusInf => Ordering::Greater,
        LexBound::PlusInf => Ordering::Less,
        LexBound::Str(s) => value.cmp(s),
    }
}

/// sdscmplex(bound, bound).
fn bound_cmp(a: &LexBound, b: &LexBound) -> Ordering {
    match (a, b) {
        (LexBound::MinusInf, LexBound::MinusInf) | (LexBound::PlusInf, LexBound::PlusInf) => {
            Ordering::Equal
        }
        (LexBound::MinusInf, _) | (_, LexBound::PlusInf) => Ordering::Less,
        (LexBound::PlusInf, _) | (_, LexBound::MinusInf) => Ordering::Greater,
        (LexBound::Str(x), LexBound::Str(y)) => x.cmp(y),
    }
}

impl<'a> LexRange<'a> {
    /// zslParseLexRange: items start with "(" or "[", or are "+" / "-".
    /// None → "ERR min or max not valid string range item".
    pub fn parse(min: &'a [u8], max: &'a [u8]) -> Option<LexRange<'a>> {
        let (min, minex) = parse_lex_item(min)?;
        let (max, maxex) = parse_lex_item(max)?;
        Some(LexRange {
            min,
            max,
            minex,
            maxex,
        })
    }

    pub fn gte_min(&self, v: &[u8]) -> bool {
        let c = lex_cmp(v, &self.min);
        if self.minex {
            c == Ordering::Greater
        } else {
            c != Ordering::Less
        }
    }

    pub fn lte_max(&self, v: &[u8]) -> bool {
        let c = lex_cmp(v, &self.max);
        if self.maxex {
            c == Ordering::Less
        } else {
            c != Ordering::Greater
        }
    }

    fn is_empty(&self) -> bool {
        let c = bound_cmp(&self.min, &self.max);
        c == Ordering::Greater || (c == Ordering::Equal && (self.minex || self.maxex))
    }

    fn ele_gte_min(&self, e: &Ele) -> bool {
        e.with_bytes(|b| self.gte_min(b))
    }

    fn ele_lte_max(&self, e: &Ele) -> bool {
        e.with_bytes(|b| self.lte_max(b))
    }
}

// ---------------------------------------------------------------------------
// Skiplist
// ---------------------------------------------------------------------------
//
// Nodes live in one byte arena (`ZSkipList::a`) so that a search step touches
// a single node: its score, links and (short) member are contiguous, as in
// Redis's zskiplistNode with its flexible level array. A node is addressed by
// its offset in 8-byte words (u32). Record layout:
//
//   +0  score      f64 LE
//   +8  backward   u32 LE (NIL for the first node; next-free link when free)
//   +12 levels     u8  (1..=32)
//   +13 member len u8  (0..=24 stored inline, BIG = in `big[index]`)
//   +16 levels × (forward u32 LE, span u32 LE)
//   +16+8*levels   member area, 24 bytes: the member bytes or the u32 index
//
// Free records are kept on per-level-count lists (a record is reused only by
// a node with the same number of levels); the arena is compacted when more
// than half of it is free.

/// Bytes of a record before its levels.
const REC_HDR: usize = 16;
/// Members up to this size are stored inside the node.
const INLINE_MAX: usize = 24;
/// `member len` marker of a member stored in `big`.
const BIG: u8 = 255;

#[inline]
fn rec_size(levels: usize) -> usize {
    REC_HDR + 8 * levels + INLINE_MAX
}

#[inline]
fn wpos(x: u32) -> usize {
    x as usize * 8
}

/// Redis's zskiplist, in a byte arena (see above).
#[derive(Clone, Debug)]
pub struct ZSkipList {
    a: Vec<u8>,
    /// Head of the free list per level count (empty until the first free).
    free: Vec<u32>,
    free_bytes: usize,
    /// Members longer than INLINE_MAX, and their free slots.
    big: Vec<Box<[u8]>>,
    big_free: Vec<u32>,
    tail: u32,
    length: usize,
    level: usize,
}

impl Default for ZSkipList {
    fn default() -> Self {
        Self::new()
    }
}

impl ZSkipList {
    pub fn new() -> ZSkipList {
        let mut zsl = ZSkipList {
            a: Vec::new(),
            free: Vec::new(),
            free_bytes: 0,
            big: Vec::new(),
            big_free: Vec::new(),
            tail: NIL,
            length: 0,
            level: 1,
        };
        let h = zsl.alloc(ZSKIPLIST_MAXLEVEL, 0.0, b"");
        debug_assert_eq!(h, HEAD);
        zsl
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.length
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    // -- record access ------------------------------------------------------

    #[inline]
    fn rd32(&self, at: usize) -> u32 {
        let b = &self.a[at..at + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    #[inline]
    fn wr32(&mut self, at: usize, v: u32) {
        self.a[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[inline]
    fn score(&self, x: u32) -> f64 {
        let p = wpos(x);
        let b = &self.a[p..p + 8];
        f64::from_bits(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    #[inline]
    fn set_score(&mut self, x: u32, s: f64) {
        let p = wpos(x);
        self.a[p..p + 8].copy_from_slice(&s.to_bits().to_le_bytes());
    }

    #[inline]
    fn back(&self, x: u32) -> u32 {
        self.rd32(wpos(x) + 8)
    }

    #[inline]
    fn set_back(&mut self, x: u32, b: u32) {
        self.wr32(wpos(x) + 8, b)
    }

    #[inline]
    fn nlev(&self, x: u32) -> usize {
        self.a[wpos(x) + 12] as usize
    }

    #[inline]
    fn lvl_at(x: u32, i: usize) -> usize {
        wpos(x) + REC_HDR + 8 * i
    }

    #[inline]
    fn fwd(&self, x: u32, i: usize) -> u32 {
        self.rd32(Self::lvl_at(x, i))
    }

    #[inline]
    fn span(&self, x: u32, i: usize) -> u32 {
        self.rd32(Self::lvl_at(x, i) + 4)
    }

    #[inline]
    fn set_fwd(&mut self, x: u32, i: usize, f: u32) {
        self.wr32(Self::lvl_at(x, i), f)
    }

    #[inline]
    fn set_span(&mut self, x: u32, i: usize, s: u32) {
        self.wr32(Self::lvl_at(x, i) + 4, s)
    }

    /// The member of node `x`.
    #[inline]
    fn ele(&self, x: u32) -> &[u8] {
        let p = wpos(x);
        let m = self.a[p + 12 + 1];
        let at = p + REC_HDR + 8 * self.a[p + 12] as usize;
        if m == BIG {
            &self.big[self.rd32(at) as usize]
        } else {
            &self.a[at..at + m as usize]
        }
    }

    /// (score(x), ele(x)) < (score, ele) in skiplist order.
    #[inline]
    fn before(&self, x: u32, score: f64, ele: &[u8]) -> bool {
        let s = self.score(x);
        s < score || (s == score && self.ele(x) < ele)
    }

    /// Node `f` sorts before node `x`.
    #[inline]
    fn node_before(&self, f: u32, x: u32) -> bool {
        let (sf, sx) = (self.score(f), self.score(x));
        sf < sx || (sf == sx && self.ele(f) < self.ele(x))
    }

    /// A new unlinked record (levels NIL/0, backward NIL).
    fn alloc(&mut self, levels: usize, score: f64, ele: &[u8]) -> u32 {
        let size = rec_size(levels);
        let head = self.free.get(levels).copied().unwrap_or(NIL);
        let x = if head != NIL {
            let next = self.back(head);
            self.free[levels] = next;
            self.free_bytes -= size;
            head
        } else {
            let at = self.a.len();
            self.a.resize(at + size, 0);
            (at / 8) as u32
        };
        let p = wpos(x);
        self.set_score(x, score);
        self.set_back(x, NIL);
        self.a[p + 12] = levels as u8;
        for i in 0..levels {
            self.set_fwd(x, i, NIL);
            self.set_span(x, i, 0);
        }
        let at = p + REC_HDR + 8 * levels;
        if ele.len() <= INLINE_MAX {
            self.a[p + 13] = ele.len() as u8;
            self.a[at..at + ele.len()].copy_from_slice(ele);
        } else {
            self.a[p + 13] = BIG;
            let idx = match self.big_free.pop() {
                Some(i) => {
                    self.big[i as usize] = ele.into();
                    i
                }
                None => {
                    self.big.push(ele.into());
                    (self.big.len() - 1) as u32
                }
            };
            self.wr32(at, idx);
        }
        x
    }

    /// Put an unlinked record on its free list.
    fn release(&mut self, x: u32) {
        let p = wpos(x);
        let levels = self.nlev(x);
        if self.a[p + 13] == BIG {
            let idx = self.rd32(p + REC_HDR + 8 * levels);
            self.big[idx as usize] = Box::default();
            self.big_free.push(idx);
        }
        if self.free.is_empty() {
            self.free = vec![NIL; ZSKIPLIST_MAXLEVEL + 1];
        }
        let next = self.free[levels];
        self.set_back(x, next);
        self.free[levels] = x;
        self.free_bytes += rec_size(levels);
    }

    /// First node (lowest), NIL if empty.
    #[inline]
    fn first(&self) -> u32 {
        self.fwd(HEAD, 0)
    }

    /// zslInsert: the member must not be present already.
    fn insert(&mut self, score: f64, ele: &[u8]) -> u32 {
        let x = self.alloc(random_level(), score, ele);
        self.link(x);
        x
    }

    /// Link an unlinked record at its (score, member) position.
    fn link(&mut self, x: u32) {
        let mut update = [HEAD; ZSKIPLIST_MAXLEVEL];
        let mut rank = [0u32; ZSKIPLIST_MAXLEVEL];
        let mut cur = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let f = self.fwd(cur, i);
                if f != NIL && self.node_before(f, x) {
                    rank[i] += self.span(cur, i);
                    cur = f;
                } else {
                    break;
                }
            }
            update[i] = cur;
        }
        let level = self.nlev(x);
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.set_span(HEAD, i, self.length as u32);
            }
            self.level = level;
        }
        for i in 0..level {
            let u = update[i];
            let (uf, us) = (self.fwd(u, i), self.span(u, i));
            let d = rank[0] - rank[i];
            self.set_fwd(x, i, uf);
            self.set_span(x, i, us - d);
            self.set_fwd(u, i, x);
            self.set_span(u, i, d + 1);
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(level) {
            let s = self.span(u, i);
            self.set_span(u, i, s + 1);
        }
        self.set_back(x, if update[0] == HEAD { NIL } else { update[0] });
        let f = self.fwd(x, 0);
        if f != NIL {
            self.set_back(f, x);
        } else {
            self.tail = x;
        }
        self.length += 1;
    }

    /// zslDeleteNode: unlink `x` given the update vector (record kept).
    fn unlink(&mut self, x: u32, update: &[u32; ZSKIPLIST_MAXLEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            if self.fwd(u, i) == x {
                let s = self.span(u, i) + self.span(x, i) - 1;
                self.set_span(u, i, s);
                let f = self.fwd(x, i);
                self.set_fwd(u, i, f);
            } else {
                let s = self.span(u, i);
                self.set_span(u, i, s - 1);
            }
        }
        let f = self.fwd(x, 0);
        let b = self.back(x);
        if f != NIL {
            self.set_back(f, b);
        } else {
            self.tail = b;
        }
        while self.level > 1 && self.fwd(HEAD, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.length -= 1;
    }

    /// Update vector for the position of (score, ele).
    fn find_update(&self, score: f64, ele: &[u8]) -> [u32; ZSKIPLIST_MAXLEVEL] {
        let mut update = [HEAD; ZSKIPLIST_MAXLEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && self.before(f, score, ele) {
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// zslDelete: remove (score, ele); false if not found.
    fn delete(&mut self, score: f64, ele: &[u8]) -> bool {
        let update = self.find_update(score, ele);
        let x = self.fwd(update[0], 0);
        if x != NIL && self.score(x) == score && self.ele(x) == ele {
            self.unlink(x, &update);
            self.release(x);
            self.maybe_compact();
            true
        } else {
            false
        }
    }

    /// zslUpdateScore: move an existing member to a new score (the node is
    /// updated in place when its position does not change, else relinked).
    fn update_score(&mut self, cur: f64, ele: &[u8], new: f64) {
        let update = self.find_update(cur, ele);
        let x = self.fwd(update[0], 0);
        debug_assert!(x != NIL && self.score(x) == cur && self.ele(x) == ele);
        if x == NIL {
            return;
        }
        let b = self.back(x);
        let f = self.fwd(x, 0);
        if (b == NIL || self.score(b) < new) && (f == NIL || self.score(f) > new) {
            self.set_score(x, new);
            return;
        }
        self.unlink(x, &update);
        self.set_score(x, new);
        for i in 0..self.nlev(x) {
            self.set_fwd(x, i, NIL);
            self.set_span(x, i, 0);
        }
        self.link(x);
    }

    fn is_in_range(&self, r: &ScoreRange) -> bool {
        if r.is_empty() {
            return false;
        }
        if self.tail == NIL || !r.gte_min(self.score(self.tail)) {
            return false;
        }
        let f = self.first();
        f != NIL && r.lte_max(self.score(f))
    }

    /// Last node for which `go(node)` holds walking from the head (HEAD if
    /// none); `go` must be monotonic along the list.
    fn last_where(&self, go: impl Fn(u32) -> bool) -> u32 {
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && go(f) {
                    x = f;
                } else {
                    break;
                }
            }
        }
        x
    }

    /// zslFirstInRange
    fn first_in_range(&self, r: &ScoreRange) -> u32 {
        if !self.is_in_range(r) {
            return NIL;
        }
        let x = self.fwd(self.last_where(|f| !r.gte_min(self.score(f))), 0);
        if x == NIL || !r.lte_max(self.score(x)) {
            return NIL;
        }
        x
    }

    /// zslLastInRange
    fn last_in_range(&self, r: &ScoreRange) -> u32 {
        if !self.is_in_range(r) {
            return NIL;
        }
        let x = self.last_where(|f| r.lte_max(self.score(f)));
        if x == HEAD || !r.gte_min(self.score(x)) {
            return NIL;
        }
        x
    }

    fn is_in_lex_range(&self, r: &LexRange) -> bool {
        if r.is_empty() {
            return false;
        }
        if self.tail == NIL || !r.gte_min(self.ele(self.tail)) {
            return false;
        }
        let f = self.first();
        f != NIL && r.lte_max(self.ele(f))
    }

    fn first_in_lex_range(&self, r: &LexRange) -> u32 {
        if !self.is_in_lex_range(r) {
            return NIL;
        }
        let x = self.fwd(self.last_where(|f| !r.gte_min(self.ele(f))), 0);
        if x == NIL || !r.lte_max(self.ele(x)) {
            return NIL;
        }
        x
    }

    fn last_in_lex_range(&self, r: &LexRange) -> u32 {
        if !self.is_in_lex_range(r) {
            return NIL;
        }
        let x = self.last_where(|f| r.lte_max(self.ele(f)));
        if x == HEAD || !r.gte_min(self.ele(x)) {
            return NIL;
        }
        x
    }

    /// Update vector of the last nodes for which `go` holds, per level.
    fn update_where(&self, go: impl Fn(u32) -> bool) -> [u32; ZSKIPLIST_MAXLEVEL] {
        let mut update = [HEAD; ZSKIPLIST_MAXLEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && go(f) {
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// Unlink and free nodes from the one after `update[0]` on while
    /// `keep_going(node)`, removing them from `dict` too.
    fn delete_run(
        &mut self,
        update: &[u32; ZSKIPLIST_MAXLEVEL],
        dict: &mut Dict<f64>,
        mut keep_going: impl FnMut(&ZSkipList, u32) -> bool,
    ) -> usize {
        let mut removed = 0;
        let mut x = self.fwd(update[0], 0);
        while x != NIL && keep_going(self, x) {
            let next = self.fwd(x, 0);
            self.unlink(x, update);
            dict.remove(self.ele(x));
            self.release(x);
            removed += 1;
            x = next;
        }
        self.maybe_compact();
        removed
    }

    /// zslDeleteRangeByScore
    fn delete_range_by_score(&mut self, r: &ScoreRange, dict: &mut Dict<f64>) -> usize {
        let update = self.update_where(|f| !r.gte_min(self.score(f)));
        self.delete_run(&update, dict, |z, x| r.lte_max(z.score(x)))
    }

    /// zslDeleteRangeByLex
    fn delete_range_by_lex(&mut self, r: &LexRange, dict: &mut Dict<f64>) -> usize {
        let update = self.update_where(|f| !r.gte_min(self.ele(f)));
        self.delete_run(&update, dict, |z, x| r.lte_max(z.ele(x)))
    }

    /// zslDeleteRangeByRank: 1-based inclusive ranks.
    fn delete_range_by_rank(&mut self, start: usize, end: usize, dict: &mut Dict<f64>) -> usize {
        let mut update = [HEAD; ZSKIPLIST_MAXLEVEL];
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                let span = self.span(x, i) as usize;
                if f != NIL && traversed + span < start {
                    traversed += span;
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut rank = traversed + 1;
        self.delete_run(&update, dict, |_, _| {
            let go = rank <= end;
            rank += 1;
            go
        })
    }

    /// zslGetRank: 1-based rank of (score, ele), 0 if absent.
    fn get_rank(&self, score: f64, ele: &[u8]) -> usize {
        let mut rank = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && {
                    let s = self.score(f);
                    s < score || (s == score && self.ele(f) <= ele)
                } {
                    rank += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if x != HEAD && self.ele(x) == ele {
                return rank;
            }
        }
        0
    }

    /// Rank of node `x` (1-based).
    fn rank_of(&self, x: u32) -> usize {
        self.get_rank(self.score(x), self.ele(x))
    }

    /// zslGetElementByRank: 1-based.
    fn get_by_rank(&self, rank: usize) -> u32 {
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                let span = self.span(x, i) as usize;
                if f != NIL && traversed + span <= rank {
                    traversed += span;
                    x = f;
                } else {
                    break;
                }
            }
            if traversed == rank {
                return if x == HEAD { NIL } else { x };
            }
        }
        NIL
    }

    /// Rebuild the arena without holes when more than half of it is free.
    fn maybe_compact(&mut self) {
        if self.free_bytes < 4096 || self.free_bytes * 2 < self.a.len() {
            return;
        }
        let mut map = vec![NIL; self.a.len() / 8];
        let mut order = Vec::with_capacity(self.length + 1);
        let mut na: Vec<u8> = Vec::with_capacity(self.a.len() - self.free_bytes);
        let mut x = HEAD;
        loop {
            let p = wpos(x);
            let size = rec_size(self.nlev(x));
            map[x as usize] = (na.len() / 8) as u32;
            na.extend_from_slice(&self.a[p..p + size]);
            order.push(x);
            x = self.fwd(x, 0);
            if x == NIL {
                break;
            }
        }
        let remap = |v: u32| if v == NIL { NIL } else { map[v as usize] };
        self.a = na;
        for &old in &order {
            let x = map[old as usize];
            let b = remap(self.back(x));
            self.set_back(x, b);
            for i in 0..self.nlev(x) {
                let f = remap(self.fwd(x, i));
                self.set_fwd(x, i, f);
            }
        }
        self.tail = remap(self.tail);
        self.free = Vec::new();
        self.free_bytes = 0;
        // Drop unused big-member slots at the end.
        if self.big_free.len() == self.big.len() {
            self.big = Vec::new();
            self.big_free = Vec::new();
        }
    }

    /// Check every structural invariant (tests).
    #[cfg(test)]
    fn check(&self) {
        let mut x = self.first();
        let mut prev = NIL;
        let mut count = 0;
        while x != NIL {
            assert_eq!(self.back(x), prev);
            if prev != NIL {
                assert!(self.node_before(prev, x));
            }
            count += 1;
            prev = x;
            x = self.fwd(x, 0);
        }
        assert_eq!(prev, self.tail);
        assert_eq!(count, self.length);
        // Spans: following level i from the head must reach each node at its rank.
        for i in 0..self.level {
            let mut x = HEAD;
            let mut rank = 0usize;
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                rank += self.span(x, i) as usize;
                assert_eq!(self.rank_of(f), rank);
                x = f;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Listpack encoding (zzl*)
// ---------------------------------------------------------------------------

/// Score of the entry at `sptr` (zzlGetScore).
fn zzl_score(lp: &Listpack, sptr: usize) -> f64 {
    match lp.get(sptr) {
        LpVal::Int(n) => n as f64,
        LpVal::Str(s) => zzl_strtod(s),
    }
}

#[inline]
fn zzl_ele(lp: &Listpack, eptr: usize) -> Ele<'_> {
    Ele::from_lp(lp.get(eptr))
}

/// Member at `eptr` compared with `b` (zzlCompareElements).
fn zzl_cmp(lp: &Listpack, eptr: usize, b: &[u8]) -> Ordering {
    zzl_ele(lp, eptr).cmp_bytes(b)
}

/// Member equality, comparing integers numerically (lpFind's shortcut).
fn zzl_eq(lp: &Listpack, eptr: usize, b: &[u8], b_int: Option<i64>) -> bool {
    match lp.get(eptr) {
        LpVal::Int(n) => b_int == Some(n),
        LpVal::Str(s) => s == b,
    }
}

/// Score pointer of a member pointer (the listpack holds pairs).
#[inline]
fn zzl_sptr(lp: &Listpack, eptr: usize) -> Option<usize> {
    lp.next(eptr)
}

/// Next pair's member pointer (zzlNext).
#[inline]
fn zzl_next(lp: &Listpack, eptr: usize) -> Option<usize> {
    lp.next(eptr).and_then(|s| lp.next(s))
}

/// Previous pair's member pointer (zzlPrev).
#[inline]
fn zzl_prev(lp: &Listpack, eptr: usize) -> Option<usize> {
    lp.prev(eptr).and_then(|s| lp.prev(s))
}

fn zzl_score_at(lp: &Listpack, eptr: usize) -> f64 {
    zzl_sptr(lp, eptr).map(|s| zzl_score(lp, s)).unwrap_or(0.0)
}

/// zzlFind: (member pointer, score).
fn zzl_find(lp: &Listpack, ele: &[u8]) -> Option<(usize, f64)> {
    let ele_int = if ele.len() <= 20 {
        string2ll(ele)
    } else {
        None
    };
    let mut e = lp.first();
    while let Some(eptr) = e {
        let sptr = zzl_sptr(lp, eptr)?;
        if zzl_eq(lp, eptr, ele, ele_int) {
            return Some((eptr, zzl_score(lp, sptr)));
        }
        e = lp.next(sptr);
    }
    None
}

/// The score as Redis stores it in a listpack.
enum StoredScore {
    Int(i64),
    Text([u8; 32], usize),
}

fn stored_score(score: f64) -> StoredScore {
    match double2ll(score) {
        Some(l) => StoredScore::Int(l),
        None => {
            let mut v = Vec::with_capacity(32);
            d2string(&mut v, score);
            let mut b = [0u8; 32];
            let n = v.len().min(32);
            b[..n].copy_from_slice(&v[..n]);
            StoredScore::Text(b, n)
        }
    }
}

/// zzlInsertAt: insert (ele, score) before the member at `eptr`, or append.
fn zzl_insert_at(lp: &mut Listpack, eptr: Option<usize>, ele: &[u8], score: f64) {
    let sc = stored_score(score);
    match eptr {
        None => {
            lp.append(ele);
            // The caller checked lpSafeToAdd: these appends cannot fail.
            let _ = match sc {
                StoredScore::Int(l) => lp.append_int(l),
                StoredScore::Text(b, n) => lp.append(&b[..n]),
            };
        }
        Some(p) => {
            // Score first, then the member before it: both end up before `p`.
            let s = match sc {
                StoredScore::Int(l) => lp.insert_int(p, l, Where::Before),
                StoredScore::Text(b, n) => lp.insert(p, &b[..n], Where::Before),
            };
            if let Some(s) = s {
                lp.insert(s, ele, Where::Before);
            }
        }
    }
}

/// zzlInsert: insert keeping the (score, member) order; member must be new.
fn zzl_insert(lp: &mut Listpack, ele: &[u8], score: f64) {
    let mut e = lp.first();
    while let Some(eptr) = e {
        let sptr = match zzl_sptr(lp, eptr) {
            Some(s) => s,
            None => break,
        };
        let s = zzl_score(lp, sptr);
        if s > score || (s == score && zzl_cmp(lp, eptr, ele) == Ordering::Greater) {
            zzl_insert_at(lp, Some(eptr), ele, score);
            return;
        }
        e = lp.next(sptr);
    }
    zzl_insert_at(lp, None, ele, score);
}

/// zzlDelete: remove the pair at `eptr`; returns the next pair's pointer.
fn zzl_delete(lp: &mut Listpack, eptr: usize) -> Option<usize> {
    lp.delete_range_at(eptr, 2)
}

fn zzl_is_in_range(lp: &Listpack, r: &ScoreRange) -> bool {
    if r.is_empty() {
        return false;
    }
    match lp.last() {
        Some(s) if r.gte_min(zzl_score(lp, s)) => {}
        _ => return false,
    }
    match lp.first().and_then(|e| zzl_sptr(lp, e)) {
        Some(s) => r.lte_max(zzl_score(lp, s)),
        None => false,
    }
}

fn zzl_first_in_range(lp: &Listpack, r: &ScoreRange) -> Option<usize> {
    if !zzl_is_in_range(lp, r) {
        return None;
    }
    let mut e = lp.first();
    while let Some(eptr) = e {
        let sptr = zzl_sptr(lp, eptr)?;
        let s = zzl_score(lp, sptr);
        if r.gte_min(s) {
            return if r.lte_max(s) { Some(eptr) } else { None };
        }
        e = lp.next(sptr);
    }
    None
}

fn zzl_last_in_range(lp: &Listpack, r: &ScoreRange) -> Option<usize> {
    if !zzl_is_in_range(lp, r) {
        return None;
    }
    let mut e = lp.last().and_then(|s| lp.prev(s));
    while let Some(eptr) = e {
        let s = zzl_score_at(lp, eptr);
        if r.lte_max(s) {
            return if r.gte_min(s) { Some(eptr) } else { None };
        }
        e = zzl_prev(lp, eptr);
    }
    None
}

fn zzl_is_in_lex_range(lp: &Listpack, r: &LexRange) -> bool {
    if r.is_empty() {
        return false;
    }
    match lp.last().and_then(|s| lp.prev(s)) {
        Some(e) if r.ele_gte_min(&zzl_ele(lp, e)) => {}
        _ => return false,
    }
    match lp.first() {
        Some(e) => r.ele_lte_max(&zzl_ele(lp, e)),
        None => false,
    }
}

fn zzl_first_in_lex_range(lp: &Listpack, r: &LexRange) -> Option<usize> {
    if !zzl_is_in_lex_range(lp, r) {
        return None;
    }
    let mut e = lp.first();
    while let Some(eptr) = e {
        let ele = zzl_ele(lp, eptr);
        if r.ele_gte_min(&ele) {
            return if r.ele_lte_max(&ele) {
                Some(eptr)
            } else {
                None
            };
        }
        e = zzl_next(lp, eptr);
    }
    None
}

fn zzl_last_in_lex_range(lp: &Listpack, r: &LexRange) -> Option<usize> {
    if !zzl_is_in_lex_range(lp, r) {
        return None;
    }
    let mut e = lp.last().and_then(|s| lp.prev(s));
    while let Some(eptr) = e {
        let ele = zzl_ele(lp, eptr);
        if r.ele_lte_max(&ele) {
            return if r.ele_gte_min(&ele) {
                Some(eptr)
            } else {
                None
            };
        }
        e = zzl_prev(lp, eptr);
    }
    None
}

// ---------------------------------------------------------------------------
// The sorted set value
// ---------------------------------------------------------------------------

/// The skiplist encoding: member → score dict plus the ordered skiplist.
pub struct SkipZSet {
    pub dict: Dict<f64>,
    pub zsl: ZSkipList,
}

impl SkipZSet {
    fn new() -> SkipZSet {
        SkipZSet {
            dict: Dict::new(),
            zsl: ZSkipList::new(),
        }
    }

    /// zsetRemoveFromSkiplist
    fn remove(&mut self, ele: &[u8]) -> bool {
        match self.dict.remove(ele) {
            Some((_, score)) => {
                let removed = self.zsl.delete(score, ele);
                debug_assert!(removed);
                true
            }
            None => false,
        }
    }

    fn insert_new(&mut self, score: f64, ele: &[u8]) {
        self.zsl.insert(score, ele);
        self.dict.insert_new(ele.into(), score);
    }
}

/// A sorted set in one of its two encodings.
pub enum ZSet {
    Listpack(Listpack),
    Skiplist(Box<SkipZSet>),
}

/// zsetDup (COPY): same encoding, deep copy.
impl Clone for ZSet {
    fn clone(&self) -> ZSet {
        match self {
            ZSet::Listpack(lp) => ZSet::Listpack(lp.clone()),
            ZSet::Skiplist(s) => {
                let zsl = s.zsl.clone();
                let mut dict = Dict::new();
                let mut x = zsl.first();
                while x != NIL {
                    dict.insert_new(zsl.ele(x).into(), zsl.score(x));
                    x = zsl.fwd(x, 0);
                }
                ZSet::Skiplist(Box::new(SkipZSet { dict, zsl }))
            }
        }
    }
}

/// The conversion thresholds (zset-max-listpack-entries / -value).
#[derive(Clone, Copy, Debug)]
pub struct ZLimits {
    pub max_entries: u64,
    pub max_value: u64,
}

/// ZADD flags (ZADD_IN_*).
pub mod zadd {
    pub const INCR: u8 = 1 << 0;
    pub const NX: u8 = 1 << 1;
    pub const XX: u8 = 1 << 2;
    pub const GT: u8 = 1 << 3;
    pub const LT: u8 = 1 << 4;
}

/// What `ZSet::add` did (ZADD_OUT_*); the f64 is the resulting score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AddOutcome {
    /// The score (or the increment result) is NaN: nothing done.
    Nan,
    /// NX/XX/GT/LT prevented the operation.
    Nop,
    Added(f64),
    Updated(f64),
    /// Processed, but the score did not change.
    Unchanged(f64),
}

/// A position inside a sorted set (a listpack member pointer or a node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pos {
    Lp(usize),
    Sl(u32),
}

fn lp_safe_to_add(lp: Option<&Listpack>, add: usize) -> bool {
    let len = lp.map(|l| l.bytes()).unwrap_or(0);
    len.saturating_add(add) <= LISTPACK_MAX_SAFETY_SIZE
}

impl ZSet {
    /// createZsetListpackObject
    pub fn new_listpack() -> ZSet {
        ZSet::Listpack(Listpack::new())
    }

    /// createZsetObject
    pub fn new_skiplist() -> ZSet {
        ZSet::Skiplist(Box::new(SkipZSet::new()))
    }

    /// The encoding for a new set whose first member has `first_len` bytes
    /// (zaddGenericCommand's choice).
    pub fn new_for_first(lim: &ZLimits, first_len: usize) -> ZSet {
        if lim.max_entries == 0 || lim.max_value < first_len as u64 {
            ZSet::new_skiplist()
        } else {
            ZSet::new_listpack()
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            ZSet::Listpack(_) => "listpack",
            ZSet::Skiplist(_) => "skiplist",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self, ZSet::Listpack(_))
    }

    /// zsetLength
    pub fn len(&self) -> usize {
        match self {
            ZSet::Listpack(lp) => lp.len() / 2,
            ZSet::Skiplist(s) => s.zsl.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// zsetScore
    pub fn score(&self, ele: &[u8]) -> Option<f64> {
        match self {
            ZSet::Listpack(lp) => zzl_find(lp, ele).map(|(_, s)| s),
            ZSet::Skiplist(s) => s.dict.get(ele).copied(),
        }
    }

    /// zsetConvert to the skiplist encoding (no-op if already).
    pub fn convert_to_skiplist(&mut self) {
        let lp = match self {
            ZSet::Listpack(lp) => std::mem::take(lp),
            ZSet::Skiplist(_) => return,
        };
        let mut zs = SkipZSet::new();
        let mut e = lp.first();
        let mut buf = Vec::new();
        while let Some(eptr) = e {
            let sptr = match zzl_sptr(&lp, eptr) {
                Some(s) => s,
                None => break,
            };
            buf.clear();
            zzl_ele(&lp, eptr).write_to(&mut buf);
            zs.insert_new(zzl_score(&lp, sptr), &buf);
            e = lp.next(sptr);
        }
        *self = ZSet::Skiplist(Box::new(zs));
    }

    /// zsetConvert to the listpack encoding (no-op if already).
    pub fn convert_to_listpack(&mut self) {
        let zs = match self {
            ZSet::Skiplist(s) => std::mem::replace(s, Box::new(SkipZSet::new())),
            ZSet::Listpack(_) => return,
        };
        let mut lp = Listpack::new();
        let mut x = zs.zsl.first();
        while x != NIL {
            zzl_insert_at(&mut lp, None, zs.zsl.ele(x), zs.zsl.score(x));
            x = zs.zsl.fwd(x, 0);
        }
        *self = ZSet::Listpack(lp);
    }

    /// zsetConvertToListpackIfNeeded
    pub fn convert_to_listpack_if_needed(
        &mut self,
        maxelelen: usize,
        totelelen: usize,
        lim: &ZLimits,
    ) {
        if let ZSet::Skiplist(s) = self {
            if s.zsl.len() as u64 <= lim.max_entries
                && maxelelen as u64 <= lim.max_value
                && lp_safe_to_add(None, totelelen)
            {
                self.convert_to_listpack();
            }
        }
    }

    /// zsetAdd: add or update `ele` according to `flags` (see [`zadd`]).
    /// May convert a listpack to a skiplist first.
    pub fn add(&mut self, score: f64, ele: &[u8], flags: u8, lim: &ZLimits) -> AddOutcome {
        let incr = flags & zadd::INCR != 0;
        let nx = flags & zadd::NX != 0;
        let xx = flags & zadd::XX != 0;
        let gt = flags & zadd::GT != 0;
        let lt = flags & zadd::LT != 0;
        if score.is_nan() {
            return AddOutcome::Nan;
        }
        // Existing member: NX / INCR / GT / LT / score change.
        let update = |cur: f64| -> Result<f64, AddOutcome> {
            if nx {
                return Err(AddOutcome::Nop);
            }
            let mut score = score;
            if incr {
                score += cur;
                if score.is_nan() {
                    return Err(AddOutcome::Nan);
                }
            }
            if (lt && score >= cur) || (gt && score <= cur) {
                return Err(AddOutcome::Nop);
            }
            Ok(score)
        };
        if let ZSet::Listpack(lp) = self {
            if let Some((eptr, cur)) = zzl_find(lp, ele) {
                let new = match update(cur) {
                    Ok(s) => s,
                    Err(o) => return o,
                };
                if new != cur {
                    zzl_delete(lp, eptr);
                    zzl_insert(lp, ele, new);
                    return AddOutcome::Updated(new);
                }
                return AddOutcome::Unchanged(new);
            } else if !xx {
                if (lp.len() / 2) as u64 + 1 > lim.max_entries
                    || ele.len() as u64 > lim.max_value
                    || !lp_safe_to_add(Some(lp), ele.len())
                {
                    self.convert_to_skiplist();
                } else {
                    zzl_insert(lp, ele, score);
                    return AddOutcome::Added(score);
                }
            } else {
                return AddOutcome::Nop;
            }
        }
        match self {
            ZSet::Skiplist(zs) => {
                if let Some(&cur) = zs.dict.get(ele) {
                    let new = match update(cur) {
                        Ok(s) => s,
                        Err(o) => return o,
                    };
                    if new != cur {
                        zs.zsl.update_score(cur, ele, new);
                        if let Some(v) = zs.dict.get_mut(ele) {
                            *v = new;
                        }
                        return AddOutcome::Updated(new);
                    }
                    AddOutcome::Unchanged(new)
                } else if !xx {
                    zs.insert_new(score, ele);
                    AddOutcome::Added(score)
                } else {
                    AddOutcome::Nop
                }
            }
            ZSet::Listpack(_) => AddOutcome::Nop, // unreachable: converted above
        }
    }

    /// zsetDel
    pub fn del(&mut self, ele: &[u8]) -> bool {
        match self {
            ZSet::Listpack(lp) => match zzl_find(lp, ele) {
                Some((eptr, _)) => {
                    zzl_delete(lp, eptr);
                    true
                }
                None => false,
            },
            ZSet::Skiplist(zs) => {
                if zs.remove(ele) {
                    zs.dict.resize_if_needed();
                    true
                } else {
                    false
                }
            }
        }
    }

    /// zsetRank: 0-based rank, from the highest score if `reverse`.
    pub fn rank(&self, ele: &[u8], reverse: bool) -> Option<usize> {
        let len = self.len();
        let r = match self {
            ZSet::Listpack(lp) => {
                let ele_int = if ele.len() <= 20 {
                    string2ll(ele)
                } else {
                    None
                };
                let mut e = lp.first();
                let mut rank = 0;
                loop {
                    let eptr = e?;
                    if zzl_eq(lp, eptr, ele, ele_int) {
                        break rank;
                    }
                    rank += 1;
                    e = zzl_next(lp, eptr);
                }
            }
            ZSet::Skiplist(zs) => {
                let score = *zs.dict.get(ele)?;
                let r = zs.zsl.get_rank(score, ele);
                if r == 0 {
                    return None;
                }
                r - 1
            }
        };
        Some(if reverse { len - 1 - r } else { r })
    }

    // -- positions ----------------------------------------------------------

    /// Lowest member.
    pub fn first(&self) -> Option<Pos> {
        match self {
            ZSet::Listpack(lp) => lp.first().map(Pos::Lp),
            ZSet::Skiplist(zs) => {
                let x = zs.zsl.first();
                (x != NIL).then_some(Pos::Sl(x))
            }
        }
    }

    /// Highest member.
    pub fn last(&self) -> Option<Pos> {
        match self {
            ZSet::Listpack(lp) => lp.last().and_then(|s| lp.prev(s)).map(Pos::Lp),
            ZSet::Skiplist(zs) => (zs.zsl.tail != NIL).then_some(Pos::Sl(zs.zsl.tail)),
        }
    }

    pub fn next(&self, p: Pos) -> Option<Pos> {
        match (self, p) {
            (ZSet::Listpack(lp), Pos::Lp(e)) => zzl_next(lp, e).map(Pos::Lp),
            (ZSet::Skiplist(zs), Pos::Sl(x)) => {
                let f = zs.zsl.fwd(x, 0);
                (f != NIL).then_some(Pos::Sl(f))
            }
            _ => None,
        }
    }

    pub fn prev(&self, p: Pos) -> Option<Pos> {
        match (self, p) {
            (ZSet::Listpack(lp), Pos::Lp(e)) => zzl_prev(lp, e).map(Pos::Lp),
            (ZSet::Skiplist(zs), Pos::Sl(x)) => {
                let b = zs.zsl.back(x);
                (b != NIL).then_some(Pos::Sl(b))
            }
            _ => None,
        }
    }

    /// Step forward or backward.
    #[inline]
    pub fn step(&self, p: Pos, reverse: bool) -> Option<Pos> {
        if reverse {
            self.prev(p)
        } else {
            self.next(p)
        }
    }

    /// The member at a position.
    pub fn ele(&self, p: Pos) -> Ele<'_> {
        match (self, p) {
            (ZSet::Listpack(lp), Pos::Lp(e)) => zzl_ele(lp, e),
            (ZSet::Skiplist(zs), Pos::Sl(x)) => Ele::Str(zs.zsl.ele(x)),
            _ => Ele::Str(b""),
        }
    }

    /// The score at a position.
    pub fn score_at(&self, p: Pos) -> f64 {
        match (self, p) {
            (ZSet::Listpack(lp), Pos::Lp(e)) => zzl_score_at(lp, e),
            (ZSet::Skiplist(zs), Pos::Sl(x)) => zs.zsl.score(x),
            _ => 0.0,
        }
    }

    /// Position of the member with 0-based `rank` (from the top if `reverse`).
    pub fn at_rank(&self, rank: usize, reverse: bool) -> Option<Pos> {
        let len = self.len();
        if rank >= len {
            return None;
        }
        match self {
            ZSet::Listpack(lp) => {
                let idx = if reverse {
                    -2 - 2 * rank as i64
                } else {
                    2 * rank as i64
                };
                lp.seek(idx).map(Pos::Lp)
            }
            ZSet::Skiplist(zs) => {
                if rank == 0 {
                    return if reverse { self.last() } else { self.first() };
                }
                let r1 = if reverse { len - rank } else { rank + 1 };
                let x = zs.zsl.get_by_rank(r1);
                (x != NIL).then_some(Pos::Sl(x))
            }
        }
    }

    /// First (or, if `reverse`, last) member in a score range.
    pub fn score_range_start(&self, r: &ScoreRange, reverse: bool) -> Option<Pos> {
        match self {
            ZSet::Listpack(lp) => if reverse {
                zzl_last_in_range(lp, r)
            } else {
                zzl_first_in_range(lp, r)
            }
            .map(Pos::Lp),
            ZSet::Skiplist(zs) => {
                let x = if reverse {
                    zs.zsl.last_in_range(r)
                } else {
                    zs.zsl.first_in_range(r)
                };
                (x != NIL).then_some(Pos::Sl(x))
            }
        }
    }

    /// First (or, if `reverse`, last) member in a lex range.
    pub fn lex_range_start(&self, r: &LexRange, reverse: bool) -> Option<Pos> {
        match self {
            ZSet::Listpack(lp) => if reverse {
                zzl_last_in_lex_range(lp, r)
            } else {
                zzl_first_in_lex_range(lp, r)
            }
            .map(Pos::Lp),
            ZSet::Skiplist(zs) => {
                let x = if reverse {
                    zs.zsl.last_in_lex_range(r)
                } else {
                    zs.zsl.first_in_lex_range(r)
                };
                (x != NIL).then_some(Pos::Sl(x))
            }
        }
    }

    /// ZCOUNT
    pub fn count_in_score_range(&self, r: &ScoreRange) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let mut n = 0;
                let mut e = zzl_first_in_range(lp, r);
                while let Some(eptr) = e {
                    if !r.lte_max(zzl_score_at(lp, eptr)) {
                        break;
                    }
                    n += 1;
                    e = zzl_next(lp, eptr);
                }
                n
            }
            ZSet::Skiplist(zs) => {
                let zsl = &zs.zsl;
                let first = zsl.first_in_range(r);
                if first == NIL {
                    return 0;
                }
                let fr = zsl.rank_of(first);
                let mut count = zsl.len() - (fr - 1);
                let last = zsl.last_in_range(r);
                if last != NIL {
                    let lr = zsl.rank_of(last);
                    count -= zsl.len() - lr;
                }
                count
            }
        }
    }

    /// ZLEXCOUNT
    pub fn count_in_lex_range(&self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let mut n = 0;
                let mut e = zzl_first_in_lex_range(lp, r);
                while let Some(eptr) = e {
                    if !r.ele_lte_max(&zzl_ele(lp, eptr)) {
                        break;
                    }
                    n += 1;
                    e = zzl_next(lp, eptr);
                }
                n
            }
            ZSet::Skiplist(zs) => {
                let zsl = &zs.zsl;
                let first = zsl.first_in_lex_range(r);
                if first == NIL {
                    return 0;
                }
                let fr = zsl.rank_of(first);
                let mut count = zsl.len() - (fr - 1);
                let last = zsl.last_in_lex_range(r);
                if last != NIL {
                    let lr = zsl.rank_of(last);
                    count -= zsl.len() - lr;
                }
                count
            }
        }
    }

    /// ZREMRANGEBYRANK with sanitized 0-based inclusive bounds.
    pub fn delete_range_by_rank(&mut self, start: usize, end: usize) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let num = end + 1 - start;
                lp.delete_range(2 * start as i64, 2 * num);
                num
            }
            ZSet::Skiplist(zs) => {
                let SkipZSet { dict, zsl } = &mut **zs;
                let n = zsl.delete_range_by_rank(start + 1, end + 1, dict);
                dict.resize_if_needed();
                n
            }
        }
    }

    /// ZREMRANGEBYSCORE
    pub fn delete_range_by_score(&mut self, r: &ScoreRange) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let mut n = 0;
                let mut e = zzl_first_in_range(lp, r);
                while let Some(eptr) = e {
                    if !r.lte_max(zzl_score_at(lp, eptr)) {
                        break;
                    }
                    e = zzl_delete(lp, eptr);
                    n += 1;
                }
                n
            }
            ZSet::Skiplist(zs) => {
                let SkipZSet { dict, zsl } = &mut **zs;
                let n = zsl.delete_range_by_score(r, dict);
                dict.resize_if_needed();
                n
            }
        }
    }

    /// ZREMRANGEBYLEX
    pub fn delete_range_by_lex(&mut self, r: &LexRange) -> usize {
        match self {
            ZSet::Listpack(lp) => {
                let mut n = 0;
                let mut e = zzl_first_in_lex_range(lp, r);
                while let Some(eptr) = e {
                    if !r.ele_lte_max(&zzl_ele(lp, eptr)) {
                        break;
                    }
                    e = zzl_delete(lp, eptr);
                    n += 1;
                }
                n
            }
            ZSet::Skiplist(zs) => {
                let SkipZSet { dict, zsl } = &mut **zs;
                let n = zsl.delete_range_by_lex(r, dict);
                dict.resize_if_needed();
                n
            }
        }
    }

    /// Remove and return the lowest (or highest, if `max`) member.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        let p = if max { self.last() } else { self.first() }?;
        let ele = self.ele(p).to_vec();
        let score = self.score_at(p);
        match self {
            ZSet::Listpack(lp) => {
                if let Pos::Lp(e) = p {
                    zzl_delete(lp, e);
                }
            }
            ZSet::Skiplist(zs) => {
                zs.remove(&ele);
                zs.dict.resize_if_needed();
            }
        }
        Some((ele, score))
    }

    /// Iterate (member, score) from the lowest score, or from the highest.
    pub fn iter(&self, reverse: bool) -> Iter<'_> {
        Iter {
            z: self,
            pos: if reverse { self.last() } else { self.first() },
            reverse,
        }
    }

    /// One uniformly random member (zsetTypeRandomElement).
    pub fn random_element(&self, rng: &mut Rng) -> Option<(Ele<'_>, f64)> {
        let len = self.len();
        if len == 0 {
            return None;
        }
        let p = self.at_rank(rng.gen_index(len), false)?;
        Some((self.ele(p), self.score_at(p)))
    }

    /// All positions in order (for repeated random picks on listpacks).
    pub fn positions(&self) -> Vec<Pos> {
        let mut v = Vec::with_capacity(self.len());
        let mut p = self.first();
        while let Some(x) = p {
            v.push(x);
            p = self.next(x);
        }
        v
    }

    /// ZSCAN over the skiplist dict: calls `f(member, score)` for each
    /// entry of the visited buckets; returns the next cursor. Listpacks are
    /// returned whole by the caller (cursor 0).
    pub fn scan_dict(&self, cursor: u64, f: impl FnMut(&[u8], &f64)) -> u64 {
        match self {
            ZSet::Skiplist(zs) => zs.dict.scan(cursor, f),
            ZSet::Listpack(_) => 0,
        }
    }

    /// ZSCAN of a listpack: every stored entry in order, as stored (member,
    /// score text or integer).
    pub fn for_each_listpack_entry(&self, mut f: impl FnMut(Ele<'_>)) {
        if let ZSet::Listpack(lp) = self {
            let mut e = lp.first();
            while let Some(off) = e {
                f(Ele::from_lp(lp.get(off)));
                e = lp.next(off);
            }
        }
    }

    /// A set from members already in (score, member) order and without
    /// duplicates (Z*STORE results): built as a skiplist and converted when
    /// small enough (zsetConvertToListpackIfNeeded), i.e. a listpack when
    /// every limit allows it.
    pub fn from_sorted_unique(pairs: Vec<(Vec<u8>, f64)>, lim: &ZLimits) -> ZSet {
        let maxelelen = pairs.iter().map(|p| p.0.len()).max().unwrap_or(0);
        let totelelen: usize = pairs.iter().map(|p| p.0.len()).sum();
        if pairs.len() as u64 <= lim.max_entries
            && maxelelen as u64 <= lim.max_value
            && lp_safe_to_add(None, totelelen)
        {
            let mut lp = Listpack::new();
            for (m, s) in &pairs {
                zzl_insert_at(&mut lp, None, m, *s);
            }
            return ZSet::Listpack(lp);
        }
        let mut zs = SkipZSet::new();
        for (m, s) in pairs {
            zs.zsl.insert(s, &m);
            zs.dict.insert_new(m.into_boxed_slice(), s);
        }
        ZSet::Skiplist(Box::new(zs))
    }

    // -- RDB-facing API -----------------------------------------------------

    /// The raw listpack (RDB_TYPE_ZSET_LISTPACK payload), None for skiplists.
    pub fn listpack(&self) -> Option<&Listpack> {
        match self {
            ZSet::Listpack(lp) => Some(lp),
            ZSet::Skiplist(_) => None,
        }
    }

    /// (member, score) in RDB_TYPE_ZSET_2 order: from the highest to the
    /// lowest, as rdbSaveObject walks the skiplist from its tail.
    pub fn iter_rdb(&self) -> Iter<'_> {
        self.iter(true)
    }

    /// A set from a listpack loaded from RDB_TYPE_ZSET_LISTPACK (validated
    /// by the caller with `Listpack::validate_pairs_no_dups`, as rdbLoadObject
    /// does with lpPairsValidateIntegrityAndDups). Converted
    /// to a skiplist when longer than `zset-max-listpack-entries`. Empty
    /// listpacks give an empty set (the loader drops the key).
    pub fn from_listpack(lp: Listpack, lim: &ZLimits) -> ZSet {
        let mut z = ZSet::Listpack(lp);
        if z.len() as u64 > lim.max_entries {
            z.convert_to_skiplist();
        }
        z
    }

    /// A set from pairs already in (score, member) order, e.g. the entries of
    /// a v9 ziplist (RDB_TYPE_ZSET_ZIPLIST): appended to a listpack as
    /// ziplistPairsConvertAndValidateIntegrity does, then converted if longer
    /// than `zset-max-listpack-entries`. Scores are given as stored: the
    /// ziplist's integer or text entry.
    pub fn from_sorted_pairs<'a>(
        pairs: impl IntoIterator<Item = (Ele<'a>, Ele<'a>)>,
        lim: &ZLimits,
    ) -> ZSet {
        let mut lp = Listpack::new();
        for (m, s) in pairs {
            for e in [m, s] {
                let _ = match e {
                    Ele::Int(n) => lp.append_int(n),
                    Ele::Str(b) => lp.append(b),
                };
            }
        }
        ZSet::from_listpack(lp, lim)
    }
}

/// Iterator over (member, score) of a sorted set.
pub struct Iter<'a> {
    z: &'a ZSet,
    pos: Option<Pos>,
    reverse: bool,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Ele<'a>, f64);
    fn next(&mut self) -> Option<Self::Item> {
        let p = self.pos?;
        self.pos = self.z.step(p, self.reverse);
        Some((self.z.ele(p), self.z.score_at(p)))
    }
}

/// Loader for RDB_TYPE_ZSET / RDB_TYPE_ZSET_2 (members in any order): builds
/// a skiplist, then converts it to a listpack if small enough, as rdbLoadObject.
pub struct ZSetLoader {
    zs: SkipZSet,
    maxelelen: usize,
    totelelen: usize,
}

impl Default for ZSetLoader {
    fn default() -> Self {
        Self::new()
    }
}

impl ZSetLoader {
    pub fn new() -> ZSetLoader {
        ZSetLoader {
            zs: SkipZSet::new(),
            maxelelen: 0,
            totelelen: 0,
        }
    }

    /// Add one loaded pair. Errors carry Redis's corruption texts.
    pub fn add(&mut self, ele: &[u8], score: f64) -> Result<(), &'static str> {
        if score.is_nan() {
            return Err("Zset with NAN score detected");
        }
        if self.zs.dict.contains_key(ele) {
            return Err("Duplicate zset fields detected");
        }
        self.maxelelen = self.maxelelen.max(ele.len());
        self.totelelen += ele.len();
        self.zs.insert_new(score, ele);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.zs.zsl.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The loaded set, converted to a listpack when small enough.
    pub fn finish(self, lim: &ZLimits) -> ZSet {
        let (maxelelen, totelelen) = (self.maxelelen, self.totelelen);
        let mut z = ZSet::Skiplist(Box::new(self.zs));
        z.convert_to_listpack_if_needed(maxelelen, totelelen, lim);
        z
    }
}

/// RESP/ZSCAN text of a skiplist score: `%.17Lg` of the score as a long
/// double (createStringObjectFromLongDouble(score, 0)), which for a double
/// equals `%.17g`.
pub fn score_to_scan_text(buf: &mut Vec<u8>, score: f64) {
    fmt_g17(buf, score);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: ZLimits = ZLimits {
        max_entries: 128,
        max_value: 64,
    };

    fn members(z: &ZSet, reverse: bool) -> Vec<(String, f64)> {
        z.iter(reverse)
            .map(|(e, s)| (String::from_utf8(e.to_vec()).unwrap(), s))
            .collect()
    }

    fn both() -> Vec<ZSet> {
        vec![ZSet::new_listpack(), ZSet::new_skiplist()]
    }

    #[test]
    fn score_and_lex_range_parsing_follows_strtod() {
        let r = ScoreRange::parse(b"(1.5", b"+inf").unwrap();
        assert_eq!(
            (r.min, r.minex, r.max, r.maxex),
            (1.5, true, f64::INFINITY, false)
        );
        let r = ScoreRange::parse(b"-inf", b"(3").unwrap();
        assert_eq!((r.min, r.maxex, r.max), (f64::NEG_INFINITY, true, 3.0));
        // strtod: leading space, hex, empty string (= 0), "(" alone (= (0).
        assert_eq!(ScoreRange::parse(b" 1", b"0x10").unwrap().max, 16.0);
        let r = ScoreRange::parse(b"", b"(").unwrap();
        assert_eq!((r.min, r.max, r.maxex), (0.0, 0.0, true));
        assert!(ScoreRange::parse(b"nan", b"1").is_none());
        assert!(ScoreRange::parse(b"1", b"1x").is_none());
        assert!(ScoreRange::parse(b"1 ", b"1").is_none());
        assert!(ScoreRange::parse(b"  ", b"1").is_none());
        assert!(ScoreRange::parse(b"((1", b"1").is_none());
        // C string: stops at NUL.
        assert_eq!(ScoreRange::parse(b"2\0junk", b"3").unwrap().min, 2.0);

        let r = LexRange::parse(b"-", b"+").unwrap();
        assert!(r.gte_min(b"") && r.lte_max(b"\xff\xff"));
        let r = LexRange::parse(b"(a", b"[c").unwrap();
        assert!(!r.gte_min(b"a") && r.gte_min(b"aa") && r.lte_max(b"c") && !r.lte_max(b"ca"));
        assert!(LexRange::parse(b"a", b"+").is_none());
        assert!(LexRange::parse(b"", b"+").is_none());
        assert!(LexRange::parse(b"-x", b"+").is_none());
        assert!(LexRange::parse(b"[", b"(").is_some());
        assert!(LexRange::parse(b"+", b"-").unwrap().is_empty());
        assert!(LexRange::parse(b"-", b"-").unwrap().is_empty());
        assert!(LexRange::parse(b"[a", b"(a").unwrap().is_empty());
        assert!(!LexRange::parse(b"[a", b"[a").unwrap().is_empty());
    }

    #[test]
    fn add_orders_by_score_then_member_in_both_encodings() {
        for mut z in both() {
            for (s, m) in [(3.0, "c"), (1.0, "b"), (1.0, "a"), (2.5, "x"), (-1.0, "10")] {
                assert!(matches!(
                    z.add(s, m.as_bytes(), 0, &BIG),
                    AddOutcome::Added(_)
                ));
            }
            let got = members(&z, false);
            let names: Vec<_> = got.iter().map(|p| p.0.as_str()).collect();
            assert_eq!(names, ["10", "a", "b", "x", "c"]);
            assert_eq!(got[3].1, 2.5);
            assert_eq!(z.len(), 5);
            assert_eq!(z.score(b"10"), Some(-1.0));
            assert_eq!(z.score(b"nope"), None);
            assert_eq!(z.rank(b"x", false), Some(3));
            assert_eq!(z.rank(b"x", true), Some(1));
            assert_eq!(z.rank(b"10", true), Some(4));
            assert_eq!(z.rank(b"zz", false), None);
            let rev: Vec<_> = members(&z, true).into_iter().map(|p| p.0).collect();
            assert_eq!(rev, ["c", "x", "b", "a", "10"]);
        }
    }

    #[test]
    fn add_flags_mirror_zsetadd() {
        for mut z in both() {
            assert_eq!(z.add(5.0, b"m", 0, &BIG), AddOutcome::Added(5.0));
            assert_eq!(z.add(5.0, b"m", 0, &BIG), AddOutcome::Unchanged(5.0));
            assert_eq!(z.add(1.0, b"m", zadd::NX, &BIG), AddOutcome::Nop);
            assert_eq!(z.add(1.0, b"n", zadd::XX, &BIG), AddOutcome::Nop);
            assert_eq!(z.add(4.0, b"m", zadd::GT, &BIG), AddOutcome::Nop);
            assert_eq!(z.add(5.0, b"m", zadd::GT, &BIG), AddOutcome::Nop);
            assert_eq!(z.add(6.0, b"m", zadd::GT, &BIG), AddOutcome::Updated(6.0));
            assert_eq!(z.add(7.0, b"m", zadd::LT, &BIG), AddOutcome::Nop);
            assert_eq!(z.add(1.0, b"new", zadd::GT, &BIG), AddOutcome::Added(1.0));
            assert_eq!(z.add(2.0, b"m", zadd::INCR, &BIG), AddOutcome::Updated(8.0));
            assert_eq!(
                z.add(0.0, b"m", zadd::INCR, &BIG),
                AddOutcome::Unchanged(8.0)
            );
            assert_eq!(
                z.add(-1.0, b"m", zadd::INCR | zadd::GT, &BIG),
                AddOutcome::Nop
            );
            assert_eq!(
                z.add(f64::INFINITY, b"m", zadd::INCR, &BIG),
                AddOutcome::Updated(f64::INFINITY)
            );
            assert_eq!(
                z.add(f64::NEG_INFINITY, b"m", zadd::INCR, &BIG),
                AddOutcome::Nan
            );
            assert_eq!(z.add(f64::NAN, b"q", 0, &BIG), AddOutcome::Nan);
            assert_eq!(z.score(b"m"), Some(f64::INFINITY));
        }
    }

    #[test]
    fn listpack_converts_on_entries_and_value_limits() {
        let lim = ZLimits {
            max_entries: 3,
            max_value: 4,
        };
        let mut z = ZSet::new_listpack();
        for (i, m) in ["a", "b", "c"].iter().enumerate() {
            z.add(i as f64, m.as_bytes(), 0, &lim);
        }
        assert!(z.is_listpack());
        // Updating existing members never converts.
        z.add(10.0, b"a", 0, &lim);
        assert!(z.is_listpack());
        z.add(1.0, b"d", 0, &lim);
        assert_eq!(z.encoding_name(), "skiplist");
        assert_eq!(z.len(), 4);
        let mut z = ZSet::new_listpack();
        z.add(1.0, b"abcd", 0, &lim);
        assert!(z.is_listpack());
        z.add(1.0, b"abcde", 0, &lim);
        assert!(!z.is_listpack());
        // XX on a missing member does not convert.
        let mut z = ZSet::new_listpack();
        z.add(1.0, b"abcdefgh", zadd::XX, &lim);
        assert!(z.is_listpack());
        // Back to listpack only on request.
        let mut z = ZSet::new_skiplist();
        z.add(1.0, b"a", 0, &lim);
        z.convert_to_listpack_if_needed(1, 1, &lim);
        assert!(z.is_listpack());
        assert_eq!(members(&z, false), vec![("a".to_string(), 1.0)]);
        assert_eq!(ZSet::new_for_first(&lim, 5).encoding_name(), "skiplist");
        assert_eq!(ZSet::new_for_first(&lim, 4).encoding_name(), "listpack");
        let zero = ZLimits {
            max_entries: 0,
            max_value: 64,
        };
        assert_eq!(ZSet::new_for_first(&zero, 1).encoding_name(), "skiplist");
    }

    #[test]
    fn listpack_stores_scores_like_redis() {
        let mut z = ZSet::new_listpack();
        z.add(-0.0, b"negzero", 0, &BIG);
        z.add(1.5, b"f", 0, &BIG);
        z.add(1e300, b"big", 0, &BIG);
        z.add(f64::INFINITY, b"inf", 0, &BIG);
        z.add(12.0, b"12", 0, &BIG);
        let lp = z.listpack().unwrap();
        let vals: Vec<String> = {
            let mut v = Vec::new();
            let mut e = lp.first();
            while let Some(o) = e {
                v.push(match lp.get(o) {
                    LpVal::Int(n) => format!("int:{n}"),
                    LpVal::Str(s) => format!("str:{}", String::from_utf8_lossy(s)),
                });
                e = lp.next(o);
            }
            v
        };
        assert_eq!(
            vals,
            [
                "str:negzero",
                "int:0", // -0 is stored as the integer 0 (double2ll)
                "str:f",
                "str:1.5",
                "int:12",
                "int:12",
                "str:big",
                "str:1.0000000000000001e+300",
                "str:inf",
                "str:inf"
            ]
        );
        assert_eq!(
            z.score(b"negzero").map(|s| s.is_sign_negative()),
            Some(false)
        );
        // The skiplist keeps -0.
        let mut s = ZSet::new_skiplist();
        s.add(-0.0, b"z", 0, &BIG);
        assert!(s.score(b"z").unwrap().is_sign_negative());
    }

    #[test]
    fn ranges_and_counts_match_between_encodings() {
        let mut lp = ZSet::new_listpack();
        let mut sl = ZSet::new_skiplist();
        for i in 0..100 {
            let m = format!("m{:03}", i);
            let s = (i / 3) as f64;
            lp.add(s, m.as_bytes(), 0, &BIG);
            sl.add(s, m.as_bytes(), 0, &BIG);
        }
        assert!(lp.is_listpack());
        let ranges: [(&[u8], &[u8]); 7] = [
            (b"-inf", b"+inf"),
            (b"(5", b"10"),
            (b"5", b"(10"),
            (b"(5", b"(5"),
            (b"5", b"5"),
            (b"40", b"50"),
            (b"10", b"5"),
        ];
        for (a, b) in ranges {
            let r = ScoreRange::parse(a, b).unwrap();
            assert_eq!(lp.count_in_score_range(&r), sl.count_in_score_range(&r));
            for rev in [false, true] {
                let pl = lp.score_range_start(&r, rev).map(|p| lp.ele(p).to_vec());
                let ps = sl.score_range_start(&r, rev).map(|p| sl.ele(p).to_vec());
                assert_eq!(pl, ps);
            }
        }
        let r = ScoreRange::parse(b"(5", b"10").unwrap();
        assert_eq!(lp.count_in_score_range(&r), 15);
        let lr = LexRange::parse(b"[m010", b"(m020").unwrap();
        assert_eq!(lp.count_in_lex_range(&lr), 10);
        assert_eq!(sl.count_in_lex_range(&lr), 10);
        for rank in [0, 1, 50, 99, 100] {
            for rev in [false, true] {
                let a = lp.at_rank(rank, rev).map(|p| lp.ele(p).to_vec());
                let b = sl.at_rank(rank, rev).map(|p| sl.ele(p).to_vec());
                assert_eq!(a, b, "rank {rank} rev {rev}");
            }
        }
        assert_eq!(lp.delete_range_by_score(&r), 15);
        assert_eq!(sl.delete_range_by_score(&r), 15);
        assert_eq!(lp.delete_range_by_lex(&lr), 8);
        assert_eq!(sl.delete_range_by_lex(&lr), 8);
        assert_eq!(lp.delete_range_by_rank(0, 9), 10);
        assert_eq!(sl.delete_range_by_rank(0, 9), 10);
        assert_eq!(members(&lp, false), members(&sl, false));
        assert_eq!(lp.len(), 67);
        if let ZSet::Skiplist(s) = &sl {
            s.zsl.check();
            assert_eq!(s.dict.len(), 67);
        }
    }

    #[test]
    fn skiplist_stays_consistent_under_random_operations() {
        let mut rng = Rng::new(7);
        let mut z = ZSet::new_skiplist();
        let mut model: std::collections::BTreeMap<Vec<u8>, f64> = Default::default();
        for round in 0..6000 {
            let n = rng.gen_range(400);
            // Some members are too long to be stored inside the node.
            let m = if n.is_multiple_of(7) {
                format!("long-member-{:040}", n).into_bytes()
            } else {
                format!("k{}", n).into_bytes()
            };
            match rng.gen_range(4) {
                0 | 1 => {
                    let s = (rng.gen_range(50) as f64) - 25.0;
                    z.add(s, &m, 0, &BIG);
                    model.insert(m, s);
                }
                2 => {
                    assert_eq!(z.del(&m), model.remove(&m).is_some());
                }
                _ => {
                    let s = rng.gen_range(5) as f64;
                    let out = z.add(s, &m, zadd::INCR, &BIG);
                    let v = model.entry(m).or_insert(0.0);
                    *v += s;
                    assert!(
                        matches!(out, AddOutcome::Added(x) | AddOutcome::Updated(x) | AddOutcome::Unchanged(x) if x == *v)
                    );
                }
            }
            if round % 500 == 0 {
                if let ZSet::Skiplist(s) = &z {
                    s.zsl.check();
                }
            }
        }
        let mut expect: Vec<(Vec<u8>, f64)> = model.into_iter().collect();
        expect.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then(a.0.cmp(&b.0)));
        let got: Vec<(Vec<u8>, f64)> = z.iter(false).map(|(e, s)| (e.to_vec(), s)).collect();
        assert_eq!(got, expect);
        for (i, (m, _)) in expect.iter().enumerate() {
            assert_eq!(z.rank(m, false), Some(i));
        }
        // A copy is equal, and independent.
        let copy = z.clone();
        assert_eq!(
            copy.iter(false)
                .map(|(e, s)| (e.to_vec(), s))
                .collect::<Vec<_>>(),
            got
        );
        // Emptying compacts the arena.
        while z.pop(false).is_some() {}
        assert_eq!(copy.len(), expect.len());
        if let ZSet::Skiplist(s) = &z {
            assert!(s.zsl.a.len() < 8192);
            s.zsl.check();
        }
    }

    #[test]
    fn pop_clone_and_rdb_order() {
        for mut z in both() {
            for (s, m) in [(1.0, "a"), (2.0, "b"), (3.0, "c")] {
                z.add(s, m.as_bytes(), 0, &BIG);
            }
            let c = z.clone();
            assert_eq!(c.encoding_name(), z.encoding_name());
            assert_eq!(z.pop(true), Some((b"c".to_vec(), 3.0)));
            assert_eq!(z.pop(false), Some((b"a".to_vec(), 1.0)));
            assert_eq!(c.len(), 3);
            let rdb: Vec<_> = c.iter_rdb().map(|(e, s)| (e.to_vec(), s)).collect();
            assert_eq!(rdb[0], (b"c".to_vec(), 3.0));
            assert_eq!(c.score(b"b"), Some(2.0));
        }
    }

    #[test]
    fn loader_detects_corruption_and_converts_small_sets() {
        let mut l = ZSetLoader::new();
        l.add(b"b", 2.0).unwrap();
        l.add(b"a", 1.0).unwrap();
        assert_eq!(l.add(b"a", 3.0), Err("Duplicate zset fields detected"));
        assert_eq!(l.add(b"x", f64::NAN), Err("Zset with NAN score detected"));
        let z = l.finish(&BIG);
        assert!(z.is_listpack());
        assert_eq!(
            members(&z, false),
            vec![("a".into(), 1.0), ("b".into(), 2.0)]
        );
        let mut l = ZSetLoader::new();
        l.add(&[b'x'; 65], 1.0).unwrap();
        assert!(!l.finish(&BIG).is_listpack());
        let z = ZSet::from_sorted_pairs(
            [
                (Ele::Str(b"a"), Ele::Int(1)),
                (Ele::Str(b"b"), Ele::Str(b"2.5")),
            ],
            &BIG,
        );
        assert_eq!(
            members(&z, false),
            vec![("a".into(), 1.0), ("b".into(), 2.5)]
        );
        let small = ZLimits {
            max_entries: 1,
            max_value: 64,
        };
        let z = ZSet::from_sorted_pairs(
            [
                (Ele::Str(b"a"), Ele::Int(1)),
                (Ele::Str(b"b"), Ele::Str(b"2.5")),
            ],
            &small,
        );
        assert!(!z.is_listpack());
    }

    #[test]
    fn random_level_distribution() {
        let mut counts = [0usize; 4];
        for _ in 0..40000 {
            let l = random_level();
            assert!((1..=ZSKIPLIST_MAXLEVEL).contains(&l));
            if l <= 4 {
                counts[l - 1] += 1;
            }
        }
        // ~30000, ~7500, ~1875, ~470
        assert!((28500..31500).contains(&counts[0]), "{:?}", counts);
        assert!((6800..8200).contains(&counts[1]), "{:?}", counts);
    }

    /// `ZADD z 1 a 2.5 b -3 c 100000 d 1e20 e 3.14159 12345 -0 negz 0.1 f
    /// inf g -inf h 4611686018427387904 big 4611686018427387903 big2` on
    /// Redis 7.0.15, listpack bytes taken from DUMP (rdbcompression no).
    const REDIS_LP: &[u8] = b"\x94\x00\x00\x00\x18\x00\x81\x68\x02\x84\x2d\x69\x6e\x66\x05\x81\x63\x02\xdf\xfd\x02\x84\x6e\x65\x67\x7a\x05\x00\x01\x81\x66\x02\x93\x30\x2e\x31\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x30\x31\x14\x81\x61\x02\x01\x01\x81\x62\x02\x83\x32\x2e\x35\x04\xf1\x39\x30\x03\x92\x33\x2e\x31\x34\x31\x35\x38\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x39\x13\x81\x64\x02\xf2\xa0\x86\x01\x04\x83\x62\x69\x67\x04\xf4\x00\x00\x00\x00\x00\x00\x00\x40\x09\x84\x62\x69\x67\x32\x05\xf4\x00\x00\x00\x00\x00\x00\x00\x40\x09\x81\x65\x02\x85\x31\x65\x2b\x32\x30\x06\x81\x67\x02\x83\x69\x6e\x66\x04\xff";

    #[test]
    #[allow(clippy::approx_constant)] // 3.14159 is the value used on Redis
    fn listpack_bytes_equal_redis() {
        let mut z = ZSet::new_listpack();
        let items: [(f64, &[u8]); 12] = [
            (1.0, b"a"),
            (2.5, b"b"),
            (-3.0, b"c"),
            (100000.0, b"d"),
            (1e20, b"e"),
            (3.14159, b"12345"),
            (-0.0, b"negz"),
            (0.1, b"f"),
            (f64::INFINITY, b"g"),
            (f64::NEG_INFINITY, b"h"),
            (4611686018427387904.0, b"big"),
            (4611686018427387903.0, b"big2"),
        ];
        for (s, m) in items {
            z.add(s, m, 0, &BIG);
        }
        assert_eq!(z.listpack().unwrap().as_bytes(), REDIS_LP);
        // And back: a loaded listpack reads the same scores.
        let lp = Listpack::from_bytes(REDIS_LP.to_vec()).unwrap();
        assert!(Listpack::validate_pairs_no_dups(REDIS_LP, true));
        let z2 = ZSet::from_listpack(lp, &BIG);
        assert_eq!(z2.score(b"12345"), Some(3.14159));
        assert_eq!(z2.score(b"f"), Some(0.1));
        assert_eq!(z2.score(b"h"), Some(f64::NEG_INFINITY));
        assert_eq!(z2.rank(b"big2", false), Some(9));
        let small = ZLimits {
            max_entries: 11,
            max_value: 64,
        };
        let z3 = ZSet::from_listpack(Listpack::from_bytes(REDIS_LP.to_vec()).unwrap(), &small);
        assert_eq!(z3.encoding_name(), "skiplist");
        assert_eq!(z3.score(b"e"), Some(1e20));
        let mut back = z3.clone();
        back.convert_to_listpack();
        assert_eq!(back.listpack().unwrap().as_bytes(), REDIS_LP);
    }

    #[test]
    fn zzl_strtod_is_lenient() {
        assert_eq!(zzl_strtod(b"1.5"), 1.5);
        assert_eq!(zzl_strtod(b"-inf"), f64::NEG_INFINITY);
        assert_eq!(zzl_strtod(b"2.5xyz"), 2.5);
        assert_eq!(zzl_strtod(b"abc"), 0.0);
    }
}
