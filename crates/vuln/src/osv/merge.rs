//! Several records with the same id (AlmaLinux repeats advisories across its
//! release folders) are one advisory. [`merge_advisories`] folds them:
//! scalar fields (times, summary, details, severity, withdrawn) come from the
//! most recently modified record, list fields are the union without
//! duplicates. [`upsert_decision`] tells a store what to do with an incoming
//! record given the `modified` time it already holds.

use super::Advisory;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What to do with an incoming advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Not stored yet: insert.
    New,
    /// Stored, and the incoming record is newer: replace.
    Updated,
    /// Stored, and the incoming record is not newer: keep what is stored.
    Unchanged,
}

/// Decide from the stored `modified` (if any) and the incoming one.
pub fn upsert_decision(stored: Option<DateTime<Utc>>, incoming: DateTime<Utc>) -> Upsert {
    match stored {
        None => Upsert::New,
        Some(s) if incoming > s => Upsert::Updated,
        Some(_) => Upsert::Unchanged,
    }
}

fn union<T: PartialEq>(into: &mut Vec<T>, from: Vec<T>) {
    for x in from {
        if !into.contains(&x) {
            into.push(x);
        }
    }
}

/// Fold `other` (same id) into `base`.
pub fn merge_into(base: &mut Advisory, mut other: Advisory) {
    if other.modified > base.modified {
        std::mem::swap(base, &mut other);
    }
    union(&mut base.affected, other.affected);
    union(&mut base.aliases, other.aliases);
    union(&mut base.related, other.related);
    union(&mut base.references, other.references);
    union(&mut base.cves, other.cves);
    super::convert::sort_cves(&mut base.cves);
}

/// Merge records sharing an id; the result is sorted by id.
pub fn merge_advisories(list: Vec<Advisory>) -> Vec<Advisory> {
    let mut by_id: HashMap<String, Advisory> = HashMap::with_capacity(list.len());
    for a in list {
        match by_id.get_mut(&a.id) {
            Some(base) => merge_into(base, a),
            None => {
                by_id.insert(a.id.clone(), a);
            }
        }
    }
    let mut out: Vec<Advisory> = by_id.into_values().collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::{Affected, Severity};

    fn adv(id: &str, modified: &str, pkg: &str, cve: &str) -> Advisory {
        Advisory {
            id: id.into(),
            modified: modified.parse().unwrap(),
            published: None,
            withdrawn: None,
            summary: format!("summary {modified}"),
            details: String::new(),
            aliases: vec![],
            related: vec![cve.into()],
            cves: vec![cve.into()],
            severity: Severity::Low,
            cvss: None,
            affected: vec![Affected {
                ecosystem: "AlmaLinux:9".into(),
                name: pkg.into(),
                ranges: vec![],
                versions: vec!["1.0-1".into()],
                severity: None,
            }],
            references: vec![],
        }
    }

    #[test]
    fn same_id_merges_newest_wins() {
        let a = adv("X-1", "2024-01-01T00:00:00Z", "foo", "CVE-2024-0002");
        let b = adv("X-1", "2024-02-01T00:00:00Z", "bar", "CVE-2024-0001");
        let c = adv("X-1", "2024-01-01T00:00:00Z", "foo", "CVE-2024-0002");
        let other = adv("A-2", "2024-01-01T00:00:00Z", "baz", "CVE-2024-0003");
        let merged = merge_advisories(vec![a, b, c, other]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].id, "A-2");
        let x = &merged[1];
        assert_eq!(x.summary, "summary 2024-02-01T00:00:00Z");
        assert_eq!(x.affected.len(), 2, "duplicates dropped, distinct kept");
        assert_eq!(x.cves, ["CVE-2024-0001", "CVE-2024-0002"]);
    }

    #[test]
    fn upsert_decisions() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            upsert_decision(None, t("2024-01-01T00:00:00Z")),
            Upsert::New
        );
        assert_eq!(
            upsert_decision(Some(t("2024-01-01T00:00:00Z")), t("2024-01-02T00:00:00Z")),
            Upsert::Updated
        );
        assert_eq!(
            upsert_decision(Some(t("2024-01-02T00:00:00Z")), t("2024-01-02T00:00:00Z")),
            Upsert::Unchanged
        );
        assert_eq!(
            upsert_decision(Some(t("2024-01-03T00:00:00Z")), t("2024-01-02T00:00:00Z")),
            Upsert::Unchanged
        );
    }
}
