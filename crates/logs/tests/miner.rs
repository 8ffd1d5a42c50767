//! Behaviour of the template miner on small hand-made logs.

use onestop_logs::{MinerState, TemplateId, TemplateMiner};

fn lines() -> Vec<String> {
    let mut v = Vec::new();
    let users = ["root", "alice", "bob", "carol", "dave"];
    for i in 0..40 {
        v.push(format!(
            "Failed password for {} from 10.0.0.{} port {} ssh2",
            users[i % 5],
            i,
            4000 + i
        ));
        v.push(format!(
            "cupsd {} succeeded",
            if i % 2 == 0 { "startup" } else { "shutdown" }
        ));
        v.push(format!(
            "Received block blk_{} of size {} from /10.1.2.{}",
            1_000_000 + i * 37,
            512 * i,
            i
        ));
        v.push(format!(
            "session opened for user {} by (uid={})",
            users[i % 5],
            i % 3
        ));
        v.push(format!(
            "Notification: {} (n.leader), {} (n.state)",
            i,
            ["LOOKING", "LEADING"][i % 2]
        ));
    }
    v
}

fn mine(lines: &[String]) -> (TemplateMiner, Vec<TemplateId>) {
    let mut m = TemplateMiner::default();
    let ids = lines.iter().map(|l| m.add(l)).collect();
    (m, ids)
}

fn final_template(m: &TemplateMiner, id: TemplateId) -> String {
    m.template(m.resolve(id).unwrap()).unwrap()
}

#[test]
fn natural_templates() {
    let (m, ids) = mine(&lines());
    let t = |i: usize| final_template(&m, ids[i]);
    assert_eq!(t(0), "Failed password for <*> from <*> port <*> ssh2");
    assert_eq!(t(1), "cupsd startup succeeded");
    assert_eq!(t(6), "cupsd shutdown succeeded");
    assert_eq!(t(2), "Received block <*> of size <*> from <*>");
    assert_eq!(t(3), "session opened for user <*> by (uid=<*>)");
    assert_eq!(t(4), "Notification: <*> (n.leader), LOOKING (n.state)");
    assert_eq!(t(9), "Notification: <*> (n.leader), LEADING (n.state)");
    assert_eq!(m.templates().len(), 7);
    let total: u64 = m.templates().iter().map(|t| t.count).sum();
    assert_eq!(total, 200);
}

#[test]
fn ids_keep_their_meaning() {
    let (m, ids) = mine(&lines());
    // Ids are dense and never reused; an early id resolves to the group it generalised into.
    let first = ids[0];
    assert_eq!(first, TemplateId(1));
    let canon = m.resolve(first).unwrap();
    assert_eq!(m.template(first), m.template(canon));
    for (l, id) in lines().iter().zip(&ids) {
        let t = final_template(&m, *id);
        let re = regex::escape(&t).replace(r"<\*>", ".*");
        let masked_ok = regex::Regex::new(&format!("^{re}$")).unwrap().is_match(l);
        assert!(masked_ok, "{l:?} does not fit {t:?}");
    }
    assert_eq!(
        m.parameters(ids[0], &lines()[0]),
        Some(vec!["root".to_string(), "10.0.0.0".into(), "4000".into()])
    );
    assert_eq!(m.resolve(TemplateId(0)), None);
    assert_eq!(m.resolve(TemplateId(10_000)), None);
}

#[test]
fn export_import_continues_identically() {
    let all = lines();
    let (whole, ids_whole) = mine(&all);
    let (half, mut ids) = mine(&all[..77]);
    let json = serde_json::to_string(&half.export()).unwrap();
    let state: MinerState = serde_json::from_str(&json).unwrap();
    let mut resumed = TemplateMiner::import(&state).unwrap();
    ids.extend(all[77..].iter().map(|l| resumed.add(l)));
    assert_eq!(ids, ids_whole);
    assert_eq!(resumed.templates(), whole.templates());
    assert_eq!(resumed.export(), whole.export());
}

#[test]
fn corrupt_state_is_refused() {
    let (m, _) = mine(&lines());
    let mut s = m.export();
    s.events[0].cluster = 999;
    assert!(TemplateMiner::import(&s).is_err());
    let mut s = m.export();
    let n = s.events.len() as u32;
    s.events[0].alias = n;
    assert!(TemplateMiner::import(&s).is_err());
}

#[test]
fn odd_messages() {
    let mut m = TemplateMiner::default();
    let e = m.add("");
    assert_eq!(m.template(e).unwrap(), "");
    let a = m.add("  spaced\tout  text ");
    assert_eq!(m.template(a).unwrap(), "spaced out text");
    let u = m.add("ユーザー 山田 がログインしました 3 回");
    assert_eq!(
        m.template(u).unwrap(),
        "ユーザー 山田 がログインしました <*> 回"
    );
    assert_ne!(e, a);
}

#[test]
fn find_does_not_learn() {
    let (m, ids) = mine(&lines());
    let before = m.export();
    let id = m
        .find("Failed password for zoe from 10.9.9.9 port 1 ssh2")
        .unwrap();
    assert_eq!(Some(id), m.resolve(ids[0]));
    assert_eq!(m.find("cupsd startup succeeded"), m.resolve(ids[1]));
    assert_eq!(m.find("cupsd restart succeeded"), None);
    assert_eq!(m.find("something never seen"), None);
    assert_eq!(m.export(), before);
}

#[test]
fn consolidate_merges_multi_token_values_only() {
    let mut m = TemplateMiner::default();
    let mut ids = Vec::new();
    for kv in [
        "user.name=zk",
        "os.name=Linux",
        "user.dir=/",
        "host.name=node1",
        "java.home=/jre",
    ] {
        ids.push(m.add(&format!("Server environment:{kv}")));
    }
    let long = m.add("Server environment:java.vendor=Oracle Corporation");
    for (i, user) in ["root", "git", "ftp", "news", "root", "root"]
        .iter()
        .enumerate()
    {
        m.add(&format!(
            "Failed password for {user} from 10.0.0.{i} port 22 ssh2"
        ));
    }
    for (i, user) in ["amy", "bo", "cy", "di"].iter().enumerate() {
        m.add(&format!(
            "Failed password for invalid user {user} from 10.0.0.{i} port 22 ssh2"
        ));
    }
    let before = m.templates().len();
    assert_eq!(m.consolidate(), 1);
    assert_eq!(m.templates().len(), before - 1);
    assert_eq!(m.resolve(long), m.resolve(ids[0]));
    assert_eq!(m.template(long).unwrap(), "Server environment:<*>");
    let invalid = m.add("Failed password for invalid user ed from 10.0.0.9 port 22 ssh2");
    assert_eq!(
        m.template(invalid).unwrap(),
        "Failed password for invalid user <*> from <*> port <*> ssh2"
    );
    assert_eq!(m.consolidate(), 0);
}

#[test]
fn large_buckets_still_find_old_clusters() {
    let mut m = TemplateMiner::default();
    let first = m.add("kernel: disk sda0 failed at sector 10 retry");
    // Fill the bucket (same length, same first token) with 300 unrelated messages.
    let letters = |mut n: usize| {
        let mut w = String::new();
        for _ in 0..4 {
            w.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
        }
        w
    };
    for i in 0..300usize {
        let words: Vec<String> = (0..7).map(|k| letters(i * 7 + k)).collect();
        m.add(&format!("kernel: {}", words.join(" ")));
    }
    let later: Vec<_> = ["sdb1", "sdc2", "sdd3"]
        .iter()
        .map(|d| m.add(&format!("kernel: disk {d} failed at sector 99 retry")))
        .collect();
    for id in later {
        assert_eq!(m.resolve(id), m.resolve(first));
    }
    assert_eq!(
        m.template(first).unwrap(),
        "kernel: disk <*> failed at sector <*> retry"
    );
    let (state, n) = (m.export(), m.templates().len());
    let big = state.clusters.iter().filter(|c| c.slots.len() == 8).count();
    assert!(
        big > 64,
        "the bucket must be large enough to use its index: {big}"
    );
    let mut back = TemplateMiner::import(&state).unwrap();
    let id = back.add("kernel: disk sde4 failed at sector 7 retry");
    assert_eq!(back.resolve(id), m.resolve(first));
    assert_eq!(back.templates().len(), n);
}
