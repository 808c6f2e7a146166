use inbox::dto::{InboxSnapshot, OriginalView};
use inbox::ApiError;

use crate::AppState;

#[tauri::command]
pub fn inbox_snapshot(state: tauri::State<'_, AppState>) -> Result<InboxSnapshot, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.snapshot()?)
}

/// The original of a transfer's record as received, for reading (at most 2 MB shown).
#[tauri::command]
pub fn transfer_original(
    state: tauri::State<'_, AppState>,
    transfer_id: i64,
) -> Result<OriginalView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.original_view_as(&actor, transfer_id, 2 * 1024 * 1024)?)
}

/// Saves a byte-for-byte copy of the original into the Downloads folder; returns where.
#[tauri::command]
pub fn transfer_export_original(
    state: tauri::State<'_, AppState>,
    transfer_id: i64,
) -> Result<String, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.export_original_as(&actor, transfer_id)?)
}
