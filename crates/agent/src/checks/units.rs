//! `failed_units`: systemd units in the failed state, from `systemctl list-units
//! --state=failed`. A host not booted with systemd (no `/run/systemd/system`) is n/a.

use serde_json::json;

use super::{ChecksConfig, Outcome, cmd::run_command, status_of};

const VERSION: u32 = 1;

/// Unit names from `systemctl list-units --state=failed --no-legend --plain` output.
pub(crate) fn parse(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().find(|w| *w != "●"))
        .map(str::to_string)
        .collect()
}

pub(super) fn run(cfg: &ChecksConfig) -> Vec<(&'static str, u32, Outcome)> {
    const ID: &str = "failed_units";
    let src = "systemctl list-units --state=failed";
    if !cfg.path("/run/systemd/system").is_dir() {
        return vec![(
            ID,
            VERSION,
            Outcome::na("not running systemd", "/run/systemd/system"),
        )];
    }
    if !cfg.commands {
        return vec![(ID, VERSION, Outcome::na("commands disabled", src))];
    }
    let o = match run_command(
        "systemctl",
        &[
            "list-units",
            "--state=failed",
            "--no-legend",
            "--plain",
            "--no-pager",
        ],
        cfg.timeout(),
    ) {
        Ok(o) if o.success => {
            let units = parse(&o.stdout);
            let summary = if units.is_empty() {
                "no failed units".to_string()
            } else {
                format!("failed: {}", units.join(", "))
            };
            Outcome::new(
                status_of(!units.is_empty()),
                summary,
                json!({ "failed": units }),
                src,
            )
        }
        Ok(_) => Outcome::error("systemctl failed", src),
        Err(e) => Outcome::error(e.to_string(), src),
    };
    vec![(ID, VERSION, o)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names() {
        let t = "nginx.service loaded failed failed A high performance web server\n\
● logrotate.service loaded failed failed Rotate log files\n";
        assert_eq!(parse(t), ["nginx.service", "logrotate.service"]);
        assert!(parse("").is_empty());
    }
}
