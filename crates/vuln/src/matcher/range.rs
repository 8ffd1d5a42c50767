//! Evaluation of one affected entry against an installed version, following
//! the OSV specification's algorithm: within a range, events are sorted by
//! the ecosystem's ordering (`introduced: "0"` first); `introduced` ≤ v
//! opens, `fixed` ≤ v closes, `last_affected` < v closes; a range with
//! `limit` events only applies below one of them. A version equal to a listed
//! `versions` entry is affected too. The fix reported is the first `fixed`
//! above v in the open window.

use crate::osv::Event;
use crate::version::{Scheme, Version};
use std::cmp::Ordering;

/// A range event with its version parsed; `None` stands for `"0"` / `"*"`.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    Introduced(Option<Version>),
    Fixed(Version),
    LastAffected(Version),
    Limit(Option<Version>),
}

impl Bound {
    fn sort_key(&self) -> (u8, Option<&Version>, u8) {
        match self {
            Bound::Introduced(None) => (0, None, 0),
            Bound::Introduced(Some(v)) => (1, Some(v), 0),
            Bound::LastAffected(v) => (1, Some(v), 1),
            Bound::Fixed(v) => (1, Some(v), 2),
            Bound::Limit(Some(v)) => (1, Some(v), 3),
            Bound::Limit(None) => (2, None, 3),
        }
    }
}

/// Parse and sort one range; `None` if a version does not parse.
pub(crate) fn compile_range(scheme: Scheme, events: &[Event]) -> Option<Vec<Bound>> {
    let p = |v: &str| Version::parse(scheme, v).ok();
    let mut out = events
        .iter()
        .map(|e| {
            Some(match e {
                Event::Introduced(v) if v == "0" => Bound::Introduced(None),
                Event::Introduced(v) => Bound::Introduced(Some(p(v)?)),
                Event::Fixed(v) => Bound::Fixed(p(v)?),
                Event::LastAffected(v) => Bound::LastAffected(p(v)?),
                Event::Limit(v) if v == "*" => Bound::Limit(None),
                Event::Limit(v) => Bound::Limit(Some(p(v)?)),
            })
        })
        .collect::<Option<Vec<Bound>>>()?;
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Some(out)
}

/// `Some(fix)` when `v` is inside the range; `fix` is `None` when no `fixed`
/// event closes the window containing `v`.
pub(crate) fn range_hit<'a>(v: &Version, range: &'a [Bound]) -> Option<Option<&'a Version>> {
    let mut limits = range.iter().filter_map(|b| match b {
        Bound::Limit(l) => Some(l),
        _ => None,
    });
    let mut any_limit = false;
    let below_limit = limits.any(|l| {
        any_limit = true;
        l.as_ref().is_none_or(|l| v < l)
    });
    if any_limit && !below_limit {
        return None;
    }
    let mut vulnerable = false;
    let mut fix = None;
    for b in range {
        match b {
            Bound::Introduced(i) if i.as_ref().is_none_or(|i| v >= i) => {
                vulnerable = true;
                fix = None;
            }
            Bound::Fixed(f) if v >= f => vulnerable = false,
            Bound::Fixed(f) if vulnerable && fix.is_none() => fix = Some(f),
            Bound::LastAffected(l) if v.cmp(l) == Ordering::Greater => vulnerable = false,
            _ => {}
        }
    }
    vulnerable.then_some(fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(events: &[Event]) -> Vec<Bound> {
        compile_range(Scheme::Rpm, events).unwrap()
    }

    fn hit(v: &str, r: &[Bound]) -> Option<Option<String>> {
        let v = Version::parse(Scheme::Rpm, v).unwrap();
        range_hit(&v, r).map(|f| f.map(|f| f.as_str().to_string()))
    }

    use Event::*;

    #[test]
    fn introduced_fixed_windows() {
        let r = range(&[
            Fixed("1.5-1".into()),
            Introduced("0".into()),
            Introduced("2.0-1".into()),
            Fixed("2.3-1".into()),
        ]);
        assert_eq!(hit("1.0-1", &r), Some(Some("1.5-1".into())));
        assert_eq!(hit("1.5-1", &r), None);
        assert_eq!(hit("1.9-1", &r), None);
        assert_eq!(hit("2.0-1", &r), Some(Some("2.3-1".into())));
        assert_eq!(hit("2.3-1", &r), None);
        assert_eq!(hit("3.0-1", &r), None);
    }

    #[test]
    fn last_affected_limit_and_unfixed() {
        let r = range(&[Introduced("0".into()), LastAffected("1.2-1".into())]);
        assert_eq!(hit("1.2-1", &r), Some(None));
        assert_eq!(hit("1.2-2", &r), None);
        let open = range(&[Introduced("1.0-1".into())]);
        assert_eq!(hit("0.9-1", &open), None);
        assert_eq!(hit("9.9-1", &open), Some(None));
        let limited = range(&[Introduced("0".into()), Limit("2.0-1".into())]);
        assert_eq!(hit("1.0-1", &limited), Some(None));
        assert_eq!(hit("2.0-1", &limited), None);
        let star = range(&[Introduced("0".into()), Limit("*".into())]);
        assert_eq!(hit("5-1", &star), Some(None));
        assert!(compile_range(Scheme::Rpm, &[Fixed("bad version".into())]).is_none());
    }
}
