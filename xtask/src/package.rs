//! `cargo xtask package`: packages every publishable crate with `cargo package` (each `.crate`
//! is unpacked and built on its own, its path dependencies replaced by the other `.crate`s), then
//! builds and runs a user's project that depends on the packaged `vbs-v3-models` as a user would
//! from crates.io (through `[patch.crates-io]`) and deserializes a body with it.
//!
//! Publishable: every workspace crate whose manifest does not say `publish = false` (xtask,
//! the fixtures and the benchmarks do).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, project_root};

/// The user's body: a VBS backup with a field the spec does not know, which must survive.
const BODY: &str = r#"{"backup": {"id": "b1", "status": "available", "volume_id": "v1", "created_at": "2026-12-05T10:00:00.000000", "links": [], "is_incremental": false, "has_dependent_backups": false, "vendor_field": 1}}"#;

/// What the user's program prints for [`BODY`].
const EXPECTED: &str = "b1 available lossless\n";

/// Entry point.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut verify = true;
    let mut allow_dirty = false;
    for arg in args {
        match arg.as_str() {
            "--no-verify" => verify = false,
            "--allow-dirty" => allow_dirty = true,
            _ => return Err("usage: cargo xtask package [--no-verify] [--allow-dirty]".to_owned()),
        }
    }
    let root = project_root();
    let crates = publishable(&root)?;
    let target = crate::target_dir();
    let mut package = cargo();
    package.arg("package").current_dir(&root);
    for (name, _) in &crates {
        package.args(["-p", name]);
    }
    if !verify {
        package.arg("--no-verify");
    }
    if allow_dirty {
        package.arg("--allow-dirty");
    }
    // Each packaged crate is built as its own workspace, without our profile: keep its debug
    // info as small as ours (CI disks are small).
    package.env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only");
    let names: Vec<&str> = crates.iter().map(|(name, _)| name.as_str()).collect();
    eprintln!("xtask package: cargo package {}", names.join(" "));
    run_ok(&mut package, "cargo package")?;
    if !verify {
        // Verification unpacks each `.crate`; without it, unpack them for the user's project.
        unpack(&target.join("package"))?;
    }
    let user = user_project(&target.join("package"), &crates)?;
    eprintln!(
        "xtask package: a user's project on the packaged crates ({})",
        user.display()
    );
    let output = cargo()
        .args(["run", "--quiet", "--manifest-path"])
        .arg(user.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target.join("package-user"))
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || stdout != EXPECTED {
        return Err(format!(
            "the user's project on the packaged crates failed ({}): stdout {stdout:?}, expected \
             {EXPECTED:?}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    eprintln!(
        "xtask package: {} crates packaged; the user's project printed {stdout:?}",
        crates.len()
    );
    Ok(())
}

/// The workspace's publishable crates, as `(name, version)`, sorted.
fn publishable(root: &Path) -> Result<Vec<(String, String)>, String> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let mut crates: Vec<(String, String)> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        // `publish = false` is an empty list of registries; absent (null) means crates.io.
        .filter(|package| {
            package["publish"]
                .as_array()
                .is_none_or(|list| !list.is_empty())
        })
        .filter_map(|package| {
            let name = package["name"].as_str()?;
            Some((name.to_owned(), package["version"].as_str()?.to_owned()))
        })
        .collect();
    crates.sort();
    Ok(crates)
}

/// Writes the user's project beside the packages: `vbs-v3-models` and `serde_json` from the
/// registry, every packaged crate patched in from its unpacked `.crate`.
fn user_project(packages: &Path, crates: &[(String, String)]) -> Result<PathBuf, String> {
    let mut patches = String::new();
    for (name, version) in crates {
        let dir = packages.join(format!("{name}-{version}"));
        if !dir.is_dir() {
            return Err(format!("no unpacked package at {}", dir.display()));
        }
        patches.push_str(&format!(
            "{name} = {{ path = {:?} }}\n",
            dir.display().to_string()
        ));
    }
    let models_version = crates
        .iter()
        .find_map(|(name, version)| (name == "vbs-v3-models").then_some(version.as_str()))
        .ok_or("vbs-v3-models is not among the publishable crates")?;
    let dir = packages.join("user");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"user\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\nvbs-v3-models = \"={models_version}\"\nserde_json = \"1\"\n\n\
         [patch.crates-io]\n{patches}"
    );
    let main = format!(
        "fn main() {{\n    \
             let text = r#\"{BODY}\"#;\n    \
             let body: vbs_v3_models::ShowBackupResponse =\n        \
                 serde_json::from_str(text).expect(\"a VBS backup\");\n    \
             let same = serde_json::to_value(&body).unwrap()\n        \
                 == serde_json::from_str::<serde_json::Value>(text).unwrap();\n    \
             let kept = if same {{ \"lossless\" }} else {{ \"lossy\" }};\n    \
             println!(\"{{}} {{}} {{kept}}\", body.backup.id, body.backup.status);\n\
         }}\n"
    );
    for (path, text) in [
        (dir.join("Cargo.toml"), manifest),
        (dir.join("src/main.rs"), main),
    ] {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(dir)
}

/// Unpacks every `<name>-<version>.crate` in `packages` beside it, as verification does.
fn unpack(packages: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(packages).map_err(|e| format!("{}: {e}", packages.display()))?;
    for path in entries.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
        if path.extension().is_some_and(|ext| ext == "crate") {
            run_ok(
                Command::new("tar")
                    .arg("-xzf")
                    .arg(&path)
                    .arg("-C")
                    .arg(packages),
                "tar -xzf",
            )?;
        }
    }
    Ok(())
}

fn run_ok(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
