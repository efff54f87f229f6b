//! Server start-up: the start banner and log lines, open-files limit,
//! listening sockets, pid file, and the Linux memory warnings (Redis's main(),
//! initServer, adjustOpenFilesLimit, listenToPort, createPidFile,
//! redisAsciiArt, linuxMemoryWarnings, checkTcpBacklogSettings).
use super::{Server, CONFIG_MIN_RESERVED_FDS, REDIS_VERSION};
use crate::sys;

/// Listening failed (already logged): the server cannot start.
#[derive(Debug)]
pub struct ListenFailed;

impl Server {
    /// Raise RLIMIT_NOFILE to maxclients + 32, or lower maxclients to fit.
    pub fn adjust_open_files_limit(&mut self) {
        let maxfiles = self.config.maxclients.max(1) + CONFIG_MIN_RESERVED_FDS;
        let (cur, hard) = match sys::process::get_nofile_limit() {
            Ok(l) => l,
            Err(e) => {
                crate::server_log!(Warning, "Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting the max clients configuration accordingly.", e);
                self.config.maxclients = 1024 - CONFIG_MIN_RESERVED_FDS;
                return;
            }
        };
        if cur >= maxfiles {
            return;
        }
        let mut best = maxfiles;
        let mut last_err = None;
        while best > cur {
            match sys::process::set_nofile_limit(best, hard.max(best)) {
                Ok(()) => break,
                Err(e) => {
                    last_err = Some(e);
                    if best < 16 {
                        break;
                    }
                    best -= 16;
                }
            }
        }
        if best <= cur {
            best = cur;
        }
        if best < maxfiles {
            let old = self.config.maxclients;
            if best <= CONFIG_MIN_RESERVED_FDS {
                crate::server_log!(Warning, "Your current 'ulimit -n' of {} is not enough for the server to start. Please increase your open file limit to at least {}. Exiting.", cur, maxfiles);
                std::process::exit(1);
            }
            self.config.maxclients = best - CONFIG_MIN_RESERVED_FDS;
            crate::server_log!(
                Warning,
                "You requested maxclients of {} requiring at least {} max file descriptors.",
                old,
                maxfiles
            );
            crate::server_log!(
                Warning,
                "Server can't set maximum open files to {} because of OS error: {}.",
                maxfiles,
                last_err.map(|e| e.to_string()).unwrap_or_default()
            );
            crate::server_log!(Warning, "Current maximum open files is {}. maxclients has been reduced to {} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", best, self.config.maxclients);
        } else {
            crate::server_log!(
                Notice,
                "Increased maximum number of open files to {} (it was originally set to {}).",
                maxfiles,
                cur
            );
        }
    }

    /// Bind every `bind` address on `port` (a leading `-` marks an address
    /// whose failure is tolerated) and the unix socket. Err = fatal.
    pub fn listen_all(&mut self) -> Result<(), ListenFailed> {
        self.listen_all_tcp()?;
        if let Some(path) = self.config.unixsocket.clone() {
            match sys::net::unix_listen(
                &path,
                self.config.unixsocketperm as u32,
                self.config.tcp_backlog as i32,
            ) {
                Ok(fd) => {
                    if self.add_listener(fd, true, path).is_err() {
                        return Err(ListenFailed);
                    }
                }
                Err(e) => {
                    crate::server_log!(Warning, "Failed opening Unix socket: {}", e);
                    return Err(ListenFailed);
                }
            }
        }
        if self.listeners.is_empty() {
            crate::server_log!(Warning, "Configured to not listen anywhere, exiting.");
            return Err(ListenFailed);
        }
        Ok(())
    }

    /// Listen on every `bind` address at `port` (TCP only).
    pub fn listen_all_tcp(&mut self) -> Result<(), ListenFailed> {
        let port = self.config.port;
        if port > 0 {
            let binds = self.config.bind.clone();
            let mut bound = 0;
            for b in binds.iter() {
                let (optional, addr) = match b.strip_prefix('-') {
                    Some(a) => (true, a),
                    None => (false, b.as_str()),
                };
                let ips: Vec<std::net::IpAddr> = match addr {
                    "*" => vec![std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)],
                    "::*" => vec![std::net::IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)],
                    a => match a.parse() {
                        Ok(ip) => vec![ip],
                        Err(_) => {
                            crate::server_log!(Warning, "Warning: Could not create server TCP listening socket {}:{}: Name or service not known", addr, port);
                            if optional {
                                continue;
                            }
                            crate::server_log!(
                                Warning,
                                "Failed listening on port {} (TCP), aborting.",
                                port
                            );
                            return Err(ListenFailed);
                        }
                    },
                };
                for ip in ips {
                    let sa = std::net::SocketAddr::new(ip, port as u16);
                    match sys::net::tcp_listen(&sa, self.config.tcp_backlog as i32) {
                        Ok(fd) => {
                            if self.add_listener(fd, false, addr.to_string()).is_err() {
                                return Err(ListenFailed);
                            }
                            bound += 1;
                        }
                        Err(e) => {
                            crate::server_log!(
                                Warning,
                                "Warning: Could not create server TCP listening socket {}:{}: {}",
                                addr,
                                port,
                                e
                            );
                            // ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT,
                            // EPFNOSUPPORT, EAFNOSUPPORT, EADDRNOTAVAIL: skip.
                            if matches!(
                                e.raw_os_error(),
                                Some(92) | Some(93) | Some(94) | Some(96) | Some(97) | Some(99)
                            ) {
                                continue;
                            }
                            crate::server_log!(
                                Warning,
                                "Failed listening on port {} (TCP), aborting.",
                                port
                            );
                            return Err(ListenFailed);
                        }
                    }
                }
            }
            if bound == 0 && !self.config.bind.is_empty() {
                crate::server_log!(
                    Warning,
                    "Failed listening on port {} (TCP), aborting.",
                    port
                );
                return Err(ListenFailed);
            }
        }
        Ok(())
    }

    pub fn create_pid_file(&self) {
        let path = self
            .config
            .pidfile
            .clone()
            .unwrap_or_else(|| "/var/run/redis.pid".to_string());
        if let Err(e) = std::fs::write(&path, format!("{}\n", sys::process::getpid())) {
            crate::server_log!(Warning, "Failed to write PID file: {}", e);
        }
    }

    /// The start banner: the logo (with " PID: <pid>", which the Redis test
    /// framework waits for) when `always-show-logo yes` or stdout is a tty,
    /// else the one-line "Running mode=..." notice.
    pub fn show_banner(&self) {
        let mode = if self.sentinel_mode {
            "sentinel"
        } else {
            "standalone"
        };
        let tty =
            self.config.logfile.is_empty() && std::io::IsTerminal::is_terminal(&std::io::stdout());
        if self.config.always_show_logo || tty {
            let pid = sys::process::getpid();
            let logo = format!(
                "\n   ___                   _ _        ferrodis {} (Redis {} compatible) 64 bit\n  / __\\__ _ __ _ _ __ __| (_)___\n / _\\/ _ \\ '__| '__/ _ \\ _` | / __|  Running in {} mode\n/ / |  __/ |  | | | (_) (_| | \\__ \\  Port: {}\n\\/   \\___|_|  |_|  \\___/\\__,_|_|___/  PID: {}\n\n",
                super::FERRODIS_VERSION,
                REDIS_VERSION,
                mode,
                self.config.port,
                pid
            );
            crate::log::raw(&logo);
        } else {
            crate::server_log!(Notice, "Running mode={}, port={}.", mode, self.config.port);
        }
    }

    /// Warnings Redis prints at start about kernel settings.
    pub fn linux_memory_warnings(&self) {
        if let Ok(s) = std::fs::read_to_string("/proc/sys/net/core/somaxconn") {
            if let Ok(n) = s.trim().parse::<i64>() {
                if n > 0 && n < self.config.tcp_backlog {
                    crate::server_log!(Warning, "WARNING: The TCP backlog setting of {} cannot be enforced because /proc/sys/net/core/somaxconn is set to the lower value of {}.", self.config.tcp_backlog, n);
                }
            }
        }
        if self.sentinel_mode {
            return;
        }
        crate::server_log!(Warning, "Server initialized");
        if let Ok(s) = std::fs::read_to_string("/proc/sys/vm/overcommit_memory") {
            if s.trim() != "1" {
                crate::server_log!(Warning, "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.");
            }
        }
        if let Ok(s) = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled") {
            if s.contains("[always]") {
                crate::server_log!(Warning, "WARNING You have Transparent Huge Pages (THP) support enabled in your kernel. This will create latency and memory usage issues with Redis. To fix this issue run the command 'echo madvise > /sys/kernel/mm/transparent_hugepage/enabled' as root, and add it to your /etc/rc.local in order to retain the setting after a reboot. Redis must be restarted after THP is disabled (set to 'madvise' or 'never').");
            }
        }
    }
}
