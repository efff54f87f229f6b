//! Sentinel's configuration: the `sentinel ...` directives of the config
//! file (sentinelHandleConfiguration, loaded in Redis's order: the
//! pre-monitor options, then `monitor`, then the per-master ones), the state
//! lines Sentinel writes itself, and the rewrite of its own config file on
//! every state change (rewriteConfigSentinelOption, sentinelFlushConfig).
//!
//! The rewrite goes through the server's CONFIG REWRITE engine
//! (`config::config_rewrite_with`): lines of the original file stay in
//! place, `sentinel <option>` lines are replaced in order, new ones are
//! appended, obsolete ones blanked, and the file is replaced atomically
//! (temp file, fsync, rename).
use super::monitor::{atoi, current_master_addr, strtoull};
use super::{CreateError, Sentinel};
use crate::config::{Config, LoadError, LoadErrorKind, RewriteState};
use crate::server::Server;

/// Options loaded before the `monitor` lines (preMonitorCfgName).
const PRE_MONITOR: &[&str] = &[
    "announce-ip",
    "announce-port",
    "deny-scripts-reconfig",
    "sentinel-user",
    "sentinel-pass",
    "current-epoch",
    "myid",
    "resolve-hostnames",
    "announce-hostnames",
];

/// sentinelCheckCreateInstanceErrors.
pub fn create_error_text(e: CreateError, what: u32) -> &'static str {
    match e {
        CreateError::Busy => {
            if what == super::sri::MASTER {
                "Duplicate master name."
            } else if what == super::sri::SLAVE {
                "Duplicate hostname and port for replica."
            } else {
                "Duplicate runid for sentinel."
            }
        }
        CreateError::NoEnt => "Can't resolve instance hostname.",
        CreateError::Inval => "Invalid port number.",
    }
}

fn yesno(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// access(path, X_OK).
pub fn is_executable(path: &str) -> bool {
    crate::sys::process::access(path, crate::sys::process::X_OK).is_ok()
}

/// sentinelHandleConfiguration: one `sentinel <argv...>` line.
pub fn handle_configuration(
    srv: Option<&mut Server>,
    s: &mut Sentinel,
    argv: &[String],
) -> Result<(), &'static str> {
    let argc = argv.len();
    let opt = argv
        .first()
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_default();
    let master = |s: &Sentinel, name: &str| {
        s.master_index(name)
            .ok_or("No such master with specified name.")
    };
    match (opt.as_str(), argc) {
        ("monitor", 5) => {
            let quorum = atoi(&argv[4]);
            if quorum <= 0 {
                return Err("Quorum must be 1 or greater.");
            }
            s.create_master(&argv[1], &argv[2], atoi(&argv[3]), quorum as u32)
                .map_err(|e| create_error_text(e, super::sri::MASTER))?;
        }
        ("down-after-milliseconds", 3) => {
            let mi = master(s, &argv[1])?;
            let v = atoi(&argv[2]) as i32 as i64;
            s.masters[mi].ri.down_after_period = v;
            if v <= 0 {
                return Err("negative or zero time parameter.");
            }
            propagate_down_after_period(s, mi);
        }
        ("failover-timeout", 3) => {
            let mi = master(s, &argv[1])?;
            let v = atoi(&argv[2]) as i32 as i64;
            s.masters[mi].failover_timeout = v;
            if v <= 0 {
                return Err("negative or zero time parameter.");
            }
        }
        ("parallel-syncs", 3) => {
            let mi = master(s, &argv[1])?;
            s.masters[mi].parallel_syncs = atoi(&argv[2]) as i32;
        }
        ("notification-script", 3) => {
            let mi = master(s, &argv[1])?;
            if !is_executable(&argv[2]) {
                return Err("Notification script seems non existing or non executable.");
            }
            s.masters[mi].notification_script = Some(argv[2].clone());
        }
        ("client-reconfig-script", 3) => {
            let mi = master(s, &argv[1])?;
            if !is_executable(&argv[2]) {
                return Err("Client reconfiguration script seems non existing or non executable.");
            }
            s.masters[mi].client_reconfig_script = Some(argv[2].clone());
        }
        ("auth-pass", 3) => {
            let mi = master(s, &argv[1])?;
            s.masters[mi].auth_pass = Some(argv[2].clone());
        }
        ("auth-user", 3) => {
            let mi = master(s, &argv[1])?;
            s.masters[mi].auth_user = Some(argv[2].clone());
        }
        ("current-epoch", 2) => {
            let e = strtoull(&argv[1]);
            if e > s.current_epoch {
                s.current_epoch = e;
            }
        }
        ("myid", 2) => {
            if argv[1].len() != 40 {
                return Err("Malformed Sentinel id in myid option.");
            }
            s.myid = argv[1].clone();
        }
        ("config-epoch", 3) => {
            let mi = master(s, &argv[1])?;
            let e = strtoull(&argv[2]);
            s.masters[mi].ri.config_epoch = e;
            if e > s.current_epoch {
                s.current_epoch = e;
            }
        }
        ("leader-epoch", 3) => {
            let mi = master(s, &argv[1])?;
            s.masters[mi].ri.leader_epoch = strtoull(&argv[2]);
        }
        ("known-slave", 4) | ("known-replica", 4) => {
            let mi = master(s, &argv[1])?;
            s.create_slave(mi, &argv[2], atoi(&argv[3]))
                .map_err(|e| create_error_text(e, super::sri::SLAVE))?;
        }
        ("known-sentinel", 4) => {
            // The old form without a run id is ignored.
        }
        ("known-sentinel", 5) => {
            let mi = master(s, &argv[1])?;
            let si = s
                .create_sentinel(mi, &argv[4], &argv[2], atoi(&argv[3]))
                .map_err(|e| create_error_text(e, super::sri::SENTINEL))?;
            if let Some(srv) = srv {
                super::link::try_connection_sharing(srv, s, mi, si);
            } else {
                share_link_at_load(s, mi, si);
            }
        }
        ("rename-command", 4) => {
            let mi = master(s, &argv[1])?;
            let m = &mut s.masters[mi];
            if m.renamed_commands
                .iter()
                .any(|(o, _)| o.eq_ignore_ascii_case(&argv[2]))
            {
                return Err("Same command renamed multiple times with rename-command.");
            }
            m.renamed_commands.push((argv[2].clone(), argv[3].clone()));
        }
        ("announce-ip", 2) => {
            if !argv[1].is_empty() {
                s.announce_ip = Some(argv[1].clone());
            }
        }
        ("announce-port", 2) => s.announce_port = atoi(&argv[1]) as i32 as i64,
        ("deny-scripts-reconfig", 2) => {
            s.deny_scripts_reconfig = yesno(&argv[1])
                .ok_or("Please specify yes or no for the deny-scripts-reconfig options.")?;
        }
        ("sentinel-user", 2) => {
            if !argv[1].is_empty() {
                s.sentinel_auth_user = Some(argv[1].clone());
            }
        }
        ("sentinel-pass", 2) => {
            if !argv[1].is_empty() {
                s.sentinel_auth_pass = Some(argv[1].clone());
            }
        }
        ("resolve-hostnames", 2) => {
            s.resolve_hostnames = yesno(&argv[1])
                .ok_or("Please specify yes or no for the resolve-hostnames option.")?;
        }
        ("announce-hostnames", 2) => {
            s.announce_hostnames = yesno(&argv[1])
                .ok_or("Please specify yes or no for the announce-hostnames option.")?;
        }
        ("master-reboot-down-after-period", 3) => {
            let mi = master(s, &argv[1])?;
            let v = atoi(&argv[2]) as i32 as i64;
            s.masters[mi].master_reboot_down_after_period = v;
            if v < 0 {
                return Err("negative time parameter.");
            }
        }
        _ => return Err("Unrecognized sentinel configuration statement."),
    }
    Ok(())
}

/// Connection sharing while loading (no server yet, no connection open):
/// point the new Sentinel at the link of the same run id elsewhere.
fn share_link_at_load(s: &mut Sentinel, mi: usize, si: usize) {
    let Some(runid) = s.masters[mi].sentinels[si].runid.clone() else {
        return;
    };
    let mine = s.masters[mi].sentinels[si].link;
    let other = s.masters.iter().enumerate().find_map(|(omi, m)| {
        if omi == mi {
            return None;
        }
        m.sentinels
            .iter()
            .find(|o| o.runid.as_deref() == Some(runid.as_str()))
            .map(|o| o.link)
    });
    if let Some(shared) = other {
        if let Some(slot) = s.links.get_mut(mine) {
            *slot = None;
        }
        s.masters[mi].sentinels[si].link = shared;
        if let Some(l) = super::link::link_mut(s, shared) {
            l.refcount += 1;
        }
    }
}

/// sentinelPropagateDownAfterPeriod.
pub fn propagate_down_after_period(s: &mut Sentinel, mi: usize) {
    let m = &mut s.masters[mi];
    let d = m.ri.down_after_period;
    for ri in m.slaves.iter_mut().chain(m.sentinels.iter_mut()) {
        ri.down_after_period = d;
    }
}

/// loadSentinelConfigFromQueue: build the Sentinel state from the
/// `sentinel` lines of the configuration, in Redis's three passes.
pub fn load(cfg: &Config) -> Result<Sentinel, LoadError> {
    let mut s = Sentinel::default();
    let lines = &cfg.sentinel_lines;
    let pass = |i: usize| -> u8 {
        let name = lines[i]
            .first()
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_default();
        if name == "monitor" {
            1
        } else if PRE_MONITOR.contains(&name.as_str()) {
            0
        } else {
            2
        }
    };
    for p in 0..3u8 {
        for (i, line) in lines.iter().enumerate() {
            if pass(i) != p {
                continue;
            }
            if let Err(reason) = handle_configuration(None, &mut s, line) {
                let origin = cfg.sentinel_line_origins.get(i);
                return Err(LoadError {
                    line_no: origin.map(|o| o.line_no).unwrap_or(0),
                    line: origin.map(|o| o.line.clone()).unwrap_or_default(),
                    reason: reason.to_string(),
                    kind: LoadErrorKind::Fatal,
                });
            }
        }
    }
    Ok(s)
}

/// sentinelCheckConfigFile: Sentinel must be able to rewrite its config.
pub fn check_config_file(cfg: &Config) -> Result<(), String> {
    match &cfg.config_file {
        None => Err("Sentinel needs config file on disk to save state. Exiting...".to_string()),
        Some(f) => match crate::sys::process::access(f, crate::sys::process::W_OK) {
            Ok(()) => Ok(()),
            Err(e) => Err(format!(
                "Sentinel config file {} is not writable: {}. Exiting...",
                f,
                crate::rdb::save::io_text(&e)
            )),
        },
    }
}

/// rewriteConfigSentinelOption: the Sentinel lines of a config rewrite.
pub fn rewrite_sentinel_option(s: &Sentinel, st: &mut RewriteState) {
    st.rewrite_line("sentinel myid", format!("sentinel myid {}", s.myid), true);
    st.rewrite_line(
        "sentinel deny-scripts-reconfig",
        format!(
            "sentinel deny-scripts-reconfig {}",
            if s.deny_scripts_reconfig { "yes" } else { "no" }
        ),
        s.deny_scripts_reconfig != super::DEFAULT_DENY_SCRIPTS_RECONFIG,
    );
    st.rewrite_line(
        "sentinel resolve-hostnames",
        format!(
            "sentinel resolve-hostnames {}",
            if s.resolve_hostnames { "yes" } else { "no" }
        ),
        s.resolve_hostnames,
    );
    st.rewrite_line(
        "sentinel announce-hostnames",
        format!(
            "sentinel announce-hostnames {}",
            if s.announce_hostnames { "yes" } else { "no" }
        ),
        s.announce_hostnames,
    );
    for m in &s.masters {
        let ma = current_master_addr(m);
        st.rewrite_line(
            "sentinel monitor",
            format!(
                "sentinel monitor {} {} {} {}",
                m.ri.name,
                s.announce_addr(ma),
                ma.port,
                m.quorum
            ),
            true,
        );
        if m.ri.down_after_period != s.p.default_down_after {
            st.rewrite_line(
                "sentinel down-after-milliseconds",
                format!(
                    "sentinel down-after-milliseconds {} {}",
                    m.ri.name, m.ri.down_after_period
                ),
                true,
            );
        }
        if m.failover_timeout != s.p.default_failover_timeout {
            st.rewrite_line(
                "sentinel failover-timeout",
                format!(
                    "sentinel failover-timeout {} {}",
                    m.ri.name, m.failover_timeout
                ),
                true,
            );
        }
        if m.parallel_syncs != super::DEFAULT_PARALLEL_SYNCS {
            st.rewrite_line(
                "sentinel parallel-syncs",
                format!("sentinel parallel-syncs {} {}", m.ri.name, m.parallel_syncs),
                true,
            );
        }
        if let Some(p) = &m.notification_script {
            st.rewrite_line(
                "sentinel notification-script",
                format!("sentinel notification-script {} {}", m.ri.name, p),
                true,
            );
        }
        if let Some(p) = &m.client_reconfig_script {
            st.rewrite_line(
                "sentinel client-reconfig-script",
                format!("sentinel client-reconfig-script {} {}", m.ri.name, p),
                true,
            );
        }
        if let Some(p) = &m.auth_pass {
            st.rewrite_line(
                "sentinel auth-pass",
                format!("sentinel auth-pass {} {}", m.ri.name, p),
                true,
            );
        }
        if let Some(u) = &m.auth_user {
            st.rewrite_line(
                "sentinel auth-user",
                format!("sentinel auth-user {} {}", m.ri.name, u),
                true,
            );
        }
        if m.master_reboot_down_after_period != 0 {
            st.rewrite_line(
                "sentinel master-reboot-down-after-period",
                format!(
                    "sentinel master-reboot-down-after-period {} {}",
                    m.ri.name, m.master_reboot_down_after_period
                ),
                true,
            );
        }
        st.rewrite_line(
            "sentinel config-epoch",
            format!("sentinel config-epoch {} {}", m.ri.name, m.ri.config_epoch),
            true,
        );
        st.rewrite_line(
            "sentinel leader-epoch",
            format!("sentinel leader-epoch {} {}", m.ri.name, m.ri.leader_epoch),
            true,
        );
        for sl in &m.slaves {
            // The promoted replica is written as the old master's address.
            let a = if super::addr_or_hostname_equal(&sl.addr, ma) {
                &m.ri.addr
            } else {
                &sl.addr
            };
            st.rewrite_line(
                "sentinel known-replica",
                format!(
                    "sentinel known-replica {} {} {}",
                    m.ri.name,
                    s.announce_addr(a),
                    a.port
                ),
                true,
            );
        }
        for ri in &m.sentinels {
            let Some(runid) = &ri.runid else {
                continue;
            };
            st.rewrite_line(
                "sentinel known-sentinel",
                format!(
                    "sentinel known-sentinel {} {} {} {}",
                    m.ri.name,
                    s.announce_addr(&ri.addr),
                    ri.addr.port,
                    runid
                ),
                true,
            );
        }
        for (o, n) in &m.renamed_commands {
            st.rewrite_line(
                "sentinel rename-command",
                format!("sentinel rename-command {} {} {}", m.ri.name, o, n),
                true,
            );
        }
    }
    st.rewrite_line(
        "sentinel current-epoch",
        format!("sentinel current-epoch {}", s.current_epoch),
        true,
    );
    match &s.announce_ip {
        Some(ip) => st.rewrite_line(
            "sentinel announce-ip",
            format!(
                "sentinel announce-ip {}",
                crate::config::repr(ip.as_bytes())
            ),
            true,
        ),
        None => st.mark_processed("sentinel announce-ip"),
    }
    if s.announce_port != 0 {
        st.rewrite_line(
            "sentinel announce-port",
            format!("sentinel announce-port {}", s.announce_port),
            true,
        );
    } else {
        st.mark_processed("sentinel announce-port");
    }
    match &s.sentinel_auth_user {
        Some(u) => st.rewrite_line(
            "sentinel sentinel-user",
            format!("sentinel sentinel-user {}", u),
            true,
        ),
        None => st.mark_processed("sentinel sentinel-user"),
    }
    match &s.sentinel_auth_pass {
        Some(p) => st.rewrite_line(
            "sentinel sentinel-pass",
            format!("sentinel sentinel-pass {}", p),
            true,
        ),
        None => st.mark_processed("sentinel sentinel-pass"),
    }
    for o in [
        "sentinel monitor",
        "sentinel down-after-milliseconds",
        "sentinel failover-timeout",
        "sentinel parallel-syncs",
        "sentinel notification-script",
        "sentinel client-reconfig-script",
        "sentinel auth-pass",
        "sentinel auth-user",
        "sentinel config-epoch",
        "sentinel leader-epoch",
        "sentinel known-replica",
        "sentinel known-sentinel",
        "sentinel rename-command",
        "sentinel master-reboot-down-after-period",
    ] {
        st.mark_processed(o);
    }
}

/// sentinelFlushConfig: persist the state by rewriting the config file.
pub fn flush_config(srv: &mut Server, s: &Sentinel) -> bool {
    let Some(path) = srv.config.config_file.clone() else {
        crate::server_log!(
            Warning,
            "WARNING: Sentinel was not able to save the new configuration on disk!!!: No such file or directory"
        );
        return false;
    };
    match crate::config::config_rewrite_with(&srv.config, &path, false, &mut |st| {
        rewrite_sentinel_option(s, st)
    }) {
        Ok(()) => {
            crate::server_log!(Notice, "Sentinel new configuration saved on disk");
            true
        }
        Err(e) => {
            let why = e
                .strip_prefix("ERR Rewriting config file: ")
                .unwrap_or(&e)
                .to_string();
            crate::server_log!(
                Warning,
                "WARNING: Sentinel was not able to save the new configuration on disk!!!: {}",
                why
            );
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn directives_and_errors() {
        let mut s = Sentinel::default();
        assert_eq!(
            handle_configuration(None, &mut s, &v("monitor m 127.0.0.1 6379 0")),
            Err("Quorum must be 1 or greater.")
        );
        handle_configuration(None, &mut s, &v("monitor m 127.0.0.1 6379 2")).unwrap();
        assert_eq!(
            handle_configuration(None, &mut s, &v("monitor m 127.0.0.1 6380 2")),
            Err("Duplicate master name.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("monitor x nosuchhost 6379 2")),
            Err("Can't resolve instance hostname.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("monitor y 127.0.0.1 70000 2")),
            Err("Invalid port number.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("down-after-milliseconds nosuch 5")),
            Err("No such master with specified name.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("down-after-milliseconds m 0")),
            Err("negative or zero time parameter.")
        );
        handle_configuration(None, &mut s, &v("down-after-milliseconds m 5000")).unwrap();
        handle_configuration(None, &mut s, &v("known-replica m 127.0.0.1 6380")).unwrap();
        assert_eq!(s.masters[0].slaves[0].down_after_period, 5000);
        assert_eq!(s.masters[0].slaves[0].name, "127.0.0.1:6380");
        assert_eq!(
            handle_configuration(None, &mut s, &v("known-replica m 127.0.0.1 6380")),
            Err("Duplicate hostname and port for replica.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("myid abc")),
            Err("Malformed Sentinel id in myid option.")
        );
        assert_eq!(
            handle_configuration(None, &mut s, &v("bogus 1")),
            Err("Unrecognized sentinel configuration statement.")
        );
        handle_configuration(None, &mut s, &v("config-epoch m 7")).unwrap();
        assert_eq!(s.current_epoch, 7);
        handle_configuration(None, &mut s, &v("rename-command m PING PONG")).unwrap();
        assert_eq!(
            handle_configuration(None, &mut s, &v("rename-command m ping x")),
            Err("Same command renamed multiple times with rename-command.")
        );
        assert_eq!(s.masters[0].map_command("ping"), "PONG");
        assert_eq!(s.masters[0].map_command("INFO"), "INFO");
    }

    #[test]
    fn rewrite_lines() {
        let mut s = Sentinel {
            myid: "a".repeat(40),
            ..Default::default()
        };
        handle_configuration(None, &mut s, &v("monitor m 127.0.0.1 6379 2")).unwrap();
        handle_configuration(None, &mut s, &v("known-replica m 127.0.0.1 6380")).unwrap();
        handle_configuration(
            None,
            &mut s,
            &v(&format!(
                "known-sentinel m 127.0.0.1 26380 {}",
                "b".repeat(40)
            )),
        )
        .unwrap();
        let dir = std::env::temp_dir().join(format!("ferrodis-sentinel-rw-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let p = dir.join("s.conf");
        std::fs::write(
            &p,
            "# keep me\nsentinel monitor m 127.0.0.1 6379 2\n\nport 26379\n",
        )
        .unwrap();
        let cfg = Config {
            sentinel_mode: true,
            port: 26379,
            protected_mode: false,
            ..Config::default()
        };
        crate::config::config_rewrite_with(&cfg, p.to_str().unwrap(), false, &mut |st| {
            rewrite_sentinel_option(&s, st)
        })
        .unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            text.starts_with("# keep me\nsentinel monitor m 127.0.0.1 6379 2\n"),
            "{}",
            text
        );
        for l in [
            format!("sentinel myid {}", "a".repeat(40)),
            "sentinel config-epoch m 0".to_string(),
            "sentinel leader-epoch m 0".to_string(),
            "sentinel known-replica m 127.0.0.1 6380".to_string(),
            format!(
                "sentinel known-sentinel m 127.0.0.1 26380 {}",
                "b".repeat(40)
            ),
            "sentinel current-epoch 0".to_string(),
            "protected-mode no".to_string(),
        ] {
            assert!(text.lines().any(|x| x == l), "missing {:?} in\n{}", l, text);
        }
        assert!(!text.contains("deny-scripts-reconfig"), "{}", text);
    }
}
