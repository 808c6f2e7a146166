//! Store tests: each on a fresh temporary database.

use inbox_store::{NewQuarantined, NewTransfer, Store};

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("inbox.sqlite3")).unwrap();
    (dir, store)
}

fn transfer(sha: &str, received_at: &str) -> NewTransfer {
    NewTransfer {
        interaction: "RCMR_IN030000UK06".into(),
        message_id: Some("M-1".into()),
        extract_id: Some("E-1".into()),
        nhs_number: Some("9434765919".into()),
        sending_ods: Some("A00001".into()),
        receiving_ods: None,
        sent_at: Some("20260301101500".into()),
        received_at: received_at.into(),
        file_name: "extract.xml".into(),
        sha256: sha.into(),
        size_bytes: 1234,
        archive_name: format!("{sha}.msg"),
        origin: "folder".into(),
    }
}

#[test]
fn open_migrates_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inbox.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn database_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _store) = temp_store();
    let mode = std::fs::metadata(dir.path().join("inbox.sqlite3"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn insert_and_read_back_a_transfer() {
    let (_dir, store) = temp_store();
    let t = transfer("aa", "2026-03-01T10:20:00Z");
    let id = store.insert_transfer(&t).unwrap();
    let got = store.transfer(id).unwrap().unwrap();
    assert_eq!(got.fields, t);
    assert_eq!(got.status, "received");
    assert_eq!(store.transfer(id + 1).unwrap(), None);
}

#[test]
fn same_bytes_cannot_be_stored_twice() {
    let (_dir, store) = temp_store();
    store
        .insert_transfer(&transfer("aa", "2026-03-01T10:20:00Z"))
        .unwrap();
    assert!(store
        .insert_transfer(&transfer("aa", "2026-03-01T10:21:00Z"))
        .is_err());
    assert_eq!(
        store
            .transfer_by_sha256("aa")
            .unwrap()
            .map(|t| t.fields.received_at)
            .as_deref(),
        Some("2026-03-01T10:20:00Z")
    );
    assert_eq!(store.transfer_by_sha256("bb").unwrap(), None);
}

#[test]
fn list_is_newest_first_and_counted() {
    let (_dir, store) = temp_store();
    store
        .insert_transfer(&transfer("a", "2026-03-01T10:00:00Z"))
        .unwrap();
    store
        .insert_transfer(&transfer("b", "2026-03-02T10:00:00Z"))
        .unwrap();
    let shas: Vec<_> = store
        .list_transfers()
        .unwrap()
        .into_iter()
        .map(|t| t.fields.sha256)
        .collect();
    assert_eq!(shas, ["b", "a"]);
    assert_eq!(store.count_transfers().unwrap(), 2);
}

#[test]
fn quarantine_rows_round_trip_newest_first() {
    let (_dir, store) = temp_store();
    let q = |name: &str, at: &str| NewQuarantined {
        file_name: name.into(),
        quarantine_name: name.into(),
        reason_code: "not_xml".into(),
        reason: "The file is not XML.".into(),
        sha256: "cc".into(),
        size_bytes: 3,
        quarantined_at: at.into(),
    };
    store
        .insert_quarantined(&q("old.bin", "2026-03-01T10:00:00Z"))
        .unwrap();
    store
        .insert_quarantined(&q("new.bin", "2026-03-02T10:00:00Z"))
        .unwrap();
    let rows = store.list_quarantined().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].fields, q("new.bin", "2026-03-02T10:00:00Z"));
    assert_eq!(store.quarantined(rows[0].id).unwrap().as_ref(), Some(&rows[0]));
    assert_eq!(store.quarantined(999).unwrap(), None);
    // The quarantine name is unique: the caller must pick a fresh one on a clash.
    assert!(store
        .insert_quarantined(&q("new.bin", "2026-03-03T10:00:00Z"))
        .is_err());
}
