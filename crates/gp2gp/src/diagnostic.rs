//! Diagnostics: what the reader noticed but could read past.

use std::fmt;

/// How much a diagnostic matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing (an unusual but legal form).
    Info,
    /// Something was odd or missing; the record is still complete as far as we can tell.
    Warning,
    /// Part of the message could not be read (truncation, malformed XML, undecodable attachment):
    /// the record is incomplete.
    Error,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One thing the reader noticed: severity, a plain-English message and where (`part:byte offset`
/// or an element path, e.g. `payload@10234` or `ebXML`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub at: String,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>, at: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            at: at.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.severity, self.at, self.message)
    }
}
