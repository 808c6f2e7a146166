//! Unwrapping the physical container (format §2): bare XML, SOAP envelope, `multipart/related`
//! MIME (with or without HTTP headers and junk before the first boundary) and the messaging
//! adaptor's JSON.

use std::borrow::Cow;

use serde_json::Value as Json;

use crate::attachment::{clean_id, ExternalAttachment, InlineAttachment};
use crate::diagnostic::{Diagnostic, Severity};
use crate::message::Container;
use crate::ReadError;

/// The parts of a message before any XML is read.
pub(crate) struct Unwrapped<'a> {
    pub container: Container,
    pub ebxml: Option<Cow<'a, [u8]>>,
    pub payload: Option<Cow<'a, [u8]>>,
    pub attachments: Vec<InlineAttachment>,
    pub external: Vec<ExternalAttachment>,
    pub diagnostics: Vec<Diagnostic>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn trim_start(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    &b[start..]
}

/// Splits `bytes` into envelope, payload and attachments.
pub(crate) fn unwrap(bytes: &[u8]) -> Result<Unwrapped<'_>, ReadError> {
    let body = trim_start(bytes);
    if body.is_empty() {
        return Err(ReadError::not_xml("The file is empty."));
    }
    match body[0] {
        b'<' => {
            if root_local_name(body) == Some("Envelope") {
                Ok(Unwrapped {
                    container: Container::Envelope,
                    ebxml: Some(Cow::Borrowed(body)),
                    payload: None,
                    attachments: Vec::new(),
                    external: Vec::new(),
                    diagnostics: Vec::new(),
                })
            } else {
                Ok(Unwrapped {
                    container: Container::BareXml,
                    ebxml: None,
                    payload: Some(Cow::Borrowed(body)),
                    attachments: Vec::new(),
                    external: Vec::new(),
                    diagnostics: Vec::new(),
                })
            }
        }
        b'{' => unwrap_json(body),
        _ => match find_boundary(bytes) {
            Some(boundary) => unwrap_mime(bytes, &boundary),
            None => Err(ReadError::not_xml("The file does not start with XML markup.")),
        },
    }
}

/// The local name of the first element, skipping the prolog, comments and processing instructions.
fn root_local_name(b: &[u8]) -> Option<&str> {
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i + 1..];
        if rest.starts_with(b"?") {
            i += find(rest, b"?>")? + 3;
        } else if rest.starts_with(b"!--") {
            i += find(rest, b"-->")? + 4;
        } else if rest.starts_with(b"!") {
            return None;
        } else {
            let end = rest
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')?;
            let name = std::str::from_utf8(&rest[..end]).ok()?;
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
    None
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    memchr_find(hay, needle)
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut start = 0;
    while let Some(p) = hay[start..].iter().position(|&c| c == first) {
        let at = start + p;
        if hay.len() - at < needle.len() {
            return None;
        }
        if &hay[at..at + needle.len()] == needle {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

fn json_str(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

fn json_bool(v: Option<&Json>) -> Option<bool> {
    match v? {
        Json::Bool(b) => Some(*b),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => None,
        },
        Json::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

fn unquote(s: String) -> String {
    let t = s.trim();
    let stripped = t
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')));
    match stripped {
        Some(x) => x.to_owned(),
        None => s,
    }
}

fn looks_base64(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') || b.is_ascii_whitespace())
}

fn unwrap_json(body: &[u8]) -> Result<Unwrapped<'_>, ReadError> {
    let v: Json = serde_json::from_slice(body).map_err(|e| {
        ReadError::not_xml(format!(
            "The file starts like JSON but is not valid JSON ({e}), nor XML."
        ))
    })?;
    let Json::Object(map) = v else {
        return Err(ReadError::not_gp2gp(
            "The file is JSON, but not a messaging adaptor message object.",
        ));
    };
    // Keys are matched case-insensitively (`ebXML`, `ebxml`).
    let get = |key: &str| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    };
    let ebxml = json_str(get("ebXML")).filter(|s| !s.trim().is_empty());
    let payload = json_str(get("payload")).filter(|s| !s.trim().is_empty());
    if ebxml.is_none() && payload.is_none() {
        return Err(ReadError::not_gp2gp(
            "The file is JSON, but has neither an `ebXML` nor a `payload` member: not a GP2GP message.",
        ));
    }
    let mut diagnostics = Vec::new();
    let mut attachments = Vec::new();
    if let Some(Json::Array(items)) = get("attachments") {
        for (i, item) in items.iter().enumerate() {
            let field = |k: &str| item.get(k).or_else(|| item.get(snake_to_camel(k).as_str()));
            let payload = json_str(field("payload")).unwrap_or_default();
            let base64 = match json_bool(field("is_base64")) {
                Some(b) => b,
                None => {
                    let guess = looks_base64(&payload);
                    diagnostics.push(Diagnostic::new(
                        Severity::Warning,
                        format!(
                            "Attachment {i} does not say whether it is base64; treated as {}.",
                            if guess { "base64" } else { "plain" }
                        ),
                        format!("attachments[{i}]"),
                    ));
                    guess
                }
            };
            attachments.push(InlineAttachment {
                content_id: json_str(field("content_id")).map(|c| clean_id(&c).to_owned()),
                content_type: json_str(field("content_type")),
                description: json_str(field("description")),
                base64,
                manifest_index: None,
                body: payload.into_bytes(),
            });
        }
    }
    let mut external = Vec::new();
    if let Some(Json::Array(items)) = get("external_attachments") {
        for item in items {
            let field = |k: &str| item.get(k).or_else(|| item.get(snake_to_camel(k).as_str()));
            external.push(ExternalAttachment {
                message_id: json_str(field("message_id")),
                document_id: json_str(field("document_id")),
                title: json_str(field("title")).map(unquote),
                description: json_str(field("description")),
            });
        }
    }
    Ok(Unwrapped {
        container: Container::MhsJson,
        ebxml: ebxml.map(|s| Cow::Owned(s.into_bytes())),
        payload: payload.map(|s| Cow::Owned(s.into_bytes())),
        attachments,
        external,
        diagnostics,
    })
}

fn snake_to_camel(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut up = false;
    for c in k.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The `boundary=` parameter from the first 64 KiB (HTTP or MIME headers, possibly after junk).
fn find_boundary(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let pos = find(&lower, b"boundary=")? + "boundary=".len();
    let rest = &head[pos..];
    let value = if rest.first() == Some(&b'"') {
        let end = rest[1..].iter().position(|&c| c == b'"')?;
        &rest[1..1 + end]
    } else {
        let end = rest
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b';' || *c == b'"')
            .unwrap_or(rest.len());
        &rest[..end]
    };
    (!value.is_empty()).then(|| value.to_vec())
}

struct Part<'a> {
    content_id: Option<String>,
    content_type: Option<String>,
    base64: bool,
    body: &'a [u8],
}

fn unwrap_mime<'a>(bytes: &'a [u8], boundary: &[u8]) -> Result<Unwrapped<'a>, ReadError> {
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary);
    let mut parts: Vec<Part<'a>> = Vec::new();
    let mut diagnostics = Vec::new();
    // Delimiters must start a line; the first may follow junk.
    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(p) = find(&bytes[from..], &delim) {
        let at = from + p;
        let line_start = at == 0 || bytes[at - 1] == b'\n';
        if line_start || positions.is_empty() {
            positions.push(at);
        }
        from = at + delim.len();
    }
    if positions.is_empty() {
        return Err(ReadError::not_xml(
            "The file names a MIME boundary but contains no part delimited by it.",
        ));
    }
    let mut closed = false;
    for w in 0..positions.len() {
        let start = positions[w] + delim.len();
        if bytes[start..].starts_with(b"--") {
            closed = true;
            break;
        }
        let end = positions.get(w + 1).copied().unwrap_or(bytes.len());
        let mut part = &bytes[start..end];
        // Skip the rest of the delimiter line.
        if let Some(nl) = part.iter().position(|&c| c == b'\n') {
            part = &part[nl + 1..];
        } else {
            continue;
        }
        // The line break before the next delimiter belongs to the delimiter.
        if part.ends_with(b"\r\n") {
            part = &part[..part.len() - 2];
        } else if part.ends_with(b"\n") {
            part = &part[..part.len() - 1];
        }
        let (headers, body) = match find(part, b"\r\n\r\n") {
            Some(p) => (&part[..p], &part[p + 4..]),
            None => match find(part, b"\n\n") {
                Some(p) => (&part[..p], &part[p + 2..]),
                None => (part, &part[part.len()..]),
            },
        };
        let headers = String::from_utf8_lossy(headers);
        let mut p = Part {
            content_id: None,
            content_type: None,
            base64: false,
            body,
        };
        for line in headers.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-id" => p.content_id = Some(clean_id(value).to_owned()),
                "content-type" => {
                    p.content_type = Some(value.split(';').next().unwrap_or(value).trim().to_owned())
                }
                "content-transfer-encoding" => p.base64 = value.eq_ignore_ascii_case("base64"),
                _ => {}
            }
        }
        parts.push(p);
    }
    if !closed {
        diagnostics.push(Diagnostic::new(
            Severity::Warning,
            "The MIME body has no closing delimiter; the message may be truncated.",
            "mime",
        ));
    }
    // Part 1 is the SOAP envelope; the payload is the first part whose body is HL7 XML (normally the
    // second, named by the manifest's first `cid:`), the rest are attachments.
    let mut it = parts.into_iter();
    let Some(first) = it.next() else {
        return Err(ReadError::not_xml("The MIME body holds no parts."));
    };
    let mut ebxml = None;
    let mut payload = None;
    let mut attachments = Vec::new();
    let first_root = root_local_name(trim_start(first.body));
    if first_root == Some("Envelope") {
        ebxml = Some(Cow::Borrowed(trim_start(first.body)));
    } else {
        payload = Some(Cow::Borrowed(trim_start(first.body)));
    }
    for p in it {
        if payload.is_none() && !p.base64 && root_local_name(trim_start(p.body)).is_some() {
            payload = Some(Cow::Borrowed(trim_start(p.body)));
            continue;
        }
        attachments.push(InlineAttachment {
            content_id: p.content_id,
            content_type: p.content_type,
            description: None,
            base64: p.base64,
            manifest_index: None,
            body: p.body.to_vec(),
        });
    }
    Ok(Unwrapped {
        container: Container::Mime,
        ebxml,
        payload,
        attachments,
        external: Vec::new(),
        diagnostics,
    })
}

/// Makes `xml` UTF-8: a prolog declaring ISO-8859-1/Windows-1252 on bytes that are not UTF-8 is
/// transcoded; anything else is left for the XML reader (which refuses invalid UTF-8).
pub(crate) fn to_utf8(xml: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let b = trim_start(&xml);
    let declared = if b.starts_with(b"<?xml") {
        let end = find(b, b"?>").unwrap_or(0);
        let decl = String::from_utf8_lossy(&b[..end]).to_ascii_lowercase();
        decl.contains("iso-8859-1") || decl.contains("latin1") || decl.contains("windows-1252")
    } else {
        false
    };
    if declared && std::str::from_utf8(&xml).is_err() {
        let s: String = xml.iter().map(|&c| char::from(c)).collect();
        return Cow::Owned(s.into_bytes());
    }
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_with_http_headers_and_junk() {
        let msg = b"\x00\x01\xff\xfdjunk boundary=\"--=_MIME-Boundary\" start=\"<a>\"\r\n\r\n----=_MIME-Boundary\r\nContent-Id: <ebXMLHeader@spine.nhs.uk>\r\nContent-Type: text/xml\r\n\r\n<SOAP:Envelope xmlns:SOAP=\"http://schemas.xmlsoap.org/soap/envelope/\"/>\r\n----=_MIME-Boundary\r\nContent-Id: <p@x>\r\nContent-Type: application/xml; charset=ISO-8859-1\r\n\r\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><EhrExtract/>\r\n----=_MIME-Boundary\r\nContent-Id: <att@x>\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n----=_MIME-Boundary--\r\n";
        let u = unwrap(msg).unwrap();
        assert_eq!(u.container, Container::Mime);
        assert!(u.ebxml.unwrap().starts_with(b"<SOAP:Envelope"));
        assert!(u.payload.unwrap().ends_with(b"<EhrExtract/>"));
        assert_eq!(u.attachments.len(), 1);
        assert_eq!(u.attachments[0].content_id.as_deref(), Some("att@x"));
        assert_eq!(u.attachments[0].decode().unwrap(), b"hello");
    }

    #[test]
    fn latin1_is_transcoded_only_when_declared() {
        let x = to_utf8(Cow::Borrowed(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>",
        ));
        assert!(std::str::from_utf8(&x).unwrap().contains("caf\u{e9}"));
    }
}
