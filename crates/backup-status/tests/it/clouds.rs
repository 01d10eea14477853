//! Cloud accounts (`cloud = "NAME"`) against one loopback server playing Keystone v3 and the
//! block-storage service (the shared reference's auth.md 8.1): the token's catalog points
//! `block-storage`/`volumev3` and `volumev2` back at the server under `/volume/v3/<project>` and
//! `/volume/v2/<project>`, and `GET /volume/` answers `300` with Cinder's versions document.
//! clouds.yaml is written to a scratch folder and read through an injected environment.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use backup_clouds::Environment;
use backup_status::{AccountResult, Config, FetchOptions, Report, Thresholds, fetch_all_with};
use serde_json::{Value, json};
use wiremock::matchers::{header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The password of the clouds; it must show up in no output.
const PASSWORD: &str = "pa55-w0rd-never-printed";
/// The secret key of the AK/SK cloud; the same.
const SECRET_KEY: &str = "SK-never-printed-0123456789";
/// The token the fake Keystone issues; the same.
const TOKEN: &str = "tok-from-the-fake-keystone";
/// The project the fake scopes tokens to.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// A folder under the system's temporary folder, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "backup-status-clouds-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Self(dir)
    }

    /// The environment of a process whose working folder is this one, without variables.
    fn environment(&self) -> Environment {
        Environment {
            vars: BTreeMap::new(),
            cwd: self.0.clone(),
            home: None,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A documented example body.
fn example(api: &str, file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../specs/examples")
        .join(api)
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

/// Keystone's 201: the token in `X-Subject-Token`, a catalog pointing at `base`.
fn keystone_token(base: &str) -> ResponseTemplate {
    let now = jiff::Timestamp::now();
    let time = |at: jiff::Timestamp| at.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string();
    let endpoint = |interface: &str, url: String| {
        json!({"id": interface, "interface": interface, "region": "RegionOne",
               "region_id": "RegionOne", "url": url})
    };
    ResponseTemplate::new(201)
        .insert_header("X-Subject-Token", TOKEN)
        .set_body_json(json!({"token": {
            "methods": ["password"],
            "expires_at": time(now + jiff::SignedDuration::from_hours(12)),
            "issued_at": time(now),
            "project": {"domain": {"id": "default", "name": "Default"}, "id": PROJECT, "name": "admin"},
            "user": {"domain": {"id": "default", "name": "Default"}, "id": "u1", "name": "alice"},
            "catalog": [
                {"type": "identity", "name": "keystone", "id": "1",
                 "endpoints": [endpoint("public", format!("{base}/identity/v3"))]},
                {"type": "block-storage", "name": "cinder", "id": "2", "endpoints": [
                    endpoint("internal", format!("{base}/internal/v3/{PROJECT}")),
                    endpoint("public", format!("{base}/volume/v3/{PROJECT}")),
                ]},
                {"type": "volumev3", "name": "cinderv3", "id": "3",
                 "endpoints": [endpoint("public", format!("{base}/alias/v3/{PROJECT}"))]},
                {"type": "volumev2", "name": "cinderv2", "id": "4",
                 "endpoints": [endpoint("public", format!("{base}/volume/v2/{PROJECT}"))]},
            ],
        }}))
}

/// The fake cloud: Keystone (and one that refuses the password), the block-storage service,
/// a plain service for a cloud with a fixed token, and an AK/SK CBR gateway.
fn mount(server: &MockServer) -> Vec<Mock> {
    let base = server.uri();
    let mut v2_list = example("vbs-v2", "listBackupsDetail.200.json");
    // One page: the documented next link points elsewhere.
    v2_list.as_object_mut().unwrap().remove("backups_links");
    let versions = json!({"versions": [
        {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "",
         "links": [{"href": format!("{base}/volume/v2/"), "rel": "self"}]},
        {"id": "v3.0", "status": "CURRENT", "version": "3.70", "min_version": "3.0",
         "links": [{"href": format!("{base}/volume/v3/"), "rel": "self"}]},
    ]});
    vec![
        Mock::given(method("POST"))
            .and(path("/identity/v3/auth/tokens"))
            .respond_with(keystone_token(&base))
            .expect(1),
        Mock::given(method("POST"))
            .and(path("/denied/v3/auth/tokens"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": 401, "title": "Unauthorized",
                "message": "The request you have made requires authentication."}})))
            .expect(1),
        Mock::given(method("GET"))
            .and(path("/volume/"))
            .and(header("x-auth-token", TOKEN))
            .respond_with(ResponseTemplate::new(300).set_body_json(versions))
            .expect(1),
        Mock::given(method("GET"))
            .and(path(format!("/volume/v3/{PROJECT}/backups/detail")))
            .and(header("x-auth-token", TOKEN))
            .and(header("openstack-api-version", "volume 3.64"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(example("vbs-v3", "listBackupsDetail.200.json")),
            )
            .expect(1),
        Mock::given(method("GET"))
            .and(path(format!("/volume/v2/{PROJECT}/backups/detail")))
            .and(header("x-auth-token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(&v2_list))
            .expect(1),
        Mock::given(method("GET"))
            .and(path("/fixed/v2/p-fixed/backups/detail"))
            .and(header("x-auth-token", "fixed-admin-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&v2_list))
            .expect(1),
        Mock::given(method("GET"))
            .and(path("/cbr/v3/p-aksk/backups"))
            .and(header("x-project-id", "p-aksk"))
            .and(header_exists("x-sdk-date"))
            .and(header_exists("authorization"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(example("cbr-v3", "listBackups.200.json")),
            )
            .expect(1),
    ]
}

/// clouds.yaml for the fake at `base`.
fn clouds_yaml(base: &str) -> String {
    format!(
        "clouds:
  fake:
    auth:
      auth_url: {base}/identity
      username: alice
      password: {PASSWORD}
      user_domain_name: Default
      project_name: admin
      project_domain_name: Default
    region_name: RegionOne
  denied:
    auth:
      auth_url: {base}/denied/v3
      username: alice
      password: {PASSWORD}
      user_domain_name: Default
      project_name: admin
      project_domain_name: Default
  fixed:
    auth_type: admin_token
    auth:
      token: fixed-admin-token
    verify: false
    volumev2_endpoint_override: {base}/fixed/v2/p-fixed
  aksk:
    auth_type: aksk
    auth:
      ak: AKEXAMPLE
      sk: {SECRET_KEY}
      project_id: p-aksk
    cbr_endpoint_override: {base}/cbr
  aksk-nowhere:
    auth_type: aksk
    auth:
      ak: AKEXAMPLE
      sk: {SECRET_KEY}
      project_id: p-aksk
"
    )
}

/// The accounts file: two accounts on one cloud, and one per other case.
const ACCOUNTS: &str = r#"
[[account]]
name = "v3"
api = "vbs-v3"
cloud = "fake"

[[account]]
name = "v2"
api = "vbs-v2"
cloud = "fake"

[[account]]
name = "denied"
api = "vbs-v3"
cloud = "denied"

[[account]]
name = "missing"
api = "vbs-v2"
cloud = "nowhere"

[[account]]
name = "fixed"
api = "vbs-v2"
cloud = "fixed"
project_id = "p-fixed"

[[account]]
name = "aksk"
api = "cbr-v3"
cloud = "aksk"

[[account]]
name = "aksk-nowhere"
api = "cbr-v3"
cloud = "aksk-nowhere"
"#;

fn result<'a>(results: &'a [AccountResult], name: &str) -> &'a AccountResult {
    results
        .iter()
        .find(|result| result.name == name)
        .unwrap_or_else(|| panic!("no account {name}"))
}

fn error(result: &AccountResult) -> String {
    match &result.outcome {
        Ok(records) => panic!("{} was read: {records:?}", result.name),
        Err(error) => backup_status::format_account_error(error),
    }
}

#[test]
fn accounts_of_a_cloud_log_in_once_and_find_their_endpoints_in_its_catalog() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        for mock in mount(&server) {
            mock.mount(&server).await;
        }
        server
    });
    let base = server.uri();
    let scratch = Scratch::new("catalog");
    std::fs::write(scratch.0.join("clouds.yaml"), clouds_yaml(&base)).expect("clouds.yaml");
    let env = scratch.environment();
    let loaded = std::sync::Mutex::new(Vec::new());
    let load = |name: &str| {
        loaded.lock().unwrap().push(name.to_owned());
        backup_clouds::load(Some(name), &env)
    };
    let config = Config::parse(ACCOUNTS, "accounts.toml").expect("accounts");
    let options = FetchOptions {
        timeout: Duration::from_secs(10),
        ..FetchOptions::default()
    };
    let results = fetch_all_with(&config.accounts, options, &|_, _, _| {}, &load);

    // Each cloud is loaded once; the two accounts of `fake` logged in once together (the
    // mocks' `expect(1)`, checked below), found their endpoints in the catalog, and the
    // vbs-v3 one negotiated 3.64 (the service allows 3.70) against `GET /volume/`.
    let mut loaded = loaded.into_inner().unwrap();
    loaded.sort();
    assert_eq!(
        loaded,
        ["aksk", "aksk-nowhere", "denied", "fake", "fixed", "nowhere"]
    );
    let v3 = result(&results, "v3");
    assert_eq!(v3.outcome.as_ref().map(Vec::len), Ok(1), "{v3:?}");
    assert_eq!(v3.microversion.as_deref(), Some("3.64"));
    let v2 = result(&results, "v2");
    assert_eq!(v2.outcome.as_ref().map(Vec::len), Ok(3), "{v2:?}");
    assert_eq!(v2.microversion, None);
    // A fixed-token cloud with an endpoint override and the account's project.
    let fixed = result(&results, "fixed");
    assert_eq!(fixed.outcome.as_ref().map(Vec::len), Ok(3), "{fixed:?}");
    assert_eq!(fixed.warnings.len(), 1);
    // AK/SK: signed requests to the cloud's override, the project from the cloud.
    let aksk = result(&results, "aksk");
    assert_eq!(aksk.outcome.as_ref().map(Vec::len), Ok(2), "{aksk:?}");

    // The failed login names the identity URL and status, and says the service's message.
    assert_eq!(
        error(result(&results, "denied")),
        format!(
            "login failed: HTTP 401 at {base}/denied/v3/auth/tokens: Unauthorized: The request \
             you have made requires authentication."
        )
    );
    let missing = error(result(&results, "missing"));
    assert!(
        missing.starts_with("clouds.yaml: ")
            && missing.contains("clouds.yaml: cloud `nowhere` is not defined; clouds defined:"),
        "{missing}"
    );
    let nowhere = error(result(&results, "aksk-nowhere"));
    assert!(
        nowhere.contains("signs with AK/SK, which has no service catalog: give the account an endpoint or a region"),
        "{nowhere}"
    );
    runtime.block_on(server.verify());
    let requests = runtime
        .block_on(server.received_requests())
        .unwrap_or_default();
    let logins = requests
        .iter()
        .filter(|request| request.url.path() == "/identity/v3/auth/tokens")
        .count();
    assert_eq!(logins, 1);

    // The report: the microversion in JSON, the warning once, no secret anywhere.
    let report = Report::new(results.clone(), jiff::Timestamp::now());
    let json = report.json();
    let account = |name: &str| {
        json["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|account| account["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(account("v3")["microversion"], "3.64");
    assert_eq!(account("v2")["microversion"], Value::Null);
    assert_eq!(account("denied")["ok"], false);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].starts_with("warning: cloud fixed (")
            && report.warnings[0].contains("says verify: false"),
        "{:?}",
        report.warnings
    );
    let limits = Thresholds {
        warning: Duration::from_secs(3600),
        critical: Duration::from_secs(7200),
    };
    let outputs = [
        format!("{results:?}"),
        json.to_string(),
        report.table(false),
        report.table(true),
        report.csv(true),
        report.openmetrics(),
        report.check(&|_| limits).text,
        report.account_errors().join("\n"),
        report.warnings.join("\n"),
    ];
    for output in outputs {
        for secret in [PASSWORD, SECRET_KEY, TOKEN, "fixed-admin-token"] {
            assert!(!output.contains(secret), "{secret} in {output}");
        }
    }
}
