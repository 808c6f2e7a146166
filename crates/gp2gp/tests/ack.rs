//! Writing MCCI_IN010000UK13 acknowledgements: read back by our own reader, compared with the corpus.

use std::collections::BTreeSet;
use std::path::PathBuf;

use gp2gp::{
    ack_reference, read, response_text, write_ack, AckError, AckRequest, AckType, Interaction, ReasonSource,
    Severity, RESPONSE_CODE_SYSTEM,
};
use quick_xml::events::Event;

fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/public")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

const EXTRACT_ID: &str = "BA229526-ADC6-4F1D-970E-CD9E78A6830E";

fn base(ack_type: AckType, reason: Option<(&'static str, &'static str)>) -> AckRequest<'static> {
    AckRequest {
        ack_type,
        reason,
        message_id: "75049C80-5271-11EA-9384-E83935108FD5",
        acknowledged_message_id: EXTRACT_ID,
        conversation_id: Some("0E7D2C5B-21B8-4A5C-9C5F-3E6A1D2F7B10"),
        creation_time: "20261121101500",
        sender_asid: "200000000149",
        receiver_asid: "200000001161",
        sender_ods: "B86041",
        receiver_ods: "M85019",
    }
}

/// Writes the ack, reads it back and checks what the inbox would see.
fn round_trip(req: &AckRequest<'_>, type_code: &str, codes: &[&str]) -> gp2gp::Message {
    let xml = write_ack(req).unwrap_or_else(|e| panic!("{type_code} {codes:?}: {e}"));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let msg = read(xml.as_bytes()).unwrap_or_else(|e| panic!("{type_code} {codes:?}: {e}\n{xml}"));
    assert_eq!(msg.interaction, Interaction::Acknowledgement, "{xml}");
    // No Error diagnostics (nor warnings: the ack is as clean as the corpus ones).
    let errors: Vec<_> = msg
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .collect();
    assert!(errors.is_empty(), "{type_code} {codes:?}: {errors:?}\n{xml}");
    let ack = msg.acknowledgement.as_ref().expect("acknowledgement");
    assert_eq!(ack.type_code.as_deref(), Some(type_code));
    assert_eq!(ack.ack_type, Some(req.ack_type));
    assert_eq!(ack.message_ref.as_deref(), Some(req.acknowledged_message_id));
    assert_eq!(ack.reason_codes(), codes, "{xml}");
    assert_eq!(msg.wrapper.message_id.as_deref(), Some(req.message_id));
    assert_eq!(msg.wrapper.interaction_id.as_deref(), Some("MCCI_IN010000UK13"));
    assert_eq!(msg.wrapper.sender_asid.as_deref(), Some(req.sender_asid));
    assert_eq!(msg.wrapper.receiver_asid.as_deref(), Some(req.receiver_asid));
    assert_eq!(
        msg.wrapper.creation_time.as_ref().map(|t| t.raw.as_str()),
        Some(req.creation_time)
    );
    msg
}

#[test]
fn acks_read_back() {
    // (type, reason code, typeCode as written)
    let cases: &[(AckType, Option<&str>, &str)] = &[
        (AckType::Accept, None, "AA"),
        (AckType::Error, Some("11"), "AE"),
        (AckType::Error, Some("12"), "AE"),
        (AckType::Error, Some("15"), "AE"),
        (AckType::Error, Some("17"), "AE"),
        (AckType::Error, Some("28"), "AE"),
        (AckType::Error, Some("99"), "AE"),
        (AckType::Reject, Some("15"), "AR"),
        (AckType::Reject, Some("17"), "AR"),
        (AckType::Reject, Some("21"), "AR"),
        (AckType::Reject, Some("31"), "AR"),
    ];
    for &(ack_type, code, type_code) in cases {
        let reason = code.map(|c| (c, response_text(c).expect("standard text")));
        let req = AckRequest {
            reason,
            ..base(ack_type, None)
        };
        let codes: Vec<&str> = code.into_iter().collect();
        let msg = round_trip(&req, type_code, &codes);
        let ack = msg.acknowledgement.unwrap();
        match code {
            None => assert!(ack.reasons.is_empty()),
            Some(c) => {
                // Written in both places, each with the standard text and code system.
                let sources: Vec<_> = ack.reasons.iter().map(|r| r.source).collect();
                assert_eq!(sources, [ReasonSource::Detail, ReasonSource::ControlActReason]);
                for r in &ack.reasons {
                    assert_eq!(r.code.code.as_deref(), Some(c));
                    assert_eq!(r.code.code_system.as_deref(), Some(RESPONSE_CODE_SYSTEM));
                    assert_eq!(r.code.display_name.as_deref(), response_text(c));
                }
                let detail = if ack_type == AckType::Reject { "AR" } else { "ER" };
                assert_eq!(ack.reasons[0].qualifier.as_deref(), Some(detail));
                assert_eq!(ack.reasons[1].qualifier.as_deref(), Some("ER"));
            }
        }
    }
}

#[test]
fn special_characters_are_escaped_and_round_trip() {
    let text = r#"Wrong patient: "Smith" & <Jones> isn't 'him' — é 😀
second line	tab"#;
    let id = "A&B<C>\"D'E";
    let req = AckRequest {
        reason: Some(("28", text)),
        acknowledged_message_id: id,
        ..base(AckType::Error, None)
    };
    let xml = write_ack(&req).unwrap();
    assert!(
        xml.contains("&amp;") && xml.contains("&lt;") && xml.contains("&quot;") && xml.contains("&apos;")
    );
    assert!(!xml.contains("<Jones>"));
    let msg = round_trip(&req, "AE", &["28"]);
    let ack = msg.acknowledgement.unwrap();
    for r in &ack.reasons {
        assert_eq!(r.code.display_name.as_deref(), Some(text));
    }
}

#[test]
fn empty_display_text_takes_the_standard_text() {
    let req = AckRequest {
        reason: Some(("12", "")),
        ..base(AckType::Error, None)
    };
    let msg = round_trip(&req, "AE", &["12"]);
    let ack = msg.acknowledgement.unwrap();
    assert_eq!(
        ack.reasons[1].code.display_name.as_deref(),
        Some("Duplicate EHR Extract received.")
    );
}

#[test]
fn invalid_requests_are_refused() {
    let ok = base(AckType::Error, Some(("12", "Duplicate EHR Extract received.")));
    let cases: Vec<(AckRequest<'_>, AckError)> = vec![
        (base(AckType::Error, None), AckError::MissingReason("AE")),
        (base(AckType::Reject, None), AckError::MissingReason("AR")),
        (
            base(AckType::Accept, Some(("12", "x"))),
            AckError::UnexpectedReason,
        ),
        (
            AckRequest {
                reason: Some(("", "text")),
                ..ok
            },
            AckError::Empty("reason code"),
        ),
        (
            AckRequest {
                reason: Some(("42", "")),
                ..ok
            },
            AckError::NoReasonText("42".into()),
        ),
        (AckRequest { message_id: "", ..ok }, AckError::Empty("message id")),
        (
            AckRequest {
                acknowledged_message_id: "",
                ..ok
            },
            AckError::Empty("acknowledged message id"),
        ),
        (
            AckRequest {
                acknowledged_message_id: " BA22 ",
                ..ok
            },
            AckError::Whitespace {
                field: "acknowledged message id",
            },
        ),
        (
            AckRequest {
                conversation_id: Some(""),
                ..ok
            },
            AckError::Empty("conversation id"),
        ),
        (
            AckRequest {
                sender_asid: "",
                ..ok
            },
            AckError::Empty("sender ASID"),
        ),
        (
            AckRequest {
                receiver_asid: "",
                ..ok
            },
            AckError::Empty("receiver ASID"),
        ),
        (
            AckRequest { sender_ods: "", ..ok },
            AckError::Empty("sender ODS code"),
        ),
        (
            AckRequest {
                receiver_ods: "",
                ..ok
            },
            AckError::Empty("receiver ODS code"),
        ),
        (
            AckRequest {
                creation_time: "yesterday",
                ..ok
            },
            AckError::BadCreationTime("yesterday".into()),
        ),
        (
            AckRequest {
                creation_time: "2026",
                ..ok
            },
            AckError::BadCreationTime("2026".into()),
        ),
        (
            AckRequest {
                reason: Some(("12", "bell\u{7}")),
                ..ok
            },
            AckError::InvalidCharacter {
                field: "reason text",
                codepoint: 7,
            },
        ),
        (
            AckRequest {
                message_id: "A\u{0}B",
                ..ok
            },
            AckError::InvalidCharacter {
                field: "message id",
                codepoint: 0,
            },
        ),
        (
            AckRequest {
                sender_asid: "2000\u{FFFF}",
                ..ok
            },
            AckError::InvalidCharacter {
                field: "sender ASID",
                codepoint: 0xFFFF,
            },
        ),
    ];
    assert!(write_ack(&ok).is_ok());
    for (req, want) in cases {
        assert_eq!(write_ack(&req), Err(want.clone()), "{req:?}");
        assert!(!want.to_string().is_empty());
    }
}

#[test]
fn output_is_deterministic() {
    for req in [
        base(AckType::Accept, None),
        base(AckType::Error, Some(("28", "x"))),
        base(AckType::Reject, Some(("17", "y"))),
    ] {
        let a = write_ack(&req).unwrap();
        assert_eq!(a, write_ack(&req).unwrap());
        assert_eq!(a, write_ack(&req.clone()).unwrap());
    }
    // Timestamps with a zone offset are accepted.
    let req = AckRequest {
        creation_time: "20261121101500+0000",
        ..base(AckType::Accept, None)
    };
    assert!(write_ack(&req).is_ok());
}

fn local(e: &quick_xml::events::BytesStart<'_>) -> String {
    e.local_name().into_inner().to_owned()
}

/// Every element path of an XML document (`/a/b/c`), ignoring namespaces.
fn element_paths(xml: &[u8]) -> BTreeSet<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut paths = BTreeSet::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed") {
            Event::Start(e) => {
                stack.push(local(&e));
                paths.insert(stack.join("/"));
            }
            Event::Empty(e) => {
                let name = local(&e);
                paths.insert(format!("{}/{name}", stack.join("/")));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    paths
}

#[test]
fn structure_matches_the_corpus_acks() {
    // (corpus file, request); ours may add acknowledgementDetail to an AE, nothing else.
    let cases = [
        ("ack_AA_positive.xml", base(AckType::Accept, None)),
        (
            "ack_AE_code99.xml",
            base(AckType::Error, Some(("99", "Unexpected condition"))),
        ),
        (
            "ack_AR_code18.xml",
            base(
                AckType::Reject,
                Some((
                    "18",
                    "Request message not well-formed or not able to be processed",
                )),
            ),
        ),
    ];
    for (file, req) in cases {
        let want = element_paths(&corpus(file));
        let ours = write_ack(&req).unwrap();
        let got = element_paths(ours.as_bytes());
        let missing: Vec<_> = want.difference(&got).collect();
        assert!(missing.is_empty(), "{file}: missing {missing:?}\n{ours}");
        let extra: Vec<_> = got
            .difference(&want)
            .filter(|p| !p.contains("/acknowledgement/acknowledgementDetail"))
            .collect();
        assert!(extra.is_empty(), "{file}: extra {extra:?}");
        // And the corpus ack reads the same way ours does.
        let theirs = read(&corpus(file)).unwrap().acknowledgement.unwrap();
        let mine = read(ours.as_bytes()).unwrap().acknowledgement.unwrap();
        assert_eq!(theirs.ack_type, mine.ack_type);
        assert_eq!(theirs.message_ref, mine.message_ref);
        assert_eq!(theirs.reason_codes(), mine.reason_codes());
    }
}

#[test]
fn ordered_children_match_ack_ae_code99() {
    // The wrapper's children in the same order as the corpus AE.
    fn children(xml: &[u8]) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut depth = 0usize;
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf).expect("well-formed") {
                Event::Start(e) => {
                    if depth == 1 {
                        out.push(local(&e));
                    }
                    depth += 1;
                }
                Event::Empty(e) if depth == 1 => out.push(local(&e)),
                Event::End(_) => depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        out
    }
    let ours = write_ack(&base(AckType::Error, Some(("99", "Unexpected condition.")))).unwrap();
    assert_eq!(children(ours.as_bytes()), children(&corpus("ack_AE_code99.xml")));
}

#[test]
fn response_texts() {
    for code in [
        "06", "07", "09", "10", "11", "12", "14", "15", "17", "18", "19", "20", "21", "23", "24", "25", "26",
        "28", "29", "30", "31", "99",
    ] {
        let t = response_text(code).unwrap_or_else(|| panic!("{code}"));
        assert!(!t.is_empty() && !t.contains("  "), "{code}: {t:?}");
    }
    assert_eq!(response_text("12"), Some("Duplicate EHR Extract received."));
    assert_eq!(response_text("99"), Some("Unexpected condition."));
    for code in ["03", "04", "05", "08", "16", "22", "27", "6", "", "SEF001"] {
        assert_eq!(response_text(code), None, "{code}");
    }
}

#[test]
fn ack_reference_prefers_the_extract_id() {
    // A bare extract in the corpus: its EhrExtract id is what the final ack names.
    let msg = read(&corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    assert_eq!(ack_reference(&msg), Some("31FA3430-6E88-11EA-9384-E83935108FD5"));
    // No extract: the HL7 wrapper id.
    let msg = read(&corpus("ack_AA_positive.xml")).unwrap();
    assert_eq!(ack_reference(&msg), Some("75049C80-5271-11EA-9384-E83935108FD5"));
}
