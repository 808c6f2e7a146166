//! Packages a written extract: bare XML, ebXML + `multipart/related` MIME with inline attachments,
//! or the messaging adaptor's JSON; each in the plan's supplier style (Content-Id domains, manifest
//! description forms; format §2, §14).

use std::fmt::Write as _;

use crate::files;
use crate::hl7::{absent_name, esc};
use crate::plan::{EntryKind, RecordPlan, Style};
use crate::vocab::Vocabulary;

/// How the message is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// The bare HL7 document (attachments are not carried).
    BareXml,
    /// ebXML envelope + HL7 payload + base64 attachments as `multipart/related` MIME, after HTTP
    /// headers as the messaging handler receives them.
    EbXmlMime,
    /// The messaging adaptor's inbound JSON: `{ebXML, payload, attachments[], external_attachments[]}`.
    MhsJson,
}

impl Container {
    pub const ALL: [Container; 3] = [Container::BareXml, Container::EbXmlMime, Container::MhsJson];

    /// The file extension of a file in this container.
    pub fn extension(self) -> &'static str {
        match self {
            Container::BareXml => "xml",
            Container::EbXmlMime => "mime",
            Container::MhsJson => "json",
        }
    }
}

/// One attachment travelling with the core message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub content_id: String,
    /// The document id (`eb:id`).
    pub document_id: String,
    /// `<docId>_<name>`, or `AbsentAttachment<docId>.txt` for a placeholder.
    pub file_name: String,
    pub content_type: &'static str,
    /// The file, or (when `base64`) an already base64-encoded slice of one.
    pub bytes: Vec<u8>,
    pub base64: bool,
}

pub(crate) fn domain(style: Style) -> &'static str {
    match style {
        Style::Emis => "e-mis.com/EMISWeb/GP2GP2.2A",
        Style::SystmOne => "tpp-uk.com/SystmOne/GP2GP1.1A",
        Style::Vision => "inps.co.uk/Vision/3",
    }
}

/// The payload's Content-Id.
pub(crate) fn payload_cid(plan: &RecordPlan) -> String {
    match plan.style {
        Style::SystmOne => format!("payload@{}", domain(plan.style)),
        _ => format!("{}@{}", plan.ids.message, domain(plan.style)),
    }
}

/// The attachments of a record: each present document as a small real file, each absent one as its
/// placeholder text (naming the transfer that created it).
pub fn attachments(plan: &RecordPlan) -> Vec<Attachment> {
    let vocab = Vocabulary::standard();
    let mut out = Vec::new();
    for c in &plan.compositions {
        for e in &c.entries {
            let EntryKind::Document {
                document_id,
                kind,
                file_name,
                absent,
                placeholder_by,
            } = &e.kind
            else {
                continue;
            };
            let d = vocab.documents.get(*kind).copied().unwrap_or(vocab.documents[0]);
            let content_id = format!("{document_id}@{}", domain(plan.style));
            if *absent {
                out.push(Attachment {
                    content_id,
                    document_id: document_id.clone(),
                    file_name: absent_name(document_id),
                    content_type: "text/plain",
                    bytes: files::placeholder(file_name, placeholder_by.as_deref().unwrap_or_default())
                        .into_bytes(),
                    base64: false,
                });
            } else {
                let date = c.time.date().hl7();
                let patient = format!(
                    "Patient: {} {} NHS {}",
                    plan.patient.given, plan.patient.family, plan.patient.nhs_number
                );
                let lines = [
                    "SYNTHETIC TEST DOCUMENT - NOT A REAL PATIENT",
                    d.title,
                    patient.as_str(),
                    plan.sender.name.as_str(),
                    date.as_str(),
                ];
                out.push(Attachment {
                    content_id,
                    document_id: document_id.clone(),
                    file_name: file_name.clone(),
                    content_type: d.media_type,
                    bytes: files::document(
                        d.extension,
                        &lines,
                        (e.id.len() * 7 % 200) as u8,
                        plan.options.image_scale,
                    ),
                    base64: false,
                });
            }
        }
    }
    out
}

/// The manifest description of an attachment, in the style's form.
pub(crate) fn description(style: Style, a: &Attachment) -> String {
    match style {
        Style::SystmOne => a.file_name.clone(),
        Style::Emis => format!(
            "Filename=\"{}\" ContentType={} Compressed=No LargeAttachment=No OriginalBase64=No",
            a.file_name, a.content_type
        ),
        Style::Vision => format!(
            "Filename=\"{}\" ContentType={} Compressed=No LargeAttachment=No OriginalBase64=No Length={}",
            a.file_name,
            a.content_type,
            a.bytes.len()
        ),
    }
}

/// One `eb:Reference` of a manifest after the payload's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `cid:<content id>` or `mid:<message id>`.
    pub href: String,
    /// `eb:id` without the leading `_`.
    pub id: String,
    pub description: String,
}

/// The manifest references of inline attachments.
pub fn inline_references(style: Style, attachments: &[Attachment]) -> Vec<Reference> {
    attachments
        .iter()
        .map(|a| Reference {
            href: format!("cid:{}", a.content_id),
            id: a.document_id.clone(),
            description: description(style, a),
        })
        .collect()
}

/// The ebXML SOAP envelope of the core message, manifest listing the payload then `attachments`.
pub fn envelope(plan: &RecordPlan, attachments: &[Attachment]) -> String {
    envelope_with(
        plan,
        plan.interaction.name(),
        &plan.ids.message,
        &payload_cid(plan),
        &inline_references(plan.style, attachments),
    )
}

/// An ebXML SOAP envelope in the plan's conversation: `action`, `message_id`, the payload's
/// Content-Id and the other manifest references.
pub fn envelope_with(
    plan: &RecordPlan,
    action: &str,
    message_id: &str,
    payload_cid: &str,
    references: &[Reference],
) -> String {
    let mut o = String::with_capacity(2048 + references.len() * 300);
    let (y, m, d) = plan.created.date().ymd();
    let secs = plan.created.0.rem_euclid(86_400);
    let stamp = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let _ = write!(
        o,
        r#"<SOAP:Envelope xmlns:SOAP="http://schemas.xmlsoap.org/soap/envelope/" xmlns:eb="http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd" xmlns:hl7ebxml="urn:hl7-org:transport/ebxml/DSTUv1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3c.org/2001/XML-Schema-Instance">
<SOAP:Header>
<eb:MessageHeader SOAP:mustUnderstand="1" eb:version="2.0">
<eb:From><eb:PartyId eb:type="urn:nhs:names:partyType:ocs+serviceInstance">{from}-{from_asid}</eb:PartyId></eb:From>
<eb:To><eb:PartyId eb:type="urn:nhs:names:partyType:ocs+serviceInstance">{to}-{to_asid}</eb:PartyId></eb:To>
<eb:CPAId>S{cpa}</eb:CPAId>
<eb:ConversationId>{conversation}</eb:ConversationId>
<eb:Service>urn:nhs:names:services:gp2gp</eb:Service>
<eb:Action>{action}</eb:Action>
<eb:MessageData>
<eb:MessageId>{message_id}</eb:MessageId>
<eb:Timestamp>{stamp}</eb:Timestamp>
</eb:MessageData>
<eb:DuplicateElimination>always</eb:DuplicateElimination>
</eb:MessageHeader>
<eb:AckRequested SOAP:mustUnderstand="1" eb:version="2.0" eb:signed="false" SOAP:actor="urn:oasis:names:tc:ebxml-msg:actor:nextMSH"/>
</SOAP:Header>
<SOAP:Body>
<eb:Manifest SOAP:mustUnderstand="1" eb:version="2.0">
<eb:Reference xlink:href="cid:{payload_cid}">
<eb:Schema eb:location="http://www.nhsia.nhs.uk/schemas/HL7-Message.xsd" eb:version="2.0"/>
<eb:Description xml:lang="en">{action}</eb:Description>
<hl7ebxml:Payload style="HL7" encoding="XML" version="3.0"/>
</eb:Reference>
"#,
        from = plan.sender.ods,
        from_asid = &plan.sender.asid[6..],
        to = plan.receiver.ods,
        to_asid = &plan.receiver.asid[6..],
        cpa = &plan.ids.message[..8],
        conversation = plan.ids.conversation,
    );
    for r in references {
        let _ = write!(
            o,
            "<eb:Reference xlink:href=\"{}\" eb:id=\"_{}\">\n<eb:Description xml:lang=\"en-gb\">{}</eb:Description>\n</eb:Reference>\n",
            esc(&r.href),
            esc(&r.id),
            esc(&r.description)
        );
    }
    o.push_str("</eb:Manifest>\n</SOAP:Body>\n</SOAP:Envelope>\n");
    o
}

/// The HL7 document without a byte order mark (inside a container it is a part, not a file).
pub(crate) fn bare(hl7: &str) -> &str {
    hl7.strip_prefix('\u{feff}').unwrap_or(hl7)
}

/// The core message as raw HTTP + `multipart/related` MIME.
pub fn mime(plan: &RecordPlan, hl7: &str, attachments: &[Attachment]) -> Vec<u8> {
    let env = envelope(plan, attachments);
    mime_with(
        plan,
        plan.interaction.name(),
        &env,
        &payload_cid(plan),
        bare(hl7),
        attachments,
    )
}

/// Any message of the plan's conversation as MIME: envelope, payload and base64 attachments.
pub fn mime_with(
    plan: &RecordPlan,
    action: &str,
    envelope: &str,
    payload_cid: &str,
    payload: &str,
    attachments: &[Attachment],
) -> Vec<u8> {
    let boundary = "--=_MIME-Boundary";
    let start = if plan.style == Style::SystmOne {
        "soappart"
    } else {
        "ebXMLHeader@spine.nhs.uk"
    };
    let size: usize = attachments.iter().map(|a| a.bytes.len() * 4 / 3 + 256).sum();
    let mut o = String::with_capacity(envelope.len() + payload.len() + size + 1024);
    let _ = write!(
        o,
        "POST /reliablemessaging/intermediary HTTP/1.1\r\nSOAPAction: urn:nhs:names:services:gp2gp/{action}\r\nContent-Type: multipart/related; boundary=\"{boundary}\"; type=\"text/xml\"; start=\"<{start}>\"\r\n\r\n",
    );
    let _ = write!(
        o,
        "--{boundary}\r\nContent-Id: <{start}>\r\nContent-Type: text/xml; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{envelope}\r\n"
    );
    let _ = write!(
        o,
        "--{boundary}\r\nContent-Id: <{payload_cid}>\r\nContent-Type: application/xml; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{payload}\r\n"
    );
    for a in attachments {
        let _ = write!(
            o,
            "--{boundary}\r\nContent-Id: <{}>\r\nContent-Type: {}\r\nContent-Transfer-Encoding: base64\r\n\r\n",
            a.content_id, a.content_type
        );
        if a.base64 {
            // Already base64 (a fragment's slice).
            o.push_str(std::str::from_utf8(&a.bytes).unwrap_or_default());
            o.push_str("\r\n");
        } else {
            o.push_str(&files::base64_lines(&a.bytes));
        }
    }
    let _ = write!(o, "--{boundary}--\r\n");
    o.into_bytes()
}

/// The core message as the messaging adaptor's inbound JSON.
pub fn json(plan: &RecordPlan, hl7: &str, attachments: &[Attachment]) -> Vec<u8> {
    json_with(plan, &envelope(plan, attachments), bare(hl7), attachments, &[])
}

/// Any message of the plan's conversation as the adaptor's JSON; `external` are the `mid:`
/// references it names (listed in `external_attachments`).
pub fn json_with(
    plan: &RecordPlan,
    envelope: &str,
    payload: &str,
    attachments: &[Attachment],
    external: &[Reference],
) -> Vec<u8> {
    let items: Vec<serde_json::Value> = attachments
        .iter()
        .map(|a| {
            // PSS fixtures spell the flag as a string (Vision set), others as a boolean.
            let is_base64 = if plan.style == Style::Vision {
                serde_json::Value::from("true")
            } else {
                serde_json::Value::from(true)
            };
            let body = if a.base64 {
                String::from_utf8_lossy(&a.bytes).into_owned()
            } else {
                files::base64(&a.bytes)
            };
            serde_json::json!({
                "content_id": a.content_id,
                "content_type": a.content_type,
                "is_base64": is_base64,
                "description": description(Style::Emis, a),
                "payload": body,
            })
        })
        .collect();
    let external: Vec<serde_json::Value> = external
        .iter()
        .map(|r| {
            serde_json::json!({
                "message_id": r.href.trim_start_matches("mid:"),
                "document_id": format!("_{}", r.id),
                "title": r.description.split('"').nth(1).unwrap_or_default(),
                "description": r.description,
            })
        })
        .collect();
    let v = serde_json::json!({
        "ebXML": envelope,
        "payload": payload,
        "attachments": items,
        "external_attachments": external,
    });
    serde_json::to_vec(&v).unwrap_or_default()
}
