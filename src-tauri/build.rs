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
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
