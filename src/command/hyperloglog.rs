//! HyperLogLog — Redis 7.0.15's `hyperloglog.c`: PFADD, PFCOUNT, PFMERGE,
//! PFSELFTEST and PFDEBUG GETREG|DECODE|ENCODING|TODENSE.
//!
//! A HyperLogLog is an ordinary string value holding Redis's exact byte
//! format, so GET / SET / DUMP / RESTORE / RDB carry it between ferrodis and
//! Redis unchanged:
//!
//! ```text
//! +------+---+-----+----------+-----------------------------+
//! | HYLL | E | 0 0 0 | card (8, LE) | registers                |
//! +------+---+-----+----------+-----------------------------+
//! ```
//! * `E` = 0 dense: 16384 6-bit registers packed LSB first (12288 bytes,
//!   16 + 12288 = 12304 bytes in all);
//! * `E` = 1 sparse: run-length opcodes — ZERO `00xxxxxx` (1..64 zero
//!   registers), XZERO `01xxxxxx yyyyyyyy` (1..16384 zero registers), VAL
//!   `1vvvvvxx` (1..4 registers of value 1..32). A new HLL is `XZERO:16384`.
//! * `card`: the last computed cardinality, little endian; bit 7 of its last
//!   byte set means "stale" (`HLL_INVALIDATE_CACHE`).
//!
//! Elements are hashed with MurmurHash64A (seed 0xadc83b19); the low 14 bits
//! pick the register, the run of zeros after them (+1) is the value. Sparse
//! updates rewrite one opcode in place with the same split / merge steps as
//! `hllSparseSet` (so the same PFADDs give byte-identical strings), and the
//! string is promoted to dense when a value exceeds 32 or it would grow past
//! `hll-sparse-max-bytes`. The estimator is 7.0's `hllCount` (Ertl's
//! improved estimator over the register histogram, `hllTau`/`hllSigma`).
//!
//! Corrupted values: `is_hll` rejects wrong magic / encoding / dense length
//! ("WRONGTYPE Key is not a valid HyperLogLog string value."); sparse
//! walks are bounds-checked (an opcode cut by the end of the string reads a
//! zero byte as Redis's sds terminator does, runs are never written past
//! register 16383 — the CVE-2025-32023 class of bugs cannot happen) and an
//! inconsistent sparse body gives "INVALIDOBJ Corrupted HLL object detected".
//!
//! Command semantics mirrored from Redis: PFADD/PFMERGE/PFCOUNT/PFDEBUG
//! unshare the value to `raw`; PFCOUNT on one key stores the cardinality in
//! the header, which counts as a change (dirty++, WATCH touched, propagated:
//! the command is `readonly may_replicate`); PFMERGE fires "pfadd"; PFDEBUG
//! GETREG / TODENSE convert to dense and bump dirty without a WATCH signal.
use crate::client::{Args, Client};
use crate::db::{Obj, StrVal, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::util::rand::Rng;

// ---------------------------------------------------------------------------
// Format constants
// ---------------------------------------------------------------------------

pub const HLL_P: u32 = 14;
pub const HLL_Q: u32 = 64 - HLL_P;
pub const HLL_REGISTERS: usize = 1 << HLL_P;
const HLL_P_MASK: u64 = HLL_REGISTERS as u64 - 1;
const HLL_BITS: usize = 6;
const HLL_REGISTER_MAX: u8 = (1 << HLL_BITS) - 1;
pub const HLL_HDR_SIZE: usize = 16;
pub const HLL_DENSE_SIZE: usize = HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS).div_ceil(8);
pub const HLL_DENSE: u8 = 0;
pub const HLL_SPARSE: u8 = 1;
const HLL_MAX_ENCODING: u8 = 1;
const HLL_SPARSE_VAL_MAX_VALUE: u8 = 32;
const HLL_SPARSE_VAL_MAX_LEN: usize = 4;
const HLL_SPARSE_ZERO_MAX_LEN: usize = 64;
const HLL_SPARSE_XZERO_MAX_LEN: usize = 16384;
const HLL_ALPHA_INF: f64 = 0.721_347_520_444_481_7;
/// Offset of the header byte holding the cache-validity bit.
const HLL_CARD_MSB: usize = 15;
const HLL_HASH_SEED: u32 = 0xadc8_3b19;

const INVALID_HLL: Error = Error::new("INVALIDOBJ Corrupted HLL object detected");
const NOT_HLL: Error = Error::new("WRONGTYPE Key is not a valid HyperLogLog string value.");

/// The sparse body is inconsistent.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Corrupt;

// ---------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------

/// MurmurHash2, 64-bit version (MurmurHash64A), endian-neutral as in Redis.
pub fn murmurhash64a(key: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = (seed as u64) ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        let mut k = u64::from_le_bytes(a);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Redis's `hllPatLen`: (register index, length of the "000..1" pattern).
pub fn hll_pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmurhash64a(ele, HLL_HASH_SEED);
    let index = (hash & HLL_P_MASK) as usize;
    // The forced bit Q guarantees termination with a count <= Q+1.
    let rest = (hash >> HLL_P) | (1u64 << HLL_Q);
    (index, (rest.trailing_zeros() + 1) as u8)
}

// ---------------------------------------------------------------------------
// Dense registers (6 bits each, LSB first)
// ---------------------------------------------------------------------------

/// Register `idx` of a dense register array (bytes past the end read 0).
#[inline]
pub fn dense_get(regs: &[u8], idx: usize) -> u8 {
    let byte = idx * HLL_BITS / 8;
    let fb = (idx * HLL_BITS) & 7;
    let b0 = regs.get(byte).copied().unwrap_or(0) as u32;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX as u32) as u8
}

/// Set register `idx` to `val` (0..=63).
#[inline]
pub fn dense_set(regs: &mut [u8], idx: usize, val: u8) {
    let byte = idx * HLL_BITS / 8;
    let fb = (idx * HLL_BITS) & 7;
    let max = HLL_REGISTER_MAX as u32;
    let v = (val & HLL_REGISTER_MAX) as u32;
    if let Some(b) = regs.get_mut(byte) {
        *b = ((*b as u32 & !(max << fb)) | (v << fb)) as u8;
    }
    if let Some(b) = regs.get_mut(byte + 1) {
        let fb8 = 8 - fb;
        *b = ((*b as u32 & !(max >> fb8)) | (v >> fb8)) as u8;
    }
}

/// Redis's `hllDenseSet`: raise register `idx` to `count`; true if changed.
#[inline]
fn dense_set_max(regs: &mut [u8], idx: usize, count: u8) -> bool {
    if count > dense_get(regs, idx) {
        dense_set(regs, idx, count);
        true
    } else {
        false
    }
}

/// Histogram of the register values of a dense register array.
fn dense_reg_histo(regs: &[u8], histo: &mut [u64; 64]) {
    let mut chunks = regs.chunks_exact(3);
    for c in &mut chunks {
        let (b0, b1, b2) = (c[0], c[1], c[2]);
        histo[(b0 & 63) as usize] += 1;
        histo[((b0 >> 6 | b1 << 2) & 63) as usize] += 1;
        histo[((b1 >> 4 | b2 << 4) & 63) as usize] += 1;
        histo[(b2 >> 2) as usize] += 1;
    }
}

// ---------------------------------------------------------------------------
// Sparse opcodes
// ---------------------------------------------------------------------------

#[inline]
fn is_zero(op: u8) -> bool {
    op & 0xc0 == 0
}
#[inline]
fn is_xzero(op: u8) -> bool {
    op & 0xc0 == 0x40
}
#[inline]
fn is_val(op: u8) -> bool {
    op & 0x80 != 0
}
#[inline]
fn zero_len(op: u8) -> usize {
    (op & 0x3f) as usize + 1
}
/// XZERO run length; the second byte reads 0 past the end (sds terminator).
#[inline]
fn xzero_len(s: &[u8], p: usize) -> usize {
    let hi = (s.get(p).copied().unwrap_or(0) & 0x3f) as usize;
    let lo = s.get(p + 1).copied().unwrap_or(0) as usize;
    ((hi << 8) | lo) + 1
}
#[inline]
fn val_value(op: u8) -> u8 {
    ((op >> 2) & 0x1f) + 1
}
#[inline]
fn val_len(op: u8) -> usize {
    (op & 0x3) as usize + 1
}
#[inline]
fn val_op(val: u8, len: usize) -> u8 {
    (((val - 1) << 2) | (len as u8 - 1)) | 0x80
}
#[inline]
fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}
#[inline]
fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

/// A new, empty HLL (Redis's `createHLLObject`): sparse, XZERO:16384.
pub fn create_hll() -> Vec<u8> {
    let mut v = Vec::with_capacity(HLL_HDR_SIZE + 2 + 3);
    v.extend_from_slice(b"HYLL");
    v.push(HLL_SPARSE);
    v.extend_from_slice(&[0u8; 11]);
    let mut aux = HLL_REGISTERS;
    while aux > 0 {
        let xz = aux.min(HLL_SPARSE_XZERO_MAX_LEN);
        v.extend_from_slice(&xzero_op(xz));
        aux -= xz;
    }
    v
}

/// Redis's `isHLLObjectOrReply` checks (after the type check).
pub fn is_hll(s: &[u8]) -> bool {
    s.len() >= HLL_HDR_SIZE
        && &s[..4] == b"HYLL"
        && s[4] <= HLL_MAX_ENCODING
        && (s[4] != HLL_DENSE || s.len() == HLL_DENSE_SIZE)
}

/// Redis's `hllSparseToDense`, in place. A dense value is left alone.
pub fn sparse_to_dense(v: &mut Vec<u8>) -> Result<(), Corrupt> {
    if v.get(4) == Some(&HLL_DENSE) {
        return Ok(());
    }
    if v.len() < HLL_HDR_SIZE {
        return Err(Corrupt);
    }
    let mut dense = vec![0u8; HLL_DENSE_SIZE];
    dense[..HLL_HDR_SIZE].copy_from_slice(&v[..HLL_HDR_SIZE]);
    dense[4] = HLL_DENSE;
    let regs = &mut dense[HLL_HDR_SIZE..];
    let mut idx = 0usize;
    let mut p = HLL_HDR_SIZE;
    while p < v.len() {
        let op = v[p];
        if is_zero(op) {
            idx += zero_len(op);
            p += 1;
        } else if is_xzero(op) {
            idx += xzero_len(v, p);
            p += 2;
        } else {
            let runlen = val_len(op);
            let regval = val_value(op);
            if idx + runlen > HLL_REGISTERS {
                break;
            }
            for r in idx..idx + runlen {
                dense_set(regs, r, regval);
            }
            idx += runlen;
            p += 1;
        }
    }
    if idx != HLL_REGISTERS {
        return Err(Corrupt);
    }
    *v = dense;
    Ok(())
}

/// Promote to dense and raise register `index` to `count` (the `promote:`
/// path of hllSparseSet).
fn promote_and_set(v: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(v)?;
    if let Some(regs) = v.get_mut(HLL_HDR_SIZE..) {
        dense_set_max(regs, index, count);
    }
    Ok(true)
}

/// Redis's `hllSparseSet`: raise register `index` of a sparse HLL to
/// `count`, splitting the covering opcode and merging equal neighbours.
/// Ok(true) when the value changed (cache invalidated), Ok(false) when not
/// needed; promotes to dense as Redis does.
pub fn sparse_set(
    v: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_bytes: u64,
) -> Result<bool, Corrupt> {
    if count == 0 {
        return Ok(false);
    }
    if count > HLL_SPARSE_VAL_MAX_VALUE {
        return promote_and_set(v, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = v.len();
    let mut p = HLL_HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    while p < end {
        let op = v[p];
        let mut oplen = 1;
        if is_zero(op) {
            span = zero_len(op);
        } else if is_val(op) {
            span = val_len(op);
        } else {
            span = xzero_len(v, p);
            oplen = 2;
        }
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let op = v[p];
    let (zero, xzero, val) = (is_zero(op), is_xzero(op), is_val(op));
    let runlen = if zero {
        zero_len(op)
    } else if xzero {
        xzero_len(v, p)
    } else {
        val_len(op)
    };

    // Step 2: the trivial in-place cases.
    let mut updated_in_place = false;
    if val {
        if val_value(op) >= count {
            return Ok(false);
        }
        if runlen == 1 {
            v[p] = val_op(count, 1);
            updated_in_place = true;
        }
    }
    if !updated_in_place && zero && runlen == 1 {
        v[p] = val_op(count, 1);
        updated_in_place = true;
    }

    if !updated_in_place {
        // General case: split the opcode into up to three.
        let mut seq = [0u8; 5];
        let mut n = 0usize;
        let last = first + span - 1;
        if zero || xzero {
            // A run of `len` zero registers: ZERO up to 64, else XZERO.
            let push_zeros = |seq: &mut [u8; 5], n: &mut usize, len: usize| {
                if len > HLL_SPARSE_ZERO_MAX_LEN {
                    seq[*n..*n + 2].copy_from_slice(&xzero_op(len));
                    *n += 2;
                } else {
                    seq[*n] = zero_op(len);
                    *n += 1;
                }
            };
            if index != first {
                push_zeros(&mut seq, &mut n, index - first);
            }
            seq[n] = val_op(count, 1);
            n += 1;
            if index != last {
                push_zeros(&mut seq, &mut n, last - index);
            }
        } else {
            let curval = val_value(op);
            if index != first {
                seq[n] = val_op(curval, index - first);
                n += 1;
            }
            seq[n] = val_op(count, 1);
            n += 1;
            if index != last {
                seq[n] = val_op(curval, last - index);
                n += 1;
            }
        }
        // Step 3: substitute the new sequence for the old opcode.
        let oldlen = if xzero { 2 } else { 1 };
        let new_len = end + n - oldlen;
        if n > oldlen && new_len as u64 > max_bytes {
            return promote_and_set(v, index, count);
        }
        v.splice(p..(p + oldlen).min(end), seq[..n].iter().copied());
        // An XZERO cut by the end of the string: Redis's length arithmetic.
        v.truncate(new_len);
    }

    // Step 4: merge adjacent VAL opcodes of equal value (up to 5 opcodes
    // from the previous one).
    let mut p = prev.unwrap_or(HLL_HDR_SIZE);
    let mut scanlen = 5;
    while p < v.len() {
        if scanlen == 0 {
            break;
        }
        scanlen -= 1;
        let op = v[p];
        if is_xzero(op) {
            p += 2;
            continue;
        } else if is_zero(op) {
            p += 1;
            continue;
        }
        if p + 1 < v.len() && is_val(v[p + 1]) {
            let v1 = val_value(op);
            let v2 = val_value(v[p + 1]);
            if v1 == v2 {
                let len = val_len(op) + val_len(v[p + 1]);
                if len <= HLL_SPARSE_VAL_MAX_LEN {
                    v[p + 1] = val_op(v1, len);
                    v.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
    invalidate_cache(v);
    Ok(true)
}

/// Histogram of a sparse body; false when it does not cover exactly 16384
/// registers.
fn sparse_reg_histo(sparse: &[u8], histo: &mut [u64; 64]) -> bool {
    let mut idx = 0u64;
    let mut p = 0;
    while p < sparse.len() {
        let op = sparse[p];
        if is_zero(op) {
            let r = zero_len(op) as u64;
            idx += r;
            histo[0] += r;
            p += 1;
        } else if is_xzero(op) {
            let r = xzero_len(sparse, p) as u64;
            idx += r;
            histo[0] += r;
            p += 2;
        } else {
            let r = val_len(op) as u64;
            idx += r;
            histo[val_value(op) as usize] += r;
            p += 1;
        }
    }
    idx == HLL_REGISTERS as u64
}

/// Redis's `hllSigma` (Ertl, arXiv:1702.01284).
fn hll_sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let zp = z;
        z += x * y;
        y += y;
        if zp == z {
            return z;
        }
    }
}

/// Redis's `hllTau` (Ertl, arXiv:1702.01284).
fn hll_tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let zp = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if zp == z {
            return z / 3.0;
        }
    }
}

/// The estimator of `hllCount` over a register histogram. The final
/// rounding is C's `llroundl` then a cast to uint64_t: out-of-range results
/// (a histogram of only huge registers) come out as 2^63, as on x86-64.
pub fn hll_count_histo(histo: &[u64; 64]) -> u64 {
    let m = HLL_REGISTERS as f64;
    let mut z = m * hll_tau((m - histo[HLL_Q as usize + 1] as f64) / m);
    for j in (1..=HLL_Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * hll_sigma(histo[0] as f64 / m);
    let e = (HLL_ALPHA_INF * m * m / z).round();
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO_63..TWO_63).contains(&e) {
        e as i64 as u64
    } else {
        1u64 << 63
    }
}

/// Cardinality of a dense or sparse HLL value (`hllCount`); Corrupt for an
/// inconsistent sparse body.
pub fn hll_count(v: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0u64; 64];
    let body = v.get(HLL_HDR_SIZE..).ok_or(Corrupt)?;
    match v[4] {
        HLL_DENSE => dense_reg_histo(body, &mut histo),
        HLL_SPARSE => {
            if !sparse_reg_histo(body, &mut histo) {
                return Err(Corrupt);
            }
        }
        _ => return Err(Corrupt),
    }
    Ok(hll_count_histo(&histo))
}

/// Cardinality of an array of byte-per-register values (PFCOUNT of several
/// keys; Redis's HLL_RAW encoding).
fn hll_count_raw(max: &[u8]) -> u64 {
    let mut histo = [0u64; 64];
    for &r in max {
        histo[(r & 63) as usize] += 1;
    }
    hll_count_histo(&histo)
}

/// Add one element (`hllAdd`): Ok(true) if a register changed.
pub fn hll_add(v: &mut Vec<u8>, ele: &[u8], max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = hll_pat_len(ele);
    match v.get(4) {
        Some(&HLL_DENSE) => match v.get_mut(HLL_HDR_SIZE..) {
            Some(regs) => Ok(dense_set_max(regs, index, count)),
            None => Err(Corrupt),
        },
        Some(&HLL_SPARSE) => sparse_set(v, index, count, max_bytes),
        _ => Err(Corrupt),
    }
}

/// Redis's `hllMerge`: max[i] = MAX(max[i], register i of `v`).
pub fn hll_merge(max: &mut [u8], v: &[u8]) -> Result<(), Corrupt> {
    let body = v.get(HLL_HDR_SIZE..).ok_or(Corrupt)?;
    if v[4] == HLL_DENSE {
        for (i, m) in max.iter_mut().enumerate().take(HLL_REGISTERS) {
            let r = dense_get(body, i);
            if r > *m {
                *m = r;
            }
        }
        return Ok(());
    }
    let mut i = 0usize;
    let mut p = 0;
    while p < body.len() {
        let op = body[p];
        if is_zero(op) {
            i += zero_len(op);
            p += 1;
        } else if is_xzero(op) {
            i += xzero_len(body, p);
            p += 2;
        } else {
            let runlen = val_len(op);
            let regval = val_value(op);
            if runlen + i > HLL_REGISTERS {
                break;
            }
            for m in max.iter_mut().skip(i).take(runlen) {
                if regval > *m {
                    *m = regval;
                }
            }
            i += runlen;
            p += 1;
        }
    }
    if i != HLL_REGISTERS {
        return Err(Corrupt);
    }
    Ok(())
}

#[inline]
fn invalidate_cache(v: &mut [u8]) {
    if let Some(b) = v.get_mut(HLL_CARD_MSB) {
        *b |= 0x80;
    }
}

/// The cached cardinality, if valid.
fn cached_card(v: &[u8]) -> Option<u64> {
    let card = v.get(8..16)?;
    if card[7] & 0x80 != 0 {
        return None;
    }
    let mut a = [0u8; 8];
    a.copy_from_slice(card);
    Some(u64::from_le_bytes(a))
}

fn store_card(v: &mut [u8], card: u64) {
    if let Some(c) = v.get_mut(8..16) {
        c.copy_from_slice(&card.to_le_bytes());
    }
}

// ---------------------------------------------------------------------------
// Keyspace helpers
// ---------------------------------------------------------------------------

/// `isHLLObjectOrReply` for reading: the value's bytes.
#[allow(unreachable_patterns)]
fn hll_bytes(o: &Obj) -> Result<&[u8], Error> {
    match &o.val {
        Value::Str(StrVal::Emb(b)) if is_hll(b) => Ok(b),
        Value::Str(StrVal::Raw(v)) if is_hll(v) => Ok(v),
        Value::Str(_) => Err(NOT_HLL),
        _ => Err(error::WRONGTYPE),
    }
}

/// `isHLLObjectOrReply` + `dbUnshareStringValue`: the raw buffer.
#[allow(unreachable_patterns)]
fn hll_raw_mut(o: &mut Obj) -> Result<&mut Vec<u8>, Error> {
    match &mut o.val {
        Value::Str(s) => {
            let ok = match s {
                StrVal::Emb(b) => is_hll(b),
                StrVal::Raw(v) => is_hll(v),
                StrVal::Int(_) => false,
            };
            if !ok {
                return Err(NOT_HLL);
            }
            Ok(s.make_raw())
        }
        _ => Err(error::WRONGTYPE),
    }
}

/// The raw buffer of a key that is known to hold a raw string.
fn raw_buf<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut Vec<u8>> {
    match srv.dbs[db].dict.get_mut(key) {
        #[allow(unreachable_patterns)]
        Some(o) => match &mut o.val {
            Value::Str(StrVal::Raw(v)) => Some(v),
            _ => None,
        },
        None => None,
    }
}

/// Look up `key` for writing as an HLL, creating an empty one (firing "new")
/// when missing. Returns whether it was created.
fn lookup_or_create_hll(srv: &mut Server, db: usize, key: &[u8]) -> Result<bool, Error> {
    let lru = srv.lru_clock;
    match srv.lookup_write(db, key) {
        Some(o) => {
            hll_raw_mut(o)?;
            Ok(false)
        }
        None => {
            srv.dbs[db].add(key, Obj::new(Value::Str(StrVal::Raw(create_hll())), lru));
            srv.notify_keyspace_event(notify::NEW, "new", key, db);
            Ok(true)
        }
    }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/// PFADD key [element ...] → 1 if a register changed (or the key was
/// created), else 0.
pub fn pfadd_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    let max_bytes = srv.config.hll_sparse_max_bytes;
    let mut updated = lookup_or_create_hll(srv, db, key)? as u64;
    {
        let v = raw_buf(srv, db, key).ok_or(INVALID_HLL)?;
        for j in 2..args.len() {
            match hll_add(v, args.get(j), max_bytes) {
                Ok(true) => updated += 1,
                Ok(false) => {}
                Err(Corrupt) => return Err(INVALID_HLL),
            }
        }
        if updated > 0 {
            invalidate_cache(v);
        }
    }
    if updated > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::STRING, "pfadd", key, db);
        srv.dirty += updated;
    }
    c.reply.int((updated > 0) as i64);
    Ok(())
}

/// PFCOUNT key [key ...]
pub fn pfcount_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    if args.len() > 2 {
        // Cardinality of the union: merge into byte-per-register maxima.
        let mut max = [0u8; HLL_REGISTERS];
        for j in 1..args.len() {
            let Some(o) = srv.lookup_read(db, args.get(j)) else {
                continue;
            };
            let v = hll_bytes(o)?;
            hll_merge(&mut max, v).map_err(|_| INVALID_HLL)?;
        }
        c.reply.int(hll_count_raw(&max) as i64);
        return Ok(());
    }
    let key = args.get(1);
    let Some(o) = srv.lookup_read(db, key) else {
        c.reply.int(0);
        return Ok(());
    };
    let v = hll_raw_mut(o)?;
    let (card, recomputed) = match cached_card(v) {
        Some(card) => (card, false),
        None => {
            let card = hll_count(v).map_err(|_| INVALID_HLL)?;
            store_card(v, card);
            (card, true)
        }
    };
    if recomputed {
        // The cached value is part of the string: a change to propagate.
        srv.signal_modified_key(db, key);
        srv.dirty += 1;
    }
    c.reply.int(card as i64);
    Ok(())
}

/// PFMERGE destkey [sourcekey ...]
pub fn pfmerge_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    let max_bytes = srv.config.hll_sparse_max_bytes;
    let mut max = [0u8; HLL_REGISTERS];
    let mut use_dense = false;
    // The destination (argv[1]) is a source too.
    for j in 1..args.len() {
        let Some(o) = srv.lookup_read(db, args.get(j)) else {
            continue;
        };
        let v = hll_bytes(o)?;
        if v[4] == HLL_DENSE {
            use_dense = true;
        }
        hll_merge(&mut max, v).map_err(|_| INVALID_HLL)?;
    }
    lookup_or_create_hll(srv, db, key)?;
    {
        let v = raw_buf(srv, db, key).ok_or(INVALID_HLL)?;
        if use_dense {
            sparse_to_dense(v).map_err(|_| INVALID_HLL)?;
        }
        for (j, &m) in max.iter().enumerate() {
            if m == 0 {
                continue;
            }
            match v.get(4) {
                Some(&HLL_DENSE) => {
                    if let Some(regs) = v.get_mut(HLL_HDR_SIZE..) {
                        dense_set_max(regs, j, m);
                    }
                }
                // Redis ignores a failure here (the value was validated).
                Some(&HLL_SPARSE) => {
                    let _ = sparse_set(v, j, m, max_bytes);
                }
                _ => {}
            }
        }
        invalidate_cache(v);
    }
    srv.signal_modified_key(db, key);
    // PFMERGE is a mass-add: Redis fires "pfadd".
    srv.notify_keyspace_event(notify::STRING, "pfadd", key, db);
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// The checks of PFSELFTEST: register packing over `cycles` random fills,
/// then `elements` additions to a dense and a sparse HLL compared at powers
/// of ten (Redis's HLL_TEST_CYCLES = 1000 and 10,000,000 elements).
fn hll_selftest(rng: &mut Rng, max_bytes: u64, cycles: u32, elements: u32) -> Result<(), String> {
    let mut dense = vec![0u8; HLL_DENSE_SIZE];
    let mut bytecounters = vec![0u8; HLL_REGISTERS];
    for _ in 0..cycles {
        let regs = &mut dense[HLL_HDR_SIZE..];
        for (i, b) in bytecounters.iter_mut().enumerate() {
            let r = (rng.next_u32() & HLL_REGISTER_MAX as u32) as u8;
            *b = r;
            dense_set(regs, i, r);
        }
        for (i, &b) in bytecounters.iter().enumerate() {
            let val = dense_get(regs, i);
            if val != b {
                return Err(format!(
                    "ERR TESTFAILED Register {} should be {} but is {}",
                    i, b, val
                ));
            }
        }
    }
    dense.fill(0);
    dense[4] = HLL_DENSE;
    let mut sparse = create_hll();
    let relerr = 1.04 / (HLL_REGISTERS as f64).sqrt();
    let mut checkpoint: i64 = 1;
    let seed = rng.next_u64();
    for j in 1..=elements {
        let ele = (j as u64) ^ seed;
        let bytes = ele.to_ne_bytes();
        if let Some(regs) = dense.get_mut(HLL_HDR_SIZE..) {
            let (index, count) = hll_pat_len(&bytes);
            dense_set_max(regs, index, count);
        }
        if hll_add(&mut sparse, &bytes, max_bytes).is_err() {
            return Err("ERR TESTFAILED sparse encoding corrupted".into());
        }
        if j as i64 != checkpoint {
            continue;
        }
        if (j as u64) < max_bytes / 2 && sparse[4] != HLL_SPARSE {
            return Err("ERR TESTFAILED sparse encoding not used".into());
        }
        let dcount = hll_count(&dense).unwrap_or(0);
        if hll_count(&sparse) != Ok(dcount) {
            return Err("ERR TESTFAILED dense/sparse disagree".into());
        }
        let abserr = (checkpoint - dcount as i64).unsigned_abs();
        let mut maxerr = (relerr * 6.0 * checkpoint as f64).ceil() as u64;
        if j == 10 {
            maxerr = 1;
        }
        if abserr > maxerr {
            return Err(format!(
                "ERR TESTFAILED Too big error. card:{} abserr:{}",
                checkpoint, abserr
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}

/// PFSELFTEST
pub fn pfselftest_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let max_bytes = srv.config.hll_sparse_max_bytes;
    hll_selftest(&mut srv.rng, max_bytes, 1000, 10_000_000).map_err(Error::msg)?;
    c.reply.ok();
    Ok(())
}

/// PFDEBUG's DECODE text of a sparse body ("Z:16384", "z:3 v:2,1 ...").
fn sparse_decode(body: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut p = 0;
    while p < body.len() {
        let op = body[p];
        if is_zero(op) {
            let _ = write!(out, "z:{} ", zero_len(op));
            p += 1;
        } else if is_xzero(op) {
            let _ = write!(out, "Z:{} ", xzero_len(body, p));
            p += 2;
        } else {
            let _ = write!(out, "v:{},{} ", val_value(op), val_len(op));
            p += 1;
        }
    }
    out.trim_matches(' ').to_string()
}

/// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
pub fn pfdebug_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let sub = args.get(1);
    let key = args.get(2);
    let db = c.db;
    let Some(o) = srv.lookup_write(db, key) else {
        return Err(Error::new("ERR The specified key does not exist"));
    };
    let v = hll_raw_mut(o)?;
    let mut dirty = 0;
    if sub.eq_ignore_ascii_case(b"getreg") {
        if v[4] == HLL_SPARSE {
            sparse_to_dense(v).map_err(|_| INVALID_HLL)?;
            dirty = 1;
        }
        let regs = &v[HLL_HDR_SIZE..];
        c.reply.array_len(HLL_REGISTERS);
        for j in 0..HLL_REGISTERS {
            c.reply.int(dense_get(regs, j) as i64);
        }
    } else if sub.eq_ignore_ascii_case(b"decode") {
        if v[4] != HLL_SPARSE {
            return Err(Error::new("ERR HLL encoding is not sparse"));
        }
        let text = sparse_decode(&v[HLL_HDR_SIZE..]);
        c.reply.bulk(text.as_bytes());
    } else if sub.eq_ignore_ascii_case(b"encoding") {
        c.reply.status(if v[4] == HLL_DENSE {
            b"dense"
        } else {
            b"sparse"
        });
    } else if sub.eq_ignore_ascii_case(b"todense") {
        let conv = v[4] == HLL_SPARSE;
        if conv {
            sparse_to_dense(v).map_err(|_| INVALID_HLL)?;
            dirty = 1;
        }
        c.reply.int(conv as i64);
    } else {
        let name = match memchr::memchr(0, sub) {
            Some(n) => &sub[..n],
            None => sub,
        };
        return Err(Error::msg(format!(
            "ERR Unknown PFDEBUG subcommand '{}'",
            String::from_utf8_lossy(name)
        )));
    }
    // Encoding changes are forced into the replication stream.
    srv.dirty += dirty;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::OwnedArgs;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn fnv(b: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for &x in b {
            h = (h ^ x as u64).wrapping_mul(0x100000001b3);
        }
        h
    }

    fn add_all(v: &mut Vec<u8>, items: impl Iterator<Item = String>) -> bool {
        let mut changed = false;
        for e in items {
            changed |= hll_add(v, e.as_bytes(), 3000).unwrap();
        }
        if changed {
            invalidate_cache(v);
        }
        changed
    }

    #[test]
    fn empty_hll_layout() {
        let v = create_hll();
        assert_eq!(v, unhex("48594c4c0100000000000000000000007fff"));
        assert!(is_hll(&v));
        assert_eq!(hll_count(&v), Ok(0));
        assert_eq!(sparse_decode(&v[HLL_HDR_SIZE..]), "Z:16384");
    }

    #[test]
    fn byte_identical_to_redis_sparse() {
        // GET after `PFADD h a b c` and after PFCOUNT, from Redis 7.0.15.
        let mut v = create_hll();
        add_all(&mut v, ["a", "b", "c"].iter().map(|s| s.to_string()));
        assert_eq!(
            v,
            unhex("48594c4c01000000000000000000008060f38050b1844bfb80425a")
        );
        assert_eq!(hll_count(&v), Ok(3));
        let mut v = create_hll();
        add_all(&mut v, std::iter::once(String::new()));
        assert_eq!(v, unhex("48594c4c01000000000000000000008057318468cc"));
        // 200 elements: still sparse, 507 bytes.
        let mut v = create_hll();
        add_all(&mut v, (0..200).map(|i| i.to_string()));
        assert_eq!(v.len(), 507);
        assert_eq!(fnv(&v), 0x2b0dacc41d4dc15);
        assert_eq!(hll_count(&v), Ok(201));
        assert!(sparse_decode(&v[16..]).starts_with("Z:116 v:3,1 Z:71 v:5,1 Z:152 v:2,1 z:33"));
    }

    #[test]
    fn byte_identical_to_redis_dense_and_merge() {
        let mut h = create_hll();
        for i in (0..20000).step_by(1000) {
            add_all(&mut h, (i..i + 1000).map(|j| j.to_string()));
        }
        assert_eq!(h.len(), HLL_DENSE_SIZE);
        assert_eq!(fnv(&h), 0x2db57983d14477e6);
        assert_eq!(hll_count(&h), Ok(19891));
        let mut h2 = create_hll();
        add_all(&mut h2, (0..1000).map(|i| format!("x{}", i)));
        assert_eq!((h2.len(), fnv(&h2)), (1877, 0xcec46daf4176a1e5));
        assert_eq!(hll_count(&h2), Ok(1001));
        let mut max = [0u8; HLL_REGISTERS];
        hll_merge(&mut max, &h).unwrap();
        hll_merge(&mut max, &h2).unwrap();
        assert_eq!(hll_count_raw(&max), 20898);
    }

    #[test]
    fn large_cardinality_estimate_matches_redis() {
        let mut v = create_hll();
        let mut histo_input = Vec::new();
        for j in 0..1_000_000u32 {
            histo_input.clear();
            histo_input.extend_from_slice(j.to_string().as_bytes());
            hll_add(&mut v, &histo_input, 3000).unwrap();
        }
        assert_eq!(hll_count(&v), Ok(1009972));
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut rng = Rng::new(3);
        for n in [0usize, 1, 10, 100, 1000] {
            let mut s = create_hll();
            let mut d = create_hll();
            sparse_to_dense(&mut d).unwrap();
            assert_eq!(d.len(), HLL_DENSE_SIZE);
            for _ in 0..n {
                let e = rng.next_u64().to_le_bytes();
                assert_eq!(hll_add(&mut s, &e, 1 << 20), hll_add(&mut d, &e, 1 << 20));
            }
            assert_eq!(s[4], HLL_SPARSE);
            assert_eq!(hll_count(&s), hll_count(&d));
            let mut s2 = s.clone();
            sparse_to_dense(&mut s2).unwrap();
            assert_eq!(&s2[16..], &d[16..]);
        }
    }

    #[test]
    fn promotion_rules() {
        // Growing past hll-sparse-max-bytes promotes.
        let mut v = create_hll();
        let mut i = 0;
        while v[4] == HLL_SPARSE {
            hll_add(&mut v, i.to_string().as_bytes(), 100).unwrap();
            i += 1;
            assert!(v.len() <= 100 || v[4] == HLL_DENSE);
        }
        assert_eq!(v.len(), HLL_DENSE_SIZE);
        // A value above 32 promotes at once.
        let mut v = create_hll();
        assert_eq!(sparse_set(&mut v, 5, 33, 3000), Ok(true));
        assert_eq!(v[4], HLL_DENSE);
        assert_eq!(dense_get(&v[16..], 5), 33);
        // VAL splitting and merging of equal neighbours.
        let mut v = create_hll();
        sparse_set(&mut v, 10, 2, 3000).unwrap();
        sparse_set(&mut v, 11, 2, 3000).unwrap();
        assert_eq!(sparse_decode(&v[16..]), "z:10 v:2,2 Z:16372");
        sparse_set(&mut v, 11, 3, 3000).unwrap();
        assert_eq!(sparse_decode(&v[16..]), "z:10 v:2,1 v:3,1 Z:16372");
        assert_eq!(sparse_set(&mut v, 11, 3, 3000), Ok(false));
        sparse_set(&mut v, 0, 1, 3000).unwrap();
        assert_eq!(sparse_decode(&v[16..]), "v:1,1 z:9 v:2,1 v:3,1 Z:16372");
    }

    #[test]
    fn dense_register_packing() {
        let mut regs = vec![0u8; HLL_DENSE_SIZE - HLL_HDR_SIZE];
        let mut rng = Rng::new(9);
        let vals: Vec<u8> = (0..HLL_REGISTERS)
            .map(|_| (rng.next_u32() & 63) as u8)
            .collect();
        for (i, &x) in vals.iter().enumerate() {
            dense_set(&mut regs, i, x);
        }
        for (i, &x) in vals.iter().enumerate() {
            assert_eq!(dense_get(&regs, i), x);
        }
        let mut histo = [0u64; 64];
        dense_reg_histo(&regs, &mut histo);
        for (val, &n) in histo.iter().enumerate() {
            assert_eq!(
                n,
                vals.iter().filter(|&&x| x as usize == val).count() as u64
            );
        }
        assert!(hll_selftest(&mut rng, 3000, 2, 20_000).is_ok());
    }

    #[test]
    fn estimator_edge_cases() {
        let mut histo = [0u64; 64];
        histo[0] = HLL_REGISTERS as u64;
        assert_eq!(hll_count_histo(&histo), 0);
        // Only huge registers: z = 0, llroundl(inf) → LLONG_MIN → 2^63.
        let mut histo = [0u64; 64];
        histo[60] = HLL_REGISTERS as u64;
        assert_eq!(hll_count_histo(&histo), 1 << 63);
        let mut histo = [0u64; 64];
        histo[51] = 1;
        histo[0] = HLL_REGISTERS as u64 - 1;
        assert!(hll_count_histo(&histo) > 0);
    }

    #[test]
    fn corrupted_values_never_panic() {
        assert!(!is_hll(b"HYLL"));
        assert!(!is_hll(b"HYLX\x01\0\0\0\0\0\0\0\0\0\0\0"));
        assert!(!is_hll(b"HYLL\x02\0\0\0\0\0\0\0\0\0\0\0"));
        assert!(!is_hll(b"HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"));
        // Extra bytes at the tail (unit/hyperloglog "Additional at tail").
        let mut v = create_hll();
        add_all(&mut v, ["a", "b", "c"].iter().map(|s| s.to_string()));
        v.extend_from_slice(b"hello");
        assert_eq!(hll_count(&v), Err(Corrupt));
        assert_eq!(hll_merge(&mut [0u8; HLL_REGISTERS], &v), Err(Corrupt));
        assert_eq!(sparse_to_dense(&mut v.clone()), Err(Corrupt));
        // A VAL run that would pass register 16383 is never written.
        let mut v = create_hll();
        v.truncate(16);
        v.extend_from_slice(&[0x7f, 0xfe, 0x83, 0x83]); // XZERO:16383, VAL:1,4 ×2
        assert_eq!(sparse_to_dense(&mut v.clone()), Err(Corrupt));
        assert_eq!(hll_merge(&mut [0u8; HLL_REGISTERS], &v), Err(Corrupt));
        // An XZERO cut by the end reads a zero second byte, as Redis does.
        let mut v = create_hll();
        v.truncate(17);
        assert_eq!(sparse_decode(&v[16..]), "Z:16129");
        let _ = sparse_set(&mut v, 3, 2, 3000);
        // Many XZEROs (the CVE-2025-32023 shape): rejected, no overflow.
        let mut v = create_hll();
        v.truncate(16);
        for _ in 0..140_000 {
            v.extend_from_slice(&[0x7f, 0xff]);
        }
        v.push(0x80);
        assert_eq!(sparse_to_dense(&mut v.clone()), Err(Corrupt));
        assert_eq!(hll_count(&v), Err(Corrupt));
        assert_eq!(hll_merge(&mut [0u8; HLL_REGISTERS], &v), Err(Corrupt));
        // Random corruption of valid values.
        let mut rng = Rng::new(11);
        for round in 0..400 {
            let mut v = create_hll();
            let n = rng.gen_index(if round % 4 == 0 { 3000 } else { 300 });
            for _ in 0..n {
                hll_add(&mut v, &rng.next_u64().to_le_bytes(), 3000).unwrap();
            }
            for _ in 0..1 + rng.gen_index(5) {
                let pos = rng.gen_index(v.len());
                v[pos] = rng.next_u32() as u8;
            }
            if !is_hll(&v) {
                continue;
            }
            let _ = hll_count(&v);
            let _ = hll_merge(&mut [0u8; HLL_REGISTERS], &v);
            let _ = sparse_decode(&v[16..]);
            let mut w = v.clone();
            for _ in 0..20 {
                let _ = hll_add(&mut w, &rng.next_u64().to_le_bytes(), 3000);
            }
            let _ = sparse_to_dense(&mut w);
        }
    }

    // ---- command level ----

    struct Harness {
        srv: Server,
        c: Client,
    }

    impl Harness {
        fn new() -> Harness {
            let srv = Server::new(crate::config::Config::default(), "test".into(), false)
                .expect("server");
            Harness {
                srv,
                c: Client::fake(),
            }
        }

        fn run(&mut self, items: &[&[u8]]) -> String {
            self.c.reply.buf.clear();
            self.c.reply.sent = 0;
            let o = OwnedArgs::from_slices(items);
            let a = o.args();
            let idx = self.srv.commands.lookup(a.get(0)).expect("command");
            self.c.last_cmd = self.srv.commands.cmds[idx].full_name;
            let h = self.srv.commands.cmds[idx].def.handler;
            if let Err(e) = h(&mut self.srv, &mut self.c, &a) {
                self.c.reply.error(e.text());
            }
            String::from_utf8_lossy(&self.c.reply.buf).into_owned()
        }

        fn r(&mut self, cmd: &str) -> String {
            let parts: Vec<&[u8]> = cmd.split(' ').map(|s| s.as_bytes()).collect();
            self.run(&parts)
        }

        fn get(&self, key: &str) -> Vec<u8> {
            match &self.srv.dbs[0].dict.get(key.as_bytes()).expect("key").val {
                Value::Str(s) => s.as_bytes().into_owned(),
                #[allow(unreachable_patterns)]
                _ => panic!("not a string"),
            }
        }
    }

    #[test]
    fn pfadd_pfcount_cache_and_dirty() {
        let mut h = Harness::new();
        let d0 = h.srv.dirty;
        assert_eq!(h.r("pfadd hll"), ":1\r\n");
        assert_eq!(h.get("hll")[15], 0x80);
        assert_eq!(h.srv.dirty, d0 + 1);
        assert_eq!(h.r("pfcount hll"), ":0\r\n");
        assert_eq!(h.r("pfadd hll a b c"), ":1\r\n");
        assert_eq!(h.r("pfadd hll a b c"), ":0\r\n");
        let d = h.srv.dirty;
        assert_eq!(h.r("pfcount hll"), ":3\r\n");
        assert_eq!(h.srv.dirty, d + 1, "caching the cardinality is a change");
        assert_eq!(h.get("hll")[8..16], [3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(h.r("pfcount hll"), ":3\r\n");
        assert_eq!(h.srv.dirty, d + 1, "cached: no change");
        h.r("pfadd hll a b c");
        assert_eq!(h.get("hll")[15], 0x00);
        h.r("pfadd hll 1 2 3");
        assert_eq!(h.get("hll")[15], 0x80);
        assert_eq!(h.r("pfcount nokey"), ":0\r\n");
        assert_eq!(h.r("pfcount hll nokey hll"), ":6\r\n");
    }

    #[test]
    fn pfmerge_and_pfdebug() {
        let mut h = Harness::new();
        h.r("pfadd h1 a b c");
        h.r("pfadd h2 b c d");
        h.r("pfadd h3 c d e");
        assert_eq!(h.r("pfmerge h h1 h2 h3"), "+OK\r\n");
        assert_eq!(h.r("pfcount h"), ":5\r\n");
        assert_eq!(h.r("pfmerge empty"), "+OK\r\n");
        assert_eq!(h.get("empty"), {
            let mut v = create_hll();
            invalidate_cache(&mut v);
            v
        });
        assert_eq!(h.r("pfdebug encoding h"), "+sparse\r\n");
        assert_eq!(h.r("pfdebug decode empty"), "$7\r\nZ:16384\r\n");
        let d = h.srv.dirty;
        assert_eq!(h.r("pfdebug todense h"), ":1\r\n");
        assert_eq!(h.r("pfdebug todense h"), ":0\r\n");
        assert_eq!(h.srv.dirty, d + 1);
        assert_eq!(h.r("pfdebug encoding h"), "+dense\r\n");
        assert_eq!(
            h.r("pfdebug decode h"),
            "-ERR HLL encoding is not sparse\r\n"
        );
        assert!(h.r("pfdebug getreg h1").starts_with("*16384\r\n"));
        assert_eq!(h.r("pfdebug encoding h1"), "+dense\r\n");
        assert_eq!(
            h.r("pfdebug foo h1"),
            "-ERR Unknown PFDEBUG subcommand 'foo'\r\n"
        );
        assert_eq!(
            h.r("pfdebug foo nokey"),
            "-ERR The specified key does not exist\r\n"
        );
        // Merging a dense source makes the destination dense.
        assert_eq!(h.r("pfmerge m h2 h"), "+OK\r\n");
        assert_eq!(h.r("pfdebug encoding m"), "+dense\r\n");
        assert_eq!(h.r("pfcount m"), ":5\r\n");
    }

    #[test]
    fn invalid_values_are_rejected() {
        let mut h = Harness::new();
        h.r("set s bar");
        let not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
        assert_eq!(h.r("pfadd s 1"), not_hll);
        assert_eq!(h.r("pfcount s"), not_hll);
        assert_eq!(h.r("pfmerge x s"), not_hll);
        assert_eq!(h.r("pfmerge s x"), not_hll);
        h.r("set i 12345");
        assert_eq!(h.r("pfcount i"), not_hll);
        h.r("pfadd hll a b c");
        h.run(&[b"append", b"hll", b"hello"]);
        assert_eq!(
            h.r("pfcount hll"),
            "-INVALIDOBJ Corrupted HLL object detected\r\n"
        );
        assert_eq!(
            h.r("pfcount hll hll"),
            "-INVALIDOBJ Corrupted HLL object detected\r\n"
        );
        h.r("del hll");
        h.r("pfadd hll a b c");
        h.run(&[b"setrange", b"hll", b"4", b"\x00"]);
        assert_eq!(h.r("pfcount hll"), not_hll);
        // A valid HLL stored as embstr (e.g. copied with SET) works and
        // becomes raw.
        let v = create_hll();
        h.run(&[b"set", b"e", &v]);
        assert_eq!(h.r("pfcount e"), ":0\r\n");
        let enc = h.srv.dbs[0]
            .dict
            .get(&b"e"[..])
            .map(|o| o.val.encoding_name());
        assert_eq!(enc, Some("raw"));
    }
}
