//! The SNMP device record, its input and the validation of both. Secrets arrive in clear only
//! in [`SnmpDeviceInput`]; [`SnmpDeviceInput::seal`] checks them and replaces each by the
//! server's sealed text, so the store itself never holds a community or passphrase in clear.
use onestop_domain::model::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// v3 authentication protocols (`none`: noAuthNoPriv).
pub const SNMP_AUTH_PROTOCOLS: [&str; 7] =
    ["none", "md5", "sha", "sha224", "sha256", "sha384", "sha512"];
/// v3 privacy protocols (`none`: authNoPriv).
pub const SNMP_PRIV_PROTOCOLS: [&str; 5] = ["none", "des", "aes", "aes192", "aes256"];

/// How the server polls one asset over SNMP. Secrets are never shown back: only whether
/// one is set.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SnmpDevice {
    /// The asset's id, which is also its monitored host's id.
    pub id: String,
    pub customer_id: String,
    pub address: String,
    pub port: i64,
    /// `v2c` or `v3`.
    pub version: String,
    pub v3_user: Option<String>,
    pub auth_protocol: Option<String>,
    pub priv_protocol: Option<String>,
    pub has_community: bool,
    pub has_auth_password: bool,
    pub has_priv_password: bool,
    pub interval_secs: i64,
    pub timeout_ms: i64,
    pub retries: i64,
    pub enabled: bool,
    /// `pending` (not polled yet), `ok`, `error` or `disabled`.
    pub status: String,
    pub last_poll_at: Option<i64>,
    pub last_ok_at: Option<i64>,
    pub last_error: Option<String>,
    pub sys_name: Option<String>,
    pub sys_descr: Option<String>,
    pub sys_uptime_secs: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A device to create (`asset_id`, `address`, `version` and its credentials required) or
/// changes to one (absent fields stay; a secret left out keeps the stored one).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SnmpDeviceInput {
    /// The asset to poll (on creation only).
    pub asset_id: Option<String>,
    /// Host name or IP address of the agent.
    pub address: Option<String>,
    /// UDP port (161).
    pub port: Option<i64>,
    /// `v2c` or `v3`.
    pub version: Option<String>,
    /// v2c community.
    pub community: Option<String>,
    pub v3_user: Option<String>,
    /// `none`, `md5`, `sha`, `sha224`, `sha256`, `sha384` or `sha512`.
    pub auth_protocol: Option<String>,
    /// At least 8 characters.
    pub auth_password: Option<String>,
    /// `none`, `des`, `aes` (AES-128), `aes192` or `aes256`.
    pub priv_protocol: Option<String>,
    /// At least 8 characters.
    pub priv_password: Option<String>,
    /// Seconds between polls (10–86400, default 60).
    pub interval_secs: Option<i64>,
    /// Milliseconds to wait for each answer (100–60000, default 2000).
    pub timeout_ms: Option<i64>,
    /// Further tries after a timeout (0–10, default 1).
    pub retries: Option<i64>,
    pub enabled: Option<bool>,
}

/// [`SnmpDeviceInput`] after [`SnmpDeviceInput::seal`]: secrets replaced by sealed text.
#[derive(Debug, Clone, Default)]
pub struct SealedSnmpInput(pub(crate) SnmpDeviceInput);

fn bad(field: &str, msg: &str) -> ValidationError {
    ValidationError::new(field, msg)
}

impl SnmpDeviceInput {
    /// Check the secrets given in clear and seal them with `seal` (the server's cipher).
    pub fn seal(
        mut self,
        seal: impl Fn(&str) -> String,
    ) -> Result<SealedSnmpInput, ValidationError> {
        if self
            .community
            .as_ref()
            .is_some_and(|c| c.is_empty() || c.len() > 255)
        {
            return Err(bad("community", "must be 1 to 255 characters"));
        }
        for (field, v) in [
            ("auth_password", &self.auth_password),
            ("priv_password", &self.priv_password),
        ] {
            if v.as_ref().is_some_and(|p| p.len() < 8 || p.len() > 255) {
                return Err(bad(field, "must be 8 to 255 characters"));
            }
        }
        for v in [
            &mut self.community,
            &mut self.auth_password,
            &mut self.priv_password,
        ] {
            if let Some(clear) = v.take() {
                *v = Some(seal(&clear));
            }
        }
        Ok(SealedSnmpInput(self))
    }
}

/// The stored row's settable part, validated as a whole after a merge.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub address: String,
    pub port: i64,
    pub version: String,
    pub community_enc: Option<String>,
    pub v3_user: Option<String>,
    pub auth_protocol: Option<String>,
    pub auth_enc: Option<String>,
    pub priv_protocol: Option<String>,
    pub priv_enc: Option<String>,
    pub interval_secs: i64,
    pub timeout_ms: i64,
    pub retries: i64,
    pub enabled: bool,
}

impl Settings {
    pub fn blank() -> Settings {
        Settings {
            address: String::new(),
            port: 161,
            version: String::new(),
            community_enc: None,
            v3_user: None,
            auth_protocol: None,
            auth_enc: None,
            priv_protocol: None,
            priv_enc: None,
            interval_secs: 60,
            timeout_ms: 2000,
            retries: 1,
            enabled: true,
        }
    }

    /// Apply `i` and check the result.
    pub fn merge(&mut self, i: SealedSnmpInput) -> Result<(), ValidationError> {
        let i = i.0;
        let text = |v: Option<String>| v.map(|s| s.trim().to_string());
        if let Some(a) = text(i.address) {
            self.address = a;
        }
        if let Some(v) = text(i.version) {
            self.version = v.to_lowercase();
        }
        if let Some(u) = text(i.v3_user) {
            self.v3_user = Some(u).filter(|u| !u.is_empty());
        }
        if let Some(a) = text(i.auth_protocol) {
            self.auth_protocol = Some(a.to_lowercase());
        }
        if let Some(p) = text(i.priv_protocol) {
            self.priv_protocol = Some(p.to_lowercase());
        }
        for (to, from) in [
            (&mut self.community_enc, i.community),
            (&mut self.auth_enc, i.auth_password),
            (&mut self.priv_enc, i.priv_password),
        ] {
            if from.is_some() {
                *to = from;
            }
        }
        self.port = i.port.unwrap_or(self.port);
        self.interval_secs = i.interval_secs.unwrap_or(self.interval_secs);
        self.timeout_ms = i.timeout_ms.unwrap_or(self.timeout_ms);
        self.retries = i.retries.unwrap_or(self.retries);
        self.enabled = i.enabled.unwrap_or(self.enabled);
        self.check()
    }

    fn check(&self) -> Result<(), ValidationError> {
        let a = &self.address;
        if a.is_empty() || a.len() > 255 || a.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad("address", "must be a host name or IP address"));
        }
        let range = |field: &str, v: i64, lo: i64, hi: i64| {
            if v < lo || v > hi {
                Err(bad(field, &format!("must be between {lo} and {hi}")))
            } else {
                Ok(())
            }
        };
        range("port", self.port, 1, 65_535)?;
        range("interval_secs", self.interval_secs, 10, 86_400)?;
        range("timeout_ms", self.timeout_ms, 100, 60_000)?;
        range("retries", self.retries, 0, 10)?;
        match self.version.as_str() {
            "v2c" if self.community_enc.is_none() => Err(bad("community", "is required for v2c")),
            "v2c" => Ok(()),
            "v3" => self.check_v3(),
            _ => Err(bad("version", "must be v2c or v3")),
        }
    }

    fn check_v3(&self) -> Result<(), ValidationError> {
        if self.v3_user.as_ref().is_none_or(|u| u.len() > 32) {
            return Err(bad("v3_user", "is required for v3 (up to 32 characters)"));
        }
        let auth = self.auth_protocol.as_deref().unwrap_or("none");
        let privacy = self.priv_protocol.as_deref().unwrap_or("none");
        if !SNMP_AUTH_PROTOCOLS.contains(&auth) {
            return Err(bad("auth_protocol", &SNMP_AUTH_PROTOCOLS.join(", ")));
        }
        if !SNMP_PRIV_PROTOCOLS.contains(&privacy) {
            return Err(bad("priv_protocol", &SNMP_PRIV_PROTOCOLS.join(", ")));
        }
        if auth != "none" && self.auth_enc.is_none() {
            return Err(bad("auth_password", "is required with authentication"));
        }
        if privacy != "none" && auth == "none" {
            return Err(bad("priv_protocol", "privacy needs authentication"));
        }
        if privacy != "none" && self.priv_enc.is_none() {
            return Err(bad("priv_password", "is required with privacy"));
        }
        Ok(())
    }
}
