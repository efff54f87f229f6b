//! Values stored in the keyspace (Redis's `robj`, `object.c`).
//!
//! A key maps to an `Obj`: the value plus the LRU/LFU clock field that OBJECT
//! IDLETIME / FREQ report. Strings keep Redis's three encodings so OBJECT
//! ENCODING answers as Redis would:
//!
//! * `Int`  — a string that is the canonical decimal form of an i64
//!   (`tryObjectEncoding`); stored as the number itself, 8 bytes;
//! * `Emb`  — a short string created in one piece (≤ 44 bytes, Redis's
//!   OBJ_ENCODING_EMBSTR_SIZE_LIMIT), stored as an exact-size boxed slice;
//! * `Raw`  — longer strings and strings that were modified in place
//!   (APPEND, SETRANGE ...), stored in a growable buffer.
//!
//! Lists are `Value::List(Box<List>)`, a quicklist (`crate::types::list`),
//! whose OBJECT ENCODING is always "quicklist" as in Redis 7.0.
use crate::util::num::{ll2string, string2ll};
use std::borrow::Cow;

/// OBJ_ENCODING_EMBSTR_SIZE_LIMIT
pub const EMBSTR_SIZE_LIMIT: usize = 44;

#[derive(Clone)]
pub enum StrVal {
    Int(i64),
    Emb(Box<[u8]>),
    Raw(Vec<u8>),
}

/// `Clone` is COPY's deep duplication (dupStringObject, listTypeDup ...).
#[derive(Clone)]
pub enum Value {
    Str(StrVal),
    /// A list (always OBJ_ENCODING_QUICKLIST in 7.0), see `crate::types::list`.
    List(Box<crate::types::list::List>),
    /// Sorted set (listpack or skiplist encoding).
    ZSet(Box<crate::types::zset::ZSet>),
    /// Hash (listpack or hashtable encoding); 16 bytes, no extra box.
    Hash(crate::types::hash::Hash),
    /// Set (intset or hashtable encoding); 16 bytes, no extra box.
    Set(crate::types::set::Set),
    /// Stream (OBJ_ENCODING_STREAM), see `crate::types::stream`.
    Stream(Box<crate::types::stream::Stream>),
}

pub struct Obj {
    pub val: Value,
    /// LRU clock (seconds, 24 bits) or LFU data, as Redis's robj.lru.
    pub lru: u32,
}

impl StrVal {
    /// Encode a new string value the way `tryObjectEncoding` would.
    pub fn from_bytes(b: &[u8]) -> StrVal {
        if b.len() <= 20 {
            if let Some(n) = string2ll(b) {
                return StrVal::Int(n);
            }
        }
        if b.len() <= EMBSTR_SIZE_LIMIT {
            StrVal::Emb(b.into())
        } else {
            StrVal::Raw(b.to_vec())
        }
    }

    /// A string that will not be converted to an integer (e.g. created by
    /// commands that produce raw strings).
    pub fn from_bytes_no_int(b: &[u8]) -> StrVal {
        if b.len() <= EMBSTR_SIZE_LIMIT {
            StrVal::Emb(b.into())
        } else {
            StrVal::Raw(b.to_vec())
        }
    }

    pub fn from_vec(v: Vec<u8>) -> StrVal {
        if v.len() <= 20 {
            if let Some(n) = string2ll(&v) {
                return StrVal::Int(n);
            }
        }
        if v.len() <= EMBSTR_SIZE_LIMIT {
            StrVal::Emb(v.into_boxed_slice())
        } else {
            StrVal::Raw(v)
        }
    }

    /// The bytes of the string (allocates only for integers).
    pub fn as_bytes(&self) -> Cow<'_, [u8]> {
        match self {
            StrVal::Int(n) => {
                let mut v = Vec::with_capacity(20);
                ll2string(&mut v, *n);
                Cow::Owned(v)
            }
            StrVal::Emb(b) => Cow::Borrowed(b),
            StrVal::Raw(v) => Cow::Borrowed(v),
        }
    }

    /// Append the bytes of the string to `out` (no temporary for integers).
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            StrVal::Int(n) => ll2string(out, *n),
            StrVal::Emb(b) => out.extend_from_slice(b),
            StrVal::Raw(v) => out.extend_from_slice(v),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            StrVal::Int(n) => {
                let mut v = Vec::with_capacity(20);
                ll2string(&mut v, *n);
                v.len()
            }
            StrVal::Emb(b) => b.len(),
            StrVal::Raw(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Turn into a mutable raw buffer (APPEND / SETRANGE), as Redis's
    /// `dbUnshareStringValue`.
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, StrVal::Raw(_)) {
            let bytes = self.as_bytes().into_owned();
            *self = StrVal::Raw(bytes);
        }
        match self {
            StrVal::Raw(v) => v,
            _ => unreachable!("just converted to Raw"),
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            StrVal::Int(_) => "int",
            StrVal::Emb(_) => "embstr",
            StrVal::Raw(_) => "raw",
        }
    }

    /// Integer value if the string is a valid i64 (`getLongLongFromObject`).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            StrVal::Int(n) => Some(*n),
            StrVal::Emb(b) => string2ll(b),
            StrVal::Raw(v) => string2ll(v),
        }
    }
}

impl Value {
    /// TYPE's answer.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::ZSet(_) => "zset",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::Stream(_) => "stream",
        }
    }

    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding_name(),
            Value::List(_) => "quicklist",
            Value::ZSet(z) => z.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::Stream(_) => "stream",
        }
    }
}

impl Obj {
    pub fn new(val: Value, lru: u32) -> Obj {
        Obj { val, lru }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_encodings_follow_redis() {
        assert_eq!(StrVal::from_bytes(b"12345").encoding_name(), "int");
        assert_eq!(StrVal::from_bytes(b"-12345").encoding_name(), "int");
        assert_eq!(StrVal::from_bytes(b"012").encoding_name(), "embstr");
        assert_eq!(StrVal::from_bytes(b"hello").encoding_name(), "embstr");
        assert_eq!(StrVal::from_bytes(&[b'a'; 44]).encoding_name(), "embstr");
        assert_eq!(StrVal::from_bytes(&[b'a'; 45]).encoding_name(), "raw");
        let mut s = StrVal::from_bytes(b"12");
        s.make_raw().extend_from_slice(b"3");
        assert_eq!(s.encoding_name(), "raw");
        assert_eq!(&*s.as_bytes(), b"123");
        assert_eq!(s.as_i64(), Some(123));
    }
}
