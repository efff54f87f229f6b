//! Robustness against hostile or broken clients (issue requirement; the B1/B2
//! rows of shared/docs/errors-and-limits.md §3.6): garbage bytes, half
//! commands, a 1 GB bulk header with a partial body, a multibulk of 10^6
//! arguments, and seeded random frames. After each case a fresh connection
//! must still get `+PONG`, the process must be alive and its stderr must not
//! show a Rust panic.
//!
//! Every loop is bounded in count and time; the fuzz seed is printed and can
//! be fixed with `FERRODIS_FUZZ_SEED`, the frame count with
//! `FERRODIS_FUZZ_FRAMES` (default 20000) and the time cap with
//! `FERRODIS_FUZZ_SECS` (default 30).
mod common;

use common::*;
use std::time::{Duration, Instant};

#[test]
fn garbage_bytes_do_not_hurt() {
    let mut srv = TestServer::start();
    let cases: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\x03\xff\xfe\r\n".to_vec(),
        b"\xff".repeat(70_000),
        b"*\r\n".to_vec(),
        b"$\r\n".to_vec(),
        b"*1\r\n$\r\n".to_vec(),
        b"*-1\r\n*1\r\n$-1\r\n".to_vec(),
        b"*1\r\n$0\r\n\r\n".to_vec(),
        b"*2\r\n$4\r\nECHO\r\n$-1\r\n".to_vec(),
        b"*9223372036854775807\r\n".to_vec(),
        b"*-9223372036854775808\r\n".to_vec(),
        b"*99999999999999999999999\r\n".to_vec(),
        b"*1\r\n$9223372036854775807\r\n".to_vec(),
        b"*1\r\n$-9223372036854775808\r\n".to_vec(),
        b"\r\r\r\r\n\n\n".to_vec(),
        b"\"\\x\"\r\n".to_vec(),
        b"ECHO \"\\xZZ\\x4\"\r\n".to_vec(),
        b"\t\t\t\r\n".to_vec(),
        b"+OK\r\n-ERR x\r\n:1\r\n%1\r\n_\r\n".to_vec(),
    ];
    for (i, case) in cases.iter().enumerate() {
        let mut c = srv.raw_conn();
        let _ = c.send_raw(case);
        c.shutdown_write();
        let _ = c.read_raw(Duration::from_secs(2));
        srv.assert_healthy(&format!("garbage case {} {}", i, show(case)));
    }
}

#[test]
fn half_commands_then_disconnect() {
    let mut srv = TestServer::start();
    let full = b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n";
    // every proper prefix, each on its own connection, dropped mid-command
    for cut in 1..full.len() {
        let mut c = srv.raw_conn();
        c.send_raw(&full[..cut]).unwrap();
        // a PING on another connection is served while this one waits
        if cut % 8 == 0 {
            srv.assert_healthy(&format!("prefix {}", show(&full[..cut])));
        }
        drop(c);
    }
    srv.assert_healthy("half commands");
    // and a half command left hanging does not block the others
    let mut hanging = srv.raw_conn();
    hanging
        .send_raw(b"*2\r\n$4\r\nECHO\r\n$100\r\nabc")
        .unwrap();
    srv.assert_healthy("hanging half command");
    hanging.send_raw(&[b'x'; 97]).unwrap();
    hanging.send_raw(b"\r\n").unwrap();
    let mut expect = b"$100\r\nabc".to_vec();
    expect.extend_from_slice(&[b'x'; 97]);
    expect.extend_from_slice(b"\r\n");
    hanging.expect_raw(&expect);
}

#[test]
fn huge_bulk_header_with_partial_body() {
    let mut srv = TestServer::start();
    // 1 GB is over the default proto-max-bulk-len (512mb): refused at once
    let mut c = srv.raw_conn();
    let _ = c.send_raw(b"*1\r\n$1073741824\r\n");
    let _ = c.send_raw(&[b'a'; 65536]);
    c.expect_raw(b"-ERR Protocol error: invalid bulk length\r\n");
    c.assert_closed();
    srv.assert_healthy("1 GB bulk header");

    // exactly 512mb is accepted as a header; the client sends 1 MB of the
    // body and vanishes
    let mut c = srv.raw_conn();
    c.send_raw(b"*2\r\n$4\r\nECHO\r\n$536870912\r\n").unwrap();
    let chunk = vec![b'b'; 64 * 1024];
    for _ in 0..16 {
        c.send_raw(&chunk).unwrap();
    }
    srv.assert_healthy("512 MB bulk header, body pending");
    drop(c);
    srv.assert_healthy("512 MB bulk header, client gone");
}

/// A multibulk of 10^6 arguments is read and executed like any other
/// (Redis 7.0.15 answers this EXISTS with :999999); the connection and the
/// server go on working.
#[test]
fn million_argument_multibulk() {
    let mut srv = TestServer::start();
    let mut c = srv.conn();
    c.cmd(&["SET", "a", "1"]);
    let n = 1_000_000usize;
    let mut req = Vec::with_capacity(n * 7 + 32);
    req.extend_from_slice(format!("*{}\r\n$6\r\nEXISTS\r\n", n).as_bytes());
    for _ in 1..n {
        req.extend_from_slice(b"$1\r\na\r\n");
    }
    c.send_raw(&req).unwrap();
    let _ = c.stream.set_read_timeout(Some(Duration::from_secs(60)));
    assert_eq!(c.read_reply().unwrap(), Reply::Int(n as i64 - 1));
    c.send(&["PING"]).unwrap();
    c.expect_raw(b"+PONG\r\n");
    srv.assert_healthy("10^6 arguments");
}

// ---------------------------------------------------------------------------
// Seeded fuzzing
// ---------------------------------------------------------------------------

/// Commands that are safe to throw at the server in any mutated form: no
/// SHUTDOWN/DEBUG/CONFIG/replication/persistence, no blocking commands. A
/// one- or two-byte mutation of these names cannot spell a dangerous one.
const SEEDS: &[&[&str]] = &[
    &["PING"],
    &["ECHO", "hello"],
    &["SET", "k1", "v1"],
    &["SET", "k2", "12345", "EX", "100"],
    &["GET", "k1"],
    &["INCR", "n"],
    &["INCRBY", "n", "-7"],
    &["DEL", "k1", "k2", "n"],
    &["EXISTS", "k1", "k2"],
    &["MSET", "a", "1", "b", "2"],
    &["MGET", "a", "b", "c"],
    &["STRLEN", "a"],
    &["GETRANGE", "a", "0", "-1"],
    &["APPEND", "s", "xyz"],
    &["TYPE", "a"],
    &["TTL", "k2"],
    &["EXPIRE", "a", "1000"],
    &["SELECT", "1"],
    &["DBSIZE"],
    &["KEYS", "*"],
    &["SCAN", "0", "MATCH", "*", "COUNT", "10"],
    &["MULTI"],
    &["EXEC"],
    &["DISCARD"],
    &["WATCH", "a"],
    &["HELLO", "3"],
    &["HELLO", "2"],
    &["CLIENT", "SETNAME", "fuzz"],
    &["CLIENT", "ID"],
    &["PUBLISH", "ch", "msg"],
    &["SUBSCRIBE", "ch"],
    &["UNSUBSCRIBE"],
    &["GETEX", "a", "PX", "5000"],
    &["SETNX", "z", "1"],
    &["INCRBYFLOAT", "f", "1.5e3"],
];

struct Fuzzer {
    state: u64,
}

impl Fuzzer {
    fn next(&mut self) -> u64 {
        xorshift(&mut self.state)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn random_bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
    fn number(&mut self) -> Vec<u8> {
        match self.below(8) {
            0 => b"-1".to_vec(),
            1 => b"0".to_vec(),
            2 => b"2147483648".to_vec(),
            3 => b"-9223372036854775808".to_vec(),
            4 => b"99999999999999999999".to_vec(),
            5 => b"".to_vec(),
            6 => b"1x".to_vec(),
            _ => self.below(40).to_string().into_bytes(),
        }
    }
    /// A RESP-looking token soup.
    fn tokens(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..1 + self.below(12) {
            match self.below(7) {
                0 => {
                    out.push(b'*');
                    out.extend(self.number());
                }
                1 => {
                    out.push(b'$');
                    out.extend(self.number());
                }
                2 => out.extend_from_slice(b"\r\n"),
                3 => out.push(b'\n'),
                4 => {
                    let n = self.below(10) as usize;
                    out.extend(self.random_bytes(n));
                }
                5 => out.extend_from_slice(b"PING"),
                _ => out.push(b'"'),
            }
        }
        out
    }
    /// A valid command from SEEDS with 0-3 random byte mutations, maybe cut.
    fn mutated(&mut self) -> Vec<u8> {
        let seed = SEEDS[self.below(SEEDS.len() as u64) as usize];
        let mut frame = if self.below(4) == 0 {
            let mut line = seed.join(" ").into_bytes();
            line.extend_from_slice(b"\r\n");
            line
        } else {
            multibulk(seed)
        };
        for _ in 0..self.below(4) {
            if frame.is_empty() {
                break;
            }
            let i = self.below(frame.len() as u64) as usize;
            match self.below(4) {
                0 => frame[i] = self.next() as u8,
                1 => frame[i] ^= 1 << self.below(8),
                2 => {
                    frame.remove(i);
                }
                _ => {
                    let b = self.next() as u8;
                    frame.insert(i, b)
                }
            }
        }
        if self.below(6) == 0 {
            let cut = self.below(frame.len() as u64 + 1) as usize;
            frame.truncate(cut);
        }
        frame
    }
    fn frame(&mut self) -> Vec<u8> {
        match self.below(10) {
            0 | 1 => {
                let n = 1 + self.below(300) as usize;
                self.random_bytes(n)
            }
            2 | 3 => self.tokens(),
            _ => self.mutated(),
        }
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn seeded_random_frames() {
    let mut srv = TestServer::start();
    let seed = env_u64(
        "FERRODIS_FUZZ_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(42),
    ) | 1;
    let frames = env_u64("FERRODIS_FUZZ_FRAMES", 20000);
    let budget = Duration::from_secs(env_u64("FERRODIS_FUZZ_SECS", 30));
    eprintln!("fuzz seed {} (FERRODIS_FUZZ_SEED={} to replay)", seed, seed);
    let mut fz = Fuzzer { state: seed };
    let start = Instant::now();
    let mut sent = 0u64;
    let mut conns = 0u64;
    while sent < frames && start.elapsed() < budget {
        // a connection gets 1-8 frames, written in random chunks
        let mut c = srv.raw_conn();
        conns += 1;
        let mut batch = Vec::new();
        let mut history = Vec::new();
        for _ in 0..1 + fz.below(8) {
            let f = fz.frame();
            history.push(f.clone());
            batch.extend_from_slice(&f);
            sent += 1;
        }
        let mut pos = 0;
        while pos < batch.len() {
            let n = 1 + fz.below(batch.len() as u64 - pos as u64) as usize;
            if c.send_raw(&batch[pos..pos + n]).is_err() {
                break;
            }
            pos += n;
        }
        c.shutdown_write();
        // whatever comes back; the server must close its side once it
        // sees our EOF
        let _ = c.read_raw(Duration::from_secs(5));
        if conns.is_multiple_of(40) || !srv.is_alive() {
            let ctx: Vec<String> = history.iter().map(|f| show(f)).collect();
            srv.assert_healthy(&format!(
                "fuzz seed {} connection {}; last frames: {}",
                seed,
                conns,
                ctx.join(" | ")
            ));
        }
    }
    srv.assert_healthy(&format!(
        "fuzz seed {}: {} frames on {} connections",
        seed, sent, conns
    ));
    eprintln!(
        "fuzz: {} frames on {} connections in {:?}",
        sent,
        conns,
        start.elapsed()
    );
}

/// Many clients connecting and disconnecting at once, some mid-reply.
#[test]
fn connection_churn() {
    let mut srv = TestServer::start();
    let port = srv.port;
    let handles: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..100 {
                    let Ok(mut c) = Conn::connect(port) else {
                        continue;
                    };
                    let mut req = Vec::new();
                    for _ in 0..(i % 10) {
                        req.extend_from_slice(&multibulk(&["SET", &format!("k{}", t), "v"]));
                        req.extend_from_slice(b"*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n");
                    }
                    let _ = c.send_raw(&req);
                    // drop without reading
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    srv.assert_healthy("connection churn");
}
