//! [`Secret`]: a password, key or credential secret that never prints.

use std::fmt;

/// A secret (password, API key, application credential secret, AK/SK secret key, security
/// token). `Debug` and `Display` print a placeholder; only [`Secret::expose`] gives the text.
///
/// ```
/// use backup_runtime::auth::Secret;
///
/// let secret = Secret::new("devstacker");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.to_string(), "<redacted>");
/// assert_eq!(secret.expose(), "devstacker");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps the secret text.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret text, for a request body or a signature.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
