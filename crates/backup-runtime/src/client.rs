//! What the [`blocking`](crate::blocking) and [`nonblocking`](crate::nonblocking) clients
//! share: settings, request preparation and error wording. No I/O here.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use crate::auth::AuthToken;
use crate::endpoint::{Endpoint, Method, endpoint_url};
use crate::error::{TransportError, TransportErrorKind};
use crate::retry::RetryPolicy;

/// The setters both clients' builders share: each sets one field of their `settings: Settings`.
macro_rules! settings_setters {
    () => {
        /// The token sent in each endpoint's [`auth_header`](crate::Endpoint::auth_header).
        #[must_use]
        pub fn token(mut self, token: crate::AuthToken) -> Self {
            self.settings.token = Some(token);
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

/// Builder settings shared by both clients.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) token: Option<AuthToken>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    /// Sent with every call unless the endpoint sets the same header.
    pub(crate) default_headers: Vec<(String, String)>,
    /// Extra CA certificates (PEM) to trust besides the system's store.
    pub(crate) ca_file: Option<std::path::PathBuf>,
}

impl Settings {
    /// Whole-request timeout unless set otherwise.
    pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    pub(crate) fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            token: None,
            timeout: Self::DEFAULT_TIMEOUT,
            connect_timeout: None,
            retry: RetryPolicy::none(),
            default_headers: Vec::new(),
            ca_file: None,
        }
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

/// A request ready for any HTTP library.
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) url: String,
    /// Everything but the token.
    pub(crate) headers: Vec<(String, String)>,
    /// The token's header name and the token: send it marked sensitive, never print it.
    pub(crate) auth: Option<(&'static str, AuthToken)>,
    /// The body bytes; their `Content-Type` is among `headers`.
    pub(crate) body: Option<Vec<u8>>,
}

impl Prepared {
    /// The endpoint's request with the client's default headers (unless the endpoint sets the
    /// same one), `Accept`, `Content-Type` (the body's media type, when there is a body) and the
    /// token in the endpoint's auth header. A header of the same name as the auth header is
    /// dropped when a token is set, so the token is sent once.
    ///
    /// # Errors
    ///
    /// A path with a `.` or `..` segment (also percent-encoded): URL parsers and servers read
    /// it as a directory step, so the request would reach another resource. A body that cannot
    /// be serialized. Either way nothing is sent.
    pub(crate) fn new<E: Endpoint + ?Sized>(
        settings: &Settings,
        endpoint: &E,
    ) -> Result<Self, TransportError> {
        let url = endpoint_url(&settings.base_url, endpoint);
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
        let auth = settings
            .token
            .as_ref()
            .and_then(|token| Some((endpoint.auth_header()?, token.clone())));
        let not_auth = |name: &str| {
            !auth
                .as_ref()
                .is_some_and(|(auth, _)| name.eq_ignore_ascii_case(auth))
        };
        let has = |headers: &[(String, String)], name: &str| {
            headers
                .iter()
                .any(|(key, _)| key.eq_ignore_ascii_case(name))
        };
        let mut headers: Vec<(String, String)> = endpoint
            .headers()
            .into_iter()
            .filter(|(name, _)| not_auth(name))
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        for (name, value) in &settings.default_headers {
            if not_auth(name) && !has(&headers, name) {
                headers.push((name.clone(), value.clone()));
            }
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
            auth,
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
    ["certificate", "tls", "handshake", "rustls"]
        .iter()
        .any(|word| text.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ApiError, RawResponse};

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
        settings.token = Some(AuthToken::new("t"));
        let probe = Probe {
            headers: vec![("x-auth-token", "other".into()), ("X-Trace", "1".into())],
            body: Some(("application/json", b"{}".to_vec())),
        };
        let prepared = Prepared::new(&settings, &probe).unwrap();
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
        assert_eq!(prepared.auth, Some(("X-Auth-Token", AuthToken::new("t"))));
        assert_eq!(prepared.describe(), "POST http://h/x");
    }

    #[test]
    fn endpoint_may_set_accept_and_no_token_means_no_auth_header() {
        let settings = Settings::new("http://h");
        let probe = Probe {
            headers: vec![("Accept", "text/plain".into())],
            body: None,
        };
        let prepared = Prepared::new(&settings, &probe).unwrap();
        assert_eq!(
            prepared.headers,
            [("Accept".to_owned(), "text/plain".to_owned())]
        );
        assert_eq!(prepared.auth, None);
    }

    #[test]
    fn body_media_type_is_the_content_type_and_default_headers_yield_to_the_endpoint() {
        let mut settings = Settings::new("http://h");
        settings.token = Some(AuthToken::new("t"));
        settings.default_headers = vec![
            ("OpenStack-API-Version".to_owned(), "volume 3.64".to_owned()),
            ("X-Trace".to_owned(), "default".to_owned()),
            ("x-auth-token".to_owned(), "not the token".to_owned()),
        ];
        let probe = Probe {
            headers: vec![("x-trace", "mine".into())],
            body: Some(("application/json-patch+json", b"[]".to_vec())),
        };
        let prepared = Prepared::new(&settings, &probe).unwrap();
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
        let Err(err) = Prepared::new(&settings, &probe) else {
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
