//! Replication, black box: ferrodis replicas of ferrodis masters, and
//! interoperability with Debian's redis-server 7.0.15 in both directions
//! (a ferrodis replica of a real master, a real replica of a ferrodis
//! master): full sync (disk and diskless), consistency under a write load
//! (DEBUG DIGEST equal), partial resync after the link is killed from
//! either side (CLIENT KILL TYPE master / replica), PSYNC2 after a
//! promotion, READONLY / MASTERDOWN / NOREPLICAS errors, WAIT, and the
//! bounded log of a replica whose master is down.
//!
//! The parts that need the real server print a note and pass when
//! /usr/bin/redis-server is absent.
mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REAL_SERVER: &str = "/usr/bin/redis-server";

/// A server process (ferrodis or the real Redis) on a free loopback port,
/// logging to `<dir>/log`; killed by pid and its dir removed on Drop.
struct Node {
    child: Child,
    port: u16,
    dir: PathBuf,
    bin: String,
    args: Vec<String>,
}

fn ours() -> String {
    env!("CARGO_BIN_EXE_redis-server").to_string()
}

fn real_available() -> bool {
    if Path::new(REAL_SERVER).exists() {
        true
    } else {
        eprintln!(
            "note: {} absent, interoperability part skipped",
            REAL_SERVER
        );
        false
    }
}

impl Node {
    fn start(bin: &str, extra: &[&str]) -> Node {
        let dir = temp_dir("repl");
        for _ in 0..5 {
            let port = free_port();
            if let Some(n) = Node::spawn(bin, &dir, port, extra) {
                return n;
            }
        }
        panic!("could not start {}", bin);
    }

    fn spawn(bin: &str, dir: &Path, port: u16, extra: &[&str]) -> Option<Node> {
        let mut args: Vec<String> = vec![
            "--port".into(),
            port.to_string(),
            "--bind".into(),
            "127.0.0.1".into(),
            "--save".into(),
            "".into(),
            "--enable-debug-command".into(),
            "yes".into(),
            "--repl-diskless-sync-delay".into(),
            "0".into(),
            "--logfile".into(),
            "log".into(),
            "--dir".into(),
            dir.to_string_lossy().into_owned(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut n = Node {
            child: Node::exec(bin, dir, &args)?,
            port,
            dir: dir.to_path_buf(),
            bin: bin.to_string(),
            args,
        };
        if n.wait_ready(0) {
            Some(n)
        } else {
            let _ = n.child.kill();
            let _ = n.child.wait();
            None
        }
    }

    fn exec(bin: &str, dir: &Path, args: &[String]) -> Option<Child> {
        Command::new(bin)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    }

    /// Wait for the n+1-th "Ready to accept connections" and a PONG.
    fn wait_ready(&mut self, seen: usize) -> bool {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if self.log().matches("Ready to accept connections").count() > seen {
                if let Ok(mut c) = Conn::connect(self.port) {
                    if c.cmd(&["PING"]) == Reply::status("PONG") {
                        return true;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn conn(&self) -> Conn {
        Conn::connect(self.port).expect("connect")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    fn info(&self, field: &str) -> String {
        let r = self.conn().cmd(&["INFO", "all"]);
        let text = r.text();
        let prefix = format!("{}:", field);
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    /// DEBUG DIGEST of a non-empty dataset (40 hex digits, not all zero).
    fn digest(&self) -> String {
        let d = self.conn().cmd(&["DEBUG", "DIGEST"]).text();
        assert!(
            d.len() == 40 && d.bytes().all(|b| b.is_ascii_hexdigit()) && d != "0".repeat(40),
            "bad digest {:?}",
            d
        );
        d
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (a normal shutdown) and wait for the exit.
    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
    }

    /// Start again with the same arguments (same port and dir).
    fn restart(&mut self) {
        let seen = self.log().matches("Ready to accept connections").count();
        self.child = Node::exec(&self.bin, &self.dir, &self.args).expect("respawn");
        assert!(
            self.wait_ready(seen),
            "restart failed: {}",
            tail(&self.log(), 3000)
        );
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
        if std::env::var_os("FERRODIS_KEEP_TEST_DIRS").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn wait_for<F: FnMut() -> bool>(what: &str, secs: u64, mut f: F) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {}", what);
}

fn replicaof(replica: &Node, master: &Node) {
    assert_eq!(
        replica
            .conn()
            .cmd(&["REPLICAOF", "127.0.0.1", &master.port.to_string()]),
        Reply::status("OK")
    );
}

fn wait_link_up(replica: &Node) {
    wait_for("master_link_status:up", 30, || {
        replica.info("master_link_status") == "up"
    });
}

/// Offsets equal on both sides (wait_for_ofs_sync).
fn wait_in_sync(master: &Node, replica: &Node) {
    wait_for("replica offset == master offset", 30, || {
        let m = master.info("master_repl_offset");
        !m.is_empty() && m == replica.info("master_repl_offset")
    });
}

/// The keys (db, name) whose DEBUG DIGEST-VALUE (or TTL presence) differs
/// between two nodes, for the failure message.
fn data_diff(a: &Node, b: &Node) -> Vec<String> {
    let mut out = Vec::new();
    let (mut ca, mut cb) = (a.conn(), b.conn());
    for db in 0..16 {
        let d = db.to_string();
        ca.cmd(&["SELECT", &d]);
        cb.cmd(&["SELECT", &d]);
        let keys = |c: &mut Conn| -> Vec<String> {
            let mut v: Vec<String> = match c.cmd(&["KEYS", "*"]) {
                Reply::Array(items) => items.iter().map(|r| r.text()).collect(),
                _ => Vec::new(),
            };
            v.sort();
            v
        };
        let (ka, kb) = (keys(&mut ca), keys(&mut cb));
        let mut all: Vec<&String> = ka.iter().chain(kb.iter()).collect();
        all.sort();
        all.dedup();
        for k in all {
            let va = ca.cmd(&["DEBUG", "DIGEST-VALUE", k]);
            let vb = cb.cmd(&["DEBUG", "DIGEST-VALUE", k]);
            let ta = ca.cmd(&["PTTL", k]);
            let tb = cb.cmd(&["PTTL", k]);
            if va != vb || (ta == Reply::Int(-1)) != (tb == Reply::Int(-1)) {
                out.push(format!(
                    "db{} {:?}: {:?}/{:?} vs {:?}/{:?}",
                    db, k, va, ta, vb, tb
                ));
            }
        }
    }
    ca.cmd(&["SELECT", "0"]);
    cb.cmd(&["SELECT", "0"]);
    out
}

/// Master and replica hold the same data: the DEBUG DIGESTs agree once the
/// offsets do. Keys with a 1 ms TTL may be expired by the master's active
/// expiry between the two DIGEST calls (its DEL then reaches the replica a
/// moment later), so a mismatch is re-checked for up to 3 s before failing
/// with the keys that differ.
fn assert_same_data(master: &Node, replica: &Node, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        wait_in_sync(master, replica);
        if master.digest() == replica.digest() {
            return;
        }
        if Instant::now() >= deadline {
            panic!("{}: data differs: {:?}", what, data_diff(master, replica));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A data set of every type, in several dbs, with TTLs.
fn populate(c: &mut Conn, tag: &str) {
    for db in [0, 3, 9] {
        c.cmd(&["SELECT", &db.to_string()]);
        for i in 0..200 {
            let k = format!("{}:s:{}", tag, i);
            c.cmd(&["SET", &k, &format!("v{}", i)]);
            c.cmd(&["RPUSH", &format!("{}:l:{}", tag, i % 7), &i.to_string()]);
            c.cmd(&[
                "HSET",
                &format!("{}:h:{}", tag, i % 5),
                &format!("f{}", i),
                &i.to_string(),
            ]);
            c.cmd(&[
                "SADD",
                &format!("{}:set:{}", tag, i % 3),
                &format!("m{}", i),
            ]);
            c.cmd(&["SADD", &format!("{}:iset", tag), &i.to_string()]);
            c.cmd(&[
                "ZADD",
                &format!("{}:z:{}", tag, i % 4),
                &(i as f64 / 3.0).to_string(),
                &format!("m{}", i),
            ]);
        }
        c.cmd(&["SET", &format!("{}:ttl", tag), "x", "EX", "1000"]);
        c.cmd(&["SET", &format!("{}:big", tag), &"y".repeat(100_000)]);
        c.cmd(&["INCRBYFLOAT", &format!("{}:f", tag), "1.5"]);
    }
    c.cmd(&["SELECT", "0"]);
}

/// A write load touching every type, MULTI/EXEC, expires, SELECT.
fn write_load(c: &mut Conn, rounds: usize, seed: u64) {
    let mut s = seed | 1;
    for _ in 0..rounds {
        let r = xorshift(&mut s);
        let db = [0usize, 3, 9][(r % 3) as usize];
        c.cmd(&["SELECT", &db.to_string()]);
        let k = format!("w:{}", r % 50);
        match (r >> 8) % 12 {
            0 => {
                c.cmd(&["SET", &k, &r.to_string()]);
            }
            1 => {
                c.cmd(&["INCR", &format!("ctr:{}", r % 5)]);
            }
            2 => {
                c.cmd(&["LPUSH", &format!("wl:{}", r % 5), &r.to_string()]);
            }
            3 => {
                c.cmd(&[
                    "HINCRBY",
                    &format!("wh:{}", r % 5),
                    &format!("f{}", r % 9),
                    "3",
                ]);
            }
            4 => {
                c.cmd(&[
                    "ZINCRBY",
                    &format!("wz:{}", r % 5),
                    "1.25",
                    &format!("m{}", r % 9),
                ]);
            }
            5 => {
                c.cmd(&["SADD", &format!("ws:{}", r % 5), &format!("m{}", r % 30)]);
            }
            6 => {
                c.cmd(&["DEL", &k]);
            }
            7 => {
                c.cmd(&["SET", &k, "e", "PX", "1"]);
            }
            8 => {
                c.cmd(&["MULTI"]);
                c.cmd(&["SET", &k, "m"]);
                c.cmd(&["INCR", "multi:ctr"]);
                c.cmd(&["SELECT", "3"]);
                c.cmd(&["LPUSH", "multi:l", "x"]);
                c.cmd(&["EXEC"]);
            }
            9 => {
                c.cmd(&["EXPIRE", &format!("wl:{}", r % 5), "1000"]);
            }
            10 => {
                c.cmd(&["SPOP", &format!("ws:{}", r % 5)]);
            }
            _ => {
                c.cmd(&[
                    "RPOPLPUSH",
                    &format!("wl:{}", r % 5),
                    &format!("wl:{}", (r + 1) % 5),
                ]);
            }
        }
    }
    c.cmd(&["SELECT", "0"]);
}

/// Full sync, consistency under load, partial resync after CLIENT KILL
/// from both sides, for one master/replica pair.
fn full_scenario(
    master_bin: &str,
    replica_bin: &str,
    master_extra: &[&str],
    replica_extra: &[&str],
) {
    let master = Node::start(master_bin, master_extra);
    let replica = Node::start(replica_bin, replica_extra);
    let mut mc = master.conn();
    populate(&mut mc, "pre");
    replicaof(&replica, &master);
    wait_link_up(&replica);
    wait_in_sync(&master, &replica);
    assert_same_data(&master, &replica, "digest after full sync");
    assert_eq!(replica.info("role"), "slave");
    assert_eq!(master.info("connected_slaves"), "1");
    // Diskless: the master marks the replica online when it reaps the
    // forked child (its cron), which may come just after the replica
    // finished loading — as in Redis.
    let online = format!("ip=127.0.0.1,port={},state=online,", replica.port);
    wait_for("slave0 state=online", 10, || {
        master.info("slave0").starts_with(&online)
    });

    // Writes while in sync.
    write_load(&mut mc, 1500, 7);
    populate(&mut mc, "post");
    wait_in_sync(&master, &replica);
    assert_same_data(&master, &replica, "digest after write load");

    // Kill the link from the replica side: partial resync.
    let ok_before: i64 = master.info("sync_partial_ok").parse().unwrap_or(0);
    let full_before = master.info("sync_full");
    let killed = replica.conn().cmd(&["CLIENT", "KILL", "TYPE", "master"]);
    assert_eq!(killed, Reply::Int(1));
    write_load(&mut mc, 300, 11);
    wait_link_up(&replica);
    wait_in_sync(&master, &replica);
    assert_same_data(&master, &replica, "digest after replica-side kill");
    wait_for("partial resync (replica side)", 10, || {
        master.info("sync_partial_ok").parse::<i64>().unwrap_or(0) > ok_before
    });

    // Kill it from the master side: partial resync again.
    let killed = mc.cmd(&["CLIENT", "KILL", "TYPE", "replica"]);
    assert_eq!(killed, Reply::Int(1));
    write_load(&mut mc, 300, 13);
    wait_link_up(&replica);
    wait_in_sync(&master, &replica);
    assert_same_data(&master, &replica, "digest after master-side kill");
    wait_for("partial resync (master side)", 10, || {
        master.info("sync_partial_ok").parse::<i64>().unwrap_or(0) > ok_before + 1
    });
    assert_eq!(master.info("sync_full"), full_before, "no new full sync");
    assert_eq!(
        replica.conn().cmd(&["SET", "x", "y"]),
        Reply::error("READONLY You can't write against a read only replica.")
    );
}

#[test]
fn ferrodis_replica_of_ferrodis_diskless() {
    full_scenario(&ours(), &ours(), &["--repl-diskless-sync", "yes"], &[]);
}

#[test]
fn ferrodis_replica_of_ferrodis_disk() {
    full_scenario(&ours(), &ours(), &["--repl-diskless-sync", "no"], &[]);
}

#[test]
fn ferrodis_replica_of_real_redis() {
    if !real_available() {
        return;
    }
    full_scenario(REAL_SERVER, &ours(), &["--repl-diskless-sync", "yes"], &[]);
    full_scenario(REAL_SERVER, &ours(), &["--repl-diskless-sync", "no"], &[]);
}

#[test]
fn real_redis_replica_of_ferrodis() {
    if !real_available() {
        return;
    }
    full_scenario(&ours(), REAL_SERVER, &["--repl-diskless-sync", "yes"], &[]);
    full_scenario(&ours(), REAL_SERVER, &["--repl-diskless-sync", "no"], &[]);
}

/// PSYNC2: after REPLICAOF NO ONE on a replica, the other replica and the
/// old master continue from the promoted one with a partial resync.
fn promotion_scenario(bins: [&str; 3]) {
    let a = Node::start(bins[0], &[]);
    let b = Node::start(bins[1], &[]);
    let c = Node::start(bins[2], &[]);
    let mut ac = a.conn();
    populate(&mut ac, "p");
    replicaof(&b, &a);
    replicaof(&c, &a);
    wait_link_up(&b);
    wait_link_up(&c);
    write_load(&mut ac, 500, 3);
    wait_in_sync(&a, &b);
    wait_in_sync(&a, &c);
    let old_id = a.info("master_replid");

    assert_eq!(
        b.conn().cmd(&["REPLICAOF", "NO", "ONE"]),
        Reply::status("OK")
    );
    assert_eq!(b.info("role"), "master");
    assert_eq!(b.info("master_replid2"), old_id);
    let b_full = b.info("sync_full");
    replicaof(&c, &b);
    replicaof(&a, &b);
    wait_link_up(&c);
    wait_link_up(&a);
    let mut bc = b.conn();
    write_load(&mut bc, 300, 5);
    assert_same_data(&b, &c, "promoted master and other replica");
    assert_same_data(&b, &a, "promoted master and old master");
    assert_eq!(b.info("sync_full"), b_full, "promotion needed no full sync");
    assert_eq!(b.info("sync_partial_ok"), "2");
}

#[test]
fn promotion_keeps_partial_resync_ferrodis() {
    promotion_scenario([&ours(), &ours(), &ours()]);
}

#[test]
fn promotion_keeps_partial_resync_mixed() {
    if !real_available() {
        return;
    }
    promotion_scenario([REAL_SERVER, &ours(), REAL_SERVER]);
    promotion_scenario([&ours(), REAL_SERVER, &ours()]);
}

#[test]
fn replica_errors_and_roles() {
    let master = Node::start(&ours(), &[]);
    let replica = Node::start(&ours(), &["--replica-serve-stale-data", "no"]);
    let mut rc = replica.conn();
    assert_eq!(
        rc.cmd(&["ROLE"]),
        Reply::Array(vec![
            Reply::bulk(b"master"),
            Reply::Int(0),
            Reply::Array(vec![])
        ])
    );
    // Not connected yet: MASTERDOWN for data commands, INFO still works.
    assert_eq!(
        rc.cmd(&["REPLICAOF", "127.0.0.1", "1"]),
        Reply::status("OK")
    );
    assert_eq!(
        rc.cmd(&["GET", "x"]),
        Reply::error(
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
        )
    );
    assert_eq!(replica.info("master_link_status"), "down");
    replicaof(&replica, &master);
    wait_link_up(&replica);
    assert_eq!(
        rc.cmd(&["REPLICAOF", "127.0.0.1", &master.port.to_string()]),
        Reply::status("OK Already connected to specified master")
    );
    master.conn().cmd(&["SET", "x", "1"]);
    wait_in_sync(&master, &replica);
    assert_eq!(rc.cmd(&["GET", "x"]), Reply::bulk(b"1"));
    assert_eq!(
        rc.cmd(&["INCR", "x"]),
        Reply::error("READONLY You can't write against a read only replica.")
    );
    match rc.cmd(&["ROLE"]) {
        Reply::Array(v) => {
            assert_eq!(v[0], Reply::bulk(b"slave"));
            assert_eq!(v[1], Reply::bulk(b"127.0.0.1"));
            assert_eq!(v[2], Reply::Int(master.port as i64));
            assert_eq!(v[3], Reply::bulk(b"connected"));
        }
        r => panic!("ROLE {:?}", r),
    }
    match master.conn().cmd(&["ROLE"]) {
        Reply::Array(v) => {
            assert_eq!(v[0], Reply::bulk(b"master"));
            match &v[2] {
                Reply::Array(rows) => {
                    assert_eq!(rows.len(), 1);
                    match &rows[0] {
                        Reply::Array(r) => {
                            assert_eq!(r[0], Reply::bulk(b"127.0.0.1"));
                            assert_eq!(r[1], Reply::bulk(replica.port.to_string().as_bytes()));
                        }
                        r => panic!("{:?}", r),
                    }
                }
                r => panic!("{:?}", r),
            }
        }
        r => panic!("ROLE {:?}", r),
    }
    assert_eq!(rc.cmd(&["WAIT", "1", "0"]).text(), "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
    // WAIT on the master.
    let mut mc = master.conn();
    mc.cmd(&["SET", "y", "2"]);
    assert_eq!(mc.cmd(&["WAIT", "1", "5000"]), Reply::Int(1));
    assert_eq!(mc.cmd(&["WAIT", "2", "200"]), Reply::Int(1));
    // min-replicas-to-write
    mc.cmd(&["CONFIG", "SET", "min-replicas-to-write", "2"]);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        mc.cmd(&["SET", "z", "1"]),
        Reply::error("NOREPLICAS Not enough good replicas to write.")
    );
    mc.cmd(&["CONFIG", "SET", "min-replicas-to-write", "1"]);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(mc.cmd(&["SET", "z", "1"]), Reply::status("OK"));
    assert_eq!(master.info("min_slaves_good_slaves"), "1");
    // Promotion.
    assert_eq!(rc.cmd(&["REPLICAOF", "NO", "ONE"]), Reply::status("OK"));
    assert_eq!(rc.cmd(&["SET", "x", "new"]), Reply::status("OK"));
    assert!(replica
        .log()
        .contains("MASTER MODE enabled (user request from 'id="));
}

/// A replica whose master is down for a while keeps a short log, and says
/// when the link is back.
#[test]
fn unreachable_master_log_is_bounded() {
    let master = Node::start(&ours(), &[]);
    let mport = master.port;
    let replica = Node::start(&ours(), &["--replicaof", "127.0.0.1", &mport.to_string()]);
    wait_link_up(&replica);
    let mut master = master;
    master.kill();
    let before = replica.log().lines().count();
    std::thread::sleep(Duration::from_secs(20));
    let during = replica.log().lines().count() - before;
    // Redis writes ~60 lines for 20 s; ferrodis a handful.
    assert!(
        during <= 20,
        "{} log lines in 20 s:\n{}",
        during,
        tail(&replica.log(), 4000)
    );
    let log = replica.log();
    assert!(log.contains("Error condition on socket for SYNC: Connection refused"));
    assert!(log.contains("(repeated "), "{}", tail(&log, 3000));
    master.restart();
    wait_link_up(&replica);
    wait_for("recovery line", 10, || {
        replica
            .log()
            .contains("MASTER <-> REPLICA link is up again after ")
    });
}

/// The master restarts with its RDB: replicas continue with a partial
/// resync (repl-id / repl-offset aux fields, replid2 after restart).
#[test]
fn master_restart_keeps_partial_resync() {
    let mut master = Node::start(&ours(), &["--save", "900 1"]);
    let replica = Node::start(&ours(), &[]);
    replicaof(&replica, &master);
    wait_link_up(&replica);
    let mut mc = master.conn();
    write_load(&mut mc, 300, 17);
    wait_in_sync(&master, &replica);
    drop(mc);
    master.terminate();
    master.restart();
    wait_link_up(&replica);
    let mut mc = master.conn();
    write_load(&mut mc, 100, 19);
    assert_same_data(&master, &replica, "restarted master and replica");
    assert_eq!(
        master.info("sync_partial_ok"),
        "1",
        "{}",
        tail(&master.log(), 3000)
    );
    assert_eq!(master.info("sync_full"), "0");
}
