//! The rules of the Japanese Act on National Holidays (国民の祝日に関する法律)
//! and its special laws, year by year from 1949.
//!
//! Fixed days and Happy-Monday days are listed first, then 振替休日
//! (substitute holidays) and 国民の休日 (citizens' holidays) are derived
//! from them with the rule in force that year.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::HolidayName::{self, *};

/// First year with national holidays under the 1948 act.
pub const FIRST_YEAR: i32 = 1949;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The `n`th Monday of a month (Happy Monday system).
fn nth_monday(y: i32, m: u32, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, n).unwrap_or(NaiveDate::MIN)
}

/// Day of March of the vernal equinox (standard approximation formula).
pub fn vernal_equinox_day(y: i32) -> u32 {
    equinox(y, 20_835_700, 20_843_100, 21_851_000)
}

/// Day of September of the autumnal equinox (standard approximation formula).
pub fn autumnal_equinox_day(y: i32) -> u32 {
    equinox(y, 23_258_800, 23_248_800, 24_248_800)
}

/// `int(C + 0.242194 (Y − 1980) − int((Y − B) / 4))` in millionths, with
/// C and B per era: B = 1983 before 1980, B = 1980 after. The 2100–2150
/// constants are also used beyond 2150, where the formula is only a guess.
fn equinox(y: i32, before_1980: i64, until_2099: i64, from_2100: i64) -> u32 {
    let y = i64::from(y);
    let (c, b) = match y {
        ..1980 => (before_1980, 1983),
        1980..2100 => (until_2099, 1980),
        _ => (from_2100, 1980),
    };
    let micros = c + 242_194 * (y - 1980) - 1_000_000 * ((y - b) / 4);
    u32::try_from(micros / 1_000_000).unwrap_or(0)
}

/// The named holidays of a year (no substitute or citizens' holidays), sorted.
pub fn named_holidays(y: i32) -> Vec<(NaiveDate, HolidayName)> {
    if y < FIRST_YEAR {
        return Vec::new();
    }
    let mut days = vec![(ymd(y, 1, 1), NewYearsDay)];
    let mut add = |date: NaiveDate, name| days.push((date, name));
    add(
        if y < 2000 {
            ymd(y, 1, 15)
        } else {
            nth_monday(y, 1, 2)
        },
        ComingOfAgeDay,
    );
    if y >= 1967 {
        add(ymd(y, 2, 11), NationalFoundationDay);
    }
    if y >= 2020 {
        add(ymd(y, 2, 23), EmperorsBirthday);
    }
    add(ymd(y, 3, vernal_equinox_day(y)), VernalEquinoxDay);
    add(
        ymd(y, 4, 29),
        match y {
            ..1989 => EmperorsBirthday,
            1989..2007 => GreeneryDay,
            _ => ShowaDay,
        },
    );
    add(ymd(y, 5, 3), ConstitutionMemorialDay);
    if y >= 2007 {
        add(ymd(y, 5, 4), GreeneryDay);
    }
    add(ymd(y, 5, 5), ChildrensDay);
    match y {
        ..1996 => {}
        1996..2003 => add(ymd(y, 7, 20), MarineDay),
        2020 => add(ymd(y, 7, 23), MarineDay),
        2021 => add(ymd(y, 7, 22), MarineDay),
        _ => add(nth_monday(y, 7, 3), MarineDay),
    }
    match y {
        ..2016 => {}
        2020 => add(ymd(y, 8, 10), MountainDay),
        2021 => add(ymd(y, 8, 8), MountainDay),
        _ => add(ymd(y, 8, 11), MountainDay),
    }
    match y {
        ..1966 => {}
        1966..2003 => add(ymd(y, 9, 15), RespectForTheAgedDay),
        _ => add(nth_monday(y, 9, 3), RespectForTheAgedDay),
    }
    add(ymd(y, 9, autumnal_equinox_day(y)), AutumnalEquinoxDay);
    match y {
        ..1966 => {}
        1966..2000 => add(ymd(y, 10, 10), HealthAndSportsDay),
        2000..2020 => add(nth_monday(y, 10, 2), HealthAndSportsDay),
        2020 => add(ymd(y, 7, 24), SportsDay),
        2021 => add(ymd(y, 7, 23), SportsDay),
        _ => add(nth_monday(y, 10, 2), SportsDay),
    }
    add(ymd(y, 11, 3), CultureDay);
    add(ymd(y, 11, 23), LabourThanksgivingDay);
    if (1989..2019).contains(&y) {
        add(ymd(y, 12, 23), EmperorsBirthday);
    }
    for (date, name) in SPECIAL_DAYS {
        if date.0 == y {
            add(ymd(date.0, date.1, date.2), name);
        }
    }
    days.sort();
    days
}

/// One-off holidays set by special laws.
const SPECIAL_DAYS: [((i32, u32, u32), HolidayName); 6] = [
    ((1959, 4, 10), RoyalWedding1959),
    ((1989, 2, 24), ShowaFuneral),
    ((1990, 11, 12), EnthronementCeremony1990),
    ((1993, 6, 9), RoyalWedding1993),
    ((2019, 5, 1), EnthronementDay2019),
    ((2019, 10, 22), EnthronementCeremony2019),
];

/// Every holiday of a year, sorted by date.
pub fn all_holidays(y: i32) -> Vec<(NaiveDate, HolidayName)> {
    let named = named_holidays(y);
    let is_named = |d: NaiveDate| named.binary_search_by_key(&d, |h| h.0).is_ok();
    let next = |d: NaiveDate| d.checked_add_days(Days::new(1)).unwrap_or(d);
    let mut extra: Vec<(NaiveDate, HolidayName)> = Vec::new();
    // 振替休日: from 1973-04-12; before 2007 only the Monday after, from
    // 2007 the first following day that is not itself a national holiday.
    for &(date, _) in &named {
        if date.weekday() != Weekday::Sun || date < ymd(1973, 4, 12) {
            continue;
        }
        let mut sub = next(date);
        if y >= 2007 {
            while is_named(sub) {
                sub = next(sub);
            }
        }
        if !is_named(sub) {
            extra.push((sub, SubstituteHoliday));
        }
    }
    // 国民の休日: from 1985-12-27, a day between two national holidays;
    // before 2007 a Sunday or a substitute holiday did not qualify.
    if y >= 1986 {
        for pair in named.windows(2) {
            let between = next(pair[0].0);
            let taken = extra.iter().any(|e| e.0 == between);
            let sunday_excluded = y < 2007 && between.weekday() == Weekday::Sun;
            if next(between) == pair[1].0 && !taken && !sunday_excluded {
                extra.push((between, CitizensHoliday));
            }
        }
    }
    let mut all = named;
    // A substitute for a late-December Sunday could spill into January.
    all.extend(extra.into_iter().filter(|e| e.0.year() == y));
    all.sort();
    all
}
