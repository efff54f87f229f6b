//! RDB input primitives (Redis's `rdbLoad*` helpers over a `rio`): opcodes,
//! lengths, strings in int / LZF / raw form, doubles, times — with errors
//! that name the byte offset and the reason, and never a panic on corrupt
//! or truncated input.
//!
//! Design: [`RdbReader`] reads from a byte slice (DUMP payloads, tests) or
//! streams from any `io::Read` (a file, a socket) through a 64 KB buffer.
//! The CRC-64 is updated lazily over the consumed part of the buffer when it
//! is refilled (big chunks, fast), so the checksum stays exact without a
//! per-byte cost. Allocation is bounded by the input: a string whose length
//! exceeds what remains of a known-size input is a short read *before*
//! anything is allocated, and from unknown-size streams big strings grow in
//! chunks as bytes actually arrive, so a corrupt length cannot OOM us.
use super::*;
use crate::db::object::StrVal;
use crate::util::{crc64, lzf_decompress_into, num};
use std::borrow::Cow;
use std::fmt;
use std::io::Read;

const BUF_SIZE: usize = 64 * 1024;
/// Growth step for strings from streams of unknown size.
const STREAM_CHUNK: usize = 1 << 20;

/// Redis's text for short reads (rdbReportReadError in rdbLoadRio's eoferr).
pub const EOF_REASON: &str = "Unexpected EOF reading RDB file";

/// A loading error: where (byte offset from the start of the input) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError {
    pub offset: u64,
    pub reason: String,
    /// The input ended early or could not be read (vs. corrupt content).
    pub short_read: bool,
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "offset {}: {}", self.offset, self.reason)
    }
}

pub type RdbResult<T> = Result<T, RdbError>;

/// Buffered RDB reader with a running CRC-64 (see the module header).
pub struct RdbReader<'a> {
    src: Option<&'a mut dyn Read>,
    buf: Cow<'a, [u8]>,
    pos: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    /// Total input size when known (slice length, file size).
    total: Option<u64>,
    checksum: bool,
    cksum: u64,
    crc_from: usize,
    /// Version from the header (rdbver); 0 until read.
    pub rdbver: u32,
}

impl<'a> RdbReader<'a> {
    /// Read from a byte slice (no copy).
    pub fn from_slice(data: &'a [u8], checksum: bool) -> RdbReader<'a> {
        RdbReader {
            src: None,
            end: data.len(),
            total: Some(data.len() as u64),
            buf: Cow::Borrowed(data),
            pos: 0,
            base: 0,
            checksum,
            cksum: 0,
            crc_from: 0,
            rdbver: RDB_VERSION,
        }
    }

    /// Stream from `src`; `total` is its size if known (a file's length).
    pub fn from_read(src: &'a mut dyn Read, total: Option<u64>, checksum: bool) -> RdbReader<'a> {
        RdbReader {
            src: Some(src),
            buf: Cow::Owned(vec![0u8; BUF_SIZE]),
            pos: 0,
            end: 0,
            base: 0,
            total,
            checksum,
            cksum: 0,
            crc_from: 0,
            rdbver: RDB_VERSION,
        }
    }

    /// Bytes consumed so far (rio's processed_bytes).
    #[inline]
    pub fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Total input size when known.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// Bytes left when the input size is known.
    pub fn remaining(&self) -> Option<u64> {
        self.total.map(|t| t.saturating_sub(self.offset()))
    }

    /// An error at the current offset.
    pub fn corrupt(&self, reason: impl Into<String>) -> RdbError {
        RdbError {
            offset: self.offset(),
            reason: reason.into(),
            short_read: false,
        }
    }

    fn short_at(offset: u64) -> RdbError {
        RdbError {
            offset,
            reason: EOF_REASON.to_string(),
            short_read: true,
        }
    }

    fn io_error(offset: u64, e: &std::io::Error) -> RdbError {
        RdbError {
            offset,
            reason: format!("Error reading the RDB file: {}", e),
            short_read: true,
        }
    }

    /// Fold the consumed, not yet checksummed bytes into the CRC.
    #[inline]
    fn crc_catch_up(&mut self) {
        if self.checksum && self.crc_from < self.pos {
            self.cksum = crc64(self.cksum, &self.buf[self.crc_from..self.pos]);
        }
        self.crc_from = self.pos;
    }

    /// CRC-64 of everything consumed so far (0 when checksums are off).
    pub fn checksum_so_far(&mut self) -> u64 {
        self.crc_catch_up();
        self.cksum
    }

    /// Make at least `n` (≤ BUF_SIZE) unread bytes available in the buffer.
    fn fill(&mut self, n: usize) -> RdbResult<()> {
        if self.end - self.pos >= n {
            return Ok(());
        }
        let at = self.offset();
        let Some(src) = self.src.as_mut() else {
            return Err(Self::short_at(at));
        };
        // Compact: checksum and drop the consumed prefix.
        if self.checksum && self.crc_from < self.pos {
            self.cksum = crc64(self.cksum, &self.buf[self.crc_from..self.pos]);
        }
        let v = self.buf.to_mut();
        v.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
        self.crc_from = 0;
        if v.len() < n {
            v.resize(n, 0);
        }
        while self.end < n {
            match src.read(&mut v[self.end..]) {
                Ok(0) => return Err(Self::short_at(at)),
                Ok(r) => self.end += r,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Self::io_error(at, &e)),
            }
        }
        Ok(())
    }

    #[inline]
    pub fn read_u8(&mut self) -> RdbResult<u8> {
        if self.pos < self.end {
            let b = self.buf[self.pos];
            self.pos += 1;
            return Ok(b);
        }
        self.fill(1)?;
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(b)
    }

    /// Read exactly N bytes.
    #[inline]
    pub fn read_array<const N: usize>(&mut self) -> RdbResult<[u8; N]> {
        self.fill(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(a)
    }

    /// Append exactly `n` bytes to `out` (bounded allocation, see header).
    pub fn read_into(&mut self, n: u64, out: &mut Vec<u8>) -> RdbResult<()> {
        let start = self.offset();
        if let Some(rem) = self.remaining() {
            if n > rem {
                return Err(Self::short_at(start));
            }
        }
        let Ok(mut left) = usize::try_from(n) else {
            return Err(Self::short_at(start));
        };
        if self.total.is_some() {
            out.reserve_exact(left);
        }
        let k = left.min(self.end - self.pos);
        out.extend_from_slice(&self.buf[self.pos..self.pos + k]);
        self.pos += k;
        left -= k;
        if left == 0 {
            return Ok(());
        }
        if left <= BUF_SIZE / 2 {
            self.fill(left)?;
            out.extend_from_slice(&self.buf[self.pos..self.pos + left]);
            self.pos += left;
            return Ok(());
        }
        // Big remainder: read straight into `out`, bypassing the buffer.
        self.crc_catch_up();
        let Some(src) = self.src.as_mut() else {
            return Err(Self::short_at(start));
        };
        self.base += self.pos as u64;
        self.pos = 0;
        self.end = 0;
        self.crc_from = 0;
        while left > 0 {
            let step = left.min(STREAM_CHUNK);
            let from = out.len();
            out.resize(from + step, 0);
            let mut got = 0;
            while got < step {
                match src.read(&mut out[from + got..from + step]) {
                    Ok(0) => {
                        out.truncate(from + got);
                        return Err(Self::short_at(start));
                    }
                    Ok(r) => got += r,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        out.truncate(from + got);
                        return Err(Self::io_error(start, &e));
                    }
                }
            }
            if self.checksum {
                self.cksum = crc64(self.cksum, &out[from..from + step]);
            }
            self.base += step as u64;
            left -= step;
        }
        Ok(())
    }

    /// Read exactly `n` bytes into a new vector.
    pub fn read_bytes(&mut self, n: u64) -> RdbResult<Vec<u8>> {
        let mut v = Vec::new();
        self.read_into(n, &mut v)?;
        Ok(v)
    }

    /// Skip `n` bytes (still checksummed).
    pub fn skip(&mut self, mut n: u64) -> RdbResult<()> {
        let start = self.offset();
        if let Some(rem) = self.remaining() {
            if n > rem {
                return Err(Self::short_at(start));
            }
        }
        while n > 0 {
            if self.pos == self.end {
                self.fill(1).map_err(|_| Self::short_at(start))?;
            }
            let k = (n.min((self.end - self.pos) as u64)) as usize;
            self.pos += k;
            n -= k as u64;
        }
        Ok(())
    }

    /// The 9-byte header "REDIS%04d"; sets `rdbver`.
    /// Err(reason) texts are Redis's log lines.
    pub fn read_header(&mut self) -> RdbResult<u32> {
        let h: [u8; 9] = self.read_array()?;
        if &h[..5] != b"REDIS" {
            return Err(RdbError {
                offset: 0,
                reason: "Wrong signature trying to load DB from file".into(),
                short_read: false,
            });
        }
        // atoi: leading digits only.
        let mut ver: u32 = 0;
        for &d in &h[5..] {
            if !d.is_ascii_digit() {
                break;
            }
            ver = ver * 10 + (d - b'0') as u32;
        }
        if !(1..=RDB_VERSION).contains(&ver) {
            return Err(RdbError {
                offset: 9,
                reason: format!("Can't handle RDB format version {}", ver),
                short_read: false,
            });
        }
        self.rdbver = ver;
        Ok(ver)
    }

    /// rdbLoadType
    #[inline]
    pub fn load_type(&mut self) -> RdbResult<u8> {
        self.read_u8()
    }

    /// rdbLoadLenByRef: (value, is_encoded). For encoded lengths the value
    /// is the RDB_ENC_* kind.
    pub fn load_len_enc(&mut self) -> RdbResult<(u64, bool)> {
        let at = self.offset();
        let b = self.read_u8()?;
        match (b & 0xc0) >> 6 {
            RDB_ENCVAL => Ok(((b & 0x3f) as u64, true)),
            RDB_6BITLEN => Ok(((b & 0x3f) as u64, false)),
            RDB_14BITLEN => {
                let b2 = self.read_u8()?;
                Ok(((((b & 0x3f) as u64) << 8) | b2 as u64, false))
            }
            _ if b == RDB_32BITLEN => Ok((u32::from_be_bytes(self.read_array()?) as u64, false)),
            _ if b == RDB_64BITLEN => Ok((u64::from_be_bytes(self.read_array()?), false)),
            t => Err(RdbError {
                offset: at,
                reason: format!("Unknown length encoding {} in rdbLoadLen()", t),
                short_read: false,
            }),
        }
    }

    /// rdbLoadLen(rdb, NULL): the encoded flag is ignored, as in Redis.
    #[inline]
    pub fn load_len(&mut self) -> RdbResult<u64> {
        Ok(self.load_len_enc()?.0)
    }

    /// A length that must fit a usize count of things each taking at least
    /// `min_bytes` of input (bounds allocations on corrupt counts).
    pub fn load_count(&mut self, min_bytes: u64) -> RdbResult<u64> {
        let at = self.offset();
        let n = self.load_len()?;
        if let Some(rem) = self.remaining() {
            if n.saturating_mul(min_bytes.max(1)) > rem {
                return Err(Self::short_at(at));
            }
        }
        Ok(n)
    }

    /// rdbLoadIntegerObject's value.
    fn load_integer(&mut self, enc: u64) -> RdbResult<i64> {
        match enc as u8 {
            RDB_ENC_INT8 => Ok(self.read_u8()? as i8 as i64),
            RDB_ENC_INT16 => Ok(i16::from_le_bytes(self.read_array()?) as i64),
            RDB_ENC_INT32 => Ok(i32::from_le_bytes(self.read_array()?) as i64),
            _ => Err(self.corrupt(format!("Unknown RDB integer encoding type {}", enc))),
        }
    }

    /// rdbLoadLzfStringObject into `out` (appending).
    fn load_lzf_into(&mut self, out: &mut Vec<u8>) -> RdbResult<()> {
        let clen = self.load_len()?;
        let len = self.load_len()?;
        let at = self.offset();
        let c = self.read_bytes(clen)?;
        let Ok(len) = usize::try_from(len) else {
            return Err(RdbError {
                offset: at,
                reason: "Invalid LZF compressed string".into(),
                short_read: false,
            });
        };
        if !lzf_decompress_into(&c, out, len) {
            return Err(RdbError {
                offset: at,
                reason: "Invalid LZF compressed string".into(),
                short_read: false,
            });
        }
        Ok(())
    }

    /// rdbGenericLoadStringObject(RDB_LOAD_PLAIN): the bytes, integers as
    /// their decimal text.
    pub fn load_string(&mut self) -> RdbResult<Vec<u8>> {
        let mut v = Vec::new();
        self.load_string_into(&mut v)?;
        Ok(v)
    }

    /// Like `load_string`, appending to `out`.
    pub fn load_string_into(&mut self, out: &mut Vec<u8>) -> RdbResult<()> {
        let at = self.offset();
        let (len, enc) = self.load_len_enc()?;
        if enc {
            match len as u8 {
                RDB_ENC_INT8 | RDB_ENC_INT16 | RDB_ENC_INT32 if len <= 2 => {
                    let v = self.load_integer(len)?;
                    num::ll2string(out, v);
                    Ok(())
                }
                RDB_ENC_LZF if len == 3 => self.load_lzf_into(out),
                _ => Err(RdbError {
                    offset: at,
                    reason: format!("Unknown RDB string encoding type {}", len),
                    short_read: false,
                }),
            }
        } else {
            self.read_into(len, out)
        }
    }

    /// The key of an entry: like `load_string`, sized exactly (keys are
    /// stored as boxed slices).
    pub fn load_key(&mut self) -> RdbResult<Box<[u8]>> {
        Ok(self.load_string()?.into_boxed_slice())
    }

    /// rdbLoadEncodedStringObject + tryObjectEncoding: a string value with
    /// Redis's in-memory encoding (int / embstr / raw).
    pub fn load_str_val(&mut self) -> RdbResult<StrVal> {
        let at = self.offset();
        let (len, enc) = self.load_len_enc()?;
        if enc {
            match len as u8 {
                RDB_ENC_INT8 | RDB_ENC_INT16 | RDB_ENC_INT32 if len <= 2 => {
                    Ok(StrVal::Int(self.load_integer(len)?))
                }
                RDB_ENC_LZF if len == 3 => {
                    let mut v = Vec::new();
                    self.load_lzf_into(&mut v)?;
                    Ok(StrVal::from_vec(v))
                }
                _ => Err(RdbError {
                    offset: at,
                    reason: format!("Unknown RDB string encoding type {}", len),
                    short_read: false,
                }),
            }
        } else {
            Ok(StrVal::from_vec(self.read_bytes(len)?))
        }
    }

    /// Skip one string (whatever its encoding).
    pub fn skip_string(&mut self) -> RdbResult<()> {
        let at = self.offset();
        let (len, enc) = self.load_len_enc()?;
        if enc {
            match len as u8 {
                RDB_ENC_INT8 => self.skip(1),
                RDB_ENC_INT16 => self.skip(2),
                RDB_ENC_INT32 => self.skip(4),
                RDB_ENC_LZF if len == 3 => {
                    // Decompress to validate (check mode must catch bad LZF).
                    let mut v = Vec::new();
                    self.load_lzf_into(&mut v)
                }
                _ => Err(RdbError {
                    offset: at,
                    reason: format!("Unknown RDB string encoding type {}", len),
                    short_read: false,
                }),
            }
        } else {
            self.skip(len)
        }
    }

    /// rdbLoadDoubleValue: the old text format (ZSET v1).
    pub fn load_double_value(&mut self) -> RdbResult<f64> {
        let at = self.offset();
        let len = self.read_u8()?;
        match len {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            _ => {
                let b = self.read_bytes(len as u64)?;
                parse_lg(&b).ok_or_else(|| RdbError {
                    offset: at,
                    reason: "Invalid double value".into(),
                    short_read: false,
                })
            }
        }
    }

    /// rdbLoadBinaryDoubleValue
    pub fn load_binary_double(&mut self) -> RdbResult<f64> {
        Ok(f64::from_le_bytes(self.read_array()?))
    }

    /// rdbLoadBinaryFloatValue
    pub fn load_binary_float(&mut self) -> RdbResult<f32> {
        Ok(f32::from_le_bytes(self.read_array()?))
    }

    /// rdbLoadMillisecondTime (little endian since RDB 9; older files were
    /// written in host order, which is little endian on every host we run).
    pub fn load_millisecond_time(&mut self) -> RdbResult<i64> {
        Ok(i64::from_le_bytes(self.read_array()?))
    }

    /// rdbLoadTime: old 32-bit seconds.
    pub fn load_time(&mut self) -> RdbResult<i64> {
        Ok(i32::from_le_bytes(self.read_array()?) as i64)
    }
}

/// sscanf("%lg"): optional leading spaces, then the longest prefix that is
/// a number (including inf / nan).
fn parse_lg(b: &[u8]) -> Option<f64> {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let b = &b[s..];
    for end in (1..=b.len()).rev() {
        if let Some(v) = num::strtod_full(&b[..end]) {
            return Some(v);
        }
        let t = &b[..end];
        let body = t
            .strip_prefix(b"-")
            .or_else(|| t.strip_prefix(b"+"))
            .unwrap_or(t);
        if body.eq_ignore_ascii_case(b"nan") {
            return Some(f64::NAN);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::encode::{encode_len, encode_raw_string, RdbWriter};

    #[test]
    fn lengths_round_trip_and_golden() {
        for &n in &[
            0u64,
            1,
            63,
            64,
            16383,
            16384,
            1 << 31,
            u32::MAX as u64,
            1 << 40,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            encode_len(n, &mut b);
            let mut r = RdbReader::from_slice(&b, true);
            assert_eq!(r.load_len_enc().unwrap(), (n, false));
            assert_eq!(r.offset(), b.len() as u64);
        }
        let mut r = RdbReader::from_slice(&[0xc3], true);
        assert_eq!(r.load_len_enc().unwrap(), (3, true));
        // 10|000010: not a valid length byte.
        let mut r = RdbReader::from_slice(&[0x82, 0, 0, 0, 0], true);
        let e = r.load_len_enc().unwrap_err();
        assert_eq!(e.reason, "Unknown length encoding 2 in rdbLoadLen()");
        assert_eq!(e.offset, 0);
        assert!(!e.short_read);
        // Truncated 32-bit length.
        let mut r = RdbReader::from_slice(&[0x80, 0, 1], true);
        let e = r.load_len().unwrap_err();
        assert!(e.short_read);
        assert_eq!(e.reason, EOF_REASON);
    }

    #[test]
    fn strings_in_every_encoding() {
        let cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"foo".to_vec(),
            b"12345".to_vec(),
            b"-1".to_vec(),
            b"5000000000".to_vec(),
            b"012".to_vec(),
            vec![b'a'; 100],
            (0..1000u32).map(|i| (i % 7) as u8 + b'a').collect(),
            (0..70_000u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
                .collect(),
        ];
        for s in &cases {
            for comp in [true, false] {
                let enc = encode_raw_string(s, comp);
                let mut r = RdbReader::from_slice(&enc, true);
                assert_eq!(&r.load_string().unwrap(), s);
                assert_eq!(r.remaining(), Some(0));
                let mut r = RdbReader::from_slice(&enc, true);
                let v = r.load_str_val().unwrap();
                assert_eq!(&*v.as_bytes(), &s[..]);
                assert_eq!(v.encoding_name(), StrVal::from_bytes(s).encoding_name());
                let mut r = RdbReader::from_slice(&enc, true);
                r.skip_string().unwrap();
                assert_eq!(r.remaining(), Some(0));
            }
        }
        // INT-encoded values load with int encoding.
        let mut r = RdbReader::from_slice(&[0xc1, 0x39, 0x30], true);
        assert!(matches!(r.load_str_val().unwrap(), StrVal::Int(12345)));
    }

    #[test]
    fn string_errors() {
        let e = RdbReader::from_slice(&[0xc4], true)
            .load_string()
            .unwrap_err();
        assert_eq!(e.reason, "Unknown RDB string encoding type 4");
        // LZF that does not expand to the announced size.
        let e = RdbReader::from_slice(&[0xc3, 0x02, 0x05, 0x00, b'a'], true)
            .load_string()
            .unwrap_err();
        assert_eq!(e.reason, "Invalid LZF compressed string");
        // Length beyond the input: short read, nothing allocated.
        let e = RdbReader::from_slice(&[0x80, 0x7f, 0xff, 0xff, 0xff, b'x'], true)
            .load_string()
            .unwrap_err();
        assert!(e.short_read);
        assert_eq!(e.offset, 5);
        let e = RdbReader::from_slice(
            &[0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            true,
        )
        .load_string()
        .unwrap_err();
        assert!(e.short_read);
    }

    /// A reader that returns at most `step` bytes per call.
    struct Trickle<'b>(&'b [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn streaming_reader_matches_slice_reader_and_checksum() {
        let mut w = RdbWriter::new_memory(true, true);
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect();
        for i in 0..5000u32 {
            w.save_raw_string(format!("key:{}", i).as_bytes()).unwrap();
            w.save_ll_as_string(i as i64 * 1000 - 7).unwrap();
            if i % 1000 == 0 {
                w.save_raw_string(&big).unwrap();
            }
        }
        let expect_crc = w.checksum();
        let data = w.into_bytes();
        for &(step, total) in &[(1usize, true), (7, false), (4096, true), (1 << 20, false)] {
            let mut src = Trickle(&data, step);
            let mut r = RdbReader::from_read(&mut src, total.then_some(data.len() as u64), true);
            for i in 0..5000u32 {
                assert_eq!(r.load_string().unwrap(), format!("key:{}", i).as_bytes());
                assert_eq!(
                    r.load_string().unwrap(),
                    format!("{}", i as i64 * 1000 - 7).as_bytes()
                );
                if i % 1000 == 0 {
                    assert_eq!(r.load_string().unwrap(), big);
                }
            }
            assert_eq!(r.offset(), data.len() as u64);
            assert_eq!(r.checksum_so_far(), expect_crc);
            let e = r.read_u8().unwrap_err();
            assert!(e.short_read);
            assert_eq!(e.offset, data.len() as u64);
        }
    }

    #[test]
    fn truncated_stream_big_string_is_short_read() {
        let mut data = Vec::new();
        encode_len(10_000_000, &mut data);
        data.extend_from_slice(&[b'x'; 200_000]);
        let mut src = Trickle(&data, 65536);
        let mut r = RdbReader::from_read(&mut src, None, true);
        let e = r.load_string().unwrap_err();
        assert!(e.short_read);
        assert_eq!(e.offset, 5);
    }

    #[test]
    fn header_checks() {
        let mut r = RdbReader::from_slice(b"REDIS0010", true);
        assert_eq!(r.read_header().unwrap(), 10);
        let mut r = RdbReader::from_slice(b"REDIS0009xx", true);
        assert_eq!(r.read_header().unwrap(), 9);
        let e = RdbReader::from_slice(b"REDIS0011", true)
            .read_header()
            .unwrap_err();
        assert_eq!(e.reason, "Can't handle RDB format version 11");
        let e = RdbReader::from_slice(b"RODIS0010", true)
            .read_header()
            .unwrap_err();
        assert_eq!(e.reason, "Wrong signature trying to load DB from file");
        let e = RdbReader::from_slice(b"REDIS00", true)
            .read_header()
            .unwrap_err();
        assert!(e.short_read);
        let e = RdbReader::from_slice(b"REDIS0000", true)
            .read_header()
            .unwrap_err();
        assert_eq!(e.reason, "Can't handle RDB format version 0");
    }

    #[test]
    fn doubles_and_times() {
        let mut b = Vec::new();
        crate::rdb::encode::encode_double_value(0.1, &mut b);
        crate::rdb::encode::encode_double_value(f64::NEG_INFINITY, &mut b);
        crate::rdb::encode::encode_double_value(f64::NAN, &mut b);
        b.extend_from_slice(b"\x04 2.5");
        b.extend_from_slice(b"\x03nan");
        b.extend_from_slice(&1.25f64.to_le_bytes());
        b.extend_from_slice(&(-1700000000123i64).to_le_bytes());
        b.extend_from_slice(&1234i32.to_le_bytes());
        b.extend_from_slice(b"\x03abc");
        let mut r = RdbReader::from_slice(&b, true);
        assert_eq!(r.load_double_value().unwrap(), 0.1);
        assert_eq!(r.load_double_value().unwrap(), f64::NEG_INFINITY);
        assert!(r.load_double_value().unwrap().is_nan());
        assert_eq!(r.load_double_value().unwrap(), 2.5);
        assert!(r.load_double_value().unwrap().is_nan());
        assert_eq!(r.load_binary_double().unwrap(), 1.25);
        assert_eq!(r.load_millisecond_time().unwrap(), -1700000000123);
        assert_eq!(r.load_time().unwrap(), 1234);
        assert!(r.load_double_value().is_err());
    }
}
