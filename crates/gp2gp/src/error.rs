use std::fmt;

/// Why a file could not be read as a GP2GP message at all.
///
/// Only two things are errors: the bytes are not XML we are willing to read, or they are XML but not
/// a GP2GP message. Everything else is read as well as possible and reported as a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct ReadError {
    pub kind: ReadErrorKind,
    /// A plain-English reason a practice administrator can act on.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadErrorKind {
    /// Empty, binary, malformed or hostile (DOCTYPE, absurd nesting) input.
    NotXml,
    /// Well-formed XML, but not one of the GP2GP interactions.
    NotGp2gp,
}

impl ReadErrorKind {
    /// A stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            ReadErrorKind::NotXml => "not_xml",
            ReadErrorKind::NotGp2gp => "not_gp2gp",
        }
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl ReadError {
    pub(crate) fn not_xml(reason: impl Into<String>) -> Self {
        ReadError {
            kind: ReadErrorKind::NotXml,
            reason: reason.into(),
        }
    }

    pub(crate) fn not_gp2gp(reason: impl Into<String>) -> Self {
        ReadError {
            kind: ReadErrorKind::NotGp2gp,
            reason: reason.into(),
        }
    }
}
