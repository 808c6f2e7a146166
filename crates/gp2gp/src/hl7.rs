//! The streaming HL7 reader: one pass of quick-xml events over the payload, dispatching on
//! (namespace, local name) and the path relative to the innermost open object (statement, supply,
//! document, coding...). The path is a stack of small enums; nothing is allocated per event except
//! the values kept.

use quick_xml::events::Event;
use quick_xml::name::{Namespace, NamespaceError, NamespaceResolver, ResolveResult};
use quick_xml::Reader;

use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::Limits;
use crate::message::{
    AckReason, AckType, Acknowledgement, CommonContent, CommonContentRole, EhrExtract, EhrRequest,
    ReasonSource, Wrapper,
};
use crate::model::{
    Agent, AgentKind, Code, Coding, Composition, Document, Folder, Interval, Location, Participation,
    PersonName, Qualifier, Quantity, ReferenceRange, Statement, StatementKind, Supply, SupplyKind, Value,
};
use crate::summary::Interaction;
use crate::timestamp::Timestamp;
use crate::xml::{is_known_ref, may_declare_namespace, push_text, Attrs, Key, HL7_NS};
use crate::ReadError;

const GP2GP_NS: &str = "urn:nhs:names:services:gp2gp";
const NPFIT_LC_NS: &str = "NPFIT:HL7:Localisation";
const NHS_NUMBER_OID: &str = "2.16.840.1.113883.2.1.4.1";
const PRACTITIONER_OID: &str = "2.16.840.1.113883.2.1.4.2";

/// Element names the reader cares about; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    Other,
    Foreign,
    // roots / wrapper
    EhrExtract,
    EhrRequest,
    PayloadInformation,
    Id,
    CreationTime,
    VersionCode,
    InteractionId,
    CommunicationFunctionRcv,
    CommunicationFunctionSnd,
    Device,
    ControlActEvent,
    Subject,
    Acknowledgement,
    AcknowledgementDetail,
    MessageRef,
    Reason,
    JustifyingDetectedIssueEvent,
    // extract
    RecordTarget,
    Patient,
    Author,
    Time,
    AgentOrgSds,
    AgentOrganizationSds,
    Destination,
    Component,
    EhrFolder,
    StatusCode,
    EffectiveTime,
    Low,
    High,
    Center,
    AvailabilityTime,
    ResponsibleParty,
    AgentDirectory,
    Part,
    Agent,
    AgentPerson,
    Name,
    Prefix,
    Given,
    Family,
    RepresentedOrganization,
    AgentOrganization,
    AgentDevice,
    SoftwareName,
    EhrComposition,
    ConfidentialityCode,
    AgentRef,
    Location,
    LocatedEntity,
    LocatedPlace,
    Participant,
    Participant2,
    ReplacementOf,
    PriorCompositionRef,
    PriorStatementRef,
    InFulfillmentOf,
    PriorEhrRequest,
    // statements
    CompoundStatement,
    EhrEmpty,
    LinkSet,
    MedicationStatement,
    NarrativeStatement,
    ObservationStatement,
    PlanStatement,
    RegistrationStatement,
    RequestStatement,
    Code,
    Translation,
    OriginalText,
    Qualifier,
    Value,
    InterpretationCode,
    ReferenceRange,
    ReferenceInterpretationRange,
    Text,
    PertinentInformation,
    PertinentAnnotation,
    PriorityCode,
    UncertaintyCode,
    Reference,
    ReferredToExternalDocument,
    JustifyingStatementRef,
    PersonalRelationship,
    ConditionNamed,
    NamedStatementRef,
    StatementRef,
    SequenceNumber,
    // medication
    Consumable,
    ManufacturedProduct,
    ManufacturedMaterial,
    PertinentMedicationDosage,
    EhrSupplyAuthorise,
    EhrSupplyPrescribe,
    EhrSupplyDiscontinue,
    EhrSupplyDispense,
    RepeatNumber,
    Quantity,
    Predecessor,
    PriorMedicationRef,
    ReversalOf,
    PertinentSupplyAnnotation,
    // COPC
    Gp2gpFragment,
    Version,
    Recipients,
    Recipient,
    From,
    FragmentMessageId,
    MessageType,
    PertinentPayloadBody,
}

/// The element an HL7-namespace local name stands for. Dispatches on the length first, so a name is
/// compared with the few known names of its length only.
fn hl7_el(local: &str) -> El {
    match local.len() {
        2 => match local {
            "id" => El::Id,
            _ => El::Other,
        },
        3 => match local {
            "low" => El::Low,
            _ => El::Other,
        },
        4 => match local {
            "time" => El::Time,
            "high" => El::High,
            "part" => El::Part,
            "name" => El::Name,
            "code" => El::Code,
            "text" => El::Text,
            _ => El::Other,
        },
        5 => match local {
            "Agent" => El::Agent,
            "given" => El::Given,
            "value" => El::Value,
            _ => El::Other,
        },
        6 => match local {
            "device" => El::Device,
            "reason" => El::Reason,
            "author" => El::Author,
            "center" => El::Center,
            "prefix" => El::Prefix,
            "family" => El::Family,
            _ => El::Other,
        },
        7 => match local {
            "subject" => El::Subject,
            "patient" => El::Patient,
            "LinkSet" => El::LinkSet,
            _ => El::Other,
        },
        8 => match local {
            "agentRef" => El::AgentRef,
            "location" => El::Location,
            "EhrEmpty" => El::EhrEmpty,
            "quantity" => El::Quantity,
            _ => El::Other,
        },
        9 => match local {
            "component" => El::Component,
            "ehrFolder" => El::EhrFolder,
            "qualifier" => El::Qualifier,
            "reference" => El::Reference,
            _ => El::Other,
        },
        10 => match local {
            "EhrExtract" => El::EhrExtract,
            "EhrRequest" => El::EhrRequest,
            "messageRef" => El::MessageRef,
            "statusCode" => El::StatusCode,
            "consumable" => El::Consumable,
            "reversalOf" => El::ReversalOf,
            _ => El::Other,
        },
        11 => match local {
            "versionCode" => El::VersionCode,
            "AgentOrgSDS" => El::AgentOrgSds,
            "destination" => El::Destination,
            "agentPerson" => El::AgentPerson,
            "agentDevice" => El::AgentDevice,
            "Participant" => El::Participant,
            "translation" => El::Translation,
            "predecessor" => El::Predecessor,
            _ => El::Other,
        },
        12 => match local {
            "creationTime" => El::CreationTime,
            "recordTarget" => El::RecordTarget,
            "softwareName" => El::SoftwareName,
            "locatedPlace" => El::LocatedPlace,
            "Participant2" => El::Participant2,
            "originalText" => El::OriginalText,
            "priorityCode" => El::PriorityCode,
            "statementRef" => El::StatementRef,
            "repeatNumber" => El::RepeatNumber,
            _ => El::Other,
        },
        13 => match local {
            "interactionId" => El::InteractionId,
            "effectiveTime" => El::EffectiveTime,
            "locatedEntity" => El::LocatedEntity,
            "replacementOf" => El::ReplacementOf,
            "PlanStatement" => El::PlanStatement,
            // Tolerated in the HL7 namespace too (some COPC senders omit the gp2gp namespace).
            "Gp2gpfragment" => El::Gp2gpFragment,
            _ => El::Other,
        },
        14 => match local {
            "agentDirectory" => El::AgentDirectory,
            "ehrComposition" => El::EhrComposition,
            "referenceRange" => El::ReferenceRange,
            "conditionNamed" => El::ConditionNamed,
            "sequenceNumber" => El::SequenceNumber,
            _ => El::Other,
        },
        15 => match local {
            "ControlActEvent" => El::ControlActEvent,
            "acknowledgement" => El::Acknowledgement,
            "inFulfillmentOf" => El::InFulfillmentOf,
            "priorEhrRequest" => El::PriorEhrRequest,
            "uncertaintyCode" => El::UncertaintyCode,
            _ => El::Other,
        },
        16 => match local {
            "availabilityTime" => El::AvailabilityTime,
            "responsibleParty" => El::ResponsibleParty,
            "RequestStatement" => El::RequestStatement,
            _ => El::Other,
        },
        17 => match local {
            "agentOrganization" => El::AgentOrganization,
            "priorStatementRef" => El::PriorStatementRef,
            "CompoundStatement" => El::CompoundStatement,
            "namedStatementRef" => El::NamedStatementRef,
            "ehrSupplyDispense" => El::EhrSupplyDispense,
            _ => El::Other,
        },
        18 => match local {
            "PayloadInformation" => El::PayloadInformation,
            "NarrativeStatement" => El::NarrativeStatement,
            "interpretationCode" => El::InterpretationCode,
            "ehrSupplyAuthorise" => El::EhrSupplyAuthorise,
            "ehrSupplyPrescribe" => El::EhrSupplyPrescribe,
            "priorMedicationRef" => El::PriorMedicationRef,
            _ => El::Other,
        },
        19 => match local {
            "confidentialityCode" => El::ConfidentialityCode,
            "priorCompositionRef" => El::PriorCompositionRef,
            "MedicationStatement" => El::MedicationStatement,
            "pertinentAnnotation" => El::PertinentAnnotation,
            "manufacturedProduct" => El::ManufacturedProduct,
            _ => El::Other,
        },
        20 => match local {
            "agentOrganizationSDS" => El::AgentOrganizationSds,
            "ObservationStatement" => El::ObservationStatement,
            "pertinentInformation" => El::PertinentInformation,
            "personalRelationship" => El::PersonalRelationship,
            "manufacturedMaterial" => El::ManufacturedMaterial,
            "ehrSupplyDiscontinue" => El::EhrSupplyDiscontinue,
            "pertinentPayloadBody" => El::PertinentPayloadBody,
            _ => El::Other,
        },
        21 => match local {
            "acknowledgementDetail" => El::AcknowledgementDetail,
            "RegistrationStatement" => El::RegistrationStatement,
            _ => El::Other,
        },
        22 => match local {
            "justifyingStatementRef" => El::JustifyingStatementRef,
            _ => El::Other,
        },
        23 => match local {
            "representedOrganization" => El::RepresentedOrganization,
            _ => El::Other,
        },
        24 => match local {
            "communicationFunctionRcv" => El::CommunicationFunctionRcv,
            "communicationFunctionSnd" => El::CommunicationFunctionSnd,
            _ => El::Other,
        },
        25 => match local {
            "pertinentMedicationDosage" => El::PertinentMedicationDosage,
            "pertinentSupplyAnnotation" => El::PertinentSupplyAnnotation,
            _ => El::Other,
        },
        26 => match local {
            "referredToExternalDocument" => El::ReferredToExternalDocument,
            _ => El::Other,
        },
        28 => match local {
            "justifyingDetectedIssueEvent" => El::JustifyingDetectedIssueEvent,
            "referenceInterpretationRange" => El::ReferenceInterpretationRange,
            _ => El::Other,
        },
        _ => El::Other,
    }
}

fn gp2gp_el(local: &str) -> El {
    match local {
        "Gp2gpfragment" => El::Gp2gpFragment,
        "Version" => El::Version,
        "Recipients" => El::Recipients,
        "Recipient" => El::Recipient,
        "From" => El::From,
        "subject" => El::Subject,
        "message-id" => El::FragmentMessageId,
        _ => El::Other,
    }
}

fn statement_kind(el: El) -> Option<StatementKind> {
    Some(match el {
        El::ObservationStatement => StatementKind::Observation,
        El::NarrativeStatement => StatementKind::Narrative,
        El::PlanStatement => StatementKind::Plan,
        El::RequestStatement => StatementKind::Request,
        El::RegistrationStatement => StatementKind::Registration,
        El::CompoundStatement => StatementKind::Compound,
        El::MedicationStatement => StatementKind::Medication,
        El::LinkSet => StatementKind::LinkSet,
        El::EhrEmpty => StatementKind::EhrEmpty,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CodingTarget {
    StmtCode,
    StmtPriority,
    StmtInterpretation,
    StmtValue,
    StmtRelationship,
    Drug,
    SupplyCode,
    DocCode,
    CompCode,
    LocationCode,
    AgentRole,
    AckDetail,
    AckReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextTarget {
    OriginalText,
    StmtText,
    ValueText,
    ValueUnitText,
    RangeText,
    Annotation,
    Dosage,
    SupplyAnnotation,
    SupplyUnitText,
    Prefix,
    Given,
    Family,
    OrgName,
    SoftwareName,
    LocationName,
    FragVersion,
    FragRecipient,
    FragFrom,
    FragSubject,
    FragMessageId,
}

/// What the HL7 pass produced.
pub(crate) struct Hl7 {
    pub interaction: Interaction,
    pub wrapper: Wrapper,
    pub extract: Option<EhrExtract>,
    pub request: Option<EhrRequest>,
    pub acknowledgement: Option<Acknowledgement>,
    pub common_content: Option<CommonContent>,
}

struct State {
    path: Vec<El>,
    interaction: Option<Interaction>,
    wrapper: Wrapper,
    extract: Option<EhrExtract>,
    request: Option<EhrRequest>,
    ack: Option<Acknowledgement>,
    copc: Option<CommonContent>,
    extract_at: Option<usize>,
    folder_at: Option<usize>,
    agent_at: Option<usize>,
    comp_at: Option<usize>,
    stmts: Vec<(usize, usize)>,
    supply_at: Option<usize>,
    doc_at: Option<usize>,
    value_at: Option<usize>,
    request_at: Option<usize>,
    ack_at: Option<usize>,
    ack_nested: bool,
    copc_at: Option<usize>,
    coding: Option<(usize, CodingTarget, Coding)>,
    capture: Option<(usize, TextTarget)>,
    text: String,
    text_run: usize,
    detail_type: Option<String>,
    open_participant: Option<usize>,
    unknown_entity: bool,
}

fn is_hl7_ns(ns: &ResolveResult<'_>) -> bool {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => *uri == HL7_NS,
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(_) => false,
    }
}

fn ts_attr(e: &mut Attrs<'_>) -> Option<Timestamp> {
    if let Some(v) = e.get(Key::Value) {
        return Some(Timestamp::parse(&v));
    }
    // `<time nullFlavor="20131025165328"/>`: a timestamp in the wrong attribute.
    e.get(Key::NullFlavor)
        .filter(|v| v.len() >= 8 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(|v| Timestamp::parse(&v))
}

fn code_attrs(e: &mut Attrs<'_>) -> Code {
    Code {
        code: e.string(Key::Code),
        code_system: e.string(Key::CodeSystem),
        display_name: e.string(Key::DisplayName),
    }
}

fn coding_from(e: &mut Attrs<'_>) -> Coding {
    Coding {
        main: code_attrs(e),
        null_flavor: e.string(Key::NullFlavor),
        ..Coding::default()
    }
}

fn quantity_from(e: &mut Attrs<'_>) -> Quantity {
    Quantity {
        value: e.string(Key::Value),
        unit: e.string(Key::Unit),
        unit_text: None,
    }
}

fn set_interval(iv: &mut Option<Interval>, el: El, e: &mut Attrs<'_>) {
    let iv = iv.get_or_insert_with(Interval::default);
    let t = ts_attr(e);
    match el {
        El::Low => iv.low = t,
        El::High => iv.high = t,
        El::Center => iv.center = t,
        _ => {}
    }
}

fn first_ts(slot: &mut Option<Timestamp>, e: &mut Attrs<'_>) {
    if slot.is_none() {
        *slot = ts_attr(e);
    }
}

/// Keeps the first non-blank value, trimmed (one allocation, none when the slot is taken).
fn first<S: AsRef<str>>(slot: &mut Option<String>, v: Option<S>) {
    if slot.is_none() {
        if let Some(v) = v {
            let t = v.as_ref().trim();
            if !t.is_empty() {
                *slot = Some(t.to_owned());
            }
        }
    }
}

impl State {
    fn new() -> Self {
        State {
            path: Vec::with_capacity(64),
            interaction: None,
            wrapper: Wrapper::default(),
            extract: None,
            request: None,
            ack: None,
            copc: None,
            extract_at: None,
            folder_at: None,
            agent_at: None,
            comp_at: None,
            stmts: Vec::with_capacity(16),
            supply_at: None,
            doc_at: None,
            value_at: None,
            request_at: None,
            ack_at: None,
            ack_nested: false,
            copc_at: None,
            coding: None,
            capture: None,
            text: String::new(),
            text_run: 0,
            detail_type: None,
            open_participant: None,
            unknown_entity: false,
        }
    }

    fn capture(&mut self, d: usize, target: TextTarget) {
        self.capture = Some((d, target));
        self.text.clear();
    }

    fn stmt(&mut self) -> Option<&mut Statement> {
        let (_, i) = *self.stmts.last()?;
        self.extract.as_mut()?.statements.get_mut(i)
    }

    fn supply(&mut self) -> Option<&mut Supply> {
        self.stmt()?.medication.as_mut()?.supplies.last_mut()
    }

    fn doc(&mut self) -> Option<&mut Document> {
        self.extract.as_mut()?.documents.last_mut()
    }

    fn comp(&mut self) -> Option<&mut Composition> {
        self.extract.as_mut()?.compositions.last_mut()
    }

    fn agent(&mut self) -> Option<&mut Agent> {
        self.extract.as_mut()?.agents.last_mut()
    }

    fn head_readable(&self) -> bool {
        match &self.extract {
            Some(x) => x.id.is_some() || !x.compositions.is_empty() || x.folder.is_some(),
            None => self.wrapper.message_id.is_some() || self.interaction.is_some_and(|i| !i.is_extract()),
        }
    }

    fn start(&mut self, e: &mut Attrs<'_>, el: El) {
        let d = self.path.len() - 1;
        if let Some((cd, _, _)) = &self.coding {
            let cd = *cd;
            if d > cd {
                self.coding_child(e, el, cd, d);
                return;
            }
        }
        // A statement may open inside a composition or inside another statement.
        if let Some(kind) = statement_kind(el) {
            if self.extract_at.is_some() && self.supply_at.is_none() && self.doc_at.is_none() {
                self.start_statement(e, kind, d);
                return;
            }
        }
        if el == El::Acknowledgement && self.extract_at.is_none() && self.ack_at.is_none() {
            self.ack_at = Some(d);
            self.ack_nested = self.copc_at.is_some();
            let type_code = e.string(Key::TypeCode);
            let ack = Acknowledgement {
                ack_type: type_code.as_deref().and_then(AckType::parse),
                type_code,
                ..Acknowledgement::default()
            };
            if self.ack_nested {
                if let Some(c) = self.copc.as_mut() {
                    c.acknowledgement = Some(ack);
                }
            } else {
                self.ack = Some(ack);
            }
            return;
        }
        if let Some(at) = self.doc_at {
            self.doc_child(e, at, d);
        } else if let Some(at) = self.supply_at {
            self.supply_child(e, at, d);
        } else if let Some(&(at, _)) = self.stmts.last() {
            self.stmt_child(e, el, at, d);
        } else if let Some(at) = self.comp_at {
            self.comp_child(e, at, d);
        } else if let Some(at) = self.agent_at {
            self.agent_child(e, at, d);
        } else if let Some(at) = self.folder_at {
            self.folder_child(e, el, at, d);
        } else if let Some(at) = self.extract_at {
            self.extract_child(e, el, at, d);
        } else if el == El::EhrExtract {
            self.extract_at = Some(d);
            self.extract.get_or_insert_with(EhrExtract::default);
        } else if let Some(at) = self.request_at {
            self.request_child(e, at, d);
        } else if el == El::EhrRequest {
            self.request_at = Some(d);
            self.request.get_or_insert_with(EhrRequest::default);
        } else if let Some(at) = self.ack_at {
            self.ack_child(e, at, d);
        } else if let Some(at) = self.copc_at {
            self.copc_child(e, at, d);
        } else if el == El::PayloadInformation {
            self.copc_at = Some(d);
            if self.copc.is_none() {
                self.copc = Some(CommonContent {
                    role: CommonContentRole::Fragment,
                    payload_code: None,
                    payload_id: None,
                    message_type: None,
                    fragment_version: None,
                    recipients: Vec::new(),
                    from: None,
                    subject: None,
                    fragment_message_id: None,
                    sequence_number: None,
                    file_reference: None,
                    acknowledgement: None,
                });
            }
        } else {
            self.wrapper_child(e, el, d);
        }
    }

    fn wrapper_child(&mut self, e: &mut Attrs<'_>, el: El, d: usize) {
        let rel = &self.path[1..=d];
        match rel {
            [El::Id] => first(&mut self.wrapper.message_id, e.get(Key::Root)),
            [El::CreationTime] => first_ts(&mut self.wrapper.creation_time, e),
            [El::VersionCode] => first(&mut self.wrapper.version_code, e.get(Key::Code)),
            [El::InteractionId] => first(&mut self.wrapper.interaction_id, e.get(Key::Extension)),
            [El::CommunicationFunctionRcv, El::Device, El::Id] => {
                first(&mut self.wrapper.receiver_asid, e.get(Key::Extension))
            }
            [El::CommunicationFunctionSnd, El::Device, El::Id] => {
                first(&mut self.wrapper.sender_asid, e.get(Key::Extension))
            }
            [.., El::Reason, El::JustifyingDetectedIssueEvent, El::Code] if el == El::Code => {
                self.coding = Some((d, CodingTarget::AckReason, coding_from(e)));
            }
            _ => {}
        }
    }

    fn coding_child(&mut self, e: &mut Attrs<'_>, el: El, cd: usize, d: usize) {
        let depth = d - cd;
        if (depth, el) == (1, El::OriginalText) {
            self.capture(d, TextTarget::OriginalText);
            return;
        }
        let in_qualifier = depth == 2 && self.path[d - 1] == El::Qualifier;
        let Some((_, _, coding)) = self.coding.as_mut() else {
            return;
        };
        match (depth, el) {
            (1, El::Translation) => coding.translations.push(code_attrs(e)),
            (1, El::Qualifier) => coding.qualifiers.push(Qualifier {
                inverted: e.string(Key::Inverted),
                ..Qualifier::default()
            }),
            (2, El::Name) if in_qualifier => {
                if let Some(q) = coding.qualifiers.last_mut() {
                    q.name = Some(code_attrs(e));
                }
            }
            (2, El::Value) if in_qualifier => {
                if let Some(q) = coding.qualifiers.last_mut() {
                    q.value = Some(code_attrs(e));
                }
            }
            _ => {}
        }
    }

    fn extract_child(&mut self, e: &mut Attrs<'_>, el: El, at: usize, d: usize) {
        if el == El::EhrComposition {
            self.start_composition(e, d);
            return;
        }
        let Some(x) = self.extract.as_mut() else { return };
        match &self.path[at + 1..=d] {
            [El::Component, El::EhrFolder] => {
                self.folder_at = Some(d);
                if x.folder.is_none() {
                    x.folder = Some(Folder::default());
                }
            }
            [El::Id] => first(&mut x.id, e.get(Key::Root)),
            [El::StatusCode] => first(&mut x.status, e.get(Key::Code)),
            [El::AvailabilityTime] => first_ts(&mut x.availability_time, e),
            [El::RecordTarget, El::Patient, El::Id] => {
                let root = e.string(Key::Root);
                let ext = e.string(Key::Extension);
                if root.as_deref().map(str::trim) == Some(NHS_NUMBER_OID) {
                    first(&mut x.nhs_number, ext.clone());
                }
                x.patient_ids.push((root, ext));
            }
            [El::Author, El::Time] => first_ts(&mut x.author_time, e),
            [El::Author, El::AgentOrgSds, El::AgentOrganizationSds, El::Id] => {
                first(&mut x.sending_ods, e.get(Key::Extension))
            }
            [El::Destination, El::AgentOrgSds, El::AgentOrganizationSds, El::Id] => {
                first(&mut x.receiving_ods, e.get(Key::Extension))
            }
            [El::InFulfillmentOf, El::PriorEhrRequest, El::Id] => first(&mut x.request_id, e.get(Key::Root)),
            _ => {}
        }
    }

    fn folder_child(&mut self, e: &mut Attrs<'_>, el: El, at: usize, d: usize) {
        if el == El::EhrComposition {
            self.start_composition(e, d);
            return;
        }
        let Some(x) = self.extract.as_mut() else { return };
        let rel = &self.path[at + 1..=d];
        if let [El::ResponsibleParty, El::AgentDirectory, El::Part, El::Agent] = rel {
            self.agent_at = Some(d);
            x.agents.push(Agent::default());
            return;
        }
        let Some(f) = x.folder.as_mut() else { return };
        match rel {
            [El::Id] => first(&mut f.id, e.get(Key::Root)),
            [El::StatusCode] => first(&mut f.status, e.get(Key::Code)),
            [El::EffectiveTime, part @ (El::Low | El::High | El::Center)] => {
                set_interval(&mut f.effective_time, *part, e)
            }
            [El::AvailabilityTime] => first_ts(&mut f.availability_time, e),
            [El::Author, El::Time] => first_ts(&mut f.author_time, e),
            [El::Author, El::AgentOrgSds, El::AgentOrganizationSds, El::Id] => {
                first(&mut f.author_ods, e.get(Key::Extension))
            }
            _ => {}
        }
    }

    fn agent_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        let Some(a) = self.agent() else { return };
        match (rel_len, parent, el) {
            (1, _, El::Id) => {
                if e.get(Key::Root).as_deref().map(str::trim) == Some(PRACTITIONER_OID) {
                    first(&mut a.practitioner_code, e.get(Key::Extension));
                } else {
                    first(&mut a.id, e.get(Key::Root));
                }
            }
            (1, _, El::Code) => self.coding = Some((d, CodingTarget::AgentRole, coding_from(e))),
            (1, _, El::AgentPerson) => a.kind = AgentKind::Person,
            (1, _, El::AgentOrganization) => a.kind = AgentKind::Organisation,
            (1, _, El::AgentDevice) => a.kind = AgentKind::Device,
            (3, El::Name, El::Prefix) => self.capture(d, TextTarget::Prefix),
            (3, El::Name, El::Given) => self.capture(d, TextTarget::Given),
            (3, El::Name, El::Family) => self.capture(d, TextTarget::Family),
            (2, El::AgentOrganization | El::RepresentedOrganization, El::Id) => {
                first(&mut a.organisation_ods, e.get(Key::Extension))
            }
            (2, El::AgentOrganization | El::RepresentedOrganization, El::Name) => {
                self.capture(d, TextTarget::OrgName)
            }
            (2, El::AgentDevice, El::SoftwareName) => self.capture(d, TextTarget::SoftwareName),
            _ => {}
        }
    }

    fn start_composition(&mut self, e: &mut Attrs<'_>, d: usize) {
        let _ = e;
        if let Some(x) = self.extract.as_mut() {
            x.compositions.push(Composition::default());
            self.comp_at = Some(d);
        }
    }

    fn comp_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        let grand = if rel_len >= 2 { self.path[d - 2] } else { El::Other };
        let open = self.open_participant;
        let Some(c) = self.comp() else { return };
        match (rel_len, el) {
            (1, El::Id) => first(&mut c.id, e.get(Key::Root)),
            (1, El::Code) => self.coding = Some((d, CodingTarget::CompCode, coding_from(e))),
            (1, El::StatusCode) => first(&mut c.status, e.get(Key::Code)),
            (2, El::Low | El::High | El::Center) if parent == El::EffectiveTime => {
                set_interval(&mut c.effective_time, el, e)
            }
            (1, El::EffectiveTime) => {
                if let Some(t) = ts_attr(e) {
                    c.effective_time.get_or_insert_with(Interval::default).value = Some(t);
                }
            }
            (1, El::AvailabilityTime) => first_ts(&mut c.availability_time, e),
            (1, El::ConfidentialityCode) => {
                let code = code_attrs(e);
                c.nopat |= code.code.as_deref().map(str::trim) == Some("NOPAT");
                c.confidentiality = Some(code);
            }
            (2, El::Time) if parent == El::Author => first_ts(&mut c.author_time, e),
            (3, El::Id) if parent == El::AgentRef && grand == El::Author && c.author.is_none() => {
                c.author = Some(Participation {
                    type_code: Some("AUT".into()),
                    agent_id: e.string(Key::Root),
                    agent: None,
                });
            }
            (3, El::Code) if parent == El::LocatedEntity => {
                c.location.get_or_insert_with(Location::default);
                self.coding = Some((d, CodingTarget::LocationCode, coding_from(e)));
            }
            (4, El::Name) if parent == El::LocatedPlace => {
                c.location.get_or_insert_with(Location::default);
                self.capture(d, TextTarget::LocationName);
            }
            (1, El::Participant2) => {
                if !e.has(Key::NullFlavor) {
                    c.participants.push(Participation {
                        type_code: e.string(Key::TypeCode),
                        agent_id: None,
                        agent: None,
                    });
                    self.open_participant = Some(c.participants.len() - 1);
                } else {
                    self.open_participant = None;
                }
            }
            (3, El::Id) if parent == El::AgentRef && grand == El::Participant2 => {
                if let Some(p) = open.and_then(|i| c.participants.get_mut(i)) {
                    first(&mut p.agent_id, e.get(Key::Root));
                }
            }
            (3, El::Id) if parent == El::PriorCompositionRef => first(&mut c.replaces, e.get(Key::Root)),
            _ => {}
        }
    }

    fn start_statement(&mut self, e: &mut Attrs<'_>, kind: StatementKind, d: usize) {
        let parent = self.stmts.last().map(|&(_, i)| i);
        let Some(x) = self.extract.as_mut() else { return };
        let mut s = Statement::new(kind);
        s.class_code = e.string(Key::ClassCode);
        s.mood_code = e.string(Key::MoodCode);
        s.parent = parent;
        s.composition = self.comp_at.map(|_| x.compositions.len().saturating_sub(1));
        let idx = x.statements.len();
        x.statements.push(s);
        match parent {
            Some(p) => {
                if let Some(ps) = x.statements.get_mut(p) {
                    ps.children.push(idx);
                }
            }
            None => {
                if self.comp_at.is_some() {
                    if let Some(c) = x.compositions.last_mut() {
                        c.statements.push(idx);
                    }
                }
            }
        }
        self.stmts.push((d, idx));
    }

    fn stmt_child(&mut self, e: &mut Attrs<'_>, el: El, at: usize, d: usize) {
        let rel_len = d - at;
        let parent = self.path[d - 1];
        let grand = if rel_len >= 2 { self.path[d - 2] } else { El::Other };
        let great = if rel_len >= 3 { self.path[d - 3] } else { El::Other };
        let open = self.open_participant;
        // Children of a PQ / IVL_PQ value.
        if let Some(va) = self.value_at {
            if d > va {
                let depth = d - va;
                let Some(s) = self.stmt() else { return };
                match (depth, el, &mut s.value) {
                    (1, El::Low | El::High, v) => {
                        let q = quantity_from(e);
                        let (mut low, mut high) = match v.take() {
                            Some(Value::Range { low, high }) => (low, high),
                            _ => (None, None),
                        };
                        if el == El::Low {
                            low = Some(q);
                        } else {
                            high = Some(q);
                        }
                        *v = Some(Value::Range { low, high });
                        if matches!(self.capture, Some((_, TextTarget::ValueText))) {
                            self.capture = None;
                        }
                    }
                    (2, El::OriginalText, Some(Value::Quantity(_))) if parent == El::Translation => {
                        self.capture(d, TextTarget::ValueUnitText)
                    }
                    _ => {}
                }
                return;
            }
        }
        let Some(s) = self.stmt() else { return };
        match (rel_len, el) {
            (1, El::Id) => {
                if s.id.is_none() {
                    first(&mut s.id, e.get(Key::Root));
                } else {
                    let root = e.get(Key::Root).unwrap_or_default();
                    let id = match e.get(Key::Extension) {
                        Some(ext) => [&*root, "/", &*ext].concat(),
                        None => root.into_owned(),
                    };
                    s.other_ids.push(id);
                }
            }
            (1, El::Code) => self.coding = Some((d, CodingTarget::StmtCode, coding_from(e))),
            (1, El::StatusCode) => first(&mut s.status, e.get(Key::Code)),
            (1, El::EffectiveTime) => {
                if let Some(t) = ts_attr(e) {
                    s.effective_time.get_or_insert_with(Interval::default).value = Some(t);
                }
            }
            (2, El::Low | El::High | El::Center) if parent == El::EffectiveTime => {
                set_interval(&mut s.effective_time, el, e)
            }
            (1, El::AvailabilityTime) => first_ts(&mut s.availability_time, e),
            (1, El::ConfidentialityCode) => {
                let code = code_attrs(e);
                s.nopat |= code.code.as_deref().map(str::trim) == Some("NOPAT");
                s.confidentiality = Some(code);
            }
            (1, El::PriorityCode) => self.coding = Some((d, CodingTarget::StmtPriority, coding_from(e))),
            (1, El::UncertaintyCode) => first(&mut s.uncertainty, e.get(Key::Code)),
            (1, El::InterpretationCode) => {
                self.coding = Some((d, CodingTarget::StmtInterpretation, coding_from(e)))
            }
            (1, El::Value) => self.start_value(e, d),
            (1, El::Text) => {
                s.text_media_type = e.string(Key::MediaType);
                self.capture(d, TextTarget::StmtText);
            }
            (1, El::ReferenceRange) => s.reference_ranges.push(ReferenceRange::default()),
            (3, El::Text) if grand == El::ReferenceRange => self.capture(d, TextTarget::RangeText),
            (4, El::Low | El::High) if great == El::ReferenceRange && parent == El::Value => {
                if let Some(r) = s.reference_ranges.last_mut() {
                    let q = Some(quantity_from(e));
                    if el == El::Low {
                        r.low = q;
                    } else {
                        r.high = q;
                    }
                }
            }
            (3, El::Text) if parent == El::PertinentAnnotation => self.capture(d, TextTarget::Annotation),
            (3, El::Text) if parent == El::PertinentMedicationDosage => self.capture(d, TextTarget::Dosage),
            (1, El::Participant) => {
                if !e.has(Key::NullFlavor) {
                    s.participants.push(Participation {
                        type_code: e.string(Key::TypeCode),
                        agent_id: None,
                        agent: None,
                    });
                    self.open_participant = Some(s.participants.len() - 1);
                } else {
                    self.open_participant = None;
                }
            }
            (3, El::Id) if parent == El::AgentRef && grand == El::Participant => {
                if let Some(p) = open.and_then(|i| s.participants.get_mut(i)) {
                    first(&mut p.agent_id, e.get(Key::Root));
                }
            }
            (3, El::Id) if parent == El::AgentRef && grand == El::ResponsibleParty => {
                s.participants.push(Participation {
                    type_code: Some("RESP".into()),
                    agent_id: e.string(Key::Root),
                    agent: None,
                });
            }
            (3, El::Id) if parent == El::PriorStatementRef => {
                if let Some(v) = e.string(Key::Root) {
                    s.replaces.push(v);
                }
            }
            (3, El::Id) if parent == El::JustifyingStatementRef => {
                if let Some(v) = e.string(Key::Root) {
                    s.reasons.push(v);
                }
            }
            (3, El::Code) if parent == El::PersonalRelationship => {
                self.coding = Some((d, CodingTarget::StmtRelationship, coding_from(e)))
            }
            (3, El::Id) if parent == El::NamedStatementRef => {
                if let Some(l) = s.links.as_mut() {
                    first(&mut l.named, e.get(Key::Root));
                }
            }
            (3, El::Id) if parent == El::StatementRef => {
                if let (Some(l), Some(v)) = (s.links.as_mut(), e.string(Key::Root)) {
                    l.components.push(v);
                }
            }
            (4, El::Code) if parent == El::ManufacturedMaterial => {
                self.coding = Some((d, CodingTarget::Drug, coding_from(e)))
            }
            (
                2,
                El::EhrSupplyAuthorise
                | El::EhrSupplyPrescribe
                | El::EhrSupplyDiscontinue
                | El::EhrSupplyDispense,
            ) if parent == El::Component => {
                let kind = match el {
                    El::EhrSupplyAuthorise => SupplyKind::Authorise,
                    El::EhrSupplyPrescribe => SupplyKind::Prescribe,
                    El::EhrSupplyDiscontinue => SupplyKind::Discontinue,
                    _ => SupplyKind::Dispense,
                };
                if let Some(m) = s.medication.as_mut() {
                    m.supplies.push(Supply::new(kind));
                    self.supply_at = Some(d);
                }
            }
            (2, El::ReferredToExternalDocument) if parent == El::Reference => {
                let si = self.stmts.last().map_or(0, |&(_, i)| i);
                if let Some(x) = self.extract.as_mut() {
                    let di = x.documents.len();
                    x.documents.push(Document {
                        statement: si,
                        ..Document::default()
                    });
                    if let Some(s) = x.statements.get_mut(si) {
                        s.documents.push(di);
                    }
                    self.doc_at = Some(d);
                }
            }
            _ => {}
        }
    }

    fn start_value(&mut self, e: &mut Attrs<'_>, d: usize) {
        // `xsi:type`, prefix dropped, compared case-insensitively.
        let kind = match e.get(Key::Type) {
            Some(t) => {
                let t = t.rsplit(':').next().unwrap_or(&t).trim();
                let is = |k: &str| t.eq_ignore_ascii_case(k);
                if ["CD", "CV", "CE", "CO", "CS"].into_iter().any(is) {
                    "CD"
                } else if is("PQ") {
                    "PQ"
                } else if is("IVL_PQ") {
                    "IVL"
                } else {
                    "ST"
                }
            }
            None if e.has(Key::Code) || e.has(Key::CodeSystem) || e.has(Key::NullFlavor) => "CD",
            None if e.has(Key::Value) => "PQ",
            None => "ST",
        };
        match kind {
            "CD" => self.coding = Some((d, CodingTarget::StmtValue, coding_from(e))),
            "PQ" => {
                if let Some(s) = self.stmt() {
                    s.value = Some(Value::Quantity(quantity_from(e)));
                }
                self.value_at = Some(d);
            }
            "IVL" => {
                if let Some(s) = self.stmt() {
                    s.value = Some(Value::Range {
                        low: None,
                        high: None,
                    });
                }
                self.value_at = Some(d);
            }
            _ => {
                self.value_at = Some(d);
                self.capture(d, TextTarget::ValueText);
            }
        }
    }

    fn supply_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        let grand = self.path[d - 2];
        let Some(s) = self.supply() else { return };
        match (rel_len, el) {
            (1, El::Id) => first(&mut s.id, e.get(Key::Root)),
            (1, El::Code) => self.coding = Some((d, CodingTarget::SupplyCode, coding_from(e))),
            (1, El::StatusCode) => first(&mut s.status, e.get(Key::Code)),
            (2, El::Low | El::High | El::Center) if parent == El::EffectiveTime => {
                set_interval(&mut s.effective_time, el, e)
            }
            (1, El::EffectiveTime) => {
                if let Some(t) = ts_attr(e) {
                    s.effective_time.get_or_insert_with(Interval::default).value = Some(t);
                }
            }
            (1, El::AvailabilityTime) => first_ts(&mut s.availability_time, e),
            (1, El::RepeatNumber) => first(&mut s.repeat_number, e.get(Key::Value)),
            (1, El::Quantity) => s.quantity = Some(quantity_from(e)),
            (3, El::OriginalText) if parent == El::Translation && grand == El::Quantity => {
                self.capture(d, TextTarget::SupplyUnitText)
            }
            (3, El::Id) if parent == El::PriorMedicationRef => match grand {
                El::Predecessor => first(&mut s.predecessor, e.get(Key::Root)),
                _ => first(&mut s.refers_to, e.get(Key::Root)),
            },
            (3, El::Text) if parent == El::PertinentSupplyAnnotation => {
                self.capture(d, TextTarget::SupplyAnnotation)
            }
            _ => {}
        }
    }

    fn doc_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        let Some(doc) = self.doc() else { return };
        match (rel_len, el) {
            (1, El::Id) => first(&mut doc.id, e.get(Key::Root)),
            (1, El::Code) => self.coding = Some((d, CodingTarget::DocCode, coding_from(e))),
            (1, El::Text) => first(&mut doc.media_type, e.get(Key::MediaType)),
            (2, El::Reference) if parent == El::Text => first(&mut doc.link, e.get(Key::Value)),
            (1, El::ConfidentialityCode) => {
                let code = code_attrs(e);
                doc.nopat |= code.code.as_deref().map(str::trim) == Some("NOPAT");
                doc.confidentiality = Some(code);
            }
            _ => {}
        }
    }

    fn request_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let Some(r) = self.request.as_mut() else { return };
        match &self.path[at + 1..=d] {
            [El::Id] => first(&mut r.id, e.get(Key::Root)),
            [El::RecordTarget, El::Patient, El::Id]
                if e.get(Key::Root).as_deref().map(str::trim) == Some(NHS_NUMBER_OID) =>
            {
                first(&mut r.nhs_number, e.get(Key::Extension));
            }
            [El::Author, El::AgentOrgSds, El::AgentOrganizationSds, El::Id] => {
                first(&mut r.requester_ods, e.get(Key::Extension))
            }
            [El::Destination, El::AgentOrgSds, El::AgentOrganizationSds, El::Id] => {
                first(&mut r.sender_ods, e.get(Key::Extension))
            }
            _ => {}
        }
    }

    fn ack_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        match (rel_len, el) {
            (1, El::AcknowledgementDetail) => self.detail_type = e.string(Key::TypeCode),
            (2, El::Code) if parent == El::AcknowledgementDetail => {
                self.coding = Some((d, CodingTarget::AckDetail, coding_from(e)))
            }
            (2, El::Id) if parent == El::MessageRef => {
                if let Some(a) = self.current_ack() {
                    first(&mut a.message_ref, e.get(Key::Root));
                }
            }
            _ => {}
        }
    }

    fn current_ack(&mut self) -> Option<&mut Acknowledgement> {
        if self.ack_nested {
            self.copc.as_mut()?.acknowledgement.as_mut()
        } else {
            self.ack.as_mut()
        }
    }

    fn copc_child(&mut self, e: &mut Attrs<'_>, at: usize, d: usize) {
        let rel_len = d - at;
        let el = self.path[d];
        let parent = self.path[d - 1];
        if let [.., El::Reason, El::JustifyingDetectedIssueEvent, El::Code] = &self.path[..=d] {
            self.coding = Some((d, CodingTarget::AckReason, coding_from(e)));
            return;
        }
        let in_fragment = self.path[at + 1..d].contains(&El::Gp2gpFragment)
            && !self.path[at + 1..d].contains(&El::PertinentPayloadBody);
        let Some(c) = self.copc.as_mut() else { return };
        match (rel_len, el) {
            (1, El::Code) => first(&mut c.payload_code, e.get(Key::Code)),
            (1, El::Id) => first(&mut c.payload_id, e.get(Key::Root)),
            (1, El::MessageType) => first(&mut c.message_type, e.get(Key::Extension)),
            (_, El::Version) if in_fragment => self.capture(d, TextTarget::FragVersion),
            (_, El::Recipient) if in_fragment => self.capture(d, TextTarget::FragRecipient),
            (_, El::From) if in_fragment => self.capture(d, TextTarget::FragFrom),
            (_, El::Subject) if in_fragment && parent == El::Gp2gpFragment => {
                self.capture(d, TextTarget::FragSubject)
            }
            (_, El::FragmentMessageId) if in_fragment => self.capture(d, TextTarget::FragMessageId),
            (2, El::SequenceNumber) if parent == El::PertinentInformation => {
                first(&mut c.sequence_number, e.get(Key::Value))
            }
            (4, El::Reference) if parent == El::Value && self.path[d - 2] == El::PertinentPayloadBody => {
                first(&mut c.file_reference, e.get(Key::Value))
            }
            _ => {}
        }
    }

    fn end(&mut self, d: usize) {
        if let Some((cd, target)) = self.capture {
            if cd == d {
                self.capture = None;
                let text = std::mem::take(&mut self.text);
                self.deliver_text(target, &text);
                self.text = text;
                self.text.clear();
            }
        }
        if let Some((cd, _, _)) = &self.coding {
            if *cd == d {
                if let Some((_, target, coding)) = self.coding.take() {
                    self.deliver_coding(target, coding);
                }
            }
        }
        let el = self.path[d];
        if matches!(el, El::Participant | El::Participant2) {
            self.open_participant = None;
        }
        if self.value_at == Some(d) {
            self.value_at = None;
        }
        if self.doc_at == Some(d) {
            self.doc_at = None;
        }
        if self.supply_at == Some(d) {
            self.supply_at = None;
        }
        if self.stmts.last().is_some_and(|&(sd, _)| sd == d) {
            self.stmts.pop();
        }
        if self.comp_at == Some(d) {
            self.comp_at = None;
        }
        if self.agent_at == Some(d) {
            self.agent_at = None;
        }
        if self.folder_at == Some(d) {
            self.folder_at = None;
        }
        if self.extract_at == Some(d) {
            self.extract_at = None;
        }
        if self.request_at == Some(d) {
            self.request_at = None;
        }
        if self.ack_at == Some(d) {
            self.ack_at = None;
        }
        if self.copc_at == Some(d) {
            self.copc_at = None;
        }
    }

    fn deliver_text(&mut self, target: TextTarget, text: &str) {
        let trimmed = text.trim();
        let owned = || Some(trimmed.to_owned()).filter(|t| !t.is_empty());
        match target {
            TextTarget::OriginalText => {
                if let Some((_, _, c)) = self.coding.as_mut() {
                    c.original_text = Some(text.to_owned());
                }
            }
            TextTarget::StmtText => {
                if let Some(s) = self.stmt() {
                    s.text = Some(text.to_owned());
                }
            }
            TextTarget::ValueText => {
                if let Some(s) = self.stmt() {
                    s.value = Some(Value::Text(text.to_owned()));
                }
            }
            TextTarget::ValueUnitText => {
                if let Some(Value::Quantity(q)) = self.stmt().and_then(|s| s.value.as_mut()) {
                    q.unit_text = owned();
                }
            }
            TextTarget::RangeText => {
                if let Some(r) = self.stmt().and_then(|s| s.reference_ranges.last_mut()) {
                    r.text = owned();
                }
            }
            TextTarget::Annotation => {
                if let Some(s) = self.stmt() {
                    s.annotations.push(text.to_owned());
                }
            }
            TextTarget::Dosage => {
                if let Some(m) = self.stmt().and_then(|s| s.medication.as_mut()) {
                    m.dosage = Some(text.to_owned());
                }
            }
            TextTarget::SupplyAnnotation => {
                if let Some(s) = self.supply() {
                    s.annotations.push(text.to_owned());
                }
            }
            TextTarget::SupplyUnitText => {
                if let Some(q) = self.supply().and_then(|s| s.quantity.as_mut()) {
                    q.unit_text = owned();
                }
            }
            TextTarget::Prefix | TextTarget::Given | TextTarget::Family => {
                if let Some(a) = self.agent() {
                    let n = a.name.get_or_insert_with(PersonName::default);
                    let slot = match target {
                        TextTarget::Prefix => &mut n.prefix,
                        TextTarget::Given => &mut n.given,
                        _ => &mut n.family,
                    };
                    match slot {
                        Some(existing) if !trimmed.is_empty() => {
                            existing.push(' ');
                            existing.push_str(trimmed);
                        }
                        _ => *slot = owned(),
                    }
                }
            }
            TextTarget::OrgName => {
                if let Some(a) = self.agent() {
                    if a.organisation_name.is_none() {
                        a.organisation_name = owned();
                    }
                }
            }
            TextTarget::SoftwareName => {
                if let Some(a) = self.agent() {
                    a.software_name = owned();
                }
            }
            TextTarget::LocationName => {
                if let Some(l) = self.comp().and_then(|c| c.location.as_mut()) {
                    l.name = owned();
                }
            }
            TextTarget::FragVersion
            | TextTarget::FragRecipient
            | TextTarget::FragFrom
            | TextTarget::FragSubject
            | TextTarget::FragMessageId => {
                let v = owned();
                if let Some(c) = self.copc.as_mut() {
                    match target {
                        TextTarget::FragVersion => first(&mut c.fragment_version, v),
                        TextTarget::FragRecipient => c.recipients.extend(v),
                        TextTarget::FragFrom => first(&mut c.from, v),
                        TextTarget::FragSubject => first(&mut c.subject, v),
                        _ => first(&mut c.fragment_message_id, v),
                    }
                }
            }
        }
    }

    fn deliver_coding(&mut self, target: CodingTarget, coding: Coding) {
        match target {
            CodingTarget::StmtCode => {
                if let Some(s) = self.stmt() {
                    if s.code.is_none() {
                        s.code = Some(coding);
                    }
                }
            }
            CodingTarget::StmtPriority => {
                if let Some(s) = self.stmt() {
                    s.priority = Some(coding);
                }
            }
            CodingTarget::StmtInterpretation => {
                if let Some(s) = self.stmt() {
                    s.interpretation = Some(coding);
                }
            }
            CodingTarget::StmtValue => {
                if let Some(s) = self.stmt() {
                    s.value = Some(Value::Coded(coding));
                }
            }
            CodingTarget::StmtRelationship => {
                if let Some(s) = self.stmt() {
                    s.relationship = Some(coding);
                }
            }
            CodingTarget::Drug => {
                if let Some(m) = self.stmt().and_then(|s| s.medication.as_mut()) {
                    m.drug = Some(coding);
                }
            }
            CodingTarget::SupplyCode => {
                if let Some(s) = self.supply() {
                    s.code = Some(coding);
                }
            }
            CodingTarget::DocCode => {
                if let Some(d) = self.doc() {
                    d.code = Some(coding);
                }
            }
            CodingTarget::CompCode => {
                if let Some(c) = self.comp() {
                    c.code = Some(coding);
                }
            }
            CodingTarget::LocationCode => {
                if let Some(l) = self.comp().and_then(|c| c.location.as_mut()) {
                    l.code = Some(coding);
                }
            }
            CodingTarget::AgentRole => {
                if let Some(a) = self.agent() {
                    a.role = Some(coding);
                }
            }
            CodingTarget::AckDetail => {
                let qualifier = self.detail_type.clone();
                if let Some(a) = self.current_ack() {
                    a.reasons.push(AckReason {
                        source: ReasonSource::Detail,
                        code: coding.main,
                        qualifier,
                    });
                }
            }
            CodingTarget::AckReason => {
                let qualifier = coding
                    .qualifiers
                    .iter()
                    .find_map(|q| q.value.as_ref().and_then(|v| v.code.clone()));
                let in_copc = self.copc.is_some();
                let ack = if in_copc {
                    self.copc
                        .as_mut()
                        .map(|c| c.acknowledgement.get_or_insert_with(Acknowledgement::default))
                } else {
                    Some(self.ack.get_or_insert_with(Acknowledgement::default))
                };
                if let Some(a) = ack {
                    a.reasons.push(AckReason {
                        source: ReasonSource::ControlActReason,
                        code: coding.main,
                        qualifier,
                    });
                }
            }
        }
    }
}

/// Reads an HL7 payload. `at` names the part for diagnostics.
pub(crate) fn read_hl7(
    xml: &[u8],
    limits: &Limits,
    at: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Hl7, ReadError> {
    let mut reader = Reader::from_reader(xml);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.allow_dangling_amp = true;
    }
    // Namespace scopes kept exactly as `NsReader` keeps them (one level per open element, popped on
    // the read after an end or empty tag, the same errors), except that the attributes of a tag are
    // only scanned for bindings when its attribute text mentions `xmlns` at all: a tag without it
    // declares nothing, so its level would be empty. `scopes` says which open elements pushed one.
    let mut namespaces = NamespaceResolver::default();
    let mut scopes: Vec<bool> = Vec::with_capacity(64);
    let mut pending_pop = false;
    let mut st = State::new();
    let mut seen_root = false;
    let mut failure: Option<String> = None;
    loop {
        if std::mem::take(&mut pending_pop) && scopes.pop() == Some(true) {
            namespaces.pop();
        }
        let event = reader.read_event().and_then(|event| {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    if scopes.len() >= usize::from(u16::MAX) {
                        return Err(NamespaceError::TooDeeplyNested(usize::from(u16::MAX)).into());
                    }
                    let declares = may_declare_namespace(e.attributes_raw());
                    if declares {
                        namespaces.push(e)?;
                    }
                    scopes.push(declares);
                    pending_pop = matches!(event, Event::Empty(_));
                }
                Event::End(_) => pending_pop = true,
                _ => {}
            }
            Ok(event)
        });
        // Namespaces are resolved for start tags only: end tags are matched by position.
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                let pos = reader.error_position();
                let msg = e.to_string();
                if msg.contains("utf-8") || msg.contains("UTF-8") || msg.contains("Utf8") {
                    return Err(ReadError::not_xml(format!(
                        "The message is not valid UTF-8 (at byte {pos} of the {at}); it is refused."
                    )));
                }
                failure = Some(format!("The {at} is not well-formed XML at byte {pos}: {msg}."));
                break;
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if e.len() > limits.max_tag_bytes {
                    return Err(ReadError::not_xml(format!(
                        "An element's start tag is {} bytes long (limit {}); the file is refused for safety.",
                        e.len(),
                        limits.max_tag_bytes
                    )));
                }
                if st.path.len() >= limits.max_depth {
                    return Err(ReadError::not_xml(format!(
                        "The file nests elements more than {} deep; it is refused for safety.",
                        limits.max_depth
                    )));
                }
                st.text_run = 0;
                let (ns, local) = namespaces.resolve_element(e.name());
                let local: &str = local.into_inner();
                let el = match &ns {
                    ResolveResult::Bound(Namespace(uri)) if *uri == GP2GP_NS => gp2gp_el(local),
                    ResolveResult::Bound(Namespace(uri)) if *uri == NPFIT_LC_NS => {
                        if local == "messageType" {
                            El::MessageType
                        } else {
                            El::Other
                        }
                    }
                    n if is_hl7_ns(n) => hl7_el(local),
                    _ => El::Foreign,
                };
                if !seen_root {
                    seen_root = true;
                    let interaction = is_hl7_ns(&ns).then(|| Interaction::from_root_element(local)).flatten();
                    match interaction {
                        Some(i) => st.interaction = Some(i),
                        None => {
                            return Err(ReadError::not_gp2gp(format!(
                                "The file is XML, but its root element <{}> is not a GP2GP message.",
                                e.name().as_ref()
                            )))
                        }
                    }
                    st.path.push(el);
                    if el == El::EhrExtract {
                        st.extract_at = Some(0);
                        st.extract = Some(EhrExtract::default());
                    }
                    if empty {
                        st.end(0);
                        st.path.pop();
                    }
                    continue;
                }
                st.path.push(el);
                // No handler acts on an element it does not know: skip them without touching attributes.
                if !matches!(el, El::Other | El::Foreign) {
                    st.start(&mut Attrs::new(e), el);
                }
                if empty {
                    let d = st.path.len() - 1;
                    st.end(d);
                    st.path.pop();
                }
            }
            Event::End(_) => {
                st.text_run = 0;
                if let Some(d) = st.path.len().checked_sub(1) {
                    st.end(d);
                    st.path.pop();
                }
            }
            Event::Text(t) => {
                st.text_run += t.len();
                if st.text_run > limits.max_text_bytes {
                    return Err(ReadError::not_xml(format!(
                        "A text node is over {} bytes; the file is refused for safety.",
                        limits.max_text_bytes
                    )));
                }
                if !seen_root {
                    if !t.trim().is_empty() {
                        return Err(ReadError::not_xml("The file does not start with XML markup."));
                    }
                    continue;
                }
                if st.capture.is_some() {
                    st.text.push_str(&t.xml_content(quick_xml::XmlVersion::default()));
                }
            }
            Event::CData(t) => {
                st.text_run += t.len();
                if st.text_run > limits.max_text_bytes {
                    return Err(ReadError::not_xml(format!(
                        "A text node is over {} bytes; the file is refused for safety.",
                        limits.max_text_bytes
                    )));
                }
                if st.capture.is_some() {
                    st.text.push_str(&t.xml_content(quick_xml::XmlVersion::default()));
                }
            }
            Event::GeneralRef(r) => {
                if !seen_root {
                    return Err(ReadError::not_xml("The file does not start with XML markup."));
                }
                st.text_run += r.len() + 2;
                let known = if st.capture.is_some() {
                    push_text(&mut st.text, &r)
                } else {
                    is_known_ref(&r)
                };
                if !known {
                    st.unknown_entity = true;
                }
            }
            Event::DocType(_) => {
                return Err(ReadError::not_xml(
                    "The file declares a DOCTYPE; GP2GP messages never do, and such files are refused for safety.",
                ))
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let Some(interaction) = st.interaction else {
        return Err(ReadError::not_xml(match failure {
            Some(f) => f,
            None => "The file holds no XML element.".to_owned(),
        }));
    };
    if let Some(f) = failure {
        if !st.head_readable() {
            return Err(ReadError::not_xml(format!(
                "The file is not well-formed XML: {f} Nothing of the message could be read before that point."
            )));
        }
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            format!("{f} The record was read up to that point and is incomplete."),
            format!("{at}@{}", reader.error_position()),
        ));
    } else if !st.path.is_empty() {
        if !st.head_readable() {
            return Err(ReadError::not_xml(format!(
                "The file is not well-formed XML: the {at} ends with {} elements still open.",
                st.path.len()
            )));
        }
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            format!(
                "The {at} is truncated: it ends with {} elements still open. The record was read up to that point and is incomplete.",
                st.path.len()
            ),
            format!("{at}@{}", xml.len()),
        ));
    }
    if st.unknown_entity {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "The text uses an entity reference that XML does not define; it was kept as written.",
            at.to_owned(),
        ));
    }
    // Close anything left open so half-read objects are kept.
    while let Some(d) = st.path.len().checked_sub(1) {
        st.end(d);
        st.path.pop();
    }
    Ok(Hl7 {
        interaction,
        wrapper: st.wrapper,
        extract: st.extract,
        request: st.request,
        acknowledgement: st.ack,
        common_content: st.copc,
    })
}
