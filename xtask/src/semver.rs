//! `cargo xtask semver [--baseline REV]`: is every change of the generated crates compatible with
//! their versions?
//!
//! For each generated crate (`crates/<api>-models`, `crates/<api>-endpoints`), the pinned
//! `cargo-semver-checks` (`tools/cargo-tools.txt`) compares the public API of the working tree
//! with the same crate at the git revision `REV` (default `HEAD`, i.e. the uncommitted
//! regeneration), extracted with `git archive` into `target/xtask/semver/<commit>/` (the last one
//! is kept). A breaking change passes only when the crate's version says so (`0.2.x` ->
//! `0.3.0`); the version is the newest heading of the crate's `CHANGELOG.md`
//! ([`crate::crates::crate_version`]). An endpoints crate must move with the models crate it
//! re-exports. A crate the baseline does not have is new: it is skipped, with a line.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{project_root, tools};

/// Runs `cargo xtask semver` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut rev = "HEAD".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--baseline" => {
                rev.clone_from(args.next().ok_or("--baseline needs a git revision")?);
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (usage: cargo xtask semver [--baseline REV])"
                ));
            }
        }
    }
    tools::ensure_installed(false)?;
    let root = project_root();
    let started = std::time::Instant::now();
    let baseline = checkout(&root, &rev)?;
    let apis = crate::specs::apis()?;
    let crates: Vec<String> = apis
        .iter()
        .flat_map(|api| [format!("{api}-models"), format!("{api}-endpoints")])
        .collect();
    let result = check(&root, &baseline, &crates, &rev);
    eprintln!("semver: {:.0?} in all", started.elapsed());
    result
}

/// Compares each crate of `crates` (package names, in `current/crates/<name>`) with the same
/// crate of the workspace at `baseline`, passing the tool's report through. `Err` names every
/// crate with a change its version does not allow.
pub fn check(current: &Path, baseline: &Path, crates: &[String], rev: &str) -> Result<(), String> {
    let mut breaking = Vec::new();
    for name in crates {
        if !baseline
            .join("crates")
            .join(name)
            .join("Cargo.toml")
            .is_file()
        {
            println!("semver: {name} is new since {rev}: nothing to compare");
            continue;
        }
        let output = Command::new(tools::tool("cargo-semver-checks"))
            .arg("semver-checks")
            .arg("--manifest-path")
            .arg(current.join("Cargo.toml"))
            .args(["--package", name])
            .arg("--baseline-root")
            .arg(baseline)
            // The client features only turn on the runtime's clients: no item of a generated
            // crate depends on them, and building reqwest and ureq for rustdoc would be slow.
            .arg("--only-explicit-features")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo-semver-checks: {e}"))?;
        // Its progress and summary go to stderr, the failed checks to stdout.
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        if output.status.success() {
            print!("{report}");
        } else {
            breaking.push(format!(
                "{name} ({}):\n{}",
                output.status,
                report.trim_end()
            ));
        }
    }
    breaking.extend(reexports(current, baseline, crates));
    if breaking.is_empty() {
        println!(
            "semver: {} crates compatible with their versions since {rev}",
            crates.len()
        );
        Ok(())
    } else {
        Err(format!(
            "{}\n\nbreaking change since {rev}: if it is meant, add a section for the next \
             version (0.x -> 0.(x+1).0) at the top of the crate's CHANGELOG.md, run \
             `cargo xtask codegen`, and commit both",
            breaking.join("\n\n")
        ))
    }
}

/// An endpoints crate re-exports its models crate (`models`), which cargo-semver-checks does not
/// look into: when the models crate moves to an incompatible version, the endpoints crate must
/// too. One message per endpoints crate that did not.
fn reexports(current: &Path, baseline: &Path, crates: &[String]) -> Vec<String> {
    let mut missed = Vec::new();
    for models in crates {
        let Some(api) = models.strip_suffix("-models") else {
            continue;
        };
        let endpoints = format!("{api}-endpoints");
        if !crates.contains(&endpoints) {
            continue;
        }
        let versions = [
            version(baseline, models),
            version(current, models),
            version(baseline, &endpoints),
            version(current, &endpoints),
        ];
        let [
            Some(old_models),
            Some(new_models),
            Some(old_endpoints),
            Some(new_endpoints),
        ] = versions
        else {
            continue;
        };
        if compatible(&old_models) != compatible(&new_models)
            && compatible(&old_endpoints) == compatible(&new_endpoints)
        {
            missed.push(format!(
                "{endpoints} ({new_endpoints}) re-exports {models} as `models`, which moved from \
                 {old_models} to {new_models}: {endpoints} needs a new version too"
            ));
        }
    }
    missed
}

/// The `version` of `crates/<name>/Cargo.toml` under `root`.
fn version(root: &Path, name: &str) -> Option<String> {
    let manifest =
        std::fs::read_to_string(root.join("crates").join(name).join("Cargo.toml")).ok()?;
    manifest.lines().find_map(|line| {
        let value = line.strip_prefix("version = \"")?.strip_suffix('"')?;
        Some(value.to_owned())
    })
}

/// What stays the same between compatible versions: `0.y` below 1.0, else the major number.
fn compatible(version: &str) -> String {
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}"),
        (major, _) => major.unwrap_or_default().to_owned(),
    }
}

/// The tree of the commit `rev` of the repository at `root`, extracted once into
/// `target/xtask/semver/<commit>/` (reused while complete).
pub fn checkout(root: &Path, rev: &str) -> Result<PathBuf, String> {
    let commit = git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| {
        let shallow = git(root, &["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|answer| answer == "true");
        if shallow {
            format!(
                "the baseline `{rev}` is not in this clone, which is shallow: fetch more \
                     history (`git fetch --deepen=1`, or clone with `--depth 2` or more)"
            )
        } else {
            format!("the baseline `{rev}` is not a commit of this repository")
        }
    })?;
    let parent = root.join("target/xtask/semver");
    let dir = parent.join(&commit);
    let complete = dir.join(".complete");
    if complete.exists() {
        return Ok(dir);
    }
    // One baseline is kept: the trees of other commits (8 MB each) go.
    for entry in std::fs::read_dir(&parent).into_iter().flatten().flatten() {
        let _ = std::fs::remove_dir_all(entry.path());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut archive = Command::new("git")
        .args(["archive", "--format=tar", &commit])
        .current_dir(root)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&dir)
        .stdin(archive.stdout.take().ok_or("git archive has no stdout")?)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let archived = archive
        .wait()
        .map_err(|e| format!("git archive failed: {e}"))?;
    if !archived.success() || !tar.success() {
        return Err(format!(
            "cannot extract {rev} into {}: git archive {archived}, tar {tar}",
            dir.display()
        ));
    }
    std::fs::write(&complete, "").map_err(|e| format!("{}: {e}", complete.display()))?;
    println!("semver: baseline {rev} ({commit}) in {}", dir.display());
    Ok(dir)
}

/// Runs git in `root` and returns its trimmed stdout, or `Err` on failure.
fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(format!("git {} failed ({})", args.join(" "), output.status))
    }
}
