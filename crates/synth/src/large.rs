//! Large messages (format §15): attachments sent after the core as COPC_IN000001UK01 messages, each
//! large attachment as a fragment index naming its fragments by `mid:`, each fragment carrying one
//! slice of the attachment's base64 text.

use std::fmt::Write as _;

use crate::container::{bare, domain, json_with, mime_with, payload_cid, Attachment, Container, Reference};
use crate::files;
use crate::hl7::esc;
use crate::plan::RecordPlan;
use crate::rng::Rng;
use crate::{GeneratedFile, Outcome};

/// How a large message is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Base64 characters per fragment, at most (deliberately not a multiple of 4 by default: slices
    /// do not decode on their own, as in real traffic). Every attachment gets at least two.
    pub fragment_chars: usize,
    /// Leave out this fragment (counted over the whole message) to make an incomplete transfer.
    pub drop_fragment: Option<usize>,
}

impl Default for Split {
    fn default() -> Split {
        Split {
            fragment_chars: 1_001,
            drop_fragment: None,
        }
    }
}

/// The COPC HL7 payload for one large-message part.
pub fn copc_payload(plan: &RecordPlan, message_id: &str, file_name: &str) -> String {
    let mut o = String::with_capacity(3000);
    let created = plan.created.hl7();
    let file = esc(file_name);
    let _ = write!(
        o,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<COPC_IN000001UK01 xmlns="urn:hl7-org:v3" xmlns:npfitlc="NPFIT:HL7:Localisation">
<id root="{message_id}"/>
<creationTime value="{created}"/>
<versionCode code="V3NPfIT3.0"/>
<interactionId root="2.16.840.1.113883.2.1.3.2.4.12" extension="COPC_IN000001UK01"/>
<processingCode code="P"/>
<processingModeCode code="T"/>
<acceptAckCode code="NE"/>
<communicationFunctionRcv typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.0.107" extension="{rcv}"/></device></communicationFunctionRcv>
<communicationFunctionSnd typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.0.107" extension="{snd}"/></device></communicationFunctionSnd>
<ControlActEvent classCode="CACT" moodCode="EVN">
<author1 typeCode="AUT"><AgentSystemSDS classCode="AGNT"><agentSystemSDS classCode="DEV" determinerCode="INSTANCE"><id root="1.2.826.0.1285.0.2.0.107" extension="{snd}"/></agentSystemSDS></AgentSystemSDS></author1>
<subject typeCode="SUBJ" contextConductionInd="false">
<PayloadInformation classCode="OBS" moodCode="EVN">
<code code="GP2GPLMATTACHMENTINFO" codeSystem="2.16.840.1.113883.2.1.3.2.4.17.202" displayName="GP2GP Large Message Attachment Information"/>
<id root="{message_id}"/>
<npfitlc:messageType root="2.16.840.1.113883.2.1.3.2.4.18.17" extension="RCMR_MT000001GB01"/>
<value>
<Gp2gpfragment xmlns="urn:nhs:names:services:gp2gp">
<Version>01</Version>
<Recipients><Recipient>{to}</Recipient></Recipients>
<From>{from}</From>
<subject>Attachment: {file}</subject>
<message-id>{message_id}</message-id>
</Gp2gpfragment>
</value>
<pertinentInformation typeCode="PERT">
<sequenceNumber value="1"/>
<pertinentPayloadBody classCode="OBS" moodCode="EVN">
<code code="GP2GPLMATTACHMENT" codeSystem="2.16.840.1.113883.2.1.3.2.4.17.202" displayName="GP2GP Large Message Attachment"/>
<id root="{message_id}"/>
<value><reference value="{file}"/></value>
</pertinentPayloadBody>
</pertinentInformation>
</PayloadInformation>
</subject>
</ControlActEvent>
</COPC_IN000001UK01>
"#,
        rcv = plan.receiver.asid,
        snd = plan.sender.asid,
        to = plan.receiver.ods,
        from = plan.sender.ods,
    );
    o
}

#[allow(clippy::too_many_arguments)]
fn package(
    plan: &RecordPlan,
    container: Container,
    action: &str,
    envelope: &str,
    payload_cid: &str,
    payload: &str,
    attachments: &[Attachment],
    external: &[Reference],
) -> Vec<u8> {
    match container {
        Container::MhsJson => json_with(plan, envelope, payload, attachments, external),
        // A bare document cannot carry a manifest: large messages travel as MIME.
        Container::BareXml | Container::EbXmlMime => {
            mime_with(plan, action, envelope, payload_cid, payload, attachments)
        }
    }
}

/// The files of a large message: the core (placeholders inline, every real document by `mid:`),
/// then for each document its fragment index and fragments. The core awaits its attachments; the
/// parts are stored with it.
pub fn large_message(
    plan: &RecordPlan,
    hl7: &str,
    attachments: Vec<Attachment>,
    container: Container,
    split: Split,
    expected: crate::Expected,
) -> Vec<GeneratedFile> {
    let mut rng = Rng::new(plan.seed.derive(0x1A26E));
    let container = if container == Container::BareXml {
        Container::EbXmlMime
    } else {
        container
    };
    let ext = container.extension();
    let (inline, large): (Vec<Attachment>, Vec<Attachment>) = attachments
        .into_iter()
        .partition(|a| a.content_type == "text/plain" && a.file_name.starts_with("AbsentAttachment"));
    let mut core_refs = crate::container::inline_references(plan.style, &inline);
    let mut external = Vec::new();
    let mut parts = Vec::new();
    let mut fragment_no = 0usize;
    for a in &large {
        let index_mid = rng.guid();
        let r = Reference {
            href: format!("mid:{index_mid}"),
            id: a.document_id.clone(),
            description: format!(
                "Filename=\"{}\" ContentType={} Compressed=No LargeAttachment=Yes OriginalBase64=No Length={}",
                a.file_name,
                a.content_type,
                a.bytes.len()
            ),
        };
        core_refs.push(r.clone());
        external.push(r);
        let b64 = files::base64(&a.bytes);
        let mut index_refs = Vec::new();
        let mut fragments = Vec::new();
        // At least two fragments per attachment, however small the file.
        let chunk = split.fragment_chars.min(b64.len().div_ceil(2)).max(4);
        for (n, slice) in b64.as_bytes().chunks(chunk).enumerate() {
            let mid = rng.guid();
            let name = format!("{}_{n}.messageattachment", a.document_id);
            let frag = Attachment {
                content_id: format!("{mid}@{}", domain(plan.style)),
                document_id: mid.clone(),
                file_name: name.clone(),
                content_type: a.content_type,
                bytes: slice.to_vec(),
                base64: true,
            };
            index_refs.push(Reference {
                href: format!("mid:{mid}"),
                id: mid.clone(),
                description: format!(
                    "Filename=\"{name}\" ContentType={} Compressed=No LargeAttachment=Yes OriginalBase64=No Length={}",
                    a.content_type,
                    slice.len()
                ),
            });
            let dropped = split.drop_fragment == Some(fragment_no);
            fragment_no += 1;
            if dropped {
                continue;
            }
            let refs = crate::container::inline_references(plan.style, std::slice::from_ref(&frag));
            let cid = format!("{mid}-payload@{}", domain(plan.style));
            let env = crate::container::envelope_with(plan, "COPC_IN000001UK01", &mid, &cid, &refs);
            let payload = copc_payload(plan, &mid, &name);
            fragments.push(GeneratedFile {
                name: format!("{}_{mid}_fragment.{ext}", plan.patient.nhs_number),
                bytes: package(
                    plan,
                    container,
                    "COPC_IN000001UK01",
                    &env,
                    &cid,
                    &payload,
                    &[frag],
                    &[],
                ),
                expected: None,
                outcome: Outcome::Stored,
            });
        }
        let cid = format!("{index_mid}-payload@{}", domain(plan.style));
        let env = crate::container::envelope_with(plan, "COPC_IN000001UK01", &index_mid, &cid, &index_refs);
        let payload = copc_payload(plan, &index_mid, &a.file_name);
        // The index comes before its fragments.
        parts.push(GeneratedFile {
            name: format!("{}_{index_mid}_index.{ext}", plan.patient.nhs_number),
            bytes: package(
                plan,
                container,
                "COPC_IN000001UK01",
                &env,
                &cid,
                &payload,
                &[],
                &index_refs,
            ),
            expected: None,
            outcome: Outcome::Stored,
        });
        parts.extend(fragments);
    }
    let env = crate::container::envelope_with(
        plan,
        plan.interaction.name(),
        &plan.ids.message,
        &payload_cid(plan),
        &core_refs,
    );
    let core = GeneratedFile {
        name: format!("{}_{}_core.{ext}", plan.patient.nhs_number, plan.ids.extract),
        bytes: package(
            plan,
            container,
            plan.interaction.name(),
            &env,
            &payload_cid(plan),
            bare(hl7),
            &inline,
            &external,
        ),
        expected: Some(expected),
        outcome: if large.is_empty() {
            Outcome::Stored
        } else {
            Outcome::AwaitingAttachments
        },
    };
    let mut out = vec![core];
    out.extend(parts);
    out
}
