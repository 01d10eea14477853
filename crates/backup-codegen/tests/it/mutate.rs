//! Mutation testing of the real specs (`specs/*.yaml`): a proptest deletes, duplicates, swaps,
//! re-indents and rewrites lines, and the generator must never panic (or overflow its stack): it
//! either refuses with a located error (file, and a pointer without `/../`) or emits Rust that
//! parses (`syn`, inside `generate`). 64 cases per run by default; set `CODEGEN_MUTATIONS` for a
//! longer run, e.g. `CODEGEN_MUTATIONS=20000 cargo test -p backup-codegen --release mutate`.

use proptest::prelude::*;

/// Every spec of the project (`specs/*.yaml`, by file stem), so a new API is fuzzed too.
static SPECS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    let dir = format!("{}/../../specs", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("specs/")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".yaml")?.to_owned())
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no spec in {dir}");
    names
});

/// Text a mutation may write into a line.
const SNIPPETS: &[&str] = &[
    "$ref: '#/components/schemas/Backup'",
    "$ref: '#/components/schemas/Missing'",
    "type: strin",
    "type: [string, 'null']",
    "format: int128",
    "<<: {}",
    "true",
    "enum: [1, a]",
    "allOf: [{$ref: '#/components/schemas/Backup'}]",
    "items: {$ref: '#/components/schemas/Backup'}",
    "{",
    "]",
    "- {name: body, in: query, schema: {type: string}}",
    "operationId: endpoint",
    "description: \"a\\rb ``` c */\"",
    "nullable: true",
    "required: [nothing]",
    "options:",
    "",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    Indent(usize, usize),
    Replace(usize, usize),
    AppendValue(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = SNIPPETS.len();
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), 0..8usize).prop_map(|(a, b)| Mutation::Indent(a, b)),
        (any::<usize>(), 0..n).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), 0..n).prop_map(|(a, b)| Mutation::AppendValue(a, b)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for m in mutations {
        let len = lines.len().max(1);
        match *m {
            Mutation::Delete(i) if !lines.is_empty() => {
                lines.remove(i % len);
            }
            Mutation::Duplicate(i) if !lines.is_empty() => {
                let line = lines[i % len].clone();
                lines.insert(i % len, line);
            }
            Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a % len, b % len),
            Mutation::Indent(i, n) if !lines.is_empty() => {
                let line = lines[i % len].trim_start().to_owned();
                lines[i % len] = format!("{}{line}", " ".repeat(n * 2));
            }
            Mutation::Replace(i, s) if !lines.is_empty() => {
                let line = &lines[i % len];
                let indent = line.len() - line.trim_start().len();
                lines[i % len] = format!("{}{}", " ".repeat(indent), SNIPPETS[s]);
            }
            Mutation::AppendValue(i, s) if !lines.is_empty() => {
                let line = &lines[i % len];
                if let Some((key, _)) = line.split_once(": ") {
                    lines[i % len] = format!("{key}: {}", SNIPPETS[s]);
                }
            }
            _ => {}
        }
    }
    lines.join("\n")
}

fn cases() -> u32 {
    std::env::var("CODEGEN_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_never_panic(
        spec in 0..SPECS.len(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let name = SPECS[spec].as_str();
        let path = format!("{}/../../specs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("spec");
        let mutated = apply(&text, &mutations);
        let spec_path = format!("specs/{name}.yaml");
        let run = std::panic::catch_unwind(|| backup_codegen::generate(name, &spec_path, &mutated));
        match run {
            Err(_) => prop_assert!(false, "panicked on {mutations:?}"),
            Ok(Ok(_)) => {}
            Ok(Err(errors)) => {
                prop_assert!(!errors.problems().is_empty());
                for e in errors.problems() {
                    prop_assert_eq!(&e.file, &spec_path);
                    prop_assert!(!e.pointer.contains("/../"), "{}", e);
                    prop_assert!(e.pointer.is_empty() || e.pointer.starts_with('/'), "{}", e);
                    prop_assert!(!e.message.contains("generator bug"), "{} after {:?}", e, mutations);
                }
            }
        }
    }
}
