//! The `gp2gp-inbox` binary, run as a user would.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gp2gp-inbox"))
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name)
}

#[test]
fn version_is_printed() {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("gp2gp-inbox {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn ingest_prints_one_line_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("inbox.sqlite3");
    let junk = dir.path().join("junk.xml");
    std::fs::write(&junk, "not xml at all").unwrap();
    let extract = corpus("tpp_systmone_uk06_payload.xml");
    let out = bin()
        .arg("ingest")
        .arg("--db")
        .arg(&db)
        .arg(&extract)
        .arg(&extract)
        .arg(&junk)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("stored\t"), "{stdout}");
    assert!(lines[1].starts_with("duplicate\t"), "{stdout}");
    assert!(
        lines[2].starts_with("quarantined\t") && lines[2].contains("XML"),
        "{stdout}"
    );
    assert!(junk.exists(), "command-line ingest leaves the file in place");
    assert!(dir.path().join("quarantine/junk.xml.reason.txt").exists());

    let missing = bin()
        .arg("ingest")
        .arg("--db")
        .arg(&db)
        .arg(dir.path().join("nope.xml"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stdout).starts_with("error\t"));
}
