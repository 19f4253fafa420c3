//! Calendar dates: filing dates, effective dates of rules, deadlines.
//!
//! A thin wrapper over [`time::Date`] that parses the ISO 8601 forms portals send and
//! serializes as `YYYY-MM-DD`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Month, Weekday};

/// A calendar date (no time zone: 信访 deadlines count calendar days at the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    /// A date from its parts; `None` when it does not exist.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok().map(Date)
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T` or a space and a time of day (with or
    /// without seconds, fraction and offset). The time is ignored; the date is taken as written.
    ///
    /// ```
    /// use fenliu::Date;
    /// assert_eq!(Date::parse_iso("2020-01-06T12:09:38").map(|d| d.to_string()), Some("2020-01-06".into()));
    /// assert!(Date::parse_iso("2020-02-30").is_none());
    /// assert!(Date::parse_iso("06/01/2020").is_none());
    /// ```
    pub fn parse_iso(s: &str) -> Option<Self> {
        let s = s.trim();
        let date_part = s.get(..10)?;
        let rest = s.get(10..)?;
        let b = date_part.as_bytes();
        if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let year: i32 = date_part.get(0..4)?.parse().ok()?;
        let month: u8 = date_part.get(5..7)?.parse().ok()?;
        let day: u8 = date_part.get(8..10)?.parse().ok()?;
        if !rest.is_empty() {
            let mut chars = rest.chars();
            let sep = chars.next()?;
            let time = chars.as_str();
            let ok_time = time.len() >= 5 && time.get(2..3) == Some(":") && time.chars().all(|c| c.is_ascii_digit() || ":.+-Z".contains(c));
            if !(sep == 'T' || sep == ' ') || !ok_time {
                return None;
            }
        }
        Self::from_ymd(year, month, day)
    }

    /// The date `days` calendar days later.
    pub fn add_days(self, days: i64) -> Option<Self> {
        self.0.checked_add(time::Duration::days(days)).map(Date)
    }

    /// The date `days` working days later (Monday to Friday; public holidays are not known
    /// to the engine and are not skipped).
    pub fn add_working_days(self, days: i64) -> Option<Self> {
        let mut d = self.0;
        let mut left = days;
        while left > 0 {
            d = d.next_day()?;
            if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                left -= 1;
            }
        }
        Some(Date(d))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The calendar date in China (UTC+8 all year: China has no daylight saving time) at an
    /// instant given as milliseconds since the Unix epoch, UTC. This is the one rule for
    /// "today": the CLI feeds it the system clock ([`Date::today_china`]), the WASM layer the
    /// browser's (`Date.now()`), so both name the same day whatever the machine's time zone.
    ///
    /// ```
    /// use fenliu::Date;
    /// // 2026-12-04T16:00:00Z is midnight in Beijing: already the 5th there.
    /// assert_eq!(Date::china_date_at(1_796_400_000_000).map(|d| d.to_string()), Some("2026-12-05".into()));
    /// assert_eq!(Date::china_date_at(1_796_399_999_999).map(|d| d.to_string()), Some("2026-12-04".into()));
    /// ```
    pub fn china_date_at(unix_millis: i64) -> Option<Self> {
        const DAY_MS: i64 = 86_400_000;
        const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;
        let days = unix_millis.checked_add(CHINA_OFFSET_MS)?.div_euclid(DAY_MS);
        Self::from_ymd(1970, 1, 1)?.add_days(days)
    }

    /// Today's date in China (UTC+8) from the system clock: what the CLI judges undated
    /// petitions by. Native builds only; the WASM layer reads the browser's clock instead.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn today_china() -> Option<Self> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
        Self::china_date_at(i64::try_from(now.as_millis()).ok()?)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `YYYY-MM-DD` (what [`Date`] serializes as); used by the compiled bundle.
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s).ok_or_else(|| serde::de::Error::custom(format!("日期 \"{s}\" 应写成 YYYY-MM-DD")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_date_changes_at_16_00_utc() {
        // The China date at a UTC instant given as "YYYY-MM-DDTHH:MM:SS.mmmZ".
        let at = |iso: &str| {
            let n = |r: std::ops::Range<usize>| iso[r].parse::<i64>().unwrap();
            let date = time::Date::from_calendar_date(n(0..4) as i32, Month::try_from(n(5..7) as u8).unwrap(), n(8..10) as u8).unwrap();
            let utc = date.with_hms_milli(n(11..13) as u8, n(14..16) as u8, n(17..19) as u8, n(20..23) as u16).unwrap().assume_utc();
            Date::china_date_at(i64::try_from(utc.unix_timestamp_nanos() / 1_000_000).unwrap()).unwrap().to_string()
        };
        // Between 00:00 and 08:00 in China (16:00 to 24:00 UTC) the UTC date is a day behind.
        assert_eq!(at("2026-12-04T16:00:00.000Z"), "2026-12-05");
        assert_eq!(at("2026-12-04T15:59:59.999Z"), "2026-12-04");
        assert_eq!(at("2026-12-04T23:59:59.000Z"), "2026-12-05");
        assert_eq!(at("2026-12-05T00:00:00.000Z"), "2026-12-05");
        assert_eq!(at("2026-12-05T15:59:59.000Z"), "2026-12-05");
        // Across a year's end, and before the epoch (negative milliseconds round down).
        assert_eq!(at("2026-12-31T16:00:00.000Z"), "2027-01-01");
        assert_eq!(at("1969-12-31T15:59:59.000Z"), "1969-12-31");
        assert_eq!(at("1969-12-31T16:00:00.000Z"), "1970-01-01");
        // Out of range: no date rather than a panic.
        assert_eq!(Date::china_date_at(i64::MAX), None);
        assert_eq!(Date::china_date_at(i64::MIN), None);
    }

    #[test]
    fn today_in_china_is_the_system_clock_plus_eight_hours() {
        let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let today = Date::today_china().unwrap();
        let after = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        assert!([Date::china_date_at(before), Date::china_date_at(after)].contains(&Some(today)));
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2024-05-03 is a Friday: 5 working days later is Friday 2024-05-10.
        let d = Date::from_ymd(2024, 5, 3);
        assert_eq!(d.and_then(|d| d.add_working_days(5)).map(|d| d.to_string()), Some("2024-05-10".into()));
    }

    #[test]
    fn parses_the_forms_portals_send() {
        for ok in ["2024-05-01", "2024-05-01T09:30", "2024-05-01 09:30:00", "2024-05-01T09:30:00+08:00", "2024-05-01T09:30:00.123Z"] {
            assert!(Date::parse_iso(ok).is_some(), "{ok}");
        }
        for bad in ["2024-5-1", "2024-05-01X", "2024-13-01", "", "２０２４-05-01"] {
            assert!(Date::parse_iso(bad).is_none(), "{bad}");
        }
    }
}
