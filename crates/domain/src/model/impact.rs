//! Impact analysis: which assets depend, transitively, on a given one.
use std::collections::{HashMap, HashSet, VecDeque};

/// One relation `from → to`, read as "`from` needs `to`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactEdge {
    pub from: String,
    pub to: String,
}

/// Every asset that needs `root`, directly or through others, with its distance (1 = direct).
/// Cycles are harmless: each asset is reported once, at its shortest distance.
pub fn impacted(root: &str, edges: &[ImpactEdge]) -> Vec<(String, u32)> {
    let mut needed_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in edges {
        needed_by
            .entry(e.to.as_str())
            .or_default()
            .push(e.from.as_str());
    }
    let mut seen: HashSet<&str> = HashSet::from([root]);
    let mut queue = VecDeque::from([(root, 0u32)]);
    let mut out = Vec::new();
    while let Some((node, depth)) = queue.pop_front() {
        for &next in needed_by.get(node).map(Vec::as_slice).unwrap_or(&[]) {
            if seen.insert(next) {
                out.push((next.to_string(), depth + 1));
                queue.push_back((next, depth + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(from: &str, to: &str) -> ImpactEdge {
        ImpactEdge {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn transitive_with_cycle() {
        // app runs on vm, vm runs on host, db depends on host, host depends on app (cycle).
        let edges = [
            e("app", "vm"),
            e("vm", "host"),
            e("db", "host"),
            e("host", "app"),
        ];
        let mut got = impacted("host", &edges);
        got.sort();
        assert_eq!(
            got,
            vec![("app".into(), 2), ("db".into(), 1), ("vm".into(), 1)]
        );
        assert!(impacted("db", &edges).is_empty());
    }
}
