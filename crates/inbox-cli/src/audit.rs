//! `gp2gp-inbox audit verify|list`: the audit trail from the command line.

use std::path::Path;
use std::process::ExitCode;

/// Checks the hash chain. Exit 0 when it holds, 1 when an entry does not, 2 on error.
pub fn verify(db: &Path) -> ExitCode {
    let inbox = match crate::open_beside(db) {
        Ok(i) => i,
        Err(code) => return code,
    };
    match inbox.verify_audit() {
        Ok(v) => match v.broken {
            None => {
                println!("audit trail holds: {} entries, latest hash {}", v.entries, v.head);
                ExitCode::SUCCESS
            }
            Some((id, why)) => {
                println!(
                    "audit trail BROKEN at entry {id}: {why} ({} entries checked)",
                    v.entries
                );
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            ExitCode::from(2)
        }
    }
}

/// Lists entries, newest first: id, when, who (role), what, transfer, detail.
pub fn list(db: &Path, transfer: Option<i64>, limit: u32, as_json: bool) -> ExitCode {
    let inbox = match crate::open_beside(db) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let entries = match inbox.audit_entries(transfer, limit) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gp2gp-inbox: {e}");
            return ExitCode::from(2);
        }
    };
    for e in entries {
        let f = &e.fields;
        if as_json {
            println!(
                "{}",
                serde_json::json!({
                    "id": e.id, "at": f.at, "user": f.user_name, "role": f.role, "action": f.action,
                    "transferId": f.transfer_id, "detail": f.detail, "hash": e.hash,
                })
            );
        } else {
            let transfer = f.transfer_id.map(|t| format!("transfer {t}")).unwrap_or_default();
            println!(
                "{}\t{}\t{} ({})\t{}\t{transfer}\t{}",
                e.id, f.at, f.user_name, f.role, f.action, f.detail
            );
        }
    }
    ExitCode::SUCCESS
}
