//! Fresh stores for tests: a temp SQLite file, or a new PostgreSQL database.
use onestop_domain::model::Role;
use onestop_store::{Scope, Store};

pub struct Fresh {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Closures capture disjoint fields; a Drop impl makes them take the whole `Fresh`, so the
/// temp dir lives as long as the test body.
impl Drop for Fresh {
    fn drop(&mut self) {}
}

pub async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("onestop.db").display());
    Fresh {
        store: Store::open(&url).await.unwrap(),
        url,
        _dir: Some(dir),
    }
}

/// A new, empty PostgreSQL database on the server named by `ONESTOP_TEST_POSTGRES_URL`.
pub async fn postgres_url() -> Option<String> {
    use sqlx::Connection;
    let base = std::env::var("ONESTOP_TEST_POSTGRES_URL").ok()?;
    let name = format!("onestop_t_{}", uuid_like());
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("ONESTOP_TEST_POSTGRES_URL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (prefix, _) = base.rsplit_once('/').expect("URL with a database path");
    Some(format!("{prefix}/{name}"))
}

pub async fn postgres() -> Option<Fresh> {
    let url = postgres_url().await?;
    Some(Fresh {
        store: Store::open(&url).await.unwrap(),
        url,
        _dir: None,
    })
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", n, std::process::id())
}

/// Run a conformance test body on every available backend.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let f = $crate::support::sqlite().await;
                ($body)(f).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::postgres().await {
                    Some(f) => ($body)(f).await,
                    None => eprintln!("ONESTOP_TEST_POSTGRES_URL not set: PostgreSQL leg not run"),
                }
            }
        }
    };
}

/// An administrator's scope, for tests that act as staff.
pub fn staff() -> Scope {
    Scope::Staff {
        user_id: "u-admin".into(),
        username: "alice".into(),
        role: Role::Admin,
    }
}
