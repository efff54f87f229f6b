//! THE per-type dispatch of the RDB format (Redis's rdbSaveObjectType,
//! rdbSaveObject, rdbLoadObject). Every value type lives here as one match
//! arm in each of:
//!
//! * [`value_rdb_type`] — the RDB type byte a value is saved with;
//! * [`save_value`]     — the value's payload after type byte and key;
//! * [`load_value`]     — RDB type byte → `Value` (all encodings Redis ≤ 7.0
//!   wrote, converting old ones such as ziplist/zipmap on load);
//! * [`skip_value`]     — walk a payload without building it (used by
//!   `redis-check-rdb` for types ferrodis cannot load yet, so the report
//!   still covers the whole file).
//!
//! Adding a type = one arm in each function (plus its helper functions in
//! the type's own module). Strings are done here; the other types plug in
//! as their `Value` variants land.
use super::decode::{RdbReader, RdbResult};
use super::encode::RdbWriter;
use super::*;
use crate::config::Config;
use crate::db::object::Value;
use std::io;

/// What `load_value` needs besides the bytes: configuration (encoding
/// thresholds, sanitize-dump-payload) and whether to validate deeply.
pub struct LoadCtx<'c> {
    pub config: &'c Config,
    /// Deep integrity checks of embedded encodings (sanitize-dump-payload
    /// yes, redis-check-rdb).
    pub deep_sanitize: bool,
}

/// Human name of an RDB type as redis-check-rdb prints it.
pub fn rdb_type_name(t: u8) -> &'static str {
    const NAMES: [&str; 19] = [
        "string",
        "list-linked",
        "set-hashtable",
        "zset-v1",
        "hash-hashtable",
        "zset-v2",
        "module-value",
        "",
        "",
        "hash-zipmap",
        "list-ziplist",
        "set-intset",
        "zset-ziplist",
        "hash-ziplist",
        "quicklist",
        "stream",
        "hash-listpack",
        "zset-listpack",
        "quicklist-v2",
    ];
    NAMES.get(t as usize).copied().unwrap_or("unknown")
}

/// rdbSaveObjectType: the type byte for `v` in its current encoding.
#[allow(unreachable_patterns)]
pub fn value_rdb_type(v: &Value) -> Option<u8> {
    match v {
        Value::Str(_) => Some(RDB_TYPE_STRING),
        // New types: e.g. Value::List(_) => Some(RDB_TYPE_LIST_QUICKLIST_2).
        _ => None,
    }
}

/// rdbSaveObject: the payload of `v` (after type byte and key).
#[allow(unreachable_patterns)]
pub fn save_value(w: &mut RdbWriter, v: &Value) -> io::Result<()> {
    match v {
        Value::Str(s) => w.save_str_val(s),
        _ => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("cannot save values of type {} yet", v.type_name()),
        )),
    }
}

/// rdbLoadObject: read a value of RDB type `rdbtype`. `Ok(None)` is an
/// empty aggregate (Redis's RDB_LOAD_ERR_EMPTY_KEY: skipped, not fatal).
pub fn load_value(rd: &mut RdbReader, rdbtype: u8, _ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    match rdbtype {
        RDB_TYPE_STRING => Ok(Some(Value::Str(rd.load_str_val()?))),
        t if is_object_type(t) => Err(rd.corrupt(format!(
            "RDB type {} ({}) is not supported by this server yet",
            t,
            rdb_type_name(t)
        ))),
        t => Err(rd.corrupt(format!("Unknown RDB encoding type {}", t))),
    }
}

/// True when `load_value` can build values of this RDB type.
pub fn can_load_type(rdbtype: u8) -> bool {
    matches!(rdbtype, RDB_TYPE_STRING)
}

/// Walk over one value of type `rdbtype` checking only its framing
/// (lengths, string encodings, LZF blobs), for redis-check-rdb.
pub fn skip_value(rd: &mut RdbReader, rdbtype: u8) -> RdbResult<()> {
    match rdbtype {
        RDB_TYPE_STRING => rd.skip_string(),
        RDB_TYPE_LIST | RDB_TYPE_SET => {
            let n = rd.load_count(1)?;
            for _ in 0..n {
                rd.skip_string()?;
            }
            Ok(())
        }
        RDB_TYPE_ZSET => {
            let n = rd.load_count(2)?;
            for _ in 0..n {
                rd.skip_string()?;
                rd.load_double_value()?;
            }
            Ok(())
        }
        RDB_TYPE_ZSET_2 => {
            let n = rd.load_count(9)?;
            for _ in 0..n {
                rd.skip_string()?;
                rd.load_binary_double()?;
            }
            Ok(())
        }
        RDB_TYPE_HASH => {
            let n = rd.load_count(2)?;
            for _ in 0..n {
                rd.skip_string()?;
                rd.skip_string()?;
            }
            Ok(())
        }
        RDB_TYPE_HASH_ZIPMAP
        | RDB_TYPE_LIST_ZIPLIST
        | RDB_TYPE_SET_INTSET
        | RDB_TYPE_ZSET_ZIPLIST
        | RDB_TYPE_HASH_ZIPLIST
        | RDB_TYPE_HASH_LISTPACK
        | RDB_TYPE_ZSET_LISTPACK => rd.skip_string(),
        RDB_TYPE_LIST_QUICKLIST => {
            let n = rd.load_count(1)?;
            for _ in 0..n {
                rd.skip_string()?;
            }
            Ok(())
        }
        RDB_TYPE_LIST_QUICKLIST_2 => {
            let n = rd.load_count(2)?;
            for _ in 0..n {
                let at = rd.offset();
                let container = rd.load_len()?;
                if container != 1 && container != 2 {
                    return Err(super::RdbError {
                        offset: at,
                        reason: "Quicklist integrity check failed.".into(),
                        short_read: false,
                    });
                }
                rd.skip_string()?;
            }
            Ok(())
        }
        RDB_TYPE_STREAM_LISTPACKS | RDB_TYPE_STREAM_LISTPACKS_2 => skip_stream(rd, rdbtype),
        RDB_TYPE_MODULE_2 => skip_module2(rd),
        RDB_TYPE_MODULE => {
            Err(rd.corrupt("Can't load module value of RDB type 6 without the module loaded"))
        }
        t => Err(rd.corrupt(format!("Unknown RDB encoding type {}", t))),
    }
}

fn skip_stream(rd: &mut RdbReader, rdbtype: u8) -> RdbResult<()> {
    let listpacks = rd.load_count(2)?;
    for _ in 0..listpacks {
        let at = rd.offset();
        let nodekey = rd.load_string()?;
        if nodekey.len() != 16 {
            return Err(super::RdbError {
                offset: at,
                reason: "Stream node key entry is not the size of a stream ID".into(),
                short_read: false,
            });
        }
        rd.skip_string()?;
    }
    rd.load_len()?; // length
    rd.load_len()?; // last id ms
    rd.load_len()?; // last id seq
    if rdbtype == RDB_TYPE_STREAM_LISTPACKS_2 {
        for _ in 0..5 {
            rd.load_len()?; // first id, max deleted id, entries_added
        }
    }
    let groups = rd.load_count(3)?;
    for _ in 0..groups {
        rd.skip_string()?;
        rd.load_len()?;
        rd.load_len()?;
        if rdbtype == RDB_TYPE_STREAM_LISTPACKS_2 {
            rd.load_len()?;
        }
        let pel = rd.load_count(25)?;
        for _ in 0..pel {
            rd.skip(16)?;
            rd.load_millisecond_time()?;
            rd.load_len()?;
        }
        let consumers = rd.load_count(10)?;
        for _ in 0..consumers {
            rd.skip_string()?;
            rd.load_millisecond_time()?;
            let n = rd.load_count(16)?;
            rd.skip(n.saturating_mul(16))?;
        }
    }
    Ok(())
}

fn skip_module2(rd: &mut RdbReader) -> RdbResult<()> {
    rd.load_len()?; // module id
    loop {
        let at = rd.offset();
        match rd.load_len()? {
            RDB_MODULE_OPCODE_EOF => return Ok(()),
            RDB_MODULE_OPCODE_SINT | RDB_MODULE_OPCODE_UINT => {
                rd.load_len()?;
            }
            RDB_MODULE_OPCODE_STRING => rd.skip_string()?,
            RDB_MODULE_OPCODE_FLOAT => {
                rd.load_binary_float()?;
            }
            RDB_MODULE_OPCODE_DOUBLE => {
                rd.load_binary_double()?;
            }
            op => {
                return Err(super::RdbError {
                    offset: at,
                    reason: format!("Unknown module opcode {}", op),
                    short_read: false,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::object::StrVal;

    #[test]
    fn string_values_round_trip_with_encodings() {
        let cfg = Config::default();
        let ctx = LoadCtx {
            config: &cfg,
            deep_sanitize: false,
        };
        for s in [
            &b"7"[..],
            b"-2147483648",
            b"hello",
            &[b'z'; 44],
            &[b'q'; 45],
            b"99999999999999999999",
        ] {
            let v = Value::Str(StrVal::from_bytes(s));
            assert_eq!(value_rdb_type(&v), Some(RDB_TYPE_STRING));
            let mut w = RdbWriter::new_memory(true, false);
            save_value(&mut w, &v).unwrap();
            let b = w.into_bytes();
            let mut r = RdbReader::from_slice(&b, false);
            let back = load_value(&mut r, RDB_TYPE_STRING, &ctx).unwrap().unwrap();
            assert_eq!(back.encoding_name(), v.encoding_name());
            let Value::Str(bs) = &back else { panic!("not a string") };
            assert_eq!(&*bs.as_bytes(), s);
            let mut r = RdbReader::from_slice(&b, false);
            skip_value(&mut r, RDB_TYPE_STRING).unwrap();
            assert_eq!(r.remaining(), Some(0));
        }
    }

    #[test]
    fn unknown_and_unsupported_types_are_errors() {
        let cfg = Config::default();
        let ctx = LoadCtx {
            config: &cfg,
            deep_sanitize: false,
        };
        let mut r = RdbReader::from_slice(&[0, 0], false);
        let e = load_value(&mut r, 8, &ctx).err().unwrap();
        assert_eq!(e.reason, "Unknown RDB encoding type 8");
        let mut r = RdbReader::from_slice(&[0, 0], false);
        assert!(load_value(&mut r, 200, &ctx).is_err());
        assert!(skip_value(&mut r, 8).is_err());
        assert_eq!(rdb_type_name(18), "quicklist-v2");
        assert_eq!(rdb_type_name(99), "unknown");
    }

    #[test]
    fn skip_walks_aggregate_framings() {
        // A list (type 1) with 2 elements, a zset v2 with 1, a hash with 1,
        // a quicklist-2 with 1 node, then a trailing marker byte.
        let mut w = RdbWriter::new_memory(false, false);
        w.save_len(2).unwrap();
        w.save_raw_string(b"a").unwrap();
        w.save_raw_string(b"12").unwrap();
        w.save_len(1).unwrap();
        w.save_raw_string(b"m").unwrap();
        w.save_binary_double(1.5).unwrap();
        w.save_len(1).unwrap();
        w.save_raw_string(b"f").unwrap();
        w.save_raw_string(b"v").unwrap();
        w.save_len(1).unwrap();
        w.save_len(2).unwrap();
        w.save_raw_string(b"opaque-listpack").unwrap();
        w.write_raw(&[0xee]).unwrap();
        let b = w.into_bytes();
        let mut r = RdbReader::from_slice(&b, false);
        skip_value(&mut r, RDB_TYPE_LIST).unwrap();
        skip_value(&mut r, RDB_TYPE_ZSET_2).unwrap();
        skip_value(&mut r, RDB_TYPE_HASH).unwrap();
        skip_value(&mut r, RDB_TYPE_LIST_QUICKLIST_2).unwrap();
        assert_eq!(r.read_u8().unwrap(), 0xee);
        // A huge count is a short read, not an allocation.
        let mut r = RdbReader::from_slice(&[0x80, 0xff, 0xff, 0xff, 0xff, 0], false);
        assert!(skip_value(&mut r, RDB_TYPE_SET).unwrap_err().short_read);
    }
}
