//! A whole message as read: container, ebXML header, HL7 wrapper, the interaction's body, the
//! attachments that travelled with it, counts and diagnostics.

use crate::analysis::{Allergy, Counts, Degrade, MedicationCourse, Problem, UnSnomed};
use crate::attachment::{ExternalAttachment, InlineAttachment};
use crate::diagnostic::Diagnostic;
use crate::ebxml::EbXml;
use crate::model::{Agent, Code, Composition, Document, Folder, Statement};
use crate::summary::{Interaction, Summary};
use crate::timestamp::Timestamp;

/// The physical form the message arrived in (format §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// HL7 XML on its own.
    BareXml,
    /// A SOAP/ebXML envelope on its own (no HL7 payload in the file).
    Envelope,
    /// A `multipart/related` MIME body (with or without HTTP headers).
    Mime,
    /// The messaging adaptor's JSON form `{ebXML, payload, attachments, external_attachments}`.
    MhsJson,
}

impl Container {
    pub fn code(self) -> &'static str {
        match self {
            Container::BareXml => "xml",
            Container::Envelope => "ebxml",
            Container::Mime => "mime",
            Container::MhsJson => "mhs_json",
        }
    }
}

/// The HL7 wrapper common to every interaction (format §4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wrapper {
    /// `id/@root`: the HL7 message id.
    pub message_id: Option<String>,
    pub creation_time: Option<Timestamp>,
    pub version_code: Option<String>,
    /// `interactionId/@extension`.
    pub interaction_id: Option<String>,
    /// `communicationFunctionSnd/device/id/@extension`.
    pub sender_asid: Option<String>,
    /// `communicationFunctionRcv/device/id/@extension`.
    pub receiver_asid: Option<String>,
}

/// The EhrExtract: the patient's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EhrExtract {
    pub id: Option<String>,
    pub status: Option<String>,
    pub availability_time: Option<Timestamp>,
    /// `recordTarget/patient/id/@extension` with the NHS number root.
    pub nhs_number: Option<String>,
    /// Every patient id as `root` / `extension`.
    pub patient_ids: Vec<(Option<String>, Option<String>)>,
    /// The losing practice (extract author).
    pub sending_ods: Option<String>,
    /// The gaining practice (extract destination).
    pub receiving_ods: Option<String>,
    pub author_time: Option<Timestamp>,
    /// `inFulfillmentOf/priorEhrRequest/id/@root`.
    pub request_id: Option<String>,
    pub folder: Option<Folder>,
    /// The agent directory.
    pub agents: Vec<Agent>,
    pub compositions: Vec<Composition>,
    /// Every statement, in document order (parents before children).
    pub statements: Vec<Statement>,
    pub documents: Vec<Document>,
    /// Medication courses (one per `ehrSupplyAuthorise`).
    pub courses: Vec<MedicationCourse>,
    /// Allergies: wrapper-rule allergies first, then possible allergies.
    pub allergies: Vec<Allergy>,
    /// LinkSet problems, references resolved.
    pub problems: Vec<Problem>,
    /// Statements carrying a transfer-degraded code.
    pub degrades: Vec<Degrade>,
    /// Coded statements with no SNOMED coding anywhere (and not degraded).
    pub no_snomed: Vec<UnSnomed>,
}

impl EhrExtract {
    /// The statement with this id (trimmed, case-insensitive), if any.
    pub fn statement_by_id(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.statements
            .iter()
            .position(|s| s.id.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case(id)))
    }

    /// The agent with this id (trimmed, case-insensitive), if any.
    pub fn agent_by_id(&self, id: &str) -> Option<&Agent> {
        let id = id.trim();
        self.agents
            .iter()
            .find(|a| a.id.as_deref().is_some_and(|a| a.trim().eq_ignore_ascii_case(id)))
    }
}

/// RCMR_IN010000UK05: the gaining practice's request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EhrRequest {
    pub id: Option<String>,
    pub nhs_number: Option<String>,
    /// The practice asking for the record (the request's author).
    pub requester_ods: Option<String>,
    /// The practice asked to send it (the request's destination).
    pub sender_ods: Option<String>,
}

/// `AA`, `AE` or `AR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckType {
    Accept,
    Error,
    Reject,
}

impl AckType {
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "AA" => Some(AckType::Accept),
            "AE" => Some(AckType::Error),
            "AR" => Some(AckType::Reject),
            _ => None,
        }
    }
}

/// Where a reason code was found in an acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReasonSource {
    /// `acknowledgement/acknowledgementDetail/code`.
    Detail,
    /// `ControlActEvent/reason/justifyingDetectedIssueEvent/code`.
    ControlActReason,
}

/// One reason code of an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckReason {
    pub source: ReasonSource,
    pub code: Code,
    /// `acknowledgementDetail/@typeCode` (`ER`, `AR`, `IF`) or the reason's `qualifier/value/@code`.
    pub qualifier: Option<String>,
}

/// MCCI_IN010000UK13 (also the acknowledgement inside a COPC continue).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acknowledgement {
    /// `acknowledgement/@typeCode` as sent.
    pub type_code: Option<String>,
    pub ack_type: Option<AckType>,
    /// `messageRef/id/@root`: the message acknowledged.
    pub message_ref: Option<String>,
    /// Reason codes from both places, in document order.
    pub reasons: Vec<AckReason>,
}

impl Acknowledgement {
    /// The reason codes (deduplicated, in order).
    pub fn reason_codes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.reasons {
            if let Some(c) = r.code.code.as_deref().map(str::trim) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// What a COPC_IN000001UK01 message is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommonContentRole {
    /// The requester's "continue" (an acknowledgement with detail code 0 inside).
    Continue,
    /// A fragment index: its manifest lists further fragments by `mid:`.
    FragmentIndex,
    /// A fragment or a whole external attachment (one slice of bytes).
    Fragment,
}

/// COPC_IN000001UK01: large-message part or continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonContent {
    pub role: CommonContentRole,
    /// `PayloadInformation/code/@code` (`GP2GPLMATTACHMENTINFO`, `GP2GP_PI`).
    pub payload_code: Option<String>,
    pub payload_id: Option<String>,
    /// `npfitlc:messageType/@extension`.
    pub message_type: Option<String>,
    pub fragment_version: Option<String>,
    /// `Gp2gpfragment/Recipients/Recipient`: addressee practice ODS codes.
    pub recipients: Vec<String>,
    /// `Gp2gpfragment/From`: the originating practice ODS.
    pub from: Option<String>,
    /// `Gp2gpfragment/subject` ("Attachment: name").
    pub subject: Option<String>,
    /// `Gp2gpfragment/message-id`.
    pub fragment_message_id: Option<String>,
    pub sequence_number: Option<String>,
    /// `pertinentPayloadBody/value/reference/@value`: the file name.
    pub file_reference: Option<String>,
    /// The acknowledgement inside a continue.
    pub acknowledgement: Option<Acknowledgement>,
}

/// Everything read from one message.
#[derive(Debug, Clone)]
pub struct Message {
    pub container: Container,
    pub interaction: Interaction,
    pub ebxml: Option<EbXml>,
    pub wrapper: Wrapper,
    pub extract: Option<EhrExtract>,
    pub request: Option<EhrRequest>,
    pub acknowledgement: Option<Acknowledgement>,
    pub common_content: Option<CommonContent>,
    /// Attachments carried in this message (MIME parts / JSON `attachments`), still transfer-encoded;
    /// open them with [`InlineAttachment::open`].
    pub attachments: Vec<InlineAttachment>,
    /// JSON `external_attachments` (sent later as their own COPC messages).
    pub external_attachments: Vec<ExternalAttachment>,
    /// The counts of the `parse` contract (all zero unless the message carries an EhrExtract).
    pub counts: Counts,
    pub diagnostics: Vec<Diagnostic>,
}

impl Message {
    /// `eb:ConversationId`, when the message came with an ebXML header.
    pub fn conversation_id(&self) -> Option<&str> {
        self.ebxml.as_ref().and_then(|e| e.conversation_id.as_deref())
    }

    /// The summary the inbox files the message by.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            message_id: self.wrapper.message_id.clone(),
            conversation_id: self.conversation_id().map(str::to_owned),
            ..Summary::new(self.interaction)
        };
        if let Some(x) = &self.extract {
            s.extract_id = x.id.clone();
            s.nhs_number = x.nhs_number.clone();
            s.sending_ods = x.sending_ods.clone();
            s.receiving_ods = x.receiving_ods.clone();
            s.sent_at = x.availability_time.as_ref().map(|t| t.raw.clone());
        } else if let Some(r) = &self.request {
            s.extract_id = r.id.clone();
            s.nhs_number = r.nhs_number.clone();
            s.sending_ods = r.requester_ods.clone();
            s.receiving_ods = r.sender_ods.clone();
        }
        if s.sent_at.is_none() {
            s.sent_at = self.wrapper.creation_time.as_ref().map(|t| t.raw.clone());
        }
        s
    }

    /// Absent-attachment placeholder files carried in this message (small text attachments that
    /// read as placeholders), with the attachment index.
    pub fn placeholders(&self) -> Vec<(usize, crate::attachment::Placeholder)> {
        self.attachments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.body.len() <= 64 * 1024)
            .filter_map(|(i, a)| {
                let bytes = a.decode().ok()?;
                crate::attachment::parse_placeholder(&String::from_utf8_lossy(&bytes)).map(|p| (i, p))
            })
            .collect()
    }

    /// The inline attachment a manifest `cid:` (or content id) names.
    pub fn attachment(&self, content_id: &str) -> Option<&InlineAttachment> {
        let want = crate::attachment::clean_id(content_id);
        self.attachments
            .iter()
            .find(|a| a.content_id.as_deref().map(crate::attachment::clean_id) == Some(want))
    }
}
