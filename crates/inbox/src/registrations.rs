//! Importing the practice's registrations: a CSV export of the clinical system, or the synthetic
//! generator's `registrations.json`. Each row is checked (NHS number with its check digit, a name,
//! dates in a form the practice's systems write); rows that fail are reported by line and skipped,
//! the rest imported in one transaction.

use std::path::Path;

use inbox_store::Registration;

use crate::{Inbox, InboxError};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub imported: u32,
    /// (line or entry number, why) for each row left out.
    pub skipped: Vec<(u32, String)>,
}

/// `YYYY-MM-DD` from `YYYY-MM-DD`, `DD/MM/YYYY`, `DD-Mon-YYYY` or `YYYYMMDD`.
fn iso_date(s: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let s = s.trim();
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        if y.len() == 4 {
            (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        } else {
            let m = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m))? as u32 + 1;
            (d.parse().ok()?, m, y.parse().ok()?)
        }
    } else if let [d, m, y] = s.split('/').collect::<Vec<_>>()[..] {
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?)
    } else {
        return None;
    };
    let (y, m, d): (i32, u32, u32) = (y, m, d);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

fn sex(s: &str) -> String {
    match s.trim().to_ascii_lowercase().as_str() {
        "f" | "female" => "female",
        "m" | "male" => "male",
        "" | "u" | "unknown" | "not known" => "unknown",
        _ => "other",
    }
    .to_owned()
}

/// Rows that passed their checks, and (line, why) for those that did not.
type Parsed = (Vec<Registration>, Vec<(u32, String)>);

/// One row, as read; checked by [`check`].
#[derive(Debug, Default)]
struct Raw {
    nhs: String,
    given: String,
    family: String,
    dob: String,
    sex: String,
    address: String,
    postcode: String,
    practice: String,
    registered: String,
}

fn check(raw: Raw, imported_at: &str, source: &str) -> Result<Registration, String> {
    let nhs: String = raw.nhs.chars().filter(|c| !c.is_whitespace()).collect();
    if !crate::nhs_number::is_valid(&nhs) {
        return Err(format!("\"{}\" is not a valid NHS number", raw.nhs.trim()));
    }
    if raw.family.trim().is_empty() {
        return Err("the family name is missing".into());
    }
    let date = |s: &str, what: &str| -> Result<Option<String>, String> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        iso_date(s)
            .map(Some)
            .ok_or_else(|| format!("the {what} \"{}\" is not a date", s.trim()))
    };
    Ok(Registration {
        nhs_number: nhs,
        given_name: raw.given.trim().to_owned(),
        family_name: raw.family.trim().to_owned(),
        date_of_birth: date(&raw.dob, "date of birth")?,
        sex: sex(&raw.sex),
        address: raw.address.trim().to_owned(),
        postcode: raw.postcode.trim().to_uppercase(),
        practice_ods: Some(raw.practice.trim().to_owned()).filter(|p| !p.is_empty()),
        registered_on: date(&raw.registered, "registration date")?,
        imported_at: imported_at.to_owned(),
        source: source.to_owned(),
    })
}

/// Splits CSV text into records of fields (RFC 4180: quotes, doubled quotes, quoted line breaks).
fn csv_records(text: &str) -> Vec<(u32, Vec<String>)> {
    let mut out = Vec::new();
    let (mut field, mut record) = (String::new(), Vec::new());
    let (mut quoted, mut line, mut start) = (false, 1u32, 1u32);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    out.push((start, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start = line;
            }
            (c, _) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        out.push((start, record));
    }
    out
}

/// Which column holds what, from the header row (names as clinical systems write them).
fn column_of(header: &str) -> Option<&'static str> {
    let h: String = header
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    Some(match h.as_str() {
        "nhsnumber" | "nhsno" | "nhs" => "nhs",
        "givenname" | "forename" | "forenames" | "firstname" | "given" => "given",
        "familyname" | "surname" | "lastname" | "family" => "family",
        "dateofbirth" | "dob" | "birthdate" => "dob",
        "sex" | "gender" => "sex",
        "address" | "addressline1" | "address1" | "houseandstreet" => "address",
        "postcode" => "postcode",
        "practice" | "practiceods" | "practicecode" | "odscode" => "practice",
        "registrationdate" | "dateregistered" | "registered" | "registeredon" => "registered",
        _ => return None,
    })
}

fn parse_csv(text: &str, imported_at: &str, source: &str) -> Parsed {
    let mut records = csv_records(text.trim_start_matches('\u{feff}')).into_iter();
    let Some((_, header)) = records.next() else {
        return (Vec::new(), vec![(1, "the file is empty".into())]);
    };
    let columns: Vec<Option<&str>> = header.iter().map(|h| column_of(h)).collect();
    if !columns.contains(&Some("nhs")) || !columns.contains(&Some("family")) {
        return (
            Vec::new(),
            vec![(
                1,
                "the first line must name the columns, with at least NHS Number and Surname".into(),
            )],
        );
    }
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    for (line, fields) in records {
        let mut raw = Raw::default();
        for (col, value) in columns.iter().zip(fields) {
            let slot = match col {
                Some("nhs") => &mut raw.nhs,
                Some("given") => &mut raw.given,
                Some("family") => &mut raw.family,
                Some("dob") => &mut raw.dob,
                Some("sex") => &mut raw.sex,
                Some("address") => &mut raw.address,
                Some("postcode") => &mut raw.postcode,
                Some("practice") => &mut raw.practice,
                Some("registered") => &mut raw.registered,
                _ => continue,
            };
            *slot = value;
        }
        match check(raw, imported_at, source) {
            Ok(r) => ok.push(r),
            Err(why) => skipped.push((line, why)),
        }
    }
    (ok, skipped)
}

fn parse_json(text: &str, imported_at: &str, source: &str) -> Result<Parsed, String> {
    let items: Vec<serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON list: {e}"))?;
    let (mut ok, mut skipped) = (Vec::new(), Vec::new());
    for (i, v) in items.iter().enumerate() {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
        let address = v
            .get("address")
            .and_then(|a| a.as_array())
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| s("address"));
        let raw = Raw {
            nhs: s("nhsNumber"),
            given: s("givenName"),
            family: s("familyName"),
            dob: s("dateOfBirth"),
            sex: s("sex"),
            address,
            postcode: s("postcode"),
            practice: s("practiceOds"),
            registered: s("registeredOn"),
        };
        match check(raw, imported_at, source) {
            Ok(r) => ok.push(r),
            Err(why) => skipped.push((i as u32 + 1, why)),
        }
    }
    Ok((ok, skipped))
}

/// Imports the registrations in `path` (`.json`: the generator's file; anything else: CSV).
pub(crate) fn import(inbox: &Inbox, path: &Path) -> Result<ImportReport, InboxError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InboxError::io(format!("Could not read {}", path.display()), e))?;
    let source = crate::pipeline::file_name_of(path);
    let now = crate::clock::rfc3339(inbox.clock().now());
    let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let (rows, skipped) = if is_json {
        parse_json(&text, &now, &source).map_err(|e| InboxError::InvalidInput(format!("{source}: {e}")))?
    } else {
        parse_csv(&text, &now, &source)
    };
    let imported = inbox.store().upsert_registrations(&rows)? as u32;
    Ok(ImportReport { imported, skipped })
}

/// The registration a transfer's NHS number matches, if it has one.
pub(crate) fn of_transfer(
    store: &inbox_store::Store,
    t: &inbox_store::Transfer,
) -> Result<Option<inbox_store::Registration>, InboxError> {
    match t.fields.nhs_number.as_deref() {
        Some(n) => Ok(store.registration(n)?),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_practices_export() {
        for (given, want) in [
            ("1957-03-12", Some("1957-03-12")),
            ("12/03/1957", Some("1957-03-12")),
            ("12-Mar-1957", Some("1957-03-12")),
            ("19570312", Some("1957-03-12")),
            ("31/02/1957", None),
            ("soon", None),
        ] {
            assert_eq!(iso_date(given).as_deref(), want, "{given}");
        }
    }

    #[test]
    fn csv_with_quotes_and_line_breaks() {
        let text = "NHS Number,Surname,Forename,Address\r\n\"943 476 5919\",\"O'Brien, SYNTHETIC\",Ann,\"1 Street\nTown\"\r\n\r\n9434765870,Smith,Bob,x\n";
        let recs = csv_records(text);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].0, 2);
        assert_eq!(recs[1].1[1], "O'Brien, SYNTHETIC");
        assert_eq!(recs[1].1[3], "1 Street\nTown");
        assert_eq!(recs[2].0, 5);
    }
}
