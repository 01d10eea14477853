//! Identity services, sans-IO: the login request of Keystone v3 (OpenStack, Huawei Cloud and
//! OTC IAM) and Rackspace Identity v2.0, and the reading of their answers into a [`Login`].
//!
//! Sources (collected in the project's `shared/reference/auth.md`, sections 1, 2.1, 4 and 6):
//!
//! * Keystone v3 request bodies: keystone `api-ref/source/v3/samples/` (`admin/auth-password-*`,
//!   `auth/requests/project-id-password.json`, `project-name-password.json`,
//!   `admin/auth-token-scoped-request.json`, `admin/auth-application-credential-*-request.json`)
//!   and keystoneauth `keystoneauth1/identity/v3/base.py` (`token_url`, `get_auth_ref`),
//!   `password.py`, `token.py` (`X-Auth-Token` on the auth request), `application_credential.py`.
//! * Keystone v3 answer: keystone `keystone/api/auth.py` (201, `X-Subject-Token`),
//!   `samples/auth/responses/project-scoped-password.json`; errors
//!   `keystone/server/flask/application.py` (`{"error":{"code","title","message"}}`) and
//!   `keystone/auth/core.py` (an application credential cannot request a scope).
//! * Huawei Cloud / OTC IAM: hw-go `services/iam/v3/model/model_pwd_password_user*.go`,
//!   `model_auth_scope*.go`, `model_token_result.go`; gateway errors
//!   `{"error_msg","error_code"}` (API Request Signing Guide, "Common Errors").
//! * Rackspace Identity v2.0: rackerlabs/docs-cloud-backup
//!   `api-docs/cloud-backup-v2/common-gs/samples/auth-req-curl.rst`, `auth-resp-json.rst`;
//!   rackspace-keystoneauth-plugin `rackspaceauth/v2.py`; keystoneauth `identity/v2.py`
//!   (`tenantId`/`tenantName` beside the credential); faults named after the fault (Rackspace
//!   Auth v1.1 developer guide, "Faults").
//! * Expiry margin: keystoneauth `identity/base.py` (`_needs_reauthenticate`,
//!   `MIN_TOKEN_LIFE_SECONDS = 120`), gtema/openstack `sdk/auth-core/src/authtoken.rs` (60 s).

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::catalog::Catalog;
use super::{AuthToken, Secret};

/// A domain, by id or by name (Huawei and OTC: the account name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Domain {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ...}`
    Name(String),
}

/// A Keystone user: by id (no domain), or by name within a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ..., "domain": ...}`
    Name {
        /// The user name.
        name: String,
        /// The user's domain.
        domain: Domain,
    },
}

/// What a Keystone token is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `{"project": {"id": ...}}`
    ProjectId(String),
    /// `{"project": {"name": ..., "domain": ...}}`; Huawei and OTC IAM take the region as the
    /// project name and no domain.
    ProjectName {
        /// The project name.
        name: String,
        /// The project's domain, when given.
        domain: Option<Domain>,
    },
    /// `{"domain": ...}`
    Domain(Domain),
    /// `{"system": {"all": true}}`
    System,
}

/// An application credential: by id, or by name and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCredential {
    /// `{"id": ...}`
    Id(String),
    /// `{"name": ..., "user": ...}`
    Name {
        /// The credential's name.
        name: String,
        /// Its owner.
        user: User,
    },
}

/// A Keystone v3 authentication method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeystoneMethod {
    /// `password`
    Password {
        /// Who logs in.
        user: User,
        /// The password.
        password: Secret,
    },
    /// `token`: an existing token exchanged for a (re)scoped one.
    Token(Secret),
    /// `application_credential`; never sent with a scope.
    ApplicationCredential {
        /// Which credential.
        credential: AppCredential,
        /// Its secret.
        secret: Secret,
    },
}

/// Keystone v3 login settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoneAuth {
    /// `auth_url` as users give it, with or without `/v3`.
    pub auth_url: String,
    /// How to authenticate.
    pub method: KeystoneMethod,
    /// What to scope the token to (none: unscoped, or the credential's own project).
    pub scope: Option<Scope>,
}

/// A Rackspace Identity v2.0 credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RackspaceCredential {
    /// `RAX-KSKEY:apiKeyCredentials`
    ApiKey(Secret),
    /// `passwordCredentials`
    Password(Secret),
}

/// Rackspace Identity v2.0 login settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RackspaceAuth {
    /// e.g. `https://identity.api.rackspacecloud.com/v2.0/` (with or without `/v2.0`).
    pub auth_url: String,
    /// The user name.
    pub username: String,
    /// API key or password.
    pub credential: RackspaceCredential,
    /// `tenantId` beside the credential, when set.
    pub tenant_id: Option<String>,
    /// `tenantName` beside the credential, when set.
    pub tenant_name: Option<String>,
}

/// What a successful login gives.
#[derive(Debug, Clone)]
pub struct Login {
    /// The token (Keystone: the `X-Subject-Token` header; Rackspace: `access.token.id`).
    pub token: AuthToken,
    /// When it expires, if the service said.
    pub expires_at: Option<jiff::Timestamp>,
    /// The project (tenant) the token is scoped to.
    pub project_id: Option<String>,
    /// The user the token belongs to.
    pub user_id: Option<String>,
    /// The service catalog (empty when the answer had none).
    pub catalog: Catalog,
    /// Rackspace's `RAX-AUTH:defaultRegion` of the user.
    pub default_region: Option<String>,
}

/// A login failed: names the identity endpoint, the HTTP status and the service's message,
/// never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginError {
    /// The URL the login was sent to.
    pub identity_url: String,
    /// The HTTP status, when an answer arrived.
    pub status: Option<u16>,
    /// The identity service's message, or what went wrong.
    pub message: String,
}

impl fmt::Display for LoginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(
                f,
                "login at {} failed: HTTP {status}: {}",
                self.identity_url, self.message
            ),
            None => write!(f, "login at {} failed: {}", self.identity_url, self.message),
        }
    }
}

impl std::error::Error for LoginError {}

/// A login request ready for any HTTP library: always `POST` with a JSON body.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    /// The token URL.
    pub url: String,
    /// Headers other than `sensitive`.
    pub headers: Vec<(&'static str, String)>,
    /// A header whose value is a secret (Keystone's token method sends the old token as
    /// `X-Auth-Token`): send it marked sensitive.
    pub sensitive: Option<(&'static str, Secret)>,
    /// The JSON body; it holds secrets and must never be printed.
    pub body: Secret,
}

/// The answer header that carries a Keystone v3 token (keystone `keystone/api/auth.py`, `post`).
const SUBJECT_TOKEN_HEADER: &str = "X-Subject-Token";

/// The request header that carries the old token of the `token` method (keystoneauth
/// `identity/v3/token.py`).
const AUTH_TOKEN_HEADER: &str = "X-Auth-Token";

/// Keystone's multi-factor answer header (keystone api-ref `authenticate-v3.inc`).
const AUTH_RECEIPT_HEADER: &str = "Openstack-Auth-Receipt";

/// How many characters of an answer that is no known error document an error quotes.
const BODY_QUOTE_CHARS: usize = 200;

/// How many characters of a service's own error message an error keeps.
const MESSAGE_CHARS: usize = 500;

/// What [`KeystoneAuth::request`] says of an application credential with a scope. Keystone
/// answers such a request with 401 "Application credentials cannot request a scope." (keystone
/// `keystone/auth/core.py`, `_validate_and_normalize_scope_data`).
const APP_CREDENTIAL_SCOPED: &str = "an application credential cannot be scoped (Keystone refuses \
     it): remove the project or domain; the token is scoped to the credential's own project";

impl Login {
    /// Whether the token expires within `margin` of `now` (or has expired): time to log in
    /// again before the next call. A token whose expiry is unknown never "expires within".
    ///
    /// keystoneauth renews when fewer than 120 s are left (`identity/base.py`,
    /// `MIN_TOKEN_LIFE_SECONDS`); gtema/openstack when fewer than 60 s are
    /// (`VALIDITY_MARGIN`).
    pub fn expires_within(&self, margin: Duration, now: jiff::Timestamp) -> bool {
        let Some(expires_at) = self.expires_at else {
            return false;
        };
        match now.checked_add(margin) {
            Ok(deadline) => expires_at <= deadline,
            // A margin beyond the representable range covers every expiry.
            Err(_) => true,
        }
    }
}

impl Domain {
    /// `{"id": ..}` or `{"name": ..}`.
    fn to_json(&self) -> Value {
        match self {
            Domain::Id(id) => json!({ "id": id }),
            Domain::Name(name) => json!({ "name": name }),
        }
    }
}

impl User {
    /// `{"id": ..}` (no domain) or `{"name": .., "domain": ..}` (keystone samples
    /// `project-id-password.json`, `auth-password-unscoped-request-with-domain.json`).
    fn to_json(&self) -> Map<String, Value> {
        let mut user = Map::new();
        match self {
            User::Id(id) => {
                user.insert("id".to_owned(), Value::from(id.as_str()));
            }
            User::Name { name, domain } => {
                user.insert("name".to_owned(), Value::from(name.as_str()));
                user.insert("domain".to_owned(), domain.to_json());
            }
        }
        user
    }
}

impl Scope {
    /// The `scope` object (keystoneauth `identity/v3/base.py`, `get_auth_ref`; Huawei and OTC:
    /// a project by name without a domain).
    fn to_json(&self) -> Value {
        match self {
            Scope::ProjectId(id) => json!({ "project": { "id": id } }),
            Scope::ProjectName { name, domain } => {
                let mut project = Map::new();
                project.insert("name".to_owned(), Value::from(name.as_str()));
                if let Some(domain) = domain {
                    project.insert("domain".to_owned(), domain.to_json());
                }
                json!({ "project": project })
            }
            Scope::Domain(domain) => json!({ "domain": domain.to_json() }),
            Scope::System => json!({ "system": { "all": true } }),
        }
    }
}

impl KeystoneMethod {
    /// The method's name, in `methods` and as the key of its data.
    fn name(&self) -> &'static str {
        match self {
            KeystoneMethod::Password { .. } => "password",
            KeystoneMethod::Token(_) => "token",
            KeystoneMethod::ApplicationCredential { .. } => "application_credential",
        }
    }

    /// The method's data (keystone api-ref samples; keystoneauth `identity/v3/password.py`,
    /// `token.py`, `application_credential.py`).
    fn to_json(&self) -> Value {
        match self {
            KeystoneMethod::Password { user, password } => {
                let mut user = user.to_json();
                user.insert("password".to_owned(), Value::from(password.expose()));
                json!({ "user": user })
            }
            KeystoneMethod::Token(token) => json!({ "id": token.expose() }),
            KeystoneMethod::ApplicationCredential { credential, secret } => {
                let mut data = Map::new();
                match credential {
                    AppCredential::Id(id) => {
                        data.insert("id".to_owned(), Value::from(id.as_str()));
                    }
                    AppCredential::Name { name, user } => {
                        data.insert("name".to_owned(), Value::from(name.as_str()));
                        data.insert("user".to_owned(), Value::Object(user.to_json()));
                    }
                }
                data.insert("secret".to_owned(), Value::from(secret.expose()));
                Value::Object(data)
            }
        }
    }

    /// The secret texts a message must never show.
    fn secrets(&self) -> Vec<&str> {
        match self {
            KeystoneMethod::Password { password, .. } => vec![password.expose()],
            KeystoneMethod::Token(token) => vec![token.expose()],
            KeystoneMethod::ApplicationCredential { secret, .. } => vec![secret.expose()],
        }
    }
}

impl KeystoneAuth {
    /// The token URL: `{auth_url}/auth/tokens` when `auth_url` ends in `v3`, else
    /// `{auth_url}/v3/auth/tokens`.
    ///
    /// A trailing `/` is ignored (keystoneauth `identity/v3/base.py`, `token_url`).
    pub fn token_url(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        if base.ends_with("v3") {
            format!("{base}/auth/tokens")
        } else {
            format!("{base}/v3/auth/tokens")
        }
    }

    /// The login request.
    ///
    /// The body is `{"auth":{"identity":{"methods":[m],"m":{..}},"scope":{..}}}` with `scope`
    /// left out for an unscoped token (keystoneauth `identity/v3/base.py`, `get_auth_ref`;
    /// keystone api-ref samples). The token method also sends the old token as `X-Auth-Token`
    /// (keystoneauth `identity/v3/token.py`), in [`LoginRequest::sensitive`].
    ///
    /// # Errors
    ///
    /// An application credential with a scope (Keystone refuses it).
    pub fn request(&self) -> Result<LoginRequest, LoginError> {
        let url = self.token_url();
        if matches!(self.method, KeystoneMethod::ApplicationCredential { .. })
            && self.scope.is_some()
        {
            return Err(LoginError {
                identity_url: url,
                status: None,
                message: APP_CREDENTIAL_SCOPED.to_owned(),
            });
        }
        let name = self.method.name();
        let mut identity = Map::new();
        identity.insert("methods".to_owned(), json!([name]));
        identity.insert(name.to_owned(), self.method.to_json());
        let mut auth = Map::new();
        auth.insert("identity".to_owned(), Value::Object(identity));
        if let Some(scope) = &self.scope {
            auth.insert("scope".to_owned(), scope.to_json());
        }
        let sensitive = match &self.method {
            KeystoneMethod::Token(token) => Some((AUTH_TOKEN_HEADER, token.clone())),
            _ => None,
        };
        Ok(LoginRequest {
            url,
            headers: json_headers(),
            sensitive,
            body: Secret::new(json!({ "auth": auth }).to_string()),
        })
    }

    /// Reads the answer to [`KeystoneAuth::request`].
    ///
    /// Keystone answers 201 (200 is taken too) with the token in the `X-Subject-Token` header
    /// (any case) and `{"token":{"expires_at","project":{"id"},"user":{"id"},"catalog":[..]}}`
    /// (keystone `keystone/api/auth.py`, `samples/auth/responses/project-scoped-password.json`;
    /// Huawei and OTC IAM: hw-go `model_token_result.go`). `expires_at` is RFC 3339 with any
    /// offset (one without an offset is read as UTC); one that does not parse is left unknown.
    ///
    /// # Errors
    ///
    /// Any status but 201, no `X-Subject-Token`, a body that is not a token. The message is the
    /// service's own (Keystone's `title: message`, Huawei's `error_code: error_msg`, a
    /// Rackspace-style fault's `message`) or the start of the body; it never holds a secret.
    pub fn parse_response(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Login, LoginError> {
        let url = self.token_url();
        if !matches!(status, 200 | 201) {
            return Err(answer_error(
                url,
                status,
                "201 Created",
                headers,
                body,
                &self.method.secrets(),
            ));
        }
        let fail = |message: String| LoginError {
            identity_url: url.clone(),
            status: Some(status),
            message,
        };
        let token = header(headers, SUBJECT_TOKEN_HEADER)
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                fail(format!(
                    "the answer has no {SUBJECT_TOKEN_HEADER} header, which carries the token \
                     (is auth_url a Keystone v3 identity service?)"
                ))
            })?;
        let document = json_object(body).map_err(&fail)?;
        let Some(Value::Object(data)) = document.get("token") else {
            return Err(fail(
                "the answer is no Keystone token: it has no \"token\" object".to_owned(),
            ));
        };
        Ok(Login {
            token: AuthToken::new(token),
            expires_at: data
                .get("expires_at")
                .and_then(Value::as_str)
                .and_then(parse_timestamp),
            project_id: id_of(data.get("project")),
            user_id: id_of(data.get("user")),
            catalog: data
                .get("catalog")
                .map_or_else(Catalog::default, Catalog::from_keystone),
            default_region: None,
        })
    }
}

impl RackspaceAuth {
    /// The token URL: `{auth_url}/tokens` when `auth_url` ends in `v2.0`, else
    /// `{auth_url}/v2.0/tokens`.
    ///
    /// A trailing `/` is ignored (openstacksdk `vendors/rackspace.json` gives
    /// `https://identity.api.rackspacecloud.com/v2.0/`).
    pub fn token_url(&self) -> String {
        let base = self.auth_url.trim_end_matches('/');
        if base.ends_with("v2.0") {
            format!("{base}/tokens")
        } else {
            format!("{base}/v2.0/tokens")
        }
    }

    /// The login request: `{"auth":{"RAX-KSKEY:apiKeyCredentials":{"username","apiKey"}}}` or
    /// `{"auth":{"passwordCredentials":{"username","password"}}}`, with `tenantId` and
    /// `tenantName` beside the credential when set (rackspace-keystoneauth-plugin
    /// `rackspaceauth/v2.py`; keystoneauth `identity/v2.py`; rackerlabs/docs-cloud-backup
    /// `common-gs/samples/auth-req-curl.rst`).
    ///
    /// # Errors
    ///
    /// None today; the `Result` mirrors [`KeystoneAuth::request`].
    pub fn request(&self) -> Result<LoginRequest, LoginError> {
        let (key, credential) = match &self.credential {
            RackspaceCredential::ApiKey(key) => (
                "RAX-KSKEY:apiKeyCredentials",
                json!({ "username": self.username, "apiKey": key.expose() }),
            ),
            RackspaceCredential::Password(password) => (
                "passwordCredentials",
                json!({ "username": self.username, "password": password.expose() }),
            ),
        };
        let mut auth = Map::new();
        auth.insert(key.to_owned(), credential);
        if let Some(tenant_id) = &self.tenant_id {
            auth.insert("tenantId".to_owned(), Value::from(tenant_id.as_str()));
        }
        if let Some(tenant_name) = &self.tenant_name {
            auth.insert("tenantName".to_owned(), Value::from(tenant_name.as_str()));
        }
        Ok(LoginRequest {
            url: self.token_url(),
            headers: json_headers(),
            sensitive: None,
            body: Secret::new(json!({ "auth": auth }).to_string()),
        })
    }

    /// Reads the answer to [`RackspaceAuth::request`].
    ///
    /// Rackspace answers 200 (203 is taken too) with
    /// `{"access":{"token":{"id","expires","tenant":{"id"}},"user":{"id",
    /// "RAX-AUTH:defaultRegion"},"serviceCatalog":[..]}}` (rackerlabs/docs-cloud-backup
    /// `common-gs/samples/auth-resp-json.rst`). `expires` is RFC 3339 with any offset (older
    /// documents show `-05:00`).
    ///
    /// # Errors
    ///
    /// Any status but 200, a body that is not an `access`. The message is the service's own
    /// (e.g. `{"unauthorized":{"code":401,"message":..}}` gives the `message`) or the start of
    /// the body; it never holds a secret.
    pub fn parse_response(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Login, LoginError> {
        let url = self.token_url();
        if !matches!(status, 200 | 203) {
            let secret = match &self.credential {
                RackspaceCredential::ApiKey(secret) | RackspaceCredential::Password(secret) => {
                    secret.expose()
                }
            };
            return Err(answer_error(
                url,
                status,
                "200 OK",
                headers,
                body,
                &[secret],
            ));
        }
        let fail = |message: String| LoginError {
            identity_url: url.clone(),
            status: Some(status),
            message,
        };
        let document = json_object(body).map_err(&fail)?;
        let Some(Value::Object(access)) = document.get("access") else {
            return Err(fail(
                "the answer is no Rackspace token: it has no \"access\" object".to_owned(),
            ));
        };
        let token = access.get("token");
        let token_id = token
            .and_then(|token| token.get("id"))
            .and_then(Value::as_str)
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| fail("the answer has no access.token.id".to_owned()))?;
        let user = access.get("user");
        Ok(Login {
            token: AuthToken::new(token_id.trim()),
            expires_at: token
                .and_then(|token| token.get("expires"))
                .and_then(Value::as_str)
                .and_then(parse_timestamp),
            project_id: id_of(token.and_then(|token| token.get("tenant"))),
            user_id: id_of(user),
            catalog: access
                .get("serviceCatalog")
                .map_or_else(Catalog::default, Catalog::from_rackspace),
            default_region: user
                .and_then(|user| user.get("RAX-AUTH:defaultRegion"))
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|region| !region.is_empty())
                .map(str::to_owned),
        })
    }
}

/// `Content-Type` and `Accept` of every login (keystoneauth sends both; Rackspace's curl sample
/// too).
fn json_headers() -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".to_owned()),
        ("Accept", "application/json".to_owned()),
    ]
}

/// The value of a header, its name compared without case.
fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// A successful answer's JSON object; the error never quotes the body (Rackspace's holds the
/// token).
fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(document)) => Ok(document),
        Ok(_) => Err("the answer is not a JSON object".to_owned()),
        Err(error) => Err(format!("the answer is not JSON ({error})")),
    }
}

/// `"id"` of an object, as text (a number is taken too).
fn id_of(object: Option<&Value>) -> Option<String> {
    text_of(object?.get("id")?)
}

/// A non-empty string, or a number, as text.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.trim())
            .filter(|text| !text.is_empty())
            .map(str::to_owned),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// RFC 3339 with any offset (`Z`, `-05:00`) and any fraction; without an offset, UTC (as
/// Keystone's `password_expires_at` is written).
fn parse_timestamp(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    text.parse::<jiff::Timestamp>().ok().or_else(|| {
        let civil = text.parse::<jiff::civil::DateTime>().ok()?;
        civil
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|zoned| zoned.timestamp())
    })
}

/// The error of an answer with an unexpected status: the service's message, without any of
/// `secrets` (a service may echo the request).
fn answer_error(
    identity_url: String,
    status: u16,
    expected: &str,
    headers: &[(String, String)],
    body: &[u8],
    secrets: &[&str],
) -> LoginError {
    let mut message = service_message(body);
    if (200..300).contains(&status) {
        message = format!("expected {expected}: {message}");
    }
    if status == 401 && header(headers, AUTH_RECEIPT_HEADER).is_some() {
        message.push_str(
            " (the answer carries an Openstack-Auth-Receipt: this user must also log in with \
             another method, e.g. multi-factor authentication)",
        );
    }
    LoginError {
        identity_url,
        status: Some(status),
        message: redact(message, secrets),
    }
}

/// The message of an error answer: a known error document's message, else the start of the
/// body with control characters replaced, else `(empty body)`.
fn service_message(body: &[u8]) -> String {
    if let Ok(Value::Object(document)) = serde_json::from_slice::<Value>(body)
        && let Some(message) = document_message(&document)
    {
        let message = clean(&message, MESSAGE_CHARS);
        if !message.is_empty() {
            return message;
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = clean(text.trim(), BODY_QUOTE_CHARS);
    if text.trim().is_empty() {
        "(empty body)".to_owned()
    } else {
        text
    }
}

/// The message of a known error document:
///
/// * Keystone `{"error":{"code","title","message"}}` -> `title: message` (keystone
///   `keystone/server/flask/application.py`);
/// * Huawei and OTC gateways `{"error_msg","error_code"}` -> `error_code: error_msg` (API
///   Request Signing Guide, "Common Errors Related to IAM Authentication Information");
/// * a fault named after itself, `{"unauthorized":{"code","message","details"}}` -> `message`
///   (Rackspace Auth v1.1 developer guide, "Faults");
/// * a plain `{"message"}`.
fn document_message(document: &Map<String, Value>) -> Option<String> {
    match document.get("error") {
        Some(Value::Object(error)) => {
            let title = error.get("title").and_then(text_of);
            let message = error.get("message").and_then(text_of);
            match (title, message) {
                (Some(title), Some(message)) if title != message => {
                    return Some(format!("{title}: {message}"));
                }
                (_, Some(text)) | (Some(text), None) => return Some(text),
                (None, None) => {}
            }
        }
        Some(error @ Value::String(_)) => {
            if let Some(text) = text_of(error) {
                return Some(text);
            }
        }
        _ => {}
    }
    if let Some(message) = document.get("error_msg").and_then(text_of) {
        return Some(match document.get("error_code").and_then(text_of) {
            Some(code) => format!("{code}: {message}"),
            None => message,
        });
    }
    if let (1, Some(Value::Object(fault))) = (document.len(), document.values().next())
        && let Some(message) = fault.get("message").and_then(text_of)
    {
        return Some(match fault.get("details").and_then(text_of) {
            Some(details) if details != message => format!("{message} ({details})"),
            _ => message,
        });
    }
    document.get("message").and_then(text_of)
}

/// At most `max` characters of `text`, control characters replaced by spaces, `…` when cut.
fn clean(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// `message` with every occurrence of a secret replaced.
fn redact(mut message: String, secrets: &[&str]) -> String {
    for secret in secrets {
        if !secret.is_empty() && message.contains(secret) {
            message = message.replace(secret, "<redacted>");
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PASSWORD: &str = "devstacker-Pa55";
    const APP_SECRET: &str = "rEaqvJka48mpv";
    const OLD_TOKEN: &str = "gAAAAABold-token";
    const API_KEY: &str = "0123456789abcdef-apikey";

    fn keystone(auth_url: &str, method: KeystoneMethod, scope: Option<Scope>) -> KeystoneAuth {
        KeystoneAuth {
            auth_url: auth_url.to_owned(),
            method,
            scope,
        }
    }

    fn password(user: User) -> KeystoneMethod {
        KeystoneMethod::Password {
            user,
            password: Secret::new(PASSWORD),
        }
    }

    fn user_by_name() -> User {
        User::Name {
            name: "admin".to_owned(),
            domain: Domain::Name("Default".to_owned()),
        }
    }

    fn rackspace(auth_url: &str, credential: RackspaceCredential) -> RackspaceAuth {
        RackspaceAuth {
            auth_url: auth_url.to_owned(),
            username: "jsmith".to_owned(),
            credential,
            tenant_id: None,
            tenant_name: None,
        }
    }

    /// The request's body as JSON, after checking what every login request has in common.
    fn body_of(request: &LoginRequest) -> Value {
        assert_eq!(
            request.headers,
            vec![
                ("Content-Type", "application/json".to_owned()),
                ("Accept", "application/json".to_owned()),
            ]
        );
        let debug = format!("{request:?}");
        for secret in [PASSWORD, APP_SECRET, OLD_TOKEN, API_KEY] {
            assert!(!debug.contains(secret), "{debug}");
        }
        serde_json::from_str(request.body.expose()).unwrap()
    }

    fn keystone_body(auth: &KeystoneAuth) -> Value {
        let request = auth.request().unwrap();
        assert_eq!(request.url, auth.token_url());
        if !matches!(auth.method, KeystoneMethod::Token(_)) {
            assert!(request.sensitive.is_none());
        }
        body_of(&request)
    }

    fn assert_no_secret(error: &LoginError) {
        let texts = [error.to_string(), format!("{error:?}")];
        for text in texts {
            for secret in [PASSWORD, APP_SECRET, OLD_TOKEN, API_KEY] {
                assert!(!text.contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn keystone_token_url_with_and_without_v3() {
        let url = |auth_url| keystone(auth_url, password(user_by_name()), None).token_url();
        assert_eq!(
            url("https://id.example/v3"),
            "https://id.example/v3/auth/tokens"
        );
        assert_eq!(
            url("https://id.example/v3/"),
            "https://id.example/v3/auth/tokens"
        );
        assert_eq!(
            url("https://id.example"),
            "https://id.example/v3/auth/tokens"
        );
        assert_eq!(
            url("https://id.example/identity/"),
            "https://id.example/identity/v3/auth/tokens"
        );
        assert_eq!(
            url("https://iam.eu-de.otc.t-systems.com/v3"),
            "https://iam.eu-de.otc.t-systems.com/v3/auth/tokens"
        );
    }

    #[test]
    fn rackspace_token_url_with_and_without_v2() {
        let url = |auth_url| {
            rackspace(auth_url, RackspaceCredential::ApiKey(Secret::new(API_KEY))).token_url()
        };
        assert_eq!(
            url("https://identity.api.rackspacecloud.com/v2.0/"),
            "https://identity.api.rackspacecloud.com/v2.0/tokens"
        );
        assert_eq!(
            url("https://identity.api.rackspacecloud.com/v2.0"),
            "https://identity.api.rackspacecloud.com/v2.0/tokens"
        );
        assert_eq!(
            url("https://identity.api.rackspacecloud.com"),
            "https://identity.api.rackspacecloud.com/v2.0/tokens"
        );
        assert_eq!(
            url("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080/v2.0/tokens"
        );
    }

    #[test]
    fn password_user_by_name_project_by_name() {
        let auth = keystone(
            "https://id.example/v3",
            password(user_by_name()),
            Some(Scope::ProjectName {
                name: "admin".to_owned(),
                domain: Some(Domain::Id("default".to_owned())),
            }),
        );
        assert_eq!(
            keystone_body(&auth),
            json!({"auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {
                        "name": "admin",
                        "domain": {"name": "Default"},
                        "password": PASSWORD
                    }}
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}
            }})
        );
    }

    #[test]
    fn password_user_by_name_with_domain_id_unscoped() {
        let auth = keystone(
            "https://id.example",
            password(User::Name {
                name: "u".to_owned(),
                domain: Domain::Id("d-1".to_owned()),
            }),
            None,
        );
        let body = keystone_body(&auth);
        assert_eq!(
            body,
            json!({"auth": {"identity": {
                "methods": ["password"],
                "password": {"user": {"name": "u", "domain": {"id": "d-1"}, "password": PASSWORD}}
            }}})
        );
        assert!(body["auth"].get("scope").is_none());
    }

    #[test]
    fn password_user_by_id_project_by_id() {
        let auth = keystone(
            "https://id.example/v3",
            password(User::Id("ee4dfb6e5540447cb3741905149d9b6e".to_owned())),
            Some(Scope::ProjectId(
                "a6944d763bf64ee6a275f1263fae0352".to_owned(),
            )),
        );
        assert_eq!(
            keystone_body(&auth),
            json!({"auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {
                        "id": "ee4dfb6e5540447cb3741905149d9b6e",
                        "password": PASSWORD
                    }}
                },
                "scope": {"project": {"id": "a6944d763bf64ee6a275f1263fae0352"}}
            }})
        );
    }

    #[test]
    fn password_project_by_name_without_domain() {
        let auth = keystone(
            "https://id.example/v3",
            password(User::Id("u-1".to_owned())),
            Some(Scope::ProjectName {
                name: "prj".to_owned(),
                domain: None,
            }),
        );
        assert_eq!(
            keystone_body(&auth)["auth"]["scope"],
            json!({"project": {"name": "prj"}})
        );
    }

    #[test]
    fn domain_and_system_scopes() {
        let scoped = |scope| {
            keystone_body(&keystone(
                "https://id.example",
                password(user_by_name()),
                Some(scope),
            ))
        };
        assert_eq!(
            scoped(Scope::Domain(Domain::Id("default".to_owned())))["auth"]["scope"],
            json!({"domain": {"id": "default"}})
        );
        assert_eq!(
            scoped(Scope::Domain(Domain::Name("Default".to_owned())))["auth"]["scope"],
            json!({"domain": {"name": "Default"}})
        );
        let system = scoped(Scope::System);
        assert_eq!(
            system,
            json!({"auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {
                        "name": "admin",
                        "domain": {"name": "Default"},
                        "password": PASSWORD
                    }}
                },
                "scope": {"system": {"all": true}}
            }})
        );
    }

    #[test]
    fn huawei_and_otc_form() {
        // User name + account name as the user's domain; the region as the project name,
        // without a project domain (shared/reference/auth.md 2.1).
        let auth = keystone(
            "https://iam.eu-de.otc.t-systems.com/v3",
            password(User::Name {
                name: "backup-bot".to_owned(),
                domain: Domain::Name("OTC-EU-DE-00000000001000000001".to_owned()),
            }),
            Some(Scope::ProjectName {
                name: "eu-de".to_owned(),
                domain: None,
            }),
        );
        let request = auth.request().unwrap();
        assert_eq!(
            request.url,
            "https://iam.eu-de.otc.t-systems.com/v3/auth/tokens"
        );
        assert_eq!(
            body_of(&request),
            json!({"auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {
                        "name": "backup-bot",
                        "password": PASSWORD,
                        "domain": {"name": "OTC-EU-DE-00000000001000000001"}
                    }}
                },
                "scope": {"project": {"name": "eu-de"}}
            }})
        );
    }

    #[test]
    fn token_method_sends_the_old_token_as_sensitive_header() {
        let auth = keystone(
            "https://id.example/v3",
            KeystoneMethod::Token(Secret::new(OLD_TOKEN)),
            Some(Scope::ProjectId("p-1".to_owned())),
        );
        let request = auth.request().unwrap();
        let (name, value) = request.sensitive.clone().unwrap();
        assert_eq!(name, "X-Auth-Token");
        assert_eq!(value.expose(), OLD_TOKEN);
        assert!(
            request
                .headers
                .iter()
                .all(|(_, value)| !value.contains(OLD_TOKEN))
        );
        assert_eq!(
            body_of(&request),
            json!({"auth": {
                "identity": {"methods": ["token"], "token": {"id": OLD_TOKEN}},
                "scope": {"project": {"id": "p-1"}}
            }})
        );
    }

    #[test]
    fn application_credential_by_id() {
        let auth = keystone(
            "https://id.example/v3",
            KeystoneMethod::ApplicationCredential {
                credential: AppCredential::Id("423f19a4ac1e4f48bbb4180756e6eb6c".to_owned()),
                secret: Secret::new(APP_SECRET),
            },
            None,
        );
        assert_eq!(
            keystone_body(&auth),
            json!({"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {
                    "id": "423f19a4ac1e4f48bbb4180756e6eb6c",
                    "secret": APP_SECRET
                }
            }}})
        );
    }

    #[test]
    fn application_credential_by_name_and_user() {
        let by_user_id = keystone(
            "https://id.example/v3",
            KeystoneMethod::ApplicationCredential {
                credential: AppCredential::Name {
                    name: "monitoring".to_owned(),
                    user: User::Id("423f19a4ac1e4f48bbb4180756e6eb6c".to_owned()),
                },
                secret: Secret::new(APP_SECRET),
            },
            None,
        );
        assert_eq!(
            keystone_body(&by_user_id),
            json!({"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {
                    "name": "monitoring",
                    "secret": APP_SECRET,
                    "user": {"id": "423f19a4ac1e4f48bbb4180756e6eb6c"}
                }
            }}})
        );
        let by_user_name = keystone(
            "https://id.example/v3",
            KeystoneMethod::ApplicationCredential {
                credential: AppCredential::Name {
                    name: "monitoring".to_owned(),
                    user: User::Name {
                        name: "admin".to_owned(),
                        domain: Domain::Id("default".to_owned()),
                    },
                },
                secret: Secret::new(APP_SECRET),
            },
            None,
        );
        assert_eq!(
            keystone_body(&by_user_name)["auth"]["identity"]["application_credential"],
            json!({
                "name": "monitoring",
                "secret": APP_SECRET,
                "user": {"name": "admin", "domain": {"id": "default"}}
            })
        );
    }

    #[test]
    fn application_credential_with_a_scope_is_refused() {
        for scope in [
            Scope::ProjectId("p-1".to_owned()),
            Scope::Domain(Domain::Name("Default".to_owned())),
            Scope::System,
        ] {
            let auth = keystone(
                "https://id.example/",
                KeystoneMethod::ApplicationCredential {
                    credential: AppCredential::Id("ac-1".to_owned()),
                    secret: Secret::new(APP_SECRET),
                },
                Some(scope),
            );
            let error = auth.request().unwrap_err();
            assert_eq!(error.identity_url, "https://id.example/v3/auth/tokens");
            assert_eq!(error.status, None);
            assert!(
                error
                    .message
                    .starts_with("an application credential cannot be scoped"),
                "{error}"
            );
            assert_no_secret(&error);
        }
    }

    #[test]
    fn rackspace_api_key_and_password_bodies() {
        let api_key = rackspace(
            "https://identity.api.rackspacecloud.com/v2.0/",
            RackspaceCredential::ApiKey(Secret::new(API_KEY)),
        );
        let request = api_key.request().unwrap();
        assert_eq!(
            request.url,
            "https://identity.api.rackspacecloud.com/v2.0/tokens"
        );
        assert!(request.sensitive.is_none());
        assert_eq!(
            body_of(&request),
            json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "jsmith", "apiKey": API_KEY}}})
        );

        let mut with_password = rackspace(
            "https://identity.api.rackspacecloud.com",
            RackspaceCredential::Password(Secret::new(PASSWORD)),
        );
        assert_eq!(
            body_of(&with_password.request().unwrap()),
            json!({"auth": {"passwordCredentials": {"username": "jsmith", "password": PASSWORD}}})
        );
        with_password.tenant_id = Some("123456".to_owned());
        assert_eq!(
            body_of(&with_password.request().unwrap()),
            json!({"auth": {
                "passwordCredentials": {"username": "jsmith", "password": PASSWORD},
                "tenantId": "123456"
            }})
        );
        with_password.tenant_id = None;
        with_password.tenant_name = Some("acme".to_owned());
        assert_eq!(
            body_of(&with_password.request().unwrap()),
            json!({"auth": {
                "passwordCredentials": {"username": "jsmith", "password": PASSWORD},
                "tenantName": "acme"
            }})
        );
    }

    fn keystone_sample() -> Value {
        // keystone api-ref samples/auth/responses/project-scoped-password.json (shortened).
        json!({"token": {
            "audit_ids": ["3T2dc1CGQxyJsHdDu1xkcw"],
            "catalog": [{
                "endpoints": [
                    {"id": "068d1b35", "interface": "public", "region": "RegionOne",
                     "region_id": "RegionOne", "url": "http://example.com/identity"},
                    {"id": "8bfc846841ab441ca38471be6d164ced", "interface": "admin",
                     "region": "RegionOne", "region_id": "RegionOne",
                     "url": "http://example.com/identity"}
                ],
                "type": "identity", "id": "050726f278654128aba89757ae25910c", "name": "keystone"
            }, {
                "endpoints": [
                    {"id": "v3p", "interface": "public", "region": "RegionOne",
                     "region_id": "RegionOne",
                     "url": "http://example.com/volume/v3/a6944d763bf64ee6a275f1263fae0352"}
                ],
                "type": "volumev3", "id": "s2", "name": "cinderv3"
            }],
            "expires_at": "2015-11-07T02:58:43.578887Z",
            "is_domain": false,
            "issued_at": "2015-11-07T01:58:43.578929Z",
            "methods": ["password"],
            "project": {
                "domain": {"id": "default", "name": "Default"},
                "id": "a6944d763bf64ee6a275f1263fae0352",
                "name": "admin"
            },
            "roles": [{"id": "51cc68287d524c759f47c811e6463340", "name": "admin"}],
            "user": {
                "domain": {"id": "default", "name": "Default"},
                "id": "ee4dfb6e5540447cb3741905149d9b6e",
                "name": "admin",
                "password_expires_at": "2016-11-06T15:32:17.000000"
            }
        }})
    }

    fn subject_token(name: &str) -> Vec<(String, String)> {
        vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            (
                name.to_owned(),
                "ffe47524401e4d61adc7310f7e5b6191".to_owned(),
            ),
            ("x-openstack-request-id".to_owned(), "req-1".to_owned()),
        ]
    }

    fn password_login() -> KeystoneAuth {
        keystone(
            "https://id.example/v3",
            password(user_by_name()),
            Some(Scope::ProjectId(
                "a6944d763bf64ee6a275f1263fae0352".to_owned(),
            )),
        )
    }

    #[test]
    fn parses_the_keystone_sample() {
        let body = keystone_sample().to_string();
        for (status, header) in [
            (201, "X-Subject-Token"),
            (201, "x-subject-token"),
            (200, "X-SUBJECT-TOKEN"),
        ] {
            let login = password_login()
                .parse_response(status, &subject_token(header), body.as_bytes())
                .unwrap();
            assert_eq!(login.token.expose(), "ffe47524401e4d61adc7310f7e5b6191");
            assert_eq!(
                login.expires_at,
                Some("2015-11-07T02:58:43.578887Z".parse().unwrap())
            );
            assert_eq!(login.expires_at.unwrap().subsec_microsecond(), 578_887);
            assert_eq!(
                login.project_id.as_deref(),
                Some("a6944d763bf64ee6a275f1263fae0352")
            );
            assert_eq!(
                login.user_id.as_deref(),
                Some("ee4dfb6e5540447cb3741905149d9b6e")
            );
            assert_eq!(login.default_region, None);
            assert_eq!(login.catalog.services.len(), 2);
            assert_eq!(
                login.catalog.services[1],
                crate::auth::CatalogService {
                    service_type: "volumev3".to_owned(),
                    name: Some("cinderv3".to_owned()),
                    endpoints: vec![crate::auth::CatalogEndpoint {
                        interface: "public".to_owned(),
                        region: Some("RegionOne".to_owned()),
                        region_id: Some("RegionOne".to_owned()),
                        url: "http://example.com/volume/v3/a6944d763bf64ee6a275f1263fae0352"
                            .to_owned(),
                    }],
                }
            );
        }
    }

    #[test]
    fn a_token_without_catalog_project_or_expiry() {
        let login = password_login()
            .parse_response(
                201,
                &subject_token("X-Subject-Token"),
                br#"{"token": {"methods": ["password"], "user": {"id": "u-1"}}}"#,
            )
            .unwrap();
        assert_eq!(login.catalog, Catalog::default());
        assert_eq!(login.project_id, None);
        assert_eq!(login.expires_at, None);
        assert_eq!(login.user_id.as_deref(), Some("u-1"));
    }

    #[test]
    fn parses_huawei_expires_at() {
        let body = json!({"token": {
            "catalog": [],
            "expires_at": "2020-01-04T09:05:22.701000Z",
            "issued_at": "2020-01-03T09:05:22.701000Z",
            "methods": ["password"],
            "project": {"domain": {"id": "d", "name": "acme"}, "id": "p-cn", "name": "cn-north-1"},
            "user": {"domain": {"id": "d", "name": "acme"}, "id": "u-1", "name": "bot"}
        }});
        let login = password_login()
            .parse_response(
                201,
                &subject_token("X-Subject-Token"),
                body.to_string().as_bytes(),
            )
            .unwrap();
        let expected: jiff::Timestamp = "2020-01-04T09:05:22.701Z".parse().unwrap();
        assert_eq!(login.expires_at, Some(expected));
        assert_eq!(login.project_id.as_deref(), Some("p-cn"));
    }

    #[test]
    fn missing_subject_token_is_an_error() {
        let auth = password_login();
        let body = keystone_sample().to_string();
        let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        let error = auth
            .parse_response(201, &headers, body.as_bytes())
            .unwrap_err();
        assert_eq!(error.status, Some(201));
        assert_eq!(error.identity_url, "https://id.example/v3/auth/tokens");
        assert!(error.message.contains("X-Subject-Token"), "{error}");
        assert_no_secret(&error);
        let empty = vec![("X-Subject-Token".to_owned(), "  ".to_owned())];
        assert!(auth.parse_response(201, &empty, body.as_bytes()).is_err());
    }

    #[test]
    fn a_201_that_is_not_a_token_is_an_error() {
        let auth = password_login();
        let headers = subject_token("X-Subject-Token");
        let error = auth
            .parse_response(201, &headers, b"<html>ok</html>")
            .unwrap_err();
        assert!(error.message.contains("not JSON"), "{error}");
        let error = auth
            .parse_response(201, &headers, b"{\"access\": {}}")
            .unwrap_err();
        assert!(error.message.contains("\"token\""), "{error}");
        for error in [
            auth.parse_response(201, &headers, b"[]").unwrap_err(),
            auth.parse_response(201, &headers, b"").unwrap_err(),
        ] {
            assert!(
                !error
                    .to_string()
                    .contains("ffe47524401e4d61adc7310f7e5b6191")
            );
            assert_no_secret(&error);
        }
    }

    fn keystone_error(status: u16, body: &[u8]) -> LoginError {
        let error = password_login()
            .parse_response(status, &[], body)
            .unwrap_err();
        assert_eq!(error.status, Some(status));
        assert_eq!(error.identity_url, "https://id.example/v3/auth/tokens");
        assert_no_secret(&error);
        error
    }

    #[test]
    fn keystone_error_shapes() {
        let error = keystone_error(
            401,
            br#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#,
        );
        assert_eq!(
            error.message,
            "Unauthorized: The request you have made requires authentication."
        );
        assert_eq!(
            error.to_string(),
            "login at https://id.example/v3/auth/tokens failed: HTTP 401: Unauthorized: The \
             request you have made requires authentication."
        );
        assert_eq!(
            keystone_error(
                400,
                br#"{"error": {"code": 400, "message": "Expecting to find domain in user."}}"#
            )
            .message,
            "Expecting to find domain in user."
        );
        assert_eq!(
            keystone_error(
                401,
                br#"{"error_msg": "Incorrect IAM authentication information: decrypt token fail", "error_code": "APIGW.0301", "request_id": "abc"}"#
            )
            .message,
            "APIGW.0301: Incorrect IAM authentication information: decrypt token fail"
        );
        assert_eq!(
            keystone_error(
                401,
                br#"{"unauthorized": {"code": 401, "message": "Unable to authenticate user with credentials provided."}}"#
            )
            .message,
            "Unable to authenticate user with credentials provided."
        );
        assert_eq!(
            keystone_error(500, br#"{"authFault": {"code": 500, "message": "Fault", "details": "Error Details..."}}"#)
                .message,
            "Fault (Error Details...)"
        );
        assert_eq!(keystone_error(503, b"").message, "(empty body)");
        assert_eq!(keystone_error(503, b" \r\n ").message, "(empty body)");
        assert_eq!(
            keystone_error(502, b"Bad\tGateway\r\nfrom proxy").message,
            "Bad Gateway  from proxy"
        );
        let long = "x".repeat(300);
        let error = keystone_error(500, long.as_bytes());
        assert_eq!(error.message, format!("{}…", "x".repeat(200)));
        // 2xx but not 201: an error that says what was expected.
        let error = keystone_error(204, b"");
        assert_eq!(error.message, "expected 201 Created: (empty body)");
    }

    #[test]
    fn errors_never_echo_a_secret() {
        // A service that echoes the request body in its message.
        let echo = format!(
            r#"{{"error": {{"code": 400, "title": "Bad Request", "message": "Invalid input for field 'password': '{PASSWORD}'"}}}}"#
        );
        let error = keystone_error(400, echo.as_bytes());
        assert!(error.message.contains("<redacted>"), "{error}");
        let raw = format!("bad body {{\"password\": \"{PASSWORD}\"}}");
        assert!(
            keystone_error(400, raw.as_bytes())
                .message
                .contains("<redacted>")
        );

        let token_login = keystone(
            "https://id.example/v3",
            KeystoneMethod::Token(Secret::new(OLD_TOKEN)),
            None,
        );
        let error = token_login
            .parse_response(404, &[], format!("token {OLD_TOKEN} not found").as_bytes())
            .unwrap_err();
        assert_eq!(error.message, "token <redacted> not found");
        assert_no_secret(&error);

        let rax = rackspace(
            "https://identity.api.rackspacecloud.com/v2.0",
            RackspaceCredential::ApiKey(Secret::new(API_KEY)),
        );
        let error = rax
            .parse_response(
                400,
                &[],
                format!("Invalid request body: {API_KEY}").as_bytes(),
            )
            .unwrap_err();
        assert_eq!(error.message, "Invalid request body: <redacted>");
        assert_no_secret(&error);
    }

    #[test]
    fn mfa_receipt_is_explained() {
        let headers = vec![("openstack-auth-receipt".to_owned(), "receipt-id".to_owned())];
        let error = password_login()
            .parse_response(
                401,
                &headers,
                br#"{"error": {"code": 401, "title": "Unauthorized", "message": "Additional authentications steps required."}}"#,
            )
            .unwrap_err();
        assert!(
            error
                .message
                .starts_with("Unauthorized: Additional authentications")
        );
        assert!(error.message.contains("Openstack-Auth-Receipt"));
        assert!(!error.message.contains("receipt-id"));
    }

    fn rackspace_sample(expires: &str) -> Value {
        // rackerlabs/docs-cloud-backup common-gs/samples/auth-resp-json.rst (shortened).
        json!({"access": {
            "token": {
                "id": "aaaaa-bbbbb-ccccc-dddd",
                "expires": expires,
                "tenant": {"id": "110011", "name": "110011"},
                "RAX-AUTH:authenticatedBy": ["APIKEY"]
            },
            "serviceCatalog": [
                {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [
                    {"region": "ORD", "tenantId": "110011",
                     "publicURL": "https://ord.servers.api.rackspacecloud.com/v2/110011"}
                ]},
                {"name": "cloudBackup", "type": "rax:backup", "endpoints": [
                    {"region": "DFW", "tenantId": "110011",
                     "publicURL": "https://dfw.backup.api.rackspacecloud.com/v2/110011"},
                    {"region": "ORD", "tenantId": "110011",
                     "publicURL": "https://ord.backup.api.rackspacecloud.com/v2/110011",
                     "internalURL": "https://snet-ord.backup.api.rackspacecloud.com/v2/110011"}
                ]}
            ],
            "user": {
                "id": "123456",
                "roles": [{"description": "A Role that allows a user access to keystone Service methods", "id": "6", "name": "compute:default", "tenantId": "110011"}],
                "name": "jsmith",
                "RAX-AUTH:defaultRegion": "ORD"
            }
        }})
    }

    #[test]
    fn parses_the_rackspace_sample_with_an_offset() {
        let auth = rackspace(
            "https://identity.api.rackspacecloud.com/v2.0/",
            RackspaceCredential::ApiKey(Secret::new(API_KEY)),
        );
        for status in [200, 203] {
            let body = rackspace_sample("2013-04-23T09:45:24.000-05:00").to_string();
            let login = auth.parse_response(status, &[], body.as_bytes()).unwrap();
            assert_eq!(login.token.expose(), "aaaaa-bbbbb-ccccc-dddd");
            let expected: jiff::Timestamp = "2013-04-23T14:45:24Z".parse().unwrap();
            assert_eq!(login.expires_at, Some(expected));
            assert_eq!(login.project_id.as_deref(), Some("110011"));
            assert_eq!(login.user_id.as_deref(), Some("123456"));
            assert_eq!(login.default_region.as_deref(), Some("ORD"));
            assert_eq!(login.catalog.services.len(), 2);
            assert_eq!(login.catalog.services[1].service_type, "rax:backup");
            assert_eq!(
                login.catalog.services[1].name.as_deref(),
                Some("cloudBackup")
            );
            assert_eq!(login.catalog.services[1].endpoints.len(), 3);
        }
        let body = rackspace_sample("2014-11-24T22:05:39.115Z").to_string();
        let login = auth.parse_response(200, &[], body.as_bytes()).unwrap();
        let expected: jiff::Timestamp = "2014-11-24T22:05:39.115Z".parse().unwrap();
        assert_eq!(login.expires_at, Some(expected));
    }

    #[test]
    fn rackspace_errors() {
        let auth = rackspace(
            "https://identity.api.rackspacecloud.com/v2.0/",
            RackspaceCredential::Password(Secret::new(PASSWORD)),
        );
        let error = auth
            .parse_response(
                401,
                &[],
                br#"{"unauthorized":{"code":401,"message":"Unable to authenticate user with credentials provided."}}"#,
            )
            .unwrap_err();
        assert_eq!(
            error.identity_url,
            "https://identity.api.rackspacecloud.com/v2.0/tokens"
        );
        assert_eq!(error.status, Some(401));
        assert_eq!(
            error.message,
            "Unable to authenticate user with credentials provided."
        );
        assert_no_secret(&error);

        let error = auth
            .parse_response(
                200,
                &[],
                br#"{"access": {"token": {"expires": "2014-11-24T22:05:39.115Z"}}}"#,
            )
            .unwrap_err();
        assert!(error.message.contains("access.token.id"), "{error}");
        let error = auth
            .parse_response(200, &[], br#"{"token": {}}"#)
            .unwrap_err();
        assert!(error.message.contains("\"access\""), "{error}");
        let error = auth.parse_response(201, &[], b"").unwrap_err();
        assert_eq!(error.message, "expected 200 OK: (empty body)");
        assert_no_secret(&error);
    }

    #[test]
    fn expires_within_a_margin() {
        let now: jiff::Timestamp = "2025-01-01T00:00:00Z".parse().unwrap();
        let login = |expires_at: Option<&str>| Login {
            token: AuthToken::new("t"),
            expires_at: expires_at.map(|at| at.parse().unwrap()),
            project_id: None,
            user_id: None,
            catalog: Catalog::default(),
            default_region: None,
        };
        let margin = Duration::from_secs(120);
        assert!(!login(None).expires_within(margin, now));
        assert!(login(Some("2025-01-01T00:00:30Z")).expires_within(margin, now));
        assert!(login(Some("2025-01-01T00:02:00Z")).expires_within(margin, now));
        assert!(!login(Some("2025-01-01T00:02:01Z")).expires_within(margin, now));
        assert!(login(Some("2024-12-31T23:00:00Z")).expires_within(Duration::ZERO, now));
        assert!(!login(Some("2025-01-02T00:00:00Z")).expires_within(Duration::ZERO, now));
        assert!(login(Some("2025-01-02T00:00:00Z")).expires_within(Duration::MAX, now));
    }

    #[test]
    fn timestamps_with_any_offset_or_none() {
        assert_eq!(
            parse_timestamp("2016-11-06T15:32:17.000000"),
            Some("2016-11-06T15:32:17Z".parse().unwrap())
        );
        assert_eq!(
            parse_timestamp("2013-04-23T09:45:24.000-05:00"),
            Some("2013-04-23T14:45:24Z".parse().unwrap())
        );
        assert_eq!(parse_timestamp("tomorrow"), None);
    }
}
