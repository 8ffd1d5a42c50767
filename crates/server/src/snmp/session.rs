//! One device's SNMP client: a v2c or v3 (USM, with engine discovery) session from
//! `snmp2`, every request under the device's timeout and retried as configured on a fresh
//! session (so a late answer can never be taken for the next request's), and GETBULK walks.
use super::value::{Val, oid_parts};
use snmp2::v3::{Auth, AuthProtocol, Cipher, Security};
use snmp2::{AsyncSession, Oid};
use std::time::Duration;

/// What a device needs to be spoken to, secrets opened.
#[derive(Clone)]
pub struct Params {
    pub addr: String,
    pub timeout: Duration,
    pub retries: u32,
    pub cred: Cred,
}

#[derive(Clone)]
pub enum Cred {
    V2c {
        community: String,
    },
    V3 {
        user: String,
        auth: String,
        auth_pass: String,
        privacy: String,
        priv_pass: String,
    },
}

fn security(user: &str, auth: &str, auth_pass: &str, privacy: &str, priv_pass: &str) -> Security {
    let proto = match auth {
        "md5" => AuthProtocol::Md5,
        "sha224" => AuthProtocol::Sha224,
        "sha256" => AuthProtocol::Sha256,
        "sha384" => AuthProtocol::Sha384,
        "sha512" => AuthProtocol::Sha512,
        _ => AuthProtocol::Sha1,
    };
    let cipher = match privacy {
        "des" => Some(Cipher::Des),
        "aes" => Some(Cipher::Aes128),
        "aes192" => Some(Cipher::Aes192),
        "aes256" => Some(Cipher::Aes256),
        _ => None,
    };
    let level = match (auth, cipher) {
        ("none", _) => Auth::NoAuthNoPriv,
        (_, None) => Auth::AuthNoPriv,
        (_, Some(cipher)) => Auth::AuthPriv {
            cipher,
            privacy_password: priv_pass.as_bytes().to_vec(),
        },
    };
    Security::new(user.as_bytes(), auth_pass.as_bytes())
        .with_auth_protocol(proto)
        .with_auth(level)
}

/// A varbind list, owned.
pub type Varbinds = Vec<(Vec<u64>, Val)>;

pub struct Client {
    p: Params,
    session: Option<AsyncSession>,
}

fn describe(e: snmp2::Error) -> String {
    format!("SNMP: {e}")
}

impl Client {
    pub fn new(p: Params) -> Client {
        Client { p, session: None }
    }

    async fn open(&mut self) -> Result<&mut AsyncSession, String> {
        if self.session.is_none() {
            let req_id = rand::random::<u16>() as i32;
            let mut s = match &self.p.cred {
                Cred::V2c { community } => {
                    AsyncSession::new_v2c(&self.p.addr, community.as_bytes(), req_id).await
                }
                Cred::V3 {
                    user,
                    auth,
                    auth_pass,
                    privacy,
                    priv_pass,
                } => {
                    let sec = security(user, auth, auth_pass, privacy, priv_pass);
                    AsyncSession::new_v3(&self.p.addr, req_id, sec).await
                }
            }
            .map_err(|e| format!("cannot reach {}: {e}", self.p.addr))?;
            // v3: discover the engine id, boots and time (RFC 3414 §4).
            match tokio::time::timeout(self.p.timeout, s.init()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(describe(e)),
                Err(_) => return Err(format!("no answer from {} (timeout)", self.p.addr)),
            }
            self.session = Some(s);
        }
        Ok(self.session.as_mut().expect("just opened"))
    }

    /// GETBULK from `start`; `get` when `bulk` is 0 (then `starts` are the exact OIDs).
    async fn request(&mut self, starts: &[Vec<u64>], bulk: u32) -> Result<Varbinds, String> {
        let oids: Vec<Oid<'static>> = starts
            .iter()
            .map(|o| Oid::from(o).map_err(|_| "bad OID".to_string()))
            .collect::<Result<_, _>>()?;
        let refs: Vec<&Oid<'_>> = oids.iter().collect();
        let mut last = String::new();
        for _ in 0..=self.p.retries {
            let timeout = self.p.timeout;
            let addr = self.p.addr.clone();
            let s = match self.open().await {
                Ok(s) => s,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            let answer = if bulk == 0 {
                tokio::time::timeout(timeout, s.get_many(&refs)).await
            } else {
                tokio::time::timeout(timeout, s.getbulk(&refs, 0, bulk)).await
            };
            match answer {
                Ok(Ok(pdu)) if pdu.error_status == 0 => {
                    return Ok(pdu
                        .varbinds
                        .map(|(o, v)| (oid_parts(&o), Val::from_wire(&v)))
                        .collect());
                }
                Ok(Ok(pdu)) => return Err(format!("SNMP error status {}", pdu.error_status)),
                Ok(Err(e)) => last = describe(e),
                Err(_) => last = format!("no answer from {addr} (timeout)"),
            }
            self.session = None;
        }
        Err(last)
    }

    /// GET of several scalars.
    pub async fn get(&mut self, oids: &[Vec<u64>]) -> Result<Varbinds, String> {
        self.request(oids, 0).await
    }

    /// Every varbind under `root`, by GETBULK (at most `cap` of them).
    pub async fn walk(&mut self, root: &[u64], cap: usize) -> Result<Varbinds, String> {
        let mut out = Varbinds::new();
        let mut at = root.to_vec();
        while out.len() < cap {
            let page = self.request(std::slice::from_ref(&at), 25).await?;
            let mut advanced = false;
            for (oid, val) in page {
                if !oid.starts_with(root) || val == Val::Missing || oid <= at {
                    return Ok(out);
                }
                at = oid.clone();
                out.push((oid, val));
                advanced = true;
            }
            if !advanced {
                break;
            }
        }
        Ok(out)
    }
}
