//! How `watch` and `serve` print what happens: one line per [`InboxEvent`], flushed at once.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use inbox::dto::{InboxEvent, TransferStatus};

/// The callback that prints each event: as JSON (the app's `InboxEvent`), or a readable line.
pub fn printer(as_json: bool) -> impl Fn(InboxEvent) + Send + Sync + 'static {
    let was_in_trouble = AtomicBool::new(false);
    move |event| {
        let line = if as_json {
            serde_json::to_string(&event).ok()
        } else {
            readable(&event, &was_in_trouble)
        };
        if let Some(line) = line {
            print_line(&line);
        }
    }
}

pub fn print_line(line: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Nobody reading stdout any more is no reason to stop filing.
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// One line per event, tab-separated like `ingest`: `<what>\t<file or transfer>\t<detail>`.
/// `None` for the watcher's start-up status, which the first line already told.
fn readable(event: &InboxEvent, was_in_trouble: &AtomicBool) -> Option<String> {
    Some(match event {
        InboxEvent::TransferStored { transfer: t } => {
            let status = match t.status {
                TransferStatus::Ready => "ready".to_owned(),
                TransferStatus::AwaitingAttachments => {
                    format!("awaiting attachments, {} part(s) missing", t.parts_missing)
                }
                TransferStatus::Incomplete => format!(
                    "incomplete: {}",
                    t.failure_reason.as_deref().unwrap_or("parts missing")
                ),
                TransferStatus::Integrated => "integrated".to_owned(),
                TransferStatus::Rejected => "rejected".to_owned(),
                TransferStatus::Suppressed => "suppressed".to_owned(),
            };
            let nhs = t
                .nhs_number
                .as_deref()
                .map_or_else(|| "no NHS number".to_owned(), inbox::nhs_number::display);
            format!("transfer\t{}\ttransfer {}, {status}, {nhs}", t.file_name, t.id)
        }
        InboxEvent::Duplicate {
            transfer_id,
            file_name,
        } => match transfer_id {
            Some(t) => format!("duplicate\t{file_name}\tsame as transfer {t}"),
            None => format!("duplicate\t{file_name}\talready stored"),
        },
        InboxEvent::Quarantined { entry } => format!(
            "quarantined\t{}\t{} (kept as {})",
            entry.file_name, entry.reason, entry.quarantine_name
        ),
        InboxEvent::WatchChanged { status } => match &status.problem {
            Some(problem) => {
                was_in_trouble.store(true, Ordering::Relaxed);
                format!("problem\t{}\t{problem}", status.incoming_dir)
            }
            None if status.watching && was_in_trouble.swap(false, Ordering::Relaxed) => {
                format!("watching\t{}\tagain", status.incoming_dir)
            }
            None => return None,
        },
        InboxEvent::Notice { notice } => format!("notice\t\t{}", notice.message),
        // Only the app switches inboxes (training mode); the command line has one.
        InboxEvent::InboxReplaced { .. } => return None,
    })
}
