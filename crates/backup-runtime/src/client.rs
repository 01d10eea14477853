//! What the [`blocking`](crate::blocking) and [`nonblocking`](crate::nonblocking) clients
//! share: settings, request preparation and error wording. No I/O here.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use std::sync::{Arc, Mutex, PoisonError};

use crate::auth::{AkSk, AuthToken, CatalogError, EndpointFilter, Login, Microversion, Session};
use crate::endpoint::{
    Endpoint, Method, RawResponse, catalog_endpoint_url, endpoint_url, service_root,
};
use crate::error::{ApiError, TransportError, TransportErrorKind};
use crate::retry::RetryPolicy;

/// The setters both clients' builders share: each sets one field of their `settings: Settings`.
macro_rules! settings_setters {
    () => {
        /// The token sent in each endpoint's [`auth_header`](crate::Endpoint::auth_header), as
        /// is: it is never renewed. For a login that renews itself use
        /// [`credentials`](Self::credentials) or [`session`](Self::session).
        #[must_use]
        pub fn token(mut self, token: crate::AuthToken) -> Self {
            self.settings.auth = crate::client::Auth::Token(token);
            self
        }

        /// How to authenticate: a token, a Keystone or Rackspace login (a new
        /// [`Session`](crate::auth::Session) of this client's own) or AK/SK signing.
        #[must_use]
        pub fn credentials(mut self, credentials: crate::auth::Credentials) -> Self {
            use crate::auth::{Credentials, Session};
            self.settings.auth = match credentials {
                Credentials::Token(token) => crate::client::Auth::Token(token),
                Credentials::Keystone(auth) => {
                    crate::client::Auth::Session(Session::keystone(auth))
                }
                Credentials::Rackspace(auth) => {
                    crate::client::Auth::Session(Session::rackspace(auth))
                }
                Credentials::AkSk(aksk) => crate::client::Auth::AkSk(aksk),
            };
            self
        }

        /// Logs in through `session`, shared with every other client given a clone of it: one
        /// token for all of them, renewed 120 s before it expires or after a `401` (the refused
        /// request is then sent once more).
        #[must_use]
        pub fn session(mut self, session: crate::auth::Session) -> Self {
            self.settings.auth = crate::client::Auth::Session(session);
            self
        }

        /// The region whose catalog endpoint a discovering client uses
        /// ([`Client::discover`](Client::discover)); default: the first endpoint of any region.
        /// Rackspace: default the user's `RAX-AUTH:defaultRegion`.
        #[must_use]
        pub fn region(mut self, region: impl Into<String>) -> Self {
            self.settings.region = Some(region.into());
            self
        }

        /// The catalog interface a discovering client uses: `public` (the default), `internal`
        /// or `admin`.
        #[must_use]
        pub fn interface(mut self, interface: impl Into<String>) -> Self {
            self.settings.interface = interface.into();
            self
        }

        /// A discovering client's endpoint instead of the catalog's, as openstacksdk's
        /// `<service_type>_endpoint_override`: a full URL that already holds the version and
        /// usually the project, where `%(project_id)s` (also `$(project_id)s`, `%(tenant_id)s`,
        /// `$(tenant_id)s`) stands for the authenticated project.
        #[must_use]
        pub fn endpoint_override(mut self, url: impl Into<String>) -> Self {
            self.settings.endpoint_override = Some(url.into());
            self
        }

        /// Sends `OpenStack-API-Version: <service> <version>` with the highest microversion
        /// both the service (its versions document, read once at the service root) and
        /// `supported` allow, unless a default header already sets `OpenStack-API-Version`.
        /// A service that lists no microversions gets no header.
        #[must_use]
        pub fn negotiate_microversion(
            mut self,
            service: impl Into<String>,
            supported: crate::auth::Microversion,
        ) -> Self {
            self.settings.microversion = Some((service.into(), supported));
            self
        }

        /// Limit for each request, from connecting to reading the whole body (default 30 s);
        /// each retry gets its own.
        #[must_use]
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.timeout = timeout;
            self
        }

        /// Limit for establishing a connection (default: only the whole-request timeout).
        #[must_use]
        pub fn connect_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.connect_timeout = Some(timeout);
            self
        }

        /// Also trust the CA certificates in this PEM file (e.g. a private cloud's internal CA),
        /// besides the system's certificate store. Read when the client is built.
        #[must_use]
        pub fn ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
            self.settings.ca_file = Some(path.into());
            self
        }

        /// Accepts any server certificate, as clouds.yaml's `verify: false` asks: anyone on the
        /// path can then read and change the traffic, token included. Off by default; say so
        /// to the user whenever it is on.
        #[must_use]
        pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
            self.settings.insecure = accept;
            self
        }

        /// The TLS stack for HTTPS (default [`TlsBackend::Rustls`](crate::TlsBackend) when the
        /// `rustls` feature is on, else [`TlsBackend::NativeTls`](crate::TlsBackend)). `build`
        /// refuses a backend whose cargo feature is off.
        #[must_use]
        pub fn tls_backend(mut self, backend: crate::TlsBackend) -> Self {
            self.settings.tls = backend;
            self
        }

        /// When to retry a `429` or `503` response (default [`crate::RetryPolicy::none`]).
        #[must_use]
        pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
            self.settings.retry = policy;
            self
        }

        /// A header sent with every call, e.g. `OpenStack-API-Version: volume 3.64`; repeat for
        /// more (setting a name again replaces its value). A header the endpoint sets itself
        /// (one of its header parameters) wins over this; a header named like the
        /// endpoint's auth header is dropped when a token is set.
        /// `build` refuses a name that is not an HTTP token or a value with control or
        /// non-ASCII characters.
        #[must_use]
        pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            let name = name.into();
            self.settings
                .default_headers
                .retain(|(known, _)| !known.eq_ignore_ascii_case(&name));
            self.settings.default_headers.push((name, value.into()));
            self
        }
    };
}
pub(crate) use settings_setters;

/// The most response body bytes a client reads before giving up (256 MiB).
pub(crate) const MAX_BODY_BYTES: u64 = 256 * 1024 * 1024;

/// The `User-Agent` both clients send.
pub(crate) const USER_AGENT: &str = concat!("backup-runtime/", env!("CARGO_PKG_VERSION"));

/// A client could not be built from its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientBuildError {
    base_url: String,
    reason: String,
}

impl ClientBuildError {
    pub(crate) fn new(base_url: &str, reason: impl Into<String>) -> Self {
        Self {
            base_url: base_url.to_owned(),
            reason: reason.into(),
        }
    }

    /// The base URL the client was being built for.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What was wrong.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ClientBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build a client for base URL {:?}: {}",
            self.base_url, self.reason
        )
    }
}

impl Error for ClientBuildError {}

/// The TLS stack a client speaks HTTPS with ([`blocking::ClientBuilder::tls_backend`],
/// [`nonblocking::ClientBuilder::tls_backend`]). Each needs its cargo feature of this crate.
///
/// [`blocking::ClientBuilder::tls_backend`]: crate::blocking::ClientBuilder::tls_backend
/// [`nonblocking::ClientBuilder::tls_backend`]: crate::nonblocking::ClientBuilder::tls_backend
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsBackend {
    /// rustls with the ring provider, verifying through the platform's verifier (the system's
    /// trust store) plus any [`ca_file`](crate::blocking::ClientBuilder::ca_file): the same code
    /// on every OS. Feature `rustls`, on by default.
    Rustls,
    /// The system's TLS library (OpenSSL on Linux, Security.framework on macOS, SChannel on
    /// Windows), for hosts whose policy requires it (FIPS builds, a central OpenSSL
    /// configuration). Feature `native-tls`.
    NativeTls,
}

impl TlsBackend {
    /// `rustls` when that feature is on, else `native-tls`.
    pub(crate) const DEFAULT: Self = if cfg!(feature = "rustls") {
        Self::Rustls
    } else {
        Self::NativeTls
    };

    /// The cargo feature it needs.
    pub(crate) fn feature(self) -> &'static str {
        match self {
            Self::Rustls => "rustls",
            Self::NativeTls => "native-tls",
        }
    }

    /// Whether this build has it.
    pub(crate) fn compiled(self) -> bool {
        match self {
            Self::Rustls => cfg!(feature = "rustls"),
            Self::NativeTls => cfg!(feature = "native-tls"),
        }
    }
}

/// Builder settings shared by both clients.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The base URL given, or empty for a discovering client.
    pub(crate) base_url: String,
    /// The service types a discovering client looks for in the catalog, the official type
    /// first; `None` for a client with a base URL.
    pub(crate) service_types: Option<Vec<String>>,
    pub(crate) region: Option<String>,
    pub(crate) interface: String,
    pub(crate) endpoint_override: Option<String>,
    pub(crate) microversion: Option<(String, Microversion)>,
    pub(crate) auth: Auth,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    /// Sent with every call unless the endpoint sets the same header.
    pub(crate) default_headers: Vec<(String, String)>,
    /// Extra CA certificates (PEM) to trust besides the system's store.
    pub(crate) ca_file: Option<std::path::PathBuf>,
    /// Accept any server certificate (clouds.yaml `verify: false`).
    pub(crate) insecure: bool,
    pub(crate) tls: TlsBackend,
}

impl Settings {
    /// Whole-request timeout unless set otherwise.
    pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    pub(crate) fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            service_types: None,
            region: None,
            interface: "public".to_owned(),
            endpoint_override: None,
            microversion: None,
            auth: Auth::None,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: None,
            retry: RetryPolicy::none(),
            default_headers: Vec::new(),
            ca_file: None,
            insecure: false,
            tls: TlsBackend::DEFAULT,
        }
    }

    /// Refuses a TLS backend this build lacks.
    pub(crate) fn check_tls(&self) -> Result<(), ClientBuildError> {
        if self.tls.compiled() {
            return Ok(());
        }
        Err(ClientBuildError::new(
            &self.base_url,
            format!(
                "the {:?} TLS backend needs backup-runtime's `{}` feature",
                self.tls,
                self.tls.feature()
            ),
        ))
    }

    /// The contents of [`Settings::ca_file`], if set.
    ///
    /// # Errors
    ///
    /// The file cannot be read.
    pub(crate) fn ca_pem(&self) -> Result<Option<Vec<u8>>, ClientBuildError> {
        let Some(path) = &self.ca_file else {
            return Ok(None);
        };
        std::fs::read(path).map(Some).map_err(|err| {
            ClientBuildError::new(
                &self.base_url,
                format!("cannot read the CA file {}: {err}", path.display()),
            )
        })
    }

    /// The error for a CA file without a certificate, or with a bad one.
    pub(crate) fn bad_ca(&self, reason: &str) -> ClientBuildError {
        let path = self.ca_file.as_deref().unwrap_or(std::path::Path::new(""));
        ClientBuildError::new(
            &self.base_url,
            format!("the CA file {} {reason}", path.display()),
        )
    }

    /// Checks what the HTTP library's own URL parser has read from the base URL.
    pub(crate) fn check_base_url(
        &self,
        scheme: Option<&str>,
        has_host: bool,
        has_query_or_fragment: bool,
    ) -> Result<(), ClientBuildError> {
        let fail = |reason: &str| Err(ClientBuildError::new(&self.base_url, reason));
        match scheme {
            Some("http" | "https") => {}
            Some(other) => return fail(&format!("scheme `{other}` is not http or https")),
            None => return fail("it has no scheme (http:// or https://)"),
        }
        if !has_host {
            return fail("it has no host");
        }
        if has_query_or_fragment {
            return fail("it must not have a query or fragment");
        }
        if self.timeout.is_zero() {
            return fail("the timeout must not be zero");
        }
        for (name, value) in &self.default_headers {
            let is_tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return fail(&format!(
                    "default header name {name:?} is not an HTTP token"
                ));
            }
            let visible = |b: u8| b.is_ascii_graphic() || b == b' ' || b == b'\t';
            if !value.bytes().all(visible) {
                return fail(&format!(
                    "the value of default header `{name}` has control or non-ASCII characters"
                ));
            }
        }
        Ok(())
    }
}

/// How a client authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    None,
    Token(AuthToken),
    Session(Session),
    AkSk(AkSk),
}

/// Where a client's requests go, once known: the base URL, whether it is a catalog URL (or an
/// override) that already holds the version and project, and the microversion chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) base: String,
    pub(crate) catalog: bool,
    pub(crate) microversion: Option<Microversion>,
}

/// The resolved target, shared by a client's clones; filled on the first call.
pub(crate) type ResolvedCell = Arc<Mutex<Option<Arc<Resolved>>>>;

/// The cached target, if resolved.
pub(crate) fn cached(cell: &ResolvedCell) -> Option<Arc<Resolved>> {
    cell.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Keeps the target for later calls.
pub(crate) fn keep(cell: &ResolvedCell, resolved: Resolved) -> Arc<Resolved> {
    let resolved = Arc::new(resolved);
    *cell.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&resolved));
    resolved
}

impl Settings {
    /// Whether finding the base URL needs a login first: a discovering client that logs in,
    /// without an override or with one that names the project.
    pub(crate) fn needs_login_to_resolve(&self) -> bool {
        self.service_types.is_some()
            && matches!(self.auth, Auth::Session(_))
            && self
                .endpoint_override
                .as_deref()
                .is_none_or(has_project_placeholder)
    }

    /// The base URL: the given one; else the override (its project placeholder filled in); else
    /// the catalog's endpoint for the service types, region and interface.
    pub(crate) fn base(&self, login: Option<&Login>) -> Result<(String, bool), ApiError> {
        let Some(types) = &self.service_types else {
            return Ok((self.base_url.clone(), false));
        };
        let project = match (&self.auth, login) {
            (Auth::AkSk(aksk), _) => aksk.project_id.clone(),
            (_, Some(login)) => login.project_id.clone(),
            _ => None,
        };
        let fail = |message: String| Err(ApiError::Endpoint(CatalogError { message }));
        if let Some(url) = &self.endpoint_override {
            if !has_project_placeholder(url) {
                return Ok((url.clone(), true));
            }
            let Some(project) = project else {
                return fail(format!(
                    "the endpoint override {url} names the project, but no project id is known \
                     (log in with a project scope, or give the AK/SK's project id)"
                ));
            };
            let mut url = url.clone();
            for placeholder in PROJECT_PLACEHOLDERS {
                url = url.replace(placeholder, &project);
            }
            return Ok((url, true));
        }
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        match (&self.auth, login) {
            (Auth::Session(_), Some(login)) => {
                // Rackspace: the user's default region unless one is given.
                let region = self.region.as_deref().or(login.default_region.as_deref());
                let filter = EndpointFilter {
                    service_types: &types,
                    region,
                    interface: &self.interface,
                };
                let endpoint = login
                    .catalog
                    .endpoint(&filter)
                    .map_err(ApiError::Endpoint)?;
                Ok((endpoint.url.clone(), true))
            }
            (Auth::AkSk(_), _) => fail(format!(
                "AK/SK signing has no service catalog to find the {} endpoint in: give an \
                 endpoint, or an endpoint override",
                types.first().unwrap_or(&"service")
            )),
            _ => fail(format!(
                "no service catalog to find the {} endpoint in: give an endpoint, or log in \
                 with a password, application credential or API key",
                types.first().unwrap_or(&"service")
            )),
        }
    }
}

/// How openstacksdk and keystoneauth write "the project" in an endpoint template.
const PROJECT_PLACEHOLDERS: [&str; 4] = [
    "%(project_id)s",
    "$(project_id)s",
    "%(tenant_id)s",
    "$(tenant_id)s",
];

fn has_project_placeholder(url: &str) -> bool {
    PROJECT_PLACEHOLDERS.iter().any(|p| url.contains(p))
}

/// The URL of the versions document to read for `resolved`'s microversion: the service root
/// (the catalog URL cut before the version segment of the endpoint's path), or the given base.
pub(crate) fn versions_url<E: Endpoint + ?Sized>(
    base: &str,
    catalog: bool,
    endpoint: &E,
) -> String {
    let path = endpoint.path();
    let version = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .filter(|first| crate::endpoint::is_version_segment(first));
    if catalog {
        service_root(base, version)
    } else {
        format!("{}/", base.trim_end_matches('/'))
    }
}

/// `GET` on a service's versions document (`url` is the whole URL).
pub(crate) struct VersionsProbe {
    pub(crate) url: String,
}

impl Endpoint for VersionsProbe {
    type Output = RawResponse;
    fn operation_id(&self) -> &'static str {
        "listVersions"
    }
    fn method(&self) -> Method {
        Method::Get
    }
    fn path(&self) -> String {
        String::new()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, crate::BodyError> {
        Ok(None)
    }
    fn parse_response(&self, response: RawResponse) -> Result<RawResponse, ApiError> {
        Ok(response)
    }
}

/// The version segment (`v3`) an endpoint's path starts with, if any.
pub(crate) fn version_segment<E: Endpoint + ?Sized>(endpoint: &E) -> Option<String> {
    let path = endpoint.path();
    path.trim_start_matches('/')
        .split('/')
        .next()
        .filter(|first| crate::endpoint::is_version_segment(first))
        .map(str::to_owned)
}

/// What a request carries to authenticate, decided anew for each attempt.
pub(crate) enum Attach {
    Nothing,
    /// A token in this header, sent marked sensitive.
    Token(&'static str, AuthToken),
    /// AK/SK signature headers: name, value, whether sensitive (the security token).
    Signed(Vec<(String, String, bool)>),
}

impl Attach {
    /// The signature headers for `prepared`, signed now.
    pub(crate) fn signed(aksk: &AkSk, prepared: &Prepared) -> Self {
        let mut headers = prepared.headers.clone();
        let before = headers.len();
        aksk.sign(
            prepared.method.as_str(),
            &prepared.url,
            &mut headers,
            prepared.body.as_deref().unwrap_or_default(),
            jiff::Timestamp::now(),
        );
        Self::Signed(
            headers
                .split_off(before)
                .into_iter()
                .map(|(name, value)| {
                    let sensitive = name.eq_ignore_ascii_case("x-security-token");
                    (name, value, sensitive)
                })
                .collect(),
        )
    }
}

/// A request ready for any HTTP library.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) url: String,
    /// Everything but the token or signature.
    pub(crate) headers: Vec<(String, String)>,
    /// The header a token goes in (the endpoint's auth header), when the client sends one.
    pub(crate) auth_header: Option<&'static str>,
    /// The body bytes; their `Content-Type` is among `headers`.
    pub(crate) body: Option<Vec<u8>>,
}

impl Prepared {
    /// The endpoint's request under `resolved`, with the client's default headers (unless the
    /// endpoint sets the same one), the microversion, `Accept` and `Content-Type` (the body's
    /// media type, when there is a body). A header of the same name as the auth header is
    /// dropped when a token is sent, so the token is sent once.
    ///
    /// # Errors
    ///
    /// A path with a `.` or `..` segment (also percent-encoded): URL parsers and servers read
    /// it as a directory step, so the request would reach another resource. A body that cannot
    /// be serialized. Either way nothing is sent.
    pub(crate) fn new<E: Endpoint + ?Sized>(
        settings: &Settings,
        resolved: &Resolved,
        endpoint: &E,
    ) -> Result<Self, TransportError> {
        let url = if resolved.catalog {
            catalog_endpoint_url(&resolved.base, endpoint)
        } else {
            endpoint_url(&resolved.base, endpoint)
        };
        let path = endpoint.path();
        if path.split('/').any(is_dot_segment) {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                format!(
                    "{} {url}: not sent, the path has a `.` or `..` segment, which would \
                     address another resource",
                    endpoint.method()
                ),
            ));
        }
        let body = endpoint.body().map_err(|err| {
            TransportError::new(
                TransportErrorKind::Other,
                format!("{} {url}: not sent: {err}", endpoint.method()),
            )
        })?;
        let auth_header = match settings.auth {
            Auth::Token(_) | Auth::Session(_) => endpoint.auth_header(),
            Auth::None | Auth::AkSk(_) => None,
        };
        let signing = matches!(settings.auth, Auth::AkSk(_));
        // The token's header carries only the token; a signed request only its signature.
        let keep = |name: &str| {
            let is_auth = auth_header.is_some_and(|auth| name.eq_ignore_ascii_case(auth));
            let is_signature = signing && name.eq_ignore_ascii_case("authorization");
            !is_auth && !is_signature
        };
        let has = |headers: &[(String, String)], name: &str| {
            headers
                .iter()
                .any(|(key, _)| key.eq_ignore_ascii_case(name))
        };
        let mut headers: Vec<(String, String)> = endpoint
            .headers()
            .into_iter()
            .filter(|(name, _)| keep(name))
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        for (name, value) in &settings.default_headers {
            if keep(name) && !has(&headers, name) {
                headers.push((name.clone(), value.clone()));
            }
        }
        if let (Some(version), Some((service, _))) = (resolved.microversion, &settings.microversion)
            && !has(&headers, "openstack-api-version")
        {
            headers.push((
                "OpenStack-API-Version".to_owned(),
                format!("{service} {version}"),
            ));
        }
        if !has(&headers, "accept") {
            headers.push(("Accept".to_owned(), endpoint.accept().to_owned()));
        }
        if let Some((media_type, _)) = &body
            && !has(&headers, "content-type")
        {
            headers.push(("Content-Type".to_owned(), (*media_type).to_owned()));
        }
        Ok(Self {
            method: endpoint.method(),
            url,
            headers,
            auth_header,
            body: body.map(|(_, bytes)| bytes),
        })
    }

    /// Whether the request goes over TLS.
    pub(crate) fn is_https(&self) -> bool {
        self.url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// The error for a token that cannot be a header value (without the token).
    pub(crate) fn invalid_token(&self) -> TransportError {
        TransportError::new(
            TransportErrorKind::Other,
            format!(
                "{}: not sent, the auth token is not a valid HTTP header value \
                 (only visible ASCII is allowed)",
                self.describe()
            ),
        )
    }

    /// `GET https://…` for error messages (no headers, so never the token).
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.method, self.url)
    }
}

/// Whether `next` would send exactly the request `current` sent (method, path, query, headers
/// and body): following it would make no progress.
pub(crate) fn same_request<E: Endpoint>(current: &E, next: &E) -> bool {
    current.method() == next.method()
        && current.path() == next.path()
        && current.query() == next.query()
        && current.headers() == next.headers()
        && current.body() == next.body()
}

/// The next page's endpoint, or `None` when there is none or it repeats `current`.
pub(crate) fn next_page<E: crate::Paginated>(current: &E, output: &E::Output) -> Option<E> {
    current
        .next_page(output)
        .filter(|next| !same_request(current, next))
}

/// `.` or `..`, literally or percent-encoded (as WHATWG URL parsers read them).
fn is_dot_segment(segment: &str) -> bool {
    let segment = segment.to_ascii_lowercase();
    matches!(
        segment.as_str(),
        "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
    )
}

/// The error and its causes, outermost first. Unlike [`Error::source`], this looks inside an
/// [`std::io::Error`] at the error it wraps.
pub(crate) fn causes<'a>(
    err: &'a (dyn Error + 'static),
) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(err), |&err: &&'a (dyn Error + 'static)| match err
        .downcast_ref::<std::io::Error>()
    {
        Some(io) => io.get_ref().map(|inner| inner as &(dyn Error + 'static)),
        None => err.source(),
    })
}

/// An error and its causes on one line, each cause once.
pub(crate) fn error_chain(err: &(dyn Error + 'static)) -> String {
    let mut text = String::new();
    for cause in causes(err) {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&cause_text);
        }
    }
    text.replace(['\n', '\r'], " ")
}

/// Whether any error in the chain is an I/O error of `kind`.
pub(crate) fn has_io_kind(err: &(dyn Error + 'static), kind: std::io::ErrorKind) -> bool {
    causes(err).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

/// Whether a failure looks like TLS: rustls failures reach the HTTP libraries as
/// `InvalidData` I/O errors (which plain TCP never gives) or as messages about certificates
/// and handshakes. Only asked for `https` requests.
pub(crate) fn looks_like_tls(err: &(dyn Error + 'static)) -> bool {
    if has_io_kind(err, std::io::ErrorKind::InvalidData) {
        return true;
    }
    let text = error_chain(err).to_ascii_lowercase();
    ["certificate", "tls", "ssl", "handshake", "rustls"]
        .iter()
        .any(|word| text.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, RawResponse};

    fn plain(settings: &Settings) -> Resolved {
        Resolved {
            base: settings.base_url.clone(),
            catalog: false,
            microversion: None,
        }
    }

    struct Probe {
        headers: Vec<(&'static str, String)>,
        body: Option<(&'static str, Vec<u8>)>,
    }

    impl Endpoint for Probe {
        type Output = ();
        fn operation_id(&self) -> &'static str {
            "probe"
        }
        fn method(&self) -> Method {
            Method::Post
        }
        fn path(&self) -> String {
            "/x".to_owned()
        }
        fn query(&self) -> Vec<(&'static str, String)> {
            Vec::new()
        }
        fn headers(&self) -> Vec<(&'static str, String)> {
            self.headers.clone()
        }
        fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, crate::BodyError> {
            match &self.body {
                Some((_, bytes)) if bytes == b"!" => Err(crate::BodyError {
                    operation: "probe",
                    message: "key must be a string".to_owned(),
                }),
                body => Ok(body.clone()),
            }
        }
        fn parse_response(&self, _: RawResponse) -> Result<(), ApiError> {
            Ok(())
        }
    }

    #[test]
    fn token_replaces_endpoint_auth_header_and_defaults_are_added() {
        let mut settings = Settings::new("http://h/");
        settings.auth = Auth::Token(AuthToken::new("t"));
        let probe = Probe {
            headers: vec![("x-auth-token", "other".into()), ("X-Trace", "1".into())],
            body: Some(("application/json", b"{}".to_vec())),
        };
        let prepared = Prepared::new(&settings, &plain(&settings), &probe).unwrap();
        let pairs: Vec<(&str, &str)> = prepared
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("X-Trace", "1"),
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
            ]
        );
        assert_eq!(prepared.auth_header, Some("X-Auth-Token"));
        assert_eq!(prepared.describe(), "POST http://h/x");
    }

    #[test]
    fn endpoint_may_set_accept_and_no_token_means_no_auth_header() {
        let settings = Settings::new("http://h");
        let probe = Probe {
            headers: vec![("Accept", "text/plain".into())],
            body: None,
        };
        let prepared = Prepared::new(&settings, &plain(&settings), &probe).unwrap();
        assert_eq!(
            prepared.headers,
            [("Accept".to_owned(), "text/plain".to_owned())]
        );
        assert_eq!(prepared.auth_header, None);
    }

    #[test]
    fn body_media_type_is_the_content_type_and_default_headers_yield_to_the_endpoint() {
        let mut settings = Settings::new("http://h");
        settings.auth = Auth::Token(AuthToken::new("t"));
        settings.default_headers = vec![
            ("OpenStack-API-Version".to_owned(), "volume 3.64".to_owned()),
            ("X-Trace".to_owned(), "default".to_owned()),
            ("x-auth-token".to_owned(), "not the token".to_owned()),
        ];
        let probe = Probe {
            headers: vec![("x-trace", "mine".into())],
            body: Some(("application/json-patch+json", b"[]".to_vec())),
        };
        let prepared = Prepared::new(&settings, &plain(&settings), &probe).unwrap();
        let pairs: Vec<(&str, &str)> = prepared
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("x-trace", "mine"),
                ("OpenStack-API-Version", "volume 3.64"),
                ("Accept", "application/json"),
                ("Content-Type", "application/json-patch+json"),
            ]
        );
        assert_eq!(prepared.body.as_deref(), Some(&b"[]"[..]));
    }

    #[test]
    fn a_body_that_cannot_be_serialized_is_not_sent() {
        let settings = Settings::new("http://h");
        let probe = Probe {
            headers: vec![],
            body: Some(("application/json", b"!".to_vec())),
        };
        let Err(err) = Prepared::new(&settings, &plain(&settings), &probe) else {
            panic!("expected an error");
        };
        assert_eq!(err.kind, TransportErrorKind::Other);
        assert_eq!(
            err.message,
            "POST http://h/x: not sent: probe: the request body cannot be serialized: key must be a string"
        );
    }

    #[test]
    fn default_headers_are_checked_at_build() {
        let mut settings = Settings::new("http://h");
        settings.default_headers = vec![("Bad Name".to_owned(), "v".to_owned())];
        let err = settings
            .check_base_url(Some("http"), true, false)
            .unwrap_err();
        assert!(err.reason().contains("not an HTTP token"), "{err}");
        settings.default_headers = vec![("X-Ok".to_owned(), "line\nbreak".to_owned())];
        let err = settings
            .check_base_url(Some("http"), true, false)
            .unwrap_err();
        assert!(err.reason().contains("control or non-ASCII"), "{err}");
    }
}
