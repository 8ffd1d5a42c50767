//! Log shipping throughput: lines per second from a file through filters
//! and the rate-limit check into the (fsynced) spool, with positions
//! committed per batch. `cargo run --release -p onestop-agent --example logship [LINES]`

use std::io::Write;
use std::time::Instant;

use onestop_agent::logship::{LogsConfig, Tailer};
use onestop_agent::spool::{Spool, SpoolConfig};
use onestop_proto::Payload;

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).map_or(Ok(200_000), |a| a.parse())?;
    let tmp = tempfile::tempdir()?;
    let log = tmp.path().join("syslog");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&log)?);
    for i in 0..n {
        writeln!(
            f,
            "Nov 26 02:00:{:02} host sshd[{}]: Accepted publickey for user{} from 10.0.{}.{} port {} ssh2",
            i % 60,
            1000 + i % 5000,
            i % 100,
            i % 256,
            i % 200,
            40000 + i % 20000
        )?;
    }
    f.flush()?;
    drop(f);
    let mut spool = Spool::open(
        &tmp.path().join("spool"),
        SpoolConfig {
            max_bytes: 1 << 30,
            ..SpoolConfig::default()
        },
    )?;
    let cfg = LogsConfig {
        files: vec![log.to_string_lossy().into_owned()],
        journal: false,
        read_existing: true,
        rate_per_second: 0.0,
        exclude: vec!["CRON".into(), "debug[0-9]".into()],
        ..LogsConfig::default()
    };
    let mut t = Tailer::open(tmp.path(), cfg, &spool)?;
    let start = Instant::now();
    let mut batches = 0;
    while t.stats().spooled < n as u64 {
        t.poll(0);
        t.spool_with(&mut spool, 0, Payload::default())?;
        batches += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} lines in {batches} batches, {:.3} s: {:.0} lines/s, {:.1} MiB spooled",
        secs,
        n as f64 / secs,
        spool.stats().bytes as f64 / (1 << 20) as f64
    );
    Ok(())
}
