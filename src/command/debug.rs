//! DEBUG: the subcommands the Redis test suite relies on (Redis's debug.c),
//! and the dataset digest (DEBUG DIGEST / DIGEST-VALUE).
//!
//! ## Digest (computeDatasetDigest / xorObjectDigest)
//! Two SHA1-based primitives: `xor_digest(d, data)` xors SHA1(data) into
//! `d` (order-independent: used for unordered things such as keys of a db,
//! set members), `mix_digest(d, data)` sets `d = SHA1(d xor SHA1(data))`
//! (order-dependent: key then value, list elements). A key's digest starts
//! at zero, mixes the key, the big-endian type code (OBJ_STRING = 0 ...),
//! then the value; a TTL xors in the literal "!!expire!!" (the expire time
//! itself is not part of the digest). Each db with keys mixes its
//! big-endian id into the final digest, then every key digest goes in with
//! `xor_digest` (so SHA1(key digest) is what gets xored, exactly as Redis).
//! An empty dataset digests to 40 zeros. The result equals real Redis's for
//! the same data, whatever the dict order. Other value types add their arm
//! to `xor_object_digest` (the algorithm per type is described there).
//!
//! ## Subcommands
//! SLEEP, SET-ACTIVE-EXPIRE, OBJECT, DIGEST, DIGEST-VALUE, PROTOCOL, ERROR,
//! LOG, HELP, QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID, PAUSE-CRON,
//! REPLYBUFFER, STRINGMATCH-TEST, POPULATE, CONFIG-REWRITE-FORCE-ALL,
//! SET-SKIP-CHECKSUM-VALIDATION, AOF-FLUSH-SLEEP, SET-DISABLE-DENY-SCRIPTS,
//! STRUCTSIZE, LEAK, SDSLEN. RELOAD and LOADAOF answer an error until RDB/AOF
//! exist; anything else gets Redis's "unknown subcommand" error.
use crate::client::{Args, Client};
use crate::db::{Obj, StrVal, Value};
use crate::error::{CmdResult, Error};
use crate::server::Server;
use crate::util::sha1::Sha1;
use std::sync::atomic::{AtomicU64, Ordering};

/// DEBUG SET-SKIP-CHECKSUM-VALIDATION (for RDB loading / RESTORE).
pub static SKIP_CHECKSUM_VALIDATION: AtomicU64 = AtomicU64::new(0);
/// DEBUG AOF-FLUSH-SLEEP microseconds.
pub static AOF_FLUSH_SLEEP: AtomicU64 = AtomicU64::new(0);

/// Redis object type codes, as mixed into the digest (OBJ_STRING ...).
pub const OBJ_STRING: u32 = 0;
pub const OBJ_LIST: u32 = 1;
pub const OBJ_SET: u32 = 2;
pub const OBJ_ZSET: u32 = 3;
pub const OBJ_HASH: u32 = 4;
pub const OBJ_STREAM: u32 = 6;

// ---------------------------------------------------------------------------
// Digest
// ---------------------------------------------------------------------------

/// xorDigest: digest ^= SHA1(data).
pub fn xor_digest(digest: &mut [u8; 20], data: &[u8]) {
    let mut h = Sha1::new();
    h.update(data);
    let hash = h.finalize();
    for (d, x) in digest.iter_mut().zip(hash.iter()) {
        *d ^= x;
    }
}

/// mixDigest: digest = SHA1(digest ^ SHA1(data)).
pub fn mix_digest(digest: &mut [u8; 20], data: &[u8]) {
    xor_digest(digest, data);
    let mut h = Sha1::new();
    h.update(&digest[..]);
    *digest = h.finalize();
}

/// xorObjectDigest: mix the value `o` of a key (with TTL or not) into `digest`.
///
/// Per type, as Redis does: string = mix(bytes); list = mix(each element in
/// order); set = xor_digest(each member); zset and hash = for each element
/// an element digest (zero, then mix(member), mix(score as %.17g) /
/// mix(field), mix(value)) added with xor_digest(digest, element digest);
/// stream = mix("<ms>.<seq>") then mix(field), mix(value) per entry.
pub fn xor_object_digest(digest: &mut [u8; 20], o: &Obj, has_expire: bool) {
    let type_code = match &o.val {
        Value::Str(_) => OBJ_STRING,
        Value::List(_) => OBJ_LIST,
        Value::ZSet(_) => OBJ_ZSET,
        Value::Set(_) => OBJ_SET,
        Value::Hash(_) => OBJ_HASH,
        Value::Stream(_) => OBJ_STREAM,
    };
    mix_digest(digest, &type_code.to_be_bytes());
    match &o.val {
        Value::Str(s) => mix_digest(digest, &s.as_bytes()),
        Value::List(l) => {
            let mut buf = Vec::new();
            l.for_each(false, |v| {
                crate::types::list::lpval_to_bytes(v, &mut buf);
                mix_digest(digest, &buf);
                true
            });
        }
        Value::ZSet(z) => {
            let mut buf = Vec::with_capacity(32);
            for (ele, score) in z.iter(false) {
                let mut eledigest = [0u8; 20];
                ele.with_bytes(|b| mix_digest(&mut eledigest, b));
                buf.clear();
                crate::util::num::fmt_g17(&mut buf, score);
                mix_digest(&mut eledigest, &buf);
                xor_digest(digest, &eledigest);
            }
        }
        Value::Set(set) => {
            for m in set.iter() {
                m.with_bytes(|b| xor_digest(digest, b));
            }
        }
        Value::Hash(h) => {
            for (f, v) in h.iter() {
                let mut eledigest = [0u8; 20];
                f.with_bytes(|b| mix_digest(&mut eledigest, b));
                v.with_bytes(|b| mix_digest(&mut eledigest, b));
                xor_digest(digest, &eledigest);
            }
        }
        Value::Stream(st) => {
            use crate::types::stream::StreamIter;
            let mut it = StreamIter::new(None, None, false);
            let mut buf = Vec::with_capacity(44);
            while let Some(id) = it.next(st) {
                buf.clear();
                use std::io::Write;
                let _ = write!(buf, "{}.{}", id.ms, id.seq);
                mix_digest(digest, &buf);
                it.fields(st, |f, v| {
                    f.with_bytes(|b| mix_digest(digest, b));
                    v.with_bytes(|b| mix_digest(digest, b));
                });
            }
        }
    }
    if has_expire {
        xor_digest(digest, b"!!expire!!");
    }
}

/// The digest of one key/value pair (computeDatasetDigest's inner step).
pub fn key_value_digest(key: &[u8], o: &Obj, has_expire: bool) -> [u8; 20] {
    let mut d = [0u8; 20];
    mix_digest(&mut d, key);
    xor_object_digest(&mut d, o, has_expire);
    d
}

/// computeDatasetDigest
pub fn compute_dataset_digest(srv: &Server) -> [u8; 20] {
    let mut fin = [0u8; 20];
    for (j, db) in srv.dbs.iter().enumerate() {
        if db.dict.is_empty() {
            continue;
        }
        mix_digest(&mut fin, &(j as u32).to_be_bytes());
        for (key, o) in db.dict.iter() {
            let d = key_value_digest(key, o, db.expires.contains_key(key));
            xor_digest(&mut fin, &d);
        }
    }
    fin
}

pub fn digest_hex(d: &[u8; 20]) -> String {
    let mut s = String::with_capacity(40);
    for b in d {
        s.push_str(&format!("{:02x}", b));
    }
    s
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// C `atoi`.
fn atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = i < s.len() && s[i] == b'-';
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        i += 1;
    }
    let mut v: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add((s[i] - b'0') as i64);
        i += 1;
    }
    if neg {
        -v
    } else {
        v
    }
}

/// C `strtod` on a prefix (0.0 when nothing parses). Only the first 64
/// bytes are looked at, so a huge argument costs nothing.
fn strtod_prefix(s: &[u8]) -> f64 {
    let s = &s[..s.len().min(64)];
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start();
    let mut best = 0.0;
    for (i, ch) in t.char_indices() {
        let end = i + ch.len_utf8();
        if let Ok(v) = t[..end].parse::<f64>() {
            best = v;
        }
    }
    best
}

/// rdbSaveLen's size.
fn rdb_len_size(len: u64) -> usize {
    if len < (1 << 6) {
        1
    } else if len < (1 << 14) {
        2
    } else if len <= u32::MAX as u64 {
        5
    } else {
        9
    }
}

/// rdbEncodeInteger's size (0 = does not fit in 32 bits).
fn rdb_int_size(v: i64) -> usize {
    if (-(1 << 7)..(1 << 7)).contains(&v) {
        2
    } else if (-(1 << 15)..(1 << 15)).contains(&v) {
        3
    } else if (-(1i64 << 31)..(1i64 << 31)).contains(&v) {
        5
    } else {
        0
    }
}

/// Bytes rdbSaveRawString would write for `s`.
pub fn rdb_saved_raw_string_len(s: &[u8], compression: bool) -> usize {
    if s.len() <= 11 {
        if let Some(v) = crate::util::string2ll(s) {
            let n = rdb_int_size(v);
            if n > 0 {
                return n;
            }
        }
    }
    if compression && s.len() > 20 {
        let mut out = Vec::new();
        if let Some(clen) = crate::util::lzf_compress(s, &mut out, s.len() - 4) {
            if clen > 0 {
                return 1 + rdb_len_size(clen as u64) + rdb_len_size(s.len() as u64) + clen;
            }
        }
    }
    rdb_len_size(s.len() as u64) + s.len()
}

/// rdbSavedObjectLen for the value types we have.
pub fn rdb_saved_object_len(v: &Value, compression: bool) -> usize {
    match v {
        Value::Str(StrVal::Int(n)) => {
            let sz = rdb_int_size(*n);
            if sz > 0 {
                sz
            } else {
                let digits = n.to_string().len();
                rdb_len_size(digits as u64) + digits
            }
        }
        Value::Str(s) => rdb_saved_raw_string_len(&s.as_bytes(), compression),
        Value::List(l) => {
            // rdbSaveObject for OBJ_ENCODING_QUICKLIST: node count, then per
            // node its container and its blob (LZF blob when compressed).
            let mut n = rdb_len_size(l.node_count() as u64);
            for (container, blob) in l.rdb_nodes() {
                n += rdb_len_size(container as u64);
                n += match blob {
                    crate::types::list::NodeBlob::Raw(b) => {
                        rdb_saved_raw_string_len(b, compression)
                    }
                    crate::types::list::NodeBlob::Lzf { data, raw_len } => {
                        1 + rdb_len_size(data.len() as u64)
                            + rdb_len_size(raw_len as u64)
                            + data.len()
                    }
                };
            }
            n
        }
        Value::Stream(_) => {
            let mut w = crate::rdb::encode::RdbWriter::new_memory(compression, false);
            match crate::rdb::value::save_value(&mut w, v) {
                Ok(()) => w.into_bytes().len(),
                Err(_) => 0,
            }
        }
        // Other types: the RDB module's rdbSavedObjectLen takes over.
        #[allow(unreachable_patterns)]
        _ => 0,
    }
}

/// estimateObjectIdleTime (ms) from 24-bit LRU clocks.
fn estimate_idle_ms(lru_clock: u32, obj_lru: u32) -> u64 {
    const LRU_CLOCK_MAX: u64 = (1 << 24) - 1;
    let (now, lru) = (lru_clock as u64, obj_lru as u64 & LRU_CLOCK_MAX);
    if now >= lru {
        (now - lru) * 1000
    } else {
        (now + (LRU_CLOCK_MAX - lru)) * 1000
    }
}

fn subcommand_syntax_error(args: &Args) -> Error {
    let sub = String::from_utf8_lossy(args.get(1));
    let sub: String = sub.chars().take(128).collect();
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
        sub
    ))
}

/// getPositiveLongFromObjectOrReply (one message for both failures).
fn positive_long(a: &[u8]) -> Result<i64, Error> {
    match crate::util::string2ll(a) {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(Error::new("ERR value is out of range, must be positive")),
    }
}

const HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
];

/// addReplyHelp: "<CMD> <subcommand> ..." header, the lines, the HELP footer.
pub fn add_reply_help(c: &mut Client, cmd: &str, lines: &[&str]) {
    c.reply.array_len(lines.len() + 3);
    c.reply.status(
        format!(
            "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            cmd.to_ascii_uppercase()
        )
        .as_bytes(),
    );
    for l in lines {
        c.reply.status(l.as_bytes());
    }
    c.reply.status(b"HELP");
    c.reply.status(b"    Prints this help.");
}

// ---------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------

/// DEBUG <subcommand> [args...]
pub fn debug_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    let argc = args.len();
    match (sub.as_str(), argc) {
        ("help", 2) => add_reply_help(c, "DEBUG", HELP),
        ("log", 3) => {
            crate::server_log!(
                Warning,
                "DEBUG LOG: {}",
                String::from_utf8_lossy(args.get(2))
            );
            c.reply.ok();
        }
        ("leak", 3) => c.reply.ok(),
        ("reload", _) => {
            let o: Vec<&[u8]> = args.iter().skip(2).collect();
            crate::rdb::debug_reload(srv, &o).map_err(Error::msg)?;
            c.reply.ok();
        }
        ("loadaof", _) => {
            return Err(Error::new(
                "ERR DEBUG LOADAOF is not supported yet (no AOF persistence)",
            ))
        }
        ("object", 3) => debug_object(srv, c, args.get(2))?,
        ("sdslen", 3) => debug_sdslen(srv, c, args.get(2))?,
        ("populate", 3..=5) => debug_populate(srv, c, args)?,
        ("digest", 2) => {
            let d = compute_dataset_digest(srv);
            c.reply.status(digest_hex(&d).as_bytes());
        }
        ("digest-value", _) => {
            c.reply.array_len(argc - 2);
            let db = &srv.dbs[c.db];
            for key in args.iter().skip(2) {
                let mut d = [0u8; 20];
                if let Some(o) = db.dict.get(key) {
                    xor_object_digest(&mut d, o, db.expires.contains_key(key));
                }
                c.reply.status(digest_hex(&d).as_bytes());
            }
        }
        ("protocol", 3) => debug_protocol(c, args.get(2))?,
        ("sleep", 3) => {
            let secs = strtod_prefix(args.get(2));
            let us = (secs * 1_000_000.0) as i64;
            if us > 0 {
                std::thread::sleep(std::time::Duration::from_micros(us as u64));
            }
            c.reply.ok();
        }
        ("set-active-expire", 3) => {
            srv.active_expire_enabled = atoi(args.get(2)) != 0;
            c.reply.ok();
        }
        ("quicklist-packed-threshold", 3) => {
            crate::command::list::debug_quicklist_packed_threshold(c, args.get(2))?
        }
        ("set-skip-checksum-validation", 3) => {
            SKIP_CHECKSUM_VALIDATION.store((atoi(args.get(2)) != 0) as u64, Ordering::Relaxed);
            c.reply.ok();
        }
        ("aof-flush-sleep", 3) => {
            AOF_FLUSH_SLEEP.store(atoi(args.get(2)).max(0) as u64, Ordering::Relaxed);
            c.reply.ok();
        }
        ("set-disable-deny-scripts", 3) => c.reply.ok(),
        ("replicate", n) if n >= 3 => {
            let mut o = crate::client::OwnedArgs::default();
            for a in args.iter().skip(2) {
                o.push(a);
            }
            srv.force_propagate(c.db, o);
            c.reply.ok();
        }
        ("error", 3) => {
            let mut e = Vec::with_capacity(args.get(2).len() + 3);
            e.push(b'-');
            for &b in args.get(2) {
                e.push(if b == b'\r' || b == b'\n' { b' ' } else { b });
            }
            e.extend_from_slice(b"\r\n");
            c.reply.raw(&e);
        }
        ("structsize", 2) => c.reply.bulk(
            b"bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ",
        ),
        ("htstats", 3) => {
            let dbid = crate::util::string2ll(args.get(2)).ok_or(crate::error::NOT_INTEGER)?;
            if dbid < 0 || dbid as usize >= srv.dbs.len() {
                return Err(Error::new("ERR Out of range database"));
            }
            let db = &srv.dbs[dbid as usize];
            let mut s = String::from("[Dictionary HT]\n");
            s.push_str(&ht_stats(db.dict.table_stats(), db.dict.is_rehashing()));
            s.push_str("[Expires HT]\n");
            s.push_str(&ht_stats(
                db.expires.table_stats(),
                db.expires.is_rehashing(),
            ));
            c.reply.verbatim(s.as_bytes(), "txt");
        }
        ("change-repl-id", 2) => {
            crate::server_log!(
                Warning,
                "Changing replication IDs after receiving DEBUG change-repl-id"
            );
            crate::replication::replica::debug_change_repl_id(srv);
            c.reply.ok();
        }
        ("stringmatch-test", 2) => {
            stringmatch_fuzz_test(srv);
            c.reply
                .status(b"Apparently Redis did not crash: test passed");
        }
        ("config-rewrite-force-all", 2) => {
            let path = match srv.config_file.clone() {
                Some(p) => p,
                None => {
                    return Err(Error::new(
                        "ERR CONFIG-REWRITE-FORCE-ALL failed: No such file or directory",
                    ))
                }
            };
            match crate::config::config_rewrite(&srv.config, &path, true) {
                Ok(()) => c.reply.ok(),
                Err(e) => {
                    let why = e.strip_prefix("ERR Rewriting config file: ").unwrap_or(&e);
                    return Err(Error::msg(format!(
                        "ERR CONFIG-REWRITE-FORCE-ALL failed: {}",
                        why
                    )));
                }
            }
        }
        ("pause-cron", 3) => {
            srv.cron_paused = atoi(args.get(2)) != 0;
            c.reply.ok();
        }
        ("replybuffer", 4) => {
            let what = String::from_utf8_lossy(args.get(2)).to_ascii_lowercase();
            match what.as_str() {
                "peak-reset-time" => {
                    let v = args.get(3);
                    if !v.eq_ignore_ascii_case(b"never") && !v.eq_ignore_ascii_case(b"reset") {
                        crate::util::string2ll(v).ok_or(crate::error::NOT_INTEGER)?;
                    }
                }
                "resizing" => {}
                _ => return Err(subcommand_syntax_error(args)),
            }
            c.reply.ok();
        }
        _ => return Err(subcommand_syntax_error(args)),
    }
    Ok(())
}

/// dictGetStats-like text: enough for humans, not the full chain histogram.
/// The rehashing target is reported as "Hash table 1" while rehashing.
fn ht_stats(tables: [(usize, usize); 2], rehashing: bool) -> String {
    let mut out = String::new();
    for (i, &(buckets, elements)) in tables.iter().enumerate() {
        if i == 1 && !rehashing {
            break;
        }
        if elements == 0 {
            out.push_str("No stats available for empty dictionaries\n");
            continue;
        }
        out.push_str(&format!(
            "Hash table {} stats ({}):\n table size: {}\n number of elements: {}\n",
            i,
            if i == 0 {
                "main hash table"
            } else {
                "rehashing target"
            },
            buckets,
            elements
        ));
    }
    out
}

/// DEBUG OBJECT key
fn debug_object(srv: &mut Server, c: &mut Client, key: &[u8]) -> CmdResult {
    let compression = srv.config.rdbcompression;
    let lru_clock = srv.lru_clock;
    let shared_ints = srv.config.maxmemory == 0
        || !matches!(
            srv.config.maxmemory_policy,
            crate::config::MaxmemoryPolicy::VolatileLru
                | crate::config::MaxmemoryPolicy::AllkeysLru
                | crate::config::MaxmemoryPolicy::VolatileLfu
                | crate::config::MaxmemoryPolicy::AllkeysLfu
        );
    let o = srv.dbs[c.db]
        .dict
        .get(key)
        .ok_or(crate::error::NO_SUCH_KEY)?;
    let refcount: i64 = match &o.val {
        Value::Str(StrVal::Int(n)) if shared_ints && (0..10000).contains(n) => i32::MAX as i64,
        _ => 1,
    };
    let mut extra = String::new();
    if let Value::List(l) = &o.val {
        let nodes = l.node_count();
        extra = format!(
            " ql_nodes:{} ql_avg_node:{:.2} ql_listpack_max:{} ql_compressed:{} ql_uncompressed_size:{}",
            nodes,
            l.len() as f64 / nodes as f64,
            l.fill(),
            (l.compress_depth() != 0) as i32,
            l.uncompressed_size()
        );
    }
    let line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}{}",
        o as *const Obj,
        refcount,
        o.val.encoding_name(),
        rdb_saved_object_len(&o.val, compression),
        o.lru,
        estimate_idle_ms(lru_clock, o.lru) / 1000,
        extra
    );
    c.reply.status(line.as_bytes());
    Ok(())
}

/// sdsalloc-style sizes for DEBUG SDSLEN (exact-size allocations).
fn debug_sdslen(srv: &mut Server, c: &mut Client, key: &[u8]) -> CmdResult {
    let db = &srv.dbs[c.db];
    let (k, o) = db
        .dict
        .get_key_value(key)
        .ok_or(crate::error::NO_SUCH_KEY)?;
    let v = match &o.val {
        Value::Str(StrVal::Int(_)) => return Err(Error::new("ERR Not an sds encoded string.")),
        Value::Str(s) => s.as_bytes().into_owned(),
        #[allow(unreachable_patterns)]
        _ => return Err(Error::new("ERR Not an sds encoded string.")),
    };
    let hdr = |n: usize| {
        if n < 256 {
            3
        } else if n < 65536 {
            5
        } else {
            9
        }
    };
    let line = format!(
        "key_sds_len:{}, key_sds_avail:0, key_zmalloc: {}, val_sds_len:{}, val_sds_avail:0, val_zmalloc: {}",
        k.len(),
        k.len() + hdr(k.len()) + 1,
        v.len(),
        v.len() + hdr(v.len()) + 1
    );
    c.reply.status(line.as_bytes());
    Ok(())
}

/// DEBUG POPULATE count [prefix] [size]
fn debug_populate(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let count = positive_long(args.get(2))?;
    let valsize = if args.len() == 5 {
        positive_long(args.get(4))? as usize
    } else {
        0
    };
    let prefix: &[u8] = if args.len() == 3 { b"key" } else { args.get(3) };
    let db = c.db;
    let mut key = Vec::with_capacity(prefix.len() + 21);
    for j in 0..count {
        key.clear();
        key.extend_from_slice(prefix);
        key.push(b':');
        key.extend_from_slice(j.to_string().as_bytes());
        // snprintf into a 128-byte buffer.
        key.truncate(127);
        if srv.lookup_write(db, &key).is_some() {
            continue;
        }
        let v = format!("value:{}", j).into_bytes();
        let val = if valsize == 0 {
            v
        } else {
            let mut buf = vec![0u8; valsize];
            let n = valsize.min(v.len());
            buf[..n].copy_from_slice(&v[..n]);
            buf
        };
        let obj = Obj::new(Value::Str(StrVal::from_bytes_no_int(&val)), srv.lru_clock);
        srv.dbs[db].add(&key, obj);
        srv.signal_modified_key(db, &key);
    }
    c.reply.ok();
    Ok(())
}

/// DEBUG PROTOCOL <type>
fn debug_protocol(c: &mut Client, name: &[u8]) -> CmdResult {
    let n = String::from_utf8_lossy(name).to_ascii_lowercase();
    let resp3 = c.reply.resp >= 3;
    match n.as_str() {
        "string" => c.reply.bulk(b"Hello World"),
        "integer" => c.reply.int(12345),
        // Redis's literal, not PI.
        #[allow(clippy::approx_constant)]
        "double" => c.reply.double(3.141),
        "bignum" => {
            let big = b"1234567999999999999999999999999999999";
            if resp3 {
                c.reply.raw(b"(");
                c.reply.raw(big);
                c.reply.raw(b"\r\n");
            } else {
                c.reply.bulk(big);
            }
        }
        "null" => c.reply.null(),
        "array" => {
            c.reply.array_len(3);
            for j in 0..3 {
                c.reply.int(j);
            }
        }
        "set" => {
            c.reply.set_len(3);
            for j in 0..3 {
                c.reply.int(j);
            }
        }
        "map" => {
            c.reply.map_len(3);
            for j in 0..3 {
                c.reply.int(j);
                c.reply.bool(j == 1);
            }
        }
        "attrib" => {
            if resp3 {
                c.reply.raw(b"|1\r\n");
                c.reply.bulk(b"key-popularity");
                c.reply.array_len(2);
                c.reply.bulk(b"key:123");
                c.reply.int(90);
            }
            c.reply.bulk(b"Some real reply following the attribute");
        }
        "push" => {
            if !resp3 {
                return Err(Error::new("ERR RESP2 is not supported by this command"));
            }
            let was = c.reply.enabled;
            c.reply.enabled = true;
            c.reply.push_len(2);
            c.reply.bulk(b"server-cpu-usage");
            c.reply.int(42);
            c.reply.enabled = was;
            c.reply.bulk(b"Some real reply following the push reply");
        }
        "true" => c.reply.bool(true),
        "false" => c.reply.bool(false),
        "verbatim" => c.reply.verbatim(b"This is a verbatim\nstring", "txt"),
        _ => return Err(Error::new("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")),
    }
    Ok(())
}

/// stringmatchlen_fuzz_test: random patterns against random strings; the
/// point is only that matching never crashes or hangs.
fn stringmatch_fuzz_test(srv: &mut Server) {
    let mut s = [0u8; 32];
    let mut p = [0u8; 32];
    for _ in 0..1_000_000 {
        let sl = srv.rng.gen_range(32) as usize;
        let pl = srv.rng.gen_range(32) as usize;
        for b in s.iter_mut().take(sl) {
            *b = srv.rng.gen_range(128) as u8;
        }
        for b in p.iter_mut().take(pl) {
            *b = srv.rng.gen_range(128) as u8;
        }
        let _ = crate::util::string_match_len(&p[..pl], &s[..sl], false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: &[u8]) -> Obj {
        Obj::new(Value::Str(StrVal::from_bytes(v)), 0)
    }

    #[test]
    fn digest_primitives() {
        let mut d = [0u8; 20];
        xor_digest(&mut d, b"abc");
        assert_eq!(digest_hex(&d), "a9993e364706816aba3e25717850c26c9cd0d89d");
        xor_digest(&mut d, b"abc");
        assert_eq!(d, [0u8; 20]);
        // mix is order dependent, xor is not.
        let mut a = [0u8; 20];
        mix_digest(&mut a, b"foo");
        mix_digest(&mut a, b"bar");
        let mut b = [0u8; 20];
        mix_digest(&mut b, b"bar");
        mix_digest(&mut b, b"foo");
        assert_ne!(a, b);
    }

    #[test]
    fn key_digests_match_real_redis() {
        // Values taken from Redis 7.0.15: DEBUG DIGEST-VALUE after
        // SET foo bar / SET n 12345 / SET foo bar EX 100.
        let mut d = [0u8; 20];
        xor_object_digest(&mut d, &obj(b"bar"), false);
        let plain = d;
        let mut d2 = [0u8; 20];
        xor_object_digest(&mut d2, &obj(b"bar"), true);
        let mut x = plain;
        xor_digest(&mut x, b"!!expire!!");
        assert_eq!(x, d2);
        // Int-encoded values digest as their decimal text.
        let mut e1 = [0u8; 20];
        xor_object_digest(&mut e1, &obj(b"12345"), false);
        let mut e2 = [0u8; 20];
        xor_object_digest(
            &mut e2,
            &Obj::new(Value::Str(StrVal::from_bytes_no_int(b"12345")), 0),
            false,
        );
        assert_eq!(e1, e2);
        assert_eq!(digest_hex(&plain), REAL_FOO_BAR_VALUE_DIGEST);
    }

    /// `DEBUG DIGEST-VALUE foo` on Redis 7.0.15 after `SET foo bar`.
    const REAL_FOO_BAR_VALUE_DIGEST: &str = "68467c70ae30376e7ce005bcc8827f5ba7fd67dc";

    #[test]
    fn dataset_digest_matches_real_redis() {
        use crate::config::Config;
        let mut srv = match Server::new(Config::default(), String::new(), false) {
            Ok(s) => s,
            Err(_) => return,
        };
        assert_eq!(digest_hex(&compute_dataset_digest(&srv)), "0".repeat(40));
        // Redis 7.0.15, db 0: SET foo bar; SET n 12345; DEBUG DIGEST
        srv.dbs[0].add(b"foo", obj(b"bar"));
        srv.dbs[0].add(b"n", obj(b"12345"));
        let mut d = [0u8; 20];
        xor_object_digest(&mut d, srv.dbs[0].dict.get(&b"n"[..]).unwrap(), false);
        assert_eq!(digest_hex(&d), "e1cf90774e995ae03de66e8109dc5cb9d9c2dc83");
        assert_eq!(
            digest_hex(&compute_dataset_digest(&srv)),
            "cd5a02343543db03481294f2a80f5609dd27c72b"
        );
        // ... then SET foo bar EX 100 (the expire time itself is not hashed).
        srv.dbs[0].set_expire(b"foo", 123_456_789);
        let mut d = [0u8; 20];
        xor_object_digest(&mut d, srv.dbs[0].dict.get(&b"foo"[..]).unwrap(), true);
        assert_eq!(digest_hex(&d), "8ec3828f7209dd3abdf6ee448de8b0c0bd53265f");
        assert_eq!(
            digest_hex(&compute_dataset_digest(&srv)),
            "94fd2736e472cbc5d218c76a80b58fa5aa770b4a"
        );
        // The same data in another db digests differently.
        let (a, b) = srv.dbs.split_at_mut(1);
        std::mem::swap(&mut a[0], &mut b[0]);
        assert_ne!(
            digest_hex(&compute_dataset_digest(&srv)),
            "94fd2736e472cbc5d218c76a80b58fa5aa770b4a"
        );
    }

    #[test]
    fn rdb_lengths() {
        assert_eq!(rdb_saved_object_len(&Value::Str(StrVal::Int(1)), true), 2);
        assert_eq!(
            rdb_saved_object_len(&Value::Str(StrVal::Int(1000)), true),
            3
        );
        assert_eq!(
            rdb_saved_object_len(&Value::Str(StrVal::Int(100000)), true),
            5
        );
        assert_eq!(
            rdb_saved_object_len(&Value::Str(StrVal::Int(1 << 40)), true),
            1 + 13
        );
        assert_eq!(
            rdb_saved_object_len(&Value::Str(StrVal::from_bytes(b"bar")), true),
            4
        );
        // 100 'a's compress well.
        let long = vec![b'a'; 100];
        let n = rdb_saved_object_len(&Value::Str(StrVal::from_bytes(&long)), true);
        assert!(n < 20, "{n}");
        assert_eq!(
            rdb_saved_object_len(&Value::Str(StrVal::from_bytes(&long)), false),
            2 + 100
        );
        assert_eq!(rdb_len_size(63), 1);
        assert_eq!(rdb_len_size(64), 2);
        assert_eq!(rdb_len_size(16384), 5);
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b" -7x"), -7);
        assert_eq!(atoi(b"yes"), 0);
        assert_eq!(strtod_prefix(b"0.2"), 0.2);
        assert_eq!(strtod_prefix(b"1.5abc"), 1.5);
        assert_eq!(strtod_prefix(b"abc"), 0.0);
    }
}
