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
        Value::List(_) => Some(RDB_TYPE_LIST_QUICKLIST_2),
        Value::Set(s) => Some(if s.intset().is_some() {
            RDB_TYPE_SET_INTSET
        } else {
            RDB_TYPE_SET
        }),
        Value::Hash(h) => Some(if h.listpack().is_some() {
            RDB_TYPE_HASH_LISTPACK
        } else {
            RDB_TYPE_HASH
        }),
        Value::ZSet(z) => Some(if z.listpack().is_some() {
            RDB_TYPE_ZSET_LISTPACK
        } else {
            RDB_TYPE_ZSET_2
        }),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// rdbSaveObject: the payload of `v` (after type byte and key).
#[allow(unreachable_patterns)]
pub fn save_value(w: &mut RdbWriter, v: &Value) -> io::Result<()> {
    match v {
        Value::Str(s) => w.save_str_val(s),
        Value::List(l) => save_list(w, l),
        Value::Set(set) => match set.intset() {
            Some(is) => w.save_raw_string(is.as_bytes()),
            None => {
                w.save_len(set.len() as u64)?;
                for m in set.iter() {
                    m.with_bytes(|b| w.save_raw_string(b))?;
                }
                Ok(())
            }
        },
        Value::Hash(h) => match h.listpack() {
            Some(lp) => w.save_raw_string(lp.as_bytes()),
            None => {
                w.save_len(h.len() as u64)?;
                for (f, v) in h.iter() {
                    f.with_bytes(|b| w.save_raw_string(b))?;
                    v.with_bytes(|b| w.save_raw_string(b))?;
                }
                Ok(())
            }
        },
        // Skiplist zsets go out from the tail (highest score) like rdbSaveObject.
        Value::ZSet(z) => match z.listpack() {
            Some(lp) => w.save_raw_string(lp.as_bytes()),
            None => {
                w.save_len(z.len() as u64)?;
                for (ele, score) in z.iter_rdb() {
                    ele.with_bytes(|b| w.save_raw_string(b))?;
                    w.save_binary_double(score)?;
                }
                Ok(())
            }
        },
        #[allow(unreachable_patterns)]
        _ => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("cannot save values of type {} yet", v.type_name()),
        )),
    }
}

/// rdbLoadObject: read a value of RDB type `rdbtype`. `Ok(None)` is an
/// empty aggregate (Redis's RDB_LOAD_ERR_EMPTY_KEY: skipped, not fatal).
pub fn load_value(rd: &mut RdbReader, rdbtype: u8, ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    match rdbtype {
        RDB_TYPE_STRING => Ok(Some(Value::Str(rd.load_str_val()?))),
        RDB_TYPE_LIST
        | RDB_TYPE_LIST_ZIPLIST
        | RDB_TYPE_LIST_QUICKLIST
        | RDB_TYPE_LIST_QUICKLIST_2 => load_list(rd, rdbtype, ctx),
        RDB_TYPE_HASH | RDB_TYPE_HASH_LISTPACK => load_hash(rd, rdbtype, ctx),
        RDB_TYPE_SET | RDB_TYPE_SET_INTSET => load_set(rd, rdbtype, ctx),
        RDB_TYPE_ZSET | RDB_TYPE_ZSET_2 | RDB_TYPE_ZSET_LISTPACK => load_zset(rd, rdbtype, ctx),
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
    matches!(
        rdbtype,
        RDB_TYPE_STRING
            | RDB_TYPE_HASH
            | RDB_TYPE_HASH_LISTPACK
            | RDB_TYPE_SET
            | RDB_TYPE_SET_INTSET
            | RDB_TYPE_ZSET
            | RDB_TYPE_ZSET_2
            | RDB_TYPE_ZSET_LISTPACK
            | RDB_TYPE_LIST
            | RDB_TYPE_LIST_ZIPLIST
            | RDB_TYPE_LIST_QUICKLIST
            | RDB_TYPE_LIST_QUICKLIST_2
    )
}

/// rdbSaveObject for a quicklist: node count, then per node its container
/// and its blob (a compressed node's LZF data is written as is).
fn save_list(w: &mut RdbWriter, l: &crate::types::list::List) -> io::Result<()> {
    use crate::types::list::NodeBlob;
    w.save_len(l.node_count() as u64)?;
    for (container, blob) in l.rdb_nodes() {
        w.save_len(container as u64)?;
        match blob {
            NodeBlob::Raw(b) => w.save_raw_string(b)?,
            NodeBlob::Lzf { data, raw_len } => w.save_lzf_blob(data, raw_len)?,
        }
    }
    Ok(())
}

/// rdbLoadObject for lists: RDB_TYPE_LIST (elements), RDB_TYPE_LIST_ZIPLIST
/// (one ziplist), RDB_TYPE_LIST_QUICKLIST (ziplist nodes) and
/// RDB_TYPE_LIST_QUICKLIST_2 (container + listpack/plain nodes). The list
/// takes the configured fill / compress depth, as Redis does on load.
/// Hashes: RDB_TYPE_HASH_LISTPACK (validated blob, converted to a
/// hashtable when over hash-max-listpack-entries) and RDB_TYPE_HASH pairs.
fn load_hash(rd: &mut RdbReader, rdbtype: u8, ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    use crate::db::listpack::Listpack;
    use crate::types::hash::{Hash, HashLimits};
    if rdbtype == RDB_TYPE_HASH_LISTPACK {
        let blob = rd.load_string()?;
        if !Listpack::validate_pairs_no_dups(&blob, ctx.deep_sanitize) {
            return Err(rd.corrupt("Hash listpack integrity check failed."));
        }
        let lp = Listpack::from_bytes(blob)
            .ok_or_else(|| rd.corrupt("Hash listpack integrity check failed."))?;
        if lp.is_empty() {
            return Ok(None);
        }
        let limits = HashLimits::from_config(ctx.config);
        return Ok(Some(Value::Hash(Hash::from_listpack_loaded(lp, limits))));
    }
    let n = rd.load_count(2)?;
    if n == 0 {
        return Ok(None);
    }
    // rdb.c: a listpack unless there are too many pairs or a long field /
    // value shows up (then the rest goes into a table).
    let limits = HashLimits::from_config(ctx.config);
    let mut h = Hash::new_for_load(n, limits);
    let (mut f, mut v) = (Vec::new(), Vec::new());
    for _ in 0..n {
        f.clear();
        v.clear();
        rd.load_string_into(&mut f)?;
        rd.load_string_into(&mut v)?;
        h.load_pair(&f, &v, limits).map_err(|e| rd.corrupt(e))?;
    }
    Ok(Some(Value::Hash(h)))
}

/// Sets: RDB_TYPE_SET_INTSET (validated blob) and RDB_TYPE_SET members.
fn load_set(rd: &mut RdbReader, rdbtype: u8, ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    use crate::db::intset::IntSet;
    use crate::types::set::Set;
    if rdbtype == RDB_TYPE_SET_INTSET {
        let blob = rd.load_string()?;
        if !IntSet::validate(&blob, ctx.deep_sanitize) {
            return Err(rd.corrupt("Intset integrity check failed."));
        }
        let is =
            IntSet::from_bytes(blob).ok_or_else(|| rd.corrupt("Intset integrity check failed."))?;
        if is.is_empty() {
            return Ok(None);
        }
        let max = ctx.config.set_max_intset_entries;
        return Ok(Some(Value::Set(Set::from_intset_loaded(is, max))));
    }
    let n = rd.load_count(1)?;
    if n == 0 {
        return Ok(None);
    }
    // rdb.c: an intset unless there are too many members or a non-integer
    // member shows up.
    let mut s = Set::new_for_load(n, ctx.config.set_max_intset_entries);
    let mut m = Vec::new();
    for _ in 0..n {
        m.clear();
        rd.load_string_into(&mut m)?;
        s.load_member(&m).map_err(|e| rd.corrupt(e))?;
    }
    Ok(Some(Value::Set(s)))
}

/// Sorted sets: RDB_TYPE_ZSET_LISTPACK, and ZSET/ZSET_2 member/score pairs.
fn load_zset(rd: &mut RdbReader, rdbtype: u8, ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    use crate::db::listpack::Listpack;
    use crate::types::zset::{ZLimits, ZSet, ZSetLoader};
    let lim = ZLimits {
        max_entries: ctx.config.zset_max_listpack_entries,
        max_value: ctx.config.zset_max_listpack_value,
    };
    if rdbtype == RDB_TYPE_ZSET_LISTPACK {
        let blob = rd.load_string()?;
        if !Listpack::validate_pairs_no_dups(&blob, ctx.deep_sanitize) {
            return Err(rd.corrupt("Zset listpack integrity check failed."));
        }
        let lp = Listpack::from_bytes(blob)
            .ok_or_else(|| rd.corrupt("Zset listpack integrity check failed."))?;
        if lp.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Value::ZSet(Box::new(ZSet::from_listpack(lp, &lim)))));
    }
    let n = rd.load_count(2)?;
    if n == 0 {
        return Ok(None);
    }
    let mut loader = ZSetLoader::new();
    let mut m = Vec::new();
    for _ in 0..n {
        m.clear();
        rd.load_string_into(&mut m)?;
        let score = if rdbtype == RDB_TYPE_ZSET_2 {
            rd.load_binary_double()?
        } else {
            rd.load_double_value()?
        };
        loader.add(&m, score).map_err(|e| rd.corrupt(e))?;
    }
    Ok(Some(Value::ZSet(Box::new(loader.finish(&lim)))))
}

fn load_list(rd: &mut RdbReader, rdbtype: u8, ctx: &LoadCtx) -> RdbResult<Option<Value>> {
    use crate::types::list::List;
    let mut l = List::new(
        ctx.config.list_max_listpack_size,
        ctx.config.list_compress_depth,
    );
    match rdbtype {
        RDB_TYPE_LIST => {
            let n = rd.load_count(1)?;
            let mut buf = Vec::new();
            for _ in 0..n {
                buf.clear();
                rd.load_string_into(&mut buf)?;
                l.push(&buf, false);
            }
        }
        RDB_TYPE_LIST_ZIPLIST => {
            let zl = rd.load_string()?;
            l.push_ziplist_elements(&zl).map_err(|e| rd.corrupt(e))?;
        }
        _ => {
            let v2 = rdbtype == RDB_TYPE_LIST_QUICKLIST_2;
            let n = rd.load_count(if v2 { 2 } else { 1 })?;
            for _ in 0..n {
                let container = if v2 { rd.load_len()? } else { 2 };
                if container != 1 && container != 2 {
                    return Err(rd.corrupt("Quicklist integrity check failed."));
                }
                let data = rd.load_string()?;
                if data.is_empty() {
                    return Err(rd.corrupt("Empty quicklist node"));
                }
                let r = if v2 {
                    l.append_rdb_node(container, data, ctx.deep_sanitize)
                } else {
                    l.append_ziplist_node(&data)
                };
                r.map_err(|e| rd.corrupt(e))?;
            }
        }
    }
    if l.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::List(Box::new(l))))
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
            let Value::Str(bs) = &back else {
                panic!("not a string")
            };
            assert_eq!(&*bs.as_bytes(), s);
            let mut r = RdbReader::from_slice(&b, false);
            skip_value(&mut r, RDB_TYPE_STRING).unwrap();
            assert_eq!(r.remaining(), Some(0));
        }
    }

    #[test]
    fn lists_round_trip_in_every_node_shape() {
        use crate::types::list::{set_packed_threshold, List};
        let cfg = Config {
            list_max_listpack_size: 3,
            list_compress_depth: 1,
            ..Config::default()
        };
        let ctx = LoadCtx {
            config: &cfg,
            deep_sanitize: true,
        };
        set_packed_threshold(40);
        let mut l = List::new(3, 1);
        for i in 0..20 {
            l.push(
                format!("element-{:03}-{}", i, "x".repeat(i * 3)).as_bytes(),
                false,
            );
        }
        l.push(b"12345", true);
        set_packed_threshold(0);
        let kinds = l.node_kinds();
        assert!(kinds.iter().any(|k| k.0 == 1) && kinds.iter().any(|k| k.2));
        let v = Value::List(Box::new(l));
        assert_eq!(value_rdb_type(&v), Some(RDB_TYPE_LIST_QUICKLIST_2));
        for compression in [true, false] {
            let mut w = RdbWriter::new_memory(compression, false);
            save_value(&mut w, &v).unwrap();
            let b = w.into_bytes();
            let mut r = RdbReader::from_slice(&b, false);
            skip_value(&mut r, RDB_TYPE_LIST_QUICKLIST_2).unwrap();
            assert_eq!(r.remaining(), Some(0));
            let mut r = RdbReader::from_slice(&b, false);
            let back = load_value(&mut r, RDB_TYPE_LIST_QUICKLIST_2, &ctx)
                .unwrap()
                .unwrap();
            let (Value::List(a), Value::List(b)) = (&v, &back) else {
                panic!("not lists")
            };
            assert_eq!(a.node_kinds(), b.node_kinds());
            for i in 0..a.len() as i64 {
                assert_eq!(a.get(i), b.get(i));
            }
        }
        // RDB_TYPE_LIST: plain elements; an empty one is an empty key.
        let mut w = RdbWriter::new_memory(true, false);
        w.save_len(3).unwrap();
        for e in [&b"a"[..], b"100", &[b'y'; 30]] {
            w.save_raw_string(e).unwrap();
        }
        let b = w.into_bytes();
        let mut r = RdbReader::from_slice(&b, false);
        match load_value(&mut r, RDB_TYPE_LIST, &ctx).unwrap() {
            Some(Value::List(l)) => {
                assert_eq!(l.len(), 3);
                assert_eq!(l.get(1).unwrap(), b"100");
                assert_eq!(l.fill(), 3);
            }
            _ => panic!("expected a list"),
        }
        let mut r = RdbReader::from_slice(&[0], false);
        assert!(load_value(&mut r, RDB_TYPE_LIST, &ctx).unwrap().is_none());
        // Bad container / corrupt listpack.
        let mut w = RdbWriter::new_memory(false, false);
        w.save_len(1).unwrap();
        w.save_len(3).unwrap();
        w.save_raw_string(b"zz").unwrap();
        let b = w.into_bytes();
        let mut r = RdbReader::from_slice(&b, false);
        let e = load_value(&mut r, RDB_TYPE_LIST_QUICKLIST_2, &ctx)
            .err()
            .unwrap();
        assert_eq!(e.reason, "Quicklist integrity check failed.");
        let mut w = RdbWriter::new_memory(false, false);
        w.save_len(1).unwrap();
        w.save_len(2).unwrap();
        w.save_raw_string(b"not a listpack").unwrap();
        let b = w.into_bytes();
        let mut r = RdbReader::from_slice(&b, false);
        let e = load_value(&mut r, RDB_TYPE_LIST_QUICKLIST_2, &ctx)
            .err()
            .unwrap();
        assert_eq!(e.reason, "Listpack integrity check failed.");
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
