//! JSON carried inside JSON: [`embedded_json`], and [`Extra`] for unknown fields.
//!
//! Some fields are strings holding a whole JSON document (the spec marks them
//! `x-embedded-json`). The model keeps the string; [`embedded_json`] reads it on demand and,
//! when it does not fit, says where inside it.

use std::fmt;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;

/// Fields of an object that the model does not name, kept so a body round-trips.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Reads a JSON document carried inside a string field. Padding whitespace around the
/// document is ignored.
///
/// ```
/// use backup_runtime::embedded_json;
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Meta { size: u64 }
///
/// let meta: Meta = embedded_json(r#" {"size": 10} "#)?;
/// assert_eq!(meta.size, 10);
///
/// let err = embedded_json::<Meta>(r#"{"size": "ten"}"#).unwrap_err();
/// assert_eq!(err.path(), "size");
/// # Ok::<(), backup_runtime::EmbeddedJsonError>(())
/// ```
///
/// # Errors
///
/// [`EmbeddedJsonError`] with the path inside the embedded document, line and column.
pub fn embedded_json<T: DeserializeOwned>(text: &str) -> Result<T, EmbeddedJsonError> {
    let mut deserializer = serde_json::Deserializer::from_str(text.trim());
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        EmbeddedJsonError::new(path, &err.into_inner())
    })?;
    deserializer
        .end()
        .map_err(|err| EmbeddedJsonError::new(".".to_owned(), &err))?;
    Ok(value)
}

/// An embedded JSON document did not parse or did not fit its model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedJsonError {
    path: String,
    line: usize,
    column: usize,
    message: String,
}

impl EmbeddedJsonError {
    fn new(path: String, err: &serde_json::Error) -> Self {
        Self {
            path,
            line: err.line(),
            column: err.column(),
            message: strip_position(err),
        }
    }

    /// Where in the embedded document (`.` for the top; `a.b[0]` style otherwise).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Line in the (trimmed) embedded document, starting at 1.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Column in that line, starting at 1.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EmbeddedJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "embedded JSON at `{}` (line {}, column {}): {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for EmbeddedJsonError {}

/// The message of a serde_json error without its trailing " at line L column C", since
/// callers print the position themselves.
pub(crate) fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// The JSON Schema of a string that carries a `T` document: `{"type": "string",
/// "x-embedded-json": <T's schema>}`. Generated models use it (`#[schemars(schema_with)]`) on
/// fields the spec marks `x-embedded-json`, so a schema walker can check the document inside.
#[cfg(feature = "schemars")]
#[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
pub fn embedded_json_schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "x-embedded-json": generator.subschema_for::<T>(),
    })
}

/// [`embedded_json_schema`] for a field that may also be `null`.
#[cfg(feature = "schemars")]
#[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
pub fn nullable_embedded_json_schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["string", "null"],
        "x-embedded-json": generator.subschema_for::<T>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // Only deserialized.
    struct Inner {
        items: Vec<u32>,
    }

    #[test]
    fn nested_path_and_position() {
        let err = embedded_json::<Inner>("{\n \"items\": [1, \"x\"]}").unwrap_err();
        assert_eq!(err.path(), "items[1]");
        assert_eq!(err.line(), 2);
        assert!(
            err.to_string()
                .starts_with("embedded JSON at `items[1]` (line 2, column"),
            "{err}"
        );
        assert!(!err.message().contains("at line"), "{err}");
    }

    #[test]
    fn trailing_garbage_and_empty() {
        assert!(embedded_json::<Inner>(r#"{"items": []} x"#).is_err());
        assert!(embedded_json::<Inner>("   ").is_err());
    }
}
