//! Property test: bodies a real server might send, made from the documented example by adding
//! unknown fields of any JSON kind to any object (recursive `children` included) and by turning
//! any nullable field to `null`, and by leaving out any property no schema requires (OTC leaves
//! null-valued keys out; in CBR a nullable property may also be absent), parse and write back to
//! the same JSON value.
//!
//! Which properties are nullable or optional comes from the schemas schemars derives, so this
//! needs the `schemars` feature (`cargo xtask test` runs every test with every feature).
#![cfg(feature = "schemars")]

use proptest::prelude::*;
use serde_json::{Map, Value};

const EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../specs/examples/cbr-v3/showBackup.200.json"
));

/// Any JSON value, a few levels deep: every number kind serde_json keeps exactly, any string.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_:-]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// Every object of `value`, depth first, as a JSON pointer.
fn object_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(at.clone());
            for (key, child) in map {
                object_pointers(
                    child,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                object_pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Property names of the generated schemas that accept `null`.
fn nullable_names() -> Vec<String> {
    let mut names = Vec::new();
    for schema in cbr_v3_models::json_schemas().values() {
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        for (name, property) in properties {
            let text = property.to_string();
            if text.contains("\"null\"") {
                names.push(name.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Property names that no generated schema requires: a body may leave them out.
fn optional_names() -> Vec<String> {
    let schemas = cbr_v3_models::json_schemas();
    let mut required = Vec::new();
    let mut all = Vec::new();
    for schema in schemas.values() {
        if let Some(list) = schema["required"].as_array() {
            required.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(properties) = schema["properties"].as_object() {
            all.extend(properties.keys().cloned());
        }
    }
    all.retain(|name| !required.contains(name));
    all.sort();
    all.dedup();
    all
}

proptest! {
    // No regression files: a failure prints its minimal input, which goes into a unit test.
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn plausible_bodies_round_trip(
        extras in prop::collection::vec(("[a-z]{1,3}_x[a-z_]{0,8}", json(), any::<prop::sample::Index>()), 0..8),
        nulls in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        absents in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..6),
    ) {
        let mut body: Value = serde_json::from_str(EXAMPLE).expect("JSON");
        let mut pointers = Vec::new();
        object_pointers(&body, String::new(), &mut pointers);
        // Unknown fields (their names end in `_x...`, so they never clash with the spec's).
        for (key, value, at) in extras {
            let pointer = at.get(&pointers);
            if let Some(Value::Object(map)) = body.pointer_mut(pointer) {
                map.insert(key, value);
            }
        }
        // Nullable fields set to null wherever they occur.
        let nullable = nullable_names();
        for index in nulls {
            let name = index.get(&nullable);
            let pointer = pointers[index.index(pointers.len())].clone();
            if let Some(Value::Object(map)) = body.pointer_mut(&pointer)
                && map.contains_key(name)
            {
                map.insert(name.clone(), Value::Null);
            }
        }
        // Optional properties left out wherever they occur.
        let optional = optional_names();
        for (name, at) in absents {
            let name = name.get(&optional);
            let pointer = at.get(&pointers);
            if let Some(Value::Object(map)) = body.pointer_mut(pointer) {
                map.remove(name);
            }
        }
        let text = serde_json::to_string(&body).expect("serializes");
        let parsed = cbr_v3_models::roundtrip(
            "showBackup",
            backup_runtime::registry::BodyKind::Response(200),
            &text,
        )
        .expect("documented")
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(parsed.differences(), Vec::<String>::new());
        prop_assert_eq!(parsed.output, body);
    }
}
