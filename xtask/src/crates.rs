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
             description = \"Lossless serde models of the {api} API (JSON Schema with feature `schemars`), generated from {spec}.\"\n\
             {package}\n\
             [features]\n\
             default = []\n\
             # `JsonSchema` for every model type, and `body_schema`/`json_schemas` (JSON Schema 2020-12).\n\
             schemars = [\"dep:schemars\", \"backup-runtime/schemars\"]\n\
             \n\
             [dependencies]\n\
             backup-runtime.workspace = true\n\
             serde.workspace = true\n\
             serde_json.workspace = true\n\
             schemars = {{ workspace = true, optional = true }}\n\
             \n\
             [dev-dependencies]\n\
             insta.workspace = true\n\
             proptest.workspace = true\n\
             \n\
             [lints]\n\
             workspace = true\n\
             {docs_rs}",
            header = header(&spec),
            version = crate_version(&crate::project_root(), &format!("{api}-models")),
            package = package_keys(MODELS_KEYWORDS, MODELS_CATEGORIES),
            docs_rs = DOCS_RS,
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
             # Turn on a client in the runtime: `blocking` (ureq) or `async` (reqwest), over rustls\n\
             # (ring); `native-tls` adds the system's TLS stack (`ClientBuilder::tls_backend`).\n\
             blocking = [\"backup-runtime/blocking\", \"backup-runtime/rustls\"]\n\
             async = [\"backup-runtime/async\", \"backup-runtime/rustls\"]\n\
             native-tls = [\"backup-runtime/native-tls\"]\n\
             \n\
             [dependencies]\n\
             backup-runtime.workspace = true\n\
             {api}-models = {{ path = \"../{api}-models\", version = \"{models_version}\" }}\n\
             serde.workspace = true\n\
             serde_json.workspace = true\n\
             \n\
             [dev-dependencies]\n\
             wiremock.workspace = true\n\
             tokio = {{ workspace = true, features = [\"rt-multi-thread\"] }}\n\
             futures-util.workspace = true\n\
             \n\
             [lints]\n\
             workspace = true\n\
             {docs_rs}",
            header = header(&spec),
            version = crate_version(&crate::project_root(), &format!("{api}-endpoints")),
            models_version = crate_version(&crate::project_root(), &format!("{api}-models")),
            package = package_keys(ENDPOINTS_KEYWORDS, ENDPOINTS_CATEGORIES),
            docs_rs = DOCS_RS,
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
        let _ = writeln!(
            deps,
            "{api}-models = {{ path = \"../{api}-models\", version = \"{}\", \
             features = [\"schemars\"] }}",
            crate_version(&crate::project_root(), &format!("{api}-models"))
        );
        let _ = writeln!(
            deps,
            "{api}-endpoints = {{ path = \"../{api}-endpoints\", version = \"{}\" }}",
            crate_version(&crate::project_root(), &format!("{api}-endpoints"))
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
         workspace = true\n\
         {docs_rs}",
        header = header("specs/"),
        package = package_keys(APIS_KEYWORDS, APIS_CATEGORIES),
        docs_rs = DOCS_RS,
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
    files.push(apis_readme(apis));
    files
}

/// `crates/backup-apis/README.md`: what the table is for, with an example that runs as a
/// doctest (the crate's `ReadmeDoctests`).
fn apis_readme(apis: &[String]) -> GeneratedFile {
    let first = apis.first().map_or("cbr-v3", String::as_str);
    let list: Vec<String> = apis.iter().map(|api| format!("`{api}`")).collect();
    GeneratedFile {
        path: "crates/backup-apis/README.md".to_owned(),
        contents: format!(
            "<!-- @generated by cargo xtask codegen from specs/. Do not edit by hand. -->\n\
             # backup-apis\n\n\
             Every API of the backup-apis workspace in one table ({list}), so that tools list, \
             check and call all of them without naming any: `APIS` has one `Api` per spec (its \
             operations, body round trip and JSON Schemas, from its model crate) and `dispatch` \
             runs an operation chosen by its operationId (from its endpoint crate). `backupctl` \
             uses it.\n\n\
             ## Example\n\n\
             ```rust\n\
             let api = backup_apis::api(\"{first}\").expect(\"a spec\");\n\
             assert_eq!(api.spec, \"specs/{first}.yaml\");\n\
             for op in api.operations {{\n    \
                 println!(\"{{}} {{}} {{}}\", op.id, op.method, op.path);\n\
             }}\n\
             assert!(backup_apis::api(\"no-such-api\").is_none());\n\
             ```\n\n\
             Supported Rust: the `rust-version` of `Cargo.toml`. Licence: MIT OR Apache-2.0.\n",
            list = list.join(", "),
        ),
    }
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

/// The licence files at the workspace root, which every published crate carries.
pub const LICENCES: [&str; 2] = ["LICENSE-APACHE", "LICENSE-MIT"];

/// The licence files of every generated crate, as links to the root's (cargo packages the file
/// a link points to): `(link, target)`, the link relative to the root, the target to the link.
pub fn licence_links(apis: &[String]) -> Vec<(String, String)> {
    let crates = apis
        .iter()
        .flat_map(|api| [format!("{api}-models"), format!("{api}-endpoints")])
        .chain(["backup-apis".to_owned()]);
    crates
        .flat_map(|name| {
            LICENCES.map(|file| (format!("crates/{name}/{file}"), format!("../../{file}")))
        })
        .collect()
}

/// Line one of a generated manifest, and a blank line.
fn header(source: &str) -> String {
    format!("# @generated by cargo xtask codegen from {source}. Do not edit by hand.\n\n")
}

const MODELS_KEYWORDS: &str = r#"["backup", "openapi", "serde", "lossless", "openstack"]"#;
const MODELS_CATEGORIES: &str = r#"["api-bindings", "encoding"]"#;
const ENDPOINTS_KEYWORDS: &str = r#"["backup", "openapi", "sans-io", "openstack", "http"]"#;
const ENDPOINTS_CATEGORIES: &str = r#"["api-bindings", "web-programming::http-client"]"#;
const APIS_KEYWORDS: &str = r#"["backup", "openapi", "openstack", "registry"]"#;
const APIS_CATEGORIES: &str = r#"["api-bindings"]"#;

/// The `[package]` keys of a generated crate after its description: those it takes from the
/// workspace, and what crates.io and `cargo package` read.
fn package_keys(keywords: &str, categories: &str) -> String {
    format!(
        "edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         keywords = {keywords}\n\
         categories = {categories}\n\
         readme = \"README.md\"\n\
         # The code, the README, the changelog and the licences; the tests read the workspace's\n\
         # specs and examples, so they stay in the repository.\n\
         include = [\"/src\", \"/README.md\", \"/CHANGELOG.md\", \"/LICENSE-*\"]\n"
    )
}

/// docs.rs builds the documentation with every feature, marking what needs one.
const DOCS_RS: &str = "
[package.metadata.docs.rs]
all-features = true
rustdoc-args = [\"--cfg\", \"docsrs\"]
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

/// The README's example, compiled and run as a doctest.
#[doc = include_str!(\"../README.md\")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

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
        assert!(endpoints.contents.contains(
            "zzz-test-models = { path = \"../zzz-test-models\", version = \"0.1.0\" }\n"
        ));
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
                "{api}-endpoints = {{ path = \"../{api}-endpoints\", version = \"0.1.0\" }}\n"
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
                "crates/backup-apis/README.md",
            ]
        );
    }

    #[test]
    fn every_generated_crate_links_both_licences() {
        let links = licence_links(&keys(&["a-v1"]));
        let crates = ["a-v1-models", "a-v1-endpoints", "backup-apis"];
        assert_eq!(links.len(), crates.len() * LICENCES.len());
        for krate in crates {
            for file in LICENCES {
                let link = (format!("crates/{krate}/{file}"), format!("../../{file}"));
                assert!(links.contains(&link), "{link:?} in {links:?}");
            }
        }
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
