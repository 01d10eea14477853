//! Integration tests of the `backupctl` binary: each runs the real executable and checks its
//! exit status, stdout and stderr. `call` tests serve the documented examples with wiremock.

mod call;
mod login;
mod operations;
mod prune;
mod serve;
mod status;
mod validate;
mod wait;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit status.
    pub code: i32,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

/// Runs `command` with `input` on its standard input (written from another thread, so a large
/// input cannot dead-lock against a full stdout pipe) and gives what it wrote.
pub fn feed(command: &mut Command, input: &[u8]) -> std::process::Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the command starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The command may exit without reading stdin (a usage error); that is not the
        // test's concern here.
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("the command runs");
    writer.join().expect("the stdin writer does not panic");
    output
}

/// Runs `backupctl args...` with `stdin` and `BACKUP_AUTH_TOKEN` set to `token` (unset when
/// `None`, whatever the test process has).
pub fn backupctl(args: &[&str], stdin: &[u8], token: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backupctl"));
    command.args(args).env_remove("BACKUP_AUTH_TOKEN");
    if let Some(token) = token {
        command.env("BACKUP_AUTH_TOKEN", token);
    }
    let output = feed(&mut command, stdin);
    Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `specs/examples`.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs/examples")
}

/// A documented example body: `specs/examples/<api>/<operation>.<status|request>.json`.
#[derive(Debug, Clone)]
pub struct Example {
    /// The API key (the folder).
    pub api: String,
    /// The operationId.
    pub operation: String,
    /// `Some(status)` for a response body, `None` for the request body.
    pub status: Option<u16>,
    /// The file.
    pub path: PathBuf,
}

impl Example {
    /// The file's text.
    pub fn text(&self) -> String {
        std::fs::read_to_string(&self.path).expect("example is readable")
    }

    /// The file as a JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text()).expect("example is JSON")
    }

    /// `--status N` or `--request`.
    pub fn kind_args(&self) -> Vec<String> {
        match self.status {
            Some(status) => vec!["--status".to_owned(), status.to_string()],
            None => vec!["--request".to_owned()],
        }
    }
}

/// Every documented example, sorted by path.
pub fn examples() -> Vec<Example> {
    let mut found = Vec::new();
    for api in std::fs::read_dir(examples_dir()).expect("specs/examples exists") {
        let api = api.expect("readable entry").path();
        for file in std::fs::read_dir(&api).expect("readable api folder") {
            let path = file.expect("readable entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 name");
            let stem = name
                .strip_suffix(".json")
                .expect("examples are .json files");
            let (operation, kind) = stem.split_once('.').expect("<operationId>.<kind>.json");
            let status = match kind {
                "request" => None,
                status => Some(status.parse().expect("a status code")),
            };
            found.push(Example {
                api: api
                    .file_name()
                    .and_then(|n| n.to_str())
                    .expect("UTF-8")
                    .to_owned(),
                operation: operation.to_owned(),
                status,
                path,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// The one example of `api` `operation` `status`.
pub fn example(api: &str, operation: &str, status: Option<u16>) -> Example {
    examples()
        .into_iter()
        .find(|e| e.api == api && e.operation == operation && e.status == status)
        .unwrap_or_else(|| panic!("no example {api} {operation} {status:?}"))
}
