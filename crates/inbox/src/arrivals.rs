//! When has a file in the watched folder finished arriving?
//!
//! A sender may still be writing a file when we first see it. A file counts as arrived when its name
//! is not a temporary one (`*.part`, `*.tmp`, dot-files) and its size has not changed for
//! `stable_for`. Pure logic over an injected clock: the watcher feeds it observations.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};

/// True for names a sender uses while a file is still being written, or that are not messages.
pub fn is_temporary_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        // Not valid UTF-8: still a file a sender put there, so it is a candidate (and will likely be quarantined).
        return false;
    };
    let lower = name.to_ascii_lowercase();
    name.starts_with('.') || lower.ends_with(".part") || lower.ends_with(".tmp") || lower.ends_with('~')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    size: u64,
    since: OffsetDateTime,
}

/// Files seen in the folder that have not yet been handed on.
#[derive(Debug)]
pub struct Arrivals {
    stable_for: Duration,
    pending: HashMap<PathBuf, Seen>,
}

impl Arrivals {
    pub fn new(stable_for: Duration) -> Self {
        Arrivals {
            stable_for,
            pending: HashMap::new(),
        }
    }

    /// Notes the file's current size. A changed size restarts its wait.
    pub fn observe(&mut self, path: &Path, size: u64, now: OffsetDateTime) {
        if is_temporary_name(path) {
            return;
        }
        let seen = self
            .pending
            .entry(path.to_owned())
            .or_insert(Seen { size, since: now });
        if seen.size != size {
            *seen = Seen { size, since: now };
        }
    }

    /// The file is gone (moved away, deleted, renamed): stop waiting for it.
    pub fn forget(&mut self, path: &Path) {
        self.pending.remove(path);
    }

    pub fn pending(&self) -> impl Iterator<Item = &Path> {
        self.pending.keys().map(PathBuf::as_path)
    }

    /// Files whose size has held still long enough; they are removed from the pending set.
    pub fn take_due(&mut self, now: OffsetDateTime) -> Vec<PathBuf> {
        let mut due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, seen)| now - seen.since >= self.stable_for)
            .map(|(p, _)| p.clone())
            .collect();
        due.sort();
        for p in &due {
            self.pending.remove(p);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: OffsetDateTime = time::macros::datetime!(2026-03-01 09:00 UTC);

    #[test]
    fn temporary_names_are_ignored() {
        for name in [".hidden.xml", "extract.xml.part", "extract.TMP", "extract.xml~"] {
            assert!(is_temporary_name(Path::new(name)), "{name}");
        }
        for name in ["extract.xml", "message", "part.xml", "AbsentAttachment1.txt"] {
            assert!(!is_temporary_name(Path::new(name)), "{name}");
        }
        let mut a = Arrivals::new(Duration::ZERO);
        a.observe(Path::new("/in/x.part"), 10, T0);
        assert!(a.take_due(T0).is_empty());
    }

    #[test]
    fn a_file_is_due_once_its_size_has_held_still() {
        let mut a = Arrivals::new(Duration::seconds(2));
        let f = Path::new("/in/extract.xml");
        a.observe(f, 100, T0);
        assert!(a.take_due(T0 + Duration::seconds(1)).is_empty());
        // Still growing: the wait starts again.
        a.observe(f, 200, T0 + Duration::seconds(1));
        assert!(a.take_due(T0 + Duration::seconds(2)).is_empty());
        a.observe(f, 200, T0 + Duration::seconds(2));
        assert_eq!(a.take_due(T0 + Duration::seconds(3)), vec![f.to_owned()]);
        // Handed on exactly once.
        assert!(a.take_due(T0 + Duration::seconds(10)).is_empty());
    }

    #[test]
    fn forgotten_files_are_not_due() {
        let mut a = Arrivals::new(Duration::ZERO);
        a.observe(Path::new("/in/a.xml"), 1, T0);
        a.observe(Path::new("/in/b.xml"), 1, T0);
        a.forget(Path::new("/in/a.xml"));
        assert_eq!(a.pending().count(), 1);
        assert_eq!(a.take_due(T0), vec![PathBuf::from("/in/b.xml")]);
    }
}
