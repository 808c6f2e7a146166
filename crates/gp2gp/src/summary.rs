//! Just enough of a message to file it: interaction, ids, NHS number, practices.

use quick_xml::events::{BytesStart, Event};
use quick_xml::NsReader;

use crate::xml::{attr, is_hl7, strip_bom, MAX_DEPTH};
use crate::ReadError;

/// OID of the NHS number in `patient/id/@root`.
const NHS_NUMBER_OID: &str = "2.16.840.1.113883.2.1.4.1";

/// The GP2GP interactions the inbox understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interaction {
    /// RCMR_IN030000UK06: the EhrExtract (the record itself).
    EhrExtractUk06,
    /// RCMR_IN030000UK07: the EhrExtract with confidentiality codes (NOPAT).
    EhrExtractUk07,
    /// RCMR_IN010000UK05: the gaining practice's request for a record.
    EhrRequest,
    /// MCCI_IN010000UK13: an application acknowledgement.
    Acknowledgement,
    /// COPC_IN000001UK01: common content (large-message parts, continue).
    CommonContent,
    /// A bare `<EhrExtract>` element with no HL7 wrapper around it.
    BareEhrExtract,
}

impl Interaction {
    /// The HL7 interaction id (`RCMR_IN030000UK06`...), or `EhrExtract` for a bare extract.
    pub fn id(self) -> &'static str {
        match self {
            Interaction::EhrExtractUk06 => "RCMR_IN030000UK06",
            Interaction::EhrExtractUk07 => "RCMR_IN030000UK07",
            Interaction::EhrRequest => "RCMR_IN010000UK05",
            Interaction::Acknowledgement => "MCCI_IN010000UK13",
            Interaction::CommonContent => "COPC_IN000001UK01",
            Interaction::BareEhrExtract => "EhrExtract",
        }
    }

    pub fn from_root_element(local_name: &str) -> Option<Self> {
        Some(match local_name {
            "RCMR_IN030000UK06" => Interaction::EhrExtractUk06,
            "RCMR_IN030000UK07" => Interaction::EhrExtractUk07,
            "RCMR_IN010000UK05" => Interaction::EhrRequest,
            "MCCI_IN010000UK13" => Interaction::Acknowledgement,
            "COPC_IN000001UK01" => Interaction::CommonContent,
            "EhrExtract" => Interaction::BareEhrExtract,
            _ => return None,
        })
    }

    /// True for messages that carry a patient record.
    pub fn is_extract(self) -> bool {
        matches!(
            self,
            Interaction::EhrExtractUk06 | Interaction::EhrExtractUk07 | Interaction::BareEhrExtract
        )
    }
}

/// What the inbox needs to list a message. Every field but the interaction is optional: a message
/// that does not say is still listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub interaction: Interaction,
    /// The HL7 wrapper's `id/@root`.
    pub message_id: Option<String>,
    /// `EhrExtract/id/@root` (or `EhrRequest/id/@root` for a request).
    pub extract_id: Option<String>,
    /// The patient's NHS number as written in the message (not validated here).
    pub nhs_number: Option<String>,
    /// ODS code of the practice that sent the record (the extract's author).
    pub sending_ods: Option<String>,
    /// ODS code of the practice the record is for (the extract's destination).
    pub receiving_ods: Option<String>,
    /// When the sender made the extract: `EhrExtract/availabilityTime`, else the wrapper's
    /// `creationTime`, as an HL7 timestamp string (`YYYYMMDDHHMMSS`, variable precision).
    pub sent_at: Option<String>,
    /// `eb:ConversationId`, when the message came with its ebXML envelope (MIME, JSON, envelope file).
    pub conversation_id: Option<String>,
}

impl Summary {
    /// A summary that knows only the interaction; the readers fill in what the message says.
    pub fn new(interaction: Interaction) -> Summary {
        Summary {
            interaction,
            message_id: None,
            extract_id: None,
            nhs_number: None,
            sending_ods: None,
            receiving_ods: None,
            sent_at: None,
            conversation_id: None,
        }
    }
}

/// Reads the summary of a GP2GP message held in `bytes`, in any container (bare XML, ebXML envelope,
/// MIME, messaging-adaptor JSON).
///
/// Stops reading as soon as the record's body starts, so it is cheap even for a large extract.
pub fn summarise(bytes: &[u8]) -> Result<Summary, ReadError> {
    let u = crate::container::unwrap(bytes)?;
    let mut diagnostics = Vec::new();
    let ebxml = u.ebxml.and_then(|b| {
        let b = crate::container::to_utf8(b);
        std::str::from_utf8(&b)
            .ok()
            .map(|s| crate::ebxml::read_envelope(s, &crate::Limits::default(), &mut diagnostics))
    });
    let conversation_id = ebxml.as_ref().and_then(|e| e.conversation_id.clone());
    match u.payload {
        Some(p) => {
            let p = crate::container::to_utf8(p);
            let mut s = summarise_xml(&p)?;
            s.conversation_id = conversation_id;
            Ok(s)
        }
        None => {
            let action = ebxml
                .as_ref()
                .and_then(|e| e.action.as_deref())
                .map(str::trim)
                .unwrap_or("");
            let interaction = Interaction::from_root_element(action).ok_or_else(|| {
                ReadError::not_gp2gp(
                    "The file is an ebXML envelope without an HL7 payload or a GP2GP action.",
                )
            })?;
            Ok(Summary {
                sent_at: ebxml.as_ref().and_then(|e| e.timestamp.clone()),
                conversation_id,
                ..Summary::new(interaction)
            })
        }
    }
}

/// The summary of bare HL7 XML.
fn summarise_xml(bytes: &[u8]) -> Result<Summary, ReadError> {
    let bytes = strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::not_xml("The file is empty."));
    }
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().check_end_names = true;

    let mut path: Vec<String> = Vec::new();
    let mut summary: Option<Summary> = None;
    let mut creation_time: Option<String> = None;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(e) => {
                return match summary {
                    // The head of the message was readable; what follows is the full reader's business.
                    Some(s) if s.extract_id.is_some() || !s.interaction.is_extract() => {
                        Ok(finish(s, creation_time))
                    }
                    _ => Err(ReadError::not_xml(format!(
                        "The file is not well-formed XML (at byte {}): {e}.",
                        reader.buffer_position()
                    ))),
                };
            }
        };
        let hl7 = is_hl7(&ns);
        match event {
            Event::DocType(_) => {
                return Err(ReadError::not_xml(
                    "The file declares a DOCTYPE; GP2GP messages never do, and such files are refused for safety.",
                ))
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let local = e.local_name().as_ref().to_owned();
                if path.is_empty() {
                    let interaction = hl7.then(|| Interaction::from_root_element(&local)).flatten().ok_or_else(|| {
                        ReadError::not_gp2gp(format!(
                            "The file is XML, but its root element <{}> is not a GP2GP message.",
                            e.name().as_ref()
                        ))
                    })?;
                    summary = Some(Summary::new(interaction));
                }
                if path.len() >= MAX_DEPTH {
                    return Err(ReadError::not_xml(format!(
                        "The file nests elements more than {MAX_DEPTH} deep; it is refused for safety."
                    )));
                }
                path.push(if hl7 { local } else { String::new() });
                let body_started = summary.as_mut().is_some_and(|s| !note(s, &mut creation_time, &path, e));
                if body_started {
                    break;
                }
                if empty {
                    path.pop();
                }
            }
            Event::End(_) => {
                path.pop();
            }
            // Anything but markup before the root element means this is not an XML document
            // (a text file that merely mentions `<EhrExtract>`, binary junk...).
            Event::Text(ref t) if summary.is_none() && !t.as_ref().trim().is_empty() => {
                return Err(ReadError::not_xml("The file does not start with XML markup."));
            }
            Event::GeneralRef(_) if summary.is_none() => {
                return Err(ReadError::not_xml("The file does not start with XML markup."));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match summary {
        Some(s) => Ok(finish(s, creation_time)),
        None => Err(ReadError::not_xml("The file holds no XML element.")),
    }
}

fn finish(mut s: Summary, creation_time: Option<String>) -> Summary {
    if s.sent_at.is_none() {
        s.sent_at = creation_time;
    }
    s
}

/// Records what this element tells us. Returns `false` once the record body starts and
/// nothing more of interest can follow.
fn note(s: &mut Summary, creation_time: &mut Option<String>, path: &[String], e: &BytesStart<'_>) -> bool {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    // Where the EhrExtract (or EhrRequest) starts in the path, if we are inside one.
    let body = names
        .iter()
        .position(|n| *n == "EhrExtract" || *n == "EhrRequest");
    match (names.as_slice(), body) {
        ([_, "id"], None) => set(&mut s.message_id, attr(e, "root")),
        ([_, "creationTime"], None) => set(creation_time, attr(e, "value")),
        (_, Some(b)) => {
            let rel = &names[b + 1..];
            match rel {
                ["id"] => set(&mut s.extract_id, attr(e, "root")),
                ["availabilityTime"] if names[b] == "EhrExtract" => set(&mut s.sent_at, attr(e, "value")),
                ["recordTarget", "patient", "id"] if attr(e, "root").as_deref() == Some(NHS_NUMBER_OID) => {
                    set(&mut s.nhs_number, attr(e, "extension"));
                }
                ["author", "AgentOrgSDS", "agentOrganizationSDS", "id"] => {
                    set(&mut s.sending_ods, attr(e, "extension"));
                }
                ["destination", "AgentOrgSDS", "agentOrganizationSDS", "id"] => {
                    set(&mut s.receiving_ods, attr(e, "extension"));
                }
                // The record itself begins: everything the summary needs came before it.
                ["component", ..] if names[b] == "EhrExtract" => return false,
                _ => {}
            }
        }
        _ => {}
    }
    true
}

fn set(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    }
}
