//! RFC 5424: `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`.

use chrono::{DateTime, Utc};

use super::{SyslogFormat, SyslogMessage, field};

fn nil(s: &str) -> Option<String> {
    (s != "-" && !s.is_empty()).then(|| s.to_string())
}

/// Reads the part after the PRI; returns false (leaving `m` alone) if it is not RFC 5424.
pub(super) fn decode(rest: &str, m: &mut SyslogMessage) -> bool {
    let (version, after) = field(rest);
    if version.is_empty() || version.len() > 2 || !version.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let (ts, after) = field(after);
    let timestamp = match ts {
        "-" => None,
        _ => match DateTime::parse_from_rfc3339(ts) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => return false,
        },
    };
    let (host, after) = field(after);
    let (app, after) = field(after);
    let (proc_id, after) = field(after);
    let (msg_id, after) = field(after);
    let Some((sd, msg)) = split_sd(after) else {
        return false;
    };
    m.format = SyslogFormat::Rfc5424;
    m.timestamp = timestamp;
    m.hostname = nil(host);
    m.app_name = nil(app);
    m.proc_id = nil(proc_id);
    m.msg_id = nil(msg_id);
    m.structured_data = nil(sd);
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    m.message = msg.strip_prefix('\u{feff}').unwrap_or(msg).to_string();
    true
}

/// Splits structured data (`-` or `[...]` elements, quotes and escapes honoured) from MSG.
fn split_sd(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('-') {
        return (rest.is_empty() || rest.starts_with(' ')).then_some(("-", rest));
    }
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let (mut quoted, mut escaped) = (false, false);
        i += 1;
        loop {
            let &c = b.get(i)?;
            i += 1;
            match c {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
        }
    }
    (i > 0).then(|| (&s[..i], &s[i..]))
}

#[cfg(test)]
mod tests {
    use super::super::{DecodeContext, Severity, decode as decode_any};
    use super::*;

    fn ctx() -> DecodeContext {
        DecodeContext::utc(
            DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
                .unwrap()
                .into(),
        )
    }

    #[test]
    fn full_message() {
        let raw = "<165>1 2003-10-11T22:14:15.003+02:00 mymachine.example.com evntslog - ID47 \
                   [exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"x]\"][b@1 a=\"1\"] \u{feff}An application event";
        let m = decode_any(raw.as_bytes(), &ctx());
        assert_eq!(m.format, SyslogFormat::Rfc5424);
        assert_eq!((m.facility, m.severity), (Some(20), Some(Severity::Notice)));
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2003-10-11T20:14:15.003+00:00"
        );
        assert_eq!(m.hostname.as_deref(), Some("mymachine.example.com"));
        assert_eq!(m.app_name.as_deref(), Some("evntslog"));
        assert_eq!(m.proc_id, None);
        assert_eq!(m.msg_id.as_deref(), Some("ID47"));
        assert_eq!(
            m.structured_data.as_deref(),
            Some("[exampleSDID@32473 iut=\"3\" eventSource=\"App\\\"x]\"][b@1 a=\"1\"]")
        );
        assert_eq!(m.message, "An application event");
    }

    #[test]
    fn nil_values_and_no_message() {
        let m = decode_any(b"<34>1 - - - - - -", &ctx());
        assert_eq!(m.format, SyslogFormat::Rfc5424);
        assert_eq!(
            (m.timestamp, m.hostname, m.structured_data),
            (None, None, None)
        );
        assert_eq!(m.message, "");
    }
}
