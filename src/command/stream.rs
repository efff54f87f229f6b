//! Stream commands (Redis's t_stream.c command half): XADD, XRANGE,
//! XREVRANGE, XLEN, XDEL, XTRIM, XREAD, XREADGROUP, XGROUP (CREATE,
//! CREATECONSUMER, DELCONSUMER, DESTROY, SETID, HELP), XACK, XPENDING,
//! XCLAIM, XAUTOCLAIM, XINFO (STREAM [FULL], GROUPS, CONSUMERS, HELP), XSETID.
//!
//! The value is `crate::types::stream::Stream`. Handlers follow Redis's
//! order of checks so error texts and replies match, and Redis's side
//! effects: keyspace events (`xadd`, `xtrim`, `xdel`, `xsetid`,
//! `xgroup-create`, `xgroup-createconsumer`, `xgroup-delconsumer`,
//! `xgroup-destroy`, `xgroup-setid`), `dirty`, and propagation rewrites:
//! XADD with an auto ID → the explicit ID, `~` trimming → `=` with the
//! exact resulting MAXLEN / MINID; XREADGROUP → one
//! `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id`
//! per delivered entry (NOACK: `XGROUP SETID ... ENTRIESREAD n`, plus
//! `XGROUP CREATECONSUMER` for a new consumer); XCLAIM / XAUTOCLAIM → the
//! same XCLAIM form per claimed or dropped entry (streamPropagateXCLAIM).
//!
//! Blocking (XREAD / XREADGROUP BLOCK) uses the re-execution framework of
//! server/blocking.rs: a blocked XREAD stores its argv with each `$`
//! replaced by the stream's last ID at block time (as Redis 7.2 does), so
//! re-running it returns what arrived meanwhile. A blocked XREADGROUP is
//! released with `-UNBLOCKED the stream key no longer exists` when its key
//! disappears or changes type, and with `-NOGROUP the consumer group this
//! client was blocked on no longer exists` when its group is destroyed.
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::db::listpack::LpVal;
use crate::db::{Obj, Value};
use crate::error::{self, CmdResult, Error};
use crate::server::blocking::TimeoutReply;
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::types::stream::{
    Consumer, ConsumerGroup, Nack, NodeLimits, Stream, StreamId, StreamIter, Trim,
    INVALID_ENTRIES_READ,
};
use crate::util::num::{string2ll, string2ull};

const INVALID_ID: Error = Error::new("ERR Invalid stream ID specified as stream command argument");

// ----------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------

/// streamGenericParseIDOrReply. `seq_given`: Some for XADD-style IDs that
/// may end in `-*` (set false then).
fn parse_id_generic(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    seq_given: Option<&mut bool>,
) -> Result<StreamId, Error> {
    if arg.len() > 127 {
        return Err(INVALID_ID);
    }
    if strict && (arg == b"-" || arg == b"+") {
        return Err(INVALID_ID);
    }
    let allow_star = seq_given.is_some();
    if let Some(sg) = seq_given {
        *sg = true;
        if let Some(pos) = arg.iter().position(|&b| b == b'-') {
            if &arg[pos + 1..] == b"*" {
                *sg = false;
            }
        }
    }
    if arg == b"-" {
        return Ok(StreamId::MIN);
    }
    if arg == b"+" {
        return Ok(StreamId::MAX);
    }
    let (ms_part, seq_part) = match arg.iter().position(|&b| b == b'-') {
        Some(p) => (&arg[..p], Some(&arg[p + 1..])),
        None => (arg, None),
    };
    let ms = string2ull(ms_part).ok_or(INVALID_ID)?;
    let seq = match seq_part {
        Some(b"*") if allow_star => 0,
        Some(s) => string2ull(s).ok_or(INVALID_ID)?,
        None => missing_seq,
    };
    Ok(StreamId::new(ms, seq))
}

fn parse_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, Error> {
    parse_id_generic(arg, missing_seq, false, None)
}

fn parse_strict_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, Error> {
    parse_id_generic(arg, missing_seq, true, None)
}

/// streamParseIntervalIDOrReply: `(` prefix = exclusive.
fn parse_interval_id(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Error> {
    if arg.len() > 1 && arg[0] == b'(' {
        Ok((parse_strict_id(&arg[1..], missing_seq)?, true))
    } else {
        Ok((parse_id(arg, missing_seq)?, false))
    }
}

fn parse_ll(arg: &[u8]) -> Result<i64, Error> {
    string2ll(arg).ok_or(error::NOT_INTEGER)
}

fn parse_ll_msg(arg: &[u8], msg: &'static str) -> Result<i64, Error> {
    string2ll(arg).ok_or(Error::new(msg))
}

fn id_bytes(id: &StreamId) -> Vec<u8> {
    id.to_bytes()
}

fn reply_id(c: &mut Client, id: &StreamId) {
    let mut b = Vec::with_capacity(44);
    id.write_to(&mut b);
    c.reply.bulk(&b);
}

fn reply_lpval(c: &mut Client, v: LpVal<'_>) {
    v.with_bytes(|b| c.reply.bulk(b));
}

fn ll_bytes(n: i64) -> Vec<u8> {
    let mut v = Vec::with_capacity(20);
    crate::util::num::ll2string(&mut v, n);
    v
}

fn node_limits(srv: &Server) -> NodeLimits {
    NodeLimits {
        max_bytes: srv.config.stream_node_max_bytes,
        max_entries: srv.config.stream_node_max_entries,
    }
}

fn stream_of(o: &mut Obj) -> Result<&mut Stream, Error> {
    match &mut o.val {
        Value::Stream(s) => Ok(s),
        _ => Err(error::WRONGTYPE),
    }
}

/// The stream at `key` for reading (stats, LRU): Ok(None) when missing.
fn stream_read<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, Error> {
    match srv.lookup_read(db, key) {
        None => Ok(None),
        Some(o) => stream_of(o).map(Some),
    }
}

fn stream_write<'a>(
    srv: &'a mut Server,
    db: usize,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, Error> {
    match srv.lookup_write(db, key) {
        None => Ok(None),
        Some(o) => stream_of(o).map(Some),
    }
}

/// The stream at `key` without stats (after a first lookup in the same command).
fn stream_mut<'a>(srv: &'a mut Server, db: usize, key: &[u8]) -> Option<&'a mut Stream> {
    match srv.dbs[db].dict.get_mut(key) {
        Some(Obj {
            val: Value::Stream(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

/// dbAdd of a new empty stream (fires "new", as 7.0's dbAdd does).
fn add_stream_key(srv: &mut Server, db: usize, key: &[u8]) {
    let obj = Obj::new(Value::Stream(Box::default()), srv.lru_clock);
    srv.dbs[db].add(key, obj);
    srv.notify_keyspace_event(notify::NEW, "new", key, db);
}

fn nogroup_key_group(key: &[u8], group: &[u8]) -> Error {
    Error::msg(format!(
        "NOGROUP No such key '{}' or consumer group '{}'",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// Reply one entry as [id, [f1, v1, ...]].
fn reply_entry(c: &mut Client, s: &Stream, it: &StreamIter, id: &StreamId) {
    c.reply.array_len(2);
    reply_id(c, id);
    c.reply.array_len(it.num_fields() * 2);
    it.fields(s, |f, v| {
        reply_lpval(c, f);
        reply_lpval(c, v);
    });
}

/// Reply the entry `id` (raw, no array header) if it exists; true if it did.
fn reply_single_entry(c: &mut Client, s: &Stream, id: StreamId) -> bool {
    let mut it = StreamIter::new(Some(id), Some(id), false);
    match it.next(s) {
        Some(got) => {
            reply_entry(c, s, &it, &got);
            true
        }
        None => false,
    }
}

/// Plain range reply (streamReplyWithRange without a group).
fn reply_range(
    c: &mut Client,
    s: &Stream,
    start: Option<StreamId>,
    end: Option<StreamId>,
    count: usize,
    rev: bool,
) -> usize {
    let at = c.reply.deferred_len();
    let mut it = StreamIter::new(start, end, rev);
    let mut n = 0;
    while let Some(id) = it.next(s) {
        reply_entry(c, s, &it, &id);
        n += 1;
        if count != 0 && n == count {
            break;
        }
    }
    c.reply.set_deferred_array(at, n);
    n
}

// ----------------------------------------------------------------------
// XADD / XTRIM
// ----------------------------------------------------------------------

struct AddTrimArgs {
    id: StreamId,
    id_given: bool,
    seq_given: bool,
    no_mkstream: bool,
    trim: Trim,
    trim_arg_idx: usize,
    approx: bool,
    limit: i64,
}

/// streamParseAddOrTrimArgsOrReply: returns the args and the position of
/// the ID (XADD) / of the end of options.
fn parse_add_trim(
    srv: &Server,
    c: &Client,
    args: &Args,
    xadd: bool,
) -> Result<(AddTrimArgs, usize), Error> {
    let mut a = AddTrimArgs {
        id: StreamId::MIN,
        id_given: false,
        seq_given: true,
        no_mkstream: false,
        trim: Trim::None,
        trim_arg_idx: 0,
        approx: false,
        limit: 0,
    };
    let mut limit_given = false;
    let argc = args.len();
    let mut i = 2;
    while i < argc {
        let moreargs = argc - 1 - i;
        let opt = args.get(i);
        if xadd && opt == b"*" {
            break;
        } else if opt.eq_ignore_ascii_case(b"maxlen") && moreargs > 0 {
            if a.trim != Trim::None {
                return Err(Error::new(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            a.approx = false;
            let next = args.get(i + 1);
            if moreargs >= 2 && next == b"~" {
                a.approx = true;
                i += 1;
            } else if moreargs >= 2 && next == b"=" {
                i += 1;
            }
            let maxlen = parse_ll(args.get(i + 1))?;
            if maxlen < 0 {
                return Err(Error::new("ERR The MAXLEN argument must be >= 0."));
            }
            i += 1;
            a.trim = Trim::MaxLen(maxlen as u64);
            a.trim_arg_idx = i;
        } else if opt.eq_ignore_ascii_case(b"minid") && moreargs > 0 {
            if a.trim != Trim::None {
                return Err(Error::new(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            a.approx = false;
            let next = args.get(i + 1);
            if moreargs >= 2 && next == b"~" {
                a.approx = true;
                i += 1;
            } else if moreargs >= 2 && next == b"=" {
                i += 1;
            }
            let minid = parse_strict_id(args.get(i + 1), 0)?;
            i += 1;
            a.trim = Trim::MinId(minid);
            a.trim_arg_idx = i;
        } else if opt.eq_ignore_ascii_case(b"limit") && moreargs > 0 {
            a.limit = parse_ll(args.get(i + 1))?;
            if a.limit < 0 {
                return Err(Error::new("ERR The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            a.no_mkstream = true;
        } else if xadd {
            let mut sg = true;
            a.id = parse_id_generic(opt, 0, true, Some(&mut sg))?;
            a.seq_given = sg;
            a.id_given = true;
            break;
        } else {
            return Err(error::SYNTAX);
        }
        i += 1;
    }
    if a.limit != 0 && a.trim == Trim::None {
        return Err(Error::new(
            "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && a.trim == Trim::None {
        return Err(Error::new(
            "ERR syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    if c.has(flags::MASTER) {
        a.limit = 0;
    } else if limit_given {
        if !a.approx {
            return Err(Error::new(
                "ERR syntax error, LIMIT cannot be used without the special ~ option",
            ));
        }
    } else if a.approx {
        a.limit = 100i64.saturating_mul(srv.config.stream_node_max_entries);
        if a.limit <= 0 {
            a.limit = 10000;
        }
        if a.limit > 1_000_000 {
            a.limit = 1_000_000;
        }
    } else {
        a.limit = 0;
    }
    Ok((a, i))
}

/// streamRewriteApproxSpecifier + streamRewriteTrimArgument.
fn rewrite_trim_args(argv: &mut [Vec<u8>], s: &Stream, a: &AddTrimArgs) {
    let idx = a.trim_arg_idx;
    if idx == 0 || idx >= argv.len() {
        return;
    }
    argv[idx - 1] = b"=".to_vec();
    argv[idx] = match a.trim {
        Trim::MaxLen(_) => ll_bytes(s.length as i64),
        _ => id_bytes(&s.edge_id(true, false)),
    };
}

fn owned_from(v: &[Vec<u8>]) -> OwnedArgs {
    let parts: Vec<&[u8]> = v.iter().map(|x| x.as_slice()).collect();
    OwnedArgs::from_slices(&parts)
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value ...
pub fn xadd_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (a, idpos) = parse_add_trim(srv, c, args, true)?;
    let field_pos = idpos + 1;
    let argc = args.len();
    if argc < field_pos + 2 || (argc - field_pos) % 2 == 1 {
        return Err(Error::msg(
            "ERR wrong number of arguments for 'xadd' command".to_string(),
        ));
    }
    if a.id_given && a.seq_given && a.id.is_zero() {
        return Err(Error::new(
            "ERR The ID specified in XADD must be greater than 0-0",
        ));
    }
    let db = c.db;
    let key = args.get(1);
    if stream_write(srv, db, key)?.is_none() {
        if a.no_mkstream {
            c.reply.null();
            return Ok(());
        }
        add_stream_key(srv, db, key);
    }
    let limits = node_limits(srv);
    let now = srv.now_ms.max(0) as u64;
    // The argv rewrite only matters to replicas / AOF.
    let propagating = srv.has_propagation_consumer();
    let s = match stream_mut(srv, db, key) {
        Some(s) => s,
        None => return Ok(()),
    };
    if s.last_id == StreamId::MAX {
        return Err(Error::new(
            "ERR The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let fields: Vec<(&[u8], &[u8])> = (field_pos..argc)
        .step_by(2)
        .map(|i| (args.get(i), args.get(i + 1)))
        .collect();
    let use_id = if a.id_given {
        Some((a.id, a.seq_given))
    } else {
        None
    };
    let id =
        match s.append(&fields, use_id, now, limits) {
            Ok(id) => id,
            Err(crate::types::stream::AppendError::IdTooSmall) => return Err(Error::new(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            )),
            Err(_) => return Err(Error::new("ERR Elements are too large to be stored")),
        };
    reply_id(c, &id);
    let mut trimmed = false;
    let mut argv: Option<Vec<Vec<u8>>> = None;
    if a.trim != Trim::None {
        if s.trim(a.trim, a.approx, a.limit) != 0 {
            trimmed = true;
        }
        if a.approx && propagating {
            let mut v = args.to_vecs();
            rewrite_trim_args(&mut v, s, &a);
            argv = Some(v);
        }
    }
    if propagating && (!a.id_given || !a.seq_given) {
        let v = argv.get_or_insert_with(|| args.to_vecs());
        if idpos < v.len() {
            v[idpos] = id_bytes(&id);
        }
    }
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::STREAM, "xadd", key, db);
    srv.dirty += 1;
    if trimmed {
        srv.notify_keyspace_event(notify::STREAM, "xtrim", key, db);
    }
    if let Some(v) = argv {
        srv.rewritten_argv = Some(owned_from(&v));
    }
    srv.signal_key_as_ready(db, key);
    Ok(())
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
pub fn xtrim_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let (a, _) = parse_add_trim(srv, c, args, false)?;
    let db = c.db;
    let key = args.get(1);
    let s = match stream_write(srv, db, key)? {
        Some(s) => s,
        None => {
            c.reply.int(0);
            return Ok(());
        }
    };
    let deleted = s.trim(a.trim, a.approx, a.limit);
    if deleted != 0 {
        if a.approx {
            let mut v = args.to_vecs();
            rewrite_trim_args(&mut v, s, &a);
            srv.rewritten_argv = Some(owned_from(&v));
        }
        srv.notify_keyspace_event(notify::STREAM, "xtrim", key, db);
        srv.signal_modified_key(db, key);
        srv.dirty += deleted.max(0) as u64;
    }
    c.reply.int(deleted);
    Ok(())
}

// ----------------------------------------------------------------------
// XRANGE / XREVRANGE / XLEN / XDEL
// ----------------------------------------------------------------------

fn xrange_generic(srv: &mut Server, c: &mut Client, args: &Args, rev: bool) -> CmdResult {
    let (sa, ea) = if rev {
        (args.get(3), args.get(2))
    } else {
        (args.get(2), args.get(3))
    };
    let (mut start, startex) = parse_interval_id(sa, 0)?;
    if startex && !start.incr() {
        return Err(Error::new("ERR invalid start ID for the interval"));
    }
    let (mut end, endex) = parse_interval_id(ea, u64::MAX)?;
    if endex && !end.decr() {
        return Err(Error::new("ERR invalid end ID for the interval"));
    }
    let mut count: i64 = -1;
    let mut j = 4;
    while j < args.len() {
        let additional = args.len() - j - 1;
        if args.get(j).eq_ignore_ascii_case(b"count") && additional >= 1 {
            count = parse_ll(args.get(j + 1))?;
            if count < 0 {
                count = 0;
            }
            j += 1;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    let s = match stream_read(srv, c.db, args.get(1))? {
        Some(s) => s,
        None => {
            c.reply.empty_array();
            return Ok(());
        }
    };
    if count == 0 {
        c.reply.null_array();
    } else {
        let count = if count == -1 { 0 } else { count as usize };
        reply_range(c, s, Some(start), Some(end), count, rev);
    }
    Ok(())
}

/// XRANGE key start end [COUNT count]
pub fn xrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    xrange_generic(srv, c, args, false)
}

/// XREVRANGE key end start [COUNT count]
pub fn xrevrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    xrange_generic(srv, c, args, true)
}

/// XLEN key
pub fn xlen_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = stream_read(srv, c.db, args.get(1))?
        .map(|s| s.length)
        .unwrap_or(0);
    c.reply.int(n as i64);
    Ok(())
}

/// XDEL key id [id ...]
pub fn xdel_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    if stream_write(srv, db, key)?.is_none() {
        c.reply.int(0);
        return Ok(());
    }
    let mut ids = Vec::with_capacity(args.len() - 2);
    for j in 2..args.len() {
        ids.push(parse_strict_id(args.get(j), 0)?);
    }
    let s = match stream_mut(srv, db, key) {
        Some(s) => s,
        None => return Ok(()),
    };
    let mut deleted = 0i64;
    let mut first_entry = false;
    for id in ids {
        if s.delete_item(id) {
            if id == s.first_id {
                first_entry = true;
            }
            if id > s.max_deleted_entry_id {
                s.max_deleted_entry_id = id;
            }
            deleted += 1;
        }
    }
    if deleted != 0 {
        if s.length == 0 {
            s.first_id = StreamId::MIN;
        } else if first_entry {
            s.first_id = s.edge_id(true, true);
        }
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::STREAM, "xdel", key, db);
        srv.dirty += deleted as u64;
    }
    c.reply.int(deleted);
    Ok(())
}

// ----------------------------------------------------------------------
// XREAD / XREADGROUP
// ----------------------------------------------------------------------

/// streamPropagateXCLAIM
fn propagate_xclaim(
    srv: &mut Server,
    db: usize,
    key: &[u8],
    group: &[u8],
    last_id: &StreamId,
    id_arg: &[u8],
    nack: &Nack,
) {
    let consumer: &[u8] = nack.consumer.as_deref().unwrap_or(b"");
    let dt = ll_bytes(nack.delivery_time);
    let dc = ll_bytes(nack.delivery_count as i64);
    let lid = id_bytes(last_id);
    let argv: [&[u8]; 14] = [
        b"XCLAIM",
        key,
        group,
        consumer,
        b"0",
        id_arg,
        b"TIME",
        &dt,
        b"RETRYCOUNT",
        &dc,
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        &lid,
    ];
    srv.propagate(db, OwnedArgs::from_slices(&argv));
}

/// streamPropagateGroupID
fn propagate_group_id(srv: &mut Server, db: usize, key: &[u8], group: &[u8], cg: &ConsumerGroup) {
    let lid = id_bytes(&cg.last_id);
    let er = ll_bytes(cg.entries_read);
    let argv: [&[u8]; 7] = [b"XGROUP", b"SETID", key, group, &lid, b"ENTRIESREAD", &er];
    srv.propagate(db, OwnedArgs::from_slices(&argv));
}

/// streamCreateConsumer (notify + dirty unless told otherwise).
fn create_consumer(cg: &mut ConsumerGroup, name: &[u8], now: i64) -> bool {
    if cg.consumers.contains_key(name) {
        return false;
    }
    cg.consumers.insert(
        name.into(),
        Consumer {
            seen_time: now,
            pel: Default::default(),
        },
    );
    true
}

/// BLOCK's timeout in milliseconds (getTimeoutFromObjectOrReply with
/// UNIT_MILLISECONDS): absolute ms, 0 = forever.
fn parse_block_timeout(now: i64, arg: &[u8]) -> Result<i64, Error> {
    let t = string2ll(arg).ok_or(Error::new("ERR timeout is not an integer or out of range"))?;
    if t < 0 {
        return Err(Error::new("ERR timeout is negative"));
    }
    Ok(if t > 0 { t.saturating_add(now) } else { 0 })
}

/// Serve one stream of an XREADGROUP ">" read: entries after the group's
/// last ID, added to the PEL (unless NOACK) and propagated.
#[allow(clippy::too_many_arguments)]
fn serve_group_new(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    count: usize,
    noack: bool,
) {
    let now = srv.now_ms;
    let mut props: Vec<(Vec<u8>, Nack)> = Vec::new();
    let mut propagate_last_id = false;
    let at = c.reply.deferred_len();
    let mut n = 0usize;
    let (last_id_after, cg_snapshot) = {
        let s = match stream_mut(srv, db, key) {
            Some(s) => s,
            None => {
                c.reply.set_deferred_array(at, 0);
                return;
            }
        };
        let mut cg = match s.cgroups.remove(group) {
            Some(g) => g,
            None => {
                c.reply.set_deferred_array(at, 0);
                return;
            }
        };
        let mut start = cg.last_id;
        start.incr();
        let mut it = StreamIter::new(Some(start), None, false);
        while let Some(id) = it.next(s) {
            if id > cg.last_id {
                if cg.entries_read != INVALID_ENTRIES_READ
                    && !s.range_has_tombstones(Some(id), None)
                {
                    cg.entries_read += 1;
                } else if s.entries_added != 0 {
                    cg.entries_read = s.estimate_distance(id);
                }
                cg.last_id = id;
                if noack {
                    propagate_last_id = true;
                }
            }
            reply_entry(c, s, &it, &id);
            if !noack {
                let nack = Nack {
                    delivery_time: now,
                    delivery_count: 1,
                    consumer: Some(cg.name_of(consumer)),
                };
                if let Some(old) = cg.pel.insert(id, nack.clone()) {
                    if let Some(prev) = old.consumer.as_deref() {
                        if let Some(pc) = cg.consumers.get_mut(prev) {
                            pc.pel.remove(&id);
                        }
                    }
                }
                if let Some(cons) = cg.consumers.get_mut(consumer) {
                    cons.pel.insert(id);
                }
                props.push((id_bytes(&id), nack));
            }
            n += 1;
            if count != 0 && n == count {
                break;
            }
        }
        let snap = ConsumerGroup::new(cg.last_id, cg.entries_read);
        let lid = cg.last_id;
        s.cgroups.insert(group.into(), cg);
        (lid, snap)
    };
    c.reply.set_deferred_array(at, n);
    for (idb, nack) in props.iter() {
        propagate_xclaim(srv, db, key, group, &last_id_after, idb, nack);
    }
    if propagate_last_id {
        propagate_group_id(srv, db, key, group, &cg_snapshot);
    }
}

/// streamReplyWithRangeFromConsumerPEL: the consumer's history from `start`.
#[allow(clippy::too_many_arguments)]
fn serve_group_history(
    srv: &mut Server,
    c: &mut Client,
    db: usize,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    start: StreamId,
    count: usize,
) {
    let now = srv.now_ms;
    let at = c.reply.deferred_len();
    let mut n = 0usize;
    if let Some(s) = stream_mut(srv, db, key) {
        let ids: Vec<StreamId> = match s.cgroups.get(group).and_then(|g| g.consumers.get(consumer))
        {
            Some(cons) => cons
                .pel
                .range(start..)
                .take(if count == 0 { usize::MAX } else { count })
                .copied()
                .collect(),
            None => Vec::new(),
        };
        for id in ids {
            if reply_single_entry(c, s, id) {
                if let Some(nack) = s.cgroups.get_mut(group).and_then(|g| g.pel.get_mut(&id)) {
                    nack.delivery_time = now;
                    nack.delivery_count = nack.delivery_count.saturating_add(1);
                }
            } else {
                c.reply.array_len(2);
                reply_id(c, &id);
                c.reply.null_array();
            }
            n += 1;
        }
    }
    c.reply.set_deferred_array(at, n);
}

/// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...] and
/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS ...
pub fn xread_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    srv.prevent_propagation = true;
    let xreadgroup = args.get(0).len() == 10;
    let cmdname = String::from_utf8_lossy(args.get(0)).into_owned();
    let argc = args.len();
    let mut timeout: i64 = -1;
    let mut count: i64 = 0;
    let mut streams_arg = 0usize;
    let mut streams_count = 0usize;
    let mut noack = false;
    let mut groupname: Option<&[u8]> = None;
    let mut consumername: &[u8] = b"";
    let mut i = 1;
    while i < argc {
        let moreargs = argc - i - 1;
        let o = args.get(i);
        if o.eq_ignore_ascii_case(b"block") && moreargs > 0 {
            i += 1;
            timeout = parse_block_timeout(srv.now_ms, args.get(i))?;
        } else if o.eq_ignore_ascii_case(b"count") && moreargs > 0 {
            i += 1;
            count = parse_ll(args.get(i))?;
            if count < 0 {
                count = 0;
            }
        } else if o.eq_ignore_ascii_case(b"streams") && moreargs > 0 {
            streams_arg = i + 1;
            streams_count = argc - streams_arg;
            if !streams_count.is_multiple_of(2) {
                return Err(Error::new("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."));
            }
            streams_count /= 2;
            break;
        } else if o.eq_ignore_ascii_case(b"group") && moreargs >= 2 {
            if !xreadgroup {
                return Err(Error::new(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            groupname = Some(args.get(i + 1));
            consumername = args.get(i + 2);
            i += 2;
        } else if o.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                return Err(Error::new(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            noack = true;
        } else {
            return Err(error::SYNTAX);
        }
        i += 1;
    }
    let _ = cmdname;
    if streams_arg == 0 {
        return Err(error::SYNTAX);
    }
    if xreadgroup && groupname.is_none() {
        return Err(Error::new("ERR Missing GROUP option for XREADGROUP"));
    }
    let db = c.db;
    let reexec = srv.blocking_reexecuting();
    // Resolve IDs (and check groups) in argument order.
    let mut ids: Vec<StreamId> = Vec::with_capacity(streams_count);
    for k in 0..streams_count {
        let key = args.get(streams_arg + k);
        let idarg = args.get(streams_arg + streams_count + k);
        let (exists, has_group, last_id) = {
            let lookup = match srv.lookup_read(db, key) {
                None => None,
                Some(o) => match &o.val {
                    Value::Stream(s) => Some(s),
                    _ => {
                        if reexec && xreadgroup {
                            return Err(Error::new("UNBLOCKED the stream key no longer exists"));
                        }
                        return Err(error::WRONGTYPE);
                    }
                },
            };
            match lookup {
                None => (false, false, StreamId::MIN),
                Some(s) => (
                    true,
                    groupname.is_some_and(|g| s.cgroups.contains_key(g)),
                    s.last_id,
                ),
            }
        };
        if let Some(g) = groupname {
            if !has_group {
                if reexec {
                    if !exists {
                        return Err(Error::new("UNBLOCKED the stream key no longer exists"));
                    }
                    return Err(Error::new(
                        "NOGROUP the consumer group this client was blocked on no longer exists",
                    ));
                }
                return Err(Error::msg(format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    String::from_utf8_lossy(key),
                    String::from_utf8_lossy(g)
                )));
            }
        }
        if idarg == b"$" {
            if xreadgroup {
                return Err(Error::new("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
            }
            ids.push(if exists { last_id } else { StreamId::MIN });
            continue;
        } else if idarg == b">" {
            if !xreadgroup {
                return Err(Error::new("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."));
            }
            ids.push(StreamId::MAX);
            continue;
        }
        ids.push(parse_strict_id(idarg, 0)?);
    }
    let count_u = count as usize;
    let mut served = 0usize;
    let mut at = 0usize;
    for (k, gt) in ids.iter().enumerate() {
        let key = args.get(streams_arg + k);
        let (serve, history) = {
            let s = match stream_mut(srv, db, key) {
                Some(s) => s,
                None => continue,
            };
            if let Some(g) = groupname {
                if *gt != StreamId::MAX {
                    (true, true)
                } else if s.length != 0 {
                    let maxid = s.last_valid_id();
                    let glast = s.cgroups.get(g).map(|x| x.last_id).unwrap_or(StreamId::MAX);
                    (maxid > glast, false)
                } else {
                    (false, false)
                }
            } else if s.length != 0 {
                (s.last_valid_id() > *gt, false)
            } else {
                (false, false)
            }
        };
        if !serve {
            continue;
        }
        served += 1;
        if served == 1 {
            at = c.reply.deferred_len();
        }
        if c.reply.resp == 2 {
            c.reply.array_len(2);
        }
        c.reply.bulk(key);
        let mut start = *gt;
        start.incr();
        match groupname {
            Some(g) => {
                let now = srv.now_ms;
                let mut created = false;
                if let Some(cg) = stream_mut(srv, db, key).and_then(|s| s.cgroups.get_mut(g)) {
                    match cg.consumers.get_mut(consumername) {
                        Some(cons) => cons.seen_time = now,
                        None => {
                            create_consumer(cg, consumername, now);
                            created = true;
                        }
                    }
                }
                if created {
                    srv.dirty += 1;
                    srv.notify_keyspace_event(notify::STREAM, "xgroup-createconsumer", key, db);
                    if noack {
                        let argv: [&[u8]; 5] = [b"XGROUP", b"CREATECONSUMER", key, g, consumername];
                        srv.propagate(db, OwnedArgs::from_slices(&argv));
                    }
                }
                if history {
                    serve_group_history(srv, c, db, key, g, consumername, start, count_u);
                } else {
                    serve_group_new(srv, c, db, key, g, consumername, count_u, noack);
                }
                srv.dirty += 1;
            }
            None => {
                if let Some(s) = stream_mut(srv, db, key) {
                    reply_range(c, s, Some(start), None, count_u, false);
                }
            }
        }
    }
    if served > 0 {
        if c.reply.resp == 2 {
            c.reply.set_deferred_array(at, served);
        } else {
            c.reply.set_deferred_map(at, served);
        }
        return Ok(());
    }
    if timeout != -1 {
        if c.has(flags::MULTI) {
            c.reply.null_array();
            return Ok(());
        }
        // Re-running the command once a key is ready must not see '$' again.
        let mut v = args.to_vecs();
        // Served after blocking, Redis reads at most
        // XREAD_BLOCKED_DEFAULT_COUNT entries when no COUNT was given.
        let insert_count = count == 0;
        for (k, id) in ids.iter().enumerate() {
            let p = streams_arg + streams_count + k;
            if v[p] == b"$" {
                v[p] = id_bytes(id);
            }
        }
        if insert_count {
            v.insert(1, b"COUNT".to_vec());
            v.insert(2, b"1000".to_vec());
        }
        let owned = owned_from(&v);
        let oargs = owned.args();
        let keys: Vec<&[u8]> = (0..streams_count)
            .map(|k| args.get(streams_arg + k))
            .collect();
        srv.block_client_on_keys(c, &oargs, &keys, timeout, TimeoutReply::NullArray);
        return Ok(());
    }
    c.reply.null_array();
    Ok(())
}

// ----------------------------------------------------------------------
// XGROUP / XSETID
// ----------------------------------------------------------------------

fn xgroup_syntax_error(args: &Args) -> Error {
    let sub = String::from_utf8_lossy(args.get(1));
    let sub: String = sub.chars().take(128).collect();
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try XGROUP HELP.",
        sub
    ))
}

/// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER (the container's
/// subcommands all land here, as xgroupCommand).
pub fn xgroup_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let argc = args.len();
    let opt = args.get(1);
    let is = |s: &str| opt.eq_ignore_ascii_case(s.as_bytes());
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let db = c.db;
    let mut exists = false;
    if argc >= 4 {
        let create = is("create");
        let setid = is("setid");
        let mut i = 5;
        while i < argc {
            if create && args.get(i).eq_ignore_ascii_case(b"mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid)
                && args.get(i).eq_ignore_ascii_case(b"entriesread")
                && i + 1 < argc
            {
                entries_read = parse_ll(args.get(i + 1))?;
                if entries_read < 0 && entries_read != INVALID_ENTRIES_READ {
                    return Err(Error::new(
                        "ERR value for ENTRIESREAD must be positive or -1",
                    ));
                }
                i += 2;
            } else {
                return Err(xgroup_syntax_error(args));
            }
        }
        exists = stream_write(srv, db, args.get(2))?.is_some();
    }
    let key = if argc >= 3 { args.get(2) } else { b"" as &[u8] };
    let grp = if argc >= 4 { args.get(3) } else { b"" as &[u8] };
    let mut has_group = false;
    if argc >= 4 && !mkstream {
        if !exists {
            return Err(Error::new("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."));
        }
        has_group = stream_mut(srv, db, key).is_some_and(|s| s.cgroups.contains_key(grp));
        if !has_group && (is("setid") || is("createconsumer") || is("delconsumer")) {
            return Err(Error::msg(format!(
                "NOGROUP No such consumer group '{}' for key name '{}'",
                String::from_utf8_lossy(grp),
                String::from_utf8_lossy(key)
            )));
        }
    }
    if argc == 2 && is("help") {
        crate::command::debug::add_reply_help(
            c,
            "XGROUP",
            &[
                "CREATE <key> <groupname> <id|$> [option]",
                "    Create a new consumer group. Options are:",
                "    * MKSTREAM",
                "      Create the empty stream if it does not exist.",
                "    * ENTRIESREAD entries_read",
                "      Set the group's entries_read counter (internal use).",
                "CREATECONSUMER <key> <groupname> <consumer>",
                "    Create a new consumer in the specified group.",
                "DELCONSUMER <key> <groupname> <consumer>",
                "    Remove the specified consumer.",
                "DESTROY <key> <groupname>",
                "    Remove the specified group.",
                "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                "    Set the current group ID and entries_read counter.",
            ],
        );
    } else if is("create") && (5..=8).contains(&argc) {
        let idarg = args.get(4);
        let id = if idarg == b"$" {
            stream_mut(srv, db, key)
                .map(|s| s.last_id)
                .unwrap_or(StreamId::MIN)
        } else {
            parse_strict_id(idarg, 0)?
        };
        if !exists {
            add_stream_key(srv, db, key);
            srv.signal_modified_key(db, key);
        }
        let ok = stream_mut(srv, db, key).is_some_and(|s| s.create_group(grp, id, entries_read));
        if ok {
            c.reply.ok();
            srv.dirty += 1;
            srv.notify_keyspace_event(notify::STREAM, "xgroup-create", key, db);
        } else {
            return Err(Error::new("BUSYGROUP Consumer Group name already exists"));
        }
    } else if is("setid") && (argc == 5 || argc == 7) {
        let idarg = args.get(4);
        let id = if idarg == b"$" {
            stream_mut(srv, db, key)
                .map(|s| s.last_id)
                .unwrap_or(StreamId::MIN)
        } else {
            parse_id(idarg, 0)?
        };
        if let Some(cg) = stream_mut(srv, db, key).and_then(|s| s.cgroups.get_mut(grp)) {
            cg.last_id = id;
            cg.entries_read = entries_read;
        }
        c.reply.ok();
        srv.dirty += 1;
        srv.notify_keyspace_event(notify::STREAM, "xgroup-setid", key, db);
    } else if is("destroy") && argc == 4 {
        if has_group {
            if let Some(s) = stream_mut(srv, db, key) {
                s.cgroups.remove(grp);
            }
            c.reply.int(1);
            srv.dirty += 1;
            srv.notify_keyspace_event(notify::STREAM, "xgroup-destroy", key, db);
            srv.signal_key_as_ready(db, key);
        } else {
            c.reply.int(0);
        }
    } else if is("createconsumer") && argc == 5 {
        let now = srv.now_ms;
        let created = stream_mut(srv, db, key)
            .and_then(|s| s.cgroups.get_mut(grp))
            .is_some_and(|cg| create_consumer(cg, args.get(4), now));
        if created {
            srv.dirty += 1;
            srv.notify_keyspace_event(notify::STREAM, "xgroup-createconsumer", key, db);
        }
        c.reply.int(created as i64);
    } else if is("delconsumer") && argc == 5 {
        let pending = stream_mut(srv, db, key)
            .and_then(|s| s.cgroups.get_mut(grp))
            .and_then(|cg| cg.del_consumer(args.get(4)));
        if pending.is_some() {
            srv.dirty += 1;
            srv.notify_keyspace_event(notify::STREAM, "xgroup-delconsumer", key, db);
        }
        c.reply.int(pending.unwrap_or(0) as i64);
    } else {
        return Err(xgroup_syntax_error(args));
    }
    Ok(())
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
pub fn xsetid_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let id = parse_strict_id(args.get(2), 0)?;
    let mut max_xdel = StreamId::MIN;
    let mut entries_added: i64 = -1;
    let argc = args.len();
    let mut i = 3;
    while i < argc {
        let moreargs = argc - 1 - i;
        let opt = args.get(i);
        if opt.eq_ignore_ascii_case(b"entriesadded") && moreargs > 0 {
            entries_added = parse_ll(args.get(i + 1))?;
            if entries_added < 0 {
                return Err(Error::new("ERR entries_added must be positive"));
            }
            i += 2;
        } else if opt.eq_ignore_ascii_case(b"maxdeletedid") && moreargs > 0 {
            max_xdel = parse_strict_id(args.get(i + 1), 0)?;
            if id < max_xdel {
                return Err(Error::new("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"));
            }
            i += 2;
        } else {
            return Err(error::SYNTAX);
        }
    }
    let db = c.db;
    let key = args.get(1);
    let s = match stream_write(srv, db, key)? {
        Some(s) => s,
        None => return Err(error::NO_SUCH_KEY),
    };
    if s.length > 0 {
        let maxid = s.last_valid_id();
        if id < maxid {
            return Err(Error::new(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            ));
        }
        if entries_added != -1 && s.length > entries_added as u64 {
            return Err(Error::new("ERR The entries_added specified in XSETID is smaller than the target stream length"));
        }
    }
    s.last_id = id;
    if entries_added != -1 {
        s.entries_added = entries_added as u64;
    }
    if !max_xdel.is_zero() {
        s.max_deleted_entry_id = max_xdel;
    }
    c.reply.ok();
    srv.dirty += 1;
    srv.notify_keyspace_event(notify::STREAM, "xsetid", key, db);
    Ok(())
}

// ----------------------------------------------------------------------
// XACK / XPENDING / XCLAIM / XAUTOCLAIM
// ----------------------------------------------------------------------

/// XACK key group id [id ...]
pub fn xack_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    let has_group = match stream_read(srv, db, key)? {
        Some(s) => s.cgroups.contains_key(args.get(2)),
        None => false,
    };
    if !has_group {
        c.reply.int(0);
        return Ok(());
    }
    let mut ids = Vec::with_capacity(args.len() - 3);
    for j in 3..args.len() {
        ids.push(parse_strict_id(args.get(j), 0)?);
    }
    let mut acked = 0i64;
    if let Some(cg) = stream_mut(srv, db, key).and_then(|s| s.cgroups.get_mut(args.get(2))) {
        for id in ids.iter() {
            if cg.ack(id) {
                acked += 1;
            }
        }
    }
    srv.dirty += acked as u64;
    c.reply.int(acked);
    Ok(())
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
pub fn xpending_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let argc = args.len();
    let justinfo = argc == 3;
    let key = args.get(1);
    let group = args.get(2);
    let mut start = StreamId::MIN;
    let mut end = StreamId::MAX;
    let mut count: i64 = 0;
    let mut minidle: i64 = 0;
    let mut consumername: Option<&[u8]> = None;
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(error::SYNTAX);
    }
    if argc >= 6 {
        let mut startidx = 3;
        if args.get(3).eq_ignore_ascii_case(b"idle") {
            minidle = parse_ll(args.get(4))?;
            if argc < 8 {
                return Err(error::SYNTAX);
            }
            startidx += 2;
        }
        count = parse_ll(args.get(startidx + 2))?;
        if count < 0 {
            count = 0;
        }
        let (s, sx) = parse_interval_id(args.get(startidx), 0)?;
        start = s;
        if sx && !start.incr() {
            return Err(Error::new("ERR invalid start ID for the interval"));
        }
        let (e, ex) = parse_interval_id(args.get(startidx + 1), u64::MAX)?;
        end = e;
        if ex && !end.decr() {
            return Err(Error::new("ERR invalid end ID for the interval"));
        }
        if startidx + 3 < argc {
            consumername = Some(args.get(startidx + 3));
        }
    }
    let db = c.db;
    let now = srv.now_ms;
    let s = match stream_read(srv, db, key)? {
        Some(s) => s,
        None => return Err(nogroup_key_group(key, group)),
    };
    let cg = match s.cgroups.get(group) {
        Some(g) => g,
        None => return Err(nogroup_key_group(key, group)),
    };
    if justinfo {
        c.reply.array_len(4);
        c.reply.int(cg.pel.len() as i64);
        if cg.pel.is_empty() {
            c.reply.null();
            c.reply.null();
            c.reply.null_array();
        } else {
            if let Some(first) = cg.pel.keys().next() {
                reply_id(c, first);
            }
            if let Some(last) = cg.pel.keys().next_back() {
                reply_id(c, last);
            }
            let at = c.reply.deferred_len();
            let mut n = 0;
            for (name, cons) in cg.consumers.iter() {
                if cons.pel.is_empty() {
                    continue;
                }
                c.reply.array_len(2);
                c.reply.bulk(name);
                c.reply.bulk_int(cons.pel.len() as i64);
                n += 1;
            }
            c.reply.set_deferred_array(at, n);
        }
        return Ok(());
    }
    // (BTreeMap::range panics on an inverted range: an empty one then.)
    let empty = std::collections::BTreeSet::new();
    let ids: Box<dyn Iterator<Item = &StreamId>> = match consumername {
        Some(name) => match cg.consumers.get(name) {
            Some(cons) if start <= end => Box::new(cons.pel.range(start..=end)),
            Some(_) => Box::new(empty.iter()),
            None => {
                c.reply.array_len(0);
                return Ok(());
            }
        },
        None if start <= end => Box::new(cg.pel.range(start..=end).map(|(k, _)| k)),
        None => Box::new(empty.iter()),
    };
    let at = c.reply.deferred_len();
    let mut n = 0;
    for id in ids {
        if count == 0 {
            break;
        }
        let nack = match cg.pel.get(id) {
            Some(x) => x,
            None => continue,
        };
        if minidle != 0 {
            let idle = now.wrapping_sub(nack.delivery_time);
            if idle < minidle {
                continue;
            }
        }
        n += 1;
        count -= 1;
        c.reply.array_len(4);
        reply_id(c, id);
        c.reply.bulk(nack.consumer.as_deref().unwrap_or(b""));
        let elapsed = now.wrapping_sub(nack.delivery_time).max(0);
        c.reply.int(elapsed);
        c.reply.int(nack.delivery_count as i64);
    }
    c.reply.set_deferred_array(at, n);
    Ok(())
}

/// Claim `id` for `consumer` (creating it), updating time / count like
/// XCLAIM / XAUTOCLAIM. Returns the updated NACK.
fn claim_one(
    cg: &mut ConsumerGroup,
    id: StreamId,
    consumer: &[u8],
    now: i64,
    deliverytime: i64,
    retrycount: i64,
    justid: bool,
) -> Option<Nack> {
    if !cg.consumers.contains_key(consumer) {
        create_consumer(cg, consumer, now);
    }
    cg.set_owner(id, consumer);
    let name = cg.name_of(consumer);
    let nack = cg.pel.get_mut(&id)?;
    if nack.consumer.is_none() {
        nack.consumer = Some(name);
        if let Some(cons) = cg.consumers.get_mut(consumer) {
            cons.pel.insert(id);
        }
    }
    nack.delivery_time = deliverytime;
    if retrycount >= 0 {
        nack.delivery_count = retrycount as u64;
    } else if !justid {
        nack.delivery_count = nack.delivery_count.saturating_add(1);
    }
    Some(nack.clone())
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
pub fn xclaim_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let key = args.get(1);
    let group = args.get(2);
    let has_group = match stream_read(srv, db, key)? {
        Some(s) => s.cgroups.contains_key(group),
        None => false,
    };
    if !has_group {
        return Err(nogroup_key_group(key, group));
    }
    let mut minidle = parse_ll_msg(args.get(4), "ERR Invalid min-idle-time argument for XCLAIM")?;
    if minidle < 0 {
        minidle = 0;
    }
    let argc = args.len();
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argc {
        match parse_strict_id(args.get(j), 0) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let last_id_arg = j; // exclusive
    let now = srv.now_ms;
    let mut deliverytime: i64 = -1;
    let mut retrycount: i64 = -1;
    let mut force = false;
    let mut justid = false;
    let mut last_id = StreamId::MIN;
    while j < argc {
        let moreargs = argc - 1 - j;
        let opt = args.get(j);
        if opt.eq_ignore_ascii_case(b"force") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"idle") && moreargs > 0 {
            j += 1;
            let v = parse_ll_msg(args.get(j), "ERR Invalid IDLE option argument for XCLAIM")?;
            deliverytime = now.wrapping_sub(v);
        } else if opt.eq_ignore_ascii_case(b"time") && moreargs > 0 {
            j += 1;
            deliverytime =
                parse_ll_msg(args.get(j), "ERR Invalid TIME option argument for XCLAIM")?;
        } else if opt.eq_ignore_ascii_case(b"retrycount") && moreargs > 0 {
            j += 1;
            retrycount = parse_ll_msg(
                args.get(j),
                "ERR Invalid RETRYCOUNT option argument for XCLAIM",
            )?;
        } else if opt.eq_ignore_ascii_case(b"lastid") && moreargs > 0 {
            j += 1;
            last_id = parse_strict_id(args.get(j), 0)?;
        } else {
            return Err(Error::msg(format!(
                "ERR Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(opt)
            )));
        }
        j += 1;
    }
    let mut propagate_last_id = false;
    if deliverytime != -1 {
        if deliverytime < 0 || deliverytime > now {
            deliverytime = now;
        }
    } else {
        deliverytime = now;
    }
    let consumer = args.get(3);
    let mut props: Vec<(usize, Nack)> = Vec::new();
    let mut created = false;
    let mut dirty = 0u64;
    let at = c.reply.deferred_len();
    let mut n = 0usize;
    let group_last;
    {
        let s = match stream_mut(srv, db, key) {
            Some(s) => s,
            None => return Ok(()),
        };
        let mut cg = match s.cgroups.remove(group) {
            Some(g) => g,
            None => return Ok(()),
        };
        if last_id > cg.last_id {
            cg.last_id = last_id;
            propagate_last_id = true;
        }
        for (k, id) in ids.iter().enumerate() {
            let argpos = 5 + k;
            if argpos >= last_id_arg {
                break;
            }
            let id = *id;
            if !s.entry_exists(id) {
                if let Some(nack) = cg.pel.get(&id).cloned() {
                    props.push((argpos, nack));
                    propagate_last_id = false;
                    dirty += 1;
                    cg.ack(&id);
                }
                continue;
            }
            if force && !cg.pel.contains_key(&id) {
                cg.pel.insert(
                    id,
                    Nack {
                        delivery_time: now,
                        delivery_count: 1,
                        consumer: None,
                    },
                );
            }
            let (has_owner, dt) = match cg.pel.get(&id) {
                Some(nk) => (nk.consumer.is_some(), nk.delivery_time),
                None => continue,
            };
            if has_owner && minidle != 0 && now.wrapping_sub(dt) < minidle {
                continue;
            }
            if !cg.consumers.contains_key(consumer) {
                created = true;
            } else if let Some(cons) = cg.consumers.get_mut(consumer) {
                cons.seen_time = now;
            }
            let nack = match claim_one(&mut cg, id, consumer, now, deliverytime, retrycount, justid)
            {
                Some(x) => x,
                None => continue,
            };
            if justid {
                reply_id(c, &id);
            } else if !reply_single_entry(c, s, id) {
                c.reply.null();
            }
            n += 1;
            props.push((argpos, nack));
            propagate_last_id = false;
            dirty += 1;
        }
        group_last = ConsumerGroup::new(cg.last_id, cg.entries_read);
        s.cgroups.insert(group.into(), cg);
    }
    if created {
        srv.dirty += 1;
        srv.notify_keyspace_event(notify::STREAM, "xgroup-createconsumer", key, db);
    }
    for (argpos, nack) in props.iter() {
        propagate_xclaim(
            srv,
            db,
            key,
            group,
            &group_last.last_id,
            args.get(*argpos),
            nack,
        );
    }
    srv.dirty += dirty;
    if propagate_last_id {
        propagate_group_id(srv, db, key, group, &group_last);
        srv.dirty += 1;
    }
    c.reply.set_deferred_array(at, n);
    srv.prevent_propagation = true;
    Ok(())
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub fn xautoclaim_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let mut minidle = parse_ll_msg(
        args.get(4),
        "ERR Invalid min-idle-time argument for XAUTOCLAIM",
    )?;
    if minidle < 0 {
        minidle = 0;
    }
    let (mut start, sx) = parse_interval_id(args.get(5), 0)?;
    if sx && !start.incr() {
        return Err(Error::new("ERR invalid start ID for the interval"));
    }
    let mut count: i64 = 100;
    let mut justid = false;
    let argc = args.len();
    let mut j = 6;
    while j < argc {
        let moreargs = argc - 1 - j;
        let opt = args.get(j);
        if opt.eq_ignore_ascii_case(b"count") && moreargs > 0 {
            let max_count = i64::MAX / 16;
            let v = string2ll(args.get(j + 1));
            match v {
                Some(v) if (1..=max_count).contains(&v) => count = v,
                _ => return Err(Error::new("ERR COUNT must be > 0")),
            }
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    let db = c.db;
    let key = args.get(1);
    let group = args.get(2);
    let has_group = match stream_read(srv, db, key)? {
        Some(s) => s.cgroups.contains_key(group),
        None => false,
    };
    if !has_group {
        return Err(nogroup_key_group(key, group));
    }
    let now = srv.now_ms;
    let consumer = args.get(3);
    let mut attempts = count.saturating_mul(10);
    let mut deleted_ids: Vec<StreamId> = Vec::new();
    let mut props: Vec<(Vec<u8>, Nack)> = Vec::new();
    let mut created = false;
    let mut dirty = 0u64;
    c.reply.array_len(3);
    let mut endid = StreamId::MIN;
    let group_last;
    let mut claimed: Vec<StreamId> = Vec::new();
    {
        let s = match stream_mut(srv, db, key) {
            Some(s) => s,
            None => return Ok(()),
        };
        let mut cg = match s.cgroups.remove(group) {
            Some(g) => g,
            None => return Ok(()),
        };
        let mut cursor = start;
        let next_after: Option<StreamId>;
        loop {
            let id = match cg.pel.range(cursor..).next() {
                Some((k, _)) => *k,
                None => {
                    next_after = None;
                    break;
                }
            };
            if attempts <= 0 || count <= 0 {
                next_after = Some(id);
                break;
            }
            attempts -= 1;
            let mut nc = id;
            let more = nc.incr();
            if !s.entry_exists(id) {
                if let Some(nack) = cg.pel.get(&id).cloned() {
                    props.push((id_bytes(&id), nack));
                }
                dirty += 1;
                cg.ack(&id);
                deleted_ids.push(id);
                count -= 1;
            } else {
                let dt = cg.pel.get(&id).map(|n| n.delivery_time).unwrap_or(now);
                if minidle == 0 || now.wrapping_sub(dt) >= minidle {
                    if !cg.consumers.contains_key(consumer) {
                        created = true;
                    } else if let Some(cons) = cg.consumers.get_mut(consumer) {
                        cons.seen_time = now;
                    }
                    if let Some(nack) = claim_one(&mut cg, id, consumer, now, now, -1, justid) {
                        claimed.push(id);
                        props.push((id_bytes(&id), nack));
                        dirty += 1;
                    }
                    count -= 1;
                }
            }
            if !more {
                next_after = None;
                break;
            }
            cursor = nc;
        }
        if let Some(e) = next_after {
            endid = e;
        }
        reply_id(c, &endid);
        c.reply.array_len(claimed.len());
        for id in claimed.iter() {
            if justid {
                reply_id(c, id);
            } else if !reply_single_entry(c, s, *id) {
                c.reply.null();
            }
        }
        group_last = cg.last_id;
        s.cgroups.insert(group.into(), cg);
    }
    c.reply.array_len(deleted_ids.len());
    for id in deleted_ids.iter() {
        reply_id(c, id);
    }
    if created {
        srv.dirty += 1;
        srv.notify_keyspace_event(notify::STREAM, "xgroup-createconsumer", key, db);
    }
    for (idb, nack) in props.iter() {
        propagate_xclaim(srv, db, key, group, &group_last, idb, nack);
    }
    srv.dirty += dirty;
    srv.prevent_propagation = true;
    Ok(())
}

// ----------------------------------------------------------------------
// XINFO
// ----------------------------------------------------------------------

fn xinfo_syntax_error(args: &Args) -> Error {
    let sub = String::from_utf8_lossy(args.get(1));
    let sub: String = sub.chars().take(128).collect();
    Error::msg(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try XINFO HELP.",
        sub
    ))
}

fn reply_lag(c: &mut Client, s: &Stream, cg: &ConsumerGroup) {
    match s.group_lag(cg) {
        Some(l) => c.reply.int(l),
        None => c.reply.null(),
    }
}

fn reply_entries_read(c: &mut Client, cg: &ConsumerGroup) {
    if cg.entries_read != INVALID_ENTRIES_READ {
        c.reply.int(cg.entries_read);
    } else {
        c.reply.null();
    }
}

fn xinfo_stream(c: &mut Client, s: &Stream, args: &Args) -> CmdResult {
    let optc = args.len() - 3;
    let mut full = true;
    let mut count: i64 = 10;
    if optc == 0 {
        full = false;
    } else {
        if optc != 1 && optc != 3 {
            return Err(xinfo_syntax_error(args));
        }
        if !args.get(3).eq_ignore_ascii_case(b"full") {
            return Err(xinfo_syntax_error(args));
        }
        if optc == 3 {
            if !args.get(4).eq_ignore_ascii_case(b"count") {
                return Err(xinfo_syntax_error(args));
            }
            count = parse_ll(args.get(5))?;
            if count < 0 {
                count = 10;
            }
        }
    }
    let count = count as usize;
    c.reply.map_len(if full { 9 } else { 10 });
    c.reply.bulk(b"length");
    c.reply.int(s.length as i64);
    c.reply.bulk(b"radix-tree-keys");
    c.reply.int(s.nodes.len() as i64);
    c.reply.bulk(b"radix-tree-nodes");
    c.reply
        .int(crate::types::stream::rax_node_count(s.nodes.keys()) as i64);
    c.reply.bulk(b"last-generated-id");
    reply_id(c, &s.last_id);
    c.reply.bulk(b"max-deleted-entry-id");
    reply_id(c, &s.max_deleted_entry_id);
    c.reply.bulk(b"entries-added");
    c.reply.int(s.entries_added as i64);
    c.reply.bulk(b"recorded-first-entry-id");
    reply_id(c, &s.first_id);
    if !full {
        c.reply.bulk(b"groups");
        c.reply.int(s.cgroups.len() as i64);
        c.reply.bulk(b"first-entry");
        if !reply_first_or_last(c, s, false) {
            c.reply.null();
        }
        c.reply.bulk(b"last-entry");
        if !reply_first_or_last(c, s, true) {
            c.reply.null();
        }
        return Ok(());
    }
    c.reply.bulk(b"entries");
    reply_range(c, s, None, None, count, false);
    c.reply.bulk(b"groups");
    c.reply.array_len(s.cgroups.len());
    for (name, cg) in s.cgroups.iter() {
        c.reply.map_len(7);
        c.reply.bulk(b"name");
        c.reply.bulk(name);
        c.reply.bulk(b"last-delivered-id");
        reply_id(c, &cg.last_id);
        c.reply.bulk(b"entries-read");
        reply_entries_read(c, cg);
        c.reply.bulk(b"lag");
        reply_lag(c, s, cg);
        c.reply.bulk(b"pel-count");
        c.reply.int(cg.pel.len() as i64);
        c.reply.bulk(b"pending");
        let n = if count == 0 {
            cg.pel.len()
        } else {
            cg.pel.len().min(count)
        };
        c.reply.array_len(n);
        for (id, nack) in cg.pel.iter().take(n) {
            c.reply.array_len(4);
            reply_id(c, id);
            c.reply.bulk(nack.consumer.as_deref().unwrap_or(b""));
            c.reply.int(nack.delivery_time);
            c.reply.int(nack.delivery_count as i64);
        }
        c.reply.bulk(b"consumers");
        c.reply.array_len(cg.consumers.len());
        for (cname, cons) in cg.consumers.iter() {
            c.reply.map_len(4);
            c.reply.bulk(b"name");
            c.reply.bulk(cname);
            c.reply.bulk(b"seen-time");
            c.reply.int(cons.seen_time);
            c.reply.bulk(b"pel-count");
            c.reply.int(cons.pel.len() as i64);
            c.reply.bulk(b"pending");
            let m = if count == 0 {
                cons.pel.len()
            } else {
                cons.pel.len().min(count)
            };
            c.reply.array_len(m);
            for id in cons.pel.iter().take(m) {
                let (dt, dc) = cg
                    .pel
                    .get(id)
                    .map(|n| (n.delivery_time, n.delivery_count))
                    .unwrap_or((0, 0));
                c.reply.array_len(3);
                reply_id(c, id);
                c.reply.int(dt);
                c.reply.int(dc as i64);
            }
        }
    }
    Ok(())
}

fn reply_first_or_last(c: &mut Client, s: &Stream, last: bool) -> bool {
    let mut it = StreamIter::new(Some(StreamId::MIN), Some(StreamId::MAX), last);
    match it.next(s) {
        Some(id) => {
            reply_entry(c, s, &it, &id);
            true
        }
        None => false,
    }
}

/// XINFO CONSUMERS|GROUPS|STREAM|HELP
pub fn xinfo_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let opt = args.get(1);
    if opt.eq_ignore_ascii_case(b"help") {
        if args.len() != 2 {
            return Err(xinfo_syntax_error(args));
        }
        crate::command::debug::add_reply_help(
            c,
            "XINFO",
            &[
                "CONSUMERS <key> <groupname>",
                "    Show consumers of <groupname>.",
                "GROUPS <key>",
                "    Show the stream consumer groups.",
                "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream.",
            ],
        );
        return Ok(());
    } else if args.len() < 3 {
        return Err(xinfo_syntax_error(args));
    }
    let key = args.get(2);
    let now = srv.now_ms;
    let s = match stream_read(srv, c.db, key)? {
        Some(s) => s,
        None => return Err(error::NO_SUCH_KEY),
    };
    if opt.eq_ignore_ascii_case(b"consumers") && args.len() == 4 {
        let cg = match s.cgroups.get(args.get(3)) {
            Some(g) => g,
            None => {
                return Err(Error::msg(format!(
                    "NOGROUP No such consumer group '{}' for key name '{}'",
                    String::from_utf8_lossy(args.get(3)),
                    String::from_utf8_lossy(key)
                )))
            }
        };
        c.reply.array_len(cg.consumers.len());
        for (name, cons) in cg.consumers.iter() {
            let idle = now.wrapping_sub(cons.seen_time).max(0);
            c.reply.map_len(3);
            c.reply.bulk(b"name");
            c.reply.bulk(name);
            c.reply.bulk(b"pending");
            c.reply.int(cons.pel.len() as i64);
            c.reply.bulk(b"idle");
            c.reply.int(idle);
        }
    } else if opt.eq_ignore_ascii_case(b"groups") && args.len() == 3 {
        c.reply.array_len(s.cgroups.len());
        for (name, cg) in s.cgroups.iter() {
            c.reply.map_len(6);
            c.reply.bulk(b"name");
            c.reply.bulk(name);
            c.reply.bulk(b"consumers");
            c.reply.int(cg.consumers.len() as i64);
            c.reply.bulk(b"pending");
            c.reply.int(cg.pel.len() as i64);
            c.reply.bulk(b"last-delivered-id");
            reply_id(c, &cg.last_id);
            c.reply.bulk(b"entries-read");
            reply_entries_read(c, cg);
            c.reply.bulk(b"lag");
            reply_lag(c, s, cg);
        }
    } else if opt.eq_ignore_ascii_case(b"stream") {
        xinfo_stream(c, s, args)?;
    } else {
        return Err(xinfo_syntax_error(args));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_parsing_follows_redis() {
        assert_eq!(parse_id(b"5", 0).unwrap(), StreamId::new(5, 0));
        assert_eq!(
            parse_id(b"5", u64::MAX).unwrap(),
            StreamId::new(5, u64::MAX)
        );
        assert_eq!(parse_id(b"5-3", 0).unwrap(), StreamId::new(5, 3));
        assert_eq!(parse_id(b"-", 0).unwrap(), StreamId::MIN);
        assert_eq!(parse_id(b"+", 0).unwrap(), StreamId::MAX);
        assert!(parse_strict_id(b"-", 0).is_err());
        assert!(parse_id(b"5-x", 0).is_err());
        assert!(parse_id(b"5-*", 0).is_err());
        let mut sg = true;
        assert_eq!(
            parse_id_generic(b"5-*", 0, true, Some(&mut sg)).unwrap(),
            StreamId::new(5, 0)
        );
        assert!(!sg);
        assert!(parse_id(b"", 0).is_err());
    }
}
