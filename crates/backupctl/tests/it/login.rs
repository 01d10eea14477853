//! `backupctl call` logging in as users do: a clouds.yaml cloud (Keystone password, OTC/Huawei
//! IAM, application credential, Rackspace API key), the `OS_*` variables of an openrc file, and
//! Huawei AK/SK from `HUAWEICLOUD_SDK_*`, against loopback fakes. No test ever sees a secret in
//! the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{Run, example};

/// The fake Huawei API gateway of `backup-runtime`'s tests, which checks AK/SK signatures with
/// its own implementation.
#[path = "../../../backup-runtime/tests/it/gateway.rs"]
mod gateway;
use gateway::Gateway;

const PASSWORD: &str = "otc-pa55word-never-shown";
const TOKEN: &str = "gAAAAA-issued-token-never-shown";
const PROJECT: &str = "4229d7a45436489f8c3dc2b1d35d4987";

/// A scratch folder (the clouds.yaml, the home and working folder of the run), removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("backupctl-login-{}-{name}", std::process::id()));
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

/// Runs `backupctl args` in `dir` (also its HOME), with no `OS_*`, `HUAWEICLOUD_SDK_*` or
/// token variable but `env`.
fn backupctl_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backupctl"));
    command
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("BACKUP_AUTH_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("OS_") || name.starts_with("HUAWEICLOUD_SDK_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

async fn run_in(dir: PathBuf, args: Vec<&'static str>, env: Vec<(&'static str, String)>) -> Run {
    tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        backupctl_in(&dir, &args, &env)
    })
    .await
    .expect("the run does not panic")
}

fn assert_no_secret(run: &Run, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !run.stdout.contains(secret),
            "{secret} on stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(secret),
            "{secret} on stderr: {}",
            run.stderr
        );
    }
}

/// A Keystone token answer whose catalog points `block-storage` and `cbr` back at `base`.
fn keystone_token(base: &str) -> ResponseTemplate {
    let endpoint = |region: &str, url: String| json!({"id": region, "interface": "public", "region": region, "region_id": region, "url": url});
    ResponseTemplate::new(201)
        .insert_header("X-Subject-Token", TOKEN)
        .set_body_json(json!({"token": {
            "expires_at": "2099-01-04T09:05:22.701000Z",
            "issued_at": "2020-01-03T09:05:22.701000Z",
            "methods": ["password"],
            "project": {"domain": {"id": "d", "name": "OTC-EU-DE-000000000010000"}, "id": PROJECT, "name": "eu-de"},
            "user": {"domain": {"id": "d", "name": "OTC-EU-DE-000000000010000"}, "id": "u", "name": "alice"},
            "roles": [],
            "catalog": [
                {"type": "volumev3", "name": "cinderv3", "id": "1", "endpoints": [
                    endpoint("eu-nl", format!("{base}/nl/volume/v3/{PROJECT}")),
                    endpoint("eu-de", format!("{base}/volume/v3/{PROJECT}"))]},
                {"type": "cbr", "name": "cbr", "id": "2", "endpoints": [
                    endpoint("eu-de", format!("{base}/cbr/v3/{PROJECT}"))]},
            ],
        }}))
}

/// The OTC clouds.yaml of the README: IAM password, account name as the user's domain, the
/// region as the project name.
fn otc_clouds_yaml(auth_url: &str) -> String {
    format!(
        "clouds:\n  otc:\n    auth:\n      auth_url: {auth_url}\n      username: alice\n      \
         password: {PASSWORD}\n      user_domain_name: OTC-EU-DE-000000000010000\n      \
         project_name: eu-de\n    region_name: eu-de\n    identity_api_version: 3\n"
    )
}

fn otc_login_body() -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "OTC-EU-DE-000000000010000"}, "password": PASSWORD}}},
        "scope": {"project": {"name": "eu-de"}},
    }})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_otc_cloud_logs_in_finds_the_endpoint_and_fills_the_project() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(otc_login_body()))
        .respond_with(keystone_token(&base))
        .expect(1)
        .mount(&server)
        .await;
    let body = example("vbs-v3", "showBackup", Some(200)).text();
    Mock::given(method("GET"))
        .and(path(format!("/volume/v3/{PROJECT}/backups/b1")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let scratch = Scratch::new("otc");
    scratch.write("clouds.yaml", &otc_clouds_yaml(&format!("{base}/v3")));
    let run = run_in(
        scratch.0.clone(),
        vec![
            "call",
            "--os-cloud",
            "otc",
            "--api",
            "vbs-v3",
            "--operation",
            "showBackup",
            "--param",
            "backup_id=b1",
        ],
        vec![],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let printed: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(printed, serde_json::from_str::<Value>(&body).expect("JSON"));
    assert_no_secret(&run, &[PASSWORD, TOKEN]);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn os_cloud_from_the_environment_and_secure_yaml_merged_over_clouds_yaml() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(otc_login_body()))
        .respond_with(keystone_token(&base))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/cbr/v3/{PROJECT}/backups/b2")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(example("cbr-v3", "showBackup", Some(200)).text()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let scratch = Scratch::new("secure");
    let clouds = otc_clouds_yaml(&format!("{base}/v3"))
        .replace(&format!("      password: {PASSWORD}\n"), "");
    let clouds_file = scratch.write("elsewhere.yaml", &clouds);
    let secure = scratch.write(
        "secure.yaml",
        &format!("clouds:\n  otc:\n    auth:\n      password: {PASSWORD}\n"),
    );
    let run = run_in(
        scratch.0.clone(),
        vec![
            "call",
            "--api",
            "cbr-v3",
            "--operation",
            "showBackup",
            "--param",
            "backup_id=b2",
        ],
        vec![
            ("OS_CLOUD", "otc".to_owned()),
            ("OS_CLIENT_CONFIG_FILE", clouds_file.display().to_string()),
            ("OS_CLIENT_SECURE_FILE", secure.display().to_string()),
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &[PASSWORD, TOKEN]);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openrc_environment_logs_in_with_an_application_credential() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .and(body_json(json!({"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": "9da0a8da3d394d09bf49dfc27014d254", "secret": PASSWORD}}}})))
        .respond_with(keystone_token(&base))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/volume/v3/{PROJECT}/backups/b1")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(example("vbs-v3", "showBackup", Some(200)).text()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let scratch = Scratch::new("openrc");
    let run = run_in(
        scratch.0.clone(),
        vec![
            "call",
            "--api",
            "vbs-v3",
            "--operation",
            "showBackup",
            "--param",
            "backup_id=b1",
        ],
        vec![
            ("OS_AUTH_URL", format!("{base}/identity")),
            ("OS_AUTH_TYPE", "v3applicationcredential".to_owned()),
            (
                "OS_APPLICATION_CREDENTIAL_ID",
                "9da0a8da3d394d09bf49dfc27014d254".to_owned(),
            ),
            ("OS_APPLICATION_CREDENTIAL_SECRET", PASSWORD.to_owned()),
            ("OS_REGION_NAME", "eu-de".to_owned()),
            ("OS_INTERFACE", "public".to_owned()),
            ("OS_IDENTITY_API_VERSION", "3".to_owned()),
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &[PASSWORD, TOKEN]);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_login_exits_3_with_the_identity_status_and_message() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "code": 401, "title": "Unauthorized",
            "message": "The request you have made requires authentication."}})))
        .expect(1)
        .mount(&server)
        .await;
    let scratch = Scratch::new("refused");
    scratch.write("clouds.yaml", &otc_clouds_yaml(&format!("{base}/v3")));
    let run = run_in(
        scratch.0.clone(),
        vec![
            "call",
            "--os-cloud",
            "otc",
            "--api",
            "vbs-v3",
            "--operation",
            "showBackup",
            "--param",
            "backup_id=b1",
        ],
        vec![],
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("401"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{base}/v3/auth/tokens")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("The request you have made requires authentication."),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert_no_secret(&run, &[PASSWORD]);
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rackspace_api_key_cloud_uses_the_default_region_of_the_catalog() {
    let server = MockServer::start().await;
    let base = server.uri();
    let endpoint = |region: &str| {
        json!({"region": region, "tenantId": "123456",
               "publicURL": format!("{base}/{}/v2/123456", region.to_lowercase())})
    };
    Mock::given(method("POST"))
        .and(path("/v2.0/tokens"))
        .and(body_json(json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {
            "username": "jsmith", "apiKey": PASSWORD}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access": {
            "token": {"id": TOKEN, "expires": "2099-04-23T09:45:24.000-05:00",
                      "tenant": {"id": "123456", "name": "123456"}},
            "serviceCatalog": [
                {"name": "cloudBackup", "type": "rax:backup",
                 "endpoints": [endpoint("DFW"), endpoint("ORD")]}],
            "user": {"id": "u", "name": "jsmith", "RAX-AUTH:defaultRegion": "ORD"}}})))
        .expect(1)
        .mount(&server)
        .await;
    let body = example("rackspace-backup-v2", "getBackup", Some(200)).text();
    Mock::given(method("GET"))
        .and(path("/ord/v2/123456/backups/7"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let scratch = Scratch::new("rackspace");
    scratch.write(
        "clouds.yaml",
        &format!(
            "clouds:\n  rax:\n    auth_type: rackspace_apikey\n    auth:\n      auth_url: \
             {base}/v2.0/\n      username: jsmith\n      api_key: {PASSWORD}\n"
        ),
    );
    let run = run_in(
        scratch.0.clone(),
        vec![
            "call",
            "--os-cloud",
            "rax",
            "--api",
            "rackspace-backup-v2",
            "--operation",
            "getBackup",
            "--param",
            "backup_id=7",
        ],
        vec![],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &[PASSWORD, TOKEN]);
    server.verify().await;
}

#[test]
fn huawei_sdk_variables_sign_every_request() {
    let gateway = Gateway::start(&[(
        format!("/v3/{PROJECT}/backups/b3"),
        example("cbr-v3", "showBackup", Some(200)).json(),
    )]);
    let scratch = Scratch::new("aksk");
    let url = gateway.url();
    let run = backupctl_in(
        &scratch.0,
        &[
            "call",
            "--api",
            "cbr-v3",
            "--operation",
            "showBackup",
            "--endpoint",
            &url,
            "--param",
            "backup_id=b3",
        ],
        &[
            ("HUAWEICLOUD_SDK_AK", "AKEXAMPLE"),
            ("HUAWEICLOUD_SDK_SK", "SKEXAMPLE"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &["SKEXAMPLE"]);
    let log = gateway.log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["verified"], true, "{:?}", log[0]);
    // A wrong key is refused by the gateway: exit 3 with its code and message.
    let run = backupctl_in(
        &scratch.0,
        &[
            "call",
            "--api",
            "cbr-v3",
            "--operation",
            "showBackup",
            "--endpoint",
            &url,
            "--param",
            "backup_id=b3",
        ],
        &[
            ("HUAWEICLOUD_SDK_AK", "AKEXAMPLE"),
            ("HUAWEICLOUD_SDK_SK", "not-the-secret-key"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
        ],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("APIGW.0301"), "{}", run.stderr);
    assert_no_secret(&run, &["not-the-secret-key"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reads_cloud_accounts_with_one_login_and_no_endpoint() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_json(otc_login_body()))
        .respond_with(keystone_token(&base))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/volume/v3/{PROJECT}/backups/detail")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(example("vbs-v3", "listBackupsDetail", Some(200)).text()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/cbr/v3/{PROJECT}/backups")))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(example("cbr-v3", "listBackups", Some(200)).text()),
        )
        .expect(1..)
        .mount(&server)
        .await;
    let scratch = Scratch::new("status");
    scratch.write("clouds.yaml", &otc_clouds_yaml(&format!("{base}/v3")));
    scratch.write(
        "backupctl.toml",
        "[[account]]\nname = \"volumes\"\napi = \"vbs-v3\"\ncloud = \"otc\"\n\n\
         [[account]]\nname = \"servers\"\napi = \"cbr-v3\"\ncloud = \"otc\"\n",
    );
    let run = run_in(scratch.0.clone(), vec!["status", "-o", "json"], vec![]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let accounts = json["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 2, "{json}");
    assert!(
        accounts.iter().all(|account| account["ok"] == true),
        "{json}"
    );
    assert_no_secret(&run, &[PASSWORD, TOKEN]);
    server.verify().await;
}

#[test]
fn an_aksk_cloud_signs_every_request_and_fills_the_project() {
    let gateway = Gateway::start(&[(
        format!("/v3/{PROJECT}/backups/b4"),
        example("cbr-v3", "showBackup", Some(200)).json(),
    )]);
    let scratch = Scratch::new("aksk-cloud");
    scratch.write(
        "clouds.yaml",
        &format!(
            "clouds:\n  huawei:\n    auth_type: aksk\n    auth:\n      ak: AKEXAMPLE\n      \
             sk: SKEXAMPLE\n      project_id: {PROJECT}\n    region_name: eu-de\n    \
             cbr_endpoint_override: {}\n",
            gateway.url()
        ),
    );
    let run = backupctl_in(
        &scratch.0,
        &[
            "call",
            "--os-cloud",
            "huawei",
            "--api",
            "cbr-v3",
            "--operation",
            "showBackup",
            "--param",
            "backup_id=b4",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_secret(&run, &["SKEXAMPLE"]);
    let log = gateway.log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["verified"], true, "{:?}", log[0]);
}
