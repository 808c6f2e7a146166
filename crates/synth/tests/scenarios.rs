//! Every named scenario, in every container and style: files read back (or refused, for the garbled
//! one) as the generator intended; large messages reassemble to the very bytes that were split.

use gp2gp_synth::{
    attachments, generate, Container, GeneratedFile, GeneratedRecord, Outcome, Scenario, Seed, Size, Spec,
    Style,
};

fn check_file(f: &GeneratedFile, context: &str) {
    if f.outcome == Outcome::Quarantined {
        assert!(
            gp2gp::read(&f.bytes).is_err(),
            "{context}: a garbled file was read"
        );
        return;
    }
    let m = gp2gp::read(&f.bytes).unwrap_or_else(|e| panic!("{context}: {} not read: {e}", f.name));
    let errors: Vec<String> = m
        .diagnostics
        .iter()
        .filter(|d| d.severity == gp2gp::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{context}: {} errors: {errors:#?}", f.name);
    if let Some(e) = f.expected {
        assert_eq!(m.counts.fields(), e.fields(), "{context}: {}", f.name);
    }
}

fn run(scenario: Scenario, container: Container, style: Style, seed: u64) -> GeneratedRecord {
    let spec = Spec {
        size: Size { entries: 80 },
        style: Some(style),
        container,
        scenario,
        ..Spec::default()
    };
    generate(Seed(seed), &spec)
}

#[test]
fn every_scenario_in_every_container_and_style() {
    for scenario in Scenario::ALL {
        if scenario == Scenario::HugeRecord {
            continue; // its own test
        }
        for container in Container::ALL {
            for style in Style::ALL {
                for seed in 0..3u64 {
                    let r = run(scenario, container, style, seed);
                    let context = format!("{scenario:?} {container:?} {style:?} seed {seed}");
                    assert!(!r.files.is_empty(), "{context}");
                    for f in &r.files {
                        check_file(f, &context);
                    }
                    check_scenario(scenario, &r, &context);
                }
            }
        }
    }
}

fn placeholder_ods(r: &GeneratedRecord) -> Vec<String> {
    let m = gp2gp::read(&r.files[0].bytes).expect("core read");
    let x = m.extract.expect("an extract");
    x.documents
        .iter()
        .filter_map(|d| d.absent.as_ref()?.placeholder.as_ref()?.ods.clone())
        .collect()
}

fn check_scenario(scenario: Scenario, r: &GeneratedRecord, context: &str) {
    let expected = r.files[0].expected;
    match scenario {
        Scenario::Garbled => assert_eq!(r.files[0].outcome, Outcome::Quarantined),
        Scenario::DuplicateExtract => {
            assert_eq!(r.files.len(), 2);
            assert_eq!(r.files[0].bytes, r.files[1].bytes);
            assert_eq!(r.files[1].outcome, Outcome::Duplicate);
        }
        Scenario::WrongPatient => {
            assert_ne!(
                r.plan.registration.nhs_number, r.plan.patient.nhs_number,
                "{context}"
            );
        }
        Scenario::DegradedDrugAllergy => {
            let m = gp2gp::read(&r.files[0].bytes).unwrap();
            let x = m.extract.unwrap();
            assert!(
                x.allergies
                    .iter()
                    .any(|a| a.kind == gp2gp::AllergyKind::Drug && a.degraded),
                "{context}: no degraded drug allergy"
            );
        }
        Scenario::ManyRepeats => {
            let e = expected.unwrap();
            assert!(e.repeat_courses > e.acute_courses, "{context}: {e:?}");
        }
        Scenario::NopatEntries => assert!(expected.unwrap().nopat > 0, "{context}"),
        Scenario::PlaceholdersThisTransfer => {
            let ods = placeholder_ods(r);
            assert!(!ods.is_empty(), "{context}");
            assert!(ods.iter().all(|o| *o == r.plan.sender.ods), "{context}: {ods:?}");
        }
        Scenario::PlaceholdersEarlierTransfer => {
            let ods = placeholder_ods(r);
            assert!(!ods.is_empty(), "{context}");
            assert!(ods.iter().all(|o| *o != r.plan.sender.ods), "{context}: {ods:?}");
        }
        Scenario::ReturningPatient => {
            // The record this practice received when the patient was first here comes first,
            // for the same NHS number; then the returning record, whose placeholders we made.
            assert_eq!(r.files.len(), 2, "{context}");
            assert!(r.files[0].name.starts_with("earlier_"), "{context}");
            let nhs =
                |f: &gp2gp_synth::GeneratedFile| gp2gp::read(&f.bytes).unwrap().extract.unwrap().nhs_number;
            assert_eq!(nhs(&r.files[0]), nhs(&r.files[1]), "{context}");
            let current = GeneratedRecord {
                plan: r.plan.clone(),
                files: r.files[1..].to_vec(),
            };
            let ods = placeholder_ods(&current);
            assert!(!ods.is_empty(), "{context}");
            assert!(
                ods.iter().all(|o| *o == r.plan.receiver.ods),
                "{context}: {ods:?}"
            );
        }
        Scenario::LargeMessage | Scenario::MissingFragment => {
            let core = &r.files[0];
            let parts: Vec<&[u8]> = r.files[1..].iter().map(|f| f.bytes.as_slice()).collect();
            let a = gp2gp::assemble(&core.bytes, &parts).expect("core reads");
            assert!(
                !a.diagnostics.iter().any(|d| d.severity == gp2gp::Severity::Error),
                "{context}: {:?}",
                a.diagnostics
            );
            if scenario == Scenario::MissingFragment {
                assert_eq!(a.missing.len(), 1, "{context}");
                assert!(!a.is_complete());
                assert_eq!(core.outcome, Outcome::AwaitingAttachments);
            } else {
                assert!(a.is_complete(), "{context}: missing {:?}", a.missing);
                let originals = attachments(&r.plan);
                let large: Vec<_> = a.files.iter().filter(|f| f.slices > 1).collect();
                assert!(!large.is_empty(), "{context}: nothing was fragmented");
                for f in &a.files {
                    let name = f.filename().expect("file name");
                    let original = originals
                        .iter()
                        .find(|o| o.file_name == name)
                        .expect("an original");
                    assert_eq!(f.decode().expect("decodes"), original.bytes, "{context}: {name}");
                }
            }
        }
        Scenario::Ordinary | Scenario::HugeRecord => {}
    }
}

#[test]
fn huge_record_has_twenty_thousand_entries_and_exact_counts() {
    let spec = Spec {
        style: Some(Style::Emis),
        scenario: Scenario::HugeRecord,
        ..Spec::default()
    };
    let r = generate(Seed(20_000), &spec);
    assert!(r.plan.entry_count() >= 20_000);
    check_file(&r.files[0], "huge");
}

#[test]
fn scanned_images_scale_and_still_reassemble() {
    let mut spec = Spec {
        size: Size { entries: 30 },
        style: Some(Style::Vision),
        container: Container::MhsJson,
        scenario: Scenario::LargeMessage,
        ..Spec::default()
    };
    spec.options.image_scale = 12;
    spec.split = Some(gp2gp_synth::Split {
        fragment_chars: 65_537,
        drop_fragment: None,
    });
    let r = generate(Seed(3), &spec);
    let parts: Vec<&[u8]> = r.files[1..].iter().map(|f| f.bytes.as_slice()).collect();
    let a = gp2gp::assemble(&r.files[0].bytes, &parts).expect("core reads");
    assert!(a.is_complete());
    let originals = attachments(&r.plan);
    for f in &a.files {
        let name = f.filename().expect("file name");
        let original = originals
            .iter()
            .find(|o| o.file_name == name)
            .expect("an original");
        assert_eq!(f.decode().expect("decodes"), original.bytes);
    }
    check_file(&r.files[0], "scaled");
}
