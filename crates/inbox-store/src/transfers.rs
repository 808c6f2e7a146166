//! The `transfers` table: every message that arrived and was read.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

/// A message to record. Times are strings: `received_at` RFC 3339 UTC, `sent_at` as the message wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    pub interaction: String,
    pub message_id: Option<String>,
    pub extract_id: Option<String>,
    pub nhs_number: Option<String>,
    pub sending_ods: Option<String>,
    pub receiving_ods: Option<String>,
    pub sent_at: Option<String>,
    pub received_at: String,
    pub file_name: String,
    pub sha256: String,
    pub size_bytes: u64,
    pub archive_name: String,
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: i64,
    pub status: String,
    pub fields: NewTransfer,
}

const COLUMNS: &str =
    "id, status, interaction, message_id, extract_id, nhs_number, sending_ods, receiving_ods, \
     sent_at, received_at, file_name, sha256, size_bytes, archive_name, origin";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Transfer> {
    Ok(Transfer {
        id: r.get(0)?,
        status: r.get(1)?,
        fields: NewTransfer {
            interaction: r.get(2)?,
            message_id: r.get(3)?,
            extract_id: r.get(4)?,
            nhs_number: r.get(5)?,
            sending_ods: r.get(6)?,
            receiving_ods: r.get(7)?,
            sent_at: r.get(8)?,
            received_at: r.get(9)?,
            file_name: r.get(10)?,
            sha256: r.get(11)?,
            size_bytes: r.get::<_, i64>(12)?.try_into().unwrap_or(0),
            archive_name: r.get(13)?,
            origin: r.get(14)?,
        },
    })
}

impl Store {
    /// Records a transfer and returns its id.
    pub fn insert_transfer(&self, t: &NewTransfer) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO transfers (interaction, message_id, extract_id, nhs_number, sending_ods, receiving_ods, \
             sent_at, received_at, file_name, sha256, size_bytes, archive_name, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                t.interaction,
                t.message_id,
                t.extract_id,
                t.nhs_number,
                t.sending_ods,
                t.receiving_ods,
                t.sent_at,
                t.received_at,
                t.file_name,
                t.sha256,
                i64::try_from(t.size_bytes).unwrap_or(i64::MAX),
                t.archive_name,
                t.origin,
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// The transfer whose original had exactly these bytes, if any.
    pub fn transfer_by_sha256(&self, sha256: &str) -> Result<Option<Transfer>> {
        let sql = format!("SELECT {COLUMNS} FROM transfers WHERE sha256 = ?1");
        Ok(self.conn().query_row(&sql, [sha256], from_row).optional()?)
    }

    pub fn transfer(&self, id: i64) -> Result<Option<Transfer>> {
        let sql = format!("SELECT {COLUMNS} FROM transfers WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// Every transfer, newest arrival first.
    pub fn list_transfers(&self) -> Result<Vec<Transfer>> {
        let sql = format!("SELECT {COLUMNS} FROM transfers ORDER BY received_at DESC, id DESC");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn count_transfers(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM transfers", [], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }
}
