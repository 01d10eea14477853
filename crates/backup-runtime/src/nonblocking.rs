//! Async HTTP client on `reqwest` (feature `async`) over rustls or the system's TLS
//! ([`TlsBackend`](crate::TlsBackend)); needs a Tokio runtime.
//!
//! The same shape as [`blocking`](crate::blocking): [`Client::builder`], [`Client::call`]
//! and [`Client::pages`], which here is a [`Stream`]. Redirects are not followed, so the
//! token is never sent to another host.

use std::fmt;
use std::time::Instant;

use futures_core::Stream;

use std::sync::Arc;

use crate::auth::{AuthToken, Login, LoginError, Microversion, Session};
use crate::client::{
    Attach, Auth, ClientBuildError, MAX_BODY_BYTES, Prepared, Resolved, ResolvedCell, Settings,
    USER_AGENT, VersionsProbe, cached, error_chain, has_io_kind, keep, looks_like_tls, next_page,
    version_segment, versions_url,
};
use crate::endpoint::{Endpoint, Method, Paginated, RawResponse};
use crate::error::{ApiError, TransportError, TransportErrorKind};
use crate::wait::{Next, Reading, WaitError, WaitOptions, Waited, Waiter, Work};

/// Settings for an async [`Client`]; start with [`Client::builder`].
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
    /// host and without query or fragment, the timeout is zero, or TLS cannot be set up.
    pub fn build(self) -> Result<Client, ClientBuildError> {
        let settings = self.settings;
        // A discovering client checks its override (if any); the catalog's URL comes later.
        let given = match &settings.service_types {
            None => Some(settings.base_url.as_str()),
            Some(_) => settings.endpoint_override.as_deref(),
        };
        if let Some(given) = given {
            let url = reqwest::Url::parse(given)
                .map_err(|err| ClientBuildError::new(given, err.to_string()))?;
            settings.check_base_url(
                Some(url.scheme()),
                url.host().is_some(),
                url.query().is_some() || url.fragment().is_some(),
            )?;
        }
        // The timeout and default headers, for a discovering client too.
        settings.check_base_url(Some("https"), true, false)?;
        settings.check_tls()?;
        let mut builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        if let Some(connect_timeout) = settings.connect_timeout {
            builder = builder.connect_timeout(connect_timeout);
        }
        // Proxies: HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY (reqwest's default).
        builder = match settings.tls {
            #[cfg(feature = "rustls")]
            crate::TlsBackend::Rustls => {
                builder.tls_backend_preconfigured(rustls_tls::config(&settings)?)
            }
            #[cfg(feature = "native-tls")]
            crate::TlsBackend::NativeTls => native_tls(builder.tls_backend_native(), &settings)?,
            #[allow(
                unreachable_patterns,
                reason = "check_tls refused a backend not compiled in"
            )]
            _ => builder,
        };
        let http = builder
            .build()
            .map_err(|err| ClientBuildError::new(&settings.base_url, error_chain(&err)))?;
        Ok(Client {
            http,
            settings,
            resolved: ResolvedCell::default(),
        })
    }
}

/// Trust with the system's TLS library: its own store, plus a CA file's certificates.
#[cfg(feature = "native-tls")]
fn native_tls(
    mut builder: reqwest::ClientBuilder,
    settings: &Settings,
) -> Result<reqwest::ClientBuilder, ClientBuildError> {
    if let Some(pem) = settings.ca_pem()? {
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|err| settings.bad_ca(&format!("is not valid PEM: {}", error_chain(&err))))?;
        if certs.is_empty() {
            return Err(settings.bad_ca("has no PEM certificate"));
        }
        builder = builder.tls_certs_merge(certs);
    }
    Ok(builder.tls_danger_accept_invalid_certs(settings.insecure))
}

/// rustls on ring, configured here rather than through reqwest, whose own rustls setup takes
/// the process-wide provider or else aws-lc-rs: one crypto library in the build (ureq's rustls
/// uses ring too), and no global state touched.
#[cfg(feature = "rustls")]
mod rustls_tls {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    use crate::client::{ClientBuildError, Settings};

    /// Trust: the platform's verifier (the system's store) plus a CA file's certificates, or
    /// any certificate when `insecure`.
    pub(super) fn config(settings: &Settings) -> Result<rustls::ClientConfig, ClientBuildError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let failed =
            |err: rustls::Error| ClientBuildError::new(&settings.base_url, err.to_string());
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(failed)?;
        let verifier: Arc<dyn ServerCertVerifier> = if settings.insecure {
            Arc::new(AnyCertificate(provider))
        } else {
            let mut extra = Vec::new();
            if let Some(pem) = settings.ca_pem()? {
                for cert in CertificateDer::pem_slice_iter(&pem) {
                    extra.push(
                        cert.map_err(|err| settings.bad_ca(&format!("is not valid PEM: {err}")))?,
                    );
                }
                if extra.is_empty() {
                    return Err(settings.bad_ca("has no PEM certificate"));
                }
            }
            let verifier = if extra.is_empty() {
                rustls_platform_verifier::Verifier::new(provider)
            } else {
                rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
            };
            Arc::new(verifier.map_err(failed)?)
        };
        Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }

    /// Accepts any server certificate (clouds.yaml `verify: false`); signatures are still
    /// checked, so the handshake itself is sound.
    #[derive(Debug)]
    struct AnyCertificate(Arc<CryptoProvider>);

    impl ServerCertVerifier for AnyCertificate {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}

/// An async client: sends [`Endpoint`]s to one server.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
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

    /// Starts a client that finds its server in the service catalog of its login; see
    /// [`blocking::Client::discover`](crate::blocking::Client::discover), which works the same.
    pub fn discover(service_types: &[&str]) -> ClientBuilder {
        let mut settings = Settings::new("");
        settings.service_types = Some(service_types.iter().map(|t| (*t).to_owned()).collect());
        ClientBuilder { settings }
    }

    /// The base URL as given (empty for a discovering client; see [`Client::resolved_url`]).
    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// The URL requests go under, once the first call has found it, or the given base URL.
    pub fn resolved_url(&self) -> Option<String> {
        match &self.settings.service_types {
            None => Some(self.settings.base_url.clone()),
            Some(_) => cached(&self.resolved).map(|resolved| resolved.base.clone()),
        }
    }

    /// The microversion sent, once the first call has negotiated it.
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
    pub async fn request_url<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<String, ApiError> {
        let (resolved, _) = self.resolve(endpoint).await?;
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
    pub async fn project_id(&self) -> Result<Option<String>, ApiError> {
        match &self.settings.auth {
            Auth::Session(session) => Ok(self.login(session).await?.project_id.clone()),
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
    pub async fn call<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, ApiError> {
        let response = self.call_raw(endpoint).await?;
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
    pub async fn call_raw<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<RawResponse, ApiError> {
        let (resolved, mut just_made) = self.resolve(endpoint).await?;
        let prepared = Prepared::new(&self.settings, &resolved, endpoint)?;
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            // A login made to find the server is used as it is, even if short-lived.
            let (attach, token) = self.attach(&prepared, just_made.take()).await?;
            let response = self.send_once(&prepared, &attach).await?;
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
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                None => return Ok(response),
            }
        }
    }

    /// The token or signature for one attempt, and the token (to drop it after a `401`);
    /// `login` is one just made, to use without asking the session.
    async fn attach(
        &self,
        prepared: &Prepared,
        login: Option<Arc<Login>>,
    ) -> Result<(Attach, Option<AuthToken>), ApiError> {
        Ok(match (&self.settings.auth, prepared.auth_header) {
            (Auth::Token(token), Some(header)) => (Attach::Token(header, token.clone()), None),
            (Auth::Session(session), Some(header)) => {
                let token = match login {
                    Some(login) => login.token.clone(),
                    None => self.login(session).await?.token.clone(),
                };
                (Attach::Token(header, token.clone()), Some(token))
            }
            (Auth::AkSk(aksk), _) => (Attach::signed(aksk, prepared), None),
            _ => (Attach::Nothing, None),
        })
    }

    /// Where requests go: found once (logging in and negotiating the microversion if asked),
    /// then kept; and the login made to find it, if one was.
    async fn resolve<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<(Arc<Resolved>, Option<Arc<Login>>), ApiError> {
        if let Some(resolved) = cached(&self.resolved) {
            return Ok((resolved, None));
        }
        let login = match &self.settings.auth {
            Auth::Session(session) if self.settings.needs_login_to_resolve() => {
                Some(self.login(session).await?)
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
            resolved.microversion = self
                .negotiate(&resolved, endpoint, *supported, login.clone())
                .await?;
        }
        Ok((keep(&self.resolved, resolved), login))
    }

    /// Reads the service's versions document; a service that does not answer with one gets
    /// no microversion.
    async fn negotiate<E: Endpoint + ?Sized>(
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
        let (attach, _) = self.attach(&prepared, login).await?;
        let response = self.send_once(&prepared, &attach).await?;
        Ok(matches!(response.status, 200 | 300)
            .then(|| Microversion::negotiate(&response.body, &version, supported))
            .flatten())
    }

    /// The session's login, logging in first when there is none or it expires within 120 s;
    /// one caller logs in while the others wait.
    async fn login(&self, session: &Session) -> Result<Arc<Login>, ApiError> {
        if let Some(login) = session.fresh() {
            return Ok(login);
        }
        let _one_at_a_time = session.async_login_lock().await;
        if let Some(login) = session.fresh() {
            return Ok(login);
        }
        let request = session.login_request().map_err(ApiError::Login)?;
        let fail = |message: String| {
            ApiError::Login(LoginError {
                identity_url: request.url.clone(),
                status: None,
                message,
            })
        };
        let mut http_request = self.http.post(request.url.as_str());
        for (name, value) in &request.headers {
            http_request = http_request.header(*name, value.as_str());
        }
        if let Some((name, secret)) = &request.sensitive {
            let mut value = reqwest::header::HeaderValue::from_str(secret.expose())
                .map_err(|_| fail(format!("the {name} header is not a valid header value")))?;
            value.set_sensitive(true);
            http_request = http_request.header(*name, value);
        }
        let response = http_request
            .body(request.body.expose().as_bytes().to_vec())
            .send()
            .await
            .map_err(|err| fail(error_chain(&err.without_url())))?;
        let status = response.status().as_u16();
        let headers = response_headers(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|err| fail(error_chain(&err.without_url())))?;
        let login = session
            .parse_login(status, &headers, &body)
            .map_err(ApiError::Login)?;
        Ok(session.store(login))
    }

    /// Reads `endpoint` (a `show` operation) until `work` ends, as [`crate::wait`] says:
    /// `read` tells the state (and a failure's reason) of each body, `on_change` hears the
    /// first state and each change. Sleeps between readings with Tokio's timer.
    ///
    /// # Errors
    ///
    /// [`WaitError::Deadline`] when `options`' timeout passes first, [`WaitError::Api`] for an
    /// error that waiting does not mend.
    pub async fn wait<E: Endpoint>(
        &self,
        work: Work,
        endpoint: &E,
        options: WaitOptions,
        read: impl Fn(&E::Output) -> Reading,
        on_change: &mut (dyn FnMut(&Reading) + Send),
    ) -> Result<Waited<E::Output>, WaitError> {
        let mut waiter = Waiter::new(work, options, Instant::now());
        let mut last = None;
        loop {
            let reading = self.call(endpoint).await.map(|output| {
                let reading = read(&output);
                last = Some(output);
                reading
            });
            match waiter.observe(reading, Instant::now(), on_change) {
                Next::Sleep(sleep) => tokio::time::sleep(sleep).await,
                Next::End(Ok(end)) => return Ok(Waited::new(end, waiter.last(), last)),
                Next::End(Err(error)) => return Err(error),
            }
        }
    }

    /// The first page, then each [`Paginated::next_page`], at most `max_pages` in all. Ends
    /// after the last page (no next page), after a page whose next request would repeat the
    /// one just sent (no progress), and at the limit. After an error the stream yields it once
    /// and ends.
    pub fn pages<E: Paginated>(
        &self,
        endpoint: E,
        max_pages: usize,
    ) -> impl Stream<Item = Result<E::Output, ApiError>> + Unpin {
        Box::pin(futures_util::stream::unfold(
            (Some(endpoint), max_pages),
            move |(next, remaining)| async move {
                if remaining == 0 {
                    return None;
                }
                let endpoint = next?;
                let result = self.call(&endpoint).await;
                let next = match &result {
                    Ok(output) if remaining > 1 => next_page(&endpoint, output),
                    _ => None,
                };
                Some((result, (next, remaining - 1)))
            },
        ))
    }

    async fn send_once(
        &self,
        prepared: &Prepared,
        attach: &Attach,
    ) -> Result<RawResponse, TransportError> {
        let fail = |err: reqwest::Error| transport_error(prepared, err);
        let method = match prepared.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        };
        let mut request = self.http.request(method, prepared.url.as_str());
        for (name, value) in &prepared.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match attach {
            Attach::Nothing => {}
            Attach::Token(name, token) => {
                let mut value = reqwest::header::HeaderValue::from_str(token.expose())
                    .map_err(|_| prepared.invalid_token())?;
                value.set_sensitive(true);
                request = request.header(*name, value);
            }
            Attach::Signed(headers) => {
                for (name, value, sensitive) in headers {
                    let mut value = reqwest::header::HeaderValue::from_str(value)
                        .map_err(|_| prepared.invalid_token())?;
                    value.set_sensitive(*sensitive);
                    request = request.header(name.as_str(), value);
                }
            }
        }
        if let Some(body) = &prepared.body {
            request = request.body(body.clone());
        }
        let mut response = request.send().await.map_err(fail)?;
        let status = response.status().as_u16();
        let headers = response_headers(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(fail)? {
            if body.len() as u64 + chunk.len() as u64 > MAX_BODY_BYTES {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!(
                        "{}: response body exceeds {MAX_BODY_BYTES} bytes",
                        prepared.describe()
                    ),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// Response headers as text pairs.
fn response_headers(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
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

/// Names the failure: the request line and reqwest's error chain (never a header value).
fn transport_error(prepared: &Prepared, err: reqwest::Error) -> TransportError {
    use std::io::ErrorKind;
    let kind = if err.is_timeout() || has_io_kind(&err, ErrorKind::TimedOut) {
        TransportErrorKind::TimedOut
    } else if has_io_kind(&err, ErrorKind::ConnectionRefused) {
        TransportErrorKind::Refused
    } else if err.is_dns() {
        TransportErrorKind::Dns
    } else if err.is_connect() && prepared.is_https() && looks_like_tls(&err) {
        TransportErrorKind::Tls
    } else {
        TransportErrorKind::Other
    };
    // The URL is already in the request line.
    let err = err.without_url();
    TransportError::new(
        kind,
        format!("{}: {}", prepared.describe(), error_chain(&err)),
    )
}
