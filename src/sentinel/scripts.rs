//! Notification and client reconfiguration scripts (Redis's
//! sentinelScheduleScriptExecution, sentinelRunPendingScripts,
//! sentinelCollectTerminatedScripts, sentinelKillTimedoutScripts,
//! sentinelCallClientReconfScript).
//!
//! Jobs wait in a queue (at most 256; the oldest job not running is dropped
//! beyond that), at most 16 run at once (fork + execve, the child inherits
//! no descriptor of ours: they are all close-on-exec). A script killed by a
//! signal or exiting with 1 is retried up to 10 times, the delay doubling
//! from script-retry-delay; one running longer than script-max-runtime is
//! SIGKILLed. Children are reaped from the timer with waitpid(WNOHANG).
//!
//! notification-script <path> gets: <event type> <event description>.
//! client-reconfig-script <path> gets: <master name> <leader|observer>
//! <state> <from ip> <from port> <to ip> <to port>.
use super::{event, now, Addr, Sentinel};
use crate::log::Level;
use crate::server::Server;
use std::collections::VecDeque;

pub const SCRIPT_MAX_QUEUE: usize = 256;
pub const SCRIPT_MAX_RUNNING: usize = 16;
pub const SCRIPT_MAX_RETRY: i32 = 10;

/// sentinelScriptJob.
#[derive(Debug)]
pub struct Job {
    pub argv: Vec<String>,
    pub running: bool,
    pub retry_num: i32,
    /// Running: start time; else 0 (run at once) or "not before".
    pub start_time: i64,
    pub pid: i32,
}

#[derive(Debug, Default)]
pub struct Scripts {
    pub queue: VecDeque<Job>,
    pub running: usize,
}

impl Scripts {
    /// sentinelScheduleScriptExecution (argv[0] is the script path).
    pub fn schedule(&mut self, argv: Vec<String>) {
        self.queue.push_back(Job {
            argv,
            running: false,
            retry_num: 0,
            start_time: 0,
            pid: 0,
        });
        if self.queue.len() > SCRIPT_MAX_QUEUE {
            if let Some(i) = self.queue.iter().position(|j| !j.running) {
                self.queue.remove(i);
            }
        }
    }
}

/// sentinelRunPendingScripts.
pub fn run_pending(srv: &mut Server, s: &mut Sentinel) {
    let t = now();
    let mut i = 0;
    while s.scripts.running < SCRIPT_MAX_RUNNING && i < s.scripts.queue.len() {
        let j = &mut s.scripts.queue[i];
        i += 1;
        if j.running || (j.start_time != 0 && j.start_time > t) {
            continue;
        }
        j.running = true;
        j.start_time = now();
        j.retry_num += 1;
        match crate::sys::process::spawn_exec(&j.argv) {
            Err(_) => {
                // Fork errors are reported as signal 99.
                j.running = false;
                j.pid = 0;
                let msg = format!("{} {} {}", j.argv[0], 99, 0);
                event(srv, s, Level::Warning, "-script-error", None, false, &msg);
            }
            Ok(pid) => {
                j.pid = pid;
                s.scripts.running += 1;
                let msg = format!("{}", pid);
                event(srv, s, Level::Debug, "+script-child", None, false, &msg);
            }
        }
    }
}

/// sentinelScriptRetryDelay: the delay doubles with every retry.
fn retry_delay(s: &Sentinel, retry_num: i32) -> i64 {
    let mut delay = s.p.script_retry_delay;
    let mut n = retry_num;
    while n > 1 {
        delay = delay.saturating_mul(2);
        n -= 1;
    }
    delay
}

/// sentinelCollectTerminatedScripts.
pub fn collect_terminated(srv: &mut Server, s: &mut Sentinel) {
    while let Some(ce) = crate::sys::process::wait_any_child() {
        let exitcode = ce.exit_code.max(0);
        let bysignal = ce.by_signal;
        let msg = format!("{} {} {}", ce.pid, exitcode, bysignal);
        event(srv, s, Level::Debug, "-script-child", None, false, &msg);
        let Some(i) = s
            .scripts
            .queue
            .iter()
            .position(|j| j.running && j.pid == ce.pid)
        else {
            crate::server_log!(
                Warning,
                "waitpid() returned a pid ({}) we can't find in our scripts execution queue!",
                ce.pid
            );
            continue;
        };
        let retry = s.scripts.queue[i].retry_num;
        if (bysignal != 0 || exitcode == 1) && retry != SCRIPT_MAX_RETRY {
            let delay = retry_delay(s, retry);
            let j = &mut s.scripts.queue[i];
            j.running = false;
            j.pid = 0;
            j.start_time = now() + delay;
        } else {
            if let Some(j) = s.scripts.queue.remove(i) {
                if bysignal != 0 || exitcode != 0 {
                    let msg = format!("{} {} {}", j.argv[0], bysignal, exitcode);
                    event(srv, s, Level::Warning, "-script-error", None, false, &msg);
                }
            }
        }
        s.scripts.running = s.scripts.running.saturating_sub(1);
    }
}

/// sentinelKillTimedoutScripts.
pub fn kill_timedout(srv: &mut Server, s: &mut Sentinel) {
    let t = now();
    let mut victims = Vec::new();
    for j in s.scripts.queue.iter() {
        if j.running && t - j.start_time > s.p.script_max_runtime {
            victims.push((j.argv[0].clone(), j.pid));
        }
    }
    for (path, pid) in victims {
        let msg = format!("{} {}", path, pid);
        event(srv, s, Level::Warning, "-script-timeout", None, false, &msg);
        let _ = crate::sys::process::kill(pid, crate::sys::process::SIGKILL);
    }
}

/// sentinelCallClientReconfScript.
pub fn call_client_reconf_script(
    s: &mut Sentinel,
    mi: usize,
    leader: bool,
    state: &str,
    from: &Addr,
    to: &Addr,
) {
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    let Some(script) = m.client_reconfig_script.clone() else {
        return;
    };
    let argv = vec![
        script,
        m.ri.name.clone(),
        if leader { "leader" } else { "observer" }.to_string(),
        state.to_string(),
        s.announce_addr(from).to_string(),
        from.port.to_string(),
        s.announce_addr(to).to_string(),
        to.port.to_string(),
    ];
    s.scripts.schedule(argv);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_bounded_and_drops_the_oldest_idle_job() {
        let mut q = Scripts::default();
        for i in 0..SCRIPT_MAX_QUEUE + 3 {
            q.schedule(vec![format!("/bin/s{}", i)]);
            if i == 0 {
                q.queue[0].running = true;
            }
        }
        assert_eq!(q.queue.len(), SCRIPT_MAX_QUEUE);
        assert_eq!(q.queue[0].argv[0], "/bin/s0");
        assert_eq!(q.queue[1].argv[0], "/bin/s4");
    }

    #[test]
    fn retry_delay_doubles() {
        let s = Sentinel::default();
        assert_eq!(retry_delay(&s, 1), 30000);
        assert_eq!(retry_delay(&s, 2), 60000);
        assert_eq!(retry_delay(&s, 4), 240000);
    }
}
