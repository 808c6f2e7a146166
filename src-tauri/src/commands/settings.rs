use inbox::dto::{SettingsUpdate, SettingsView};
use inbox::ApiError;

use crate::AppState;

#[tauri::command]
pub fn settings_get(state: tauri::State<'_, AppState>) -> Result<SettingsView, ApiError> {
    Ok(super::session(&state)?.settings()?)
}

#[tauri::command]
pub fn settings_update(
    state: tauri::State<'_, AppState>,
    update: SettingsUpdate,
) -> Result<SettingsView, ApiError> {
    Ok(super::session(&state)?.update_settings(update)?)
}
