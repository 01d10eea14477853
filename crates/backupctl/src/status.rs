//! `backupctl status`: read every account in the accounts file and print one row per resource
//! (or per backup with `--backups`) as a table, JSON, CSV or OpenMetrics; `--textfile` also
//! writes Prometheus' classic text format for node_exporter's textfile collector
//! ([`backup_status::textfile`]: atomic, and an unreadable account keeps its last known series).
//! Every output passes server text through [`backup_status::safe`].

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use backup_status::{Config, FetchOptions, Report, fetch_all, safe, textfile};
use clap::{Args, ValueEnum};

use crate::{Exit, Failure, Io};

/// Shown after `backupctl status --help`.
const STATUS_HELP: &str = "\
Accounts: read from --config (default backupctl.toml in the working folder); see the README.

Exit status:
  0  every account was read
  1  bad invocation or accounts file (the message names the line), or output not writable
  3  at least one account could not be read (its error is in the output; the others print)";

/// Options that `status` and `check` share: where the accounts are and how to read them.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The accounts file.
    #[arg(long, value_name = "FILE", default_value = "backupctl.toml")]
    pub config: PathBuf,
    /// The most pages read per account; an account with more is reported as unreadable.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_pages: usize,
    /// Limit for each request, e.g. 30s or 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `backupctl status`.
#[derive(Debug, Args)]
#[command(after_help = STATUS_HELP)]
pub struct StatusArgs {
    /// Where the accounts are and how to read them.
    #[command(flatten)]
    pub source: SourceArgs,
    /// List backups instead of resources.
    #[arg(long)]
    pub backups: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// Also write the metrics in Prometheus' classic text format to this file, atomically
    /// (a temporary file in the same folder, then renamed); an account that cannot be read
    /// keeps its series of the previous file, with `backupctl_account_up` 0.
    #[arg(long, value_name = "PATH")]
    pub textfile: Option<PathBuf>,
}

/// `-o`: the output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns.
    Table,
    /// One object: accounts, resources, backups.
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// OpenMetrics text, ending with `# EOF`.
    Openmetrics,
}

/// A duration such as `90m`, `25h` or `2d`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    backup_status::parse_duration(text)
}

/// Loads the accounts and reads them all, with a progress line on stderr when it is a terminal.
///
/// # Errors
///
/// The accounts file cannot be read or is not valid.
pub(crate) fn read_all(source: &SourceArgs) -> Result<(Config, Report), Failure> {
    let config = Config::load(&source.config).map_err(|err| Failure::invalid(err.to_string()))?;
    let options = FetchOptions {
        max_pages: source.max_pages.max(1),
        timeout: source.timeout,
        ..FetchOptions::default()
    };
    let terminal = std::io::stderr().is_terminal();
    let seen: Mutex<BTreeMap<String, (usize, usize)>> = Mutex::new(BTreeMap::new());
    let progress = |account: &str, pages: usize, backups: usize| {
        if !terminal {
            return;
        }
        let Ok(mut seen) = seen.lock() else { return };
        seen.insert(account.to_owned(), (pages, backups));
        let line: Vec<String> = seen
            .iter()
            .map(|(name, (pages, backups))| {
                format!("{}: {pages} pages, {backups} backups", safe::text(name))
            })
            .collect();
        let _ = write!(std::io::stderr(), "\r\x1b[2Kreading {}", line.join("; "));
    };
    let results = fetch_all(&config.accounts, options, &progress);
    if terminal && seen.lock().is_ok_and(|seen| !seen.is_empty()) {
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
    Ok((config, Report::new(results, jiff::Timestamp::now())))
}

/// Runs `backupctl status`.
///
/// # Errors
///
/// A bad accounts file, or output that cannot be written.
pub fn run(args: &StatusArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let (_, report) = read_all(&args.source)?;
    for warning in &report.warnings {
        io.warn(warning);
    }
    // JSON and OpenMetrics are written as they are made: for 100,000 backups they are tens of
    // megabytes.
    let buffered = |io: &mut Io<'_>, write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        io.out_with(|out| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
            write(&mut out)?;
            out.flush()
        })
    };
    let text = match args.output {
        Format::Table => report.table(args.backups),
        Format::Json => {
            buffered(io, &|out| report.write_json(out))?;
            String::new()
        }
        Format::Csv => report.csv(args.backups),
        Format::Openmetrics => {
            buffered(io, &|out| report.write_openmetrics(out))?;
            String::new()
        }
    };
    io.out(&text)?;
    if args.output == Format::Table {
        for line in report.account_errors() {
            io.warn(&line);
        }
    }
    if let Some(path) = &args.textfile {
        textfile::write(path, &report)
            .map_err(|err| Failure::invalid(format!("{}: {err}", path.display())))?;
    }
    Ok(if report.all_read() {
        Exit::Success
    } else {
        Exit::Status
    })
}
