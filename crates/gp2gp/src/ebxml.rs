//! The SOAP/ebXML envelope: message header and manifest (format §2, §14).
//!
//! Elements are matched on local names only: Vision envelopes use the `eb:` prefix without declaring
//! it, and the `hl7ebxml` namespace is spelt two ways.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::diagnostic::{Diagnostic, Severity};
use crate::limits::Limits;
use crate::xml::{attr_local, push_text};

/// The ebXML message header and manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EbXml {
    pub conversation_id: Option<String>,
    /// `eb:MessageId`: what `mid:` references point at.
    pub message_id: Option<String>,
    pub ref_to_message_id: Option<String>,
    /// `eb:From/eb:PartyId` (`<ODS>-<digits>`).
    pub from_party: Option<String>,
    /// `eb:To/eb:PartyId`.
    pub to_party: Option<String>,
    pub cpa_id: Option<String>,
    pub service: Option<String>,
    /// `eb:Action`: the interaction id.
    pub action: Option<String>,
    pub timestamp: Option<String>,
    /// `eb:Manifest/eb:Reference`, in order; the first is the HL7 payload.
    pub manifest: Vec<ManifestReference>,
}

impl EbXml {
    /// The ODS code part of the From party key.
    pub fn from_ods(&self) -> Option<&str> {
        party_ods(self.from_party.as_deref())
    }

    /// The ODS code part of the To party key.
    pub fn to_ods(&self) -> Option<&str> {
        party_ods(self.to_party.as_deref())
    }

    /// Manifest references other than the HL7 payload.
    pub fn attachment_references(&self) -> impl Iterator<Item = &ManifestReference> {
        self.manifest.iter().filter(|r| !r.is_payload)
    }
}

fn party_ods(party: Option<&str>) -> Option<&str> {
    let p = party?.trim();
    let ods = p.rsplit_once('-').map_or(p, |(ods, _)| ods);
    (!ods.is_empty()).then_some(ods)
}

/// How a manifest reference points at its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// `cid:`: a part of this message.
    ContentId,
    /// `mid:`: sent later as its own message (COPC).
    MessageId,
    /// Anything else.
    Other,
}

/// One `eb:Reference` of the manifest, with its description's key/values decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestReference {
    /// `xlink:href` as sent.
    pub href: String,
    pub kind: ReferenceKind,
    /// The href without its `cid:`/`mid:` prefix.
    pub target: String,
    /// `eb:id` as sent (document id, sometimes prefixed `_`).
    pub eb_id: Option<String>,
    /// `eb:Description` text as sent.
    pub description: String,
    /// The first reference: the HL7 payload.
    pub is_payload: bool,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub compressed: Option<bool>,
    pub large_attachment: Option<bool>,
    pub original_base64: Option<bool>,
    pub length: Option<u64>,
    /// `DomainData="X-GP2GP-Skeleton: Yes"`.
    pub skeleton: bool,
}

impl ManifestReference {
    pub(crate) fn new(href: &str, eb_id: Option<String>, description: &str, is_payload: bool) -> Self {
        let href_t = href.trim();
        let (kind, target) = if let Some(t) = strip_prefix_ci(href_t, "cid:") {
            (ReferenceKind::ContentId, t)
        } else if let Some(t) = strip_prefix_ci(href_t, "mid:") {
            (ReferenceKind::MessageId, t)
        } else {
            (ReferenceKind::Other, href_t)
        };
        let mut r = ManifestReference {
            href: href.to_owned(),
            kind,
            target: target.to_owned(),
            eb_id,
            description: description.to_owned(),
            is_payload,
            filename: None,
            content_type: None,
            compressed: None,
            large_attachment: None,
            original_base64: None,
            length: None,
            skeleton: false,
        };
        r.apply_description(description);
        r
    }

    /// Reads `Key=Value` pairs from a description; a description without any pair that is not the
    /// payload's is taken as a bare file name (TPP).
    pub(crate) fn apply_description(&mut self, description: &str) {
        let pairs = description_pairs(description);
        if pairs.is_empty() {
            let d = description.trim();
            if !self.is_payload && !d.is_empty() && d.contains('.') && !d.contains(char::is_whitespace) {
                self.filename.get_or_insert_with(|| d.to_owned());
            }
            return;
        }
        for (k, v) in pairs {
            match k.to_ascii_lowercase().as_str() {
                "filename" => self.filename = Some(v),
                "contenttype" => self.content_type = Some(v),
                "compressed" => self.compressed = yes_no(&v),
                "largeattachment" => self.large_attachment = yes_no(&v),
                "originalbase64" => self.original_base64 = yes_no(&v),
                "length" => self.length = v.trim().parse().ok(),
                "domaindata" => {
                    let d = v.to_ascii_lowercase();
                    if d.contains("x-gp2gp-skeleton") && d.contains("yes") {
                        self.skeleton = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// The document id this reference carries: `eb:id` without a leading `_`, else the GUID
    /// prefix of the file name.
    pub fn document_id(&self) -> Option<&str> {
        if let Some(id) = self.eb_id.as_deref() {
            let id = id.trim();
            let id = id.strip_prefix('_').unwrap_or(id);
            if !id.is_empty() {
                return Some(id);
            }
        }
        let f = self.filename.as_deref()?;
        f.split_once('_').map(|(id, _)| id)
    }

    /// For a large-attachment fragment file name `<id>_<n>.messageattachment` (or `..._<n>.txt`), `n`.
    pub fn fragment_number(&self) -> Option<u32> {
        let f = self.filename.as_deref()?;
        let stem = f.rsplit_once('.').map_or(f, |(s, _)| s);
        stem.rsplit_once('_').and_then(|(_, n)| n.parse().ok())
    }
}

pub(crate) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

fn yes_no(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "y" => Some(true),
        "no" | "false" | "n" => Some(false),
        _ => None,
    }
}

/// `Key=Value` pairs of an `eb:Description`: values are quoted (`"..."` or `'...'`) or run to the next
/// whitespace; pairs may be spread over several lines.
pub(crate) fn description_pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A key: letters/digits/-/_ immediately followed by '='.
        if !(b[i].is_ascii_alphabetic()) || (i > 0 && !b[i - 1].is_ascii_whitespace() && b[i - 1] != b'"') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b'_') {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            continue;
        }
        let key = &text[start..i];
        i += 1;
        let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            let vs = i + 1;
            let ve = b[vs..].iter().position(|&c| c == q).map_or(b.len(), |p| vs + p);
            i = (ve + 1).min(b.len());
            &text[vs..ve]
        } else {
            let vs = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            &text[vs..i]
        };
        out.push((key.to_owned(), value.to_owned()));
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    ConversationId,
    MessageId,
    RefToMessageId,
    FromParty,
    ToParty,
    CpaId,
    Service,
    Action,
    Timestamp,
    Description,
}

/// Reads an ebXML envelope. Never fails: what cannot be read becomes a diagnostic.
pub(crate) fn read_envelope(xml: &str, limits: &Limits, diagnostics: &mut Vec<Diagnostic>) -> EbXml {
    let mut eb = EbXml::default();
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    let mut path: Vec<String> = Vec::new();
    let mut field = Field::None;
    let mut text = String::new();
    let mut pending: Option<(String, Option<String>)> = None;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    format!("The ebXML envelope is not well-formed XML: {e}."),
                    format!("ebXML@{}", reader.buffer_position()),
                ));
                break;
            }
        };
        match event {
            Event::DocType(_) => {
                diagnostics.push(Diagnostic::new(
                    Severity::Error,
                    "The ebXML envelope declares a DOCTYPE; it was not read.",
                    "ebXML",
                ));
                break;
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if path.len() >= limits.max_depth {
                    diagnostics.push(Diagnostic::new(
                        Severity::Error,
                        "The ebXML envelope nests too deep.",
                        "ebXML",
                    ));
                    break;
                }
                let local = e.local_name().as_ref().to_owned();
                let parent = path.last().map(String::as_str).unwrap_or("");
                field = match (parent, local.as_str()) {
                    (_, "ConversationId") => Field::ConversationId,
                    ("MessageData", "MessageId") => Field::MessageId,
                    ("MessageData", "RefToMessageId") => Field::RefToMessageId,
                    ("MessageData", "Timestamp") => Field::Timestamp,
                    ("From", "PartyId") => Field::FromParty,
                    ("To", "PartyId") => Field::ToParty,
                    (_, "CPAId") => Field::CpaId,
                    ("MessageHeader", "Service") => Field::Service,
                    ("MessageHeader", "Action") => Field::Action,
                    ("Reference", "Description") => Field::Description,
                    _ => Field::None,
                };
                text.clear();
                if local == "Reference" && parent == "Manifest" {
                    if let Some((href, id)) = pending.take() {
                        push_reference(&mut eb, &href, id, "");
                    }
                    pending = Some((attr_local(e, "href").unwrap_or_default(), attr_local(e, "id")));
                    if empty {
                        if let Some((href, id)) = pending.take() {
                            push_reference(&mut eb, &href, id, "");
                        }
                    }
                }
                if !empty {
                    path.push(local);
                } else {
                    field = Field::None;
                }
            }
            Event::Text(t) if field != Field::None => {
                text.push_str(&t.xml_content(quick_xml::XmlVersion::default()));
            }
            Event::GeneralRef(r) if field != Field::None => {
                push_text(&mut text, &r);
            }
            Event::CData(c) if field != Field::None => {
                text.push_str(&c.xml_content(quick_xml::XmlVersion::default()));
            }
            Event::End(_) => {
                let closed = path.pop();
                if closed.as_deref() == Some("Reference") {
                    if let Some((href, id)) = pending.take() {
                        push_reference(&mut eb, &href, id, "");
                    }
                }
                let value = text.trim();
                if field != Field::None && !value.is_empty() {
                    let slot = match field {
                        Field::ConversationId => Some(&mut eb.conversation_id),
                        Field::MessageId => Some(&mut eb.message_id),
                        Field::RefToMessageId => Some(&mut eb.ref_to_message_id),
                        Field::FromParty => Some(&mut eb.from_party),
                        Field::ToParty => Some(&mut eb.to_party),
                        Field::CpaId => Some(&mut eb.cpa_id),
                        Field::Service => Some(&mut eb.service),
                        Field::Action => Some(&mut eb.action),
                        Field::Timestamp => Some(&mut eb.timestamp),
                        Field::Description | Field::None => None,
                    };
                    if let Some(slot) = slot {
                        slot.get_or_insert_with(|| value.to_owned());
                    }
                }
                if field == Field::Description {
                    if let Some((href, id)) = pending.take() {
                        push_reference(&mut eb, &href, id, &text);
                    } else if let Some(last) = eb.manifest.last_mut() {
                        last.description.push(' ');
                        last.description.push_str(&text);
                        let d = text.clone();
                        last.apply_description(&d);
                    }
                }
                field = Field::None;
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if eb.manifest.is_empty() && eb.action.is_none() && eb.message_id.is_none() {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "The ebXML envelope has no message header or manifest that could be read.",
            "ebXML",
        ));
    }
    eb
}

fn push_reference(eb: &mut EbXml, href: &str, id: Option<String>, description: &str) {
    let first = eb.manifest.is_empty();
    eb.manifest
        .push(ManifestReference::new(href, id, description, first));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_pairs_over_lines_and_quotes() {
        let d = "Filename=\"A_b c.txt\"  ContentType=text/plain\n Compressed=Yes LargeAttachment=No\n OriginalBase64=No Length=12 DomainData=\"X-GP2GP-Skeleton: Yes\"";
        let r = ManifestReference::new("cid:x", Some("_ID".into()), d, false);
        assert_eq!(r.filename.as_deref(), Some("A_b c.txt"));
        assert_eq!(r.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            (r.compressed, r.large_attachment, r.original_base64),
            (Some(true), Some(false), Some(false))
        );
        assert_eq!(r.length, Some(12));
        assert!(r.skeleton);
        assert_eq!(r.document_id(), Some("ID"));
        let tpp = ManifestReference::new("cid:y", None, "1234_letter.txt", false);
        assert_eq!(tpp.filename.as_deref(), Some("1234_letter.txt"));
    }
}
