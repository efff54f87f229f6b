//! Signal handling. Handlers only store into atomics; `server_cron` and the
//! event loop act on them (Redis's `sigShutdownHandler` sets
//! `shutdown_asap`). Fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT)
//! write a short crash report to the log file descriptor with async-signal-safe
//! calls only, then re-raise with the default action.
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// Last shutdown signal received (SIGTERM or SIGINT), 0 when none.
pub static SHUTDOWN_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// How many shutdown signals arrived (a second SIGINT forces exit, as Redis).
pub static SHUTDOWN_COUNT: AtomicUsize = AtomicUsize::new(0);
/// The fd fatal-signal reports go to (1 = stdout until a logfile is set).
pub static CRASH_LOG_FD: AtomicI32 = AtomicI32::new(1);

extern "C" fn on_shutdown(sig: i32) {
    SHUTDOWN_SIGNAL.store(sig, Ordering::SeqCst);
    SHUTDOWN_COUNT.fetch_add(1, Ordering::SeqCst);
}

fn write_all_raw(fd: i32, msg: &[u8]) {
    // SAFETY: write(2) is async-signal-safe; msg is a valid buffer.
    unsafe {
        libc::write(fd, msg.as_ptr() as *const libc::c_void, msg.len());
    }
}

extern "C" fn on_fatal(sig: i32) {
    let fd = CRASH_LOG_FD.load(Ordering::SeqCst);
    let name: &[u8] = match sig {
        libc::SIGSEGV => b"11",
        libc::SIGBUS => b"7",
        libc::SIGFPE => b"8",
        libc::SIGILL => b"4",
        libc::SIGABRT => b"6",
        _ => b"?",
    };
    write_all_raw(
        fd,
        b"\n\n=== REDIS BUG REPORT START: Cut & paste starting from here ===\n",
    );
    write_all_raw(fd, b"ferrodis crashed by signal: ");
    write_all_raw(fd, name);
    write_all_raw(
        fd,
        b"\n=== REDIS BUG REPORT END. Make sure to include from START to END. ===\n\n",
    );
    // SAFETY: restoring the default action and re-raising is the standard way
    // to terminate with the original signal.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

fn install(sig: i32, handler: usize, flags: i32) {
    // SAFETY: a zeroed sigaction is valid; we fill handler, mask and flags.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        libc::sigemptyset(&mut sa.sa_mask);
        sa.sa_flags = flags;
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Install the server's handlers: SIGTERM/SIGINT request shutdown, SIGPIPE
/// and SIGHUP are ignored, fatal signals produce a crash report.
pub fn setup_signal_handlers() {
    install(
        libc::SIGTERM,
        on_shutdown as *const () as usize,
        libc::SA_RESTART,
    );
    install(
        libc::SIGINT,
        on_shutdown as *const () as usize,
        libc::SA_RESTART,
    );
    install(libc::SIGPIPE, libc::SIG_IGN, 0);
    install(libc::SIGHUP, libc::SIG_IGN, 0);
    for sig in [libc::SIGSEGV, libc::SIGBUS, libc::SIGFPE, libc::SIGILL] {
        install(
            sig,
            on_fatal as *const () as usize,
            libc::SA_RESETHAND | libc::SA_NODEFER | libc::SA_ONSTACK,
        );
    }
}

/// In a forked child: default SIGTERM/SIGINT so the parent can kill it.
pub fn reset_child_signals() {
    install(libc::SIGTERM, libc::SIG_DFL, 0);
    install(libc::SIGINT, libc::SIG_DFL, 0);
}

pub fn take_shutdown_request() -> Option<i32> {
    let sig = SHUTDOWN_SIGNAL.swap(0, Ordering::SeqCst);
    if sig == 0 {
        None
    } else {
        Some(sig)
    }
}
