//! `/etc/os-release` parsing (`KEY=value` lines, values optionally quoted
//! shell-style with `"` or `'`; `\` escapes inside double quotes).

use super::InventoryError;
use serde::{Deserialize, Serialize};

/// The fields of os-release that identify the distribution.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OsRelease {
    /// `ID`, e.g. `debian`, `almalinux`; `linux` when absent (per the spec).
    pub id: String,
    /// `VERSION_ID`, e.g. `12`, `9.3`, `3.19.1`.
    pub version_id: Option<String>,
    /// `ID_LIKE`, split on whitespace.
    pub id_like: Vec<String>,
    /// `PRETTY_NAME`, for display.
    pub pretty_name: Option<String>,
}

/// Parse os-release text.
pub fn parse_os_release(text: &str) -> Result<OsRelease, InventoryError> {
    let mut os = OsRelease {
        id: "linux".to_string(),
        ..OsRelease::default()
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            return Err(InventoryError::new(i + 1, "expected KEY=value"));
        };
        let value = unquote(raw).ok_or_else(|| InventoryError::new(i + 1, "unbalanced quotes"))?;
        match key {
            "ID" => os.id = value,
            "VERSION_ID" => os.version_id = Some(value),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_string).collect(),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            _ => {}
        }
    }
    Ok(os)
}

fn unquote(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if let Some(inner) = raw.strip_prefix('\'') {
        return inner.strip_suffix('\'').map(str::to_string);
    }
    let Some(inner) = raw.strip_prefix('"') else {
        return Some(raw.to_string());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_plain_values() {
        let text = "NAME=\"AlmaLinux\"\nVERSION_ID=\"9.3\"\nID=almalinux\nID_LIKE=\"rhel centos fedora\"\n# c\nPRETTY_NAME='Alma \"9\"'\n";
        let os = parse_os_release(text).unwrap();
        assert_eq!(os.id, "almalinux");
        assert_eq!(os.version_id.as_deref(), Some("9.3"));
        assert_eq!(os.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(os.pretty_name.as_deref(), Some("Alma \"9\""));
        let esc = parse_os_release("PRETTY_NAME=\"a \\\"b\\\"\"\n").unwrap();
        assert_eq!(esc.pretty_name.as_deref(), Some("a \"b\""));
        assert_eq!(esc.id, "linux");
    }

    #[test]
    fn broken_lines_are_errors() {
        assert_eq!(
            parse_os_release("ID=debian\nnonsense\n").unwrap_err().line,
            2
        );
        assert!(parse_os_release("ID=\"debian\n").is_err());
    }
}
