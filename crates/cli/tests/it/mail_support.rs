//! Helpers of the e-mail tests: `onestop mail ingest` with raw bytes, a customer set-up, and
//! the real mail servers (aiosmtpd writing a Maildir, dovecot with its own configuration).
use crate::support::{Api, Server, bin, free_port};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `onestop mail ingest <db>` with `raw` on stdin and extra environment: (code, stdout, stderr).
pub fn ingest(db: &[String], env: &[(&str, &str)], raw: &[u8]) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(bin())
        .args(["mail", "ingest"])
        .args(db)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(raw).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A plain-text message.
pub fn message(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: desk@provider.example\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra}\r\n{body}\r\n"
    )
    .replace("\r\n\r\n\r\n", "\r\n\r\n")
    .into_bytes()
}

/// Customers: Acme (`acme.example`, contact alice@acme.example in English), and Beta and
/// Gamma sharing `shared.example`. Returns (acme id, alice's contact id, beta id).
pub async fn customers(api: &Api) -> (String, String, String) {
    let (st, acme) = api
        .post(
            "/customers",
            json!({"name": "Acme", "domains": ["acme.example"]}),
        )
        .await;
    assert_eq!(st, 201, "{acme}");
    let acme = acme["id"].as_str().unwrap().to_string();
    let (st, alice) = api
        .post(
            &format!("/customers/{acme}/contacts"),
            json!({"name": "Alice", "email": "Alice@acme.example", "language": "en"}),
        )
        .await;
    assert_eq!(st, 201, "{alice}");
    let (_, beta) = api
        .post(
            "/customers",
            json!({"name": "Beta", "domains": ["shared.example"]}),
        )
        .await;
    let (_, _gamma) = api
        .post(
            "/customers",
            json!({"name": "Gamma", "domains": ["shared.example", "gamma.example"]}),
        )
        .await;
    (
        acme,
        alice["id"].as_str().unwrap().into(),
        beta["id"].as_str().unwrap().into(),
    )
}

/// The ticket with `number`.
pub async fn ticket_by_number(api: &Api, number: &str) -> serde_json::Value {
    let (st, page) = api.get(&format!("/tickets?q={number}")).await;
    assert_eq!(st, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["number"] == number)
        .cloned()
        .unwrap_or_else(|| panic!("no ticket {number} in {page}"))
}

pub async fn ticket_count(api: &Api) -> i64 {
    api.get("/tickets?per_page=1").await.1["total"]
        .as_i64()
        .unwrap()
}

/// aiosmtpd on loopback, storing every accepted message in a Maildir.
pub struct Smtp {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    pub fn start(dir: &Path) -> Smtp {
        let port = free_port();
        let maildir = dir.join("smtp-maildir");
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (Debian python3-aiosmtpd)");
        wait_port(port);
        Smtp {
            child,
            port,
            maildir,
        }
    }

    /// The messages received so far (raw), oldest first by file time.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<_> = std::fs::read_dir(self.maildir.join("new"))
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    /// Wait until at least `n` messages arrived.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Vec<u8>> {
        let t0 = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(
                t0.elapsed() < within,
                "SMTP server got {} of {n} messages",
                m.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Smtp {
    /// aiosmtpd with TLS and AUTH (user `desk`, password `secret`): STARTTLS required on a
    /// plain port (`implicit` false) or TLS from the first byte; the certificate is returned.
    pub fn start_tls(dir: &Path, implicit: bool) -> (Smtp, PathBuf) {
        let port = free_port();
        let maildir = dir.join(if implicit {
            "smtps-maildir"
        } else {
            "starttls-maildir"
        });
        let (cert, key) = (dir.join("smtp-cert.pem"), dir.join("smtp-key.pem"));
        let st = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
            ])
            .args([
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
        // aiosmtpd does not count SMTPS as TLS for `auth_require_tls`, so it is required only
        // with STARTTLS.
        let script = format!(
            "import ssl, time\n\
             from aiosmtpd.controller import Controller\n\
             from aiosmtpd.handlers import Mailbox\n\
             from aiosmtpd.smtp import AuthResult\n\
             ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)\n\
             ctx.load_cert_chain('{cert}', '{key}')\n\
             def auth(server, session, envelope, mechanism, data):\n\
             \x20   ok = data.login == b'desk' and data.password == b'secret'\n\
             \x20   return AuthResult(success=ok)\n\
             kw = dict(authenticator=auth, auth_required=True, auth_require_tls=not {implicit})\n\
             if {implicit}:\n\
             \x20   c = Controller(Mailbox('{maildir}'), hostname='127.0.0.1', port={port}, ssl_context=ctx, **kw)\n\
             else:\n\
             \x20   c = Controller(Mailbox('{maildir}'), hostname='127.0.0.1', port={port}, tls_context=ctx, require_starttls=True, **kw)\n\
             c.start()\n\
             while True: time.sleep(60)\n",
            cert = cert.display(),
            key = key.display(),
            maildir = maildir.display(),
            implicit = if implicit { "True" } else { "False" },
        );
        let child = Command::new("/usr/bin/python3")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_port(port);
        (
            Smtp {
                child,
                port,
                maildir,
            },
            cert,
        )
    }
}

pub fn wait_port(port: u16) {
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "port {port} never opened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Dovecot (IMAP with IMAPS and STARTTLS), its own configuration, a self-signed certificate
/// and one passwd-file user `desk` / `secret`.
pub struct Imap {
    dir: PathBuf,
    pub imaps_port: u16,
    pub imap_port: u16,
    pub cert: PathBuf,
}

impl Drop for Imap {
    fn drop(&mut self) {
        let _ = Command::new("dovecot")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .arg("stop")
            .status();
    }
}

impl Imap {
    pub fn start(dir: &Path) -> Imap {
        let dir = dir.join("dovecot");
        std::fs::create_dir_all(dir.join("home")).unwrap();
        let cert = dir.join("cert.pem");
        let st = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
            ])
            // An end-entity certificate (webpki refuses a CA certificate as the server's).
            .args([
                "-addext",
                "subjectAltName=DNS:localhost",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success());
        std::fs::write(dir.join("passwd"), "desk:{PLAIN}secret::::::\n").unwrap();
        // Dovecot will not run mail processes as root: a root test runs them as `nobody`.
        use std::os::unix::fs::MetadataExt;
        let me = std::fs::metadata("/proc/self").unwrap();
        let (uid, gid) = if me.uid() == 0 {
            std::os::unix::fs::chown(dir.join("home"), Some(65534), Some(65534)).unwrap();
            (65534, 65534)
        } else {
            (me.uid(), me.gid())
        };
        let (imap_port, imaps_port) = (free_port(), free_port());
        let d = dir.display();
        let users = if uid == 65534 {
            ""
        } else {
            "default_internal_user = $USER\ndefault_login_user = $USER\n"
        };
        let users = users.replace("$USER", &std::env::var("USER").unwrap_or_default());
        let conf = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\nauth_mechanisms = plain\ndisable_plaintext_auth = no\n\
             first_valid_uid = 0\nmail_location = maildir:{d}/home/%u/Maildir\n{users}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/home/%u\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    port = {imap_port}\n  }}\n  inet_listener imaps {{\n    port = {imaps_port}\n    ssl = yes\n  }}\n  chroot =\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(dir.join("dovecot.conf"), conf).unwrap();
        let st = Command::new("dovecot")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .status()
            .expect("dovecot (Debian dovecot-imapd)");
        assert!(st.success(), "dovecot did not start");
        wait_port(imaps_port);
        Imap {
            dir,
            imaps_port,
            imap_port,
            cert,
        }
    }

    /// Put a message into `desk`'s INBOX (unseen) with IMAP APPEND, as a delivery would.
    pub fn deliver(&self, raw: &[u8]) {
        let file = self.dir.join(format!("append-{}.eml", free_port()));
        std::fs::write(&file, raw).unwrap();
        let script = format!(
            "import imaplib, ssl, sys\nc = imaplib.IMAP4_SSL('localhost', {}, ssl_context=ssl.create_default_context(cafile='{}'))\n\
             c.login('desk', 'secret')\nt, r = c.append('INBOX', None, None, open('{}', 'rb').read())\nassert t == 'OK', r\nc.logout()\n",
            self.imaps_port,
            self.cert.display(),
            file.display()
        );
        let out = Command::new("/usr/bin/python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// How many messages in INBOX are still unseen.
    pub fn unseen(&self) -> usize {
        let script = format!(
            "import imaplib, ssl\nc = imaplib.IMAP4_SSL('localhost', {}, ssl_context=ssl.create_default_context(cafile='{}'))\n\
             c.login('desk', 'secret')\nc.select('INBOX')\nt, r = c.search(None, 'UNSEEN')\nprint(len(r[0].split()))\nc.logout()\n",
            self.imaps_port,
            self.cert.display()
        );
        let out = Command::new("/usr/bin/python3")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    /// `ONESTOP_MAIL_IMAP_*` settings for a server polling this mailbox.
    pub fn env(&self, starttls: bool) -> Vec<(String, String)> {
        let port = if starttls {
            self.imap_port
        } else {
            self.imaps_port
        };
        vec![
            ("ONESTOP_MAIL_IMAP_HOST".into(), "localhost".into()),
            ("ONESTOP_MAIL_IMAP_PORT".into(), port.to_string()),
            (
                "ONESTOP_MAIL_IMAP_TLS".into(),
                if starttls { "starttls" } else { "imaps" }.into(),
            ),
            ("ONESTOP_MAIL_IMAP_USER".into(), "desk".into()),
            ("ONESTOP_MAIL_IMAP_PASSWORD".into(), "secret".into()),
            ("ONESTOP_MAIL_IMAP_POLL_SECS".into(), "2".into()),
            (
                "ONESTOP_MAIL_IMAP_CA".into(),
                self.cert.display().to_string(),
            ),
        ]
    }
}

/// A server with `env` on SQLite, or on a fresh PostgreSQL database when `pg`.
pub fn server(dir: &Path, pg: Option<&str>, env: &[(String, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Server::start_with_env(&dir.join("data"), pg, &env)
}
