//! LZF compression compatible with liblzf 3.x as bundled by Redis
//! (lzf_c.c / lzf_d.c), used for compressed strings in RDB files and
//! DUMP/RESTORE payloads (rdbSaveLzfStringObject / rdbLoadLzfStringObject).
//!
//! Format: a sequence of chunks, each starting with a control byte `c`:
//! * `c < 32`: literal run of `c + 1` bytes follows.
//! * otherwise a back-reference: `len = c >> 5` (if 7, one extra byte is
//!   added), then one byte `lo`; it copies `len + 2` bytes starting
//!   `((c & 0x1f) << 8) + lo + 1` bytes back in the output (may overlap).
//!
//! Design: the compressor is a greedy single-pass LZ77 with a 3-byte hash
//! table of positions (thread-local and reused across calls; stale entries
//! are harmless because every candidate is verified), offsets up to 8191 and
//! match lengths up to 264 — the same limits as liblzf, so liblzf can decode
//! the output (the bytes need not be identical to liblzf's). The
//! decompressor validates every chunk and never panics on corrupt input.

use std::cell::RefCell;

const HLOG: u32 = 14;
const MAX_LIT: usize = 32;
const MAX_OFF: usize = 1 << 13; // 8192
const MAX_REF: usize = (1 << 8) + (1 << 3); // 264

thread_local! {
    static HTAB: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

#[inline]
fn hash3(a: u8, b: u8, c: u8) -> usize {
    let v = ((a as u32) << 16) | ((b as u32) << 8) | c as u32;
    (v.wrapping_mul(2654435761) >> (32 - HLOG)) as usize
}

/// Compress `input`, appending at most `max_out` bytes to `out`.
/// Returns the number of bytes appended, or None (with `out` unchanged) if
/// the result would not fit in `max_out` bytes or `input` is empty (liblzf
/// returns 0 in both cases; Redis then stores the string uncompressed).
pub fn lzf_compress(input: &[u8], out: &mut Vec<u8>, max_out: usize) -> Option<usize> {
    if input.is_empty() {
        return None;
    }
    let base = out.len();
    let r = HTAB.with(|t| match t.try_borrow_mut() {
        Ok(mut tab) => {
            if tab.len() != 1 << HLOG {
                tab.clear();
                tab.resize(1 << HLOG, 0);
            }
            compress_with(input, out, max_out, &mut tab)
        }
        Err(_) => {
            let mut tab = vec![0u32; 1 << HLOG];
            compress_with(input, out, max_out, &mut tab)
        }
    });
    if r.is_none() {
        out.truncate(base);
    }
    r
}

fn compress_with(
    input: &[u8],
    out: &mut Vec<u8>,
    max_out: usize,
    tab: &mut [u32],
) -> Option<usize> {
    let base = out.len();
    let limit = base.checked_add(max_out)?;
    let n = input.len();
    let mut lit_start = 0usize; // first pending literal in input
    let mut ip = 0usize;

    // Emit pending literals input[lit_start..end].
    fn flush(input: &[u8], out: &mut Vec<u8>, limit: usize, from: usize, to: usize) -> Option<()> {
        let mut s = from;
        while s < to {
            let k = (to - s).min(MAX_LIT);
            if out.len() + 1 + k > limit {
                return None;
            }
            out.push((k - 1) as u8);
            out.extend_from_slice(&input[s..s + k]);
            s += k;
        }
        Some(())
    }

    while ip + 2 < n {
        let h = hash3(input[ip], input[ip + 1], input[ip + 2]);
        let cand = tab[h] as usize; // position + 1, 0 = empty
        tab[h] = (ip + 1) as u32;
        if cand != 0 {
            let r = cand - 1;
            if r < ip && ip - r <= MAX_OFF && input[r..r + 3] == input[ip..ip + 3] {
                let maxlen = (n - ip).min(MAX_REF);
                let mut len = 3;
                while len < maxlen && input[r + len] == input[ip + len] {
                    len += 1;
                }
                flush(input, out, limit, lit_start, ip)?;
                let off = ip - r - 1;
                let l = len - 2;
                let need = if l < 7 { 2 } else { 3 };
                if out.len() + need > limit {
                    return None;
                }
                if l < 7 {
                    out.push(((l as u8) << 5) | (off >> 8) as u8);
                } else {
                    out.push((7u8 << 5) | (off >> 8) as u8);
                    out.push((l - 7) as u8);
                }
                out.push(off as u8);
                // Index the positions covered by the match.
                let end = ip + len;
                let mut p = ip + 1;
                while p < end && p + 2 < n {
                    tab[hash3(input[p], input[p + 1], input[p + 2])] = (p + 1) as u32;
                    p += 1;
                }
                ip = end;
                lit_start = ip;
                continue;
            }
        }
        ip += 1;
    }
    flush(input, out, limit, lit_start, n)?;
    Some(out.len() - base)
}

/// Decompress `input` into `out` (appending), expecting exactly `out_len`
/// bytes. Returns false on any corruption, overflow of `out_len` or short
/// output. Never panics; allocation is bounded by what the input can encode.
pub fn lzf_decompress_into(input: &[u8], out: &mut Vec<u8>, out_len: usize) -> bool {
    // Each 3-byte chunk can produce at most 264 bytes.
    if out_len / MAX_REF > input.len() / 3 + 1 {
        return false;
    }
    let base = out.len();
    let Some(end) = base.checked_add(out_len) else {
        return false;
    };
    out.reserve(out_len);
    let mut i = 0usize;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let k = ctrl + 1;
            let Some(lit) = input.get(i..i + k) else {
                return false;
            };
            if out.len() + k > end {
                return false;
            }
            out.extend_from_slice(lit);
            i += k;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                let Some(&e) = input.get(i) else { return false };
                len += e as usize;
                i += 1;
            }
            let Some(&lo) = input.get(i) else {
                return false;
            };
            i += 1;
            let back = ((ctrl & 0x1f) << 8) + lo as usize + 1;
            len += 2;
            let cur = out.len() - base;
            if back > cur || out.len() + len > end {
                return false;
            }
            let start = out.len() - back;
            if back >= len {
                out.extend_from_within(start..start + len);
            } else {
                for k in 0..len {
                    let b = out.get(start + k).copied().unwrap_or(0);
                    out.push(b);
                }
            }
        }
    }
    out.len() == end
}

/// Decompress `input`, which must expand to exactly `out_len` bytes
/// (Redis checks `lzf_decompress(...) == len`). None on any error.
pub fn lzf_decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    if lzf_decompress_into(input, &mut out, out_len) {
        Some(out)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R(u64);
    impl R {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn sample(r: &mut R, len: usize) -> Vec<u8> {
        match r.next() % 4 {
            0 => (0..len).map(|_| r.next() as u8).collect(),
            1 => (0..len).map(|_| b"ab"[(r.next() % 2) as usize]).collect(),
            2 => vec![b'x'; len],
            _ => {
                let words: [&[u8]; 5] = [b"hello ", b"world ", b"redis ", b"lzf ", b"1234567890"];
                let mut v = Vec::new();
                while v.len() < len {
                    v.extend_from_slice(words[(r.next() % 5) as usize]);
                }
                v.truncate(len);
                v
            }
        }
    }

    #[test]
    fn roundtrip() {
        let mut r = R(0x1234_5678_9abc_def1);
        for i in 0..3000 {
            let len = if i % 100 == 0 {
                70000
            } else {
                (r.next() % 600) as usize + 1
            };
            let data = sample(&mut r, len);
            let mut out = vec![9u8; 3]; // appends after existing content
            match lzf_compress(&data, &mut out, len + len / 32 + 1) {
                Some(n) => {
                    assert_eq!(out.len(), 3 + n);
                    assert_eq!(lzf_decompress(&out[3..], len).as_deref(), Some(&data[..]));
                    assert_eq!(lzf_decompress(&out[3..], len + 1), None);
                    if len > 1 {
                        assert_eq!(lzf_decompress(&out[3..], len - 1), None);
                    }
                }
                None => panic!("worst case is len + ceil(len/32)"),
            }
        }
    }

    #[test]
    fn compress_limits() {
        let data = vec![b'a'; 1000];
        let mut out = Vec::new();
        let n = lzf_compress(&data, &mut out, 996).unwrap();
        assert!(n < 20, "{n}");
        let mut r = R(7);
        let rnd: Vec<u8> = (0..100).map(|_| r.next() as u8).collect();
        let mut out = b"keep".to_vec();
        assert_eq!(lzf_compress(&rnd, &mut out, 96), None);
        assert_eq!(out, b"keep");
        assert_eq!(lzf_compress(b"", &mut out, 100), None);
        // literal-only encoding of short input
        let mut out = Vec::new();
        assert_eq!(lzf_compress(b"abc", &mut out, 10), Some(4));
        assert_eq!(out, b"\x02abc");
    }

    #[test]
    fn decode_known() {
        // "aaaaaaaaaa": literal 'a' then backref off 0, len 9 (ctrl 7<<5, extra 0)
        assert_eq!(
            lzf_decompress(b"\x00a\xe0\x00\x00", 10).as_deref(),
            Some(&b"aaaaaaaaaa"[..])
        );
        assert_eq!(
            lzf_decompress(b"\x00a\x20\x00", 4).as_deref(),
            Some(&b"aaaa"[..])
        );
        assert_eq!(lzf_decompress(b"\x20\x00", 3), None); // backref before start
        assert_eq!(lzf_decompress(b"\x05ab", 6), None); // truncated literal
        assert_eq!(lzf_decompress(b"\x00a\xe0", 10), None); // truncated
        assert_eq!(lzf_decompress(b"", 0).as_deref(), Some(&b""[..]));
        assert_eq!(lzf_decompress(b"\x00a", usize::MAX), None);
    }

    #[test]
    fn fuzz_decompress_no_panic() {
        let mut r = R(42);
        let mut ok = 0;
        for _ in 0..200_000 {
            let len = (r.next() % 40) as usize;
            let data: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
            let out_len = (r.next() % 300) as usize;
            if lzf_decompress(&data, out_len).is_some() {
                ok += 1;
            }
        }
        // also mutate valid streams
        for _ in 0..20_000 {
            let src = sample(&mut r, 200);
            let mut c = Vec::new();
            if lzf_compress(&src, &mut c, 400).is_none() {
                continue;
            }
            let pos = (r.next() as usize) % c.len();
            c[pos] ^= 1 << (r.next() % 8);
            let _ = lzf_decompress(&c, 200);
        }
        assert!(ok > 0);
    }

    /// Interop with Redis' liblzf (harness-generated): LZF_VECTORS lines
    /// "hex(input) hex(liblzf output)"; our output is written to LZF_OUT for
    /// the harness to decode with liblzf.
    #[test]
    #[ignore]
    fn liblzf_interop_external() {
        let Ok(path) = std::env::var("LZF_VECTORS") else {
            return;
        };
        let data = std::fs::read_to_string(path).unwrap();
        let unhex = |h: &str| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let mut outf = String::new();
        for line in data.lines() {
            let (a, b) = line.split_once(' ').unwrap();
            let (inp, comp) = (unhex(a), unhex(b));
            assert_eq!(lzf_decompress(&comp, inp.len()).as_deref(), Some(&inp[..]));
            let mut mine = Vec::new();
            lzf_compress(&inp, &mut mine, inp.len() + 100).unwrap();
            outf.push_str(a);
            outf.push(' ');
            for x in &mine {
                outf.push_str(&format!("{x:02x}"));
            }
            outf.push('\n');
        }
        std::fs::write(std::env::var("LZF_OUT").unwrap(), outf).unwrap();
    }
}
