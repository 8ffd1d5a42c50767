//! Template miners per customer (and one for the unrouted stream), loaded from and saved to
//! the store so that template ids survive restarts and never change meaning.
//!
//! A template first returned by a miner is written with the messages that carry it, and
//! the miner state that knows it is saved in the same transaction: after a crash the
//! restored miner knows every id a stored message refers to. Generalisations and merges
//! (which never change an id's meaning) are saved at the periodic checkpoint.
use onestop_logs::{MinerState, TemplateId, TemplateMiner};
use onestop_store::Store;
use onestop_store::logs::{NewLogTemplate, TemplateUpdate, scope_key};
use std::collections::HashMap;

struct ScopeMiner {
    customer: Option<String>,
    miner: TemplateMiner,
    /// Per template number: the (canonical number, text) last written to the store.
    written: HashMap<u32, (u32, String)>,
    /// Templates new since the last save of the state.
    new_since_save: bool,
    /// Messages mined since the last save of the state.
    dirty: bool,
}

/// (scope key, serialized miner state) pairs.
pub type States = Vec<(String, String)>;

/// All miners of the ingest task.
#[derive(Default)]
pub struct Miners {
    scopes: HashMap<String, ScopeMiner>,
}

impl Miners {
    async fn scope(
        &mut self,
        store: &Store,
        customer: Option<&str>,
    ) -> anyhow::Result<&mut ScopeMiner> {
        let key = scope_key(customer);
        if !self.scopes.contains_key(&key) {
            let miner = match store.load_miner_state(&key).await? {
                Some(json) => {
                    let state: MinerState = serde_json::from_str(&json)?;
                    TemplateMiner::import(&state)?
                }
                None => TemplateMiner::default(),
            };
            let mut written = HashMap::new();
            for (id, canonical, text) in store.log_template_rows(&key).await? {
                written.insert(id as u32, (canonical as u32, text));
            }
            self.scopes.insert(
                key.clone(),
                ScopeMiner {
                    customer: customer.map(str::to_string),
                    miner,
                    written,
                    new_since_save: false,
                    dirty: false,
                },
            );
        }
        Ok(self.scopes.get_mut(&key).expect("inserted above"))
    }

    /// Mine `message` for `customer`; a template seen for the first time is pushed to `new`
    /// (and is the second value).
    pub async fn mine(
        &mut self,
        store: &Store,
        customer: Option<&str>,
        message: &str,
        at: i64,
        new: &mut Vec<NewLogTemplate>,
    ) -> anyhow::Result<(u32, bool)> {
        let s = self.scope(store, customer).await?;
        let TemplateId(id) = s.miner.add(message);
        s.dirty = true;
        if !s.written.contains_key(&id) {
            let text = s.miner.template(TemplateId(id)).unwrap_or_default();
            new.push(NewLogTemplate {
                customer_id: s.customer.clone(),
                template_id: i64::from(id),
                template: text.clone(),
                first_seen: at,
            });
            s.written.insert(id, (id, text));
            s.new_since_save = true;
            return Ok((id, true));
        }
        Ok((id, false))
    }

    /// States of the miners that made new templates since their last save (to be written
    /// with the batch that introduced them).
    pub fn states_with_new_templates(&mut self) -> anyhow::Result<States> {
        let mut out = Vec::new();
        for (key, s) in &mut self.scopes {
            if s.new_since_save {
                out.push((key.clone(), serde_json::to_string(&s.miner.export())?));
                s.new_since_save = false;
            }
        }
        Ok(out)
    }

    /// Everything changed since the last checkpoint: states, and templates whose text or
    /// canonical id changed.
    pub fn checkpoint(&mut self) -> anyhow::Result<(States, Vec<TemplateUpdate>)> {
        let mut states = Vec::new();
        let mut updates = Vec::new();
        for (key, s) in &mut self.scopes {
            if !s.dirty && !s.new_since_save {
                continue;
            }
            for (&id, written) in s.written.iter_mut() {
                let canonical = s.miner.resolve(TemplateId(id)).map_or(id, |t| t.0);
                let text = s.miner.template(TemplateId(id)).unwrap_or_default();
                if written.0 != canonical || written.1 != text {
                    *written = (canonical, text.clone());
                    updates.push(TemplateUpdate {
                        customer_id: s.customer.clone(),
                        template_id: i64::from(id),
                        canonical_id: i64::from(canonical),
                        template: text,
                    });
                }
            }
            states.push((key.clone(), serde_json::to_string(&s.miner.export())?));
            s.dirty = false;
            s.new_since_save = false;
        }
        Ok((states, updates))
    }
}
