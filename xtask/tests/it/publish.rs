//! The published bundles: self-contained, deterministic, and carrying the documented examples.

use serde_json::Value;
use xtask::publish::bundle;
use xtask::specs;

#[test]
fn bundles_are_self_contained_deterministic_and_inline_the_examples() {
    for api in specs::APIS {
        let first = bundle(api).unwrap_or_else(|e| panic!("{e}"));
        let second = bundle(api).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            first.json, second.json,
            "{api}: the JSON bundle changed between runs"
        );
        assert_eq!(
            first.yaml, second.yaml,
            "{api}: the YAML bundle changed between runs"
        );
        assert!(
            !first.json.contains("externalValue"),
            "{api}: an example is not inlined"
        );

        let json: Value = serde_json::from_str(&first.json).expect("the bundle is JSON");
        let yaml: Value = yaml_serde::from_str(&first.yaml).expect("the bundle is YAML");
        assert_eq!(json, yaml, "{api}: the JSON and YAML bundles differ");
        for example in specs::examples(api) {
            let documented = crate::read_json(&example);
            let found = contains(&json, &documented);
            assert!(
                found,
                "{api}: {} is not inlined in the bundle",
                example.file_name()
            );
        }
    }
}

/// Whether `value` is `needle` or holds it at any depth.
fn contains(value: &Value, needle: &Value) -> bool {
    value == needle
        || match value {
            Value::Object(map) => map.values().any(|v| contains(v, needle)),
            Value::Array(items) => items.iter().any(|v| contains(v, needle)),
            _ => false,
        }
}
