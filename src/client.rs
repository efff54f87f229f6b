//! A connected client (Redis's `client` struct): its socket, query buffer and
//! parser state, reply buffer, selected db, auth state and flags.
//!
//! Life cycle: created on accept (`Server::accept_client`), fed by the read
//! handler, executes commands through `Server::process_input`, flushed in
//! `before_sleep`, and freed by `Server::free_client` — either at once or,
//! when flagged `CLOSE_ASAP`, at the next `before_sleep` (so a client can be
//! closed safely while a command of another client is running).
use crate::resp::{Reply, RequestParser};
use crate::sys::RawFd;

pub mod flags {
    pub const CLOSE_AFTER_REPLY: u32 = 1 << 0;
    pub const CLOSE_ASAP: u32 = 1 << 1;
    pub const MULTI: u32 = 1 << 2;
    pub const DIRTY_CAS: u32 = 1 << 3;
    pub const DIRTY_EXEC: u32 = 1 << 4;
    pub const PUBSUB: u32 = 1 << 5;
    pub const MONITOR: u32 = 1 << 6;
    pub const BLOCKED: u32 = 1 << 7;
    pub const UNIX_SOCKET: u32 = 1 << 8;
    pub const NO_EVICT: u32 = 1 << 9;
    pub const MASTER: u32 = 1 << 10;
    pub const SLAVE: u32 = 1 << 11;
    pub const REPLY_SKIP_NEXT: u32 = 1 << 12;
    pub const REPLY_SKIP: u32 = 1 << 13;
    pub const REPLY_OFF: u32 = 1 << 14;
    pub const PROTOCOL_ERROR: u32 = 1 << 15;
    pub const PENDING_WRITE: u32 = 1 << 16;
    pub const PUSHING: u32 = 1 << 18;
    pub const NO_TOUCH: u32 = 1 << 17;
}

pub struct Client {
    pub id: u64,
    pub fd: RawFd,
    /// "ip:port" of the peer ("/path:0" for unix sockets), as CLIENT LIST shows.
    pub addr: String,
    /// Local "ip:port" of the connection.
    pub laddr: String,
    pub name: Option<Vec<u8>>,
    pub db: usize,
    pub flags: u32,
    pub authenticated: bool,
    pub user: String,
    pub querybuf: Vec<u8>,
    /// Bytes of `querybuf` already consumed.
    pub qb_pos: usize,
    pub querybuf_peak: usize,
    pub parser: RequestParser,
    pub reply: Reply,
    /// Creation and last-interaction times (ms).
    pub ctime_ms: i64,
    pub last_interaction_ms: i64,
    /// Full name of the last command run ("client|list").
    pub last_cmd: &'static str,
    /// Commands queued by MULTI.
    pub mstate: Vec<OwnedArgs>,
    /// Keys watched with WATCH: (db, key).
    pub watched: Vec<(usize, Vec<u8>)>,
    /// When the output buffer first passed its soft limit (0 = not over).
    pub obuf_soft_limit_since: i64,
    /// Keys read/written and other per-call scratch: the db a write targeted.
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    /// Bytes read from this client in total (for CLIENT INFO tot-net-in).
    pub net_in: u64,
    pub net_out: u64,
    pub cmds_processed: u64,
    /// Pub/Sub subscriptions (channels, patterns in subscription order, shard channels).
    pub pubsub_channels: std::collections::HashSet<Vec<u8>>,
    pub pubsub_patterns: Vec<Vec<u8>>,
    pub pubsub_shard: std::collections::HashSet<Vec<u8>>,
    /// Replication fields (a replica connected to us, or our master);
    /// None for ordinary clients (see replication/mod.rs).
    pub repl: Option<Box<crate::replication::ReplClient>>,
    /// master_repl_offset after this client's last command (WAIT).
    pub woff: i64,
}

/// Arguments of a command, as byte slices (`argv` in Redis).
///
/// Borrowed from the query buffer (or a queued copy), so parsing a command
/// allocates nothing per argument.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    buf: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl<'a> Args<'a> {
    pub fn new(buf: &'a [u8], ranges: &'a [(usize, usize)]) -> Args<'a> {
        Args { buf, ranges }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The i-th argument, or an empty slice when out of range.
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        match self.ranges.get(i) {
            Some(&(a, b)) => self.buf.get(a..b).unwrap_or(&[]),
            None => &[],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    pub fn to_owned(&self) -> OwnedArgs {
        let mut o = OwnedArgs::default();
        for a in self.iter() {
            o.push(a);
        }
        o
    }

    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.iter().map(|a| a.to_vec()).collect()
    }
}

impl<'a> std::ops::Index<usize> for Args<'a> {
    type Output = [u8];
    fn index(&self, i: usize) -> &[u8] {
        self.get(i)
    }
}

/// An owned argument vector in one buffer (MULTI queue, blocked commands,
/// rewritten commands for propagation).
#[derive(Default, Clone, Debug)]
pub struct OwnedArgs {
    pub buf: Vec<u8>,
    pub ranges: Vec<(usize, usize)>,
}

impl OwnedArgs {
    pub fn from_slices(items: &[&[u8]]) -> OwnedArgs {
        let mut o = OwnedArgs::default();
        for a in items {
            o.push(a);
        }
        o
    }
    pub fn push(&mut self, a: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(a);
        self.ranges.push((start, self.buf.len()));
    }
    pub fn args(&self) -> Args<'_> {
        Args::new(&self.buf, &self.ranges)
    }
}

impl Client {
    pub fn new(id: u64, fd: RawFd, addr: String, laddr: String, now_ms: i64) -> Client {
        Client {
            id,
            fd,
            addr,
            laddr,
            name: None,
            db: 0,
            flags: 0,
            authenticated: false,
            user: "default".to_string(),
            querybuf: Vec::new(),
            qb_pos: 0,
            querybuf_peak: 0,
            parser: RequestParser::new(),
            reply: Reply::new(),
            ctime_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL",
            mstate: Vec::new(),
            watched: Vec::new(),
            obuf_soft_limit_since: 0,
            lib_name: None,
            lib_ver: None,
            net_in: 0,
            net_out: 0,
            cmds_processed: 0,
            pubsub_channels: Default::default(),
            pubsub_patterns: Vec::new(),
            pubsub_shard: Default::default(),
            repl: None,
            woff: 0,
        }
    }

    /// A client with no connection (used to run commands internally).
    pub fn fake() -> Client {
        let mut c = Client::new(u64::MAX, -1, String::new(), String::new(), 0);
        c.authenticated = true;
        c
    }

    #[inline]
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// Channels + patterns (what SUBSCRIBE/PSUBSCRIBE replies count).
    pub fn subscription_count(&self) -> usize {
        self.pubsub_channels.len() + self.pubsub_patterns.len()
    }

    /// Bytes in the query buffer not consumed yet.
    pub fn querybuf_pending(&self) -> usize {
        self.querybuf.len() - self.qb_pos
    }

    /// Output memory: reply bytes not yet written (Redis's obuf/omem).
    pub fn output_bytes(&self) -> usize {
        self.reply.pending()
    }

    /// Compact the query buffer after commands consumed a prefix.
    /// Bytes of a partially parsed command are kept: its argument ranges
    /// point into them.
    pub fn trim_querybuf(&mut self) {
        let cut = if self.parser.in_progress() {
            self.parser.cmd_start.min(self.qb_pos)
        } else {
            self.qb_pos
        };
        if cut == 0 {
            return;
        }
        if cut >= self.querybuf.len() {
            self.querybuf.clear();
        } else {
            self.querybuf.drain(..cut);
        }
        self.parser.shift(cut);
        self.qb_pos -= cut;
    }
}
