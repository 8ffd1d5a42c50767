//! Syslog decoding: RFC 5424, RFC 3164 and the malformed variants real devices send.
//!
//! [`decode`] never rejects a message: whatever it cannot read stays in `message`. It handles
//! a missing PRI, a missing year (taken from [`DecodeContext::reference`], the receive time),
//! non-UTF-8 bytes (replaced), Cisco IOS lines (`<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I:
//! ...`: sequence number, `*`/`.` clock flags, milliseconds, year, time-zone names) and Junos
//! lines (event tags such as `UI_COMMIT:` become the msgid). [`framing`] splits TCP streams
//! (RFC 6587 octet counting and LF-delimited frames, detected per frame).

pub mod framing;
mod rfc3164;
mod rfc5424;
mod timestamp;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Syslog severity (RFC 5424 section 6.2.1), most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[serde(alias = "emerg", alias = "panic")]
    Emergency = 0,
    Alert = 1,
    #[serde(alias = "crit")]
    Critical = 2,
    #[serde(alias = "err")]
    Error = 3,
    #[serde(alias = "warn")]
    Warning = 4,
    Notice = 5,
    #[serde(alias = "info")]
    Informational = 6,
    Debug = 7,
}

impl Severity {
    /// The severity of a numeric code (`0..=7`).
    pub fn from_code(code: u8) -> Option<Self> {
        use Severity::*;
        [
            Emergency,
            Alert,
            Critical,
            Error,
            Warning,
            Notice,
            Informational,
            Debug,
        ]
        .get(usize::from(code))
        .copied()
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Which grammar a message was read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyslogFormat {
    Rfc5424,
    Rfc3164,
    Cisco,
    /// Nothing but (maybe) a PRI could be read; the rest is the message.
    Unstructured,
}

/// A decoded syslog message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyslogMessage {
    pub format: SyslogFormat,
    pub facility: Option<u8>,
    pub severity: Option<Severity>,
    pub timestamp: Option<DateTime<Utc>>,
    pub hostname: Option<String>,
    pub app_name: Option<String>,
    pub proc_id: Option<String>,
    pub msg_id: Option<String>,
    /// RFC 5424 structured data, raw (`[id k="v"]...`).
    pub structured_data: Option<String>,
    /// Cisco sequence number.
    pub sequence: Option<u64>,
    pub message: String,
}

/// What the decoder needs to know besides the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeContext {
    /// When the message was received; gives the year to timestamps without one.
    pub reference: DateTime<Utc>,
    /// Offset east of UTC, in seconds, of timestamps written without a zone.
    pub local_offset_secs: i32,
}

impl DecodeContext {
    /// A context with timestamps without a zone read as UTC.
    pub fn utc(reference: DateTime<Utc>) -> Self {
        Self {
            reference,
            local_offset_secs: 0,
        }
    }
}

/// Decodes one syslog message (one frame, without framing).
pub fn decode(bytes: &[u8], ctx: &DecodeContext) -> SyslogMessage {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end_matches(['\r', '\n', '\0']);
    let (pri, rest) = parse_pri(text);
    let mut m = SyslogMessage {
        format: SyslogFormat::Unstructured,
        facility: pri.map(|p| p / 8),
        severity: pri.and_then(|p| Severity::from_code(p % 8)),
        timestamp: None,
        hostname: None,
        app_name: None,
        proc_id: None,
        msg_id: None,
        structured_data: None,
        sequence: None,
        message: String::new(),
    };
    if !(pri.is_some() && rfc5424::decode(rest, &mut m)) {
        rfc3164::decode(rest, ctx, &mut m);
    }
    m
}

/// Reads `<PRI>` (0..=191, at most three digits).
fn parse_pri(s: &str) -> (Option<u8>, &str) {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return (None, s);
    }
    let digits = b[1..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=3).contains(&digits) || b.get(1 + digits) != Some(&b'>') {
        return (None, s);
    }
    match s[1..1 + digits].parse::<u16>() {
        Ok(v) if v <= 191 => (Some(v as u8), &s[2 + digits..]),
        _ => (None, s),
    }
}

/// Splits off the first space-delimited field.
fn field(s: &str) -> (&str, &str) {
    match s.find(' ') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

#[cfg(test)]
mod tests_bsd;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pri_bounds() {
        assert_eq!(parse_pri("<0>x"), (Some(0), "x"));
        assert_eq!(parse_pri("<191>x"), (Some(191), "x"));
        assert_eq!(parse_pri("<192>x"), (None, "<192>x"));
        assert_eq!(parse_pri("<1234>x"), (None, "<1234>x"));
        assert_eq!(parse_pri("<>x"), (None, "<>x"));
        assert_eq!(Severity::from_code(3), Some(Severity::Error));
        assert_eq!(Severity::from_code(8), None);
    }
}
