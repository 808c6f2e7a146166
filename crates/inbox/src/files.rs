//! File-system steps of the pipeline, each safe to interrupt: atomic writes (temporary file,
//! flushed, renamed), content-addressed copies, moves that survive crossing file systems.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::InboxError;

/// Writes `bytes` to `path` so that a reader sees either nothing or the whole file: a temporary
/// file in the same folder, flushed to disk, then renamed; owner-only permissions.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), InboxError> {
    write_stream_atomically(path, &mut &bytes[..]).map(|_| ())
}

/// Like [`write_atomically`] from a stream; returns the SHA-256 (hex) and length written.
pub(crate) fn write_stream_atomically(
    path: &Path,
    source: &mut dyn Read,
) -> Result<(String, u64), InboxError> {
    let dir = parent(path);
    create_dir(&dir)?;
    let tmp = temp_path(&dir, path);
    let mut write = || -> std::io::Result<(String, u64)> {
        let mut f = private_file(&tmp)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut len = 0u64;
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
            f.write_all(&buf[..n])?;
            len += n as u64;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_parent(path);
        Ok((hex(&hasher.finalize()), len))
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InboxError::io(format!("Could not write {}", path.display()), e)
    })
}

/// Streams `source` into `root` under its SHA-256 (`ab/abcdef...`): returns (sha256, length, name).
/// Writing the same content twice is harmless.
pub(crate) fn store_content(root: &Path, source: &mut dyn Read) -> Result<(String, u64, String), InboxError> {
    create_dir(root)?;
    let tmp = root.join(format!(".incoming-{}.tmp", unique_suffix()));
    let (sha, len) = write_stream_atomically(&tmp, source)?;
    let name = content_name(&sha);
    let target = root.join(&name);
    create_dir(&parent(&target))?;
    std::fs::rename(&tmp, &target).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InboxError::io(format!("Could not write {}", target.display()), e)
    })?;
    sync_parent(&target);
    Ok((sha, len, name))
}

/// Writes `bytes`, whose SHA-256 is `sha256`, into `root` unless already there; returns its name.
pub(crate) fn store_bytes(root: &Path, sha256: &str, bytes: &[u8]) -> Result<String, InboxError> {
    let name = content_name(sha256);
    let target = root.join(&name);
    let present = std::fs::metadata(&target).is_ok_and(|m| m.len() == bytes.len() as u64);
    if !present {
        write_atomically(&target, bytes)?;
    }
    Ok(name)
}

pub(crate) fn content_name(sha256: &str) -> String {
    format!("{}/{}", &sha256[..2.min(sha256.len())], sha256)
}

/// Moves a file, copying safely (then removing the source) when `rename` cannot cross file systems.
/// The file ends owner-only, whatever permissions the sender gave it.
pub(crate) fn move_file(from: &Path, to: &Path) -> Result<(), InboxError> {
    match std::fs::rename(from, to) {
        Ok(()) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // Best effort: a file owned by another account cannot be changed, and it must still
                // be filed (its folder is owner-only all the same).
                let _ = std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600));
            }
            sync_parent(to);
            return Ok(());
        }
        // Only another file system is a reason to copy; anything else (no right to remove the
        // sender's file...) must leave everything as it was.
        Err(e) if e.kind() != std::io::ErrorKind::CrossesDevices => {
            return Err(InboxError::io(format!("Could not move {}", from.display()), e));
        }
        Err(_) => {}
    }
    let mut source = std::fs::File::open(from)
        .map_err(|e| InboxError::io(format!("Could not read {}", from.display()), e))?;
    write_stream_atomically(to, &mut source)?;
    std::fs::remove_file(from).map_err(|e| {
        // The copy must not outlive a source that stays: it would be filed twice.
        let _ = std::fs::remove_file(to);
        InboxError::io(format!("Could not remove {}", from.display()), e)
    })
}

/// Flushes a folder's entries to disk, so that a rename survives a power cut before the database
/// commit that refers to it. Best effort: not every file system supports it.
pub(crate) fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// `name` cut to at most `max` bytes at a character boundary, keeping its extension when it can:
/// file names are limited to 255 bytes and the pipeline adds to them.
pub(crate) fn shorten_name(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 10)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let mut cut = max.saturating_sub(ext.len() + 1);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{ext}", &name[..cut])
}

/// Removes a file; one already gone is fine.
pub(crate) fn remove_if_present(path: &Path) -> Result<(), InboxError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(InboxError::io(format!("Could not remove {}", path.display()), e)),
    }
}

/// A name in `dir` not yet taken there nor by `also_taken`: `name`, else `name (2)`, `name (3)`...
/// keeping the extension.
pub(crate) fn free_name_where(dir: &Path, name: &str, also_taken: impl Fn(&str) -> bool) -> String {
    let taken =
        |n: &str| dir.join(n).exists() || dir.join(format!("{n}.reason.txt")).exists() || also_taken(n);
    if !taken(name) {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|i| format!("{stem} ({i}){ext}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| name.to_owned())
}

/// [`free_name_where`] with only the folder to ask.
pub(crate) fn free_name(dir: &Path, name: &str) -> String {
    free_name_where(dir, name, |_| false)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Unique within this machine for ever: wall-clock nanoseconds, process id and a counter.
pub(crate) fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{nanos:x}-{:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn parent(path: &Path) -> PathBuf {
    path.parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn create_dir(dir: &Path) -> Result<(), InboxError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| InboxError::io(format!("Could not create the folder {}", dir.display()), e))
}

fn temp_path(dir: &Path, path: &Path) -> PathBuf {
    dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        unique_suffix()
    ))
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_names_keep_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(free_name(dir.path(), "a.xml"), "a.xml");
        std::fs::write(dir.path().join("a.xml"), "x").unwrap();
        assert_eq!(free_name(dir.path(), "a.xml"), "a (2).xml");
        std::fs::write(dir.path().join("a (2).xml.reason.txt"), "x").unwrap();
        assert_eq!(free_name(dir.path(), "a.xml"), "a (3).xml");
        std::fs::write(dir.path().join("noext"), "x").unwrap();
        assert_eq!(free_name(dir.path(), "noext"), "noext (2)");
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary_keeping_the_extension() {
        assert_eq!(shorten_name("short.xml", 100), "short.xml");
        let long = format!("{}.xml", "é".repeat(150));
        let cut = shorten_name(&long, 120);
        assert!(cut.len() <= 120, "{}", cut.len());
        assert!(cut.ends_with("~.xml"), "{cut}");
        assert!(cut.starts_with('é'));
    }

    #[test]
    fn content_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let (sha, len, name) = store_content(dir.path(), &mut &b"hello"[..]).unwrap();
        assert_eq!(len, 5);
        assert_eq!(sha, sha256_hex(b"hello"));
        assert_eq!(name, content_name(&sha));
        assert_eq!(std::fs::read(dir.path().join(&name)).unwrap(), b"hello");
        assert_eq!(store_bytes(dir.path(), &sha, b"hello").unwrap(), name);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());
    }
}
