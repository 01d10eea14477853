//! `backupctl validate --drift`: what a body has that the spec does not know, found by walking
//! the body against the JSON Schema that the model crate derives for it (`body_schema`).
//!
//! Three kinds of [`Finding`]:
//!
//! - an unknown key: an object member that the object's schema does not name (the model kept it
//!   in `extra`), reported once, at its pointer, without looking inside;
//! - an enum value outside the documented set (the model's open enum kept it);
//! - a type the spec does not give there, which the model still took: a string that is not a
//!   number in a field documented as a number that may be sent as a string (`NumOrString`),
//!   and anything of the wrong type inside a string that carries a JSON document
//!   (`x-embedded-json`), or such a string that starts like a JSON document (`{` or `[`) but
//!   is not one. Plain text there is not drift: the spec types the member as a string that
//!   *may* carry a document, and some are free text the user chose (VBS `description`, set as
//!   free text by `createBackup`).
//!
//! Pointers are RFC 6901 JSON pointers into the body (`/` for the body itself); inside an
//! embedded JSON document a finding has a second pointer, into that document.

use std::fmt;

use serde_json::{Map, Value};

/// What kind of thing the spec does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// An object member the schema does not name.
    UnknownKey,
    /// A value outside the documented enum values.
    EnumValue,
    /// A JSON type (or a string's content) that the schema does not give there.
    Type,
}

/// One thing a body has that the spec does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// JSON pointer into the body.
    pub pointer: String,
    /// For a finding inside a string that carries a JSON document: the pointer into that
    /// document (`/` for the document itself).
    pub embedded: Option<String>,
    /// What kind of finding.
    pub kind: FindingKind,
    /// What is there, and what the spec says.
    pub detail: String,
}

impl fmt::Display for Finding {
    /// `/backups/0/status: enum value "frozen" ...`, or with an embedded document
    /// `/backups/0/service_metadata, in its JSON at /progress: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(shown(&self.pointer))?;
        if let Some(inner) = &self.embedded {
            write!(f, ", in its JSON at {}", shown(inner))?;
        }
        write!(f, ": {}", self.detail)
    }
}

fn shown(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Every finding in `body` against `schema` (a JSON Schema whose `$ref`s point into its own
/// `$defs`, as schemars writes it), in document order.
pub fn findings(body: &Value, schema: &Value) -> Vec<Finding> {
    let walker = Walker { root: schema };
    let mut out = Vec::new();
    walker.walk(body, schema, &Location::default(), &mut out);
    out
}

/// Where the walk is: the pointer into the body, and into an embedded document if inside one.
#[derive(Debug, Clone, Default)]
struct Location {
    outer: String,
    inner: Option<String>,
}

impl Location {
    fn child(&self, segment: &str) -> Self {
        let segment = segment.replace('~', "~0").replace('/', "~1");
        let mut next = self.clone();
        match &mut next.inner {
            Some(inner) => {
                inner.push('/');
                inner.push_str(&segment);
            }
            None => {
                next.outer.push('/');
                next.outer.push_str(&segment);
            }
        }
        next
    }

    fn embedded(&self) -> Self {
        Self {
            outer: self.outer.clone(),
            inner: Some(String::new()),
        }
    }

    fn finding(&self, kind: FindingKind, detail: String) -> Finding {
        Finding {
            pointer: self.outer.clone(),
            embedded: self.inner.clone(),
            kind,
            detail,
        }
    }
}

/// How deep `$ref`s may chain before the walk gives up on a schema (a cycle of bare refs).
const MAX_REF_CHAIN: usize = 32;

struct Walker<'a> {
    root: &'a Value,
}

impl<'a> Walker<'a> {
    /// Follows `$ref` (`#/...` into the root) until a schema without one.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_REF_CHAIN {
            let Some(target) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| reference.strip_prefix('#'))
                .and_then(|pointer| self.root.pointer(pointer))
            else {
                return schema;
            };
            schema = target;
        }
        schema
    }

    fn walk(&self, value: &Value, schema: &'a Value, at: &Location, out: &mut Vec<Finding>) {
        let Value::Object(schema) = self.resolve(schema) else {
            // `true`, `false` or a reference that leads nowhere: nothing to compare with.
            return;
        };
        if let Some(document) = schema.get("x-embedded-json")
            && let Value::String(text) = value
        {
            let text = text.trim();
            // Plain text (even `123` or `true`): a string, as the spec types it, that carries
            // no document.
            if !text.starts_with(['{', '[']) {
                return;
            }
            match serde_json::from_str::<Value>(text) {
                Ok(inner) => self.walk(&inner, document, &at.embedded(), out),
                Err(err) => out.push(at.finding(
                    FindingKind::Type,
                    format!("a string that should carry a JSON document does not: {err}"),
                )),
            }
            return;
        }
        if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            self.any_of(value, branches, at, out);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for branch in all {
                self.walk(value, branch, at, out);
            }
        }
        if let Some(types) = schema.get("type")
            && !fits_type(value, types)
        {
            out.push(at.finding(
                FindingKind::Type,
                format!(
                    "{} where the spec says {}",
                    json_type(value),
                    describe_types(types)
                ),
            ));
            return;
        }
        if let Some(Value::Array(values)) = schema.get("enum")
            && !values.contains(value)
        {
            out.push(at.finding(FindingKind::EnumValue, enum_detail(value, values)));
        }
        match value {
            Value::Object(members) => self.object(members, schema, at, out),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (index, element) in items.iter().enumerate() {
                        self.walk(element, item, &at.child(&index.to_string()), out);
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &self,
        members: &Map<String, Value>,
        schema: &'a Map<String, Value>,
        at: &Location,
        out: &mut Vec<Finding>,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        // A typed map (`additionalProperties: {schema}`) checks its values; `true`, `{}` or none
        // accept anything, which is an unknown key when the object names its properties.
        let additional = schema
            .get("additionalProperties")
            .filter(|extra| extra.as_object().is_some_and(|extra| !extra.is_empty()));
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (key, member) in members {
            let at = at.child(key);
            if let Some(property) = properties.and_then(|properties| properties.get(key)) {
                self.walk(member, property, &at, out);
            } else if let Some(additional) = additional {
                self.walk(member, additional, &at, out);
            } else if properties.is_some() || closed {
                out.push(at.finding(FindingKind::UnknownKey, "unknown key".to_owned()));
            }
        }
    }

    /// The branch whose type fits and with the fewest findings wins (the first on a tie). A
    /// plain string branch
    /// beside documented values (an open enum) or beside a number (a number that may be sent as
    /// a string) only takes what its siblings document.
    fn any_of(&self, value: &Value, branches: &'a [Value], at: &Location, out: &mut Vec<Finding>) {
        let resolved: Vec<&Map<String, Value>> = branches
            .iter()
            .filter_map(|branch| self.resolve(branch).as_object())
            .collect();
        let documented: Vec<Value> = resolved
            .iter()
            .filter_map(|branch| branch.get("enum").and_then(Value::as_array))
            .flatten()
            .cloned()
            .collect();
        let number = resolved.iter().find_map(|branch| {
            ["integer", "number"]
                .into_iter()
                .find(|ty| branch.get("type").is_some_and(|types| has_type(types, ty)))
        });
        let mut best: Option<((bool, usize), Vec<Finding>)> = None;
        for branch in branches {
            let mut found = Vec::new();
            self.walk(value, branch, at, &mut found);
            let plain_string = self.resolve(branch).as_object().is_some_and(|branch| {
                branch.get("type") == Some(&Value::from("string")) && !branch.contains_key("enum")
            });
            if let (true, Value::String(text)) = (plain_string, value) {
                if !documented.is_empty() && !documented.contains(value) {
                    found.push(at.finding(FindingKind::EnumValue, enum_detail(value, &documented)));
                } else if let Some(number) = number
                    && !is_number_text(text, number)
                {
                    found.push(at.finding(
                        FindingKind::Type,
                        format!(
                            "{value} is a string that is not a number where the spec says \
                             {number} (which may be sent as a string)"
                        ),
                    ));
                }
            }
            // A branch whose type the value has beats one it does not, then fewer findings.
            let fits = self
                .resolve(branch)
                .get("type")
                .is_none_or(|types| fits_type(value, types));
            let rank = (!fits, found.len());
            if best.as_ref().is_none_or(|(best, _)| rank < *best) {
                best = Some((rank, found));
            }
        }
        out.extend(best.map(|(_, found)| found).unwrap_or_default());
    }
}

/// `"frozen" is not a documented value (available, error, ...)`.
fn enum_detail(value: &Value, documented: &[Value]) -> String {
    const SHOWN: usize = 12;
    let mut listed: Vec<String> = documented
        .iter()
        .take(SHOWN)
        .map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();
    if documented.len() > SHOWN {
        listed.push(format!("and {} more", documented.len() - SHOWN));
    }
    format!(
        "enum value {value} is not documented (documented: {})",
        listed.join(", ")
    )
}

fn is_number_text(text: &str, number: &str) -> bool {
    let text = text.trim();
    if number == "integer" {
        text.parse::<i128>().is_ok() || text.parse::<u128>().is_ok()
    } else {
        text.parse::<f64>().is_ok_and(f64::is_finite)
    }
}

fn has_type(types: &Value, ty: &str) -> bool {
    match types {
        Value::String(one) => one == ty,
        Value::Array(many) => many.iter().any(|one| one == ty),
        _ => false,
    }
}

/// Whether `value` has one of the JSON Schema `types` (an integer is also a number; a number
/// with a zero fraction is an integer).
fn fits_type(value: &Value, types: &Value) -> bool {
    let fits = |ty: &str| match (ty, value) {
        ("null", Value::Null)
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => true,
        ("integer", Value::Number(number)) => {
            number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    };
    match types {
        Value::String(ty) => fits(ty),
        Value::Array(many) => many.iter().filter_map(Value::as_str).any(fits),
        _ => true,
    }
}

fn json_type(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({})", Value::from(s.as_str())),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn describe_types(types: &Value) -> String {
    match types {
        Value::Array(many) => many
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        Value::String(one) => one.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "status": {"$ref": "#/$defs/Status"},
                "maybe": {"anyOf": [{"$ref": "#/$defs/Status"}, {"type": "null"}]},
                "progress": {"anyOf": [{"type": "integer", "format": "int64"}, {"type": "string"}]},
                "meta": {"type": "string", "x-embedded-json": {"$ref": "#/$defs/Meta"}},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
            },
            "additionalProperties": true,
            "$defs": {
                "Status": {"anyOf": [
                    {"type": "string", "enum": ["available", "error"]},
                    {"type": "string", "description": "A value the spec does not list."}
                ]},
                "Meta": {"type": "object", "properties": {"size": {"type": "integer"}}},
                "Item": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Item"}}}},
            }
        })
    }

    fn pointers(body: Value) -> Vec<String> {
        findings(&body, &schema())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_known_body_has_no_findings() {
        let body = json!({
            "status": "error", "maybe": null, "progress": " 7 ", "meta": " {\"size\": 3} ",
            "tags": {"a": "b"}, "items": [{"children": [{"children": []}]}]
        });
        assert_eq!(pointers(body), Vec::<String>::new());
        assert_eq!(pointers(json!({"progress": 7})), Vec::<String>::new());
    }

    #[test]
    fn each_kind_with_its_pointer() {
        let body = json!({
            "status": "frozen",
            "maybe": "thawed",
            "progress": "n/a",
            "meta": "{\"size\": \"3\", \"new\": 1}",
            "tags": {"a/b": 1},
            "items": [{"children": [{"x~y": true}]}],
            "zz": {"anything": []}
        });
        assert_eq!(
            pointers(body),
            [
                "/items/0/children/0/x~0y: unknown key",
                "/maybe: enum value \"thawed\" is not documented (documented: available, error)",
                "/meta, in its JSON at /new: unknown key",
                "/meta, in its JSON at /size: a string (\"3\") where the spec says integer",
                "/progress: \"n/a\" is a string that is not a number where the spec says integer \
                 (which may be sent as a string)",
                "/status: enum value \"frozen\" is not documented (documented: available, error)",
                "/tags/a~1b: a number (1) where the spec says string",
                "/zz: unknown key",
            ]
        );
    }

    #[test]
    fn an_embedded_string_that_is_a_broken_document() {
        for broken in [" {\"size\": 3 ", "[1, nope]", "{size: 3}"] {
            let found = findings(&json!({ "meta": broken }), &schema());
            assert_eq!(found.len(), 1, "{broken}: {found:?}");
            assert_eq!(found[0].kind, FindingKind::Type);
            assert_eq!(found[0].pointer, "/meta");
            assert!(
                found[0]
                    .to_string()
                    .starts_with("/meta: a string that should carry a JSON document does not: "),
                "{}",
                found[0]
            );
        }
    }

    #[test]
    fn an_embedded_string_of_plain_text_is_not_drift() {
        for text in [
            "Nightly backup of the data disk",
            "",
            "  n/a  ",
            "true",
            "123",
        ] {
            assert_eq!(
                findings(&json!({ "meta": text }), &schema()),
                [],
                "{text:?}"
            );
        }
    }
}
