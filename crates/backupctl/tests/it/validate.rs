//! `backupctl validate`: exit 0 for every documented example, 1 with a JSON path or a line and
//! column, 2 with the JSON pointers that would change.

use serde_json::json;

use crate::{Example, backupctl, example, examples};

fn validate_args<'a>(example: &'a Example, kind: &'a [String], source: &'a str) -> Vec<&'a str> {
    let mut args = vec![
        "validate",
        "--api",
        &example.api,
        "--operation",
        &example.operation,
    ];
    args.extend(kind.iter().map(String::as_str));
    args.push(source);
    args
}

#[test]
fn every_documented_example_validates_from_a_file_and_from_stdin() {
    let all = examples();
    for api in ["rackspace-backup-v2", "vbs-v3", "vbs-v2", "cbr-v3"] {
        assert!(all.iter().any(|e| e.api == api), "no example for {api}");
    }
    assert!(all.iter().any(|e| e.status.is_none()), "no request example");
    for example in &all {
        let kind = example.kind_args();
        let path = example.path.to_str().expect("UTF-8 path");
        let run = backupctl(&validate_args(example, &kind, path), b"", None);
        assert_eq!(
            (run.code, run.stderr.as_str(), run.stdout.as_str()),
            (0, "", ""),
            "{example:?}"
        );
        let run = backupctl(
            &validate_args(example, &kind, "-"),
            example.text().as_bytes(),
            None,
        );
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "{example:?} on stdin"
        );
    }
}

#[test]
fn default_status_is_the_documented_2xx_with_a_body() {
    let start = example("rackspace-backup-v2", "startBackup", Some(201));
    let run = backupctl(
        &validate_args(&start, &[], "-"),
        start.text().as_bytes(),
        None,
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // The request body is not a valid 201 response: the default is not "anything goes".
    let request = example("rackspace-backup-v2", "startBackup", None);
    let run = backupctl(
        &validate_args(&start, &[], "-"),
        request.text().as_bytes(),
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn print_writes_back_a_value_equal_to_the_input() {
    for example in examples() {
        let mut kind = example.kind_args();
        kind.push("--print".to_owned());
        let run = backupctl(
            &validate_args(&example, &kind, "-"),
            example.text().as_bytes(),
            None,
        );
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{example:?}");
        let printed: serde_json::Value =
            serde_json::from_str(&run.stdout).expect("--print writes JSON");
        assert_eq!(printed, example.json(), "{example:?}");
        assert!(
            run.stdout.contains("\n  "),
            "pretty-printed: {}",
            run.stdout
        );
    }
}

#[test]
fn a_string_where_the_model_wants_an_integer_names_the_json_path() {
    let cbr = example("cbr-v3", "showBackup", Some(200));
    let mut body = cbr.json();
    body["backup"]["children"][0]["resource_size"] = true.into();
    let run = backupctl(
        &validate_args(&cbr, &[], "-"),
        body.to_string().as_bytes(),
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.starts_with("backupctl: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            r#"backup.children[0].resource_size: invalid type: boolean `true`, expected a number or a string"#
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn truncated_json_names_line_and_column() {
    let cbr = example("cbr-v3", "showBackup", Some(200));
    let text = cbr.text();
    // Cut inside the second line's key: `     "backup" : {` is line 2.
    let cut = text.find("\"backup\"").expect("has backup") + 4;
    let run = backupctl(
        &validate_args(&cbr, &[], "-"),
        &text.as_bytes()[..cut],
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("not JSON at line 2 column 9: EOF while parsing a string"),
        "{}",
        run.stderr
    );
    // From a file too, named in the message.
    let dir = std::env::temp_dir().join(format!("backupctl-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("truncated.json");
    std::fs::write(&file, &text.as_bytes()[..cut]).expect("write");
    let path = file.to_str().expect("UTF-8");
    let run = backupctl(&validate_args(&cbr, &[], path), b"", None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "backupctl: {path} (cbr-v3 showBackup response 200): not JSON at line 2"
        )),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The models write back every value they read (nulls, missing keys, numbers as strings,
/// unknown fields, unknown enum values), so the changes a round trip makes happen while the
/// input is read, where the runtime's own comparison cannot see them: a repeated key (parsers
/// keep its last value) and a number beyond 64 bits in an unknown field.
#[test]
fn a_repeated_unknown_key_is_a_change_and_a_repeated_known_key_a_parse_error() {
    let request = example("rackspace-backup-v2", "startBackup", None);
    let args = ["--request".to_owned()];
    // `note` is not in the model: it lands in `extra`, and only its last value survives.
    let body = r#"{"configuration_id": "c1", "note": 1, "state": "start_requested", "note": 2}"#;
    let run = backupctl(&validate_args(&request, &args, "-"), body.as_bytes(), None);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        "backupctl: stdin (rackspace-backup-v2 startBackup request): it parses, but writing it \
         back changes 1 value at:\n  /note (a repeated key: only its last value is kept)\n"
    );
    // A repeated key the model names is refused by the model itself.
    let body = r#"{"configuration_id": "c1", "state": "start_requested", "state": "x"}"#;
    let run = backupctl(&validate_args(&request, &args, "-"), body.as_bytes(), None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("duplicate field `state`"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_api_operation_or_status_lists_the_valid_ones() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["--api", "cbr", "--operation", "showBackup"],
            "backupctl: unknown api `cbr`; the apis are: cbr-v3, rackspace-backup-v2, vbs-v2, vbs-v3\n",
        ),
        (
            &["--api", "vbs-v2", "--operation", "updateBackup"],
            "backupctl: vbs-v2 has no operation `updateBackup`; its operations are: createBackup, deleteBackup, listBackups, listBackupsDetail, restoreBackup, showBackup\n",
        ),
        (
            &[
                "--api",
                "cbr-v3",
                "--operation",
                "deleteBackup",
                "--status",
                "204",
            ],
            "backupctl: cbr-v3 deleteBackup documents no body for status 204; documented bodies: 400 (CbrError), 401 (CbrError), 403 (CbrError), 404 (CbrError), 500 (CbrError)\n",
        ),
        (
            &[
                "--api",
                "cbr-v3",
                "--operation",
                "showBackup",
                "--status",
                "201",
            ],
            "backupctl: cbr-v3 showBackup does not document status 201; documented bodies: 200 (ShowBackupResponse), 400 (CbrError), 401 (CbrError), 403 (CbrError), 404 (CbrError), 500 (CbrError)\n",
        ),
        (
            &["--api", "cbr-v3", "--operation", "showBackup", "--request"],
            "backupctl: cbr-v3 showBackup takes no request body; documented bodies: 200 (ShowBackupResponse), 400 (CbrError), 401 (CbrError), 403 (CbrError), 404 (CbrError), 500 (CbrError)\n",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["validate"];
        all.extend(args);
        all.push("-");
        let run = backupctl(&all, b"{}", None);
        assert_eq!((run.code, run.stderr.as_str()), (1, message), "{args:?}");
    }
}

#[test]
fn usage_errors_exit_1_not_clap_s_2() {
    let run = backupctl(&["validate", "--api", "cbr-v3"], b"", None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.starts_with("backupctl: "), "{}", run.stderr);
    let run = backupctl(
        &[
            "validate",
            "--api",
            "cbr-v3",
            "--operation",
            "x",
            "/no/such/file",
        ],
        b"",
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let cbr = example("cbr-v3", "showBackup", Some(200));
    let run = backupctl(&validate_args(&cbr, &[], "/no/such/file.json"), b"", None);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .starts_with("backupctl: cannot read /no/such/file.json: "),
        "{}",
        run.stderr
    );
}

#[test]
fn help_documents_the_exit_statuses() {
    for args in [
        &["--help"][..],
        &["validate", "--help"],
        &["call", "--help"],
    ] {
        let run = backupctl(args, b"", None);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("Exit status:"), "{}", run.stdout);
        assert!(run.stdout.contains("  4  "), "{}", run.stdout);
    }
}

#[test]
fn a_number_beyond_64_bits_in_an_unknown_field_is_a_change() {
    let cbr = example("cbr-v3", "showBackup", Some(200));
    let text = cbr.text();
    let brace = text.rfind('}').expect("an object");
    let body = format!(
        "{}, \"x_big\": 123456789012345678901234567890}}",
        text[..brace].trim_end()
    );
    let run = backupctl(&validate_args(&cbr, &[], "-"), body.as_bytes(), None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.ends_with(
            "changes 1 value at:\n  /x_big (the number 123456789012345678901234567890 is \
             written back as 1.2345678901234568e+29)\n"
        ),
        "{}",
        run.stderr
    );
    // In a field the model types, the same number is refused outright.
    let mut typed = cbr.json();
    typed["backup"]["resource_size"] = serde_json::from_str("123456789012345678901234567890")
        .expect("serde_json reads it as a float");
    let run = backupctl(
        &validate_args(&cbr, &[], "-"),
        typed.to_string().as_bytes(),
        None,
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("backup.resource_size: "),
        "{}",
        run.stderr
    );
}

/// `validate --drift` on a changed copy of a documented example, from stdin.
fn drift(api: &str, operation: &str, change: impl FnOnce(&mut serde_json::Value)) -> crate::Run {
    let example = example(api, operation, Some(200));
    let mut body = example.json();
    change(&mut body);
    let kind = example.kind_args();
    let mut args = validate_args(&example, &kind, "-");
    args.insert(1, "--drift");
    backupctl(&args, body.to_string().as_bytes(), None)
}

/// Sets (or adds) the member at `pointer`; its parent object must exist.
fn set(body: &mut serde_json::Value, pointer: &str, value: serde_json::Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = body
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent} in the example"));
    match parent {
        serde_json::Value::Object(members) => {
            members.insert(key.to_owned(), value);
        }
        serde_json::Value::Array(items) => {
            items[key.parse::<usize>().expect("an index")] = value;
        }
        _ => panic!("{parent} is neither an object nor an array"),
    }
}

/// The listed findings: the lines after the message, trimmed.
fn listed(run: &crate::Run) -> Vec<&str> {
    run.stderr.lines().skip(1).map(str::trim).collect()
}

#[test]
fn drift_of_a_documented_example_is_none() {
    for example in examples() {
        let kind = example.kind_args();
        let path = example.path.to_str().expect("UTF-8 path");
        let mut args = validate_args(&example, &kind, path);
        args.push("--drift");
        let run = backupctl(&args, b"", None);
        assert_eq!(
            (run.code, run.stderr.as_str(), run.stdout.as_str()),
            (0, "", ""),
            "{example:?}"
        );
    }
}

#[test]
fn drift_lists_unknown_keys_new_enum_values_and_strings_that_are_not_numbers() {
    let run = drift("cbr-v3", "showBackup", |body| {
        set(
            body,
            "/backup/children/0/extend_info/x_new",
            json!({"a": 1}),
        );
        set(body, "/backup/status", json!("frozen"));
        set(
            body,
            "/backup/children/0/resource_type",
            json!("OS::Future::Thing"),
        );
    });
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "backupctl: stdin (cbr-v3 showBackup response 200): it parses, but the spec does not \
             know 3 things in it:\n"
        ),
        "{}",
        run.stderr
    );
    let lines = listed(&run);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(
        lines[0],
        "/backup/children/0/extend_info/x_new: unknown key"
    );
    assert!(
        lines[1].starts_with(
            "/backup/children/0/resource_type: enum value \"OS::Future::Thing\" is not documented \
             (documented: OS::Nova::Server, OS::Cinder::Volume"
        ),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with(
            "/backup/status: enum value \"frozen\" is not documented (documented: available,"
        ),
        "{lines:?}"
    );

    let run = drift("rackspace-backup-v2", "getBackup", |body| {
        set(body, "/agent/links/0/type", json!("application/json"));
        set(body, "/state", json!("paused"));
    });
    assert_eq!(run.code, 2, "{run:?}");
    let lines = listed(&run);
    assert_eq!(lines[0], "/agent/links/0/type: unknown key");
    assert!(lines[1].starts_with("/state: enum value \"paused\" is not documented (documented: "));

    // VBS v2: inside the JSON document carried by `service_metadata` too.
    let run = drift("vbs-v2", "listBackupsDetail", |body| {
        set(body, "/backups/2/links/1/x-region", json!("eu-de"));
        set(body, "/backups/1/status", json!("frozen"));
        set(
            body,
            "/backups/0/service_metadata",
            json!(" {\"bootable\": \"yes\", \"progress\": \"n/a\", \"NewKey\": [1]} "),
        );
    });
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        listed(&run)[..4],
        [
            "/backups/0/service_metadata, in its JSON at /NewKey: unknown key",
            "/backups/0/service_metadata, in its JSON at /bootable: a string (\"yes\") where the spec says boolean",
            "/backups/0/service_metadata, in its JSON at /progress: \"n/a\" is a string that is not a number where the spec says integer (which may be sent as a string)",
            "/backups/1/status: enum value \"frozen\" is not documented (documented: available, error, restoring, creating, deleting, error_deleting, deleted)",
        ][..],
        "{}",
        run.stderr
    );
    assert_eq!(listed(&run)[4], "/backups/2/links/1/x-region: unknown key");

    // VBS v3: an unknown nested key; a number sent as a string is not taken by the model at
    // all, so it is not drift but a body that does not parse (exit 1).
    let run = drift("vbs-v3", "showBackup", |body| {
        set(body, "/backup/links/0/x-region", json!("eu-de"));
        set(body, "/x-trace", json!([1, 2]));
    });
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        listed(&run),
        [
            "/backup/links/0/x-region: unknown key",
            "/x-trace: unknown key"
        ]
    );
    let run = drift("vbs-v3", "showBackup", |body| {
        set(body, "/backup/size", json!("1"));
    });
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("backup.size"), "{}", run.stderr);
}

#[test]
fn drift_and_a_changed_write_back_are_listed_together() {
    // A repeated key is lost on write-back; the unknown key is drift.
    let example = example("vbs-v3", "showBackup", Some(200));
    let text = example.text().replacen(
        "\"backup\": {",
        "\"backup\": {\"x-new\": 1, \"x-new\": 2,",
        1,
    );
    let kind = example.kind_args();
    let mut args = validate_args(&example, &kind, "-");
    args.push("--drift");
    let run = backupctl(&args, text.as_bytes(), None);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "it parses, but writing it back changes 1 value and the spec does not know 1 thing in \
             it (changed values first):\n  /backup/x-new (a repeated key"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("  /backup/x-new: unknown key\n"),
        "{}",
        run.stderr
    );
}
