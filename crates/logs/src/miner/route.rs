//! Routing of a masked message that missed the shape cache: bucket, cluster, event.

use super::cluster::Cluster;
use super::index::SCAN_ALL;
use super::intern::DIGIT_SYM;
use super::{Bucket, Event, TemplateMiner};
use crate::mask::{Kind, MaskedLine};

impl TemplateMiner {
    fn bucket_of(&mut self, line: &MaskedLine) -> u32 {
        let first = match line.len() {
            0 => self.names.intern(""),
            _ if line.kind(0) == Kind::Digit => DIGIT_SYM,
            _ => self.names.intern(line.token(0)),
        };
        let next = self.buckets.len() as u32;
        let b = *self
            .bucket_index
            .entry((line.len() as u32, first))
            .or_insert(next);
        if b == next {
            self.buckets.push(Bucket::default());
        }
        b
    }

    pub(super) fn route(&mut self, line: &MaskedLine) -> (u32, u32) {
        let b = self.bucket_of(line);
        self.known.clear();
        for i in 0..line.len() {
            self.known.push(self.names.get(line.token(i)));
        }
        let mut cands = std::mem::take(&mut self.candidates);
        let best = self.best_cluster(b, line, &self.known, &mut cands);
        self.candidates = cands;
        let need = self.config.similarity * line.len() as f64;
        let c = match best {
            Some((c, s)) if s as f64 >= need => c,
            _ => {
                let c = self.clusters.len() as u32;
                self.clusters.push(Cluster::new(b, line, &mut self.names));
                self.buckets[b as usize].clusters.push(c);
                self.index_cluster(c);
                bump(&mut self.buckets[b as usize].epoch);
                c
            }
        };
        let mut syms = std::mem::take(&mut self.syms);
        let mut added = std::mem::take(&mut self.added);
        added.clear();
        let cl = &mut self.clusters[c as usize];
        let done = cl.absorb(
            line,
            &mut self.names,
            self.config.enum_limit,
            &mut syms,
            &mut added,
        );
        for &(i, v) in added.iter().filter(|(i, _)| *i > 0) {
            self.buckets[b as usize].index.add(i, v, c);
        }
        self.added = added;
        if done.routing_changed && self.is_loose(c) {
            self.buckets[b as usize].index.set_loose(c);
        }
        if done.routing_changed {
            bump(&mut self.buckets[b as usize].epoch);
        }
        if done.went_wild {
            self.merge_events(c);
        }
        let ev = self.event_for(c, &syms);
        self.syms = syms;
        (b, ev)
    }

    /// The cluster of bucket `b` fitting most positions of `line` (the oldest on ties), with
    /// its score. Large buckets are searched through their index (see [`super::index`]).
    pub(super) fn best_cluster(
        &self,
        b: u32,
        line: &MaskedLine,
        known: &[Option<u32>],
        cands: &mut Vec<u32>,
    ) -> Option<(u32, usize)> {
        let bucket = &self.buckets[b as usize];
        let list: &[u32] = if bucket.clusters.len() <= SCAN_ALL {
            &bucket.clusters
        } else {
            let need = self.config.similarity * line.len() as f64;
            let keep = |c: u32, shared: usize| {
                (1 + shared + usize::from(self.open[c as usize])) as f64 >= need
            };
            let mut hits = Vec::new();
            bucket.index.candidates(known, keep, &mut hits, cands);
            cands
        };
        let mut best: Option<(u32, usize)> = None;
        for &c in list {
            let s = self.clusters[c as usize].score(line, known);
            if best.is_none_or(|(_, bs)| s > bs) {
                best = Some((c, s));
            }
        }
        best
    }

    /// Whether cluster `c`'s first slot and open slots alone could reach the threshold;
    /// refreshes the cluster's open-slot count.
    fn is_loose(&mut self, c: u32) -> bool {
        let cl = &self.clusters[c as usize];
        let open = cl.open_slots();
        let loose = (1 + open) as f64 >= self.config.similarity * cl.slots.len() as f64;
        if self.open.len() <= c as usize {
            self.open.resize(c as usize + 1, 0);
        }
        self.open[c as usize] = open.min(usize::from(u16::MAX)) as u16;
        loose
    }

    /// Adds every value of cluster `c` to its bucket's index.
    pub(super) fn index_cluster(&mut self, c: u32) {
        let cl = &self.clusters[c as usize];
        let b = cl.bucket as usize;
        for (i, s) in cl.slots.iter().enumerate().skip(1) {
            for &v in &s.values {
                self.buckets[b].index.add(i, v, c);
            }
        }
        let b = b as u32;
        if self.is_loose(c) {
            self.buckets[b as usize].index.set_loose(c);
        }
    }

    fn merge_events(&mut self, c: u32) {
        let olds = std::mem::take(&mut self.clusters[c as usize].events);
        let mut kept: Vec<u32> = Vec::with_capacity(olds.len());
        for e in olds {
            let cl = &self.clusters[c as usize];
            let same = kept.iter().copied().find(|&k| {
                cl.same_key(
                    &self.events[k as usize].tokens,
                    &self.events[e as usize].tokens,
                )
            });
            match same {
                Some(k) => {
                    let n = self.events[e as usize].count;
                    let k = self.canonical(k);
                    self.events[k as usize].count += n;
                    self.events[e as usize].count = 0;
                    self.events[e as usize].alias = k;
                }
                None => kept.push(e),
            }
        }
        self.clusters[c as usize].events = kept;
    }

    fn event_for(&mut self, c: u32, syms: &[u32]) -> u32 {
        let cl = &self.clusters[c as usize];
        if let Some(&e) = cl
            .events
            .iter()
            .find(|&&e| cl.same_key(&self.events[e as usize].tokens, syms))
        {
            return e;
        }
        let e = self.events.len() as u32;
        self.events.push(Event {
            cluster: c,
            tokens: syms.into(),
            count: 0,
            alias: e,
        });
        self.clusters[c as usize].events.push(e);
        e
    }
}

impl TemplateMiner {
    /// The template `message` belongs to, without learning from it: `None` when mining it
    /// would create a new template or change one.
    pub fn find(&self, message: &str) -> Option<super::TemplateId> {
        let mut line = MaskedLine::new();
        line.mask(message);
        let first = match line.len() {
            0 => self.names.get("")?,
            _ if line.kind(0) == Kind::Digit => DIGIT_SYM,
            _ => self.names.get(line.token(0))?,
        };
        let b = *self.bucket_index.get(&(line.len() as u32, first))?;
        let known: Vec<Option<u32>> = (0..line.len())
            .map(|i| self.names.get(line.token(i)))
            .collect();
        let best = self.best_cluster(b, &line, &known, &mut Vec::new());
        let (c, score) = best?;
        let cl = &self.clusters[c as usize];
        if score < line.len() || (score as f64) < self.config.similarity * line.len() as f64 {
            return None;
        }
        let mut syms = Vec::with_capacity(line.len());
        for (i, slot) in cl.slots.iter().enumerate() {
            if slot.wild {
                if !line.token(i).starts_with(&slot.prefix)
                    || !line.token(i).ends_with(&slot.suffix)
                {
                    return None;
                }
                syms.push(super::intern::WILD_SYM);
            } else {
                let v = known[i].filter(|v| slot.values.contains(v))?;
                syms.push(v);
            }
        }
        let e = cl
            .events
            .iter()
            .copied()
            .find(|&e| cl.same_key(&self.events[e as usize].tokens, &syms))?;
        Some(super::TemplateId(self.canonical(e) + 1))
    }
}

/// Marks a bucket's routing state as changed (see the shape cache).
fn bump(epoch: &mut u32) {
    *epoch = epoch.wrapping_add(1);
}
