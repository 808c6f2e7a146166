//! The review of one transfer before its decision: the patient banner and wrong-patient signs, the
//! safety summary, the four sections (medications, allergies, degraded codes, attachments) with
//! each item's mark and intentions, the timeline, and the attachment viewer.
//!
//! Items are named by a key stable for the stored record (`course:3`, `allergy:0`, `degraded:7`,
//! `document:2`: the table and the row's sequence in the record, which is the order of the
//! message). Marks and intentions name items by it; a section counts as reviewed when every item
//! in it is marked (reviewed or flagged).

use std::collections::HashMap;

use inbox_store::reading::{AllergyRow, CourseRow, DegradedRow, DocumentRow};
use inbox_store::Store;

use crate::dto::{
    AllergyItem, AttachmentContent, AttachmentItem, CodeSuggestion, DegradedItem, DiagnosticView,
    EarlierRecord, IntentionKind, IntentionRequest, IntentionView, IssueView, ItemBody, ItemMark,
    MarkRequest, MarkState, MedicationItem, MissingAttachments, PatientWarning, PatientWarningKind,
    RegistrationView, ReviewItem, ReviewView, SafetySummary, Section, SectionPage, SectionProgress,
    TimelineItem, TransferStatus,
};
use crate::users::{Action, Actor};
use crate::{clock, Inbox, InboxError};

/// Everything about a transfer's record the review needs, read in one go.
pub(crate) struct Loaded {
    pub transfer: inbox_store::Transfer,
    pub courses: Vec<CourseRow>,
    pub allergies: Vec<AllergyRow>,
    pub degraded: Vec<DegradedRow>,
    pub documents: Vec<DocumentRow>,
    pub marks: HashMap<(String, String), inbox_store::review::Mark>,
    pub intentions: Vec<inbox_store::review::Intention>,
}

impl Loaded {
    pub(crate) fn read(store: &Store, transfer_id: i64) -> Result<Loaded, InboxError> {
        let transfer = store
            .transfer(transfer_id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no transfer {transfer_id}.")))?;
        Ok(Loaded {
            courses: store.courses(transfer_id)?,
            allergies: store.allergy_rows(transfer_id)?,
            degraded: store.degraded_rows_brief(transfer_id)?,
            documents: store.document_rows(transfer_id)?,
            marks: store
                .marks(transfer_id)?
                .into_iter()
                .map(|m| ((m.section.clone(), m.item_key.clone()), m))
                .collect(),
            intentions: store.intentions(transfer_id)?,
            transfer,
        })
    }

    /// The keys of a section's items, in the order the screen shows them.
    pub(crate) fn keys(&self, section: Section) -> Vec<String> {
        match section {
            Section::Medications => order_courses(&self.courses)
                .iter()
                .map(|c| course_key(c))
                .collect(),
            Section::Allergies => order_allergies(&self.allergies)
                .iter()
                .map(|a| allergy_key(a))
                .collect(),
            Section::Degraded => order_degraded(&self.degraded)
                .iter()
                .map(|d| degraded_key(d))
                .collect(),
            Section::Attachments => order_documents(&self.documents)
                .iter()
                .map(|d| document_key(d))
                .collect(),
        }
    }

    pub(crate) fn progress(&self, section: Section) -> SectionProgress {
        let keys = self.keys(section);
        let mut seen = 0;
        let mut flagged = 0;
        for k in &keys {
            if let Some(m) = self.marks.get(&(section.code().to_owned(), k.clone())) {
                seen += 1;
                if m.state == "flagged" {
                    flagged += 1;
                }
            }
        }
        SectionProgress {
            section,
            total: count(keys.len()),
            seen,
            flagged,
            complete: seen as usize == keys.len(),
        }
    }

    pub(crate) fn intention(
        &self,
        section: Section,
        key: &str,
        kind: &str,
    ) -> Option<&inbox_store::review::Intention> {
        self.intentions
            .iter()
            .find(|i| i.section == section.code() && i.item_key == key && i.kind == kind)
    }

    pub(crate) fn mark(&self, section: Section, key: &str) -> Option<&inbox_store::review::Mark> {
        self.marks.get(&(section.code().to_owned(), key.to_owned()))
    }

    /// What an item is, in a few words, with its key: `Amlodipine 5mg tablets (course:3)`.
    pub(crate) fn title(&self, section: Section, key: &str) -> String {
        let name = match section {
            Section::Medications => self
                .courses
                .iter()
                .find(|c| course_key(c) == key)
                .and_then(|c| c.drug_term.clone()),
            Section::Allergies => self
                .allergies
                .iter()
                .find(|a| allergy_key(a) == key)
                .and_then(|a| a.term.clone().or_else(|| a.original_term.clone())),
            Section::Degraded => self
                .degraded
                .iter()
                .find(|d| degraded_key(d) == key)
                .and_then(|d| d.original_term.clone().or_else(|| d.entry_term.clone())),
            Section::Attachments => self
                .documents
                .iter()
                .find(|d| document_key(d) == key)
                .and_then(|d| {
                    d.title
                        .clone()
                        .or_else(|| d.file_name.clone())
                        .or_else(|| d.placeholder_original_name.clone())
                }),
        };
        match name {
            Some(n) => format!("{n} ({key})"),
            None => key.to_owned(),
        }
    }

    /// Active repeats: what integration deactivates for re-authorisation.
    pub(crate) fn active_repeats(&self) -> impl Iterator<Item = &CourseRow> {
        self.courses.iter().filter(|c| is_active_repeat(c))
    }

    /// The placeholder was created by this transfer's sender (or the document's file simply did not
    /// come with this transfer): chase it.
    pub(crate) fn created_by_sender(&self, d: &DocumentRow) -> bool {
        placeholder_from(
            d,
            self.transfer.fields.sending_ods.as_deref(),
            self.transfer.fields.conversation_id.as_deref(),
        )
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(crate) fn course_key(c: &CourseRow) -> String {
    format!("course:{}", c.seq)
}
pub(crate) fn allergy_key(a: &AllergyRow) -> String {
    format!("allergy:{}", a.seq)
}
pub(crate) fn degraded_key(d: &DegradedRow) -> String {
    format!("degraded:{}", d.seq)
}
pub(crate) fn document_key(d: &DocumentRow) -> String {
    format!("document:{}", d.seq)
}

pub(crate) fn is_active_repeat(c: &CourseRow) -> bool {
    c.kind == "repeat" && c.status == "active"
}

/// S86: a placeholder needs chasing when the sending practice made it in this transfer — its
/// `<ODS>:<ConversationID>` line names the sender's ODS code and this conversation. A line that
/// says no conversation (or a transfer without one, sent bare) is judged by the ODS code alone;
/// a placeholder that names no practice is taken as the sender's.
fn placeholder_from(d: &DocumentRow, sending_ods: Option<&str>, conversation: Option<&str>) -> bool {
    if !d.absent {
        return d.attachment_id.is_none();
    }
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let by_sender = match (d.placeholder_ods.as_deref(), sending_ods) {
        (Some(p), Some(s)) => same(p, s),
        (None, _) => true,
        (Some(_), None) => false,
    };
    let this_conversation = match (d.placeholder_conversation.as_deref(), conversation) {
        (Some(p), Some(c)) => same(p, c),
        _ => true,
    };
    by_sender && this_conversation
}

/// Current repeats first, then current acutes, then the rest; most recent issue first in each.
fn order_courses(rows: &[CourseRow]) -> Vec<&CourseRow> {
    let mut v: Vec<&CourseRow> = rows.iter().collect();
    let rank = |c: &CourseRow| match (c.status.as_str(), c.kind.as_str()) {
        ("active", "repeat") => 0,
        ("active", _) => 1,
        _ => 2,
    };
    v.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.last_issue_at.cmp(&a.last_issue_at))
            .then(a.seq.cmp(&b.seq))
    });
    v
}

/// Degraded first, then drug, non-drug and possible allergies.
fn order_allergies(rows: &[AllergyRow]) -> Vec<&AllergyRow> {
    let mut v: Vec<&AllergyRow> = rows.iter().collect();
    let rank = |a: &AllergyRow| {
        let kind = match a.kind.as_str() {
            "drug" => 0,
            "non_drug" => 1,
            _ => 2,
        };
        (!a.degraded, kind)
    };
    v.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.seq.cmp(&b.seq)));
    v
}

/// Drug allergies first (they block prescribing), then medications, then everything else.
fn order_degraded(rows: &[DegradedRow]) -> Vec<&DegradedRow> {
    let mut v: Vec<&DegradedRow> = rows.iter().collect();
    let rank = |d: &DegradedRow| match d.kind.as_str() {
        "drug_allergy" => 0,
        "non_drug_allergy" => 1,
        "medication" => 2,
        "no_snomed" => 4,
        _ => 3,
    };
    v.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.seq.cmp(&b.seq)));
    v
}

/// Missing files first.
fn order_documents(rows: &[DocumentRow]) -> Vec<&DocumentRow> {
    let mut v: Vec<&DocumentRow> = rows.iter().collect();
    v.sort_by(|a, b| b.absent.cmp(&a.absent).then(a.seq.cmp(&b.seq)));
    v
}

/// A degraded drug allergy blocks prescribing (S84): a drug allergy whose code was degraded, or
/// any entry sent with the "transfer-degraded drug allergy" code, whatever wrapper it came in.
pub(crate) fn blocks_prescribing(a: &AllergyRow) -> bool {
    (a.degraded && a.kind == "drug") || a.degrade_kind.as_deref() == Some("drug_allergy")
}

impl Loaded {
    /// Every entry that blocks prescribing once integrated (S84), by entry: `(section, key, title)`.
    /// An allergy is named by its allergy item; a degraded drug allergy that is no allergy row
    /// (not in an allergy wrapper) by its degraded-code item.
    pub(crate) fn prescribing_locks(&self) -> Vec<(Section, String, String)> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for a in self.allergies.iter().filter(|a| blocks_prescribing(a)) {
            if seen.insert(a.entry_seq) {
                let title = a
                    .original_term
                    .clone()
                    .or_else(|| a.term.clone())
                    .unwrap_or_else(|| "Drug allergy".into());
                out.push((Section::Allergies, allergy_key(a), title));
            }
        }
        for d in self.degraded.iter().filter(|d| d.kind == "drug_allergy") {
            if seen.insert(d.entry_seq) {
                let title = d
                    .original_term
                    .clone()
                    .or_else(|| d.entry_term.clone())
                    .unwrap_or_else(|| "Drug allergy".into());
                out.push((Section::Degraded, degraded_key(d), title));
            }
        }
        out
    }
}

pub(crate) fn degrade_label(kind: &str) -> &'static str {
    match kind {
        "drug_allergy" => "Drug allergy (degraded)",
        "non_drug_allergy" => "Non-drug allergy (degraded)",
        "medication" => "Medication (degraded)",
        "referral" => "Referral (degraded)",
        "request" => "Test request (degraded)",
        "plan" => "Plan (degraded)",
        "record_entry" => "Record entry (degraded)",
        "no_snomed" => "No SNOMED CT code",
        _ => "Degraded code",
    }
}

/// How the screen can show a file of this type and name.
pub(crate) fn viewer_for(media_type: Option<&str>, file_name: Option<&str>) -> &'static str {
    let media = media_type.unwrap_or("").to_ascii_lowercase();
    let ext = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if media == "application/pdf" || ext == "pdf" {
        "pdf"
    } else if matches!(
        media.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/bmp"
    ) || matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "gif" | "bmp")
    {
        "image"
    } else if media.contains("rtf") || ext == "rtf" {
        "rtf"
    } else if media.starts_with("text/") || matches!(ext.as_str(), "txt" | "csv" | "xml" | "htm" | "html") {
        "text"
    } else {
        "none"
    }
}

fn registration_view(r: inbox_store::Registration) -> RegistrationView {
    RegistrationView {
        given_name: r.given_name,
        family_name: r.family_name,
        date_of_birth: r.date_of_birth,
        sex: r.sex,
        address: r.address,
        postcode: r.postcode,
        practice_ods: r.practice_ods,
        registered_on: r.registered_on,
    }
}

/// Entries that only one sex can have, by words in their term (a small, conservative list: a
/// match is a prompt to look, never a verdict).
const FEMALE_ONLY: &[&str] = &[
    "%pregnan%",
    "%antenatal%",
    "%postnatal%",
    "%cervical smear%",
    "%cervical screening%",
    "%hysterectomy%",
    "%menopaus%",
    "%ovarian%",
];
const MALE_ONLY: &[&str] = &[
    "%prostat%",
    "%vasectomy%",
    "%testicular%",
    "%testis%",
    "%erectile%",
];

/// The day of a stored time (`2020-01-05T10:00:00Z` -> `2020-01-05`); a time stored as the raw
/// text the sender wrote (which may be anything) is shown whole.
fn day_of(at: &str) -> &str {
    match at.get(..10) {
        Some(day) if day.bytes().all(|b| b.is_ascii_digit() || b == b'-') => day,
        _ => at,
    }
}

/// Wrong-patient signs: the NHS number, the registration it matches, and entries that do not fit
/// the registered sex or date of birth.
pub(crate) fn patient_warnings(
    store: &Store,
    t: &inbox_store::Transfer,
    registration: Option<&inbox_store::Registration>,
) -> Result<Vec<PatientWarning>, InboxError> {
    let mut warnings = Vec::new();
    let warn = |kind, message: String| PatientWarning { kind, message };
    match t.fields.nhs_number.as_deref() {
        None => warnings.push(warn(
            PatientWarningKind::NoNhsNumber,
            "The record carries no NHS number: it cannot be matched to a registered patient.".into(),
        )),
        Some(n) if !crate::nhs_number::is_valid(n) => warnings.push(warn(
            PatientWarningKind::InvalidNhsNumber,
            format!("The NHS number {n} fails its check digit: the record may not be this patient's."),
        )),
        Some(n) if registration.is_none() => warnings.push(warn(
            PatientWarningKind::NotRegistered,
            format!(
                "No patient registered at this practice has NHS number {}: check the registration before integrating.",
                crate::nhs_number::display(n)
            ),
        )),
        Some(_) => {}
    }
    let Some(r) = registration else {
        return Ok(warnings);
    };
    let conflicting = match r.sex.as_str() {
        "male" => Some((FEMALE_ONLY, "male")),
        "female" => Some((MALE_ONLY, "female")),
        _ => None,
    };
    if let Some((patterns, sex)) = conflicting {
        if let Some((term, at)) = store.first_entry_matching(t.id, patterns)? {
            warnings.push(warn(
                PatientWarningKind::SexImplausible,
                format!(
                    "The practice registered this patient as {sex}, but the record has \"{term}\"{}.",
                    at.as_deref()
                        .map(|a| format!(" ({})", day_of(a)))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    if let Some(dob) = r.date_of_birth.as_deref() {
        if let Some((term, at)) = store.first_entry_before(t.id, dob)? {
            warnings.push(warn(
                PatientWarningKind::AgeImplausible,
                format!(
                    "The record has \"{term}\" dated {}, before the registered date of birth {dob}.",
                    day_of(&at)
                ),
            ));
        }
    }
    Ok(warnings)
}

impl Inbox {
    /// Opens a transfer for review (audited as a record view).
    pub fn review(&self, actor: &Actor, transfer_id: i64) -> Result<ReviewView, InboxError> {
        let view = self.review_view(actor, transfer_id)?;
        self.audit(actor, "view_record", Some(transfer_id), "")?;
        Ok(view)
    }

    /// The review screen's header: banner, summary, progress, decision panel (not audited).
    pub fn review_view(&self, actor: &Actor, transfer_id: i64) -> Result<ReviewView, InboxError> {
        let store = self.store();
        let loaded = Loaded::read(&store, transfer_id)?;
        let t = &loaded.transfer;
        let registration = crate::registrations::of_transfer(&store, t)?;
        let patient_warnings = patient_warnings(&store, t, registration.as_ref())?;
        let diagnostics = store
            .diagnostics(t.fields.message_id)?
            .into_iter()
            .filter(|d| d.severity != "info")
            .map(|d| DiagnosticView {
                severity: d.severity,
                message: d.message,
            })
            .collect();
        let earlier_records = earlier_records(&store, t)?;
        let nopat = count(store.nopat_count(transfer_id)? as usize);
        let summary = SafetySummary {
            repeats_to_reauthorise: count(loaded.active_repeats().count()),
            repeats_reauthorised: count(
                loaded
                    .active_repeats()
                    .filter(|c| {
                        loaded
                            .intention(Section::Medications, &course_key(c), "reauthorise")
                            .is_some()
                    })
                    .count(),
            ),
            degraded_drug_allergies: count(loaded.prescribing_locks().len()),
            possible_allergies: count(loaded.allergies.iter().filter(|a| a.kind == "possible").count()),
            degraded_medications: count(
                loaded
                    .courses
                    .iter()
                    .filter(|c| c.degraded && c.status == "active")
                    .count(),
            ),
            degraded_codes: count(loaded.degraded.len()),
            missing_attachments: missing_groups(&loaded),
            nopat,
            patient_warnings,
            diagnostics,
        };
        let sections = Section::ALL.iter().map(|s| loaded.progress(*s)).collect();
        let registered_on = registration.as_ref().and_then(|r| r.registered_on.as_deref());
        let decision = crate::decision::panel(self, &store, actor, &loaded, &earlier_records, registered_on)?;
        let mut transfer = crate::dto::TransferRow::from(t.clone());
        transfer.patient = registration.clone().map(crate::dto::PatientView::from);
        Ok(ReviewView {
            transfer,
            registration: registration.map(registration_view),
            summary,
            sections,
            earlier_records,
            decision,
        })
    }

    /// The items of one section, with their marks and intentions.
    pub fn review_section(
        &self,
        _actor: &Actor,
        transfer_id: i64,
        section: Section,
    ) -> Result<SectionPage, InboxError> {
        let store = self.store();
        let loaded = Loaded::read(&store, transfer_id)?;
        let items = match section {
            Section::Medications => {
                let mut issues: HashMap<i64, Vec<IssueView>> = HashMap::new();
                for i in store.issues(transfer_id)? {
                    issues.entry(i.course_seq).or_default().push(IssueView {
                        issued: i.issued_at,
                        quantity: join_quantity(i.quantity, i.quantity_unit),
                    });
                }
                // Integration stopped every active repeat a prescriber had not re-authorised (S82).
                let integrated = loaded.transfer.fields.status == inbox_store::transfers::status::INTEGRATED;
                let stopped: std::collections::HashSet<String> = if integrated {
                    store
                        .followups(transfer_id)?
                        .into_iter()
                        .filter(|f| f.kind == "reauthorise" && f.state == "open")
                        .map(|f| f.item_key)
                        .collect()
                } else {
                    Default::default()
                };
                order_courses(&loaded.courses)
                    .into_iter()
                    .map(|c| {
                        let mut issues = issues.remove(&c.seq).unwrap_or_default();
                        issues.reverse();
                        let key = course_key(c);
                        let mut m = medication(c, issues);
                        if integrated && m.needs_reauthorisation {
                            m.needs_reauthorisation = stopped.contains(&key);
                            if m.needs_reauthorisation {
                                m.current = false;
                                m.status = "deactivated".into();
                            }
                        }
                        item(&loaded, Section::Medications, key, ItemBody::Medication(m))
                    })
                    .collect()
            }
            Section::Allergies => order_allergies(&loaded.allergies)
                .into_iter()
                .map(|a| {
                    item(
                        &loaded,
                        Section::Allergies,
                        allergy_key(a),
                        ItemBody::Allergy(allergy(a)),
                    )
                })
                .collect(),
            Section::Degraded => order_degraded(&store.degraded_rows(transfer_id)?)
                .into_iter()
                .map(|d| {
                    item(
                        &loaded,
                        Section::Degraded,
                        degraded_key(d),
                        ItemBody::Degraded(degraded(d)),
                    )
                })
                .collect(),
            Section::Attachments => order_documents(&loaded.documents)
                .into_iter()
                .map(|d| {
                    let body = ItemBody::Attachment(attachment(d, loaded.created_by_sender(d)));
                    item(&loaded, Section::Attachments, document_key(d), body)
                })
                .collect(),
        };
        Ok(SectionPage {
            transfer_id,
            section,
            items,
        })
    }

    /// Consultations, problems, results and letters, newest first.
    pub fn review_timeline(&self, transfer_id: i64) -> Result<Vec<TimelineItem>, InboxError> {
        let store = self.store();
        if store.transfer(transfer_id)?.is_none() {
            return Err(InboxError::NotFound(format!(
                "There is no transfer {transfer_id}."
            )));
        }
        Ok(store
            .timeline(transfer_id)?
            .into_iter()
            .map(|r| TimelineItem {
                kind: r.kind,
                at: r.at,
                title: r.title.unwrap_or_default(),
                detail: r.detail,
                author: r.author,
                nopat: r.nopat,
            })
            .collect())
    }

    /// Marks items reviewed or flagged (with a note), or clears their marks. Refused once the
    /// record is decided. Audited with the items named.
    pub fn mark_items(&self, actor: &Actor, req: &MarkRequest) -> Result<ReviewView, InboxError> {
        let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if req.state == Some(MarkState::Flagged) && note.is_none() {
            return Err(InboxError::InvalidInput(
                "Say why the item is flagged: a note is needed.".into(),
            ));
        }
        if req.keys.is_empty() {
            return Err(InboxError::InvalidInput("No item was chosen.".into()));
        }
        let state = req.state.map(|s| match s {
            MarkState::Reviewed => "reviewed",
            MarkState::Flagged => "flagged",
        });
        {
            let store = self.store();
            let loaded = Loaded::read(&store, req.transfer_id)?;
            refuse_if_decided(&store, req.transfer_id)?;
            let known = loaded.keys(req.section);
            if let Some(bad) = req.keys.iter().find(|k| !known.contains(k)) {
                return Err(InboxError::NotFound(format!(
                    "There is no item {bad} in {} of transfer {}.",
                    req.section.label(),
                    req.transfer_id
                )));
            }
            let at = clock::rfc3339(self.clock().now());
            store.write(|s| {
                s.set_marks(
                    req.transfer_id,
                    req.section.code(),
                    &req.keys,
                    state,
                    note,
                    actor.user_id,
                    &at,
                )?;
                s.append_audit(&actor.audit_entry(
                    at.clone(),
                    "review_mark",
                    Some(req.transfer_id),
                    format!(
                        "{} {}: {}{}",
                        req.section.label(),
                        state.unwrap_or("cleared"),
                        summarise_keys(&loaded, req.section, &req.keys),
                        note.map(|n| format!(" (note: {n})")).unwrap_or_default()
                    ),
                ))?;
                Ok(())
            })?;
        }
        self.review_view(actor, req.transfer_id)
    }

    /// A prescriber marks an active repeat to re-authorise; a clinician proposes a recode for a
    /// degraded entry (a SNOMED CT concept id and term). `clear` withdraws it. Audited.
    pub fn set_intention(&self, actor: &Actor, req: &IntentionRequest) -> Result<ReviewView, InboxError> {
        let (kind, code, term) = match req.kind {
            IntentionKind::Reauthorise => {
                actor.require(Action::Reauthorise)?;
                ("reauthorise", None, None)
            }
            IntentionKind::Recode => {
                actor.require(Action::Recode)?;
                let code = req.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
                let term = req.term.as_deref().map(str::trim).filter(|t| !t.is_empty());
                if !req.clear {
                    let Some(code) = code.filter(|c| is_sctid(c)) else {
                        return Err(InboxError::InvalidInput(
                            "A recode needs a SNOMED CT concept id: 6 to 18 digits, such as 91936005.".into(),
                        ));
                    };
                    if term.is_none() {
                        return Err(InboxError::InvalidInput(
                            "A recode needs the term for the code.".into(),
                        ));
                    }
                    ("recode", Some(code), term)
                } else {
                    ("recode", None, None)
                }
            }
        };
        {
            let store = self.store();
            let loaded = Loaded::read(&store, req.transfer_id)?;
            refuse_if_decided(&store, req.transfer_id)?;
            let fits = match req.kind {
                IntentionKind::Reauthorise => {
                    req.section == Section::Medications
                        && loaded.active_repeats().any(|c| course_key(c) == req.key)
                }
                IntentionKind::Recode => match req.section {
                    Section::Degraded => loaded.degraded.iter().any(|d| degraded_key(d) == req.key),
                    Section::Allergies => loaded
                        .allergies
                        .iter()
                        .any(|a| a.degraded && allergy_key(a) == req.key),
                    Section::Medications => loaded
                        .courses
                        .iter()
                        .any(|c| c.degraded && course_key(c) == req.key),
                    Section::Attachments => false,
                },
            };
            if !fits {
                return Err(InboxError::InvalidInput(match req.kind {
                    IntentionKind::Reauthorise => {
                        "Only an active repeat can be marked to re-authorise.".into()
                    }
                    IntentionKind::Recode => "Only a degraded entry can be recoded.".into(),
                }));
            }
            let at = clock::rfc3339(self.clock().now());
            store.write(|s| {
                let detail = if req.clear {
                    s.clear_intention(req.transfer_id, req.section.code(), &req.key, kind)?;
                    format!("{kind} withdrawn: {}", loaded.title(req.section, &req.key))
                } else {
                    s.set_intention(
                        req.transfer_id,
                        req.section.code(),
                        &req.key,
                        kind,
                        code,
                        term,
                        actor.user_id,
                        &at,
                    )?;
                    match (code, term) {
                        (Some(c), Some(t)) => {
                            format!("{kind} {} → {c} {t}", loaded.title(req.section, &req.key))
                        }
                        _ => format!("{kind} {}", loaded.title(req.section, &req.key)),
                    }
                };
                s.append_audit(&actor.audit_entry(at.clone(), "intention", Some(req.transfer_id), detail))?;
                Ok(())
            })?;
        }
        self.review_view(actor, req.transfer_id)
    }

    /// SNOMED CT codes already used in this practice's records, for a recode.
    pub fn code_suggestions(&self, query: &str) -> Result<Vec<CodeSuggestion>, InboxError> {
        let query = query.trim();
        if query.chars().count() < 2 {
            return Ok(Vec::new());
        }
        Ok(self
            .store()
            .code_suggestions(query, 20)?
            .into_iter()
            .map(|(code, term, uses)| CodeSuggestion {
                code,
                term,
                uses: u32::try_from(uses).unwrap_or(u32::MAX),
            })
            .collect())
    }

    /// A stored attachment for the viewer (audited as an export of the record's content).
    pub fn attachment_content(
        &self,
        actor: &Actor,
        attachment_id: i64,
    ) -> Result<AttachmentContent, InboxError> {
        use base64::Engine as _;
        let a = self
            .store()
            .attachment(attachment_id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no attachment {attachment_id}.")))?;
        let path = self.paths().attachments.join(&a.fields.content_name);
        let bytes = std::fs::read(&path)
            .map_err(|e| InboxError::io(format!("Could not read the attachment {}", path.display()), e))?;
        let file_name = a
            .fields
            .file_name
            .clone()
            .unwrap_or_else(|| format!("attachment-{attachment_id}"));
        let viewer = viewer_for(a.fields.content_type.as_deref(), Some(&file_name));
        let (text, base64) = match viewer {
            "text" => (Some(String::from_utf8_lossy(&bytes).into_owned()), None),
            "rtf" => (Some(rtf_to_text(&String::from_utf8_lossy(&bytes))), None),
            "pdf" | "image" => (
                None,
                Some(base64::engine::general_purpose::STANDARD.encode(&bytes)),
            ),
            _ => (None, None),
        };
        self.audit(actor, "view_attachment", Some(a.fields.transfer_id), &file_name)?;
        Ok(AttachmentContent {
            attachment_id,
            media_type: a
                .fields
                .content_type
                .unwrap_or_else(|| "application/octet-stream".into()),
            viewer: viewer.into(),
            text,
            base64,
            size_bytes: a.fields.size_bytes,
            file_name,
        })
    }
}

fn refuse_if_decided(store: &Store, transfer_id: i64) -> Result<(), InboxError> {
    if store.decision(transfer_id)?.is_some() {
        return Err(InboxError::Conflict(
            "This record has been decided; its review can no longer change.".into(),
        ));
    }
    Ok(())
}

/// The items named for the audit trail: what they are and their key, at most five.
fn summarise_keys(loaded: &Loaded, section: Section, keys: &[String]) -> String {
    let named: Vec<String> = keys.iter().take(5).map(|k| loaded.title(section, k)).collect();
    if keys.len() <= 5 {
        named.join(", ")
    } else {
        format!("{} and {} more", named.join(", "), keys.len() - 5)
    }
}

/// A SNOMED CT concept id: 6 to 18 digits, not starting with 0.
fn is_sctid(s: &str) -> bool {
    (6..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0')
}

/// The records held for this patient (integrated or suppressed), newest first.
pub(crate) fn earlier_records(
    store: &Store,
    t: &inbox_store::Transfer,
) -> Result<Vec<EarlierRecord>, InboxError> {
    let Some(n) = t.fields.nhs_number.as_deref() else {
        return Ok(Vec::new());
    };
    Ok(store
        .held_records(t.id, n)?
        .into_iter()
        .map(|h| EarlierRecord {
            transfer_id: h.transfer_id,
            received_at: h.received_at,
            status: TransferStatus::from_store(&h.status),
            decided_at: h.decided_at,
        })
        .collect())
}

fn missing_groups(loaded: &Loaded) -> Vec<MissingAttachments> {
    let mut groups: Vec<MissingAttachments> = Vec::new();
    for d in loaded
        .documents
        .iter()
        .filter(|d| d.absent || d.attachment_id.is_none())
    {
        let from_this_transfer = loaded.created_by_sender(d);
        let reason = match (&d.placeholder_reason_text, d.absent) {
            (Some(text), _) => text.clone(),
            (None, true) => "No reason given".into(),
            // Not a placeholder: the record names a file that did not come with it.
            (None, false) => "The file did not come with the record".into(),
        };
        match groups.iter_mut().find(|g| {
            g.reason_code == d.placeholder_reason_code
                && g.reason == reason
                && g.from_this_transfer == from_this_transfer
        }) {
            Some(g) => g.count += 1,
            None => groups.push(MissingAttachments {
                reason_code: d.placeholder_reason_code.clone(),
                reason,
                from_this_transfer,
                count: 1,
            }),
        }
    }
    groups
}

fn item(loaded: &Loaded, section: Section, key: String, body: ItemBody) -> ReviewItem {
    let mark = loaded.mark(section, &key).map(|m| ItemMark {
        state: if m.state == "flagged" {
            MarkState::Flagged
        } else {
            MarkState::Reviewed
        },
        note: m.note.clone(),
        by: m.user_name.clone(),
        at: m.at.clone(),
    });
    let intentions = loaded
        .intentions
        .iter()
        .filter(|i| i.section == section.code() && i.item_key == key)
        .map(|i| IntentionView {
            kind: if i.kind == "recode" {
                IntentionKind::Recode
            } else {
                IntentionKind::Reauthorise
            },
            code: i.code.clone(),
            term: i.term.clone(),
            by: i.user_name.clone(),
            at: i.at.clone(),
        })
        .collect();
    ReviewItem {
        key,
        body,
        mark,
        intentions,
    }
}

fn join_quantity(q: Option<String>, unit: Option<String>) -> Option<String> {
    match (q, unit) {
        (Some(q), Some(u)) => Some(format!("{q} {u}")),
        (q, None) => q,
        (None, Some(_)) => None,
    }
}

fn medication(c: &CourseRow, issues: Vec<IssueView>) -> MedicationItem {
    MedicationItem {
        drug: c.drug_term.clone().unwrap_or_else(|| "(drug not named)".into()),
        code: c.drug_code.clone(),
        code_system: c.drug_code_system.clone(),
        kind: c.kind.clone(),
        status: c.status.clone(),
        current: c.status == "active",
        dosage: c.dosage.clone(),
        quantity: join_quantity(c.quantity.clone(), c.quantity_unit.clone()),
        start: c.start_at.clone(),
        expiry: c.expiry_at.clone(),
        repeats_authorised: c.repeats_authorised.and_then(|n| u32::try_from(n).ok()),
        issue_count: u32::try_from(c.issue_count).unwrap_or(0),
        last_issue: c.last_issue_at.clone(),
        issues,
        discontinued: c.discontinued_at.clone(),
        discontinuation_reason: c.discontinuation_reason.clone(),
        degraded: c.degraded,
        nopat: c.nopat,
        needs_reauthorisation: is_active_repeat(c),
    }
}

fn allergy(a: &AllergyRow) -> AllergyItem {
    AllergyItem {
        kind: match a.kind.as_str() {
            "non_drug" => "nonDrug".into(),
            k => k.to_owned(),
        },
        term: a
            .term
            .clone()
            .or_else(|| a.original_term.clone())
            .unwrap_or_else(|| "(not named)".into()),
        code: a.code.clone(),
        code_system: a.code_system.clone(),
        allergen: a.allergen_term.clone().or_else(|| a.allergen_code.clone()),
        reaction: a.reaction.clone(),
        notes: a.notes.clone(),
        onset: a.onset_at.clone(),
        degraded: a.degraded,
        original_term: a.original_term.clone(),
        blocks_prescribing: blocks_prescribing(a),
        nopat: a.nopat,
    }
}

fn degraded(d: &DegradedRow) -> DegradedItem {
    DegradedItem {
        kind: d.kind.clone(),
        kind_label: degrade_label(&d.kind).into(),
        original_term: d.original_term.clone(),
        original_code: d.original_code.clone(),
        original_code_system: d.original_code_system.clone(),
        received_code: d.degraded_code.clone(),
        entry_term: d.entry_term.clone(),
        effective: d.effective_at.clone(),
        nopat: d.nopat,
    }
}

fn attachment(d: &DocumentRow, from_this_transfer: bool) -> AttachmentItem {
    let file_name = d
        .file_name
        .clone()
        .or_else(|| d.placeholder_original_name.clone());
    let media_type = d.attachment_content_type.clone().or_else(|| d.media_type.clone());
    AttachmentItem {
        title: d
            .title
            .clone()
            .or_else(|| d.term.clone())
            .or_else(|| file_name.clone())
            .unwrap_or_else(|| "Document".into()),
        viewer: if d.attachment_id.is_some() {
            viewer_for(media_type.as_deref(), file_name.as_deref()).into()
        } else {
            "none".into()
        },
        file_name,
        media_type,
        attachment_id: d.attachment_id,
        size_bytes: d.attachment_size.and_then(|n| u64::try_from(n).ok()),
        missing: d.absent || d.attachment_id.is_none(),
        placeholder_reason_code: d.placeholder_reason_code.clone(),
        placeholder_reason: d.placeholder_reason_text.clone(),
        placeholder_original_name: d.placeholder_original_name.clone(),
        placeholder_ods: d.placeholder_ods.clone(),
        from_this_transfer,
        effective: d.effective_at.clone(),
        nopat: d.nopat,
    }
}

/// The text of an RTF document: control words and groups such as font tables dropped, `\par`
/// as line breaks, `\'hh` escapes decoded as Windows-1252 (ASCII range) or `?`.
pub fn rtf_to_text(rtf: &str) -> String {
    let mut out = String::new();
    let mut chars = rtf.chars().peekable();
    // Depths of groups whose text is not shown (fonttbl, colortbl, stylesheet, info, pict, \*).
    let mut depth = 0usize;
    let mut skip_from: Option<usize> = None;
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => {
                if skip_from == Some(depth) {
                    skip_from = None;
                }
                depth = depth.saturating_sub(1);
            }
            '\\' => {
                let Some(&next) = chars.peek() else { break };
                if next.is_ascii_alphabetic() {
                    let mut word = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_alphabetic() {
                            word.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    while let Some(&n) = chars.peek() {
                        if n.is_ascii_digit() || n == '-' {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if chars.peek() == Some(&' ') {
                        chars.next();
                    }
                    if skip_from.is_none()
                        && matches!(
                            word.as_str(),
                            "fonttbl" | "colortbl" | "stylesheet" | "info" | "pict" | "header" | "footer"
                        )
                    {
                        skip_from = Some(depth);
                    }
                    if skip_from.is_none() {
                        match word.as_str() {
                            "par" | "line" => out.push('\n'),
                            "tab" => out.push('\t'),
                            _ => {}
                        }
                    }
                } else {
                    chars.next();
                    match next {
                        '*' if skip_from.is_none() => skip_from = Some(depth),
                        '\'' => {
                            let hex: String = chars.by_ref().take(2).collect();
                            if skip_from.is_none() {
                                let b = u8::from_str_radix(&hex, 16).unwrap_or(b'?');
                                out.push(if b.is_ascii() { b as char } else { '?' });
                            }
                        }
                        '\\' | '{' | '}' if skip_from.is_none() => out.push(next),
                        _ => {}
                    }
                }
            }
            '\r' | '\n' => {}
            c if skip_from.is_none() => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtf_becomes_its_text() {
        let rtf = r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator Test;}\f0 Dear Dr Smith,\par Referral for {\b chest pain}.\par Caf\'e9 \{ok\}}";
        assert_eq!(
            rtf_to_text(rtf),
            "Dear Dr Smith,\nReferral for chest pain.\nCaf? {ok}"
        );
    }

    #[test]
    fn viewers_by_type_or_name() {
        assert_eq!(viewer_for(Some("application/pdf"), None), "pdf");
        assert_eq!(viewer_for(None, Some("scan.PNG")), "image");
        assert_eq!(viewer_for(Some("text/rtf"), None), "rtf");
        assert_eq!(viewer_for(Some("text/plain"), Some("a.txt")), "text");
        assert_eq!(viewer_for(Some("image/tiff"), Some("scan.tif")), "none");
    }

    #[test]
    fn a_degraded_drug_allergy_locks_prescribing_in_or_out_of_an_allergy_wrapper() {
        let loaded = Loaded {
            transfer: inbox_store::Transfer::default(),
            courses: Vec::new(),
            allergies: vec![
                AllergyRow {
                    seq: 0,
                    entry_seq: 4,
                    kind: "drug".into(),
                    degraded: true,
                    ..AllergyRow::default()
                },
                // Coded "transfer-degraded drug allergy" but read as a possible allergy.
                AllergyRow {
                    seq: 1,
                    entry_seq: 9,
                    kind: "possible".into(),
                    degrade_kind: Some("drug_allergy".into()),
                    ..AllergyRow::default()
                },
                AllergyRow {
                    seq: 2,
                    entry_seq: 11,
                    kind: "non_drug".into(),
                    degraded: true,
                    degrade_kind: Some("non_drug_allergy".into()),
                    ..AllergyRow::default()
                },
            ],
            degraded: vec![
                DegradedRow {
                    seq: 0,
                    entry_seq: 9,
                    kind: "drug_allergy".into(),
                    ..DegradedRow::default()
                },
                // A degraded drug allergy outside any allergy wrapper: no allergy row at all.
                DegradedRow {
                    seq: 1,
                    entry_seq: 20,
                    kind: "drug_allergy".into(),
                    original_term: Some("Penicillin allergy".into()),
                    ..DegradedRow::default()
                },
            ],
            documents: Vec::new(),
            marks: HashMap::new(),
            intentions: Vec::new(),
        };
        let locks: Vec<(Section, String)> = loaded
            .prescribing_locks()
            .into_iter()
            .map(|(s, k, _)| (s, k))
            .collect();
        assert_eq!(
            locks,
            [
                (Section::Allergies, "allergy:0".to_owned()),
                (Section::Allergies, "allergy:1".to_owned()),
                (Section::Degraded, "degraded:1".to_owned()),
            ]
        );
    }

    #[test]
    fn only_placeholders_this_transfers_sender_made_in_this_conversation_are_chased() {
        let placeholder = |ods: Option<&str>, conversation: Option<&str>| DocumentRow {
            absent: true,
            placeholder_ods: ods.map(str::to_owned),
            placeholder_conversation: conversation.map(str::to_owned),
            ..DocumentRow::default()
        };
        let (sender, conv) = (Some("SYN123"), Some("C0NV-1"));
        assert!(placeholder_from(
            &placeholder(Some("syn123"), Some("c0nv-1")),
            sender,
            conv
        ));
        assert!(!placeholder_from(
            &placeholder(Some("SYN123"), Some("EARLIER-2")),
            sender,
            conv
        ));
        assert!(!placeholder_from(
            &placeholder(Some("SYN999"), Some("C0NV-1")),
            sender,
            conv
        ));
        assert!(placeholder_from(&placeholder(Some("SYN123"), None), sender, conv));
        assert!(placeholder_from(
            &placeholder(Some("SYN123"), Some("X")),
            sender,
            None
        ));
        assert!(placeholder_from(&placeholder(None, None), sender, conv));
        // Not a placeholder: chased only when its file never came.
        let missing = DocumentRow::default();
        assert!(placeholder_from(&missing, sender, conv));
        let present = DocumentRow {
            attachment_id: Some(4),
            ..DocumentRow::default()
        };
        assert!(!placeholder_from(&present, sender, conv));
    }

    #[test]
    fn a_day_is_cut_only_from_a_readable_date() {
        assert_eq!(day_of("2020-01-05T10:00:00Z"), "2020-01-05");
        assert_eq!(day_of("2020年1月1日"), "2020年1月1日");
        assert_eq!(day_of("2020"), "2020");
        assert_eq!(day_of(""), "");
    }

    #[test]
    fn snomed_ids_are_digits() {
        assert!(is_sctid("91936005"));
        assert!(!is_sctid("0123456"));
        assert!(!is_sctid("1R..."));
        assert!(!is_sctid("12345"));
    }
}
