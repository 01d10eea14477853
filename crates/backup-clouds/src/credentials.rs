//! `auth_type` and `auth` -> [`Credentials`], following keystoneauth's plugins (`password`,
//! `v3applicationcredential`, `token`, `admin_token`, `v2password`), rackspace-keystoneauth-plugin
//! (`rackspace_apikey`, `rackspace_password`) and the Huawei SDKs' AK/SK credentials (`aksk`).
//!
//! Secrets are wrapped in [`Secret`] (or [`AuthToken`]) the moment they are read.

use backup_runtime::auth::{
    AkSk, AppCredential, AuthToken, Credentials, Domain, KeystoneAuth, KeystoneMethod,
    RackspaceAuth, RackspaceCredential, Scope, Secret, User,
};

use crate::cloud::RawCloud;
use crate::error::ConfigError;

/// The `auth_type`s understood, for the error about any other.
const SUPPORTED: &str = "password, v3password, v3applicationcredential, applicationcredential, \
     token, v3token, admin_token, v2password, rackspace_apikey, rackspace_password, aksk";

/// rackspace-keystoneauth-plugin `rackspaceauth/v2.py` `AUTH_URL`: the default of its plugins.
const RACKSPACE_AUTH_URL: &str = "https://identity.api.rackspacecloud.com/v2.0/";

/// The credentials `raw` describes.
pub(crate) fn credentials(raw: &RawCloud) -> Result<Credentials, ConfigError> {
    let auth_type = raw
        .top_text(&["auth_type", "auth_plugin"])?
        .map_or_else(|| "password".to_owned(), |(_, text)| text);
    let auth_type = auth_type.as_str();
    let keystone = |method, scope| -> Result<Credentials, ConfigError> {
        Ok(Credentials::Keystone(KeystoneAuth {
            auth_url: raw.required_auth(&["auth_url"], auth_type)?,
            method,
            scope,
        }))
    };
    match auth_type {
        "password" | "v3password" => {
            let user = user(raw, auth_type)?;
            let password = Secret::new(raw.required_auth(&["password"], auth_type)?);
            keystone(KeystoneMethod::Password { user, password }, scope(raw)?)
        }
        // Keystone refuses a scope with an application credential; openstacksdk ignores the
        // project settings of such a cloud, and so does this.
        "v3applicationcredential" | "applicationcredential" => {
            let credential = match raw.auth_text(&["application_credential_id"])? {
                Some((_, id)) => AppCredential::Id(id),
                None => match raw.auth_text(&["application_credential_name"])? {
                    Some((_, name)) => AppCredential::Name {
                        name,
                        user: user(raw, auth_type)?,
                    },
                    None => {
                        return Err(raw.missing(
                            &["application_credential_id", "application_credential_name"],
                            &format!("auth_type `{auth_type}` needs one"),
                        ));
                    }
                },
            };
            let secret =
                Secret::new(raw.required_auth(&["application_credential_secret"], auth_type)?);
            keystone(
                KeystoneMethod::ApplicationCredential { credential, secret },
                None,
            )
        }
        "token" | "v3token" => {
            let token = Secret::new(raw.required_auth(&["token", "auth_token"], auth_type)?);
            keystone(KeystoneMethod::Token(token), scope(raw)?)
        }
        "admin_token" => {
            let token = AuthToken::new(raw.required_auth(&["token", "auth_token"], auth_type)?);
            Ok(Credentials::Token(token))
        }
        "rackspace_apikey" | "rackspace_password" | "v2password" => {
            let credential = if auth_type == "rackspace_apikey" {
                RackspaceCredential::ApiKey(Secret::new(
                    raw.required_auth(&["api_key"], auth_type)?,
                ))
            } else {
                RackspaceCredential::Password(Secret::new(
                    raw.required_auth(&["password"], auth_type)?,
                ))
            };
            let auth_url = match raw.auth_text(&["auth_url"])? {
                Some((_, url)) => url,
                None if auth_type != "v2password" => RACKSPACE_AUTH_URL.to_owned(),
                None => {
                    return Err(
                        raw.missing(&["auth_url"], &format!("auth_type `{auth_type}` needs it"))
                    );
                }
            };
            // For v2 openstacksdk maps project_* onto tenant_* (`_fix_backwards_project`).
            Ok(Credentials::Rackspace(RackspaceAuth {
                auth_url,
                username: raw.required_auth(&["username"], auth_type)?,
                credential,
                tenant_id: raw
                    .auth_text(&["tenant_id", "project_id"])?
                    .map(|(_, id)| id),
                tenant_name: raw
                    .auth_text(&["tenant_name", "project_name"])?
                    .map(|(_, name)| name),
            }))
        }
        "aksk" => {
            let access_key = raw.required_auth(&["ak", "access_key"], auth_type)?;
            let secret_key = Secret::new(raw.required_auth(&["sk", "secret_key"], auth_type)?);
            let security_token = raw
                .auth_text(&["security_token"])?
                .map(|(_, token)| Secret::new(token));
            Ok(Credentials::AkSk(AkSk {
                access_key,
                secret_key,
                project_id: raw
                    .auth_text(&["project_id", "tenant_id"])?
                    .map(|(_, id)| id),
                security_token,
            }))
        }
        other => Err(raw.error(format!(
            "`{}` `{other}` is not supported; supported: {SUPPORTED}",
            raw.key_path("auth_type", false)
        ))),
    }
}

/// The user: `user_id`, else `username` in its domain (`user_domain_id`, `user_domain_name`,
/// else the plain `domain_id`, `domain_name` as openstacksdk's `_handle_domain_id` copies them).
fn user(raw: &RawCloud, auth_type: &str) -> Result<User, ConfigError> {
    if let Some((_, id)) = raw.auth_text(&["user_id"])? {
        return Ok(User::Id(id));
    }
    let Some((_, name)) = raw.auth_text(&["username"])? else {
        return Err(raw.missing(
            &["username", "user_id"],
            &format!("auth_type `{auth_type}` needs it"),
        ));
    };
    let keys = [
        "user_domain_name",
        "user_domain_id",
        "domain_name",
        "domain_id",
    ];
    match domain(raw, &keys)? {
        Some(domain) => Ok(User::Name { name, domain }),
        None => Err(raw.missing(
            &keys,
            "a user name needs its domain (Huawei Cloud and OTC: the account name)",
        )),
    }
}

/// The first domain set among `keys`, which alternate `*_name`, `*_id`: an id wins over the
/// name of the same pair (keystoneauth prefers ids), an earlier pair over a later one.
fn domain(raw: &RawCloud, keys: &[&str]) -> Result<Option<Domain>, ConfigError> {
    for pair in keys.chunks(2) {
        if let Some((_, id)) = raw.auth_text(&pair[1..])? {
            return Ok(Some(Domain::Id(id)));
        }
        if let Some((_, name)) = raw.auth_text(&pair[..1])? {
            return Ok(Some(Domain::Name(name)));
        }
    }
    Ok(None)
}

/// The scope: a project by id (`project_id`, `tenant_id`), by name (`project_name`,
/// `tenant_name`, in `project_domain_*` or the plain `domain_*` when given), else a domain
/// (`domain_id`, `domain_name`), else none.
fn scope(raw: &RawCloud) -> Result<Option<Scope>, ConfigError> {
    if let Some((_, id)) = raw.auth_text(&["project_id", "tenant_id"])? {
        return Ok(Some(Scope::ProjectId(id)));
    }
    if let Some((_, name)) = raw.auth_text(&["project_name", "tenant_name"])? {
        let keys = [
            "project_domain_name",
            "project_domain_id",
            "domain_name",
            "domain_id",
        ];
        return Ok(Some(Scope::ProjectName {
            name,
            domain: domain(raw, &keys)?,
        }));
    }
    Ok(domain(raw, &["domain_name", "domain_id"])?.map(Scope::Domain))
}
