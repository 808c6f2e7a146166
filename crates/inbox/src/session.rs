//! A running inbox as the desktop app sees it: the inbox, its folder watcher, and settings that can
//! change while it runs (changing the watched folder restarts the watcher).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dto::{InboxEvent, SettingsUpdate, SettingsView};
use crate::paths::{DataPaths, Settings};
use crate::watch::{FolderWatcher, WatchOptions};
use crate::{samples, Clock, Inbox, InboxError};

/// Where a session's events go.
pub type EventSink = Arc<dyn Fn(InboxEvent) + Send + Sync>;

/// How to start a session.
#[derive(Clone)]
pub struct SessionConfig {
    pub data_dir: PathBuf,
    /// The `GP2GP_INBOX_DIR` override, if set.
    pub env_incoming: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    pub watch: WatchOptions,
    /// Load the built-in sample records on a first run with nothing configured.
    pub samples_on_first_run: bool,
}

pub struct Session {
    config: SessionConfig,
    on_event: EventSink,
    running: Mutex<Running>,
}

struct Running {
    inbox: Arc<Inbox>,
    // Dropped (stopped) before a new one starts.
    watcher: Option<FolderWatcher>,
    endpoint: crate::endpoint::EndpointState,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("data_dir", &self.config.data_dir)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn start(
        config: SessionConfig,
        on_event: impl Fn(InboxEvent) + Send + Sync + 'static,
    ) -> Result<Session, InboxError> {
        let on_event: EventSink = Arc::new(on_event);
        let settings_file = DataPaths::resolve(&config.data_dir, None, &Settings::default()).settings_file;
        let settings = Settings::load(&settings_file)?;
        let nothing_configured = config.env_incoming.is_none() && settings.incoming_dir.is_none();
        let paths = DataPaths::resolve(&config.data_dir, config.env_incoming.clone(), &settings);
        let first_run = !paths.database.exists();
        let inbox = Arc::new(Inbox::open_with(
            paths,
            config.clock.clone(),
            pipeline_options(&settings),
        )?);
        if config.samples_on_first_run && first_run && nothing_configured {
            crate::paths::create_private_dir(&inbox.paths().incoming)?;
            samples::place_in(&inbox.paths().incoming)?;
        }
        let watcher = Some(start_watcher(&inbox, &config, &on_event));
        let endpoint = crate::endpoint::EndpointState::start(&inbox, &settings.endpoint, &on_event);
        Ok(Session {
            config,
            on_event,
            running: Mutex::new(Running {
                inbox,
                watcher,
                endpoint,
            }),
        })
    }

    fn running(&self) -> MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn inbox(&self) -> Arc<Inbox> {
        self.running().inbox.clone()
    }

    pub fn settings(&self) -> Result<SettingsView, InboxError> {
        let inbox = self.inbox();
        let settings = Settings::load(&inbox.paths().settings_file)?;
        let running = self.running();
        Ok(view(&settings, inbox.paths(), &running.endpoint))
    }

    /// Copies the original of a transfer's record into the user's Downloads folder (else
    /// `exports/` in the data folder). Returns where it went.
    pub fn export_original(&self, transfer_id: i64) -> Result<String, InboxError> {
        let inbox = self.inbox();
        let downloads = std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join("Downloads"))
            .filter(|d| d.is_dir());
        let dir = downloads.unwrap_or_else(|| inbox.paths().data_dir.join("exports"));
        Ok(inbox.export_original(transfer_id, &dir)?.display().to_string())
    }

    /// Saves the settings and, if the watched folder changed, watches the new one.
    pub fn update_settings(&self, update: SettingsUpdate) -> Result<SettingsView, InboxError> {
        let incoming_dir = update
            .incoming_dir
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(dir) = &incoming_dir {
            if !PathBuf::from(dir).is_absolute() {
                return Err(InboxError::InvalidInput(format!(
                    "The incoming folder must be a full path (such as /srv/gp2gp/incoming), not \"{dir}\"."
                )));
            }
            let current = self.inbox();
            let own = current.paths();
            let dir = PathBuf::from(dir);
            let taken = [
                &own.data_dir,
                &own.storage_dir,
                &own.archive,
                &own.quarantine,
                &own.processing,
                &own.spool,
                &own.attachments,
            ];
            if taken.iter().any(|p| **p == dir) {
                return Err(InboxError::InvalidInput(format!(
                    "{} is one of GP2GP Inbox's own folders; choose a separate folder for incoming messages.",
                    dir.display()
                )));
            }
        }
        let storage_dir = update
            .storage_dir
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(dir) = &storage_dir {
            if !PathBuf::from(dir).is_absolute() {
                return Err(InboxError::InvalidInput(format!(
                    "The records folder must be a full path (such as /srv/gp2gp/records), not \"{dir}\"."
                )));
            }
            if incoming_dir.as_deref() == Some(dir.as_str()) {
                return Err(InboxError::InvalidInput(
                    "The records folder and the incoming folder must be different folders.".into(),
                ));
            }
        }
        let listen = update.endpoint_listen.trim().to_owned();
        if listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(InboxError::InvalidInput(format!(
                "The endpoint address must be an IP address and port, such as {}, not \"{listen}\".",
                crate::paths::DEFAULT_LISTEN
            )));
        }
        if !(1..=4096).contains(&update.endpoint_max_body_mb) {
            return Err(InboxError::InvalidInput(
                "The largest message accepted must be between 1 and 4096 MB.".into(),
            ));
        }
        if !(1..=720).contains(&update.attachment_timeout_hours) {
            return Err(InboxError::InvalidInput(
                "The time to wait for attachments must be between 1 and 720 hours.".into(),
            ));
        }
        let mut running = self.running();
        let settings = Settings {
            incoming_dir: incoming_dir.map(PathBuf::from),
            storage_dir: storage_dir.map(PathBuf::from),
            endpoint: crate::paths::EndpointSettings {
                enabled: update.endpoint_enabled,
                listen,
                max_body_mb: update.endpoint_max_body_mb,
            },
            attachment_timeout_hours: Some(update.attachment_timeout_hours),
        };
        let before = Settings::load(&running.inbox.paths().settings_file)?;
        settings.save(&running.inbox.paths().settings_file)?;
        let paths = DataPaths::resolve(&self.config.data_dir, self.config.env_incoming.clone(), &settings);
        let reopen = paths != *running.inbox.paths()
            || before.attachment_timeout_hours != settings.attachment_timeout_hours;
        if reopen {
            running.watcher = None;
            running.endpoint = crate::endpoint::EndpointState::stopped();
            running.inbox = Arc::new(Inbox::open_with(
                paths,
                self.config.clock.clone(),
                pipeline_options(&settings),
            )?);
            running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
        }
        if reopen || before.endpoint != settings.endpoint {
            running.endpoint = crate::endpoint::EndpointState::stopped();
            running.endpoint =
                crate::endpoint::EndpointState::start(&running.inbox, &settings.endpoint, &self.on_event);
        }
        Ok(view(&settings, running.inbox.paths(), &running.endpoint))
    }
}

fn pipeline_options(settings: &Settings) -> crate::PipelineOptions {
    crate::PipelineOptions {
        attachment_timeout: time::Duration::hours(i64::from(
            settings.attachment_timeout_hours.unwrap_or(24).clamp(1, 720),
        )),
    }
}

fn start_watcher(inbox: &Arc<Inbox>, config: &SessionConfig, on_event: &EventSink) -> FolderWatcher {
    let sink = on_event.clone();
    FolderWatcher::start(inbox.clone(), config.watch, move |e| sink(e))
}

fn view(settings: &Settings, paths: &DataPaths, endpoint: &crate::endpoint::EndpointState) -> SettingsView {
    SettingsView {
        incoming_dir: settings.incoming_dir.as_ref().map(|d| d.display().to_string()),
        effective_incoming_dir: paths.incoming.display().to_string(),
        incoming_source: paths.incoming_source,
        endpoint: endpoint.view(&settings.endpoint, paths),
        attachment_timeout_hours: settings.attachment_timeout_hours.unwrap_or(24),
        storage_dir: settings.storage_dir.as_ref().map(|d| d.display().to_string()),
        effective_storage_dir: paths.storage_dir.display().to_string(),
    }
}
