//! `backupctl validate`: parse a body as an operation's response or request, write it back
//! with the model, and compare.
//!
//! Exit 0 when the model reads it and writes back an equal JSON value, 1 when it cannot be read
//! (the message names the JSON path, or the line and column of broken JSON), 2 when writing it
//! back would change it (the JSON pointers that differ are listed). With `--drift`, also 2 when
//! the body has what the spec does not know ([`crate::drift`]: unknown keys, enum values outside
//! the documented set, types the model took though the spec gives another; each listed with its
//! JSON pointer). The comparison starts from
//! the input as `serde_json` reads it; what is lost in that reading (a repeated key, a number
//! beyond `f64` or 64-bit precision) is found in the raw text by [`crate::lossy`].

use backup_runtime::registry::{BodyKind, OperationInfo};

use crate::cli::ValidateArgs;
use crate::lossy::lossy_spots;
use crate::registry::{self, documented_bodies};
use crate::{Exit, Failure, Io, drift, input};

/// Runs `backupctl validate`.
///
/// # Errors
///
/// [`Exit::Invalid`] for an unknown api, operation or status, an unreadable file or a body
/// that does not parse; [`Exit::Changed`] when the round trip changes the body or, with
/// `--drift`, when the body has what the spec does not know.
pub fn run(args: &ValidateArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let api = registry::api(&args.api)?;
    let op = api.operation(&args.operation)?;
    let kind = body_kind(op, args.status, args.request)?;
    let what = format!("{} {} {}", api.name, op.id, describe(kind));
    let body = input::read(&args.file, io.stdin)?;
    let roundtrip = match (api.roundtrip)(op.id, kind, &body.text) {
        Some(Ok(roundtrip)) => roundtrip,
        Some(Err(err)) => {
            return Err(Failure::invalid(format!("{} ({what}): {err}", body.label)));
        }
        None => {
            return Err(Failure::invalid(format!(
                "{what}: the model crate has no such body; documented bodies: {}",
                documented_bodies(op)
            )));
        }
    };
    if args.print {
        let mut text = serde_json::to_string_pretty(&roundtrip.output)
            .expect("JSON values always serialize to a string");
        text.push('\n');
        io.out(&text)?;
    }
    let mut differences = roundtrip.differences();
    for spot in lossy_spots(&body.text) {
        if !differences.contains(&spot.pointer) {
            differences.push(spot.to_string());
        }
    }
    let findings = if args.drift {
        let schema = (api.body_schema)(op.id, kind).ok_or_else(|| {
            Failure::invalid(format!(
                "{what}: the model crate has no schema of this body"
            ))
        })?;
        drift::findings(&roundtrip.input, schema.as_value())
    } else {
        Vec::new()
    };
    if differences.is_empty() && findings.is_empty() {
        return Ok(Exit::Success);
    }
    let plural = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let changes = plural(differences.len(), "value", "values");
    let unknown = plural(findings.len(), "thing", "things");
    let message = match (differences.is_empty(), findings.is_empty()) {
        (false, true) => format!("it parses, but writing it back changes {changes} at:"),
        (true, false) => format!("it parses, but the spec does not know {unknown} in it:"),
        _ => format!(
            "it parses, but writing it back changes {changes} and the spec does not know \
             {unknown} in it (changed values first):"
        ),
    };
    // One line each: the changed pointers, then the findings (`<pointer>: <what>`).
    let mut details = String::new();
    for line in differences
        .iter()
        .cloned()
        .chain(findings.iter().map(ToString::to_string))
    {
        details.push_str("  ");
        details.push_str(&line);
        details.push('\n');
    }
    Err(
        Failure::new(Exit::Changed, format!("{} ({what}): {message}", body.label))
            .with_details(details),
    )
}

/// Which body to read: the request, the given status, or the documented 2xx status with a body.
///
/// # Errors
///
/// [`Exit::Invalid`] when the operation documents no such body, listing the ones it has.
pub fn body_kind(
    op: &OperationInfo,
    status: Option<u16>,
    request: bool,
) -> Result<BodyKind, Failure> {
    let fail = |what: String| {
        Failure::invalid(format!(
            "{} {} {what}; documented bodies: {}",
            op.api,
            op.id,
            documented_bodies(op)
        ))
    };
    if request {
        return match op.request {
            Some(_) => Ok(BodyKind::Request),
            None => Err(fail("takes no request body".to_owned())),
        };
    }
    let has_body = |code: u16| {
        op.responses
            .iter()
            .any(|response| response.status == code && response.body.is_some())
    };
    match status {
        Some(code) if has_body(code) => Ok(BodyKind::Response(code)),
        Some(code) if op.responses.iter().any(|r| r.status == code) => {
            Err(fail(format!("documents no body for status {code}")))
        }
        Some(code) => Err(fail(format!("does not document status {code}"))),
        None => op
            .responses
            .iter()
            .find(|response| (200..300).contains(&response.status) && response.body.is_some())
            .map(|response| BodyKind::Response(response.status))
            .ok_or_else(|| fail("documents no 2xx response body; pick one with --status".into())),
    }
}

/// `response 200` or `request`.
fn describe(kind: BodyKind) -> String {
    match kind {
        BodyKind::Request => "request".to_owned(),
        BodyKind::Response(status) => format!("response {status}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(api: &str, id: &str) -> &'static OperationInfo {
        registry::api(api).unwrap().operation(id).unwrap()
    }

    #[test]
    fn default_status_is_the_documented_2xx_with_a_body() {
        let start = op("rackspace-backup-v2", "startBackup");
        assert_eq!(body_kind(start, None, false), Ok(BodyKind::Response(201)));
        assert_eq!(body_kind(start, None, true), Ok(BodyKind::Request));
        let list = op("vbs-v2", "listBackupsDetail");
        assert_eq!(body_kind(list, None, false), Ok(BodyKind::Response(200)));
    }

    #[test]
    fn undocumented_bodies_list_the_documented_ones() {
        let errors =
            "400 (CbrError), 401 (CbrError), 403 (CbrError), 404 (CbrError), 500 (CbrError)";
        let delete = op("cbr-v3", "deleteBackup");
        assert_eq!(
            body_kind(delete, Some(204), false).unwrap_err().message,
            format!(
                "cbr-v3 deleteBackup documents no body for status 204; documented bodies: {errors}"
            )
        );
        assert_eq!(
            body_kind(delete, None, false).unwrap_err().message,
            format!(
                "cbr-v3 deleteBackup documents no 2xx response body; pick one with --status; \
                 documented bodies: {errors}"
            )
        );
        let list = op("cbr-v3", "listBackups");
        assert_eq!(
            body_kind(list, Some(299), false).unwrap_err().message,
            format!(
                "cbr-v3 listBackups does not document status 299; documented bodies: \
                 200 (ListBackupsResponse), {errors}"
            )
        );
        assert_eq!(
            body_kind(list, None, true).unwrap_err().message,
            format!(
                "cbr-v3 listBackups takes no request body; documented bodies: \
                 200 (ListBackupsResponse), {errors}"
            )
        );
    }
}
