//! A user's OpenStack cloud configuration, read as openstacksdk reads it: `clouds.yaml`,
//! `secure.yaml` and `OS_*` variables, into the [`Credentials`] of `backup-runtime`.
//!
//! - Files: `OS_CLIENT_CONFIG_FILE` first, then `clouds.yaml`, `clouds.yml`, `clouds.json` in
//!   the working directory, `$XDG_CONFIG_HOME/openstack` (when set), `~/.config/openstack` and
//!   `/etc/openstack`; the first existing file wins. `secure.*` (or `OS_CLIENT_SECURE_FILE`)
//!   is found the same way and deep-merged over it, secure values winning.
//! - Cloud: the `cloud` argument, else `OS_CLOUD`; with neither, the cloud described by `OS_*`
//!   variables when `OS_AUTH_URL` (or `OS_AUTH_TYPE`) is set, else the only cloud defined.
//! - `auth_type`: `password`/`v3password` (the default), `v3applicationcredential`,
//!   `token`/`v3token` (Keystone v3, also Huawei Cloud and OTC IAM), `admin_token` (a token
//!   used as is), `rackspace_apikey`, `rackspace_password`/`v2password` (Rackspace Identity
//!   v2.0) and `aksk` (Huawei AK/SK signing).
//!
//! Every secret is held in a [`Secret`](backup_runtime::auth::Secret) (or
//! [`AuthToken`](backup_runtime::auth::AuthToken)) as soon as it is read, and no error quotes a
//! value. Sources: the project's `shared/reference/auth.md`, section 5.
//!
//! # Tutorial
//!
//! ```
//! use std::collections::BTreeMap;
//! use backup_clouds::{Environment, load};
//! use backup_runtime::auth::{Credentials, Scope};
//!
//! let dir = std::env::temp_dir().join(format!("backup-clouds-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(dir.join("clouds.yaml"), "
//! clouds:
//!   otc:
//!     auth:
//!       auth_url: https://iam.eu-de.otc.t-systems.com/v3
//!       username: backup-operator
//!       password: s3cret
//!       user_domain_name: OTC-EU-DE-00000000001000000001
//!       project_name: eu-de
//!     region_name: eu-de
//!     block_storage_endpoint_override: https://evs.eu-de.otc.t-systems.com/v3/%(project_id)s
//! ")?;
//! // Tests and tools describe the process they pretend to be; a CLI uses
//! // `Environment::from_process()`.
//! let env = Environment { vars: BTreeMap::new(), cwd: dir.clone(), home: None };
//! let cloud = load(Some("otc"), &env)?;
//! assert_eq!(cloud.region_name.as_deref(), Some("eu-de"));
//! assert_eq!((cloud.interface.as_str(), cloud.verify), ("public", true));
//! assert!(cloud.endpoint_override("block-storage").unwrap().ends_with("/v3/%(project_id)s"));
//! let Credentials::Keystone(keystone) = &cloud.credentials else { panic!("not Keystone") };
//! assert_eq!(keystone.scope, Some(Scope::ProjectName { name: "eu-de".into(), domain: None }));
//! assert!(!format!("{cloud:?}").contains("s3cret"));
//!
//! let error = load(Some("prod"), &env).unwrap_err().to_string();
//! assert!(error.contains("cloud `prod` is not defined; clouds defined: otc"));
//! std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cloud;
mod credentials;
mod error;
mod files;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use backup_runtime::auth::Credentials;
use yaml_serde::Value;

use crate::cloud::{Origin, RawCloud};
pub use crate::error::ConfigError;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// What the loader reads of the process: its environment variables, working directory and
/// home directory. Tests build their own instead of touching the process.
#[derive(Clone, Default)]
pub struct Environment {
    /// Environment variables (`OS_*`, `XDG_CONFIG_HOME`).
    pub vars: BTreeMap<String, String>,
    /// The working directory, searched first (and the base of relative `OS_CLIENT_*_FILE`s).
    pub cwd: PathBuf,
    /// The home directory (`~/.config/openstack`), if known.
    pub home: Option<PathBuf>,
}

impl Environment {
    /// The current process's variables (those that are valid UTF-8), working directory and
    /// home directory.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars_os()
                .filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            home: std::env::home_dir(),
        }
    }

    /// A variable's value; unset and empty are the same.
    pub(crate) fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }
}

/// Prints the variables' names only: their values may be passwords.
impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .field("cwd", &self.cwd)
            .field("home", &self.home)
            .finish()
    }
}

/// One cloud, ready for a client. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// The cloud's name; for the `OS_*` cloud `envvars`, or `OS_CLOUD_NAME`.
    pub name: String,
    /// Where it came from: the file (`... with <secure file>` when that holds some of its
    /// settings), or `OS_* environment variables`.
    pub source: String,
    /// How to authenticate.
    pub credentials: Credentials,
    /// `OS_REGION_NAME` when set, else `region_name`, else the first of `regions`.
    pub region_name: Option<String>,
    /// The endpoint interface: `interface` (or `endpoint_type`), `publicURL` style accepted;
    /// `public` by default.
    pub interface: String,
    /// `cacert`: a CA bundle to trust besides the system's. Not used when `verify` is false.
    pub cacert: Option<PathBuf>,
    /// Whether to verify TLS certificates: `verify`, else the inverse of the deprecated
    /// `insecure`, else true. False wins over `cacert` (openstacksdk: "verify will always have
    /// precedence over cacert"); callers should warn.
    pub verify: bool,
    /// `<service_type>_endpoint_override` settings by service type as written with underscores
    /// (`block_storage`), the URL text as given (it may hold `%(project_id)s`).
    pub endpoint_overrides: BTreeMap<String, String>,
}

/// Service types that name the same service (os-service-types `service-types.json`), tried in
/// order after the one asked for, as openstacksdk's `CloudRegion._get_config` does.
const SERVICE_ALIASES: &[&[&str]] = &[&[
    "block_storage",
    "volumev3",
    "volumev2",
    "volume",
    "block_store",
]];

impl CloudConfig {
    /// The endpoint override for `service_type` (`block-storage` and `block_storage` alike),
    /// or for one of its aliases (`block-storage`: `volumev3`, `volumev2`, `volume`,
    /// `block-store`).
    pub fn endpoint_override(&self, service_type: &str) -> Option<&str> {
        let wanted = service_type.to_ascii_lowercase().replace('-', "_");
        if let Some(url) = self.endpoint_overrides.get(&wanted) {
            return Some(url);
        }
        let aliases = SERVICE_ALIASES
            .iter()
            .find(|group| group.contains(&wanted.as_str()))?;
        aliases
            .iter()
            .find_map(|alias| self.endpoint_overrides.get(*alias).map(String::as_str))
    }
}

/// Sets a client builder up for a cloud; one implementation for both clients' builders.
#[cfg(any(feature = "blocking", feature = "async"))]
macro_rules! client_for_cloud {
    ($config:expr, $client:ty, $service_types:expr) => {{
        let config: &CloudConfig = $config;
        let service_types: &[&str] = $service_types;
        let mut builder = <$client>::discover(service_types)
            .credentials(config.credentials.clone())
            .interface(config.interface.clone());
        if let Some(url) = service_types
            .iter()
            .find_map(|service_type| config.endpoint_override(service_type))
        {
            builder = builder.endpoint_override(url);
        }
        if let Some(region) = &config.region_name {
            builder = builder.region(region.clone());
        }
        if !config.verify {
            builder = builder.danger_accept_invalid_certs(true);
        } else if let Some(cacert) = &config.cacert {
            builder = builder.ca_file(cacert);
        }
        builder
    }};
}

impl CloudConfig {
    /// A blocking client for the first of `service_types` (official type first, then its
    /// aliases; an endpoint crate's `SERVICE_TYPES`) in this cloud: its credentials, region,
    /// interface, `<service_type>_endpoint_override`, `cacert` and `verify`. The endpoint comes
    /// from the login's catalog unless overridden; AK/SK needs an override (or
    /// `endpoint_override` on the builder). When `verify` is false, tell the user.
    ///
    /// ```no_run
    /// use backup_clouds::{Environment, load};
    /// use vbs_v3_endpoints::{ListBackupsDetail, ListBackupsDetailOutput, SERVICE_TYPES};
    ///
    /// let cloud = load(Some("otc"), &Environment::from_process())?;
    /// let client = cloud.blocking_client(SERVICE_TYPES).build()?;
    /// let project = client.project_id()?.unwrap_or_default(); // logs in, once
    /// let list = ListBackupsDetail::builder().project_id(project).build()?;
    /// for page in client.pages(list, 100) {
    ///     let ListBackupsDetailOutput::Ok(body) = page? else { continue };
    ///     for backup in &body.backups {
    ///         println!("{} {}", backup.id, backup.status);
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "blocking")]
    pub fn blocking_client(
        &self,
        service_types: &[&str],
    ) -> backup_runtime::blocking::ClientBuilder {
        client_for_cloud!(self, backup_runtime::blocking::Client, service_types)
    }

    /// [`CloudConfig::blocking_client`] for the async client.
    #[cfg(feature = "async")]
    pub fn async_client(
        &self,
        service_types: &[&str],
    ) -> backup_runtime::nonblocking::ClientBuilder {
        client_for_cloud!(self, backup_runtime::nonblocking::Client, service_types)
    }
}

/// Loads the cloud named `cloud` (else `OS_CLOUD`, else the `OS_*` cloud, else the only one).
///
/// # Errors
///
/// No configuration file and no `OS_*` cloud, a file that is not valid YAML or JSON, a cloud
/// that is not defined (or several and none chosen), an unsupported `auth_type`, a missing
/// setting or one of the wrong type. See [`ConfigError`].
pub fn load(cloud: Option<&str>, env: &Environment) -> Result<CloudConfig, ConfigError> {
    load_from(cloud, env, &files::search_dirs(env))
}

/// [`load`] searching `dirs` for the files.
fn load_from(
    cloud: Option<&str>,
    env: &Environment,
    dirs: &[PathBuf],
) -> Result<CloudConfig, ConfigError> {
    let selected = cloud
        .filter(|name| !name.is_empty())
        .or_else(|| env.var("OS_CLOUD"));
    let env_name = env.var("OS_CLOUD_NAME").unwrap_or("envvars");
    let env_cloud = env.var("OS_AUTH_URL").is_some() || env.var("OS_AUTH_TYPE").is_some();
    if env_cloud && selected.is_none_or(|name| name == env_name) {
        return build(&RawCloud::from_env(env, env_name), None);
    }

    let clouds_paths = files::candidates(env, "OS_CLIENT_CONFIG_FILE", "clouds", dirs);
    let secure_paths = files::candidates(env, "OS_CLIENT_SECURE_FILE", "secure", dirs);
    let clouds_file = files::read_first(&clouds_paths)?;
    let secure_file = files::read_first(&secure_paths)?;
    let (origin, merged) = match (&clouds_file, &secure_file) {
        (None, None) => {
            let searched: Vec<String> = clouds_paths
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            let why = match selected {
                Some(name) => format!("cloud `{name}` was asked for, but"),
                None => "no cloud is configured: OS_AUTH_URL is not set and".to_owned(),
            };
            return Err(ConfigError::new(
                None,
                None,
                format!(
                    "{why} no clouds file was found (searched: {})",
                    searched.join(", ")
                ),
            ));
        }
        (Some(clouds), None) => (clouds.path.display().to_string(), clouds.value.clone()),
        (None, Some(secure)) => (secure.path.display().to_string(), secure.value.clone()),
        (Some(clouds), Some(secure)) => {
            let mut merged = clouds.value.clone();
            files::merge(&mut merged, &secure.value);
            (
                format!("{} with {}", clouds.path.display(), secure.path.display()),
                merged,
            )
        }
    };
    let defined: Vec<(String, &Value)> = merged
        .get("clouds")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((files::key_text(key)?, value)))
        .collect();
    let names = || {
        if defined.is_empty() {
            "no clouds are defined".to_owned()
        } else {
            let names: Vec<&str> = defined.iter().map(|(name, _)| name.as_str()).collect();
            format!("clouds defined: {}", names.join(", "))
        }
    };
    let (name, value) = match selected {
        Some(name) => match defined.iter().find(|(defined, _)| defined == name) {
            Some(found) => found,
            None => {
                return Err(ConfigError::new(
                    Some(origin),
                    None,
                    format!("cloud `{name}` is not defined; {}", names()),
                ));
            }
        },
        None if defined.len() == 1 => &defined[0],
        None => {
            return Err(ConfigError::new(
                Some(origin),
                None,
                format!("no cloud chosen (OS_CLOUD is not set) and {}", names()),
            ));
        }
    };

    // The cloud's entry in the secure file, to tell which file each value came from.
    let secure_cloud = secure_file.as_ref().and_then(|file| {
        let (_, cloud) = file
            .clouds()?
            .iter()
            .find(|(key, _)| files::key_text(key).as_deref() == Some(name.as_str()))?;
        Some((file.path.clone(), cloud))
    });
    let origin = Origin::File {
        clouds: clouds_file.as_ref().map(|file| file.path.clone()),
        secure: secure_cloud.as_ref().map(|(path, _)| path.clone()),
    };
    let raw = RawCloud::from_file(name, value, secure_cloud.map(|(_, cloud)| cloud), origin)?;
    build(&raw, env.var("OS_REGION_NAME"))
}

/// Interprets a cloud's settings; `region` (`OS_REGION_NAME`) overrides the file's region.
fn build(raw: &RawCloud, region: Option<&str>) -> Result<CloudConfig, ConfigError> {
    let credentials = credentials::credentials(raw)?;
    let region_name = match region {
        Some(region) => Some(region.to_owned()),
        None => match raw.top_text(&["region_name"])? {
            Some((_, region)) => Some(region),
            None => raw.first_region()?,
        },
    };
    let interface = raw
        .top_text(&["interface", "endpoint_type"])?
        .map_or_else(|| "public".to_owned(), |(_, interface)| interface);
    let interface = interface
        .strip_suffix("URL")
        .unwrap_or(&interface)
        .to_owned();
    let verify = match raw.top_bool("verify")? {
        Some(verify) => verify,
        None => !raw.top_bool("insecure")?.unwrap_or(false),
    };
    Ok(CloudConfig {
        name: raw.name.clone(),
        source: raw.describe_origin(),
        credentials,
        region_name,
        interface,
        cacert: raw
            .top_text(&["cacert"])?
            .map(|(_, path)| PathBuf::from(path)),
        verify,
        endpoint_overrides: raw.endpoint_overrides()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A directory under the system's temporary directory, removed afterwards.
    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn cloud_yaml(name: &str) -> String {
        format!("clouds:\n  {name}:\n    auth_type: aksk\n    auth: {{ak: AK, sk: SK}}\n")
    }

    #[test]
    fn dirs_are_searched_in_order_and_the_first_file_wins() {
        let dir =
            Dir(std::env::temp_dir().join(format!("backup-clouds-unit-{}", std::process::id())));
        let (cwd, user, site) = (dir.0.join("cwd"), dir.0.join("user"), dir.0.join("site"));
        let dirs = [cwd.clone(), user.clone(), site.clone()];
        let env = Environment {
            cwd: cwd.clone(),
            ..Environment::default()
        };
        std::fs::create_dir_all(&cwd).unwrap();

        write(
            &site.join("clouds.json"),
            r#"{"clouds": {"site": {"auth_type": "aksk", "auth": {"ak": "AK", "sk": "SK"}}}}"#,
        );
        assert_eq!(load_from(None, &env, &dirs).unwrap().name, "site");
        write(&site.join("clouds.yml"), &cloud_yaml("site-yml"));
        assert_eq!(load_from(None, &env, &dirs).unwrap().name, "site-yml");
        write(
            &user.join("clouds.json"),
            r#"{"clouds": {"user": {"auth_type": "aksk", "auth": {"ak": "AK", "sk": "SK"}}}}"#,
        );
        assert_eq!(load_from(None, &env, &dirs).unwrap().name, "user");
        write(&cwd.join("clouds.yaml"), &cloud_yaml("cwd"));
        let cloud = load_from(None, &env, &dirs).unwrap();
        assert_eq!(
            (cloud.name.as_str(), cloud.source),
            ("cwd", cwd.join("clouds.yaml").display().to_string())
        );
    }

    #[test]
    fn the_default_dirs_end_in_etc_openstack() {
        let env = Environment {
            vars: [("XDG_CONFIG_HOME".to_owned(), "/x/config".to_owned())].into(),
            cwd: PathBuf::from("/work"),
            home: Some(PathBuf::from("/home/me")),
        };
        let dirs = files::search_dirs(&env);
        let expected = [
            "/work",
            "/x/config/openstack",
            "/home/me/.config/openstack",
            "/etc/openstack",
        ];
        assert_eq!(dirs, expected.map(PathBuf::from));
    }
}
