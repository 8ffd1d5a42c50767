//! Names of Japanese national holidays, in English and Japanese.

/// Which holiday a date is. Every variant has an English and a Japanese name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayName {
    /// 元日, January 1.
    NewYearsDay,
    /// 成人の日.
    ComingOfAgeDay,
    /// 建国記念の日, February 11 (from 1967).
    NationalFoundationDay,
    /// 天皇誕生日 (the date follows the reigning emperor).
    EmperorsBirthday,
    /// 春分の日.
    VernalEquinoxDay,
    /// 昭和の日, April 29 (from 2007).
    ShowaDay,
    /// みどりの日 (April 29 in 1989–2006, May 4 from 2007).
    GreeneryDay,
    /// 憲法記念日, May 3.
    ConstitutionMemorialDay,
    /// こどもの日, May 5.
    ChildrensDay,
    /// 海の日 (from 1996).
    MarineDay,
    /// 山の日 (from 2016).
    MountainDay,
    /// 敬老の日 (from 1966).
    RespectForTheAgedDay,
    /// 秋分の日.
    AutumnalEquinoxDay,
    /// 体育の日 (1966–2019).
    HealthAndSportsDay,
    /// スポーツの日 (from 2020).
    SportsDay,
    /// 文化の日, November 3.
    CultureDay,
    /// 勤労感謝の日, November 23.
    LabourThanksgivingDay,
    /// 振替休日: replaces a holiday that fell on a Sunday.
    SubstituteHoliday,
    /// 国民の休日: a day between two national holidays.
    CitizensHoliday,
    /// 皇太子明仁親王の結婚の儀, 1959-04-10.
    RoyalWedding1959,
    /// 昭和天皇の大喪の礼, 1989-02-24.
    ShowaFuneral,
    /// 即位礼正殿の儀, 1990-11-12.
    EnthronementCeremony1990,
    /// 皇太子徳仁親王の結婚の儀, 1993-06-09.
    RoyalWedding1993,
    /// 天皇の即位の日, 2019-05-01.
    EnthronementDay2019,
    /// 即位礼正殿の儀の行われる日, 2019-10-22.
    EnthronementCeremony2019,
}

impl HolidayName {
    /// The English name.
    pub fn english(self) -> &'static str {
        use HolidayName::*;
        match self {
            NewYearsDay => "New Year's Day",
            ComingOfAgeDay => "Coming of Age Day",
            NationalFoundationDay => "National Foundation Day",
            EmperorsBirthday => "Emperor's Birthday",
            VernalEquinoxDay => "Vernal Equinox Day",
            ShowaDay => "Showa Day",
            GreeneryDay => "Greenery Day",
            ConstitutionMemorialDay => "Constitution Memorial Day",
            ChildrensDay => "Children's Day",
            MarineDay => "Marine Day",
            MountainDay => "Mountain Day",
            RespectForTheAgedDay => "Respect for the Aged Day",
            AutumnalEquinoxDay => "Autumnal Equinox Day",
            HealthAndSportsDay => "Health and Sports Day",
            SportsDay => "Sports Day",
            CultureDay => "Culture Day",
            LabourThanksgivingDay => "Labour Thanksgiving Day",
            SubstituteHoliday => "Substitute Holiday",
            CitizensHoliday => "Citizens' Holiday",
            RoyalWedding1959 => "Wedding of Crown Prince Akihito",
            ShowaFuneral => "Funeral of Emperor Showa",
            EnthronementCeremony1990 => "Enthronement Ceremony",
            RoyalWedding1993 => "Wedding of Crown Prince Naruhito",
            EnthronementDay2019 => "Enthronement Day",
            EnthronementCeremony2019 => "Enthronement Ceremony Day",
        }
    }

    /// The Japanese name.
    pub fn japanese(self) -> &'static str {
        use HolidayName::*;
        match self {
            NewYearsDay => "元日",
            ComingOfAgeDay => "成人の日",
            NationalFoundationDay => "建国記念の日",
            EmperorsBirthday => "天皇誕生日",
            VernalEquinoxDay => "春分の日",
            ShowaDay => "昭和の日",
            GreeneryDay => "みどりの日",
            ConstitutionMemorialDay => "憲法記念日",
            ChildrensDay => "こどもの日",
            MarineDay => "海の日",
            MountainDay => "山の日",
            RespectForTheAgedDay => "敬老の日",
            AutumnalEquinoxDay => "秋分の日",
            HealthAndSportsDay => "体育の日",
            SportsDay => "スポーツの日",
            CultureDay => "文化の日",
            LabourThanksgivingDay => "勤労感謝の日",
            SubstituteHoliday => "振替休日",
            CitizensHoliday => "国民の休日",
            RoyalWedding1959 => "皇太子明仁親王の結婚の儀",
            ShowaFuneral => "昭和天皇の大喪の礼",
            EnthronementCeremony1990 => "即位礼正殿の儀",
            RoyalWedding1993 => "皇太子徳仁親王の結婚の儀",
            EnthronementDay2019 => "天皇の即位の日",
            EnthronementCeremony2019 => "即位礼正殿の儀の行われる日",
        }
    }
}
