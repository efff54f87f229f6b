//! String commands — Redis 7.0.15's `t_string.c`: GET, SET (and its NX / XX /
//! GET / KEEPTTL / EX / PX / EXAT / PXAT options), SETNX, SETEX, PSETEX, GETSET,
//! GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, INCR, DECR, INCRBY,
//! DECRBY, INCRBYFLOAT, GETRANGE / SUBSTR, SETRANGE and LCS.
//!
//! Design notes:
//! * Values keep Redis's encodings (`StrVal::{Int, Emb, Raw}`), because OBJECT
//!   ENCODING is observable: SET / SETNX / SETEX / GETSET / MSET and APPEND on
//!   a missing key encode like `tryObjectEncoding` (`StrVal::from_bytes`);
//!   INCR* produce `int`; INCRBYFLOAT produces a string (embstr/raw, never
//!   int, as `createStringObjectFromLongDouble`); APPEND / SETRANGE on an
//!   existing key turn it `raw` (`dbUnshareStringValue`); SETRANGE on a missing
//!   key creates a `raw` string.
//! * Values modified in place (APPEND, SETRANGE, INCR*, INCRBYFLOAT) keep their
//!   TTL (Redis's `dbOverwrite`); SET-like commands drop it unless KEEPTTL.
//! * Propagation follows Redis: relative expires become absolute
//!   (`SET k v PXAT <ms>`, GETEX → `PEXPIREAT` / `PERSIST` / `DEL`), GETSET →
//!   `SET`, GETDEL → `DEL`, INCRBYFLOAT → `SET k <new> KEEPTTL`, SET ... GET
//!   without expire drops the GET tokens. Handlers store the rewritten argv in
//!   `srv.rewritten_argv`; the dispatcher propagates it when `dirty` moved.
//! * Size limits: APPEND / SETRANGE obey `proto-max-bulk-len` (Redis's
//!   `checkStringLength`, skipped for the master link); LCS refuses DP tables
//!   larger than `proto-max-bulk-len` bytes, and LCS ... LEN only keeps two
//!   rows of the table.
//! * INCRBYFLOAT computes in x87 80-bit `long double` like Redis on x86-64 and
//!   formats with `ld2string(..., LD_STR_HUMAN)` (`%.17Lf`, trailing zeros and
//!   dot stripped, "-0" → "0") using `crate::util::longdouble`, a software
//!   80-bit long double.
use crate::client::{flags, Args, Client, OwnedArgs};
use crate::db::{Obj, StrVal, Value};
use crate::error::{self, CmdResult, Error};
use crate::resp::Reply;
use crate::server::keyspace::notify;
use crate::server::Server;
use crate::util::longdouble as ld;
use crate::util::num::{ll2string, string2ll};

// ---------------------------------------------------------------------------
// SET / GETEX option flags (Redis's OBJ_* flags in t_string.c)
// ---------------------------------------------------------------------------

const OBJ_SET_NX: u32 = 1 << 0;
const OBJ_SET_XX: u32 = 1 << 1;
const OBJ_EX: u32 = 1 << 2;
const OBJ_PX: u32 = 1 << 3;
const OBJ_KEEPTTL: u32 = 1 << 4;
const OBJ_SET_GET: u32 = 1 << 5;
const OBJ_EXAT: u32 = 1 << 6;
const OBJ_PXAT: u32 = 1 << 7;
const OBJ_PERSIST: u32 = 1 << 8;
const OBJ_TTL_ANY: u32 = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;

/// Which command's option grammar `parse_extended_string_args` applies.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ExtKind {
    /// GETEX: PERSIST, EX, PX, EXAT, PXAT.
    Get,
    /// SET: NX, XX, GET, KEEPTTL, EX, PX, EXAT, PXAT.
    Set,
}

/// Parsed SET / GETEX options.
#[derive(Debug, PartialEq, Eq)]
struct ExtArgs<'a> {
    flags: u32,
    /// The raw EX / PX / EXAT / PXAT argument, if any.
    expire: Option<&'a [u8]>,
    /// The expire argument is in milliseconds (PX / PXAT).
    unit_ms: bool,
}

/// Redis's `parseExtendedStringArgumentsOrReply`: options start at argv[3]
/// for SET and argv[2] for GETEX. Conflicting or unknown options, and an
/// expire option without its value, are a syntax error.
fn parse_extended_string_args<'a>(args: &Args<'a>, kind: ExtKind) -> Result<ExtArgs<'a>, Error> {
    let mut out = ExtArgs {
        flags: 0,
        expire: None,
        unit_ms: false,
    };
    let mut j = if kind == ExtKind::Get { 2 } else { 3 };
    while j < args.len() {
        let opt = args.get(j);
        let has_next = j + 1 < args.len();
        let f = out.flags;
        let set = kind == ExtKind::Set;
        // For each option: the flags it may not be combined with.
        let (bit, conflicts, takes_value) = if opt.eq_ignore_ascii_case(b"nx") && set {
            (OBJ_SET_NX, OBJ_SET_XX, false)
        } else if opt.eq_ignore_ascii_case(b"xx") && set {
            (OBJ_SET_XX, OBJ_SET_NX, false)
        } else if opt.eq_ignore_ascii_case(b"get") && set {
            (OBJ_SET_GET, 0, false)
        } else if opt.eq_ignore_ascii_case(b"keepttl") && set {
            (OBJ_KEEPTTL, OBJ_PERSIST | OBJ_TTL_ANY, false)
        } else if opt.eq_ignore_ascii_case(b"persist") && !set {
            (OBJ_PERSIST, OBJ_KEEPTTL | OBJ_TTL_ANY, false)
        } else if opt.eq_ignore_ascii_case(b"ex") {
            (
                OBJ_EX,
                OBJ_KEEPTTL | OBJ_PERSIST | (OBJ_TTL_ANY & !OBJ_EX),
                true,
            )
        } else if opt.eq_ignore_ascii_case(b"px") {
            (
                OBJ_PX,
                OBJ_KEEPTTL | OBJ_PERSIST | (OBJ_TTL_ANY & !OBJ_PX),
                true,
            )
        } else if opt.eq_ignore_ascii_case(b"exat") {
            (
                OBJ_EXAT,
                OBJ_KEEPTTL | OBJ_PERSIST | (OBJ_TTL_ANY & !OBJ_EXAT),
                true,
            )
        } else if opt.eq_ignore_ascii_case(b"pxat") {
            (
                OBJ_PXAT,
                OBJ_KEEPTTL | OBJ_PERSIST | (OBJ_TTL_ANY & !OBJ_PXAT),
                true,
            )
        } else {
            return Err(error::SYNTAX);
        };
        if f & conflicts != 0 || (takes_value && !has_next) {
            return Err(error::SYNTAX);
        }
        out.flags |= bit;
        if takes_value {
            out.expire = Some(args.get(j + 1));
            out.unit_ms = bit == OBJ_PX || bit == OBJ_PXAT;
            j += 1;
        }
        j += 1;
    }
    Ok(out)
}

/// "ERR invalid expire time in '<cmd>' command" (Redis's
/// `addReplyErrorExpireTime`, which names the running command).
fn invalid_expire(cmd: &str) -> Error {
    Error::msg(format!("ERR invalid expire time in '{}' command", cmd))
}

/// Redis's `getExpireMillisecondsOrReply`: the expire argument as an absolute
/// unix time in ms. Relative forms (EX / PX) are added to `now_ms`; a value
/// ≤ 0, a seconds value whose ×1000 overflows, or an absolute time that
/// overflows is an invalid expire time.
fn get_expire_ms(
    expire: &[u8],
    flags: u32,
    unit_ms: bool,
    now_ms: i64,
    cmd: &str,
) -> Result<i64, Error> {
    let mut ms = string2ll(expire).ok_or(error::NOT_INTEGER)?;
    if ms <= 0 || (!unit_ms && ms > i64::MAX / 1000) {
        return Err(invalid_expire(cmd));
    }
    if !unit_ms {
        ms *= 1000;
    }
    if flags & (OBJ_PX | OBJ_EX) != 0 {
        // Redis overflows (wraps) here and then rejects the negative result.
        ms = ms.wrapping_add(now_ms);
    }
    if ms <= 0 {
        return Err(invalid_expire(cmd));
    }
    Ok(ms)
}

/// Redis's `checkStringLength`: a string of `size + append` bytes must fit in
/// `proto-max-bulk-len` (not enforced for the master link).
fn check_string_length(obey_client: bool, max_bulk_len: i64, size: u64, append: u64) -> CmdResult {
    if obey_client {
        return Ok(());
    }
    match size.checked_add(append) {
        Some(total) if total <= max_bulk_len.max(0) as u64 => Ok(()),
        _ => Err(error::STRING_TOO_LONG),
    }
}

/// True when the client's writes must be applied whatever the limits
/// (Redis's `mustObeyClient`: the master link or the AOF loader).
fn must_obey(c: &Client) -> bool {
    c.has(flags::MASTER)
}

// ---------------------------------------------------------------------------
// Small helpers over string values
// ---------------------------------------------------------------------------

/// The string value of a key, or WRONGTYPE.
#[allow(unreachable_patterns)]
fn str_mut(o: &mut Obj) -> Result<&mut StrVal, Error> {
    match &mut o.val {
        Value::Str(s) => Ok(s),
        _ => Err(error::WRONGTYPE),
    }
}

#[allow(unreachable_patterns)]
fn str_ref(o: &Obj) -> Option<&StrVal> {
    match &o.val {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

/// Decimal form of `n` in a stack buffer (no allocation).
fn fmt_i64(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if n < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// The bytes of a string value; integers are formatted into `buf`.
fn str_bytes<'a>(s: &'a StrVal, buf: &'a mut [u8; 20]) -> &'a [u8] {
    match s {
        StrVal::Int(n) => fmt_i64(*n, buf),
        StrVal::Emb(b) => b,
        StrVal::Raw(v) => v,
    }
}

/// Length of a string value (Redis's `stringObjectLen`), without allocating.
fn str_len(s: &StrVal) -> usize {
    match s {
        StrVal::Int(n) => {
            let mut buf = [0u8; 20];
            fmt_i64(*n, &mut buf).len()
        }
        StrVal::Emb(b) => b.len(),
        StrVal::Raw(v) => v.len(),
    }
}

/// Bulk reply of a string value.
fn reply_str(r: &mut Reply, s: &StrVal) {
    match s {
        StrVal::Int(n) => r.bulk_int(*n),
        StrVal::Emb(b) => r.bulk(b),
        StrVal::Raw(v) => r.bulk(v),
    }
}

fn i64_bytes(n: i64) -> Vec<u8> {
    let mut v = Vec::with_capacity(20);
    ll2string(&mut v, n);
    v
}

/// Redis's `getGenericCommand`: reply the value (null when missing);
/// WRONGTYPE for a non-string.
fn get_generic(srv: &mut Server, c: &mut Client, key: &[u8]) -> CmdResult {
    match srv.lookup_string(c.db, key)? {
        Some(s) => reply_str(&mut c.reply, s),
        None => c.reply.null(),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// GET / SET family
// ---------------------------------------------------------------------------

/// What SET-like commands reply on success / on an NX-XX abort.
#[derive(Clone, Copy)]
enum Ack {
    Ok,
    Null,
    One,
    Zero,
}

fn reply_ack(r: &mut Reply, a: Ack) {
    match a {
        Ack::Ok => r.ok(),
        Ack::Null => r.null(),
        Ack::One => r.int(1),
        Ack::Zero => r.int(0),
    }
}

/// Redis's `setGenericCommand` (SET, SETNX, SETEX, PSETEX).
#[allow(clippy::too_many_arguments)]
fn set_generic(
    srv: &mut Server,
    c: &mut Client,
    args: &Args,
    flags: u32,
    key: &[u8],
    val: &[u8],
    expire: Option<&[u8]>,
    unit_ms: bool,
    ok_reply: Ack,
    abort_reply: Ack,
) -> CmdResult {
    let when = match expire {
        Some(e) => Some(get_expire_ms(e, flags, unit_ms, srv.now_ms, c.last_cmd)?),
        None => None,
    };
    if flags & OBJ_SET_GET != 0 {
        get_generic(srv, c, key)?;
    }
    let db = c.db;
    let found = srv.lookup_write(db, key).is_some();
    if (flags & OBJ_SET_NX != 0 && found) || (flags & OBJ_SET_XX != 0 && !found) {
        if flags & OBJ_SET_GET == 0 {
            reply_ack(&mut c.reply, abort_reply);
        }
        return Ok(());
    }
    srv.set_key(
        db,
        key,
        Value::Str(StrVal::from_bytes(val)),
        flags & OBJ_KEEPTTL != 0,
    );
    srv.dirty += 1;
    srv.notify_keyspace_event(notify::STRING, "set", key, db);
    if let Some(ms) = when {
        srv.dbs[db].set_expire(key, ms);
        let msb = i64_bytes(ms);
        srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"SET", key, val, b"PXAT", &msb]));
        srv.notify_keyspace_event(notify::GENERIC, "expire", key, db);
    }
    if flags & OBJ_SET_GET == 0 {
        reply_ack(&mut c.reply, ok_reply);
    }
    if flags & OBJ_SET_GET != 0 && when.is_none() {
        // Propagate without the GET token(s).
        let mut o = OwnedArgs::default();
        for (j, a) in args.iter().enumerate() {
            if j >= 3 && a.eq_ignore_ascii_case(b"get") {
                continue;
            }
            o.push(a);
        }
        srv.rewritten_argv = Some(o);
    }
    Ok(())
}

/// GET key
pub fn get_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    get_generic(srv, c, args.get(1))
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
pub fn set_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let ext = parse_extended_string_args(args, ExtKind::Set)?;
    set_generic(
        srv,
        c,
        args,
        ext.flags,
        args.get(1),
        args.get(2),
        ext.expire,
        ext.unit_ms,
        Ack::Ok,
        Ack::Null,
    )
}

/// SETNX key value → 1 if set, 0 if the key existed.
pub fn setnx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    set_generic(
        srv,
        c,
        args,
        OBJ_SET_NX,
        args.get(1),
        args.get(2),
        None,
        false,
        Ack::One,
        Ack::Zero,
    )
}

/// SETEX key seconds value
pub fn setex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    set_generic(
        srv,
        c,
        args,
        OBJ_EX,
        args.get(1),
        args.get(3),
        Some(args.get(2)),
        false,
        Ack::Ok,
        Ack::Null,
    )
}

/// PSETEX key milliseconds value
pub fn psetex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    set_generic(
        srv,
        c,
        args,
        OBJ_PX,
        args.get(1),
        args.get(3),
        Some(args.get(2)),
        true,
        Ack::Ok,
        Ack::Null,
    )
}

/// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]
pub fn getex_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let ext = parse_extended_string_args(args, ExtKind::Get)?;
    let key = args.get(1);
    let db = c.db;
    let now = srv.now_ms;
    let when = match srv.lookup_string(db, key)? {
        None => {
            c.reply.null();
            return Ok(());
        }
        Some(s) => {
            // Validate the expire first: an error replaces the value.
            let when = match ext.expire {
                Some(e) => Some(get_expire_ms(e, ext.flags, ext.unit_ms, now, c.last_cmd)?),
                None => None,
            };
            reply_str(&mut c.reply, s);
            when
        }
    };
    if let Some(ms) = when {
        if ext.flags & (OBJ_EXAT | OBJ_PXAT) != 0 && check_already_expired(srv, ms) {
            // An absolute time in the past deletes the key.
            // TODO(config): UNLINK when lazyfree-lazy-expire is yes.
            srv.dbs[db].delete(key);
            srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"DEL", key]));
            srv.signal_modified_key(db, key);
            srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        } else {
            srv.dbs[db].set_expire(key, ms);
            let msb = i64_bytes(ms);
            srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"PEXPIREAT", key, &msb]));
            srv.signal_modified_key(db, key);
            srv.notify_keyspace_event(notify::GENERIC, "expire", key, db);
        }
        srv.dirty += 1;
    } else if ext.flags & OBJ_PERSIST != 0 && srv.dbs[db].remove_expire(key) {
        srv.signal_modified_key(db, key);
        srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"PERSIST", key]));
        srv.notify_keyspace_event(notify::GENERIC, "persist", key, db);
        srv.dirty += 1;
    }
    Ok(())
}

/// Redis's `checkAlreadyExpired`: an absolute expire in the past deletes the
/// key at once, except on a replica (TODO(replication): masterhost) or while
/// loading, where the master's DEL is awaited.
fn check_already_expired(srv: &Server, when_ms: i64) -> bool {
    when_ms <= srv.now_ms
}

/// GETDEL key
pub fn getdel_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    get_generic(srv, c, key)?;
    let db = c.db;
    // TODO(config): UNLINK when lazyfree-lazy-user-del is yes.
    if srv.dbs[db].delete(key) {
        srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"DEL", key]));
        srv.signal_modified_key(db, key);
        srv.notify_keyspace_event(notify::GENERIC, "del", key, db);
        srv.dirty += 1;
    }
    Ok(())
}

/// GETSET key value (propagated as SET key value)
pub fn getset_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    get_generic(srv, c, key)?;
    let db = c.db;
    srv.set_key(db, key, Value::Str(StrVal::from_bytes(args.get(2))), false);
    srv.notify_keyspace_event(notify::STRING, "set", key, db);
    srv.dirty += 1;
    srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"SET", key, args.get(2)]));
    Ok(())
}

/// MGET key [key ...] — non-strings read as nil.
pub fn mget_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    c.reply.array_len(args.len() - 1);
    for j in 1..args.len() {
        match srv.lookup_read(c.db, args.get(j)).and_then(|o| str_ref(o)) {
            Some(s) => reply_str(&mut c.reply, s),
            None => c.reply.null(),
        }
    }
    Ok(())
}

/// Redis's `msetGenericCommand`.
fn mset_generic(srv: &mut Server, c: &mut Client, args: &Args, nx: bool) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(error::wrong_args(c.last_cmd));
    }
    let db = c.db;
    if nx {
        for j in (1..args.len()).step_by(2) {
            if srv.lookup_write(db, args.get(j)).is_some() {
                c.reply.int(0);
                return Ok(());
            }
        }
    }
    for j in (1..args.len()).step_by(2) {
        let key = args.get(j);
        srv.set_key(
            db,
            key,
            Value::Str(StrVal::from_bytes(args.get(j + 1))),
            false,
        );
        srv.notify_keyspace_event(notify::STRING, "set", key, db);
    }
    srv.dirty += (args.len() / 2) as u64;
    if nx {
        c.reply.int(1);
    } else {
        c.reply.ok();
    }
    Ok(())
}

/// MSET key value [key value ...]
pub fn mset_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    mset_generic(srv, c, args, false)
}

/// MSETNX key value [key value ...]
pub fn msetnx_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    mset_generic(srv, c, args, true)
}

// ---------------------------------------------------------------------------
// APPEND / STRLEN / GETRANGE / SETRANGE
// ---------------------------------------------------------------------------

/// APPEND key value → new length.
pub fn append_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let tail = args.get(2);
    let db = c.db;
    let obey = must_obey(c);
    let limit = srv.config.proto_max_bulk_len;
    let lru = srv.lru_clock;
    let totlen = match srv.lookup_write(db, key) {
        Some(o) => {
            let s = str_mut(o)?;
            check_string_length(obey, limit, str_len(s) as u64, tail.len() as u64)?;
            let v = s.make_raw();
            v.extend_from_slice(tail);
            v.len()
        }
        None => {
            srv.dbs[db].add(key, Obj::new(Value::Str(StrVal::from_bytes(tail)), lru));
            tail.len()
        }
    };
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::STRING, "append", key, db);
    srv.dirty += 1;
    c.reply.int(totlen as i64);
    Ok(())
}

/// STRLEN key
pub fn strlen_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let n = match srv.lookup_string(c.db, args.get(1))? {
        Some(s) => str_len(s),
        None => 0,
    };
    c.reply.int(n as i64);
    Ok(())
}

/// GETRANGE's index arithmetic (Redis's `getrangeCommand`): the byte range
/// `[from, to)` to return for a string of `len` bytes, None for "".
fn getrange_bounds(len: usize, start: i64, end: i64) -> Option<(usize, usize)> {
    let len = len as i64;
    if start < 0 && end < 0 && start > end {
        return None;
    }
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if end < 0 {
        end = 0;
    }
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return None;
    }
    Some((start as usize, end as usize + 1))
}

/// GETRANGE key start end (also SUBSTR)
pub fn getrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let start = string2ll(args.get(2)).ok_or(error::NOT_INTEGER)?;
    let end = string2ll(args.get(3)).ok_or(error::NOT_INTEGER)?;
    let mut buf = [0u8; 20];
    match srv.lookup_string(c.db, args.get(1))? {
        None => c.reply.bulk(b""),
        Some(s) => {
            let bytes = str_bytes(s, &mut buf);
            match getrange_bounds(bytes.len(), start, end).and_then(|(a, b)| bytes.get(a..b)) {
                Some(slice) => c.reply.bulk(slice),
                None => c.reply.bulk(b""),
            }
        }
    }
    Ok(())
}

/// SETRANGE key offset value → new length.
pub fn setrange_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let value = args.get(3);
    let offset = string2ll(args.get(2)).ok_or(error::NOT_INTEGER)?;
    if offset < 0 {
        return Err(Error::new("ERR offset is out of range"));
    }
    let db = c.db;
    let obey = must_obey(c);
    let limit = srv.config.proto_max_bulk_len;
    let lru = srv.lru_clock;
    let offset_u = offset as u64;
    let newlen = match srv.lookup_write(db, key) {
        None => {
            if value.is_empty() {
                c.reply.int(0);
                return Ok(());
            }
            check_string_length(obey, limit, offset_u, value.len() as u64)?;
            let off = usize::try_from(offset_u).map_err(|_| error::STRING_TOO_LONG)?;
            let total = off.checked_add(value.len()).ok_or(error::STRING_TOO_LONG)?;
            let mut v = vec![0u8; total];
            v[off..].copy_from_slice(value);
            srv.dbs[db].add(key, Obj::new(Value::Str(StrVal::Raw(v)), lru));
            total
        }
        Some(o) => {
            let s = str_mut(o)?;
            let olen = str_len(s);
            if value.is_empty() {
                c.reply.int(olen as i64);
                return Ok(());
            }
            check_string_length(obey, limit, offset_u, value.len() as u64)?;
            let off = usize::try_from(offset_u).map_err(|_| error::STRING_TOO_LONG)?;
            let end = off.checked_add(value.len()).ok_or(error::STRING_TOO_LONG)?;
            let v = s.make_raw();
            if v.len() < end {
                v.resize(end, 0);
            }
            v[off..end].copy_from_slice(value);
            v.len()
        }
    };
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::STRING, "setrange", key, db);
    srv.dirty += 1;
    c.reply.int(newlen as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// INCR family
// ---------------------------------------------------------------------------

/// Redis's `incrDecrCommand`: the result is always int-encoded; the TTL is
/// kept.
fn incr_decr(srv: &mut Server, c: &mut Client, key: &[u8], incr: i64) -> CmdResult {
    let db = c.db;
    let lru = srv.lru_clock;
    let value = match srv.lookup_write(db, key) {
        Some(o) => {
            let s = str_mut(o)?;
            let old = s.as_i64().ok_or(error::NOT_INTEGER)?;
            let v = old.checked_add(incr).ok_or(error::OVERFLOW)?;
            *s = StrVal::Int(v);
            v
        }
        None => {
            srv.dbs[db].add(key, Obj::new(Value::Str(StrVal::Int(incr)), lru));
            incr
        }
    };
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::STRING, "incrby", key, db);
    srv.dirty += 1;
    c.reply.int(value);
    Ok(())
}

/// INCR key
pub fn incr_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    incr_decr(srv, c, args.get(1), 1)
}

/// DECR key
pub fn decr_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    incr_decr(srv, c, args.get(1), -1)
}

/// INCRBY key increment
pub fn incrby_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let incr = string2ll(args.get(2)).ok_or(error::NOT_INTEGER)?;
    incr_decr(srv, c, args.get(1), incr)
}

/// DECRBY key decrement
pub fn decrby_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let incr = string2ll(args.get(2)).ok_or(error::NOT_INTEGER)?;
    if incr == i64::MIN {
        return Err(Error::new("ERR decrement would overflow"));
    }
    incr_decr(srv, c, args.get(1), -incr)
}

/// The long double value of a string (Redis's `getLongDoubleFromObject`):
/// integers exactly, other strings through `string2ld`.
fn str_to_ld(s: &StrVal) -> Option<ld::LongDouble> {
    match s {
        StrVal::Int(n) => Some(ld::LongDouble::from_i64(*n)),
        StrVal::Emb(b) => ld::string2ld(b),
        StrVal::Raw(v) => ld::string2ld(v),
    }
}

/// `value + incr` as Redis's INCRBYFLOAT text, or its error.
fn incrbyfloat_result(value: ld::LongDouble, incr_arg: &[u8]) -> Result<Vec<u8>, Error> {
    let incr = ld::string2ld(incr_arg).ok_or(error::NOT_FLOAT)?;
    let sum = value.add(&incr);
    if sum.is_nan() || sum.is_infinite() {
        return Err(Error::new("ERR increment would produce NaN or Infinity"));
    }
    let mut out = Vec::with_capacity(32);
    ld::ld2string_human(&mut out, &sum);
    Ok(out)
}

/// INCRBYFLOAT key increment (propagated as SET key <new> KEEPTTL)
pub fn incrbyfloat_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let key = args.get(1);
    let db = c.db;
    let lru = srv.lru_clock;
    let text = match srv.lookup_write(db, key) {
        Some(o) => {
            let s = str_mut(o)?;
            let value = str_to_ld(s).ok_or(error::NOT_FLOAT)?;
            let text = incrbyfloat_result(value, args.get(2))?;
            *s = StrVal::from_bytes_no_int(&text);
            text
        }
        None => {
            let text = incrbyfloat_result(ld::LongDouble::ZERO, args.get(2))?;
            srv.dbs[db].add(
                key,
                Obj::new(Value::Str(StrVal::from_bytes_no_int(&text)), lru),
            );
            text
        }
    };
    srv.signal_modified_key(db, key);
    srv.notify_keyspace_event(notify::STRING, "incrbyfloat", key, db);
    srv.dirty += 1;
    c.reply.bulk(&text);
    srv.rewritten_argv = Some(OwnedArgs::from_slices(&[b"SET", key, &text, b"KEEPTTL"]));
    Ok(())
}

// ---------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------

/// One matching range found by the LCS backtrack (inclusive indexes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LcsRange {
    a_start: usize,
    a_end: usize,
    b_start: usize,
    b_end: usize,
}

impl LcsRange {
    fn len(&self) -> usize {
        self.a_end - self.a_start + 1
    }
}

/// Length of the LCS with two rows of the DP table (LCS ... LEN).
fn lcs_len(a: &[u8], b: &[u8]) -> u32 {
    let mut prev = vec![0u32; b.len() + 1];
    let mut cur = vec![0u32; b.len() + 1];
    for &ca in a {
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = if ca == cb {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Full DP table: cell (i, j) = LCS length of a[..i], b[..j], stored at
/// `i * (b.len() + 1) + j`. None if the memory cannot be obtained.
fn lcs_table(a: &[u8], b: &[u8]) -> Option<Vec<u32>> {
    let w = b.len() + 1;
    let cells = (a.len() + 1).checked_mul(w)?;
    let mut t: Vec<u32> = Vec::new();
    t.try_reserve_exact(cells).ok()?;
    t.resize(cells, 0);
    for i in 1..=a.len() {
        let ca = a[i - 1];
        let (before, row) = t.split_at_mut(i * w);
        let prev = &before[(i - 1) * w..];
        let row = &mut row[..w];
        for j in 1..w {
            row[j] = if ca == b[j - 1] {
                prev[j - 1] + 1
            } else {
                prev[j].max(row[j - 1])
            };
        }
    }
    Some(t)
}

/// Walk the table back from (alen, blen) as Redis does: returns the LCS
/// string and calls `emit` for each maximal matching range, last one first.
/// A range is emitted when the walk leaves it or reaches the start of a or b.
fn lcs_backtrack(t: &[u32], a: &[u8], b: &[u8], mut emit: impl FnMut(LcsRange)) -> Vec<u8> {
    let w = b.len() + 1;
    let cell = |i: usize, j: usize| t.get(i * w + j).copied().unwrap_or(0);
    let total = cell(a.len(), b.len()) as usize;
    let mut out = vec![0u8; total];
    let mut k = total;
    let (mut i, mut j) = (a.len(), b.len());
    let mut cur: Option<LcsRange> = None;
    while i > 0 && j > 0 {
        let mut emit_now = false;
        if a[i - 1] == b[j - 1] {
            if k > 0 {
                k -= 1;
                out[k] = a[i - 1];
            }
            match cur.as_mut() {
                None => {
                    cur = Some(LcsRange {
                        a_start: i - 1,
                        a_end: i - 1,
                        b_start: j - 1,
                        b_end: j - 1,
                    })
                }
                Some(r) if r.a_start == i && r.b_start == j => {
                    r.a_start -= 1;
                    r.b_start -= 1;
                }
                Some(_) => emit_now = true,
            }
            if let Some(r) = cur {
                if r.a_start == 0 || r.b_start == 0 {
                    emit_now = true;
                }
            }
            i -= 1;
            j -= 1;
        } else {
            if cell(i - 1, j) > cell(i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
            if cur.is_some() {
                emit_now = true;
            }
        }
        if emit_now {
            if let Some(r) = cur.take() {
                emit(r);
            }
        }
    }
    out
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
pub fn lcs_command(srv: &mut Server, c: &mut Client, args: &Args) -> CmdResult {
    let db = c.db;
    let (k1, k2) = (args.get(1), args.get(2));
    let ta = srv.lookup_read(db, k1).map(|o| str_ref(o).is_some());
    let tb = srv.lookup_read(db, k2).map(|o| str_ref(o).is_some());
    if ta == Some(false) || tb == Some(false) {
        return Err(Error::new(
            "ERR The specified keys must contain string values",
        ));
    }
    let (mut getlen, mut getidx, mut withmatchlen) = (false, false, false);
    let mut minmatchlen: i64 = 0;
    let mut j = 3;
    while j < args.len() {
        let opt = args.get(j);
        let more = j + 1 < args.len();
        if opt.eq_ignore_ascii_case(b"idx") {
            getidx = true;
        } else if opt.eq_ignore_ascii_case(b"len") {
            getlen = true;
        } else if opt.eq_ignore_ascii_case(b"withmatchlen") {
            withmatchlen = true;
        } else if opt.eq_ignore_ascii_case(b"minmatchlen") && more {
            minmatchlen = string2ll(args.get(j + 1)).ok_or(error::NOT_INTEGER)?.max(0);
            j += 1;
        } else {
            return Err(error::SYNTAX);
        }
        j += 1;
    }
    if getlen && getidx {
        return Err(Error::new(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    let limit = srv.config.proto_max_bulk_len;
    let (mut ba, mut bb) = ([0u8; 20], [0u8; 20]);
    let d = &srv.dbs[db];
    let a: &[u8] = match d.dict.get(k1).and_then(str_ref) {
        Some(s) => str_bytes(s, &mut ba),
        None => b"",
    };
    let b: &[u8] = match d.dict.get(k2).and_then(str_ref) {
        Some(s) => str_bytes(s, &mut bb),
        None => b"",
    };
    if a.len() as u64 >= u32::MAX as u64 - 1 || b.len() as u64 >= u32::MAX as u64 - 1 {
        return Err(Error::new("ERR String too long for LCS"));
    }
    // Redis sizes the whole (alen+1)*(blen+1) u32 table against proto-max-bulk-len.
    let cells = (a.len() as u128 + 1) * (b.len() as u128 + 1);
    if cells * 4 > limit.max(0) as u128 {
        return Err(Error::new(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    if getlen {
        c.reply.int(lcs_len(a, b) as i64);
        return Ok(());
    }
    let t = lcs_table(a, b).ok_or(Error::new(
        "ERR Insufficient memory, failed allocating transient memory for LCS",
    ))?;
    if !getidx {
        let s = lcs_backtrack(&t, a, b, |_| {});
        c.reply.bulk(&s);
        return Ok(());
    }
    let r = &mut c.reply;
    r.map_len(2);
    r.bulk(b"matches");
    let at = r.deferred_len();
    let mut n = 0usize;
    lcs_backtrack(&t, a, b, |m| {
        if minmatchlen == 0 || m.len() as i64 >= minmatchlen {
            r.array_len(2 + withmatchlen as usize);
            r.array_len(2);
            r.int(m.a_start as i64);
            r.int(m.a_end as i64);
            r.array_len(2);
            r.int(m.b_start as i64);
            r.int(m.b_end as i64);
            if withmatchlen {
                r.int(m.len() as i64);
            }
            n += 1;
        }
    });
    r.set_deferred_array(at, n);
    r.bulk(b"len");
    let total = t.last().copied().unwrap_or(0);
    r.int(total as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> OwnedArgs {
        let v: Vec<&[u8]> = items.iter().map(|s| s.as_bytes()).collect();
        OwnedArgs::from_slices(&v)
    }

    fn ext(items: &[&str], kind: ExtKind) -> Result<(u32, Option<Vec<u8>>, bool), Error> {
        let o = argv(items);
        let a = o.args();
        parse_extended_string_args(&a, kind)
            .map(|e| (e.flags, e.expire.map(|x| x.to_vec()), e.unit_ms))
    }

    #[test]
    fn set_options_follow_redis_conflict_rules() {
        let set = ExtKind::Set;
        assert_eq!(ext(&["set", "k", "v"], set).unwrap().0, 0);
        assert_eq!(
            ext(&["set", "k", "v", "nx", "GET", "px", "100"], set).unwrap(),
            (
                OBJ_SET_NX | OBJ_SET_GET | OBJ_PX,
                Some(b"100".to_vec()),
                true
            )
        );
        // Repeating the same option is fine, the last value wins.
        assert_eq!(
            ext(&["set", "k", "v", "ex", "1", "EX", "2"], set)
                .unwrap()
                .1,
            Some(b"2".to_vec())
        );
        assert_eq!(
            ext(&["set", "k", "v", "nx", "nx"], set).unwrap().0,
            OBJ_SET_NX
        );
        for bad in [
            &["set", "k", "v", "nx", "xx"][..],
            &["set", "k", "v", "ex", "1", "px", "1"],
            &["set", "k", "v", "keepttl", "ex", "1"],
            &["set", "k", "v", "exat", "1", "keepttl"],
            &["set", "k", "v", "ex"],
            &["set", "k", "v", "persist"],
            &["set", "k", "v", "foo"],
            &["set", "k", "v", "gett"],
        ] {
            assert_eq!(ext(bad, set), Err(error::SYNTAX), "{:?}", bad);
        }
        let get = ExtKind::Get;
        assert_eq!(ext(&["getex", "k", "persist"], get).unwrap().0, OBJ_PERSIST);
        assert_eq!(
            ext(&["getex", "k", "pxat", "5"], get).unwrap(),
            (OBJ_PXAT, Some(b"5".to_vec()), true)
        );
        for bad in [
            &["getex", "k", "nx"][..],
            &["getex", "k", "get"],
            &["getex", "k", "keepttl"],
            &["getex", "k", "persist", "ex", "1"],
            &["getex", "k", "ex", "1", "persist"],
            &["getex", "k", "px"],
        ] {
            assert_eq!(ext(bad, get), Err(error::SYNTAX), "{:?}", bad);
        }
    }

    #[test]
    fn expire_arguments_validate_like_redis() {
        let now = 1_700_000_000_000i64;
        assert_eq!(
            get_expire_ms(b"10", OBJ_EX, false, now, "set"),
            Ok(now + 10_000)
        );
        assert_eq!(get_expire_ms(b"10", OBJ_PX, true, now, "set"), Ok(now + 10));
        assert_eq!(
            get_expire_ms(b"10", OBJ_EXAT, false, now, "set"),
            Ok(10_000)
        );
        assert_eq!(get_expire_ms(b"10", OBJ_PXAT, true, now, "set"), Ok(10));
        assert_eq!(
            get_expire_ms(b"0", OBJ_EX, false, now, "setex"),
            Err(invalid_expire("setex"))
        );
        assert_eq!(
            invalid_expire("setex").text(),
            "ERR invalid expire time in 'setex' command"
        );
        assert_eq!(
            get_expire_ms(b"-5", OBJ_PX, true, now, "set"),
            Err(invalid_expire("set"))
        );
        assert_eq!(
            get_expire_ms(b"1.5", OBJ_EX, false, now, "set"),
            Err(error::NOT_INTEGER)
        );
        // ×1000 overflow, and relative times overflowing when added to now.
        assert_eq!(
            get_expire_ms(b"9223372036854776", OBJ_EX, false, now, "set"),
            Err(invalid_expire("set"))
        );
        assert_eq!(
            get_expire_ms(b"9223372036854775", OBJ_EX, false, now, "set"),
            Err(invalid_expire("set"))
        );
        assert_eq!(
            get_expire_ms(b"9223372036854775807", OBJ_PX, true, now, "set"),
            Err(invalid_expire("set"))
        );
        assert_eq!(
            get_expire_ms(b"9223372036854775", OBJ_EXAT, false, now, "set"),
            Ok(9_223_372_036_854_775_000)
        );
        assert_eq!(
            get_expire_ms(b"9223372036854775807", OBJ_PXAT, true, now, "set"),
            Ok(i64::MAX)
        );
    }

    #[test]
    fn string_length_limit() {
        let max = 512 << 20;
        assert!(check_string_length(false, max, 536870908, 4).is_ok());
        assert_eq!(
            check_string_length(false, max, 536870908, 5),
            Err(error::STRING_TOO_LONG)
        );
        assert_eq!(
            check_string_length(false, max, u64::MAX, 1),
            Err(error::STRING_TOO_LONG)
        );
        assert!(check_string_length(true, max, u64::MAX, 1).is_ok());
    }

    #[test]
    fn getrange_matches_redis_indexing() {
        let s = b"Hello World";
        let r = |a: i64, b: i64| -> &[u8] {
            match getrange_bounds(s.len(), a, b) {
                Some((x, y)) => &s[x..y],
                None => b"",
            }
        };
        assert_eq!(r(0, 3), b"Hell");
        assert_eq!(r(0, -1), b"Hello World");
        assert_eq!(r(-4, -1), b"orld");
        assert_eq!(r(5, 3), b"");
        assert_eq!(r(5, 5000), b" World");
        assert_eq!(r(-5000, 10000), b"Hello World");
        assert_eq!(r(-1, -5), b"");
        assert_eq!(r(0, 4294967297), b"Hello World");
        assert_eq!(r(i64::MIN, i64::MAX), b"Hello World");
        assert_eq!(r(i64::MAX, i64::MIN), b"");
        assert_eq!(getrange_bounds(0, 0, -1), None);
        assert_eq!(getrange_bounds(0, -1, 0), None);
    }

    #[test]
    fn fmt_i64_edges() {
        let mut b = [0u8; 20];
        assert_eq!(fmt_i64(0, &mut b), b"0");
        assert_eq!(fmt_i64(-555, &mut b), b"-555");
        assert_eq!(fmt_i64(i64::MIN, &mut b), b"-9223372036854775808");
        assert_eq!(fmt_i64(i64::MAX, &mut b), b"9223372036854775807");
        assert_eq!(str_len(&StrVal::Int(-555)), 4);
        assert_eq!(str_len(&StrVal::Int(i64::MIN)), 20);
    }

    fn lcs_all(a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<LcsRange>) {
        let t = lcs_table(a, b).unwrap();
        let mut ranges = Vec::new();
        let s = lcs_backtrack(&t, a, b, |r| ranges.push(r));
        (s, ranges)
    }

    #[test]
    fn lcs_matches_redis_ranges() {
        // The test-suite's RNA strings (unit/type/string "LCS indexes").
        let a = b"CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
        let b = b"ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
        let (s, ranges) = lcs_all(a, b);
        assert_eq!(s.len(), 227);
        assert_eq!(lcs_len(a, b), 227);
        assert!(s.starts_with(b"ACCTTCCCAGG") && s.ends_with(b"CTAGGTTT"));
        let got: Vec<(usize, usize, usize, usize, usize)> = ranges
            .iter()
            .map(|r| (r.a_start, r.a_end, r.b_start, r.b_end, r.len()))
            .collect();
        assert_eq!(
            got,
            vec![
                (238, 238, 239, 239, 1),
                (236, 236, 238, 238, 1),
                (229, 230, 236, 237, 2),
                (224, 224, 235, 235, 1),
                (1, 222, 13, 234, 222),
            ]
        );
    }

    #[test]
    fn lcs_small_cases() {
        assert_eq!(lcs_all(b"ohmytext", b"mynewtext").0, b"mytext");
        assert_eq!(lcs_len(b"ohmytext", b"mynewtext"), 6);
        let (s, r) = lcs_all(b"", b"abc");
        assert!(s.is_empty() && r.is_empty());
        let (s, r) = lcs_all(b"abc", b"xyz");
        assert!(s.is_empty() && r.is_empty());
        // Redis: LCS a=ohmytext b=mynewtext IDX → [[4,7],[5,8]] then [[2,3],[0,1]].
        let (_, r) = lcs_all(b"ohmytext", b"mynewtext");
        assert_eq!(
            r,
            vec![
                LcsRange {
                    a_start: 4,
                    a_end: 7,
                    b_start: 5,
                    b_end: 8
                },
                LcsRange {
                    a_start: 2,
                    a_end: 3,
                    b_start: 0,
                    b_end: 1
                },
            ]
        );
    }

    #[test]
    fn incrbyfloat_text() {
        let v = ld::string2ld(b"10.5").unwrap();
        assert_eq!(incrbyfloat_result(v, b"0.1").unwrap(), b"10.6");
        assert_eq!(
            incrbyfloat_result(ld::LongDouble::ZERO, b"+inf"),
            Err(Error::new("ERR increment would produce NaN or Infinity"))
        );
        assert_eq!(
            incrbyfloat_result(ld::LongDouble::ZERO, b"1 "),
            Err(error::NOT_FLOAT)
        );
        assert_eq!(
            str_to_ld(&StrVal::Emb(b"1\x002"[..].into())).map(|_| ()),
            None
        );
        assert!(str_to_ld(&StrVal::Int(i64::MIN)).is_some());
    }

    // ---- command-level checks against a real Server (no sockets) ----

    struct Harness {
        srv: Server,
        c: Client,
    }

    impl Harness {
        fn new() -> Harness {
            let srv = Server::new(crate::config::Config::default(), "test".into(), false)
                .expect("server");
            Harness {
                srv,
                c: Client::fake(),
            }
        }

        /// Run one command: (reply bytes, propagated argv if rewritten).
        fn run(&mut self, items: &[&str]) -> (String, Option<Vec<String>>) {
            self.c.reply.buf.clear();
            self.c.reply.sent = 0;
            self.srv.rewritten_argv = None;
            let o = argv(items);
            let a = o.args();
            let idx = self.srv.commands.lookup(a.get(0)).expect("command");
            self.c.last_cmd = self.srv.commands.cmds[idx].full_name;
            let h = self.srv.commands.cmds[idx].def.handler;
            if let Err(e) = h(&mut self.srv, &mut self.c, &a) {
                self.c.reply.error(e.text());
            }
            let rewritten = self.srv.rewritten_argv.take().map(|o| {
                o.args()
                    .iter()
                    .map(|x| String::from_utf8_lossy(x).into_owned())
                    .collect()
            });
            (
                String::from_utf8_lossy(&self.c.reply.buf).into_owned(),
                rewritten,
            )
        }

        fn reply(&mut self, items: &[&str]) -> String {
            self.run(items).0
        }

        fn encoding(&self, key: &str) -> &'static str {
            self.srv.dbs[0]
                .dict
                .get(key.as_bytes())
                .map(|o| o.val.encoding_name())
                .unwrap_or("none")
        }

        fn ttl(&self, key: &str) -> Option<i64> {
            self.srv.dbs[0].get_expire(key.as_bytes())
        }
    }

    fn v(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn propagation_rewrites_follow_redis() {
        let mut h = Harness::new();
        let now = h.srv.now_ms;
        let at = |ms: i64| (now + ms).to_string();
        let (r, p) = h.run(&["set", "k", "v", "EX", "100"]);
        assert_eq!(r, "+OK\r\n");
        assert_eq!(p, v(&["SET", "k", "v", "PXAT", &at(100_000)]));
        assert_eq!(h.ttl("k"), Some(now + 100_000));
        let (_, p) = h.run(&["set", "k", "v", "xx", "GET", "get"]);
        assert_eq!(p, v(&["set", "k", "v", "xx"]));
        assert_eq!(h.ttl("k"), None);
        let (r, p) = h.run(&["set", "k", "w", "nx", "get"]);
        assert_eq!((r.as_str(), p), ("$1\r\nv\r\n", None));
        let (_, p) = h.run(&["setex", "k", "10", "v"]);
        assert_eq!(p, v(&["SET", "k", "v", "PXAT", &at(10_000)]));
        let (_, p) = h.run(&["psetex", "k", "10", "v"]);
        assert_eq!(p, v(&["SET", "k", "v", "PXAT", &at(10)]));
        let (_, p) = h.run(&["getex", "k", "ex", "5"]);
        assert_eq!(p, v(&["PEXPIREAT", "k", &at(5_000)]));
        let (_, p) = h.run(&["getex", "k", "persist"]);
        assert_eq!(p, v(&["PERSIST", "k"]));
        let dirty = h.srv.dirty;
        let (_, p) = h.run(&["getex", "k", "persist"]);
        assert_eq!((p, h.srv.dirty), (None, dirty));
        let (r, p) = h.run(&["getex", "k", "pxat", "1"]);
        assert_eq!((r.as_str(), p), ("$1\r\nv\r\n", v(&["DEL", "k"])));
        assert_eq!(h.encoding("k"), "none");
        h.run(&["set", "k", "v"]);
        let (_, p) = h.run(&["getdel", "k"]);
        assert_eq!(p, v(&["DEL", "k"]));
        let (r, p) = h.run(&["getset", "k", "12"]);
        assert_eq!((r.as_str(), p), ("$-1\r\n", v(&["SET", "k", "12"])));
        h.srv.dbs[0].set_expire(b"k", now + 50_000);
        let (r, p) = h.run(&["incrbyfloat", "k", "0.5"]);
        assert_eq!(r, "$4\r\n12.5\r\n");
        assert_eq!(p, v(&["SET", "k", "12.5", "KEEPTTL"]));
        assert_eq!(h.ttl("k"), Some(now + 50_000));
        // Plain writes propagate verbatim (no rewrite).
        assert_eq!(h.run(&["append", "k", "x"]).1, None);
        assert_eq!(h.run(&["setnx", "k2", "x"]).1, None);
    }

    #[test]
    fn encodings_and_ttls_after_each_command() {
        let mut h = Harness::new();
        h.run(&["set", "k", "123"]);
        assert_eq!(h.encoding("k"), "int");
        h.run(&["set", "k", &"a".repeat(44)]);
        assert_eq!(h.encoding("k"), "embstr");
        h.run(&["set", "k", &"a".repeat(45)]);
        assert_eq!(h.encoding("k"), "raw");
        h.run(&["append", "a", "12"]);
        assert_eq!(h.encoding("a"), "int");
        h.run(&["append", "a", "3"]);
        assert_eq!(h.encoding("a"), "raw");
        assert_eq!(h.reply(&["incr", "a"]), ":124\r\n");
        assert_eq!(h.encoding("a"), "int");
        h.run(&["setrange", "r", "2", "x"]);
        assert_eq!(h.encoding("r"), "raw");
        assert_eq!(h.reply(&["get", "r"]), "$3\r\n\0\0x\r\n");
        h.run(&["set", "r", "1234"]);
        assert_eq!(h.reply(&["setrange", "r", "0", ""]), ":4\r\n");
        assert_eq!(h.encoding("r"), "int");
        h.run(&["incrbyfloat", "f", "3"]);
        assert_eq!(h.encoding("f"), "embstr");
        // SET drops the TTL unless KEEPTTL; in-place writes keep it.
        h.run(&["set", "t", "1", "ex", "100"]);
        assert!(h.ttl("t").is_some());
        h.run(&["incr", "t"]);
        h.run(&["append", "t", "0"]);
        h.run(&["setrange", "t", "0", "3"]);
        assert!(h.ttl("t").is_some());
        h.run(&["set", "t", "1", "keepttl"]);
        assert!(h.ttl("t").is_some());
        h.run(&["mset", "t", "2"]);
        assert_eq!(h.ttl("t"), None);
    }

    #[test]
    fn errors_and_limits() {
        let mut h = Harness::new();
        assert_eq!(
            h.reply(&["setex", "k", "0", "v"]),
            "-ERR invalid expire time in 'setex' command\r\n"
        );
        assert_eq!(
            h.reply(&["getex", "nokey", "ex", "-1"]),
            "$-1\r\n",
            "GETEX validates the expire only for an existing key"
        );
        assert_eq!(
            h.reply(&["mset", "a", "1", "b"]),
            "-ERR wrong number of arguments for 'mset' command\r\n"
        );
        assert_eq!(
            h.reply(&["decrby", "x", "-9223372036854775808"]),
            "-ERR decrement would overflow\r\n"
        );
        h.run(&["set", "x", "9223372036854775807"]);
        assert_eq!(
            h.reply(&["incr", "x"]),
            "-ERR increment or decrement would overflow\r\n"
        );
        assert_eq!(
            h.reply(&["setrange", "x", "536870908", "world"]),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
        );
        assert_eq!(
            h.reply(&["setrange", "x", "-1", "w"]),
            "-ERR offset is out of range\r\n"
        );
        h.srv.config.proto_max_bulk_len = 1000;
        h.run(&["set", "a", &"a".repeat(20)]);
        h.run(&["set", "b", &"b".repeat(20)]);
        assert_eq!(
            h.reply(&["lcs", "a", "b"]),
            "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"
        );
        assert_eq!(
            h.reply(&["append", "a", &"x".repeat(981)]),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
        );
        assert_eq!(h.reply(&["append", "a", &"x".repeat(980)]), ":1000\r\n");
    }

    #[test]
    fn lcs_reply_shapes() {
        let mut h = Harness::new();
        h.run(&["mset", "a", "ohmytext", "b", "mynewtext"]);
        assert_eq!(
            h.reply(&["lcs", "a", "b", "idx", "minmatchlen", "4", "withmatchlen"]),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
        );
        h.c.reply.resp = 3;
        assert_eq!(
            h.reply(&["lcs", "a", "nokey", "idx"]),
            "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"
        );
        assert_eq!(h.reply(&["lcs", "a", "b", "len"]), ":6\r\n");
        assert_eq!(h.reply(&["lcs", "a", "b"]), "$6\r\nmytext\r\n");
    }
}
