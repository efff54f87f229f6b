//! The replication backlog: a circular buffer holding the most recent bytes
//! of the replication stream, so a replica that lost its link can continue
//! with a partial resynchronization (`+CONTINUE`) instead of a full one
//! (Redis's `server.repl_backlog`: createReplicationBacklog,
//! resizeReplicationBacklog, feedReplicationBuffer's backlog part,
//! addReplyReplicationBacklog).
//!
//! Offsets follow Redis: the stream's bytes are numbered from 1; `offset` is
//! the number of the first byte still held and `histlen` how many bytes are
//! held, so the last byte held is `offset + histlen - 1`, which always equals
//! the server's `master_repl_offset`. A fresh backlog starts empty at
//! `master_repl_offset + 1`.
//!
//! Design: the buffer grows on demand up to `size` (an idle backlog costs
//! nothing), then wraps: `idx` is where the next byte goes. Redis 7 keeps the
//! backlog as a list of blocks shared with the replicas' output buffers; a
//! plain ring gives the same observable offsets and history length (capped
//! at the configured size).

/// CONFIG_REPL_BACKLOG_MIN_SIZE
pub const MIN_SIZE: usize = 16 * 1024;

#[derive(Debug)]
pub struct Backlog {
    buf: Vec<u8>,
    /// Configured capacity (repl-backlog-size).
    size: usize,
    /// Write position once the buffer is full (ring mode).
    idx: usize,
    /// Bytes of history held.
    pub histlen: u64,
    /// Stream offset of the first byte held.
    pub offset: i64,
}

impl Backlog {
    /// createReplicationBacklog: empty, first byte = `master_repl_offset + 1`.
    pub fn new(size: usize, master_repl_offset: i64) -> Backlog {
        Backlog {
            buf: Vec::new(),
            size: size.max(MIN_SIZE),
            idx: 0,
            histlen: 0,
            offset: master_repl_offset + 1,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Memory held (INFO mem_replication_backlog).
    pub fn memory(&self) -> usize {
        self.buf.capacity()
    }

    /// Append stream bytes (the caller advances master_repl_offset by the
    /// same amount).
    pub fn append(&mut self, mut data: &[u8]) {
        let len = data.len() as u64;
        if data.len() >= self.size {
            // Only the last `size` bytes survive.
            data = &data[data.len() - self.size..];
            self.buf.clear();
            self.buf.extend_from_slice(data);
            self.idx = 0;
            self.offset += (self.histlen + len) as i64 - self.size as i64;
            self.histlen = self.size as u64;
            return;
        }
        // Growing phase: plain push.
        if self.buf.len() < self.size {
            let room = self.size - self.buf.len();
            let n = room.min(data.len());
            if self.buf.capacity() < self.buf.len() + n {
                let want = (self.buf.len() + n).next_power_of_two().min(self.size);
                self.buf.reserve_exact(want - self.buf.len());
            }
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            self.idx = self.buf.len() % self.size;
        }
        // Ring phase.
        while !data.is_empty() {
            let n = (self.size - self.idx).min(data.len());
            self.buf[self.idx..self.idx + n].copy_from_slice(&data[..n]);
            self.idx = (self.idx + n) % self.size;
            data = &data[n..];
        }
        let newhist = self.histlen + len;
        if newhist > self.size as u64 {
            self.offset += (newhist - self.size as u64) as i64;
            self.histlen = self.size as u64;
        } else {
            self.histlen = newhist;
        }
    }

    /// True when the backlog holds every byte from `psync_offset` on
    /// (a replica asking for `offset + histlen` asks for nothing: fine).
    pub fn can_serve(&self, psync_offset: i64) -> bool {
        psync_offset >= self.offset && psync_offset <= self.offset + self.histlen as i64
    }

    /// The bytes from stream offset `from` to the end (addReplyReplicationBacklog).
    /// Empty when `from` is outside the history.
    pub fn copy_from(&self, from: i64, out: &mut Vec<u8>) -> u64 {
        if !self.can_serve(from) || self.histlen == 0 {
            return 0;
        }
        let skip = (from - self.offset) as u64;
        let want = self.histlen - skip;
        // Position of the first held byte in `buf`.
        let start = if (self.buf.len() as u64) < self.size as u64 {
            0
        } else {
            self.idx
        };
        let first = (start + skip as usize) % self.buf.len().max(1);
        let mut left = want as usize;
        let mut pos = first;
        out.reserve(left);
        while left > 0 {
            let n = (self.buf.len() - pos).min(left);
            out.extend_from_slice(&self.buf[pos..pos + n]);
            left -= n;
            pos = 0;
        }
        want
    }

    /// resizeReplicationBacklog: keep the most recent bytes that fit.
    pub fn resize(&mut self, newsize: usize) {
        let newsize = newsize.max(MIN_SIZE);
        if newsize == self.size {
            return;
        }
        let mut data = Vec::new();
        self.copy_from(self.offset, &mut data);
        let end = self.offset + self.histlen as i64; // first offset not held
        let keep = data.len().min(newsize);
        let tail = &data[data.len() - keep..];
        self.size = newsize;
        self.buf = Vec::with_capacity(keep);
        self.buf.extend_from_slice(tail);
        self.idx = self.buf.len() % self.size;
        self.histlen = keep as u64;
        self.offset = end - keep as i64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(b: &Backlog) -> Vec<u8> {
        let mut v = Vec::new();
        b.copy_from(b.offset, &mut v);
        v
    }

    #[test]
    fn offsets_follow_redis() {
        let mut b = Backlog::new(MIN_SIZE, 100);
        assert_eq!(b.offset, 101);
        assert_eq!(b.histlen, 0);
        assert!(b.can_serve(101));
        assert!(!b.can_serve(102));
        assert!(!b.can_serve(100));
        b.append(b"hello");
        assert_eq!((b.offset, b.histlen), (101, 5));
        let mut v = Vec::new();
        assert_eq!(b.copy_from(103, &mut v), 3);
        assert_eq!(v, b"llo");
        v.clear();
        assert_eq!(b.copy_from(106, &mut v), 0);
        assert!(b.can_serve(106));
        assert!(!b.can_serve(107));
    }

    #[test]
    fn wraps_and_keeps_latest() {
        let mut b = Backlog::new(MIN_SIZE, 0);
        let mut model: Vec<u8> = Vec::new();
        let mut x = 7u32;
        for round in 0..400 {
            let n = (x as usize % 3000) + 1;
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let chunk: Vec<u8> = (0..n).map(|i| (i + round) as u8).collect();
            b.append(&chunk);
            model.extend_from_slice(&chunk);
            let keep = model.len().min(MIN_SIZE);
            assert_eq!(b.histlen as usize, keep);
            assert_eq!(b.offset, (model.len() - keep) as i64 + 1);
            assert_eq!(all(&b), &model[model.len() - keep..]);
        }
        // A chunk bigger than the backlog.
        let big: Vec<u8> = (0..MIN_SIZE * 2 + 5).map(|i| (i * 7) as u8).collect();
        b.append(&big);
        model.extend_from_slice(&big);
        assert_eq!(all(&b), &model[model.len() - MIN_SIZE..]);
        assert_eq!(b.offset + b.histlen as i64 - 1, model.len() as i64);
    }

    #[test]
    fn resize_keeps_recent_history() {
        let mut b = Backlog::new(MIN_SIZE * 2, 0);
        let data: Vec<u8> = (0..MIN_SIZE * 3).map(|i| (i % 251) as u8).collect();
        b.append(&data);
        assert_eq!(b.histlen as usize, MIN_SIZE * 2);
        b.resize(MIN_SIZE);
        assert_eq!(b.histlen as usize, MIN_SIZE);
        assert_eq!(all(&b), &data[data.len() - MIN_SIZE..]);
        assert_eq!(b.offset + b.histlen as i64 - 1, data.len() as i64);
        b.resize(MIN_SIZE * 4);
        assert_eq!(all(&b), &data[data.len() - MIN_SIZE..]);
        b.append(b"xyz");
        let mut v = Vec::new();
        b.copy_from(data.len() as i64 + 1, &mut v);
        assert_eq!(v, b"xyz");
        // Below the minimum: clamped like Redis.
        b.resize(10);
        assert_eq!(b.size(), MIN_SIZE);
    }
}
