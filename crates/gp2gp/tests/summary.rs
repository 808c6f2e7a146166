//! The summary reader over the public corpus (`../shared/corpus/public/`) and over bad input.

use std::path::PathBuf;

use gp2gp::{summarise, Interaction, ReadErrorKind};

fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn bare_extracts_in_the_corpus() {
    // (file, interaction, extract id, NHS number, sending ODS)
    let cases = [
        (
            "tpp_systmone_uk06_payload.xml",
            Interaction::EhrExtractUk06,
            Some("31FA3430-6E88-11EA-9384-E83935108FD5"),
            Some("9442964410"),
            Some("M85019"),
        ),
        (
            "emis_PWTP2_full_extract.xml",
            Interaction::EhrExtractUk06,
            None,
            None,
            None,
        ),
        (
            "composite_uk07_nopat_full.xml",
            Interaction::EhrExtractUk07,
            None,
            Some("{{nhsNumber}}"),
            None,
        ),
        (
            "adaptor_degraded_codes_full.xml",
            Interaction::EhrExtractUk06,
            None,
            Some("1234567890"),
            None,
        ),
        (
            "request_RCMR_IN010000UK05.xml",
            Interaction::EhrRequest,
            None,
            Some("9692294935"),
            None,
        ),
        (
            "ack_AA_positive.xml",
            Interaction::Acknowledgement,
            None,
            None,
            None,
        ),
        (
            "copc_continue_request.xml",
            Interaction::CommonContent,
            None,
            None,
            None,
        ),
        (
            "bare_extract_medication_discontinue.xml",
            Interaction::BareEhrExtract,
            None,
            None,
            None,
        ),
    ];
    for (file, interaction, extract_id, nhs, ods) in cases {
        let s = summarise(&corpus(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.interaction, interaction, "{file}");
        if let Some(id) = extract_id {
            assert_eq!(s.extract_id.as_deref(), Some(id), "{file}");
        }
        assert_eq!(s.nhs_number.as_deref(), nhs, "{file}");
        if let Some(ods) = ods {
            assert_eq!(s.sending_ods.as_deref(), Some(ods), "{file}");
        }
        if interaction.is_extract() && interaction != Interaction::BareEhrExtract {
            assert!(s.extract_id.is_some(), "{file}: extract id");
            assert!(s.sent_at.is_some(), "{file}: sent time");
        }
    }
}

#[test]
fn emis_file_with_a_byte_order_mark_is_read() {
    let bytes = corpus("emis_PWTP3_allergies.xml");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let s = summarise(&bytes).expect("BOM tolerated");
    assert_eq!(s.interaction, Interaction::EhrExtractUk06);
    assert!(s.extract_id.is_some());
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let cases: [(&[u8], ReadErrorKind, &str); 7] = [
        (
            b"# Notes\nWe received an <EhrExtract> today.",
            ReadErrorKind::NotXml,
            "does not start with XML",
        ),
        (b"", ReadErrorKind::NotXml, "empty"),
        (b"  \n ", ReadErrorKind::NotXml, "empty"),
        (b"\x00\x01binary junk\xff", ReadErrorKind::NotXml, "XML"),
        (
            b"<html><body>hello</body></html>",
            ReadErrorKind::NotGp2gp,
            "not a GP2GP message",
        ),
        (
            b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><EhrExtract>&lol;</EhrExtract>",
            ReadErrorKind::NotXml,
            "DOCTYPE",
        ),
        (
            b"<RCMR_IN030000UK06 xmlns=\"urn:hl7-org:v3\"><id root=\"x\"",
            ReadErrorKind::NotXml,
            "not well-formed",
        ),
    ];
    for (bytes, kind, words) in cases {
        let err = summarise(bytes).expect_err(&String::from_utf8_lossy(bytes));
        assert_eq!(err.kind, kind, "{err}");
        assert!(err.reason.contains(words), "{:?} lacks {words:?}", err.reason);
    }
}

#[test]
fn wrong_namespace_is_not_gp2gp() {
    let err = summarise(b"<RCMR_IN030000UK06 xmlns=\"urn:example\"/>").unwrap_err();
    assert_eq!(err.kind, ReadErrorKind::NotGp2gp);
}

#[test]
fn prefixes_do_not_matter() {
    let xml = br#"<hl7:RCMR_IN030000UK06 xmlns:hl7="urn:hl7-org:v3"><hl7:id root="M1"/>
      <hl7:ControlActEvent><hl7:subject><hl7:EhrExtract><hl7:id root="E1"/>
      <hl7:recordTarget><hl7:patient><hl7:id root="2.16.840.1.113883.2.1.4.1" extension="9434765919"/></hl7:patient></hl7:recordTarget>
      </hl7:EhrExtract></hl7:subject></hl7:ControlActEvent></hl7:RCMR_IN030000UK06>"#;
    let s = summarise(xml).unwrap();
    assert_eq!(s.message_id.as_deref(), Some("M1"));
    assert_eq!(s.extract_id.as_deref(), Some("E1"));
    assert_eq!(s.nhs_number.as_deref(), Some("9434765919"));
}

#[test]
fn deep_nesting_is_refused() {
    let mut xml = String::from("<EhrExtract>");
    xml.push_str(&"<a>".repeat(10_000));
    let err = summarise(xml.as_bytes()).unwrap_err();
    assert_eq!(err.kind, ReadErrorKind::NotXml);
    assert!(err.reason.contains("nests"));
}
