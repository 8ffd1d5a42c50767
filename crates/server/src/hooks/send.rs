//! One HTTP attempt: sign the body, POST it with timeouts, report code, error and duration.
use hmac::{Hmac, Mac};
use onestop_store::{Claimed, DeliveryOutcome};
use sha2::Sha256;
use std::time::{Duration, Instant};

pub const SIGNATURE_HEADER: &str = "X-Onestop-Signature";

/// `sha256=<hex HMAC-SHA256 of body under secret>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The HTTP client: 5 s to connect, 10 s for the whole exchange, no redirects, any status
/// returned as a response.
pub(super) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent("onestop-webhooks/1")
        .build()
        .into()
}

pub(super) fn post(agent: &ureq::Agent, c: &Claimed, secret: &str) -> DeliveryOutcome {
    let started = Instant::now();
    let r = agent
        .post(&c.url)
        .header("Content-Type", "application/json")
        .header(SIGNATURE_HEADER, sign(secret, c.body.as_bytes()))
        .header("X-Onestop-Event", &c.event)
        .header("X-Onestop-Delivery", &c.id)
        .send(c.body.as_bytes());
    let duration_ms = started.elapsed().as_millis() as i64;
    match r {
        Ok(mut resp) => {
            let code = i64::from(resp.status().as_u16());
            // Read (a little of) the body so the connection can be reused.
            let _ = resp.body_mut().with_config().limit(64 * 1024).read_to_vec();
            DeliveryOutcome {
                code: Some(code),
                error: (!(200..300).contains(&code)).then(|| format!("HTTP {code}")),
                duration_ms,
            }
        }
        Err(e) => DeliveryOutcome {
            code: None,
            error: Some(e.to_string()),
            duration_ms,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            super::sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
