//! Watching the incoming folder: an initial scan, then file-system events (inotify via `notify`),
//! with a periodic rescan as a safety net. A file is handed to ingest once [`Arrivals`] says it has
//! finished arriving. Problems (folder missing, not writable, a folder dropped in, an unreadable file)
//! never stop the watcher: they become a status or a notice in plain English, and nothing is lost.
//!
//! The watcher knows nothing of Tauri: it reports [`InboxEvent`]s to a callback; the shell names them
//! for the front end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

use crate::arrivals::{is_temporary_name, Arrivals};
use crate::dto::{InboxEvent, WatchStatus};
use crate::Inbox;

#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// How long a file's size must hold still before it counts as arrived.
    pub stable_for: Duration,
    /// How often pending files are looked at again.
    pub tick: Duration,
    /// How often the whole folder is listed again, in case an event was missed.
    pub rescan_every: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            stable_for: Duration::from_secs(1),
            tick: Duration::from_millis(250),
            rescan_every: Duration::from_secs(5),
        }
    }
}

enum Msg {
    Fs(notify::Result<notify::Event>),
    Stop,
}

/// A running watch on the inbox's incoming folder. Stops when dropped.
pub struct FolderWatcher {
    tx: mpsc::Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FolderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatcher").finish_non_exhaustive()
    }
}

impl FolderWatcher {
    pub fn start(
        inbox: Arc<Inbox>,
        options: WatchOptions,
        on_event: impl Fn(InboxEvent) + Send + 'static,
    ) -> FolderWatcher {
        let (tx, rx) = mpsc::channel();
        let fs_tx = tx.clone();
        let thread = std::thread::Builder::new()
            .name("incoming-folder".into())
            .spawn(move || {
                let mut run = Run {
                    inbox,
                    options,
                    on_event: Box::new(on_event),
                    fs_tx,
                    watcher: None,
                    arrivals: Arrivals::new(
                        time::Duration::try_from(options.stable_for).unwrap_or(time::Duration::SECOND),
                    ),
                    last_scan: None,
                    reported: HashMap::new(),
                };
                run.run(&rx);
            })
            .ok();
        FolderWatcher { tx, thread }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Run {
    inbox: Arc<Inbox>,
    options: WatchOptions,
    on_event: Box<dyn Fn(InboxEvent) + Send>,
    fs_tx: mpsc::Sender<Msg>,
    watcher: Option<notify::RecommendedWatcher>,
    arrivals: Arrivals,
    last_scan: Option<Instant>,
    /// Things already told to the user (folders dropped in, unreadable files), with the size seen,
    /// so a notice is given once, not at every rescan.
    reported: HashMap<PathBuf, u64>,
}

impl Run {
    fn dir(&self) -> &Path {
        &self.inbox.paths().incoming
    }

    fn run(&mut self, rx: &mpsc::Receiver<Msg>) {
        self.set_status(None);
        loop {
            if self.watcher.is_none() {
                self.establish();
            }
            match rx.recv_timeout(self.options.tick) {
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Ok(Msg::Fs(Ok(event))) => {
                    for path in event.paths {
                        if path.parent() == Some(self.dir()) {
                            self.observe(&path);
                        }
                    }
                }
                // The kernel's event queue overflowed or similar: list the folder again.
                Ok(Msg::Fs(Err(_))) => self.last_scan = None,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.watcher.is_some() && !self.dir().is_dir() {
                self.watcher = None;
                let msg = format!(
                    "The incoming folder {} has disappeared. GP2GP Inbox will start watching it again as soon as it is back.",
                    self.dir().display()
                );
                self.set_status(Some(msg));
                continue;
            }
            if self.watcher.is_some() {
                if self
                    .last_scan
                    .is_none_or(|t| t.elapsed() >= self.options.rescan_every)
                {
                    self.scan();
                    self.retry_held();
                    self.expire_awaiting();
                }
                self.refresh_pending();
                let due = self.arrivals.take_due(self.inbox.clock().now());
                for path in due {
                    self.ingest(&path);
                }
            }
        }
    }

    /// Makes sure the folder exists and is writable, and starts watching it.
    fn establish(&mut self) {
        let dir = self.dir().to_owned();
        if let Err(problem) = check_folder(&dir) {
            self.set_status(Some(problem));
            return;
        }
        let tx = self.fs_tx.clone();
        let watcher = notify::recommended_watcher(move |res| {
            let _ = tx.send(Msg::Fs(res));
        })
        .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w));
        match watcher {
            Ok(w) => {
                self.watcher = Some(w);
                self.last_scan = None;
                self.set_status(None);
            }
            Err(e) => self.set_status(Some(format!(
                "GP2GP Inbox cannot watch the incoming folder {}: {e}. New files will not appear until this is fixed.",
                dir.display()
            ))),
        }
    }

    fn scan(&mut self) {
        self.last_scan = Some(Instant::now());
        let Ok(entries) = std::fs::read_dir(self.dir()) else {
            return;
        };
        for entry in entries.flatten() {
            self.observe(&entry.path());
        }
    }

    fn observe(&mut self, path: &Path) {
        if is_temporary_name(path) {
            return;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                if self.reported.insert(path.to_owned(), 0).is_none() {
                    self.notice(format!(
                        "A folder named \"{}\" was put in the incoming folder. Folders are left alone: move the files inside it into the incoming folder itself.",
                        file_name(path)
                    ));
                }
            }
            Ok(m) if m.is_file() => self.arrivals.observe(path, m.len(), self.inbox.clock().now()),
            Ok(_) => {}
            Err(_) => self.arrivals.forget(path),
        }
    }

    fn refresh_pending(&mut self) {
        let pending: Vec<PathBuf> = self.arrivals.pending().map(Path::to_owned).collect();
        for path in pending {
            self.observe(&path);
        }
    }

    fn ingest(&mut self, path: &Path) {
        match self.inbox.ingest_file(path) {
            Ok(outcome) => {
                self.reported.remove(path);
                for event in self.inbox.announce(&outcome, &file_name(path)) {
                    (self.on_event)(event);
                }
            }
            Err(e) => {
                // The file stays where it is; tell the user once per version of the file.
                let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                if self.reported.insert(path.to_owned(), size) != Some(size) {
                    let where_ = if path.exists() {
                        "was left in the incoming folder".to_owned()
                    } else {
                        format!("is kept in {}", self.inbox.paths().processing.display())
                    };
                    self.notice(format!(
                        "\"{}\" could not be filed and {where_}: {e}. GP2GP Inbox will try again.",
                        file_name(path)
                    ));
                }
            }
        }
    }

    /// Files whose filing failed after they were claimed are tried again.
    fn retry_held(&mut self) {
        for (name, outcome) in self.inbox.retry_held().unwrap_or_default() {
            for event in self.inbox.announce(&outcome, &name) {
                (self.on_event)(event);
            }
        }
    }

    /// Records whose large-message parts are overdue become incomplete; the screen hears of it.
    fn expire_awaiting(&mut self) {
        let Ok(expired) = self.inbox.expire_awaiting() else {
            return;
        };
        for id in expired {
            if let Ok(transfer) = self.inbox.transfer(id) {
                (self.on_event)(InboxEvent::TransferStored {
                    transfer: Box::new(transfer),
                });
            }
        }
    }

    fn notice(&mut self, message: String) {
        let notice = self.inbox.add_notice(message);
        (self.on_event)(InboxEvent::Notice { notice });
    }

    fn set_status(&mut self, problem: Option<String>) {
        let paths = self.inbox.paths();
        let status = WatchStatus {
            incoming_dir: paths.incoming.display().to_string(),
            incoming_source: paths.incoming_source,
            watching: problem.is_none() && self.watcher.is_some(),
            problem,
        };
        if self.inbox.watch_status().as_ref() == Some(&status) {
            return;
        }
        self.inbox.set_watch_status(status.clone());
        (self.on_event)(InboxEvent::WatchChanged { status });
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Creates the folder if needed and checks that files can be moved out of it.
fn check_folder(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| {
            format!(
                "The incoming folder {} does not exist and could not be created ({e}). Create it, or choose another folder in Settings.",
                dir.display()
            )
        })?;
    }
    if !dir.is_dir() {
        return Err(format!(
            "The incoming folder {} is a file, not a folder. Choose another folder in Settings.",
            dir.display()
        ));
    }
    let probe = dir.join(".gp2gp-inbox-write-check");
    std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)).map_err(|e| {
        format!(
            "GP2GP Inbox cannot write to the incoming folder {} ({e}), so it cannot take files out of it. Ask your IT support to give it write access.",
            dir.display()
        )
    })
}
