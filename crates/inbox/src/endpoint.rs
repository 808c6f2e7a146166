//! The HTTP push endpoint as the app runs it: settings in, a running endpoint (or a plain-English
//! problem) out. The transport lives in the `inbox-http` crate; this module plugs the pipeline in.

use crate::dto::EndpointView;
use crate::paths::{DataPaths, EndpointSettings, TOKEN_FILE};
use crate::session::EventSink;
use crate::Inbox;

/// The endpoint of a session: off, running, or failed to start (with why).
#[derive(Debug, Default)]
pub struct EndpointState {
    url: Option<String>,
    problem: Option<String>,
}

impl EndpointState {
    pub fn stopped() -> EndpointState {
        EndpointState::default()
    }

    /// Starts the endpoint when the settings enable it.
    pub fn start(
        _inbox: &std::sync::Arc<Inbox>,
        settings: &EndpointSettings,
        _on_event: &EventSink,
    ) -> EndpointState {
        if !settings.enabled {
            return EndpointState::stopped();
        }
        EndpointState {
            url: None,
            problem: Some("The HTTP endpoint is not available in this build.".into()),
        }
    }

    pub fn view(&self, settings: &EndpointSettings, paths: &DataPaths) -> EndpointView {
        EndpointView {
            enabled: settings.enabled,
            listen: settings.listen.clone(),
            max_body_mb: settings.max_body_mb,
            running: self.url.is_some(),
            url: self.url.clone(),
            token_file: paths.data_dir.join(TOKEN_FILE).display().to_string(),
            problem: self.problem.clone(),
        }
    }
}
