//! `backup-apis schemas --out DIR`: writes `DIR/<api>/<Type>.schema.json`, the JSON Schema
//! (2020-12) that schemars derives from every generated model type of every API, pretty-printed
//! with a trailing newline, and prints each API's folder. `cargo xtask publish` runs it, so that
//! xtask itself links no generated crate.
//!
//! Hand-written; the library beside it (`src/lib.rs`) is generated.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: backup-apis schemas --out DIR";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match &args[..] {
        [command, flag, dir] if command == "schemas" && flag == "--out" => {
            write_schemas(Path::new(dir))
        }
        [help] if help == "--help" || help == "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("backup-apis: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the schemas of every API into `out/<api>/`.
fn write_schemas(out: &Path) -> Result<(), String> {
    for api in backup_apis::APIS {
        let dir = out.join(api.name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, schema) in (api.json_schemas)() {
            let path: PathBuf = dir.join(format!("{name}.schema.json"));
            let mut text = serde_json::to_string_pretty(&schema)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            text.push('\n');
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        println!("{}", dir.display());
    }
    Ok(())
}
