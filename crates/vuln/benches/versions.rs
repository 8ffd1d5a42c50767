//! Version comparisons per second for each scheme (criterion):
//! `compare` (validate both strings, then compare) and `Version::cmp` on
//! versions parsed beforehand (what the matcher does with advisory bounds).
//!
//! `cargo bench -p onestop-vuln --bench versions`

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use onestop_vuln::{Scheme, Version, compare};

const DEB: &[&str] = &[
    "3.0.11-1~deb12u2",
    "3.0.13-1~deb12u1",
    "1:2.38.1-5+deb12u1",
    "2.36-9+deb12u4",
    "7.88.1-10+deb12u5",
    "1.0~rc1-1",
    "6.1.66-1",
    "2:9.0.1378-2",
];
const RPM: &[&str] = &[
    "1:3.0.7-24.el9",
    "1:3.0.7-25.el9_3",
    "5.14.0-362.8.1.el9_3",
    "5.14.0-362.18.1.el9_3",
    "128.12.0-1.el9_6.alma.1",
    "7.76.1-26.el9_3.2",
    "2.34-83.el9_3.7",
    "1.0^post1-1.fc39",
];
const APK: &[&str] = &[
    "3.1.4-r5",
    "3.1.6-r0",
    "1.2.4_git20230717-r4",
    "8.5.0-r0",
    "1.36.1-r15",
    "2.10.3_rc1-r0",
    "6.6.14-r0",
    "1.0_p1-r2",
];

fn pairs(list: &'static [&'static str]) -> Vec<(&'static str, &'static str)> {
    list.iter()
        .flat_map(|a| list.iter().map(move |b| (*a, *b)))
        .collect()
}

fn bench(c: &mut Criterion) {
    for (scheme, list) in [(Scheme::Deb, DEB), (Scheme::Rpm, RPM), (Scheme::Apk, APK)] {
        let p = pairs(list);
        let parsed: Vec<(Version, Version)> = p
            .iter()
            .map(|(a, b)| {
                (
                    Version::parse(scheme, a).unwrap(),
                    Version::parse(scheme, b).unwrap(),
                )
            })
            .collect();
        let mut g = c.benchmark_group(format!("{scheme}"));
        g.throughput(Throughput::Elements(p.len() as u64));
        g.bench_function("compare_strings", |b| {
            b.iter(|| {
                for (x, y) in &p {
                    black_box(compare(scheme, black_box(x), black_box(y)).unwrap());
                }
            })
        });
        g.bench_function("cmp_parsed", |b| {
            b.iter(|| {
                for (x, y) in &parsed {
                    black_box(black_box(x).cmp(black_box(y)));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
