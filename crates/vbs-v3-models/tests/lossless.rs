//! What the VBS v3 models promise, checked on bodies written here (the documented example,
//! edited): a missing field stays missing and a `null` stays `null`, unknown fields survive at
//! every level, timestamps keep their text, integers are exact or rejected with their JSON
//! path, and strings come back as the same JSON value.

use backup_runtime::Nullable;
use backup_runtime::registry::{BodyKind, RoundtripError};
use serde_json::{Value, json};
use vbs_v3_models::{BackupStatus, ShowBackupResponse};

const EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/vbs-v3/showBackup.200.json"
));

fn example() -> Value {
    serde_json::from_str(EXAMPLE).expect("the example is JSON")
}

/// The value at a JSON pointer, which must exist.
fn at<'a>(body: &'a mut Value, pointer: &str) -> &'a mut Value {
    body.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the body"))
}

/// The object at a JSON pointer.
fn object<'a>(body: &'a mut Value, pointer: &str) -> &'a mut serde_json::Map<String, Value> {
    at(body, pointer)
        .as_object_mut()
        .unwrap_or_else(|| panic!("{pointer} is not an object"))
}

/// Parses `text`, checks the model writes it back as the same JSON value (through the
/// registry's round trip too), and returns the model.
fn check_text(text: &str) -> ShowBackupResponse {
    let trip = vbs_v3_models::roundtrip("showBackup", BodyKind::Response(200), text)
        .expect("the spec documents this body")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(trip.differences(), Vec::<String>::new(), "{text}");
    assert_eq!(trip.output, trip.input);
    let model: ShowBackupResponse = serde_json::from_str(text).expect("parsed above");
    assert_eq!(
        serde_json::to_value(&model).expect("serializes"),
        trip.input
    );
    model
}

/// [`check_text`] on a value.
fn check(body: &Value) -> ShowBackupResponse {
    check_text(&body.to_string())
}

/// The path and message of a body that does not fit the model.
fn model_error(body: &Value) -> (String, String) {
    let text = body.to_string();
    match vbs_v3_models::roundtrip("showBackup", BodyKind::Response(200), &text)
        .expect("the spec documents this body")
    {
        Err(RoundtripError::Model { path, message }) => (path, message),
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn absent_and_null_are_kept_apart() {
    let model = check_text(EXAMPLE);
    let backup = &model.backup;
    assert_eq!(backup.description, Nullable::Null);
    assert_eq!(backup.object_count, Nullable::Null);
    assert_eq!(backup.os_backup_project_attr_tenant_id, None);
    assert_eq!(
        backup.os_backup_project_attr_project_id.as_deref(),
        Some("b23b579f08c84228b9b4673c46f0c442")
    );
    let text = serde_json::to_string(&model).expect("serializes");
    assert!(text.contains(r#""description":null"#), "{text}");
    assert!(!text.contains("os-backup-project-attr:tenant_id"), "{text}");

    for key in [
        "description",
        "availability_zone",
        "object_count",
        "name",
        "fail_reason",
        "container",
        "size",
        "updated_at",
        "data_timestamp",
        "snapshot_id",
    ] {
        let mut body = example();
        object(&mut body, "/backup").remove(key);
        let text = serde_json::to_string(&check(&body)).expect("serializes");
        assert!(
            !text.contains(&format!(r#""{key}""#)),
            "{key} came back: {text}"
        );
    }

    // The table's key instead of the example's: each stays as sent.
    let mut body = example();
    let backup = object(&mut body, "/backup");
    let project = backup
        .remove("os-backup-project-attr:project_id")
        .expect("present");
    backup.insert("os-backup-project-attr:tenant_id".into(), project);
    let model = check(&body);
    assert_eq!(model.backup.os_backup_project_attr_project_id, None);
    assert!(model.backup.os_backup_project_attr_tenant_id.is_some());

    // Optional, not nullable: `null` is an error with its path.
    let mut body = example();
    *at(&mut body, "/backup/os-backup-project-attr:project_id") = Value::Null;
    let (path, message) = model_error(&body);
    assert_eq!(path, "backup.os-backup-project-attr:project_id");
    assert_eq!(message, "invalid type: null, expected a string");
}

#[test]
fn required_missing_names_the_field_and_required_null_gives_its_path() {
    for key in [
        "id",
        "volume_id",
        "created_at",
        "has_dependent_backups",
        "is_incremental",
        "status",
        "links",
    ] {
        let mut body = example();
        object(&mut body, "/backup").remove(key);
        let (path, message) = model_error(&body);
        assert_eq!(path, "backup");
        assert_eq!(message, format!("missing field `{key}`"));
    }
    for (pointer, path, expected) in [
        (
            "/backup/is_incremental",
            "backup.is_incremental",
            "a boolean",
        ),
        ("/backup/created_at", "backup.created_at", "a string"),
        ("/backup/volume_id", "backup.volume_id", "a string"),
        ("/backup/links/1/rel", "backup.links[1].rel", "a string"),
    ] {
        let mut body = example();
        *at(&mut body, pointer) = Value::Null;
        let (at_path, message) = model_error(&body);
        assert_eq!(at_path, path);
        assert_eq!(message, format!("invalid type: null, expected {expected}"));
    }
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let kinds = json!({
        "x_object": {"a": [{"b": null}]},
        "x_array": [true, 1, -2.5, "s", null],
        "x_null": null,
        "x_big": 9_007_199_254_740_993_u64,
        "x_string": "\u{7f}é😀\"\\/"
    });
    let mut body = example();
    for pointer in ["", "/backup", "/backup/links/0"] {
        object(&mut body, pointer).extend(kinds.as_object().expect("an object").clone());
    }
    let model = check(&body);
    for extra in [
        &model.extra,
        &model.backup.extra,
        &model.backup.links[0].extra,
    ] {
        assert_eq!(&Value::Object(extra.clone()), &kinds);
    }
    assert!(model.backup.links[1].extra.is_empty());
    // A status Cinder does not know is kept (the enum is open).
    let mut body = example();
    *at(&mut body, "/backup/status") = json!("frozen");
    let status = check(&body).backup.status;
    assert_eq!(status.as_str(), "frozen");
    assert!(!matches!(status, BackupStatus::Error));
}

#[test]
fn timestamps_round_trip_byte_exact_and_name_the_right_instant() {
    for (form, instant) in [
        ("2014-08-05T18:22:22.238641Z", "2014-08-05T18:22:22.238641Z"),
        ("2013-06-27T08:48:03.000000", "2013-06-27T08:48:03Z"),
        ("2019-05-10T07:59:59.450700", "2019-05-10T07:59:59.4507Z"),
        ("2020-02-05T10:38:34+00:00", "2020-02-05T10:38:34Z"),
        ("2020-02-05T18:38:34+08:00", "2020-02-05T10:38:34Z"),
        ("2020-02-05T10:38:34", "2020-02-05T10:38:34Z"),
    ] {
        let mut body = example();
        for key in ["created_at", "updated_at", "data_timestamp"] {
            *at(&mut body, &format!("/backup/{key}")) = json!(form);
        }
        let model = check(&body);
        let text = serde_json::to_string(&model).expect("serializes");
        for key in ["created_at", "updated_at", "data_timestamp"] {
            let fragment = format!(r#""{key}":"{form}""#);
            assert!(text.contains(&fragment), "{fragment} not in {text}");
        }
        let utc = model
            .backup
            .data_timestamp
            .value()
            .expect("set")
            .to_utc()
            .expect("a date-time");
        assert_eq!(utc.to_string(), instant);
    }
}

#[test]
fn integers_are_exact_or_rejected_with_their_path() {
    let mut body = example();
    *at(&mut body, "/backup/size") = json!(9_007_199_254_740_993_i64);
    *at(&mut body, "/backup/object_count") = json!(i32::MAX);
    let model = check(&body);
    assert_eq!(model.backup.size, Nullable::Value(9_007_199_254_740_993));
    assert_eq!(
        model.backup.object_count,
        Nullable::Value(i64::from(i32::MAX))
    );
    let text = serde_json::to_string(&model).expect("serializes");
    assert!(text.contains(r#""size":9007199254740993"#), "{text}");

    *at(&mut body, "/backup/object_count") = json!(u64::MAX);
    let (path, message) = model_error(&body);
    assert_eq!(path, "backup.object_count");
    assert_eq!(
        message,
        "invalid value: integer `18446744073709551615`, expected i64"
    );
}

#[test]
fn strings_with_escapes_come_back_as_the_same_value() {
    let raw = r#""caf\u00e9\ud83d\ude00 \/ \" \\ \b\f\n\r\t\u0000\u001f""#;
    let decoded = "café😀 / \" \\ \u{8}\u{c}\n\r\t\u{0}\u{1f}";
    let base = serde_json::to_string(&example()).expect("serializes");
    let text = base.replacen(
        r#""container":"volumebackups""#,
        &format!(r#""container":{raw}"#),
        1,
    );
    assert_ne!(text, base);
    let model = check_text(&text);
    assert_eq!(
        model.backup.container.value().map(String::as_str),
        Some(decoded)
    );
}
