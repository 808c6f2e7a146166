//! Review and decision tables: marks and intentions per item, the whole-record decision, the
//! acknowledgements written to the outbox and the follow-ups integration leaves.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

/// A reviewer's mark on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub section: String,
    pub item_key: String,
    /// `reviewed` or `flagged`.
    pub state: String,
    pub note: Option<String>,
    pub user_id: i64,
    pub user_name: String,
    pub at: String,
}

/// What a reviewer intends for an item once integrated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intention {
    pub section: String,
    pub item_key: String,
    /// `reauthorise` or `recode`.
    pub kind: String,
    pub code: Option<String>,
    pub term: Option<String>,
    pub user_id: i64,
    pub user_name: String,
    pub at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDecision {
    pub transfer_id: i64,
    /// `integrate`, `integrate_suppress_old`, `store_suppressed` or `reject`.
    pub kind: String,
    pub reason_code: Option<String>,
    pub note: Option<String>,
    pub user_id: Option<i64>,
    pub decided_at: String,
    pub suppressed_transfer_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub fields: NewDecision,
    /// The user's name (`None` for a decision the system made).
    pub user_name: Option<String>,
}

/// A record held for a patient (see [`Store::held_records`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeldRecord {
    pub transfer_id: i64,
    pub received_at: String,
    pub status: String,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AckSent {
    pub transfer_id: Option<i64>,
    pub message_id: i64,
    pub ack_type: String,
    pub reason_code: Option<String>,
    pub ack_message_id: String,
    pub message_ref: String,
    pub file_name: String,
    pub written_at: String,
    /// The ack's bytes in the archive (relative to the archive folder).
    pub archive_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Followup {
    pub transfer_id: i64,
    /// `reauthorise`, `recode`, `chase_attachment` or `prescribing_lock`.
    pub kind: String,
    pub section: String,
    pub item_key: String,
    pub title: String,
    /// `open` or `done`.
    pub state: String,
    pub code: Option<String>,
    pub term: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
}

fn mark_from_row(r: &Row<'_>) -> rusqlite::Result<Mark> {
    Ok(Mark {
        section: r.get(0)?,
        item_key: r.get(1)?,
        state: r.get(2)?,
        note: r.get(3)?,
        user_id: r.get(4)?,
        user_name: r.get(5)?,
        at: r.get(6)?,
    })
}

fn intention_from_row(r: &Row<'_>) -> rusqlite::Result<Intention> {
    Ok(Intention {
        section: r.get(0)?,
        item_key: r.get(1)?,
        kind: r.get(2)?,
        code: r.get(3)?,
        term: r.get(4)?,
        user_id: r.get(5)?,
        user_name: r.get(6)?,
        at: r.get(7)?,
    })
}

fn decision_from_row(r: &Row<'_>) -> rusqlite::Result<Decision> {
    Ok(Decision {
        id: r.get(0)?,
        fields: NewDecision {
            transfer_id: r.get(1)?,
            kind: r.get(2)?,
            reason_code: r.get(3)?,
            note: r.get(4)?,
            user_id: r.get(5)?,
            decided_at: r.get(6)?,
            suppressed_transfer_id: r.get(7)?,
        },
        user_name: r.get(8)?,
    })
}

fn ack_from_row(r: &Row<'_>) -> rusqlite::Result<AckSent> {
    Ok(AckSent {
        transfer_id: r.get(0)?,
        message_id: r.get(1)?,
        ack_type: r.get(2)?,
        reason_code: r.get(3)?,
        ack_message_id: r.get(4)?,
        message_ref: r.get(5)?,
        file_name: r.get(6)?,
        written_at: r.get(7)?,
        archive_name: r.get(8)?,
    })
}

const ACK_COLUMNS: &str =
    "transfer_id, message_id, ack_type, reason_code, ack_message_id, message_ref, file_name, written_at, archive_name";

impl Store {
    /// Marks items of a section (`reviewed` or `flagged`), replacing earlier marks; `state`
    /// `None` clears them. Returns how many items changed.
    #[allow(clippy::too_many_arguments)]
    pub fn set_marks(
        &self,
        transfer_id: i64,
        section: &str,
        keys: &[String],
        state: Option<&str>,
        note: Option<&str>,
        user_id: i64,
        at: &str,
    ) -> Result<usize> {
        let mut changed = 0;
        match state {
            Some(state) => {
                let mut stmt = self.conn().prepare_cached(
                    "INSERT INTO review_marks (transfer_id, section, item_key, state, note, user_id, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (transfer_id, section, item_key) DO UPDATE SET
                         state = excluded.state, note = excluded.note, user_id = excluded.user_id, at = excluded.at",
                )?;
                for key in keys {
                    changed += stmt.execute(params![transfer_id, section, key, state, note, user_id, at])?;
                }
            }
            None => {
                let mut stmt = self.conn().prepare_cached(
                    "DELETE FROM review_marks WHERE transfer_id = ?1 AND section = ?2 AND item_key = ?3",
                )?;
                for key in keys {
                    changed += stmt.execute(params![transfer_id, section, key])?;
                }
            }
        }
        Ok(changed)
    }

    /// Every mark on a transfer's items, with who made it.
    pub fn marks(&self, transfer_id: i64) -> Result<Vec<Mark>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT m.section, m.item_key, m.state, m.note, m.user_id, u.name, m.at
             FROM review_marks m JOIN users u ON u.id = m.user_id
             WHERE m.transfer_id = ?1 ORDER BY m.section, m.item_key",
        )?;
        let rows = stmt.query_map([transfer_id], mark_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Removes every mark and intention on a transfer's items; returns how many there were.
    pub fn clear_review(&self, transfer_id: i64) -> Result<usize> {
        let marks = self
            .conn()
            .execute("DELETE FROM review_marks WHERE transfer_id = ?1", [transfer_id])?;
        let intentions = self
            .conn()
            .execute("DELETE FROM intentions WHERE transfer_id = ?1", [transfer_id])?;
        Ok(marks + intentions)
    }

    /// Records (or replaces) an intention for an item.
    #[allow(clippy::too_many_arguments)]
    pub fn set_intention(
        &self,
        transfer_id: i64,
        section: &str,
        item_key: &str,
        kind: &str,
        code: Option<&str>,
        term: Option<&str>,
        user_id: i64,
        at: &str,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO intentions (transfer_id, section, item_key, kind, code, term, user_id, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (transfer_id, section, item_key, kind) DO UPDATE SET
                 code = excluded.code, term = excluded.term, user_id = excluded.user_id, at = excluded.at",
            params![transfer_id, section, item_key, kind, code, term, user_id, at],
        )?;
        Ok(())
    }

    /// Withdraws an intention; false when there was none.
    pub fn clear_intention(
        &self,
        transfer_id: i64,
        section: &str,
        item_key: &str,
        kind: &str,
    ) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM intentions WHERE transfer_id = ?1 AND section = ?2 AND item_key = ?3 AND kind = ?4",
            params![transfer_id, section, item_key, kind],
        )?;
        Ok(n == 1)
    }

    pub fn intentions(&self, transfer_id: i64) -> Result<Vec<Intention>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.section, i.item_key, i.kind, i.code, i.term, i.user_id, u.name, i.at
             FROM intentions i JOIN users u ON u.id = i.user_id
             WHERE i.transfer_id = ?1 ORDER BY i.section, i.item_key, i.kind",
        )?;
        let rows = stmt.query_map([transfer_id], intention_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records the decision; `None` when the transfer already has one.
    pub fn insert_decision(&self, d: &NewDecision) -> Result<Option<i64>> {
        let n = self.conn().execute(
            "INSERT INTO decisions (transfer_id, kind, reason_code, note, user_id, decided_at, suppressed_transfer_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (transfer_id) DO NOTHING",
            params![
                d.transfer_id,
                d.kind,
                d.reason_code,
                d.note,
                d.user_id,
                d.decided_at,
                d.suppressed_transfer_id
            ],
        )?;
        Ok((n == 1).then(|| self.conn().last_insert_rowid()))
    }

    pub fn decision(&self, transfer_id: i64) -> Result<Option<Decision>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT d.id, d.transfer_id, d.kind, d.reason_code, d.note, d.user_id, d.decided_at,
                        d.suppressed_transfer_id, u.name
                 FROM decisions d LEFT JOIN users u ON u.id = d.user_id WHERE d.transfer_id = ?1",
                [transfer_id],
                decision_from_row,
            )
            .optional()?)
    }

    /// Records an acknowledgement written to the outbox; `false` when that message was already
    /// acknowledged (one ack per message).
    pub fn insert_ack_sent(&self, a: &AckSent) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT INTO acks_sent (transfer_id, message_id, ack_type, reason_code, ack_message_id, message_ref,
                                    file_name, written_at, archive_name)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (message_id) DO NOTHING",
            params![
                a.transfer_id,
                a.message_id,
                a.ack_type,
                a.reason_code,
                a.ack_message_id,
                a.message_ref,
                a.file_name,
                a.written_at,
                a.archive_name
            ],
        )?;
        Ok(n == 1)
    }

    /// The acknowledgement written for a message, if any.
    pub fn ack_for_message(&self, message_id: i64) -> Result<Option<AckSent>> {
        let sql = format!("SELECT {ACK_COLUMNS} FROM acks_sent WHERE message_id = ?1");
        Ok(self
            .conn()
            .query_row(&sql, [message_id], ack_from_row)
            .optional()?)
    }

    /// The acknowledgement written under that outbox file name, if any.
    pub fn ack_by_file(&self, file_name: &str) -> Result<Option<AckSent>> {
        let sql = format!("SELECT {ACK_COLUMNS} FROM acks_sent WHERE file_name = ?1");
        Ok(self
            .conn()
            .query_row(&sql, [file_name], ack_from_row)
            .optional()?)
    }

    /// Extract messages kept as duplicates (no transfer of their own) that no acknowledgement
    /// answered yet: `(message id, archive name)`.
    pub fn unanswered_duplicate_extracts(&self) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn().prepare(
            "SELECT m.id, m.archive_name FROM messages m
             WHERE m.role = 'extract'
               AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.message_id = m.id)
               AND NOT EXISTS (SELECT 1 FROM acks_sent a WHERE a.message_id = m.id)
             ORDER BY m.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Acknowledgements written about a transfer (its own, and its duplicates'), oldest first.
    pub fn acks_sent(&self, transfer_id: i64) -> Result<Vec<AckSent>> {
        let sql = format!("SELECT {ACK_COLUMNS} FROM acks_sent WHERE transfer_id = ?1 ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([transfer_id], ack_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn insert_followup(&self, f: &Followup) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO followups (transfer_id, kind, section, item_key, title, state, code, term, note, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (transfer_id, kind, item_key) DO NOTHING",
            )?
            .execute(params![
                f.transfer_id,
                f.kind,
                f.section,
                f.item_key,
                f.title,
                f.state,
                f.code,
                f.term,
                f.note,
                f.created_at
            ])?;
        Ok(())
    }

    pub fn followups(&self, transfer_id: i64) -> Result<Vec<Followup>> {
        let mut stmt = self.conn().prepare(
            "SELECT transfer_id, kind, section, item_key, title, state, code, term, note, created_at
             FROM followups WHERE transfer_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(Followup {
                transfer_id: r.get(0)?,
                kind: r.get(1)?,
                section: r.get(2)?,
                item_key: r.get(3)?,
                title: r.get(4)?,
                state: r.get(5)?,
                code: r.get(6)?,
                term: r.get(7)?,
                note: r.get(8)?,
                created_at: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets a transfer's status after its decision (`integrated`, `rejected`, `suppressed`).
    pub fn set_decided_status(&self, transfer_id: i64, status: &str, at: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE transfers SET status = ?2, status_at = ?3 WHERE id = ?1",
            params![transfer_id, status, at],
        )?;
        Ok(())
    }

    /// The records held for an NHS number: other transfers of it decided integrated or
    /// suppressed, newest first, with when they were decided (the patient is returning, "A-B-A",
    /// or their record was already integrated).
    pub fn held_records(&self, transfer_id: i64, nhs_number: &str) -> Result<Vec<HeldRecord>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT t.id, t.received_at, t.status, d.decided_at FROM transfers t
             LEFT JOIN decisions d ON d.transfer_id = t.id
             WHERE t.nhs_number = ?2 AND t.id <> ?1 AND t.status IN ('integrated', 'suppressed')
             ORDER BY t.id DESC",
        )?;
        let rows = stmt.query_map(params![transfer_id, nhs_number], |r| {
            Ok(HeldRecord {
                transfer_id: r.get(0)?,
                received_at: r.get(1)?,
                status: r.get(2)?,
                decided_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
