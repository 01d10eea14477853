//! The intermediate representation: what the generator knows about one API, independent of both
//! OpenAPI's shape and Rust's syntax.
//!
//! Everything is keyed by stable names in `BTreeMap`s or kept in spec order in `Vec`s, so emitting
//! it is deterministic.

use std::collections::BTreeMap;

/// One API: a spec file, and the crates generated from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// The API key, the spec's file stem (`cbr-v3`).
    pub key: String,
    /// Path of the spec relative to the workspace root, for `@generated` headers.
    pub spec_path: String,
    /// `x-service-types`: the service catalog types, the official type first.
    pub service_types: Vec<String>,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The Rust path of the model crate in doctests (`cbr_v3_models`).
    pub models_crate: String,
    /// The Rust path of the endpoint crate in doctests (`cbr_v3_endpoints`).
    pub endpoints_crate: String,
    /// Every component schema that becomes a Rust type, by schema name.
    pub types: BTreeMap<String, TypeDef>,
    /// Every operation, by operationId.
    pub operations: BTreeMap<String, Operation>,
    /// The `pub type` aliases of the items of deeply nested arrays, by name (see
    /// [`crate::resolve::MAX_NESTED_ARRAYS`]); set by [`crate::resolve::resolve`].
    pub aliases: BTreeMap<String, TypeAlias>,
}

/// A `pub type` of the model crate: the items of an array nested deeper than
/// [`crate::resolve::MAX_NESTED_ARRAYS`], which fields, bodies and other aliases name instead of
/// spelling the whole nesting out.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeAlias {
    /// The Rust name, e.g. `HolderGridItem`.
    pub name: String,
    /// What it stands for (an array, itself through the next alias when still too deep).
    pub ty: TypeRef,
    /// Its doc comment, e.g. ``The items of the array that is the property `grid` of
    /// [`Holder`].``
    pub of: String,
    /// JSON pointer of the array whose items it is.
    pub pointer: String,
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// A JSON object with known properties; unknown ones are kept.
    Object(ObjectDef),
    /// A string with documented values; other values are kept.
    Enum(EnumDef),
}

impl TypeDef {
    /// The schema name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Object(o) => &o.name,
            TypeDef::Enum(e) => &e.name,
        }
    }
}

/// A JSON object schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDef {
    /// Schema (and Rust type) name.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// Properties in spec order.
    pub fields: Vec<Field>,
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON key, byte for byte.
    pub wire_name: String,
    /// The Rust field name (snake_case, never a keyword).
    pub rust_name: String,
    /// The property's description.
    pub description: Option<String>,
    /// The value's type.
    pub ty: TypeRef,
    /// Whether the key may be missing and whether the value may be `null`.
    pub presence: Presence,
    /// For a string carrying a JSON document: the schema name of that document.
    pub embedded_json: Option<String>,
    /// Whether the value is boxed: set by [`crate::cycles`] on one field of every cycle of
    /// by-value fields, so the struct has a finite size.
    pub boxed: bool,
}

/// Whether a property may be missing (`required`) and may be `null` (`nullable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Always there, never null: `T`.
    Required,
    /// Always there, may be null: `Option<T>`, `None` written as `null`.
    RequiredNullable,
    /// May be missing, never null: `Option<T>`, `None` written as nothing.
    Optional,
    /// May be missing and may be null: `Nullable<T>` keeps the two apart.
    OptionalNullable,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// A JSON string.
    String,
    /// A timestamp kept as its original text.
    Timestamp,
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A 32-bit float.
    F32,
    /// A 64-bit float.
    F64,
    /// A boolean.
    Bool,
    /// Any JSON value.
    Any,
    /// A named type from [`Api::types`].
    Named(String),
    /// A JSON array.
    Array(Box<TypeRef>),
    /// A number the document also shows as a string; kept as sent.
    NumOrString(Box<TypeRef>),
    /// An object (a [`TypeRef::Named`] object type) that a service also sends as a string;
    /// kept as sent.
    ObjectOrString(Box<TypeRef>),
}

/// A documented enumeration of strings.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Schema (and Rust type) name.
    pub name: String,
    /// The schema's description.
    pub description: Option<String>,
    /// Documented values in spec order.
    pub values: Vec<EnumValue>,
}

/// One documented enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// The value on the wire.
    pub wire: String,
    /// The Rust variant name.
    pub variant: String,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// operationId, e.g. `showBackup`.
    pub id: String,
    /// Rust type name of the endpoint, e.g. `ShowBackup`.
    pub rust_name: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/v3/{project_id}/backups/{backup_id}`.
    pub path: String,
    /// Summary.
    pub summary: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Parameters in spec order (path, query and header; the auth header is not among them).
    pub params: Vec<Param>,
    /// The header the auth token goes in, when a security scheme says so.
    pub auth_header: Option<String>,
    /// Whether the token is required (the spec's `security` does not also allow `{}`).
    pub auth_required: bool,
    /// The request body (any JSON media type).
    pub request_body: Option<Body>,
    /// Documented responses by status code.
    pub responses: BTreeMap<u16, Response>,
    /// How to find the next page, if the operation pages.
    pub pagination: Option<Pagination>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// A query pair.
    Query,
    /// A request header.
    Header,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Description.
    pub description: Option<String>,
    /// Value type. A [`TypeRef::Array`] is a repeated query parameter (`style: form`,
    /// `explode: true`): one `name=value` pair per value.
    pub ty: TypeRef,
    /// Whether the operation cannot be sent without it (for a repeated parameter: without one
    /// value at least).
    pub required: bool,
    /// JSON pointer of its declaration (in the operation or its path item).
    pub pointer: String,
}

impl Param {
    /// The type of one value of a repeated (array) query parameter; `None` for a parameter with
    /// one value.
    pub fn repeated_item(&self) -> Option<&TypeRef> {
        match &self.ty {
            TypeRef::Array(item) => Some(item),
            _ => None,
        }
    }
}

/// A JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The body's type.
    pub ty: TypeRef,
    /// Its media type as the spec writes it, e.g. `application/json` or
    /// `application/json-patch+json` (always a JSON one).
    pub media_type: String,
    /// Description.
    pub description: Option<String>,
    /// Documented example files (paths relative to the spec's folder).
    pub examples: Vec<String>,
    /// Ready-made bodies (`x-presets` on a request body), each a builder method.
    pub presets: Vec<Preset>,
}

/// A ready-made request body: `x-presets: [{name, summary, value}]` on a `requestBody`.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// The builder method's name (snake_case), e.g. `stop`.
    pub name: String,
    /// What it does, for the method's doc.
    pub summary: Option<String>,
    /// The body, as JSON.
    pub value: serde_json::Value,
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The document's wording for this status.
    pub description: String,
    /// The JSON body, when the document has one.
    pub body: Option<Body>,
    /// Whether the service may leave the body out (`x-optional-body: true`): the outcome then
    /// holds `None`.
    pub optional_body: bool,
    /// Headers the document declares for this status (`headers:`), in spec order.
    pub headers: Vec<ResponseHeader>,
}

/// A response header the spec declares, exposed as a typed accessor on the outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    /// The header name as the spec writes it, e.g. `Location`.
    pub wire_name: String,
    /// The accessor's name, e.g. `location`.
    pub rust_name: String,
    /// Description.
    pub description: Option<String>,
    /// The value's type: a string or an integer.
    pub ty: TypeRef,
}

/// How an operation pages (`x-pagination`).
#[derive(Debug, Clone, PartialEq)]
pub enum Pagination {
    /// The response has a list of links, one with `rel` = `rel` leads to the next page; its
    /// query is applied to the same operation.
    Links {
        /// The response property holding the links.
        links_field: String,
        /// The `rel` of the next page's link.
        rel: String,
    },
    /// The next page starts at `offset` + the number of items returned, until a page is
    /// empty or the total `count` is reached.
    Offset {
        /// The query parameter of the first item's index.
        offset_param: String,
        /// The query parameter of the page size.
        limit_param: String,
        /// The response property with the total number of items.
        count_field: String,
        /// The response property with the page's items.
        items_field: String,
    },
}
