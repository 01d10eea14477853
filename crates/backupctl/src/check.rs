//! `backupctl check`: a monitoring-plugin check (Nagios, Icinga, Sensu, Zabbix agents) of every
//! resource in the accounts file.
//!
//! Output: `BACKUP <STATUS> - <summary> | <perfdata>`, then one line per resource that is not
//! OK and per account that could not be read. Exit status 0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN; the worst wins in the order OK < WARNING < UNKNOWN < CRITICAL. A bad argument
//! or accounts file is UNKNOWN.

use std::time::Duration;

use backup_status::{Thresholds, Verdict, safe};
use clap::Args;

use crate::status::{SourceArgs, parse_duration, read_all};
use crate::{Exit, Failure, Io};

/// Shown after `backupctl check --help`.
const CHECK_HELP: &str = "\
A resource is CRITICAL when its newest backup failed, it has no good backup, or its last
success is older than the critical age; WARNING when its newest backup finished with warnings
or its last success is older than the warning age. An account's own `warning`/`critical` in
the accounts file override the flags.

Exit status (monitoring-plugin convention; the worst wins, OK < WARNING < UNKNOWN < CRITICAL):
  0  OK
  1  WARNING
  2  CRITICAL
  3  UNKNOWN: an account could not be read, or a bad argument or accounts file";

/// `backupctl check`.
#[derive(Debug, Args)]
#[command(after_help = CHECK_HELP)]
pub struct CheckArgs {
    /// Where the accounts are and how to read them.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Last success older than this is WARNING (e.g. 90m, 25h, 2d).
    #[arg(long, value_name = "DURATION", default_value = "25h", value_parser = parse_duration)]
    pub warning: Duration,
    /// Last success older than this is CRITICAL.
    #[arg(long, value_name = "DURATION", default_value = "49h", value_parser = parse_duration)]
    pub critical: Duration,
}

/// The process exit status of a verdict. [`Exit`]'s numbers 0 to 3 are reused with the
/// plugin meanings, which `check --help` states.
pub(crate) const fn exit_of(verdict: Verdict) -> Exit {
    match verdict {
        Verdict::Ok => Exit::Success,
        Verdict::Warning => Exit::Invalid,
        Verdict::Critical => Exit::Changed,
        Verdict::Unknown => Exit::Status,
    }
}

/// Writes `BACKUP UNKNOWN - <message>` (its first line, escaped: [`safe::check_line`]) and
/// exits UNKNOWN.
pub(crate) fn unknown(message: &str, io: &mut Io<'_>) -> Exit {
    let line = message.lines().next().unwrap_or(message);
    let line = safe::check_line(&safe::cut(line, safe::MESSAGE_LIMIT));
    let _ = io.out(&format!("BACKUP UNKNOWN - {line}\n"));
    exit_of(Verdict::Unknown)
}

/// Runs `backupctl check`.
///
/// # Errors
///
/// Never: every failure is an UNKNOWN result.
pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let (config, report) = match read_all(&args.source) {
        Ok(read) => read,
        Err(failure) => return Ok(unknown(&failure.message, io)),
    };
    for warning in &report.warnings {
        io.warn(warning);
    }
    let thresholds = |account: &str| {
        let own = config.accounts.iter().find(|a| a.name == account);
        Thresholds {
            warning: own.and_then(|a| a.warning).unwrap_or(args.warning),
            critical: own.and_then(|a| a.critical).unwrap_or(args.critical),
        }
    };
    let outcome = report.check(&thresholds);
    io.out(&outcome.text)?;
    Ok(exit_of(outcome.verdict))
}
