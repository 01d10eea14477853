//! [`Session`]: one login per identity, shared by every request, page, thread and client that
//! holds a clone.
//!
//! The rules are keystoneauth's (`keystoneauth1/identity/base.py` `_needs_reauthenticate`,
//! `access.py` `will_expire_soon`, `session.py` `allow_reauth`): a token is renewed when it
//! expires within 120 s, or when a service answers `401` to it; the request is then sent once
//! more, never twice. The clients do the I/O; this type keeps the token and decides.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::identity::{KeystoneAuth, Login, LoginError, LoginRequest, RackspaceAuth};
#[cfg(any(feature = "blocking", feature = "async"))]
use super::token::AuthToken;

/// A token is renewed when it expires within this margin (keystoneauth's
/// `MIN_TOKEN_LIFE_SECONDS`).
pub const RENEW_MARGIN: Duration = Duration::from_secs(120);

/// The identity service a [`Session`] logs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Keystone(KeystoneAuth),
    Rackspace(RackspaceAuth),
}

/// Logs in once and shares the token: clone it into as many clients as you like (they share
/// one login). Renews the token 120 s before it expires and after a `401`.
///
/// ```
/// use backup_runtime::auth::{Domain, KeystoneAuth, KeystoneMethod, Scope, Secret, Session, User};
///
/// let session = Session::keystone(KeystoneAuth {
///     auth_url: "https://iam.eu-de.otc.t-systems.com/v3".to_owned(),
///     method: KeystoneMethod::Password {
///         user: User::Name { name: "alice".to_owned(), domain: Domain::Name("OTC-EU-DE-00000000001000000001".to_owned()) },
///         password: Secret::new("correct horse"),
///     },
///     scope: Some(Scope::ProjectName { name: "eu-de".to_owned(), domain: None }),
/// });
/// assert!(session.login().is_none()); // nothing is sent until a client needs the token
/// assert!(!format!("{session:?}").contains("correct horse"));
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

struct Inner {
    identity: Identity,
    current: Mutex<Option<Arc<Login>>>,
    /// Held by whoever is logging in, so concurrent callers wait for one login (blocking).
    #[cfg(feature = "blocking")]
    blocking_login: Mutex<()>,
    /// The same for async callers.
    #[cfg(feature = "async")]
    async_login: tokio::sync::Mutex<()>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("identity_url", &self.identity_url())
            .field("logged_in", &self.login().is_some())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A session that logs in to Keystone v3 (also Huawei Cloud and OTC IAM).
    pub fn keystone(auth: KeystoneAuth) -> Self {
        Self::new(Identity::Keystone(auth))
    }

    /// A session that logs in to Rackspace Identity v2.0.
    pub fn rackspace(auth: RackspaceAuth) -> Self {
        Self::new(Identity::Rackspace(auth))
    }

    fn new(identity: Identity) -> Self {
        Self {
            inner: Arc::new(Inner {
                identity,
                current: Mutex::new(None),
                #[cfg(feature = "blocking")]
                blocking_login: Mutex::new(()),
                #[cfg(feature = "async")]
                async_login: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The URL logins are sent to.
    pub fn identity_url(&self) -> String {
        match &self.inner.identity {
            Identity::Keystone(auth) => auth.token_url(),
            Identity::Rackspace(auth) => auth.token_url(),
        }
    }

    /// The current login (token, project, catalog), if one was made and is not dropped.
    pub fn login(&self) -> Option<Arc<Login>> {
        self.lock().clone()
    }

    /// Whether `self` and `other` share one login (one is a clone of the other).
    pub fn same_as(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The login request to send.
    ///
    /// # Errors
    ///
    /// The settings cannot make a valid login (e.g. a scoped application credential).
    pub fn login_request(&self) -> Result<LoginRequest, LoginError> {
        match &self.inner.identity {
            Identity::Keystone(auth) => auth.request(),
            Identity::Rackspace(auth) => auth.request(),
        }
    }

    /// Reads the identity service's answer to [`Session::login_request`].
    ///
    /// # Errors
    ///
    /// The login failed: the status and the service's message.
    pub fn parse_login(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Login, LoginError> {
        match &self.inner.identity {
            Identity::Keystone(auth) => auth.parse_response(status, headers, body),
            Identity::Rackspace(auth) => auth.parse_response(status, headers, body),
        }
    }

    /// The current login when it stays valid for more than [`RENEW_MARGIN`].
    #[cfg(any(feature = "blocking", feature = "async"))]
    pub(crate) fn fresh(&self) -> Option<Arc<Login>> {
        self.login()
            .filter(|login| !login.expires_within(RENEW_MARGIN, jiff::Timestamp::now()))
    }

    /// Keeps a new login for everyone sharing the session.
    #[cfg(any(feature = "blocking", feature = "async"))]
    pub(crate) fn store(&self, login: Login) -> Arc<Login> {
        let login = Arc::new(login);
        *self.lock() = Some(Arc::clone(&login));
        login
    }

    /// Drops the login whose token a service refused, unless another caller already replaced it.
    #[cfg(any(feature = "blocking", feature = "async"))]
    pub(crate) fn refused(&self, token: &AuthToken) {
        let mut current = self.lock();
        if current.as_ref().is_some_and(|login| &login.token == token) {
            *current = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Arc<Login>>> {
        self.inner
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Serializes blocking logins.
    #[cfg(feature = "blocking")]
    pub(crate) fn blocking_login_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.inner
            .blocking_login
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Serializes async logins.
    #[cfg(feature = "async")]
    pub(crate) async fn async_login_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.async_login.lock().await
    }
}
