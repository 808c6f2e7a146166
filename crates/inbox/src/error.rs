//! Errors: [`InboxError`] inside the core, [`ApiError`] (`{code, message}`) at the boundary.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error(transparent)]
    Store(#[from] inbox_store::StoreError),
    #[error("{message}: {source}")]
    Io { message: String, source: std::io::Error },
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    /// Nobody is signed in, or the session locked after being idle.
    #[error("{0}")]
    NotSignedIn(String),
    /// The signed-in user's roles do not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The state changed: already decided, or not decidable yet.
    #[error("{0}")]
    Conflict(String),
}

impl InboxError {
    pub(crate) fn io(message: impl Into<String>, source: std::io::Error) -> Self {
        InboxError::Io {
            message: message.into(),
            source,
        }
    }
}

/// The closed set of error codes the UI may branch on. The UI never parses `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The thing asked for does not exist.
    NotFound,
    /// Sign in first (nobody is signed in, or the screen locked after being idle).
    NotSignedIn,
    /// The signed-in user's role may not do this.
    Forbidden,
    /// Not possible in the record's current state (already decided, sections not reviewed...).
    Conflict,
    /// The request was refused: a value is missing or malformed.
    InvalidInput,
    /// The database failed.
    Storage,
    /// A file or folder could not be read or written.
    Io,
    /// Anything else: a bug.
    Internal,
}

/// The one error shape that crosses the IPC boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Plain English, for people.
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl From<InboxError> for ApiError {
    fn from(e: InboxError) -> Self {
        let code = match &e {
            InboxError::Store(_) => ErrorCode::Storage,
            InboxError::Io { .. } => ErrorCode::Io,
            InboxError::InvalidInput(_) => ErrorCode::InvalidInput,
            InboxError::NotFound(_) => ErrorCode::NotFound,
            InboxError::NotSignedIn(_) => ErrorCode::NotSignedIn,
            InboxError::Forbidden(_) => ErrorCode::Forbidden,
            InboxError::Conflict(_) => ErrorCode::Conflict,
        };
        ApiError {
            code,
            message: e.to_string(),
        }
    }
}
