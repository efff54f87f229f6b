//! `redis-server --check-system`: ferrodis's own check of the kernel and
//! process settings a Redis server depends on, with the exact fix for each.
//!
//! Redis 7.0 has a `--check-system` too (syscheck.c: `syscheck()` running
//! `checkClocksource`, `checkXenClocksource`, `checkOvercommit`,
//! `checkTHPEnabled`) that prints `[name]...OK|WARNING|skipped` and a
//! paragraph. Operators had to dig the remaining fixes (somaxconn, open files)
//! out of start-up warnings, so this check goes further, per issue 7:
//!
//! * the same check names as Redis, in Redis's order, then ours:
//!   `[slow-clocksource]`, `[xen-clocksource]`, `[overcommit]`, `[THP]`,
//!   `[somaxconn]` (net.core.somaxconn vs `tcp-backlog`, Redis's
//!   checkTcpBacklogSettings) and `[nofile]` (RLIMIT_NOFILE vs
//!   `maxclients` + 32, Redis's adjustOpenFilesLimit);
//! * every check prints its head line `[name]...OK|WARNING|skipped` (the
//!   words Redis uses), then indented lines: the value found, and for a
//!   warning the reason and the exact commands: `sysctl -w ...` to fix it
//!   now, the /etc/sysctl.conf line (or the /etc/rc.local line, the
//!   limits.conf lines, `LimitNOFILE=`) to keep it after a reboot;
//! * the configuration is read like a normal start, so
//!   `redis-server /etc/redis/6379.conf --check-system` checks against that
//!   instance's `tcp-backlog` and `maxclients` (plain `--check-system` uses
//!   the defaults; `--tcp-backlog 1024` style options work as well);
//! * the exit code is 0 only when no check warns (a skipped check, e.g. a
//!   /proc file that does not exist, does not fail).
//!
//! Design: [`Probe`] gathers every value from /proc and /sys (and getrusage /
//! getrlimit through `sys::process`) in one place; the `check_*` functions
//! are pure (probe in, [`Check`] out) so the unit tests feed them the values
//! of healthy and broken hosts.
use ferrodis::config::Config;
use ferrodis::server::{FERRODIS_VERSION, REDIS_VERSION};
use ferrodis::sys;

/// CONFIG_MIN_RESERVED_FDS: descriptors kept beyond maxclients.
const RESERVED_FDS: u64 = 32;

const THP_PATH: &str = "/sys/kernel/mm/transparent_hugepage/enabled";
const CLOCKSOURCE_DIR: &str = "/sys/devices/system/clocksource/clocksource0";

/// The outcome of one check, with the words Redis prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Warning,
    /// The value could not be read (not Linux, /proc not mounted ...).
    Skipped,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Warning => "WARNING",
            Verdict::Skipped => "skipped",
        }
    }
}

/// One check's result: its Redis-style name, verdict, and the detail lines
/// (value, reason, fixes) printed under the head line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub verdict: Verdict,
    pub lines: Vec<String>,
}

impl Check {
    fn new(name: &'static str, verdict: Verdict, lines: Vec<String>) -> Check {
        Check {
            name,
            verdict,
            lines,
        }
    }
}

/// Everything the checks look at, read once from the running system.
#[derive(Clone, Debug, Default)]
pub struct Probe {
    /// /proc/sys/vm/overcommit_memory (trimmed)
    pub overcommit_memory: Option<String>,
    /// /proc/sys/net/core/somaxconn (trimmed)
    pub somaxconn: Option<String>,
    /// /sys/kernel/mm/transparent_hugepage/enabled, e.g. "always [madvise] never"
    pub thp_enabled: Option<String>,
    pub clocksource_current: Option<String>,
    pub clocksource_available: Option<String>,
    /// (user, system) CPU seconds spent in a clock_gettime busy loop.
    pub clock_loop_cpu: Option<(f64, f64)>,
    /// RLIMIT_NOFILE (soft, hard)
    pub nofile: Option<(u64, u64)>,
    /// /proc/sys/fs/nr_open: the ceiling of any hard limit
    pub nr_open: Option<u64>,
    /// effective uid, from /proc/self/status
    pub euid: Option<u64>,
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Effective uid: the second field of the "Uid:" line of /proc/self/status.
fn parse_euid(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Busy-loop on the monotonic clock for 5 ticks of a 100 Hz kernel (50 ms)
/// and return the (user, system) CPU time it took, as checkClocksource does:
/// a vDSO clock costs no system time.
fn measure_clock_loop() -> (f64, f64) {
    let (u0, s0) = sys::process::cpu_usage(false);
    let start = std::time::Instant::now();
    let budget = std::time::Duration::from_millis(50);
    while start.elapsed() < budget {
        std::hint::spin_loop();
    }
    let (u1, s1) = sys::process::cpu_usage(false);
    ((u1 - u0).max(0.0), (s1 - s0).max(0.0))
}

impl Probe {
    pub fn read() -> Probe {
        Probe {
            overcommit_memory: read_trimmed("/proc/sys/vm/overcommit_memory"),
            somaxconn: read_trimmed("/proc/sys/net/core/somaxconn"),
            thp_enabled: read_trimmed(THP_PATH),
            clocksource_current: read_trimmed(&format!("{}/current_clocksource", CLOCKSOURCE_DIR)),
            clocksource_available: read_trimmed(&format!(
                "{}/available_clocksource",
                CLOCKSOURCE_DIR
            )),
            clock_loop_cpu: Some(measure_clock_loop()),
            nofile: sys::process::get_nofile_limit().ok(),
            nr_open: read_trimmed("/proc/sys/fs/nr_open").and_then(|s| s.parse().ok()),
            euid: std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| parse_euid(&s)),
        }
    }
}

/// [slow-clocksource]: more than 10% of the loop's CPU time in the kernel
/// means clock_gettime is a real system call.
pub fn check_slow_clocksource(p: &Probe) -> Check {
    let name = "slow-clocksource";
    let Some((user, system)) = p.clock_loop_cpu else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let total = user + system;
    let pct = if total > 0.0 {
        system * 100.0 / total
    } else {
        0.0
    };
    let cur = p.clocksource_current.as_deref().unwrap_or("unknown");
    let avail = p.clocksource_available.as_deref().unwrap_or("unknown");
    let value = format!(
        "clocksource: {} (available: {}); system time in clock_gettime: {:.0}%",
        cur, avail, pct
    );
    if system * 10.0 > total {
        Check::new(
            name,
            Verdict::Warning,
            vec![
                value,
                "Slow system clocksource detected. This can result in degraded performance.".into(),
                format!("fix now:     echo tsc > {}/current_clocksource", CLOCKSOURCE_DIR),
                "fix at boot: add clocksource=tsc to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then grub2-mkconfig -o /boot/grub2/grub.cfg)".into(),
            ],
        )
    } else {
        Check::new(name, Verdict::Ok, vec![value])
    }
}

/// [xen-clocksource]: Xen's default clocksource is slow.
pub fn check_xen_clocksource(p: &Probe) -> Check {
    let name = "xen-clocksource";
    let Some(cur) = p.clocksource_current.as_deref() else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let value = format!("{}/current_clocksource = {}", CLOCKSOURCE_DIR, cur);
    if cur == "xen" {
        Check::new(
            name,
            Verdict::Warning,
            vec![
                value,
                "Your system is configured to use the 'xen' clocksource which might lead to degraded performance.".into(),
                format!("fix now:     echo tsc > {}/current_clocksource   (if tsc is among: {})", CLOCKSOURCE_DIR, p.clocksource_available.as_deref().unwrap_or("unknown")),
                "fix at boot: add clocksource=tsc to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then grub2-mkconfig -o /boot/grub2/grub.cfg)".into(),
            ],
        )
    } else {
        Check::new(name, Verdict::Ok, vec![value])
    }
}

/// [overcommit]: vm.overcommit_memory must be 1 so fork() for BGSAVE and
/// full resynchronisation does not fail under memory pressure.
pub fn check_overcommit(p: &Probe) -> Check {
    let name = "overcommit";
    let Some(v) = p.overcommit_memory.as_deref() else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let value = format!("vm.overcommit_memory = {}", v);
    // Redis reads it with strtol: "1" (and "1\n", " 1") count as enabled.
    if v.trim().parse::<i64>().ok() == Some(1) {
        Check::new(name, Verdict::Ok, vec![value])
    } else {
        Check::new(
            name,
            Verdict::Warning,
            vec![
                format!("{} (should be 1)", value),
                "Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition.".into(),
                "fix now:     sysctl -w vm.overcommit_memory=1".into(),
                "fix at boot: add the line 'vm.overcommit_memory = 1' to /etc/sysctl.conf".into(),
            ],
        )
    }
}

/// [THP]: Transparent Huge Pages set to "always" make copy-on-write after
/// fork expensive (latency and memory spikes during BGSAVE).
pub fn check_thp(p: &Probe) -> Check {
    let name = "THP";
    let Some(v) = p.thp_enabled.as_deref() else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let value = format!("{} = {}", THP_PATH, v);
    if v.contains("[always]") {
        Check::new(
            name,
            Verdict::Warning,
            vec![
                value,
                "You have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency and memory usage issues with Redis.".into(),
                format!("fix now:     echo madvise > {}", THP_PATH),
                format!("fix at boot: add the line 'echo madvise > {}' to /etc/rc.local (CentOS 7: /etc/rc.d/rc.local, and chmod +x /etc/rc.d/rc.local)", THP_PATH),
                "then restart the server: THP is only off for memory allocated afterwards.".into(),
            ],
        )
    } else {
        Check::new(name, Verdict::Ok, vec![value])
    }
}

/// [somaxconn]: the kernel silently caps listen()'s backlog at
/// net.core.somaxconn, so a `tcp-backlog` above it is not enforced.
pub fn check_somaxconn(p: &Probe, tcp_backlog: i64) -> Check {
    let name = "somaxconn";
    let Some(n) = p.somaxconn.as_deref().and_then(|s| s.parse::<i64>().ok()) else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let value = format!("net.core.somaxconn = {}, tcp-backlog = {}", n, tcp_backlog);
    if n >= tcp_backlog {
        Check::new(name, Verdict::Ok, vec![value])
    } else {
        Check::new(
            name,
            Verdict::Warning,
            vec![
                value,
                format!("The TCP backlog setting of {} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of {}.", tcp_backlog, n),
                format!("fix now:     sysctl -w net.core.somaxconn={}   (then restart the server)", tcp_backlog),
                format!("fix at boot: add the line 'net.core.somaxconn = {}' to /etc/sysctl.conf", tcp_backlog),
                format!("or lower tcp-backlog to {} in the config file.", n),
            ],
        )
    }
}

/// [nofile]: the server needs maxclients + 32 descriptors. It raises its
/// soft limit up to the hard limit by itself at start (and, as root, the hard
/// limit up to fs.nr_open); otherwise it lowers maxclients to fit.
pub fn check_nofile(p: &Probe, maxclients: u64, user: &str) -> Check {
    let name = "nofile";
    let Some((soft, hard)) = p.nofile else {
        return Check::new(name, Verdict::Skipped, vec![]);
    };
    let need = maxclients.saturating_add(RESERVED_FDS);
    let value = format!(
        "open files limit (ulimit -n) = {} (hard limit {}); maxclients {} needs {}",
        soft, hard, maxclients, need
    );
    let root = p.euid == Some(0);
    let nr_open_ok = p.nr_open.map(|n| need <= n).unwrap_or(true);
    if soft >= need {
        return Check::new(name, Verdict::Ok, vec![value]);
    }
    if hard >= need {
        return Check::new(
            name,
            Verdict::Ok,
            vec![
                value,
                format!(
                    "the server raises its soft limit to {} itself at start",
                    need
                ),
            ],
        );
    }
    if root && nr_open_ok {
        return Check::new(
            name,
            Verdict::Ok,
            vec![
                value,
                format!(
                    "started as root, the server raises both limits to {} itself at start",
                    need
                ),
            ],
        );
    }
    let mut lines = vec![
        value,
        format!("You requested maxclients of {} requiring at least {} max file descriptors: the server will lower maxclients to {}.", maxclients, need, hard.saturating_sub(RESERVED_FDS)),
    ];
    if !nr_open_ok {
        lines.push(format!(
            "fix first:   sysctl -w fs.nr_open={}   (and 'fs.nr_open = {}' in /etc/sysctl.conf): no limit can exceed fs.nr_open = {}",
            need,
            need,
            p.nr_open.unwrap_or(0)
        ));
    }
    lines.push(format!(
        "fix now:     ulimit -n {}   (as root, in the shell or init script that starts the server)",
        need
    ));
    lines.push(format!(
        "fix at boot: add the lines '{} soft nofile {}' and '{} hard nofile {}' to /etc/security/limits.conf (login sessions)",
        user, need, user, need
    ));
    lines.push(format!(
        "systemd:     LimitNOFILE={} in the [Service] section of the unit, then systemctl daemon-reload",
        need
    ));
    Check::new(name, Verdict::Warning, lines)
}

/// Every check, in output order.
pub fn run_checks(p: &Probe, tcp_backlog: i64, maxclients: u64, user: &str) -> Vec<Check> {
    vec![
        check_slow_clocksource(p),
        check_xen_clocksource(p),
        check_overcommit(p),
        check_thp(p),
        check_somaxconn(p, tcp_backlog),
        check_nofile(p, maxclients, user),
    ]
}

/// The report printed on stdout.
pub fn render(
    checks: &[Check],
    config_file: Option<&str>,
    tcp_backlog: i64,
    maxclients: u64,
) -> String {
    let mut out = format!(
        "ferrodis {} (Redis {} compatible) system check\n",
        FERRODIS_VERSION, REDIS_VERSION
    );
    match config_file {
        Some(f) => out.push_str(&format!(
            "config: {} (tcp-backlog {}, maxclients {})\n\n",
            f, tcp_backlog, maxclients
        )),
        None => out.push_str(&format!(
            "config: none, defaults (tcp-backlog {}, maxclients {}); pass the instance's config file to check against it\n\n",
            tcp_backlog, maxclients
        )),
    }
    for c in checks {
        out.push_str(&format!("[{}]...{}\n", c.name, c.verdict.word()));
        for l in &c.lines {
            out.push_str("    ");
            out.push_str(l);
            out.push('\n');
        }
    }
    let warnings = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Warning)
        .count();
    out.push('\n');
    match warnings {
        0 => out.push_str("All checks passed.\n"),
        1 => out.push_str("1 warning: apply the fix above, then run this check again.\n"),
        n => out.push_str(&format!(
            "{} warnings: apply the fixes above, then run this check again.\n",
            n
        )),
    }
    out
}

/// Exit code of `--check-system`: 0 when no check warns, 1 otherwise.
pub fn exit_code(checks: &[Check]) -> i32 {
    if checks.iter().any(|c| c.verdict == Verdict::Warning) {
        1
    } else {
        0
    }
}

/// Run every check against `cfg` (the loaded configuration), print the
/// report, return the exit code.
pub fn check_system(cfg: &Config) -> i32 {
    let probe = Probe::read();
    let user = if probe.euid == Some(0) {
        "root".to_string()
    } else {
        std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "redis".to_string())
    };
    let checks = run_checks(&probe, cfg.tcp_backlog, cfg.maxclients, &user);
    print!(
        "{}",
        render(
            &checks,
            cfg.config_file.as_deref(),
            cfg.tcp_backlog,
            cfg.maxclients
        )
    );
    exit_code(&checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A healthy host.
    fn good() -> Probe {
        Probe {
            overcommit_memory: Some("1".into()),
            somaxconn: Some("4096".into()),
            thp_enabled: Some("always [madvise] never".into()),
            clocksource_current: Some("tsc".into()),
            clocksource_available: Some("tsc hpet acpi_pm".into()),
            clock_loop_cpu: Some((0.05, 0.0)),
            nofile: Some((65536, 65536)),
            nr_open: Some(1048576),
            euid: Some(1000),
        }
    }

    /// A stock CentOS 7 box, as the seeds found it.
    fn centos7() -> Probe {
        Probe {
            overcommit_memory: Some("0".into()),
            somaxconn: Some("128".into()),
            thp_enabled: Some("[always] madvise never".into()),
            clocksource_current: Some("xen".into()),
            clocksource_available: Some("xen tsc hpet acpi_pm".into()),
            clock_loop_cpu: Some((0.01, 0.04)),
            nofile: Some((1024, 4096)),
            nr_open: Some(1048576),
            euid: Some(1000),
        }
    }

    #[test]
    fn healthy_host_passes() {
        let checks = run_checks(&good(), 511, 10000, "redis");
        assert!(
            checks.iter().all(|c| c.verdict == Verdict::Ok),
            "{:?}",
            checks
        );
        assert_eq!(exit_code(&checks), 0);
        let out = render(&checks, Some("/etc/redis/6379.conf"), 511, 10000);
        assert!(out.contains("[overcommit]...OK\n    vm.overcommit_memory = 1\n"));
        assert!(out.contains("[THP]...OK\n"));
        assert!(
            out.contains("[somaxconn]...OK\n    net.core.somaxconn = 4096, tcp-backlog = 511\n")
        );
        assert!(out.contains("config: /etc/redis/6379.conf (tcp-backlog 511, maxclients 10000)"));
        assert!(out.ends_with("All checks passed.\n"));
    }

    #[test]
    fn names_keep_redis_order() {
        let names: Vec<&str> = run_checks(&good(), 511, 10000, "r")
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(
            names,
            [
                "slow-clocksource",
                "xen-clocksource",
                "overcommit",
                "THP",
                "somaxconn",
                "nofile"
            ]
        );
    }

    #[test]
    fn centos7_defaults_all_warn_with_fixes() {
        let checks = run_checks(&centos7(), 511, 10000, "redis");
        assert!(
            checks.iter().all(|c| c.verdict == Verdict::Warning),
            "{:?}",
            checks
        );
        assert_eq!(exit_code(&checks), 1);
        let out = render(&checks, None, 511, 10000);
        assert!(out.contains("    fix now:     sysctl -w vm.overcommit_memory=1\n"));
        assert!(out.contains("'vm.overcommit_memory = 1' to /etc/sysctl.conf"));
        assert!(out.contains(
            "    fix now:     sysctl -w net.core.somaxconn=511   (then restart the server)\n"
        ));
        assert!(out.contains("'net.core.somaxconn = 511' to /etc/sysctl.conf"));
        assert!(out.contains(
            "    fix now:     echo madvise > /sys/kernel/mm/transparent_hugepage/enabled\n"
        ));
        assert!(out.contains(
            "'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled' to /etc/rc.local"
        ));
        assert!(out.contains("'redis soft nofile 10032' and 'redis hard nofile 10032'"));
        assert!(out.contains("LimitNOFILE=10032"));
        assert!(out.contains("ulimit -n 10032"));
        assert!(out.contains("[xen-clocksource]...WARNING\n"));
        assert!(out.ends_with("6 warnings: apply the fixes above, then run this check again.\n"));
        assert!(out.contains("config: none, defaults"));
    }

    #[test]
    fn overcommit_values() {
        let mut p = good();
        for (v, ok) in [
            ("1", true),
            ("0", false),
            ("2", false),
            (" 1", true),
            ("x", false),
        ] {
            p.overcommit_memory = Some(v.into());
            assert_eq!(check_overcommit(&p).verdict == Verdict::Ok, ok, "{}", v);
        }
        p.overcommit_memory = None;
        assert_eq!(check_overcommit(&p).verdict, Verdict::Skipped);
    }

    #[test]
    fn thp_only_always_warns() {
        let mut p = good();
        for (v, ok) in [
            ("always [madvise] never", true),
            ("always madvise [never]", true),
            ("[always] madvise never", false),
        ] {
            p.thp_enabled = Some(v.into());
            assert_eq!(check_thp(&p).verdict == Verdict::Ok, ok, "{}", v);
        }
        p.thp_enabled = None;
        assert_eq!(check_thp(&p).verdict, Verdict::Skipped);
    }

    #[test]
    fn somaxconn_against_backlog() {
        let mut p = good();
        p.somaxconn = Some("511".into());
        assert_eq!(check_somaxconn(&p, 511).verdict, Verdict::Ok);
        let c = check_somaxconn(&p, 512);
        assert_eq!(c.verdict, Verdict::Warning);
        assert!(c.lines[1].contains("The TCP backlog setting of 512 cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of 511."));
        assert!(c.lines[2].starts_with("fix now:     sysctl -w net.core.somaxconn=512"));
        p.somaxconn = Some("garbage".into());
        assert_eq!(check_somaxconn(&p, 511).verdict, Verdict::Skipped);
    }

    #[test]
    fn nofile_levels() {
        let mut p = good();
        // soft enough
        p.nofile = Some((10032, 10032));
        assert_eq!(check_nofile(&p, 10000, "u").verdict, Verdict::Ok);
        // the server raises its soft limit itself
        p.nofile = Some((1024, 10032));
        let c = check_nofile(&p, 10000, "u");
        assert_eq!(c.verdict, Verdict::Ok);
        assert!(c.lines[1].contains("raises its soft limit to 10032"));
        // hard too low, not root
        p.nofile = Some((1024, 4096));
        let c = check_nofile(&p, 10000, "u");
        assert_eq!(c.verdict, Verdict::Warning);
        assert!(c.lines[1].contains("lower maxclients to 4064"));
        // root can raise the hard limit up to nr_open
        p.euid = Some(0);
        assert_eq!(check_nofile(&p, 10000, "root").verdict, Verdict::Ok);
        // ... but not beyond it
        let c = check_nofile(&p, 2_000_000, "root");
        assert_eq!(c.verdict, Verdict::Warning);
        assert!(c
            .lines
            .iter()
            .any(|l| l.contains("sysctl -w fs.nr_open=2000032")));
        // huge maxclients does not overflow
        let c = check_nofile(&p, u64::MAX, "root");
        assert_eq!(c.verdict, Verdict::Warning);
        p.nofile = None;
        assert_eq!(check_nofile(&p, 10000, "u").verdict, Verdict::Skipped);
    }

    #[test]
    fn clocksource_checks() {
        let mut p = good();
        assert_eq!(check_slow_clocksource(&p).verdict, Verdict::Ok);
        p.clock_loop_cpu = Some((0.04, 0.01)); // 20% in the kernel
        assert_eq!(check_slow_clocksource(&p).verdict, Verdict::Warning);
        p.clock_loop_cpu = Some((0.0, 0.0)); // too short to measure
        assert_eq!(check_slow_clocksource(&p).verdict, Verdict::Ok);
        p.clock_loop_cpu = None;
        assert_eq!(check_slow_clocksource(&p).verdict, Verdict::Skipped);
        assert_eq!(check_xen_clocksource(&p).verdict, Verdict::Ok);
        p.clocksource_current = Some("xen".into());
        assert_eq!(check_xen_clocksource(&p).verdict, Verdict::Warning);
        p.clocksource_current = None;
        assert_eq!(check_xen_clocksource(&p).verdict, Verdict::Skipped);
    }

    #[test]
    fn skipped_does_not_fail() {
        let p = Probe::default();
        let checks = run_checks(&p, 511, 10000, "u");
        assert!(checks.iter().all(|c| c.verdict == Verdict::Skipped));
        assert_eq!(exit_code(&checks), 0);
        assert!(render(&checks, None, 511, 10000).contains("[THP]...skipped\n"));
    }

    #[test]
    fn euid_from_proc_status() {
        let s = "Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n";
        assert_eq!(parse_euid(s), Some(0));
        assert_eq!(parse_euid("Uid:\t5\t7\t7\t7\n"), Some(7));
        assert_eq!(parse_euid("Name: x\n"), None);
        assert_eq!(parse_euid("Uid:\tx\n"), None);
    }

    #[test]
    fn live_probe_reads_something() {
        // On Linux the /proc files exist; the probe must not panic anywhere.
        let p = Probe::read();
        let checks = run_checks(&p, 511, 10000, "u");
        assert_eq!(checks.len(), 6);
        if std::path::Path::new("/proc/sys/vm/overcommit_memory").exists() {
            assert!(p.overcommit_memory.is_some());
            assert_ne!(checks[2].verdict, Verdict::Skipped);
        }
    }
}
