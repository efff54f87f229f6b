//! The replication backlog: the most recent bytes of the replication stream,
//! kept so a replica that lost its link can continue
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
//! Design (Redis 7.0's shared replication buffer): the stream lives in a
//! list of blocks that the backlog *and* every replica's pending output
//! share. A replica only remembers the stream offset of the next byte it
//! must be sent (`ReplClient::stream_pos`), so N replicas cost one copy of
//! the stream, and a PSYNC +CONTINUE costs no copy at all. Front blocks are
//! dropped (`trim`) once the backlog still holds `repl-backlog-size` bytes
//! without them and no replica still has to send bytes from them — so a
//! slow replica (or one waiting for its RDB) makes the history grow beyond
//! the configured size, and the extra history serves partial
//! resynchronizations too, as in Redis. Blocks are 16 KB, or as big as a
//! larger write, capped at repl-backlog-size / 16 (Redis 7.0.9+, so a big
//! value does not pin a huge block to every caught-up replica).

/// CONFIG_REPL_BACKLOG_MIN_SIZE
pub const MIN_SIZE: usize = 16 * 1024;
/// PROTO_REPLY_CHUNK_BYTES: the smallest block.
const CHUNK: usize = 16 * 1024;
/// What Redis counts per block besides its bytes (listNode + replBufBlock).
pub const BLOCK_OVERHEAD: usize = 64;

#[derive(Debug)]
struct Block {
    /// Stream offset of the block's first byte.
    offset: i64,
    /// The bytes; the capacity is the block's size.
    data: Vec<u8>,
}

#[derive(Debug)]
pub struct Backlog {
    blocks: std::collections::VecDeque<Block>,
    /// Configured size (repl-backlog-size).
    size: usize,
    /// Bytes of history held.
    pub histlen: u64,
    /// Stream offset of the first byte held.
    pub offset: i64,
    /// Bytes allocated for blocks, with their overhead.
    mem: usize,
}

impl Backlog {
    /// createReplicationBacklog: empty, first byte = `master_repl_offset + 1`.
    pub fn new(size: usize, master_repl_offset: i64) -> Backlog {
        Backlog {
            blocks: Default::default(),
            size: size.max(MIN_SIZE),
            histlen: 0,
            offset: master_repl_offset + 1,
            mem: 0,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Memory of the whole shared buffer (INFO mem_total_replication_buffers).
    pub fn memory(&self) -> usize {
        self.mem
    }

    /// Stream offset just past the last byte held.
    pub fn end(&self) -> i64 {
        self.offset + self.histlen as i64
    }

    /// Append stream bytes (the caller advances master_repl_offset by the
    /// same amount, then calls `trim`).
    pub fn append(&mut self, mut data: &[u8]) {
        let len = data.len() as u64;
        if let Some(last) = self.blocks.back_mut() {
            let room = last.data.capacity() - last.data.len();
            let n = room.min(data.len());
            last.data.extend_from_slice(&data[..n]);
            data = &data[n..];
        }
        let limit = (self.size / 16).max(CHUNK);
        let mut next = self.end() + (len as usize - data.len()) as i64;
        while !data.is_empty() {
            let bsize = data.len().clamp(CHUNK, limit.max(CHUNK));
            let n = bsize.min(data.len());
            let mut v = Vec::with_capacity(bsize);
            v.extend_from_slice(&data[..n]);
            self.mem += v.capacity() + BLOCK_OVERHEAD;
            self.blocks.push_back(Block {
                offset: next,
                data: v,
            });
            next += n as i64;
            data = &data[n..];
        }
        self.histlen += len;
    }

    /// incrementalTrimReplicationBacklog: drop front blocks while the
    /// history without them still exceeds the configured size and no
    /// replica has to send bytes from them (`keep_from`: the lowest
    /// `stream_pos` among the replicas, i64::MAX when none). At least one
    /// block stays.
    pub fn trim(&mut self, keep_from: i64) {
        while self.blocks.len() > 1 {
            let Some(front) = self.blocks.front() else {
                break;
            };
            let flen = front.data.len();
            if front.offset + flen as i64 > keep_from {
                break;
            }
            if self.histlen.saturating_sub(flen as u64) <= self.size as u64 {
                break;
            }
            if let Some(b) = self.blocks.pop_front() {
                self.mem -= b.data.capacity() + BLOCK_OVERHEAD;
                self.histlen -= flen as u64;
                self.offset += flen as i64;
            }
        }
    }

    /// True when the backlog holds every byte from `psync_offset` on
    /// (a replica asking for `offset + histlen` asks for nothing: fine).
    pub fn can_serve(&self, psync_offset: i64) -> bool {
        psync_offset >= self.offset && psync_offset <= self.end()
    }

    /// Index of the block holding stream offset `pos` (the last block for
    /// the end offset).
    fn block_index(&self, pos: i64) -> Option<usize> {
        if self.blocks.is_empty() || pos < self.offset || pos > self.end() {
            return None;
        }
        let i = self.blocks.partition_point(|b| b.offset <= pos);
        Some(i.saturating_sub(1))
    }

    /// The held bytes from stream offset `pos` to the end of its block
    /// (empty at the end of the stream or outside the history).
    pub fn chunk_at(&self, pos: i64) -> &[u8] {
        let Some(i) = self.block_index(pos) else {
            return &[];
        };
        let b = &self.blocks[i];
        let skip = (pos - b.offset) as usize;
        b.data.get(skip..).unwrap_or(&[])
    }

    /// Output-buffer memory of a replica whose next byte is `pos` (Redis's
    /// getClientOutputBufferMemoryUsage for replicas: from the start of its
    /// block to the end of the last block, plus the blocks' overhead).
    pub fn pending_memory(&self, pos: i64) -> usize {
        let Some(i) = self.block_index(pos) else {
            return 0;
        };
        let Some(last) = self.blocks.back() else {
            return 0;
        };
        let cur = &self.blocks[i];
        let bytes = (last.offset + last.data.capacity() as i64 - cur.offset).max(0) as usize;
        bytes + (self.blocks.len() - i) * BLOCK_OVERHEAD
    }

    /// The bytes from stream offset `from` to the end (addReplyReplicationBacklog).
    /// Empty when `from` is outside the history.
    pub fn copy_from(&self, from: i64, out: &mut Vec<u8>) -> u64 {
        if !self.can_serve(from) {
            return 0;
        }
        let mut pos = from;
        loop {
            let chunk = self.chunk_at(pos);
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(chunk);
            pos += chunk.len() as i64;
        }
        (pos - from) as u64
    }

    /// rebaseReplicationBuffer: renumber the held bytes so the first one is
    /// `first_offset` (a restarted master continuing its old stream).
    pub fn rebase(&mut self, first_offset: i64) {
        let delta = first_offset - self.offset;
        self.offset = first_offset;
        for b in self.blocks.iter_mut() {
            b.offset += delta;
        }
    }

    /// resizeReplicationBacklog: the new size applies at the next `trim`.
    pub fn resize(&mut self, newsize: usize) {
        self.size = newsize.max(MIN_SIZE);
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
        assert_eq!(b.chunk_at(104), b"lo");
        assert_eq!(b.chunk_at(106), b"");
    }

    #[test]
    fn trims_to_the_configured_size_and_keeps_latest() {
        let mut b = Backlog::new(MIN_SIZE, 0);
        let mut model: Vec<u8> = Vec::new();
        let mut x = 7u32;
        for round in 0..400 {
            let n = (x as usize % 3000) + 1;
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let chunk: Vec<u8> = (0..n).map(|i| (i + round) as u8).collect();
            b.append(&chunk);
            b.trim(i64::MAX);
            model.extend_from_slice(&chunk);
            // At least `size` bytes, at most one block more.
            assert!(b.histlen as usize >= MIN_SIZE.min(model.len()));
            assert!(b.histlen as usize <= MIN_SIZE + CHUNK);
            assert_eq!(b.end() - 1, model.len() as i64);
            let h = b.histlen as usize;
            assert_eq!(all(&b), &model[model.len() - h..]);
        }
        assert!(b.memory() <= 3 * (CHUNK + BLOCK_OVERHEAD));
    }

    #[test]
    fn a_slow_replica_keeps_history_beyond_the_size() {
        let mut b = Backlog::new(MIN_SIZE, 0);
        let data: Vec<u8> = (0..MIN_SIZE * 10).map(|i| (i % 251) as u8).collect();
        // The replica still has to send from offset 1.
        b.append(&data);
        b.trim(1);
        assert_eq!(b.histlen as usize, data.len());
        assert_eq!(b.pending_memory(1), b.memory());
        // It caught up to the end: back to about the configured size.
        b.trim(b.end());
        assert!(b.histlen as usize <= MIN_SIZE + CHUNK && b.histlen as usize >= MIN_SIZE);
        assert_eq!(all(&b), &data[data.len() - b.histlen as usize..]);
        // A caught-up replica costs one block.
        assert!(b.pending_memory(b.end()) <= CHUNK + BLOCK_OVERHEAD);
    }

    #[test]
    fn big_writes_make_blocks_capped_by_size_over_16() {
        let mut b = Backlog::new(1 << 20, 0);
        let big = vec![7u8; 1 << 20];
        b.append(&big);
        // 1 MB backlog: blocks of at most 64 KB.
        assert!(b.blocks.iter().all(|bl| bl.data.capacity() <= 64 * 1024));
        assert_eq!(all(&b), big);
    }

    #[test]
    fn rebase_renumbers_every_block() {
        let mut b = Backlog::new(MIN_SIZE, 0);
        let data: Vec<u8> = (0..CHUNK * 3).map(|i| (i % 253) as u8).collect();
        b.append(&data);
        b.rebase(1001);
        assert_eq!((b.offset, b.end()), (1001, 1001 + data.len() as i64));
        let mut v = Vec::new();
        assert_eq!(
            b.copy_from(1001 + CHUNK as i64 + 5, &mut v),
            (data.len() - CHUNK - 5) as u64
        );
        assert_eq!(v, &data[CHUNK + 5..]);
    }

    #[test]
    fn resize_applies_at_trim() {
        let mut b = Backlog::new(MIN_SIZE * 4, 0);
        let data: Vec<u8> = (0..MIN_SIZE * 4).map(|i| (i % 251) as u8).collect();
        b.append(&data);
        b.trim(i64::MAX);
        assert_eq!(b.histlen as usize, MIN_SIZE * 4);
        b.resize(MIN_SIZE);
        b.trim(i64::MAX);
        assert!(b.histlen as usize <= MIN_SIZE + CHUNK);
        b.resize(10);
        assert_eq!(b.size(), MIN_SIZE);
    }
}
