use inbox::IngestOutcome;

use crate::{corpus, temp_inbox};

#[test]
fn an_extract_is_stored_with_its_original_kept_byte_for_byte() {
    let (_dir, inbox) = temp_inbox();
    let original = std::fs::read(corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    let arrived = inbox.paths().incoming.join("tpp.xml");
    std::fs::create_dir_all(&inbox.paths().incoming).unwrap();
    std::fs::write(&arrived, &original).unwrap();

    let IngestOutcome::Stored {
        transfer_id: Some(transfer_id),
        ..
    } = inbox.ingest_file(&arrived).unwrap()
    else {
        panic!("not stored")
    };
    assert!(!arrived.exists(), "the file leaves the incoming folder");
    let rows = inbox.transfers().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.id, transfer_id);
    assert_eq!(row.interaction, "RCMR_IN030000UK06");
    assert_eq!(row.nhs_number.as_deref(), Some("9442964410"));
    assert!(row.nhs_number_valid);
    assert_eq!(row.sending_ods.as_deref(), Some("M85019"));
    assert_eq!(row.sent_at.as_deref(), Some("2020-03-25T11:03:02"));
    assert_eq!(row.received_at, "2026-03-01T09:30:00Z");
    assert_eq!(row.file_name, "tpp.xml");
    // These exact bytes ship as a built-in sample, so the row says so whatever its file name.
    assert!(row.sample);

    let stored = inbox.original(transfer_id).unwrap();
    assert_eq!(stored, original, "archived byte-for-byte");
}

#[test]
fn the_same_bytes_again_are_a_duplicate_not_a_second_transfer() {
    let (_dir, inbox) = temp_inbox();
    let first = inbox
        .import_file(&corpus("emis_PWTP7_documents_referrals.xml"))
        .unwrap();
    let IngestOutcome::Stored {
        message_id,
        transfer_id: Some(transfer_id),
    } = first
    else {
        panic!("{first:?}")
    };
    let again = inbox
        .import_file(&corpus("emis_PWTP7_documents_referrals.xml"))
        .unwrap();
    let IngestOutcome::Duplicate {
        message_id: m,
        transfer_id: t,
        reason,
    } = again
    else {
        panic!("{again:?}")
    };
    assert_eq!((m, t), (message_id, Some(transfer_id)));
    assert!(reason.contains("exactly the same bytes"), "{reason}");
    assert_eq!(inbox.count_transfers().unwrap(), 1);
    assert!(!inbox.transfers().unwrap()[0].sample);
}

#[test]
fn acknowledgements_and_requests_are_messages_not_transfers() {
    let (_dir, inbox) = temp_inbox();
    for name in [
        "ack_AA_positive.xml",
        "request_RCMR_IN010000UK05.xml",
        "copc_continue_request.xml",
    ] {
        let outcome = inbox.import_file(&corpus(name)).unwrap();
        assert!(
            matches!(
                outcome,
                IngestOutcome::Stored {
                    transfer_id: None,
                    ..
                }
            ),
            "{name}: {outcome:?}"
        );
    }
    assert_eq!(inbox.count_transfers().unwrap(), 0);
    let again = inbox.import_file(&corpus("ack_AA_positive.xml")).unwrap();
    assert!(matches!(again, IngestOutcome::Duplicate { .. }), "{again:?}");
}

#[test]
fn bad_files_are_quarantined_with_a_plain_english_reason_and_nothing_is_lost() {
    let (dir, inbox) = temp_inbox();
    let incoming = dir.path().join("drop");
    std::fs::create_dir_all(&incoming).unwrap();
    let cases: [(&str, &[u8], &str, &str); 4] = [
        ("empty.xml", b"", "not_xml", "empty"),
        ("junk.bin", b"\x00\x9f\x92\x96 not xml", "not_xml", "XML"),
        (
            "page.html",
            b"<html><body/></html>",
            "not_gp2gp",
            "not a GP2GP message",
        ),
        (
            "cut.xml",
            b"<RCMR_IN030000UK06 xmlns=\"urn:hl7-org:v3\"><id",
            "not_xml",
            "well-formed",
        ),
    ];
    for (name, bytes, code, words) in cases {
        let path = incoming.join(name);
        std::fs::write(&path, bytes).unwrap();
        let outcome = inbox.ingest_file(&path).unwrap();
        let IngestOutcome::Quarantined { reason, .. } = outcome else {
            panic!("{name}: {outcome:?}")
        };
        assert!(reason.contains(words), "{name}: {reason}");
        assert!(!path.exists());
        let kept = inbox.paths().quarantine.join(name);
        assert_eq!(std::fs::read(&kept).unwrap(), bytes, "{name} kept unchanged");
        let note =
            std::fs::read_to_string(inbox.paths().quarantine.join(format!("{name}.reason.txt"))).unwrap();
        assert!(note.contains(&reason), "{note}");
        let row = inbox
            .quarantine()
            .unwrap()
            .into_iter()
            .find(|q| q.file_name == name)
            .unwrap();
        assert_eq!(row.reason_code, code);
    }
    assert_eq!(inbox.count_transfers().unwrap(), 0);
}

#[test]
fn a_name_clash_in_quarantine_keeps_both_files() {
    let (dir, inbox) = temp_inbox();
    for content in [&b"one"[..], &b"two"[..]] {
        let path = dir.path().join("same.xml");
        std::fs::write(&path, content).unwrap();
        inbox.ingest_file(&path).unwrap();
    }
    let q = inbox.paths().quarantine.clone();
    assert_eq!(std::fs::read(q.join("same.xml")).unwrap(), b"one");
    assert_eq!(std::fs::read(q.join("same (2).xml")).unwrap(), b"two");
    assert!(q.join("same (2).xml.reason.txt").exists());
}

#[test]
fn a_file_that_cannot_be_read_stays_where_it_is() {
    let (dir, inbox) = temp_inbox();
    let missing = dir.path().join("vanished.xml");
    let err = inbox.ingest_file(&missing).unwrap_err();
    assert!(err.to_string().contains("Could not read"), "{err}");
    assert!(inbox.quarantine().unwrap().is_empty());

    // A directory is not a file either: refused, left alone.
    let sub = dir.path().join("a-folder");
    std::fs::create_dir(&sub).unwrap();
    assert!(inbox.ingest_file(&sub).is_err());
    assert!(sub.is_dir());
}

#[test]
fn command_line_imports_leave_the_source_alone() {
    let (_dir, inbox) = temp_inbox();
    let src = corpus("README.md");
    let outcome = inbox.import_file(&src).unwrap();
    assert!(
        matches!(outcome, IngestOutcome::Quarantined { .. }),
        "{outcome:?}"
    );
    assert!(src.exists());
    assert!(inbox.paths().quarantine.join("README.md").exists());
}

#[test]
fn built_in_samples_are_marked_as_samples() {
    let (dir, inbox) = temp_inbox();
    let n = inbox::samples::place_in(dir.path()).unwrap();
    for (name, _) in inbox::samples::SAMPLES {
        assert!(matches!(
            inbox.ingest_file(&dir.path().join(name)).unwrap(),
            IngestOutcome::Stored { .. }
        ));
    }
    let rows = inbox.transfers().unwrap();
    assert_eq!(rows.len(), n);
    assert!(rows.iter().all(|r| r.sample));
}
