//! Dates and times as HL7 writes them (`YYYYMMDD`, `YYYYMMDDHHMMSS`, UK local time, no zone).

use std::fmt;

/// A calendar date, held as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i64);

/// A date and time of day, held as seconds since 1970-01-01 00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub i64);

impl Date {
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Date {
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// This date at `seconds` past midnight.
    pub fn at(self, seconds: i64) -> DateTime {
        DateTime(self.0 * 86_400 + seconds)
    }

    /// `YYYYMMDD`.
    pub fn hl7(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}{m:02}{d:02}")
    }
}

impl DateTime {
    pub fn date(self) -> Date {
        Date(self.0.div_euclid(86_400))
    }

    pub fn add_seconds(self, s: i64) -> DateTime {
        DateTime(self.0 + s)
    }

    /// `YYYYMMDDHHMMSS`.
    pub fn hl7(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.rem_euclid(86_400);
        write!(f, "{}{:02}{:02}{:02}", self.date(), s / 3600, s / 60 % 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dates() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2024, 12, 31), (1931, 7, 15)] {
            assert_eq!(Date::from_ymd(y, m, d).ymd(), (y, m, d));
        }
        assert_eq!(Date::from_ymd(2026, 3, 4).hl7(), "20260304");
        assert_eq!(Date::from_ymd(2026, 3, 4).at(3723).hl7(), "20260304010203");
    }
}
