//! GP2GP Inbox use-cases, over the `gp2gp` reader and the `inbox-store` database.
//!
//! The desktop shell and the `gp2gp-inbox` command line both call [`Inbox`]; neither holds logic of
//! its own. Time comes from an injected [`Clock`], folders from [`DataPaths`], so every use-case runs
//! in tests on a temporary directory with a fixed clock.
//!
//! Glossary:
//! - *incoming folder*: where GP2GP messages arrive as files (watched by [`watch::FolderWatcher`]).
//! - *archive*: originals kept byte-for-byte, named by their SHA-256 (GP2GP S63).
//! - *quarantine*: files that could not be read, kept with a `<name>.reason.txt`.
//! - *claim*: a file taken into `processing/` by the [`pipeline`], under a name never reused.
//! - *transfer*: one patient record (EhrExtract) with its large-message parts, acks and requests.
//! - *DTO*: the serialisable shapes in [`dto`] sent to the UI; TypeScript is generated from them.

pub mod arrivals;
pub mod clock;
pub mod decision;
pub mod dto;
pub mod endpoint;
mod error;
mod files;
mod lock;
pub mod nhs_number;
pub mod paths;
pub mod pipeline;
pub mod registrations;
pub mod review;
pub mod samples;
pub mod session;
pub mod training;
pub mod users;
pub mod watch;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use inbox_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, ErrorCode, InboxError};
pub use paths::{DataPaths, Settings};
pub use pipeline::{IngestOutcome, Source};
pub use users::{Action, Actor};

/// How the pipeline behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineOptions {
    /// How long a record waits for its large-message parts before it is incomplete (code 25).
    pub attachment_timeout: time::Duration,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            attachment_timeout: time::Duration::hours(24),
        }
    }
}

/// The inbox: one database, one set of folders, one clock.
pub struct Inbox {
    store: Mutex<Store>,
    paths: DataPaths,
    clock: Arc<dyn Clock>,
    options: PipelineOptions,
    live: Mutex<Live>,
    /// Files are filed one at a time: duplicate checks and conversation assembly see every
    /// earlier file.
    pipeline: Mutex<()>,
    /// This process's hold on the data folder; `None` when another process has it.
    lock: Option<lock::DirLock>,
    /// Locked while a file is filed (see [`Inbox::pipeline_lock`]).
    filing: Option<std::fs::File>,
    /// Administrators may decide before every review section is seen (a setting).
    relax_review: std::sync::atomic::AtomicBool,
}

/// What the watcher reports, kept for whoever asks next.
#[derive(Debug, Default)]
struct Live {
    watch: Option<dto::WatchStatus>,
    notices: VecDeque<dto::Notice>,
}

/// How many passing notices are kept.
const MAX_NOTICES: usize = 50;

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// Opens the inbox in `paths` with default options; see [`Inbox::open_with`].
    pub fn open(paths: DataPaths, clock: Arc<dyn Clock>) -> Result<Inbox, InboxError> {
        Self::open_with(paths, clock, PipelineOptions::default())
    }

    /// Opens the inbox in `paths`, creating its folders and database as needed, then finishes
    /// whatever an earlier run left half-done: files still in `processing/` or the endpoint's
    /// spool, records written by an older reader, transfers whose parts are overdue.
    pub fn open_with(
        paths: DataPaths,
        clock: Arc<dyn Clock>,
        options: PipelineOptions,
    ) -> Result<Inbox, InboxError> {
        paths.create_private_dirs()?;
        let store = Store::open(&paths.database)?;
        let lock = lock::DirLock::acquire(&paths.storage_dir);
        let filing = lock::filing_file(&paths.storage_dir);
        let inbox = Inbox {
            store: Mutex::new(store),
            paths,
            clock,
            options,
            live: Mutex::default(),
            pipeline: Mutex::new(()),
            lock,
            filing,
            relax_review: std::sync::atomic::AtomicBool::new(false),
        };
        if inbox.lock.is_some() {
            decision::finish_pending(&inbox, true)?;
            pipeline::recover(&inbox)?;
            pipeline::refresh_records(&inbox)?;
            inbox.expire_awaiting()?;
            decision::answer_unanswered_duplicates(&inbox)?;
        } else {
            inbox.add_notice(format!(
                "Another GP2GP Inbox is using the records folder {}; files it was in the middle of filing are left to it.",
                inbox.paths.storage_dir.display()
            ));
        }
        Ok(inbox)
    }

    /// Whether administrators may decide before every review section is seen.
    pub fn relax_review(&self) -> bool {
        self.relax_review.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn set_relax_review(&self, relax: bool) {
        self.relax_review
            .store(relax, std::sync::atomic::Ordering::Relaxed);
    }

    /// False when another process holds this data folder and so does its crash recovery.
    pub fn holds_data_folder(&self) -> bool {
        self.lock.is_some()
    }

    pub fn options(&self) -> PipelineOptions {
        self.options
    }

    /// One file at a time: within this process (a mutex) and across processes filing into the
    /// same records folder, such as the command line while the app runs (an OS lock on
    /// `filing.lock`, released when the guard goes).
    pub(crate) fn pipeline_lock(&self) -> lock::FilingGuard<'_> {
        let mutex = self.pipeline.lock().unwrap_or_else(|p| p.into_inner());
        lock::FilingGuard::new(mutex, self.filing.as_ref())
    }

    pub fn paths(&self) -> &DataPaths {
        &self.paths
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll back),
        // so a poisoned lock is still safe to use.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn live(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The watched folder's state, once a watcher has reported.
    pub fn watch_status(&self) -> Option<dto::WatchStatus> {
        self.live().watch.clone()
    }

    pub(crate) fn set_watch_status(&self, status: dto::WatchStatus) {
        self.live().watch = Some(status);
    }

    pub(crate) fn add_notice(&self, message: String) -> dto::Notice {
        let notice = dto::Notice {
            at: clock::rfc3339(self.clock.now()),
            message,
        };
        let mut live = self.live();
        if live.notices.len() == MAX_NOTICES {
            live.notices.pop_back();
        }
        live.notices.push_front(notice.clone());
        notice
    }

    /// Everything the inbox screen shows.
    pub fn snapshot(&self) -> Result<dto::InboxSnapshot, InboxError> {
        let (watch, notices) = {
            let live = self.live();
            (live.watch.clone(), live.notices.iter().cloned().collect())
        };
        Ok(dto::InboxSnapshot {
            transfers: self.transfers()?,
            quarantine: self.quarantine()?,
            watch: watch.unwrap_or_else(|| dto::WatchStatus {
                incoming_dir: self.paths.incoming.display().to_string(),
                incoming_source: self.paths.incoming_source,
                watching: false,
                problem: None,
            }),
            notices,
            data_dir: self.paths.data_dir.display().to_string(),
            training: false,
        })
    }

    /// Every transfer, newest arrival first.
    pub fn transfers(&self) -> Result<Vec<dto::TransferRow>, InboxError> {
        let store = self.store();
        let rows = store.list_transfers()?;
        rows.into_iter().map(|t| with_patient(&store, t)).collect()
    }

    /// Every quarantined file, most recent first.
    pub fn quarantine(&self) -> Result<Vec<dto::QuarantineRow>, InboxError> {
        let rows = self.store().list_quarantined()?;
        Ok(rows.into_iter().map(dto::QuarantineRow::from).collect())
    }

    pub fn count_transfers(&self) -> Result<u64, InboxError> {
        Ok(self.store().count_transfers()?)
    }

    /// Files one file from the watched folder: stored, awaiting attachments, duplicate, or
    /// quarantined with a reason. The file moves out of `path`; if it cannot be read it stays.
    pub fn ingest_file(&self, path: &Path) -> Result<IngestOutcome, InboxError> {
        pipeline::ingest_file(self, path, Source::Folder)
    }

    /// Files a file from `source`. A [`Source::CommandLine`] file is left where it is.
    pub fn ingest_from(&self, path: &Path, source: Source) -> Result<IngestOutcome, InboxError> {
        pipeline::ingest_file(self, path, source)
    }

    /// Like [`Inbox::ingest_file`] but leaves the file where it is (command-line imports).
    pub fn import_file(&self, path: &Path) -> Result<IngestOutcome, InboxError> {
        pipeline::ingest_file(self, path, Source::CommandLine)
    }

    /// Transfers that waited longer than the attachment timeout for their large-message parts
    /// become incomplete (response code 25). Returns their ids.
    pub fn expire_awaiting(&self) -> Result<Vec<i64>, InboxError> {
        pipeline::expire_awaiting(self, self.options.attachment_timeout)
    }

    /// What the screen should hear about a file just filed: the transfer stored or changed, the
    /// quarantine entry, or the duplicate (with a notice saying what it repeats).
    pub fn announce(&self, outcome: &IngestOutcome, file_name: &str) -> Vec<dto::InboxEvent> {
        use dto::InboxEvent;
        match outcome {
            IngestOutcome::Stored { .. } | IngestOutcome::Awaiting { .. } => outcome
                .transfer_id()
                .and_then(|id| self.transfer(id).ok())
                .map(|t| InboxEvent::TransferStored {
                    transfer: Box::new(t),
                })
                .into_iter()
                .collect(),
            IngestOutcome::Duplicate {
                transfer_id, reason, ..
            } => {
                let notice = self.add_notice(format!(
                    "\"{file_name}\" repeats a message already in the inbox ({reason}), so it was not filed again."
                ));
                vec![
                    InboxEvent::Notice { notice },
                    InboxEvent::Duplicate {
                        transfer_id: *transfer_id,
                        file_name: file_name.to_owned(),
                    },
                ]
            }
            IngestOutcome::Quarantined { quarantine_id, .. } => self
                .store()
                .quarantined(*quarantine_id)
                .ok()
                .flatten()
                .map(|q| InboxEvent::Quarantined { entry: q.into() })
                .into_iter()
                .collect(),
        }
    }

    /// Files again what waits in `processing/` because filing it failed (a busy database, a full
    /// disk...); only the process that holds the records folder does. Returns (file name, outcome).
    pub fn retry_held(&self) -> Result<Vec<(String, IngestOutcome)>, InboxError> {
        if self.lock.is_none() {
            return Ok(Vec::new());
        }
        // Acknowledgements whose decision committed but which could not be put in the outbox.
        decision::finish_pending(self, false)?;
        pipeline::retry_claims(self, false)
    }

    /// One transfer as the inbox lists it.
    pub fn transfer(&self, transfer_id: i64) -> Result<dto::TransferRow, InboxError> {
        let store = self.store();
        let t = store
            .transfer(transfer_id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no transfer {transfer_id}.")))?;
        with_patient(&store, t)
    }

    /// How many input files ended each way (stored, duplicate, awaiting, quarantined).
    pub fn arrival_outcomes(&self) -> Result<Vec<(String, u64)>, InboxError> {
        Ok(self.store().arrival_outcomes()?)
    }

    /// The original bytes of a stored transfer's record, exactly as they arrived (GP2GP S63).
    pub fn original(&self, transfer_id: i64) -> Result<Vec<u8>, InboxError> {
        let path = self.original_path(transfer_id)?.0;
        std::fs::read(&path)
            .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))
    }

    /// The original of a transfer's record as text for the screen, at most `max_bytes` of it.
    pub fn original_view(&self, transfer_id: i64, max_bytes: usize) -> Result<dto::OriginalView, InboxError> {
        use std::io::Read;
        let (path, file_name) = self.original_path(transfer_id)?;
        let file = std::fs::File::open(&path)
            .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))?;
        let size_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut head = Vec::with_capacity(max_bytes.min(1 << 20));
        file.take(max_bytes as u64)
            .read_to_end(&mut head)
            .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))?;
        Ok(dto::OriginalView {
            transfer_id,
            file_name,
            size_bytes,
            sha256: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            shown_bytes: head.len() as u64,
            truncated: (head.len() as u64) < size_bytes,
            text: String::from_utf8_lossy(&head).into_owned(),
        })
    }

    /// Where the original of a transfer's record is kept, and the name it arrived with.
    fn original_path(&self, transfer_id: i64) -> Result<(std::path::PathBuf, String), InboxError> {
        let store = self.store();
        let transfer = store
            .transfer(transfer_id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no transfer {transfer_id}.")))?;
        let message = store.message(transfer.fields.message_id)?.ok_or_else(|| {
            InboxError::NotFound(format!("The original of transfer {transfer_id} is not recorded."))
        })?;
        Ok((
            self.paths.archive.join(&message.fields.archive_name),
            message.fields.file_name,
        ))
    }

    /// Copies the original of a transfer's record, byte for byte, into `dir` under the name it
    /// arrived with (`name (2).xml` if taken). Returns the path written.
    pub fn export_original(&self, transfer_id: i64, dir: &Path) -> Result<std::path::PathBuf, InboxError> {
        let (from, name) = self.original_path(transfer_id)?;
        std::fs::create_dir_all(dir)
            .map_err(|e| InboxError::io(format!("Could not create the folder {}", dir.display()), e))?;
        let target = dir.join(files::free_name(dir, &name));
        let mut source = std::fs::File::open(&from)
            .map_err(|e| InboxError::io(format!("Could not read the original {}", from.display()), e))?;
        files::write_stream_atomically(&target, &mut source)?;
        Ok(target)
    }

    /// Imports the practice's registrations from a CSV export or the generator's
    /// `registrations.json`; rows that fail their checks are reported and skipped.
    pub fn import_registrations(&self, path: &Path) -> Result<registrations::ImportReport, InboxError> {
        registrations::import(self, path)
    }

    /// Appends an entry to the audit trail (hash-chained, append-only), stamped with the clock.
    pub fn record_audit(
        &self,
        user_name: &str,
        role: &str,
        action: &str,
        transfer_id: Option<i64>,
        detail: &str,
    ) -> Result<inbox_store::AuditEntry, InboxError> {
        Ok(self.store().append_audit(&inbox_store::NewAuditEntry {
            at: clock::rfc3339(self.clock.now()),
            user_name: user_name.to_owned(),
            role: role.to_owned(),
            action: action.to_owned(),
            transfer_id,
            detail: detail.to_owned(),
        })?)
    }

    /// Audit entries, newest first, optionally about one transfer.
    pub fn audit_entries(
        &self,
        transfer_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<inbox_store::AuditEntry>, InboxError> {
        Ok(self.store().audit_entries(transfer_id, limit)?)
    }

    /// Audit entries for the Audit screen, newest first, narrowed by transfer, user and action.
    pub fn audit_list(&self, q: &dto::AuditQuery) -> Result<Vec<dto::AuditEntryView>, InboxError> {
        let limit = q.limit.unwrap_or(500).clamp(1, 10_000);
        let user = q.user_name.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let action = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
        Ok(self
            .store()
            .audit_search(q.transfer_id, user, action, limit)?
            .into_iter()
            .map(dto::AuditEntryView::from)
            .collect())
    }

    /// The audit chain checked end to end, in words.
    pub fn audit_check(&self) -> Result<dto::AuditCheck, InboxError> {
        let v = self.verify_audit()?;
        Ok(dto::AuditCheck {
            ok: v.broken.is_none(),
            entries: v.entries,
            problem: v.broken.map(|(id, why)| format!("Entry {id}: {why}")),
        })
    }

    /// Checks the whole audit chain: an edited, removed or inserted entry is reported.
    pub fn verify_audit(&self) -> Result<inbox_store::AuditVerdict, InboxError> {
        Ok(self.store().verify_audit()?)
    }

    /// SQLite's `PRAGMA integrity_check`: `ok` when the database is sound.
    pub fn integrity_check(&self) -> Result<String, InboxError> {
        Ok(self.store().integrity_check()?)
    }
}

/// A transfer as the inbox lists it, with the registration its NHS number matches.
fn with_patient(store: &Store, t: inbox_store::Transfer) -> Result<dto::TransferRow, InboxError> {
    let patient = registrations::of_transfer(store, &t)?.map(dto::PatientView::from);
    Ok(dto::TransferRow {
        patient,
        ..dto::TransferRow::from(t)
    })
}
