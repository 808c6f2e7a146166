//! The HTTP push endpoint as the app runs it: settings in, a running endpoint (or a plain-English
//! problem) out. The transport lives in the `inbox-http` crate; this module plugs the pipeline in
//! as its [`MessageSink`]: a posted body is filed exactly like a file from the watched folder.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use inbox_http::{Accepted, EndpointConfig, EndpointHandle, MessageSink, PostedMessage, SinkError};

use crate::dto::EndpointView;
use crate::paths::{DataPaths, EndpointSettings, TOKEN_FILE};
use crate::session::EventSink;
use crate::{Inbox, InboxError, IngestOutcome, Source};

/// The pipeline as the endpoint's sink.
struct PipelineSink {
    inbox: Arc<Inbox>,
    on_event: EventSink,
}

impl MessageSink for PipelineSink {
    fn accept(&self, message: PostedMessage) -> Result<Accepted, SinkError> {
        let name = crate::pipeline::file_name_of(&message.path);
        let outcome = self
            .inbox
            .ingest_from(&message.path, Source::Endpoint)
            .map_err(|e| match e {
                InboxError::Store(_) | InboxError::Io { .. } => SinkError::Unavailable(format!(
                    "The inbox cannot file messages just now ({e}). The message is kept and will be filed; you may also send it again."
                )),
                other => SinkError::Internal(other.to_string()),
            })?;
        for event in self.inbox.announce(&outcome, &name) {
            (self.on_event)(event);
        }
        accepted(outcome)
    }
}

/// The endpoint's answer for what the pipeline did.
pub fn accepted(outcome: IngestOutcome) -> Result<Accepted, SinkError> {
    if let IngestOutcome::Quarantined { reason, .. } = &outcome {
        return Err(SinkError::Unreadable(format!(
            "{}. The message is kept in the practice's quarantine.",
            reason.trim_end_matches('.')
        )));
    }
    Ok(Accepted {
        id: outcome.message_id().unwrap_or_default(),
        transfer_id: outcome.transfer_id(),
        outcome: outcome.code().to_owned(),
        duplicate: matches!(outcome, IngestOutcome::Duplicate { .. }),
    })
}

/// The token in `file`, created (random, owner-only) if the file does not exist yet.
pub fn token(file: &Path) -> Result<String, InboxError> {
    if !file.exists() {
        crate::files::write_atomically(file, format!("{}\n", inbox_http::generate_token()).as_bytes())?;
    }
    inbox_http::read_token_file(file).map_err(|e| InboxError::InvalidInput(e.to_string()))
}

/// Starts the endpoint for `inbox`: loads (or creates) the token, binds `listen`.
pub fn start(
    inbox: &Arc<Inbox>,
    listen: SocketAddr,
    token: String,
    max_body_bytes: u64,
    on_event: EventSink,
) -> Result<EndpointHandle, InboxError> {
    let config = EndpointConfig {
        listen,
        token,
        max_body_bytes,
        spool_dir: inbox.paths().spool.clone(),
    };
    let sink = Arc::new(PipelineSink {
        inbox: inbox.clone(),
        on_event,
    });
    inbox_http::start(config, sink).map_err(|e| InboxError::InvalidInput(e.to_string()))
}

/// The endpoint of a session: off, running, or failed to start (with why).
#[derive(Debug, Default)]
pub struct EndpointState {
    handle: Option<EndpointHandle>,
    problem: Option<String>,
}

impl EndpointState {
    pub fn stopped() -> EndpointState {
        EndpointState::default()
    }

    /// Starts the endpoint when the settings enable it; a failure becomes the state's problem.
    pub fn start(inbox: &Arc<Inbox>, settings: &EndpointSettings, on_event: &EventSink) -> EndpointState {
        if !settings.enabled {
            return EndpointState::stopped();
        }
        let started = settings
            .listen
            .trim()
            .parse::<SocketAddr>()
            .map_err(|_| {
                InboxError::InvalidInput(format!("\"{}\" is not an address and port.", settings.listen))
            })
            .and_then(|listen| {
                let token = token(&inbox.paths().data_dir.join(TOKEN_FILE))?;
                let max = u64::from(settings.max_body_mb.max(1)) * 1024 * 1024;
                start(inbox, listen, token, max, on_event.clone())
            });
        match started {
            Ok(handle) => EndpointState {
                handle: Some(handle),
                problem: None,
            },
            Err(e) => EndpointState {
                handle: None,
                problem: Some(format!(
                    "The HTTP endpoint could not start: {e}. Integration engines cannot send messages until this is fixed."
                )),
            },
        }
    }

    pub fn view(&self, settings: &EndpointSettings, paths: &DataPaths) -> EndpointView {
        EndpointView {
            enabled: settings.enabled,
            listen: settings.listen.clone(),
            max_body_mb: settings.max_body_mb,
            running: self.handle.is_some(),
            url: self
                .handle
                .as_ref()
                .map(|h| format!("http://{}/v1/messages", h.local_addr())),
            token_file: paths.data_dir.join(TOKEN_FILE).display().to_string(),
            problem: self.problem.clone(),
        }
    }
}
