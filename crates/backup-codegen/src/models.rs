//! IR -> tokens of a model crate: one lossless type per schema, serde impls written out (no
//! `#[serde(flatten)]` buffering), schemars derives, and a registry of the operations' bodies.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::docs::{doc_attrs, doc_lines};
use crate::ir::{Api, EnumDef, Field, ObjectDef, Presence, TypeDef, TypeRef};

/// The Rust type of a value, in a model crate (`Named` types are in scope).
pub fn value_type(ty: &TypeRef) -> TokenStream {
    value_type_in(ty, &TokenStream::new())
}

/// The Rust type of a value; `Named` types are prefixed with `prefix` (e.g. `models::`).
pub fn value_type_in(ty: &TypeRef, prefix: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Timestamp => quote!(::backup_runtime::Timestamp),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bool => quote!(bool),
        TypeRef::Any => quote!(::serde_json::Value),
        TypeRef::Named(name) => {
            let ident = Ident::new(name, Span::call_site());
            quote!(#prefix #ident)
        }
        TypeRef::Array(inner) => {
            let inner = value_type_in(inner, prefix);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::NumOrString(inner) => {
            let inner = value_type_in(inner, prefix);
            quote!(::backup_runtime::NumOrString<#inner>)
        }
        TypeRef::ObjectOrString(inner) => {
            let inner = value_type_in(inner, prefix);
            quote!(::backup_runtime::ObjectOrString<#inner>)
        }
    }
}

/// The Rust type of a field, given whether it may be missing and may be null.
fn field_type(field: &Field) -> TokenStream {
    let mut inner = value_type(&field.ty);
    if field.boxed {
        inner = quote!(::std::boxed::Box<#inner>);
    }
    match field.presence {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => quote!(::core::option::Option<#inner>),
        Presence::OptionalNullable => quote!(::backup_runtime::Nullable<#inner>),
    }
}

fn presence_doc(presence: Presence) -> &'static str {
    match presence {
        Presence::Required => "Always present, never null.",
        Presence::RequiredNullable => "Always present; `None` is JSON `null`.",
        Presence::Optional => "May be missing (`None`); never null.",
        Presence::OptionalNullable => {
            "May be missing or `null`; [`backup_runtime::Nullable`] keeps the two apart."
        }
    }
}

/// The whole `lib.rs` of a model crate, before formatting.
pub fn generate(api: &Api) -> TokenStream {
    let mut crate_doc = vec![
        format!(
            "Models of the {} API (`{}`), generated from `{}`.",
            api.title, api.key, api.spec_path
        ),
        String::new(),
        "Every type keeps what a server sends: unknown fields land in `extra`, undocumented enum \
         values in `Other`, timestamps keep their text, a missing field stays missing and a `null` \
         stays `null`, so serializing a parsed body gives back the same JSON."
            .to_owned(),
        String::new(),
        "Structs and enums are `#[non_exhaustive]`, so a field, value or operation the spec adds \
         comes in a minor version: build a struct with `new` (its required fields) and its \
         `with_*` methods (its optional fields), and `match` an enum with a `_` arm."
            .to_owned(),
    ];
    if let Some(example) = tutorial(api, None) {
        crate_doc.push(String::new());
        crate_doc.extend(example);
    }
    if let Some(description) = &api.description {
        crate_doc.push(String::new());
        crate_doc.push("# About the API".to_owned());
        crate_doc.push(String::new());
        crate_doc.extend(doc_lines(description));
    }
    let crate_doc = crate_doc.iter().map(|line| {
        let line = format!(" {line}");
        quote!(#![doc = #line])
    });
    let types = api.types.values().map(|def| match def {
        TypeDef::Object(object) => object_tokens(object),
        TypeDef::Enum(def) => enum_tokens(def),
    });
    let registry = registry_tokens(api);
    let aliases = api.aliases.values().map(alias_tokens);
    quote! {
        #(#crate_doc)*
        #![deny(missing_docs)]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![allow(clippy::doc_markdown, reason = "descriptions are the documents' own prose")]

        #(#types)*

        #(#aliases)*

        #registry
    }
}

/// A doctest that parses the first documented example and writes it back.
/// The crate's example: it parses the first documented response body and writes it back. The
/// body is read from the spec's folder at compile time, or written out when `inline` gives its
/// text (the README, which must run from the packaged crate alone).
pub(crate) fn tutorial(api: &Api, inline: Option<&crate::ReadExample<'_>>) -> Option<Vec<String>> {
    let (op, status, body) = api.operations.values().find_map(|op| {
        op.responses.iter().find_map(|(status, r)| {
            let body = r.body.as_ref()?;
            body.examples.first()?;
            matches!(body.ty, TypeRef::Named(_)).then_some((op, *status, body))
        })
    })?;
    let TypeRef::Named(ty) = &body.ty else {
        return None;
    };
    let crate_name = &api.models_crate;
    let example = &body.examples[0];
    let spec_dir = api.spec_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    Some(vec![
        "# Example".to_owned(),
        String::new(),
        format!(
            "Parse the documented `{status}` response of `{}` and write it back unchanged:",
            op.id
        ),
        String::new(),
        "```".to_owned(),
        format!("use {crate_name}::{ty};"),
        String::new(),
        match inline.and_then(|read| read(example)) {
            Some(text) => format!("let text = {};", crate::raw_string(&text)),
            None => format!(
                "let text = include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../{spec_dir}/{example}\"));"
            ),
        },
        format!("let body: {ty} = serde_json::from_str(text)?;"),
        "let written = serde_json::to_value(&body)?;".to_owned(),
        "assert_eq!(written, serde_json::from_str::<serde_json::Value>(text)?);".to_owned(),
        "# Ok::<(), serde_json::Error>(())".to_owned(),
        "```".to_owned(),
    ])
}

fn object_tokens(object: &ObjectDef) -> TokenStream {
    let name = Ident::new(&object.name, Span::call_site());
    let doc = doc_attrs(
        object.description.as_deref(),
        &[format!(
            "Build one with [`{0}::new`] (the required fields) and its `with_*` methods (the \
             optional ones); the fields are public to read and change. `#[non_exhaustive]`: a \
             field the spec adds comes in a minor version, so struct literals are refused.",
            object.name
        )],
    );
    let fields = object.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let ty = field_type(f);
        let mut notes = vec![presence_doc(f.presence).to_owned()];
        if f.wire_name != f.rust_name {
            notes.push(format!("JSON key: `{}`.", f.wire_name));
        }
        if let Some(target) = &f.embedded_json {
            notes.push(format!(
                "Carries a JSON document: see [`{}::{}_json`] for a typed view of [`{target}`].",
                object.name, f.rust_name
            ));
        }
        let doc = doc_attrs(f.description.as_deref(), &notes);
        // Attributes for schemars only, `serde(...)` ones included (the serde impls are written
        // out below), in one `cfg_attr` so none is there without the `schemars` feature: an
        // optional field is not required, is skipped when absent, and is never null unless
        // nullable.
        let mut schema_attrs = Vec::new();
        let wire = &f.wire_name;
        if f.wire_name != f.rust_name {
            schema_attrs.push(quote!(serde(rename = #wire)));
        }
        let inner = value_type_boxed(f).to_string();
        // A string carrying a JSON document says so in its schema, with the document's schema
        // (`x-embedded-json`), so `backupctl validate --drift` can look inside.
        let embedded = f.embedded_json.as_ref().map(|target| {
            let helper = match f.presence {
                Presence::Required | Presence::Optional => "embedded_json_schema",
                Presence::RequiredNullable | Presence::OptionalNullable => {
                    "nullable_embedded_json_schema"
                }
            };
            let path = format!("::backup_runtime::{helper}::<{target}>");
            quote!(schemars(schema_with = #path))
        });
        match f.presence {
            Presence::Required => {}
            Presence::RequiredNullable => schema_attrs.push(quote!(schemars(required))),
            Presence::Optional => {
                schema_attrs.push(quote!(serde(
                    default,
                    skip_serializing_if = "::core::option::Option::is_none"
                )));
                if embedded.is_none() {
                    schema_attrs.push(quote!(schemars(with = #inner)));
                }
            }
            Presence::OptionalNullable => schema_attrs.push(quote!(serde(
                default,
                skip_serializing_if = "::backup_runtime::Nullable::is_absent"
            ))),
        }
        schema_attrs.extend(embedded);
        let schema_attrs = (!schema_attrs.is_empty())
            .then(|| quote!(#[cfg_attr(feature = "schemars", #(#schema_attrs),*)]));
        quote! { #doc #schema_attrs pub #ident: #ty, }
    });
    let serialize = serialize_tokens(object);
    let deserialize = deserialize_tokens(object);
    let accessors = accessor_tokens(object);
    let constructors = constructor_tokens(object);
    // Without a required field, `new()` takes nothing: `Default` gives the same value.
    let default = (!object.fields.iter().any(|f| is_required(f.presence)))
        .then(|| quote!(::core::default::Default,));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default)]
        #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            /// Fields the spec does not name, kept as sent and written back.
            #[cfg_attr(feature = "schemars", serde(flatten))]
            pub extra: ::backup_runtime::Extra,
        }

        #constructors
        #accessors
        #serialize
        #deserialize
    }
}

/// Whether `new` takes the field: it is always present (maybe `null`).
fn is_required(presence: Presence) -> bool {
    matches!(presence, Presence::Required | Presence::RequiredNullable)
}

/// The parameter type taking one value of `field` in `new` or a `with_*` method, and the
/// expression turning the parameter `ident` into the field's value type (boxed when the field
/// closes a cycle). Strings, named types and timestamps take `impl Into<T>`, as the endpoints'
/// builders do.
fn value_param(field: &Field, ident: &Ident) -> (TokenStream, TokenStream) {
    let value = value_type(&field.ty);
    let (param, mut expr) = if crate::endpoints::takes_into(&field.ty) {
        (
            quote!(impl ::core::convert::Into<#value>),
            quote!(::core::convert::Into::into(#ident)),
        )
    } else {
        (value, quote!(#ident))
    };
    if field.boxed {
        expr = quote!(::std::boxed::Box::new(#expr));
    }
    (param, expr)
}

/// `new` (the required fields; every optional field absent, no extra field) and one chainable
/// `with_<field>` per optional field.
fn constructor_tokens(object: &ObjectDef) -> TokenStream {
    let name = Ident::new(&object.name, Span::call_site());
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for f in &object.fields {
        let ident = format_ident!("{}", f.rust_name);
        let wire = &f.wire_name;
        match f.presence {
            Presence::Required => {
                let (param, expr) = value_param(f, &ident);
                params.push(quote!(#ident: #param));
                // Field init shorthand when the argument is the value (clippy's
                // `redundant_field_names`).
                if !crate::endpoints::takes_into(&f.ty) && !f.boxed {
                    inits.push(quote!(#ident,));
                } else {
                    inits.push(quote!(#ident: #expr,));
                }
            }
            Presence::RequiredNullable => {
                let value = value_type_boxed(f);
                params.push(quote!(#ident: ::core::option::Option<#value>));
                inits.push(quote!(#ident,));
            }
            Presence::Optional | Presence::OptionalNullable => {
                // `_123` (a digit-led key) gives `with_123`, not `with__123`.
                let setter = format_ident!("with_{}", f.rust_name.trim_start_matches('_'));
                let value = format_ident!("value");
                let (param, expr) = value_param(f, &value);
                let (absent, set, doc) = if f.presence == Presence::Optional {
                    (
                        quote!(::core::option::Option::None),
                        quote!(::core::option::Option::Some(#expr)),
                        format!(" Sets `{wire}`."),
                    )
                } else {
                    (
                        quote!(::backup_runtime::Nullable::Absent),
                        quote!(::backup_runtime::Nullable::Value(#expr)),
                        format!(
                            " Sets `{wire}` to a value (assign [`backup_runtime::Nullable::Null`] \
                             to the field to send `null`)."
                        ),
                    )
                };
                inits.push(quote!(#ident: #absent,));
                setters.push(quote! {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #setter(mut self, #value: #param) -> Self {
                        self.#ident = #set;
                        self
                    }
                });
            }
        }
    }
    let doc = if params.is_empty() {
        format!(
            " A new `{}`: every field absent, no extra field (the same as `Default`).",
            object.name
        )
    } else {
        format!(
            " A new `{}` of its required fields: every optional field absent, no extra field.",
            object.name
        )
    };
    // Clippy's default limit; a schema with more required fields gets them all the same.
    let many = (params.len() > 7).then(|| {
        quote!(#[allow(clippy::too_many_arguments, reason = "one argument per required field of the spec")])
    });
    quote! {
        impl #name {
            #[doc = #doc]
            #[must_use]
            #many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* extra: ::core::default::Default::default() }
            }

            #(#setters)*
        }
    }
}

fn accessor_tokens(object: &ObjectDef) -> TokenStream {
    let methods: Vec<TokenStream> = object
        .fields
        .iter()
        .filter_map(|f| {
            let target = f.embedded_json.as_ref()?;
            let target_ident = Ident::new(target, Span::call_site());
            let field = format_ident!("{}", f.rust_name);
            let method = format_ident!("{}_json", f.rust_name);
            let doc = format!(
                " Parses the JSON document inside `{}` as [`{target}`], leniently: padding spaces \
                 are ignored, numbers sent as strings are kept, unknown keys land in `extra`.",
                f.wire_name
            );
            let (ret, body) = match f.presence {
                Presence::Required => (
                    quote!(::core::result::Result<#target_ident, ::backup_runtime::EmbeddedJsonError>),
                    quote!(::backup_runtime::embedded_json(&self.#field)),
                ),
                Presence::RequiredNullable | Presence::Optional => (
                    quote!(::core::option::Option<::core::result::Result<#target_ident, ::backup_runtime::EmbeddedJsonError>>),
                    quote!(self.#field.as_deref().map(::backup_runtime::embedded_json)),
                ),
                Presence::OptionalNullable => (
                    quote!(::core::option::Option<::core::result::Result<#target_ident, ::backup_runtime::EmbeddedJsonError>>),
                    quote!(self.#field.value().map(|text| ::backup_runtime::embedded_json(text))),
                ),
            };
            let none_doc = (f.presence != Presence::Required).then(
                || quote!(#[doc = ""] #[doc = " `None` when the field is missing or `null`."]),
            );
            Some(quote! {
                #[doc = #doc]
                #none_doc
                pub fn #method(&self) -> #ret { #body }
            })
        })
        .collect();
    if methods.is_empty() {
        return TokenStream::new();
    }
    let name = Ident::new(&object.name, Span::call_site());
    quote! { impl #name { #(#methods)* } }
}

fn serialize_tokens(object: &ObjectDef) -> TokenStream {
    let name = Ident::new(&object.name, Span::call_site());
    let entries = object.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let wire = &f.wire_name;
        match f.presence {
            Presence::Required | Presence::RequiredNullable => {
                quote!(map.serialize_entry(#wire, &self.#ident)?;)
            }
            Presence::Optional => {
                quote!(if let ::core::option::Option::Some(value) = &self.#ident { map.serialize_entry(#wire, value)?; })
            }
            Presence::OptionalNullable => {
                quote!(if !self.#ident.is_absent() { map.serialize_entry(#wire, &self.#ident)?; })
            }
        }
    });
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                #(#entries)*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

fn deserialize_tokens(object: &ObjectDef) -> TokenStream {
    let name = Ident::new(&object.name, Span::call_site());
    let expecting = format!("an object of type {}", object.name);
    let slots = object.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let ty = value_type_boxed(f);
        match f.presence {
            Presence::Required | Presence::Optional => quote!(#ident: ::core::option::Option<#ty>,),
            Presence::RequiredNullable => {
                quote!(#ident: ::core::option::Option<::core::option::Option<#ty>>,)
            }
            Presence::OptionalNullable => quote!(#ident: ::backup_runtime::Nullable<#ty>,),
        }
    });
    let lookup = if object.fields.is_empty() {
        quote!(let _ = key; ::core::option::Option::None)
    } else {
        let arms = object.fields.iter().enumerate().map(|(i, f)| {
            let wire = &f.wire_name;
            quote!(#wire => ::core::option::Option::Some(#i),)
        });
        quote!(match key { #(#arms)* _ => ::core::option::Option::None })
    };
    let read = if object.fields.is_empty() {
        quote!(let _ = (field, map); ::core::result::Result::Ok(()))
    } else {
        let arms = object.fields.iter().enumerate().map(|(i, f)| {
            let ident = format_ident!("{}", f.rust_name);
            let wire = &f.wire_name;
            let reader = match f.presence {
                Presence::OptionalNullable => quote!(read_nullable),
                _ => quote!(read_once),
            };
            quote!(#i => ::backup_runtime::object::#reader(&mut self.#ident, #wire, map),)
        });
        quote!(match field { #(#arms)* _ => ::core::result::Result::Ok(()) })
    };
    let build = object.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.rust_name);
        let wire = &f.wire_name;
        match f.presence {
            Presence::Required | Presence::RequiredNullable => {
                quote!(#ident: ::backup_runtime::object::required(self.#ident, #wire)?,)
            }
            Presence::Optional | Presence::OptionalNullable => quote!(#ident: self.#ident,),
        }
    });
    // The partial struct lives inside the function, under a name no schema can take (schema
    // names are ASCII letters and digits only).
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            #[inline]
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                #[derive(Default)]
                struct __Partial { #(#slots)* }
                impl ::backup_runtime::object::PartialObject for __Partial {
                    type Object = #name;
                    const EXPECTING: &'static str = #expecting;
                    #[inline]
                    fn field(key: &str) -> ::core::option::Option<usize> { #lookup }
                    #[inline]
                    fn read<'a, A: ::serde::de::MapAccess<'a>>(&mut self, field: usize, map: &mut A) -> ::core::result::Result<(), A::Error> {
                        #read
                    }
                    #[inline]
                    fn finish<E: ::serde::de::Error>(self, extra: ::backup_runtime::Extra) -> ::core::result::Result<#name, E> {
                        ::core::result::Result::Ok(#name { #(#build)* extra })
                    }
                }
                ::backup_runtime::object::deserialize_object::<D, __Partial>(deserializer)
            }
        }
    }
}

/// A `pub type` for the items of a deeply nested array (see [`crate::resolve::MAX_NESTED_ARRAYS`]).
fn alias_tokens(alias: &crate::ir::TypeAlias) -> TokenStream {
    let name = Ident::new(&alias.name, Span::call_site());
    let ty = value_type(&alias.ty);
    let doc = format!(" {}", alias.of);
    quote! {
        #[doc = #doc]
        pub type #name = #ty;
    }
}

/// The value type of a field, boxed when it closes a cycle (see [`crate::cycles`]).
fn value_type_boxed(field: &Field) -> TokenStream {
    let inner = value_type(&field.ty);
    if field.boxed {
        quote!(::std::boxed::Box<#inner>)
    } else {
        inner
    }
}

fn enum_tokens(def: &EnumDef) -> TokenStream {
    let name = Ident::new(&def.name, Span::call_site());
    let name_str = &def.name;
    let doc = doc_attrs(
        def.description.as_deref(),
        &[
            "Open: a value the spec does not list is kept in `Other` and written back as sent. \
             `#[non_exhaustive]`: a value the spec adds becomes a variant in a minor version, so \
             a `match` needs a `_` arm."
                .to_owned(),
        ],
    );
    let variants: Vec<Ident> = def
        .values
        .iter()
        .map(|v| Ident::new(&v.variant, Span::call_site()))
        .collect();
    let wires: Vec<&String> = def.values.iter().map(|v| &v.wire).collect();
    let variant_docs = wires.iter().map(|w| format!(" `{w}`"));
    let schema_description = def.description.clone().unwrap_or_default();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value the spec does not list, kept as sent.
            Other(::std::string::String),
        }

        impl #name {
            /// Every documented value, in the spec's order.
            pub const DOCUMENTED: &'static [&'static str] = &[#(#wires),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::Other(value) => value,
                }
            }

            /// Whether the value is one the spec documents.
            pub fn is_documented(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl ::core::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variants,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#wires => Self::#variants,)*
                    _ => Self::Other(value),
                }
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                ::backup_runtime::deserialize_open_enum(deserializer)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                #name_str.into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "description": #schema_description,
                    "anyOf": [
                        { "type": "string", "enum": [#(#wires),*] },
                        { "type": "string", "description": "A value the spec does not list." }
                    ]
                })
            }
        }
    }
}

fn registry_tokens(api: &Api) -> TokenStream {
    let api_key = &api.key;
    let mut arms = Vec::new();
    let mut schema_arms = Vec::new();
    let infos = api.operations.values().map(|op| {
        let id = &op.id;
        let method = &op.method;
        let path = &op.path;
        let summary = op.summary.clone().unwrap_or_default();
        let request = match &op.request_body {
            Some(body) => {
                let ty = type_label(&body.ty);
                let rust = value_type(&body.ty);
                arms.push(quote! {
                    (#id, ::backup_runtime::registry::BodyKind::Request) =>
                        ::core::option::Option::Some(::backup_runtime::registry::roundtrip::<#rust>(json)),
                });
                schema_arms.push(quote! {
                    (#id, ::backup_runtime::registry::BodyKind::Request) =>
                        ::core::option::Option::Some(::schemars::schema_for!(#rust)),
                });
                quote!(::core::option::Option::Some(#ty))
            }
            None => quote!(::core::option::Option::None),
        };
        let responses = op.responses.iter().map(|(status, response)| {
            let description = &response.description;
            let status_lit = Literal::u16_unsuffixed(*status);
            let body = match &response.body {
                Some(body) => {
                    let ty = type_label(&body.ty);
                    let rust = value_type(&body.ty);
                    arms.push(quote! {
                        (#id, ::backup_runtime::registry::BodyKind::Response(#status_lit)) =>
                            ::core::option::Option::Some(::backup_runtime::registry::roundtrip::<#rust>(json)),
                    });
                    schema_arms.push(quote! {
                        (#id, ::backup_runtime::registry::BodyKind::Response(#status_lit)) =>
                            ::core::option::Option::Some(::schemars::schema_for!(#rust)),
                    });
                    quote!(::core::option::Option::Some(#ty))
                }
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::backup_runtime::registry::ResponseInfo {
                    status: #status_lit,
                    description: #description,
                    body: #body,
                }
            }
        });
        let responses: Vec<TokenStream> = responses.collect();
        quote! {
            ::backup_runtime::registry::OperationInfo {
                api: #api_key,
                id: #id,
                method: #method,
                path: #path,
                summary: #summary,
                request: #request,
                responses: &[#(#responses),*],
            }
        }
    });
    let infos: Vec<TokenStream> = infos.collect();
    let schemas = api.types.values().map(|def| {
        let name = def.name();
        let ident = Ident::new(name, Span::call_site());
        quote!(schemas.insert(#name, ::schemars::schema_for!(#ident).to_value());)
    });
    let schemas: Vec<TokenStream> = schemas.collect();
    let schemas_body = if schemas.is_empty() {
        quote!(::std::collections::BTreeMap::new())
    } else {
        quote! {
            let mut schemas = ::std::collections::BTreeMap::new();
            #(#schemas)*
            schemas
        }
    };
    let roundtrip_body = if arms.is_empty() {
        quote!(let _ = (operation_id, kind, json); ::core::option::Option::None)
    } else {
        quote! {
            match (operation_id, kind) {
                #(#arms)*
                _ => ::core::option::Option::None,
            }
        }
    };
    let schema_body = if schema_arms.is_empty() {
        quote!(let _ = (operation_id, kind); ::core::option::Option::None)
    } else {
        quote! {
            match (operation_id, kind) {
                #(#schema_arms)*
                _ => ::core::option::Option::None,
            }
        }
    };
    quote! {
        /// Every operation of this API, with its documented statuses and body types.
        pub const OPERATIONS: &[::backup_runtime::registry::OperationInfo] = &[#(#infos),*];

        /// Parses `json` as the `kind` body of `operation_id` and writes it back.
        ///
        /// `None` when the operation has no such documented body.
        pub fn roundtrip(
            operation_id: &str,
            kind: ::backup_runtime::registry::BodyKind,
            json: &str,
        ) -> ::core::option::Option<::core::result::Result<::backup_runtime::registry::Roundtrip, ::backup_runtime::registry::RoundtripError>> {
            #roundtrip_body
        }

        /// The JSON Schema (2020-12) of the `kind` body of `operation_id`, generated by schemars
        /// from its model type; strings carrying a JSON document have `x-embedded-json`.
        ///
        /// `None` when the operation has no such documented body.
        #[cfg(feature = "schemars")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
        pub fn body_schema(
            operation_id: &str,
            kind: ::backup_runtime::registry::BodyKind,
        ) -> ::core::option::Option<::schemars::Schema> {
            #schema_body
        }

        /// The JSON Schema (2020-12) of every model type, by type name, generated by schemars.
        #[cfg(feature = "schemars")]
        #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
        pub fn json_schemas() -> ::std::collections::BTreeMap<&'static str, ::serde_json::Value> {
            #schemas_body
        }
    }
}

/// A short text naming a body type, e.g. `Backup` or `Vec<Backup>`.
fn type_label(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::Timestamp => "backup_runtime::Timestamp".to_owned(),
        TypeRef::Any => "serde_json::Value".to_owned(),
        TypeRef::Named(name) => name.clone(),
        TypeRef::Array(inner) => format!("Vec<{}>", type_label(inner)),
        TypeRef::NumOrString(inner) => {
            format!("backup_runtime::NumOrString<{}>", type_label(inner))
        }
        TypeRef::ObjectOrString(inner) => {
            format!("backup_runtime::ObjectOrString<{}>", type_label(inner))
        }
        other => value_type(other).to_string(),
    }
}

/// `tests/documented.rs` of a model crate: one test per documented example body, each an insta
/// snapshot of the typed value plus the assertion that writing it back gives the same JSON.
pub fn documented_tests(api: &Api) -> TokenStream {
    let crate_ident = format_ident!("{}_models", api.key.replace('-', "_"));
    let spec_dir = api.spec_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut tests = Vec::new();
    for op in api.operations.values() {
        let mut bodies: Vec<(String, TokenStream, &crate::ir::Body)> = Vec::new();
        if let Some(body) = &op.request_body {
            bodies.push(("request".to_owned(), quote!(BodyKind::Request), body));
        }
        for (status, response) in &op.responses {
            if let Some(body) = &response.body {
                let lit = Literal::u16_unsuffixed(*status);
                bodies.push((status.to_string(), quote!(BodyKind::Response(#lit)), body));
            }
        }
        for (label, kind, body) in bodies {
            for (i, example) in body.examples.iter().enumerate() {
                let suffix = if i == 0 {
                    String::new()
                } else {
                    format!("_{i}")
                };
                let test = format_ident!(
                    "{}_{}{}",
                    heck::ToSnakeCase::to_snake_case(op.id.as_str()),
                    label,
                    suffix
                );
                let path = format!("/../../{spec_dir}/{example}");
                let id = &op.id;
                tests.push(quote! {
                    #[test]
                    fn #test() {
                        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path));
                        let parsed = #crate_ident::roundtrip(#id, #kind, text)
                            .expect("the spec documents this body")
                            .unwrap_or_else(|e| panic!("{e}"));
                        assert_eq!(parsed.differences(), Vec::<String>::new(), "written back differently");
                        assert_eq!(parsed.output, parsed.input);
                        insta::assert_snapshot!(parsed.debug);
                    }
                });
            }
        }
    }
    let doc = format!(
        " Every documented example body of `{}` parses into its model and is written back as the \
         same JSON value. The snapshots hold the typed values.",
        api.key
    );
    quote! {
        #![doc = #doc]

        use backup_runtime::registry::BodyKind;

        #(#tests)*
    }
}
