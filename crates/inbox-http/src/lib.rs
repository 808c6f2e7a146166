//! The HTTP push endpoint: integration engines `POST /v1/messages` with a GP2GP message as the body.
//!
//! axum on tokio. The desktop app starts it (when enabled in the settings) and so does
//! `gp2gp-inbox serve`; both plug the inbox pipeline in as a [`MessageSink`], so this crate depends on
//! neither the inbox nor the store, nor on Tauri.
//!
//! A request goes through these steps, and stops at the first that refuses it:
//!
//! 1. **Token.** `Authorization: Bearer <token>`, compared in constant time, before a byte of the
//!    body is read (`401`, with `WWW-Authenticate: Bearer`).
//! 2. **Content type.** Any container the reader accepts: XML (`application/xml`, `text/xml`,
//!    `application/*+xml`), `multipart/related`, the messaging adaptor's `application/json`, or
//!    `application/octet-stream` / `text/plain` for the reader to sniff (`415` otherwise).
//! 3. **Size.** A `Content-Length` over the limit is refused at once (`413`); a body without one is
//!    counted as it arrives and refused when it passes the limit. An empty body is a `400`.
//! 4. **Spool.** The body is written to disk chunk by chunk as it arrives, never held in memory,
//!    then synced and renamed (see *spool* below). A client that goes away mid-body leaves nothing.
//! 5. **Sink.** The complete file is handed to the sink on a blocking thread; its answer becomes the
//!    response: `202` with `{id, transferId, outcome, duplicate}`, or `400`/`503`/`500`.
//!
//! Every refusal is JSON `{code, message}`: `code` is one of the closed set [`ErrorCode`], `message`
//! plain English for a person reading the engine's log. `GET /v1/health` answers without a token.
//! Nothing is logged, so nothing about a patient can leak into a log.
//!
//! [`start`] runs the endpoint on its own thread and small runtime (what the app and the CLI use);
//! [`serve`] runs it on the caller's runtime.
//!
//! The endpoint speaks plain HTTP and listens on loopback by default: the token crosses the wire in
//! clear, so anything else should sit behind a TLS-terminating proxy on the same machine.
//!
//! # Glossary
//!
//! - *integration engine*: the system that routes messages between a practice's systems and the
//!   Spine (Rhapsody, Mirth...), and posts the GP2GP messages it receives here.
//! - *spool*: the folder ([`EndpointConfig::spool_dir`]) where a body is written while it arrives,
//!   as `.incoming-<random>.part` (a temporary name the folder watcher ignores), then renamed to
//!   `http-<random>.<ext>` once complete and synced. One endpoint per spool folder: starting removes
//!   any `.incoming-*.part` left by a crash. The spool must not be the watched incoming folder.
//! - *sink*: what takes a complete, spooled message into the inbox ([`MessageSink`]): the pipeline in
//!   the app and the CLI, a double in tests. It owns the file from then on.
//! - *repeat*: the same message posted again (engines retry when unsure). The sink answers with the
//!   first one's id, `duplicate: true`, so a retry is harmless.

mod endpoint;
mod routes;
mod spool;
mod token;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;

pub use endpoint::{serve, start, EndpointHandle};
pub use routes::{ErrorBody, ErrorCode};
pub use token::{generate_token, read_token_file, MIN_TOKEN_LEN};

pub type Result<T, E = EndpointError> = std::result::Result<T, E>;

/// How the endpoint is run.
#[derive(Clone)]
pub struct EndpointConfig {
    /// Where to listen: [`EndpointConfig::DEFAULT_LISTEN`] (loopback) unless configured.
    pub listen: SocketAddr,
    /// The bearer token clients must send: at least [`MIN_TOKEN_LEN`] visible ASCII characters.
    pub token: String,
    /// The largest body accepted, in bytes.
    pub max_body_bytes: u64,
    /// The spool folder; created (owner-only) if missing.
    pub spool_dir: PathBuf,
}

impl EndpointConfig {
    /// `127.0.0.1:8787`: reachable from this machine only.
    pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8787));
    /// 512 MB.
    pub const DEFAULT_MAX_BODY_BYTES: u64 = 512 * 1024 * 1024;

    /// The defaults, with the token and spool folder that have none.
    pub fn new(token: impl Into<String>, spool_dir: impl Into<PathBuf>) -> EndpointConfig {
        EndpointConfig {
            listen: Self::DEFAULT_LISTEN,
            token: token.into(),
            max_body_bytes: Self::DEFAULT_MAX_BODY_BYTES,
            spool_dir: spool_dir.into(),
        }
    }
}

/// Never shows the token.
impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("listen", &self.listen)
            .field("token", &"<redacted>")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("spool_dir", &self.spool_dir)
            .finish()
    }
}

/// A posted body, complete on disk, for the sink.
#[derive(Debug)]
pub struct PostedMessage {
    /// The spooled file, complete and synced. The sink owns it: it moves or deletes it.
    pub path: PathBuf,
    /// The request's `Content-Type`, as sent.
    pub content_type: String,
    /// The length of the file at `path`: the body, plus for `multipart/related` the
    /// `Content-Type` line written in front of it (the reader finds the MIME boundary there).
    pub size_bytes: u64,
    /// A file name for the message, `http-<random>.<ext>` with the extension from the content type
    /// (`xml`, `mime`, `json`, `txt`, `bin`); the file at `path` already has it.
    pub suggested_name: String,
}

/// What the sink made of a message: the `202` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The message's id. A repeat of the same message gets the first one's id.
    pub id: i64,
    /// The patient record transfer the message is, or belongs to, when known.
    pub transfer_id: Option<i64>,
    /// What happened, in the sink's words: `stored`, `duplicate`, `awaiting_attachments`...
    pub outcome: String,
    /// Whether this was a repeat of a message already taken in.
    pub duplicate: bool,
}

/// Why the sink did not take a message. The text is sent to the client: plain English, and never
/// anything from the record.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Not a message the reader can read (`400`, `unreadable_message`).
    #[error("{0}")]
    Unreadable(String),
    /// The inbox cannot take messages now, e.g. its storage is unavailable: try later (`503`).
    #[error("{0}")]
    Unavailable(String),
    /// Anything else (`500`).
    #[error("{0}")]
    Internal(String),
}

/// Takes complete messages into the inbox.
///
/// Also implemented by any `Fn(PostedMessage) -> Result<Accepted, SinkError>`.
pub trait MessageSink: Send + Sync + 'static {
    /// Called on a blocking thread (`tokio::task::spawn_blocking`) once the body is completely on
    /// disk, possibly for several messages at once. Takes ownership of the file at `message.path`
    /// (moves or deletes it, also when it fails). Need not be cheap: the client waits for it.
    fn accept(&self, message: PostedMessage) -> Result<Accepted, SinkError>;
}

impl<F> MessageSink for F
where
    F: Fn(PostedMessage) -> Result<Accepted, SinkError> + Send + Sync + 'static,
{
    fn accept(&self, message: PostedMessage) -> Result<Accepted, SinkError> {
        self(message)
    }
}

/// Why the endpoint could not start, or a token could not be had.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("the HTTP endpoint could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("the HTTP endpoint's spool folder {path} could not be prepared: {source}")]
    Spool { path: PathBuf, source: io::Error },
    #[error("the token file {path} could not be read: {source}")]
    TokenFile { path: PathBuf, source: io::Error },
    /// The token is empty, too short or unsendable; the text says which and where it came from.
    #[error("{0}")]
    Token(String),
    #[error("the HTTP endpoint could not start: {0}")]
    Runtime(io::Error),
}
