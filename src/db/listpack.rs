//! Listpack: Redis's compact "list of strings" byte format, kept byte for byte.
//!
//! Small hashes, small sorted sets and quicklist nodes are stored in memory as
//! a `Listpack`, a plain `Vec<u8>` holding exactly the bytes Redis 7.0 keeps
//! (see `listpack.c`), so RDB save / DUMP write the buffer verbatim and RDB
//! load / RESTORE adopt the payload as is (after `validate`).
//!
//! Layout:
//!
//! ```text
//! <total-bytes u32 LE> <num-elements u16 LE, 65535 = unknown> <entry>* <0xFF>
//! entry = <encoding+data> <backlen>
//! ```
//!
//! Encodings (first byte): `0xxxxxxx` 7-bit uint; `10LLLLLL` string of up to 63
//! bytes; `110xxxxx yyyyyyyy` 13-bit signed int; `1110LLLL LLLLLLLL` string of
//! up to 4095 bytes; `F0 <u32 LE len>` large string; `F1`/`F2`/`F3`/`F4` 16/24/
//! 32/64-bit signed ints (LE); `FF` end marker. `backlen` is the size of
//! encoding+data written as 1..5 bytes of 7 bits, readable right to left (the
//! rightmost byte holds the low 7 bits and has bit 7 set when more bytes
//! follow to its left), so the listpack can be walked backwards.
//!
//! Strings that are canonical decimal integers (Redis's `lpStringToInt64`
//! rules) are stored as integers, in the smallest encoding, like Redis does:
//! the bytes we produce equal the bytes Redis produces for the same commands.
//!
//! Positions are byte offsets into the buffer (Redis uses pointers). Offsets
//! returned by this module always point at an entry (never the end marker).
//! Every read is bounds checked: a corrupt listpack that only passed the
//! shallow check (RESTORE with sanitize-dump-payload no) can give odd values
//! but never a panic or an endless loop (every step moves at least one byte).
//! Where Redis asserts on a corrupt entry we stop iterating instead.
//!
//! Mirrors: lpNew, lpFirst/lpLast/lpNext/lpPrev/lpSkip, lpGet/lpGetValue,
//! lpLength, lpSeek, lpFind, lpCompare, lpInsert (+String/Integer wrappers),
//! lpAppend/lpPrepend(+Integer), lpReplace(+Integer), lpDelete, lpDeleteRange,
//! lpDeleteRangeWithEntry, lpMerge, lpBytes, lpSafeToAdd, lpStringToInt64,
//! lpValidateIntegrity/lpValidateNext and rdb.c's
//! lpPairsValidateIntegrityAndDups.

use std::collections::HashSet;

/// Size of the listpack header: total bytes (u32) + number of elements (u16).
pub const LP_HDR_SIZE: usize = 6;
/// Header element count meaning "unknown, scan to count".
pub const LP_HDR_NUMELE_UNKNOWN: u16 = u16::MAX;
/// End-of-listpack marker.
pub const LP_EOF: u8 = 0xFF;
/// Redis refuses to grow a listpack past 1GB (lpSafeToAdd).
pub const LISTPACK_MAX_SAFETY_SIZE: usize = 1 << 30;
/// Value Redis returns for an entry with an unknown encoding byte (plus the byte).
const LP_BAD_ENCODING_BASE: i64 = 12_345_678_900_000_000;

/// One listpack element: integers stay integers (no formatting on read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpVal<'a> {
    Int(i64),
    Str(&'a [u8]),
}

/// Where `Listpack::insert` puts the new element relative to the given one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Where {
    Before,
    After,
}

/// Formats `v` in decimal into `buf`, returning the used tail of it.
#[inline]
fn fmt_i64(v: i64, buf: &mut [u8; 20]) -> &[u8] {
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

impl<'a> LpVal<'a> {
    /// lpCompare: does this element equal the string `s`? An integer element
    /// equals `s` only if `s` is the canonical decimal form of it.
    #[inline]
    pub fn eq_bytes(&self, s: &[u8]) -> bool {
        match *self {
            LpVal::Str(x) => x == s,
            LpVal::Int(v) => lp_string_to_int64(s) == Some(v),
        }
    }

    /// Calls `f` with the string form of the element (integers are formatted
    /// into a stack buffer, no allocation).
    #[inline]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match *self {
            LpVal::Str(s) => f(s),
            LpVal::Int(v) => {
                let mut b = [0u8; 20];
                f(fmt_i64(v, &mut b))
            }
        }
    }

    /// Appends the string form of the element to `out`.
    #[inline]
    pub fn write_to(&self, out: &mut Vec<u8>) {
        self.with_bytes(|s| out.extend_from_slice(s))
    }

    /// The string form of the element as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.write_to(&mut v);
        v
    }

    /// Length of the string form of the element.
    pub fn str_len(&self) -> usize {
        self.with_bytes(|s| s.len())
    }

    /// Integer value: `Int` as is, `Str` only if it is a canonical integer
    /// (lpStringToInt64 rules).
    #[inline]
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            LpVal::Int(v) => Some(v),
            LpVal::Str(s) => lp_string_to_int64(s),
        }
    }

    /// Byte-wise comparison of the string form with `s` (memcmp order, then
    /// length), as used by lexicographic ranges.
    pub fn cmp_bytes(&self, s: &[u8]) -> std::cmp::Ordering {
        self.with_bytes(|x| x.cmp(s))
    }
}

/// lpStringToInt64: parses `s` only if it is the canonical decimal form of an
/// i64 (no sign '+', no leading zeros, no "-0", no spaces, at most 20 chars).
#[inline]
pub fn lp_string_to_int64(s: &[u8]) -> Option<i64> {
    // LONG_STR_SIZE is 21: anything that long cannot be an i64.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s.len() == 1 && s[0] == b'0' {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let first = *digits.first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        if v > i64::MAX as u64 {
            return None;
        }
        Some(v as i64)
    }
}

/// Number of bytes the backlen of an entry of `l` encoded bytes takes.
/// (Redis's odd `<` bounds are kept: they decide the bytes we produce.)
#[inline]
fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2097151 {
        3
    } else if l < 268435455 {
        4
    } else {
        5
    }
}

/// lpEncodeBacklen: writes the backlen of `l` into `out`, returns its size.
#[inline]
fn encode_backlen(out: &mut [u8; 5], l: usize) -> usize {
    let n = backlen_size(l);
    // Most significant group first (no continuation bit), then lower groups
    // each with bit 7 set; the last byte holds the lowest 7 bits.
    for (i, slot) in out.iter_mut().enumerate().take(n) {
        let shift = 7 * (n - 1 - i);
        let group = ((l >> shift) & 127) as u8;
        *slot = if i == 0 {
            ((l >> shift) & 0xFF) as u8
        } else {
            group | 128
        };
    }
    n
}

/// lpDecodeBacklen: reads a backlen whose last byte is at `end`, walking left.
/// None if more than 5 bytes would be needed or the start of `buf` is hit.
#[inline]
fn decode_backlen(buf: &[u8], end: usize) -> Option<usize> {
    let mut val: usize = 0;
    let mut shift = 0;
    let mut p = end;
    loop {
        let b = *buf.get(p)?;
        val |= ((b & 127) as usize) << shift;
        if b & 128 == 0 {
            return Some(val);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
        p = p.checked_sub(1)?;
    }
}

#[inline]
fn read_u32_le(buf: &[u8], off: usize) -> Option<u32> {
    let b = buf.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Bytes used by the encoding type + length header of the entry at `off`
/// (lpCurrentEncodedSizeBytes); 0 for an invalid encoding byte.
#[inline]
fn enc_header_size(b: u8) -> usize {
    match b {
        0x00..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0 => 5,
        0xF1..=0xF4 => 1,
        0xFF => 1,
        _ => 0,
    }
}

/// Size of encoding+data of the entry at `off` (lpCurrentEncodedSizeUnsafe,
/// but reading the length bytes with bounds checks). None on an invalid
/// encoding, the end marker, or a header that runs off the buffer.
#[inline]
fn enc_size(buf: &[u8], off: usize) -> Option<usize> {
    let b = *buf.get(off)?;
    Some(match b {
        0x00..=0x7F => 1,
        0x80..=0xBF => 1 + (b & 0x3F) as usize,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 2 + ((((b & 0x0F) as usize) << 8) | *buf.get(off + 1)? as usize),
        0xF0 => 5 + read_u32_le(buf, off + 1)? as usize,
        0xF1 => 3,
        0xF2 => 4,
        0xF3 => 5,
        0xF4 => 9,
        _ => return None,
    })
}

/// Total size (encoding+data+backlen) of the entry at `off`, only if the
/// whole entry lies before the last byte of the buffer (the end marker).
#[inline]
fn entry_total(buf: &[u8], off: usize) -> Option<usize> {
    let enc = enc_size(buf, off)?;
    let total = enc + backlen_size(enc);
    if off.checked_add(total)? < buf.len() {
        Some(total)
    } else {
        None
    }
}

/// Decodes the entry at `off`: its value and the size of encoding+data.
#[inline]
fn decode(buf: &[u8], off: usize) -> Option<(LpVal<'_>, usize)> {
    let b = *buf.get(off)?;
    match b {
        0x00..=0x7F => Some((LpVal::Int(b as i64), 1)),
        0x80..=0xBF => {
            let len = (b & 0x3F) as usize;
            let s = buf.get(off + 1..off + 1 + len)?;
            Some((LpVal::Str(s), 1 + len))
        }
        0xC0..=0xDF => {
            let u = (((b & 0x1F) as i64) << 8) | *buf.get(off + 1)? as i64;
            let v = if u >= 1 << 12 { u - (1 << 13) } else { u };
            Some((LpVal::Int(v), 2))
        }
        0xE0..=0xEF => {
            let len = (((b & 0x0F) as usize) << 8) | *buf.get(off + 1)? as usize;
            let s = buf.get(off + 2..off + 2 + len)?;
            Some((LpVal::Str(s), 2 + len))
        }
        0xF0 => {
            let len = read_u32_le(buf, off + 1)? as usize;
            let s = buf.get(off + 5..(off + 5).checked_add(len)?)?;
            Some((LpVal::Str(s), 5 + len))
        }
        0xF1 => {
            let d = buf.get(off + 1..off + 3)?;
            Some((LpVal::Int(i16::from_le_bytes([d[0], d[1]]) as i64), 3))
        }
        0xF2 => {
            let d = buf.get(off + 1..off + 4)?;
            let u = (d[0] as i64) | (d[1] as i64) << 8 | (d[2] as i64) << 16;
            let v = if u >= 1 << 23 { u - (1 << 24) } else { u };
            Some((LpVal::Int(v), 4))
        }
        0xF3 => {
            let d = buf.get(off + 1..off + 5)?;
            Some((
                LpVal::Int(i32::from_le_bytes([d[0], d[1], d[2], d[3]]) as i64),
                5,
            ))
        }
        0xF4 => {
            let d = buf.get(off + 1..off + 9)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(d);
            Some((LpVal::Int(i64::from_le_bytes(a)), 9))
        }
        _ => None,
    }
}

/// lpGet on a raw, possibly corrupt blob: never fails, mimics Redis's
/// fallbacks (see `Listpack::get`).
#[inline]
pub fn get_lenient(buf: &[u8], off: usize) -> LpVal<'_> {
    match decode(buf, off) {
        Some((v, _)) => v,
        None => match buf.get(off) {
            Some(&b) if enc_header_size(b) == 0 => LpVal::Int(LP_BAD_ENCODING_BASE + b as i64),
            _ => LpVal::Str(&[]),
        },
    }
}

/// An encoded element ready to be written: header bytes (or the whole
/// integer encoding) plus the string payload.
struct Encoded<'a> {
    hdr: [u8; 9],
    hdr_len: usize,
    data: &'a [u8],
}

impl<'a> Encoded<'a> {
    #[inline]
    fn len(&self) -> usize {
        self.hdr_len + self.data.len()
    }

    /// lpEncodeIntegerGetType.
    #[inline]
    fn int(v: i64) -> Encoded<'static> {
        let mut hdr = [0u8; 9];
        let hdr_len;
        if (0..=127).contains(&v) {
            hdr[0] = v as u8;
            hdr_len = 1;
        } else if (-4096..=4095).contains(&v) {
            let u = if v < 0 { (1i64 << 13) + v } else { v };
            hdr[0] = ((u >> 8) as u8) | 0xC0;
            hdr[1] = (u & 0xFF) as u8;
            hdr_len = 2;
        } else if (-32768..=32767).contains(&v) {
            hdr[0] = 0xF1;
            hdr[1..3].copy_from_slice(&(v as i16).to_le_bytes());
            hdr_len = 3;
        } else if (-8388608..=8388607).contains(&v) {
            hdr[0] = 0xF2;
            hdr[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
            hdr_len = 4;
        } else if (-2147483648..=2147483647).contains(&v) {
            hdr[0] = 0xF3;
            hdr[1..5].copy_from_slice(&(v as i32).to_le_bytes());
            hdr_len = 5;
        } else {
            hdr[0] = 0xF4;
            hdr[1..9].copy_from_slice(&v.to_le_bytes());
            hdr_len = 9;
        }
        Encoded {
            hdr,
            hdr_len,
            data: &[],
        }
    }

    /// lpEncodeGetType + lpEncodeString: integers when canonical, else string.
    /// None if the string is too long for a listpack (>= 4GB).
    #[inline]
    fn value(s: &'a [u8]) -> Option<Encoded<'a>> {
        if let Some(v) = lp_string_to_int64(s) {
            return Some(Encoded::int(v));
        }
        let len = s.len();
        let mut hdr = [0u8; 9];
        let hdr_len;
        if len < 64 {
            hdr[0] = 0x80 | len as u8;
            hdr_len = 1;
        } else if len < 4096 {
            hdr[0] = 0xE0 | (len >> 8) as u8;
            hdr[1] = (len & 0xFF) as u8;
            hdr_len = 2;
        } else {
            let l32 = u32::try_from(len).ok()?;
            hdr[0] = 0xF0;
            hdr[1..5].copy_from_slice(&l32.to_le_bytes());
            hdr_len = 5;
        }
        Some(Encoded {
            hdr,
            hdr_len,
            data: s,
        })
    }
}

/// lpSafeToAdd for a listpack of `cur_bytes` bytes (0 for "no listpack yet").
#[inline]
pub fn safe_to_add_bytes(cur_bytes: usize, add: usize) -> bool {
    cur_bytes.saturating_add(add) <= LISTPACK_MAX_SAFETY_SIZE
}

/// A listpack in Redis's exact byte layout.
///
/// Invariant: `buf.len() >= 7`, the header's total equals `buf.len()` and the
/// last byte is `LP_EOF` (established by `new`/`from_bytes`, kept by every
/// mutation). Entries themselves are only trusted after `validate(.., true)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Forward iterator over the elements of a listpack.
pub struct Iter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpVal<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpVal<'a>> {
        let b = *self.buf.get(self.off)?;
        if b == LP_EOF {
            return None;
        }
        let (v, enc) = decode(self.buf, self.off)?;
        let total = enc + backlen_size(enc);
        if self.off + total >= self.buf.len() {
            self.off = self.buf.len();
            return None;
        }
        self.off += total;
        Some(v)
    }
}

/// Backward iterator over the elements of a listpack (last to first).
pub struct RevIter<'a> {
    lp: &'a Listpack,
    off: Option<usize>,
}

impl<'a> Iterator for RevIter<'a> {
    type Item = LpVal<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpVal<'a>> {
        let off = self.off?;
        self.off = self.lp.prev(off);
        Some(self.lp.get(off))
    }
}

/// Hash-set key identifying a field the way Redis's duplicate check does
/// (integer entries compare equal to their canonical string form).
#[derive(Hash, PartialEq, Eq)]
enum FieldKey<'a> {
    Int(i64),
    Str(&'a [u8]),
}

fn field_key(v: LpVal<'_>) -> FieldKey<'_> {
    match v {
        LpVal::Int(i) => FieldKey::Int(i),
        LpVal::Str(s) => match lp_string_to_int64(s) {
            Some(i) => FieldKey::Int(i),
            None => FieldKey::Str(s),
        },
    }
}

/// Set of hash fields / zset members for the duplicate checks of the RDB
/// loaders: an integer element and its canonical string form are the same
/// field (Redis compares the string forms). No allocation per field.
pub struct FieldSet<'a> {
    set: HashSet<FieldKey<'a>>,
}

impl<'a> FieldSet<'a> {
    /// Empty set sized for about `n` fields (capped, as `n` may come from a
    /// corrupt header).
    pub fn with_capacity(n: usize) -> FieldSet<'a> {
        FieldSet {
            set: HashSet::with_capacity(n.min(4096)),
        }
    }

    /// Adds a field; false if it was already present.
    #[inline]
    pub fn insert(&mut self, v: LpVal<'a>) -> bool {
        self.set.insert(field_key(v))
    }
}

/// lpValidateNext on a raw listpack blob: checks that the entry at `p` lies
/// inside the listpack and that its backlen matches its size; returns the
/// offset of the following entry (or of the end marker). For callers that
/// walk a blob themselves while validating (e.g. stream listpacks).
#[inline]
pub fn validate_next(buf: &[u8], p: usize) -> Option<usize> {
    let last = buf.len().checked_sub(1)?;
    if p < LP_HDR_SIZE || p > last {
        return None;
    }
    let b = buf[p];
    let lenbytes = enc_header_size(b);
    if lenbytes == 0 || p + lenbytes > last {
        return None;
    }
    let enc = enc_size(buf, p)?;
    let bl = backlen_size(enc);
    let entrylen = enc + bl;
    let next = p.checked_add(entrylen)?;
    if next > last {
        return None;
    }
    if decode_backlen(buf, next - 1)? != enc {
        return None;
    }
    Some(next)
}

impl Listpack {
    /// lpNew: an empty listpack (7 bytes).
    pub fn new() -> Listpack {
        Listpack::with_capacity(LP_HDR_SIZE + 1)
    }

    /// lpNew(capacity): an empty listpack with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Listpack {
        let mut buf = Vec::with_capacity(cap.max(LP_HDR_SIZE + 1));
        buf.extend_from_slice(&[7, 0, 0, 0, 0, 0, LP_EOF]);
        Listpack { buf }
    }

    /// Adopts a raw listpack blob (e.g. from RDB / RESTORE). Only the cheap
    /// header checks of `validate(.., false)` are done (size field equals the
    /// length, end marker present); call `validate(.., true)` first when the
    /// entries must be trusted.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Listpack> {
        if Listpack::validate(&bytes, false) {
            Some(Listpack { buf: bytes })
        } else {
            None
        }
    }

    /// lpValidateIntegrity: with `deep == false` checks only the header
    /// (at least 7 bytes, total-bytes field == `bytes.len()`, last byte 0xFF);
    /// with `deep` also walks every entry (bounds, encodings, backlen
    /// consistency, end marker position, element count unless 65535).
    pub fn validate(bytes: &[u8], deep: bool) -> bool {
        Listpack::validate_with(bytes, deep, |_| true)
    }

    /// `validate` that also hands every entry to `cb` (deep mode only); a
    /// `false` from `cb` fails the validation (lpValidateIntegrity's entry_cb).
    pub fn validate_with<'a, F: FnMut(LpVal<'a>) -> bool>(
        bytes: &'a [u8],
        deep: bool,
        mut cb: F,
    ) -> bool {
        if bytes.len() < LP_HDR_SIZE + 1 {
            return false;
        }
        if read_u32_le(bytes, 0).map(|t| t as usize) != Some(bytes.len()) {
            return false;
        }
        let last = bytes.len() - 1;
        if bytes[last] != LP_EOF {
            return false;
        }
        if !deep {
            return true;
        }
        let numele = u16::from_le_bytes([bytes[4], bytes[5]]);
        let mut count: u32 = 0;
        let mut p = LP_HDR_SIZE;
        while bytes[p] != LP_EOF {
            let next = match validate_next(bytes, p) {
                Some(n) => n,
                None => return false,
            };
            if !cb(get_lenient(bytes, p)) {
                return false;
            }
            count += 1;
            p = next;
        }
        if p != last {
            return false;
        }
        numele == LP_HDR_NUMELE_UNKNOWN || numele as u32 == count
    }

    /// rdb.c lpPairsValidateIntegrityAndDups: `validate`, and in deep mode
    /// also an even number of entries and no duplicate field (even entry);
    /// an integer field and its canonical string form count as duplicates.
    pub fn validate_pairs_no_dups(bytes: &[u8], deep: bool) -> bool {
        if !deep {
            return Listpack::validate(bytes, false);
        }
        let head = if bytes.len() >= LP_HDR_SIZE {
            u16::from_le_bytes([bytes[4], bytes[5]]) as usize
        } else {
            0
        };
        let mut seen = FieldSet::with_capacity(head / 2);
        let mut count = 0usize;
        let ok = Listpack::validate_with(bytes, true, |v| {
            let even = count & 1 == 0;
            count += 1;
            !even || seen.insert(v)
        });
        ok && count & 1 == 0
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

    /// lpBytes: total size in bytes.
    #[inline]
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes held (capacity), for memory accounting.
    pub fn alloc_size(&self) -> usize {
        self.buf.capacity()
    }

    /// lpShrinkToFit.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    /// lpSafeToAdd: true if adding `add` bytes keeps the listpack <= 1GB.
    #[inline]
    pub fn safe_to_add(&self, add: usize) -> bool {
        safe_to_add_bytes(self.buf.len(), add)
    }

    /// Raw element count from the header (65535 = unknown).
    #[inline]
    pub fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    #[inline]
    fn set_header_count(&mut self, n: u16) {
        self.buf[4..6].copy_from_slice(&n.to_le_bytes());
    }

    #[inline]
    fn set_total_bytes(&mut self) {
        let t = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&t.to_le_bytes());
    }

    /// lpLength: number of elements (scans when the header says unknown;
    /// unlike Redis the header is not updated, as this takes `&self`).
    #[inline]
    pub fn len(&self) -> usize {
        let n = self.header_count();
        if n != LP_HDR_NUMELE_UNKNOWN {
            return n as usize;
        }
        let mut count = 0;
        let mut p = self.first();
        while let Some(off) = p {
            count += 1;
            p = self.next(off);
        }
        count
    }

    /// True when there is no element.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.get(LP_HDR_SIZE).is_none_or(|&b| b == LP_EOF)
    }

    /// lpFirst: offset of the first element.
    #[inline]
    pub fn first(&self) -> Option<usize> {
        match self.buf.get(LP_HDR_SIZE) {
            Some(&b) if b != LP_EOF => Some(LP_HDR_SIZE),
            _ => None,
        }
    }

    /// lpLast: offset of the last element.
    #[inline]
    pub fn last(&self) -> Option<usize> {
        self.prev(self.buf.len() - 1)
    }

    /// lpNext: offset of the element after the one at `off`.
    #[inline]
    pub fn next(&self, off: usize) -> Option<usize> {
        let n = off + entry_total(&self.buf, off)?;
        if self.buf[n] == LP_EOF {
            None
        } else {
            Some(n)
        }
    }

    /// lpPrev: offset of the element before the one at `off` (`off` may also
    /// be the end marker's offset).
    #[inline]
    pub fn prev(&self, off: usize) -> Option<usize> {
        if off <= LP_HDR_SIZE || off >= self.buf.len() {
            return None;
        }
        let prevlen = decode_backlen(&self.buf, off - 1)?;
        let total = prevlen + backlen_size(prevlen);
        let p = off.checked_sub(total)?;
        if p < LP_HDR_SIZE {
            None
        } else {
            Some(p)
        }
    }

    /// lpGet: the element at `off`. On a corrupt entry returns what Redis
    /// would (12345678900000000 + byte for an unknown encoding) or an empty
    /// string for an entry running off the buffer.
    #[inline]
    pub fn get(&self, off: usize) -> LpVal<'_> {
        get_lenient(&self.buf, off)
    }

    /// The element at `off` and the offset of the next one, in one decode.
    #[inline]
    pub fn get_next(&self, off: usize) -> (LpVal<'_>, Option<usize>) {
        match decode(&self.buf, off) {
            Some((v, enc)) => {
                let n = off + enc + backlen_size(enc);
                let next = match self.buf.get(n) {
                    Some(&b) if b != LP_EOF && n < self.buf.len() - 1 => Some(n),
                    _ => None,
                };
                (v, next)
            }
            None => (self.get(off), None),
        }
    }

    /// Forward iterator over all elements.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            off: LP_HDR_SIZE,
        }
    }

    /// Forward iterator starting at the element at `off`.
    pub fn iter_from(&self, off: usize) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            off,
        }
    }

    /// Backward iterator from the last element.
    pub fn iter_rev(&self) -> RevIter<'_> {
        RevIter {
            lp: self,
            off: self.last(),
        }
    }

    /// lpSeek: offset of the element at `index` (negative counts from the
    /// tail, -1 = last); walks from the nearer end when the count is known.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let numele = self.header_count();
        let mut index = index;
        let mut forward = true;
        if numele != LP_HDR_NUMELE_UNKNOWN {
            let n = numele as i64;
            if index < 0 {
                index += n;
            }
            if index < 0 || index >= n {
                return None;
            }
            if index > n / 2 {
                forward = false;
                index -= n;
            }
        } else if index < 0 {
            forward = false;
        }
        if forward {
            let mut ele = self.first();
            while index > 0 {
                ele = self.next(ele?);
                index -= 1;
            }
            ele
        } else {
            let mut ele = self.last();
            while index < -1 {
                ele = self.prev(ele?);
                index += 1;
            }
            ele
        }
    }

    /// lpFind: from the element at `start`, compares every (skip+1)-th element
    /// with `s` (string equality, or integer equality if `s` is a canonical
    /// integer) and returns the offset of the first match. `skip` = 1 walks
    /// the fields of a field/value listpack.
    #[inline]
    pub fn find(&self, start: usize, s: &[u8], skip: usize) -> Option<usize> {
        let buf = &self.buf[..];
        let end = buf.len() - 1;
        let mut p = start;
        let mut skipcnt = 0usize;
        // Integer form of `s`, computed the first time an int entry is met.
        let mut sint: Option<Option<i64>> = None;
        loop {
            if p >= end || buf[p] == LP_EOF {
                return None;
            }
            if skipcnt == 0 {
                let b = buf[p];
                if b & 0xC0 == 0x80 {
                    // Fast path: short string (the common field shape);
                    // its backlen is always 1 byte.
                    let len = (b & 0x3F) as usize;
                    if len == s.len() && buf.get(p + 1..p + 1 + len) == Some(s) {
                        return Some(p);
                    }
                    skipcnt = skip;
                    p += len + 2;
                    continue;
                }
                let (v, enc) = decode(buf, p)?;
                match v {
                    LpVal::Str(x) => {
                        if x == s {
                            return Some(p);
                        }
                    }
                    LpVal::Int(i) => {
                        let si = *sint.get_or_insert_with(|| {
                            if s.len() >= 32 {
                                None
                            } else {
                                lp_string_to_int64(s)
                            }
                        });
                        if si == Some(i) {
                            return Some(p);
                        }
                    }
                }
                skipcnt = skip;
                p += enc + backlen_size(enc);
            } else {
                skipcnt -= 1;
                p += entry_total(buf, p)?;
            }
        }
    }

    /// `find(first, field, 1)`: offset of the field `field` in a
    /// field/value listpack (the value is at `next(off)`).
    #[inline]
    pub fn find_field(&self, field: &[u8]) -> Option<usize> {
        self.find(self.first()?, field, 1)
    }

    /// lpInsert core. Writes `enc` at `off` (before the entry there), or
    /// replaces the entry at `off` if `replace`; `enc == None` deletes it.
    /// Returns the offset where the new element starts (or, for deletes, the
    /// offset of the element that now follows). None if `off` is not usable
    /// or the listpack would exceed 4GB.
    fn splice_at(&mut self, off: usize, enc: Option<&Encoded<'_>>, replace: bool) -> Option<usize> {
        let old_len = self.buf.len();
        if off < LP_HDR_SIZE || off >= old_len {
            return None;
        }
        let replaced = if replace {
            entry_total(&self.buf, off)?
        } else {
            0
        };
        let mut backlen = [0u8; 5];
        let (enclen, bl) = match enc {
            Some(e) => {
                let l = e.len();
                (l, encode_backlen(&mut backlen, l))
            }
            None => (0, 0),
        };
        let new_entry = enclen + bl;
        let new_len = old_len - replaced + new_entry;
        if new_len > u32::MAX as usize {
            return None;
        }
        let tail_from = off + replaced;
        if new_entry > replaced {
            self.buf.reserve_exact(new_entry - replaced);
            self.buf.resize(new_len, 0);
            self.buf.copy_within(tail_from..old_len, off + new_entry);
        } else if new_entry < replaced {
            self.buf.copy_within(tail_from..old_len, off + new_entry);
            self.buf.truncate(new_len);
            let cap = self.buf.capacity();
            if cap > new_len + new_len / 8 + 64 {
                self.buf.shrink_to_fit();
            }
        }
        if let Some(e) = enc {
            let mut w = off;
            self.buf[w..w + e.hdr_len].copy_from_slice(&e.hdr[..e.hdr_len]);
            w += e.hdr_len;
            self.buf[w..w + e.data.len()].copy_from_slice(e.data);
            w += e.data.len();
            self.buf[w..w + bl].copy_from_slice(&backlen[..bl]);
        }
        if !replace || enc.is_none() {
            let n = self.header_count();
            if n != LP_HDR_NUMELE_UNKNOWN {
                let n = if enc.is_some() {
                    n.wrapping_add(1)
                } else {
                    n.wrapping_sub(1)
                };
                self.set_header_count(n);
            }
        }
        self.set_total_bytes();
        Some(off)
    }

    #[inline]
    fn eof_off(&self) -> usize {
        self.buf.len() - 1
    }

    /// Position for an insertion relative to the element at `off`.
    #[inline]
    fn insert_pos(&self, off: usize, where_: Where) -> Option<usize> {
        match where_ {
            Where::Before => Some(off),
            Where::After => Some(off + entry_total(&self.buf, off)?),
        }
    }

    /// lpInsertString: inserts `s` before/after the element at `off` (for
    /// `Before`, `off` may be the end marker's offset = append). Returns the
    /// new element's offset.
    pub fn insert(&mut self, off: usize, s: &[u8], where_: Where) -> Option<usize> {
        let pos = self.insert_pos(off, where_)?;
        let e = Encoded::value(s)?;
        self.splice_at(pos, Some(&e), false)
    }

    /// lpInsertInteger.
    pub fn insert_int(&mut self, off: usize, v: i64, where_: Where) -> Option<usize> {
        let pos = self.insert_pos(off, where_)?;
        self.splice_at(pos, Some(&Encoded::int(v)), false)
    }

    /// lpAppend. False (nothing done) if the listpack would exceed 4GB.
    #[inline]
    pub fn append(&mut self, s: &[u8]) -> bool {
        match Encoded::value(s) {
            Some(e) => self.splice_at(self.eof_off(), Some(&e), false).is_some(),
            None => false,
        }
    }

    /// lpAppendInteger.
    #[inline]
    pub fn append_int(&mut self, v: i64) -> bool {
        self.splice_at(self.eof_off(), Some(&Encoded::int(v)), false)
            .is_some()
    }

    /// Appends an element keeping its kind (ints via lpAppendInteger,
    /// strings via lpAppend), as the RDB ziplist/zipmap converters do.
    #[inline]
    pub fn append_val(&mut self, v: LpVal<'_>) -> bool {
        match v {
            LpVal::Int(i) => self.append_int(i),
            LpVal::Str(s) => self.append(s),
        }
    }

    /// lpPrepend.
    pub fn prepend(&mut self, s: &[u8]) -> bool {
        match Encoded::value(s) {
            Some(e) => self.splice_at(LP_HDR_SIZE, Some(&e), false).is_some(),
            None => false,
        }
    }

    /// lpPrependInteger.
    pub fn prepend_int(&mut self, v: i64) -> bool {
        self.splice_at(LP_HDR_SIZE, Some(&Encoded::int(v)), false)
            .is_some()
    }

    /// lpReplace: replaces the element at `off` with `s`; returns `off`.
    pub fn replace(&mut self, off: usize, s: &[u8]) -> Option<usize> {
        let e = Encoded::value(s)?;
        self.splice_at(off, Some(&e), true)
    }

    /// lpReplaceInteger.
    pub fn replace_int(&mut self, off: usize, v: i64) -> Option<usize> {
        self.splice_at(off, Some(&Encoded::int(v)), true)
    }

    /// lpDelete: removes the element at `off`; returns the offset of the
    /// element that followed it (None if it was the last, or `off` invalid).
    pub fn delete(&mut self, off: usize) -> Option<usize> {
        let p = self.splice_at(off, None, true)?;
        if self.buf[p] == LP_EOF {
            None
        } else {
            Some(p)
        }
    }

    /// lpDeleteRangeWithEntry: removes up to `num` elements starting with the
    /// one at `off`; returns the offset of the element now at `off`, if any.
    pub fn delete_range_at(&mut self, off: usize, num: usize) -> Option<usize> {
        if num == 0 {
            return Some(off);
        }
        let len = self.buf.len();
        if off < LP_HDR_SIZE || off >= len - 1 {
            return None;
        }
        let mut tail = off;
        let mut deleted: u32 = 0;
        let mut left = num;
        while left > 0 {
            match entry_total(&self.buf, tail) {
                Some(t) => tail += t,
                None => break,
            }
            deleted += 1;
            left -= 1;
            if self.buf[tail] == LP_EOF {
                break;
            }
        }
        self.buf.copy_within(tail..len, off);
        self.buf.truncate(len - (tail - off));
        let n = self.header_count();
        if n != LP_HDR_NUMELE_UNKNOWN {
            self.set_header_count(n.wrapping_sub(deleted as u16));
        }
        self.set_total_bytes();
        self.buf.shrink_to_fit();
        if self.buf[off] == LP_EOF {
            None
        } else {
            Some(off)
        }
    }

    /// lpDeleteRange: removes `num` elements starting at `index` (negative
    /// from the tail). Out-of-range index: nothing happens.
    pub fn delete_range(&mut self, index: i64, num: usize) {
        if num == 0 {
            return;
        }
        let p = match self.seek(index) {
            Some(p) => p,
            None => return,
        };
        let numele = self.header_count();
        if numele != LP_HDR_NUMELE_UNKNOWN {
            let idx = if index < 0 {
                numele as i64 + index
            } else {
                index
            };
            if (numele as i64 - idx) as u64 <= num as u64 {
                // Everything from p to the end goes: just move the end marker.
                self.buf[p] = LP_EOF;
                self.buf.truncate(p + 1);
                self.set_total_bytes();
                self.set_header_count(idx as u16);
                self.buf.shrink_to_fit();
                return;
            }
        }
        self.delete_range_at(p, num);
    }

    /// lpMerge: appends all elements of `other` to `self`. The element count
    /// becomes the sum (65535 if it does not fit). False if the result would
    /// not fit in 4GB.
    pub fn merge(&mut self, other: &Listpack) -> bool {
        let total = self.buf.len() + other.buf.len() - LP_HDR_SIZE - 1;
        if total >= u32::MAX as usize {
            return false;
        }
        let count = (self.len() + other.len()).min(LP_HDR_NUMELE_UNKNOWN as usize) as u16;
        self.buf.pop();
        self.buf.reserve_exact(other.buf.len() - LP_HDR_SIZE);
        self.buf.extend_from_slice(&other.buf[LP_HDR_SIZE..]);
        self.set_header_count(count);
        self.set_total_bytes();
        true
    }

    /// Builds a listpack from string elements (lpAppend each).
    pub fn from_strs<'b, I: IntoIterator<Item = &'b [u8]>>(items: I) -> Listpack {
        let mut lp = Listpack::new();
        for s in items {
            lp.append(s);
        }
        lp
    }
}

#[cfg(test)]
pub(crate) mod tests {
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

    /// Reads an RDB length (rdbLoadLen) at `*i`.
    fn rdb_len(d: &[u8], i: &mut usize) -> usize {
        let b = d[*i];
        match b >> 6 {
            0 => {
                *i += 1;
                (b & 63) as usize
            }
            1 => {
                *i += 2;
                (((b & 63) as usize) << 8) | d[*i - 1] as usize
            }
            _ if b == 0x80 => {
                *i += 5;
                u32::from_be_bytes([d[*i - 4], d[*i - 3], d[*i - 2], d[*i - 1]]) as usize
            }
            _ => panic!("unexpected rdb len {b:#x}"),
        }
    }

    /// Extracts the listpack(s) from a DUMP payload of a hash/zset listpack
    /// (types 16/17) or a quicklist2 list (type 18).
    pub(crate) fn dump_blobs(d: &[u8]) -> (u8, Vec<Vec<u8>>) {
        let t = d[0];
        let mut i = 1;
        let mut out = vec![];
        let n = if t == 18 { rdb_len(d, &mut i) } else { 1 };
        for _ in 0..n {
            if t == 18 {
                assert_eq!(rdb_len(d, &mut i), 2, "packed container");
            }
            let l = rdb_len(d, &mut i);
            out.push(d[i..i + l].to_vec());
            i += l;
        }
        // 2 bytes RDB version (10) + 8 bytes CRC64.
        assert_eq!(&d[i..i + 2], &[10, 0]);
        assert_eq!(d.len(), i + 10);
        (t, out)
    }

    fn vals(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|v| v.to_vec()).collect()
    }

    // DUMP outputs of Redis 7.0.15 (rdbcompression no).
    const DUMP_HASH: &str = "102323000000060081610201018162028568656c6c6f06816302f4cb04fb711f01000009ff0a00d95aca56c91c9e1f";
    const DUMP_ZSET: &str = "1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7";
    const DUMP_LIST: &str = "120102101000000003000101020183666f6f04ff0a009b2ef832b050b663";
    // The listpack of `RPUSH lw <all NUMS below>` (from its DUMP).
    const LP_NUMS: &str = "d4000000200000017f01c08002dfff02d00002cfff02f1001003f1ffef03f1008003f1ff7f03f200800004f2ff7fff04f200008004f2ffff7f04f30000800005f3ffff7fff05f30000008005f3ffffff7f05f4000000800000000009f4ffffff7fffffffff09f4000000000000008009f4ffffffffffffff7f09933932323333373230333638353437373538303814942d393232333337323033363835343737353830391582303103822d3003822b3103822031038001812d0294313233343536373839303132333435363738393015dff402ff";
    const NUMS: &[&str] = &[
        "0",
        "127",
        "128",
        "-1",
        "-4096",
        "4095",
        "4096",
        "-4097",
        "-32768",
        "32767",
        "32768",
        "-32769",
        "-8388608",
        "8388607",
        "8388608",
        "-8388609",
        "-2147483648",
        "2147483647",
        "2147483648",
        "-2147483649",
        "-9223372036854775808",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "01",
        "-0",
        "+1",
        " 1",
        "",
        "-",
        "12345678901234567890",
        "-12",
    ];

    fn fnv(d: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf29ce484222325;
        for &x in d {
            h = (h ^ x as u64).wrapping_mul(0x100000001b3);
        }
        h
    }

    #[test]
    fn golden_hash_zset_list() {
        let (t, b) = dump_blobs(&hex(DUMP_HASH));
        assert_eq!(t, 16);
        let lp = Listpack::from_strs([&b"a"[..], b"1", b"b", b"hello", b"c", b"1234567890123"]);
        assert_eq!(lp.as_bytes(), &b[0][..]);
        assert!(Listpack::validate(&b[0], true));
        assert!(Listpack::validate_pairs_no_dups(&b[0], true));

        let (t, b) = dump_blobs(&hex(DUMP_ZSET));
        assert_eq!(t, 17);
        let lp = Listpack::from_strs([&b"a"[..], b"1", b"b", b"2.5"]);
        assert_eq!(lp.as_bytes(), &b[0][..]);

        let (t, b) = dump_blobs(&hex(DUMP_LIST));
        assert_eq!(t, 18);
        let lp = Listpack::from_strs([&b"1"[..], b"2", b"foo"]);
        assert_eq!(lp.as_bytes(), &b[0][..]);
        assert_eq!(
            vals(&lp),
            vec![b"1".to_vec(), b"2".to_vec(), b"foo".to_vec()]
        );
    }

    #[test]
    fn golden_all_int_widths() {
        let blob = &hex(LP_NUMS)[..];
        let lp = Listpack::from_strs(NUMS.iter().map(|s| s.as_bytes()));
        assert_eq!(lp.as_bytes(), blob);
        assert!(Listpack::validate(blob, true));
        let got = vals(&lp);
        for (g, w) in got.iter().zip(NUMS) {
            assert_eq!(g, w.as_bytes());
        }
        assert_eq!(got.len(), NUMS.len());
        // Integer-ness of each element as Redis stores it.
        let kinds: Vec<bool> = lp.iter().map(|v| matches!(v, LpVal::Int(_))).collect();
        assert_eq!(&kinds[..22], &[true; 22][..]);
        assert_eq!(
            kinds[22..],
            [false, false, false, false, false, false, false, false, false, true]
        );
        // Same via append_int.
        let mut lp2 = Listpack::new();
        for s in &NUMS[..24] {
            if let Ok(v) = s.parse::<i64>() {
                lp2.append_int(v);
            } else {
                lp2.append(s.as_bytes());
            }
        }
        let mut lp3 = Listpack::new();
        for s in &NUMS[..24] {
            lp3.append(s.as_bytes());
        }
        assert_eq!(lp2, lp3);
    }

    #[test]
    fn golden_big_hash_strings_and_backlens() {
        // HSET big f0 NUMS[0] ... with hash-max-listpack-value 100000; Redis's
        // listpack is 41900 bytes with this FNV-1a 64 hash.
        let strs: Vec<Vec<u8>> = [
            ("a", 63),
            ("b", 64),
            ("c", 4095),
            ("d", 4096),
            ("f", 16377),
            ("g", 16378),
            ("h", 125),
            ("i", 126),
            ("j", 127),
        ]
        .iter()
        .map(|(c, n)| c.as_bytes().repeat(*n))
        .collect();
        let mut all: Vec<Vec<u8>> = NUMS.iter().map(|s| s.as_bytes().to_vec()).collect();
        all.extend(strs);
        let mut lp = Listpack::new();
        for (i, v) in all.iter().enumerate() {
            lp.append(format!("f{i}").as_bytes());
            lp.append(v);
        }
        assert_eq!(lp.bytes(), 41900);
        assert_eq!(fnv(lp.as_bytes()), 0xe4c6efa69986b828);
        assert!(Listpack::validate(lp.as_bytes(), true));
        assert!(Listpack::validate_pairs_no_dups(lp.as_bytes(), true));
        // Backward walk returns the same elements.
        let mut rev: Vec<Vec<u8>> = lp.iter_rev().map(|v| v.to_vec()).collect();
        rev.reverse();
        assert_eq!(rev, vals(&lp));
        // Field lookup.
        for (i, v) in all.iter().enumerate() {
            let off = lp.find_field(format!("f{i}").as_bytes()).unwrap();
            let voff = lp.next(off).unwrap();
            assert!(lp.get(voff).eq_bytes(v));
        }
        assert_eq!(lp.find_field(b"nope"), None);
    }

    #[test]
    fn string_to_int64_rules() {
        assert_eq!(lp_string_to_int64(b"0"), Some(0));
        assert_eq!(lp_string_to_int64(b"-1"), Some(-1));
        assert_eq!(lp_string_to_int64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(lp_string_to_int64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"1a",
            b"18446744073709551616",
        ] {
            assert_eq!(lp_string_to_int64(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn backlen_roundtrip() {
        for l in [
            0usize,
            1,
            127,
            128,
            16382,
            16383,
            16384,
            2097150,
            2097151,
            268435454,
            268435455,
            1 << 30,
        ] {
            let mut b = [0u8; 5];
            let n = encode_backlen(&mut b, l);
            assert_eq!(n, backlen_size(l));
            assert_eq!(decode_backlen(&b[..n], n - 1), Some(l), "l={l}");
        }
        assert_eq!(backlen_size(16383), 3);
    }

    #[test]
    fn navigation_and_seek() {
        let lp =
            Listpack::from_strs((0..10).map(|i| ["a", "bb", "12", "-5000", "x"][i % 5].as_bytes()));
        assert_eq!(lp.len(), 10);
        for i in 0..10i64 {
            let a = lp.seek(i).unwrap();
            let b = lp.seek(i - 10).unwrap();
            assert_eq!(a, b);
            let expect = ["a", "bb", "12", "-5000", "x"][i as usize % 5];
            assert!(lp.get(a).eq_bytes(expect.as_bytes()));
        }
        assert_eq!(lp.seek(10), None);
        assert_eq!(lp.seek(-11), None);
        assert_eq!(lp.prev(lp.first().unwrap()), None);
        assert_eq!(lp.next(lp.last().unwrap()), None);
        let (v, n) = lp.get_next(lp.first().unwrap());
        assert_eq!(v, LpVal::Str(b"a"));
        assert_eq!(n, lp.seek(1));
        let (_, n) = lp.get_next(lp.last().unwrap());
        assert_eq!(n, None);
        let e = Listpack::new();
        assert!(e.is_empty());
        assert_eq!(e.first(), None);
        assert_eq!(e.last(), None);
        assert_eq!(e.seek(0), None);
        assert_eq!(e.seek(-1), None);
        assert_eq!(e.iter().count(), 0);
    }

    #[test]
    fn find_with_skip_and_ints() {
        let lp = Listpack::from_strs([&b"1"[..], b"x", b"x", b"1", b"abc", b"2"]);
        let f = lp.first().unwrap();
        assert_eq!(lp.find(f, b"1", 1), Some(f));
        // value "1" (index 3) is skipped when looking at fields only
        assert_eq!(
            lp.find(lp.seek(1).unwrap(), b"1", 1),
            Some(lp.seek(3).unwrap())
        );
        assert_eq!(lp.find(f, b"x", 1), Some(lp.seek(2).unwrap()));
        assert_eq!(lp.find(f, b"2", 1), None);
        assert_eq!(lp.find(f, b"2", 0), Some(lp.seek(5).unwrap()));
        assert_eq!(lp.find(f, b"01", 0), None);
        assert_eq!(lp.find_field(b"abc"), lp.seek(4));
    }

    #[test]
    fn insert_replace_delete() {
        let mut lp = Listpack::from_strs([&b"a"[..], b"c"]);
        let c = lp.seek(1).unwrap();
        let b = lp.insert(c, b"b", Where::Before).unwrap();
        assert!(lp.get(b).eq_bytes(b"b"));
        let last = lp.last().unwrap();
        lp.insert_int(last, 42, Where::After).unwrap();
        lp.prepend(b"z");
        lp.prepend_int(-7);
        assert_eq!(
            vals(&lp),
            ["-7", "z", "a", "b", "c", "42"].map(|s| s.as_bytes().to_vec())
        );
        assert_eq!(lp.len(), 6);
        let off = lp.seek(2).unwrap();
        let big = vec![b'q'; 5000];
        assert_eq!(lp.replace(off, &big), Some(off));
        assert!(lp.get(off).eq_bytes(&big));
        lp.replace_int(off, 1 << 40).unwrap();
        assert_eq!(lp.get(off), LpVal::Int(1 << 40));
        lp.replace(off, b"a").unwrap();
        assert!(Listpack::validate(lp.as_bytes(), true));
        let n = lp.delete(lp.first().unwrap()).unwrap();
        assert_eq!(n, LP_HDR_SIZE);
        assert_eq!(lp.delete(lp.last().unwrap()), None);
        assert_eq!(
            vals(&lp),
            ["z", "a", "b", "c"].map(|s| s.as_bytes().to_vec())
        );
        assert!(Listpack::validate(lp.as_bytes(), true));
        // Deleting and re-adding equals building directly.
        assert_eq!(lp, Listpack::from_strs([&b"z"[..], b"a", b"b", b"c"]));
    }

    #[test]
    fn delete_ranges() {
        let items: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
        let mk = || Listpack::from_strs(items.iter().map(|s| s.as_bytes()));
        let check = |lp: &Listpack, want: Vec<usize>| {
            let w: Vec<Vec<u8>> = want.iter().map(|&i| items[i].as_bytes().to_vec()).collect();
            assert_eq!(vals(lp), w);
            assert_eq!(lp.len(), w.len());
            assert!(Listpack::validate(lp.as_bytes(), true));
        };
        let mut lp = mk();
        lp.delete_range(2, 3);
        check(&lp, [0, 1].into_iter().chain(5..20).collect());
        let mut lp = mk();
        lp.delete_range(-3, 10);
        check(&lp, (0..17).collect());
        let mut lp = mk();
        lp.delete_range(0, 100);
        check(&lp, vec![]);
        let mut lp = mk();
        lp.delete_range(20, 1);
        check(&lp, (0..20).collect());
        let mut lp = mk();
        let off = lp.seek(18).unwrap();
        assert_eq!(lp.delete_range_at(off, 5), None);
        check(&lp, (0..18).collect());
        let off = lp.seek(1).unwrap();
        assert_eq!(lp.delete_range_at(off, 2), Some(off));
        check(&lp, [0].into_iter().chain(3..18).collect());
    }

    #[test]
    fn merge_and_unknown_count() {
        let mut a = Listpack::from_strs([&b"1"[..], b"x"]);
        let b = Listpack::from_strs([&b"y"[..], b"2"]);
        assert!(a.merge(&b));
        assert_eq!(a, Listpack::from_strs([&b"1"[..], b"x", b"y", b"2"]));
        // 65535+ elements: header says unknown, len() scans.
        let mut lp = Listpack::new();
        for i in 0..65536 {
            lp.append_int(i % 100);
        }
        assert_eq!(lp.header_count(), LP_HDR_NUMELE_UNKNOWN);
        assert_eq!(lp.len(), 65536);
        assert!(Listpack::validate(lp.as_bytes(), true));
        assert!(lp.get(lp.seek(-1).unwrap()).eq_bytes(b"35"));
        assert!(lp.get(lp.seek(65535).unwrap()).eq_bytes(b"35"));
        lp.delete_range(0, 65000);
        assert_eq!(lp.len(), 536);
        assert!(Listpack::validate(lp.as_bytes(), true));
    }

    #[test]
    fn validation_rules() {
        let lp = Listpack::from_strs([&b"a"[..], b"1", b"b", b"hello"]);
        let good = lp.as_bytes().to_vec();
        assert!(Listpack::validate(&good, true));
        // wrong total
        let mut b = good.clone();
        b[0] += 1;
        assert!(!Listpack::validate(&b, false));
        // missing EOF
        let mut b = good.clone();
        *b.last_mut().unwrap() = 0;
        assert!(!Listpack::validate(&b, false));
        // wrong count: shallow ok, deep fails
        let mut b = good.clone();
        b[4] = 3;
        assert!(Listpack::validate(&b, false));
        assert!(!Listpack::validate(&b, true));
        // unknown count is accepted
        b[4] = 0xFF;
        b[5] = 0xFF;
        assert!(Listpack::validate(&b, true));
        // bad backlen
        let mut b = good.clone();
        b[LP_HDR_SIZE + 2] = 3;
        assert!(Listpack::validate(&b, false));
        assert!(!Listpack::validate(&b, true));
        // invalid encoding byte
        let mut b = good.clone();
        b[LP_HDR_SIZE] = 0xF7;
        assert!(!Listpack::validate(&b, true));
        assert!(!Listpack::validate(&[7, 0, 0, 0, 0, 0], false));
        assert!(Listpack::validate(&[7, 0, 0, 0, 0, 0, 0xFF], true));
        // dups / odd count
        let d = Listpack::from_strs([&b"a"[..], b"1", b"a", b"2"]);
        assert!(Listpack::validate_pairs_no_dups(d.as_bytes(), false));
        assert!(!Listpack::validate_pairs_no_dups(d.as_bytes(), true));
        let d = Listpack::from_strs([&b"a"[..], b"1", b"b"]);
        assert!(!Listpack::validate_pairs_no_dups(d.as_bytes(), true));
        // int field 12 and string field "12" (hand-made) are duplicates
        let mut d = Listpack::from_strs([&b"12"[..], b"v"]);
        let mut raw = d.as_bytes().to_vec();
        let mut extra = vec![0x82, b'1', b'2', 3, 0x81, b'w', 2];
        raw.pop();
        raw.append(&mut extra);
        raw.push(0xFF);
        let t = raw.len() as u32;
        raw[..4].copy_from_slice(&t.to_le_bytes());
        raw[4] = 4;
        assert!(Listpack::validate(&raw, true));
        assert!(!Listpack::validate_pairs_no_dups(&raw, true));
        d = Listpack::from_bytes(raw).unwrap();
        assert_eq!(d.find_field(b"12"), d.first());
    }

    #[test]
    fn lpval_helpers() {
        let mut out = Vec::new();
        LpVal::Int(i64::MIN).write_to(&mut out);
        assert_eq!(out, b"-9223372036854775808");
        assert_eq!(LpVal::Int(0).to_vec(), b"0");
        assert!(LpVal::Int(-12).eq_bytes(b"-12"));
        assert!(!LpVal::Int(12).eq_bytes(b"012"));
        assert_eq!(LpVal::Int(100).cmp_bytes(b"99"), std::cmp::Ordering::Less);
        assert_eq!(LpVal::Str(b"2.5").as_int(), None);
        assert_eq!(LpVal::Int(12345).str_len(), 5);
        assert!(safe_to_add_bytes(0, LISTPACK_MAX_SAFETY_SIZE));
        assert!(!Listpack::new().safe_to_add(LISTPACK_MAX_SAFETY_SIZE));
    }

    /// xorshift64* for deterministic fuzzing.
    pub(crate) struct Rng(pub u64);
    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545F4914F6CDD1D)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Exercise every reader on possibly corrupt bytes; must not panic/hang.
    fn poke(bytes: Vec<u8>) {
        let deep = Listpack::validate(&bytes, true);
        let _ = Listpack::validate_pairs_no_dups(&bytes, true);
        if let Some(mut lp) = Listpack::from_bytes(bytes) {
            let n = lp.iter().take(100_000).count();
            if deep {
                assert_eq!(lp.iter_rev().count(), n);
            }
            let _ = lp.iter_rev().take(100_000).count();
            let _ = lp.len();
            let _ = lp.seek(3);
            let _ = lp.seek(-2);
            if let Some(f) = lp.first() {
                let _ = lp.find(f, b"abc", 1);
                let _ = lp.find(f, b"12", 0);
                let _ = lp.get_next(f);
                let _ = lp.replace(f, b"xyz");
            }
            if let Some(l) = lp.last() {
                let _ = lp.get(l);
                let _ = lp.insert(l, b"new", Where::After);
                let _ = lp.delete(l);
            }
            lp.delete_range(1, 2);
            lp.append(b"tail");
            lp.prepend_int(5);
            assert!(Listpack::validate(lp.as_bytes(), false));
            if deep {
                assert!(Listpack::validate(lp.as_bytes(), true));
            }
        }
    }

    #[test]
    fn fuzz_random_and_mutated() {
        let start = std::time::Instant::now();
        let mut r = Rng(0x9E3779B97F4A7C15);
        let mut seeds: Vec<Vec<u8>> = vec![
            hex(DUMP_HASH)[2..37].to_vec(),
            Listpack::from_strs(NUMS.iter().map(|s| s.as_bytes())).into_bytes(),
            Listpack::from_strs([&b"a"[..], &[b'x'; 200][..], &[b'y'; 5000][..], b"-70000"])
                .into_bytes(),
        ];
        for s in &seeds {
            assert!(Listpack::validate(s, true));
        }
        let mut cases = 0;
        let mut nvalid = 0;
        while cases < FUZZ_CASES && start.elapsed().as_secs() < 20 {
            cases += 1;
            let mut b = seeds[r.below(seeds.len())].clone();
            match r.below(4) {
                0 => {
                    // pure random bytes with a plausible header
                    let n = 7 + r.below(40);
                    b = (0..n).map(|_| r.next() as u8).collect();
                    if r.below(2) == 0 {
                        let t = n as u32;
                        b[..4].copy_from_slice(&t.to_le_bytes());
                        b[n - 1] = 0xFF;
                    }
                }
                1 => {
                    for _ in 0..1 + r.below(4) {
                        let i = r.below(b.len());
                        b[i] = r.next() as u8;
                    }
                }
                2 => {
                    let i = LP_HDR_SIZE + r.below(b.len() - LP_HDR_SIZE);
                    b[i] ^= 1 << r.below(8);
                }
                _ => {
                    // truncate / extend but keep header consistent
                    let n = 7 + r.below(b.len());
                    b.truncate(n);
                    if r.below(2) == 0 {
                        b.push(r.next() as u8);
                    }
                    let l = b.len();
                    b[..4].copy_from_slice(&(l as u32).to_le_bytes());
                    b[l - 1] = 0xFF;
                }
            }
            poke(b.clone());
            let valid = Listpack::validate(&b, true);
            nvalid += valid as usize;
            if cases % 5000 == 0 && valid && b.len() < 20000 {
                seeds.push(b);
            }
        }
        assert!(cases > 10_000);
        // Both outcomes must be well represented for the fuzz to mean much.
        assert!(
            nvalid > cases / 100 && nvalid < cases * 99 / 100,
            "{nvalid}/{cases}"
        );
    }

    #[test]
    fn random_ops_against_model() {
        let mut r = Rng(12345);
        let mut lp = Listpack::new();
        let mut model: Vec<Vec<u8>> = vec![];
        let pool: Vec<Vec<u8>> = vec![
            b"0".to_vec(),
            b"-1".to_vec(),
            b"127".to_vec(),
            b"99999999999".to_vec(),
            b"x".to_vec(),
            vec![b'm'; 70],
            vec![b'L'; 4100],
            b"01".to_vec(),
            b"".to_vec(),
            b"-4096".to_vec(),
        ];
        for _ in 0..20000 {
            let v = &pool[r.below(pool.len())];
            match r.below(7) {
                0 => {
                    lp.append(v);
                    model.push(v.clone());
                }
                1 => {
                    lp.prepend(v);
                    model.insert(0, v.clone());
                }
                2 if !model.is_empty() => {
                    let i = r.below(model.len());
                    let off = lp.seek(i as i64).unwrap();
                    if r.below(2) == 0 {
                        lp.insert(off, v, Where::Before).unwrap();
                        model.insert(i, v.clone());
                    } else {
                        lp.insert(off, v, Where::After).unwrap();
                        model.insert(i + 1, v.clone());
                    }
                }
                3 if !model.is_empty() => {
                    let i = r.below(model.len());
                    let off = lp.seek(i as i64 - model.len() as i64).unwrap();
                    lp.replace(off, v).unwrap();
                    model[i] = v.clone();
                }
                4 if !model.is_empty() => {
                    let i = r.below(model.len());
                    lp.delete(lp.seek(i as i64).unwrap());
                    model.remove(i);
                }
                5 if !model.is_empty() => {
                    let i = r.below(model.len());
                    let n = r.below(4);
                    lp.delete_range(i as i64, n);
                    let end = (i + n).min(model.len());
                    model.drain(i..end);
                }
                _ => {
                    if !model.is_empty() {
                        let i = r.below(model.len());
                        let f = lp.find(lp.first().unwrap(), &model[i], 0).unwrap();
                        let j = model.iter().position(|m| m == &model[i]).unwrap();
                        assert_eq!(Some(f), lp.seek(j as i64));
                    }
                }
            }
            assert_eq!(lp.len(), model.len());
            if model.len() > 40 {
                lp.delete_range(0, 20);
                model.drain(0..20);
            }
        }
        assert!(Listpack::validate(lp.as_bytes(), true));
        assert_eq!(vals(&lp), model);
        assert_eq!(lp, Listpack::from_strs(model.iter().map(|v| &v[..])));
    }
}
