use inbox::dto::InboxSnapshot;
use inbox::ApiError;

use crate::AppState;

#[tauri::command]
pub fn inbox_snapshot(state: tauri::State<'_, AppState>) -> Result<InboxSnapshot, ApiError> {
    Ok(super::session(&state)?.inbox().snapshot()?)
}
