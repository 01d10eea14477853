//! The spec and the generated code agree: every documented example validates against the JSON
//! Schema that schemars derives from the generated type, and the two schemas of every component
//! name the same properties, types, nullability, required set and enum values. A difference is
//! reported by API, type and property.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use xtask::specs::{self, Body};

use crate::read_json;
use crate::schema::{describe, errors};

/// The schemars schemas of one API's model crate, by type name.
fn model_schemas(api: &str) -> BTreeMap<&'static str, Value> {
    let api = backup_apis::api(api).unwrap_or_else(|| panic!("{api}: not in backup_apis::APIS"));
    (api.json_schemas)()
}

/// The component name of the body schema of an example's operation (of its items, for an array
/// body such as a JSON Patch), with whether the body is that array.
fn body_type(spec: &Value, operation_id: &str, body: Body) -> (String, bool) {
    let operation = specs::find_operation(spec, operation_id).expect("documented operation");
    let holder = match body {
        Body::Request => &operation["requestBody"],
        Body::Response(status) => &operation["responses"][status.to_string()],
    };
    let media = holder["content"]
        .as_object()
        .and_then(|content| content.values().next())
        .expect("a body has a media type");
    let schema = &media["schema"];
    let (reference, array) = match schema["$ref"].as_str() {
        Some(reference) => (reference, false),
        None => (
            schema["items"]["$ref"]
                .as_str()
                .expect("bodies are $refs or arrays of $refs"),
            true,
        ),
    };
    (
        reference.rsplit('/').next().expect("a name").to_owned(),
        array,
    )
}

#[test]
fn examples_validate_against_the_generated_types() {
    let mut failures = Vec::new();
    let mut checked = std::collections::BTreeSet::new();
    for api in specs::APIS {
        let spec = specs::load_value(api).expect("spec loads");
        let schemas = model_schemas(api);
        for example in specs::examples(api) {
            let (ty, array) = body_type(&spec, &example.operation_id, example.body);
            let schema = schemas
                .get(ty.as_str())
                .unwrap_or_else(|| panic!("{api}: no type {ty}"));
            let body = read_json(&example);
            let items = if array {
                body.as_array()
                    .cloned()
                    .unwrap_or_else(|| panic!("{api} {}: an array body", example.file_name()))
            } else {
                vec![body]
            };
            let found: Vec<_> = items.iter().flat_map(|item| errors(schema, item)).collect();
            if !found.is_empty() {
                failures.push(format!(
                    "{api} {} ({ty}):\n{}",
                    example.file_name(),
                    describe(&found)
                ));
            }
            checked.insert(example.path.clone());
        }
    }
    // The documented bodies and the examples written from the references (`x-written-from`).
    assert_eq!(
        checked,
        crate::referenced_examples(),
        "every documented example is checked"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The shape of one property, comparable across OpenAPI 3.0 and schemars' JSON Schema.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    kind: String,
    nullable: bool,
}

/// Resolves a spec property schema (OpenAPI 3.0).
fn spec_shape(spec: &Value, schema: &Value) -> Shape {
    let mut nullable = schema["nullable"].as_bool().unwrap_or(false);
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        let target = &spec["components"]["schemas"][name];
        nullable |= target["nullable"].as_bool().unwrap_or(false);
        return Shape {
            kind: format!("ref {name}"),
            nullable,
        };
    }
    if let Some([inner]) = schema["allOf"].as_array().map(Vec::as_slice) {
        let inner = spec_shape(spec, inner);
        return Shape {
            kind: inner.kind,
            nullable: nullable || inner.nullable,
        };
    }
    if let Some(parts) = schema["anyOf"].as_array() {
        let shapes: Vec<Shape> = parts.iter().map(|p| spec_shape(spec, p)).collect();
        let kinds: BTreeSet<String> = shapes.iter().map(|s| s.kind.clone()).collect();
        return Shape {
            kind: format!("anyOf {kinds:?}"),
            // A nullable member (`{type: string, nullable: true}`) makes the value nullable.
            nullable: nullable || shapes.iter().any(|s| s.nullable),
        };
    }
    let kind = match schema["type"].as_str() {
        Some("array") => format!("array of {}", spec_shape(spec, &schema["items"]).kind),
        Some(t) => t.to_owned(),
        None => "any".to_owned(),
    };
    Shape { kind, nullable }
}

/// Resolves a schemars property schema (JSON Schema 2020-12).
fn model_shape(schema: &Value) -> Shape {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return Shape {
            kind: format!("ref {name}"),
            nullable: false,
        };
    }
    if let Some(parts) = schema["anyOf"].as_array() {
        let (nulls, others): (Vec<&Value>, Vec<&Value>) =
            parts.iter().partition(|p| p["type"] == "null");
        if let [only] = others.as_slice() {
            let inner = model_shape(only);
            return Shape {
                kind: inner.kind,
                nullable: !nulls.is_empty() || inner.nullable,
            };
        }
        let kinds: BTreeSet<String> = others.iter().map(|p| model_shape(p).kind).collect();
        return Shape {
            kind: format!("anyOf {kinds:?}"),
            nullable: !nulls.is_empty(),
        };
    }
    let (kind, nullable) = match &schema["type"] {
        Value::String(t) => (t.clone(), false),
        Value::Array(types) => {
            let nullable = types.iter().any(|t| t == "null");
            let kinds: Vec<&str> = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null")
                .collect();
            (kinds.join("|"), nullable)
        }
        _ => ("any".to_owned(), false),
    };
    let kind = if kind == "array" {
        format!("array of {}", model_shape(&schema["items"]).kind)
    } else {
        kind
    };
    Shape { kind, nullable }
}

/// The documented values of an enum: the spec's `enum` (nulls aside), schemars' first `anyOf` arm.
fn spec_enum(schema: &Value) -> Option<Vec<String>> {
    let values = schema["enum"].as_array()?;
    Some(
        values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

fn model_enum(schema: &Value) -> Option<Vec<String>> {
    let values = schema["anyOf"]
        .as_array()?
        .iter()
        .find_map(|arm| arm["enum"].as_array())?;
    Some(
        values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// Every difference between the spec's components and the generated types of one API.
fn differences(api: &str) -> Vec<String> {
    let spec = specs::load_value(api).expect("spec loads");
    differences_between(api, &spec, &model_schemas(api))
}

/// Every difference between `spec`'s components and the schemas `models` of `api`'s types.
fn differences_between(
    api: &str,
    spec: &Value,
    models: &BTreeMap<&'static str, Value>,
) -> Vec<String> {
    let components = spec["components"]["schemas"]
        .as_object()
        .expect("components");
    let mut out = Vec::new();
    for (name, schema) in components {
        let Some(model) = models.get(name.as_str()) else {
            if schema["type"] == "object" || schema.get("enum").is_some() {
                out.push(format!("{api} {name}: in the spec, no generated type"));
            }
            continue;
        };
        if let Some(values) = spec_enum(schema) {
            if model_enum(model) != Some(values.clone()) {
                out.push(format!(
                    "{api} {name}: enum values {values:?} in the spec, {:?} in the type",
                    model_enum(model)
                ));
            }
            continue;
        }
        let empty = serde_json::Map::new();
        let spec_props = schema["properties"].as_object().unwrap_or(&empty);
        let model_props = model["properties"].as_object().unwrap_or(&empty);
        for key in spec_props
            .keys()
            .chain(model_props.keys())
            .collect::<BTreeSet<_>>()
        {
            match (spec_props.get(key), model_props.get(key)) {
                (Some(s), Some(m)) => {
                    let (s, mut m) = (spec_shape(spec, s), model_shape(m));
                    // schemars refers to the schema's own root as `#`.
                    m.kind = m.kind.replace("ref #", &format!("ref {name}"));
                    if s != m {
                        out.push(format!(
                            "{api} {name}.{key}: {s:?} in the spec, {m:?} in the type"
                        ));
                    }
                }
                (Some(_), None) => {
                    out.push(format!("{api} {name}.{key}: in the spec, not in the type"))
                }
                (None, _) => out.push(format!("{api} {name}.{key}: in the type, not in the spec")),
            }
        }
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        };
        if required(schema) != required(model) {
            out.push(format!(
                "{api} {name}: required {:?} in the spec, {:?} in the type",
                required(schema),
                required(model)
            ));
        }
        if model["additionalProperties"] != Value::Bool(true) {
            out.push(format!(
                "{api} {name}: the type does not keep unknown fields"
            ));
        }
    }
    out
}

#[test]
fn spec_and_generated_types_agree() {
    let found: Vec<String> = specs::APIS
        .iter()
        .flat_map(|api| differences(api))
        .collect();
    assert!(
        found.is_empty(),
        "the spec and the generated types differ:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_difference_is_reported_by_name() {
    let mut spec = specs::load_value("cbr-v3").expect("spec loads");
    let detail = &mut spec["components"]["schemas"]["BackupResp"];
    detail["properties"]["checkpoint_id"]["type"] = "integer".into();
    detail["properties"]["renamed_field"] = serde_json::json!({"type": "string"});
    spec["components"]["schemas"]["ImageType"]["enum"] = serde_json::json!(["backup", "replica"]);
    let found = differences_between("cbr-v3", &spec, &model_schemas("cbr-v3")).join("\n");
    assert!(
        found.contains("cbr-v3 BackupResp.checkpoint_id:"),
        "{found}"
    );
    assert!(
        found.contains("cbr-v3 BackupResp.renamed_field: in the spec, not in the type"),
        "{found}"
    );
    assert!(found.contains("cbr-v3 ImageType: enum values"), "{found}");
}
