//! Syslog decoding rate (messages/s) over a mix of RFC 5424, RFC 3164, Cisco and Junos lines.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onestop_logs::syslog::{DecodeContext, decode};

const MESSAGES: &[&[u8]] = &[
    b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event log entry",
    b"<34>Oct 11 22:14:15 mymachine su[2301]: 'su root' failed for lonvick on /dev/pts/8",
    b"<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)",
    b"<28>Mar 12 10:20:30 router1 mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation",
    b"<86>Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
    b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
];

fn bench(c: &mut Criterion) {
    let ctx = DecodeContext::utc(Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap());
    let mut g = c.benchmark_group("syslog");
    g.throughput(Throughput::Elements(MESSAGES.len() as u64));
    g.bench_function("decode_mix", |b| {
        b.iter(|| {
            for m in MESSAGES {
                std::hint::black_box(decode(std::hint::black_box(m), &ctx));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
