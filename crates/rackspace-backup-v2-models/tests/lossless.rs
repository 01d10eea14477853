//! What the Rackspace Cloud Backup v2 models promise, checked on bodies written here (the
//! documented examples, edited): a missing field stays missing and a `null` stays `null`,
//! unknown fields survive at every level, undocumented `state` values are kept, timestamps keep
//! their text, int64 counters are exact, and strings come back as the same JSON value.

use backup_runtime::Nullable;
use backup_runtime::registry::{BodyKind, RoundtripError};
use rackspace_backup_v2_models::{
    Backup, BackupErrorList, BackupEventList, BackupEventType, BackupState, JsonPatchOp,
    JsonPatchOperation, StartBackupRequest, StartBackupState,
};
use serde_json::{Value, json};

const GET_200: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/rackspace-backup-v2/getBackup.200.json"
));
const START_201: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/rackspace-backup-v2/startBackup.201.json"
));
const START_REQUEST: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/rackspace-backup-v2/startBackup.request.json"
));

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("the example is JSON")
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

/// Parses `text` as a getBackup body, checks the model writes it back as the same JSON value
/// (through the registry's round trip too), and returns the model.
fn check_text(text: &str) -> Backup {
    let trip = rackspace_backup_v2_models::roundtrip("getBackup", BodyKind::Response(200), text)
        .expect("the spec documents this body")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(trip.differences(), Vec::<String>::new(), "{text}");
    assert_eq!(trip.output, trip.input);
    let model: Backup = serde_json::from_str(text).expect("parsed above");
    assert_eq!(
        serde_json::to_value(&model).expect("serializes"),
        trip.input
    );
    model
}

/// [`check_text`] on a value.
fn check(body: &Value) -> Backup {
    check_text(&body.to_string())
}

/// The path and message of a getBackup body that does not fit the model.
fn model_error(body: &Value) -> (String, String) {
    let text = body.to_string();
    match rackspace_backup_v2_models::roundtrip("getBackup", BodyKind::Response(200), &text)
        .expect("the spec documents this body")
    {
        Err(RoundtripError::Model { path, message }) => (path, message),
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn nullable_fields_keep_absent_null_and_value_apart() {
    // `started_time`, `ended_time` (`Nullable<Timestamp>`) and `snapshot_id`
    // (`Nullable<i64>`) hold values in getBackup and `null` in startBackup's response.
    let with_values = check_text(GET_200);
    assert_eq!(with_values.snapshot_id, Nullable::Value(1111));
    assert_eq!(
        with_values.started_time.value().map(|t| t.as_str()),
        Some("2014-08-05T18:22:22.238641Z")
    );
    let with_nulls = check_text(START_201);
    assert_eq!(with_nulls.started_time, Nullable::Null);
    assert_eq!(with_nulls.ended_time, Nullable::Null);
    assert_eq!(with_nulls.snapshot_id, Nullable::Null);
    let text = serde_json::to_string(&with_nulls).expect("serializes");
    for key in ["started_time", "ended_time", "snapshot_id"] {
        assert!(text.contains(&format!(r#""{key}":null"#)), "{text}");
    }

    let mut body = parse(START_201);
    for key in ["started_time", "ended_time", "snapshot_id"] {
        object(&mut body, "").remove(key);
    }
    let absent = check(&body);
    assert_eq!(absent.started_time, Nullable::Absent);
    assert_eq!(absent.snapshot_id, Nullable::Absent);
    let text = serde_json::to_string(&absent).expect("serializes");
    for key in ["started_time", "ended_time", "snapshot_id"] {
        assert!(
            !text.contains(&format!(r#""{key}""#)),
            "{key} came back: {text}"
        );
    }
}

#[test]
fn required_missing_names_the_field_and_null_gives_its_path() {
    for (parent, key, path) in [
        ("", "bytes_searched", "."),
        ("", "restorable", "."),
        ("", "links", "."),
        ("/agent", "id", "agent"),
        ("/errors", "diagnostics", "errors"),
        ("/errors/links/0", "rel", "errors.links[0]"),
    ] {
        let mut body = parse(GET_200);
        object(&mut body, parent).remove(key);
        let (at_path, message) = model_error(&body);
        assert_eq!(at_path, path, "{key}");
        assert_eq!(message, format!("missing field `{key}`"));
    }
    for (pointer, path, expected) in [
        ("/bytes_searched", "bytes_searched", "i64"),
        ("/restorable", "restorable", "a boolean"),
        ("/state", "state", "a string"),
        ("/agent/links/0/href", "agent.links[0].href", "a string"),
        (
            "/configuration",
            "configuration",
            "an object of type ConfigurationReference",
        ),
        ("/errors/count", "errors.count", "i64"),
    ] {
        let mut body = parse(GET_200);
        *at(&mut body, pointer) = Value::Null;
        let (at_path, message) = model_error(&body);
        assert_eq!(at_path, path);
        assert_eq!(message, format!("invalid type: null, expected {expected}"));
    }
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let kinds = json!({
        "x_object": {"nested": {"deeper": [{"k": "v"}]}},
        "x_array": [1, "two", null, false, {"three": 3.5}],
        "x_null": null,
        "x_bool": true,
        "x_big": 9_007_199_254_740_993_u64,
        "x_u64_max": u64::MAX,
        "x_i64_min": i64::MIN,
        "x_string": "é😀\u{1}\"\\/"
    });
    let mut body = parse(GET_200);
    let places = [
        "",
        "/agent",
        "/agent/links/0",
        "/configuration",
        "/configuration/links/0",
        "/errors",
        "/errors/links/0",
        "/links/1",
    ];
    for pointer in places {
        object(&mut body, pointer).extend(kinds.as_object().expect("an object").clone());
    }
    let model = check(&body);
    let extras = [
        &model.extra,
        &model.agent.extra,
        &model.agent.links[0].extra,
        &model.configuration.extra,
        &model.configuration.links[0].extra,
        &model.errors.extra,
        &model.errors.links[0].extra,
        &model.links[1].extra,
    ];
    for extra in extras {
        assert_eq!(&Value::Object(extra.clone()), &kinds);
        assert_eq!(extra["x_big"].as_u64(), Some(9_007_199_254_740_993));
    }
    assert!(model.links[0].extra.is_empty());
    let text = serde_json::to_string(&model).expect("serializes");
    assert_eq!(
        text.matches(r#""x_big":9007199254740993"#).count(),
        places.len()
    );
    assert_eq!(
        text.matches(r#""x_u64_max":18446744073709551615"#).count(),
        places.len()
    );

    // The request body too.
    let mut request = parse(START_REQUEST);
    object(&mut request, "").insert("priority".into(), json!({"level": [1, null]}));
    let trip = rackspace_backup_v2_models::roundtrip(
        "startBackup",
        BodyKind::Request,
        &request.to_string(),
    )
    .expect("documented")
    .expect("parses");
    assert_eq!(trip.output, request);
}

#[test]
fn new_state_values_are_kept_and_documented_ones_map_to_variants() {
    let mut body = parse(GET_200);
    *at(&mut body, "/state") = json!("paused");
    let model = check(&body);
    assert_eq!(model.state, BackupState::Other("paused".into()));
    assert!(!model.state.is_documented());
    let text = serde_json::to_string(&model).expect("serializes");
    assert!(text.contains(r#""state":"paused""#), "{text}");

    assert_eq!(check_text(GET_200).state, BackupState::CompletedWithErrors);
    assert_eq!(check_text(START_201).state, BackupState::StartRequested);
    for &value in BackupState::DOCUMENTED {
        let state: BackupState = serde_json::from_value(json!(value)).expect("a string");
        assert!(state.is_documented(), "{value}");
        assert_eq!(
            serde_json::to_value(&state).expect("serializes"),
            json!(value)
        );
    }

    let request: StartBackupRequest = serde_json::from_str(START_REQUEST).expect("parses");
    assert_eq!(request.state, StartBackupState::StartRequested);
    let mut body = parse(START_REQUEST);
    *at(&mut body, "/state") = json!("paused");
    let request: StartBackupRequest = serde_json::from_value(body.clone()).expect("parses");
    assert_eq!(request.state, StartBackupState::Other("paused".into()));
    assert_eq!(serde_json::to_value(&request).expect("serializes"), body);
}

/// Every state of the lifecycle (API reference: Start a backup, Update a backup and its 409
/// message) is a documented variant, with the nulls the state machine leaves in each: nothing
/// filled in before the agent reports, everything once a backup ran, and only the start time or
/// nothing for a backup that was stopped, skipped or missed.
#[test]
fn every_lifecycle_state_with_its_nulls_round_trips() {
    for (state, variant, started, ended, snapshot) in [
        (
            "start_requested",
            BackupState::StartRequested,
            false,
            false,
            false,
        ),
        (
            "start_scheduled",
            BackupState::StartScheduled,
            false,
            false,
            false,
        ),
        ("queued", BackupState::Queued, false, false, false),
        ("preparing", BackupState::Preparing, true, false, false),
        ("in_progress", BackupState::InProgress, true, false, false),
        (
            "stop_requested",
            BackupState::StopRequested,
            true,
            false,
            false,
        ),
        ("completed", BackupState::Completed, true, true, true),
        (
            "completed_with_errors",
            BackupState::CompletedWithErrors,
            true,
            true,
            true,
        ),
        ("failed", BackupState::Failed, true, true, false),
        ("stopped", BackupState::Stopped, true, true, false),
        ("skipped", BackupState::Skipped, false, false, false),
        ("missed", BackupState::Missed, false, false, false),
    ] {
        let mut body = parse(GET_200);
        *at(&mut body, "/state") = json!(state);
        for (key, set) in [
            ("started_time", started),
            ("ended_time", ended),
            ("snapshot_id", snapshot),
        ] {
            if !set {
                *at(&mut body, &format!("/{key}")) = Value::Null;
            }
        }
        let model = check(&body);
        assert_eq!(model.state, variant, "{state}");
        assert!(model.state.is_documented(), "{state}");
        assert_eq!(model.started_time.value().is_some(), started, "{state}");
        assert_eq!(model.ended_time.value().is_some(), ended, "{state}");
        assert_eq!(model.snapshot_id.value().is_some(), snapshot, "{state}");
    }
    assert_eq!(BackupState::DOCUMENTED.len(), 12);
    let request: StartBackupRequest =
        serde_json::from_value(json!({"configuration_id": "c", "state": "start_scheduled"}))
            .expect("parses");
    assert_eq!(request.state, StartBackupState::StartScheduled);
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
        ("2014-08-05T18:22:22Z", "2014-08-05T18:22:22Z"),
    ] {
        let mut body = parse(GET_200);
        *at(&mut body, "/started_time") = json!(form);
        let model = check(&body);
        let text = serde_json::to_string(&model).expect("serializes");
        let fragment = format!(r#""started_time":"{form}""#);
        assert!(text.contains(&fragment), "{fragment} not in {text}");
        let started = model.started_time.value().expect("a value");
        assert_eq!(started.as_str(), form);
        assert_eq!(started.to_utc().expect("a date-time").to_string(), instant);
    }
}

#[test]
fn int64_counters_are_exact() {
    for value in [
        9_007_199_254_740_993_i64,
        i64::MAX,
        i64::MIN,
        3_700_000_000,
        0,
    ] {
        let mut body = parse(GET_200);
        for key in ["bytes_searched", "bytes_in_db", "snapshot_id"] {
            *at(&mut body, &format!("/{key}")) = json!(value);
        }
        let model = check(&body);
        assert_eq!(model.bytes_searched, value);
        assert_eq!(model.bytes_in_db, value);
        assert_eq!(model.snapshot_id, Nullable::Value(value));
        let text = serde_json::to_string(&model).expect("serializes");
        for key in ["bytes_searched", "bytes_in_db", "snapshot_id"] {
            let fragment = format!(r#""{key}":{value}"#);
            assert!(text.contains(&fragment), "{fragment} not in {text}");
        }
    }
    // Beyond i64, or a fraction: an error at the field.
    let base = serde_json::to_string(&parse(GET_200)).expect("serializes");
    for (number, message) in [
        (
            "9223372036854775808",
            "invalid value: integer `9223372036854775808`, expected i64",
        ),
        (
            "3.7e9",
            "invalid type: floating point `3700000000.0`, expected i64",
        ),
        ("1.0", "invalid type: floating point `1.0`, expected i64"),
    ] {
        let text = base.replacen(
            r#""bytes_searched":3700000000"#,
            &format!(r#""bytes_searched":{number}"#),
            1,
        );
        assert_ne!(text, base);
        let err =
            rackspace_backup_v2_models::roundtrip("getBackup", BodyKind::Response(200), &text)
                .expect("documented")
                .unwrap_err();
        assert_eq!(
            err,
            RoundtripError::Model {
                path: "bytes_searched".into(),
                message: message.into()
            }
        );
    }
}

#[test]
fn strings_with_escapes_come_back_as_the_same_value() {
    let raw = r#""caf\u00e9\ud83d\ude00 \/ \" \\ \b\f\n\r\t\u0000\u001f""#;
    let decoded = "café😀 / \" \\ \u{8}\u{c}\n\r\t\u{0}\u{1f}";
    let base = serde_json::to_string(&parse(GET_200)).expect("serializes");
    let text = base.replacen(
        r#""diagnostics":"Some files could not be backed up. Partial list follows.""#,
        &format!(r#""diagnostics":{raw}"#),
        1,
    );
    assert_ne!(text, base);
    let model = check_text(&text);
    assert_eq!(model.errors.diagnostics, decoded);
    let written = serde_json::to_string(&model).expect("serializes");
    assert!(
        written.contains(r#""diagnostics":"café😀 / \" \\ \b\f\n\r\t\u0000\u001f""#),
        "{written}"
    );
}

/// The list operations: an empty page may come without `links`, and new event kinds or patch
/// operations are kept; what an agent reports (an error entry) may lack every field.
#[test]
fn lists_events_errors_and_patches_keep_what_the_service_sends() {
    for (op, text) in [
        ("listBackups", r#"{"backups":[]}"#),
        ("listBackupEvents", r#"{"events":[]}"#),
    ] {
        let trip = rackspace_backup_v2_models::roundtrip(op, BodyKind::Response(200), text)
            .expect("documented")
            .expect("parses");
        assert_eq!(trip.output, trip.input, "{op}");
    }
    let page: BackupEventList = serde_json::from_value(json!({"events": [{
        "id": "1", "time": "2025-03-02T01:00:00.000000Z", "event": "backup_rewound",
        "agent": {"id": "a"}, "configuration": {"id": "c"}, "backup": {"snapshot_id": 9_007_199_254_740_993_i64}
    }]}))
    .expect("parses");
    assert!(page.links.is_none());
    let event = &page.events[0];
    assert_eq!(event.event, BackupEventType::Other("backup_rewound".into()));
    assert_eq!(event.backup.snapshot_id, Some(9_007_199_254_740_993));
    assert!(event.backup.id.is_none());

    let errors: BackupErrorList = serde_json::from_value(json!({
        "count": 1, "reason": "", "diagnostics": "", "list": [{}], "links": []
    }))
    .expect("parses");
    let entry = &errors.list.as_ref().expect("a list")[0];
    assert!(entry.index.is_none() && entry.path.is_none() && entry.exception.is_none());

    let patch = json!([
        {"op": "replace", "path": "/state", "value": "stop_requested"},
        {"op": "remove", "path": "/errors", "value": null},
        {"op": "add", "path": "/errors", "value": {"count": 1, "list": [{"index": 0}]}}
    ]);
    let ops: Vec<JsonPatchOperation> = serde_json::from_value(patch.clone()).expect("parses");
    assert_eq!(ops[0].op, JsonPatchOp::Replace);
    assert_eq!(ops[1].op, JsonPatchOp::Other("remove".into()));
    assert_eq!(ops[1].value, Value::Null);
    assert_eq!(serde_json::to_value(&ops).expect("serializes"), patch);
    let trip = rackspace_backup_v2_models::roundtrip(
        "updateBackup",
        BodyKind::Request,
        &patch.to_string(),
    )
    .expect("documented")
    .expect("parses");
    assert_eq!(trip.output, patch);
}
