//! Deep assertions per supplier style: a course with its issues, an allergy with its allergen, a
//! degrade with its original term, a placeholder with its reason, and the rest of the record.

use gp2gp::{
    AckType, AllergyKind, CommonContentRole, CourseKind, CourseStatus, DegradeKind, Precision, ReasonSource,
    RecordType, StatementKind, SupplyKind, Value,
};

use crate::read;

#[test]
fn emis_course_with_its_issues() {
    let m = read("emis_PWTP2_full_extract.xml");
    let x = m.extract.as_ref().unwrap();
    let c = x
        .courses
        .iter()
        .find(|c| c.id.as_deref() == Some("47784A83-5675-4EF2-9947-0D7D125F1656"))
        .unwrap();
    assert_eq!(c.kind, CourseKind::Repeat);
    assert_eq!(c.status, CourseStatus::Active);
    assert_eq!(
        c.drug_term.as_deref(),
        Some("Marvelon tablets (Merck Sharp & Dohme Ltd)")
    );
    // EMIS drug scheme main code with the dm+d code as a translation.
    assert_eq!(
        c.drug.as_ref().unwrap().main.code_system.as_deref(),
        Some("2.16.840.1.113883.2.1.6.9")
    );
    assert_eq!(c.drug_snomed.as_deref(), Some("524211000001108"));
    assert_eq!(c.issue_count, 45);
    assert_eq!(c.issues.len(), 45);
    assert_eq!(c.last_issue.as_ref().map(|t| t.raw.as_str()), Some("20100113"));
    let q = c.quantity.as_ref().unwrap();
    assert_eq!(
        (q.value.as_deref(), q.unit_text.as_deref()),
        (Some("28"), Some("tablet"))
    );
    assert!(c.dosage.as_deref().unwrap().starts_with("One Tablet Daily"));
    // Every issue is an ehrSupplyPrescribe in its own ORD statement, pointing at the authorisation.
    for r in &c.issues {
        let s = &x.statements[r.statement];
        assert_eq!(s.mood_code.as_deref(), Some("ORD"));
        let sup = &s.medication.as_ref().unwrap().supplies[r.supply];
        assert_eq!(sup.kind, SupplyKind::Prescribe);
        assert_eq!(sup.refers_to.as_deref(), c.id.as_deref());
    }
    let acute: Vec<_> = x.courses.iter().filter(|c| c.kind == CourseKind::Acute).collect();
    assert_eq!(acute.len(), 3);
    assert_eq!(x.courses.iter().map(|c| c.issue_count).sum::<usize>(), 70);
}

#[test]
fn emis_allergies_and_problems() {
    let m = read("emis_PWTP2_full_extract.xml");
    let x = m.extract.as_ref().unwrap();
    let drug: Vec<_> = x
        .allergies
        .iter()
        .filter(|a| a.kind == AllergyKind::Drug)
        .collect();
    assert_eq!(drug.len(), 2);
    assert_eq!(drug[0].allergen_term.as_deref(), Some("H/O: aspirin allergy"));
    let nondrug = x
        .allergies
        .iter()
        .find(|a| a.kind == AllergyKind::NonDrug)
        .unwrap();
    assert_eq!(nondrug.allergen_term.as_deref(), Some("Peanut allergy"));
    // "Allergic rhinitis due to pollens" is not in the wrapper: a possible allergy for review.
    let possible = x
        .allergies
        .iter()
        .find(|a| a.kind == AllergyKind::Possible)
        .unwrap();
    assert_eq!(
        possible.allergen_term.as_deref(),
        Some("Allergic rhinitis due to pollens")
    );
    // LinkSets: the named statement's code, and linked entries resolved across compositions.
    let p = x
        .problems
        .iter()
        .find(|p| p.term.as_deref() == Some("H/O: aspirin allergy"))
        .unwrap();
    assert_eq!(p.significance.as_deref(), Some("Unspecified significance"));
    assert!(p.named.is_some());
    assert_eq!(p.linked.len(), 1);
    assert!(p.linked[0].statement.is_some());
    // Location and timestamps with their precision.
    assert!(x
        .compositions
        .iter()
        .any(|c| c.location.as_ref().is_some_and(|l| l.name.is_some())));
    let c = &x.compositions[0];
    assert!(c
        .author_time
        .as_ref()
        .is_some_and(|t| t.precision >= Precision::Day));
    assert!(
        c.author.as_ref().and_then(|a| a.agent).is_some(),
        "composition author resolved in the directory"
    );
}

#[test]
fn emis_egton_allergies_use_the_observation_when_the_value_is_local() {
    let m = read("emis_PWTP3_allergies.xml");
    let x = m.extract.as_ref().unwrap();
    assert_eq!(
        x.allergies.iter().filter(|a| a.kind == AllergyKind::Drug).count(),
        14
    );
    let amox = x
        .allergies
        .iter()
        .find(|a| a.allergen_term.as_deref() == Some("Adverse reaction to amoxycillin"))
        .unwrap();
    // The EGTON value code is kept verbatim on the observation.
    let obs = &x.statements[amox.observation];
    let value = obs.coded_value().unwrap();
    assert_eq!(value.main.code.as_deref(), Some("ALLERGY-READ2-TJ003"));
    assert_eq!(
        value.main.code_system.as_deref(),
        Some("2.16.840.1.113883.2.1.6.3")
    );
}

#[test]
fn tpp_courses_and_ctv3_allergy() {
    let m = read("tpp_systmone_uk06_payload.xml");
    let x = m.extract.as_ref().unwrap();
    let c = x
        .courses
        .iter()
        .find(|c| c.drug_term.as_deref() == Some("Atorvastatin 40mg tablets"))
        .unwrap();
    assert_eq!(c.kind, CourseKind::Repeat);
    assert_eq!(c.issue_count, 2);
    assert_eq!(
        c.drug.as_ref().unwrap().main.code_system.as_deref(),
        Some("2.16.840.1.113883.2.1.6.4")
    );
    assert_eq!(c.drug_snomed.as_deref(), Some("320031002"));
    assert_eq!(c.expiry.as_ref().map(|t| t.raw.as_str()), Some("20140812000000"));
    assert_eq!(c.last_issue.as_ref().map(|t| t.raw.as_str()), Some("20140212"));
    assert_eq!(c.dosage.as_deref(), Some("take one at night"));
    assert!(x.statements.iter().any(|s| s.kind == StatementKind::Registration));
    assert!(x
        .compositions
        .iter()
        .any(|c| c.record_type == RecordType::Suppressed));
    let d = &x.documents[0];
    assert_eq!(d.media_type.as_deref(), Some("text/plain"));
    assert_eq!(
        d.file_name(),
        Some("31B75ED0-6E88-11EA-9384-E83935108FD5_patient-attachment.txt.txt")
    );

    let m = read("tpp_allergy_ctv3_bare_extract.xml");
    let x = m.extract.as_ref().unwrap();
    let a = &x.allergies[0];
    assert_eq!(a.kind, AllergyKind::Drug);
    let allergen = a.allergen.as_ref().unwrap();
    assert_eq!(allergen.main.code.as_deref(), Some("01142009"));
    assert_eq!(a.allergen_term.as_deref(), Some("Coconut oil"));
    let code = a.code.as_ref().unwrap();
    assert_eq!(
        code.main.code_system.as_deref(),
        Some("2.16.840.1.113883.2.1.3.2.4.14"),
        "CTV3 kept"
    );
    assert!(code.has_snomed(), "SNOMED translation kept");
    assert!(
        x.statements[a.observation]
            .annotations
            .iter()
            .any(|t| t.contains('\n')),
        "&#10; resolved"
    );
}

#[test]
fn adaptor_degrades_with_their_original_terms() {
    let m = read("adaptor_degraded_codes_full.xml");
    let x = m.extract.as_ref().unwrap();
    assert_eq!(x.degrades.len(), 65);
    let fbc = x
        .degrades
        .iter()
        .find(|d| d.original_term.as_deref() == Some("Full blood count"))
        .unwrap();
    assert_eq!(fbc.kind, DegradeKind::RecordEntry);
    assert_eq!(fbc.degraded_code, "196411000000103");
    let plan = x.degrades.iter().find(|d| d.kind == DegradeKind::Plan).unwrap();
    assert_eq!(
        plan.degraded_code, "294781000000113",
        "the plan degrade arrives as a description id"
    );
    assert_eq!(
        plan.original_term.as_deref(),
        Some("Cardiac NSF - Rehabilitation")
    );
    assert_eq!(x.statements[plan.statement].kind, StatementKind::Plan);
    let allergy = x
        .degrades
        .iter()
        .find(|d| d.kind == DegradeKind::DrugAllergy)
        .unwrap();
    assert!(allergy.original_term.as_deref().unwrap().contains("Palonosetron"));
    assert!(x
        .allergies
        .iter()
        .any(|a| a.kind == AllergyKind::Drug && a.degraded));
}

#[test]
fn uk07_nopat_is_propagated_and_medication_degrades_found() {
    let m = read("composite_uk07_nopat_full.xml");
    let x = m.extract.as_ref().unwrap();
    // Statement-level NOPAT on a medication and an observation (this file has no composition-level one).
    let med = x
        .statements
        .iter()
        .find(|s| s.id.as_deref() == Some("1AB77AC2-0026-4C4B-A168-DAA15D108BA8"))
        .unwrap();
    assert_eq!(
        med.confidentiality.as_ref().and_then(|c| c.code.as_deref()),
        Some("NOPAT")
    );
    assert!(med.nopat);
    assert!(x
        .courses
        .iter()
        .all(|c| c.nopat == x.statements[c.authorise.statement].nopat));
    let obs = x
        .statements
        .iter()
        .find(|s| s.id.as_deref() == Some("663B2A9F-0B1D-4697-943A-328F70E068DE"))
        .unwrap();
    assert!(obs.nopat);
    assert_eq!(x.statements.iter().filter(|s| s.nopat).count(), 2);
    // Transfer-degraded medication (a local mixture) with the mixture as its original term.
    let d: Vec<_> = x
        .degrades
        .iter()
        .filter(|d| d.kind == DegradeKind::Medication)
        .collect();
    assert_eq!(d.len(), 2);
    assert!(d[0]
        .original_term
        .as_deref()
        .unwrap()
        .starts_with("Local Mixture"));
    // Discontinued courses.
    assert_eq!(
        x.courses
            .iter()
            .filter(|c| c.status == CourseStatus::Stopped)
            .count(),
        15
    );
    // Absent attachment attributed to the sending practice (no placeholder file in the message).
    let absent = x.documents.iter().find_map(|d| d.absent.as_ref()).unwrap();
    assert_eq!(
        absent.document_id.as_deref(),
        Some("31B75ED0-6E88-11EA-9384-E83935108FD5")
    );
    assert_eq!(absent.created_by_ods.as_deref(), Some("TESTPRACTISECODE"));
}

#[test]
fn composition_nopat_reaches_every_child() {
    // Composition-level NOPAT written after its statements, a nested CATEGORY with a document.
    let xml = br#"<RCMR_IN030000UK07 xmlns="urn:hl7-org:v3"><id root="M"/><ControlActEvent><subject><EhrExtract><id root="E"/>
      <component><ehrFolder><component><ehrComposition><id root="C1"/>
        <component><CompoundStatement classCode="CATEGORY"><id root="S1"/>
          <component><NarrativeStatement><id root="S2"/><text>letter</text><reference><referredToExternalDocument><id root="D"/>
            <text mediaType="application/pdf"><reference value="file://localhost/D_letter.pdf"/></text></referredToExternalDocument></reference></NarrativeStatement></component>
        </CompoundStatement></component>
        <confidentialityCode code="NOPAT" codeSystem="2.16.840.1.113883.4.642.3.47"/>
      </ehrComposition></component>
      <component><ehrComposition><id root="C2"/><component><ObservationStatement><id root="S3"/></ObservationStatement></component></ehrComposition></component>
      </ehrFolder></component></EhrExtract></subject></ControlActEvent></RCMR_IN030000UK07>"#;
    let m = gp2gp::read(xml).unwrap();
    let x = m.extract.as_ref().unwrap();
    assert!(x.compositions[0].nopat);
    let nopat: Vec<_> = x
        .statements
        .iter()
        .map(|s| (s.id.as_deref().unwrap(), s.nopat))
        .collect();
    assert_eq!(nopat, [("S1", true), ("S2", true), ("S3", false)]);
    assert!(x.documents[0].nopat);
    assert_eq!(x.documents[0].title.as_deref(), Some("letter"));
    assert_eq!(m.counts.nopat, 1);
}

#[test]
fn discontinued_course() {
    let m = read("bare_extract_medication_discontinue.xml");
    let x = m.extract.as_ref().unwrap();
    let c = &x.courses[0];
    assert_eq!(c.id.as_deref(), Some("TEST_ID"));
    assert_eq!(c.status, CourseStatus::Stopped);
    let d = c.discontinuation.as_ref().unwrap();
    let reason = d.reason.as_ref().unwrap();
    assert_eq!(reason.main.code.as_deref(), Some("EMISDRUG_DISCONTINUATION"));
    assert_eq!(reason.term(), Some("Medication Course Ended"));
}

#[test]
fn placeholders_with_their_reason() {
    // The placeholder file itself, as the sending adaptor ships it.
    let m = read("absent_attachment_placeholder_copc.json");
    let p = m.placeholders();
    assert_eq!(p.len(), 1);
    let p = &p[0].1;
    assert_eq!(p.reason_code.as_deref(), Some("06"));
    assert_eq!(p.reason_text.as_deref(), Some("Unable to determine problem"));
    assert_eq!(p.ods.as_deref(), Some("test-to-ods-code"));
    assert_eq!(p.conversation_id.as_deref(), Some("test-conversation-id"));
    let c = m.common_content.as_ref().unwrap();
    assert_eq!(c.from.as_deref(), Some("test-to-ods-code"));

    // Placeholders named by the record.
    let m = read("adaptor_absent_attachments_full.xml");
    let x = m.extract.as_ref().unwrap();
    let absent: Vec<_> = x.documents.iter().filter(|d| d.absent.is_some()).collect();
    assert_eq!(absent.len(), 9);
    for d in absent {
        assert_eq!(d.media_type.as_deref(), Some("text/plain"));
        let a = d.absent.as_ref().unwrap();
        assert!(a.file_name.starts_with("AbsentAttachment") && a.file_name.ends_with(".txt"));
        assert_eq!(a.created_by_ods.as_deref(), Some("GP2GPTEST"));
    }

    let m = read("bare_extract_absent_attachment_ref.xml");
    let d = &m.extract.as_ref().unwrap().documents[0];
    assert!(d.absent.is_some());
    assert_eq!(
        d.code.as_ref().unwrap().original_text.as_deref(),
        Some("Absent Attachment")
    );
}

#[test]
fn vision_codings_are_kept_verbatim() {
    let m = read("vision_large_attachment_uk06.json");
    let x = m.extract.as_ref().unwrap();
    let d = &x.documents[0];
    let code = d.code.as_ref().unwrap();
    assert_eq!(code.main.code.as_deref(), Some("9b36.00"));
    assert_eq!(code.original_text.as_deref(), Some("Other Attachment"));
    assert_eq!(code.qualifiers.len(), 4);
    assert_eq!(
        code.qualifiers[0].name.as_ref().and_then(|n| n.code.as_deref()),
        Some("mediatype")
    );
    assert_eq!(
        code.qualifiers[0].value.as_ref().and_then(|n| n.code.as_deref()),
        Some("MMT011")
    );
    assert!(code
        .translations
        .iter()
        .any(|t| t.code.as_deref() == Some("37251000000104")));
    let eb = m.ebxml.as_ref().unwrap();
    assert_eq!(eb.from_ods(), Some("A28009"));
    assert_eq!(eb.action.as_deref(), Some("RCMR_IN030000UK06"));
    let r = &eb.manifest[1];
    assert_eq!(r.href, "mid:477B7133-6CED-4040-8D6F-3872A3CE2192");
    assert_eq!(r.large_attachment, Some(true));
    assert_eq!(r.length, Some(4718592));
    assert_eq!(m.external_attachments.len(), 1);
}

#[test]
fn ebxml_manifest_flags() {
    let m = read("ebxml_manifest_cid_mid_mix.xml");
    let eb = m.ebxml.as_ref().unwrap();
    assert!(eb.manifest[0].is_payload);
    assert_eq!(eb.manifest.len(), 5);
    assert!(eb
        .manifest
        .iter()
        .any(|r| r.kind == gp2gp::ReferenceKind::MessageId));
    assert!(eb
        .manifest
        .iter()
        .any(|r| !r.is_payload && r.kind == gp2gp::ReferenceKind::ContentId));
    assert!(eb.manifest[1..]
        .iter()
        .all(|r| r.filename.is_some() && r.compressed.is_some()));

    let m = read("tpp_systmone_uk06_ebxml.xml");
    let eb = m.ebxml.as_ref().unwrap();
    assert_eq!(eb.manifest[0].target, "payload@tpp-uk.com/SystmOne/GP2GP1.1A");
    assert!(
        eb.manifest[1].filename.is_some(),
        "TPP description is a bare file name"
    );
}

#[test]
fn acknowledgements_read_reasons_from_both_places() {
    let m = read("ack_AR_code18.xml");
    let a = m.acknowledgement.as_ref().unwrap();
    assert_eq!(a.ack_type, Some(AckType::Reject));
    assert_eq!(
        a.message_ref.as_deref(),
        Some("BA229526-ADC6-4F1D-970E-CD9E78A6830E")
    );
    assert_eq!(a.reason_codes(), ["18"]);
    assert!(a.reasons.iter().any(|r| r.source == ReasonSource::Detail));
    assert!(a
        .reasons
        .iter()
        .any(|r| r.source == ReasonSource::ControlActReason && r.qualifier.as_deref() == Some("ER")));

    let a = read("ack_AE_code99.xml").acknowledgement.unwrap();
    assert_eq!(a.ack_type, Some(AckType::Error));
    assert_eq!(a.reason_codes(), ["99"]);
    assert!(a
        .reasons
        .iter()
        .all(|r| r.source == ReasonSource::ControlActReason));

    let a = read("ack_AA_positive.xml").acknowledgement.unwrap();
    assert_eq!(a.ack_type, Some(AckType::Accept));
    assert!(a.reasons.is_empty());
    assert!(a.message_ref.is_some());
}

#[test]
fn continue_request_and_copc_roles() {
    let m = read("copc_continue_request.xml");
    let c = m.common_content.as_ref().unwrap();
    assert_eq!(c.role, CommonContentRole::Continue);
    assert_eq!(c.acknowledgement.as_ref().unwrap().reason_codes(), ["0"]);
    assert_eq!(c.from.as_deref(), Some("C81007"));
    assert_eq!(c.recipients, ["B83002"]);
    assert_eq!(
        m.wrapper.creation_time.as_ref().unwrap().precision,
        Precision::Fraction
    );

    assert_eq!(
        read("vision_large_attachment_copc_index.json")
            .common_content
            .unwrap()
            .role,
        CommonContentRole::FragmentIndex
    );
    assert_eq!(
        read("vision_large_attachment_copc0.json")
            .common_content
            .unwrap()
            .role,
        CommonContentRole::Fragment
    );

    let r = read("request_RCMR_IN010000UK05.xml").request.unwrap();
    assert_eq!(r.requester_ods.as_deref(), Some("N82668"));
    assert_eq!(r.sender_ods.as_deref(), Some("B86041"));
}

#[test]
fn observation_values_and_agents() {
    let m = read("adaptor_degraded_codes_full.xml");
    let x = m.extract.as_ref().unwrap();
    let pq = x.statements.iter().find_map(|s| match &s.value {
        Some(Value::Quantity(q)) if q.unit.is_some() => Some(q),
        _ => None,
    });
    assert!(pq.is_some(), "a PQ value with its unit");
    assert!(x.statements.iter().any(|s| !s.reference_ranges.is_empty()));
    assert!(x
        .statements
        .iter()
        .flat_map(|s| &s.participants)
        .any(|p| p.agent.is_some()));

    let m = read("skeleton_extract_uk06.json");
    let x = m.extract.as_ref().unwrap();
    let author = x.compositions[0].author.as_ref().unwrap();
    let agent = &x.agents[author.agent.unwrap()];
    assert_eq!(agent.display().as_deref(), Some("Dr Jon Abbot"));
    assert_eq!(agent.practitioner_code.as_deref(), Some("G9489493"));
    assert_eq!(x.compositions[0].record_type, RecordType::Skeleton);
}
