//! RFC 3164 (BSD) syslog and the variants met in the field.
//!
//! `[SEQ: ][HOST: ][*|.]TIMESTAMP[:] [HOSTNAME] TAG[PID]: MSG`, where every part may be
//! missing. Cisco IOS messages (`%FAC-SEV-MNEMONIC: text`) get the mnemonic as app name;
//! Junos event tags at the start of the text (`UI_COMMIT: ...`) become the msgid.

use super::{DecodeContext, SyslogFormat, SyslogMessage, field, timestamp};

fn is_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-_:".contains(&c))
        && !h.ends_with(':')
}

/// `123: ` (Cisco sequence number).
fn sequence(s: &str) -> Option<(u64, &str)> {
    let (w, rest) = field(s);
    let n = w.strip_suffix(':')?;
    (!n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        .then(|| Some((n.parse().ok()?, rest)))?
}

fn clock_flag(s: &str) -> &str {
    s.strip_prefix(['*', '.']).unwrap_or(s)
}

/// `prog[pid]: ` → (prog, pid, rest).
fn tag(s: &str) -> Option<(&str, Option<&str>, &str)> {
    let end = s.find([':', '[', ' '])?;
    let name = &s[..end];
    let ok = |c: u8| c.is_ascii_alphanumeric() || b"_-./()@".contains(&c);
    if name.is_empty() || name.len() > 64 || !name.bytes().all(ok) {
        return None;
    }
    let (pid, rest) = match s[end..].strip_prefix('[') {
        Some(r) => {
            let close = r.find(']')?;
            (Some(&r[..close]), &r[close + 1..])
        }
        None => (None, &s[end..]),
    };
    let rest = rest.strip_prefix(':')?;
    Some((name, pid, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// `%SYS-5-CONFIG_I: text` → (mnemonic, text).
fn cisco_mnemonic(s: &str) -> Option<(&str, &str)> {
    let (name, text) = s.strip_prefix('%')?.split_once(':')?;
    let ok = name
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    (ok && name.contains('-')).then(|| (name, text.strip_prefix(' ').unwrap_or(text)))
}

/// `UI_COMMIT: text` (Junos event tag) → (tag, text).
fn event_tag(s: &str) -> Option<(&str, &str)> {
    let (name, text) = s.split_once(": ")?;
    let ok = name.len() >= 3
        && name
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
        && name.contains('_')
        && name.as_bytes()[0].is_ascii_uppercase();
    ok.then_some((name, text))
}

pub(super) fn decode(rest: &str, ctx: &DecodeContext, m: &mut SyslogMessage) {
    let mut s = rest.trim_start_matches(' ');
    let mut cisco = false;
    if let Some(after) = s.strip_prefix(": ") {
        // Cisco with `no service sequence-numbers` still writes the colon.
        s = after;
        cisco = true;
    }
    if let Some((seq, after)) = sequence(s) {
        m.sequence = Some(seq);
        s = after.trim_start_matches(' ');
        cisco = true;
    }
    let (h, after) = field(s);
    if let Some(host) = h.strip_suffix(':')
        && is_hostname(host)
        && timestamp::parse(clock_flag(after.trim_start_matches(' ')), ctx).is_some()
    {
        m.hostname = Some(host.to_string());
        s = after.trim_start_matches(' ');
    }
    let mut structured = false;
    if let Some((ts, after)) = timestamp::parse(clock_flag(s), ctx) {
        m.timestamp = Some(ts);
        s = after
            .strip_prefix(':')
            .unwrap_or(after)
            .trim_start_matches(' ');
        structured = true;
    }
    if let Some((name, text)) = cisco_mnemonic(s) {
        m.format = SyslogFormat::Cisco;
        m.app_name = Some(name.to_string());
        m.message = text.to_string();
        return;
    }
    if structured && m.hostname.is_none() {
        let (h, after) = field(s);
        if is_hostname(h) && !after.is_empty() && tag(s).is_none() {
            m.hostname = Some(h.to_string());
            s = after.trim_start_matches(' ');
        }
    }
    if let Some((name, pid, text)) = tag(s) {
        m.app_name = Some(name.to_string());
        m.proc_id = pid.map(str::to_string);
        s = text;
        structured = true;
        if let Some((ev, text)) = event_tag(s) {
            m.msg_id = Some(ev.to_string());
            s = text;
        }
    }
    m.format = match (cisco, structured) {
        (true, _) => SyslogFormat::Cisco,
        (false, true) => SyslogFormat::Rfc3164,
        (false, false) => SyslogFormat::Unstructured,
    };
    m.message = s.to_string();
}
