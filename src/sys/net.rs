//! Sockets: listening on TCP (IPv4/IPv6) and unix sockets, accepting,
//! socket options and address formatting (Redis's `anet.c`).
//!
//! Addresses are formatted the way Redis shows them in CLIENT LIST and logs:
//! `ip:port` for IPv4 and IPv6 alike (no brackets), `/path:0` for unix sockets.
use super::{syscall, RawFd};
use std::ffi::CString;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

fn sockaddr_from(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits inside sockaddr_storage.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in, sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits inside sockaddr_storage.
            unsafe { std::ptr::write(&mut storage as *mut _ as *mut libc::sockaddr_in6, sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

fn sockaddr_to(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match storage.ss_family as i32 {
        libc::AF_INET => {
            // SAFETY: family says this storage holds a sockaddr_in.
            let sin = unsafe { &*(storage as *const _ as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(sin.sin_port)))
        }
        libc::AF_INET6 => {
            // SAFETY: family says this storage holds a sockaddr_in6.
            let sin6 = unsafe { &*(storage as *const _ as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::new(
                IpAddr::V6(ip),
                u16::from_be(sin6.sin6_port),
            ))
        }
        _ => None,
    }
}

fn set_int_opt(fd: RawFd, level: i32, name: i32, val: i32) -> io::Result<()> {
    // SAFETY: passing a pointer to a live i32 and its size.
    syscall!(setsockopt(
        fd,
        level,
        name,
        &val as *const i32 as *const libc::c_void,
        std::mem::size_of::<i32>() as libc::socklen_t
    ))
    .map(|_| ())
}

/// Create a non-blocking listening TCP socket bound to `addr`.
pub fn tcp_listen(addr: &SocketAddr, backlog: i32) -> io::Result<RawFd> {
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    let fd = syscall!(socket(
        family,
        libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        0
    ))?;
    let res = (|| {
        set_int_opt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
        if !addr.is_ipv4() {
            set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
        }
        let (storage, len) = sockaddr_from(addr);
        // SAFETY: storage holds a valid sockaddr of `len` bytes.
        syscall!(bind(fd, &storage as *const _ as *const libc::sockaddr, len))?;
        syscall!(listen(fd, backlog))?;
        Ok(())
    })();
    match res {
        Ok(()) => Ok(fd),
        Err(e) => {
            super::close(fd);
            Err(e)
        }
    }
}

/// Create a non-blocking listening unix socket at `path` with permissions `perm`
/// (0 = leave the umask's). The socket is created under a restrictive umask so
/// there is no window where it is world-accessible (CVE-2023-45145).
pub fn unix_listen(path: &str, perm: u32, backlog: i32) -> io::Result<RawFd> {
    let _ = std::fs::remove_file(path);
    let fd = syscall!(socket(
        libc::AF_UNIX,
        libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        0
    ))?;
    // SAFETY: sockaddr_un is plain old data; all-zero is valid.
    let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_bytes();
    if bytes.len() >= sun.sun_path.len() {
        super::close(fd);
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "unix socket path too long",
        ));
    }
    for (i, b) in bytes.iter().enumerate() {
        sun.sun_path[i] = *b as libc::c_char;
    }
    let res = (|| {
        // SAFETY: umask only changes the process file mode mask.
        let old = unsafe { libc::umask(0o777 & !perm.max(0o700)) };
        // SAFETY: sun is a valid sockaddr_un.
        let r = syscall!(bind(
            fd,
            &sun as *const _ as *const libc::sockaddr,
            std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t
        ));
        // SAFETY: restoring the previous mask.
        unsafe { libc::umask(old) };
        r?;
        syscall!(listen(fd, backlog))?;
        if perm != 0 {
            let c = CString::new(path).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
            // SAFETY: c is a valid NUL-terminated path.
            syscall!(chmod(c.as_ptr(), perm as libc::mode_t))?;
        }
        Ok(())
    })();
    match res {
        Ok(()) => Ok(fd),
        Err(e) => {
            super::close(fd);
            Err(e)
        }
    }
}

/// Accept one connection (non-blocking, close-on-exec). Ok(None) when none is pending.
pub fn accept(listen_fd: RawFd) -> io::Result<Option<(RawFd, Option<SocketAddr>)>> {
    // SAFETY: zeroed storage is valid; len tells the kernel its size.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    match syscall!(accept4(
        listen_fd,
        &mut storage as *mut _ as *mut libc::sockaddr,
        &mut len,
        libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC
    )) {
        Ok(fd) => Ok(Some((fd, sockaddr_to(&storage)))),
        Err(e) if super::would_block(&e) || e.raw_os_error() == Some(libc::ECONNABORTED) => {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

pub fn set_nodelay(fd: RawFd) -> io::Result<()> {
    set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, 1)
}

/// TCP_NODELAY on or off (repl-disable-tcp-nodelay turns it off for replicas).
pub fn set_nodelay_flag(fd: RawFd, on: bool) -> io::Result<()> {
    set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, on as i32)
}

/// SO_KEEPALIVE with Redis's `anetKeepAlive` tuning: probes start after
/// `interval` seconds, then every interval/3, 3 probes.
pub fn set_keepalive(fd: RawFd, interval: i32) -> io::Result<()> {
    set_int_opt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1)?;
    if interval > 0 {
        set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, interval)?;
        set_int_opt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_KEEPINTVL,
            (interval / 3).max(1),
        )?;
        set_int_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3)?;
    }
    Ok(())
}

/// Local address of a connected or listening socket.
pub fn local_addr(fd: RawFd) -> Option<SocketAddr> {
    // SAFETY: zeroed storage is valid; len tells the kernel its size.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    syscall!(getsockname(
        fd,
        &mut storage as *mut _ as *mut libc::sockaddr,
        &mut len
    ))
    .ok()?;
    sockaddr_to(&storage)
}

/// Start a non-blocking connect to `addr`; the socket becomes writable when done.
pub fn tcp_connect_nonblock(addr: &SocketAddr) -> io::Result<RawFd> {
    let family = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    let fd = syscall!(socket(
        family,
        libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
        0
    ))?;
    let (storage, len) = sockaddr_from(addr);
    // SAFETY: storage holds a valid sockaddr of `len` bytes.
    match syscall!(connect(
        fd,
        &storage as *const _ as *const libc::sockaddr,
        len
    )) {
        Ok(_) => Ok(fd),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => Ok(fd),
        Err(e) => {
            super::close(fd);
            Err(e)
        }
    }
}

/// Pending socket error (SO_ERROR), used after a non-blocking connect.
pub fn take_error(fd: RawFd) -> io::Result<Option<io::Error>> {
    let mut val: i32 = 0;
    let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
    // SAFETY: val/len point to live locals of the right size.
    syscall!(getsockopt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_ERROR,
        &mut val as *mut i32 as *mut libc::c_void,
        &mut len
    ))?;
    Ok(if val == 0 {
        None
    } else {
        Some(io::Error::from_raw_os_error(val))
    })
}

/// Shut down both directions (used to unblock a peer before close).
pub fn shutdown(fd: RawFd) {
    // SAFETY: shutdown on an fd we own; errors ignored.
    unsafe {
        libc::shutdown(fd, libc::SHUT_RDWR);
    }
}

/// Blocking TCP connect to `dst` from a socket first bound to `src` (port 0),
/// returned as a std `TcpStream` (Redis's `anetTcpNonBlockBindConnect` minus
/// the non-blocking part). Used by tests that must appear to come from a
/// non-local address such as 127.0.0.2 (protected mode), and a building block
/// for `bind-source-addr`.
pub fn tcp_connect_from(src: IpAddr, dst: &SocketAddr) -> io::Result<std::net::TcpStream> {
    use std::os::fd::FromRawFd;
    let family = if dst.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    let fd = syscall!(socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0))?;
    let res = (|| {
        let (storage, len) = sockaddr_from(&SocketAddr::new(src, 0));
        // SAFETY: storage holds a valid sockaddr of `len` bytes.
        syscall!(bind(fd, &storage as *const _ as *const libc::sockaddr, len))?;
        let (storage, len) = sockaddr_from(dst);
        // SAFETY: storage holds a valid sockaddr of `len` bytes.
        syscall!(connect(
            fd,
            &storage as *const _ as *const libc::sockaddr,
            len
        ))?;
        Ok(())
    })();
    match res {
        // SAFETY: fd is a connected stream socket that nothing else owns; the
        // TcpStream takes over closing it.
        Ok(()) => Ok(unsafe { std::net::TcpStream::from_raw_fd(fd) }),
        Err(e) => {
            super::close(fd);
            Err(e)
        }
    }
}

/// True once a (non-blocking) connect completed: the socket has a peer.
pub fn is_connected(fd: RawFd) -> bool {
    // SAFETY: zeroed storage is valid; len tells the kernel its size.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    syscall!(getpeername(
        fd,
        &mut storage as *mut _ as *mut libc::sockaddr,
        &mut len
    ))
    .is_ok()
}
