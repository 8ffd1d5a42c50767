//! Export and import of the miner's state.
//!
//! The state is plain data (strings and numbers) so that the server can store it per customer
//! in any serde format. The shape cache is not part of it: it is rebuilt as messages arrive,
//! and an imported miner routes every message as the exporting one would have.

use serde::{Deserialize, Serialize};

use super::cluster::{Cluster, Slot};
use super::intern::{DIGIT_SYM, WILD_SYM};
use super::{Bucket, Event, MinerConfig, TemplateMiner};
use crate::error::LogsError;

/// Version of the exported layout.
pub const STATE_FORMAT: u32 = 1;

/// Everything a miner knows, as plain data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinerState {
    pub format: u32,
    pub config: MinerConfig,
    pub clusters: Vec<ClusterState>,
    /// Event `i` has template id `i + 1`.
    pub events: Vec<EventState>,
}

/// One cluster: its bucket key and slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterState {
    /// First token of the bucket key; `None` for the digit bucket.
    pub first: Option<String>,
    pub slots: Vec<SlotState>,
}

/// One slot of a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlotState {
    pub values: Vec<String>,
    pub varlike: bool,
    pub has_word: bool,
    pub var_shapes: u32,
    pub wild: bool,
    pub prefix: String,
    pub suffix: String,
}

/// One event (template).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventState {
    pub cluster: u32,
    /// Values of the slots; `None` where the slot was a wildcard when the event was made.
    pub tokens: Vec<Option<String>>,
    pub count: u64,
    /// Id (minus one) of the event this one was merged into, itself if canonical.
    pub alias: u32,
}

impl TemplateMiner {
    /// Exports the state.
    pub fn export(&self) -> MinerState {
        let name = |s: u32| (s != WILD_SYM).then(|| self.names.name(s).to_string());
        let mut firsts = vec![None; self.buckets.len()];
        for (&(_, first), &b) in &self.bucket_index {
            firsts[b as usize] = (first != DIGIT_SYM).then(|| self.names.name(first).to_string());
        }
        let clusters = self
            .clusters
            .iter()
            .map(|c| ClusterState {
                first: firsts[c.bucket as usize].clone(),
                slots: c
                    .slots
                    .iter()
                    .map(|s| SlotState {
                        values: s
                            .values
                            .iter()
                            .map(|&v| self.names.name(v).to_string())
                            .collect(),
                        varlike: s.varlike,
                        has_word: s.has_word,
                        var_shapes: s.var_shapes,
                        wild: s.wild,
                        prefix: s.prefix.clone(),
                        suffix: s.suffix.clone(),
                    })
                    .collect(),
            })
            .collect();
        let events = self
            .events
            .iter()
            .map(|e| EventState {
                cluster: e.cluster,
                tokens: e.tokens.iter().map(|&t| name(t)).collect(),
                count: e.count,
                alias: e.alias,
            })
            .collect();
        MinerState {
            format: STATE_FORMAT,
            config: self.config.clone(),
            clusters,
            events,
        }
    }

    /// Rebuilds a miner from exported state.
    pub fn import(state: &MinerState) -> Result<Self, LogsError> {
        if state.format != STATE_FORMAT {
            return Err(LogsError::State(format!(
                "unknown state format {}",
                state.format
            )));
        }
        let mut m = TemplateMiner::new(state.config.clone());
        for cs in &state.clusters {
            let first = match &cs.first {
                None => DIGIT_SYM,
                Some(f) => m.names.intern(f),
            };
            let next = m.buckets.len() as u32;
            let b = *m
                .bucket_index
                .entry((cs.slots.len() as u32, first))
                .or_insert(next);
            if b == next {
                m.buckets.push(Bucket::default());
            }
            let c = m.clusters.len() as u32;
            m.buckets[b as usize].clusters.push(c);
            let slots = cs
                .slots
                .iter()
                .map(|s| Slot {
                    values: s.values.iter().map(|v| m.names.intern(v)).collect(),
                    varlike: s.varlike,
                    has_word: s.has_word,
                    var_shapes: s.var_shapes,
                    wild: s.wild,
                    prefix: s.prefix.clone(),
                    suffix: s.suffix.clone(),
                })
                .collect();
            m.clusters.push(Cluster {
                bucket: b,
                slots,
                events: Vec::new(),
            });
            m.index_cluster(c);
        }
        let n = state.events.len() as u32;
        for (i, es) in state.events.iter().enumerate() {
            let bad = |what: &str| LogsError::State(format!("event {}: {what}", i + 1));
            let cl = m
                .clusters
                .get(es.cluster as usize)
                .ok_or_else(|| bad("no such cluster"))?;
            if es.alias >= n || es.tokens.len() != cl.slots.len() {
                return Err(bad("inconsistent"));
            }
            let tokens = es
                .tokens
                .iter()
                .map(|t| t.as_deref().map_or(WILD_SYM, |t| m.names.intern(t)))
                .collect();
            if es.alias == i as u32 {
                m.clusters[es.cluster as usize].events.push(i as u32);
            }
            m.events.push(Event {
                cluster: es.cluster,
                tokens,
                count: es.count,
                alias: es.alias,
            });
        }
        for i in 0..m.events.len() {
            let mut e = i as u32;
            for _ in 0..=m.events.len() {
                e = m.events[e as usize].alias;
            }
            if m.events[e as usize].alias != e {
                return Err(LogsError::State("alias cycle".into()));
            }
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_format() {
        let mut s = TemplateMiner::default().export();
        s.format = 99;
        assert!(TemplateMiner::import(&s).is_err());
    }
}
