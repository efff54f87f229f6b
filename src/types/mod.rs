//! Data types beyond strings, one file per type (Redis's `t_*.c` data
//! structures): `list.rs` (quicklist).
pub mod list;
