//! `gp2gp-inbox parse --json FILE...`: one JSON object per file, one per line.
//!
//! The contract (issue 3): `{"file", "interaction", "extract_id", "conversation_id", "nhs_number",
//! "sending_ods", "receiving_ods", "counts": {...}, "diagnostics": [{"severity","message","at"}]}`, or
//! `{"file", "error": {"code","message"}}` for a file that is not a GP2GP message. Exit status 1 if any
//! file is an error. Counts are [`gp2gp::Counts`], in the contract's key order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Map, Value};

pub fn run(files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in files {
        let line = report(file);
        failed |= line.get("error").is_some();
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn report(file: &Path) -> Value {
    let name = file.display().to_string();
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            return json!({"file": name, "error": {"code": "unreadable", "message": format!("Could not read the file: {e}.")}})
        }
    };
    match gp2gp::read(&bytes) {
        Ok(m) => {
            let s = m.summary();
            let mut counts = Map::new();
            for (k, v) in m.counts.fields() {
                counts.insert(k.to_owned(), json!(v));
            }
            let diagnostics: Vec<Value> = m
                .diagnostics
                .iter()
                .map(|d| json!({"severity": d.severity.code(), "message": d.message, "at": d.at}))
                .collect();
            json!({
                "file": name,
                "interaction": s.interaction.id(),
                "extract_id": s.extract_id,
                "conversation_id": s.conversation_id,
                "nhs_number": s.nhs_number,
                "sending_ods": s.sending_ods,
                "receiving_ods": s.receiving_ods,
                "counts": counts,
                "diagnostics": diagnostics,
            })
        }
        Err(e) => json!({"file": name, "error": {"code": e.kind.code(), "message": e.reason}}),
    }
}
