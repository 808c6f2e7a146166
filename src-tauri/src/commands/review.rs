use inbox::dto::{
    AttachmentContent, AuditCheck, AuditEntryView, AuditQuery, CodeSuggestion, DecisionRequest,
    IntentionRequest, MarkRequest, ReviewView, Section, SectionPage, TimelineItem,
};
use inbox::ApiError;

use crate::AppState;

/// Opens a transfer for review (audited as a record view).
#[tauri::command]
pub fn review_open(state: tauri::State<'_, AppState>, transfer_id: i64) -> Result<ReviewView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().review(&actor, transfer_id)?)
}

#[tauri::command]
pub fn review_section(
    state: tauri::State<'_, AppState>,
    transfer_id: i64,
    section: Section,
) -> Result<SectionPage, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().review_section(&actor, transfer_id, section)?)
}

#[tauri::command]
pub fn review_timeline(
    state: tauri::State<'_, AppState>,
    transfer_id: i64,
) -> Result<Vec<TimelineItem>, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.inbox().review_timeline(transfer_id)?)
}

#[tauri::command]
pub fn review_mark(state: tauri::State<'_, AppState>, request: MarkRequest) -> Result<ReviewView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().mark_items(&actor, &request)?)
}

#[tauri::command]
pub fn review_intention(
    state: tauri::State<'_, AppState>,
    request: IntentionRequest,
) -> Result<ReviewView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().set_intention(&actor, &request)?)
}

#[tauri::command]
pub fn code_suggestions(
    state: tauri::State<'_, AppState>,
    query: String,
) -> Result<Vec<CodeSuggestion>, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.inbox().code_suggestions(&query)?)
}

/// The whole-record decision; the acknowledgement is in the outbox when this returns.
#[tauri::command]
pub fn decide(state: tauri::State<'_, AppState>, request: DecisionRequest) -> Result<ReviewView, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    let view = session.inbox().decide(&actor, &request)?;
    session.announce_transfer(request.transfer_id);
    // A returning patient's old record, suppressed by this decision, changes too.
    if let Some(old) = view
        .decision
        .decided
        .as_ref()
        .and_then(|d| d.suppressed_transfer_id)
    {
        session.announce_transfer(old);
    }
    Ok(view)
}

#[tauri::command]
pub fn attachment_open(
    state: tauri::State<'_, AppState>,
    attachment_id: i64,
) -> Result<AttachmentContent, ApiError> {
    let session = super::session(&state)?;
    let actor = session.actor()?;
    Ok(session.inbox().attachment_content(&actor, attachment_id)?)
}

#[tauri::command]
pub fn audit_list(
    state: tauri::State<'_, AppState>,
    query: AuditQuery,
) -> Result<Vec<AuditEntryView>, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.inbox().audit_list(&query)?)
}

#[tauri::command]
pub fn audit_verify(state: tauri::State<'_, AppState>) -> Result<AuditCheck, ApiError> {
    let session = super::session(&state)?;
    session.actor()?;
    Ok(session.inbox().audit_check()?)
}
