//! The documented examples against the JSON Schema of their operation's body.

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};
use xtask::specs::{self, Body, Example};

use crate::{example, read_json};

/// A draft 2020-12 validator that treats `format` as an annotation only.
fn validator(schema: &Value) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(false)
        .build(schema)
        .unwrap_or_else(|e| panic!("invalid JSON Schema: {e}\n{schema:#}"))
}

/// Every validation error of `instance`, as `(instance path, message)`.
pub(crate) fn errors(schema: &Value, instance: &Value) -> Vec<(String, String)> {
    validator(schema)
        .iter_errors(instance)
        .map(|error| (error.instance_path().as_str().to_owned(), error.to_string()))
        .collect()
}

pub(crate) fn describe(errors: &[(String, String)]) -> String {
    errors
        .iter()
        .map(|(path, message)| format!("  at `{path}`: {message}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn examples_validate_against_schema() {
    let mut failures = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    for api in specs::APIS {
        for example in specs::examples(api) {
            let schema = specs::example_schema(api, &example);
            let errors = errors(&schema, &read_json(&example));
            checked.insert(example.path.clone());
            if !errors.is_empty() {
                failures.push(format!(
                    "{} ({api} {} {}):\n{}",
                    example.path.display(),
                    example.operation_id,
                    example.body,
                    describe(&errors)
                ));
            }
        }
    }
    // The documented bodies and the examples written from the references (`x-written-from`).
    assert_eq!(
        checked,
        crate::referenced_examples(),
        "documented examples checked"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Validates a changed copy of a documented example and expects an error at `path` whose message
/// mentions `mentions`.
fn assert_rejected(
    example: &Example,
    api: &str,
    change: impl FnOnce(&mut Value),
    path: &str,
    mentions: &str,
) {
    let mut instance = read_json(example);
    change(&mut instance);
    let errors = errors(&specs::example_schema(api, example), &instance);
    assert!(
        errors
            .iter()
            .any(|(at, message)| at == path && message.contains(mentions)),
        "{} changed: expected an error at `{path}` mentioning {mentions}, got:\n{}",
        example.path.display(),
        describe(&errors)
    );
}

fn set(pointer: &str, value: Value) -> impl FnOnce(&mut Value) {
    move |instance| {
        *instance
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the example")) = value;
    }
}

fn remove(object: &str, key: &'static str) -> impl FnOnce(&mut Value) {
    move |instance| {
        let removed = instance
            .pointer_mut(object)
            .and_then(Value::as_object_mut)
            .and_then(|object| object.remove(key));
        assert!(removed.is_some(), "no {object}/{key} in the example");
    }
}

#[test]
fn wrong_example_is_rejected() {
    let cbr = example("cbr-v3", "showBackup", Body::Response(200));
    let get_backup = example("rackspace-backup-v2", "getBackup", Body::Response(200));
    let start_backup = example("rackspace-backup-v2", "startBackup", Body::Request);
    let vbs3 = example("vbs-v3", "showBackup", Body::Response(200));
    let vbs2 = example("vbs-v2", "listBackupsDetail", Body::Response(200));

    // An integer sent as a string.
    let int_as_string = [
        // (CBR `resource_size` is an integer or a numeric string: the old Go SDK sent text.)
        (&cbr, "cbr-v3", "/backup/extend_info/progress"),
        (&cbr, "cbr-v3", "/backup/children/0/extend_info/progress"),
        (&get_backup, "rackspace-backup-v2", "/files_searched"),
        (&vbs3, "vbs-v3", "/backup/size"),
        (&vbs2, "vbs-v2", "/backups/1/size"),
    ];
    for (example, api, pointer) in int_as_string {
        assert_rejected(example, api, set(pointer, json!("40")), pointer, "integer");
    }

    // A required property missing.
    assert_rejected(&cbr, "cbr-v3", remove("/backup", "id"), "/backup", "\"id\"");
    assert_rejected(
        &cbr,
        "cbr-v3",
        remove("/backup/children/0", "vault_id"),
        "/backup/children/0",
        "\"vault_id\"",
    );
    assert_rejected(
        &start_backup,
        "rackspace-backup-v2",
        remove("", "configuration_id"),
        "",
        "\"configuration_id\"",
    );
    assert_rejected(
        &vbs2,
        "vbs-v2",
        remove("/backups/2", "id"),
        "/backups/2",
        "\"id\"",
    );
    assert_rejected(&vbs3, "vbs-v3", remove("", "backup"), "", "\"backup\"");

    // `null` where no example shows it.
    assert_rejected(
        &get_backup,
        "rackspace-backup-v2",
        set("/restorable", Value::Null),
        "/restorable",
        "null",
    );
}

#[test]
fn embedded_service_metadata_validates() {
    // VBS v2 `service_metadata` is a JSON document inside a string, padded with spaces.
    let api = "vbs-v2";
    let spec = specs::load_value(api).expect("spec");
    let schema = specs::standalone(
        &spec,
        &json!({"$ref": "#/components/schemas/ServiceMetadata"}),
    );
    let body = read_json(&example(api, "listBackupsDetail", Body::Response(200)));
    let text = body
        .pointer("/backups/0/service_metadata")
        .and_then(Value::as_str)
        .expect("service_metadata in the first backup");
    let metadata: Value = serde_json::from_str(text.trim()).expect("service_metadata is JSON");
    let found = errors(&schema, &metadata);
    assert!(found.is_empty(), "{}", describe(&found));
}
