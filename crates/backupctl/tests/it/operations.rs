//! `backupctl operations`.

use crate::backupctl;

/// Every operation of every spec (`specs/*.yaml`), written out by hand: APIs by key, operations
/// by operationId within each.
const ALL: [(&str, &str, &str, &str); 30] = [
    (
        "cbr-v3",
        "createCheckpoint",
        "POST",
        "/v3/{project_id}/checkpoints",
    ),
    (
        "cbr-v3",
        "deleteBackup",
        "DELETE",
        "/v3/{project_id}/backups/{backup_id}",
    ),
    ("cbr-v3", "listBackups", "GET", "/v3/{project_id}/backups"),
    (
        "cbr-v3",
        "listOpLogs",
        "GET",
        "/v3/{project_id}/operation-logs",
    ),
    ("cbr-v3", "listVaults", "GET", "/v3/{project_id}/vaults"),
    (
        "cbr-v3",
        "restoreBackup",
        "POST",
        "/v3/{project_id}/backups/{backup_id}/restore",
    ),
    (
        "cbr-v3",
        "showBackup",
        "GET",
        "/v3/{project_id}/backups/{backup_id}",
    ),
    (
        "cbr-v3",
        "showCheckpoint",
        "GET",
        "/v3/{project_id}/checkpoints/{checkpoint_id}",
    ),
    (
        "cbr-v3",
        "showOpLog",
        "GET",
        "/v3/{project_id}/operation-logs/{operation_log_id}",
    ),
    (
        "cbr-v3",
        "showVault",
        "GET",
        "/v3/{project_id}/vaults/{vault_id}",
    ),
    (
        "cbr-v3",
        "updateBackup",
        "PUT",
        "/v3/{project_id}/backups/{backup_id}",
    ),
    (
        "rackspace-backup-v2",
        "getBackup",
        "GET",
        "/v2/{tenant_id}/backups/{backup_id}",
    ),
    (
        "rackspace-backup-v2",
        "getBackupErrors",
        "GET",
        "/v2/{tenant_id}/backups/{backup_id}/errors",
    ),
    (
        "rackspace-backup-v2",
        "listBackupEvents",
        "GET",
        "/v2/{tenant_id}/backups/{backup_id}/events",
    ),
    (
        "rackspace-backup-v2",
        "listBackups",
        "GET",
        "/v2/{tenant_id}/backups",
    ),
    (
        "rackspace-backup-v2",
        "startBackup",
        "POST",
        "/v2/{tenant_id}/backups",
    ),
    (
        "rackspace-backup-v2",
        "updateBackup",
        "PATCH",
        "/v2/{tenant_id}/backups/{backup_id}",
    ),
    ("vbs-v2", "createBackup", "POST", "/v2/{project_id}/backups"),
    (
        "vbs-v2",
        "deleteBackup",
        "DELETE",
        "/v2/{project_id}/backups/{backup_id}",
    ),
    ("vbs-v2", "listBackups", "GET", "/v2/{project_id}/backups"),
    (
        "vbs-v2",
        "listBackupsDetail",
        "GET",
        "/v2/{project_id}/backups/detail",
    ),
    (
        "vbs-v2",
        "restoreBackup",
        "POST",
        "/v2/{project_id}/backups/{backup_id}/restore",
    ),
    (
        "vbs-v2",
        "showBackup",
        "GET",
        "/v2/{project_id}/backups/{backup_id}",
    ),
    ("vbs-v3", "createBackup", "POST", "/v3/{project_id}/backups"),
    (
        "vbs-v3",
        "deleteBackup",
        "DELETE",
        "/v3/{project_id}/backups/{backup_id}",
    ),
    ("vbs-v3", "listBackups", "GET", "/v3/{project_id}/backups"),
    (
        "vbs-v3",
        "listBackupsDetail",
        "GET",
        "/v3/{project_id}/backups/detail",
    ),
    (
        "vbs-v3",
        "restoreBackup",
        "POST",
        "/v3/{project_id}/backups/{backup_id}/restore",
    ),
    (
        "vbs-v3",
        "showBackup",
        "GET",
        "/v3/{project_id}/backups/{backup_id}",
    ),
    (
        "vbs-v3",
        "updateBackup",
        "PUT",
        "/v3/{project_id}/backups/{backup_id}",
    ),
];

#[test]
fn table_lists_every_operation_with_its_bodies() {
    let run = backupctl(&["operations"], b"", None);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["API", "OPERATION", "METHOD", "PATH", "STATUS", "BODY"]
    );
    for (api, id, method, path) in ALL {
        assert!(
            rows.iter()
                .any(|row| row[..4] == [api, id, method, path] && row[4].starts_with('2')),
            "{api} {id} missing from\n{}",
            run.stdout
        );
    }
    let has = |row: [&str; 6]| rows.iter().any(|r| r[..] == row[..]);
    assert!(has([
        "rackspace-backup-v2",
        "startBackup",
        "POST",
        "/v2/{tenant_id}/backups",
        "request",
        "StartBackupRequest"
    ]));
    assert!(has([
        "cbr-v3",
        "showBackup",
        "GET",
        "/v3/{project_id}/backups/{backup_id}",
        "200",
        "ShowBackupResponse"
    ]));
    assert!(has([
        "vbs-v2",
        "listBackupsDetail",
        "GET",
        "/v2/{project_id}/backups/detail",
        "404",
        "CinderFault"
    ]));
    // A bodiless success.
    assert!(has([
        "cbr-v3",
        "deleteBackup",
        "DELETE",
        "/v3/{project_id}/backups/{backup_id}",
        "204",
        "-"
    ]));
}

#[test]
fn json_lists_every_operation() {
    let run = backupctl(&["operations", "--json"], b"", None);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("JSON array");
    let got: Vec<(&str, &str, &str, &str)> = listed
        .iter()
        .map(|op| {
            let field = |name: &str| op[name].as_str().expect("string field");
            (
                field("api"),
                field("operation"),
                field("method"),
                field("path"),
            )
        })
        .collect();
    assert_eq!(got, ALL);
    let start = listed
        .iter()
        .find(|op| op["api"] == "rackspace-backup-v2" && op["operation"] == "startBackup")
        .expect("startBackup is listed");
    assert_eq!(start["request"], "StartBackupRequest");
    assert_eq!(start["responses"][0]["status"], 201);
    assert_eq!(start["responses"][0]["body"], "Backup");
    assert!(
        start["responses"][0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Created"))
    );
}
