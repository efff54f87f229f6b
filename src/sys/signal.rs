//! Signal handling. Handlers only store into atomics; `server_cron` and the
//! event loop act on them (Redis's `sigShutdownHandler` sets
//! `shutdown_asap`). The one exception, as in Redis: a SIGINT while a
//! shutdown signal is already pending means "exit now" — the handler
//! removes the temp-<pid>.rdb a final save may be writing and `_exit(1)`s.
//! Fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT)
//! write a short crash report to the log file descriptor with async-signal-safe
//! calls only, then re-raise with the default action.
use std::ffi::CString;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// Last shutdown signal received (SIGTERM or SIGINT) while no shutdown was
/// cancelled since; 0 when none.
pub static SHUTDOWN_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// "temp-<pid>.rdb" (NUL-terminated) of this process, for the SIGINT-again
/// exit; set by `setup_signal_handlers`.
static TEMP_RDB: OnceLock<CString> = OnceLock::new();
/// The fd fatal-signal reports go to (1 = stdout until a logfile is set).
pub static CRASH_LOG_FD: AtomicI32 = AtomicI32::new(1);

extern "C" fn on_shutdown(sig: i32) {
    if sig == libc::SIGINT && SHUTDOWN_SIGNAL.load(Ordering::SeqCst) != 0 {
        // "You insist... exiting now." (not a clean shutdown).
        write_all_raw(
            CRASH_LOG_FD.load(Ordering::SeqCst),
            b"You insist... exiting now.\n",
        );
        if let Some(p) = TEMP_RDB.get() {
            // SAFETY: unlink(2) and _exit(2) are async-signal-safe; `p` is a
            // NUL-terminated path set before the handler was installed.
            unsafe {
                libc::unlink(p.as_ptr());
            }
        }
        // SAFETY: see above.
        unsafe { libc::_exit(1) };
    }
    SHUTDOWN_SIGNAL.store(sig, Ordering::SeqCst);
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
    let _ =
        TEMP_RDB.set(CString::new(format!("temp-{}.rdb", std::process::id())).unwrap_or_default());
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

/// The shutdown signal waiting to be handled, if any (stays set until
/// `clear_shutdown_signal`: a shutdown was cancelled or aborted).
pub fn pending_shutdown_signal() -> Option<i32> {
    match SHUTDOWN_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

pub fn clear_shutdown_signal() {
    SHUTDOWN_SIGNAL.store(0, Ordering::SeqCst);
}
