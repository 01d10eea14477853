//! Finding, reading and merging `clouds.yaml` and `secure.yaml` as openstacksdk does
//! (openstacksdk `openstack/config/loader.py`: `CONFIG_SEARCH_PATH`, `_load_config_file`,
//! `_load_secure_file`, `_util.merge_clouds`).

use std::path::{Path, PathBuf};

use yaml_serde::{Mapping, Value};

use crate::Environment;
use crate::error::ConfigError;

/// The suffixes tried in each directory, in order (`YAML_SUFFIXES`, `JSON_SUFFIXES`).
const SUFFIXES: [&str; 3] = ["yaml", "yml", "json"];

/// The system-wide directory, searched last.
const SITE_DIR: &str = "/etc/openstack";

/// A configuration file that was read.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Where it is.
    pub(crate) path: PathBuf,
    /// Its contents (a JSON file is read into the same tree).
    pub(crate) value: Value,
}

impl Loaded {
    /// The file's `clouds` mapping, if it has one.
    pub(crate) fn clouds(&self) -> Option<&Mapping> {
        self.value.get("clouds").and_then(Value::as_mapping)
    }
}

/// The directories searched, in order: the working directory, the user's configuration
/// directory (`$XDG_CONFIG_HOME/openstack`, platformdirs' user config dir, when set),
/// `~/.config/openstack`, `/etc/openstack`.
pub(crate) fn search_dirs(env: &Environment) -> Vec<PathBuf> {
    let mut dirs = vec![env.cwd.clone()];
    if let Some(xdg) = env.var("XDG_CONFIG_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        dirs.push(xdg.join("openstack"));
    }
    if let Some(home) = &env.home {
        dirs.push(home.join(".config").join("openstack"));
    }
    dirs.push(PathBuf::from(SITE_DIR));
    dirs.dedup();
    dirs
}

/// The candidate paths for `stem` (`clouds` or `secure`): the file named by `override_var`
/// first (relative to the working directory), then `stem.{yaml,yml,json}` in each directory.
pub(crate) fn candidates(
    env: &Environment,
    override_var: &str,
    stem: &str,
    dirs: &[PathBuf],
) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(file) = env.var(override_var) {
        paths.push(env.cwd.join(file));
    }
    for dir in dirs {
        for suffix in SUFFIXES {
            paths.push(dir.join(format!("{stem}.{suffix}")));
        }
    }
    paths
}

/// Reads the first of `candidates` that exists; `None` when none does.
pub(crate) fn read_first(candidates: &[PathBuf]) -> Result<Option<Loaded>, ConfigError> {
    match candidates.iter().find(|path| path.is_file()) {
        Some(path) => read(path).map(Some),
        None => Ok(None),
    }
}

/// Reads and parses one file: JSON when its name ends in `json`, YAML otherwise (as
/// openstacksdk decides), with YAML merge keys (`<<`) applied. The top level must be a
/// mapping whose `clouds`, when present, is a mapping.
fn read(path: &Path) -> Result<Loaded, ConfigError> {
    let origin = || Some(path.display().to_string());
    let text = std::fs::read_to_string(path)
        .map_err(|error| ConfigError::new(origin(), None, format!("cannot read it: {error}")))?;
    let mut value: Value = if path.to_string_lossy().ends_with("json") {
        serde_json::from_str(&text)
            .map_err(|error| ConfigError::new(origin(), None, format!("not valid JSON: {error}")))?
    } else {
        let mut value: Value = yaml_serde::from_str(&text).map_err(|error| {
            ConfigError::new(origin(), None, format!("not valid YAML: {error}"))
        })?;
        value.apply_merge().map_err(|error| {
            ConfigError::new(origin(), None, format!("not valid YAML: {error}"))
        })?;
        value
    };
    match &value {
        // An empty file defines nothing.
        Value::Null => value = Value::Mapping(Mapping::new()),
        Value::Mapping(_) => {}
        other => {
            return Err(ConfigError::new(
                origin(),
                None,
                format!(
                    "the top level must be a mapping (with `clouds`), found {}",
                    kind(other)
                ),
            ));
        }
    }
    match value.get("clouds") {
        None | Some(Value::Null | Value::Mapping(_)) => {}
        Some(other) => {
            return Err(ConfigError::new(
                origin(),
                None,
                format!(
                    "`clouds` must be a mapping of cloud names, found {}",
                    kind(other)
                ),
            ));
        }
    }
    Ok(Loaded {
        path: path.to_owned(),
        value,
    })
}

/// Merges `over` into `base`, recursively for mappings; `over` wins everywhere else.
pub(crate) fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Mapping(base), Value::Mapping(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

/// A mapping key as text (YAML allows numbers and booleans as keys).
pub(crate) fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// What kind of value this is, for error messages (which never quote values).
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a sequence",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
