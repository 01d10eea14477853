//! Logging in as users do: secrets that never print, Keystone v3 (OpenStack, Huawei Cloud and
//! Open Telekom Cloud IAM), Rackspace Identity v2.0, Huawei AK/SK request signing
//! (`SDK-HMAC-SHA256`) and endpoint discovery from a token's service catalog.
//!
//! Everything here but [`AuthToken`] and [`Secret`] is sans-IO and needs the `auth` feature
//! (which both client features turn on): the request bodies and their parsing are plain functions, and the
//! clients ([`crate::blocking`], [`crate::nonblocking`]) do the I/O through a [`Session`].
//!
//! Sources of every wire format are cited where it is built; the facts are collected in the
//! project's `shared/reference/auth.md`.

mod secret;
mod token;

pub use secret::Secret;
pub use token::AuthToken;

#[cfg(feature = "auth")]
mod catalog;
#[cfg(feature = "auth")]
mod identity;
#[cfg(feature = "auth")]
mod microversion;
#[cfg(feature = "auth")]
mod session;
#[cfg(feature = "auth")]
mod sign;

#[cfg(feature = "auth")]
pub use catalog::{Catalog, CatalogEndpoint, CatalogError, CatalogService, EndpointFilter};
#[cfg(feature = "auth")]
pub use identity::{
    AppCredential, Domain, KeystoneAuth, KeystoneMethod, Login, LoginError, LoginRequest,
    RackspaceAuth, RackspaceCredential, Scope, User,
};
#[cfg(feature = "auth")]
pub use microversion::{Microversion, ParseMicroversionError};
#[cfg(feature = "auth")]
pub use session::{RENEW_MARGIN, Session};
#[cfg(feature = "auth")]
pub use sign::{AkSk, SIGNING_ALGORITHM};

/// How a client authenticates its requests.
#[cfg(feature = "auth")]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// A token the caller already has, sent as is (it is never renewed).
    Token(AuthToken),
    /// Keystone v3 `POST /v3/auth/tokens` (also Huawei Cloud and OTC IAM).
    Keystone(KeystoneAuth),
    /// Rackspace Identity v2.0 `POST /v2.0/tokens`.
    Rackspace(RackspaceAuth),
    /// Huawei AK/SK: every request is signed, there is no token and no catalog.
    AkSk(AkSk),
}

#[cfg(feature = "auth")]
impl Credentials {
    /// The text of every secret these credentials hold (token, password, key, secret, security
    /// token), for a last line of defence that replaces them in text a server sent back before
    /// it is shown.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Self::Token(token) => vec![token.expose()],
            Self::Keystone(auth) => match &auth.method {
                KeystoneMethod::Password {
                    password: secret, ..
                }
                | KeystoneMethod::Token(secret)
                | KeystoneMethod::ApplicationCredential { secret, .. } => vec![secret.expose()],
            },
            Self::Rackspace(auth) => match &auth.credential {
                RackspaceCredential::ApiKey(secret) | RackspaceCredential::Password(secret) => {
                    vec![secret.expose()]
                }
            },
            Self::AkSk(aksk) => [Some(&aksk.secret_key), aksk.security_token.as_ref()]
                .into_iter()
                .flatten()
                .map(Secret::expose)
                .collect(),
        }
    }
}
