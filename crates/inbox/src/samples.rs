//! Built-in sample records (synthetic NHS test data, see `assets/samples/NOTICE.md`), loaded on first
//! run when nothing is configured so that a newcomer sees a working inbox.

use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::files::{hex, write_atomically};
use crate::InboxError;

/// (file name, bytes) of every sample.
pub const SAMPLES: &[(&str, &[u8])] = &[
    (
        "sample-emis-allergies.xml",
        include_bytes!("../../../assets/samples/sample-emis-allergies.xml"),
    ),
    (
        "sample-tpp-systmone.xml",
        include_bytes!("../../../assets/samples/sample-tpp-systmone.xml"),
    ),
    (
        "sample-adaptor-degraded-codes.xml",
        include_bytes!("../../../assets/samples/sample-adaptor-degraded-codes.xml"),
    ),
];

fn sample_hashes() -> &'static [String] {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        SAMPLES
            .iter()
            .map(|(_, bytes)| hex(&Sha256::digest(bytes)))
            .collect()
    })
}

/// True when these are exactly the bytes of a built-in sample.
pub fn is_sample(sha256: &str) -> bool {
    sample_hashes().iter().any(|h| h == sha256)
}

/// Drops the samples into `incoming`, where the watcher files them like any arrival.
pub fn place_in(incoming: &Path) -> Result<usize, InboxError> {
    for (name, bytes) in SAMPLES {
        write_atomically(&incoming.join(name), bytes)?;
    }
    Ok(SAMPLES.len())
}
