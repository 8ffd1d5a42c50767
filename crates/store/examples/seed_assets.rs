//! Fill a database with CUSTOMERS customers of ASSETS_PER assets each, for benchmarks:
//! `cargo run --release -p onestop-store --example seed_assets -- DB_URL [CUSTOMERS] [ASSETS_PER]`.
//! Goes through the real store API (validation, audit entries), one CSV import per customer.
use onestop_store::{CustomerInput, Scope, Store};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: seed_assets DB_URL [CUSTOMERS] [ASSETS_PER]");
    let customers: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let per: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    let store = Store::open(url).await.expect("open");
    let kinds = [
        "server",
        "network_device",
        "storage",
        "software",
        "service",
        "other",
    ];
    let crit = ["low", "medium", "high", "critical"];
    let t0 = std::time::Instant::now();
    for c in 0..customers {
        let input = CustomerInput {
            name: Some(format!("Customer {c:04}")),
            code: Some(format!("C{c:04}")),
            ..Default::default()
        };
        let cust = store
            .create_customer(&Scope::System, input)
            .await
            .expect("customer");
        let mut csv = String::from("name,kind,serial,ip_addresses,criticality,warranty_expiry\n");
        for a in 0..per {
            let n = c * per + a;
            csv.push_str(&format!(
                "host-{n:06},{},SN{n:08},10.{}.{}.{},{},20{}-{:02}-15\n",
                kinds[n % kinds.len()],
                (n >> 16) & 255,
                (n >> 8) & 255,
                n & 255,
                crit[n % crit.len()],
                27 + n % 3,
                1 + n % 12
            ));
        }
        store
            .import_assets_csv(&Scope::System, &cust.id, &csv)
            .await
            .expect("import")
            .expect("valid rows");
    }
    eprintln!(
        "seeded {customers} customers × {per} assets in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
