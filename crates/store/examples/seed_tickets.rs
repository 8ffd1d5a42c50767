//! Fill a database with N tickets (default 1,000,000) across 1,000 customers, for the desk
//! benchmarks: `cargo run --release -p onestop-store --example seed_tickets -- DB_URL [N]`.
//!
//! Customers, staff users and teams go through the store API; the tickets themselves are bulk
//! inserted with SQL in large transactions (a million audited API calls would take the
//! benchmark's whole time budget), with the same columns the store writes: queue columns, SLA
//! summary for open tickets, and the bigram search text. Most tickets are closed, as in a
//! desk's real history: 90 % closed, 3 % resolved, 7 % open.
use onestop_domain::desk::{DeskEvent, customer_tag, parse_priority, search_words};
use onestop_domain::model::Role;
use onestop_store::{CustomerInput, NewUser, Scope, Store, new_id};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sqlx::sqlite::SqlitePoolOptions;

const WORDS_EN: &[&str] = &[
    "server",
    "disk",
    "full",
    "printer",
    "offline",
    "vpn",
    "slow",
    "mail",
    "bounce",
    "backup",
    "failed",
    "switch",
    "port",
    "down",
    "password",
    "reset",
    "license",
    "renewal",
    "raid",
    "degraded",
    "memory",
    "error",
    "cpu",
    "high",
    "load",
    "database",
    "timeout",
    "certificate",
    "expired",
    "firewall",
    "rule",
    "change",
    "request",
    "new",
    "account",
    "laptop",
    "screen",
    "broken",
    "network",
    "latency",
    "ups",
    "battery",
    "replace",
    "patch",
    "kernel",
    "update",
];
const WORDS_JA: &[&str] = &[
    "障害",
    "サーバ",
    "停止",
    "ディスク",
    "容量",
    "不足",
    "プリンタ",
    "印刷",
    "できない",
    "ネットワーク",
    "遅い",
    "メール",
    "送信",
    "エラー",
    "バックアップ",
    "失敗",
    "交換",
    "パスワード",
    "リセット",
    "依頼",
    "更新",
    "証明書",
    "期限切れ",
    "電源",
    "再起動",
    "確認",
    "問い合わせ",
    "接続",
    "不可",
    "応答",
    "なし",
    "保守",
    "部品",
    "手配",
    "点検",
];
const STATUSES: &[&str] = &["new", "assigned", "in_progress", "pending"];
const LEVELS: &[&str] = &["low", "medium", "high", "critical"];
const TYPES: &[(&str, &str)] = &[
    ("incident", "INC"),
    ("service_request", "REQ"),
    ("problem", "PRB"),
    ("change", "CHG"),
];

fn phrase(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| {
            if rng.gen_bool(0.5) {
                WORDS_JA[rng.gen_range(0..WORDS_JA.len())]
            } else {
                WORDS_EN[rng.gen_range(0..WORDS_EN.len())]
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args.get(1).expect("usage: seed_tickets DB_URL [N]");
    let n: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let t0 = std::time::Instant::now();
    let store = Store::open(url).await.expect("open");
    let mut customers = vec![];
    for c in 0..1000 {
        let input = CustomerInput {
            name: Some(format!("Customer {c:04}")),
            ..Default::default()
        };
        customers.push(
            store
                .create_customer(&Scope::System, input)
                .await
                .unwrap()
                .id,
        );
    }
    let mut users = vec![];
    for u in 0..20 {
        let nu = NewUser {
            username: format!("agent{u:02}"),
            display_name: None,
            email: None,
            role: Role::Cse,
            customer_id: None,
            password: None,
            language: None,
        };
        users.push(store.create_user(&Scope::System, nu).await.unwrap().id);
    }
    let mut teams = vec![];
    for t in 0..4 {
        let team = store
            .create_team(&Scope::System, &format!("Team {t}"))
            .await
            .unwrap();
        for u in users.iter().skip(t).step_by(4) {
            store
                .add_team_member(&Scope::System, &team.id, u)
                .await
                .unwrap();
        }
        teams.push(team.id);
    }
    drop(store);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    sqlx::query("PRAGMA synchronous=OFF")
        .execute(&pool)
        .await
        .unwrap();
    // Bulk load without the per-row FTS trigger; the index is rebuilt in one pass at the end.
    sqlx::query("DROP TRIGGER ticket_fts_ai")
        .execute(&pool)
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(42);
    let now = chrono::Utc::now().timestamp_millis();
    let span = 2 * 365 * 86_400_000_i64;
    let mut counters = [0usize; 4];
    let batch = 20_000;
    let mut done = 0;
    while done < n {
        let mut tx = pool.begin().await.unwrap();
        for _ in 0..batch.min(n - done) {
            let k = rng.gen_range(0..100);
            let (kind, prefix) = TYPES[if k < 70 {
                0
            } else if k < 90 {
                1
            } else if k < 96 {
                2
            } else {
                3
            }];
            let ti = TYPES.iter().position(|t| t.0 == kind).unwrap();
            counters[ti] += 1;
            // Older tickets first, so numbers and times grow together.
            let created = now - span + (done as i64) * span / n as i64;
            let roll = rng.gen_range(0..100);
            let (status, open) = if done + 20_000 < n && roll < 90 {
                ("closed", 0)
            } else if roll < 93 {
                ("resolved", 0)
            } else {
                (STATUSES[rng.gen_range(0..STATUSES.len())], 1)
            };
            let impact = LEVELS[rng.gen_range(0..4)];
            let urgency = LEVELS[rng.gen_range(0..4)];
            let priority = LEVELS[LEVELS
                .iter()
                .position(|l| *l == impact)
                .unwrap()
                .max(LEVELS.iter().position(|l| *l == urgency).unwrap())];
            let assignee = if status == "new" {
                None
            } else {
                Some(users[rng.gen_range(0..users.len())].clone())
            };
            let team = Some(teams[rng.gen_range(0..teams.len())].clone());
            let updated = created + rng.gen_range(0..3 * 86_400_000);
            let (sla_json, sla_due, sla_state) = if open == 1 {
                let due = created
                    + [240, 480, 1440, 4320]
                        [LEVELS.iter().position(|l| *l == priority).unwrap().min(3)]
                        * 60_000;
                let state = if due < now { "breached" } else { "running" };
                (
                    format!(
                        r#"{{"resolution":{{"due":"{}","state":"{state}","used_minutes":0,"budget_minutes":480,"stopped_at":null}}}}"#,
                        chrono::DateTime::from_timestamp_millis(due)
                            .unwrap()
                            .to_rfc3339()
                    ),
                    Some(due),
                    state,
                )
            } else {
                ("{}".to_string(), None, "met")
            };
            let title = phrase(&mut rng, 3);
            let description = phrase(&mut rng, 12);
            let id = new_id();
            let customer = &customers[rng.gen_range(0..customers.len())];
            let number = format!("{prefix}-2025-{:07}", counters[ti]);
            sqlx::query("INSERT INTO tickets (id, customer_id, number, type, channel, title, description, category, impact, urgency, priority, status, pending_reason, contact_id, assignee_id, team_id, contract_id, created_by, created_at, updated_at, resolved_at, closed_at, sla_json, is_open, sla_due, sla_next, sla_state) VALUES ($1, $2, $3, $4, 'phone', $5, $6, NULL, $7, $8, $9, $10, NULL, NULL, $11, $12, NULL, 'seed', $13, $14, $15, $16, $17, $18, $19, NULL, $20)")
                .bind(&id)
                .bind(customer)
                .bind(&number)
                .bind(kind)
                .bind(&title)
                .bind(&description)
                .bind(impact)
                .bind(urgency)
                .bind(priority)
                .bind(status)
                .bind(&assignee)
                .bind(&team)
                .bind(created)
                .bind(updated)
                .bind(if open == 0 { Some(updated) } else { None })
                .bind(if status == "closed" { Some(updated) } else { None })
                .bind(&sla_json)
                .bind(open)
                .bind(sla_due)
                .bind(sla_state)
                .execute(&mut *tx)
                .await
                .unwrap();
            // Its history begins as the desk's does: the SLA engine replays it (scheduler,
            // later changes) and refuses a history without its `opened` event.
            let opened = DeskEvent::Opened {
                priority: parse_priority(priority).unwrap(),
                contract: None,
                channel: "phone".into(),
            };
            sqlx::query("INSERT INTO ticket_events (id, ticket_id, customer_id, seq, at, actor, kind, data_json) VALUES ($1, $2, $3, 1, $4, 'seed', 'opened', $5)")
                .bind(new_id())
                .bind(&id)
                .bind(customer)
                .bind(created)
                .bind(serde_json::to_string(&opened).unwrap())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("INSERT INTO ticket_text (ticket_id, customer_id, visibility, body) VALUES ($1, $2, 'public', $3)")
                .bind(&id)
                .bind(customer)
                .bind(format!(
                    "{} {}",
                    search_words(&format!("{number} {title} {description}")),
                    customer_tag(customer)
                ))
                .execute(&mut *tx)
                .await
                .unwrap();
            done += 1;
        }
        tx.commit().await.unwrap();
        eprint!("\r{done} tickets");
    }
    eprintln!("\nrebuilding the full-text index");
    sqlx::query("INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild')")
        .execute(&pool)
        .await
        .unwrap();
    // The same trigger as migration 0012.
    sqlx::query("CREATE TRIGGER ticket_fts_ai AFTER INSERT ON ticket_text BEGIN INSERT INTO ticket_fts(rowid, body) VALUES (new.rowid, new.body); END")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    eprintln!(
        "\nseeded {n} tickets in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
