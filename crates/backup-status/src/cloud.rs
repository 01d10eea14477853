//! Accounts that log in as a cloud of clouds.yaml: which catalog service types each API is
//! found under, the regional hosts AK/SK clouds use (they have no catalog), the VBS v3
//! microversion, and the clouds of a run, each loaded once with one login shared by its
//! accounts.
//!
//! Where a cloud account's requests go, first that applies:
//!
//! 1. the account's `endpoint` (base URL without version and project, as for a token);
//! 2. the cloud's `<service_type>_endpoint_override` for one of the API's service types
//!    ([`Api::service_types`], exact names only: an override of `block_storage` is not used for
//!    `vbs-v2`, whose paths are `/v2/...`);
//! 3. AK/SK clouds: the documented regional host ([`regional_endpoint`]) of the account's
//!    `region`, else the cloud's `region_name`;
//! 4. the login's service catalog: the first of the service types with an endpoint of the
//!    account's (else the cloud's) interface in its (else the cloud's) region.

use std::collections::BTreeMap;

use backup_clouds::{CloudConfig, ConfigError};
use backup_runtime::auth::{Credentials, Microversion, Session};

use crate::config::Account;
use crate::record::Api;

/// The highest Block Storage microversion the VBS v3 models know: 3.64 adds
/// `encryption_key_id` to backups, the newest field `vbs_v3_models::Backup` reads (3.18
/// `os-backup-project-attr:project_id`, 3.43 `metadata`, 3.45 `count`, 3.56 `user_id`).
/// `vbs-v3` accounts send the highest version both this and the service allow, unless their
/// `filters` set `OpenStack-API-Version` themselves.
pub const VBS_V3_MICROVERSION: Microversion = Microversion::new(3, 64);

impl Api {
    /// The catalog service types the API is found under, official type first, then aliases
    /// (the order keystoneauth tries them): the endpoint crate's `SERVICE_TYPES`, from the
    /// spec's `x-service-types`.
    pub const fn service_types(self) -> &'static [&'static str] {
        match self {
            Self::VbsV3 => vbs_v3_endpoints::SERVICE_TYPES,
            Self::VbsV2 => vbs_v2_endpoints::SERVICE_TYPES,
            Self::CbrV3 => cbr_v3_endpoints::SERVICE_TYPES,
            Self::RackspaceBackupV2 => rackspace_backup_v2_endpoints::SERVICE_TYPES,
        }
    }

    /// The microversion the API's models support, to negotiate (`OpenStack-API-Version:
    /// volume X.Y`): [`VBS_V3_MICROVERSION`] for `vbs-v3`, none for the others.
    pub const fn max_microversion(self) -> Option<Microversion> {
        match self {
            Self::VbsV3 => Some(VBS_V3_MICROVERSION),
            Self::VbsV2 | Self::CbrV3 | Self::RackspaceBackupV2 => None,
        }
    }
}

/// [`Api::max_microversion`] of the API named `api` (`vbs-v3`); `None` for an API without
/// microversions or an unknown name.
pub fn max_microversion(api: &str) -> Option<Microversion> {
    api.parse::<Api>().ok()?.max_microversion()
}

/// The documented regional host of the API named `api` in `region`, without version or
/// project (operations append `/v3/{project_id}/...`): what an AK/SK cloud, which has no
/// service catalog, calls unless given an endpoint.
///
/// * Huawei Cloud: `https://{service}.{region}.myhuaweicloud.com`, `service` being `cbr` for
///   `cbr-v3` (hw-go `services/cbr/v1/region/region.go`), `vbs` for `vbs-v2` (hw-tf
///   `endpoints.go`: `https://{Name}.{Region}.myhuaweicloud.com/{Version}/{project_id}`) and
///   `evs` for `vbs-v3` (the Cinder-compatible API is EVS's: hw-go
///   `services/evs/v2/region/region.go`);
/// * Open Telekom Cloud, regions `eu-de` and `eu-nl`: `https://{service}.{region}.otc.t-systems.com`
///   (the `openstack endpoint list` of otc-ims-docs).
///
/// `None` for `rackspace-backup-v2` (Rackspace has no AK/SK; its catalog gives the endpoint)
/// and unknown names. Sources: the project's `shared/reference/auth.md`, 2.2.
///
/// ```
/// use backup_status::regional_endpoint;
///
/// assert_eq!(regional_endpoint("cbr-v3", "ap-southeast-1").as_deref(), Some("https://cbr.ap-southeast-1.myhuaweicloud.com"));
/// assert_eq!(regional_endpoint("vbs-v3", "eu-nl").as_deref(), Some("https://evs.eu-nl.otc.t-systems.com"));
/// assert_eq!(regional_endpoint("rackspace-backup-v2", "ORD"), None);
/// ```
pub fn regional_endpoint(api: &str, region: &str) -> Option<String> {
    let service = match api.parse::<Api>().ok()? {
        Api::CbrV3 => "cbr",
        Api::VbsV2 => "vbs",
        Api::VbsV3 => "evs",
        Api::RackspaceBackupV2 => return None,
    };
    let region = region.trim();
    if region.is_empty() {
        return None;
    }
    Some(match region {
        "eu-de" | "eu-nl" => format!("https://{service}.{region}.otc.t-systems.com"),
        _ => format!("https://{service}.{region}.myhuaweicloud.com"),
    })
}

/// Loads the cloud named by an account's `cloud` (`backup_clouds::load(Some(name), env)`);
/// tests give their own environment. Called once per cloud name, before any request.
pub type CloudLoader<'a> = &'a (dyn Fn(&str) -> Result<CloudConfig, ConfigError> + Sync);

/// One cloud of a run: its settings (or why they could not be read), and the login its
/// accounts share.
#[derive(Debug)]
pub(crate) struct Cloud {
    /// The cloud, or the message of its load error.
    pub(crate) config: Result<CloudConfig, String>,
    /// Keystone and Rackspace clouds: one login for every account of the cloud.
    pub(crate) session: Option<Session>,
}

impl Cloud {
    fn load(name: &str, load: CloudLoader<'_>) -> Self {
        match load(name) {
            Ok(config) => {
                let session = match &config.credentials {
                    Credentials::Keystone(auth) => Some(Session::keystone(auth.clone())),
                    Credentials::Rackspace(auth) => Some(Session::rackspace(auth.clone())),
                    _ => None,
                };
                Self {
                    config: Ok(config),
                    session,
                }
            }
            Err(err) => Self {
                config: Err(format!("clouds.yaml: {err}")),
                session: None,
            },
        }
    }

    /// The warning to print on every run when the cloud turns certificate checks off.
    pub(crate) fn warning(&self) -> Option<String> {
        let config = self.config.as_ref().ok()?;
        (!config.verify).then(|| {
            format!(
                "warning: cloud {} ({}) says verify: false: server certificates are not \
                 checked for its accounts, so anyone on the way can read and change the \
                 traffic, credentials included",
                config.name, config.source
            )
        })
    }
}

/// The clouds the accounts name, each loaded once.
#[derive(Debug, Default)]
pub(crate) struct Clouds(BTreeMap<String, Cloud>);

impl Clouds {
    /// Loads every cloud named by `accounts`, once each.
    pub(crate) fn load(accounts: &[Account], load: CloudLoader<'_>) -> Self {
        let mut clouds = BTreeMap::new();
        for account in accounts {
            if let Some(cloud) = account.cloud() {
                clouds
                    .entry(cloud.cloud.clone())
                    .or_insert_with(|| Cloud::load(&cloud.cloud, load));
            }
        }
        Self(clouds)
    }

    /// The cloud named `name`, if an account names it.
    pub(crate) fn get(&self, name: &str) -> Option<&Cloud> {
        self.0.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_hosts() {
        let cases = [
            (
                "cbr-v3",
                "eu-west-0",
                Some("https://cbr.eu-west-0.myhuaweicloud.com"),
            ),
            (
                "vbs-v2",
                "cn-north-4",
                Some("https://vbs.cn-north-4.myhuaweicloud.com"),
            ),
            (
                "vbs-v3",
                "ap-southeast-1",
                Some("https://evs.ap-southeast-1.myhuaweicloud.com"),
            ),
            (
                "cbr-v3",
                "eu-de",
                Some("https://cbr.eu-de.otc.t-systems.com"),
            ),
            (
                "vbs-v2",
                "eu-nl",
                Some("https://vbs.eu-nl.otc.t-systems.com"),
            ),
            ("rackspace-backup-v2", "ORD", None),
            ("vbs-v9", "eu-de", None),
            ("cbr-v3", " ", None),
        ];
        for (api, region, expected) in cases {
            assert_eq!(
                regional_endpoint(api, region).as_deref(),
                expected,
                "{api} {region}"
            );
        }
    }

    #[test]
    fn only_vbs_v3_negotiates() {
        assert_eq!(max_microversion("vbs-v3"), Some(Microversion::new(3, 64)));
        for api in ["vbs-v2", "cbr-v3", "rackspace-backup-v2", "nope"] {
            assert_eq!(max_microversion(api), None, "{api}");
        }
        assert_eq!(Api::VbsV3.service_types()[0], "block-storage");
    }
}
