//! TEMPORARY stand-in until the util helper delivers.
pub mod glob;
pub mod num;
pub mod rand;
