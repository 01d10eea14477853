//! Sans-IO endpoints: what a request is ([`Endpoint`]) and what came back ([`RawResponse`]).
//!
//! A generated endpoint describes its request (method, path, query, headers, body) and reads
//! a [`RawResponse`] into its typed outcome; it never does I/O. Any HTTP client can send it:
//! the optional [`blocking`](crate::blocking) and [`nonblocking`](crate::nonblocking) clients,
//! or your own, using [`endpoint_url`] for the URL.

use std::fmt;
use std::ops::Deref;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::embedded::strip_position;
use crate::error::ApiError;
use crate::provider_error::ProviderError;

/// HTTP request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl Method {
    /// The method name in upper case, e.g. `GET`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Head => "HEAD",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One API operation, ready to send: a request description plus a response reader.
pub trait Endpoint {
    /// The operation's typed success outcome (an enum with one variant per documented 2xx
    /// status).
    type Output;

    /// The spec's `operationId`, e.g. `showBackup`.
    fn operation_id(&self) -> &'static str;

    /// The HTTP method.
    fn method(&self) -> Method;

    /// The path relative to the server base URL, starting with `/`, with every parameter
    /// already encoded by [`encode_path_segment`].
    fn path(&self) -> String;

    /// Query parameters as raw (unencoded) pairs in spec order; clients encode them.
    fn query(&self) -> Vec<(&'static str, String)>;

    /// Request headers other than the auth token; clients add `Accept`, and `Content-Type`
    /// from [`Endpoint::body`].
    fn headers(&self) -> Vec<(&'static str, String)>;

    /// The request body, if the operation has one: its media type (sent as `Content-Type`,
    /// e.g. `application/json-patch+json`) and its bytes.
    ///
    /// # Errors
    ///
    /// [`BodyError`] when the body cannot be serialized; clients then send nothing.
    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError>;

    /// The `Accept` header clients send unless [`Endpoint::headers`] has one.
    fn accept(&self) -> &'static str {
        "application/json"
    }

    /// The header that carries the [`AuthToken`](crate::AuthToken), or `None` for an
    /// operation without auth.
    fn auth_header(&self) -> Option<&'static str> {
        Some("X-Auth-Token")
    }

    /// Whether the operation cannot be sent without a token (its spec does not also allow
    /// anonymous calls). Clients send a token they have either way.
    fn auth_required(&self) -> bool {
        self.auth_header().is_some()
    }

    /// Reads the response: a documented success status into [`Self::Output`], anything else
    /// into an [`ApiError`] (see [`parse_json_body`] and [`error_status`]).
    ///
    /// # Errors
    ///
    /// [`ApiError::Status`] for a non-success status, [`ApiError::Parse`] for a body that does
    /// not fit the model.
    fn parse_response(&self, response: RawResponse) -> Result<Self::Output, ApiError>;
}

/// An endpoint whose outcome can lead to a next page.
///
/// The clients' page iterators (`pages`) stop when this gives `None`, when it gives a
/// request identical to the one just sent (no progress), or at their page limit.
pub trait Paginated: Endpoint + Sized {
    /// The same operation for the next page, or `None` on the last page.
    fn next_page(&self, output: &Self::Output) -> Option<Self>;
}

/// The next offset of an offset-paged listing (`x-pagination: {offset, limit, count, items}`):
/// `offset` (of the page just read, `None` for the first) plus the `returned` item count, or
/// `None` when this was the last page: it was empty, or the next offset reaches the total
/// `count` the server reported (when it reports one).
///
/// ```
/// use backup_runtime::next_offset;
///
/// assert_eq!(next_offset(None, 2, Some(5)), Some(2));
/// assert_eq!(next_offset(Some(2), 2, Some(5)), Some(4));
/// assert_eq!(next_offset(Some(4), 1, Some(5)), None); // 5 >= count
/// assert_eq!(next_offset(Some(4), 0, None), None); // an empty page
/// assert_eq!(next_offset(Some(4), 3, None), Some(7)); // no count: go on until empty
/// ```
pub fn next_offset(offset: Option<i64>, returned: usize, count: Option<i64>) -> Option<i64> {
    if returned == 0 {
        return None;
    }
    let next = offset
        .unwrap_or(0)
        .checked_add(i64::try_from(returned).ok()?)?;
    match count {
        Some(count) if next >= count => None,
        _ => Some(next),
    }
}

/// A request body that could not be serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    /// The operation's `operationId`.
    pub operation: &'static str,
    /// What the serializer said.
    pub message: String,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the request body cannot be serialized: {}",
            self.operation, self.message
        )
    }
}

impl std::error::Error for BodyError {}

/// Serializes `value` as the JSON body of `operation`, sent as `media_type` (any JSON media
/// type, e.g. `application/json` or `application/json-patch+json`); what generated endpoints
/// return from [`Endpoint::body`].
///
/// # Errors
///
/// [`BodyError`] when `value` cannot be JSON (a map with non-string keys, a failing
/// `Serialize` impl).
///
/// ```
/// let body = backup_runtime::json_body("updateBackup", "application/json-patch+json", &[1, 2])?;
/// assert_eq!(body, Some(("application/json-patch+json", b"[1,2]".to_vec())));
/// # Ok::<(), backup_runtime::BodyError>(())
/// ```
pub fn json_body<T: Serialize + ?Sized>(
    operation: &'static str,
    media_type: &'static str,
    value: &T,
) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
    serde_json::to_vec(value)
        .map(|bytes| Some((media_type, bytes)))
        .map_err(|err| BodyError {
            operation,
            message: err.to_string(),
        })
}

/// One successful response: its status, its headers as received and its typed body (`()` for
/// a status without one). Dereferences to the body, and serializes as the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// HTTP status code.
    pub status: u16,
    /// Header names and values in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: T,
}

impl<T> Response<T> {
    /// The first value of header `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T: Serialize> Serialize for Response<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

/// What every generated outcome (`…Output`) tells about the response it came from.
pub trait Outcome {
    /// The HTTP status.
    fn status(&self) -> u16;

    /// The response headers as received.
    fn headers(&self) -> &[(String, String)];

    /// Whether this status has a body (`false` for e.g. `204 No Content`).
    fn has_body(&self) -> bool;

    /// The first value of header `name` (compared case-insensitively).
    fn header(&self, name: &str) -> Option<&str> {
        header_value(self.headers(), name)
    }
}

/// The first value of `name` in `headers`, compared case-insensitively.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Reads a success response with a JSON body into a [`Response`] (see [`parse_json_body`]).
///
/// # Errors
///
/// [`ApiError::Parse`] for a body that does not fit `T`.
pub fn json_response<T: DeserializeOwned>(response: RawResponse) -> Result<Response<T>, ApiError> {
    let body = parse_json_body(&response)?;
    Ok(Response {
        status: response.status,
        headers: response.headers,
        body,
    })
}

/// A success response whose JSON body the service may leave out (`x-optional-body` in the
/// spec): `None` when the body is empty or only whitespace, else the parsed body.
///
/// ```
/// use backup_runtime::{RawResponse, optional_json_response};
///
/// let empty = RawResponse { status: 202, headers: vec![], body: Vec::new() };
/// assert_eq!(optional_json_response::<serde_json::Value>(empty)?.body, None);
/// let sent = RawResponse { status: 202, headers: vec![], body: br#"{"job_id": "j1"}"#.to_vec() };
/// let body = optional_json_response::<serde_json::Value>(sent)?.body;
/// assert_eq!(body, Some(serde_json::json!({"job_id": "j1"})));
/// # Ok::<(), backup_runtime::ApiError>(())
/// ```
///
/// # Errors
/// A body that is there but does not parse as `T` ([`ApiError::Parse`], the body kept).
pub fn optional_json_response<T: DeserializeOwned>(
    response: RawResponse,
) -> Result<Response<Option<T>>, ApiError> {
    let body = if response.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(parse_json_body(&response)?)
    };
    Ok(Response {
        status: response.status,
        headers: response.headers,
        body,
    })
}

/// A success response without a body: any body bytes are ignored, status and headers kept.
pub fn empty_response(response: RawResponse) -> Response<()> {
    Response {
        status: response.status,
        headers: response.headers,
        body: (),
    }
}

/// A response as received: status, headers in order, raw body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawResponse {
    /// HTTP status code.
    pub status: u16,
    /// Header names and values in the order received (values as lossy UTF-8).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first value of header `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// Bytes encoded in a path segment: everything except ASCII letters, digits and `-._~`
/// (RFC 3986 "unreserved"); `.` is handled in [`encode_path_segment`].
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `value` as exactly one path segment.
///
/// `/`, `?`, `#`, `%`, spaces, every other reserved character and all non-ASCII bytes
/// (as UTF-8) are encoded, so a value can never add segments, a query or a fragment. A value
/// that is only `.` or `..` is written `%2E` / `%2E%2E` so it is not a dot-segment to the
/// client. Servers and WHATWG URL parsers may still read `%2E%2E` as `..`, so the clients
/// refuse to send a path with such a segment, and builders should reject these values. An
/// empty value gives an empty segment, which builders should also reject.
///
/// ```
/// use backup_runtime::encode_path_segment;
///
/// assert_eq!(encode_path_segment("../../x?y#z"), "..%2F..%2Fx%3Fy%23z");
/// assert_eq!(encode_path_segment("a b/ü%"), "a%20b%2F%C3%BC%25");
/// assert_eq!(encode_path_segment(".."), "%2E%2E");
/// ```
pub fn encode_path_segment(value: &str) -> String {
    match value {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => utf8_percent_encode(value, SEGMENT).to_string(),
    }
}

/// The decoded query pairs of a link `href` (absolute or relative), in order; used to follow
/// a `rel: next` link by applying its query to the same operation.
///
/// ```
/// use backup_runtime::query_pairs_of;
///
/// let pairs = query_pairs_of("/v2/backups?limit=1&marker=a%20b#frag");
/// assert_eq!(pairs, [("limit".to_owned(), "1".to_owned()), ("marker".to_owned(), "a b".to_owned())]);
/// ```
pub fn query_pairs_of(href: &str) -> Vec<(String, String)> {
    let Some((_, query)) = href.split_once('?') else {
        return Vec::new();
    };
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The full request URL for `endpoint`: `base_url` (a trailing `/` is tolerated) followed by
/// [`Endpoint::path`] and the encoded [`Endpoint::query`]. Query names and values are
/// percent-encoded with everything but ASCII letters, digits and `-._~` encoded, so a space is
/// `%20` and never `+`: Huawei's AK/SK signature covers the query as sent, and its gateways read
/// `%20` (API Request Signing Guide, "Constructing a Standard Request").
///
/// ```
/// # use backup_runtime::{endpoint_url, Endpoint, Method, RawResponse, ApiError};
/// # struct List;
/// # impl Endpoint for List {
/// #     type Output = ();
/// #     fn operation_id(&self) -> &'static str { "listBackups" }
/// #     fn method(&self) -> Method { Method::Get }
/// #     fn path(&self) -> String { "/backups".into() }
/// #     fn query(&self) -> Vec<(&'static str, String)> { vec![("name", "a b&c".into())] }
/// #     fn headers(&self) -> Vec<(&'static str, String)> { vec![] }
/// #     fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, backup_runtime::BodyError> { Ok(None) }
/// #     fn parse_response(&self, _: RawResponse) -> Result<(), ApiError> { Ok(()) }
/// # }
/// assert_eq!(
///     endpoint_url("https://vbs.example.com/v2/p1/", &List),
///     "https://vbs.example.com/v2/p1/backups?name=a%20b%26c"
/// );
/// ```
pub fn endpoint_url<E: Endpoint + ?Sized>(base_url: &str, endpoint: &E) -> String {
    let mut url = base_url.trim_end_matches('/').to_owned();
    let path = endpoint.path();
    if !path.starts_with('/') {
        url.push('/');
    }
    url.push_str(&path);
    push_query(&mut url, &endpoint.query());
    url
}

/// The full request URL for `endpoint` under a service catalog URL (or an endpoint override),
/// which already holds the API version and often the project, e.g.
/// `https://host/volume/v3/<project_id>`: only the rest of the operation's path is appended.
///
/// When the operation's path starts with a version segment (`v3`, `v2.0`), the catalog URL is
/// cut before its last segment equal to it and the whole path appended, so the version and
/// project are never doubled, and a project id given to the operation wins over the catalog's.
/// A catalog URL without that version segment (an unversioned endpoint, or a regional host)
/// gets the whole path appended, as [`endpoint_url`] does.
///
/// ```
/// # use backup_runtime::{catalog_endpoint_url, Endpoint, Method, RawResponse, ApiError};
/// # struct Show(&'static str);
/// # impl Endpoint for Show {
/// #     type Output = ();
/// #     fn operation_id(&self) -> &'static str { "showBackup" }
/// #     fn method(&self) -> Method { Method::Get }
/// #     fn path(&self) -> String { self.0.into() }
/// #     fn query(&self) -> Vec<(&'static str, String)> { vec![] }
/// #     fn headers(&self) -> Vec<(&'static str, String)> { vec![] }
/// #     fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, backup_runtime::BodyError> { Ok(None) }
/// #     fn parse_response(&self, _: RawResponse) -> Result<(), ApiError> { Ok(()) }
/// # }
/// let show = Show("/v3/p1/backups/b1");
/// assert_eq!(catalog_endpoint_url("https://h/volume/v3/p1", &show), "https://h/volume/v3/p1/backups/b1");
/// assert_eq!(catalog_endpoint_url("https://h/v3/", &show), "https://h/v3/p1/backups/b1");
/// assert_eq!(catalog_endpoint_url("https://cbr.example.com", &show), "https://cbr.example.com/v3/p1/backups/b1");
/// ```
pub fn catalog_endpoint_url<E: Endpoint + ?Sized>(catalog_url: &str, endpoint: &E) -> String {
    let path = endpoint.path();
    let base = catalog_url.trim_end_matches('/');
    let version = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .filter(|first| is_version_segment(first));
    let (origin, base_path) = split_origin(base);
    let mut url = origin.to_owned();
    let kept = match version {
        Some(version) => match base_path.rfind(&format!("/{version}")) {
            // Only a whole segment counts: `/v3` followed by `/` or the end.
            Some(at)
                if base_path[at + 1 + version.len()..].is_empty()
                    || base_path[at + 1 + version.len()..].starts_with('/') =>
            {
                &base_path[..at]
            }
            _ => base_path,
        },
        None => base_path,
    };
    url.push_str(kept);
    if !path.starts_with('/') {
        url.push('/');
    }
    url.push_str(&path);
    push_query(&mut url, &endpoint.query());
    url
}

/// The service root of a base URL: a catalog URL cut before its version segment `version`
/// (e.g. `https://h/volume/v3/p1` with `v3` gives `https://h/volume/`), or the URL itself.
#[cfg(any(feature = "blocking", feature = "async"))]
pub(crate) fn service_root(base_url: &str, version: Option<&str>) -> String {
    let base = base_url.trim_end_matches('/');
    let (origin, base_path) = split_origin(base);
    let kept = version
        .and_then(|version| {
            let at = base_path.rfind(&format!("/{version}"))?;
            let rest = &base_path[at + 1 + version.len()..];
            (rest.is_empty() || rest.starts_with('/')).then_some(&base_path[..at])
        })
        .unwrap_or(base_path);
    format!("{origin}{kept}/")
}

/// `v3`, `v2`, `v2.0`, `v1.0`: a URL path segment that names an API version.
pub(crate) fn is_version_segment(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    })
}

/// `https://host:port` and the rest (path, possibly empty) of an absolute URL.
fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    match url[after_scheme..].find('/') {
        Some(at) => url.split_at(after_scheme + at),
        None => (url, ""),
    }
}

/// Appends `?name=value&...` when there is a query, names and values encoded as path segments
/// are (so `&`, `=`, `+` and spaces never change the query's meaning; a space is `%20`).
fn push_query(url: &mut String, query: &[(&'static str, String)]) {
    for (i, (name, value)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(name, SEGMENT));
        url.push('=');
        url.extend(utf8_percent_encode(value, SEGMENT));
    }
}

/// Reads a JSON response body into `T`.
///
/// # Errors
///
/// [`ApiError::Parse`] with the JSON path, line and column of the problem, keeping the status
/// and the raw body. Trailing non-whitespace after the document is an error too.
pub fn parse_json_body<T: DeserializeOwned>(response: &RawResponse) -> Result<T, ApiError> {
    let parse_error = |path: String, err: &serde_json::Error| ApiError::Parse {
        status: response.status,
        path,
        line: err.line(),
        column: err.column(),
        message: strip_position(err),
        body: response.body.clone(),
    };
    // Most bodies parse: read them without tracking the path (a quarter of the parsing
    // time), and only a body that fails is read again, with the path, for the error (the
    // same bytes fail at the same place).
    let mut deserializer = serde_json::Deserializer::from_slice(&response.body);
    if let Ok(value) = T::deserialize(&mut deserializer)
        && deserializer.end().is_ok()
    {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(&response.body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        parse_error(path, err.inner())
    })?;
    deserializer
        .end()
        .map_err(|err| parse_error(".".to_owned(), &err))?;
    Ok(value)
}

/// The error for a status the operation does not treat as success, keeping status, headers
/// and raw body; `documented` is the API document's description of that status, if any. When
/// the body is one of the services' error shapes, its code and message are read into
/// [`ProviderError`].
pub fn error_status(response: RawResponse, documented: Option<&'static str>) -> ApiError {
    ApiError::Status {
        status: response.status,
        description: documented,
        headers: response.headers,
        provider: ProviderError::from_body(&response.body).map(Box::new),
        body: response.body,
    }
}

/// The error for a status the operation does not treat as success: [`error_status`] with the
/// API document's description of the status when it is one of the operation's `documented`
/// error statuses (status, description), and none otherwise. Generated `parse_response` ends
/// with it, naming the statuses from one table per API.
pub fn documented_error(response: RawResponse, documented: &[(u16, &'static str)]) -> ApiError {
    let description = documented
        .iter()
        .find(|(status, _)| *status == response.status)
        .map(|(_, description)| *description);
    error_status(response, description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_error_names_the_documented_description_only() {
        let documented = [(404, "Not Found: no such backup."), (409, "Conflict.")];
        let response = |status| RawResponse {
            status,
            headers: vec![("x-request-id".to_owned(), "r1".to_owned())],
            body: b"oops".to_vec(),
        };
        match documented_error(response(409), &documented) {
            ApiError::Status {
                status,
                description,
                headers,
                body,
                ..
            } => {
                assert_eq!(status, 409);
                assert_eq!(description, Some("Conflict."));
                assert_eq!(headers, vec![("x-request-id".to_owned(), "r1".to_owned())]);
                assert_eq!(body, b"oops");
            }
            other => panic!("{other:?}"),
        }
        for (status, documented) in [(500, &documented[..]), (404, &[][..])] {
            match documented_error(response(status), documented) {
                ApiError::Status {
                    status: got,
                    description,
                    ..
                } => {
                    assert_eq!(got, status);
                    assert_eq!(description, None);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn segment_keeps_unreserved() {
        assert_eq!(encode_path_segment("Ab9-._~"), "Ab9-._~");
        assert_eq!(encode_path_segment("..."), "...");
        assert_eq!(encode_path_segment(""), "");
        assert_eq!(encode_path_segment("a:b@c+d"), "a%3Ab%40c%2Bd");
    }

    #[test]
    fn query_pairs_without_query() {
        assert!(query_pairs_of("http://h/x").is_empty());
        assert!(query_pairs_of("").is_empty());
        assert_eq!(
            query_pairs_of("?a=1&a=2&b"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("a".to_owned(), "2".to_owned()),
                ("b".to_owned(), String::new())
            ]
        );
    }

    #[test]
    fn header_lookup_ignores_case() {
        let response = RawResponse {
            status: 200,
            headers: vec![("retry-after".into(), "3".into())],
            body: vec![],
        };
        assert_eq!(response.header("Retry-After"), Some("3"));
        assert_eq!(response.header("X"), None);
    }

    #[test]
    fn parse_error_has_path_and_position() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // Only deserialized.
        struct Body {
            backup: Inner,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)] // Only deserialized.
        struct Inner {
            size: u64,
        }
        let response = RawResponse {
            status: 200,
            headers: vec![],
            body: b"{\"backup\": {\n  \"size\": -1}}".to_vec(),
        };
        let err = parse_json_body::<Body>(&response).unwrap_err();
        let ApiError::Parse {
            status, path, line, ..
        } = &err
        else {
            panic!("expected Parse, got {err:?}");
        };
        assert_eq!((*status, path.as_str(), *line), (200, "backup.size", 2));
        assert!(
            err.to_string()
                .starts_with("response body (HTTP status 200) does not fit the model at `backup.size` (line 2, column"),
            "{err}"
        );
    }
}
