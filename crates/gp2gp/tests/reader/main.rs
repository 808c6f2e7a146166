//! The reader over the public corpus (`../shared/corpus/public/`), hostile input and mutations.
//!
//! The expected counts in [`corpus::EXPECTED`] were worked out independently of this crate (a Python
//! ElementTree script over the same files, following the definitions of issue 3).

mod assembly;
mod corpus;
mod deep;
mod hostile;
mod mutation;

use std::path::PathBuf;

pub fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/public"
    ))
}

pub fn corpus(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn read(name: &str) -> gp2gp::Message {
    gp2gp::read(&corpus(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
