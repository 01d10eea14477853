//! Logging in, against loopback fakes: Keystone v3 (also Huawei and OTC IAM), Rackspace
//! Identity v2.0 and, through `tests/fakes/aksk_gateway.py`, a Huawei API gateway that checks
//! AK/SK signatures with its own (Python) implementation. Both clients.
//!
//! The fakes answer like the services (auth.md 8.1, 8.2): Keystone 201 with a fresh
//! `X-Subject-Token` per login and a catalog pointing back at the fake; the service accepts only
//! tokens the fake issued and did not revoke.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use backup_runtime::ApiError;
use backup_runtime::auth::{
    AkSk, AppCredential, Credentials, Domain, KeystoneAuth, KeystoneMethod, Microversion,
    RackspaceAuth, RackspaceCredential, Scope, Secret, Session, User,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::Probe;

/// The password the tests log in with; it must never show up in any message.
const PASSWORD: &str = "pa55-w0rd-never-printed";
/// The project the fake scopes tokens to.
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

/// The tokens the fake Keystone issued, and which the fake service still accepts.
#[derive(Debug, Default)]
struct Tokens {
    issued: AtomicUsize,
    revoked: Mutex<Vec<String>>,
    /// Answer 401 to every token (a service that refuses the user whatever the token).
    refuse_all: std::sync::atomic::AtomicBool,
}

impl Tokens {
    fn accepts(&self, token: &str) -> bool {
        let issued = self.issued.load(Ordering::SeqCst);
        !self.refuse_all.load(Ordering::SeqCst)
            && (1..=issued).any(|n| format!("tok-{n}") == token)
            && !self.revoked.lock().unwrap().iter().any(|t| t == token)
    }
}

/// Keystone's answer: a fresh token per login, expiring after `lifetime` seconds.
struct KeystoneToken {
    tokens: Arc<Tokens>,
    base: String,
    lifetime: i64,
}

impl Respond for KeystoneToken {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.tokens.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let now = jiff::Timestamp::now();
        let expires = now + jiff::SignedDuration::from_secs(self.lifetime);
        let endpoint = |interface: &str, region: &str, url: String| {
            json!({"id": format!("{interface}-{region}"), "interface": interface,
                   "region": region, "region_id": region, "url": url})
        };
        let base = &self.base;
        let catalog = json!([
            {"type": "identity", "name": "keystone", "id": "1",
             "endpoints": [endpoint("public", "RegionOne", format!("{base}/v3"))]},
            // An alias that must lose to the exact type asked for.
            {"type": "volumev3", "name": "cinderv3", "id": "2",
             "endpoints": [endpoint("public", "RegionOne", format!("{base}/alias/v3/{PROJECT}"))]},
            {"type": "block-storage", "name": "cinder", "id": "3",
             "endpoints": [
                endpoint("admin", "RegionOne", format!("{base}/admin/v3/{PROJECT}")),
                endpoint("internal", "RegionOne", format!("{base}/internal/v3/{PROJECT}")),
                endpoint("public", "RegionTwo", format!("{base}/two/v3/{PROJECT}")),
                endpoint("public", "RegionOne", format!("{base}/volume/v3/{PROJECT}")),
             ]},
        ]);
        ResponseTemplate::new(201)
            .insert_header("X-Subject-Token", format!("tok-{n}").as_str())
            .insert_header("x-openstack-request-id", "req-1")
            .set_body_json(json!({"token": {
                "audit_ids": ["a"], "methods": ["password"],
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string(),
                "issued_at": now.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string(),
                "is_domain": false,
                "project": {"domain": {"id": "default", "name": "Default"}, "id": PROJECT, "name": "admin"},
                "roles": [{"id": "r", "name": "member"}],
                "user": {"domain": {"id": "default", "name": "Default"}, "id": "u1", "name": "alice"},
                "catalog": catalog,
            }}))
    }
}

/// The service: a page for a token it accepts, 401 otherwise.
struct Service {
    tokens: Arc<Tokens>,
}

impl Respond for Service {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let token = request
            .headers
            .get("x-auth-token")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if self.tokens.accepts(token) {
            ResponseTemplate::new(200).set_body_json(json!({"items": [1, 2]}))
        } else {
            ResponseTemplate::new(401).set_body_json(json!({"error": {
                "code": 401, "title": "Unauthorized",
                "message": "The request you have made requires authentication."}}))
        }
    }
}

/// A fake cloud: Keystone and the block-storage service on one server.
struct Cloud {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    tokens: Arc<Tokens>,
}

impl Cloud {
    /// Tokens live `lifetime` seconds; the login body must be `expected_login`.
    fn new(lifetime: i64, expected_login: Value) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let tokens = Arc::new(Tokens::default());
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/identity/v3/auth/tokens"))
                .and(header("content-type", "application/json"))
                .and(body_json(&expected_login))
                .respond_with(KeystoneToken {
                    tokens: Arc::clone(&tokens),
                    base: server.uri(),
                    lifetime,
                })
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path(format!("/volume/v3/{PROJECT}/backups/b1")))
                .respond_with(Service {
                    tokens: Arc::clone(&tokens),
                })
                .mount(&server)
                .await;
            server
        });
        Self {
            runtime,
            server,
            tokens,
        }
    }

    fn auth_url(&self) -> String {
        // Without `/v3`: the client adds it, as keystoneauth does.
        format!("{}/identity", self.server.uri())
    }

    fn requests(&self) -> Vec<(String, String, Option<String>)> {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
            .iter()
            .map(|request| {
                (
                    request.method.to_string(),
                    request.url.path().to_owned(),
                    request
                        .headers
                        .get("x-auth-token")
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned),
                )
            })
            .collect()
    }

    fn logins(&self) -> usize {
        self.requests()
            .iter()
            .filter(|(method, path, _)| method == "POST" && path.ends_with("/auth/tokens"))
            .count()
    }

    fn service_calls(&self) -> Vec<Option<String>> {
        self.requests()
            .into_iter()
            .filter(|(_, path, _)| path.starts_with("/volume/"))
            .map(|(_, _, token)| token)
            .collect()
    }
}

/// Password login by user name and domain, scoped to a project by name and domain.
fn password_auth(auth_url: String) -> KeystoneAuth {
    KeystoneAuth {
        auth_url,
        method: KeystoneMethod::Password {
            user: User::Name {
                name: "alice".to_owned(),
                domain: Domain::Name("Default".to_owned()),
            },
            password: Secret::new(PASSWORD),
        },
        scope: Some(Scope::ProjectName {
            name: "admin".to_owned(),
            domain: Some(Domain::Name("Default".to_owned())),
        }),
    }
}

fn password_body() -> Value {
    json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "Default"}, "password": PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
    }})
}

const BLOCK_STORAGE: &[&str] = &["block-storage", "volumev3", "volume"];

fn show() -> Probe {
    Probe::get(&format!("/v3/{PROJECT}/backups/b1"))
}

/// Nothing the test logged in with appears in `text`.
fn assert_no_secret(text: &str) {
    assert!(!text.contains(PASSWORD), "the password leaked: {text}");
}

#[cfg(feature = "blocking")]
mod blocking {
    use backup_runtime::blocking::Client;

    use super::*;

    #[test]
    fn password_login_finds_the_exact_type_in_the_region_and_logs_in_once() {
        let cloud = Cloud::new(3600, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .build()
            .expect("client");
        for _ in 0..3 {
            let page = client.call(&show()).expect("the call");
            assert_eq!(page.items, [1, 2]);
        }
        assert_eq!(cloud.logins(), 1);
        assert_eq!(cloud.service_calls(), vec![Some("tok-1".to_owned()); 3]);
        // The catalog URL held the version and project: only the rest was appended.
        assert_eq!(
            client.resolved_url().as_deref(),
            Some(format!("{}/volume/v3/{PROJECT}", cloud.server.uri()).as_str())
        );
        assert_eq!(
            client.project_id().expect("project"),
            Some(PROJECT.to_owned())
        );
        assert_no_secret(&format!("{client:?}"));
    }

    #[test]
    fn the_interface_and_region_pick_the_endpoint() {
        let cloud = Cloud::new(3600, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionTwo")
            .build()
            .expect("client");
        let url = client.request_url(&show()).expect("url");
        assert_eq!(
            url,
            format!("{}/two/v3/{PROJECT}/backups/b1", cloud.server.uri())
        );
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .interface("internal")
            .build()
            .expect("client");
        let url = client.request_url(&show()).expect("url");
        assert_eq!(
            url,
            format!("{}/internal/v3/{PROJECT}/backups/b1", cloud.server.uri())
        );
        // An alias asked for alone finds its own entry.
        let client = Client::discover(&["volumev3"])
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .build()
            .expect("client");
        let url = client.request_url(&show()).expect("url");
        assert_eq!(
            url,
            format!("{}/alias/v3/{PROJECT}/backups/b1", cloud.server.uri())
        );
    }

    #[test]
    fn a_401_renews_the_token_and_sends_once_more() {
        let cloud = Cloud::new(3600, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .build()
            .expect("client");
        client.call(&show()).expect("first call");
        cloud
            .tokens
            .revoked
            .lock()
            .unwrap()
            .push("tok-1".to_owned());
        client
            .call(&show())
            .expect("the call after the token was revoked");
        assert_eq!(cloud.logins(), 2);
        assert_eq!(
            cloud.service_calls(),
            [Some("tok-1"), Some("tok-1"), Some("tok-2")].map(|t| t.map(str::to_owned))
        );
    }

    #[test]
    fn a_second_401_is_the_error() {
        let cloud = Cloud::new(3600, password_body());
        cloud.tokens.refuse_all.store(true, Ordering::SeqCst);
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .build()
            .expect("client");
        let err = client.call(&show()).unwrap_err();
        assert_eq!(err.status(), Some(401), "{err}");
        assert_eq!(cloud.logins(), 2);
        assert_eq!(cloud.service_calls().len(), 2);
        assert_no_secret(&err.to_string());
    }

    #[test]
    fn a_token_that_expires_within_120_s_is_renewed_before_the_call() {
        let cloud = Cloud::new(30, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .build()
            .expect("client");
        client.call(&show()).expect("first call");
        client.call(&show()).expect("second call");
        assert_eq!(cloud.logins(), 2);
        assert_eq!(
            cloud.service_calls(),
            [Some("tok-1"), Some("tok-2")].map(|t| t.map(str::to_owned))
        );
    }

    #[test]
    fn clients_and_threads_sharing_a_session_log_in_once() {
        let cloud = Cloud::new(3600, password_body());
        let session = Session::keystone(password_auth(cloud.auth_url()));
        let clients: Vec<Client> = (0..4)
            .map(|_| {
                Client::discover(BLOCK_STORAGE)
                    .session(session.clone())
                    .region("RegionOne")
                    .build()
                    .expect("client")
            })
            .collect();
        std::thread::scope(|scope| {
            for client in &clients {
                scope.spawn(|| {
                    for _ in 0..3 {
                        client.call(&show()).expect("call");
                    }
                });
            }
        });
        assert_eq!(cloud.logins(), 1);
        assert_eq!(cloud.service_calls().len(), 12);
    }

    #[test]
    fn a_failed_login_names_the_identity_endpoint_status_and_message() {
        // The body the fake expects differs from what is sent: Keystone answers 401.
        let cloud = Cloud::new(3600, json!({"auth": "something else"}));
        cloud.runtime.block_on(
            Mock::given(method("POST"))
                .and(path("/identity/v3/auth/tokens"))
                .respond_with(
                    ResponseTemplate::new(401)
                        .insert_header("WWW-Authenticate", "Keystone uri=\"http://x/v3\"")
                        .set_body_json(json!({"error": {"code": 401, "title": "Unauthorized",
                            "message": "The request you have made requires authentication."}})),
                )
                .with_priority(10)
                .mount(&cloud.server),
        );
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .build()
            .expect("client");
        let err = client.call(&show()).unwrap_err();
        let ApiError::Login(login) = &err else {
            panic!("expected a login error, got {err:?}");
        };
        assert_eq!(login.status, Some(401));
        assert_eq!(
            login.identity_url,
            format!("{}/v3/auth/tokens", cloud.auth_url())
        );
        let text = err.to_string();
        assert!(
            text.contains("The request you have made requires authentication."),
            "{text}"
        );
        assert!(text.contains(&login.identity_url), "{text}");
        assert_no_secret(&text);
        assert_no_secret(&format!("{err:?}"));
        assert_eq!(cloud.logins(), 1, "a failed login is not retried");
        assert!(cloud.service_calls().is_empty());
    }

    #[test]
    fn an_application_credential_is_sent_without_a_scope() {
        let body = json!({"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": "423f19a4ac1e4f48bbb4180756e6eb6c", "secret": PASSWORD}}}});
        let cloud = Cloud::new(3600, body);
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(KeystoneAuth {
                auth_url: format!("{}/v3/", cloud.auth_url()),
                method: KeystoneMethod::ApplicationCredential {
                    credential: AppCredential::Id("423f19a4ac1e4f48bbb4180756e6eb6c".to_owned()),
                    secret: Secret::new(PASSWORD),
                },
                scope: None,
            }))
            .region("RegionOne")
            .build()
            .expect("client");
        client.call(&show()).expect("call");
        assert_eq!(cloud.logins(), 1);
    }

    #[test]
    fn an_endpoint_override_takes_the_project_from_the_login() {
        let cloud = Cloud::new(3600, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .endpoint_override(format!("{}/volume/v3/%(project_id)s", cloud.server.uri()))
            .build()
            .expect("client");
        client.call(&show()).expect("call");
        assert_eq!(
            client.resolved_url().as_deref(),
            Some(format!("{}/volume/v3/{PROJECT}", cloud.server.uri()).as_str())
        );
    }

    #[test]
    fn the_microversion_is_the_highest_both_sides_know() {
        let cloud = Cloud::new(3600, password_body());
        cloud.runtime.block_on(async {
            Mock::given(method("GET"))
                .and(path("/volume/"))
                .respond_with(ResponseTemplate::new(300).set_body_json(json!({"versions": [
                    {"id": "v3.0", "status": "CURRENT", "version": "3.70", "min_version": "3.0"}]})))
                .expect(1)
                .mount(&cloud.server)
                .await;
            Mock::given(method("GET"))
                .and(path(format!("/volume/v3/{PROJECT}/backups/b2")))
                .and(header("OpenStack-API-Version", "volume 3.64"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
                .expect(2)
                .mount(&cloud.server)
                .await;
        });
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .negotiate_microversion("volume", Microversion::new(3, 64))
            .build()
            .expect("client");
        let show = Probe::get(&format!("/v3/{PROJECT}/backups/b2"));
        client.call(&show).expect("call");
        client.call(&show).expect("call");
        assert_eq!(client.microversion(), Some(Microversion::new(3, 64)));
        cloud.runtime.block_on(cloud.server.verify());
    }

    #[test]
    fn rackspace_api_key_login_uses_the_default_region_unless_one_is_given() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let server = runtime.block_on(MockServer::start());
        let base = server.uri();
        let endpoint = |region: &str| {
            json!({"region": region, "tenantId": "123456",
                   "publicURL": format!("{base}/{}/v2/123456", region.to_lowercase())})
        };
        let access = json!({"access": {
            "token": {"id": "rax-token-1", "expires": "2099-04-23T09:45:24.000-05:00",
                      "tenant": {"id": "123456", "name": "123456"},
                      "RAX-AUTH:authenticatedBy": ["APIKEY"]},
            "serviceCatalog": [
                {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [endpoint("ORD")]},
                {"name": "cloudBackup", "type": "rax:backup", "endpoints": [endpoint("DFW"), endpoint("ORD")]},
            ],
            "user": {"id": "u", "name": "jsmith", "RAX-AUTH:defaultRegion": "ORD", "roles": []},
        }});
        runtime.block_on(async {
            Mock::given(method("POST"))
                .and(path("/v2.0/tokens"))
                .and(body_json(json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {
                    "username": "jsmith", "apiKey": PASSWORD}}})))
                .respond_with(ResponseTemplate::new(200).set_body_json(&access))
                .expect(2)
                .mount(&server)
                .await;
            for region in ["ord", "dfw"] {
                Mock::given(method("GET"))
                    .and(path(format!("/{region}/v2/123456/backups/7")))
                    .and(header("X-Auth-Token", "rax-token-1"))
                    .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [7]})))
                    .expect(1)
                    .mount(&server)
                    .await;
            }
        });
        let rackspace = RackspaceAuth {
            auth_url: format!("{base}/v2.0/"),
            username: "jsmith".to_owned(),
            credential: RackspaceCredential::ApiKey(Secret::new(PASSWORD)),
            tenant_id: None,
            tenant_name: None,
        };
        let show = Probe::get("/v2/123456/backups/7");
        let default_region = Client::discover(&["rax:backup"])
            .credentials(Credentials::Rackspace(rackspace.clone()))
            .build()
            .expect("client");
        assert_eq!(default_region.call(&show).expect("call").items, [7]);
        let dfw = Client::discover(&["rax:backup"])
            .credentials(Credentials::Rackspace(rackspace))
            .region("DFW")
            .build()
            .expect("client");
        assert_eq!(dfw.call(&show).expect("call").items, [7]);
        runtime.block_on(server.verify());
    }

    #[test]
    fn aksk_signatures_are_accepted_by_an_independent_verifier() {
        let gateway = crate::gateway::Gateway::start(&[(
            format!("/v3/{PROJECT}/backups"),
            json!({"items": [3]}),
        )]);
        let signer = AkSk {
            access_key: "AKEXAMPLE".to_owned(),
            secret_key: Secret::new("SKEXAMPLE"),
            project_id: Some(PROJECT.to_owned()),
            security_token: Some(Secret::new("temporary-security-token")),
        };
        let client = Client::discover(&["cbr"])
            .credentials(Credentials::AkSk(signer.clone()))
            .endpoint_override(gateway.url())
            .build()
            .expect("client");
        let mut list = Probe::get(&format!("/v3/{PROJECT}/backups"));
        list.query = vec![
            ("resource_type", "OS::Cinder::Volume".to_owned()),
            ("name", "a b+c/ü".to_owned()),
            ("limit", "10".to_owned()),
        ];
        assert_eq!(client.call(&list).expect("signed call").items, [3]);
        // The same request with the wrong secret key is refused by the gateway.
        let wrong = Client::discover(&["cbr"])
            .credentials(Credentials::AkSk(AkSk {
                secret_key: Secret::new("not-the-key"),
                ..signer
            }))
            .endpoint_override(gateway.url())
            .build()
            .expect("client");
        let err = wrong.call(&list).unwrap_err();
        assert_eq!(err.status(), Some(401), "{err}");
        assert!(err.to_string().contains("APIGW.0301"), "{err}");
        let log = gateway.log();
        assert_eq!(log.len(), 2, "{log:?}");
        assert_eq!(log[0]["verified"], true, "{:?}", log[0]);
        assert_eq!(log[1]["verified"], false);
        let query = log[0]["query"].as_str().unwrap_or_default();
        assert!(query.contains("name=a%20b%2Bc%2F%C3%BC"), "{query}");
        assert!(!query.contains('+'), "{query}");
        let headers = &log[0]["headers"];
        assert_eq!(headers["x-project-id"], PROJECT);
        let authorization = headers["authorization"].as_str().unwrap_or_default();
        assert!(
            authorization.contains("x-project-id") && authorization.contains("x-security-token"),
            "{authorization}"
        );
        assert!(!err.to_string().contains("SKEXAMPLE"));
    }

    #[test]
    fn aksk_without_an_endpoint_is_an_endpoint_error() {
        let client = Client::discover(&["cbr"])
            .credentials(Credentials::AkSk(AkSk {
                access_key: "AK".to_owned(),
                secret_key: Secret::new("SK"),
                project_id: None,
                security_token: None,
            }))
            .build()
            .expect("client");
        let err = client.call(&show()).unwrap_err();
        assert!(matches!(err, ApiError::Endpoint(_)), "{err:?}");
        assert!(err.to_string().contains("AK/SK"), "{err}");
    }
}

#[cfg(feature = "async")]
mod nonblocking {
    use backup_runtime::nonblocking::Client;

    use super::*;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
            .block_on(future)
    }

    #[test]
    fn password_login_catalog_renewal_after_401_and_failed_login() {
        let cloud = Cloud::new(3600, password_body());
        let client = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(password_auth(cloud.auth_url())))
            .region("RegionOne")
            .build()
            .expect("client");
        block_on(async {
            client.call(&show()).await.expect("first call");
            client.call(&show()).await.expect("second call");
        });
        assert_eq!(cloud.logins(), 1);
        cloud
            .tokens
            .revoked
            .lock()
            .unwrap()
            .push("tok-1".to_owned());
        block_on(client.call(&show())).expect("the call after the token was revoked");
        assert_eq!(cloud.logins(), 2);
        cloud.tokens.refuse_all.store(true, Ordering::SeqCst);
        let err = block_on(client.call(&show())).unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert_eq!(
            cloud.logins(),
            3,
            "one renewal, then the second 401 is the error"
        );
        assert_eq!(
            block_on(client.project_id()).expect("project"),
            Some(PROJECT.to_owned())
        );
        let wrong = Client::discover(BLOCK_STORAGE)
            .credentials(Credentials::Keystone(KeystoneAuth {
                method: KeystoneMethod::Password {
                    user: User::Id("u1".to_owned()),
                    password: Secret::new(PASSWORD),
                },
                ..password_auth(cloud.auth_url())
            }))
            .build()
            .expect("client");
        let err = block_on(wrong.call(&show())).unwrap_err();
        let ApiError::Login(login) = &err else {
            panic!("expected a login error, got {err:?}");
        };
        // wiremock answers 404 to a body it does not expect.
        assert_eq!(login.status, Some(404));
        assert_no_secret(&err.to_string());
    }

    #[test]
    fn aksk_signatures_are_accepted_by_an_independent_verifier() {
        let gateway = crate::gateway::Gateway::start(&[(
            format!("/v3/{PROJECT}/checkpoints"),
            json!({"items": [4]}),
        )]);
        let client = Client::discover(&["cbr"])
            .credentials(Credentials::AkSk(AkSk {
                access_key: "AKEXAMPLE".to_owned(),
                secret_key: Secret::new("SKEXAMPLE"),
                project_id: Some(PROJECT.to_owned()),
                security_token: None,
            }))
            .endpoint_override(gateway.url())
            .build()
            .expect("client");
        let mut create = Probe::get(&format!("/v3/{PROJECT}/checkpoints"));
        create.method = backup_runtime::Method::Post;
        create.body = Some((
            "application/json",
            br#"{"checkpoint":{"parameters":{"auto_trigger":false}}}"#.to_vec(),
        ));
        let page = block_on(client.call(&create)).expect("signed call");
        assert_eq!(page.items, [4]);
        let log = gateway.log();
        assert_eq!(log[0]["verified"], true, "{:?}", log[0]);
    }
}
