//! Third-party tools: where they live, installing them, running them, and
//! `cargo xtask validate-specs`.
//!
//! Every tool is pinned in `tools/` (`requirements.txt`, `package.json` + `package-lock.json`,
//! `cargo-tools.txt`) and installed by `.ci/install-tools` into `.tools/` (git-ignored); chromium comes from Debian
//! (`/usr/bin/chromium`). Nothing here downloads anything itself: [`ensure_installed`] runs the
//! installer when a tool is missing or a pin file changed since the last install.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::project_root;

/// Where Debian's chromium is installed; the browser check drives it with playwright-core.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The Python tools, installed in the venv `.tools/venv`; every other tool is an npm binary.
const PYTHON_TOOLS: [&str; 3] = ["openapi-spec-validator", "python", "pip"];

/// The tools [`ensure_installed`] checks for (chromium besides, when asked).
const REQUIRED: [&str; 6] = [
    "openapi-spec-validator",
    "redocly",
    "spectral",
    "prism",
    "promtool",
    "cargo-semver-checks",
];

/// The binaries `cargo install` puts into `.tools/bin` (pinned in `tools/cargo-tools.txt`).
const CARGO_TOOLS: [&str; 1] = ["cargo-semver-checks"];

/// `.tools/`, where `.ci/install-tools` installs everything but chromium.
pub fn tools_dir() -> PathBuf {
    project_root().join(".tools")
}

/// Path of an installed tool: `openapi-spec-validator`, `python` and `pip` from the venv,
/// `promtool` and `cargo-semver-checks` from `.tools/bin`, `chromium`, or the name of any binary in `.tools/node_modules/.bin` (`redocly`, `spectral`,
/// `prism`, ...). The path may not exist yet: call [`ensure_installed`] first.
pub fn tool(name: &str) -> PathBuf {
    if name == "chromium" {
        PathBuf::from(CHROMIUM)
    } else if name == "promtool" || CARGO_TOOLS.contains(&name) {
        tools_dir().join("bin").join(name)
    } else if PYTHON_TOOLS.contains(&name) {
        tools_dir().join("venv/bin").join(name)
    } else {
        tools_dir().join("node_modules/.bin").join(name)
    }
}

/// Runs `.ci/install-tools` (with `--no-browser` unless `browser`) when a tool is missing or a pin
/// file in `tools/` is newer than its install; otherwise does nothing.
pub fn ensure_installed(browser: bool) -> Result<(), String> {
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|name| !tool(name).exists())
        .chain((browser && !Path::new(CHROMIUM).exists()).then_some("chromium"))
        .collect();
    let stale = is_newer("tools/requirements.txt", "venv/.stamp")
        || is_newer("tools/package-lock.json", "node_modules/.stamp")
        || is_newer("tools/package.json", "node_modules/.stamp")
        || is_newer("tools/cargo-tools.txt", "bin/.cargo-tools.stamp");
    if missing.is_empty() && !stale {
        return Ok(());
    }
    let installer = project_root().join(".ci/install-tools");
    let mut command = Command::new("bash");
    command.arg(&installer);
    if !browser {
        command.arg("--no-browser");
    }
    let why = if missing.is_empty() {
        "pins changed".to_owned()
    } else {
        format!("missing: {}", missing.join(", "))
    };
    eprintln!("running .ci/install-tools ({why})");
    let status = command
        .current_dir(project_root())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", installer.display()))?;
    if !status.success() {
        return Err(format!(".ci/install-tools failed ({status})"));
    }
    Ok(())
}

/// Whether the pin file `pin` (relative to the root) is newer than the stamp `stamp` (relative
/// to `.tools/`), or the stamp is missing.
fn is_newer(pin: &str, stamp: &str) -> bool {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (
        modified(project_root().join(pin)),
        modified(tools_dir().join(stamp)),
    ) {
        (Some(pin), Some(stamp)) => pin > stamp,
        _ => true,
    }
}

/// A command for an installed tool, with telemetry and colours off, run from the project root.
pub fn command(name: &str) -> Command {
    let mut command = Command::new(tool(name));
    command
        .current_dir(project_root())
        .env("REDOCLY_TELEMETRY", "off")
        .env("SCARF_ANALYTICS", "false")
        .env("DO_NOT_TRACK", "1")
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    command
}

/// Runs `command` and returns its stdout and stderr, interleaved as far as the two pipes allow
/// (stdout first). `Err` holds the same text, prefixed by `what` and the exit status.
pub fn run_captured(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let text = strip_banner(&text);
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}",
            output.status,
            text.trim_end()
        ))
    }
}

/// Drops Redocly's boxed Node.js deprecation notice (drawn with `╔`..`╝`), which says nothing
/// about the spec.
pub fn strip_banner(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_box = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('╔') {
            in_box = true;
        }
        if !in_box {
            out.push_str(line);
            out.push('\n');
        }
        if trimmed.starts_with('╚') {
            in_box = false;
        }
    }
    out
}

/// Redocly's closing summary of one `lint` run ("You have 3 warnings."), or "no warnings".
fn redocly_summary(output: &str) -> String {
    output
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("You have "))
        .map_or_else(
            || "no warnings".to_owned(),
            |rest| rest.trim_end_matches('.').to_owned(),
        )
}

/// `cargo xtask validate-specs`: runs openapi-spec-validator and `redocly lint` (with
/// `tools/redocly.yaml`, every example rule an error) on each `specs/<api>.yaml`.
///
/// Redocly does not read `externalValue` files when it checks examples, so each spec is also
/// bundled the way `cargo xtask publish` bundles it (examples inlined) into
/// `target/xtask/validate/` and that bundle is linted in the same run.
pub fn validate_specs() -> Result<(), String> {
    ensure_installed(false)?;
    let root = project_root();
    let scratch = root.join("target/xtask/validate");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let apis = crate::specs::apis()?;
    let mut failures = Vec::new();
    for api in &apis {
        if let Err(message) = validate_spec(api, &scratch) {
            eprintln!("specs/{api}.yaml: FAILED");
            failures.push(message);
        }
    }
    if failures.is_empty() {
        println!("validate-specs: all {} specs passed", apis.len());
        Ok(())
    } else {
        Err(format!(
            "{} of {} specs failed validation\n\n{}",
            failures.len(),
            apis.len(),
            failures.join("\n\n")
        ))
    }
}

/// Validates one spec; the error names the spec and the tool, with the tool's output.
fn validate_spec(api: &str, scratch: &Path) -> Result<(), String> {
    let spec = format!("specs/{api}.yaml");
    if !project_root().join(&spec).exists() {
        return Err(format!("{spec}: missing"));
    }
    run_captured(
        command("openapi-spec-validator").arg(&spec),
        &format!("{spec}: openapi-spec-validator"),
    )?;
    println!("{spec}: openapi-spec-validator OK");

    let bundle = crate::publish::bundle(api).map_err(|e| format!("bundling failed: {e}"))?;
    let bundled = scratch.join(format!("{api}.openapi.json"));
    std::fs::write(&bundled, &bundle.json)
        .map_err(|e| format!("cannot write {}: {e}", bundled.display()))?;
    let output = run_captured(
        command("redocly")
            .args([
                "lint",
                "--config",
                "tools/redocly.yaml",
                "--format",
                "stylish",
            ])
            .arg(&spec)
            .arg(&bundled),
        &format!("{spec}: redocly lint (source, and bundle with examples inlined)"),
    )?;
    println!(
        "{spec}: redocly lint OK ({}; source and bundle with examples inlined)",
        redocly_summary(&output)
    );
    Ok(())
}
