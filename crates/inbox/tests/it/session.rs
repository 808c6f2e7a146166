//! The watched folder end to end: files dropped in become events. Tests wait on the event channel
//! (with a generous timeout), never on a sleep.

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::Duration;

use inbox::dto::{InboxEvent, SettingsUpdate};
use inbox::paths::IncomingSource;
use inbox::session::{Session, SessionConfig};
use inbox::watch::WatchOptions;
use inbox::SystemClock;

use crate::corpus;

const WAIT: Duration = Duration::from_secs(20);

fn options() -> WatchOptions {
    WatchOptions {
        stable_for: Duration::ZERO,
        tick: Duration::from_millis(20),
        rescan_every: Duration::from_millis(200),
    }
}

fn start(data_dir: &Path, env_incoming: Option<&Path>, samples: bool) -> (Session, Receiver<InboxEvent>) {
    let (tx, rx) = mpsc::channel();
    let config = SessionConfig {
        data_dir: data_dir.to_owned(),
        env_incoming: env_incoming.map(Path::to_owned),
        clock: Arc::new(SystemClock),
        watch: options(),
        training_on_first_run: samples,
        force_training: false,
    };
    let session = Session::start(config, move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    (session, rx)
}

/// Waits for the first event that `pick` accepts.
fn wait_for<T>(rx: &Receiver<InboxEvent>, what: &str, mut pick: impl FnMut(InboxEvent) -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) => {
                if let Some(t) = pick(e) {
                    return t;
                }
            }
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

/// Waits until the watcher says it is watching.
fn wait_watching(rx: &Receiver<InboxEvent>) {
    wait_for(rx, "watching", |e| match e {
        InboxEvent::WatchChanged { status } if status.watching => Some(()),
        _ => None,
    });
}

/// Copies a file into the folder the way a well-behaved sender does: write aside, then rename in.
fn deliver(src: &Path, dir: &Path, name: &str) {
    let part = dir.join(format!("{name}.part"));
    std::fs::copy(src, &part).unwrap();
    std::fs::rename(&part, dir.join(name)).unwrap();
}

#[test]
fn a_file_dropped_in_the_folder_is_stored_and_announced() {
    let data = tempfile::tempdir().unwrap();
    let incoming = data.path().join("in");
    let (session, rx) = start(data.path(), Some(&incoming), false);
    let status = wait_for(&rx, "watching", |e| match e {
        InboxEvent::WatchChanged { status } if status.watching => Some(status),
        _ => None,
    });
    assert_eq!(status.incoming_source, IncomingSource::Environment);
    assert!(incoming.is_dir(), "a missing folder is created");

    deliver(&corpus("tpp_systmone_uk06_payload.xml"), &incoming, "record.xml");
    let row = wait_for(&rx, "stored", |e| match e {
        InboxEvent::TransferStored { transfer } => Some(transfer),
        _ => None,
    });
    assert_eq!(row.nhs_number.as_deref(), Some("9442964410"));
    assert!(!incoming.join("record.xml").exists());

    std::fs::write(incoming.join("notes.txt"), "this is not a GP2GP message").unwrap();
    let q = wait_for(&rx, "quarantined", |e| match e {
        InboxEvent::Quarantined { entry } => Some(entry),
        _ => None,
    });
    assert_eq!(q.file_name, "notes.txt");

    std::fs::create_dir(incoming.join("a folder")).unwrap();
    let notice = wait_for(&rx, "notice", |e| match e {
        InboxEvent::Notice { notice } => Some(notice),
        _ => None,
    });
    assert!(notice.message.contains("a folder"), "{}", notice.message);
    assert!(incoming.join("a folder").is_dir(), "left alone");

    let snapshot = session.inbox().snapshot().unwrap();
    assert_eq!(snapshot.transfers.len(), 1);
    assert_eq!(snapshot.quarantine.len(), 1);
    assert!(snapshot.watch.watching);
    assert_eq!(snapshot.notices.len(), 1);
}

#[test]
fn files_already_waiting_are_found_at_start_and_temporary_names_are_left() {
    let data = tempfile::tempdir().unwrap();
    let incoming = data.path().join("in");
    std::fs::create_dir_all(&incoming).unwrap();
    std::fs::copy(
        corpus("emis_PWTP7_documents_referrals.xml"),
        incoming.join("ack.xml"),
    )
    .unwrap();
    std::fs::copy(
        corpus("bare_extract_medication_discontinue.xml"),
        incoming.join("still-writing.xml.part"),
    )
    .unwrap();
    let (session, rx) = start(data.path(), Some(&incoming), false);
    wait_for(&rx, "stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    // The .part file is ignored however long we wait; once renamed it is taken.
    assert!(incoming.join("still-writing.xml.part").exists());
    std::fs::rename(incoming.join("still-writing.xml.part"), incoming.join("ae.xml")).unwrap();
    wait_for(&rx, "second stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    assert_eq!(session.inbox().count_transfers().unwrap(), 2);
}

#[test]
fn a_folder_deleted_and_recreated_is_watched_again() {
    let data = tempfile::tempdir().unwrap();
    let incoming = data.path().join("in");
    let (_session, rx) = start(data.path(), Some(&incoming), false);
    wait_watching(&rx);
    std::fs::remove_dir_all(&incoming).unwrap();
    let problem = wait_for(&rx, "problem", |e| match e {
        InboxEvent::WatchChanged { status } => status.problem,
        _ => None,
    });
    assert!(problem.contains("disappeared"), "{problem}");
    wait_for(&rx, "watching again", |e| match e {
        InboxEvent::WatchChanged { status } if status.watching => Some(()),
        _ => None,
    });
    deliver(&corpus("tpp_allergy_ctv3_bare_extract.xml"), &incoming, "ar.xml");
    wait_for(&rx, "stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
}

#[test]
fn a_folder_that_cannot_be_created_is_reported_and_the_app_keeps_going() {
    let data = tempfile::tempdir().unwrap();
    // A regular file where the folder's parent should be: creating the folder fails even as root.
    let blocker = data.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let (session, rx) = start(data.path(), Some(&blocker.join("in")), false);
    let problem = wait_for(&rx, "problem", |e| match e {
        InboxEvent::WatchChanged { status } => status.problem,
        _ => None,
    });
    assert!(problem.contains("could not be created"), "{problem}");
    // Everything else still works.
    assert!(session.inbox().snapshot().unwrap().transfers.is_empty());
}

#[test]
fn a_first_run_with_nothing_configured_opens_training_mode_with_its_scenario_set() {
    let data = tempfile::tempdir().unwrap();
    let set = inbox::training::scenario_set();
    let transfers;
    {
        let (session, _rx) = start(data.path(), None, true);
        assert!(session.is_training());
        let snapshot = session.snapshot().unwrap();
        assert!(snapshot.training, "every screen is marked");
        // Filed before the screen first asks: every scenario, the garbled file in quarantine, the
        // record with a missing fragment waiting for it, every patient from the 999 test range.
        assert_eq!(snapshot.quarantine.len(), 1);
        assert!(snapshot.transfers.len() >= 10, "{}", snapshot.transfers.len());
        assert!(snapshot
            .transfers
            .iter()
            .any(|t| t.status == inbox::dto::TransferStatus::AwaitingAttachments));
        assert!(snapshot
            .transfers
            .iter()
            .all(|t| t.nhs_number.as_deref().is_some_and(|n| n.starts_with("999"))));
        let arrivals: u64 = session
            .inbox()
            .arrival_outcomes()
            .unwrap()
            .iter()
            .map(|(_, n)| n)
            .sum();
        assert_eq!(arrivals, set.files.len() as u64);
        let registrations: Vec<serde_json::Value> = serde_json::from_slice(
            &std::fs::read(
                data.path()
                    .join("training")
                    .join(inbox::training::REGISTRATIONS_FILE),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(registrations.len(), set.registrations.len());
        transfers = snapshot.transfers.len() as u64;
        // The live inbox was not touched.
        assert!(!data.path().join(inbox::paths::DATABASE_FILE).exists());
        assert!(session.settings().unwrap().training.active);
    }
    // Second start: still training mode, nothing filed twice.
    let (session, _rx) = start(data.path(), None, true);
    assert!(session.is_training());
    assert_eq!(session.inbox().count_transfers().unwrap(), transfers);
}

#[test]
fn training_mode_is_switched_and_reset_without_touching_the_live_inbox() {
    let data = tempfile::tempdir().unwrap();
    let (session, rx) = start(data.path(), Some(&data.path().join("in")), false);
    assert!(!session.is_training());
    wait_watching(&rx);
    deliver(
        &corpus("tpp_allergy_ctv3_bare_extract.xml"),
        &data.path().join("in"),
        "live.xml",
    );
    wait_for(&rx, "live record", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    assert!(
        session.reset_training(None).is_err(),
        "the live inbox is never reset"
    );

    let view = session.set_training(true).unwrap();
    assert!(view.training.active);
    wait_for(&rx, "replaced", |e| match e {
        InboxEvent::InboxReplaced { training: true } => Some(()),
        _ => None,
    });
    let trainees = session.inbox().count_transfers().unwrap();
    assert!(trainees >= 10, "{trainees}");
    // A trainer drops a file in the training folder during the demo; then resets.
    deliver(
        &corpus("emis_PWTP7_documents_referrals.xml"),
        std::path::Path::new(&view.training.incoming_dir),
        "demo.xml",
    );
    wait_for(&rx, "demo record", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    assert_eq!(session.inbox().count_transfers().unwrap(), trainees + 1);
    assert_eq!(session.reset_training(None).unwrap(), trainees);
    // One scenario only, chosen by the trainer.
    assert!(session.reset_training(Some("no-such-scenario")).is_err());
    assert_eq!(session.reset_training(Some("degraded-drug-allergy")).unwrap(), 3);
    assert_eq!(session.reset_training(Some("every")).unwrap(), trainees);
    // Exports stay in the training outbox.
    let first = session.inbox().transfers().unwrap()[0].id;
    let saved = session.export_original(first).unwrap();
    assert!(saved.contains("/training/outbox/"), "{saved}");

    let view = session.set_training(false).unwrap();
    assert!(!view.training.active);
    assert_eq!(
        session.inbox().count_transfers().unwrap(),
        1,
        "the live record is still there"
    );
    assert!(!session.snapshot().unwrap().training);
}

#[test]
fn started_with_training_it_cannot_be_switched_off() {
    let data = tempfile::tempdir().unwrap();
    let config = SessionConfig {
        data_dir: data.path().to_owned(),
        env_incoming: Some(data.path().join("in")),
        clock: Arc::new(SystemClock),
        watch: options(),
        training_on_first_run: false,
        force_training: true,
    };
    let session = Session::start(config, |_| {}).unwrap();
    assert!(session.is_training());
    assert!(session.settings().unwrap().training.forced);
    let err = session.set_training(false).unwrap_err();
    assert!(err.to_string().contains("--training"), "{err}");
}

#[test]
fn changing_the_watched_folder_in_settings_moves_the_watch() {
    let data = tempfile::tempdir().unwrap();
    let (session, rx) = start(data.path(), None, false);
    let elsewhere = data.path().join("elsewhere");
    let bad = session.update_settings(update(Some("relative/path")));
    assert!(bad.is_err());
    let view = session
        .update_settings(update(Some(&elsewhere.display().to_string())))
        .unwrap();
    assert_eq!(view.incoming_source, IncomingSource::Setting);
    assert_eq!(view.effective_incoming_dir, elsewhere.display().to_string());
    wait_for(&rx, "watching elsewhere", |e| match e {
        InboxEvent::WatchChanged { status }
            if status.watching && status.incoming_dir == view.effective_incoming_dir =>
        {
            Some(())
        }
        _ => None,
    });
    deliver(&corpus("composite_uk07_nopat_full.xml"), &elsewhere, "aa.xml");
    wait_for(&rx, "stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    // Back to the default.
    let view = session.update_settings(update(None)).unwrap();
    assert_eq!(view.incoming_source, IncomingSource::Default);
}

/// The settings form as first shown, with the watched folder set to `dir`.
fn update(dir: Option<&str>) -> SettingsUpdate {
    SettingsUpdate {
        incoming_dir: dir.map(str::to_owned),
        endpoint_enabled: false,
        endpoint_listen: inbox::paths::DEFAULT_LISTEN.into(),
        endpoint_max_body_mb: inbox::paths::DEFAULT_MAX_BODY_MB,
        attachment_timeout_hours: 24,
        storage_dir: None,
        outbox_dir: None,
        idle_lock_minutes: 10,
        relax_review_for_administrators: false,
    }
}

#[test]
fn settings_out_of_range_are_refused_with_a_reason_and_nothing_changes() {
    let data = tempfile::tempdir().unwrap();
    let (session, _rx) = start(data.path(), None, false);
    let before = session.settings().unwrap();
    assert_eq!(before.attachment_timeout_hours, 24);
    assert!(!before.endpoint.enabled);
    assert_eq!(before.endpoint.listen, "127.0.0.1:8787");
    let own = data.path().join("archive").display().to_string();
    let cases: [(&str, SettingsUpdate); 4] = [
        ("GP2GP Inbox's own folders", update(Some(&own))),
        (
            "address",
            SettingsUpdate {
                endpoint_listen: "localhost".into(),
                ..update(None)
            },
        ),
        (
            "between 1 and 4096 MB",
            SettingsUpdate {
                endpoint_max_body_mb: 0,
                ..update(None)
            },
        ),
        (
            "between 1 and 720 hours",
            SettingsUpdate {
                attachment_timeout_hours: 0,
                ..update(None)
            },
        ),
    ];
    for (words, bad) in cases {
        let err = session.update_settings(bad).unwrap_err();
        assert!(err.to_string().contains(words), "{err}");
        assert_eq!(session.settings().unwrap(), before);
    }
    let saved = session
        .update_settings(SettingsUpdate {
            attachment_timeout_hours: 48,
            ..update(None)
        })
        .unwrap();
    assert_eq!(saved.attachment_timeout_hours, 48);
    assert_eq!(
        session.inbox().options().attachment_timeout,
        time::Duration::hours(48)
    );
}

#[test]
fn the_records_can_be_kept_in_another_folder() {
    let data = tempfile::tempdir().unwrap();
    let records = data.path().join("shared-drive").join("records");
    let (session, rx) = start(data.path(), Some(&data.path().join("in")), false);
    let bad = session.update_settings(SettingsUpdate {
        storage_dir: Some("records".into()),
        ..update(None)
    });
    assert!(bad.unwrap_err().to_string().contains("full path"));
    let view = session
        .update_settings(SettingsUpdate {
            storage_dir: Some(records.display().to_string()),
            ..update(None)
        })
        .unwrap();
    assert_eq!(view.effective_storage_dir, records.display().to_string());
    assert!(records.join(inbox::paths::DATABASE_FILE).exists());
    wait_watching(&rx);
    deliver(
        &corpus("tpp_allergy_ctv3_bare_extract.xml"),
        &data.path().join("in"),
        "a.xml",
    );
    wait_for(&rx, "stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
    assert_eq!(std::fs::read_dir(records.join("archive")).unwrap().count(), 1);
    // The settings stay in the app's own folder.
    assert!(data.path().join("settings.json").exists());
    assert!(!records.join("settings.json").exists());
}

#[test]
fn a_burst_of_a_thousand_files_is_filed_completely() {
    const FILES: usize = 1000;
    let data = tempfile::tempdir().unwrap();
    let incoming = data.path().join("in");
    let (session, rx) = start(data.path(), Some(&incoming), false);
    wait_watching(&rx);
    let record = std::fs::read(corpus("tpp_allergy_ctv3_bare_extract.xml")).unwrap();
    // All written aside first, then renamed in as fast as possible: one burst.
    let staging = data.path().join("staging");
    std::fs::create_dir(&staging).unwrap();
    for i in 0..FILES {
        let mut bytes = record.clone();
        bytes.extend_from_slice(format!("\n<!-- synthetic burst copy {i} -->\n").as_bytes());
        std::fs::write(staging.join(format!("burst-{i:04}.xml")), bytes).unwrap();
    }
    for i in 0..FILES {
        let name = format!("burst-{i:04}.xml");
        std::fs::rename(staging.join(&name), incoming.join(&name)).unwrap();
    }
    let mut stored = std::collections::HashSet::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    while stored.len() < FILES {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(InboxEvent::TransferStored { transfer }) => {
                stored.insert(transfer.id);
            }
            Ok(_) => {}
            Err(_) => panic!("only {} of {FILES} filed", stored.len()),
        }
    }
    assert_eq!(session.inbox().count_transfers().unwrap(), FILES as u64);
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 0);
}

#[test]
fn a_records_folder_that_cannot_be_used_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let incoming = data.path().join("in");
    let (session, rx) = start(data.path(), Some(&incoming), false);
    wait_watching(&rx);
    let before = session.settings().unwrap();
    let a_file = data.path().join("not-a-folder");
    std::fs::write(&a_file, b"x").unwrap();
    let bad = session.update_settings(SettingsUpdate {
        storage_dir: Some(a_file.join("records").display().to_string()),
        ..update(None)
    });
    assert!(bad.is_err());
    assert_eq!(session.settings().unwrap(), before, "the settings are not saved");
    // The inbox that ran still runs.
    deliver(&corpus("tpp_allergy_ctv3_bare_extract.xml"), &incoming, "a.xml");
    wait_for(&rx, "stored", |e| {
        matches!(e, InboxEvent::TransferStored { .. }).then_some(())
    });
}

fn start_at(data_dir: &Path, clock: Arc<inbox::FixedClock>, training: bool) -> Session {
    let config = SessionConfig {
        data_dir: data_dir.to_owned(),
        env_incoming: None,
        clock,
        watch: options(),
        training_on_first_run: training,
        force_training: false,
    };
    Session::start(config, |_| {}).unwrap()
}

#[test]
fn the_training_inbox_has_its_own_profiles_and_switching_signs_out() {
    let data = tempfile::tempdir().unwrap();
    let clock = Arc::new(inbox::FixedClock::new(crate::T0));
    let session = start_at(data.path(), clock, true);
    let view = session.session_view().unwrap();
    assert!(view.user.is_none());
    assert_eq!(view.training_pin.as_deref(), Some("1234"));
    let names: Vec<&str> = view.profiles.iter().map(|u| u.name.as_str()).collect();
    assert!(
        names.contains(&"Alex Admin") && names.contains(&"Pat Pharmacist"),
        "{names:?}"
    );
    // The returning patient's earlier record was integrated when they were first here.
    let integrated: Vec<_> = session
        .snapshot()
        .unwrap()
        .transfers
        .into_iter()
        .filter(|t| t.status == inbox::dto::TransferStatus::Integrated)
        .collect();
    assert_eq!(integrated.len(), 1);
    assert!(
        integrated[0].file_name.contains("earlier_"),
        "{}",
        integrated[0].file_name
    );
    let trainer = view.profiles.iter().find(|u| u.name == "Terry Trainer").unwrap();
    let signed = session.sign_in(trainer.id, "1234").unwrap();
    assert!(signed.permissions.train && !signed.permissions.reauthorise);
    let trainer_actor = session.require(inbox::Action::Train).unwrap();
    // Training profiles (their PIN is on the screen) never change the live set-up.
    let refused = session
        .update_settings_as(&trainer_actor, update(None))
        .unwrap_err();
    assert_eq!(inbox::ApiError::from(refused).code, inbox::ErrorCode::Forbidden);
    // A reset keeps the trainer signed in (the reset inbox has the same profiles).
    session.reset_training(Some("ordinary")).unwrap();
    let after = session.session_view().unwrap();
    assert_eq!(after.user.map(|u| u.name).as_deref(), Some("Terry Trainer"));
    session.set_training(false).unwrap();
    // The live inbox has nobody yet: its first profile will be an administrator.
    let live = session.session_view().unwrap();
    assert!(live.user.is_none() && live.needs_first_user && live.training_pin.is_none());
    assert_eq!(
        inbox::ApiError::from(session.actor().unwrap_err()).code,
        inbox::ErrorCode::NotSignedIn
    );
}

#[test]
fn the_screen_locks_after_the_idle_time_and_the_lock_is_audited() {
    let data = tempfile::tempdir().unwrap();
    let clock = Arc::new(inbox::FixedClock::new(crate::T0));
    let session = start_at(data.path(), clock.clone(), false);
    let first = session
        .create_first_user(&inbox::dto::NewUserRequest {
            name: "Ada Admin".into(),
            roles: vec![],
            pin: "4826".into(),
        })
        .unwrap();
    assert_eq!(
        first.user.as_ref().unwrap().roles,
        [inbox::dto::Role::Administrator]
    );
    assert_eq!(first.idle_lock_minutes, 10);
    // Activity keeps the session open...
    for _ in 0..3 {
        clock.advance(time::Duration::minutes(9));
        session.actor().unwrap();
    }
    // ...ten quiet minutes lock it.
    clock.advance(time::Duration::minutes(11));
    let locked = session.actor().unwrap_err();
    assert_eq!(inbox::ApiError::from(locked).code, inbox::ErrorCode::NotSignedIn);
    assert!(session.session_view().unwrap().user.is_none());
    let actions: Vec<String> = session
        .inbox()
        .audit_entries(None, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.fields.action)
        .collect();
    assert_eq!(actions[0], "locked", "{actions:?}");
    // Settings change the idle time; only an administrator may change settings.
    let id = first.user.unwrap().id;
    session.sign_in(id, "4826").unwrap();
    let admin = session.require(inbox::Action::Administer).unwrap();
    let view = session
        .update_settings_as(
            &admin,
            SettingsUpdate {
                idle_lock_minutes: 2,
                ..update(None)
            },
        )
        .unwrap();
    assert_eq!(view.idle_lock_minutes, 2);
    clock.advance(time::Duration::minutes(3));
    assert!(session.actor().is_err());
}

#[test]
fn only_an_administrator_imports_registrations_and_it_is_audited() {
    let data = tempfile::tempdir().unwrap();
    let clock = Arc::new(inbox::FixedClock::new(crate::T0));
    let session = start_at(data.path(), clock, false);
    let admin = session
        .create_first_user(&inbox::dto::NewUserRequest {
            name: "Ada Admin".into(),
            roles: vec![],
            pin: "4826".into(),
        })
        .unwrap();
    let admin = session.inbox().actor(admin.user.unwrap().id).unwrap();
    let nurse = session
        .inbox()
        .create_user(
            &admin,
            &inbox::dto::NewUserRequest {
                name: "Nia Nurse".into(),
                roles: vec![inbox::dto::Role::Clinician],
                pin: "4826".into(),
            },
        )
        .unwrap();
    let nurse = session.inbox().actor(nurse.id).unwrap();
    let csv = data.path().join("registrations.csv");
    std::fs::write(&csv, "NHS Number,Surname,Forename,Date of Birth,Sex\n9434765919,SMITH-SYNTHETIC,Jo,1957-03-12,F\n123,BAD,X,,M\n").unwrap();
    let refused = session.import_registrations_as(&nurse, &csv).unwrap_err();
    assert_eq!(inbox::ApiError::from(refused).code, inbox::ErrorCode::Forbidden);
    let relative = session
        .import_registrations_as(&admin, Path::new("registrations.csv"))
        .unwrap_err();
    assert_eq!(
        inbox::ApiError::from(relative).code,
        inbox::ErrorCode::InvalidInput
    );
    let report = session.import_registrations_as(&admin, &csv).unwrap();
    assert_eq!((report.imported, report.skipped.len()), (1, 1));
    let last = &session.inbox().audit_entries(None, 1).unwrap()[0];
    assert_eq!(last.fields.action, "registrations_imported");
    assert!(
        last.fields.detail.starts_with("1 registrations"),
        "{}",
        last.fields.detail
    );
}
