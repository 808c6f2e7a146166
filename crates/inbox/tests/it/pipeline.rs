//! The durable pipeline: duplicates, conversations and large messages, crash recovery at every
//! step, failing writes, and conservation over the whole public corpus plus junk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use inbox::dto::TransferStatus;
use inbox::{DataPaths, FixedClock, Inbox, IngestOutcome, PipelineOptions, Settings};
use inbox_store::Store;

use crate::{corpus, reopen, temp_inbox, T0};

/// Copies corpus files into a drop folder under new names and files them like the watcher does.
fn drop_in(inbox: &Inbox, dir: &Path, name: &str, bytes: &[u8]) -> IngestOutcome {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    inbox.ingest_file(&path).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn store_of(data_dir: &Path) -> Store {
    Store::open(&data_dir.join(inbox::paths::DATABASE_FILE)).unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn an_extract_already_stored_is_a_duplicate_even_in_other_bytes() {
    // GP2GP S60/S85: the same extract id again (a resend) is not imported twice.
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("emis_PWTP2_full_extract.xml")).unwrap();
    let first = drop_in(&inbox, dir.path(), "first.xml", &bytes);
    let mut resent = bytes.clone();
    resent.extend_from_slice(b"\n\n");
    let again = drop_in(&inbox, dir.path(), "resent.xml", &resent);
    let (
        IngestOutcome::Stored {
            message_id,
            transfer_id,
        },
        IngestOutcome::Duplicate {
            message_id: m,
            transfer_id: t,
            reason,
        },
    ) = (first, again)
    else {
        panic!("unexpected outcomes")
    };
    assert_eq!((m, t), (message_id, transfer_id));
    assert!(reason.contains("extract id"), "{reason}");
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    // The resent bytes are kept all the same.
    let store = store_of(dir.path());
    let arrival = store
        .list_arrivals()
        .unwrap()
        .into_iter()
        .find(|a| a.fields.file_name == "resent.xml")
        .unwrap();
    assert_eq!(arrival.fields.outcome, "duplicate");
    let kept = store.message_by_sha256(&arrival.fields.sha256).unwrap().unwrap();
    assert_eq!(
        std::fs::read(inbox.paths().archive.join(&kept.fields.archive_name)).unwrap(),
        resent
    );
}

#[test]
fn the_record_is_stored_in_queryable_tables() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("emis_PWTP2_full_extract.xml")).unwrap();
    let IngestOutcome::Stored {
        transfer_id: Some(id),
        ..
    } = drop_in(&inbox, dir.path(), "pwtp2.xml", &bytes)
    else {
        panic!("not stored")
    };
    let message = gp2gp::read(&bytes).unwrap();
    let x = message.extract.as_ref().unwrap();
    let row = inbox.transfer(id).unwrap();
    assert_eq!(row.status, TransferStatus::Ready);
    assert_eq!(row.counts.medication_courses as usize, x.courses.len());
    assert_eq!(row.counts.compositions as usize, x.compositions.len());
    let counts: std::collections::HashMap<_, _> = store_of(dir.path())
        .record_row_counts(id)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(counts["compositions"] as usize, x.compositions.len());
    assert_eq!(counts["entries"] as usize, x.statements.len());
    assert_eq!(counts["medication_courses"] as usize, x.courses.len());
    assert_eq!(
        counts["medication_issues"] as usize,
        x.courses.iter().map(|c| c.issues.len()).sum::<usize>()
    );
    assert_eq!(counts["allergies"] as usize, x.allergies.len());
    assert_eq!(counts["problems"] as usize, x.problems.len());
    assert_eq!(counts["documents"] as usize, x.documents.len());
    assert_eq!(
        counts["degraded_entries"] as usize,
        x.degrades.len() + x.no_snomed.len()
    );
    assert!(counts["codings"] > 0);
}

const VISION: [&str; 4] = [
    "vision_large_attachment_uk06.json",
    "vision_large_attachment_copc_index.json",
    "vision_large_attachment_copc0.json",
    "vision_large_attachment_copc1.json",
];

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn a_large_message_is_assembled_whatever_order_its_parts_arrive_in() {
    let files: Vec<Vec<u8>> = VISION.iter().map(|n| std::fs::read(corpus(n)).unwrap()).collect();
    for order in permutations(VISION.len()) {
        let (dir, inbox) = temp_inbox();
        let mut outcomes = Vec::new();
        for &i in &order {
            outcomes.push(drop_in(&inbox, dir.path(), VISION[i], &files[i]));
        }
        let transfers = inbox.transfers().unwrap();
        assert_eq!(transfers.len(), 1, "{order:?}");
        let t = &transfers[0];
        assert_eq!(t.status, TransferStatus::Ready, "{order:?}: {t:?}");
        assert_eq!(t.parts_missing, 0);
        // The core waited when parts were still to come.
        let core_at = order.iter().position(|&i| i == 0).unwrap();
        let waited = matches!(outcomes[core_at], IngestOutcome::Awaiting { .. });
        assert_eq!(waited, core_at < 3, "{order:?}: {:?}", outcomes[core_at]);
        let attachments = store_of(dir.path()).attachments(t.id).unwrap();
        assert_eq!(attachments.len(), 1, "{order:?}");
        let a = &attachments[0].fields;
        assert_eq!(a.source, "large_message");
        assert_eq!(a.slices, 3);
        let content = std::fs::read(inbox.paths().attachments.join(&a.content_name)).unwrap();
        assert_eq!(content.len() as u64, a.size_bytes);
        assert!(
            content.starts_with(b"II*\0") || content.starts_with(b"MM\0*"),
            "a TIFF"
        );
    }
}

#[test]
fn a_record_whose_parts_never_arrive_becomes_incomplete_with_code_25() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let paths = DataPaths::resolve(dir.path(), None, &Settings::default());
    let options = PipelineOptions {
        attachment_timeout: time::Duration::hours(24),
    };
    let inbox = Inbox::open_with(paths, clock.clone(), options).unwrap();
    let core = std::fs::read(corpus(VISION[0])).unwrap();
    let IngestOutcome::Awaiting {
        transfer_id,
        parts_missing,
        ..
    } = drop_in(&inbox, dir.path(), "core.json", &core)
    else {
        panic!("should wait")
    };
    assert_eq!(parts_missing, 1);
    clock.advance(time::Duration::hours(23));
    assert!(inbox.expire_awaiting().unwrap().is_empty());
    clock.advance(time::Duration::hours(2));
    assert_eq!(inbox.expire_awaiting().unwrap(), [transfer_id]);
    let t = inbox.transfer(transfer_id).unwrap();
    assert_eq!(t.status, TransferStatus::Incomplete);
    assert_eq!(t.failure_code.as_deref(), Some("25"));
    assert!(t.failure_reason.unwrap().contains("24 hours"));
    // A part arriving after that is kept, but does not revive the transfer.
    let index = std::fs::read(corpus(VISION[1])).unwrap();
    let late = drop_in(&inbox, dir.path(), "index.json", &index);
    assert!(matches!(late, IngestOutcome::Stored { transfer_id: Some(t), .. } if t == transfer_id));
    assert_eq!(
        inbox.transfer(transfer_id).unwrap().status,
        TransferStatus::Incomplete
    );
}

#[test]
fn a_skeleton_extract_is_replaced_by_its_real_content() {
    let (dir, inbox) = temp_inbox();
    let core = std::fs::read(corpus("skeleton_extract_uk06.json")).unwrap();
    let copc = std::fs::read(corpus("skeleton_extract_copc.json")).unwrap();
    let first = drop_in(&inbox, dir.path(), "core.json", &core);
    assert!(matches!(first, IngestOutcome::Awaiting { .. }), "{first:?}");
    let IngestOutcome::Stored {
        transfer_id: Some(id),
        ..
    } = drop_in(&inbox, dir.path(), "copc.json", &copc)
    else {
        panic!("part not stored")
    };
    let t = inbox.transfer(id).unwrap();
    assert_eq!(t.status, TransferStatus::Ready);
    let resolved = gp2gp::assemble(&core, &[&copc]).unwrap().resolved.unwrap();
    let entries = store_of(dir.path())
        .record_row_counts(id)
        .unwrap()
        .into_iter()
        .find(|(table, _)| *table == "entries")
        .unwrap()
        .1;
    assert_eq!(entries as usize, resolved.extract.unwrap().statements.len());
}

/// Every file the pipeline could meet, good and bad, with a name each.
fn mixed_inputs() -> Vec<(String, Vec<u8>)> {
    let mut inputs = Vec::new();
    let corpus_dir = corpus("");
    for name in files_in(&corpus_dir) {
        let bytes = std::fs::read(corpus_dir.join(&name)).unwrap();
        inputs.push((format!("corpus-{name}"), bytes.clone()));
        // The same bytes again under another name: a duplicate (or, for unreadable files, a second quarantine).
        inputs.push((format!("again-{name}"), bytes));
    }
    let junk: [(&str, &[u8]); 6] = [
        ("empty.xml", b""),
        ("random.bin", &[0x00, 0xff, 0x13, 0x37, 0x99, 0x01]),
        ("page.html", b"<html><body>Not a record</body></html>"),
        (
            "cut.xml",
            b"<RCMR_IN030000UK06 xmlns=\"urn:hl7-org:v3\"><id root=\"1\"/><Control",
        ),
        ("doctype.xml", b"<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>"),
        ("json.json", b"{\"ebXML\": 12}"),
    ];
    for (name, bytes) in junk {
        inputs.push((format!("junk-{name}"), bytes.to_vec()));
    }
    inputs
}

#[test]
fn conservation_every_input_ends_up_exactly_once() {
    let (dir, inbox) = temp_inbox();
    let drop_dir = dir.path().join("drop");
    std::fs::create_dir(&drop_dir).unwrap();
    let inputs = mixed_inputs();
    for (name, bytes) in &inputs {
        drop_in(&inbox, &drop_dir, name, bytes);
    }
    assert!(files_in(&drop_dir).is_empty(), "every file left the drop folder");
    assert!(files_in(&inbox.paths().processing).is_empty());
    check_conservation(dir.path(), &inputs);
}

/// Every input is one arrival with one of the four outcomes, its bytes kept where the outcome says.
pub fn check_conservation(data_dir: &Path, inputs: &[(String, Vec<u8>)]) {
    let store = store_of(data_dir);
    let arrivals = store.list_arrivals().unwrap();
    assert_eq!(arrivals.len(), inputs.len(), "one arrival per input");
    for (name, bytes) in inputs {
        let mine: Vec<_> = arrivals.iter().filter(|a| &a.fields.file_name == name).collect();
        assert_eq!(mine.len(), 1, "{name} recorded exactly once");
        let a = &mine[0].fields;
        assert_eq!(a.size_bytes, bytes.len() as u64, "{name}");
        match a.outcome.as_str() {
            "stored" | "awaiting" | "duplicate" => {
                let m = store.message_by_sha256(&a.sha256).unwrap().unwrap();
                let archived = std::fs::read(data_dir.join("archive").join(&m.fields.archive_name)).unwrap();
                assert_eq!(&archived, bytes, "{name} archived byte-for-byte");
            }
            "quarantined" => {
                let q = store.quarantined(a.quarantine_id.unwrap()).unwrap().unwrap();
                let kept = data_dir.join("quarantine").join(&q.fields.quarantine_name);
                assert_eq!(&std::fs::read(&kept).unwrap(), bytes, "{name} kept in quarantine");
                assert!(PathBuf::from(format!("{}.reason.txt", kept.display())).exists());
            }
            other => panic!("{name}: outcome {other}"),
        }
    }
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_crash_after_the_claim_is_finished_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let processing = inbox.paths().processing.clone();
    drop(inbox);
    // Claimed (moved into processing/) but never read: as if killed right after the rename.
    let bytes = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    std::fs::write(
        processing.join("1772357400000.folder.x-1-0~allergies.xml"),
        &bytes,
    )
    .unwrap();
    std::fs::write(processing.join("1772357400000.folder.x-1-1~junk.txt"), b"junk").unwrap();
    // An interrupted copy from another file system: its source is still in place.
    std::fs::write(processing.join(".half-copied.part"), b"<x").unwrap();
    let inbox = reopen(dir.path(), clock);
    assert!(files_in(&processing).is_empty(), "{:?}", files_in(&processing));
    let rows = inbox.transfers().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].file_name, "allergies.xml");
    assert_eq!(
        rows[0].received_at, "2026-03-01T09:30:00Z",
        "the claim time is kept"
    );
    assert_eq!(inbox.quarantine().unwrap()[0].file_name, "junk.txt");
}

#[test]
fn a_crash_after_the_commit_does_not_file_twice() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    drop_in(&inbox, dir.path(), "a.xml", &bytes);
    drop_in(&inbox, dir.path(), "junk.bin", b"junk");
    let processing = inbox.paths().processing.clone();
    let quarantine = inbox.paths().quarantine.clone();
    drop(inbox);
    // Put the claimed files back as if killed after the transaction but before the file step.
    let store = store_of(dir.path());
    for a in store.list_arrivals().unwrap() {
        let content: &[u8] = if a.fields.file_name == "a.xml" {
            &bytes
        } else {
            b"junk"
        };
        std::fs::write(processing.join(&a.fields.claim_name), content).unwrap();
    }
    std::fs::remove_file(quarantine.join("junk.bin")).unwrap();
    std::fs::remove_file(quarantine.join("junk.bin.reason.txt")).unwrap();
    drop(store);

    let inbox = reopen(dir.path(), Arc::new(FixedClock::new(T0)));
    assert!(files_in(&processing).is_empty());
    assert_eq!(store_of(dir.path()).list_arrivals().unwrap().len(), 2);
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    assert_eq!(std::fs::read(quarantine.join("junk.bin")).unwrap(), b"junk");
    assert!(quarantine.join("junk.bin.reason.txt").exists());
}

#[test]
fn a_write_that_fails_keeps_the_file_and_it_is_filed_once_the_problem_is_gone() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    let sha = sha256_hex(&bytes);
    // The archive folder this file needs is a file: like a full or broken disk, the write fails.
    let blocker = inbox.paths().archive.join(&sha[..2]);
    std::fs::write(&blocker, b"in the way").unwrap();
    let path = dir.path().join("a.xml");
    std::fs::write(&path, &bytes).unwrap();
    let err = inbox.ingest_file(&path).unwrap_err();
    assert!(err.to_string().contains("Could not"), "{err}");
    assert_eq!(inbox.count_transfers().unwrap(), 0);
    assert!(store_of(dir.path()).list_arrivals().unwrap().is_empty());
    let held = files_in(&inbox.paths().processing);
    assert_eq!(held.len(), 1, "the claimed file is held in processing/");
    assert_eq!(
        std::fs::read(inbox.paths().processing.join(&held[0])).unwrap(),
        bytes
    );
    drop(inbox);

    std::fs::remove_file(&blocker).unwrap();
    let inbox = reopen(dir.path(), Arc::new(FixedClock::new(T0)));
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    assert!(files_in(&inbox.paths().processing).is_empty());
}

#[test]
fn a_body_left_in_the_endpoint_spool_is_filed_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let spool = inbox.paths().spool.clone();
    drop(inbox);
    std::fs::write(
        spool.join("http-1.xml"),
        std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap(),
    )
    .unwrap();
    std::fs::write(spool.join(".incoming-2.part"), b"<half").unwrap();
    let inbox = reopen(dir.path(), clock);
    assert!(files_in(&spool).is_empty());
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    let arrivals = store_of(dir.path()).list_arrivals().unwrap();
    assert_eq!(arrivals[0].fields.source, "endpoint");
}

#[test]
fn the_original_can_be_exported_byte_for_byte() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("tpp_allergy_ctv3_bare_extract.xml")).unwrap();
    let IngestOutcome::Stored {
        transfer_id: Some(id),
        ..
    } = drop_in(&inbox, dir.path(), "tpp.xml", &bytes)
    else {
        panic!("not stored")
    };
    let out = dir.path().join("exports");
    let first = inbox.export_original(id, &out).unwrap();
    let second = inbox.export_original(id, &out).unwrap();
    assert_eq!(first, out.join("tpp.xml"));
    assert_eq!(second, out.join("tpp (2).xml"));
    assert_eq!(std::fs::read(first).unwrap(), bytes);
    assert!(matches!(
        inbox.export_original(999, &out),
        Err(inbox::InboxError::NotFound(_))
    ));
}

#[test]
fn recovery_is_left_to_the_process_that_holds_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let first = reopen(dir.path(), clock.clone());
    assert!(first.holds_data_folder());
    let processing = first.paths().processing.clone();
    drop(first);
    // Another process is filing this file right now, and holds the lock.
    let other = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("inbox.lock"))
        .unwrap();
    other.try_lock().unwrap();
    let claimed = processing.join("1772357400000.folder.x-1-0~busy.xml");
    std::fs::write(
        &claimed,
        std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap(),
    )
    .unwrap();
    let second = reopen(dir.path(), clock.clone());
    assert!(!second.holds_data_folder());
    assert!(claimed.exists(), "not taken from under the other process");
    assert!(second.snapshot().unwrap().notices[0]
        .message
        .contains("Another GP2GP Inbox"));
    drop(second);
    // Once it has gone, the next open finishes the file.
    drop(other);
    let third = reopen(dir.path(), clock);
    assert!(third.holds_data_folder());
    assert!(!claimed.exists());
    assert_eq!(third.count_transfers().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn originals_attachments_and_quarantine_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let files: Vec<Vec<u8>> = VISION.iter().map(|n| std::fs::read(corpus(n)).unwrap()).collect();
    let (dir, inbox) = temp_inbox();
    for (name, bytes) in VISION.iter().zip(&files) {
        drop_in(&inbox, dir.path(), name, bytes);
    }
    drop_in(&inbox, dir.path(), "junk.bin", b"junk");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for root in [
        &inbox.paths().archive,
        &inbox.paths().attachments,
        &inbox.paths().quarantine,
    ] {
        assert_eq!(mode(root), 0o700, "{}", root.display());
        let mut stack = vec![root.to_path_buf()];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    seen += 1;
                    assert_eq!(mode(&e.path()), 0o600, "{}", e.path().display());
                }
            }
        }
        assert!(seen > 0, "{} is empty", root.display());
    }
    assert_eq!(mode(&inbox.paths().database), 0o600);
}

// Regressions found in review: each input still ends as exactly one of the four outcomes.

#[test]
fn a_record_whose_inline_attachment_cannot_be_decoded_is_incomplete_not_stuck() {
    let (dir, inbox) = temp_inbox();
    let payload = std::fs::read_to_string(corpus("bare_extract_medication_discontinue.xml")).unwrap();
    let json = serde_json::json!({
        "payload": payload,
        "attachments": [{"payload": "@@@@ not base64 @@@@", "is_base64": true, "content_type": "application/pdf",
                          "description": "Filename=\"letter.pdf\""}],
    });
    let outcome = drop_in(&inbox, dir.path(), "broken.json", json.to_string().as_bytes());
    let IngestOutcome::Stored {
        transfer_id: Some(id),
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let t = inbox.transfer(id).unwrap();
    assert_eq!(t.status, TransferStatus::Incomplete);
    assert_eq!(t.failure_code.as_deref(), Some("29"));
    assert!(files_in(&inbox.paths().processing).is_empty());
}

#[test]
fn a_quarantine_name_freed_on_disk_is_not_reused_while_the_database_holds_it() {
    let (dir, inbox) = temp_inbox();
    drop_in(&inbox, dir.path(), "message.xml", b"junk one");
    // Staff tidy the quarantine folder by hand.
    std::fs::remove_file(inbox.paths().quarantine.join("message.xml")).unwrap();
    std::fs::remove_file(inbox.paths().quarantine.join("message.xml.reason.txt")).unwrap();
    let second = drop_in(&inbox, dir.path(), "message.xml", b"junk two");
    assert!(matches!(second, IngestOutcome::Quarantined { .. }), "{second:?}");
    assert_eq!(
        std::fs::read(inbox.paths().quarantine.join("message (2).xml")).unwrap(),
        b"junk two"
    );
    assert!(files_in(&inbox.paths().processing).is_empty());
}

#[test]
fn a_very_long_file_name_is_filed_with_its_name_kept() {
    let (dir, inbox) = temp_inbox();
    let name = format!("{}.xml", "a-very-long-name-from-an-integration-engine-".repeat(5));
    assert!(name.len() > 200);
    let bytes = std::fs::read(corpus("tpp_allergy_ctv3_bare_extract.xml")).unwrap();
    let outcome = drop_in(&inbox, dir.path(), &name, &bytes);
    assert!(matches!(outcome, IngestOutcome::Stored { .. }), "{outcome:?}");
    assert_eq!(inbox.transfers().unwrap()[0].file_name, name);
    let junk = format!("{}.bin", "x".repeat(240));
    let outcome = drop_in(&inbox, dir.path(), &junk, b"junk");
    assert!(
        matches!(outcome, IngestOutcome::Quarantined { .. }),
        "{outcome:?}"
    );
    assert_eq!(inbox.quarantine().unwrap()[0].file_name, junk);
}

#[test]
fn a_file_whose_filing_failed_is_filed_later_without_a_restart() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    let sha = sha256_hex(&bytes);
    let blocker = inbox.paths().archive.join(&sha[..2]);
    std::fs::write(&blocker, b"in the way").unwrap();
    let path = dir.path().join("a.xml");
    std::fs::write(&path, &bytes).unwrap();
    assert!(inbox.ingest_file(&path).is_err());
    assert!(inbox.retry_held().unwrap().is_empty(), "still blocked");
    std::fs::remove_file(&blocker).unwrap();
    let filed = inbox.retry_held().unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].0, "a.xml");
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    assert!(files_in(&inbox.paths().processing).is_empty());
}

#[test]
fn a_record_that_cannot_be_read_again_does_not_stop_the_inbox_opening() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let bytes = std::fs::read(corpus("emis_PWTP7_documents_referrals.xml")).unwrap();
    drop_in(&inbox, dir.path(), "a.xml", &bytes);
    let archive = inbox.paths().archive.clone();
    drop(inbox);
    // The original is gone and the record must be written again (a newer reader, or v1 data).
    for e in std::fs::read_dir(&archive).unwrap().flatten() {
        std::fs::remove_dir_all(e.path()).unwrap();
    }
    rusqlite::Connection::open(dir.path().join(inbox::paths::DATABASE_FILE))
        .unwrap()
        .execute("UPDATE transfers SET record_version = 0", [])
        .unwrap();
    let inbox = reopen(dir.path(), clock);
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    assert!(inbox.snapshot().unwrap().notices[0]
        .message
        .contains("could not be read again"));
}

#[test]
fn the_timeout_runs_from_when_the_record_began_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let core = std::fs::read(corpus(VISION[0])).unwrap();
    let index = std::fs::read(corpus(VISION[1])).unwrap();
    let IngestOutcome::Awaiting { transfer_id, .. } = drop_in(&inbox, dir.path(), "core.json", &core) else {
        panic!("should wait")
    };
    clock.advance(time::Duration::hours(20));
    drop_in(&inbox, dir.path(), "index.json", &index);
    clock.advance(time::Duration::hours(5));
    assert_eq!(
        inbox.expire_awaiting().unwrap(),
        [transfer_id],
        "25 hours after the core"
    );
}

#[test]
fn a_resend_after_an_incomplete_transfer_is_a_new_transfer_not_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let core = std::fs::read(corpus(VISION[0])).unwrap();
    drop_in(&inbox, dir.path(), "core.json", &core);
    clock.advance(time::Duration::hours(25));
    assert_eq!(inbox.expire_awaiting().unwrap().len(), 1);
    // The sender tries again: same extract, new bytes (a new conversation in real life).
    let mut again = core.clone();
    again.extend_from_slice(b"\n");
    let outcome = drop_in(&inbox, dir.path(), "core-again.json", &again);
    assert!(matches!(outcome, IngestOutcome::Awaiting { .. }), "{outcome:?}");
    assert_eq!(inbox.count_transfers().unwrap(), 2);
}

#[cfg(unix)]
#[test]
fn a_link_dropped_in_the_folder_is_left_alone() {
    let (dir, inbox) = temp_inbox();
    let secret = dir.path().join("secret.xml");
    std::fs::write(
        &secret,
        std::fs::read(corpus("tpp_allergy_ctv3_bare_extract.xml")).unwrap(),
    )
    .unwrap();
    let link = dir.path().join("link.xml");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    assert!(inbox.ingest_file(&link).is_err());
    assert!(link.exists() && secret.exists());
    assert_eq!(inbox.count_transfers().unwrap(), 0);
}

#[test]
fn the_generated_corpus_is_filed_as_the_generator_intended() {
    use gp2gp_synth::{generate, Container, Outcome, Scenario, Seed, Size, Spec};
    let (dir, inbox) = temp_inbox();
    let drop_dir = dir.path().join("drop");
    std::fs::create_dir(&drop_dir).unwrap();
    let mut inputs = Vec::new();
    let mut seed = 1;
    for scenario in Scenario::ALL.into_iter().filter(|s| *s != Scenario::HugeRecord) {
        for container in [Container::BareXml, Container::EbXmlMime, Container::MhsJson] {
            seed += 1;
            let spec = Spec {
                size: Size { entries: 30 },
                container,
                scenario,
                ..Spec::default()
            };
            for f in generate(Seed(seed), &spec).files {
                let name = format!("{}-{seed}-{}", scenario.name(), f.name);
                let outcome = drop_in(&inbox, &drop_dir, &name, &f.bytes);
                let want = match f.outcome {
                    Outcome::Stored => "stored",
                    Outcome::AwaitingAttachments => "awaiting_attachments",
                    Outcome::Duplicate => "duplicate",
                    Outcome::Quarantined => "quarantined",
                };
                assert_eq!(outcome.code(), want, "{name}: {outcome:?}");
                if let (Some(expected), Some(id)) = (f.expected, outcome.transfer_id()) {
                    if f.outcome == Outcome::Stored {
                        let counts = inbox.transfer(id).unwrap().counts;
                        let got = [
                            counts.compositions,
                            counts.medication_courses,
                            counts.acute_courses,
                            counts.repeat_courses,
                            counts.issues,
                            counts.discontinuations,
                            counts.allergies,
                            counts.drug_allergies,
                            counts.non_drug_allergies,
                            counts.problems,
                            counts.degraded,
                            counts.documents,
                            counts.absent_attachments,
                            counts.nopat,
                        ];
                        let want: Vec<u32> = expected.fields().iter().map(|(_, n)| *n as u32).collect();
                        assert_eq!(got.to_vec(), want, "{name}: the record as the generator wrote it");
                    }
                }
                inputs.push((name, f.bytes));
            }
        }
    }
    check_conservation(dir.path(), &inputs);
}

#[test]
fn registrations_imported_from_csv_name_the_patient_of_a_transfer() {
    let (dir, inbox) = temp_inbox();
    let bytes = std::fs::read(corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    let IngestOutcome::Stored {
        transfer_id: Some(id),
        ..
    } = drop_in(&inbox, dir.path(), "tpp.xml", &bytes)
    else {
        panic!("not stored")
    };
    assert_eq!(inbox.transfer(id).unwrap().patient, None, "not registered yet");
    let csv = dir.path().join("registrations.csv");
    std::fs::write(
        &csv,
        "\u{feff}NHS Number,Surname,Forename,Date of Birth,Gender,Address,Postcode,Registration Date\r\n\
         944 296 4410,TESTPATIENT-SYNTHETIC,Ann,12/03/1957,F,\"1 Synthetic Street, Testville\",zz99 1aa,02/01/2020\r\n\
         1234567890,BADCHECK,Bob,01/01/1990,M,x,ZZ99 1AB,\r\n\
         9434765919,NODATE,Cy,31/02/1990,M,x,ZZ99 1AC,\r\n",
    )
    .unwrap();
    let report = inbox.import_registrations(&csv).unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].0, 3);
    assert!(report.skipped[0].1.contains("not a valid NHS number"));
    assert!(report.skipped[1].1.contains("date of birth"));
    let patient = inbox.transfer(id).unwrap().patient.unwrap();
    assert_eq!(patient.family_name, "TESTPATIENT-SYNTHETIC");
    assert_eq!(patient.date_of_birth.as_deref(), Some("1957-03-12"));
    assert_eq!(patient.sex, "female");
    assert_eq!(patient.postcode, "ZZ99 1AA");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Name,Town\nAnn,Leeds\n").unwrap();
    let report = inbox.import_registrations(&bad).unwrap();
    assert_eq!(report.imported, 0);
    assert!(report.skipped[0].1.contains("NHS Number"));
}
