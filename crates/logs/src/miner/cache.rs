//! The shape cache: the fast path of the miner.
//!
//! A masked message seen before is routed to the same event as long as the routing state of
//! its bucket (its clusters and their slots) has not changed since. Each bucket carries an
//! epoch bumped on every such change; a cache entry remembers the epoch it was computed at and
//! is ignored when stale. The cache is an accelerator only: dropping it changes no result.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes a byte string eight bytes at a time.
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = 0u64;
    for (i, &c) in chunks.remainder().iter().enumerate() {
        tail |= u64::from(c) << (8 * i);
    }
    h = (h ^ tail).wrapping_mul(K);
    h ^ (h >> 32)
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    key: Box<[u8]>,
    pub bucket: u32,
    pub epoch: u32,
    pub event: u32,
}

/// Exact masked message → event, bounded in size.
#[derive(Debug, Clone)]
pub(crate) struct ShapeCache {
    map: HashMap<u64, Entry, BuildHasherDefault<IdHasher>>,
    limit: usize,
}

impl ShapeCache {
    pub fn new(limit: usize) -> Self {
        Self {
            map: HashMap::default(),
            limit,
        }
    }

    pub fn get(&self, hash: u64, key: &[u8]) -> Option<&Entry> {
        self.map.get(&hash).filter(|e| *e.key == *key)
    }

    pub fn insert(&mut self, hash: u64, key: &[u8], bucket: u32, epoch: u32, event: u32) {
        if self.map.len() >= self.limit {
            self.map.clear();
        }
        self.map.insert(
            hash,
            Entry {
                key: key.into(),
                bucket,
                epoch,
                event,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_separates_and_cache_checks_key() {
        assert_ne!(hash_bytes(b"abc"), hash_bytes(b"abd"));
        assert_ne!(hash_bytes(b"12345678a"), hash_bytes(b"12345678b"));
        let mut c = ShapeCache::new(2);
        c.insert(7, b"x", 1, 2, 3);
        assert_eq!(c.get(7, b"x").map(|e| e.event), Some(3));
        assert!(c.get(7, b"y").is_none());
        c.insert(8, b"y", 1, 2, 4);
        c.insert(9, b"z", 1, 2, 5);
        assert!(c.get(7, b"x").is_none(), "cleared when full");
        assert!(c.get(9, b"z").is_some());
    }
}
