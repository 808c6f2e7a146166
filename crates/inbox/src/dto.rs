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
}

impl TransferStatus {
    fn from_store(s: &str) -> TransferStatus {
        use inbox_store::transfers::status;
        match s {
            status::AWAITING_ATTACHMENTS => TransferStatus::AwaitingAttachments,
            status::INCOMPLETE => TransferStatus::Incomplete,
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
