//! `gp2gp-inbox ingest --db PATH [--json] FILE|DIR...`: one line per file, what became of it.
//!
//! Text: `<outcome>\t<path>\t<detail>`. JSON: `{"file", "outcome", ...}` with `outcome` one of
//! `stored`, `awaiting_attachments`, `duplicate`, `quarantined`, `error`, and only the keys that
//! outcome has (`messageId`, `transferId`, `quarantineId`, `partsMissing`, `reason`, `errorCode`).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use inbox::arrivals::is_temporary_name;
use inbox::{ApiError, DataPaths, IngestOutcome};
use serde_json::{json, Map, Value};

pub fn run(db: &Path, paths: &[PathBuf], as_json: bool) -> ExitCode {
    let inbox = match crate::open_beside(db) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = false;
    let own = own_files(inbox.paths());
    for path in paths {
        let files = match files_of(path, &own) {
            Ok(files) => files,
            Err(e) => {
                failed = true;
                let e = ApiError::new(
                    inbox::ErrorCode::Io,
                    format!("Could not list {}: {e}", path.display()),
                );
                let _ = writeln!(out, "{}", line(path, &Err(e), as_json));
                continue;
            }
        };
        for file in files {
            let outcome = inbox.import_file(&file).map_err(ApiError::from);
            failed |= outcome.is_err();
            if writeln!(out, "{}", line(&file, &outcome, as_json)).is_err() {
                return ExitCode::FAILURE;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The inbox's own files (database, its journals, settings, token), which a folder given on the
/// command line may hold when it is the data folder: never filed as messages.
fn own_files(paths: &DataPaths) -> HashSet<PathBuf> {
    let db = paths.database.as_os_str();
    let with = |suffix: &str| {
        let mut p = db.to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    [
        paths.database.clone(),
        with("-wal"),
        with("-shm"),
        with("-journal"),
        paths.settings_file.clone(),
        paths.data_dir.join(inbox::paths::TOKEN_FILE),
        paths.data_dir.join(inbox::paths::LOCK_FILE),
        paths.storage_dir.join(inbox::paths::LOCK_FILE),
        paths.storage_dir.join(inbox::paths::FILING_LOCK_FILE),
    ]
    .iter()
    .filter_map(|p| p.canonicalize().ok())
    .collect()
}

/// A file is itself; a folder is the files directly inside it that are not still arriving (nor
/// the inbox's own), sorted by name.
fn files_of(path: &Path, own: &HashSet<PathBuf>) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|p| !is_temporary_name(p) && std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .filter(|p| p.canonicalize().map_or(true, |c| !own.contains(&c)))
        .collect();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

fn line(file: &Path, outcome: &Result<IngestOutcome, ApiError>, as_json: bool) -> String {
    if as_json {
        json_line(file, outcome).to_string()
    } else {
        let (word, detail) = text(outcome);
        format!("{word}\t{}\t{detail}", file.display())
    }
}

/// The outcome word and its detail, for people.
fn text(outcome: &Result<IngestOutcome, ApiError>) -> (&'static str, String) {
    match outcome {
        Ok(IngestOutcome::Stored {
            transfer_id: Some(t), ..
        }) => ("stored", format!("transfer {t}")),
        Ok(IngestOutcome::Stored {
            message_id,
            transfer_id: None,
        }) => ("stored", format!("message {message_id}, no transfer")),
        Ok(IngestOutcome::Awaiting {
            transfer_id,
            parts_missing,
            ..
        }) => (
            "awaiting attachments",
            format!("transfer {transfer_id}, {parts_missing} part(s) missing"),
        ),
        Ok(IngestOutcome::Duplicate {
            message_id,
            transfer_id,
            reason,
        }) => (
            "duplicate",
            match transfer_id {
                Some(t) => format!("same as transfer {t}: {reason}"),
                None => format!("same as message {message_id}: {reason}"),
            },
        ),
        Ok(IngestOutcome::Quarantined { reason, .. }) => ("quarantined", reason.clone()),
        Err(e) => ("error", e.message.clone()),
    }
}

fn json_line(file: &Path, outcome: &Result<IngestOutcome, ApiError>) -> Value {
    let mut v = Map::new();
    v.insert("file".into(), json!(file.display().to_string()));
    let code = match outcome {
        Ok(o) => o.code(),
        Err(_) => "error",
    };
    v.insert("outcome".into(), json!(code));
    let mut put = |k: &str, value: Value| {
        v.insert(k.into(), value);
    };
    match outcome {
        Ok(IngestOutcome::Stored {
            message_id,
            transfer_id,
        }) => {
            put("messageId", json!(message_id));
            put("transferId", json!(transfer_id));
        }
        Ok(IngestOutcome::Awaiting {
            message_id,
            transfer_id,
            parts_missing,
        }) => {
            put("messageId", json!(message_id));
            put("transferId", json!(transfer_id));
            put("partsMissing", json!(parts_missing));
        }
        Ok(IngestOutcome::Duplicate {
            message_id,
            transfer_id,
            reason,
        }) => {
            put("messageId", json!(message_id));
            put("transferId", json!(transfer_id));
            put("reason", json!(reason));
        }
        Ok(IngestOutcome::Quarantined {
            quarantine_id,
            reason,
        }) => {
            put("quarantineId", json!(quarantine_id));
            put("reason", json!(reason));
        }
        Err(e) => {
            put("reason", json!(e.message));
            put("errorCode", json!(e.code));
        }
    }
    Value::Object(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_words_and_keys() {
        let stored = Ok(IngestOutcome::Stored {
            message_id: 7,
            transfer_id: Some(3),
        });
        assert_eq!(text(&stored), ("stored", "transfer 3".to_owned()));
        let v = json_line(Path::new("x.xml"), &stored);
        assert_eq!(
            v,
            json!({"file": "x.xml", "outcome": "stored", "messageId": 7, "transferId": 3})
        );

        let awaiting = Ok(IngestOutcome::Awaiting {
            message_id: 8,
            transfer_id: 4,
            parts_missing: 2,
        });
        assert_eq!(
            text(&awaiting),
            ("awaiting attachments", "transfer 4, 2 part(s) missing".to_owned())
        );
        assert_eq!(json_line(Path::new("a"), &awaiting)["partsMissing"], 2);
        assert_eq!(
            json_line(Path::new("a"), &awaiting)["outcome"],
            "awaiting_attachments"
        );

        let duplicate = Ok(IngestOutcome::Duplicate {
            message_id: 7,
            transfer_id: Some(3),
            reason: "exactly the same bytes".into(),
        });
        assert_eq!(
            text(&duplicate),
            (
                "duplicate",
                "same as transfer 3: exactly the same bytes".to_owned()
            )
        );

        let quarantined = Ok(IngestOutcome::Quarantined {
            quarantine_id: 1,
            reason: "not XML".into(),
        });
        let v = json_line(Path::new("j"), &quarantined);
        assert_eq!(v["quarantineId"], 1);
        assert!(v.get("transferId").is_none());

        let error = Err(ApiError::new(inbox::ErrorCode::Io, "Could not read j"));
        assert_eq!(text(&error), ("error", "Could not read j".to_owned()));
        let v = json_line(Path::new("j"), &error);
        assert_eq!(v["outcome"], "error");
        assert_eq!(v["errorCode"], "io");
    }
}
