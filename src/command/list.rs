//! List commands (Redis's t_list.c): LPUSH, RPUSH, LPUSHX, RPUSHX, LINSERT,
//! LLEN, LINDEX, LSET, LPOP, RPOP, LMPOP, LRANGE, LTRIM, LPOS, LREM,
//! RPOPLPUSH, LMOVE and the blocking BLPOP, BRPOP, BRPOPLPUSH, BLMOVE,
//! BLMPOP, plus DEBUG QUICKLIST-PACKED-THRESHOLD.
//!
//! The value is `crate::types::list::List` (the quicklist). Handlers follow
//! Redis's order of checks (argument parsing vs. key lookup) so errors and
//! replies match, and Redis's side effects: `signal_modified_key` (WATCH),
//! keyspace events (`lpush`, `rpush`, `lpop`, `rpop`, `linsert`, `lset`,
//! `lrem`, `ltrim`, `del` when a list empties, `new` when one is created),
//! `dirty` by the number of elements changed, and propagation rewrites:
//! BLPOP/BRPOP → LPOP/RPOP key, LMPOP/BLMPOP → LPOP/RPOP key count,
//! BLMOVE → LMOVE, BRPOPLPUSH → RPOPLPUSH.
//!
//! Blocking: when no key has data the client blocks on its keys through
//! `Server::block_client_on_keys` (server/blocking.rs); creating a list key
//! signals it ready (Redis's dbAdd → signalKeyAsReady), and a served client
//! simply re-runs its command. Inside MULTI a blocking command never blocks:
//! it replies its timeout reply at once (CLIENT_DENY_BLOCKING).
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::db::listpack::LpVal;
use crate::db::{Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::blocking::TimeoutReply;
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::types::list::{self as ql, List, Needle};
use crate::util::num::{ll2string, string2ll};

const TIMEOUT_NOT_FLOAT: Error = Error::new("ERR timeout is not a float or out of range");
const TIMEOUT_NEGATIVE: Error = Error::new("ERR timeout is negative");
const RANK_ZERO: Error = Error::new("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");

// ----------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------

/// The list at `key` for writing: Ok(None) when missing, WRONGTYPE if not a list.
fn list_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut List>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(o) => match &mut o.val {
            Value::List(l) => Ok(Some(l)),
            _ => Err(error::WRONGTYPE),
        },
    }
}

/// The list at `key` for reading (hit/miss stats, LRU touch).
fn list_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut List>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => match &mut o.val {
            Value::List(l) => Ok(Some(l)),
            _ => Err(error::WRONGTYPE),
        },
    }
}

/// A new empty list with the configured fill and compress depth
/// (createQuicklistObject + quicklistSetOptions).
fn new_list(srv: &Server) -> List {
    List::new(
        srv.config.list_max_listpack_size,
        srv.config.list_compress_depth,
    )
}

/// dbAdd for a new list key: signals clients blocked on it and fires "new".
fn db_add_list(srv: &mut Server, db: usize, key: &[u8], l: List) {
    let obj = Obj::new(Value::List(Box::new(l)), srv.lru_clock);
    srv.dbs[db].add(key, obj);
    srv.signal_key_as_ready(db, key);
    srv.notify_keyspace_event(notify::NEW, "new", key, db);
}

/// Reply one list entry as a bulk string.
#[inline]
fn reply_val(c: &mut Client, v: LpVal<'_>, tmp: &mut Vec<u8>) {
    match v {
        LpVal::Str(s) => c.reply.bulk(s),
        LpVal::Int(n) => {
            tmp.clear();
            ll2string(tmp, n);
            c.reply.bulk(tmp);
        }
    }
}

/// getLongLongFromObjectOrReply with the default message.
fn parse_long(arg: &[u8]) -> Result<i64, Error> {
    string2ll(arg).ok_or(error::NOT_INTEGER)
}

/// getRangeLongFromObjectOrReply.
fn parse_range_long(
    arg: &[u8],
    min: i64,
    max: i64,
    msg: Option<&'static str>,
) -> Result<i64, Error> {
    let v = match string2ll(arg) {
        Some(v) => v,
        None => return Err(msg.map(Error::new).unwrap_or(error::NOT_INTEGER)),
    };
    if v < min || v > max {
        return Err(match msg {
            Some(m) => Error::new(m),
            None => Error::msg(format!(
                "ERR value is out of range, value must between {} and {}",
                min, max
            )),
        });
    }
    Ok(v)
}

/// getPositiveLongFromObjectOrReply.
fn parse_positive(arg: &[u8], msg: Option<&'static str>) -> Result<i64, Error> {
    parse_range_long(
        arg,
        0,
        i64::MAX,
        Some(msg.unwrap_or("ERR value is out of range, must be positive")),
    )
}

/// getTimeoutFromObjectOrReply(UNIT_SECONDS): seconds as a (long) double,
/// rounded up to milliseconds; 0 = forever; returns the absolute unix ms.
pub fn parse_timeout(now_ms: i64, arg: &[u8]) -> Result<i64, Error> {
    let v = crate::util::longdouble::string2ld(arg)
        .ok_or(TIMEOUT_NOT_FLOAT)?
        .to_f64();
    let ms = (v * 1000.0).ceil();
    // C's (long long) conversion of an out-of-range value gives LLONG_MIN.
    let tval = if ms.is_finite() && ms > -9.2e18 && ms < 9.2e18 {
        ms as i64
    } else {
        i64::MIN
    };
    if tval < 0 {
        return Err(TIMEOUT_NEGATIVE);
    }
    Ok(if tval > 0 {
        tval.saturating_add(now_ms)
    } else {
        0
    })
}

/// getListPositionFromObjectOrReply: LEFT = head (true), RIGHT = tail.
fn parse_position(arg: &[u8]) -> Result<bool, Error> {
    if arg.eq_ignore_ascii_case(b"left") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Ok(false)
    } else {
        Err(error::SYNTAX)
    }
}

/// addListRangeReply: elements start..=end (negative from the tail),
/// reversed when `reverse`.
fn range_reply(c: &mut Client, l: &List, start: i64, end: i64, reverse: bool) {
    let llen = l.len() as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        c.reply.empty_array();
        return;
    }
    if end >= llen {
        end = llen - 1;
    }
    let mut left = (end - start + 1) as usize;
    c.reply.array_len(left);
    let from = if reverse { end } else { start } as usize;
    let mut tmp = Vec::new();
    l.for_each_from(from, reverse, |v| {
        reply_val(c, v, &mut tmp);
        left -= 1;
        left > 0
    });
}

/// listElementsRemoved: events, deletion of an emptied key, WATCH, dirty.
fn elements_removed(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    head: bool,
    count: usize,
    emptied: bool,
) {
    let event = if head { "lpop" } else { "rpop" };
    srv.notify_keyspace_event(notify::LIST, event, key, db);
    if emptied {
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
    }
    srv.signal_modified_key(db, key);
    srv.dirty += count as u64;
}

fn set_rewrite(srv: &mut Server, parts: &[&[u8]]) {
    srv.rewritten_argv = Some(OwnedArgs::from_slices(parts));
}

/// Rewrite the propagated command as [LR]POP key count.
fn rewrite_pop_count(srv: &mut Server, head: bool, key: &[u8], n: usize) {
    let mut num = Vec::with_capacity(20);
    ll2string(&mut num, n as i64);
    let cmd: &[u8] = if head { b"LPOP" } else { b"RPOP" };
    set_rewrite(srv, &[cmd, key, &num]);
}

/// listPopRangeAndReplyWithKey: reply [key, [elements]] and pop them.
fn pop_range_with_key(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    key: &[u8],
    head: bool,
    count: i64,
) -> usize {
    let (n, emptied) = {
        let l = match srv.dbs[db].dict.get_mut(key) {
            Some(Obj {
                val: Value::List(l),
                ..
            }) => l,
            _ => return 0,
        };
        let llen = l.len();
        let n = (count.max(0) as usize).min(llen);
        c.reply.array_len(2);
        c.reply.bulk(key);
        if head {
            range_reply(c, l, 0, n as i64 - 1, false);
        } else {
            range_reply(c, l, -(n as i64), -1, true);
        }
        l.trim_end(head, n);
        (n, l.is_empty())
    };
    elements_removed(srv, db, key, head, n, emptied);
    n
}

// ----------------------------------------------------------------------
// Push
// ----------------------------------------------------------------------

/// pushGenericCommand: LPUSH/RPUSH (and LPUSHX/RPUSHX with `xx`).
fn push_generic(srv: &mut Server, c: &mut Client, args: &Args, head: bool, xx: bool) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    let len = match list_write(srv, db, key)? {
        Some(l) => {
            for i in 2..args.len() {
                l.push(args.get(i), head);
            }
            l.len()
        }
        None => {
            if xx {
                c.reply.int(0);
                return Ok(());
            }
            let mut l = new_list(srv);
            for i in 2..args.len() {
                l.push(args.get(i), head);
            }
            let len = l.len();
            db_add_list(srv, db, key, l);
            len
        }
    };
    srv.dirty += (args.len() - 2) as u64;
    c.reply.int(len as i64);
    srv.signal_modified_key(db, key);
    let event = if head { "lpush" } else { "rpush" };
    srv.notify_keyspace_event(notify::LIST, event, key, db);
    Ok(())
}

/// LPUSH key element [element ...]
pub fn lpush_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    push_generic(srv, c, args, true, false)
}

/// RPUSH key element [element ...]
pub fn rpush_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    push_generic(srv, c, args, false, false)
}

/// LPUSHX key element [element ...]
pub fn lpushx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    push_generic(srv, c, args, true, true)
}

/// RPUSHX key element [element ...]
pub fn rpushx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    push_generic(srv, c, args, false, true)
}

/// LINSERT key BEFORE|AFTER pivot element
pub fn linsert_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let w = args.get(2);
    let after = if w.eq_ignore_ascii_case(b"after") {
        true
    } else if w.eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(error::SYNTAX);
    };
    let db = c.db;
    let key = args.get(1);
    let l = match list_write(srv, db, key)? {
        Some(l) => l,
        None => {
            c.reply.int(0);
            return Ok(());
        }
    };
    if !l.insert_at_pivot(args.get(3), args.get(4), after) {
        c.reply.int(-1);
        return Ok(());
    }
    let len = l.len();
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::LIST, "linsert", key, db);
    srv.dirty += 1;
    c.reply.int(len as i64);
    Ok(())
}

// ----------------------------------------------------------------------
// Reads
// ----------------------------------------------------------------------

/// LLEN key
pub fn llen_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = list_read(srv, c.db, args.get(1))?.map_or(0, |l| l.len());
    c.reply.int(n as i64);
    Ok(())
}

/// LINDEX key index
pub fn lindex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let l = match list_read(srv, c.db, args.get(1))? {
        Some(l) => l,
        None => {
            c.reply.null();
            return Ok(());
        }
    };
    let index = parse_long(args.get(2))?;
    let mut tmp = Vec::new();
    if l.get_with(index, |v| reply_val(c, v, &mut tmp)).is_none() {
        c.reply.null();
    }
    Ok(())
}

/// LRANGE key start stop
pub fn lrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let start = parse_long(args.get(2))?;
    let end = parse_long(args.get(3))?;
    match list_read(srv, c.db, args.get(1))? {
        Some(l) => range_reply(c, l, start, end, false),
        None => c.reply.empty_array(),
    }
    Ok(())
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
pub fn lpos_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: i64 = -1;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < args.len() {
        let opt = args.get(j);
        let more = j + 1 < args.len();
        if opt.eq_ignore_ascii_case(b"rank") && more {
            j += 1;
            rank = parse_long(args.get(j))?;
            if rank == 0 {
                return Err(RANK_ZERO);
            }
        } else if opt.eq_ignore_ascii_case(b"count") && more {
            j += 1;
            count = parse_positive(args.get(j), Some("ERR COUNT can't be negative"))?;
        } else if opt.eq_ignore_ascii_case(b"maxlen") && more {
            j += 1;
            maxlen = parse_positive(args.get(j), Some("ERR MAXLEN can't be negative"))?;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    let reverse = rank < 0;
    // RANK LONG_MIN: Redis's `rank = -rank` overflows and stays negative,
    // so every match qualifies and the COUNT limit never triggers.
    let rank_min = rank == i64::MIN;
    let rank = if rank_min { 1 } else { rank.unsigned_abs() };
    let l = match list_read(srv, c.db, args.get(1))? {
        Some(l) => l,
        None => {
            if count != -1 {
                c.reply.empty_array();
            } else {
                c.reply.null();
            }
            return Ok(());
        }
    };
    let needle = Needle::new(args.get(2));
    let llen = l.len() as i64;
    let deferred = if count != -1 {
        Some(c.reply.deferred_len())
    } else {
        None
    };
    let (mut index, mut matches, mut matchindex, mut arraylen) = (0i64, 0u64, -1i64, 0usize);
    l.for_each(reverse, |v| {
        if maxlen != 0 && index >= maxlen {
            return false;
        }
        if needle.matches(v) {
            matches += 1;
            matchindex = if reverse { llen - index - 1 } else { index };
            if matches >= rank {
                if deferred.is_some() {
                    arraylen += 1;
                    c.reply.int(matchindex);
                    if count != 0 && !rank_min && matches - rank + 1 >= count as u64 {
                        return false;
                    }
                } else {
                    return false;
                }
            }
        }
        index += 1;
        matchindex = -1;
        true
    });
    match deferred {
        Some(at) => c.reply.set_deferred_array(at, arraylen),
        None => {
            if matchindex != -1 {
                c.reply.int(matchindex);
            } else {
                c.reply.null();
            }
        }
    }
    Ok(())
}

// ----------------------------------------------------------------------
// Writes
// ----------------------------------------------------------------------

/// LSET key index element
pub fn lset_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    let l = list_write(srv, db, key)?.ok_or(error::NO_SUCH_KEY)?;
    let index = parse_long(args.get(2))?;
    if !l.replace(index, args.get(3)) {
        return Err(error::INDEX_OUT_OF_RANGE);
    }
    c.reply.ok();
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::LIST, "lset", key, db);
    srv.dirty += 1;
    Ok(())
}

/// popGenericCommand: LPOP/RPOP key [count]
fn pop_generic(srv: &mut Server, c: &mut Client, args: &Args, head: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(error::wrong_args(if head { "lpop" } else { "rpop" }));
    }
    let hascount = args.len() == 3;
    let count = if hascount {
        parse_positive(args.get(2), None)?
    } else {
        0
    };
    let db = c.db;
    let key = args.get(1);
    let l = match list_write(srv, db, key)? {
        Some(l) => l,
        None => {
            if hascount {
                c.reply.null_array();
            } else {
                c.reply.null();
            }
            return Ok(());
        }
    };
    if hascount && count == 0 {
        c.reply.empty_array();
        return Ok(());
    }
    if !hascount {
        let mut tmp = Vec::new();
        l.pop_with(head, |v| reply_val(c, v, &mut tmp));
        let emptied = l.is_empty();
        elements_removed(srv, db, key, head, 1, emptied);
    } else {
        let n = (count as usize).min(l.len());
        if head {
            range_reply(c, l, 0, n as i64 - 1, false);
        } else {
            range_reply(c, l, -(n as i64), -1, true);
        }
        l.trim_end(head, n);
        let emptied = l.is_empty();
        elements_removed(srv, db, key, head, n, emptied);
    }
    Ok(())
}

/// LPOP key [count]
pub fn lpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    pop_generic(srv, c, args, true)
}

/// RPOP key [count]
pub fn rpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    pop_generic(srv, c, args, false)
}

/// LTRIM key start stop
pub fn ltrim_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let start = parse_long(args.get(2))?;
    let end = parse_long(args.get(3))?;
    let db = c.db;
    let key = args.get(1);
    let l = match list_write(srv, db, key)? {
        Some(l) => l,
        None => {
            c.reply.ok();
            return Ok(());
        }
    };
    let llen = l.len() as i64;
    let mut start = if start < 0 { llen + start } else { start };
    let mut end = if end < 0 { llen + end } else { end };
    if start < 0 {
        start = 0;
    }
    let (ltrim, rtrim) = if start > end || start >= llen {
        (llen, 0)
    } else {
        if end >= llen {
            end = llen - 1;
        }
        (start, llen - end - 1)
    };
    l.trim_end(true, ltrim as usize);
    l.trim_end(false, rtrim as usize);
    let emptied = l.is_empty();
    srv.notify_keyspace_event(notify::LIST, "ltrim", key, db);
    if emptied {
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
    }
    srv.signal_modified_key(db, key);
    srv.dirty += (ltrim + rtrim) as u64;
    c.reply.ok();
    Ok(())
}

/// LREM key count element
pub fn lrem_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let toremove = parse_long(args.get(2))?;
    let db = c.db;
    let key = args.get(1);
    let l = match list_write(srv, db, key)? {
        Some(l) => l,
        None => {
            c.reply.int(0);
            return Ok(());
        }
    };
    let limit = toremove.unsigned_abs().min(usize::MAX as u64) as usize;
    let removed = l.remove_matching(args.get(3), limit, toremove < 0);
    let emptied = l.is_empty();
    srv.dirty += removed as u64;
    if removed > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::LIST, "lrem", key, db);
    }
    if emptied {
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
    }
    c.reply.int(removed as i64);
    Ok(())
}

/// How a LMOVE-family command is propagated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MoveKind {
    Lmove,
    Rpoplpush,
    Blmove,
    Brpoplpush,
}

/// lmoveGenericCommand (+ lmoveHandlePush).
fn lmove_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    from_head: bool,
    to_head: bool,
    kind: MoveKind,
) -> CmdResult {
    let db = c.db;
    let (src, dst) = (args.get(1), args.get(2));
    match list_write(srv, db, src)? {
        Some(l) if !l.is_empty() => {}
        _ => {
            c.reply.null();
            return Ok(());
        }
    }
    let dst_exists = list_write(srv, db, dst)?.is_some();
    let value = match list_write(srv, db, src)?.and_then(|l| l.pop(from_head)) {
        Some(v) => v,
        None => {
            c.reply.null();
            return Ok(());
        }
    };
    // Push on the destination, creating it if needed.
    if dst_exists {
        if let Some(l) = list_write(srv, db, dst)? {
            l.push(&value, to_head);
        }
    } else {
        let mut l = new_list(srv);
        l.push(&value, to_head);
        db_add_list(srv, db, dst, l);
    }
    srv.signal_modified_key(db, dst);
    let push_ev = if to_head { "lpush" } else { "rpush" };
    srv.notify_keyspace_event(notify::LIST, push_ev, dst, db);
    c.reply.bulk(&value);
    // Source side.
    let pop_ev = if from_head { "lpop" } else { "rpop" };
    srv.notify_keyspace_event(notify::LIST, pop_ev, src, db);
    let emptied = matches!(
        srv.dbs[db].dict.get(src),
        Some(Obj { val: Value::List(l), .. }) if l.is_empty()
    );
    if emptied {
        srv.dbs[db].delete(src);
        srv.notify_keyspace_event(notify::GENERIC, "del", src, db);
    }
    srv.signal_modified_key(db, src);
    srv.dirty += 1;
    match kind {
        MoveKind::Blmove => set_rewrite(srv, &[b"LMOVE", src, dst, args.get(3), args.get(4)]),
        MoveKind::Brpoplpush => set_rewrite(srv, &[b"RPOPLPUSH", src, dst]),
        MoveKind::Lmove | MoveKind::Rpoplpush => {}
    }
    Ok(())
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
pub fn lmove_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let from = parse_position(args.get(3))?;
    let to = parse_position(args.get(4))?;
    lmove_generic(srv, c, args, from, to, MoveKind::Lmove)
}

/// RPOPLPUSH source destination
pub fn rpoplpush_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    lmove_generic(srv, c, args, false, true, MoveKind::Rpoplpush)
}

// ----------------------------------------------------------------------
// Multi-key pops and blocking variants
// ----------------------------------------------------------------------

/// Pop from the first non-empty list among `keys`. `count` None = single
/// element (BLPOP/BRPOP reply [key, element]); Some(n) = up to n elements
/// (reply [key, [elements]]). Returns false when every key was empty.
fn pop_first_nonempty(
    srv: &mut Server,
    c: &mut Client,
    keys: &[&[u8]],
    head: bool,
    count: Option<i64>,
) -> Result<bool, Error> {
    let db = c.db;
    for &key in keys {
        let l = match list_write(srv, db, key)? {
            Some(l) => l,
            None => continue,
        };
        if l.is_empty() {
            continue;
        }
        match count {
            Some(cnt) => {
                let n = pop_range_with_key(srv, c, db, key, head, cnt);
                rewrite_pop_count(srv, head, key, n);
            }
            None => {
                c.reply.array_len(2);
                c.reply.bulk(key);
                let mut tmp = Vec::new();
                l.pop_with(head, |v| reply_val(c, v, &mut tmp));
                let emptied = l.is_empty();
                elements_removed(srv, db, key, head, 1, emptied);
                let cmd: &[u8] = if head { b"LPOP" } else { b"RPOP" };
                set_rewrite(srv, &[cmd, key]);
            }
        }
        return Ok(true);
    }
    Ok(false)
}

/// blockingPopGenericCommand.
fn blocking_pop_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    keys: &[&[u8]],
    head: bool,
    timeout_arg: &[u8],
    count: Option<i64>,
) -> CmdResult {
    let timeout = parse_timeout(srv.now_ms, timeout_arg)?;
    if pop_first_nonempty(srv, c, keys, head, count)? {
        return Ok(());
    }
    if c.has(flags::MULTI) {
        c.reply.null_array();
        return Ok(());
    }
    srv.block_client_on_keys(c, args, keys, timeout, TimeoutReply::NullArray);
    Ok(())
}

/// BLPOP key [key ...] timeout
pub fn blpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = args.len();
    let keys: Vec<&[u8]> = (1..n - 1).map(|i| args.get(i)).collect();
    blocking_pop_generic(srv, c, args, &keys, true, args.get(n - 1), None)
}

/// BRPOP key [key ...] timeout
pub fn brpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = args.len();
    let keys: Vec<&[u8]> = (1..n - 1).map(|i| args.get(i)).collect();
    blocking_pop_generic(srv, c, args, &keys, false, args.get(n - 1), None)
}

/// blmoveGenericCommand.
fn blmove_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    from: bool,
    to: bool,
    timeout: i64,
    kind: MoveKind,
) -> CmdResult {
    let src = args.get(1);
    if list_write(srv, c.db, src)?.is_none() {
        if c.has(flags::MULTI) {
            c.reply.null();
        } else {
            srv.block_client_on_keys(c, args, &[src], timeout, TimeoutReply::NullBulk);
        }
        return Ok(());
    }
    lmove_generic(srv, c, args, from, to, kind)
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
pub fn blmove_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let from = parse_position(args.get(3))?;
    let to = parse_position(args.get(4))?;
    let timeout = parse_timeout(srv.now_ms, args.get(5))?;
    blmove_generic(srv, c, args, from, to, timeout, MoveKind::Blmove)
}

/// BRPOPLPUSH source destination timeout
pub fn brpoplpush_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let timeout = parse_timeout(srv.now_ms, args.get(3))?;
    blmove_generic(srv, c, args, false, true, timeout, MoveKind::Brpoplpush)
}

/// lmpopGenericCommand: LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
/// (numkeys at `numkeys_idx`), blocking for BLMPOP.
fn lmpop_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    numkeys_idx: usize,
    block: bool,
) -> CmdResult {
    let numkeys = parse_range_long(
        args.get(numkeys_idx),
        1,
        i64::MAX,
        Some("ERR numkeys should be greater than 0"),
    )?;
    let argc = args.len();
    let where_idx = match (numkeys as u64).checked_add(numkeys_idx as u64 + 1) {
        Some(w) if w < argc as u64 => w as usize,
        _ => return Err(error::SYNTAX),
    };
    let head = parse_position(args.get(where_idx))?;
    let mut count: i64 = -1;
    let mut j = where_idx + 1;
    while j < argc {
        let opt = args.get(j);
        if count == -1 && opt.eq_ignore_ascii_case(b"count") && j + 1 < argc {
            j += 1;
            count = parse_range_long(
                args.get(j),
                1,
                i64::MAX,
                Some("ERR count should be greater than 0"),
            )?;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    if count == -1 {
        count = 1;
    }
    let keys: Vec<&[u8]> = (numkeys_idx + 1..where_idx).map(|i| args.get(i)).collect();
    if block {
        blocking_pop_generic(srv, c, args, &keys, head, args.get(1), Some(count))
    } else {
        if !pop_first_nonempty(srv, c, &keys, head, Some(count))? {
            c.reply.null_array();
        }
        Ok(())
    }
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn lmpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    lmpop_generic(srv, c, args, 1, false)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn blmpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    lmpop_generic(srv, c, args, 2, true)
}

/// DEBUG QUICKLIST-PACKED-THRESHOLD <size>
pub fn debug_quicklist_packed_threshold(c: &mut Client, arg: &[u8]) -> CmdResult {
    match crate::config::memtoull(arg) {
        Some(sz) if ql::set_packed_threshold(sz) => {
            c.reply.ok();
            Ok(())
        }
        _ => Err(Error::new(
            "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn server() -> Server {
        Server::new(Config::default(), "redis-server".into(), false).unwrap()
    }

    fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> String {
        let slices: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
        let owned = OwnedArgs::from_slices(&slices);
        let args = owned.args();
        c.reply.buf.clear();
        srv.now_ms = crate::server::now_ms();
        let idx = srv.resolve_command(&args).expect("command exists");
        srv.call(c, idx, &args);
        String::from_utf8_lossy(&c.reply.buf).into_owned()
    }

    fn setup() -> (Server, Client) {
        (server(), Client::fake())
    }

    #[test]
    fn push_pop_replies() {
        let (mut s, mut c) = setup();
        assert_eq!(run(&mut s, &mut c, &["lpush", "l", "a", "b"]), ":2\r\n");
        assert_eq!(run(&mut s, &mut c, &["rpush", "l", "c", "12"]), ":4\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lrange", "l", "0", "-1"]),
            "*4\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n$2\r\n12\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["rpop", "l"]), "$2\r\n12\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lpop", "l", "2"]),
            "*2\r\n$1\r\nb\r\n$1\r\na\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["rpop", "l", "0"]), "*0\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["rpop", "l", "5"]),
            "*1\r\n$1\r\nc\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["exists", "l"]), ":0\r\n");
        assert_eq!(run(&mut s, &mut c, &["lpop", "l"]), "$-1\r\n");
        assert_eq!(run(&mut s, &mut c, &["lpop", "l", "0"]), "*-1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lpop", "l", "-1"]),
            "-ERR value is out of range, must be positive\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpop", "l", "1", "1"]),
            "-ERR wrong number of arguments for 'lpop' command\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["lpushx", "l", "a"]), ":0\r\n");
        assert_eq!(run(&mut s, &mut c, &["exists", "l"]), ":0\r\n");
        c.reply.resp = 3;
        assert_eq!(run(&mut s, &mut c, &["lpop", "l", "1"]), "_\r\n");
        assert_eq!(run(&mut s, &mut c, &["object", "encoding", "l"]), "_\r\n");
        run(&mut s, &mut c, &["rpush", "l", "x"]);
        assert_eq!(
            run(&mut s, &mut c, &["object", "encoding", "l"]),
            "$9\r\nquicklist\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["type", "l"]), "+list\r\n");
        run(&mut s, &mut c, &["set", "str", "x"]);
        assert!(run(&mut s, &mut c, &["lpush", "str", "x"]).starts_with("-WRONGTYPE"));
        assert!(run(&mut s, &mut c, &["llen", "str"]).starts_with("-WRONGTYPE"));
    }

    #[test]
    fn index_set_trim_rem_insert() {
        let (mut s, mut c) = setup();
        run(&mut s, &mut c, &["rpush", "l", "a", "b", "c", "d", "b"]);
        assert_eq!(run(&mut s, &mut c, &["lindex", "l", "-1"]), "$1\r\nb\r\n");
        assert_eq!(run(&mut s, &mut c, &["lindex", "l", "5"]), "$-1\r\n");
        assert_eq!(run(&mut s, &mut c, &["lindex", "nokey", "x"]), "$-1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lindex", "l", "x"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lset", "nokey", "0", "x"]),
            "-ERR no such key\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lset", "l", "9", "x"]),
            "-ERR index out of range\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["lset", "l", "0", "A"]), "+OK\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["linsert", "l", "aft3r", "a", "x"]),
            "-ERR syntax error\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["linsert", "l", "AFTER", "c", "x"]),
            ":6\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["linsert", "l", "before", "zz", "x"]),
            ":-1\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["linsert", "nokey", "before", "zz", "x"]),
            ":0\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["lrem", "l", "-1", "b"]), ":1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lrange", "l", "0", "-1"]),
            "*5\r\n$1\r\nA\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nx\r\n$1\r\nd\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["ltrim", "l", "1", "-2"]), "+OK\r\n");
        assert_eq!(run(&mut s, &mut c, &["llen", "l"]), ":3\r\n");
        assert_eq!(run(&mut s, &mut c, &["lrange", "l", "5", "1"]), "*0\r\n");
        assert_eq!(run(&mut s, &mut c, &["ltrim", "l", "0", "-10"]), "+OK\r\n");
        assert_eq!(run(&mut s, &mut c, &["exists", "l"]), ":0\r\n");
        assert_eq!(run(&mut s, &mut c, &["ltrim", "l", "0", "1"]), "+OK\r\n");
    }

    #[test]
    fn lpos_options() {
        let (mut s, mut c) = setup();
        run(
            &mut s,
            &mut c,
            &["rpush", "l", "a", "b", "c", "1", "2", "3", "c", "c"],
        );
        assert_eq!(run(&mut s, &mut c, &["lpos", "l", "c"]), ":2\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "rank", "-1"]),
            ":7\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "rank", "4"]),
            "$-1\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["lpos", "l", "2"]), ":4\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "count", "0"]),
            "*3\r\n:2\r\n:6\r\n:7\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &["lpos", "l", "c", "count", "2", "rank", "-1"]
            ),
            "*2\r\n:7\r\n:6\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &["lpos", "l", "c", "count", "0", "maxlen", "7", "rank", "2"]
            ),
            "*1\r\n:6\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &["lpos", "l", "c", "count", "0", "maxlen", "1"]
            ),
            "*0\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "nokey", "c", "count", "0"]),
            "*0\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["lpos", "nokey", "c"]), "$-1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "rank", "0"]),
            format!("-{}\r\n", RANK_ZERO.text())
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "count", "-1"]),
            "-ERR COUNT can't be negative\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "maxlen", "x"]),
            "-ERR MAXLEN can't be negative\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "rank"]),
            "-ERR syntax error\r\n"
        );
        // RANK LONG_MIN behaves as in Redis (overflowing negation).
        let min = "-9223372036854775808";
        assert_eq!(
            run(&mut s, &mut c, &["lpos", "l", "c", "rank", min]),
            ":7\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &["lpos", "l", "c", "rank", min, "count", "1"]
            ),
            "*3\r\n:7\r\n:6\r\n:2\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &[
                    "lpos",
                    "l",
                    "c",
                    "rank",
                    "-9223372036854775807",
                    "count",
                    "1"
                ]
            ),
            "*0\r\n"
        );
    }

    #[test]
    fn lmove_and_rpoplpush() {
        let (mut s, mut c) = setup();
        run(&mut s, &mut c, &["rpush", "src", "a", "b", "c"]);
        assert_eq!(
            run(&mut s, &mut c, &["lmove", "src", "dst", "left", "right"]),
            "$1\r\na\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["rpoplpush", "src", "dst"]),
            "$1\r\nc\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lrange", "dst", "0", "-1"]),
            "*2\r\n$1\r\nc\r\n$1\r\na\r\n"
        );
        // Same list as source and destination: a rotation.
        assert_eq!(
            run(&mut s, &mut c, &["rpoplpush", "dst", "dst"]),
            "$1\r\na\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lrange", "dst", "0", "-1"]),
            "*2\r\n$1\r\na\r\n$1\r\nc\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["lmove", "src", "dst", "up", "right"]),
            "-ERR syntax error\r\n"
        );
        run(&mut s, &mut c, &["set", "str", "x"]);
        assert!(
            run(&mut s, &mut c, &["lmove", "src", "str", "left", "left"]).starts_with("-WRONGTYPE")
        );
        assert_eq!(run(&mut s, &mut c, &["llen", "src"]), ":1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["rpoplpush", "src", "dst"]),
            "$1\r\nb\r\n"
        );
        assert_eq!(run(&mut s, &mut c, &["exists", "src"]), ":0\r\n");
        assert_eq!(run(&mut s, &mut c, &["rpoplpush", "src", "dst"]), "$-1\r\n");
    }

    #[test]
    fn lmpop_arguments_and_rewrite() {
        let (mut s, mut c) = setup();
        for (argv, err) in [
            (
                vec!["lmpop", "0", "l", "left"],
                "-ERR numkeys should be greater than 0\r\n",
            ),
            (
                vec!["lmpop", "a", "l", "left"],
                "-ERR numkeys should be greater than 0\r\n",
            ),
            (vec!["lmpop", "1", "l", "bad"], "-ERR syntax error\r\n"),
            (
                vec!["lmpop", "1", "l", "left", "bar"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["lmpop", "1", "l", "right", "left"],
                "-ERR syntax error\r\n",
            ),
            (vec!["lmpop", "1", "l", "count"], "-ERR syntax error\r\n"),
            (
                vec!["lmpop", "1", "l", "left", "count", "1", "count", "2"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["lmpop", "2", "l", "l2", "bad"],
                "-ERR syntax error\r\n",
            ),
            (vec!["lmpop", "5", "l", "left"], "-ERR syntax error\r\n"),
            (
                vec!["lmpop", "9223372036854775807", "l", "left"],
                "-ERR syntax error\r\n",
            ),
            (
                vec!["lmpop", "1", "l", "left", "count", "0"],
                "-ERR count should be greater than 0\r\n",
            ),
            (
                vec!["lmpop", "1", "l", "left", "count", "a"],
                "-ERR count should be greater than 0\r\n",
            ),
            (
                vec!["lmpop", "1", "l"],
                "-ERR wrong number of arguments for 'lmpop' command\r\n",
            ),
        ] {
            let slices: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
            let owned = OwnedArgs::from_slices(&slices);
            c.reply.buf.clear();
            s.process_command(&mut c, &owned.args());
            assert_eq!(String::from_utf8_lossy(&c.reply.buf), err, "{:?}", argv);
        }
        assert_eq!(
            run(&mut s, &mut c, &["lmpop", "2", "a", "b", "left"]),
            "*-1\r\n"
        );
        run(&mut s, &mut c, &["rpush", "b", "1", "2", "3"]);
        let owned = OwnedArgs::from_slices(&[b"lmpop", b"2", b"a", b"b", b"right", b"count", b"2"]);
        c.reply.buf.clear();
        let idx = s.resolve_command(&owned.args()).unwrap();
        let f = s.commands.cmds[idx].def.handler;
        f(&mut s, &mut c, &owned.args()).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&c.reply.buf),
            "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
        );
        let rw = s.rewritten_argv.take().unwrap();
        let parts: Vec<&[u8]> = rw.args().iter().collect();
        assert_eq!(parts, vec![&b"RPOP"[..], b"b", b"2"]);
    }

    #[test]
    fn blocking_commands_without_blocking() {
        let (mut s, mut c) = setup();
        run(&mut s, &mut c, &["rpush", "k2", "x", "y"]);
        assert_eq!(
            run(&mut s, &mut c, &["blpop", "k1", "k2", "0"]),
            "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["blpop", "k1", "-1"]),
            "-ERR timeout is negative\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["blpop", "k1", "abc"]),
            "-ERR timeout is not a float or out of range\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["blpop", "k1", "inf"]),
            "-ERR timeout is negative\r\n"
        );
        assert_eq!(
            run(
                &mut s,
                &mut c,
                &["blmpop", "0", "2", "k1", "k2", "left", "count", "5"]
            ),
            "*2\r\n$2\r\nk2\r\n*1\r\n$1\r\ny\r\n"
        );
        // Inside MULTI they reply the timeout reply instead of blocking.
        c.flags |= flags::MULTI;
        assert_eq!(run(&mut s, &mut c, &["brpop", "k1", "0"]), "*-1\r\n");
        assert_eq!(
            run(&mut s, &mut c, &["blmove", "k1", "k2", "left", "left", "0"]),
            "$-1\r\n"
        );
        assert_eq!(
            run(&mut s, &mut c, &["brpoplpush", "k1", "k2", "0"]),
            "$-1\r\n"
        );
        c.flags &= !flags::MULTI;
        // Without data, the client blocks.
        assert_eq!(run(&mut s, &mut c, &["brpop", "k1", "0.5"]), "");
        assert!(c.has(flags::BLOCKED));
        assert_eq!(s.blocked_clients(), 1);
    }

    #[test]
    fn timeouts_parse_like_redis() {
        assert_eq!(parse_timeout(1000, b"0"), Ok(0));
        assert_eq!(parse_timeout(1000, b"-0"), Ok(0));
        assert_eq!(parse_timeout(1000, b"0.001"), Ok(1001));
        assert_eq!(parse_timeout(1000, b"0.0001"), Ok(1001));
        assert_eq!(parse_timeout(1000, b"1.5"), Ok(2500));
        assert_eq!(parse_timeout(1000, b"0x10"), Ok(17000));
        assert_eq!(parse_timeout(1000, b"-1e-9"), Ok(0));
        assert_eq!(parse_timeout(1000, b"1e300"), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(1000, b" 1"), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(1000, b"nan"), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(1000, b""), Err(TIMEOUT_NOT_FLOAT));
    }

    #[test]
    fn debug_packed_threshold() {
        let mut c = Client::fake();
        assert!(debug_quicklist_packed_threshold(&mut c, b"1b").is_ok());
        assert_eq!(ql::packed_threshold(), 1);
        assert!(debug_quicklist_packed_threshold(&mut c, b"5gb").is_err());
        assert!(debug_quicklist_packed_threshold(&mut c, b"abc").is_err());
        assert!(debug_quicklist_packed_threshold(&mut c, b"0").is_ok());
        assert_eq!(ql::packed_threshold(), 1 << 30);
    }
}
