//! Large messages (format §15): attachments sent by `mid:` as their own COPC messages, large
//! attachments split over a fragment index and fragments, and skeleton extracts.

use std::collections::HashMap;
use std::io::{self, Read};

use crate::attachment::{clean_id, decoded_reader, InlineAttachment};
use crate::container::{find, to_utf8, unwrap};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ebxml::{ManifestReference, ReferenceKind};
use crate::message::Message;
use crate::{read, ReadError};

/// One attachment of the core message, put together from wherever its bytes travelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssembledFile {
    /// The core manifest's reference to it.
    pub reference: ManifestReference,
    /// The bytes as sent, slices concatenated in manifest order (still base64 when `base64`).
    pub encoded: Vec<u8>,
    pub base64: bool,
    /// How many slices were joined.
    pub slices: usize,
    /// Every slice arrived.
    pub complete: bool,
}

impl AssembledFile {
    /// The file name from the manifest.
    pub fn filename(&self) -> Option<&str> {
        self.reference.filename.as_deref()
    }

    /// The decoded file as a stream: base64 once over the joined slices, then gunzip if the bytes
    /// are gzip (sniffed; the `Compressed=` flag is not trusted).
    pub fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        decoded_reader(&self.encoded, self.base64)
    }

    /// The decoded file in memory.
    pub fn decode(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open()?.read_to_end(&mut out)?;
        Ok(out)
    }
}

/// A `mid:` reference for which no message was supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingPart {
    /// The ebXML MessageId awaited.
    pub message_id: String,
    pub filename: Option<String>,
    /// The fragment index that names it (None: named by the core itself).
    pub index_message_id: Option<String>,
}

/// The result of [`assemble`].
#[derive(Debug, Clone)]
pub struct Assembly {
    /// The core message as read.
    pub core: Message,
    /// Every non-payload manifest reference of the core, assembled as far as possible.
    pub files: Vec<AssembledFile>,
    /// `mid:` messages that were not among the parts (recursively through fragment indexes).
    pub missing: Vec<MissingPart>,
    /// For a skeleton extract whose real content arrived: the record with the skeleton resolved.
    pub resolved: Option<Message>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Assembly {
    /// True when nothing is missing.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.files.iter().all(|f| f.complete)
    }
}

fn key(id: &str) -> String {
    clean_id(id).to_ascii_uppercase()
}

/// The attachment a message carries for one of its manifest references.
fn carried_exact<'m>(m: &'m Message, r: &ManifestReference) -> Option<&'m InlineAttachment> {
    let idx = m
        .ebxml
        .as_ref()
        .and_then(|eb| eb.manifest.iter().position(|x| x == r));
    m.attachments
        .iter()
        .find(|a| idx.is_some() && a.manifest_index == idx)
        .or_else(|| m.attachment(&r.target))
}

/// The attachment for a reference, else the message's only (first) attachment.
fn carried<'m>(m: &'m Message, r: Option<&ManifestReference>) -> Option<&'m InlineAttachment> {
    r.and_then(|r| carried_exact(m, r))
        .or_else(|| m.attachments.first())
}

/// Puts a large message together: the core (an RCMR_IN030000UK06/UK07 in any container) and any
/// number of COPC_IN000001UK01 parts (in any order; parts that are not needed are ignored). Reports
/// what is still missing rather than failing. Fails only if the core itself cannot be read.
pub fn assemble(core: &[u8], parts: &[&[u8]]) -> Result<Assembly, ReadError> {
    let core_msg = read(core)?;
    let mut diagnostics = Vec::new();
    let mut by_mid: HashMap<String, Message> = HashMap::new();
    for (i, p) in parts.iter().enumerate() {
        match read(p) {
            Ok(m) => match m.ebxml.as_ref().and_then(|e| e.message_id.as_deref()) {
                Some(mid) => {
                    by_mid.insert(key(mid), m);
                }
                None => diagnostics.push(Diagnostic::new(
                    Severity::Warning,
                    "A part has no ebXML MessageId, so it cannot be matched to a manifest reference.",
                    format!("parts[{i}]"),
                )),
            },
            Err(e) => diagnostics.push(Diagnostic::new(
                Severity::Error,
                format!("A part could not be read: {e}"),
                format!("parts[{i}]"),
            )),
        }
    }
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let refs: Vec<ManifestReference> = core_msg
        .ebxml
        .as_ref()
        .map(|e| e.attachment_references().cloned().collect())
        .unwrap_or_default();
    for r in refs {
        let mut file = AssembledFile {
            reference: r.clone(),
            encoded: Vec::new(),
            base64: true,
            slices: 0,
            complete: true,
        };
        match r.kind {
            ReferenceKind::ContentId => match carried_exact(&core_msg, &r) {
                Some(a) => add_slice(&mut file, a),
                None => {
                    file.complete = false;
                    diagnostics.push(Diagnostic::new(
                        Severity::Warning,
                        format!("The manifest names {} but the message does not carry it.", r.href),
                        "ebXML/Manifest",
                    ));
                }
            },
            ReferenceKind::MessageId => match by_mid.get(&key(&r.target)) {
                None => {
                    file.complete = false;
                    missing.push(MissingPart {
                        message_id: r.target.clone(),
                        filename: r.filename.clone(),
                        index_message_id: None,
                    });
                }
                Some(part) => {
                    let sub: Vec<ManifestReference> = part
                        .ebxml
                        .as_ref()
                        .map(|e| e.attachment_references().cloned().collect())
                        .unwrap_or_default();
                    let is_index = sub.iter().any(|s| s.kind == ReferenceKind::MessageId);
                    if is_index {
                        for s in &sub {
                            match s.kind {
                                ReferenceKind::ContentId => match carried_exact(part, s) {
                                    Some(a) => add_slice(&mut file, a),
                                    None => file.complete = false,
                                },
                                ReferenceKind::MessageId => match by_mid.get(&key(&s.target)) {
                                    Some(frag) => match carried(frag, None) {
                                        Some(a) => add_slice(&mut file, a),
                                        None => {
                                            file.complete = false;
                                            diagnostics.push(Diagnostic::new(
                                                Severity::Error,
                                                format!("Fragment {} carries no attachment.", s.target),
                                                "parts",
                                            ));
                                        }
                                    },
                                    None => {
                                        file.complete = false;
                                        missing.push(MissingPart {
                                            message_id: s.target.clone(),
                                            filename: s.filename.clone(),
                                            index_message_id: Some(r.target.clone()),
                                        });
                                    }
                                },
                                ReferenceKind::Other => {}
                            }
                        }
                    } else {
                        match carried(part, sub.first()) {
                            Some(a) => add_slice(&mut file, a),
                            None => file.complete = false,
                        }
                    }
                }
            },
            ReferenceKind::Other => file.complete = false,
        }
        if file.slices == 0 {
            file.complete = false;
        }
        files.push(file);
    }
    if files.iter().any(|f| f.slices > 1 && !f.base64) {
        diagnostics.push(Diagnostic::new(
            Severity::Error,
            "A large attachment mixes base64 and plain slices; it cannot be reassembled reliably.",
            "parts",
        ));
    }
    let resolved = resolve_skeleton(core, &core_msg, &files, &mut diagnostics);
    Ok(Assembly {
        core: core_msg,
        files,
        missing,
        resolved,
        diagnostics,
    })
}

fn add_slice(file: &mut AssembledFile, a: &InlineAttachment) {
    if file.slices > 0 && file.base64 != a.base64 {
        file.complete = false;
    }
    file.base64 = if file.slices == 0 {
        a.base64
    } else {
        file.base64 && a.base64
    };
    file.encoded.extend(
        a.body
            .iter()
            .copied()
            .filter(|b| !(a.base64 && b.is_ascii_whitespace())),
    );
    file.slices += 1;
}

/// Replaces a skeleton extract's stub with the real payload, when it arrived.
fn resolve_skeleton(
    core: &[u8],
    core_msg: &Message,
    files: &[AssembledFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Message> {
    let file = files.iter().find(|f| f.reference.skeleton)?;
    if !file.complete {
        return None;
    }
    let content = match file.decode() {
        Ok(c) => c,
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                Severity::Error,
                format!("The skeleton's real payload could not be decoded: {e}."),
                "skeleton",
            ));
            return None;
        }
    };
    // A whole RCMR_IN030000UK06 document replaces everything (off-spec, but it occurs).
    if let Ok(m) = read(&content) {
        if m.extract.is_some() && m.interaction.is_extract() {
            let mut m = m;
            m.ebxml = core_msg.ebxml.clone();
            return Some(m);
        }
    }
    // Otherwise the content replaces the stub statement that links `cid:<document id>`.
    let doc_id = file.reference.document_id()?.to_owned();
    let payload = to_utf8(unwrap(core).ok()?.payload?).into_owned();
    let needle = format!("cid:{doc_id}");
    let at = find(&payload, needle.as_bytes())?;
    let start = rfind_element_start(&payload[..at], b"NarrativeStatement")?;
    let close = find(&payload[at..], b"NarrativeStatement>").map(|p| at + p + "NarrativeStatement>".len())?;
    let content = strip_prolog(&content);
    let mut spliced = Vec::with_capacity(payload.len() + content.len());
    spliced.extend_from_slice(&payload[..start]);
    spliced.extend_from_slice(content);
    spliced.extend_from_slice(&payload[close..]);
    match read(&spliced) {
        Ok(mut m) => {
            m.ebxml = core_msg.ebxml.clone();
            m.container = core_msg.container;
            m.attachments = core_msg.attachments.clone();
            Some(m)
        }
        Err(e) => {
            diagnostics.push(Diagnostic::new(
                Severity::Error,
                format!("The extract with its skeleton replaced could not be read: {e}"),
                "skeleton",
            ));
            None
        }
    }
}

/// The start of the last `<NarrativeStatement` (any prefix) before the end of `hay`.
fn rfind_element_start(hay: &[u8], name: &[u8]) -> Option<usize> {
    let mut end = hay.len();
    while end >= name.len() {
        let pos = hay[..end].windows(name.len()).rposition(|w| w == name)?;
        // Walk back over a prefix to the `<`.
        let mut i = pos;
        while i > 0 && (hay[i - 1].is_ascii_alphanumeric() || hay[i - 1] == b':' || hay[i - 1] == b'_') {
            i -= 1;
        }
        if i > 0 && hay[i - 1] == b'<' {
            return Some(i - 1);
        }
        end = pos;
    }
    None
}

fn strip_prolog(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let t = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .map_or(b, |p| &b[p..]);
    if t.starts_with(b"<?xml") {
        if let Some(p) = find(t, b"?>") {
            return &t[p + 2..];
        }
    }
    t
}
