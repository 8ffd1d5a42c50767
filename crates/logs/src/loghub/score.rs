//! Scores of a parse against ground truth.
//!
//! - **GA** (grouping accuracy, Zhu et al., ICSE-SEIP 2019): a message is correctly grouped
//!   when the set of messages of its predicted group equals the set of its ground-truth group;
//!   GA = correctly grouped messages / messages.
//! - **FGA** (Jiang et al., ISSTA 2024): a predicted group is correct when its message set
//!   equals a ground-truth group's; precision = correct / predicted groups, recall = correct /
//!   truth groups, FGA is their F1.
//! - **PA** (parsing accuracy, same paper): a message is correctly parsed when its predicted
//!   template equals its ground-truth template. By default both templates are first passed
//!   through [`normalize_template`]; [`PaMode::Exact`] compares the raw strings.
//!
//! Groups are keyed by `EventId` on both sides by default (Zhu et al.'s evaluator);
//! [`GroupBy::Template`] keys them by `EventTemplate` as Loghub-2.0's scripts do. Ground-truth
//! rows with an empty `EventId`/`EventTemplate` are left out. Rows are paired by `LineId`
//! when both files have it, else by position.

use std::collections::HashMap;

use crate::error::LogsError;
use crate::loghub::StructuredRow;

/// How templates are compared for PA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaMode {
    /// Compare after [`normalize_template`] on both sides.
    Normalized,
    /// Compare raw strings.
    Exact,
}

/// What defines a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    EventId,
    Template,
}

/// The three scores, each in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scores {
    pub ga: f64,
    pub fga: f64,
    pub pa: f64,
}

/// Normalises a template for PA: trims it and collapses whitespace runs to one space, then
/// repeatedly replaces `<*>.<*>` by `<*>`, then `<*><*>`, `<*>:<*>` and `<*> <*>` by `<*>`.
/// These are the consecutive-variable rules of the Loghub-2.0-era evaluation scripts
/// (`correct_template_general`): they make no judgement on what is a variable, they only
/// erase differences in how adjacent variables are written.
pub fn normalize_template(t: &str) -> String {
    let mut s = t.split_whitespace().collect::<Vec<_>>().join(" ");
    while s.contains("<*>.<*>") {
        s = s.replace("<*>.<*>", "<*>");
    }
    loop {
        let before = s.len();
        for pat in ["<*><*>", "<*>:<*>", "<*> <*>"] {
            s = s.replace(pat, "<*>");
        }
        if s.len() == before {
            return s;
        }
    }
}

fn pair<'a>(
    truth: &'a [StructuredRow],
    parsed: &'a [StructuredRow],
) -> Result<Vec<(&'a StructuredRow, &'a StructuredRow)>, LogsError> {
    let by_id =
        truth.iter().all(|r| !r.line_id.is_empty()) && parsed.iter().all(|r| !r.line_id.is_empty());
    if by_id {
        let index: HashMap<&str, &StructuredRow> =
            parsed.iter().map(|r| (r.line_id.trim(), r)).collect();
        truth
            .iter()
            .map(|t| {
                let p = index.get(t.line_id.trim()).ok_or_else(|| {
                    LogsError::Csv(format!("LineId {} missing from the parsed file", t.line_id))
                })?;
                Ok((t, *p))
            })
            .collect()
    } else if truth.len() == parsed.len() {
        Ok(truth.iter().zip(parsed).collect())
    } else {
        Err(LogsError::Csv(format!(
            "{} truth rows but {} parsed rows",
            truth.len(),
            parsed.len()
        )))
    }
}

/// Scores `parsed` against `truth`.
pub fn score(
    truth: &[StructuredRow],
    parsed: &[StructuredRow],
    group_by: GroupBy,
    mode: PaMode,
) -> Result<Scores, LogsError> {
    let pairs: Vec<_> = pair(truth, parsed)?
        .into_iter()
        .filter(|(t, _)| !t.event_id.is_empty() && !t.template.is_empty())
        .collect();
    if pairs.is_empty() {
        return Err(LogsError::Csv("no ground-truth rows to score".into()));
    }
    let key = |r: &'_ StructuredRow| -> String {
        match group_by {
            GroupBy::EventId => r.event_id.clone(),
            GroupBy::Template => r.template.clone(),
        }
    };
    let mut truth_size: HashMap<String, usize> = HashMap::new();
    let mut predicted: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for (t, p) in &pairs {
        *truth_size.entry(key(t)).or_default() += 1;
        *predicted
            .entry(key(p))
            .or_default()
            .entry(key(t))
            .or_default() += 1;
    }
    let (mut good_msgs, mut good_groups) = (0usize, 0usize);
    for members in predicted.values() {
        if members.len() == 1
            && let Some((tk, &n)) = members.iter().next()
            && truth_size.get(tk) == Some(&n)
        {
            good_msgs += n;
            good_groups += 1;
        }
    }
    let total = pairs.len() as f64;
    let precision = good_groups as f64 / predicted.len() as f64;
    let recall = good_groups as f64 / truth_size.len() as f64;
    let fga = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let good_pa = pairs
        .iter()
        .filter(|(t, p)| match mode {
            PaMode::Exact => t.template == p.template,
            PaMode::Normalized => {
                normalize_template(&t.template) == normalize_template(&p.template)
            }
        })
        .count();
    Ok(Scores {
        ga: good_msgs as f64 / total,
        fga,
        pa: good_pa as f64 / total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &[(&str, &str)]) -> Vec<StructuredRow> {
        spec.iter()
            .enumerate()
            .map(|(i, (id, t))| StructuredRow {
                line_id: (i + 1).to_string(),
                content: String::new(),
                event_id: id.to_string(),
                template: t.to_string(),
            })
            .collect()
    }

    #[test]
    fn normalisation_merges_adjacent_variables() {
        assert_eq!(normalize_template(" a  <*>.<*>:<*> <*>  b "), "a <*> b");
        assert_eq!(normalize_template("x <*>:y"), "x <*>:y");
    }

    #[test]
    fn scores_known_case() {
        let truth = rows(&[("A", "a <*>"), ("A", "a <*>"), ("B", "b"), ("C", "c <*>")]);
        let parsed = rows(&[("1", "a <*>"), ("1", "a <*>"), ("2", "b"), ("2", "c x")]);
        let s = score(&truth, &parsed, GroupBy::EventId, PaMode::Normalized).unwrap();
        assert_eq!(s.ga, 0.5);
        // One correct group of two predicted and three truth groups: P=1/2, R=1/3.
        assert!((s.fga - 0.4).abs() < 1e-12);
        assert_eq!(s.pa, 0.75);
        let shuffled: Vec<_> = parsed.iter().rev().cloned().collect();
        assert_eq!(
            score(&truth, &shuffled, GroupBy::EventId, PaMode::Exact)
                .unwrap()
                .ga,
            0.5
        );
    }

    #[test]
    fn template_keys_merge_truth_ids() {
        let truth = rows(&[("A", "x <*>"), ("B", "x <*>")]);
        let parsed = rows(&[("1", "x <*>"), ("1", "x <*>")]);
        assert_eq!(
            score(&truth, &parsed, GroupBy::EventId, PaMode::Exact)
                .unwrap()
                .ga,
            0.0
        );
        assert_eq!(
            score(&truth, &parsed, GroupBy::Template, PaMode::Exact)
                .unwrap()
                .ga,
            1.0
        );
    }
}
