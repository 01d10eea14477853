//! Architecture rules that the dependency graph must keep.

use std::process::Command;

/// `cargo tree` of `package` with default features, normal dependencies only, one name a line.
fn dependency_names(package: &str) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--package",
        ])
        .arg(package)
        .current_dir(xtask::project_root())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn model_and_endpoint_crates_pull_no_http_dependency() {
    let http = ["reqwest", "ureq", "hyper", "tokio", "http", "rustls"];
    for api in xtask::specs::APIS {
        for package in [format!("{api}-models"), format!("{api}-endpoints")] {
            let names = dependency_names(&package);
            assert!(
                names.iter().any(|n| n == "serde"),
                "{package}: cargo tree looks wrong: {names:?}"
            );
            let found: Vec<&String> = names
                .iter()
                .filter(|n| http.contains(&n.as_str()))
                .collect();
            assert!(
                found.is_empty(),
                "{package} pulls {found:?} with default features"
            );
        }
    }
}

/// `cargo xtask codegen` builds without any generated crate, so a generated file that does not
/// compile never keeps the generator from writing the fix (tests may link them as
/// dev-dependencies).
#[test]
fn xtask_links_no_generated_crate() {
    let names = dependency_names("xtask");
    assert!(
        names.iter().any(|n| n == "backup-codegen"),
        "cargo tree looks wrong: {names:?}"
    );
    let generated: Vec<&String> = names
        .iter()
        .filter(|n| n.ends_with("-models") || n.ends_with("-endpoints") || *n == "backup-apis")
        .collect();
    assert!(
        generated.is_empty(),
        "xtask depends on generated crates: {generated:?}"
    );
}
