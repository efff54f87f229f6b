//! The slow log (Redis's slowlog.c): commands slower than
//! `slowlog-log-slower-than` microseconds, newest first, at most
//! `slowlog-max-len` entries. The dispatcher (`Server::call`) pushes after each
//! command; SLOWLOG GET/LEN/RESET read it (server_cmds.rs).
//!
//! An entry keeps at most 32 arguments (the last one then says
//! "... (N more arguments)") and at most 128 bytes per argument (followed by
//! "... (N more bytes)"), so a huge command cannot pin memory.
use std::collections::VecDeque;

/// SLOWLOG_ENTRY_MAX_ARGC
pub const SLOWLOG_ENTRY_MAX_ARGC: usize = 32;
/// SLOWLOG_ENTRY_MAX_STRING
pub const SLOWLOG_ENTRY_MAX_STRING: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct SlowlogEntry {
    pub id: u64,
    /// unix seconds
    pub time: i64,
    /// microseconds
    pub duration: u64,
    pub argv: Vec<Vec<u8>>,
    pub peerid: String,
    pub cname: Vec<u8>,
}

#[derive(Default)]
pub struct Slowlog {
    /// Newest first.
    pub entries: VecDeque<SlowlogEntry>,
    pub next_id: u64,
}

/// The argument vector as an entry stores it (slowlogCreateEntry).
pub fn slowlog_argv<'a, I: Iterator<Item = &'a [u8]>>(args: I, argc: usize) -> Vec<Vec<u8>> {
    let slargc = argc.min(SLOWLOG_ENTRY_MAX_ARGC);
    let mut out = Vec::with_capacity(slargc);
    for (j, a) in args.take(slargc).enumerate() {
        if slargc != argc && j == slargc - 1 {
            out.push(format!("... ({} more arguments)", argc - slargc + 1).into_bytes());
        } else if a.len() > SLOWLOG_ENTRY_MAX_STRING {
            let mut s = a[..SLOWLOG_ENTRY_MAX_STRING].to_vec();
            s.extend_from_slice(
                format!("... ({} more bytes)", a.len() - SLOWLOG_ENTRY_MAX_STRING).as_bytes(),
            );
            out.push(s);
        } else {
            out.push(a.to_vec());
        }
    }
    out
}

impl Slowlog {
    /// slowlogPushEntryIfNeeded. `slower_than` < 0 disables the log.
    #[allow(clippy::too_many_arguments)]
    pub fn push_if_needed(
        &mut self,
        slower_than: i64,
        max_len: usize,
        duration_us: u64,
        make_argv: impl FnOnce() -> Vec<Vec<u8>>,
        peerid: &str,
        cname: &[u8],
        now_s: i64,
    ) {
        if slower_than < 0 {
            return;
        }
        if duration_us >= slower_than as u64 {
            let id = self.next_id;
            self.next_id += 1;
            self.entries.push_front(SlowlogEntry {
                id,
                time: now_s,
                duration: duration_us,
                argv: make_argv(),
                peerid: peerid.to_string(),
                cname: cname.to_vec(),
            });
        }
        while self.entries.len() > max_len {
            self.entries.pop_back();
        }
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_like_redis() {
        let big = vec![b'x'; 200];
        let args: Vec<&[u8]> = vec![b"set", b"k", &big];
        let v = slowlog_argv(args.iter().copied(), 3);
        assert_eq!(v[0], b"set");
        assert_eq!(v[2].len(), 128 + "... (72 more bytes)".len());
        assert!(v[2].ends_with(b"... (72 more bytes)"));
        let many: Vec<Vec<u8>> = (0..40).map(|i| format!("a{}", i).into_bytes()).collect();
        let v = slowlog_argv(many.iter().map(|a| a.as_slice()), 40);
        assert_eq!(v.len(), 32);
        assert_eq!(v[30], b"a30");
        assert_eq!(v[31], b"... (9 more arguments)");
        // Exactly 32 arguments: kept whole.
        let v = slowlog_argv(many.iter().take(32).map(|a| a.as_slice()), 32);
        assert_eq!(v[31], b"a31");
    }

    #[test]
    fn push_trim_and_disable() {
        let mut s = Slowlog::default();
        for i in 0..5 {
            s.push_if_needed(0, 3, i, || vec![b"ping".to_vec()], "127.0.0.1:1", b"", 10);
        }
        assert_eq!(s.entries.len(), 3);
        assert_eq!(s.entries[0].id, 4);
        assert_eq!(s.entries[2].id, 2);
        s.push_if_needed(100, 3, 99, Vec::new, "", b"", 10);
        assert_eq!(s.entries[0].id, 4);
        s.push_if_needed(-1, 3, 1_000_000, Vec::new, "", b"", 10);
        assert_eq!(s.entries[0].id, 4);
        // Lowering max-len trims on the next push even when nothing is logged.
        s.push_if_needed(100, 1, 5, Vec::new, "", b"", 10);
        assert_eq!(s.entries.len(), 1);
        s.reset();
        assert!(s.entries.is_empty());
        assert_eq!(s.next_id, 5);
    }
}
