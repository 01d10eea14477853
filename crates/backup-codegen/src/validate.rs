//! Strict reading, before the typed parse: the plain YAML tree is checked for everything the
//! generator would otherwise misread or read silently as "any value" (Swagger 2.0 and OpenAPI
//! 3.1 documents, YAML merge keys, boolean schemas, unknown `type`s and `format`s, enums that are
//! not lists of strings, unsupported methods) and for cycles of schema aliases, which the typed
//! pass would follow forever. Every error has the JSON pointer of the offending node and says
//! what to write instead.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use yaml_serde::Value;

use crate::Error;
use crate::pointer::JsonPointer;

/// The methods an operation may use (the runtime's `Method`).
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head"];

/// What the strict reading found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every problem, in document order (empty when there is none).
    pub problems: Vec<Error>,
    /// The typed reading must not run: the document is not OpenAPI 3.0 at all, or schema
    /// aliases form a cycle, which the typed reading would follow forever.
    pub stop: bool,
}

/// Checks the YAML tree of `file`. A document that is not OpenAPI 3.0 at all gives one problem;
/// otherwise each schema, path item and operation is checked on its own, so one broken node
/// does not hide the next.
pub fn check(file: &str, doc: &Value) -> Checked {
    let cx = Cx {
        file,
        problems: RefCell::new(Vec::new()),
        stop: Cell::new(false),
    };
    if let Err(fatal) = cx.check(doc) {
        cx.problems.borrow_mut().push(fatal);
        cx.stop.set(true);
    }
    Checked {
        problems: cx.problems.into_inner(),
        stop: cx.stop.get(),
    }
}

impl Cx<'_> {
    /// The checks; an `Err` is a problem that ends them (the document is not OpenAPI 3.0).
    fn check(&self, doc: &Value) -> Result<(), Error> {
        let cx = self;
        let root = JsonPointer::root();
        let Value::Mapping(_) = doc else {
            return Err(cx.err(
                &root,
                "the document is not a YAML mapping: not an OpenAPI document",
            ));
        };
        if let Some(version) = get(doc, "swagger") {
            return Err(cx.err(
            &root.push("swagger"),
            format!(
                "a Swagger {} document: the generator reads OpenAPI 3.0.x; convert it first (e.g. \
                 `npx swagger2openapi`) and write `openapi: 3.0.3`",
                scalar(version)
            ),
        ));
        }
        match get(doc, "openapi") {
            None => {
                return Err(cx.err(
                    &root,
                    "no `openapi` field: not an OpenAPI document (write `openapi: 3.0.3`)",
                ));
            }
            Some(v) => {
                let version = scalar(v);
                if version.starts_with("3.1") {
                    return Err(cx.err(
                    &root.push("openapi"),
                    format!(
                        "an OpenAPI {version} document: the generator reads OpenAPI 3.0.x; write \
                         `openapi: 3.0.3` (`nullable: true` instead of `type: [..., \"null\"]`, \
                         `example` instead of `examples` in schemas)"
                    ),
                ));
                }
                if !version.starts_with("3.0.") {
                    return Err(cx.err(
                        &root.push("openapi"),
                        format!(
                            "expected OpenAPI 3.0.x, found `{version}`: write `openapi: 3.0.3`"
                        ),
                    ));
                }
            }
        }
        cx.merge_keys(doc, &root);
        if let Some(Value::Mapping(schemas)) =
            get(doc, "components").and_then(|c| get(c, "schemas"))
        {
            for (name, schema) in schemas {
                cx.keep(cx.schema(schema, &JsonPointer::schema(&scalar(name))));
            }
        }
        if let Some(components) = get(doc, "components") {
            for kind in ["parameters", "responses", "requestBodies", "headers"] {
                if let Some(Value::Mapping(items)) = get(components, kind) {
                    for (name, item) in items {
                        let ptr = root.push("components").push(kind).push(scalar(name));
                        cx.schemas_under(item, &ptr);
                    }
                }
            }
        }
        if let Some(Value::Mapping(paths)) = get(doc, "paths") {
            for (path, item) in paths {
                let ptr = JsonPointer::path_item(&scalar(path));
                let Value::Mapping(item) = item else { continue };
                for (key, value) in item {
                    let key = scalar(key);
                    let kptr = ptr.push(&key);
                    match key.as_str() {
                        "parameters" => cx.schemas_under(value, &kptr),
                        k if METHODS.contains(&k) => cx.schemas_under(value, &kptr),
                        "options" | "trace" => {
                            cx.keep(Err(cx.err(
                                &kptr,
                                format!(
                                    "{} operations are not supported (methods: GET, PUT, POST, \
                                 DELETE, PATCH, HEAD): remove it or document it in prose",
                                    key.to_ascii_uppercase()
                                ),
                            )));
                        }
                        _ => {}
                    }
                }
            }
        }
        cx.alias_cycles(doc);
        Ok(())
    }
}

fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Mapping(m) => m.iter().find(|(k, _)| scalar(k) == key).map(|(_, v)| v),
        _ => None,
    }
}

/// A scalar as text (mapping keys may be numbers, such as status codes).
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Tagged(t) => scalar(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => "(a collection)".to_owned(),
    }
}

struct Cx<'a> {
    file: &'a str,
    /// Every problem found so far.
    problems: RefCell<Vec<Error>>,
    /// See [`Checked::stop`].
    stop: Cell<bool>,
}

impl Cx<'_> {
    fn err(&self, ptr: &JsonPointer, message: impl Into<String>) -> Error {
        Error::new(self.file, ptr.as_str(), message)
    }

    /// Records the problem of a node, if any; the caller goes on with the next node.
    fn keep(&self, result: Result<(), Error>) {
        if let Err(problem) = result {
            self.problems.borrow_mut().push(problem);
        }
    }

    fn merge_keys(&self, value: &Value, ptr: &JsonPointer) {
        match value {
            Value::Mapping(m) => {
                for (k, v) in m {
                    let key = scalar(k);
                    let kptr = ptr.push(&key);
                    if key == "<<" {
                        self.keep(Err(self.err(
                            &kptr,
                            "a YAML merge key (`<<`): the generator would read it as a property \
                             named `<<`; write the keys out, or share a schema with `$ref`",
                        )));
                        continue;
                    }
                    self.merge_keys(v, &kptr);
                }
            }
            Value::Sequence(s) => {
                for (i, v) in s.iter().enumerate() {
                    self.merge_keys(v, &ptr.push(i));
                }
            }
            Value::Tagged(t) => self.merge_keys(&t.value, ptr),
            _ => {}
        }
    }

    /// Every `schema` inside an operation, parameter, request body or response.
    fn schemas_under(&self, value: &Value, ptr: &JsonPointer) {
        match value {
            Value::Mapping(m) => {
                for (k, v) in m {
                    let key = scalar(k);
                    if key.starts_with("x-") || key == "examples" || key == "example" {
                        continue;
                    }
                    let kptr = ptr.push(&key);
                    if key == "schema" {
                        self.keep(self.schema(v, &kptr));
                    } else {
                        self.schemas_under(v, &kptr);
                    }
                }
            }
            Value::Sequence(s) => {
                for (i, v) in s.iter().enumerate() {
                    self.schemas_under(v, &ptr.push(i));
                }
            }
            _ => {}
        }
    }

    fn schema(&self, value: &Value, ptr: &JsonPointer) -> Result<(), Error> {
        let m = match value {
            Value::Mapping(m) => m,
            Value::Bool(b) => {
                return Err(self.err(
                    ptr,
                    format!(
                        "a boolean schema (`{b}`) is not OpenAPI 3.0: write `{{}}` for any value, \
                         or a typed schema"
                    ),
                ));
            }
            _ => return Err(self.err(ptr, "a schema must be a mapping")),
        };
        if get(value, "$ref").is_some() {
            return Ok(());
        }
        let ty = match get(value, "type") {
            None => None,
            Some(Value::String(t)) => {
                if !matches!(
                    t.as_str(),
                    "string" | "integer" | "number" | "boolean" | "array" | "object"
                ) {
                    return Err(self.err(
                        &ptr.push("type"),
                        format!(
                            "unknown type `{t}`: use one of string, integer, number, boolean, \
                             array, object"
                        ),
                    ));
                }
                Some(t.as_str())
            }
            Some(Value::Sequence(_)) => {
                return Err(self.err(
                    &ptr.push("type"),
                    "a list of types is OpenAPI 3.1: use one type, and `nullable: true` for null",
                ));
            }
            Some(other) => {
                return Err(self.err(
                    &ptr.push("type"),
                    format!("`type` must be a string, not `{}`", scalar(other)),
                ));
            }
        };
        if let Some(format) = get(value, "format") {
            let format = scalar(format);
            let known: &[&str] = match ty {
                Some("string") => &[
                    "date-time",
                    "date-time-local",
                    "date",
                    "byte",
                    "binary",
                    "password",
                    "uuid",
                    "email",
                    "uri",
                    "hostname",
                    "ipv4",
                    "ipv6",
                ],
                Some("integer") => &["int32", "int64"],
                Some("number") => &["float", "double"],
                _ => &[],
            };
            if !known.contains(&format.as_str()) {
                let fix = if known.is_empty() {
                    "remove it".to_owned()
                } else {
                    format!("use one of {}", known.join(", "))
                };
                self.keep(Err(self.err(
                    &ptr.push("format"),
                    format!(
                        "unknown format `{format}` for type {}: {fix}",
                        ty.unwrap_or("(none)")
                    ),
                )));
            }
        }
        if let Some(values) = get(value, "enum") {
            self.keep(self.enum_values(values, ty, &ptr.push("enum")));
        }
        for (key, needs) in [("properties", "object"), ("items", "array")] {
            if get(value, key).is_some() && ty != Some(needs) {
                return Err(self.err(&ptr.push(key), format!("`{key}` needs `type: {needs}`")));
            }
        }
        for (k, v) in m {
            let key = scalar(k);
            let kptr = ptr.push(&key);
            match key.as_str() {
                "properties" => {
                    let Value::Mapping(props) = v else {
                        return Err(self.err(&kptr, "`properties` must be a mapping"));
                    };
                    for (name, prop) in props {
                        self.keep(self.schema(prop, &kptr.push(scalar(name))));
                    }
                }
                "items" | "not" => self.keep(self.schema(v, &kptr)),
                "additionalProperties" if !matches!(v, Value::Bool(_)) => {
                    self.keep(self.schema(v, &kptr));
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let Value::Sequence(parts) = v else {
                        return Err(self.err(&kptr, format!("`{key}` must be a list of schemas")));
                    };
                    for (i, part) in parts.iter().enumerate() {
                        self.keep(self.schema(part, &kptr.push(i)));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The `enum` of a schema of type `ty`, at `eptr`.
    fn enum_values(
        &self,
        values: &Value,
        ty: Option<&str>,
        eptr: &JsonPointer,
    ) -> Result<(), Error> {
        if ty != Some("string") {
            return Err(self.err(
                eptr,
                "only string enums are supported: add `type: string` and quote the values",
            ));
        }
        let Value::Sequence(values) = values else {
            return Err(self.err(eptr, "`enum` must be a list of strings"));
        };
        for (i, v) in values.iter().enumerate() {
            if !matches!(v, Value::String(_) | Value::Null) {
                self.keep(Err(self.err(
                    &eptr.push(i),
                    format!(
                        "enum value `{}` is not a string: quote it (`\"{}\"`)",
                        scalar(v),
                        scalar(v)
                    ),
                )));
            }
        }
        Ok(())
    }

    /// Aliases (component schemas that are neither objects nor string enums) are inlined where
    /// they are used, so a cycle of them could never end: refuse it, naming every schema on it.
    fn alias_cycles(&self, doc: &Value) {
        let Some(Value::Mapping(schemas)) = get(doc, "components").and_then(|c| get(c, "schemas"))
        else {
            return;
        };
        let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, schema) in schemas {
            let ty = get(schema, "type").map(scalar);
            let is_type = ty.as_deref() == Some("object")
                || (ty.as_deref() == Some("string") && get(schema, "enum").is_some());
            if !is_type {
                let mut refs = Vec::new();
                collect_refs(schema, &mut refs);
                aliases.insert(scalar(name), refs);
            }
        }
        // Depth-first search over alias -> alias edges; a grey node reached again closes a cycle.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        for start in aliases.keys() {
            if state.contains_key(start.as_str()) {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
            state.insert(start, 1);
            while let Some((node, next)) = stack.last_mut() {
                let edges = &aliases[*node];
                if let Some(target) = edges.get(*next) {
                    *next += 1;
                    let Some((target, _)) = aliases.get_key_value(target.as_str()) else {
                        continue;
                    };
                    match state.get(target.as_str()) {
                        Some(1) => {
                            let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                            let mut cycle: Vec<String> = stack[from..]
                                .iter()
                                .map(|(n, _)| JsonPointer::schema(n).to_string())
                                .collect();
                            cycle.push(JsonPointer::schema(target).to_string());
                            self.stop.set(true);
                            self.keep(Err(self.err(
                                &JsonPointer::schema(target),
                                format!(
                                    "these schemas refer to each other without an object in \
                                     between, so no type can hold them: {}; make one of them an \
                                     object schema (`type: object`)",
                                    cycle.join(" -> ")
                                ),
                            )));
                        }
                        Some(_) => {}
                        None => {
                            state.insert(target, 1);
                            stack.push((target, 0));
                        }
                    }
                } else {
                    state.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
}

/// The component schema names of every `$ref` inside `value` (not inside extensions).
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(m) => {
            for (k, v) in m {
                let key = scalar(k);
                if key.starts_with("x-") {
                    continue;
                }
                if key == "$ref" {
                    if let Some(name) = scalar(v).strip_prefix("#/components/schemas/") {
                        out.push(name.replace("~1", "/").replace("~0", "~"));
                    }
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Sequence(s) => s.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
