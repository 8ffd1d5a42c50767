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

#[cfg(test)]
mod tests {
    use super::super::{Severity, decode as decode_any};
    use super::*;
    use chrono::{TimeZone, Utc};

    fn d(s: &[u8]) -> SyslogMessage {
        decode_any(
            s,
            &DecodeContext::utc(Utc.with_ymd_and_hms(2024, 5, 10, 0, 0, 0).unwrap()),
        )
    }

    #[test]
    fn classic_bsd() {
        let m = d(
            b"<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8\n",
        );
        assert_eq!(m.format, SyslogFormat::Rfc3164);
        assert_eq!(
            (m.facility, m.severity),
            (Some(4), Some(Severity::Critical))
        );
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2023-10-11T22:14:15+00:00"
        );
        assert_eq!(m.hostname.as_deref(), Some("mymachine"));
        assert_eq!(
            (m.app_name.as_deref(), m.proc_id.as_deref()),
            (Some("su"), Some("123"))
        );
        assert_eq!(m.message, "'su root' failed for lonvick on /dev/pts/8");
    }

    #[test]
    fn no_pri_no_host_and_non_utf8() {
        let m = d(b"May  9 08:00:01 CRON[42]: caf\xe9 \xe2\x9c\x93 done");
        assert_eq!((m.facility, m.severity), (None, None));
        assert_eq!(m.hostname, None);
        assert_eq!(m.app_name.as_deref(), Some("CRON"));
        assert_eq!(m.message, "caf\u{fffd} \u{2713} done");
        let m = d(b"just some text");
        assert_eq!(m.format, SyslogFormat::Unstructured);
        assert_eq!(m.message, "just some text");
    }

    #[test]
    fn cisco_ios() {
        let m =
            d(b"<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0");
        assert_eq!(m.format, SyslogFormat::Cisco);
        assert_eq!(m.sequence, Some(123));
        assert_eq!(m.severity, Some(Severity::Notice));
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2024-03-01T18:46:11.123+00:00"
        );
        assert_eq!(m.app_name.as_deref(), Some("SYS-5-CONFIG_I"));
        assert_eq!(m.message, "Configured from console by vty0");
        let m = d(b"<187>4521: rtr1: .Mar 1 2023 10:00:00 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down");
        assert_eq!(m.hostname.as_deref(), Some("rtr1"));
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2023-03-01T10:00:00+00:00"
        );
        assert_eq!(m.app_name.as_deref(), Some("LINK-3-UPDOWN"));
    }

    #[test]
    fn cisco_variants() {
        let m = d(b"<189>: *Mar  1 18:46:11: %SYS-5-CONFIG_I: Configured");
        assert_eq!((m.format, m.sequence), (SyslogFormat::Cisco, None));
        assert_eq!(m.app_name.as_deref(), Some("SYS-5-CONFIG_I"));
        let m = d(b"<166>%ASA-6-302013: Built outbound TCP connection 1 for outside:10.0.0.1/443");
        assert_eq!(m.format, SyslogFormat::Cisco);
        assert_eq!(m.app_name.as_deref(), Some("ASA-6-302013"));
        assert_eq!(m.severity, Some(Severity::Informational));
        let m = d(b"<187>2022 Mar  1 18:46:11 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down");
        assert_eq!(
            m.timestamp.unwrap().to_rfc3339(),
            "2022-03-01T18:46:11+00:00"
        );
        assert_eq!(
            m.app_name.as_deref(),
            Some("ETHPORT-5-IF_DOWN_LINK_FAILURE")
        );
    }

    #[test]
    fn junos_variants() {
        let m = d(b"<165>1 2007-10-11T22:14:15.003Z junos-router mgd 3046 UI_DBASE_LOGOUT_EVENT [junos@2636.1.1.1.2.18 username=\"regress\"] User 'regress' exiting configuration mode");
        assert_eq!(m.format, SyslogFormat::Rfc5424);
        assert_eq!(m.msg_id.as_deref(), Some("UI_DBASE_LOGOUT_EVENT"));
        assert_eq!(m.proc_id.as_deref(), Some("3046"));
        assert_eq!(m.message, "User 'regress' exiting configuration mode");
        let m =
            d(b"<30>Mar 12 10:20:30  router1 /kernel: KERN_ARP_ADDR_CHANGE: arp info overwritten");
        assert_eq!(m.hostname.as_deref(), Some("router1"));
        assert_eq!(m.app_name.as_deref(), Some("/kernel"));
        assert_eq!(m.msg_id.as_deref(), Some("KERN_ARP_ADDR_CHANGE"));
    }

    #[test]
    fn broken_5424_falls_back() {
        let m = d(b"<13>1 not-a-time host app - - - text");
        assert_eq!(m.format, SyslogFormat::Unstructured);
        assert_eq!(m.message, "1 not-a-time host app - - - text");
        assert_eq!(m.severity, Some(Severity::Notice));
    }

    #[test]
    fn junos_event_tag() {
        let m = d(b"<28>Mar 12 10:20:30 router1 mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation");
        assert_eq!(m.hostname.as_deref(), Some("router1"));
        assert_eq!(m.app_name.as_deref(), Some("mgd"));
        assert_eq!(m.msg_id.as_deref(), Some("UI_COMMIT"));
        assert_eq!(m.message, "User 'admin' requested 'commit' operation");
    }
}
