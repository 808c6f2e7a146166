//! The `arrivals` table: every input file exactly once, and what became of it.
//!
//! A file is *claimed* under a name that is never reused (`claim_name`); its row is written in the
//! same transaction as everything else it causes, so after a crash the pipeline knows whether a
//! claimed file was already handled.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

/// What became of an input file.
pub mod outcome {
    /// Read and stored (a new message, or a part of a transfer).
    pub const STORED: &str = "stored";
    /// The same message was stored before (same bytes, or the same extract id).
    pub const DUPLICATE: &str = "duplicate";
    /// Stored, but the record waits for large-message parts.
    pub const AWAITING: &str = "awaiting";
    /// Could not be read; kept in the quarantine folder.
    pub const QUARANTINED: &str = "quarantined";
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewArrival {
    pub claim_name: String,
    pub file_name: String,
    /// folder | endpoint | command_line | sample
    pub source: String,
    pub received_at: String,
    pub sha256: String,
    pub size_bytes: u64,
    /// One of [`outcome`].
    pub outcome: String,
    pub message_id: Option<i64>,
    pub transfer_id: Option<i64>,
    pub quarantine_id: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub id: i64,
    pub fields: NewArrival,
}

const COLUMNS: &str =
    "id, claim_name, file_name, source, received_at, sha256, size_bytes, outcome, message_id, \
     transfer_id, quarantine_id, detail";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Arrival> {
    Ok(Arrival {
        id: r.get(0)?,
        fields: NewArrival {
            claim_name: r.get(1)?,
            file_name: r.get(2)?,
            source: r.get(3)?,
            received_at: r.get(4)?,
            sha256: r.get(5)?,
            size_bytes: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
            outcome: r.get(7)?,
            message_id: r.get(8)?,
            transfer_id: r.get(9)?,
            quarantine_id: r.get(10)?,
            detail: r.get(11)?,
        },
    })
}

impl Store {
    pub fn insert_arrival(&self, a: &NewArrival) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO arrivals (claim_name, file_name, source, received_at, sha256, size_bytes, outcome, \
                 message_id, transfer_id, quarantine_id, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                a.claim_name,
                a.file_name,
                a.source,
                a.received_at,
                a.sha256,
                i64::try_from(a.size_bytes).unwrap_or(i64::MAX),
                a.outcome,
                a.message_id,
                a.transfer_id,
                a.quarantine_id,
                a.detail,
            ])?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The arrival recorded for a claimed file, if it was handled.
    pub fn arrival_by_claim(&self, claim_name: &str) -> Result<Option<Arrival>> {
        let sql = format!("SELECT {COLUMNS} FROM arrivals WHERE claim_name = ?1");
        Ok(self.conn().query_row(&sql, [claim_name], from_row).optional()?)
    }

    pub fn arrival(&self, id: i64) -> Result<Option<Arrival>> {
        let sql = format!("SELECT {COLUMNS} FROM arrivals WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// Every arrival, oldest first.
    pub fn list_arrivals(&self) -> Result<Vec<Arrival>> {
        let sql = format!("SELECT {COLUMNS} FROM arrivals ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many arrivals had each outcome, by outcome name.
    pub fn arrival_outcomes(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT outcome, count(*) FROM arrivals GROUP BY outcome ORDER BY outcome")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?.try_into().unwrap_or(0),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
