use inbox::dto::{SettingsUpdate, SettingsView};
use inbox::ApiError;

use crate::AppState;

#[tauri::command]
pub fn settings_get(state: tauri::State<'_, AppState>) -> Result<SettingsView, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.settings()?)
}

#[tauri::command]
pub fn settings_update(
    state: tauri::State<'_, AppState>,
    update: SettingsUpdate,
) -> Result<SettingsView, ApiError> {
    let session = super::session(&state)?;
    session
        .update_settings_as(&session.require(inbox::Action::Administer)?, update)
        .map_err(ApiError::from)
}

/// Switches between the live inbox and the training inbox.
#[tauri::command]
pub fn training_set(state: tauri::State<'_, AppState>, enabled: bool) -> Result<SettingsView, ApiError> {
    let session = super::session(&state)?;
    session.require(inbox::Action::Train)?;
    Ok(session.set_training(enabled)?)
}

/// Puts the training inbox back to the chosen scenario set (`every` or a scenario's name);
/// returns how many records it holds.
#[tauri::command]
pub fn training_reset(state: tauri::State<'_, AppState>, scenario: Option<String>) -> Result<u64, ApiError> {
    let session = super::session(&state)?;
    session.require(inbox::Action::Train)?;
    Ok(session.reset_training(scenario.as_deref())?)
}

/// Imports the practice's registrations from a file (CSV export or `registrations.json`).
#[tauri::command]
pub fn registrations_import(
    state: tauri::State<'_, AppState>,
    path: String,
) -> Result<inbox::registrations::ImportReport, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.import_registrations_as(&actor, std::path::Path::new(path.trim()))?)
}
