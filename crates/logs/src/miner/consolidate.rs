//! Second pass: templates whose parameter spans several tokens.
//!
//! Clusters hold messages of one token count, so `Server environment:user.name=zk` and
//! `Server environment:java.vendor=Oracle Corporation` land apart. [`TemplateMiner::consolidate`]
//! merges a template E into a template F when F has a parameter slot (one that became a
//! wildcard from evidence) such that E equals F with that slot spanning several of E's tokens:
//! the tokens before and after agree exactly, the spanned text fits the slot's prefix and
//! suffix and holds no parameter slot of E (E is one long value, not a message form with
//! parameters of its own, like `Failed password for invalid user <*>` next to
//! `Failed password for <*>`), the extra tokens introduce no `key=value` field, and E is not
//! more frequent than F. E becomes an alias of F.

use std::collections::HashMap;

use super::TemplateMiner;

struct Rendered {
    id: u32,
    tokens: Vec<String>,
}

impl TemplateMiner {
    fn rendered(&self, e: u32) -> Rendered {
        let text = self.template(super::TemplateId(e + 1)).unwrap_or_default();
        Rendered {
            id: e,
            tokens: text.split(' ').map(str::to_string).collect(),
        }
    }

    /// Whether template `f` absorbs template `e` by letting one of its parameter slots span
    /// several tokens.
    fn absorbs(&self, f: &Rendered, e: &Rendered) -> bool {
        let (m, n) = (f.tokens.len(), e.tokens.len());
        if m < 2 || n <= m || self.events[e.id as usize].count > self.events[f.id as usize].count {
            return false;
        }
        let extra = n - m;
        let slots = &self.clusters[self.events[f.id as usize].cluster as usize].slots;
        let e_slots = &self.clusters[self.events[e.id as usize].cluster as usize].slots;
        (1..m).any(|j| {
            let s = &slots[j];
            let own_params = e_slots[j..=j + extra].iter().any(|s| s.wild);
            let span = &e.tokens[j..=j + extra];
            let joined = span.join(" ");
            s.wild
                && !own_params
                && f.tokens[..j] == e.tokens[..j]
                && f.tokens[j + 1..] == e.tokens[j + 1 + extra..]
                && !span[1..].iter().any(|t| t.contains('='))
                && joined.len() >= s.prefix.len() + s.suffix.len()
                && joined.starts_with(&s.prefix)
                && joined.ends_with(&s.suffix)
        })
    }

    /// Merges templates into more general ones whose parameter spans several tokens. Returns
    /// the number of templates merged away. Meant to run after a batch of messages.
    pub fn consolidate(&mut self) -> usize {
        let live: Vec<u32> = (0..self.events.len() as u32)
            .filter(|&e| self.events[e as usize].alias == e && self.events[e as usize].count > 0)
            .collect();
        // Possible absorbers, keyed by first token and by last token (`None` when their last
        // slot is the open one).
        let mut absorbers: HashMap<(String, Option<String>), Vec<Rendered>> = HashMap::new();
        for &f in &live {
            let slots = &self.clusters[self.events[f as usize].cluster as usize].slots;
            let m = slots.len();
            let inner = slots
                .iter()
                .take(m.saturating_sub(1))
                .skip(1)
                .any(|s| s.wild);
            let last = m >= 2 && slots[m - 1].wild;
            if !(inner || last) {
                continue;
            }
            let r = self.rendered(f);
            let first = r.tokens[0].clone();
            if last {
                absorbers
                    .entry((first.clone(), None))
                    .or_default()
                    .push(self.rendered(f));
            }
            if inner {
                let key = (first, r.tokens.last().cloned());
                absorbers.entry(key).or_default().push(r);
            }
        }
        if absorbers.is_empty() {
            return 0;
        }
        let mut merged = 0;
        for &e in &live {
            let r = self.rendered(e);
            let keys = [
                (r.tokens[0].clone(), None),
                (r.tokens[0].clone(), r.tokens.last().cloned()),
            ];
            let target = keys
                .iter()
                .filter_map(|k| absorbers.get(k))
                .flatten()
                .find(|f| {
                    f.id != e && self.events[f.id as usize].alias == f.id && self.absorbs(f, &r)
                })
                .map(|f| f.id);
            if let Some(f) = target {
                let n = std::mem::take(&mut self.events[e as usize].count);
                self.events[f as usize].count += n;
                self.events[e as usize].alias = f;
                merged += 1;
            }
        }
        merged
    }
}
