//! Name resolution, once for the whole API, between parsing and emitting: every Rust identifier
//! the emitters will write is checked against the names its scope already uses and against the
//! other identifiers of the same scope, after case conversion.
//!
//! Scopes and their reserved names:
//! - enum variants: `Other` (undocumented values; refused by the parser) and the keyword `Self`
//!   (renamed `Self_`);
//! - struct fields: `extra` (unknown keys; renamed `extra_`);
//! - builder and endpoint methods: `body`, `build`, `builder`, `json_body`, `from_params` and the
//!   methods of the `Endpoint`, `Paginated`, `Clone` and `Debug` traits (renamed `<name>_param`);
//!   a repeated query parameter also takes `extend_<name>`, which must meet no other method;
//! - endpoint crate items: the re-exported runtime names, the prelude's types and traits, and
//!   each operation's `{Op}Builder` and `{Op}Output` (an operation's own type name is renamed
//!   `<Name>Operation`).
//!
//! - model crate items: the `pub type` aliases of deeply nested arrays (see
//!   [`MAX_NESTED_ARRAYS`]), named after where the array is (`<Schema><Property>Item`,
//!   `<Operation>RequestItem`, `<Operation><Status>Item`, then `...Item2`, `...Item3` for the
//!   items of those), against the schemas' types and each other.
//!
//! Renaming is deterministic; when two names still meet, the spec is refused with the JSON
//! pointers of both sides.

use std::collections::BTreeMap;

use crate::Error;
use crate::ir::{Api, TypeAlias, TypeDef, TypeRef};
use crate::pointer::JsonPointer;

/// Method names a parameter's setter or getter cannot take.
const RESERVED_METHODS: &[&str] = &[
    "body",
    "build",
    "builder",
    "json_body",
    "from_params",
    "operation_id",
    "method",
    "path",
    "query",
    "headers",
    "auth_header",
    "auth_required",
    "parse_response",
    "next_page",
    "clone",
    "clone_from",
    "fmt",
];

/// Type names an operation cannot take in its endpoint crate: what the crate imports or
/// re-exports, and the prelude's names generated code relies on.
const RESERVED_TYPES: &[&str] = &[
    "ApiError",
    "BuildError",
    "Endpoint",
    "Paginated",
    "Method",
    "RawResponse",
    "Models",
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "Send",
    "Sync",
    "Sized",
    "From",
    "Into",
    "Iterator",
    "ToString",
    "ToOwned",
    "PartialEq",
    "Eq",
    "Self",
];

/// Renames what would collide with a reserved name and refuses what still collides.
///
/// Returns every problem: two names of one scope that become the same Rust identifier (each
/// pair once), a schema named `Self`.
pub fn resolve(api: &mut Api) -> Vec<Error> {
    let file = api.spec_path.clone();
    let mut problems = Vec::new();
    let err = |ptr: &JsonPointer, message: String| Error::new(&file, ptr.as_str(), message);
    for def in api.types.values_mut() {
        let ptr = JsonPointer::schema(def.name());
        if def.name() == "Self" {
            problems.push(err(
                &ptr,
                "schema name `Self` is a Rust keyword: rename the schema".to_owned(),
            ));
            continue;
        }
        match def {
            TypeDef::Enum(e) => {
                for value in &mut e.values {
                    if value.variant == "Self" {
                        value.variant = "Self_".to_owned();
                    }
                }
                let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
                for (i, value) in e.values.iter().enumerate() {
                    if let Some(first) = seen.insert(&value.variant, i) {
                        let a = ptr.push("enum").push(first);
                        problems.push(err(
                            &ptr.push("enum").push(i),
                            format!(
                                "enum values `{}` and `{}` both become the Rust variant `{}` \
                                 (the other one is at {a}): one of them must change",
                                e.values[first].wire, value.wire, value.variant
                            ),
                        ));
                    }
                }
            }
            TypeDef::Object(o) => {
                for field in &mut o.fields {
                    if field.rust_name == "extra" {
                        field.rust_name = "extra_".to_owned();
                    }
                }
                let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
                for field in &o.fields {
                    if let Some(first) = seen.insert(&field.rust_name, &field.wire_name) {
                        let a = ptr.push("properties").push(first);
                        problems.push(err(
                            &ptr.push("properties").push(&field.wire_name),
                            format!(
                                "properties `{first}` and `{}` both become the Rust field `{}` \
                                 (the other one is at {a}): rename one of them",
                                field.wire_name, field.rust_name
                            ),
                        ));
                    }
                }
            }
        }
    }
    // Endpoint crate items, by Rust name: the pointer of the operation that takes it.
    let mut items: BTreeMap<String, (JsonPointer, String)> = BTreeMap::new();
    for op in api.operations.values_mut() {
        let op_ptr = JsonPointer::path_item(&op.path).push(op.method.to_ascii_lowercase());
        if RESERVED_TYPES.contains(&op.rust_name.as_str()) {
            op.rust_name.push_str("Operation");
        }
        for param in &mut op.params {
            if RESERVED_METHODS.contains(&param.rust_name.as_str()) {
                param.rust_name.push_str("_param");
            }
        }
        // Every builder method a parameter takes: its setter, and `extend_<name>` for a
        // repeated one.
        let mut seen: BTreeMap<String, &crate::ir::Param> = BTreeMap::new();
        let methods = op.params.iter().flat_map(|param| {
            let extend = param
                .repeated_item()
                .map(|_| crate::endpoints::extend_method(param));
            std::iter::once((param.rust_name.clone(), param)).chain(extend.map(|e| (e, param)))
        });
        for (method, param) in methods {
            if RESERVED_METHODS.contains(&method.as_str()) {
                problems.push(Error::new(
                    &file,
                    &param.pointer,
                    format!(
                        "parameter `{}` gives the builder method `{method}`, a name the builder \
                         already uses: rename the parameter",
                        param.wire_name
                    ),
                ));
                continue;
            }
            if let Some(first) = seen.insert(method.clone(), param) {
                problems.push(Error::new(
                    &file,
                    &param.pointer,
                    format!(
                        "parameters `{}` and `{}` both become the builder method `{method}` (the \
                         other one is at {}): rename one of them",
                        first.wire_name, param.wire_name, first.pointer
                    ),
                ));
            }
        }
        let names = [
            (op.rust_name.clone(), "type"),
            (format!("{}Builder", op.rust_name), "builder type"),
            (format!("{}Output", op.rust_name), "output type"),
        ];
        for (name, what) in names {
            if let Some((other, other_what)) = items.get(&name) {
                problems.push(err(
                    &op_ptr.push("operationId"),
                    format!(
                        "operationId `{}` gives the {what} `{name}`, which is already the \
                         {other_what} of the operation at {other}: rename one of the operationIds",
                        op.id
                    ),
                ));
                break; // Its other names would clash the same way.
            }
            items.insert(name, (op_ptr.clone(), what.to_owned()));
        }
    }
    problems.extend(alias_deep_arrays(api));
    problems
}

/// The most arrays one written type nests (`Vec<Vec<T>>`); deeper arrays name their items
/// through [`TypeAlias`]es. Clippy's `type_complexity` scores a type by the depth of each of its
/// parts (10 × depth each, refused above 250): six nested types pass (210), seven do not (280).
/// A field or body wraps its value in at most two more types (`Option<Option<…>>` in the
/// generated deserializer, `Response<Option<…>>` in an outcome), and the innermost value is at
/// most two deep (`NumOrString<i64>`), so two arrays always fit and `Vec<Vec<String>>` stays as
/// it is.
pub const MAX_NESTED_ARRAYS: usize = 2;

/// How many arrays `ty` nests.
fn array_depth(ty: &TypeRef) -> usize {
    match ty {
        TypeRef::Array(inner) => 1 + array_depth(inner),
        _ => 0,
    }
}

/// Writes every array nested deeper than [`MAX_NESTED_ARRAYS`] (object properties, request and
/// response bodies; parameters are at most one array deep) through aliases of its items, and
/// refuses an alias name that is already a schema's type or another alias.
fn alias_deep_arrays(api: &mut Api) -> Vec<Error> {
    let mut aliases: Vec<TypeAlias> = Vec::new();
    for def in api.types.values_mut() {
        let TypeDef::Object(object) = def else {
            continue;
        };
        for field in &mut object.fields {
            let base = format!(
                "{}{}",
                object.name,
                crate::names::type_name(field.rust_name.trim_end_matches('_'))
            );
            let pointer = JsonPointer::schema(&object.name)
                .push("properties")
                .push(&field.wire_name);
            let of = format!("the property `{}` of [`{}`]", field.wire_name, object.name);
            shorten(&mut field.ty, &base, 1, &of, pointer.as_str(), &mut aliases);
        }
    }
    for op in api.operations.values_mut() {
        let op_ptr = JsonPointer::path_item(&op.path).push(op.method.to_ascii_lowercase());
        if let Some(body) = &mut op.request_body {
            let base = format!("{}Request", op.rust_name);
            let of = format!("the request body of `{}`", op.id);
            let pointer = op_ptr.push("requestBody");
            shorten(&mut body.ty, &base, 1, &of, pointer.as_str(), &mut aliases);
        }
        for (status, response) in &mut op.responses {
            if let Some(body) = &mut response.body {
                let base = format!(
                    "{}{}",
                    op.rust_name,
                    crate::endpoints::status_variant(*status)
                );
                let of = format!("the `{status}` response body of `{}`", op.id);
                let pointer = op_ptr.push("responses").push(status.to_string());
                shorten(&mut body.ty, &base, 1, &of, pointer.as_str(), &mut aliases);
            }
        }
    }
    let mut problems = Vec::new();
    for alias in aliases {
        let taken = if api.types.contains_key(&alias.name) {
            Some(format!(
                "the schema at {}",
                JsonPointer::schema(&alias.name)
            ))
        } else {
            api.aliases
                .get(&alias.name)
                .map(|other| format!("the alias of the items of the array at {}", other.pointer))
        };
        match taken {
            Some(taken) => problems.push(Error::new(
                &api.spec_path,
                &alias.pointer,
                format!(
                    "this array nests more than {MAX_NESTED_ARRAYS} arrays, so its items are \
                     written through the alias `{}`, which is already {taken}: rename one of them",
                    alias.name
                ),
            )),
            None => {
                api.aliases.insert(alias.name.clone(), alias);
            }
        }
    }
    problems
}

/// When `ty` nests more than [`MAX_NESTED_ARRAYS`] arrays, names its items through an alias
/// (`<base>Item` at `level` 1, `<base>Item<level>` below), itself shortened the same way.
fn shorten(
    ty: &mut TypeRef,
    base: &str,
    level: usize,
    of: &str,
    pointer: &str,
    out: &mut Vec<TypeAlias>,
) {
    if array_depth(ty) <= MAX_NESTED_ARRAYS {
        return;
    }
    let TypeRef::Array(items) = ty else {
        return;
    };
    let alias_name = |level: usize| {
        if level == 1 {
            format!("{base}Item")
        } else {
            format!("{base}Item{level}")
        }
    };
    let name = alias_name(level);
    let mut item_ty = std::mem::replace(items.as_mut(), TypeRef::Named(name.clone()));
    shorten(&mut item_ty, base, level + 1, of, pointer, out);
    let of = if level == 1 {
        format!("The items of the array that is {of}.")
    } else {
        format!("The items of [`{}`] (in {of}).", alias_name(level - 1))
    };
    out.push(TypeAlias {
        name,
        ty: item_ty,
        of,
        pointer: pointer.to_owned(),
    });
}
