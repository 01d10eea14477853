//! The error bodies the services send with an error status, read into one [`ProviderError`].
//!
//! Three shapes are known (sources in `api-facts.md` sections 1.1, 2.5, 4.1 and I-C16):
//!
//! - OpenStack Cinder and Huawei VBS faults: `{"<faultName>": {"code": ..., "message": ...}}`,
//!   e.g. `{"itemNotFound": {"code": 404, "message": "..."}}` upstream (integer code) or
//!   `{"badRequest": {"code": "VolumeBackup.0002", "message": "..."}}` on VBS (string code);
//! - Huawei CBR: `{"error_code": "BackupService.6200", "error_msg": "..."}`;
//! - Rackspace Cloud Backup: `{"message": "Validation failed.", "errors": ["Name is required."]}`,
//!   or only `{"message": "..."}`.
//!
//! Keys beyond these are tolerated (a `request_id`, say); a body that fits none of the shapes
//! (HTML, plain text, other JSON) gives no [`ProviderError`].

use std::fmt;

use serde_json::{Map, Value};

/// Which service's error shape a body has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderErrorShape {
    /// `{"<faultName>": {"code": ..., "message": ...}}` (OpenStack Cinder, Huawei VBS).
    CinderFault,
    /// `{"error_code": ..., "error_msg": ...}` (Huawei CBR).
    Cbr,
    /// `{"message": ..., "errors": [...]}` (Rackspace Cloud Backup).
    Rackspace,
}

/// The error a service reported in the body of an error status: its code and message, as sent.
///
/// ```
/// use backup_runtime::{ProviderError, ProviderErrorShape};
///
/// let body = br#"{"error_code": "BackupService.6200", "error_msg": "The backup does not exist."}"#;
/// let error = ProviderError::from_body(body).expect("a CBR error body");
/// assert_eq!(error.shape, ProviderErrorShape::Cbr);
/// assert_eq!(error.code.as_deref(), Some("BackupService.6200"));
/// assert_eq!(error.to_string(), "BackupService.6200: The backup does not exist.");
///
/// let body = br#"{"itemNotFound": {"code": 404, "message": "Backup b1 could not be found."}}"#;
/// let error = ProviderError::from_body(body).expect("a Cinder fault");
/// assert_eq!(error.fault.as_deref(), Some("itemNotFound"));
/// assert_eq!(error.to_string(), "404 (itemNotFound): Backup b1 could not be found.");
///
/// assert_eq!(ProviderError::from_body(b"<html>502 Bad Gateway</html>"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// Which shape the body has.
    pub shape: ProviderErrorShape,
    /// The service's error code: `BackupService.6200`, `VolumeBackup.0002`, `common.0011`, or
    /// an upstream Cinder integer code written in decimal (`404`). Rackspace sends none.
    pub code: Option<String>,
    /// The service's message.
    pub message: Option<String>,
    /// The Cinder/VBS fault name, e.g. `itemNotFound` or `badRequest`.
    pub fault: Option<String>,
    /// Rackspace's list of problems (`errors`), e.g. `["Name is required."]`; empty otherwise.
    pub errors: Vec<String>,
}

impl ProviderError {
    /// Reads an error response body, or `None` when it fits none of the known shapes.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        // Only a JSON object can fit; do not parse a large HTML page to find out.
        let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
        if body[start] != b'{' {
            return None;
        }
        match serde_json::from_slice(body).ok()? {
            Value::Object(object) => Self::from_object(&object),
            _ => None,
        }
    }

    /// Reads an error body already parsed as a JSON object.
    pub fn from_object(object: &Map<String, Value>) -> Option<Self> {
        cbr(object)
            .or_else(|| rackspace(object))
            .or_else(|| cinder_fault(object))
    }
}

/// `{"error_code": "...", "error_msg": "..."}`: at least one of the two, as a string.
fn cbr(object: &Map<String, Value>) -> Option<ProviderError> {
    let code = string(object.get("error_code"));
    let message = string(object.get("error_msg"));
    (code.is_some() || message.is_some()).then(|| ProviderError {
        shape: ProviderErrorShape::Cbr,
        code,
        message,
        fault: None,
        errors: Vec::new(),
    })
}

/// `{"message": "...", "errors": [...]}`: a string message at the top level.
fn rackspace(object: &Map<String, Value>) -> Option<ProviderError> {
    let message = string(object.get("message"))?;
    let errors = match object.get("errors") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::String(text)) => vec![text.clone()],
        _ => Vec::new(),
    };
    Some(ProviderError {
        shape: ProviderErrorShape::Rackspace,
        code: None,
        message: Some(message),
        fault: None,
        errors,
    })
}

/// `{"<faultName>": {"code": ..., "message": ...}}`: the first top-level member whose value is
/// an object with a string `message` or a string or integer `code`.
fn cinder_fault(object: &Map<String, Value>) -> Option<ProviderError> {
    object.iter().find_map(|(name, value)| {
        let fault = value.as_object()?;
        let code = match fault.get("code") {
            Some(Value::String(code)) => Some(code.clone()),
            Some(Value::Number(code)) if code.is_i64() || code.is_u64() => Some(code.to_string()),
            _ => None,
        };
        let message = string(fault.get("message"));
        (code.is_some() || message.is_some()).then(|| ProviderError {
            shape: ProviderErrorShape::CinderFault,
            code,
            message,
            fault: Some(name.clone()),
            errors: Vec::new(),
        })
    })
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

impl fmt::Display for ProviderError {
    /// `code (fault): message [errors; ...]`, leaving out what the body did not have.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut head = Vec::new();
        if let Some(code) = &self.code {
            head.push(code.clone());
        }
        if let Some(fault) = &self.fault {
            head.push(if self.code.is_some() {
                format!("({fault})")
            } else {
                fault.clone()
            });
        }
        let head = head.join(" ");
        match (&self.message, head.is_empty()) {
            (Some(message), false) => write!(f, "{head}: {message}")?,
            (Some(message), true) => f.write_str(message)?,
            (None, _) => f.write_str(&head)?,
        }
        if !self.errors.is_empty() {
            write!(f, " [{}]", self.errors.join("; "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Option<ProviderError> {
        ProviderError::from_body(body.as_bytes())
    }

    #[test]
    fn vbs_fault_with_a_string_code() {
        let error = parse(
            r#"{"badRequest": {"message": "Invalid input received: backup_id is invalid.", "code": "VolumeBackup.0002"}}"#,
        )
        .unwrap();
        assert_eq!(error.shape, ProviderErrorShape::CinderFault);
        assert_eq!(error.code.as_deref(), Some("VolumeBackup.0002"));
        assert_eq!(error.fault.as_deref(), Some("badRequest"));
        assert_eq!(
            error.to_string(),
            "VolumeBackup.0002 (badRequest): Invalid input received: backup_id is invalid."
        );
        let common =
            parse(r#"{"forbidden": {"code": "common.0011", "message": "Quota exceeded."}}"#)
                .unwrap();
        assert_eq!(common.code.as_deref(), Some("common.0011"));
    }

    #[test]
    fn cinder_fault_with_an_integer_code_and_extra_keys() {
        let error = parse(
            r#"{"itemNotFound": {"code": 404, "message": "Backup 5c1b could not be found.", "details": {}}, "request_id": "req-1"}"#,
        )
        .unwrap();
        assert_eq!(error.shape, ProviderErrorShape::CinderFault);
        assert_eq!(error.code.as_deref(), Some("404"));
        assert_eq!(error.fault.as_deref(), Some("itemNotFound"));
        assert_eq!(
            error.message.as_deref(),
            Some("Backup 5c1b could not be found.")
        );
        // A fault without a code still fits; without both it does not.
        let no_code = parse(r#"{"overLimit": {"message": "Too many requests."}}"#).unwrap();
        assert_eq!(no_code.to_string(), "overLimit: Too many requests.");
        assert_eq!(parse(r#"{"itemNotFound": {"code": 4.5}}"#), None);
        assert_eq!(parse(r#"{"itemNotFound": {"detail": "x"}}"#), None);
    }

    #[test]
    fn cbr_error() {
        let error = parse(
            r#"{"error_code": "BackupService.6200", "error_msg": "The backup does not exist.", "request_id": "f1"}"#,
        )
        .unwrap();
        assert_eq!(error.shape, ProviderErrorShape::Cbr);
        assert_eq!(error.code.as_deref(), Some("BackupService.6200"));
        assert_eq!(error.message.as_deref(), Some("The backup does not exist."));
        assert_eq!(error.fault, None);
        assert_eq!(
            error.to_string(),
            "BackupService.6200: The backup does not exist."
        );
        let code_only = parse(r#"{"error_code": "APIGW.0301"}"#).unwrap();
        assert_eq!(code_only.to_string(), "APIGW.0301");
    }

    #[test]
    fn rackspace_errors() {
        let error = parse(
            r#"{"message": "Validation failed.", "errors": ["Name is required.", "State is invalid."]}"#,
        )
        .unwrap();
        assert_eq!(error.shape, ProviderErrorShape::Rackspace);
        assert_eq!(error.code, None);
        assert_eq!(error.errors, ["Name is required.", "State is invalid."]);
        assert_eq!(
            error.to_string(),
            "Validation failed. [Name is required.; State is invalid.]"
        );
        let conflict = parse(
            r#"{"message": "Modifying a backup that is already in a state of ['completed'] is not allowed."}"#,
        )
        .unwrap();
        assert!(conflict.errors.is_empty());
        assert_eq!(
            conflict.to_string(),
            "Modifying a backup that is already in a state of ['completed'] is not allowed."
        );
    }

    #[test]
    fn other_bodies_fit_no_shape() {
        for body in [
            "",
            "   ",
            "<html>nope</html>",
            "Not Found",
            "[1, 2]",
            "{\"truncated\": ",
            "{}",
            r#"{"message": 42}"#,
            r#"{"error_code": 6200}"#,
            r#"{"backup": {"id": "b1"}}"#,
        ] {
            assert_eq!(parse(body), None, "{body}");
        }
        assert_eq!(ProviderError::from_body(&[0xff, 0xfe]), None);
    }
}
