//! The only place in ferrodis that talks to the kernel through `libc`.
//!
//! Every other module is `unsafe`-free (the crate denies `unsafe_code`; this
//! module alone allows it). Each wrapper turns the C convention (-1 + errno)
//! into `io::Result` through the `syscall!` helper, in the style of mio's
//! `sys/unix`.
//!
//! Fork policy: the process is single-threaded whenever it forks (no helper
//! threads are ever started), the child does its work and ends with `_exit`,
//! and the parent reaps children with `waitpid(WNOHANG)` from `server_cron`.
//! Signal handlers only store into atomics that the event loop acts upon.
#![allow(unsafe_code)]

pub mod alloc;
pub mod epoll;
pub mod net;
pub mod process;
pub mod proctitle;
pub mod signal;

use std::io;

/// Run a libc call and turn `-1` into the last OS error.
macro_rules! syscall {
    ($fn: ident ( $($arg: expr),* $(,)* ) ) => {{
        // SAFETY: every caller passes valid pointers/lengths for the libc call,
        // as documented at the call site.
        #[allow(unused_unsafe)]
        let res = unsafe { libc::$fn($($arg, )*) };
        if res == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}
pub(crate) use syscall;

pub type RawFd = i32;

/// read(2) into `buf`; Ok(0) is end of file.
pub fn read(fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: buf is a valid writable region of buf.len() bytes.
    let n = syscall!(read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()))?;
    Ok(n as usize)
}

/// write(2) from `buf`.
pub fn write(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: buf is a valid readable region of buf.len() bytes.
    let n = syscall!(write(fd, buf.as_ptr() as *const libc::c_void, buf.len()))?;
    Ok(n as usize)
}

pub fn close(fd: RawFd) {
    if fd >= 0 {
        // SAFETY: closing an fd we own; errors are irrelevant here.
        unsafe {
            libc::close(fd);
        }
    }
}

pub fn fsync(fd: RawFd) -> io::Result<()> {
    syscall!(fsync(fd)).map(|_| ())
}

/// Current errno-style error helpers.
pub fn would_block(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EAGAIN) | Some(libc::EINTR))
}

/// Broken-down local time (for log lines): (year, month0, mday, hour, min, sec).
pub fn localtime(secs: i64) -> (i32, i32, i32, i32, i32, i32) {
    // SAFETY: zeroed tm is valid; localtime_r fills it from a live time_t.
    unsafe {
        let t: libc::time_t = secs as libc::time_t;
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        (
            tm.tm_year + 1900,
            tm.tm_mon,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec,
        )
    }
}

/// Call tzset once at startup so localtime_r does not re-read TZ per call.
pub fn tzset() {
    extern "C" {
        fn tzset();
    }
    // SAFETY: tzset has no preconditions; called once before any log line.
    unsafe { tzset() }
}

/// Open `path` for append+create with 0644 and write `data` in one call,
/// then close (the logger's per-line open/append/close, friendly to
/// logrotate's copytruncate: O_APPEND never leaves a NUL-filled gap).
pub fn append_to_file(path: &std::ffi::CStr, data: &[u8]) -> io::Result<()> {
    let fd = syscall!(open(
        path.as_ptr(),
        libc::O_WRONLY | libc::O_APPEND | libc::O_CREAT | libc::O_CLOEXEC,
        0o644
    ))?;
    let r = write(fd, data);
    close(fd);
    r.map(|_| ())
}

/// read(2) up to `n` bytes appended to `buf`'s spare capacity (no zero-fill).
pub fn read_into_vec(fd: RawFd, buf: &mut Vec<u8>, n: usize) -> io::Result<usize> {
    buf.reserve(n);
    let len = buf.len();
    let spare = buf.capacity() - len;
    let want = n.min(spare);
    // SAFETY: the region [len, len+want) is allocated spare capacity; read
    // writes at most `want` bytes there and we only extend the length by the
    // number of bytes the kernel reports as written.
    let r = syscall!(read(
        fd,
        buf.as_mut_ptr().add(len) as *mut libc::c_void,
        want
    ))?;
    // SAFETY: r <= want bytes were initialised by read(2).
    unsafe { buf.set_len(len + r as usize) };
    Ok(r as usize)
}
