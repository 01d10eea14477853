//! Runtime for the generated backup API crates.
//!
//! Generated *model* crates use the lossless value types: [`Timestamp`], [`Nullable`],
//! [`NumOrString`], [`ObjectOrString`], [`Extra`] and [`embedded_json`]. Generated *endpoint* crates implement
//! [`Endpoint`] (and [`Paginated`]) without doing any I/O; a client sends them. The clients
//! are optional: [`blocking`] (feature `blocking`, on ureq) and [`nonblocking`] (feature
//! `async`, on reqwest). With default features this crate pulls in no HTTP library.
//!
//! # Tutorial
//!
//! A model keeps what the server sent, including forms that vary between responses:
//!
//! ```
//! use backup_runtime::{Extra, Nullable, NumOrString, Timestamp};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Serialize, Deserialize)]
//! struct Backup {
//!     id: String,
//!     created_at: Timestamp,
//!     progress: NumOrString<i64>,
//!     #[serde(default, skip_serializing_if = "Nullable::is_absent")]
//!     description: Nullable<String>,
//!     #[serde(flatten)]
//!     extra: Extra,
//! }
//!
//! let text = r#"{"id":"b1","created_at":"2013-06-27T08:48:03.000000","progress":"0","description":null,"zone":"az1"}"#;
//! let backup: Backup = serde_json::from_str(text)?;
//! assert_eq!(backup.progress.get(), Some(0));
//! assert!(backup.description.is_null());
//! assert_eq!(backup.created_at.to_utc()?.to_string(), "2013-06-27T08:48:03Z");
//! // Written back byte for byte: naive time, string progress, null, unknown field.
//! assert_eq!(serde_json::to_string(&backup)?, text);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An endpoint describes its request and reads the response; it never touches the network,
//! so it is tested without one:
//!
//! ```
//! use backup_runtime::{
//!     ApiError, BodyError, Endpoint, Method, RawResponse, encode_path_segment, error_status,
//!     parse_json_body,
//! };
//!
//! #[derive(Debug, serde::Deserialize)]
//! struct Backup { id: String }
//!
//! #[derive(Debug)]
//! enum ShowBackupOutput { Ok(Backup) }
//!
//! struct ShowBackup { backup_id: String }
//!
//! impl Endpoint for ShowBackup {
//!     type Output = ShowBackupOutput;
//!     fn operation_id(&self) -> &'static str { "showBackup" }
//!     fn method(&self) -> Method { Method::Get }
//!     fn path(&self) -> String { format!("/backups/{}", encode_path_segment(&self.backup_id)) }
//!     fn query(&self) -> Vec<(&'static str, String)> { Vec::new() }
//!     fn headers(&self) -> Vec<(&'static str, String)> { Vec::new() }
//!     fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> { Ok(None) }
//!     fn parse_response(&self, response: RawResponse) -> Result<ShowBackupOutput, ApiError> {
//!         match response.status {
//!             200 => parse_json_body(&response).map(ShowBackupOutput::Ok),
//!             404 => Err(error_status(response, Some("Not Found"))),
//!             _ => Err(error_status(response, None)),
//!         }
//!     }
//! }
//!
//! let show = ShowBackup { backup_id: "a/b".into() };
//! assert_eq!((show.method(), show.path().as_str()), (Method::Get, "/backups/a%2Fb"));
//!
//! let ok = RawResponse { status: 200, headers: vec![], body: br#"{"id":"a/b"}"#.to_vec() };
//! let ShowBackupOutput::Ok(backup) = show.parse_response(ok)?;
//! assert_eq!(backup.id, "a/b");
//!
//! let missing = RawResponse { status: 404, headers: vec![], body: b"no such backup".to_vec() };
//! let err = show.parse_response(missing).unwrap_err();
//! assert_eq!(err.to_string(), "HTTP status 404 (Not Found); response body: no such backup");
//! # Ok::<(), ApiError>(())
//! ```
//!
//! With a client feature on, `Client::builder(base_url).token(token).build()?.call(&show)`
//! sends it; see [`blocking`] and [`nonblocking`].
//!
//! # Features
//!
//! - `blocking`: [`blocking::Client`] on ureq. `async`: [`nonblocking::Client`] on reqwest
//!   (needs a Tokio runtime). Both turn on `auth` (logins and AK/SK signing, sans-IO).
//! - `rustls` (default): the clients' TLS is rustls with the ring provider, verifying through
//!   the platform's verifier. `native-tls`: the system's TLS library, chosen per client with
//!   [`TlsBackend`]. A client feature needs one of the two; a crate that only uses the value
//!   types turns default features off and builds no TLS at all.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(all(
    any(feature = "blocking", feature = "async"),
    not(any(feature = "rustls", feature = "native-tls"))
))]
compile_error!(
    "backup-runtime's clients need a TLS feature: `rustls` (the default) or `native-tls`"
);

pub mod auth;
#[cfg(any(feature = "blocking", feature = "async"))]
mod client;
mod embedded;
mod endpoint;
mod error;
mod nullable;
mod num_or_string;
mod object_or_string;
mod open_enum;
mod provider_error;
mod retry;
mod timestamp;

pub mod dynamic;
pub mod object;
pub mod registry;
pub mod wait;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "async")]
pub mod nonblocking;

pub use auth::AuthToken;
#[cfg(any(feature = "blocking", feature = "async"))]
pub use client::{ClientBuildError, TlsBackend};
pub use embedded::{EmbeddedJsonError, Extra, embedded_json};
#[cfg(feature = "schemars")]
pub use embedded::{embedded_json_schema, nullable_embedded_json_schema};
pub use endpoint::{
    BodyError, Endpoint, Method, Outcome, Paginated, RawResponse, Response, catalog_endpoint_url,
    documented_error, empty_response, encode_path_segment, endpoint_url, error_status,
    header_value, json_body, json_response, next_offset, optional_json_response, parse_json_body,
    query_pairs_of,
};
pub use error::{ApiError, BuildError, BuildProblem, TransportError, TransportErrorKind};
pub use nullable::Nullable;
pub use num_or_string::NumOrString;
pub use object_or_string::ObjectOrString;
pub use open_enum::deserialize_open_enum;
pub use provider_error::{ProviderError, ProviderErrorShape};
pub use retry::RetryPolicy;
pub use timestamp::{ParsedTimestamp, Timestamp, TimestampError};

/// The README's examples, compiled and run as doctests. They sign a request and build a
/// blocking client, so they need the `blocking` feature (which turns on `auth`), as
/// `cargo test --all-features` has.
#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "blocking"))]
pub struct ReadmeDoctests;
