//! The one event the window listens to. Its payload is [`inbox::dto::InboxEvent`].

use tauri::Emitter;

/// Event name, shared with `ui/src/backend/tauri.ts`.
pub const INBOX_EVENT: &str = "inbox-event";

pub fn emit(app: &tauri::AppHandle, event: inbox::dto::InboxEvent) {
    if let Err(e) = app.emit(INBOX_EVENT, event) {
        eprintln!("gp2gp-inbox: could not notify the window: {e}");
    }
}
