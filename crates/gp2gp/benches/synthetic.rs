// A large synthetic EhrExtract built from a corpus file by repeating its compositions (shared by the
// benchmark and the peak-memory example through `include!`).

/// The EMIS PWTP2 extract with its compositions repeated until the document is at least `min_bytes`.
pub fn synthetic_extract(min_bytes: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/public/emis_PWTP2_full_extract.xml"
    );
    let src = std::fs::read_to_string(path).expect("corpus file emis_PWTP2_full_extract.xml");
    let first = src.find("<ehrComposition").expect("a composition");
    // Back up to the `<component` that wraps the first composition.
    let start = src[..first].rfind("<component").expect("wrapping component");
    let last = src.rfind("</ehrComposition>").expect("a composition end") + "</ehrComposition>".len();
    let end = last + src[last..].find("</component>").expect("wrapping component end") + "</component>".len();
    let (head, body, tail) = (&src[..start], &src[start..end], &src[end..]);
    let copies = min_bytes
        .saturating_sub(head.len() + tail.len())
        .div_ceil(body.len())
        .max(1);
    let mut out = Vec::with_capacity(head.len() + body.len() * copies + tail.len());
    out.extend_from_slice(head.as_bytes());
    for _ in 0..copies {
        out.extend_from_slice(body.as_bytes());
    }
    out.extend_from_slice(tail.as_bytes());
    out
}
