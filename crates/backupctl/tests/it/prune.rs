//! `backupctl prune` against a loopback VBS v3: a daily chain (full every fourth day, the rest
//! incremental), failures, a backup being made; the plan alone (no DELETE sent), then
//! `--delete`: deletions newest first, a parent only after its dependents are gone and the
//! service says so, nothing kept ever receiving a DELETE; a failing DELETE stopping its account
//! only; the usage errors.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::example;
use crate::status::{Scratch, TOKEN, TOKEN_ENV};

/// One VBS v3 backup of `vol-1` on day `day` of December at 03:00.
fn backup(id: &str, day: u32, status: &str, incremental: bool, dependents: bool) -> Value {
    let mut backup = example("vbs-v3", "listBackupsDetail", Some(200)).json()["backups"][0].clone();
    backup["id"] = json!(id);
    backup["volume_id"] = json!("vol-1");
    backup["status"] = json!(status);
    backup["created_at"] = json!(format!("2026-11-{day:02}T03:00:00.000000"));
    backup["is_incremental"] = json!(incremental);
    backup["has_dependent_backups"] = json!(dependents);
    backup
}

/// Days 1..=10: full on 1, 5, 9; the rest incremental; day 7 failed; day 10 being made.
fn chain() -> Vec<Value> {
    let mut backups = Vec::new();
    for day in 1..=9 {
        let full = matches!(day, 1 | 5 | 9);
        let status = if day == 7 { "error" } else { "available" };
        // What the service says: an available backup with a later incremental on it.
        let dependents = !matches!(day, 4 | 7 | 8 | 9) && status == "available";
        backups.push(backup(
            &format!("d{day:02}"),
            day,
            status,
            !full,
            dependents,
        ));
    }
    backups.push(backup("d10", 10, "creating", true, false));
    backups
}

/// The backups the server still has: the listing and `showBackup` read it; DELETE removes.
#[derive(Clone)]
struct Store {
    backups: Arc<Mutex<Vec<Value>>>,
    deleted: Arc<Mutex<Vec<String>>>,
    fail_delete: Option<&'static str>,
}

impl Respond for Store {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        let id = path.rsplit('/').next().unwrap_or_default().to_owned();
        let mut backups = self.backups.lock().unwrap();
        match request.method.as_str() {
            "GET" if path.ends_with("/backups/detail") => {
                ResponseTemplate::new(200).set_body_json(json!({ "backups": *backups }))
            }
            "GET" => match backups.iter().find(|b| b["id"] == id.as_str()) {
                Some(found) => {
                    // has_dependent_backups as the service would say now.
                    let mut found = found.clone();
                    let day = found["created_at"].as_str().unwrap()[8..10]
                        .parse::<u32>()
                        .unwrap();
                    let needed = backups.iter().any(|b| {
                        b["is_incremental"] == true
                            && b["created_at"].as_str().unwrap()[8..10]
                                .parse::<u32>()
                                .unwrap()
                                == day + 1
                    });
                    found["has_dependent_backups"] = json!(needed);
                    ResponseTemplate::new(200).set_body_json(json!({ "backup": found }))
                }
                None => ResponseTemplate::new(404).set_body_json(
                    json!({"itemNotFound": {"code": 404, "message": "Backup could not be found."}}),
                ),
            },
            "DELETE" if self.fail_delete == Some(id.as_str()) => ResponseTemplate::new(500)
                .set_body_json(json!({"computeFault": {"code": 500, "message": "backend down"}})),
            "DELETE" => {
                self.deleted.lock().unwrap().push(id.clone());
                backups.retain(|b| b["id"] != id.as_str());
                ResponseTemplate::new(202)
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

async fn server(store: &Store, project: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path_regex(format!("^/v3/{project}/backups")))
        .respond_with(store.clone())
        .mount(&server)
        .await;
    server
}

fn store(fail_delete: Option<&'static str>) -> Store {
    Store {
        backups: Arc::new(Mutex::new(chain())),
        deleted: Arc::new(Mutex::new(Vec::new())),
        fail_delete,
    }
}

fn account(name: &str, api: &str, endpoint: &str, project: &str) -> String {
    format!(
        "[[account]]\nname = \"{name}\"\napi = \"{api}\"\nendpoint = \"{endpoint}\"\n\
         project_id = \"{project}\"\ntoken_env = \"{TOKEN_ENV}\"\n\n"
    )
}

async fn prune(dir: &std::path::Path, args: &[&str]) -> crate::Run {
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_backupctl"))
            .arg("prune")
            .args(&args)
            .current_dir(&dir)
            .env(TOKEN_ENV, TOKEN)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("runs");
        crate::Run {
            code: output.status.code().expect("exited"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    })
    .await
    .unwrap()
}

fn ids(entries: &Value) -> Vec<&str> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_keeps_chains_whole_and_deletes_nothing_without_delete() {
    let store = store(None);
    let server = server(&store, "p1").await;
    let scratch = Scratch::new("prune-plan");
    scratch.write(
        "backupctl.toml",
        &[
            account("prod", "vbs-v3", &server.uri(), "p1"),
            account("rs", "rackspace-backup-v2", &server.uri(), "t1"),
        ]
        .concat(),
    );
    let run = prune(&scratch.0, &["--keep-last", "2", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let resource = &json["resources"][0];
    assert_eq!(resource["resource_id"], "vol-1");
    // d10 being made (needs d09? no: d09 is a full backup, d10 incremental on it); d09 newest
    // good; d08 the second of --keep-last 2, incremental on d06 (d07 failed), on d05 (full).
    assert_eq!(ids(&resource["keep"]), ["d10", "d09", "d08", "d06", "d05"]);
    assert_eq!(resource["keep"][0]["reasons"], json!(["not finished"]));
    assert_eq!(
        resource["keep"][1]["reasons"],
        json!(["newest good backup", "has dependents", "keep-last"])
    );
    assert_eq!(resource["keep"][3]["reasons"], json!(["has dependents"]));
    assert_eq!(
        ids(&resource["delete"]),
        ["d07", "d04", "d03", "d02", "d01"]
    );
    assert!(resource["delete"][0].get("deleted").is_none());
    let rs = &json["accounts"][1];
    assert_eq!(
        (rs["name"].as_str(), rs["ok"].as_bool()),
        (Some("rs"), Some(false))
    );
    assert!(
        rs["skipped"]
            .as_str()
            .unwrap()
            .contains("no backup deletion"),
        "{rs}"
    );
    assert!(
        run.stderr
            .contains("account rs (rackspace-backup-v2): skipped"),
        "{}",
        run.stderr
    );
    assert!(store.deleted.lock().unwrap().is_empty());
    let received = server.received_requests().await.unwrap_or_default();
    assert!(
        received.iter().all(|r| r.method.as_str() == "GET"),
        "only reading"
    );

    // The table says the same.
    let run = prune(&scratch.0, &["--keep-last", "2", "--account", "prod"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let d08 = run.stdout.lines().find(|l| l.contains(" d08 ")).unwrap();
    assert!(d08.contains("keep") && d08.contains("keep-last"), "{d08}");
    let d01 = run.stdout.lines().find(|l| l.contains(" d01 ")).unwrap();
    assert!(d01.trim_end().ends_with("delete"), "{d01}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_goes_newest_first_and_never_touches_what_is_kept() {
    let store = store(None);
    let server = server(&store, "p1").await;
    let scratch = Scratch::new("prune-delete");
    scratch.write(
        "backupctl.toml",
        &account("prod", "vbs-v3", &server.uri(), "p1"),
    );
    let flags = [
        "--keep-last",
        "2",
        "--delete",
        "--poll-interval",
        "20ms",
        "-o",
        "json",
    ];
    let run = prune(&scratch.0, &flags).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        *store.deleted.lock().unwrap(),
        ["d07", "d04", "d03", "d02", "d01"]
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    for entry in json["resources"][0]["delete"].as_array().unwrap() {
        assert_eq!(
            (entry["deleted"].as_bool(), &entry["error"]),
            (Some(true), &Value::Null),
            "{entry}"
        );
    }
    // Before each parent's DELETE, its dependent was read gone (404) and the parent re-read.
    let received = server.received_requests().await.unwrap_or_default();
    let log: Vec<String> = received
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path().rsplit('/').next().unwrap()))
        .collect();
    let at = |line: &str| {
        log.iter()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("{line} in {log:?}"))
    };
    for (child, parent) in [("d04", "d03"), ("d03", "d02"), ("d02", "d01")] {
        assert!(at(&format!("DELETE {child}")) < at(&format!("DELETE {parent}")));
        let gone = log
            .iter()
            .rposition(|l| *l == format!("GET {child}"))
            .unwrap();
        assert!(gone < at(&format!("DELETE {parent}")), "{log:?}");
    }
    for kept in ["d10", "d09", "d08", "d06", "d05"] {
        assert!(!log.contains(&format!("DELETE {kept}")), "{log:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deletion_stops_its_account_only() {
    let failing = store(Some("d03"));
    let fine = store(None);
    let bad = server(&failing, "p1").await;
    let good = server(&fine, "p2").await;
    let scratch = Scratch::new("prune-fail");
    scratch.write(
        "backupctl.toml",
        &[
            account("bad", "vbs-v3", &bad.uri(), "p1"),
            account("good", "vbs-v3", &good.uri(), "p2"),
        ]
        .concat(),
    );
    let run = prune(
        &scratch.0,
        &[
            "--keep-last",
            "2",
            "--delete",
            "--wait",
            "--poll-interval",
            "20ms",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(*failing.deleted.lock().unwrap(), ["d07", "d04"]);
    assert_eq!(fine.deleted.lock().unwrap().len(), 5);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let bad_plan = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == "bad")
        .unwrap();
    let d03 = bad_plan["delete"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "d03")
        .unwrap();
    assert_eq!(d03["deleted"], false);
    assert!(d03["error"].as_str().unwrap().contains("500"), "{d03}");
    let d02 = bad_plan["delete"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "d02")
        .unwrap();
    assert!(
        d02["error"].as_str().unwrap().starts_with("not attempted"),
        "{d02}"
    );
    assert!(
        run.stderr
            .contains("account bad (vbs-v3): deleting backup d03 failed"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_1_before_any_request() {
    let store = store(None);
    let server = server(&store, "p1").await;
    let scratch = Scratch::new("prune-usage");
    scratch.write(
        "backupctl.toml",
        &account("prod", "vbs-v3", &server.uri(), "p1"),
    );
    let run = prune(&scratch.0, &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no rule"), "{}", run.stderr);
    let run = prune(&scratch.0, &["--keep-daily", "7", "--account", "nope"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("--account nope"), "{}", run.stderr);
    let run = prune(&scratch.0, &["--keep-daily", "7", "--wait"]).await;
    assert_eq!(run.code, 1, "--wait needs --delete: {run:?}");
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
    let _ = (method("GET"), path("/"));
}
