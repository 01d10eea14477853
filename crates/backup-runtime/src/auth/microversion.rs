//! OpenStack microversions: `OpenStack-API-Version: volume 3.64`, and choosing one from the
//! service's versions document.
//!
//! Cinder answers `GET` on its root with `300 Multiple Choices` and
//! `{"versions": [{"id": "v3.0", "status": "CURRENT", "version": "3.71", "min_version": "3.0", ...}]}`
//! (`openstack/cinder` `cinder/api/versions.py`, api-ref `versions.inc`); a versioned root
//! (`GET /v3/`) answers `200` with the same list. `version` is the highest microversion, and
//! empty when the API has none (Cinder's v2).

use std::fmt;
use std::str::FromStr;

/// A microversion `major.minor`, ordered numerically (`3.9 < 3.10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    /// e.g. `3`
    pub major: u32,
    /// e.g. `64`
    pub minor: u32,
}

impl Microversion {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// The highest microversion that both `supported` and the service allow, reading the
    /// service's versions document `body` for the API version whose `id` starts with
    /// `version_id` (e.g. `v3`). `None` when the document lists no microversion for it, or
    /// its range and ours do not meet.
    ///
    /// ```
    /// use backup_runtime::auth::Microversion;
    ///
    /// let body = br#"{"versions": [
    ///     {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": ""},
    ///     {"id": "v3.0", "status": "CURRENT", "version": "3.70", "min_version": "3.0"}]}"#;
    /// let ours = Microversion::new(3, 64);
    /// assert_eq!(Microversion::negotiate(body, "v3", ours), Some(ours));
    /// let older = br#"{"versions": [{"id": "v3.0", "version": "3.59", "min_version": "3.0"}]}"#;
    /// assert_eq!(Microversion::negotiate(older, "v3", ours), Some(Microversion::new(3, 59)));
    /// assert_eq!(Microversion::negotiate(body, "v2", ours), None);
    /// ```
    pub fn negotiate(body: &[u8], version_id: &str, supported: Self) -> Option<Self> {
        let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
        let versions = match (doc.get("versions"), doc.get("version")) {
            (Some(serde_json::Value::Array(list)), _) => list.clone(),
            (_, Some(one @ serde_json::Value::Object(_))) => vec![one.clone()],
            _ => return None,
        };
        let entry = versions.iter().find(|entry| {
            entry
                .get("id")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|id| id == version_id || id.starts_with(&format!("{version_id}.")))
        })?;
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(serde_json::Value::as_str)
                .and_then(|text| text.parse::<Self>().ok())
        };
        let max = field("version")?;
        let min = field("min_version").unwrap_or(Self::new(max.major, 0));
        let chosen = max.min(supported);
        (chosen >= min).then_some(chosen)
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The text is not `major.minor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseMicroversionError(String);

impl fmt::Display for ParseMicroversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a microversion like 3.64", self.0)
    }
}

impl std::error::Error for ParseMicroversionError {}

impl FromStr for Microversion {
    type Err = ParseMicroversionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || ParseMicroversionError(text.to_owned());
        let (major, minor) = text.trim().split_once('.').ok_or_else(fail)?;
        Ok(Self {
            major: major.parse().map_err(|_| fail())?,
            minor: minor.parse().map_err(|_| fail())?,
        })
    }
}
