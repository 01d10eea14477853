//! JSON pointers (RFC 6901) that escape their tokens on [`JsonPointer::push`], so no caller
//! writes `~0`/`~1` by hand and no pointer ever holds `..`.

use std::fmt;

/// A JSON pointer into a spec, e.g. `/paths/~1backups/get`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// The whole document (the empty pointer).
    pub fn root() -> Self {
        JsonPointer(String::new())
    }

    /// This pointer with one more token, escaped.
    ///
    /// ```
    /// use backup_codegen::pointer::JsonPointer;
    /// let p = JsonPointer::root().push("paths").push("/a/{id}").push("get");
    /// assert_eq!(p.as_str(), "/paths/~1a~1{id}/get");
    /// ```
    #[must_use]
    pub fn push(&self, token: impl fmt::Display) -> Self {
        let token = token.to_string().replace('~', "~0").replace('/', "~1");
        JsonPointer(format!("{}/{token}", self.0))
    }

    /// `/components/schemas/<name>`.
    pub fn schema(name: &str) -> Self {
        Self::root().push("components").push("schemas").push(name)
    }

    /// `/paths/<path>`.
    pub fn path_item(path: &str) -> Self {
        Self::root().push("paths").push(path)
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsonPointer> for String {
    fn from(p: JsonPointer) -> String {
        p.0
    }
}
