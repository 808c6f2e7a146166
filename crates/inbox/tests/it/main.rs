//! Integration tests for the inbox use-cases: one binary, hermetic (temporary folders), clock injected.

mod bindings;
mod endpoint;
mod ingest;
mod pipeline;
mod review;
mod session;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use inbox::{DataPaths, FixedClock, Inbox, Settings};

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name)
}

pub const T0: time::OffsetDateTime = time::macros::datetime!(2026-03-01 09:30 UTC);

/// A fresh inbox in a temporary data directory, at a fixed time.
pub fn temp_inbox() -> (tempfile::TempDir, Inbox) {
    let dir = tempfile::tempdir().unwrap();
    let inbox = reopen(dir.path(), Arc::new(FixedClock::new(T0)));
    (dir, inbox)
}

/// The inbox in `data_dir` (opening runs crash recovery), on `clock`.
pub fn reopen(data_dir: &Path, clock: Arc<FixedClock>) -> Inbox {
    let paths = DataPaths::resolve(data_dir, None, &Settings::default());
    Inbox::open(paths, clock).unwrap()
}
