//! Pub/Sub state and delivery (Redis's pubsub.c low-level API).
//!
//! `PubSub` maps each channel (and each pattern, and each shard channel) to
//! the fds of its subscribers in subscription order; each client keeps the
//! reverse sets. Messages are written straight into subscribers' reply
//! buffers as *push* data: they bypass CLIENT REPLY OFF/SKIP, as in Redis.
//!
//! The client running the current command is not in `Server::clients` (it is
//! taken out while it runs, see server/mod.rs). Messages for it — a RESP3
//! client receiving keyspace events caused by its own write — are queued in
//! `self_push` and appended to its buffer right after its command's reply.
use super::Server;
use crate::client::{flags, Client};
use crate::resp::Reply;
use crate::sys::RawFd;
use crate::util::glob::string_match_len;
use std::collections::HashMap;

#[derive(Default)]
pub struct PubSub {
    pub channels: HashMap<Vec<u8>, Vec<RawFd>>,
    pub patterns: HashMap<Vec<u8>, Vec<RawFd>>,
    pub shard_channels: HashMap<Vec<u8>, Vec<RawFd>>,
}

/// Which family a (un)subscription belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Shard,
}

/// Write a push message header + items with pushes forced on.
pub fn push_message(r: &mut Reply, items: &[&[u8]]) {
    let was = r.enabled;
    r.enabled = true;
    r.push_len(items.len());
    for it in items {
        r.bulk(it);
    }
    r.enabled = was;
}

/// A (un)subscribe confirmation: [kind, channel-or-null, count].
pub fn push_subscription(r: &mut Reply, kind: &[u8], channel: Option<&[u8]>, count: usize) {
    let was = r.enabled;
    r.enabled = true;
    r.push_len(3);
    r.bulk(kind);
    match channel {
        Some(ch) => r.bulk(ch),
        None => r.null(),
    }
    r.int(count as i64);
    r.enabled = was;
}

impl Server {
    fn update_pubsub_flag(c: &mut Client) {
        if c.subscription_count() + c.pubsub_shard.len() > 0 {
            c.flags |= flags::PUBSUB;
        } else {
            c.flags &= !flags::PUBSUB;
        }
    }

    /// Subscribe `c` to a channel; replies the confirmation.
    pub fn pubsub_subscribe(&mut self, c: &mut Client, ch: &[u8], kind: Kind) {
        let (set, map) = match kind {
            Kind::Channel => (&mut c.pubsub_channels, &mut self.pubsub.channels),
            Kind::Shard => (&mut c.pubsub_shard, &mut self.pubsub.shard_channels),
        };
        if set.insert(ch.to_vec()) {
            map.entry(ch.to_vec()).or_default().push(c.fd);
        }
        Self::update_pubsub_flag(c);
        let (word, count): (&[u8], usize) = match kind {
            Kind::Channel => (b"subscribe", c.subscription_count()),
            Kind::Shard => (b"ssubscribe", c.pubsub_shard.len()),
        };
        push_subscription(&mut c.reply, word, Some(ch), count);
    }

    /// Unsubscribe `c` from a channel; true if it was subscribed.
    pub fn pubsub_unsubscribe(
        &mut self,
        c: &mut Client,
        ch: &[u8],
        kind: Kind,
        notify: bool,
    ) -> bool {
        let (set, map) = match kind {
            Kind::Channel => (&mut c.pubsub_channels, &mut self.pubsub.channels),
            Kind::Shard => (&mut c.pubsub_shard, &mut self.pubsub.shard_channels),
        };
        let was = set.remove(ch);
        if was {
            if let Some(list) = map.get_mut(ch) {
                list.retain(|&fd| fd != c.fd);
                if list.is_empty() {
                    map.remove(ch);
                }
            }
        }
        Self::update_pubsub_flag(c);
        if notify {
            let (word, count): (&[u8], usize) = match kind {
                Kind::Channel => (b"unsubscribe", c.subscription_count()),
                Kind::Shard => (b"sunsubscribe", c.pubsub_shard.len()),
            };
            push_subscription(&mut c.reply, word, Some(ch), count);
        }
        was
    }

    pub fn pubsub_unsubscribe_all(&mut self, c: &mut Client, kind: Kind, notify: bool) -> usize {
        let chans: Vec<Vec<u8>> = match kind {
            Kind::Channel => c.pubsub_channels.iter().cloned().collect(),
            Kind::Shard => c.pubsub_shard.iter().cloned().collect(),
        };
        for ch in chans.iter() {
            self.pubsub_unsubscribe(c, ch, kind, notify);
        }
        if notify && chans.is_empty() {
            let (word, count): (&[u8], usize) = match kind {
                Kind::Channel => (b"unsubscribe", c.subscription_count()),
                Kind::Shard => (b"sunsubscribe", c.pubsub_shard.len()),
            };
            push_subscription(&mut c.reply, word, None, count);
        }
        chans.len()
    }

    pub fn pubsub_psubscribe(&mut self, c: &mut Client, pat: &[u8]) {
        if !c.pubsub_patterns.iter().any(|p| p == pat) {
            c.pubsub_patterns.push(pat.to_vec());
            self.pubsub
                .patterns
                .entry(pat.to_vec())
                .or_default()
                .push(c.fd);
        }
        Self::update_pubsub_flag(c);
        let count = c.subscription_count();
        push_subscription(&mut c.reply, b"psubscribe", Some(pat), count);
    }

    pub fn pubsub_punsubscribe(&mut self, c: &mut Client, pat: &[u8], notify: bool) -> bool {
        let was = match c.pubsub_patterns.iter().position(|p| p == pat) {
            Some(i) => {
                c.pubsub_patterns.remove(i);
                if let Some(list) = self.pubsub.patterns.get_mut(pat) {
                    list.retain(|&fd| fd != c.fd);
                    if list.is_empty() {
                        self.pubsub.patterns.remove(pat);
                    }
                }
                true
            }
            None => false,
        };
        Self::update_pubsub_flag(c);
        if notify {
            let count = c.subscription_count();
            push_subscription(&mut c.reply, b"punsubscribe", Some(pat), count);
        }
        was
    }

    pub fn pubsub_punsubscribe_all(&mut self, c: &mut Client, notify: bool) -> usize {
        let pats = c.pubsub_patterns.clone();
        for p in pats.iter() {
            self.pubsub_punsubscribe(c, p, notify);
        }
        if notify && pats.is_empty() {
            let count = c.subscription_count();
            push_subscription(&mut c.reply, b"punsubscribe", None, count);
        }
        pats.len()
    }

    /// Drop every subscription of a client that is going away.
    pub fn pubsub_forget_client(&mut self, c: &mut Client) {
        self.pubsub_unsubscribe_all(c, Kind::Channel, false);
        self.pubsub_unsubscribe_all(c, Kind::Shard, false);
        self.pubsub_punsubscribe_all(c, false);
    }

    /// Deliver one push message to the client with fd `fd`.
    fn deliver(&mut self, fd: RawFd, items: &[&[u8]]) {
        if fd == self.current_fd {
            self.self_push
                .push(items.iter().map(|i| i.to_vec()).collect());
            return;
        }
        if let Some(mut c) = self.clients.get_mut(fd as usize).and_then(|s| s.take()) {
            push_message(&mut c.reply, items);
            self.mark_pending_write(&mut c);
            if let Some(slot) = self.clients.get_mut(fd as usize) {
                *slot = Some(c);
            }
        }
    }

    /// PUBLISH: deliver to channel and pattern subscribers; returns receivers.
    pub fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        let mut receivers = 0;
        if let Some(fds) = self.pubsub.channels.get(channel).cloned() {
            for fd in fds {
                self.deliver(fd, &[b"message", channel, message]);
                receivers += 1;
            }
        }
        if !self.pubsub.patterns.is_empty() {
            let matching: Vec<(Vec<u8>, Vec<RawFd>)> = self
                .pubsub
                .patterns
                .iter()
                .filter(|(p, _)| string_match_len(p, channel, false))
                .map(|(p, f)| (p.clone(), f.clone()))
                .collect();
            for (pat, fds) in matching {
                for fd in fds {
                    self.deliver(fd, &[b"pmessage", &pat, channel, message]);
                    receivers += 1;
                }
            }
        }
        receivers
    }

    /// SPUBLISH: deliver to shard-channel subscribers.
    pub fn spublish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        let mut receivers = 0;
        if let Some(fds) = self.pubsub.shard_channels.get(channel).cloned() {
            for fd in fds {
                self.deliver(fd, &[b"smessage", channel, message]);
                receivers += 1;
            }
        }
        receivers
    }

    /// Append messages queued for the running client (see module header).
    pub fn flush_self_push(&mut self, c: &mut Client) {
        for items in std::mem::take(&mut self.self_push) {
            let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
            push_message(&mut c.reply, &refs);
        }
    }
}
