//! The corpus: broken and unusual specs in `tests/fixtures/corpus/`, each `<name>.yaml` beside
//! `<name>.expected`, which holds either every problem of the spec (file, JSON pointer, message;
//! one a line, then the count) or the word `generates`. One table-driven test runs them all; a panic is a failure of its own.
//! The specs that generate are also compiled under `#![deny(warnings)]`, with their generated
//! tests and doctests, as modules of `crates/codegen-fixtures` (`cargo xtask codegen` writes
//! them).
//!
//! To write the expected files after a deliberate change: `UPDATE_CORPUS=1 cargo test -p
//! backup-codegen corpus`, then review the diff.

use std::path::Path;

/// What the generator makes of `yaml`: `generates`, or the text of every problem.
fn outcome(name: &str, yaml: &str) -> String {
    let spec_path = format!("crates/backup-codegen/tests/fixtures/corpus/{name}.yaml");
    let run = std::panic::catch_unwind(|| backup_codegen::generate(name, &spec_path, yaml));
    match run {
        Ok(Ok(_)) => "generates".to_owned(),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "PANIC".to_owned(),
    }
}

#[test]
fn corpus_outcomes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 40, "the corpus has {} specs", names.len());
    let update = std::env::var_os("UPDATE_CORPUS").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let yaml = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("readable");
        let got = outcome(name, &yaml);
        let expected_path = dir.join(format!("{name}.expected"));
        if update {
            std::fs::write(&expected_path, format!("{got}\n")).expect("writable");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| format!("(no {name}.expected)"));
        if got == "PANIC" || got != expected.trim_end() {
            failures.push(format!(
                "{name}:\n  expected: {}\n  got:      {got}",
                expected.trim_end()
            ));
        }
        if got != "generates" && got != "PANIC" {
            // A refused spec names the corpus file, and its pointer (if any) is well formed.
            assert!(
                got.starts_with(&format!(
                    "crates/backup-codegen/tests/fixtures/corpus/{name}.yaml"
                )),
                "{got}"
            );
            assert!(!got.contains("/../"), "{got}");
            assert!(!got.contains("generator bug"), "{got}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
