//! Where the inbox keeps things, and the settings that move them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::InboxError;

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "inbox.sqlite3";
const SETTINGS_FILE: &str = "settings.json";

/// Environment variable that overrides the watched folder (and the setting).
pub const INCOMING_DIR_ENV: &str = "GP2GP_INBOX_DIR";
/// Environment variable that overrides the whole data directory (tests, portable installs).
pub const DATA_DIR_ENV: &str = "GP2GP_INBOX_DATA_DIR";
/// Environment variable that overrides the outbox folder (and the setting) of the live inbox.
pub const OUTBOX_DIR_ENV: &str = "GP2GP_INBOX_OUTBOX";

/// Where the watched folder setting came from, so the UI can say why it is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum IncomingSource {
    /// `incoming/` under the data directory.
    Default,
    /// The `incomingDir` setting.
    Setting,
    /// The `GP2GP_INBOX_DIR` environment variable (wins over the setting).
    Environment,
}

/// The folders and files of one inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataPaths {
    /// The app's own folder: settings and the endpoint token.
    pub data_dir: PathBuf,
    /// Where the records are kept: the database and the folders below; the data folder unless
    /// the `storageDir` setting says otherwise.
    pub storage_dir: PathBuf,
    pub database: PathBuf,
    pub incoming: PathBuf,
    pub incoming_source: IncomingSource,
    /// Originals, content-addressed by SHA-256.
    pub archive: PathBuf,
    /// Unreadable files with their `.reason.txt`.
    pub quarantine: PathBuf,
    /// Files claimed by the pipeline and not yet filed (see [`crate::pipeline`]).
    pub processing: PathBuf,
    /// Bodies posted to the HTTP endpoint, until the pipeline claims them.
    pub spool: PathBuf,
    /// Attachment contents, content-addressed by SHA-256.
    pub attachments: PathBuf,
    /// Where acknowledgements are written for the messaging adaptor to send: the `outboxDir`
    /// setting, else `outbox/` in the records folder (the `GP2GP_INBOX_OUTBOX` environment variable
    /// and `--outbox` win; see [`DataPaths::with_outbox_override`]).
    pub outbox: PathBuf,
    pub settings_file: PathBuf,
    /// A training records folder (`training/records-<n>/`): its acknowledgements never go to the
    /// live outbox, whatever `GP2GP_INBOX_OUTBOX` says.
    pub training: bool,
}

impl DataPaths {
    /// The layout under `data_dir`, with the watched folder chosen by environment, then setting,
    /// then default.
    pub fn resolve(data_dir: &Path, env_incoming: Option<PathBuf>, settings: &Settings) -> DataPaths {
        let (incoming, incoming_source) = match (env_incoming, &settings.incoming_dir) {
            (Some(dir), _) => (dir, IncomingSource::Environment),
            (None, Some(dir)) => (dir.clone(), IncomingSource::Setting),
            (None, None) => (data_dir.join("incoming"), IncomingSource::Default),
        };
        let storage = settings
            .storage_dir
            .clone()
            .unwrap_or_else(|| data_dir.to_owned());
        DataPaths {
            data_dir: data_dir.to_owned(),
            database: storage.join(DATABASE_FILE),
            incoming,
            incoming_source,
            archive: storage.join("archive"),
            quarantine: storage.join("quarantine"),
            processing: storage.join("processing"),
            spool: storage.join("spool"),
            attachments: storage.join("attachments"),
            outbox: settings
                .outbox_dir
                .clone()
                .unwrap_or_else(|| storage.join("outbox")),
            settings_file: data_dir.join(SETTINGS_FILE),
            training: false,
            storage_dir: storage,
        }
    }

    /// The layout around a database file given on the command line: archive and quarantine beside it,
    /// and the outbox that folder's settings name (if it has a settings file that can be read).
    pub fn beside_database(database: &Path) -> DataPaths {
        let data_dir = match database.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let own = Settings::load(&data_dir.join(SETTINGS_FILE)).unwrap_or_default();
        // A training records folder keeps its settings one level up, in `training/`.
        let training_dir = data_dir
            .parent()
            .filter(|up| up.file_name().is_some_and(|n| n == "training"))
            .filter(|_| {
                data_dir
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("records-"))
            });
        let training = training_dir.and_then(|up| Settings::load(&up.join(SETTINGS_FILE)).ok());
        let settings = Settings {
            outbox_dir: own
                .outbox_dir
                .or_else(|| training.as_ref().and_then(|t| t.outbox_dir.clone())),
            ..Settings::default()
        };
        let mut paths = DataPaths::resolve(&data_dir, None, &settings);
        paths.database = database.to_owned();
        paths.training = training_dir.is_some();
        paths
    }

    /// The outbox given on the command line (`--outbox`) or by `GP2GP_INBOX_OUTBOX`, in that order,
    /// over the setting. Never used for the training inbox: its acknowledgements stay in training.
    pub fn with_outbox_override(mut self, flag: Option<PathBuf>, env: Option<PathBuf>) -> DataPaths {
        let env = env.filter(|_| !self.training);
        if let Some(dir) = flag.or(env).filter(|d| !d.as_os_str().is_empty()) {
            self.outbox = dir;
        }
        self
    }

    /// Creates the data folder and the pipeline's folders (owner-only). The incoming folder is the
    /// watcher's business: it may live elsewhere and be missing for a while.
    pub(crate) fn create_private_dirs(&self) -> Result<(), InboxError> {
        for dir in [
            &self.data_dir,
            &self.storage_dir,
            &self.archive,
            &self.quarantine,
            &self.processing,
            &self.spool,
            &self.attachments,
        ] {
            create_private_dir(dir)?;
        }
        Ok(())
    }
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<(), InboxError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| InboxError::io(format!("Could not create the folder {}", dir.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| InboxError::io(format!("Could not restrict the folder {}", dir.display()), e))?;
    }
    Ok(())
}

/// The practice's settings, kept as JSON in the data directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// The watched folder; `None` means `incoming/` under the data directory.
    pub incoming_dir: Option<PathBuf>,
    /// Where the database, originals, attachments and quarantine are kept; `None` means the data
    /// directory.
    pub storage_dir: Option<PathBuf>,
    /// The HTTP push endpoint for integration engines.
    pub endpoint: EndpointSettings,
    /// Hours a record waits for its large-message parts before it is incomplete (default 24).
    pub attachment_timeout_hours: Option<u32>,
    /// Training mode is on: the app shows the training inbox, not this one.
    pub training_mode: bool,
    /// Where acknowledgements are written; `None` means `outbox/` in the records folder.
    pub outbox_dir: Option<PathBuf>,
    /// Minutes without activity before the screen locks (default 10).
    pub idle_lock_minutes: Option<u32>,
    /// Administrators may decide before every review section is seen.
    pub relax_review_for_administrators: bool,
}

/// Minutes of inactivity before the screen locks, unless the settings say otherwise.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 10;

/// The HTTP push endpoint's settings. Off unless the practice turns it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EndpointSettings {
    pub enabled: bool,
    /// Address and port to listen on; loopback unless the practice decides otherwise.
    pub listen: String,
    /// Largest message accepted, in megabytes.
    pub max_body_mb: u32,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_MAX_BODY_MB: u32 = 512;
/// The lock file that says which process files into a data directory.
pub const LOCK_FILE: &str = "inbox.lock";
/// Locked by whichever process is filing a file right now.
pub const FILING_LOCK_FILE: &str = "filing.lock";
/// File holding the endpoint's bearer token, in the data directory (owner-only).
pub const TOKEN_FILE: &str = "endpoint-token";

impl Default for EndpointSettings {
    fn default() -> Self {
        EndpointSettings {
            enabled: false,
            listen: DEFAULT_LISTEN.to_owned(),
            max_body_mb: DEFAULT_MAX_BODY_MB,
        }
    }
}

impl Settings {
    /// Reads the settings file; a missing file means defaults.
    pub fn load(file: &Path) -> Result<Settings, InboxError> {
        match std::fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                InboxError::InvalidInput(format!(
                    "The settings file {} could not be read ({e}); fix or delete it.",
                    file.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(InboxError::io(
                format!("Could not read the settings file {}", file.display()),
                e,
            )),
        }
    }

    /// Writes the settings file atomically (write a temporary file, then rename).
    pub fn save(&self, file: &Path) -> Result<(), InboxError> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| InboxError::InvalidInput(format!("Settings could not be written: {e}")))?;
        crate::files::write_atomically(file, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_training_database_keeps_its_acks_in_training_whatever_the_environment_says() {
        let dir = tempfile::tempdir().unwrap();
        let training = dir.path().join("training");
        std::fs::create_dir_all(training.join("records-2")).unwrap();
        let settings = Settings {
            outbox_dir: Some(training.join("outbox")),
            ..Settings::default()
        };
        settings.save(&training.join(SETTINGS_FILE)).unwrap();
        let paths = DataPaths::beside_database(&training.join("records-2").join(DATABASE_FILE))
            .with_outbox_override(None, Some(PathBuf::from("/srv/live-outbox")));
        assert!(paths.training);
        assert_eq!(paths.outbox, training.join("outbox"));
        // A live database: the environment wins over its settings.
        let live = DataPaths::beside_database(&dir.path().join(DATABASE_FILE))
            .with_outbox_override(None, Some(PathBuf::from("/srv/live-outbox")));
        assert_eq!(live.outbox, PathBuf::from("/srv/live-outbox"));
        // And the command line's --outbox wins over both.
        let flagged = DataPaths::beside_database(&dir.path().join(DATABASE_FILE)).with_outbox_override(
            Some(PathBuf::from("/tmp/acks")),
            Some(PathBuf::from("/srv/live-outbox")),
        );
        assert_eq!(flagged.outbox, PathBuf::from("/tmp/acks"));
    }
}
