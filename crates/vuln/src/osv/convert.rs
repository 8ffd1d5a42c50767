//! Raw OSV record → [`Advisory`].
//!
//! Kept: affected packages whose ecosystem is supported, their `ECOSYSTEM`
//! ranges whose event versions are valid in that ecosystem's scheme (the
//! special `introduced: "0"` and `limit: "*"` aside) and valid `versions`
//! entries. Everything dropped is reported as a warning. A record whose
//! affected packages are all dropped is refused, unless it had none to begin
//! with or is withdrawn.

use super::raw::{RawAffected, RawEvent, RawRecord};
use super::severity::{best_cvss, distro_rating, rating_in, summary_rating};
use super::{Advisory, Affected, Event, OsvError, Parsed};
use crate::ecosystem::Ecosystem;
use crate::version::{Scheme, Version};
use chrono::{DateTime, Utc};

fn time(id: &str, field: &str, s: &str) -> Result<DateTime<Utc>, OsvError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| OsvError::Record {
            id: id.to_string(),
            reason: format!("bad {field} timestamp {s:?}: {e}"),
        })
}

fn event(e: RawEvent) -> Option<Event> {
    match (e.introduced, e.fixed, e.last_affected, e.limit) {
        (Some(v), None, None, None) => Some(Event::Introduced(v)),
        (None, Some(v), None, None) => Some(Event::Fixed(v)),
        (None, None, Some(v), None) => Some(Event::LastAffected(v)),
        (None, None, None, Some(v)) => Some(Event::Limit(v)),
        _ => None,
    }
}

/// Whether the event's version is valid in `scheme`.
pub(crate) fn event_valid(scheme: Scheme, e: &Event) -> bool {
    match e {
        Event::Introduced(v) if v == "0" => true,
        Event::Limit(v) if v == "*" => true,
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
            Version::parse(scheme, v).is_ok()
        }
    }
}

fn affected(id: &str, raw: RawAffected, warnings: &mut Vec<String>) -> Option<Affected> {
    let pkg = raw.package?;
    let Ok(eco) = pkg.ecosystem.parse::<Ecosystem>() else {
        warnings.push(format!(
            "{id}: {}/{}: unsupported ecosystem",
            pkg.ecosystem, pkg.name
        ));
        return None;
    };
    let scheme = eco.scheme();
    let mut ranges = Vec::new();
    for r in raw.ranges {
        if r.kind != "ECOSYSTEM" {
            warnings.push(format!(
                "{id}: {}: {} range ignored (only distro ranges are trusted)",
                pkg.name, r.kind
            ));
            continue;
        }
        let events: Option<Vec<Event>> = r.events.into_iter().map(event).collect();
        match events {
            Some(ev) if ev.iter().all(|e| event_valid(scheme, e)) && !ev.is_empty() => {
                ranges.push(ev)
            }
            _ => warnings.push(format!(
                "{id}: {}: range with malformed or invalid events dropped",
                pkg.name
            )),
        }
    }
    let (versions, bad): (Vec<String>, Vec<String>) = raw
        .versions
        .into_iter()
        .partition(|v| Version::parse(scheme, v).is_ok());
    if !bad.is_empty() {
        warnings.push(format!(
            "{id}: {}: {} invalid listed versions dropped",
            pkg.name,
            bad.len()
        ));
    }
    if ranges.is_empty() && versions.is_empty() {
        return None;
    }
    let severity = distro_rating(&raw.severity)
        .or_else(|| rating_in(raw.ecosystem_specific.as_ref()))
        .or_else(|| rating_in(raw.database_specific.as_ref()));
    Some(Affected {
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        ranges,
        versions,
        severity,
    })
}

/// Canonical CVE id inside `s` (`CVE-2024-1234`, `UBUNTU-CVE-2024-1234`).
fn cve_in(s: &str) -> Option<String> {
    let upper = s.to_ascii_uppercase();
    let start = upper.find("CVE-")?;
    let cve = &upper[start..];
    let mut parts = cve[4..].splitn(2, '-');
    let (year, num) = (parts.next()?, parts.next()?);
    let ok = year.len() == 4
        && num.len() >= 4
        && (year.bytes().chain(num.bytes())).all(|c| c.is_ascii_digit());
    ok.then(|| cve.to_string())
}

/// Sort CVE ids by year, then number (`CVE-2026-7383` before
/// `CVE-2026-28390`), and drop duplicates.
pub(crate) fn sort_cves(cves: &mut Vec<String>) {
    let key = |c: &String| {
        let mut it = c
            .get(4..)
            .unwrap_or("")
            .splitn(2, '-')
            .map(|p| p.parse::<u64>().unwrap_or(u64::MAX));
        (it.next(), it.next(), c.clone())
    };
    cves.sort_by_cached_key(key);
    cves.dedup();
}

pub(crate) fn convert(r: RawRecord) -> Result<Parsed, OsvError> {
    let id = r.id;
    let modified = r.modified.as_deref().ok_or_else(|| OsvError::Record {
        id: id.clone(),
        reason: "missing modified".into(),
    })?;
    let modified = time(&id, "modified", modified)?;
    let published = r
        .published
        .as_deref()
        .map(|s| time(&id, "published", s))
        .transpose()?;
    let withdrawn = r
        .withdrawn
        .as_deref()
        .map(|s| time(&id, "withdrawn", s))
        .transpose()?;
    let mut warnings = Vec::new();
    let had_affected = !r.affected.is_empty();
    let record_cvss = best_cvss(&r.severity);
    let package_cvss = r
        .affected
        .iter()
        .filter_map(|a| best_cvss(&a.severity))
        .max_by(|a, b| a.score.total_cmp(&b.score));
    let cvss = record_cvss.or(package_cvss);
    let record_rating =
        distro_rating(&r.severity).or_else(|| rating_in(r.database_specific.as_ref()));
    let affected: Vec<Affected> = r
        .affected
        .into_iter()
        .filter_map(|a| affected(&id, a, &mut warnings))
        .collect();
    if had_affected && affected.is_empty() && withdrawn.is_none() {
        return Err(OsvError::Record {
            id,
            reason: "no affected package in a supported ecosystem".into(),
        });
    }
    let summary = r.summary.unwrap_or_default();
    let severity = cvss
        .as_ref()
        .map(|c| c.severity())
        .or(record_rating)
        .or_else(|| affected.iter().filter_map(|a| a.severity).max())
        .or_else(|| summary_rating(&summary))
        .unwrap_or_default();
    let mut cves: Vec<String> = r
        .aliases
        .iter()
        .chain(&r.related)
        .chain(&r.upstream)
        .chain(std::iter::once(&id))
        .filter_map(|s| cve_in(s))
        .collect();
    sort_cves(&mut cves);
    let advisory = Advisory {
        id,
        modified,
        published,
        withdrawn,
        summary,
        details: r.details.unwrap_or_default(),
        aliases: r.aliases,
        related: r.related,
        cves,
        severity,
        cvss,
        affected,
        references: r.references.into_iter().map(|x| x.url).collect(),
    };
    Ok(Parsed { advisory, warnings })
}
