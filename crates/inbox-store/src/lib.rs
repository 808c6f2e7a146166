//! The GP2GP Inbox local store.
//!
//! SQLite through rusqlite (bundled), WAL journal, foreign keys on. The schema is owned here: ordered
//! `.sql` migrations embedded in the binary and applied in one transaction when the store opens
//! ([`migrate`]). One module per table; each query has a test on a temporary database.
//!
//! Glossary:
//! - *transfer*: one GP2GP message that arrived and was read (an EhrExtract, an ack, a request...).
//! - *arrival*: one input file, whatever became of it (stored, duplicate, awaiting, quarantined).
//! - *message*: one GP2GP message kept (extract, request, acknowledgement, large-message part),
//!   grouped by its ebXML conversation id.
//! - *transfer*: one patient record (an EhrExtract) and where it stands.
//! - *record*: the transfer's parsed content, in queryable tables ([`record`]).
//! - *quarantine*: files that could not be read, kept aside with a reason, never deleted.
//! - *audit trail*: append-only, hash-chained entries of who did what ([`audit`]).

pub mod arrivals;
pub mod attachments;
pub mod audit;
pub mod diagnostics;
pub mod messages;
mod migrate;
pub mod quarantine;
pub mod reading;
pub mod record;
pub mod registrations;
pub mod review;
pub mod times;
pub mod transfers;
pub mod users;

use std::path::Path;

use rusqlite::Connection;

pub use arrivals::{Arrival, NewArrival};
pub use attachments::{Attachment, NewAttachment};
pub use audit::{AuditEntry, AuditVerdict, NewAuditEntry};
pub use diagnostics::StoredDiagnostic;
pub use messages::{conversation_key, NewMessage, StoredMessage};
pub use quarantine::{NewQuarantined, Quarantined};
pub use record::RECORD_VERSION;
pub use registrations::Registration;
pub use transfers::{NewTransfer, RecordCounts, StatusChange, Transfer};
pub use users::{NewUser, User};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the inbox database could not be opened at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("the inbox database was written by a newer version of GP2GP Inbox (schema {found}, this version knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("could not set permissions on {path}: {source}")]
    Permissions { path: String, source: std::io::Error },
}

/// An open inbox database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, owner-only (0600), and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        restrict_permissions(path)?;
        Self::setup(conn)
    }

    /// An in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        // First, so that switching to WAL and migrating wait for another process holding the lock
        // (the app and the command line share the database) instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // SQLite does not wait (it cannot, without risking deadlock) when two connections open a
        // new database at the same moment and both want to set it up: try again for a while.
        let mut attempt = 0;
        loop {
            match Self::prepare(&mut conn) {
                Err(StoreError::Sql(e)) if is_busy(&e) && attempt < 50 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt.min(10)));
                }
                other => return other.map(|()| Store { conn }),
            }
        }
    }

    fn prepare(conn: &mut Connection) -> Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate::apply(conn)
    }

    pub fn schema_version(&self) -> Result<i64> {
        migrate::version(&self.conn)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one transaction (`BEGIN IMMEDIATE`): all of its writes land, or none do. Inside
    /// another `write`, `f` simply joins the outer transaction.
    pub fn write<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)?;
        let value = f(self)?;
        tx.commit()?;
        Ok(value)
    }

    /// `PRAGMA integrity_check`: `ok`, or SQLite's list of problems.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let lines: Vec<String> = lines.collect::<rusqlite::Result<_>>()?;
        Ok(lines.join("\n"))
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
        StoreError::Permissions {
            path: path.display().to_string(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}
