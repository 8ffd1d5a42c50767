//! `onestop logs`: offline log tools.
//!
//! - `mine --log-format FMT INPUT -o OUTPUT.csv` mines a log file (Loghub header notation)
//!   and writes `LineId,Content,EventId,EventTemplate`;
//! - `evaluate --truth TRUTH.csv --parsed OUTPUT.csv` prints GA, FGA and PA.
//!
//! Bad input (unreadable file, bad format, bad CSV) prints one line on stderr and exits 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use onestop_logs::loghub::{self, GroupBy, LogFormat, PaMode};

/// Offline log tools.
#[derive(clap::Subcommand, Debug)]
pub enum LogsCmd {
    /// Mine templates from a log file and write a Loghub-style structured CSV.
    Mine {
        /// Loghub header format, e.g. `<Date> <Time> <Level> <Component>: <Content>`.
        #[arg(long = "log-format")]
        log_format: String,
        /// The log file (lines may end in CRLF).
        input: PathBuf,
        /// Where to write `LineId,Content,EventId,EventTemplate`.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Score a parse against Loghub ground truth: GA, FGA and PA.
    Evaluate {
        /// Ground truth (`*_structured.csv`).
        #[arg(long)]
        truth: PathBuf,
        /// The output of `onestop logs mine`.
        #[arg(long)]
        parsed: PathBuf,
        /// Compare templates for PA without normalisation.
        #[arg(long)]
        exact: bool,
        /// Key groups by EventTemplate instead of EventId.
        #[arg(long = "group-by-template")]
        group_by_template: bool,
    },
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn mine(log_format: &str, input: &Path, output: &Path) -> Result<(), String> {
    let format = LogFormat::parse(log_format).map_err(|e| e.to_string())?;
    let text = read(input)?;
    let csv = loghub::mine_text(&format, &text).map_err(|e| e.to_string())?;
    std::fs::write(output, csv).map_err(|e| format!("cannot write {}: {e}", output.display()))
}

fn evaluate(truth: &Path, parsed: &Path, exact: bool, by_template: bool) -> Result<(), String> {
    let t =
        loghub::read_structured(&read(truth)?).map_err(|e| format!("{}: {e}", truth.display()))?;
    let p = loghub::read_structured(&read(parsed)?)
        .map_err(|e| format!("{}: {e}", parsed.display()))?;
    let group_by = if by_template {
        GroupBy::Template
    } else {
        GroupBy::EventId
    };
    let mode = if exact {
        PaMode::Exact
    } else {
        PaMode::Normalized
    };
    let s = loghub::score(&t, &p, group_by, mode).map_err(|e| e.to_string())?;
    println!("GA: {:.4}", s.ga);
    println!("FGA: {:.4}", s.fga);
    println!("PA: {:.4}", s.pa);
    Ok(())
}

/// Runs a `logs` subcommand.
pub fn run(cmd: LogsCmd) -> ExitCode {
    let result = match cmd {
        LogsCmd::Mine {
            log_format,
            input,
            output,
        } => mine(&log_format, &input, &output),
        LogsCmd::Evaluate {
            truth,
            parsed,
            exact,
            group_by_template,
        } => evaluate(&truth, &parsed, exact, group_by_template),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onestop logs: {}", e.replace('\n', " "));
            ExitCode::from(2)
        }
    }
}
