//! Order laws for every scheme (proptest) and, where the reference tools are
//! installed, agreement with `dpkg --compare-versions` and rpm's `vercmp`.

use onestop_vuln::{Scheme, Version, compare};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::cmp::Ordering;
use std::process::Command;

fn deb_strategy() -> impl Strategy<Value = String> {
    "([0-9]{1,2}:)?[0-9][0-9a-zA-Z.+~]{0,6}(-[0-9a-z.+~]{1,4})?"
}

fn rpm_strategy() -> impl Strategy<Value = String> {
    "([0-9]{1,2}:)?[0-9a-zA-Z._+~^]{1,7}(-[0-9a-z._+~^]{1,5})?"
}

fn apk_strategy() -> impl Strategy<Value = String> {
    "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}[a-c]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,2}){0,2}(~[0-9a-f]{1,3})?(-r[0-9]{1,2})?"
}

fn strategy(scheme: Scheme) -> BoxedStrategy<String> {
    match scheme {
        Scheme::Deb => deb_strategy().boxed(),
        Scheme::Rpm => rpm_strategy().boxed(),
        Scheme::Apk => apk_strategy().boxed(),
    }
}

fn schemes() -> impl Strategy<Value = Scheme> {
    prop_oneof![Just(Scheme::Deb), Just(Scheme::Rpm), Just(Scheme::Apk)]
}

fn triple() -> impl Strategy<Value = (Scheme, String, String, String)> {
    schemes().prop_flat_map(|s| (Just(s), strategy(s), strategy(s), strategy(s)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_versions_are_valid((scheme, a, _b, _c) in triple()) {
        prop_assert!(Version::parse(scheme, &a).is_ok(), "{} {:?}", scheme, a);
    }

    #[test]
    fn reflexive_and_antisymmetric((scheme, a, b, _c) in triple()) {
        prop_assert_eq!(compare(scheme, &a, &a).unwrap(), Ordering::Equal);
        let ab = compare(scheme, &a, &b).unwrap();
        let ba = compare(scheme, &b, &a).unwrap();
        prop_assert_eq!(ab, ba.reverse(), "{} {:?} {:?}", scheme, a, b);
    }

    #[test]
    fn transitive((scheme, a, b, c) in triple()) {
        let mut v: Vec<Version> = [a, b, c].iter().map(|s| Version::parse(scheme, s).unwrap()).collect();
        v.sort();
        prop_assert!(v[0] <= v[1] && v[1] <= v[2] && v[0] <= v[2], "{:?}", v);
        prop_assert!(v[0].cmp(&v[2]) != Ordering::Greater);
    }

    #[test]
    fn arbitrary_input_never_panics(s in "\\PC{0,12}", scheme in schemes()) {
        let _ = Version::parse(scheme, &s);
    }
}

fn sample_pairs(scheme: Scheme, n: usize) -> Vec<(String, String)> {
    let mut runner = TestRunner::deterministic();
    let s = (strategy(scheme), strategy(scheme));
    (0..n)
        .map(|_| s.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn tool_exists(path: &str) -> bool {
    std::path::Path::new(path).exists()
}

#[test]
fn agrees_with_dpkg_when_installed() {
    if !tool_exists("/usr/bin/dpkg") {
        eprintln!("dpkg not installed; skipped");
        return;
    }
    let mut pairs = sample_pairs(Scheme::Deb, 300);
    // Make some pairs share a prefix so deeper rules are reached.
    let prefixed = sample_pairs(Scheme::Deb, 200)
        .into_iter()
        .filter(|(a, b)| !a.contains(':') && !b.contains(':'));
    pairs.extend(prefixed.map(|(a, b)| (format!("1.2{a}"), format!("1.2{b}"))));
    for (a, b) in pairs {
        let ours = compare(Scheme::Deb, &a, &b).unwrap();
        let op = match ours {
            Ordering::Less => "lt",
            Ordering::Equal => "eq",
            Ordering::Greater => "gt",
        };
        let ok = Command::new("dpkg")
            .args(["--compare-versions", &a, op, &b])
            .status()
            .unwrap();
        assert!(ok.success(), "dpkg disagrees: {a} {op} {b}");
    }
}

#[test]
fn agrees_with_rpm_when_installed() {
    if !tool_exists("/usr/bin/rpm") {
        eprintln!("rpm not installed; skipped");
        return;
    }
    let pairs = sample_pairs(Scheme::Rpm, 400);
    for chunk in pairs.chunks(200) {
        let mut lua = String::from("%{lua: ");
        for (a, b) in chunk {
            lua.push_str(&format!("print(rpm.vercmp([[{a}]], [[{b}]]) .. ';') "));
        }
        lua.push('}');
        let out = Command::new("rpm").args(["--eval", &lua]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let results: Vec<&str> = text
            .split(';')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(results.len(), chunk.len(), "rpm printed {text}");
        for ((a, b), r) in chunk.iter().zip(results) {
            let theirs = r.parse::<i32>().unwrap().cmp(&0);
            assert_eq!(
                compare(Scheme::Rpm, a, b).unwrap(),
                theirs,
                "rpm disagrees on {a} vs {b}"
            );
        }
    }
}
