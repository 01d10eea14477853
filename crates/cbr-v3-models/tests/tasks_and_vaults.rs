//! What the CBR v3 models promise for vaults, tasks (operation logs) and a resource's
//! `extra_info`, on bodies written here: a resource's `extra_info` is kept as the object, the
//! string or the `null` it was sent as; task statuses and types the spec does not list are
//! kept; the restore's optional `job_id` round-trips.

use backup_runtime::registry::{BodyKind, RoundtripError};
use backup_runtime::{Nullable, ObjectOrString};
use cbr_v3_models::{
    CheckpointResponse, OperationLogStatus, OperationType, ShowOpLogResponse, ShowVaultResponse,
};
use serde_json::{Value, json};

/// Parses `body` as the `status` body of `operation`, checks that it is written back as the
/// same JSON value, and returns the model.
fn check<T: serde::de::DeserializeOwned>(operation: &str, status: u16, body: &Value) -> T {
    let text = body.to_string();
    let trip = cbr_v3_models::roundtrip(operation, BodyKind::Response(status), &text)
        .expect("a documented body")
        .unwrap_or_else(|e| panic!("{operation} {status}: {e}"));
    assert_eq!(
        trip.differences(),
        Vec::<String>::new(),
        "{operation} {status}"
    );
    serde_json::from_str(&text).expect("the model reads it")
}

fn checkpoint(extra_info: Option<Value>) -> Value {
    let mut resource = json!({
        "id": "4b6d8f0a-2c4e-4a6b-8d0f-1a3c5e7b9d2f",
        "name": "app-db-01",
        "type": "OS::Nova::Server",
        "resource_size": "6"
    });
    if let Some(extra_info) = extra_info {
        resource["extra_info"] = extra_info;
    }
    json!({"checkpoint": {
        "created_at": "2021-02-09T12:03:42.554535",
        "id": "f2d4b6a8-0c1e-4a3f-9b5d-7e9f1a3c5b7d",
        "project_id": "c3a8e1f5b7d94e2a8f6b0d1c9e7a5b3f",
        "status": "protecting",
        "vault": {"id": "9a7c5e3b-1d2f-4b6a-8c0e-4f6a8b2d0c1e", "name": "vault-app", "resources": [resource]}
    }})
}

#[test]
fn a_restore_point_resource_extra_info_is_kept_as_object_string_null_or_absent() {
    let extra_info = |body: &Value| {
        let parsed: CheckpointResponse = check("showCheckpoint", 200, body);
        let vault = parsed.checkpoint.vault.expect("a vault");
        let resources = vault.resources.expect("resources");
        resources[0].extra_info.clone()
    };
    // Open Telekom Cloud: an object (python-otcextensions' checkpoint test has `{}`).
    match extra_info(&checkpoint(Some(json!({})))) {
        Nullable::Value(ObjectOrString::Object(info)) => {
            assert_eq!(info.exclude_volumes, None);
            assert!(info.extra.is_empty());
        }
        other => panic!("expected an object, got {other:?}"),
    }
    let with_keys = json!({"exclude_volumes": ["v1"], "os": "linux"});
    match extra_info(&checkpoint(Some(with_keys))) {
        Nullable::Value(ObjectOrString::Object(info)) => {
            assert_eq!(info.exclude_volumes, Some(vec!["v1".to_owned()]));
            assert_eq!(info.extra["os"], "linux");
        }
        other => panic!("expected an object, got {other:?}"),
    }
    // The reference's string, never parsed even when it holds JSON; and Huawei's `null`.
    let text = r#"{"exclude_volumes": ["v1"]}"#;
    assert_eq!(
        extra_info(&checkpoint(Some(json!(text)))),
        Nullable::Value(ObjectOrString::String(text.to_owned()))
    );
    assert_eq!(extra_info(&checkpoint(Some(Value::Null))), Nullable::Null);
    assert_eq!(extra_info(&checkpoint(None)), Nullable::Absent);
}

#[test]
fn a_restore_point_resource_extra_info_of_another_type_names_its_path() {
    for bad in [
        json!(1),
        json!(true),
        json!(["v1"]),
        json!({"exclude_volumes": "v1"}),
    ] {
        let text = checkpoint(Some(bad.clone())).to_string();
        let error = cbr_v3_models::roundtrip("showCheckpoint", BodyKind::Response(200), &text)
            .expect("a documented body")
            .expect_err("not an object, a string or null");
        let RoundtripError::Model { path, .. } = error else {
            panic!("{bad}: expected a model error, got {error:?}");
        };
        assert!(
            path.starts_with("checkpoint.vault.resources[0].extra_info"),
            "{bad}: {path}"
        );
    }
}

#[test]
fn a_live_otc_vault_with_an_object_extra_info_round_trips() {
    // The shape of the vault pasted in terraform-provider-opentelekomcloud#2074.
    let body = json!({"vault": {
        "id": "b4d6f8a0-2c4e-4b6d-8f0a-3c5e7a9b1d4f",
        "name": "vault-sfs",
        "resources": [{
            "id": "7e9a1c3b-5d7f-4a2c-8e0b-6d8f0b2d4a6c",
            "type": "OS::Sfs::Turbo",
            "name": "share",
            "auto_protect": true,
            "size": 500,
            "backup_size": 0,
            "backup_count": 0,
            "protect_status": "available",
            "extra_info": {}
        }],
        "provider_id": "3f3c3220-245c-4805-b811-758870015881",
        "project_id": "5b7d9f1a3c5e4a7b9d1f3a5c7e9b1d3f",
        "enterprise_project_id": 0,
        "billing": {
            "allocated": 0, "charging_mode": "post_paid", "consistent_level": "crash_consistent",
            "protect_type": "backup", "size": 1000, "spec_code": "vault.backup.turbo.normal",
            "status": "available", "used": 0, "object_type": "turbo"
        }
    }});
    let parsed: ShowVaultResponse = check("showVault", 200, &body);
    let resource = &parsed.vault.resources[0];
    assert_eq!(resource.auto_protect, Some(true));
    assert!(matches!(
        resource.extra_info,
        Nullable::Value(ObjectOrString::Object(_))
    ));
}

#[test]
fn task_statuses_and_types_the_spec_does_not_list_are_kept() {
    let log = |status: &str, operation_type: &str| {
        json!({"operation_log": {
            "created_at": "2024-04-02T08:00:00.007312",
            "error_info": {"code": "", "message": ""},
            "id": "11111111-2222-4333-8444-555555555507",
            "operation_type": operation_type,
            "project_id": "9d1e4b7a2c5f48e3b6a0d9c8f7e6a5b4",
            "started_at": "2024-04-02T08:00:00.001994",
            "status": status,
            "updated_at": "2024-04-02T08:00:09.775010"
        }})
    };
    let read = |status: &str, operation_type: &str| {
        let parsed: ShowOpLogResponse = check("showOpLog", 200, &log(status, operation_type));
        let log = parsed.operation_log.expect("a task");
        (log.status, log.operation_type.expect("a type"))
    };
    assert_eq!(
        read("running", "restore"),
        (OperationLogStatus::Running, OperationType::Restore)
    );
    assert_eq!(
        read("timeout", "vault_delete"),
        (OperationLogStatus::Timeout, OperationType::VaultDelete)
    );
    let (status, operation_type) = read("cancelling", "archive");
    assert_eq!(status, OperationLogStatus::Other("cancelling".to_owned()));
    assert_eq!(operation_type.as_str(), "archive");
    assert!(!status.is_documented() && !operation_type.is_documented());
}

#[test]
fn the_restore_202_body_keeps_its_job_id_and_anything_else() {
    let body = json!({"job_id": "3b7d9f1a-5c2e-4b8d-a0f6-2c4e6a8b1d3f", "request_id": "req-1"});
    let parsed: cbr_v3_models::RestoreBackupResponse = check("restoreBackup", 202, &body);
    assert_eq!(
        parsed.job_id.as_deref(),
        Some("3b7d9f1a-5c2e-4b8d-a0f6-2c4e6a8b1d3f")
    );
    assert_eq!(parsed.extra["request_id"], "req-1");
    let empty: cbr_v3_models::RestoreBackupResponse = check("restoreBackup", 202, &json!({}));
    assert_eq!(empty.job_id, None);
}
