//! Writing a body to the spool folder as it arrives.

use std::io;
use std::path::{Path, PathBuf};

use axum::body::Body;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use crate::token::random_hex;

const PART_PREFIX: &str = ".incoming-";
const PART_SUFFIX: &str = ".part";

/// A complete body, synced and under its final name.
pub(crate) struct Spooled {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) size_bytes: u64,
}

/// Why a body was not spooled. The partial file is gone in every case.
pub(crate) enum SpoolError {
    /// The body passed the limit while arriving.
    TooLarge,
    Empty,
    /// The body did not arrive whole: the client went away or sent broken framing.
    Incomplete,
    /// The disk refused.
    Io(io::Error),
}

impl From<io::Error> for SpoolError {
    fn from(e: io::Error) -> Self {
        SpoolError::Io(e)
    }
}

/// Creates the spool folder if missing (owner-only) and removes partial bodies left by a crash:
/// no client was told they had arrived, so the clients will send them again.
pub(crate) fn prepare(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(PART_PREFIX) && name.ends_with(PART_SUFFIX) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Streams `body` into the spool folder: `prefix` first, then each chunk as it arrives, refusing
/// the body once it passes `limit` bytes. On success the file is synced and renamed to
/// `http-<random>.<extension>`.
pub(crate) async fn receive(
    dir: &Path,
    prefix: &[u8],
    mut body: Body,
    limit: u64,
    extension: &str,
) -> Result<Spooled, SpoolError> {
    let id = random_hex(16);
    let part = Part {
        path: dir.join(format!("{PART_PREFIX}{id}{PART_SUFFIX}")),
        kept: false,
    };
    let mut file = create_owner_only(&part.path).await?;
    file.write_all(prefix).await?;
    let mut received: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| SpoolError::Incomplete)?;
        let Ok(data) = frame.into_data() else { continue }; // trailers
        received += data.len() as u64;
        if received > limit {
            return Err(SpoolError::TooLarge);
        }
        file.write_all(&data).await?;
    }
    if received == 0 {
        return Err(SpoolError::Empty);
    }
    file.flush().await?;
    file.sync_all().await?;
    drop(file);

    let name = format!("http-{id}.{extension}");
    let path = dir.join(&name);
    tokio::fs::rename(&part.path, &path).await?;
    part.keep();
    if let Err(e) = sync_dir(dir).await {
        let _ = std::fs::remove_file(&path);
        return Err(e.into());
    }
    Ok(Spooled {
        path,
        name,
        size_bytes: prefix.len() as u64 + received,
    })
}

async fn create_owner_only(path: &Path) -> io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}

/// Makes the rename durable.
async fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    tokio::fs::File::open(dir).await?.sync_all().await?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A partial body's file, removed when dropped unless kept: on every error, and also when the
/// request is abandoned (its future dropped), e.g. when the endpoint stops mid-body.
struct Part {
    path: PathBuf,
    kept: bool,
}

impl Part {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
