//! Minimal arbitrary-precision unsigned integer used only for the *slow paths*
//! of exact binary<->decimal conversion in `num.rs` (`%.17g`) and
//! `longdouble.rs` (`strtold`, `%.17Lf`).
//!
//! Design: little-endian `Vec<u32>` limbs, always normalised (no high zero
//! limbs; zero is the empty vector). Only the handful of operations the
//! conversions need are provided: multiply by a small number / power of ten,
//! shifts (right shift reports whether any 1-bits were dropped, the "sticky"
//! bit needed for correct rounding), short division (for decimal output),
//! comparison and subtraction (for the restoring long division used when
//! parsing numbers with negative decimal exponents). Nothing here mirrors a
//! Redis function: Redis delegates this work to glibc's printf/strtold.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Big {
    limbs: Vec<u32>,
}

impl Big {
    pub(crate) fn zero() -> Big {
        Big { limbs: Vec::new() }
    }

    pub(crate) fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::with_capacity(4);
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big { limbs }
    }

    fn trim(&mut self) {
        while let Some(&0) = self.limbs.last() {
            self.limbs.pop();
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    pub(crate) fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => (self.limbs.len() as u64 - 1) * 32 + (32 - top.leading_zeros() as u64),
        }
    }

    /// Value as u128 if it fits.
    pub(crate) fn to_u128(&self) -> Option<u128> {
        if self.limbs.len() > 4 {
            return None;
        }
        let mut v: u128 = 0;
        for &l in self.limbs.iter().rev() {
            v = (v << 32) | l as u128;
        }
        Some(v)
    }

    /// self = self * m + a
    pub(crate) fn mul_small_add(&mut self, m: u32, a: u32) {
        let mut carry: u64 = a as u64;
        for l in self.limbs.iter_mut() {
            let t = (*l as u64) * (m as u64) + carry;
            *l = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    /// self *= 10^n
    pub(crate) fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_small_add(1_000_000_000, 0);
            n -= 9;
        }
        if n > 0 {
            self.mul_small_add(10u32.pow(n), 0);
        }
    }

    pub(crate) fn pow10(n: u32) -> Big {
        let mut b = Big::from_u128(1);
        b.mul_pow10(n);
        b
    }

    /// self <<= n
    pub(crate) fn shl(&mut self, n: u64) {
        if self.is_zero() || n == 0 {
            return;
        }
        let words = (n / 32) as usize;
        let bits = (n % 32) as u32;
        if bits != 0 {
            let mut carry = 0u32;
            for l in self.limbs.iter_mut() {
                let nl = (*l << bits) | carry;
                carry = *l >> (32 - bits);
                *l = nl;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0u32, words));
        }
    }

    /// self >>= n; returns true if any dropped bit was 1.
    pub(crate) fn shr_sticky(&mut self, n: u64) -> bool {
        if n == 0 || self.is_zero() {
            return false;
        }
        let words = (n / 32) as usize;
        let bits = (n % 32) as u32;
        if words >= self.limbs.len() {
            self.limbs.clear();
            return true; // non-zero value entirely shifted out
        }
        let mut sticky = self.limbs[..words].iter().any(|&l| l != 0);
        self.limbs.drain(0..words);
        if bits != 0 {
            sticky |= self
                .limbs
                .first()
                .is_some_and(|&l| l & ((1u32 << bits) - 1) != 0);
            let len = self.limbs.len();
            for i in 0..len {
                let hi = if i + 1 < len {
                    self.limbs[i + 1] << (32 - bits)
                } else {
                    0
                };
                self.limbs[i] = (self.limbs[i] >> bits) | hi;
            }
        }
        self.trim();
        sticky
    }

    /// self /= d; returns remainder.
    pub(crate) fn div_small(&mut self, d: u32) -> u32 {
        let mut rem: u64 = 0;
        for l in self.limbs.iter_mut().rev() {
            let cur = (rem << 32) | *l as u64;
            *l = (cur / d as u64) as u32;
            rem = cur % d as u64;
        }
        self.trim();
        rem as u32
    }

    pub(crate) fn cmp(&self, o: &Big) -> Ordering {
        if self.limbs.len() != o.limbs.len() {
            return self.limbs.len().cmp(&o.limbs.len());
        }
        for i in (0..self.limbs.len()).rev() {
            if self.limbs[i] != o.limbs[i] {
                return self.limbs[i].cmp(&o.limbs[i]);
            }
        }
        Ordering::Equal
    }

    /// self -= o (requires self >= o).
    pub(crate) fn sub_assign(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let b = if i < o.limbs.len() {
                o.limbs[i] as i64
            } else {
                0
            };
            let mut t = self.limbs[i] as i64 - b - borrow;
            if t < 0 {
                t += 1 << 32;
                borrow = 1;
            } else {
                borrow = 0;
            }
            self.limbs[i] = t as u32;
        }
        self.trim();
    }

    /// Restoring binary long division for quotients known to be small:
    /// returns (self / d, remainder != 0), or None if the quotient would not
    /// fit in `max_bits` bits. `self` is consumed as the remainder.
    pub(crate) fn div_small_quotient(mut self, d: &Big, max_bits: u32) -> Option<(u128, bool)> {
        if d.is_zero() || max_bits > 127 {
            return None;
        }
        let (nb, db) = (self.bit_len(), d.bit_len());
        if nb > db + max_bits as u64 {
            return None;
        }
        let top = nb.saturating_sub(db); // quotient < 2^(top+1)
        let mut shifted = d.clone();
        shifted.shl(top);
        let mut q: u128 = 0;
        let mut j = top as i64;
        while j >= 0 {
            if self.cmp(&shifted) != Ordering::Less {
                self.sub_assign(&shifted);
                q |= 1u128 << j;
            }
            shifted.shr_sticky(1);
            j -= 1;
        }
        if q >> max_bits != 0 {
            return None;
        }
        Some((q, !self.is_zero()))
    }

    /// Append the decimal representation (no leading zeros; "0" for zero).
    pub(crate) fn write_decimal(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(b'0');
            return;
        }
        let mut tmp = self.clone();
        let mut chunks: Vec<u32> = Vec::with_capacity(self.limbs.len() * 32 / 29 + 1);
        while !tmp.is_zero() {
            chunks.push(tmp.div_small(1_000_000_000));
        }
        let mut first = true;
        for &c in chunks.iter().rev() {
            if first {
                let mut b = [0u8; 10];
                let mut i = b.len();
                let mut v = c;
                loop {
                    i -= 1;
                    b[i] = b'0' + (v % 10) as u8;
                    v /= 10;
                    if v == 0 {
                        break;
                    }
                }
                out.extend_from_slice(&b[i..]);
                first = false;
            } else {
                let mut b = [b'0'; 9];
                let mut v = c;
                for k in (0..9).rev() {
                    b[k] = b'0' + (v % 10) as u8;
                    v /= 10;
                }
                out.extend_from_slice(&b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(b: &Big) -> String {
        let mut v = Vec::new();
        b.write_decimal(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn basics() {
        let mut b = Big::pow10(30);
        assert_eq!(dec(&b), format!("1{}", "0".repeat(30)));
        b.shl(100);
        assert!(!b.shr_sticky(100));
        assert_eq!(dec(&b), format!("1{}", "0".repeat(30)));
        let mut c = Big::from_u128(5);
        assert!(c.shr_sticky(1));
        assert_eq!(c.to_u128(), Some(2));
        let n = Big::pow10(40);
        let d = Big::pow10(20);
        assert_eq!(
            n.div_small_quotient(&d, 80),
            Some((100_000_000_000_000_000_000u128, false))
        );
        let mut n = Big::pow10(40);
        n.mul_small_add(1, 7);
        assert_eq!(
            n.div_small_quotient(&d, 80),
            Some((100_000_000_000_000_000_000u128, true))
        );
        assert_eq!(
            Big::pow10(60).div_small_quotient(&Big::from_u128(1), 80),
            None
        );
        assert_eq!(dec(&Big::zero()), "0");
        let mut x = Big::from_u128(u128::MAX);
        x.sub_assign(&Big::from_u128(u64::MAX as u128));
        assert_eq!(x.to_u128(), Some(u128::MAX - u64::MAX as u128));
        assert_eq!(Big::from_u128(1 << 70).bit_len(), 71);
    }
}
