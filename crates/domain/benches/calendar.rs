//! Benchmarks of business-calendar arithmetic.
//!
//! Each iteration handles a batch of 1,000 different start instants spread
//! over 2026, so the figures are per operation (elements per second).

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onestop_domain::calendar::Calendar;

const BATCH: usize = 1_000;

fn office(zone: &str, holidays: &str) -> Calendar {
    let text = format!(
        r#"
timezone = "{zone}"
holidays = "{holidays}"
closed = ["2026-08-13..2026-08-14", "2026-12-29..2027-01-03"]
[hours]
mon = ["09:00-18:00"]
tue = ["09:00-18:00"]
wed = ["09:00-18:00"]
thu = ["09:00-18:00"]
fri = ["09:00-18:00"]
"#
    );
    Calendar::from_toml(&text).expect("valid calendar")
}

/// 1,000 instants, about 8.7 hours apart, through 2026.
fn starts() -> Vec<DateTime<Utc>> {
    let base = DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z")
        .expect("instant")
        .with_timezone(&Utc);
    (0..BATCH)
        .map(|i| base + Duration::minutes(523 * i as i64))
        .collect()
}

fn bench(c: &mut Criterion) {
    let starts = starts();
    let mut group = c.benchmark_group("calendar");
    group.throughput(Throughput::Elements(BATCH as u64));
    for (name, cal) in [
        ("tokyo_jp", office("Asia/Tokyo", "jp")),
        ("new_york", office("America/New_York", "none")),
    ] {
        // 2,400 business minutes: four and a half working days out.
        group.bench_function(format!("deadline_2400m/{name}"), |b| {
            b.iter(|| {
                for s in &starts {
                    black_box(cal.add_business_minutes(black_box(*s), 2_400).ok());
                }
            })
        });
        group.bench_function(format!("elapsed_7d/{name}"), |b| {
            b.iter(|| {
                for s in &starts {
                    black_box(cal.business_minutes_between(black_box(*s), *s + Duration::days(7)));
                }
            })
        });
        group.bench_function(format!("close_of_business_5/{name}"), |b| {
            b.iter(|| {
                for s in &starts {
                    black_box(cal.close_of_business(black_box(*s), 5).ok());
                }
            })
        });
        group.bench_function(format!("is_open/{name}"), |b| {
            b.iter(|| {
                for s in &starts {
                    black_box(cal.is_open(black_box(*s)));
                }
            })
        });
    }
    group.finish();
    // One-off costs: parsing a file, and the first operation of a DST zone
    // (which builds its table of offset changes).
    let mut setup = c.benchmark_group("calendar_setup");
    setup.throughput(Throughput::Elements(1));
    setup.bench_function("parse/tokyo_jp", |b| {
        b.iter(|| black_box(office("Asia/Tokyo", "jp")))
    });
    setup.bench_function("parse_and_first_deadline/new_york", |b| {
        b.iter(|| {
            black_box(
                office("America/New_York", "none")
                    .add_business_minutes(starts[0], 60)
                    .ok(),
            )
        })
    });
    setup.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
