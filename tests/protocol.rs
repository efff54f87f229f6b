//! Wire-protocol conformance, black box: raw bytes in, the exact bytes Redis
//! 7.0.15 answers out (`processMultibulkBuffer` / `processInlineBuffer` /
//! `setProtocolError` in networking.c; table in
//! shared/docs/errors-and-limits.md §3.2). Every fatal protocol error must be
//! answered with its text and the connection closed; the non-fatal inputs
//! (empty line, negative multibulk count) are skipped silently.
//!
//! Expectations were checked against Debian's redis-server 7.0.15 with
//! `FERRODIS_TEST_SERVER=/usr/bin/redis-server cargo test --test protocol`.
mod common;

use common::*;
use std::time::Duration;

/// Send `input` on a fresh connection, expect `reply` then a close.
fn fatal(srv: &TestServer, input: &[u8], reply: &[u8]) {
    let mut c = srv.raw_conn();
    // The server may close before it has read everything we send: ignore
    // write errors, the reply is what counts.
    let _ = c.send_raw(input);
    let got = c.read_raw_n(reply.len(), Duration::from_secs(10));
    assert_eq!(
        got,
        reply,
        "input {}\n  got:      {}\n  expected: {}",
        show(input),
        show(&got),
        show(reply)
    );
    assert!(
        c.is_closed_within(Duration::from_secs(5)),
        "connection not closed after {}",
        show(input)
    );
}

const INVALID_MBULK: &[u8] = b"-ERR Protocol error: invalid multibulk length\r\n";
const INVALID_BULK: &[u8] = b"-ERR Protocol error: invalid bulk length\r\n";
const EXPECTED_DOLLAR_F: &[u8] = b"-ERR Protocol error: expected '$', got 'f'\r\n";
const TOO_BIG_INLINE: &[u8] = b"-ERR Protocol error: too big inline request\r\n";

#[test]
fn protocol_errors_close_the_connection() {
    let srv = TestServer::start();
    let digits70k = vec![b'1'; 70 * 1024];
    let mut star_digits = b"*".to_vec();
    star_digits.extend_from_slice(&digits70k);
    let mut bulk_digits = b"*1\r\n$".to_vec();
    bulk_digits.extend_from_slice(&digits70k);
    let inline70k = vec![b'a'; 70 * 1024];
    let mut inline100k_nl = vec![b'a'; 100 * 1024];
    inline100k_nl.extend_from_slice(b"\r\n");

    let table: Vec<(&[u8], &[u8])> = vec![
        (b"*3000000000\r\n", INVALID_MBULK),
        (b"*abc\r\n", INVALID_MBULK),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", EXPECTED_DOLLAR_F),
        (b"*1\r\nfoo\r\n", EXPECTED_DOLLAR_F),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", INVALID_BULK),
        (
            b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n",
            INVALID_BULK,
        ),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n", INVALID_BULK),
        // default proto-max-bulk-len is 512mb
        (b"*1\r\n$536870913\r\n", INVALID_BULK),
        (
            b"set \"\"\"test-key\"\"\" test-value\r\nping\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            b"echo \"a\"b\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            b"echo 'abc\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (&inline70k, TOO_BIG_INLINE),
        (
            &star_digits,
            b"-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (
            &bulk_digits,
            b"-ERR Protocol error: too big bulk count string\r\n",
        ),
    ];
    for (input, reply) in table {
        fatal(&srv, input, reply);
    }
}

/// Redis reads the socket in 16 KB chunks and parses after each read, so a
/// 100 KB inline line sent in one write has no newline within the first
/// 64 KB it looks at and is refused even though a `\n` follows later.
#[test]
fn inline_line_over_64k_is_refused_even_with_newline() {
    let srv = TestServer::start();
    let mut input = vec![b'a'; 100 * 1024];
    input.extend_from_slice(b"\r\n");
    fatal(&srv, &input, TOO_BIG_INLINE);
}

#[test]
fn proto_max_bulk_len_limit() {
    let srv = TestServer::start_with(&["--proto-max-bulk-len", "1mb"]);
    fatal(
        &srv,
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n",
        INVALID_BULK,
    );
    // exactly the limit is accepted
    let mut c = srv.conn();
    let value = vec![b'v'; 1048576];
    assert_eq!(c.cmd(&[&b"SET"[..], b"k", &value]), Reply::status("OK"));
    assert_eq!(c.cmd(&["STRLEN", "k"]), Reply::Int(1048576));
}

/// Write `seq` and then `chunk` over and over (at most 4 MB) on a fresh
/// connection; return what the server answered before closing.
fn desync(srv: &TestServer, seq: &[u8], chunk: &[u8]) -> Vec<u8> {
    let mut c = srv.raw_conn();
    let _ = c.send_raw(seq);
    let mut sent = 0usize;
    while sent < 4 << 20 {
        if c.send_raw(chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let got = c.read_raw(Duration::from_secs(5));
    assert!(
        c.is_closed_within(Duration::from_secs(5)),
        "not closed after {} + junk",
        show(seq)
    );
    got
}

/// protocol.tcl "Protocol desync regression test #1..3": a NUL (or `*`/`$`
/// followed by NUL) and then an endless stream of junk with no newline must
/// end in a protocol error and a close, not in an ever-growing query buffer.
#[test]
fn protocol_desync_junk_is_cut_off() {
    let srv = TestServer::start();
    let junk = vec![b'A'; 1024];
    for (seq, reply) in [
        (&b"\x00"[..], TOO_BIG_INLINE),
        (
            b"*\x00",
            &b"-ERR Protocol error: too big mbulk count string\r\n"[..],
        ),
        (b"$\x00", TOO_BIG_INLINE),
    ] {
        let got = desync(&srv, seq, &junk);
        assert_eq!(got, reply, "after {} + junk: {}", show(seq), show(&got));
    }
}

/// Redis looks for line ends with strchr(), which stops at a NUL byte: after
/// `\x00` (or `*\x00`, `$\x00`) the newlines of the following junk lines are
/// never seen, so the same desync errors come even when the junk has `\n`s.
#[test]
#[ignore = "missing feature: line-end search stopping at NUL like Redis's strchr() in processInlineBuffer/processMultibulkBuffer (ferrodis runs the junk lines as unknown commands)"]
fn protocol_desync_nul_hides_newlines() {
    let srv = TestServer::start();
    let mut junk = vec![b'A'; 1024];
    junk.push(b'\n');
    for (seq, reply) in [
        (&b"\x00"[..], TOO_BIG_INLINE),
        (
            b"*\x00",
            &b"-ERR Protocol error: too big mbulk count string\r\n"[..],
        ),
        (b"$\x00", TOO_BIG_INLINE),
    ] {
        let got = desync(&srv, seq, &junk);
        assert_eq!(got, reply, "after {} + junk: {}", show(seq), show(&got));
    }
}

#[test]
fn empty_line_and_negative_multibulk_are_ignored() {
    let srv = TestServer::start();
    for input in [&b"\r\n"[..], b"\n", b"*-10\r\n", b"*0\r\n", b"   \r\n"] {
        let mut c = srv.raw_conn();
        c.send_raw(input).unwrap();
        c.send_raw(b"*1\r\n$4\r\nPING\r\n").unwrap();
        c.expect_raw(b"+PONG\r\n");
    }
}

/// Redis does not check the two bytes after a bulk payload: it skips them.
#[test]
fn bytes_after_bulk_are_skipped_unchecked() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    c.send_raw(b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n")
        .unwrap();
    c.expect_raw(b"+PONG\r\n+PONG\r\n");
}

#[test]
fn generic_command_errors() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    c.send(&["FOOBARX", "abc"]).unwrap();
    c.expect_raw(b"-ERR unknown command 'FOOBARX', with args beginning with: 'abc' \r\n");
    c.send(&["foobarx"]).unwrap();
    c.expect_raw(b"-ERR unknown command 'foobarx', with args beginning with: \r\n");
    c.send(&[""]).unwrap();
    c.expect_raw(b"-ERR unknown command '', with args beginning with: \r\n");
    c.send(&["ping", "x", "y", "z"]).unwrap();
    c.expect_raw(b"-ERR wrong number of arguments for 'ping' command\r\n");
    c.send(&["GET"]).unwrap();
    c.expect_raw(b"-ERR wrong number of arguments for 'get' command\r\n");
    // the connection survives all of that
    c.send(&["PING"]).unwrap();
    c.expect_raw(b"+PONG\r\n");
}

#[test]
fn pipelining_1000_pings_in_one_write() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    let mut req = Vec::new();
    for _ in 0..1000 {
        req.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
    }
    c.send_raw(&req).unwrap();
    c.expect_raw(&b"+PONG\r\n".repeat(1000));
    // inline form too, mixed with multibulk
    let mut req = Vec::new();
    for i in 0..500 {
        if i % 2 == 0 {
            req.extend_from_slice(b"PING\r\n");
        } else {
            req.extend_from_slice(b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
        }
    }
    c.send_raw(&req).unwrap();
    c.expect_raw(&b"+PONG\r\n$2\r\nhi\r\n".repeat(250));
}

#[test]
fn request_split_at_every_byte() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    let req = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
    for &b in req.iter() {
        c.send_raw(&[b]).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    c.expect_raw(b"+OK\r\n$5\r\nvalue\r\n");
}

#[test]
fn inline_commands_and_quoting() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    c.send_raw(b"PING\r\n").unwrap();
    c.expect_raw(b"+PONG\r\n");
    c.send_raw(b"ping\n").unwrap();
    c.expect_raw(b"+PONG\r\n");
    c.send_raw(b"SET \"a b\" \"c\\x41\"\r\n").unwrap();
    c.expect_raw(b"+OK\r\n");
    c.send(&["GET", "a b"]).unwrap();
    c.expect_raw(b"$2\r\ncA\r\n");
    // escapes inside double quotes
    c.send_raw(b"ECHO \"t\\tn\\n\\\"q\\\"\\\\\"\r\n").unwrap();
    c.expect_raw(b"$8\r\nt\tn\n\"q\"\\\r\n");
    // single quotes keep backslashes except \'
    c.send_raw(b"ECHO 'it\\'s \\n'\r\n").unwrap();
    c.expect_raw(b"$7\r\nit's \\n\r\n");
    // several spaces and tabs between arguments
    c.send_raw(b"  ECHO   \t  hello   \r\n").unwrap();
    c.expect_raw(b"$5\r\nhello\r\n");
    // empty quoted argument
    c.send_raw(b"ECHO \"\"\r\n").unwrap();
    c.expect_raw(b"$0\r\n\r\n");
    // inline unknown command error text
    c.send_raw(b"NOSUCH a b\r\n").unwrap();
    c.expect_raw(b"-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n");
}

#[test]
fn unknown_command_args_are_truncated() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    let long = "x".repeat(200);
    c.send(&["nosuch", long.as_str(), "b"]).unwrap();
    // at most 128 characters of arguments are quoted
    let r = c.read_reply().unwrap();
    let Reply::Error(text) = r else {
        panic!("not an error: {:?}", r)
    };
    let text = String::from_utf8_lossy(&text).into_owned();
    assert!(
        text.starts_with("ERR unknown command 'nosuch', with args beginning with: 'xxx"),
        "{}",
        text
    );
    assert!(text.len() < 200, "args not truncated: {}", text);
}

#[test]
fn big_argument_multibulk_roundtrip() {
    let srv = TestServer::start();
    let mut c = srv.conn();
    // > PROTO_MBULK_BIG_ARG (32 KB) takes Redis's big-argument path
    let value: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(c.cmd(&[&b"SET"[..], b"big", &value]), Reply::status("OK"));
    assert_eq!(c.cmd(&["GET", "big"]), Reply::Bulk(value));
}

#[test]
fn resp3_hello_switches_protocol() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    let r = c.cmd(&["HELLO", "3"]);
    let Reply::Map(fields) = r else {
        panic!("HELLO 3 did not answer a map: {:?}", r)
    };
    assert_eq!(fields[0], (Reply::bulk(b"server"), Reply::bulk(b"redis")));
    assert_eq!(fields[1], (Reply::bulk(b"version"), Reply::bulk(b"7.0.15")));
    assert_eq!(fields[2], (Reply::bulk(b"proto"), Reply::Int(3)));
    c.send(&["GET", "nokey"]).unwrap();
    c.expect_raw(b"_\r\n");
    c.send(&["HELLO", "4"]).unwrap();
    c.expect_raw(b"-NOPROTO unsupported protocol version\r\n");
    c.send(&["HELLO", "2"]).unwrap();
    let r = c.read_reply().unwrap();
    assert!(matches!(r, Reply::Array(ref v) if v.len() == 14), "{:?}", r);
    c.send(&["GET", "nokey"]).unwrap();
    c.expect_raw(b"$-1\r\n");
}

#[test]
fn quit_replies_ok_and_closes() {
    let srv = TestServer::start();
    let mut c = srv.raw_conn();
    c.send_raw(b"*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n")
        .unwrap();
    c.expect_raw(b"+OK\r\n");
    c.assert_closed();
}
