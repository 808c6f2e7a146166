//! The shapes that cross the IPC boundary. TypeScript is generated from these (ts-rs) into
//! `ui/src/bindings/`; `tests/bindings.rs` fails when the committed files drift.
//!
//! Field names are camelCase on the wire. Times: `receivedAt` and the like are RFC 3339 UTC;
//! `sentAt` is the sender's local time as ISO 8601 without zone, at the precision the message gave.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::error::{ApiError, ErrorCode};
pub use crate::paths::IncomingSource;

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TransferStatus {
    /// The record arrived; large-message parts (attachments) are still on their way.
    AwaitingAttachments,
    /// Everything arrived: ready for review.
    Ready,
    /// Parts never arrived or could not be put together; `failureCode` says which.
    Incomplete,
    /// Decided: integrated; an AA acknowledgement was written.
    Integrated,
    /// Decided: rejected; an AE acknowledgement with the reason code was written.
    Rejected,
    /// Decided: kept but suppressed (a returning patient's record).
    Suppressed,
}

impl TransferStatus {
    pub(crate) fn from_store(s: &str) -> TransferStatus {
        use inbox_store::transfers::status;
        match s {
            status::AWAITING_ATTACHMENTS => TransferStatus::AwaitingAttachments,
            status::INCOMPLETE => TransferStatus::Incomplete,
            status::INTEGRATED => TransferStatus::Integrated,
            status::REJECTED => TransferStatus::Rejected,
            status::SUPPRESSED => TransferStatus::Suppressed,
            _ => TransferStatus::Ready,
        }
    }
}

/// What the record holds, counted as the reader counts (issue 3's `parse` contract).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordCounts {
    pub compositions: u32,
    pub medication_courses: u32,
    pub acute_courses: u32,
    pub repeat_courses: u32,
    pub issues: u32,
    pub discontinuations: u32,
    pub allergies: u32,
    pub drug_allergies: u32,
    pub non_drug_allergies: u32,
    pub problems: u32,
    pub degraded: u32,
    pub documents: u32,
    pub absent_attachments: u32,
    pub nopat: u32,
}

impl From<&inbox_store::RecordCounts> for RecordCounts {
    fn from(c: &inbox_store::RecordCounts) -> Self {
        let n = |i: usize| u32::try_from(c[i]).unwrap_or(u32::MAX);
        RecordCounts {
            compositions: n(0),
            medication_courses: n(1),
            acute_courses: n(2),
            repeat_courses: n(3),
            issues: n(4),
            discontinuations: n(5),
            allergies: n(6),
            drug_allergies: n(7),
            non_drug_allergies: n(8),
            problems: n(9),
            degraded: n(10),
            documents: n(11),
            absent_attachments: n(12),
            nopat: n(13),
        }
    }
}

/// One patient record transfer in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TransferRow {
    #[ts(type = "number")]
    pub id: i64,
    /// The HL7 interaction id, e.g. `RCMR_IN030000UK06`.
    pub interaction: String,
    pub extract_id: Option<String>,
    /// Ten digits, as written in the message (format it `943 476 5919` for display).
    pub nhs_number: Option<String>,
    /// False when the NHS number is missing or fails its check digit.
    pub nhs_number_valid: bool,
    pub sending_ods: Option<String>,
    pub receiving_ods: Option<String>,
    pub sent_at: Option<String>,
    /// When the sending practice sent the record, RFC 3339 UTC (or just the date when it gave no
    /// time): the 8-day integration window counts from here.
    pub sent_utc: Option<String>,
    pub received_at: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// True for the built-in sample records (synthetic test data).
    pub sample: bool,
    pub status: TransferStatus,
    /// When the status last changed (RFC 3339 UTC).
    pub status_at: String,
    /// Large-message parts expected, and still missing.
    pub parts_expected: u32,
    pub parts_missing: u32,
    /// The GP2GP response code for an incomplete transfer (25, 29, 30, 31), and its meaning.
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
    pub counts: RecordCounts,
    /// Active repeats: what integration stops for a prescriber to re-authorise.
    pub active_repeats: u32,
    /// Degraded drug allergies: they block prescribing until recoded.
    pub degraded_drug_allergies: u32,
    /// Errors the reader reported (the record is shown as far as it could be read).
    pub read_errors: u32,
    /// Who the practice has registered under this NHS number (the extract carries only the number).
    pub patient: Option<PatientView>,
}

/// The registration a transfer matched, for the patient banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PatientView {
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD` (show it `12-Mar-1957`).
    pub date_of_birth: Option<String>,
    /// `female`, `male`, `other` or `unknown`.
    pub sex: String,
    pub postcode: String,
}

impl From<inbox_store::Registration> for PatientView {
    fn from(r: inbox_store::Registration) -> Self {
        PatientView {
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            sex: r.sex,
            postcode: r.postcode,
        }
    }
}

impl From<inbox_store::Transfer> for TransferRow {
    fn from(t: inbox_store::Transfer) -> Self {
        let f = t.fields;
        TransferRow {
            id: t.id,
            interaction: f.interaction,
            extract_id: f.extract_id,
            nhs_number_valid: f.nhs_number.as_deref().is_some_and(crate::nhs_number::is_valid),
            nhs_number: f.nhs_number,
            sending_ods: f.sending_ods,
            receiving_ods: f.receiving_ods,
            sent_at: f.sent_raw.as_deref().and_then(hl7_time_to_iso),
            sent_utc: f.sent_at.clone(),
            received_at: f.received_at,
            file_name: f.file_name,
            size_bytes: f.size_bytes,
            sample: f.origin == "sample",
            status: TransferStatus::from_store(&f.status),
            status_at: t.status_at,
            parts_expected: u32::try_from(t.parts_expected).unwrap_or(u32::MAX),
            parts_missing: u32::try_from(t.parts_missing).unwrap_or(u32::MAX),
            failure_code: t.failure_code,
            failure_reason: t.failure_reason,
            counts: RecordCounts::from(&t.counts),
            active_repeats: u32::try_from(t.active_repeats).unwrap_or(u32::MAX),
            degraded_drug_allergies: u32::try_from(t.degraded_drug_allergies).unwrap_or(u32::MAX),
            read_errors: u32::try_from(t.error_diagnostics).unwrap_or(u32::MAX),
            patient: None,
        }
    }
}

/// A file that could not be read, kept in the quarantine folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineRow {
    #[ts(type = "number")]
    pub id: i64,
    pub file_name: String,
    /// Its name in the quarantine folder (differs from `fileName` when names clashed).
    pub quarantine_name: String,
    pub reason_code: String,
    pub reason: String,
    pub quarantined_at: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

impl From<inbox_store::Quarantined> for QuarantineRow {
    fn from(q: inbox_store::Quarantined) -> Self {
        let f = q.fields;
        QuarantineRow {
            id: q.id,
            file_name: f.file_name,
            quarantine_name: f.quarantine_name,
            reason_code: f.reason_code,
            reason: f.reason,
            quarantined_at: f.quarantined_at,
            size_bytes: f.size_bytes,
        }
    }
}

/// The original of a transfer's record, for reading on screen (GP2GP S63).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OriginalView {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub file_name: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub sha256: String,
    /// The text as received (invalid UTF-8 shown as U+FFFD), cut at `shownBytes`.
    pub text: String,
    #[ts(type = "number")]
    pub shown_bytes: u64,
    /// True when the file is longer than what is shown; export it to see all of it.
    pub truncated: bool,
}

/// How the watched folder is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WatchStatus {
    pub incoming_dir: String,
    pub incoming_source: IncomingSource,
    /// True while the folder is being watched.
    pub watching: bool,
    /// A problem the practice should know about, in plain English.
    pub problem: Option<String>,
}

/// Everything the inbox screen shows in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InboxSnapshot {
    pub transfers: Vec<TransferRow>,
    pub quarantine: Vec<QuarantineRow>,
    pub watch: WatchStatus,
    /// Passing notices (a folder dropped into the incoming folder, an unreadable file...).
    pub notices: Vec<Notice>,
    pub data_dir: String,
    /// This is the training inbox: synthetic records only; every screen carries a watermark.
    pub training: bool,
}

/// A passing message for the practice: something happened that they should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub at: String,
    pub message: String,
}

/// Pushed to the UI as things happen; no polling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum InboxEvent {
    /// A transfer was stored, or changed (its attachments arrived, it became incomplete).
    #[serde(rename_all = "camelCase")]
    TransferStored { transfer: Box<TransferRow> },
    /// A file repeated a message already stored.
    #[serde(rename_all = "camelCase")]
    Duplicate {
        #[ts(type = "number | null")]
        transfer_id: Option<i64>,
        file_name: String,
    },
    /// A file could not be read and was quarantined.
    #[serde(rename_all = "camelCase")]
    Quarantined { entry: QuarantineRow },
    /// The watched folder's state changed.
    #[serde(rename_all = "camelCase")]
    WatchChanged { status: WatchStatus },
    /// Something the practice should know.
    #[serde(rename_all = "camelCase")]
    Notice { notice: Notice },
    /// Another inbox is now shown (training mode switched, training data reset, records folder
    /// moved): load everything again.
    #[serde(rename_all = "camelCase")]
    InboxReplaced { training: bool },
}

/// The settings the UI can see and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The watched folder setting; `null` means the default `incoming/` in the data folder.
    pub incoming_dir: Option<String>,
    /// The folder actually watched (the environment variable wins over the setting).
    pub effective_incoming_dir: String,
    pub incoming_source: IncomingSource,
    pub endpoint: EndpointView,
    pub attachment_timeout_hours: u32,
    /// The records folder setting; `null` means the app's data folder.
    pub storage_dir: Option<String>,
    /// Where the database, originals and quarantine are actually kept.
    pub effective_storage_dir: String,
    /// The outbox setting; `null` means `outbox/` in the records folder.
    pub outbox_dir: Option<String>,
    /// Where acknowledgements are actually written (`GP2GP_INBOX_OUTBOX` wins over the setting).
    pub effective_outbox_dir: String,
    /// The outbox comes from the `GP2GP_INBOX_OUTBOX` environment variable.
    pub outbox_from_environment: bool,
    /// Minutes without activity before the screen locks.
    pub idle_lock_minutes: u32,
    /// Administrators may decide before every review section is seen.
    pub relax_review_for_administrators: bool,
    pub training: TrainingView,
}

/// Training mode as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrainingView {
    /// The training inbox is open (every screen says so).
    pub active: bool,
    /// Started with `--training`: it cannot be switched off until the app is started without.
    pub forced: bool,
    /// Where a trainer drops generated files during a demo.
    pub incoming_dir: String,
    /// What "Reset training data" can restore: `every`, or one scenario.
    pub scenarios: Vec<ScenarioOption>,
}

/// A scenario set a trainer can choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioOption {
    pub name: String,
    /// What it shows, in one sentence.
    pub description: String,
}

/// The HTTP push endpoint as configured, and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView {
    pub enabled: bool,
    pub listen: String,
    pub max_body_mb: u32,
    /// True while it is accepting messages.
    pub running: bool,
    /// Where integration engines post: `http://127.0.0.1:8787/v1/messages`.
    pub url: Option<String>,
    /// The file holding the bearer token integration engines must send.
    pub token_file: String,
    /// Why it is not running although enabled, in plain English.
    pub problem: Option<String>,
}

/// A change of settings from the UI (the whole form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsUpdate {
    /// `null` or empty to go back to the default folder.
    pub incoming_dir: Option<String>,
    pub endpoint_enabled: bool,
    /// `host:port`; loopback (127.0.0.1) unless the practice's IT decides otherwise.
    pub endpoint_listen: String,
    pub endpoint_max_body_mb: u32,
    /// 1 to 720 hours.
    pub attachment_timeout_hours: u32,
    /// `null` or empty for the app's data folder. A new folder starts a new, empty store there;
    /// what was filed before stays in the old one.
    pub storage_dir: Option<String>,
    /// `null` or empty for `outbox/` in the records folder.
    pub outbox_dir: Option<String>,
    /// 1 to 240 minutes.
    pub idle_lock_minutes: u32,
    pub relax_review_for_administrators: bool,
}

// ---- Users and sign-in -------------------------------------------------------------------------

/// What a user profile may do. The core enforces it; the UI hides what a user may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Integrates or rejects records; manages users and settings.
    Administrator,
    /// Integrates or rejects records; proposes recodes.
    Clinician,
    /// Re-authorises repeat medications.
    Prescriber,
    /// Runs training mode: switches it and resets its data.
    Trainer,
}

/// A user profile as the sign-in and settings screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    /// Too many wrong PINs: sign-in is refused until then (RFC 3339 UTC).
    pub locked_until: Option<String>,
}

/// What the signed-in user may do, for the UI to show or hide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    /// Integrate or reject a record (administrator, clinician).
    pub decide: bool,
    /// Mark a repeat to re-authorise (prescriber).
    pub reauthorise: bool,
    /// Propose a recode (clinician).
    pub recode: bool,
    /// Add and change users, change settings (administrator).
    pub administer: bool,
    /// Switch and reset training mode (trainer, administrator).
    pub train: bool,
}

/// Who is signed in, and who could.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// `null` when nobody is signed in (or the session locked after being idle).
    pub user: Option<UserView>,
    pub permissions: Permissions,
    /// Profiles to choose from on the sign-in screen (enabled ones).
    pub profiles: Vec<UserView>,
    /// No profile exists yet: the first one to be created is an administrator.
    pub needs_first_user: bool,
    /// Minutes without activity before the screen locks.
    pub idle_lock_minutes: u32,
    /// Training mode: the synthetic profiles' PIN, shown on the sign-in screen.
    pub training_pin: Option<String>,
}

/// A new user profile (Settings, or the first administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewUserRequest {
    pub name: String,
    pub roles: Vec<Role>,
    /// 4 to 12 digits.
    pub pin: String,
}

/// A change to a user profile; `null` fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    #[ts(type = "number")]
    pub id: i64,
    pub roles: Option<Vec<Role>>,
    pub disabled: Option<bool>,
    pub pin: Option<String>,
}

// ---- Review --------------------------------------------------------------------------------------

/// The four review sections that must be seen before integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Section {
    Medications,
    Allergies,
    Degraded,
    Attachments,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Medications,
        Section::Allergies,
        Section::Degraded,
        Section::Attachments,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Section::Medications => "medications",
            Section::Allergies => "allergies",
            Section::Degraded => "degraded",
            Section::Attachments => "attachments",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Section::Medications => "Medications",
            Section::Allergies => "Allergies",
            Section::Degraded => "Degraded codes",
            Section::Attachments => "Attachments",
        }
    }
}

/// The practice's registration of the patient, in full, for the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationView {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub sex: String,
    pub address: String,
    pub postcode: String,
    pub practice_ods: Option<String>,
    pub registered_on: Option<String>,
}

/// Why the record might not be this patient's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PatientWarningKind {
    NoNhsNumber,
    InvalidNhsNumber,
    NotRegistered,
    SexImplausible,
    AgeImplausible,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PatientWarning {
    pub kind: PatientWarningKind,
    /// Plain English, naming the entry that conflicts.
    pub message: String,
}

/// Missing attachments, grouped by placeholder reason and by who created the placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MissingAttachments {
    pub reason_code: Option<String>,
    pub reason: String,
    /// The sending practice created the placeholder in this transfer (chase it); otherwise it
    /// came from an earlier transfer and the file is long gone.
    pub from_this_transfer: bool,
    pub count: u32,
}

/// A diagnostic the reader reported about the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticView {
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
}

/// What integration will do, and what is unsafe, at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SafetySummary {
    /// Active repeats: integration deactivates them for a prescriber to re-authorise (S82).
    pub repeats_to_reauthorise: u32,
    /// Of those, already marked re-authorise by a prescriber.
    pub repeats_reauthorised: u32,
    /// Degraded drug allergies: prescribing is blocked until recoded or removed (S84).
    pub degraded_drug_allergies: u32,
    pub possible_allergies: u32,
    /// Degraded current medications, flagged for recoding (S83).
    pub degraded_medications: u32,
    pub degraded_codes: u32,
    pub missing_attachments: Vec<MissingAttachments>,
    /// Entries not visible to the patient online (UK07 NOPAT).
    pub nopat: u32,
    pub patient_warnings: Vec<PatientWarning>,
    pub diagnostics: Vec<DiagnosticView>,
}

/// How far the review of one section has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SectionProgress {
    pub section: Section,
    pub total: u32,
    /// Items marked reviewed or flagged.
    pub seen: u32,
    pub flagged: u32,
    /// Every item seen (an empty section is complete).
    pub complete: bool,
}

/// A record already held for the same NHS number (integrated or suppressed): the patient is
/// returning ("A-B-A"), or — when it was integrated during the current registration — this
/// record repeats one already integrated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EarlierRecord {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub received_at: String,
    pub status: TransferStatus,
    /// When it was integrated (or suppressed).
    pub decided_at: Option<String>,
}

/// A whole-record decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DecisionKind {
    /// Integrate (AA).
    Integrate,
    /// Returning patient: integrate and suppress the old local record (AA).
    IntegrateSuppressOld,
    /// Returning patient: store the incoming record suppressed (AE 15).
    StoreSuppressed,
    /// Reject with a reason code (AE 28, 17, or a large-message failure code).
    Reject,
    /// Decide later (audited; nothing is sent).
    Defer,
}

/// The acknowledgement a decision will send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AckPreview {
    /// `AA` or `AE`.
    pub ack_type: String,
    pub code: Option<String>,
    pub text: Option<String>,
    /// The id the ack's `messageRef` names: the EhrExtract id (see `gp2gp::ack`).
    pub message_ref: String,
    /// The sending practice (ODS code) it goes back to.
    pub to_ods: Option<String>,
}

/// A reason code a rejection may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReasonOption {
    pub code: String,
    pub text: String,
}

/// One choice in the decision dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionOption {
    pub kind: DecisionKind,
    pub label: String,
    /// What it does, in one sentence.
    pub description: String,
    /// For a rejection: the codes to choose from (one is mandatory).
    pub reasons: Vec<ReasonOption>,
    /// The acknowledgement it sends (for a rejection, with the first reason).
    pub ack: Option<AckPreview>,
    pub enabled: bool,
    /// Why it is not available now, in plain English.
    pub why_not: Option<String>,
}

/// A decision that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub kind: DecisionKind,
    pub reason_code: Option<String>,
    /// The GP2GP response text of `reasonCode`.
    pub reason_text: Option<String>,
    pub note: Option<String>,
    /// Who decided (`system` for a duplicate's automatic AE 12).
    pub decided_by: String,
    pub decided_at: String,
    pub ack: Option<AckSentView>,
    #[ts(type = "number | null")]
    pub suppressed_transfer_id: Option<i64>,
}

/// An acknowledgement written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AckSentView {
    pub ack_type: String,
    pub reason_code: Option<String>,
    pub ack_message_id: String,
    pub message_ref: String,
    /// The file in the outbox folder.
    pub file: String,
    pub written_at: String,
}

/// The decision panel: what was decided, or what may be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionPanel {
    pub decided: Option<DecisionView>,
    pub options: Vec<DecisionOption>,
    /// Why no decision can be made now (not permitted, sections not reviewed, still awaiting parts).
    pub why_not: Option<String>,
    /// Where acknowledgements are written.
    pub outbox_dir: String,
}

/// Everything the review screen shows above its sections, in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    pub transfer: TransferRow,
    pub registration: Option<RegistrationView>,
    pub summary: SafetySummary,
    pub sections: Vec<SectionProgress>,
    pub earlier_records: Vec<EarlierRecord>,
    pub decision: DecisionPanel,
}

/// A reviewer's mark on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MarkState {
    Reviewed,
    Flagged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ItemMark {
    pub state: MarkState,
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum IntentionKind {
    /// A prescriber re-authorises the repeat: it stays active after integration.
    Reauthorise,
    /// A clinician proposes a SNOMED CT code and term for a degraded entry.
    Recode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IntentionView {
    pub kind: IntentionKind,
    pub code: Option<String>,
    pub term: Option<String>,
    pub by: String,
    pub at: String,
}

/// A medication course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MedicationItem {
    pub drug: String,
    pub code: Option<String>,
    pub code_system: Option<String>,
    /// `acute` or `repeat`.
    pub kind: String,
    /// `active`, `completed`, `stopped` or `unknown`; `deactivated` once integration stopped it
    /// for re-authorisation.
    pub status: String,
    /// Active: integration affects it (a repeat is deactivated for re-authorisation).
    pub current: bool,
    pub dosage: Option<String>,
    pub quantity: Option<String>,
    pub start: Option<String>,
    pub expiry: Option<String>,
    pub repeats_authorised: Option<u32>,
    pub issue_count: u32,
    pub last_issue: Option<String>,
    pub issues: Vec<IssueView>,
    pub discontinued: Option<String>,
    pub discontinuation_reason: Option<String>,
    pub degraded: bool,
    pub nopat: bool,
    /// An active repeat: needs a prescriber's re-authorisation after integration.
    pub needs_reauthorisation: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IssueView {
    pub issued: Option<String>,
    pub quantity: Option<String>,
}

/// An allergy or adverse reaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AllergyItem {
    /// `drug`, `nonDrug` or `possible`.
    pub kind: String,
    pub term: String,
    pub code: Option<String>,
    pub code_system: Option<String>,
    pub allergen: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
    pub onset: Option<String>,
    pub degraded: bool,
    /// What the sender meant, when the code was degraded.
    pub original_term: Option<String>,
    /// A degraded drug allergy: prescribing is blocked until it is recoded or removed (S84).
    pub blocks_prescribing: bool,
    pub nopat: bool,
}

/// An entry whose code did not survive the transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DegradedItem {
    /// The reader's kind: `drug_allergy`, `non_drug_allergy`, `medication`, `record_entry`,
    /// `referral`, `request`, `plan`, or `no_snomed`.
    pub kind: String,
    /// The kind in words.
    pub kind_label: String,
    pub original_term: Option<String>,
    pub original_code: Option<String>,
    pub original_code_system: Option<String>,
    /// The code that arrived in its place.
    pub received_code: Option<String>,
    pub entry_term: Option<String>,
    pub effective: Option<String>,
    pub nopat: bool,
}

/// A document: the file, or the placeholder standing in for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentItem {
    pub title: String,
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    /// The stored file, when it arrived: open it with `attachment_open`.
    #[ts(type = "number | null")]
    pub attachment_id: Option<i64>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<u64>,
    /// How the screen can show it: `pdf`, `image`, `text`, `rtf`, or `none` (save a copy).
    pub viewer: String,
    pub missing: bool,
    pub placeholder_reason_code: Option<String>,
    pub placeholder_reason: Option<String>,
    pub placeholder_original_name: Option<String>,
    /// The practice that created the placeholder.
    pub placeholder_ods: Option<String>,
    /// The placeholder was created by this transfer's sender: chase the file.
    pub from_this_transfer: bool,
    pub effective: Option<String>,
    pub nopat: bool,
}

/// What an item is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ItemBody {
    Medication(MedicationItem),
    Allergy(AllergyItem),
    Degraded(DegradedItem),
    Attachment(AttachmentItem),
}

/// One item of a review section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    /// Stable for the stored record: what marks and intentions name.
    pub key: String,
    pub body: ItemBody,
    pub mark: Option<ItemMark>,
    pub intentions: Vec<IntentionView>,
}

/// The items of one section, most important first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SectionPage {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub section: Section,
    pub items: Vec<ReviewItem>,
}

/// A line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    /// `consultation`, `problem`, `result` or `letter`.
    pub kind: String,
    pub at: Option<String>,
    pub title: String,
    pub detail: Option<String>,
    pub author: Option<String>,
    pub nopat: bool,
}

/// Mark items of a section (batch: several keys at once); `state: null` clears the marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MarkRequest {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub section: Section,
    pub keys: Vec<String>,
    pub state: Option<MarkState>,
    /// Required with `flagged`.
    pub note: Option<String>,
}

/// Record (or, with `clear`, withdraw) an intention on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IntentionRequest {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub section: Section,
    pub key: String,
    pub kind: IntentionKind,
    /// For a recode: the SNOMED CT concept id and its term.
    pub code: Option<String>,
    pub term: Option<String>,
    pub clear: bool,
}

/// A code already used in the practice's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodeSuggestion {
    pub code: String,
    pub term: String,
    pub uses: u32,
}

/// The whole-record decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DecisionRequest {
    #[ts(type = "number")]
    pub transfer_id: i64,
    pub kind: DecisionKind,
    /// Mandatory for a rejection.
    pub reason_code: Option<String>,
    pub note: Option<String>,
}

/// A stored attachment's content for the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentContent {
    #[ts(type = "number")]
    pub attachment_id: i64,
    pub file_name: String,
    pub media_type: String,
    /// `pdf`, `image`, `text`, `rtf` or `none`.
    pub viewer: String,
    /// Text to show (text files, and RTF reduced to its text).
    pub text: Option<String>,
    /// Base64 of the bytes, for PDF and images.
    pub base64: Option<String>,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

// ---- Audit --------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryView {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub user_name: String,
    pub role: String,
    pub action: String,
    #[ts(type = "number | null")]
    pub transfer_id: Option<i64>,
    pub detail: String,
}

impl From<inbox_store::AuditEntry> for AuditEntryView {
    fn from(e: inbox_store::AuditEntry) -> Self {
        AuditEntryView {
            id: e.id,
            at: e.fields.at,
            user_name: e.fields.user_name,
            role: e.fields.role,
            action: e.fields.action,
            transfer_id: e.fields.transfer_id,
            detail: e.fields.detail,
        }
    }
}

/// Which audit entries to list; every field narrows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    #[ts(type = "number | null")]
    pub transfer_id: Option<i64>,
    pub user_name: Option<String>,
    pub action: Option<String>,
    /// Newest first, at most this many (default 500).
    pub limit: Option<u32>,
}

/// The audit chain checked end to end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditCheck {
    pub ok: bool,
    #[ts(type = "number")]
    pub entries: u64,
    /// Where the chain breaks, in plain English.
    pub problem: Option<String>,
}

/// `20200325110302` -> `2020-03-25T11:03:02`, keeping the precision given (`20200325` -> `2020-03-25`).
/// `None` when the value is not an HL7 timestamp.
pub fn hl7_time_to_iso(ts: &str) -> Option<String> {
    let digits: String = ts.chars().take_while(char::is_ascii_digit).collect();
    let d = digits.as_str();
    let s = match d.len() {
        4 => d.to_owned(),
        6 => format!("{}-{}", &d[..4], &d[4..6]),
        8 => format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]),
        10 => format!("{}-{}-{}T{}", &d[..4], &d[4..6], &d[6..8], &d[8..10]),
        12 => format!(
            "{}-{}-{}T{}:{}",
            &d[..4],
            &d[4..6],
            &d[6..8],
            &d[8..10],
            &d[10..12]
        ),
        n if n >= 14 => {
            format!(
                "{}-{}-{}T{}:{}:{}",
                &d[..4],
                &d[4..6],
                &d[6..8],
                &d[8..10],
                &d[10..12],
                &d[12..14]
            )
        }
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hl7_times_keep_their_precision() {
        assert_eq!(
            hl7_time_to_iso("20200325110302").as_deref(),
            Some("2020-03-25T11:03:02")
        );
        assert_eq!(
            hl7_time_to_iso("20200325110302123").as_deref(),
            Some("2020-03-25T11:03:02")
        );
        assert_eq!(
            hl7_time_to_iso("202003251103").as_deref(),
            Some("2020-03-25T11:03")
        );
        assert_eq!(hl7_time_to_iso("20200325").as_deref(), Some("2020-03-25"));
        assert_eq!(hl7_time_to_iso("2020").as_deref(), Some("2020"));
        assert_eq!(hl7_time_to_iso("UNK"), None);
        assert_eq!(hl7_time_to_iso("2020032"), None);
    }
}
