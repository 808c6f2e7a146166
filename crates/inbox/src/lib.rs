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
//! - *DTO*: the serialisable shapes in [`dto`] sent to the UI; TypeScript is generated from them.

pub mod arrivals;
pub mod clock;
pub mod dto;
mod error;
mod ingest;
pub mod nhs_number;
pub mod paths;
pub mod samples;
pub mod session;
pub mod watch;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use inbox_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, ErrorCode, InboxError};
pub use ingest::{IngestOutcome, Origin};
pub use paths::{DataPaths, Settings};

/// The inbox: one database, one set of folders, one clock.
pub struct Inbox {
    store: Mutex<Store>,
    paths: DataPaths,
    clock: Arc<dyn Clock>,
    live: Mutex<Live>,
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
    /// Opens the inbox in `paths`, creating its folders and database as needed.
    pub fn open(paths: DataPaths, clock: Arc<dyn Clock>) -> Result<Inbox, InboxError> {
        paths.create_private_dirs()?;
        let store = Store::open(&paths.database)?;
        Ok(Inbox {
            store: Mutex::new(store),
            paths,
            clock,
            live: Mutex::default(),
        })
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
        })
    }

    /// Every transfer, newest arrival first.
    pub fn transfers(&self) -> Result<Vec<dto::TransferRow>, InboxError> {
        let rows = self.store().list_transfers()?;
        Ok(rows.into_iter().map(dto::TransferRow::from).collect())
    }

    /// Every quarantined file, most recent first.
    pub fn quarantine(&self) -> Result<Vec<dto::QuarantineRow>, InboxError> {
        let rows = self.store().list_quarantined()?;
        Ok(rows.into_iter().map(dto::QuarantineRow::from).collect())
    }

    pub fn count_transfers(&self) -> Result<u64, InboxError> {
        Ok(self.store().count_transfers()?)
    }

    /// Reads one file and files it: stored, duplicate, or quarantined with a reason.
    /// The file moves out of `path` (to the archive or the quarantine); if it cannot be read it stays.
    pub fn ingest_file(&self, path: &Path) -> Result<IngestOutcome, InboxError> {
        ingest::ingest_file(self, path, ingest::Source::Consume)
    }

    /// Like [`Inbox::ingest_file`] but leaves the file where it is (command-line imports).
    pub fn import_file(&self, path: &Path) -> Result<IngestOutcome, InboxError> {
        ingest::ingest_file(self, path, ingest::Source::Keep)
    }

    /// The original bytes of a stored transfer, exactly as they arrived.
    pub fn original(&self, transfer_id: i64) -> Result<Vec<u8>, InboxError> {
        let transfer = self
            .store()
            .transfer(transfer_id)?
            .ok_or_else(|| InboxError::NotFound(format!("There is no transfer {transfer_id}.")))?;
        let path = self.paths.archive.join(&transfer.fields.archive_name);
        std::fs::read(&path)
            .map_err(|e| InboxError::io(format!("Could not read the original {}", path.display()), e))
    }
}
