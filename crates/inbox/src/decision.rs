//! The whole-record decision (GP2GP S61–S65, S81) and what it does: the acknowledgement written to
//! the outbox, the transfer's new status, integration's effects on the stored record and the
//! audit entry — all recorded in one transaction.
//!
//! Rules ([`options`]):
//! - a record still awaiting its large-message parts cannot be decided yet;
//! - an incomplete record (parts never arrived, or could not be put together) can only be
//!   rejected, with its large-message code (25, 29, 30, 31): no positive ack without every
//!   attachment (S66–S67);
//! - otherwise: integrate (AA) or reject as wrong patient (AE 28) or as failed to integrate
//!   (AE 11); for a returning patient — an earlier, not rejected, record for the same NHS number
//!   is in the store — integrate and suppress the old record (AA), store the incoming one
//!   suppressed (AE 15), or reject (AE 17, or 11);
//! - a reason code is mandatory for every rejection (S62); deferring sends nothing;
//! - integrating (or storing suppressed) needs every review section seen, unless the
//!   "administrators may decide before every section is reviewed" setting is on and the user is
//!   an administrator; rejecting never does (a wrong record need not be read through).
//!
//! The acknowledgement's `messageRef` names the EhrExtract id (see `gp2gp::ack`), its
//! `creationTime` is UK local time, and it is addressed back using the ASIDs the extract carried.
//! Writing is crash-safe: the file is first written under `outbox/.pending/`, the decision is
//! committed, then the file is renamed into the outbox; [`finish_pending`] completes an
//! interrupted rename at the next start and removes files whose decision never committed.
//! Next to each `<name>.xml` a `<name>.json` carries what the ebXML envelope needs (conversation
//! id, `RefToMessageId`, parties), written first so the adaptor never sees the XML without it.

use std::path::Path;

use inbox_store::review::{AckSent, Followup, NewDecision};
use inbox_store::transfers::status;
use inbox_store::Store;

use crate::dto::{
    AckPreview, AckSentView, DecisionKind, DecisionOption, DecisionPanel, DecisionRequest, DecisionView,
    EarlierRecord, ReasonOption, ReviewView, Section, TransferStatus,
};
use crate::review::{self, Loaded};
use crate::users::{Action, Actor};
use crate::{clock, files, Inbox, InboxError};

/// Where acknowledgements wait between being written and their decision committing.
const PENDING_DIR: &str = ".pending";

/// What the practice already holds for the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// No record of this patient has been integrated here: a new patient.
    Nothing,
    /// A record integrated (or suppressed) before the current registration: the patient is
    /// returning ("A-B-A", S61).
    Returning,
    /// A record was already integrated during the current registration: this one repeats it
    /// (S60: answered AE 12).
    ThisRegistration,
}

/// Classifies the records held for a patient against the registration's start (`YYYY-MM-DD`):
/// one integrated on or after it means the current registration already has its record.
pub fn held(records: &[EarlierRecord], registered_on: Option<&str>) -> Held {
    if records.is_empty() {
        return Held::Nothing;
    }
    let this_registration = registered_on.is_some_and(|since| {
        records.iter().any(|r| {
            r.status == TransferStatus::Integrated
                && r.decided_at
                    .as_deref()
                    .and_then(|d| d.get(..10))
                    .is_some_and(|day| day >= since)
        })
    });
    if this_registration {
        Held::ThisRegistration
    } else {
        Held::Returning
    }
}

/// What the decision dialog may offer for a record in this state (S61–S65: integrate, or reject
/// as wrong patient; for a returning patient suppress one of the two records or reject; an
/// incomplete large message only rejected with its code; a repeat of a record already
/// integrated in this registration only rejected as a duplicate).
pub fn options(
    status: TransferStatus,
    failure_code: Option<&str>,
    held: Held,
) -> Vec<(DecisionKind, Vec<&'static str>)> {
    match status {
        TransferStatus::AwaitingAttachments
        | TransferStatus::Integrated
        | TransferStatus::Rejected
        | TransferStatus::Suppressed => Vec::new(),
        TransferStatus::Incomplete => {
            let code = match failure_code.map(str::trim) {
                Some("25") => "25",
                Some("29") => "29",
                Some("30") => "30",
                _ => "31",
            };
            vec![(DecisionKind::Reject, vec![code]), (DecisionKind::Defer, vec![])]
        }
        TransferStatus::Ready => match held {
            Held::ThisRegistration => vec![(DecisionKind::Reject, vec!["12"]), (DecisionKind::Defer, vec![])],
            Held::Returning => vec![
                (DecisionKind::IntegrateSuppressOld, vec![]),
                (DecisionKind::StoreSuppressed, vec!["15"]),
                (DecisionKind::Reject, vec!["17"]),
                (DecisionKind::Defer, vec![]),
            ],
            Held::Nothing => vec![
                (DecisionKind::Integrate, vec![]),
                (DecisionKind::Reject, vec!["28"]),
                (DecisionKind::Defer, vec![]),
            ],
        },
    }
}

/// The acknowledgement a decision sends: `(type, code)`.
pub fn ack_for(kind: DecisionKind, reason_code: Option<&str>) -> Option<(&'static str, Option<String>)> {
    match kind {
        DecisionKind::Integrate | DecisionKind::IntegrateSuppressOld => Some(("AA", None)),
        DecisionKind::StoreSuppressed => Some(("AE", Some("15".into()))),
        DecisionKind::Reject => Some(("AE", reason_code.map(str::to_owned))),
        DecisionKind::Defer => None,
    }
}

fn needs_review(kind: DecisionKind) -> bool {
    matches!(
        kind,
        DecisionKind::Integrate | DecisionKind::IntegrateSuppressOld | DecisionKind::StoreSuppressed
    )
}

fn kind_code(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Integrate => "integrate",
        DecisionKind::IntegrateSuppressOld => "integrate_suppress_old",
        DecisionKind::StoreSuppressed => "store_suppressed",
        DecisionKind::Reject => "reject",
        DecisionKind::Defer => "defer",
    }
}

fn kind_from_code(s: &str) -> DecisionKind {
    match s {
        "integrate_suppress_old" => DecisionKind::IntegrateSuppressOld,
        "store_suppressed" => DecisionKind::StoreSuppressed,
        "reject" => DecisionKind::Reject,
        _ => DecisionKind::Integrate,
    }
}

fn label(kind: DecisionKind) -> (&'static str, &'static str) {
    match kind {
        DecisionKind::Integrate => (
            "Integrate",
            "Accept the record into this practice's system; active repeats are stopped for re-authorisation.",
        ),
        DecisionKind::IntegrateSuppressOld => (
            "Integrate and suppress the old record",
            "The patient is returning: accept this record and suppress the record held from before.",
        ),
        DecisionKind::StoreSuppressed => (
            "Store and suppress this record",
            "The patient is returning: keep this record, suppressed, and carry on with the local one.",
        ),
        DecisionKind::Reject => ("Reject", "Refuse the record; the sending practice is told why."),
        DecisionKind::Defer => ("Decide later", "Nothing is sent; the 8-day clock keeps running."),
    }
}

fn reason_text(code: &str) -> String {
    gp2gp::response_text(code)
        .unwrap_or("Unexpected condition.")
        .to_owned()
}

fn message_ref(t: &inbox_store::Transfer, store: &Store) -> Result<String, InboxError> {
    if let Some(x) = t
        .fields
        .extract_id
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
    {
        return Ok(x.to_owned());
    }
    Ok(store
        .message(t.fields.message_id)?
        .and_then(|m| m.fields.hl7_message_id)
        .unwrap_or_default())
}

fn sections_complete(loaded: &Loaded) -> Result<(), String> {
    let missing: Vec<String> = Section::ALL
        .iter()
        .map(|s| loaded.progress(*s))
        .filter(|p| !p.complete)
        .map(|p| format!("{} ({} of {} seen)", p.section.label(), p.seen, p.total))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("Review every section first: {}.", missing.join(", ")))
    }
}

/// The decision panel of the review screen.
pub(crate) fn panel(
    inbox: &Inbox,
    store: &Store,
    actor: &Actor,
    loaded: &Loaded,
    earlier: &[EarlierRecord],
    registered_on: Option<&str>,
) -> Result<DecisionPanel, InboxError> {
    let t = &loaded.transfer;
    let outbox_dir = inbox.paths().outbox.display().to_string();
    if let Some(d) = store.decision(t.id)? {
        return Ok(DecisionPanel {
            decided: Some(decision_view(store, d)?),
            options: Vec::new(),
            why_not: None,
            outbox_dir,
        });
    }
    let status = TransferStatus::from_store(&t.fields.status);
    let permitted = actor.require(Action::Decide).err().map(|e| e.to_string());
    let reviewed = sections_complete(loaded).err();
    let relaxed = inbox.relax_review() && actor.roles.contains(&crate::dto::Role::Administrator);
    let why_not = match status {
        TransferStatus::AwaitingAttachments => Some(format!(
            "Still waiting for {} of {} large-message parts: decide when they arrive, or when the wait runs out.",
            t.parts_missing, t.parts_expected
        )),
        _ => permitted.clone(),
    };
    let reference = message_ref(t, store)?;
    let options = options(status, t.failure_code.as_deref(), held(earlier, registered_on))
        .into_iter()
        .map(|(kind, codes)| {
            let (label, description) = label(kind);
            let reasons: Vec<ReasonOption> = codes
                .iter()
                .map(|c| ReasonOption {
                    code: (*c).to_owned(),
                    text: reason_text(c),
                })
                .collect();
            let ack = ack_for(kind, codes.first().copied()).map(|(ack_type, code)| AckPreview {
                ack_type: ack_type.into(),
                text: code.as_deref().map(reason_text),
                code,
                message_ref: reference.clone(),
                to_ods: t.fields.sending_ods.clone(),
            });
            let why = permitted.clone().or_else(|| {
                (needs_review(kind) && !relaxed)
                    .then(|| reviewed.clone())
                    .flatten()
            });
            DecisionOption {
                kind,
                label: label.into(),
                description: description.into(),
                reasons,
                ack,
                enabled: why.is_none(),
                why_not: why,
            }
        })
        .collect();
    Ok(DecisionPanel {
        decided: None,
        options,
        why_not,
        outbox_dir,
    })
}

fn decision_view(store: &Store, d: inbox_store::review::Decision) -> Result<DecisionView, InboxError> {
    // The decision's ack answers the transfer's own message (a duplicate's AE 12 answers another).
    let ack = match store.transfer(d.fields.transfer_id)? {
        Some(t) => store.ack_for_message(t.fields.message_id)?.map(ack_view),
        None => None,
    };
    Ok(DecisionView {
        kind: kind_from_code(&d.fields.kind),
        reason_text: d.fields.reason_code.as_deref().map(reason_text),
        reason_code: d.fields.reason_code,
        note: d.fields.note,
        decided_by: d.user_name.unwrap_or_else(|| "system".into()),
        decided_at: d.fields.decided_at,
        ack,
        suppressed_transfer_id: d.fields.suppressed_transfer_id,
    })
}

fn ack_view(a: AckSent) -> AckSentView {
    AckSentView {
        ack_type: a.ack_type,
        reason_code: a.reason_code,
        ack_message_id: a.ack_message_id,
        message_ref: a.message_ref,
        file: a.file_name,
        written_at: a.written_at,
    }
}

/// An upper-case random (version 4) GUID, as GP2GP message ids are written.
pub(crate) fn new_guid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system's random number generator failed");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = files::hex(&b).to_ascii_uppercase();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// An acknowledgement ready to be written.
struct PreparedAck {
    ack: AckSent,
    xml: String,
    envelope: String,
}

/// Builds the acknowledgement of the message `message_id` (archived), addressed back to its sender.
fn prepare_ack(
    inbox: &Inbox,
    message_id: i64,
    transfer_id: Option<i64>,
    ack_type: &str,
    reason_code: Option<&str>,
) -> Result<PreparedAck, InboxError> {
    let stored = inbox
        .store()
        .message(message_id)?
        .ok_or_else(|| InboxError::NotFound(format!("The message {message_id} is not recorded.")))?;
    let path = inbox.paths().archive.join(&stored.fields.archive_name);
    let bytes = std::fs::read(&path)
        .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))?;
    let message = gp2gp::read(&bytes).map_err(|e| {
        InboxError::InvalidInput(format!(
            "The original could not be read again to answer it: {}",
            e.reason
        ))
    })?;
    let reference = gp2gp::ack_reference(&message).unwrap_or_default().to_owned();
    let now = inbox.clock().now();
    let local = inbox_store::times::utc_to_uk_local(now);
    let creation_time = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    );
    let ack_id = new_guid();
    let unknown = "000000000000";
    let our_asid = message
        .wrapper
        .receiver_asid
        .clone()
        .unwrap_or_else(|| unknown.into());
    let their_asid = message
        .wrapper
        .sender_asid
        .clone()
        .unwrap_or_else(|| unknown.into());
    let our_ods = stored.fields.to_ods.clone().unwrap_or_default();
    let their_ods = stored.fields.from_ods.clone().unwrap_or_default();
    let kind = match ack_type {
        "AA" => gp2gp::AckType::Accept,
        "AR" => gp2gp::AckType::Reject,
        _ => gp2gp::AckType::Error,
    };
    let xml = gp2gp::write_ack(&gp2gp::AckRequest {
        ack_type: kind,
        reason: reason_code.map(|c| (c, "")),
        message_id: &ack_id,
        acknowledged_message_id: &reference,
        conversation_id: message.conversation_id(),
        creation_time: &creation_time,
        sender_asid: &our_asid,
        receiver_asid: &their_asid,
        sender_ods: if our_ods.is_empty() { "UNKNOWN" } else { &our_ods },
        receiver_ods: if their_ods.is_empty() {
            "UNKNOWN"
        } else {
            &their_ods
        },
    })
    .map_err(|e| InboxError::InvalidInput(format!("The acknowledgement could not be written: {e}")))?;
    // Kept as sent, whatever the adaptor does with the outbox (S63).
    let archive_name = files::store_bytes(
        &inbox.paths().archive,
        &files::sha256_hex(xml.as_bytes()),
        xml.as_bytes(),
    )?;
    let code_part = reason_code.map(|c| format!("-{c}")).unwrap_or_default();
    let file_name = format!("MCCI_IN010000UK13_{ack_type}{code_part}_{ack_id}.xml");
    let envelope = serde_json::json!({
        "interaction": "MCCI_IN010000UK13",
        "ackFile": file_name,
        "ackMessageId": ack_id,
        "ackType": ack_type,
        "reasonCode": reason_code,
        "messageRef": reference,
        "conversationId": message.conversation_id(),
        "refToMessageId": stored.fields.ebxml_message_id,
        "fromOds": stored.fields.to_ods,
        "toOds": stored.fields.from_ods,
        "fromAsid": message.wrapper.receiver_asid,
        "toAsid": message.wrapper.sender_asid,
        "transferId": transfer_id,
    });
    Ok(PreparedAck {
        ack: AckSent {
            transfer_id,
            message_id,
            ack_type: ack_type.into(),
            reason_code: reason_code.map(str::to_owned),
            ack_message_id: ack_id,
            message_ref: reference,
            file_name,
            written_at: clock::rfc3339(now),
            archive_name,
        },
        xml,
        envelope: serde_json::to_string_pretty(&envelope).unwrap_or_default(),
    })
}

fn envelope_name(xml_name: &str) -> String {
    format!("{}.json", xml_name.trim_end_matches(".xml"))
}

/// Writes the ack and its envelope under `outbox/.pending/`.
fn write_pending(outbox: &Path, p: &PreparedAck) -> Result<(), InboxError> {
    let pending = outbox.join(PENDING_DIR);
    std::fs::create_dir_all(&pending).map_err(|e| {
        InboxError::io(
            format!("Could not create the outbox folder {}", outbox.display()),
            e,
        )
    })?;
    files::write_atomically(
        &pending.join(envelope_name(&p.ack.file_name)),
        p.envelope.as_bytes(),
    )?;
    files::write_atomically(&pending.join(&p.ack.file_name), p.xml.as_bytes())
}

/// Moves a committed ack (envelope first) from `.pending/` into the outbox.
fn publish(outbox: &Path, file_name: &str) -> Result<(), InboxError> {
    let pending = outbox.join(PENDING_DIR);
    for name in [envelope_name(file_name), file_name.to_owned()] {
        let from = pending.join(&name);
        if from.exists() {
            std::fs::rename(&from, outbox.join(&name))
                .map_err(|e| InboxError::io(format!("Could not move {name} into the outbox"), e))?;
        }
    }
    files::sync_parent(&outbox.join(file_name));
    Ok(())
}

fn discard(outbox: &Path, file_name: &str) {
    let pending = outbox.join(PENDING_DIR);
    let _ = std::fs::remove_file(pending.join(file_name));
    let _ = std::fs::remove_file(pending.join(envelope_name(file_name)));
}

/// At start: acks whose decision committed are moved into the outbox; the others are removed.
/// `discard_unrecorded` only at start: while the inbox runs, an ack not yet recorded may belong to
/// a decision about to commit.
pub(crate) fn finish_pending(inbox: &Inbox, discard_unrecorded: bool) -> Result<(), InboxError> {
    let outbox = inbox.paths().outbox.clone();
    let Ok(entries) = std::fs::read_dir(outbox.join(PENDING_DIR)) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".xml") {
            continue;
        }
        if inbox.store().ack_by_file(&name)?.is_some() {
            publish(&outbox, &name)?;
        } else if discard_unrecorded {
            discard(&outbox, &name);
        }
    }
    Ok(())
}

/// At start: duplicate extracts that were filed but never answered (the process stopped between
/// filing and writing the AE 12) are answered now.
pub(crate) fn answer_unanswered_duplicates(inbox: &Inbox) -> Result<(), InboxError> {
    let unanswered = inbox.store().unanswered_duplicate_extracts()?;
    for (message_id, archive_name) in unanswered {
        let path = inbox.paths().archive.join(&archive_name);
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let Ok(message) = gp2gp::read(&bytes) else {
            continue;
        };
        let Some(extract_id) = message.extract.as_ref().and_then(|x| x.id.clone()) else {
            continue;
        };
        let first = inbox.store().transfer_by_extract_id(&extract_id)?;
        if let Some(first) = first.filter(|t| t.fields.message_id != message_id) {
            if let Err(e) = inbox.ack_duplicate(message_id, first.id) {
                inbox.add_notice(format!(
                    "A duplicate's AE 12 acknowledgement could not be written: {e}"
                ));
            }
        }
    }
    Ok(())
}

impl Inbox {
    /// Makes the whole-record decision: writes the acknowledgement to the outbox, sets the
    /// transfer's status, applies integration's effects and audits it, all or nothing. Returns
    /// the review as it now stands.
    pub fn decide(&self, actor: &Actor, req: &DecisionRequest) -> Result<ReviewView, InboxError> {
        actor.require(Action::Decide)?;
        let note = req
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let (loaded, earlier) = {
            let store = self.store();
            let loaded = Loaded::read(&store, req.transfer_id)?;
            if store.decision(req.transfer_id)?.is_some() {
                return Err(InboxError::Conflict(format!(
                    "Transfer {} has already been decided.",
                    req.transfer_id
                )));
            }
            let records = crate::review::earlier_records(&store, &loaded.transfer)?;
            let registered_on =
                crate::registrations::of_transfer(&store, &loaded.transfer)?.and_then(|r| r.registered_on);
            let held = held(&records, registered_on.as_deref());
            // Integrating a returning patient's record suppresses the record integrated before.
            let old_records: Vec<i64> = records
                .iter()
                .filter(|r| r.status == TransferStatus::Integrated)
                .map(|r| r.transfer_id)
                .collect();
            (loaded, (held, old_records))
        };
        let (held, earlier) = earlier;
        let t = &loaded.transfer;
        let state = TransferStatus::from_store(&t.fields.status);
        if state == TransferStatus::AwaitingAttachments {
            return Err(InboxError::Conflict(
                "This record is still waiting for its large-message parts: it cannot be decided yet.".into(),
            ));
        }
        let allowed = options(state, t.failure_code.as_deref(), held);
        let Some((_, codes)) = allowed.iter().find(|(k, _)| *k == req.kind) else {
            let choices: Vec<&str> = allowed.iter().map(|(k, _)| label(*k).0).collect();
            return Err(InboxError::Conflict(format!(
                "\"{}\" is not possible for this record; the choices are: {}.",
                label(req.kind).0,
                choices.join(", ")
            )));
        };
        let reason = match req.kind {
            DecisionKind::Reject => {
                let code = req
                    .reason_code
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty());
                match code {
                    None => {
                        return Err(InboxError::InvalidInput(format!(
                            "A rejection needs a reason code: {}.",
                            codes.join(" or ")
                        )))
                    }
                    Some(c) if !codes.contains(&c) => {
                        return Err(InboxError::InvalidInput(format!(
                            "Reason code {c} does not fit this record; use {}.",
                            codes.join(" or ")
                        )))
                    }
                    Some(c) => Some(c.to_owned()),
                }
            }
            _ => None,
        };
        if needs_review(req.kind) {
            let relaxed = self.relax_review() && actor.roles.contains(&crate::dto::Role::Administrator);
            if !relaxed {
                sections_complete(&loaded).map_err(InboxError::Conflict)?;
            }
        }
        let at = clock::rfc3339(self.clock().now());
        if req.kind == DecisionKind::Defer {
            self.audit(
                actor,
                "decision_deferred",
                Some(t.id),
                note.as_deref().unwrap_or("decided later"),
            )?;
            return self.review_view(actor, t.id);
        }
        let (ack_type, ack_code) = ack_for(req.kind, reason.as_deref()).expect("not a deferral");
        let prepared = prepare_ack(
            self,
            t.fields.message_id,
            Some(t.id),
            ack_type,
            ack_code.as_deref(),
        )?;
        let new_status = match req.kind {
            DecisionKind::Integrate | DecisionKind::IntegrateSuppressOld => status::INTEGRATED,
            DecisionKind::StoreSuppressed => status::SUPPRESSED,
            _ => status::REJECTED,
        };
        let suppressed = (req.kind == DecisionKind::IntegrateSuppressOld).then(|| earlier.clone());
        let what = format!("Transfer {} is decided, but its acknowledgement", t.id);
        let committed = self.send_ack(&prepared, &what, |s| {
            let inserted = s.insert_decision(&NewDecision {
                transfer_id: t.id,
                kind: kind_code(req.kind).into(),
                reason_code: ack_code.clone(),
                note: note.clone(),
                user_id: Some(actor.user_id),
                decided_at: at.clone(),
                suppressed_transfer_id: suppressed.as_ref().and_then(|v| v.first().copied()),
            })?;
            if inserted.is_none() {
                return Ok(false);
            }
            s.set_decided_status(t.id, new_status, &at)?;
            for old in suppressed.iter().flatten() {
                s.set_decided_status(*old, status::SUPPRESSED, &at)?;
            }
            s.insert_ack_sent(&prepared.ack)?;
            if matches!(
                req.kind,
                DecisionKind::Integrate | DecisionKind::IntegrateSuppressOld
            ) {
                for f in integration_followups(&loaded, &at) {
                    s.insert_followup(&f)?;
                }
            }
            s.append_audit(&actor.audit_entry(
                at.clone(),
                "decision",
                Some(t.id),
                format!(
                    "{}{}; {} {}{} written to the outbox as {}{}",
                    label(req.kind).0,
                    ack_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
                    ack_type,
                    prepared.ack.message_ref,
                    suppressed
                        .as_ref()
                        .filter(|v| !v.is_empty())
                        .map(|v| format!(
                            "; suppressed {}",
                            v.iter()
                                .map(|i| format!("transfer {i}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .unwrap_or_default(),
                    prepared.ack.file_name,
                    note.as_deref()
                        .map(|n| format!("; note: {n}"))
                        .unwrap_or_default()
                ),
            ))?;
            Ok(true)
        });
        if !committed? {
            return Err(InboxError::Conflict(format!(
                "Transfer {} has already been decided.",
                t.id
            )));
        }
        self.review_view(actor, t.id)
    }

    /// A duplicate extract (S60/S85) is answered at once with AE 12, by the system. Returns the
    /// file written, or `None` when that message was answered before.
    pub(crate) fn ack_duplicate(
        &self,
        message_id: i64,
        transfer_id: i64,
    ) -> Result<Option<String>, InboxError> {
        if self.store().ack_for_message(message_id)?.is_some() {
            return Ok(None);
        }
        let prepared = prepare_ack(self, message_id, Some(transfer_id), "AE", Some("12"))?;
        let at = prepared.ack.written_at.clone();
        let written = self.send_ack(
            &prepared,
            "A duplicate's AE 12 acknowledgement is recorded but",
            |s| {
                if !s.insert_ack_sent(&prepared.ack)? {
                    return Ok(false);
                }
                s.append_audit(&inbox_store::NewAuditEntry {
                    at,
                    user_name: "system".into(),
                    role: "system".into(),
                    action: "acknowledgement".into(),
                    transfer_id: Some(transfer_id),
                    detail: format!(
                        "duplicate extract answered with AE 12 ({}) as {}",
                        prepared.ack.message_ref, prepared.ack.file_name
                    ),
                })?;
                Ok(true)
            },
        );
        Ok(written?.then_some(prepared.ack.file_name))
    }

    /// Writes `prepared` under `outbox/.pending/`, runs `record` in one transaction — it says
    /// `false` when there was nothing to record (already decided, already answered) — then moves
    /// the ack into the outbox, or removes it when nothing committed. Should the move fail after
    /// the commit, the ack stands recorded and is moved at the next rescan; the practice is told
    /// ("`what` could not be put in the outbox yet").
    fn send_ack(
        &self,
        prepared: &PreparedAck,
        what: &str,
        record: impl FnOnce(&Store) -> inbox_store::Result<bool>,
    ) -> Result<bool, InboxError> {
        let outbox = self.paths().outbox.clone();
        write_pending(&outbox, prepared)?;
        match self.store().write(record) {
            Ok(true) => {
                if let Err(e) = publish(&outbox, &prepared.ack.file_name) {
                    self.add_notice(format!(
                        "{what} could not be put in the outbox yet ({e}); it is tried again shortly."
                    ));
                }
                Ok(true)
            }
            Ok(false) => {
                discard(&outbox, &prepared.ack.file_name);
                Ok(false)
            }
            Err(e) => {
                discard(&outbox, &prepared.ack.file_name);
                Err(e.into())
            }
        }
    }

    /// Training set-up: marks a returning patient's earlier record as integrated long ago (a system
    /// decision, no acknowledgement: it was sent back then).
    pub(crate) fn record_earlier_integration(&self, transfer_id: i64) -> Result<(), InboxError> {
        // Decided when it arrived, years ago (before the current registration).
        let at = self
            .store()
            .transfer(transfer_id)?
            .and_then(|t| t.fields.sent_at)
            .filter(|s| s.len() >= 10)
            .unwrap_or_else(|| clock::rfc3339(self.clock().now()));
        Ok(self.store().write(|s| {
            if s.insert_decision(&NewDecision {
                transfer_id,
                kind: kind_code(DecisionKind::Integrate).into(),
                note: Some("Integrated when the patient was first registered here (training set-up).".into()),
                decided_at: at.clone(),
                ..NewDecision::default()
            })?
            .is_some()
            {
                s.set_decided_status(transfer_id, status::INTEGRATED, &at)?;
            }
            Ok(())
        })?)
    }

    /// The decision made on a transfer, if any.
    pub fn decision(&self, transfer_id: i64) -> Result<Option<DecisionView>, InboxError> {
        let store = self.store();
        match store.decision(transfer_id)? {
            Some(d) => Ok(Some(decision_view(&store, d)?)),
            None => Ok(None),
        }
    }
}

/// What integration leaves to do (S82–S84, S86), with the reviewer's intentions and notes.
fn integration_followups(loaded: &Loaded, at: &str) -> Vec<Followup> {
    let transfer_id = loaded.transfer.id;
    let note_of = |section: Section, key: &str| {
        loaded
            .mark(section, key)
            .filter(|m| m.state == "flagged")
            .and_then(|m| m.note.clone())
    };
    let recode_of = |section: Section, key: &str| {
        loaded
            .intention(section, key, "recode")
            .map(|i| (i.code.clone(), i.term.clone()))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let add = |out: &mut Vec<Followup>,
               kind: &str,
               section: Section,
               key: String,
               title: String,
               state: &str,
               code: (Option<String>, Option<String>)| {
        out.push(Followup {
            transfer_id,
            kind: kind.into(),
            section: section.code().into(),
            note: note_of(section, &key),
            item_key: key,
            title,
            state: state.into(),
            code: code.0,
            term: code.1,
            created_at: at.to_owned(),
        });
    };
    for c in loaded.active_repeats() {
        let key = review::course_key(c);
        let done = loaded
            .intention(Section::Medications, &key, "reauthorise")
            .is_some();
        let title = c.drug_term.clone().unwrap_or_else(|| "(drug not named)".into());
        add(
            &mut out,
            "reauthorise",
            Section::Medications,
            key,
            title,
            if done { "done" } else { "open" },
            (None, None),
        );
    }
    for (section, key, title) in loaded.prescribing_locks() {
        add(
            &mut out,
            "prescribing_lock",
            section,
            key,
            title,
            "open",
            (None, None),
        );
    }
    // One recode per degraded entry (S83: degraded current medications among them), with the code
    // a clinician proposed on it — in Degraded codes, or on its medication or allergy item.
    let proposed_on_entry = |entry_seq: i64| {
        let course = loaded
            .courses
            .iter()
            .find(|c| c.entry_seq == entry_seq)
            .map(review::course_key);
        let allergy = loaded
            .allergies
            .iter()
            .find(|a| a.entry_seq == entry_seq)
            .map(review::allergy_key);
        course
            .map(|k| recode_of(Section::Medications, &k))
            .filter(|c| c.0.is_some())
            .or_else(|| {
                allergy
                    .map(|k| recode_of(Section::Allergies, &k))
                    .filter(|c| c.0.is_some())
            })
            .unwrap_or_default()
    };
    for d in &loaded.degraded {
        let key = review::degraded_key(d);
        let own = recode_of(Section::Degraded, &key);
        let code = if own.0.is_some() {
            own
        } else {
            proposed_on_entry(d.entry_seq)
        };
        let title = d
            .original_term
            .clone()
            .or_else(|| d.entry_term.clone())
            .unwrap_or_else(|| review::degrade_label(&d.kind).into());
        add(&mut out, "recode", Section::Degraded, key, title, "open", code);
    }
    // Placeholders (S86), and documents whose file never came with the record.
    for d in loaded
        .documents
        .iter()
        .filter(|d| d.absent || d.attachment_id.is_none())
    {
        let key = review::document_key(d);
        let title = d
            .placeholder_original_name
            .clone()
            .or_else(|| d.title.clone())
            .unwrap_or_else(|| "Attachment".into());
        let kind = if loaded.created_by_sender(d) {
            "chase_attachment"
        } else {
            "missing_attachment"
        };
        add(
            &mut out,
            kind,
            Section::Attachments,
            key,
            title,
            "open",
            (None, None),
        );
    }
    // Flagged items the lists above do not cover keep their note for the worklists too.
    for (section, key) in loaded
        .marks
        .values()
        .filter(|m| m.state == "flagged")
        .map(|m| (m.section.clone(), m.item_key.clone()))
        .collect::<Vec<_>>()
    {
        if out.iter().any(|f| f.section == section && f.item_key == key) {
            continue;
        }
        let Some(s) = Section::ALL.iter().find(|s| s.code() == section).copied() else {
            continue;
        };
        add(&mut out, "flagged", s, key.clone(), key, "open", (None, None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ready_record_integrates_or_is_rejected_as_wrong_patient() {
        let o = options(TransferStatus::Ready, None, Held::Nothing);
        let kinds: Vec<_> = o.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [DecisionKind::Integrate, DecisionKind::Reject, DecisionKind::Defer]
        );
        assert_eq!(o[1].1, ["28"], "S65: no rejection but for the wrong patient");
    }

    #[test]
    fn a_returning_patient_gets_the_a_b_a_choices() {
        let o = options(TransferStatus::Ready, None, Held::Returning);
        let kinds: Vec<_> = o.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                DecisionKind::IntegrateSuppressOld,
                DecisionKind::StoreSuppressed,
                DecisionKind::Reject,
                DecisionKind::Defer
            ]
        );
        assert_eq!(o[2].1, ["17"]);
        assert_eq!(
            ack_for(DecisionKind::StoreSuppressed, None),
            Some(("AE", Some("15".into())))
        );
    }

    #[test]
    fn an_incomplete_record_can_only_be_rejected_with_its_large_message_code() {
        for (code, expected) in [
            (Some("25"), "25"),
            (Some("29"), "29"),
            (Some("30"), "30"),
            (None, "31"),
        ] {
            let o = options(TransferStatus::Incomplete, code, Held::Nothing);
            assert_eq!(o[0], (DecisionKind::Reject, vec![expected]));
            assert!(!o.iter().any(|(k, _)| matches!(k, DecisionKind::Integrate)));
        }
    }

    #[test]
    fn nothing_is_decided_while_parts_are_awaited_or_after_a_decision() {
        for s in [
            TransferStatus::AwaitingAttachments,
            TransferStatus::Integrated,
            TransferStatus::Rejected,
            TransferStatus::Suppressed,
        ] {
            assert!(options(s, None, Held::Nothing).is_empty());
        }
    }

    #[test]
    fn a_record_integrated_in_this_registration_makes_a_new_one_a_duplicate() {
        let record = |status, decided: &str| EarlierRecord {
            transfer_id: 1,
            received_at: "2022-01-01T09:00:00Z".into(),
            status,
            decided_at: Some(decided.into()),
        };
        let old = [record(TransferStatus::Integrated, "2022-01-02T10:00:00Z")];
        assert_eq!(held(&[], Some("2026-11-01")), Held::Nothing);
        assert_eq!(held(&old, Some("2026-11-01")), Held::Returning);
        assert_eq!(held(&old, None), Held::Returning);
        let recent = [record(TransferStatus::Integrated, "2026-11-05T10:00:00Z")];
        assert_eq!(held(&recent, Some("2026-11-01")), Held::ThisRegistration);
        let suppressed = [record(TransferStatus::Suppressed, "2026-11-05T10:00:00Z")];
        assert_eq!(held(&suppressed, Some("2026-11-01")), Held::Returning);
        let o = options(TransferStatus::Ready, None, Held::ThisRegistration);
        assert_eq!(o[0], (DecisionKind::Reject, vec!["12"]));
    }

    #[test]
    fn guids_are_upper_case_version_4() {
        let g = new_guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert_eq!(g, g.to_ascii_uppercase());
        assert_ne!(g, new_guid());
    }
}
