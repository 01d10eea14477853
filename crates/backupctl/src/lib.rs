//! `backupctl`: check captured bodies against the generated models, and call the backup APIs
//! from a shell.
//!
//! The binary (`src/main.rs`) only wires the process to [`run`]; everything else lives here so
//! it can be tested with in-memory input and output. Three commands:
//!
//! - [`operations`]: every operation of every API, with its documented statuses and bodies;
//! - [`validate`]: parse a body as an operation's request or response and write it back;
//! - [`call`]: send an operation, chosen by name, to a server and print the response body.
//!
//! Every command answers with an [`Exit`] status; the numbers are a public contract.
//!
//! # Tutorial
//!
//! ```
//! use backupctl::{Exit, Io, run};
//!
//! // A truncated body: `validate` names the line and column and exits 1.
//! let mut stdin: &[u8] = b"{\"backup\": {\"id\": \"b1\"";
//! let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
//! let mut io = Io::new(&mut stdin, &mut stdout, &mut stderr, None);
//! let args = ["backupctl", "validate", "--api", "cbr-v3", "--operation", "showBackup", "-"];
//! assert_eq!(run(args, &mut io), Exit::Invalid);
//! let message = String::from_utf8(stderr)?;
//! assert!(message.starts_with("backupctl: stdin"), "{message}");
//! assert!(message.contains("not JSON at line 1 column 22"), "{message}");
//!
//! // `operations --json` lists every operation as machine-readable JSON.
//! let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
//! let mut no_input = std::io::empty();
//! let mut io = Io::new(&mut no_input, &mut stdout, &mut stderr, None);
//! assert_eq!(run(["backupctl", "operations", "--json"], &mut io), Exit::Success);
//! let listed: serde_json::Value = serde_json::from_slice(&stdout)?;
//! let every_operation = backup_apis::APIS.iter().map(|api| api.operations.len()).sum();
//! assert_eq!(listed.as_array().map(Vec::len), Some(every_operation));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod call;
pub mod check;
pub mod cli;
pub mod drift;
pub mod input;
mod login;
pub mod lossy;
pub mod operations;
pub mod prune;
pub mod registry;
pub mod serve;
pub mod status;
pub mod validate;
mod waiting;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{Read, Write};

use backup_status::safe;
use clap::Parser;

use crate::cli::{Cli, Command};

/// The exit status of a command. The numbers are a public contract (see `backupctl --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    /// `0`: the command did what was asked.
    Success = 0,
    /// `1`: bad invocation (unknown api, operation, status or parameter, a bad value, an
    /// unreadable file, a missing token), or `validate`: the body does not parse.
    Invalid = 1,
    /// `2`: `validate`: the body parsed, but writing it back would change it, or (with
    /// `--drift`) it has what the spec does not know.
    Changed = 2,
    /// `3`: `call`: the server answered with an error status.
    Status = 3,
    /// `4`: `call`: no response (connection refused, timed out, TLS, DNS, ...).
    Transport = 4,
    /// `5`: `call`: the response body does not fit the model.
    Model = 5,
    /// `6`: `call --wait`: the work ended in a failed state (the state and the service's
    /// reason on stderr).
    WorkFailed = 6,
    /// `7`: `call --wait`: the deadline (`--wait-timeout`) passed first (the last state seen
    /// on stderr).
    Deadline = 7,
    /// `8`: `call --all-pages`: `--max-pages` was reached and the last page links to more, so
    /// the list would be incomplete (nothing printed; `--allow-partial` prints the pages read
    /// and exits 0).
    Partial = 8,
}

impl Exit {
    /// The process exit status.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        Self::from(exit.code())
    }
}

/// Why a command did not succeed: the exit status, a one-line message and optional details
/// (such as a response body) shown verbatim after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exit status.
    pub exit: Exit,
    /// One line, printed after `backupctl: `.
    pub message: String,
    /// Printed as is on the following lines, if any.
    pub details: Option<String>,
}

impl Failure {
    /// A bad invocation ([`Exit::Invalid`]) with `message`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Exit::Invalid, message)
    }

    /// A failure with `exit` and `message`, without details.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
            details: None,
        }
    }

    /// The same failure with `details` shown after the message.
    #[must_use]
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    /// Writes the failure as `backupctl: <message>` and the details, to `out`: the message on
    /// one line ([`safe::message`]), the details with their lines kept and every other control
    /// character escaped ([`safe::block`]), so a server's text can neither add a line to the
    /// message nor reach the terminal raw.
    fn report(&self, out: &mut dyn Write) {
        // Nothing sensible is left to do when stderr is gone.
        let _ = writeln!(out, "backupctl: {}", safe::message(&self.message));
        if let Some(details) = &self.details {
            let details = safe::block(details);
            let _ = out.write_all(details.as_bytes());
            if !details.ends_with('\n') {
                let _ = out.write_all(b"\n");
            }
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The process around a command: standard streams and the token from the environment.
pub struct Io<'a> {
    stdin: &'a mut dyn Read,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    env_token: Option<OsString>,
}

impl<'a> Io<'a> {
    /// Streams for a command, and the value of `BACKUP_AUTH_TOKEN` if it is set.
    pub fn new(
        stdin: &'a mut dyn Read,
        stdout: &'a mut dyn Write,
        stderr: &'a mut dyn Write,
        env_token: Option<OsString>,
    ) -> Self {
        Self {
            stdin,
            stdout,
            stderr,
            env_token,
        }
    }

    /// Writes `text` to stdout.
    pub(crate) fn out(&mut self, text: &str) -> Result<(), Failure> {
        self.stdout
            .write_all(text.as_bytes())
            .and_then(|()| self.stdout.flush())
            .map_err(|err| Failure::invalid(format!("cannot write to stdout: {err}")))
    }

    /// Writes a warning line to stderr, escaped and cut ([`safe::message`]).
    /// Writes to stdout with `write` (then flushes it).
    pub(crate) fn out_with(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), Failure> {
        write(&mut *self.stdout)
            .and_then(|()| self.stdout.flush())
            .map_err(|err| Failure::invalid(format!("cannot write to stdout: {err}")))
    }

    pub(crate) fn warn(&mut self, text: &str) {
        let _ = writeln!(self.stderr, "backupctl: {}", safe::message(text));
    }
}

impl fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token, only whether there is one.
        f.debug_struct("Io")
            .field("env_token_set", &self.env_token.is_some())
            .finish_non_exhaustive()
    }
}

/// The environment variable `call` reads the token from.
pub const TOKEN_ENV: &str = "BACKUP_AUTH_TOKEN";

/// Parses `args` (program name first) and runs the command, writing to `io`.
///
/// Usage errors exit [`Exit::Invalid`] (not clap's usual 2, which means "changed" here);
/// `--help` and `--version` exit [`Exit::Success`].
pub fn run<I, T>(args: I, io: &mut Io<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        // A monitoring agent reads a bad `check` invocation as UNKNOWN (exit 3).
        Err(err) if args.get(1).is_some_and(|command| command == "check") => {
            let exit = usage(&err, io);
            return match exit {
                Exit::Success => exit,
                _ => check::unknown(&err.kind().to_string(), io),
            };
        }
        Err(err) => return usage(&err, io),
    };
    let result = match &cli.command {
        Command::Operations(args) => operations::run(args, io),
        Command::Validate(args) => validate::run(args, io),
        Command::Call(args) => call::run(args, io),
        Command::Status(args) => status::run(args, io),
        Command::Check(args) => check::run(args, io),
        Command::Serve(args) => serve::run(args, io),
        Command::Prune(args) => prune::run(args, io),
    };
    match result {
        Ok(exit) => exit,
        Err(failure) => {
            failure.report(io.stderr);
            failure.exit
        }
    }
}

/// Shows clap's help, version or usage error; only help and version succeed.
fn usage(err: &clap::Error, io: &mut Io<'_>) -> Exit {
    use clap::error::ErrorKind;
    let text = err.render().to_string();
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = io.stdout.write_all(text.as_bytes());
            Exit::Success
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = io.stderr.write_all(text.as_bytes());
            Exit::Invalid
        }
        _ => {
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let _ = write!(io.stderr, "backupctl: {text}");
            Exit::Invalid
        }
    }
}

/// `-` means standard input; shown as `stdin` in messages.
pub(crate) fn is_stdin(path: &OsStr) -> bool {
    path == "-"
}
