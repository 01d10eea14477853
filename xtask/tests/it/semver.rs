//! `cargo xtask semver`'s check on a small API (`tests/fixtures/semver/`): its crates generated
//! from `v1.yaml` are the baseline; a spec grown by an optional field, an enum value, a success
//! status, a query parameter and an operation (`added.yaml`) passes; one without an optional
//! field (`removed.yaml`) fails, naming the crate and the field.
//!
//! Each version is a workspace of its own in `target/xtask/semver-fixture/`, generated with the
//! real generator and manifests, with the project's `Cargo.toml` (its dependency paths made
//! absolute) and `Cargo.lock`, so nothing is resolved anew. cargo-semver-checks comes from the
//! project's installer; without it the test fails (it never skips).

use std::path::{Path, PathBuf};

use xtask::project_root;

const API: &str = "semver-fixture";

/// The crates of the fixture API.
fn crates() -> Vec<String> {
    vec![format!("{API}-models"), format!("{API}-endpoints")]
}

/// Generates the fixture API from `tests/fixtures/semver/<spec>.yaml` into a workspace of its own
/// and returns its root.
fn workspace(spec: &str) -> PathBuf {
    let root = project_root();
    let dir = root.join("target/xtask/semver-fixture").join(spec);
    let _ = std::fs::remove_dir_all(&dir);
    let yaml =
        std::fs::read_to_string(root.join(format!("xtask/tests/fixtures/semver/{spec}.yaml")))
            .expect("the fixture spec");
    let mut files = backup_codegen::generate(API, &format!("specs/{API}.yaml"), &yaml)
        .unwrap_or_else(|e| panic!("{spec}: {e}"));
    files.push(xtask::crates::models_manifest(API));
    files.push(xtask::crates::endpoints_manifest(API));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let members = "members = [\"crates/*\", \"xtask\"]";
    assert!(
        manifest.contains(members),
        "the workspace members changed: {members}"
    );
    let manifest = manifest
        .replace(members, "members = [\"crates/*\"]")
        .replace(
            "path = \"crates/",
            &format!("path = \"{}/crates/", root.display()),
        );
    for (path, contents) in files
        .into_iter()
        .map(|file| (file.path, file.contents))
        .chain([("Cargo.toml".to_owned(), manifest)])
    {
        write(&dir.join(path), &contents);
    }
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    dir
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn adding_an_optional_field_passes_and_removing_one_fails() {
    xtask::tools::ensure_installed(false).expect("the pinned tools install");
    let v1 = workspace("v1");

    let added = workspace("added");
    xtask::semver::check(&added, &v1, &crates(), "v1")
        .unwrap_or_else(|report| panic!("added.yaml should be compatible:\n{report}"));

    let removed = workspace("removed");
    let report = xtask::semver::check(&removed, &v1, &crates(), "v1")
        .expect_err("removed.yaml breaks the models crate");
    assert!(report.contains(&format!("{API}-models (")), "{report}");
    assert!(!report.contains(&format!("{API}-endpoints (")), "{report}");
    assert!(report.contains("struct_pub_field_missing"), "{report}");
    assert!(report.contains("field name of struct Thing"), "{report}");

    // A new version of the models crate allows the break; the endpoints crate, which re-exports
    // the models, must move with it.
    let bump = |name: &str, version: &str| {
        let path = removed.join("crates").join(name).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&path).expect("the manifest");
        let bumped = manifest.replace(
            "\nversion = \"0.1.0\"\n",
            &format!("\nversion = \"{version}\"\n"),
        );
        assert_ne!(bumped, manifest, "{name} was at 0.1.0");
        std::fs::write(&path, bumped).expect("write");
    };
    bump(&format!("{API}-models"), "0.2.0");
    // As `cargo xtask codegen` would: the endpoints crate requires the models' new version.
    let endpoints = removed
        .join("crates")
        .join(format!("{API}-endpoints"))
        .join("Cargo.toml");
    let manifest = std::fs::read_to_string(&endpoints).expect("the manifest");
    let requirement = format!("{API}-models = {{ path = \"../{API}-models\", version = ");
    let bumped = manifest.replace(
        &format!("{requirement}\"0.1.0\""),
        &format!("{requirement}\"0.2.0\""),
    );
    assert_ne!(
        bumped, manifest,
        "the endpoints crate requires its models by version"
    );
    std::fs::write(&endpoints, bumped).expect("write");
    let report = xtask::semver::check(&removed, &v1, &crates(), "v1")
        .expect_err("the endpoints crate re-exports the models");
    assert!(!report.contains("struct_pub_field_missing"), "{report}");
    assert!(
        report.contains(&format!(
            "{API}-endpoints (0.1.0) re-exports {API}-models as `models`, which moved from 0.1.0 to 0.2.0"
        )),
        "{report}"
    );
    bump(&format!("{API}-endpoints"), "0.2.0");
    xtask::semver::check(&removed, &v1, &crates(), "v1")
        .unwrap_or_else(|report| panic!("both crates at 0.2.0:\n{report}"));
}

#[test]
fn a_crate_missing_from_the_baseline_is_new() {
    let empty = project_root().join("target/xtask/semver-fixture/empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    // No tool runs: neither crate is in the baseline.
    xtask::semver::check(&project_root(), &empty, &crates(), "the baseline")
        .expect("new crates pass");
}

#[test]
fn every_generated_crate_has_a_changelog_naming_its_version() {
    let root = project_root();
    for api in xtask::specs::APIS {
        for name in [format!("{api}-models"), format!("{api}-endpoints")] {
            let changelog = root.join("crates").join(&name).join("CHANGELOG.md");
            let text = std::fs::read_to_string(&changelog)
                .unwrap_or_else(|e| panic!("{}: {e}", changelog.display()));
            let version = text
                .lines()
                .find_map(xtask::crates::changelog_version)
                .unwrap_or_else(|| panic!("{}: no `## <version>` heading", changelog.display()));
            let manifest =
                std::fs::read_to_string(root.join("crates").join(&name).join("Cargo.toml"))
                    .expect("the manifest");
            assert!(
                manifest.contains(&format!("\nversion = \"{version}\"\n")),
                "{name}: Cargo.toml is not at {version}: run cargo xtask codegen"
            );
        }
    }
}

#[test]
fn baselines_are_extracted_once_and_a_missing_one_is_an_error_saying_why() {
    let err = xtask::semver::checkout(&project_root(), "no-such-revision").expect_err("no commit");
    assert!(err.contains("`no-such-revision` is not a commit"), "{err}");

    // A shallow clone of one commit has no HEAD~1: CI must say so rather than pass.
    let shallow = project_root().join("target/xtask/semver-fixture/shallow");
    let _ = std::fs::remove_dir_all(&shallow);
    let source = format!("file://{}", project_root().display());
    let cloned = std::process::Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", &source])
        .arg(&shallow)
        .status()
        .expect("git clone");
    assert!(cloned.success());
    let err = xtask::semver::checkout(&shallow, "HEAD~1").expect_err("no parent");
    assert!(err.contains("which is shallow"), "{err}");

    // HEAD is there: its tree is extracted, and the tree of an older baseline goes.
    let old = shallow.join("target/xtask/semver/0123abcd");
    std::fs::create_dir_all(&old).expect("mkdir");
    let tree = xtask::semver::checkout(&shallow, "HEAD").expect("HEAD");
    assert!(tree.join("Cargo.toml").is_file() && tree.join("specs").is_dir());
    assert!(!old.exists());
    assert_eq!(
        xtask::semver::checkout(&shallow, "HEAD"),
        Ok(tree),
        "reused"
    );
    std::fs::remove_dir_all(&shallow).expect("clean up");
}
