//! Hostile and broken input: refused cheaply with a reason, or read as far as possible.

use gp2gp::{read, read_with, Limits, ReadErrorKind, Severity};

use crate::corpus;

#[test]
fn refused_with_a_reason() {
    let deep = format!("<EhrExtract xmlns=\"urn:hl7-org:v3\">{}", "<a>".repeat(10_000));
    let big_text = format!(
        "<EhrExtract xmlns=\"urn:hl7-org:v3\"><id root=\"x\"/><a>{}</a></EhrExtract>",
        "x".repeat(2048)
    );
    let cases: Vec<(Vec<u8>, ReadErrorKind, &str)> = vec![
        (b"".to_vec(), ReadErrorKind::NotXml, "empty"),
        (b"\x00\x01binary junk\xff".to_vec(), ReadErrorKind::NotXml, "XML"),
        (b"<html><body/></html>".to_vec(), ReadErrorKind::NotGp2gp, "not a GP2GP message"),
        (
            b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><EhrExtract>&lol2;</EhrExtract>".to_vec(),
            ReadErrorKind::NotXml,
            "DOCTYPE",
        ),
        (deep.into_bytes(), ReadErrorKind::NotXml, "nests"),
        (b"<EhrExtract xmlns=\"urn:hl7-org:v3\"><id root=\"\xff\xfe\"/></EhrExtract>".to_vec(), ReadErrorKind::NotXml, "UTF-8"),
        (b"{\"hello\": 1}".to_vec(), ReadErrorKind::NotGp2gp, "JSON"),
        (b"{\"payload\": ".to_vec(), ReadErrorKind::NotXml, "JSON"),
        (b"<RCMR_IN030000UK06 xmlns=\"urn:hl7-org:v3\"><id root=\"x\"".to_vec(), ReadErrorKind::NotXml, "well-formed"),
    ];
    for (bytes, kind, words) in cases {
        let err = read(&bytes).expect_err(&String::from_utf8_lossy(&bytes));
        assert_eq!(err.kind, kind, "{err}");
        assert!(err.reason.contains(words), "{:?} lacks {words:?}", err.reason);
    }
    let small = Limits {
        max_text_bytes: 1024,
        ..Limits::default()
    };
    let err = read_with(big_text.as_bytes(), &small).unwrap_err();
    assert!(err.reason.contains("text node"), "{err}");
    let err = read_with(
        &corpus("ack_AA_positive.xml"),
        &Limits {
            max_input_bytes: 100,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(err.reason.contains("limit"));
}

#[test]
fn truncated_extract_is_read_as_far_as_it_goes() {
    let full = corpus("emis_PWTP2_full_extract.xml");
    let cut = &full[..full.len() / 2];
    let m = read(cut).expect("head readable: degrade, not fail");
    let x = m.extract.as_ref().unwrap();
    assert!(x.id.is_some());
    assert!(!x.compositions.is_empty() && x.compositions.len() < 80);
    assert!(m
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.message.contains("truncated")));
}

#[test]
fn malformed_middle_is_an_error_diagnostic() {
    let full = String::from_utf8(corpus("tpp_systmone_uk06_payload.xml")).unwrap();
    let broken = full.replacen("</ehrComposition>", "</ehrCompositionX>", 2);
    let m = read(broken.as_bytes()).unwrap();
    assert!(m
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.message.contains("well-formed")));
    assert_eq!(
        m.extract.unwrap().id.as_deref(),
        Some("31FA3430-6E88-11EA-9384-E83935108FD5")
    );
}

#[test]
fn bom_one_line_prefixes_and_latin1() {
    // Prefixed HL7 and a one-line document.
    let xml = br#"<hl7:RCMR_IN030000UK06 xmlns:hl7="urn:hl7-org:v3"><hl7:id root="M1"/><hl7:ControlActEvent><hl7:subject><hl7:EhrExtract><hl7:id root="E1"/><hl7:component><hl7:ehrFolder><hl7:component><hl7:ehrComposition><hl7:component><hl7:LinkSet><hl7:id root="L"/></hl7:LinkSet></hl7:component></hl7:ehrComposition></hl7:component></hl7:ehrFolder></hl7:component></hl7:EhrExtract></hl7:subject></hl7:ControlActEvent></hl7:RCMR_IN030000UK06>"#;
    let m = read(xml).unwrap();
    assert_eq!(m.counts.compositions, 1);
    assert_eq!(m.counts.problems, 1);
    // A foreign element with an HL7 local name does not count.
    let foreign = br#"<EhrExtract xmlns="urn:hl7-org:v3" xmlns:x="urn:other"><component><ehrFolder><component><x:ehrComposition/></component></ehrFolder></component></EhrExtract>"#;
    assert_eq!(read(foreign).unwrap().counts.compositions, 0);
    // ISO-8859-1 declared and used.
    let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><EhrExtract xmlns=\"urn:hl7-org:v3\"><component><ehrFolder><component><ehrComposition><component><NarrativeStatement><text>caf\xe9</text></NarrativeStatement></component></ehrComposition></component></ehrFolder></component></EhrExtract>";
    let m = read(latin).unwrap();
    assert_eq!(
        m.extract.unwrap().statements[0].text.as_deref(),
        Some("caf\u{e9}")
    );
}

#[test]
fn raw_mime_with_http_headers_junk_and_contradicting_charset() {
    let payload = corpus("tpp_systmone_uk06_payload.xml");
    let ebxml = corpus("tpp_systmone_uk06_ebxml.xml");
    let mut msg = Vec::new();
    msg.extend_from_slice(b"\x00\x00\x01\xef\xbf\xbdAMQP junk ");
    msg.extend_from_slice(b"POST /reliablemessaging/reliablerequest HTTP/1.1\r\nSOAPAction: urn:nhs:names:services:gp2gp/RCMR_IN030000UK06\r\nContent-Type: multipart/related; boundary=\"--=_MIME-Boundary\"; type=\"text/xml\"; start=\"<soappart>\"\r\n\r\n");
    msg.extend_from_slice(b"----=_MIME-Boundary\r\nContent-Id: <soappart>\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    msg.extend_from_slice(&ebxml);
    msg.extend_from_slice(b"\r\n----=_MIME-Boundary\r\nContent-Id: <payload@tpp-uk.com/SystmOne/GP2GP1.1A>\r\nContent-Type: application/xml; charset=ISO-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    msg.extend_from_slice(&payload);
    msg.extend_from_slice(b"\r\n----=_MIME-Boundary\r\nContent-Id: <31B75ED0-6E88-11EA-9384-E83935108FD5@tpp-uk.com/SystmOne/GP2GP1.1A>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\nd29ybGQ=\r\n----=_MIME-Boundary--\r\n");
    let m = read(&msg).unwrap();
    assert_eq!(m.container, gp2gp::Container::Mime);
    assert_eq!(m.conversation_id(), Some("5A36471B-036B-48E1-BBB4-A89AEE0652E1"));
    assert_eq!(m.counts.issues, 3);
    assert_eq!(m.attachments.len(), 1);
    assert_eq!(m.attachments[0].decode().unwrap(), b"hello world");
    assert!(m.attachments[0].manifest_index.is_some());
    let s = gp2gp::summarise(&msg).unwrap();
    assert_eq!(
        s.extract_id.as_deref(),
        Some("31FA3430-6E88-11EA-9384-E83935108FD5")
    );
}
