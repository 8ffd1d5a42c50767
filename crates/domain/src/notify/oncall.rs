//! The on-call rota: members take turns, handing over at a local time of day, daily or
//! weekly, from a first day; overrides put someone else on call for a time range — in place
//! of one member (an absence) or of whoever is scheduled (cover). Later overrides win.
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Daily,
    Weekly,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "daily" => Some(Period::Daily),
            "weekly" => Some(Period::Weekly),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "daily",
            Period::Weekly => "weekly",
        }
    }
    fn days(self) -> i64 {
        match self {
            Period::Daily => 1,
            Period::Weekly => 7,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    pub members: Vec<String>,
    pub handover: NaiveTime,
    pub period: Period,
    pub tz: Tz,
    pub starts_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub user: String,
    /// `Some(x)`: only while `x` is scheduled; `None`: whoever is scheduled.
    pub replaces: Option<String>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Someone on call from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub user: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The scheduled member this shift stands in for (an override).
    pub instead_of: Option<String>,
}

impl Rotation {
    /// The instant shift `k` starts (local hand-over on `starts_on + k periods`).
    fn boundary(&self, k: i64) -> DateTime<Utc> {
        let day = self.starts_on + Duration::days(k * self.period.days());
        let at = day.and_time(self.handover);
        // A hand-over inside a DST gap moves to the first instant after it.
        let local = self.tz.from_local_datetime(&at).earliest().or_else(|| {
            self.tz
                .from_local_datetime(&(at + Duration::hours(1)))
                .earliest()
        });
        local.map_or_else(|| at.and_utc(), |l| l.with_timezone(&Utc))
    }

    /// The index of the shift running at `t` (negative before the first).
    fn index_at(&self, t: DateTime<Utc>) -> i64 {
        let local = t.with_timezone(&self.tz);
        let mut days = (local.date_naive() - self.starts_on).num_days();
        if local.time() < self.handover {
            days -= 1;
        }
        let mut k = days.div_euclid(self.period.days());
        // Correct for DST shifts of the boundary itself.
        while self.boundary(k) > t {
            k -= 1;
        }
        while self.boundary(k + 1) <= t {
            k += 1;
        }
        k
    }

    fn member(&self, k: i64) -> Option<&String> {
        if k < 0 || self.members.is_empty() {
            return None;
        }
        self.members
            .get(k.rem_euclid(self.members.len() as i64) as usize)
    }
}

/// Who is on call over `[from, to)`, shift by shift, overrides applied; adjacent pieces of
/// one person are merged. Times before the rotation starts have nobody.
pub fn schedule(
    rot: &Rotation,
    overrides: &[Override],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Shift> {
    let mut cuts = vec![from, to];
    let mut k = rot.index_at(from);
    loop {
        let b = rot.boundary(k + 1);
        if b >= to {
            break;
        }
        cuts.push(b);
        k += 1;
    }
    for o in overrides {
        for b in [o.start, o.end] {
            if b > from && b < to {
                cuts.push(b);
            }
        }
    }
    cuts.sort();
    cuts.dedup();
    let mut out: Vec<Shift> = vec![];
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let scheduled = rot.member(rot.index_at(a));
        let over = overrides.iter().rev().find(|o| {
            o.start <= a
                && a < o.end
                && match &o.replaces {
                    Some(x) => scheduled == Some(x),
                    None => true,
                }
        });
        let (user, instead_of) = match (over, scheduled) {
            (Some(o), s) => (o.user.clone(), s.cloned()),
            (None, Some(s)) => (s.clone(), None),
            (None, None) => continue,
        };
        match out.last_mut() {
            Some(l) if l.end == a && l.user == user && l.instead_of == instead_of => l.end = b,
            _ => out.push(Shift {
                user,
                start: a,
                end: b,
                instead_of,
            }),
        }
    }
    out
}

/// The shift running at `t` and the next one (a different person), looking up to 8 weeks
/// ahead. The current shift's start is clipped to `t`.
pub fn on_call_at(
    rot: &Rotation,
    overrides: &[Override],
    t: DateTime<Utc>,
) -> (Option<Shift>, Option<Shift>) {
    let s = schedule(rot, overrides, t, t + Duration::weeks(8));
    let mut it = s.into_iter();
    match it.next() {
        Some(first) if first.start == t => {
            let next = it.find(|n| n.user != first.user);
            (Some(first), next)
        }
        Some(first) => (None, Some(first)),
        None => (None, None),
    }
}
