//! The `quarantine` table: files that could not be read, with the reason.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuarantined {
    /// The name the file arrived with.
    pub file_name: String,
    /// Its name inside the quarantine folder (differs when names clash).
    pub quarantine_name: String,
    /// A stable machine-readable reason (`not_xml`, `not_gp2gp`, `empty`...).
    pub reason_code: String,
    /// The plain-English reason shown to the practice.
    pub reason: String,
    pub sha256: String,
    pub size_bytes: u64,
    /// RFC 3339, UTC.
    pub quarantined_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub id: i64,
    pub fields: NewQuarantined,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Quarantined> {
    Ok(Quarantined {
        id: r.get(0)?,
        fields: NewQuarantined {
            file_name: r.get(1)?,
            quarantine_name: r.get(2)?,
            reason_code: r.get(3)?,
            reason: r.get(4)?,
            sha256: r.get(5)?,
            size_bytes: r.get::<_, i64>(6)?.try_into().unwrap_or(0),
            quarantined_at: r.get(7)?,
        },
    })
}

impl Store {
    pub fn insert_quarantined(&self, q: &NewQuarantined) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO quarantine (file_name, quarantine_name, reason_code, reason, sha256, size_bytes, quarantined_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                q.file_name,
                q.quarantine_name,
                q.reason_code,
                q.reason,
                q.sha256,
                i64::try_from(q.size_bytes).unwrap_or(i64::MAX),
                q.quarantined_at,
            ],
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    pub fn quarantined(&self, id: i64) -> Result<Option<Quarantined>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, file_name, quarantine_name, reason_code, reason, sha256, size_bytes, quarantined_at
                 FROM quarantine WHERE id = ?1",
                [id],
                from_row,
            )
            .optional()?)
    }

    /// True when a quarantine entry already uses this name in the quarantine folder.
    pub fn quarantine_name_taken(&self, quarantine_name: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM quarantine WHERE quarantine_name = ?1",
                [quarantine_name],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Records that an entry's file now has another name in the quarantine folder.
    pub fn rename_quarantined(&self, id: i64, quarantine_name: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE quarantine SET quarantine_name = ?2 WHERE id = ?1",
            params![id, quarantine_name],
        )?;
        Ok(())
    }

    /// Every quarantined file, most recent first.
    pub fn list_quarantined(&self) -> Result<Vec<Quarantined>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, file_name, quarantine_name, reason_code, reason, sha256, size_bytes, quarantined_at
             FROM quarantine ORDER BY quarantined_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
