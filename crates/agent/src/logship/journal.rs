//! The systemd journal through `journalctl -o json --follow`, resumed after
//! the saved cursor. A reader thread parses entries into a bounded channel,
//! so a slow spool holds journalctl back instead of growing memory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::time::{Duration, Instant};

use onestop_proto::LogLine;
use serde_json::Value;

/// Source name of journal lines.
pub const SOURCE: &str = "journald";
const RESPAWN_AFTER: Duration = Duration::from_secs(30);

/// One JSON entry of `journalctl -o json` as a line; `None` without a cursor.
pub fn parse_entry(json: &str, now_ms: i64) -> Option<LogLine> {
    let v: Value = serde_json::from_str(json).ok()?;
    let cursor = v.get("__CURSOR")?.as_str()?.to_string();
    let field = |k: &str| -> Option<String> {
        match v.get(k)? {
            Value::String(s) => Some(s.clone()),
            // Non-UTF-8 or binary fields come as byte arrays.
            Value::Array(a) => {
                let b: Vec<u8> = a
                    .iter()
                    .filter_map(|x| x.as_u64())
                    .map(|x| x as u8)
                    .collect();
                Some(String::from_utf8_lossy(&b).into_owned())
            }
            _ => None,
        }
    };
    let ts_ms = field("__REALTIME_TIMESTAMP")
        .and_then(|t| t.parse::<i64>().ok())
        .map_or(now_ms, |us| us / 1000);
    let msg = field("MESSAGE").unwrap_or_default();
    let line = match (field("SYSLOG_IDENTIFIER"), field("_PID")) {
        (Some(id), Some(pid)) => format!("{id}[{pid}]: {msg}"),
        (Some(id), None) => format!("{id}: {msg}"),
        _ => msg,
    };
    Some(LogLine {
        source: SOURCE.into(),
        ts_ms,
        line,
        cursor: Some(cursor),
    })
}

/// A running `journalctl`.
#[derive(Debug)]
pub(crate) struct Journal {
    bin: PathBuf,
    dir: Option<PathBuf>,
    from_start: bool,
    child: Option<Child>,
    rx: Option<Receiver<LogLine>>,
    held: Option<LogLine>,
    /// Cursor of the last entry handed out.
    pub(crate) cursor: Option<String>,
    died_at: Option<Instant>,
    warned: bool,
}

impl Journal {
    pub(crate) fn new(
        bin: &Path,
        dir: Option<&Path>,
        cursor: Option<String>,
        from_start: bool,
    ) -> Self {
        let mut j = Journal {
            bin: bin.to_path_buf(),
            dir: dir.map(Path::to_path_buf),
            from_start,
            child: None,
            rx: None,
            held: None,
            cursor,
            died_at: None,
            warned: false,
        };
        if j.cursor.is_none() && !from_start {
            // Start at the end, but from a cursor that is saved, so entries
            // written while the agent is down are not skipped later.
            j.cursor = j.last_cursor();
        }
        j.spawn();
        j
    }

    fn last_cursor(&self) -> Option<String> {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["-o", "json", "--lines", "1"]);
        if let Some(d) = &self.dir {
            cmd.arg("--directory").arg(d);
        }
        let out = cmd
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        parse_entry(text.lines().last()?, 0)?.cursor
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["-o", "json", "--follow"]);
        if let Some(d) = &self.dir {
            cmd.arg("--directory").arg(d);
        }
        match &self.cursor {
            Some(c) => cmd.arg(format!("--after-cursor={c}")),
            None if self.from_start => cmd.arg("--no-tail"),
            None => cmd.args(["--lines", "0"]),
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                eprintln!(
                    "onestop-agent: journal: cannot run {}: {e}",
                    self.bin.display()
                );
                self.died_at = Some(Instant::now());
                return;
            }
        };
        let Some(out) = child.stdout.take() else {
            return;
        };
        let (tx, rx) = sync_channel(4096);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let now = crate::logship::now_ms();
                if let Some(l) = parse_entry(&line, now)
                    && tx.send(l).is_err()
                {
                    break;
                }
            }
        });
        self.child = Some(child);
        self.rx = Some(rx);
        self.from_start = false;
        self.died_at = None;
    }

    /// Hand entries to `sink` until it refuses one or none are waiting.
    pub(crate) fn poll(&mut self, sink: &mut dyn FnMut(&LogLine) -> bool) {
        if self.rx.is_none() {
            if self.died_at.is_some_and(|t| t.elapsed() >= RESPAWN_AFTER) {
                self.spawn();
            }
            return;
        }
        loop {
            let next = match self.held.take() {
                Some(l) => l,
                None => match self.rx.as_ref().map(|r| r.try_recv()) {
                    Some(Ok(l)) => l,
                    Some(Err(TryRecvError::Disconnected)) => {
                        if !self.warned {
                            self.warned = true;
                            eprintln!(
                                "onestop-agent: journal: journalctl ended; retrying every {}s",
                                RESPAWN_AFTER.as_secs()
                            );
                        }
                        self.stop();
                        self.died_at = Some(Instant::now());
                        return;
                    }
                    _ => return,
                },
            };
            if !sink(&next) {
                self.held = Some(next);
                return;
            }
            self.cursor = next.cursor.clone();
        }
    }

    fn stop(&mut self) {
        self.rx = None;
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_fields() {
        let l = parse_entry(
            r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1700000000123456","MESSAGE":"hello","SYSLOG_IDENTIFIER":"sshd","_PID":"42"}"#,
            5,
        )
        .unwrap();
        assert_eq!(l.line, "sshd[42]: hello");
        assert_eq!(l.ts_ms, 1_700_000_000_123);
        assert_eq!(l.cursor.as_deref(), Some("s=1;i=2"));
        let b = parse_entry(r#"{"__CURSOR":"c","MESSAGE":[104,105]}"#, 5).unwrap();
        assert_eq!((b.line.as_str(), b.ts_ms), ("hi", 5));
        assert!(parse_entry(r#"{"MESSAGE":"x"}"#, 5).is_none());
    }
}
