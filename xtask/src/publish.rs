//! `cargo xtask publish [--out DIR] [--no-check]`: the published form of the specs.
//!
//! Writes into `DIR` (default `dist/`):
//!
//! - `<api>.openapi.json` and `<api>.openapi.yaml`: each `specs/<api>.yaml` bundled into one
//!   self-contained document: every example `externalValue` (a path relative to `specs/`) becomes
//!   an inline `value`, in the example file's own key order, and no external `$ref` remains. The
//!   same spec always gives the same bytes.
//! - `<api>.html`: a static HTML reference rendered offline by `redocly build-docs --inlineBundle`
//!   (no CDN), and `index.html` linking every page and file, with a table of the operations.
//! - `schemas/<api>/<Type>.schema.json`: the JSON Schema (2020-12) of every generated model type,
//!   from schemars, written by the `backup-apis` binary (`backup-apis schemas --out DIR`), so that
//!   xtask links no generated crate.
//!
//! Every API is a spec found in `specs/` ([`crate::specs::apis`]) and every operation is read
//! from its bundle: nothing here lists APIs or operations by hand. The output is the same bytes on
//! every run.
//!
//! Unless `--no-check`, it then writes everything a second time into
//! `<target>/publish-rebuild/` and fails unless both folders hold the same files with the same
//! bytes; lints the bundles with Redocly (`tools/redocly.yaml`, example rules as errors) and
//! Spectral (`tools/.spectral.yaml`, failing on errors); runs `tools/browser-check.mjs` over the
//! HTML pages in headless chromium, which writes a screenshot of each page into
//! `<target>/browser-check/` (not into the output: screenshots are not byte-stable); and serves
//! each bundle with Prism to call every operation with `backupctl call` ([`crate::mock`]).
//!
//! Specs are loaded typed, as [`openapiv3::OpenAPI`], never through `serde_json::Value`, so a
//! string such as `1.0` stays a string.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use openapiv3::{
    Components, Example, Header, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem,
    ReferenceOr, RequestBody, Response,
};

use crate::tools;
use crate::{project_root, target_dir};

/// A file in the output folder that marks it as ours, so a rerun may clear it.
const MARKER: &str = ".xtask-publish";

/// Entry point of `cargo xtask publish`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut out = project_root().join("dist");
    let mut check = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => {
                let dir = args.next().ok_or("--out needs a folder")?;
                out = std::env::current_dir()
                    .map_err(|e| format!("cannot read the current folder: {e}"))?
                    .join(dir);
            }
            "--no-check" => check = false,
            other => {
                return Err(format!(
                    "publish: unknown argument `{other}` (usage: cargo xtask publish [--out DIR] [--no-check])"
                ));
            }
        }
    }
    tools::ensure_installed(check)?;
    let apis = crate::specs::apis()?;
    let binaries = Binaries::build()?;
    write_dist(&out, &apis, &binaries)?;

    if check {
        let rebuild = target_dir().join("publish-rebuild");
        write_dist(&rebuild, &apis, &binaries)?;
        let differences = compare_dirs(&out, &rebuild)?;
        if !differences.is_empty() {
            return Err(format!(
                "publish: two runs wrote different bytes ({} and {}):\n  {}",
                out.display(),
                rebuild.display(),
                differences.join("\n  ")
            ));
        }
        println!(
            "publish: a second run into {} wrote the same bytes",
            rebuild.display()
        );
        std::fs::remove_dir_all(&rebuild)
            .map_err(|e| format!("cannot remove {}: {e}", rebuild.display()))?;
        run_checks(&out, &apis, &binaries)?;
    } else {
        println!("publish: --no-check: skipped Redocly, Spectral and the browser check");
    }
    println!("publish: wrote {}", out.display());
    Ok(())
}

/// Writes the published files of `apis` into `out` (see the module documentation).
fn write_dist(out: &Path, apis: &[String], binaries: &Binaries) -> Result<(), String> {
    prepare_out(out)?;
    let schemas_dir = out.join("schemas");
    tools::run_captured(
        std::process::Command::new(&binaries.backup_apis)
            .args(["schemas", "--out"])
            .arg(&schemas_dir),
        "backup-apis schemas",
    )?;
    let mut bundles = Vec::new();
    for api in apis {
        let bundle = bundle(api)?;
        write(&out.join(format!("{api}.openapi.json")), &bundle.json)?;
        write(&out.join(format!("{api}.openapi.yaml")), &bundle.yaml)?;
        println!("publish: {api}.openapi.json, {api}.openapi.yaml");
        build_docs(api, out)?;
        println!("publish: {api}.html");
        let schemas = file_names(&schemas_dir.join(api))?;
        bundles.push((bundle, schemas));
    }
    write(&out.join("index.html"), &index_html(&bundles))?;
    println!("publish: index.html");
    Ok(())
}

/// The binaries publish runs, built by one `cargo build`.
#[derive(Debug)]
struct Binaries {
    /// `backupctl`, for the Prism round trip.
    backupctl: PathBuf,
    /// `backup-apis`, which writes the JSON Schemas of the generated types.
    backup_apis: PathBuf,
}

impl Binaries {
    fn build() -> Result<Self, String> {
        let status = crate::cargo()
            .args(["build", "--quiet", "--package", "backupctl"])
            .args(["--package", "backup-apis"])
            .current_dir(project_root())
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err("cargo build -p backupctl -p backup-apis failed".to_owned());
        }
        let bin = target_dir().join("debug");
        Ok(Self {
            backupctl: bin.join("backupctl"),
            backup_apis: bin.join("backup-apis"),
        })
    }
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// Every file under `dir` (recursively), as paths relative to it, sorted.
fn all_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let here = dir.join(&relative);
        for entry in std::fs::read_dir(&here).map_err(|e| format!("{}: {e}", here.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", here.display()))?;
            let path = relative.join(entry.file_name());
            if entry.path().is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// How two published folders differ: each file that is in only one of them or whose bytes
/// differ, one line each. Empty when they are the same.
pub fn compare_dirs(a: &Path, b: &Path) -> Result<Vec<String>, String> {
    let (left, right) = (all_files(a)?, all_files(b)?);
    let mut differences = Vec::new();
    for file in &left {
        if !right.contains(file) {
            differences.push(format!("{}: only in {}", file.display(), a.display()));
        } else if std::fs::read(a.join(file)).ok() != std::fs::read(b.join(file)).ok() {
            differences.push(format!("{}: different bytes", file.display()));
        }
    }
    for file in right.iter().filter(|file| !left.contains(file)) {
        differences.push(format!("{}: only in {}", file.display(), b.display()));
    }
    Ok(differences)
}

/// Makes `out` an empty folder: creates it, or clears it when an earlier run wrote it (it holds
/// [`MARKER`]). Refuses to touch a non-empty folder that is not ours.
fn prepare_out(out: &Path) -> Result<(), String> {
    if out.join(MARKER).exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    } else if std::fs::read_dir(out).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(format!(
            "{} is not empty and was not written by `cargo xtask publish`; choose another --out",
            out.display()
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    write(
        &out.join(MARKER),
        "Written by `cargo xtask publish`; the next run clears this folder.\n",
    )
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A spec bundled into one self-contained document.
#[derive(Debug)]
pub struct Bundle {
    /// The API key (`specs/<api>.yaml`).
    pub api: String,
    /// The bundled document, examples inlined.
    pub doc: OpenAPI,
    /// Pretty JSON with a trailing newline.
    pub json: String,
    /// YAML.
    pub yaml: String,
}

/// Bundles `specs/<api>.yaml`: loads it typed, replaces every example `externalValue` with the
/// `value` parsed from that file, checks that no external `$ref` remains, and serializes it.
///
/// `serde_json::Value` keeps maps sorted, so the document is serialized through an ordered tree
/// (`yaml_serde::Value`, struct fields in declaration order, maps in document order) in which each
/// inlined example is replaced by its file's ordered form. The JSON and YAML are parsed back and
/// compared with the typed document. Errors name the file and the JSON pointer.
pub fn bundle(api: &str) -> Result<Bundle, String> {
    let specs = project_root().join("specs");
    let file = format!("specs/{api}.yaml");
    let text = std::fs::read_to_string(specs.join(format!("{api}.yaml")))
        .map_err(|e| format!("{file}: {e}"))?;
    let mut doc: OpenAPI = yaml_serde::from_str(&text)
        .map_err(|e| format!("{file}: not an OpenAPI 3.0 document: {e}"))?;

    // Inline the external examples, remembering each one's ordered form.
    let mut inlined: Vec<(String, OrderedJson)> = Vec::new();
    walk_examples(&mut doc, &mut |example, pointer| {
        let Some(external) = example.external_value.take() else {
            return Ok(());
        };
        if example.value.is_some() {
            return Err(format!(
                "{file}#{pointer}: both `value` and `externalValue`"
            ));
        }
        let at = format!("{file}#{pointer}/externalValue");
        let value = load_example(&specs, &external).map_err(|e| format!("{at}: {e}"))?;
        example.value = Some(serde_json::to_value(&value).map_err(|e| format!("{at}: {e}"))?);
        inlined.push((pointer.to_owned(), value));
        Ok(())
    })?;

    let mut tree = yaml_serde::to_value(&doc).map_err(|e| format!("{file}: {e}"))?;
    for (pointer, value) in inlined {
        let slot = lookup(&mut tree, &pointer)
            .and_then(|example| example.get_mut("value"))
            .ok_or_else(|| format!("{file}#{pointer}: bug in xtask publish: example not found"))?;
        *slot = value;
    }
    check_self_contained(&tree, &mut String::new())
        .map_err(|e| format!("{file}: not self-contained after bundling: {e}"))?;

    let mut json =
        serde_json::to_string_pretty(&tree).map_err(|e| format!("{file}: to JSON: {e}"))?;
    json.push('\n');
    let yaml = to_yaml(&tree).map_err(|e| format!("{file}: to YAML: {e}"))?;

    let from_json: OpenAPI = serde_json::from_str(&json)
        .map_err(|e| format!("{file}: bug in xtask publish: bundled JSON is not OpenAPI: {e}"))?;
    let from_yaml: OpenAPI = yaml_serde::from_str(&yaml)
        .map_err(|e| format!("{file}: bug in xtask publish: bundled YAML is not OpenAPI: {e}"))?;
    if from_json != doc || from_yaml != doc {
        return Err(format!(
            "{file}: bug in xtask publish: the bundled JSON or YAML does not read back as the spec"
        ));
    }
    Ok(Bundle {
        api: api.to_owned(),
        doc,
        json,
        yaml,
    })
}

/// The node at a JSON pointer (RFC 6901) in a tree of mappings and sequences.
fn lookup<'v>(tree: &'v mut OrderedJson, pointer: &str) -> Option<&'v mut OrderedJson> {
    let mut node = tree;
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        node = match node {
            OrderedJson::Mapping(map) => map.get_mut(key.as_str())?,
            OrderedJson::Sequence(items) => items.get_mut(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Reads an example file: `external` is a relative path under `specs/` holding one JSON document.
fn load_example(specs: &Path, external: &str) -> Result<OrderedJson, String> {
    if external.contains("://") || external.starts_with('/') {
        return Err(format!("`{external}` is not a path relative to specs/"));
    }
    let path = specs.join(external);
    let canonical = path
        .canonicalize()
        .map_err(|e| format!("specs/{external}: {e}"))?;
    let root = specs.canonicalize().map_err(|e| format!("specs/: {e}"))?;
    if !canonical.starts_with(&root) {
        return Err(format!("`{external}` points outside specs/"));
    }
    let text = std::fs::read_to_string(&canonical).map_err(|e| format!("specs/{external}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("specs/{external}: not JSON: {e}"))
}

/// Escapes one JSON-pointer segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

type ExampleFn<'a> = dyn FnMut(&mut Example, &str) -> Result<(), String> + 'a;

/// Calls `f` on every inline Example object of `doc` with its JSON pointer, in document order.
fn walk_examples(doc: &mut OpenAPI, f: &mut ExampleFn<'_>) -> Result<(), String> {
    for (path, item) in &mut doc.paths.paths {
        if let ReferenceOr::Item(item) = item {
            path_item(item, &format!("/paths/{}", escape(path)), f)?;
        }
    }
    if let Some(components) = &mut doc.components {
        walk_components(components, f)?;
    }
    Ok(())
}

fn walk_components(c: &mut Components, f: &mut ExampleFn<'_>) -> Result<(), String> {
    let base = "/components";
    for (name, example) in &mut c.examples {
        if let ReferenceOr::Item(example) = example {
            f(example, &format!("{base}/examples/{}", escape(name)))?;
        }
    }
    for (name, p) in &mut c.parameters {
        if let ReferenceOr::Item(p) = p {
            parameter(p, &format!("{base}/parameters/{}", escape(name)), f)?;
        }
    }
    for (name, body) in &mut c.request_bodies {
        if let ReferenceOr::Item(body) = body {
            request_body(body, &format!("{base}/requestBodies/{}", escape(name)), f)?;
        }
    }
    for (name, r) in &mut c.responses {
        if let ReferenceOr::Item(r) = r {
            response(r, &format!("{base}/responses/{}", escape(name)), f)?;
        }
    }
    for (name, h) in &mut c.headers {
        if let ReferenceOr::Item(h) = h {
            header(h, &format!("{base}/headers/{}", escape(name)), f)?;
        }
    }
    for (name, callback) in &mut c.callbacks {
        if let ReferenceOr::Item(callback) = callback {
            for (expression, item) in callback {
                let at = format!("{base}/callbacks/{}/{}", escape(name), escape(expression));
                path_item(item, &at, f)?;
            }
        }
    }
    Ok(())
}

fn path_item(item: &mut PathItem, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    for (i, p) in item.parameters.iter_mut().enumerate() {
        if let ReferenceOr::Item(p) = p {
            parameter(p, &format!("{at}/parameters/{i}"), f)?;
        }
    }
    let operations = [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ];
    for (method, op) in operations {
        if let Some(op) = op {
            operation(op, &format!("{at}/{method}"), f)?;
        }
    }
    Ok(())
}

fn operation(op: &mut Operation, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    for (i, p) in op.parameters.iter_mut().enumerate() {
        if let ReferenceOr::Item(p) = p {
            parameter(p, &format!("{at}/parameters/{i}"), f)?;
        }
    }
    if let Some(ReferenceOr::Item(body)) = &mut op.request_body {
        request_body(body, &format!("{at}/requestBody"), f)?;
    }
    if let Some(ReferenceOr::Item(r)) = &mut op.responses.default {
        response(r, &format!("{at}/responses/default"), f)?;
    }
    for (status, r) in &mut op.responses.responses {
        if let ReferenceOr::Item(r) = r {
            response(r, &format!("{at}/responses/{status}"), f)?;
        }
    }
    for (name, callback) in &mut op.callbacks {
        for (expression, item) in callback {
            let at = format!("{at}/callbacks/{}/{}", escape(name), escape(expression));
            path_item(item, &at, f)?;
        }
    }
    Ok(())
}

fn parameter(p: &mut Parameter, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    let (Parameter::Query {
        parameter_data: data,
        ..
    }
    | Parameter::Header {
        parameter_data: data,
        ..
    }
    | Parameter::Path {
        parameter_data: data,
        ..
    }
    | Parameter::Cookie {
        parameter_data: data,
        ..
    }) = p;
    examples(&mut data.examples, at, f)?;
    if let ParameterSchemaOrContent::Content(content) = &mut data.format {
        media_types(content, &format!("{at}/content"), f)?;
    }
    Ok(())
}

fn header(h: &mut Header, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    examples(&mut h.examples, at, f)?;
    if let ParameterSchemaOrContent::Content(content) = &mut h.format {
        media_types(content, &format!("{at}/content"), f)?;
    }
    Ok(())
}

fn request_body(body: &mut RequestBody, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    media_types(&mut body.content, &format!("{at}/content"), f)
}

fn response(r: &mut Response, at: &str, f: &mut ExampleFn<'_>) -> Result<(), String> {
    for (name, h) in &mut r.headers {
        if let ReferenceOr::Item(h) = h {
            header(h, &format!("{at}/headers/{}", escape(name)), f)?;
        }
    }
    media_types(&mut r.content, &format!("{at}/content"), f)
}

fn media_types(
    content: &mut openapiv3::Content,
    at: &str,
    f: &mut ExampleFn<'_>,
) -> Result<(), String> {
    for (media_type, m) in content {
        examples(&mut m.examples, &format!("{at}/{}", escape(media_type)), f)?;
    }
    Ok(())
}

fn examples<'m>(
    map: impl IntoIterator<Item = (&'m String, &'m mut ReferenceOr<Example>)>,
    at: &str,
    f: &mut ExampleFn<'_>,
) -> Result<(), String> {
    for (name, example) in map {
        if let ReferenceOr::Item(example) = example {
            f(example, &format!("{at}/examples/{}", escape(name)))?;
        }
    }
    Ok(())
}

/// Fails on a `$ref` that does not start with `#` or any `externalValue`, naming its pointer.
fn check_self_contained(value: &OrderedJson, pointer: &mut String) -> Result<(), String> {
    match value {
        OrderedJson::Mapping(map) => {
            for (key, child) in map {
                let key = key.as_str().unwrap_or_default();
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                match (key, child) {
                    ("$ref", OrderedJson::String(target)) if !target.starts_with('#') => {
                        return Err(format!("external $ref `{target}` at #{pointer}"));
                    }
                    ("externalValue", _) => {
                        return Err(format!("`externalValue` left at #{pointer}"));
                    }
                    _ => check_self_contained(child, pointer)?,
                }
                pointer.truncate(len);
            }
        }
        OrderedJson::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = pointer.len();
                write!(pointer, "/{i}").expect("writing to a String");
                check_self_contained(child, pointer)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Block-style YAML for a bundled document, readable by YAML 1.1 and 1.2 parsers alike: a string
/// is written plain only when no parser could read it as anything else (no leading digit, sign or
/// dot, so no number, timestamp or sexagesimal; no `yes`/`no`/`null`...), as a literal block
/// (`|`) when it has several lines, and double-quoted otherwise.
fn to_yaml(tree: &OrderedJson) -> Result<String, String> {
    let OrderedJson::Mapping(map) = tree else {
        return Err("the document is not a mapping".into());
    };
    let mut out = String::new();
    yaml_mapping(&mut out, map, 0)?;
    Ok(out)
}

fn yaml_mapping(out: &mut String, map: &yaml_serde::Mapping, indent: usize) -> Result<(), String> {
    for (key, value) in map {
        let OrderedJson::String(key) = key else {
            return Err(format!("a mapping key that is not a string: {key:?}"));
        };
        out.push_str(&" ".repeat(indent));
        out.push_str(&yaml_key(key));
        out.push(':');
        match value {
            OrderedJson::Mapping(m) if !m.is_empty() => {
                out.push('\n');
                yaml_mapping(out, m, indent + 2)?;
            }
            OrderedJson::Sequence(s) if !s.is_empty() => {
                out.push('\n');
                yaml_sequence(out, s, indent)?;
            }
            scalar => {
                out.push(' ');
                yaml_scalar(out, scalar, indent)?;
            }
        }
    }
    Ok(())
}

fn yaml_sequence(out: &mut String, items: &[OrderedJson], indent: usize) -> Result<(), String> {
    for item in items {
        // A nested collection is written one level deeper, then its first indent becomes `- `.
        let mut nested = String::new();
        match item {
            OrderedJson::Mapping(m) if !m.is_empty() => yaml_mapping(&mut nested, m, indent + 2)?,
            OrderedJson::Sequence(s) if !s.is_empty() => yaml_sequence(&mut nested, s, indent + 2)?,
            scalar => {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                yaml_scalar(out, scalar, indent)?;
                continue;
            }
        }
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        out.push_str(&nested[indent + 2..]);
    }
    Ok(())
}

/// Writes a scalar (or an empty collection) and its line end; a literal block's lines go at
/// `indent + 2`.
fn yaml_scalar(out: &mut String, value: &OrderedJson, indent: usize) -> Result<(), String> {
    match value {
        OrderedJson::Null => out.push_str("null"),
        OrderedJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        OrderedJson::Number(n) => {
            let text = n.to_string();
            // `1e30` is a float in YAML 1.2 but a string in YAML 1.1; `1.0e30` is a float in both.
            if text.contains('e') && !text.contains('.') {
                out.push_str(&text.replacen('e', ".0e", 1));
            } else {
                out.push_str(&text);
            }
        }
        OrderedJson::String(s) if is_plain(s) => out.push_str(s),
        OrderedJson::String(s) if is_literal_block(s) => {
            let body = s.trim_end_matches('\n');
            let newlines = s.len() - body.len();
            out.push_str(match newlines {
                0 => "|-",
                1 => "|",
                _ => "|+",
            });
            let trailing = std::iter::repeat_n("", newlines.saturating_sub(1));
            for line in body.split('\n').chain(trailing) {
                out.push('\n');
                if !line.is_empty() {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(line);
                }
            }
        }
        OrderedJson::String(s) => out.push_str(&double_quoted(s)),
        OrderedJson::Mapping(m) if m.is_empty() => out.push_str("{}"),
        OrderedJson::Sequence(s) if s.is_empty() => out.push_str("[]"),
        other => return Err(format!("cannot write {other:?} as a YAML scalar")),
    }
    out.push('\n');
    Ok(())
}

fn yaml_key(key: &str) -> String {
    if is_plain(key) {
        key.to_owned()
    } else {
        double_quoted(key)
    }
}

/// A JSON string literal, which is also a valid YAML double-quoted scalar.
fn double_quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// Whether a character may appear in a plain or literal YAML scalar as it is.
fn is_printable(c: char) -> bool {
    c == ' ' || (!c.is_whitespace() && !c.is_control() && c != '\u{feff}')
}

/// Whether `s` reads back as this same string when written as a plain YAML scalar, under YAML 1.1
/// and 1.2 alike.
fn is_plain(s: &str) -> bool {
    const RESERVED: [&str; 12] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nil", "none", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_alphabetic() || matches!(first, '/' | '_' | '$'))
        && s.trim() == s
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && s.chars().all(is_printable)
        && !RESERVED.iter().any(|word| s.eq_ignore_ascii_case(word))
}

/// Whether `s` can be written as a literal block: several lines, printable, and a first line that
/// fixes the block's indentation (not empty, no leading whitespace).
fn is_literal_block(s: &str) -> bool {
    let first = s.split('\n').next().unwrap_or_default();
    s.contains('\n')
        && !first.is_empty()
        && !first.starts_with([' ', '\t'])
        && s.chars().all(|c| c == '\n' || c == '\t' || is_printable(c))
}

/// An example body as read from its file: a `yaml_serde::Value`, whose mappings keep the file's key
/// order (`serde_json::Value` sorts them); `serde_json` parses into it and prints it. A key that
/// occurs twice in one object is an error.
type OrderedJson = yaml_serde::Value;

/// Renders `<out>/<api>.html` from the bundled JSON with `redocly build-docs --inlineBundle`,
/// then checks that the page loads no script, style or font from the network.
fn build_docs(api: &str, out: &Path) -> Result<(), String> {
    let html = out.join(format!("{api}.html"));
    tools::run_captured(
        tools::command("redocly")
            .arg("build-docs")
            .arg(out.join(format!("{api}.openapi.json")))
            .arg("--inlineBundle")
            .arg("--output")
            .arg(&html),
        &format!("{api}.html: redocly build-docs"),
    )?;
    let page = std::fs::read_to_string(&html).map_err(|e| format!("{}: {e}", html.display()))?;
    // Redoc's sidebar shows the Redocly logo from its CDN; show the same attribution offline.
    let mut page = page;
    for (url, svg) in REDOCLY_LOGOS {
        page = page.replace(url, svg);
    }
    std::fs::write(&html, &page).map_err(|e| format!("cannot write {}: {e}", html.display()))?;
    let remote = remote_assets(&page);
    if !remote.is_empty() {
        return Err(format!(
            "{}: the page loads assets from the network (a CDN), which must be inlined:\n  {}",
            html.display(),
            remote.join("\n  ")
        ));
    }
    Ok(())
}

/// The Redocly logos Redoc loads from its CDN (they are not in the npm package), each with an
/// inline SVG that shows the same attribution (a word mark, as text) without the network.
const REDOCLY_LOGOS: [(&str, &str); 2] = [
    (
        "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='56' height='16' \
         viewBox='0 0 56 16'%3E%3Ctext x='0' y='12' font-family='sans-serif' font-size='12' \
         font-weight='bold' fill='%23666'%3ERedocly%3C/text%3E%3C/svg%3E",
    ),
    (
        "https://cdn.redoc.ly/redoc/logo-mini.svg",
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='16' height='16' \
         viewBox='0 0 16 16'%3E%3Ctext x='3' y='12' font-family='sans-serif' font-size='12' \
         font-weight='bold' fill='%23666'%3ER%3C/text%3E%3C/svg%3E",
    ),
];

/// `http(s)://` URLs the page would load as a script, stylesheet or font: `src`/`href` of
/// `<script>` and `<link>` tags, CSS `url(...)` and `@import`. Links in text are not assets.
fn remote_assets(page: &str) -> Vec<String> {
    let lower = page.to_ascii_lowercase();
    let mut found = Vec::new();
    // Tags: find each `<script` / `<link` and look at its attributes up to `>`.
    for tag in ["<script", "<link"] {
        for (start, _) in lower.match_indices(tag) {
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
            let attrs = &lower[start..end];
            for attr in ["src=", "href="] {
                if let Some(at) = attrs.find(attr) {
                    let value = attrs[at + attr.len()..].trim_start_matches(['"', '\'']);
                    if value.starts_with("http://")
                        || value.starts_with("https://")
                        || value.starts_with("//")
                    {
                        found.push(page[start..end.min(start + 200)].to_owned());
                    }
                }
            }
        }
    }
    // CSS: url(http...) and @import "http...".
    for pattern in ["url(", "@import"] {
        for (start, _) in lower.match_indices(pattern) {
            let value = lower[start + pattern.len()..]
                .trim_start()
                .trim_start_matches("url(")
                .trim_start_matches(['"', '\'']);
            if value.starts_with("http://") || value.starts_with("https://") {
                // At most 120 bytes, cut on a character boundary.
                let mut end = (start + 120).min(page.len());
                while !page.is_char_boundary(end) {
                    end -= 1;
                }
                found.push(page[start..end].to_owned());
            }
        }
    }
    found
}

/// Escapes text for HTML.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every operation of a document: method, path, operationId, summary; in document order.
pub fn operations(doc: &OpenAPI) -> Vec<(&'static str, String, String, String)> {
    let mut ops = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let methods = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                ops.push((
                    method,
                    path.clone(),
                    op.operation_id.clone().unwrap_or_default(),
                    op.summary.clone().unwrap_or_default(),
                ));
            }
        }
    }
    ops
}

/// `index.html`: one section per API with its files and a table of its operations.
fn index_html(bundles: &[(Bundle, Vec<String>)]) -> String {
    let mut page = String::from(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cloud backup API reference</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
  th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
  th { background: #f3f3f3; }
  code { font-size: 0.95em; }
  .method { font-weight: bold; }
</style>
</head>
<body>
<h1>Cloud backup API reference</h1>
<p>OpenAPI 3.0.3 descriptions of cloud backup APIs, bundled with their documented examples.
Each API has an HTML reference, the bundled spec as JSON and YAML, and JSON Schemas of its models.</p>
<table>
<thead><tr><th>API</th><th>Version</th><th>Reference</th><th>Spec</th><th>Operations</th></tr></thead>
<tbody>
"#,
    );
    for (bundle, _) in bundles {
        let api = html(&bundle.api);
        let _ = writeln!(
            page,
            "<tr><td><a href=\"#{api}\">{}</a></td><td>{}</td><td><a href=\"{api}.html\">{api}.html</a></td>\
             <td><a href=\"{api}.openapi.json\">JSON</a> · <a href=\"{api}.openapi.yaml\">YAML</a></td><td>{}</td></tr>",
            html(&bundle.doc.info.title),
            html(&bundle.doc.info.version),
            operations(&bundle.doc).len(),
        );
    }
    page.push_str("</tbody>\n</table>\n");
    for (bundle, schemas) in bundles {
        let api = html(&bundle.api);
        let _ = writeln!(
            page,
            "<h2 id=\"{api}\">{}</h2>",
            html(&bundle.doc.info.title)
        );
        let _ = writeln!(
            page,
            "<p>API key <code>{api}</code> · <a href=\"{api}.html\">HTML reference</a> · \
             <a href=\"{api}.openapi.json\">{api}.openapi.json</a> · \
             <a href=\"{api}.openapi.yaml\">{api}.openapi.yaml</a></p>"
        );
        page.push_str(
            "<table>\n<thead><tr><th>Method</th><th>Path</th><th>operationId</th><th>Summary</th></tr></thead>\n<tbody>\n",
        );
        for (method, path, id, summary) in operations(&bundle.doc) {
            let _ = writeln!(
                page,
                "<tr><td class=\"method\">{method}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                html(&path),
                html(&id),
                html(&summary)
            );
        }
        page.push_str("</tbody>\n</table>\n");
        if schemas.is_empty() {
            let _ = writeln!(
                page,
                "<p>JSON Schemas of the models (<code>schemas/{api}/</code>): not published yet.</p>"
            );
        } else {
            let _ = write!(page, "<p>JSON Schemas of the models:");
            for name in schemas {
                let name = html(name);
                let _ = write!(page, " <a href=\"schemas/{api}/{name}\">{name}</a>");
            }
            page.push_str("</p>\n");
        }
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// The checks of a published folder: Redocly with `tools/redocly.yaml` (example rules as errors)
/// and Spectral with `tools/.spectral.yaml` (failing on errors) on the bundles, then
/// `tools/browser-check.mjs` on the pages (screenshots into `<target>/browser-check/`), then the
/// Prism round trip with `backupctl`. Runs all four and reports every failure.
fn run_checks(out: &Path, apis: &[String], binaries: &Binaries) -> Result<(), String> {
    let screenshots = target_dir().join("browser-check");
    let bundles: Vec<PathBuf> = apis
        .iter()
        .map(|api| out.join(format!("{api}.openapi.json")))
        .collect();
    let steps = [
        (
            "redocly lint",
            tools::command("redocly")
                .args(["lint", "--config", "tools/redocly.yaml"])
                .args(["--format", "stylish"])
                .args(&bundles)
                .output(),
        ),
        (
            "spectral lint",
            tools::command("spectral")
                .args(["lint", "--ruleset", "tools/.spectral.yaml"])
                .arg("--fail-severity=error")
                .args(&bundles)
                .output(),
        ),
        (
            "browser check (node tools/browser-check.mjs)",
            std::process::Command::new("node")
                .current_dir(project_root())
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .arg("tools/browser-check.mjs")
                .arg(out)
                .arg(&screenshots)
                .output(),
        ),
    ];
    let mut failures = Vec::new();
    for (what, output) in steps {
        let output = output.map_err(|e| format!("{what}: cannot run: {e}"))?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let text = tools::strip_banner(&text);
        if output.status.success() {
            println!("publish: {what}: OK");
            if what.starts_with("browser") {
                for line in text.lines() {
                    println!("  {line}");
                }
            }
        } else {
            println!("publish: {what}: FAILED");
            failures.push(format!(
                "{what} failed ({}):\n{}",
                output.status,
                text.trim_end()
            ));
        }
    }
    match crate::mock::prism_round_trip(out, &binaries.backupctl) {
        Ok(lines) => {
            println!("publish: Prism round trip (backupctl call against prism mock): OK");
            for line in lines {
                println!("  {line}");
            }
        }
        Err(e) => {
            println!("publish: Prism round trip: FAILED");
            failures.push(format!("Prism round trip failed:\n{e}"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "publish: {} of 4 checks failed on {}\n\n{}",
            failures.len(),
            out.display(),
            failures.join("\n\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_dirs_names_every_difference() {
        let root = std::env::temp_dir().join(format!("xtask-compare-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (a, b) = (root.join("a"), root.join("b"));
        for dir in [&a, &b] {
            write(&dir.join("same.json"), "{}\n").expect("write");
            write(&dir.join("schemas/x/T.schema.json"), "{}\n").expect("write");
        }
        assert_eq!(compare_dirs(&a, &b), Ok(Vec::new()));

        write(&b.join("schemas/x/T.schema.json"), "{ }\n").expect("write");
        write(&a.join("only-a.png"), "png").expect("write");
        write(&b.join("only-b.html"), "").expect("write");
        let found = compare_dirs(&a, &b).expect("readable");
        assert_eq!(
            found,
            [
                format!("only-a.png: only in {}", a.display()),
                "schemas/x/T.schema.json: different bytes".to_owned(),
                format!("only-b.html: only in {}", b.display()),
            ]
        );
        std::fs::remove_dir_all(&root).expect("clean up");
        assert!(
            compare_dirs(&a, &b).is_err(),
            "a missing folder is an error"
        );
    }
}
