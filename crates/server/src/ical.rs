//! iCalendar (RFC 5545) rendering of calendar entries, written by hand (small, and every rule
//! the feed needs is here): CRLF line endings, content lines folded at 75 octets without
//! splitting a UTF-8 character, TEXT values escaped, times in UTC (`…Z`, so no VTIMEZONE is
//! needed), all-day entries as `VALUE=DATE`. Each VEVENT has UID (stable: kind and record
//! id), DTSTAMP, DTSTART and DTEND.
use chrono::{DateTime, Utc};
use onestop_store::CalendarEntry;

/// Escape a TEXT value (RFC 5545 3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Append one content line, folded at 75 octets (continuations start with a space).
pub fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn date(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y%m%d")
        .to_string()
}

/// The whole calendar. `base_url` (no trailing slash) makes entries' links absolute.
pub fn render(name: &str, entries: &[CalendarEntry], now_ms: i64, base_url: &str) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//onestop//calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ] {
        push_line(&mut out, l);
    }
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let stamp = utc(now_ms);
    for e in entries {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}-{}@onestop", e.kind, e.id));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        if e.all_day {
            push_line(
                &mut out,
                &format!("DTSTART;VALUE=DATE:{}", date(e.starts_at)),
            );
            push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(e.ends_at)));
        } else {
            push_line(&mut out, &format!("DTSTART:{}", utc(e.starts_at)));
            push_line(
                &mut out,
                &format!("DTEND:{}", utc(e.ends_at.max(e.starts_at))),
            );
        }
        push_line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.updated_at)));
        push_line(&mut out, &format!("SUMMARY:{}", escape(&e.title)));
        let mut desc = format!("{}\n{}", e.customer_name, e.detail);
        if let Some(who) = &e.engineer {
            desc.push_str(&format!("\n{who}"));
        }
        push_line(&mut out, &format!("DESCRIPTION:{}", escape(&desc)));
        push_line(&mut out, &format!("CATEGORIES:{}", escape(&e.kind)));
        if let Some(link) = &e.link {
            push_line(&mut out, &format!("URL:{base_url}{link}"));
        }
        push_line(&mut out, "STATUS:CONFIRMED");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_folds_on_character_boundaries() {
        assert_eq!(escape("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "障害".repeat(40));
        push_line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn events_have_uid_stamp_start_in_utc() {
        let e = CalendarEntry {
            kind: "dispatch".into(),
            id: "d1".into(),
            title: "INC-2027-000001 PSU, failed".into(),
            starts_at: 1_800_000_000_000,
            ends_at: 1_800_003_600_000,
            all_day: false,
            customer_id: "c".into(),
            customer_name: "Acme".into(),
            engineer_id: None,
            engineer: Some("ken".into()),
            detail: "field visit (planned)".into(),
            link: Some("/tickets/t1".into()),
            updated_at: 1_700_000_000_000,
        };
        let day = CalendarEntry {
            kind: "planned".into(),
            all_day: true,
            ends_at: 1_800_000_000_000 + 86_400_000,
            ..e.clone()
        };
        let text = render("Acme", &[e, day], 1_790_000_000_000, "https://x.example");
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        assert!(text.contains("UID:dispatch-d1@onestop\r\n"));
        assert!(text.contains("DTSTART:20270115T080000Z\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270115\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20270116\r\n"));
        assert!(text.contains("SUMMARY:INC-2027-000001 PSU\\, failed\r\n"));
        assert!(text.contains("URL:https://x.example/tickets/t1\r\n"));
        assert_eq!(text.matches("DTSTAMP:").count(), 2);
    }
}
