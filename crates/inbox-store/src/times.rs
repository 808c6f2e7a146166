//! HL7 timestamps as stored: UTC when the sender gave a time of day, the date alone when it did not,
//! always with the precision the sender used.
//!
//! GP2GP timestamps carry no zone: they are UK local time (GMT in winter, BST in summer). A value
//! with a time of day is converted to UTC (`2020-07-01T09:30:00Z` for `202007011030`); a date, month
//! or year stays as written (`2020-07-01`), since moving a date across midnight would change its
//! meaning. [`Precision`] says how much of the stored value the sender wrote.

use gp2gp::{Precision, Timestamp};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

/// A timestamp ready for an `*_at` / `*_precision` column pair.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredTime {
    pub at: Option<String>,
    pub precision: Option<&'static str>,
}

pub fn precision_code(p: Precision) -> &'static str {
    match p {
        Precision::Year => "year",
        Precision::Month => "month",
        Precision::Day => "day",
        Precision::Hour => "hour",
        Precision::Minute => "minute",
        Precision::Second => "second",
        Precision::Fraction => "fraction",
        Precision::Unreadable => "unreadable",
    }
}

/// The column values for `ts`. An unreadable value keeps its raw text, marked `unreadable`; so does
/// a day that is not in the calendar (`20200231`), which has no date to store.
pub fn stored(ts: Option<&Timestamp>) -> StoredTime {
    let Some(ts) = ts else {
        return StoredTime::default();
    };
    let at = match ts.precision {
        Precision::Unreadable => None,
        Precision::Year | Precision::Month => ts.date_string(),
        Precision::Day => date(ts).and_then(|_| ts.date_string()),
        _ => utc(ts),
    };
    match at {
        Some(at) => StoredTime {
            at: Some(at),
            precision: Some(precision_code(ts.precision)),
        },
        None => StoredTime {
            at: Some(ts.raw.clone()),
            precision: Some(precision_code(Precision::Unreadable)),
        },
    }
}

/// The calendar date of a timestamp with a day, if that day exists.
fn date(ts: &Timestamp) -> Option<Date> {
    let month = Month::try_from(ts.month?).ok()?;
    Date::from_calendar_date(i32::from(ts.year?), month, ts.day?).ok()
}

/// A UK local date and time as RFC 3339 UTC (`...Z`, milliseconds when the sender gave fractions).
fn utc(ts: &Timestamp) -> Option<String> {
    let date = date(ts)?;
    let time = Time::from_hms_milli(
        ts.hour?,
        ts.minute.unwrap_or(0),
        ts.second.unwrap_or(0).min(59),
        ts.millisecond.unwrap_or(0),
    )
    .ok()?;
    let local = PrimitiveDateTime::new(date, time);
    let utc = uk_local_to_utc(local);
    let (y, mo, d) = (utc.year(), u8::from(utc.month()), utc.day());
    let (h, mi, s) = (utc.hour(), utc.minute(), utc.second());
    Some(if ts.precision == Precision::Fraction {
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            utc.millisecond()
        )
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    })
}

/// UK civil time to UTC: BST (UTC+1) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
/// last Sunday of October. In the repeated hour of October the first (BST) reading is taken.
pub fn uk_local_to_utc(local: PrimitiveDateTime) -> OffsetDateTime {
    let as_gmt = local.assume_utc();
    let year = local.year();
    let (Some(start), Some(end)) = (last_sunday(year, Month::March), last_sunday(year, Month::October))
    else {
        return as_gmt;
    };
    let one = Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT);
    let bst_starts = PrimitiveDateTime::new(start, one).assume_utc();
    let bst_ends = PrimitiveDateTime::new(end, one).assume_utc();
    let as_bst = as_gmt - time::Duration::HOUR;
    if as_bst >= bst_starts && as_bst < bst_ends {
        as_bst
    } else {
        as_gmt
    }
}

/// UTC to UK civil time (the local time HL7 timestamps are written in): one hour ahead during BST.
pub fn utc_to_uk_local(t: OffsetDateTime) -> PrimitiveDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let plain = PrimitiveDateTime::new(t.date(), t.time());
    let year = t.year();
    let (Some(start), Some(end)) = (last_sunday(year, Month::March), last_sunday(year, Month::October))
    else {
        return plain;
    };
    let one = Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT);
    let bst_starts = PrimitiveDateTime::new(start, one).assume_utc();
    let bst_ends = PrimitiveDateTime::new(end, one).assume_utc();
    if t >= bst_starts && t < bst_ends {
        plain + time::Duration::HOUR
    } else {
        plain
    }
}

fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    let back = last.weekday().number_days_from_sunday();
    let sunday = last - time::Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sunday);
    Some(sunday)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> (Option<String>, Option<&'static str>) {
        let s = stored(Some(&Timestamp::parse(raw)));
        (s.at, s.precision)
    }

    #[test]
    fn utc_to_uk_local_is_the_inverse_in_and_out_of_bst() {
        use time::macros::datetime;
        assert_eq!(
            utc_to_uk_local(datetime!(2026-07-01 09:00 UTC)),
            datetime!(2026-07-01 10:00)
        );
        assert_eq!(
            utc_to_uk_local(datetime!(2026-11-21 09:00 UTC)),
            datetime!(2026-11-21 09:00)
        );
        for local in [datetime!(2026-07-01 10:00), datetime!(2026-01-05 23:30)] {
            assert_eq!(utc_to_uk_local(uk_local_to_utc(local)), local);
        }
    }

    #[test]
    fn winter_times_are_already_utc() {
        assert_eq!(
            at("20200115103000"),
            (Some("2020-01-15T10:30:00Z".into()), Some("second"))
        );
        assert_eq!(
            at("202001151030"),
            (Some("2020-01-15T10:30:00Z".into()), Some("minute"))
        );
    }

    #[test]
    fn summer_times_lose_an_hour() {
        assert_eq!(
            at("20200701103000"),
            (Some("2020-07-01T09:30:00Z".into()), Some("second"))
        );
        // Just after midnight in summer is the previous day in UTC.
        assert_eq!(
            at("2020070100"),
            (Some("2020-06-30T23:00:00Z".into()), Some("hour"))
        );
        assert_eq!(
            at("20200701103000.250"),
            (Some("2020-07-01T09:30:00.250Z".into()), Some("fraction"))
        );
    }

    #[test]
    fn the_clock_changes_on_the_last_sundays() {
        // 2020: BST from 29 March 01:00 GMT to 25 October 01:00 GMT.
        assert_eq!(at("20200329005959").0.as_deref(), Some("2020-03-29T00:59:59Z"));
        assert_eq!(at("20200329020000").0.as_deref(), Some("2020-03-29T01:00:00Z"));
        assert_eq!(at("20201025003000").0.as_deref(), Some("2020-10-24T23:30:00Z"));
        assert_eq!(at("20201025020000").0.as_deref(), Some("2020-10-25T02:00:00Z"));
    }

    #[test]
    fn dates_stay_dates() {
        assert_eq!(at("20200701"), (Some("2020-07-01".into()), Some("day")));
        assert_eq!(at("202007"), (Some("2020-07".into()), Some("month")));
        assert_eq!(at("2020"), (Some("2020".into()), Some("year")));
        assert_eq!(at("UNK"), (Some("UNK".into()), Some("unreadable")));
        assert_eq!(stored(None), StoredTime::default());
    }

    #[test]
    fn days_not_in_the_calendar_are_unreadable() {
        // The precision always describes the stored value: no `second` beside a bare date.
        for raw in ["20200231103000", "202002311030", "20210229", "20200431"] {
            assert_eq!(at(raw), (Some(raw.into()), Some("unreadable")), "{raw}");
        }
        assert_eq!(at("20200229"), (Some("2020-02-29".into()), Some("day")));
    }
}
