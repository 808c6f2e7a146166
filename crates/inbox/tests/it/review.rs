//! Review and decision end to end on a temporary inbox: users and roles, marks and intentions,
//! the decision rules, the acknowledgement written to the outbox (read back as an MCCI ack),
//! integration's follow-ups, duplicates' AE 12, crash safety of the outbox and the audit trail.

use std::path::Path;
use std::sync::Arc;

use gp2gp_synth::{generate, Container, Scenario, Seed, Size, Spec};
use inbox::dto::{
    DecisionKind, DecisionRequest, IntentionKind, IntentionRequest, MarkRequest, MarkState, NewUserRequest,
    PatientWarningKind, Role, Section, TransferStatus,
};
use inbox::{Actor, ErrorCode, FixedClock, Inbox, InboxError};

use crate::{reopen, T0};

struct Practice {
    dir: tempfile::TempDir,
    inbox: Inbox,
    clock: Arc<FixedClock>,
    admin: Actor,
    gp: Actor,
    pharmacist: Actor,
    nurse: Actor,
}

fn user(inbox: &Inbox, by: Option<&Actor>, name: &str, roles: &[Role]) -> Actor {
    let req = NewUserRequest {
        name: name.into(),
        roles: roles.to_vec(),
        pin: "4826".into(),
    };
    match by {
        None => inbox.create_first_user(&req).unwrap(),
        Some(by) => {
            let u = inbox.create_user(by, &req).unwrap();
            inbox.sign_in(u.id, "4826").unwrap()
        }
    }
}

fn practice() -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(T0));
    let inbox = reopen(dir.path(), clock.clone());
    let admin = user(&inbox, None, "Ada Admin", &[Role::Administrator]);
    let gp = user(
        &inbox,
        Some(&admin),
        "Dr Grace Prescriber",
        &[Role::Clinician, Role::Prescriber],
    );
    let pharmacist = user(&inbox, Some(&admin), "Phil Pharmacist", &[Role::Prescriber]);
    let nurse = user(&inbox, Some(&admin), "Nia Nurse", &[Role::Clinician]);
    Practice {
        dir,
        inbox,
        clock,
        admin,
        gp,
        pharmacist,
        nurse,
    }
}

/// Files every file of a generated scenario record and imports its registration; returns the
/// transfer ids in filing order.
fn file_scenario(p: &Practice, scenario: Scenario, seed: u64, container: Container) -> Vec<i64> {
    file_scenario_registered(p, scenario, seed, container, None)
}

/// [`file_scenario`], with the registration's start date set (`Some`) instead of the generator's.
fn file_scenario_registered(
    p: &Practice,
    scenario: Scenario,
    seed: u64,
    container: Container,
    registered_on: Option<&str>,
) -> Vec<i64> {
    let spec = Spec {
        size: Size { entries: 40 },
        container,
        scenario,
        ..Spec::default()
    };
    let record = generate(Seed(seed), &spec);
    let drop = p.dir.path().join("drop");
    std::fs::create_dir_all(&drop).unwrap();
    let mut ids = Vec::new();
    for f in &record.files {
        let path = drop.join(&f.name);
        std::fs::write(&path, &f.bytes).unwrap();
        if let Some(id) = p.inbox.ingest_file(&path).unwrap().transfer_id() {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let regs = drop.join(format!("registrations-{seed}.json"));
    let mut registration = record.plan.registration.to_json();
    if let Some(day) = registered_on {
        registration["registeredOn"] = day.into();
    }
    std::fs::write(&regs, serde_json::to_vec(&vec![registration]).unwrap()).unwrap();
    p.inbox.import_registrations(&regs).unwrap();
    ids
}

fn review_everything(p: &Practice, actor: &Actor, transfer_id: i64) {
    for section in Section::ALL {
        let page = p.inbox.review_section(actor, transfer_id, section).unwrap();
        let keys: Vec<String> = page.items.iter().map(|i| i.key.clone()).collect();
        if keys.is_empty() {
            continue;
        }
        p.inbox
            .mark_items(
                actor,
                &MarkRequest {
                    transfer_id,
                    section,
                    keys,
                    state: Some(MarkState::Reviewed),
                    note: None,
                },
            )
            .unwrap();
    }
}

fn decide(
    p: &Practice,
    actor: &Actor,
    transfer_id: i64,
    kind: DecisionKind,
    code: Option<&str>,
) -> Result<inbox::dto::ReviewView, InboxError> {
    p.inbox.decide(
        actor,
        &DecisionRequest {
            transfer_id,
            kind,
            reason_code: code.map(str::to_owned),
            note: None,
        },
    )
}

fn code(e: InboxError) -> ErrorCode {
    inbox::ApiError::from(e).code
}

fn outbox_files(outbox: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(outbox)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Reads an ack file back with our own reader: (type, messageRef, reason codes, sender ASID, receiver ASID).
fn read_ack(path: &Path) -> (String, String, Vec<String>, String, String) {
    let m = gp2gp::read(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(
        m.interaction,
        gp2gp::Interaction::Acknowledgement,
        "{}",
        path.display()
    );
    let a = m.acknowledgement.expect("an acknowledgement");
    (
        a.type_code.clone().unwrap(),
        a.message_ref.clone().unwrap(),
        a.reason_codes().iter().map(|c| (*c).to_owned()).collect(),
        m.wrapper.sender_asid.unwrap_or_default(),
        m.wrapper.receiver_asid.unwrap_or_default(),
    )
}

#[test]
fn integrating_writes_an_aa_naming_the_extract_and_leaves_the_follow_ups() {
    let p = practice();
    let id = file_scenario(&p, Scenario::ManyRepeats, 11, Container::EbXmlMime)[0];
    let view = p.inbox.review(&p.gp, id).unwrap();
    assert!(view.summary.repeats_to_reauthorise > 0, "{:?}", view.summary);
    assert_eq!(
        p.inbox.transfer(id).unwrap().active_repeats,
        view.summary.repeats_to_reauthorise,
        "the inbox row counts what the review will show"
    );
    assert!(
        view.summary.patient_warnings.is_empty(),
        "{:?}",
        view.summary.patient_warnings
    );
    let integrate = view
        .decision
        .options
        .iter()
        .find(|o| o.kind == DecisionKind::Integrate)
        .unwrap();
    assert!(!integrate.enabled, "not before the review");
    assert!(integrate
        .why_not
        .as_deref()
        .unwrap()
        .contains("Review every section first"));
    assert_eq!(integrate.ack.as_ref().unwrap().ack_type, "AA");
    assert_eq!(
        code(decide(&p, &p.gp, id, DecisionKind::Integrate, None).unwrap_err()),
        ErrorCode::Conflict
    );

    // The prescriber re-authorises one repeat during the review.
    let meds = p.inbox.review_section(&p.gp, id, Section::Medications).unwrap();
    let repeat = meds
        .items
        .iter()
        .find(|i| matches!(&i.body, inbox::dto::ItemBody::Medication(m) if m.needs_reauthorisation))
        .unwrap()
        .key
        .clone();
    let intention = IntentionRequest {
        transfer_id: id,
        section: Section::Medications,
        key: repeat.clone(),
        kind: IntentionKind::Reauthorise,
        code: None,
        term: None,
        clear: false,
    };
    assert_eq!(
        code(p.inbox.set_intention(&p.nurse, &intention).unwrap_err()),
        ErrorCode::Forbidden
    );
    let after = p.inbox.set_intention(&p.gp, &intention).unwrap();
    assert_eq!(after.summary.repeats_reauthorised, 1);

    review_everything(&p, &p.gp, id);
    let view = p.inbox.review_view(&p.gp, id).unwrap();
    assert!(view.sections.iter().all(|s| s.complete), "{:?}", view.sections);
    let decided = decide(&p, &p.gp, id, DecisionKind::Integrate, None).unwrap();
    assert_eq!(decided.transfer.status, TransferStatus::Integrated);
    let d = decided.decision.decided.unwrap();
    assert_eq!(d.decided_by, "Dr Grace Prescriber");
    let ack = d.ack.unwrap();
    assert_eq!((ack.ack_type.as_str(), ack.reason_code.as_deref()), ("AA", None));

    // The ack is in the outbox (with its envelope), names the extract id, and goes back to the sender.
    let outbox = p.inbox.paths().outbox.clone();
    let files = outbox_files(&outbox);
    assert_eq!(files, vec![ack.file.replace(".xml", ".json"), ack.file.clone()]);
    let (t, msg_ref, reasons, from, to) = read_ack(&outbox.join(&ack.file));
    // The ack is kept as sent, in the archive, whatever becomes of the outbox (S63).
    let store = inbox_store::Store::open(&p.inbox.paths().database).unwrap();
    let sent = store.acks_sent(id).unwrap();
    let archived = std::fs::read(p.inbox.paths().archive.join(&sent[0].archive_name)).unwrap();
    assert_eq!(archived, std::fs::read(outbox.join(&ack.file)).unwrap());
    drop(store);
    let transfer = p.inbox.transfer(id).unwrap();
    assert_eq!(t, "AA");
    assert_eq!(Some(msg_ref.as_str()), transfer.extract_id.as_deref());
    assert!(reasons.is_empty());
    let original = gp2gp::read(&p.inbox.original(id).unwrap()).unwrap();
    assert_eq!(
        Some(from),
        original.wrapper.receiver_asid,
        "sent from the ASID the extract was sent to"
    );
    assert_eq!(Some(to), original.wrapper.sender_asid);
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outbox.join(ack.file.replace(".xml", ".json"))).unwrap())
            .unwrap();
    assert_eq!(envelope["conversationId"].as_str(), original.conversation_id());
    assert_eq!(envelope["toOds"].as_str(), transfer.sending_ods.as_deref());

    // Every active repeat is left for re-authorisation but the one already re-authorised.
    let store = inbox_store::Store::open(&p.inbox.paths().database).unwrap();
    let followups = store.followups(id).unwrap();
    let reauth: Vec<_> = followups.iter().filter(|f| f.kind == "reauthorise").collect();
    assert_eq!(reauth.len() as u32, view.summary.repeats_to_reauthorise);
    assert_eq!(reauth.iter().filter(|f| f.state == "done").count(), 1);
    assert!(reauth.iter().any(|f| f.item_key == repeat && f.state == "done"));

    // The stored record now shows every active repeat stopped, but the one re-authorised.
    let after = p.inbox.review_section(&p.gp, id, Section::Medications).unwrap();
    let states: Vec<(String, String, bool)> = after
        .items
        .iter()
        .filter_map(|i| match &i.body {
            inbox::dto::ItemBody::Medication(m)
                if m.kind == "repeat" && (m.status == "active" || m.status == "deactivated") =>
            {
                Some((i.key.clone(), m.status.clone(), m.needs_reauthorisation))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        states.len() as u32,
        view.summary.repeats_to_reauthorise,
        "{states:?}"
    );
    for (key, status, needs) in &states {
        if *key == repeat {
            assert_eq!(
                (status.as_str(), *needs),
                ("active", false),
                "re-authorised during the review"
            );
        } else {
            assert_eq!((status.as_str(), *needs), ("deactivated", true));
        }
    }

    // Decided once: the review is closed and a second decision is refused.
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::Reject, Some("28")).unwrap_err()),
        ErrorCode::Conflict
    );
    let mark = MarkRequest {
        transfer_id: id,
        section: Section::Medications,
        keys: vec![repeat],
        state: None,
        note: None,
    };
    assert_eq!(
        code(p.inbox.mark_items(&p.gp, &mark).unwrap_err()),
        ErrorCode::Conflict
    );
}

#[test]
fn a_rejection_needs_a_reason_code_that_fits_and_writes_an_ae_with_it() {
    let p = practice();
    let id = file_scenario(&p, Scenario::WrongPatient, 12, Container::BareXml)[0];
    let view = p.inbox.review(&p.admin, id).unwrap();
    assert!(
        view.summary
            .patient_warnings
            .iter()
            .any(|w| w.kind == PatientWarningKind::NotRegistered),
        "the wrong patient is not the one registered: {:?}",
        view.summary.patient_warnings
    );
    let reject = view
        .decision
        .options
        .iter()
        .find(|o| o.kind == DecisionKind::Reject)
        .unwrap();
    assert!(reject.enabled, "a rejection does not wait for the review");
    assert_eq!(
        reject.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
        ["28"]
    );
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::Reject, None).unwrap_err()),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::Reject, Some("17")).unwrap_err()),
        ErrorCode::InvalidInput,
        "17 is for a returning patient only"
    );
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::StoreSuppressed, None).unwrap_err()),
        ErrorCode::Conflict
    );
    // Nothing was written by the refusals.
    assert!(outbox_files(&p.inbox.paths().outbox).is_empty());
    let decided = decide(&p, &p.admin, id, DecisionKind::Reject, Some("28")).unwrap();
    assert_eq!(decided.transfer.status, TransferStatus::Rejected);
    let ack = decided.decision.decided.unwrap().ack.unwrap();
    let (t, _, reasons, _, _) = read_ack(&p.inbox.paths().outbox.join(&ack.file));
    assert_eq!((t.as_str(), reasons), ("AE", vec!["28".to_owned()]));
    assert!(ack.file.contains("AE-28"));
}

#[test]
fn only_administrators_and_clinicians_decide() {
    let p = practice();
    let id = file_scenario(&p, Scenario::Ordinary, 13, Container::BareXml)[0];
    review_everything(&p, &p.pharmacist, id);
    let view = p.inbox.review_view(&p.pharmacist, id).unwrap();
    assert!(view
        .decision
        .why_not
        .as_deref()
        .unwrap()
        .contains("Only an administrator or a clinician"));
    assert!(view.decision.options.iter().all(|o| !o.enabled));
    assert_eq!(
        code(decide(&p, &p.pharmacist, id, DecisionKind::Integrate, None).unwrap_err()),
        ErrorCode::Forbidden
    );
    assert_eq!(p.inbox.transfer(id).unwrap().status, TransferStatus::Ready);
    decide(&p, &p.nurse, id, DecisionKind::Integrate, None).unwrap();
}

#[test]
fn the_review_rule_can_be_relaxed_for_administrators_only() {
    let p = practice();
    let id = file_scenario(&p, Scenario::Ordinary, 14, Container::BareXml)[0];
    p.inbox.set_relax_review(true);
    assert_eq!(
        code(decide(&p, &p.nurse, id, DecisionKind::Integrate, None).unwrap_err()),
        ErrorCode::Conflict
    );
    decide(&p, &p.admin, id, DecisionKind::Integrate, None).unwrap();
}

#[test]
fn a_returning_patient_gets_the_a_b_a_choices() {
    let p = practice();
    // Registered again this month; the earlier record was integrated here long before.
    let ids = file_scenario_registered(
        &p,
        Scenario::ReturningPatient,
        15,
        Container::EbXmlMime,
        Some("2026-02-20"),
    );
    assert_eq!(ids.len(), 2, "the earlier record and the returning one");
    let (earlier, id) = (ids[0], ids[1]);
    let before = p.inbox.review_view(&p.admin, id).unwrap();
    assert!(
        before.earlier_records.is_empty(),
        "an undecided record is not one the practice holds"
    );
    assert_eq!(before.decision.options[0].kind, DecisionKind::Integrate);
    integrate_long_ago(&p, earlier);
    let view = p.inbox.review(&p.admin, id).unwrap();
    assert_eq!(view.earlier_records.len(), 1);
    assert_eq!(view.earlier_records[0].transfer_id, earlier);
    let kinds: Vec<_> = view.decision.options.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        [
            DecisionKind::IntegrateSuppressOld,
            DecisionKind::StoreSuppressed,
            DecisionKind::Reject,
            DecisionKind::Defer
        ]
    );
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::Reject, Some("28")).unwrap_err()),
        ErrorCode::InvalidInput
    );
    // The placeholders were made by this practice when the patient left: nothing to chase.
    let attachments = p
        .inbox
        .review_section(&p.admin, id, Section::Attachments)
        .unwrap();
    assert!(attachments.items.iter().any(
        |i| matches!(&i.body, inbox::dto::ItemBody::Attachment(a) if a.missing && !a.from_this_transfer)
    ));

    review_everything(&p, &p.admin, id);
    let decided = decide(&p, &p.admin, id, DecisionKind::StoreSuppressed, None).unwrap();
    assert_eq!(decided.transfer.status, TransferStatus::Suppressed);
    let ack = decided.decision.decided.unwrap().ack.unwrap();
    let (t, _, reasons, _, _) = read_ack(&p.inbox.paths().outbox.join(&ack.file));
    assert_eq!((t.as_str(), reasons), ("AE", vec!["15".to_owned()]));
    assert_eq!(
        p.inbox.transfer(earlier).unwrap().status,
        TransferStatus::Integrated,
        "the old record stays"
    );
}

#[test]
fn integrating_a_returning_patient_suppresses_the_old_record() {
    let p = practice();
    let ids = file_scenario_registered(
        &p,
        Scenario::ReturningPatient,
        16,
        Container::MhsJson,
        Some("2026-02-20"),
    );
    let (earlier, id) = (ids[0], ids[1]);
    integrate_long_ago(&p, earlier);
    review_everything(&p, &p.gp, id);
    let decided = decide(&p, &p.gp, id, DecisionKind::IntegrateSuppressOld, None).unwrap();
    assert_eq!(decided.transfer.status, TransferStatus::Integrated);
    assert_eq!(
        decided.decision.decided.unwrap().suppressed_transfer_id,
        Some(earlier)
    );
    assert_eq!(
        p.inbox.transfer(earlier).unwrap().status,
        TransferStatus::Suppressed
    );
}

/// Integrates a record as the practice did years ago: the clock is put back for it.
fn integrate_long_ago(p: &Practice, transfer_id: i64) {
    p.clock.advance(-time::Duration::days(4 * 365));
    review_everything(p, &p.admin, transfer_id);
    decide(p, &p.admin, transfer_id, DecisionKind::Integrate, None).unwrap();
    p.clock.advance(time::Duration::days(4 * 365));
}

#[test]
fn a_record_already_integrated_in_this_registration_is_answered_as_a_duplicate() {
    let p = practice();
    // Registered before the earlier record was integrated (today, T0): the same registration.
    let ids = file_scenario_registered(
        &p,
        Scenario::ReturningPatient,
        23,
        Container::EbXmlMime,
        Some("2026-01-15"),
    );
    let (earlier, id) = (ids[0], ids[1]);
    review_everything(&p, &p.admin, earlier);
    decide(&p, &p.admin, earlier, DecisionKind::Integrate, None).unwrap();
    let view = p.inbox.review_view(&p.admin, id).unwrap();
    let kinds: Vec<_> = view.decision.options.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [DecisionKind::Reject, DecisionKind::Defer]);
    assert_eq!(view.decision.options[0].reasons[0].code, "12");
    let decided = decide(&p, &p.admin, id, DecisionKind::Reject, Some("12")).unwrap();
    let ack = decided.decision.decided.unwrap().ack.unwrap();
    let (t, _, reasons, _, _) = read_ack(&p.inbox.paths().outbox.join(&ack.file));
    assert_eq!((t.as_str(), reasons), ("AE", vec!["12".to_owned()]));
}

#[test]
fn an_incomplete_large_message_can_only_be_rejected_with_its_code() {
    let p = practice();
    let id = file_scenario(&p, Scenario::MissingFragment, 17, Container::EbXmlMime)[0];
    let waiting = p.inbox.review_view(&p.admin, id).unwrap();
    assert!(waiting.decision.options.is_empty());
    assert!(waiting.decision.why_not.unwrap().contains("Still waiting"));
    assert_eq!(
        code(decide(&p, &p.admin, id, DecisionKind::Reject, Some("25")).unwrap_err()),
        ErrorCode::Conflict
    );
    p.clock.advance(time::Duration::hours(25));
    p.inbox.expire_awaiting().unwrap();
    let view = p.inbox.review_view(&p.admin, id).unwrap();
    assert_eq!(view.transfer.status, TransferStatus::Incomplete);
    let kinds: Vec<_> = view.decision.options.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [DecisionKind::Reject, DecisionKind::Defer]);
    assert_eq!(view.decision.options[0].reasons[0].code, "25");
    let decided = decide(&p, &p.admin, id, DecisionKind::Reject, Some("25")).unwrap();
    let ack = decided.decision.decided.unwrap().ack.unwrap();
    let (t, _, reasons, _, _) = read_ack(&p.inbox.paths().outbox.join(&ack.file));
    assert_eq!((t.as_str(), reasons), ("AE", vec!["25".to_owned()]));
}

#[test]
fn a_duplicate_extract_is_answered_with_ae_12_once() {
    let p = practice();
    let ids = file_scenario(&p, Scenario::DuplicateExtract, 18, Container::BareXml);
    assert_eq!(ids.len(), 1);
    // Identical bytes again are a copy of one message, not a new send: no second answer.
    let files = outbox_files(&p.inbox.paths().outbox);
    assert_eq!(
        files.iter().filter(|f| f.ends_with(".xml")).count(),
        0,
        "identical bytes: {files:?}"
    );

    // The same extract in other bytes (resent under a new wrapper) is answered AE 12.
    let spec = Spec {
        size: Size { entries: 40 },
        scenario: Scenario::Ordinary,
        ..Spec::default()
    };
    let record = generate(Seed(19), &spec);
    let bytes = record.files[0].bytes.clone();
    let drop = p.dir.path().join("drop2");
    std::fs::create_dir_all(&drop).unwrap();
    std::fs::write(drop.join("first.xml"), &bytes).unwrap();
    let first = p
        .inbox
        .ingest_file(&drop.join("first.xml"))
        .unwrap()
        .transfer_id()
        .unwrap();
    let mut resent = String::from_utf8(bytes).unwrap();
    resent = resent.replacen("<creationTime value=\"", "<creationTime value=\"1", 0);
    resent.push_str("\n<!-- resent -->\n");
    std::fs::write(drop.join("again.xml"), &resent).unwrap();
    let outcome = p.inbox.ingest_file(&drop.join("again.xml")).unwrap();
    assert_eq!(outcome.code(), "duplicate");
    let xml: Vec<String> = outbox_files(&p.inbox.paths().outbox)
        .into_iter()
        .filter(|f| f.ends_with(".xml"))
        .collect();
    assert_eq!(xml.len(), 1, "{xml:?}");
    assert!(xml[0].contains("AE-12"));
    let (t, msg_ref, reasons, _, _) = read_ack(&p.inbox.paths().outbox.join(&xml[0]));
    assert_eq!((t.as_str(), reasons), ("AE", vec!["12".to_owned()]));
    assert_eq!(Some(msg_ref), p.inbox.transfer(first).unwrap().extract_id);
    let audit = p.inbox.audit_entries(Some(first), 10).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.fields.action == "acknowledgement" && e.fields.user_name == "system"));
}

#[test]
fn an_ack_left_pending_by_a_crash_is_published_only_if_its_decision_committed() {
    let p = practice();
    let id = file_scenario(&p, Scenario::Ordinary, 20, Container::BareXml)[0];
    decide(&p, &p.admin, id, DecisionKind::Reject, Some("28")).unwrap();
    let outbox = p.inbox.paths().outbox.clone();
    let written = outbox_files(&outbox);
    let xml = written.iter().find(|f| f.ends_with(".xml")).unwrap().clone();
    // As if the process died between the commit and the rename; plus a file whose commit never happened.
    let pending = outbox.join(".pending");
    for f in &written {
        std::fs::rename(outbox.join(f), pending.join(f)).unwrap();
    }
    std::fs::write(
        pending.join("MCCI_IN010000UK13_AA_ORPHAN.xml"),
        "<never committed/>",
    )
    .unwrap();
    drop(p.inbox);
    let again = reopen(p.dir.path(), p.clock.clone());
    assert_eq!(outbox_files(&again.paths().outbox), written);
    assert!(outbox_files(&pending).is_empty(), "the orphan is removed");
    assert!(again.paths().outbox.join(xml).exists());
}

#[test]
fn every_action_is_audited_and_tampering_is_detected() {
    let p = practice();
    let id = file_scenario(&p, Scenario::DegradedDrugAllergy, 21, Container::BareXml)[0];
    let view = p.inbox.review(&p.gp, id).unwrap();
    assert!(view.summary.degraded_drug_allergies >= 1);
    let allergies = p.inbox.review_section(&p.gp, id, Section::Allergies).unwrap();
    let first = &allergies.items[0];
    assert!(
        matches!(&first.body, inbox::dto::ItemBody::Allergy(a) if a.blocks_prescribing),
        "degraded drug allergies come first"
    );
    // A clinician proposes a recode; a flag needs a note.
    let recode = IntentionRequest {
        transfer_id: id,
        section: Section::Allergies,
        key: first.key.clone(),
        kind: IntentionKind::Recode,
        code: Some("91936005".into()),
        term: Some("Allergy to penicillin".into()),
        clear: false,
    };
    assert_eq!(
        code(p.inbox.set_intention(&p.pharmacist, &recode).unwrap_err()),
        ErrorCode::Forbidden
    );
    p.inbox.set_intention(&p.gp, &recode).unwrap();
    let flag = MarkRequest {
        transfer_id: id,
        section: Section::Allergies,
        keys: vec![first.key.clone()],
        state: Some(MarkState::Flagged),
        note: None,
    };
    assert_eq!(
        code(p.inbox.mark_items(&p.gp, &flag).unwrap_err()),
        ErrorCode::InvalidInput
    );
    p.inbox
        .mark_items(
            &p.gp,
            &MarkRequest {
                note: Some("Ask the patient which penicillin".into()),
                ..flag
            },
        )
        .unwrap();
    review_everything(&p, &p.gp, id);
    decide(&p, &p.gp, id, DecisionKind::Integrate, None).unwrap();
    let store = inbox_store::Store::open(&p.inbox.paths().database).unwrap();
    let followups = store.followups(id).unwrap();
    assert!(followups
        .iter()
        .any(|f| f.kind == "prescribing_lock" && f.item_key == first.key));

    let actions: Vec<String> = p
        .inbox
        .audit_entries(Some(id), 100)
        .unwrap()
        .into_iter()
        .map(|e| e.fields.action)
        .collect();
    for want in ["view_record", "intention", "review_mark", "decision"] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} missing from {actions:?}"
        );
    }
    let all: Vec<String> = p
        .inbox
        .audit_entries(None, 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.fields.action)
        .collect();
    assert!(all.iter().any(|a| a == "sign_in") && all.iter().any(|a| a == "user_created"));
    assert!(p.inbox.audit_check().unwrap().ok);

    // Someone with the database file edits an entry behind the triggers' back: detected.
    drop(store);
    let conn = rusqlite::Connection::open(&p.inbox.paths().database).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_is_append_only_update;
         UPDATE audit SET detail = 'nothing to see' WHERE action = 'decision';",
    )
    .unwrap();
    let check = p.inbox.audit_check().unwrap();
    assert!(!check.ok);
    assert!(check.problem.unwrap().contains("changed"));
}

#[test]
fn sign_in_checks_the_pin_and_locks_after_five_wrong_ones() {
    let p = practice();
    let users = p.inbox.users().unwrap();
    let nia = users.iter().find(|u| u.name == "Nia Nurse").unwrap();
    for _ in 0..4 {
        assert_eq!(
            code(p.inbox.sign_in(nia.id, "0000").unwrap_err()),
            ErrorCode::NotSignedIn
        );
    }
    assert!(
        p.inbox.sign_in(nia.id, "4826").is_ok(),
        "a right PIN clears the count"
    );
    for _ in 0..5 {
        let _ = p.inbox.sign_in(nia.id, "0000");
    }
    let locked = p.inbox.sign_in(nia.id, "4826").unwrap_err();
    assert!(locked.to_string().contains("Too many wrong PINs"), "{locked}");
    p.clock.advance(time::Duration::minutes(6));
    assert!(p.inbox.sign_in(nia.id, "4826").is_ok());
    // The PIN is stored only as an argon2 hash.
    let store = inbox_store::Store::open(&p.inbox.paths().database).unwrap();
    let hash = store.user(nia.id).unwrap().unwrap().fields.pin_hash;
    assert!(hash.starts_with("$argon2id$") && !hash.contains("4826"));
    // Users: only administrators manage them; the last administrator stays one.
    let req = NewUserRequest {
        name: "X".into(),
        roles: vec![Role::Clinician],
        pin: "1111".into(),
    };
    assert_eq!(
        code(p.inbox.create_user(&p.gp, &req).unwrap_err()),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(p.inbox.create_first_user(&req).unwrap_err()),
        ErrorCode::Forbidden
    );
    let admin_id = p.admin.user_id;
    let demote = inbox::dto::UserUpdate {
        id: admin_id,
        roles: Some(vec![Role::Clinician]),
        disabled: None,
        pin: None,
    };
    assert_eq!(
        code(p.inbox.update_user(&p.admin, &demote).unwrap_err()),
        ErrorCode::Conflict
    );
}

#[test]
fn the_timeline_attachments_and_code_suggestions_come_from_the_stored_record() {
    let p = practice();
    let id = file_scenario(&p, Scenario::LargeMessage, 22, Container::EbXmlMime)[0];
    let timeline = p.inbox.review_timeline(id).unwrap();
    assert!(timeline.iter().any(|t| t.kind == "consultation"));
    let page = p
        .inbox
        .review_section(&p.admin, id, Section::Attachments)
        .unwrap();
    let mut opened = 0;
    for item in &page.items {
        let inbox::dto::ItemBody::Attachment(a) = &item.body else {
            panic!("attachments only")
        };
        let Some(att) = a.attachment_id else { continue };
        let content = p.inbox.attachment_content(&p.admin, att).unwrap();
        match content.viewer.as_str() {
            "pdf" | "image" => assert!(content.base64.as_deref().is_some_and(|b| !b.is_empty())),
            "text" | "rtf" => assert!(content.text.as_deref().is_some_and(|t| !t.is_empty())),
            _ => {}
        }
        opened += 1;
    }
    assert!(opened >= 2, "the large message's documents arrived: {page:?}");
    let suggestions = p.inbox.code_suggestions("ta").unwrap();
    assert!(!suggestions.is_empty(), "codes used in the practice's records");
    assert!(
        p.inbox.code_suggestions("a").unwrap().is_empty(),
        "two letters at least"
    );
}

#[test]
fn a_duplicate_left_unanswered_is_answered_at_the_next_start() {
    let p = practice();
    let spec = Spec {
        size: Size { entries: 30 },
        scenario: Scenario::Ordinary,
        ..Spec::default()
    };
    let bytes = generate(Seed(24), &spec).files[0].bytes.clone();
    let drop = p.dir.path().join("drop3");
    std::fs::create_dir_all(&drop).unwrap();
    std::fs::write(drop.join("first.xml"), &bytes).unwrap();
    let first = p
        .inbox
        .ingest_file(&drop.join("first.xml"))
        .unwrap()
        .transfer_id()
        .unwrap();
    // The outbox cannot be written (a file stands where the folder should be): the duplicate is
    // filed all the same, unanswered, and the practice is told.
    let outbox = p.inbox.paths().outbox.clone();
    std::fs::write(&outbox, b"in the way").unwrap();
    let mut again = bytes.clone();
    again.extend_from_slice(b"\n<!-- resent -->\n");
    std::fs::write(drop.join("again.xml"), &again).unwrap();
    assert_eq!(
        p.inbox.ingest_file(&drop.join("again.xml")).unwrap().code(),
        "duplicate"
    );
    let notices = p.inbox.snapshot().unwrap().notices;
    assert!(notices.iter().any(|n| n.message.contains("AE 12")), "{notices:?}");
    std::fs::remove_file(&outbox).unwrap();
    drop_inbox_and_reopen(p, first);
}

/// Reopens the inbox (as a restart does) and checks the duplicate of `first` was answered AE 12.
fn drop_inbox_and_reopen(p: Practice, first: i64) {
    let Practice {
        dir, inbox, clock, ..
    } = p;
    drop(inbox);
    let again = reopen(dir.path(), clock);
    let xml: Vec<String> = outbox_files(&again.paths().outbox)
        .into_iter()
        .filter(|f| f.ends_with(".xml"))
        .collect();
    assert_eq!(xml.len(), 1, "{xml:?}");
    assert!(xml[0].contains("AE-12"));
    let (_, msg_ref, _, _, _) = read_ack(&again.paths().outbox.join(&xml[0]));
    assert_eq!(Some(msg_ref), again.transfer(first).unwrap().extract_id);
    // Once only.
    drop(again);
    let third = reopen(dir.path(), Arc::new(FixedClock::new(T0)));
    assert_eq!(
        outbox_files(&third.paths().outbox)
            .iter()
            .filter(|f| f.ends_with(".xml"))
            .count(),
        1
    );
}

#[test]
fn a_record_read_again_by_a_newer_reader_starts_its_review_again() {
    let p = practice();
    let id = file_scenario(&p, Scenario::Ordinary, 25, Container::BareXml)[0];
    review_everything(&p, &p.admin, id);
    assert!(p
        .inbox
        .review_view(&p.admin, id)
        .unwrap()
        .sections
        .iter()
        .all(|s| s.complete));
    // As if this record had been written by an older reader.
    let conn = rusqlite::Connection::open(&p.inbox.paths().database).unwrap();
    conn.execute("UPDATE transfers SET record_version = 0 WHERE id = ?1", [id])
        .unwrap();
    drop(conn);
    let Practice {
        dir,
        inbox,
        clock,
        admin,
        ..
    } = p;
    drop(inbox);
    let again = reopen(dir.path(), clock);
    let view = again.review_view(&admin, id).unwrap();
    assert!(view.sections.iter().all(|s| s.seen == 0), "{:?}", view.sections);
    let last = again.audit_entries(Some(id), 1).unwrap();
    assert_eq!(last[0].fields.action, "review_reset");
}

#[test]
fn only_placeholders_this_transfer_created_are_to_chase() {
    let p = practice();
    for (scenario, seed, chase) in [
        (Scenario::PlaceholdersThisTransfer, 26, true),
        (Scenario::PlaceholdersEarlierTransfer, 27, false),
    ] {
        let id = file_scenario(&p, scenario, seed, Container::EbXmlMime)[0];
        let page = p
            .inbox
            .review_section(&p.admin, id, Section::Attachments)
            .unwrap();
        let placeholders: Vec<bool> = page
            .items
            .iter()
            .filter_map(|i| match &i.body {
                inbox::dto::ItemBody::Attachment(a) if a.placeholder_reason_code.is_some() => {
                    Some(a.from_this_transfer)
                }
                _ => None,
            })
            .collect();
        assert!(!placeholders.is_empty(), "{scenario:?}");
        assert!(
            placeholders.iter().all(|c| *c == chase),
            "{scenario:?}: {placeholders:?}"
        );
        let summary = p.inbox.review_view(&p.admin, id).unwrap().summary;
        assert!(
            summary
                .missing_attachments
                .iter()
                .all(|g| g.from_this_transfer == chase),
            "{summary:?}"
        );
    }
}
