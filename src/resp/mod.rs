//! RESP: the request parser (`parse`) and the reply encoder (`reply`).
//!
//! Replies are encoded straight into the client's output buffer; the encoder
//! knows the client's protocol version (RESP2 or RESP3, chosen with HELLO)
//! and picks the right type markers (maps become flat arrays in RESP2, nulls
//! become `$-1`/`*-1`, doubles become bulk strings ...). `value` parses the
//! replies of outgoing links (Sentinel).
pub mod parse;
pub mod reply;
pub mod value;

pub use parse::{Limits, Parsed, RequestParser};
pub use reply::Reply;
