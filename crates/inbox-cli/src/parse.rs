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

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 14] = [
        "compositions",
        "medication_courses",
        "acute_courses",
        "repeat_courses",
        "issues",
        "discontinuations",
        "allergies",
        "drug_allergies",
        "non_drug_allergies",
        "problems",
        "degraded",
        "documents",
        "absent_attachments",
        "nopat",
    ];

    fn corpus(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/public")
            .join(name)
    }

    #[test]
    fn report_follows_the_contract() {
        let v = report(&corpus("tpp_systmone_uk06_payload.xml"));
        for key in [
            "file",
            "interaction",
            "extract_id",
            "conversation_id",
            "nhs_number",
            "sending_ods",
            "receiving_ods",
            "counts",
            "diagnostics",
        ] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        let counts = v["counts"].as_object().unwrap();
        assert_eq!(counts.len(), KEYS.len());
        for k in KEYS {
            assert!(counts[k].is_u64(), "{k}");
        }
        assert_eq!(v["interaction"], "RCMR_IN030000UK06");
        assert_eq!(v["counts"]["issues"], 3);
        assert!(v["conversation_id"].is_null());

        let v = report(&corpus("vision_large_attachment_uk06.json"));
        assert_eq!(v["conversation_id"], "{{conversationId}}");

        let dir = std::env::temp_dir().join(format!("parse-contract-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.txt");
        std::fs::write(&junk, "not xml").unwrap();
        let v = report(&junk);
        assert_eq!(v["error"]["code"], "not_xml");
        assert!(v["error"]["message"].as_str().unwrap().contains("XML"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
