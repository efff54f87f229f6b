//! RDB persistence, black box: SAVE / BGSAVE / restart round trips, the
//! shutdown save, refusing a corrupt dump at start-up, the
//! `redis-check-rdb` mode, crash safety of BGSAVE under kill -9, and
//! cross-compatibility with Debian's redis-server / redis-check-rdb 7.0.15
//! (those parts print a note and pass when /usr/bin/redis-server is absent).
//!
//! Only string values are used here (the other types plug into
//! `rdb::value` as they land).
mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REAL_SERVER: &str = "/usr/bin/redis-server";
const REAL_CHECK: &str = "/usr/bin/redis-check-rdb";

/// A fixed data set: (db, key, value, ttl in seconds or 0).
fn dataset() -> Vec<(usize, Vec<u8>, Vec<u8>, u64)> {
    let mut v: Vec<(usize, Vec<u8>, Vec<u8>, u64)> = vec![
        (0, b"str".to_vec(), b"hello".to_vec(), 0),
        (0, b"int8".to_vec(), b"-7".to_vec(), 0),
        (0, b"int16".to_vec(), b"12345".to_vec(), 0),
        (0, b"int32".to_vec(), b"-2147483648".to_vec(), 0),
        (0, b"int64".to_vec(), b"9223372036854775807".to_vec(), 0),
        (0, b"notint".to_vec(), b"0123".to_vec(), 0),
        (0, b"empty".to_vec(), b"".to_vec(), 0),
        (0, b"ttl".to_vec(), b"expiring".to_vec(), 1000),
        (0, b"".to_vec(), b"empty key".to_vec(), 0),
        (3, b"lzf".to_vec(), b"abcabcabc".repeat(200), 0),
        (3, b"ttl2".to_vec(), b"v".to_vec(), 5000),
        (15, b"bin\x00\xff".to_vec(), (0..=255u8).collect(), 0),
        (15, b"big".to_vec(), vec![b'x'; 300_000], 2_000_000),
    ];
    let mut s = 0x1234_5678_9abc_def1u64;
    let rnd: Vec<u8> = (0..5000).map(|_| xorshift(&mut s) as u8).collect();
    v.push((7, b"random".to_vec(), rnd, 0));
    v
}

fn load_dataset(c: &mut Conn) {
    for (db, k, val, ttl) in dataset() {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), Reply::status("OK"));
        assert_eq!(c.cmd(&[&b"SET"[..], &k[..], &val[..]]), Reply::status("OK"));
        if ttl > 0 {
            assert_eq!(
                c.cmd(&[&b"EXPIRE"[..], &k[..], ttl.to_string().as_bytes()]),
                Reply::Int(1)
            );
        }
    }
    assert_eq!(c.cmd(&["SELECT", "0"]), Reply::status("OK"));
}

fn assert_dataset(c: &mut Conn, who: &str) {
    for (db, k, val, ttl) in dataset() {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), Reply::status("OK"));
        assert_eq!(
            c.cmd(&[&b"GET"[..], &k[..]]),
            Reply::Bulk(val.clone()),
            "{}: db {} key {}",
            who,
            db,
            show(&k)
        );
        let t = match c.cmd(&[&b"TTL"[..], &k[..]]) {
            Reply::Int(n) => n,
            r => panic!("{}: TTL {:?}", who, r),
        };
        if ttl == 0 {
            assert_eq!(t, -1, "{}: {} has no TTL", who, show(&k));
        } else {
            assert!(
                t > ttl as i64 - 60 && t <= ttl as i64,
                "{}: TTL of {} is {}",
                who,
                show(&k),
                t
            );
        }
    }
    for (db, n) in [(0, 9), (3, 2), (7, 1), (15, 2)] {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), Reply::status("OK"));
        assert_eq!(
            c.cmd(&["DBSIZE"]),
            Reply::Int(n),
            "{}: dbsize of db {}",
            who,
            db
        );
    }
    assert_eq!(c.cmd(&["SELECT", "0"]), Reply::status("OK"));
}

/// The real Redis, started by hand on `dir` (None when not installed).
struct RealRedis {
    child: Child,
    port: u16,
}

impl RealRedis {
    fn start(dir: &Path) -> Option<RealRedis> {
        if !Path::new(REAL_SERVER).exists() {
            eprintln!(
                "note: {} absent, cross-compatibility part skipped",
                REAL_SERVER
            );
            return None;
        }
        for _ in 0..5 {
            let port = free_port();
            let out = fs::File::create(dir.join("real.log")).ok()?;
            let child = Command::new(REAL_SERVER)
                .args([
                    "--port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                ])
                .arg("--dir")
                .arg(dir)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(Stdio::null())
                .spawn()
                .ok()?;
            let mut r = RealRedis { child, port };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = r.child.try_wait() {
                    break;
                }
                let log = fs::read_to_string(dir.join("real.log")).unwrap_or_default();
                if log.contains("Ready to accept connections") {
                    if let Ok(mut c) = Conn::connect(port) {
                        if c.cmd(&["PING"]) == Reply::status("PONG") {
                            return Some(r);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = r.child.kill();
            let _ = r.child.wait();
        }
        panic!("could not start {}", REAL_SERVER);
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our binary under the name `redis-check-rdb` (a symlink in `dir`).
fn our_check_rdb(dir: &Path) -> PathBuf {
    let link = dir.join("redis-check-rdb");
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_redis-server"), &link).expect("symlink");
    link
}

fn run_check(tool: &Path, file: &Path) -> (i32, String) {
    let out = Command::new(tool)
        .arg(file)
        .output()
        .expect("run check tool");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Start our server on `dir` and wait (at most 20 s) for it to exit:
/// (exit code, stdout, stderr). A server still running is killed.
fn run_server_to_exit(dir: &Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-server"))
        .args([
            "--port",
            &free_port().to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .arg("--dir")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(dir.join("out")).unwrap())
        .stderr(fs::File::create(dir.join("err")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Ok(Some(st)) = child.try_wait() {
            break st.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (
        code,
        fs::read_to_string(dir.join("out")).unwrap_or_default(),
        fs::read_to_string(dir.join("err")).unwrap_or_default(),
    )
}

/// Wait until the log shows `needle` `n` times.
fn wait_log(srv: &TestServer, needle: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if srv.log().matches(needle).count() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no '{}' in log: {}", needle, tail(&srv.log(), 2000));
}

#[test]
fn save_restart_and_check_rdb() {
    if is_reference_server() {
        return;
    }
    let srv = TestServer::start();
    let mut c = srv.conn();
    load_dataset(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    assert!(srv.log().contains("DB saved on disk"));
    let dump = srv.dir.join("dump.rdb");
    let data = fs::read(&dump).unwrap();
    assert_eq!(&data[..9], b"REDIS0010");
    // Our redis-check-rdb mode.
    let tool = our_check_rdb(&srv.dir);
    let (code, out) = run_check(&tool, &dump);
    assert_eq!(code, 0, "{}", out);
    assert!(out.starts_with("[offset 0] Checking RDB file "), "{}", out);
    assert!(out.contains("AUX FIELD redis-ver = '7.0.15'"), "{}", out);
    assert!(out.contains("\\o/ RDB looks OK! \\o/\n[info] 14 keys read\n[info] 3 expires\n[info] 0 already expired\n"), "{}", out);
    // A second server on the same dir loads it.
    let dir = srv.dir.to_string_lossy().into_owned();
    let srv2 = TestServer::start_with(&["--dir", &dir]);
    assert!(srv2.log().contains("DB loaded from disk"), "{}", srv2.log());
    assert!(srv2
        .log()
        .contains("Done loading RDB, keys loaded: 14, keys expired: 0."));
    assert_dataset(&mut srv2.conn(), "ferrodis after restart");
}

#[test]
fn bgsave_then_sigterm_saves_and_restarts() {
    if is_reference_server() {
        return;
    }
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut c = srv.conn();
    load_dataset(&mut c);
    assert_eq!(
        c.cmd(&["BGSAVE"]),
        Reply::status("Background saving started")
    );
    wait_log(&srv, "Background saving terminated with success", 1);
    let log = srv.log();
    assert!(log.contains("Background saving started by pid "), "{}", log);
    assert!(log.contains("Fork CoW for RDB: current "), "{}", log);
    // A change after the BGSAVE: only the shutdown save has it.
    assert_eq!(c.cmd(&["SET", "late", "1"]), Reply::status("OK"));
    assert_eq!(srv.terminate(Duration::from_secs(10)), Some(0));
    let log = srv.log();
    assert!(
        log.contains("Saving the final RDB snapshot before exiting."),
        "{}",
        log
    );
    let dir = srv.dir.to_string_lossy().into_owned();
    let srv2 = TestServer::start_with(&["--dir", &dir]);
    let mut c2 = srv2.conn();
    assert_eq!(c2.cmd(&["GET", "late"]), Reply::bulk(b"1"));
    assert_eq!(c2.cmd(&["DEL", "late"]), Reply::Int(1));
    assert_dataset(&mut c2, "after SIGTERM save");
}

#[test]
fn corrupt_dump_refuses_to_start() {
    if is_reference_server() {
        return;
    }
    let srv = TestServer::start();
    let mut c = srv.conn();
    load_dataset(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    let good = fs::read(srv.dir.join("dump.rdb")).unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        // The suite's "Server should not start if RDB is corrupted".
        (
            [&good[..good.len() - 8], b"foobar00"].concat(),
            "RDB CRC error",
        ),
        (
            good[..good.len() / 2].to_vec(),
            "Unexpected EOF reading RDB file",
        ),
        (b"REDIS0011".to_vec(), "Can't handle RDB format version 11"),
    ];
    for (bytes, reason) in cases {
        let dir = temp_dir("rdbbad");
        fs::write(dir.join("dump.rdb"), &bytes).unwrap();
        let (code, log, err) = run_server_to_exit(&dir);
        assert_eq!(code, Some(1), "{}", log);
        assert!(log.contains(reason), "missing '{}': {}", reason, log);
        assert!(!log.contains("Ready to accept"), "{}", log);
        assert!(!err.contains("panicked"), "{}", err);
        if reason != "Can't handle RDB format version 11" {
            assert!(
                log.contains("Internal error in RDB reading offset "),
                "{}",
                log
            );
            assert!(log.contains("--- RDB ERROR DETECTED ---"), "{}", log);
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn misconf_after_failed_bgsave() {
    if is_reference_server() {
        return;
    }
    let srv = TestServer::start_with(&["--save", "3600 1", "--rdb-key-save-delay", "10000000"]);
    let mut c = srv.conn();
    assert_eq!(c.cmd(&["SET", "x", "1"]), Reply::status("OK"));
    assert_eq!(
        c.cmd(&["BGSAVE"]),
        Reply::status("Background saving started")
    );
    assert_eq!(
        c.cmd(&["BGSAVE"]),
        Reply::error("ERR Background save already in progress")
    );
    assert_eq!(
        c.cmd(&["SAVE"]),
        Reply::error("ERR Background save already in progress")
    );
    assert_eq!(
        c.cmd(&["BGSAVE", "SCHEDULE", "x"]),
        Reply::error("ERR syntax error")
    );
    wait_log(&srv, "Background saving started by pid ", 1);
    let log = srv.log();
    let pid: i32 = log
        .split("Background saving started by pid ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .expect("child pid");
    Command::new("kill")
        .arg("-9")
        .arg(pid.to_string())
        .status()
        .unwrap();
    wait_log(&srv, "Background saving terminated by signal 9", 1);
    std::thread::sleep(Duration::from_millis(50));
    let misconf = Reply::error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.");
    assert_eq!(c.cmd(&["SET", "x", "2"]), misconf);
    assert_eq!(c.cmd(&["PING"]), misconf);
    assert_eq!(c.cmd(&["GET", "x"]), Reply::bulk(b"1"));
    // The temp file of the killed child is gone.
    assert!(!srv.dir.join(format!("temp-{}.rdb", pid)).exists());
}

#[test]
fn kill_9_during_bgsave_never_corrupts_the_dump() {
    if is_reference_server() {
        return;
    }
    // The data dir is ours: TestServer removes its own dir on drop.
    let data = temp_dir("rdbkill");
    let tool = our_check_rdb(&data);
    let dir = data.to_string_lossy().into_owned();
    let mut srv = TestServer::start_with(&["--save", "", "--dir", &dir]);
    let mut c = srv.conn();
    // ~20 MB so a save takes a while.
    for i in 0..200 {
        let mut args: Vec<Vec<u8>> = vec![b"MSET".to_vec()];
        for j in 0..100 {
            args.push(format!("k:{}:{}", i, j).into_bytes());
            args.push(vec![b'a' + (j % 26) as u8; 1000]);
        }
        assert_eq!(c.cmd(&args), Reply::status("OK"));
    }
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    let mut seed = 0xfeed_beefu64;
    let mut servers_killed = 0;
    // 100 trials (issue 4): about half kill the child, half the server.
    for trial in 0..100 {
        assert_eq!(
            c.cmd(&["SET", "gen", &trial.to_string()]),
            Reply::status("OK")
        );
        assert_eq!(
            c.cmd(&["BGSAVE"]),
            Reply::status("Background saving started")
        );
        std::thread::sleep(Duration::from_millis(xorshift(&mut seed) % 60));
        if xorshift(&mut seed).is_multiple_of(2) {
            // Kill the child, if it still runs.
            let _ = Command::new("pkill")
                .args(["-9", "-P", &srv.pid.to_string()])
                .status();
            std::thread::sleep(Duration::from_millis(150));
        } else {
            // Kill the server (its child may finish or die on its own).
            drop(srv);
            servers_killed += 1;
            std::thread::sleep(Duration::from_millis(200));
            srv = TestServer::start_with(&["--save", "", "--dir", &dir]);
            c = srv.conn();
        }
        let (code, out) = run_check(&tool, &Path::new(&dir).join("dump.rdb"));
        assert_eq!(code, 0, "trial {}: {}", trial, out);
    }
    assert!(servers_killed > 0);
    let n = c.cmd(&["DBSIZE"]);
    assert!(
        n == Reply::Int(20_001) || n == Reply::Int(20_000),
        "{:?}",
        n
    );
    drop(srv);
    std::thread::sleep(Duration::from_millis(100));
    let _ = fs::remove_dir_all(&data);
}

#[test]
fn ferrodis_dump_loads_in_redis_7() {
    if is_reference_server() {
        return;
    }
    let srv = TestServer::start();
    let mut c = srv.conn();
    load_dataset(&mut c);
    assert_eq!(c.cmd(&["SAVE"]), Reply::status("OK"));
    let dump = srv.dir.join("dump.rdb");
    if Path::new(REAL_CHECK).exists() {
        let (code, out) = run_check(Path::new(REAL_CHECK), &dump);
        assert_eq!(code, 0, "{}", out);
        assert!(
            out.contains("[info] 14 keys read\n[info] 3 expires\n"),
            "{}",
            out
        );
    }
    let dir = temp_dir("rdbreal");
    fs::copy(&dump, dir.join("dump.rdb")).unwrap();
    let Some(real) = RealRedis::start(&dir) else {
        return;
    };
    let log = fs::read_to_string(dir.join("real.log")).unwrap_or_default();
    assert!(
        log.contains("Done loading RDB, keys loaded: 14, keys expired: 0."),
        "{}",
        log
    );
    let mut rc = Conn::connect(real.port).unwrap();
    assert_dataset(&mut rc, "redis-server 7.0.15");
    // Same in-memory encodings as the values had in ferrodis.
    for (k, enc) in [
        ("str", "embstr"),
        ("int16", "int"),
        ("int64", "int"),
        ("notint", "embstr"),
    ] {
        assert_eq!(
            rc.cmd(&["OBJECT", "ENCODING", k]),
            Reply::bulk(enc.as_bytes()),
            "{}",
            k
        );
    }
    drop(real);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn redis_7_dump_loads_in_ferrodis() {
    if is_reference_server() {
        return;
    }
    let dir = temp_dir("rdbreal2");
    let Some(real) = RealRedis::start(&dir) else {
        return;
    };
    let mut rc = Conn::connect(real.port).unwrap();
    load_dataset(&mut rc);
    assert_eq!(rc.cmd(&["SAVE"]), Reply::status("OK"));
    drop(real);
    let d = dir.to_string_lossy().into_owned();
    let tool = our_check_rdb(&dir);
    let (code, out) = run_check(&tool, &dir.join("dump.rdb"));
    assert_eq!(code, 0, "{}", out);
    let srv = TestServer::start_with(&["--dir", &d]);
    assert!(
        srv.log()
            .contains("Done loading RDB, keys loaded: 14, keys expired: 0."),
        "{}",
        srv.log()
    );
    let mut c = srv.conn();
    assert_dataset(&mut c, "ferrodis loading a 7.0.15 dump");
    for (k, enc) in [("str", "embstr"), ("int16", "int"), ("int64", "int")] {
        assert_eq!(
            c.cmd(&["OBJECT", "ENCODING", k]),
            Reply::bulk(enc.as_bytes()),
            "{}",
            k
        );
    }
    drop(srv);
    let _ = fs::remove_dir_all(&dir);
}
