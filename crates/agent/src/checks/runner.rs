//! When the checks run: at start and every `interval_secs`, on a thread of their own so a
//! slow command or a long walk never delays metric collection. Results are picked up by the
//! next collection tick and sent with its batch.

use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use onestop_proto::CheckResult;

use super::{ChecksConfig, run_all};

/// The check schedule and the run in progress, if any.
#[derive(Default)]
pub struct Runner {
    last_start: Option<Instant>,
    running: Option<Receiver<Vec<CheckResult>>>,
}

impl Runner {
    /// Start a run when one is due; return the results of a finished run (else empty).
    pub fn poll(&mut self, cfg: &ChecksConfig) -> Vec<CheckResult> {
        if let Some(rx) = &self.running {
            return match rx.try_recv() {
                Ok(r) => {
                    self.running = None;
                    r
                }
                Err(TryRecvError::Empty) => Vec::new(),
                Err(TryRecvError::Disconnected) => {
                    self.running = None;
                    Vec::new()
                }
            };
        }
        let due = self
            .last_start
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(cfg.interval_secs));
        if cfg.enabled && due {
            self.last_start = Some(Instant::now());
            let (tx, rx) = channel();
            let cfg = cfg.clone();
            std::thread::spawn(move || {
                let _ = tx.send(run_all(&cfg, crate::checks::now_ms()));
            });
            self.running = Some(rx);
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_at_start_then_waits_for_the_interval() {
        let d = tempfile::tempdir().unwrap();
        let cfg = ChecksConfig {
            root: d.path().into(),
            commands: false,
            ..ChecksConfig::default()
        };
        let mut r = Runner::default();
        let mut got = Vec::new();
        let t = Instant::now();
        while got.is_empty() && t.elapsed() < Duration::from_secs(10) {
            got = r.poll(&cfg);
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(got.len(), onestop_proto::CHECK_IDS.len());
        assert!(r.poll(&cfg).is_empty(), "not due again before the interval");
        assert!(r.running.is_none());
    }
}
