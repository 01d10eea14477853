//! `backupctl status` and `backupctl check` against loopback servers: paged lists, every raw
//! state, the three timestamp styles, one account refusing connections, one answering 401.
//!
//! One scene serves all four APIs at once from one loopback server: `vbs` (VBS v2) and `v3`
//! (VBS v3) in link pages (`backups_links`), `rs` (Rackspace v2) in three link pages (`links`),
//! `cbr` (CBR v3) in three offset pages (`offset`, `count`), every raw state of each, the
//! three timestamp styles, `down` refusing connections and `denied` answering 401 with a
//! provider error body.

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::{Timestamp, tz};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::Run;

pub(crate) const TOKEN: &str = "tok-4f1e-very-secret";
pub(crate) const TOKEN_ENV: &str = "BACKUPCTL_IT_TOKEN";

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
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("backupctl-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Self(dir)
    }

    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
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
pub(crate) enum Style {
    /// `2026-12-01T17:00:00.123456` (naive, read as UTC).
    Naive,
    /// `2026-12-01T17:00:00Z`.
    Zulu,
    /// `2026-12-02T01:00:00+08:00`.
    Offset,
    /// `2026-12-01T17:00:00.000+00:00` (CBR).
    OffsetZero,
}

/// `hours` ago (whole seconds), written in `style`.
pub(crate) fn ago(now: Timestamp, hours: i64, style: Style) -> String {
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
        Style::OffsetZero => at
            .to_zoned(tz::TimeZone::UTC)
            .strftime("%Y-%m-%dT%H:%M:%S.000%:z")
            .to_string(),
    }
}

/// One VBS v2 backup as `listBackupsDetail` lists it.
pub(crate) fn vbs_backup(id: &str, volume: &str, status: &str, created_at: &str) -> Value {
    json!({
        "id": id, "name": format!("bk-{id}"), "status": status, "volume_id": volume,
        "size": 10, "created_at": created_at, "links": [], "fail_reason": "",
        "container": "c", "description": null, "availability_zone": "az-1",
        "object_count": 3
    })
}

/// Every VBS raw status, the three time styles, and one status the mapping does not know.
/// Returns the backups and, per volume, the verdict at 25h/49h.
pub(crate) fn vbs_backups(now: Timestamp) -> Vec<Value> {
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

/// Serves `backups` at `route` in pages of `per_page`, the next page linked under
/// `links_key` by `marker` (the id of the last backup of the previous page), checking the
/// token.
async fn mount_link_pages(
    server: &MockServer,
    route: &str,
    links_key: &str,
    backups: &[Value],
    per_page: usize,
) {
    let pages: Vec<&[Value]> = backups.chunks(per_page.max(1)).collect();
    for (index, page) in pages.iter().enumerate() {
        let mut body = json!({ "backups": page });
        if index + 1 < pages.len() {
            let marker = page.last().expect("a page is not empty")["id"]
                .as_str()
                .unwrap();
            body[links_key] = json!([
                {"href": format!("{}{route}/{marker}", server.uri()), "rel": "self"},
                {
                    "href": format!("{}{route}?limit={per_page}&marker={marker}", server.uri()),
                    "rel": "next"
                }
            ]);
        }
        let mock = Mock::given(method("GET"))
            .and(path(route))
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

/// Serves `backups` for `project` as VBS v2 `listBackupsDetail`.
pub(crate) async fn mount_vbs_v2(
    server: &MockServer,
    project: &str,
    backups: &[Value],
    per_page: usize,
) {
    let route = format!("/v2/{project}/backups/detail");
    mount_link_pages(server, &route, "backups_links", backups, per_page).await;
}

/// [`vbs_backup`] as VBS v3 `listBackupsDetail` lists it (microversion 3.0 fields).
fn vbs_v3_backup(v2: &Value) -> Value {
    let mut backup = v2.clone();
    let extra = json!({
        "has_dependent_backups": false, "is_incremental": false, "updated_at": null,
        "data_timestamp": v2["created_at"], "snapshot_id": null, "metadata": null
    });
    backup
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    backup
}

/// One Rackspace v2 backup as `listBackups` lists it; the times are `Z` or null.
fn rackspace_backup(
    id: &str,
    configuration: &str,
    state: &str,
    started: Option<String>,
    ended: Option<String>,
) -> Value {
    json!({
        "project_id": "t-rs", "id": id,
        "agent": {"id": "agent-1", "links": []},
        "configuration": {"id": configuration, "links": []},
        "state": state, "started_time": started, "ended_time": ended, "snapshot_id": null,
        "errors": {"count": 0, "reason": "", "diagnostics": "", "links": []},
        "files_searched": 10, "files_backed_up": 5, "bytes_searched": 4096,
        "bytes_backed_up": 2048, "bytes_in_db": 1024, "bandwidth_avg_bps": 100,
        "restorable": state == "completed", "links": []
    })
}

/// Every Rackspace raw state (and one nobody documents), in creation order by configuration.
/// At 25h/49h: cfg-ok, cfg-busy, cfg-odd OK; cfg-errors, cfg-skipped, cfg-stopped WARNING;
/// cfg-missed CRITICAL. A backup's success time is its `ended_time`.
fn rackspace_backups(now: Timestamp) -> Vec<Value> {
    let z = |hours| Some(ago(now, hours, Style::Zulu));
    vec![
        // cfg-ok: completed (started 3h, ended 2h ago) -> OK, last success 2h.
        rackspace_backup("r01", "cfg-ok", "completed", z(3), z(2)),
        rackspace_backup("r02", "cfg-ok", "failed", z(30), z(30)),
        // The newest is a `warning` state -> WARNING.
        rackspace_backup("r03", "cfg-errors", "completed_with_errors", z(1), z(1)),
        rackspace_backup("r04", "cfg-errors", "completed", z(5), z(5)),
        rackspace_backup("r05", "cfg-skipped", "skipped", z(1), z(1)),
        rackspace_backup("r06", "cfg-skipped", "completed", z(10), z(9)),
        rackspace_backup("r07", "cfg-stopped", "stopped", z(1), z(1)),
        rackspace_backup("r08", "cfg-stopped", "completed", z(30), z(29)),
        // cfg-missed: a missed run (no times) and a failed one, never a success -> CRITICAL.
        rackspace_backup("r09", "cfg-missed", "missed", None, None),
        rackspace_backup("r10", "cfg-missed", "failed", z(2), z(2)),
        // cfg-busy: every running state; newest (by start time) in_progress -> OK at 3h.
        rackspace_backup("r11", "cfg-busy", "start_requested", None, None),
        rackspace_backup("r12", "cfg-busy", "start_scheduled", None, None),
        rackspace_backup("r13", "cfg-busy", "queued", None, None),
        rackspace_backup("r14", "cfg-busy", "preparing", z(1), None),
        rackspace_backup("r15", "cfg-busy", "in_progress", z(1), None),
        rackspace_backup("r16", "cfg-busy", "stop_requested", z(2), None),
        rackspace_backup("r17", "cfg-busy", "completed", z(4), z(3)),
        // cfg-odd: a state nobody documents -> `unknown`, raw kept.
        rackspace_backup("r18", "cfg-odd", "paused", z(1), None),
        rackspace_backup("r19", "cfg-odd", "completed", z(2), z(2)),
    ]
}

/// One CBR v3 backup as `listBackups` lists it.
fn cbr_backup(
    id: &str,
    resource: &str,
    status: &str,
    created_at: &str,
    children: Vec<Value>,
) -> Value {
    let server = resource.starts_with("srv");
    json!({
        "checkpoint_id": "cp-1", "created_at": created_at, "description": "nightly",
        "expired_at": null,
        "extend_info": {"auto_trigger": true, "support_lld": true, "supported_restore_mode": "backup"},
        "id": id, "image_type": "backup", "name": format!("autobk_{id}"),
        "parent_id": null, "project_id": "p-cbr", "protected_at": null, "resource_az": "az-1",
        "resource_id": resource, "resource_name": format!("{resource}-name"), "resource_size": 40,
        "resource_type": if server { "OS::Nova::Server" } else { "OS::Cinder::Volume" },
        "status": status, "updated_at": null, "vault_id": "vault-1", "children": children
    })
}

/// Every CBR raw state, times in `+08:00` and `+00:00`. srv-1's backup nests its two disks'
/// backups (`children`): they are parts of that backup, not resources of their own.
/// At 25h/49h: srv-1, srv-4 OK; srv-3 WARNING; srv-2, srv-5 CRITICAL.
fn cbr_backups(now: Timestamp) -> Vec<Value> {
    use Style::{Offset, OffsetZero};
    let child = |id: &str, disk: &str| {
        let mut backup = cbr_backup(id, disk, "available", &ago(now, 2, Offset), vec![]);
        backup["parent_id"] = json!("c02");
        backup
    };
    let children = vec![child("c02-a", "disk-a"), child("c02-b", "disk-b")];
    vec![
        // srv-1: protecting now, last success 2h ago -> OK.
        cbr_backup(
            "c01",
            "srv-1",
            "protecting",
            &ago(now, 1, OffsetZero),
            vec![],
        ),
        cbr_backup("c02", "srv-1", "available", &ago(now, 2, Offset), children),
        // srv-2: the newest failed -> CRITICAL.
        cbr_backup("c03", "srv-2", "error", &ago(now, 1, OffsetZero), vec![]),
        cbr_backup("c04", "srv-2", "available", &ago(now, 20, Offset), vec![]),
        // srv-3: waiting_delete does not count; restoring 26h ago -> WARNING at 25h.
        cbr_backup(
            "c05",
            "srv-3",
            "waiting_delete",
            &ago(now, 1, OffsetZero),
            vec![],
        ),
        cbr_backup(
            "c06",
            "srv-3",
            "restoring",
            &ago(now, 26, OffsetZero),
            vec![],
        ),
        // srv-4: waiting_protect now, waiting_restore (ok) 3h ago -> OK.
        cbr_backup(
            "c07",
            "srv-4",
            "waiting_protect",
            &ago(now, 1, Offset),
            vec![],
        ),
        cbr_backup(
            "c08",
            "srv-4",
            "waiting_restore",
            &ago(now, 3, Offset),
            vec![],
        ),
        // srv-5: only a deleting backup -> no good backup, CRITICAL.
        cbr_backup("c09", "srv-5", "deleting", &ago(now, 2, OffsetZero), vec![]),
    ]
}

/// Serves `backups` for `project` as CBR `listBackups` in offset pages of `per_page` with the
/// total `count`, each page only for the `filter` query parameter.
async fn mount_cbr(
    server: &MockServer,
    project: &str,
    backups: &[Value],
    per_page: usize,
    filter: (&str, &str),
) {
    let route = format!("/v3/{project}/backups");
    for (index, page) in backups.chunks(per_page).enumerate() {
        let offset = index * per_page;
        let body = json!({"backups": page, "count": backups.len(), "offset": offset});
        let mock = Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(header("x-auth-token", TOKEN))
            .and(query_param(filter.0, filter.1));
        let mock = match index {
            0 => mock.and(query_param_is_missing("offset")),
            _ => mock.and(query_param("offset", offset.to_string())),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
}

/// An `[[account]]` table.
pub(crate) fn account(name: &str, api: &str, endpoint: &str, project: &str, extra: &str) -> String {
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

/// The full scene, one account per API and two unreadable ones:
/// `vbs` (VBS v2, 3 pages), `rs` (Rackspace v2, 3 pages), `v3` (VBS v3, 3 pages), `cbr`
/// (CBR v3, 3 offset pages, a filter), `down` (refused), `denied` (401 with a VBS error body).
/// 26 resources: 9 CRITICAL, 6 WARNING, 11 OK at 25h/49h.
async fn scene(now: Timestamp) -> (MockServer, String) {
    let server = MockServer::start().await;
    mount_vbs_v2(&server, "p-vbs", &vbs_backups(now), 5).await;
    let route = "/v2/t-rs/backups";
    mount_link_pages(&server, route, "links", &rackspace_backups(now), 7).await;
    let v3: Vec<Value> = vbs_backups(now).iter().map(vbs_v3_backup).collect();
    mount_link_pages(&server, "/v3/p-v3/backups/detail", "backups_links", &v3, 5).await;
    let filter = ("resource_type", "OS::Nova::Server");
    mount_cbr(&server, "p-cbr", &cbr_backups(now), 3, filter).await;
    Mock::given(method("GET"))
        .and(path("/v2/p-denied/backups/detail"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {"code": "VBS.0001", "message": "The token is invalid"}
        })))
        .mount(&server)
        .await;
    let uri = server.uri();
    let config = [
        account("vbs", "vbs-v2", &uri, "p-vbs", ""),
        account("rs", "rackspace-backup-v2", &uri, "t-rs", ""),
        account("v3", "vbs-v3", &uri, "p-v3", ""),
        account(
            "cbr",
            "cbr-v3",
            &uri,
            "p-cbr",
            "filters = { resource_type = \"OS::Nova::Server\" }",
        ),
        account("down", "vbs-v2", &refused_endpoint(), "p-down", ""),
        account("denied", "vbs-v2", &uri, "p-denied", ""),
    ]
    .concat();
    (server, config)
}

/// How many resources the readable accounts of [`scene`] have, counted from its fixtures:
/// distinct volumes (VBS v2 and v3), configurations (Rackspace) and listed CBR resources.
fn scene_resources(now: Timestamp) -> usize {
    let distinct = |backups: Vec<Value>, key: &dyn Fn(&Value) -> String| {
        backups
            .iter()
            .map(key)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    let volumes = distinct(vbs_backups(now), &|b| b["volume_id"].to_string());
    let configurations = distinct(rackspace_backups(now), &|b| {
        b["configuration"]["id"].to_string()
    });
    let cbr = distinct(cbr_backups(now), &|b| b["resource_id"].to_string());
    2 * volumes + configurations + cbr
}

/// The `accounts[]` entry named `name`.
fn account_entry<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no account {name} in {json:#}"))
}

/// The `resources[]` entry of `account` and `id`.
fn resource_of<'a>(json: &'a Value, account: &str, id: &str) -> &'a Value {
    json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["account"] == account && r["resource_id"] == id)
        .unwrap_or_else(|| panic!("no resource {account}/{id} in {json:#}"))
}

/// The `(raw_status, state)` pairs of the backups of `api`.
fn states<'a>(json: &'a Value, api: &str) -> Vec<(&'a str, &'a str)> {
    json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["api"] == api)
        .map(|b| {
            (
                b["raw_status"].as_str().unwrap(),
                b["state"].as_str().unwrap(),
            )
        })
        .collect()
}

/// `hours` ago, whole seconds, as RFC 3339 UTC.
fn utc_ago(now: Timestamp, hours: i64) -> Value {
    json!(
        Timestamp::from_second(now.as_second() - hours * 3600)
            .unwrap()
            .to_string()
    )
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
    for (name, api) in [
        ("vbs", "vbs-v2"),
        ("rs", "rackspace-backup-v2"),
        ("v3", "vbs-v3"),
        ("cbr", "cbr-v3"),
    ] {
        assert_eq!(
            account_entry(&json, name),
            &json!({"name": name, "api": api, "ok": true, "error": null, "microversion": null})
        );
    }
    let down = account_entry(&json, "down");
    assert_eq!(down["ok"], false);
    let refused = down["error"].as_str().unwrap();
    assert!(refused.starts_with("connection refused"), "{refused}");
    assert_eq!(
        account_entry(&json, "denied")["error"],
        "HTTP 401 Unauthorized: VBS.0001: The token is invalid"
    );

    // Every page of every account; CBR's nested children are not backups of their own.
    let count = |api: &str| states(&json, api).len();
    assert_eq!(
        [
            count("vbs-v2"),
            count("rackspace-backup-v2"),
            count("vbs-v3"),
            count("cbr-v3")
        ],
        [13, 19, 13, 9]
    );
    assert_eq!(
        json["resources"].as_array().unwrap().len(),
        scene_resources(now)
    );
    let cinder = [
        ("available", "ok"),
        ("restoring", "ok"),
        ("creating", "running"),
        ("error", "failed"),
        ("deleting", "deleting"),
        ("error_deleting", "deleting"),
        ("deleted", "deleting"),
        ("frozen", "unknown"),
    ];
    for api in ["vbs-v2", "vbs-v3"] {
        let states = states(&json, api);
        for pair in cinder {
            assert!(states.contains(&pair), "{api} {pair:?} in {states:?}");
        }
    }
    let rackspace = states(&json, "rackspace-backup-v2");
    for pair in [
        ("completed", "ok"),
        ("completed_with_errors", "warning"),
        ("skipped", "warning"),
        ("stopped", "warning"),
        ("start_requested", "running"),
        ("start_scheduled", "running"),
        ("queued", "running"),
        ("preparing", "running"),
        ("in_progress", "running"),
        ("stop_requested", "running"),
        ("failed", "failed"),
        ("missed", "failed"),
        ("paused", "unknown"),
    ] {
        assert!(rackspace.contains(&pair), "{pair:?} in {rackspace:?}");
    }
    let cbr = states(&json, "cbr-v3");
    for pair in [
        ("available", "ok"),
        ("restoring", "ok"),
        ("waiting_restore", "ok"),
        ("protecting", "running"),
        ("waiting_protect", "running"),
        ("error", "failed"),
        ("deleting", "deleting"),
        ("waiting_delete", "deleting"),
    ] {
        assert!(cbr.contains(&pair), "{pair:?} in {cbr:?}");
    }

    // VBS v2 and v3: naive, Z and +08:00 times, all read as UTC.
    for account in ["vbs", "v3"] {
        let ok = resource_of(&json, account, "vol-ok");
        assert_eq!(
            ok["last_success_at"],
            utc_ago(now, 3),
            "naive time read as UTC"
        );
        let age = ok["last_success_age_seconds"].as_u64().unwrap();
        assert!((3 * 3600..3 * 3600 + 60).contains(&age), "{age}");
        assert_eq!(
            (&ok["newest_backup_id"], &ok["state"]),
            (&json!("b01"), &json!("ok"))
        );
        let failed = resource_of(&json, account, "vol-failed");
        assert_eq!(
            (&failed["state"], &failed["raw_status"]),
            (&json!("failed"), &json!("error"))
        );
        assert_eq!(
            failed["last_success_at"],
            utc_ago(now, 5),
            "+08:00 time in UTC"
        );
        let deleting = resource_of(&json, account, "vol-deleting");
        assert_eq!(
            (&deleting["state"], &deleting["newest_backup_id"]),
            (&json!("ok"), &json!("b10"))
        );
        let gone = resource_of(&json, account, "vol-gone");
        assert_eq!(
            (&gone["state"], &gone["last_success_at"]),
            (&json!("deleting"), &Value::Null)
        );
        let odd = resource_of(&json, account, "vol-odd");
        assert_eq!(
            (&odd["state"], &odd["raw_status"]),
            (&json!("unknown"), &json!("frozen"))
        );
    }

    // Rackspace: the resource is the configuration, the success time the end time (`Z`).
    let ok = resource_of(&json, "rs", "cfg-ok");
    assert_eq!(
        (
            &ok["state"],
            &ok["last_success_at"],
            &ok["newest_backup_id"]
        ),
        (&json!("ok"), &utc_ago(now, 2), &json!("r01"))
    );
    let errors = resource_of(&json, "rs", "cfg-errors");
    assert_eq!(
        (&errors["state"], &errors["raw_status"]),
        (&json!("warning"), &json!("completed_with_errors"))
    );
    let busy = resource_of(&json, "rs", "cfg-busy");
    assert_eq!(
        (
            &busy["state"],
            &busy["raw_status"],
            &busy["last_success_at"]
        ),
        (&json!("running"), &json!("in_progress"), &utc_ago(now, 3))
    );
    let missed = resource_of(&json, "rs", "cfg-missed");
    assert_eq!(
        (&missed["state"], &missed["last_success_at"]),
        (&json!("failed"), &Value::Null)
    );

    // CBR: `+00:00` and `+08:00` times, the resource's name, no resource for the children.
    let one = resource_of(&json, "cbr", "srv-1");
    assert_eq!(
        (&one["state"], &one["raw_status"], &one["resource_name"]),
        (
            &json!("running"),
            &json!("protecting"),
            &json!("srv-1-name")
        )
    );
    assert_eq!(one["last_success_at"], utc_ago(now, 2), "+08:00 in UTC");
    let three = resource_of(&json, "cbr", "srv-3");
    assert_eq!(
        (&three["state"], &three["last_success_at"]),
        (&json!("ok"), &utc_ago(now, 26))
    );
    let created: Vec<&Value> = json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["id"] == "c01")
        .map(|b| &b["created_at"])
        .collect();
    assert_eq!(created, [&utc_ago(now, 1)], "+00:00 in UTC");
    assert!(
        !json["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resource_id"] == "disk-a"),
        "a nested child is part of its parent's backup"
    );

    let ok = resource_of(&json, "vbs", "vol-ok");
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
    println!("{}", run.stdout);
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
    let resources = scene_resources(now);
    assert_eq!(resources, 26, "the scene as its comment describes it");
    assert_eq!(
        lines.len(),
        1 + resources,
        "header and resources: {}",
        run.stdout
    );
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
    let row = lines.iter().find(|l| l.contains("cfg-ok")).unwrap();
    assert!(
        row.starts_with("rs ")
            && row.contains(" rackspace-backup-v2 ")
            && row.contains("(2h ago)")
            && row.ends_with("completed"),
        "{row}"
    );
    let row = lines.iter().find(|l| l.contains("srv-1")).unwrap();
    assert!(
        row.starts_with("cbr ")
            && row.contains(" running ")
            && row.contains("(2h ago)")
            && row.contains("c01")
            && row.ends_with("protecting"),
        "{row}"
    );
    assert!(!run.stdout.contains("disk-a"), "children are not resources");
    assert!(
        run.stderr
            .contains("account down (vbs-v2): connection refused"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "account denied (vbs-v2): HTTP 401 Unauthorized: VBS.0001: The token is invalid"
        ),
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
    let listed = 2 * vbs_backups(now).len() + rackspace_backups(now).len() + cbr_backups(now).len();
    assert_eq!(
        csv.len(),
        1 + listed,
        "a header and every listed backup (no children)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_verdicts_and_exit_codes_at_chosen_thresholds() {
    let now = Timestamp::now();
    let (server, config) = scene(now).await;
    let scratch = Scratch::new("check");
    scratch.write("all.toml", &config);
    // Everything: 9 resources are CRITICAL, which beats UNKNOWN.
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
    let resources = scene_resources(now);
    assert_eq!(9 + 6 + 11, resources, "every resource has a verdict");
    assert!(
        first.starts_with(&format!(
            "BACKUP CRITICAL - {resources} resources: 9 critical, 6 warning, 11 ok; \
             2 of 6 accounts unreadable | "
        )),
        "{first}"
    );
    assert!(
        first.contains("'vbs/vol-gone'=U;90000;176400;0;"),
        "{first}"
    );
    assert!(
        first.contains("'vbs/vol-stale'=108"),
        "30h = 108000s: {first}"
    );
    assert!(first.contains("'rs/cfg-ok'=72"), "2h = 7200s: {first}");
    assert!(first.contains("'cbr/srv-3'=936"), "26h = 93600s: {first}");
    let details: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        details.len(),
        17,
        "15 resources and 2 accounts: {}",
        run.stdout
    );
    for line in [
        "CRITICAL: v3 vbs-v3 vol-failed: newest backup b04 failed (status error)",
        "CRITICAL: rs rackspace-backup-v2 cfg-missed: newest backup r10 failed (status failed)",
        "WARNING: rs rackspace-backup-v2 cfg-errors: newest backup r03 finished with status \
         completed_with_errors",
        "WARNING: rs rackspace-backup-v2 cfg-skipped: newest backup r05 finished with status \
         skipped",
        "WARNING: rs rackspace-backup-v2 cfg-stopped: newest backup r07 finished with status \
         stopped",
        "CRITICAL: cbr cbr-v3 srv-2: newest backup c03 failed (status error)",
        "CRITICAL: cbr cbr-v3 srv-5: no good backup",
        "WARNING: cbr cbr-v3 srv-3: last success 26h ago, older than 25h",
        "UNKNOWN: account denied (vbs-v2): HTTP 401 Unauthorized: VBS.0001: The token is invalid",
    ] {
        assert!(details.contains(&line), "{line} in {details:#?}");
    }
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

    // One CBR account with only its healthy servers (2 offset pages, the filter), at chosen
    // thresholds: OK at 25h/49h; WARNING at 90m (2h and 3h old); CRITICAL at 150m (srv-4).
    let healthy: Vec<Value> = cbr_backups(now)
        .into_iter()
        .filter(|b| b["resource_id"] == "srv-1" || b["resource_id"] == "srv-4")
        .collect();
    let filter = ("resource_type", "OS::Nova::Server");
    mount_cbr(&server, "p-cbr-ok", &healthy, 3, filter).await;
    scratch.write(
        "cbr.toml",
        &account(
            "c",
            "cbr-v3",
            &server.uri(),
            "p-cbr-ok",
            "filters = { resource_type = \"OS::Nova::Server\" }",
        ),
    );
    let cbr = |extra: &'static [&'static str]| {
        let mut args = vec!["check", "--config", "cbr.toml"];
        args.extend(extra);
        let dir = scratch.0.clone();
        async move { backupctl_in(&dir, &args).await }
    };
    let run = cbr(&[]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("BACKUP OK - 2 resources: 0 critical, 0 warning, 2 ok | "),
        "{}",
        run.stdout
    );
    let run = cbr(&["--warning", "90m"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("BACKUP WARNING - 2 resources: 0 critical, 2 warning")
    );
    let run = cbr(&["--warning", "90m", "--critical", "150m"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout
            .contains("CRITICAL: c cbr-v3 srv-4: last success 3h ago, older than 2h"),
        "{}",
        run.stdout
    );

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
async fn every_page_up_to_the_limit_and_no_further() {
    let now = Timestamp::now();
    let (_server, config) = scene(now).await;
    let scratch = Scratch::new("pages");
    scratch.write("backupctl.toml", &config);
    // Every readable account has exactly 3 pages: a limit of 3 reads them all...
    let run = backupctl_in(&scratch.0, &["status", "-o", "json", "--max-pages", "3"]).await;
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    for name in ["vbs", "rs", "v3", "cbr"] {
        assert_eq!(account_entry(&json, name)["ok"], true, "{name}: {run:?}");
    }
    assert_eq!(json["backups"].as_array().map(Vec::len), Some(54));
    // ...and a limit of 2 makes each unreadable rather than silently incomplete.
    let run = backupctl_in(&scratch.0, &["status", "-o", "json", "--max-pages", "2"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    for name in ["vbs", "rs", "v3", "cbr"] {
        let error = account_entry(&json, name)["error"]
            .as_str()
            .unwrap_or_default();
        assert!(
            error.starts_with("more than 2 pages of backups"),
            "{name}: {error}"
        );
    }
    assert_eq!(json["backups"].as_array().map(Vec::len), Some(0));
}

/// `.tools/venv/bin/python`, where `.ci/install-tools` puts prometheus-client. Its absence
/// fails the test (it is no reason to skip the one check by a real parser).
pub(crate) fn python() -> PathBuf {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/venv/bin/python");
    let has_client = python.exists()
        && Command::new(&python)
            .args(["-c", "import prometheus_client"])
            .status()
            .is_ok_and(|s| s.success());
    assert!(
        has_client,
        "prometheus-client is not installed in .tools/venv ({}): run .ci/install-tools",
        python.display()
    );
    python
}

/// Parses `text` with prometheus_client's parser for `format` and prints each sample as one
/// JSON line `[family, type, name, labels, value]`.
pub(crate) fn parse_metrics(python: &Path, format: &str, text: &str) -> Vec<Value> {
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
    let output = crate::feed(
        Command::new(python).args(["-c", script, format]),
        text.as_bytes(),
    );
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
    let python = python();
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
    for (account, up) in [("rs", 1.0), ("v3", 1.0), ("cbr", 1.0), ("denied", 0.0)] {
        assert_eq!(
            value("backupctl_account_up", json!({"account": account})),
            Some(up),
            "{account}"
        );
    }
    let at = |hours: i64| Some((now.as_second() - hours * 3600) as f64);
    let last = "backupctl_resource_last_success_timestamp_seconds";
    let rs = json!({"account": "rs", "api": "rackspace-backup-v2", "resource_id": "cfg-ok"});
    assert_eq!(value(last, rs.clone()), at(2), "Rackspace: the end time");
    let cbr = json!({"account": "cbr", "api": "cbr-v3", "resource_id": "srv-1"});
    assert_eq!(value(last, cbr), at(2), "CBR: +08:00");
    let v3 = json!({"account": "v3", "api": "vbs-v3", "resource_id": "vol-ok"});
    assert_eq!(value(last, v3), at(3), "VBS v3: naive");
    let warning = json!({"account": "rs", "resource_id": "cfg-skipped",
                         "backupctl_resource_state": "warning"});
    assert_eq!(value("backupctl_resource_state", warning), Some(1.0));
    for (account, state, count) in [
        ("rs", "running", 6.0),
        ("rs", "warning", 3.0),
        ("rs", "failed", 3.0),
        ("cbr", "deleting", 2.0),
        ("cbr", "ok", 4.0),
        ("cbr", "running", 2.0),
    ] {
        let labels = json!({"account": account, "state": state});
        assert_eq!(
            value("backupctl_backups", labels),
            Some(count),
            "{account} {state}"
        );
    }
    assert!(
        !samples.iter().any(|s| s[3]["resource_id"] == "disk-a"),
        "children are not resources"
    );
    // Sizes, durations and the oldest backup of each resource.
    let size = "backupctl_backup_size_bytes";
    let gib = 1024.0 * 1024.0 * 1024.0;
    let vol_ok = json!({"account": "vbs", "resource_id": "vol-ok"});
    assert_eq!(value(size, vol_ok.clone()), Some(10.0 * gib), "VBS: GiB");
    assert_eq!(
        value(size, rs.clone()),
        Some(2048.0),
        "Rackspace: bytes_backed_up"
    );
    let duration = "backupctl_backup_duration_seconds";
    assert_eq!(
        value(duration, rs.clone()),
        Some(3600.0),
        "started 3h, ended 2h ago"
    );
    assert!(
        !samples
            .iter()
            .any(|s| s[2] == duration && s[3]["api"] != "rackspace-backup-v2"),
        "only Rackspace gives an end time"
    );
    let oldest = "backupctl_oldest_backup_timestamp_seconds";
    assert_eq!(value(oldest, vol_ok), at(30), "the failed backup counts");
    let deleting = json!({"account": "vbs", "resource_id": "vol-deleting"});
    assert_eq!(
        value(oldest, deleting),
        at(2),
        "backups being deleted do not"
    );
    for account in ["vbs", "rs", "v3", "cbr", "down", "denied"] {
        let took = value(
            "backupctl_scrape_duration_seconds",
            json!({"account": account}),
        );
        assert!(
            took.is_some_and(|took| took > 0.0 && took < 60.0),
            "{account}: {took:?}"
        );
    }
    let refreshed = value("backupctl_last_refresh_timestamp_seconds", json!({})).unwrap();
    assert!(
        (refreshed - now.as_second() as f64).abs() < 60.0,
        "{refreshed}"
    );
    let last_read = "backupctl_account_last_read_timestamp_seconds";
    assert_eq!(value(last_read, json!({"account": "vbs"})), Some(refreshed));
    assert!(
        !samples
            .iter()
            .any(|s| s[2] == last_read && s[3]["account"] == "down"),
        "never read"
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

/// A CONNECT proxy on loopback (shared with backup-runtime's tests).
#[path = "../../../backup-runtime/tests/fakes/connect_proxy.rs"]
mod proxy;
use proxy::connect_proxy;

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

/// Whether `text` (an output, lines ending with `\n`) has an unsafe character besides its line
/// ends: a control character, a Unicode line separator or a bidi control.
fn assert_no_raw_control(what: &str, text: &str) {
    let found: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && backup_status::safe::is_unsafe(c))
        .collect();
    assert!(found.is_empty(), "{what}: raw {found:?} in\n{text}");
}

/// The fields of one CSV record (RFC 4180, no line break inside: the output has none).
fn csv_record(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => fields.push(String::new()),
            (_, c) => fields.last_mut().unwrap().push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line:?}");
    fields
}

/// The labels of a check's perfdata (`'label'=value;warn;crit;min; …`), each item checked.
fn perfdata_labels(perfdata: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut rest = perfdata;
    while !rest.is_empty() {
        let inner = rest.strip_prefix('\'').expect("a quoted label");
        let (label, after) = inner.split_once('\'').expect("a closing quote");
        assert!(!label.contains('='), "{label}");
        let after = after.strip_prefix('=').expect("= after the label");
        let (value, next) = after.split_once(' ').unwrap_or((after, ""));
        let fields: Vec<&str> = value.split(';').collect();
        assert_eq!(fields.len(), 5, "{value}");
        assert!(
            fields[0] == "U" || fields[0].trim_end_matches('s').parse::<u64>().is_ok(),
            "{value}"
        );
        labels.push(label.to_owned());
        rest = next;
    }
    labels
}

/// A VBS v2 account whose server sends hostile text (line breaks, ANSI escapes, bidi controls,
/// CSV and label metacharacters, a 10 kB status) and one whose error body echoes the token.
async fn hostile_scene(now: Timestamp) -> (MockServer, String) {
    let server = MockServer::start().await;
    let backups = vec![
        // CRITICAL: its newest failed; the id would start a fake check line.
        vbs_backup(
            "b\u{1b}[31m\nUNKNOWN: fake",
            "vol\nOK: injected",
            "error",
            &ago(now, 1, Style::Zulu),
        ),
        vbs_backup(
            "b2",
            "vol\nOK: injected",
            "available",
            &ago(now, 2, Style::Zulu),
        ),
        // OK, with CSV, label and perfdata metacharacters.
        vbs_backup(
            "b3,\"q\"",
            "vol,\"q\"\\x'=|y",
            "available",
            &ago(now, 2, Style::Zulu),
        ),
        // CRITICAL (no good backup): a 10 kB status with a carriage return.
        vbs_backup(
            "b4",
            "vol-long",
            &format!("odd\r{}", "x".repeat(10_000)),
            &ago(now, 2, Style::Zulu),
        ),
        // OK: separators and a right-to-left override.
        vbs_backup(
            "b5",
            "vol\u{2028}\u{202e}rtl\u{85}\u{7f}",
            "available",
            &ago(now, 2, Style::Zulu),
        ),
    ];
    mount_vbs_v2(&server, "p-hostile", &backups, 100).await;
    Mock::given(method("GET"))
        .and(path("/v2/p-echo/backups/detail"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": {
                "code": "VBS.0001",
                "message": format!("token {TOKEN} is invalid\n\u{1b}[2JCRITICAL: fake")
            }
        })))
        .mount(&server)
        .await;
    let uri = server.uri();
    let config = [
        account("hostile", "vbs-v2", &uri, "p-hostile", ""),
        account("echo", "vbs-v2", &uri, "p-echo", ""),
    ]
    .concat();
    (server, config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_text_is_escaped_in_every_output() {
    let python = python();
    let now = Timestamp::now();
    let (_server, config) = hostile_scene(now).await;
    let scratch = Scratch::new("hostile");
    scratch.write("backupctl.toml", &config);

    // Table: one line per resource, whatever the names hold; the echoed token redacted.
    let run = backupctl_in(&scratch.0, &["status"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_no_raw_control("table", &run.stdout);
    assert_no_raw_control("stderr", &run.stderr);
    assert_eq!(run.stdout.lines().count(), 1 + 4, "{}", run.stdout);
    assert!(run.stdout.contains(r"vol\nOK: injected"), "{}", run.stdout);
    assert!(run.stdout.contains(r"vol\u{2028}\u{202e}rtl\u{85}\u{7f}"));
    assert!(
        run.stdout.contains("more bytes)"),
        "the 10 kB status is cut"
    );
    assert!(
        run.stdout.lines().all(|line| line.len() < 2000),
        "{}",
        run.stdout
    );
    println!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(r"token [redacted] is invalid\n\u{1b}[2JCRITICAL: fake"),
        "{}",
        run.stderr
    );

    // Check: every line is ours; the perfdata labels parse.
    let run = backupctl_in(&scratch.0, &["check"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_no_raw_control("check", &run.stdout);
    println!("{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 2 + 1, "{}", run.stdout);
    assert!(lines[0].starts_with(
        "BACKUP CRITICAL - 4 resources: 2 critical, 0 warning, 2 ok; 1 of 2 accounts unreadable | "
    ));
    for line in &lines[1..] {
        assert!(
            line.starts_with("CRITICAL: hostile vbs-v2 ")
                || line.starts_with("UNKNOWN: account echo (vbs-v2): HTTP 401"),
            "{line}"
        );
        assert!(!line.contains('|'), "{line}");
    }
    let (_, perfdata) = lines[0].split_once(" | ").unwrap();
    let labels = perfdata_labels(perfdata);
    assert_eq!(labels.len(), 4, "{perfdata}");
    assert!(
        labels.contains(&r#"hostile/vol,"q"\x___y"#.to_owned()),
        "{labels:?}"
    );
    assert!(
        labels.contains(&r"hostile/vol\nOK: injected".to_owned()),
        "{labels:?}"
    );

    // CSV: one record per line, nine fields each.
    let run = backupctl_in(&scratch.0, &["status", "--backups", "-o", "csv"]).await;
    // RFC 4180 ends records with CRLF; no other line break is left.
    assert_no_raw_control("csv", &run.stdout.replace("\r\n", "\n"));
    assert_eq!(run.stdout.matches('\n').count(), 1 + 5, "{}", run.stdout);
    let records: Vec<Vec<String>> = run.stdout.lines().map(csv_record).collect();
    assert_eq!(records.len(), 1 + 5, "{}", run.stdout);
    assert!(
        records.iter().all(|record| record.len() == 9),
        "{records:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r[2] == "b3,\"q\"" && r[3] == "vol,\"q\"\\x'=|y")
    );
    assert!(records.iter().any(|r| r[3] == r"vol\nOK: injected"));

    // JSON: the same values (the long one cut), no raw control character in the text.
    let run = backupctl_in(&scratch.0, &["status", "-o", "json"]).await;
    assert_no_raw_control("json", &run.stdout);
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let ids: Vec<&str> = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"vol\nOK: injected"), "{ids:?}");
    assert!(
        ids.contains(&"vol\u{2028}\u{202e}rtl\u{85}\u{7f}"),
        "{ids:?}"
    );
    let long = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource_id"] == "vol-long")
        .unwrap();
    let status = long["raw_status"].as_str().unwrap();
    assert!(
        status.len() <= 512 && status.ends_with("more bytes)"),
        "{status}"
    );
    let error = account_entry(&json, "echo")["error"].as_str().unwrap();
    assert!(error.contains("token [redacted] is invalid"), "{error}");

    // OpenMetrics and the textfile: Prometheus' own client parses every sample.
    let run = backupctl_in(
        &scratch.0,
        &["status", "-o", "openmetrics", "--textfile", "node.prom"],
    )
    .await;
    assert_no_raw_control("openmetrics", &run.stdout);
    for (format, text) in [
        ("openmetrics", run.stdout.clone()),
        (
            "text",
            std::fs::read_to_string(scratch.0.join("node.prom")).unwrap(),
        ),
    ] {
        assert_no_raw_control(format, &text);
        let samples = parse_metrics(&python, format, &text);
        let ids: Vec<&str> = samples
            .iter()
            .filter(|s| s[2] == "backupctl_resource_state")
            .filter_map(|s| s[3]["resource_id"].as_str())
            .collect();
        for id in [
            "vol\nOK: injected",
            "vol,\"q\"\\x'=|y",
            r"vol\u{2028}\u{202e}rtl\u{85}\u{7f}",
            "vol-long",
        ] {
            assert!(ids.contains(&id), "{format}: {id:?} in {ids:?}");
        }
    }
}

/// Writes an executable helper script into `scratch`.
fn helper(scratch: &Scratch, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = scratch.write(name, &format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_command_has_a_timeout_and_never_shows_what_the_helper_says() {
    let now = Timestamp::now();
    let server = MockServer::start().await;
    mount_vbs_v2(&server, "p-vbs", &vbs_backups(now)[..2], 100).await;
    let scratch = Scratch::new("helpers");
    let slow = helper(&scratch, "slow.sh", "sleep 10\necho late-token");
    let leaky = helper(
        &scratch,
        "leaky.sh",
        "echo 'password=hunter2-leak' >&2\necho partial-tok-leak\nexit 7",
    );
    let table = |name: &str, command: &str, extra: &str| {
        format!(
            "[[account]]\nname = \"{name}\"\napi = \"vbs-v2\"\nendpoint = \"{}\"\n\
             project_id = \"p-vbs\"\ntoken_command = {command}\n{extra}\n",
            server.uri()
        )
    };
    let config = [
        table("slow", &format!("[\"{slow}\"]"), "token_timeout = \"1s\""),
        table(
            "leaky",
            &format!("[\"{leaky}\", \"--password=hunter2-arg\"]"),
            "",
        ),
        table(
            "empty",
            "[\"sh\", \"-c\", \"true\", \"--password=hunter2-arg\"]",
            "",
        ),
        table("good", &format!("[\"sh\", \"-c\", \"echo {TOKEN}\"]"), ""),
    ]
    .concat();
    scratch.write("backupctl.toml", &config);
    let started = std::time::Instant::now();
    let run = backupctl_in(&scratch.0, &["status", "-o", "json"]).await;
    let took = started.elapsed();
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        took < std::time::Duration::from_secs(8),
        "the helper was not killed: {took:?}"
    );
    for leak in ["hunter2", "partial-tok-leak", "late-token"] {
        assert!(
            !run.stdout.contains(leak) && !run.stderr.contains(leak),
            "{leak}: {run:?}"
        );
    }
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let error = |name: &str| {
        account_entry(&json, name)["error"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        error("slow"),
        format!(
            "no token: token_command: `{slow}` did not finish within 1s and was killed (token_timeout)"
        )
    );
    assert_eq!(
        error("leaky"),
        format!("no token: token_command: `{leaky}` failed (exit status: 7)")
    );
    assert_eq!(
        error("empty"),
        "no token: token_command: `sh` printed an empty token"
    );
    assert_eq!(account_entry(&json, "good")["ok"], true, "{json:#}");

    // check: the same, as UNKNOWN lines, within the timeout.
    let run = backupctl_in(&scratch.0, &["check"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "UNKNOWN: account leaky (vbs-v2): no token: token_command: `{leaky}` failed (exit status: 7)\n"
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
}

/// The samples of `account` in a parsed exposition, sorted, without those of the reading
/// itself (`backupctl_account_up`, `backupctl_scrape_duration_seconds`).
pub(crate) fn samples_of(samples: &[Value], account: &str) -> Vec<String> {
    let mut found: Vec<String> = samples
        .iter()
        .filter(|s| {
            s[3]["account"] == account
                && s[2] != "backupctl_account_up"
                && s[2] != "backupctl_scrape_duration_seconds"
        })
        .map(Value::to_string)
        .collect();
    found.sort();
    found
}

/// The value of the sample `name` of `account`.
pub(crate) fn sample_value(samples: &[Value], name: &str, account: &str) -> Option<f64> {
    samples
        .iter()
        .find(|s| s[2] == name && s[3]["account"] == account)
        .and_then(|s| s[4].as_f64())
}

/// The names in `folder`, sorted.
fn folder_names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn textfile_keeps_a_failing_account_s_series_until_it_is_read_again() {
    let python = python();
    let now = Timestamp::now();
    let server = MockServer::start().await;
    let mount = |vbs: Vec<Value>| {
        let server = &server;
        async move {
            server.reset().await;
            if !vbs.is_empty() {
                mount_vbs_v2(server, "p-vbs", &vbs, 5).await;
            }
            mount_vbs_v2(server, "p-other", &vbs_backups(now)[..2], 5).await;
        }
    };
    mount(vbs_backups(now)).await;
    let scratch = Scratch::new("textfile");
    let uri = server.uri();
    scratch.write(
        "backupctl.toml",
        &[
            account("vbs", "vbs-v2", &uri, "p-vbs", ""),
            account("other", "vbs-v2", &uri, "p-other", ""),
        ]
        .concat(),
    );
    let out = scratch.0.join("out");
    std::fs::create_dir(&out).expect("out folder");
    let textfile = out.join("backupctl.prom");
    let args = ["status", "-o", "json", "--textfile", "out/backupctl.prom"];
    let read = || {
        let text = std::fs::read_to_string(&textfile).expect("textfile");
        parse_metrics(&python, "text", &text)
    };
    let last_read = "backupctl_account_last_read_timestamp_seconds";

    // 1. Both read.
    let run = backupctl_in(&scratch.0, &args).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(folder_names(&out), ["backupctl.prom"]);
    let first = read();
    let vbs_first = samples_of(&first, "vbs");
    assert!(vbs_first.len() > 40, "{vbs_first:?}");
    let read_at = sample_value(&first, last_read, "vbs").expect("last read");
    assert!((read_at - now.as_second() as f64).abs() < 60.0, "{read_at}");
    assert_eq!(
        sample_value(&first, "backupctl_account_up", "vbs"),
        Some(1.0)
    );

    // 2. vbs fails (404): its series stay, same labels and values, with up 0.
    mount(Vec::new()).await;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run = backupctl_in(&scratch.0, &args).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(folder_names(&out), ["backupctl.prom"]);
    let second = read();
    assert_eq!(samples_of(&second, "vbs"), vbs_first);
    assert_eq!(
        sample_value(&second, "backupctl_account_up", "vbs"),
        Some(0.0)
    );
    assert_eq!(sample_value(&second, last_read, "vbs"), Some(read_at));
    assert!(sample_value(&second, last_read, "other").unwrap() > read_at);
    // Still failing: still kept (from the file the previous run wrote).
    let run = backupctl_in(&scratch.0, &args).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(samples_of(&read(), "vbs"), vbs_first);

    // 3. vbs recovers with one fresh backup: only that, fresh.
    let fresh = vec![vbs_backup(
        "b99",
        "vol-new",
        "available",
        &ago(now, 0, Style::Zulu),
    )];
    mount(fresh).await;
    let run = backupctl_in(&scratch.0, &args).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(folder_names(&out), ["backupctl.prom"]);
    let third = read();
    assert_eq!(
        sample_value(&third, "backupctl_account_up", "vbs"),
        Some(1.0)
    );
    assert!(sample_value(&third, last_read, "vbs").unwrap() > read_at);
    let resources: Vec<&str> = third
        .iter()
        .filter(|s| s[3]["account"] == "vbs")
        .filter_map(|s| s[3]["resource_id"].as_str())
        .collect();
    assert!(
        !resources.is_empty() && resources.iter().all(|id| *id == "vol-new"),
        "{resources:?}"
    );
}

/// Serves `body` (raw bytes, with `content_type`) as the one page of VBS v2 `listBackupsDetail`
/// for `project`, after `delay`.
async fn mount_raw(
    server: &MockServer,
    project: &str,
    body: &[u8],
    content_type: &str,
    delay: std::time::Duration,
) {
    Mock::given(method("GET"))
        .and(path(format!("/v2/{project}/backups/detail")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body.to_vec(), content_type)
                .set_delay(delay),
        )
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_timeouts_busy_and_empty_accounts() {
    use std::time::Duration;
    let now = Timestamp::now();
    let server = MockServer::start().await;
    let zero = Duration::ZERO;
    let html = b"<html>\n<body>Service Unavailable</body>\n</html>\n";
    mount_raw(&server, "p-html", html, "text/html", zero).await;
    mount_raw(
        &server,
        "p-cut",
        b"{\"backups\": [{\"id\": \"b1\"",
        "application/json",
        zero,
    )
    .await;
    let binary = b"{\"backups\": [\xff\xfe\x00\x1b[2J]}";
    mount_raw(&server, "p-binary", binary, "application/json", zero).await;
    let wrong = b"{\"backups\": \"none\"}";
    mount_raw(&server, "p-wrong", wrong, "application/json", zero).await;
    let empty = b"{\"backups\": []}";
    mount_raw(
        &server,
        "p-slow",
        empty,
        "application/json",
        Duration::from_secs(5),
    )
    .await;
    mount_raw(&server, "p-empty", empty, "application/json", zero).await;
    // Busy twice (503, then 429, each saying 1 s), then the backups: the default two retries.
    for (status, priority) in [(503, 1), (429, 2)] {
        Mock::given(method("GET"))
            .and(path("/v2/p-busy/backups/detail"))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(priority)
            .mount(&server)
            .await;
    }
    mount_vbs_v2(&server, "p-busy", &vbs_backups(now)[..2], 5).await;
    let uri = server.uri();
    let names = ["html", "cut", "binary", "wrong", "slow", "empty", "busy"];
    let config: String = names
        .iter()
        .map(|name| account(name, "vbs-v2", &uri, &format!("p-{name}"), ""))
        .collect();
    let scratch = Scratch::new("edges");
    scratch.write("backupctl.toml", &config);
    scratch.write(
        "empty.toml",
        &account("empty", "vbs-v2", &uri, "p-empty", ""),
    );

    let started = std::time::Instant::now();
    let run = backupctl_in(&scratch.0, &["status", "-o", "json", "--timeout", "1s"]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the slow account is cut at its timeout, the others read at once"
    );
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let error = |name: &str| {
        account_entry(&json, name)["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has an error: {json}"))
            .to_owned()
    };
    for name in ["html", "cut", "binary", "wrong"] {
        let text = error(name);
        assert!(
            text.contains("backups") || text.contains("line 1"),
            "{name}: {text}"
        );
        assert!(!text.chars().any(char::is_control), "{name}: {text:?}");
    }
    assert!(
        error("html").contains("expected value"),
        "{}",
        error("html")
    );
    assert!(error("cut").contains("EOF"), "{}", error("cut"));
    assert!(error("wrong").contains("a sequence"), "{}", error("wrong"));
    assert!(error("slow").starts_with("timed out"), "{}", error("slow"));
    for name in ["empty", "busy"] {
        assert_eq!(account_entry(&json, name)["ok"], true, "{name}: {json}");
    }
    let busy_resources = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["account"] == "busy")
        .count();
    assert_eq!(busy_resources, 1, "vol-ok, read after two busy answers");
    assert!(
        !json["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["account"] == "empty")
    );
    let busy_requests = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v2/p-busy/backups/detail")
        .count();
    assert_eq!(busy_requests, 3, "two retries, then the page");

    // An account with no backups is fine: OK with 0 resources.
    let run = backupctl_in(&scratch.0, &["check", "--config", "empty.toml"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "BACKUP OK - 0 resources: 0 critical, 0 warning, 0 ok\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_filter_sends_the_parameter_once_per_value() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/p-cbr/backups"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"backups": [], "count": 0})))
        .mount(&server)
        .await;
    let scratch = Scratch::new("list-filter");
    let filters = r#"filters = { status = ["available", "error"] }"#;
    scratch.write(
        "backupctl.toml",
        &account("cbr", "cbr-v3", &server.uri(), "p-cbr", filters),
    );
    let run = backupctl_in(&scratch.0, &["status", "-o", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let received = server.received_requests().await.unwrap_or_default();
    let queries: Vec<String> = received
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(queries, ["status=available&status=error"], "{queries:?}");
}
