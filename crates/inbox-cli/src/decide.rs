//! `gp2gp-inbox users|review|decide`: the review decision without the window, under the same
//! rules as the app (roles, reviewed sections, reason codes), for scripts and tests.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use inbox::dto::{DecisionKind, DecisionRequest, MarkRequest, MarkState, NewUserRequest, Role, Section};
use inbox::{DataPaths, Inbox, InboxError, PipelineOptions, Settings};

/// What `decide` was asked to do.
#[derive(Debug, Clone)]
pub struct Choice {
    pub kind: DecisionKind,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// Opens the inbox beside `db`, with the outbox from `--outbox`, `GP2GP_INBOX_OUTBOX`, or the
/// settings beside the database, and that folder's review setting.
fn open(db: &Path, outbox: Option<PathBuf>) -> Result<Inbox, ExitCode> {
    let paths = DataPaths::beside_database(db).with_outbox_override(outbox, inbox::session::env_outbox());
    let settings = Settings::load(&paths.settings_file).unwrap_or_default();
    let inbox = crate::open_inbox(paths, PipelineOptions::default()).map_err(|e| {
        eprintln!("gp2gp-inbox: {e}");
        ExitCode::from(2)
    })?;
    inbox.set_relax_review(settings.relax_review_for_administrators);
    Ok(inbox)
}

/// Exit 1 for a refusal (role, state, reason), 2 for anything else.
fn fail(e: InboxError) -> ExitCode {
    eprintln!("gp2gp-inbox: {e}");
    match e {
        InboxError::Forbidden(_)
        | InboxError::Conflict(_)
        | InboxError::InvalidInput(_)
        | InboxError::NotFound(_)
        | InboxError::NotSignedIn(_) => ExitCode::FAILURE,
        _ => ExitCode::from(2),
    }
}

pub fn decide(
    db: &Path,
    transfer: i64,
    (user, pin): (&str, &str),
    choice: Choice,
    outbox: Option<PathBuf>,
    json: bool,
) -> ExitCode {
    let inbox = match open(db, outbox) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let actor = match inbox.sign_in_by_name(user, pin) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let request = DecisionRequest {
        transfer_id: transfer,
        kind: choice.kind,
        reason_code: choice.reason,
        note: choice.note,
    };
    let view = match inbox.decide(&actor, &request) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let outbox = inbox.paths().outbox.clone();
    match view.decision.decided {
        Some(d) => {
            let ack = d.ack.as_ref();
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "transferId": transfer,
                        "status": view.transfer.status,
                        "decision": d.kind,
                        "reasonCode": d.reason_code,
                        "decidedBy": d.decided_by,
                        "decidedAt": d.decided_at,
                        "ackType": ack.map(|a| a.ack_type.clone()),
                        "ackFile": ack.map(|a| outbox.join(&a.file).display().to_string()),
                        "messageRef": ack.map(|a| a.message_ref.clone()),
                    })
                );
            } else {
                println!(
                    "transfer {transfer}: {:?} by {}; {} {}written to {}",
                    view.transfer.status,
                    d.decided_by,
                    ack.map(|a| a.ack_type.as_str()).unwrap_or("no acknowledgement"),
                    d.reason_code
                        .as_deref()
                        .map(|c| format!("{c} "))
                        .unwrap_or_default(),
                    ack.map(|a| outbox.join(&a.file).display().to_string())
                        .unwrap_or_default()
                );
            }
        }
        None => println!("transfer {transfer}: decision deferred (nothing sent)"),
    }
    ExitCode::SUCCESS
}

/// Marks every item of the four review sections reviewed by `user` (audited item by item), and
/// prints each section's progress.
pub fn review_all(db: &Path, transfer: i64, (user, pin): (&str, &str)) -> ExitCode {
    let inbox = match open(db, None) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let actor = match inbox.sign_in_by_name(user, pin) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    for section in Section::ALL {
        let page = match inbox.review_section(&actor, transfer, section) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
        let keys: Vec<String> = page
            .items
            .iter()
            .filter(|i| i.mark.is_none())
            .map(|i| i.key.clone())
            .collect();
        if !keys.is_empty() {
            let req = MarkRequest {
                transfer_id: transfer,
                section,
                keys,
                state: Some(MarkState::Reviewed),
                note: None,
            };
            if let Err(e) = inbox.mark_items(&actor, &req) {
                return fail(e);
            }
        }
        println!("{}\t{} item(s) reviewed", section.label(), page.items.len());
    }
    ExitCode::SUCCESS
}

/// Adds a profile. The first one is an administrator; after that `--by` must name one.
pub fn add_user(db: &Path, name: &str, roles: &str, pin: &str, by: Option<(&str, &str)>) -> ExitCode {
    let inbox = match open(db, None) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let roles: Result<Vec<Role>, String> = roles
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| Role::from_code(r).ok_or_else(|| r.to_owned()))
        .collect();
    let roles = match roles {
        Ok(r) => r,
        Err(bad) => {
            eprintln!(
                "gp2gp-inbox: \"{bad}\" is not a role: use administrator, clinician, prescriber or trainer"
            );
            return ExitCode::FAILURE;
        }
    };
    let req = NewUserRequest {
        name: name.to_owned(),
        roles,
        pin: pin.to_owned(),
    };
    let first = match inbox.needs_first_user() {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let result = if first {
        inbox.create_first_user(&req).map(|a| a.name)
    } else {
        let Some((by, by_pin)) = by else {
            eprintln!(
                "gp2gp-inbox: users exist already: say which administrator adds this one with --by NAME (their PIN in --by-pin or GP2GP_INBOX_BY_PIN)"
            );
            return ExitCode::FAILURE;
        };
        inbox
            .sign_in_by_name(by, by_pin)
            .and_then(|admin| inbox.create_user(&admin, &req))
            .map(|u| u.name)
    };
    match result {
        Ok(name) => {
            println!("added {name}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub fn list_users(db: &Path) -> ExitCode {
    let inbox = match open(db, None) {
        Ok(i) => i,
        Err(code) => return code,
    };
    match inbox.users() {
        Ok(users) => {
            for u in users {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.code()).collect();
                println!(
                    "{}\t{}\t{}{}",
                    u.id,
                    u.name,
                    roles.join(","),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
