//! The parsed record of a transfer, in the tables the screens query: compositions, entries and
//! their codings, medication courses and issues, allergies, problems and their links, degraded
//! entries and documents. Attachments and diagnostics have their own modules' rows here too.
//!
//! A record is always written whole: [`Store::replace_record`] deletes what a transfer had and
//! inserts the new rows, inside the caller's transaction.

use gp2gp::{
    AllergyKind, Coding, CodingSite, CourseKind, CourseStatus, EhrExtract, ProblemStatus, RecordType,
    StatementKind,
};
use rusqlite::params;

use crate::times::{stored, StoredTime};
use crate::transfers::RecordCounts;
use crate::{Result, Store};

/// Bumped whenever the way a record is written changes; older transfers are written again.
/// 2: placeholders keep the conversation that made them.
pub const RECORD_VERSION: i64 = 2;

const RECORD_TABLES: &[&str] = &[
    "compositions",
    "entries",
    "codings",
    "medication_courses",
    "medication_issues",
    "allergies",
    "problems",
    "problem_links",
    "degraded_entries",
    "documents",
];

fn seq(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn main_code(c: Option<&Coding>) -> (Option<&str>, Option<&str>) {
    c.map_or((None, None), |c| {
        (c.main.code.as_deref(), c.main.code_system.as_deref())
    })
}

fn term(c: Option<&Coding>) -> Option<&str> {
    c.and_then(Coding::term)
}

fn join(notes: &[String]) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("\n\n"))
}

pub fn kind_code(kind: StatementKind) -> &'static str {
    match kind {
        StatementKind::Observation => "observation",
        StatementKind::Narrative => "narrative",
        StatementKind::Plan => "plan",
        StatementKind::Request => "request",
        StatementKind::Registration => "registration",
        StatementKind::Compound => "compound",
        StatementKind::Medication => "medication",
        StatementKind::LinkSet => "link_set",
        StatementKind::EhrEmpty => "ehr_empty",
    }
}

fn record_type_code(t: RecordType) -> &'static str {
    match t {
        RecordType::Consultation => "consultation",
        RecordType::NonConsultation => "non_consultation",
        RecordType::NonConsultationMedication => "non_consultation_medication",
        RecordType::Suppressed => "suppressed",
        RecordType::Skeleton => "skeleton",
    }
}

fn site_code(s: CodingSite) -> &'static str {
    match s {
        CodingSite::Code => "code",
        CodingSite::Value => "value",
        CodingSite::Drug => "drug",
    }
}

pub fn course_kind_code(k: CourseKind) -> &'static str {
    match k {
        CourseKind::Acute => "acute",
        CourseKind::Repeat => "repeat",
    }
}

pub fn course_status_code(s: CourseStatus) -> &'static str {
    match s {
        CourseStatus::Active => "active",
        CourseStatus::Completed => "completed",
        CourseStatus::Stopped => "stopped",
        CourseStatus::Unknown => "unknown",
    }
}

pub fn allergy_kind_code(k: AllergyKind) -> &'static str {
    match k {
        AllergyKind::Drug => "drug",
        AllergyKind::NonDrug => "non_drug",
        AllergyKind::Possible => "possible",
    }
}

fn problem_status_code(s: ProblemStatus) -> &'static str {
    match s {
        ProblemStatus::Active => "active",
        ProblemStatus::Inactive => "inactive",
        ProblemStatus::Unspecified => "unspecified",
    }
}

impl Store {
    /// Writes the record of `transfer_id` from `extract`, replacing any earlier version, and sets
    /// the transfer's counts. Run it inside [`Store::write`] so the record is never half there.
    pub fn replace_record(
        &self,
        transfer_id: i64,
        extract: &EhrExtract,
        counts: &RecordCounts,
        error_diagnostics: u64,
    ) -> Result<()> {
        self.delete_record(transfer_id)?;
        self.insert_compositions(transfer_id, extract)?;
        self.insert_entries(transfer_id, extract)?;
        self.insert_courses(transfer_id, extract)?;
        self.insert_allergies(transfer_id, extract)?;
        self.insert_problems(transfer_id, extract)?;
        self.insert_degrades(transfer_id, extract)?;
        self.insert_documents(transfer_id, extract)?;
        self.set_transfer_record(transfer_id, counts, error_diagnostics, RECORD_VERSION)
    }

    fn delete_record(&self, transfer_id: i64) -> Result<()> {
        for table in RECORD_TABLES {
            self.conn()
                .prepare_cached(&format!("DELETE FROM {table} WHERE transfer_id = ?1"))?
                .execute([transfer_id])?;
        }
        Ok(())
    }

    fn insert_compositions(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO compositions (transfer_id, seq, hl7_id, record_type, code, code_system, term, status, \
             effective_at, effective_precision, available_at, available_precision, authored_at, authored_precision, \
             author, location, replaces, nopat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for (i, c) in x.compositions.iter().enumerate() {
            let (code, system) = main_code(c.code.as_ref());
            let effective = stored(c.effective_time.as_ref().and_then(|t| t.start()));
            let available = stored(c.availability_time.as_ref());
            let authored = stored(c.author_time.as_ref());
            let author = c
                .author
                .as_ref()
                .and_then(|a| a.agent)
                .and_then(|a| x.agents.get(a))
                .and_then(gp2gp::Agent::display);
            let location = c.location.as_ref().and_then(|l| {
                l.name
                    .clone()
                    .or_else(|| term(l.code.as_ref()).map(str::to_owned))
            });
            stmt.execute(params![
                transfer_id,
                seq(i),
                c.id,
                record_type_code(c.record_type),
                code,
                system,
                term(c.code.as_ref()),
                c.status,
                effective.at,
                effective.precision,
                available.at,
                available.precision,
                authored.at,
                authored.precision,
                author,
                location,
                c.replaces,
                flag(c.nopat),
            ])?;
        }
        Ok(())
    }

    fn insert_entries(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut entry = self.conn().prepare_cached(
            "INSERT INTO entries (transfer_id, seq, composition_seq, parent_seq, kind, hl7_id, code, code_system, \
             term, snomed_code, status, effective_at, effective_precision, available_at, available_precision, \
             value, text, notes, nopat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?;
        let mut coding = self.conn().prepare_cached(
            "INSERT INTO codings (transfer_id, entry_seq, site, position, code, code_system, display_name, \
             original_text, null_flavor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for (i, s) in x.statements.iter().enumerate() {
            let main = s.code.as_ref().or_else(|| s.drug());
            let (code, system) = main_code(main);
            let effective = stored(s.effective_time.as_ref().and_then(|t| t.start()));
            let available = stored(s.availability_time.as_ref());
            entry.execute(params![
                transfer_id,
                seq(i),
                s.composition.map(seq),
                s.parent.map(seq),
                kind_code(s.kind),
                s.id,
                code,
                system,
                term(main),
                main.and_then(Coding::snomed).and_then(|c| c.code.as_deref()),
                s.status,
                effective.at,
                effective.precision,
                available.at,
                available.precision,
                s.value.as_ref().map(gp2gp::value_text),
                s.text,
                join(&s.annotations),
                flag(s.nopat),
            ])?;
            for (site, c) in s.own_codings() {
                for (position, code) in c.codes().enumerate() {
                    let first = position == 0;
                    coding.execute(params![
                        transfer_id,
                        seq(i),
                        site_code(site),
                        seq(position),
                        code.code,
                        code.code_system,
                        code.display_name,
                        if first { c.original_text.as_deref() } else { None },
                        if first { c.null_flavor.as_deref() } else { None },
                    ])?;
                }
            }
        }
        Ok(())
    }

    fn insert_courses(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut course = self.conn().prepare_cached(
            "INSERT INTO medication_courses (transfer_id, seq, entry_seq, hl7_id, kind, status, repeats_authorised, \
             start_at, start_precision, expiry_at, expiry_precision, quantity, quantity_unit, drug_code, \
             drug_code_system, drug_snomed, drug_term, dosage, prescription_type, issue_count, last_issue_at, \
             last_issue_precision, discontinued_at, discontinued_precision, discontinuation_reason, predecessor, nopat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, \
             ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
        )?;
        let mut issue = self.conn().prepare_cached(
            "INSERT INTO medication_issues (transfer_id, course_seq, seq, hl7_id, issued_at, issued_precision, \
             quantity, quantity_unit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for (i, c) in x.courses.iter().enumerate() {
            let start = stored(c.start.as_ref());
            let expiry = stored(c.expiry.as_ref());
            let last = stored(c.last_issue.as_ref());
            let stop = c
                .discontinuation
                .as_ref()
                .map(|d| stored(d.date.as_ref()))
                .unwrap_or_default();
            let reason = c.discontinuation.as_ref().and_then(|d| {
                term(d.reason.as_ref())
                    .map(str::to_owned)
                    .or_else(|| join(&d.notes))
            });
            let (drug_code, drug_system) = main_code(c.drug.as_ref());
            course.execute(params![
                transfer_id,
                seq(i),
                seq(c.authorise.statement),
                c.id,
                course_kind_code(c.kind),
                course_status_code(c.status),
                c.repeats_authorised,
                start.at,
                start.precision,
                expiry.at,
                expiry.precision,
                c.quantity.as_ref().and_then(|q| q.value.as_deref()),
                c.quantity
                    .as_ref()
                    .and_then(|q| q.unit_text.as_deref().or(q.unit.as_deref())),
                drug_code,
                drug_system,
                c.drug_snomed,
                c.drug_term,
                c.dosage,
                term(c.prescription_type.as_ref()),
                seq(c.issue_count),
                last.at,
                last.precision,
                stop.at,
                stop.precision,
                reason,
                c.predecessor,
                flag(c.nopat),
            ])?;
            for (n, r) in c.issues.iter().enumerate() {
                let Some(supply) = x
                    .statements
                    .get(r.statement)
                    .and_then(|s| s.medication.as_ref())
                    .and_then(|m| m.supplies.get(r.supply))
                else {
                    continue;
                };
                let when: StoredTime = stored(
                    supply
                        .availability_time
                        .as_ref()
                        .or_else(|| supply.effective_time.as_ref().and_then(|t| t.start())),
                );
                issue.execute(params![
                    transfer_id,
                    seq(i),
                    seq(n),
                    supply.id,
                    when.at,
                    when.precision,
                    supply.quantity.as_ref().and_then(|q| q.value.as_deref()),
                    supply
                        .quantity
                        .as_ref()
                        .and_then(|q| q.unit_text.as_deref().or(q.unit.as_deref())),
                ])?;
            }
        }
        Ok(())
    }

    fn insert_allergies(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO allergies (transfer_id, seq, entry_seq, kind, code, code_system, term, allergen_code, \
             allergen_term, reaction, notes, onset_at, onset_precision, degraded, nopat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for (i, a) in x.allergies.iter().enumerate() {
            let (code, system) = main_code(a.code.as_ref());
            let onset = stored(a.onset.as_ref());
            stmt.execute(params![
                transfer_id,
                seq(i),
                seq(a.observation),
                allergy_kind_code(a.kind),
                code,
                system,
                term(a.code.as_ref()),
                main_code(a.allergen.as_ref()).0,
                a.allergen_term,
                a.reaction,
                join(&a.notes),
                onset.at,
                onset.precision,
                flag(a.degraded),
                flag(a.nopat),
            ])?;
        }
        Ok(())
    }

    fn insert_problems(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut problem = self.conn().prepare_cached(
            "INSERT INTO problems (transfer_id, seq, entry_seq, hl7_id, status, significance, named_entry_seq, code, \
             code_system, term, onset_at, onset_precision, end_at, end_precision, linked_entries, nopat)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        )?;
        let mut link = self.conn().prepare_cached(
            "INSERT INTO problem_links (transfer_id, problem_seq, position, hl7_id, entry_seq)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, p) in x.problems.iter().enumerate() {
            let (code, system) = main_code(p.code.as_ref());
            let onset = stored(p.onset.as_ref());
            let end = stored(p.end.as_ref());
            problem.execute(params![
                transfer_id,
                seq(i),
                seq(p.statement),
                p.id,
                problem_status_code(p.status),
                p.significance,
                p.named.map(seq),
                code,
                system,
                p.term,
                onset.at,
                onset.precision,
                end.at,
                end.precision,
                seq(p.linked.len()),
                flag(p.nopat),
            ])?;
            for (n, l) in p.linked.iter().enumerate() {
                link.execute(params![transfer_id, seq(i), seq(n), l.id, l.statement.map(seq)])?;
            }
        }
        Ok(())
    }

    fn insert_degrades(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO degraded_entries (transfer_id, seq, entry_seq, kind, site, degraded_code, original_term)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let degrades = x.degrades.iter().map(|d| {
            (
                d.statement,
                d.kind.code(),
                d.site,
                Some(d.degraded_code.as_str()),
                d.original_term.as_deref(),
            )
        });
        let unsnomed = x
            .no_snomed
            .iter()
            .map(|u| (u.statement, "no_snomed", u.site, None, u.term.as_deref()));
        for (i, (statement, kind, site, code, original)) in degrades.chain(unsnomed).enumerate() {
            stmt.execute(params![
                transfer_id,
                seq(i),
                seq(statement),
                kind,
                site_code(site),
                code,
                original,
            ])?;
        }
        Ok(())
    }

    fn insert_documents(&self, transfer_id: i64, x: &EhrExtract) -> Result<()> {
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO documents (transfer_id, seq, entry_seq, hl7_id, title, code, term, media_type, link, \
             file_name, nopat, skeleton, absent, placeholder_reason_code, placeholder_reason_text, \
             placeholder_original_name, placeholder_ods, placeholder_conversation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )?;
        for (i, d) in x.documents.iter().enumerate() {
            let placeholder = d.absent.as_ref().and_then(|a| a.placeholder.as_ref());
            stmt.execute(params![
                transfer_id,
                seq(i),
                seq(d.statement),
                d.id,
                d.title,
                main_code(d.code.as_ref()).0,
                term(d.code.as_ref()),
                d.media_type,
                d.link,
                d.file_name(),
                flag(d.nopat),
                flag(d.skeleton),
                flag(d.absent.is_some()),
                placeholder.and_then(|p| p.reason_code.as_deref()),
                placeholder.and_then(|p| p.reason_text.as_deref()),
                placeholder.and_then(|p| p.original_name.as_deref()),
                d.absent
                    .as_ref()
                    .and_then(|a| a.created_by_ods.as_deref())
                    .or_else(|| placeholder.and_then(|p| p.ods.as_deref())),
                placeholder.and_then(|p| p.conversation_id.as_deref()),
            ])?;
        }
        Ok(())
    }

    /// Points each document at the stored attachment with its file name or reference.
    pub fn link_documents_to_attachments(&self, transfer_id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE documents SET attachment_id = (
                 SELECT a.id FROM attachments a
                 WHERE a.transfer_id = documents.transfer_id
                   AND (lower(a.file_name) = lower(documents.file_name)
                        OR lower(a.reference) = lower(documents.link)
                        OR lower(a.reference) = 'cid:' || lower(documents.file_name))
                 ORDER BY a.id LIMIT 1)
             WHERE transfer_id = ?1 AND absent = 0",
            params![transfer_id],
        )?;
        Ok(())
    }

    /// How many rows each record table holds for a transfer, by table name (for checks and tests).
    pub fn record_row_counts(&self, transfer_id: i64) -> Result<Vec<(&'static str, u64)>> {
        RECORD_TABLES
            .iter()
            .chain(["attachments"].iter())
            .map(|table| {
                let n: i64 = self.conn().query_row(
                    &format!("SELECT count(*) FROM {table} WHERE transfer_id = ?1"),
                    [transfer_id],
                    |r| r.get(0),
                )?;
                Ok((*table, n.try_into().unwrap_or(0)))
            })
            .collect()
    }
}
