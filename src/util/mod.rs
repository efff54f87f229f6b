//! TEMPORARY stand-in until the util helper delivers.
pub mod num;
pub mod rand;
