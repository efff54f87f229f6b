//! Zipmap reader: validation and iteration of Redis 2.x "zipmap" hash blobs
//! (RDB type 9), only used to load very old RDB files and convert the hash to
//! a listpack. Nothing here writes zipmaps.
//!
//! Layout:
//!
//! ```text
//! <zmlen: 1 byte, 254 = unknown> (<len>key <len><free>value <free bytes>)* <0xFF>
//! len = 1 byte 0..253, or 0xFE followed by a u32 (little endian, as written
//!       by the x86 machines that produced these files)
//! ```
//!
//! All reads are bounds checked; corrupt input gives `false` / ends the
//! iteration, never a panic. Lengths are always skipped by their encoded
//! size (1 or 5 bytes, from the first byte), in validation and iteration
//! alike.
//!
//! Mirrors: zipmapValidateIntegrity, zipmapRewind/zipmapNext, zipmapLen and
//! the RDB_TYPE_HASH_ZIPMAP branch of rdbLoadObject (conversion to listpack
//! with duplicate and lpSafeToAdd checks).

use super::listpack::{FieldSet, Listpack, LpVal};

const ZIPMAP_BIGLEN: u8 = 254;
const ZIPMAP_END: u8 = 255;

/// Size of the length prefix starting with byte `b`.
#[inline]
fn len_size(b: u8) -> usize {
    if b < ZIPMAP_BIGLEN {
        1
    } else {
        5
    }
}

/// Decodes the length prefix at `p` (None if it runs off the buffer).
#[inline]
fn decode_len(zm: &[u8], p: usize) -> Option<usize> {
    let b = *zm.get(p)?;
    if b < ZIPMAP_BIGLEN {
        return Some(b as usize);
    }
    let d = zm.get(p + 1..p + 5)?;
    Some(u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize)
}

/// zipmapValidateIntegrity. Shallow: at least 2 bytes, last byte 0xFF.
/// Deep: every key/value inside the buffer, at least one pair, and the count
/// byte equal to the number of pairs unless it is 254.
pub fn validate(zm: &[u8], deep: bool) -> bool {
    let size = zm.len();
    if size < 2 || zm[size - 1] != ZIPMAP_END {
        return false;
    }
    if !deep {
        return true;
    }
    let in_range = |p: usize| (2..size).contains(&p);
    let mut count: u64 = 0;
    let mut p = 1usize;
    while zm[p] != ZIPMAP_END {
        // key
        let s = len_size(zm[p]);
        if !in_range(p + s) {
            return false;
        }
        let l = match decode_len(zm, p) {
            Some(l) => l,
            None => return false,
        };
        p += s + l;
        if !in_range(p) {
            return false;
        }
        // value
        let s = len_size(zm[p]);
        if !in_range(p + s) {
            return false;
        }
        let l = match decode_len(zm, p) {
            Some(l) => l,
            None => return false,
        };
        p += s;
        let free = zm[p] as usize;
        p += 1 + l + free;
        count += 1;
        if !in_range(p) {
            return false;
        }
    }
    if count == 0 {
        return false;
    }
    zm[0] == ZIPMAP_BIGLEN || zm[0] as u64 == count
}

/// Iterator over the (key, value) pairs of a zipmap (zipmapNext). Stops at
/// the end marker or at the first pair running off the buffer.
pub struct Iter<'a> {
    zm: &'a [u8],
    p: usize,
}

impl<'a> Iter<'a> {
    fn step(&mut self) -> Option<(&'a [u8], &'a [u8])> {
        let zm = self.zm;
        let mut p = self.p;
        if *zm.get(p)? == ZIPMAP_END {
            return None;
        }
        let klen = decode_len(zm, p)?;
        p += len_size(zm[p]);
        let key = zm.get(p..p.checked_add(klen)?)?;
        p += klen;
        let vlen = decode_len(zm, p)?;
        p += len_size(zm[p]);
        let free = *zm.get(p)? as usize;
        p += 1;
        let val = zm.get(p..p.checked_add(vlen)?)?;
        p += vlen + free;
        self.p = p;
        Some((key, val))
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let r = self.step();
        if r.is_none() {
            self.p = self.zm.len();
        }
        r
    }
}

/// Iterates the pairs of `zm` (call `validate(zm, true)` first to know the
/// iteration covers everything).
pub fn iter(zm: &[u8]) -> Iter<'_> {
    Iter { zm, p: 1 }
}

/// zipmapLen: the count byte, or a scan when it is 254 (or more).
pub fn len(zm: &[u8]) -> usize {
    match zm.first() {
        Some(&n) if n < ZIPMAP_BIGLEN => n as usize,
        Some(_) => iter(zm).count(),
        None => 0,
    }
}

/// Converts an RDB zipmap hash to a listpack like rdbLoadObject does:
/// deep validation, then field/value appended in order; fails on a duplicate
/// field or when the listpack would pass 1GB. Also returns the longest
/// field or value length (Redis compares it with hash-max-listpack-value to
/// decide on converting to a hashtable).
pub fn to_listpack(zm: &[u8]) -> Option<(Listpack, usize)> {
    if !validate(zm, true) {
        return None;
    }
    let mut lp = Listpack::new();
    let mut fields = FieldSet::with_capacity(len(zm));
    let mut maxlen = 0usize;
    for (k, v) in iter(zm) {
        maxlen = maxlen.max(k.len()).max(v.len());
        if !fields.insert(LpVal::Str(k)) || !lp.safe_to_add(k.len() + v.len()) {
            return None;
        }
        if !lp.append(k) || !lp.append(v) {
            return None;
        }
    }
    Some((lp, maxlen))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz cases per run (fewer in unoptimized builds to keep tests quick).
    const FUZZ_CASES: usize = if cfg!(debug_assertions) {
        60_000
    } else {
        300_000
    };
    use crate::db::listpack::tests::Rng;
    use crate::db::ziplist::tests::{asset, rdb_keys};

    fn enc_len(out: &mut Vec<u8>, l: usize) {
        if l < 254 {
            out.push(l as u8);
        } else {
            out.push(254);
            out.extend_from_slice(&(l as u32).to_le_bytes());
        }
    }

    /// Hand-built zipmap from pairs, with `free` spare bytes after values.
    fn zm_build(pairs: &[(&[u8], &[u8])], free: u8) -> Vec<u8> {
        let mut z = vec![pairs.len().min(254) as u8];
        for (k, v) in pairs {
            enc_len(&mut z, k.len());
            z.extend_from_slice(k);
            enc_len(&mut z, v.len());
            z.push(free);
            z.extend_from_slice(v);
            z.extend(std::iter::repeat_n(b'#', free as usize));
        }
        z.push(255);
        z
    }

    #[test]
    fn doc_example_and_asset() {
        // From zipmap.c: "foo" => "bar", "hello" => "world".
        let z = b"\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff";
        assert!(validate(z, true));
        assert_eq!(
            iter(z).collect::<Vec<_>>(),
            vec![(&b"foo"[..], &b"bar"[..]), (&b"hello"[..], &b"world"[..])]
        );
        assert_eq!(
            zm_build(&[(b"foo", b"bar"), (b"hello", b"world")], 0),
            z.to_vec()
        );

        let keys = rdb_keys(&asset("hash-zipmap.rdb")).unwrap();
        assert_eq!(keys.len(), 1);
        let (t, k, b) = &keys[0];
        assert_eq!((*t, &k[..]), (9, &b"hash"[..]));
        assert!(validate(&b[0], true));
        let (lp, maxlen) = to_listpack(&b[0]).unwrap();
        assert_eq!(lp, Listpack::from_strs([&b"f1"[..], b"v1", b"f2", b"v2"]));
        assert_eq!(maxlen, 2);
        assert_eq!(len(&b[0]), 2);
    }

    #[test]
    fn big_lengths_free_bytes_and_ints() {
        let long = vec![b'v'; 300];
        let z = zm_build(&[(b"k", &long), (b"12", b"-5"), (&[b'K'; 254], b"")], 3);
        assert!(validate(&z, true));
        let (lp, maxlen) = to_listpack(&z).unwrap();
        assert_eq!(maxlen, 300);
        assert_eq!(
            lp,
            Listpack::from_strs([&b"k"[..], &long, b"12", b"-5", &[b'K'; 254], b""])
        );
        // integers become integer entries, like lpAppend does in Redis
        assert_eq!(lp.get(lp.seek(2).unwrap()), LpVal::Int(12));
        // count byte 254 = unknown
        let mut u = z.clone();
        u[0] = 254;
        assert!(validate(&u, true));
        assert_eq!(len(&u), 3);
    }

    #[test]
    fn validation_rules() {
        let good = zm_build(&[(b"a", b"1"), (b"b", b"2")], 1);
        assert!(validate(&good, true));
        let mut b = good.clone();
        b[0] = 3;
        assert!(validate(&b, false));
        assert!(!validate(&b, true));
        let mut b = good.clone();
        *b.last_mut().unwrap() = 0;
        assert!(!validate(&b, false));
        assert!(!validate(&[0xFF], false));
        assert!(validate(&[0, 0xFF], false));
        assert!(!validate(&[0, 0xFF], true), "empty zipmap is invalid");
        let mut b = good.clone();
        b[1] = 200; // key longer than the buffer
        assert!(!validate(&b, true));
        let mut b = good.clone();
        b[4] = 250; // free bytes past the end
        assert!(!validate(&b, true));
        let mut b = good.clone();
        b[1] = 254; // 5-byte length with garbage
        assert!(!validate(&b, true));
        // duplicates
        let d = zm_build(&[(b"a", b"1"), (b"a", b"2")], 0);
        assert!(validate(&d, true));
        assert!(to_listpack(&d).is_none());
    }

    #[test]
    fn fuzz_never_panics() {
        let start = std::time::Instant::now();
        let mut r = Rng(0x0123456789ABCDEF);
        let long = vec![b'x'; 260];
        let seeds = [
            zm_build(&[(b"a", b"1"), (b"bb", b"22"), (b"c", &long)], 2),
            zm_build(&[(b"hello", b"world")], 0),
        ];
        let mut n = 0;
        while n < FUZZ_CASES && start.elapsed().as_secs() < 10 {
            n += 1;
            let mut b = seeds[r.below(seeds.len())].clone();
            match r.below(3) {
                0 => {
                    let l = 2 + r.below(30);
                    b = (0..l).map(|_| r.next() as u8).collect();
                    b[l - 1] = 0xFF;
                }
                1 => {
                    for _ in 0..1 + r.below(3) {
                        let i = r.below(b.len());
                        b[i] = r.next() as u8;
                    }
                }
                _ => {
                    let l = 2 + r.below(b.len() - 1);
                    b.truncate(l);
                    b[l - 1] = 0xFF;
                }
            }
            let deep = validate(&b, true);
            let cnt = iter(&b).count();
            let _ = len(&b);
            if deep {
                assert!(cnt > 0);
                if let Some((lp, _)) = to_listpack(&b) {
                    assert_eq!(lp.len(), cnt * 2);
                }
            } else {
                assert!(to_listpack(&b).is_none());
            }
        }
    }
}
