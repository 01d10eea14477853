//! Spec -> IR: reads an OpenAPI 3.0.x document (typed, with `openapiv3`) and checks the conventions
//! of `specs/README.md`. Every error names the JSON pointer of the offending node.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    APIKeyLocation, IntegerFormat, NumberFormat, OpenAPI, Parameter, ParameterSchemaOrContent,
    QueryStyle, ReferenceOr, Schema, SchemaKind, SecurityScheme, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::ir::{
    Api, Body, EnumDef, EnumValue, Field, ObjectDef, Operation, Pagination, Param, ParamLocation,
    Presence, Preset, Response, ResponseHeader, TypeDef, TypeRef,
};
use crate::names;
use crate::pointer::JsonPointer;
use crate::{Error, Errors};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Reads `yaml` (the text of `spec_path`) into the IR.
///
/// # Errors
/// Every problem of the spec (see [`read`]).
pub fn parse(key: &str, spec_path: &str, yaml: &str) -> Result<Api, Errors> {
    let (api, problems) = read(key, spec_path, yaml);
    match (api, Errors::from_vec(problems)) {
        (Some(api), None) => Ok(api),
        (_, Some(errors)) => Err(errors),
        (None, None) => {
            Err(Error::new(spec_path, "", "generator bug: no API and no problem").into())
        }
    }
}

/// Reads `yaml` (the text of `spec_path`) into the IR, going on after a problem where it can: a
/// schema, property, operation, parameter or response that is refused is recorded and left out,
/// and the rest is read. Returns the IR of what could be read (`None` when the document could
/// not be read at all) and every problem found, the strict reading's ([`crate::validate`])
/// first. A problem the typed reading finds where the strict reading already refused the node
/// (or the whole document, when the strict reading refused something) is left out: it only
/// follows from the first.
pub fn read(key: &str, spec_path: &str, yaml: &str) -> (Option<Api>, Vec<Error>) {
    // A plain YAML pass first: it rejects what openapiv3 mishandles (a duplicate key makes its
    // untagged `ReferenceOr` panic) with the line and column.
    let tree = match yaml_serde::from_str::<yaml_serde::Value>(yaml) {
        Ok(tree) => tree,
        Err(e) => {
            return (
                None,
                vec![Error::new(spec_path, "", format!("not valid YAML: {e}"))],
            );
        }
    };
    let checked = crate::validate::check(spec_path, &tree);
    let strict = checked.problems;
    if checked.stop {
        return (None, strict);
    }
    let typed = std::panic::catch_unwind(|| yaml_serde::from_str::<OpenAPI>(yaml));
    let spec = match typed {
        Ok(Ok(spec)) => spec,
        // The typed reading of a document the strict reading refused says nothing new.
        _ if !strict.is_empty() => return (None, strict),
        Ok(Err(e)) => {
            let message = format!("not an OpenAPI 3.0 document: {e}");
            return (None, vec![Error::new(spec_path, "", message)]);
        }
        Err(_) => {
            let message = "the OpenAPI parser (openapiv3) failed on this document";
            return (None, vec![Error::new(spec_path, "", message)]);
        }
    };
    if !spec.openapi.starts_with("3.0.") {
        let message = format!("expected OpenAPI 3.0.x, found `{}`", spec.openapi);
        let mut problems = strict;
        problems.push(Error::new(spec_path, "/openapi", message));
        return (None, problems);
    }
    // Component schemas the strict reading refused: what uses them is not reported again.
    let refused = strict
        .iter()
        .filter_map(|e| {
            let rest = e.pointer.strip_prefix("/components/schemas/")?;
            let name = rest.split('/').next()?;
            Some(name.replace("~1", "/").replace("~0", "~"))
        })
        .collect();
    let cx = Cx {
        spec: &spec,
        file: spec_path,
        problems: RefCell::new(Vec::new()),
        refused,
    };
    let mut types = BTreeMap::new();
    if let Some(components) = &spec.components {
        for (name, schema) in &components.schemas {
            let ptr = format!("/components/schemas/{}", pointer_escape(name));
            let schema = match schema {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => continue,
            };
            if let Some(Some(def)) = cx.keep(cx.type_def(name, schema, &ptr)) {
                types.insert(name.clone(), def);
            }
        }
    }
    let mut operations = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let item_ptr = format!("/paths/{}", pointer_escape(path));
        let ReferenceOr::Item(item) = item else {
            cx.keep::<()>(Err(
                cx.err(&item_ptr, "path item references are not supported")
            ));
            continue;
        };
        for (method, op) in item.iter() {
            let ptr = format!("{item_ptr}/{method}");
            let Some(op) = cx.keep(cx.operation(path, method, &item.parameters, op, &ptr)) else {
                continue;
            };
            if operations.contains_key(&op.id) {
                cx.keep::<()>(Err(
                    cx.err(&ptr, format!("duplicate operationId `{}`", op.id))
                ));
                continue;
            }
            operations.insert(op.id.clone(), op);
        }
    }
    let service_types = cx.keep(cx.service_types()).unwrap_or_default();
    let api = Api {
        key: key.to_owned(),
        spec_path: spec_path.to_owned(),
        service_types,
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        models_crate: format!("{}_models", key.replace('-', "_")),
        endpoints_crate: format!("{}_endpoints", key.replace('-', "_")),
        types,
        operations,
        aliases: BTreeMap::new(),
    };
    let mut problems = strict;
    let typed = crate::follow_ups_left_out(&problems, cx.problems.into_inner());
    problems.extend(typed);
    (Some(api), problems)
}

/// Escapes a JSON pointer token (RFC 6901).
fn pointer_escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

struct Cx<'a> {
    spec: &'a OpenAPI,
    file: &'a str,
    /// Every problem found so far.
    problems: RefCell<Vec<Error>>,
    /// Component schemas already refused: a reference to one fails with [`FOLLOW_UP`].
    refused: BTreeSet<String>,
}

/// The message of a problem that only follows from one already reported (a reference to a
/// refused schema): it makes the item that meets it fail, and is never reported.
const FOLLOW_UP: &str = "(follows from a problem reported at the schema)";

/// What a schema position resolves to.
struct Resolved {
    ty: TypeRef,
    nullable: bool,
    description: Option<String>,
}

impl<'a> Cx<'a> {
    fn err(&self, pointer: &str, message: impl Into<String>) -> Error {
        Error::new(self.file, pointer, message)
    }

    /// The value, or `None` with the problem recorded: the caller leaves the item out and goes
    /// on with the next.
    fn keep<T>(&self, result: Result<T, Error>) -> Option<T> {
        result
            .map_err(|e| {
                if e.message != FOLLOW_UP {
                    self.problems.borrow_mut().push(e);
                }
            })
            .ok()
    }

    fn component<'s>(
        &'s self,
        reference: &'s str,
        ptr: &str,
    ) -> Result<(&'s str, &'s Schema), Error> {
        let name = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            self.err(
                ptr,
                format!("`{reference}`: only `{SCHEMA_PREFIX}...` references are supported"),
            )
        })?;
        if self.refused.contains(name) {
            return Err(self.err(ptr, FOLLOW_UP));
        }
        let schema = self
            .spec
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(name))
            .ok_or_else(|| self.err(ptr, format!("`{reference}` points at no schema")))?;
        match schema {
            ReferenceOr::Item(s) => Ok((name, s)),
            ReferenceOr::Reference { reference } => self.component(reference, ptr),
        }
    }

    /// A component schema that becomes a Rust type, or `None` for an alias of a primitive.
    fn type_def(&self, name: &str, schema: &Schema, ptr: &str) -> Result<Option<TypeDef>, Error> {
        let description = schema.schema_data.description.clone();
        names::check_type_name(name).map_err(|m| self.err(ptr, m))?;
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                let mut fields = Vec::new();
                for (wire, prop) in &object.properties {
                    let pptr = format!("{ptr}/properties/{}", pointer_escape(wire));
                    // A broken property is recorded and left out; the others are still read.
                    let field = || -> Result<Field, Error> {
                        let resolved = self.resolve_boxed(prop, &pptr)?;
                        let required = object.required.iter().any(|r| r == wire);
                        let presence = match (required, resolved.nullable) {
                            (true, false) => Presence::Required,
                            (true, true) => Presence::RequiredNullable,
                            (false, false) => Presence::Optional,
                            (false, true) => Presence::OptionalNullable,
                        };
                        let embedded_json = self.embedded_json(prop, &pptr)?;
                        if embedded_json.is_some() && resolved.ty != TypeRef::String {
                            return Err(
                                self.err(&pptr, "x-embedded-json is only allowed on strings")
                            );
                        }
                        Ok(Field {
                            wire_name: wire.clone(),
                            rust_name: names::field_name(wire),
                            description: resolved.description,
                            ty: resolved.ty,
                            presence,
                            embedded_json,
                            boxed: false,
                        })
                    };
                    fields.extend(self.keep(field()));
                }
                for required in &object.required {
                    if !object.properties.contains_key(required) {
                        self.keep::<()>(Err(self.err(
                            &format!("{ptr}/required"),
                            format!("`{required}` is required but not a property"),
                        )));
                    }
                }
                names::check_unique(fields.iter().map(|f| (&f.wire_name, &f.rust_name)))
                    .map_err(|m| self.err(&format!("{ptr}/properties"), m))?;
                Ok(Some(TypeDef::Object(ObjectDef {
                    name: name.to_owned(),
                    description,
                    fields,
                })))
            }
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                let mut values = Vec::new();
                for value in s.enumeration.iter().flatten() {
                    values.push(EnumValue {
                        wire: value.clone(),
                        variant: names::variant_name(value),
                    });
                }
                names::check_unique(values.iter().map(|v| (&v.wire, &v.variant)))
                    .map_err(|m| self.err(&format!("{ptr}/enum"), m))?;
                if values.iter().any(|v| v.variant == "Other") {
                    return Err(self.err(
                        &format!("{ptr}/enum"),
                        "a value named `Other` would clash with the variant for undocumented values",
                    ));
                }
                Ok(Some(TypeDef::Enum(EnumDef {
                    name: name.to_owned(),
                    description,
                    values,
                })))
            }
            _ => {
                // Primitives, arrays and `anyOf` are aliases: references to them resolve inline.
                self.resolve_schema(schema, ptr)?;
                Ok(None)
            }
        }
    }

    fn embedded_json(
        &self,
        schema: &ReferenceOr<Box<Schema>>,
        ptr: &str,
    ) -> Result<Option<String>, Error> {
        let ReferenceOr::Item(schema) = schema else {
            return Ok(None);
        };
        let Some(value) = schema.schema_data.extensions.get("x-embedded-json") else {
            return Ok(None);
        };
        let eptr = format!("{ptr}/x-embedded-json");
        let reference = value.as_str().ok_or_else(|| {
            self.err(
                &eptr,
                "x-embedded-json must be a `#/components/schemas/...` string",
            )
        })?;
        let (name, target) = self.component(reference, &eptr)?;
        if !matches!(target.schema_kind, SchemaKind::Type(Type::Object(_))) {
            return Err(self.err(&eptr, format!("`{name}` is not an object schema")));
        }
        Ok(Some(name.to_owned()))
    }

    fn resolve_boxed(
        &self,
        schema: &ReferenceOr<Box<Schema>>,
        ptr: &str,
    ) -> Result<Resolved, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_reference(reference, ptr),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, ptr),
        }
    }

    fn resolve(&self, schema: &ReferenceOr<Schema>, ptr: &str) -> Result<Resolved, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.resolve_reference(reference, ptr),
            ReferenceOr::Item(schema) => self.resolve_schema(schema, ptr),
        }
    }

    fn resolve_reference(&self, reference: &str, ptr: &str) -> Result<Resolved, Error> {
        let (name, target) = self.component(reference, ptr)?;
        let nullable = target.schema_data.nullable;
        match &target.schema_kind {
            SchemaKind::Type(Type::Object(_)) => Ok(Resolved {
                ty: TypeRef::Named(name.to_owned()),
                nullable,
                description: None,
            }),
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => Ok(Resolved {
                ty: TypeRef::Named(name.to_owned()),
                nullable,
                description: None,
            }),
            _ => {
                let tptr = format!("/components/schemas/{}", pointer_escape(name));
                let mut resolved = self.resolve_schema(target, &tptr)?;
                resolved.description = None;
                Ok(resolved)
            }
        }
    }

    fn resolve_schema(&self, schema: &Schema, ptr: &str) -> Result<Resolved, Error> {
        let data = &schema.schema_data;
        let ty = match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                let inner = self.resolve(&all_of[0], &format!("{ptr}/allOf/0"))?;
                return Ok(Resolved {
                    ty: inner.ty,
                    nullable: data.nullable || inner.nullable,
                    description: data.description.clone().or(inner.description),
                });
            }
            SchemaKind::AnyOf { any_of } => {
                let (ty, members_nullable) = self.any_of(any_of, ptr)?;
                return Ok(Resolved {
                    ty,
                    nullable: data.nullable || members_nullable,
                    description: data.description.clone(),
                });
            }
            SchemaKind::Type(Type::String(s)) => {
                if !s.enumeration.is_empty() {
                    return Err(self.err(
                        ptr,
                        "an enum must be a named schema under components/schemas",
                    ));
                }
                match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::Timestamp,
                    VariantOrUnknownOrEmpty::Unknown(f) if f == "date-time-local" => {
                        TypeRef::Timestamp
                    }
                    _ => TypeRef::String,
                }
            }
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => {
                let items = array
                    .items
                    .as_ref()
                    .ok_or_else(|| self.err(ptr, "an array needs `items`"))?;
                let inner = self.resolve_boxed(items, &format!("{ptr}/items"))?;
                if inner.nullable {
                    return Err(self.err(
                        &format!("{ptr}/items"),
                        "nullable array items are not supported",
                    ));
                }
                TypeRef::Array(Box::new(inner.ty))
            }
            SchemaKind::Type(Type::Object(_)) => {
                return Err(self.err(
                    ptr,
                    "an inline object schema: name it under components/schemas and use $ref",
                ));
            }
            SchemaKind::Any(_) => TypeRef::Any,
            _ => {
                return Err(self.err(
                    ptr,
                    "unsupported schema shape (oneOf, not, or allOf with several parts)",
                ));
            }
        };
        Ok(Resolved {
            ty,
            nullable: data.nullable,
            description: data.description.clone(),
        })
    }

    /// `anyOf` of two members, in either order: `[{type: integer|number}, {type: string}]`, a
    /// number the document also sends as text ([`TypeRef::NumOrString`]), or `[{type: string},
    /// {$ref: <object>}]`, a value sent as an object or as text ([`TypeRef::ObjectOrString`]).
    /// The value may be `null` when a member may (`nullable` on the string, or on the object's
    /// schema).
    fn any_of(&self, any_of: &[ReferenceOr<Schema>], ptr: &str) -> Result<(TypeRef, bool), Error> {
        let mut number = None;
        let mut object = None;
        let mut string = false;
        let mut other = false;
        let mut nullable = false;
        for (i, part) in any_of.iter().enumerate() {
            let resolved = self.resolve(part, &format!("{ptr}/anyOf/{i}"))?;
            nullable |= resolved.nullable;
            match resolved.ty {
                TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 if number.is_none() => {
                    number = Some(resolved.ty);
                }
                TypeRef::Named(name)
                    if object.is_none() && matches!(self.type_kind(&name), Some(false)) =>
                {
                    object = Some(name);
                }
                TypeRef::String if !string => string = true,
                _ => other = true,
            }
        }
        if any_of.len() == 2 && string && !other {
            if let Some(n) = number {
                return Ok((TypeRef::NumOrString(Box::new(n)), nullable));
            }
            if let Some(name) = object {
                return Ok((
                    TypeRef::ObjectOrString(Box::new(TypeRef::Named(name))),
                    nullable,
                ));
            }
        }
        Err(self.err(
            ptr,
            "anyOf is only supported as [number or integer, string] or [string, $ref to an \
             object schema]",
        ))
    }

    /// `x-service-types`: the service catalog types of the API, the official type first, then
    /// its aliases (`[block-storage, volumev3, volume]`); empty when the spec has none.
    fn service_types(&self) -> Result<Vec<String>, Error> {
        let Some(value) = self.spec.extensions.get("x-service-types") else {
            return Ok(Vec::new());
        };
        let fail = || {
            self.err(
                "/x-service-types",
                "x-service-types must be a non-empty list of non-empty strings",
            )
        };
        let list = value
            .as_array()
            .filter(|list| !list.is_empty())
            .ok_or_else(fail)?;
        list.iter()
            .map(|item| {
                item.as_str()
                    .filter(|text| !text.trim().is_empty())
                    .map(str::to_owned)
                    .ok_or_else(fail)
            })
            .collect()
    }

    /// The header the token goes in: the first header `apiKey` scheme of the requirements that
    /// is not a request signature (`x-signing`, e.g. Huawei's AK/SK `Authorization`), which the
    /// client computes itself.
    fn auth_header(&self, op: &openapiv3::Operation) -> Option<String> {
        let requirements = op.security.as_ref().or(self.spec.security.as_ref())?;
        let schemes = &self.spec.components.as_ref()?.security_schemes;
        requirements
            .iter()
            .flat_map(|r| r.keys())
            .find_map(|name| match schemes.get(name)? {
                ReferenceOr::Item(SecurityScheme::APIKey {
                    location: APIKeyLocation::Header,
                    name,
                    extensions,
                    ..
                }) if !extensions.contains_key("x-signing") => Some(name.clone()),
                _ => None,
            })
    }

    fn parameter<'p>(
        &'p self,
        p: &'p ReferenceOr<Parameter>,
        ptr: &str,
    ) -> Result<&'p Parameter, Error> {
        match p {
            ReferenceOr::Item(p) => Ok(p),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .ok_or_else(|| {
                        self.err(
                            ptr,
                            format!("`{reference}`: only #/components/parameters/ references"),
                        )
                    })?;
                match self
                    .spec
                    .components
                    .as_ref()
                    .and_then(|c| c.parameters.get(name))
                {
                    Some(ReferenceOr::Item(p)) => Ok(p),
                    _ => Err(self.err(ptr, format!("`{reference}` points at no parameter"))),
                }
            }
        }
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        shared: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
        ptr: &str,
    ) -> Result<Operation, Error> {
        let id = op
            .operation_id
            .clone()
            .ok_or_else(|| self.err(ptr, "every operation needs an operationId"))?;
        let auth_header = self.auth_header(op);
        let anonymous = op
            .security
            .as_ref()
            .or(self.spec.security.as_ref())
            .is_some_and(|requirements| requirements.iter().any(|r| r.is_empty()));
        let auth_required = auth_header.is_some() && !anonymous;
        let mut params = Vec::new();
        let all = shared.iter().enumerate().map(|(i, p)| {
            (
                p,
                format!("{}/parameters/{i}", JsonPointer::path_item(path)),
            )
        });
        let own = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{ptr}/parameters/{i}")));
        // A broken parameter is recorded and left out; the others are still read.
        let mut broken_params = false;
        for (p, pptr) in all.chain(own) {
            let param = || -> Result<Option<Param>, Error> {
                let p = self.parameter(p, &pptr)?;
                let (location, data, form) = match p {
                    Parameter::Path { parameter_data, .. } => {
                        (ParamLocation::Path, parameter_data, false)
                    }
                    Parameter::Query {
                        parameter_data,
                        style,
                        ..
                    } => (
                        ParamLocation::Query,
                        parameter_data,
                        matches!(style, QueryStyle::Form),
                    ),
                    Parameter::Header { parameter_data, .. } => {
                        (ParamLocation::Header, parameter_data, false)
                    }
                    Parameter::Cookie { .. } => {
                        return Err(self.err(&pptr, "cookie parameters are not supported"));
                    }
                };
                if location == ParamLocation::Header
                    && auth_header
                        .as_deref()
                        .is_some_and(|h| h.eq_ignore_ascii_case(&data.name))
                {
                    return Ok(None); // The client sends the token.
                }
                let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                    return Err(self.err(&pptr, "a parameter needs a `schema`"));
                };
                let resolved = self.resolve(schema, &format!("{pptr}/schema"))?;
                let scalar = |ty: &TypeRef| {
                    !matches!(
                        ty,
                        TypeRef::Array(_)
                            | TypeRef::Any
                            | TypeRef::NumOrString(_)
                            | TypeRef::ObjectOrString(_)
                    ) && !matches!(ty, TypeRef::Named(n) if matches!(self.type_kind(n), Some(false)))
                };
                match &resolved.ty {
                    TypeRef::Array(item) => {
                        // A repeated query parameter: one `name=value` pair per value.
                        if location != ParamLocation::Query {
                            return Err(self.err(
                                &pptr,
                                "only query parameters may be arrays (repeated, `style: form`, \
                             `explode: true`)",
                            ));
                        }
                        if !form || data.explode == Some(false) {
                            return Err(self.err(
                                &pptr,
                                "an array query parameter must be `style: form` with `explode: \
                             true` (the defaults): one `name=value` pair per value",
                            ));
                        }
                        if !scalar(item) {
                            return Err(self.err(
                            &format!("{pptr}/schema/items"),
                            "the items of an array parameter must be primitives or string enums",
                        ));
                        }
                    }
                    ty if !scalar(ty) => {
                        return Err(
                            self.err(&pptr, "parameters must be primitives or string enums")
                        );
                    }
                    _ => {}
                }
                Ok(Some(Param {
                    wire_name: data.name.clone(),
                    rust_name: names::field_name(&data.name),
                    location,
                    description: data.description.clone(),
                    ty: resolved.ty,
                    required: data.required || location == ParamLocation::Path,
                    pointer: pptr.clone(),
                }))
            };
            match param() {
                Ok(Some(param)) => {
                    params.retain(|q: &Param| {
                        !(q.wire_name == param.wire_name && q.location == param.location)
                    });
                    params.push(param);
                }
                Ok(None) => {}
                Err(problem) => {
                    broken_params = true;
                    self.keep::<()>(Err(problem));
                }
            }
        }
        for segment in path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            // With a parameter left out, a missing one may be the broken one: not reported again.
            if !broken_params
                && !params
                    .iter()
                    .any(|p| p.location == ParamLocation::Path && p.wire_name == segment)
            {
                self.keep::<()>(Err(
                    self.err(ptr, format!("path parameter `{segment}` is not declared"))
                ));
            }
        }
        for p in &params {
            if p.location == ParamLocation::Path && !path.contains(&format!("{{{}}}", p.wire_name))
            {
                self.keep::<()>(Err(self.err(
                    &p.pointer,
                    format!(
                        "path parameter `{}` is not in the path `{path}`: add `{{{}}}` to the \
                         path or remove the parameter",
                        p.wire_name, p.wire_name
                    ),
                )));
            }
        }
        self.keep(
            names::check_unique(params.iter().map(|p| (&p.wire_name, &p.rust_name)))
                .map_err(|m| self.err(&format!("{ptr}/parameters"), m)),
        );

        let request_body = match &op.request_body {
            None => None,
            Some(ReferenceOr::Reference { .. }) => {
                return Err(self.err(
                    &format!("{ptr}/requestBody"),
                    "requestBody references are not supported",
                ));
            }
            Some(ReferenceOr::Item(body)) => {
                let bptr = format!("{ptr}/requestBody");
                let mut parsed = self.body(&body.content, body.description.clone(), &bptr)?;
                if let Some(presets) = body.extensions.get("x-presets") {
                    let parsed = parsed
                        .as_mut()
                        .ok_or_else(|| self.err(&bptr, "x-presets needs a JSON body to preset"))?;
                    parsed.presets = self.presets(presets, &format!("{bptr}/x-presets"))?;
                }
                parsed
            }
        };
        let mut responses = BTreeMap::new();
        // A broken response is recorded and left out; the others are still read.
        let mut broken_responses = false;
        for (code, response) in &op.responses.responses {
            let mut one = || -> Result<(), Error> {
                let StatusCode::Code(code) = code else {
                    return Err(self.err(
                        &format!("{ptr}/responses"),
                        "status ranges (4XX) are not supported",
                    ));
                };
                let rptr = format!("{ptr}/responses/{code}");
                let ReferenceOr::Item(response) = response else {
                    return Err(self.err(&rptr, "response references are not supported"));
                };
                let body = self.body(&response.content, None, &rptr)?;
                let headers = self.response_headers(response, &rptr)?;
                let optional_body = match response.extensions.get("x-optional-body") {
                    None | Some(serde_json::Value::Bool(false)) => false,
                    Some(serde_json::Value::Bool(true)) if body.is_some() => true,
                    Some(serde_json::Value::Bool(true)) => {
                        return Err(self.err(
                            &format!("{rptr}/x-optional-body"),
                            "x-optional-body needs a JSON body (`content`) to make optional",
                        ));
                    }
                    Some(_) => {
                        return Err(self.err(
                            &format!("{rptr}/x-optional-body"),
                            "x-optional-body must be `true` or `false`",
                        ));
                    }
                };
                if optional_body && !(200..300).contains(code) {
                    return Err(self.err(
                        &format!("{rptr}/x-optional-body"),
                        "x-optional-body is for success statuses (an error body stays raw anyway)",
                    ));
                }
                responses.insert(
                    *code,
                    Response {
                        description: response.description.clone(),
                        body,
                        optional_body,
                        headers,
                    },
                );
                Ok(())
            };
            if let Err(problem) = one() {
                broken_responses = true;
                self.keep::<()>(Err(problem));
            }
        }
        if !broken_responses && !responses.keys().any(|c| (200..300).contains(c)) {
            return Err(self.err(&format!("{ptr}/responses"), "no 2xx response is documented"));
        }
        let pagination = op
            .extensions
            .get("x-pagination")
            .map(|value| self.pagination(value, &params, &format!("{ptr}/x-pagination")))
            .transpose()?;
        Ok(Operation {
            rust_name: names::type_name(&id),
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            params,
            auth_header,
            auth_required,
            request_body,
            responses,
            pagination,
        })
    }

    /// `Some(true)` for an enum, `Some(false)` for an object, `None` for anything else.
    fn type_kind(&self, name: &str) -> Option<bool> {
        let schema = self.spec.components.as_ref()?.schemas.get(name)?;
        match schema {
            ReferenceOr::Item(s) => match &s.schema_kind {
                SchemaKind::Type(Type::Object(_)) => Some(false),
                SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => Some(true),
                _ => None,
            },
            ReferenceOr::Reference { .. } => None,
        }
    }

    fn body(
        &self,
        content: &openapiv3::Content,
        description: Option<String>,
        ptr: &str,
    ) -> Result<Option<Body>, Error> {
        let Some((media, media_type)) = content.iter().find(|(m, _)| is_json_media(m)) else {
            if let Some(other) = content.keys().next() {
                return Err(self.err(
                    &format!("{ptr}/content"),
                    format!(
                        "only JSON bodies (application/json or a `+json` type) are supported, \
                         not `{other}`"
                    ),
                ));
            }
            return Ok(None);
        };
        let mptr = format!("{ptr}/content/{}", pointer_escape(media));
        let schema = media_type
            .schema
            .as_ref()
            .ok_or_else(|| self.err(&mptr, "a JSON body needs a schema"))?;
        let resolved = self.resolve(schema, &format!("{mptr}/schema"))?;
        let examples = media_type
            .examples
            .values()
            .filter_map(|e| match e {
                ReferenceOr::Item(e) => e.external_value.clone(),
                ReferenceOr::Reference { .. } => None,
            })
            .collect();
        Ok(Some(Body {
            ty: resolved.ty,
            media_type: media.clone(),
            description,
            examples,
            presets: Vec::new(),
        }))
    }

    /// `x-presets: [{name, summary, value}]` on a request body.
    fn presets(&self, value: &serde_json::Value, ptr: &str) -> Result<Vec<Preset>, Error> {
        let items = value
            .as_array()
            .ok_or_else(|| self.err(ptr, "x-presets must be a list of {name, summary, value}"))?;
        let mut presets: Vec<Preset> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let iptr = format!("{ptr}/{i}");
            let object = item
                .as_object()
                .ok_or_else(|| self.err(&iptr, "a preset must be {name, summary, value}"))?;
            if let Some(key) = object
                .keys()
                .find(|k| !matches!(k.as_str(), "name" | "summary" | "value"))
            {
                return Err(self.err(&iptr, format!("unknown preset key `{key}`")));
            }
            let name = object
                .get("name")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| self.err(&iptr, "a preset needs a string `name`"))?;
            let is_snake = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !is_snake || syn::parse_str::<syn::Ident>(name).is_err() {
                return Err(self.err(
                    &format!("{iptr}/name"),
                    format!("preset name `{name}` must be a snake_case Rust identifier"),
                ));
            }
            if presets.iter().any(|p| p.name == name) {
                return Err(self.err(
                    &format!("{iptr}/name"),
                    format!("duplicate preset `{name}`"),
                ));
            }
            let summary = match object.get("summary") {
                None => None,
                Some(serde_json::Value::String(text)) => Some(text.clone()),
                Some(_) => return Err(self.err(&format!("{iptr}/summary"), "must be a string")),
            };
            let value = object
                .get("value")
                .ok_or_else(|| self.err(&iptr, "a preset needs a `value` (the body)"))?;
            presets.push(Preset {
                name: name.to_owned(),
                summary,
                value: value.clone(),
            });
        }
        Ok(presets)
    }

    /// The `headers:` of a response: strings and integers, each a typed accessor.
    fn response_headers(
        &self,
        response: &openapiv3::Response,
        ptr: &str,
    ) -> Result<Vec<ResponseHeader>, Error> {
        let mut out: Vec<ResponseHeader> = Vec::new();
        for (name, header) in &response.headers {
            let hptr = format!("{ptr}/headers/{}", pointer_escape(name));
            let ReferenceOr::Item(header) = header else {
                return Err(self.err(&hptr, "header references are not supported"));
            };
            let ParameterSchemaOrContent::Schema(schema) = &header.format else {
                return Err(self.err(&hptr, "a response header needs a `schema`"));
            };
            let resolved = self.resolve(schema, &format!("{hptr}/schema"))?;
            if !matches!(resolved.ty, TypeRef::String | TypeRef::I32 | TypeRef::I64) {
                return Err(self.err(
                    &format!("{hptr}/schema"),
                    "response headers must be strings or integers",
                ));
            }
            let rust_name = names::field_name(name);
            if matches!(
                rust_name.as_str(),
                "status" | "headers" | "header" | "has_body"
            ) {
                return Err(self.err(
                    &hptr,
                    format!("header `{name}` would clash with the outcome's `{rust_name}()`"),
                ));
            }
            if let Some(other) = out
                .iter()
                .find(|h| h.rust_name == rust_name || h.wire_name.eq_ignore_ascii_case(name))
            {
                return Err(self.err(
                    &hptr,
                    format!("header `{name}` clashes with header `{}`", other.wire_name),
                ));
            }
            out.push(ResponseHeader {
                wire_name: name.clone(),
                rust_name,
                description: header.description.clone(),
                ty: resolved.ty,
            });
        }
        Ok(out)
    }

    /// `x-pagination`: `{links, rel}` or `{offset, limit, count, items}`. Query parameters are
    /// checked here; response properties when the endpoint is generated.
    fn pagination(
        &self,
        value: &serde_json::Value,
        params: &[Param],
        ptr: &str,
    ) -> Result<Pagination, Error> {
        let object = value.as_object().ok_or_else(|| {
            self.err(
                ptr,
                "x-pagination must be {links, rel} or {offset, limit, count, items}",
            )
        })?;
        let text = |key: &str| -> Result<Option<String>, Error> {
            match object.get(key) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(self.err(&format!("{ptr}/{key}"), "must be a string")),
            }
        };
        let allowed: &[&str] = if object.contains_key("links") {
            &["links", "rel"]
        } else {
            &["offset", "limit", "count", "items"]
        };
        if let Some(key) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(self.err(
                ptr,
                format!(
                    "unexpected key `{key}`: use {{links, rel}} or {{offset, limit, count, items}}"
                ),
            ));
        }
        if let Some(links) = text("links")? {
            return Ok(Pagination::Links {
                links_field: links,
                rel: text("rel")?.unwrap_or_else(|| "next".to_owned()),
            });
        }
        let need = |key: &str| {
            text(key)?.ok_or_else(|| {
                self.err(
                    ptr,
                    format!("x-pagination needs `links`, or `offset`, `limit`, `count` and `items` (no `{key}`)"),
                )
            })
        };
        let (offset, limit) = (need("offset")?, need("limit")?);
        let (count, items) = (need("count")?, need("items")?);
        for (key, name) in [("offset", &offset), ("limit", &limit)] {
            let param = params
                .iter()
                .find(|p| p.location == ParamLocation::Query && &p.wire_name == name)
                .ok_or_else(|| {
                    self.err(
                        &format!("{ptr}/{key}"),
                        format!("`{name}` is not a query parameter of this operation"),
                    )
                })?;
            if !matches!(param.ty, TypeRef::I32 | TypeRef::I64) || param.required {
                return Err(self.err(
                    &format!("{ptr}/{key}"),
                    format!("`{name}` must be an optional integer query parameter"),
                ));
            }
        }
        Ok(Pagination::Offset {
            offset_param: offset,
            limit_param: limit,
            count_field: count,
            items_field: items,
        })
    }
}

/// `application/json`, or any `+json` type such as `application/json-patch+json`, with or
/// without parameters (`; charset=utf-8`).
fn is_json_media(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}
