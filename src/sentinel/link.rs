//! Sentinel's outbound links (Redis's instanceLink plus the hiredis async
//! contexts and their ae adapter in sentinel.c): non-blocking connections
//! on the server's event loop, commands queued with a callback tag, replies
//! parsed with `resp::value` and dispatched in order.
//!
//! A [`Link`] has a command connection (`cc`) and, for masters and
//! replicas, a Pub/Sub connection (`pc`) subscribed to `__sentinel__:hello`.
//! Links of Sentinels seen under several masters are shared (refcount),
//! so N Sentinels watching M masters cost N connections, not N*M.
//!
//! Hiredis semantics kept here because failure detection depends on them:
//! * commands may be queued while the connect is in progress; they are
//!   written when the socket is writable (writes are always deferred to a
//!   writable event, so a callback never sees its connection vanish while it
//!   queues a command);
//! * a reply with no pending callback is an error → the connection is
//!   dropped (that is how a SUBSCRIBE answered with -NOAUTH disconnects the
//!   Pub/Sub link and the instance shows `disconnected`); otherwise, after
//!   SUBSCRIBE, every reply goes to the hello handler;
//! * when a connection fails, the `Discard` callbacks still pending count
//!   down `pending_commands` (hiredis calls them with a NULL reply), the
//!   others do not;
//! * an explicit close (instanceLinkCloseConnection) calls nothing, and
//!   closing `cc` zeroes `pending_commands`.
use super::{now, sri, Addr, Sentinel, Which};
use crate::log::Level;
use crate::resp::value::{parse_reply, RespValue};
use crate::server::{FdOwner, Server};
use crate::sys::{self, epoll, RawFd};
use std::collections::VecDeque;

/// What to do with a reply (the hiredis callback of the command).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cb {
    /// sentinelDiscardReplyCallback
    Discard,
    /// sentinelInfoReplyCallback
    Info,
    /// sentinelPingReplyCallback
    Ping,
    /// sentinelPublishReplyCallback
    Publish,
    /// sentinelReceiveIsMasterDownReply
    IsMasterDown,
}

/// One connection (a hiredis async context).
#[derive(Debug)]
pub struct Conn {
    pub fd: RawFd,
    pub connecting: bool,
    wbuf: Vec<u8>,
    rbuf: Vec<u8>,
    /// Callbacks of the commands sent, in order, with the instance id.
    pending: VecDeque<(Cb, u64)>,
    /// After SUBSCRIBE: the instance whose hello handler gets the messages.
    subscriber: Option<u64>,
}

/// instanceLink.
#[derive(Debug)]
pub struct Link {
    pub refcount: u32,
    pub disconnected: bool,
    pub pending_commands: i64,
    pub cc: Option<Conn>,
    pub pc: Option<Conn>,
    pub cc_conn_time: i64,
    pub pc_conn_time: i64,
    pub pc_last_activity: i64,
    pub last_avail_time: i64,
    pub act_ping_time: i64,
    pub last_ping_time: i64,
    pub last_pong_time: i64,
    pub last_reconn_time: i64,
}

impl Link {
    fn conn_mut(&mut self, pubsub: bool) -> Option<&mut Conn> {
        if pubsub {
            self.pc.as_mut()
        } else {
            self.cc.as_mut()
        }
    }
}

/// createInstanceLink: a new, disconnected link. act_ping_time starts at
/// "now" so an instance we can never connect to times out.
pub fn create_link(s: &mut Sentinel) -> usize {
    let t = now();
    let l = Link {
        refcount: 1,
        disconnected: true,
        pending_commands: 0,
        cc: None,
        pc: None,
        cc_conn_time: 0,
        pc_conn_time: 0,
        pc_last_activity: 0,
        last_avail_time: t,
        act_ping_time: t,
        last_ping_time: 0,
        last_pong_time: t,
        last_reconn_time: 0,
    };
    match s.links.iter().position(|l| l.is_none()) {
        Some(i) => {
            s.links[i] = Some(l);
            i
        }
        None => {
            s.links.push(Some(l));
            s.links.len() - 1
        }
    }
}

pub fn link(s: &Sentinel, li: usize) -> Option<&Link> {
    s.links.get(li).and_then(|l| l.as_ref())
}

pub fn link_mut(s: &mut Sentinel, li: usize) -> Option<&mut Link> {
    s.links.get_mut(li).and_then(|l| l.as_mut())
}

/// The link of instance (mi, w).
pub fn link_of(s: &Sentinel, mi: usize, w: Which) -> Option<&Link> {
    let li = s.ri(mi, w)?.link;
    link(s, li)
}

pub fn link_of_mut(s: &mut Sentinel, mi: usize, w: Which) -> Option<&mut Link> {
    let li = s.ri(mi, w)?.link;
    link_mut(s, li)
}

/// releaseInstanceLink: drop one reference; the last one closes both
/// connections. (Replies pending for a freed instance are discarded since
/// they name it by an id nobody has any more.)
pub fn release_link(srv: &mut Server, s: &mut Sentinel, li: usize) {
    let Some(l) = link_mut(s, li) else {
        return;
    };
    l.refcount = l.refcount.saturating_sub(1);
    if l.refcount > 0 {
        return;
    }
    close_conn(srv, s, li, false);
    close_conn(srv, s, li, true);
    if let Some(slot) = s.links.get_mut(li) {
        *slot = None;
    }
}

fn drop_fd(srv: &mut Server, s: &mut Sentinel, fd: RawFd) {
    srv.poller.forget(fd);
    srv.fd_owner_clear(fd);
    s.fds.remove(&fd);
    sys::close(fd);
}

/// instanceLinkCloseConnection: close `cc` or `pc` without calling any
/// pending callback.
pub fn close_conn(srv: &mut Server, s: &mut Sentinel, li: usize, pubsub: bool) {
    let Some(l) = link_mut(s, li) else {
        return;
    };
    let conn = if pubsub { l.pc.take() } else { l.cc.take() };
    let Some(conn) = conn else {
        return;
    };
    if !pubsub {
        l.pending_commands = 0;
    }
    l.disconnected = true;
    drop_fd(srv, s, conn.fd);
}

/// A connection failed or was closed by the peer (instanceLinkConnectionError
/// plus hiredis freeing the context).
fn conn_error(srv: &mut Server, s: &mut Sentinel, li: usize, pubsub: bool) {
    let Some(l) = link_mut(s, li) else {
        return;
    };
    let conn = if pubsub { l.pc.take() } else { l.cc.take() };
    let Some(conn) = conn else {
        return;
    };
    l.disconnected = true;
    let discards = conn
        .pending
        .iter()
        .filter(|(cb, _)| *cb == Cb::Discard)
        .count() as i64;
    l.pending_commands -= discards;
    drop_fd(srv, s, conn.fd);
}

/// Start a non-blocking connect to `addr`.
fn connect(
    srv: &mut Server,
    s: &mut Sentinel,
    li: usize,
    pubsub: bool,
    addr: &Addr,
) -> Result<Conn, String> {
    let ip: std::net::IpAddr = addr
        .ip
        .parse()
        .map_err(|_| "Name or service not known".to_string())?;
    let sa = std::net::SocketAddr::new(ip, addr.port as u16);
    let fd = sys::net::tcp_connect_nonblock(&sa).map_err(|e| crate::rdb::save::io_text(&e))?;
    let _ = sys::net::set_nodelay(fd);
    if srv.poller.add(fd, epoll::WRITABLE).is_err() {
        sys::close(fd);
        return Err("Can't register the socket".to_string());
    }
    srv.set_fd_owner(fd, FdOwner::Sentinel);
    s.fds.insert(fd, (li, pubsub));
    Ok(Conn {
        fd,
        connecting: true,
        wbuf: Vec::new(),
        rbuf: Vec::new(),
        pending: VecDeque::new(),
        subscriber: None,
    })
}

/// redisAsyncCommand: queue `args` on the link's `cc` (or `pc`) with its
/// callback; false when there is no such connection.
pub fn send(
    srv: &mut Server,
    s: &mut Sentinel,
    li: usize,
    pubsub: bool,
    cb: Cb,
    inst: u64,
    args: &[&[u8]],
) -> bool {
    let Some(conn) = link_mut(s, li).and_then(|l| l.conn_mut(pubsub)) else {
        return false;
    };
    crate::replication::encode_command(&mut conn.wbuf, args.len(), args.iter().copied());
    conn.pending.push_back((cb, inst));
    let fd = conn.fd;
    let _ = srv.poller.add(fd, epoll::WRITABLE);
    true
}

/// SUBSCRIBE on the Pub/Sub connection: every later reply goes to the
/// hello handler of instance `inst` (hiredis's subscribe callbacks).
fn subscribe(srv: &mut Server, s: &mut Sentinel, li: usize, inst: u64, cmd: &str) -> bool {
    let Some(conn) = link_mut(s, li).and_then(|l| l.pc.as_mut()) else {
        return false;
    };
    let args: [&[u8]; 2] = [cmd.as_bytes(), super::HELLO_CHANNEL.as_bytes()];
    crate::replication::encode_command(&mut conn.wbuf, 2, args.iter().copied());
    conn.subscriber = Some(inst);
    let fd = conn.fd;
    let _ = srv.poller.add(fd, epoll::WRITABLE);
    true
}

/// Queue a command to instance (mi, w) through its `cc`, counting it in
/// `pending_commands`; the command name is mapped through the master's
/// rename-command table.
pub fn send_to(
    srv: &mut Server,
    s: &mut Sentinel,
    mi: usize,
    w: Which,
    pubsub: bool,
    cb: Cb,
    args: &[&str],
) -> bool {
    let Some(m) = s.masters.get(mi) else {
        return false;
    };
    let Some(ri) = m.inst(w) else {
        return false;
    };
    let (li, id) = (ri.link, ri.id);
    let mut owned: Vec<&[u8]> = Vec::with_capacity(args.len());
    let first = args.first().map(|c| m.map_command(c).to_string());
    if let Some(f) = first.as_deref() {
        owned.push(f.as_bytes());
    }
    for a in args.iter().skip(1) {
        owned.push(a.as_bytes());
    }
    let ok = send(srv, s, li, pubsub, cb, id, &owned);
    if ok {
        if let Some(l) = link_mut(s, li) {
            l.pending_commands += 1;
        }
    }
    ok
}

/// sentinelSendAuthIfNeeded: masters and replicas get the master's
/// auth-pass (and auth-user); other Sentinels get sentinel-pass /
/// sentinel-user, else our own requirepass.
fn send_auth_if_needed(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which, pubsub: bool) {
    let Some(m) = s.masters.get(mi) else {
        return;
    };
    let (pass, user): (Option<Vec<u8>>, Option<String>) = match w {
        Which::Master | Which::Slave(_) => (
            m.auth_pass.as_ref().map(|p| p.as_bytes().to_vec()),
            m.auth_user.clone(),
        ),
        Which::Sentinel(_) => match &s.sentinel_auth_pass {
            Some(p) => (Some(p.as_bytes().to_vec()), s.sentinel_auth_user.clone()),
            None => (srv.config.requirepass.clone(), None),
        },
    };
    let Some(pass) = pass else {
        return;
    };
    let pass = String::from_utf8_lossy(&pass).into_owned();
    match user {
        Some(u) => send_to(srv, s, mi, w, pubsub, Cb::Discard, &["AUTH", &u, &pass]),
        None => send_to(srv, s, mi, w, pubsub, Cb::Discard, &["AUTH", &pass]),
    };
}

/// sentinelSetClientName: CLIENT SETNAME sentinel-<first 8 of myid>-<type>.
fn set_client_name(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which, pubsub: bool) {
    let name = format!(
        "sentinel-{}-{}",
        &s.myid[..s.myid.len().min(8)],
        if pubsub { "pubsub" } else { "cmd" }
    );
    send_to(
        srv,
        s,
        mi,
        w,
        pubsub,
        Cb::Discard,
        &["CLIENT", "SETNAME", &name],
    );
}

/// sentinelReconnectInstance: (re)create the missing connections of a
/// disconnected link, at most once per ping period.
pub fn reconnect_instance(srv: &mut Server, s: &mut Sentinel, mi: usize, w: Which) {
    let Some(ri) = s.ri(mi, w) else {
        return;
    };
    let (li, flags, port) = (ri.link, ri.flags, ri.addr.port);
    let Some(l) = link(s, li) else {
        return;
    };
    if !l.disconnected || port == 0 {
        return;
    }
    let t = now();
    if t - l.last_reconn_time < s.p.ping_period {
        return;
    }
    if let Some(l) = link_mut(s, li) {
        l.last_reconn_time = t;
    }
    // Commands connection.
    if link(s, li).is_some_and(|l| l.cc.is_none()) {
        if s.resolve_hostnames {
            // The instance may have moved: resolve its hostname again.
            if let Some(ri) = s.ri(mi, w) {
                let (h, p) = (ri.addr.hostname.clone(), ri.addr.port);
                if let Ok(a) = s.create_addr(&h, p as i64, false) {
                    if let Some(ri) = s.ri_mut(mi, w) {
                        ri.addr = a;
                    }
                }
            }
        }
        let addr = match s.ri(mi, w) {
            Some(ri) => ri.addr.clone(),
            None => return,
        };
        match connect(srv, s, li, false, &addr) {
            Err(e) => {
                super::event_at(
                    srv,
                    s,
                    Level::Debug,
                    "-cmd-link-reconnection",
                    mi,
                    w,
                    &format!(" #{}", e),
                );
            }
            Ok(conn) => {
                if let Some(l) = link_mut(s, li) {
                    l.pending_commands = 0;
                    l.cc_conn_time = now();
                    l.cc = Some(conn);
                }
                send_auth_if_needed(srv, s, mi, w, false);
                set_client_name(srv, s, mi, w, false);
                // Send a PING ASAP when reconnecting.
                super::monitor::send_ping(srv, s, mi, w);
            }
        }
    }
    // Pub/Sub connection (masters and replicas only).
    if flags & (sri::MASTER | sri::SLAVE) != 0 && link(s, li).is_some_and(|l| l.pc.is_none()) {
        let addr = match s.ri(mi, w) {
            Some(ri) => ri.addr.clone(),
            None => return,
        };
        match connect(srv, s, li, true, &addr) {
            Err(e) => {
                super::event_at(
                    srv,
                    s,
                    Level::Debug,
                    "-pubsub-link-reconnection",
                    mi,
                    w,
                    &format!(" #{}", e),
                );
            }
            Ok(conn) => {
                if let Some(l) = link_mut(s, li) {
                    l.pc_conn_time = now();
                    l.pc = Some(conn);
                }
                send_auth_if_needed(srv, s, mi, w, true);
                set_client_name(srv, s, mi, w, true);
                let (cmd, id) = match s.masters.get(mi) {
                    Some(m) => (
                        m.map_command("SUBSCRIBE").to_string(),
                        m.inst(w).map(|r| r.id).unwrap_or(0),
                    ),
                    None => return,
                };
                if !subscribe(srv, s, li, id, &cmd) {
                    close_conn(srv, s, li, true);
                    return;
                }
            }
        }
    }
    // Connected only with both connections (a Sentinel needs only cc).
    if let Some(l) = link_mut(s, li) {
        if l.cc.is_some() && (flags & sri::SENTINEL != 0 || l.pc.is_some()) {
            l.disconnected = false;
        }
    }
}

/// sentinelTryConnectionSharing: use the link of the same Sentinel (same
/// run id) already known under another master.
pub fn try_connection_sharing(srv: &mut Server, s: &mut Sentinel, mi: usize, si: usize) -> bool {
    let Some(ri) = s.masters.get(mi).and_then(|m| m.sentinels.get(si)) else {
        return false;
    };
    let Some(runid) = ri.runid.clone() else {
        return false;
    };
    let my_link = ri.link;
    if link(s, my_link).is_some_and(|l| l.refcount > 1) {
        return false;
    }
    let mut found = None;
    for (omi, m) in s.masters.iter().enumerate() {
        if omi == mi {
            continue;
        }
        if let Some(other) = m
            .sentinels
            .iter()
            .find(|o| o.runid.as_deref() == Some(runid.as_str()))
        {
            if other.link != my_link {
                found = Some(other.link);
                break;
            }
        }
    }
    let Some(shared) = found else {
        return false;
    };
    release_link(srv, s, my_link);
    if let Some(ri) = s.masters.get_mut(mi).and_then(|m| m.sentinels.get_mut(si)) {
        ri.link = shared;
    }
    if let Some(l) = link_mut(s, shared) {
        l.refcount += 1;
    }
    true
}

/// A readiness event on one of our connections.
pub fn handle_event(srv: &mut Server, fd: RawFd, mask: u8) {
    let handled = super::with_sentinel(srv, |srv, s| conn_event(srv, s, fd, mask));
    if handled.is_none() {
        srv.poller.forget(fd);
        srv.fd_owner_clear(fd);
    }
}

fn conn_event(srv: &mut Server, s: &mut Sentinel, fd: RawFd, mask: u8) {
    let Some(&(li, pubsub)) = s.fds.get(&fd) else {
        srv.poller.forget(fd);
        srv.fd_owner_clear(fd);
        return;
    };
    let Some(conn) = link_mut(s, li).and_then(|l| l.conn_mut(pubsub)) else {
        return;
    };
    if conn.fd != fd {
        return;
    }
    if conn.connecting {
        match sys::net::take_error(fd) {
            Ok(None) => {
                // A stale event of an fd number reused in the same loop
                // turn: the connect is not done until we have a peer.
                if !sys::net::is_connected(fd) {
                    return;
                }
            }
            Ok(Some(_)) | Err(_) => {
                conn_error(srv, s, li, pubsub);
                return;
            }
        }
        conn.connecting = false;
        let _ = srv.poller.add(fd, epoll::READABLE);
    }
    if mask & epoll::WRITABLE != 0 && !flush(srv, s, li, pubsub) {
        conn_error(srv, s, li, pubsub);
        return;
    }
    if mask & epoll::READABLE != 0 {
        read_replies(srv, s, li, pubsub, fd);
    }
}

/// Write what is queued; false on a write error.
fn flush(srv: &mut Server, s: &mut Sentinel, li: usize, pubsub: bool) -> bool {
    let Some(conn) = link_mut(s, li).and_then(|l| l.conn_mut(pubsub)) else {
        return true;
    };
    let mut sent = 0;
    while sent < conn.wbuf.len() {
        match sys::write(conn.fd, &conn.wbuf[sent..]) {
            Ok(0) => break,
            Ok(n) => sent += n,
            Err(e) if sys::would_block(&e) => break,
            Err(_) => return false,
        }
    }
    conn.wbuf.drain(..sent);
    if conn.wbuf.is_empty() {
        let _ = srv.poller.del(conn.fd, epoll::WRITABLE);
    }
    true
}

/// Read what the socket has and run the callbacks of the complete replies.
fn read_replies(srv: &mut Server, s: &mut Sentinel, li: usize, pubsub: bool, fd: RawFd) {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let Some(conn) = link_mut(s, li).and_then(|l| l.conn_mut(pubsub)) else {
            return;
        };
        match sys::read(fd, &mut chunk) {
            Ok(0) => {
                conn_error(srv, s, li, pubsub);
                return;
            }
            Ok(n) => {
                conn.rbuf.extend_from_slice(&chunk[..n]);
                if n < chunk.len() {
                    break;
                }
            }
            Err(e) if sys::would_block(&e) => break,
            Err(_) => {
                conn_error(srv, s, li, pubsub);
                return;
            }
        }
    }
    loop {
        let Some(conn) = link_mut(s, li).and_then(|l| l.conn_mut(pubsub)) else {
            return;
        };
        if conn.fd != fd {
            return;
        }
        let (reply, used) = match parse_reply(&conn.rbuf) {
            Ok(Some(x)) => x,
            Ok(None) => return,
            Err(_) => {
                conn_error(srv, s, li, pubsub);
                return;
            }
        };
        conn.rbuf.drain(..used);
        match conn.pending.pop_front() {
            Some((cb, id)) => super::monitor::on_reply(srv, s, li, cb, id, reply),
            None => {
                if matches!(reply, RespValue::Error(_)) {
                    // A spontaneous error (e.g. SUBSCRIBE refused): hiredis
                    // drops the connection.
                    conn_error(srv, s, li, pubsub);
                    return;
                }
                if let Some(id) = conn.subscriber {
                    super::monitor::on_hello_message(srv, s, id, reply);
                }
            }
        }
    }
}
