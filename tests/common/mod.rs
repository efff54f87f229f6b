//! Shared harness of the black-box integration tests (`tests/*.rs`).
//!
//! Two pieces, std only (no external crates, no unsafe):
//!
//! * [`Conn`]: a small RESP client of our own. It sends commands as multibulk
//!   (`*N\r\n$len\r\n...`) or raw bytes, reads one reply parsed into [`Reply`]
//!   (RESP2 and RESP3 types), or reads raw bytes with a timeout, so tests can
//!   assert the exact bytes Redis 7.0.15 sends.
//! * [`TestServer`]: a guard that starts the server binary on a free loopback
//!   port in a fresh temp dir (`--save "" --port P --dir D --bind 127.0.0.1`
//!   plus extra args), waits until it logged "Ready to accept connections" and
//!   answers an inline `PING` (any `+`/`-` reply counts, like the Tcl suite's
//!   `server_is_up`), and on Drop kills it by
//!   pid and removes the dir. The binary is `env!("CARGO_BIN_EXE_redis-server")`
//!   unless `FERRODIS_TEST_SERVER` names another one: run
//!   `FERRODIS_TEST_SERVER=/usr/bin/redis-server cargo test --test protocol`
//!   to check an expectation against the real Redis 7.0.15 first.
//!
//! Ports are drawn at random from 40000-49999 (the project's loopback range
//! for test servers), probed with a bind, and the start is retried on another
//! port if the server fails to listen (another test grabbed it meanwhile).
#![allow(dead_code)]

use std::fmt;
use std::fs;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Default time to wait for one reply.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// Reply
// ---------------------------------------------------------------------------

/// One parsed reply. RESP2 null bulk / null array are `Nil` / `NilArray`;
/// RESP3's `_` is `Null`.
#[derive(Clone, PartialEq)]
pub enum Reply {
    Status(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<Reply>),
    NilArray,
    // RESP3
    Null,
    Double(Vec<u8>),
    Bool(bool),
    BigNum(Vec<u8>),
    Verbatim(Vec<u8>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    Attribute(Vec<(Reply, Reply)>),
}

impl Reply {
    pub fn status(s: &str) -> Reply {
        Reply::Status(s.as_bytes().to_vec())
    }
    pub fn error(s: &str) -> Reply {
        Reply::Error(s.as_bytes().to_vec())
    }
    pub fn bulk(s: &[u8]) -> Reply {
        Reply::Bulk(s.to_vec())
    }
    /// The text of a status, error, bulk or verbatim reply.
    pub fn text(&self) -> String {
        match self {
            Reply::Status(b) | Reply::Error(b) | Reply::Bulk(b) | Reply::Verbatim(b) => {
                String::from_utf8_lossy(b).into_owned()
            }
            Reply::Int(n) => n.to_string(),
            other => format!("{:?}", other),
        }
    }
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

fn fmt_bytes(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{:02x}", c)),
        }
    }
    s
}

/// Printable form of raw bytes for assertion messages.
pub fn show(b: &[u8]) -> String {
    if b.len() > 400 {
        format!("\"{}\"... ({} bytes)", fmt_bytes(&b[..400]), b.len())
    } else {
        format!("\"{}\"", fmt_bytes(b))
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Status(b) => write!(f, "+{}", show(b)),
            Reply::Error(b) => write!(f, "-{}", show(b)),
            Reply::Int(n) => write!(f, ":{}", n),
            Reply::Bulk(b) => write!(f, "${}", show(b)),
            Reply::Nil => write!(f, "$nil"),
            Reply::Array(v) => write!(f, "*{:?}", v),
            Reply::NilArray => write!(f, "*nil"),
            Reply::Null => write!(f, "_null"),
            Reply::Double(b) => write!(f, ",{}", show(b)),
            Reply::Bool(x) => write!(f, "#{}", x),
            Reply::BigNum(b) => write!(f, "({}", show(b)),
            Reply::Verbatim(b) => write!(f, "={}", show(b)),
            Reply::Map(v) => write!(f, "%{:?}", v),
            Reply::Set(v) => write!(f, "~{:?}", v),
            Reply::Push(v) => write!(f, ">{:?}", v),
            Reply::Attribute(v) => write!(f, "|{:?}", v),
        }
    }
}

// ---------------------------------------------------------------------------
// Conn: the RESP client
// ---------------------------------------------------------------------------

/// A client connection. Bytes read but not yet consumed stay in `buf`.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
}

/// Encode `args` as one multibulk request.
pub fn multibulk<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(16 + args.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl Conn {
    /// Connect to 127.0.0.1:`port`.
    pub fn connect(port: u16) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(
            &SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            Duration::from_secs(5),
        )?;
        Ok(Conn::from_stream(stream))
    }

    /// Connect to 127.0.0.1:`port` from a socket bound to `src` first (e.g.
    /// 127.0.0.2, which Redis does not count as a local client).
    pub fn connect_from(src: IpAddr, port: u16) -> io::Result<Conn> {
        let stream = ferrodis::sys::net::tcp_connect_from(
            src,
            &SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        )?;
        Ok(Conn::from_stream(stream))
    }

    fn from_stream(stream: TcpStream) -> Conn {
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(REPLY_TIMEOUT));
        Conn {
            stream,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// Send one command as a multibulk request.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> io::Result<()> {
        self.stream.write_all(&multibulk(args))
    }

    /// Send raw bytes as they are (one write call).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Send one command and read its reply; panics on I/O errors (tests only).
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        self.send(args).expect("send command");
        self.read_reply().expect("read reply")
    }

    /// Fill `buf` with at least one more byte; Ok(false) on EOF.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(i) = self.buf[self.pos..].windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[self.pos..self.pos + i].to_vec();
                self.pos += i + 2;
                return Ok(line);
            }
            if !self.fill()? {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
        }
    }

    fn read_n(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() - self.pos < n {
            if !self.fill()? {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "connection closed",
                ));
            }
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    fn parse_len(line: &[u8]) -> io::Result<i64> {
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| {
                io::Error::new(ErrorKind::InvalidData, format!("bad length {}", show(line)))
            })
    }

    /// Read one complete reply.
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        let line = self.read_line()?;
        let (kind, rest) = match line.split_first() {
            Some((k, r)) => (*k, r.to_vec()),
            None => return Err(io::Error::new(ErrorKind::InvalidData, "empty reply line")),
        };
        Ok(match kind {
            b'+' => Reply::Status(rest),
            b'-' => Reply::Error(rest),
            b':' => Reply::Int(Self::parse_len(&rest)?),
            b'$' | b'=' | b'!' => {
                let n = Self::parse_len(&rest)?;
                if n < 0 {
                    return Ok(Reply::Nil);
                }
                let mut data = self.read_n(n as usize + 2)?;
                data.truncate(n as usize);
                match kind {
                    b'$' => Reply::Bulk(data),
                    b'=' => Reply::Verbatim(data),
                    _ => Reply::Error(data),
                }
            }
            b'*' | b'~' | b'>' => {
                let n = Self::parse_len(&rest)?;
                if n < 0 {
                    return Ok(Reply::NilArray);
                }
                let mut v = Vec::with_capacity(n.min(1024) as usize);
                for _ in 0..n {
                    v.push(self.read_reply()?);
                }
                match kind {
                    b'*' => Reply::Array(v),
                    b'~' => Reply::Set(v),
                    _ => Reply::Push(v),
                }
            }
            b'%' | b'|' => {
                let n = Self::parse_len(&rest)?;
                let mut v = Vec::with_capacity(n.clamp(0, 1024) as usize);
                for _ in 0..n {
                    let k = self.read_reply()?;
                    let val = self.read_reply()?;
                    v.push((k, val));
                }
                if kind == b'%' {
                    Reply::Map(v)
                } else {
                    Reply::Attribute(v)
                }
            }
            b'_' => Reply::Null,
            b',' => Reply::Double(rest),
            b'#' => Reply::Bool(rest == b"t"),
            b'(' => Reply::BigNum(rest),
            _ => {
                return Err(io::Error::new(
                    ErrorKind::InvalidData,
                    format!("bad reply type byte in {}", show(&line)),
                ))
            }
        })
    }

    /// Read raw bytes until `n` bytes arrived, EOF, or `timeout` passed.
    pub fn read_raw_n(&mut self, n: usize, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        while self.buf.len() - self.pos < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let _ = self
                .stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            match self.fill() {
                Ok(true) => {}
                _ => break,
            }
        }
        let _ = self.stream.set_read_timeout(Some(REPLY_TIMEOUT));
        let end = (self.pos + n).min(self.buf.len());
        let out = self.buf[self.pos..end].to_vec();
        self.pos = end;
        out
    }

    /// Read whatever arrives until EOF or until `timeout` passed.
    pub fn read_raw(&mut self, timeout: Duration) -> Vec<u8> {
        self.read_raw_n(usize::MAX / 2, timeout)
    }

    /// Read exactly `expected.len()` bytes and assert they equal `expected`.
    #[track_caller]
    pub fn expect_raw(&mut self, expected: &[u8]) {
        let got = self.read_raw_n(expected.len(), REPLY_TIMEOUT);
        assert_eq!(
            got,
            expected,
            "\n  got:      {}\n  expected: {}",
            show(&got),
            show(expected)
        );
    }

    /// True when the server closes the connection (EOF or reset) within
    /// `timeout` without sending anything more.
    pub fn is_closed_within(&mut self, timeout: Duration) -> bool {
        if self.pos < self.buf.len() {
            return false;
        }
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let _ = self
                .stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            match self.stream.read(&mut chunk) {
                Ok(0) => return true,
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return false;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return false
                }
                Err(_) => return true, // reset
            }
        }
    }

    /// Assert the server closed the connection (within 5 s).
    #[track_caller]
    pub fn assert_closed(&mut self) {
        let closed = self.is_closed_within(Duration::from_secs(5));
        let extra = self.buf[self.pos..].to_vec();
        assert!(
            closed,
            "connection still open; extra bytes: {}",
            show(&extra)
        );
    }

    /// Half-close our side (the server then sees EOF).
    pub fn shutdown_write(&self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }
}

// ---------------------------------------------------------------------------
// TestServer
// ---------------------------------------------------------------------------

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// xorshift64* step (also used by the fuzz tests).
pub fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let c = COUNTER.fetch_add(1, Ordering::Relaxed);
    (t ^ ((std::process::id() as u64) << 32) ^ c.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1
}

/// A port in 40000-49999 that is free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    let mut s = seed();
    for _ in 0..1000 {
        let port = 40000 + (xorshift(&mut s) % 10000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in 40000-49999");
}

/// The server binary under test.
pub fn server_bin() -> String {
    std::env::var("FERRODIS_TEST_SERVER")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_redis-server").to_string())
}

/// True when the tests run against another binary (e.g. the real Redis).
pub fn is_reference_server() -> bool {
    std::env::var("FERRODIS_TEST_SERVER")
        .map(|s| !s.is_empty())
        .unwrap_or(false)
}

/// A fresh, unique temp directory.
pub fn temp_dir(tag: &str) -> PathBuf {
    let base = std::env::temp_dir();
    loop {
        let d = base.join(format!(
            "ferrodis-{}-{}-{:x}",
            tag,
            std::process::id(),
            seed() & 0xffff_ffff
        ));
        if fs::create_dir(&d).is_ok() {
            return d;
        }
    }
}

/// A running server; killed (SIGKILL by pid) and its dir removed on Drop.
pub struct TestServer {
    child: Child,
    pub port: u16,
    pub pid: u32,
    pub dir: PathBuf,
    /// The `--requirepass` given, used by the health checks.
    pub password: Option<String>,
}

impl TestServer {
    /// Start with the default arguments only.
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// Start with extra arguments (`["--maxclients", "3"]`); panics on failure.
    pub fn start_with(extra: &[&str]) -> TestServer {
        match Self::try_start_with(extra) {
            Ok(s) => s,
            Err(e) => panic!("server did not start: {}", e),
        }
    }

    pub fn try_start_with(extra: &[&str]) -> Result<TestServer, String> {
        let mut last_err = String::new();
        for _ in 0..5 {
            let dir = temp_dir("srv");
            let port = free_port();
            match Self::spawn(&dir, port, extra) {
                Ok(s) => return Ok(s),
                Err(e) => {
                    last_err = e;
                    let _ = fs::remove_dir_all(&dir);
                }
            }
        }
        Err(last_err)
    }

    fn spawn(dir: &Path, port: u16, extra: &[&str]) -> Result<TestServer, String> {
        let out = fs::File::create(dir.join("stdout")).map_err(|e| e.to_string())?;
        let err = fs::File::create(dir.join("stderr")).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(server_bin());
        cmd.arg("--save")
            .arg("")
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(dir);
        if !extra.contains(&"--bind") {
            cmd.arg("--bind").arg("127.0.0.1");
        }
        cmd.args(extra)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = cmd
            .spawn()
            .map_err(|e| format!("spawn {}: {}", server_bin(), e))?;
        let password = extra
            .iter()
            .position(|a| *a == "--requirepass")
            .and_then(|i| extra.get(i + 1))
            .map(|s| s.to_string());
        let pid = child.id();
        let mut srv = TestServer {
            child,
            port,
            pid,
            dir: dir.to_path_buf(),
            password,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !srv.is_alive() {
                return Err(format!(
                    "server exited at start; stdout: {} stderr: {}",
                    srv.log(),
                    srv.stderr()
                ));
            }
            // the ready line first: if another process took the port
            // meanwhile, its answers must not be mistaken for ours
            if srv.log().contains("Ready to accept connections") && srv.answers_ping() {
                return Ok(srv);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "server did not answer PING within 10 s; log: {}",
            srv.log()
        ))
    }

    /// Inline PING gets a `+` or `-` reply (the suite's `server_is_up`).
    fn answers_ping(&self) -> bool {
        let Ok(mut c) = Conn::connect(self.port) else {
            return false;
        };
        let _ = c.stream.set_read_timeout(Some(Duration::from_millis(500)));
        if c.send_raw(b"PING\r\n").is_err() {
            return false;
        }
        matches!(
            c.read_raw_n(1, Duration::from_millis(500)).first(),
            Some(b'+') | Some(b'-')
        )
    }

    /// A new client connection (authenticated when a password was given).
    pub fn conn(&self) -> Conn {
        let mut c = Conn::connect(self.port).expect("connect to test server");
        if let Some(p) = &self.password {
            assert_eq!(c.cmd(&["AUTH", p.as_str()]), Reply::status("OK"));
        }
        c
    }

    /// A new connection with no AUTH sent.
    pub fn raw_conn(&self) -> Conn {
        Conn::connect(self.port).expect("connect to test server")
    }

    /// Is the process still running?
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Panic unless the process is alive and a fresh connection gets PONG.
    pub fn assert_healthy(&mut self, context: &str) {
        assert!(
            self.is_alive(),
            "server died after: {}\nstderr: {}\nlog tail: {}",
            context,
            self.stderr(),
            tail(&self.log(), 2000)
        );
        let mut c = match Conn::connect(self.port) {
            Ok(c) => c,
            Err(e) => panic!("cannot connect after {}: {}", context, e),
        };
        if let Some(p) = self.password.clone() {
            c.send(&["AUTH", p.as_str()]).expect("send AUTH");
            c.expect_raw(b"+OK\r\n");
        }
        c.send_raw(b"*1\r\n$4\r\nPING\r\n").expect("send PING");
        let got = c.read_raw_n(7, Duration::from_secs(10));
        assert_eq!(
            got,
            b"+PONG\r\n",
            "no PONG after {}: got {}",
            context,
            show(&got)
        );
        self.assert_no_panic(context);
    }

    /// Panic if the server printed a Rust panic message on stderr.
    pub fn assert_no_panic(&self, context: &str) {
        let e = self.stderr();
        assert!(
            !e.contains("panicked"),
            "server panicked after {}: {}",
            context,
            e
        );
    }

    /// The server's stdout (its log when logfile is "").
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("stdout")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    /// Send SIGTERM and wait up to `timeout` for the exit; returns the exit status code.
    pub fn terminate(&mut self, timeout: Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("FERRODIS_KEEP_TEST_DIRS").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The last `n` bytes of `s` (on a char boundary).
pub fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Field `name` of an INFO reply text (`name:value\r\n`).
pub fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .map(|v| v.trim_end().to_string())
}
