//! Training mode: an inbox of synthetic records, kept apart from the live one, for trainers to demo.
//!
//! Everything lives under `<data folder>/training/`: its own settings, its own incoming folder
//! (`training/incoming`, where a trainer can drop generated files during a demo), and its records in
//! `training/records-<n>/` (database, originals, quarantine). "Reset" starts the next `records-<n>`
//! and files the scenario set into it, so it never has to delete a database that is still open;
//! older record folders are removed afterwards. The HTTP endpoint never runs in training mode, and
//! exports go to `training/outbox/`. The live data folder is never touched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::files::write_atomically;
use crate::paths::{DataPaths, Settings};
use crate::{Clock, Inbox, InboxError, IngestOutcome, PipelineOptions};

/// The training folder inside a data folder.
pub fn training_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("training")
}

/// Where training exports (and, later, acknowledgements) go.
pub fn outbox(data_dir: &Path) -> PathBuf {
    training_dir(data_dir).join("outbox")
}

/// The layout of the training inbox: its settings say which `records-<n>` is current.
fn paths(data_dir: &Path) -> Result<(DataPaths, Settings), InboxError> {
    let dir = training_dir(data_dir);
    let settings_file = DataPaths::resolve(&dir, None, &Settings::default()).settings_file;
    let mut settings = Settings::load(&settings_file)?;
    if settings.storage_dir.is_none() || settings.incoming_dir.is_none() {
        settings.storage_dir = Some(dir.join("records-1"));
        settings.incoming_dir = Some(dir.join("incoming"));
        crate::paths::create_private_dir(&dir)?;
        settings.save(&settings_file)?;
    }
    // Never the live endpoint, whatever the file says.
    settings.endpoint.enabled = false;
    Ok((DataPaths::resolve(&dir, None, &settings), settings))
}

/// Opens the training inbox; a new one is filled with the scenario set.
pub(crate) fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Arc<Inbox>, InboxError> {
    let (paths, _) = paths(data_dir)?;
    let fresh = !paths.database.exists();
    let inbox = Arc::new(Inbox::open_with(paths, clock, PipelineOptions::default())?);
    if fresh {
        file_scenario_set(&inbox)?;
    }
    Ok(inbox)
}

/// Moves the training inbox to a fresh `records-<n>` (the caller then opens it, which files the
/// scenario set) and empties the training incoming folder. Returns the folders now out of use.
pub(crate) fn start_afresh(data_dir: &Path) -> Result<Vec<PathBuf>, InboxError> {
    let dir = training_dir(data_dir);
    let (paths, mut settings) = paths(data_dir)?;
    let next = (1..)
        .map(|n| dir.join(format!("records-{n}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("records-new"));
    settings.storage_dir = Some(next.clone());
    settings.save(&paths.settings_file)?;
    if let Ok(entries) = std::fs::read_dir(&paths.incoming) {
        for e in entries.flatten() {
            if e.path().is_file() {
                crate::files::remove_if_present(&e.path())?;
            }
        }
    }
    let old = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && *p != next
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with("records-"))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(old)
}

/// The scenario set, filed as if it had just arrived: written into the training incoming folder
/// and filed at once. Returns how many files.
fn file_scenario_set(inbox: &Inbox) -> Result<usize, InboxError> {
    let incoming = &inbox.paths().incoming;
    crate::paths::create_private_dir(incoming)?;
    let set = scenario_set();
    for (name, bytes) in &set {
        let path = incoming.join(name);
        write_atomically(&path, bytes)?;
        let outcome = inbox.ingest_file(&path)?;
        debug_assert!(!matches!(outcome, IngestOutcome::Stored { message_id: 0, .. }));
    }
    Ok(set.len())
}

/// The records a training inbox starts with: the built-in synthetic sample records, one of them
/// sent twice (a duplicate), and a garbled file that must end in quarantine.
pub fn scenario_set() -> Vec<(String, Vec<u8>)> {
    let mut set: Vec<(String, Vec<u8>)> = crate::samples::SAMPLES
        .iter()
        .map(|(name, bytes)| (format!("training-{name}"), bytes.to_vec()))
        .collect();
    if let Some((name, bytes)) = crate::samples::SAMPLES.first() {
        set.push((format!("training-sent-again-{name}"), bytes.to_vec()));
    }
    // What a transfer damaged on the way looks like: not XML at all.
    set.push((
        "training-garbled-transfer.xml".into(),
        b"\x1f\x8b\x08\x00\xffSYNTHETIC TRAINING FILE: damaged in transit\x00\x00".to_vec(),
    ));
    set
}
