//! Every corpus file: interaction, ids and every count of the `parse` contract.

use std::collections::BTreeSet;

use gp2gp::{Container, Counts, Interaction};

use crate::{corpus_dir, read};

/// compositions, medication_courses, acute_courses, repeat_courses, issues, discontinuations,
/// allergies, drug_allergies, non_drug_allergies, problems, degraded, documents, absent_attachments, nopat
type C = [usize; 14];

struct Case {
    file: &'static str,
    interaction: Interaction,
    container: Container,
    extract_id: Option<&'static str>,
    conversation_id: Option<&'static str>,
    nhs_number: Option<&'static str>,
    sending_ods: Option<&'static str>,
    counts: C,
}

const Z: C = [0; 14];

/// (file, interaction, container, extract id, conversation id, NHS number, sending ODS, counts)
type Row = (
    &'static str,
    Interaction,
    Container,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    C,
);

#[rustfmt::skip]
pub const EXPECTED: &[Row] = &[
    ("absent_attachment_placeholder_copc.json", Interaction::CommonContent, Container::MhsJson, None, None, None, None, Z),
    ("ack_AA_positive.xml", Interaction::Acknowledgement, Container::BareXml, None, None, None, None, Z),
    ("ack_AE_code99.xml", Interaction::Acknowledgement, Container::BareXml, None, None, None, None, Z),
    ("ack_AR_code18.xml", Interaction::Acknowledgement, Container::BareXml, None, None, None, None, Z),
    ("adaptor_absent_attachments_full.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("F5C1FDBB-A948-43BB-AB30-CEAA51FC0CC0"), None, Some("1234567890"), Some("GP2GPTEST"), [36, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 33, 9, 0]),
    ("adaptor_degraded_codes_full.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("F5C1FDBB-A948-43BB-AB30-CEAA51FC0CC0"), None, Some("1234567890"), Some("GP2GPTEST"), [61, 3, 2, 1, 4, 0, 3, 2, 1, 20, 65, 1, 0, 0]),
    ("bare_extract_absent_attachment_ref.xml", Interaction::BareEhrExtract, Container::BareXml, None, None, None, None, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]),
    ("bare_extract_medication_discontinue.xml", Interaction::BareEhrExtract, Container::BareXml, None, None, None, None, [1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
    ("composite_uk07_nopat_full.xml", Interaction::EhrExtractUk07, Container::BareXml, Some("F5C1FDBB-A948-43BB-AB30-CEAA51FC0CC0"), None, Some("{{nhsNumber}}"), Some("TESTPRACTISECODE"), [241, 97, 43, 54, 132, 15, 8, 7, 1, 3, 2, 4, 1, 2]),
    ("copc_continue_request.xml", Interaction::CommonContent, Container::BareXml, None, None, None, None, Z),
    ("ebxml_manifest_cid_mid_mix.xml", Interaction::EhrExtractUk06, Container::Envelope, None, Some("6E242658-3D8E-11E3-A7DC-172BDA00FA67"), None, None, Z),
    ("emis_PWTP2_full_extract.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("7C081A67-6F2A-464C-B3FD-C10C65FBEA30"), None, None, Some("A12345"), [80, 5, 3, 2, 70, 0, 4, 2, 2, 9, 0, 0, 0, 0]),
    ("emis_PWTP3_allergies.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("6AA8788B-9769-4917-B335-5C746E6AC31C"), None, None, Some("A12345"), [24, 1, 1, 0, 0, 0, 16, 14, 2, 10, 0, 0, 0, 0]),
    ("emis_PWTP7_documents_referrals.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("8DF7B352-4DD3-4BA1-B514-6B7F175CF410"), None, None, Some("A12345"), [18, 1, 1, 0, 0, 0, 0, 0, 0, 4, 0, 7, 0, 0]),
    ("malformed_mhs_json_bad_content_type.json", Interaction::EhrExtractUk06, Container::MhsJson, Some("7DFAECD9-A169-4187-B0A0-2613EDD7D835"), Some("${conversationId}"), Some("${nhsNumber}"), Some("B83002"), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
    ("request_RCMR_IN010000UK05.xml", Interaction::EhrRequest, Container::BareXml, Some("041CA2AE-3EC6-4AC9-942F-0F6621CC0BFC"), None, Some("9692294935"), Some("N82668"), Z),
    ("skeleton_extract_copc.json", Interaction::CommonContent, Container::MhsJson, None, Some("{{conversationId}}"), None, None, Z),
    ("skeleton_extract_uk06.json", Interaction::EhrExtractUk06, Container::MhsJson, Some("7DFAECD9-A169-4187-B0A0-2613EDD7D835"), Some("{{conversationId}}"), Some("9446363101"), Some("B83002"), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]),
    ("tpp_allergy_ctv3_bare_extract.xml", Interaction::BareEhrExtract, Container::BareXml, None, None, None, None, [1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]),
    ("tpp_systmone_uk06_ebxml.xml", Interaction::EhrExtractUk06, Container::Envelope, None, Some("5A36471B-036B-48E1-BBB4-A89AEE0652E1"), None, None, Z),
    ("tpp_systmone_uk06_payload.xml", Interaction::EhrExtractUk06, Container::BareXml, Some("31FA3430-6E88-11EA-9384-E83935108FD5"), None, Some("9442964410"), Some("M85019"), [5, 2, 0, 2, 3, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
    ("vision_large_attachment_copc0.json", Interaction::CommonContent, Container::MhsJson, None, Some("{{conversationId}}"), None, None, Z),
    ("vision_large_attachment_copc1.json", Interaction::CommonContent, Container::MhsJson, None, Some("{{conversationId}}"), None, None, Z),
    ("vision_large_attachment_copc_index.json", Interaction::CommonContent, Container::MhsJson, None, Some("{{conversationId}}"), None, None, Z),
    ("vision_large_attachment_uk06.json", Interaction::EhrExtractUk06, Container::MhsJson, Some("29102470-0734-4EBC-98B1-1232A552C2B4"), Some("{{conversationId}}"), Some("{{nhsNumber}}"), Some("A28009"), [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
];

fn as_array(c: &Counts) -> C {
    let f = c.fields();
    std::array::from_fn(|i| f[i].1)
}

fn check(case: &Case) {
    let m = read(case.file);
    let f = case.file;
    assert_eq!(m.interaction, case.interaction, "{f}: interaction");
    assert_eq!(m.container, case.container, "{f}: container");
    let s = m.summary();
    assert_eq!(s.extract_id.as_deref(), case.extract_id, "{f}: extract id");
    assert_eq!(
        s.conversation_id.as_deref(),
        case.conversation_id,
        "{f}: conversation id"
    );
    assert_eq!(s.nhs_number.as_deref(), case.nhs_number, "{f}: NHS number");
    assert_eq!(s.sending_ods.as_deref(), case.sending_ods, "{f}: sending ODS");
    let names: Vec<&str> = m.counts.fields().iter().map(|(k, _)| *k).collect();
    let got = as_array(&m.counts);
    for i in 0..14 {
        assert_eq!(got[i], case.counts[i], "{f}: counts.{}", names[i]);
    }
    assert_eq!(
        m.counts.allergies,
        m.counts.drug_allergies + m.counts.non_drug_allergies,
        "{f}"
    );
    assert_eq!(
        m.counts.medication_courses,
        m.counts.acute_courses + m.counts.repeat_courses,
        "{f}"
    );
    // Readable corpus files carry no error diagnostics.
    assert!(
        m.diagnostics.iter().all(|d| d.severity != gp2gp::Severity::Error),
        "{f}: {:?}",
        m.diagnostics
    );
    // The summary reader agrees with the full reader.
    let quick = gp2gp::summarise(&crate::corpus(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    assert_eq!(quick.interaction, s.interaction, "{f}");
    assert_eq!(quick.extract_id, s.extract_id, "{f}");
    assert_eq!(quick.nhs_number, s.nhs_number, "{f}");
    assert_eq!(quick.conversation_id, s.conversation_id, "{f}");
}

#[test]
fn every_corpus_file_reads_with_the_expected_ids_and_counts() {
    let mut seen = BTreeSet::new();
    for &(file, interaction, container, extract_id, conversation_id, nhs_number, sending_ods, counts) in
        EXPECTED
    {
        check(&Case {
            file,
            interaction,
            container,
            extract_id,
            conversation_id,
            nhs_number,
            sending_ods,
            counts,
        });
        seen.insert(file.to_owned());
    }
    // The table covers every data file in the corpus.
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml") || n.ends_with(".json"))
        .collect();
    assert_eq!(seen, on_disk);
}
