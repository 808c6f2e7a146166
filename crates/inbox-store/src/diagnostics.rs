//! The `diagnostics` table: what the reader noticed in each message.

use rusqlite::params;

use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDiagnostic {
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
    /// Where in the message.
    pub at: String,
}

impl Store {
    /// Records a message's diagnostics (replacing any it had).
    pub fn replace_diagnostics(&self, message_id: i64, diagnostics: &[gp2gp::Diagnostic]) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM diagnostics WHERE message_id = ?1")?
            .execute([message_id])?;
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO diagnostics (message_id, seq, severity, message, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, d) in diagnostics.iter().enumerate() {
            stmt.execute(params![
                message_id,
                i64::try_from(i).unwrap_or(i64::MAX),
                d.severity.code(),
                d.message,
                d.at,
            ])?;
        }
        Ok(())
    }

    pub fn diagnostics(&self, message_id: i64) -> Result<Vec<StoredDiagnostic>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT severity, message, at FROM diagnostics WHERE message_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([message_id], |r| {
            Ok(StoredDiagnostic {
                severity: r.get(0)?,
                message: r.get(1)?,
                at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
