//! Table tests of the Japanese holiday rules, 2000–2030.

use chrono::Datelike;
use onestop_domain::calendar::jp::{self, HolidayName};

use crate::support::date;

/// The published list, one `date<TAB>Japanese name` a line.
const PUBLISHED: &str = include_str!("data/jp_holidays_2000_2030.tsv");

fn published() -> Vec<(String, String)> {
    PUBLISHED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (d, n) = l.split_once('\t').expect("tab-separated line");
            (d.to_string(), n.to_string())
        })
        .collect()
}

#[test]
fn every_holiday_2000_to_2030_matches_the_published_list() {
    let mine: Vec<(String, String)> = (2000..=2030)
        .flat_map(jp::holidays)
        .map(|h| (h.date.to_string(), h.name.japanese().to_string()))
        .collect();
    let reference = published();
    for (expected, got) in reference.iter().zip(&mine) {
        assert_eq!(expected, got);
    }
    assert_eq!(reference.len(), mine.len());
}

#[test]
fn holiday_counts_per_year() {
    let counts = [
        (2000, 15),
        (2001, 19),
        (2002, 18),
        (2003, 15),
        (2004, 15),
        (2005, 16),
        (2006, 16),
        (2007, 19),
        (2008, 17),
        (2009, 17),
        (2010, 16),
        (2011, 15),
        (2012, 18),
        (2013, 17),
        (2014, 17),
        (2015, 17),
        (2016, 17),
        (2017, 17),
        (2018, 20),
        (2019, 22),
        (2020, 18),
        (2021, 17),
        (2022, 16),
        (2023, 17),
        (2024, 21),
        (2025, 19),
        (2026, 18),
        (2027, 17),
        (2028, 16),
        (2029, 19),
        (2030, 19),
    ];
    for (year, count) in counts {
        assert_eq!(jp::holidays(year).len(), count, "holidays in {year}");
    }
}

#[test]
fn equinoxes_match_published_dates() {
    // Vernal equinox in March; autumnal in September (国立天文台 暦要項).
    let vernal_21 = [
        2002, 2003, 2006, 2007, 2010, 2011, 2014, 2015, 2018, 2019, 2022, 2023, 2027,
    ];
    let autumnal_22 = [2012, 2016, 2020, 2024, 2028];
    for year in 2000..=2030 {
        let v = if vernal_21.contains(&year) { 21 } else { 20 };
        let a = if autumnal_22.contains(&year) { 22 } else { 23 };
        assert_eq!(jp::vernal_equinox_day(year), v, "vernal equinox {year}");
        assert_eq!(jp::autumnal_equinox_day(year), a, "autumnal equinox {year}");
        assert_eq!(
            jp::holiday_on(date(year, 3, v)),
            Some(HolidayName::VernalEquinoxDay)
        );
        assert_eq!(
            jp::holiday_on(date(year, 9, a)),
            Some(HolidayName::AutumnalEquinoxDay)
        );
    }
    // Outside the tested span, a few published dates.
    assert_eq!(jp::vernal_equinox_day(1980), 20);
    assert_eq!(jp::autumnal_equinox_day(1979), 24);
    assert_eq!(jp::autumnal_equinox_day(2032), 22);
}

#[test]
fn citizens_holidays() {
    for (y, m, d) in [
        (2009, 9, 22),
        (2015, 9, 22),
        (2026, 9, 22),
        (2019, 4, 30),
        (2019, 5, 2),
    ] {
        assert_eq!(
            jp::holiday_on(date(y, m, d)),
            Some(HolidayName::CitizensHoliday),
            "{y}-{m}-{d}"
        );
    }
    // Before 2007, May 4 between two holidays was a citizens' holiday.
    assert_eq!(
        jp::holiday_on(date(2006, 5, 4)),
        Some(HolidayName::CitizensHoliday)
    );
    // ...and from 2007 it is Greenery Day.
    assert_eq!(
        jp::holiday_on(date(2007, 5, 4)),
        Some(HolidayName::GreeneryDay)
    );
    // 2020-09-22 is the equinox itself, the day before is Respect for the Aged.
    assert_eq!(
        jp::holiday_on(date(2020, 9, 22)),
        Some(HolidayName::AutumnalEquinoxDay)
    );
}

#[test]
fn substitute_holidays_follow_the_rule_of_the_year() {
    let subs = [
        (2006, 1, 2), // New Year's Day on a Sunday
        (2008, 5, 6), // 2007 rule: May 4 Sunday, next free day is May 6
        (2009, 5, 6), // May 3 Sunday, May 4/5 taken, so May 6
        (2013, 5, 6),
        (2019, 5, 6),
        (2019, 8, 12),
        (2021, 8, 9),  // Olympic Mountain Day on Sunday 8/8
        (2027, 3, 22), // Vernal equinox on a Sunday
    ];
    for (y, m, d) in subs {
        assert_eq!(
            jp::holiday_on(date(y, m, d)),
            Some(HolidayName::SubstituteHoliday),
            "{y}-{m}-{d}"
        );
    }
    // Pre-2007: Sunday May 4 was no holiday, so Tuesday May 6 had no substitute.
    assert_eq!(jp::holiday_on(date(2003, 5, 4)), None);
    assert_eq!(jp::holiday_on(date(2003, 5, 6)), None);
}

#[test]
fn law_changes_across_years() {
    use HolidayName::*;
    let cases = [
        ((2018, 12, 24), Some(SubstituteHoliday)),
        ((2018, 12, 23), Some(EmperorsBirthday)),
        ((2019, 12, 23), None),
        ((2019, 2, 23), None),
        ((2020, 2, 23), Some(EmperorsBirthday)),
        ((2020, 2, 24), Some(SubstituteHoliday)),
        ((2006, 4, 29), Some(GreeneryDay)),
        ((2007, 4, 29), Some(ShowaDay)),
        ((2002, 7, 20), Some(MarineDay)),
        ((2003, 7, 21), Some(MarineDay)),
        ((2002, 9, 15), Some(RespectForTheAgedDay)),
        ((2003, 9, 15), Some(RespectForTheAgedDay)),
        ((2004, 9, 20), Some(RespectForTheAgedDay)),
        ((2015, 8, 11), None),
        ((2016, 8, 11), Some(MountainDay)),
        ((2019, 10, 14), Some(HealthAndSportsDay)),
        ((2022, 10, 10), Some(SportsDay)),
        ((2020, 7, 23), Some(MarineDay)),
        ((2020, 7, 24), Some(SportsDay)),
        ((2020, 8, 10), Some(MountainDay)),
        ((2020, 7, 20), None),
        ((2020, 10, 12), None),
        ((2020, 8, 11), None),
        ((2021, 7, 22), Some(MarineDay)),
        ((2021, 7, 23), Some(SportsDay)),
        ((2021, 8, 8), Some(MountainDay)),
        ((2021, 10, 11), None),
        ((2019, 5, 1), Some(EnthronementDay2019)),
        ((2019, 10, 22), Some(EnthronementCeremony2019)),
        ((2000, 1, 10), Some(ComingOfAgeDay)),
        ((1999, 1, 15), Some(ComingOfAgeDay)),
        ((1999, 10, 10), Some(HealthAndSportsDay)),
        ((1990, 11, 12), Some(EnthronementCeremony1990)),
    ];
    for ((y, m, d), expected) in cases {
        assert_eq!(jp::holiday_on(date(y, m, d)), expected, "{y}-{m}-{d}");
        assert_eq!(
            jp::is_holiday(date(y, m, d)),
            expected.is_some(),
            "{y}-{m}-{d}"
        );
    }
}

#[test]
fn names_in_both_languages() {
    let h = jp::holidays(2026);
    let first = h.first().expect("New Year");
    assert_eq!(
        (first.name.english(), first.name.japanese()),
        ("New Year's Day", "元日")
    );
    let marine = h
        .iter()
        .find(|h| h.date == date(2026, 7, 20))
        .expect("Marine Day 2026");
    assert_eq!(
        (marine.name.english(), marine.name.japanese()),
        ("Marine Day", "海の日")
    );
    assert!(
        h.iter()
            .all(|h| h.date.year() == 2026 && !h.name.english().is_empty())
    );
}

#[test]
fn bitset_agrees_with_the_rules_for_every_day() {
    for year in [1950, 1975, 1988, 2000, 2019, 2030, 2099, 2150, 2299, 2301] {
        let list = jp::holidays(year);
        let mut d = date(year, 1, 1);
        while d.year() == year {
            let listed = list.iter().any(|h| h.date == d);
            assert_eq!(jp::is_holiday(d), listed, "{d}");
            d = d.succ_opt().expect("next day");
        }
    }
    assert!(jp::holidays(1948).is_empty());
}
