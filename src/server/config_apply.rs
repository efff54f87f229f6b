//! Side effects of CONFIG SET (Redis's per-directive `apply` functions in
//! config.c): the config module validates and stores values and returns the
//! canonical names that changed; this file makes the running server follow
//! them. If an apply step fails, CONFIG SET restores the previous config and
//! applies it again (restoreBackupConfig), then replies
//! "ERR CONFIG SET failed (possibly related to argument '<name>') - <why>".
//!
//! Handled: hz, port / bind (re-listen: old TCP listeners are closed first,
//! as changeListenPort / changeBindAddr do), loglevel. Directives whose
//! subsystem reads the config on each use need nothing here.
use super::{FdOwner, Server};
use crate::sys;

impl Server {
    /// Run the apply step for the directives `changed` (each apply function
    /// once, in order). Err = (directive name, error text).
    pub fn apply_config_changes(
        &mut self,
        changed: &[&'static str],
    ) -> Result<(), (&'static str, &'static str)> {
        let mut rebound = false;
        for &name in changed {
            match name {
                "hz" => self.hz = self.config.hz.clamp(1, 500),
                "loglevel" => crate::log::set_level(match self.config.loglevel {
                    crate::config::Loglevel::Debug => crate::log::Level::Debug,
                    crate::config::Loglevel::Verbose => crate::log::Level::Verbose,
                    crate::config::Loglevel::Notice => crate::log::Level::Notice,
                    crate::config::Loglevel::Warning => crate::log::Level::Warning,
                }),
                "port" | "bind" if !rebound => {
                    rebound = true;
                    if self.rebind_tcp().is_err() {
                        return Err((
                            name,
                            if name == "port" {
                                "Unable to listen on this port. Check server logs."
                            } else {
                                "Failed to bind to specified addresses."
                            },
                        ));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Close every TCP listener.
    fn close_tcp_listeners(&mut self) {
        let old = std::mem::take(&mut self.listeners);
        for l in old {
            if l.unix {
                self.listeners.push(l);
            } else {
                self.poller.forget(l.fd);
                self.set_fd_owner(l.fd, FdOwner::None);
                sys::close(l.fd);
            }
        }
        // Re-index the listeners that stay (the unix socket).
        for i in 0..self.listeners.len() {
            let fd = self.listeners[i].fd;
            self.set_fd_owner(fd, FdOwner::Listener(i));
        }
    }

    /// changeBindAddr / changeListenPort: listen on `bind` x `port` again.
    fn rebind_tcp(&mut self) -> Result<(), ()> {
        self.close_tcp_listeners();
        let port = self.config.port;
        if port == 0 {
            return Ok(());
        }
        let binds = self.config.bind.clone();
        let mut fds = Vec::new();
        let mut failed = false;
        for b in binds.iter() {
            let (optional, addr) = match b.strip_prefix('-') {
                Some(a) => (true, a),
                None => (false, b.as_str()),
            };
            let ip: std::net::IpAddr = match addr {
                "*" => std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
                "::*" => std::net::IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
                a => match a.parse() {
                    Ok(ip) => ip,
                    Err(_) => {
                        crate::server_log!(Warning, "Warning: Could not create server TCP listening socket {}:{}: Name or service not known", addr, port);
                        if optional {
                            continue;
                        }
                        failed = true;
                        break;
                    }
                },
            };
            let sa = std::net::SocketAddr::new(ip, port as u16);
            match sys::net::tcp_listen(&sa, self.config.tcp_backlog as i32) {
                Ok(fd) => fds.push((fd, addr.to_string())),
                Err(e) => {
                    crate::server_log!(
                        Warning,
                        "Warning: Could not create server TCP listening socket {}:{}: {}",
                        addr,
                        port,
                        e
                    );
                    let unsupported = matches!(
                        e.raw_os_error(),
                        Some(92) | Some(93) | Some(94) | Some(96) | Some(97) | Some(99)
                    );
                    if optional || unsupported {
                        continue;
                    }
                    failed = true;
                    break;
                }
            }
        }
        if failed || (fds.is_empty() && !binds.is_empty()) {
            for (fd, _) in fds {
                sys::close(fd);
            }
            crate::server_log!(Warning, "Failed to bind");
            return Err(());
        }
        for (fd, addr) in fds {
            if self.add_listener(fd, false, addr).is_err() {
                sys::close(fd);
                return Err(());
            }
        }
        Ok(())
    }
}
