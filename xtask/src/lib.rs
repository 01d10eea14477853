//! Library half of `cargo xtask`, so its pieces can be tested.

pub mod codegen;
pub mod crates;
pub mod mock;
pub mod package;
pub mod publish;
pub mod semver;
pub mod specs;
pub mod test;
pub mod tools;

use std::path::PathBuf;

/// Usage text of `cargo xtask`.
pub const HELP: &str = "\
usage: cargo xtask <command>

  codegen [--check]   write the generated crates from specs/ (--check: fail if any is stale)
  test                run every test and spec check (what CI runs)
  publish [--out DIR] [--no-check]  write dist/: bundled specs, HTML reference, schemas; then check them
  package [--no-verify] [--allow-dirty]  cargo package every publishable crate, each built from its
                      .crate alone, then a user's project on the packaged crates
  validate-specs      run the third-party OpenAPI validators on specs/
  semver [--baseline REV]  is every change of the generated crates since REV (default HEAD)
                      compatible with their versions? (cargo-semver-checks)
";

/// Cargo's target folder: `CARGO_TARGET_DIR`, or `target/` of the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| project_root().join("target"), PathBuf::from)
}

/// The cargo that runs xtask (`CARGO`), or the `cargo` on the PATH.
pub fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The workspace root (the folder holding `specs/`, `crates/` and `xtask/`).
pub fn project_root() -> PathBuf {
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    dir.parent().map(PathBuf::from).unwrap_or(dir)
}
