//! Running a helper command with a timeout: stdout is read on a thread so a chatty command
//! cannot block on a full pipe, and a command past its deadline is killed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why a command gave no usable output.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    /// Not installed (not on `PATH`).
    #[error("{0}: not installed")]
    Missing(String),
    /// Could not be started for another reason.
    #[error("{0}: {1}")]
    Spawn(String, std::io::Error),
    /// Killed after the timeout.
    #[error("{0}: timed out after {1:?}")]
    Timeout(String, Duration),
}

/// What a finished command printed and how it exited.
#[derive(Debug)]
pub struct CmdOutput {
    pub success: bool,
    pub stdout: String,
}

/// Run `program args…` with no stdin and stderr discarded; kill it after `timeout`.
pub fn run_command(program: &str, args: &[&str], timeout: Duration) -> Result<CmdOutput, CmdError> {
    let mut child = Command::new(program)
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CmdError::Missing(program.to_string()),
            _ => CmdError::Spawn(program.to_string(), e),
        })?;
    let mut out = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CmdError::Timeout(program.to_string(), timeout));
            }
            Err(e) => return Err(CmdError::Spawn(program.to_string(), e)),
        }
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    Ok(CmdOutput {
        success: status.success(),
        stdout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_missing_and_timeout() {
        let o = run_command("sh", &["-c", "echo hi; exit 3"], Duration::from_secs(5)).unwrap();
        assert_eq!((o.success, o.stdout.as_str()), (false, "hi\n"));
        assert!(matches!(
            run_command("onestop-no-such-tool", &[], Duration::from_secs(1)),
            Err(CmdError::Missing(_))
        ));
        let t = Instant::now();
        assert!(matches!(
            run_command("sleep", &["5"], Duration::from_millis(200)),
            Err(CmdError::Timeout(..))
        ));
        assert!(t.elapsed() < Duration::from_secs(3));
    }
}
