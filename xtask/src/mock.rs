//! The mock-server round trip of `cargo xtask publish`: each bundled spec is served by Prism on
//! 127.0.0.1, `backupctl call` runs every operation of the bundle against it, and each response
//! must be what the spec says Prism answers: the lowest documented 2xx status, with no output
//! when that status has no body, otherwise a body that validates against the status's schema
//! and, when the spec gives examples, equals one of them.
//!
//! Nothing here names an operation: parameters take a value from their schema (`example`, first
//! `enum` value, `default`, or one that fits the type and format), and a request body is the
//! first example of the request (inline or bundled), else the first request case in
//! `specs/cases/<api>/`.
//!
//! Bounded in time (Prism must listen within 60 s, each call has a 10 s timeout) and
//! cleaned up after itself: each Prism process is killed when its guard drops, on every path.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::project_root;
use crate::specs;
use crate::tools;

/// How long Prism may take to start listening.
const STARTUP: Duration = Duration::from_secs(60);

/// The token sent to Prism (its security check wants the header present).
const TOKEN: &str = "prism-mock-token";

/// Kills the child process when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves each `<out>/<api>.openapi.json` with Prism and calls every operation with `backupctl`
/// (the binary at `backupctl`). Returns one line per operation checked; `Err` lists every failure.
pub fn prism_round_trip(out: &Path, backupctl: &Path) -> Result<Vec<String>, String> {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for api in specs::apis()? {
        match serve_and_call(&api, out, backupctl) {
            Ok(lines) => report.extend(lines),
            Err(e) => failures.push(e),
        }
    }
    if failures.is_empty() {
        Ok(report)
    } else {
        Err(failures.join("\n"))
    }
}

/// A free TCP port on 127.0.0.1.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn serve_and_call(api: &str, out: &Path, backupctl: &Path) -> Result<Vec<String>, String> {
    let port = free_port()?;
    let bundle = out.join(format!("{api}.openapi.json"));
    let log_path = std::env::temp_dir().join(format!("prism-{api}-{}.log", std::process::id()));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("{}: {e}", log_path.display()))?;
    let child = tools::command("prism")
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg(&bundle)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("{api}: cannot start prism: {e}"))?;
    let mut prism = Killed(child);
    let log_text = || std::fs::read_to_string(&log_path).unwrap_or_default();

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if let Ok(Some(status)) = prism.0.try_wait() {
            return Err(format!("{api}: prism exited ({status}):\n{}", log_text()));
        }
        if started.elapsed() > STARTUP {
            return Err(format!(
                "{api}: prism did not listen within {STARTUP:?}:\n{}",
                log_text()
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let doc: Value = std::fs::read(&bundle)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
        .map_err(|e| format!("{}: {e}", bundle.display()))?;
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for op in operations(&doc) {
        match call_one(api, &doc, &op, port, backupctl) {
            Ok(line) => lines.push(line),
            Err(e) => failures.push(e),
        }
    }
    if lines.is_empty() && failures.is_empty() {
        failures.push(format!("{api}: the bundle has no operation"));
    }
    drop(prism);
    let _ = std::fs::remove_file(&log_path);
    if failures.is_empty() {
        Ok(lines)
    } else {
        Err(failures.join("\n"))
    }
}

/// One operation of a bundle: where it is, and its path item and operation objects.
#[derive(Debug)]
struct Op<'d> {
    method: &'static str,
    path: &'d str,
    item: &'d Value,
    operation: &'d Value,
}

/// Every operation of a bundle (plain JSON data), by path and method.
fn operations(doc: &Value) -> Vec<Op<'_>> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                ops.push(Op {
                    method,
                    path,
                    item,
                    operation,
                });
            }
        }
    }
    ops
}

/// Follows a local `$ref` of `doc` (a chain of them, up to 32); any other value is returned as
/// is.
fn resolve<'d>(doc: &'d Value, mut value: &'d Value) -> &'d Value {
    for _ in 0..32 {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| doc.pointer(pointer))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// The value `backupctl` sends for a parameter: its `example`, the first `enum` value, its
/// `default`, or a value of its type and format.
fn param_value(doc: &Value, parameter: &Value) -> String {
    let text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(example) = parameter.get("example") {
        return text(example);
    }
    let schema = resolve(doc, &parameter["schema"]);
    let schema = schema["allOf"]
        .get(0)
        .map_or(schema, |first| resolve(doc, first));
    if let Some(example) = schema.get("example") {
        return text(example);
    }
    if let Some(first) = schema["enum"].get(0) {
        return text(first);
    }
    if let Some(default) = schema.get("default") {
        return text(default);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("integer" | "number"), _) => {
            schema.get("minimum").map_or_else(|| "1".to_owned(), text)
        }
        (Some("boolean"), _) => "true".to_owned(),
        (_, Some("uuid")) => "6f1c2a4e-0b7d-4e5a-9c3f-2d8e1b0a7c65".to_owned(),
        (_, Some("date-time")) => "2024-01-02T03:04:05Z".to_owned(),
        (_, Some("date")) => "2024-01-02".to_owned(),
        _ => format!(
            "{}-from-publish",
            parameter["name"].as_str().unwrap_or("value")
        ),
    }
}

/// The `name=value` parameters sent: every path parameter, and every required query or header
/// parameter (path-item level first, replaced by the operation's own of the same name), except
/// the header of an `apiKey` security scheme: `backupctl` sends the token itself.
fn params(doc: &Value, op: &Op<'_>) -> Vec<(String, String)> {
    let token_headers: Vec<String> = doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flat_map(|schemes| schemes.values())
        .filter(|scheme| scheme["type"] == "apiKey" && scheme["in"] == "header")
        .filter_map(|scheme| scheme["name"].as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut found: Vec<(String, String, String)> = Vec::new();
    let declared = op.item["parameters"]
        .as_array()
        .into_iter()
        .chain(op.operation["parameters"].as_array())
        .flatten();
    for parameter in declared {
        let parameter = resolve(doc, parameter);
        let (Some(name), Some(location)) = (parameter["name"].as_str(), parameter["in"].as_str())
        else {
            continue;
        };
        let required = parameter["required"].as_bool() == Some(true);
        if !(location == "path" || (required && matches!(location, "query" | "header")))
            || (location == "header" && token_headers.contains(&name.to_ascii_lowercase()))
        {
            continue;
        }
        found.retain(|(n, l, _)| !(n == name && l == location));
        found.push((
            name.to_owned(),
            location.to_owned(),
            param_value(doc, parameter),
        ));
    }
    found
        .into_iter()
        .map(|(name, _, value)| (name, value))
        .collect()
}

/// The examples of a media type object: `example`, then each of `examples` (values the bundle
/// inlined).
fn media_examples(doc: &Value, media: &Value) -> Vec<Value> {
    let mut found: Vec<Value> = media.get("example").cloned().into_iter().collect();
    for example in media["examples"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        if let Some(value) = resolve(doc, example).get("value") {
            found.push(value.clone());
        }
    }
    found
}

/// The media type object of a request body's or response's content: `application/json`, else
/// the first.
fn media(content: &Value) -> Option<&Value> {
    let content = content.as_object()?;
    content
        .get("application/json")
        .or_else(|| content.values().next())
}

/// The request body sent: the request's first example, else the first request case
/// `specs/cases/<api>/<operationId>.request.<case>.json`.
fn request_body(doc: &Value, api: &str, id: &str, body: &Value) -> Result<String, String> {
    let body = resolve(doc, body);
    if let Some(example) = media(&body["content"])
        .map(|m| media_examples(doc, m))
        .and_then(|examples| examples.into_iter().next())
    {
        return serde_json::to_string(&example).map_err(|e| format!("{api} {id}: {e}"));
    }
    let dir = specs::specs_dir().join("cases").join(api);
    let prefix = format!("{id}.request.");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
        })
        .collect();
    cases.sort();
    let case = cases.first().ok_or_else(|| {
        format!(
            "{api} {id}: the request body has no example and there is no {}/{prefix}<case>.json",
            dir.display()
        )
    })?;
    std::fs::read_to_string(case).map_err(|e| format!("{}: {e}", case.display()))
}

/// Runs one operation through `backupctl call` and checks what it prints.
fn call_one(
    api: &str,
    doc: &Value,
    op: &Op<'_>,
    port: u16,
    backupctl: &Path,
) -> Result<String, String> {
    let id = op.operation["operationId"].as_str().ok_or_else(|| {
        format!(
            "{api} {} {}: no operationId",
            op.method.to_uppercase(),
            op.path
        )
    })?;
    let what = format!("{api} {id}");
    let (status, response) = op.operation["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(status, response)| Some((status.parse::<u16>().ok()?, response)))
        .filter(|(status, _)| (200..300).contains(status))
        .min_by_key(|(status, _)| *status)
        .ok_or_else(|| format!("{what}: no documented 2xx response"))?;
    let response = resolve(doc, response);

    let mut command = Command::new(backupctl);
    command
        .args(["call", "--api", api, "--operation", id, "--timeout", "10"])
        .arg("--endpoint")
        .arg(format!("http://127.0.0.1:{port}"))
        .env("BACKUP_AUTH_TOKEN", TOKEN)
        .current_dir(project_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in params(doc, op) {
        command.arg("--param").arg(format!("{name}={value}"));
    }
    let body = match op.operation.get("requestBody") {
        Some(body) => {
            command.args(["--body", "-"]);
            request_body(doc, api, id, body)?
        }
        None => String::new(),
    };
    let mut child = command
        .spawn()
        .map_err(|e| format!("{what}: cannot run backupctl: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write as _;
        stdin
            .write_all(body.as_bytes())
            .map_err(|e| format!("{what}: cannot write the body to backupctl: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{what}: backupctl: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what}: backupctl call failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }

    let Some(media) = media(&response["content"]) else {
        if !output.stdout.is_empty() {
            return Err(format!(
                "{what}: {status} has no body, but backupctl printed {} bytes",
                output.stdout.len()
            ));
        }
        return Ok(format!("{what}: {status}, no body, as documented"));
    };
    let body: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{what}: backupctl printed no JSON: {e}"))?;
    let schema = specs::standalone(doc, &media["schema"]);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| format!("{what}: invalid schema: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| format!("  at `{}`: {e}", e.instance_path().as_str()))
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{what}: the {status} response does not validate:\n{}",
            errors.join("\n")
        ));
    }
    let examples = media_examples(doc, media);
    if examples.is_empty() {
        return Ok(format!(
            "{what}: {status}, validates (no example to compare)"
        ));
    }
    if !examples.contains(&body) {
        return Err(format!(
            "{what}: Prism's {status} body equals none of the {} documented examples",
            examples.len()
        ));
    }
    Ok(format!(
        "{what}: {status}, validates, equals a documented example"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_take_values_from_their_schema() {
        let doc = json!({
            "components": {
                "securitySchemes": {"token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}},
                "parameters": {"Id": {"name": "backup_id", "in": "path", "required": true,
                    "schema": {"type": "string", "format": "uuid"}}},
                "schemas": {"Dir": {"type": "string", "enum": ["asc", "desc"]}}
            },
            "paths": {"/v1/{project_id}/backups/{backup_id}": {
                "parameters": [{"name": "project_id", "in": "path", "required": true,
                    "schema": {"type": "string"}}],
                "get": {
                    "operationId": "showBackup",
                    "parameters": [
                        {"$ref": "#/components/parameters/Id"},
                        {"name": "sort_dir", "in": "query", "required": true,
                            "schema": {"$ref": "#/components/schemas/Dir"}},
                        {"name": "limit", "in": "query", "required": true,
                            "schema": {"type": "integer", "minimum": 1}},
                        {"name": "marker", "in": "query", "schema": {"type": "string"}},
                        {"name": "x-auth-token", "in": "header", "required": true,
                            "schema": {"type": "string"}},
                        {"name": "OpenStack-API-Version", "in": "header", "required": true,
                            "example": "volume 3.64", "schema": {"type": "string"}}
                    ],
                    "responses": {}
                }
            }}
        });
        let ops = operations(&doc);
        let [op] = &ops[..] else {
            panic!("one operation: {ops:?}");
        };
        let sent = params(&doc, op);
        let expected = [
            ("project_id", "project_id-from-publish"),
            ("backup_id", "6f1c2a4e-0b7d-4e5a-9c3f-2d8e1b0a7c65"),
            ("sort_dir", "asc"),
            ("limit", "1"),
            ("OpenStack-API-Version", "volume 3.64"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(sent, expected);
    }

    #[test]
    fn request_bodies_and_examples_come_from_the_bundle() {
        let doc = json!({
            "components": {"examples": {"E": {"value": {"b": 2}}}},
        });
        let body = json!({"content": {"application/json-patch+json": {
            "examples": {"one": {"value": [{"op": "replace"}]}}
        }}});
        assert_eq!(
            request_body(&doc, "x", "updateBackup", &body),
            Ok(r#"[{"op":"replace"}]"#.to_owned())
        );
        let media =
            json!({"example": {"a": 1}, "examples": {"r": {"$ref": "#/components/examples/E"}}});
        assert_eq!(
            media_examples(&doc, &media),
            [json!({"a": 1}), json!({"b": 2})]
        );
        let error = request_body(&doc, "no-such-api", "createBackup", &json!({"content": {}}))
            .expect_err("no example anywhere");
        assert!(
            error.contains("no-such-api createBackup: the request body has no example"),
            "{error}"
        );
    }
}
