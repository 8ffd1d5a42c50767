//! Tests of BSD syslog decoding and of the vendor variants.

use super::*;
use chrono::{TimeZone, Utc};

fn d(s: &[u8]) -> SyslogMessage {
    decode(
        s,
        &DecodeContext::utc(Utc.with_ymd_and_hms(2024, 5, 10, 0, 0, 0).unwrap()),
    )
}

#[test]
fn classic_bsd() {
    let m =
        d(b"<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8\n");
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
    let m = d(b"<189>123: *Mar  1 18:46:11.123: %SYS-5-CONFIG_I: Configured from console by vty0");
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
    let m = d(b"<30>Mar 12 10:20:30  router1 /kernel: KERN_ARP_ADDR_CHANGE: arp info overwritten");
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
