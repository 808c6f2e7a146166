//! Commands by area; each a few lines that call the core.

pub mod review;
pub mod settings;
pub mod transfers;
pub mod users;

use inbox::session::Session;
use inbox::ApiError;

use crate::AppState;

pub(crate) fn session(state: &AppState) -> Result<&Session, ApiError> {
    state.0.as_ref().map_err(Clone::clone)
}
