//! Small helpers over quick-xml shared by the readers in this crate.

use std::borrow::Cow;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::name::{Namespace, QName, ResolveResult};
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

/// The attributes the HL7 reader looks at, by local name (any prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Root,
    Extension,
    Code,
    CodeSystem,
    DisplayName,
    NullFlavor,
    Value,
    Unit,
    TypeCode,
    ClassCode,
    MoodCode,
    MediaType,
    Type,
    Inverted,
}

const KEYS: usize = 14;

fn key_of(local: &[u8]) -> Option<Key> {
    Some(match local.len() {
        4 => match local {
            b"root" => Key::Root,
            b"code" => Key::Code,
            b"unit" => Key::Unit,
            b"type" => Key::Type,
            _ => return None,
        },
        5 if local == b"value" => Key::Value,
        8 => match local {
            b"typeCode" => Key::TypeCode,
            b"moodCode" => Key::MoodCode,
            b"inverted" => Key::Inverted,
            _ => return None,
        },
        9 => match local {
            b"extension" => Key::Extension,
            b"classCode" => Key::ClassCode,
            b"mediaType" => Key::MediaType,
            _ => return None,
        },
        10 => match local {
            b"codeSystem" => Key::CodeSystem,
            b"nullFlavor" => Key::NullFlavor,
            _ => return None,
        },
        11 if local == b"displayName" => Key::DisplayName,
        _ => return None,
    })
}

// Word-at-a-time byte search (attribute text is short but scanned for every element).
const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGHS: u64 = ONES << 7;

const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// High bit set in each byte of `x` that is zero. Bits above a real zero byte may be set wrongly
/// (borrows), never below one: the lowest set bit is exact.
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

fn word(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Where `quote` next occurs in `b` from `from`, and whether a byte before it is one that
/// attribute-value normalisation may change (`\t`, `\r`, `\n`, `&`; other control characters are
/// reported too, which only costs a normalisation that changes nothing).
fn value_end(b: &[u8], from: usize, quote: u8) -> Option<(usize, bool)> {
    let mut i = from;
    let mut special = false;
    while i + 8 <= b.len() {
        let w = word(b, i);
        let q = zero_bytes(w ^ splat(quote));
        // Bytes below 0x20, and `&`.
        let s = (w.wrapping_sub(splat(0x20)) & !w & HIGHS) | zero_bytes(w ^ splat(b'&'));
        if q != 0 {
            let below = (q & q.wrapping_neg()) - 1;
            return Some((i + (q.trailing_zeros() / 8) as usize, special || s & below != 0));
        }
        special |= s != 0;
        i += 8;
    }
    while i < b.len() {
        if b[i] == quote {
            return Some((i, special));
        }
        special |= b[i] < 0x20 || b[i] == b'&';
        i += 1;
    }
    None
}

/// The attributes of one start tag, read in a single pass the first time one is asked for (most
/// elements never are). Each key holds the first attribute with that local name, exactly as
/// [`attr`] would find it, borrowed from the input until a `String` is asked for.
pub(crate) struct Attrs<'e> {
    start: &'e BytesStart<'e>,
    parsed: bool,
    /// The raw value and whether it holds a character that attribute-value normalisation changes.
    found: [Option<(&'e str, bool)>; KEYS],
}

const fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// Characters XML 1.0 attribute-value normalisation replaces (quick-xml leaves a value without any
/// of them as it is).
const fn needs_normalising(b: u8) -> bool {
    matches!(b, b'\t' | b'\r' | b'\n' | b'&')
}

impl<'e> Attrs<'e> {
    pub(crate) fn new(start: &'e BytesStart<'e>) -> Self {
        Attrs {
            start,
            parsed: false,
            found: [None; KEYS],
        }
    }

    fn keep(&mut self, key: &[u8], value: &'e str, normalise: bool) {
        // `QName::local_name`: after the first colon.
        let local = match key.iter().position(|&c| c == b':') {
            Some(p) => &key[p + 1..],
            None => key,
        };
        if let Some(k) = key_of(local) {
            let slot = &mut self.found[k as usize];
            if slot.is_none() {
                *slot = Some((value, normalise));
            }
        }
    }

    /// The common case, `name="value"` pairs (any XML whitespace, either quote), read in one pass.
    /// This is the path on which quick-xml's attribute iterator yields every attribute as `Ok` with
    /// exactly these key and value spans. Returns false on anything else (the caller then falls
    /// back to quick-xml's iterator, errors, recovery and all).
    fn scan_simple(&mut self) -> bool {
        let raw: &'e str = self.start.attributes_raw();
        let b = raw.as_bytes();
        let skip_space = |mut i: usize| {
            while i < b.len() && is_xml_space(b[i]) {
                i += 1;
            }
            i
        };
        let mut i = 0;
        loop {
            i = skip_space(i);
            if i == b.len() {
                return true;
            }
            // The key's first byte is taken whatever it is (as quick-xml does, even `=`).
            let key_start = i;
            i += 1;
            while i < b.len() && b[i] != b'=' && !is_xml_space(b[i]) {
                i += 1;
            }
            let key_end = i;
            i = skip_space(i);
            if b.get(i) != Some(&b'=') {
                return false;
            }
            i = skip_space(i + 1);
            let quote = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return false,
            };
            let value_start = i + 1;
            let Some((value_end, normalise)) = value_end(b, value_start, quote) else {
                return false;
            };
            self.keep(&b[key_start..key_end], &raw[value_start..value_end], normalise);
            i = value_end + 1;
        }
    }

    fn parse(&mut self) {
        self.parsed = true;
        if self.scan_simple() {
            return;
        }
        self.found = [None; KEYS];
        for a in self.start.attributes().with_checks(false).flatten() {
            // The iterator always borrows from the tag.
            if let Cow::Borrowed(v) = a.value {
                let normalise = v.bytes().any(needs_normalising);
                self.keep(a.key.0.as_bytes(), v, normalise);
            }
        }
    }

    fn slot(&mut self, k: Key) -> Option<(&'e str, bool)> {
        if !self.parsed {
            self.parse();
        }
        self.found[k as usize]
    }

    /// The normalised value (raw if it cannot be normalised), borrowed when nothing changed: what
    /// `Attribute::normalized_value` gives.
    pub(crate) fn get(&mut self, k: Key) -> Option<Cow<'e, str>> {
        let (v, normalise) = self.slot(k)?;
        if !normalise {
            return Some(Cow::Borrowed(v));
        }
        let a = Attribute {
            key: QName(""),
            value: Cow::Borrowed(v),
        };
        Some(
            a.normalized_value(XmlVersion::default())
                .unwrap_or(Cow::Borrowed(v)),
        )
    }

    /// [`Attrs::get`] as an owned `String`: what [`attr`] returns.
    pub(crate) fn string(&mut self, k: Key) -> Option<String> {
        self.get(k).map(Cow::into_owned)
    }

    pub(crate) fn has(&mut self, k: Key) -> bool {
        self.slot(k).is_some()
    }
}

/// Whether a start tag's attribute text could declare a namespace (`xmlns="..."`, `xmlns:p="..."`).
/// Every declaration has `xmlns` in it; a tag without it declares nothing.
pub(crate) fn may_declare_namespace(attributes: &str) -> bool {
    let b = attributes.as_bytes();
    let mut i = 0;
    while i + 8 <= b.len() {
        let mut m = zero_bytes(word(b, i) ^ splat(b'x'));
        while m != 0 {
            if b[i + (m.trailing_zeros() / 8) as usize..].starts_with(b"xmlns") {
                return true;
            }
            m &= m - 1;
        }
        i += 8;
    }
    (i..b.len()).any(|k| b[k..].starts_with(b"xmlns"))
}

/// The attribute with this local name (any prefix), normalised; same as [`attr`].
pub(crate) fn attr_local(start: &BytesStart<'_>, local: &str) -> Option<String> {
    attr(start, local)
}

/// Whether [`push_text`] would resolve this reference (without building the text).
pub(crate) fn is_known_ref(r: &BytesRef<'_>) -> bool {
    match r.resolve_char_ref() {
        Ok(Some(_)) => true,
        Ok(None) => {
            let name: &str = r;
            matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        }
        Err(_) => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS_BY_NAME: [(&str, Key); KEYS] = [
        ("root", Key::Root),
        ("extension", Key::Extension),
        ("code", Key::Code),
        ("codeSystem", Key::CodeSystem),
        ("displayName", Key::DisplayName),
        ("nullFlavor", Key::NullFlavor),
        ("value", Key::Value),
        ("unit", Key::Unit),
        ("typeCode", Key::TypeCode),
        ("classCode", Key::ClassCode),
        ("moodCode", Key::MoodCode),
        ("mediaType", Key::MediaType),
        ("type", Key::Type),
        ("inverted", Key::Inverted),
    ];

    /// Every key read through `Attrs` equals what quick-xml's attribute iterator gives (`attr`).
    fn same_as_quick_xml(raw: &str) {
        let content = format!("tag{raw}");
        let start = BytesStart::from_content(content.as_str(), 3);
        let mut attrs = Attrs::new(&start);
        for (name, key) in KEYS_BY_NAME {
            assert_eq!(attrs.string(key), attr(&start, name), "{name} in {raw:?}");
            assert_eq!(attrs.has(key), attr(&start, name).is_some(), "{name} in {raw:?}");
        }
    }

    #[test]
    fn attribute_scan_matches_quick_xml() {
        for raw in [
            "",
            " ",
            r#" code="a" codeSystem='b' displayName="c&amp;d""#,
            r#" xsi:type="CD" hl7:code = "x"	value="1"unit="mg""#,
            r#" code="a" code="b""#,
            r#" ="x" code="y""#,
            r#" code"#,
            r#" code="unterminated"#,
            r#" code=bare value="v""#,
            r#" a b="c" code="d""#,
            " code=\"a\r\nb\tc\" value=\"&#x41;&bogus;\"",
            r#" :code="a" p:q:code="b" root=''"#,
            " root=\"\u{e9}t\u{e9}\" extension='x\"y'",
            r#" displayName="abcdefghijklmnop&amp;qrstuvwxyz" code="x""#,
            " displayName=\"abcdefghij\tklmnop\" root=\"0123456789abcdef\"",
            r#" root="0123456" extension="01234567" value="&#x41;0123456789""#,
            " value=\"0123456\u{1}89\" unit='\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}&lt;'",
        ] {
            same_as_quick_xml(raw);
        }
        // Random attribute text over the characters that matter to the grammar.
        const ALPHABET: &[&str] = &[
            " ", "\t", "\n", "=", "\"", "'", ":", "&", "&amp;", "code", "value", "root", "x", "\u{e9}",
        ];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            let mut raw = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 24) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                raw.push_str(ALPHABET[(state % ALPHABET.len() as u64) as usize]);
            }
            same_as_quick_xml(&raw);
        }
    }

    #[test]
    fn namespace_declarations_are_spotted() {
        assert!(may_declare_namespace(r#" xmlns="urn:hl7-org:v3""#));
        assert!(may_declare_namespace(r#" a="b" xmlns:hl7="urn:hl7-org:v3""#));
        assert!(!may_declare_namespace(r#" classCode="OBS" moodCode="EVN""#));
        assert!(!may_declare_namespace("xmln"));
    }
}
