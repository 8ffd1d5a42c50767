//! Routing of a masked message that missed the shape cache: bucket, cluster, event.

use super::cluster::Cluster;
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
        let mut best: Option<(u32, usize)> = None;
        for &c in &self.buckets[b as usize].clusters {
            let s = self.clusters[c as usize].score(line, &self.known);
            if best.is_none_or(|(_, bs)| s > bs) {
                best = Some((c, s));
            }
        }
        let need = self.config.similarity * line.len() as f64;
        let c = match best {
            Some((c, s)) if s as f64 >= need => c,
            _ => {
                let c = self.clusters.len() as u32;
                self.clusters.push(Cluster::new(b, line, &mut self.names));
                self.buckets[b as usize].clusters.push(c);
                bump(&mut self.buckets[b as usize].epoch);
                c
            }
        };
        let mut syms = std::mem::take(&mut self.syms);
        let cl = &mut self.clusters[c as usize];
        let done = cl.absorb(line, &mut self.names, self.config.enum_limit, &mut syms);
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
        let mut best: Option<(u32, usize)> = None;
        for &c in &self.buckets[b as usize].clusters {
            let s = self.clusters[c as usize].score(&line, &known);
            if best.is_none_or(|(_, bs)| s > bs) {
                best = Some((c, s));
            }
        }
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
