//! Timestamps found in BSD-style syslog lines.
//!
//! Accepted, after an optional Cisco clock flag (`*` not synchronised, `.` was synchronised):
//! RFC 3339 (`2003-10-11T22:14:15.003Z`, or without a zone: local time), and BSD
//! `[yyyy] Mmm dd [yyyy] hh:mm:ss[.fff] [yyyy] [ZONE]` with a space-padded day. Without a year the
//! year of the reference time is used, or the one before when that would put the message more
//! than a week after the reference (December lines received in January).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::DecodeContext;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Zone names understood after a time, with their offset in hours.
const ZONES: &[(&str, i32)] = &[
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
    ("EST", -5),
    ("EDT", -4),
    ("CST", -6),
    ("CDT", -5),
    ("MST", -7),
    ("MDT", -6),
    ("PST", -8),
    ("PDT", -7),
    ("CET", 1),
    ("CEST", 2),
    ("BST", 1),
    ("JST", 9),
    ("KST", 9),
    ("IST", 5),
];

fn month(s: &str) -> Option<u32> {
    let s = s.get(..3)?.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == s).map(|i| i as u32 + 1)
}

fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok())?
}

fn next_word(s: &str) -> (&str, &str) {
    let s = s.trim_start_matches(' ');
    let end = s.find(' ').unwrap_or(s.len());
    (&s[..end], &s[end..])
}

/// Parses a timestamp at the start of `s`; returns it and what follows.
pub(super) fn parse<'a>(s: &'a str, ctx: &DecodeContext) -> Option<(DateTime<Utc>, &'a str)> {
    let local = |naive: NaiveDateTime, offset: i32| {
        Utc.from_utc_datetime(&(naive - Duration::seconds(i64::from(offset))))
    };
    let (first, rest) = next_word(s);
    if first.len() >= 10 && first.as_bytes()[4] == b'-' {
        if let Ok(t) = DateTime::parse_from_rfc3339(first) {
            return Some((t.with_timezone(&Utc), rest));
        }
        let naive = NaiveDateTime::parse_from_str(first, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
        return Some((local(naive, ctx.local_offset_secs), rest));
    }
    // NX-OS writes the year first: `2024 Mar  1 18:46:11 UTC`.
    let (lead_year, first, rest) = match year(first) {
        Some(y) => {
            let (m, r) = next_word(rest);
            (Some(y), m, r)
        }
        None => (None, first, rest),
    };
    if first.len() != 3 {
        return None;
    }
    let mon = month(first)?;
    let (day, rest) = next_word(rest);
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let (mut w, mut rest) = next_word(rest);
    let mut yr = lead_year.or(year(w));
    if lead_year.is_none() && yr.is_some() {
        (w, rest) = next_word(rest);
    }
    let clock = w.trim_end_matches(':');
    let time = NaiveTime::parse_from_str(clock, "%H:%M:%S%.f").ok()?;
    if yr.is_none() && clock.len() == w.len() {
        let (w2, r2) = next_word(rest);
        if let Some(y) = year(w2.trim_end_matches(':')) {
            (yr, rest) = (Some(y), r2);
        }
    }
    let mut offset = ctx.local_offset_secs;
    if clock.len() == w.len() {
        let (z, r2) = next_word(rest);
        if let Some((_, h)) = ZONES.iter().find(|(n, _)| *n == z.trim_end_matches(':')) {
            (offset, rest) = (h * 3600, r2);
        }
    }
    let at = |y: i32| NaiveDate::from_ymd_opt(y, mon, day).map(|d| local(d.and_time(time), offset));
    let ts = match yr {
        Some(y) => at(y)?,
        None => {
            let this = at(ctx.reference.year());
            match this {
                Some(t) if t <= ctx.reference + Duration::days(7) => t,
                _ => at(ctx.reference.year() - 1)?,
            }
        }
    };
    Some((ts, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> DecodeContext {
        DecodeContext::utc(Utc.with_ymd_and_hms(2024, 1, 3, 0, 0, 0).unwrap())
    }

    fn p(s: &str) -> Option<String> {
        parse(s, &ctx()).map(|(t, _)| t.to_rfc3339())
    }

    #[test]
    fn bsd_forms() {
        assert_eq!(
            p("Jan  2 10:00:00 host"),
            Some("2024-01-02T10:00:00+00:00".into())
        );
        assert_eq!(
            p("Dec 31 23:59:59 host"),
            Some("2023-12-31T23:59:59+00:00".into())
        );
        assert_eq!(
            p("Mar  1 18:46:11.123: %SYS"),
            Some("2023-03-01T18:46:11.123+00:00".into())
        );
        assert_eq!(
            p("Mar 1 2022 18:46:11 UTC: x"),
            Some("2022-03-01T18:46:11+00:00".into())
        );
        assert_eq!(
            p("Jun 17 07:07:00 2005 x"),
            Some("2005-06-17T07:07:00+00:00".into())
        );
        assert_eq!(
            p("Jan 2 10:00:00 EST x"),
            Some("2024-01-02T15:00:00+00:00".into())
        );
        assert_eq!(
            p("2003-10-11T22:14:15.003Z x"),
            Some("2003-10-11T22:14:15.003+00:00".into())
        );
        assert_eq!(
            p("2022 Mar  1 18:46:11 UTC: %X"),
            Some("2022-03-01T18:46:11+00:00".into())
        );
        assert_eq!(p("Foo 2 10:00:00"), None);
        assert_eq!(p("2022 host"), None);
        assert_eq!(p("Jan 32 10:00:00"), None);
    }

    #[test]
    fn local_offset_applies_without_zone() {
        let c = DecodeContext {
            local_offset_secs: 3600,
            ..ctx()
        };
        let (t, rest) = parse("Jan  2 10:00:00 host app: x", &c).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T09:00:00+00:00");
        assert_eq!(rest, " host app: x");
    }
}
