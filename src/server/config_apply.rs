//! Side effects of CONFIG SET (Redis's `apply_fn` callbacks in config.c):
//! the config module validates and stores values; this file makes the
//! running server follow them — re-binding listeners for `port`/`bind`,
//! raising the open-files limit for `maxclients`, the log level, `hz` ...
//!
//! `apply_config_changes` runs after a successful `config::config_set`; on
//! error the caller restores the previous `Config` (all-or-nothing) and
//! replies `ERR CONFIG SET failed (possibly related to argument '<name>') -
//! <reason>`.
use super::Server;
use crate::sys;

impl Server {
    /// Apply every changed directive; Err((name, reason)) on the first failure.
    pub fn apply_config_changes(
        &mut self,
        changed: &[&'static str],
        old: &crate::config::Config,
    ) -> Result<(), (&'static str, String)> {
        let mut rebind = false;
        for &name in changed {
            match name {
                "port" | "bind" => rebind = true,
                "loglevel" => crate::log::set_level(match self.config.loglevel {
                    crate::config::Loglevel::Debug => crate::log::Level::Debug,
                    crate::config::Loglevel::Verbose => crate::log::Level::Verbose,
                    crate::config::Loglevel::Notice => crate::log::Level::Notice,
                    crate::config::Loglevel::Warning => crate::log::Level::Warning,
                }),
                "hz" => self.hz = self.config.hz.clamp(1, 500),
                "proc-title-template" => super::proctitle::set_proc_title(self, None),
                "repl-backlog-size" => crate::replication::master::resize_backlog(self),
                "min-replicas-to-write" | "min-replicas-max-lag" => {
                    crate::replication::master::refresh_good_slaves_count(self, None)
                }
                "maxclients" => {
                    let want = self.config.maxclients + super::CONFIG_MIN_RESERVED_FDS;
                    let (cur, hard) = sys::process::get_nofile_limit().unwrap_or((0, 0));
                    if want > cur && sys::process::set_nofile_limit(want, hard.max(want)).is_err() {
                        let can = cur.saturating_sub(super::CONFIG_MIN_RESERVED_FDS);
                        return Err((
                            "maxclients",
                            format!("The operating system is not able to handle the specified number of clients, try with {}", can),
                        ));
                    }
                }
                _ => {}
            }
        }
        if rebind {
            let name = if changed.contains(&"port") {
                "port"
            } else {
                "bind"
            };
            let reason = if name == "port" {
                "Unable to listen on this port"
            } else {
                "Failed to bind to specified addresses."
            };
            self.rebind_listeners(&old.bind, old.port)
                .map_err(|_| (name, reason.to_string()))?;
            super::proctitle::update_if_enabled(self, None);
        }
        Ok(())
    }

    /// Close the TCP listeners and listen on the configured `bind`/`port`
    /// (the unix socket is kept). On failure, listen again on `old_bind` /
    /// `old_port` (Redis's changeBindAddr / changeListenPort).
    fn rebind_listeners(
        &mut self,
        old_bind: &[String],
        old_port: i64,
    ) -> Result<(), super::startup::ListenFailed> {
        let old: Vec<super::Listener> = std::mem::take(&mut self.listeners);
        let mut keep = Vec::new();
        for l in old {
            if l.unix {
                keep.push(l);
            } else {
                self.poller.forget(l.fd);
                self.fd_owner_clear(l.fd);
                sys::close(l.fd);
            }
        }
        let unixsocket = self.config.unixsocket.take();
        let mut res = self.listen_all_tcp();
        if res.is_err() {
            crate::server_log!(
                Warning,
                "Failed to bind, trying to restore old listening sockets."
            );
            for l in std::mem::take(&mut self.listeners) {
                self.poller.forget(l.fd);
                self.fd_owner_clear(l.fd);
                sys::close(l.fd);
            }
            let (nb, np) = (
                std::mem::replace(&mut self.config.bind, old_bind.to_vec()),
                self.config.port,
            );
            self.config.port = old_port;
            let _ = self.listen_all_tcp();
            self.config.bind = nb;
            self.config.port = np;
            res = Err(super::startup::ListenFailed);
        }
        self.config.unixsocket = unixsocket;
        for l in keep {
            let _ = self.add_listener(l.fd, true, l.addr);
        }
        res
    }
}
