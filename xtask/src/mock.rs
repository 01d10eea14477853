//! The mock-server round trip of `cargo xtask publish`: each bundled spec is served by Prism on
//! 127.0.0.1, `backupctl call` runs every operation against it, and each response must validate
//! against the spec's schema of that operation and equal its documented example.
//!
//! Bounded in time (Prism must listen within 60 s, each call has a 10 s timeout) and
//! cleaned up after itself: each Prism process is killed when its guard drops, on every path.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::project_root;
use crate::specs::{self, Body, Example};
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

/// Serves each `<out>/<api>.openapi.json` with Prism and calls every operation with `backupctl`.
/// Returns one line per operation checked; `Err` lists every failure.
pub fn prism_round_trip(out: &Path) -> Result<Vec<String>, String> {
    let backupctl = build_backupctl()?;
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for api in specs::APIS {
        match serve_and_call(api, out, &backupctl) {
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

/// Builds `backupctl` and returns the binary's path.
fn build_backupctl() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--package", "backupctl"])
        .current_dir(project_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build -p backupctl failed".to_owned());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| project_root().join("target"), PathBuf::from);
    Ok(target.join("debug").join("backupctl"))
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

    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for op in crate::models::operations(api)? {
        match call_one(api, op, port, backupctl) {
            Ok(line) => lines.push(line),
            Err(e) => failures.push(e),
        }
    }
    drop(prism);
    let _ = std::fs::remove_file(&log_path);
    if failures.is_empty() {
        Ok(lines)
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs one operation through `backupctl call` and checks the response body.
fn call_one(
    api: &str,
    op: &backup_runtime::registry::OperationInfo,
    port: u16,
    backupctl: &Path,
) -> Result<String, String> {
    let what = format!("{api} {}", op.id);
    let (status, _) = op
        .responses
        .iter()
        .find(|r| (200..300).contains(&r.status) && r.body.is_some())
        .map(|r| (r.status, r.body))
        .ok_or_else(|| format!("{what}: no documented success body"))?;
    let mut command = Command::new(backupctl);
    command
        .args([
            "call",
            "--api",
            api,
            "--operation",
            op.id,
            "--timeout",
            "10",
        ])
        .arg("--endpoint")
        .arg(format!("http://127.0.0.1:{port}"))
        .env("BACKUP_AUTH_TOKEN", TOKEN)
        .current_dir(project_root());
    for name in op
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        command
            .arg("--param")
            .arg(format!("{name}={name}-from-publish"));
    }
    if op.request.is_some() {
        let example = Example {
            operation_id: op.id.to_owned(),
            body: Body::Request,
            path: PathBuf::new(),
        };
        command
            .arg("--body")
            .arg(specs::examples_dir(api).join(example.file_name()));
    }
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run backupctl: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what}: backupctl call failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    let body: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("{what}: backupctl printed no JSON: {e}"))?;
    let example = Example {
        operation_id: op.id.to_owned(),
        body: Body::Response(status),
        path: specs::examples_dir(api).join(format!("{}.{status}.json", op.id)),
    };
    let schema = specs::try_example_schema(api, &example)?;
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
            "{what}: the response does not validate:\n{}",
            errors.join("\n")
        ));
    }
    let documented: serde_json::Value = std::fs::read(&example.path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
        .map_err(|e| format!("{what}: {}: {e}", example.path.display()))?;
    if body != documented {
        return Err(format!(
            "{what}: Prism's {status} body differs from the documented example"
        ));
    }
    Ok(format!(
        "{what}: {status}, validates, equals the documented example"
    ))
}
