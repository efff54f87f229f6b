//! Reply encoder (Redis's `addReply*` family in networking.c).
//!
//! `Reply` is a byte buffer plus the protocol version. Every `add_*` appends
//! the encoded value; nothing is written to the socket here — the event loop
//! flushes each client's buffer once per turn (`before_sleep`).
//!
//! Error replies are counted for INFO errorstats: each error's code (its first
//! word, e.g. `ERR`, `WRONGTYPE`) is remembered in `error_codes` for the server
//! to drain after the command, as Redis's `afterErrorReply` does.
use crate::util::num::{d2string_resp, ll2string};

pub struct Reply {
    pub buf: Vec<u8>,
    /// Bytes of `buf` already written to the socket.
    pub sent: usize,
    /// 2 or 3 (HELLO).
    pub resp: u8,
    /// Codes of the error replies added since the last drain.
    pub error_codes: Vec<String>,
    /// CLIENT REPLY OFF/SKIP: replies are dropped while false.
    pub enabled: bool,
}

impl Default for Reply {
    fn default() -> Self {
        Self::new()
    }
}

impl Reply {
    pub fn new() -> Reply {
        Reply {
            buf: Vec::new(),
            sent: 0,
            resp: 2,
            error_codes: Vec::new(),
            enabled: true,
        }
    }

    /// Bytes queued and not yet sent.
    #[inline]
    pub fn pending(&self) -> usize {
        self.buf.len() - self.sent
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        if self.enabled {
            self.buf.extend_from_slice(bytes);
        }
    }

    #[inline]
    fn prefixed_int(&mut self, prefix: u8, n: i64) {
        if self.enabled {
            self.buf.push(prefix);
            ll2string(&mut self.buf, n);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    pub fn ok(&mut self) {
        self.raw(b"+OK\r\n");
    }

    /// `+<s>\r\n` (s must not contain CR/LF).
    pub fn status(&mut self, s: &[u8]) {
        if self.enabled {
            self.buf.push(b'+');
            self.buf.extend_from_slice(s);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// `-<msg>\r\n`: `msg` starts with the error code (`ERR ...`). CR/LF in
    /// the message are replaced by spaces so a reply can never be split.
    pub fn error(&mut self, msg: &str) {
        let code = msg.split(' ').next().unwrap_or("ERR");
        self.error_codes.push(code.to_string());
        if self.enabled {
            self.buf.push(b'-');
            for &b in msg.as_bytes() {
                self.buf
                    .push(if b == b'\r' || b == b'\n' { b' ' } else { b });
            }
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    pub fn int(&mut self, n: i64) {
        self.prefixed_int(b':', n);
    }

    pub fn bulk(&mut self, s: &[u8]) {
        if self.enabled {
            self.prefixed_int(b'$', s.len() as i64);
            self.buf.extend_from_slice(s);
            self.buf.extend_from_slice(b"\r\n");
        }
    }

    /// Bulk string of the decimal form of `n`.
    pub fn bulk_int(&mut self, n: i64) {
        let mut tmp = Vec::with_capacity(24);
        ll2string(&mut tmp, n);
        self.bulk(&tmp);
    }

    pub fn array_len(&mut self, n: usize) {
        self.prefixed_int(b'*', n as i64);
    }

    /// Map header: `%n` in RESP3, `*2n` in RESP2.
    pub fn map_len(&mut self, n: usize) {
        if self.resp >= 3 {
            self.prefixed_int(b'%', n as i64);
        } else {
            self.prefixed_int(b'*', 2 * n as i64);
        }
    }

    /// Set header: `~n` in RESP3, `*n` in RESP2.
    pub fn set_len(&mut self, n: usize) {
        self.prefixed_int(if self.resp >= 3 { b'~' } else { b'*' }, n as i64);
    }

    /// Push header (`>n` in RESP3, an array in RESP2).
    pub fn push_len(&mut self, n: usize) {
        self.prefixed_int(if self.resp >= 3 { b'>' } else { b'*' }, n as i64);
    }

    /// Null bulk: `_` in RESP3, `$-1` in RESP2.
    pub fn null(&mut self) {
        if self.resp >= 3 {
            self.raw(b"_\r\n");
        } else {
            self.raw(b"$-1\r\n");
        }
    }

    /// Null array: `_` in RESP3, `*-1` in RESP2.
    pub fn null_array(&mut self) {
        if self.resp >= 3 {
            self.raw(b"_\r\n");
        } else {
            self.raw(b"*-1\r\n");
        }
    }

    pub fn empty_array(&mut self) {
        self.raw(b"*0\r\n");
    }

    pub fn bool(&mut self, v: bool) {
        if self.resp >= 3 {
            self.raw(if v { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(v as i64);
        }
    }

    /// Double: RESP3 `,<d>`; RESP2 a bulk string in `%.17g` form.
    pub fn double(&mut self, d: f64) {
        let mut tmp = Vec::with_capacity(32);
        d2string_resp(&mut tmp, d);
        if self.resp >= 3 {
            if self.enabled {
                self.buf.push(b',');
                self.buf.extend_from_slice(&tmp);
                self.buf.extend_from_slice(b"\r\n");
            }
        } else {
            self.bulk(&tmp);
        }
    }

    /// Verbatim string (RESP3 `=len\r\ntxt:...`), a bulk string in RESP2.
    pub fn verbatim(&mut self, s: &[u8], ext: &str) {
        if self.resp >= 3 {
            if self.enabled {
                self.prefixed_int(b'=', (s.len() + 4) as i64);
                self.buf.extend_from_slice(ext.as_bytes());
                self.buf.push(b':');
                self.buf.extend_from_slice(s);
                self.buf.extend_from_slice(b"\r\n");
            }
        } else {
            self.bulk(s);
        }
    }

    /// Reserve room for an aggregate header whose length is known later.
    pub fn deferred_len(&mut self) -> usize {
        self.buf.len()
    }

    /// Fill in a header reserved by `deferred_len` (shifts the bytes after it).
    pub fn set_deferred(&mut self, at: usize, prefix: u8, n: usize) {
        if !self.enabled || at > self.buf.len() {
            return;
        }
        let mut hdr = Vec::with_capacity(16);
        hdr.push(prefix);
        ll2string(&mut hdr, n as i64);
        hdr.extend_from_slice(b"\r\n");
        self.buf.splice(at..at, hdr);
    }

    pub fn set_deferred_array(&mut self, at: usize, n: usize) {
        self.set_deferred(at, b'*', n);
    }

    pub fn set_deferred_map(&mut self, at: usize, n: usize) {
        if self.resp >= 3 {
            self.set_deferred(at, b'%', n);
        } else {
            self.set_deferred(at, b'*', 2 * n);
        }
    }

    pub fn set_deferred_set(&mut self, at: usize, n: usize) {
        let p = if self.resp >= 3 { b'~' } else { b'*' };
        self.set_deferred(at, p, n);
    }

    /// Drop what was sent and reset the cursor (called once the buffer drains).
    pub fn compact(&mut self) {
        if self.sent >= self.buf.len() {
            self.buf.clear();
            self.sent = 0;
            if self.buf.capacity() > 64 * 1024 {
                self.buf.shrink_to(16 * 1024);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_resp2_and_resp3() {
        let mut r = Reply::new();
        r.map_len(2);
        r.null();
        r.null_array();
        r.bool(true);
        r.bulk(b"hi");
        r.int(-5);
        assert_eq!(r.buf, b"*4\r\n$-1\r\n*-1\r\n:1\r\n$2\r\nhi\r\n:-5\r\n");
        let mut r = Reply::new();
        r.resp = 3;
        r.map_len(2);
        r.null();
        r.bool(false);
        r.double(1.5);
        assert_eq!(r.buf, b"%2\r\n_\r\n#f\r\n,1.5\r\n");
    }

    #[test]
    fn deferred_headers_and_errors() {
        let mut r = Reply::new();
        let at = r.deferred_len();
        r.bulk(b"a");
        r.bulk(b"b");
        r.set_deferred_array(at, 2);
        assert_eq!(r.buf, b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
        let mut r = Reply::new();
        r.error("WRONGTYPE Operation\r\nx");
        assert_eq!(r.buf, b"-WRONGTYPE Operation  x\r\n");
        assert_eq!(r.error_codes, vec!["WRONGTYPE".to_string()]);
    }
}
