//! `cargo xtask codegen [--check]`: regenerates every generated file from `specs/` (and the
//! generator's fixture specs) in memory, formats it with rustfmt, then writes what changed, or with
//! `--check` fails naming every stale file. Nothing is written unless every spec generates.
//!
//! The specs are found, not listed: every `specs/<api>.yaml` ([`crate::specs::discover`]) gets its
//! two crates, their manifests, and a row in the `backup-apis` table ([`crate::crates`]).
//! xtask links none of what it generates, so a generated file that does not compile never stops
//! this command from building and writing the fix.

use std::path::Path;
use std::process::{Command, Stdio};

use backup_codegen::GeneratedFile;

use crate::project_root;

/// Folder of the generator's fixture specs, relative to the root.
const FIXTURES: &str = "crates/backup-codegen/tests/fixtures";

/// Entry point.
pub fn run(args: &[String]) -> Result<(), String> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => return Err("usage: cargo xtask codegen [--check]".to_owned()),
    };
    run_in(&project_root(), check)
}

/// [`run`] on the workspace at `root`.
fn run_in(root: &Path, check: bool) -> Result<(), String> {
    let apis = crate::specs::discover(&root.join("specs"))?;
    let files = generate_all(root)?;
    let stale: Vec<&GeneratedFile> = files
        .iter()
        .filter(|f| {
            std::fs::read_to_string(root.join(&f.path)).ok().as_deref() != Some(f.contents.as_str())
        })
        .collect();
    let links: Vec<(String, String)> = crate::crates::licence_links(&apis)
        .into_iter()
        .filter(|(link, target)| {
            std::fs::read_link(root.join(link)).ok() != Some(std::path::PathBuf::from(target))
        })
        .collect();
    let orphans = crate::crates::orphans(root, &apis);
    let orphan_error = || {
        format!(
            "generated crates without a spec (specs/<api>.yaml was removed or renamed):\n  {}\n\
             delete them (`rm -r {}`)",
            orphans.join("\n  "),
            orphans.join(" ")
        )
    };
    if check {
        if stale.is_empty() && links.is_empty() && orphans.is_empty() {
            return Ok(());
        }
        let mut problems = Vec::new();
        if !stale.is_empty() || !links.is_empty() {
            let list: Vec<&str> = stale
                .iter()
                .map(|f| f.path.as_str())
                .chain(links.iter().map(|(link, _)| link.as_str()))
                .collect();
            problems.push(format!(
                "generated files are stale:\n  {}\nrun `cargo xtask codegen` and commit the result",
                list.join("\n  ")
            ));
        }
        if !orphans.is_empty() {
            problems.push(orphan_error());
        }
        return Err(problems.join("\n"));
    }
    for file in &stale {
        let path = root.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &file.contents).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", file.path);
    }
    for (link, target) in &links {
        let path = root.join(link);
        let _ = std::fs::remove_file(&path);
        licence_link(target, &path).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("linked {link} -> {target}");
    }
    if stale.is_empty() && links.is_empty() {
        eprintln!("all {} generated files are up to date", files.len());
    }
    if orphans.is_empty() {
        Ok(())
    } else {
        Err(orphan_error())
    }
}

/// A link to a licence file at the root; a copy where the system has no symbolic links.
fn licence_link(target: &str, path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(target, path);
    #[cfg(not(unix))]
    return std::fs::copy(path.parent().unwrap_or(path).join(target), path).map(drop);
}

/// Every generated file, formatted, in a stable order. Fails (having written nothing) when a
/// spec does not generate, with every problem of every spec.
pub fn generate_all(root: &Path) -> Result<Vec<GeneratedFile>, String> {
    let apis = crate::specs::discover(&root.join("specs"))?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for api in &apis {
        let spec_path = format!("specs/{api}.yaml");
        let yaml = std::fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("{spec_path}: {e}"))?;
        let read = |file: &str| std::fs::read_to_string(root.join("specs").join(file)).ok();
        match backup_codegen::generate(api, &spec_path, &yaml).and_then(|generated| {
            Ok((
                generated,
                backup_codegen::readmes(api, &spec_path, &yaml, &read)?,
            ))
        }) {
            Ok((generated, readmes)) => files.extend(generated.into_iter().chain(readmes)),
            Err(errors) => problems.push(errors.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    files.extend(crate::crates::files(&apis));
    files.extend(fixture_files(root)?);
    for file in &mut files {
        if file.path.ends_with(".rs") {
            file.contents =
                rustfmt(root, &file.contents).map_err(|e| format!("{}: {e}", file.path))?;
        }
    }
    Ok(files)
}

/// The fixture crate `crates/codegen-fixtures`: each `tests/fixtures/<name>.yaml` of the
/// generator becomes two modules that must compile under `#![deny(warnings)]`.
fn fixture_files(root: &Path) -> Result<Vec<GeneratedFile>, String> {
    let dir = root.join(FIXTURES);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    names.sort();
    let mut files = Vec::new();
    let mut modules = String::new();
    for name in &names {
        let spec_path = format!("{FIXTURES}/{name}.yaml");
        let yaml = std::fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("{spec_path}: {e}"))?;
        let module = name.replace('-', "_");
        let generated = backup_codegen::generate_with_models_path(
            name,
            &spec_path,
            &yaml,
            &format!("crate::{module}_models"),
        )
        .map_err(|e| e.to_string())?;
        let modules_of = generated
            .into_iter()
            .filter(|f| f.path.ends_with("src/lib.rs"));
        // Their live tests run against a loopback server with both clients.
        files.push(
            backup_codegen::generate_live_tests(
                name,
                &spec_path,
                &yaml,
                &format!("codegen_fixtures::{module}_endpoints"),
                &format!("crates/codegen-fixtures/tests/{module}_live.rs"),
            )
            .map_err(|e| e.to_string())?,
        );
        for (file, kind) in modules_of.zip(["models", "endpoints"]) {
            files.push(GeneratedFile {
                path: format!("crates/codegen-fixtures/src/{module}_{kind}.rs"),
                contents: file.contents,
            });
            modules.push_str(&format!("pub mod {module}_{kind};\n"));
        }
    }
    // The corpus specs that generate (`corpus/<name>.expected` says `generates`) are compiled
    // too, as modules of `corpus`.
    let corpus_dir = dir.join("corpus");
    let mut corpus: Vec<String> = std::fs::read_dir(&corpus_dir)
        .map_err(|e| format!("{}: {e}", corpus_dir.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .filter(|name| {
            std::fs::read_to_string(corpus_dir.join(format!("{name}.expected")))
                .is_ok_and(|e| e.trim() == "generates")
        })
        .collect();
    corpus.sort();
    let mut corpus_modules = String::new();
    for name in &corpus {
        let spec_path = format!("{FIXTURES}/corpus/{name}.yaml");
        let yaml = std::fs::read_to_string(root.join(&spec_path))
            .map_err(|e| format!("{spec_path}: {e}"))?;
        let module = name.replace('-', "_");
        let generated = backup_codegen::generate_with_models_path(
            name,
            &spec_path,
            &yaml,
            &format!("crate::corpus::{module}_models"),
        )
        .map_err(|e| e.to_string())?;
        let modules_of = generated
            .into_iter()
            .filter(|f| f.path.ends_with("src/lib.rs"));
        for (file, kind) in modules_of.zip(["models", "endpoints"]) {
            files.push(GeneratedFile {
                path: format!("crates/codegen-fixtures/src/corpus/{module}_{kind}.rs"),
                contents: file.contents,
            });
            corpus_modules.push_str(&format!("    pub mod {module}_{kind};\n"));
        }
    }
    modules.push_str(&format!(
        "\n/// The corpus specs that generate (`tests/fixtures/corpus/`).\npub mod corpus {{\n{corpus_modules}}}\n"
    ));
    files.push(GeneratedFile {
        path: "crates/codegen-fixtures/src/lib.rs".to_owned(),
        contents: format!(
            "// @generated by cargo xtask codegen from {FIXTURES}/. Do not edit by hand.\n\n\
             //! The generator's fixture specs, generated and compiled under `#![deny(warnings)]`.\n\n\
             #![deny(warnings)]\n\n{modules}"
        ),
    });
    Ok(files)
}

/// Formats `text` with the same rustfmt and `rustfmt.toml` that `cargo fmt --check` uses.
fn rustfmt(root: &Path, text: &str) -> Result<String, String> {
    use std::io::Write as _;
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked")?
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt wrote invalid UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    /// The checked-in generated files are what the generator makes now.
    #[test]
    fn codegen_is_fresh() {
        if let Err(message) = super::run(&["--check".to_owned()]) {
            panic!("{message}");
        }
    }

    /// Two broken specs: errors that say where, for both, and not a single file written.
    #[test]
    fn a_broken_spec_writes_nothing() {
        let real = crate::project_root();
        let root = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let copy = |from: &str| {
            let to = root.join(from);
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
            std::fs::copy(real.join(from), to).expect("copy");
        };
        copy("rustfmt.toml");
        copy(&format!("{}/zoo.yaml", super::FIXTURES));
        for api in crate::specs::APIS {
            copy(&format!("specs/{api}.yaml"));
        }
        let broken = root.join("specs/vbs-v2.yaml");
        let text = std::fs::read_to_string(&broken).expect("read");
        let text = text.replacen(
            "operationId: listBackupsDetail",
            "x-note: no operationId",
            1,
        );
        std::fs::write(&broken, text).expect("write");
        // A second broken spec: its problem is reported in the same run.
        let broken = root.join("specs/cbr-v3.yaml");
        let text = std::fs::read_to_string(&broken).expect("read");
        let text = text.replacen("operationId: showBackup", "x-note: no operationId", 1);
        std::fs::write(&broken, text).expect("write");

        let error = super::run_in(&root, false).expect_err("the spec is broken");
        assert!(
            error.contains("specs/vbs-v2.yaml#/paths/~1v2~1{project_id}~1backups~1detail/get"),
            "{error}"
        );
        assert!(
            error.contains(
                "specs/cbr-v3.yaml#/paths/~1v3~1{project_id}~1backups~1{backup_id}/get: every \
                 operation needs an operationId"
            ),
            "{error}"
        );
        let written: Vec<_> = std::fs::read_dir(root.join("crates"))
            .expect("the fixture folder is there")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name != "backup-codegen")
            .collect();
        assert!(
            written.is_empty(),
            "codegen wrote files for a broken spec: {written:?}"
        );
        std::fs::remove_dir_all(&root).expect("clean up");
    }
}
