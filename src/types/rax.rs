//! The *shape* of a Redis rax (rax.c), without values: which nodes exist
//! after a given history of inserts and removals, so XINFO STREAM's
//! `radix-tree-nodes` and MEMORY USAGE match Redis exactly.
//!
//! A rax node is either compressed (a run of bytes with one child) or not
//! (one byte per child); a key ends at a node flagged `key`. The node count
//! depends on history, not only on the key set: removals re-compress only
//! the chain around the removed key (raxRemove's "trycompress"), so a
//! canonical count (fully compressed tree) differs after trims. This model
//! mirrors raxGenericInsert (raxLowWalk, "ALGO 1" / "ALGO 2" splits, the
//! insertion loop with raxCompressNode / raxAddChild) and raxRemove (the
//! upward cleanup, raxRemoveChild, the recompression) step for step, only
//! for node bookkeeping. Nodes live in an arena indexed by u32.
#[derive(Clone, Debug, Default)]
struct RNode {
    key: bool,
    compr: bool,
    data: Vec<u8>,
    children: Vec<u32>,
}

/// Where a node hangs: the head pointer or a parent's child slot.
#[derive(Clone, Copy)]
enum Link {
    Head,
    Child(u32, usize),
}

#[derive(Clone, Debug)]
pub struct RaxShape {
    nodes: Vec<RNode>,
    free: Vec<u32>,
    head: u32,
    numnodes: usize,
}

impl Default for RaxShape {
    fn default() -> Self {
        RaxShape::new()
    }
}

impl RaxShape {
    /// raxNew: one empty head node.
    pub fn new() -> RaxShape {
        RaxShape {
            nodes: vec![RNode::default()],
            free: Vec::new(),
            head: 0,
            numnodes: 1,
        }
    }

    /// rax->numnodes
    pub fn numnodes(&self) -> usize {
        self.numnodes
    }

    fn n(&self, id: u32) -> &RNode {
        &self.nodes[id as usize]
    }

    fn m(&mut self, id: u32) -> &mut RNode {
        &mut self.nodes[id as usize]
    }

    fn alloc(&mut self, node: RNode) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.nodes[id as usize] = node;
                id
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, id: u32) {
        self.nodes[id as usize] = RNode::default();
        self.free.push(id);
    }

    fn set_link(&mut self, link: Link, to: u32) {
        match link {
            Link::Head => self.head = to,
            Link::Child(p, i) => {
                if let Some(c) = self.m(p).children.get_mut(i) {
                    *c = to;
                }
            }
        }
    }

    /// raxLowWalk: (chars matched, stop node, its link, split position,
    /// stack of parents).
    fn walk(&self, s: &[u8]) -> (usize, u32, Link, usize, Vec<u32>) {
        let mut h = self.head;
        let mut link = Link::Head;
        let mut i = 0;
        let mut j = 0;
        let mut stack = Vec::new();
        while !self.n(h).data.is_empty() && i < s.len() {
            let node = self.n(h);
            if node.compr {
                j = 0;
                while j < node.data.len() && i < s.len() {
                    if node.data[j] != s[i] {
                        break;
                    }
                    j += 1;
                    i += 1;
                }
                if j != node.data.len() {
                    break;
                }
            } else {
                match node.data.iter().position(|&c| c == s[i]) {
                    Some(p) => j = p,
                    None => {
                        j = node.data.len();
                        break;
                    }
                }
                i += 1;
            }
            stack.push(h);
            let idx = if node.compr { 0 } else { j };
            let next = match node.children.get(idx) {
                Some(&c) => c,
                None => break,
            };
            link = Link::Child(h, idx);
            h = next;
            j = 0;
        }
        (i, h, link, j, stack)
    }

    /// raxInsert (no-op if present).
    pub fn insert(&mut self, s: &[u8]) {
        let (mut i, mut h, link, j, _) = self.walk(s);
        let len = s.len();
        if i == len && (!self.n(h).compr || j == 0) {
            self.m(h).key = true;
            return;
        }
        if self.n(h).compr && i != len {
            // ALGO 1: split the compressed node at j.
            let old = std::mem::take(self.m(h));
            let next = old.children.first().copied().unwrap_or(0);
            let postfixlen = old.data.len() - j - 1;
            let split = self.alloc(RNode {
                key: j == 0 && old.key,
                compr: false,
                data: vec![old.data[j]],
                children: Vec::new(),
            });
            if j == 0 {
                self.set_link(link, split);
            } else {
                let trimmed = self.alloc(RNode {
                    key: old.key,
                    compr: j > 1,
                    data: old.data[..j].to_vec(),
                    children: vec![split],
                });
                self.set_link(link, trimmed);
                self.numnodes += 1;
            }
            let postfix = if postfixlen > 0 {
                self.numnodes += 1;
                self.alloc(RNode {
                    key: false,
                    compr: postfixlen > 1,
                    data: old.data[j + 1..].to_vec(),
                    children: vec![next],
                })
            } else {
                next
            };
            self.m(split).children.push(postfix);
            self.release(h);
            h = split;
        } else if self.n(h).compr && i == len {
            // ALGO 2: the key ends inside a compressed node.
            let old = std::mem::take(self.m(h));
            let next = old.children.first().copied().unwrap_or(0);
            let postfix = self.alloc(RNode {
                key: true,
                compr: old.data.len() - j > 1,
                data: old.data[j..].to_vec(),
                children: vec![next],
            });
            self.numnodes += 1;
            let trimmed = self.alloc(RNode {
                key: old.key,
                compr: j > 1,
                data: old.data[..j].to_vec(),
                children: vec![postfix],
            });
            self.set_link(link, trimmed);
            self.release(h);
            return;
        }
        while i < len {
            let child = self.alloc(RNode::default());
            if self.n(h).data.is_empty() && len - i > 1 {
                let node = self.m(h);
                node.compr = true;
                node.data = s[i..].to_vec();
                node.children = vec![child];
                i = len;
            } else {
                let c = s[i];
                let node = self.m(h);
                let pos = node
                    .data
                    .iter()
                    .position(|&x| x > c)
                    .unwrap_or(node.data.len());
                node.data.insert(pos, c);
                node.children.insert(pos, child);
                i += 1;
            }
            self.numnodes += 1;
            h = child;
        }
        self.m(h).key = true;
    }

    /// The last child of a node (a chain node has one).
    fn last_child(&self, id: u32) -> Option<u32> {
        self.n(id).children.last().copied()
    }

    fn single_chain(&self, id: u32) -> bool {
        let n = self.n(id);
        n.compr || n.data.len() == 1
    }

    /// raxRemove (no-op if absent).
    pub fn remove(&mut self, s: &[u8]) {
        let (i, mut h, _, splitpos, mut stack) = self.walk(s);
        {
            let n = self.n(h);
            if i != s.len() || (n.compr && splitpos != 0) || !n.key {
                return;
            }
        }
        self.m(h).key = false;
        let mut trycompress = false;
        if self.n(h).data.is_empty() {
            let mut child = None;
            while h != self.head {
                child = Some(h);
                self.release(h);
                self.numnodes -= 1;
                h = match stack.pop() {
                    Some(p) => p,
                    None => break,
                };
                let n = self.n(h);
                if n.key || (!n.compr && n.data.len() != 1) {
                    break;
                }
            }
            if let Some(ch) = child {
                // raxRemoveChild
                let node = self.m(h);
                if node.compr {
                    node.compr = false;
                    node.data.clear();
                    node.children.clear();
                } else if let Some(p) = node.children.iter().position(|&c| c == ch) {
                    node.children.remove(p);
                    node.data.remove(p);
                }
                let n = self.n(h);
                if n.data.len() == 1 && !n.key {
                    trycompress = true;
                }
            }
        } else if self.n(h).data.len() == 1 {
            trycompress = true;
        }
        if !trycompress {
            return;
        }
        let mut parent;
        loop {
            parent = stack.pop();
            match parent {
                Some(p) if !self.n(p).key && self.single_chain(p) => h = p,
                _ => break,
            }
        }
        let start = h;
        let mut nodes = 1;
        let mut cur = h;
        while !self.n(cur).data.is_empty() {
            cur = match self.last_child(cur) {
                Some(c) => c,
                None => break,
            };
            let n = self.n(cur);
            if n.key || (!n.compr && n.data.len() != 1) {
                break;
            }
            nodes += 1;
        }
        if nodes <= 1 {
            return;
        }
        let mut data = Vec::new();
        let mut x = start;
        let stop = loop {
            let n = std::mem::take(self.m(x));
            data.extend_from_slice(&n.data);
            let next = n.children.last().copied();
            self.release(x);
            self.numnodes -= 1;
            match next {
                Some(c) => {
                    let cn = self.n(c);
                    if cn.key || (!cn.compr && cn.data.len() != 1) || cn.data.is_empty() {
                        break c;
                    }
                    x = c;
                }
                None => break x,
            }
        };
        let new = self.alloc(RNode {
            key: false,
            compr: true,
            data,
            children: vec![stop],
        });
        self.numnodes += 1;
        match parent {
            Some(p) => {
                if let Some(slot) = self.m(p).children.iter_mut().find(|c| **c == start) {
                    *slot = new;
                }
            }
            None => self.head = new,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_rax() {
        let mut r = RaxShape::new();
        assert_eq!(r.numnodes(), 1);
        r.insert(b"FOOBAR");
        assert_eq!(r.numnodes(), 2);
        r.insert(b"FOOTER");
        // "FOO" -> [B|T] -> "AR" -> [], "ER" -> []
        assert_eq!(r.numnodes(), 6);
        r.remove(b"FOOTER");
        // recompressed into "FOOBAR" -> []
        assert_eq!(r.numnodes(), 2);
        r.remove(b"FOOBAR");
        assert_eq!(r.numnodes(), 1);
    }
}
