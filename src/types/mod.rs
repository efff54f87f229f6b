//! Value types other than strings, one file per Redis `t_*.c` data half
//! (the commands live in `crate::command`): `list.rs` (quicklist),
//! `zset.rs` (sorted sets).
pub mod hash;
pub mod list;
pub mod set;
pub mod zset;
