//! Calendar dates: filing dates, effective dates of rules, deadlines.
//!
//! A thin wrapper over [`time::Date`] that parses the ISO 8601 forms portals send and
//! serializes as `YYYY-MM-DD`.

use std::fmt;

use serde::{Serialize, Serializer};
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

    /// Today's date in UTC from the system clock, where one exists (native builds).
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn today_utc() -> Option<Self> {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
        let days = i64::try_from(secs / 86_400).ok()?;
        Self::from_ymd(1970, 1, 1)?.add_days(days)
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

#[cfg(test)]
mod tests {
    use super::*;

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
