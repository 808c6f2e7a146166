//! Deterministic mutations of corpus files (truncate, flip bytes, duplicate subtrees, splice): the
//! reader, the summary reader and assembly must never panic.

use crate::corpus;

/// xorshift64*: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const FILES: &[&str] = &[
    "tpp_systmone_uk06_payload.xml",
    "bare_extract_medication_discontinue.xml",
    "tpp_allergy_ctv3_bare_extract.xml",
    "copc_continue_request.xml",
    "ack_AR_code18.xml",
    "request_RCMR_IN010000UK05.xml",
    "skeleton_extract_uk06.json",
    "vision_large_attachment_copc_index.json",
    "absent_attachment_placeholder_copc.json",
    "ebxml_manifest_cid_mid_mix.xml",
    "bare_extract_absent_attachment_ref.xml",
];

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut b = src.to_vec();
    match rng.below(6) {
        // Truncate anywhere.
        0 => b.truncate(rng.below(b.len() + 1)),
        // Flip a few bytes.
        1 => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(b.len());
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.below(8);
                }
            }
        }
        // Duplicate a subtree: copy the bytes between a '<' and a later '>' elsewhere.
        2 => {
            let starts: Vec<usize> = b
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == b'<')
                .map(|(i, _)| i)
                .collect();
            if starts.len() > 2 {
                let a = starts[rng.below(starts.len())];
                let e = starts[rng.below(starts.len())];
                let (lo, hi) = if a < e { (a, e) } else { (e, a) };
                let chunk = b[lo..hi].to_vec();
                let at = starts[rng.below(starts.len())];
                b.splice(at..at, chunk);
            }
        }
        // Delete a range.
        3 => {
            let lo = rng.below(b.len());
            let hi = (lo + rng.below(200)).min(b.len());
            b.drain(lo..hi);
        }
        // Insert markup-ish noise.
        4 => {
            const NOISE: &[&[u8]] = &[
                b"<",
                b">",
                b"&",
                b"&#0;",
                b"&#x110000;",
                b"<!--",
                b"]]>",
                b"\"",
                b"<a:b>",
                b"\xff",
                b"{",
                b"</component>",
            ];
            let at = rng.below(b.len() + 1);
            let n = NOISE[rng.below(NOISE.len())];
            b.splice(at..at, n.iter().copied());
        }
        // Repeat the whole thing (two roots).
        _ => {
            let copy = b.clone();
            b.extend_from_slice(&copy);
        }
    }
    b
}

#[test]
fn two_thousand_mutations_never_panic() {
    let sources: Vec<Vec<u8>> = FILES.iter().map(|f| corpus(f)).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut read_ok = 0;
    for case in 0..2_000 {
        let src = &sources[case % sources.len()];
        let input = mutate(&mut rng, src);
        if let Ok(m) = gp2gp::read(&input) {
            read_ok += 1;
            let _ = m.summary();
            let _ = m.placeholders();
            for a in &m.attachments {
                let _ = a.decode();
            }
        }
        let _ = gp2gp::summarise(&input);
        if case % 50 == 0 {
            let _ = gp2gp::assemble(&input, &[&sources[7], &input]);
        }
    }
    assert!(read_ok > 200, "most mutations should still read: {read_ok}");
}
