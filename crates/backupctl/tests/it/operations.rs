//! `backupctl operations`.

use crate::backupctl;

const ALL: [(&str, &str, &str, &str); 5] = [
    (
        "cbr-v3",
        "showBackup",
        "GET",
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
        "startBackup",
        "POST",
        "/v2/{tenant_id}/backups",
    ),
    (
        "vbs-v2",
        "listBackupsDetail",
        "GET",
        "/v2/{project_id}/backups/detail",
    ),
    (
        "vbs-v3",
        "showBackup",
        "GET",
        "/v3/{project_id}/backups/{backup_id}",
    ),
];

#[test]
fn table_lists_all_five_operations_with_their_bodies() {
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
        "-"
    ]));
}

#[test]
fn json_lists_all_five_operations() {
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
    let start = &listed[2];
    assert_eq!(start["request"], "StartBackupRequest");
    assert_eq!(start["responses"][0]["status"], 201);
    assert_eq!(start["responses"][0]["body"], "Backup");
    assert!(
        start["responses"][0]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Created"))
    );
}
