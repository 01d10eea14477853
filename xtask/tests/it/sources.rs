//! The source documents and the example bodies sliced from them.

use std::collections::BTreeSet;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use xtask::specs;

/// One documented JSON body: the `block`-th JSON block of the source document numbered `source`
/// is the example file `specs/examples/<api>/<file>`.
struct Documented {
    source: &'static str,
    block: usize,
    api: &'static str,
    file: &'static str,
}

/// Every JSON body the source documents show, in document order.
const DOCUMENTED: &[Documented] = &[
    Documented {
        source: "000",
        block: 0,
        api: "rackspace-backup-v2",
        file: "getBackup.200.json",
    },
    Documented {
        source: "001",
        block: 0,
        api: "vbs-v3",
        file: "showBackup.200.json",
    },
    Documented {
        source: "002",
        block: 0,
        api: "cbr-v3",
        file: "showBackup.200.json",
    },
    // The cURL request's `-d '{...}'` body, then the JSON response.
    Documented {
        source: "003",
        block: 0,
        api: "rackspace-backup-v2",
        file: "startBackup.request.json",
    },
    Documented {
        source: "003",
        block: 1,
        api: "rackspace-backup-v2",
        file: "startBackup.201.json",
    },
    Documented {
        source: "004",
        block: 0,
        api: "vbs-v2",
        file: "listBackupsDetail.200.json",
    },
];

fn sources_dir() -> PathBuf {
    specs::specs_dir().join("sources")
}

/// The files of a folder, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|name| name.to_str())
        .expect("UTF-8 file name")
        .to_owned()
}

/// The end (exclusive) of the brace-balanced block opening at `start`, skipping braces inside
/// JSON strings (with their backslash escapes); `None` when it never closes.
fn matching_brace(text: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, &byte) in text[start..].iter().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(start + offset + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The byte ranges of the JSON blocks of a document, in order: each `{` whose balanced block
/// parses as a JSON object. Other braces (`{project_id}` in a URI) are passed over.
fn json_blocks(text: &[u8]) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if text[at] == b'{'
            && let Some(end) = matching_brace(text, at)
            && let Ok(serde_json::Value::Object(_)) = serde_json::from_slice(&text[at..end])
        {
            blocks.push(at..end);
            at = end;
            continue;
        }
        at += 1;
    }
    blocks
}

/// `specs/sources.sha256` (`sha256sum` format): the SHA-256 of each seed document, recorded
/// when it was copied, by file name.
fn recorded_hashes() -> Vec<(String, String)> {
    let path = sources_dir().with_extension("sha256");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let (hash, name) = line
                .split_once("  ")
                .unwrap_or_else(|| panic!("{}: `HASH  NAME` lines, not {line:?}", path.display()));
            (name.to_owned(), hash.to_owned())
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The sources are the seeds, byte for byte: each hashes to what `specs/sources.sha256`
/// recorded (checked on every clone), and, where the seeds are at hand (`../shared/seeds`),
/// so does each seed.
#[test]
fn sources_are_the_seeds() {
    let recorded = recorded_hashes();
    let sources = files(&sources_dir());
    let names: Vec<String> = sources.iter().map(|source| file_name(source)).collect();
    let listed: Vec<String> = recorded.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(
        names, listed,
        "specs/sources.sha256 lists every source, in order"
    );
    for (source, (_, hash)) in sources.iter().zip(&recorded) {
        let ours = fs::read(source).expect("source");
        assert_eq!(&sha256_hex(&ours), hash, "{} was changed", source.display());
    }
    let seeds = xtask::project_root().join("../shared/seeds");
    if seeds.is_dir() {
        for (name, hash) in &recorded {
            let seed = seeds.join(name);
            let theirs = fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
            assert_eq!(&sha256_hex(&theirs), hash, "{} differs", seed.display());
        }
    }
}

#[test]
fn examples_are_verbatim() {
    let sources = files(&sources_dir());
    for source in &sources {
        let name = file_name(source);
        let number = name.split('_').next().expect("numbered source");
        let text = fs::read(source).expect("source");
        let blocks = json_blocks(&text);
        let documented: Vec<&Documented> =
            DOCUMENTED.iter().filter(|d| d.source == number).collect();
        assert_eq!(
            blocks.len(),
            documented.len(),
            "{name}: {} JSON blocks in the document, {} in DOCUMENTED",
            blocks.len(),
            documented.len()
        );
        for documented in documented {
            let path = specs::examples_dir(documented.api).join(documented.file);
            let example = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let slice = &text[blocks[documented.block].clone()];
            assert!(
                example == slice,
                "{} is not byte-for-byte JSON block {} of {name}",
                path.display(),
                documented.block
            );
        }
    }
    for documented in DOCUMENTED {
        assert!(
            sources
                .iter()
                .any(|source| file_name(source).starts_with(&format!("{}_", documented.source))),
            "no source numbered {}",
            documented.source
        );
    }

    // The example files are exactly the documented bodies plus the examples marked as written
    // by us (`x-written-from` on the spec's Example Object): none missing, none extra.
    let documented: BTreeSet<String> = DOCUMENTED
        .iter()
        .map(|d| format!("{}/{}", d.api, d.file))
        .collect();
    let (written, unmarked) = spec_examples();
    let not_in_documented: Vec<&String> = unmarked.difference(&documented).collect();
    assert!(
        not_in_documented.is_empty(),
        "examples without `x-written-from` must be documented bodies (DOCUMENTED): \
         {not_in_documented:?}"
    );
    let both: Vec<&String> = written.intersection(&documented).collect();
    assert!(
        both.is_empty(),
        "documented bodies marked `x-written-from`: {both:?}"
    );
    let expected: BTreeSet<String> = documented.union(&written).cloned().collect();
    let mut on_disk = BTreeSet::new();
    for dir in files_and_dirs(&specs::specs_dir().join("examples")) {
        assert!(dir.is_dir(), "{}: not an API folder", dir.display());
        let api = file_name(&dir);
        assert!(
            specs::APIS.contains(&api.as_str()),
            "{}: not an API",
            dir.display()
        );
        for file in files_and_dirs(&dir) {
            on_disk.insert(format!("{api}/{}", file_name(&file)));
        }
    }
    assert_eq!(
        on_disk, expected,
        "example files vs documented bodies and marked written examples"
    );

    // A written example is not passed off as a document's: it is no JSON block of any source.
    let blocks: Vec<Vec<u8>> = sources
        .iter()
        .flat_map(|source| {
            let text = fs::read(source).expect("source");
            json_blocks(&text)
                .into_iter()
                .map(|range| text[range].to_vec())
                .collect::<Vec<_>>()
        })
        .collect();
    for name in &written {
        let path = specs::specs_dir().join("examples").join(name);
        let body = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !blocks.contains(&body),
            "{name} is marked `x-written-from` but is a block of a source document"
        );
    }

    // `specs::examples` finds them all, with names it understands.
    let listed: BTreeSet<String> = specs::APIS
        .iter()
        .flat_map(|api| {
            specs::examples(api)
                .into_iter()
                .map(move |example| format!("{api}/{}", example.file_name()))
        })
        .collect();
    assert_eq!(listed, expected, "specs::examples vs the example files");
}

/// The example files the specs point at (`externalValue`, as `<api>/<file>`): those whose
/// Example Object carries `x-written-from` (written by us from a cited reference), and the rest.
fn spec_examples() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut written = BTreeSet::new();
    let mut unmarked = BTreeSet::new();
    for api in specs::APIS {
        let spec = specs::load_value(api).unwrap_or_else(|e| panic!("{e}"));
        let mut stack = vec![&spec["paths"]];
        while let Some(value) = stack.pop() {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(external) = map.get("externalValue").and_then(|v| v.as_str()) {
                        let file = external
                            .strip_prefix(&format!("examples/{api}/"))
                            .unwrap_or_else(|| {
                                panic!("{api}: {external} is not under examples/{api}/")
                            });
                        let name = format!("{api}/{file}");
                        let marker = map.get("x-written-from").and_then(|v| v.as_str());
                        match marker {
                            Some(reference) => {
                                assert!(
                                    !reference.trim().is_empty(),
                                    "{name}: `x-written-from` must name the reference"
                                );
                                written.insert(name);
                            }
                            None => {
                                unmarked.insert(name);
                            }
                        }
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }
    (written, unmarked)
}

/// Every entry of a folder (files and folders), sorted.
fn files_and_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

#[test]
fn json_blocks_skip_braces_in_prose_and_strings() {
    let text = br#"GET /v2/{project_id}/x {"a": "} {", "b": {"c": 1}} and {"d": 2}"#;
    let blocks: Vec<&[u8]> = json_blocks(text).into_iter().map(|r| &text[r]).collect();
    assert_eq!(
        blocks,
        [&br#"{"a": "} {", "b": {"c": 1}}"#[..], &br#"{"d": 2}"#[..]]
    );
}
