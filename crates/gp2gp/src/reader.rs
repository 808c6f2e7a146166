//! `read`: container -> envelope -> HL7 payload -> analysis.

use crate::analysis::{analyse, Counts};
use crate::container::{to_utf8, unwrap};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ebxml::{read_envelope, EbXml, ReferenceKind};
use crate::hl7::read_hl7;
use crate::limits::Limits;
use crate::message::{CommonContentRole, Message, Wrapper};
use crate::summary::Interaction;
use crate::ReadError;

/// Reads a GP2GP message in any container with the default [`Limits`].
///
/// Never panics. Fails only when the bytes are not XML we are willing to read
/// ([`ReadErrorKind::NotXml`](crate::ReadErrorKind::NotXml): empty, binary, malformed before anything
/// could be read, DOCTYPE, too deep, too large, invalid UTF-8) or not a GP2GP message
/// ([`ReadErrorKind::NotGp2gp`](crate::ReadErrorKind::NotGp2gp)). A document that breaks off or turns
/// malformed after its head was read is returned as far as it was read, with an error diagnostic.
pub fn read(bytes: &[u8]) -> Result<Message, ReadError> {
    read_with(bytes, &Limits::default())
}

/// [`read`] with explicit limits.
pub fn read_with(bytes: &[u8], limits: &Limits) -> Result<Message, ReadError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(ReadError::not_xml(format!(
            "The file is {} bytes, over the {} byte limit; it is refused.",
            bytes.len(),
            limits.max_input_bytes
        )));
    }
    let u = unwrap(bytes)?;
    let mut diagnostics = u.diagnostics;
    let ebxml = match u.ebxml {
        Some(b) => {
            let b = to_utf8(b);
            match std::str::from_utf8(&b) {
                Ok(s) => Some(read_envelope(s, limits, &mut diagnostics)),
                Err(e) => {
                    diagnostics.push(Diagnostic::new(
                        Severity::Error,
                        format!("The ebXML envelope is not valid UTF-8 ({e}); it was not read."),
                        "ebXML",
                    ));
                    None
                }
            }
        }
        None => None,
    };
    let hl7 = match u.payload {
        Some(p) => {
            let p = to_utf8(p);
            Some(read_hl7(&p, limits, "payload", &mut diagnostics)?)
        }
        None => None,
    };
    let action = ebxml.as_ref().and_then(|e| e.action.as_deref()).map(str::trim);
    let interaction = match (&hl7, action) {
        (Some(h), _) => h.interaction,
        (None, Some(a)) => Interaction::from_root_element(a).ok_or_else(|| {
            ReadError::not_gp2gp(format!(
                "The ebXML envelope's action {a:?} is not a GP2GP interaction."
            ))
        })?,
        (None, None) => {
            return Err(ReadError::not_gp2gp(
                "The file is an ebXML envelope with neither an HL7 payload nor an action.",
            ))
        }
    };
    if let Some(h) = &hl7 {
        if let Some(id) = h.wrapper.interaction_id.as_deref() {
            if id.trim() != interaction.id() {
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    format!(
                        "The interactionId says {id} but the root element is {}.",
                        interaction.id()
                    ),
                    "payload/interactionId",
                ));
            }
        }
        if let Some(a) = action {
            if interaction != Interaction::BareEhrExtract && a != interaction.id() {
                diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    format!("The ebXML action is {a} but the payload is {}.", interaction.id()),
                    "ebXML/Action",
                ));
            }
        }
    }
    let mut attachments = u.attachments;
    if let Some(eb) = &ebxml {
        link_attachments(eb, &mut attachments);
    }
    let (wrapper, mut extract, request, acknowledgement, mut common_content) = match hl7 {
        Some(h) => (
            h.wrapper,
            h.extract,
            h.request,
            h.acknowledgement,
            h.common_content,
        ),
        None => (Wrapper::default(), None, None, None, None),
    };
    if let Some(c) = common_content.as_mut() {
        c.role = if c.acknowledgement.is_some() {
            CommonContentRole::Continue
        } else if ebxml.as_ref().is_some_and(|e| {
            e.attachment_references()
                .any(|r| r.kind == ReferenceKind::MessageId)
        }) || !u.external.is_empty()
        {
            CommonContentRole::FragmentIndex
        } else {
            CommonContentRole::Fragment
        };
    }
    let counts = match extract.as_mut() {
        Some(x) => analyse(x, ebxml.as_ref(), &attachments),
        None => Counts::default(),
    };
    if let Some(x) = &extract {
        if x.nhs_number.is_none() && interaction != Interaction::BareEhrExtract {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                "The extract gives no NHS number; the patient must be matched by hand.",
                "EhrExtract/recordTarget",
            ));
        }
    }
    Ok(Message {
        container: u.container,
        interaction,
        ebxml,
        wrapper,
        extract,
        request,
        acknowledgement,
        common_content,
        attachments,
        external_attachments: u.external,
        counts,
        diagnostics,
    })
}

/// Matches attachments to manifest references: by content id, else (JSON attachments carry none)
/// in order over the `cid:` references after the payload.
fn link_attachments(eb: &EbXml, attachments: &mut [crate::attachment::InlineAttachment]) {
    let cid_refs: Vec<usize> = eb
        .manifest
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_payload && r.kind == ReferenceKind::ContentId)
        .map(|(i, _)| i)
        .collect();
    let mut next = 0;
    for a in attachments.iter_mut() {
        let by_id = a.content_id.as_deref().and_then(|cid| {
            eb.manifest
                .iter()
                .position(|r| r.kind == ReferenceKind::ContentId && r.target.eq_ignore_ascii_case(cid))
        });
        let idx = by_id.or_else(|| {
            let i = cid_refs.get(next).copied();
            next += 1;
            i
        });
        a.manifest_index = idx;
        if let Some(r) = idx.and_then(|i| eb.manifest.get(i)) {
            let has_pairs = a.description.as_deref().is_some_and(|d| d.contains('='));
            if !has_pairs && !r.description.trim().is_empty() {
                a.description = Some(r.description.clone());
            }
        }
    }
}
