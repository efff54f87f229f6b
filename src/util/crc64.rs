//! CRC-64 as used by Redis for RDB file checksums and DUMP/RESTORE payloads
//! (crc64.c + crcspeed.c): "Jones" polynomial 0xad93d23594c935a9, reflected
//! input and output, no final xor; the running CRC is passed in by the caller
//! (Redis starts from 0). Check value: crc64(0, "123456789") ==
//! 0xe9c6d914c4b8d9ca.
//!
//! Design: slicing-by-8 with tables computed at compile time (8 x 256 u64 =
//! 16 KiB), processing 8 bytes per step; a byte-at-a-time loop handles the
//! tail. Little-endian byte order of the 8-byte word is handled explicitly so
//! the result does not depend on the host.

/// Reflected form of the Jones polynomial 0xad93d23594c935a9.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

const fn make_tables() -> [[u64; 256]; 8] {
    let mut t = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut k = 0;
        while k < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            k += 1;
        }
        t[0][i] = crc;
        i += 1;
    }
    let mut n = 1;
    while n < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[n - 1][i];
            t[n][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        n += 1;
    }
    t
}

static TABLES: [[u64; 256]; 8] = make_tables();

/// Redis `crc64(crc, s, l)`: update `crc` with `data`.
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    let t = &TABLES;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let w = crc ^ u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        crc = t[7][(w & 0xff) as usize]
            ^ t[6][((w >> 8) & 0xff) as usize]
            ^ t[5][((w >> 16) & 0xff) as usize]
            ^ t[4][((w >> 24) & 0xff) as usize]
            ^ t[3][((w >> 32) & 0xff) as usize]
            ^ t[2][((w >> 40) & 0xff) as usize]
            ^ t[1][((w >> 48) & 0xff) as usize]
            ^ t[0][(w >> 56) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitwise(mut crc: u64, data: &[u8]) -> u64 {
        for &b in data {
            crc ^= b as u64;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ POLY_REFLECTED
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    #[test]
    fn check_values() {
        // From Redis crc64.c crc64Test().
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
        let li = b"This is a test of the emergency broadcast system.";
        // Values computed with Redis' own crc64.c/crcspeed.c.
        assert_eq!(crc64(0, li), 0x42153dc5db99540f);
        let buf: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(crc64(0, &buf), 0x1c19acdb99e360d4);
        assert_eq!(crc64(0x1234567890abcdef, &buf[..777]), 0x5e97bb3441a28910);
        assert_eq!(crc64(0, b""), 0);
    }

    #[test]
    fn matches_bitwise_and_is_incremental() {
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 100, 999, 1000] {
            assert_eq!(crc64(0, &data[..len]), bitwise(0, &data[..len]));
            for split in [0, 1, 3, 8, len / 2] {
                let split = split.min(len);
                assert_eq!(
                    crc64(crc64(0, &data[..split]), &data[split..len]),
                    crc64(0, &data[..len])
                );
            }
        }
    }
}
