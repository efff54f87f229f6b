//! RDB output primitives (Redis's `rdbSave*` helpers over a `rio` with a
//! running checksum): lengths, opcodes, strings in int / LZF / raw form,
//! doubles (text and binary), millisecond times, aux fields.
//!
//! Design: [`RdbWriter`] appends into its own buffer and hands the buffer to
//! an optional sink (a file) every 64 KB, updating the CRC-64 over each
//! flushed chunk in one call (slicing-by-8 works best on big chunks). Without
//! a sink the buffer *is* the output (DUMP payloads, tests): no double copy.
//! With `autosync`, the sink is fsync'ed every `autosync` bytes
//! (rdb-save-incremental-fsync, Redis's rioSetAutoSync). Writes report
//! `io::Error`; the byte-level encoders are also exposed as pure functions
//! writing into a `Vec<u8>` (`encode_len`, `encode_integer`, ...) so their
//! output can be compared to Redis byte for byte.
use super::*;
use crate::db::object::StrVal;
use crate::util::{crc64, lzf_compress, num};
use std::io::{self, Write};

/// Buffer size before handing bytes to the sink.
const FLUSH_AT: usize = 64 * 1024;

/// Where a writer's bytes end up (a file; fsync on request).
pub trait RdbSink {
    fn write_chunk(&mut self, data: &[u8]) -> io::Result<()>;
    fn sync(&mut self) -> io::Result<()>;
}

impl RdbSink for std::fs::File {
    fn write_chunk(&mut self, data: &[u8]) -> io::Result<()> {
        self.write_all(data)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }
}

/// Buffered RDB writer with a running CRC-64 (see the module header).
pub struct RdbWriter<'a> {
    buf: Vec<u8>,
    sink: Option<&'a mut dyn RdbSink>,
    /// CRC of everything before `buf[crc_from..]` (only with `checksum`).
    cksum: u64,
    crc_from: usize,
    checksum: bool,
    /// rdbcompression
    pub compression: bool,
    /// Bytes handed to the sink so far.
    flushed: u64,
    autosync: u64,
    last_sync: u64,
    /// Scratch buffer for LZF output (reused).
    lzf_out: Vec<u8>,
}

impl<'a> RdbWriter<'a> {
    /// A writer whose output stays in memory (`into_bytes`).
    pub fn new_memory(compression: bool, checksum: bool) -> RdbWriter<'static> {
        RdbWriter {
            buf: Vec::new(),
            sink: None,
            cksum: 0,
            crc_from: 0,
            checksum,
            compression,
            flushed: 0,
            autosync: 0,
            last_sync: 0,
            lzf_out: Vec::new(),
        }
    }

    /// A writer flushing to `sink`; `autosync` > 0 fsyncs every that many bytes.
    pub fn new_sink(
        sink: &'a mut dyn RdbSink,
        compression: bool,
        checksum: bool,
        autosync: u64,
    ) -> RdbWriter<'a> {
        RdbWriter {
            buf: Vec::with_capacity(FLUSH_AT + 1024),
            sink: Some(sink),
            cksum: 0,
            crc_from: 0,
            checksum,
            compression,
            flushed: 0,
            autosync,
            last_sync: 0,
            lzf_out: Vec::new(),
        }
    }

    /// Bytes produced so far (rio's processed_bytes).
    pub fn processed(&self) -> u64 {
        self.flushed + self.buf.len() as u64
    }

    /// The CRC-64 of everything written so far (0 when checksums are off).
    pub fn checksum(&mut self) -> u64 {
        if self.checksum && self.crc_from < self.buf.len() {
            self.cksum = crc64(self.cksum, &self.buf[self.crc_from..]);
            self.crc_from = self.buf.len();
        }
        if self.checksum {
            self.cksum
        } else {
            0
        }
    }

    #[inline]
    pub fn write_raw(&mut self, data: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(data);
        if self.sink.is_some() && self.buf.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Hand the buffered bytes to the sink (no-op for memory writers).
    pub fn flush(&mut self) -> io::Result<()> {
        let Some(sink) = self.sink.as_mut() else {
            return Ok(());
        };
        if self.checksum && self.crc_from < self.buf.len() {
            self.cksum = crc64(self.cksum, &self.buf[self.crc_from..]);
        }
        sink.write_chunk(&self.buf)?;
        self.flushed += self.buf.len() as u64;
        self.buf.clear();
        self.crc_from = 0;
        if self.autosync > 0 && self.flushed - self.last_sync >= self.autosync {
            sink.sync()?;
            self.last_sync = self.flushed;
        }
        Ok(())
    }

    /// The output of a memory writer.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// rdbSaveType
    #[inline]
    pub fn save_type(&mut self, t: u8) -> io::Result<()> {
        self.write_raw(&[t])
    }

    /// rdbSaveLen
    pub fn save_len(&mut self, len: u64) -> io::Result<()> {
        let mut tmp = [0u8; 9];
        let n = encode_len_into(len, &mut tmp);
        self.write_raw(&tmp[..n])
    }

    /// rdbSaveMillisecondTime: 8 bytes little endian.
    pub fn save_millisecond_time(&mut self, ms: i64) -> io::Result<()> {
        self.write_raw(&ms.to_le_bytes())
    }

    /// rdbSaveRawString: int encoding for short numeric strings, LZF for
    /// long ones when `rdbcompression` is on, else length + bytes.
    pub fn save_raw_string(&mut self, s: &[u8]) -> io::Result<()> {
        if s.len() <= 11 {
            if let Some((enc, n)) = try_integer_encoding(s) {
                return self.write_raw(&enc[..n]);
            }
        }
        if self.compression && s.len() > 20 && self.save_lzf_string(s)? {
            return Ok(());
        }
        self.save_len(s.len() as u64)?;
        self.write_raw(s)
    }

    /// rdbSaveLzfStringObject: true if the string was written compressed
    /// (needs to save at least 4 bytes).
    fn save_lzf_string(&mut self, s: &[u8]) -> io::Result<bool> {
        if s.len() <= 4 {
            return Ok(false);
        }
        let mut out = std::mem::take(&mut self.lzf_out);
        out.clear();
        let r = match lzf_compress(s, &mut out, s.len() - 4) {
            Some(clen) => {
                self.save_lzf_blob(&out[..clen], s.len())?;
                true
            }
            None => false,
        };
        self.lzf_out = out;
        Ok(r)
    }

    /// rdbSaveLzfBlob: already-compressed data + original length.
    pub fn save_lzf_blob(&mut self, compressed: &[u8], original_len: usize) -> io::Result<()> {
        self.write_raw(&[(RDB_ENCVAL << 6) | RDB_ENC_LZF])?;
        self.save_len(compressed.len() as u64)?;
        self.save_len(original_len as u64)?;
        self.write_raw(compressed)
    }

    /// rdbSaveLongLongAsStringObject
    pub fn save_ll_as_string(&mut self, v: i64) -> io::Result<()> {
        if let Some((enc, n)) = encode_integer(v) {
            return self.write_raw(&enc[..n]);
        }
        let mut tmp = Vec::with_capacity(20);
        num::ll2string(&mut tmp, v);
        self.save_len(tmp.len() as u64)?;
        self.write_raw(&tmp)
    }

    /// rdbSaveStringObject: integer-encoded values skip the text round trip.
    pub fn save_str_val(&mut self, s: &StrVal) -> io::Result<()> {
        match s {
            StrVal::Int(v) => self.save_ll_as_string(*v),
            StrVal::Emb(b) => self.save_raw_string(b),
            StrVal::Raw(v) => self.save_raw_string(v),
        }
    }

    /// rdbSaveDoubleValue: the old text format (1 length byte, 253 NaN,
    /// 254 +inf, 255 -inf). Still used by nothing Redis 7 writes except
    /// module values; kept for symmetry and tests.
    pub fn save_double_value(&mut self, v: f64) -> io::Result<()> {
        let mut tmp = Vec::with_capacity(32);
        encode_double_value(v, &mut tmp);
        self.write_raw(&tmp)
    }

    /// rdbSaveBinaryDoubleValue: IEEE 754 binary64, little endian.
    pub fn save_binary_double(&mut self, v: f64) -> io::Result<()> {
        self.write_raw(&v.to_le_bytes())
    }

    /// rdbSaveBinaryFloatValue
    pub fn save_binary_float(&mut self, v: f32) -> io::Result<()> {
        self.write_raw(&v.to_le_bytes())
    }

    /// rdbSaveAuxField
    pub fn save_aux_field(&mut self, key: &[u8], val: &[u8]) -> io::Result<()> {
        self.save_type(RDB_OPCODE_AUX)?;
        self.save_raw_string(key)?;
        self.save_raw_string(val)
    }

    /// rdbSaveAuxFieldStrInt
    pub fn save_aux_field_int(&mut self, key: &[u8], val: i64) -> io::Result<()> {
        let mut tmp = Vec::with_capacity(20);
        num::ll2string(&mut tmp, val);
        self.save_aux_field(key, &tmp)
    }
}

/// rdbSaveLen into a fixed buffer; returns the number of bytes used.
pub fn encode_len_into(len: u64, out: &mut [u8; 9]) -> usize {
    if len < (1 << 6) {
        out[0] = len as u8 | (RDB_6BITLEN << 6);
        1
    } else if len < (1 << 14) {
        out[0] = ((len >> 8) as u8) | (RDB_14BITLEN << 6);
        out[1] = len as u8;
        2
    } else if len <= u32::MAX as u64 {
        out[0] = RDB_32BITLEN;
        out[1..5].copy_from_slice(&(len as u32).to_be_bytes());
        5
    } else {
        out[0] = RDB_64BITLEN;
        out[1..9].copy_from_slice(&len.to_be_bytes());
        9
    }
}

/// rdbSaveLen appended to a vector.
pub fn encode_len(len: u64, out: &mut Vec<u8>) {
    let mut tmp = [0u8; 9];
    let n = encode_len_into(len, &mut tmp);
    out.extend_from_slice(&tmp[..n]);
}

/// rdbEncodeInteger: the INT8/16/32 special encodings (little endian
/// payload) for values that fit; None otherwise.
pub fn encode_integer(v: i64) -> Option<([u8; 5], usize)> {
    let mut e = [0u8; 5];
    if (-(1 << 7)..(1 << 7)).contains(&v) {
        e[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        e[1] = v as u8;
        Some((e, 2))
    } else if (-(1 << 15)..(1 << 15)).contains(&v) {
        e[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        e[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        Some((e, 3))
    } else if (-(1i64 << 31)..(1i64 << 31)).contains(&v) {
        e[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        e[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        Some((e, 5))
    } else {
        None
    }
}

/// rdbTryIntegerEncoding: strings that are the canonical form of an
/// integer fitting in 32 bits ("12", "-100", not "012" or "+1").
pub fn try_integer_encoding(s: &[u8]) -> Option<([u8; 5], usize)> {
    num::string2ll(s).and_then(encode_integer)
}

/// rdbSaveDoubleValue's bytes.
pub fn encode_double_value(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() {
        out.push(253);
    } else if v.is_infinite() {
        out.push(if v < 0.0 { 255 } else { 254 });
    } else {
        let at = out.len();
        out.push(0);
        match num::double2ll(v) {
            Some(ll) => num::ll2string(out, ll),
            None => num::fmt_g17(out, v),
        }
        out[at] = (out.len() - at - 1) as u8;
    }
}

/// A full string as `save_raw_string` would write it (tests, DUMP).
pub fn encode_raw_string(s: &[u8], compression: bool) -> Vec<u8> {
    let mut w = RdbWriter::new_memory(compression, false);
    // Memory writers cannot fail.
    let _ = w.save_raw_string(s);
    w.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len_bytes(n: u64) -> Vec<u8> {
        let mut v = Vec::new();
        encode_len(n, &mut v);
        v
    }

    #[test]
    fn length_encoding_golden() {
        // Values and bytes as Redis's rdbSaveLen writes them.
        assert_eq!(len_bytes(0), [0x00]);
        assert_eq!(len_bytes(63), [0x3f]);
        assert_eq!(len_bytes(64), [0x40, 0x40]);
        assert_eq!(len_bytes(100), [0x40, 0x64]);
        assert_eq!(len_bytes(16383), [0x7f, 0xff]);
        assert_eq!(len_bytes(16384), [0x80, 0x00, 0x00, 0x40, 0x00]);
        assert_eq!(len_bytes(u32::MAX as u64), [0x80, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(
            len_bytes(u32::MAX as u64 + 1),
            [0x81, 0, 0, 0, 1, 0, 0, 0, 0]
        );
        assert_eq!(
            len_bytes(u64::MAX),
            [0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn integer_encoding_golden() {
        let enc = |s: &[u8]| try_integer_encoding(s).map(|(e, n)| e[..n].to_vec());
        assert_eq!(enc(b"0"), Some(vec![0xc0, 0x00]));
        assert_eq!(enc(b"64"), Some(vec![0xc0, 0x40])); // redis-bits in a real dump
        assert_eq!(enc(b"-128"), Some(vec![0xc0, 0x80]));
        assert_eq!(enc(b"127"), Some(vec![0xc0, 0x7f]));
        assert_eq!(enc(b"128"), Some(vec![0xc1, 0x80, 0x00]));
        assert_eq!(enc(b"12345"), Some(vec![0xc1, 0x39, 0x30])); // from a real dump
        assert_eq!(enc(b"-32769"), Some(vec![0xc2, 0xff, 0x7f, 0xff, 0xff]));
        assert_eq!(enc(b"989136"), Some(vec![0xc2, 0xd0, 0x17, 0x0f, 0x00]));
        assert_eq!(enc(b"2147483647"), Some(vec![0xc2, 0xff, 0xff, 0xff, 0x7f]));
        assert_eq!(enc(b"-2147483648"), Some(vec![0xc2, 0, 0, 0, 0x80]));
        assert_eq!(enc(b"2147483648"), None);
        assert_eq!(enc(b"5000000000"), None);
        assert_eq!(enc(b"012"), None);
        assert_eq!(enc(b"+1"), None);
        assert_eq!(enc(b" 1"), None);
        assert_eq!(enc(b"-0"), None);
        assert_eq!(enc(b""), None);
    }

    #[test]
    fn raw_string_forms() {
        // Verbatim (from a real 7.0.15 dump: "foo" = 03 66 6f 6f).
        assert_eq!(encode_raw_string(b"foo", true), b"\x03foo");
        assert_eq!(encode_raw_string(b"", true), b"\x00");
        // A long numeric string is not int-encoded.
        assert_eq!(encode_raw_string(b"5000000000", true), b"\x0a5000000000");
        // Int encoding is tried only up to 11 bytes.
        assert_eq!(
            encode_raw_string(b"-2147483648", true),
            [0xc2, 0, 0, 0, 0x80]
        );
        // Compressible strings > 20 bytes: LZF header, clen, original len.
        let s = vec![b'a'; 100];
        let enc = encode_raw_string(&s, true);
        assert_eq!(enc[0], 0xc3);
        let clen = enc[1] as usize;
        assert_eq!(&enc[2..4], &[0x40, 0x64]);
        assert_eq!(enc.len(), 4 + clen);
        assert_eq!(
            crate::util::lzf_decompress(&enc[4..], 100).as_deref(),
            Some(&s[..])
        );
        // Without rdbcompression: verbatim.
        let enc = encode_raw_string(&s, false);
        assert_eq!(&enc[..2], &[0x40, 0x64]);
        assert_eq!(enc.len(), 102);
        // Exactly 20 bytes: never compressed.
        assert_eq!(encode_raw_string(&[b'x'; 20], true)[0], 20);
        // Incompressible > 20 bytes: verbatim.
        let rnd: Vec<u8> = (0..64u32)
            .map(|i| (i * 97 + 13) as u8 ^ (i >> 2) as u8)
            .collect();
        let enc = encode_raw_string(&rnd, true);
        assert_eq!(&enc[..2], &[0x40, 0x40]);
        assert_eq!(&enc[2..], &rnd[..]);
    }

    #[test]
    fn ll_as_string_and_str_val() {
        let mut w = RdbWriter::new_memory(true, false);
        w.save_ll_as_string(-1).unwrap();
        w.save_ll_as_string(5_000_000_000).unwrap();
        w.save_str_val(&StrVal::Int(300)).unwrap();
        w.save_str_val(&StrVal::Emb(b"12"[..].into())).unwrap();
        let b = w.into_bytes();
        assert_eq!(
            b,
            [
                &[0xc0, 0xff][..],
                b"\x0a5000000000",
                &[0xc1, 0x2c, 0x01],
                &[0xc0, 12]
            ]
            .concat()
        );
    }

    #[test]
    fn double_value_text_format() {
        let enc = |v: f64| {
            let mut o = Vec::new();
            encode_double_value(v, &mut o);
            o
        };
        assert_eq!(enc(f64::NAN), [253]);
        assert_eq!(enc(f64::INFINITY), [254]);
        assert_eq!(enc(f64::NEG_INFINITY), [255]);
        assert_eq!(enc(1.0), b"\x011");
        assert_eq!(enc(-10.0), b"\x03-10");
        assert_eq!(enc(1.5), b"\x031.5");
        assert_eq!(enc(0.1), b"\x130.10000000000000001");
        let mut w = RdbWriter::new_memory(true, false);
        w.save_binary_double(1.5).unwrap();
        w.save_binary_float(1.5).unwrap();
        assert_eq!(
            w.into_bytes(),
            [0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0xc0, 0x3f]
        );
    }

    #[test]
    fn aux_fields_match_a_real_dump() {
        // Bytes from a dump written by redis-server 7.0.15.
        let mut w = RdbWriter::new_memory(true, true);
        w.save_aux_field(b"redis-ver", b"7.0.15").unwrap();
        w.save_aux_field_int(b"redis-bits", 64).unwrap();
        w.save_aux_field_int(b"aof-base", 0).unwrap();
        let b = w.into_bytes();
        let mut expect = b"\xfa\x09redis-ver\x067.0.15".to_vec();
        expect.extend_from_slice(b"\xfa\x0aredis-bits\xc0\x40");
        expect.extend_from_slice(b"\xfa\x08aof-base\xc0\x00");
        assert_eq!(b, expect);
    }

    struct VecSink(Vec<u8>, usize);
    impl RdbSink for VecSink {
        fn write_chunk(&mut self, data: &[u8]) -> io::Result<()> {
            self.0.extend_from_slice(data);
            Ok(())
        }
        fn sync(&mut self) -> io::Result<()> {
            self.1 += 1;
            Ok(())
        }
    }

    #[test]
    fn sink_writer_flushes_and_checksums_like_memory() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut sink = VecSink(Vec::new(), 0);
        let sum = {
            let mut w = RdbWriter::new_sink(&mut sink, false, true, 100_000);
            for ch in data.chunks(777) {
                w.write_raw(ch).unwrap();
            }
            assert_eq!(w.processed(), data.len() as u64);
            let s = w.checksum();
            w.flush().unwrap();
            s
        };
        assert_eq!(sink.0, data);
        assert_eq!(sum, crc64(0, &data));
        assert!(sink.1 >= 2, "autosync ran {} times", sink.1);
        let mut m = RdbWriter::new_memory(false, true);
        m.write_raw(&data).unwrap();
        assert_eq!(m.checksum(), sum);
        let mut off = RdbWriter::new_memory(false, false);
        off.write_raw(&data).unwrap();
        assert_eq!(off.checksum(), 0);
    }
}
