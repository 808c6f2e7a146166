//! One process at a time files into a data folder.
//!
//! Opening an inbox takes an exclusive lock on `<data folder>/inbox.lock` (an OS file lock, released
//! if the process dies). Inboxes of the same process share it. A second process (the command line
//! while the app runs) still opens the inbox, but leaves crash recovery to the process that holds
//! the lock, so it never finishes another process's files while they are being filed.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Lock files held by this process, with how many inboxes use each.
static HELD: Mutex<Option<HashMap<PathBuf, (File, usize)>>> = Mutex::new(None);

/// This process's share of a data folder's lock; released when the last share is dropped.
#[derive(Debug)]
pub(crate) struct DirLock {
    path: PathBuf,
}

impl DirLock {
    /// The lock on `data_dir`, or `None` when another process holds it.
    pub(crate) fn acquire(data_dir: &Path) -> Option<DirLock> {
        let path = data_dir.join(crate::paths::LOCK_FILE);
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        let held = held.get_or_insert_with(HashMap::new);
        if let Some((_, users)) = held.get_mut(&path) {
            *users += 1;
            return Some(DirLock { path });
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .ok()?;
        file.try_lock().ok()?;
        held.insert(path.clone(), (file, 1));
        Some(DirLock { path })
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(held) = held.as_mut() {
            if let Some((_, users)) = held.get_mut(&self.path) {
                *users -= 1;
                if *users == 0 {
                    // Closing the file releases the lock.
                    held.remove(&self.path);
                }
            }
        }
    }
}

/// The file locked while a file is filed, in the records folder; `None` if it cannot be opened
/// (then only this process's own mutex serialises filing).
pub(crate) fn filing_file(storage_dir: &Path) -> Option<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(storage_dir.join(crate::paths::FILING_LOCK_FILE))
        .ok()
}

/// Held while one file is filed: the process's mutex and the OS lock on `filing.lock`.
pub(crate) struct FilingGuard<'a> {
    _mutex: MutexGuard<'a, ()>,
    file: Option<&'a File>,
}

impl<'a> FilingGuard<'a> {
    pub(crate) fn new(mutex: MutexGuard<'a, ()>, file: Option<&'a File>) -> Self {
        // Waits while another process files. Should locking fail, filing goes on under the mutex.
        let file = file.filter(|f| f.lock().is_ok());
        FilingGuard { _mutex: mutex, file }
    }
}

impl Drop for FilingGuard<'_> {
    fn drop(&mut self) {
        if let Some(f) = self.file {
            let _ = f.unlock();
        }
    }
}
