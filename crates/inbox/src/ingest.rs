//! Filing one arrived file: stored (original archived by SHA-256), duplicate, or quarantined.
//!
//! Order of work, chosen so that a crash at any point loses nothing: the original is written to the
//! archive first (content-addressed, so rewriting it is harmless), then the row is inserted, and only
//! then is the incoming file removed. If we stop before the removal, the file is read again at the
//! next start, recognised by its hash, and removed then.

use std::io::Write;
use std::path::{Path, PathBuf};

use inbox_store::{NewQuarantined, NewTransfer};
use sha2::{Digest, Sha256};

use crate::clock::rfc3339;
use crate::{samples, Inbox, InboxError};

/// Where a stored message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Arrived in the watched folder or was imported on the command line.
    Folder,
    /// One of the built-in sample records loaded on first run.
    Sample,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Folder => "folder",
            Origin::Sample => "sample",
        }
    }
}

/// What became of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Read and stored as a new transfer.
    Stored { transfer_id: i64 },
    /// Exactly these bytes were stored before, as this transfer.
    Duplicate { transfer_id: i64 },
    /// Could not be read as a GP2GP message; kept in the quarantine folder.
    Quarantined { quarantine_id: i64, reason: String },
}

/// What to do with the source file once it is safely filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The watched folder: the file moves out of it (into the archive or the quarantine).
    Consume,
    /// A file named on the command line: left where it is.
    Keep,
}

pub(crate) fn ingest_file(inbox: &Inbox, path: &Path, source: Source) -> Result<IngestOutcome, InboxError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // If the file cannot be read (permissions, vanished) it stays exactly where it is.
    let bytes =
        std::fs::read(path).map_err(|e| InboxError::io(format!("Could not read {}", path.display()), e))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let now = rfc3339(inbox.clock().now());

    if let Some(existing) = inbox.store().transfer_by_sha256(&sha256)? {
        finish_source(path, source)?;
        return Ok(IngestOutcome::Duplicate {
            transfer_id: existing.id,
        });
    }

    match gp2gp::summarise(&bytes) {
        Ok(summary) => {
            let archive_name = format!("{}/{}", &sha256[..2], sha256);
            write_atomically(&inbox.paths().archive.join(&archive_name), &bytes)?;
            let origin = if samples::is_sample(&sha256) {
                crate::Origin::Sample
            } else {
                crate::Origin::Folder
            };
            let row = NewTransfer {
                interaction: summary.interaction.id().to_owned(),
                message_id: summary.message_id,
                extract_id: summary.extract_id,
                nhs_number: summary.nhs_number,
                sending_ods: summary.sending_ods,
                receiving_ods: summary.receiving_ods,
                sent_at: summary.sent_at,
                received_at: now,
                file_name,
                sha256,
                size_bytes: bytes.len() as u64,
                archive_name,
                origin: origin.as_str().to_owned(),
            };
            let transfer_id = inbox.store().insert_transfer(&row)?;
            finish_source(path, source)?;
            Ok(IngestOutcome::Stored { transfer_id })
        }
        Err(err) => {
            let quarantine_name = free_name(&inbox.paths().quarantine, &file_name);
            let target = inbox.paths().quarantine.join(&quarantine_name);
            match source {
                Source::Consume => move_file(path, &target)?,
                Source::Keep => write_atomically(&target, &bytes)?,
            }
            let reason = err.reason;
            let note = format!(
                "GP2GP Inbox could not read this file.\n\nFile: {file_name} ({} bytes)\nReceived: {now}\nReason: {reason}\n\n\
                 The file is kept here unchanged. Ask the sender to send it again, or contact your system supplier.\n",
                bytes.len()
            );
            write_atomically(
                &inbox
                    .paths()
                    .quarantine
                    .join(format!("{quarantine_name}.reason.txt")),
                note.as_bytes(),
            )?;
            let quarantine_id = inbox.store().insert_quarantined(&NewQuarantined {
                file_name,
                quarantine_name,
                reason_code: err.kind.code().to_owned(),
                reason: reason.clone(),
                sha256,
                size_bytes: bytes.len() as u64,
                quarantined_at: now,
            })?;
            Ok(IngestOutcome::Quarantined {
                quarantine_id,
                reason,
            })
        }
    }
}

fn finish_source(path: &Path, source: Source) -> Result<(), InboxError> {
    match source {
        Source::Consume => std::fs::remove_file(path).or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(InboxError::io(
                format!("Stored, but could not remove {}", path.display()),
                e,
            )),
        }),
        Source::Keep => Ok(()),
    }
}

/// A name in `dir` not yet taken: `name`, else `name (2)`, `name (3)`... keeping the extension.
fn free_name(dir: &Path, name: &str) -> String {
    let taken = |n: &str| dir.join(n).exists() || dir.join(format!("{n}.reason.txt")).exists();
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

fn move_file(from: &Path, to: &Path) -> Result<(), InboxError> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    // Another file system: copy safely, then remove the original.
    let bytes =
        std::fs::read(from).map_err(|e| InboxError::io(format!("Could not read {}", from.display()), e))?;
    write_atomically(to, &bytes)?;
    std::fs::remove_file(from).map_err(|e| InboxError::io(format!("Could not remove {}", from.display()), e))
}

/// Writes `bytes` to `path` so that a reader sees either nothing or the whole file: a temporary
/// file in the same folder, flushed to disk, then renamed; owner-only permissions.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), InboxError> {
    let dir = path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)
        .map_err(|e| InboxError::io(format!("Could not create the folder {}", dir.display()), e))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InboxError::io(format!("Could not write {}", path.display()), e)
    })
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
}
