//! The hand-written OpenAPI 3.0.3 specs in `specs/` and their documented example bodies.
//!
//! Each API has a key ([`APIS`], [`discover`]), which is the stem of its spec, `specs/<api>.yaml`, and the name of
//! its example folder, `specs/examples/<api>/`. Example files are named
//! `<operationId>.<status>.json` (a response body) or `<operationId>.request.json` (a request
//! body) and hold the bytes the source document shows.
//!
//! [`example_schema`] turns the OpenAPI schema of an example's body into a standalone JSON Schema
//! (draft 2020-12), so any JSON Schema validator can check the example against the spec.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// The API keys of this workspace: the stems of `specs/*.yaml`, sorted, found once on first use
/// ([`discover`] on [`specs_dir`]). Iterate it like a slice: `for api in APIS`, `APIS.len()`.
///
/// For tests and checks of the checked-in specs; it panics with [`discover`]'s message when
/// `specs/` cannot be read or holds a spec with a bad name. Commands call [`apis`] and report the
/// error instead.
pub const APIS: Apis = Apis;

/// The type of [`APIS`]: dereferences to the sorted list of API keys.
#[derive(Debug, Clone, Copy)]
pub struct Apis;

impl Apis {
    /// The keys, found on first use.
    fn keys() -> &'static [&'static str] {
        static KEYS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        KEYS.get_or_init(|| {
            apis()
                .unwrap_or_else(|message| panic!("{message}"))
                .into_iter()
                .map(|key| &*Box::leak(key.into_boxed_str()))
                .collect()
        })
    }
}

impl std::ops::Deref for Apis {
    type Target = [&'static str];

    fn deref(&self) -> &Self::Target {
        Self::keys()
    }
}

impl IntoIterator for Apis {
    type Item = &'static &'static str;
    type IntoIter = std::slice::Iter<'static, &'static str>;

    fn into_iter(self) -> Self::IntoIter {
        Self::keys().iter()
    }
}

/// The API keys of this workspace: [`discover`] on [`specs_dir`].
///
/// # Errors
///
/// As [`discover`].
pub fn apis() -> Result<Vec<String>, String> {
    discover(&specs_dir())
}

/// The API keys of the specs in `dir`: the stem of every `*.yaml` file, sorted. Other files and
/// folders (`README.md`, `examples/`, `sources/`, `cases/`) are not specs.
///
/// # Errors
///
/// When `dir` cannot be read, or a spec's stem is not a valid API key (lower-case ASCII letters
/// and digits in groups joined by single hyphens, starting with a letter: it names crates and
/// Rust modules), or a spec ends in `.yml`.
pub fn discover(dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut keys = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if name.ends_with(".yml") {
            return Err(format!(
                "{}: specs end in `.yaml`; rename it to `{}`",
                path.display(),
                name.replace(".yml", ".yaml")
            ));
        }
        let Some(key) = name.strip_suffix(".yaml") else {
            continue;
        };
        if !is_api_key(key) {
            return Err(format!(
                "{}: `{key}` is not a valid API key (the file stem names the crates \
                 `{key}-models` and `{key}-endpoints`): use lower-case letters and digits in \
                 groups joined by single hyphens, starting with a letter, e.g. `vbs-v2`",
                path.display()
            ));
        }
        keys.push(key.to_owned());
    }
    keys.sort();
    Ok(keys)
}

/// Whether `key` can be an API key: `[a-z][a-z0-9]*(-[a-z0-9]+)*`.
pub fn is_api_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.split('-').all(|group| {
            !group.is_empty()
                && group
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The JSON Schema dialect [`example_schema`] produces.
pub const JSON_SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The `specs/` folder of the workspace.
pub fn specs_dir() -> PathBuf {
    crate::project_root().join("specs")
}

/// The spec of `api`: `specs/<api>.yaml`.
pub fn spec_path(api: &str) -> PathBuf {
    specs_dir().join(format!("{api}.yaml"))
}

/// The folder of `api`'s example bodies: `specs/examples/<api>/`.
pub fn examples_dir(api: &str) -> PathBuf {
    specs_dir().join("examples").join(api)
}

/// Reads and parses `specs/<api>.yaml` into an [`openapiv3::OpenAPI`].
///
/// # Errors
///
/// Returns a message naming the file when it cannot be read or is not a valid OpenAPI 3.0
/// document.
pub fn load(api: &str) -> Result<openapiv3::OpenAPI, String> {
    let path = spec_path(api);
    let text = read(&path)?;
    yaml_serde::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads `specs/<api>.yaml` as plain JSON data (every key as written, extensions included).
///
/// # Errors
///
/// Returns a message naming the file when it cannot be read or parsed.
pub fn load_value(api: &str) -> Result<Value, String> {
    let path = spec_path(api);
    let text = read(&path)?;
    yaml_serde::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Which body of an operation an example file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Body {
    /// The request body (`<operationId>.request.json`).
    Request,
    /// The response body of this HTTP status (`<operationId>.<status>.json`).
    Response(u16),
}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request => f.write_str("request"),
            Self::Response(status) => write!(f, "{status}"),
        }
    }
}

/// One documented example body of an API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The operation whose body it is.
    pub operation_id: String,
    /// The request body, or the response body of a status.
    pub body: Body,
    /// The example file, `specs/examples/<api>/<operationId>.<status|request>.json`.
    pub path: PathBuf,
}

impl Example {
    /// Parses an example file name, `<operationId>.<status>.json` or
    /// `<operationId>.request.json`; `None` for any other name.
    pub fn from_file_name(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        let stem = name.strip_suffix(".json")?;
        let (operation_id, body) = stem.split_once('.')?;
        let body = match body {
            "request" => Body::Request,
            status if status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()) => {
                Body::Response(status.parse().ok()?)
            }
            _ => return None,
        };
        if operation_id.is_empty() {
            return None;
        }
        Some(Self {
            operation_id: operation_id.to_owned(),
            body,
            path: path.to_owned(),
        })
    }

    /// The file name this example must have: `<operationId>.<status|request>.json`.
    pub fn file_name(&self) -> String {
        format!("{}.{}.json", self.operation_id, self.body)
    }
}

/// Every example file of `api` (in `specs/examples/<api>/`), sorted by file name.
///
/// Files whose names do not follow `<operationId>.<status|request>.json` are left out; a missing
/// folder gives an empty list.
pub fn examples(api: &str) -> Vec<Example> {
    let Ok(entries) = fs::read_dir(examples_dir(api)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| Example::from_file_name(path))
        .collect()
}

/// A standalone JSON Schema (draft 2020-12) for the body `example` holds: the schema its
/// operation gives that request or response, translated from OpenAPI 3.0.
///
/// The translation: `nullable: true` also allows `null` (adding `null` to `type` and `enum`, or
/// wrapping `allOf`/`$ref` schemas in `anyOf: [.., {type: null}]`); `#/components/schemas/X`
/// becomes `#/$defs/X`, with every component schema translated into `$defs`; `example`,
/// `externalDocs`, `discriminator`, `xml` and `x-*` extensions are dropped; OpenAPI's boolean
/// `exclusiveMinimum`/`exclusiveMaximum` become numbers. `format` is kept as an annotation:
/// validate with format assertion off.
///
/// # Panics
///
/// When the spec cannot be read, or has no such operation, body or JSON schema. Use
/// [`try_example_schema`] to get the message instead.
pub fn example_schema(api: &str, example: &Example) -> Value {
    try_example_schema(api, example).unwrap_or_else(|message| panic!("{message}"))
}

/// [`example_schema`], returning a message instead of panicking.
///
/// # Errors
///
/// When the spec cannot be read, or has no such operation, body or JSON schema.
pub fn try_example_schema(api: &str, example: &Example) -> Result<Value, String> {
    let spec = load_value(api)?;
    let file = spec_path(api);
    let where_ = || {
        format!(
            "{}: {} {}",
            file.display(),
            example.operation_id,
            example.body
        )
    };
    let operation = find_operation(&spec, &example.operation_id)
        .ok_or_else(|| format!("{}: no operation with this operationId", where_()))?;
    let holder = match example.body {
        Body::Request => operation.get("requestBody"),
        Body::Response(status) => operation
            .get("responses")
            .and_then(|responses| responses.get(status.to_string())),
    }
    .map(|value| resolve(&spec, value))
    .ok_or_else(|| format!("{}: not documented in the spec", where_()))?;
    let content = holder
        .get("content")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{}: no content", where_()))?;
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())
        .ok_or_else(|| format!("{}: no media type", where_()))?;
    let schema = media
        .get("schema")
        .ok_or_else(|| format!("{}: no schema", where_()))?;
    Ok(standalone(&spec, schema))
}

/// Translates one OpenAPI 3.0 schema of `spec` into a standalone JSON Schema 2020-12 document
/// whose `$defs` hold every component schema of `spec`.
pub fn standalone(spec: &Value, schema: &Value) -> Value {
    let mut root = match to_json_schema(schema) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".to_owned(), json!([other]));
            map
        }
    };
    let defs: Map<String, Value> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                .collect()
        })
        .unwrap_or_default();
    root.insert("$schema".to_owned(), Value::from(JSON_SCHEMA_DIALECT));
    root.insert("$defs".to_owned(), Value::Object(defs));
    Value::Object(root)
}

/// The operation of `spec` (plain JSON data) whose `operationId` is `operation_id`.
pub fn find_operation<'a>(spec: &'a Value, operation_id: &str) -> Option<&'a Value> {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    spec.get("paths")?
        .as_object()?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| METHODS.iter().filter_map(move |method| item.get(*method)))
        .find(|operation| {
            operation.get("operationId").and_then(Value::as_str) == Some(operation_id)
        })
}

/// Follows a local `$ref` (`#/...`) of `spec`, once; any other value is returned as is.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| spec.pointer(pointer))
        .unwrap_or(value)
}

/// Translates one OpenAPI 3.0 schema object into JSON Schema 2020-12 (see [`example_schema`]).
fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    let mut nullable = false;
    for (key, value) in map {
        match key.as_str() {
            "nullable" => nullable = value.as_bool() == Some(true),
            "example" | "externalDocs" | "discriminator" | "xml" => {}
            extension if extension.starts_with("x-") => {}
            "$ref" => {
                let reference = value.as_str().unwrap_or_default();
                let reference = reference
                    .strip_prefix("#/components/schemas/")
                    .map_or_else(|| reference.to_owned(), |name| format!("#/$defs/{name}"));
                out.insert(key.clone(), Value::String(reference));
            }
            "properties" | "patternProperties" => {
                let translated = value
                    .as_object()
                    .map(|properties| {
                        properties
                            .iter()
                            .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(translated));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let translated = value
                    .as_array()
                    .map(|schemas| schemas.iter().map(to_json_schema).collect())
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Array(translated));
            }
            "items" | "not" | "additionalProperties" => {
                out.insert(key.clone(), to_json_schema(value));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match out.get(exclusive) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = out.remove(bound) {
                    out.insert(exclusive.to_owned(), limit);
                } else {
                    out.remove(exclusive);
                }
            }
            Some(Value::Bool(false)) => {
                out.remove(exclusive);
            }
            _ => {}
        }
    }
    if nullable {
        allow_null(out)
    } else {
        Value::Object(out)
    }
}

/// Makes a translated schema also accept `null`.
fn allow_null(mut schema: Map<String, Value>) -> Value {
    let composed = ["$ref", "allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|key| schema.contains_key(*key));
    let typed = match schema.get_mut("type") {
        Some(ty @ Value::String(_)) => {
            *ty = json!([ty.take(), "null"]);
            true
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|ty| ty == "null") {
                types.push(Value::from("null"));
            }
            true
        }
        _ => false,
    };
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    if typed && !composed {
        return Value::Object(schema);
    }
    // No `type` to widen, or subschemas that would still reject null: accept null beside it.
    let mut wrapper = Map::new();
    if let Some(description) = schema.remove("description") {
        wrapper.insert("description".to_owned(), description);
    }
    wrapper.insert(
        "anyOf".to_owned(),
        json!([Value::Object(schema), {"type": "null"}]),
    );
    Value::Object(wrapper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_names() {
        let request = Example::from_file_name(Path::new("a/startBackup.request.json")).unwrap();
        assert_eq!(request.operation_id, "startBackup");
        assert_eq!(request.body, Body::Request);
        assert_eq!(request.file_name(), "startBackup.request.json");
        let response = Example::from_file_name(Path::new("showBackup.200.json")).unwrap();
        assert_eq!(response.body, Body::Response(200));
        assert!(Example::from_file_name(Path::new("showBackup.json")).is_none());
        assert!(Example::from_file_name(Path::new("showBackup.ok.json")).is_none());
        assert!(Example::from_file_name(Path::new(".200.json")).is_none());
    }

    #[test]
    fn api_keys() {
        for good in ["vbs-v2", "cbr-v3", "rackspace-backup-v2", "a", "zzz-test"] {
            assert!(is_api_key(good), "{good}");
        }
        for bad in [
            "", "Vbs-v2", "vbs_v2", "-vbs", "vbs-", "vbs--v2", "2vbs", "vbs v2", "vbs.v2",
        ] {
            assert!(!is_api_key(bad), "{bad}");
        }
    }

    #[test]
    fn discovery_finds_every_spec_sorted() {
        let dir = std::env::temp_dir().join(format!("xtask-discover-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("examples/zzz-test")).expect("mkdir");
        for file in ["zzz-test.yaml", "cbr-v3.yaml", "README.md", "notes.json"] {
            fs::write(dir.join(file), "").expect("write");
        }
        assert_eq!(discover(&dir).expect("discovers"), ["cbr-v3", "zzz-test"]);

        fs::write(dir.join("Bad_Name.yaml"), "").expect("write");
        let error = discover(&dir).expect_err("a bad key");
        assert!(
            error.contains("Bad_Name.yaml: `Bad_Name` is not a valid API key"),
            "{error}"
        );
        fs::remove_file(dir.join("Bad_Name.yaml")).expect("remove");
        fs::write(dir.join("other.yml"), "").expect("write");
        let error = discover(&dir).expect_err("a .yml spec");
        assert!(error.contains("other.yml: specs end in `.yaml`"), "{error}");
        fs::remove_dir_all(&dir).expect("clean up");
        assert!(discover(&dir).is_err(), "a missing folder is an error");
    }

    #[test]
    fn the_checked_in_specs_are_discovered() {
        for api in ["cbr-v3", "rackspace-backup-v2", "vbs-v2", "vbs-v3"] {
            assert!(APIS.contains(&api), "{api}: {:?}", &*APIS);
        }
        assert!(APIS.is_sorted());
        assert_eq!(APIS.into_iter().count(), APIS.len());
    }

    #[test]
    fn nullable_translation() {
        let typed = to_json_schema(&json!({"type": "string", "nullable": true, "enum": ["a"]}));
        assert_eq!(
            typed,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        let wrapped = to_json_schema(&json!({
            "description": "d",
            "nullable": true,
            "allOf": [{"$ref": "#/components/schemas/X"}],
            "x-embedded-json": "#/components/schemas/Y",
            "example": 1,
        }));
        assert_eq!(
            wrapped,
            json!({"description": "d", "anyOf": [{"allOf": [{"$ref": "#/$defs/X"}]}, {"type": "null"}]})
        );
        let exclusive =
            to_json_schema(&json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true}));
        assert_eq!(exclusive, json!({"type": "integer", "exclusiveMinimum": 0}));
    }
}
