//! IR -> tokens of an endpoint crate: one sans-IO type per operation with a builder, its typed
//! outcome per documented status, pagination, and a no-network test of each.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::Error;
use crate::docs::{doc_attrs, doc_lines};
use crate::ir::{
    Api, Body, Field, Operation, Pagination, Param, ParamLocation, Presence, ResponseHeader,
    TypeDef, TypeRef,
};
use crate::models::value_type_in;

fn models_prefix() -> TokenStream {
    quote!(models::)
}

fn param_type(p: &Param) -> TokenStream {
    value_type_in(&p.ty, &models_prefix())
}

/// The type of one value of `p`: its item type when it is repeated, else its type.
fn item_type(p: &Param) -> &TypeRef {
    p.repeated_item().unwrap_or(&p.ty)
}

/// Whether a setter of a value of type `ty` takes `impl Into<T>` (strings, enums, timestamps).
pub(crate) fn takes_into(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::String | TypeRef::Named(_) | TypeRef::Timestamp)
}

/// The name of the builder method that adds several values to repeated parameter `p`.
pub(crate) fn extend_method(p: &Param) -> String {
    format!("extend_{}", p.rust_name)
}

/// The Rust variant of a documented success status.
pub(crate) fn status_variant(status: u16) -> Ident {
    let name = match status {
        200 => "Ok".to_owned(),
        201 => "Created".to_owned(),
        202 => "Accepted".to_owned(),
        203 => "NonAuthoritativeInformation".to_owned(),
        204 => "NoContent".to_owned(),
        other => format!("Status{other}"),
    };
    Ident::new(&name, Span::call_site())
}

/// `GET` -> `Get`, the `backup_runtime::Method` variant.
fn method_variant(method: &str) -> Ident {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    let name = chars
        .next()
        .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default();
    Ident::new(&name, Span::call_site())
}

/// The documented error statuses of the whole API, each (status, description) pair once, with
/// the name of its constant in the crate's private `documented` module: `S404`, then `S404_2`,
/// `S404_3` for other descriptions of the same status (operations in name order).
fn documented_statuses(api: &Api) -> BTreeMap<(u16, &str), Ident> {
    let mut out = BTreeMap::new();
    let mut per_status: BTreeMap<u16, usize> = BTreeMap::new();
    for op in api.operations.values() {
        for (status, response) in &op.responses {
            if (200..300).contains(status) {
                continue;
            }
            let key = (*status, response.description.as_str());
            if out.contains_key(&key) {
                continue;
            }
            let n = per_status.entry(*status).or_default();
            *n += 1;
            let name = if *n == 1 {
                format_ident!("S{status}")
            } else {
                format_ident!("S{status}_{n}")
            };
            out.insert(key, name);
        }
    }
    out
}

/// The distinct lists of documented error statuses of the operations (each list a `Vec` of
/// constant names of [`documented_statuses`]), with the name of its constant in the
/// `documented` module: `ERRORS_1`, `ERRORS_2`, ... in order of first use (operations in name
/// order). Operations that document the same statuses share one list.
fn documented_lists(
    documented: &BTreeMap<(u16, &str), Ident>,
    api: &Api,
) -> Vec<(Vec<Ident>, Ident)> {
    let mut lists: Vec<(Vec<Ident>, Ident)> = Vec::new();
    for op in api.operations.values() {
        let list = documented_of(documented, op);
        if list.is_empty() || lists.iter().any(|(l, _)| *l == list) {
            continue;
        }
        let name = format_ident!("ERRORS_{}", lists.len() + 1);
        lists.push((list, name));
    }
    lists
}

/// `S400, S401, ...`: the constants of the documented error statuses of `op`.
fn documented_of(documented: &BTreeMap<(u16, &str), Ident>, op: &Operation) -> Vec<Ident> {
    op.responses
        .iter()
        .filter(|(status, _)| !(200..300).contains(*status))
        .filter_map(|(status, response)| documented.get(&(*status, response.description.as_str())))
        .cloned()
        .collect()
}

fn path_pointer(op: &Operation) -> String {
    format!(
        "/paths/{}/{}",
        op.path.replace('~', "~0").replace('/', "~1"),
        op.method.to_ascii_lowercase()
    )
}

/// The whole `lib.rs` of an endpoint crate, before formatting.
pub fn generate(api: &Api, models_path: &syn::Path) -> Result<TokenStream, Error> {
    let this_crate = api.endpoints_crate.clone();
    let mut crate_doc = vec![
        format!("Sans-IO endpoints of the {} API (`{}`), generated from `{}`.", api.title, api.key, api.spec_path),
        String::new(),
        "Each operation is a type built with a builder; it says its method, path, query, headers \
         and body, and turns a raw response into a typed outcome per documented status. It does no \
         I/O: send it with a client of `backup-runtime` (features `blocking` or `async`) or your own."
            .to_owned(),
        String::new(),
        "| operation | method | path | type |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    for op in api.operations.values() {
        crate_doc.push(format!(
            "| `{}` | {} | `{}` | [`{}`] |",
            op.id, op.method, op.path, op.rust_name
        ));
    }
    if let Some(op) = tutorial_operation(api) {
        crate_doc.push(String::new());
        crate_doc.extend(tutorial(api, &this_crate, op, None));
    }
    let crate_doc = crate_doc.iter().map(|line| {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #line])
    });
    let mut ops = Vec::new();
    let mut tests = Vec::new();
    let mut dispatch_arms = Vec::new();
    for op in api.operations.values() {
        ops.push(operation_tokens(api, op)?);
        tests.push(test_tokens(api, op));
        let id = &op.id;
        let name = Ident::new(&op.rust_name, Span::call_site());
        let run = if op.pagination.is_some() {
            quote!(run_paged)
        } else {
            quote!(run)
        };
        dispatch_arms.push(
            quote!(#id => #name::from_params(params, body).map(|endpoint| runner.#run(endpoint)),),
        );
    }
    let dispatch_body = if dispatch_arms.is_empty() {
        quote!(let _ = (runner, operation_id, params, body); None)
    } else {
        quote! {
            Some(match operation_id {
                #(#dispatch_arms)*
                _ => return None,
            })
        }
    };
    // Every documented error status with its description, once for the whole API.
    let documented = documented_statuses(api);
    let documented_module = (!documented.is_empty()).then(|| {
        let consts = documented.iter().map(|((status, description), name)| {
            let status = Literal::u16_unsuffixed(*status);
            quote!(pub(super) const #name: (u16, &str) = (#status, #description);)
        });
        let lists = documented_lists(&documented, api)
            .into_iter()
            .map(|(list, name)| quote!(pub(super) const #name: &[(u16, &str)] = &[#(#list),*];));
        quote! {
            /// The error statuses the API document describes, each with its description (what
            /// `parse_response` puts in [`ApiError::Status`]), once for all operations, and the
            /// lists of them that operations document.
            mod documented {
                #(#consts)*
                #(#lists)*
            }
        }
    });
    // An API without operations has no tests (and no use for their imports).
    let tests_module = (!tests.is_empty()).then(|| {
        quote! {
            #[cfg(test)]
            mod tests {
                use super::*;
                use backup_runtime::{Method, RawResponse};

                /// Each of the operation's `documented` error statuses gives `ApiError::Status`
                /// with its description and the raw body; an undocumented status, none.
                fn check_error_statuses<E: Endpoint>(endpoint: &E, documented: &[(u16, &str)])
                where
                    E::Output: std::fmt::Debug,
                {
                    for &(documented_status, documented_description) in documented {
                        let response = RawResponse { status: documented_status, headers: Vec::new(), body: b"<html>oops</html>".to_vec() };
                        match endpoint.parse_response(response) {
                            Err(ApiError::Status { status, description, body, .. }) => {
                                assert_eq!(status, documented_status);
                                assert_eq!(description, Some(documented_description));
                                assert_eq!(body, b"<html>oops</html>");
                            }
                            other => panic!("expected a documented error status, got {other:?}"),
                        }
                    }
                    let response = RawResponse { status: 599, headers: vec![("x-a".to_owned(), "b".to_owned())], body: b"?".to_vec() };
                    assert!(matches!(
                        endpoint.parse_response(response),
                        Err(ApiError::Status { status: 599, description: None, .. })
                    ));
                }

                #(#tests)*
            }
        }
    });
    let types = &api.service_types;
    let service_types = quote! {
        /// The service catalog types of this API (`x-service-types`), the official type first,
        /// then its aliases: what `Client::discover` of `backup-runtime` looks for in a token's
        /// catalog. Empty when the spec names none.
        pub const SERVICE_TYPES: &[&str] = &[#(#types),*];
    };
    Ok(quote! {
        #(#crate_doc)*
        #![deny(missing_docs)]
        #![allow(clippy::doc_markdown, reason = "descriptions are the documents' own prose")]

        pub use #models_path as models;
        pub use backup_runtime::{ApiError, BuildError, Endpoint, Paginated};

        #service_types

        #documented_module

        #(#ops)*

        /// Builds the operation named `operation_id` from `name=value` strings (wire names) and an
        /// optional JSON body text, and hands it to `runner`: paged operations to
        /// [`Runner::run_paged`](backup_runtime::dynamic::Runner::run_paged), the others to
        /// [`Runner::run`](backup_runtime::dynamic::Runner::run). `None` for an unknown operationId.
        pub fn dispatch<R: backup_runtime::dynamic::Runner>(
            runner: &mut R,
            operation_id: &str,
            params: &[(String, String)],
            body: Option<&str>,
        ) -> Option<Result<R::Out, backup_runtime::dynamic::ParamError>> {
            #dispatch_body
        }

        #tests_module
    })
}

/// The first operation the crate's example can build: one without a request body, or with a
/// documented example or preset.
pub(crate) fn tutorial_operation(api: &Api) -> Option<&Operation> {
    api.operations.values().find(|op| {
        op.request_body
            .as_ref()
            .is_none_or(|b| !b.examples.is_empty() || !b.presets.is_empty())
    })
}

/// The crate's example: it builds `op` and checks its method and path. A request body is read
/// from the spec's folder at compile time, or written out when `inline` gives its text (the
/// README, which must run from the packaged crate alone).
pub(crate) fn tutorial(
    api: &Api,
    this_crate: &str,
    op: &Operation,
    inline: Option<&crate::ReadExample<'_>>,
) -> Vec<String> {
    let mut lines = vec![
        "# Example".to_owned(),
        String::new(),
        "```".to_owned(),
        format!("use {this_crate}::{{{}, Endpoint}};", op.rust_name),
        String::new(),
        format!("let endpoint = {}::builder()", op.rust_name),
    ];
    for p in op.params.iter().filter(|p| p.required) {
        lines.push(format!("    .{}({})", p.rust_name, sample_value(api, p).0));
    }
    let request = op.request_body.as_ref().and_then(|b| b.examples.first());
    if let Some(text) = request.and_then(|file| inline.and_then(|read| read(file))) {
        lines.push(format!(
            "    .body(serde_json::from_str({})?)",
            crate::raw_string(&text)
        ));
    } else if let Some(file) = request {
        lines.push("    .body(serde_json::from_str(include_str!(concat!(".to_owned());
        let spec_dir = api.spec_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        lines.push(format!(
            "        env!(\"CARGO_MANIFEST_DIR\"), \"/../../{spec_dir}/{file}\""
        ));
        lines.push("    )))?)".to_owned());
    } else if let Some(preset) = op.request_body.as_ref().and_then(|b| b.presets.first()) {
        lines.push(format!("    .{}()", preset.name));
    }
    lines.push("    .build()?;".to_owned());
    lines.push(format!(
        "assert_eq!(endpoint.method().as_str(), \"{}\");",
        op.method
    ));
    lines.push(format!(
        "assert_eq!(endpoint.path(), \"{}\");",
        expected_path(api, op)
    ));
    lines.push("# Ok::<(), Box<dyn std::error::Error>>(())".to_owned());
    lines.push("```".to_owned());
    lines
}

/// Sample value number `n` (0 or 1) of type `ty` for `p`, as Rust source, and its text on the
/// wire. Path parameters get a value that would escape its segment if it were not encoded.
fn sample_literal(p: &Param, ty: &TypeRef, n: usize) -> (String, String) {
    let same = |text: &str| (text.to_owned(), text.to_owned());
    match (ty, n) {
        (TypeRef::I32 | TypeRef::I64, 0) => same("10"),
        (TypeRef::I32 | TypeRef::I64, _) => same("11"),
        (TypeRef::F32 | TypeRef::F64, 0) => same("1.5"),
        (TypeRef::F32 | TypeRef::F64, _) => same("2.5"),
        (TypeRef::Bool, 0) => same("true"),
        (TypeRef::Bool, _) => same("false"),
        (TypeRef::Timestamp, _) => {
            let text = if n == 0 {
                "2024-05-01T10:00:00Z"
            } else {
                "2024-05-02T10:00:00Z"
            };
            (
                format!("::backup_runtime::Timestamp::new({text:?})"),
                text.to_owned(),
            )
        }
        _ => {
            let text = if p.location == ParamLocation::Path {
                format!("../{}?x#y", p.wire_name)
            } else if n == 0 {
                format!("{}-value", p.wire_name)
            } else {
                format!("{}-value-{}", p.wire_name, n + 1)
            };
            (format!("{text:?}"), text)
        }
    }
}

/// Sample value number `n` of `p`: an enum's `n`th documented value (its first when it has
/// fewer), else [`sample_literal`].
fn sample_nth(api: &Api, p: &Param, n: usize) -> (String, String) {
    let ty = item_type(p);
    if let TypeRef::Named(name) = ty
        && let Some(TypeDef::Enum(def)) = api.types.get(name)
        && let Some(value) = def.values.get(n).or_else(|| def.values.first())
    {
        return (format!("{:?}", value.wire), value.wire.clone());
    }
    sample_literal(p, ty, n)
}

/// A sample value for `p`: an enum's first documented value, else [`sample_literal`].
fn sample_value(api: &Api, p: &Param) -> (String, String) {
    sample_nth(api, p, 0)
}

/// The sample values of `p`: one, or two for a repeated parameter (so that the tests see two
/// `name=value` pairs).
fn sample_values(api: &Api, p: &Param) -> Vec<(String, String)> {
    if p.repeated_item().is_some() {
        vec![sample_nth(api, p, 0), sample_nth(api, p, 1)]
    } else {
        vec![sample_value(api, p)]
    }
}

/// Builder calls that set every parameter (or only the required ones) to its sample values: a
/// repeated parameter gets its first value from its setter and its second from `extend_...`.
fn sample_setters(api: &Api, op: &Operation, required_only: bool) -> Vec<TokenStream> {
    op.params
        .iter()
        .filter(|p| p.required || !required_only)
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let values: Vec<TokenStream> = sample_values(api, p)
                .into_iter()
                .map(|(source, _)| source.parse().unwrap_or_default())
                .collect();
            match values.as_slice() {
                [first, second] => {
                    let extend = format_ident!("{}", extend_method(p));
                    quote!(.#ident(#first).#extend([#second]))
                }
                _ => quote!(#(.#ident(#values))*),
            }
        })
        .collect()
}

/// Percent-encodes a path segment as `backup_runtime::encode_path_segment` does: everything but
/// unreserved characters, and a segment of only `.` or `..` in full.
fn encode_segment(text: &str) -> String {
    match text {
        "." => return "%2E".to_owned(),
        ".." => return "%2E%2E".to_owned(),
        _ => {}
    }
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'~' | b'.') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path the sample values give.
fn expected_path(api: &Api, op: &Operation) -> String {
    let mut path = op.path.clone();
    for p in op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
    {
        path = path.replace(
            &format!("{{{}}}", p.wire_name),
            &encode_segment(&sample_value(api, p).1),
        );
    }
    path
}

fn operation_doc(op: &Operation) -> TokenStream {
    let mut notes = vec![format!(
        "`{} {}` (operationId `{}`).",
        op.method, op.path, op.id
    )];
    if let Some(description) = &op.description {
        notes.push(doc_lines(description).join("\n"));
    }
    let mut statuses = vec!["Documented statuses:".to_owned(), String::new()];
    for (status, response) in &op.responses {
        let mut body = match response.body.as_ref().map(|b| &b.ty) {
            Some(TypeRef::Named(name)) if (200..300).contains(status) && response.optional_body => {
                format!(" Body: [`models::{name}`], or none (`None`).")
            }
            Some(TypeRef::Named(name)) if (200..300).contains(status) => {
                format!(" Body: [`models::{name}`].")
            }
            Some(TypeRef::Named(name)) => {
                format!(" Error body: [`models::{name}`] (kept raw in [`ApiError::Status`]).")
            }
            _ => String::new(),
        };
        for header in &response.headers {
            body.push_str(&format!(" Header `{}`.", header.wire_name));
        }
        statuses.push(format!(
            "- `{status}`: {}{body}",
            doc_lines(&response.description).join(" ")
        ));
    }
    notes.push(statuses.join("\n"));
    match &op.pagination {
        Some(Pagination::Links { .. }) => notes
            .push("Pages: implements [`Paginated`], following the `next` link's query.".to_owned()),
        Some(Pagination::Offset {
            offset_param,
            count_field,
            items_field,
            ..
        }) => notes.push(format!(
            "Pages: implements [`Paginated`]: the next page starts at `{offset_param}` plus the \
             number of `{items_field}` returned, until a page is empty or `{count_field}` is \
             reached."
        )),
        None => {}
    }
    let notes: Vec<String> = notes.join("\n\n").lines().map(str::to_owned).collect();
    let mut lines = match op.summary.as_deref() {
        Some(summary) => doc_lines(summary),
        None => vec![op.id.clone()],
    };
    lines.push(String::new());
    lines.extend(notes);
    let lines = lines
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!(" {l}") });
    quote!(#(#[doc = #lines])*)
}

fn operation_tokens(api: &Api, op: &Operation) -> Result<TokenStream, Error> {
    let name = Ident::new(&op.rust_name, Span::call_site());
    let builder = format_ident!("{}Builder", op.rust_name);
    let output = format_ident!("{}Output", op.rust_name);
    let id = &op.id;
    let doc = operation_doc(op);
    let builder_doc = format!(
        " Builds [`{}`]; `build` fails naming the first missing required parameter.",
        op.rust_name
    );

    let fields = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let ty = param_type(p);
        if p.required || p.repeated_item().is_some() {
            quote!(#ident: #ty,)
        } else {
            quote!(#ident: Option<#ty>,)
        }
    });
    let body_ty = op
        .request_body
        .as_ref()
        .map(|b| value_type_in(&b.ty, &models_prefix()));
    let body_field = body_ty.as_ref().map(|ty| quote!(body: #ty,));
    let builder_fields = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let ty = param_type(p);
        if p.repeated_item().is_some() {
            quote!(#ident: #ty,)
        } else {
            quote!(#ident: Option<#ty>,)
        }
    });
    let builder_body_field = body_ty.as_ref().map(|ty| quote!(body: Option<#ty>,));
    let setters = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let ty = param_type(p);
        let kind = match p.location {
            ParamLocation::Path => "Path parameter",
            ParamLocation::Query => "Query parameter",
            ParamLocation::Header => "Header",
        };
        let need = if p.required { "required" } else { "optional" };
        if let Some(item) = p.repeated_item() {
            let item_ty = value_type_in(item, &models_prefix());
            let extend = format_ident!("{}", extend_method(p));
            let doc = doc_attrs(
                p.description.as_deref(),
                &[format!(
                    "{kind} `{}`, {need}, repeatable: adds one value; each value is sent as its \
                     own `{}=...` pair, in the order added. See also [`Self::{extend}`].",
                    p.wire_name, p.wire_name
                )],
            );
            let extend_doc = format!(
                " Adds several values to the {} `{}` (see [`Self::{ident}`]).",
                kind.to_ascii_lowercase(),
                p.wire_name
            );
            return if takes_into(item) {
                quote! {
                    #doc
                    #[must_use]
                    pub fn #ident(mut self, value: impl Into<#item_ty>) -> Self {
                        self.#ident.push(value.into());
                        self
                    }

                    #[doc = #extend_doc]
                    #[must_use]
                    pub fn #extend(mut self, values: impl IntoIterator<Item = impl Into<#item_ty>>) -> Self {
                        self.#ident.extend(values.into_iter().map(Into::into));
                        self
                    }
                }
            } else {
                quote! {
                    #doc
                    #[must_use]
                    pub fn #ident(mut self, value: #item_ty) -> Self {
                        self.#ident.push(value);
                        self
                    }

                    #[doc = #extend_doc]
                    #[must_use]
                    pub fn #extend(mut self, values: impl IntoIterator<Item = #item_ty>) -> Self {
                        self.#ident.extend(values);
                        self
                    }
                }
            };
        }
        let doc = doc_attrs(
            p.description.as_deref(),
            &[format!("{kind} `{}`, {need}.", p.wire_name)],
        );
        if takes_into(&p.ty) {
            quote! {
                #doc
                #[must_use]
                pub fn #ident(mut self, value: impl Into<#ty>) -> Self {
                    self.#ident = Some(value.into());
                    self
                }
            }
        } else {
            quote! {
                #doc
                #[must_use]
                pub fn #ident(mut self, value: #ty) -> Self {
                    self.#ident = Some(value);
                    self
                }
            }
        }
    });
    let body_setter = body_ty.as_ref().map(|ty| {
        let doc = doc_attrs(
            op.request_body
                .as_ref()
                .and_then(|b| b.description.as_deref()),
            &["The JSON request body, required.".to_owned()],
        );
        quote! {
            #doc
            #[must_use]
            pub fn body(mut self, value: #ty) -> Self {
                self.body = Some(value);
                self
            }
        }
    });
    let preset_setters = presets_tokens(api, op)?;
    let build_fields = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let wire = &p.wire_name;
        if p.repeated_item().is_some() && p.required {
            quote!(#ident: if self.#ident.is_empty() {
                return Err(BuildError::missing(#id, #wire));
            } else {
                self.#ident
            },)
        } else if p.repeated_item().is_some() {
            quote!(#ident: self.#ident,)
        } else if p.required {
            quote!(#ident: self.#ident.ok_or(BuildError::missing(#id, #wire))?,)
        } else {
            quote!(#ident: self.#ident,)
        }
    });
    let build_body = body_ty
        .as_ref()
        .map(|_| quote!(body: self.body.ok_or(BuildError::missing(#id, "body"))?,));
    let segment_checks = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let wire = &p.wire_name;
            let value = match p.ty {
                TypeRef::String => quote!(&built.#ident),
                _ => quote!(&built.#ident.to_string()),
            };
            quote!(BuildError::check_path_segment(#id, #wire, #value)?;)
        });
    let getters = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let ty = param_type(p);
        let doc = format!(" The `{}` parameter.", p.wire_name);
        if let Some(item) = p.repeated_item() {
            let item_ty = value_type_in(item, &models_prefix());
            let doc = format!(
                " The values of the repeated `{}` parameter, in order (empty when unset).",
                p.wire_name
            );
            quote!(#[doc = #doc] pub fn #ident(&self) -> &[#item_ty] { &self.#ident })
        } else if p.required {
            quote!(#[doc = #doc] pub fn #ident(&self) -> &#ty { &self.#ident })
        } else {
            quote!(#[doc = #doc] pub fn #ident(&self) -> Option<&#ty> { self.#ident.as_ref() })
        }
    });
    let body_getter = body_ty.as_ref().map(|ty| {
        quote! {
            /// The request body, typed ([`Endpoint::body`] gives its JSON bytes).
            pub fn json_body(&self) -> &#ty { &self.body }
        }
    });

    // The path, piece by piece; each parameter is encoded as one segment.
    let mut pieces = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| Error::new(&api.spec_path, &path_pointer(op), "unclosed `{` in path"))?;
        let literal = &rest[..start];
        let mut chars = literal.chars();
        match (chars.next(), chars.next()) {
            (None, _) => {}
            (Some(c), None) => pieces.push(quote!(path.push(#c);)),
            _ => pieces.push(quote!(path.push_str(#literal);)),
        }
        let wire = &rest[start + 1..end];
        let p = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.wire_name == wire)
            .ok_or_else(|| {
                Error::new(
                    &api.spec_path,
                    &path_pointer(op),
                    format!("`{wire}` is not a path parameter"),
                )
            })?;
        let ident = format_ident!("{}", p.rust_name);
        let value = match p.ty {
            TypeRef::String => quote!(&self.#ident),
            _ => quote!(&self.#ident.to_string()),
        };
        pieces.push(quote!(path.push_str(&backup_runtime::encode_path_segment(#value));));
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(quote!(path.push_str(#rest);));
    }
    let query_body = pairs_body(op, ParamLocation::Query);
    let header_body = pairs_body(op, ParamLocation::Header);
    let body_fn = match &op.request_body {
        Some(body) => {
            let media = &body.media_type;
            quote!(backup_runtime::json_body(#id, #media, &self.body))
        }
        None => quote!(Ok(None)),
    };
    let auth = match &op.auth_header {
        Some(h) => quote!(Some(#h)),
        None => quote!(None),
    };
    let method = method_variant(&op.method);
    let auth_required = op.auth_required;

    // Outcomes.
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for (status, response) in &op.responses {
        let status_lit = Literal::u16_unsuffixed(*status);
        let description = &response.description;
        if (200..300).contains(status) {
            let variant = status_variant(*status);
            let doc = format!(" `{status}`: {}", doc_lines(description).join(" "));
            match &response.body {
                Some(Body { ty, .. }) if response.optional_body => {
                    let ty = value_type_in(ty, &models_prefix());
                    let doc = format!("{doc} (`None`: the service sent no body)");
                    variants.push(
                        quote!(#[doc = #doc] #variant(backup_runtime::Response<Option<#ty>>),),
                    );
                    arms.push(quote!(#status_lit => backup_runtime::optional_json_response(response).map(#output::#variant),));
                }
                Some(Body { ty, .. }) => {
                    let ty = value_type_in(ty, &models_prefix());
                    variants.push(quote!(#[doc = #doc] #variant(backup_runtime::Response<#ty>),));
                    arms.push(quote!(#status_lit => backup_runtime::json_response(response).map(#output::#variant),));
                }
                None => {
                    let doc = format!("{doc} (no body)");
                    variants.push(quote!(#[doc = #doc] #variant(backup_runtime::Response<()>),));
                    arms.push(quote!(#status_lit => Ok(#output::#variant(backup_runtime::empty_response(response))),));
                }
            }
        }
        // A documented error status (in the crate's `documented` table, below): its body stays
        // raw in `ApiError::Status`; its model type is generated with the other schemas.
    }
    // The operation's list of documented error statuses, shared with the operations that
    // document the same ones.
    let statuses = documented_statuses(api);
    let own = documented_of(&statuses, op);
    let documented = documented_lists(&statuses, api)
        .into_iter()
        .find(|(list, _)| *list == own)
        .map_or_else(|| quote!(&[]), |(_, name)| quote!(documented::#name));
    let output_doc = format!(
        " The documented successful outcomes of [`{}`], one per status. `#[non_exhaustive]`: a \
         status the spec adds becomes a variant in a minor version, so a `match` needs a `_` arm.",
        op.rust_name
    );
    let serialize_arms = op
        .responses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(status, response)| {
            let variant = status_variant(*status);
            if response.body.is_some() {
                quote!(Self::#variant(response) => serde::Serialize::serialize(&response.body, serializer),)
            } else {
                quote!(Self::#variant(_) => serializer.serialize_unit(),)
            }
        });
    let success_variants: Vec<(Ident, bool, bool)> = op
        .responses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .map(|(status, response)| {
            (
                status_variant(*status),
                response.body.is_some(),
                response.optional_body,
            )
        })
        .collect();
    let status_arms = success_variants
        .iter()
        .map(|(v, _, _)| quote!(Self::#v(response) => response.status,));
    let headers_arms = success_variants
        .iter()
        .map(|(v, _, _)| quote!(Self::#v(response) => &response.headers,));
    let has_body_arms = success_variants.iter().map(|(v, has, optional)| {
        if *optional {
            quote!(Self::#v(response) => response.body.is_some(),)
        } else {
            quote!(Self::#v(_) => #has,)
        }
    });
    let header_accessors = header_accessors(api, op)?;
    let from_params = from_params_tokens(op);
    let pagination = pagination_tokens(api, op)?;

    Ok(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
            #body_field
        }

        impl #name {
            /// Starts building this request.
            pub fn builder() -> #builder {
                #builder::default()
            }

            #(#getters)*
            #body_getter
        }

        #[doc = #builder_doc]
        #[derive(Debug, Clone, Default)]
        pub struct #builder {
            #(#builder_fields)*
            #builder_body_field
        }

        impl #builder {
            #(#setters)*
            #body_setter
            #(#preset_setters)*

            /// Checks that every required parameter is set and that every path parameter can be
            /// one path segment (not empty, not `.` or `..`).
            pub fn build(self) -> Result<#name, BuildError> {
                let built = #name {
                    #(#build_fields)*
                    #build_body
                };
                #(#segment_checks)*
                Ok(built)
            }
        }

        #[doc = #output_doc]
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant, reason = "an outcome is matched once, not stored in bulk")]
        #[non_exhaustive]
        pub enum #output {
            #(#variants)*
        }

        impl backup_runtime::Outcome for #output {
            fn status(&self) -> u16 {
                match self {
                    #(#status_arms)*
                }
            }

            fn headers(&self) -> &[(String, String)] {
                match self {
                    #(#headers_arms)*
                }
            }

            fn has_body(&self) -> bool {
                match self {
                    #(#has_body_arms)*
                }
            }
        }

        #header_accessors

        impl serde::Serialize for #output {
            /// Serializes the body of the outcome (`null` for a status without one).
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        #from_params

        impl Endpoint for #name {
            type Output = #output;

            fn operation_id(&self) -> &'static str {
                #id
            }

            fn method(&self) -> backup_runtime::Method {
                backup_runtime::Method::#method
            }

            fn path(&self) -> String {
                let mut path = String::new();
                #(#pieces)*
                path
            }

            fn query(&self) -> Vec<(&'static str, String)> {
                #query_body
            }

            fn headers(&self) -> Vec<(&'static str, String)> {
                #header_body
            }

            fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, backup_runtime::BodyError> {
                #body_fn
            }

            fn auth_header(&self) -> Option<&'static str> {
                #auth
            }

            fn auth_required(&self) -> bool {
                #auth_required
            }

            fn parse_response(&self, response: backup_runtime::RawResponse) -> Result<#output, ApiError> {
                match response.status {
                    #(#arms)*
                    _ => Err(backup_runtime::documented_error(response, #documented)),
                }
            }
        }

        #pagination
    })
}

/// A builder method per `x-presets` entry: sets the body to that JSON.
fn presets_tokens(api: &Api, op: &Operation) -> Result<Vec<TokenStream>, Error> {
    let Some(body) = &op.request_body else {
        return Ok(Vec::new());
    };
    let ty = value_type_in(&body.ty, &models_prefix());
    let mut out = Vec::new();
    for (i, preset) in body.presets.iter().enumerate() {
        let taken = matches!(preset.name.as_str(), "body" | "build" | "default" | "clone")
            || op.params.iter().any(|p| {
                p.rust_name == preset.name
                    || (p.repeated_item().is_some() && extend_method(p) == preset.name)
            });
        if taken {
            return Err(Error::new(
                &api.spec_path,
                &format!("{}/requestBody/x-presets/{i}/name", path_pointer(op)),
                format!(
                    "preset `{}` would clash with another builder method of `{}`",
                    preset.name, op.rust_name
                ),
            ));
        }
        let json = preset.value.to_string();
        let mut notes = vec![format!(
            "Sets the body (sent as `{}`) to this preset.",
            body.media_type
        )];
        if !json.contains('`') {
            notes.push(format!("`{json}`"));
        }
        let doc = doc_attrs(preset.summary.as_deref(), &notes);
        let ident = format_ident!("{}", preset.name);
        let expect = format!(
            "preset `{}` fits the body model (the generated tests check it)",
            preset.name
        );
        out.push(quote! {
            #doc
            #[must_use]
            pub fn #ident(mut self) -> Self {
                let value: #ty = serde_json::from_str(#json).expect(#expect);
                self.body = Some(value);
                self
            }
        });
    }
    Ok(out)
}

/// The headers declared on the success statuses, each once (by name, case-insensitively).
fn success_headers<'a>(api: &Api, op: &'a Operation) -> Result<Vec<&'a ResponseHeader>, Error> {
    let mut seen: Vec<&ResponseHeader> = Vec::new();
    for (status, response) in op.responses.iter().filter(|(s, _)| (200..300).contains(*s)) {
        for header in &response.headers {
            match seen
                .iter()
                .find(|h| h.wire_name.eq_ignore_ascii_case(&header.wire_name))
            {
                Some(known) if known.ty != header.ty => {
                    return Err(Error::new(
                        &api.spec_path,
                        &format!("{}/responses/{status}/headers", path_pointer(op)),
                        format!(
                            "header `{}` has another type than on another status",
                            header.wire_name
                        ),
                    ));
                }
                Some(_) => {}
                None => seen.push(header),
            }
        }
    }
    Ok(seen)
}

/// Typed accessors on the outcome for the headers the spec declares on success statuses.
fn header_accessors(api: &Api, op: &Operation) -> Result<TokenStream, Error> {
    let headers = success_headers(api, op)?;
    if headers.is_empty() {
        return Ok(TokenStream::new());
    }
    let output = format_ident!("{}Output", op.rust_name);
    let accessors = headers.iter().map(|h| {
        let ident = format_ident!("{}", h.rust_name);
        let wire = &h.wire_name;
        let statuses: Vec<String> = op
            .responses
            .iter()
            .filter(|(s, r)| {
                (200..300).contains(*s)
                    && r.headers
                        .iter()
                        .any(|x| x.wire_name.eq_ignore_ascii_case(wire))
            })
            .map(|(s, _)| format!("`{s}`"))
            .collect();
        let mut notes = vec![format!(
            "The `{wire}` response header (documented for {}), if the server sent it.",
            statuses.join(", ")
        )];
        if h.ty != TypeRef::String {
            notes.push("`None` as well when it is not an integer.".to_owned());
        }
        let doc = doc_attrs(h.description.as_deref(), &notes);
        match h.ty {
            TypeRef::String => quote! {
                #doc
                pub fn #ident(&self) -> Option<&str> {
                    backup_runtime::Outcome::header(self, #wire)
                }
            },
            _ => {
                let ty = value_type_in(&h.ty, &models_prefix());
                quote! {
                    #doc
                    pub fn #ident(&self) -> Option<#ty> {
                        backup_runtime::Outcome::header(self, #wire)?.trim().parse().ok()
                    }
                }
            }
        }
    });
    Ok(quote! {
        impl #output {
            #(#accessors)*
        }
    })
}

/// The body of `query()` or `headers()`: the set parameters at `location`, in spec order.
fn pairs_body(op: &Operation, location: ParamLocation) -> TokenStream {
    let pushes: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| p.location == location)
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let wire = &p.wire_name;
            if p.repeated_item().is_some() {
                quote!(for value in &self.#ident { pairs.push((#wire, value.to_string())); })
            } else if p.required {
                quote!(pairs.push((#wire, self.#ident.to_string()));)
            } else {
                quote!(if let Some(value) = &self.#ident { pairs.push((#wire, value.to_string())); })
            }
        })
        .collect();
    if pushes.is_empty() {
        quote!(Vec::new())
    } else {
        quote!({
            let mut pairs = Vec::new();
            #(#pushes)*
            pairs
        })
    }
}

/// How to reach `field` of `owner` as an `Option<&T>`.
fn field_access(owner: &TokenStream, field: &Field) -> TokenStream {
    let ident = format_ident!("{}", field.rust_name);
    match field.presence {
        Presence::Required => quote!(Some(&#owner.#ident)),
        Presence::RequiredNullable | Presence::Optional => quote!(#owner.#ident.as_ref()),
        Presence::OptionalNullable => quote!(#owner.#ident.value()),
    }
}

/// `impl Paginated`. Links: find the link whose `rel` matches in the success body, and copy
/// its query pairs onto the query parameters this operation knows; no progress means no next
/// page. Offset: the next offset is this one plus the items returned (`next_offset`).
fn pagination_tokens(api: &Api, op: &Operation) -> Result<TokenStream, Error> {
    let Some(pagination) = &op.pagination else {
        return Ok(TokenStream::new());
    };
    let ptr = format!("{}/x-pagination", path_pointer(op));
    let err = |m: String| Error::new(&api.spec_path, &ptr, m);
    let successes: Vec<(&u16, &Body)> = op
        .responses
        .iter()
        .filter(|(s, _)| (200..300).contains(*s))
        .filter_map(|(s, r)| Some((s, r.body.as_ref()?)))
        .collect();
    let [(status, body)] = successes.as_slice() else {
        return Err(err(
            "pagination needs exactly one success status with a body".to_owned(),
        ));
    };
    if op.responses[*status].optional_body {
        return Err(err(
            "pagination needs a body on every page: the paged status has x-optional-body"
                .to_owned(),
        ));
    }
    let object = |name: &str| match api.types.get(name) {
        Some(TypeDef::Object(def)) => Ok(def),
        _ => Err(err(format!("`{name}` is not an object schema"))),
    };
    let find = |def: &'_ crate::ir::ObjectDef, wire: &str| {
        def.fields
            .iter()
            .find(|f| f.wire_name == wire)
            .cloned()
            .ok_or_else(|| err(format!("`{}` has no property `{wire}`", def.name)))
    };
    let TypeRef::Named(body_name) = &body.ty else {
        return Err(err("the paged body must be a named object".to_owned()));
    };
    let name = Ident::new(&op.rust_name, Span::call_site());
    let output = format_ident!("{}Output", op.rust_name);
    let variant = status_variant(**status);
    let success_count = op
        .responses
        .keys()
        .filter(|s| (200..300).contains(*s))
        .count();
    let unpack = if success_count == 1 {
        quote!(let #output::#variant(body) = output;)
    } else {
        quote!(let #output::#variant(body) = output else { return None; };)
    };
    let (links_field, rel_value) = match pagination {
        Pagination::Links { links_field, rel } => (links_field, rel),
        Pagination::Offset {
            offset_param,
            count_field,
            items_field,
            ..
        } => {
            let def = object(body_name)?;
            let items = find(def, items_field)?;
            if !matches!(items.ty, TypeRef::Array(_)) {
                return Err(err(format!("`{items_field}` is not an array")));
            }
            let count = find(def, count_field)?;
            let count_value = match count.ty {
                TypeRef::I32 => quote!(i64::from(*count)),
                TypeRef::I64 => quote!(*count),
                _ => return Err(err(format!("`{count_field}` is not an integer"))),
            };
            let offset = op
                .params
                .iter()
                .find(|p| p.location == ParamLocation::Query && &p.wire_name == offset_param)
                .ok_or_else(|| err(format!("`{offset_param}` is not a query parameter")))?;
            let offset_ident = format_ident!("{}", offset.rust_name);
            let (to_i64, from_i64) = match offset.ty {
                TypeRef::I32 => (
                    quote!(self.#offset_ident.map(i64::from)),
                    quote!(i32::try_from(next_offset).ok()?),
                ),
                _ => (quote!(self.#offset_ident), quote!(next_offset)),
            };
            let items_access = field_access(&quote!(body), &items);
            let count_access = field_access(&quote!(body), &count);
            return Ok(quote! {
                impl Paginated for #name {
                    fn next_page(&self, output: &#output) -> Option<Self> {
                        #unpack
                        let returned = #items_access.map_or(0, Vec::len);
                        let count = #count_access.map(|count| #count_value);
                        let next_offset = backup_runtime::next_offset(#to_i64, returned, count)?;
                        let mut next = self.clone();
                        next.#offset_ident = Some(#from_i64);
                        Some(next)
                    }
                }
            });
        }
    };
    let links = find(object(body_name)?, links_field)?;
    let TypeRef::Array(link_ty) = &links.ty else {
        return Err(err(format!("`{links_field}` is not an array")));
    };
    let TypeRef::Named(link_name) = link_ty.as_ref() else {
        return Err(err("links must be named objects".to_owned()));
    };
    let link_def = object(link_name)?;
    let (href, rel) = (find(link_def, "href")?, find(link_def, "rel")?);
    let links_access = field_access(&quote!(body), &links);
    let href_access = field_access(&quote!(link), &href);
    let rel_access = field_access(&quote!(link), &rel);
    let arms = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query)
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let wire = &p.wire_name;
            let value = match item_type(p) {
                TypeRef::String => quote!(value),
                TypeRef::Named(_) => quote!(value.into()),
                TypeRef::Timestamp => quote!(backup_runtime::Timestamp::new(value)),
                _ => quote!(value.parse().ok()?),
            };
            if p.repeated_item().is_some() {
                quote!(#wire => next.#ident.push(#value),)
            } else if p.required {
                quote!(#wire => next.#ident = #value,)
            } else {
                quote!(#wire => next.#ident = Some(#value),)
            }
        });
    // A repeated parameter the link names takes the link's values instead of this page's.
    let clears = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.repeated_item().is_some())
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let wire = &p.wire_name;
            quote! {
                if pairs.iter().any(|(name, _)| name == #wire) {
                    next.#ident.clear();
                }
            }
        });
    Ok(quote! {
        impl Paginated for #name {
            fn next_page(&self, output: &#output) -> Option<Self> {
                #unpack
                let links = #links_access?;
                let link = links.iter().find(|link| #rel_access.is_some_and(|rel| rel.as_str() == #rel_value))?;
                let href = #href_access?;
                let mut next = self.clone();
                let pairs = backup_runtime::query_pairs_of(href);
                #(#clears)*
                for (name, value) in pairs {
                    match name.as_str() {
                        #(#arms)*
                        _ => {}
                    }
                }
                (next != *self).then_some(next)
            }
        }
    })
}

fn test_tokens(api: &Api, op: &Operation) -> TokenStream {
    let name = Ident::new(&op.rust_name, Span::call_site());
    let output = format_ident!("{}Output", op.rust_name);
    let test_name = format_ident!(
        "{}_request_and_responses",
        heck::ToSnakeCase::to_snake_case(op.id.as_str())
    );
    let setters = sample_setters(api, op, false);
    let expected = |location: ParamLocation| -> Vec<TokenStream> {
        op.params
            .iter()
            .filter(|p| p.location == location)
            .flat_map(|p| {
                let wire = &p.wire_name;
                sample_values(api, p)
                    .into_iter()
                    .map(move |(_, value)| quote!((#wire, #value.to_owned())))
            })
            .collect()
    };
    let expected_query = expected(ParamLocation::Query);
    let expected_headers = expected(ParamLocation::Header);
    let spec_dir = api.spec_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let example_path = |file: &str| format!("/../../{spec_dir}/{file}");
    let first_preset = op
        .request_body
        .as_ref()
        .and_then(|b| b.presets.first())
        .map(|p| format_ident!("{}", p.name));
    if op
        .request_body
        .as_ref()
        .is_some_and(|b| b.examples.is_empty() && b.presets.is_empty())
    {
        // Without a documented body there is nothing to send; check that `build` asks for one.
        let id = &op.id;
        return quote! {
            #[test]
            fn #test_name() {
                let error = #name::builder()
                    #(#setters)*
                    .build()
                    .expect_err("the body is missing");
                assert_eq!(error, BuildError::missing(#id, "body"));
            }
        };
    }
    let media = op.request_body.as_ref().map(|b| b.media_type.as_str());
    let (body_setter, body_check) = match (
        op.request_body.as_ref().and_then(|b| b.examples.first()),
        &first_preset,
    ) {
        (Some(file), _) => {
            let path = example_path(file);
            (
                quote!(.body(serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path))).expect("documented request body parses"))),
                quote! {
                    let (media_type, bytes) = endpoint.body().expect("the body serializes").expect("a body");
                    assert_eq!(media_type, #media);
                    let sent: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
                    let documented: serde_json::Value = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path))).expect("JSON");
                    assert_eq!(sent, documented);
                },
            )
        }
        // Checked by the preset checks below.
        (None, Some(preset)) => (quote!(.#preset()), TokenStream::new()),
        (None, None) => (
            TokenStream::new(),
            quote!(assert_eq!(endpoint.body(), Ok(None));),
        ),
    };
    let required_setters = sample_setters(api, op, true);
    let preset_checks = op
        .request_body
        .iter()
        .flat_map(|b| &b.presets)
        .map(|preset| {
            let ident = format_ident!("{}", preset.name);
            let json = preset.value.to_string();
            quote! {
                let (media_type, bytes) = #name::builder()
                    #(#required_setters)*
                    .#ident()
                    .build()
                    .expect("the required parameters are set")
                    .body()
                    .expect("the preset serializes")
                    .expect("a body");
                assert_eq!(media_type, #media);
                assert_eq!(
                    serde_json::from_slice::<serde_json::Value>(&bytes).expect("JSON"),
                    serde_json::from_str::<serde_json::Value>(#json).expect("JSON"),
                    "preset `{}`", stringify!(#ident),
                );
            }
        });
    let preset_checks: Vec<TokenStream> = preset_checks.collect();
    let declared_headers = success_headers(api, op).unwrap_or_default();
    // The headers a success response of `status` carries in the test, and the accessor checks.
    let header_sample = |h: &ResponseHeader| match h.ty {
        TypeRef::String => format!("https://example.test/{}", h.wire_name),
        _ => "7".to_owned(),
    };
    let header_checks = |status: u16| -> (Vec<TokenStream>, Vec<TokenStream>) {
        let here = &op.responses[&status].headers;
        let sent = here
            .iter()
            .map(|h| {
                let wire = &h.wire_name;
                let value = header_sample(h);
                quote!((#wire.to_owned(), #value.to_owned()))
            })
            .collect();
        let checks = declared_headers
            .iter()
            .map(|h| {
                let ident = format_ident!("{}", h.rust_name);
                let is_here = here
                    .iter()
                    .any(|x| x.wire_name.eq_ignore_ascii_case(&h.wire_name));
                let expected = match (is_here, &h.ty) {
                    (false, _) => quote!(None),
                    (true, TypeRef::String) => {
                        let value = header_sample(h);
                        quote!(Some(#value))
                    }
                    (true, _) => quote!(Some(7)),
                };
                quote!(assert_eq!(outcome.#ident(), #expected);)
            })
            .collect();
        (sent, checks)
    };
    let method = method_variant(&op.method);
    let path = expected_path(api, op);
    let auth = match &op.auth_header {
        Some(h) => quote!(Some(#h)),
        None => quote!(None),
    };
    let auth_required_check = if op.auth_required {
        quote!(assert!(endpoint.auth_required());)
    } else {
        quote!(assert!(!endpoint.auth_required());)
    };
    let mut response_checks = Vec::new();
    for (status, response) in &op.responses {
        let status_lit = Literal::u16_unsuffixed(*status);
        if (200..300).contains(status) {
            let variant = status_variant(*status);
            let success_count = op
                .responses
                .keys()
                .filter(|s| (200..300).contains(*s))
                .count();
            let other_arm = (success_count > 1).then(
                || quote!(other => panic!("expected {}, got {other:?}", stringify!(#variant)),),
            );
            let (sent_headers, accessor_checks) = header_checks(*status);
            if response.body.is_none() {
                response_checks.push(quote! {
                    let response = RawResponse { status: #status_lit, headers: vec![#(#sent_headers),*], body: Vec::new() };
                    let outcome = endpoint.parse_response(response).expect("a documented status without a body");
                    assert!(matches!(outcome, #output::#variant(_)), "{outcome:?}");
                    assert_eq!(backup_runtime::Outcome::status(&outcome), #status_lit);
                    assert!(!backup_runtime::Outcome::has_body(&outcome));
                    assert_eq!(serde_json::to_value(&outcome).expect("serializes"), serde_json::Value::Null);
                    #(#accessor_checks)*
                });
            } else if let Some(file) = response.body.as_ref().and_then(|b| b.examples.first()) {
                let path = example_path(file);
                response_checks.push(quote! {
                    let body = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path));
                    let response = RawResponse { status: #status_lit, headers: vec![#(#sent_headers),*], body: body.as_bytes().to_vec() };
                    let outcome = endpoint.parse_response(response).expect("the documented body parses");
                    assert_eq!(backup_runtime::Outcome::status(&outcome), #status_lit);
                    assert!(backup_runtime::Outcome::has_body(&outcome));
                    #(#accessor_checks)*
                    match outcome {
                        #output::#variant(parsed) => assert_eq!(
                            serde_json::to_value(&parsed).expect("serializes"),
                            serde_json::from_str::<serde_json::Value>(body).expect("JSON"),
                        ),
                        #other_arm
                    }
                });
            }
            if response.optional_body {
                let (sent_headers, _) = header_checks(*status);
                response_checks.push(quote! {
                    // The body is optional: none at all, or only white space, is `None`.
                    for empty in [&b""[..], &b" \r\n"[..]] {
                        let response = RawResponse { status: #status_lit, headers: vec![#(#sent_headers),*], body: empty.to_vec() };
                        let outcome = endpoint.parse_response(response).expect("a documented status without its optional body");
                        assert_eq!(backup_runtime::Outcome::status(&outcome), #status_lit);
                        assert!(!backup_runtime::Outcome::has_body(&outcome));
                        assert_eq!(serde_json::to_value(&outcome).expect("serializes"), serde_json::Value::Null);
                        match outcome {
                            #output::#variant(parsed) => assert!(parsed.body.is_none()),
                            #other_arm
                        }
                    }
                });
            }
        }
    }
    // The statuses the test expects, from the operation's own responses: not its shared list.
    let documented = documented_of(&documented_statuses(api), op)
        .into_iter()
        .map(|name| quote!(documented::#name));
    let truncated = op
        .responses
        .iter()
        .find(|(s, r)| (200..300).contains(*s) && r.body.is_some())
        .map(|(status, _)| {
            let status_lit = Literal::u16_unsuffixed(*status);
            quote! {
                let response = RawResponse { status: #status_lit, headers: Vec::new(), body: b"{\"truncated\": ".to_vec() };
                match endpoint.parse_response(response) {
                    Err(ApiError::Parse { status, body, .. }) => {
                        assert_eq!(status, #status_lit);
                        assert_eq!(body, b"{\"truncated\": ");
                    }
                    other => panic!("a truncated body is a parse error, got {other:?}"),
                }
            }
        });
    let dots = op
        .params
        .iter()
        .find(|p| p.location == ParamLocation::Path && p.ty == TypeRef::String)
        .map(|p| {
            let ident = format_ident!("{}", p.rust_name);
            let wire = &p.wire_name;
            let id = &op.id;
            quote! {
                for bad in ["", ".", ".."] {
                    let error = #name::builder()
                        #(#setters)*
                        #body_setter
                        .#ident(bad)
                        .build()
                        .expect_err("not a path segment");
                    assert_eq!((error.operation, error.parameter), (#id, #wire));
                    assert_ne!(error.problem, backup_runtime::BuildProblem::Missing);
                }
            }
        });
    let missing = op.params.iter().find(|p| p.required).map(|p| {
        let wire = &p.wire_name;
        let id = &op.id;
        quote! {
            let error = #name::builder().build().expect_err("a required parameter is missing");
            assert_eq!(error, BuildError::missing(#id, #wire));
        }
    });
    quote! {
        #[test]
        fn #test_name() {
            let endpoint = #name::builder()
                #(#setters)*
                #body_setter
                .build()
                .expect("every parameter is set");
            assert_eq!(endpoint.method(), Method::#method);
            assert_eq!(endpoint.path(), #path);
            assert_eq!(endpoint.query(), vec![#(#expected_query),*] as Vec<(&str, String)>);
            assert_eq!(endpoint.headers(), vec![#(#expected_headers),*] as Vec<(&str, String)>);
            assert_eq!(endpoint.auth_header(), #auth);
            #auth_required_check
            #body_check
            #(#response_checks)*
            check_error_statuses(&endpoint, &[#(#documented),*]);
            #truncated
            #missing
            #dots
            #(#preset_checks)*
        }
    }
}

/// `from_params`: builds the endpoint from wire-named strings, for tools such as `backupctl call`.
fn from_params_tokens(op: &Operation) -> TokenStream {
    let name = Ident::new(&op.rust_name, Span::call_site());
    let id = &op.id;
    let known: Vec<&String> = op.params.iter().map(|p| &p.wire_name).collect();
    // A repeated parameter's setter adds a value, so each `name=value` pair given adds one.
    let arms = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.rust_name);
        let wire = &p.wire_name;
        let value = match item_type(p) {
            TypeRef::String | TypeRef::Named(_) => quote!(value.as_str()),
            TypeRef::Timestamp => quote!(backup_runtime::Timestamp::new(value.as_str())),
            other => {
                let expected = match other {
                    TypeRef::I32 => "a 32-bit integer",
                    TypeRef::I64 => "a 64-bit integer",
                    TypeRef::F32 | TypeRef::F64 => "a number",
                    TypeRef::Bool => "`true` or `false`",
                    _ => "a valid value",
                };
                quote!(backup_runtime::dynamic::parse_param(#id, name, value, #expected)?)
            }
        };
        quote!(#wire => builder.#ident(#value),)
    });
    let body = if op.request_body.is_some() {
        quote! {
            let text = body.ok_or(ParamError::MissingBody { operation: #id })?;
            builder = builder.body(backup_runtime::dynamic::parse_body(#id, text)?);
        }
    } else {
        quote! {
            if body.is_some() {
                return Err(ParamError::UnexpectedBody { operation: #id });
            }
        }
    };
    // Without parameters every name is unknown: the loop's assignment is never reached.
    let no_params_allow = op.params.is_empty().then(|| {
        quote!(#[allow(
            unreachable_code,
            unused_mut,
            unused_variables,
            clippy::never_loop,
            clippy::match_single_binding,
            reason = "the operation has no parameters"
        )])
    });
    let repeated: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.repeated_item().is_some())
        .map(|p| format!("`{}`", p.wire_name))
        .collect();
    let mut doc = format!(
        " Builds [`{}`] from `name=value` pairs (the spec's parameter names) and an optional JSON \
         body text, as `backupctl call` does.",
        op.rust_name
    );
    if !repeated.is_empty() {
        doc.push_str(&format!(
            " A repeated parameter ({}) takes every pair given for it, in order; another \
             parameter given twice keeps its last value.",
            repeated.join(", ")
        ));
    }
    quote! {
        impl #name {
            #[doc = #doc]
            #no_params_allow
            pub fn from_params(
                params: &[(String, String)],
                body: Option<&str>,
            ) -> Result<Self, backup_runtime::dynamic::ParamError> {
                use backup_runtime::dynamic::ParamError;
                let mut builder = Self::builder();
                for (name, value) in params {
                    builder = match name.as_str() {
                        #(#arms)*
                        _ => {
                            return Err(ParamError::Unknown {
                                operation: #id,
                                name: name.clone(),
                                known: &[#(#known),*],
                            });
                        }
                    };
                }
                #body
                builder.build().map_err(ParamError::Build)
            }
        }
    }
}

/// `tests/live.rs` of an endpoint crate: every operation against a live local HTTP server
/// (wiremock on 127.0.0.1) serving the documented examples, through both clients.
pub fn live_tests(api: &Api) -> TokenStream {
    let crate_ident = format_ident!("{}_endpoints", api.key.replace('-', "_"));
    live_tests_of(api, &quote!(#crate_ident))
}

/// [`live_tests`] of the endpoints at `endpoints_path` (e.g. `codegen_fixtures::zoo_endpoints`).
pub fn live_tests_of(api: &Api, endpoints_path: &TokenStream) -> TokenStream {
    let crate_ident = endpoints_path;
    let spec_dir = api.spec_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut tests = Vec::new();
    for op in api.operations.values() {
        // The first success status with a documented body, else the first without a body.
        let documented = op.responses.iter().find_map(|(status, r)| {
            let file = r.body.as_ref()?.examples.first()?;
            (200..300).contains(status).then_some((*status, Some(file)))
        });
        let bodiless = || {
            op.responses
                .iter()
                .find(|(s, r)| (200..300).contains(*s) && r.body.is_none())
                .map(|(s, _)| (*s, None))
        };
        let Some((status, file)) = documented.or_else(bodiless) else {
            continue;
        };
        let request_example = op.request_body.as_ref().and_then(|b| b.examples.first());
        let preset = op.request_body.as_ref().and_then(|b| b.presets.first());
        if op.request_body.is_some() && request_example.is_none() && preset.is_none() {
            continue;
        }
        let name = Ident::new(&op.rust_name, Span::call_site());
        let test = format_ident!(
            "{}_over_http",
            heck::ToSnakeCase::to_snake_case(op.id.as_str())
        );
        let status_lit = Literal::u16_unsuffixed(status);
        let method = &op.method;
        let path = expected_path(api, op);
        let setters = sample_setters(api, op, false);
        let (body_setter, body_matcher) = match (request_example, preset) {
            (Some(file), _) => {
                let path = format!("/../../{spec_dir}/{file}");
                (
                    quote!(.body(serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path))).expect("documented request body"))),
                    quote!(.and(body_json(serde_json::from_str::<serde_json::Value>(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #path))).expect("JSON")))),
                )
            }
            (None, Some(preset)) => {
                let ident = format_ident!("{}", preset.name);
                let json = preset.value.to_string();
                (
                    quote!(.#ident()),
                    quote!(.and(body_json(serde_json::from_str::<serde_json::Value>(#json).expect("JSON")))),
                )
            }
            (None, None) => (TokenStream::new(), TokenStream::new()),
        };
        let content_type_matcher = op.request_body.as_ref().map(|b| {
            let media = &b.media_type;
            quote!(.and(header("Content-Type", #media)))
        });
        // The headers the response carries, and what the outcome's accessors must say.
        let declared = success_headers(api, op).unwrap_or_default();
        let here = &op.responses[&status].headers;
        let header_value = |h: &ResponseHeader| match h.ty {
            TypeRef::String => format!("https://example.test/{}", h.wire_name),
            _ => "7".to_owned(),
        };
        let insert_headers = here.iter().map(|h| {
            let wire = &h.wire_name;
            let value = header_value(h);
            quote!(.insert_header(#wire, #value))
        });
        let header_checks: Vec<TokenStream> = declared
            .iter()
            .map(|h| {
                let ident = format_ident!("{}", h.rust_name);
                let is_here = here
                    .iter()
                    .any(|x| x.wire_name.eq_ignore_ascii_case(&h.wire_name));
                let expected = match (is_here, &h.ty) {
                    (false, _) => quote!(None),
                    (true, TypeRef::String) => {
                        let value = header_value(h);
                        quote!(Some(#value))
                    }
                    (true, _) => quote!(Some(7)),
                };
                quote!(assert_eq!(outcome.#ident(), #expected);)
            })
            .collect();
        let (body_text, respond, documented, bad_bodies) = match file {
            Some(file) => {
                let example = format!("/../../{spec_dir}/{file}");
                (
                    quote!(let body: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #example));),
                    quote!(ResponseTemplate::new(#status_lit).set_body_raw(body, "application/json") #(#insert_headers)*),
                    quote!(serde_json::from_str(body).expect("JSON")),
                    quote!([(500, "<html>boom</html>"), (#status_lit, &body[..body.len() / 2])]),
                )
            }
            None => (
                TokenStream::new(),
                quote!(ResponseTemplate::new(#status_lit) #(#insert_headers)*),
                quote!(serde_json::Value::Null),
                quote!([(500, "<html>boom</html>")]),
            ),
        };
        let query_matchers = op
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
            .flat_map(|p| {
                let wire = &p.wire_name;
                sample_values(api, p)
                    .into_iter()
                    .map(move |(_, value)| quote!(.and(query_param(#wire, #value))))
            });
        let header_matchers = op
            .params
            .iter()
            .filter(|p| p.location == ParamLocation::Header)
            .map(|p| {
                let wire = &p.wire_name;
                let value = sample_value(api, p).1;
                quote!(.and(header(#wire, #value)))
            });
        let auth_matcher = op
            .auth_header
            .as_ref()
            .map(|h| quote!(.and(header(#h, TOKEN))));
        let errors: Vec<(Literal, &String)> = op
            .responses
            .iter()
            .filter(|(s, _)| !(200..300).contains(*s))
            .map(|(s, r)| (Literal::u16_unsuffixed(*s), &r.description))
            .collect();
        let error_statuses = errors.iter().map(|(s, _)| s);
        let error_descriptions = errors.iter().map(|(_, d)| d);
        tests.push(quote! {
            #[tokio::test(flavor = "multi_thread")]
            async fn #test() {
                let server = MockServer::start().await;
                #body_text
                let endpoint = #name::builder()
                    #(#setters)*
                    #body_setter
                    .build()
                    .expect("every parameter is set");
                let documented: serde_json::Value = #documented;

                // The documented response, through both clients.
                Mock::given(method(#method))
                    .and(path(#path))
                    #(#query_matchers)*
                    #(#header_matchers)*
                    #auth_matcher
                    #content_type_matcher
                    #body_matcher
                    .respond_with(#respond)
                    .expect(2)
                    .mount(&server)
                    .await;
                let outcome = nonblocking(&server).call(&endpoint).await.expect("the documented response");
                assert_eq!(serde_json::to_value(&outcome).expect("serializes"), documented);
                assert_eq!(backup_runtime::Outcome::status(&outcome), #status_lit);
                #(#header_checks)*
                let outcome = blocking_call(&server, &endpoint).await.expect("the documented response");
                assert_eq!(serde_json::to_value(&outcome).expect("serializes"), documented);
                assert_eq!(backup_runtime::Outcome::status(&outcome), #status_lit);
                #(#header_checks)*
                server.verify().await;

                // Each documented error status keeps its description and the raw body.
                for (status, description) in [#((#error_statuses, #error_descriptions)),*] {
                    server.reset().await;
                    Mock::given(any())
                        .respond_with(ResponseTemplate::new(status).set_body_raw("<html>no</html>", "text/html"))
                        .mount(&server)
                        .await;
                    for error in [
                        nonblocking(&server).call(&endpoint).await.expect_err("an error status"),
                        blocking_call(&server, &endpoint).await.expect_err("an error status"),
                    ] {
                        assert_no_token(&error);
                        match error {
                            ApiError::Status { status: got, description: said, body, .. } => {
                                assert_eq!((got, said), (status, Some(description)));
                                assert_eq!(body, b"<html>no</html>");
                            }
                            other => panic!("expected status {status}, got {other:?}"),
                        }
                    }
                }

                // An undocumented 500 with an HTML body, and a truncated body.
                for (status, raw) in #bad_bodies {
                    server.reset().await;
                    Mock::given(any())
                        .respond_with(ResponseTemplate::new(status).set_body_raw(raw, "application/json"))
                        .mount(&server)
                        .await;
                    for error in [
                        nonblocking(&server).call(&endpoint).await.expect_err("an error"),
                        blocking_call(&server, &endpoint).await.expect_err("an error"),
                    ] {
                        assert_no_token(&error);
                        assert_eq!(error.status(), Some(status));
                        assert_eq!(error.body(), Some(raw.as_bytes()));
                        if (200..300).contains(&status) {
                            assert!(matches!(error, ApiError::Parse { .. }), "{error:?}");
                        }
                    }
                }
            }
        });
    }
    let pages = api
        .operations
        .values()
        .filter_map(|op| live_pages_test(api, op, spec_dir));
    let pages: Vec<TokenStream> = pages.collect();
    let doc = format!(
        " Every operation of `{}` against a live local server (wiremock on 127.0.0.1) serving the \
         documented examples, through the blocking and the async client.",
        api.key
    );
    quote! {
        #![doc = #doc]
        #![cfg(all(feature = "blocking", feature = "async"))]

        use backup_runtime::{ApiError, AuthToken, Endpoint};
        use #crate_ident::*;
        use wiremock::matchers::*;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        /// A token that must reach the server and appear in no error text.
        const TOKEN: &str = "secret-token-a1b2c3";

        fn nonblocking(server: &MockServer) -> backup_runtime::nonblocking::Client {
            backup_runtime::nonblocking::Client::builder(&server.uri())
                .token(AuthToken::new(TOKEN))
                .build()
                .expect("a client")
        }

        /// Runs the blocking client off the async runtime that serves the mock.
        async fn blocking_call<E>(server: &MockServer, endpoint: &E) -> Result<E::Output, ApiError>
        where
            E: Endpoint + Clone + Send + 'static,
            E::Output: Send + 'static,
        {
            let uri = server.uri();
            let endpoint = endpoint.clone();
            tokio::task::spawn_blocking(move || {
                backup_runtime::blocking::Client::builder(&uri)
                    .token(AuthToken::new(TOKEN))
                    .build()
                    .expect("a client")
                    .call(&endpoint)
            })
            .await
            .expect("the blocking call does not panic")
        }

        fn assert_no_token(error: &ApiError) {
            assert!(!format!("{error}").contains(TOKEN), "the token leaked: {error}");
            assert!(!format!("{error:?}").contains(TOKEN), "the token leaked: {error:?}");
        }

        #(#tests)*
        #(#pages)*
    }
}

/// Three pages through both clients' page iterators, for an operation with `x-pagination`.
fn live_pages_test(api: &Api, op: &Operation, spec_dir: &str) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let (status, file) = op.responses.iter().find_map(|(status, r)| {
        let file = r.body.as_ref()?.examples.first()?;
        (200..300).contains(status).then_some((*status, file))
    })?;
    if let Pagination::Offset {
        offset_param,
        count_field,
        items_field,
        ..
    } = pagination
    {
        return Some(live_offset_pages_test(
            api,
            op,
            spec_dir,
            (status, file),
            (offset_param, count_field, items_field),
        ));
    }
    let marker = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.ty == TypeRef::String && !p.required)
        .find(|p| p.wire_name == "marker")?;
    let marker_wire = &marker.wire_name;
    let (links, rel) = match pagination {
        Pagination::Links { links_field, rel } => (links_field, rel),
        Pagination::Offset { .. } => return None,
    };
    let name = Ident::new(&op.rust_name, Span::call_site());
    let test = format_ident!(
        "{}_follows_pages",
        heck::ToSnakeCase::to_snake_case(op.id.as_str())
    );
    let example = format!("/../../{spec_dir}/{file}");
    let status_lit = Literal::u16_unsuffixed(status);
    let path = expected_path(api, op);
    let setters = sample_setters(api, op, true);
    Some(quote! {
        #[tokio::test(flavor = "multi_thread")]
        async fn #test() {
            let server = MockServer::start().await;
            let documented: serde_json::Value = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #example))).expect("JSON");
            let page = |next: Option<&str>| {
                let mut page = documented.clone();
                match next {
                    Some(marker) => {
                        page[#links] = serde_json::json!([{
                            "href": format!("{}{}?{}={marker}", server.uri(), #path, #marker_wire),
                            "rel": #rel,
                        }]);
                    }
                    None => {
                        page.as_object_mut().expect("an object").remove(#links);
                    }
                }
                page
            };
            Mock::given(path(#path)).and(query_param_is_missing(#marker_wire))
                .respond_with(ResponseTemplate::new(#status_lit).set_body_json(page(Some("m1"))))
                .mount(&server).await;
            Mock::given(path(#path)).and(query_param(#marker_wire, "m1"))
                .respond_with(ResponseTemplate::new(#status_lit).set_body_json(page(Some("m2"))))
                .mount(&server).await;
            Mock::given(path(#path)).and(query_param(#marker_wire, "m2"))
                .respond_with(ResponseTemplate::new(#status_lit).set_body_json(page(None)))
                .mount(&server).await;
            let endpoint = #name::builder() #(#setters)* .build().expect("required parameters set");

            use futures_util::StreamExt as _;
            let client = nonblocking(&server);
            let pages: Vec<_> = client.pages(endpoint.clone(), 10).collect().await;
            assert_eq!(pages.len(), 3, "three pages, then a clean stop");
            assert!(pages.iter().all(Result::is_ok), "{pages:?}");
            let limited: Vec<_> = client.pages(endpoint.clone(), 2).collect().await;
            assert_eq!(limited.len(), 2, "the page limit holds");

            let uri = server.uri();
            let blocking_pages = tokio::task::spawn_blocking(move || {
                let client = backup_runtime::blocking::Client::builder(&uri)
                    .token(AuthToken::new(TOKEN))
                    .build()
                    .expect("a client");
                client.pages(endpoint, 10).collect::<Vec<_>>()
            })
            .await
            .expect("no panic");
            assert_eq!(blocking_pages.len(), 3);
            let bodies: Vec<serde_json::Value> = blocking_pages
                .into_iter()
                .map(|p| serde_json::to_value(p.expect("a page")).expect("serializes"))
                .collect();
            assert_eq!(bodies[2], page(None));
        }
    })
}

/// Three offset pages of one item each (the documented example's first item, `count` 3)
/// through both clients' page iterators, then a clean stop; and the page limit.
fn live_offset_pages_test(
    api: &Api,
    op: &Operation,
    spec_dir: &str,
    (status, file): (u16, &String),
    (offset_param, count_field, items_field): (&String, &String, &String),
) -> TokenStream {
    let name = Ident::new(&op.rust_name, Span::call_site());
    let test = format_ident!(
        "{}_follows_offset_pages",
        heck::ToSnakeCase::to_snake_case(op.id.as_str())
    );
    let example = format!("/../../{spec_dir}/{file}");
    let status_lit = Literal::u16_unsuffixed(status);
    let path = expected_path(api, op);
    let setters = sample_setters(api, op, true);
    quote! {
        #[tokio::test(flavor = "multi_thread")]
        async fn #test() {
            let server = MockServer::start().await;
            let documented: serde_json::Value = serde_json::from_str(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), #example))).expect("JSON");
            let item = documented[#items_field][0].clone();
            assert!(!item.is_null(), "the documented page has an item to repeat");
            let mut page = documented.clone();
            page[#items_field] = serde_json::json!([item]);
            page[#count_field] = serde_json::json!(3);
            Mock::given(path(#path)).and(query_param_is_missing(#offset_param))
                .respond_with(ResponseTemplate::new(#status_lit).set_body_json(&page))
                .mount(&server).await;
            for offset in ["1", "2"] {
                Mock::given(path(#path)).and(query_param(#offset_param, offset))
                    .respond_with(ResponseTemplate::new(#status_lit).set_body_json(&page))
                    .mount(&server).await;
            }
            let endpoint = #name::builder() #(#setters)* .build().expect("required parameters set");

            use futures_util::StreamExt as _;
            let client = nonblocking(&server);
            let pages: Vec<_> = client.pages(endpoint.clone(), 10).collect().await;
            assert_eq!(pages.len(), 3, "three pages, then a stop at the count: {pages:?}");
            assert!(pages.iter().all(Result::is_ok), "{pages:?}");
            let limited: Vec<_> = client.pages(endpoint.clone(), 2).collect().await;
            assert_eq!(limited.len(), 2, "the page limit holds");

            let uri = server.uri();
            let blocking_pages = tokio::task::spawn_blocking(move || {
                let client = backup_runtime::blocking::Client::builder(&uri)
                    .token(AuthToken::new(TOKEN))
                    .build()
                    .expect("a client");
                client.pages(endpoint, 10).collect::<Vec<_>>()
            })
            .await
            .expect("no panic");
            assert_eq!(blocking_pages.len(), 3);
            for got in blocking_pages {
                assert_eq!(serde_json::to_value(got.expect("a page")).expect("serializes"), page);
            }
            let requests = server.received_requests().await.expect("recorded");
            assert_eq!(requests.len(), 3 + 2 + 3, "no request past the last page");
        }
    }
}
