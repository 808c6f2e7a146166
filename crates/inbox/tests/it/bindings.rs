//! The TypeScript bindings in `ui/src/bindings/` must be exactly what the Rust DTOs generate.
//! Regenerate with `UPDATE_BINDINGS=1 cargo test -p inbox bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use inbox::dto::{ApiError, InboxEvent, InboxSnapshot, OriginalView, SettingsUpdate, SettingsView};
use ts_rs::{Config, TS};

fn generate(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    InboxSnapshot::export_all(&cfg).unwrap();
    InboxEvent::export_all(&cfg).unwrap();
    SettingsView::export_all(&cfg).unwrap();
    SettingsUpdate::export_all(&cfg).unwrap();
    ApiError::export_all(&cfg).unwrap();
    OriginalView::export_all(&cfg).unwrap();
    inbox::registrations::ImportReport::export_all(&cfg).unwrap();
    use inbox::dto as d;
    d::SessionView::export_all(&cfg).unwrap();
    d::NewUserRequest::export_all(&cfg).unwrap();
    d::UserUpdate::export_all(&cfg).unwrap();
    d::UserView::export_all(&cfg).unwrap();
    d::ReviewView::export_all(&cfg).unwrap();
    d::SectionPage::export_all(&cfg).unwrap();
    d::TimelineItem::export_all(&cfg).unwrap();
    d::MarkRequest::export_all(&cfg).unwrap();
    d::IntentionRequest::export_all(&cfg).unwrap();
    d::CodeSuggestion::export_all(&cfg).unwrap();
    d::DecisionRequest::export_all(&cfg).unwrap();
    d::AttachmentContent::export_all(&cfg).unwrap();
    d::AuditEntryView::export_all(&cfg).unwrap();
    d::AuditQuery::export_all(&cfg).unwrap();
    d::AuditCheck::export_all(&cfg).unwrap();
}

fn read_all(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                files.insert(name, std::fs::read_to_string(e.path()).unwrap());
            }
        }
    }
    files
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());
    let generated = read_all(tmp.path());
    assert!(generated.contains_key("InboxSnapshot.ts"));
    assert!(
        generated.values().all(|ts| !ts.contains("bigint")),
        "64-bit ids must be typed as number"
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed_dir);
        std::fs::create_dir_all(&committed_dir).unwrap();
        for (name, ts) in &generated {
            std::fs::write(committed_dir.join(name), ts).unwrap();
        }
        return;
    }
    let committed = read_all(&committed_dir);
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&committed),
        names(&generated),
        "ui/src/bindings is out of date: run `UPDATE_BINDINGS=1 cargo test -p inbox bindings` and commit"
    );
    for (name, ts) in &generated {
        assert_eq!(
            &committed[name], ts,
            "ui/src/bindings/{name} is out of date: run `UPDATE_BINDINGS=1 cargo test -p inbox bindings` and commit"
        );
    }
}
