//! The GP2GP Inbox local store.
//!
//! SQLite through rusqlite (bundled), WAL journal, foreign keys on. The schema is owned here: ordered
//! `.sql` migrations embedded in the binary and applied in one transaction when the store opens
//! ([`migrate`]). One module per table; each query has a test on a temporary database.
//!
//! Glossary:
//! - *transfer*: one GP2GP message that arrived and was read (an EhrExtract, an ack, a request...).
//! - *quarantine*: files that could not be read, kept aside with a reason, never deleted.

mod migrate;
pub mod quarantine;
pub mod transfers;

use std::path::Path;

use rusqlite::Connection;

pub use quarantine::{NewQuarantined, Quarantined};
pub use transfers::{NewTransfer, Transfer};

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
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::apply(&mut conn)?;
        Ok(Store { conn })
    }

    pub fn schema_version(&self) -> Result<i64> {
        migrate::version(&self.conn)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
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
