//! Pure helper functions shared by the whole server, the Rust counterparts of
//! Redis `util.c` (number parsing/formatting, glob matching), `crc64.c`,
//! `lzf_c.c`/`lzf_d.c`, `sha1.c`, plus a software x87 `long double`
//! (INCRBYFLOAT) and a small PRNG. Everything here is side-effect free,
//! allocation-conscious and never panics on client/file data.
//!
//! Submodules:
//! * `num`        — string2ll / ll2string / string2d / d2string / `%.17g`.
//! * `longdouble` — `LongDouble` (80-bit extended): string2ld, add, ld2string.
//! * `glob`       — stringmatchlen (polynomial time).
//! * `crc64`      — Redis CRC-64 (Jones), slicing-by-8.
//! * `lzf`        — LZF compress/decompress (liblzf compatible).
//! * `sha1`       — SHA-1 (script digests).
//! * `rand`       — xorshift64* `Rng`.
//! * `bignum`     — private exact arithmetic for the float conversions.

pub(crate) mod bignum;
pub mod crc64;
pub mod glob;
pub mod longdouble;
pub mod lzf;
pub mod num;
pub mod rand;
pub mod sha1;

pub use crc64::crc64;
pub use glob::{string_match, string_match_len};
pub use longdouble::{ld2string_human, string2ld, LongDouble};
pub use lzf::{lzf_compress, lzf_decompress, lzf_decompress_into};
pub use num::{
    d2string, d2string_resp, digits10, double2ll, fixedpoint_d2string, fmt_g, fmt_g17, ll2string,
    sdigits10, string2d, string2l, string2ll, string2ull, strtod_full, ull2string,
};
pub use rand::Rng;
pub use sha1::{sha1, sha1_hex, Sha1};
