//! One cloud's settings before they are interpreted: keys normalized as openstacksdk does
//! (dashes to underscores, `_fix_args`; auth keys moved under `auth`, `_validate_auth` and
//! `_fix_backwards_project`), each value remembering where it was written so that an error can
//! name the file and the key path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use yaml_serde::Value;

use crate::Environment;
use crate::error::ConfigError;
use crate::files::{key_text, kind};

/// Keys that belong under `auth` even when written at the cloud's top level (as every `OS_*`
/// variable is). openstacksdk moves a top-level key under `auth` when the auth plugin has an
/// option of that name; these are the options of the plugins supported here, with their
/// aliases.
const AUTH_KEYS: &[&str] = &[
    "auth_url",
    "username",
    "user_id",
    "password",
    "user_domain_id",
    "user_domain_name",
    "project_id",
    "project_name",
    "tenant_id",
    "tenant_name",
    "project_domain_id",
    "project_domain_name",
    "domain_id",
    "domain_name",
    "token",
    "auth_token",
    "application_credential_id",
    "application_credential_name",
    "application_credential_secret",
    "api_key",
    "ak",
    "sk",
    "access_key",
    "secret_key",
    "security_token",
];

/// `OS_*` variables that select a cloud rather than describe one (openstacksdk
/// `_get_os_environ`), and never become settings of the `OS_*` cloud. `OS_REGION_NAME` is a
/// selector too but also the env cloud's region, so it is kept.
const SELECTORS: &[&str] = &[
    "OS_CLOUD",
    "OS_CLIENT_CONFIG_FILE",
    "OS_CLIENT_SECURE_FILE",
    "OS_CLOUD_NAME",
];

/// `OS_*` prefixes of test harnesses that openstacksdk skips (`OS_TEST`, `OS_STD`, `OS_LOG`).
const IGNORED_PREFIXES: &[&str] = &["OS_TEST", "OS_STD", "OS_LOG"];

/// Where a cloud was defined.
#[derive(Debug)]
pub(crate) enum Origin {
    /// In a file, with the secure file when it defines this cloud too.
    File {
        /// `clouds.yaml` (absent when only the secure file exists).
        clouds: Option<PathBuf>,
        /// `secure.yaml`, when it has settings of this cloud.
        secure: Option<PathBuf>,
    },
    /// In `OS_*` environment variables.
    Env,
}

/// One setting as written.
#[derive(Debug)]
struct Field {
    /// The key as written (a file key, or the variable's name).
    key: String,
    /// Whether it was written under `auth`.
    under_auth: bool,
    /// Whether its value came from the secure file.
    in_secure: bool,
    /// The value.
    value: Value,
}

/// A cloud's settings, keyed by normalized name.
#[derive(Debug)]
pub(crate) struct RawCloud {
    /// The cloud's name.
    pub(crate) name: String,
    /// Where it was defined.
    pub(crate) origin: Origin,
    /// Settings other than authentication.
    top: BTreeMap<String, Field>,
    /// Authentication settings.
    auth: BTreeMap<String, Field>,
}

/// `tenant-name` -> `tenant_name`.
fn normalize(key: &str) -> String {
    key.replace('-', "_")
}

/// Inserts a setting; a key spelled with underscores wins over the same key spelled with
/// dashes, whichever comes first.
fn insert(map: &mut BTreeMap<String, Field>, normalized: String, field: Field) {
    if let Some(existing) = map.get(&normalized)
        && existing.key == normalized
        && field.key != normalized
    {
        return;
    }
    map.insert(normalized, field);
}

impl RawCloud {
    /// A cloud from the merged file tree: `cloud` is the cloud's merged mapping, `secure` its
    /// entry in the secure file (to tell which file a value came from).
    pub(crate) fn from_file(
        name: &str,
        cloud: &Value,
        secure: Option<&Value>,
        origin: Origin,
    ) -> Result<Self, ConfigError> {
        let mut raw = RawCloud {
            name: name.to_owned(),
            origin,
            top: BTreeMap::new(),
            auth: BTreeMap::new(),
        };
        let mapping = match cloud {
            Value::Mapping(mapping) => mapping,
            other => {
                return Err(raw.error(format!(
                    "`clouds.{name}` must be a mapping of settings, found {}",
                    kind(other)
                )));
            }
        };
        let mut top_auth = Vec::new();
        for (key, value) in mapping {
            let Some(key) = key_text(key) else { continue };
            let normalized = normalize(&key);
            if normalized == "auth" {
                let auth = match value {
                    Value::Null => continue,
                    Value::Mapping(auth) => auth,
                    other => {
                        return Err(raw.error_in(
                            secure.and_then(|s| s.get(&key)).is_some(),
                            format!(
                                "`clouds.{name}.{key}` must be a mapping, found {}",
                                kind(other)
                            ),
                        ));
                    }
                };
                let secure_auth = secure.and_then(|s| s.get(&key));
                for (auth_key, value) in auth {
                    let Some(auth_key) = key_text(auth_key) else {
                        continue;
                    };
                    let field = Field {
                        in_secure: secure_auth.and_then(|s| s.get(&auth_key)).is_some(),
                        key: auth_key.clone(),
                        under_auth: true,
                        value: value.clone(),
                    };
                    insert(&mut raw.auth, normalize(&auth_key), field);
                }
            } else {
                let field = Field {
                    in_secure: secure.and_then(|s| s.get(&key)).is_some(),
                    key,
                    under_auth: false,
                    value: value.clone(),
                };
                if AUTH_KEYS.contains(&normalized.as_str()) {
                    top_auth.push((normalized, field));
                } else {
                    insert(&mut raw.top, normalized, field);
                }
            }
        }
        // openstacksdk looks at the top level after `auth`, so a top-level value wins.
        let mut moved = BTreeMap::new();
        for (normalized, field) in top_auth {
            insert(&mut moved, normalized, field);
        }
        raw.auth.extend(moved);
        Ok(raw)
    }

    /// The cloud openstacksdk builds from `OS_*` variables (`_get_os_environ`): every
    /// variable but the selectors, named without `OS_` and lower-cased.
    pub(crate) fn from_env(env: &Environment, name: &str) -> Self {
        let mut raw = RawCloud {
            name: name.to_owned(),
            origin: Origin::Env,
            top: BTreeMap::new(),
            auth: BTreeMap::new(),
        };
        for (var, value) in &env.vars {
            let Some(rest) = var.strip_prefix("OS_") else {
                continue;
            };
            if SELECTORS.contains(&var.as_str())
                || IGNORED_PREFIXES
                    .iter()
                    .any(|prefix| var.starts_with(prefix))
            {
                continue;
            }
            let normalized = rest.to_ascii_lowercase();
            let field = Field {
                key: var.clone(),
                under_auth: false,
                in_secure: false,
                value: Value::String(value.clone()),
            };
            if AUTH_KEYS.contains(&normalized.as_str()) {
                raw.auth.insert(normalized, field);
            } else {
                raw.top.insert(normalized, field);
            }
        }
        raw
    }

    /// The first of `keys` (in priority order) set under `auth`: its index in `keys` and its
    /// text. Null and empty strings count as unset; numbers are taken as their text.
    pub(crate) fn auth_text(&self, keys: &[&str]) -> Result<Option<(usize, String)>, ConfigError> {
        self.text(&self.auth, keys)
    }

    /// As [`RawCloud::auth_text`], for settings outside `auth`.
    pub(crate) fn top_text(&self, keys: &[&str]) -> Result<Option<(usize, String)>, ConfigError> {
        self.text(&self.top, keys)
    }

    /// The text of the first of `keys` set in `map`.
    fn text(
        &self,
        map: &BTreeMap<String, Field>,
        keys: &[&str],
    ) -> Result<Option<(usize, String)>, ConfigError> {
        for (index, key) in keys.iter().enumerate() {
            let Some(field) = map.get(*key) else { continue };
            match &field.value {
                Value::Null => {}
                Value::String(text) if text.is_empty() => {}
                Value::String(text) => return Ok(Some((index, text.clone()))),
                Value::Number(number) => return Ok(Some((index, number.to_string()))),
                other => return Err(self.invalid(field, "a string", other)),
            }
        }
        Ok(None)
    }

    /// A required setting under `auth`: the first of `keys` set, else an error naming the
    /// first key (and the others as alternatives) and `auth_type`.
    pub(crate) fn required_auth(
        &self,
        keys: &[&str],
        auth_type: &str,
    ) -> Result<String, ConfigError> {
        match self.auth_text(keys)? {
            Some((_, text)) => Ok(text),
            None => Err(self.missing(keys, &format!("auth_type `{auth_type}` needs it"))),
        }
    }

    /// A boolean setting outside `auth`: `true`/`false`, or the strings `true`, `false`,
    /// `yes`, `no`, `on`, `off`, `1`, `0` (any case) as YAML 1.1 and `OS_*` variables give them.
    pub(crate) fn top_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(field) = self.top.get(key) else {
            return Ok(None);
        };
        match &field.value {
            Value::Null => Ok(None),
            Value::Bool(flag) => Ok(Some(*flag)),
            Value::String(text) if text.is_empty() => Ok(None),
            Value::String(text) => match text.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Ok(Some(true)),
                "false" | "no" | "off" | "0" => Ok(Some(false)),
                _ => Err(self.invalid(field, "true or false", &field.value)),
            },
            other => Err(self.invalid(field, "true or false", other)),
        }
    }

    /// The first region of a `regions:` list (names, or mappings with a `name`).
    pub(crate) fn first_region(&self) -> Result<Option<String>, ConfigError> {
        let Some(field) = self.top.get("regions") else {
            return Ok(None);
        };
        let expected = "a list of region names";
        let first = match &field.value {
            Value::Null => return Ok(None),
            Value::Sequence(regions) => match regions.first() {
                None => return Ok(None),
                Some(first) => first,
            },
            other => return Err(self.invalid(field, expected, other)),
        };
        let name = match first {
            Value::Mapping(region) => region.get("name").unwrap_or(&Value::Null),
            other => other,
        };
        match name {
            Value::String(name) => Ok(Some(name.clone())),
            other => Err(self.invalid(field, expected, other)),
        }
    }

    /// `<service_type>_endpoint_override` settings, by service type as written (underscores).
    pub(crate) fn endpoint_overrides(&self) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut overrides = BTreeMap::new();
        for (key, field) in &self.top {
            let Some(service) = key.strip_suffix("_endpoint_override") else {
                continue;
            };
            if service.is_empty() {
                continue;
            }
            match &field.value {
                Value::Null => {}
                Value::String(url) if url.is_empty() => {}
                Value::String(url) => {
                    overrides.insert(service.to_owned(), url.clone());
                }
                other => return Err(self.invalid(field, "a URL", other)),
            }
        }
        Ok(overrides)
    }

    /// How a key is named in messages: `clouds.<cloud>.auth.<key>` in a file, `OS_<KEY>` for
    /// the variables.
    pub(crate) fn key_path(&self, key: &str, under_auth: bool) -> String {
        match self.origin {
            Origin::Env => format!("OS_{}", key.to_ascii_uppercase()),
            Origin::File { .. } if under_auth => format!("clouds.{}.auth.{key}", self.name),
            Origin::File { .. } => format!("clouds.{}.{key}", self.name),
        }
    }

    /// The files (or variables) this cloud came from, for messages and
    /// [`CloudConfig::source`](crate::CloudConfig::source).
    pub(crate) fn describe_origin(&self) -> String {
        match &self.origin {
            Origin::Env => "OS_* environment variables".to_owned(),
            Origin::File {
                clouds: Some(clouds),
                secure: Some(secure),
            } => format!("{} with {}", clouds.display(), secure.display()),
            Origin::File {
                clouds: Some(path),
                secure: None,
            }
            | Origin::File {
                clouds: None,
                secure: Some(path),
            } => path.display().to_string(),
            Origin::File {
                clouds: None,
                secure: None,
            } => "no file".to_owned(),
        }
    }

    /// An error about this cloud, naming its files.
    pub(crate) fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::new(Some(self.describe_origin()), Some(&self.name), message)
    }

    /// An error about a value: names the secure file when the value came from it, else the
    /// clouds file.
    fn error_in(&self, in_secure: bool, message: impl Into<String>) -> ConfigError {
        let origin = match &self.origin {
            Origin::File {
                secure: Some(secure),
                ..
            } if in_secure => secure.display().to_string(),
            Origin::File {
                clouds: Some(clouds),
                ..
            } => clouds.display().to_string(),
            _ => self.describe_origin(),
        };
        ConfigError::new(Some(origin), Some(&self.name), message)
    }

    /// `<key path> must be <expected>, found <kind>` (never the value itself).
    fn invalid(&self, field: &Field, expected: &str, found: &Value) -> ConfigError {
        let path = match self.origin {
            Origin::Env => field.key.clone(),
            Origin::File { .. } => self.key_path(&field.key, field.under_auth),
        };
        self.error_in(
            field.in_secure,
            format!("`{path}` must be {expected}, found {}", kind(found)),
        )
    }

    /// `<first key> is missing (or <others>): <why>`, for keys under `auth`.
    pub(crate) fn missing(&self, keys: &[&str], why: &str) -> ConfigError {
        let mut message = format!("`{}` is missing", self.key_path(keys[0], true));
        if keys.len() > 1 {
            let others: Vec<String> = keys[1..]
                .iter()
                .map(|key| format!("`{}`", self.key_path(key, true)))
                .collect();
            message.push_str(&format!(" (or {})", others.join(", ")));
        }
        message.push_str(": ");
        message.push_str(why);
        self.error(message)
    }
}
