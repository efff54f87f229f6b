//! Keyspace commands that work on any type (Redis's db.c, expire.c and the
//! OBJECT part of object.c):
//!
//! * deletion / existence: DEL, UNLINK, EXISTS, TOUCH, TYPE, DBSIZE;
//! * enumeration: KEYS (whole dict + glob), SCAN (one `Dict::scan` step at a
//!   time with Redis's COUNT*10 bucket budget, MATCH, TYPE, lazy expiry of
//!   the keys it returns), RANDOMKEY;
//! * moving values: RENAME, RENAMENX, MOVE, COPY (the value is moved or cloned
//!   together with its TTL; the LRU field travels with a moved value);
//! * databases: SELECT, SWAPDB, FLUSHDB, FLUSHALL;
//! * time to live: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT with NX|XX|GT|LT, TTL,
//!   PTTL, EXPIRETIME, PEXPIRETIME, PERSIST;
//! * OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP.
//!
//! Every client-visible lookup goes through the policy layer
//! (`crate::server::keyspace`) so expired keys are never seen; the lookup
//! flavours Redis uses per command are kept (e.g. EXISTS/TYPE/TTL do not
//! touch the LRU clock but do count keyspace hits/misses, OBJECT does not
//! fire "keymiss"). Writes bump `srv.dirty` once per change, call
//! `signal_modified_key` and publish the same keyspace events as Redis, in
//! the same order ("new" from dbAdd first, then "rename_from"/"rename_to",
//! "move_from"/"move_to", "copy_to", "del", "expire", "persist").
//!
//! Propagation follows expireGenericCommand: the EXPIRE family is propagated
//! as `PEXPIREAT key <absolute ms> [flags]`; a TTL in the past deletes the key
//! and propagates `DEL key`. FLUSHDB/FLUSHALL are propagated even when they
//! removed nothing (Redis's forceCommandPropagation → `srv.force_propagation`).
//!
//! KEYS/SCAN MATCH use `crate::util::glob::string_match_len` (Redis's
//! stringmatchlen semantics, O(pattern × string)).
use crate::client::{Args, Client, OwnedArgs};
use crate::db::{Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::util::num::string2ll;

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// OBJ_SHARED_INTEGERS: integers in [0, 10000) are shared objects in Redis.
const OBJ_SHARED_INTEGERS: i64 = 10000;
/// OBJ_SHARED_REFCOUNT (INT_MAX): what OBJECT REFCOUNT says for them.
const OBJ_SHARED_REFCOUNT: i64 = i32::MAX as i64;
/// LRU_CLOCK_MAX ((1<<24)-1) and LRU_CLOCK_RESOLUTION (ms).
const LRU_CLOCK_MAX: u64 = (1 << 24) - 1;
const LRU_CLOCK_RESOLUTION: u64 = 1000;

const SAME_OBJECT: Error = Error::new("ERR source and destination objects are the same");

/// getLongLongFromObjectOrReply with Redis's default message.
#[inline]
fn parse_ll(arg: &[u8]) -> Result<i64, Error> {
    string2ll(arg).ok_or(error::NOT_INTEGER)
}

/// getIntFromObjectOrReply: `msg` replaces both default errors (the
/// "not an integer" one and the "out of int range" one) when given.
fn parse_int(arg: &[u8], msg: Option<&'static str>) -> Result<i32, Error> {
    let v = match string2ll(arg) {
        Some(v) => v,
        None => return Err(msg.map(Error::new).unwrap_or(error::NOT_INTEGER)),
    };
    i32::try_from(v).map_err(|_| match msg {
        Some(m) => Error::new(m),
        None => {
            Error::new("ERR value is out of range, value must between -2147483648 and 2147483647")
        }
    })
}

/// A DB index that selectDb would accept.
fn parse_db_index(srv: &Server, arg: &[u8]) -> Result<usize, Error> {
    let id = parse_int(arg, None)?;
    if id < 0 || id as usize >= srv.dbs.len() {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    Ok(id as usize)
}

/// lookupKeyReadWithFlags(LOOKUP_NOTOUCH [| LOOKUP_NONOTIFY]): lazy expiry
/// and keyspace hit/miss stats, but the LRU clock of the value is left alone.
/// Returns whether the key exists.
fn lookup_notouch(srv: &mut Server, db: usize, key: &[u8], notify_miss: bool) -> bool {
    // On a replica an expired key stays until the master's DEL, unseen.
    let expired = srv.expire_if_needed(db, key);
    if !expired && srv.dbs[db].dict.contains_key(key) {
        srv.stats.keyspace_hits += 1;
        true
    } else {
        srv.stats.keyspace_misses += 1;
        if notify_miss {
            srv.notify_keyspace_event(notify::KEY_MISS, "keymiss", key, db);
        }
        false
    }
}

/// Add a key known to be absent (Redis's dbAdd, which fires "new").
fn db_add(srv: &mut Server, db: usize, key: &[u8], obj: Obj) {
    srv.dbs[db].add(key, obj);
    // dbAdd's signalKeyAsReady: RENAME/MOVE/COPY can serve blocked clients.
    srv.signal_key_as_ready(db, key);
    srv.notify_keyspace_event(notify::NEW, "new", key, db);
}

/// The decimal form of an unsigned 64-bit number (SCAN cursors), in `out`.
fn u64_to_bytes(mut v: u64, out: &mut [u8; 20]) -> &[u8] {
    let mut i = out.len();
    loop {
        i -= 1;
        out[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &out[i..]
}

/// The maxmemory-policy bits OBJECT and shared integers depend on:
/// (maxmemory > 0, policy is an LRU one, policy is an LFU one).
fn maxmemory_policy(srv: &Server) -> (bool, bool, bool) {
    use crate::config::MaxmemoryPolicy as P;
    let p = srv.config.maxmemory_policy;
    (
        srv.config.maxmemory > 0,
        matches!(p, P::VolatileLru | P::AllkeysLru),
        matches!(p, P::VolatileLfu | P::AllkeysLfu),
    )
}

/// lfu-decay-time (minutes).
fn lfu_decay_time(srv: &Server) -> u64 {
    srv.config.lfu_decay_time.max(0) as u64
}

use crate::util::glob::string_match_len;

// ---------------------------------------------------------------------------
// DEL / UNLINK / EXISTS / TOUCH / TYPE / DBSIZE
// ---------------------------------------------------------------------------

/// delGenericCommand: lazy expiry first, so an expired key counts as absent.
/// TODO(lazyfree): UNLINK (and DEL with lazyfree-lazy-user-del) could free
/// big values in the background; values are dropped synchronously for now.
fn del_generic(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut deleted = 0;
    for key in args.iter().skip(1) {
        srv.expire_if_needed(c.db, key);
        if srv.dbs[c.db].delete(key) {
            srv.signal_modified_key(c.db, key);
            srv.notify_keyspace_event(notify::GENERIC, "del", key, c.db);
            srv.dirty += 1;
            deleted += 1;
        }
    }
    c.reply.int(deleted);
    Ok(())
}

/// DEL key [key ...]
pub fn del_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    del_generic(srv, c, args)
}

/// UNLINK key [key ...]
pub fn unlink_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    del_generic(srv, c, args)
}

/// EXISTS key [key ...]: a key named twice counts twice.
pub fn exists_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut count = 0;
    for key in args.iter().skip(1) {
        if lookup_notouch(srv, c.db, key, true) {
            count += 1;
        }
    }
    c.reply.int(count);
    Ok(())
}

/// TOUCH key [key ...]: a normal read lookup (updates the LRU clock).
pub fn touch_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut count = 0;
    for key in args.iter().skip(1) {
        if srv.lookup_read(c.db, key).is_some() {
            count += 1;
        }
    }
    c.reply.int(count);
    Ok(())
}

/// TYPE key
pub fn type_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let name = if lookup_notouch(srv, c.db, key, true) {
        srv.dbs[c.db]
            .dict
            .get(key)
            .map(|o| o.val.type_name())
            .unwrap_or("none")
    } else {
        "none"
    };
    c.reply.status(name.as_bytes());
    Ok(())
}

/// DBSIZE: keys in the dict, including expired keys not reclaimed yet.
pub fn dbsize_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    c.reply.int(srv.dbs[c.db].len() as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// KEYS / SCAN / RANDOMKEY
// ---------------------------------------------------------------------------

/// KEYS pattern: every non-expired key matching the glob (expired ones are
/// skipped, not deleted, as Redis's keyIsExpired check does).
pub fn keys_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let pattern = args.get(1);
    let allkeys = pattern == b"*";
    let db = &srv.dbs[c.db];
    let now = srv.now_ms;
    let check_expire = !db.expires.is_empty();
    let at = c.reply.deferred_len();
    let mut n = 0usize;
    for (key, _) in db.dict.iter() {
        if allkeys || string_match_len(pattern, key, false) {
            if check_expire {
                if let Some(&when) = db.expires.get(key) {
                    if when <= now {
                        continue;
                    }
                }
            }
            c.reply.bulk(key);
            n += 1;
        }
    }
    c.reply.set_deferred_array(at, n);
    Ok(())
}

/// Parse a SCAN cursor as Redis does with strtoul(): no leading space, an
/// optional sign (a negative number wraps around, as strtoul's does), base
/// 10, nothing after the digits (C string: a NUL byte ends it), no overflow.
/// The empty string is cursor 0.
pub(crate) fn parse_scan_cursor(arg: &[u8]) -> Option<u64> {
    // The C string ends at the first NUL byte.
    let s = match memchr::memchr(0, arg) {
        Some(i) => &arg[..i],
        None => arg,
    };
    if s.is_empty() {
        return Some(0);
    }
    if matches!(s[0], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        return None;
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
pub fn scan_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut cursor = parse_scan_cursor(args.get(1)).ok_or(Error::new("ERR invalid cursor"))?;
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut typename: Option<&[u8]> = None;
    let mut i = 2;
    while i < args.len() {
        let opt = args.get(i);
        let more = args.len() - i >= 2;
        if more && opt.eq_ignore_ascii_case(b"count") {
            count = parse_ll(args.get(i + 1))?;
            if count < 1 {
                return Err(error::SYNTAX);
            }
        } else if more && opt.eq_ignore_ascii_case(b"match") {
            let p = args.get(i + 1);
            pattern = if p == b"*" { None } else { Some(p) };
        } else if more && opt.eq_ignore_ascii_case(b"type") {
            typename = Some(args.get(i + 1));
        } else {
            return Err(error::SYNTAX);
        }
        i += 2;
    }

    // Collect up to COUNT keys, visiting at most COUNT*10 more buckets.
    let mut keys = OwnedArgs::default();
    {
        let dict = &srv.dbs[c.db].dict;
        let mut maxiterations = count.saturating_mul(10);
        loop {
            cursor = dict.scan(cursor, |k, _| keys.push(k));
            if cursor == 0 || maxiterations == 0 {
                break;
            }
            maxiterations -= 1;
            if keys.ranges.len() as i64 >= count {
                break;
            }
        }
    }

    // Filter: pattern, then type (a NOTOUCH read lookup), then expiry.
    let db = c.db;
    let OwnedArgs { buf, ranges } = &mut keys;
    ranges.retain(|&(a, b)| {
        let key = &buf[a..b];
        if let Some(p) = pattern {
            if !string_match_len(p, key, false) {
                return false;
            }
        }
        if let Some(t) = typename {
            let name = if lookup_notouch(srv, db, key, true) {
                srv.dbs[db]
                    .dict
                    .get(key)
                    .map(|o| o.val.type_name())
                    .unwrap_or("none")
            } else {
                "none"
            };
            if !t.eq_ignore_ascii_case(name.as_bytes()) {
                return false;
            }
        }
        !srv.expire_if_needed(db, key)
    });

    c.reply.array_len(2);
    let mut tmp = [0u8; 20];
    c.reply.bulk(u64_to_bytes(cursor, &mut tmp));
    c.reply.array_len(ranges.len());
    for &(a, b) in ranges.iter() {
        c.reply.bulk(&buf[a..b]);
    }
    Ok(())
}

/// RANDOMKEY: a random key, skipping (and lazily expiring) expired ones.
pub fn randomkey_command(srv: &mut Server, c: &mut Client, _args: &Args) -> CmdResult {
    let db = c.db;
    // Guard for the replica case of dbRandomKey (expired keys that are not
    // deleted locally): give up after 100 tries when every key is volatile.
    let mut maxtries = 100;
    loop {
        let all_volatile = srv.dbs[db].dict.len() == srv.dbs[db].expires.len();
        let key: Vec<u8> = {
            let Server { dbs, rng, .. } = &mut *srv;
            match dbs[db].dict.random_entry(rng) {
                Some((k, _)) => k.to_vec(),
                None => {
                    c.reply.null();
                    return Ok(());
                }
            }
        };
        if srv.dbs[db].expires.contains_key(&key) {
            let before = srv.dbs[db].len();
            if srv.expire_if_needed(db, &key) {
                if srv.dbs[db].len() == before && all_volatile {
                    maxtries -= 1;
                    if maxtries == 0 {
                        c.reply.bulk(&key);
                        return Ok(());
                    }
                }
                continue;
            }
        }
        c.reply.bulk(&key);
        return Ok(());
    }
}

// ---------------------------------------------------------------------------
// RENAME / RENAMENX / MOVE / COPY
// ---------------------------------------------------------------------------

/// renameGenericCommand: the value and its TTL move to the new name; an
/// existing destination is overwritten (RENAME) or left alone (RENAMENX).
fn rename_generic(srv: &mut Server, c: &mut Client, args: &Args, nx: bool) -> CmdResult {
    let (src, dst) = (args.get(1), args.get(2));
    let db = c.db;
    if srv.lookup_write(db, src).is_none() {
        return Err(error::NO_SUCH_KEY);
    }
    if src == dst {
        if nx {
            c.reply.int(0);
        } else {
            c.reply.ok();
        }
        return Ok(());
    }
    if srv.lookup_write(db, dst).is_some() {
        if nx {
            c.reply.int(0);
            return Ok(());
        }
        srv.dbs[db].delete(dst);
    }
    let (obj, expire) = match srv.dbs[db].take(src) {
        Some(t) => t,
        None => return Err(error::NO_SUCH_KEY),
    };
    db_add(srv, db, dst, obj);
    if let Some(when) = expire {
        srv.dbs[db].set_expire(dst, when);
    }
    srv.signal_modified_key(db, src);
    srv.signal_modified_key(db, dst);
    srv.notify_keyspace_event(notify::GENERIC, "rename_from", src, db);
    srv.notify_keyspace_event(notify::GENERIC, "rename_to", dst, db);
    srv.dirty += 1;
    if nx {
        c.reply.int(1);
    } else {
        c.reply.ok();
    }
    Ok(())
}

/// RENAME key newkey
pub fn rename_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    rename_generic(srv, c, args, false)
}

/// RENAMENX key newkey
pub fn renamenx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    rename_generic(srv, c, args, true)
}

/// MOVE key db
pub fn move_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let src = c.db;
    let dst = parse_db_index(srv, args.get(2))?;
    if src == dst {
        return Err(SAME_OBJECT);
    }
    if srv.lookup_write(src, key).is_none() {
        c.reply.int(0);
        return Ok(());
    }
    if srv.lookup_write(dst, key).is_some() {
        c.reply.int(0);
        return Ok(());
    }
    let (obj, expire) = match srv.dbs[src].take(key) {
        Some(t) => t,
        None => {
            c.reply.int(0);
            return Ok(());
        }
    };
    db_add(srv, dst, key, obj);
    if let Some(when) = expire {
        srv.dbs[dst].set_expire(key, when);
    }
    srv.signal_modified_key(src, key);
    srv.signal_modified_key(dst, key);
    srv.notify_keyspace_event(notify::GENERIC, "move_from", key, src);
    srv.notify_keyspace_event(notify::GENERIC, "move_to", key, dst);
    srv.dirty += 1;
    c.reply.int(1);
    Ok(())
}

/// COPY source destination [DB destination-db] [REPLACE]
pub fn copy_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (key, newkey) = (args.get(1), args.get(2));
    let src = c.db;
    let mut dst = c.db;
    let mut replace = false;
    let mut j = 3;
    while j < args.len() {
        let opt = args.get(j);
        if opt.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if opt.eq_ignore_ascii_case(b"db") && args.len() - j > 1 {
            dst = parse_db_index(srv, args.get(j + 1))?;
            j += 1;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    if src == dst && key == newkey {
        return Err(SAME_OBJECT);
    }
    let newval: Value = match srv.lookup_read(src, key) {
        Some(o) => o.val.clone(),
        None => {
            c.reply.int(0);
            return Ok(());
        }
    };
    let expire = srv.dbs[src].get_expire(key);
    if srv.lookup_write(dst, newkey).is_some() {
        if !replace {
            c.reply.int(0);
            return Ok(());
        }
        srv.dbs[dst].delete(newkey);
    }
    let obj = Obj::new(newval, srv.lru_clock);
    db_add(srv, dst, newkey, obj);
    if let Some(when) = expire {
        srv.dbs[dst].set_expire(newkey, when);
    }
    srv.signal_modified_key(dst, newkey);
    srv.notify_keyspace_event(notify::GENERIC, "copy_to", newkey, dst);
    srv.dirty += 1;
    c.reply.int(1);
    Ok(())
}

// ---------------------------------------------------------------------------
// SELECT / SWAPDB / FLUSHDB / FLUSHALL
// ---------------------------------------------------------------------------

/// SELECT index
pub fn select_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    c.db = parse_db_index(srv, args.get(1))?;
    c.reply.ok();
    Ok(())
}

/// SWAPDB index1 index2: the two databases exchange their contents (dict,
/// expires and the active-expire bookkeeping); clients stay on their index.
pub fn swapdb_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let id1 = parse_int(args.get(1), Some("ERR invalid first DB index"))?;
    let id2 = parse_int(args.get(2), Some("ERR invalid second DB index"))?;
    let n = srv.dbs.len();
    if id1 < 0 || id1 as usize >= n || id2 < 0 || id2 as usize >= n {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    let (a, b) = (id1 as usize, id2 as usize);
    if a != b {
        // signal_swapped_dbs also signals the blocked keys of both dbs
        // (scanDatabaseForReadyKeys; handled after the swap, in before_sleep).
        srv.signal_swapped_dbs(a, b);
        let (lo, hi) = (a.min(b), a.max(b));
        let (left, right) = srv.dbs.split_at_mut(hi);
        let (x, y) = (&mut left[lo], &mut right[0]);
        std::mem::swap(&mut x.dict, &mut y.dict);
        std::mem::swap(&mut x.expires, &mut y.expires);
        std::mem::swap(&mut x.avg_ttl, &mut y.avg_ttl);
        std::mem::swap(&mut x.expires_cursor, &mut y.expires_cursor);
    }
    srv.dirty += 1;
    c.reply.ok();
    Ok(())
}

/// getFlushCommandFlags: [ASYNC|SYNC]; true = async.
/// TODO(config): with no option, lazyfree-lazy-user-flush decides.
fn flush_flags(args: &Args) -> Result<bool, Error> {
    match args.len() {
        1 => Ok(false),
        2 if args.get(1).eq_ignore_ascii_case(b"sync") => Ok(false),
        2 if args.get(1).eq_ignore_ascii_case(b"async") => Ok(true),
        _ => Err(error::SYNTAX),
    }
}

/// FLUSHDB [ASYNC|SYNC]
/// TODO(lazyfree): ASYNC frees synchronously for now.
pub fn flushdb_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let _async = flush_flags(args)?;
    srv.signal_flushed_db(Some(c.db));
    let removed = srv.dbs[c.db].clear();
    srv.dirty += removed as u64;
    srv.force_propagation = true;
    c.reply.ok();
    Ok(())
}

/// FLUSHALL [ASYNC|SYNC]
/// With save points configured the (empty) dataset is then saved at once,
/// which resets `dirty` to 0, and a saving child is killed (rdb::flushall_hook).
/// TODO(lazyfree): ASYNC frees synchronously for now.
pub fn flushall_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let _async = flush_flags(args)?;
    srv.signal_flushed_db(None);
    let mut removed = 0u64;
    for db in srv.dbs.iter_mut() {
        removed += db.clear() as u64;
    }
    srv.dirty += removed;
    crate::rdb::flushall_hook(srv);
    srv.force_propagation = true;
    c.reply.ok();
    Ok(())
}

// ---------------------------------------------------------------------------
// EXPIRE family / TTL family / PERSIST
// ---------------------------------------------------------------------------

const EXPIRE_NX: u8 = 1 << 0;
const EXPIRE_XX: u8 = 1 << 1;
const EXPIRE_GT: u8 = 1 << 2;
const EXPIRE_LT: u8 = 1 << 3;

/// parseExtendedExpireArgumentsOrReply: the NX|XX|GT|LT words after the time.
fn parse_expire_flags(args: &Args) -> Result<u8, Error> {
    let mut flags = 0u8;
    for opt in args.iter().skip(3) {
        let f = if opt.eq_ignore_ascii_case(b"nx") {
            EXPIRE_NX
        } else if opt.eq_ignore_ascii_case(b"xx") {
            EXPIRE_XX
        } else if opt.eq_ignore_ascii_case(b"gt") {
            EXPIRE_GT
        } else if opt.eq_ignore_ascii_case(b"lt") {
            EXPIRE_LT
        } else {
            // %s of a C string: stops at a NUL byte.
            let end = memchr::memchr(0, opt).unwrap_or(opt.len());
            return Err(Error::msg(format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(&opt[..end])
            )));
        };
        flags |= f;
    }
    if flags & EXPIRE_NX != 0 && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT) != 0 {
        return Err(Error::new(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if flags & EXPIRE_GT != 0 && flags & EXPIRE_LT != 0 {
        return Err(Error::new(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(flags)
}

/// The absolute expire time in ms, or None when the conversion or the
/// addition of `basetime` would overflow (Redis: "invalid expire time").
fn absolute_expire_ms(value: i64, basetime: i64, seconds: bool) -> Option<i64> {
    let when = if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&value) {
            return None;
        }
        value * 1000
    } else {
        value
    };
    if when > i64::MAX - basetime {
        return None;
    }
    Some(when + basetime)
}

/// Do the NX|XX|GT|LT conditions allow setting `when` given the current
/// expire? (No TTL counts as an infinite one.)
fn expire_allowed(flags: u8, current: Option<i64>, when: i64) -> bool {
    if flags & EXPIRE_NX != 0 && current.is_some() {
        return false;
    }
    if flags & EXPIRE_XX != 0 && current.is_none() {
        return false;
    }
    if flags & EXPIRE_GT != 0 {
        match current {
            None => return false,
            Some(cur) if when <= cur => return false,
            _ => {}
        }
    }
    if flags & EXPIRE_LT != 0 {
        if let Some(cur) = current {
            if when >= cur {
                return false;
            }
        }
    }
    true
}

/// expireGenericCommand. `basetime` is 0 for the *AT variants and the
/// current time otherwise; `seconds` tells the unit of argv[2].
fn expire_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    basetime: i64,
    seconds: bool,
    name: &str,
) -> CmdResult {
    let key = args.get(1);
    let flags = parse_expire_flags(args)?;
    let value = parse_ll(args.get(2))?;
    let when = absolute_expire_ms(value, basetime, seconds)
        .ok_or_else(|| Error::msg(format!("ERR invalid expire time in '{}' command", name)))?;
    let db = c.db;
    if srv.lookup_write(db, key).is_none() {
        c.reply.int(0);
        return Ok(());
    }
    if flags != 0 && !expire_allowed(flags, srv.dbs[db].get_expire(key), when) {
        c.reply.int(0);
        return Ok(());
    }
    // checkAlreadyExpired. TODO(repl/loading): never while loading or on a
    // replica, where the key keeps its past TTL and waits for the master's DEL.
    if when <= srv.now_ms {
        // TODO(lazyfree): lazyfree-lazy-expire propagates UNLINK instead.
        srv.dbs[db].delete(key);
        srv.dirty += 1;
        srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"DEL", key]));
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        c.reply.int(1);
        return Ok(());
    }
    srv.dbs[db].set_expire(key, when);
    c.reply.int(1);
    if basetime != 0 || seconds {
        // Propagate as PEXPIREAT <absolute ms>, keeping the flag words.
        let mut tmp = Vec::with_capacity(20);
        crate::util::num::ll2string(&mut tmp, when);
        let mut out = OwnedArgs::default();
        out.push(b"PEXPIREAT");
        out.push(key);
        out.push(&tmp);
        for a in args.iter().skip(3) {
            out.push(a);
        }
        srv.rewritten_argv = Some(out);
    }
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::GENERIC, "expire", key, db);
    srv.dirty += 1;
    Ok(())
}

/// EXPIRE key seconds [NX|XX|GT|LT]
pub fn expire_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let now = srv.now_ms;
    expire_generic(srv, c, args, now, true, "expire")
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
pub fn pexpire_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let now = srv.now_ms;
    expire_generic(srv, c, args, now, false, "pexpire")
}

/// EXPIREAT key unix-time-seconds [NX|XX|GT|LT]
pub fn expireat_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    expire_generic(srv, c, args, 0, true, "expireat")
}

/// PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT]
pub fn pexpireat_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    expire_generic(srv, c, args, 0, false, "pexpireat")
}

/// ttlGenericCommand's answer: -2 missing, -1 no TTL, else the remaining
/// (or absolute) time in ms or in seconds rounded to nearest.
fn ttl_reply(expire: Option<i64>, now: i64, output_ms: bool, output_abs: bool) -> i64 {
    let expire = match expire {
        None => return -1,
        Some(e) => e,
    };
    let ttl = if output_abs {
        expire
    } else {
        expire.saturating_sub(now)
    }
    .max(0);
    if output_ms {
        ttl
    } else {
        ((ttl as i128 + 500) / 1000) as i64
    }
}

fn ttl_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    output_ms: bool,
    output_abs: bool,
) -> CmdResult {
    let key = args.get(1);
    if !lookup_notouch(srv, c.db, key, true) {
        c.reply.int(-2);
        return Ok(());
    }
    let expire = srv.dbs[c.db].get_expire(key);
    c.reply
        .int(ttl_reply(expire, srv.now_ms, output_ms, output_abs));
    Ok(())
}

/// TTL key
pub fn ttl_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    ttl_generic(srv, c, args, false, false)
}

/// PTTL key
pub fn pttl_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    ttl_generic(srv, c, args, true, false)
}

/// EXPIRETIME key
pub fn expiretime_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    ttl_generic(srv, c, args, false, true)
}

/// PEXPIRETIME key
pub fn pexpiretime_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    ttl_generic(srv, c, args, true, true)
}

/// PERSIST key
pub fn persist_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    if srv.lookup_write(db, key).is_some() && srv.dbs[db].remove_expire(key) {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::GENERIC, "persist", key, db);
        srv.dirty += 1;
        c.reply.int(1);
    } else {
        c.reply.int(0);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// OBJECT
// ---------------------------------------------------------------------------

/// objectCommandLookup: NOTOUCH|NONOTIFY read lookup; None → null reply.
fn object_lookup<'a>(srv: &'a mut Server, c: &mut Client, key: &[u8]) -> Option<&'a Obj> {
    if !lookup_notouch(srv, c.db, key, false) {
        c.reply.null();
        return None;
    }
    let o = srv.dbs[c.db].dict.get(key);
    if o.is_none() {
        c.reply.null();
    }
    o
}

/// OBJECT REFCOUNT's answer: shared integers (0..9999, shared unless
/// maxmemory is set with an LRU/LFU policy) report OBJ_SHARED_REFCOUNT.
/// Values are never shared otherwise in ferrodis, so they report 1.
fn object_refcount(val: &Value, shared_ints: bool) -> i64 {
    match val {
        Value::Str(crate::db::StrVal::Int(n))
            if shared_ints && (0..OBJ_SHARED_INTEGERS).contains(n) =>
        {
            OBJ_SHARED_REFCOUNT
        }
        _ => 1,
    }
}

/// estimateObjectIdleTime in ms, from the 24-bit LRU clocks (wrap-aware).
fn estimate_idle_ms(lru_clock: u32, obj_lru: u32) -> u64 {
    let (now, lru) = (lru_clock as u64, obj_lru as u64 & LRU_CLOCK_MAX);
    if now >= lru {
        (now - lru) * LRU_CLOCK_RESOLUTION
    } else {
        (now + (LRU_CLOCK_MAX - lru)) * LRU_CLOCK_RESOLUTION
    }
}

/// LFUDecrAndReturn: the LFU counter (low 8 bits of `lru`) decayed by one
/// per `decay_minutes` elapsed since the 16-bit minute stamp (high bits).
fn lfu_decr_and_return(obj_lru: u32, now_minutes: u64, decay_minutes: u64) -> u64 {
    let ldt = ((obj_lru >> 8) & 0xffff) as u64;
    let counter = (obj_lru & 0xff) as u64;
    let now = now_minutes & 0xffff;
    let elapsed = if now >= ldt {
        now - ldt
    } else {
        65535 - ldt + now
    };
    let periods = elapsed.checked_div(decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods)
}

/// OBJECT ENCODING key
pub fn object_encoding_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if let Some(o) = object_lookup(srv, c, args.get(2)) {
        c.reply.bulk(o.val.encoding_name().as_bytes());
    }
    Ok(())
}

/// OBJECT REFCOUNT key
pub fn object_refcount_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (maxmemory, lru, lfu) = maxmemory_policy(srv);
    let shared_ints = !maxmemory || !(lru || lfu);
    if let Some(o) = object_lookup(srv, c, args.get(2)) {
        c.reply.int(object_refcount(&o.val, shared_ints));
    }
    Ok(())
}

/// OBJECT IDLETIME key
pub fn object_idletime_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (_, _, lfu) = maxmemory_policy(srv);
    let clock = srv.lru_clock;
    if let Some(o) = object_lookup(srv, c, args.get(2)) {
        if lfu {
            return Err(Error::new("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        c.reply.int((estimate_idle_ms(clock, o.lru) / 1000) as i64);
    }
    Ok(())
}

/// OBJECT FREQ key
pub fn object_freq_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (_, _, lfu) = maxmemory_policy(srv);
    let now_minutes = (srv.now_ms / 1000 / 60) as u64;
    let decay = lfu_decay_time(srv);
    if let Some(o) = object_lookup(srv, c, args.get(2)) {
        if !lfu {
            return Err(Error::new("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        }
        c.reply
            .int(lfu_decr_and_return(o.lru, now_minutes, decay) as i64);
    }
    Ok(())
}

/// OBJECT HELP (addReplyHelp: header with argv[0] uppercased, then the
/// lines, then HELP itself; all status replies).
pub fn object_help_command(_srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    const LINES: &[&str] = &[
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ];
    let mut head = args.get(0).to_ascii_uppercase();
    head.extend_from_slice(b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    c.reply.array_len(LINES.len() + 1);
    c.reply.status(&head);
    for l in LINES {
        c.reply.status(l.as_bytes());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::db::StrVal;

    fn m(p: &str, s: &str) -> bool {
        string_match_len(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn glob_basics() {
        assert!(m("*", "anything"));
        assert!(m("foo*", "foo_a"));
        assert!(!m("foo*", "key_x"));
        assert!(m("key:1??", "key:123"));
        assert!(!m("key:1??", "key:12"));
        assert!(!m("key:1??", "key:1234"));
        assert!(m("h?llo", "hallo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hello"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"), "reversed ranges are swapped");
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("*a*b*", "xxaxxbxx"));
        assert!(!m("*a*b*", "xxbxxaxx"));
        assert!(m("a*", "a"));
        assert!(m("*a", "a"));
        assert!(m("a*b*c", "abc"));
        assert!(string_match_len(b"HELLO", b"hello", true));
        assert!(string_match_len(b"h[A-Z]llo", b"hello", true));
        assert!(!string_match_len(b"HELLO", b"hello", false));
    }

    #[test]
    fn glob_redis_quirks() {
        // Only the empty pattern matches the empty string (Redis never
        // enters its loop), "*" included; KEYS/SCAN special-case "*".
        assert!(m("", ""));
        assert!(!m("*", ""));
        assert!(!m("**", ""));
        assert!(!m("?*", ""));
        // Unclosed class: its members so far are tried, one byte consumed.
        assert!(m("[b", "b"));
        assert!(!m("[b", "c"));
        assert!(!m("[b", "bb"));
        assert!(m("[b-", "b"));
        // "[a-]" is the range ']'..'a' (then unclosed).
        assert!(m("[a-]", "^"));
        assert!(!m("[a-]", "b"));
        // A trailing backslash is a literal backslash.
        assert!(m("\\", "\\"));
        assert!(m("a[\\]]", "a]"));
        // Escape inside a class compares case-sensitively even with nocase.
        assert!(!string_match_len(b"[\\A]", b"a", true));
        assert!(string_match_len(b"[A]", b"a", true));
        // Bytes >= 0x80 are signed chars in range bounds; with nocase glibc's
        // tolower() turns them back into 128..254 (but 0xff stays -1).
        assert!(!string_match_len(b"[\x80-a]", b"b", false));
        assert!(string_match_len(b"[\x80-a]", b"\xff", false));
        assert!(string_match_len(b"[\x80-^]", b"\xfe", false));
        assert!(!string_match_len(b"[\x80-^]", b"\xfe", true));
        assert!(!string_match_len(b"[\x80-^]", b"\xff", true));
        assert!(string_match_len(b"[\x80-\xfe]", b"\x90", true));
    }

    #[test]
    fn glob_is_fast_on_pathological_patterns() {
        let s = "a".repeat(40);
        let p = "a*".repeat(20) + "b";
        let t = std::time::Instant::now();
        assert!(!m(&p, &s));
        let long = "a".repeat(100_000);
        assert!(!m(&"*a".repeat(1000).replace("a*a", "a*b"), &long));
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn scan_cursor_like_strtoul() {
        assert_eq!(parse_scan_cursor(b"0"), Some(0));
        assert_eq!(parse_scan_cursor(b""), Some(0));
        assert_eq!(parse_scan_cursor(b"+5"), Some(5));
        assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"-18446744073709551615"), Some(1));
        assert_eq!(parse_scan_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_scan_cursor(b" 1"), None);
        assert_eq!(parse_scan_cursor(b"1 "), None);
        assert_eq!(parse_scan_cursor(b"0x1"), None);
        assert_eq!(parse_scan_cursor(b"-"), None);
        assert_eq!(parse_scan_cursor(b"abc"), None);
        assert_eq!(parse_scan_cursor(b"7\0junk"), Some(7));
    }

    #[test]
    fn int_parsing_errors() {
        assert_eq!(parse_int(b"12", None), Ok(12));
        assert_eq!(parse_int(b"x", None), Err(error::NOT_INTEGER));
        assert_eq!(
            parse_int(b"99999999999", None).unwrap_err().text(),
            "ERR value is out of range, value must between -2147483648 and 2147483647"
        );
        assert_eq!(
            parse_int(b"99999999999", Some("ERR invalid first DB index"))
                .unwrap_err()
                .text(),
            "ERR invalid first DB index"
        );
    }

    #[test]
    fn expire_time_overflow_rules() {
        let now = 1_700_000_000_000;
        assert_eq!(absolute_expire_ms(10, now, true), Some(now + 10_000));
        assert_eq!(absolute_expire_ms(-10, now, true), Some(now - 10_000));
        assert_eq!(absolute_expire_ms(9223370399119966, now, true), None);
        assert_eq!(absolute_expire_ms(9223372036854776, now, true), None);
        assert_eq!(absolute_expire_ms(10000000000000000, now, true), None);
        assert_eq!(absolute_expire_ms(-9223372036854776, now, true), None);
        assert_eq!(absolute_expire_ms(9223372036854770000, now, false), None);
        assert_eq!(
            absolute_expire_ms(9223372036854770000, 0, false),
            Some(9223372036854770000)
        );
        assert_eq!(absolute_expire_ms(i64::MIN, 0, false), Some(i64::MIN));
        assert_eq!(
            absolute_expire_ms(-9223372036854775, 0, true),
            Some(-9223372036854775000)
        );
    }

    #[test]
    fn expire_conditions() {
        assert!(expire_allowed(EXPIRE_NX, None, 5));
        assert!(!expire_allowed(EXPIRE_NX, Some(1), 5));
        assert!(!expire_allowed(EXPIRE_XX, None, 5));
        assert!(expire_allowed(EXPIRE_XX, Some(1), 5));
        assert!(expire_allowed(EXPIRE_GT, Some(1), 5));
        assert!(!expire_allowed(EXPIRE_GT, Some(5), 5));
        assert!(!expire_allowed(EXPIRE_GT, None, 5));
        assert!(expire_allowed(EXPIRE_LT, None, 5));
        assert!(expire_allowed(EXPIRE_LT, Some(6), 5));
        assert!(!expire_allowed(EXPIRE_LT, Some(5), 5));
        assert!(!expire_allowed(EXPIRE_LT | EXPIRE_XX, None, 5));
    }

    #[test]
    fn ttl_rounding() {
        assert_eq!(ttl_reply(None, 0, false, false), -1);
        assert_eq!(ttl_reply(Some(1499), 0, false, false), 1);
        assert_eq!(ttl_reply(Some(1500), 0, false, false), 2);
        assert_eq!(ttl_reply(Some(100), 200, true, false), 0);
        assert_eq!(ttl_reply(Some(i64::MAX), 0, false, true), 9223372036854776);
        assert_eq!(ttl_reply(Some(-5), 0, true, true), 0);
    }

    #[test]
    fn lru_and_lfu_math() {
        assert_eq!(estimate_idle_ms(100, 90), 10_000);
        assert_eq!(estimate_idle_ms(5, (LRU_CLOCK_MAX - 5) as u32), 10_000);
        // counter 10, stamped at minute 100; 3 minutes later, decay 1/min.
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 103, 1), 7);
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 200, 1), 0);
        assert_eq!(lfu_decr_and_return((100 << 8) | 10, 200, 0), 10);
    }

    #[test]
    fn refcount_of_shared_integers() {
        let v = |s: &[u8]| Value::Str(StrVal::from_bytes(s));
        assert_eq!(object_refcount(&v(b"1"), true), 2147483647);
        assert_eq!(object_refcount(&v(b"9999"), true), 2147483647);
        assert_eq!(object_refcount(&v(b"10000"), true), 1);
        assert_eq!(object_refcount(&v(b"-1"), true), 1);
        assert_eq!(object_refcount(&v(b"hello"), true), 1);
        assert_eq!(object_refcount(&v(b"1"), false), 1);
    }

    // --- command-level tests against a real Server ---

    fn server() -> Server {
        Server::new(Config::default(), "redis-server".into(), false).unwrap()
    }

    fn run(srv: &mut Server, c: &mut Client, f: crate::command::Handler, argv: &[&str]) -> Vec<u8> {
        let slices: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
        let owned = OwnedArgs::from_slices(&slices);
        c.reply.buf.clear();
        srv.now_ms = crate::server::now_ms();
        srv.rewritten_argv = None;
        if let Err(e) = f(srv, c, &owned.args()) {
            c.reply.error(e.text());
        }
        c.reply.buf.clone()
    }

    fn set(srv: &mut Server, db: usize, k: &str, v: &str) {
        srv.set_key(
            db,
            k.as_bytes(),
            Value::Str(StrVal::from_bytes(v.as_bytes())),
            false,
        );
    }

    fn get_str(srv: &Server, db: usize, k: &str) -> Vec<u8> {
        match &srv.dbs[db].dict.get(k.as_bytes()).unwrap().val {
            Value::Str(v) => v.as_bytes().into_owned(),
            #[allow(unreachable_patterns)]
            _ => panic!("not a string"),
        }
    }

    fn s(b: Vec<u8>) -> String {
        String::from_utf8_lossy(&b).into_owned()
    }

    #[test]
    fn del_exists_type_dbsize() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "a", "1");
        set(&mut srv, 0, "b", "x");
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                exists_command,
                &["exists", "a", "a", "b", "z"]
            )),
            ":3\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, type_command, &["type", "a"])),
            "+string\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, type_command, &["type", "z"])),
            "+none\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, dbsize_command, &["dbsize"])),
            ":2\r\n"
        );
        let d = srv.dirty;
        assert_eq!(
            s(run(&mut srv, &mut c, del_command, &["del", "a", "a", "z"])),
            ":1\r\n"
        );
        assert_eq!(srv.dirty, d + 1);
        assert_eq!(
            s(run(&mut srv, &mut c, unlink_command, &["unlink", "b"])),
            ":1\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, dbsize_command, &["dbsize"])),
            ":0\r\n"
        );
    }

    #[test]
    fn expired_keys_are_invisible() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "gone", "v");
        set(&mut srv, 0, "live", "v");
        srv.dbs[0].set_expire(b"gone", 1);
        assert_eq!(
            s(run(&mut srv, &mut c, keys_command, &["keys", "*"])),
            "*1\r\n$4\r\nlive\r\n"
        );
        // KEYS does not delete it, DEL reports it as absent.
        assert_eq!(srv.dbs[0].len(), 2);
        assert_eq!(
            s(run(&mut srv, &mut c, del_command, &["del", "gone"])),
            ":0\r\n"
        );
        assert_eq!(srv.dbs[0].len(), 1);
        assert_eq!(srv.stats.expiredkeys, 1);
        set(&mut srv, 0, "gone2", "v");
        srv.dbs[0].set_expire(b"gone2", 1);
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                scan_command,
                &["scan", "0", "count", "100"]
            )),
            "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n"
        );
        assert_eq!(srv.dbs[0].len(), 1, "SCAN lazily expires what it visits");
        set(&mut srv, 0, "gone3", "v");
        srv.dbs[0].set_expire(b"gone3", 1);
        for _ in 0..20 {
            assert_eq!(
                s(run(&mut srv, &mut c, randomkey_command, &["randomkey"])),
                "$4\r\nlive\r\n"
            );
        }
    }

    #[test]
    fn keys_and_scan_options() {
        let mut srv = server();
        let mut c = Client::fake();
        for k in ["key_x", "key_y", "foo_a", "foo_b"] {
            set(&mut srv, 0, k, "hello");
        }
        let r = s(run(&mut srv, &mut c, keys_command, &["keys", "foo*"]));
        assert!(r.starts_with("*2\r\n") && r.contains("foo_a") && r.contains("foo_b"));
        assert_eq!(
            s(run(&mut srv, &mut c, scan_command, &["scan", "x"])),
            "-ERR invalid cursor\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                scan_command,
                &["scan", "0", "count", "0"]
            )),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, scan_command, &["scan", "0", "count"])),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                scan_command,
                &["scan", "0", "count", "x"]
            )),
            "-ERR value is not an integer or out of range\r\n"
        );
        // Full iteration with MATCH and TYPE.
        let mut cursor = "0".to_string();
        let mut seen = 0;
        loop {
            let r = s(run(
                &mut srv,
                &mut c,
                scan_command,
                &[
                    "scan", &cursor, "match", "key*", "type", "STRING", "count", "1",
                ],
            ));
            let lines: Vec<&str> = r.split("\r\n").collect();
            cursor = lines[2].to_string();
            seen += lines.iter().filter(|l| l.starts_with("key_")).count();
            if cursor == "0" {
                break;
            }
        }
        assert_eq!(seen, 2);
        let r = s(run(
            &mut srv,
            &mut c,
            scan_command,
            &["scan", "0", "type", "list", "count", "100"],
        ));
        assert_eq!(r, "*2\r\n$1\r\n0\r\n*0\r\n");
    }

    #[test]
    fn rename_family() {
        let mut srv = server();
        let mut c = Client::fake();
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                rename_command,
                &["rename", "no", "x"]
            )),
            "-ERR no such key\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                rename_command,
                &["rename", "no", "no"]
            )),
            "-ERR no such key\r\n"
        );
        set(&mut srv, 0, "a", "1");
        assert_eq!(
            s(run(&mut srv, &mut c, rename_command, &["rename", "a", "a"])),
            "+OK\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                renamenx_command,
                &["renamenx", "a", "a"]
            )),
            ":0\r\n"
        );
        let far = srv.now_ms + 100_000;
        srv.dbs[0].set_expire(b"a", far);
        set(&mut srv, 0, "b", "2");
        srv.dbs[0].set_expire(b"b", far + 5);
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                renamenx_command,
                &["renamenx", "a", "b"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, rename_command, &["rename", "a", "b"])),
            "+OK\r\n"
        );
        assert_eq!(
            srv.dbs[0].get_expire(b"b"),
            Some(far),
            "TTL moves with the value"
        );
        assert!(!srv.dbs[0].dict.contains_key(b"a"));
        set(&mut srv, 0, "c", "3");
        assert_eq!(
            s(run(&mut srv, &mut c, rename_command, &["rename", "c", "b"])),
            "+OK\r\n"
        );
        assert_eq!(
            srv.dbs[0].get_expire(b"b"),
            None,
            "target TTL is not inherited"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                renamenx_command,
                &["renamenx", "b", "d"]
            )),
            ":1\r\n"
        );
    }

    #[test]
    fn move_and_copy() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "k", "v");
        let far = srv.now_ms + 100_000;
        srv.dbs[0].set_expire(b"k", far);
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "k", "0"])),
            "-ERR source and destination objects are the same\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "k", "16"])),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "k", "x"])),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "nokey", "1"])),
            ":0\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "k", "1"])),
            ":1\r\n"
        );
        assert_eq!(srv.dbs[1].get_expire(b"k"), Some(far));
        assert!(srv.dbs[0].is_empty());
        set(&mut srv, 0, "k", "other");
        assert_eq!(
            s(run(&mut srv, &mut c, move_command, &["move", "k", "1"])),
            ":0\r\n"
        );

        assert_eq!(
            s(run(&mut srv, &mut c, copy_command, &["copy", "k", "k"])),
            "-ERR source and destination objects are the same\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                copy_command,
                &["copy", "k", "n", "db"]
            )),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                copy_command,
                &["copy", "k", "n", "db", "notanumber"]
            )),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                copy_command,
                &["copy", "k", "k", "db", "1"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                copy_command,
                &["copy", "k", "k", "db", "1", "replace"]
            )),
            ":1\r\n"
        );
        assert_eq!(srv.dbs[1].get_expire(b"k"), None, "no TTL is created");
        c.db = 1;
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                copy_command,
                &["copy", "k", "k2", "REPLACE", "DB", "0"]
            )),
            ":1\r\n"
        );
        assert!(srv.dbs[0].dict.contains_key(b"k2"));
        assert_eq!(get_str(&srv, 1, "k"), b"other");
    }

    #[test]
    fn swapdb_and_flush() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "a", "1");
        set(&mut srv, 3, "b", "1");
        set(&mut srv, 3, "c", "1");
        assert_eq!(
            s(run(&mut srv, &mut c, swapdb_command, &["swapdb", "x", "1"])),
            "-ERR invalid first DB index\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                swapdb_command,
                &["swapdb", "1", "99999999999"]
            )),
            "-ERR invalid second DB index\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                swapdb_command,
                &["swapdb", "1", "16"]
            )),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, swapdb_command, &["swapdb", "0", "3"])),
            "+OK\r\n"
        );
        assert_eq!((srv.dbs[0].len(), srv.dbs[3].len()), (2, 1));
        assert_eq!((srv.dbs[0].id, srv.dbs[3].id), (0, 3));
        assert_eq!(
            s(run(&mut srv, &mut c, flushdb_command, &["flushdb", "foo"])),
            "-ERR syntax error\r\n"
        );
        let d = srv.dirty;
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                flushdb_command,
                &["flushdb", "ASYNC"]
            )),
            "+OK\r\n"
        );
        assert_eq!(srv.dirty, d + 2);
        assert!(srv.force_propagation);
        assert_eq!(srv.dbs[3].len(), 1);
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                flushall_command,
                &["flushall", "sync"]
            )),
            "+OK\r\n"
        );
        assert!(srv.dbs.iter().all(|d| d.is_empty()));
    }

    #[test]
    fn expire_family() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "k", "v");
        assert_eq!(
            s(run(&mut srv, &mut c, ttl_command, &["ttl", "k"])),
            ":-1\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, ttl_command, &["ttl", "none"])),
            ":-2\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "100", "AB"]
            )),
            "-ERR Unsupported option AB\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "x", "nx", "xx"]
            )),
            "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, expire_command, &["expire", "k", ""])),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "9223372036854776"]
            )),
            "-ERR invalid expire time in 'expire' command\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                pexpire_command,
                &["pexpire", "k", "9223372036854770000"]
            )),
            "-ERR invalid expire time in 'pexpire' command\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "100", "xx"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "100", "gt"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "100"]
            )),
            ":1\r\n"
        );
        let when = srv.dbs[0].get_expire(b"k").unwrap();
        let argv = srv.rewritten_argv.take().unwrap();
        assert_eq!(argv.args().get(0), b"PEXPIREAT");
        assert_eq!(argv.args().get(2), when.to_string().as_bytes());
        assert_eq!(
            s(run(&mut srv, &mut c, ttl_command, &["ttl", "k"])),
            ":100\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "200", "nx"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "200", "lt"]
            )),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "50", "LT", "XX"]
            )),
            ":1\r\n"
        );
        let argv = srv.rewritten_argv.take().unwrap();
        assert_eq!(argv.args().len(), 5);
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                pexpireat_command,
                &["pexpireat", "k", "9223372036854770000"]
            )),
            ":1\r\n"
        );
        assert!(
            srv.rewritten_argv.is_none(),
            "PEXPIREAT propagates verbatim"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                pexpiretime_command,
                &["pexpiretime", "k"]
            )),
            ":9223372036854770000\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, persist_command, &["persist", "k"])),
            ":1\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, persist_command, &["persist", "k"])),
            ":0\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expiretime_command,
                &["expiretime", "k"]
            )),
            ":-1\r\n"
        );
        // A time in the past deletes the key and propagates DEL.
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "k", "-10", "LT"]
            )),
            ":1\r\n"
        );
        assert_eq!(
            srv.rewritten_argv
                .as_ref()
                .map(|a| a.args().get(0).to_vec()),
            Some(b"DEL".to_vec())
        );
        assert!(srv.dbs[0].is_empty());
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                expire_command,
                &["expire", "none", "100", "NX"]
            )),
            ":0\r\n"
        );
    }

    #[test]
    fn object_subcommands() {
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "i", "5");
        set(&mut srv, 0, "e", "hello");
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_encoding_command,
                &["object", "encoding", "i"]
            )),
            "$3\r\nint\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_encoding_command,
                &["object", "encoding", "e"]
            )),
            "$6\r\nembstr\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_encoding_command,
                &["object", "encoding", "x"]
            )),
            "$-1\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_refcount_command,
                &["object", "refcount", "i"]
            )),
            ":2147483647\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_refcount_command,
                &["object", "refcount", "e"]
            )),
            ":1\r\n"
        );
        assert!(s(run(
            &mut srv,
            &mut c,
            object_freq_command,
            &["object", "freq", "e"]
        ))
        .starts_with("-ERR An LFU maxmemory policy is not selected"));
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_freq_command,
                &["object", "freq", "x"]
            )),
            "$-1\r\n"
        );
        srv.dbs[0].dict.get_mut(b"e").unwrap().lru = srv.lru_clock.wrapping_sub(3);
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                object_idletime_command,
                &["object", "idletime", "e"]
            )),
            ":3\r\n"
        );
        let help = s(run(
            &mut srv,
            &mut c,
            object_help_command,
            &["object", "help"],
        ));
        assert!(help.starts_with(
            "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        ));
        assert!(help.ends_with("+HELP\r\n+    Prints this help.\r\n"));
    }

    #[test]
    fn keyspace_hit_miss_accounting_matches_redis() {
        // The same sequence on Redis 7.0.15 gives keyspace_hits:7 misses:6.
        let mut srv = server();
        let mut c = Client::fake();
        set(&mut srv, 0, "a", "1");
        let seq: &[(crate::command::Handler, &[&str])] = &[
            (exists_command, &["exists", "a", "zz"]),
            (type_command, &["type", "a"]),
            (type_command, &["type", "zz"]),
            (ttl_command, &["ttl", "a"]),
            (ttl_command, &["ttl", "zz"]),
            (object_encoding_command, &["object", "encoding", "a"]),
            (object_encoding_command, &["object", "encoding", "zz"]),
            (touch_command, &["touch", "a", "zz"]),
            (copy_command, &["copy", "a", "b"]),
            (copy_command, &["copy", "zz", "b"]),
            (rename_command, &["rename", "a", "c"]),
            (move_command, &["move", "c", "1"]),
            (persist_command, &["persist", "b"]),
            (expire_command, &["expire", "b", "100"]),
            (scan_command, &["scan", "0", "type", "string"]),
            (scan_command, &["scan", "0"]),
            (randomkey_command, &["randomkey"]),
            (keys_command, &["keys", "*"]),
        ];
        for (f, argv) in seq {
            run(&mut srv, &mut c, *f, argv);
        }
        assert_eq!((srv.stats.keyspace_hits, srv.stats.keyspace_misses), (7, 6));
    }

    #[test]
    fn select_checks_range() {
        let mut srv = server();
        let mut c = Client::fake();
        assert_eq!(
            s(run(&mut srv, &mut c, select_command, &["select", "16"])),
            "-ERR DB index is out of range\r\n"
        );
        assert_eq!(
            s(run(
                &mut srv,
                &mut c,
                select_command,
                &["select", "99999999999"]
            )),
            "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"
        );
        assert_eq!(
            s(run(&mut srv, &mut c, select_command, &["select", "9"])),
            "+OK\r\n"
        );
        assert_eq!(c.db, 9);
    }
}
