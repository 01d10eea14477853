//! Errors: [`ApiError`] from calling an endpoint, [`BuildError`] from building one,
//! [`TransportError`] when no response arrived.

use std::fmt;

use crate::provider_error::ProviderError;

/// How many bytes of a response body an [`ApiError`] message shows.
const BODY_SHOWN: usize = 2048;

/// A call did not give the operation's documented success outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// The server answered with a status the operation does not treat as success
    /// (documented or not).
    Status {
        /// HTTP status code.
        status: u16,
        /// What the API document says about this status, when it documents it.
        description: Option<&'static str>,
        /// Response headers, as received.
        headers: Vec<(String, String)>,
        /// Response body, as received.
        body: Vec<u8>,
        /// The service's error code and message, when the body has one of the services' error
        /// shapes (see [`ProviderError`]), as [`error_status`](crate::error_status) reads it.
        /// Boxed: it is rare and would make every `Result<_, ApiError>` large.
        provider: Option<Box<ProviderError>>,
    },
    /// The response body did not fit the model.
    Parse {
        /// HTTP status code of the response.
        status: u16,
        /// Where in the body, e.g. `backups[0].created_at` (`.` for the top level).
        path: String,
        /// Line in the body, starting at 1.
        line: usize,
        /// Column in that line, starting at 1.
        column: usize,
        /// What was wrong.
        message: String,
        /// Response body, as received.
        body: Vec<u8>,
    },
    /// No response: the request could not be sent or the answer not read.
    Transport(TransportError),
    /// Logging in failed (nothing was sent to the service): the identity endpoint, its status
    /// and message.
    #[cfg(feature = "auth")]
    Login(crate::auth::LoginError),
    /// No endpoint for the service: the catalog has none that fits, or AK/SK (which has no
    /// catalog) was given no endpoint. Nothing was sent to the service.
    #[cfg(feature = "auth")]
    Endpoint(crate::auth::CatalogError),
}

impl ApiError {
    /// The service's error code and message, when the response body of an error status has
    /// them (see [`ProviderError`]).
    pub fn provider_error(&self) -> Option<&ProviderError> {
        match self {
            Self::Status { provider, .. } => provider.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Parse { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The raw response body, when a response arrived.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Status { body, .. } | Self::Parse { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status {
                status,
                description,
                body,
                provider,
                ..
            } => {
                write!(f, "HTTP status {status}")?;
                match description {
                    Some(description) => write!(f, " ({description})")?,
                    None => f.write_str(" (not documented for this operation)")?,
                }
                if let Some(provider) = provider {
                    write!(f, ": {provider}")?;
                }
                if !body.is_empty() {
                    f.write_str("; response body: ")?;
                    write_body(f, body)?;
                }
                Ok(())
            }
            Self::Parse {
                status,
                path,
                line,
                column,
                message,
                ..
            } => write!(
                f,
                "response body (HTTP status {status}) does not fit the model at `{path}` \
                 (line {line}, column {column}): {message}"
            ),
            Self::Transport(err) => err.fmt(f),
            #[cfg(feature = "auth")]
            Self::Login(err) => err.fmt(f),
            #[cfg(feature = "auth")]
            Self::Endpoint(err) => err.fmt(f),
        }
    }
}

/// Writes the body as lossy UTF-8, cut at about [`BODY_SHOWN`] bytes on a character boundary.
fn write_body(f: &mut fmt::Formatter<'_>, body: &[u8]) -> fmt::Result {
    let mut end = body.len().min(BODY_SHOWN);
    if end < body.len() {
        // Do not cut inside a UTF-8 sequence: back off over at most three continuation bytes.
        let floor = end.saturating_sub(3);
        while end > floor && body[end] & 0xC0 == 0x80 {
            end -= 1;
        }
    }
    f.write_str(&String::from_utf8_lossy(&body[..end]))?;
    if end < body.len() {
        write!(f, "… ({} more bytes)", body.len() - end)?;
    }
    Ok(())
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(err) => Some(err),
            #[cfg(feature = "auth")]
            Self::Login(err) => Some(err),
            #[cfg(feature = "auth")]
            Self::Endpoint(err) => Some(err),
            Self::Status { .. } | Self::Parse { .. } => None,
        }
    }
}

impl From<TransportError> for ApiError {
    fn from(err: TransportError) -> Self {
        Self::Transport(err)
    }
}

/// The request did not get a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// Details: the request (method and URL, never the token) and the underlying cause.
    pub message: String,
}

impl TransportError {
    /// A transport error of `kind` with `message`.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for TransportError {}

/// Why a request got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// Nothing listens at the address (connection refused).
    Refused,
    /// A connect or overall timeout expired.
    TimedOut,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The host name could not be resolved.
    Dns,
    /// Anything else: an invalid URL or header, a broken connection, a protocol error.
    Other,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Refused => "connection refused",
            Self::TimedOut => "timed out",
            Self::Tls => "TLS failure",
            Self::Dns => "host name not resolved",
            Self::Other => "request failed",
        })
    }
}

/// An endpoint could not be built: a required parameter is not set, or a path parameter's value
/// cannot be one path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BuildError {
    /// The operation's `operationId`, e.g. `showBackup`.
    pub operation: &'static str,
    /// The parameter (its name in the spec, e.g. `backup_id`), or `body`.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub problem: BuildProblem,
}

/// What is wrong with a parameter in a [`BuildError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BuildProblem {
    /// It is required and was not set.
    Missing,
    /// A path parameter is empty: the path would lose a segment.
    EmptyPathSegment,
    /// A path parameter is `.` or `..`: servers may read it as a dot-segment even encoded.
    DotPathSegment,
}

impl BuildError {
    /// `operation` cannot be built without `parameter`.
    pub const fn missing(operation: &'static str, parameter: &'static str) -> Self {
        Self {
            operation,
            parameter,
            problem: BuildProblem::Missing,
        }
    }

    /// Checks that `value` of path parameter `parameter` can be one path segment.
    pub fn check_path_segment(
        operation: &'static str,
        parameter: &'static str,
        value: &str,
    ) -> Result<(), Self> {
        let problem = match value {
            "" => BuildProblem::EmptyPathSegment,
            "." | ".." => BuildProblem::DotPathSegment,
            _ => return Ok(()),
        };
        Err(Self {
            operation,
            parameter,
            problem,
        })
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (operation, parameter) = (self.operation, self.parameter);
        match self.problem {
            BuildProblem::Missing => {
                write!(
                    f,
                    "{operation}: required parameter `{parameter}` is not set"
                )
            }
            BuildProblem::EmptyPathSegment => {
                write!(
                    f,
                    "{operation}: path parameter `{parameter}` cannot be empty"
                )
            }
            BuildProblem::DotPathSegment => {
                write!(
                    f,
                    "{operation}: path parameter `{parameter}` cannot be `.` or `..`"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_error_messages() {
        assert_eq!(
            BuildError::missing("showBackup", "backup_id").to_string(),
            "showBackup: required parameter `backup_id` is not set"
        );
        let empty = BuildError::check_path_segment("showBackup", "backup_id", "").unwrap_err();
        assert_eq!(
            empty.to_string(),
            "showBackup: path parameter `backup_id` cannot be empty"
        );
        let dots = BuildError::check_path_segment("showBackup", "backup_id", "..").unwrap_err();
        assert_eq!(dots.problem, BuildProblem::DotPathSegment);
        assert!(BuildError::check_path_segment("showBackup", "backup_id", "../x").is_ok());
    }

    #[test]
    fn status_message_truncates_on_a_char_boundary() {
        let body = "é".repeat(3000).into_bytes();
        let err = ApiError::Status {
            status: 500,
            description: None,
            headers: vec![],
            body,
            provider: None,
        };
        let text = err.to_string();
        assert!(
            text.starts_with("HTTP status 500 (not documented"),
            "{text}"
        );
        assert!(!text.contains('\u{FFFD}'), "cut inside a character");
        assert!(text.ends_with("more bytes)"), "{text}");
        assert!(text.len() < BODY_SHOWN + 200);
    }

    #[test]
    fn short_body_shown_whole() {
        let err = ApiError::Status {
            status: 404,
            description: Some("Not found"),
            headers: vec![],
            body: b"<html>nope</html>".to_vec(),
            provider: None,
        };
        assert_eq!(
            err.to_string(),
            "HTTP status 404 (Not found); response body: <html>nope</html>"
        );
    }

    #[test]
    fn status_message_has_the_provider_code_and_message() {
        let body =
            br#"{"error_code": "BackupService.6200", "error_msg": "The backup does not exist."}"#;
        let err = crate::error_status(
            crate::RawResponse {
                status: 404,
                headers: vec![("x-request-id".into(), "r1".into())],
                body: body.to_vec(),
            },
            None,
        );
        let provider = err.provider_error().expect("a CBR error body");
        assert_eq!(provider.code.as_deref(), Some("BackupService.6200"));
        assert_eq!(
            provider.message.as_deref(),
            Some("The backup does not exist.")
        );
        assert_eq!(err.body(), Some(&body[..]));
        assert_eq!(
            err.to_string(),
            format!(
                "HTTP status 404 (not documented for this operation): BackupService.6200: The \
                 backup does not exist.; response body: {}",
                String::from_utf8_lossy(body)
            )
        );
        // The same for a documented status, and none for a body of another shape.
        let err = crate::error_status(
            crate::RawResponse {
                status: 400,
                headers: vec![],
                body: br#"{"badRequest": {"code": "VolumeBackup.0002", "message": "Bad."}}"#
                    .to_vec(),
            },
            Some("Bad Request"),
        );
        assert!(
            err.to_string().starts_with(
                "HTTP status 400 (Bad Request): VolumeBackup.0002 (badRequest): Bad.;"
            ),
            "{err}"
        );
        let err = crate::error_status(
            crate::RawResponse {
                status: 502,
                headers: vec![],
                body: b"<html>bad gateway</html>".to_vec(),
            },
            None,
        );
        assert_eq!(err.provider_error(), None);
    }

    #[test]
    fn transport_one_line() {
        let err = TransportError::new(TransportErrorKind::Refused, "127.0.0.1:9");
        assert_eq!(err.to_string(), "connection refused: 127.0.0.1:9");
    }
}
