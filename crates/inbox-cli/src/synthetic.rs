//! Synthetic records for `bench`, made from the built-in sample records (themselves synthetic NHS
//! test data): distinct variants of the samples, and one very large record.
//!
//! Variants differ from their sample in the EhrExtract id and the HL7 message id (so none is a
//! duplicate of another, by bytes or by extract id). The large record repeats a sample's
//! compositions, each copy with fresh ids of its own.

use std::collections::{HashMap, HashSet};

use inbox::samples::SAMPLES;

/// Fresh GUID-like ids (`8-4-4-4-12` upper-case hex), from a fixed seed: the same run makes the
/// same files.
pub struct Guids(u64);

impl Guids {
    pub fn new(seed: u64) -> Guids {
        Guids(seed)
    }

    fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn next_guid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

/// A sample as text, with the ids that make it one record.
struct Template {
    name: &'static str,
    text: String,
    extract_id: String,
    message_id: String,
}

fn template(name: &'static str, bytes: &[u8]) -> Result<Template, String> {
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| format!("{name} is not UTF-8"))?;
    let message = gp2gp::read(bytes).map_err(|e| format!("{name} cannot be read: {e}"))?;
    let extract_id = message
        .extract
        .as_ref()
        .and_then(|x| x.id.clone())
        .ok_or_else(|| format!("{name} has no EhrExtract id"))?;
    let message_id = message
        .wrapper
        .message_id
        .clone()
        .ok_or_else(|| format!("{name} has no message id"))?;
    for id in [&extract_id, &message_id] {
        if !text.contains(&format!("\"{id}\"")) {
            return Err(format!("{name}: the id {id} is not written as read"));
        }
    }
    Ok(Template {
        name,
        text,
        extract_id,
        message_id,
    })
}

impl Template {
    /// The sample with its extract id and message id replaced by fresh ones.
    fn variant(&self, guids: &mut Guids) -> String {
        let mut text = self.text.replace(
            &format!("\"{}\"", self.extract_id),
            &format!("\"{}\"", guids.next_guid()),
        );
        if self.message_id != self.extract_id {
            text = text.replace(
                &format!("\"{}\"", self.message_id),
                &format!("\"{}\"", guids.next_guid()),
            );
        }
        text
    }
}

/// `n` distinct typical extracts: (file name, bytes), the samples taken in turn.
pub fn extracts(n: usize, guids: &mut Guids) -> Result<Vec<(String, Vec<u8>)>, String> {
    let templates: Vec<Template> = SAMPLES
        .iter()
        .map(|(name, bytes)| template(name, bytes))
        .collect::<Result<_, _>>()?;
    Ok((0..n)
        .map(|i| {
            let t = &templates[i % templates.len()];
            (
                format!("synthetic-{i:06}-{}", t.name),
                t.variant(guids).into_bytes(),
            )
        })
        .collect())
}

/// One record with at least `min_entries` entries (statements): a sample whose compositions are
/// repeated, each copy under fresh ids. Returns the bytes and how many entries the reader finds.
pub fn large_record(min_entries: usize, guids: &mut Guids) -> Result<(Vec<u8>, usize), String> {
    // The sample with the most compositions: repeating them gives the most typical mix.
    let (name, bytes) = SAMPLES
        .iter()
        .max_by_key(|(_, b)| count(b, b"<ehrComposition"))
        .ok_or("there are no samples")?;
    let t = template(name, bytes)?;
    let text = t.variant(guids);
    let (start, end) = compositions_span(&text).ok_or_else(|| format!("{name} has no compositions"))?;
    let (head, block, tail) = (&text[..start], &text[start..end], &text[end..]);
    let shared: HashSet<&str> = guids_in(head).chain(guids_in(tail)).collect();

    let build = |rounds: usize, guids: &mut Guids| {
        let mut out = String::with_capacity(head.len() + tail.len() + block.len() * (rounds + 1));
        out.push_str(head);
        out.push_str(block);
        for _ in 0..rounds {
            out.push_str(&with_fresh_ids(block, &shared, guids));
        }
        out.push_str(tail);
        out
    };
    let entries_of = |text: &str| -> Result<usize, String> {
        let m = gp2gp::read(text.as_bytes()).map_err(|e| format!("the large record cannot be read: {e}"))?;
        Ok(m.extract.map_or(0, |x| x.statements.len()))
    };
    let base = entries_of(&text)?;
    let per_round = entries_of(&build(1, guids))?.saturating_sub(base);
    if per_round == 0 {
        return Err(format!("repeating the compositions of {name} adds no entries"));
    }
    let rounds = min_entries.saturating_sub(base).div_ceil(per_round);
    let record = build(rounds, guids);
    let entries = entries_of(&record)?;
    Ok((record.into_bytes(), entries))
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// From the `<component` that opens the first composition to the `</component>` that closes the last.
fn compositions_span(text: &str) -> Option<(usize, usize)> {
    let first = text.find("<ehrComposition")?;
    let start = text[..first].rfind("<component")?;
    let last = text.rfind("</ehrComposition>")?;
    let close = "</component>";
    let end = last + text[last..].find(close)? + close.len();
    Some((start, end))
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Every GUID written as an attribute value.
fn guids_in(text: &str) -> impl Iterator<Item = &str> {
    text.split('"').skip(1).step_by(2).filter(|v| is_guid(v))
}

/// `block` with every GUID not in `keep` replaced by a fresh one, the same one each time it recurs
/// (so references inside the block still meet).
fn with_fresh_ids(block: &str, keep: &HashSet<&str>, guids: &mut Guids) -> String {
    let mut fresh: HashMap<&str, String> = HashMap::new();
    let mut out = String::with_capacity(block.len());
    for (i, piece) in block.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        if i % 2 == 1 && is_guid(piece) && !keep.contains(piece) {
            out.push_str(fresh.entry(piece).or_insert_with(|| guids.next_guid()));
        } else {
            out.push_str(piece);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_distinct_records() {
        let mut guids = Guids::new(1);
        let files = extracts(7, &mut guids).unwrap();
        let mut extract_ids = HashSet::new();
        let mut contents = HashSet::new();
        for (name, bytes) in &files {
            let m = gp2gp::read(bytes).unwrap();
            assert!(m.diagnostics.len() < 1000, "{name}");
            assert!(extract_ids.insert(m.extract.unwrap().id.unwrap()), "{name}");
            assert!(contents.insert(bytes.clone()), "{name}");
        }
        assert!(is_guid(&guids.next_guid()));
    }

    #[test]
    fn the_large_record_has_the_entries_asked_for() {
        let mut guids = Guids::new(2);
        let (bytes, entries) = large_record(2_000, &mut guids).unwrap();
        assert!(entries >= 2_000, "{entries}");
        let m = gp2gp::read(&bytes).unwrap();
        let x = m.extract.unwrap();
        assert_eq!(x.statements.len(), entries);
        // Fresh ids: no statement id repeats.
        let ids: HashSet<_> = x.statements.iter().filter_map(|s| s.id.clone()).collect();
        assert_eq!(ids.len(), x.statements.iter().filter(|s| s.id.is_some()).count());
    }
}
