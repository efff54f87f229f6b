//! Pausing clients (Redis's pauseClients / unpauseClients in networking.c):
//! CLIENT PAUSE, FAILOVER and a SHUTDOWN waiting for its replicas stop
//! either every command (ALL) or the commands that may replicate (WRITE:
//! write / may-replicate commands, and EXEC of a transaction holding one).
//!
//! * Each purpose (client command, shutdown, failover) keeps its own type
//!   and end time; the effective pause is the most restrictive type, ending
//!   at the furthest end among the purposes of that type. An expired
//!   purpose is dropped when the end is checked (`check_pause_timeout`:
//!   every cron tick, and wherever Redis checks it — lazy and active expiry).
//! * A paused command is *postponed*: its client is blocked (it counts in
//!   blocked_clients) with its argv kept, in arrival order. When the pause
//!   becomes less restrictive, every postponed client is queued and, in
//!   before_sleep, its command goes through `process_command` again from
//!   scratch (it may be postponed again), then its pipelined input resumes.
//! * Replicas (CLIENT_SLAVE) are never paused. While paused, expired keys
//!   are reported as missing but not deleted (no DEL is propagated), so the
//!   dataset stays still for a failover or a shutdown.
use super::Server;
use crate::client::{flags, Args, Client};
use crate::sys::RawFd;

/// Why clients are paused (Redis's pause_purpose).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PausePurpose {
    ClientCommand = 0,
    Shutdown = 1,
    Failover = 2,
}

/// What is paused (Redis's pause_type; ordered by restrictiveness).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub enum PauseType {
    #[default]
    Off,
    Write,
    All,
}

#[derive(Default)]
pub struct PauseState {
    /// Per purpose: (type, absolute end in unix ms).
    per_purpose: [Option<(PauseType, i64)>; 3],
    /// The effective pause.
    pub kind: PauseType,
    pub end_ms: i64,
    /// Postponed clients, in arrival order.
    pub postponed: Vec<RawFd>,
    /// Postponed clients released, to re-process in before_sleep.
    pub released: Vec<RawFd>,
}

impl Server {
    /// pauseClients: pause `kind` until `end_ms` (absolute) for `purpose`;
    /// an existing pause of that purpose keeps the more restrictive type and
    /// the later end.
    pub fn pause_clients(&mut self, purpose: PausePurpose, end_ms: i64, kind: PauseType) {
        let slot = &mut self.pause.per_purpose[purpose as usize];
        *slot = Some(match *slot {
            Some((k, e)) => (k.max(kind), e.max(end_ms)),
            None => (kind, end_ms),
        });
        self.update_pause();
    }

    /// unpauseClients: drop `purpose`'s pause.
    pub fn unpause_clients(&mut self, purpose: PausePurpose) {
        if self.pause.per_purpose[purpose as usize].take().is_some() {
            self.update_pause();
        }
    }

    pub fn clients_paused(&self) -> bool {
        self.pause.kind != PauseType::Off
    }

    /// checkClientPauseTimeoutAndReturnIfPaused.
    pub fn check_pause_timeout(&mut self) -> bool {
        if !self.clients_paused() {
            return false;
        }
        if self.pause.end_ms < self.now_ms {
            self.update_pause();
        }
        self.clients_paused()
    }

    /// updateClientPauseTypeAndEndTime.
    fn update_pause(&mut self) {
        let now = self.now_ms;
        let old = self.pause.kind;
        let mut kind = PauseType::Off;
        for slot in self.pause.per_purpose.iter_mut() {
            match *slot {
                Some((_, end)) if end < now => *slot = None,
                Some((k, _)) if k > kind => kind = k,
                _ => {}
            }
        }
        let end = self
            .pause
            .per_purpose
            .iter()
            .flatten()
            .filter(|(k, _)| *k == kind)
            .map(|(_, e)| *e)
            .max()
            .unwrap_or(0);
        self.pause.kind = kind;
        self.pause.end_ms = end;
        if kind < old {
            self.release_postponed_clients();
        }
    }

    /// unblockPostponedClients: every postponed client is re-processed in
    /// the next before_sleep.
    fn release_postponed_clients(&mut self) {
        let fds = std::mem::take(&mut self.pause.postponed);
        self.pause.released.extend(fds);
    }

    /// processCommand's pause check: true when `c`'s command must wait.
    pub fn must_postpone(&self, c: &Client, may_replicate: bool) -> bool {
        !c.has(flags::SLAVE)
            && (self.pause.kind == PauseType::All
                || (self.pause.kind == PauseType::Write && may_replicate))
    }

    /// blockClient(c, BLOCKED_POSTPONE).
    pub fn postpone_client(&mut self, c: &mut Client, args: &Args) {
        self.block_client_postponed(c, args);
        self.pause.postponed.push(c.fd);
    }

    /// A postponed client is going away (disconnect): forget it.
    pub fn pause_forget_client(&mut self, fd: RawFd) {
        self.pause.postponed.retain(|&f| f != fd);
        self.pause.released.retain(|&f| f != fd);
    }

    /// before_sleep: run the commands of released postponed clients again,
    /// in their arrival order, then their pipelined input.
    pub fn process_released_clients(&mut self) {
        if self.pause.released.is_empty() {
            return;
        }
        let fds = std::mem::take(&mut self.pause.released);
        for fd in fds {
            let Some(argv) = self.take_postponed_argv(fd) else {
                continue;
            };
            let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) else {
                continue;
            };
            c.flags &= !flags::BLOCKED;
            self.process_command(&mut c, &argv.args());
            if c.has(flags::MASTER) {
                crate::replication::replica::resume_postponed_master(self, &mut c);
            } else if !c.has(flags::BLOCKED) && c.qb_pos < c.querybuf.len() {
                self.process_input(&mut c);
            }
            self.mark_pending_write(&mut c);
            if let Some(slot) = self.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PauseType;

    #[test]
    fn pause_types_are_ordered_by_restrictiveness() {
        assert!(PauseType::Off < PauseType::Write && PauseType::Write < PauseType::All);
        assert_eq!(PauseType::Write.max(PauseType::All), PauseType::All);
    }
}
