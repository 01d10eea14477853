//! The generator's tests: each fixture spec in `tests/fixtures/` against its insta snapshot
//! (`tests/it/snapshots/`), and broken specs against the errors they must give.
//!
//! The same fixtures are generated into `crates/codegen-fixtures`, which compiles them under
//! `#![deny(warnings)]`.

mod corpus;
mod mutate;

use std::path::Path;

/// Generates `tests/fixtures/<name>.yaml` as the fixture crate does.
fn generate_fixture(name: &str) -> Vec<backup_codegen::GeneratedFile> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.yaml"));
    let yaml = std::fs::read_to_string(&path).expect("fixture exists");
    let spec_path = format!("crates/backup-codegen/tests/fixtures/{name}.yaml");
    let models_path = format!("crate::{}_models", name.replace('-', "_"));
    backup_codegen::generate_with_models_path(name, &spec_path, &yaml, &models_path)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fixtures_match_snapshots() {
    insta::glob!("../fixtures", "*.yaml", |path| {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 name");
        for file in generate_fixture(name) {
            let kind = match file.path.rsplit('/').next() {
                Some("documented.rs") => "documented",
                Some("live.rs") => "live",
                _ if file.path.contains("-models/") => "models",
                _ => "endpoints",
            };
            insta::assert_snapshot!(kind, file.contents);
        }
    });
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate_fixture("zoo"), generate_fixture("zoo"));
}

/// The error a spec gives, as text.
fn error_of(yaml: &str) -> String {
    match backup_codegen::generate("broken", "specs/broken.yaml", yaml) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: B, version: v1}\n";

#[test]
fn broken_specs_say_where() {
    let ok_op = "      responses:\n        \"200\": {description: OK}\n";
    let cases = [
        ("not yaml", "openapi: [".to_owned()),
        (
            "openapi 3.1",
            "openapi: 3.1.0\ninfo: {title: B, version: v1}\npaths: {}\n".to_owned(),
        ),
        (
            "no operationId",
            format!("{HEAD}paths:\n  /a:\n    get:\n{ok_op}"),
        ),
        (
            "undeclared path parameter",
            format!("{HEAD}paths:\n  /a/{{id}}:\n    get:\n      operationId: getA\n{ok_op}"),
        ),
        (
            "inline object",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        inner: {{type: object}}\n"
            ),
        ),
        (
            "dangling reference",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{$ref: '#/components/schemas/Missing'}}\n"
            ),
        ),
        (
            "colliding names",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        a-b: {{type: string}}\n        a_b: {{type: string}}\n"
            ),
        ),
        (
            "inline enum",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        s: {{type: string, enum: [x]}}\n"
            ),
        ),
        (
            "no success status",
            format!(
                "{HEAD}paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        \"404\": {{description: No}}\n"
            ),
        ),
    ];
    let report: Vec<String> = cases
        .iter()
        .map(|(what, yaml)| format!("{what}:\n  {}", error_of(yaml).replace('\n', "\n  ")))
        .collect();
    insta::assert_snapshot!(report.join("\n"));
}

#[test]
fn a_duplicate_key_is_an_error_not_a_panic() {
    let yaml = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      summary: one\n      summary: two\n      operationId: getA\n      responses:\n        \"200\": {{description: OK}}\n"
    );
    let error = error_of(&yaml);
    assert!(
        error.starts_with("specs/broken.yaml: not valid YAML: "),
        "{error}"
    );
    assert!(error.contains("line 6"), "{error}");
}

/// Arrays nested more than two deep name their items through `pub type` aliases (chained, so
/// 40 deep is 38 aliases); two deep stays written out.
#[test]
fn deep_arrays_are_written_through_aliases() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus/deep-arrays.yaml");
    let yaml = std::fs::read_to_string(&path).expect("corpus spec");
    let files = backup_codegen::generate("deep", "specs/deep.yaml", &yaml).expect("generates");
    // prettyplease's line breaks aside.
    let squeeze = |text: &str| {
        text.split_whitespace()
            .collect::<String>()
            .replace(",>", ">")
    };
    let models = &squeeze(&files[0].contents);
    let has = |text: &str, needle: &str| text.contains(&squeeze(needle));
    assert!(
        has(
            models,
            "pub shallow: ::core::option::Option<::std::vec::Vec<::std::vec::Vec<::std::string::String>>>"
        ),
        "{models}"
    );
    assert!(has(models, "pub deep: ::std::vec::Vec<HolderDeepItem>,"));
    assert!(has(
        models,
        "pub type HolderThreeItem = ::std::vec::Vec<::std::vec::Vec<::std::string::String>>;"
    ));
    assert!(has(
        models,
        "pub type HolderDeepItem37 = ::std::vec::Vec<HolderDeepItem38>;"
    ));
    assert!(has(
        models,
        "pub type HolderDeepItem38 = ::std::vec::Vec<::std::vec::Vec<::std::string::String>>;"
    ));
    assert!(!has(models, "HolderDeepItem39"));
    let endpoints = &squeeze(&files[2].contents);
    assert!(has(
        endpoints,
        "body: ::std::vec::Vec<models::PutCellsRequestItem>,"
    ));
    // No written type nests more than two arrays.
    for text in [models, endpoints] {
        assert!(!has(text, "Vec<::std::vec::Vec<::std::vec::Vec<"));
    }
}
