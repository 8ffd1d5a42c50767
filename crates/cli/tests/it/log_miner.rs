//! One miner per database, end to end: two `onestop serve` processes on one database
//! (PostgreSQL when `ONESTOP_TEST_POSTGRES_URL` is set, else one SQLite file) each receive
//! half of an interleaved syslog stream over TCP. Every line is stored once, every line of a
//! kind carries the same template id whichever server received it, and the findings (a rule
//! error, new templates) are raised as events once, not once per line.
use crate::support::{Api, Server, free_port, postgres_url};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const KINDS: [&str; 5] = [
    "Accepted publickey for alice from 10.0.0.{i} port {p} ssh2",
    "session opened for user root by (uid={p})",
    "Connection closed by 192.0.2.{i} port {p} [preauth]",
    "Started Session {p} of user bob.",
    "Out of memory: Killed process {p} (java) total-vm:{i}kB",
];

/// Line `i`: its kind and an RFC 5424 frame whose text no other line has.
fn line(i: usize) -> (usize, String) {
    let k = i % KINDS.len();
    let text = KINDS[k]
        .replace("{i}", &(i % 250 + 1).to_string())
        .replace("{p}", &(20_000 + i).to_string());
    (
        k,
        format!("<30>1 2026-11-26T00:00:00.000Z web1 app - - - {text}\n"),
    )
}

/// SQL against the shared database: psql for PostgreSQL, the sqlite3 shell for SQLite.
fn sql(s: &Server, query: &str) -> String {
    let out = match s.db[0].as_str() {
        "--database-url" => Command::new("psql")
            .arg(&s.db[1])
            .args(["-Atc", query])
            .output(),
        _ => Command::new("sqlite3")
            .arg(s.data_dir.join("onestop.db"))
            .arg(query)
            .output(),
    }
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn two_servers_share_one_miner() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let url = postgres_url();
    let (ta, tb) = (free_port(), free_port());
    let (ea, eb) = (format!("127.0.0.1:{ta}"), format!("127.0.0.1:{tb}"));
    let a = Server::start_with_env(&dir, url.as_deref(), &[("ONESTOP_SYSLOG_TCP", &ea)]);
    let b = Server::start_with_env(&dir, url.as_deref(), &[("ONESTOP_SYSLOG_TCP", &eb)]);
    let api = Api::new(&a, a.admin_token());
    let (_, cust) = api
        .post("/customers", serde_json::json!({"name": "Acme"}))
        .await;
    let cid = cust["id"].as_str().unwrap().to_string();
    let (st, host) = api
        .post(
            &format!("/customers/{cid}/assets"),
            serde_json::json!({"name": "web1", "kind": "server", "ip_addresses": "127.0.0.1"}),
        )
        .await;
    assert_eq!(st, 201, "{host}");
    let hid = host["id"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(2500)).await; // the routers' register check

    // Interleaved: even lines to A, odd lines to B, in small bursts on both at once.
    const N: usize = 1000;
    let mut conns = [
        std::net::TcpStream::connect(&ea).unwrap(),
        std::net::TcpStream::connect(&eb).unwrap(),
    ];
    for burst in (0..N).collect::<Vec<_>>().chunks(50) {
        for &i in burst {
            conns[i % 2].write_all(line(i).1.as_bytes()).unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(conns);

    // Everything stored once and mined (no template 0 left), whichever server received it.
    let t0 = Instant::now();
    let items = loop {
        let (st, v) = api.get(&format!("/logs?host={hid}&limit=1000")).await;
        assert_eq!(st, 200, "{v}");
        let items = v["items"].as_array().unwrap().clone();
        let mined = items.iter().all(|m| m["template_id"] != "E0");
        if items.len() >= N && mined {
            break items;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "{} of {N} stored, all mined: {mined}",
            items.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(items.len(), N);
    let texts: HashSet<&str> = items
        .iter()
        .map(|m| m["message"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), N, "a line stored twice");
    let mut ids: HashMap<usize, HashSet<String>> = HashMap::new();
    for i in 0..N {
        let (k, l) = line(i);
        let text = l.rsplit_once(" - - ").unwrap().1.trim();
        let m = items.iter().find(|m| m["message"] == text).expect(text);
        ids.entry(k)
            .or_default()
            .insert(m["template_id"].as_str().unwrap().into());
    }
    for (k, set) in &ids {
        assert_eq!(set.len(), 1, "kind {k} got ids {set:?}");
    }
    let distinct: HashSet<_> = ids.values().flatten().collect();
    assert_eq!(distinct.len(), KINDS.len(), "{ids:?}");
    let stored: usize = sql(&a, "SELECT COUNT(*) FROM log_messages")
        .parse()
        .unwrap();
    assert_eq!(stored, N);
    let templates: usize = sql(&a, "SELECT COUNT(*) FROM log_templates")
        .parse()
        .unwrap();
    assert_eq!(templates, KINDS.len());

    // Findings as events: the OOM rule once for the hour, each new template once.
    let kinds = sql(
        &b,
        "SELECT kind || ' ' || severity FROM monitor_events WHERE source = 'log' ORDER BY kind",
    );
    let kinds: Vec<&str> = kinds.lines().collect();
    assert_eq!(kinds.len(), KINDS.len() + 1, "{kinds:?}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| k.starts_with('E') && k.ends_with(" info"))
            .count(),
        KINDS.len()
    );
    assert!(kinds.contains(&"oom-killer critical"), "{kinds:?}");
    let detail = sql(
        &a,
        "SELECT detail FROM monitor_events WHERE kind = 'oom-killer'",
    );
    let d: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(d["host"], "web1");
    assert!(
        d["example"].as_str().unwrap().starts_with("Out of memory"),
        "{d}"
    );
    // The link target finds the lines around it.
    let api_path = d["api"].as_str().unwrap().trim_start_matches("/api/v1");
    let (st, around) = api.get(api_path).await;
    assert_eq!(st, 200, "{around}");
    assert!(!around["items"].as_array().unwrap().is_empty(), "{around}");
    drop(b);
}
