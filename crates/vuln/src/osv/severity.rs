//! Normalised severity and where it comes from.
//!
//! Order of sources (first that yields a level wins):
//! 1. a CVSS v4 or v3 vector in `severity` (record level, else the highest of
//!    the per-package ones), scored with the `cvss` crate;
//! 2. a distribution rating: a `severity` entry of type `Ubuntu`, or a
//!    `severity`/`priority`/`urgency` word in the record's
//!    `database_specific` or any package's `ecosystem_specific` /
//!    `database_specific` (highest wins);
//! 3. the summary prefix Red Hat style advisories (AlmaLinux) use:
//!    `Critical:`, `Important:`, `Moderate:`, `Low:`;
//! 4. otherwise `unknown`.
//!
//! Words map as: critical → critical; high, important → high; medium,
//! moderate → medium; low, negligible, unimportant → low. A CVSS score maps by
//! the CVSS rating scale (0.0 counts as low).

use super::raw::RawSeverity;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Normalised severity level; orders from unknown to critical.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No rating found.
    #[default]
    Unknown,
    /// Low.
    Low,
    /// Medium (Red Hat "Moderate").
    Medium,
    /// High (Red Hat "Important").
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// `unknown`, `low`, `medium`, `high` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Map a rating word (any case, trailing punctuation ignored).
    pub fn from_word(word: &str) -> Option<Severity> {
        let w: String = word
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match w.as_str() {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "negligible" | "unimportant" => Severity::Low,
            _ => return None,
        })
    }

    fn from_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            _ => Severity::Low,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scored CVSS vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// The vector string as given.
    pub vector: String,
    /// Base score (0.0 to 10.0).
    pub score: f64,
}

impl CvssScore {
    /// The rating of this score.
    pub fn severity(&self) -> Severity {
        Severity::from_score(self.score)
    }
}

/// The best CVSS vector in `entries`: v4 before v3, then the higher score.
pub(crate) fn best_cvss(entries: &[RawSeverity]) -> Option<CvssScore> {
    let rank = |kind: &str| match kind {
        "CVSS_V4" => Some(2),
        "CVSS_V3" => Some(1),
        _ => None,
    };
    entries
        .iter()
        .filter_map(|e| {
            let r = rank(&e.kind)?;
            let parsed: cvss::Cvss = e.score.parse().ok()?;
            Some((
                r,
                CvssScore {
                    vector: e.score.clone(),
                    score: parsed.score(),
                },
            ))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(a.1.score.total_cmp(&b.1.score)))
        .map(|(_, c)| c)
}

/// A distribution rating in `severity` entries of type `Ubuntu`.
pub(crate) fn distro_rating(entries: &[RawSeverity]) -> Option<Severity> {
    entries
        .iter()
        .filter(|e| e.kind == "Ubuntu")
        .filter_map(|e| Severity::from_word(&e.score))
        .max()
}

/// A rating word under `severity`, `priority` or `urgency` in a JSON object.
pub(crate) fn rating_in(value: Option<&Value>) -> Option<Severity> {
    let obj = value?.as_object()?;
    ["severity", "priority", "urgency"]
        .iter()
        .filter_map(|k| obj.get(*k)?.as_str())
        .filter_map(Severity::from_word)
        .max()
}

/// `Important: openssl security update` → high.
pub(crate) fn summary_rating(summary: &str) -> Option<Severity> {
    let (word, _) = summary.split_once(':')?;
    match word.trim() {
        "Critical" | "Important" | "Moderate" | "Low" => Severity::from_word(word),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sev(kind: &str, score: &str) -> RawSeverity {
        RawSeverity {
            kind: kind.into(),
            score: score.into(),
        }
    }

    #[test]
    fn cvss_v3_and_v4_are_scored() {
        let v3 = best_cvss(&[sev(
            "CVSS_V3",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        )])
        .unwrap();
        assert_eq!(v3.score, 9.8);
        assert_eq!(v3.severity(), Severity::Critical);
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let both = best_cvss(&[
            sev("CVSS_V3", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
            sev("CVSS_V4", v4),
        ]);
        assert_eq!(both.unwrap().vector, v4, "v4 preferred");
        assert!(best_cvss(&[sev("CVSS_V3", "garbage")]).is_none());
    }

    #[test]
    fn words_and_prefixes() {
        assert_eq!(Severity::from_word("Important"), Some(Severity::High));
        assert_eq!(Severity::from_word("low**"), Some(Severity::Low));
        assert_eq!(Severity::from_word("not yet assigned"), None);
        assert_eq!(
            summary_rating("Moderate: curl security update"),
            Some(Severity::Medium)
        );
        assert_eq!(summary_rating("container-tools: bug fix"), None);
        let v: Value = serde_json::json!({"urgency": "high", "other": 1});
        assert_eq!(rating_in(Some(&v)), Some(Severity::High));
        assert_eq!(
            distro_rating(&[sev("Ubuntu", "medium")]),
            Some(Severity::Medium)
        );
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Unknown);
    }
}
