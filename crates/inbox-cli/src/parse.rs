//! `gp2gp-inbox parse --json FILE...`: one JSON object per file, one per line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Value};

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
    match gp2gp::summarise(&bytes) {
        Ok(s) => json!({
            "file": name,
            "interaction": s.interaction.id(),
            "extract_id": s.extract_id,
            "conversation_id": Value::Null,
            "nhs_number": s.nhs_number,
            "sending_ods": s.sending_ods,
            "receiving_ods": s.receiving_ods,
        }),
        Err(e) => json!({"file": name, "error": {"code": e.kind.code(), "message": e.reason}}),
    }
}
