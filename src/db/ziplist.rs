//! Ziplist reader: validation and iteration of Redis's pre-7.0 "ziplist"
//! blobs, used only to load RDB v9-and-older payloads (hash / zset ziplists,
//! list ziplists and quicklist v1 nodes) and convert them to listpacks.
//! Nothing here writes ziplists: Redis 7.0 never produces them.
//!
//! Layout (all little endian unless noted):
//!
//! ```text
//! <zlbytes u32> <zltail u32: offset of last entry> <zllen u16, 65535 = unknown>
//! <entry>* <0xFF>
//! entry = <prevlen: 1 byte < 254, or 0xFE + u32> <encoding> <data>
//! encoding: 00LLLLLL str <= 63 | 01LLLLLL LLLLLLLL str (14-bit BE length)
//!   | 10000000 + u32 BE length | C0 i16 | D0 i32 | E0 i64 | F0 i24 | FE i8
//!   | F1..FD immediate 0..12
//! ```
//!
//! Every read is bounds checked; garbage gives `false` / ends the iteration,
//! never a panic or an endless loop (each step advances at least 2 bytes).
//!
//! Mirrors: ziplistValidateIntegrity (+ zipEntrySafe), ziplistGet /
//! zipLoadInteger, ziplistLen, and rdb.c's _ziplistEntryConvertAndValidate /
//! ziplistPairsConvertAndValidateIntegrity (conversion to listpack).

use super::listpack::{FieldSet, Listpack, LpVal};

const ZIPLIST_HEADER_SIZE: usize = 10;
const ZIP_END: u8 = 0xFF;
const ZIP_BIG_PREVLEN: u8 = 0xFE;

const ZIP_STR_06B: u8 = 0x00;
const ZIP_STR_14B: u8 = 0x40;
const ZIP_STR_32B: u8 = 0x80;
const ZIP_INT_16B: u8 = 0xC0;
const ZIP_INT_32B: u8 = 0xD0;
const ZIP_INT_64B: u8 = 0xE0;
const ZIP_INT_24B: u8 = 0xF0;
const ZIP_INT_8B: u8 = 0xFE;
const ZIP_INT_IMM_MIN: u8 = 0xF1;
const ZIP_INT_IMM_MAX: u8 = 0xFD;

/// Decoded header of one entry (zlentry).
#[derive(Clone, Copy, Debug)]
struct Entry {
    prevrawlen: usize,
    headersize: usize,
    len: usize,
    encoding: u8,
}

impl Entry {
    #[inline]
    fn total(&self) -> usize {
        self.headersize + self.len
    }
}

/// zipEncodingLenSize: bytes of the encoding header, None if invalid.
#[inline]
fn encoding_len_size(enc: u8) -> Option<usize> {
    match enc {
        ZIP_INT_16B | ZIP_INT_32B | ZIP_INT_24B | ZIP_INT_64B | ZIP_INT_8B => Some(1),
        ZIP_INT_IMM_MIN..=ZIP_INT_IMM_MAX => Some(1),
        ZIP_STR_06B => Some(1),
        ZIP_STR_14B => Some(2),
        ZIP_STR_32B => Some(5),
        _ => None,
    }
}

/// zipEntrySafe: decodes the entry at `p`, checking that its headers and
/// data lie between the first entry and the end marker (and, with
/// `validate_prevlen`, that the previous-entry length points inside too).
#[inline]
fn entry_safe(zl: &[u8], p: usize, validate_prevlen: bool) -> Option<Entry> {
    let last = zl.len().checked_sub(1)?;
    let in_range = |x: usize| (ZIPLIST_HEADER_SIZE..=last).contains(&x);
    if !in_range(p) {
        return None;
    }
    let prevlensize = if zl[p] < ZIP_BIG_PREVLEN { 1 } else { 5 };
    if !in_range(p + prevlensize) {
        return None;
    }
    let mut enc = zl[p + prevlensize];
    if enc < 0xC0 {
        enc &= 0xC0;
    }
    let lensize = encoding_len_size(enc)?;
    if !in_range(p + prevlensize + lensize) {
        return None;
    }
    let prevrawlen = if prevlensize == 1 {
        zl[p] as usize
    } else {
        u32::from_le_bytes([zl[p + 1], zl[p + 2], zl[p + 3], zl[p + 4]]) as usize
    };
    let e = p + prevlensize;
    let len = match enc {
        ZIP_STR_06B => (zl[e] & 0x3F) as usize,
        ZIP_STR_14B => (((zl[e] & 0x3F) as usize) << 8) | zl[e + 1] as usize,
        ZIP_STR_32B => u32::from_be_bytes([zl[e + 1], zl[e + 2], zl[e + 3], zl[e + 4]]) as usize,
        ZIP_INT_8B => 1,
        ZIP_INT_16B => 2,
        ZIP_INT_24B => 3,
        ZIP_INT_32B => 4,
        ZIP_INT_64B => 8,
        _ => 0, // immediate
    };
    let headersize = prevlensize + lensize;
    if !in_range(p + headersize + len) {
        return None;
    }
    if validate_prevlen && (p < prevrawlen || !in_range(p - prevrawlen)) {
        return None;
    }
    Some(Entry {
        prevrawlen,
        headersize,
        len,
        encoding: enc,
    })
}

/// ziplistGet for an entry already checked by `entry_safe`.
#[inline]
fn entry_value<'a>(zl: &'a [u8], p: usize, e: &Entry) -> LpVal<'a> {
    let d = p + e.headersize;
    match e.encoding {
        ZIP_STR_06B | ZIP_STR_14B | ZIP_STR_32B => LpVal::Str(&zl[d..d + e.len]),
        ZIP_INT_8B => LpVal::Int(zl[d] as i8 as i64),
        ZIP_INT_16B => LpVal::Int(i16::from_le_bytes([zl[d], zl[d + 1]]) as i64),
        ZIP_INT_24B => {
            LpVal::Int((i32::from_le_bytes([0, zl[d], zl[d + 1], zl[d + 2]]) >> 8) as i64)
        }
        ZIP_INT_32B => {
            LpVal::Int(i32::from_le_bytes([zl[d], zl[d + 1], zl[d + 2], zl[d + 3]]) as i64)
        }
        ZIP_INT_64B => {
            let mut a = [0u8; 8];
            a.copy_from_slice(&zl[d..d + 8]);
            LpVal::Int(i64::from_le_bytes(a))
        }
        imm => LpVal::Int(((imm & 0x0F) as i64) - 1),
    }
}

#[inline]
fn read_u32_le(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// ziplistValidateIntegrity. Shallow (`deep == false`): at least 11 bytes,
/// zlbytes == `bytes.len()`, last byte 0xFF, zltail inside. Deep: also every
/// entry in bounds with a valid encoding, each prevlen equal to the previous
/// entry's size, zltail pointing at the last entry, count matching (unless
/// 65535).
pub fn validate(bytes: &[u8], deep: bool) -> bool {
    validate_with(bytes, deep, |_| true)
}

/// `validate` handing every entry to `cb` in deep mode (Redis's entry_cb);
/// a `false` from `cb` fails the validation.
pub fn validate_with<'a, F: FnMut(LpVal<'a>) -> bool>(
    bytes: &'a [u8],
    deep: bool,
    mut cb: F,
) -> bool {
    let size = bytes.len();
    if size < ZIPLIST_HEADER_SIZE + 1 {
        return false;
    }
    if read_u32_le(bytes, 0) as usize != size {
        return false;
    }
    if bytes[size - 1] != ZIP_END {
        return false;
    }
    let tail = read_u32_le(bytes, 4) as usize;
    if tail > size - 1 {
        return false;
    }
    if !deep {
        return true;
    }
    let header_count = u16::from_le_bytes([bytes[8], bytes[9]]);
    let mut count: u32 = 0;
    let mut p = ZIPLIST_HEADER_SIZE;
    let mut prev: Option<usize> = None;
    let mut prev_raw_size = 0usize;
    while bytes[p] != ZIP_END {
        let e = match entry_safe(bytes, p, true) {
            Some(e) => e,
            None => return false,
        };
        if e.prevrawlen != prev_raw_size {
            return false;
        }
        if !cb(entry_value(bytes, p, &e)) {
            return false;
        }
        prev_raw_size = e.total();
        prev = Some(p);
        p += e.total();
        count += 1;
    }
    if p != size - 1 {
        return false;
    }
    if let Some(pr) = prev {
        if pr != tail {
            return false;
        }
    }
    header_count == u16::MAX || header_count as u32 == count
}

/// Forward iterator over the entries of a ziplist. Stops at the end marker
/// or at the first entry that does not decode safely.
pub struct Iter<'a> {
    zl: &'a [u8],
    p: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpVal<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpVal<'a>> {
        if *self.zl.get(self.p)? == ZIP_END {
            return None;
        }
        match entry_safe(self.zl, self.p, false) {
            Some(e) => {
                let v = entry_value(self.zl, self.p, &e);
                self.p += e.total();
                Some(v)
            }
            None => {
                self.p = self.zl.len();
                None
            }
        }
    }
}

/// Iterates the entries of `bytes` (call `validate(bytes, true)` first to
/// know the iteration covers everything).
pub fn iter(bytes: &[u8]) -> Iter<'_> {
    let p = if bytes.len() > ZIPLIST_HEADER_SIZE {
        ZIPLIST_HEADER_SIZE
    } else {
        bytes.len()
    };
    Iter { zl: bytes, p }
}

/// ziplistLen: header count, or a scan when it says 65535.
pub fn len(bytes: &[u8]) -> usize {
    if bytes.len() < ZIPLIST_HEADER_SIZE {
        return 0;
    }
    let n = u16::from_le_bytes([bytes[8], bytes[9]]);
    if n != u16::MAX {
        n as usize
    } else {
        iter(bytes).count()
    }
}

/// rdb.c _ziplistEntryConvertAndValidate: deep-validates `bytes` and builds
/// the listpack with the same elements (RDB list ziplists / quicklist v1
/// nodes). None if the ziplist is invalid.
pub fn to_listpack(bytes: &[u8]) -> Option<Listpack> {
    let mut lp = Listpack::with_capacity(bytes.len());
    let mut ok = true;
    let valid = validate_with(bytes, true, |v| {
        ok = lp.append_val(v);
        ok
    });
    if valid && ok {
        lp.shrink_to_fit();
        Some(lp)
    } else {
        None
    }
}

/// rdb.c ziplistPairsConvertAndValidateIntegrity: like `to_listpack` for
/// field/value (hash) or member/score (zset) ziplists, also failing on a
/// duplicate field or an odd number of entries.
pub fn pairs_to_listpack(bytes: &[u8]) -> Option<Listpack> {
    let mut lp = Listpack::with_capacity(bytes.len());
    let mut fields = FieldSet::with_capacity(len(bytes) / 2);
    let mut count = 0usize;
    let valid = validate_with(bytes, true, |v| {
        if count & 1 == 0 && !fields.insert(v) {
            return false;
        }
        count += 1;
        lp.append_val(v)
    });
    if valid && count & 1 == 0 {
        lp.shrink_to_fit();
        Some(lp)
    } else {
        None
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

    /// Minimal RDB reader for the test assets: returns (type, key, value
    /// blobs) for each key; value blobs are the raw strings of the
    /// encoded types (9..=14), other types are skipped over.
    /// (RDB type, key, value blobs) of one key.
    pub(crate) type RdbKey = (u8, Vec<u8>, Vec<Vec<u8>>);

    pub(crate) fn rdb_keys(d: &[u8]) -> Result<Vec<RdbKey>, String> {
        struct R<'a> {
            d: &'a [u8],
            i: usize,
        }
        impl R<'_> {
            fn byte(&mut self) -> Result<u8, String> {
                let b = *self.d.get(self.i).ok_or("eof")?;
                self.i += 1;
                Ok(b)
            }
            fn take(&mut self, n: usize) -> Result<&[u8], String> {
                let s = self.d.get(self.i..self.i + n).ok_or("eof")?;
                self.i += n;
                Ok(s)
            }
            /// (len, is_special_encoding)
            fn len(&mut self) -> Result<(usize, bool), String> {
                let b = self.byte()?;
                Ok(match b >> 6 {
                    0 => ((b & 63) as usize, false),
                    1 => ((((b & 63) as usize) << 8) | self.byte()? as usize, false),
                    2 if b == 0x80 => {
                        let s = self.take(4)?;
                        (u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize, false)
                    }
                    2 => return Err(format!("len {b:#x}")),
                    _ => ((b & 63) as usize, true),
                })
            }
            fn string(&mut self) -> Result<Vec<u8>, String> {
                let (l, special) = self.len()?;
                if !special {
                    return Ok(self.take(l)?.to_vec());
                }
                match l {
                    0 => Ok((self.byte()? as i8).to_string().into_bytes()),
                    1 => {
                        let s = self.take(2)?;
                        Ok(i16::from_le_bytes([s[0], s[1]]).to_string().into_bytes())
                    }
                    2 => {
                        let s = self.take(4)?;
                        Ok(i32::from_le_bytes([s[0], s[1], s[2], s[3]])
                            .to_string()
                            .into_bytes())
                    }
                    3 => {
                        let (clen, _) = self.len()?;
                        let (ulen, _) = self.len()?;
                        let c = self.take(clen)?.to_vec();
                        lzf_decompress(&c, ulen).ok_or_else(|| "lzf".to_string())
                    }
                    _ => Err("bad string enc".into()),
                }
            }
        }
        let mut r = R { d, i: 9 };
        if d.get(..5) != Some(b"REDIS") {
            return Err("magic".into());
        }
        let mut out = vec![];
        loop {
            let t = r.byte()?;
            match t {
                0xFF => return Ok(out),
                0xFA => {
                    r.string()?;
                    r.string()?;
                }
                0xFE => {
                    r.len()?;
                }
                0xFB => {
                    r.len()?;
                    r.len()?;
                }
                0xFD => {
                    r.take(4)?;
                }
                0xFC => {
                    r.take(8)?;
                }
                _ => {
                    let key = r.string()?;
                    let mut blobs = vec![];
                    match t {
                        0 => {
                            r.string()?;
                        }
                        1 | 2 => {
                            let (n, _) = r.len()?;
                            for _ in 0..n {
                                r.string()?;
                            }
                        }
                        3 => {
                            let (n, _) = r.len()?;
                            for _ in 0..n {
                                r.string()?;
                                let l = r.byte()?;
                                if l < 253 {
                                    r.take(l as usize)?;
                                }
                            }
                        }
                        4 => {
                            let (n, _) = r.len()?;
                            for _ in 0..2 * n {
                                r.string()?;
                            }
                        }
                        9..=13 => blobs.push(r.string()?),
                        14 => {
                            let (n, _) = r.len()?;
                            for _ in 0..n {
                                blobs.push(r.string()?);
                            }
                        }
                        _ => return Err(format!("type {t}")),
                    }
                    out.push((t, key, blobs));
                }
            }
        }
    }

    pub(crate) fn lzf_decompress(inp: &[u8], ulen: usize) -> Option<Vec<u8>> {
        let mut out: Vec<u8> = Vec::with_capacity(ulen);
        let mut i = 0;
        while i < inp.len() {
            let ctrl = inp[i] as usize;
            i += 1;
            if ctrl < 32 {
                out.extend_from_slice(inp.get(i..i + ctrl + 1)?);
                i += ctrl + 1;
            } else {
                let mut l = ctrl >> 5;
                if l == 7 {
                    l += *inp.get(i)? as usize;
                    i += 1;
                }
                let back = ((ctrl & 0x1F) << 8) + *inp.get(i)? as usize + 1;
                i += 1;
                let from = out.len().checked_sub(back)?;
                for r in from..from + l + 2 {
                    let b = out[r];
                    out.push(b);
                }
            }
        }
        (out.len() == ulen).then_some(out)
    }

    pub(crate) fn asset(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "/var/tmp/redis-suite-src/redis-7.0.15/tests/assets/{name}"
        ))
        .unwrap()
    }

    fn strs(zl: &[u8]) -> Vec<String> {
        iter(zl)
            .map(|v| String::from_utf8(v.to_vec()).unwrap())
            .collect()
    }

    /// Builds a ziplist by hand from (prevlen-bytes, encoding+data) pieces
    /// computed here, to test the reader independently of any writer.
    fn zl_build(entries: &[Vec<u8>]) -> Vec<u8> {
        let mut body = vec![];
        let mut prev = 0usize;
        let mut tail = ZIPLIST_HEADER_SIZE;
        for e in entries {
            tail = ZIPLIST_HEADER_SIZE + body.len();
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            body.extend_from_slice(e);
            prev = body.len() - start;
        }
        let total = ZIPLIST_HEADER_SIZE + body.len() + 1;
        let mut z = vec![];
        z.extend_from_slice(&(total as u32).to_le_bytes());
        z.extend_from_slice(&(tail as u32).to_le_bytes());
        z.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        z.extend(body);
        z.push(0xFF);
        z
    }

    fn zstr(s: &[u8]) -> Vec<u8> {
        let mut v = vec![];
        if s.len() <= 63 {
            v.push(s.len() as u8);
        } else if s.len() <= 16383 {
            v.push(0x40 | (s.len() >> 8) as u8);
            v.push(s.len() as u8);
        } else {
            v.push(0x80);
            v.extend_from_slice(&(s.len() as u32).to_be_bytes());
        }
        v.extend_from_slice(s);
        v
    }

    #[test]
    fn doc_example() {
        // From ziplist.c's header comment: "2", "5".
        let z = [
            0x0f, 0, 0, 0, 0x0c, 0, 0, 0, 2, 0, 0x00, 0xf3, 0x02, 0xf6, 0xff,
        ];
        assert!(validate(&z, true));
        assert_eq!(
            iter(&z).collect::<Vec<_>>(),
            vec![LpVal::Int(2), LpVal::Int(5)]
        );
        assert_eq!(zl_build(&[vec![0xf3], vec![0xf6]]), z.to_vec());
        let lp = to_listpack(&z).unwrap();
        assert_eq!(lp, Listpack::from_strs([&b"2"[..], b"5"]));
    }

    #[test]
    fn all_encodings_by_hand() {
        let big = vec![b'z'; 300];
        let huge = vec![b'h'; 20000];
        let entries = vec![
            vec![0xF1],                         // 0
            vec![0xFD],                         // 12
            vec![0xFE, 0x80],                   // -128
            vec![0xC0, 0x00, 0x80],             // -32768
            vec![0xF0, 0xFF, 0xFF, 0x7F],       // 8388607
            vec![0xF0, 0x00, 0x00, 0x80],       // -8388608
            vec![0xD0, 0x00, 0x00, 0x00, 0x80], // i32::MIN
            [vec![0xE0], i64::MIN.to_le_bytes().to_vec()].concat(),
            zstr(b""),
            zstr(b"hello"),
            zstr(&big),  // 14-bit length; next prevlen uses 5 bytes
            zstr(&huge), // 32-bit length
            zstr(b"01"),
        ];
        let z = zl_build(&entries);
        assert!(validate(&z, true));
        let got: Vec<LpVal> = iter(&z).collect();
        assert_eq!(
            got,
            vec![
                LpVal::Int(0),
                LpVal::Int(12),
                LpVal::Int(-128),
                LpVal::Int(-32768),
                LpVal::Int(8388607),
                LpVal::Int(-8388608),
                LpVal::Int(i32::MIN as i64),
                LpVal::Int(i64::MIN),
                LpVal::Str(b""),
                LpVal::Str(b"hello"),
                LpVal::Str(&big),
                LpVal::Str(&huge),
                LpVal::Str(b"01"),
            ]
        );
        assert_eq!(len(&z), 13);
        let lp = to_listpack(&z).unwrap();
        assert_eq!(lp.iter().collect::<Vec<_>>(), got);
        assert!(Listpack::validate(lp.as_bytes(), true));
        // 13 entries: odd -> not a valid pairs ziplist
        assert!(pairs_to_listpack(&z).is_none());
    }

    #[test]
    fn validation_rules() {
        let good = zl_build(&[zstr(b"a"), vec![0xF2], zstr(b"b"), vec![0xF3]]);
        assert!(validate(&good, true));
        assert!(pairs_to_listpack(&good).is_some());
        let mut b = good.clone();
        b[0] += 1;
        assert!(!validate(&b, false));
        let mut b = good.clone();
        b[4] = 200; // tail outside
        assert!(!validate(&b, false));
        let mut b = good.clone();
        b[4] += 1; // tail not on last entry
        assert!(validate(&b, false));
        assert!(!validate(&b, true));
        let mut b = good.clone();
        b[8] = 3; // wrong count
        assert!(!validate(&b, true));
        b[8] = 0xFF;
        b[9] = 0xFF; // unknown count ok
        assert!(validate(&b, true));
        assert_eq!(len(&b), 4);
        let mut b = good.clone();
        b[ZIPLIST_HEADER_SIZE + 3] = 9; // wrong prevlen of 2nd entry
        assert!(!validate(&b, true));
        let mut b = good.clone();
        b[ZIPLIST_HEADER_SIZE + 1] = 0xC1; // invalid int encoding
        assert!(!validate(&b, true));
        let mut b = good.clone();
        b[ZIPLIST_HEADER_SIZE + 1] = 30; // string running past the end
        assert!(!validate(&b, true));
        // empty ziplist
        let e = zl_build(&[]);
        assert!(validate(&e, true));
        assert_eq!(to_listpack(&e).unwrap().len(), 0);
        // duplicate fields, integer vs string form
        let d = zl_build(&[vec![0xF2], zstr(b"x"), zstr(b"1"), zstr(b"y")]);
        assert!(validate(&d, true));
        assert!(pairs_to_listpack(&d).is_none());
        assert!(!validate(&[0; 5], false));
    }

    #[test]
    fn assets_hash_zset_list() {
        let keys = rdb_keys(&asset("hash-ziplist.rdb")).unwrap();
        assert_eq!(keys.len(), 1);
        let (t, k, b) = &keys[0];
        assert_eq!((*t, &k[..]), (13, &b"hash"[..]));
        assert!(validate(&b[0], true));
        assert_eq!(strs(&b[0]), ["f1", "v1", "f2", "v2"]);
        let lp = pairs_to_listpack(&b[0]).unwrap();
        assert_eq!(lp, Listpack::from_strs([&b"f1"[..], b"v1", b"f2", b"v2"]));

        let keys = rdb_keys(&asset("zset-ziplist.rdb")).unwrap();
        let (t, _, b) = &keys[0];
        assert_eq!(*t, 12);
        assert_eq!(strs(&b[0]), ["one", "1", "two", "2"]);
        let lp = pairs_to_listpack(&b[0]).unwrap();
        assert_eq!(lp, Listpack::from_strs([&b"one"[..], b"1", b"two", b"2"]));

        let keys = rdb_keys(&asset("list-quicklist.rdb")).unwrap();
        let (t, k, b) = &keys[0];
        assert_eq!((*t, &k[..]), (14, &b"list"[..]));
        assert_eq!(b.len(), 1);
        assert_eq!(strs(&b[0]), ["7"]);
        assert_eq!(
            to_listpack(&b[0]).unwrap(),
            Listpack::from_strs([&b"7"[..]])
        );
    }

    #[test]
    fn asset_encodings_rdb() {
        let keys = rdb_keys(&asset("encodings.rdb")).unwrap();
        let get = |name: &str| keys.iter().find(|k| k.1 == name.as_bytes()).unwrap();
        let (t, _, b) = get("list_zipped");
        assert_eq!(*t, 10);
        assert!(validate(&b[0], true));
        assert_eq!(
            strs(&b[0]),
            ["1", "2", "3", "a", "b", "c", "100000", "6000000000"]
        );
        let (t, _, b) = get("hash_zipped");
        assert_eq!(*t, 13);
        let lp = pairs_to_listpack(&b[0]).unwrap();
        assert_eq!(
            lp,
            Listpack::from_strs(["a", "1", "b", "2", "c", "3"].map(str::as_bytes))
        );
        let (t, _, b) = get("zset_zipped");
        assert_eq!(*t, 12);
        assert_eq!(strs(&b[0]), ["a", "1", "b", "2", "c", "3"]);
    }

    #[test]
    fn asset_corrupt_ziplist_fails() {
        // Redis must refuse to load this file ("integrity check failed"):
        // the quicklist node is fine, the hash ziplist of key:...091 is not.
        let keys = rdb_keys(&asset("corrupt_ziplist.rdb")).unwrap();
        let ml = keys.iter().find(|k| k.1 == b"mylist").unwrap();
        assert_eq!(ml.0, 14);
        assert!(validate(&ml.2[0], true));
        assert_eq!(strs(&ml.2[0]), ["xxxxx"; 5]);
        let bad = keys.iter().find(|k| k.1 == b"key:000000000091").unwrap();
        assert_eq!(bad.0, 13);
        assert!(!validate(&bad.2[0], false));
        assert!(pairs_to_listpack(&bad.2[0]).is_none());
    }

    #[test]
    fn fuzz_never_panics() {
        let start = std::time::Instant::now();
        let mut r = super::super::listpack::tests::Rng(0xDEADBEEFCAFEBABE);
        let seeds = [
            zl_build(&[
                zstr(b"a"),
                vec![0xF2],
                zstr(&[b'q'; 300]),
                vec![0xE0, 1, 2, 3, 4, 5, 6, 7, 8],
                vec![0xF0, 1, 2, 3],
            ]),
            zl_build(&[
                vec![0xFE, 5],
                vec![0xC0, 1, 2],
                vec![0xD0, 1, 2, 3, 4],
                zstr(b"hello world"),
            ]),
            rdb_keys(&asset("encodings.rdb"))
                .unwrap()
                .into_iter()
                .find(|k| k.0 == 10)
                .unwrap()
                .2[0]
                .clone(),
        ];
        let mut n = 0;
        let mut nvalid = 0;
        while n < FUZZ_CASES && start.elapsed().as_secs() < 15 {
            n += 1;
            let mut b = seeds[r.below(seeds.len())].clone();
            match r.below(4) {
                0 => {
                    let l = 11 + r.below(40);
                    b = (0..l).map(|_| r.next() as u8).collect();
                    b[..4].copy_from_slice(&(l as u32).to_le_bytes());
                    let t = r.below(l) as u32;
                    b[4..8].copy_from_slice(&t.to_le_bytes());
                    b[l - 1] = 0xFF;
                }
                1 => {
                    for _ in 0..1 + r.below(3) {
                        let i = r.below(b.len());
                        b[i] = r.next() as u8;
                    }
                }
                2 => {
                    let i = ZIPLIST_HEADER_SIZE + r.below(b.len() - ZIPLIST_HEADER_SIZE);
                    b[i] ^= 1 << r.below(8);
                }
                _ => {
                    let l = 11 + r.below(b.len() - 10);
                    b.truncate(l);
                    b[..4].copy_from_slice(&(l as u32).to_le_bytes());
                    b[l - 1] = 0xFF;
                }
            }
            let deep = validate(&b, true);
            nvalid += deep as usize;
            let cnt = iter(&b).take(1_000_000).count();
            let _ = len(&b);
            if deep {
                let lp = to_listpack(&b).unwrap();
                assert_eq!(lp.len(), cnt);
                assert!(Listpack::validate(lp.as_bytes(), true));
            } else {
                assert!(to_listpack(&b).is_none());
            }
            let _ = pairs_to_listpack(&b);
        }
        assert!(n > 10_000);
        assert!(nvalid > n / 100 && nvalid < n * 99 / 100, "{nvalid}/{n}");
    }
}
