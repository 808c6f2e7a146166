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
use crate::{Clock, Inbox, InboxError, PipelineOptions};

/// The training folder inside a data folder.
pub fn training_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("training")
}

/// Where a trainer drops generated files during a demo.
pub fn incoming_dir(data_dir: &Path) -> PathBuf {
    training_dir(data_dir).join("incoming")
}

/// Where training exports and acknowledgements go (never the live outbox).
pub fn outbox(data_dir: &Path) -> PathBuf {
    training_dir(data_dir).join("outbox")
}

/// The layout of the training inbox: its settings say which `records-<n>` is current.
fn paths(data_dir: &Path) -> Result<(DataPaths, Settings), InboxError> {
    let dir = training_dir(data_dir);
    let settings_file = DataPaths::resolve(&dir, None, &Settings::default()).settings_file;
    let mut settings = Settings::load(&settings_file)?;
    if settings.storage_dir.is_none() || settings.incoming_dir.is_none() || settings.outbox_dir.is_none() {
        settings.storage_dir.get_or_insert_with(|| dir.join("records-1"));
        settings.incoming_dir = Some(incoming_dir(data_dir));
        settings.outbox_dir = Some(outbox(data_dir));
        crate::paths::create_private_dir(&dir)?;
        settings.save(&settings_file)?;
    }
    // Never the live endpoint, whatever the file says.
    settings.endpoint.enabled = false;
    let mut paths = DataPaths::resolve(&dir, None, &settings);
    paths.training = true;
    Ok((paths, settings))
}

/// Opens the training inbox; a new one is filled with every scenario.
pub(crate) fn open(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Arc<Inbox>, InboxError> {
    open_with(data_dir, clock, Choice::Every)
}

fn open_with(data_dir: &Path, clock: Arc<dyn Clock>, choice: Choice) -> Result<Arc<Inbox>, InboxError> {
    let (paths, _) = paths(data_dir)?;
    let fresh = !paths.database.exists();
    let inbox = Arc::new(Inbox::open_with(paths, clock, PipelineOptions::default())?);
    inbox.ensure_training_users()?;
    if fresh {
        file_scenario_set(&inbox, choice)?;
    }
    Ok(inbox)
}

/// Which records a reset restores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// One record of every scenario but the 100 MB one.
    Every,
    /// Three records of one scenario, one in each container.
    Only(gp2gp_synth::Scenario),
}

impl Choice {
    /// `None` or `"every"` for every scenario, else a scenario's name.
    pub fn from_name(name: Option<&str>) -> Result<Choice, InboxError> {
        match name.map(str::trim) {
            None | Some("") | Some("every") => Ok(Choice::Every),
            Some(n) => gp2gp_synth::Scenario::from_name(n)
                .map(Choice::Only)
                .ok_or_else(|| InboxError::InvalidInput(format!("There is no training scenario \"{n}\"."))),
        }
    }
}

/// The scenarios a trainer can choose from, as the settings screen lists them.
pub fn choices() -> Vec<crate::dto::ScenarioOption> {
    std::iter::once(crate::dto::ScenarioOption {
        name: "every".into(),
        description: "Every scenario below, one record each (but the huge record).".into(),
    })
    .chain(
        gp2gp_synth::Scenario::ALL
            .into_iter()
            .map(|s| crate::dto::ScenarioOption {
                name: s.name().into(),
                description: s.description().into(),
            }),
    )
    .collect()
}

/// Puts the training inbox in `data_dir` back to its scenario set: a fresh records folder, filled
/// with the scenario set; the previous records folders are removed. Returns the new inbox.
pub fn reset(data_dir: &Path, clock: Arc<dyn Clock>, choice: Choice) -> Result<Arc<Inbox>, InboxError> {
    let unused = start_afresh(data_dir)?;
    let inbox = open_with(data_dir, clock, choice)?;
    for dir in unused {
        // Best effort: a folder still in use goes at the next reset.
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(inbox)
}

/// Moves the training inbox to a fresh `records-<n>` (the caller then opens it, which files the
/// scenario set) and empties the training incoming folder. Returns the folders now out of use.
fn start_afresh(data_dir: &Path) -> Result<Vec<PathBuf>, InboxError> {
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
/// and filed at once; the registrations the practice would hold go beside it
/// (`training/registrations.json`). Returns how many files.
fn file_scenario_set(inbox: &Inbox, choice: Choice) -> Result<usize, InboxError> {
    let incoming = &inbox.paths().incoming;
    crate::paths::create_private_dir(incoming)?;
    let set = scenario_set_on(choice, inbox.clock().now());
    for (name, bytes) in &set.files {
        let path = incoming.join(name);
        write_atomically(&path, bytes)?;
        let outcome = inbox.ingest_file(&path)?;
        // A returning patient's earlier record was integrated when they were first registered here.
        if name.contains("earlier_") {
            if let Some(id) = outcome.transfer_id() {
                inbox.record_earlier_integration(id)?;
            }
        }
    }
    let registrations = serde_json::to_vec_pretty(&set.registrations)
        .map_err(|e| InboxError::InvalidInput(format!("The registrations could not be written: {e}")))?;
    let file = inbox.paths().data_dir.join(REGISTRATIONS_FILE);
    write_atomically(&file, &registrations)?;
    // The training practice has these patients registered (all but the wrong patient's real one).
    inbox.import_registrations(&file)?;
    Ok(set.files.len())
}

/// Where the training inbox keeps the registrations of its scenario set (for the review screen).
pub const REGISTRATIONS_FILE: &str = "registrations.json";

/// The records a training inbox starts with.
#[derive(Debug, Clone)]
pub struct ScenarioSet {
    /// (file name, bytes), in the order they arrive.
    pub files: Vec<(String, Vec<u8>)>,
    /// What the practice's registration holds for each patient, as `registrations.json` holds it.
    pub registrations: Vec<serde_json::Value>,
}

/// The seed of the training scenario set: the same records at every reset, on every machine.
/// The PIN of every synthetic training profile (shown on the training sign-in screen).
pub const TRAINING_PIN: &str = "1234";

const TRAINING_SEED: u64 = 0x7EA1_1111_2026;

/// One synthetic record per scenario a trainer shows (all but the 100 MB one, which
/// `gp2gp-inbox training generate --scenario huge-record` makes on demand), in turn in each
/// supplier style and container.
pub fn scenario_set() -> ScenarioSet {
    scenario_set_on(Choice::Every, time::OffsetDateTime::now_utc())
}

/// Days before `now` each record of a set is sent: a spread over the 8-day window (and one past
/// it), as a live inbox would show.
const SENT_DAYS_AGO: [i64; 12] = [0, 1, 2, 4, 6, 7, 9, 1, 3, 5, 8, 2];

/// The records a reset restores for `choice`, sent in the days before `now`.
pub fn scenario_set_on(choice: Choice, now: time::OffsetDateTime) -> ScenarioSet {
    use gp2gp_synth::{generate, Container, Date, Options, Scenario, Seed, Size, Spec};
    let today = now.unix_timestamp().div_euclid(86_400);
    let containers = [Container::BareXml, Container::EbXmlMime, Container::MhsJson];
    let mut files = Vec::new();
    let mut registrations = Vec::new();
    let scenarios: Vec<Scenario> = match choice {
        Choice::Every => Scenario::ALL
            .into_iter()
            .filter(|s| *s != Scenario::HugeRecord)
            .collect(),
        // The huge record is about 100 MB: one is plenty.
        Choice::Only(Scenario::HugeRecord) => vec![Scenario::HugeRecord],
        Choice::Only(s) => vec![s; 3],
    };
    for (i, scenario) in scenarios.into_iter().enumerate() {
        let spec = Spec {
            size: Size { entries: 40 + 15 * i },
            container: containers[i % containers.len()],
            scenario,
            options: Options {
                sent_on: Some(Date(today - SENT_DAYS_AGO[i % SENT_DAYS_AGO.len()])),
                ..Options::default()
            },
            ..Spec::default()
        };
        let record = generate(Seed(TRAINING_SEED + i as u64), &spec);
        registrations.push(record.plan.registration.to_json());
        for f in record.files {
            files.push((format!("{:02}-{}-{}", i + 1, scenario.name(), f.name), f.bytes));
        }
    }
    ScenarioSet { files, registrations }
}
