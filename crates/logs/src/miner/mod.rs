//! Streaming template mining.
//!
//! [`TemplateMiner::add`] masks a message (see [`crate::mask`]), then routes it:
//! 1. the *shape cache* maps an exact masked message seen before to its event directly;
//! 2. otherwise the message goes to a *bucket* keyed by its token count and first token
//!    (or a digit marker when the first token holds digits), where the cluster with the most
//!    fitting positions takes it if at least `similarity` of its positions fit, else a new
//!    cluster starts;
//! 3. inside a cluster, an *event* (a template) is the set of messages sharing the values of
//!    every slot that is not a wildcard. When a slot turns into a wildcard, events that now
//!    share their key merge: the oldest id stays, the others become aliases of it.
//!
//! [`TemplateMiner::consolidate`] is a second pass over the templates: it merges a template
//! into a more general one whose parameter spans several of its tokens.
//!
//! Ids are never reused and an id only ever generalises, so an id keeps its meaning; the
//! state can be exported and imported with serde ([`MinerState`]).

mod cache;
mod cluster;
mod consolidate;
mod index;
mod intern;
pub mod params;
mod route;
mod state;

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::mask::MaskedLine;
use cache::{ShapeCache, hash_bytes};
use cluster::Cluster;
use intern::Interner;
pub use state::{ClusterState, EventState, MinerState, SlotState};

/// Identifier of a template. Shown as `E<n>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TemplateId(pub u32);

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{}", self.0)
    }
}

/// The miner's settings. The default is meant for every kind of log; there is no per-dataset
/// tuning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinerConfig {
    /// Share of positions that must fit a cluster for a message to join it.
    pub similarity: f64,
    /// Distinct plain words a slot must show before it becomes a parameter.
    pub enum_limit: usize,
    /// Entries of the shape cache before it is cleared.
    pub cache_limit: usize,
}

impl Default for MinerConfig {
    fn default() -> Self {
        Self {
            similarity: 0.5,
            enum_limit: 4,
            cache_limit: 1 << 16,
        }
    }
}

/// A template with its id and number of messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateInfo {
    pub id: TemplateId,
    pub template: String,
    pub count: u64,
}

#[derive(Debug, Clone)]
struct Event {
    cluster: u32,
    tokens: Box<[u32]>,
    count: u64,
    alias: u32,
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    epoch: u32,
    clusters: Vec<u32>,
    index: index::BucketIndex,
}

/// The online template miner.
#[derive(Debug, Clone)]
pub struct TemplateMiner {
    config: MinerConfig,
    names: Interner,
    bucket_index: HashMap<(u32, u32), u32>,
    buckets: Vec<Bucket>,
    clusters: Vec<Cluster>,
    /// Event `i` has id `i + 1`.
    events: Vec<Event>,
    cache: ShapeCache,
    line: MaskedLine,
    known: Vec<Option<u32>>,
    syms: Vec<u32>,
    added: Vec<(usize, u32)>,
    candidates: Vec<u32>,
    /// Open slots (see `Cluster::open_slots`) of each cluster, for candidate pruning.
    open: Vec<u16>,
}

impl Default for TemplateMiner {
    fn default() -> Self {
        Self::new(MinerConfig::default())
    }
}

impl TemplateMiner {
    /// An empty miner.
    pub fn new(config: MinerConfig) -> Self {
        Self {
            cache: ShapeCache::new(config.cache_limit.max(1)),
            config,
            names: Interner::default(),
            bucket_index: HashMap::new(),
            buckets: Vec::new(),
            clusters: Vec::new(),
            events: Vec::new(),
            line: MaskedLine::new(),
            known: Vec::new(),
            syms: Vec::new(),
            added: Vec::new(),
            candidates: Vec::new(),
            open: Vec::new(),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &MinerConfig {
        &self.config
    }

    /// Mines one message and returns the id of its template at this point.
    pub fn add(&mut self, message: &str) -> TemplateId {
        let mut line = std::mem::take(&mut self.line);
        line.mask(message);
        let id = self.add_masked(&line);
        self.line = line;
        id
    }

    fn add_masked(&mut self, line: &MaskedLine) -> TemplateId {
        let key = line.as_bytes();
        let h = hash_bytes(key);
        if let Some(e) = self.cache.get(h, key)
            && self.buckets[e.bucket as usize].epoch == e.epoch
        {
            let ev = self.canonical(e.event);
            self.events[ev as usize].count += 1;
            return TemplateId(ev + 1);
        }
        let (bucket, ev) = self.route(line);
        let epoch = self.buckets[bucket as usize].epoch;
        self.cache.insert(h, key, bucket, epoch, ev);
        let ev = self.canonical(ev);
        self.events[ev as usize].count += 1;
        TemplateId(ev + 1)
    }

    fn canonical(&self, mut e: u32) -> u32 {
        while self.events[e as usize].alias != e {
            e = self.events[e as usize].alias;
        }
        e
    }

    /// The current id of a template: itself, or the template it was merged into.
    pub fn resolve(&self, id: TemplateId) -> Option<TemplateId> {
        let i = id.0.checked_sub(1)?;
        ((i as usize) < self.events.len()).then(|| TemplateId(self.canonical(i) + 1))
    }

    /// The template text of `id` (after resolving merges), parameters written `<*>`.
    pub fn template(&self, id: TemplateId) -> Option<String> {
        let e = self.resolve(id)?.0 - 1;
        let ev = &self.events[e as usize];
        let cl = &self.clusters[ev.cluster as usize];
        let parts: Vec<String> = cl
            .slots
            .iter()
            .zip(ev.tokens.iter())
            .map(|(s, &t)| {
                if s.wild {
                    s.render()
                } else {
                    self.names.name(t).to_string()
                }
            })
            .collect();
        Some(parts.join(" "))
    }

    /// All current (canonical) templates, oldest first.
    pub fn templates(&self) -> Vec<TemplateInfo> {
        (0..self.events.len() as u32)
            .filter(|&e| self.events[e as usize].alias == e)
            .map(|e| {
                let id = TemplateId(e + 1);
                let template = self.template(id).unwrap_or_default();
                TemplateInfo {
                    id,
                    template,
                    count: self.events[e as usize].count,
                }
            })
            .collect()
    }
}
