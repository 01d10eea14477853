//! What the generated model crates publish about their operations, and the round trip that
//! `backupctl validate` runs: parse a body into its model, write it back, compare.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// One operation of an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The API key, e.g. `cbr-v3`.
    pub api: &'static str,
    /// The operationId, e.g. `showBackup`.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// The request body's type, if the operation takes one.
    pub request: Option<&'static str>,
    /// Every documented status.
    pub responses: &'static [ResponseInfo],
}

/// One documented status of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseInfo {
    /// The status code.
    pub status: u16,
    /// The document's wording.
    pub description: &'static str,
    /// The body's type, if the document has one.
    pub body: Option<&'static str>,
}

/// Which body of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// The request body.
    Request,
    /// The response body of a status.
    Response(u16),
}

/// A body that parsed: what was read, and what the model writes back.
#[derive(Debug, Clone, PartialEq)]
pub struct Roundtrip {
    /// The input as a JSON value.
    pub input: serde_json::Value,
    /// The parsed model serialized again.
    pub output: serde_json::Value,
    /// The parsed model, pretty-printed with `{:#?}`.
    pub debug: String,
}

impl Roundtrip {
    /// JSON pointers (RFC 6901) where `output` differs from `input`; empty when lossless.
    pub fn differences(&self) -> Vec<String> {
        let mut out = Vec::new();
        diff(&self.input, &self.output, &mut String::new(), &mut out);
        out
    }
}

fn diff(a: &serde_json::Value, b: &serde_json::Value, at: &mut String, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let len = at.len();
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => diff(p, q, at, out),
                    _ => out.push(at.clone()),
                }
                at.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                diff(p, q, at, out);
                at.truncate(len);
            }
        }
        _ if a == b => {}
        _ => out.push(if at.is_empty() {
            "/".to_owned()
        } else {
            at.clone()
        }),
    }
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoundtripError {
    /// Not JSON at all.
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json said.
        message: String,
    },
    /// JSON that does not fit the model.
    Model {
        /// JSON path of the value, e.g. `backup.children[0].resource_size`.
        path: String,
        /// What is wrong there.
        message: String,
    },
}

impl std::fmt::Display for RoundtripError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoundtripError::Json {
                line,
                column,
                message,
            } => {
                write!(f, "not JSON at line {line} column {column}: {message}")
            }
            RoundtripError::Model { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for RoundtripError {}

/// Parses `json` as a `T`, and writes it back.
pub fn roundtrip<T: DeserializeOwned + Serialize + Debug>(
    json: &str,
) -> Result<Roundtrip, RoundtripError> {
    let input: serde_json::Value =
        serde_json::from_str(json).map_err(|e| RoundtripError::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let model: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        RoundtripError::Model {
            path,
            message: strip_position(&e.into_inner().to_string()),
        }
    })?;
    let output = serde_json::to_value(&model).map_err(|e| RoundtripError::Model {
        path: ".".to_owned(),
        message: format!("cannot be written back: {e}"),
    })?;
    Ok(Roundtrip {
        input,
        output,
        debug: format!("{model:#?}"),
    })
}

/// serde_json appends " at line L column C"; the path says where better.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
