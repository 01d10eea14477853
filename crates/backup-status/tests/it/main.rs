//! Integration tests of `backup-status`: the adapters against each API's documented example
//! (`specs/examples`), as the list operations will hand their items over; cloud accounts
//! against a fake Keystone ([`clouds`]); every output of a report with hostile server text
//! ([`hostile`]).

mod clouds;
mod hostile;
mod prune;

use std::path::Path;

use backup_status::{Api, BackupRecord, State, adapt};

/// A documented example body.
fn example(api: &str, file: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/examples")
        .join(api)
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

fn utc(text: &str) -> Option<jiff::Timestamp> {
    Some(text.parse().expect("a test timestamp"))
}

#[test]
fn rackspace_backup_v2_get_backup() {
    let body = example("rackspace-backup-v2", "getBackup.200.json");
    let backup: rackspace_backup_v2_models::Backup = serde_json::from_value(body).unwrap();
    let record = adapt::rackspace_backup_v2("rs", &backup);
    assert_eq!(
        record,
        BackupRecord {
            account: "rs".into(),
            api: Api::RackspaceBackupV2,
            id: "0d95d699-d16b-11e4-93bd-c8e0eb190e3d".into(),
            resource_id: "7c8ee069-568f-4d5a-932f-fb2af86b5fd5".into(),
            resource_name: None,
            raw_status: "completed_with_errors".into(),
            state: State::Warning,
            created_at: utc("2014-08-05T18:22:22.238641Z"),
            finished_at: utc("2014-08-05T18:23:50.489715Z"),
            size_bytes: Some(127_000_000),
            incremental: None,
            has_dependents: None,
        }
    );
    assert_eq!(
        record.success_at(),
        None,
        "only `ok` backups count as a success"
    );
}

#[test]
fn vbs_v2_list_backups_detail() {
    let body = example("vbs-v2", "listBackupsDetail.200.json");
    let list: vbs_v2_models::ListBackupsDetailResponse = serde_json::from_value(body).unwrap();
    let records: Vec<BackupRecord> = list
        .backups
        .iter()
        .map(|b| adapt::vbs_v2("v2", b))
        .collect();
    assert!(!records.is_empty());
    for (record, backup) in records.iter().zip(&list.backups) {
        assert_eq!(record.resource_id, backup.volume_id);
        assert_eq!(record.raw_status, backup.status.as_str());
        assert_eq!(
            record.state,
            State::from_raw(Api::VbsV2, backup.status.as_str())
        );
        assert!(record.created_at.is_some(), "{:?}", backup.created_at);
        assert_eq!(record.finished_at, None);
    }
}

#[test]
fn vbs_v3_show_backup() {
    let body = example("vbs-v3", "showBackup.200.json");
    let show: vbs_v3_models::ShowBackupResponse = serde_json::from_value(body).unwrap();
    let record = adapt::vbs_v3("v3", &show.backup);
    assert_eq!(record.id, "1d1139d8-8989-49d3-8aa1-83eb691e6db2");
    assert_eq!(record.resource_id, "2748f2f2-4394-4e6e-af8d-8dd34496c024");
    assert_eq!(
        (record.state, record.raw_status.as_str()),
        (State::Failed, "error")
    );
    assert_eq!(
        record.created_at,
        utc("2013-06-27T08:48:03Z"),
        "naive time read as UTC"
    );
    assert_eq!(record.size_bytes, Some(1 << 30));
}

#[test]
fn cbr_v3_show_backup_and_its_children() {
    let body = example("cbr-v3", "showBackup.200.json");
    let show: cbr_v3_models::ShowBackupResponse = serde_json::from_value(body).unwrap();
    let record = adapt::cbr_v3("cbr", &show.backup);
    assert_eq!(record.id, "6df2b54c-dd62-4059-a07c-1b8f24f2725d");
    assert_eq!(record.resource_id, "94eba8b2-acc9-4d82-badc-127144cc5526");
    assert_eq!(record.resource_name.as_deref(), Some("ecs-1f0f-0002"));
    assert_eq!(record.state, State::Ok);
    assert_eq!(record.created_at, utc("2019-05-10T07:59:12.084695Z"));
    assert_eq!(
        record.success_at(),
        record.created_at,
        "no finish time: creation time"
    );
    let child = adapt::cbr_v3("cbr", &show.backup.children.as_ref().expect("children")[0]);
    assert_eq!(child.api, Api::CbrV3);
    assert_eq!(
        child.state,
        State::from_raw(Api::CbrV3, child.raw_status.as_str())
    );
}

#[test]
fn every_raw_status_of_the_table() {
    let table: [(Api, &[&str], State); 13] = [
        (Api::RackspaceBackupV2, &["completed"], State::Ok),
        (
            Api::RackspaceBackupV2,
            &["completed_with_errors", "skipped", "stopped"],
            State::Warning,
        ),
        (
            Api::RackspaceBackupV2,
            &[
                "start_requested",
                "start_scheduled",
                "queued",
                "preparing",
                "in_progress",
                "stop_requested",
            ],
            State::Running,
        ),
        (Api::RackspaceBackupV2, &["failed", "missed"], State::Failed),
        (Api::VbsV2, &["available", "restoring"], State::Ok),
        (Api::VbsV2, &["creating"], State::Running),
        (Api::VbsV2, &["error"], State::Failed),
        (
            Api::VbsV3,
            &["deleting", "error_deleting", "deleted"],
            State::Deleting,
        ),
        (
            Api::CbrV3,
            &["available", "restoring", "waiting_restore"],
            State::Ok,
        ),
        (
            Api::CbrV3,
            &["protecting", "waiting_protect"],
            State::Running,
        ),
        (Api::CbrV3, &["error"], State::Failed),
        (Api::CbrV3, &["deleting", "waiting_delete"], State::Deleting),
        (
            Api::RackspaceBackupV2,
            &["deleting", "available", "Completed", ""],
            State::Unknown,
        ),
    ];
    for (api, raws, state) in table {
        for raw in raws {
            assert_eq!(State::from_raw(api, raw), state, "{api} {raw}");
        }
    }
    assert_eq!(
        State::from_raw(Api::VbsV2, "waiting_restore"),
        State::Unknown
    );
    assert_eq!(State::from_raw(Api::CbrV3, "completed"), State::Unknown);
}
