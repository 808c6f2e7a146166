//! `gp2gp-inbox ingest --db PATH FILE...`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use inbox::{DataPaths, Inbox, IngestOutcome, SystemClock};

pub fn run(db: &Path, files: &[PathBuf]) -> ExitCode {
    let inbox = match Inbox::open(DataPaths::beside_database(db), Arc::new(SystemClock)) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    for file in files {
        let line = match inbox.import_file(file) {
            Ok(IngestOutcome::Stored { transfer_id }) => {
                format!("stored\t{}\ttransfer {transfer_id}", file.display())
            }
            Ok(IngestOutcome::Duplicate { transfer_id }) => {
                format!("duplicate\t{}\tsame as transfer {transfer_id}", file.display())
            }
            Ok(IngestOutcome::Quarantined { reason, .. }) => {
                format!("quarantined\t{}\t{reason}", file.display())
            }
            Err(e) => {
                failed = true;
                format!("error\t{}\t{e}", file.display())
            }
        };
        println!("{line}");
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
