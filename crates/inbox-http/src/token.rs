//! The bearer token: made, read from a file, checked, and compared in constant time.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::{EndpointError, Result};

/// The shortest token accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// A new token: 32 random bytes from the operating system, as 64 hex digits.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex(&bytes)
}

/// The token in the file at `path`, without surrounding whitespace (so a trailing newline is fine).
pub fn read_token_file(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| EndpointError::TokenFile {
        path: path.to_path_buf(),
        source,
    })?;
    let token = text.trim();
    check(token)
        .map_err(|reason| EndpointError::Token(format!("the token file {}: {reason}", path.display())))?;
    Ok(token.to_string())
}

/// Why `token` cannot be used, if it cannot. An empty token must never be accepted: it would
/// let in any request that says `Bearer` and nothing after.
pub(crate) fn check(token: &str) -> std::result::Result<(), String> {
    if token.is_empty() {
        return Err("the token is empty".to_string());
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(
            "the token has spaces or characters that cannot be sent in an HTTP header; \
                    use letters, digits and punctuation only"
                .to_string(),
        );
    }
    if token.len() < MIN_TOKEN_LEN {
        return Err(format!(
            "the token is {} characters long; it must have at least {MIN_TOKEN_LEN}",
            token.len()
        ));
    }
    Ok(())
}

/// The expected token, kept as its SHA-256 so that comparing takes the same time whatever the
/// presented token's length or contents.
pub(crate) struct ExpectedToken([u8; 32]);

impl ExpectedToken {
    pub(crate) fn new(token: &str) -> ExpectedToken {
        ExpectedToken(Sha256::digest(token.as_bytes()).into())
    }

    /// Whether an `Authorization` header value is `Bearer <this token>` (scheme in any case).
    pub(crate) fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else { return false };
        let Some(presented) = bearer(value) else {
            return false;
        };
        let presented: [u8; 32] = Sha256::digest(presented).into();
        let difference = presented
            .iter()
            .zip(&self.0)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || !rest.first()?.is_ascii_whitespace() {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// `n` random bytes as hex, for file names.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_long_distinct_and_acceptable() {
        let (a, b) = (generate_token(), generate_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(check(&a), Ok(()));
    }

    #[test]
    fn tokens_that_cannot_be_used_are_refused_with_a_reason() {
        for (token, reason) in [
            ("", "empty"),
            ("short", "at least 16"),
            ("has a space in the middle", "spaces"),
            ("caf\u{e9}-caf\u{e9}-caf\u{e9}-caf\u{e9}", "spaces or characters"),
        ] {
            let err = check(token).unwrap_err();
            assert!(err.contains(reason), "{token:?}: {err}");
        }
    }

    #[test]
    fn only_bearer_with_the_exact_token_is_admitted() {
        let expected = ExpectedToken::new("0123456789abcdef");
        for (header, admitted) in [
            (Some("Bearer 0123456789abcdef"), true),
            (Some("bearer 0123456789abcdef"), true),
            (Some("BEARER   0123456789abcdef  "), true),
            (Some("Bearer 0123456789abcdeF"), false),
            (Some("Bearer 0123456789abcde"), false),
            (Some("Bearer 0123456789abcdef0"), false),
            (Some("Bearer0123456789abcdef"), false),
            (Some("Basic 0123456789abcdef"), false),
            (Some("Bearer "), false),
            (Some("Bearer"), false),
            (Some(""), false),
            (None, false),
        ] {
            assert_eq!(expected.admits(header.map(str::as_bytes)), admitted, "{header:?}");
        }
    }

    #[test]
    fn token_files_are_trimmed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  0123456789abcdef\n").unwrap();
        assert_eq!(read_token_file(&path).unwrap(), "0123456789abcdef");

        std::fs::write(&path, "\n").unwrap();
        let err = read_token_file(&path).unwrap_err().to_string();
        assert!(err.contains("token file") && err.contains("empty"), "{err}");

        let err = read_token_file(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(err, EndpointError::TokenFile { .. }), "{err}");
    }
}
