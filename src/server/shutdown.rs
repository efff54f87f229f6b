//! Shutting down (Redis 7.0's prepareForShutdown / finishShutdown /
//! cancelShutdown / abortShutdown in server.c).
//!
//! * SHUTDOWN and SIGTERM/SIGINT (handled from `server_cron`, as Redis: the
//!   signal handler only records it, so SHUTDOWN ABORT can still cancel it)
//!   go through `prepare_for_shutdown`. Unless NOW is given or
//!   `shutdown-timeout` is 0, a master whose replicas have not acknowledged
//!   the whole replication stream first *waits*: writes are paused, the
//!   replicas are asked for an ACK (REPLCONF GETACK), and the SHUTDOWN
//!   client stays blocked. Every cron tick checks whether all replicas
//!   caught up or the timeout passed, then finishes.
//! * `finish_shutdown` logs the lagging replicas, stops a saving child,
//!   saves the final snapshot when save points exist (or SAVE), removes the
//!   pid file, flushes what clients and replicas are owed, closes the
//!   listeners and sets the exit code. If the save fails (and no FORCE) the
//!   shutdown is cancelled: blocked SHUTDOWN clients get "Errors trying to
//!   SHUTDOWN. Check logs.", writes resume, the server keeps serving.
//! * SHUTDOWN ABORT cancels a waiting shutdown or a signal not handled yet.
use super::pause::{PausePurpose, PauseType};
use super::Server;
use crate::config::{SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE};
use crate::sys;
use crate::sys::RawFd;

const SIGINT: i32 = 2;

/// The reply of a SHUTDOWN whose shutdown failed or was cancelled.
pub const SHUTDOWN_FAILED_ERR: &str = "ERR Errors trying to SHUTDOWN. Check logs.";

/// prepare/finish_shutdown did not end in an exit: the shutdown waits for
/// replicas, or failed and was cancelled (already logged).
#[derive(Debug)]
pub struct NotShutDown;

#[derive(Default, Debug)]
pub struct ShutdownState {
    /// Absolute ms by which a waiting shutdown finishes anyway; 0 when no
    /// shutdown is in progress (isShutdownInitiated).
    pub deadline_ms: i64,
    /// SHUTDOWN_* flags of the shutdown in progress.
    pub flags: u32,
    /// The signal behind `shutdown_asap` (SIGTERM or SIGINT).
    pub last_sig: i32,
}

impl Server {
    pub fn is_shutdown_initiated(&self) -> bool {
        self.shutdown.deadline_ms != 0
    }

    /// INFO's shutdown_in_milliseconds (only while a shutdown waits).
    pub fn shutdown_in_milliseconds(&self) -> Option<i64> {
        self.is_shutdown_initiated()
            .then(|| (self.shutdown.deadline_ms - self.now_ms).max(0))
    }

    /// isReadyToShutdown: every replica acknowledged the whole stream.
    fn is_ready_to_shutdown(&self) -> bool {
        let off = self.repl.master_repl_offset;
        self.repl.slaves.iter().all(|&fd| {
            self.clients
                .get(fd as usize)
                .and_then(|s| s.as_deref())
                .and_then(|c| c.repl.as_ref())
                .is_none_or(|r| r.ack_off == off)
        })
    }

    /// before_sleep: a SIGTERM/SIGINT arrived (sigShutdownHandler's log
    /// line and shutdown_asap; the shutdown itself runs from the cron).
    pub fn note_shutdown_signal(&mut self) {
        let Some(sig) = sys::signal::pending_shutdown_signal() else {
            return;
        };
        if self.shutdown_asap && self.shutdown.last_sig == sig {
            return;
        }
        let msg = if self.rdb_state.loading {
            "Received shutdown signal during loading, scheduling shutdown."
        } else if sig == SIGINT {
            "Received SIGINT scheduling shutdown..."
        } else {
            "Received SIGTERM scheduling shutdown..."
        };
        crate::server_log!(Warning, "{}", msg);
        self.shutdown_asap = true;
        self.shutdown.last_sig = sig;
    }

    /// serverCron's shutdown step.
    pub fn shutdown_cron(&mut self) {
        if self.exit_code.is_some() {
            return;
        }
        if self.shutdown_asap && !self.is_shutdown_initiated() {
            let flags = if self.rdb_state.loading {
                SHUTDOWN_NOSAVE
            } else if self.shutdown.last_sig == SIGINT {
                self.config.shutdown_on_sigint
            } else {
                self.config.shutdown_on_sigterm
            };
            let _ = self.prepare_for_shutdown(flags);
        } else if self.is_shutdown_initiated()
            && (self.now_ms >= self.shutdown.deadline_ms || self.is_ready_to_shutdown())
        {
            let _ = self.finish_shutdown();
        }
    }

    /// prepareForShutdown: Ok when the server is ready to exit (exit_code
    /// set); Err when the shutdown now waits for replicas
    /// (`is_shutdown_initiated`) or failed (cancelled, already logged).
    pub fn prepare_for_shutdown(&mut self, mut flags: u32) -> Result<(), NotShutDown> {
        if self.is_shutdown_initiated() {
            return Err(NotShutDown);
        }
        if self.rdb_state.loading || self.sentinel_mode {
            flags = (flags & !SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE;
        }
        self.shutdown.flags = flags;
        crate::server_log!(Warning, "User requested shutdown...");
        if flags & SHUTDOWN_NOW == 0
            && self.config.shutdown_timeout != 0
            && !self.is_ready_to_shutdown()
        {
            self.shutdown.deadline_ms = self
                .now_ms
                .saturating_add(self.config.shutdown_timeout.saturating_mul(1000))
                .max(1);
            if !self.clients_paused() {
                crate::replication::master::send_getack_to_replicas(self);
            }
            self.pause_clients(PausePurpose::Shutdown, i64::MAX, PauseType::Write);
            crate::server_log!(Notice, "Waiting for replicas before shutting down.");
            return Err(NotShutDown);
        }
        self.finish_shutdown()
    }

    /// finishShutdown.
    pub fn finish_shutdown(&mut self) -> Result<(), NotShutDown> {
        let off = self.repl.master_repl_offset;
        let now_s = self.now_ms / 1000;
        let mut lagging = Vec::new();
        for &fd in self.repl.slaves.iter() {
            let Some(c) = self.clients.get(fd as usize).and_then(|s| s.as_deref()) else {
                continue;
            };
            let Some(r) = c.repl.as_ref() else { continue };
            if r.ack_off != off {
                let online = r.state == crate::replication::SlaveState::Online;
                lagging.push(format!(
                    "Lagging replica {} reported offset {} behind master, lag={}, state={}.",
                    crate::replication::slave_name(c),
                    off - r.ack_off,
                    if online { now_s - r.ack_time } else { 0 },
                    r.state.as_str()
                ));
            }
        }
        for line in lagging.iter() {
            crate::server_log!(Warning, "{}", line);
        }
        let replicas = self.repl.slaves.len();
        if replicas > 0 {
            crate::server_log!(
                Notice,
                "{} of {} replicas are in sync when shutting down.",
                replicas - lagging.len(),
                replicas
            );
        }
        let flags = self.shutdown.flags;
        if crate::rdb::shutdown_save(
            self,
            flags & SHUTDOWN_NOSAVE != 0,
            flags & SHUTDOWN_SAVE != 0,
            flags & SHUTDOWN_FORCE != 0,
        )
        .is_err()
        {
            crate::server_log!(
                Warning,
                "Errors trying to shut down the server. Check the logs for more information."
            );
            self.cancel_shutdown();
            return Err(NotShutDown);
        }
        if self.config.daemonize || self.config.pidfile.is_some() {
            crate::server_log!(Notice, "Removing the pid file.");
            let _ = std::fs::remove_file(
                self.config
                    .pidfile
                    .as_deref()
                    .unwrap_or("/var/run/redis.pid"),
            );
        }
        // Best effort: flush what replicas and clients are owed.
        let fds: Vec<RawFd> = self.clients.iter().flatten().map(|c| c.fd).collect();
        for fd in fds {
            self.write_to_client(fd, false);
        }
        if let Some(sock) = &self.config.unixsocket {
            let _ = std::fs::remove_file(sock);
        }
        for l in &self.listeners {
            sys::close(l.fd);
        }
        crate::server_log!(
            Warning,
            "{} is now ready to exit, bye bye...",
            if self.sentinel_mode {
                "Sentinel"
            } else {
                "Redis"
            }
        );
        self.exit_code = Some(0);
        Ok(())
    }

    /// cancelShutdown: forget the shutdown (and a pending signal), answer
    /// the blocked SHUTDOWN clients with an error, resume writes.
    pub fn cancel_shutdown(&mut self) {
        self.shutdown_asap = false;
        self.shutdown = ShutdownState::default();
        sys::signal::clear_shutdown_signal();
        for fd in self.clients_blocked_on_shutdown() {
            self.unblock_client_with_error(fd, SHUTDOWN_FAILED_ERR);
        }
        self.unpause_clients(PausePurpose::Shutdown);
    }

    /// abortShutdown (SHUTDOWN ABORT): false when nothing to abort.
    pub fn abort_shutdown(&mut self) -> bool {
        // A signal may have arrived since the last before_sleep (in Redis
        // the handler sets shutdown_asap itself).
        self.note_shutdown_signal();
        if self.is_shutdown_initiated() {
            self.cancel_shutdown();
        } else if self.shutdown_asap {
            self.shutdown_asap = false;
            self.shutdown.last_sig = 0;
            sys::signal::clear_shutdown_signal();
        } else {
            return false;
        }
        crate::server_log!(Warning, "Shutdown manually aborted.");
        true
    }
}
