//! Bitmap commands — Redis 7.0.15's `bitops.c`: SETBIT, GETBIT, BITCOUNT,
//! BITPOS, BITOP, BITFIELD and BITFIELD_RO. Bitmaps are plain string values
//! (`Value::Str`); bit 0 is the most significant bit of byte 0.
//!
//! Design notes:
//! * Writers (SETBIT, BITFIELD with SET/INCRBY) go through
//!   `lookup_string_for_bit` (Redis's `lookupStringForBitCommand`): a missing
//!   key is created as a zero-filled `raw` string long enough for the highest
//!   bit written (firing "new" like `dbAdd`), an existing one is unshared to
//!   `raw` (`StrVal::make_raw`, Redis's `dbUnshareStringValue`) and
//!   zero-padded. Whether that creation / growth happened ("dirty") is what
//!   decides, together with an actual bit change, whether the command counts
//!   as a change (dirty counter, "setbit" event, WATCH), as in Redis.
//! * Readers take the string bytes as they are; integer-encoded strings are
//!   formatted into a stack buffer (`getObjectReadOnlyString`).
//! * Bit offsets are parsed as `getBitOffsetFromArgument`: a non-negative
//!   `string2ll`, `#N` (×type width, wrapping like Redis's C multiplication)
//!   for BITFIELD, and `offset >> 3 < proto-max-bulk-len` unless the client
//!   is the master link. So by default offsets go up to 2^32-1 (512MB).
//! * BITCOUNT/BITPOS with BYTE|BIT ranges follow Redis's index arithmetic
//!   (negative indexes, clamping, the BITPOS "no end given and looking for 0"
//!   rule that treats the string as zero-padded on the right). The scans work
//!   a machine word at a time.
//! * BITOP stores its result as a new `raw` string (Redis's createObject),
//!   removes the destination's TTL (setKey), fires "set"; an all-empty input
//!   deletes the destination ("del"). Sources are read in place, without
//!   copies (only integer-encoded ones are formatted).
//! * BITFIELD parses every operation before touching the key (errors leave
//!   the key alone), then executes GET/SET/INCRBY in order with the WRAP /
//!   SAT / FAIL overflow rules of `checkUnsignedBitfieldOverflow` /
//!   `checkSignedBitfieldOverflow` (reproduced with wrapping arithmetic).
use crate::client::{flags, Args, Client};
use crate::db::{Obj, StrVal, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::util::num::string2ll;

const BIT_OFFSET_ERR: Error = Error::new("ERR bit offset is not an integer or out of range");
const BIT_VALUE_ERR: Error = Error::new("ERR bit is not an integer or out of range");
const BITFIELD_TYPE_ERR: Error = Error::new(
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
);
const BITFIELD_RO_ERR: Error = Error::new("ERR BITFIELD_RO only supports the GET subcommand");
const OVERFLOW_TYPE_ERR: Error = Error::new("ERR Invalid OVERFLOW type specified");
const BITPOS_BIT_ERR: Error = Error::new("ERR The bit argument must be 1 or 0.");
const BITOP_NOT_ERR: Error = Error::new("ERR BITOP NOT must be called with a single source key.");

// ---------------------------------------------------------------------------
// Argument parsing
// ---------------------------------------------------------------------------

/// Redis's `getBitOffsetFromArgument`. `bits` > 0 with `hash` enables the
/// `#N` form (offset N × bits). `obey` = the client is the master link (no
/// size limit); otherwise `offset / 8` must be below `max_bulk_len`.
fn get_bit_offset(
    arg: &[u8],
    hash: bool,
    bits: u32,
    obey: bool,
    max_bulk_len: i64,
) -> Result<u64, Error> {
    let use_hash = hash && bits > 0 && arg.first() == Some(&b'#');
    let digits = if use_hash { &arg[1..] } else { arg };
    let mut off = string2ll(digits).ok_or(BIT_OFFSET_ERR)?;
    if use_hash {
        // Redis multiplies two `long long`s; x86-64 wraps on overflow.
        off = off.wrapping_mul(bits as i64);
    }
    if off < 0 || (!obey && (off >> 3) >= max_bulk_len) {
        return Err(BIT_OFFSET_ERR);
    }
    Ok(off as u64)
}

/// Redis's `getBitfieldTypeFromArgument`: `i1`..`i64` or `u1`..`u63`;
/// returns (signed, bits). The width is read up to the first NUL byte, as
/// the C code does with strlen.
fn get_bitfield_type(arg: &[u8]) -> Result<(bool, u32), Error> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(BITFIELD_TYPE_ERR),
    };
    let rest = &arg[1..];
    let rest = match memchr::memchr(0, rest) {
        Some(n) => &rest[..n],
        None => rest,
    };
    let bits = string2ll(rest).ok_or(BITFIELD_TYPE_ERR)?;
    if bits < 1 || (signed && bits > 64) || (!signed && bits > 63) {
        return Err(BITFIELD_TYPE_ERR);
    }
    Ok((signed, bits as u32))
}

#[inline]
fn parse_ll(arg: &[u8]) -> Result<i64, Error> {
    string2ll(arg).ok_or(error::NOT_INTEGER)
}

/// True when limits do not apply (Redis's `mustObeyClient`).
#[inline]
fn must_obey(c: &Client) -> bool {
    c.has(flags::MASTER)
}

// ---------------------------------------------------------------------------
// String access helpers
// ---------------------------------------------------------------------------

/// Decimal form of `n` in a stack buffer (no allocation).
fn fmt_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// The bytes of a string value (Redis's `getObjectReadOnlyString`):
/// integers are formatted into `buf`.
fn str_bytes<'a>(s: &'a StrVal, buf: &'a mut [u8; 20]) -> &'a [u8] {
    match s {
        StrVal::Int(n) => fmt_i64(*n, buf),
        StrVal::Emb(b) => b,
        StrVal::Raw(v) => v,
    }
}

/// The string value of an object, or WRONGTYPE.
#[allow(unreachable_patterns)]
fn str_of(o: &Obj) -> Result<&StrVal, Error> {
    match &o.val {
        Value::Str(s) => Ok(s),
        _ => Err(error::WRONGTYPE),
    }
}

/// Redis's `lookupStringForBitCommand`: the raw buffer of `key`, created
/// (zero-filled, firing "new") or zero-padded so that bit `maxbit` exists.
/// Returns whether the key was created or grew.
fn lookup_string_for_bit(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    maxbit: u64,
) -> Result<bool, Error> {
    let need = usize::try_from(maxbit >> 3)
        .ok()
        .and_then(|b| b.checked_add(1))
        .ok_or(error::STRING_TOO_LONG)?;
    let lru = srv.lru_clock;
    match srv.lookup_write(db, key) {
        Some(o) => {
            #[allow(unreachable_patterns)]
            let s = match &mut o.val {
                Value::Str(s) => s,
                _ => return Err(error::WRONGTYPE),
            };
            let v = s.make_raw();
            if v.len() < need {
                // Only the master link can ask for absurd sizes; fail
                // instead of aborting when memory cannot be had.
                v.try_reserve_exact(need - v.len())
                    .map_err(|_| error::STRING_TOO_LONG)?;
                v.resize(need, 0);
                Ok(true)
            } else {
                Ok(false)
            }
        }
        None => {
            let mut v = Vec::new();
            v.try_reserve_exact(need)
                .map_err(|_| error::STRING_TOO_LONG)?;
            v.resize(need, 0);
            srv.dbs[db].add(key, Obj::new(Value::Str(StrVal::Raw(v)), lru));
            srv.notify_keyspace_event(notify::NEW, "new", key, db);
            Ok(true)
        }
    }
}

/// The raw buffer of a key known to exist as a raw string (after
/// `lookup_string_for_bit`).
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

// ---------------------------------------------------------------------------
// Bit scanning primitives
// ---------------------------------------------------------------------------

/// Number of set bits (Redis's `redisPopcount`).
pub fn popcount(s: &[u8]) -> u64 {
    let mut chunks = s.chunks_exact(8);
    let mut n = 0u64;
    for w in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        n += u64::from_ne_bytes(a).count_ones() as u64;
    }
    for &b in chunks.remainder() {
        n += b.count_ones() as u64;
    }
    n
}

/// Index of the first byte of `s` different from `skip`, word at a time.
fn first_byte_not(s: &[u8], skip: u8) -> Option<usize> {
    let word = u64::from_ne_bytes([skip; 8]);
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut a = [0u8; 8];
        a.copy_from_slice(&s[i..i + 8]);
        if u64::from_ne_bytes(a) != word {
            break;
        }
        i += 8;
    }
    s[i..].iter().position(|&b| b != skip).map(|p| i + p)
}

/// Position of the first bit equal to `bit` in the bit range
/// `[start, end]` (inclusive, in bits) of `s`, or None.
fn find_bit(s: &[u8], bit: bool, start: u64, end: u64) -> Option<u64> {
    let skip: u8 = if bit { 0 } else { 0xff };
    let first_byte = (start >> 3) as usize;
    let last_byte = (end >> 3) as usize;
    let mut byte = first_byte;
    while byte <= last_byte {
        let mut b = *s.get(byte)?;
        if !bit {
            b = !b;
        }
        // Now look for a set bit in `b`, masked to the range.
        if byte == first_byte {
            b &= 0xffu8 >> (start & 7);
        }
        if byte == last_byte {
            b &= 0xffu8 << (7 - (end & 7));
        }
        if b != 0 {
            return Some(((byte as u64) << 3) + b.leading_zeros() as u64);
        }
        byte += 1;
        if byte < last_byte {
            // Skip whole uninteresting bytes quickly (all but the last).
            let rest = s.get(byte..last_byte)?;
            match first_byte_not(rest, skip) {
                Some(p) => byte += p,
                None => byte = last_byte,
            }
        }
    }
    None
}

/// Redis's index arithmetic for BITCOUNT/BITPOS ranges: normalise negative
/// indexes against `totlen` and clamp. Returns None for an empty range.
fn normalize_range(mut start: i64, mut end: i64, totlen: i64) -> Option<(u64, u64)> {
    if start < 0 {
        start += totlen;
    }
    if end < 0 {
        end += totlen;
    }
    if start < 0 {
        start = 0;
    }
    if end < 0 {
        end = 0;
    }
    if end >= totlen {
        end = totlen - 1;
    }
    if start > end {
        return None;
    }
    Some((start as u64, end as u64))
}

/// Count set bits in the bit range `[start, end]` of `s`.
fn count_bits_range(s: &[u8], start: u64, end: u64) -> u64 {
    let (fb, lb) = ((start >> 3) as usize, (end >> 3) as usize);
    let Some(bytes) = s.get(fb..=lb) else {
        return 0;
    };
    let mut n = popcount(bytes);
    // Remove the bits of the edge bytes that are outside the range.
    let head = bytes[0] & !(0xffu8 >> (start & 7));
    let tail = bytes[bytes.len() - 1] & ((1u16 << (7 - (end & 7))) - 1) as u8;
    n -= head.count_ones() as u64 + tail.count_ones() as u64;
    n
}

// ---------------------------------------------------------------------------
// Bitfield primitives (Redis's get/set{Unsigned,Signed}Bitfield)
// ---------------------------------------------------------------------------

/// Read `bits` bits at bit `offset`, bytes past the end reading as zero.
fn get_unsigned_bitfield(p: &[u8], offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for j in 0..bits as u64 {
        let off = offset + j;
        let byte = p.get((off >> 3) as usize).copied().unwrap_or(0);
        v = (v << 1) | ((byte >> (7 - (off & 7))) & 1) as u64;
    }
    v
}

fn get_signed_bitfield(p: &[u8], offset: u64, bits: u32) -> i64 {
    let mut v = get_unsigned_bitfield(p, offset, bits) as i64;
    if bits < 64 && v & (1i64 << (bits - 1)) != 0 {
        v |= -1i64 << bits;
    }
    v
}

/// Write the low `bits` bits of `value` at bit `offset` (bits past the end
/// of `p` are dropped; callers size the buffer first).
fn set_unsigned_bitfield(p: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits as u64 {
        let bitval = (value >> (bits as u64 - 1 - j)) & 1;
        let off = offset + j;
        if let Some(b) = p.get_mut((off >> 3) as usize) {
            let shift = 7 - (off & 7);
            *b = (*b & !(1u8 << shift)) | ((bitval as u8) << shift);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

/// Redis's `checkUnsignedBitfieldOverflow`: 0 = fits, 1 = overflow,
/// -1 = underflow; the value to store instead (WRAP / SAT) with it.
fn check_unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> (i32, u64) {
    let max = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = 0u64.wrapping_sub(value) as i64;
    let wrap = || {
        let mask = if bits >= 64 { 0 } else { u64::MAX << bits };
        value.wrapping_add(incr as u64) & !mask
    };
    if value > max || (incr > 0 && incr > maxincr) {
        let limit = match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        };
        (1, limit)
    } else if incr < 0 && incr < minincr {
        let limit = match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => 0,
            Overflow::Fail => 0,
        };
        (-1, limit)
    } else {
        (0, 0)
    }
}

/// Redis's `checkSignedBitfieldOverflow` (see the unsigned version).
fn check_signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> (i32, i64) {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let msb = 1u64 << (bits - 1);
            let mask = u64::MAX << bits;
            if c & msb != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        let limit = match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        };
        (1, limit)
    } else if value < min
        || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)
    {
        let limit = match ow {
            Overflow::Wrap => wrap(),
            Overflow::Sat => min,
            Overflow::Fail => 0,
        };
        (-1, limit)
    } else {
        (0, 0)
    }
}

// ---------------------------------------------------------------------------
// SETBIT / GETBIT
// ---------------------------------------------------------------------------

/// SETBIT key offset value → the previous bit.
pub fn setbit_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let offset = get_bit_offset(
        args.get(2),
        false,
        0,
        must_obey(c),
        srv.config.proto_max_bulk_len,
    )?;
    let on = string2ll(args.get(3)).ok_or(BIT_VALUE_ERR)?;
    if on & !1 != 0 {
        return Err(BIT_VALUE_ERR);
    }
    let db = c.db;
    let dirty = lookup_string_for_bit(srv, db, key, offset)?;
    let Some(v) = raw_buf(srv, db, key) else {
        return Err(error::WRONGTYPE);
    };
    let byte = (offset >> 3) as usize;
    let shift = 7 - (offset & 7);
    let Some(b) = v.get_mut(byte) else {
        return Err(BIT_OFFSET_ERR);
    };
    let old = (*b >> shift) & 1;
    if dirty || old as i64 != on {
        *b = (*b & !(1u8 << shift)) | ((on as u8) << shift);
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::STRING, "setbit", key, db);
        srv.dirty += 1;
    }
    c.reply.int(old as i64);
    Ok(())
}

/// GETBIT key offset
pub fn getbit_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let offset = get_bit_offset(
        args.get(2),
        false,
        0,
        must_obey(c),
        srv.config.proto_max_bulk_len,
    )?;
    let bit = match srv.lookup_read(c.db, args.get(1)) {
        None => 0,
        Some(o) => {
            let mut buf = [0u8; 20];
            let s = str_bytes(str_of(o)?, &mut buf);
            match s.get((offset >> 3) as usize) {
                Some(b) => (b >> (7 - (offset & 7))) & 1,
                None => 0,
            }
        }
    };
    c.reply.int(bit as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// BITCOUNT / BITPOS
// ---------------------------------------------------------------------------

/// BYTE | BIT unit argument (case-insensitive); syntax error otherwise.
fn parse_unit(arg: &[u8]) -> Result<bool, Error> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(error::SYNTAX)
    }
}

/// BITCOUNT key [start end [BYTE|BIT]]
pub fn bitcount_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let argc = args.len();
    let o = match srv.lookup_read(c.db, args.get(1)) {
        None => {
            c.reply.int(0);
            return Ok(());
        }
        Some(o) => o,
    };
    let mut buf = [0u8; 20];
    let s = str_bytes(str_of(o)?, &mut buf);
    let count = match argc {
        2 => popcount(s),
        4 | 5 => {
            let start = parse_ll(args.get(2))?;
            let end = parse_ll(args.get(3))?;
            if start < 0 && end < 0 && start > end {
                c.reply.int(0);
                return Ok(());
            }
            let isbit = if argc == 5 {
                parse_unit(args.get(4))?
            } else {
                false
            };
            let totlen = if isbit {
                (s.len() as i64) << 3
            } else {
                s.len() as i64
            };
            match normalize_range(start, end, totlen) {
                None => 0,
                Some((a, b)) if isbit => count_bits_range(s, a, b),
                Some((a, b)) => s.get(a as usize..=b as usize).map(popcount).unwrap_or(0),
            }
        }
        _ => return Err(error::SYNTAX),
    };
    c.reply.int(count as i64);
    Ok(())
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
pub fn bitpos_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let argc = args.len();
    let bit = parse_ll(args.get(2))?;
    if bit != 0 && bit != 1 {
        return Err(BITPOS_BIT_ERR);
    }
    let bit = bit == 1;
    let o = match srv.lookup_read(c.db, args.get(1)) {
        None => {
            // A missing key is an infinite run of zeros.
            c.reply.int(if bit { -1 } else { 0 });
            return Ok(());
        }
        Some(o) => o,
    };
    let mut buf = [0u8; 20];
    let s = str_bytes(str_of(o)?, &mut buf);
    let strlen = s.len() as i64;
    let (start, end, isbit, end_given) = match argc {
        3 => (0, strlen - 1, false, false),
        4..=6 => {
            let start = parse_ll(args.get(3))?;
            let isbit = if argc == 6 {
                parse_unit(args.get(5))?
            } else {
                false
            };
            let (end, given) = if argc >= 5 {
                (parse_ll(args.get(4))?, true)
            } else if isbit {
                ((strlen << 3) + 7, false)
            } else {
                (strlen - 1, false)
            };
            (start, end, isbit, given)
        }
        _ => return Err(error::SYNTAX),
    };
    let totlen = if isbit { strlen << 3 } else { strlen };
    let range = if argc == 3 {
        if strlen == 0 {
            None
        } else {
            Some((0u64, (strlen - 1) as u64))
        }
    } else {
        normalize_range(start, end, totlen)
    };
    let Some((a, b)) = range else {
        c.reply.int(-1);
        return Ok(());
    };
    let (abit, bbit) = if isbit {
        (a, b)
    } else {
        (a << 3, (b << 3) + 7)
    };
    let pos = match find_bit(s, bit, abit, bbit) {
        Some(p) => p as i64,
        // Looking for a clear bit without an explicit end: the string is
        // considered zero-padded on the right.
        None if !bit && !end_given => (bbit as i64) + 1,
        None => -1,
    };
    c.reply.int(pos);
    Ok(())
}

// ---------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// Where a BITOP source's bytes come from.
enum Src {
    Missing,
    /// Integer-encoded value, formatted.
    Int([u8; 20], u8),
    /// Bytes stored in the keyspace under the argument at this index.
    Key(usize),
}

/// Apply `op` over `srcs` (missing bytes read as zero) into a result of
/// the longest source's length (Redis's bitopCommand loop).
fn bitop_compute(op: BitOp, srcs: &[&[u8]]) -> Vec<u8> {
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut res = vec![0u8; maxlen];
    if let Some(first) = srcs.first() {
        res[..first.len()].copy_from_slice(first);
    }
    match op {
        BitOp::Not => res.iter_mut().for_each(|b| *b = !*b),
        BitOp::And => {
            for s in srcs.iter().skip(1) {
                for (r, b) in res.iter_mut().zip(s.iter()) {
                    *r &= *b;
                }
                // Shorter inputs are zero-padded.
                res[s.len()..].iter_mut().for_each(|r| *r = 0);
            }
        }
        BitOp::Or => {
            for s in srcs.iter().skip(1) {
                for (r, b) in res.iter_mut().zip(s.iter()) {
                    *r |= *b;
                }
            }
        }
        BitOp::Xor => {
            for s in srcs.iter().skip(1) {
                for (r, b) in res.iter_mut().zip(s.iter()) {
                    *r ^= *b;
                }
            }
        }
    }
    res
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...] → length of the result.
pub fn bitop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let opname = args.get(1);
    let op = if opname.eq_ignore_ascii_case(b"and") {
        BitOp::And
    } else if opname.eq_ignore_ascii_case(b"or") {
        BitOp::Or
    } else if opname.eq_ignore_ascii_case(b"xor") {
        BitOp::Xor
    } else if opname.eq_ignore_ascii_case(b"not") {
        BitOp::Not
    } else {
        return Err(error::SYNTAX);
    };
    if op == BitOp::Not && args.len() != 4 {
        return Err(BITOP_NOT_ERR);
    }
    let db = c.db;
    let target = args.get(2);
    // Pass 1: lookups (expiry, stats, type checks) in argument order.
    let mut kinds: Vec<Src> = Vec::with_capacity(args.len() - 3);
    for j in 3..args.len() {
        let kind = match srv.lookup_read(db, args.get(j)) {
            None => Src::Missing,
            Some(o) => match str_of(o)? {
                StrVal::Int(n) => {
                    let mut b = [0u8; 20];
                    let len = fmt_i64(*n, &mut b).len();
                    Src::Int(b, len as u8)
                }
                _ => Src::Key(j),
            },
        };
        kinds.push(kind);
    }
    // Pass 2: borrow every source in place and compute.
    let res = {
        let dict = &srv.dbs[db].dict;
        let srcs: Vec<&[u8]> = kinds
            .iter()
            .map(|k| match k {
                Src::Missing => &[][..],
                Src::Int(b, len) => &b[20 - *len as usize..],
                Src::Key(j) => match dict.get(args.get(*j)).map(|o| &o.val) {
                    Some(Value::Str(StrVal::Emb(b))) => &b[..],
                    Some(Value::Str(StrVal::Raw(v))) => &v[..],
                    _ => &[][..],
                },
            })
            .collect();
        bitop_compute(op, &srcs)
    };
    let len = res.len();
    if len > 0 {
        // Redis's setKey: overwrite (dropping the TTL) or dbAdd ("new").
        if srv.key_exists(db, target) {
            srv.set_key(db, target, Value::Str(StrVal::Raw(res)), false);
        } else {
            let lru = srv.lru_clock;
            srv.dbs[db].add(target, Obj::new(Value::Str(StrVal::Raw(res)), lru));
            srv.notify_keyspace_event(notify::NEW, "new", target, db);
            srv.signal_modified_key(db, target);
        }
        srv.notify_keyspace_event(notify::STRING, "set", target, db);
        srv.dirty += 1;
    } else if srv.delete_key(db, target) {
        srv.notify_keyspace_event(notify::GENERIC, "del", target, db);
        srv.dirty += 1;
    }
    c.reply.int(len as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum FieldOp {
    Get,
    Set,
    Incrby,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BitfieldOp {
    offset: u64,
    /// SET value or INCRBY increment.
    value: i64,
    op: FieldOp,
    ow: Overflow,
    bits: u32,
    signed: bool,
}

/// Parse BITFIELD's subcommands (argv[2..]). Returns the operations, whether
/// they are all GETs, and the highest bit any SET/INCRBY writes.
fn parse_bitfield_ops(
    args: &Args,
    obey: bool,
    max_bulk_len: i64,
) -> Result<(Vec<BitfieldOp>, bool, u64), Error> {
    let argc = args.len();
    let mut ops = Vec::new();
    let mut ow = Overflow::Wrap;
    let mut readonly = true;
    let mut highest = 0u64;
    let mut j = 2;
    while j < argc {
        let remargs = argc - j - 1;
        let sub = args.get(j);
        let op = if sub.eq_ignore_ascii_case(b"get") && remargs >= 2 {
            FieldOp::Get
        } else if sub.eq_ignore_ascii_case(b"set") && remargs >= 3 {
            FieldOp::Set
        } else if sub.eq_ignore_ascii_case(b"incrby") && remargs >= 3 {
            FieldOp::Incrby
        } else if sub.eq_ignore_ascii_case(b"overflow") && remargs >= 1 {
            let t = args.get(j + 1);
            ow = if t.eq_ignore_ascii_case(b"wrap") {
                Overflow::Wrap
            } else if t.eq_ignore_ascii_case(b"sat") {
                Overflow::Sat
            } else if t.eq_ignore_ascii_case(b"fail") {
                Overflow::Fail
            } else {
                return Err(OVERFLOW_TYPE_ERR);
            };
            j += 2;
            continue;
        } else {
            return Err(error::SYNTAX);
        };
        let (signed, bits) = get_bitfield_type(args.get(j + 1))?;
        let offset = get_bit_offset(args.get(j + 2), true, bits, obey, max_bulk_len)?;
        let mut value = 0;
        if op != FieldOp::Get {
            readonly = false;
            highest = highest.max(offset + bits as u64 - 1);
            value = parse_ll(args.get(j + 3))?;
        }
        ops.push(BitfieldOp {
            offset,
            value,
            op,
            ow,
            bits,
            signed,
        });
        j += if op == FieldOp::Get { 3 } else { 4 };
    }
    Ok((ops, readonly, highest))
}

/// Run one SET/INCRBY on `p`: Some(reply value) or None when it fails on
/// overflow (OVERFLOW FAIL); the bool says whether the stored value changed.
fn bitfield_write(p: &mut [u8], op: &BitfieldOp) -> (Option<i64>, bool) {
    if op.signed {
        let old = get_signed_bitfield(p, op.offset, op.bits);
        let (overflow, newval, retval) = if op.op == FieldOp::Incrby {
            let (of, wrapped) = check_signed_overflow(old, op.value, op.bits, op.ow);
            let nv = if of != 0 {
                wrapped
            } else {
                old.wrapping_add(op.value)
            };
            (of, nv, nv)
        } else {
            let (of, wrapped) = check_signed_overflow(op.value, 0, op.bits, op.ow);
            (of, if of != 0 { wrapped } else { op.value }, old)
        };
        if overflow != 0 && op.ow == Overflow::Fail {
            return (None, false);
        }
        set_unsigned_bitfield(p, op.offset, op.bits, newval as u64);
        (Some(retval), old != newval)
    } else {
        let old = get_unsigned_bitfield(p, op.offset, op.bits);
        let (overflow, newval, retval) = if op.op == FieldOp::Incrby {
            let (of, wrapped) = check_unsigned_overflow(old, op.value, op.bits, op.ow);
            let nv = if of != 0 {
                wrapped
            } else {
                old.wrapping_add(op.value as u64)
            };
            (of, nv, nv)
        } else {
            let nv = op.value as u64;
            let (of, wrapped) = check_unsigned_overflow(nv, 0, op.bits, op.ow);
            (of, if of != 0 { wrapped } else { nv }, old)
        };
        if overflow != 0 && op.ow == Overflow::Fail {
            return (None, false);
        }
        set_unsigned_bitfield(p, op.offset, op.bits, newval);
        (Some(retval as i64), old != newval)
    }
}

/// GET on a (possibly shorter) string, zero-padded.
fn bitfield_get(p: &[u8], op: &BitfieldOp) -> i64 {
    if op.signed {
        get_signed_bitfield(p, op.offset, op.bits)
    } else {
        get_unsigned_bitfield(p, op.offset, op.bits) as i64
    }
}

/// Redis's `bitfieldGeneric`.
fn bitfield_generic(srv: &mut Server, c: &mut Client, args: &Args, ro_cmd: bool) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    let (ops, readonly, highest) =
        parse_bitfield_ops(args, must_obey(c), srv.config.proto_max_bulk_len)?;
    if readonly {
        let mut buf = [0u8; 20];
        let s: &[u8] = match srv.lookup_read(db, key) {
            None => &[],
            Some(o) => str_bytes(str_of(o)?, &mut buf),
        };
        c.reply.array_len(ops.len());
        for op in &ops {
            c.reply.int(bitfield_get(s, op));
        }
        return Ok(());
    }
    if ro_cmd {
        return Err(BITFIELD_RO_ERR);
    }
    let dirty = lookup_string_for_bit(srv, db, key, highest)?;
    let Some(v) = raw_buf(srv, db, key) else {
        return Err(error::WRONGTYPE);
    };
    c.reply.array_len(ops.len());
    let mut changes = 0u64;
    for op in &ops {
        if op.op == FieldOp::Get {
            c.reply.int(bitfield_get(v, op));
            continue;
        }
        match bitfield_write(v, op) {
            (Some(r), changed) => {
                c.reply.int(r);
                if dirty || changed {
                    changes += 1;
                }
            }
            (None, _) => c.reply.null(),
        }
    }
    if changes > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::STRING, "setbit", key, db);
        srv.dirty += changes;
    }
    Ok(())
}

/// BITFIELD key [GET type offset] [SET type offset value]
/// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
pub fn bitfield_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    bitfield_generic(srv, c, args, false)
}

/// BITFIELD_RO key [GET type offset ...]
pub fn bitfield_ro_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    bitfield_generic(srv, c, args, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::OwnedArgs;

    const MAX: i64 = 512 * 1024 * 1024;

    #[test]
    fn bit_offsets_follow_get_bit_offset_from_argument() {
        assert_eq!(get_bit_offset(b"0", false, 0, false, MAX), Ok(0));
        assert_eq!(
            get_bit_offset(b"4294967295", false, 0, false, MAX),
            Ok(4294967295)
        );
        // offset / 8 must stay below proto-max-bulk-len (512MB → 2^32 bits).
        assert_eq!(
            get_bit_offset(b"4294967296", false, 0, false, MAX),
            Err(BIT_OFFSET_ERR)
        );
        // ... unless the master says so.
        assert_eq!(
            get_bit_offset(b"4294967296", false, 0, true, MAX),
            Ok(4294967296)
        );
        assert_eq!(get_bit_offset(b"15", false, 0, false, 2), Ok(15));
        assert_eq!(
            get_bit_offset(b"16", false, 0, false, 2),
            Err(BIT_OFFSET_ERR)
        );
        for bad in [&b"-1"[..], b"", b"x", b"01", b"-0", b" 1", b"1.0", b"#1"] {
            assert_eq!(
                get_bit_offset(bad, false, 0, false, MAX),
                Err(BIT_OFFSET_ERR)
            );
        }
        // #N form (BITFIELD only): N × width.
        assert_eq!(get_bit_offset(b"#3", true, 8, false, MAX), Ok(24));
        assert_eq!(get_bit_offset(b"#0", true, 5, false, MAX), Ok(0));
        assert_eq!(
            get_bit_offset(b"#-1", true, 8, false, MAX),
            Err(BIT_OFFSET_ERR)
        );
        assert_eq!(
            get_bit_offset(b"#", true, 8, false, MAX),
            Err(BIT_OFFSET_ERR)
        );
        // Real Redis: 2^61 × 8 wraps to 0 and is accepted; 2^60 × 8 = 2^63
        // wraps negative and is refused.
        assert_eq!(
            get_bit_offset(b"#2305843009213693952", true, 8, false, MAX),
            Ok(0)
        );
        assert_eq!(
            get_bit_offset(b"#1152921504606846976", true, 8, false, MAX),
            Err(BIT_OFFSET_ERR)
        );
    }

    #[test]
    fn bitfield_types() {
        assert_eq!(get_bitfield_type(b"i8"), Ok((true, 8)));
        assert_eq!(get_bitfield_type(b"u1"), Ok((false, 1)));
        assert_eq!(get_bitfield_type(b"i64"), Ok((true, 64)));
        assert_eq!(get_bitfield_type(b"u63"), Ok((false, 63)));
        assert_eq!(get_bitfield_type(b"i8\0junk"), Ok((true, 8)));
        for bad in [
            &b"u64"[..],
            b"i65",
            b"i0",
            b"u0",
            b"i08",
            b"I8",
            b"x8",
            b"",
            b"i",
            b"i-1",
            b"i8 ",
        ] {
            assert_eq!(get_bitfield_type(bad), Err(BITFIELD_TYPE_ERR), "{:?}", bad);
        }
    }

    fn naive_bit(s: &[u8], i: u64) -> bool {
        s[(i >> 3) as usize] & (0x80 >> (i & 7)) != 0
    }

    #[test]
    fn scans_match_a_naive_implementation() {
        let mut rng = crate::util::rand::Rng::new(7);
        for _ in 0..300 {
            let len = rng.gen_index(40) + 1;
            let mut s = vec![0u8; len];
            let fill = [0u8, 0xff][rng.gen_index(2)];
            for b in s.iter_mut() {
                *b = if rng.gen_index(4) == 0 {
                    rng.next_u32() as u8
                } else {
                    fill
                };
            }
            let nbits = (len * 8) as u64;
            let a = rng.gen_range(nbits);
            let b = a + rng.gen_range(nbits - a);
            let want_count = (a..=b).filter(|&i| naive_bit(&s, i)).count() as u64;
            assert_eq!(count_bits_range(&s, a, b), want_count);
            for bit in [false, true] {
                let want = (a..=b).find(|&i| naive_bit(&s, i) == bit);
                assert_eq!(find_bit(&s, bit, a, b), want, "{:?} {} {} {}", s, bit, a, b);
            }
            assert_eq!(
                popcount(&s),
                (0..nbits).filter(|&i| naive_bit(&s, i)).count() as u64
            );
        }
    }

    #[test]
    fn bitfield_get_set_roundtrip_unaligned() {
        let mut buf = vec![0u8; 16];
        set_unsigned_bitfield(&mut buf, 7, 5, 23);
        assert_eq!(&buf[..2], &[0b0000_0001, 0b0111_0000]);
        assert_eq!(get_unsigned_bitfield(&buf, 7, 5), 23);
        set_unsigned_bitfield(&mut buf, 13, 64, 0x8123_4567_89ab_cdef);
        assert_eq!(get_unsigned_bitfield(&buf, 13, 64), 0x8123_4567_89ab_cdef);
        assert_eq!(
            get_signed_bitfield(&buf, 13, 64),
            0x8123_4567_89ab_cdefu64 as i64
        );
        set_unsigned_bitfield(&mut buf, 3, 4, 0b1010);
        assert_eq!(get_signed_bitfield(&buf, 3, 4), -6);
        // Reads past the end are zero-padded.
        assert_eq!(get_unsigned_bitfield(&[0xff], 4, 8), 0xf0);
    }

    #[test]
    fn overflow_rules_match_redis() {
        use Overflow::*;
        // Values from unit/bitfield.tcl.
        assert_eq!(check_unsigned_overflow(100, 257, 8, Wrap), (1, 101));
        assert_eq!(check_unsigned_overflow(101, 255, 8, Wrap), (1, 100));
        assert_eq!(check_unsigned_overflow(100, 257, 8, Sat), (1, 255));
        assert_eq!(check_unsigned_overflow(255, -255, 8, Sat), (0, 0));
        assert_eq!(check_unsigned_overflow(0, -1, 8, Sat), (-1, 0));
        assert_eq!(check_unsigned_overflow(0, -1, 8, Wrap), (-1, 255));
        assert_eq!(check_unsigned_overflow(u64::MAX, 0, 8, Wrap), (1, 255));
        assert_eq!(check_unsigned_overflow(5, 3, 8, Fail), (0, 0));
        assert_eq!(check_signed_overflow(100, 257, 8, Wrap), (1, 101));
        assert_eq!(check_signed_overflow(100, 257, 8, Sat), (1, 127));
        assert_eq!(check_signed_overflow(100, -255, 8, Sat), (-1, -128));
        assert_eq!(check_signed_overflow(-128, -1, 8, Wrap), (-1, 127));
        assert_eq!(check_signed_overflow(255, 0, 8, Wrap), (1, -1));
        assert_eq!(check_signed_overflow(i64::MAX, 1, 64, Wrap), (1, i64::MIN));
        assert_eq!(check_signed_overflow(i64::MIN, -1, 64, Sat), (-1, i64::MIN));
        assert_eq!(check_signed_overflow(i64::MAX, i64::MIN, 64, Fail), (0, 0));
        assert_eq!(check_signed_overflow(-1, i64::MIN, 64, Fail).0, -1);
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

        fn get(&self, key: &str) -> Option<Vec<u8>> {
            match &self.srv.dbs[0].dict.get(key.as_bytes())?.val {
                Value::Str(s) => Some(s.as_bytes().into_owned()),
                #[allow(unreachable_patterns)]
                _ => None,
            }
        }

        fn encoding(&self, key: &str) -> &'static str {
            self.srv.dbs[0]
                .dict
                .get(key.as_bytes())
                .map(|o| o.val.encoding_name())
                .unwrap_or("none")
        }
    }

    #[test]
    fn setbit_getbit_and_dirty() {
        let mut h = Harness::new();
        let d0 = h.srv.dirty;
        assert_eq!(h.r("setbit k 7 1"), ":0\r\n");
        assert_eq!(h.get("k").unwrap(), vec![1]);
        assert_eq!(h.encoding("k"), "raw");
        assert_eq!(h.r("setbit k 7 1"), ":1\r\n");
        assert_eq!(h.srv.dirty, d0 + 1, "no change, no dirty");
        assert_eq!(h.r("setbit k 100 0"), ":0\r\n");
        assert_eq!(h.srv.dirty, d0 + 2, "growing counts as a change");
        assert_eq!(h.get("k").unwrap().len(), 13);
        assert_eq!(h.r("getbit k 7"), ":1\r\n");
        assert_eq!(h.r("getbit k 1000000"), ":0\r\n");
        assert_eq!(h.r("getbit nokey 3"), ":0\r\n");
        assert_eq!(
            h.r("getbit k -1"),
            "-ERR bit offset is not an integer or out of range\r\n"
        );
        assert_eq!(
            h.r("setbit k 0 2"),
            "-ERR bit is not an integer or out of range\r\n"
        );
        assert_eq!(
            h.r("setbit k 0 -1"),
            "-ERR bit is not an integer or out of range\r\n"
        );
        assert_eq!(
            h.r("setbit k x 1"),
            "-ERR bit offset is not an integer or out of range\r\n"
        );
        assert_eq!(
            h.r("setbit k 4294967296 1"),
            "-ERR bit offset is not an integer or out of range\r\n"
        );
        // An int-encoded value is read as its decimal text ("1" = 0x31) and
        // becomes raw once SETBIT touched it, even without a change.
        h.r("set n 1");
        assert_eq!(h.encoding("n"), "int");
        assert_eq!(h.r("getbit n 2"), ":1\r\n");
        assert_eq!(h.r("setbit n 2 1"), ":1\r\n");
        assert_eq!(h.encoding("n"), "raw");
    }

    #[test]
    fn bitcount_and_bitpos_replies() {
        let mut h = Harness::new();
        h.r("set s foobar");
        assert_eq!(h.r("bitcount s"), ":26\r\n");
        assert_eq!(h.r("bitcount s 1 1"), ":6\r\n");
        assert_eq!(h.r("bitcount s 5 30 bit"), ":17\r\n");
        assert_eq!(h.r("bitcount s -2 1"), ":0\r\n");
        assert_eq!(h.r("bitcount s 0"), "-ERR syntax error\r\n");
        assert_eq!(h.r("bitcount s 0 1 bits"), "-ERR syntax error\r\n");
        // start > end (both negative) answers before the unit is looked at.
        assert_eq!(h.r("bitcount s -1 -2 bits"), ":0\r\n");
        assert_eq!(
            h.r("bitcount s a b"),
            "-ERR value is not an integer or out of range\r\n"
        );
        // A missing key answers 0 whatever the arguments.
        assert_eq!(h.r("bitcount nokey 0"), ":0\r\n");
        assert_eq!(h.r("bitpos nokey 0"), ":0\r\n");
        assert_eq!(h.r("bitpos nokey 1"), ":-1\r\n");
        assert_eq!(
            h.r("bitpos s 2"),
            "-ERR The bit argument must be 1 or 0.\r\n"
        );
        assert_eq!(
            h.r("bitpos s x"),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(h.r("bitpos s 1 0 x y"), "-ERR syntax error\r\n");
        h.run(&[b"set", b"ff", b"\xff\xff\xff"]);
        assert_eq!(h.r("bitpos ff 0"), ":24\r\n");
        assert_eq!(h.r("bitpos ff 0 0"), ":24\r\n");
        assert_eq!(h.r("bitpos ff 0 0 -1"), ":-1\r\n");
        assert_eq!(h.r("bitpos ff 0 5"), ":-1\r\n");
        h.run(&[b"set", b"m", b"\x00\xff\x00"]);
        assert_eq!(h.r("bitpos m 1 8 8 bit"), ":8\r\n");
        assert_eq!(h.r("bitpos m 0 8 -1 bit"), ":16\r\n");
        assert_eq!(h.r("bitpos m 1 2 200"), ":-1\r\n");
        h.r("set e x");
        h.run(&[b"set", b"e", b""]);
        assert_eq!(h.r("bitpos e 0"), ":-1\r\n");
    }

    #[test]
    fn bitop_results_and_destination() {
        let mut h = Harness::new();
        h.run(&[b"set", b"a", b"\x01\x02\xff\xff"]);
        h.run(&[b"set", b"b", b"\x01\x02\xff"]);
        assert_eq!(h.r("bitop and r a b"), ":4\r\n");
        assert_eq!(h.get("r").unwrap(), b"\x01\x02\xff\x00");
        assert_eq!(h.encoding("r"), "raw");
        h.r("bitop or r a b");
        assert_eq!(h.get("r").unwrap(), b"\x01\x02\xff\xff");
        h.r("bitop xor r a b nokey");
        assert_eq!(h.get("r").unwrap(), b"\x00\x00\x00\xff");
        h.r("bitop not r b");
        assert_eq!(h.get("r").unwrap(), b"\xfe\xfd\x00");
        h.r("set i1 1");
        h.r("set i2 2");
        assert_eq!(h.r("bitop xor r i1 i2 i1"), ":1\r\n");
        assert_eq!(h.get("r").unwrap(), b"2");
        // All inputs empty: the destination is deleted.
        h.r("pexpire r 100000");
        let d = h.srv.dirty;
        assert_eq!(h.r("bitop or r nokey"), ":0\r\n");
        assert!(h.get("r").is_none());
        assert_eq!(h.srv.dirty, d + 1);
        assert_eq!(h.r("bitop or r nokey"), ":0\r\n");
        assert_eq!(h.srv.dirty, d + 1);
        // The destination's TTL is dropped.
        h.r("set t x");
        h.r("pexpire t 100000");
        h.r("bitop not t a");
        assert_eq!(h.srv.dbs[0].get_expire(b"t"), None);
        assert_eq!(h.r("bitop nand r a"), "-ERR syntax error\r\n");
        assert_eq!(
            h.r("bitop not r a b"),
            "-ERR BITOP NOT must be called with a single source key.\r\n"
        );
    }

    #[test]
    fn bitfield_replies_and_errors() {
        let mut h = Harness::new();
        assert_eq!(
            h.r("bitfield bits set i8 0 255 set i8 0 100 get i8 0"),
            "*3\r\n:0\r\n:-1\r\n:100\r\n"
        );
        h.r("del bits");
        assert_eq!(
            h.r("bitfield bits set u8 0 255 incrby u8 0 100 get u8 0"),
            "*3\r\n:0\r\n:99\r\n:99\r\n"
        );
        assert_eq!(h.r("bitfield bits"), "*0\r\n");
        assert_eq!(
            h.r("bitfield bits overflow fail incrby u8 0 1000 overflow sat incrby u8 0 1000"),
            "*2\r\n$-1\r\n:255\r\n"
        );
        h.r("bitfield x set u8 #0 65 set u8 #1 66 set u8 #2 67");
        assert_eq!(h.get("x").unwrap(), b"ABC");
        assert_eq!(
            h.r("bitfield mystring SET i8 0 10 SET i8 64 10 INCRBY i8 10 99900"),
            "*3\r\n:0\r\n:0\r\n:60\r\n"
        );
        h.r("set n 1");
        assert_eq!(h.r("bitfield n get u1 0"), "*1\r\n:0\r\n");
        assert_eq!(h.encoding("n"), "int", "GET-only BITFIELD does not unshare");
        assert_eq!(h.r("bitfield k overflow"), "-ERR syntax error\r\n");
        assert_eq!(h.r("bitfield k get u8"), "-ERR syntax error\r\n");
        assert_eq!(
            h.r("bitfield k overflow foo get u8 0"),
            "-ERR Invalid OVERFLOW type specified\r\n"
        );
        assert_eq!(
            h.r("bitfield k get u64 0"),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"
        );
        assert_eq!(
            h.r("bitfield k set u8 0 x"),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(h.r("bitfield_ro bits get u8 0"), "*1\r\n:255\r\n");
        assert_eq!(
            h.r("bitfield_ro bits set u8 0 100 get u8 0"),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n"
        );
        assert!(h.get("k").is_none(), "failed parsing leaves the key alone");
        // A FAIL on a new key still creates it, but counts no change.
        let d = h.srv.dirty;
        assert_eq!(h.r("bitfield c overflow fail set u2 0 7"), "*1\r\n$-1\r\n");
        assert_eq!(h.get("c").unwrap(), vec![0]);
        assert_eq!(h.srv.dirty, d);
        // INCRBY by 0: not a change; SET to the same value: not a change.
        h.r("bitfield z set i5 0 1");
        let d = h.srv.dirty;
        h.r("bitfield z set i5 0 1");
        h.r("bitfield z incrby i5 0 0");
        assert_eq!(h.srv.dirty, d);
        h.r("bitfield z set i5 90 0");
        assert_eq!(h.srv.dirty, d + 1, "growth counts");
    }
}
