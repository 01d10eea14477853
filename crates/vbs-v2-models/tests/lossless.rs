//! What the VBS v2 models promise, checked on bodies written here (the documented example,
//! edited): a missing field stays missing and a `null` stays `null`, unknown fields survive at
//! every level, undocumented `status` values are kept, timestamps keep their text, integers are
//! exact or rejected with their JSON path, strings come back as the same JSON value, and the
//! `service_metadata` string stays verbatim while its typed view reads the document inside it.

use backup_runtime::registry::{BodyKind, RoundtripError};
use backup_runtime::{Nullable, NumOrString};
use serde_json::{Value, json};
use vbs_v2_models::{Backup, BackupStatus, ListBackupsDetailResponse};

const EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/vbs-v2/listBackupsDetail.200.json"
));

/// The documented `service_metadata` string, decoded, padding spaces included.
const SERVICE_METADATA: &str = r#" {"bootable": false, "backupurl": "58d94782-6509-45ad-9442-970d2a005050", "BackupSize": 0, "progress": "0", "snap_id": "665e411f5d87431ca98c199fbd4a64fd", "Type": 0} "#;

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
fn check_text(text: &str) -> ListBackupsDetailResponse {
    let trip = vbs_v2_models::roundtrip("listBackupsDetail", BodyKind::Response(200), text)
        .expect("the spec documents this body")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(trip.differences(), Vec::<String>::new(), "{text}");
    assert_eq!(trip.output, trip.input);
    let model: ListBackupsDetailResponse = serde_json::from_str(text).expect("parsed above");
    assert_eq!(
        serde_json::to_value(&model).expect("serializes"),
        trip.input
    );
    model
}

/// [`check_text`] on a value.
fn check(body: &Value) -> ListBackupsDetailResponse {
    check_text(&body.to_string())
}

/// The path and message of a body that does not fit the model.
fn model_error(body: &Value) -> (String, String) {
    let text = body.to_string();
    match vbs_v2_models::roundtrip("listBackupsDetail", BodyKind::Response(200), &text)
        .expect("the spec documents this body")
    {
        Err(RoundtripError::Model { path, message }) => (path, message),
        other => panic!("expected a model error, got {other:?}"),
    }
}

/// The first documented backup with `service_metadata` set to `text`.
fn with_service_metadata(text: &str) -> Backup {
    let mut body = example();
    *at(&mut body, "/backups/0/service_metadata") = json!(text);
    check(&body).backups.remove(0)
}

#[test]
fn service_metadata_stays_verbatim_and_its_typed_view_reads_the_document() {
    let model = check_text(EXAMPLE);
    let first = &model.backups[0];
    assert_eq!(
        first.service_metadata.value().map(String::as_str),
        Some(SERVICE_METADATA)
    );
    // Written back as the same escaped string, padding spaces included.
    let text = serde_json::to_string(first).expect("serializes");
    let escaped = serde_json::to_string(SERVICE_METADATA).expect("serializes");
    assert!(
        text.contains(&format!(r#""service_metadata":{escaped}"#)),
        "{text}"
    );
    assert!(
        escaped.starts_with(r#"" {\"bootable\": false, "#),
        "{escaped}"
    );
    assert!(EXAMPLE.contains(&escaped[1..escaped.len() - 1]));

    let meta = first
        .service_metadata_json()
        .expect("present")
        .expect("the documented string is JSON");
    assert_eq!(meta.bootable, Some(false));
    assert_eq!(
        meta.backupurl.as_deref(),
        Some("58d94782-6509-45ad-9442-970d2a005050")
    );
    assert_eq!(meta.progress, Some(NumOrString::String("0".into())));
    assert_eq!(meta.progress.as_ref().and_then(NumOrString::get), Some(0));
    assert_eq!(meta.backup_size, Some(NumOrString::Number(0)));
    assert_eq!(
        meta.snap_id.as_deref(),
        Some("665e411f5d87431ca98c199fbd4a64fd")
    );
    assert_eq!(meta.type_, Some(NumOrString::Number(0)));
    assert_eq!(meta.type_.as_ref().and_then(NumOrString::get), Some(0));
    assert!(meta.extra.is_empty());
    assert_eq!(meta.dl, None);
    // The typed view, written back, is the same document (without the padding).
    let inner: Value = serde_json::from_str(SERVICE_METADATA).expect("JSON");
    assert_eq!(serde_json::to_value(&meta).expect("serializes"), inner);

    // Only the first documented backup has it.
    assert_eq!(model.backups[1].service_metadata, Nullable::Absent);
    assert!(model.backups[1].service_metadata_json().is_none());
}

#[test]
fn service_metadata_typed_view_keeps_unknown_keys_and_both_number_forms() {
    let backup = with_service_metadata(
        r#"{"bootable":true,"backupurl":"u","Type":"1","progress":100,"AT":"12.5","CS":7,
            "snap_id":"s","NEW_KEY":{"a":[1,null]},"ebk_T_I":"job","Other":9007199254740993}"#,
    );
    let meta = backup
        .service_metadata_json()
        .expect("present")
        .expect("JSON");
    assert_eq!(meta.type_, Some(NumOrString::String("1".into())));
    assert_eq!(meta.type_.as_ref().and_then(NumOrString::get), Some(1));
    assert_eq!(meta.progress, Some(NumOrString::Number(100)));
    assert_eq!(meta.at, Some(NumOrString::String("12.5".into())));
    assert_eq!(meta.at.as_ref().and_then(NumOrString::get), Some(12.5));
    assert_eq!(meta.cs, Some(NumOrString::Number(7)));
    assert_eq!(meta.ebk_t_i.as_deref(), Some("job"));
    assert_eq!(meta.extra.get("NEW_KEY"), Some(&json!({"a": [1, null]})));
    assert_eq!(meta.extra["Other"].as_u64(), Some(9_007_199_254_740_993));
    assert_eq!(meta.extra.len(), 2);
}

#[test]
fn service_metadata_that_does_not_fit_is_an_error_not_a_panic() {
    for (text, path, message) in [
        ("not json", ".", "expected ident"),
        ("", ".", "EOF while parsing a value"),
        ("   ", ".", "EOF while parsing a value"),
        (r#"{"bootable": false"#, "?", "EOF while parsing an object"),
        (
            r#"{"bootable": false, "backupurl": "u", "Type": 0} x"#,
            ".",
            "trailing characters",
        ),
        (
            "[1, 2]",
            ".",
            "invalid type: sequence, expected an object of type ServiceMetadata",
        ),
        (
            r#"{"bootable": false, "backupurl": "u", "Type": 0, "progress": 1.5}"#,
            "progress",
            "expected i64",
        ),
        (
            r#"{"bootable": false, "backupurl": "u", "Type": null}"#,
            "Type",
            "invalid type: null",
        ),
        (
            r#"{"bootable": "no", "backupurl": "u", "Type": 0}"#,
            "bootable",
            "expected a boolean",
        ),
    ] {
        let backup = with_service_metadata(text);
        // The body itself is fine: the string is kept as sent.
        assert_eq!(
            backup.service_metadata.value().map(String::as_str),
            Some(text)
        );
        let err = backup
            .service_metadata_json()
            .expect("present")
            .expect_err(text);
        assert_eq!(err.path(), path, "{text}: {err}");
        assert!(err.message().contains(message), "{text}: {err}");
    }
}

#[test]
fn description_typed_view() {
    let mut body = example();
    *at(&mut body, "/backups/0/description") = json!(r#" {"DESC": "daily", "INC": 1, "x": true} "#);
    let model = check(&body);
    let description = model.backups[0]
        .description_json()
        .expect("present")
        .expect("JSON");
    assert_eq!(description.desc.as_deref(), Some("daily"));
    assert_eq!(description.inc, Some(1));
    assert_eq!(description.extra.get("x"), Some(&json!(true)));
    assert!(
        model.backups[1].description_json().is_none(),
        "null has no view"
    );
}

#[test]
fn absent_and_null_are_kept_apart() {
    // `description`, `availability_zone`, `object_count`, `name` are `Nullable<T>`: the
    // example has `null`.
    for key in ["description", "availability_zone", "object_count", "name"] {
        let mut body = example();
        let model = check(&body);
        let text = serde_json::to_string(&model.backups[0]).expect("serializes");
        assert!(text.contains(&format!(r#""{key}":null"#)), "{text}");
        object(&mut body, "/backups/0").remove(key);
        let model = check(&body);
        let text = serde_json::to_string(&model.backups[0]).expect("serializes");
        assert!(
            !text.contains(&format!(r#""{key}""#)),
            "{key} came back: {text}"
        );
    }
    let mut body = example();
    object(&mut body, "/backups/0").remove("object_count");
    *at(&mut body, "/backups/1/object_count") = json!(12);
    let model = check(&body);
    assert_eq!(model.backups[0].object_count, Nullable::Absent);
    assert_eq!(model.backups[1].object_count, Nullable::Value(12));
    assert_eq!(model.backups[2].object_count, Nullable::Null);

    // `fail_reason`, `container`, `size`, `service_metadata`, `updated_at`, `snapshot_id` and
    // `data_timestamp` are `Nullable<T>` too (the presence rule: Cinder can send `null`).
    for key in [
        "fail_reason",
        "container",
        "size",
        "service_metadata",
        "updated_at",
        "snapshot_id",
        "data_timestamp",
    ] {
        let mut body = example();
        object(&mut body, "/backups/0").insert(key.to_owned(), Value::Null);
        let text = serde_json::to_string(&check(&body).backups[0]).expect("serializes");
        assert!(text.contains(&format!(r#""{key}":null"#)), "{text}");
    }

    // `os-bak-tenant-attr:tenant_id`, `is_incremental`, `backups_links` are `Option<T>`:
    // absent stays absent, `null` is an error with its path.
    let model = check_text(EXAMPLE);
    assert_eq!(model.backups[1].os_bak_tenant_attr_tenant_id, None);
    let text = serde_json::to_string(&model.backups[1]).expect("serializes");
    assert!(
        !text.contains("os-bak-tenant-attr") && !text.contains("service_metadata"),
        "{text}"
    );
    let mut body = example();
    object(&mut body, "").remove("backups_links");
    let model = check(&body);
    assert_eq!(model.backups_links, None);
    assert!(
        !serde_json::to_string(&model)
            .expect("serializes")
            .contains("backups_links")
    );

    for (pointer, path, expected) in [
        (
            "/backups/1/os-bak-tenant-attr:tenant_id",
            "backups[1].os-bak-tenant-attr:tenant_id",
            "a string",
        ),
        (
            "/backups/0/is_incremental",
            "backups[0].is_incremental",
            "a boolean",
        ),
        ("/backups_links", "backups_links", "a sequence"),
    ] {
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        let mut body = example();
        object(&mut body, parent).insert(key.to_owned(), Value::Null);
        let (at_path, message) = model_error(&body);
        assert_eq!(at_path, path);
        assert_eq!(message, format!("invalid type: null, expected {expected}"));
    }
}

#[test]
fn required_missing_names_the_field_and_required_null_gives_its_path() {
    for (parent, key, path) in [
        ("", "backups", "."),
        ("/backups/2", "volume_id", "backups[2]"),
        ("/backups/2", "id", "backups[2]"),
        ("/backups/2", "created_at", "backups[2]"),
        ("/backups/2", "status", "backups[2]"),
        ("/backups/0", "links", "backups[0]"),
        ("/backups/1/links/1", "href", "backups[1].links[1]"),
        ("/backups_links/0", "rel", "backups_links[0]"),
    ] {
        let mut body = example();
        object(&mut body, parent).remove(key);
        let (at_path, message) = model_error(&body);
        assert_eq!(at_path, path, "{key}");
        assert_eq!(message, format!("missing field `{key}`"));
    }
    for (pointer, path, expected) in [
        ("/backups/0/id", "backups[0].id", "a string"),
        ("/backups/1/status", "backups[1].status", "a string"),
        ("/backups/2/created_at", "backups[2].created_at", "a string"),
        (
            "/backups/2/links/0/href",
            "backups[2].links[0].href",
            "a string",
        ),
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
        "x_object": {"a": {"b": [1, {"c": null}]}},
        "x_array": [null, true, 0, -1, 1.5, "s", [], {}],
        "x_null": null,
        "x_false": false,
        "x_big": 9_007_199_254_740_993_u64,
        "x_i64_max": i64::MAX,
        "x_string": "\"é😀\n\\/"
    });
    let mut body = example();
    let places = [
        "",
        "/backups/0",
        "/backups/2",
        "/backups/1/links/0",
        "/backups_links/0",
    ];
    for pointer in places {
        object(&mut body, pointer).extend(kinds.as_object().expect("an object").clone());
    }
    let model = check(&body);
    for extra in [
        &model.extra,
        &model.backups[0].extra,
        &model.backups[2].extra,
        &model.backups[1].links[0].extra,
        &model.backups_links.as_ref().expect("links")[0].extra,
    ] {
        assert_eq!(&Value::Object(extra.clone()), &kinds);
    }
    assert!(model.backups[1].extra.is_empty());
    let text = serde_json::to_string(&model).expect("serializes");
    assert_eq!(
        text.matches(r#""x_big":9007199254740993"#).count(),
        places.len()
    );
    assert_eq!(
        text.matches(r#""x_i64_max":9223372036854775807"#).count(),
        places.len()
    );
}

#[test]
fn new_status_values_are_kept_and_documented_ones_map_to_variants() {
    let mut body = example();
    *at(&mut body, "/backups/0/status") = json!("frozen");
    *at(&mut body, "/backups/1/status") = json!("error_deleting");
    let model = check(&body);
    assert_eq!(
        model.backups[0].status,
        BackupStatus::Other("frozen".into())
    );
    assert_eq!(model.backups[1].status, BackupStatus::ErrorDeleting);
    assert_eq!(model.backups[2].status, BackupStatus::Error);
    let text = serde_json::to_string(&model).expect("serializes");
    assert!(text.contains(r#""status":"frozen""#), "{text}");
    for &value in BackupStatus::DOCUMENTED {
        let status: BackupStatus = serde_json::from_value(json!(value)).expect("a string");
        assert!(
            status.is_documented() && status.as_str() == value,
            "{value}"
        );
    }
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
        *at(&mut body, "/backups/1/created_at") = json!(form);
        object(&mut body, "/backups/1").insert("updated_at".into(), json!(form));
        let model = check(&body);
        let text = serde_json::to_string(&model).expect("serializes");
        for key in ["created_at", "updated_at"] {
            let fragment = format!(r#""{key}":"{form}""#);
            assert!(text.contains(&fragment), "{fragment} not in {text}");
        }
        let backup = &model.backups[1];
        assert_eq!(backup.created_at.as_str(), form);
        assert_eq!(
            backup.created_at.to_utc().expect("a date-time").to_string(),
            instant
        );
        assert_eq!(backup.updated_at.value(), Some(&backup.created_at));
    }
}

#[test]
fn integers_are_exact_or_rejected_with_their_path() {
    for size in [9_007_199_254_740_993_i64, i64::MAX] {
        let mut body = example();
        *at(&mut body, "/backups/2/size") = json!(size);
        let model = check(&body);
        assert_eq!(model.backups[2].size, Nullable::Value(size));
        let text = serde_json::to_string(&model).expect("serializes");
        assert!(text.contains(&format!(r#""size":{size}"#)), "{text}");
    }
    // `object_count` is int64 (Cinder does not bound it); beyond i64 is an error with its path.
    let mut body = example();
    *at(&mut body, "/backups/1/object_count") = json!(2_147_483_648_i64);
    assert_eq!(
        check(&body).backups[1].object_count,
        Nullable::Value(2_147_483_648)
    );
    *at(&mut body, "/backups/1/object_count") = json!(u64::MAX);
    let (path, message) = model_error(&body);
    assert_eq!(path, "backups[1].object_count");
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
    let from = r#""fail_reason":"Connection to swift failed: [Errno 111] ECONNREFUSED""#;
    let text = base.replacen(from, &format!(r#""fail_reason":{raw}"#), 1);
    assert_ne!(text, base);
    let model = check_text(&text);
    assert_eq!(
        model.backups[0].fail_reason.value().map(String::as_str),
        Some(decoded)
    );
    // `service_metadata` with escapes inside the embedded document.
    let backup = with_service_metadata(
        r#"{"bootable":true,"backupurl":"caf\u00e9\/\ud83d\ude00","Type":1}"#,
    );
    let meta = backup
        .service_metadata_json()
        .expect("present")
        .expect("JSON");
    assert_eq!(meta.backupurl.as_deref(), Some("café/😀"));
}

#[test]
fn service_metadata_keys_are_all_optional() {
    // Lenient: a document with none of the keys, or only unknown ones, still parses.
    for text in ["{}", r#" {"progress": "42"} "#, r#"{"NEW": 1}"#] {
        let backup = with_service_metadata(text);
        let meta = backup
            .service_metadata_json()
            .expect("present")
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(meta.bootable, None, "{text}");
    }
}
