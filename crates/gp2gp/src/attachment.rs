//! Attachments carried in a message, decoding (base64, gzip sniffed by magic bytes) and
//! absent-attachment placeholders (format §14).

use std::io::{self, BufRead, BufReader, Read};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use flate2::read::MultiGzDecoder;

/// The gzip magic bytes: compression is sniffed, never taken from the `Compressed=` flag.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Standard base64 that tolerates missing padding and trailing bits (senders vary).
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// An attachment that travelled inside this message (a MIME part or a JSON `attachments[]` item),
/// kept as it was sent (still base64 when it was base64): decode it as a stream with [`Self::open`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAttachment {
    /// MIME `Content-Id` without `<>` (JSON attachments have none).
    pub content_id: Option<String>,
    /// Declared MIME type (not trusted: see [`Self::open`]).
    pub content_type: Option<String>,
    /// JSON `description` / the manifest description, as sent.
    pub description: Option<String>,
    /// Whether the body is base64 (transfer encoding, or JSON `is_base64`).
    pub base64: bool,
    /// The index of the matching manifest reference in [`crate::EbXml::manifest`], if known.
    pub manifest_index: Option<usize>,
    /// The body as sent.
    pub body: Vec<u8>,
}

impl InlineAttachment {
    /// The decoded bytes as a stream: base64 decoded (whitespace skipped) when base64, then
    /// gunzipped when the bytes start with the gzip magic, whatever the flags say.
    pub fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        decoded_reader(&self.body, self.base64)
    }

    /// The decoded bytes in memory (prefer [`Self::open`] for large files).
    pub fn decode(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// The file name from the manifest/JSON description (`Filename="..."`), if any.
    pub fn filename(&self) -> Option<String> {
        let d = self.description.as_deref()?;
        crate::ebxml::description_pairs(d)
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("filename"))
            .map(|(_, v)| v)
    }
}

/// A JSON `external_attachments[]` item: an attachment sent later by `mid:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalAttachment {
    pub message_id: Option<String>,
    /// `document_id` (also spelt `documentId`).
    pub document_id: Option<String>,
    /// `title`, with literal surrounding quotes removed.
    pub title: Option<String>,
    pub description: Option<String>,
}

/// Streams `body` decoded: base64 (if `base64`), then gzip if the decoded bytes start with the
/// gzip magic.
pub fn decoded_reader(body: &[u8], base64: bool) -> io::Result<Box<dyn Read + '_>> {
    let inner: Box<dyn Read + '_> = if base64 {
        Box::new(base64::read::DecoderReader::new(
            SkipWhitespace { inner: body },
            &BASE64,
        ))
    } else {
        Box::new(body)
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, inner);
    let head = buffered.fill_buf()?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(MultiGzDecoder::new(buffered)))
    } else {
        Ok(Box::new(buffered))
    }
}

/// A reader over a byte slice that drops ASCII whitespace (base64 bodies are wrapped in lines).
struct SkipWhitespace<'a> {
    inner: &'a [u8],
}

impl Read for SkipWhitespace<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && !self.inner.is_empty() {
            // Copy the longest run without whitespace in one go.
            let run = self
                .inner
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(self.inner.len());
            if run == 0 {
                let skip = self
                    .inner
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(self.inner.len());
                self.inner = &self.inner[skip..];
                continue;
            }
            let take = run.min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&self.inner[..take]);
            self.inner = &self.inner[take..];
            n += take;
        }
        Ok(n)
    }
}

/// An id compared the way GP2GP needs: trimmed, without `<>`, without a `cid:`/`mid:` prefix.
/// (Case is left alone; compare with `eq_ignore_ascii_case`.)
pub(crate) fn clean_id(id: &str) -> &str {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    crate::ebxml::strip_prefix_ci(id, "cid:")
        .or_else(|| crate::ebxml::strip_prefix_ci(id, "mid:"))
        .unwrap_or(id)
}

/// The content of an `AbsentAttachment<id>.txt` placeholder file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholder {
    /// The fixed sentence saying the file could not be included.
    pub statement: Option<String>,
    /// The original file name or description.
    pub original_name: Option<String>,
    /// The practice that created the placeholder (from `<ODS>:<conversation>`).
    pub ods: Option<String>,
    pub conversation_id: Option<String>,
    /// `Reason:<nn>:<text>`: the code...
    pub reason_code: Option<String>,
    /// ...and its text.
    pub reason_text: Option<String>,
}

/// Reads a placeholder file: a sentence, the original name, `<ODS>:<conversationId>` and
/// `Reason:<nn>:<text>` on separate lines (blank lines ignored, order tolerated).
/// Returns `None` when the text does not look like a placeholder.
pub fn parse_placeholder(text: &str) -> Option<Placeholder> {
    let mut p = Placeholder::default();
    let mut others: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(rest) = crate::ebxml::strip_prefix_ci(line, "reason:") {
            let (code, words) = rest.split_once(':').unwrap_or((rest, ""));
            p.reason_code = Some(code.trim().to_owned()).filter(|c| !c.is_empty());
            p.reason_text = Some(words.trim().to_owned()).filter(|c| !c.is_empty());
        } else if p.statement.is_none() && line.to_ascii_lowercase().contains("could not be included") {
            p.statement = Some(line.to_owned());
        } else {
            others.push(line);
        }
    }
    // `<ODS>:<conversation>`: one colon, no spaces, an ODS-like left side.
    let is_ods_line = |l: &str| {
        l.split_once(':').is_some_and(|(ods, conv)| {
            !ods.is_empty()
                && ods.len() <= 32
                && !ods.contains(char::is_whitespace)
                && !conv.is_empty()
                && !conv.contains(char::is_whitespace)
                && !conv.contains('/')
        })
    };
    if let Some(pos) = others.iter().position(|l| is_ods_line(l)) {
        let line = others.remove(pos);
        if let Some((ods, conv)) = line.split_once(':') {
            p.ods = Some(ods.to_owned());
            p.conversation_id = Some(conv.to_owned());
        }
    }
    p.original_name = others.first().map(|s| (*s).to_owned());
    (p.statement.is_some() || p.reason_code.is_some()).then_some(p)
}

/// The document id in an `AbsentAttachment<id>.txt` link, if the link is a placeholder.
pub fn absent_attachment_id(link: &str) -> Option<(String, Option<String>)> {
    let pos = link.find("AbsentAttachment")?;
    let file = &link[pos..];
    let file = file.split(['?', '#']).next().unwrap_or(file);
    let id = file
        .strip_prefix("AbsentAttachment")
        .map(|r| r.rsplit_once('.').map_or(r, |(s, _)| s));
    Some((file.to_owned(), id.map(str::to_owned).filter(|s| !s.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_text() {
        let p = parse_placeholder(
            "The file could not be included with the Electronic Record\n\ntest-to-ods-code:test-conversation-id\nReason:06:Unable to determine problem",
        )
        .unwrap();
        assert_eq!(p.ods.as_deref(), Some("test-to-ods-code"));
        assert_eq!(p.conversation_id.as_deref(), Some("test-conversation-id"));
        assert_eq!(p.reason_code.as_deref(), Some("06"));
        assert_eq!(p.reason_text.as_deref(), Some("Unable to determine problem"));
        let p =
            parse_placeholder("The file could not be included...\nletter.pdf\nB86041:ABC-123\nReason:06:x")
                .unwrap();
        assert_eq!(p.original_name.as_deref(), Some("letter.pdf"));
        assert!(parse_placeholder("hello").is_none());
    }

    #[test]
    fn gzip_is_sniffed_and_whitespace_skipped() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"hello world").unwrap();
        let zipped = gz.finish().unwrap();
        let b64 = base64::Engine::encode(&BASE64, &zipped);
        let wrapped: String = b64
            .as_bytes()
            .chunks(10)
            .map(|c| String::from_utf8_lossy(c).into_owned() + "\r\n")
            .collect();
        let mut out = String::new();
        decoded_reader(wrapped.as_bytes(), true)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "hello world");
        assert_eq!(
            absent_attachment_id("file://localhost/AbsentAttachmentABC-1.txt"),
            Some(("AbsentAttachmentABC-1.txt".into(), Some("ABC-1".into())))
        );
    }
}
