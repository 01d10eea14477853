//! A driver for profilers (`valgrind --tool=callgrind`): parses, or parses and serializes, one
//! benchmark body with one contender, once.
//!
//! ```text
//! cargo build --profile bench -p model-benches --example profile
//! target/release/examples/profile write vbs /tmp/vbs.json       # write the body once
//! valgrind --tool=callgrind target/release/examples/profile parse vbs lossless /tmp/vbs.json
//! ```

use std::process::ExitCode;

use model_benches::{cbr_show_body, lossy, vbs_v2_list_body};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn run<T: DeserializeOwned + Serialize>(action: &str, text: &str) -> usize {
    let parsed: T = serde_json::from_str(text).expect("parses");
    if action == "serialize" {
        serde_json::to_string(&parsed).expect("serializes").len()
    } else {
        std::hint::black_box(&parsed);
        0
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["write", "vbs", path] => std::fs::write(path, vbs_v2_list_body(10_000)).expect("written"),
        ["write", "cbr", path] => std::fs::write(path, cbr_show_body(1_000)).expect("written"),
        [action @ ("parse" | "serialize"), api, contender, path] => {
            let text = std::fs::read_to_string(path).expect("readable");
            let len = match (*api, *contender) {
                ("vbs", "lossless") => {
                    run::<vbs_v2_models::ListBackupsDetailResponse>(action, &text)
                }
                ("vbs", "lossy") => run::<lossy::VbsV2List>(action, &text),
                ("cbr", "lossless") => run::<cbr_v3_models::ShowBackupResponse>(action, &text),
                ("cbr", "lossy") => run::<lossy::CbrShow>(action, &text),
                (_, "value") => run::<serde_json::Value>(action, &text),
                _ => return usage(),
            };
            std::hint::black_box(len);
        }
        _ => return usage(),
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: profile write (vbs|cbr) PATH | profile (parse|serialize) (vbs|cbr) (lossless|lossy|value) PATH"
    );
    ExitCode::FAILURE
}
