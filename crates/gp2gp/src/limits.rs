//! Limits that make hostile input cheap to refuse.

/// Limits applied while reading. Input beyond them is refused with
/// [`ReadErrorKind::NotXml`](crate::ReadErrorKind::NotXml) before any work proportional to the
/// abuse is done. The defaults are far above anything a real GP2GP message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest element nesting (default 256; real extracts stay under 40).
    pub max_depth: usize,
    /// Largest single text node, in bytes, entities counted as written (default 16 MiB).
    pub max_text_bytes: usize,
    /// Largest start tag (its name and all attributes), in bytes (default 1 MiB).
    pub max_tag_bytes: usize,
    /// Largest whole input, in bytes (default 1 GiB).
    pub max_input_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_text_bytes: 16 << 20,
            max_tag_bytes: 1 << 20,
            max_input_bytes: 1 << 30,
        }
    }
}
