//! Secrets the product must present later (TOTP seeds, mail passwords, webhook keys) are
//! encrypted with ChaCha20-Poly1305 under a key from the configuration.
use anyhow::Context;
use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use std::path::Path;

pub struct Crypto {
    cipher: ChaCha20Poly1305,
}

impl Crypto {
    /// Use the configured hex key, or the one in `<data_dir>/secret.key`, created (0600) if absent.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Crypto> {
        let hex_key = match configured {
            Some(k) => k.trim().to_string(),
            None => {
                let path = data_dir.join("secret.key");
                if !path.exists() {
                    let mut k = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut k);
                    write_private(&path, &hex::encode(k))?;
                }
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?
                    .trim()
                    .to_string()
            }
        };
        let bytes = hex::decode(&hex_key)
            .ok()
            .filter(|b| b.len() == 32)
            .context("secret_key must be 64 hex digits (32 bytes)")?;
        Ok(Crypto {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
    }

    /// `base64(nonce || ciphertext)`.
    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_default();
        STANDARD.encode([nonce.as_slice(), &ct].concat())
    }

    pub fn decrypt(&self, sealed: &str) -> Option<String> {
        let raw = STANDARD.decode(sealed).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .ok()?;
        String::from_utf8(pt).ok()
    }
}

/// Write a file readable by its owner only.
pub fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let c = Crypto::load(Some(&"ab".repeat(32)), Path::new("/nonexistent")).unwrap();
        let s = c.encrypt("smtp-password");
        assert_ne!(s, c.encrypt("smtp-password"));
        assert_eq!(c.decrypt(&s).as_deref(), Some("smtp-password"));
        let mut raw = STANDARD.decode(&s).unwrap();
        raw[14] ^= 1;
        assert_eq!(c.decrypt(&STANDARD.encode(raw)), None);
        assert!(Crypto::load(Some("short"), Path::new("/")).is_err());
    }
}
