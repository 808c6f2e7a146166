//! Store tests: every query on a fresh temporary database, tables of cases where there are several.
//!
//! The record tests read the public corpus (`/work/shared/corpus/public`, found relative to this
//! crate) with the `gp2gp` reader and check the rows written against the extract.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gp2gp::{Diagnostic, EhrExtract, Message, Severity};
use inbox_store::arrivals::outcome;
use inbox_store::messages::role;
use inbox_store::transfers::status;
use inbox_store::{
    conversation_key, NewArrival, NewAttachment, NewMessage, NewQuarantined, NewTransfer, RecordCounts,
    StatusChange, Store, StoreError, StoredDiagnostic, RECORD_VERSION,
};
use rusqlite::{Connection, OptionalExtension};
use tempfile::TempDir;

/// The schema this version of the store creates.
const LATEST_VERSION: i64 = 5;

/// The first migration exactly as it shipped: version-1 databases are built from it.
const SCHEMA_V1: &str = include_str!("../migrations/0001_transfers.sql");

// ---------------------------------------------------------------------------------------------
// Fixtures

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("inbox.sqlite3")
}

fn temp_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_path(&dir)).unwrap();
    (dir, store)
}

/// A second, plain connection to the store's file, to look at what no query of the store shows.
fn peek(dir: &TempDir) -> Connection {
    Connection::open(db_path(dir)).unwrap()
}

/// An extract message in conversation `CONV-A`, told apart by its SHA-256.
fn message(sha: &str) -> NewMessage {
    NewMessage {
        conversation_id: Some("CONV-A".into()),
        interaction: "RCMR_IN030000UK06".into(),
        role: role::EXTRACT.into(),
        ebxml_message_id: Some(format!("EB-{sha}").to_ascii_uppercase()),
        hl7_message_id: Some(format!("hl7-{sha}")),
        from_ods: Some("A00001".into()),
        to_ods: Some("B00002".into()),
        sent_at: Some("2026-03-01T10:15:00Z".into()),
        sent_precision: Some("second".into()),
        sent_raw: Some("20260301101500".into()),
        received_at: "2026-03-01T10:20:00Z".into(),
        file_name: format!("{sha}.xml"),
        sha256: sha.into(),
        size_bytes: 1234,
        archive_name: format!("{sha}.msg"),
        ack_type: None,
        ack_message_ref: None,
        ack_reasons: None,
        nhs_number: Some("9434765919".into()),
    }
}

fn message_in(sha: &str, conversation: Option<&str>) -> NewMessage {
    NewMessage {
        conversation_id: conversation.map(str::to_owned),
        ..message(sha)
    }
}

/// A transfer of `message_id` as the pipeline files a new extract.
fn transfer_of(message_id: i64, received_at: &str) -> NewTransfer {
    NewTransfer {
        conversation_id: Some("CONV-A".into()),
        message_id,
        interaction: "RCMR_IN030000UK06".into(),
        extract_id: Some("EXTRACT-1".into()),
        nhs_number: Some("9434765919".into()),
        sending_ods: Some("A00001".into()),
        receiving_ods: Some("B00002".into()),
        sent_at: Some("2026-03-01T10:15:00Z".into()),
        sent_precision: Some("second".into()),
        sent_raw: Some("20260301101500".into()),
        received_at: received_at.into(),
        file_name: "extract.xml".into(),
        size_bytes: 1234,
        origin: "folder".into(),
        status: status::READY.into(),
    }
}

/// Stores a message (`sha`) and a transfer of it built from `t`; returns the transfer id.
fn add_transfer(store: &Store, sha: &str, t: NewTransfer) -> i64 {
    let message_id = store
        .insert_message(&message_in(sha, t.conversation_id.as_deref()))
        .unwrap();
    store.insert_transfer(&NewTransfer { message_id, ..t }).unwrap()
}

fn arrival(claim: &str, outcome: &str) -> NewArrival {
    NewArrival {
        claim_name: claim.into(),
        file_name: format!("{claim}.xml"),
        source: "folder".into(),
        received_at: "2026-03-01T10:20:00Z".into(),
        sha256: format!("sha-{claim}"),
        size_bytes: 10,
        outcome: outcome.into(),
        ..NewArrival::default()
    }
}

fn quarantined(name: &str, at: &str) -> NewQuarantined {
    NewQuarantined {
        file_name: name.into(),
        quarantine_name: name.into(),
        reason_code: "not_xml".into(),
        reason: "The file is not XML.".into(),
        sha256: format!("sha-{name}"),
        size_bytes: 3,
        quarantined_at: at.into(),
    }
}

fn status_change(status: &str, at: &str) -> StatusChange {
    StatusChange {
        status: status.into(),
        at: at.into(),
        ..StatusChange::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and migrating

#[test]
fn open_creates_the_latest_schema_and_reopens_with_the_data() {
    let (dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    store.insert_message(&message("aa")).unwrap();
    drop(store);

    let again = Store::open(&db_path(&dir)).unwrap();
    assert_eq!(again.schema_version().unwrap(), LATEST_VERSION);
    assert_eq!(again.count_messages().unwrap(), 1);
    assert_eq!(again.integrity_check().unwrap(), "ok");
}

#[cfg(unix)]
#[test]
fn database_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    store.insert_message(&message("aa")).unwrap();
    // The database, and the write-ahead log and shared memory files SQLite makes beside it.
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("inbox.sqlite3{suffix}"));
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    Connection::open(db_path(&dir))
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Store::open(&db_path(&dir)) {
        Err(StoreError::TooNew {
            found: 99,
            known: LATEST_VERSION,
        }) => {}
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn a_version_1_database_with_data_migrates() {
    let dir = tempfile::tempdir().unwrap();
    {
        let v1 = Connection::open(db_path(&dir)).unwrap();
        v1.execute_batch(SCHEMA_V1).unwrap();
        v1.execute_batch(
            "INSERT INTO transfers (id, interaction, message_id, extract_id, nhs_number, sending_ods,
                                    receiving_ods, sent_at, received_at, file_name, sha256, size_bytes,
                                    archive_name, origin)
             VALUES (7, 'RCMR_IN030000UK06', 'hl7-7', 'EXTRACT-7', '9434765919', 'A00001', 'B00002',
                     '20250301101500', '2025-03-01T10:20:00Z', 'record.xml', 'sha-7', 5000, 'sha-7.msg',
                     'folder'),
                    (9, 'MCCI_IN010000UK13', 'hl7-9', NULL, NULL, 'B00002', 'A00001',
                     '20250302090000', '2025-03-02T09:00:00Z', 'ack.xml', 'sha-9', 300, 'sha-9.msg',
                     'folder');
             INSERT INTO quarantine (id, file_name, quarantine_name, reason_code, reason, sha256, size_bytes,
                                     quarantined_at)
             VALUES (3, 'junk.bin', 'junk.bin', 'not_xml', 'The file is not XML.', 'sha-q', 4,
                     '2025-03-01T12:00:00Z');
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }

    let store = Store::open(&db_path(&dir)).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);

    // The extract: a message and a transfer with the same id, its record to be read again.
    let m = store.message(7).unwrap().expect("the extract's message");
    assert_eq!(m.fields.role, role::EXTRACT);
    assert_eq!(m.transfer_id, Some(7));
    assert_eq!(m.fields.interaction, "RCMR_IN030000UK06");
    assert_eq!(m.fields.hl7_message_id.as_deref(), Some("hl7-7"));
    assert_eq!(m.fields.sent_raw.as_deref(), Some("20250301101500"));
    assert_eq!(
        (
            m.fields.file_name.as_str(),
            m.fields.archive_name.as_str(),
            m.fields.size_bytes
        ),
        ("record.xml", "sha-7.msg", 5000)
    );
    assert_eq!(store.message_by_sha256("sha-7").unwrap().map(|m| m.id), Some(7));
    let t = store.transfer(7).unwrap().expect("the extract's transfer");
    assert_eq!(t.fields.message_id, 7);
    assert_eq!(t.fields.status, status::READY);
    assert_eq!(t.status_at, "2025-03-01T10:20:00Z");
    assert_eq!(t.record_version, 0);
    assert_eq!(t.fields.extract_id.as_deref(), Some("EXTRACT-7"));
    assert_eq!(t.fields.nhs_number.as_deref(), Some("9434765919"));
    assert_eq!(t.fields.sending_ods.as_deref(), Some("A00001"));
    assert_eq!(t.fields.sent_raw.as_deref(), Some("20250301101500"));
    assert_eq!(t.fields.origin, "folder");
    assert_eq!(t.counts, [0; 14]);
    assert_eq!(
        store.transfer_by_extract_id("extract-7").unwrap().map(|t| t.id),
        Some(7)
    );

    // The acknowledgement: a message, no transfer.
    let ack = store.message(9).unwrap().expect("the ack's message");
    assert_eq!(ack.fields.role, role::ACKNOWLEDGEMENT);
    assert_eq!(ack.transfer_id, None);
    assert_eq!(store.transfer(9).unwrap(), None);
    assert_eq!(store.count_messages().unwrap(), 2);
    assert_eq!(store.count_transfers().unwrap(), 1);

    // Every file has its arrival, in the order the files came.
    let arrivals: Vec<_> = store
        .list_arrivals()
        .unwrap()
        .into_iter()
        .map(|a| {
            let f = a.fields;
            (
                f.file_name,
                f.outcome,
                f.message_id,
                f.transfer_id,
                f.quarantine_id,
            )
        })
        .collect();
    let s = |v: &str| v.to_owned();
    assert_eq!(
        arrivals,
        [
            (s("record.xml"), s(outcome::STORED), Some(7), Some(7), None),
            (s("junk.bin"), s(outcome::QUARANTINED), None, None, Some(3)),
            (s("ack.xml"), s(outcome::STORED), Some(9), None, None),
        ]
    );
    assert_eq!(
        store.arrival_outcomes().unwrap(),
        [(s(outcome::QUARANTINED), 1), (s(outcome::STORED), 2)]
    );
    assert_eq!(
        store.quarantined(3).unwrap().map(|q| q.fields),
        Some(NewQuarantined {
            sha256: "sha-q".into(),
            size_bytes: 4,
            quarantined_at: "2025-03-01T12:00:00Z".into(),
            ..quarantined("junk.bin", "")
        })
    );

    // The migrated record is written again by the current reader.
    assert_eq!(store.transfers_with_record_before(RECORD_VERSION).unwrap(), [7]);

    // Nothing of the old table is left, every reference holds, and new rows get new ids.
    let db = peek(&dir);
    let old: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'transfers_v1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0);
    let broken: i64 = db
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(broken, 0);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert!(store.insert_message(&message("new")).unwrap() > 9);
}

// ---------------------------------------------------------------------------------------------
// messages

#[test]
fn messages_round_trip() {
    let (_dir, store) = temp_store();
    let cases = [
        message("extract"),
        NewMessage {
            interaction: "MCCI_IN010000UK13".into(),
            role: role::ACKNOWLEDGEMENT.into(),
            ack_type: Some("AE".into()),
            ack_message_ref: Some("hl7-extract".into()),
            ack_reasons: Some("99,18".into()),
            nhs_number: None,
            ..message("ack")
        },
        // A bare extract: no envelope, nothing optional.
        NewMessage {
            interaction: "EhrExtract".into(),
            role: role::EXTRACT.into(),
            received_at: "2026-03-01T10:20:00Z".into(),
            file_name: "bare.xml".into(),
            sha256: "bare".into(),
            size_bytes: 5_000_000_000,
            archive_name: "bare.msg".into(),
            ..NewMessage::default()
        },
    ];
    for m in cases {
        let id = store.insert_message(&m).unwrap();
        let got = store.message(id).unwrap().expect("stored message");
        assert_eq!((got.id, got.transfer_id), (id, None), "{}", m.sha256);
        assert_eq!(got.fields, m);
        assert_eq!(
            store.message_by_sha256(&m.sha256).unwrap().map(|m| m.id),
            Some(id)
        );
    }
    assert_eq!(store.message(999).unwrap(), None);
    assert_eq!(store.message_by_sha256("unknown").unwrap(), None);
}

#[test]
fn the_same_bytes_are_one_message() {
    let (_dir, store) = temp_store();
    let first = store.insert_message(&message("aa")).unwrap();
    let again = NewMessage {
        received_at: "2026-03-02T08:00:00Z".into(),
        file_name: "copy.xml".into(),
        ..message("aa")
    };
    assert!(store.insert_message(&again).is_err());
    assert_eq!(store.count_messages().unwrap(), 1);
    let kept = store.message_by_sha256("aa").unwrap().unwrap();
    assert_eq!((kept.id, kept.fields.file_name.as_str()), (first, "aa.xml"));
}

#[test]
fn conversation_messages_are_in_arrival_order() {
    let (_dir, store) = temp_store();
    for (sha, conversation) in [
        ("1", Some("CONV-A")),
        ("2", Some("CONV-B")),
        ("3", Some("CONV-A")),
        ("4", None),
        ("5", Some("CONV-A")),
    ] {
        store.insert_message(&message_in(sha, conversation)).unwrap();
    }
    let cases: [(&str, &[&str]); 4] = [
        ("CONV-A", &["1", "3", "5"]),
        ("CONV-B", &["2"]),
        ("CONV-C", &[]),
        // Stored ids are upper-case: look them up through conversation_key.
        (&conversation_key(" <conv-a> "), &["1", "3", "5"]),
    ];
    for (conversation, want) in cases {
        let got: Vec<String> = store
            .conversation_messages(conversation)
            .unwrap()
            .into_iter()
            .map(|m| m.fields.sha256)
            .collect();
        assert_eq!(got, want, "{conversation}");
    }
}

#[test]
fn messages_join_a_transfer() {
    let (_dir, store) = temp_store();
    let core = store.insert_message(&message("core")).unwrap();
    let t = store
        .insert_transfer(&transfer_of(core, "2026-03-01T10:20:00Z"))
        .unwrap();
    let fragment = store
        .insert_message(&NewMessage {
            interaction: "COPC_IN000001UK01".into(),
            role: role::FRAGMENT.into(),
            ..message("fragment")
        })
        .unwrap();
    let ack = store
        .insert_message(&NewMessage {
            interaction: "MCCI_IN010000UK13".into(),
            role: role::ACKNOWLEDGEMENT.into(),
            ..message("ack")
        })
        .unwrap();

    assert_eq!(ids(store.transfer_messages(t).unwrap()), [core]);
    store.set_message_transfer(fragment, t).unwrap();
    assert_eq!(store.message(fragment).unwrap().unwrap().transfer_id, Some(t));
    assert_eq!(ids(store.transfer_messages(t).unwrap()), [core, fragment]);
    assert_eq!(store.message(ack).unwrap().unwrap().transfer_id, None);
    assert!(store.transfer_messages(t + 1).unwrap().is_empty());
    // A transfer that does not exist is refused.
    assert!(store.set_message_transfer(ack, t + 1).is_err());
}

fn ids(messages: Vec<inbox_store::StoredMessage>) -> Vec<i64> {
    messages.into_iter().map(|m| m.id).collect()
}

#[test]
fn count_messages_counts_every_message() {
    let (_dir, store) = temp_store();
    for n in 0..3u64 {
        assert_eq!(store.count_messages().unwrap(), n);
        store.insert_message(&message(&format!("m{n}"))).unwrap();
    }
    assert_eq!(store.count_messages().unwrap(), 3);
}

#[test]
fn conversation_key_normalises_ids() {
    let cases = [
        (
            "3e5a1b2c-0d4f-4e6a-9b8c-7d6e5f4a3b2c",
            "3E5A1B2C-0D4F-4E6A-9B8C-7D6E5F4A3B2C",
        ),
        ("ABC-123", "ABC-123"),
        ("<abc-123>", "ABC-123"),
        ("  abc-123\n", "ABC-123"),
        (" <abc-123> ", "ABC-123"),
        ("", ""),
    ];
    for (raw, key) in cases {
        assert_eq!(conversation_key(raw), key, "{raw:?}");
        assert_eq!(conversation_key(key), key, "a key is its own key: {key:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// arrivals

#[test]
fn arrivals_round_trip_by_id_and_claim() {
    let (_dir, store) = temp_store();
    let message_id = store.insert_message(&message("m")).unwrap();
    let transfer_id = store
        .insert_transfer(&transfer_of(message_id, "2026-03-01T10:20:00Z"))
        .unwrap();
    let quarantine_id = store
        .insert_quarantined(&quarantined("junk.bin", "2026-03-01T10:20:00Z"))
        .unwrap();
    let cases = [
        NewArrival {
            message_id: Some(message_id),
            transfer_id: Some(transfer_id),
            ..arrival("stored", outcome::STORED)
        },
        NewArrival {
            message_id: Some(message_id),
            transfer_id: Some(transfer_id),
            detail: Some("the same record (extract id EXTRACT-1)".into()),
            ..arrival("duplicate", outcome::DUPLICATE)
        },
        NewArrival {
            message_id: Some(message_id),
            transfer_id: Some(transfer_id),
            ..arrival("awaiting", outcome::AWAITING)
        },
        NewArrival {
            quarantine_id: Some(quarantine_id),
            source: "endpoint".into(),
            size_bytes: 0,
            ..arrival("quarantined", outcome::QUARANTINED)
        },
    ];
    for a in cases {
        let id = store.insert_arrival(&a).unwrap();
        let got = store.arrival(id).unwrap().expect("stored arrival");
        assert_eq!((got.id, &got.fields), (id, &a));
        assert_eq!(store.arrival_by_claim(&a.claim_name).unwrap(), Some(got));
    }
    assert_eq!(store.arrival(999).unwrap(), None);
    assert_eq!(store.arrival_by_claim("never-claimed").unwrap(), None);
}

#[test]
fn a_claim_name_is_used_once() {
    let (_dir, store) = temp_store();
    store
        .insert_arrival(&arrival("claim-1", outcome::STORED))
        .unwrap();
    let again = NewArrival {
        sha256: "other".into(),
        ..arrival("claim-1", outcome::DUPLICATE)
    };
    assert!(store.insert_arrival(&again).is_err());
    assert_eq!(store.list_arrivals().unwrap().len(), 1);
    assert_eq!(
        store
            .arrival_by_claim("claim-1")
            .unwrap()
            .map(|a| a.fields.outcome),
        Some(outcome::STORED.to_owned())
    );
}

#[test]
fn arrivals_are_listed_oldest_first_and_counted_by_outcome() {
    let (_dir, store) = temp_store();
    assert!(store.list_arrivals().unwrap().is_empty());
    assert!(store.arrival_outcomes().unwrap().is_empty());
    let claims = [
        ("a", outcome::STORED),
        ("b", outcome::DUPLICATE),
        ("c", outcome::STORED),
        ("d", outcome::AWAITING),
        ("e", outcome::STORED),
        ("f", outcome::DUPLICATE),
    ];
    for (claim, what) in claims {
        store.insert_arrival(&arrival(claim, what)).unwrap();
    }
    let listed: Vec<String> = store
        .list_arrivals()
        .unwrap()
        .into_iter()
        .map(|a| a.fields.claim_name)
        .collect();
    assert_eq!(listed, ["a", "b", "c", "d", "e", "f"]);
    assert_eq!(
        store.arrival_outcomes().unwrap(),
        [
            (outcome::AWAITING.to_owned(), 1),
            (outcome::DUPLICATE.to_owned(), 2),
            (outcome::STORED.to_owned(), 3),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// transfers

#[test]
fn insert_transfer_reads_back_and_links_its_message() {
    let (_dir, store) = temp_store();
    let message_id = store.insert_message(&message("m")).unwrap();
    let new = NewTransfer {
        status: status::AWAITING_ATTACHMENTS.into(),
        ..transfer_of(message_id, "2026-03-01T10:20:00Z")
    };
    let id = store.insert_transfer(&new).unwrap();

    let got = store.transfer(id).unwrap().expect("stored transfer");
    assert_eq!(got.id, id);
    assert_eq!(got.fields, new);
    // A new transfer: its status set when it arrived, no parts, no record yet.
    assert_eq!(got.status_at, new.received_at);
    assert_eq!((got.parts_expected, got.parts_missing), (0, 0));
    assert_eq!((got.failure_code, got.failure_reason), (None, None));
    assert_eq!(got.record_version, 0);
    assert_eq!((got.counts, got.error_diagnostics), ([0; 14], 0));
    assert_eq!(store.message(message_id).unwrap().unwrap().transfer_id, Some(id));
    assert_eq!(store.transfer(id + 1).unwrap(), None);

    // One transfer per message, and only for a message that exists.
    assert!(store.insert_transfer(&new).is_err());
    assert!(store
        .insert_transfer(&transfer_of(999, "2026-03-01T10:20:00Z"))
        .is_err());
    assert_eq!(store.count_transfers().unwrap(), 1);
}

#[test]
fn transfer_by_extract_id_ignores_case_and_surrounding_space() {
    let (_dir, store) = temp_store();
    let with_id = |id: Option<&str>| NewTransfer {
        extract_id: id.map(str::to_owned),
        ..transfer_of(0, "2026-03-01T10:20:00Z")
    };
    let first = add_transfer(&store, "1", with_id(Some("5A8F0C2E-aa11-4B7D")));
    let _second = add_transfer(&store, "2", with_id(Some(" 5a8f0c2e-AA11-4b7d\n")));
    let spaced = add_transfer(&store, "3", with_id(Some("\t0FF1CE ")));
    let _none = add_transfer(&store, "4", with_id(None));
    let cases = [
        ("5A8F0C2E-aa11-4B7D", Some(first)),
        ("5a8f0c2e-aa11-4b7d", Some(first)),
        ("5A8F0C2E-AA11-4B7D", Some(first)),
        ("  5a8f0c2e-aa11-4b7d\t", Some(first)),
        ("0ff1ce", Some(spaced)),
        ("\r\n0FF1CE  ", Some(spaced)),
        ("5A8F0C2E", None),
        ("", None),
    ];
    for (query, want) in cases {
        assert_eq!(
            store.transfer_by_extract_id(query).unwrap().map(|t| t.id),
            want,
            "{query:?}"
        );
    }
}

#[test]
fn transfer_in_conversation_is_the_first_of_it() {
    let (_dir, store) = temp_store();
    let in_conversation = |c: &str| NewTransfer {
        conversation_id: Some(c.into()),
        ..transfer_of(0, "2026-03-01T10:20:00Z")
    };
    let a1 = add_transfer(&store, "1", in_conversation("CONV-A"));
    let b = add_transfer(&store, "2", in_conversation("CONV-B"));
    let _a2 = add_transfer(&store, "3", in_conversation("CONV-A"));
    let cases = [
        ("CONV-A", Some(a1)),
        ("CONV-B", Some(b)),
        ("CONV-C", None),
        (&*conversation_key("<conv-b>"), Some(b)),
    ];
    for (conversation, want) in cases {
        assert_eq!(
            store
                .transfer_in_conversation(conversation)
                .unwrap()
                .map(|t| t.id),
            want,
            "{conversation}"
        );
    }
}

#[test]
fn list_transfers_is_newest_first_and_counted() {
    let (_dir, store) = temp_store();
    assert!(store.list_transfers().unwrap().is_empty());
    assert_eq!(store.count_transfers().unwrap(), 0);
    for (sha, received_at) in [
        ("middle", "2026-03-02T10:00:00Z"),
        ("oldest", "2026-03-01T10:00:00Z"),
        ("newest", "2026-03-03T10:00:00Z"),
        // Same time as `middle`, stored later: listed before it.
        ("middle-later", "2026-03-02T10:00:00Z"),
    ] {
        add_transfer(&store, sha, transfer_of(0, received_at));
    }
    let listed: Vec<String> = store
        .list_transfers()
        .unwrap()
        .into_iter()
        .map(|t| {
            let m = store.message(t.fields.message_id).unwrap().unwrap();
            m.fields.sha256
        })
        .collect();
    assert_eq!(listed, ["newest", "middle-later", "middle", "oldest"]);
    assert_eq!(store.count_transfers().unwrap(), 4);
}

#[test]
fn transfers_in_status_since_finds_those_set_before_a_time() {
    let (_dir, store) = temp_store();
    let mut by_name = BTreeMap::new();
    for (name, status, at) in [
        ("early", status::AWAITING_ATTACHMENTS, "2026-03-01T08:00:00Z"),
        ("later", status::AWAITING_ATTACHMENTS, "2026-03-01T12:00:00Z"),
        ("earliest", status::AWAITING_ATTACHMENTS, "2026-02-28T23:00:00Z"),
        ("ready", status::READY, "2026-03-01T07:00:00Z"),
    ] {
        let id = add_transfer(&store, name, transfer_of(0, "2026-02-01T00:00:00Z"));
        store.set_transfer_status(id, &status_change(status, at)).unwrap();
        by_name.insert(id, name);
    }
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            status::AWAITING_ATTACHMENTS,
            "2026-03-02T00:00:00Z",
            &["earliest", "early", "later"],
        ),
        (
            status::AWAITING_ATTACHMENTS,
            "2026-03-01T12:00:00Z",
            &["earliest", "early"],
        ),
        (
            status::AWAITING_ATTACHMENTS,
            "2026-03-01T08:00:01Z",
            &["earliest", "early"],
        ),
        (status::AWAITING_ATTACHMENTS, "2026-02-28T00:00:00Z", &[]),
        (status::READY, "2026-03-02T00:00:00Z", &["ready"]),
        (status::INCOMPLETE, "2026-03-02T00:00:00Z", &[]),
    ];
    for (status, before, want) in cases {
        let got: Vec<&str> = store
            .transfers_in_status_since(status, before)
            .unwrap()
            .iter()
            .map(|t| by_name[&t.id])
            .collect();
        assert_eq!(got, want, "{status} before {before}");
    }
}

#[test]
fn set_transfer_status_records_the_change() {
    let (_dir, store) = temp_store();
    let id = add_transfer(&store, "a", transfer_of(0, "2026-03-01T10:00:00Z"));
    let other = add_transfer(&store, "b", transfer_of(0, "2026-03-01T10:00:00Z"));
    let changes = [
        StatusChange {
            parts_expected: 3,
            parts_missing: 2,
            ..status_change(status::AWAITING_ATTACHMENTS, "2026-03-01T10:00:00Z")
        },
        StatusChange {
            parts_expected: 3,
            parts_missing: 1,
            failure_code: Some("25".into()),
            failure_reason: Some("Large messages rejected due to timeout".into()),
            ..status_change(status::INCOMPLETE, "2026-03-02T10:00:00Z")
        },
        // Back to ready: the failure is cleared.
        StatusChange {
            parts_expected: 3,
            ..status_change(status::READY, "2026-03-02T11:00:00Z")
        },
    ];
    for change in changes {
        store.set_transfer_status(id, &change).unwrap();
        let t = store.transfer(id).unwrap().unwrap();
        let got = StatusChange {
            status: t.fields.status,
            at: t.status_at,
            parts_expected: t.parts_expected,
            parts_missing: t.parts_missing,
            failure_code: t.failure_code,
            failure_reason: t.failure_reason,
        };
        assert_eq!(got, change);
        let untouched = store.transfer(other).unwrap().unwrap();
        assert_eq!(
            (untouched.fields.status.as_str(), untouched.status_at.as_str()),
            (status::READY, "2026-03-01T10:00:00Z")
        );
    }
}

#[test]
fn transfers_with_record_before_lists_stale_records() {
    let (_dir, store) = temp_store();
    let fresh = add_transfer(&store, "fresh", transfer_of(0, "2026-03-01T10:00:00Z"));
    let stale = add_transfer(&store, "stale", transfer_of(0, "2026-03-01T11:00:00Z"));
    store
        .replace_record(fresh, &EhrExtract::default(), &[0; 14], 0)
        .unwrap();
    let cases: [(i64, &[i64]); 3] = [
        (0, &[]),
        (RECORD_VERSION, &[stale]),
        (RECORD_VERSION + 1, &[fresh, stale]),
    ];
    for (version, want) in cases {
        assert_eq!(
            store.transfers_with_record_before(version).unwrap(),
            want,
            "before {version}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Store::write

#[test]
fn write_rolls_back_every_write_when_anything_fails() {
    type Step = fn(&Store) -> inbox_store::Result<()>;
    let failures: [(&str, Step); 2] = [
        ("a constraint fails", |s| {
            s.insert_message(&message("aa"))?;
            Ok(())
        }),
        ("the closure gives up", |_| {
            Err(StoreError::TooNew { found: 0, known: 0 })
        }),
    ];
    for (what, fail) in failures {
        let (dir, store) = temp_store();
        let result = store.write(|s| {
            let m = s.insert_message(&message("aa"))?;
            let t = s.insert_transfer(&transfer_of(m, "2026-03-01T10:00:00Z"))?;
            s.insert_arrival(&NewArrival {
                message_id: Some(m),
                transfer_id: Some(t),
                ..arrival("claim", outcome::STORED)
            })?;
            s.set_transfer_status(t, &status_change(status::INCOMPLETE, "2026-03-01T11:00:00Z"))?;
            fail(s)
        });
        assert!(result.is_err(), "{what}");
        assert_eq!(store.count_messages().unwrap(), 0, "{what}");
        assert_eq!(store.count_transfers().unwrap(), 0, "{what}");
        assert!(store.list_arrivals().unwrap().is_empty(), "{what}");
        // Nothing reached the file either, and the store takes the next transaction.
        let on_disk: i64 = peek(&dir)
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap();
        assert_eq!(on_disk, 0, "{what}");
        store.write(|s| s.insert_message(&message("bb"))).unwrap();
        assert_eq!(store.count_messages().unwrap(), 1, "{what}");
    }
}

#[test]
fn write_commits_everything_on_success() {
    let (dir, store) = temp_store();
    let (m, t) = store
        .write(|s| {
            let m = s.insert_message(&message("aa"))?;
            let t = s.insert_transfer(&transfer_of(m, "2026-03-01T10:00:00Z"))?;
            s.insert_arrival(&NewArrival {
                message_id: Some(m),
                transfer_id: Some(t),
                ..arrival("claim", outcome::STORED)
            })?;
            Ok((m, t))
        })
        .unwrap();
    drop(store);
    let store = Store::open(&db_path(&dir)).unwrap();
    assert_eq!(store.message(m).unwrap().unwrap().transfer_id, Some(t));
    assert_eq!(store.transfer(t).unwrap().unwrap().fields.message_id, m);
    assert_eq!(
        store
            .arrival_by_claim("claim")
            .unwrap()
            .map(|a| (a.fields.message_id, a.fields.transfer_id)),
        Some((Some(m), Some(t)))
    );
}

// ---------------------------------------------------------------------------------------------
// quarantine

#[test]
fn quarantine_rows_round_trip_newest_first() {
    let (_dir, store) = temp_store();
    store
        .insert_quarantined(&quarantined("old.bin", "2026-03-01T10:00:00Z"))
        .unwrap();
    store
        .insert_quarantined(&quarantined("new.bin", "2026-03-02T10:00:00Z"))
        .unwrap();
    let rows = store.list_quarantined().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].fields, quarantined("new.bin", "2026-03-02T10:00:00Z"));
    assert_eq!(rows[1].fields, quarantined("old.bin", "2026-03-01T10:00:00Z"));
    assert_eq!(store.quarantined(rows[0].id).unwrap().as_ref(), Some(&rows[0]));
    assert_eq!(store.quarantined(999).unwrap(), None);
    // The quarantine name is unique: the caller must pick a fresh one on a clash.
    assert!(store
        .insert_quarantined(&quarantined("new.bin", "2026-03-03T10:00:00Z"))
        .is_err());
}

#[test]
fn quarantine_names_in_use_are_known_and_can_change() {
    let (_dir, store) = temp_store();
    let id = store
        .insert_quarantined(&quarantined("a.bin", "2026-03-01T10:00:00Z"))
        .unwrap();
    assert!(store.quarantine_name_taken("a.bin").unwrap());
    assert!(!store.quarantine_name_taken("b.bin").unwrap());
    store.rename_quarantined(id, "a (2).bin").unwrap();
    assert!(!store.quarantine_name_taken("a.bin").unwrap());
    assert_eq!(
        store.quarantined(id).unwrap().unwrap().fields.quarantine_name,
        "a (2).bin"
    );
}

#[test]
fn an_extract_id_prefers_a_transfer_that_is_not_incomplete() {
    let (_dir, store) = temp_store();
    let first = add_transfer(&store, "s1", transfer_of(0, "2026-03-01T10:00:00Z"));
    store
        .set_transfer_status(first, &status_change("incomplete", "2026-03-02T10:00:00Z"))
        .unwrap();
    let extract = store.transfer(first).unwrap().unwrap().fields.extract_id.unwrap();
    // Only an incomplete one: it is still found (the caller decides).
    assert_eq!(store.transfer_by_extract_id(&extract).unwrap().unwrap().id, first);
    let second = add_transfer(&store, "s2", transfer_of(0, "2026-03-03T10:00:00Z"));
    assert_eq!(
        store.transfer_by_extract_id(&extract).unwrap().unwrap().id,
        second
    );
}

// ---------------------------------------------------------------------------------------------
// The record, from the public corpus

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/public")
}

/// Every corpus message carrying an EhrExtract, by file name (read once for all tests).
fn corpus_extracts() -> &'static [(String, Message)] {
    static EXTRACTS: OnceLock<Vec<(String, Message)>> = OnceLock::new();
    EXTRACTS.get_or_init(|| {
        let dir = corpus_dir();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("the public corpus at {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml" || x == "json"))
            .collect();
        paths.sort();
        let extracts: Vec<(String, Message)> = paths
            .iter()
            .filter_map(|p| {
                let message = gp2gp::read(&std::fs::read(p).unwrap()).ok()?;
                message.extract.is_some().then(|| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, message)
                })
            })
            .collect();
        assert!(
            extracts.len() >= 10,
            "only {} extracts in {}",
            extracts.len(),
            dir.display()
        );
        extracts
    })
}

fn counts_of(message: &Message) -> RecordCounts {
    message.counts.fields().map(|(_, n)| n as u64)
}

fn error_count(message: &Message) -> u64 {
    message
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count() as u64
}

/// Stores a corpus message as a transfer with its record; returns the transfer id.
fn store_record(store: &Store, name: &str, message: &Message) -> i64 {
    let t = add_transfer(store, name, transfer_of(0, "2026-03-01T10:00:00Z"));
    let x = message.extract.as_ref().unwrap();
    store
        .write(|s| s.replace_record(t, x, &counts_of(message), error_count(message)))
        .unwrap();
    t
}

fn row_counts(store: &Store, transfer_id: i64) -> BTreeMap<&'static str, u64> {
    store
        .record_row_counts(transfer_id)
        .unwrap()
        .into_iter()
        .collect()
}

/// The rows the record tables should hold for `x`.
fn expected_rows(x: &EhrExtract) -> BTreeMap<&'static str, u64> {
    let n = |n: usize| n as u64;
    BTreeMap::from([
        ("compositions", n(x.compositions.len())),
        ("entries", n(x.statements.len())),
        (
            "codings",
            n(x.statements
                .iter()
                .flat_map(|s| s.own_codings())
                .map(|(_, c)| c.codes().count())
                .sum()),
        ),
        ("medication_courses", n(x.courses.len())),
        (
            "medication_issues",
            n(x.courses.iter().map(|c| c.issues.len()).sum()),
        ),
        ("allergies", n(x.allergies.len())),
        ("problems", n(x.problems.len())),
        (
            "problem_links",
            n(x.problems.iter().map(|p| p.linked.len()).sum()),
        ),
        ("degraded_entries", n(x.degrades.len() + x.no_snomed.len())),
        ("documents", n(x.documents.len())),
        ("attachments", 0),
    ])
}

#[test]
fn replace_record_writes_every_corpus_extract_once() {
    let (_dir, store) = temp_store();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for (name, message) in corpus_extracts() {
        let x = message.extract.as_ref().unwrap();
        let counts = counts_of(message);
        let t = store_record(&store, name, message);

        let rows = row_counts(&store, t);
        assert_eq!(rows, expected_rows(x), "{name}");
        let got = store.transfer(t).unwrap().unwrap();
        assert_eq!(got.counts, counts, "{name}");
        assert_eq!(got.error_diagnostics, error_count(message), "{name}");
        assert_eq!(got.record_version, RECORD_VERSION, "{name}");

        // Written again (a newer reader, a skeleton resolved): the same rows, not twice as many.
        store
            .write(|s| s.replace_record(t, x, &counts, error_count(message)))
            .unwrap();
        assert_eq!(row_counts(&store, t), rows, "{name}: written again");

        for (table, n) in rows {
            *totals.entry(table).or_default() += n;
        }
    }
    // The corpus exercises every table, and each transfer's rows are its own.
    for (table, total) in &totals {
        assert!(*total > 0 || *table == "attachments", "no {table} in the corpus");
    }
    let db_total: u64 = store
        .list_transfers()
        .unwrap()
        .iter()
        .map(|t| row_counts(&store, t.id).values().sum::<u64>())
        .sum();
    assert_eq!(db_total, totals.values().sum::<u64>());
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn replace_record_with_an_empty_extract_clears_the_record() {
    let (_dir, store) = temp_store();
    let (name, message) = corpus_extracts()
        .iter()
        .max_by_key(|(_, m)| m.extract.as_ref().unwrap().statements.len())
        .unwrap();
    let t = store_record(&store, name, message);
    assert!(row_counts(&store, t).values().sum::<u64>() > 0);
    store
        .replace_record(t, &EhrExtract::default(), &[0; 14], 0)
        .unwrap();
    assert!(
        row_counts(&store, t).values().all(|&n| n == 0),
        "{:?}",
        row_counts(&store, t)
    );
    assert_eq!(store.transfer(t).unwrap().unwrap().counts, [0; 14]);
}

#[test]
fn attachments_round_trip_and_are_deleted_per_transfer() {
    let (_dir, store) = temp_store();
    let t = add_transfer(&store, "a", transfer_of(0, "2026-03-01T10:00:00Z"));
    let other = add_transfer(&store, "b", transfer_of(0, "2026-03-01T10:00:00Z"));
    let inline = NewAttachment {
        transfer_id: t,
        reference: Some("cid:letter.pdf".into()),
        file_name: Some("letter.pdf".into()),
        content_type: Some("application/pdf".into()),
        description: Some("Discharge letter".into()),
        size_bytes: 2048,
        sha256: "sha-letter".into(),
        content_name: "sh/sha-letter".into(),
        source: "inline".into(),
        slices: 1,
    };
    let large = NewAttachment {
        reference: Some("mid:FRAGMENT-1".into()),
        file_name: Some("scan.tif".into()),
        content_type: Some("image/tiff".into()),
        description: None,
        size_bytes: 27_000,
        sha256: "sha-scan".into(),
        content_name: "sh/sha-scan".into(),
        source: "large_message".into(),
        slices: 3,
        ..inline.clone()
    };
    let kept = NewAttachment {
        transfer_id: other,
        ..inline.clone()
    };
    let ids: Vec<i64> = [&inline, &large, &kept]
        .iter()
        .map(|a| store.insert_attachment(a).unwrap())
        .collect();

    let got = store.attachments(t).unwrap();
    assert_eq!(
        got.iter().map(|a| (a.id, &a.fields)).collect::<Vec<_>>(),
        [(ids[0], &inline), (ids[1], &large)]
    );
    store.delete_attachments(t).unwrap();
    assert!(store.attachments(t).unwrap().is_empty());
    assert_eq!(
        store
            .attachments(other)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect::<Vec<_>>(),
        [ids[2]]
    );
    // An attachment belongs to a transfer that exists.
    assert!(store
        .insert_attachment(&NewAttachment {
            transfer_id: 999,
            ..inline
        })
        .is_err());
}

/// The `attachment_id` of every document of a transfer, by document position.
fn document_links(dir: &TempDir, transfer_id: i64) -> Vec<Option<i64>> {
    let db = peek(dir);
    let mut stmt = db
        .prepare("SELECT attachment_id FROM documents WHERE transfer_id = ?1 ORDER BY seq")
        .unwrap();
    let links = stmt
        .query_map([transfer_id], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    links
}

#[test]
fn documents_are_linked_to_their_attachments() {
    // The first corpus document that is present (not a placeholder) and names a file.
    let (name, message, seq, doc) = corpus_extracts()
        .iter()
        .find_map(|(name, m)| {
            let x = m.extract.as_ref().unwrap();
            x.documents
                .iter()
                .enumerate()
                .find(|(_, d)| d.absent.is_none() && d.file_name().is_some())
                .map(|(seq, d)| (name, m, seq, d))
        })
        .expect("a corpus document with a file");
    let file = doc.file_name().unwrap();
    let link = doc.link.clone().unwrap();

    struct Case {
        what: &'static str,
        file_name: Option<String>,
        reference: Option<String>,
        on_other_transfer: bool,
        linked: bool,
    }
    let case = |what, file_name: Option<String>, reference: Option<String>, linked| Case {
        what,
        file_name,
        reference,
        on_other_transfer: false,
        linked,
    };
    let cases = [
        case("same file name", Some(file.to_owned()), None, true),
        case("file name in another case", Some(file.to_uppercase()), None, true),
        case("reference is the link", None, Some(link.clone()), true),
        case(
            "reference is cid: and the file name",
            None,
            Some(format!("cid:{file}")),
            true,
        ),
        case(
            "another file",
            Some("other.pdf".into()),
            Some("cid:other.pdf".into()),
            false,
        ),
        Case {
            on_other_transfer: true,
            ..case("another transfer's file", Some(file.to_owned()), None, false)
        },
    ];
    for c in cases {
        let (dir, store) = temp_store();
        let t = store_record(&store, name, message);
        let other = add_transfer(&store, "other", transfer_of(0, "2026-03-01T10:00:00Z"));
        let attachment = store
            .insert_attachment(&NewAttachment {
                transfer_id: if c.on_other_transfer { other } else { t },
                reference: c.reference,
                file_name: c.file_name,
                size_bytes: 10,
                sha256: "sha".into(),
                content_name: "sh/sha".into(),
                source: "inline".into(),
                slices: 1,
                ..NewAttachment::default()
            })
            .unwrap();
        store.link_documents_to_attachments(t).unwrap();
        let links = document_links(&dir, t);
        let want = c.linked.then_some(attachment);
        assert_eq!(links[seq], want, "{}: {name} document {seq}", c.what);

        // Deleting the transfer's attachments unlinks its documents.
        store.delete_attachments(t).unwrap();
        assert!(store.attachments(t).unwrap().is_empty(), "{}", c.what);
        assert!(document_links(&dir, t).iter().all(Option::is_none), "{}", c.what);
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}

#[test]
fn placeholder_documents_are_not_linked() {
    let (name, message, seq, file) = corpus_extracts()
        .iter()
        .find_map(|(name, m)| {
            let x = m.extract.as_ref().unwrap();
            x.documents
                .iter()
                .enumerate()
                .find(|(_, d)| d.absent.is_some() && d.file_name().is_some())
                .map(|(seq, d)| (name, m, seq, d.file_name().unwrap().to_owned()))
        })
        .expect("a corpus document standing in for an absent attachment");
    let (dir, store) = temp_store();
    let t = store_record(&store, name, message);
    store
        .insert_attachment(&NewAttachment {
            transfer_id: t,
            reference: Some(format!("cid:{file}")),
            file_name: Some(file),
            sha256: "sha".into(),
            content_name: "sh/sha".into(),
            source: "inline".into(),
            slices: 1,
            ..NewAttachment::default()
        })
        .unwrap();
    store.link_documents_to_attachments(t).unwrap();
    assert_eq!(document_links(&dir, t)[seq], None);
}

// ---------------------------------------------------------------------------------------------
// diagnostics

#[test]
fn diagnostics_are_replaced_per_message() {
    let (_dir, store) = temp_store();
    let m = store.insert_message(&message("m")).unwrap();
    let other = store.insert_message(&message("other")).unwrap();
    let d = |severity, text: &str, at: &str| Diagnostic::new(severity, text, at);
    let stored = |list: &[Diagnostic]| -> Vec<StoredDiagnostic> {
        list.iter()
            .map(|d| StoredDiagnostic {
                severity: d.severity.code().into(),
                message: d.message.clone(),
                at: d.at.clone(),
            })
            .collect()
    };
    let first = [
        d(Severity::Error, "The payload is truncated.", "payload@10234"),
        d(Severity::Warning, "No NHS number.", "EhrExtract/recordTarget"),
        d(Severity::Info, "A UTF-8 byte order mark.", "payload@0"),
    ];
    let second = [d(Severity::Warning, "An unknown attachment.", "ebXML")];
    store.replace_diagnostics(other, &second).unwrap();

    let cases: [&[Diagnostic]; 4] = [&first, &second, &[], &first];
    for list in cases {
        store.replace_diagnostics(m, list).unwrap();
        assert_eq!(store.diagnostics(m).unwrap(), stored(list));
        assert_eq!(store.diagnostics(other).unwrap(), stored(&second));
    }
    assert!(store.diagnostics(999).unwrap().is_empty());
    // Diagnostics belong to a message that exists.
    assert!(store.replace_diagnostics(999, &second).is_err());

    // A corpus message's own diagnostics, as read.
    if let Some((name, message)) = corpus_extracts().iter().find(|(_, m)| !m.diagnostics.is_empty()) {
        store.replace_diagnostics(m, &message.diagnostics).unwrap();
        assert_eq!(
            store.diagnostics(m).unwrap(),
            stored(&message.diagnostics),
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// integrity and times

#[test]
fn integrity_check_is_ok_on_a_used_database() {
    let (dir, store) = temp_store();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let t = add_transfer(&store, "a", transfer_of(0, "2026-03-01T10:00:00Z"));
    store
        .insert_arrival(&NewArrival {
            transfer_id: Some(t),
            ..arrival("a", outcome::STORED)
        })
        .unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let on_disk: Option<String> = peek(&dir)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .optional()
        .unwrap();
    assert_eq!(on_disk.as_deref(), Some("wal"));
}

#[test]
fn times_are_stored_in_utc_with_their_precision() {
    use inbox_store::times::stored;
    let cases = [
        ("20260115103000", Some("2026-01-15T10:30:00Z"), Some("second")),
        ("20260701103000", Some("2026-07-01T09:30:00Z"), Some("second")),
        ("2026070110", Some("2026-07-01T09:00:00Z"), Some("hour")),
        ("20260701", Some("2026-07-01"), Some("day")),
        ("202607", Some("2026-07"), Some("month")),
        ("2026", Some("2026"), Some("year")),
        ("UNK", Some("UNK"), Some("unreadable")),
        // A day not in the calendar is not a time to store.
        ("20260231103000", Some("20260231103000"), Some("unreadable")),
        ("20260231", Some("20260231"), Some("unreadable")),
    ];
    for (raw, at, precision) in cases {
        let s = stored(Some(&gp2gp::Timestamp::parse(raw)));
        assert_eq!((s.at.as_deref(), s.precision), (at, precision), "{raw}");
    }
    assert_eq!(stored(None).at, None);
}

// ---------------------------------------------------------------------------------------------
// The audit trail

fn audit_entry(action: &str, transfer: Option<i64>) -> inbox_store::NewAuditEntry {
    inbox_store::NewAuditEntry {
        at: "2026-03-01T10:00:00Z".into(),
        user_name: "Dr A Synthetic".into(),
        role: "clinician".into(),
        action: action.into(),
        transfer_id: transfer,
        detail: format!("{action} (synthetic test)"),
    }
}

fn three_entries(store: &Store) -> Vec<inbox_store::AuditEntry> {
    ["sign_in", "view_record", "decision"]
        .iter()
        .enumerate()
        .map(|(i, a)| store.append_audit(&audit_entry(a, Some(i as i64 + 1))).unwrap())
        .collect()
}

#[test]
fn audit_entries_are_chained_and_listed_newest_first() {
    let (_dir, store) = temp_store();
    assert_eq!(store.verify_audit().unwrap().entries, 0);
    let entries = three_entries(&store);
    assert_eq!(entries[0].prev_hash, inbox_store::audit::GENESIS);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert_eq!(entries[2].prev_hash, entries[1].hash);
    let listed = store.audit_entries(None, 10).unwrap();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(store.audit_entries(Some(2), 10).unwrap(), [entries[1].clone()]);
    assert_eq!(store.audit_entries(None, 1).unwrap().len(), 1);
    let verdict = store.verify_audit().unwrap();
    assert_eq!(verdict.entries, 3);
    assert_eq!(verdict.broken, None);
    assert_eq!(verdict.head, entries[2].hash);
}

#[test]
fn tampering_with_the_audit_trail_is_detected() {
    // Each case: tamper through a raw connection (triggers dropped, as an attacker with the file
    // could), then verify.
    let cases: [(&str, &str, i64, &str); 3] = [
        (
            "edited",
            "UPDATE audit SET detail = 'nothing happened' WHERE id = 2",
            2,
            "changed",
        ),
        ("removed", "DELETE FROM audit WHERE id = 2", 3, "missing"),
        (
            "re-chained",
            "UPDATE audit SET prev_hash = (SELECT hash FROM audit WHERE id = 1) WHERE id = 3",
            3,
            "does not follow",
        ),
    ];
    for (what, sql, at, words) in cases {
        let (dir, store) = temp_store();
        three_entries(&store);
        drop(store);
        let raw = peek(&dir);
        raw.execute_batch(&format!(
            "DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete; {sql};"
        ))
        .unwrap();
        drop(raw);
        let store = Store::open(&db_path(&dir)).unwrap();
        let verdict = store.verify_audit().unwrap();
        let (id, why) = verdict.broken.unwrap_or_else(|| panic!("{what}: not detected"));
        assert_eq!(id, at, "{what}");
        assert!(why.contains(words), "{what}: {why}");
    }
}

#[test]
fn the_append_only_triggers_refuse_edits() {
    let (dir, store) = temp_store();
    three_entries(&store);
    drop(store);
    let raw = peek(&dir);
    for sql in [
        "UPDATE audit SET detail = 'x' WHERE id = 2",
        "DELETE FROM audit WHERE id = 2",
    ] {
        let err = raw.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn registrations_are_upserted_and_found_by_nhs_number() {
    let (_dir, store) = temp_store();
    let reg = |given: &str| inbox_store::Registration {
        nhs_number: "9990000018".into(),
        given_name: given.into(),
        family_name: "TEST-SYNTHETIC".into(),
        date_of_birth: Some("1957-03-12".into()),
        sex: "female".into(),
        address: "1 Synthetic Street, Testville".into(),
        postcode: "ZZ99 1AA".into(),
        practice_ods: Some("SYN001".into()),
        registered_on: Some("2020-01-02".into()),
        imported_at: "2026-03-01T10:00:00Z".into(),
        source: "registrations.csv".into(),
    };
    assert_eq!(store.upsert_registrations(&[reg("Ann")]).unwrap(), 1);
    assert_eq!(store.registration("999 000 0018").unwrap(), Some(reg("Ann")));
    store.upsert_registrations(&[reg("Anne")]).unwrap();
    assert_eq!(store.count_registrations().unwrap(), 1);
    assert_eq!(
        store.registration("9990000018").unwrap().unwrap().given_name,
        "Anne"
    );
    assert_eq!(store.registration("9990000026").unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Review and decision

fn with_user(store: &Store, name: &str) -> i64 {
    store
        .insert_user(&inbox_store::NewUser {
            name: name.into(),
            roles: "clinician".into(),
            pin_hash: "$argon2id$v=19$test".into(),
            created_at: "2026-03-01T09:00:00Z".into(),
        })
        .unwrap()
        .unwrap()
}

#[test]
fn marks_replace_each_other_and_clear_and_name_their_author() {
    let (_dir, store) = temp_store();
    let t = add_transfer(&store, "a1", transfer_of(0, "2026-03-01T09:00:00Z"));
    let ann = with_user(&store, "Ann");
    let keys = vec!["course:0".to_owned(), "course:1".to_owned()];
    assert_eq!(
        store
            .set_marks(
                t,
                "medications",
                &keys,
                Some("reviewed"),
                None,
                ann,
                "2026-03-01T09:01:00Z"
            )
            .unwrap(),
        2
    );
    store
        .set_marks(
            t,
            "medications",
            &keys[1..],
            Some("flagged"),
            Some("dose?"),
            ann,
            "2026-03-01T09:02:00Z",
        )
        .unwrap();
    let marks = store.marks(t).unwrap();
    assert_eq!(marks.len(), 2);
    assert_eq!(
        (marks[1].state.as_str(), marks[1].note.as_deref()),
        ("flagged", Some("dose?"))
    );
    assert_eq!(marks[0].user_name, "Ann");
    assert_eq!(
        store
            .set_marks(t, "medications", &keys[..1], None, None, ann, "x")
            .unwrap(),
        1
    );
    assert_eq!(store.marks(t).unwrap().len(), 1);
    store
        .set_intention(t, "medications", "course:1", "reauthorise", None, None, ann, "y")
        .unwrap();
    assert_eq!(store.clear_review(t).unwrap(), 2);
    assert!(store.marks(t).unwrap().is_empty() && store.intentions(t).unwrap().is_empty());
}

#[test]
fn intentions_are_one_per_item_and_kind() {
    let (_dir, store) = temp_store();
    let t = add_transfer(&store, "b1", transfer_of(0, "2026-03-01T09:00:00Z"));
    let u = with_user(&store, "Bo");
    store
        .set_intention(
            t,
            "degraded",
            "degraded:3",
            "recode",
            Some("1"),
            Some("a"),
            u,
            "t1",
        )
        .unwrap();
    store
        .set_intention(
            t,
            "degraded",
            "degraded:3",
            "recode",
            Some("91936005"),
            Some("Allergy to penicillin"),
            u,
            "t2",
        )
        .unwrap();
    let i = store.intentions(t).unwrap();
    assert_eq!(i.len(), 1);
    assert_eq!(i[0].code.as_deref(), Some("91936005"));
    assert!(store
        .clear_intention(t, "degraded", "degraded:3", "recode")
        .unwrap());
    assert!(!store
        .clear_intention(t, "degraded", "degraded:3", "recode")
        .unwrap());
}

#[test]
fn a_transfer_has_one_decision_and_a_message_one_ack() {
    let (_dir, store) = temp_store();
    let t = add_transfer(&store, "c1", transfer_of(0, "2026-03-01T09:00:00Z"));
    let message_id = store.transfer(t).unwrap().unwrap().fields.message_id;
    let u = with_user(&store, "Cy");
    let d = inbox_store::review::NewDecision {
        transfer_id: t,
        kind: "reject".into(),
        reason_code: Some("28".into()),
        user_id: Some(u),
        decided_at: "2026-03-01T10:00:00Z".into(),
        ..Default::default()
    };
    assert!(store.insert_decision(&d).unwrap().is_some());
    assert_eq!(store.insert_decision(&d).unwrap(), None);
    let got = store.decision(t).unwrap().unwrap();
    assert_eq!(
        (got.fields.kind.as_str(), got.user_name.as_deref()),
        ("reject", Some("Cy"))
    );
    let ack = inbox_store::review::AckSent {
        transfer_id: Some(t),
        message_id,
        ack_type: "AE".into(),
        reason_code: Some("28".into()),
        ack_message_id: "A1".into(),
        message_ref: "X1".into(),
        file_name: "MCCI_IN010000UK13_AE-28_A1.xml".into(),
        written_at: "2026-03-01T10:00:00Z".into(),
        archive_name: "ab/abcdef".into(),
    };
    assert!(store.insert_ack_sent(&ack).unwrap());
    assert!(!store
        .insert_ack_sent(&inbox_store::review::AckSent {
            ack_message_id: "A2".into(),
            ..ack.clone()
        })
        .unwrap());
    assert_eq!(store.ack_for_message(message_id).unwrap(), Some(ack.clone()));
    assert_eq!(store.ack_by_file(&ack.file_name).unwrap(), Some(ack.clone()));
    assert_eq!(store.acks_sent(t).unwrap(), vec![ack]);
    store
        .set_decided_status(t, status::REJECTED, "2026-03-01T10:00:00Z")
        .unwrap();
    assert_eq!(store.transfer(t).unwrap().unwrap().fields.status, "rejected");
}

#[test]
fn followups_are_kept_once_per_item_and_kind() {
    let (_dir, store) = temp_store();
    let t = add_transfer(&store, "d1", transfer_of(0, "2026-03-01T09:00:00Z"));
    let f = inbox_store::review::Followup {
        transfer_id: t,
        kind: "reauthorise".into(),
        section: "medications".into(),
        item_key: "course:2".into(),
        title: "Amlodipine 5mg tablets".into(),
        state: "open".into(),
        created_at: "2026-03-01T10:00:00Z".into(),
        ..Default::default()
    };
    store.insert_followup(&f).unwrap();
    store.insert_followup(&f).unwrap();
    assert_eq!(store.followups(t).unwrap(), vec![f]);
}

#[test]
fn held_records_are_the_patients_other_transfers_integrated_or_suppressed() {
    let (_dir, store) = temp_store();
    let mut first = transfer_of(0, "2022-01-01T09:00:00Z");
    first.nhs_number = Some("9990001234".into());
    let a = add_transfer(&store, "e1", first.clone());
    let b = add_transfer(
        &store,
        "e2",
        NewTransfer {
            nhs_number: Some("9990005678".into()),
            ..first.clone()
        },
    );
    let c = add_transfer(
        &store,
        "e3",
        NewTransfer {
            received_at: "2026-03-01T09:00:00Z".into(),
            ..first.clone()
        },
    );
    let d = add_transfer(
        &store,
        "e4",
        NewTransfer {
            received_at: "2026-03-02T09:00:00Z".into(),
            ..first
        },
    );
    assert!(
        store.held_records(c, "9990001234").unwrap().is_empty(),
        "nothing decided yet"
    );
    store
        .insert_decision(&inbox_store::review::NewDecision {
            transfer_id: a,
            kind: "integrate".into(),
            decided_at: "2022-01-02T10:00:00Z".into(),
            ..Default::default()
        })
        .unwrap();
    store
        .set_decided_status(a, status::INTEGRATED, "2022-01-02T10:00:00Z")
        .unwrap();
    store
        .set_decided_status(d, status::REJECTED, "2026-03-02T10:00:00Z")
        .unwrap();
    let held = store.held_records(c, "9990001234").unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].transfer_id, held[0].decided_at.as_deref()),
        (a, Some("2022-01-02T10:00:00Z"))
    );
    assert!(store.held_records(b, "9990005678").unwrap().is_empty());
}

#[test]
fn audit_search_narrows_by_transfer_user_and_action() {
    let (_dir, store) = temp_store();
    for (user, action, transfer) in [
        ("Ann", "sign_in", None),
        ("Ann", "view_record", Some(4)),
        ("Bo", "view_record", Some(5)),
    ] {
        store
            .append_audit(&inbox_store::NewAuditEntry {
                at: "2026-03-01T10:00:00Z".into(),
                user_name: user.into(),
                role: "clinician".into(),
                action: action.into(),
                transfer_id: transfer,
                detail: String::new(),
            })
            .unwrap();
    }
    assert_eq!(store.audit_search(None, Some("ann"), None, 10).unwrap().len(), 2);
    assert_eq!(
        store
            .audit_search(None, None, Some("view_record"), 10)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store.audit_search(Some(5), None, None, 10).unwrap()[0]
            .fields
            .user_name,
        "Bo"
    );
    assert_eq!(
        store.audit_search(None, None, None, 1).unwrap()[0]
            .fields
            .user_name,
        "Bo",
        "newest first"
    );
}

#[test]
fn every_corpus_record_reads_back_section_by_section() {
    let (_dir, store) = temp_store();
    for (name, message) in corpus_extracts() {
        let t = store_record(&store, name, message);
        let x = message.extract.as_ref().unwrap();
        let courses = store.courses(t).unwrap();
        assert_eq!(courses.len(), x.courses.len(), "{name}");
        let issues: i64 = courses.iter().map(|c| c.issue_count).sum();
        assert_eq!(store.issues(t).unwrap().len() as i64, issues, "{name}");
        assert_eq!(store.allergy_rows(t).unwrap().len(), x.allergies.len(), "{name}");
        let degraded = store.degraded_rows(t).unwrap();
        assert_eq!(
            degraded.len(),
            store.degraded_rows_brief(t).unwrap().len(),
            "{name}"
        );
        assert_eq!(
            degraded.iter().filter(|d| d.kind != "no_snomed").count(),
            x.degrades.len(),
            "{name}"
        );
        for d in &degraded {
            if let Some(original) = &d.original_code {
                assert_ne!(
                    Some(original),
                    d.degraded_code.as_ref(),
                    "{name}: the original is another code"
                );
            }
        }
        let docs = store.document_rows(t).unwrap();
        assert!(docs.len() <= x.documents.len(), "{name}");
        let timeline = store.timeline(t).unwrap();
        assert!(timeline.len() >= docs.len(), "{name}");
        let sorted = timeline.windows(2).all(|w| match (&w[0].at, &w[1].at) {
            (Some(a), Some(b)) => a >= b,
            (None, Some(_)) => false,
            _ => true,
        });
        assert!(sorted, "{name}: newest first, undated last");
    }
    assert!(store.code_suggestions("x", 5).is_ok());
}

#[test]
fn a_transfer_rejected_for_its_large_message_failed_to_import_and_a_resend_is_preferred() {
    let (_dir, store) = temp_store();
    let extract = NewTransfer {
        extract_id: Some("E-1".into()),
        ..transfer_of(0, "2026-03-01T09:00:00Z")
    };
    let first = add_transfer(&store, "f1", extract.clone());
    assert!(!store.failed_to_import(first).unwrap());
    store
        .insert_decision(&inbox_store::review::NewDecision {
            transfer_id: first,
            kind: "reject".into(),
            reason_code: Some("25".into()),
            decided_at: "2026-03-02T09:00:00Z".into(),
            ..Default::default()
        })
        .unwrap();
    store
        .set_decided_status(first, status::REJECTED, "2026-03-02T09:00:00Z")
        .unwrap();
    assert!(store.failed_to_import(first).unwrap());
    let resend = add_transfer(
        &store,
        "f2",
        NewTransfer {
            received_at: "2026-03-03T09:00:00Z".into(),
            ..extract
        },
    );
    assert_eq!(store.transfer_by_extract_id("E-1").unwrap().unwrap().id, resend);
    // A rejection as the wrong patient is an answer, not a failure: a copy is a duplicate.
    let other = add_transfer(
        &store,
        "f3",
        NewTransfer {
            extract_id: Some("E-2".into()),
            ..transfer_of(0, "x")
        },
    );
    store
        .insert_decision(&inbox_store::review::NewDecision {
            transfer_id: other,
            kind: "reject".into(),
            reason_code: Some("28".into()),
            decided_at: "2026-03-02T09:00:00Z".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(!store.failed_to_import(other).unwrap());
}
