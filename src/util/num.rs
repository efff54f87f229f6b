//! Number <-> string conversions with Redis-exact semantics.
//!
//! Mirrors Redis `util.c`: `string2ll`, `string2l`, `string2ull`,
//! `ll2string`, `ull2string`, `string2d`, `double2ll`, `d2string`,
//! `fixedpoint_d2string`, plus the glibc `printf("%.17g")` formatting used by
//! `addReplyDouble` (networking.c), which Rust's `Display` does not reproduce.
//!
//! Design:
//! * Integer parsing is strict (no spaces, no '+', no leading zeros, "-0"
//!   rejected, length < 21) exactly like `string2ll`.
//! * `strtod` syntax is validated by [`parse_strtod_syntax`] (shared with
//!   `longdouble.rs`): decimal, hex floats (`0x1.8p3`), `inf`/`infinity`
//!   (case-insensitive), NaN forms (always rejected by Redis). Decimal text is
//!   then handed to Rust's correctly rounded `f64::from_str` (same result as
//!   glibc's correctly rounded `strtod`); hex floats are rounded here.
//!   The `ERANGE` rules of `string2d` are reproduced: overflow to +-inf and
//!   underflow to zero are rejected, subnormal results are accepted.
//! * `%.17g` is produced from the exact binary value: 17 significant digits,
//!   round-half-even on exact ties (glibc behaviour), `%g` style selection and
//!   trailing-zero stripping. Common magnitudes use a `u128` fast path, the rest
//!   an exact big-integer path (`bignum.rs`). [`format_fixed`] likewise
//!   implements an exact `%.Nf`, used by `longdouble.rs` for `%.17Lf`.

use super::bignum::Big;

/// Redis LONG_STR_SIZE: `string2ll` rejects inputs of this length or longer.
pub const LONG_STR_SIZE: usize = 21;
/// Redis MAX_LONG_DOUBLE_CHARS (buffer size used by string2ld / ld2string).
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;
/// Redis MAX_D2STRING_CHARS.
pub const MAX_D2STRING_CHARS: usize = 128;

// ---------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------

/// Redis `string2ll`: strict decimal i64 parse. Accepts "0", "-?[1-9][0-9]*"
/// within range; rejects "", "-", "-0", "+1", " 1", "01", overflow, and any
/// input of 21 bytes or more.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= LONG_STR_SIZE {
        return None;
    }
    if s.len() == 1 && s[0] == b'0' {
        return Some(0);
    }
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (&first, rest) = digits.split_first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v: u64 = (first - b'0') as u64;
    for &c in rest {
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

/// Redis `string2l` (`long` is 64-bit on the LP64 targets Redis supports, so
/// this is `string2ll`).
#[inline]
pub fn string2l(s: &[u8]) -> Option<i64> {
    string2ll(s)
}

/// Redis `string2ull` (used for stream IDs): the input is a C string (cut at
/// the first NUL). First `string2ll` is tried (negative => reject); otherwise
/// `strtoull(s, &end, 10)` semantics: leading whitespace and a '+'/'-' sign
/// are accepted (a '-' negates modulo 2^64, e.g. "-01" => 2^64-1), leading
/// zeros are fine, overflow (ERANGE) and trailing garbage are rejected.
pub fn string2ull(s: &[u8]) -> Option<u64> {
    let s = match memchr::memchr(0, s) {
        Some(p) => &s[..p],
        None => s,
    };
    if let Some(v) = string2ll(s) {
        return if v < 0 { None } else { Some(v as u64) };
    }
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    let mut overflow = false;
    while i < s.len() && s[i].is_ascii_digit() {
        match v
            .checked_mul(10)
            .and_then(|x| x.checked_add((s[i] - b'0') as u64))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start || i != s.len() || overflow {
        return None;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

#[inline]
fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Redis `digits10`: number of decimal digits of `v`.
pub fn digits10(v: u64) -> u32 {
    if v == 0 {
        1
    } else {
        v.ilog10() + 1
    }
}

/// Redis `ull2string`: append the decimal representation of `v`.
#[inline]
pub fn ull2string(buf: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        tmp[i] = DIGIT_PAIRS[d];
        tmp[i + 1] = DIGIT_PAIRS[d + 1];
    }
    if v < 10 {
        i -= 1;
        tmp[i] = b'0' + v as u8;
    } else {
        let d = v as usize * 2;
        i -= 2;
        tmp[i] = DIGIT_PAIRS[d];
        tmp[i + 1] = DIGIT_PAIRS[d + 1];
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Redis `ll2string`: append the decimal representation of `v`.
#[inline]
pub fn ll2string(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    ull2string(buf, v.unsigned_abs());
}

/// Number of bytes `ll2string` would write (Redis `sdigits10`).
pub fn sdigits10(v: i64) -> u32 {
    digits10(v.unsigned_abs()) + (v < 0) as u32
}

// ---------------------------------------------------------------------------
// strtod syntax (shared with longdouble.rs)
// ---------------------------------------------------------------------------

/// Result of validating a complete string against glibc `strtod` syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatSyntax<'a> {
    /// "inf" / "infinity" (any case), with optional sign.
    Inf { neg: bool },
    /// Decimal: `int_digits`.`frac_digits` * 10^exp. `body` is the whole
    /// validated text (sign included), suitable for Rust's `f64::from_str`.
    Dec {
        neg: bool,
        int_digits: &'a [u8],
        frac_digits: &'a [u8],
        exp: i64,
        body: &'a [u8],
    },
    /// Hexadecimal float: 0x`int_digits`.`frac_digits` * 2^exp.
    Hex {
        neg: bool,
        int_digits: &'a [u8],
        frac_digits: &'a [u8],
        exp: i64,
    },
}

impl FloatSyntax<'_> {
    /// True if the mantissa has a non-zero digit (so a zero result means
    /// underflow, i.e. ERANGE in glibc).
    pub(crate) fn mantissa_nonzero(&self) -> bool {
        match self {
            FloatSyntax::Inf { .. } => true,
            FloatSyntax::Dec {
                int_digits,
                frac_digits,
                ..
            }
            | FloatSyntax::Hex {
                int_digits,
                frac_digits,
                ..
            } => int_digits
                .iter()
                .chain(frac_digits.iter())
                .any(|&c| c != b'0'),
        }
    }
}

const EXP_CLAMP: i64 = 1_000_000_000;

fn parse_exp_digits(s: &[u8]) -> i64 {
    let mut v: i64 = 0;
    for &c in s {
        v = (v * 10 + (c - b'0') as i64).min(EXP_CLAMP);
    }
    v
}

/// Validate that `strtod`/`strtold` would consume *all* of `s` and that
/// Redis would not reject it for syntax reasons (leading whitespace, NaN).
/// Returns None for anything Redis' `string2d`/`string2ld` reject on syntax.
pub(crate) fn parse_strtod_syntax(s: &[u8]) -> Option<FloatSyntax<'_>> {
    let (neg, rest) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let first = *rest.first()?;
    if first == b'i' || first == b'I' {
        if rest.eq_ignore_ascii_case(b"inf") || rest.eq_ignore_ascii_case(b"infinity") {
            return Some(FloatSyntax::Inf { neg });
        }
        return None;
    }
    let is_hex = rest.len() >= 2 && rest[0] == b'0' && (rest[1] == b'x' || rest[1] == b'X');
    if is_hex {
        let h = &rest[2..];
        let mut i = 0;
        while i < h.len() && h[i].is_ascii_hexdigit() {
            i += 1;
        }
        let int_digits = &h[..i];
        let mut frac_digits: &[u8] = &[];
        if i < h.len() && h[i] == b'.' {
            let fs = i + 1;
            i = fs;
            while i < h.len() && h[i].is_ascii_hexdigit() {
                i += 1;
            }
            frac_digits = &h[fs..i];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return None; // strtod would only consume the leading "0"
        }
        let mut exp = 0i64;
        if i < h.len() {
            if h[i] != b'p' && h[i] != b'P' {
                return None;
            }
            i += 1;
            let mut eneg = false;
            if i < h.len() && (h[i] == b'+' || h[i] == b'-') {
                eneg = h[i] == b'-';
                i += 1;
            }
            let es = i;
            while i < h.len() && h[i].is_ascii_digit() {
                i += 1;
            }
            if i == es || i != h.len() {
                return None;
            }
            exp = parse_exp_digits(&h[es..i]);
            if eneg {
                exp = -exp;
            }
        }
        return Some(FloatSyntax::Hex {
            neg,
            int_digits,
            frac_digits,
            exp,
        });
    }
    let mut i = 0;
    while i < rest.len() && rest[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &rest[..i];
    let mut frac_digits: &[u8] = &[];
    if i < rest.len() && rest[i] == b'.' {
        let fs = i + 1;
        i = fs;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = &rest[fs..i];
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let mut exp = 0i64;
    if i < rest.len() {
        if rest[i] != b'e' && rest[i] != b'E' {
            return None;
        }
        i += 1;
        let mut eneg = false;
        if i < rest.len() && (rest[i] == b'+' || rest[i] == b'-') {
            eneg = rest[i] == b'-';
            i += 1;
        }
        let es = i;
        while i < rest.len() && rest[i].is_ascii_digit() {
            i += 1;
        }
        if i == es || i != rest.len() {
            return None;
        }
        exp = parse_exp_digits(&rest[es..i]);
        if eneg {
            exp = -exp;
        }
    }
    Some(FloatSyntax::Dec {
        neg,
        int_digits,
        frac_digits,
        exp,
        body: s,
    })
}

/// Accumulate hex mantissa digits into (top bits as u128, sticky, exp2) such
/// that value = q * 2^exp2 (+ something < 2^exp2 if sticky).
pub(crate) fn hex_mantissa(int_digits: &[u8], frac_digits: &[u8], exp: i64) -> (u128, bool, i64) {
    let mut q: u128 = 0;
    let mut sticky = false;
    let mut e2: i64 = exp;
    let mut started = false;
    let mut used = 0u32; // hex digits stored in q (max 31 to keep headroom)
    for (k, &c) in int_digits.iter().chain(frac_digits.iter()).enumerate() {
        let d = (c as char).to_digit(16).unwrap_or(0) as u128;
        let is_frac = k >= int_digits.len();
        if !started && d == 0 {
            if is_frac {
                e2 -= 4;
            }
            continue;
        }
        started = true;
        if used < 30 {
            q = (q << 4) | d;
            used += 1;
            if is_frac {
                e2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !is_frac {
                e2 += 4;
            }
        }
    }
    (q, sticky, e2.clamp(-4 * EXP_CLAMP, 4 * EXP_CLAMP))
}

/// Round q * 2^exp2 (+sticky: a non-zero amount below 2^exp2) to a binary
/// float with `prec` (<= 64) mantissa bits, lsb exponent >= `emin_lsb`
/// (subnormals), round-half-even. Returns Some((mant, lsb_exp)) with
/// value = mant * 2^lsb_exp, or None on overflow (lsb_exp > `emax_lsb`).
pub(crate) fn round_binary(
    q: u128,
    sticky: bool,
    exp2: i64,
    prec: u32,
    emin_lsb: i64,
    emax_lsb: i64,
) -> Option<(u64, i64)> {
    if q == 0 {
        return Some((0, emin_lsb));
    }
    let len = 128 - q.leading_zeros() as i64;
    let mut e = (exp2 + len - prec as i64).max(emin_lsb);
    let shift = e - exp2;
    let mut m: u128;
    if shift <= 0 {
        m = q << (-shift) as u32; // exact, fits in prec bits
    } else {
        let (mm, rb, st) = if shift > 128 {
            (0u128, false, true)
        } else if shift == 128 {
            (0u128, q >> 127 != 0, (q << 1) != 0 || sticky)
        } else {
            let s = shift as u32;
            (
                q >> s,
                (q >> (s - 1)) & 1 != 0,
                (q & ((1u128 << (s - 1)) - 1)) != 0 || sticky,
            )
        };
        m = mm;
        if rb && (st || m & 1 != 0) {
            m += 1;
            if m >> prec != 0 {
                m >>= 1;
                e += 1;
            }
        }
    }
    if e > emax_lsb {
        return None;
    }
    Some((m as u64, e))
}

const F64_EMIN_LSB: i64 = -1074;
const F64_EMAX_LSB: i64 = 1024 - 53;

/// Build an f64 from a rounded (mant, lsb exponent) pair.
pub(crate) fn f64_from_parts(neg: bool, mant: u64, e: i64) -> f64 {
    let bits = if mant == 0 {
        0
    } else if mant >> 52 != 0 {
        let biased = (e + 52 + 1023) as u64;
        (biased << 52) | (mant & ((1u64 << 52) - 1))
    } else {
        mant // subnormal, e == -1074
    };
    let v = f64::from_bits(bits);
    if neg {
        -v
    } else {
        v
    }
}

/// Decompose a finite f64 into (negative, mantissa, lsb exponent).
pub(crate) fn f64_parts(v: f64) -> (bool, u64, i64) {
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let ef = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    if ef == 0 {
        (neg, frac, -1074)
    } else {
        (neg, frac | (1u64 << 52), ef - 1075)
    }
}

/// glibc `strtod` on a string already known to be fully consumed.
/// Returns (value, erange) where erange mirrors errno == ERANGE for overflow
/// or underflow-to-zero (subnormal results are not flagged; Redis ignores
/// that case anyway).
fn strtod_value(syn: &FloatSyntax<'_>) -> (f64, bool) {
    match *syn {
        FloatSyntax::Inf { neg } => (
            if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            },
            false,
        ),
        FloatSyntax::Dec { body, .. } => {
            let v = std::str::from_utf8(body)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            let erange = v.is_infinite() || (v == 0.0 && syn.mantissa_nonzero());
            (v, erange)
        }
        FloatSyntax::Hex {
            neg,
            int_digits,
            frac_digits,
            exp,
        } => {
            let (q, sticky, e2) = hex_mantissa(int_digits, frac_digits, exp);
            match round_binary(q, sticky, e2, 53, F64_EMIN_LSB, F64_EMAX_LSB) {
                Some((m, e)) => {
                    let v = f64_from_parts(neg, m, e);
                    (v, v == 0.0 && q != 0)
                }
                None => (
                    if neg {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    },
                    true,
                ),
            }
        }
    }
}

/// Redis `string2d`: the whole input must be a number for `strtod` (decimal,
/// hex float, inf/infinity; optional sign), no leading whitespace, no NaN,
/// no overflow to +-inf, no underflow to zero. Subnormals are accepted.
pub fn string2d(s: &[u8]) -> Option<f64> {
    let syn = parse_strtod_syntax(s)?;
    let (v, erange) = strtod_value(&syn);
    if erange || v.is_nan() {
        return None;
    }
    Some(v)
}

/// Plain `strtod(s, &end)` requiring the whole input to be consumed, ignoring
/// ERANGE (returns +-inf / 0 on overflow / underflow), rejecting NaN and
/// leading whitespace. Useful for callers that use `strtod` directly (e.g.
/// ZRANGEBYSCORE bounds check `*eptr != '\0' || isnan`).
pub fn strtod_full(s: &[u8]) -> Option<f64> {
    let syn = parse_strtod_syntax(s)?;
    let (v, _) = strtod_value(&syn);
    if v.is_nan() {
        None
    } else {
        Some(v)
    }
}

/// Redis `double2ll`: Some(i) if `d` is integral and within +-LLONG_MAX/2
/// (converted to double, i.e. +-2^62).
pub fn double2ll(d: f64) -> Option<i64> {
    const LIM: f64 = (i64::MAX / 2) as f64;
    if !(-LIM..=LIM).contains(&d) {
        return None;
    }
    let ll = d as i64;
    if ll as f64 == d {
        Some(ll)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Exact float formatting
// ---------------------------------------------------------------------------

const POW10_U128: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// floor(2 * mant * 2^e2 * 10^t) and whether the discarded part is non-zero.
/// The caller guarantees the result fits in u128.
fn scaled_times_two(mant: u64, e2: i64, t: i64) -> (u128, bool) {
    let e = e2 + 1; // the factor two
                    // Fast path: mant * 10^t fits in u128 and the denominator is a power of 2.
    if (0..39).contains(&t) {
        if let Some(n) = (mant as u128).checked_mul(POW10_U128[t as usize]) {
            if e <= 0 {
                let k = -e;
                if k >= 128 {
                    return (0, n != 0);
                }
                let k = k as u32;
                let q = n >> k;
                let st = k > 0 && (n & ((1u128 << k) - 1)) != 0;
                return (q, st);
            } else if (e as u32) < n.leading_zeros() {
                return (n << e as u32, false);
            }
        }
    }
    if t <= 0 && t > -39 && (0..64).contains(&e) {
        let n = (mant as u128) << e as u32;
        let d = POW10_U128[(-t) as usize];
        return (n / d, !n.is_multiple_of(d));
    }
    // Exact big-integer path.
    let mut num = Big::from_u128(mant as u128);
    if t > 0 {
        num.mul_pow10(t as u32);
    }
    if e > 0 {
        num.shl(e as u64);
    }
    if t >= 0 {
        let st = if e < 0 {
            num.shr_sticky((-e) as u64)
        } else {
            false
        };
        return (num.to_u128().unwrap_or(u128::MAX), st);
    }
    let mut den = Big::pow10((-t) as u32);
    if e < 0 {
        den.shl((-e) as u64);
    }
    match num.div_small_quotient(&den, 127) {
        Some((q, st)) => (q, st),
        None => (u128::MAX, true),
    }
}

/// Exact `printf("%.{prec}g")` of the finite value (-1)^neg * mant * 2^e2
/// with `1 <= prec <= 19` (glibc rounding: round-half-even on exact ties).
pub(crate) fn format_g(out: &mut Vec<u8>, neg: bool, mant: u64, e2: i64, prec: u32) {
    let prec = prec.clamp(1, 19);
    if neg {
        out.push(b'-');
    }
    if mant == 0 {
        out.push(b'0');
        return;
    }
    let p = prec as i64;
    let lo = POW10_U128[(prec - 1) as usize];
    let hi = POW10_U128[prec as usize];
    // Estimate the decimal exponent.
    let log2 = (mant as f64).log2() + e2 as f64;
    let mut x = (log2 * std::f64::consts::LOG10_2).floor() as i64;
    let (mut q, mut rb, mut st);
    let mut guard = 0;
    loop {
        let (q2, s) = scaled_times_two(mant, e2, p - 1 - x);
        q = q2 >> 1;
        rb = q2 & 1 != 0;
        st = s;
        guard += 1;
        if guard > 4 {
            break;
        }
        if q >= hi {
            x += 1;
        } else if q < lo {
            x -= 1;
        } else {
            break;
        }
    }
    if rb && (st || q & 1 != 0) {
        q += 1;
        if q == hi {
            q = lo;
            x += 1;
        }
    }
    // Digits of q (exactly prec digits).
    let mut digits = [b'0'; 20];
    let mut v = q;
    for i in (0..prec as usize).rev() {
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let digits = &digits[..prec as usize];
    if x < -4 || x >= p {
        out.push(digits[0]);
        let mut end = digits.len();
        while end > 1 && digits[end - 1] == b'0' {
            end -= 1;
        }
        if end > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..end]);
        }
        out.push(b'e');
        out.push(if x < 0 { b'-' } else { b'+' });
        let ax = x.unsigned_abs();
        if ax < 10 {
            out.push(b'0');
        }
        ull2string(out, ax);
    } else if x >= 0 {
        let ip = (x + 1) as usize;
        out.extend_from_slice(&digits[..ip]);
        let mut end = digits.len();
        while end > ip && digits[end - 1] == b'0' {
            end -= 1;
        }
        if end > ip {
            out.push(b'.');
            out.extend_from_slice(&digits[ip..end]);
        }
    } else {
        out.extend_from_slice(b"0.");
        for _ in 0..(-x - 1) {
            out.push(b'0');
        }
        let mut end = digits.len();
        while end > 1 && digits[end - 1] == b'0' {
            end -= 1;
        }
        out.extend_from_slice(&digits[..end]);
    }
}

/// Exact `printf("%.{prec}f")` of the finite value (-1)^neg * mant * 2^e2
/// with `prec <= 19`, round-half-even on exact ties (glibc behaviour).
/// A negative value that rounds to zero keeps its '-' sign (as glibc does).
pub(crate) fn format_fixed(out: &mut Vec<u8>, neg: bool, mant: u64, e2: i64, prec: u32) {
    let prec = prec.min(19);
    if neg {
        out.push(b'-');
    }
    if e2 >= 0 {
        // Integer value.
        if e2 < 64 && (mant as u128) << e2 as u32 >> e2 as u32 == mant as u128 {
            let v = (mant as u128) << e2 as u32;
            write_u128(out, v);
        } else {
            let mut b = Big::from_u128(mant as u128);
            b.shl(e2 as u64);
            b.write_decimal(out);
        }
        if prec > 0 {
            out.push(b'.');
            for _ in 0..prec {
                out.push(b'0');
            }
        }
        return;
    }
    let n = mant as u128 * POW10_U128[prec as usize]; // < 2^128
    let k = -e2;
    let (mut q, rb, st) = if k > 128 {
        (0u128, false, n != 0)
    } else if k == 128 {
        (0, n >> 127 != 0, n << 1 != 0)
    } else {
        let k = k as u32;
        (
            n >> k,
            (n >> (k - 1)) & 1 != 0,
            n & ((1u128 << (k - 1)) - 1) != 0,
        )
    };
    if rb && (st || q & 1 != 0) {
        q += 1;
    }
    let scale = POW10_U128[prec as usize];
    write_u128(out, q / scale);
    if prec > 0 {
        out.push(b'.');
        let mut f = q % scale;
        let start = out.len();
        out.resize(start + prec as usize, b'0');
        for i in (0..prec as usize).rev() {
            out[start + i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
    }
}

fn write_u128(out: &mut Vec<u8>, v: u128) {
    if v <= u64::MAX as u128 {
        ull2string(out, v as u64);
    } else {
        let hi = v / POW10_U128[19];
        let lo = (v % POW10_U128[19]) as u64;
        write_u128(out, hi);
        let start = out.len();
        out.resize(start + 19, b'0');
        let mut f = lo;
        for i in (0..19).rev() {
            out[start + i] = b'0' + (f % 10) as u8;
            f /= 10;
        }
    }
}

/// glibc `printf("%.17g", v)`: "inf", "-inf", "nan", "-nan" for
/// non-finite values, "-0" for negative zero.
pub fn fmt_g17(buf: &mut Vec<u8>, v: f64) {
    fmt_g(buf, v, 17)
}

/// glibc `printf("%.{prec}g", v)` for 1 <= prec <= 19.
pub fn fmt_g(buf: &mut Vec<u8>, v: f64, prec: u32) {
    if v.is_nan() {
        buf.extend_from_slice(if v.is_sign_negative() {
            b"-nan"
        } else {
            b"nan"
        });
        return;
    }
    if v.is_infinite() {
        buf.extend_from_slice(if v < 0.0 { b"-inf" } else { b"inf" });
        return;
    }
    let (neg, m, e) = f64_parts(v);
    format_g(buf, neg, m, e, prec);
}

/// Payload of Redis `addReplyDouble` (RESP2 bulk string body and also the
/// text after ',' of a RESP3 double): "inf"/"-inf" for infinities, else
/// `%.17g`.
pub fn d2string_resp(buf: &mut Vec<u8>, d: f64) {
    fmt_g17(buf, d)
}

/// Redis `d2string` (zset scores in listpacks, module API): "nan", "inf",
/// "-inf", "0"/"-0" for zeros, integers printed via `ll2string` when
/// `double2ll` succeeds, otherwise `%.17g`.
pub fn d2string(buf: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        buf.extend_from_slice(b"nan");
    } else if v.is_infinite() {
        buf.extend_from_slice(if v < 0.0 { b"-inf" } else { b"inf" });
    } else if v == 0.0 {
        buf.extend_from_slice(if v.is_sign_negative() { b"-0" } else { b"0" });
    } else if let Some(l) = double2ll(v) {
        ll2string(buf, l);
    } else {
        fmt_g17(buf, v);
    }
}

/// Redis `fixedpoint_d2string` (GEO distances with 4 digits): value is
/// `llrint(v * 10^digits)` printed with a dot inserted. Returns false (and
/// writes nothing) if `fractional_digits` is outside 1..=17. Out-of-range or
/// NaN products behave like x86 `llrint` (LLONG_MIN).
pub fn fixedpoint_d2string(buf: &mut Vec<u8>, v: f64, fractional_digits: u32) -> bool {
    if !(1..=17).contains(&fractional_digits) {
        return false;
    }
    if v == 0.0 {
        buf.extend_from_slice(b"0.");
        buf.resize(buf.len() + fractional_digits as usize, b'0');
        return true;
    }
    let scaled = (v * POW10_U128[fractional_digits as usize] as f64).round_ties_even();
    let sv: i64 = if scaled.is_nan()
        || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&scaled)
    {
        i64::MIN
    } else {
        scaled as i64
    };
    if sv < 0 {
        buf.push(b'-');
    }
    let u = sv.unsigned_abs();
    let scale = POW10_U128[fractional_digits as usize] as u64;
    ull2string(buf, u / scale);
    buf.push(b'.');
    let start = buf.len();
    buf.resize(start + fractional_digits as usize, b'0');
    let mut f = u % scale;
    for i in (0..fractional_digits as usize).rev() {
        buf[start + i] = b'0' + (f % 10) as u8;
        f /= 10;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn string2ll_cases() {
        // from Redis util.c test_string2ll
        assert_eq!(string2ll(b""), None);
        assert_eq!(string2ll(b" 1"), None);
        assert_eq!(string2ll(b" 1 "), None);
        assert_eq!(string2ll(b"1 "), None);
        assert_eq!(string2ll(b"01"), None);
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"1"), Some(1));
        assert_eq!(string2ll(b"99"), Some(99));
        assert_eq!(string2ll(b"-99"), Some(-99));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"-9223372036854775809"), None);
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        assert_eq!(string2ll(b"18446744073709551615"), None);
        assert_eq!(string2ll(b"18446744073709551616"), None);
        assert_eq!(string2ll(b"-0"), None);
        assert_eq!(string2ll(b"+1"), None);
        assert_eq!(string2ll(b"-"), None);
        assert_eq!(string2ll(b"1a"), None);
        assert_eq!(string2ll(b"00"), None);
        assert_eq!(string2ll(b"1\0"), None);
        assert_eq!(string2ll(b"000000000000000000001"), None);
        assert_eq!(string2l(b"-123"), Some(-123));
    }

    #[test]
    fn string2ull_cases() {
        assert_eq!(string2ull(b"0"), Some(0));
        assert_eq!(string2ull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(string2ull(b"18446744073709551616"), None);
        assert_eq!(string2ull(b"-1"), None);
        assert_eq!(string2ull(b"-01"), Some(u64::MAX));
        assert_eq!(string2ull(b" 12"), Some(12));
        assert_eq!(string2ull(b"+12"), Some(12));
        assert_eq!(string2ull(b"007"), Some(7));
        assert_eq!(string2ull(b"12 "), None);
        assert_eq!(string2ull(b""), None);
        assert_eq!(string2ull(b"-"), None);
        assert_eq!(string2ull(b"12\0zz"), Some(12));
    }

    #[test]
    fn ll2string_cases() {
        for v in [
            0i64,
            1,
            -1,
            9,
            10,
            99,
            100,
            12345,
            -12345,
            i64::MAX,
            i64::MIN,
            1000000000000,
        ] {
            assert_eq!(s(|b| ll2string(b, v)), v.to_string());
            assert_eq!(sdigits10(v) as usize, v.to_string().len());
        }
        assert_eq!(s(|b| ull2string(b, u64::MAX)), u64::MAX.to_string());
        let mut x: u64 = 0x9e3779b97f4a7c15;
        for _ in 0..10000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x >> (x % 64)) as i64;
            assert_eq!(s(|b| ll2string(b, v)), v.to_string());
            assert_eq!(string2ll(v.to_string().as_bytes()), Some(v));
        }
    }

    #[test]
    fn string2d_cases() {
        assert_eq!(string2d(b"1.5"), Some(1.5));
        assert_eq!(string2d(b"+1.5"), Some(1.5));
        assert_eq!(string2d(b"-.5"), Some(-0.5));
        assert_eq!(string2d(b"5."), Some(5.0));
        assert_eq!(string2d(b"1e3"), Some(1000.0));
        assert_eq!(string2d(b"1E+3"), Some(1000.0));
        assert_eq!(string2d(b"inf"), Some(f64::INFINITY));
        assert_eq!(string2d(b"-INFINITY"), Some(f64::NEG_INFINITY));
        assert_eq!(string2d(b"+Inf"), Some(f64::INFINITY));
        assert_eq!(string2d(b"infin"), None);
        assert_eq!(string2d(b"nan"), None);
        assert_eq!(string2d(b"NaN"), None);
        assert_eq!(string2d(b"-nan"), None);
        assert_eq!(string2d(b"nan(123)"), None);
        assert_eq!(string2d(b"0x10"), Some(16.0));
        assert_eq!(string2d(b"0x1p3"), Some(8.0));
        assert_eq!(string2d(b"0X1.8P-1"), Some(0.75));
        assert_eq!(string2d(b"0x.8"), Some(0.5));
        assert_eq!(string2d(b"0x"), None);
        assert_eq!(string2d(b"0x1p"), None);
        assert_eq!(string2d(b"1e"), None);
        assert_eq!(string2d(b"1e+"), None);
        assert_eq!(string2d(b"."), None);
        assert_eq!(string2d(b""), None);
        assert_eq!(string2d(b" 1"), None);
        assert_eq!(string2d(b"1 "), None);
        assert_eq!(string2d(b"1\0"), None);
        assert_eq!(string2d(b"1e400"), None);
        assert_eq!(string2d(b"-1e400"), None);
        assert_eq!(string2d(b"1e-400"), None);
        assert_eq!(string2d(b"0e-400"), Some(0.0));
        assert_eq!(string2d(b"0x0p-99999"), Some(0.0));
        assert_eq!(string2d(b"4e-320"), Some(4e-320));
        assert_eq!(string2d(b"2.4e-324"), None);
        assert_eq!(string2d(b"2.5e-324"), Some(5e-324));
        assert_eq!(string2d(b"1e99999999999999999999999"), None);
        assert_eq!(string2d(b"0x1p1024"), None);
        assert_eq!(string2d(b"0x1.fffffffffffff8p1023"), None); // rounds up to 2^1024
        assert_eq!(string2d(b"0x1.fffffffffffff7p1023"), Some(f64::MAX));
        assert_eq!(string2d(b"0x1p-1074"), Some(5e-324));
        assert_eq!(string2d(b"0x1p-1075"), None); // tie to even -> 0 -> ERANGE
        assert_eq!(string2d(b"0x1.1p-1075"), Some(5e-324));
        assert_eq!(
            string2d(b"0x123456789abcdef123456789p0"),
            Some(5.63400266768102e+27)
        );
        assert_eq!(strtod_full(b"1e400"), Some(f64::INFINITY));
    }

    #[test]
    fn double2ll_cases() {
        assert_eq!(double2ll(1.0), Some(1));
        assert_eq!(double2ll(-3.0), Some(-3));
        assert_eq!(double2ll(1.5), None);
        assert_eq!(double2ll(4611686018427387904.0), Some(4611686018427387904));
        assert_eq!(double2ll(9223372036854775807.0), None);
        assert_eq!(double2ll(f64::NAN), None);
        assert_eq!(double2ll(f64::INFINITY), None);
    }

    #[test]
    fn g17_known() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1e-5, "1.0000000000000001e-05"),
            (3.25e-3, "0.0032499999999999999"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (1e300, "1.0000000000000001e+300"),
            (2.5, "2.5"),
            (1e100, "1e+100"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (12345.678, "12345.678"),
            (9007199254740993.0, "9007199254740992"),
        ];
        for &(v, want) in cases {
            assert_eq!(s(|b| fmt_g17(b, v)), want, "value {v:e}");
        }
    }

    #[test]
    fn fmt_g_rounding_ties() {
        // 0.5 -> %.0g-like ties: %.1g of 2.5 is "2", of 3.5 is "4", 0.125 %.2g = "0.12"
        assert_eq!(s(|b| fmt_g(b, 2.5, 1)), "2");
        assert_eq!(s(|b| fmt_g(b, 3.5, 1)), "4");
        assert_eq!(s(|b| fmt_g(b, 0.125, 2)), "0.12");
        assert_eq!(s(|b| fmt_g(b, 0.375, 2)), "0.38");
        assert_eq!(s(|b| fmt_g(b, 9.5, 1)), "1e+01");
        assert_eq!(s(|b| fmt_g(b, 123456.0, 6)), "123456");
        assert_eq!(s(|b| fmt_g(b, 1234567.0, 6)), "1.23457e+06");
    }

    #[test]
    fn g17_roundtrip_random() {
        // %.17g always round-trips.
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if !v.is_finite() {
                continue;
            }
            let txt = s(|b| fmt_g17(b, v));
            assert_eq!(txt.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{txt}");
            // agrees with Rust's exact formatting to 16 decimals in exponent form
            let r = format!("{:.16e}", v);
            let (rm, re) = r.split_once('e').unwrap();
            let (tm, te) = if let Some((a, b)) = txt.split_once('e') {
                (a.to_string(), b.parse::<i32>().unwrap())
            } else {
                (txt.clone(), i32::MIN)
            };
            if te != i32::MIN {
                assert_eq!(te, re.parse::<i32>().unwrap());
                let rm_trim = if rm.contains('.') {
                    rm.trim_end_matches('0').trim_end_matches('.')
                } else {
                    rm
                };
                assert_eq!(tm, rm_trim);
            }
        }
    }

    #[test]
    fn d2string_cases() {
        assert_eq!(s(|b| d2string(b, 1.0)), "1");
        assert_eq!(s(|b| d2string(b, -0.0)), "-0");
        assert_eq!(s(|b| d2string(b, 0.0)), "0");
        assert_eq!(s(|b| d2string(b, 1.5)), "1.5");
        assert_eq!(s(|b| d2string(b, f64::NAN)), "nan");
        assert_eq!(s(|b| d2string(b, f64::NEG_INFINITY)), "-inf");
        assert_eq!(s(|b| d2string(b, 1e18)), "1000000000000000000");
        assert_eq!(s(|b| d2string(b, 1e19)), "1e+19");
        assert_eq!(
            s(|b| d2string(b, 4611686018427387904.0)),
            "4611686018427387904"
        );
        assert_eq!(s(|b| d2string(b, 0.1)), "0.10000000000000001");
        assert_eq!(s(|b| d2string_resp(b, 3.0)), "3");
    }

    #[test]
    fn fixedpoint_cases() {
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, 5.21449928, 4);
            }),
            "5.2145"
        );
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, 0.0, 4);
            }),
            "0.0000"
        );
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, -0.5, 4);
            }),
            "-0.5000"
        );
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, -0.00001, 4);
            }),
            "0.0000"
        );
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, 166274.1516, 4);
            }),
            "166274.1516"
        );
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, 2.5e-4 / 2.0, 4);
            }),
            "0.0001"
        ); // llrint(1.25)
        assert_eq!(
            s(|b| {
                fixedpoint_d2string(b, 1e30, 4);
            }),
            "-922337203685477.5808"
        );
        let mut v = Vec::new();
        assert!(!fixedpoint_d2string(&mut v, 1.0, 0));
        assert!(v.is_empty());
    }

    /// Local glibc comparison: G_VECTORS lines "hexbits %.17g".
    #[test]
    #[ignore]
    fn glibc_g17_external() {
        let Ok(path) = std::env::var("G_VECTORS") else {
            return;
        };
        let data = std::fs::read_to_string(path).unwrap();
        for line in data.lines() {
            let (h, want) = line.split_once(' ').unwrap();
            let v = f64::from_bits(u64::from_str_radix(h, 16).unwrap());
            assert_eq!(s(|b| fmt_g17(b, v)), want, "{h}");
        }
    }

    /// Local glibc comparison: S_VECTORS lines "input hexbits|ERR" (string2d).
    #[test]
    #[ignore]
    fn glibc_string2d_external() {
        let Ok(path) = std::env::var("S_VECTORS") else {
            return;
        };
        let data = std::fs::read_to_string(path).unwrap();
        for line in data.lines() {
            let (inp, want) = line.rsplit_once(' ').unwrap();
            let got = match string2d(inp.as_bytes()) {
                Some(v) => format!("{:016x}", v.to_bits()),
                None => "ERR".to_string(),
            };
            assert_eq!(got, want, "{inp:?}");
        }
    }

    /// Local comparison with Redis' C fixedpoint_d2string: FP_VECTORS lines "hexbits text".
    #[test]
    #[ignore]
    fn redis_fixedpoint_external() {
        let Ok(path) = std::env::var("FP_VECTORS") else {
            return;
        };
        let data = std::fs::read_to_string(path).unwrap();
        for line in data.lines() {
            let (h, want) = line.split_once(' ').unwrap();
            let v = f64::from_bits(u64::from_str_radix(h, 16).unwrap());
            assert_eq!(
                s(|b| {
                    fixedpoint_d2string(b, v, 4);
                }),
                want,
                "{h}"
            );
        }
    }
}
