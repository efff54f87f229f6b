//! SHA-1 (FIPS 180-1), as Redis uses it (sha1.c) for script SHA digests
//! (EVALSHA / SCRIPT LOAD / FUNCTION) and DEBUG DIGEST.
//!
//! Design: straightforward streaming implementation (`Sha1::new`,
//! `update`, `finalize`) over 64-byte blocks with a fixed internal buffer,
//! no allocation; [`sha1_hex`] appends the lowercase 40-char hex form that
//! Redis prints (sha1hex in eval.c).

#[derive(Clone, Debug)]
pub struct Sha1 {
    h: [u32; 5],
    len: u64,
    buf: [u8; 64],
    buf_len: usize,
}

impl Default for Sha1 {
    fn default() -> Self {
        Sha1::new()
    }
}

impl Sha1 {
    pub fn new() -> Sha1 {
        Sha1 {
            h: [
                0x6745_2301,
                0xefcd_ab89,
                0x98ba_dcfe,
                0x1032_5476,
                0xc3d2_e1f0,
            ],
            len: 0,
            buf: [0; 64],
            buf_len: 0,
        }
    }

    fn block(h: &mut [u32; 5], b: &[u8]) {
        let mut w = [0u32; 80];
        for (i, c) in b.chunks_exact(4).take(16).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let (mut a, mut bb, mut c, mut d, mut e) = (h[0], h[1], h[2], h[3], h[4]);
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((bb & c) | (!bb & d), 0x5a82_7999),
                20..=39 => (bb ^ c ^ d, 0x6ed9_eba1),
                40..=59 => ((bb & c) | (bb & d) | (c & d), 0x8f1b_bcdc),
                _ => (bb ^ c ^ d, 0xca62_c1d6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(wi);
            e = d;
            d = c;
            c = bb.rotate_left(30);
            bb = a;
            a = t;
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(bb);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
        h[4] = h[4].wrapping_add(e);
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.buf_len > 0 {
            let take = (64 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 64 {
                return;
            }
            let b = self.buf;
            Sha1::block(&mut self.h, &b);
            self.buf_len = 0;
        }
        let mut chunks = data.chunks_exact(64);
        for c in &mut chunks {
            Sha1::block(&mut self.h, c);
        }
        let rem = chunks.remainder();
        self.buf[..rem.len()].copy_from_slice(rem);
        self.buf_len = rem.len();
    }

    pub fn finalize(mut self) -> [u8; 20] {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let padlen = if self.buf_len < 56 {
            56 - self.buf_len
        } else {
            120 - self.buf_len
        };
        let len_saved = self.len;
        self.update(&pad[..padlen]);
        self.update(&bits.to_be_bytes());
        self.len = len_saved;
        let mut out = [0u8; 20];
        for (i, v) in self.h.iter().enumerate() {
            out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
        }
        out
    }
}

/// SHA-1 digest of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut s = Sha1::new();
    s.update(data);
    s.finalize()
}

/// Append the lowercase hex SHA-1 of `data` (40 bytes), like Redis `sha1hex`.
pub fn sha1_hex(out: &mut Vec<u8>, data: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in sha1(data) {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hx(d: &[u8]) -> String {
        let mut v = Vec::new();
        sha1_hex(&mut v, d);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn known_vectors() {
        assert_eq!(hx(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hx(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hx(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(
            hx(&vec![b'a'; 1_000_000]),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
        // SCRIPT LOAD "return 1" in real Redis returns this sha
        assert_eq!(hx(b"return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
    }

    #[test]
    fn streaming_equals_oneshot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        for split in [0, 1, 55, 56, 63, 64, 65, 127, 128, 500, 1000] {
            let mut s = Sha1::new();
            s.update(&data[..split]);
            s.update(&data[split..]);
            assert_eq!(s.finalize(), sha1(&data));
        }
        for len in 50..70 {
            let mut s = Sha1::new();
            for b in &data[..len] {
                s.update(std::slice::from_ref(b));
            }
            assert_eq!(s.finalize(), sha1(&data[..len]));
        }
    }
}
