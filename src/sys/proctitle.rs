//! The process title shown by `ps` and /proc/<pid>/cmdline (Redis's
//! setproctitle.c use: `redis-server 127.0.0.1:6379`, `redis-rdb-bgsave` in
//! a forked child).
//!
//! Linux has no system call for this. The kernel shows the bytes of the
//! original argument area; when the NUL that ended the arguments has been
//! overwritten it keeps reading into the environment area, which follows the
//! arguments on the stack, up to the first NUL. So, like every setproctitle
//! implementation, the first call moves the environment out of the way
//! (copies kept by the C library, so `getenv` keeps working) and from then
//! on the whole argument + environment area holds the title.
//!
//! Where the areas are comes from /proc/self/stat (fields arg_start, arg_end,
//! env_start, env_end, Linux 3.5+), so nothing depends on how Rust's runtime
//! stores argv. Rust's `std::env::args()` reads that memory: main.rs copies
//! the arguments before any title is set, and nothing reads them later.
//!
//! Single-threaded use only (start-up, config changes, forked children),
//! as in the rest of ferrodis.

use std::cell::Cell;

thread_local! {
    /// (start address, length) of the writable title area once prepared;
    /// (0, 0) when not prepared, (usize::MAX, 0) when unavailable.
    static AREA: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// Fields 48..=51 of /proc/self/stat: arg_start, arg_end, env_start, env_end.
fn stat_areas() -> Option<(usize, usize, usize, usize)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Field 2 (comm) may hold spaces and parentheses: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    // `rest` starts with field 3, so field N is at index N - 3.
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |n: usize| f.get(n - 3).and_then(|s| s.parse::<usize>().ok());
    Some((get(48)?, get(49)?, get(50)?, get(51)?))
}

/// Prepare the title area: move the environment to C-library-owned copies,
/// then hand out [arg_start, env_end) (or just the arguments when the
/// environment does not follow them).
fn prepare() -> Option<(usize, usize)> {
    let (arg_start, arg_end, env_start, env_end) = stat_areas()?;
    if arg_start == 0 || arg_end <= arg_start {
        return None;
    }
    let vars: Vec<(std::ffi::CString, std::ffi::CString)> = std::env::vars_os()
        .filter_map(|(k, v)| {
            use std::os::unix::ffi::OsStrExt;
            Some((
                std::ffi::CString::new(k.as_bytes()).ok()?,
                std::ffi::CString::new(v.as_bytes()).ok()?,
            ))
        })
        .collect();
    // SAFETY: single-threaded (see the header); clearenv resets environ and
    // setenv stores fresh heap copies of each string, so no pointer into the
    // area we are about to overwrite survives in environ.
    unsafe {
        libc::clearenv();
        for (k, v) in &vars {
            libc::setenv(k.as_ptr(), v.as_ptr(), 1);
        }
    }
    let end = if env_start == arg_end && env_end > env_start {
        env_end
    } else {
        arg_end
    };
    Some((arg_start, end - arg_start))
}

/// Show `title` as the process's command line (truncated to the space the
/// original arguments and environment occupied). Best effort: does nothing
/// where /proc is unavailable.
pub fn set_process_title(title: &str) {
    let (start, len) = AREA.with(|a| {
        let cur = a.get();
        if cur == (0, 0) {
            let got = prepare().unwrap_or((usize::MAX, 0));
            a.set(got);
            got
        } else {
            cur
        }
    });
    if start == usize::MAX || len < 2 {
        return;
    }
    let bytes = title.as_bytes();
    let n = bytes.len().min(len - 1);
    // SAFETY: [start, start + len) is this process's own argument (+
    // environment) area as the kernel reports it in /proc/self/stat: mapped,
    // writable stack memory that nothing else references any more (the
    // environment was moved by `prepare`, and argv is only read at start-up).
    unsafe {
        let p = start as *mut u8;
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, n);
        std::ptr::write_bytes(p.add(n), 0, len - n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_areas_are_ordered() {
        let (a0, a1, e0, e1) = stat_areas().expect("/proc/self/stat");
        assert!(a0 < a1 && a1 <= e0 && e0 <= e1);
    }
}
