//! Sorted set commands (Redis's `t_zset.c` command half): ZADD, ZINCRBY,
//! ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT, the
//! ZRANGE family (ZRANGE with BYSCORE/BYLEX/REV/LIMIT, ZRANGESTORE,
//! ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZREMRANGEBY*,
//! ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD, ZPOPMIN/ZPOPMAX, ZMPOP, the
//! blocking BZPOPMIN/BZPOPMAX/BZMPOP, ZRANDMEMBER and ZSCAN.
//!
//! The value type and its two encodings live in `crate::types::zset`; this
//! file parses arguments (same order of checks and same error texts as
//! Redis), walks the set through `Pos` cursors, writes RESP2/RESP3 replies,
//! and does the keyspace bookkeeping: `dirty`, WATCH signals, keyspace
//! notifications (zadd, zincr, zrem, zrem*range*, z*store, zrangestore,
//! zpopmin/zpopmax, del when emptied, new when created), ready-key signals
//! for blocked clients, and the propagation rewrites of ZMPOP / BZPOP* /
//! BZMPOP as ZPOPMIN/ZPOPMAX (with a count when one was given).
//!
//! ZUNION/ZINTER/ZDIFF(STORE) and ZINTERCARD also take plain sets as inputs
//! (every member with score 1), as Redis does.
//!
//! Mirrors zaddGenericCommand, zremCommand, zremrangeGenericCommand,
//! zunionInterDiffGenericCommand, zrangeGenericCommand and its result
//! handlers, genericZpopCommand, blockingGenericZpopCommand,
//! zmpopGenericCommand, zrandmemberWithCountCommand, scanGenericCommand.
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::command::generic::parse_scan_cursor;
use crate::db::listpack::LpVal;
use crate::db::{Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::blocking::TimeoutReply;
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::types::set::{Set, SetIter};
use crate::types::zset::{
    score_to_scan_text, zadd, AddOutcome, Ele, Iter as ZIter, LexRange, Pos, ScoreRange, ZLimits,
    ZSet,
};
use crate::util::glob::string_match_len;
use crate::util::longdouble::string2ld;
use crate::util::num::{string2d, string2ll, ull2string};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

const NOT_FLOAT_RANGE: Error = Error::new("ERR min or max is not a float");
const NOT_LEX_RANGE: Error = Error::new("ERR min or max not valid string range item");
const NAN_ERR: Error = Error::new("ERR resulting score is not a number (NaN)");

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn limits(srv: &Server) -> ZLimits {
    ZLimits {
        max_entries: srv.config.zset_max_listpack_entries,
        max_value: srv.config.zset_max_listpack_value,
    }
}

/// getLongFromObjectOrReply
fn parse_long(arg: &[u8]) -> Result<i64, Error> {
    string2ll(arg).ok_or(error::NOT_INTEGER)
}

/// getRangeLongFromObjectOrReply with a custom message (used for both a
/// non-integer and an out-of-range value, as Redis does).
fn parse_range_long(arg: &[u8], min: i64, max: i64, msg: &'static str) -> Result<i64, Error> {
    match string2ll(arg) {
        Some(v) if v >= min && v <= max => Ok(v),
        _ => Err(Error::new(msg)),
    }
}

/// getDoubleFromObjectOrReply
fn parse_double(arg: &[u8]) -> Result<f64, Error> {
    string2d(arg).ok_or(error::NOT_FLOAT)
}

fn as_zset(o: &mut Obj) -> Result<&mut ZSet, Error> {
    match &mut o.val {
        Value::ZSet(z) => Ok(z),
        _ => Err(error::WRONGTYPE),
    }
}

fn zset_ref(o: Option<&Obj>) -> Option<&ZSet> {
    match o.map(|o| &o.val) {
        Some(Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

/// lookupKeyRead + checkType(OBJ_ZSET).
fn read_zset<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut ZSet>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => as_zset(o).map(Some),
    }
}

/// lookupKeyWrite + checkType(OBJ_ZSET).
fn write_zset<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut ZSet>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(o) => as_zset(o).map(Some),
    }
}

/// dbAdd of a new sorted set: "new" event and ready-key signal.
fn db_add_zset(srv: &mut Server, db: usize, key: &[u8], z: ZSet) {
    let obj = Obj::new(Value::ZSet(Box::new(z)), srv.lru_clock);
    srv.dbs[db].add(key, obj);
    srv.signal_key_as_ready(db, key);
    srv.notify_keyspace_event(notify::NEW, "new", key, db);
}

/// setKey of a sorted set result (Z*STORE, ZRANGESTORE): overwrite (TTL
/// removed) or add, then signal WATCHers.
fn store_zset(srv: &mut Server, db: usize, key: &[u8], z: ZSet) {
    if srv.lookup_write(db, key).is_some() {
        srv.set_key(db, key, Value::ZSet(Box::new(z)), false);
    } else {
        db_add_zset(srv, db, key, z);
        srv.signal_modified_key(db, key);
    }
}

/// Reply a member as a bulk string.
#[inline]
fn reply_ele(c: &mut Client, e: Ele) {
    match e {
        Ele::Str(s) => c.reply.bulk(s),
        Ele::Int(n) => c.reply.bulk_int(n),
    }
}

/// True when the client may not block (inside MULTI/EXEC).
fn deny_blocking(srv: &Server, c: &Client) -> bool {
    c.has(flags::MULTI) || srv.in_exec
}

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY
// ---------------------------------------------------------------------------

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
pub fn zadd_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zadd_generic(srv, c, args, 0)
}

/// ZINCRBY key increment member
pub fn zincrby_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zadd_generic(srv, c, args, zadd::INCR)
}

fn zadd_generic(srv: &mut Server, c: &mut Client, args: &Args, mut fl: u8) -> CmdResult {
    let key = args.get(1);
    let mut ch = false;
    let mut scoreidx = 2;
    while scoreidx < args.len() {
        let opt = args.get(scoreidx);
        if opt.eq_ignore_ascii_case(b"nx") {
            fl |= zadd::NX;
        } else if opt.eq_ignore_ascii_case(b"xx") {
            fl |= zadd::XX;
        } else if opt.eq_ignore_ascii_case(b"ch") {
            ch = true;
        } else if opt.eq_ignore_ascii_case(b"incr") {
            fl |= zadd::INCR;
        } else if opt.eq_ignore_ascii_case(b"gt") {
            fl |= zadd::GT;
        } else if opt.eq_ignore_ascii_case(b"lt") {
            fl |= zadd::LT;
        } else {
            break;
        }
        scoreidx += 1;
    }
    let incr = fl & zadd::INCR != 0;
    let (nx, xx) = (fl & zadd::NX != 0, fl & zadd::XX != 0);
    let (gt, lt) = (fl & zadd::GT != 0, fl & zadd::LT != 0);
    let elements = args.len() - scoreidx;
    if !elements.is_multiple_of(2) || elements == 0 {
        return Err(error::SYNTAX);
    }
    let elements = elements / 2;
    if nx && xx {
        return Err(Error::new(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (nx && (gt || lt)) || (gt && lt) {
        return Err(Error::new(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if incr && elements > 1 {
        return Err(Error::new(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    let mut scores = Vec::with_capacity(elements);
    for j in 0..elements {
        scores.push(parse_double(args.get(scoreidx + j * 2))?);
    }

    let db = c.db;
    let lim = limits(srv);
    let (mut added, mut updated, mut processed) = (0usize, 0usize, 0usize);
    let mut score = 0.0;
    let mut nan = false;
    {
        let mut run = |z: &mut ZSet| {
            for (j, &s) in scores.iter().enumerate() {
                let ele = args.get(scoreidx + 1 + j * 2);
                match z.add(s, ele, fl, &lim) {
                    AddOutcome::Nan => {
                        nan = true;
                        return;
                    }
                    AddOutcome::Nop => {}
                    AddOutcome::Added(v) => {
                        added += 1;
                        processed += 1;
                        score = v;
                    }
                    AddOutcome::Updated(v) => {
                        updated += 1;
                        processed += 1;
                        score = v;
                    }
                    AddOutcome::Unchanged(v) => {
                        processed += 1;
                        score = v;
                    }
                }
            }
        };
        match write_zset(srv, db, key)? {
            Some(z) => run(z),
            None => {
                if !xx {
                    let mut z = ZSet::new_for_first(&lim, args.get(scoreidx + 1).len());
                    run(&mut z);
                    db_add_zset(srv, db, key, z);
                }
            }
        }
    }
    if nan {
        c.reply.error(NAN_ERR.text());
    } else {
        srv.dirty += (added + updated) as u64;
        if incr {
            if processed > 0 {
                c.reply.double(score);
            } else {
                c.reply.null();
            }
        } else {
            c.reply.int(if ch { added + updated } else { added } as i64);
        }
    }
    if added > 0 || updated > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::ZSET, if incr { "zincr" } else { "zadd" }, key, db);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// ZREM / ZREMRANGEBY*
// ---------------------------------------------------------------------------

/// ZREM key member [member ...]
pub fn zrem_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    let mut deleted = 0usize;
    let mut keyremoved = false;
    match write_zset(srv, db, key)? {
        None => {
            c.reply.int(0);
            return Ok(());
        }
        Some(z) => {
            for j in 2..args.len() {
                if z.del(args.get(j)) {
                    deleted += 1;
                }
                if z.is_empty() {
                    keyremoved = true;
                    break;
                }
            }
        }
    }
    if keyremoved {
        srv.dbs[db].delete(key);
    }
    if deleted > 0 {
        srv.notify_keyspace_event(notify::ZSET, "zrem", key, db);
        if keyremoved {
            srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        }
        srv.signal_modified_key(db, key);
        srv.dirty += deleted as u64;
    }
    c.reply.int(deleted as i64);
    Ok(())
}

enum RemRange<'a> {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange<'a>),
}

/// ZREMRANGEBYRANK key start stop
pub fn zremrangebyrank_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let start = parse_long(args.get(2))?;
    let end = parse_long(args.get(3))?;
    zremrange_generic(srv, c, args, RemRange::Rank(start, end), "zremrangebyrank")
}

/// ZREMRANGEBYSCORE key min max
pub fn zremrangebyscore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let r = ScoreRange::parse(args.get(2), args.get(3)).ok_or(NOT_FLOAT_RANGE)?;
    zremrange_generic(srv, c, args, RemRange::Score(r), "zremrangebyscore")
}

/// ZREMRANGEBYLEX key min max
pub fn zremrangebylex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let r = LexRange::parse(args.get(2), args.get(3)).ok_or(NOT_LEX_RANGE)?;
    zremrange_generic(srv, c, args, RemRange::Lex(r), "zremrangebylex")
}

fn zremrange_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    range: RemRange,
    event: &str,
) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    let (deleted, keyremoved) = {
        let z = match write_zset(srv, db, key)? {
            Some(z) => z,
            None => {
                c.reply.int(0);
                return Ok(());
            }
        };
        let deleted = match range {
            RemRange::Rank(mut start, mut end) => {
                let llen = z.len() as i64;
                if start < 0 {
                    start += llen;
                }
                if end < 0 {
                    end += llen;
                }
                if start < 0 {
                    start = 0;
                }
                if start > end || start >= llen {
                    c.reply.int(0);
                    return Ok(());
                }
                if end >= llen {
                    end = llen - 1;
                }
                z.delete_range_by_rank(start as usize, end as usize)
            }
            RemRange::Score(r) => z.delete_range_by_score(&r),
            RemRange::Lex(r) => z.delete_range_by_lex(&r),
        };
        (deleted, z.is_empty())
    };
    if keyremoved {
        srv.dbs[db].delete(key);
    }
    if deleted > 0 {
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::ZSET, event, key, db);
        if keyremoved {
            srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        }
    }
    srv.dirty += deleted as u64;
    c.reply.int(deleted as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// ZCARD / ZSCORE / ZMSCORE / ZRANK / ZREVRANK / ZCOUNT / ZLEXCOUNT
// ---------------------------------------------------------------------------

/// ZCARD key
pub fn zcard_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = read_zset(srv, c.db, args.get(1))?
        .map(|z| z.len())
        .unwrap_or(0);
    c.reply.int(n as i64);
    Ok(())
}

/// ZSCORE key member
pub fn zscore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    match read_zset(srv, c.db, args.get(1))?.and_then(|z| z.score(args.get(2))) {
        Some(s) => c.reply.double(s),
        None => c.reply.null(),
    }
    Ok(())
}

/// ZMSCORE key member [member ...]
pub fn zmscore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let z = read_zset(srv, c.db, args.get(1))?;
    c.reply.array_len(args.len() - 2);
    for j in 2..args.len() {
        match z.as_ref().and_then(|z| z.score(args.get(j))) {
            Some(s) => c.reply.double(s),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// ZRANK key member
pub fn zrank_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrank_generic(srv, c, args, false)
}

/// ZREVRANK key member
pub fn zrevrank_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrank_generic(srv, c, args, true)
}

fn zrank_generic(srv: &mut Server, c: &mut Client, args: &Args, reverse: bool) -> CmdResult {
    match read_zset(srv, c.db, args.get(1))?.and_then(|z| z.rank(args.get(2), reverse)) {
        Some(r) => c.reply.int(r as i64),
        None => c.reply.null(),
    }
    Ok(())
}

/// ZCOUNT key min max
pub fn zcount_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let r = ScoreRange::parse(args.get(2), args.get(3)).ok_or(NOT_FLOAT_RANGE)?;
    let n = read_zset(srv, c.db, args.get(1))?
        .map(|z| z.count_in_score_range(&r))
        .unwrap_or(0);
    c.reply.int(n as i64);
    Ok(())
}

/// ZLEXCOUNT key min max
pub fn zlexcount_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let r = LexRange::parse(args.get(2), args.get(3)).ok_or(NOT_LEX_RANGE)?;
    let n = read_zset(srv, c.db, args.get(1))?
        .map(|z| z.count_in_lex_range(&r))
        .unwrap_or(0);
    c.reply.int(n as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// ZRANGE family
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// Where range results go (Redis's zrange_result_handler).
enum RangeOut {
    Client {
        withscores: bool,
        deferred: Option<usize>,
    },
    Store {
        z: ZSet,
        lim: ZLimits,
    },
}

impl RangeOut {
    /// beginResultEmission: `len` when known in advance.
    fn begin(&mut self, c: &mut Client, len: Option<usize>) {
        match self {
            RangeOut::Client {
                withscores,
                deferred,
            } => match len {
                Some(n) if n > 0 => {
                    let n = if *withscores && c.reply.resp == 2 {
                        n * 2
                    } else {
                        n
                    };
                    c.reply.array_len(n);
                }
                _ => *deferred = Some(c.reply.deferred_len()),
            },
            RangeOut::Store { z, lim } => {
                *z = match len {
                    Some(n) if n as u64 > lim.max_entries => ZSet::new_skiplist(),
                    _ => ZSet::new_listpack(),
                };
            }
        }
    }

    #[inline]
    fn emit(&mut self, c: &mut Client, e: Ele, score: f64) {
        match self {
            RangeOut::Client { withscores, .. } => {
                if *withscores && c.reply.resp > 2 {
                    c.reply.array_len(2);
                }
                reply_ele(c, e);
                if *withscores {
                    c.reply.double(score);
                }
            }
            RangeOut::Store { z, lim } => {
                let lim = *lim;
                e.with_bytes(|b| z.add(score, b, 0, &lim));
            }
        }
    }

    /// finalizeResultEmission for the client side (the store side is
    /// finished by `finish_store`).
    fn finalize(&mut self, c: &mut Client, count: usize) {
        if let RangeOut::Client {
            withscores,
            deferred: Some(at),
        } = self
        {
            let n = if *withscores && c.reply.resp == 2 {
                count * 2
            } else {
                count
            };
            c.reply.set_deferred_array(*at, n);
        }
    }

    /// The score is needed (WITHSCORES or a store).
    fn wants_scores(&self) -> bool {
        match self {
            RangeOut::Client { withscores, .. } => *withscores,
            RangeOut::Store { .. } => true,
        }
    }
}

/// genericZrangebyrankCommand
fn range_by_rank(
    z: &ZSet,
    c: &mut Client,
    out: &mut RangeOut,
    start: i64,
    end: i64,
    reverse: bool,
) -> usize {
    let llen = z.len() as i64;
    let mut start = if start < 0 {
        start.saturating_add(llen)
    } else {
        start
    };
    let mut end = if end < 0 {
        end.saturating_add(llen)
    } else {
        end
    };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        out.begin(c, Some(0));
        out.finalize(c, 0);
        return 0;
    }
    if end >= llen {
        end = llen - 1;
    }
    let rangelen = (end - start + 1) as usize;
    out.begin(c, Some(rangelen));
    let scores = out.wants_scores();
    let mut p = z.at_rank(start as usize, reverse);
    let mut n = 0;
    while let Some(pos) = p {
        if n == rangelen {
            break;
        }
        let score = if scores { z.score_at(pos) } else { 0.0 };
        out.emit(c, z.ele(pos), score);
        n += 1;
        p = z.step(pos, reverse);
    }
    out.finalize(c, n);
    n
}

/// Skip `offset` positions (a negative offset skips everything, as Redis's
/// `while (ln && offset--)` does).
fn skip_offset(z: &ZSet, mut p: Option<Pos>, offset: i64, reverse: bool) -> Option<Pos> {
    if offset < 0 {
        return None;
    }
    let mut left = offset;
    while left > 0 {
        p = z.step(p?, reverse);
        left -= 1;
    }
    p
}

/// genericZrangebyscoreCommand
fn range_by_score(
    z: &ZSet,
    c: &mut Client,
    out: &mut RangeOut,
    r: &ScoreRange,
    offset: i64,
    limit: i64,
    reverse: bool,
) -> usize {
    out.begin(c, None);
    if offset > 0 && offset as u64 >= z.len() as u64 {
        out.finalize(c, 0);
        return 0;
    }
    let mut p = skip_offset(z, z.score_range_start(r, reverse), offset, reverse);
    let mut n = 0usize;
    let mut left = limit;
    while let Some(pos) = p {
        if left == 0 {
            break;
        }
        left -= 1;
        let score = z.score_at(pos);
        if reverse {
            if !r.gte_min(score) {
                break;
            }
        } else if !r.lte_max(score) {
            break;
        }
        out.emit(c, z.ele(pos), score);
        n += 1;
        p = z.step(pos, reverse);
    }
    out.finalize(c, n);
    n
}

/// genericZrangebylexCommand
fn range_by_lex(
    z: &ZSet,
    c: &mut Client,
    out: &mut RangeOut,
    r: &LexRange,
    offset: i64,
    limit: i64,
    reverse: bool,
) -> usize {
    out.begin(c, None);
    let scores = out.wants_scores();
    let mut p = skip_offset(z, z.lex_range_start(r, reverse), offset, reverse);
    let mut n = 0usize;
    let mut left = limit;
    while let Some(pos) = p {
        if left == 0 {
            break;
        }
        left -= 1;
        let e = z.ele(pos);
        let inside = e.with_bytes(|b| if reverse { r.gte_min(b) } else { r.lte_max(b) });
        if !inside {
            break;
        }
        let score = if scores { z.score_at(pos) } else { 0.0 };
        out.emit(c, e, score);
        n += 1;
        p = z.step(pos, reverse);
    }
    out.finalize(c, n);
    n
}

/// zrangeGenericCommand: `src` is the index of the source key; `dst` is set
/// for ZRANGESTORE.
fn zrange_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    src: usize,
    dst: Option<&[u8]>,
    mut rangetype: RangeType,
    mut direction: Direction,
) -> CmdResult {
    let store = dst.is_some();
    let key = args.get(src);
    let (mut minidx, mut maxidx) = (src + 1, src + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = src + 3;
    while j < args.len() {
        let a = args.get(j);
        let left = args.len() - j - 1;
        if !store && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            offset = parse_long(args.get(j + 1))?;
            limit = parse_long(args.get(j + 2))?;
            j += 2;
        } else if direction == Direction::Auto && a.eq_ignore_ascii_case(b"rev") {
            direction = Direction::Reverse;
        } else if rangetype == RangeType::Auto && a.eq_ignore_ascii_case(b"bylex") {
            rangetype = RangeType::Lex;
        } else if rangetype == RangeType::Auto && a.eq_ignore_ascii_case(b"byscore") {
            rangetype = RangeType::Score;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    if direction == Direction::Auto {
        direction = Direction::Forward;
    }
    if rangetype == RangeType::Auto {
        rangetype = RangeType::Rank;
    }
    if limit != -1 && rangetype == RangeType::Rank {
        return Err(Error::new(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if withscores && rangetype == RangeType::Lex {
        return Err(Error::new(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let reverse = direction == Direction::Reverse;
    if reverse && rangetype != RangeType::Rank {
        std::mem::swap(&mut minidx, &mut maxidx);
    }
    let (mut start, mut end) = (0, 0);
    let mut srange = None;
    let mut lrange = None;
    match rangetype {
        RangeType::Rank | RangeType::Auto => {
            start = parse_long(args.get(minidx))?;
            end = parse_long(args.get(maxidx))?;
        }
        RangeType::Score => {
            srange =
                Some(ScoreRange::parse(args.get(minidx), args.get(maxidx)).ok_or(NOT_FLOAT_RANGE)?);
        }
        RangeType::Lex => {
            lrange =
                Some(LexRange::parse(args.get(minidx), args.get(maxidx)).ok_or(NOT_LEX_RANGE)?);
        }
    }
    let lim = limits(srv);
    let mut out = if store {
        RangeOut::Store {
            z: ZSet::new_listpack(),
            lim,
        }
    } else {
        RangeOut::Client {
            withscores,
            deferred: None,
        }
    };
    let db = c.db;
    let count = match read_zset(srv, db, key)? {
        None => {
            if !store {
                c.reply.empty_array();
                return Ok(());
            }
            0
        }
        Some(z) => {
            let z = &*z;
            match (srange, lrange) {
                (Some(r), _) => range_by_score(z, c, &mut out, &r, offset, limit, reverse),
                (_, Some(r)) => range_by_lex(z, c, &mut out, &r, offset, limit, reverse),
                _ => range_by_rank(z, c, &mut out, start, end, reverse),
            }
        }
    };
    if let (Some(dst), RangeOut::Store { z, .. }) = (dst, out) {
        finish_store(srv, c, db, dst, z, count, "zrangestore");
    }
    Ok(())
}

/// Store a computed result (non-empty) or delete the destination (empty),
/// as zrangeResultFinalizeStore / the Z*STORE tail.
fn finish_store(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    dst: &[u8],
    z: ZSet,
    count: usize,
    event: &str,
) {
    if count > 0 {
        store_zset(srv, db, dst, z);
        c.reply.int(count as i64);
        srv.notify_keyspace_event(notify::ZSET, event, dst, db);
        srv.dirty += 1;
    } else {
        c.reply.int(0);
        if srv.delete_key(db, dst) {
            srv.notify_keyspace_event(notify::GENERIC, "del", dst, db);
            srv.dirty += 1;
        }
    }
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
pub fn zrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Auto, Direction::Auto)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
pub fn zrangestore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let dst = args.get(1);
    zrange_generic(srv, c, args, 2, Some(dst), RangeType::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
pub fn zrevrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
pub fn zrangebyscore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
pub fn zrevrangebyscore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
pub fn zrangebylex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
pub fn zrevrangebylex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zrange_generic(srv, c, args, 1, None, RangeType::Lex, Direction::Reverse)
}

// ---------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF [STORE], ZINTERCARD
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggr {
    Sum,
    Min,
    Max,
}

/// zunionInterAggregate
#[inline]
fn aggregate(target: &mut f64, val: f64, aggr: Aggr) {
    match aggr {
        Aggr::Sum => {
            *target += val;
            // inf + -inf: Redis's convention is 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggr::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggr::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// One input of a set operation (zsetopsrc). Plain sets are inputs too, with
/// score 1 for every member.
#[derive(Clone, Copy)]
enum Src<'a> {
    Missing,
    Z(&'a ZSet),
    S(&'a Set),
}

impl<'a> Src<'a> {
    fn from_value(v: Option<&'a Value>) -> Src<'a> {
        match v {
            Some(Value::ZSet(z)) => Src::Z(z),
            Some(Value::Set(s)) => Src::S(s),
            _ => Src::Missing,
        }
    }

    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }

    /// Same object (the same key given twice).
    fn same(&self, o: &Src) -> bool {
        match (self, o) {
            (Src::Z(a), Src::Z(b)) => std::ptr::eq(*a, *b),
            (Src::S(a), Src::S(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }

    /// zuiFind
    fn find(&self, member: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Z(z) => z.score(member),
            Src::S(s) => s.contains(member).then_some(1.0),
        }
    }

    /// Members with their scores; sorted sets are walked from the highest
    /// score down, as zuiInitIterator does.
    fn iter(&self) -> SrcIter<'a> {
        match *self {
            Src::Missing => SrcIter::Empty,
            Src::Z(z) => SrcIter::Z(z.iter(true)),
            Src::S(s) => SrcIter::S(s.iter()),
        }
    }
}

enum SrcIter<'a> {
    Empty,
    Z(ZIter<'a>),
    S(SetIter<'a>),
}

impl<'a> Iterator for SrcIter<'a> {
    type Item = (Ele<'a>, f64);
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            SrcIter::Empty => None,
            SrcIter::Z(it) => it.next(),
            SrcIter::S(it) => it.next().map(|v| {
                let e = match v {
                    LpVal::Int(n) => Ele::Int(n),
                    LpVal::Str(s) => Ele::Str(s),
                };
                (e, 1.0)
            }),
        }
    }
}

/// Is `v` a valid input type for a set operation (zset or set)?
fn is_setop_input(v: &Value) -> bool {
    matches!(v, Value::ZSet(_) | Value::Set(_))
}

/// Sort a result as the skiplist orders it: score, then member bytes.
fn sort_result(res: &mut [(Vec<u8>, f64)]) {
    res.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
}

/// zdiff: members of the first input that are in no other input.
fn zdiff(src: &[(Src, f64)]) -> Vec<(Vec<u8>, f64)> {
    let first = src[0].0;
    if first.len() == 0 || src[1..].iter().any(|s| s.0.same(&first)) {
        return Vec::new();
    }
    // zsetChooseDiffAlgorithm: N*M lookups vs. one pass over everything.
    let algo_one = (first.len() as u64 * src.len() as u64) / 2;
    let algo_two: u64 = src.iter().map(|s| s.0.len() as u64).sum();
    let mut res = Vec::new();
    if algo_one <= algo_two {
        let mut others: Vec<Src> = src[1..].iter().map(|s| s.0).collect();
        others.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for (e, score) in first.iter() {
            let present = e.with_bytes(|b| others.iter().any(|o| o.find(b).is_some()));
            if !present {
                res.push((e.to_vec(), score));
            }
        }
    } else {
        let mut acc: HashMap<Box<[u8]>, f64> = HashMap::with_capacity(first.len());
        for (e, score) in first.iter() {
            acc.insert(e.to_vec().into_boxed_slice(), score);
        }
        'outer: for (s, _) in &src[1..] {
            for (e, _) in s.iter() {
                e.with_bytes(|b| acc.remove(b));
                if acc.is_empty() {
                    break 'outer;
                }
            }
        }
        res = acc.into_iter().map(|(k, v)| (k.into_vec(), v)).collect();
    }
    res
}

fn zsetop_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    dst: Option<&[u8]>,
    numkeys_idx: usize,
    op: SetOp,
    card_only: bool,
) -> CmdResult {
    let setnum = parse_long(args.get(numkeys_idx))?;
    if setnum < 1 {
        return Err(Error::msg(format!(
            "ERR at least 1 input key is needed for '{}' command",
            c.last_cmd
        )));
    }
    if setnum > (args.len() - (numkeys_idx + 1)) as i64 {
        return Err(error::SYNTAX);
    }
    let setnum = setnum as usize;
    let db = c.db;
    let first_key = numkeys_idx + 1;
    for i in 0..setnum {
        if let Some(o) = srv.lookup_read(db, args.get(first_key + i)) {
            if !is_setop_input(&o.val) {
                return Err(error::WRONGTYPE);
            }
        }
    }
    let mut weights = vec![1.0f64; setnum];
    let mut aggr = Aggr::Sum;
    let mut withscores = false;
    let mut limit = 0i64;
    let mut j = first_key + setnum;
    while j < args.len() {
        let remaining = args.len() - j;
        let a = args.get(j);
        if op != SetOp::Diff
            && !card_only
            && remaining > setnum
            && a.eq_ignore_ascii_case(b"weights")
        {
            j += 1;
            for w in weights.iter_mut() {
                *w = string2d(args.get(j)).ok_or(Error::new("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != SetOp::Diff
            && !card_only
            && remaining >= 2
            && a.eq_ignore_ascii_case(b"aggregate")
        {
            let v = args.get(j + 1);
            aggr = if v.eq_ignore_ascii_case(b"sum") {
                Aggr::Sum
            } else if v.eq_ignore_ascii_case(b"min") {
                Aggr::Min
            } else if v.eq_ignore_ascii_case(b"max") {
                Aggr::Max
            } else {
                return Err(error::SYNTAX);
            };
            j += 2;
        } else if dst.is_none() && !card_only && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && a.eq_ignore_ascii_case(b"limit") {
            limit = parse_range_long(args.get(j + 1), 0, i64::MAX, "ERR LIMIT can't be negative")?;
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }

    let lim = limits(srv);
    let mut card = 0usize;
    let mut res: Vec<(Vec<u8>, f64)> = Vec::new();
    {
        let dict = &srv.dbs[db].dict;
        let mut src: Vec<(Src, f64)> = (0..setnum)
            .map(|i| {
                let v = dict.get(args.get(first_key + i)).map(|o| &o.val);
                (Src::from_value(v), weights[i])
            })
            .collect();
        if op != SetOp::Diff {
            src.sort_by_key(|s| s.0.len());
        }
        match op {
            SetOp::Inter => {
                let (s0, w0) = src[0];
                if s0.len() > 0 {
                    for (e, sc0) in s0.iter() {
                        let mut score = w0 * sc0;
                        if score.is_nan() {
                            score = 0.0;
                        }
                        let all = e.with_bytes(|b| {
                            for (sj, wj) in &src[1..] {
                                if sj.same(&s0) {
                                    aggregate(&mut score, sc0 * wj, aggr);
                                } else if let Some(v) = sj.find(b) {
                                    aggregate(&mut score, v * wj, aggr);
                                } else {
                                    return false;
                                }
                            }
                            true
                        });
                        if !all {
                            continue;
                        }
                        if card_only {
                            card += 1;
                            if limit > 0 && card as u64 >= limit as u64 {
                                break;
                            }
                        } else {
                            res.push((e.to_vec(), score));
                        }
                    }
                }
            }
            SetOp::Union => {
                let cap = src.last().map(|s| s.0.len()).unwrap_or(0);
                let mut acc: HashMap<Box<[u8]>, f64> = HashMap::with_capacity(cap);
                for (s, w) in &src {
                    for (e, sc) in s.iter() {
                        let mut score = w * sc;
                        if score.is_nan() {
                            score = 0.0;
                        }
                        e.with_bytes(|b| match acc.get_mut(b) {
                            Some(t) => aggregate(t, score, aggr),
                            None => {
                                acc.insert(b.into(), score);
                            }
                        });
                    }
                }
                res = acc.into_iter().map(|(k, v)| (k.into_vec(), v)).collect();
            }
            SetOp::Diff => res = zdiff(&src),
        }
    }
    if card_only {
        c.reply.int(card as i64);
        return Ok(());
    }
    sort_result(&mut res);
    if let Some(dst) = dst {
        let n = res.len();
        let z = ZSet::from_sorted_unique(res, &lim);
        let event = match op {
            SetOp::Union => "zunionstore",
            SetOp::Inter => "zinterstore",
            SetOp::Diff => "zdiffstore",
        };
        finish_store(srv, c, db, dst, z, n, event);
        return Ok(());
    }
    let resp3 = c.reply.resp > 2;
    c.reply.array_len(if withscores && !resp3 {
        res.len() * 2
    } else {
        res.len()
    });
    for (m, s) in &res {
        if withscores && resp3 {
            c.reply.array_len(2);
        }
        c.reply.bulk(m);
        if withscores {
            c.reply.double(*s);
        }
    }
    Ok(())
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zunionstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, Some(args.get(1)), 2, SetOp::Union, false)
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zinterstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, Some(args.get(1)), 2, SetOp::Inter, false)
}

/// ZDIFFSTORE destination numkeys key [key ...]
pub fn zdiffstore_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, Some(args.get(1)), 2, SetOp::Diff, false)
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zunion_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, None, 1, SetOp::Union, false)
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zinter_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, None, 1, SetOp::Inter, false)
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn zintercard_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, None, 1, SetOp::Inter, true)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
pub fn zdiff_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zsetop_generic(srv, c, args, None, 1, SetOp::Diff, false)
}

// ---------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP and the blocking variants
// ---------------------------------------------------------------------------

/// genericZpopCommand. `count` is -1 for a plain single pop. Returns the key
/// popped from and its length before popping (for the propagation rewrite).
#[allow(clippy::too_many_arguments)]
fn generic_zpop<'k>(
    srv: &mut Server,
    c: &mut Client,
    keys: &[&'k [u8]],
    max: bool,
    emitkey: bool,
    count: i64,
    nested: bool,
    nil_when_empty: bool,
) -> Result<Option<(&'k [u8], usize)>, Error> {
    let db = c.db;
    let mut found = None;
    for &k in keys {
        if let Some(o) = srv.lookup_write(db, k) {
            as_zset(o)?;
            found = Some(k);
            break;
        }
    }
    let key = match found {
        Some(k) => k,
        None => {
            if nil_when_empty {
                c.reply.null_array();
            } else {
                c.reply.empty_array();
            }
            return Ok(None);
        }
    };
    if count == 0 {
        c.reply.empty_array();
        return Ok(None);
    }
    let count = if count == -1 { 1 } else { count as u64 };
    let (llen, rangelen, empty) = {
        let z = match srv.dbs[db].dict.get_mut(key) {
            Some(o) => as_zset(o)?,
            None => return Ok(None),
        };
        let llen = z.len();
        let rangelen = (count.min(llen as u64)) as usize;
        match (nested, emitkey) {
            (false, false) => c.reply.array_len(rangelen * 2),
            (true, false) => c.reply.array_len(rangelen),
            (false, true) => {
                c.reply.array_len(rangelen * 2 + 1);
                c.reply.bulk(key);
            }
            (true, true) => {
                c.reply.array_len(2);
                c.reply.bulk(key);
                c.reply.array_len(rangelen);
            }
        }
        for _ in 0..rangelen {
            let (ele, score) = match z.pop(max) {
                Some(p) => p,
                None => break,
            };
            if nested {
                c.reply.array_len(2);
            }
            c.reply.bulk(&ele);
            c.reply.double(score);
        }
        (llen, rangelen, z.is_empty())
    };
    srv.dirty += rangelen as u64;
    srv.notify_keyspace_event(
        notify::ZSET,
        if max { "zpopmax" } else { "zpopmin" },
        key,
        db,
    );
    srv.signal_modified_key(db, key);
    if empty {
        srv.dbs[db].delete(key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
    }
    Ok(Some((key, llen)))
}

/// Propagate a pop as ZPOPMIN/ZPOPMAX key [count].
fn rewrite_as_zpop(srv: &mut Server, max: bool, key: &[u8], count: Option<u64>) {
    let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
    let mut argv = OwnedArgs::from_slices(&[name, key]);
    if let Some(n) = count {
        let mut b = Vec::with_capacity(20);
        ull2string(&mut b, n);
        argv.push(&b);
    }
    srv.rewritten_argv = Some(argv);
}

fn zpop_minmax(srv: &mut Server, c: &mut Client, args: &Args, max: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(error::SYNTAX);
    }
    let count = if args.len() == 3 {
        parse_range_long(
            args.get(2),
            0,
            i64::MAX,
            "ERR value is out of range, must be positive",
        )?
    } else {
        -1
    };
    let nested = c.reply.resp > 2 && count != -1;
    generic_zpop(srv, c, &[args.get(1)], max, false, count, nested, false)?;
    Ok(())
}

/// ZPOPMIN key [count]
pub fn zpopmin_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zpop_minmax(srv, c, args, false)
}

/// ZPOPMAX key [count]
pub fn zpopmax_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zpop_minmax(srv, c, args, true)
}

/// getTimeoutFromObjectOrReply(UNIT_SECONDS): absolute unix ms, 0 = forever.
fn parse_timeout(srv: &Server, arg: &[u8]) -> Result<i64, Error> {
    let ld = string2ld(arg).ok_or(Error::new("ERR timeout is not a float or out of range"))?;
    let ms = (ld.to_f64() * 1000.0).ceil();
    // (long long) of an out-of-range long double is LLONG_MIN on x86.
    let tval =
        if ms.is_finite() && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&ms) {
            ms as i64
        } else {
            i64::MIN
        };
    if tval < 0 {
        return Err(Error::new("ERR timeout is negative"));
    }
    Ok(if tval > 0 {
        tval.saturating_add(srv.now_ms)
    } else {
        0
    })
}

/// blockingGenericZpopCommand
#[allow(clippy::too_many_arguments)]
fn blocking_zpop(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    keys: &[&[u8]],
    max: bool,
    timeout_idx: usize,
    count: i64,
    nested: bool,
) -> CmdResult {
    let timeout = parse_timeout(srv, args.get(timeout_idx))?;
    let db = c.db;
    for &k in keys {
        match write_zset(srv, db, k)? {
            Some(z) if !z.is_empty() => {}
            _ => continue,
        }
        if let Some((key, llen)) = generic_zpop(srv, c, &[k], max, true, count, nested, nested)? {
            let n = (count != -1).then(|| (count as u64).min(llen as u64));
            rewrite_as_zpop(srv, max, key, n);
        }
        return Ok(());
    }
    if deny_blocking(srv, c) {
        c.reply.null_array();
        return Ok(());
    }
    srv.block_client_on_keys(c, args, keys, timeout, TimeoutReply::NullArray);
    Ok(())
}

/// BZPOPMIN key [key ...] timeout
pub fn bzpopmin_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = (1..args.len() - 1).map(|i| args.get(i)).collect();
    blocking_zpop(srv, c, args, &keys, false, args.len() - 1, -1, false)
}

/// BZPOPMAX key [key ...] timeout
pub fn bzpopmax_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let keys: Vec<&[u8]> = (1..args.len() - 1).map(|i| args.get(i)).collect();
    blocking_zpop(srv, c, args, &keys, true, args.len() - 1, -1, false)
}

/// zmpopGenericCommand
fn zmpop_generic(
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
        "ERR numkeys should be greater than 0",
    )?;
    let where_idx = match (numkeys as u64).checked_add(numkeys_idx as u64 + 1) {
        Some(w) if w < args.len() as u64 => w as usize,
        _ => return Err(error::SYNTAX),
    };
    let w = args.get(where_idx);
    let max = if w.eq_ignore_ascii_case(b"min") {
        false
    } else if w.eq_ignore_ascii_case(b"max") {
        true
    } else {
        return Err(error::SYNTAX);
    };
    let mut count = -1i64;
    let mut j = where_idx + 1;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if count == -1 && more > 0 && args.get(j).eq_ignore_ascii_case(b"count") {
            count = parse_range_long(
                args.get(j + 1),
                1,
                i64::MAX,
                "ERR count should be greater than 0",
            )?;
            j += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    if count == -1 {
        count = 1;
    }
    let keys: Vec<&[u8]> = (numkeys_idx + 1..where_idx).map(|i| args.get(i)).collect();
    if block {
        return blocking_zpop(srv, c, args, &keys, max, 1, count, true);
    }
    if let Some((key, llen)) = generic_zpop(srv, c, &keys, max, true, count, true, true)? {
        rewrite_as_zpop(srv, max, key, Some((count as u64).min(llen as u64)));
    }
    Ok(())
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
pub fn zmpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zmpop_generic(srv, c, args, 1, false)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
pub fn bzmpop_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    zmpop_generic(srv, c, args, 2, true)
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER
// ---------------------------------------------------------------------------

/// ZRANDMEMBER_SUB_STRATEGY_MUL
const SUB_STRATEGY_MUL: u64 = 3;

/// ZRANDMEMBER key [count [WITHSCORES]]
pub fn zrandmember_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    if args.len() >= 3 {
        let l = match string2ll(args.get(2)) {
            Some(v) if v >= -i64::MAX => v,
            Some(_) => {
                return Err(Error::new(
                    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
                ))
            }
            None => return Err(error::NOT_INTEGER),
        };
        let withscores = match args.len() {
            3 => false,
            4 if args.get(3).eq_ignore_ascii_case(b"withscores") => true,
            _ => return Err(error::SYNTAX),
        };
        if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
            return Err(Error::new("ERR value is out of range"));
        }
        return zrandmember_with_count(srv, c, args.get(1), l, withscores);
    }
    let db = c.db;
    if read_zset(srv, db, args.get(1))?.is_none() {
        c.reply.null();
        return Ok(());
    }
    let z = zset_ref(srv.dbs[db].dict.get(args.get(1)));
    match z.and_then(|z| z.random_element(&mut srv.rng)) {
        Some((e, _)) => reply_ele(c, e),
        None => c.reply.null(),
    }
    Ok(())
}

fn zrandmember_with_count(
    srv: &mut Server,
    c: &mut Client,
    key: &[u8],
    l: i64,
    withscores: bool,
) -> CmdResult {
    let db = c.db;
    if read_zset(srv, db, key)?.is_none() {
        c.reply.empty_array();
        return Ok(());
    }
    let z = match zset_ref(srv.dbs[db].dict.get(key)) {
        Some(z) => z,
        None => {
            c.reply.empty_array();
            return Ok(());
        }
    };
    let rng = &mut srv.rng;
    let size = z.len() as u64;
    let (count, uniq) = if l >= 0 {
        (l as u64, true)
    } else {
        (l.unsigned_abs(), false)
    };
    if count == 0 {
        c.reply.empty_array();
        return Ok(());
    }
    let resp3 = c.reply.resp > 2;
    let emit = |c: &mut Client, p: Pos| {
        if withscores && resp3 {
            c.reply.array_len(2);
        }
        reply_ele(c, z.ele(p));
        if withscores {
            c.reply.double(z.score_at(p));
        }
    };
    // CASE 1: negative count (repetitions allowed) or a single member.
    if !uniq || count == 1 {
        c.reply.array_len(if withscores && !resp3 {
            count * 2
        } else {
            count
        } as usize);
        return zrandmember_repeat(srv, c, db, key, count, withscores);
    }
    let reply_size = count.min(size);
    c.reply.array_len(if withscores && !resp3 {
        reply_size * 2
    } else {
        reply_size
    } as usize);
    // CASE 2: the whole set (walked from the top, as zuiInitIterator).
    if count >= size {
        let mut p = z.last();
        while let Some(pos) = p {
            emit(c, pos);
            p = z.prev(pos);
        }
        return Ok(());
    }
    // CASE 3: nearly everything: drop random members until `count` remain.
    if count * SUB_STRATEGY_MUL > size {
        let mut all = z.positions();
        while all.len() as u64 > count {
            let i = rng.gen_index(all.len());
            all.swap_remove(i);
        }
        for p in all {
            emit(c, p);
        }
        return Ok(());
    }
    // CASE 4: few members of a big set.
    if z.is_listpack() {
        // Selection sampling keeps the listpack order (lpRandomPairsUnique).
        let mut need = count;
        let mut left = size;
        let mut p = z.first();
        while let Some(pos) = p {
            if need == 0 {
                break;
            }
            if rng.gen_range(left) < need {
                emit(c, pos);
                need -= 1;
            }
            left -= 1;
            p = z.next(pos);
        }
        return Ok(());
    }
    let mut picked: HashSet<usize> = HashSet::with_capacity(count as usize);
    while (picked.len() as u64) < count {
        let r = rng.gen_index(z.len());
        if !picked.insert(r) {
            continue;
        }
        if let Some(p) = z.at_rank(r, false) {
            emit(c, p);
        }
    }
    Ok(())
}

/// ZRANDMEMBER with a negative count: `count` independent uniform picks,
/// emitted in batches (ZRANDMEMBER_RANDOM_SAMPLE_LIMIT) with the output
/// buffer limits checked in between, so a client that asks for an absurd
/// count is disconnected (CLIENT_CLOSE_ASAP) instead of filling memory.
fn zrandmember_repeat(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    key: &[u8],
    count: u64,
    withscores: bool,
) -> CmdResult {
    const SAMPLE_LIMIT: u64 = 1000;
    let resp3 = c.reply.resp > 2;
    let mut positions: Option<Vec<Pos>> = None;
    let mut left = count;
    while left > 0 {
        let n = left.min(SAMPLE_LIMIT);
        {
            let z = match zset_ref(srv.dbs[db].dict.get(key)) {
                Some(z) => z,
                None => return Ok(()),
            };
            let rng = &mut srv.rng;
            // Listpack positions are collected once (seeking is O(n)).
            let pos = positions.get_or_insert_with(|| {
                if z.is_listpack() {
                    z.positions()
                } else {
                    Vec::new()
                }
            });
            for _ in 0..n {
                let p = if pos.is_empty() {
                    z.at_rank(rng.gen_index(z.len()), false)
                } else {
                    pos.get(rng.gen_index(pos.len())).copied()
                };
                if let Some(p) = p {
                    if withscores && resp3 {
                        c.reply.array_len(2);
                    }
                    reply_ele(c, z.ele(p));
                    if withscores {
                        c.reply.double(z.score_at(p));
                    }
                }
            }
        }
        left -= n;
        if left > 0 {
            srv.check_output_buffer_limits(c);
            if c.has(flags::CLOSE_ASAP) {
                break;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// ZSCAN
// ---------------------------------------------------------------------------

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
pub fn zscan_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut cursor = parse_scan_cursor(args.get(2)).ok_or(Error::new("ERR invalid cursor"))?;
    let db = c.db;
    if read_zset(srv, db, args.get(1))?.is_none() {
        c.reply.array_len(2);
        c.reply.bulk(b"0");
        c.reply.array_len(0);
        return Ok(());
    }
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < args.len() {
        let more = args.len() - i >= 2;
        let opt = args.get(i);
        if more && opt.eq_ignore_ascii_case(b"count") {
            count = parse_long(args.get(i + 1))?;
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
    let z = match zset_ref(srv.dbs[db].dict.get(args.get(1))) {
        Some(z) => z,
        None => return Ok(()),
    };
    // (member, score text) pairs.
    let mut items: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if z.is_listpack() {
        let mut pending: Option<Vec<u8>> = None;
        z.for_each_listpack_entry(|e| match pending.take() {
            None => pending = Some(e.to_vec()),
            Some(m) => items.push((m, e.to_vec())),
        });
        cursor = 0;
    } else {
        let count = count.saturating_mul(2);
        let mut maxiterations = count.saturating_mul(10);
        loop {
            cursor = z.scan_dict(cursor, |m, s| {
                let mut t = Vec::with_capacity(24);
                score_to_scan_text(&mut t, *s);
                items.push((m.to_vec(), t));
            });
            if cursor == 0 || maxiterations == 0 {
                break;
            }
            maxiterations -= 1;
            if (items.len() as i64).saturating_mul(2) >= count {
                break;
            }
        }
    }
    if let Some(p) = pattern {
        items.retain(|(m, _)| string_match_len(p, m, false));
    }
    c.reply.array_len(2);
    let mut cb = Vec::with_capacity(20);
    ull2string(&mut cb, cursor);
    c.reply.bulk(&cb);
    c.reply.array_len(items.len() * 2);
    for (m, s) in &items {
        c.reply.bulk(m);
        c.reply.bulk(s);
    }
    Ok(())
}
