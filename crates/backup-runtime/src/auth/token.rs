//! [`AuthToken`]: the API token, which never shows up in logs or error messages.

use std::fmt;

/// A secret API token (sent as `X-Auth-Token` by default, see
/// [`Endpoint::auth_header`](crate::Endpoint::auth_header)).
///
/// `Debug` and `Display` print a placeholder; only [`AuthToken::expose`] gives the text.
///
/// ```
/// use backup_runtime::AuthToken;
///
/// let token = AuthToken::new("gAAAAABk-secret");
/// assert_eq!(format!("{token:?}"), "AuthToken(<redacted>)");
/// assert_eq!(token.to_string(), "<redacted>");
/// assert_eq!(token.expose(), "gAAAAABk-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(String);

impl AuthToken {
    /// Wraps the token text.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token text, for putting in a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthToken(<redacted>)")
    }
}

impl fmt::Display for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
