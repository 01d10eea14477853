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

use ureq::http;

use crate::client::{
    ClientBuildError, MAX_BODY_BYTES, Prepared, Settings, USER_AGENT, error_chain, has_io_kind,
    looks_like_tls, next_page,
};
use crate::endpoint::{Endpoint, Paginated, RawResponse};
use crate::error::{ApiError, TransportError, TransportErrorKind};

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
        let uri: http::Uri = settings
            .base_url
            .parse()
            .map_err(|err: http::uri::InvalidUri| {
                ClientBuildError::new(&settings.base_url, err.to_string())
            })?;
        settings.check_base_url(
            uri.scheme_str(),
            uri.host().is_some_and(|host| !host.is_empty()),
            uri.query().is_some() || settings.base_url.contains('#'),
        )?;
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
        })
    }
}

/// Trust: the system's certificate store (through the platform verifier), or, with a CA file,
/// the system's certificates plus the file's. Proxies come from `HTTPS_PROXY`/`HTTP_PROXY`/
/// `ALL_PROXY` and `NO_PROXY` (ureq's default).
fn tls_config(settings: &Settings) -> Result<ureq::tls::TlsConfig, ClientBuildError> {
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
    let Some(pem) = settings.ca_pem()? else {
        return Ok(TlsConfig::builder()
            .root_certs(RootCerts::PlatformVerifier)
            .build());
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
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::from(roots))
        .build())
}

/// A blocking client: sends [`Endpoint`]s to one server.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a client for the server at `base_url`, e.g.
    /// `https://vbs.example.com/v2/{project_id}` (a trailing `/` is fine).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            settings: Settings::new(base_url),
        }
    }

    /// The base URL as given.
    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// Sends the request (retrying as configured) and reads the response with
    /// [`Endpoint::parse_response`].
    ///
    /// # Errors
    ///
    /// [`ApiError::Transport`] when no response arrived, otherwise whatever
    /// [`Endpoint::parse_response`] says about the response.
    pub fn call<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, ApiError> {
        let response = self.call_raw(endpoint)?;
        endpoint.parse_response(response)
    }

    /// Sends the request (retrying as configured) and returns the last response as received,
    /// whatever its status.
    ///
    /// # Errors
    ///
    /// [`ApiError::Transport`] when no response arrived.
    pub fn call_raw<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<RawResponse, ApiError> {
        let prepared = Prepared::new(&self.settings, endpoint)?;
        let mut attempt = 0;
        loop {
            let response = self.send_once(&prepared)?;
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

    fn send_once(&self, prepared: &Prepared) -> Result<RawResponse, TransportError> {
        let fail = |err: ureq::Error| transport_error(prepared, &err);
        let mut request = http::Request::builder()
            .method(prepared.method.as_str())
            .uri(prepared.url.as_str());
        for (name, value) in &prepared.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some((name, token)) = &prepared.auth {
            let mut value = http::HeaderValue::from_str(token.expose())
                .map_err(|_| prepared.invalid_token())?;
            value.set_sensitive(true);
            request = request.header(*name, value);
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
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(fail)?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
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
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => {
            TransportErrorKind::Tls
        }
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
