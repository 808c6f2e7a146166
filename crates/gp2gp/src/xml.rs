//! Small helpers over quick-xml shared by the readers in this crate.

use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::XmlVersion;

/// The HL7 v3 namespace every GP2GP payload element lives in.
pub(crate) const HL7_NS: &str = "urn:hl7-org:v3";

/// Deepest element nesting we agree to read. Real extracts stay under 40 levels.
pub(crate) const MAX_DEPTH: usize = 256;

/// The UTF-8 byte order mark some suppliers (EMIS) put before the XML declaration.
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// True when the element is in the HL7 namespace (or in no namespace at all, as in bare
/// `<EhrExtract>` test fragments without an `xmlns`).
pub(crate) fn is_hl7(ns: &ResolveResult<'_>) -> bool {
    match ns {
        ResolveResult::Bound(Namespace(uri)) => *uri == HL7_NS,
        ResolveResult::Unbound => true,
        ResolveResult::Unknown(_) => false,
    }
}

/// The unescaped value of the attribute with this local name (any prefix), if present.
pub(crate) fn attr(start: &BytesStart<'_>, local: &str) -> Option<String> {
    start
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| match a.normalized_value(XmlVersion::default()) {
            Ok(v) => v.into_owned(),
            Err(_) => a.value.into_owned(),
        })
}

/// The attribute with this local name (any prefix), normalised; same as [`attr`].
pub(crate) fn attr_local(start: &BytesStart<'_>, local: &str) -> Option<String> {
    attr(start, local)
}

/// Appends the text an entity or character reference stands for. Only the five predefined entities
/// and character references exist in GP2GP (DOCTYPEs are refused); anything else is kept as written.
/// Returns false when the reference could not be resolved.
pub(crate) fn push_text(out: &mut String, r: &BytesRef<'_>) -> bool {
    match r.resolve_char_ref() {
        Ok(Some(c)) => {
            out.push(c);
            true
        }
        Ok(None) => {
            let name: &str = r;
            match name {
                "amp" => out.push('&'),
                "lt" => out.push('<'),
                "gt" => out.push('>'),
                "quot" => out.push('"'),
                "apos" => out.push('\''),
                other => {
                    out.push('&');
                    out.push_str(other);
                    out.push(';');
                    return false;
                }
            }
            true
        }
        Err(_) => {
            out.push('&');
            out.push_str(r);
            out.push(';');
            false
        }
    }
}
