//! `onestop calendar`: business-time arithmetic on a calendar file.
//!
//! Every error (unreadable or invalid file, bad zone, time, range, duration
//! or count) is one line on stderr and exit code 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use onestop_domain::calendar::{Calendar, Instant, jp};

/// `onestop calendar ...`
#[derive(clap::Subcommand, Debug)]
pub enum CalendarCmd {
    /// Print the due instant, in the calendar's zone, of a business-time
    /// budget (--business) or the close of business of the Nth working day
    /// after the start's day (--working-days).
    Due {
        /// Calendar file (TOML).
        #[arg(long)]
        calendar: PathBuf,
        /// Start instant, RFC 3339.
        #[arg(long)]
        from: String,
        /// Business time: `90m`, `4h` or `1h30m`.
        #[arg(
            long,
            required_unless_present = "working_days",
            conflicts_with = "working_days"
        )]
        business: Option<String>,
        /// Number of working days (at least 1).
        #[arg(long)]
        working_days: Option<String>,
    },
    /// Print the whole business minutes between two instants.
    Elapsed {
        /// Calendar file (TOML).
        #[arg(long)]
        calendar: PathBuf,
        /// Start instant, RFC 3339.
        #[arg(long)]
        from: String,
        /// End instant, RFC 3339.
        #[arg(long)]
        to: String,
    },
    /// List a year's holidays as `YYYY-MM-DD<TAB>name`: Japanese national
    /// holidays, or with --calendar that calendar's holidays and closed days
    /// (extra opening days left out).
    Holidays {
        /// The year, e.g. 2026.
        #[arg(long)]
        year: String,
        /// Calendar file (TOML).
        #[arg(long)]
        calendar: Option<PathBuf>,
    },
}

/// Runs a calendar subcommand: prints its result, or a one-line error and
/// exits with code 2.
pub fn run(cmd: CalendarCmd) -> ExitCode {
    match execute(cmd) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("onestop calendar: {message}");
            ExitCode::from(2)
        }
    }
}

fn execute(cmd: CalendarCmd) -> Result<String, String> {
    match cmd {
        CalendarCmd::Due {
            calendar,
            from,
            business,
            working_days,
        } => {
            let cal = load(&calendar)?;
            let from = parse_instant("--from", &from)?;
            let due = match (business, working_days) {
                (Some(b), _) => cal.add_business_minutes(from, parse_duration(&b)?),
                (None, Some(n)) => cal.close_of_business(from, parse_count(&n)?),
                (None, None) => return Err("give --business or --working-days".to_string()),
            };
            let due = due.map_err(|e| e.to_string())?;
            Ok(format!(
                "{}\n",
                cal.to_local(due)
                    .to_rfc3339_opts(SecondsFormat::Secs, false)
            ))
        }
        CalendarCmd::Elapsed { calendar, from, to } => {
            let cal = load(&calendar)?;
            let (from, to) = (parse_instant("--from", &from)?, parse_instant("--to", &to)?);
            Ok(format!("{}\n", cal.business_minutes_between(from, to)))
        }
        CalendarCmd::Holidays { year, calendar } => {
            let year = year
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1..=9999).contains(y))
                .ok_or_else(|| format!("invalid year {year:?} (expected 1 to 9999)"))?;
            let lines: Vec<String> = match calendar {
                None => jp::holidays(year)
                    .iter()
                    .map(|h| format!("{}\t{} ({})", h.date, h.name.english(), h.name.japanese()))
                    .collect(),
                Some(path) => load(&path)?
                    .non_working_days(year)
                    .iter()
                    .map(|(date, why)| format!("{date}\t{}", why.label()))
                    .collect(),
            };
            Ok(lines.iter().map(|l| format!("{l}\n")).collect())
        }
    }
}

fn load(path: &Path) -> Result<Calendar, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read calendar file {}: {e}", path.display()))?;
    Calendar::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse_instant(flag: &str, text: &str) -> Result<Instant, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("invalid time {flag} {text:?} ({e}); expected RFC 3339, e.g. 2026-01-05T09:00:00+09:00"))
}

fn parse_count(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            format!("invalid --working-days {text:?} (expected a whole number, at least 1)")
        })
}

/// Parses a business duration `90m`, `4h` or `1h30m` into minutes.
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let bad = || format!("invalid duration {text:?} (expected e.g. 90m, 4h or 1h30m)");
    let (mut minutes, mut rest, mut units) = (0u64, text.trim(), String::new());
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit = rest[digits..].chars().next().ok_or_else(bad)?;
        let value: u64 = rest[..digits].parse().map_err(|_| bad())?;
        let factor = match unit {
            'h' if units.is_empty() => 60,
            'm' if !units.contains('m') => 1,
            _ => return Err(bad()),
        };
        minutes = value
            .checked_mul(factor)
            .and_then(|v| v.checked_add(minutes))
            .ok_or_else(bad)?;
        units.push(unit);
        rest = &rest[digits + 1..];
    }
    if units.is_empty() {
        return Err(bad());
    }
    Ok(minutes)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(90));
        assert_eq!(parse_duration("4h"), Ok(240));
        assert_eq!(parse_duration("1h30m"), Ok(90));
        assert_eq!(parse_duration("0m"), Ok(0));
        for bad in [
            "",
            "2d",
            "h",
            "1h30",
            "30m1h",
            "1h1h",
            "m",
            "-5m",
            "1.5h",
            "99999999999999999999m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
