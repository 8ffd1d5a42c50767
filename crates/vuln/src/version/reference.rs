//! Direct implementations of the three orderings, written after the
//! reference tools' comparison loops. Test-only: they check that the byte
//! keys [`super::Version`] compares give the same order.

use super::apk::{Kind, NO_SUFFIX, Token, Tokens};
use super::rpm::{Seg, next_seg};
use super::{cmp_digits, digit_run};
use std::cmp::Ordering;

/// Weight of one character of a non-digit run; `None` is the end of the run.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's ordering of one upstream version or one revision.
pub fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        loop {
            let ca = a.get(i).copied().filter(|c| !c.is_ascii_digit());
            let cb = b.get(j).copied().filter(|c| !c.is_ascii_digit());
            if ca.is_none() && cb.is_none() {
                break;
            }
            let (wa, wb) = (weight(ca), weight(cb));
            if wa != wb {
                return wa.cmp(&wb);
            }
            // Equal weights with at least one character present means both
            // sides hold the same character.
            i += 1;
            j += 1;
        }
        let na = digit_run(&a[i..]);
        let nb = digit_run(&b[j..]);
        let ord = cmp_digits(&a[i..i + na], &b[j..j + nb]);
        if ord != Ordering::Equal {
            return ord;
        }
        i += na;
        j += nb;
    }
    Ordering::Equal
}

/// Rank of a segment kind: `~` < end < `^` < letters < digits.
fn rank(s: &Seg<'_>) -> u8 {
    match s {
        Seg::Tilde => 0,
        Seg::End => 1,
        Seg::Caret => 2,
        Seg::Alpha(_) => 3,
        Seg::Num(_) => 4,
    }
}

/// Compare releases; an absent (empty) release sorts before a present one.
pub fn release_cmp(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => rpmvercmp(a, b),
        (x, y) => y.cmp(&x),
    }
}

/// rpm's ordering of one version or release string.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        let (x, y) = (next_seg(a, &mut i), next_seg(b, &mut j));
        let ord = match (x, y) {
            (Seg::End, Seg::End) => return Ordering::Equal,
            (Seg::Alpha(p), Seg::Alpha(q)) => p.cmp(q),
            (Seg::Num(p), Seg::Num(q)) => cmp_digits(p, q),
            _ => rank(&x).cmp(&rank(&y)),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

fn cmp_same_kind(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.text[0] == b'0' || b.text[0] == b'0' => a.text.cmp(b.text),
        Kind::Initial | Kind::Digit | Kind::SuffixNo | Kind::Revision => cmp_digits(a.text, b.text),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::Letter | Kind::Hash | Kind::End => a.text.cmp(b.text),
    }
}

/// Compare two strings that [`validate`] accepted.
pub fn compare_valid(a: &str, b: &str) -> Ordering {
    let (mut ta, mut tb) = (Tokens::new(a), Tokens::new(b));
    loop {
        // Validated input: a tokenizer error cannot happen; treat it as the end.
        let end = Token {
            kind: Kind::End,
            text: &[],
            suffix: NO_SUFFIX,
        };
        let x = ta.next_token().unwrap_or(end);
        let y = tb.next_token().unwrap_or(end);
        if x.kind == y.kind {
            if x.kind == Kind::End {
                return Ordering::Equal;
            }
            match cmp_same_kind(&x, &y) {
                Ordering::Equal => continue,
                ord => return ord,
            }
        }
        if x.kind == Kind::Suffix && x.suffix < NO_SUFFIX {
            return Ordering::Less;
        }
        if y.kind == Kind::Suffix && y.suffix < NO_SUFFIX {
            return Ordering::Greater;
        }
        return y.kind.cmp(&x.kind);
    }
}

/// Full comparison of two valid versions with the direct algorithms.
pub fn reference_cmp(scheme: super::Scheme, a: &str, b: &str) -> Ordering {
    use super::{Scheme, deb, rpm};
    match scheme {
        Scheme::Deb => {
            let ((ea, ua, ra), (eb, ub, rb)) = (deb::split(a).unwrap(), deb::split(b).unwrap());
            ea.cmp(&eb)
                .then_with(|| verrevcmp(&a[ua.0..ua.1], &b[ub.0..ub.1]))
                .then_with(|| verrevcmp(&a[ra.0..ra.1], &b[rb.0..rb.1]))
        }
        Scheme::Rpm => {
            let ((ea, va, ra), (eb, vb, rb)) = (rpm::split(a).unwrap(), rpm::split(b).unwrap());
            ea.cmp(&eb)
                .then_with(|| rpmvercmp(&a[va.0..va.1], &b[vb.0..vb.1]))
                .then_with(|| release_cmp(&a[ra.0..ra.1], &b[rb.0..rb.1]))
        }
        Scheme::Apk => compare_valid(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Scheme, Version};
    use super::reference_cmp;
    use proptest::prelude::*;

    fn check(scheme: Scheme, a: &str, b: &str) -> Result<(), TestCaseError> {
        let (va, vb) = (
            Version::parse(scheme, a).unwrap(),
            Version::parse(scheme, b).unwrap(),
        );
        prop_assert_eq!(
            va.cmp(&vb),
            reference_cmp(scheme, a, b),
            "{} {:?} {:?}",
            scheme,
            a,
            b
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn deb_keys_match_reference(a in "([0-9]:)?[0-9][0-9a-cA.+~]{0,6}(-[0-9a-c.+~]{1,3}){0,2}", b in "([0-9]:)?[0-9][0-9a-cA.+~]{0,6}(-[0-9a-c.+~]{1,3}){0,2}") {
            check(Scheme::Deb, &a, &b)?;
        }

        #[test]
        fn rpm_keys_match_reference(a in "([0-9]:)?[0-9a-cZ._+~^]{1,7}(-[0-9a-c._+~^]{1,3})?", b in "([0-9]:)?[0-9a-cZ._+~^]{1,7}(-[0-9a-c._+~^]{1,3})?") {
            check(Scheme::Rpm, &a, &b)?;
        }

        #[test]
        fn apk_keys_match_reference(a in "0?[0-9](\\.0?[0-9]{1,2}){0,3}[a-b]?(_(alpha|rc|p|git)[0-9]?){0,2}(~[0-9a-f]{1,2})?(-r[0-9])?", b in "0?[0-9](\\.0?[0-9]{1,2}){0,3}[a-b]?(_(alpha|rc|p|git)[0-9]?){0,2}(~[0-9a-f]{1,2})?(-r[0-9])?") {
            check(Scheme::Apk, &a, &b)?;
        }
    }

    #[test]
    fn long_numbers_keep_their_order() {
        let n = |d: usize, lead: char| format!("{lead}{}", "0".repeat(d - 1));
        for scheme in [Scheme::Deb, Scheme::Rpm, Scheme::Apk] {
            for (a, b) in [
                (n(300, '1'), n(256, '9')),
                (n(254, '9'), n(255, '1')),
                (n(255, '1'), n(255, '2')),
            ] {
                check(scheme, &a, &b).unwrap();
                assert!(
                    Version::parse(scheme, &a).unwrap() < Version::parse(scheme, &b).unwrap()
                        || a.len() > b.len()
                );
            }
        }
    }
}
