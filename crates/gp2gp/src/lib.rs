//! The GP2GP message format: bytes in, a typed record and diagnostics out. This crate does no IO.
//!
//! # Overview
//!
//! - [`read`] (or [`read_with`] and explicit [`Limits`]) takes one message in any container the
//!   inbox meets (bare HL7 XML, a SOAP/ebXML envelope, raw `multipart/related` MIME, the messaging
//!   adaptor's JSON) and returns a [`Message`]: the ebXML header and manifest, the HL7 wrapper, the
//!   interaction's body ([`EhrExtract`], [`EhrRequest`], [`Acknowledgement`], [`CommonContent`]),
//!   the attachments that travelled with it, the [`Counts`] of the `parse` contract and
//!   [`Diagnostic`]s. It never panics and fails only on input that is not XML we will read or not
//!   GP2GP at all ([`ReadError`]).
//! - [`summarise`] reads just the head of a message to file it ([`Summary`]).
//! - [`assemble`] puts a large message together from its core and its COPC parts (fragment indexes,
//!   fragments, skeleton extracts) and reports what is still missing.
//! - [`write_ack`] writes the MCCI_IN010000UK13 acknowledgement of a received message ([`AckRequest`]).
//! - [`parse_placeholder`] reads an `AbsentAttachment<id>.txt` placeholder file.
//!
//! The record keeps every coding verbatim ([`Coding`]: main code, translations, `originalText`,
//! qualifiers), every timestamp with its precision ([`Timestamp`]), and works out what the
//! reviewing clinician needs: medication courses, allergies, LinkSet problems, degraded entries,
//! documents and missing attachments, with NOPAT propagated from compositions to their content.
//!
//! # Glossary
//!
//! - *interaction*: the HL7 message type, e.g. `RCMR_IN030000UK06` (an EhrExtract).
//! - *EhrExtract*: the patient's whole record as sent by the previous (losing) practice.
//! - *composition*: one consultation or data-entry event (`ehrComposition`).
//! - *statement*: one entry of a composition (observation, narrative, medication, LinkSet...).
//! - *course*: a medication authorisation (`ehrSupplyAuthorise`) with its issues
//!   (`ehrSupplyPrescribe`) and discontinuation (`ehrSupplyDiscontinue`).
//! - *acute / repeat*: a course with repeat count 0 / any other or none.
//! - *degrade*: an entry the sender could not code in the receiver's terms ("Transfer-degraded ...").
//! - *placeholder*: `AbsentAttachment<id>.txt`, sent instead of a file that could not be included.
//! - *NOPAT*: confidentiality code: not to be shown to the patient.
//! - *COPC*: COPC_IN000001UK01, the common-content message carrying large-message parts.
//! - *fragment index*: a COPC whose manifest lists the fragments of one large attachment.
//! - *skeleton extract*: a core whose real record arrives separately, replacing a stub statement.
//! - *ODS code*: the national code of a practice, e.g. `B86041`.
//! - *ebXML manifest*: the envelope's list of the message's payload and attachments (`cid:` in this
//!   message, `mid:` in a later one).

mod ack;
mod analysis;
mod assemble;
mod attachment;
mod container;
mod diagnostic;
mod ebxml;
mod error;
mod hl7;
mod limits;
mod message;
mod model;
mod reader;
mod summary;
mod timestamp;
mod xml;

pub use ack::{
    ack_reference, response_text, write_ack, AckError, AckRequest, ACK_VERSION_CODE, ASID_ROOT,
    QUALIFIER_CODE_SYSTEM, RESPONSE_CODE_SYSTEM,
};
pub use analysis::{
    coding_degrade, degrade_kind, value_text, Allergy, AllergyKind, Counts, CourseKind, CourseStatus,
    Degrade, DegradeKind, Discontinuation, LinkedEntry, MedicationCourse, Problem, ProblemStatus, SupplyRef,
    UnSnomed,
};
pub use assemble::{assemble, AssembledFile, Assembly, MissingPart};
pub use attachment::{
    absent_attachment_id, decoded_reader, parse_placeholder, ExternalAttachment, InlineAttachment,
    Placeholder, GZIP_MAGIC,
};
pub use diagnostic::{Diagnostic, Severity};
pub use ebxml::{EbXml, ManifestReference, ReferenceKind};
pub use error::{ReadError, ReadErrorKind};
pub use limits::Limits;
pub use message::{
    AckReason, AckType, Acknowledgement, CommonContent, CommonContentRole, Container, EhrExtract, EhrRequest,
    Message, ReasonSource, Wrapper,
};
pub use model::{
    AbsentAttachment, Agent, AgentKind, Code, Coding, CodingSite, Composition, Document, Folder, Interval,
    Links, Location, MedicationDetail, Participation, PersonName, Qualifier, Quantity, RecordType,
    ReferenceRange, Statement, StatementKind, Supply, SupplyKind, Value, CTV3, EGTON, READ_V2, SNOMED,
};
pub use reader::{read, read_with};
pub use summary::{summarise, Interaction, Summary};
pub use timestamp::{Precision, Timestamp};
