//! HL7 `TS` timestamps of variable precision (`YYYY` ... `YYYYMMDDHHMMSS.mmm`).

use std::cmp::Ordering;
use std::fmt;

/// How much of a timestamp the sender wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Fractions of a second (COPC `creationTime` carries milliseconds).
    Fraction,
    /// Not a timestamp we could read; only [`Timestamp::raw`] is meaningful.
    Unreadable,
}

/// An HL7 timestamp as written (no time zone: UK local time), with its precision and the parts that
/// were present. Ordering compares the parsed parts (a missing part sorts first), then the raw text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The attribute value exactly as sent (trimmed).
    pub raw: String,
    pub precision: Precision,
    pub year: Option<u16>,
    pub month: Option<u8>,
    pub day: Option<u8>,
    pub hour: Option<u8>,
    pub minute: Option<u8>,
    pub second: Option<u8>,
    /// Milliseconds, when fractions were given.
    pub millisecond: Option<u16>,
}

impl Timestamp {
    /// Reads an HL7 `TS` value. Never fails: anything unreadable keeps its text with
    /// [`Precision::Unreadable`].
    pub fn parse(raw: &str) -> Timestamp {
        let raw = raw.trim();
        let mut ts = Timestamp {
            raw: raw.to_owned(),
            precision: Precision::Unreadable,
            year: None,
            month: None,
            day: None,
            hour: None,
            minute: None,
            second: None,
            millisecond: None,
        };
        // Digits, optionally `.fraction`, optionally a `+hhmm`/`-hhmm` zone we ignore.
        let main_end = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
        let digits = &raw[..main_end];
        let rest = &raw[main_end..];
        let (fraction, zone_ok) = match rest.strip_prefix('.') {
            Some(f) => {
                let end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
                (Some(&f[..end]), zone_ok(&f[end..]))
            }
            None => (None, zone_ok(rest)),
        };
        if !zone_ok {
            return ts;
        }
        let num = |from: usize, to: usize| digits.get(from..to).and_then(|s| s.parse::<u16>().ok());
        let (precision, fraction_digits) = match (digits.len(), fraction) {
            (4, None) => (Precision::Year, None),
            (6, None) => (Precision::Month, None),
            (8, None) => (Precision::Day, None),
            (10, None) => (Precision::Hour, None),
            (12, None) => (Precision::Minute, None),
            (14, None) => (Precision::Second, None),
            (14, Some(f)) if !f.is_empty() => (Precision::Fraction, Some(f)),
            // COPC creation times: `YYYYMMDDHHMMSSmmm` without a dot.
            (15..=17, None) => (Precision::Fraction, digits.get(14..)),
            _ => return ts,
        };
        ts.year = num(0, 4);
        ts.month = num(4, 6).and_then(|v| u8::try_from(v).ok());
        ts.day = num(6, 8).and_then(|v| u8::try_from(v).ok());
        ts.hour = num(8, 10).and_then(|v| u8::try_from(v).ok());
        ts.minute = num(10, 12).and_then(|v| u8::try_from(v).ok());
        ts.second = num(12, 14).and_then(|v| u8::try_from(v).ok());
        ts.millisecond = fraction_digits.map(|f| {
            let mut ms = 0u16;
            for c in f.bytes().chain(std::iter::repeat(b'0')).take(3) {
                ms = ms * 10 + u16::from(c - b'0');
            }
            ms
        });
        let valid = ts.month.is_none_or(|m| (1..=12).contains(&m))
            && ts.day.is_none_or(|d| (1..=31).contains(&d))
            && ts.hour.is_none_or(|h| h <= 23)
            && ts.minute.is_none_or(|m| m <= 59)
            && ts.second.is_none_or(|s| s <= 60);
        if valid {
            ts.precision = precision;
        } else {
            ts.year = None;
            ts.month = None;
            ts.day = None;
            ts.hour = None;
            ts.minute = None;
            ts.second = None;
            ts.millisecond = None;
        }
        ts
    }

    /// True when the value could be read as a date/time.
    pub fn is_readable(&self) -> bool {
        self.precision != Precision::Unreadable
    }

    /// The date as `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`) to the precision given.
    pub fn date_string(&self) -> Option<String> {
        let y = self.year?;
        Some(match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}"),
        })
    }

    fn key(&self) -> [u16; 7] {
        [
            self.year.unwrap_or(0),
            u16::from(self.month.unwrap_or(0)),
            u16::from(self.day.unwrap_or(0)),
            u16::from(self.hour.unwrap_or(0)),
            u16::from(self.minute.unwrap_or(0)),
            u16::from(self.second.unwrap_or(0)),
            self.millisecond.unwrap_or(0),
        ]
    }
}

fn zone_ok(rest: &str) -> bool {
    rest.is_empty()
        || ((rest.starts_with('+') || rest.starts_with('-'))
            && rest.len() == 5
            && rest[1..].bytes().all(|b| b.is_ascii_digit()))
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precisions() {
        let cases = [
            ("2010", Precision::Year),
            ("201001", Precision::Month),
            ("20100115", Precision::Day),
            ("2010011512", Precision::Hour),
            ("201001151230", Precision::Minute),
            ("20100115123059", Precision::Second),
            ("20131025174854117", Precision::Fraction),
            ("20100115123059.5", Precision::Fraction),
            ("20101315", Precision::Unreadable),
            ("UNK", Precision::Unreadable),
            ("", Precision::Unreadable),
        ];
        for (raw, p) in cases {
            assert_eq!(Timestamp::parse(raw).precision, p, "{raw}");
        }
        let t = Timestamp::parse("20131025174854117");
        assert_eq!(
            (t.year, t.month, t.day, t.second, t.millisecond),
            (Some(2013), Some(10), Some(25), Some(54), Some(117))
        );
        assert!(Timestamp::parse("2010") < Timestamp::parse("20100101"));
        assert_eq!(
            Timestamp::parse("20100115").date_string().as_deref(),
            Some("2010-01-15")
        );
    }
}
