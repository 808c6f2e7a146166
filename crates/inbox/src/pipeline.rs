//! The durable pipeline: every input file ends up exactly once as stored, duplicate, awaiting
//! attachments or quarantined, even if the process dies at any point.
//!
//! ```text
//!  incoming/<name> ──claim (rename)──▶ processing/<claim> ──read──▶ archive/<sha>   (originals)
//!                                          │                        attachments/<sha>
//!                                          │               one SQLite transaction:
//!                                          │               message, transfer, record, arrival
//!                                          ├──▶ removed once the transaction committed
//!                                          └──▶ quarantine/<name> + <name>.reason.txt
//! ```
//!
//! Why it is crash-safe:
//! - A claim name is never reused and is recorded in the `arrivals` row, written in the same
//!   transaction as everything the file caused. At start-up ([`recover`]) every file still in
//!   `processing/` is looked up: recorded → only the last file step is redone (remove, or move to
//!   the quarantine); not recorded → processed from the start.
//! - Originals and attachment contents are written (flushed, renamed) before the transaction and
//!   named by their SHA-256, so writing them again is harmless and nothing refers to a file that
//!   is not complete on disk.
//! - The sender's file is renamed into `processing/` (atomic on one file system); across file
//!   systems it is copied (flushed) first and then removed.

use std::path::{Path, PathBuf};

use gp2gp::{Interaction, Message, ReferenceKind, Severity};
use inbox_store::arrivals::outcome;
use inbox_store::messages::role;
use inbox_store::transfers::status;
use inbox_store::{
    conversation_key, NewArrival, NewAttachment, NewMessage, NewQuarantined, NewTransfer, RecordCounts,
    StatusChange, Store, StoredMessage, Transfer,
};

use crate::clock::rfc3339;
use crate::files::{
    free_name_where, move_file, remove_if_present, sha256_hex, shorten_name, store_bytes, store_content,
    unique_suffix, write_atomically, write_stream_atomically,
};
use crate::{samples, Inbox, InboxError};

/// Where a file came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The watched folder: the file moves out of it.
    Folder,
    /// Posted to the HTTP endpoint: the spooled body moves out of the spool.
    Endpoint,
    /// Named on the command line: left where it is (a copy is claimed).
    CommandLine,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Folder => "folder",
            Source::Endpoint => "endpoint",
            Source::CommandLine => "command_line",
        }
    }

    fn from_code(code: &str) -> Option<Source> {
        [Source::Folder, Source::Endpoint, Source::CommandLine]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Read and stored. `transfer_id` is the patient record it is (or belongs to), if known yet.
    Stored {
        message_id: i64,
        transfer_id: Option<i64>,
    },
    /// A record stored, waiting for its large-message parts.
    Awaiting {
        message_id: i64,
        transfer_id: i64,
        parts_missing: u64,
    },
    /// The same message was stored before: `message_id` is the first one.
    Duplicate {
        message_id: i64,
        transfer_id: Option<i64>,
        reason: String,
    },
    /// Could not be read as a GP2GP message; kept in the quarantine folder.
    Quarantined { quarantine_id: i64, reason: String },
}

impl IngestOutcome {
    /// `stored`, `awaiting_attachments`, `duplicate` or `quarantined`.
    pub fn code(&self) -> &'static str {
        match self {
            IngestOutcome::Stored { .. } => "stored",
            IngestOutcome::Awaiting { .. } => "awaiting_attachments",
            IngestOutcome::Duplicate { .. } => "duplicate",
            IngestOutcome::Quarantined { .. } => "quarantined",
        }
    }

    /// The message stored or repeated, if any.
    pub fn message_id(&self) -> Option<i64> {
        match self {
            IngestOutcome::Stored { message_id, .. }
            | IngestOutcome::Awaiting { message_id, .. }
            | IngestOutcome::Duplicate { message_id, .. } => Some(*message_id),
            IngestOutcome::Quarantined { .. } => None,
        }
    }

    /// The transfer concerned, if any.
    pub fn transfer_id(&self) -> Option<i64> {
        match self {
            IngestOutcome::Stored { transfer_id, .. } | IngestOutcome::Duplicate { transfer_id, .. } => {
                *transfer_id
            }
            IngestOutcome::Awaiting { transfer_id, .. } => Some(*transfer_id),
            IngestOutcome::Quarantined { .. } => None,
        }
    }
}

/// A file claimed into `processing/`.
#[derive(Debug, Clone)]
pub(crate) struct Claim {
    /// The name in `processing/`: `<received ms>.<source>.<unique>~<file name>`.
    pub name: String,
    pub path: PathBuf,
    pub file_name: String,
    pub source: Source,
    pub received_at: String,
}

impl Claim {
    fn new(inbox: &Inbox, file_name: &str, source: Source) -> Claim {
        let now = inbox.clock().now();
        let millis = (now.unix_timestamp_nanos() / 1_000_000).max(0);
        // The full name is kept in the database; the claim carries a short form of it so that
        // the claim (and a temporary copy beside it) stays within the 255-byte limit on names.
        let name = format!(
            "{millis}.{}.{}~{}",
            source.code(),
            unique_suffix(),
            shorten_name(file_name, 120)
        );
        Claim {
            path: inbox.paths().processing.join(&name),
            name,
            file_name: file_name.to_owned(),
            source,
            received_at: rfc3339(now),
        }
    }

    /// A claim found in `processing/` at start-up.
    fn parse(dir: &Path, name: &str) -> Option<Claim> {
        let (head, file_name) = name.split_once('~')?;
        let mut parts = head.splitn(3, '.');
        let millis: i128 = parts.next()?.parse().ok()?;
        let source = Source::from_code(parts.next()?)?;
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).ok()?;
        Some(Claim {
            name: name.to_owned(),
            path: dir.join(name),
            file_name: file_name.to_owned(),
            source,
            received_at: rfc3339(at),
        })
    }
}

pub(crate) fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Claims `path` and files it. An unreadable file (permissions, vanished) stays where it is.
pub(crate) fn ingest_file(inbox: &Inbox, path: &Path, source: Source) -> Result<IngestOutcome, InboxError> {
    let claim = Claim::new(inbox, &file_name_of(path), source);
    match source {
        Source::CommandLine => {
            let mut file = std::fs::File::open(path)
                .map_err(|e| InboxError::io(format!("Could not read {}", path.display()), e))?;
            write_stream_atomically(&claim.path, &mut file)?;
        }
        Source::Folder | Source::Endpoint => {
            // Fails before anything moved when the file cannot be read (or is not a file).
            std::fs::File::open(path)
                .map_err(|e| InboxError::io(format!("Could not read {}", path.display()), e))?;
            // Not a link either: whoever can write to the folder must not make the inbox archive
            // any file the app can read.
            if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()) {
                return Err(InboxError::InvalidInput(format!(
                    "{} is not a file (a folder or a link), so it was left where it is.",
                    path.display()
                )));
            }
            move_file(path, &claim.path)?;
        }
    }
    process_claimed(inbox, &claim)
}

/// Files everything left in `processing/` (and in the endpoint's spool) by an earlier run.
/// Returns what became of each; a file that still cannot be filed stays, with a notice.
pub(crate) fn recover(inbox: &Inbox) -> Result<Vec<IngestOutcome>, InboxError> {
    let mut outcomes: Vec<IngestOutcome> = retry_claims(inbox, true)?.into_iter().map(|(_, o)| o).collect();
    let spool = &inbox.paths().spool;
    for name in read_names(spool)? {
        let path = spool.join(&name);
        if name.starts_with('.') {
            // A body still being received when we stopped: the sender got no answer and sends again.
            remove_if_present(&path)?;
            continue;
        }
        match ingest_file(inbox, &path, Source::Endpoint) {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                inbox.add_notice(format!(
                    "A message received by the endpoint could not be filed: {e}. It is kept in {} and will be tried again.",
                    spool.display()
                ));
            }
        }
    }
    Ok(outcomes)
}

/// Files what waits in `processing/`: after a crash (`at_start`, when leftover partial copies are
/// also removed), or because filing it failed a moment ago (a busy database, a full disk...).
/// Returns what became of each file filed; one that still fails stays, with a notice.
pub(crate) fn retry_claims(
    inbox: &Inbox,
    at_start: bool,
) -> Result<Vec<(String, IngestOutcome)>, InboxError> {
    let mut outcomes = Vec::new();
    let dir = &inbox.paths().processing;
    let mut names: Vec<String> = read_names(dir)?;
    names.sort();
    for name in names {
        if name.starts_with('.') {
            if at_start {
                // An interrupted copy: the source is still where it was and will be claimed again.
                remove_if_present(&dir.join(&name))?;
            }
            // Otherwise a copy in progress.
            continue;
        }
        let claim = Claim::parse(dir, &name).unwrap_or_else(|| Claim {
            name: name.clone(),
            path: dir.join(&name),
            file_name: name.clone(),
            source: Source::Folder,
            received_at: rfc3339(inbox.clock().now()),
        });
        match process_claimed(inbox, &claim) {
            Ok(o) => outcomes.push((claim.file_name.clone(), o)),
            // Filed meanwhile by the thread that claimed it.
            Err(InboxError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                if at_start {
                    inbox.add_notice(format!(
                        "\"{}\" was being filed when GP2GP Inbox last stopped and could not be finished: {e}. It is kept in {} and will be tried again.",
                        claim.file_name,
                        dir.display()
                    ));
                }
            }
        }
    }
    Ok(outcomes)
}

fn read_names(dir: &Path) -> Result<Vec<String>, InboxError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(InboxError::io(format!("Could not list {}", dir.display()), e)),
    };
    Ok(entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

/// Files one claimed file. Idempotent: a claim already recorded only has its file step finished.
pub(crate) fn process_claimed(inbox: &Inbox, claim: &Claim) -> Result<IngestOutcome, InboxError> {
    let _one_at_a_time = inbox.pipeline_lock();
    let recorded = inbox.store().arrival_by_claim(&claim.name)?;
    if let Some(arrival) = recorded {
        return finish_recorded(inbox, claim, &arrival);
    }
    let bytes = std::fs::read(&claim.path)
        .map_err(|e| InboxError::io(format!("Could not read {}", claim.path.display()), e))?;
    let sha256 = sha256_hex(&bytes);
    let arrival = NewArrival {
        claim_name: claim.name.clone(),
        file_name: claim.file_name.clone(),
        source: if samples::is_sample(&sha256) {
            "sample".to_owned()
        } else {
            claim.source.code().to_owned()
        },
        received_at: claim.received_at.clone(),
        sha256,
        size_bytes: bytes.len() as u64,
        ..NewArrival::default()
    };

    let same_bytes = inbox.store().message_by_sha256(&arrival.sha256)?;
    let outcome = if let Some(first) = same_bytes {
        let reason = format!(
            "exactly the same bytes as \"{}\", received {}",
            first.fields.file_name, first.fields.received_at
        );
        inbox.store().write(|s| {
            s.insert_arrival(&NewArrival {
                outcome: outcome::DUPLICATE.into(),
                message_id: Some(first.id),
                transfer_id: first.transfer_id,
                detail: Some(reason.clone()),
                ..arrival.clone()
            })
        })?;
        IngestOutcome::Duplicate {
            message_id: first.id,
            transfer_id: first.transfer_id,
            reason,
        }
    } else {
        match gp2gp::read(&bytes) {
            Ok(message) => file_message(inbox, &arrival, &bytes, message)?,
            Err(err) => return quarantine(inbox, claim, &arrival, err.kind.code(), &err.reason),
        }
    };
    remove_if_present(&claim.path)?;
    Ok(outcome)
}

/// The last step of an arrival recorded before a crash.
fn finish_recorded(
    inbox: &Inbox,
    claim: &Claim,
    arrival: &inbox_store::Arrival,
) -> Result<IngestOutcome, InboxError> {
    let a = &arrival.fields;
    let outcome = match a.outcome.as_str() {
        outcome::QUARANTINED => {
            let q = a
                .quarantine_id
                .map(|id| inbox.store().quarantined(id))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    InboxError::NotFound(format!("The quarantine entry of {} is missing.", claim.name))
                })?;
            let mut fields = q.fields.clone();
            let dir = &inbox.paths().quarantine;
            if claim.path.exists() {
                let target = dir.join(&fields.quarantine_name);
                let same = |a: &Path, b: &Path| match (std::fs::read(a), std::fs::read(b)) {
                    (Ok(x), Ok(y)) => x == y,
                    _ => false,
                };
                if !target.exists() {
                    move_file(&claim.path, &target)?;
                } else if same(&claim.path, &target) {
                    remove_if_present(&claim.path)?;
                } else {
                    // Someone else's file has that name now: keep both, under a free name.
                    let store = inbox.store();
                    let free = free_name_where(dir, &fields.quarantine_name, |n| {
                        store.quarantine_name_taken(n).unwrap_or(true)
                    });
                    store.rename_quarantined(q.id, &free)?;
                    drop(store);
                    move_file(&claim.path, &dir.join(&free))?;
                    fields.quarantine_name = free;
                }
            }
            write_reason(inbox, &fields)?;
            return Ok(IngestOutcome::Quarantined {
                quarantine_id: q.id,
                reason: fields.reason,
            });
        }
        outcome::DUPLICATE => IngestOutcome::Duplicate {
            message_id: a.message_id.unwrap_or_default(),
            transfer_id: a.transfer_id,
            reason: a.detail.clone().unwrap_or_default(),
        },
        outcome::AWAITING => IngestOutcome::Awaiting {
            message_id: a.message_id.unwrap_or_default(),
            transfer_id: a.transfer_id.unwrap_or_default(),
            parts_missing: a
                .transfer_id
                .map(|t| inbox.store().transfer(t))
                .transpose()?
                .flatten()
                .map_or(0, |t| t.parts_missing),
        },
        _ => IngestOutcome::Stored {
            message_id: a.message_id.unwrap_or_default(),
            transfer_id: a.transfer_id,
        },
    };
    remove_if_present(&claim.path)?;
    Ok(outcome)
}

fn quarantine(
    inbox: &Inbox,
    claim: &Claim,
    arrival: &NewArrival,
    code: &str,
    reason: &str,
) -> Result<IngestOutcome, InboxError> {
    let dir = &inbox.paths().quarantine;
    let quarantine_name = {
        let store = inbox.store();
        free_name_where(dir, &shorten_name(&claim.file_name, 180), |n| {
            store.quarantine_name_taken(n).unwrap_or(true)
        })
    };
    let row = NewQuarantined {
        file_name: claim.file_name.clone(),
        quarantine_name,
        reason_code: code.to_owned(),
        reason: reason.to_owned(),
        sha256: arrival.sha256.clone(),
        size_bytes: arrival.size_bytes,
        quarantined_at: arrival.received_at.clone(),
    };
    let quarantine_id = inbox.store().write(|s| {
        let id = s.insert_quarantined(&row)?;
        s.insert_arrival(&NewArrival {
            outcome: outcome::QUARANTINED.into(),
            quarantine_id: Some(id),
            ..arrival.clone()
        })?;
        Ok(id)
    })?;
    // The reason first: a crash between these two steps leaves the file in processing/, where
    // recovery finds it; the other way round it would sit in quarantine without its reason.
    write_reason(inbox, &row)?;
    move_file(&claim.path, &dir.join(&row.quarantine_name))?;
    Ok(IngestOutcome::Quarantined {
        quarantine_id,
        reason: reason.to_owned(),
    })
}

fn write_reason(inbox: &Inbox, q: &NewQuarantined) -> Result<(), InboxError> {
    let path = inbox
        .paths()
        .quarantine
        .join(format!("{}.reason.txt", q.quarantine_name));
    if path.exists() {
        return Ok(());
    }
    let note = format!(
        "GP2GP Inbox could not read this file.\n\nFile: {} ({} bytes)\nReceived: {}\nReason: {}\n\n\
         The file is kept here unchanged. Ask the sender to send it again, or contact your system supplier.\n",
        q.file_name, q.size_bytes, q.quarantined_at, q.reason
    );
    write_atomically(&path, note.as_bytes())
}

/// What part a message plays.
fn role_of(m: &Message) -> &'static str {
    match m.interaction {
        Interaction::EhrRequest => role::REQUEST,
        Interaction::Acknowledgement => role::ACKNOWLEDGEMENT,
        Interaction::CommonContent => match m.common_content.as_ref().map(|c| c.role) {
            Some(gp2gp::CommonContentRole::Continue) => role::CONTINUE,
            Some(gp2gp::CommonContentRole::FragmentIndex) => role::FRAGMENT_INDEX,
            _ => role::FRAGMENT,
        },
        _ if m.extract.is_some() => role::EXTRACT,
        _ => role::FRAGMENT,
    }
}

fn new_message(arrival: &NewArrival, archive_name: String, m: &Message) -> NewMessage {
    let summary = m.summary();
    let sent = m.wrapper.creation_time.as_ref();
    let stored = inbox_store::times::stored(sent);
    let ack = m
        .acknowledgement
        .as_ref()
        .or_else(|| m.common_content.as_ref().and_then(|c| c.acknowledgement.as_ref()));
    let eb = m.ebxml.as_ref();
    NewMessage {
        conversation_id: m.conversation_id().map(conversation_key),
        interaction: m.interaction.id().to_owned(),
        role: role_of(m).to_owned(),
        ebxml_message_id: eb.and_then(|e| e.message_id.as_deref()).map(conversation_key),
        hl7_message_id: m.wrapper.message_id.clone(),
        from_ods: summary
            .sending_ods
            .clone()
            .or_else(|| eb.and_then(|e| e.from_ods()).map(str::to_owned)),
        to_ods: summary
            .receiving_ods
            .clone()
            .or_else(|| eb.and_then(|e| e.to_ods()).map(str::to_owned)),
        sent_at: stored.at,
        sent_precision: stored.precision.map(str::to_owned),
        sent_raw: sent.map(|t| t.raw.clone()),
        received_at: arrival.received_at.clone(),
        file_name: arrival.file_name.clone(),
        sha256: arrival.sha256.clone(),
        size_bytes: arrival.size_bytes,
        archive_name,
        ack_type: ack.and_then(|a| a.type_code.clone()),
        ack_message_ref: ack.and_then(|a| a.message_ref.clone()),
        ack_reasons: ack.map(|a| a.reason_codes().join(",")).filter(|r| !r.is_empty()),
        nhs_number: m.request.as_ref().and_then(|r| r.nhs_number.clone()),
    }
}

fn file_message(
    inbox: &Inbox,
    arrival: &NewArrival,
    bytes: &[u8],
    message: Message,
) -> Result<IngestOutcome, InboxError> {
    let archive_name = store_bytes(&inbox.paths().archive, &arrival.sha256, bytes)?;
    let nm = new_message(arrival, archive_name, &message);
    match nm.role.as_str() {
        role::EXTRACT => file_extract(inbox, arrival, nm, bytes, message),
        role::FRAGMENT | role::FRAGMENT_INDEX => file_part(inbox, arrival, nm, bytes, &message),
        _ => {
            // Acknowledgements, requests, continues: kept with their conversation's transfer.
            let transfer = conversation_transfer(&inbox.store(), nm.conversation_id.as_deref())?;
            store_with_transfer(inbox, arrival, &nm, &message, transfer.map(|t| t.id), None)
        }
    }
}

fn conversation_transfer(store: &Store, conversation: Option<&str>) -> Result<Option<Transfer>, InboxError> {
    Ok(match conversation {
        Some(c) => store.transfer_in_conversation(c)?,
        None => None,
    })
}

fn file_extract(
    inbox: &Inbox,
    arrival: &NewArrival,
    nm: NewMessage,
    bytes: &[u8],
    message: Message,
) -> Result<IngestOutcome, InboxError> {
    let extract_id = message.extract.as_ref().and_then(|x| x.id.clone());
    // GP2GP S60/S85: an extract already received is not imported again.
    let first = match extract_id.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        Some(id) => inbox.store().transfer_by_extract_id(id)?,
        None => None,
    };
    // A resend after a transfer that failed to import (incomplete, or rejected for its large
    // message or as failed to integrate) is the practice's chance to get the whole record (S85).
    let first = match first {
        Some(t) if inbox.store().failed_to_import(t.id)? => None,
        other => other,
    };
    if let Some(first) = first {
        let reason = format!(
            "the same record (extract id {}) as \"{}\", received {}",
            extract_id.unwrap_or_default(),
            first.fields.file_name,
            first.fields.received_at
        );
        let duplicate_id = inbox.store().write(|s| {
            let id = s.insert_message(&nm)?;
            s.replace_diagnostics(id, &message.diagnostics)?;
            s.insert_arrival(&NewArrival {
                outcome: outcome::DUPLICATE.into(),
                message_id: Some(first.fields.message_id),
                transfer_id: Some(first.id),
                detail: Some(reason.clone()),
                ..arrival.clone()
            })?;
            Ok(id)
        })?;
        // S60/S85: the sender hears at once that this extract was a duplicate (AE 12). The file
        // is filed whatever happens to the answer; a failure is a notice for the practice.
        if let Err(e) = inbox.ack_duplicate(duplicate_id, first.id) {
            inbox.add_notice(format!(
                "The duplicate \"{}\" was filed, but its AE 12 acknowledgement could not be written: {e}",
                arrival.file_name
            ));
        }
        return Ok(IngestOutcome::Duplicate {
            message_id: first.fields.message_id,
            transfer_id: Some(first.id),
            reason,
        });
    }

    let earlier = match nm.conversation_id.as_deref() {
        Some(c) => inbox.store().conversation_messages(c)?,
        None => Vec::new(),
    };
    let parts = read_parts(inbox, &earlier, None)?;
    let now = rfc3339(inbox.clock().now());
    let state = TransferState::build(inbox, bytes, message, &parts, &now)?;
    let summary = state.record.summary();
    let sent = state
        .record
        .extract
        .as_ref()
        .and_then(|x| x.availability_time.clone());
    let sent_stored = inbox_store::times::stored(sent.as_ref());
    let nt = NewTransfer {
        conversation_id: nm.conversation_id.clone(),
        message_id: 0,
        interaction: nm.interaction.clone(),
        extract_id: summary.extract_id.clone(),
        nhs_number: summary.nhs_number.clone(),
        sending_ods: summary.sending_ods.clone(),
        receiving_ods: summary.receiving_ods.clone(),
        sent_at: sent_stored.at,
        sent_precision: sent_stored.precision.map(str::to_owned),
        sent_raw: sent.map(|t| t.raw),
        received_at: arrival.received_at.clone(),
        file_name: arrival.file_name.clone(),
        size_bytes: arrival.size_bytes,
        origin: arrival.source.clone(),
        status: state.change.status.clone(),
    };
    let diagnostics = state.core_diagnostics.clone();
    let (message_id, transfer_id) = inbox.store().write(|s| {
        let message_id = s.insert_message(&nm)?;
        s.replace_diagnostics(message_id, &diagnostics)?;
        let transfer_id = s.insert_transfer(&NewTransfer { message_id, ..nt })?;
        state.apply(s, transfer_id)?;
        for m in &earlier {
            if m.transfer_id.is_none() {
                s.set_message_transfer(m.id, transfer_id)?;
            }
        }
        let awaiting = state.change.status == status::AWAITING_ATTACHMENTS;
        s.insert_arrival(&NewArrival {
            outcome: if awaiting {
                outcome::AWAITING
            } else {
                outcome::STORED
            }
            .into(),
            message_id: Some(message_id),
            transfer_id: Some(transfer_id),
            ..arrival.clone()
        })?;
        Ok((message_id, transfer_id))
    })?;
    Ok(if state.change.status == status::AWAITING_ATTACHMENTS {
        IngestOutcome::Awaiting {
            message_id,
            transfer_id,
            parts_missing: state.change.parts_missing,
        }
    } else {
        IngestOutcome::Stored {
            message_id,
            transfer_id: Some(transfer_id),
        }
    })
}

/// A large-message part: stored with its conversation; completes the transfer if it was the last.
fn file_part(
    inbox: &Inbox,
    arrival: &NewArrival,
    nm: NewMessage,
    bytes: &[u8],
    message: &Message,
) -> Result<IngestOutcome, InboxError> {
    let transfer = conversation_transfer(&inbox.store(), nm.conversation_id.as_deref())?;
    // Parts that arrive after the transfer was given up (or completed) are kept, nothing more.
    let state = match &transfer {
        Some(t) if t.fields.status == status::AWAITING_ATTACHMENTS => {
            let core = inbox.store().message(t.fields.message_id)?.ok_or_else(|| {
                InboxError::NotFound(format!("The core message of transfer {} is missing.", t.id))
            })?;
            let core_bytes = read_archived(inbox, &core)?;
            let earlier = inbox.store().transfer_messages(t.id)?;
            let parts = read_parts(inbox, &earlier, Some(bytes))?;
            let core_message = gp2gp::read(&core_bytes).map_err(|e| {
                InboxError::InvalidInput(format!(
                    "The stored core of transfer {} cannot be read: {e}",
                    t.id
                ))
            })?;
            let now = rfc3339(inbox.clock().now());
            let mut state = TransferState::build(inbox, &core_bytes, core_message, &parts, &now)?;
            // The timeout runs from when the record began to wait, not from its latest part.
            if state.change.status == t.fields.status {
                state.change.at = t.status_at.clone();
            }
            Some(state)
        }
        _ => None,
    };
    store_with_transfer(
        inbox,
        arrival,
        &nm,
        message,
        transfer.map(|t| t.id),
        state.as_ref(),
    )
}

/// Stores a message (and its arrival) as part of `transfer_id`, applying the transfer's new state
/// if it changed, in one transaction.
fn store_with_transfer(
    inbox: &Inbox,
    arrival: &NewArrival,
    nm: &NewMessage,
    message: &Message,
    transfer_id: Option<i64>,
    state: Option<&TransferState>,
) -> Result<IngestOutcome, InboxError> {
    let message_id = inbox.store().write(|s| {
        let id = s.insert_message(nm)?;
        s.replace_diagnostics(id, &message.diagnostics)?;
        if let Some(t) = transfer_id {
            s.set_message_transfer(id, t)?;
            if let Some(state) = state {
                state.apply(s, t)?;
            }
        }
        s.insert_arrival(&NewArrival {
            outcome: outcome::STORED.into(),
            message_id: Some(id),
            transfer_id,
            ..arrival.clone()
        })?;
        Ok(id)
    })?;
    Ok(IngestOutcome::Stored {
        message_id,
        transfer_id,
    })
}

fn read_archived(inbox: &Inbox, m: &StoredMessage) -> Result<Vec<u8>, InboxError> {
    let path = inbox.paths().archive.join(&m.fields.archive_name);
    std::fs::read(&path)
        .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))
}

/// The large-message parts among `messages`, read from the archive, plus `extra`.
fn read_parts(
    inbox: &Inbox,
    messages: &[StoredMessage],
    extra: Option<&[u8]>,
) -> Result<Vec<Vec<u8>>, InboxError> {
    let mut parts = Vec::new();
    for m in messages {
        if m.fields.role == role::FRAGMENT || m.fields.role == role::FRAGMENT_INDEX {
            parts.push(read_archived(inbox, m)?);
        }
    }
    if let Some(extra) = extra {
        parts.push(extra.to_vec());
    }
    Ok(parts)
}

/// A transfer as its messages so far make it: status, record, stored attachments.
pub(crate) struct TransferState {
    pub change: StatusChange,
    /// The message whose EhrExtract is the record (the core, or the resolved skeleton).
    pub record: Message,
    pub core_diagnostics: Vec<gp2gp::Diagnostic>,
    pub attachments: Vec<NewAttachment>,
}

impl TransferState {
    /// Works out the state of a core extract given the parts received so far. Attachment contents
    /// are written to disk here (content-addressed), before any transaction refers to them.
    pub fn build(
        inbox: &Inbox,
        core_bytes: &[u8],
        core: Message,
        parts: &[Vec<u8>],
        now: &str,
    ) -> Result<TransferState, InboxError> {
        let refs: Vec<&gp2gp::ManifestReference> = core
            .ebxml
            .as_ref()
            .map(|e| e.attachment_references().collect())
            .unwrap_or_default();
        let awaited = refs.iter().filter(|r| r.kind == ReferenceKind::MessageId).count() as u64;
        let root = &inbox.paths().attachments;
        let mut attachments = Vec::new();
        let mut change = StatusChange {
            status: status::READY.into(),
            at: now.to_owned(),
            parts_expected: awaited,
            ..StatusChange::default()
        };
        let core_diagnostics = core.diagnostics.clone();
        if refs.is_empty() {
            // Attachments carried inline without an ebXML manifest (the adaptor's JSON form).
            let mut failed = Vec::new();
            for (i, a) in core.attachments.iter().enumerate() {
                let Some((sha256, size, content_name)) = store_decoded(root, a.open())? else {
                    failed.push(a.filename().unwrap_or_else(|| format!("attachment {}", i + 1)));
                    continue;
                };
                attachments.push(NewAttachment {
                    reference: a.content_id.clone(),
                    file_name: a.filename(),
                    content_type: a.content_type.clone(),
                    description: a.description.clone(),
                    size_bytes: size,
                    sha256,
                    content_name,
                    source: "inline".into(),
                    slices: 1,
                    ..NewAttachment::default()
                });
            }
            if !failed.is_empty() {
                reassembly_failed(&mut change, &failed);
            }
            return Ok(TransferState {
                change,
                record: core,
                core_diagnostics,
                attachments,
            });
        }
        drop(core);
        let part_refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let assembly = gp2gp::assemble(core_bytes, &part_refs)
            .map_err(|e| InboxError::InvalidInput(format!("The core message can no longer be read: {e}")))?;
        let mut failed = Vec::new();
        for f in assembly.files.iter().filter(|f| f.complete) {
            match store_decoded(root, f.open())? {
                Some((sha256, size, content_name)) => attachments.push(NewAttachment {
                    reference: Some(f.reference.href.clone()),
                    file_name: f.filename().map(str::to_owned),
                    content_type: f.reference.content_type.clone(),
                    description: Some(f.reference.description.clone()).filter(|d| !d.is_empty()),
                    size_bytes: size,
                    sha256,
                    content_name,
                    source: if f.reference.kind == ReferenceKind::MessageId {
                        "large_message".into()
                    } else {
                        "inline".into()
                    },
                    slices: f.slices as u64,
                    ..NewAttachment::default()
                }),
                None => failed.push(f.filename().unwrap_or(&f.reference.href).to_owned()),
            }
        }
        let missing = assembly.missing.len() as u64;
        change.parts_missing = missing;
        let part_errors = assembly.diagnostics.iter().any(|d| d.severity == Severity::Error);
        if missing > 0 {
            change.status = status::AWAITING_ATTACHMENTS.into();
        } else if !failed.is_empty() || part_errors || !assembly.is_complete() {
            reassembly_failed(&mut change, &failed);
        }
        let record = match assembly.resolved {
            Some(resolved) if missing == 0 => resolved,
            _ => assembly.core,
        };
        Ok(TransferState {
            change,
            record,
            core_diagnostics,
            attachments,
        })
    }

    /// Writes the state into the store (inside the caller's transaction).
    pub fn apply(&self, s: &Store, transfer_id: i64) -> inbox_store::Result<()> {
        s.set_transfer_status(transfer_id, &self.change)?;
        if let Some(x) = &self.record.extract {
            let counts = record_counts(&self.record.counts);
            let errors = self
                .record
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count() as u64;
            s.replace_record(transfer_id, x, &counts, errors)?;
        }
        s.delete_attachments(transfer_id)?;
        for a in &self.attachments {
            s.insert_attachment(&NewAttachment {
                transfer_id,
                ..a.clone()
            })?;
        }
        s.link_documents_to_attachments(transfer_id)
    }
}

/// Stores an attachment's decoded content (see [`store_content`]); `None` when its encoding is
/// broken (bad base64, truncated gzip), which makes the transfer incomplete rather than failing it.
fn store_decoded(
    root: &Path,
    opened: std::io::Result<Box<dyn std::io::Read + '_>>,
) -> Result<Option<(String, u64, String)>, InboxError> {
    let stored = opened
        .map_err(|e| InboxError::io("Could not decode an attachment", e))
        .and_then(|mut r| store_content(root, &mut r));
    match stored {
        Ok(s) => Ok(Some(s)),
        Err(InboxError::Io { source, .. }) if is_decoding_error(&source) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Marks the transfer incomplete with response code 29, naming the files that could not be
/// decoded (none: the parts that came did not fit together).
fn reassembly_failed(change: &mut StatusChange, failed: &[String]) {
    change.status = status::INCOMPLETE.into();
    change.failure_code = Some("29".into());
    change.failure_reason = Some(if failed.is_empty() {
        "Large Message Re-assembly failure: the parts that arrived could not be put back together.".into()
    } else {
        format!(
            "Large Message Re-assembly failure: {} could not be decoded.",
            failed.join(", ")
        )
    });
}

/// A file's content that is not what its encoding says (bad base64, truncated gzip).
fn is_decoding_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::InvalidData
            | std::io::ErrorKind::InvalidInput
            | std::io::ErrorKind::UnexpectedEof
    )
}

pub(crate) fn record_counts(c: &gp2gp::Counts) -> RecordCounts {
    let mut out = [0u64; 14];
    for (slot, (_, n)) in out.iter_mut().zip(c.fields()) {
        *slot = n as u64;
    }
    out
}

/// Transfers still awaiting parts after `timeout` become incomplete, with response code 25
/// (the overall large-message transfer timed out). Returns their ids.
pub(crate) fn expire_awaiting(inbox: &Inbox, timeout: time::Duration) -> Result<Vec<i64>, InboxError> {
    let now = inbox.clock().now();
    let cutoff = rfc3339(now - timeout);
    let _one_at_a_time = inbox.pipeline_lock();
    let store = inbox.store();
    let due = store.transfers_in_status_since(status::AWAITING_ATTACHMENTS, &cutoff)?;
    let hours = timeout.whole_hours();
    store.write(|s| {
        for t in &due {
            s.set_transfer_status(
                t.id,
                &StatusChange {
                    status: status::INCOMPLETE.into(),
                    at: rfc3339(now),
                    parts_expected: t.parts_expected,
                    parts_missing: t.parts_missing,
                    failure_code: Some("25".into()),
                    failure_reason: Some(format!(
                        "Large messages rejected due to timeout duration reached of overall transfer: {} of {} attachment part(s) had not arrived after {hours} hours.",
                        t.parts_missing, t.parts_expected
                    )),
                },
            )?;
        }
        Ok(())
    })?;
    Ok(due.into_iter().map(|t| t.id).collect())
}

/// Writes again the record tables of transfers stored by an older version of the reader.
pub(crate) fn refresh_records(inbox: &Inbox) -> Result<usize, InboxError> {
    let stale = inbox
        .store()
        .transfers_with_record_before(inbox_store::RECORD_VERSION)?;
    for id in &stale {
        if let Err(e) = refresh_record(inbox, *id) {
            inbox.add_notice(format!(
                "The record of transfer {id} could not be read again from its original ({e}); it is shown as it was stored."
            ));
        }
    }
    Ok(stale.len())
}

/// Writes one transfer's record tables again from its archived messages.
fn refresh_record(inbox: &Inbox, id: i64) -> Result<(), InboxError> {
    let _one_at_a_time = inbox.pipeline_lock();
    let Some(t) = inbox.store().transfer(id)? else {
        return Ok(());
    };
    let core = inbox
        .store()
        .message(t.fields.message_id)?
        .ok_or_else(|| InboxError::NotFound(format!("the core message of transfer {id} is not recorded")))?;
    let bytes = read_archived(inbox, &core)?;
    let message = gp2gp::read(&bytes)
        .map_err(|e| InboxError::InvalidInput(format!("the original can no longer be read: {e}")))?;
    let messages = inbox.store().transfer_messages(t.id)?;
    let parts = read_parts(inbox, &messages, None)?;
    let mut state = TransferState::build(inbox, &bytes, message, &parts, &t.status_at)?;
    // Keep the status the transfer has: only the record is written again.
    state.change = StatusChange {
        status: t.fields.status.clone(),
        at: t.status_at.clone(),
        parts_expected: t.parts_expected,
        parts_missing: t.parts_missing,
        failure_code: t.failure_code.clone(),
        failure_reason: t.failure_reason.clone(),
    };
    let at = rfc3339(inbox.clock().now());
    inbox.store().write(|s| {
        state.apply(s, t.id)?;
        // Review marks name items by their place in the record, which a newer reader may change:
        // an undecided record's review starts again (a decided one's follow-ups keep their titles).
        if s.decision(t.id)?.is_none() && s.clear_review(t.id)? > 0 {
            s.append_audit(&inbox_store::NewAuditEntry {
                at: at.clone(),
                user_name: "system".into(),
                role: "system".into(),
                action: "review_reset".into(),
                transfer_id: Some(t.id),
                detail: "the record was read again by a newer version of the reader; its review starts again"
                    .into(),
            })?;
        }
        Ok(())
    })?;
    Ok(())
}
