use inbox::dto::{NewUserRequest, SessionView, UserUpdate, UserView};
use inbox::ApiError;

use crate::AppState;

/// Who is signed in (or `user: null`), and the profiles to choose from.
#[tauri::command]
pub fn session_get(state: tauri::State<'_, AppState>) -> Result<SessionView, ApiError> {
    Ok(super::session(&state)?.session_view()?)
}

#[tauri::command]
pub fn sign_in(
    state: tauri::State<'_, AppState>,
    user_id: i64,
    pin: String,
) -> Result<SessionView, ApiError> {
    Ok(super::session(&state)?.sign_in(user_id, &pin)?)
}

/// Signs out; `locked` when the screen locked itself after being idle.
#[tauri::command]
pub fn sign_out(state: tauri::State<'_, AppState>, locked: bool) -> Result<SessionView, ApiError> {
    Ok(super::session(&state)?.sign_out(locked)?)
}

/// The user is active (keys, clicks): keeps the session from locking.
#[tauri::command]
pub fn session_touch(state: tauri::State<'_, AppState>) -> Result<(), ApiError> {
    super::session(&state)?.actor()?;
    Ok(())
}

#[tauri::command]
pub fn create_first_user(
    state: tauri::State<'_, AppState>,
    request: NewUserRequest,
) -> Result<SessionView, ApiError> {
    Ok(super::session(&state)?.create_first_user(&request)?)
}

#[tauri::command]
pub fn users_list(state: tauri::State<'_, AppState>) -> Result<Vec<UserView>, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.inbox().users()?)
}

#[tauri::command]
pub fn user_create(state: tauri::State<'_, AppState>, request: NewUserRequest) -> Result<UserView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().create_user(&actor, &request)?)
}

#[tauri::command]
pub fn user_update(state: tauri::State<'_, AppState>, update: UserUpdate) -> Result<UserView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().update_user(&actor, &update)?)
}
