//! The GP2GP message format.
//!
//! Bytes in, typed values and diagnostics out; this crate does no IO. The entry point today is
//! [`summarise`], which reads just enough of a message to file it in the inbox: the interaction,
//! the EhrExtract id and the patient's NHS number.
//!
//! Glossary:
//! - *interaction*: the HL7 message type, e.g. `RCMR_IN030000UK06` (an EhrExtract).
//! - *EhrExtract*: the patient's whole record as sent by the previous (losing) practice.
//! - *ODS code*: the national code of a practice, e.g. `B86041`.

mod error;
mod summary;
mod xml;

pub use error::{ReadError, ReadErrorKind};
pub use summary::{summarise, Interaction, Summary};
