//! `backupctl status` and `backupctl check` against loopback servers: paged lists, every raw
//! state, the three timestamp styles, one account refusing connections, one answering 401.
//!
//! Each API serves its backups through a [`Fixture`]; `vbs-v2` is served now. The list
//! operations of `rackspace-backup-v2`, `vbs-v3` and `cbr-v3` are not in this build's specs:
//! [`other_apis_are_reported_not_readable_yet`] pins that, and once they land each gets a
//! `mount_*` function beside [`mount_vbs_v2`] and accounts in [`config_for`].

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::{Timestamp, tz};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::Run;

const TOKEN: &str = "tok-4f1e-very-secret";
const TOKEN_ENV: &str = "BACKUPCTL_IT_TOKEN";

/// Runs backupctl in `dir` with the token in [`TOKEN_ENV`], off the async runtime.
async fn backupctl_in(dir: &Path, args: &[&str]) -> Run {
    backupctl_env(dir, args, &[]).await
}

/// [`backupctl_in`] with more environment variables; no proxy unless `env` sets one.
async fn backupctl_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|&a| a.to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_backupctl"));
        for name in [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            command.env_remove(name);
        }
        let output = command
            .args(&args)
            .current_dir(&dir)
            .env(TOKEN_ENV, TOKEN)
            .envs(env)
            .output()
            .expect("the binary runs");
        let run = Run {
            code: output.status.code().expect("exited"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8"),
        };
        assert!(
            !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
            "the token leaked: {run:?}"
        );
        run
    })
    .await
    .expect("the runner does not panic")
}

/// A scratch folder removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("backupctl-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The three timestamp styles the APIs send.
#[derive(Clone, Copy)]
enum Style {
    /// `2026-12-01T17:00:00.123456` (naive, read as UTC).
    Naive,
    /// `2026-12-01T17:00:00Z`.
    Zulu,
    /// `2026-12-02T01:00:00+08:00`.
    Offset,
}

/// `hours` ago (whole seconds), written in `style`.
fn ago(now: Timestamp, hours: i64, style: Style) -> String {
    let at = Timestamp::from_second(now.as_second() - hours * 3600).expect("in range");
    match style {
        Style::Naive => at
            .to_zoned(tz::TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%S.000000")
            .to_string(),
        Style::Zulu => at.to_string(),
        Style::Offset => at
            .to_zoned(tz::TimeZone::fixed(tz::offset(8)))
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    }
}

/// One VBS v2 backup as `listBackupsDetail` lists it.
fn vbs_backup(id: &str, volume: &str, status: &str, created_at: &str) -> Value {
    json!({
        "id": id, "name": format!("bk-{id}"), "status": status, "volume_id": volume,
        "size": 10, "created_at": created_at, "links": [], "fail_reason": "",
        "container": "c", "description": null, "availability_zone": "az-1",
        "object_count": 3
    })
}

/// Every VBS raw status, the three time styles, and one status the mapping does not know.
/// Returns the backups and, per volume, the verdict at 25h/49h.
fn vbs_backups(now: Timestamp) -> Vec<Value> {
    use Style::{Naive, Offset, Zulu};
    vec![
        // vol-ok: newest is a good backup 3h old -> OK.
        vbs_backup("b01", "vol-ok", "available", &ago(now, 3, Naive)),
        vbs_backup("b02", "vol-ok", "error", &ago(now, 30, Zulu)),
        // vol-stale: last success 30h ago -> WARNING at 25h.
        vbs_backup("b03", "vol-stale", "restoring", &ago(now, 30, Zulu)),
        // vol-failed: newest failed -> CRITICAL.
        vbs_backup("b04", "vol-failed", "error", &ago(now, 1, Offset)),
        vbs_backup("b05", "vol-failed", "available", &ago(now, 5, Offset)),
        // vol-old: creating now, last success 60h ago -> CRITICAL at 49h.
        vbs_backup("b06", "vol-old", "creating", &ago(now, 1, Naive)),
        vbs_backup("b07", "vol-old", "available", &ago(now, 60, Naive)),
        // vol-deleting: the newer deleting ones do not count -> OK.
        vbs_backup("b08", "vol-deleting", "deleting", &ago(now, 1, Zulu)),
        vbs_backup("b09", "vol-deleting", "error_deleting", &ago(now, 1, Zulu)),
        vbs_backup("b10", "vol-deleting", "available", &ago(now, 2, Zulu)),
        // vol-gone: only a deleted backup -> no good backup, CRITICAL.
        vbs_backup("b11", "vol-gone", "deleted", &ago(now, 1, Naive)),
        // vol-odd: a status nobody documents -> `unknown`, raw kept; last success 4h -> OK.
        vbs_backup("b12", "vol-odd", "frozen", &ago(now, 1, Offset)),
        vbs_backup("b13", "vol-odd", "available", &ago(now, 4, Offset)),
    ]
}

/// Serves `backups` for `project` as `listBackupsDetail` in pages of `per_page`, linked by
/// `marker` (the id of the last backup of the previous page), checking the token.
async fn mount_vbs_v2(server: &MockServer, project: &str, backups: &[Value], per_page: usize) {
    let route = format!("/v2/{project}/backups/detail");
    let pages: Vec<&[Value]> = backups.chunks(per_page.max(1)).collect();
    for (index, page) in pages.iter().enumerate() {
        let mut body = json!({ "backups": page });
        if index + 1 < pages.len() {
            let marker = page.last().expect("a page is not empty")["id"]
                .as_str()
                .unwrap();
            body["backups_links"] = json!([{
                "href": format!("{}{route}?limit={per_page}&marker={marker}", server.uri()),
                "rel": "next"
            }]);
        }
        let mock = Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(header("x-auth-token", TOKEN));
        let mock = match index {
            0 => mock.and(query_param_is_missing("marker")),
            _ => {
                let marker = pages[index - 1].last().unwrap()["id"].as_str().unwrap();
                mock.and(query_param("marker", marker))
            }
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
}

/// An `[[account]]` table.
fn account(name: &str, api: &str, endpoint: &str, project: &str, extra: &str) -> String {
    format!(
        "[[account]]\nname = \"{name}\"\napi = \"{api}\"\nendpoint = \"{endpoint}\"\n\
         project_id = \"{project}\"\ntoken_env = \"{TOKEN_ENV}\"\n{extra}\n"
    )
}

/// A loopback port nothing listens on.
fn refused_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// The full scene: `vbs` (paged, every state), `down` (refused), `denied` (401).
async fn scene(now: Timestamp) -> (MockServer, String) {
    let server = MockServer::start().await;
    mount_vbs_v2(&server, "p-vbs", &vbs_backups(now), 5).await;
    Mock::given(method("GET"))
        .and(path("/v2/p-denied/backups/detail"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"code": "VBS.0001", "message": "The token is invalid"}
        })))
        .mount(&server)
        .await;
    let config = [
        account("vbs", "vbs-v2", &server.uri(), "p-vbs", ""),
        account("down", "vbs-v2", &refused_endpoint(), "p-down", ""),
        account("denied", "vbs-v2", &server.uri(), "p-denied", ""),
    ]
    .concat();
    (server, config)
}

fn resource<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource_id"] == id)
        .unwrap_or_else(|| panic!("no resource {id} in {json:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_json_has_every_account_resource_and_backup() {
    let now = Timestamp::now();
    let (_server, config) = scene(now).await;
    let scratch = Scratch::new("json");
    scratch.write("backupctl.toml", &config);
    let run = backupctl_in(&scratch.0, &["status", "-o", "json"]).await;
    assert_eq!(run.code, 3, "an account is unreadable: {run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let accounts = json["accounts"].as_array().unwrap();
    assert_eq!(
        accounts[0],
        json!({"name": "vbs", "api": "vbs-v2", "ok": true, "error": null})
    );
    assert_eq!(accounts[1]["ok"], false);
    let refused = accounts[1]["error"].as_str().unwrap();
    assert!(refused.starts_with("connection refused"), "{refused}");
    let denied = accounts[2]["error"].as_str().unwrap();
    assert!(denied.starts_with("HTTP status 401"), "{denied}");
    assert!(
        denied.contains("VBS.0001") && denied.contains("The token is invalid"),
        "{denied}"
    );

    assert_eq!(
        json["backups"].as_array().unwrap().len(),
        13,
        "all three pages"
    );
    let states: Vec<(&str, &str)> = json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["raw_status"].as_str().unwrap(),
                b["state"].as_str().unwrap(),
            )
        })
        .collect();
    for pair in [
        ("available", "ok"),
        ("restoring", "ok"),
        ("creating", "running"),
        ("error", "failed"),
        ("deleting", "deleting"),
        ("error_deleting", "deleting"),
        ("deleted", "deleting"),
        ("frozen", "unknown"),
    ] {
        assert!(states.contains(&pair), "{pair:?} in {states:?}");
    }
    let ok = resource(&json, "vol-ok");
    let three_hours_ago = Timestamp::from_second(now.as_second() - 3 * 3600).unwrap();
    assert_eq!(
        ok["last_success_at"],
        three_hours_ago.to_string(),
        "naive time read as UTC"
    );
    let age = ok["last_success_age_seconds"].as_u64().unwrap();
    assert!((3 * 3600..3 * 3600 + 60).contains(&age), "{age}");
    assert_eq!(ok["newest_backup_id"], "b01");
    assert_eq!(ok["state"], "ok");
    let failed = resource(&json, "vol-failed");
    assert_eq!(
        (&failed["state"], &failed["raw_status"]),
        (&json!("failed"), &json!("error"))
    );
    let five = Timestamp::from_second(now.as_second() - 5 * 3600).unwrap();
    assert_eq!(
        failed["last_success_at"],
        five.to_string(),
        "+08:00 time in UTC"
    );
    let deleting = resource(&json, "vol-deleting");
    assert_eq!(
        (&deleting["state"], &deleting["newest_backup_id"]),
        (&json!("ok"), &json!("b10"))
    );
    let gone = resource(&json, "vol-gone");
    assert_eq!(
        (&gone["state"], &gone["last_success_at"]),
        (&json!("deleting"), &Value::Null)
    );
    let odd = resource(&json, "vol-odd");
    assert_eq!(
        (&odd["state"], &odd["raw_status"]),
        (&json!("unknown"), &json!("frozen"))
    );
    for key in [
        "account",
        "api",
        "resource_id",
        "resource_name",
        "state",
        "last_success_at",
        "last_success_age_seconds",
        "newest_backup_id",
        "raw_status",
    ] {
        assert!(ok.get(key).is_some(), "resources[].{key}");
    }
    let backup = &json["backups"][0];
    for key in [
        "account",
        "api",
        "id",
        "resource_id",
        "state",
        "raw_status",
        "created_at",
    ] {
        assert!(backup.get(key).is_some(), "backups[].{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_table_shows_one_row_per_resource() {
    let now = Timestamp::now();
    let (_server, config) = scene(now).await;
    let scratch = Scratch::new("table");
    let file = scratch.write("accounts.toml", &config);
    let run = backupctl_in(&scratch.0, &["status", "--config", file.to_str().unwrap()]).await;
    assert_eq!(run.code, 3, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 8, "header and 7 resources: {}", run.stdout);
    let header: Vec<&str> = lines[0]
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        [
            "ACCOUNT",
            "API",
            "RESOURCE",
            "STATE",
            "LAST SUCCESS",
            "NEWEST BACKUP",
            "RAW STATUS"
        ]
    );
    let row = lines.iter().find(|l| l.contains("vol-ok")).unwrap();
    assert!(
        row.contains(" ok ")
            && row.contains("(3h ago)")
            && row.contains("b01")
            && row.ends_with("available"),
        "{row}"
    );
    let gone = lines.iter().find(|l| l.contains("vol-gone")).unwrap();
    assert!(gone.contains("never"), "{gone}");
    assert!(
        run.stderr
            .contains("account down (vbs-v2): connection refused"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("account denied (vbs-v2): HTTP status 401"),
        "{}",
        run.stderr
    );
    println!("{}{}", run.stdout, run.stderr);

    let run = backupctl_in(
        &scratch.0,
        &[
            "status",
            "--config",
            file.to_str().unwrap(),
            "--backups",
            "-o",
            "csv",
        ],
    )
    .await;
    let csv: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        csv[0],
        "account,api,id,resource_id,state,raw_status,created_at,finished_at,size_bytes"
    );
    assert_eq!(csv.len(), 14);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_verdicts_and_exit_codes_at_chosen_thresholds() {
    let now = Timestamp::now();
    let (server, config) = scene(now).await;
    let scratch = Scratch::new("check");
    scratch.write("all.toml", &config);
    // Everything: vol-failed, vol-old and vol-gone are CRITICAL, which beats UNKNOWN.
    let run = backupctl_in(
        &scratch.0,
        &[
            "check",
            "--config",
            "all.toml",
            "--warning",
            "25h",
            "--critical",
            "49h",
        ],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    let first = run.stdout.lines().next().unwrap();
    assert!(first.starts_with("BACKUP CRITICAL - 7 resources: 3 critical, 1 warning, 3 ok; 2 of 3 accounts unreadable | "), "{first}");
    assert!(
        first.contains("'vbs/vol-gone'=U;90000;176400;0;"),
        "{first}"
    );
    assert!(
        first.contains("'vbs/vol-stale'=108"),
        "30h = 108000s: {first}"
    );
    let details: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(details.len(), 6, "{}", run.stdout);
    assert!(
        details
            .contains(&"CRITICAL: vbs vbs-v2 vol-failed: newest backup b04 failed (status error)"),
        "{details:?}"
    );
    assert!(
        details.contains(&"CRITICAL: vbs vbs-v2 vol-gone: no good backup"),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("WARNING: vbs vbs-v2 vol-stale: last success 30h ago")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("UNKNOWN: account down (vbs-v2): connection refused")),
        "{details:?}"
    );
    println!("{}", run.stdout);

    // Only healthy volumes: OK, then WARNING at a 2h threshold, then the account's own
    // `warning` overriding the flag.
    let healthy: Vec<Value> = vbs_backups(now)
        .into_iter()
        .filter(|b| b["volume_id"] == "vol-ok" || b["volume_id"] == "vol-odd")
        .collect();
    mount_vbs_v2(&server, "p-healthy", &healthy, 100).await;
    scratch.write(
        "healthy.toml",
        &account("h", "vbs-v2", &server.uri(), "p-healthy", ""),
    );
    let run = backupctl_in(&scratch.0, &["check", "--config", "healthy.toml"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("BACKUP OK - 2 resources: 0 critical, 0 warning, 2 ok | "),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.lines().count(), 1);
    let run = backupctl_in(
        &scratch.0,
        &["check", "--config", "healthy.toml", "--warning", "2h"],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    scratch.write(
        "own.toml",
        &account(
            "h",
            "vbs-v2",
            &server.uri(),
            "p-healthy",
            "warning = \"90m\"",
        ),
    );
    let run = backupctl_in(
        &scratch.0,
        &["check", "--config", "own.toml", "--warning", "25h"],
    )
    .await;
    assert_eq!(run.code, 1, "the account's 90m wins: {run:?}");

    // Healthy plus an unreadable account: UNKNOWN.
    let mixed = format!(
        "{}{}",
        account("h", "vbs-v2", &server.uri(), "p-healthy", ""),
        account("down", "vbs-v2", &refused_endpoint(), "p", "")
    );
    scratch.write("mixed.toml", &mixed);
    let run = backupctl_in(&scratch.0, &["check", "--config", "mixed.toml"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout.starts_with("BACKUP UNKNOWN - 2 resources"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_config_or_argument_is_unknown() {
    let scratch = Scratch::new("bad");
    scratch.write(
        "bad.toml",
        &account("a", "vbs-v9", "http://127.0.0.1:1", "p", ""),
    );
    let run = backupctl_in(&scratch.0, &["check", "--config", "bad.toml"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(
        run.stdout
            .starts_with("BACKUP UNKNOWN - bad.toml:3: unknown api `vbs-v9`"),
        "{}",
        run.stdout
    );
    let run = backupctl_in(
        &scratch.0,
        &["check", "--config", "bad.toml", "--warning", "soon"],
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout.starts_with("BACKUP UNKNOWN - "),
        "{}",
        run.stdout
    );
    let run = backupctl_in(&scratch.0, &["check"]).await;
    assert_eq!(run.code, 3, "no backupctl.toml in the folder: {run:?}");
    assert!(
        run.stdout.contains("backupctl.toml: cannot read"),
        "{}",
        run.stdout
    );
    // `status` keeps backupctl's own convention: a bad file is exit 1.
    let run = backupctl_in(&scratch.0, &["status", "--config", "bad.toml"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("bad.toml:3: unknown api"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_apis_are_reported_not_readable_yet() {
    let scratch = Scratch::new("others");
    let config = [
        account("rs", "rackspace-backup-v2", "http://127.0.0.1:1", "t", ""),
        account("v3", "vbs-v3", "http://127.0.0.1:1", "p", ""),
        account("cbr", "cbr-v3", "http://127.0.0.1:1", "p", ""),
    ]
    .concat();
    scratch.write("backupctl.toml", &config);
    let run = backupctl_in(&scratch.0, &["status", "-o", "json"]).await;
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    for (account, operation) in json["accounts"].as_array().unwrap().iter().zip([
        "listBackups",
        "listBackupsDetail",
        "listBackups",
    ]) {
        assert_eq!(account["ok"], false);
        let error = account["error"].as_str().unwrap();
        assert!(
            error.contains("cannot list") && error.contains(operation),
            "{error}"
        );
    }
}

/// `.tools/venv/bin/python`, where `.ci/install-tools` puts prometheus-client; `None` (the
/// test is skipped) when missing, except under `CI=true`, where it fails.
fn python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python");
    let has_client = python.exists()
        && Command::new(&python)
            .args(["-c", "import prometheus_client"])
            .status()
            .is_ok_and(|s| s.success());
    if has_client {
        return Some(python);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "prometheus-client is not installed in .tools/venv: run .ci/install-tools"
    );
    eprintln!("skipped: prometheus-client is not installed in .tools/venv (run .ci/install-tools)");
    None
}

/// Parses `text` with prometheus_client's parser for `format` and prints each sample as one
/// JSON line `[family, type, name, labels, value]`.
fn parse_metrics(python: &Path, format: &str, text: &str) -> Vec<Value> {
    let script = r#"
import json, sys
fmt = sys.argv[1]
text = sys.stdin.read()
if fmt == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(text):
    for s in family.samples:
        print(json.dumps([family.name, family.type, s.name, s.labels, s.value]))
"#;
    use std::io::Write;
    let mut child = Command::new(python)
        .args(["-c", script, format])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the parser rejected:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_with_prometheus_client() {
    let Some(python) = python() else { return };
    let now = Timestamp::now();
    let (_server, config) = scene(now).await;
    let scratch = Scratch::new("metrics");
    scratch.write("backupctl.toml", &config);
    let run = backupctl_in(
        &scratch.0,
        &["status", "-o", "openmetrics", "--textfile", "node.prom"],
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stdout.ends_with("# EOF\n"));
    let samples = parse_metrics(&python, "openmetrics", &run.stdout);
    let find = |name: &str, labels: Value| {
        samples
            .iter()
            .find(|s| {
                s[2] == name
                    && labels
                        .as_object()
                        .unwrap()
                        .iter()
                        .all(|(k, v)| &s[3][k] == v)
            })
            .unwrap_or_else(|| panic!("{name} {labels} in {samples:?}"))
    };
    let last = find(
        "backupctl_resource_last_success_timestamp_seconds",
        json!({"account": "vbs", "resource_id": "vol-ok"}),
    );
    assert_eq!(
        last[4].as_f64().unwrap(),
        (now.as_second() - 3 * 3600) as f64
    );
    let state = find(
        "backupctl_resource_state",
        json!({"resource_id": "vol-failed", "backupctl_resource_state": "failed"}),
    );
    assert_eq!(
        (state[1].as_str(), state[4].as_f64()),
        (Some("stateset"), Some(1.0))
    );
    let value = |name: &str, labels: Value| find(name, labels)[4].as_f64();
    let other = json!({"resource_id": "vol-failed", "backupctl_resource_state": "ok"});
    assert_eq!(value("backupctl_resource_state", other), Some(0.0));
    assert_eq!(
        value(
            "backupctl_backups",
            json!({"account": "vbs", "state": "deleting"})
        ),
        Some(3.0)
    );
    assert_eq!(
        value("backupctl_account_up", json!({"account": "vbs"})),
        Some(1.0)
    );
    assert_eq!(
        value("backupctl_account_up", json!({"account": "down"})),
        Some(0.0)
    );

    let text = std::fs::read_to_string(scratch.0.join("node.prom")).expect("textfile written");
    assert!(!text.contains("# EOF"));
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.0)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left");
    let samples = parse_metrics(&python, "text", &text);
    let state = samples
        .iter()
        .find(|s| {
            s[2] == "backupctl_resource_state"
                && s[3]["resource_id"] == "vol-odd"
                && s[3]["state"] == "unknown"
        })
        .expect("a gauge with a state label");
    assert_eq!(
        (state[1].as_str(), state[4].as_f64()),
        (Some("gauge"), Some(1.0))
    );
}

/// A CONNECT proxy on loopback that tunnels every connection to `target` (whatever host was
/// asked for) and records the CONNECT lines it received.
fn connect_proxy(
    target: std::net::SocketAddr,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = std::sync::Arc::clone(&log);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(client.try_clone().expect("clone"));
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                log.lock().expect("log").push(line.trim_end().to_owned());
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let Ok(upstream) = std::net::TcpStream::connect(target) else {
                    return;
                };
                let mut client = client;
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut up_read, mut up_write) = (upstream.try_clone().expect("clone"), upstream);
                let mut down_write = client.try_clone().expect("clone");
                let pump = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut reader, &mut up_write);
                });
                let _ = std::io::copy(&mut up_read, &mut down_write);
                let _ = pump.join();
            });
        }
    });
    (format!("http://{address}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_proxy_and_no_proxy_from_the_environment_are_honoured() {
    let now = Timestamp::now();
    let server = MockServer::start().await;
    mount_vbs_v2(&server, "p-proxied", &vbs_backups(now)[..2], 100).await;
    let (proxy, seen) = connect_proxy(*server.address());
    let scratch = Scratch::new("proxy");
    scratch.write(
        "backupctl.toml",
        &account("far", "vbs-v2", "http://backup.invalid", "p-proxied", ""),
    );
    // Through the proxy: the host need not resolve here.
    let run = backupctl_env(
        &scratch.0,
        &["status", "-o", "json"],
        &[("HTTP_PROXY", &proxy)],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["backups"].as_array().map(Vec::len), Some(2));
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .any(|line| line.starts_with("CONNECT backup.invalid:80 ")),
        "{seen:?}"
    );
    // NO_PROXY: straight to a host that does not resolve.
    let env = [
        ("HTTP_PROXY", proxy.as_str()),
        ("NO_PROXY", "backup.invalid"),
    ];
    let run = backupctl_env(&scratch.0, &["status", "-o", "json"], &env).await;
    assert_eq!(run.code, 3, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let error = json["accounts"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("host name not resolved"), "{error}");
}
