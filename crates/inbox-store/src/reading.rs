//! Reading a stored record back for the review screen: one query per section, so the first
//! section of a 20,000-entry record is on screen without loading the rest.

use rusqlite::Row;

use crate::{Result, Store};

/// A medication course with what the review needs about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseRow {
    pub seq: i64,
    pub entry_seq: i64,
    pub hl7_id: Option<String>,
    /// `acute` or `repeat`.
    pub kind: String,
    /// `active`, `completed`, `stopped` or `unknown`.
    pub status: String,
    pub repeats_authorised: Option<i64>,
    pub start_at: Option<String>,
    pub expiry_at: Option<String>,
    pub quantity: Option<String>,
    pub quantity_unit: Option<String>,
    pub drug_code: Option<String>,
    pub drug_code_system: Option<String>,
    pub drug_snomed: Option<String>,
    pub drug_term: Option<String>,
    pub dosage: Option<String>,
    pub issue_count: i64,
    pub last_issue_at: Option<String>,
    pub discontinued_at: Option<String>,
    pub discontinuation_reason: Option<String>,
    pub nopat: bool,
    /// The drug's code did not survive the transfer (or has no SNOMED CT code).
    pub degraded: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueRow {
    pub course_seq: i64,
    pub issued_at: Option<String>,
    pub quantity: Option<String>,
    pub quantity_unit: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllergyRow {
    pub seq: i64,
    pub entry_seq: i64,
    /// `drug`, `non_drug` or `possible`.
    pub kind: String,
    pub code: Option<String>,
    pub code_system: Option<String>,
    pub term: Option<String>,
    pub allergen_code: Option<String>,
    pub allergen_term: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
    pub onset_at: Option<String>,
    pub degraded: bool,
    pub nopat: bool,
    /// What the sender meant, when the code was degraded.
    pub original_term: Option<String>,
    /// The reader's degrade kind of its entry (`drug_allergy`...), when degraded.
    pub degrade_kind: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DegradedRow {
    pub seq: i64,
    pub entry_seq: i64,
    /// The reader's kind (`drug_allergy`, `medication`, `record_entry`..., or `no_snomed`).
    pub kind: String,
    /// `code`, `value` or `drug`.
    pub site: String,
    /// The degrade code that arrived (e.g. `1R...`), or the code without SNOMED CT.
    pub degraded_code: Option<String>,
    pub original_term: Option<String>,
    /// The first other code the sender gave at that site, and its system.
    pub original_code: Option<String>,
    pub original_code_system: Option<String>,
    pub entry_kind: String,
    pub entry_term: Option<String>,
    pub effective_at: Option<String>,
    pub nopat: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentRow {
    pub seq: i64,
    pub entry_seq: i64,
    pub title: Option<String>,
    pub term: Option<String>,
    pub media_type: Option<String>,
    pub file_name: Option<String>,
    pub nopat: bool,
    pub absent: bool,
    pub placeholder_reason_code: Option<String>,
    pub placeholder_reason_text: Option<String>,
    pub placeholder_original_name: Option<String>,
    pub placeholder_ods: Option<String>,
    /// The conversation whose sender made the placeholder, when its file says.
    pub placeholder_conversation: Option<String>,
    pub attachment_id: Option<i64>,
    pub attachment_size: Option<i64>,
    pub attachment_content_type: Option<String>,
    pub effective_at: Option<String>,
}

/// One line of the timeline: a consultation, problem, result or letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineRow {
    /// `consultation`, `problem`, `result` or `letter`.
    pub kind: String,
    pub at: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
    pub author: Option<String>,
    pub nopat: bool,
}

fn flag(r: &Row<'_>, i: usize) -> rusqlite::Result<bool> {
    Ok(r.get::<_, i64>(i)? != 0)
}

impl Store {
    /// The record's medication courses, in record order.
    pub fn courses(&self, transfer_id: i64) -> Result<Vec<CourseRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT c.seq, c.entry_seq, c.hl7_id, c.kind, c.status, c.repeats_authorised, c.start_at, c.expiry_at,
                    c.quantity, c.quantity_unit, c.drug_code, c.drug_code_system, c.drug_snomed, c.drug_term,
                    c.dosage, c.issue_count, c.last_issue_at, c.discontinued_at, c.discontinuation_reason, c.nopat,
                    EXISTS (SELECT 1 FROM degraded_entries d
                            WHERE d.transfer_id = c.transfer_id AND d.entry_seq = c.entry_seq)
             FROM medication_courses c WHERE c.transfer_id = ?1 ORDER BY c.seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(CourseRow {
                seq: r.get(0)?,
                entry_seq: r.get(1)?,
                hl7_id: r.get(2)?,
                kind: r.get(3)?,
                status: r.get(4)?,
                repeats_authorised: r.get(5)?,
                start_at: r.get(6)?,
                expiry_at: r.get(7)?,
                quantity: r.get(8)?,
                quantity_unit: r.get(9)?,
                drug_code: r.get(10)?,
                drug_code_system: r.get(11)?,
                drug_snomed: r.get(12)?,
                drug_term: r.get(13)?,
                dosage: r.get(14)?,
                issue_count: r.get(15)?,
                last_issue_at: r.get(16)?,
                discontinued_at: r.get(17)?,
                discontinuation_reason: r.get(18)?,
                nopat: flag(r, 19)?,
                degraded: flag(r, 20)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every issue of every course, by course then issue order.
    pub fn issues(&self, transfer_id: i64) -> Result<Vec<IssueRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT course_seq, issued_at, quantity, quantity_unit FROM medication_issues
             WHERE transfer_id = ?1 ORDER BY course_seq, seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(IssueRow {
                course_seq: r.get(0)?,
                issued_at: r.get(1)?,
                quantity: r.get(2)?,
                quantity_unit: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn allergy_rows(&self, transfer_id: i64) -> Result<Vec<AllergyRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT a.seq, a.entry_seq, a.kind, a.code, a.code_system, a.term, a.allergen_code, a.allergen_term,
                    a.reaction, a.notes, a.onset_at, a.degraded, a.nopat,
                    (SELECT d.original_term FROM degraded_entries d INDEXED BY degraded_entries_entry
                     WHERE d.transfer_id = a.transfer_id AND d.entry_seq = a.entry_seq ORDER BY d.seq LIMIT 1),
                    (SELECT d.kind FROM degraded_entries d INDEXED BY degraded_entries_entry
                     WHERE d.transfer_id = a.transfer_id AND d.entry_seq = a.entry_seq
                     ORDER BY d.kind = 'drug_allergy' DESC, d.seq LIMIT 1)
             FROM allergies a WHERE a.transfer_id = ?1 ORDER BY a.seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(AllergyRow {
                seq: r.get(0)?,
                entry_seq: r.get(1)?,
                kind: r.get(2)?,
                code: r.get(3)?,
                code_system: r.get(4)?,
                term: r.get(5)?,
                allergen_code: r.get(6)?,
                allergen_term: r.get(7)?,
                reaction: r.get(8)?,
                notes: r.get(9)?,
                onset_at: r.get(10)?,
                degraded: flag(r, 11)?,
                nopat: flag(r, 12)?,
                original_term: r.get(13)?,
                degrade_kind: r.get(14)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Degraded entries with what the entry says, without looking up the original codes (what
    /// counts, keys and follow-ups need).
    pub fn degraded_rows_brief(&self, transfer_id: i64) -> Result<Vec<DegradedRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT d.seq, d.entry_seq, d.kind, d.site, d.degraded_code, d.original_term,
                    e.kind, e.term, e.effective_at, e.nopat
             FROM degraded_entries d
             JOIN entries e ON e.transfer_id = d.transfer_id AND e.seq = d.entry_seq
             WHERE d.transfer_id = ?1 ORDER BY d.seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(DegradedRow {
                seq: r.get(0)?,
                entry_seq: r.get(1)?,
                kind: r.get(2)?,
                site: r.get(3)?,
                degraded_code: r.get(4)?,
                original_term: r.get(5)?,
                original_code: None,
                original_code_system: None,
                entry_kind: r.get(6)?,
                entry_term: r.get(7)?,
                effective_at: r.get(8)?,
                nopat: flag(r, 9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Degraded entries with the original code the sender gave beside the degraded one.
    pub fn degraded_rows(&self, transfer_id: i64) -> Result<Vec<DegradedRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT d.seq, d.entry_seq, d.kind, d.site, d.degraded_code, d.original_term,
                    (SELECT c.code FROM codings c
                     WHERE c.transfer_id = d.transfer_id AND c.entry_seq = d.entry_seq AND c.site = d.site
                       AND c.code IS NOT NULL AND c.code IS NOT d.degraded_code ORDER BY c.position LIMIT 1),
                    (SELECT c.code_system FROM codings c
                     WHERE c.transfer_id = d.transfer_id AND c.entry_seq = d.entry_seq AND c.site = d.site
                       AND c.code IS NOT NULL AND c.code IS NOT d.degraded_code ORDER BY c.position LIMIT 1),
                    e.kind, e.term, e.effective_at, e.nopat
             FROM degraded_entries d
             JOIN entries e ON e.transfer_id = d.transfer_id AND e.seq = d.entry_seq
             WHERE d.transfer_id = ?1 ORDER BY d.seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(DegradedRow {
                seq: r.get(0)?,
                entry_seq: r.get(1)?,
                kind: r.get(2)?,
                site: r.get(3)?,
                degraded_code: r.get(4)?,
                original_term: r.get(5)?,
                original_code: r.get(6)?,
                original_code_system: r.get(7)?,
                entry_kind: r.get(8)?,
                entry_term: r.get(9)?,
                effective_at: r.get(10)?,
                nopat: flag(r, 11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn document_rows(&self, transfer_id: i64) -> Result<Vec<DocumentRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT d.seq, d.entry_seq, d.title, d.term, d.media_type, d.file_name, d.nopat, d.absent,
                    d.placeholder_reason_code, d.placeholder_reason_text, d.placeholder_original_name,
                    d.placeholder_ods, d.attachment_id, a.size_bytes, a.content_type, e.effective_at,
                    d.placeholder_conversation
             FROM documents d
             LEFT JOIN attachments a ON a.id = d.attachment_id
             LEFT JOIN entries e ON e.transfer_id = d.transfer_id AND e.seq = d.entry_seq
             WHERE d.transfer_id = ?1 AND d.skeleton = 0 ORDER BY d.seq",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(DocumentRow {
                seq: r.get(0)?,
                entry_seq: r.get(1)?,
                title: r.get(2)?,
                term: r.get(3)?,
                media_type: r.get(4)?,
                file_name: r.get(5)?,
                nopat: flag(r, 6)?,
                absent: flag(r, 7)?,
                placeholder_reason_code: r.get(8)?,
                placeholder_reason_text: r.get(9)?,
                placeholder_original_name: r.get(10)?,
                placeholder_ods: r.get(11)?,
                attachment_id: r.get(12)?,
                attachment_size: r.get(13)?,
                attachment_content_type: r.get(14)?,
                effective_at: r.get(15)?,
                placeholder_conversation: r.get(16)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Consultations (with the terms of their first entries), problems, results and letters,
    /// newest first; undated lines last. One pass over each table: a 20,000-entry record's
    /// timeline is read in well under a second.
    pub fn timeline(&self, transfer_id: i64) -> Result<Vec<TimelineRow>> {
        use std::collections::HashMap;
        // The first twelve entry terms of each composition, in record order.
        let mut terms: HashMap<i64, Vec<String>> = HashMap::new();
        {
            let mut stmt = self.conn().prepare_cached(
                "SELECT composition_seq, coalesce(term, text) FROM entries
                 WHERE transfer_id = ?1 AND composition_seq IS NOT NULL
                   AND kind NOT IN ('compound', 'link_set') AND coalesce(term, text) IS NOT NULL
                 ORDER BY seq",
            )?;
            let mut rows = stmt.query([transfer_id])?;
            while let Some(r) = rows.next()? {
                let list = terms.entry(r.get(0)?).or_default();
                if list.len() < 12 {
                    list.push(r.get(1)?);
                }
            }
        }
        let mut out = Vec::new();
        {
            let mut stmt = self.conn().prepare_cached(
                "SELECT seq, effective_at, coalesce(term, 'Consultation'), author, nopat FROM compositions
                 WHERE transfer_id = ?1 AND record_type <> 'skeleton'",
            )?;
            let rows = stmt.query_map([transfer_id], |r| {
                let seq: i64 = r.get(0)?;
                Ok((seq, r.get(1)?, r.get(2)?, r.get(3)?, flag(r, 4)?))
            })?;
            for row in rows {
                let (seq, at, title, author, nopat): (
                    i64,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                    bool,
                ) = row?;
                out.push(TimelineRow {
                    kind: "consultation".into(),
                    at,
                    title,
                    detail: terms.remove(&seq).map(|t| t.join("; ")),
                    author,
                    nopat,
                });
            }
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT 'problem', p.onset_at, coalesce(p.term, 'Problem'),
                    p.status || coalesce(' · ' || p.significance, '') || ' · ' || p.linked_entries || ' linked',
                    p.nopat
             FROM problems p WHERE p.transfer_id = ?1
             UNION ALL
             SELECT 'result', e.effective_at, coalesce(e.term, 'Result'), e.value, e.nopat
             FROM entries e WHERE e.transfer_id = ?1 AND e.kind = 'observation' AND e.value IS NOT NULL
             UNION ALL
             SELECT 'letter', e.effective_at, coalesce(d.title, d.term, d.file_name, 'Document'),
                    CASE WHEN d.absent THEN 'Missing: ' || coalesce(d.placeholder_reason_text, 'placeholder') ELSE d.media_type END,
                    d.nopat
             FROM documents d LEFT JOIN entries e ON e.transfer_id = d.transfer_id AND e.seq = d.entry_seq
             WHERE d.transfer_id = ?1 AND d.skeleton = 0",
        )?;
        let rows = stmt.query_map([transfer_id], |r| {
            Ok(TimelineRow {
                kind: r.get(0)?,
                at: r.get(1)?,
                title: r.get(2)?,
                detail: r.get(3)?,
                author: None,
                nopat: flag(r, 4)?,
            })
        })?;
        for row in rows {
            out.push(row?);
        }
        // Newest first (stored times sort as text), undated last.
        out.sort_by(|a, b| match (&a.at, &b.at) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Ok(out)
    }

    /// Count of NOPAT entries, compositions and courses the review should mention.
    pub fn nopat_count(&self, transfer_id: i64) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT (SELECT count(*) FROM entries WHERE transfer_id = ?1 AND nopat = 1)
                  + (SELECT count(*) FROM compositions WHERE transfer_id = ?1 AND nopat = 1)",
            [transfer_id],
            |r| r.get(0),
        )?;
        Ok(n.try_into().unwrap_or(0))
    }

    /// The first entry (in record order) whose term matches one of the `LIKE` patterns, with its date.
    pub fn first_entry_matching(
        &self,
        transfer_id: i64,
        patterns: &[&str],
    ) -> Result<Option<(String, Option<String>)>> {
        use rusqlite::OptionalExtension;
        for p in patterns {
            let found = self
                .conn()
                .prepare_cached(
                    "SELECT term, effective_at FROM entries WHERE transfer_id = ?1 AND term LIKE ?2
                     ORDER BY seq LIMIT 1",
                )?
                .query_row(rusqlite::params![transfer_id, p], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The earliest dated entry more than a month before `date` (`YYYY-MM-DD`), with its date.
    pub fn first_entry_before(&self, transfer_id: i64, date: &str) -> Result<Option<(String, String)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT coalesce(term, text, kind), effective_at FROM entries
                 WHERE transfer_id = ?1 AND effective_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'
                   AND substr(effective_at, 1, 10) < date(?2, '-1 month')
                 ORDER BY effective_at LIMIT 1",
            )?
            .query_row(rusqlite::params![transfer_id, date], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// SNOMED CT codes already used in this practice's records whose code or term contains
    /// `query`, most used first: what a clinician can pick when proposing a recode.
    pub fn code_suggestions(&self, query: &str, limit: u32) -> Result<Vec<(String, String, u64)>> {
        let like = format!("%{}%", query.replace(['%', '_'], ""));
        let mut stmt = self.conn().prepare_cached(
            "SELECT code, display_name, count(*) AS n FROM codings
             WHERE code_system = '2.16.840.1.113883.2.1.3.2.4.15' AND code IS NOT NULL
               AND display_name IS NOT NULL AND (code LIKE ?1 OR display_name LIKE ?1)
             GROUP BY code, display_name ORDER BY n DESC, display_name LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![like, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.try_into().unwrap_or(0)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
