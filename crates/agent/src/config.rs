//! The agent's TOML configuration file. Unknown keys are errors, so typos are
//! caught at start and on reload (SIGHUP) instead of being silently ignored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::spool::SpoolConfig;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    /// The file is not valid TOML for this schema.
    #[error("{0}: {1}")]
    Parse(PathBuf, toml::de::Error),
    /// A value is out of range.
    #[error("{0}")]
    Invalid(String),
}

/// Settings of `onestop-agent run`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Server base URL; defaults to the one stored at enrollment.
    pub server: Option<String>,
    /// Seconds between collections.
    pub interval_secs: u64,
    /// Also serve `/metrics` on this address while running.
    pub listen: Option<String>,
    /// Root of the proc tree.
    pub proc_root: PathBuf,
    /// Root of the sys tree.
    pub sys_root: PathBuf,
    /// `smartctl` binary; found in the usual places when unset.
    pub smartctl: Option<PathBuf>,
    /// Disable SMART collection.
    pub smart_disabled: bool,
    /// Seconds SMART results are reused.
    pub smart_interval_secs: u64,
    /// HTTP timeout for shipping, seconds.
    pub http_timeout_secs: u64,
    /// Spool bounds and replay pace.
    pub spool: SpoolSection,
    /// Log tailing.
    pub logs: crate::logship::LogsConfig,
    /// The built-in checks.
    pub checks: crate::checks::ChecksConfig,
}

/// The `[spool]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpoolSection {
    /// Largest total size of the spool directory's segments, bytes.
    pub max_bytes: u64,
    /// Oldest data kept, seconds.
    pub max_age_secs: u64,
    /// Size at which a new segment file is started, bytes.
    pub segment_bytes: u64,
    /// Batches sent per second at most when replaying a backlog.
    pub replay_per_second: f64,
}

impl Default for SpoolSection {
    fn default() -> Self {
        let d = SpoolConfig::default();
        Self {
            max_bytes: d.max_bytes,
            max_age_secs: d.max_age.as_secs(),
            segment_bytes: d.segment_bytes,
            replay_per_second: 5.0,
        }
    }
}

impl SpoolSection {
    /// The spool's own configuration.
    pub fn spool_config(&self) -> SpoolConfig {
        SpoolConfig {
            max_bytes: self.max_bytes,
            max_age: Duration::from_secs(self.max_age_secs),
            segment_bytes: self.segment_bytes,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: None,
            interval_secs: 10,
            listen: None,
            proc_root: "/proc".into(),
            sys_root: "/sys".into(),
            smartctl: None,
            smart_disabled: false,
            smart_interval_secs: 300,
            http_timeout_secs: 30,
            spool: SpoolSection::default(),
            logs: crate::logship::LogsConfig::default(),
            checks: crate::checks::ChecksConfig::default(),
        }
    }
}

impl Config {
    /// Parse and validate TOML text.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let c: Config =
            toml::from_str(text).map_err(|e| ConfigError::Parse(origin.to_path_buf(), e))?;
        if c.interval_secs == 0 {
            return Err(ConfigError::Invalid(
                "interval_secs must be at least 1".into(),
            ));
        }
        if c.spool.segment_bytes == 0 || c.spool.max_bytes < c.spool.segment_bytes {
            return Err(ConfigError::Invalid(
                "spool.max_bytes must be at least spool.segment_bytes > 0".into(),
            ));
        }
        if c.spool.replay_per_second.is_nan() || c.spool.replay_per_second <= 0.0 {
            return Err(ConfigError::Invalid(
                "spool.replay_per_second must be positive".into(),
            ));
        }
        c.logs
            .validate(c.spool.segment_bytes)
            .map_err(ConfigError::Invalid)?;
        c.checks.validate().map_err(ConfigError::Invalid)?;
        Ok(c)
    }

    /// Read and parse a file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
        Self::parse(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_unknown_keys_and_validation() {
        let p = Path::new("t.toml");
        let c = Config::parse("interval_secs = 15\n[spool]\nmax_bytes = 10000000\n", p).unwrap();
        assert_eq!(c.interval_secs, 15);
        assert_eq!(c.spool.max_bytes, 10_000_000);
        assert_eq!(c.smart_interval_secs, 300);
        assert!(matches!(
            Config::parse("intervall_secs = 5", p),
            Err(ConfigError::Parse(..))
        ));
        assert!(matches!(
            Config::parse("[spool]\nbogus = 1", p),
            Err(ConfigError::Parse(..))
        ));
        assert!(matches!(
            Config::parse("interval_secs = 0", p),
            Err(ConfigError::Invalid(_))
        ));
        let c = Config::parse("[logs]\nexclude = [\"^CRON\"]\njournal = false\n", p).unwrap();
        assert_eq!(c.logs.exclude, ["^CRON"]);
        assert!(c.logs.enabled && !c.logs.journal);
        for bad in [
            "[logs]\ninclude = [\"(unclosed\"]",
            "[logs]\nbatch_bytes = 900000",
            "[logs]\nrate_per_second = -1.0",
            "[logs]\nmax_line_bytes = 0",
        ] {
            assert!(
                matches!(Config::parse(bad, p), Err(ConfigError::Invalid(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Config::parse("[logs]\nfile = []", p),
            Err(ConfigError::Parse(..))
        ));
    }

    #[test]
    fn shipped_example_parses() {
        let c = Config::parse(
            include_str!("../agent.example.toml"),
            Path::new("agent.example.toml"),
        )
        .unwrap();
        assert_eq!(c.interval_secs, 10);
        assert_eq!(c.spool.max_bytes, 64 << 20);
        assert_eq!(c, Config::default(), "the example spells out the defaults");
    }
}
