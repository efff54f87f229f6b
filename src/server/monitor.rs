//! What happens to a command after its handler ran, for introspection
//! (the tail of Redis's call()): the latency monitor sample, the slow log,
//! the per-command latency histogram, and the MONITOR feed
//! (replicationFeedMonitors).
//!
//! MONITOR lines are `+<sec>.<usec> [<db> <peer>] "arg" "arg"...` with each
//! argument quoted as sdscatrepr does; unix-socket clients show
//! `unix:<path>` as peer. Admin commands (CONFIG, DEBUG, ...) and those
//! flagged skip_monitor are not shown. Arguments a handler marked with
//! `redact_client_command_argument` (AUTH passwords, CONFIG SET requirepass
//! ...) appear as "(redacted)" in both the MONITOR feed and the slow log.
use super::Server;
use crate::client::{flags, Args, Client};
use crate::command::flag;

const REDACTED: &[u8] = b"(redacted)";

impl Server {
    /// redactClientCommandArgument: hide argument `i` of the running command
    /// from SLOWLOG and MONITOR.
    pub fn redact_client_command_argument(&mut self, i: usize) {
        if !self.redacted_args.contains(&i) {
            self.redacted_args.push(i);
        }
    }

    /// Called by `call` once the handler returned and commandstats were
    /// updated. `usec` is the handler's duration.
    pub fn after_call_introspection(&mut self, c: &mut Client, idx: usize, args: &Args, usec: u64) {
        let cflags = self.commands.cmds[idx].flags;
        let blocked = c.has(flags::BLOCKED);
        // Latency monitor: every command, "fast-command" for @fast ones.
        if self.config.latency_monitor_threshold > 0 {
            let event = if cflags & flag::FAST != 0 {
                "fast-command"
            } else {
                "command"
            };
            self.latency_add_sample_if_needed(event, usec / 1000);
        }
        let mut redacted = std::mem::take(&mut self.redacted_args);
        implicit_redactions(self.commands.cmds[idx].full_name, args, &mut redacted);
        let arg_at = |i: usize| -> &[u8] {
            if redacted.contains(&i) {
                REDACTED
            } else {
                args.get(i)
            }
        };
        if !blocked && cflags & flag::SKIP_SLOWLOG == 0 && self.config.slowlog_log_slower_than >= 0
        {
            let argc = args.len();
            let name: &[u8] = c.name.as_deref().unwrap_or(&[]);
            self.slowlog.push_if_needed(
                self.config.slowlog_log_slower_than,
                self.config.slowlog_max_len.max(0) as usize,
                usec,
                || super::slowlog::slowlog_argv((0..argc).map(arg_at), argc),
                &c.addr,
                name,
                self.now_ms / 1000,
            );
        }
        if !blocked && self.config.latency_tracking {
            let st = &mut self.commands.cmds[idx].stats;
            st.latency_histogram
                .get_or_insert_with(Default::default)
                .record((usec as i64).saturating_mul(1000));
        }
        if !self.monitors.is_empty() && cflags & (flag::SKIP_MONITOR | flag::ADMIN) == 0 {
            let line = self.monitor_line(c, c.db, (0..args.len()).map(arg_at));
            self.feed_monitors(c, &line);
        }
    }

    /// One MONITOR line for a command run by `c` against `db`.
    pub fn monitor_line<'a, I: Iterator<Item = &'a [u8]>>(
        &self,
        c: &Client,
        db: usize,
        argv: I,
    ) -> Vec<u8> {
        let us = super::now_us();
        let mut out = format!("+{}.{:06} ", us / 1_000_000, us % 1_000_000).into_bytes();
        if c.has(flags::UNIX_SOCKET) {
            out.extend_from_slice(
                format!(
                    "[{} unix:{}] ",
                    db,
                    self.config.unixsocket.as_deref().unwrap_or("")
                )
                .as_bytes(),
            );
        } else {
            out.extend_from_slice(format!("[{} {}] ", db, c.addr).as_bytes());
        }
        for (j, a) in argv.enumerate() {
            if j > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(crate::config::repr(a).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// Append `line` to every MONITOR client (the running client `c` may be
    /// one of them: it is taken out of `clients` while its command runs).
    pub fn feed_monitors(&mut self, c: &mut Client, line: &[u8]) {
        let fds = self.monitors.clone();
        for fd in fds {
            if fd == c.fd {
                c.reply.raw(line);
                continue;
            }
            let pending = &mut self.pending_write;
            if let Some(m) = self
                .clients
                .get_mut(fd as usize)
                .and_then(|s| s.as_deref_mut())
            {
                m.reply.raw(line);
                if m.fd >= 0 && m.reply.pending() > 0 && !m.has(flags::PENDING_WRITE) {
                    m.flags |= flags::PENDING_WRITE;
                    pending.push(m.fd);
                }
            }
        }
    }
}

/// The arguments Redis's own handlers redact for these commands (AUTH,
/// HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, ACL SETUSER), applied here so the
/// secrets never reach SLOWLOG / MONITOR whichever handler ran.
fn implicit_redactions(full_name: &str, args: &Args, out: &mut Vec<usize>) {
    let mut add = |i: usize| {
        if i < args.len() && !out.contains(&i) {
            out.push(i);
        }
    };
    let argc = args.len();
    match full_name {
        "auth" if argc <= 3 => {
            add(1);
            if argc == 3 {
                add(2);
            }
        }
        "hello" => {
            let mut j = 2;
            while j < argc {
                let more = argc - 1 - j;
                let opt = args.get(j);
                if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
                    add(j + 1);
                    add(j + 2);
                    j += 2;
                } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
                    j += 1;
                } else {
                    break;
                }
                j += 1;
            }
        }
        "migrate" => {
            let mut j = 6;
            while j < argc {
                let a = args.get(j);
                if a.eq_ignore_ascii_case(b"auth") && j + 1 < argc {
                    add(j + 1);
                    j += 1;
                } else if a.eq_ignore_ascii_case(b"auth2") && j + 2 < argc {
                    add(j + 1);
                    add(j + 2);
                    j += 2;
                } else if a.eq_ignore_ascii_case(b"keys") {
                    break;
                }
                j += 1;
            }
        }
        "acl|setuser" => (2..argc).for_each(&mut add),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::client::Client;
    use crate::config::Config;
    use crate::server::Server;

    #[test]
    fn redactions_like_redis() {
        let red = |name: &str, args: &[&str]| {
            let mut o = crate::client::OwnedArgs::default();
            for a in args {
                o.push(a.as_bytes());
            }
            let mut v = Vec::new();
            super::implicit_redactions(name, &o.args(), &mut v);
            v
        };
        assert_eq!(red("auth", &["auth", "pw"]), [1]);
        assert_eq!(red("auth", &["auth", "u", "pw"]), [1, 2]);
        assert!(red("auth", &["auth", "a", "b", "c"]).is_empty());
        assert_eq!(red("hello", &["hello", "2", "AUTH", "u", "p"]), [3, 4]);
        assert_eq!(
            red("hello", &["hello", "3", "SETNAME", "n", "AUTH", "u", "p"]),
            [5, 6]
        );
        assert_eq!(
            red(
                "migrate",
                &["migrate", "h", "1", "k", "9", "5000", "AUTH2", "u", "p"]
            ),
            [7, 8]
        );
        assert_eq!(
            red(
                "migrate",
                &["migrate", "h", "1", "k", "9", "5000", "AUTH", "p"]
            ),
            [7]
        );
        assert_eq!(red("acl|setuser", &["acl", "setuser", "u", "+get"]), [2, 3]);
        assert!(red("get", &["get", "k"]).is_empty());
    }

    #[test]
    fn monitor_line_format() {
        let srv = match Server::new(Config::default(), String::new(), false) {
            Ok(s) => s,
            Err(_) => return,
        };
        let mut c = Client::new(1, -1, "127.0.0.1:5555".into(), String::new(), 0);
        c.db = 9;
        let args: Vec<&[u8]> = vec![b"set", b"k\"1", b"a\r\n\x01\xff"];
        let line = srv.monitor_line(&c, 9, args.into_iter());
        let s = String::from_utf8(line).unwrap();
        let (ts, rest) = s.split_once(' ').unwrap();
        assert!(ts.starts_with('+'));
        let (sec, usec) = ts[1..].split_once('.').unwrap();
        assert!(sec.parse::<u64>().is_ok() && usec.len() == 6);
        assert_eq!(
            rest,
            "[9 127.0.0.1:5555] \"set\" \"k\\\"1\" \"a\\r\\n\\x01\\xff\"\r\n"
        );
    }
}
