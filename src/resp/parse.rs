//! Incremental request parser: RESP multibulk and inline commands
//! (Redis's `processMultibulkBuffer` / `processInlineBuffer`).
//!
//! The parser keeps its state between reads (remaining multibulk count,
//! pending bulk length), so a command that trickles in byte by byte is parsed
//! in linear time. Parsed arguments are *ranges* into the client's query
//! buffer — no allocation per argument. Inline commands need unescaping, so
//! their arguments are copied into `inline_buf` and the ranges point there
//! (`Args::buf` tells which).
//!
//! Limits and error texts are Redis 7.0.15's byte for byte; the caller replies
//! `-ERR Protocol error: <text>` and closes the connection after the reply.
//! Like Redis, the CRLF after a bulk payload is skipped without being checked.
use crate::util::num::string2ll;

/// PROTO_INLINE_MAX_SIZE: max bytes of an inline request / count line.
pub const PROTO_INLINE_MAX_SIZE: usize = 1024 * 64;
/// Unauthenticated clients may send at most this many arguments...
pub const UNAUTH_MAX_MULTIBULK: i64 = 10;
/// ...and bulks of at most this many bytes (CVE-2021-32675).
pub const UNAUTH_MAX_BULK: i64 = 16384;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReqType {
    Unknown,
    Multibulk,
    Inline,
}

/// Per-parse limits supplied by the server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub proto_max_bulk_len: i64,
    pub authenticated: bool,
    /// Our master may send bulks of any size (Redis: CLIENT_MASTER).
    pub is_master: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command is in `argv` (possibly zero arguments: skip it).
    Command,
    /// More bytes are needed.
    Incomplete,
}

pub struct RequestParser {
    pub reqtype: ReqType,
    multibulk_left: i64,
    bulk_len: i64,
    /// Argument ranges, into the query buffer or into `inline_buf`.
    pub argv: Vec<(usize, usize)>,
    pub inline_buf: Vec<u8>,
    /// True when `argv` ranges refer to `inline_buf`.
    pub argv_inline: bool,
    /// Bytes of the bulk being read that are still missing (read-size hint).
    pub pending_bulk: usize,
    /// Where the command being parsed starts in the query buffer: bytes
    /// before it may be discarded, bytes after it may not (ranges point there).
    pub cmd_start: usize,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl RequestParser {
    pub fn new() -> Self {
        RequestParser {
            reqtype: ReqType::Unknown,
            multibulk_left: 0,
            bulk_len: -1,
            argv: Vec::new(),
            inline_buf: Vec::new(),
            argv_inline: false,
            pending_bulk: 0,
            cmd_start: 0,
        }
    }

    /// Forget the current command (after it was executed or on error).
    pub fn reset(&mut self) {
        self.reqtype = ReqType::Unknown;
        self.multibulk_left = 0;
        self.bulk_len = -1;
        self.argv.clear();
        self.argv_inline = false;
        self.pending_bulk = 0;
    }

    /// True when a multibulk command is partially parsed (ranges pending).
    pub fn in_progress(&self) -> bool {
        self.reqtype != ReqType::Unknown
    }

    /// The query buffer lost its first `shift` bytes: move pending ranges.
    pub fn shift(&mut self, shift: usize) {
        self.cmd_start = self.cmd_start.saturating_sub(shift);
        if !self.argv_inline {
            for r in self.argv.iter_mut() {
                r.0 -= shift;
                r.1 -= shift;
            }
        }
    }

    /// Parse from `buf[*pos..]`, advancing `pos` past consumed bytes.
    pub fn parse(&mut self, buf: &[u8], pos: &mut usize, lim: &Limits) -> Result<Parsed, String> {
        if self.reqtype == ReqType::Unknown {
            if *pos >= buf.len() {
                return Ok(Parsed::Incomplete);
            }
            self.reqtype = if buf[*pos] == b'*' {
                ReqType::Multibulk
            } else {
                ReqType::Inline
            };
            self.cmd_start = *pos;
        }
        match self.reqtype {
            ReqType::Inline => self.parse_inline(buf, pos),
            _ => self.parse_multibulk(buf, pos, lim),
        }
    }

    fn parse_inline(&mut self, buf: &[u8], pos: &mut usize) -> Result<Parsed, String> {
        let rest = &buf[*pos..];
        let nl = match memchr::memchr(b'\n', rest) {
            Some(i) => i,
            None => {
                if rest.len() > PROTO_INLINE_MAX_SIZE {
                    return Err("too big inline request".into());
                }
                return Ok(Parsed::Incomplete);
            }
        };
        let mut line = &rest[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        self.inline_buf.clear();
        self.argv.clear();
        if !split_args(line, &mut self.inline_buf, &mut self.argv) {
            return Err("unbalanced quotes in request".into());
        }
        self.argv_inline = true;
        *pos += nl + 1;
        Ok(Parsed::Command)
    }

    fn parse_multibulk(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        lim: &Limits,
    ) -> Result<Parsed, String> {
        if self.multibulk_left == 0 {
            // Read the "*<count>\r\n" line.
            let rest = &buf[*pos..];
            let cr = match memchr::memchr(b'\r', rest) {
                Some(i) => i,
                None => {
                    if rest.len() > PROTO_INLINE_MAX_SIZE {
                        return Err("too big mbulk count string".into());
                    }
                    return Ok(Parsed::Incomplete);
                }
            };
            if cr + 2 > rest.len() {
                return Ok(Parsed::Incomplete);
            }
            let n = match string2ll(&rest[1..cr]) {
                Some(n) if n <= i32::MAX as i64 => n,
                _ => return Err("invalid multibulk length".into()),
            };
            if !lim.authenticated && n > UNAUTH_MAX_MULTIBULK {
                return Err("unauthenticated multibulk length".into());
            }
            *pos += cr + 2;
            if n <= 0 {
                // "*0" / "*-1": an empty command, silently skipped.
                self.argv.clear();
                return Ok(Parsed::Command);
            }
            self.multibulk_left = n;
            self.argv.clear();
            // Never trust the count for preallocation beyond a sane bound.
            self.argv.reserve((n as usize).min(1024));
        }
        while self.multibulk_left > 0 {
            if self.bulk_len == -1 {
                let rest = &buf[*pos..];
                let cr = match memchr::memchr(b'\r', rest) {
                    Some(i) => i,
                    None => {
                        if rest.len() > PROTO_INLINE_MAX_SIZE {
                            return Err("too big bulk count string".into());
                        }
                        return Ok(Parsed::Incomplete);
                    }
                };
                if cr + 2 > rest.len() {
                    return Ok(Parsed::Incomplete);
                }
                if rest[0] != b'$' {
                    return Err(format!("expected '$', got '{}'", rest[0] as char));
                }
                let n = match string2ll(&rest[1..cr]) {
                    Some(n) if n >= 0 && (lim.is_master || n <= lim.proto_max_bulk_len) => n,
                    _ => return Err("invalid bulk length".into()),
                };
                if !lim.authenticated && n > UNAUTH_MAX_BULK {
                    return Err("unauthenticated bulk length".into());
                }
                *pos += cr + 2;
                self.bulk_len = n;
            }
            let need = self.bulk_len as usize + 2;
            let avail = buf.len() - *pos;
            if avail < need {
                self.pending_bulk = need - avail;
                return Ok(Parsed::Incomplete);
            }
            self.pending_bulk = 0;
            self.argv.push((*pos, *pos + self.bulk_len as usize));
            *pos += need;
            self.bulk_len = -1;
            self.multibulk_left -= 1;
        }
        Ok(Parsed::Command)
    }
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Split a line into arguments with Redis's `sdssplitargs` quoting rules:
/// `"..."` with \n \r \t \b \a \\ \" \xHH escapes, `'...'` with \' only; a
/// closing quote must be followed by a space or the end. Arguments are
/// appended to `out` and their ranges to `ranges`. Returns false on
/// unbalanced quotes.
pub fn split_args(line: &[u8], out: &mut Vec<u8>, ranges: &mut Vec<(usize, usize)>) -> bool {
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= n {
            return true;
        }
        let start = out.len();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if i >= n {
                    return false;
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && line[i + 2].is_ascii_hexdigit()
                    && line[i + 3].is_ascii_hexdigit()
                {
                    out.push(hex_val(line[i + 2]) * 16 + hex_val(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    out.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !line[i + 1].is_ascii_whitespace() {
                        return false;
                    }

                    i += 1;
                    break;
                } else {
                    out.push(c);
                }
                i += 1;
            } else if in_sq {
                if i >= n {
                    return false;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    out.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !line[i + 1].is_ascii_whitespace() {
                        return false;
                    }

                    i += 1;
                    break;
                } else {
                    out.push(c);
                }
                i += 1;
            } else {
                if i >= n {
                    break;
                }
                let c = line[i];
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    _ => out.push(c),
                }
                i += 1;
            }
        }
        ranges.push((start, out.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits {
        proto_max_bulk_len: 512 * 1024 * 1024,
        authenticated: true,
        is_master: false,
    };

    fn args(p: &RequestParser, buf: &[u8]) -> Vec<Vec<u8>> {
        let src = if p.argv_inline {
            &p.inline_buf[..]
        } else {
            buf
        };
        p.argv.iter().map(|&(a, b)| src[a..b].to_vec()).collect()
    }

    #[test]
    fn multibulk_whole_and_split_at_every_byte() {
        let msg = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(msg, &mut pos, &LIM), Ok(Parsed::Command));
        assert_eq!(pos, msg.len());
        assert_eq!(
            args(&p, msg),
            vec![b"SET".to_vec(), b"k".to_vec(), b"hello".to_vec()]
        );
        for cut in 0..msg.len() {
            let mut p = RequestParser::new();
            let mut pos = 0;
            assert_eq!(
                p.parse(&msg[..cut], &mut pos, &LIM),
                Ok(Parsed::Incomplete),
                "cut {cut}"
            );
            assert_eq!(p.parse(msg, &mut pos, &LIM), Ok(Parsed::Command));
            assert_eq!(args(&p, msg)[2], b"hello");
        }
    }

    #[test]
    fn protocol_errors_have_redis_texts() {
        let cases: &[(&[u8], &str)] = &[
            (b"*3000000000\r\n", "invalid multibulk length"),
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*1\r\nfoo\r\n", "expected '$', got 'f'"),
            (b"*1\r\n$-10\r\n", "invalid bulk length"),
            (b"*1\r\n$2000000000\r\n", "invalid bulk length"),
            (b"*1\r\n$blabla\r\n", "invalid bulk length"),
            (
                b"set \"\"\"test-key\"\"\" test-value\r\n",
                "unbalanced quotes in request",
            ),
        ];
        for (input, want) in cases {
            let mut p = RequestParser::new();
            let mut pos = 0;
            let lim = Limits {
                proto_max_bulk_len: 1024 * 1024 * 1024,
                ..LIM
            };
            assert_eq!(
                p.parse(input, &mut pos, &lim),
                Err(want.to_string()),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        let big = vec![b'a'; PROTO_INLINE_MAX_SIZE + 1];
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(&big, &mut 0, &LIM),
            Err("too big inline request".into())
        );
        let mut big = b"*".to_vec();
        big.extend(std::iter::repeat_n(b'1', 70000));
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(&big, &mut 0, &LIM),
            Err("too big mbulk count string".into())
        );
        let mut big = b"*1\r\n$".to_vec();
        big.extend(std::iter::repeat_n(b'1', 70000));
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(&big, &mut 0, &LIM),
            Err("too big bulk count string".into())
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let lim = Limits {
            authenticated: false,
            ..LIM
        };
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(b"*11\r\n", &mut 0, &lim),
            Err("unauthenticated multibulk length".into())
        );
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(b"*1\r\n$16385\r\n", &mut 0, &lim),
            Err("unauthenticated bulk length".into())
        );
    }

    #[test]
    fn empty_multibulk_and_inline() {
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(b"*-10\r\n", &mut pos, &LIM), Ok(Parsed::Command));
        assert!(p.argv.is_empty());
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(b"\r\n", &mut pos, &LIM), Ok(Parsed::Command));
        assert!(p.argv.is_empty());
        assert_eq!(pos, 2);
    }

    #[test]
    fn inline_quoting() {
        let line = b"SET \"a b\" \"c\\x41\" 'it\\'s'\n";
        let mut p = RequestParser::new();
        let mut pos = 0;
        assert_eq!(p.parse(line, &mut pos, &LIM), Ok(Parsed::Command));
        assert_eq!(
            args(&p, line),
            vec![
                b"SET".to_vec(),
                b"a b".to_vec(),
                b"cA".to_vec(),
                b"it's".to_vec()
            ]
        );
        let mut out = Vec::new();
        let mut r = Vec::new();
        assert!(!split_args(b"\"foo\"bar", &mut out, &mut r));
        assert!(!split_args(b"\"foo", &mut out, &mut r));
    }

    #[test]
    fn random_chunking_never_panics() {
        let mut x: u64 = 0x9E3779B97F4A7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = b"*$\r\n0123456789-abc \"'\\x";
        for _ in 0..20000 {
            let len = (next() % 40) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let mut p = RequestParser::new();
            let mut pos = 0;
            let lim = Limits {
                authenticated: next() % 2 == 0,
                ..LIM
            };
            for _ in 0..10 {
                match p.parse(&buf, &mut pos, &lim) {
                    Ok(Parsed::Command) => {
                        for &(a, b) in &p.argv {
                            let src = if p.argv_inline {
                                &p.inline_buf[..]
                            } else {
                                &buf[..]
                            };
                            assert!(a <= b && b <= src.len());
                        }
                        p.reset();
                        if pos >= buf.len() {
                            break;
                        }
                    }
                    _ => break,
                }
            }
        }
    }
}
