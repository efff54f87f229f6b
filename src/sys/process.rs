//! Process-level calls: pid, fork/waitpid/_exit, daemonizing, rlimits,
//! resource usage, kill.
use super::{syscall, RawFd};
use std::io;

pub fn getpid() -> i32 {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() }
}

pub fn is_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

pub fn kill(pid: i32, sig: i32) -> io::Result<()> {
    syscall!(kill(pid, sig)).map(|_| ())
}

/// fork(2). Ok(0) in the child, Ok(pid) in the parent.
/// The caller guarantees the process is single-threaded (see module docs).
pub fn fork() -> io::Result<i32> {
    syscall!(fork())
}

/// Leave the process immediately without running destructors or atexit
/// handlers (used by forked children).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and has no preconditions.
    unsafe { libc::_exit(code) }
}

/// Exit status of a reaped child.
pub struct ChildExit {
    pub pid: i32,
    pub exit_code: i32,
    pub by_signal: i32,
}

/// Non-blocking reap of any child.
pub fn wait_any_child() -> Option<ChildExit> {
    let mut status: i32 = 0;
    // SAFETY: status points to a live i32.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    if pid <= 0 {
        return None;
    }
    let (exit_code, by_signal) = if libc::WIFEXITED(status) {
        (libc::WEXITSTATUS(status), 0)
    } else if libc::WIFSIGNALED(status) {
        (-1, libc::WTERMSIG(status))
    } else {
        (-1, 0)
    };
    Some(ChildExit {
        pid,
        exit_code,
        by_signal,
    })
}

/// Classic double-detach: fork, parent exits, child becomes session leader,
/// stdio redirected to /dev/null (Redis's `daemonize()`).
pub fn daemonize() -> io::Result<()> {
    match fork()? {
        0 => {}
        _ => exit_now(0),
    }
    syscall!(setsid())?;
    let devnull = std::ffi::CString::new("/dev/null")
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: valid NUL-terminated path.
    let fd = syscall!(open(devnull.as_ptr(), libc::O_RDWR))?;
    for target in 0..3 {
        // SAFETY: dup2 onto stdio fds.
        unsafe {
            libc::dup2(fd, target);
        }
    }
    if fd > 2 {
        super::close(fd);
    }
    Ok(())
}

pub fn get_nofile_limit() -> io::Result<(u64, u64)> {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: rl is a live rlimit.
    syscall!(getrlimit(libc::RLIMIT_NOFILE, &mut rl))?;
    Ok((rl.rlim_cur, rl.rlim_max))
}

pub fn set_nofile_limit(soft: u64, hard: u64) -> io::Result<()> {
    let rl = libc::rlimit {
        rlim_cur: soft as libc::rlim_t,
        rlim_max: hard as libc::rlim_t,
    };
    // SAFETY: rl is a live rlimit.
    syscall!(setrlimit(libc::RLIMIT_NOFILE, &rl)).map(|_| ())
}

/// (user, system) CPU seconds of this process (`who` = self) or of its reaped children.
pub fn cpu_usage(children: bool) -> (f64, f64) {
    // SAFETY: zeroed rusage is valid and filled by the kernel.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    // SAFETY: ru is a live rusage.
    unsafe {
        libc::getrusage(who, &mut ru);
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(ru.ru_utime), t(ru.ru_stime))
}

/// Open a file for appending (used by the logger, which reopens per line).
pub fn set_cloexec(fd: RawFd) {
    // SAFETY: fcntl on an fd we own.
    unsafe {
        libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
    }
}

/// Page size and resident set size of this process, from /proc.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(4096) as u64
}

/// SIGUSR1: how an RDB child is stopped without it counting as a failed
/// save (Redis's killRDBChild).
pub const SIGUSR1: i32 = libc::SIGUSR1;

/// pipe(2) with both ends close-on-exec; each end optionally non-blocking
/// (Redis's `anetPipe(fds, read_flags, write_flags)`). Returns (read, write).
pub fn pipe(read_nonblock: bool, write_nonblock: bool) -> io::Result<(RawFd, RawFd)> {
    let mut fds = [-1i32; 2];
    // SAFETY: fds points to two writable ints, as pipe2 requires.
    syscall!(pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC))?;
    for (fd, nb) in [(fds[0], read_nonblock), (fds[1], write_nonblock)] {
        if nb {
            // SAFETY: fcntl on an fd we just created.
            let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
            // SAFETY: as above.
            if fl == -1 || unsafe { libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) } == -1 {
                let e = io::Error::last_os_error();
                super::close(fds[0]);
                super::close(fds[1]);
                return Err(e);
            }
        }
    }
    Ok((fds[0], fds[1]))
}

/// SIGKILL (Sentinel kills scripts running for too long).
pub const SIGKILL: i32 = libc::SIGKILL;

/// fork + execve(argv[0], argv, environ) (Sentinel's script jobs): the
/// child only calls execve and `_exit(2)` if it fails (Redis's
/// sentinelRunPendingScripts); every fd the server owns is close-on-exec,
/// so the script inherits only stdio. Ok(child pid).
pub fn spawn_exec(argv: &[String]) -> io::Result<i32> {
    let cargs: Vec<std::ffi::CString> = argv
        .iter()
        .map(|a| std::ffi::CString::new(a.as_bytes()))
        .collect::<Result<_, _>>()
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    if cargs.is_empty() {
        return Err(io::Error::from(io::ErrorKind::InvalidInput));
    }
    let mut ptrs: Vec<*const libc::c_char> = cargs.iter().map(|c| c.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    extern "C" {
        static environ: *const *const libc::c_char;
    }
    match fork()? {
        0 => {
            // SAFETY: in the child of a single-threaded process; ptrs is a
            // NULL-terminated array of live C strings built before fork, and
            // environ is the process environment.
            unsafe {
                libc::execve(ptrs[0], ptrs.as_ptr(), environ);
            }
            exit_now(2)
        }
        pid => Ok(pid),
    }
}

/// access(2): may the process use `path` with `mode` (libc::X_OK,
/// libc::W_OK ...)? Err(errno) when not.
pub fn access(path: &str, mode: i32) -> io::Result<()> {
    let c =
        std::ffi::CString::new(path).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: c is a valid NUL-terminated path.
    syscall!(access(c.as_ptr(), mode)).map(|_| ())
}

pub const X_OK: i32 = libc::X_OK;
pub const W_OK: i32 = libc::W_OK;
