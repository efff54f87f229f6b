//! Value types other than strings, one file per Redis `t_*.c` data half
//! (the commands live in `crate::command`).
pub mod hash;
pub mod set;
pub mod zset;
