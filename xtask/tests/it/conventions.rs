//! The specs parse with `openapiv3` and follow the conventions of `specs/README.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};
use xtask::specs;

/// The operationIds of each API: a public contract.
const OPERATIONS: &[(&str, &[&str])] = &[
    (
        "rackspace-backup-v2",
        &[
            "getBackup",
            "startBackup",
            "listBackups",
            "updateBackup",
            "getBackupErrors",
            "listBackupEvents",
        ],
    ),
    (
        "vbs-v3",
        &[
            "showBackup",
            "createBackup",
            "listBackups",
            "listBackupsDetail",
            "updateBackup",
            "deleteBackup",
            "restoreBackup",
        ],
    ),
    (
        "vbs-v2",
        &[
            "listBackupsDetail",
            "createBackup",
            "listBackups",
            "showBackup",
            "deleteBackup",
            "restoreBackup",
        ],
    ),
    (
        "cbr-v3",
        &[
            "listBackups",
            "showBackup",
            "updateBackup",
            "deleteBackup",
            "restoreBackup",
            "createCheckpoint",
            "showCheckpoint",
            "listVaults",
            "showVault",
            "listOpLogs",
            "showOpLog",
        ],
    ),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

#[test]
fn specs_parse_with_openapiv3() {
    let mut listed: Vec<&str> = OPERATIONS.iter().map(|(api, _)| *api).collect();
    listed.sort_unstable();
    assert_eq!(*specs::APIS, listed[..]);
    for (api, expected) in OPERATIONS {
        let spec = specs::load(api).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spec.openapi, "3.0.3", "{api}");
        let found: Vec<&str> = spec
            .operations()
            .map(|(_, _, operation)| operation.operation_id.as_deref().unwrap_or(""))
            .collect();
        let found_set: BTreeSet<&str> = found.iter().copied().collect();
        assert_eq!(
            found.len(),
            found_set.len(),
            "{api}: duplicate operationIds"
        );
        assert_eq!(
            found_set,
            expected.iter().copied().collect(),
            "{api}: operationIds"
        );
    }
}

#[test]
fn load_names_the_file() {
    let error = specs::load("no-such-api").expect_err("no spec");
    assert!(error.contains("no-such-api.yaml"), "{error}");
}

/// Collects the convention problems of one spec.
struct Checker<'a> {
    api: &'a str,
    spec: &'a Value,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, at: &str, message: impl std::fmt::Display) {
        self.problems
            .push(format!("{}.yaml {at}: {message}", self.api));
    }

    fn has_text(value: &Value, key: &str) -> bool {
        value
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty())
    }

    fn resolve<'v>(&self, value: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix('#'))
            .and_then(|pointer| self.spec.pointer(pointer))
            .unwrap_or(value)
    }

    /// A schema written where a property, item, parameter or member goes: a bare `$ref`, an
    /// `allOf: [{$ref}]` wrapper, a primitive, an array of those, or an `anyOf` of those.
    fn inline(&mut self, at: &str, schema: &Value) {
        let Some(map) = schema.as_object() else {
            self.problem(at, "not a schema object");
            return;
        };
        if map.contains_key("$ref") {
            if map.len() != 1 {
                self.problem(at, "`$ref` with siblings (wrap it in `allOf`)");
            }
            return;
        }
        if let Some(all_of) = map.get("allOf") {
            let single_ref = all_of.as_array().is_some_and(|members| {
                members.len() == 1
                    && members[0].as_object().is_some_and(|m| m.len() == 1)
                    && members[0].get("$ref").is_some()
            });
            if !single_ref {
                self.problem(at, "`allOf` must wrap exactly one `$ref`");
            }
            for key in map.keys() {
                if !["allOf", "description", "nullable", "default"].contains(&key.as_str()) {
                    self.problem(at, format!("`{key}` beside an `allOf` wrapper"));
                }
            }
            return;
        }
        if map.contains_key("properties")
            || map.get("type").and_then(Value::as_str) == Some("object")
        {
            self.problem(
                at,
                "inline object schema (name it under components/schemas)",
            );
        }
        if map.contains_key("enum") {
            self.problem(at, "inline enum (name it under components/schemas)");
        }
        if let Some(any_of) = map.get("anyOf").and_then(Value::as_array) {
            for (i, member) in any_of.iter().enumerate() {
                self.inline(&format!("{at}/anyOf/{i}"), member);
            }
        }
        self.primitive(at, map);
        if let Some(items) = map.get("items") {
            self.inline(&format!("{at}/items"), items);
        }
    }

    /// Type-level rules: integers carry int32/int64; arrays have items.
    fn primitive(&mut self, at: &str, map: &Map<String, Value>) {
        match map.get("type").and_then(Value::as_str) {
            Some("integer") => {
                let format = map.get("format").and_then(Value::as_str);
                if !matches!(format, Some("int32" | "int64")) {
                    self.problem(at, "integer without format int32 or int64");
                }
            }
            Some("array") if !map.contains_key("items") => self.problem(at, "array without items"),
            Some("string") => {
                if let Some(target) = map.get("x-embedded-json").and_then(Value::as_str) {
                    let exists = target
                        .strip_prefix('#')
                        .and_then(|pointer| self.spec.pointer(pointer))
                        .is_some();
                    if !exists {
                        self.problem(at, format!("x-embedded-json target {target} is missing"));
                    }
                }
            }
            _ => {}
        }
    }

    fn component(&mut self, name: &str, schema: &Value) {
        let at = format!("#/components/schemas/{name}");
        let pascal = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !pascal {
            self.problem(&at, "component schema name is not PascalCase");
        }
        if !Self::has_text(schema, "description") {
            self.problem(&at, "component schema without description");
        }
        let Some(map) = schema.as_object() else {
            self.problem(&at, "not a schema object");
            return;
        };
        self.primitive(&at, map);
        if let Some(items) = map.get("items") {
            self.inline(&format!("{at}/items"), items);
        }
        let properties = map.get("properties").and_then(Value::as_object);
        for (property, schema) in properties.into_iter().flatten() {
            let at = format!("{at}/properties/{property}");
            if !Self::has_text(schema, "description") {
                self.problem(&at, "property without description");
            }
            self.inline(&at, schema);
        }
        for required in map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap_or_default();
            if !properties.is_some_and(|p| p.contains_key(name)) {
                self.problem(&at, format!("required `{name}` is not a property"));
            }
        }
    }

    fn operation(&mut self, at: &str, operation: &Value, path_parameters: &[Value]) {
        for key in ["operationId", "summary", "description"] {
            if !Self::has_text(operation, key) {
                self.problem(at, format!("operation without {key}"));
            }
        }
        let own = operation.get("parameters").and_then(Value::as_array);
        let parameters: Vec<Value> = path_parameters
            .iter()
            .chain(own.into_iter().flatten())
            .map(|p| self.resolve(p).clone())
            .collect();
        let mut token = false;
        for parameter in &parameters {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let at = format!("{at} parameter {name}");
            if !Self::has_text(parameter, "description") {
                self.problem(&at, "parameter without description");
            }
            match parameter.get("schema") {
                Some(schema) => self.inline(&at, schema),
                None => self.problem(&at, "parameter without schema"),
            }
            token |= name == "X-Auth-Token"
                && parameter.get("in").and_then(Value::as_str) == Some("header");
        }
        if !token {
            self.problem(at, "no X-Auth-Token header parameter");
        }
        if let Some(body) = operation.get("requestBody") {
            let body = self.resolve(body).clone();
            self.media(&format!("{at} requestBody"), &body);
        }
        let responses = operation.get("responses").and_then(Value::as_object);
        if responses.is_none_or(Map::is_empty) {
            self.problem(at, "operation without responses");
        }
        for (status, response) in responses.into_iter().flatten() {
            let response = self.resolve(response).clone();
            let at = format!("{at} response {status}");
            if !Self::has_text(&response, "description") {
                self.problem(&at, "response without description");
            }
            self.media(&at, &response);
        }
    }

    /// Body schemas are named: a bare `$ref`, or an array of a bare `$ref` (a JSON Patch body).
    fn media(&mut self, at: &str, holder: &Value) {
        let is_ref = |schema: &Value| {
            schema
                .as_object()
                .is_some_and(|schema| schema.len() == 1 && schema.contains_key("$ref"))
        };
        let content = holder.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            let schema = media.get("schema").unwrap_or(&Value::Null);
            let named = is_ref(schema)
                || (schema.get("type").and_then(Value::as_str) == Some("array")
                    && schema.get("items").is_some_and(is_ref));
            if !named {
                self.problem(at, format!("{media_type} schema is not a `$ref`"));
            }
        }
    }

    /// Every `$ref` of the spec resolves.
    fn refs(&mut self, at: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if key == "$ref" {
                        let target = value.as_str().unwrap_or_default();
                        let found = target
                            .strip_prefix('#')
                            .and_then(|pointer| self.spec.pointer(pointer));
                        if found.is_none() {
                            self.problem(at, format!("`$ref` {target} does not resolve"));
                        }
                    } else {
                        self.refs(&format!("{at}/{key}"), value);
                    }
                }
            }
            Value::Array(values) => {
                for (i, value) in values.iter().enumerate() {
                    self.refs(&format!("{at}/{i}"), value);
                }
            }
            _ => {}
        }
    }
}

/// The `externalValue` of every media type example of one operation, with the body it is for.
fn external_values(operation: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut add = |body: String, holder: &Value| {
        let content = holder.get("content").and_then(Value::as_object);
        for media in content.into_iter().flat_map(Map::values) {
            let examples = media.get("examples").and_then(Value::as_object);
            for example in examples.into_iter().flat_map(Map::values) {
                if let Some(value) = example.get("externalValue").and_then(Value::as_str) {
                    found.push((body.clone(), value.to_owned()));
                }
            }
        }
    };
    if let Some(body) = operation.get("requestBody") {
        add("request".to_owned(), body);
    }
    let responses = operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        add(status.clone(), response);
    }
    found
}

#[test]
fn specs_follow_conventions() {
    let mut problems = Vec::new();
    for api in specs::APIS {
        let spec = specs::load_value(api).unwrap_or_else(|e| panic!("{e}"));
        let mut checker = Checker {
            api,
            spec: &spec,
            problems: Vec::new(),
        };

        // info: title, version, and a description with the required/nullable rule.
        let info = spec.get("info").cloned().unwrap_or_default();
        for key in ["title", "version", "description"] {
            if !Checker::has_text(&info, key) {
                checker.problem("info", format!("no {key}"));
            }
        }
        let description = info
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        // The presence rule of issue 8 (`specs/README.md` convention 8), read with line breaks
        // as spaces.
        let flat = description.split_whitespace().collect::<Vec<_>>().join(" ");
        let presence_rule = [
            "required and non-null only where the service always sets it",
            "Sources, strongest first",
        ];
        if !presence_rule.iter().all(|p| flat.contains(p)) {
            checker.problem(
                "info.description",
                format!("does not state the presence rule ({presence_rule:?})"),
            );
        }
        if !description.contains("Document contradictions") {
            checker.problem(
                "info.description",
                "does not say \"Document contradictions\"",
            );
        }

        // Auth: X-Auth-Token is an apiKey security scheme.
        let schemes = spec
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let api_key = schemes.into_iter().flat_map(Map::values).any(|scheme| {
            scheme.get("type").and_then(Value::as_str) == Some("apiKey")
                && scheme.get("in").and_then(Value::as_str) == Some("header")
                && scheme.get("name").and_then(Value::as_str) == Some("X-Auth-Token")
        });
        if !api_key {
            checker.problem("components/securitySchemes", "no X-Auth-Token apiKey");
        }
        // Every service refuses an unauthenticated call: no `{}` requirement.
        let requirements = spec.pointer("/security").and_then(Value::as_array);
        let anonymous = requirements.is_none_or(|list| {
            list.is_empty()
                || list
                    .iter()
                    .any(|r| r.as_object().is_some_and(Map::is_empty))
        });
        if anonymous {
            checker.problem(
                "security",
                "allows an anonymous call (or names no requirement)",
            );
        }
        let service_types = spec.pointer("/x-service-types").and_then(Value::as_array);
        if service_types.is_none_or(Vec::is_empty) {
            checker.problem("x-service-types", "names no service catalog type");
        }

        let schemas = spec
            .pointer("/components/schemas")
            .and_then(Value::as_object);
        for (name, schema) in schemas.into_iter().flatten() {
            checker.component(name, schema);
        }

        // Operations, and the examples they reference.
        let mut referenced = BTreeSet::new();
        let paths = spec.get("paths").and_then(Value::as_object);
        for (path, item) in paths.into_iter().flatten() {
            let path_parameters: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in METHODS {
                let Some(operation) = item.get(*method) else {
                    continue;
                };
                let at = format!("{method} {path}");
                checker.operation(&at, operation, &path_parameters);
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                for (body, value) in external_values(operation) {
                    let expected = format!("examples/{api}/{id}.{body}.json");
                    if value != expected {
                        checker.problem(&at, format!("example {value} should be {expected}"));
                    }
                    referenced.insert(value);
                }
            }
        }
        let on_disk: BTreeSet<String> = specs::examples(api)
            .iter()
            .map(|example| format!("examples/{api}/{}", example.file_name()))
            .collect();
        if referenced != on_disk {
            checker.problem(
                "examples",
                format!("referenced {referenced:?}, on disk {on_disk:?}"),
            );
        }

        checker.refs("#", &spec);
        problems.append(&mut checker.problems);
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The objects of the documented examples, by the component schema that describes them.
type Instances = BTreeMap<String, Vec<Map<String, Value>>>;

/// Walks `instance` along `schema` (OpenAPI, plain JSON data) and files every object under the
/// component schema it is an instance of, following `x-embedded-json` into strings.
fn collect(spec: &Value, schema: &Value, instance: &Value, out: &mut Instances) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let Some(name) = reference.strip_prefix("#/components/schemas/") else {
            return;
        };
        if let Value::Object(object) = instance {
            out.entry(name.to_owned()).or_default().push(object.clone());
        }
        if let Some(target) = spec.pointer(&format!("/components/schemas/{name}")) {
            collect(spec, target, instance, out);
        }
        return;
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(spec, member, instance, out);
    }
    match instance {
        Value::Object(object) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, property) in properties.into_iter().flatten() {
                if let Some(value) = object.get(name) {
                    collect(spec, property, value, out);
                }
            }
        }
        Value::Array(values) => {
            if let Some(items) = schema.get("items") {
                for value in values {
                    collect(spec, items, value, out);
                }
            }
        }
        Value::String(text) => {
            // A string that may carry a document but holds plain text (a VBS `description`
            // written as free text) has no embedded instance to collect.
            if let Some(target) = schema.get("x-embedded-json")
                && text.trim_start().starts_with('{')
            {
                let embedded: Value = serde_json::from_str(text.trim())
                    .unwrap_or_else(|e| panic!("x-embedded-json string is not JSON: {e}: {text}"));
                collect(spec, &serde_json::json!({ "$ref": target }), &embedded, out);
            }
        }
        _ => {}
    }
}

/// Whether a property schema allows `null`: on itself, on the component it wraps, or on a member
/// of its `anyOf` (a nullable string member or a nullable component).
fn nullable(spec: &Value, property: &Value) -> bool {
    if property.get("nullable") == Some(&Value::Bool(true)) {
        return true;
    }
    if let Some(members) = property.get("anyOf").and_then(Value::as_array) {
        return members.iter().any(|member| nullable(spec, member));
    }
    let target = property
        .get("$ref")
        .or_else(|| property.pointer("/allOf/0/$ref"))
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix('#'))
        .and_then(|pointer| spec.pointer(pointer));
    target.is_some_and(|target| target.get("nullable") == Some(&Value::Bool(true)))
}

/// Convention 8, checked against the examples: a property any example shows as `null` is
/// nullable; a required property is non-null in every example of its object; a property that is
/// non-null in every example but optional says why ("Document contradiction:" or "Optional:" with its source); no example has a
/// property its schema does not declare.
#[test]
fn required_and_nullable_follow_examples() {
    let mut problems = Vec::new();
    for api in specs::APIS {
        let spec = specs::load_value(api).unwrap_or_else(|e| panic!("{e}"));
        let mut instances = Instances::new();
        // Schemas that a response example reaches: the presence rule is about responses;
        // request bodies follow their reference's `required` lists.
        let mut in_responses = Instances::new();
        for example in specs::examples(api) {
            let operation = specs::find_operation(&spec, &example.operation_id)
                .unwrap_or_else(|| panic!("{api}: no {}", example.operation_id));
            let holder = match example.body {
                specs::Body::Request => operation.get("requestBody"),
                specs::Body::Response(status) => operation.pointer(&format!("/responses/{status}")),
            };
            let schema = holder
                .and_then(|holder| holder.get("content")?.as_object()?.values().next())
                .and_then(|media| media.get("schema"))
                .unwrap_or_else(|| panic!("{api}: no schema for {}", example.file_name()));
            collect(&spec, schema, &crate::read_json(&example), &mut instances);
            if matches!(example.body, specs::Body::Response(_)) {
                collect(
                    &spec,
                    schema,
                    &crate::read_json(&example),
                    &mut in_responses,
                );
            }
        }
        for (name, objects) in &instances {
            let schema = &spec["components"]["schemas"][name];
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let at = format!("{api}.yaml #/components/schemas/{name}");
            for object in objects {
                for key in object.keys() {
                    if !properties.contains_key(key) {
                        problems.push(format!("{at}: an example has undeclared `{key}`"));
                    }
                }
            }
            for (property, property_schema) in properties {
                let values: Vec<Option<&Value>> =
                    objects.iter().map(|object| object.get(property)).collect();
                let shows_null = values.contains(&Some(&Value::Null));
                let always = values
                    .iter()
                    .all(|value| value.is_some_and(|value| !value.is_null()));
                if shows_null && !nullable(&spec, property_schema) {
                    problems.push(format!(
                        "{at}/{property}: an example shows null, not nullable"
                    ));
                }
                if required.contains(property.as_str()) && !always {
                    problems.push(format!(
                        "{at}/{property}: required, but missing or null in an example"
                    ));
                }
                // Under the presence rule an optional property says why, citing its source.
                let explained = property_schema
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|text| {
                        text.contains("Document contradiction")
                            || text.to_lowercase().contains("optional")
                    });
                let response = in_responses.contains_key(name.as_str());
                // A document carried inside a string is parsed leniently: nothing in it is required.
                let embedded = embedded_targets(&spec).contains(name.as_str());
                if embedded && required.contains(property.as_str()) {
                    problems.push(format!(
                        "{at}/{property}: required inside an x-embedded-json document"
                    ));
                }
                if always
                    && response
                    && !embedded
                    && !required.contains(property.as_str())
                    && !explained
                {
                    problems.push(format!(
                        "{at}/{property}: in every example, not required, and no \
                         \"Document contradiction:\" or \"Optional\" says why"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The component names that `x-embedded-json` points at, anywhere in `spec`.
fn embedded_targets(spec: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![spec];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(target) = map.get("x-embedded-json").and_then(Value::as_str) {
                    out.insert(target.rsplit('/').next().unwrap_or_default().to_owned());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}
