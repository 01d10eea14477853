//! Async HTTP client on `reqwest` with rustls (feature `async`); needs a Tokio runtime.
//!
//! The same shape as [`blocking`](crate::blocking): [`Client::builder`], [`Client::call`]
//! and [`Client::pages`], which here is a [`Stream`]. Redirects are not followed, so the
//! token is never sent to another host.

use std::fmt;

use futures_core::Stream;

use crate::client::{
    ClientBuildError, MAX_BODY_BYTES, Prepared, Settings, USER_AGENT, error_chain, has_io_kind,
    looks_like_tls, next_page,
};
use crate::endpoint::{Endpoint, Method, Paginated, RawResponse};
use crate::error::{ApiError, TransportError, TransportErrorKind};

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
        let url = reqwest::Url::parse(&settings.base_url)
            .map_err(|err| ClientBuildError::new(&settings.base_url, err.to_string()))?;
        settings.check_base_url(
            Some(url.scheme()),
            url.host().is_some(),
            url.query().is_some() || url.fragment().is_some(),
        )?;
        let mut builder = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        if let Some(connect_timeout) = settings.connect_timeout {
            builder = builder.connect_timeout(connect_timeout);
        }
        // Trust: reqwest's platform verifier (the system's store), plus a CA file's
        // certificates. Proxies: HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY (reqwest's default).
        if let Some(pem) = settings.ca_pem()? {
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| {
                settings.bad_ca(&format!("is not valid PEM: {}", error_chain(&err)))
            })?;
            if certs.is_empty() {
                return Err(settings.bad_ca("has no PEM certificate"));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|err| ClientBuildError::new(&settings.base_url, error_chain(&err)))?;
        Ok(Client { http, settings })
    }
}

/// An async client: sends [`Endpoint`]s to one server.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
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
    pub async fn call<E: Endpoint + ?Sized>(&self, endpoint: &E) -> Result<E::Output, ApiError> {
        let response = self.call_raw(endpoint).await?;
        endpoint.parse_response(response)
    }

    /// Sends the request (retrying as configured) and returns the last response as received,
    /// whatever its status.
    ///
    /// # Errors
    ///
    /// [`ApiError::Transport`] when no response arrived.
    pub async fn call_raw<E: Endpoint + ?Sized>(
        &self,
        endpoint: &E,
    ) -> Result<RawResponse, ApiError> {
        let prepared = Prepared::new(&self.settings, endpoint)?;
        let mut attempt = 0;
        loop {
            let response = self.send_once(&prepared).await?;
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

    async fn send_once(&self, prepared: &Prepared) -> Result<RawResponse, TransportError> {
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
        if let Some((name, token)) = &prepared.auth {
            let mut value = reqwest::header::HeaderValue::from_str(token.expose())
                .map_err(|_| prepared.invalid_token())?;
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        if let Some(body) = &prepared.body {
            request = request.body(body.clone());
        }
        let mut response = request.send().await.map_err(fail)?;
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
