//! Running an operation chosen at run time, by operationId and `name=value` strings, as
//! `backupctl call` does. Each generated endpoint crate has a `dispatch` function that builds the
//! typed endpoint from strings and hands it to a [`Runner`], which sends it.

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;

use crate::{BuildError, Endpoint, Outcome, Paginated};

/// Sends endpoints built by a generated `dispatch`; `Out` is whatever the caller wants back.
pub trait Runner {
    /// What running an endpoint gives.
    type Out;

    /// Sends an operation that does not page.
    fn run<E>(&mut self, endpoint: E) -> Self::Out
    where
        E: Endpoint,
        E::Output: serde::Serialize + Outcome;

    /// Sends an operation that pages: a runner may follow its next pages.
    fn run_paged<E>(&mut self, endpoint: E) -> Self::Out
    where
        E: Paginated,
        E::Output: serde::Serialize + Outcome;
}

/// Strings that do not make a valid request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamError {
    /// A parameter the operation does not have.
    Unknown {
        /// The operationId.
        operation: &'static str,
        /// The name given.
        name: String,
        /// The parameters the operation has.
        known: &'static [&'static str],
    },
    /// A value that does not parse as the parameter's type.
    Invalid {
        /// The operationId.
        operation: &'static str,
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// What was expected, e.g. `a 32-bit integer`.
        expected: &'static str,
    },
    /// A required parameter is missing.
    Build(BuildError),
    /// The operation takes a JSON body and none was given.
    MissingBody {
        /// The operationId.
        operation: &'static str,
    },
    /// A body was given to an operation that takes none.
    UnexpectedBody {
        /// The operationId.
        operation: &'static str,
    },
    /// The body does not fit the operation's request model.
    Body {
        /// The operationId.
        operation: &'static str,
        /// JSON path of the problem (`.` for the whole body).
        path: String,
        /// What is wrong there.
        message: String,
    },
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Unknown {
                operation,
                name,
                known,
            } => {
                write!(
                    f,
                    "{operation}: no parameter `{name}`; it has: {}",
                    known.join(", ")
                )
            }
            ParamError::Invalid {
                operation,
                name,
                value,
                expected,
            } => {
                write!(
                    f,
                    "{operation}: parameter `{name}`: `{value}` is not {expected}"
                )
            }
            ParamError::Build(e) => write!(f, "{e}"),
            ParamError::MissingBody { operation } => {
                write!(f, "{operation}: this operation needs a JSON request body")
            }
            ParamError::UnexpectedBody { operation } => {
                write!(f, "{operation}: this operation takes no request body")
            }
            ParamError::Body {
                operation,
                path,
                message,
            } => {
                write!(f, "{operation}: request body: {path}: {message}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// Parses a parameter value with `FromStr`.
pub fn parse_param<T: FromStr>(
    operation: &'static str,
    name: &str,
    value: &str,
    expected: &'static str,
) -> Result<T, ParamError> {
    value.parse().map_err(|_| ParamError::Invalid {
        operation,
        name: name.to_owned(),
        value: value.to_owned(),
        expected,
    })
}

/// Parses a request body, naming the JSON path of what does not fit.
pub fn parse_body<T: DeserializeOwned>(
    operation: &'static str,
    text: &str,
) -> Result<T, ParamError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|e| ParamError::Body {
            operation,
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        })?;
    deserializer.end().map_err(|e| ParamError::Body {
        operation,
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    Ok(parsed)
}
