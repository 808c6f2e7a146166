//! The desktop shell: starts an inbox [`Session`], exposes its use-cases as commands and forwards its
//! events to the window. No logic lives here; it all lives in the `inbox` crate.

mod commands;
mod events;

use std::path::PathBuf;
use std::sync::Arc;

use inbox::paths::{DATA_DIR_ENV, INCOMING_DIR_ENV};
use inbox::session::{Session, SessionConfig};
use inbox::watch::WatchOptions;
use inbox::{ApiError, ErrorCode, SystemClock};
use tauri::Manager;

/// The running inbox, or why it could not start (shown to the user instead of the inbox).
pub struct AppState(pub Result<Session, ApiError>);

pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let handle = app.handle().clone();
            let state = data_dir(app.handle()).and_then(|data_dir| {
                let config = SessionConfig {
                    data_dir,
                    env_incoming: std::env::var_os(INCOMING_DIR_ENV).map(PathBuf::from),
                    clock: Arc::new(SystemClock),
                    watch: WatchOptions::default(),
                    training_on_first_run: true,
                    force_training: std::env::args().any(|a| a == "--training"),
                };
                Session::start(config, move |event| events::emit(&handle, event)).map_err(ApiError::from)
            });
            if let Err(e) = &state {
                eprintln!("gp2gp-inbox: could not start the inbox: {}", e.message);
            }
            app.manage(AppState(state));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::transfers::inbox_snapshot,
            commands::transfers::transfer_original,
            commands::transfers::transfer_export_original,
            commands::settings::settings_get,
            commands::settings::settings_update,
            commands::settings::training_set,
            commands::settings::training_reset,
            commands::settings::registrations_import,
            commands::users::session_get,
            commands::users::sign_in,
            commands::users::sign_out,
            commands::users::session_touch,
            commands::users::create_first_user,
            commands::users::users_list,
            commands::users::user_create,
            commands::users::user_update,
            commands::review::review_open,
            commands::review::review_section,
            commands::review::review_timeline,
            commands::review::review_mark,
            commands::review::review_intention,
            commands::review::code_suggestions,
            commands::review::decide,
            commands::review::attachment_open,
            commands::review::audit_list,
            commands::review::audit_verify,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("gp2gp-inbox: the window could not be opened: {e}");
        std::process::exit(1);
    }
}

/// `GP2GP_INBOX_DATA_DIR`, else the platform's app data folder.
fn data_dir(app: &tauri::AppHandle) -> Result<PathBuf, ApiError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    app.path().app_data_dir().map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("The app data folder could not be found ({e}). Set {DATA_DIR_ENV}."),
        )
    })
}
