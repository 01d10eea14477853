//! `cargo xtask test`: everything the README's test command promises, in the order that fails
//! fastest: the Rust tests of every crate (models, endpoints and clients with every feature, the
//! generator's snapshots, the spec checks, the monitoring rules), then the third-party OpenAPI
//! validators. The pinned tools are installed first when missing (`.ci/install-tools`).

use crate::project_root;

/// Entry point.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask test".to_owned());
    }
    // The tests run Python's prometheus_client, promtool and the OpenAPI validators: install
    // them first on a fresh machine (a no-op once they are there).
    crate::tools::ensure_installed(false)?;
    let root = project_root();
    let mut test = crate::cargo();
    test.args(["test", "--workspace", "--all-features", "--quiet"])
        .current_dir(&root);
    if std::env::var_os("CI").is_some() {
        // A missing or changed snapshot fails instead of writing `.snap.new`.
        test.env("INSTA_UPDATE", "no");
    }
    eprintln!("xtask test: cargo test --workspace --all-features");
    let status = test
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo test failed".to_owned());
    }
    eprintln!("xtask test: third-party OpenAPI validators");
    crate::tools::validate_specs()
}
