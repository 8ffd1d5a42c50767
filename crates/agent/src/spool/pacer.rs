//! A token bucket that paces replay of a spooled backlog.

use std::time::{Duration, Instant};

/// Allows up to `per_second` operations per second on average, with bursts
/// of at most `burst`.
#[derive(Debug, Clone)]
pub struct Pacer {
    per_second: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Pacer {
    /// A full bucket at `now`.
    pub fn new(per_second: f64, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            per_second,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Take one token if available at `now`.
    pub fn try_take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// How long until a token is available.
    pub fn wait(&self) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.per_second)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_rate_after_burst() {
        let t0 = Instant::now();
        let mut p = Pacer::new(2.0, 3, t0);
        assert!((0..3).all(|_| p.try_take(t0)));
        assert!(!p.try_take(t0));
        assert!(p.wait() > Duration::ZERO);
        assert!(p.try_take(t0 + Duration::from_millis(500)));
        assert!(!p.try_take(t0 + Duration::from_millis(600)));
        // Over 10 s at most 2/s (+ the leftover fraction) pass.
        let passed = (0..1000)
            .filter(|i| p.try_take(t0 + Duration::from_millis(600 + i * 10)))
            .count();
        assert!((19..=21).contains(&passed), "{passed}");
    }
}
