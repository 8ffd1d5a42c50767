//! Candidate search in large buckets.
//!
//! A bucket with few clusters is scanned whole. In a large one (free text behind a constant
//! first word), scoring every cluster for every new message would be quadratic, so each bucket
//! keeps an inverted index from (position, value) to the clusters holding that value there,
//! plus the *loose* clusters, whose wildcard and variable-like slots alone could reach the
//! similarity threshold. Only loose clusters, and clusters whose shared values plus open slots
//! could reach the threshold, are scored (in cluster order), which picks the same cluster as
//! a full scan without touching the memory of the others. Postings longer than [`COMMON`] are skipped as uninformative: the only
//! approximation, and only in buckets of thousands of clusters.

use std::collections::HashMap;

/// Buckets up to this many clusters are scanned whole.
pub(crate) const SCAN_ALL: usize = 64;
/// Postings longer than this are ignored when gathering candidates.
const COMMON: usize = 1024;

#[derive(Debug, Clone, Default)]
pub(crate) struct BucketIndex {
    postings: HashMap<(u32, u32), Vec<u32>>,
    loose: Vec<u32>,
}

impl BucketIndex {
    /// Records that `cluster` holds `sym` at `pos`.
    pub fn add(&mut self, pos: usize, sym: u32, cluster: u32) {
        let list = self.postings.entry((pos as u32, sym)).or_default();
        if !list.contains(&cluster) {
            list.push(cluster);
        }
    }

    /// Records that `cluster` may fit a message through its open slots alone.
    pub fn set_loose(&mut self, cluster: u32) {
        if !self.loose.contains(&cluster) {
            self.loose.push(cluster);
        }
    }

    /// Clusters that may reach the threshold for a message with token ids `known`, ascending:
    /// the loose ones, and those for which `keep(cluster, shared values)` holds.
    pub fn candidates(
        &self,
        known: &[Option<u32>],
        keep: impl Fn(u32, usize) -> bool,
        hits: &mut Vec<u32>,
        out: &mut Vec<u32>,
    ) {
        hits.clear();
        for (i, k) in known.iter().enumerate().skip(1) {
            if let Some(list) = k.and_then(|s| self.postings.get(&(i as u32, s)))
                && list.len() <= COMMON
            {
                hits.extend_from_slice(list);
            }
        }
        hits.sort_unstable();
        out.clear();
        out.extend_from_slice(&self.loose);
        for run in hits.chunk_by(|a, b| a == b) {
            if keep(run[0], run.len()) {
                out.push(run[0]);
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_sharing_and_loose_clusters() {
        let mut ix = BucketIndex::default();
        ix.add(1, 10, 3);
        ix.add(2, 11, 1);
        ix.add(2, 11, 1);
        ix.add(1, 12, 7);
        ix.set_loose(5);
        let (mut hits, mut out) = (Vec::new(), Vec::new());
        ix.candidates(
            &[Some(99), Some(10), Some(11)],
            |_, _| true,
            &mut hits,
            &mut out,
        );
        assert_eq!(out, [1, 3, 5]);
        ix.candidates(
            &[Some(99), Some(10), Some(11)],
            |c, _| c != 1,
            &mut hits,
            &mut out,
        );
        assert_eq!(out, [3, 5]);
        ix.candidates(&[None, None, None], |_, _| true, &mut hits, &mut out);
        assert_eq!(out, [5]);
    }
}
