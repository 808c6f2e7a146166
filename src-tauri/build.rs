fn main() {
    // The UI is embedded at compile time: a new `vite build` must rebuild the shell, or the app would
    // carry the previous UI.
    println!("cargo:rerun-if-changed=../ui/dist");
    // Declaring the app's own commands generates an `allow-<command>` permission for each, which
    // capabilities/default.json grants one by one (least privilege).
    let commands = &[
        "inbox_snapshot",
        "transfer_original",
        "transfer_export_original",
        "settings_get",
        "settings_update",
        "training_set",
        "training_reset",
        "registrations_import",
        "session_get",
        "sign_in",
        "sign_out",
        "session_touch",
        "create_first_user",
        "users_list",
        "user_create",
        "user_update",
        "review_open",
        "review_section",
        "review_timeline",
        "review_mark",
        "review_intention",
        "code_suggestions",
        "decide",
        "attachment_open",
        "audit_list",
        "audit_verify",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
