//! The realistic-body corpus, `specs/cases/<api>/`, run through the model crates and through the
//! specs' JSON Schemas, so specs and models cannot drift apart.
//!
//! File names (the contract in `specs/README.md`):
//!
//! - `<operationId>.<status>.<case>.json`, `<operationId>.request.<case>.json`: a body the
//!   service can send (or accept). The model must read it and write back the same JSON value,
//!   and it must validate against the operation's JSON Schema translated from the spec.
//! - `<operationId>.<status|request>.reject-<case>.json` with the sidecar
//!   `<operationId>.<status|request>.reject-<case>.path`: a body that must be refused. The
//!   sidecar's single line is the JSON path the model's error names, as the model errors print
//!   it (`backup.children[0].resource_size`; `.` for the top level); a body that is not JSON at
//!   all (truncated, say) is refused by the JSON parser and its sidecar says `.`. The JSON
//!   Schema must refuse it too (or the text must not be JSON).
//!
//! `<case>` is kebab-case; dots are allowed inside it (`mv-3.64-encryption`). Any other file
//! name, a case of an operation or status that the spec or the model does not know, a reject
//! case without its sidecar or a sidecar without its case is an error, never a silent skip.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use backup_runtime::registry::{BodyKind, Roundtrip, RoundtripError};
use serde_json::Value;
use xtask::specs::{self, Body, Example};

use crate::schema::{describe, errors};

/// A model crate's `roundtrip`.
type RoundtripFn = fn(&str, BodyKind, &str) -> Option<Result<Roundtrip, RoundtripError>>;

/// The model crate of `api`, from the generated table.
fn model_roundtrip(api: &str) -> Option<RoundtripFn> {
    backup_apis::api(api).map(|api| api.roundtrip)
}

/// `specs/cases`.
fn cases_dir() -> PathBuf {
    specs::specs_dir().join("cases")
}

/// One case file, from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Case {
    operation_id: String,
    body: Body,
    /// The `<case>` part, `reject-` included.
    name: String,
    /// `.json` or `.path`.
    sidecar: bool,
}

impl Case {
    fn is_reject(&self) -> bool {
        self.name.starts_with("reject-")
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.operation_id, self.body, self.name)
    }
}

/// Parses `<operationId>.<status|request>.<case>.<json|path>`.
fn parse_name(name: &str) -> Result<Case, String> {
    let expected = "expected <operationId>.<status|request>.<case>.json (or .path beside a \
                    reject- case)";
    let (stem, sidecar) = if let Some(stem) = name.strip_suffix(".json") {
        (stem, false)
    } else if let Some(stem) = name.strip_suffix(".path") {
        (stem, true)
    } else {
        return Err(format!("{expected}: neither .json nor .path"));
    };
    let mut parts = stem.splitn(3, '.');
    let (Some(operation_id), Some(body), Some(case)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("{expected}: too few parts"));
    };
    if operation_id.is_empty() || !operation_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!(
            "{expected}: `{operation_id}` is not an operationId"
        ));
    }
    let body = match body {
        "request" => Body::Request,
        status if status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()) => {
            Body::Response(status.parse().map_err(|e| format!("{expected}: {e}"))?)
        }
        other => {
            return Err(format!(
                "{expected}: `{other}` is neither a status nor `request`"
            ));
        }
    };
    if !is_kebab_case(case) {
        return Err(format!(
            "{expected}: the case `{case}` is not kebab-case (a-z, 0-9, single `-` or `.` \
             between them)"
        ));
    }
    let case = Case {
        operation_id: operation_id.to_owned(),
        body,
        name: case.to_owned(),
        sidecar,
    };
    if sidecar && !case.is_reject() {
        return Err("a .path sidecar belongs to a reject- case only".to_owned());
    }
    Ok(case)
}

/// `a-z0-9` words joined by single `-` or `.`.
fn is_kebab_case(case: &str) -> bool {
    let word = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = case.as_bytes();
    !bytes.is_empty()
        && word(bytes[0])
        && word(bytes[bytes.len() - 1])
        && bytes.iter().all(|&b| word(b) || b == b'-' || b == b'.')
        && !bytes
            .windows(2)
            .any(|pair| !word(pair[0]) && !word(pair[1]))
}

/// What is wrong with one case (a message naming what failed), or `Ok`.
fn check(api: &str, roundtrip: RoundtripFn, case: &Case, json: &Path) -> Result<(), String> {
    let example = Example {
        operation_id: case.operation_id.clone(),
        body: case.body,
        path: json.to_owned(),
    };
    let schema = specs::try_example_schema(api, &example)?;
    let kind = match case.body {
        Body::Request => BodyKind::Request,
        Body::Response(status) => BodyKind::Response(status),
    };
    let text = std::fs::read_to_string(json).map_err(|e| format!("cannot read: {e}"))?;
    let outcome = roundtrip(&case.operation_id, kind, &text).ok_or_else(|| {
        format!(
            "the model crate has no {} body of {}",
            case.body, case.operation_id
        )
    })?;
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    if !case.is_reject() {
        let roundtrip = outcome.map_err(|e| format!("the model refuses it: {e}"))?;
        let changed = roundtrip.differences();
        if !changed.is_empty() {
            return Err(format!(
                "the model writes it back changed at {}",
                changed.join(", ")
            ));
        }
        let found = errors(&schema, &roundtrip.input);
        if !found.is_empty() {
            return Err(format!(
                "the spec's JSON Schema refuses it:\n{}",
                describe(&found)
            ));
        }
        return Ok(());
    }
    let sidecar = json.with_extension("path");
    let expected = std::fs::read_to_string(&sidecar)
        .map_err(|e| format!("cannot read its sidecar {}: {e}", sidecar.display()))?;
    let mut lines = expected.lines();
    let (Some(expected), None) = (lines.next().map(str::trim), lines.next()) else {
        return Err(format!(
            "{} must hold exactly one line, the JSON path",
            sidecar.display()
        ));
    };
    match outcome {
        Ok(_) => return Err("the model accepts it".to_owned()),
        Err(RoundtripError::Model { path, message }) if path != expected => {
            return Err(format!(
                "the model refuses it at `{path}` ({message}), not at `{expected}`"
            ));
        }
        Err(err @ RoundtripError::Json { .. }) if parsed.is_some() => {
            return Err(format!(
                "the model says it is not JSON ({err}), serde_json reads it"
            ));
        }
        Err(err @ RoundtripError::Json { .. }) if expected != "." => {
            return Err(format!(
                "not JSON ({err}): its sidecar must say `.`, not `{expected}`"
            ));
        }
        Err(_) => {}
    }
    if let Some(instance) = parsed
        && errors(&schema, &instance).is_empty()
    {
        return Err("the spec's JSON Schema accepts it".to_owned());
    }
    Ok(())
}

#[test]
fn every_case_fits_its_model_and_its_schema() {
    let dir = cases_dir();
    let mut failures = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    let mut apis: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable entry").path())
        .collect();
    apis.sort();
    for api_dir in apis {
        let api = api_dir
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned();
        let roundtrip = match (api_dir.is_dir(), model_roundtrip(&api)) {
            (true, Some(roundtrip)) if specs::APIS.contains(&api.as_str()) => roundtrip,
            _ => {
                failures.push(format!(
                    "{}: not a folder named after an API key ({})",
                    api_dir.display(),
                    specs::APIS.join(", ")
                ));
                continue;
            }
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&api_dir)
            .unwrap_or_else(|e| panic!("{}: {e}", api_dir.display()))
            .map(|entry| entry.expect("readable entry").path())
            .collect();
        files.sort();
        let names: BTreeSet<String> = files
            .iter()
            .filter_map(|path| path.file_name()?.to_str().map(str::to_owned))
            .collect();
        for path in &files {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            let case = match parse_name(name) {
                Ok(case) => case,
                Err(message) => {
                    failures.push(format!("{}: {message}", path.display()));
                    continue;
                }
            };
            if case.sidecar {
                if !names.contains(&format!("{case}.json")) {
                    failures.push(format!("{}: no {case}.json beside it", path.display()));
                }
                continue;
            }
            if case.is_reject() && !names.contains(&format!("{case}.path")) {
                failures.push(format!(
                    "{}: a reject case needs {case}.path, the JSON path its error names",
                    path.display()
                ));
                continue;
            }
            match check(&api, roundtrip, &case, path) {
                Ok(()) if case.is_reject() => rejected += 1,
                Ok(()) => accepted += 1,
                Err(message) => failures.push(format!(
                    "{} ({api} {} {}): {message}",
                    path.display(),
                    case.operation_id,
                    case.body
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        accepted > 0 && rejected > 0,
        "{}: found {accepted} accept and {rejected} reject cases; expected some of each",
        dir.display()
    );
}

#[test]
fn case_file_names() {
    let case = parse_name("showBackup.200.mv-3.64-encryption.json").unwrap();
    assert_eq!(
        (
            case.operation_id.as_str(),
            case.body,
            case.name.as_str(),
            case.sidecar
        ),
        (
            "showBackup",
            Body::Response(200),
            "mv-3.64-encryption",
            false
        )
    );
    let reject = parse_name("startBackup.request.reject-wrong-type.path").unwrap();
    assert!(reject.is_reject() && reject.sidecar && reject.body == Body::Request);
    for bad in [
        "showBackup.200.json",
        "showBackup.ok.available.json",
        "showBackup.200.Available.json",
        "showBackup.200.two--dashes.json",
        "showBackup.200.available-.json",
        "showBackup.200.available.txt",
        "showBackup.200.available.path",
        "show-backup.200.available.json",
        ".200.available.json",
        "README.md",
    ] {
        assert!(parse_name(bad).is_err(), "{bad} is accepted");
    }
}

#[test]
fn a_wrong_case_is_reported_with_its_file_and_problem() {
    // A body the model reads but whose path is not the one the sidecar names, and an accept
    // case that the schema refuses, in a scratch folder.
    let dir = std::env::temp_dir().join(format!("xtask-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let roundtrip = model_roundtrip("cbr-v3").expect("cbr-v3");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let wrong_path = write("showBackup.200.reject-x.json", r#"{"backup": 1}"#);
    write("showBackup.200.reject-x.path", "backup.id\n");
    let case = parse_name("showBackup.200.reject-x.json").unwrap();
    let message = check("cbr-v3", roundtrip, &case, &wrong_path).unwrap_err();
    assert!(message.contains("not at `backup.id`"), "{message}");

    let accepted = write("showBackup.200.reject-y.json", "{\"backup\": ");
    write("showBackup.200.reject-y.path", "backup\n");
    let case = parse_name("showBackup.200.reject-y.json").unwrap();
    let message = check("cbr-v3", roundtrip, &case, &accepted).unwrap_err();
    assert!(message.contains("its sidecar must say `.`"), "{message}");

    let unknown = write("showBackup.418.some-error.json", "{}");
    let case = parse_name("showBackup.418.some-error.json").unwrap();
    let message = check("cbr-v3", roundtrip, &case, &unknown).unwrap_err();
    assert!(message.contains("not documented in the spec"), "{message}");
    std::fs::remove_dir_all(&dir).expect("remove scratch folder");
}
