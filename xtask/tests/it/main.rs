//! Integration tests of `specs/`: the sources are the seeds, the examples are verbatim slices of
//! the sources, the specs parse, follow the generator's conventions and accept their examples.
//!
//! One test binary for the crate (`cargo test -p xtask --test it`); each module holds one theme.

mod cases;
mod consistency;
mod conventions;
mod dependencies;
mod monitoring;
mod publish;
mod schema;
mod semver;
mod sources;
mod tables;

use serde_json::Value;
use xtask::specs::{self, Body, Example};

/// Reads and parses one example file as JSON.
fn read_json(example: &Example) -> Value {
    let bytes =
        std::fs::read(&example.path).unwrap_or_else(|e| panic!("{}: {e}", example.path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", example.path.display()))
}

/// The example of `api` for `operation_id` and `body`.
fn example(api: &str, operation_id: &str, body: Body) -> Example {
    specs::examples(api)
        .into_iter()
        .find(|example| example.operation_id == operation_id && example.body == body)
        .unwrap_or_else(|| panic!("{api}: no example for {operation_id} {body}"))
}

/// Every example file the specs name (`externalValue: examples/<api>/…`), as paths under
/// `specs/`: what the example tests must check, counted from the specs rather than copied.
fn referenced_examples() -> std::collections::BTreeSet<std::path::PathBuf> {
    fn walk(value: &Value, found: &mut std::collections::BTreeSet<std::path::PathBuf>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("externalValue", Value::String(file)) => {
                            found.insert(specs::specs_dir().join(file));
                        }
                        _ => walk(value, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let mut found = std::collections::BTreeSet::new();
    for api in specs::APIS {
        walk(&specs::load_value(api).expect("the spec loads"), &mut found);
    }
    assert!(!found.is_empty(), "the specs name no example");
    found
}
