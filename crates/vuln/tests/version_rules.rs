//! Edge cases of each version scheme's rules, through the public API.

use onestop_vuln::{Scheme, compare};
use std::cmp::Ordering::{self, *};

// ---- deb ----
fn deb(a: &str, b: &str) -> Ordering {
    compare(Scheme::Deb, a, b).unwrap()
}

#[test]
fn deb_tilde_epoch_and_revision_rules() {
    assert_eq!(deb("1.0~rc1", "1.0"), Less);
    assert_eq!(deb("1.0~~", "1.0~"), Less);
    assert_eq!(deb("1.0~", "1.0"), Less);
    assert_eq!(deb("1:0.1", "2.0"), Greater);
    assert_eq!(deb("0:1.0", "1.0"), Equal);
    assert_eq!(deb("1.0-1", "1.0-1+b1"), Less);
    assert_eq!(deb("1.0", "1.0-0"), Equal);
    assert_eq!(deb("1.0-1", "1.0-1~bpo1"), Greater);
    assert_eq!(deb("2.30-1ubuntu1", "2.30-1"), Greater);
}

#[test]
fn deb_digits_letters_and_other_characters() {
    assert_eq!(deb("1.0", "1.00"), Equal);
    assert_eq!(deb("1.9", "1.10"), Less);
    assert_eq!(deb("1.0", "1.0.0"), Less);
    assert_eq!(deb("1.0a", "1.0"), Greater);
    assert_eq!(
        deb("1.0a", "1.0+"),
        Less,
        "letters sort before other characters"
    );
    assert_eq!(deb("1.0A", "1.0a"), Less, "uppercase sorts by ASCII");
    assert_eq!(deb("1.0.", "1.0+"), Greater, "non-letters by ASCII");
    assert_eq!(deb("3.0.11-1~deb12u2", "3.0.13-1~deb12u1"), Less);
    assert_eq!(deb("1:2.3-4", "1:2.3-4"), Equal);
    assert_eq!(
        deb("1.2-3-4", "1.2-3-5"),
        Less,
        "last hyphen splits the revision"
    );
}

#[test]
fn deb_invalid_versions_are_refused() {
    for bad in [
        "",
        "a1.0",
        "1.0-",
        ":1.0",
        "x:1.0",
        "1:",
        "1.0 1",
        "1.0_1",
        "1.0-a_b",
        "99999999999:1",
    ] {
        assert!(
            compare(Scheme::Deb, bad, "1.0").is_err(),
            "{bad:?} should be invalid"
        );
    }
    assert!(
        compare(Scheme::Deb, "1:2:3", "1").is_ok(),
        "colon allowed after an epoch"
    );
}

// ---- rpm ----
fn rpm(a: &str, b: &str) -> Ordering {
    compare(Scheme::Rpm, a, b).unwrap()
}

#[test]
fn rpm_tilde_and_caret() {
    assert_eq!(rpm("1.0~rc1", "1.0"), Less);
    assert_eq!(rpm("1.0", "1.0^post"), Less);
    assert_eq!(rpm("1.0^post", "1.0.1"), Less);
    assert_eq!(rpm("1.0~rc1", "1.0~rc2"), Less);
    assert_eq!(rpm("1.0~rc1^git1", "1.0~rc1"), Greater);
    assert_eq!(rpm("1.0^", "1.0"), Greater);
    assert_eq!(rpm("1.0a", "1.0^"), Greater);
    assert_eq!(rpm("1.0~", "1.0"), Less);
}

#[test]
fn rpm_segments_separators_and_zeros() {
    assert_eq!(rpm("1.0a", "1.0.a"), Equal);
    assert_eq!(rpm("1.0", "1.0."), Equal);
    assert_eq!(rpm("1_0", "1.0"), Equal);
    assert_eq!(rpm("1.01", "1.1"), Equal);
    assert_eq!(rpm("1.001", "1.01"), Equal);
    assert_eq!(rpm("1.10", "1.9"), Greater);
    assert_eq!(rpm("1.0a", "1.0"), Greater);
    assert_eq!(rpm("1.a", "1.1"), Less, "digits beat letters");
    assert_eq!(rpm("1.0", "1.0.0"), Less);
    assert_eq!(rpm("2.0b", "2.0a"), Greater);
    assert_eq!(rpm("1.0Z", "1.0a"), Less, "letters by byte order");
    assert_eq!(
        rpm("10000000000000000000001", "9"),
        Greater,
        "arbitrary length numbers"
    );
}

#[test]
fn rpm_epoch_and_release() {
    assert_eq!(rpm("1:1.0-1", "2.0-1"), Greater);
    assert_eq!(rpm("0:1.0-1", "1.0-1"), Equal);
    assert_eq!(rpm("1.0-1.el9", "1.0-1.el9_3"), Less);
    assert_eq!(rpm("5.14.0-362.8.1.el9_3", "5.14.0-362.18.1.el9_3"), Less);
    assert_eq!(rpm("1.0", "1.0-1"), Less);
    assert_eq!(rpm("1.0", "1.0-_"), Less, "any release beats none");
    assert_eq!(rpm("128.12.0-1.el10_0", "128.11.0-1.el10_0"), Greater);
}

#[test]
fn rpm_invalid_versions_are_refused() {
    for bad in [
        "", ":1", "a:1", "1:", "1.0-", "-1", "1 0", "1:2:3", "1.0/2", "1.0-é",
    ] {
        assert!(
            compare(Scheme::Rpm, bad, "1").is_err(),
            "{bad:?} should be invalid"
        );
    }
}

// ---- apk ----
fn apk(a: &str, b: &str) -> Ordering {
    compare(Scheme::Apk, a, b).unwrap()
}

#[test]
fn apk_suffix_chain() {
    let chain = [
        "1.0_alpha",
        "1.0_beta",
        "1.0_pre",
        "1.0_rc",
        "1.0",
        "1.0_cvs",
        "1.0_svn",
    ];
    let chain2 = [
        "1.0_svn", "1.0_git", "1.0_hg", "1.0_p", "1.0_p1", "1.0a", "1.0.1",
    ];
    for w in chain.windows(2).chain(chain2.windows(2)) {
        assert_eq!(apk(w[0], w[1]), Less, "{} < {}", w[0], w[1]);
        assert_eq!(apk(w[1], w[0]), Greater, "{} > {}", w[1], w[0]);
    }
    assert_eq!(apk("1.0_rc", "1.0_rc1"), Less);
    assert_eq!(apk("1.0_alpha_pre2", "1.0_alpha"), Less);
    assert_eq!(apk("1.0_p9", "1.0_p10"), Less);
}

#[test]
fn apk_revisions_letters_and_numbers() {
    assert_eq!(apk("1.0-r1", "1.0-r2"), Less);
    assert_eq!(apk("1.0-r9", "1.0-r10"), Less);
    assert_eq!(
        apk("1.0", "1.0-r0"),
        Less,
        "an explicit revision sorts after none"
    );
    assert_eq!(apk("1.0-r1", "1.0_p1"), Less);
    assert_eq!(apk("2.3.0b-r1", "2.3.0b-r2"), Less);
    assert_eq!(apk("1.7", "1.7b"), Less);
    assert_eq!(apk("1.01", "1.1"), Less, "leading zero: string order");
    assert_eq!(apk("8.2.0015", "8.2.002"), Less);
    assert_eq!(apk("1.2", "1.10"), Less);
    assert_eq!(apk("01.0", "1.0"), Equal, "first number is numeric");
    assert_eq!(apk("1.0~abc", "1.0~abd"), Less);
    assert_eq!(apk("1.0~abc-r1", "1.0~abc-r0"), Greater);
    assert_eq!(apk("3.0.3-r9", "2.0.5-r1"), Greater);
    assert_eq!(apk("20050718-r1", "3.9.8-r5"), Greater);
}

#[test]
fn apk_invalid_versions_are_refused() {
    for bad in [
        "",
        "a",
        "1.",
        "1..0",
        "1.0bc",
        "1.0A",
        "1.0_foo",
        "1.0-1",
        "1.0-r",
        "1.0-r1a",
        "1.0~",
        "1.0~xyz",
        "1.0a.1",
        "1.0-r1_p1",
        "v1.0",
        "1.0 ",
    ] {
        assert!(
            compare(Scheme::Apk, bad, "1").is_err(),
            "{bad:?} should be invalid"
        );
    }
    for good in [
        "1",
        "1.0a_p1",
        "1.0_alpha1_pre2",
        "0.1~1a2b-r3",
        "1.0_p-r1",
        "20230101",
    ] {
        assert!(
            compare(Scheme::Apk, good, "1").is_ok(),
            "{good:?} should be valid"
        );
    }
}
