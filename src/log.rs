//! Logging in Redis's line format (`serverLogRaw`):
//!
//! `<pid>:<role> <dd> <Mon> <yyyy> <hh>:<mm>:<ss>.<mmm> <level-char> <message>`
//!
//! with role `M` master, `S` replica, `C` forked child, `X` sentinel and level
//! chars `.` debug, `-` verbose, `*` notice, `#` warning. A log file is opened
//! in append mode, written and closed for every line, as Redis does: with
//! logrotate's `copytruncate` the next line lands at the new end of the
//! truncated file (O_APPEND), never after a gap of NUL bytes. An empty
//! `logfile` logs to stdout, unbuffered.
use std::cell::RefCell;
use std::ffi::CString;
use std::io::Write;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

struct LogState {
    file: Option<CString>,
    min_level: Level,
    role: u8,
    pid: i32,
}

thread_local! {
    static STATE: RefCell<LogState> = const { RefCell::new(LogState { file: None, min_level: Level::Notice, role: b'M', pid: 0 }) };
}

/// Configure the logger: `logfile` ("" = stdout) and minimum level.
pub fn setup(logfile: &str, level: Level) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.file = if logfile.is_empty() {
            None
        } else {
            CString::new(logfile).ok()
        };
        s.min_level = level;
        s.pid = crate::sys::process::getpid();
    });
}

pub fn set_level(level: Level) {
    STATE.with(|s| s.borrow_mut().min_level = level);
}

/// Role character: b'M', b'S', b'C', b'X'.
pub fn set_role(role: u8) {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.role = role;
        s.pid = crate::sys::process::getpid();
    });
}

pub fn enabled(level: Level) -> bool {
    STATE.with(|s| level >= s.borrow().min_level)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Format one log line (without writing it).
pub fn format_line(pid: i32, role: u8, level: Level, msg: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (y, mon, d, h, mi, s) = crate::sys::localtime(now.as_secs() as i64);
    let ch = match level {
        Level::Debug => '.',
        Level::Verbose => '-',
        Level::Notice => '*',
        Level::Warning => '#',
    };
    format!(
        "{}:{} {:02} {} {} {:02}:{:02}:{:02}.{:03} {} {}\n",
        pid,
        role as char,
        d,
        MONTHS[(mon as usize) % 12],
        y,
        h,
        mi,
        s,
        now.subsec_millis(),
        ch,
        msg
    )
}

/// Write a line without the level filter or the prefix (the ASCII logo).
pub fn raw(text: &str) {
    STATE.with(|s| {
        let s = s.borrow();
        write_out(&s.file, text.as_bytes());
    });
}

fn write_out(file: &Option<CString>, data: &[u8]) {
    match file {
        Some(path) => {
            let _ = crate::sys::append_to_file(path, data);
        }
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(data);
            let _ = out.flush();
        }
    }
}

pub fn log(level: Level, msg: &str) {
    STATE.with(|s| {
        let s = s.borrow();
        // Before `setup` (unit tests exercising server code in-process)
        // there is no log destination: stay quiet.
        if level < s.min_level || s.pid == 0 {
            return;
        }
        let line = format_line(s.pid, s.role, level, msg);
        write_out(&s.file, line.as_bytes());
    });
}

#[macro_export]
macro_rules! server_log {
    ($level:ident, $($arg:tt)*) => {
        if $crate::log::enabled($crate::log::Level::$level) {
            $crate::log::log($crate::log::Level::$level, &format!($($arg)*))
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_matches_redis() {
        let l = format_line(1234, b'M', Level::Notice, "Ready to accept connections");
        // e.g. "1234:M 22 Nov 2026 08:10:02.123 * Ready to accept connections\n"
        let parts: Vec<&str> = l.trim_end().splitn(6, ' ').collect();
        assert_eq!(parts[0], "1234:M");
        assert_eq!(parts[1].len(), 2);
        assert!(MONTHS.contains(&parts[2]));
        assert_eq!(parts[3].len(), 4);
        assert_eq!(parts[4].len(), 12);
        assert_eq!(&parts[5][..2], "* ");
        assert!(l.ends_with("Ready to accept connections\n"));
    }
}
