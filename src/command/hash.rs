//! Hash commands — Redis 7.0.15's `t_hash.c`: HSET, HSETNX, HMSET, HGET,
//! HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HINCRBY, HINCRBYFLOAT, HKEYS, HVALS,
//! HGETALL, HRANDFIELD and HSCAN. The value type (encodings, conversion
//! rules) is `crate::types::hash::Hash`.
//!
//! Design notes:
//! * Writers create the key on demand (hashTypeLookupWriteOrCreate) and fire
//!   "new" (dbAdd) before their own event; a hash that becomes empty is
//!   deleted at once with a "del" event (HDEL).
//! * Events: "hset" (HSET / HMSET / HSETNX), "hdel", "hincrby",
//!   "hincrbyfloat". `dirty` grows by the number of pairs written (HSET) or
//!   fields deleted (HDEL), as Redis.
//! * HINCRBYFLOAT adds in x87 80-bit long double (`crate::util::longdouble`)
//!   and is propagated as `HSET key field <new value>`.
//! * HRANDFIELD follows hrandfieldWithCountCommand's four cases: a negative
//!   count samples with repetitions (replies in batches of 1000, stopping
//!   if the client hits its output buffer limit); a count >= the size
//!   returns everything; otherwise a uniform sample without repetitions
//!   (selection sampling over a listpack, partial shuffle or random picks
//!   over a table). WITHVALUES counts beyond ±LONG_MAX/2 are refused with
//!   "value is out of range" (CVE-2023-22458).
//! * HSCAN: a listpack is returned whole with cursor 0; a table is walked
//!   with `Dict::scan` (COUNT*2 elements, at most COUNT*10 bucket steps).
//!   `scan_collection_options` / `reply_scan` are shared with SSCAN.
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::db::listpack::LpVal;
use crate::db::{Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::resp::Reply;
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::types::hash::{self, Hash, HashLimits};
use crate::util::glob::string_match_len;
use crate::util::longdouble as ld;
use crate::util::num::{ll2string, string2ll};

/// HRANDFIELD / SRANDMEMBER reply in batches of this many random picks,
/// checking the output buffer limit between batches (Redis's
/// HRANDFIELD_RANDOM_SAMPLE_LIMIT).
pub(crate) const RANDOM_SAMPLE_LIMIT: usize = 1000;

/// Stop a huge sampling reply past this many pending output bytes even when
/// no output buffer limit is configured (Redis would grow without bound).
pub(crate) const REPLY_SAFETY_LIMIT: usize = 1 << 30;

/// Reply with one element (bulk string; integers in decimal).
#[inline]
pub(crate) fn reply_val(r: &mut Reply, v: LpVal<'_>) {
    match v {
        LpVal::Str(s) => r.bulk(s),
        LpVal::Int(i) => r.bulk_int(i),
    }
}

/// Add a key known to be absent (dbAdd, fires "new").
pub(crate) fn db_add(srv: &mut Server, db: usize, key: &[u8], val: Value) {
    let obj = Obj::new(val, srv.lru_clock);
    srv.dbs[db].add(key, obj);
    srv.notify_keyspace_event(notify::NEW, "new", key, db);
}

/// After a long reply chunk: apply the output buffer limits; true when the
/// client is being closed (CLIENT_CLOSE_ASAP) and the reply should stop.
pub(crate) fn reply_should_stop(srv: &mut Server, c: &mut Client) -> bool {
    srv.check_output_buffer_limits(c);
    if !c.has(flags::CLOSE_ASAP) && c.reply.pending() > REPLY_SAFETY_LIMIT {
        srv.close_client_async(c);
    }
    c.has(flags::CLOSE_ASAP)
}

/// lookupKeyRead + checkType(OBJ_HASH).
fn lookup_hash_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a Hash>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => match &o.val {
            Value::Hash(h) => Ok(Some(h)),
            _ => Err(error::WRONGTYPE),
        },
    }
}

/// hashTypeLookupWriteOrCreate, as "run `f` on the hash": on a missing key
/// `f` runs on a new empty hash which is then added (firing "new") unless
/// `f` left it empty.
fn with_hash_write_or_create<R>(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    f: impl FnOnce(&mut Hash) -> R,
) -> Result<R, Error> {
    if let Some(o) = srv.lookup_write(db, key) {
        return match &mut o.val {
            Value::Hash(h) => Ok(f(h)),
            _ => Err(error::WRONGTYPE),
        };
    }
    let mut h = Hash::new();
    let r = f(&mut h);
    if !h.is_empty() {
        db_add(srv, db, key, Value::Hash(h));
    }
    Ok(r)
}

// ---------------------------------------------------------------------------
// HSET / HMSET / HSETNX
// ---------------------------------------------------------------------------

/// HSET key field value [field value ...] / HMSET (replies OK)
pub fn hset_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() % 2 == 1 {
        return Err(error::wrong_args(c.last_cmd));
    }
    let limits = HashLimits::from_config(&srv.config);
    let (db, key) = (c.db, args.get(1));
    let created = with_hash_write_or_create(srv, db, key, |h| {
        h.try_conversion((2..args.len()).map(|i| args.get(i)), limits.max_value);
        let mut created = 0i64;
        let mut i = 2;
        while i + 1 < args.len() {
            if !h.set(args.get(i), args.get(i + 1), limits) {
                created += 1;
            }
            i += 2;
        }
        created
    })?;
    // HMSET (deprecated) and HSET differ only in the reply.
    if matches!(args.get(0).get(1), Some(b's') | Some(b'S')) {
        c.reply.int(created);
    } else {
        c.reply.ok();
    }
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::HASH, "hset", key, db);
    srv.dirty += ((args.len() - 2) / 2) as u64;
    Ok(())
}

/// HSETNX key field value
pub fn hsetnx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let limits = HashLimits::from_config(&srv.config);
    let (db, key, field, value) = (c.db, args.get(1), args.get(2), args.get(3));
    let added = with_hash_write_or_create(srv, db, key, |h| {
        if h.exists(field) {
            return false;
        }
        h.try_conversion([field, value], limits.max_value);
        h.set(field, value, limits);
        true
    })?;
    if !added {
        c.reply.int(0);
        return Ok(());
    }
    c.reply.int(1);
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::HASH, "hset", key, db);
    srv.dirty += 1;
    Ok(())
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

/// HGET key field
pub fn hget_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    match lookup_hash_read(srv, c.db, args.get(1))?.and_then(|h| h.get(args.get(2))) {
        Some(v) => reply_val(&mut c.reply, v),
        None => c.reply.null(),
    }
    Ok(())
}

/// HMGET key field [field ...]
pub fn hmget_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let h = lookup_hash_read(srv, c.db, args.get(1))?;
    c.reply.array_len(args.len() - 2);
    for i in 2..args.len() {
        match h.and_then(|h| h.get(args.get(i))) {
            Some(v) => reply_val(&mut c.reply, v),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// HLEN key
pub fn hlen_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = lookup_hash_read(srv, c.db, args.get(1))?.map_or(0, |h| h.len());
    c.reply.int(n as i64);
    Ok(())
}

/// HSTRLEN key field
pub fn hstrlen_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = lookup_hash_read(srv, c.db, args.get(1))?.map_or(0, |h| h.value_len(args.get(2)));
    c.reply.int(n as i64);
    Ok(())
}

/// HEXISTS key field
pub fn hexists_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let e = lookup_hash_read(srv, c.db, args.get(1))?.is_some_and(|h| h.exists(args.get(2)));
    c.reply.int(e as i64);
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GetAll {
    Keys,
    Vals,
    Both,
}

/// genericHgetallCommand: HKEYS / HVALS as arrays, HGETALL as a map.
fn hgetall_generic(srv: &mut Server, c: &mut Client, args: &Args, what: GetAll) -> CmdResult {
    let h = match lookup_hash_read(srv, c.db, args.get(1))? {
        Some(h) => h,
        None => {
            if what == GetAll::Both {
                c.reply.map_len(0);
            } else {
                c.reply.empty_array();
            }
            return Ok(());
        }
    };
    if what == GetAll::Both {
        c.reply.map_len(h.len());
    } else {
        c.reply.array_len(h.len());
    }
    for (f, v) in h.iter() {
        if what != GetAll::Vals {
            reply_val(&mut c.reply, f);
        }
        if what != GetAll::Keys {
            reply_val(&mut c.reply, v);
        }
    }
    Ok(())
}

/// HKEYS key
pub fn hkeys_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    hgetall_generic(srv, c, args, GetAll::Keys)
}

/// HVALS key
pub fn hvals_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    hgetall_generic(srv, c, args, GetAll::Vals)
}

/// HGETALL key
pub fn hgetall_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    hgetall_generic(srv, c, args, GetAll::Both)
}

// ---------------------------------------------------------------------------
// HDEL
// ---------------------------------------------------------------------------

/// HDEL key field [field ...]
pub fn hdel_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (db, key) = (c.db, args.get(1));
    let (deleted, removed) = {
        let h = match srv.lookup_write(db, key) {
            None => {
                c.reply.int(0);
                return Ok(());
            }
            Some(o) => match &mut o.val {
                Value::Hash(h) => h,
                _ => return Err(error::WRONGTYPE),
            },
        };
        let (mut deleted, mut removed) = (0u64, false);
        for i in 2..args.len() {
            if h.delete(args.get(i)) {
                deleted += 1;
                if h.is_empty() {
                    removed = true;
                    break;
                }
            }
        }
        (deleted, removed)
    };
    if removed {
        srv.dbs[db].delete(key);
    }
    if deleted > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::HASH, "hdel", key, db);
        if removed {
            srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        }
        srv.dirty += deleted;
    }
    c.reply.int(deleted as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// HINCRBY / HINCRBYFLOAT
// ---------------------------------------------------------------------------

/// HINCRBY key field increment
pub fn hincrby_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let incr = string2ll(args.get(3)).ok_or(error::NOT_INTEGER)?;
    let limits = HashLimits::from_config(&srv.config);
    let (db, key, field) = (c.db, args.get(1), args.get(2));
    let value = with_hash_write_or_create(srv, db, key, |h| -> Result<i64, Error> {
        let old = match h.get(field) {
            Some(LpVal::Int(i)) => i,
            Some(LpVal::Str(s)) => {
                string2ll(s).ok_or(Error::new("ERR hash value is not an integer"))?
            }
            None => 0,
        };
        let new = old.checked_add(incr).ok_or(error::OVERFLOW)?;
        let mut buf = Vec::with_capacity(20);
        ll2string(&mut buf, new);
        h.set(field, &buf, limits);
        Ok(new)
    })??;
    c.reply.int(value);
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::HASH, "hincrby", key, db);
    srv.dirty += 1;
    Ok(())
}

/// HINCRBYFLOAT key field increment (propagated as HSET key field <new>)
pub fn hincrbyfloat_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let incr = ld::string2ld(args.get(3)).ok_or(error::NOT_FLOAT)?;
    if incr.is_nan() || incr.is_infinite() {
        return Err(Error::new("ERR value is NaN or Infinity"));
    }
    let limits = HashLimits::from_config(&srv.config);
    let (db, key, field) = (c.db, args.get(1), args.get(2));
    let text = with_hash_write_or_create(srv, db, key, |h| -> Result<Vec<u8>, Error> {
        let old = match h.get(field) {
            Some(LpVal::Int(i)) => ld::LongDouble::from_i64(i),
            Some(LpVal::Str(s)) => {
                ld::string2ld(s).ok_or(Error::new("ERR hash value is not a float"))?
            }
            None => ld::LongDouble::ZERO,
        };
        let sum = old.add(&incr);
        if sum.is_nan() || sum.is_infinite() {
            return Err(Error::new("ERR increment would produce NaN or Infinity"));
        }
        let mut text = Vec::with_capacity(32);
        ld::ld2string_human(&mut text, &sum);
        h.set(field, &text, limits);
        Ok(text)
    })??;
    c.reply.bulk(&text);
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::HASH, "hincrbyfloat", key, db);
    srv.dirty += 1;
    srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"HSET", key, field, &text]));
    Ok(())
}

// ---------------------------------------------------------------------------
// HRANDFIELD
// ---------------------------------------------------------------------------

/// One HRANDFIELD element: `[field, value]` pair in RESP3, flat in RESP2.
#[inline]
fn reply_pair(r: &mut Reply, f: LpVal<'_>, v: LpVal<'_>, withvalues: bool) {
    if withvalues && r.resp > 2 {
        r.array_len(2);
    }
    reply_val(r, f);
    if withvalues {
        reply_val(r, v);
    }
}

/// HRANDFIELD key [count [WITHVALUES]]
pub fn hrandfield_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (db, key) = (c.db, args.get(1));
    if args.len() >= 3 {
        let l = parse_random_count(args.get(2))?;
        if args.len() > 4 || (args.len() == 4 && !args.get(3).eq_ignore_ascii_case(b"withvalues")) {
            return Err(error::SYNTAX);
        }
        let withvalues = args.len() == 4;
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return Err(Error::new("ERR value is out of range"));
        }
        return hrandfield_with_count(srv, c, db, key, l, withvalues);
    }
    if lookup_hash_read(srv, db, key)?.is_none() {
        c.reply.null();
        return Ok(());
    }
    let rng = &mut srv.rng;
    match hash_at_fields(&srv.dbs, db, key).and_then(|h| h.random_pair(rng)) {
        Some((f, _)) => reply_val(&mut c.reply, f),
        None => c.reply.null(),
    }
    Ok(())
}

/// The count of HRANDFIELD / SRANDMEMBER: getRangeLongFromObjectOrReply
/// with the range -LONG_MAX..LONG_MAX.
pub(crate) fn parse_random_count(arg: &[u8]) -> Result<i64, Error> {
    let l = string2ll(arg).ok_or(error::NOT_INTEGER)?;
    if l == i64::MIN {
        return Err(Error::msg(format!(
            "ERR value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        )));
    }
    Ok(l)
}

fn hrandfield_with_count(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    key: &[u8],
    l: i64,
    withvalues: bool,
) -> CmdResult {
    let size = match lookup_hash_read(srv, db, key)? {
        Some(h) => h.len(),
        None => {
            c.reply.empty_array();
            return Ok(());
        }
    };
    let (count, uniq) = if l >= 0 {
        (l as u64, true)
    } else {
        (l.unsigned_abs(), false)
    };
    if count == 0 {
        c.reply.empty_array();
        return Ok(());
    }

    // CASE 1: negative count (or 1): independent picks, random order.
    if !uniq || count == 1 {
        let header = if withvalues && c.reply.resp == 2 {
            count * 2
        } else {
            count
        };
        c.reply.array_len(header as usize);
        let mut left = count;
        while left > 0 {
            let batch = left.min(RANDOM_SAMPLE_LIMIT as u64) as usize;
            left -= batch as u64;
            {
                let rng = &mut srv.rng;
                let h = match hash_at_fields(&srv.dbs, db, key) {
                    Some(h) => h,
                    None => break,
                };
                match h {
                    Hash::Listpack(lp) => {
                        let mut picks = Vec::with_capacity(batch);
                        hash::lp_random_pairs(hash::LpRef(lp), batch, rng, &mut picks);
                        for &(f, v) in &picks {
                            reply_pair(&mut c.reply, f, v, withvalues);
                        }
                    }
                    Hash::Table(_) => {
                        for _ in 0..batch {
                            if let Some((f, v)) = h.random_pair(rng) {
                                reply_pair(&mut c.reply, f, v, withvalues);
                            }
                        }
                    }
                }
            }
            if left > 0 && reply_should_stop(srv, c) {
                break;
            }
        }
        return Ok(());
    }

    let size = size as u64;
    let reply_size = count.min(size) as usize;
    c.reply.array_len(if withvalues && c.reply.resp == 2 {
        reply_size * 2
    } else {
        reply_size
    });
    let rng = &mut srv.rng;
    let h = match hash_at_fields(&srv.dbs, db, key) {
        Some(h) => h,
        None => return Ok(()),
    };

    // CASE 2: the whole hash.
    if count >= size {
        for (f, v) in h.iter() {
            reply_pair(&mut c.reply, f, v, withvalues);
        }
        return Ok(());
    }
    let count = count as usize;
    match h {
        // CASE 3 and 4 over a listpack: one pass of selection sampling.
        Hash::Listpack(lp) => {
            let mut picks = Vec::with_capacity(count);
            hash::lp_random_pairs_unique(hash::LpRef(lp), count, rng, &mut picks);
            for (f, v) in picks {
                reply_pair(&mut c.reply, f, v, withvalues);
            }
        }
        Hash::Table(d) => {
            if (count as u64) * 3 > size {
                // CASE 3: the count is close to the size: shuffle a list of
                // all the entries and keep the first `count`.
                let mut all: Vec<(&[u8], &[u8])> = d.iter().map(|(k, v)| (k, &v[..])).collect();
                for i in 0..count {
                    let j = i + rng.gen_index(all.len() - i);
                    all.swap(i, j);
                }
                for &(f, v) in &all[..count] {
                    reply_pair(&mut c.reply, LpVal::Str(f), LpVal::Str(v), withvalues);
                }
            } else {
                // CASE 4: a big hash: random picks, skipping repeats.
                let mut seen = std::collections::HashSet::with_capacity(count);
                while seen.len() < count {
                    let (f, v) = match d.fair_random_entry(rng) {
                        Some(e) => e,
                        None => break,
                    };
                    if seen.insert(f.as_ptr() as usize) {
                        reply_pair(&mut c.reply, LpVal::Str(f), LpVal::Str(v), withvalues);
                    }
                }
            }
        }
    }
    Ok(())
}

/// `hash_at` over the `dbs` field alone (so `srv.rng` can be borrowed too).
fn hash_at_fields<'a>(dbs: &'a [crate::db::Db], db: usize, key: &[u8]) -> Option<&'a Hash> {
    match dbs.get(db)?.dict.get(key) {
        Some(Obj {
            val: Value::Hash(h),
            ..
        }) => Some(h),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// HSCAN (and the collection half of scanGenericCommand, shared with SSCAN)
// ---------------------------------------------------------------------------

/// Options of HSCAN / SSCAN / ZSCAN: (COUNT, MATCH pattern or None for
/// none or "*"). TYPE is not accepted on a collection.
pub(crate) fn scan_collection_options<'a>(
    args: &Args<'a>,
    start: usize,
) -> Result<(i64, Option<&'a [u8]>), Error> {
    let mut count: i64 = 10;
    let mut pattern = None;
    let mut i = start;
    while i < args.len() {
        let opt = args.get(i);
        let more = args.len() - i >= 2;
        if more && opt.eq_ignore_ascii_case(b"count") {
            count = string2ll(args.get(i + 1)).ok_or(error::NOT_INTEGER)?;
            if count < 1 {
                return Err(error::SYNTAX);
            }
        } else if more && opt.eq_ignore_ascii_case(b"match") {
            let p = args.get(i + 1);
            pattern = if p == b"*" { None } else { Some(p) };
        } else {
            return Err(error::SYNTAX);
        }
        i += 2;
    }
    Ok((count, pattern))
}

/// The empty scan reply (shared.emptyscan): cursor "0", no elements.
pub(crate) fn reply_empty_scan(r: &mut Reply) {
    r.array_len(2);
    r.bulk(b"0");
    r.array_len(0);
}

/// Filter the collected elements by `pattern` (on the member / field, the
/// value going with its field when `pairs`) and send the scan reply.
pub(crate) fn reply_scan(
    r: &mut Reply,
    cursor: u64,
    items: &OwnedArgs,
    pattern: Option<&[u8]>,
    pairs: bool,
) {
    let step = if pairs { 2 } else { 1 };
    let keep = |i: usize| -> bool {
        match pattern {
            None => true,
            Some(p) => {
                let (a, b) = items.ranges[i];
                string_match_len(p, &items.buf[a..b], false)
            }
        }
    };
    let n = items.ranges.len() / step;
    let kept: Vec<bool> = (0..n).map(|i| keep(i * step)).collect();
    r.array_len(2);
    let mut tmp = Vec::with_capacity(20);
    crate::util::num::ull2string(&mut tmp, cursor);
    r.bulk(&tmp);
    r.array_len(kept.iter().filter(|&&k| k).count() * step);
    for (i, &k) in kept.iter().enumerate() {
        if k {
            for j in 0..step {
                let (a, b) = items.ranges[i * step + j];
                r.bulk(&items.buf[a..b]);
            }
        }
    }
}

/// Push an element's string form to `out`.
#[inline]
pub(crate) fn push_val(out: &mut OwnedArgs, v: LpVal<'_>) {
    v.with_bytes(|b| out.push(b));
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
pub fn hscan_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let cursor = crate::command::generic::parse_scan_cursor(args.get(2))
        .ok_or(Error::new("ERR invalid cursor"))?;
    let (db, key) = (c.db, args.get(1));
    let h = match lookup_hash_read(srv, db, key)? {
        Some(h) => h,
        None => {
            reply_empty_scan(&mut c.reply);
            return Ok(());
        }
    };
    let (count, pattern) = scan_collection_options(args, 3)?;
    let mut items = OwnedArgs::default();
    let next = match h.table() {
        None => {
            for (f, v) in h.iter() {
                push_val(&mut items, f);
                push_val(&mut items, v);
            }
            0
        }
        Some(d) => {
            let count = count.saturating_mul(2);
            let mut maxiterations = count.saturating_mul(10);
            let mut cur = cursor;
            loop {
                cur = d.scan(cur, |k, v| {
                    items.push(k);
                    items.push(v);
                });
                if cur == 0 || maxiterations == 0 || items.ranges.len() as i64 >= count {
                    break;
                }
                maxiterations -= 1;
            }
            cur
        }
    };
    reply_scan(&mut c.reply, next, &items, pattern, true);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;

    struct H {
        srv: Server,
        c: Client,
    }

    impl H {
        fn new() -> H {
            let mut srv = Server::new(crate::config::Config::default(), "test".into(), false)
                .expect("server");
            srv.config.notify_keyspace_events = 0;
            H {
                srv,
                c: Client::fake(),
            }
        }
        fn run(&mut self, items: &[&str]) -> String {
            self.c.reply.buf.clear();
            self.c.reply.sent = 0;
            self.srv.rewritten_argv = None;
            let o = OwnedArgs::from_slices(&items.iter().map(|s| s.as_bytes()).collect::<Vec<_>>());
            let a = o.args();
            let idx = self.srv.commands.lookup(a.get(0)).expect("command");
            self.c.last_cmd = self.srv.commands.cmds[idx].full_name;
            let h = self.srv.commands.cmds[idx].def.handler;
            if let Err(e) = h(&mut self.srv, &mut self.c, &a) {
                self.c.reply.error(e.text());
            }
            String::from_utf8_lossy(&self.c.reply.buf).into_owned()
        }
        fn enc(&self, key: &str) -> &'static str {
            self.srv.dbs[0]
                .dict
                .get(key.as_bytes())
                .map(|o| o.val.encoding_name())
                .unwrap_or("none")
        }
        fn rewritten(&mut self) -> Option<Vec<String>> {
            self.srv.rewritten_argv.take().map(|o| {
                o.args()
                    .iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect()
            })
        }
    }

    /// Parse a flat RESP2 array of bulk strings (nulls as "<nil>").
    fn bulks(reply: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut lines = reply.split("\r\n");
        while let Some(l) = lines.next() {
            if l.starts_with('$') {
                if l == "$-1" {
                    out.push("<nil>".to_string());
                } else {
                    out.push(lines.next().unwrap_or("").to_string());
                }
            }
        }
        out
    }

    #[test]
    fn hset_hget_hmset_and_errors() {
        let mut h = H::new();
        assert_eq!(h.run(&["hset", "h", "a", "1", "b", "2"]), ":2\r\n");
        assert_eq!(h.run(&["hset", "h", "a", "3", "c", "4"]), ":1\r\n");
        assert_eq!(h.run(&["hmset", "h", "d", "5"]), "+OK\r\n");
        assert_eq!(h.srv.dirty, 5);
        assert_eq!(h.run(&["hget", "h", "a"]), "$1\r\n3\r\n");
        assert_eq!(h.run(&["hget", "h", "zz"]), "$-1\r\n");
        assert_eq!(h.run(&["hget", "nokey", "a"]), "$-1\r\n");
        assert_eq!(
            h.run(&["hset", "h", "a", "1", "b"]),
            "-ERR wrong number of arguments for 'hset' command\r\n"
        );
        assert_eq!(
            h.run(&["hmset", "h", "a", "1", "b"]),
            "-ERR wrong number of arguments for 'hmset' command\r\n"
        );
        assert_eq!(h.run(&["hlen", "h"]), ":4\r\n");
        assert_eq!(h.run(&["hlen", "nokey"]), ":0\r\n");
        assert_eq!(
            h.run(&["hmget", "h", "a", "x", "d"]),
            "*3\r\n$1\r\n3\r\n$-1\r\n$1\r\n5\r\n"
        );
        assert_eq!(h.run(&["hmget", "nokey", "a", "b"]), "*2\r\n$-1\r\n$-1\r\n");
        assert_eq!(h.run(&["hexists", "h", "a"]), ":1\r\n");
        assert_eq!(h.run(&["hexists", "h", "x"]), ":0\r\n");
        assert_eq!(h.run(&["hsetnx", "h", "a", "9"]), ":0\r\n");
        assert_eq!(h.run(&["hsetnx", "h", "e", "9"]), ":1\r\n");
        assert_eq!(h.run(&["hsetnx", "new", "e", "9"]), ":1\r\n");
        assert_eq!(h.enc("new"), "listpack");
        h.run(&["set", "str", "x"]);
        let wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        for cmd in [
            &["hset", "str", "a", "1"][..],
            &["hget", "str", "a"],
            &["hmget", "str", "a"],
            &["hdel", "str", "a"],
            &["hlen", "str"],
            &["hkeys", "str"],
            &["hgetall", "str"],
            &["hincrby", "str", "a", "1"],
            &["hincrbyfloat", "str", "a", "1"],
            &["hrandfield", "str"],
            &["hrandfield", "str", "2"],
            &["hscan", "str", "0"],
            &["hsetnx", "str", "a", "1"],
            &["hstrlen", "str", "a"],
            &["hexists", "str", "a"],
        ] {
            assert_eq!(h.run(cmd), wt, "{cmd:?}");
        }
    }

    #[test]
    fn encodings_follow_thresholds() {
        let mut h = H::new();
        h.srv.config.hash_max_listpack_entries = 4;
        h.srv.config.hash_max_listpack_value = 8;
        h.run(&["hset", "h", "a", "1", "b", "2", "c", "3", "d", "4"]);
        assert_eq!(h.enc("h"), "listpack");
        h.run(&["hset", "h", "e", "5"]);
        assert_eq!(h.enc("h"), "hashtable");
        // One long value anywhere in the arguments converts first.
        h.run(&["hset", "v", "a", "12345678"]);
        assert_eq!(h.enc("v"), "listpack");
        h.run(&["hset", "v", "b", "1", "c", "123456789"]);
        assert_eq!(h.enc("v"), "hashtable");
        // HINCRBYFLOAT: value length checked in hashTypeSet.
        h.run(&["hset", "f", "t", "0"]);
        h.run(&["hincrbyfloat", "f", "t", "0.000005"]);
        assert_eq!(h.enc("f"), "listpack");
        h.run(&["hset", "g", "t", "0"]);
        h.run(&["hincrbyfloat", "g", "t", "0.0000005"]);
        assert_eq!(h.enc("g"), "hashtable");
        h.run(&["hincrbyfloat", "k1", "abcdefgh", "1"]);
        assert_eq!(h.enc("k1"), "listpack");
        h.run(&["hincrbyfloat", "k2", "abcdefghi", "1"]);
        assert_eq!(h.enc("k2"), "hashtable");
        h.run(&["hincrby", "k3", "abcdefghi", "1"]);
        assert_eq!(h.enc("k3"), "hashtable");
    }

    #[test]
    fn hdel_removes_empty_hash() {
        let mut h = H::new();
        h.run(&["hset", "h", "a", "1", "b", "2", "c", "3"]);
        h.srv.dirty = 0;
        assert_eq!(h.run(&["hdel", "h", "x", "y"]), ":0\r\n");
        assert_eq!(h.srv.dirty, 0);
        assert_eq!(h.run(&["hdel", "h", "a", "c", "f"]), ":2\r\n");
        assert_eq!(h.srv.dirty, 2);
        assert_eq!(h.run(&["hgetall", "h"]), "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
        h.run(&["hset", "h", "a", "1", "c", "3"]);
        assert_eq!(h.run(&["hdel", "h", "a", "b", "c", "d", "e"]), ":3\r\n");
        assert!(h.srv.dbs[0].dict.get(b"h").is_none());
        assert_eq!(h.run(&["hdel", "h", "a"]), ":0\r\n");
    }

    #[test]
    fn getall_keys_vals_resp3() {
        let mut h = H::new();
        assert_eq!(h.run(&["hgetall", "none"]), "*0\r\n");
        assert_eq!(h.run(&["hkeys", "none"]), "*0\r\n");
        h.c.reply.resp = 3;
        assert_eq!(h.run(&["hgetall", "none"]), "%0\r\n");
        assert_eq!(h.run(&["hkeys", "none"]), "*0\r\n");
        h.run(&["hset", "h", "a", "1", "b", "x"]);
        assert_eq!(
            h.run(&["hgetall", "h"]),
            "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nx\r\n"
        );
        assert_eq!(h.run(&["hkeys", "h"]), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        assert_eq!(h.run(&["hvals", "h"]), "*2\r\n$1\r\n1\r\n$1\r\nx\r\n");
    }

    #[test]
    fn hincrby_semantics() {
        let mut h = H::new();
        assert_eq!(h.run(&["hincrby", "h", "f", "2"]), ":2\r\n");
        assert_eq!(h.run(&["hincrby", "h", "f", "-5"]), ":-3\r\n");
        h.run(&["hset", "h", "s", " 11"]);
        assert_eq!(
            h.run(&["hincrby", "h", "s", "1"]),
            "-ERR hash value is not an integer\r\n"
        );
        assert_eq!(
            h.run(&["hincrby", "h", "f", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        h.run(&["hset", "h", "n", "-9223372036854775484"]);
        assert_eq!(
            h.run(&["hincrby", "h", "n", "-1"]),
            ":-9223372036854775485\r\n"
        );
        assert_eq!(
            h.run(&["hincrby", "h", "n", "-10000"]),
            "-ERR increment or decrement would overflow\r\n"
        );
        h.run(&["hset", "h", "m", "9223372036854775807"]);
        assert_eq!(
            h.run(&["hincrby", "h", "m", "1"]),
            "-ERR increment or decrement would overflow\r\n"
        );
        // Failed increments on a missing key create nothing.
        assert_eq!(
            h.run(&["hincrby", "x", "f", "1.5"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert!(h.srv.dbs[0].dict.get(b"x").is_none());
    }

    #[test]
    fn hincrbyfloat_semantics() {
        let mut h = H::new();
        assert_eq!(h.run(&["hincrbyfloat", "h", "f", "1.23"]), "$4\r\n1.23\r\n");
        assert_eq!(
            h.rewritten(),
            Some(vec!["HSET".into(), "h".into(), "f".into(), "1.23".into()])
        );
        assert_eq!(h.run(&["hincrbyfloat", "h", "f", "0.77"]), "$1\r\n2\r\n");
        assert_eq!(h.run(&["hincrbyfloat", "h", "f", "-0.1"]), "$3\r\n1.9\r\n");
        h.run(&["hset", "h", "big", "17179869184"]);
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "big", "17179869184"]),
            "$11\r\n34359738368\r\n"
        );
        h.run(&["hset", "h", "s", "11 "]);
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "s", "1"]),
            "-ERR hash value is not a float\r\n"
        );
        h.run(&["hset", "h", "z", "1\u{0}2"]);
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "z", "1"]),
            "-ERR hash value is not a float\r\n"
        );
        assert_eq!(
            h.run(&["hincrbyfloat", "hfoo", "f", "+inf"]),
            "-ERR value is NaN or Infinity\r\n"
        );
        assert!(h.srv.dbs[0].dict.get(b"hfoo").is_none());
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "f", "abc"]),
            "-ERR value is not a valid float\r\n"
        );
        h.run(&["hset", "h", "i", "inf"]);
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "i", "1"]),
            "-ERR increment would produce NaN or Infinity\r\n"
        );
        h.run(&["hset", "h", "max", "1.18973149535723176502e+4932"]);
        assert_eq!(
            h.run(&["hincrbyfloat", "h", "max", "1.18973149535723176502e+4932"]),
            "-ERR increment would produce NaN or Infinity\r\n"
        );
    }

    #[test]
    fn hstrlen_corner_cases() {
        let mut h = H::new();
        for v in [
            "-9223372036854775808",
            "9223372036854775807",
            "9223372036854775808",
            "",
            "0",
            "-1",
            "x",
        ] {
            h.run(&["hset", "h", "f", v]);
            assert_eq!(h.run(&["hstrlen", "h", "f"]), format!(":{}\r\n", v.len()));
        }
        assert_eq!(h.run(&["hstrlen", "h", "nope"]), ":0\r\n");
    }

    #[test]
    fn hrandfield_counts_and_errors() {
        let mut h = H::new();
        assert_eq!(h.run(&["hrandfield", "none"]), "$-1\r\n");
        assert_eq!(h.run(&["hrandfield", "none", "100"]), "*0\r\n");
        h.run(&["hset", "h", "a", "1", "b", "2", "c", "3"]);
        assert_eq!(h.run(&["hrandfield", "h", "0"]), "*0\r\n");
        assert!(h
            .run(&["hrandfield", "h", "-9223372036854770000", "withvalues"])
            .contains("value is out of range"));
        assert!(h
            .run(&["hrandfield", "h", "-9223372036854775808", "withvalues"])
            .contains("value is out of range"));
        assert!(h
            .run(&["hrandfield", "h", "-9223372036854775808"])
            .contains("value is out of range"));
        assert_eq!(
            h.run(&["hrandfield", "h", "1", "x"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["hrandfield", "h", "1", "withvalues", "x"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["hrandfield", "h", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        for enc in ["listpack", "hashtable"] {
            h.run(&["del", "h"]);
            for i in 0..10 {
                h.run(&["hset", "h", &format!("f{i}"), &format!("v{i}")]);
            }
            if enc == "hashtable" {
                h.run(&["hset", "h", &"x".repeat(100), "big"]);
                h.run(&["hdel", "h", &"x".repeat(100)]);
            }
            assert_eq!(h.enc("h"), enc);
            let r = bulks(&h.run(&["hrandfield", "h", "-20"]));
            assert_eq!(r.len(), 20);
            let r = bulks(&h.run(&["hrandfield", "h", "-1001", "withvalues"]));
            assert_eq!(r.len(), 2002);
            for p in r.chunks(2) {
                assert_eq!(p[0][1..], p[1][1..]);
            }
            for size in [10, 20] {
                let mut r = bulks(&h.run(&["hrandfield", "h", &size.to_string()]));
                r.sort();
                assert_eq!(r, (0..10).map(|i| format!("f{i}")).collect::<Vec<_>>());
            }
            for size in [8usize, 2] {
                let mut counts = std::collections::HashMap::new();
                for _ in 0..(1000 / size) {
                    let r = bulks(&h.run(&["hrandfield", "h", &size.to_string(), "withvalues"]));
                    assert_eq!(r.len(), size * 2);
                    let mut names: Vec<&String> = r.iter().step_by(2).collect();
                    for p in r.chunks(2) {
                        assert_eq!(p[0][1..], p[1][1..]);
                        *counts.entry(p[0].clone()).or_insert(0usize) += 1;
                    }
                    names.sort();
                    names.dedup();
                    assert_eq!(names.len(), size, "unique");
                }
                assert_eq!(counts.len(), 10);
                let total: usize = counts.values().sum();
                let p = total as f64 / 10.0;
                let chi: f64 = counts.values().map(|&c| (c as f64 - p).powi(2) / p).sum();
                // Tables may be slightly biased (see Dict::fair_random_entry).
                assert!(chi < 100.0, "{enc} {size}: {counts:?}");
            }
            // RESP3: pairs are nested arrays.
            h.c.reply.resp = 3;
            let r = h.run(&["hrandfield", "h", "3", "withvalues"]);
            assert!(r.starts_with("*3\r\n*2\r\n$2\r\nf"), "{r}");
            let r = h.run(&["hrandfield", "h", "-3", "withvalues"]);
            assert!(r.starts_with("*3\r\n*2\r\n$2\r\nf"), "{r}");
            let r = h.run(&["hrandfield", "h", "3"]);
            assert!(r.starts_with("*3\r\n$2\r\nf"), "{r}");
            h.c.reply.resp = 2;
        }
    }

    #[test]
    fn hscan_small_and_big() {
        let mut h = H::new();
        assert_eq!(h.run(&["hscan", "none", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n");
        assert_eq!(h.run(&["hscan", "none", "x"]), "-ERR invalid cursor\r\n");
        // Options are only parsed for an existing key (as Redis).
        assert_eq!(
            h.run(&["hscan", "none", "0", "count", "0"]),
            "*2\r\n$1\r\n0\r\n*0\r\n"
        );
        h.run(&["hset", "h", "a", "1", "b", "2", "ab", "3"]);
        assert_eq!(
            h.run(&["hscan", "h", "0", "match", "a*"]),
            "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n3\r\n"
        );
        assert_eq!(
            h.run(&["hscan", "h", "0", "count", "0"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["hscan", "h", "0", "type", "hash"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["hscan", "h", "0", "count", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        for i in 0..1000 {
            h.run(&["hset", "big", &format!("k{i}"), &i.to_string()]);
        }
        assert_eq!(h.enc("big"), "hashtable");
        let mut seen = std::collections::HashMap::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let r = bulks(&h.run(&["hscan", "big", &cursor, "count", "20"]));
            calls += 1;
            cursor = r[0].clone();
            for p in r[1..].chunks(2) {
                seen.insert(p[0].clone(), p[1].clone());
            }
            if cursor == "0" {
                break;
            }
        }
        assert!(calls > 10);
        assert_eq!(seen.len(), 1000);
        assert_eq!(seen["k7"], "7");
    }

    #[test]
    fn notifications_and_new() {
        let mut h = H::new();
        h.srv.config.notify_keyspace_events =
            notify::KEYEVENT | notify::HASH | notify::GENERIC | notify::NEW;
        // No subscriber: just exercise the paths (delivery is pubsub's job).
        h.run(&["hset", "h", "a", "1"]);
        h.run(&["hdel", "h", "a"]);
        assert!(h.srv.dbs[0].dict.get(b"h").is_none());
    }
}
