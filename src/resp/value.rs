//! Reply parser for outgoing links (the part of hiredis's `redisReader` the
//! server needs): Sentinel's connections to masters, replicas and other
//! Sentinels read their replies with it.
//!
//! [`parse_reply`] is incremental and copy-free until a whole reply is in the
//! buffer: it returns `Ok(None)` when more bytes are needed (nothing is
//! consumed), or the decoded [`RespValue`] and the number of bytes it took.
//! RESP2 types are decoded, plus the RESP3 types a peer may send after
//! HELLO 3 (null, boolean, double, big number, verbatim, map, set, push,
//! attribute), mapped onto the RESP2 shapes hiredis would hand a RESP2 user.
//! Nesting depth and lengths are bounded: a peer cannot make us allocate
//! without sending the bytes, nor recurse without limit.

/// A decoded reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RespValue {
    /// `+...`
    Status(Vec<u8>),
    /// `-...` (the text after the dash)
    Error(Vec<u8>),
    /// `:n`
    Int(i64),
    /// `$n` (None = `$-1` / `_`)
    Bulk(Option<Vec<u8>>),
    /// `*n` (None = `*-1`)
    Array(Option<Vec<RespValue>>),
}

impl RespValue {
    /// The text of a status, error or bulk reply.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            RespValue::Status(s) | RespValue::Error(s) => Some(s),
            RespValue::Bulk(Some(b)) => Some(b),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, RespValue::Error(_))
    }
}

/// Nesting limit (hiredis: REDIS_READER_STACK_SIZE is 9 levels).
const MAX_DEPTH: usize = 16;
/// Largest bulk accepted (proto-max-bulk-len's ceiling).
const MAX_BULK: i64 = 512 * 1024 * 1024;
/// Largest aggregate length accepted.
const MAX_ELEMENTS: i64 = 1 << 24;

/// Parse one reply from the start of `buf`: Ok(None) = incomplete,
/// Ok(Some((value, consumed))), Err(protocol error text).
pub fn parse_reply(buf: &[u8]) -> Result<Option<(RespValue, usize)>, String> {
    let mut pos = 0;
    match parse_at(buf, &mut pos, 0)? {
        Some(v) => Ok(Some((v, pos))),
        None => Ok(None),
    }
}

fn line_at<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let rest = buf.get(*pos..)?;
    let nl = memchr::memchr(b'\n', rest)?;
    if nl == 0 || rest[nl - 1] != b'\r' {
        // A bare LF: take the line as it is (hiredis needs CRLF, but being
        // lenient costs nothing and never misreads a well-formed reply).
        let line = &rest[..nl];
        *pos += nl + 1;
        return Some(line);
    }
    let line = &rest[..nl - 1];
    *pos += nl + 1;
    Some(line)
}

fn parse_int(s: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(s)
        .ok()
        .and_then(|t| t.parse::<i64>().ok())
        .ok_or_else(|| "Bad integer value".to_string())
}

fn parse_at(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Option<RespValue>, String> {
    if depth > MAX_DEPTH {
        return Err("Nesting too deep".to_string());
    }
    let start = *pos;
    let Some(&kind) = buf.get(*pos) else {
        return Ok(None);
    };
    *pos += 1;
    let Some(line) = line_at(buf, pos) else {
        *pos = start;
        return Ok(None);
    };
    let v = match kind {
        b'+' => RespValue::Status(line.to_vec()),
        b'-' => RespValue::Error(line.to_vec()),
        b':' => RespValue::Int(parse_int(line)?),
        b'_' => RespValue::Bulk(None),
        b'#' => RespValue::Int((line == b"t") as i64),
        b',' | b'(' => RespValue::Status(line.to_vec()),
        b'$' | b'=' | b'!' => {
            let n = parse_int(line)?;
            if n < 0 {
                if kind == b'!' {
                    return Err("Bad blob error length".to_string());
                }
                return Ok(Some(RespValue::Bulk(None)));
            }
            if n > MAX_BULK {
                return Err("Bulk string length out of range".to_string());
            }
            let n = n as usize;
            let end = *pos + n;
            if buf.len() < end + 2 {
                *pos = start;
                return Ok(None);
            }
            let mut body = &buf[*pos..end];
            *pos = end + 2;
            if kind == b'=' && body.len() >= 4 {
                body = &body[4..];
            }
            if kind == b'!' {
                RespValue::Error(body.to_vec())
            } else {
                RespValue::Bulk(Some(body.to_vec()))
            }
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = parse_int(line)?;
            if n < 0 {
                return Ok(Some(RespValue::Array(None)));
            }
            if n > MAX_ELEMENTS {
                return Err("Multi-bulk length out of range".to_string());
            }
            let count = if matches!(kind, b'%' | b'|') {
                n as usize * 2
            } else {
                n as usize
            };
            let mut items = Vec::with_capacity(count.min(1024));
            for _ in 0..count {
                match parse_at(buf, pos, depth + 1)? {
                    Some(v) => items.push(v),
                    None => {
                        *pos = start;
                        return Ok(None);
                    }
                }
            }
            if kind == b'|' {
                // An attribute precedes the real reply: skip it.
                return match parse_at(buf, pos, depth)? {
                    Some(v) => Ok(Some(v)),
                    None => {
                        *pos = start;
                        Ok(None)
                    }
                };
            }
            RespValue::Array(Some(items))
        }
        other => {
            return Err(format!(
                "Protocol error, got {:?} as reply type byte",
                other as char
            ))
        }
    };
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &[u8]) -> RespValue {
        let (v, n) = parse_reply(s).unwrap().unwrap();
        assert_eq!(n, s.len());
        v
    }

    #[test]
    fn scalars() {
        assert_eq!(one(b"+PONG\r\n"), RespValue::Status(b"PONG".to_vec()));
        assert_eq!(
            one(b"-NOAUTH Authentication required.\r\n"),
            RespValue::Error(b"NOAUTH Authentication required.".to_vec())
        );
        assert_eq!(one(b":-12\r\n"), RespValue::Int(-12));
        assert_eq!(
            one(b"$3\r\nabc\r\n"),
            RespValue::Bulk(Some(b"abc".to_vec()))
        );
        assert_eq!(one(b"$-1\r\n"), RespValue::Bulk(None));
        assert_eq!(one(b"*-1\r\n"), RespValue::Array(None));
        assert_eq!(one(b"_\r\n"), RespValue::Bulk(None));
        assert_eq!(one(b"#t\r\n"), RespValue::Int(1));
    }

    #[test]
    fn nested_and_incomplete() {
        let full = b"*3\r\n:1\r\n$1\r\n*\r\n:7\r\n";
        assert_eq!(
            one(full),
            RespValue::Array(Some(vec![
                RespValue::Int(1),
                RespValue::Bulk(Some(b"*".to_vec())),
                RespValue::Int(7)
            ]))
        );
        for cut in 0..full.len() {
            assert_eq!(parse_reply(&full[..cut]).unwrap(), None, "cut {}", cut);
        }
        // Two replies back to back: the first one only.
        let (v, n) = parse_reply(b"+OK\r\n+QUEUED\r\n").unwrap().unwrap();
        assert_eq!((v, n), (RespValue::Status(b"OK".to_vec()), 5));
        // RESP3 map and push become flat arrays.
        assert_eq!(
            one(b"%1\r\n+a\r\n:1\r\n"),
            RespValue::Array(Some(vec![
                RespValue::Status(b"a".to_vec()),
                RespValue::Int(1)
            ]))
        );
        assert_eq!(
            one(b">2\r\n$1\r\nx\r\n$1\r\ny\r\n"),
            RespValue::Array(Some(vec![
                RespValue::Bulk(Some(b"x".to_vec())),
                RespValue::Bulk(Some(b"y".to_vec()))
            ]))
        );
    }

    #[test]
    fn errors_and_limits() {
        assert!(parse_reply(b"?x\r\n").is_err());
        assert!(parse_reply(b":abc\r\n").is_err());
        assert!(parse_reply(b"$999999999999\r\n").is_err());
        let mut deep = Vec::new();
        for _ in 0..40 {
            deep.extend_from_slice(b"*1\r\n");
        }
        deep.extend_from_slice(b":1\r\n");
        assert!(parse_reply(&deep).is_err());
    }
}
