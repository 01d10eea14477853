//! How `call` authenticates and finds its server: a token with `--endpoint`, a cloud of
//! clouds.yaml (or of the `OS_*` variables), or Huawei AK/SK from the official SDKs'
//! `HUAWEICLOUD_SDK_*` variables.
//!
//! Sources: openstacksdk `openstack/config/loader.py` (cloud selection, `OS_CLOUD`,
//! `OS_AUTH_URL`), huaweicloud-sdk-python-v3 `huaweicloudsdkcore/auth/provider.py`
//! (`HUAWEICLOUD_SDK_AK`, `_SK`, `_PROJECT_ID`, `_SECURITY_TOKEN`); see
//! `shared/reference/auth.md` sections 3.1 and 5.

use backup_clouds::{CloudConfig, Environment};
use backup_runtime::AuthToken;
use backup_runtime::auth::{AkSk, Credentials, Secret};
use backup_runtime::blocking::{Client, ClientBuilder};

use crate::Failure;
use crate::registry::Api;

/// The official Huawei SDKs' variables (huaweicloud-sdk-python-v3 `auth/provider.py`).
const HUAWEI_AK: &str = "HUAWEICLOUD_SDK_AK";
const HUAWEI_SK: &str = "HUAWEICLOUD_SDK_SK";
const HUAWEI_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
const HUAWEI_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";

/// A client builder with its authentication and where it sends, and what to say and hide.
#[derive(Debug)]
pub(crate) struct Login {
    /// Timeout, retries and CA are the caller's to add.
    pub(crate) builder: ClientBuilder,
    /// Whether the client has any way to authenticate.
    pub(crate) authenticates: bool,
    /// Every secret text to replace before printing (token, password, keys).
    pub(crate) secrets: Vec<String>,
    /// Lines for stderr (e.g. `verify: false`).
    pub(crate) warnings: Vec<String>,
}

/// Who `call` is: the first of a token, a cloud, AK/SK variables, or nobody.
///
/// # Errors
///
/// A cloud that cannot be loaded, or no way to know the endpoint.
pub(crate) fn login(
    api: &Api,
    endpoint: Option<&str>,
    cloud: Option<&str>,
    region: Option<&str>,
    token: Option<AuthToken>,
    env: &Environment,
) -> Result<Login, Failure> {
    if let Some(token) = token {
        let endpoint = endpoint.ok_or_else(|| {
            Failure::invalid(
                "a token needs --endpoint (or log in with --os-cloud NAME to find the endpoint \
                 in the service catalog)",
            )
        })?;
        return Ok(Login {
            secrets: vec![token.expose().to_owned()],
            builder: Client::builder(endpoint).token(token),
            authenticates: true,
            warnings: Vec::new(),
        });
    }
    let cloud = cloud.or_else(|| env.vars.get("OS_CLOUD").map(String::as_str));
    if cloud.is_some()
        || env.vars.contains_key("OS_AUTH_URL")
        || env.vars.contains_key("OS_AUTH_TYPE")
    {
        let config = backup_clouds::load(cloud, env)
            .map_err(|err| Failure::invalid(format!("clouds.yaml: {err}")))?;
        return from_cloud(api, endpoint, region, &config);
    }
    if let (Some(ak), Some(sk)) = (env.vars.get(HUAWEI_AK), env.vars.get(HUAWEI_SK)) {
        let aksk = AkSk {
            access_key: ak.clone(),
            secret_key: Secret::new(sk.clone()),
            project_id: env.vars.get(HUAWEI_PROJECT_ID).cloned(),
            security_token: env
                .vars
                .get(HUAWEI_SECURITY_TOKEN)
                .cloned()
                .map(Secret::new),
        };
        let credentials = Credentials::AkSk(aksk);
        let secrets = owned(&credentials);
        let builder = match endpoint {
            Some(endpoint) => Client::builder(endpoint),
            None => {
                let url = regional(api, region, "--endpoint or --region")?;
                Client::discover(api.service_types).endpoint_override(url)
            }
        };
        return Ok(Login {
            builder: builder.credentials(credentials),
            authenticates: true,
            secrets,
            warnings: Vec::new(),
        });
    }
    let endpoint = endpoint.ok_or_else(|| {
        Failure::invalid(
            "no endpoint: give --endpoint URL with a token, or log in with --os-cloud NAME \
             (or OS_CLOUD, or the OS_* variables of an openrc file, or HUAWEICLOUD_SDK_AK and \
             HUAWEICLOUD_SDK_SK)",
        )
    })?;
    Ok(Login {
        builder: Client::builder(endpoint),
        authenticates: false,
        secrets: Vec::new(),
        warnings: Vec::new(),
    })
}

/// A client for `api` in `config`'s cloud: an explicit endpoint wins, then the cloud's
/// `<service_type>_endpoint_override`, then the catalog (AK/SK: the regional host).
fn from_cloud(
    api: &Api,
    endpoint: Option<&str>,
    region: Option<&str>,
    config: &CloudConfig,
) -> Result<Login, Failure> {
    let mut builder = config.blocking_client(api.service_types);
    if let Some(region) = region {
        builder = builder.region(region);
    }
    let overridden = api
        .service_types
        .iter()
        .any(|service_type| config.endpoint_override(service_type).is_some());
    if let Some(endpoint) = endpoint {
        builder = Client::builder(endpoint).credentials(config.credentials.clone());
        if !config.verify {
            builder = builder.danger_accept_invalid_certs(true);
        } else if let Some(cacert) = &config.cacert {
            builder = builder.ca_file(cacert);
        }
    } else if !overridden && matches!(config.credentials, Credentials::AkSk(_)) {
        let region = region.or(config.region_name.as_deref());
        let url = regional(api, region, "an endpoint override or a region_name")?;
        builder = builder.endpoint_override(url);
    }
    let mut warnings = Vec::new();
    if !config.verify {
        warnings.push(format!(
            "warning: cloud {} ({}) says verify: false: server certificates are not checked, \
             so anyone on the way can read and change the traffic",
            config.name, config.source
        ));
    }
    Ok(Login {
        secrets: owned(&config.credentials),
        builder,
        authenticates: true,
        warnings,
    })
}

/// The documented regional host of `api` in `region`, for AK/SK (which has no catalog).
fn regional(api: &Api, region: Option<&str>, wanted: &str) -> Result<String, Failure> {
    let region = region.ok_or_else(|| {
        Failure::invalid(format!(
            "AK/SK signing has no service catalog: give {wanted} to reach {}",
            api.name
        ))
    })?;
    backup_status::regional_endpoint(api.name, region).ok_or_else(|| {
        Failure::invalid(format!(
            "{} has no documented regional host for AK/SK; give --endpoint",
            api.name
        ))
    })
}

fn owned(credentials: &Credentials) -> Vec<String> {
    credentials
        .secrets()
        .into_iter()
        .filter(|secret| !secret.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The token a client's login currently holds, for redaction.
pub(crate) fn current_token(client: &Client) -> Option<String> {
    client
        .session()
        .and_then(backup_runtime::auth::Session::login)
        .map(|login| login.token.expose().to_owned())
}
