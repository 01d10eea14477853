//! `cargo xtask`: the project's automation. See `cargo xtask help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => xtask::codegen::run(&args[1..]),
        Some("test") => xtask::test::run(&args[1..]),
        Some("validate-specs") => xtask::tools::validate_specs(),
        Some("publish") => xtask::publish::run(&args[1..]),
        Some("package") => xtask::package::run(&args[1..]),
        Some("semver") => xtask::semver::run(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print!("{}", xtask::HELP);
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{}", xtask::HELP)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
