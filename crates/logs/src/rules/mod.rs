//! Diagnosis rules: a severity for each event.
//!
//! An event's severity is its syslog severity, raised by the rules it matches. A rule file is
//! TOML with `[[rule]]` tables:
//!
//! ```toml
//! [[rule]]
//! id = "oom-killer"
//! app = "^kernel$"                  # optional regex on the program name
//! pattern = "Out of memory: Kill(ed)? process"   # regex on the message, or:
//! keywords = ["out of memory"]      # case-insensitive substrings, any of them
//! severity = "critical"
//! meaning = "The kernel killed a process to free memory."
//! ```
//!
//! A rule needs `pattern` or `keywords` (or both: then both must match). [`RuleSet::builtin`]
//! is the default set for common Linux daemons, embedded from `default_rules.toml`.

use regex::{Regex, RegexSet};
use serde::Deserialize;

use crate::error::LogsError;
use crate::syslog::{Severity, SyslogMessage};

const BUILTIN: &str = include_str!("default_rules.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    pattern: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
    severity: Severity,
    meaning: String,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub meaning: String,
    app: Option<Regex>,
    keywords: Vec<String>,
}

/// What the rules say about one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// The most severe of the syslog severity and the matched rules' severities;
    /// `Informational` when there is neither.
    pub severity: Severity,
    /// Ids of the matched rules, in file order.
    pub rules: Vec<String>,
    /// The meaning of the most severe matched rule.
    pub meaning: Option<String>,
}

/// A compiled set of rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Index `i` holds rule `i`'s pattern, or a pattern matching anything.
    patterns: RegexSet,
}

impl RuleSet {
    /// Compiles a TOML rule file.
    pub fn from_toml(text: &str) -> Result<Self, LogsError> {
        let file: RuleFile = toml::from_str(text).map_err(|e| LogsError::Rules(e.to_string()))?;
        let mut rules = Vec::new();
        let mut patterns = Vec::new();
        for spec in file.rule {
            let bad = |what: String| LogsError::Rules(format!("rule {}: {what}", spec.id));
            if spec.pattern.is_none() && spec.keywords.is_empty() {
                return Err(bad("needs a pattern or keywords".into()));
            }
            if rules.iter().any(|r: &Rule| r.id == spec.id) {
                return Err(bad("duplicate id".into()));
            }
            let pattern = spec.pattern.clone().unwrap_or_else(|| "(?s:)".into());
            Regex::new(&pattern).map_err(|e| bad(e.to_string()))?;
            patterns.push(pattern);
            let app = spec
                .app
                .as_deref()
                .map(Regex::new)
                .transpose()
                .map_err(|e| bad(e.to_string()))?;
            rules.push(Rule {
                id: spec.id,
                severity: spec.severity,
                meaning: spec.meaning,
                app,
                keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
            });
        }
        let patterns = RegexSet::new(&patterns).map_err(|e| LogsError::Rules(e.to_string()))?;
        Ok(Self { rules, patterns })
    }

    /// The built-in rules for common Linux daemons.
    pub fn builtin() -> Result<Self, LogsError> {
        Self::from_toml(BUILTIN)
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules matching a message from program `app`.
    pub fn matching<'a>(&'a self, app: Option<&str>, message: &str) -> Vec<&'a Rule> {
        let mut lower: Option<String> = None;
        self.patterns
            .matches(message)
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|r| {
                r.app
                    .as_ref()
                    .is_none_or(|re| app.is_some_and(|a| re.is_match(a)))
            })
            .filter(|r| {
                r.keywords.is_empty() || {
                    let l = lower.get_or_insert_with(|| message.to_lowercase());
                    r.keywords.iter().any(|k| l.contains(k.as_str()))
                }
            })
            .collect()
    }

    /// Diagnoses a decoded syslog message.
    pub fn diagnose_syslog(&self, m: &SyslogMessage) -> Diagnosis {
        self.diagnose(m.severity, m.app_name.as_deref(), &m.message)
    }

    /// Diagnoses one event.
    pub fn diagnose(
        &self,
        syslog: Option<Severity>,
        app: Option<&str>,
        message: &str,
    ) -> Diagnosis {
        let hits = self.matching(app, message);
        let top = hits.iter().min_by_key(|r| r.severity);
        let mut severity = syslog.unwrap_or(Severity::Informational);
        if let Some(r) = top {
            severity = severity.min(r.severity);
        }
        Diagnosis {
            severity,
            rules: hits.iter().map(|r| r.id.clone()).collect(),
            meaning: top.map(|r| r.meaning.clone()),
        }
    }
}

#[cfg(test)]
mod tests;
