//! epoll(7) wrapper used by the event loop (`crate::event`).
//!
//! Level-triggered, like Redis's `ae_epoll.c`: a readable fd keeps reporting
//! until drained, so handlers may stop early (fairness) without losing events.
//! The poller remembers the mask registered for each fd so callers can add or
//! remove one direction without tracking it themselves.
use super::{syscall, RawFd};
use std::io;

pub const READABLE: u8 = 1;
pub const WRITABLE: u8 = 2;

pub struct Epoll {
    epfd: RawFd,
    events: Vec<libc::epoll_event>,
    masks: Vec<u8>,
}

impl Epoll {
    pub fn new(capacity: usize) -> io::Result<Epoll> {
        let epfd = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
        Ok(Epoll {
            epfd,
            events: vec![libc::epoll_event { events: 0, u64: 0 }; capacity.clamp(64, 1024)],
            masks: Vec::new(),
        })
    }

    pub fn mask(&self, fd: RawFd) -> u8 {
        self.masks.get(fd as usize).copied().unwrap_or(0)
    }

    /// Add `mask` directions to the interest set of `fd`.
    pub fn add(&mut self, fd: RawFd, mask: u8) -> io::Result<()> {
        let old = self.mask(fd);
        let new = old | mask;
        if new == old {
            return Ok(());
        }
        self.ctl(fd, old, new)
    }

    /// Remove `mask` directions from the interest set of `fd`.
    pub fn del(&mut self, fd: RawFd, mask: u8) -> io::Result<()> {
        let old = self.mask(fd);
        let new = old & !mask;
        if new == old {
            return Ok(());
        }
        self.ctl(fd, old, new)
    }

    fn ctl(&mut self, fd: RawFd, old: u8, new: u8) -> io::Result<()> {
        let mut ev = libc::epoll_event {
            events: 0,
            u64: fd as u64,
        };
        if new & READABLE != 0 {
            ev.events |= libc::EPOLLIN as u32;
        }
        if new & WRITABLE != 0 {
            ev.events |= libc::EPOLLOUT as u32;
        }
        let op = if old == 0 {
            libc::EPOLL_CTL_ADD
        } else if new == 0 {
            libc::EPOLL_CTL_DEL
        } else {
            libc::EPOLL_CTL_MOD
        };
        // SAFETY: ev is a valid epoll_event for the duration of the call.
        syscall!(epoll_ctl(self.epfd, op, fd, &mut ev))?;
        let idx = fd as usize;
        if self.masks.len() <= idx {
            self.masks.resize(idx + 1, 0);
        }
        self.masks[idx] = new;
        Ok(())
    }

    /// Forget an fd that is being closed (the kernel drops it by itself).
    pub fn forget(&mut self, fd: RawFd) {
        if self.mask(fd) != 0 {
            let _ = self.del(fd, READABLE | WRITABLE);
        }
    }

    /// Wait up to `timeout_ms` (-1 = forever); fills `out` with (fd, mask).
    pub fn wait(&mut self, timeout_ms: i32, out: &mut Vec<(RawFd, u8)>) -> io::Result<()> {
        out.clear();
        // SAFETY: events has `len` initialised slots that epoll may overwrite.
        let n = match syscall!(epoll_wait(
            self.epfd,
            self.events.as_mut_ptr(),
            self.events.len() as i32,
            timeout_ms
        )) {
            Ok(n) => n as usize,
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => 0,
            Err(e) => return Err(e),
        };
        for ev in &self.events[..n] {
            let mut mask = 0;
            let bits = ev.events;
            if bits & (libc::EPOLLIN as u32) != 0 {
                mask |= READABLE;
            }
            if bits & (libc::EPOLLOUT as u32) != 0 {
                mask |= WRITABLE;
            }
            if bits & ((libc::EPOLLERR | libc::EPOLLHUP) as u32) != 0 {
                mask |= READABLE | WRITABLE;
            }
            out.push((ev.u64 as RawFd, mask));
        }
        Ok(())
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        super::close(self.epfd);
    }
}
