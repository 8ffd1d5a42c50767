//! A running `onestop serve` on a free port with its own data dir (and optional PostgreSQL).
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_onestop")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub data_dir: PathBuf,
    pub db: Vec<String>,
    pub started_in: Duration,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start on a fresh SQLite data dir.
    pub fn start() -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = Server::start_with(&dir, None);
        s._tmp = Some(tmp);
        s
    }

    /// Start on `data_dir`, or on `database_url` when given.
    pub fn start_with(data_dir: &Path, database_url: Option<&str>) -> Server {
        Server::start_on(data_dir, database_url, free_port(), &[])
    }

    /// Start on a fresh SQLite data dir with extra `ONESTOP_*` settings in the environment.
    pub fn start_env(env: &[(&str, &str)]) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let mut s = Server::start_with_env(&dir, None, env);
        s._tmp = Some(tmp);
        s
    }

    /// Like [`Server::start_with`], with extra environment variables.
    pub fn start_with_env(
        data_dir: &Path,
        database_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> Server {
        Server::start_on(data_dir, database_url, free_port(), env)
    }

    /// Start on a given port with extra `ONESTOP_*` environment settings (a restart on the
    /// same port looks like the same server to clients).
    pub fn start_on(
        data_dir: &Path,
        database_url: Option<&str>,
        port: u16,
        env: &[(&str, &str)],
    ) -> Server {
        let mut cmd = Command::new(bin());
        // The desk scheduler runs every second in tests (30 s by default).
        cmd.env("ONESTOP_DESK_TICK_SECS", "1");
        cmd.envs(env.iter().copied());
        cmd.args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data_dir);
        let mut db = vec!["--data-dir".to_string(), data_dir.display().to_string()];
        if let Some(url) = database_url {
            cmd.args(["--database-url", url]);
            db = vec!["--database-url".into(), url.into()];
        }
        let t0 = Instant::now();
        let child = cmd
            .stdout(Stdio::null())
            .stderr(match std::env::var_os("ONESTOP_TEST_SERVER_LOG") {
                Some(p) => Stdio::from(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(p)
                        .unwrap(),
                ),
                None => Stdio::null(),
            })
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let mut s = Server {
            child,
            base,
            data_dir: data_dir.into(),
            db,
            started_in: Duration::ZERO,
            _tmp: None,
        };
        loop {
            if http_status(&s.base, "/readyz") == Some(200) {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "server did not become ready"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        s.started_in = t0.elapsed();
        s
    }

    /// Run `onestop ARGS… <db args>` and return (status, stdout, stderr).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
        run_cli(args, &self.db, stdin)
    }

    /// A bearer token for `admin` made through the CLI, as an operator would.
    pub fn admin_token(&self) -> String {
        let (code, out, err) = self.cli(&["admin", "token", "create", "--username", "admin"], None);
        assert_eq!(code, 0, "{err}");
        out.trim().to_string()
    }
}

pub fn run_cli(args: &[&str], db: &[String], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(bin())
        .args(args)
        .args(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A fresh PostgreSQL database when `ONESTOP_TEST_POSTGRES_URL` is set.
pub fn postgres_url() -> Option<String> {
    let base = std::env::var("ONESTOP_TEST_POSTGRES_URL").ok()?;
    let name = format!("onestop_e2e_{}_{}", std::process::id(), free_port());
    let out = Command::new("psql")
        .arg(&base)
        .args(["-qc", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

/// `GET path` over a plain TCP connection; the status code, if the server answered.
pub fn http_status(base: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut c = std::net::TcpStream::connect(addr).ok()?;
    c.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        c,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    c.read_to_string(&mut buf).ok()?;
    buf.split_whitespace().nth(1)?.parse().ok()
}

/// A JSON API client for one bearer token: `(status, body)` from `/api/v1{path}`.
#[derive(Clone)]
pub struct Api {
    pub c: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub fn new(s: &Server, token: String) -> Api {
        Api {
            c: reqwest::Client::new(),
            base: format!("{}/api/v1", s.base),
            token,
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut r = self
            .c
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn patch(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }
}
