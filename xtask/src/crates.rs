//! The files codegen writes around the generated code, from the list of specs alone: each API's
//! crate manifests (`crates/<api>-models/Cargo.toml`, `crates/<api>-endpoints/Cargo.toml`) and the
//! `backup-apis` crate, which links every endpoint crate and lists every API in one table (name,
//! spec, operations, body round trip, dispatch by operationId, JSON Schemas).
//!
//! A new `specs/<api>.yaml` is therefore picked up by codegen, the workspace (`crates/*`),
//! `backupctl` and `cargo xtask publish` without a hand edit. Every file here is deterministic and
//! marked `@generated` on line one.

use std::fmt::Write as _;
use std::path::Path;

use backup_codegen::GeneratedFile;

/// The folder of the generated table crate, relative to the root.
pub const APIS_CRATE: &str = "crates/backup-apis";

/// The manifest of `crates/<api>-models`: the models' dependencies, and the dev-dependencies of
/// the hand-maintained tests (`tests/lossless.rs`, property tests, insta snapshots), the same for
/// every API.
pub fn models_manifest(api: &str) -> GeneratedFile {
    let spec = format!("specs/{api}.yaml");
    GeneratedFile {
        path: format!("crates/{api}-models/Cargo.toml"),
        contents: format!(
            "{header}\
             [package]\n\
             name = \"{api}-models\"\n\
             version = \"{version}\"\n\
             description = \"Lossless serde + schemars models of the {api} API, generated from {spec}.\"\n\
             {package}\n\
             [dependencies]\n\
             backup-runtime.workspace = true\n\
             serde.workspace = true\n\
             serde_json.workspace = true\n\
             schemars.workspace = true\n\
             \n\
             [dev-dependencies]\n\
             insta.workspace = true\n\
             proptest.workspace = true\n\
             \n\
             [lints]\n\
             workspace = true\n",
            header = header(&spec),
            package = PACKAGE,
            version = crate_version(&crate::project_root(), &format!("{api}-models")),
        ),
    }
}

/// The manifest of `crates/<api>-endpoints`: the runtime, the API's models by path, the client
/// features, and the dev-dependencies of the loopback tests (`tests/live.rs`).
pub fn endpoints_manifest(api: &str) -> GeneratedFile {
    let spec = format!("specs/{api}.yaml");
    GeneratedFile {
        path: format!("crates/{api}-endpoints/Cargo.toml"),
        contents: format!(
            "{header}\
             [package]\n\
             name = \"{api}-endpoints\"\n\
             version = \"{version}\"\n\
             description = \"Sans-IO endpoints of the {api} API, generated from {spec}.\"\n\
             {package}\n\
             [features]\n\
             default = []\n\
             # Turn on a client in the runtime: `blocking` (ureq) or `async` (reqwest + rustls).\n\
             blocking = [\"backup-runtime/blocking\"]\n\
             async = [\"backup-runtime/async\"]\n\
             \n\
             [dependencies]\n\
             backup-runtime.workspace = true\n\
             {api}-models = {{ path = \"../{api}-models\" }}\n\
             serde.workspace = true\n\
             serde_json.workspace = true\n\
             \n\
             [dev-dependencies]\n\
             wiremock.workspace = true\n\
             tokio = {{ workspace = true, features = [\"rt-multi-thread\"] }}\n\
             futures-util.workspace = true\n\
             \n\
             [lints]\n\
             workspace = true\n",
            header = header(&spec),
            package = PACKAGE,
            version = crate_version(&crate::project_root(), &format!("{api}-endpoints")),
        ),
    }
}

/// The version of the generated crate `name`: the newest `## <version>` heading of the
/// hand-maintained `crates/<name>/CHANGELOG.md` under `root` (`## [0.2.0] - notes` and
/// `## v0.2.0` read as `0.2.0`), or `0.1.0` for a crate without one yet. A maintainer bumps a
/// version by adding a section at the top and running `cargo xtask codegen`;
/// `cargo xtask semver` says when a change needs one.
pub fn crate_version(root: &Path, name: &str) -> String {
    let path = root.join("crates").join(name).join("CHANGELOG.md");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.lines().find_map(changelog_version))
        .unwrap_or_else(|| "0.1.0".to_owned())
}

/// The version a changelog heading names: `## 0.2.0`, `## [0.2.0] - 2026-12-05`, `## v0.2.0`.
pub fn changelog_version(line: &str) -> Option<String> {
    let word = line.strip_prefix("## ")?.split_whitespace().next()?;
    let word = word.trim_start_matches('[').trim_end_matches(']');
    let word = word.strip_prefix('v').unwrap_or(word);
    let parts: Vec<&str> = word.split('.').collect();
    let numeric = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (parts.len() == 3 && parts.iter().all(numeric)).then(|| word.to_owned())
}

/// The `backup-apis` crate: its manifest (every model and endpoint crate by path) and
/// `src/lib.rs` (the table). `apis` are the API keys in the order of [`crate::specs::discover`].
/// The library text is not formatted yet: codegen runs rustfmt on every `.rs` file.
pub fn apis_crate(apis: &[String]) -> Vec<GeneratedFile> {
    let mut deps = String::new();
    for api in apis {
        let _ = writeln!(deps, "{api}-models = {{ path = \"../{api}-models\" }}");
        let _ = writeln!(
            deps,
            "{api}-endpoints = {{ path = \"../{api}-endpoints\" }}"
        );
    }
    let manifest = format!(
        "{header}\
         [package]\n\
         name = \"backup-apis\"\n\
         version = \"0.1.0\"\n\
         description = \"Every API of specs/ in one table: operations, body round trip, dispatch by operationId, JSON Schemas.\"\n\
         {package}\n\
         [dependencies]\n\
         backup-runtime.workspace = true\n\
         serde_json.workspace = true\n\
         schemars.workspace = true\n\
         {deps}\
         \n\
         [lints]\n\
         workspace = true\n",
        header = header("specs/"),
        package = PACKAGE,
    );

    let mut rows = String::new();
    let mut arms = String::new();
    for api in apis {
        let krate = api.replace('-', "_");
        let _ = writeln!(
            rows,
            "Api {{ name: \"{api}\", spec: \"specs/{api}.yaml\", \
             service_types: {krate}_endpoints::SERVICE_TYPES, \
             operations: {krate}_models::OPERATIONS, roundtrip: {krate}_models::roundtrip, \
             body_schema: {krate}_models::body_schema, json_schemas: {krate}_models::json_schemas }},"
        );
        let _ = writeln!(
            arms,
            "\"{api}\" => {krate}_endpoints::dispatch(runner, operation_id, params, body),"
        );
    }
    let lib = format!(
        "// @generated by cargo xtask codegen from specs/. Do not edit by hand.\n\n{LIB_DOC}\n\
         {LIB_ITEMS}\n\
         /// Every API, one per `specs/<api>.yaml`, sorted by API key.\n\
         pub static APIS: &[Api] = &[{rows}];\n\n\
         /// Builds the operation `operation_id` of the API `api` from `name=value` strings and a\n\
         /// body, and hands it to `runner`. `None` when there is no such API or operation.\n\
         ///\n\
         /// # Errors\n\
         ///\n\
         /// `Some(Err(..))` when the strings or the body do not make a valid request.\n\
         pub fn dispatch<R: Runner>(api: &str, runner: &mut R, operation_id: &str, \
         params: &[(String, String)], body: Option<&str>) \
         -> Option<Result<R::Out, ParamError>> {{\n\
         match api {{ {arms} _ => None }}\n}}\n"
    );
    vec![
        GeneratedFile {
            path: format!("{APIS_CRATE}/Cargo.toml"),
            contents: manifest,
        },
        GeneratedFile {
            path: format!("{APIS_CRATE}/src/lib.rs"),
            contents: lib,
        },
    ]
}

/// Every file of this module for the APIs `apis`.
pub fn files(apis: &[String]) -> Vec<GeneratedFile> {
    let mut files: Vec<GeneratedFile> = apis
        .iter()
        .flat_map(|api| [models_manifest(api), endpoints_manifest(api)])
        .collect();
    files.extend(apis_crate(apis));
    files
}

/// Generated crates left behind by a removed spec: each `crates/<x>-models` or
/// `crates/<x>-endpoints` whose `Cargo.toml` is marked `@generated` while `specs/<x>.yaml` is not
/// among `apis`. Sorted folder paths relative to `root`.
pub fn orphans(root: &Path, apis: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("crates")) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let api = name
                .strip_suffix("-models")
                .or_else(|| name.strip_suffix("-endpoints"));
            api.is_some_and(|api| !apis.iter().any(|known| known == api))
        })
        .filter(|name| {
            std::fs::read_to_string(root.join("crates").join(name).join("Cargo.toml"))
                .is_ok_and(|text| text.starts_with("# @generated"))
        })
        .map(|name| format!("crates/{name}"))
        .collect();
    found.sort();
    found
}

/// Line one of a generated manifest, and a blank line.
fn header(source: &str) -> String {
    format!("# @generated by cargo xtask codegen from {source}. Do not edit by hand.\n\n")
}

/// The `[package]` keys every generated crate takes from the workspace.
const PACKAGE: &str = "\
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true
";

/// The crate documentation of `backup-apis`.
const LIB_DOC: &str = "\
//! Every API of `specs/` in one table, so that tools list, check and call all of them without
//! naming any: [`APIS`] has one [`Api`] per spec (its operations, body round trip and JSON
//! Schemas, from its model crate) and [`dispatch`] runs an operation chosen by name (from its
//! endpoint crate). `backupctl` and `cargo xtask publish` use it.
//!
//! ```
//! let api = backup_apis::api(\"cbr-v3\").expect(\"a spec\");
//! assert_eq!(api.spec, \"specs/cbr-v3.yaml\");
//! assert!(api.operations.iter().all(|op| op.api == \"cbr-v3\"));
//! assert!(backup_apis::api(\"no-such-api\").is_none());
//! ```
";

/// The items of `backup-apis` that do not depend on the list of APIs.
const LIB_ITEMS: &str = "
#![deny(missing_docs)]

use std::collections::BTreeMap;

use backup_runtime::dynamic::{ParamError, Runner};
use backup_runtime::registry::{BodyKind, OperationInfo, Roundtrip, RoundtripError};

/// A model crate's `roundtrip`: parses a body of an operation and writes it back.
pub type RoundtripFn = fn(&str, BodyKind, &str) -> Option<Result<Roundtrip, RoundtripError>>;

/// A model crate's `body_schema`: the JSON Schema of a body of an operation.
pub type BodySchemaFn = fn(&str, BodyKind) -> Option<schemars::Schema>;

/// A model crate's `json_schemas`: the JSON Schema (2020-12) of every model type, by type name.
pub type JsonSchemasFn = fn() -> BTreeMap<&'static str, serde_json::Value>;

/// One API: one spec and its two generated crates.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The API key, the stem of its spec, e.g. `cbr-v3`.
    pub name: &'static str,
    /// The spec, relative to the workspace root, e.g. `specs/cbr-v3.yaml`.
    pub spec: &'static str,
    /// The service catalog types (`x-service-types`), the official type first, then aliases.
    pub service_types: &'static [&'static str],
    /// Every operation, with its documented statuses and bodies.
    pub operations: &'static [OperationInfo],
    /// Parses a body of an operation and writes it back.
    pub roundtrip: RoundtripFn,
    /// The JSON Schema of a body of an operation (`backupctl validate --drift` walks it).
    pub body_schema: BodySchemaFn,
    /// The JSON Schema of every model type.
    pub json_schemas: JsonSchemasFn,
}

impl Api {
    /// Runs [`dispatch`] on this API.
    pub fn dispatch<R: Runner>(
        &self,
        runner: &mut R,
        operation_id: &str,
        params: &[(String, String)],
        body: Option<&str>,
    ) -> Option<Result<R::Out, ParamError>> {
        dispatch(self.name, runner, operation_id, params, body)
    }
}

/// The API whose key is `name`.
pub fn api(name: &str) -> Option<&'static Api> {
    APIS.iter().find(|api| api.name == name)
}
";

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|&name| name.to_owned()).collect()
    }

    #[test]
    fn manifests_are_marked_and_name_their_api() {
        for file in [models_manifest("zzz-test"), endpoints_manifest("zzz-test")] {
            assert!(
                file.contents.starts_with(
                    "# @generated by cargo xtask codegen from specs/zzz-test.yaml. Do not edit by hand.\n"
                ),
                "{}",
                file.contents
            );
        }
        let endpoints = endpoints_manifest("zzz-test");
        assert_eq!(endpoints.path, "crates/zzz-test-endpoints/Cargo.toml");
        assert!(
            endpoints
                .contents
                .contains("zzz-test-models = { path = \"../zzz-test-models\" }\n")
        );
        assert_eq!(
            models_manifest("zzz-test").path,
            "crates/zzz-test-models/Cargo.toml"
        );
    }

    #[test]
    fn versions_come_from_the_newest_changelog_heading() {
        for (line, version) in [
            ("## 0.2.0", Some("0.2.0")),
            ("## [0.10.3] - 2026-12-05", Some("0.10.3")),
            ("## v1.0.0", Some("1.0.0")),
            ("## Unreleased", None),
            ("### 0.2.0", None),
            ("## 0.2", None),
            ("# 0.2.0", None),
        ] {
            assert_eq!(changelog_version(line).as_deref(), version, "{line}");
        }
        let root = std::env::temp_dir().join(format!("xtask-versions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("crates/x-v1-models")).expect("mkdir");
        std::fs::write(
            root.join("crates/x-v1-models/CHANGELOG.md"),
            "# Changelog\n\n## Unreleased\n\n## 0.3.0\n\n- b\n\n## 0.2.0\n\n- a\n",
        )
        .expect("write");
        assert_eq!(crate_version(&root, "x-v1-models"), "0.3.0");
        assert_eq!(crate_version(&root, "x-v1-endpoints"), "0.1.0");
        std::fs::remove_dir_all(&root).expect("clean up");
    }

    #[test]
    fn the_table_has_a_row_and_an_arm_per_api() {
        let files = apis_crate(&keys(&["aaa-v1", "zzz-test"]));
        let [manifest, lib] = &files[..] else {
            panic!("two files: {files:?}");
        };
        assert_eq!(manifest.path, "crates/backup-apis/Cargo.toml");
        for api in ["aaa-v1", "zzz-test"] {
            assert!(manifest.contents.contains(&format!(
                "{api}-endpoints = {{ path = \"../{api}-endpoints\" }}\n"
            )));
        }
        assert_eq!(lib.path, "crates/backup-apis/src/lib.rs");
        assert!(lib.contents.starts_with("// @generated"));
        let rows: Vec<usize> = ["aaa_v1_models::OPERATIONS", "zzz_test_models::OPERATIONS"]
            .iter()
            .map(|row| lib.contents.find(row).expect("a row per API"))
            .collect();
        assert!(rows[0] < rows[1], "rows in the given order");
        assert!(
            lib.contents
                .contains("\"zzz-test\" => zzz_test_endpoints::dispatch(")
        );
        assert_eq!(files, apis_crate(&keys(&["aaa-v1", "zzz-test"])));
    }

    #[test]
    fn files_cover_every_api() {
        let paths: Vec<String> = files(&keys(&["a-v1", "b-v2"]))
            .into_iter()
            .map(|file| file.path)
            .collect();
        assert_eq!(
            paths,
            [
                "crates/a-v1-models/Cargo.toml",
                "crates/a-v1-endpoints/Cargo.toml",
                "crates/b-v2-models/Cargo.toml",
                "crates/b-v2-endpoints/Cargo.toml",
                "crates/backup-apis/Cargo.toml",
                "crates/backup-apis/src/lib.rs",
            ]
        );
    }

    #[test]
    fn orphans_are_generated_crates_without_a_spec() {
        let root = std::env::temp_dir().join(format!("xtask-orphans-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("crates/old-v1-models/Cargo.toml", "# @generated by ...\n");
        write(
            "crates/old-v1-endpoints/Cargo.toml",
            "# @generated by ...\n",
        );
        write("crates/kept-v1-models/Cargo.toml", "# @generated by ...\n");
        write("crates/hand-models/Cargo.toml", "[package]\n");
        assert_eq!(
            orphans(&root, &keys(&["kept-v1"])),
            ["crates/old-v1-endpoints", "crates/old-v1-models"]
        );
        std::fs::remove_dir_all(&root).expect("clean up");
    }
}
