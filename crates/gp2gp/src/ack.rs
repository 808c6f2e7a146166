//! Writing an MCCI_IN010000UK13 application acknowledgement for a received message (normally an
//! EhrExtract): the gaining practice's accept (`AA`) or negative (`AE`/`AR`) answer.
//!
//! The layout follows the corpus acks (`ack_AA_positive.xml`, `ack_AE_code99.xml`,
//! `ack_AR_code18.xml`) and NPFIT-PC-BLD-0083.08 §4: wrapper (`id`, `creationTime`, `versionCode`,
//! `interactionId`, `processingCode`, `processingModeCode`, `acceptAckCode`), then `acknowledgement`
//! (with `acknowledgementDetail` for a negative ack and `messageRef`), the two
//! `communicationFunction`s and a `ControlActEvent` whose `author1` is our ASID and which, for a
//! negative ack, carries the reason as `reason/justifyingDetectedIssueEvent/code` (codeSystem
//! `2.16.840.1.113883.2.1.3.2.4.17.101`, qualifier `ER`). A negative reason is written in both places
//! because senders read it from different ones (format brief §12: SND reads AE reasons from
//! `reason`, AR reasons from `acknowledgementDetail`).
//!
//! Only the HL7 body is written; the ebXML envelope (conversation id, party keys, `eb:RefToMessageId`)
//! is the messaging adaptor's job.

use std::fmt::Write as _;

use crate::message::AckType;
use crate::timestamp::Timestamp;

/// `codeSystem` of GP2GP response codes (ActDetectedIssueCode).
pub const RESPONSE_CODE_SYSTEM: &str = "2.16.840.1.113883.2.1.3.2.4.17.101";
/// `codeSystem` of the reason qualifier (`ER`).
pub const QUALIFIER_CODE_SYSTEM: &str = "2.16.840.1.113883.2.1.3.2.4.17.104";
/// Root of ASIDs in `communicationFunction*/device/id` and the ControlActEvent author.
pub const ASID_ROOT: &str = "1.2.826.0.1285.0.2.0.107";
/// `versionCode` written on acks (as in the corpus acks).
pub const ACK_VERSION_CODE: &str = "V3NPfIT4.2.00";

/// What to acknowledge and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckRequest<'a> {
    /// `AA`, `AE` or `AR`.
    pub ack_type: AckType,
    /// `(response code, display text)`, e.g. `("12", "Duplicate EHR Extract received.")`. Required for
    /// `AE`/`AR`, refused for `AA` (NPFIT-PC-BLD-0083.08 §4.1: a positive ack carries no code). An
    /// empty display text is replaced by [`response_text`] for the code when there is one.
    pub reason: Option<(&'a str, &'a str)>,
    /// The new ack's own HL7 id (`id/@root`), an upper-case GUID chosen by the caller.
    pub message_id: &'a str,
    /// The id written as `messageRef/id/@root`.
    ///
    /// **Use the EhrExtract id (`EhrExtract/id/@root`)** when acknowledging an extract, falling back
    /// to the HL7 wrapper id (`id/@root`) only when the extract carries none ([`ack_reference`] does
    /// this). Format brief §5: the NHS GP2GP sending adaptor (SND) sends the EhrExtract id as the
    /// transport message id, gives the HL7 wrapper a fresh random id, and matches the final ack's
    /// `messageRef` against the EhrExtract id only (`EhrExtractAckHandler`), so an ack naming the
    /// wrapper id would never close its transfer. Senders that reuse one GUID for the wrapper, the
    /// transport and the extract are satisfied either way. (Our own reader matches a `messageRef`
    /// against all three ids.)
    pub acknowledged_message_id: &'a str,
    /// `eb:ConversationId` of the transfer. Not part of the HL7 body (it belongs in the ebXML
    /// envelope); only checked here so the caller's envelope and this ack stay consistent.
    pub conversation_id: Option<&'a str>,
    /// `creationTime/@value`, an HL7 TS such as `20261121101500`.
    pub creation_time: &'a str,
    /// Our (gaining practice) ASID: `communicationFunctionSnd` and the ControlActEvent author.
    pub sender_asid: &'a str,
    /// The losing practice's ASID: `communicationFunctionRcv`.
    pub receiver_asid: &'a str,
    /// Our ODS code. The MCCI body has no place for it (the author is a system, by ASID); it is
    /// checked and kept for the ebXML `From` party.
    pub sender_ods: &'a str,
    /// The losing practice's ODS code (ebXML `To`); checked, not written into the body.
    pub receiver_ods: &'a str,
}

/// Why an acknowledgement could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AckError {
    #[error("a negative acknowledgement ({0}) needs a reason code")]
    MissingReason(&'static str),
    #[error("a positive acknowledgement (AA) must not carry a reason code")]
    UnexpectedReason,
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("reason code {0:?} has no standard text; give a display text")]
    NoReasonText(String),
    #[error("{field} contains a character XML cannot carry (U+{codepoint:04X})")]
    InvalidCharacter { field: &'static str, codepoint: u32 },
    #[error("{field} has leading or trailing whitespace")]
    Whitespace { field: &'static str },
    #[error("creation time {0:?} is not an HL7 timestamp (YYYYMMDDHHMMSS)")]
    BadCreationTime(String),
}

/// The standard response text (NPFIT-PC-BLD-0083.08 v1.7 §5) of a GP2GP response code, for the
/// codes a GP2GP system still uses on acknowledgements (active codes plus 09, 14 and 26).
/// Deprecated codes (03, 04, 05, 08, 16, 27) and 22 ("not used") give `None`.
pub fn response_text(code: &str) -> Option<&'static str> {
    Some(match code.trim() {
        "06" => "Patient not at surgery.",
        "07" => "GP2GP Messaging is not enabled on this system.",
        "09" => "EHR Extract received without corresponding request.",
        "10" => "Failed to successfully generate EHR Extract.",
        "11" => "Failed to successfully integrate EHR Extract.",
        "12" => "Duplicate EHR Extract received.",
        "13" => "The system's configuration prevents it from processing this message.",
        "14" => "Message not sent because requesting practice is not Large Message compliant",
        "15" => "A-B-A EHR Extract Received and Stored As Suppressed Record",
        "17" => "A-B-A EHR Extract Received and rejected due to wrong record or wrong patient",
        "18" => "Request message not well-formed or not able to be processed",
        "19" => "Sender check indicates that Requester is not the patient's current healthcare provider",
        "20" => "Spine system responded with an error",
        "21" => "EHR Extract message not well-formed or not able to be processed",
        "23" => "Message not sent because sending practice is not Large Message compliant",
        "24" => "SDS lookup provided zero or more than one result to the query for each interaction.",
        "25" => "Large messages rejected due to timeout duration reached of overall transfer",
        "26" => "Returning Patient EHR Extract Received and filed as an attachment",
        "28" => "Non A-B-A EHR Extract Received and rejected due to wrong record or wrong patient",
        "29" => "Large Message Re-assembly failure",
        "30" => "Large Message general failure",
        "31" => {
            "The overall EHR Extract has been rejected because one or more attachments via Large \
             Messages were not received."
        }
        "99" => "Unexpected condition.",
        _ => return None,
    })
}

/// The id to acknowledge a received message by: its EhrExtract id, else its HL7 wrapper id (see
/// [`AckRequest::acknowledged_message_id`]).
pub fn ack_reference(message: &crate::Message) -> Option<&str> {
    fn non_empty(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    message
        .extract
        .as_ref()
        .and_then(|x| non_empty(&x.id))
        .or_else(|| non_empty(&message.wrapper.message_id))
}

fn type_code(t: AckType) -> &'static str {
    match t {
        AckType::Accept => "AA",
        AckType::Error => "AE",
        AckType::Reject => "AR",
    }
}

/// Refuses empty values, surrounding whitespace and characters XML 1.0 cannot carry.
fn check(field: &'static str, value: &str) -> Result<(), AckError> {
    if value.is_empty() {
        return Err(AckError::Empty(field));
    }
    check_chars(field, value)?;
    if value.trim() != value {
        return Err(AckError::Whitespace { field });
    }
    Ok(())
}

fn check_chars(field: &'static str, value: &str) -> Result<(), AckError> {
    match value.chars().find(|&c| !xml_char(c)) {
        Some(c) => Err(AckError::InvalidCharacter {
            field,
            codepoint: c as u32,
        }),
        None => Ok(()),
    }
}

/// XML 1.0 `Char`, less the C1 controls and noncharacters that have no business in an id or text.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || ('\u{10000}'..='\u{10FFFF}').contains(&c)
}

/// Escapes text for an attribute value (also safe in content).
fn esc(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Literal whitespace in an attribute would be normalised to a space on reading.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn check_creation_time(value: &str) -> Result<(), AckError> {
    check("creation time", value)?;
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &value[digits..];
    let rest_ok = rest.is_empty()
        || ((rest.starts_with('+') || rest.starts_with('-'))
            && rest.len() == 5
            && rest[1..].bytes().all(|b| b.is_ascii_digit()));
    if digits < 8 || !rest_ok || !Timestamp::parse(value).is_readable() {
        return Err(AckError::BadCreationTime(value.to_owned()));
    }
    Ok(())
}

/// Writes the acknowledgement as bare HL7 XML (UTF-8, with an XML declaration). The output depends
/// only on the request: the same request always gives the same bytes.
pub fn write_ack(req: &AckRequest<'_>) -> Result<String, AckError> {
    let reason = match (req.ack_type, req.reason) {
        (AckType::Accept, Some(_)) => return Err(AckError::UnexpectedReason),
        (AckType::Accept, None) => None,
        (t, None) => return Err(AckError::MissingReason(type_code(t))),
        (_, Some((code, text))) => {
            check("reason code", code)?;
            check_chars("reason text", text)?;
            let text = if text.trim().is_empty() {
                response_text(code).ok_or_else(|| AckError::NoReasonText(code.to_owned()))?
            } else {
                text
            };
            Some((code, text))
        }
    };
    check("message id", req.message_id)?;
    check("acknowledged message id", req.acknowledged_message_id)?;
    if let Some(c) = req.conversation_id {
        check("conversation id", c)?;
    }
    check_creation_time(req.creation_time)?;
    check("sender ASID", req.sender_asid)?;
    check("receiver ASID", req.receiver_asid)?;
    check("sender ODS code", req.sender_ods)?;
    check("receiver ODS code", req.receiver_ods)?;

    let tc = type_code(req.ack_type);
    let mut x = String::with_capacity(2048);
    // `write!` into a String cannot fail.
    let _ = write!(
        x,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<MCCI_IN010000UK13 xmlns="urn:hl7-org:v3">
    <id root="{id}"/>
    <creationTime value="{time}"/>
    <versionCode code="{ACK_VERSION_CODE}"/>
    <interactionId root="2.16.840.1.113883.2.1.3.2.4.12" extension="MCCI_IN010000UK13"/>
    <processingCode code="P"/>
    <processingModeCode code="T"/>
    <acceptAckCode code="NE"/>
    <acknowledgement typeCode="{tc}">
"#,
        id = esc(req.message_id),
        time = esc(req.creation_time),
    );
    if let Some((code, text)) = reason {
        // ER for an application error, AR for a reject (as in ack_AR_code18.xml).
        let detail_type = if req.ack_type == AckType::Reject {
            "AR"
        } else {
            "ER"
        };
        let _ = write!(
            x,
            r#"        <acknowledgementDetail typeCode="{detail_type}">
            <code code="{code}" codeSystem="{RESPONSE_CODE_SYSTEM}" displayName="{text}"/>
        </acknowledgementDetail>
"#,
            code = esc(code),
            text = esc(text),
        );
    }
    let sender = esc(req.sender_asid);
    let _ = write!(
        x,
        r#"        <messageRef>
            <id root="{reference}"/>
        </messageRef>
    </acknowledgement>
    <communicationFunctionRcv typeCode="RCV">
        <device classCode="DEV" determinerCode="INSTANCE">
            <id root="{ASID_ROOT}" extension="{receiver}"/>
        </device>
    </communicationFunctionRcv>
    <communicationFunctionSnd typeCode="SND">
        <device classCode="DEV" determinerCode="INSTANCE">
            <id root="{ASID_ROOT}" extension="{sender}"/>
        </device>
    </communicationFunctionSnd>
    <ControlActEvent classCode="CACT" moodCode="EVN">
        <author1 typeCode="AUT">
            <AgentSystemSDS classCode="AGNT">
                <agentSystemSDS classCode="DEV" determinerCode="INSTANCE">
                    <id root="{ASID_ROOT}" extension="{sender}"/>
                </agentSystemSDS>
            </AgentSystemSDS>
        </author1>
"#,
        reference = esc(req.acknowledged_message_id),
        receiver = esc(req.receiver_asid),
    );
    if let Some((code, text)) = reason {
        let _ = write!(
            x,
            r#"        <reason typeCode="RSON">
            <justifyingDetectedIssueEvent classCode="ALRT" moodCode="EVN">
                <code code="{code}" codeSystem="{RESPONSE_CODE_SYSTEM}" displayName="{text}">
                    <qualifier>
                        <value code="ER" codeSystem="{QUALIFIER_CODE_SYSTEM}"/>
                    </qualifier>
                </code>
            </justifyingDetectedIssueEvent>
        </reason>
"#,
            code = esc(code),
            text = esc(text),
        );
    }
    x.push_str("    </ControlActEvent>\n</MCCI_IN010000UK13>\n");
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(esc(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(esc("x\ny"), "x&#10;y");
    }

    #[test]
    fn xml_chars() {
        assert!(xml_char('é') && xml_char('\u{1F600}') && xml_char('\t'));
        assert!(!xml_char('\0') && !xml_char('\u{1B}') && !xml_char('\u{FFFE}'));
    }
}
