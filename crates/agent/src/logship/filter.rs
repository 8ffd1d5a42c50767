//! Include/exclude patterns and the host-wide rate limit (a token bucket).

use regex::RegexSet;

/// Which lines are shipped at all.
#[derive(Debug, Clone)]
pub struct Filter {
    include: Option<RegexSet>,
    exclude: Option<RegexSet>,
}

impl Filter {
    /// Compile the patterns (validated with the configuration).
    pub fn new(include: &[String], exclude: &[String]) -> Result<Self, regex::Error> {
        let set = |v: &[String]| -> Result<Option<RegexSet>, regex::Error> {
            if v.is_empty() {
                Ok(None)
            } else {
                RegexSet::new(v).map(Some)
            }
        };
        Ok(Self {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    /// Whether the line passes.
    pub fn keeps(&self, line: &str) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(line))
            && !self.exclude.as_ref().is_some_and(|s| s.is_match(line))
    }
}

/// Token bucket: `rate` lines per second on average, `burst` at once.
#[derive(Debug, Clone)]
pub struct RateLimit {
    rate: f64,
    burst: f64,
    tokens: f64,
    last_ms: Option<i64>,
}

impl RateLimit {
    /// A full bucket; `rate` 0 means no limit.
    pub fn new(rate: f64, burst: u64) -> Self {
        let burst = (burst as f64).max(1.0);
        Self {
            rate,
            burst,
            tokens: burst,
            last_ms: None,
        }
    }

    /// Take one token at `now_ms`; `false` means the line is dropped.
    pub fn allow(&mut self, now_ms: i64) -> bool {
        if self.rate == 0.0 {
            return true;
        }
        if let Some(last) = self.last_ms {
            let secs = (now_ms - last).max(0) as f64 / 1000.0;
            self.tokens = (self.tokens + secs * self.rate).min(self.burst);
        }
        self.last_ms = Some(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_bucket() {
        let f = Filter::new(&["sshd".into(), "kernel".into()], &["debug".into()]).unwrap();
        assert!(f.keeps("sshd[1]: accepted"));
        assert!(!f.keeps("sshd[1]: debug x"));
        assert!(!f.keeps("cron[2]: run"));
        let mut r = RateLimit::new(2.0, 3);
        assert_eq!((0..5).filter(|_| r.allow(1000)).count(), 3);
        assert!(r.allow(1500), "half a second refills one token");
        assert!(!r.allow(1500));
        assert!(RateLimit::new(0.0, 0).allow(0));
    }
}
