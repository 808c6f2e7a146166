//! The `audit` table: an append-only, hash-chained record of who did what.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, each
//! length-prefixed so that no two different entries can serialise alike. [`Store::verify_audit`]
//! walks the chain from the first entry: an edited entry no longer matches its hash, a deleted
//! or inserted one breaks the link to its neighbour or leaves a gap in the ids. (Removing the very
//! last entries cannot be seen from the chain alone; the latest hash can be noted elsewhere to
//! catch that too.)

use rusqlite::{params, Row};
use sha2::{Digest, Sha256};

use crate::{Result, Store};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// RFC 3339, UTC.
    pub at: String,
    pub user_name: String,
    pub role: String,
    pub action: String,
    pub transfer_id: Option<i64>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub fields: NewAuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerdict {
    /// Entries checked.
    pub entries: u64,
    /// The first entry that does not hold, and why; `None` when the whole chain holds.
    pub broken: Option<(i64, String)>,
    /// The last entry's hash (note it elsewhere to detect removal of the latest entries).
    pub head: String,
}

/// The hash of an entry with this id and fields, chained to `prev_hash`.
pub fn entry_hash(prev_hash: &str, id: i64, e: &NewAuditEntry) -> String {
    let mut h = Sha256::new();
    let transfer = e.transfer_id.map(|t| t.to_string()).unwrap_or_default();
    for part in [
        prev_hash,
        &id.to_string(),
        &e.at,
        &e.user_name,
        &e.role,
        &e.action,
        &transfer,
        &e.detail,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.get(0)?,
        fields: NewAuditEntry {
            at: r.get(1)?,
            user_name: r.get(2)?,
            role: r.get(3)?,
            action: r.get(4)?,
            transfer_id: r.get(5)?,
            detail: r.get(6)?,
        },
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

const COLUMNS: &str = "id, at, user_name, role, action, transfer_id, detail, prev_hash, hash";

impl Store {
    /// Appends an entry, chained to the last one, in one transaction.
    pub fn append_audit(&self, e: &NewAuditEntry) -> Result<AuditEntry> {
        self.write(|s| {
            let (last_id, prev): (i64, String) = s
                .conn()
                .query_row("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok((0, GENESIS.to_owned())),
                    e => Err(e),
                })?;
            // AUTOINCREMENT never reuses an id; the next one is the sequence's next value.
            let seq: i64 = s
                .conn()
                .query_row("SELECT seq FROM sqlite_sequence WHERE name = 'audit'", [], |r| {
                    r.get(0)
                })
                .unwrap_or(last_id);
            let id = seq.max(last_id) + 1;
            let hash = entry_hash(&prev, id, e);
            s.conn().execute(
                "INSERT INTO audit (id, at, user_name, role, action, transfer_id, detail, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    e.at,
                    e.user_name,
                    e.role,
                    e.action,
                    e.transfer_id,
                    e.detail,
                    prev,
                    hash
                ],
            )?;
            Ok(AuditEntry {
                id,
                fields: e.clone(),
                prev_hash: prev,
                hash,
            })
        })
    }

    /// Entries, newest first, optionally only those about one transfer; at most `limit`.
    pub fn audit_entries(&self, transfer_id: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit WHERE (?1 IS NULL OR transfer_id = ?1) ORDER BY id DESC LIMIT ?2"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params![transfer_id, limit], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entries, newest first, narrowed by transfer, user name (exact, ignoring case) and action.
    pub fn audit_search(
        &self,
        transfer_id: Option<i64>,
        user_name: Option<&str>,
        action: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit
             WHERE (?1 IS NULL OR transfer_id = ?1)
               AND (?2 IS NULL OR user_name = ?2 COLLATE NOCASE)
               AND (?3 IS NULL OR action = ?3)
             ORDER BY id DESC LIMIT ?4"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params![transfer_id, user_name, action, limit], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Walks the whole chain from the first entry and reports the first that does not hold.
    pub fn verify_audit(&self) -> Result<AuditVerdict> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {COLUMNS} FROM audit ORDER BY id"))?;
        let mut rows = stmt.query([])?;
        let mut prev = GENESIS.to_owned();
        let mut expected_id: Option<i64> = None;
        let mut entries = 0u64;
        while let Some(row) = rows.next()? {
            let e = from_row(row)?;
            entries += 1;
            let broken = if expected_id.is_some_and(|x| x != e.id) {
                Some(format!(
                    "entries before {} are missing (expected {})",
                    e.id,
                    expected_id.unwrap_or(0)
                ))
            } else if e.prev_hash != prev {
                Some("it does not follow the entry before it (an entry was removed or inserted)".to_owned())
            } else if entry_hash(&prev, e.id, &e.fields) != e.hash {
                Some("its content no longer matches its hash (it was changed)".to_owned())
            } else {
                None
            };
            if let Some(why) = broken {
                return Ok(AuditVerdict {
                    entries,
                    broken: Some((e.id, why)),
                    head: e.hash,
                });
            }
            expected_id = Some(e.id + 1);
            prev = e.hash;
        }
        Ok(AuditVerdict {
            entries,
            broken: None,
            head: prev,
        })
    }
}
