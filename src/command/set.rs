//! Set commands — Redis 7.0.15's `t_set.c`: SADD, SREM, SMOVE, SISMEMBER,
//! SMISMEMBER, SCARD, SMEMBERS, SPOP, SRANDMEMBER, SINTER, SINTERCARD,
//! SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN. The value
//! type (intset / hashtable encodings) is `crate::types::set::Set`.
//!
//! Design notes:
//! * SMEMBERS is SINTER of one key, as in Redis (same reply type: a RESP3
//!   set, `~0` for a missing key).
//! * Results of SINTER[STORE] / SUNION[STORE] / SDIFF[STORE] are built the
//!   way Redis builds them, because the encoding and the reply order are
//!   observable: the store variants start from an empty intset that converts
//!   when a member needs it, SUNION/SDIFF reply from such a temporary set
//!   (so an all-integer result comes back sorted), SINTER replies while
//!   walking the smallest input. SDIFF picks Redis's algorithm 1 or 2 with
//!   the same cost estimate.
//! * SPOP with a count follows spopWithCountCommand: count >= size replies
//!   the whole set through the SUNION path and deletes the key (propagated
//!   as DEL); otherwise random pops (case 2) or "keep `size - count` random
//!   members in a new set, reply the rest" (case 3, which can turn a
//!   hashtable of integers back into an intset, as in Redis); each popped
//!   member is propagated as its own SREM and the SPOP itself is not.
//! * SRANDMEMBER with a count: negative = repetitions allowed (replied in
//!   batches, stopping at the client's output buffer limit), count >= size
//!   = the whole set, otherwise a uniform sample without repetitions.
//! * Events: "sadd", "srem", "spop", "sinterstore", "sunionstore",
//!   "sdiffstore", "del" when a set becomes empty or a STORE result is empty;
//!   SMOVE fires "srem" on the source and "sadd" on the destination only when
//!   the member was really added.
use super::hash::{
    db_add, push_val, reply_empty_scan, reply_scan, reply_should_stop, reply_val,
    scan_collection_options, RANDOM_SAMPLE_LIMIT,
};
use crate::client::{Args, Client, OwnedArgs};
use crate::db::listpack::LpVal;
use crate::db::{Db, Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::types::set::{PoppedMember, Set};
use crate::util::num::string2ll;

/// SPOP_MOVE_STRATEGY_MUL
const SPOP_MOVE_STRATEGY_MUL: u64 = 5;
/// SRANDMEMBER_SUB_STRATEGY_MUL
const SRANDMEMBER_SUB_STRATEGY_MUL: u64 = 3;

/// lookupKeyRead + checkType(OBJ_SET).
fn lookup_set_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a Set>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => match &o.val {
            Value::Set(s) => Ok(Some(s)),
            _ => Err(error::WRONGTYPE),
        },
    }
}

/// The set at `key` in `dbs` without stats (after a lookup was done).
fn set_at<'a>(dbs: &'a [Db], db: usize, key: &[u8]) -> Option<&'a Set> {
    match dbs.get(db)?.dict.get(key) {
        Some(Obj {
            val: Value::Set(s), ..
        }) => Some(s),
        _ => None,
    }
}

fn set_at_mut<'a>(dbs: &'a mut [Db], db: usize, key: &[u8]) -> Option<&'a mut Set> {
    match dbs.get_mut(db)?.dict.get_mut(key) {
        Some(Obj {
            val: Value::Set(s), ..
        }) => Some(s),
        _ => None,
    }
}

/// setKey for a computed set: expire the old key if due, overwrite or add
/// (firing "new"), drop the TTL, signal the change.
fn store_set(srv: &mut Server, db: usize, key: &[u8], set: Set) {
    let existed = srv.lookup_write(db, key).is_some();
    srv.set_key(db, key, Value::Set(set), false);
    if !existed {
        srv.notify_keyspace_event(notify::NEW, "new", key, db);
    }
}

// ---------------------------------------------------------------------------
// SADD / SREM / SMOVE
// ---------------------------------------------------------------------------

/// SADD key member [member ...]
pub fn sadd_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let max = srv.config.set_max_intset_entries;
    let (db, key) = (c.db, args.get(1));
    let add_all = |s: &mut Set| -> u64 {
        (2..args.len()).filter(|&j| s.add(args.get(j), max)).count() as u64
    };
    let added = match srv.lookup_write(db, key) {
        Some(o) => match &mut o.val {
            Value::Set(s) => add_all(s),
            _ => return Err(error::WRONGTYPE),
        },
        None => {
            let mut s = Set::new_for(args.get(2));
            let n = add_all(&mut s);
            db_add(srv, db, key, Value::Set(s));
            n
        }
    };
    if added > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::SET, "sadd", key, db);
    }
    srv.dirty += added;
    c.reply.int(added as i64);
    Ok(())
}

/// SREM key member [member ...]
pub fn srem_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (db, key) = (c.db, args.get(1));
    let (deleted, removed) = {
        let s = match srv.lookup_write(db, key) {
            None => {
                c.reply.int(0);
                return Ok(());
            }
            Some(o) => match &mut o.val {
                Value::Set(s) => s,
                _ => return Err(error::WRONGTYPE),
            },
        };
        let (mut deleted, mut removed) = (0u64, false);
        for j in 2..args.len() {
            if s.remove(args.get(j)) {
                deleted += 1;
                if s.is_empty() {
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
        srv.notify_keyspace_event(notify::SET, "srem", key, db);
        if removed {
            srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        }
        srv.dirty += deleted;
    }
    c.reply.int(deleted as i64);
    Ok(())
}

/// SMOVE source destination member
pub fn smove_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (db, src, dst, ele) = (c.db, args.get(1), args.get(2), args.get(3));
    let src_is_set = srv
        .lookup_write(db, src)
        .map(|o| matches!(o.val, Value::Set(_)));
    let dst_is_set = srv
        .lookup_write(db, dst)
        .map(|o| matches!(o.val, Value::Set(_)));
    let src_is_set = match src_is_set {
        None => {
            c.reply.int(0);
            return Ok(());
        }
        Some(t) => t,
    };
    if !src_is_set || dst_is_set == Some(false) {
        return Err(error::WRONGTYPE);
    }
    // Same key: a no-op that tells whether the member is there.
    if src == dst {
        let m = set_at(&srv.dbs, db, src).is_some_and(|s| s.contains(ele));
        c.reply.int(m as i64);
        return Ok(());
    }
    let (removed, src_empty) = match set_at_mut(&mut srv.dbs, db, src) {
        Some(s) => (s.remove(ele), s.is_empty()),
        None => (false, false),
    };
    if !removed {
        c.reply.int(0);
        return Ok(());
    }
    srv.notify_keyspace_event(notify::SET, "srem", src, db);
    if src_empty {
        srv.dbs[db].delete(src);
        srv.notify_keyspace_event(notify::GENERIC, "del", src, db);
    }
    if dst_is_set.is_none() {
        db_add(srv, db, dst, Value::Set(Set::new_for(ele)));
    }
    srv.signal_modified_key(db, src);
    srv.dirty += 1;
    let max = srv.config.set_max_intset_entries;
    let added = set_at_mut(&mut srv.dbs, db, dst).is_some_and(|s| s.add(ele, max));
    if added {
        srv.dirty += 1;
        srv.signal_modified_key(db, dst);
        srv.notify_keyspace_event(notify::SET, "sadd", dst, db);
    }
    c.reply.int(1);
    Ok(())
}

// ---------------------------------------------------------------------------
// Membership and size
// ---------------------------------------------------------------------------

/// SISMEMBER key member
pub fn sismember_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let m = lookup_set_read(srv, c.db, args.get(1))?.is_some_and(|s| s.contains(args.get(2)));
    c.reply.int(m as i64);
    Ok(())
}

/// SMISMEMBER key member [member ...]
pub fn smismember_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let s = lookup_set_read(srv, c.db, args.get(1))?;
    c.reply.array_len(args.len() - 2);
    for j in 2..args.len() {
        let m = s.is_some_and(|s| s.contains(args.get(j)));
        c.reply.int(m as i64);
    }
    Ok(())
}

/// SCARD key
pub fn scard_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = lookup_set_read(srv, c.db, args.get(1))?.map_or(0, |s| s.len());
    c.reply.int(n as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// SPOP
// ---------------------------------------------------------------------------

/// Propagate `SREM key member` (alsoPropagate in spopWithCountCommand).
fn propagate_srem(srv: &mut Server, db: usize, key: &[u8], m: LpVal<'_>) {
    let mut argv = OwnedArgs::from_slices(&[b"SREM", key]);
    push_val(&mut argv, m);
    srv.propagate(db, argv);
}

/// SPOP key [count]
pub fn spop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 3 {
        return spop_with_count(srv, c, args);
    } else if args.len() > 3 {
        return Err(error::SYNTAX);
    }
    let (db, key) = (c.db, args.get(1));
    match srv.lookup_write(db, key) {
        None => {
            c.reply.null();
            return Ok(());
        }
        Some(o) => {
            if !matches!(o.val, Value::Set(_)) {
                return Err(error::WRONGTYPE);
            }
        }
    }
    let (popped, empty) = match set_at_mut(&mut srv.dbs, db, key) {
        Some(s) => (s.pop_random(&mut srv.rng), s.is_empty()),
        None => (None, false),
    };
    let popped = match popped {
        Some(p) => p,
        None => {
            c.reply.null();
            return Ok(());
        }
    };
    srv.notify_keyspace_event(notify::SET, "spop", key, db);
    let mut argv = OwnedArgs::from_slices(&[b"SREM", key]);
    push_val(&mut argv, popped.as_val());
    srv.rewritten_argv = Some(argv);
    reply_val(&mut c.reply, popped.as_val());
    if empty {
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
    }
    srv.signal_modified_key(db, key);
    srv.dirty += 1;
    Ok(())
}

fn spop_with_count(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let l = string2ll(args.get(2)).ok_or(error::NOT_POSITIVE_COUNT)?;
    if l < 0 {
        return Err(error::NOT_POSITIVE_COUNT);
    }
    let count = l as u64;
    let (db, key) = (c.db, args.get(1));
    let size = match srv.lookup_write(db, key) {
        None => {
            c.reply.set_len(0);
            return Ok(());
        }
        Some(o) => match &o.val {
            Value::Set(s) => s.len() as u64,
            _ => return Err(error::WRONGTYPE),
        },
    };
    if count == 0 {
        c.reply.set_len(0);
        return Ok(());
    }
    srv.notify_keyspace_event(notify::SET, "spop", key, db);
    srv.dirty += count.min(size);

    // CASE 1: the whole set, through the SUNION path, then delete it.
    if count >= size {
        sunion_diff_generic(srv, c, args, 1, 2, None, SetOp::Union)?;
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"DEL", key]));
        srv.signal_modified_key(db, key);
        return Ok(());
    }

    c.reply.set_len(count as usize);
    let remaining = size - count;
    let max = srv.config.set_max_intset_entries;
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        // CASE 2: few elements to pop: pop them one by one.
        let mut popped: Vec<PoppedMember> = Vec::with_capacity(count as usize);
        if let Some(s) = set_at_mut(&mut srv.dbs, db, key) {
            for _ in 0..count {
                match s.pop_random(&mut srv.rng) {
                    Some(m) => popped.push(m),
                    None => break,
                }
            }
        }
        for m in &popped {
            reply_val(&mut c.reply, m.as_val());
            propagate_srem(srv, db, key, m.as_val());
        }
    } else {
        // CASE 3: popping almost everything: move `remaining` random
        // members to a new set, reply with what is left, swap the sets.
        let mut newset: Option<Set> = None;
        if let Some(s) = set_at_mut(&mut srv.dbs, db, key) {
            for _ in 0..remaining {
                let m = match s.pop_random(&mut srv.rng) {
                    Some(m) => m,
                    None => break,
                };
                let ns = newset.get_or_insert_with(|| m.as_val().with_bytes(Set::new_for));
                ns.add_val(m.as_val(), max);
            }
        }
        let old = match srv.dbs[db].dict.get_mut(key) {
            Some(o) => std::mem::replace(
                &mut o.val,
                Value::Set(newset.unwrap_or_else(Set::new_intset)),
            ),
            None => return Ok(()),
        };
        if let Value::Set(old) = old {
            for m in old.iter() {
                reply_val(&mut c.reply, m);
                propagate_srem(srv, db, key, m);
            }
        }
    }
    srv.prevent_propagation = true;
    srv.signal_modified_key(db, key);
    Ok(())
}

// ---------------------------------------------------------------------------
// SRANDMEMBER
// ---------------------------------------------------------------------------

/// SRANDMEMBER key [count]
pub fn srandmember_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() == 3 {
        return srandmember_with_count(srv, c, args);
    } else if args.len() > 3 {
        return Err(error::SYNTAX);
    }
    let (db, key) = (c.db, args.get(1));
    if lookup_set_read(srv, db, key)?.is_none() {
        c.reply.null();
        return Ok(());
    }
    let rng = &mut srv.rng;
    match set_at(&srv.dbs, db, key).and_then(|s| s.random(rng)) {
        Some(m) => reply_val(&mut c.reply, m),
        None => c.reply.null(),
    }
    Ok(())
}

/// Identity of a member for duplicate detection while sampling.
fn member_id(m: LpVal<'_>) -> (bool, u64) {
    match m {
        LpVal::Int(i) => (false, i as u64),
        LpVal::Str(s) => (true, s.as_ptr() as u64),
    }
}

fn srandmember_with_count(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let l = super::hash::parse_random_count(args.get(2))?;
    let (count, uniq) = if l >= 0 {
        (l as u64, true)
    } else {
        (l.unsigned_abs(), false)
    };
    let (db, key) = (c.db, args.get(1));
    let size = match lookup_set_read(srv, db, key)? {
        None => {
            c.reply.empty_array();
            return Ok(());
        }
        Some(s) => s.len() as u64,
    };
    if count == 0 {
        c.reply.empty_array();
        return Ok(());
    }

    // CASE 1: negative count (or 1): independent picks.
    if !uniq || count == 1 {
        c.reply.array_len(count as usize);
        let mut left = count;
        while left > 0 {
            let batch = left.min(RANDOM_SAMPLE_LIMIT as u64);
            left -= batch;
            {
                let rng = &mut srv.rng;
                let s = match set_at(&srv.dbs, db, key) {
                    Some(s) => s,
                    None => break,
                };
                for _ in 0..batch {
                    if let Some(m) = s.random(rng) {
                        reply_val(&mut c.reply, m);
                    }
                }
            }
            if left > 0 && reply_should_stop(srv, c) {
                break;
            }
        }
        return Ok(());
    }

    let rng = &mut srv.rng;
    let s = match set_at(&srv.dbs, db, key) {
        Some(s) => s,
        None => {
            c.reply.empty_array();
            return Ok(());
        }
    };
    // CASE 2: the whole set.
    if count >= size {
        c.reply.array_len(size as usize);
        for m in s.iter() {
            reply_val(&mut c.reply, m);
        }
        return Ok(());
    }
    let count = count as usize;
    c.reply.array_len(count);
    if (count as u64) * SRANDMEMBER_SUB_STRATEGY_MUL > size {
        // CASE 3: close to the size: shuffle all members, keep `count`.
        let mut all: Vec<LpVal<'_>> = s.iter().collect();
        for i in 0..count {
            let j = i + rng.gen_index(all.len() - i);
            all.swap(i, j);
        }
        for &m in &all[..count] {
            reply_val(&mut c.reply, m);
        }
    } else {
        // CASE 4: a big set: random picks, skipping repeats.
        let mut seen = std::collections::HashSet::with_capacity(count);
        while seen.len() < count {
            let m = match s.random(rng) {
                Some(m) => m,
                None => break,
            };
            if seen.insert(member_id(m)) {
                reply_val(&mut c.reply, m);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// SINTER / SINTERCARD / SINTERSTORE / SMEMBERS
// ---------------------------------------------------------------------------

/// Look up the sets named by args[first..end] (lookupKeyRead each, in
/// order): Ok(false) if one is missing, WRONGTYPE on the first non-set.
fn lookup_sets(
    srv: &mut Server,
    db: usize,
    args: &Args,
    first: usize,
    end: usize,
) -> Result<bool, Error> {
    let mut all = true;
    for j in first..end {
        if lookup_set_read(srv, db, args.get(j))?.is_none() {
            all = false;
        }
    }
    Ok(all)
}

/// Delete the destination of a STORE whose result is empty.
fn store_empty_result(srv: &mut Server, db: usize, dstkey: &[u8]) {
    if srv.dbs[db].delete(dstkey) {
        srv.signal_modified_key(db, dstkey);
        srv.notify_keyspace_event(notify::GENERIC, "del", dstkey, db);
        srv.dirty += 1;
    }
}

/// What sinterGenericCommand produces.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InterMode {
    Reply,
    Card(u64),
    Store,
}

/// sinterGenericCommand over args[first..end].
fn sinter_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    first: usize,
    end: usize,
    dstkey: Option<&[u8]>,
    mode: InterMode,
) -> CmdResult {
    let db = c.db;
    if !lookup_sets(srv, db, args, first, end)? {
        match (mode, dstkey) {
            (InterMode::Store, Some(dst)) => {
                store_empty_result(srv, db, dst);
                c.reply.int(0);
            }
            (InterMode::Card(_), _) => c.reply.int(0),
            _ => c.reply.set_len(0),
        }
        return Ok(());
    }
    let max = srv.config.set_max_intset_entries;
    let mut dstset = Set::new_intset();
    {
        let mut sets: Vec<&Set> = (first..end)
            .filter_map(|j| set_at(&srv.dbs, db, args.get(j)))
            .collect();
        if sets.is_empty() {
            return Ok(());
        }
        sets.sort_by_key(|s| s.len());
        let deferred = if mode == InterMode::Reply {
            Some(c.reply.deferred_len())
        } else {
            None
        };
        let mut cardinality = 0u64;
        let s0 = sets[0];
        for m in s0.iter() {
            let in_all = sets[1..]
                .iter()
                .all(|s| std::ptr::eq(*s, s0) || s.contains_val(m));
            if !in_all {
                continue;
            }
            match mode {
                InterMode::Card(limit) => {
                    cardinality += 1;
                    if limit > 0 && cardinality >= limit {
                        break;
                    }
                }
                InterMode::Reply => {
                    reply_val(&mut c.reply, m);
                    cardinality += 1;
                }
                InterMode::Store => {
                    dstset.add_val(m, max);
                }
            }
        }
        match mode {
            InterMode::Card(_) => c.reply.int(cardinality as i64),
            InterMode::Reply => {
                if let Some(at) = deferred {
                    c.reply.set_deferred_set(at, cardinality as usize);
                }
            }
            InterMode::Store => {}
        }
    }
    if let (InterMode::Store, Some(dst)) = (mode, dstkey) {
        store_result(srv, c, db, dst, dstset, "sinterstore");
    }
    Ok(())
}

/// The end of a STORE: set the key to a non-empty result, or delete it.
fn store_result(srv: &mut Server, c: &mut Client, db: usize, dst: &[u8], set: Set, event: &str) {
    if !set.is_empty() {
        let n = set.len();
        store_set(srv, db, dst, set);
        c.reply.int(n as i64);
        srv.notify_keyspace_event(notify::SET, event, dst, db);
        srv.dirty += 1;
    } else {
        c.reply.int(0);
        store_empty_result(srv, db, dst);
    }
}

/// SINTER key [key ...] (also SMEMBERS key)
pub fn sinter_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sinter_generic(srv, c, args, 1, args.len(), None, InterMode::Reply)
}

/// SINTERSTORE destination key [key ...]
pub fn sinterstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sinter_generic(
        srv,
        c,
        args,
        2,
        args.len(),
        Some(args.get(1)),
        InterMode::Store,
    )
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn sintercard_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let numkeys = match string2ll(args.get(1)) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(Error::new("ERR numkeys should be greater than 0")),
    };
    if numkeys > (args.len() - 2) as u64 {
        return Err(Error::new(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let end = 2 + numkeys as usize;
    let mut limit = 0u64;
    let mut j = end;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if args.get(j).eq_ignore_ascii_case(b"limit") && more > 0 {
            j += 1;
            limit = match string2ll(args.get(j)) {
                Some(l) if l >= 0 => l as u64,
                _ => return Err(Error::new("ERR LIMIT can't be negative")),
            };
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    sinter_generic(srv, c, args, 2, end, None, InterMode::Card(limit))
}

// ---------------------------------------------------------------------------
// SUNION / SDIFF (+STORE)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Diff,
}

/// sunionDiffGenericCommand over args[first..end].
fn sunion_diff_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    first: usize,
    end: usize,
    dstkey: Option<&[u8]>,
    op: SetOp,
) -> CmdResult {
    let db = c.db;
    lookup_sets(srv, db, args, first, end)?;
    let max = srv.config.set_max_intset_entries;
    let mut dstset = Set::new_intset();
    {
        let mut sets: Vec<Option<&Set>> = (first..end)
            .map(|j| set_at(&srv.dbs, db, args.get(j)))
            .collect();
        let same = |a: Option<&Set>, b: Option<&Set>| matches!((a, b), (Some(x), Some(y)) if std::ptr::eq(x, y));
        let sameset = sets.len() > 1 && sets[1..].iter().any(|s| same(sets[0], *s));
        let mut diff_algo = 1;
        if op == SetOp::Diff && sets[0].is_some() && !sameset {
            let first_len = sets[0].map_or(0, |s| s.len()) as u64;
            let (mut one, mut two) = (0u64, 0u64);
            for s in sets.iter().flatten() {
                one += first_len;
                two += s.len() as u64;
            }
            one /= 2;
            diff_algo = if one <= two { 1 } else { 2 };
            if diff_algo == 1 && sets.len() > 1 {
                // Bigger sets first: more likely to find the member early.
                sets[1..].sort_by_key(|s| std::cmp::Reverse(s.map_or(0, |s| s.len())));
            }
        }
        match op {
            SetOp::Union => {
                for s in sets.iter().flatten() {
                    for m in s.iter() {
                        dstset.add_val(m, max);
                    }
                }
            }
            SetOp::Diff if sameset => {}
            SetOp::Diff => {
                if let Some(s0) = sets[0] {
                    if diff_algo == 1 {
                        for m in s0.iter() {
                            let found = sets[1..]
                                .iter()
                                .flatten()
                                .any(|s| std::ptr::eq(*s, s0) || s.contains_val(m));
                            if !found {
                                dstset.add_val(m, max);
                            }
                        }
                    } else {
                        for m in s0.iter() {
                            dstset.add_val(m, max);
                        }
                        for s in sets[1..].iter().flatten() {
                            if dstset.is_empty() {
                                break;
                            }
                            for m in s.iter() {
                                dstset.remove_val(m);
                            }
                        }
                    }
                }
            }
        }
    }
    match dstkey {
        None => {
            c.reply.set_len(dstset.len());
            for m in dstset.iter() {
                reply_val(&mut c.reply, m);
            }
        }
        Some(dst) => {
            let event = if op == SetOp::Union {
                "sunionstore"
            } else {
                "sdiffstore"
            };
            store_result(srv, c, db, dst, dstset, event);
        }
    }
    Ok(())
}

/// SUNION key [key ...]
pub fn sunion_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sunion_diff_generic(srv, c, args, 1, args.len(), None, SetOp::Union)
}

/// SUNIONSTORE destination key [key ...]
pub fn sunionstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sunion_diff_generic(srv, c, args, 2, args.len(), Some(args.get(1)), SetOp::Union)
}

/// SDIFF key [key ...]
pub fn sdiff_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sunion_diff_generic(srv, c, args, 1, args.len(), None, SetOp::Diff)
}

/// SDIFFSTORE destination key [key ...]
pub fn sdiffstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    sunion_diff_generic(srv, c, args, 2, args.len(), Some(args.get(1)), SetOp::Diff)
}

// ---------------------------------------------------------------------------
// SSCAN
// ---------------------------------------------------------------------------

/// SSCAN key cursor [MATCH pattern] [COUNT count]
pub fn sscan_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let cursor = crate::command::generic::parse_scan_cursor(args.get(2))
        .ok_or(Error::new("ERR invalid cursor"))?;
    let s = match lookup_set_read(srv, c.db, args.get(1))? {
        Some(s) => s,
        None => {
            reply_empty_scan(&mut c.reply);
            return Ok(());
        }
    };
    let (count, pattern) = scan_collection_options(args, 3)?;
    let mut items = OwnedArgs::default();
    let next = match s.table() {
        None => {
            for m in s.iter() {
                push_val(&mut items, m);
            }
            0
        }
        Some(d) => {
            let mut maxiterations = count.saturating_mul(10);
            let mut cur = cursor;
            loop {
                cur = d.scan(cur, |k, _| items.push(k));
                if cur == 0 || maxiterations == 0 || items.ranges.len() as i64 >= count {
                    break;
                }
                maxiterations -= 1;
            }
            cur
        }
    };
    reply_scan(&mut c.reply, next, &items, pattern, false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct H {
        srv: Server,
        c: Client,
    }

    impl H {
        fn new() -> H {
            let srv = Server::new(crate::config::Config::default(), "test".into(), false)
                .expect("server");
            H {
                srv,
                c: Client::fake(),
            }
        }
        fn run(&mut self, items: &[&str]) -> String {
            self.c.reply.buf.clear();
            self.c.reply.sent = 0;
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
        /// Run through Server::call (propagation hook), returning the reply.
        fn call(&mut self, items: &[&str]) -> String {
            self.c.reply.buf.clear();
            self.c.reply.sent = 0;
            let o = OwnedArgs::from_slices(&items.iter().map(|s| s.as_bytes()).collect::<Vec<_>>());
            let a = o.args();
            let idx = self.srv.commands.lookup(a.get(0)).expect("command");
            self.srv.call(&mut self.c, idx, &a);
            String::from_utf8_lossy(&self.c.reply.buf).into_owned()
        }
        fn enc(&self, key: &str) -> &'static str {
            self.srv.dbs[0]
                .dict
                .get(key.as_bytes())
                .map(|o| o.val.encoding_name())
                .unwrap_or("none")
        }
        fn members(&mut self, key: &str) -> Vec<String> {
            let mut v = bulks(&self.run(&["smembers", key]));
            v.sort();
            v
        }
        fn exists(&self, key: &str) -> bool {
            self.srv.dbs[0].dict.get(key.as_bytes()).is_some()
        }
    }

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

    fn sorted(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn basics_both_encodings() {
        let mut h = H::new();
        assert_eq!(h.run(&["sadd", "s", "foo"]), ":1\r\n");
        assert_eq!(h.enc("s"), "hashtable");
        assert_eq!(h.run(&["sadd", "s", "bar", "bar"]), ":1\r\n");
        assert_eq!(h.run(&["scard", "s"]), ":2\r\n");
        assert_eq!(h.run(&["sismember", "s", "foo"]), ":1\r\n");
        assert_eq!(h.run(&["sismember", "s", "bla"]), ":0\r\n");
        assert_eq!(
            h.run(&["smismember", "s", "bla", "foo"]),
            "*2\r\n:0\r\n:1\r\n"
        );
        assert_eq!(
            h.run(&["smismember", "nokey", "a", "b"]),
            "*2\r\n:0\r\n:0\r\n"
        );
        assert_eq!(h.members("s"), sorted(&["bar", "foo"]));
        assert_eq!(h.run(&["sadd", "i", "17"]), ":1\r\n");
        assert_eq!(h.enc("i"), "intset");
        assert_eq!(h.run(&["sadd", "i", "16", "16"]), ":1\r\n");
        assert_eq!(h.run(&["smembers", "i"]), "*2\r\n$2\r\n16\r\n$2\r\n17\r\n");
        assert_eq!(h.run(&["sadd", "i", "a"]), ":1\r\n");
        assert_eq!(h.enc("i"), "hashtable");
        assert_eq!(h.run(&["smembers", "nokey"]), "*0\r\n");
        h.c.reply.resp = 3;
        assert_eq!(h.run(&["smembers", "nokey"]), "~0\r\n");
        assert_eq!(h.run(&["sinter", "s", "nokey"]), "~0\r\n");
        h.c.reply.resp = 2;
        h.run(&["set", "str", "x"]);
        let wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        for cmd in [
            &["sadd", "str", "a"][..],
            &["srem", "str", "a"],
            &["smembers", "str"],
            &["sismember", "str", "a"],
            &["smismember", "str", "a"],
            &["scard", "str"],
            &["spop", "str"],
            &["spop", "str", "2"],
            &["srandmember", "str"],
            &["srandmember", "str", "2"],
            &["sinter", "s", "str"],
            &["sinter", "nokey", "str"],
            &["sunion", "nokey", "str"],
            &["sdiff", "str", "nokey"],
            &["sintercard", "2", "nokey", "str"],
            &["sscan", "str", "0"],
            &["smove", "str", "s", "a"],
            &["smove", "s", "str", "foo"],
        ] {
            assert_eq!(h.run(cmd), wt, "{cmd:?}");
        }
    }

    #[test]
    fn intset_limits() {
        let mut h = H::new();
        for i in 0..512 {
            h.run(&["sadd", "s", &i.to_string()]);
        }
        assert_eq!(h.enc("s"), "intset");
        h.run(&["sadd", "s", "512"]);
        assert_eq!(h.enc("s"), "hashtable");
        h.run(&["sadd", "big", "213244124402402314402033402"]);
        assert_eq!(h.enc("big"), "hashtable");
        assert_eq!(
            h.run(&["sismember", "big", "213244124402402314402033402"]),
            ":1\r\n"
        );
    }

    #[test]
    fn srem_and_empty_sets_are_deleted() {
        let mut h = H::new();
        h.run(&["sadd", "s", "a", "b", "c", "d"]);
        assert_eq!(h.run(&["srem", "s", "k", "k"]), ":0\r\n");
        assert_eq!(h.run(&["srem", "s", "b", "d", "x"]), ":2\r\n");
        assert_eq!(h.members("s"), sorted(&["a", "c"]));
        h.run(&["del", "s"]);
        h.run(&["sadd", "s", "1", "2", "3"]);
        assert_eq!(h.run(&["srem", "s", "1", "2", "3", "4", "5"]), ":3\r\n");
        assert!(!h.exists("s"));
    }

    #[test]
    fn smove_cases() {
        let mut h = H::new();
        let setup = |h: &mut H| {
            h.run(&["del", "s1", "s2", "s3"]);
            h.run(&["sadd", "s1", "1", "a", "b"]);
            h.run(&["sadd", "s2", "2", "3", "4"]);
        };
        setup(&mut h);
        assert_eq!(h.run(&["smove", "s1", "s2", "a"]), ":1\r\n");
        assert_eq!(h.enc("s2"), "hashtable");
        setup(&mut h);
        assert_eq!(h.run(&["smove", "s1", "s2", "1"]), ":1\r\n");
        assert_eq!(h.enc("s2"), "intset");
        assert_eq!(h.members("s2"), sorted(&["1", "2", "3", "4"]));
        setup(&mut h);
        assert_eq!(h.run(&["smove", "s1", "s2", "foo"]), ":0\r\n");
        assert_eq!(h.run(&["smove", "s1", "s1", "foo"]), ":0\r\n");
        assert_eq!(h.run(&["smove", "s1", "s1", "a"]), ":1\r\n");
        assert_eq!(h.run(&["smove", "nokey", "s2", "foo"]), ":0\r\n");
        assert_eq!(h.run(&["smove", "s2", "s3", "2"]), ":1\r\n");
        assert_eq!(h.enc("s3"), "intset");
        assert_eq!(h.run(&["smove", "s1", "s4", "a"]), ":1\r\n");
        assert_eq!(h.enc("s4"), "hashtable");
        // Moving the last member deletes the source.
        h.run(&["sadd", "one", "x"]);
        h.srv.dirty = 0;
        assert_eq!(h.run(&["smove", "one", "s4", "x"]), ":1\r\n");
        assert!(!h.exists("one"));
        assert_eq!(h.srv.dirty, 2);
        // Already in the destination: one change only.
        h.run(&["sadd", "src", "a", "b"]);
        h.run(&["sadd", "dst", "a"]);
        h.srv.dirty = 0;
        assert_eq!(h.run(&["smove", "src", "dst", "a"]), ":1\r\n");
        assert_eq!(h.srv.dirty, 1);
        assert_eq!(h.run(&["scard", "dst"]), ":1\r\n");
    }

    fn make_sets(h: &mut H, large: &str) {
        h.run(&["del", "set1", "set2", "set3", "set4", "set5"]);
        for i in 0..200 {
            h.run(&["sadd", "set1", &i.to_string()]);
            h.run(&["sadd", "set2", &(i + 195).to_string()]);
        }
        for i in [199, 195, 1000, 2000] {
            h.run(&["sadd", "set3", &i.to_string()]);
        }
        for i in 5..200 {
            h.run(&["sadd", "set4", &i.to_string()]);
        }
        h.run(&["sadd", "set5", "0"]);
        for i in 1..=5 {
            h.run(&["sadd", &format!("set{i}"), large]);
        }
    }

    #[test]
    fn inter_union_diff() {
        for (ty, large) in [("hashtable", "foo"), ("intset", "200")] {
            let mut h = H::new();
            make_sets(&mut h, large);
            for i in 1..=5 {
                assert_eq!(h.enc(&format!("set{i}")), ty);
            }
            let mut r = bulks(&h.run(&["sinter", "set1", "set2"]));
            r.sort();
            assert_eq!(r, sorted(&["195", "196", "197", "198", "199", large]));
            assert_eq!(h.run(&["sintercard", "2", "set1", "set2"]), ":6\r\n");
            assert_eq!(
                h.run(&["sintercard", "2", "set1", "set2", "limit", "0"]),
                ":6\r\n"
            );
            assert_eq!(
                h.run(&["sintercard", "2", "set1", "set2", "limit", "3"]),
                ":3\r\n"
            );
            assert_eq!(
                h.run(&["sintercard", "3", "set1", "set2", "set3", "limit", "2"]),
                ":2\r\n"
            );
            assert_eq!(h.run(&["sinterstore", "res", "set1", "set2"]), ":6\r\n");
            assert_eq!(h.enc("res"), ty);
            let n = if ty == "intset" { 395 } else { 396 };
            assert_eq!(
                h.run(&["sunionstore", "res", "set1", "set2"]),
                format!(":{n}\r\n")
            );
            assert_eq!(h.enc("res"), ty);
            let mut r = bulks(&h.run(&["sinter", "set1", "set2", "set3"]));
            r.sort();
            assert_eq!(r, sorted(&["195", "199", large]));
            let mut r = bulks(&h.run(&["sdiff", "set1", "set4"]));
            r.sort();
            assert_eq!(r, sorted(&["0", "1", "2", "3", "4"]));
            let mut r = bulks(&h.run(&["sdiff", "set1", "set4", "set5"]));
            r.sort();
            assert_eq!(r, sorted(&["1", "2", "3", "4"]));
            assert_eq!(
                h.run(&["sdiffstore", "res", "set1", "set4", "set5"]),
                ":4\r\n"
            );
            assert_eq!(h.enc("res"), "intset");
            assert_eq!(h.run(&["sdiff", "set1", "set1", "set1"]), "*0\r\n");
            assert_eq!(bulks(&h.run(&["sinter", "set1", "set1"])).len(), 201);
            assert_eq!(
                bulks(&h.run(&["sunion", "set1", "nokey", "set1"])).len(),
                201
            );
        }
    }

    #[test]
    fn sunionstore_encoding_follows_members() {
        let mut h = H::new();
        h.run(&["sadd", "a", "1", "2"]);
        h.run(&["sadd", "b", "3", "x"]);
        h.run(&["srem", "b", "x"]);
        assert_eq!(h.enc("b"), "hashtable");
        assert_eq!(h.run(&["sunionstore", "u", "a", "b"]), ":3\r\n");
        assert_eq!(h.enc("u"), "intset");
        // Union reply of an all-integer result comes sorted (temporary intset).
        assert_eq!(
            h.run(&["sunion", "b", "a"]),
            "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
        );
    }

    #[test]
    fn store_variants_delete_or_keep_dst() {
        let mut h = H::new();
        h.run(&["set", "res", "xxx"]);
        assert_eq!(h.run(&["sinterstore", "res", "foo", "bar"]), ":0\r\n");
        assert!(!h.exists("res"));
        h.run(&["set", "res", "xxx"]);
        assert_eq!(h.run(&["sunionstore", "res", "foo", "bar"]), ":0\r\n");
        assert!(!h.exists("res"));
        h.run(&["set", "res", "xxx"]);
        assert_eq!(h.run(&["sdiffstore", "res", "foo", "bar"]), ":0\r\n");
        assert!(!h.exists("res"));
        // WRONGTYPE leaves the destination alone.
        h.run(&["set", "k", "x"]);
        h.run(&["sadd", "s3", "e"]);
        h.run(&["sadd", "s1", "a", "b", "c"]);
        assert!(h
            .run(&["sdiffstore", "s3", "k", "s1", "nokey"])
            .starts_with("-WRONGTYPE"));
        assert!(h
            .run(&["sinterstore", "s3", "nokey", "k", "s1"])
            .starts_with("-WRONGTYPE"));
        assert!(h
            .run(&["sunionstore", "s3", "s1", "k"])
            .starts_with("-WRONGTYPE"));
        assert_eq!(h.members("s3"), sorted(&["e"]));
        // A new destination: TTL dropped on overwrite.
        h.run(&["sadd", "d", "zz"]);
        h.srv.dbs[0].set_expire(b"d", h.srv.now_ms + 100000);
        assert_eq!(h.run(&["sunionstore", "d", "s1"]), ":3\r\n");
        assert!(h.srv.dbs[0].get_expire(b"d").is_none());
        assert_eq!(h.run(&["sdiffstore", "s3", "nokey", "s1"]), ":0\r\n");
        assert!(!h.exists("s3"));
    }

    #[test]
    fn sintercard_errors() {
        let mut h = H::new();
        assert_eq!(
            h.run(&["sintercard", "0", "s"]),
            "-ERR numkeys should be greater than 0\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "a", "s"]),
            "-ERR numkeys should be greater than 0\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "2", "s"]),
            "-ERR Number of keys can't be greater than number of args\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "1", "s", "s2"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "1", "s", "LIMIT"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "1", "s", "LIMIT", "-1"]),
            "-ERR LIMIT can't be negative\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "1", "s", "LIMIT", "a"]),
            "-ERR LIMIT can't be negative\r\n"
        );
        assert_eq!(
            h.run(&["sintercard", "1", "nokey", "limit", "10"]),
            ":0\r\n"
        );
    }

    #[test]
    fn spop_variants() {
        let mut h = H::new();
        for contents in [&["a", "b", "c"][..], &["1", "2", "3"]] {
            h.run(&["del", "s"]);
            for m in contents {
                h.run(&["sadd", "s", m]);
            }
            let mut got: Vec<String> = (0..3).flat_map(|_| bulks(&h.run(&["spop", "s"]))).collect();
            got.sort();
            assert_eq!(got, sorted(contents));
            assert!(!h.exists("s"));
        }
        assert_eq!(h.run(&["spop", "nokey"]), "$-1\r\n");
        assert_eq!(h.run(&["spop", "nokey", "3"]), "*0\r\n");
        assert_eq!(h.run(&["spop", "s", "1", "2"]), "-ERR syntax error\r\n");
        h.run(&["sadd", "s", "1"]);
        assert_eq!(
            h.run(&["spop", "s", "-1"]),
            "-ERR value is out of range, must be positive\r\n"
        );
        assert_eq!(
            h.run(&["spop", "s", "x"]),
            "-ERR value is out of range, must be positive\r\n"
        );
        assert_eq!(h.run(&["spop", "s", "0"]), "*0\r\n");
        for ty in ["hashtable", "intset"] {
            h.run(&["del", "s"]);
            let content: Vec<String> = if ty == "intset" {
                (1..=26).map(|i| i.to_string()).collect()
            } else {
                (b'a'..=b'z').map(|b| (b as char).to_string()).collect()
            };
            for m in &content {
                h.run(&["sadd", "s", m]);
            }
            assert_eq!(h.enc("s"), ty);
            let mut all = Vec::new();
            for n in ["11", "9", "0", "4", "1", "0", "1", "0"] {
                let r = bulks(&h.run(&["spop", "s", n]));
                assert_eq!(r.len(), n.parse::<usize>().unwrap());
                all.extend(r);
            }
            all.sort();
            let mut exp = content.clone();
            exp.sort();
            assert_eq!(all, exp);
            assert!(!h.exists("s"));
        }
        // Knuth's / Floyd's paths and the remaining counts.
        for (n, left) in [
            ("1", 19),
            ("2", 17),
            ("3", 14),
            ("10", 4),
            ("10", 0),
            ("1", 0),
        ] {
            if !h.exists("k") && left == 19 {
                for i in 1..=20 {
                    h.run(&["sadd", "k", &i.to_string()]);
                }
            }
            h.run(&["spop", "k", n]);
            let card = h.run(&["scard", "k"]);
            assert_eq!(card, format!(":{left}\r\n"));
        }
        // count >= size on a hashtable of integers replies sorted (temp intset).
        h.run(&["sadd", "t", "3", "1", "2", "a"]);
        h.run(&["srem", "t", "a"]);
        assert_eq!(
            h.run(&["spop", "t", "10"]),
            "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
        );
        h.c.reply.resp = 3;
        assert_eq!(h.run(&["spop", "nokey", "2"]), "~0\r\n");
        h.c.reply.resp = 2;
    }

    #[test]
    fn spop_propagation_and_case3_reencoding() {
        let mut h = H::new();
        for i in 1..=20 {
            h.run(&["sadd", "s", &i.to_string()]);
        }
        h.srv.rewritten_argv = None;
        h.run(&["spop", "s", "30"]);
        let r = h.srv.rewritten_argv.take().unwrap();
        assert_eq!(r.args().get(0), b"DEL");
        assert!(!h.exists("s"));
        // Case 2 and 3 forbid propagating the SPOP itself.
        for n in ["2", "18"] {
            for i in 1..=20 {
                h.run(&["sadd", "s", &i.to_string()]);
            }
            h.run(&["sadd", "s", "x"]);
            h.run(&["srem", "s", "x"]);
            assert_eq!(h.enc("s"), "hashtable");
            let dirty = h.srv.dirty;
            let r = bulks(&h.call(&["spop", "s", n]));
            assert_eq!(r.len(), n.parse::<usize>().unwrap());
            assert_eq!(h.srv.dirty - dirty, n.parse::<u64>().unwrap());
            assert!(!h.srv.prevent_propagation, "reset by call");
            let card: usize = 20 - n.parse::<usize>().unwrap();
            assert_eq!(h.run(&["scard", "s"]), format!(":{card}\r\n"));
            if n == "18" {
                // Case 3 rebuilt the kept members: all integers → intset.
                assert_eq!(h.enc("s"), "intset");
            }
            h.run(&["del", "s"]);
        }
        // Single SPOP is rewritten as SREM.
        h.run(&["sadd", "s", "a"]);
        h.run(&["spop", "s"]);
        let r = h.srv.rewritten_argv.take().unwrap();
        let v: Vec<&[u8]> = r.args().iter().collect();
        assert_eq!(v, vec![&b"SREM"[..], b"s", b"a"]);
    }

    #[test]
    fn srandmember_counts() {
        let mut h = H::new();
        assert_eq!(h.run(&["srandmember", "nokey"]), "$-1\r\n");
        assert_eq!(h.run(&["srandmember", "nokey", "100"]), "*0\r\n");
        h.run(&["sadd", "s", "a"]);
        assert_eq!(h.run(&["srandmember", "s", "0"]), "*0\r\n");
        assert!(h
            .run(&["srandmember", "s", "-9223372036854775808"])
            .contains("value is out of range"));
        assert_eq!(
            h.run(&["srandmember", "s", "1", "2"]),
            "-ERR syntax error\r\n"
        );
        for ty in ["hashtable", "intset"] {
            h.run(&["del", "s"]);
            for i in 0..50 {
                h.run(&["sadd", "s", &i.to_string()]);
            }
            if ty == "hashtable" {
                h.run(&["sadd", "s", "x"]);
                h.run(&["srem", "s", "x"]);
            }
            assert_eq!(h.enc("s"), ty);
            let r = bulks(&h.run(&["srandmember", "s", "-100"]));
            assert_eq!(r.len(), 100);
            for size in ["50", "100"] {
                let mut r = bulks(&h.run(&["srandmember", "s", size]));
                r.sort();
                r.dedup();
                assert_eq!(r.len(), 50);
            }
            for size in [45usize, 5] {
                let mut seen = std::collections::HashSet::new();
                for _ in 0..200 {
                    let mut r = bulks(&h.run(&["srandmember", "s", &size.to_string()]));
                    assert_eq!(r.len(), size);
                    seen.extend(r.iter().cloned());
                    r.sort();
                    r.dedup();
                    assert_eq!(r.len(), size);
                }
                assert_eq!(seen.len(), 50);
            }
        }
        // Distribution of the positive-count paths.
        for ty in ["hashtable", "intset"] {
            h.run(&["del", "d"]);
            for i in 0..10 {
                h.run(&["sadd", "d", &i.to_string()]);
            }
            if ty == "hashtable" {
                h.run(&["sadd", "d", "x"]);
                h.run(&["srem", "d", "x"]);
            }
            for size in [8usize, 2] {
                let mut counts = [0f64; 10];
                for _ in 0..(1000 / size) {
                    for m in bulks(&h.run(&["srandmember", "d", &size.to_string()])) {
                        counts[m.parse::<usize>().unwrap()] += 1.0;
                    }
                }
                let p = counts.iter().sum::<f64>() / 10.0;
                let chi: f64 = counts.iter().map(|c| (c - p).powi(2) / p).sum();
                // Tables may be slightly biased (see Dict::fair_random_entry).
                assert!(chi < 100.0, "{ty} {size} {counts:?}");
            }
        }
    }

    #[test]
    fn sscan_both_encodings() {
        let mut h = H::new();
        assert_eq!(h.run(&["sscan", "nokey", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n");
        h.run(&["sadd", "i", "1", "10", "2"]);
        assert_eq!(
            h.run(&["sscan", "i", "0", "match", "1*"]),
            "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n"
        );
        for i in 0..1000 {
            h.run(&["sadd", "big", &format!("m{i}")]);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = "0".to_string();
        loop {
            let r = bulks(&h.run(&["sscan", "big", &cursor, "count", "50"]));
            cursor = r[0].clone();
            seen.extend(r[1..].iter().cloned());
            if cursor == "0" {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
        assert_eq!(
            h.run(&["sscan", "big", "0", "count", "0"]),
            "-ERR syntax error\r\n"
        );
    }

    /// SCAN regression test for issue #4906: members present for the whole
    /// scan are returned even when SREM shrinks the table mid-scan.
    #[test]
    fn sscan_survives_shrinking() {
        let mut h = H::new();
        let mut rng = crate::util::rand::Rng::new(4906);
        for _ in 0..30 {
            h.run(&["del", "set"]);
            h.run(&["sadd", "set", "x"]);
            let numele = 101 + rng.gen_index(1000);
            let mut toremove = vec!["srem".to_string(), "set".to_string()];
            for j in 0..numele {
                h.run(&["sadd", "set", &j.to_string()]);
                if j >= 100 {
                    toremove.push(j.to_string());
                }
            }
            let del_iteration = rng.gen_index(10);
            let mut found = std::collections::HashSet::new();
            let mut cursor = "0".to_string();
            let mut iteration = 0;
            loop {
                let r = bulks(&h.run(&["sscan", "set", &cursor]));
                cursor = r[0].clone();
                found.extend(r[1..].iter().cloned());
                iteration += 1;
                if iteration == del_iteration {
                    let refs: Vec<&str> = toremove.iter().map(|s| s.as_str()).collect();
                    h.run(&refs);
                }
                if cursor == "0" {
                    break;
                }
            }
            for j in 0..100 {
                assert!(found.contains(&j.to_string()), "missing {j}");
            }
        }
    }

    #[test]
    fn copy_is_deep() {
        let mut h = H::new();
        h.run(&["sadd", "s", "a", "b"]);
        h.run(&["copy", "s", "t"]);
        h.run(&["srem", "s", "a"]);
        assert_eq!(h.members("t"), sorted(&["a", "b"]));
        assert_eq!(h.enc("t"), "hashtable");
    }
}
