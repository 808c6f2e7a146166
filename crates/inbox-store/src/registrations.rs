//! The `registrations` table: who the practice has registered, by NHS number.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registration {
    /// Ten digits, no spaces.
    pub nhs_number: String,
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// `female`, `male`, `other` or `unknown`.
    pub sex: String,
    /// Address lines joined by `, `.
    pub address: String,
    pub postcode: String,
    pub practice_ods: Option<String>,
    /// `YYYY-MM-DD`.
    pub registered_on: Option<String>,
    /// RFC 3339 UTC.
    pub imported_at: String,
    pub source: String,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Registration> {
    Ok(Registration {
        nhs_number: r.get(0)?,
        given_name: r.get(1)?,
        family_name: r.get(2)?,
        date_of_birth: r.get(3)?,
        sex: r.get(4)?,
        address: r.get(5)?,
        postcode: r.get(6)?,
        practice_ods: r.get(7)?,
        registered_on: r.get(8)?,
        imported_at: r.get(9)?,
        source: r.get(10)?,
    })
}

const COLUMNS: &str =
    "nhs_number, given_name, family_name, date_of_birth, sex, address, postcode, practice_ods, \
     registered_on, imported_at, source";

impl Store {
    /// Adds or replaces registrations (by NHS number), all in one transaction.
    pub fn upsert_registrations(&self, rows: &[Registration]) -> Result<usize> {
        self.write(|s| {
            let mut stmt = s.conn().prepare_cached(&format!(
                "INSERT OR REPLACE INTO registrations ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ))?;
            for r in rows {
                stmt.execute(params![
                    r.nhs_number,
                    r.given_name,
                    r.family_name,
                    r.date_of_birth,
                    r.sex,
                    r.address,
                    r.postcode,
                    r.practice_ods,
                    r.registered_on,
                    r.imported_at,
                    r.source,
                ])?;
            }
            Ok(rows.len())
        })
    }

    /// The registration with this NHS number (spaces ignored), if any.
    pub fn registration(&self, nhs_number: &str) -> Result<Option<Registration>> {
        let key: String = nhs_number.chars().filter(|c| !c.is_whitespace()).collect();
        let sql = format!("SELECT {COLUMNS} FROM registrations WHERE nhs_number = ?1");
        Ok(self.conn().query_row(&sql, [key], from_row).optional()?)
    }

    pub fn count_registrations(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM registrations", [], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }
}
