//! A running inbox as the desktop app sees it: the inbox, its folder watcher and endpoint, settings
//! that can change while it runs (changing the watched folder restarts the watcher), and training
//! mode, which swaps the live inbox for the training one ([`crate::training`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::dto::{InboxEvent, SettingsUpdate, SettingsView};
use crate::paths::{DataPaths, Settings};
use crate::watch::{FolderWatcher, WatchOptions};
use crate::{training, Clock, Inbox, InboxError};

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
    /// On a first run with nothing configured, start in training mode with its scenario set, so a
    /// newcomer sees a full inbox.
    pub training_on_first_run: bool,
    /// `--training`: training mode whatever the settings say, for this run.
    pub force_training: bool,
}

pub struct Session {
    config: SessionConfig,
    on_event: EventSink,
    running: Mutex<Running>,
    /// Who is signed in, and when they were last active (the screen locks after
    /// `idle_lock_minutes` without activity).
    signed_in: Mutex<Option<SignedIn>>,
    idle_lock_minutes: std::sync::atomic::AtomicU32,
}

#[derive(Debug, Clone, Copy)]
struct SignedIn {
    user_id: i64,
    last_active: time::OffsetDateTime,
}

struct Running {
    inbox: Arc<Inbox>,
    // Dropped (stopped) before a new one starts.
    watcher: Option<FolderWatcher>,
    endpoint: crate::endpoint::EndpointState,
    /// The inbox is the training one.
    training: bool,
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
        let settings_file = live_settings_file(&config.data_dir);
        let mut settings = Settings::load(&settings_file)?;
        let live_paths = DataPaths::resolve(&config.data_dir, config.env_incoming.clone(), &settings);
        let nothing_configured = config.env_incoming.is_none()
            && !settings_file.exists()
            && !live_paths.database.exists()
            && !training::training_dir(&config.data_dir).exists();
        if config.training_on_first_run && nothing_configured {
            settings.training_mode = true;
            crate::paths::create_private_dir(&config.data_dir)?;
            settings.save(&settings_file)?;
        }
        let training = config.force_training || settings.training_mode;
        let inbox = open_inbox(&config, &settings, training)?;
        let watcher = Some(start_watcher(&inbox, &config, &on_event));
        let endpoint = start_endpoint(&inbox, &settings, training, &on_event);
        Ok(Session {
            idle_lock_minutes: std::sync::atomic::AtomicU32::new(idle_minutes(&settings)),
            config,
            on_event,
            running: Mutex::new(Running {
                inbox,
                watcher,
                endpoint,
                training,
            }),
            signed_in: Mutex::new(None),
        })
    }

    fn signed_in(&self) -> MutexGuard<'_, Option<SignedIn>> {
        self.signed_in.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn idle_limit(&self) -> time::Duration {
        time::Duration::minutes(i64::from(
            self.idle_lock_minutes.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }

    /// The signed-in user, read again from the store (roles may have changed since). Refused with
    /// `NotSignedIn` when nobody is, or after `idle_lock_minutes` without activity (the lock is
    /// audited). Each call counts as activity.
    pub fn actor(&self) -> Result<crate::Actor, InboxError> {
        let now = self.config.clock.now();
        let user_id = {
            let mut guard = self.signed_in();
            let Some(current) = *guard else {
                return Err(InboxError::NotSignedIn("Sign in to continue.".into()));
            };
            if now - current.last_active > self.idle_limit() {
                *guard = None;
                drop(guard);
                if let Ok(actor) = self.inbox().actor(current.user_id) {
                    let _ = self
                        .inbox()
                        .audit(&actor, "locked", None, "screen locked after being idle");
                }
                return Err(InboxError::NotSignedIn(
                    "The screen locked after a while without activity: sign in again.".into(),
                ));
            }
            *guard = Some(SignedIn {
                last_active: now,
                ..current
            });
            current.user_id
        };
        match self.inbox().actor(user_id) {
            Ok(actor) => Ok(actor),
            Err(e) => {
                *self.signed_in() = None;
                Err(e)
            }
        }
    }

    /// Who is signed in and who could sign in, for the sign-in screen and the app's header.
    pub fn session_view(&self) -> Result<crate::dto::SessionView, InboxError> {
        let inbox = self.inbox();
        let actor = match self.actor() {
            Ok(a) => Some(a),
            Err(InboxError::NotSignedIn(_)) => None,
            Err(e) => return Err(e),
        };
        let profiles = inbox.users()?.into_iter().filter(|u| !u.disabled).collect();
        let user = match &actor {
            Some(a) => inbox.users()?.into_iter().find(|u| u.id == a.user_id),
            None => None,
        };
        Ok(crate::dto::SessionView {
            permissions: actor.as_ref().map(crate::Actor::permissions).unwrap_or_default(),
            user,
            profiles,
            needs_first_user: inbox.needs_first_user()?,
            idle_lock_minutes: self.idle_lock_minutes.load(std::sync::atomic::Ordering::Relaxed),
            training_pin: self.is_training().then(|| training::TRAINING_PIN.to_owned()),
        })
    }

    fn begin(&self, actor: &crate::Actor) {
        *self.signed_in() = Some(SignedIn {
            user_id: actor.user_id,
            last_active: self.config.clock.now(),
        });
    }

    /// Signs in with a profile and its PIN.
    pub fn sign_in(&self, user_id: i64, pin: &str) -> Result<crate::dto::SessionView, InboxError> {
        let actor = self.inbox().sign_in(user_id, pin)?;
        self.begin(&actor);
        self.session_view()
    }

    /// Creates the first profile (an administrator) and signs it in.
    pub fn create_first_user(
        &self,
        req: &crate::dto::NewUserRequest,
    ) -> Result<crate::dto::SessionView, InboxError> {
        let actor = self.inbox().create_first_user(req)?;
        self.begin(&actor);
        self.session_view()
    }

    /// Signs out (`locked`: because the screen was left idle). Audited.
    pub fn sign_out(&self, locked: bool) -> Result<crate::dto::SessionView, InboxError> {
        let previous = self.signed_in().take();
        if let Some(p) = previous {
            if let Ok(actor) = self.inbox().actor(p.user_id) {
                let (action, detail) = if locked {
                    ("locked", "screen locked after being idle")
                } else {
                    ("sign_out", "")
                };
                self.inbox().audit(&actor, action, None, detail)?;
            }
        }
        self.session_view()
    }

    /// True while the training inbox is open.
    pub fn is_training(&self) -> bool {
        self.running().training
    }

    /// Everything the inbox screen shows, marked when it is the training inbox.
    pub fn snapshot(&self) -> Result<crate::dto::InboxSnapshot, InboxError> {
        let (inbox, training) = {
            let running = self.running();
            (running.inbox.clone(), running.training)
        };
        Ok(crate::dto::InboxSnapshot {
            training,
            ..inbox.snapshot()?
        })
    }

    /// Switches between the live inbox and the training one (the switch in Settings). The screen
    /// hears `InboxReplaced` and loads the other inbox.
    pub fn set_training(&self, enabled: bool) -> Result<SettingsView, InboxError> {
        if self.config.force_training && !enabled {
            return Err(InboxError::InvalidInput(
                "GP2GP Inbox was started with --training: start it without --training to use the live inbox."
                    .into(),
            ));
        }
        let settings_file = live_settings_file(&self.config.data_dir);
        let mut settings = Settings::load(&settings_file)?;
        let before = settings.clone();
        settings.training_mode = enabled;
        let mut running = self.running();
        if running.training != enabled {
            running.watcher = None;
            running.endpoint = crate::endpoint::EndpointState::stopped();
            match open_inbox(&self.config, &settings, enabled) {
                Ok(inbox) => running.inbox = inbox,
                Err(e) => {
                    running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
                    running.endpoint =
                        start_endpoint(&running.inbox, &before, running.training, &self.on_event);
                    return Err(e);
                }
            }
            running.training = enabled;
            // The other inbox has its own profiles.
            *self.signed_in() = None;
            running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
            running.endpoint = start_endpoint(&running.inbox, &settings, enabled, &self.on_event);
            (self.on_event)(InboxEvent::InboxReplaced { training: enabled });
        }
        settings.save(&settings_file)?;
        Ok(self.view_of(&settings, &running))
    }

    /// Training mode only: puts the training inbox back to the chosen scenario set (`None` or
    /// `every`: every scenario; else a scenario's name), as new. Returns how many records it holds.
    pub fn reset_training(&self, scenario: Option<&str>) -> Result<u64, InboxError> {
        let choice = training::Choice::from_name(scenario)?;
        let mut running = self.running();
        if !running.training {
            return Err(InboxError::InvalidInput(
                "Training data can only be reset in training mode; the live inbox is never reset.".into(),
            ));
        }
        running.watcher = None;
        let previous = Some(running.inbox.clone());
        let reset = training::reset(&self.config.data_dir, self.config.clock.clone(), choice);
        if let Ok(inbox) = &reset {
            running.inbox = inbox.clone();
        }
        running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
        reset?;
        // The reset inbox has the same synthetic profiles: whoever reset it stays signed in.
        let mut signed_in = self.signed_in();
        let before = signed_in.take();
        if let Some(current) = before {
            let old_name = previous
                .as_ref()
                .and_then(|p| p.actor(current.user_id).ok())
                .map(|a| a.name);
            if let Some(actor) = old_name.and_then(|n| running.inbox.actor_by_name(&n).ok()) {
                *signed_in = Some(SignedIn {
                    user_id: actor.user_id,
                    ..current
                });
            }
        }
        drop(signed_in);
        (self.on_event)(InboxEvent::InboxReplaced { training: true });
        running.inbox.count_transfers()
    }

    fn running(&self) -> MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn inbox(&self) -> Arc<Inbox> {
        self.running().inbox.clone()
    }

    /// The live settings (in training mode too: they apply again when it ends).
    pub fn settings(&self) -> Result<SettingsView, InboxError> {
        let settings = Settings::load(&live_settings_file(&self.config.data_dir))?;
        let running = self.running();
        Ok(self.view_of(&settings, &running))
    }

    fn view_of(&self, settings: &Settings, running: &Running) -> SettingsView {
        let live_paths =
            DataPaths::resolve(&self.config.data_dir, self.config.env_incoming.clone(), settings)
                .with_outbox_override(None, env_outbox());
        let training_incoming = training::incoming_dir(&self.config.data_dir);
        SettingsView {
            incoming_dir: settings.incoming_dir.as_ref().map(|d| d.display().to_string()),
            effective_incoming_dir: live_paths.incoming.display().to_string(),
            incoming_source: live_paths.incoming_source,
            endpoint: running.endpoint.view(&settings.endpoint, &live_paths),
            attachment_timeout_hours: settings.attachment_timeout_hours.unwrap_or(24),
            storage_dir: settings.storage_dir.as_ref().map(|d| d.display().to_string()),
            effective_storage_dir: live_paths.storage_dir.display().to_string(),
            outbox_dir: settings.outbox_dir.as_ref().map(|d| d.display().to_string()),
            effective_outbox_dir: live_paths.outbox.display().to_string(),
            outbox_from_environment: env_outbox().is_some(),
            idle_lock_minutes: idle_minutes(settings),
            relax_review_for_administrators: settings.relax_review_for_administrators,
            training: crate::dto::TrainingView {
                active: running.training,
                forced: self.config.force_training,
                incoming_dir: training_incoming.display().to_string(),
                scenarios: training::choices(),
            },
        }
    }

    /// The original of a transfer's record for reading, audited as a view of the record.
    pub fn original_view_as(
        &self,
        actor: &crate::Actor,
        transfer_id: i64,
        max_bytes: usize,
    ) -> Result<crate::dto::OriginalView, InboxError> {
        let inbox = self.inbox();
        let view = inbox.original_view(transfer_id, max_bytes)?;
        inbox.audit(actor, "view_original", Some(transfer_id), &view.file_name)?;
        Ok(view)
    }

    /// Tells the screen a transfer changed (after a decision).
    pub fn announce_transfer(&self, transfer_id: i64) {
        if let Ok(t) = self.inbox().transfer(transfer_id) {
            (self.on_event)(InboxEvent::TransferStored {
                transfer: Box::new(t),
            });
        }
    }

    /// [`Session::update_settings`] by an administrator, audited.
    pub fn update_settings_as(
        &self,
        actor: &crate::Actor,
        update: SettingsUpdate,
    ) -> Result<SettingsView, InboxError> {
        actor.require(crate::Action::Administer)?;
        if self.is_training() {
            // Training profiles (whose PIN is on the sign-in screen) never change the live set-up.
            return Err(InboxError::Forbidden(
                "These are the live inbox's settings: switch training mode off and sign in to the live inbox to change them."
                    .into(),
            ));
        }
        let view = self.update_settings(update)?;
        self.inbox().audit(actor, "settings", None, "settings changed")?;
        Ok(view)
    }

    /// The signed-in user, if their roles allow `action`.
    pub fn require(&self, action: crate::Action) -> Result<crate::Actor, InboxError> {
        let actor = self.actor()?;
        actor.require(action)?;
        Ok(actor)
    }

    /// An administrator imports the practice's registrations (a CSV export of the clinical system,
    /// or the generator's `registrations.json`) from a file on this machine; audited.
    pub fn import_registrations_as(
        &self,
        actor: &crate::Actor,
        path: &std::path::Path,
    ) -> Result<crate::registrations::ImportReport, InboxError> {
        actor.require(crate::Action::Administer)?;
        if !path.is_absolute() {
            return Err(InboxError::InvalidInput(format!(
                "Give the full path of the file, such as /home/practice/registrations.csv, not \"{}\".",
                path.display()
            )));
        }
        let inbox = self.inbox();
        let report = inbox.import_registrations(path)?;
        inbox.audit(
            actor,
            "registrations_imported",
            None,
            &format!(
                "{} registrations from {} ({} rows skipped)",
                report.imported,
                path.display(),
                report.skipped.len()
            ),
        )?;
        (self.on_event)(InboxEvent::InboxReplaced {
            training: self.is_training(),
        });
        Ok(report)
    }

    /// [`Session::export_original`] by a signed-in user, audited.
    pub fn export_original_as(&self, actor: &crate::Actor, transfer_id: i64) -> Result<String, InboxError> {
        let path = self.export_original(transfer_id)?;
        self.inbox().audit(
            actor,
            "export",
            Some(transfer_id),
            &format!("original saved to {path}"),
        )?;
        Ok(path)
    }

    /// Copies the original of a transfer's record into the user's Downloads folder (else
    /// `exports/` in the data folder). Returns where it went.
    pub fn export_original(&self, transfer_id: i64) -> Result<String, InboxError> {
        let inbox = self.inbox();
        let dir = if self.is_training() {
            // Training records never leave the training folder.
            training::outbox(&self.config.data_dir)
        } else {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join("Downloads"))
                .filter(|d| d.is_dir())
                .unwrap_or_else(|| inbox.paths().data_dir.join("exports"))
        };
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
            let current = Settings::load(&live_settings_file(&self.config.data_dir))?;
            let own = &DataPaths::resolve(&self.config.data_dir, None, &current);
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
        let outbox_dir = update
            .outbox_dir
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(dir) = &outbox_dir {
            if !PathBuf::from(dir).is_absolute() {
                return Err(InboxError::InvalidInput(format!(
                    "The outbox folder must be a full path (such as /srv/gp2gp/outbox), not \"{dir}\"."
                )));
            }
            if incoming_dir.as_deref() == Some(dir.as_str()) {
                return Err(InboxError::InvalidInput(
                    "The outbox and the incoming folder must be different folders: acknowledgements would be filed as arrivals.".into(),
                ));
            }
        }
        if !(1..=240).contains(&update.idle_lock_minutes) {
            return Err(InboxError::InvalidInput(
                "The screen lock must be between 1 and 240 minutes.".into(),
            ));
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
        let settings_file = live_settings_file(&self.config.data_dir);
        let before = Settings::load(&settings_file)?;
        let settings = Settings {
            incoming_dir: incoming_dir.map(PathBuf::from),
            storage_dir: storage_dir.map(PathBuf::from),
            training_mode: before.training_mode,
            endpoint: crate::paths::EndpointSettings {
                enabled: update.endpoint_enabled,
                listen,
                max_body_mb: update.endpoint_max_body_mb,
            },
            attachment_timeout_hours: Some(update.attachment_timeout_hours),
            outbox_dir: outbox_dir.map(PathBuf::from),
            idle_lock_minutes: Some(update.idle_lock_minutes),
            relax_review_for_administrators: update.relax_review_for_administrators,
        };
        self.idle_lock_minutes
            .store(idle_minutes(&settings), std::sync::atomic::Ordering::Relaxed);
        if running.training {
            // Saved for the live inbox; the training inbox keeps running as it is.
            settings.save(&settings_file)?;
            return Ok(self.view_of(&settings, &running));
        }
        running
            .inbox
            .set_relax_review(settings.relax_review_for_administrators);
        let paths = DataPaths::resolve(&self.config.data_dir, self.config.env_incoming.clone(), &settings)
            .with_outbox_override(None, env_outbox());
        let reopen = paths != *running.inbox.paths()
            || before.attachment_timeout_hours != settings.attachment_timeout_hours;
        if reopen {
            running.watcher = None;
            running.endpoint = crate::endpoint::EndpointState::stopped();
            match Inbox::open_with(paths, self.config.clock.clone(), pipeline_options(&settings)) {
                Ok(inbox) => {
                    inbox.set_relax_review(settings.relax_review_for_administrators);
                    running.inbox = Arc::new(inbox)
                }
                Err(e) => {
                    // Nothing changes: the inbox that ran goes on running, the settings stay.
                    running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
                    running.endpoint = start_endpoint(&running.inbox, &before, false, &self.on_event);
                    return Err(e);
                }
            }
            running.watcher = Some(start_watcher(&running.inbox, &self.config, &self.on_event));
        }
        settings.save(&settings_file)?;
        if reopen || before.endpoint != settings.endpoint {
            running.endpoint = crate::endpoint::EndpointState::stopped();
            running.endpoint = start_endpoint(&running.inbox, &settings, false, &self.on_event);
        }
        if running.inbox.paths().storage_dir != before_storage(&self.config, &before) {
            (self.on_event)(InboxEvent::InboxReplaced { training: false });
        }
        Ok(self.view_of(&settings, &running))
    }
}

fn before_storage(config: &SessionConfig, before: &Settings) -> PathBuf {
    DataPaths::resolve(&config.data_dir, None, before).storage_dir
}

fn live_settings_file(data_dir: &std::path::Path) -> PathBuf {
    DataPaths::resolve(data_dir, None, &Settings::default()).settings_file
}

/// The live inbox, or the training one.
fn open_inbox(config: &SessionConfig, settings: &Settings, training: bool) -> Result<Arc<Inbox>, InboxError> {
    if training {
        return training::open(&config.data_dir, config.clock.clone());
    }
    let paths = DataPaths::resolve(&config.data_dir, config.env_incoming.clone(), settings)
        .with_outbox_override(None, env_outbox());
    let inbox = Inbox::open_with(paths, config.clock.clone(), pipeline_options(settings))?;
    inbox.set_relax_review(settings.relax_review_for_administrators);
    Ok(Arc::new(inbox))
}

/// `GP2GP_INBOX_OUTBOX`, when set (the live inbox's outbox; never training's).
pub fn env_outbox() -> Option<PathBuf> {
    std::env::var_os(crate::paths::OUTBOX_DIR_ENV)
        .map(PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty())
}

fn idle_minutes(settings: &Settings) -> u32 {
    settings
        .idle_lock_minutes
        .unwrap_or(crate::paths::DEFAULT_IDLE_LOCK_MINUTES)
        .clamp(1, 240)
}

/// The endpoint as the settings say, never in training mode.
fn start_endpoint(
    inbox: &Arc<Inbox>,
    settings: &Settings,
    training: bool,
    on_event: &EventSink,
) -> crate::endpoint::EndpointState {
    if training {
        return crate::endpoint::EndpointState::stopped();
    }
    crate::endpoint::EndpointState::start(inbox, &settings.endpoint, on_event)
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
