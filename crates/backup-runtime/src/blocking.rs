//! Blocking HTTP client on `ureq` (feature `blocking`).
//!
//! ```no_run
//! use std::time::Duration;
//! use backup_runtime::{AuthToken, RetryPolicy, blocking::Client};
//! # use backup_runtime::{ApiError, Endpoint, Method, RawResponse};
//! # struct ShowBackup { backup_id: String }
//! # impl Endpoint for ShowBackup {
//! #     type Output = RawResponse;
//! #     fn operation_id(&self) -> &'static str { "showBackup" }
//! #     fn method(&self) -> Method { Method::Get }
//! #     fn path(&self) -> String { format!("/backups/{}", self.backup_id) }
//! #     fn query(&self) -> Vec<(&'static str, String)> { Vec::new() }
//! #     fn headers(&self) -> Vec<(&'static str, String)> { Vec::new() }
//! #     fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, backup_runtime::BodyError> { Ok(None) }
//! #     fn parse_response(&self, r: RawResponse) -> Result<RawResponse, ApiError> { Ok(r) }
//! # }
//!
//! let client = Client::builder("https://vbs.example.com/v2/0123456789abcdef")
//!     .token(AuthToken::new(std::env::var("OS_TOKEN")?))
//!     .timeout(Duration::from_secs(10))
//!     .retry(RetryPolicy::new(3))
//!     .build()?;
//! let outcome = client.call(&ShowBackup { backup_id: "b1".into() })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Redirects are not followed: a `3xx` is returned to the endpoint like any other status,
//! so the token is never sent to another host.

use std::fmt;
use std::iter::FusedIterator;
use std::time::Instant;

use ureq::http;

use std::sync::Arc;

use crate::auth::{AuthToken, Login, LoginError, Microversion, Session};
use crate::client::{
    Attach, Auth, ClientBuildError, MAX_BODY_BYTES, Prepared, Resolved, ResolvedCell, Settings,
    USER_AGENT, VersionsProbe, cached, error_chain, has_io_kind, keep, looks_like_tls, next_page,
    version_segment, versions_url,
};
use crate::endpoint::{Endpoint, Paginated, RawResponse};
use crate::error::{ApiError, TransportError, TransportErrorKind};
use crate::wait::{Next, Reading, WaitError, WaitOptions, Waited, Waiter, Work};

/// Settings for a blocking [`Client`]; start with [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    settings: Settings,
}

impl ClientBuilder {
    crate::client::settings_setters!();

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ClientBuildError`] when the base URL is not an absolute `http`/`https` URL with a
    /// host and without query or fragment, or the timeout is zero.
    pub fn build(self) -> Result<Client, ClientBuildError> {
        let settings = self.settings;
        // A discovering client checks its override (if any); the catalog's URL comes later.
        let given = match &settings.service_types {
            None => Some(settings.base_url.as_str()),
            Some(_) => settings.endpoint_override.as_deref(),
        };
        if let Some(url) = given {
            let uri: http::Uri = url.parse().map_err(|err: http::uri::InvalidUri| {
                ClientBuildError::new(url, err.to_string())
            })?;
            settings.check_base_url(
                uri.scheme_str(),
                uri.host().is_some_and(|host| !host.is_empty()),
                uri.query().is_some() || url.contains('#'),
            )?;
        }
        // The timeout and default headers, for a discovering client too.
        settings.check_base_url(Some("https"), true, false)?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(settings.timeout))
            .timeout_connect(settings.connect_timeout)
            .user_agent(USER_AGENT)
            .tls_config(tls_config(&settings)?)
            .build();
        Ok(Client {
            agent: config.into(),
            settings,
            resolved: ResolvedCell::default(),
        })
    }
}

/// Trust: the system's certificate store (through the platform verifier), or, with a CA file,
/// the system's certificates plus the file's. Proxies come from `HTTPS_PROXY`/`HTTP_PROXY`/
/// `ALL_PROXY` and `NO_PROXY` (ureq's default).
fn tls_config(settings: &Settings) -> Result<ureq::tls::TlsConfig, ClientBuildError> {
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};
    settings.check_tls()?;
    let provider = match settings.tls {
        crate::TlsBackend::Rustls => TlsProvider::Rustls,
        crate::TlsBackend::NativeTls => TlsProvider::NativeTls,
    };
    let builder = TlsConfig::builder().provider(provider);
    if settings.insecure {
        return Ok(builder.disable_verification(true).build());
    }
    let Some(pem) = settings.ca_pem()? else {
        return Ok(builder.root_certs(RootCerts::PlatformVerifier).build());
    };
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => extra.push(cert),
            Ok(_) => {}
            Err(err) => return Err(settings.bad_ca(&format!("is not valid PEM: {err}"))),
        }
    }
    if extra.is_empty() {
        return Err(settings.bad_ca("has no PEM certificate"));
    }
    // Unreadable entries of the system store are skipped, as the platform verifier does.
    let system = rustls_native_certs::load_native_certs().certs;
    let roots = system
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .chain(extra);
    Ok(builder.root_certs(RootCerts::from(roots)).build())
}

/// A blocking client: sends [`Endpoint`]s to one server.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    /// Where requests go, found on the first call; shared by clones.
    resolved: ResolvedCell,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a client for the server at `base_url`, e.g. `https://vbs.example.com`: each
    /// operation's whole path is appended (a trailing `/` is fine).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            settings: Settings::new(base_url),
        }
    }

    /// Starts a client that finds its server in the service catalog of its login (see
    /// [`ClientBuilder::credentials`]): the first of `service_types` (official type first, then
    /// its aliases, e.g. an endpoint crate's `SERVICE_TYPES`) with an endpoint of the
    /// [`interface`](ClientBuilder::interface) in the [`region`](ClientBuilder::region), unless
    /// an [`endpoint_override`](ClientBuilder::endpoint_override) is given. The catalog URL
    /// holds the version and project: only the rest of each operation's path is appended.
    /// Nothing is sent before the first call.
    pub fn discover(service_types: &[&str]) -> ClientBuilder {
        let mut settings = Settings::new("");
        settings.service_types = Some(service_types.iter().map(|t| (*t).to_owned()).collect());
        ClientBuilder { settings }
    }

    /// The base URL as given (empty for a discovering client; see [`Client::resolved_url`]).
    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// The URL requests go under, once the first call has found it (a discovering client's
    /// catalog endpoint or override), or the given base URL.
    pub fn resolved_url(&self) -> Option<String> {
        match &self.settings.service_types {
            None => Some(self.settings.base_url.clone()),
            Some(_) => cached(&self.resolved).map(|resolved| resolved.base.clone()),
        }
    }

    /// The microversion sent, once the first call has negotiated it (see
    /// [`ClientBuilder::negotiate_microversion`]).
    pub fn microversion(&self) -> Option<Microversion> {
        cached(&self.resolved).and_then(|resolved| resolved.microversion)
    }

    /// The full URL `endpoint` is sent to, if the server is known (no call is made to find it).
    pub fn known_url<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Option<String> {
        let resolved = match &self.settings.service_types {
            None => return Some(crate::endpoint_url(&self.settings.base_url, endpoint)),
            Some(_) => cached(&self.resolved)?,
        };
        Some(if resolved.catalog {
            crate::catalog_endpoint_url(&resolved.base, endpoint)
        } else {
            crate::endpoint_url(&resolved.base, endpoint)
        })
    }

    /// The full URL `endpoint` is sent to; finds the server (logging in) if no call has yet.
    ///
    /// # Errors
    ///
    /// As [`Client::call`], when the server cannot be found.
    pub fn request_url<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<String, ApiError> {
        let (resolved, _) = self.resolve(endpoint)?;
        Ok(if resolved.catalog {
            crate::catalog_endpoint_url(&resolved.base, endpoint)
        } else {
            crate::endpoint_url(&resolved.base, endpoint)
        })
    }

    /// The project the client works in: the login's project (logging in if needed), or the
    /// AK/SK credential's. `None` for a plain token.
    ///
    /// # Errors
    ///
    /// The login failed.
    pub fn project_id(&self) -> Result<Option<String>, ApiError> {
        match &self.settings.auth {
            Auth::Session(session) => {
                let (login, _) = self.login(session)?;
                Ok(login.project_id.clone())
            }
            Auth::AkSk(aksk) => Ok(aksk.project_id.clone()),
            Auth::None | Auth::Token(_) => Ok(None),
        }
    }

    /// The session this client logs in through, if it logs in.
    pub fn session(&self) -> Option<&Session> {
        match &self.settings.auth {
            Auth::Session(session) => Some(session),
            _ => None,
        }
    }

    /// Sends the request (retrying as configured) and reads the response with
    /// [`Endpoint::parse_response`].
    ///
    /// # Errors
    ///
    /// [`ApiError::Transport`] when no response arrived, [`ApiError::Login`] or
    /// [`ApiError::Endpoint`] when logging in or finding the server failed, otherwise whatever
    /// [`Endpoint::parse_response`] says about the response.
    pub fn call<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, ApiError> {
        let response = self.call_raw(endpoint)?;
        endpoint.parse_response(response)
    }

    /// Sends the request (retrying as configured) and returns the last response as received,
    /// whatever its status. With a login, a `401` renews the token and sends the request once
    /// more.
    ///
    /// # Errors
    ///
    /// [`ApiError::Transport`] when no response arrived; [`ApiError::Login`] or
    /// [`ApiError::Endpoint`] when logging in or finding the server failed.
    pub fn call_raw<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<RawResponse, ApiError> {
        let (resolved, mut just_made) = self.resolve(endpoint)?;
        let prepared = Prepared::new(&self.settings, &resolved, endpoint)?;
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            // A login made to find the server is used as it is, even if short-lived.
            let (attach, token) = self.attach(&prepared, just_made.take())?;
            let response = self.send_once(&prepared, &attach)?;
            if response.status == 401
                && !renewed
                && let (Auth::Session(session), Some(token)) = (&self.settings.auth, &token)
            {
                // keystoneauth `session.py`: re-authenticate and retry once, never more.
                session.refused(token);
                renewed = true;
                continue;
            }
            let retry_after = response.header("retry-after");
            match self
                .settings
                .retry
                .delay_for(attempt, response.status, retry_after)
            {
                Some(delay) => {
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                None => return Ok(response),
            }
        }
    }

    /// The token or signature for one attempt, and the token (to drop it after a `401`);
    /// `login` is one just made, to use without asking the session.
    fn attach(
        &self,
        prepared: &Prepared,
        login: Option<Arc<Login>>,
    ) -> Result<(Attach, Option<AuthToken>), ApiError> {
        Ok(match (&self.settings.auth, prepared.auth_header) {
            (Auth::Token(token), Some(header)) => (Attach::Token(header, token.clone()), None),
            (Auth::Session(session), Some(header)) => {
                let token = match login {
                    Some(login) => login.token.clone(),
                    None => self.login(session)?.0.token.clone(),
                };
                (Attach::Token(header, token.clone()), Some(token))
            }
            (Auth::AkSk(aksk), _) => (Attach::signed(aksk, prepared), None),
            _ => (Attach::Nothing, None),
        })
    }

    /// Where requests go: found once (logging in and negotiating the microversion if asked),
    /// then kept; and the login made to find it, if one was.
    fn resolve<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<(Arc<Resolved>, Option<Arc<Login>>), ApiError> {
        if let Some(resolved) = cached(&self.resolved) {
            return Ok((resolved, None));
        }
        let login = match &self.settings.auth {
            Auth::Session(session) if self.settings.needs_login_to_resolve() => {
                Some(self.login(session)?.0)
            }
            _ => None,
        };
        let (base, catalog) = self.settings.base(login.as_deref())?;
        let mut resolved = Resolved {
            base,
            catalog,
            microversion: None,
        };
        if let Some((_, supported)) = &self.settings.microversion
            && !self
                .settings
                .default_headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("openstack-api-version"))
        {
            resolved.microversion =
                self.negotiate(&resolved, endpoint, *supported, login.clone())?;
        }
        Ok((keep(&self.resolved, resolved), login))
    }

    /// Reads the service's versions document; a service that does not answer with one gets
    /// no microversion.
    fn negotiate<E: Endpoint + ?Sized>(
        &self,
        resolved: &Resolved,
        endpoint: &E,
        supported: Microversion,
        login: Option<Arc<Login>>,
    ) -> Result<Option<Microversion>, ApiError> {
        let Some(version) = version_segment(endpoint) else {
            return Ok(None);
        };
        let root = VersionsProbe {
            url: versions_url(&resolved.base, resolved.catalog, endpoint),
        };
        let probe = Resolved {
            base: root.url.clone(),
            catalog: false,
            microversion: None,
        };
        let prepared = Prepared::new(&self.settings, &probe, &root)?;
        let (attach, _) = self.attach(&prepared, login)?;
        let response = self.send_once(&prepared, &attach)?;
        Ok(matches!(response.status, 200 | 300)
            .then(|| Microversion::negotiate(&response.body, &version, supported))
            .flatten())
    }

    /// The session's login, logging in first when there is none or it expires within 120 s;
    /// one caller logs in while the others wait. The flag says whether this call logged in.
    fn login(&self, session: &Session) -> Result<(Arc<Login>, bool), ApiError> {
        if let Some(login) = session.fresh() {
            return Ok((login, false));
        }
        let _one_at_a_time = session.blocking_login_lock();
        if let Some(login) = session.fresh() {
            return Ok((login, false));
        }
        let request = session.login_request().map_err(ApiError::Login)?;
        let fail = |message: String| {
            ApiError::Login(LoginError {
                identity_url: request.url.clone(),
                status: None,
                message,
            })
        };
        let mut http_request = http::Request::builder()
            .method("POST")
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            http_request = http_request.header(*name, value.as_str());
        }
        if let Some((name, secret)) = &request.sensitive {
            let mut value = http::HeaderValue::from_str(secret.expose())
                .map_err(|_| fail(format!("the {name} header is not a valid header value")))?;
            value.set_sensitive(true);
            http_request = http_request.header(*name, value);
        }
        let http_request = http_request
            .body(request.body.expose().as_bytes().to_vec())
            .map_err(|err| fail(err.to_string()))?;
        let response = self
            .agent
            .run(http_request)
            .map_err(|err| fail(login_transport_message(&err)))?;
        let status = response.status().as_u16();
        let headers = response_headers(response.headers());
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|err| fail(login_transport_message(&err)))?;
        let login = session
            .parse_login(status, &headers, &body)
            .map_err(ApiError::Login)?;
        Ok((session.store(login), true))
    }

    /// Reads `endpoint` (a `show` operation) until `work` ends, as [`crate::wait`] says:
    /// `read` tells the state (and a failure's reason) of each body, `on_change` hears the
    /// first state and each change. Sleeps between readings with this thread.
    ///
    /// # Errors
    ///
    /// [`WaitError::Deadline`] when `options`' timeout passes first, [`WaitError::Api`] for an
    /// error that waiting does not mend.
    pub fn wait<E: Endpoint>(
        &self,
        work: Work,
        endpoint: &E,
        options: WaitOptions,
        read: impl Fn(&E::Output) -> Reading,
        on_change: &mut dyn FnMut(&Reading),
    ) -> Result<Waited<E::Output>, WaitError> {
        let mut waiter = Waiter::new(work, options, Instant::now());
        let mut last = None;
        loop {
            let reading = self.call(endpoint).map(|output| {
                let reading = read(&output);
                last = Some(output);
                reading
            });
            match waiter.observe(reading, Instant::now(), on_change) {
                Next::Sleep(sleep) => std::thread::sleep(sleep),
                Next::End(Ok(end)) => return Ok(Waited::new(end, waiter.last(), last)),
                Next::End(Err(error)) => return Err(error),
            }
        }
    }

    /// The first page, then each [`Paginated::next_page`], at most `max_pages` in all. Ends
    /// after the last page (no next page), after a page whose next request would repeat the
    /// one just sent (no progress), and at the limit. After an error the iterator yields it
    /// once and ends.
    pub fn pages<E: Paginated>(&self, endpoint: E, max_pages: usize) -> Pages<'_, E> {
        Pages {
            client: self,
            next: Some(endpoint),
            remaining: max_pages,
        }
    }

    fn send_once(
        &self,
        prepared: &Prepared,
        attach: &Attach,
    ) -> Result<RawResponse, TransportError> {
        let fail = |err: ureq::Error| transport_error(prepared, &err);
        let mut request = http::Request::builder()
            .method(prepared.method.as_str())
            .uri(prepared.url.as_str());
        for (name, value) in &prepared.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match attach {
            Attach::Nothing => {}
            Attach::Token(name, token) => {
                let mut value = http::HeaderValue::from_str(token.expose())
                    .map_err(|_| prepared.invalid_token())?;
                value.set_sensitive(true);
                request = request.header(*name, value);
            }
            Attach::Signed(headers) => {
                for (name, value, sensitive) in headers {
                    let mut value =
                        http::HeaderValue::from_str(value).map_err(|_| prepared.invalid_token())?;
                    value.set_sensitive(*sensitive);
                    request = request.header(name.as_str(), value);
                }
            }
        }
        let response = match &prepared.body {
            Some(body) => request
                .body(body.clone())
                .map_err(|err| fail(err.into()))
                .and_then(|request| self.agent.run(request).map_err(fail))?,
            None => request
                .body(())
                .map_err(|err| fail(err.into()))
                .and_then(|request| self.agent.run(request).map_err(fail))?,
        };
        let status = response.status().as_u16();
        let headers = response_headers(response.headers());
        // Sized from Content-Length (up to 1 MiB): no regrowing while a page is read.
        let expected = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<usize>().ok())
            .unwrap_or(0)
            .min(1 << 20);
        let mut body = Vec::with_capacity(expected);
        std::io::Read::read_to_end(
            &mut response
                .into_body()
                .into_with_config()
                .limit(MAX_BODY_BYTES)
                .reader(),
            &mut body,
        )
        .map_err(|err| fail(ureq::Error::from(err)))?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// Response headers as text pairs.
fn response_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// Why a login got no answer (ureq's error chain; never a header or the body).
fn login_transport_message(err: &ureq::Error) -> String {
    match err {
        ureq::Error::Io(io) => format!("io: {}", error_chain(io)),
        _ => error_chain(err),
    }
}

/// Names the failure: the request line and ureq's error chain (never a header value).
fn transport_error(prepared: &Prepared, err: &ureq::Error) -> TransportError {
    use std::io::ErrorKind;
    // ureq's error does not expose its I/O cause as `source`; look at it directly.
    let io: Option<&(dyn std::error::Error + 'static)> = match err {
        ureq::Error::Io(io) => Some(io),
        _ => None,
    };
    let io_kind = |kind| io.is_some_and(|io| has_io_kind(io, kind));
    let kind = match err {
        ureq::Error::Timeout(_) => TransportErrorKind::TimedOut,
        ureq::Error::HostNotFound => TransportErrorKind::Dns,
        ureq::Error::Tls(_) | ureq::Error::Pem(_) => TransportErrorKind::Tls,
        #[cfg(feature = "rustls")]
        ureq::Error::Rustls(_) => TransportErrorKind::Tls,
        #[cfg(feature = "native-tls")]
        ureq::Error::NativeTls(_) => TransportErrorKind::Tls,
        _ if io_kind(ErrorKind::ConnectionRefused) => TransportErrorKind::Refused,
        _ if io_kind(ErrorKind::TimedOut) => TransportErrorKind::TimedOut,
        _ if io.is_some_and(looks_like_dns) => TransportErrorKind::Dns,
        _ if prepared.is_https() && io.is_some_and(looks_like_tls) => TransportErrorKind::Tls,
        _ => TransportErrorKind::Other,
    };
    let detail = match io {
        Some(io) => format!("io: {}", error_chain(io)),
        None => error_chain(err),
    };
    TransportError::new(kind, format!("{}: {detail}", prepared.describe()))
}

/// ureq passes the system resolver's failure on as a plain I/O error; the standard library
/// words it "failed to lookup address information: …" (Unix) and Windows as "No such host is
/// known".
fn looks_like_dns(io: &(dyn std::error::Error + 'static)) -> bool {
    let text = error_chain(io);
    text.contains("failed to lookup address information") || text.contains("No such host is known")
}

/// Pages of a [`Paginated`] endpoint, from [`Client::pages`].
pub struct Pages<'a, E: Paginated> {
    client: &'a Client,
    next: Option<E>,
    remaining: usize,
}

impl<E: Paginated> fmt::Debug for Pages<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("has_next", &self.next.is_some())
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl<E: Paginated> Iterator for Pages<'_, E> {
    type Item = Result<E::Output, ApiError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            self.next = None;
            return None;
        }
        let endpoint = self.next.take()?;
        self.remaining -= 1;
        let result = self.client.call(&endpoint);
        if let Ok(output) = &result
            && self.remaining > 0
        {
            self.next = next_page(&endpoint, output);
        }
        Some(result)
    }
}

impl<E: Paginated> FusedIterator for Pages<'_, E> {}
