//! A user's notification preferences: which events, which channels, quiet hours in the
//! user's time zone. During quiet hours in-app entries arrive as usual (they are silent) and
//! e-mail is **held** until the quiet hours end — except urgent mail (a critical ticket or an
//! on-call page), which goes at once. On-call pages ignore the event choices too.
use super::{Delivery, Event};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The channels chosen for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub in_app: bool,
    pub email: bool,
}

/// `HH:MM`–`HH:MM` local time; may wrap past midnight (`22:00`–`07:00`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prefs {
    /// IANA zone of the quiet hours, e.g. `Asia/Tokyo`.
    pub time_zone: String,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    /// Per event type (`ticket.created`, …); events left out take the defaults.
    #[serde(default)]
    pub events: BTreeMap<String, Choice>,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            time_zone: "Asia/Tokyo".into(),
            quiet_hours: None,
            events: BTreeMap::new(),
        }
    }
}

/// When e-mail goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailWhen {
    No,
    Now,
    /// Held until the end of the quiet hours.
    At(DateTime<Utc>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub in_app: bool,
    pub email: EmailWhen,
}

fn hm(field: &str, s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| format!("{field}: `{s}` is not HH:MM"))
}

impl Prefs {
    /// Check zone, times and event names; the error names the field.
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.tz().map_err(|e| ("time_zone".to_string(), e))?;
        if let Some(q) = &self.quiet_hours {
            let (s, e) = (hm("start", &q.start), hm("end", &q.end));
            let (s, e) = (
                s.map_err(|m| ("quiet_hours".to_string(), m))?,
                e.map_err(|m| ("quiet_hours".to_string(), m))?,
            );
            if s == e {
                return Err(("quiet_hours".into(), "start and end are the same".into()));
            }
        }
        for k in self.events.keys() {
            if Event::parse(k).is_none() {
                return Err(("events".into(), format!("unknown event type `{k}`")));
            }
        }
        Ok(())
    }

    fn tz(&self) -> Result<Tz, String> {
        self.time_zone
            .parse::<Tz>()
            .map_err(|_| format!("`{}` is not an IANA time zone", self.time_zone))
    }

    pub fn choice(&self, event: Event) -> Choice {
        self.events.get(event.as_str()).copied().unwrap_or(Choice {
            in_app: true,
            email: event.email_by_default(),
        })
    }

    /// When the quiet hours around `now` end, or `None` outside quiet hours.
    pub fn quiet_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let q = self.quiet_hours.as_ref()?;
        let tz = self.tz().ok()?;
        let (start, end) = (hm("start", &q.start).ok()?, hm("end", &q.end).ok()?);
        let local = now.with_timezone(&tz);
        let t = local.time();
        let quiet = if start < end {
            t >= start && t < end
        } else {
            t >= start || t < end
        };
        if !quiet {
            return None;
        }
        let day = if t < end {
            local.date_naive()
        } else {
            local.date_naive() + Duration::days(1)
        };
        let at = day.and_time(end);
        let end = tz.from_local_datetime(&at).earliest().or_else(|| {
            tz.from_local_datetime(&(at + Duration::hours(1)))
                .earliest()
        })?;
        Some(end.with_timezone(&Utc))
    }

    /// The channels for one delivery of `event` at `now`.
    pub fn channels(&self, event: Event, d: &Delivery, now: DateTime<Utc>) -> Channels {
        let c = if d.page {
            Choice {
                in_app: true,
                email: true,
            }
        } else {
            self.choice(event)
        };
        let email = match (c.email, d.urgent, self.quiet_until(now)) {
            (false, _, _) => EmailWhen::No,
            (true, true, _) | (true, false, None) => EmailWhen::Now,
            (true, false, Some(end)) => EmailWhen::At(end),
        };
        Channels {
            in_app: c.in_app,
            email,
        }
    }
}
