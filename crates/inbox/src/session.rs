//! A running inbox as the desktop app sees it: the inbox, its folder watcher, and settings that can
//! change while it runs (changing the watched folder restarts the watcher).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dto::{InboxEvent, SettingsUpdate, SettingsView};
use crate::paths::{DataPaths, Settings, DATABASE_FILE};
use crate::watch::{FolderWatcher, WatchOptions};
use crate::{samples, Clock, Inbox, InboxError};

type EventSink = Arc<dyn Fn(InboxEvent) + Send + Sync>;

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
        let first_run = !config.data_dir.join(DATABASE_FILE).exists();
        let nothing_configured = config.env_incoming.is_none() && settings.incoming_dir.is_none();
        let paths = DataPaths::resolve(&config.data_dir, config.env_incoming.clone(), &settings);
        let inbox = Arc::new(Inbox::open(paths, config.clock.clone())?);
        if config.samples_on_first_run && first_run && nothing_configured {
            crate::paths::create_private_dir(&inbox.paths().incoming)?;
            samples::place_in(&inbox.paths().incoming)?;
        }
        let watcher = Some(start_watcher(&inbox, &config, &on_event));
        Ok(Session {
            config,
            on_event,
            running: Mutex::new(Running { inbox, watcher }),
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
        Ok(view(&settings, inbox.paths()))
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
        }
        let mut running = self.running();
        let settings = Settings {
            incoming_dir: incoming_dir.map(PathBuf::from),
        };
        settings.save(&running.inbox.paths().settings_file)?;
        let paths = DataPaths::resolve(&self.config.data_dir, self.config.env_incoming.clone(), &settings);
        if paths != *running.inbox.paths() {
            running.watcher = None;
            running.inbox = Arc::new(Inbox::open(paths, self.config.clock.clone())?);
            running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
        }
        Ok(view(&settings, running.inbox.paths()))
    }
}

fn start_watcher(inbox: &Arc<Inbox>, config: &SessionConfig, on_event: &EventSink) -> FolderWatcher {
    let sink = on_event.clone();
    FolderWatcher::start(inbox.clone(), config.watch, move |e| sink(e))
}

fn view(settings: &Settings, paths: &DataPaths) -> SettingsView {
    SettingsView {
        incoming_dir: settings.incoming_dir.as_ref().map(|d| d.display().to_string()),
        effective_incoming_dir: paths.incoming.display().to_string(),
        incoming_source: paths.incoming_source,
    }
}
