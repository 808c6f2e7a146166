//! The `transfers` table: one patient record (EhrExtract) per row, with where it stands.

use rusqlite::{params, OptionalExtension, Row};

use crate::{Result, Store};

/// Where a transfer stands in the pipeline (the review decision adds its own states later).
pub mod status {
    /// The core arrived; large-message parts are still awaited.
    pub const AWAITING_ATTACHMENTS: &str = "awaiting_attachments";
    /// Everything arrived and was stored: ready for review.
    pub const READY: &str = "ready";
    /// Parts never arrived (or could not be put together); `failure_code` says which.
    pub const INCOMPLETE: &str = "incomplete";
    /// Decided: integrated (an AA acknowledgement was written).
    pub const INTEGRATED: &str = "integrated";
    /// Decided: rejected (an AE acknowledgement with the reason code was written).
    pub const REJECTED: &str = "rejected";
    /// Decided: stored and suppressed (a returning patient's incoming record, AE 15), or an
    /// earlier record suppressed when its returning patient's new record was integrated.
    pub const SUPPRESSED: &str = "suppressed";
}

/// The 14 counts of the record, in the order of `gp2gp::Counts::fields`.
pub type RecordCounts = [u64; 14];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTransfer {
    pub conversation_id: Option<String>,
    /// The message carrying the EhrExtract.
    pub message_id: i64,
    pub interaction: String,
    pub extract_id: Option<String>,
    pub nhs_number: Option<String>,
    pub sending_ods: Option<String>,
    pub receiving_ods: Option<String>,
    pub sent_at: Option<String>,
    pub sent_precision: Option<String>,
    pub sent_raw: Option<String>,
    pub received_at: String,
    pub file_name: String,
    pub size_bytes: u64,
    /// folder | endpoint | command_line | sample
    pub origin: String,
    /// One of [`status`].
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transfer {
    pub id: i64,
    pub fields: NewTransfer,
    pub status_at: String,
    pub parts_expected: u64,
    pub parts_missing: u64,
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
    pub record_version: i64,
    pub counts: RecordCounts,
    pub error_diagnostics: u64,
    /// Active repeats (integration stops them for re-authorisation).
    pub active_repeats: u64,
    /// Degraded drug allergies (they block prescribing once integrated).
    pub degraded_drug_allergies: u64,
}

/// A change of status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusChange {
    pub status: String,
    pub at: String,
    pub parts_expected: u64,
    pub parts_missing: u64,
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
}

const COUNT_COLUMNS: &str = "compositions, medication_courses, acute_courses, repeat_courses, issues, \
     discontinuations, allergies, drug_allergies, non_drug_allergies, problems, degraded, documents, \
     absent_attachments, nopat";

fn columns() -> String {
    format!(
        "id, conversation_id, message_id, interaction, extract_id, nhs_number, sending_ods, receiving_ods, \
         sent_at, sent_precision, sent_raw, received_at, file_name, size_bytes, origin, status, status_at, \
         parts_expected, parts_missing, failure_code, failure_reason, record_version, error_diagnostics, {COUNT_COLUMNS}, \
         (SELECT count(*) FROM medication_courses c \
          WHERE c.transfer_id = transfers.id AND c.kind = 'repeat' AND c.status = 'active'), \
         (SELECT count(*) FROM ( \
             SELECT a.entry_seq FROM allergies a \
             WHERE a.transfer_id = transfers.id AND a.kind = 'drug' AND a.degraded = 1 \
             UNION SELECT d.entry_seq FROM degraded_entries d \
             WHERE d.transfer_id = transfers.id AND d.kind = 'drug_allergy'))"
    )
}

fn u64_at(r: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(r.get::<_, i64>(i)?.try_into().unwrap_or(0))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Transfer> {
    let mut counts = [0u64; 14];
    for (i, c) in counts.iter_mut().enumerate() {
        *c = u64_at(r, 23 + i)?;
    }
    Ok(Transfer {
        id: r.get(0)?,
        fields: NewTransfer {
            conversation_id: r.get(1)?,
            message_id: r.get(2)?,
            interaction: r.get(3)?,
            extract_id: r.get(4)?,
            nhs_number: r.get(5)?,
            sending_ods: r.get(6)?,
            receiving_ods: r.get(7)?,
            sent_at: r.get(8)?,
            sent_precision: r.get(9)?,
            sent_raw: r.get(10)?,
            received_at: r.get(11)?,
            file_name: r.get(12)?,
            size_bytes: u64_at(r, 13)?,
            origin: r.get(14)?,
            status: r.get(15)?,
        },
        status_at: r.get(16)?,
        parts_expected: u64_at(r, 17)?,
        parts_missing: u64_at(r, 18)?,
        failure_code: r.get(19)?,
        failure_reason: r.get(20)?,
        record_version: r.get(21)?,
        error_diagnostics: u64_at(r, 22)?,
        counts,
        active_repeats: u64_at(r, 37)?,
        degraded_drug_allergies: u64_at(r, 38)?,
    })
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// Records a transfer (status as given, counts zero until its record is stored) and returns its id.
    pub fn insert_transfer(&self, t: &NewTransfer) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO transfers (conversation_id, message_id, interaction, extract_id, nhs_number, sending_ods, \
             receiving_ods, sent_at, sent_precision, sent_raw, received_at, file_name, size_bytes, origin, status, status_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?11)",
            params![
                t.conversation_id,
                t.message_id,
                t.interaction,
                t.extract_id,
                t.nhs_number,
                t.sending_ods,
                t.receiving_ods,
                t.sent_at,
                t.sent_precision,
                t.sent_raw,
                t.received_at,
                t.file_name,
                to_i64(t.size_bytes),
                t.origin,
                t.status,
            ],
        )?;
        let id = self.conn().last_insert_rowid();
        self.set_message_transfer(t.message_id, id)?;
        Ok(id)
    }

    pub fn transfer(&self, id: i64) -> Result<Option<Transfer>> {
        let sql = format!("SELECT {} FROM transfers WHERE id = ?1", columns());
        Ok(self.conn().query_row(&sql, [id], from_row).optional()?)
    }

    /// The first transfer of this EhrExtract id (compared case-insensitively, leading and trailing
    /// white space ignored), preferring one that did not fail to import (see
    /// [`Store::failed_to_import`]), if any.
    pub fn transfer_by_extract_id(&self, extract_id: &str) -> Result<Option<Transfer>> {
        // SQLite's one-argument trim() strips spaces only; ids read from XML may carry tabs or
        // line breaks too.
        let sql = format!(
            "SELECT {} FROM transfers \
             WHERE upper(trim(extract_id, ' ' || char(9, 10, 13))) = upper(trim(?1, ' ' || char(9, 10, 13))) \
             ORDER BY status = 'incomplete' OR EXISTS ( \
                 SELECT 1 FROM decisions d WHERE d.transfer_id = transfers.id AND d.kind = 'reject' \
                   AND d.reason_code IN ('11', '25', '29', '30', '31')), id LIMIT 1",
            columns()
        );
        Ok(self.conn().query_row(&sql, [extract_id], from_row).optional()?)
    }

    /// True when the transfer failed to import: incomplete, or rejected because its large-message
    /// parts never came or could not be put together (25, 29, 30, 31) or it failed to integrate
    /// (11). The sending practice may send the same extract again (S85).
    pub fn failed_to_import(&self, transfer_id: i64) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM transfers WHERE id = ?1 AND status = 'incomplete')
                 OR EXISTS (SELECT 1 FROM decisions WHERE transfer_id = ?1 AND kind = 'reject'
                            AND reason_code IN ('11', '25', '29', '30', '31'))",
            [transfer_id],
            |r| r.get(0),
        )?)
    }

    /// The transfer of a conversation (the first, should a sender reuse one).
    pub fn transfer_in_conversation(&self, conversation_id: &str) -> Result<Option<Transfer>> {
        let sql = format!(
            "SELECT {} FROM transfers WHERE conversation_id = ?1 ORDER BY id LIMIT 1",
            columns()
        );
        Ok(self
            .conn()
            .query_row(&sql, [conversation_id], from_row)
            .optional()?)
    }

    /// Every transfer, newest arrival first.
    pub fn list_transfers(&self) -> Result<Vec<Transfer>> {
        let sql = format!(
            "SELECT {} FROM transfers ORDER BY received_at DESC, id DESC",
            columns()
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Transfers in a status whose status was set before `before` (RFC 3339), oldest first.
    pub fn transfers_in_status_since(&self, status: &str, before: &str) -> Result<Vec<Transfer>> {
        let sql = format!(
            "SELECT {} FROM transfers WHERE status = ?1 AND status_at < ?2 ORDER BY status_at, id",
            columns()
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([status, before], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Transfers whose record tables were written by an older reader (or not at all).
    pub fn transfers_with_record_before(&self, version: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id FROM transfers WHERE record_version < ?1 ORDER BY id")?;
        let rows = stmt.query_map([version], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn count_transfers(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM transfers", [], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }

    pub fn set_transfer_status(&self, id: i64, change: &StatusChange) -> Result<()> {
        self.conn().execute(
            "UPDATE transfers SET status = ?2, status_at = ?3, parts_expected = ?4, parts_missing = ?5, \
             failure_code = ?6, failure_reason = ?7 WHERE id = ?1",
            params![
                id,
                change.status,
                change.at,
                to_i64(change.parts_expected),
                to_i64(change.parts_missing),
                change.failure_code,
                change.failure_reason,
            ],
        )?;
        Ok(())
    }

    /// Sets the record's counts and the reader version that wrote the record tables.
    pub(crate) fn set_transfer_record(
        &self,
        id: i64,
        counts: &RecordCounts,
        error_diagnostics: u64,
        version: i64,
    ) -> Result<()> {
        let sets: Vec<String> = COUNT_COLUMNS
            .split(", ")
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", i + 4))
            .collect();
        let sql = format!(
            "UPDATE transfers SET record_version = ?2, error_diagnostics = ?3, {} WHERE id = ?1",
            sets.join(", ")
        );
        let mut values: Vec<i64> = vec![id, version, to_i64(error_diagnostics)];
        values.extend(counts.iter().map(|&c| to_i64(c)));
        self.conn().execute(&sql, rusqlite::params_from_iter(values))?;
        Ok(())
    }
}
