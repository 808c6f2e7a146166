//! `gp2gp-inbox watch --db PATH DIR`: the app's pipeline without the window, until interrupted.
//!
//! Stopping it at any moment (Ctrl-C, SIGTERM, even SIGKILL) is safe: the pipeline finishes
//! whatever was half-done the next time the inbox opens.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use inbox::paths::IncomingSource;
use inbox::watch::{FolderWatcher, WatchOptions};
use inbox::{DataPaths, PipelineOptions};

use crate::events::{self, print_line};

pub fn run(db: &Path, dir: &Path, settle_ms: u64, timeout_hours: u32, as_json: bool) -> ExitCode {
    let mut paths = DataPaths::beside_database(db).with_outbox_override(None, inbox::session::env_outbox());
    if same_folder(dir, &paths.data_dir) {
        eprintln!(
            "gp2gp-inbox: {} holds the inbox database; watch another folder, or keep the database elsewhere",
            dir.display()
        );
        return ExitCode::from(2);
    }
    paths.incoming = dir.to_owned();
    paths.incoming_source = IncomingSource::Setting;
    let options = PipelineOptions {
        attachment_timeout: time::Duration::hours(i64::from(timeout_hours)),
    };
    let inbox = match crate::open_inbox(paths, options) {
        Ok(i) => Arc::new(i),
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::from(2);
        }
    };
    // Made now, so that files can be dropped in as soon as the first line is out; if it cannot
    // be, the watcher says why (and keeps trying).
    let _ = std::fs::create_dir_all(dir);
    let started = format!("watching {}", dir.display());
    if as_json {
        // stdout stays pure JSON lines.
        eprintln!("{started}");
    } else {
        print_line(&started);
    }
    let _watcher = FolderWatcher::start(inbox, watch_options(settle_ms), events::printer(as_json));
    // The watcher works on its own thread until the process is stopped.
    loop {
        std::thread::park();
    }
}

/// Settle time as asked; ticks often enough to notice it (every 250 ms at most, 10 ms at least);
/// the whole folder listed again every 5 s at most, in case an event was missed.
fn watch_options(settle_ms: u64) -> WatchOptions {
    let stable_for = Duration::from_millis(settle_ms);
    WatchOptions {
        stable_for,
        tick: (stable_for / 2).clamp(Duration::from_millis(10), Duration::from_millis(250)),
        rescan_every: (stable_for * 5).clamp(Duration::from_secs(1), Duration::from_secs(5)),
    }
}

/// True when both name the same existing folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_follow_the_settle_time() {
        let o = watch_options(1000);
        assert_eq!(o.tick, Duration::from_millis(250));
        assert_eq!(o.rescan_every, Duration::from_secs(5));
        let o = watch_options(20);
        assert_eq!(o.tick, Duration::from_millis(10));
        assert_eq!(o.rescan_every, Duration::from_secs(1));
        let o = watch_options(0);
        assert_eq!(o.stable_for, Duration::ZERO);
        assert_eq!(o.tick, Duration::from_millis(10));
    }
}
