//! Loghub's log-format notation.
//!
//! A format such as `<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>` is read
//! the way Loghub's parsers read it: each `<Name>` becomes a lazy capture `(?P<Name>.*?)`, the
//! text between fields is a regular expression in which every run of spaces matches `\s+`, and
//! the whole pattern is anchored at both ends and matched against the trimmed line.

use regex::Regex;

use crate::error::LogsError;

/// A compiled log format.
#[derive(Debug, Clone)]
pub struct LogFormat {
    regex: Regex,
    content: usize,
}

impl LogFormat {
    /// Compiles a format; it must have a `<Content>` field.
    pub fn parse(format: &str) -> Result<Self, LogsError> {
        let mut pattern = String::from("^");
        let mut names = Vec::new();
        let mut rest = format;
        while let Some(open) = rest.find('<') {
            let Some(len) = rest[open + 1..].find(['>', '<']) else {
                break;
            };
            let close = open + 1 + len;
            if rest.as_bytes()[close] == b'<' || close == open + 1 {
                pattern.push_str(&spaces_to_class(&rest[..close]));
                rest = &rest[close..];
                continue;
            }
            pattern.push_str(&spaces_to_class(&rest[..open]));
            let name = &rest[open + 1..close];
            pattern.push_str(&format!("(?P<{name}>.*?)"));
            names.push(name.to_string());
            rest = &rest[close + 1..];
        }
        pattern.push_str(&spaces_to_class(rest));
        pattern.push('$');
        if !names.iter().any(|n| n == "Content") {
            return Err(LogsError::Format(format!(
                "no <Content> field in {format:?}"
            )));
        }
        let regex = Regex::new(&pattern).map_err(|e| LogsError::Format(e.to_string()))?;
        let content = regex
            .capture_names()
            .position(|n| n == Some("Content"))
            .ok_or_else(|| LogsError::Format("no Content group".into()))?;
        Ok(Self { regex, content })
    }

    /// The message part of `line`: the `<Content>` field, or the whole trimmed line when the
    /// line does not match the format.
    pub fn content<'a>(&self, line: &'a str) -> &'a str {
        let line = line.trim();
        self.regex
            .captures(line)
            .and_then(|c| c.get(self.content))
            .map_or(line, |m| m.as_str())
    }
}

fn spaces_to_class(lit: &str) -> String {
    let mut out = String::with_capacity(lit.len());
    let mut in_run = false;
    for c in lit.chars() {
        if c == ' ' {
            if !in_run {
                out.push_str(r"\s+");
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_loghub_formats() {
        let f =
            LogFormat::parse(r"<Month> <Date> <Time> <Level> <Component>(\[<PID>\])?: <Content>")
                .unwrap();
        let l = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown \r";
        assert_eq!(f.content(l), "check pass; user unknown");
        assert_eq!(f.content("Jun 9 10:00:00 combo kernel: x"), "x");
        assert_eq!(f.content("garbage"), "garbage");
        let z =
            LogFormat::parse(r"<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>")
                .unwrap();
        let l = "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200";
        assert_eq!(z.content(l), "Notification time out: 3200");
    }

    #[test]
    fn rejects_bad_formats() {
        assert!(LogFormat::parse("<Date> <Time>").is_err());
        assert!(LogFormat::parse(r"<Date> (<Content>").is_err());
        assert!(LogFormat::parse("<Content> <Content>").is_err());
    }
}
