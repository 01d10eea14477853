//! `backupctl call --wait` against loopback servers whose resources change state between
//! readings (each reading gets the next answer of a script, a 503 in the middle): every
//! operation that starts work, the exit statuses 0, 6 and 7, the final body on stdout, one
//! stderr line per state, and `--wait` refused (exit 1, no request) where nothing starts.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{Run, backupctl, example};

const TOKEN: &str = "tok-wait-9f3c-not-for-your-eyes";
const FAST: [&str; 4] = ["--poll-interval", "20ms", "--wait-timeout", "20s"];

/// Answers in turn (the last repeats); a `None` body is a 404, status 503 says Retry-After 0.
struct Script(Mutex<VecDeque<(u16, Option<Value>)>>);

impl Script {
    fn new(answers: Vec<(u16, Option<Value>)>) -> Self {
        Self(Mutex::new(answers.into()))
    }
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut answers = self.0.lock().unwrap();
        let (status, body) = if answers.len() > 1 {
            answers.pop_front().unwrap()
        } else {
            answers.front().cloned().unwrap()
        };
        let template = ResponseTemplate::new(status);
        match (status, body) {
            (503, _) => template.insert_header("Retry-After", "0"),
            (_, Some(body)) => template.set_body_json(body),
            (_, None) => template.set_body_json(
                json!({"itemNotFound": {"code": 404, "message": "Backup could not be found."}}),
            ),
        }
    }
}

/// The documented example of `api` `operation` for `status`, with `edit` applied.
fn body(api: &str, operation: &str, status: u16, edit: impl FnOnce(&mut Value)) -> Value {
    let mut value = example(api, operation, Some(status)).json();
    edit(&mut value);
    value
}

/// `showBackup` of VBS (`api`) in `state`, with `fail_reason`.
fn vbs_backup(api: &str, state: &str, reason: Option<&str>) -> Option<Value> {
    Some(body(api, "showBackup", 200, |b| {
        b["backup"]["status"] = json!(state);
        b["backup"]["fail_reason"] = json!(reason);
    }))
}

async fn mount(server: &MockServer, verb: &str, route: &str, answers: Vec<(u16, Option<Value>)>) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(Script::new(answers))
        .mount(server)
        .await;
}

/// Runs `call --api API --operation OP --endpoint SERVER` with `extra`, the token set.
async fn call(server: &MockServer, api: &str, op: &str, extra: &[&str], stdin: &[u8]) -> Run {
    let mut args: Vec<String> = ["call", "--api", api, "--operation", op, "--endpoint"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    args.push(server.uri());
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let stdin = stdin.to_vec();
    let run = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        backupctl(&args, &stdin, Some(TOKEN))
    })
    .await
    .unwrap();
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{run:?}"
    );
    run
}

/// The stderr lines without their elapsed times: `backupctl: backup b1: creating`.
fn states(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .map(|line| {
            line.rsplit_once(" (")
                .map_or(line, |(head, _)| head)
                .to_owned()
        })
        .collect()
}

fn with<'a>(flags: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--wait"];
    all.extend(FAST);
    all.extend(flags);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vbs_create_waits_through_a_503_to_available_and_prints_the_backup() {
    let server = MockServer::start().await;
    let created = body("vbs-v2", "createBackup", 202, |_| {});
    let id = created["backup"]["id"].as_str().unwrap().to_owned();
    mount(
        &server,
        "POST",
        "/v2/p1/backups",
        vec![(202, Some(created))],
    )
    .await;
    let show = format!("/v2/p1/backups/{id}");
    let answers = vec![
        (200, vbs_backup("vbs-v2", "creating", None)),
        (503, None),
        (200, vbs_backup("vbs-v2", "creating", None)),
        (200, vbs_backup("vbs-v2", "available", None)),
    ];
    mount(&server, "GET", &show, answers).await;
    let request = r#"{"backup": {"volume_id": "v1", "name": "n"}}"#;
    let run = call(
        &server,
        "vbs-v2",
        "createBackup",
        &with(&["--param", "project_id=p1", "--body", "-"]),
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let printed: Value = serde_json::from_str(&run.stdout).expect("the final backup");
    assert_eq!(printed, vbs_backup("vbs-v2", "available", None).unwrap());
    assert_eq!(
        states(&run),
        [
            format!("backupctl: backup {id}: creating"),
            format!("backupctl: backup {id}: available")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_backup_exits_6_with_the_reason_and_a_deadline_exits_7() {
    let server = MockServer::start().await;
    let created = body("vbs-v3", "createBackup", 202, |_| {});
    let id = created["backup"]["id"].as_str().unwrap().to_owned();
    mount(
        &server,
        "POST",
        "/v3/p1/backups",
        vec![(202, Some(created))],
    )
    .await;
    let show = format!("/v3/p1/backups/{id}");
    let answers = vec![
        (200, vbs_backup("vbs-v3", "creating", None)),
        (
            200,
            vbs_backup("vbs-v3", "error", Some("Connection to swift failed")),
        ),
    ];
    mount(&server, "GET", &show, answers).await;
    let request = r#"{"backup": {"volume_id": "v1"}}"#;
    let flags = with(&["--param", "project_id=p1", "--body", "-"]);
    let run = call(
        &server,
        "vbs-v3",
        "createBackup",
        &flags,
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 6, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains(&format!(
            "backup {id} ended in state error: Connection to swift failed"
        )),
        "{}",
        run.stderr
    );

    let server = MockServer::start().await;
    let created = body("vbs-v3", "createBackup", 202, |_| {});
    mount(
        &server,
        "POST",
        "/v3/p1/backups",
        vec![(202, Some(created))],
    )
    .await;
    mount(
        &server,
        "GET",
        &show,
        vec![(200, vbs_backup("vbs-v3", "creating", None))],
    )
    .await;
    let flags = [
        "--wait",
        "--poll-interval",
        "50ms",
        "--wait-timeout",
        "400ms",
        "--param",
        "project_id=p1",
        "--body",
        "-",
    ];
    let run = call(
        &server,
        "vbs-v3",
        "createBackup",
        &flags,
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 7, "{run:?}");
    assert!(
        run.stderr
            .contains("(--wait-timeout); last state: creating"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restores_and_deletions() {
    let server = MockServer::start().await;
    let restore = body("vbs-v2", "restoreBackup", 202, |_| {});
    let id = restore["restore"]["backup_id"].as_str().unwrap().to_owned();
    let volume = restore["restore"]["volume_id"].as_str().unwrap().to_owned();
    mount(
        &server,
        "POST",
        &format!("/v2/p1/backups/{id}/restore"),
        vec![(202, Some(restore))],
    )
    .await;
    let show = format!("/v2/p1/backups/{id}");
    let answers = vec![
        (200, vbs_backup("vbs-v2", "restoring", None)),
        (200, vbs_backup("vbs-v2", "available", None)),
    ];
    mount(&server, "GET", &show, answers).await;
    let backup_param = format!("backup_id={id}");
    let flags = with(&[
        "--param",
        "project_id=p1",
        "--param",
        &backup_param,
        "--body",
        "-",
    ]);
    let request = br#"{"restore": {"volume_id": "v9"}}"#;
    let run = call(&server, "vbs-v2", "restoreBackup", &flags, request).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "whether the restore worked shows on volume {volume}"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["backup"]["status"],
        "available"
    );

    // A deletion: deleting, then 404; nothing on stdout.
    let server = MockServer::start().await;
    mount(&server, "DELETE", &show, vec![(202, Some(json!({})))]).await;
    mount(
        &server,
        "GET",
        &show,
        vec![(200, vbs_backup("vbs-v2", "deleting", None)), (404, None)],
    )
    .await;
    let flags = with(&["--param", "project_id=p1", "--param", &backup_param]);
    let run = call(&server, "vbs-v2", "deleteBackup", &flags, b"").await;
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
    assert_eq!(
        states(&run),
        [
            format!("backupctl: backup {id}: deleting"),
            format!("backupctl: backup {id}: gone")
        ]
    );

    // error_deleting fails it.
    let server = MockServer::start().await;
    mount(&server, "DELETE", &show, vec![(202, Some(json!({})))]).await;
    mount(
        &server,
        "GET",
        &show,
        vec![(200, vbs_backup("vbs-v2", "error_deleting", None))],
    )
    .await;
    let run = call(&server, "vbs-v2", "deleteBackup", &flags, b"").await;
    assert_eq!(run.code, 6, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rackspace_start_and_stop() {
    let server = MockServer::start().await;
    let state = |state: &str| {
        Some(body("rackspace-backup-v2", "getBackup", 200, |b| {
            b["state"] = json!(state)
        }))
    };
    let started = body("rackspace-backup-v2", "startBackup", 201, |b| {
        b["state"] = json!("queued")
    });
    let id = started["id"].as_str().unwrap().to_owned();
    mount(
        &server,
        "POST",
        "/v2/t1/backups",
        vec![(201, Some(started))],
    )
    .await;
    let get = format!("/v2/t1/backups/{id}");
    let answers = vec![
        (200, state("queued")),
        (200, state("in_progress")),
        (200, state("completed_with_errors")),
    ];
    mount(&server, "GET", &get, answers).await;
    let request = example("rackspace-backup-v2", "startBackup", None).text();
    let run = call(
        &server,
        "rackspace-backup-v2",
        "startBackup",
        &with(&["--param", "tenant_id=t1", "--body", "-"]),
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "warning: backup {id} ended as completed_with_errors"
        )),
        "{}",
        run.stderr
    );

    // The stop preset waits for any finished state; another patch may not wait.
    let server = MockServer::start().await;
    mount(&server, "PATCH", &get, vec![(204, None)]).await;
    mount(
        &server,
        "GET",
        &get,
        vec![(200, state("stop_requested")), (200, state("stopped"))],
    )
    .await;
    let backup_param = format!("backup_id={id}");
    let flags = with(&[
        "--param",
        "tenant_id=t1",
        "--param",
        &backup_param,
        "--body",
        "-",
    ]);
    let stop = br#"[{"op": "replace", "path": "/state", "value": "stop_requested"}]"#;
    let run = call(&server, "rackspace-backup-v2", "updateBackup", &flags, stop).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["state"],
        "stopped"
    );
    let other = br#"[{"op": "replace", "path": "/state", "value": "queued"}]"#;
    let run = call(
        &server,
        "rackspace-backup-v2",
        "updateBackup",
        &flags,
        other,
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("needs the stop preset"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbr_checkpoint_then_its_backups() {
    let server = MockServer::start().await;
    let checkpoint = |state: &str| {
        Some(body("cbr-v3", "createCheckpoint", 200, |b| {
            b["checkpoint"]["status"] = json!(state)
        }))
    };
    let made = checkpoint("protecting").unwrap();
    let id = made["checkpoint"]["id"].as_str().unwrap().to_owned();
    mount(
        &server,
        "POST",
        "/v3/p1/checkpoints",
        vec![(200, Some(made))],
    )
    .await;
    mount(
        &server,
        "GET",
        &format!("/v3/p1/checkpoints/{id}"),
        vec![
            (200, checkpoint("protecting")),
            (200, checkpoint("available")),
        ],
    )
    .await;
    let listed = body("cbr-v3", "listBackups", 200, |b| {
        let first = b["backups"][0].clone();
        b["backups"] = json!([first]);
        b["count"] = json!(1);
    });
    let backup_id = listed["backups"][0]["id"].as_str().unwrap().to_owned();
    Mock::given(method("GET"))
        .and(path("/v3/p1/backups"))
        .and(query_param("checkpoint_id", id.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(listed))
        .mount(&server)
        .await;
    let backup = |state: &str| {
        Some(body("cbr-v3", "showBackup", 200, |b| {
            b["backup"]["status"] = json!(state)
        }))
    };
    mount(
        &server,
        "GET",
        &format!("/v3/p1/backups/{backup_id}"),
        vec![(200, backup("protecting")), (200, backup("available"))],
    )
    .await;
    let request = example("cbr-v3", "createCheckpoint", None).text();
    let run = call(
        &server,
        "cbr-v3",
        "createCheckpoint",
        &with(&["--param", "project_id=p1", "--body", "-"]),
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        serde_json::from_str::<Value>(&run.stdout).unwrap()["checkpoint"]["status"],
        "available"
    );
    assert_eq!(
        states(&run),
        [
            format!("backupctl: checkpoint {id}: protecting"),
            format!("backupctl: checkpoint {id}: available"),
            format!("backupctl: backup {backup_id}: protecting"),
            format!("backupctl: backup {backup_id}: available"),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_on_an_operation_that_starts_nothing_is_refused_before_any_request() {
    let server = MockServer::start().await;
    let run = call(
        &server,
        "vbs-v2",
        "showBackup",
        &with(&["--param", "project_id=p1", "--param", "backup_id=b1"]),
        b"",
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("starts no work to wait for"),
        "{}",
        run.stderr
    );
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    let run = call(
        &server,
        "vbs-v2",
        "showBackup",
        &["--wait-timeout", "1m"],
        b"",
    )
    .await;
    assert_eq!(run.code, 1, "--wait-timeout needs --wait: {run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbr_restore_is_followed_through_its_operation_log() {
    let log = |state: &str, message: &str| {
        body("cbr-v3", "showOpLog", 200, |b| {
            b["operation_log"]["status"] = json!(state);
            b["operation_log"]["error_info"]["message"] = json!(message);
            b["operation_log"]["started_at"] = json!(jiff::Timestamp::now().to_string());
        })
    };
    let backup = body("cbr-v3", "showBackup", 200, |_| {});
    let backup_id = backup["backup"]["id"].as_str().unwrap().to_owned();
    let task = log("running", "")["operation_log"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let restore_route = format!("/v3/p1/backups/{backup_id}/restore");
    let backup_param = format!("backup_id={backup_id}");
    let flags = with(&[
        "--param",
        "project_id=p1",
        "--param",
        &backup_param,
        "--body",
        "-",
    ]);
    let request = example("cbr-v3", "restoreBackup", None).text();

    // 1. The answer names the task (Huawei Cloud): showOpLog until success; stdout the backup.
    let server = MockServer::start().await;
    mount(
        &server,
        "POST",
        &restore_route,
        vec![(202, Some(json!({"job_id": task})))],
    )
    .await;
    let answers = vec![
        (200, Some(log("running", ""))),
        (503, None),
        (200, Some(log("success", ""))),
    ];
    mount(
        &server,
        "GET",
        &format!("/v3/p1/operation-logs/{task}"),
        answers,
    )
    .await;
    mount(
        &server,
        "GET",
        &format!("/v3/p1/backups/{backup_id}"),
        vec![(200, Some(backup.clone()))],
    )
    .await;
    let run = call(
        &server,
        "cbr-v3",
        "restoreBackup",
        &flags,
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), backup);
    assert_eq!(
        states(&run),
        [
            format!("backupctl: restore of backup {backup_id}: running"),
            format!("backupctl: restore of backup {backup_id}: success"),
        ]
    );

    // 2. No body (as the references document it): the task is found in listOpLogs; it fails.
    let server = MockServer::start().await;
    mount(&server, "POST", &restore_route, vec![(202, None)]).await;
    let mut older = log("failed", "an older restore")["operation_log"].clone();
    older["id"] = json!("old-task");
    older["started_at"] = json!("2020-01-01T00:00:00.000+00:00");
    let listed = |logs: Vec<Value>| {
        let count = logs.len();
        Some(json!({"operation_logs": logs, "count": count}))
    };
    let answers = vec![
        (200, listed(vec![older.clone()])),
        (
            200,
            listed(vec![log("running", "")["operation_log"].clone(), older]),
        ),
    ];
    Mock::given(method("GET"))
        .and(path("/v3/p1/operation-logs"))
        .and(query_param("operation_type", "restore"))
        .respond_with(Script::new(answers))
        .mount(&server)
        .await;
    let failed = log("failed", "The target server is stopped.");
    mount(
        &server,
        "GET",
        &format!("/v3/p1/operation-logs/{task}"),
        vec![(200, Some(failed))],
    )
    .await;
    let run = call(
        &server,
        "cbr-v3",
        "restoreBackup",
        &flags,
        request.as_bytes(),
    )
    .await;
    assert_eq!(run.code, 6, "{run:?}");
    assert_eq!(
        states(&run)[..2],
        [
            format!("backupctl: restore of backup {backup_id}: no operation log yet"),
            format!("backupctl: restore of backup {backup_id}: running"),
        ]
    );
    assert!(
        run.stderr
            .contains("ended in state failed: The target server is stopped."),
        "{}",
        run.stderr
    );
}
