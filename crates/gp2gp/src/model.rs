//! The typed record: what an EhrExtract (and the other interactions) hold once read.
//!
//! Statements live in one flat arena ([`EhrExtract::statements`]); everything else refers to them by
//! index. Ids are kept exactly as sent; look-ups compare them trimmed and case-insensitively.

use crate::timestamp::Timestamp;

/// SNOMED CT (including dm+d) code system OID.
pub const SNOMED: &str = "2.16.840.1.113883.2.1.3.2.4.15";
/// Read v2 code system OID.
pub const READ_V2: &str = "2.16.840.1.113883.2.1.6.2";
/// CTV3 code system OID.
pub const CTV3: &str = "2.16.840.1.113883.2.1.3.2.4.14";
/// EGTON / EMIS local codes.
pub const EGTON: &str = "2.16.840.1.113883.2.1.6.3";

/// One code: `@code`, `@codeSystem`, `@displayName` verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Code {
    pub code: Option<String>,
    pub code_system: Option<String>,
    pub display_name: Option<String>,
}

impl Code {
    pub fn is_snomed(&self) -> bool {
        self.code_system.as_deref().map(str::trim) == Some(SNOMED) && self.code.is_some()
    }

    /// True for this code in that code system.
    pub fn is(&self, system: &str, code: &str) -> bool {
        self.code_system.as_deref().map(str::trim) == Some(system)
            && self.code.as_deref().map(str::trim) == Some(code)
    }
}

/// A `qualifier` of a coded value (`@inverted`, `name`, `value`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Qualifier {
    pub inverted: Option<String>,
    pub name: Option<Code>,
    pub value: Option<Code>,
}

/// A coded element (HL7 CD/CE/CV): the main code, `nullFlavor`, `originalText`, every translation and
/// qualifier, all verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coding {
    pub main: Code,
    pub null_flavor: Option<String>,
    /// The clinician-visible term, exactly as sent (entities resolved, whitespace kept).
    pub original_text: Option<String>,
    pub translations: Vec<Code>,
    pub qualifiers: Vec<Qualifier>,
}

impl Coding {
    /// The main code followed by every translation.
    pub fn codes(&self) -> impl Iterator<Item = &Code> {
        std::iter::once(&self.main).chain(self.translations.iter())
    }

    /// The SNOMED CT code: the main code if SNOMED, else the first SNOMED translation.
    pub fn snomed(&self) -> Option<&Code> {
        self.codes().find(|c| c.is_snomed())
    }

    /// True when any code (main or translation) is SNOMED.
    pub fn has_snomed(&self) -> bool {
        self.snomed().is_some()
    }

    /// True when the element carries no code at all (only a `nullFlavor` and/or text).
    pub fn is_uncoded(&self) -> bool {
        self.codes()
            .all(|c| c.code.as_deref().is_none_or(|c| c.trim().is_empty()))
    }

    /// The best human term: `originalText`, else the main display name, else a translation's.
    pub fn term(&self) -> Option<&str> {
        self.original_text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| self.codes().find_map(|c| c.display_name.as_deref()))
    }
}

/// A physical quantity (`PQ`): value and unit as sent, plus the unit in words
/// (`translation/originalText`, used for arbitrary units such as "tablet").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quantity {
    pub value: Option<String>,
    pub unit: Option<String>,
    pub unit_text: Option<String>,
}

/// An observation `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `PQ`.
    Quantity(Quantity),
    /// `IVL_PQ`.
    Range {
        low: Option<Quantity>,
        high: Option<Quantity>,
    },
    /// `ST` (or untyped text).
    Text(String),
    /// `CD`/`CV`/`CE`.
    Coded(Coding),
}

/// An interval of time (`IVL_TS`): any of `@value`, `low`, `high`, `center`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interval {
    pub value: Option<Timestamp>,
    pub low: Option<Timestamp>,
    pub high: Option<Timestamp>,
    pub center: Option<Timestamp>,
}

impl Interval {
    /// The start of the interval: `low`, else `center`, else `@value`.
    pub fn start(&self) -> Option<&Timestamp> {
        self.low.as_ref().or(self.center.as_ref()).or(self.value.as_ref())
    }
}

/// A reference range of an observation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferenceRange {
    pub text: Option<String>,
    pub low: Option<Quantity>,
    pub high: Option<Quantity>,
}

/// Someone who took part (`Participant`, `Participant2`, `author`, `responsibleParty`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Participation {
    /// `@typeCode` (`AUT`, `PRF`, `RESP`...); `AUT` for an `author` element.
    pub type_code: Option<String>,
    /// `agentRef/id/@root`.
    pub agent_id: Option<String>,
    /// The agent in [`EhrExtract::agents`], once resolved.
    pub agent: Option<usize>,
}

/// What an agent in the directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgentKind {
    Person,
    Organisation,
    Device,
    #[default]
    Unknown,
}

/// A person's name in the agent directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonName {
    pub prefix: Option<String>,
    pub given: Option<String>,
    pub family: Option<String>,
}

/// An entry of the agent directory (`responsibleParty/agentDirectory/part/Agent`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agent {
    /// The GUID every `agentRef` uses.
    pub id: Option<String>,
    /// National practitioner code (id root `2.16.840.1.113883.2.1.4.2`).
    pub practitioner_code: Option<String>,
    pub role: Option<Coding>,
    pub kind: AgentKind,
    pub name: Option<PersonName>,
    /// The organisation's (or represented organisation's) name.
    pub organisation_name: Option<String>,
    /// The organisation's (or represented organisation's) ODS code.
    pub organisation_ods: Option<String>,
    /// `agentDevice/softwareName`.
    pub software_name: Option<String>,
}

impl Agent {
    /// A display name: "Dr Emma Anderson", an organisation name, or the software name.
    pub fn display(&self) -> Option<String> {
        if let Some(n) = &self.name {
            let parts: Vec<&str> = [&n.prefix, &n.given, &n.family]
                .into_iter()
                .filter_map(|p| p.as_deref().map(str::trim).filter(|p| !p.is_empty()))
                .collect();
            if !parts.is_empty() {
                return Some(parts.join(" "));
            }
        }
        self.organisation_name
            .clone()
            .or_else(|| self.software_name.clone())
    }
}

/// The `ehrFolder`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folder {
    pub id: Option<String>,
    pub status: Option<String>,
    pub effective_time: Option<Interval>,
    pub availability_time: Option<Timestamp>,
    pub author_time: Option<Timestamp>,
    pub author_ods: Option<String>,
}

/// What kind of record a composition is, from its code (format §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordType {
    /// A consultation or other encounter.
    #[default]
    Consultation,
    /// 196401000000100 "Non-consultation data".
    NonConsultation,
    /// 196391000000103 "Non-consultation medication data".
    NonConsultationMedication,
    /// Holds `EhrEmpty` or a `RegistrationStatement`: not shown as an encounter.
    Suppressed,
    /// The stub composition of a skeleton extract (its statement links `cid:` to the real payload).
    Skeleton,
}

/// The location of a composition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub code: Option<Coding>,
    pub name: Option<String>,
}

/// An `ehrComposition`: one consultation or data-entry event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Composition {
    pub id: Option<String>,
    pub code: Option<Coding>,
    pub status: Option<String>,
    pub effective_time: Option<Interval>,
    pub availability_time: Option<Timestamp>,
    pub confidentiality: Option<Code>,
    /// Carries `NOPAT` itself.
    pub nopat: bool,
    /// `author/time`: when it was entered.
    pub author_time: Option<Timestamp>,
    /// `author/agentRef`: who entered it.
    pub author: Option<Participation>,
    pub location: Option<Location>,
    /// `Participant2` entries (clinician responsible...).
    pub participants: Vec<Participation>,
    /// `replacementOf/priorCompositionRef/id`.
    pub replaces: Option<String>,
    pub record_type: RecordType,
    /// Top-level statements, in document order.
    pub statements: Vec<usize>,
}

/// The HL7 statement classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    Observation,
    Narrative,
    Plan,
    Request,
    Registration,
    Compound,
    Medication,
    LinkSet,
    EhrEmpty,
}

impl StatementKind {
    /// The element name.
    pub fn element(self) -> &'static str {
        match self {
            StatementKind::Observation => "ObservationStatement",
            StatementKind::Narrative => "NarrativeStatement",
            StatementKind::Plan => "PlanStatement",
            StatementKind::Request => "RequestStatement",
            StatementKind::Registration => "RegistrationStatement",
            StatementKind::Compound => "CompoundStatement",
            StatementKind::Medication => "MedicationStatement",
            StatementKind::LinkSet => "LinkSet",
            StatementKind::EhrEmpty => "EhrEmpty",
        }
    }
}

/// Which `ehrSupply*` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupplyKind {
    /// `ehrSupplyAuthorise`: the course.
    Authorise,
    /// `ehrSupplyPrescribe`: one issue.
    Prescribe,
    /// `ehrSupplyDiscontinue`: the course was stopped.
    Discontinue,
    /// `ehrSupplyDispense` (in the schema, never seen).
    Dispense,
}

/// One `ehrSupply*` element of a MedicationStatement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supply {
    pub kind: SupplyKind,
    pub id: Option<String>,
    /// Prescription type (authorise, prescribe) or discontinuation reason.
    pub code: Option<Coding>,
    pub status: Option<String>,
    pub effective_time: Option<Interval>,
    pub availability_time: Option<Timestamp>,
    /// `repeatNumber/@value` as sent.
    pub repeat_number: Option<String>,
    pub quantity: Option<Quantity>,
    /// `inFulfillmentOf` (prescribe), `reversalOf` (discontinue) target id.
    pub refers_to: Option<String>,
    /// `predecessor/priorMedicationRef/id` (authorise): the previous authorisation.
    pub predecessor: Option<String>,
    /// `pertinentSupplyAnnotation/text`.
    pub annotations: Vec<String>,
}

impl Supply {
    pub(crate) fn new(kind: SupplyKind) -> Self {
        Supply {
            kind,
            id: None,
            code: None,
            status: None,
            effective_time: None,
            availability_time: None,
            repeat_number: None,
            quantity: None,
            refers_to: None,
            predecessor: None,
            annotations: Vec::new(),
        }
    }
}

/// The medication parts of a MedicationStatement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MedicationDetail {
    /// `consumable/manufacturedProduct/manufacturedMaterial/code`.
    pub drug: Option<Coding>,
    /// `pertinentMedicationDosage/text`.
    pub dosage: Option<String>,
    pub supplies: Vec<Supply>,
}

/// The references a LinkSet makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// `conditionNamed/namedStatementRef/id`.
    pub named: Option<String>,
    /// `component/statementRef/id`, in order.
    pub components: Vec<String>,
}

/// Any statement of the record (ObservationStatement, CompoundStatement, LinkSet...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub kind: StatementKind,
    pub class_code: Option<String>,
    pub mood_code: Option<String>,
    /// The first `id/@root`.
    pub id: Option<String>,
    /// Further ids (`root` or `root/extension`), e.g. lab report ids.
    pub other_ids: Vec<String>,
    pub code: Option<Coding>,
    pub status: Option<String>,
    pub effective_time: Option<Interval>,
    pub availability_time: Option<Timestamp>,
    pub confidentiality: Option<Code>,
    /// NOPAT on the statement itself, on an enclosing statement or on its composition.
    pub nopat: bool,
    pub priority: Option<Coding>,
    pub uncertainty: Option<String>,
    pub value: Option<Value>,
    pub interpretation: Option<Coding>,
    pub reference_ranges: Vec<ReferenceRange>,
    /// `text` (narratives, plans, requests).
    pub text: Option<String>,
    /// `text/@mediaType` (e.g. `text/x-h7uk-pmip`).
    pub text_media_type: Option<String>,
    /// `pertinentInformation/pertinentAnnotation/text`.
    pub annotations: Vec<String>,
    pub participants: Vec<Participation>,
    /// `replacementOf/priorStatementRef/id`.
    pub replaces: Vec<String>,
    /// `reason/justifyingStatementRef/id`.
    pub reasons: Vec<String>,
    /// `subject/personalRelationship/code` (family history).
    pub relationship: Option<Coding>,
    /// Documents referenced by this statement ([`EhrExtract::documents`] indices).
    pub documents: Vec<usize>,
    /// The composition it belongs to, if any.
    pub composition: Option<usize>,
    /// The enclosing CompoundStatement.
    pub parent: Option<usize>,
    /// Nested statements (CompoundStatement components), in order.
    pub children: Vec<usize>,
    /// MedicationStatement parts.
    pub medication: Option<Box<MedicationDetail>>,
    /// LinkSet references.
    pub links: Option<Box<Links>>,
}

impl Statement {
    pub(crate) fn new(kind: StatementKind) -> Self {
        Statement {
            kind,
            class_code: None,
            mood_code: None,
            id: None,
            other_ids: Vec::new(),
            code: None,
            status: None,
            effective_time: None,
            availability_time: None,
            confidentiality: None,
            nopat: false,
            priority: None,
            uncertainty: None,
            value: None,
            interpretation: None,
            reference_ranges: Vec::new(),
            text: None,
            text_media_type: None,
            annotations: Vec::new(),
            participants: Vec::new(),
            replaces: Vec::new(),
            reasons: Vec::new(),
            relationship: None,
            documents: Vec::new(),
            composition: None,
            parent: None,
            children: Vec::new(),
            medication: matches!(kind, StatementKind::Medication).then(Box::default),
            links: matches!(kind, StatementKind::LinkSet).then(Box::default),
        }
    }

    /// The drug code of a MedicationStatement.
    pub fn drug(&self) -> Option<&Coding> {
        self.medication.as_ref().and_then(|m| m.drug.as_ref())
    }

    /// The coded value, if the value is coded.
    pub fn coded_value(&self) -> Option<&Coding> {
        match &self.value {
            Some(Value::Coded(c)) => Some(c),
            _ => None,
        }
    }

    /// The statement's own codings: code, coded value, drug code.
    pub fn own_codings(&self) -> impl Iterator<Item = (CodingSite, &Coding)> {
        self.code
            .as_ref()
            .map(|c| (CodingSite::Code, c))
            .into_iter()
            .chain(self.coded_value().map(|c| (CodingSite::Value, c)))
            .chain(self.drug().map(|c| (CodingSite::Drug, c)))
    }
}

/// Where on a statement a coding sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodingSite {
    Code,
    Value,
    Drug,
}

/// An absent-attachment placeholder named by a document link (`AbsentAttachment<id>.txt`), with the
/// placeholder file's content when the message carried it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AbsentAttachment {
    /// The placeholder's file name, e.g. `AbsentAttachment1A2B....txt`.
    pub file_name: String,
    /// The document id inside the file name.
    pub document_id: Option<String>,
    /// The practice that created the placeholder (from the file, else the extract's sender).
    pub created_by_ods: Option<String>,
    /// The parsed placeholder file, when present in the message.
    pub placeholder: Option<crate::attachment::Placeholder>,
}

/// A `referredToExternalDocument`: a letter, scan or other file of the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The NarrativeStatement that references it.
    pub statement: usize,
    pub id: Option<String>,
    /// Document type (e.g. SNOMED 37251000000104 "Other digital signal").
    pub code: Option<Coding>,
    /// `text/@mediaType` (MIME type, or `unknown`).
    pub media_type: Option<String>,
    /// `text/reference/@value`: the link (`file://localhost/...`, `cid:...`).
    pub link: Option<String>,
    /// Title: the narrative's text, else the document code's term.
    pub title: Option<String>,
    pub confidentiality: Option<Code>,
    /// NOPAT on the document or anything enclosing it.
    pub nopat: bool,
    /// Set when the link is an absent-attachment placeholder.
    pub absent: Option<AbsentAttachment>,
    /// The link is `cid:` of a skeleton manifest reference (the real payload arrives separately).
    pub skeleton: bool,
}

impl Document {
    /// The file name in the link (after the last `/`, or after `cid:`/`mid:`).
    pub fn file_name(&self) -> Option<&str> {
        let link = self.link.as_deref()?.trim();
        let name = link.rsplit('/').next().unwrap_or(link);
        let name = name
            .strip_prefix("cid:")
            .or_else(|| name.strip_prefix("mid:"))
            .unwrap_or(name);
        (!name.is_empty()).then_some(name)
    }
}
