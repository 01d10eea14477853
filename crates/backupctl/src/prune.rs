//! `backupctl prune`: keep the backups the `--keep-*` rules say, per resource, over the accounts
//! file; print the plan, and with `--delete` delete the rest ([`backup_status::prune`] says
//! what is kept and why; nothing here decides it).
//!
//! Deleting follows the plan's order, newest first per resource, so in an incremental chain
//! the backups that need another go before it; before a backup that others needed is deleted,
//! their deletions must have ended (waited for, with or without `--wait`) and the service must
//! say it has no dependents left (`has_dependent_backups`, read again). The first deletion that
//! fails (an error status, `error_deleting`, a deadline, dependents left) stops deleting in
//! that account; the others go on.

use std::collections::BTreeMap;
use std::time::Duration;

use backup_runtime::wait::{End, WaitOptions};
use backup_status::prune::{self, Policy, ResourcePlan};
use backup_status::{Api, BackupRecord, Config, FetchOptions, fetch_all, safe};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use crate::call::HttpRunner;
use crate::status::{SourceArgs, parse_duration};
use crate::{Exit, Failure, Io, registry, waiting};

/// Shown after `backupctl prune --help`.
const PRUNE_HELP: &str = "\
Rules (restic's `forget --keep-*`, per resource, over backups that finished well, by creation
time in UTC; weeks are ISO weeks): --keep-last N keeps the N newest; --keep-hourly/-daily/
-weekly/-monthly/-yearly N keep the newest of each of the N newest hours/days/weeks/months/years
that have one; --keep-within DURATION keeps those created less than DURATION before the newest
good backup. A backup kept by any rule is kept.

Never deleted: the newest good backup; a backup that is not finished (being made, restored or
deleted); a failed backup newer than the newest good one; a backup that a kept backup needs
(incremental chains are kept whole) or that the service says has dependents not deleted in
the same run. Rackspace accounts are skipped: Rackspace Cloud Backup deletes nothing on
request (retention lives in the backup configuration).

Exit status:
  0  the plan was printed (and with --delete, every planned deletion ended well)
  1  bad invocation: no --keep-* option, an unknown --account, a bad accounts file
  3  an account could not be read, or a deletion failed (that account stopped deleting)";

/// `backupctl prune`.
#[derive(Debug, Args)]
#[command(after_help = PRUNE_HELP)]
pub struct PruneArgs {
    /// Where the accounts are and how to read them.
    #[command(flatten)]
    pub source: SourceArgs,
    /// Only this account (repeatable) [default: every account].
    #[arg(long = "account", value_name = "NAME")]
    pub accounts: Vec<String>,
    /// Keep the N newest good backups.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_last: usize,
    /// Keep the newest good backup of each of the N newest hours that have one.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_hourly: usize,
    /// … of each of the N newest days.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_daily: usize,
    /// … of each of the N newest ISO weeks.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_weekly: usize,
    /// … of each of the N newest months.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_monthly: usize,
    /// … of each of the N newest years.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub keep_yearly: usize,
    /// Keep every good backup created less than this before the newest one, e.g. 10d or 36h
    /// (m is minutes).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub keep_within: Option<Duration>,
    /// Delete what the plan does not keep (without it, only the plan is printed).
    #[arg(long)]
    pub delete: bool,
    /// With --delete: wait for each deletion to end.
    #[arg(long, requires = "delete")]
    pub wait: bool,
    /// How long to wait for one deletion, e.g. 30m.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub wait_timeout: Duration,
    /// The first pause between readings while waiting, e.g. 5s.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub poll_interval: Duration,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = PruneFormat::Table)]
    pub output: PruneFormat,
}

/// `prune -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PruneFormat {
    /// One row per backup: kept (and why) or deleted.
    Table,
    /// One object: `accounts` and `resources`.
    Json,
}

/// What happened to one planned deletion.
#[derive(Debug, Clone, Default)]
struct Deletion {
    /// Attempted and ended well.
    deleted: bool,
    /// Why it failed, or why it was not attempted.
    error: Option<String>,
}

/// An account's outcome.
#[derive(Debug)]
struct AccountOutcome {
    name: String,
    api: Api,
    error: Option<String>,
    skipped: Option<&'static str>,
}

/// Runs `backupctl prune`.
///
/// # Errors
///
/// A bad invocation or accounts file, or output that cannot be written.
pub fn run(args: &PruneArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let policy = Policy {
        last: args.keep_last,
        hourly: args.keep_hourly,
        daily: args.keep_daily,
        weekly: args.keep_weekly,
        monthly: args.keep_monthly,
        yearly: args.keep_yearly,
        within: args.keep_within,
    };
    if policy.is_empty() {
        return Err(Failure::invalid(
            "no rule: give at least one of --keep-last, --keep-hourly, --keep-daily, \
             --keep-weekly, --keep-monthly, --keep-yearly, --keep-within",
        ));
    }
    let config =
        Config::load(&args.source.config).map_err(|err| Failure::invalid(err.to_string()))?;
    for name in &args.accounts {
        if !config.accounts.iter().any(|account| &account.name == name) {
            return Err(Failure::invalid(format!(
                "--account {name}: no such account in {}",
                args.source.config.display()
            )));
        }
    }
    let chosen: Vec<_> = config
        .accounts
        .iter()
        .filter(|account| args.accounts.is_empty() || args.accounts.contains(&account.name))
        .collect();
    let mut outcomes: Vec<AccountOutcome> = Vec::new();
    let readable: Vec<_> = chosen
        .iter()
        .filter(|account| account.api != Api::RackspaceBackupV2)
        .map(|account| (*account).clone())
        .collect();
    let options = FetchOptions {
        max_pages: args.source.max_pages.max(1),
        timeout: args.source.timeout,
        ..FetchOptions::default()
    };
    let results = fetch_all(&readable, options, &|_, _, _| {});
    let mut plans: BTreeMap<(String, Api, String), ResourcePlan> = BTreeMap::new();
    for account in &chosen {
        let mut outcome = AccountOutcome {
            name: account.name.clone(),
            api: account.api,
            error: None,
            skipped: None,
        };
        if account.api == Api::RackspaceBackupV2 {
            outcome.skipped = Some(
                "Rackspace Cloud Backup has no backup deletion: its retention lives in the \
                 backup configuration",
            );
        } else if let Some(result) = results.iter().find(|r| r.name == account.name) {
            for warning in &result.warnings {
                io.warn(warning);
            }
            match &result.outcome {
                Ok(records) => {
                    for (key, backups) in prune::by_resource(records) {
                        plans.insert(key, prune::plan(&backups, &policy));
                    }
                }
                Err(error) => outcome.error = Some(backup_status::format_account_error(error)),
            }
        }
        outcomes.push(outcome);
    }
    let mut deletions: BTreeMap<(String, String), Deletion> = BTreeMap::new();
    if args.delete {
        let wait = WaitOptions::default()
            .first_interval(args.poll_interval)
            .timeout(args.wait_timeout);
        for account in &chosen {
            let outcome = outcomes
                .iter_mut()
                .find(|o| o.name == account.name)
                .expect("every chosen account has an outcome");
            if outcome.error.is_some() || outcome.skipped.is_some() {
                continue;
            }
            let own: Vec<&ResourcePlan> = plans
                .iter()
                .filter(|((name, _, _), _)| *name == account.name)
                .map(|(_, plan)| plan)
                .collect();
            if own.iter().all(|plan| plan.delete.is_empty()) {
                continue;
            }
            if let Err(error) =
                delete_account(account, &own, options, args.wait, wait, &mut deletions, io)
            {
                outcome.error = Some(error);
            }
        }
    }
    let text = match args.output {
        PruneFormat::Json => {
            let json = to_json(&outcomes, &plans, &deletions, args.delete);
            let text = serde_json::to_string_pretty(&json)
                .map_err(|err| Failure::invalid(format!("cannot write JSON: {err}")))?;
            format!("{}\n", safe::json(&text))
        }
        PruneFormat::Table => table(&plans, &deletions, args.delete),
    };
    io.out(&text)?;
    for outcome in &outcomes {
        if let Some(reason) = outcome.skipped {
            io.warn(&format!(
                "account {} ({}): skipped: {reason}",
                outcome.name, outcome.api
            ));
        }
        if let Some(error) = &outcome.error {
            io.warn(&format!(
                "account {} ({}): {error}",
                outcome.name, outcome.api
            ));
        }
    }
    Ok(if outcomes.iter().any(|o| o.error.is_some()) {
        Exit::Status
    } else {
        Exit::Success
    })
}

/// Deletes an account's planned backups, resource by resource, newest first; stops at the
/// first failure and returns it.
fn delete_account(
    account: &backup_status::Account,
    plans: &[&ResourcePlan],
    options: FetchOptions,
    wait_each: bool,
    wait: WaitOptions,
    deletions: &mut BTreeMap<(String, String), Deletion>,
    io: &mut Io<'_>,
) -> Result<(), String> {
    let connection = backup_status::connect(account, options)
        .map_err(|error| backup_status::format_account_error(&error))?;
    let api = registry::api(account.api.key()).map_err(|failure| failure.message)?;
    let project = [("project_id".to_owned(), connection.project_id)];
    let mut deleter = Deleter {
        account: &account.name,
        waiting: waiting::Wait {
            plan: waiting::plan(account.api.key(), "deleteBackup", None)?,
            api: &api,
            params: &project,
            answer: "",
            options: wait,
            sent_at: jiff::Timestamp::now(),
        },
        runner: HttpRunner::logged_in(connection.client),
        wait_each,
    };
    let secrets = connection.secrets;
    let mut failed: Option<String> = None;
    for resource in plans {
        for backup in &resource.delete {
            let key = (account.name.clone(), backup.id.clone());
            let outcome = match &failed {
                Some(reason) => Deletion {
                    deleted: false,
                    error: Some(format!("not attempted: {reason}")),
                },
                None => match deleter.delete(backup, resource, deletions, io) {
                    Ok(()) => Deletion {
                        deleted: true,
                        error: None,
                    },
                    Err(error) => {
                        failed = Some(format!("deleting backup {} failed", backup.id));
                        Deletion {
                            deleted: false,
                            error: Some(secrets.redact(&error).into_owned()),
                        }
                    }
                },
            };
            deletions.insert(key, outcome);
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Deletes an account's backups one by one.
struct Deleter<'a> {
    account: &'a str,
    /// How to wait for a deletion (and the account's project).
    waiting: waiting::Wait<'a>,
    runner: HttpRunner,
    /// `--wait`.
    wait_each: bool,
}

impl Deleter<'_> {
    /// The parameters that name `backup` in the account's project.
    fn params(&self, backup: &str) -> Vec<(String, String)> {
        let mut params = self.waiting.params.to_vec();
        params.push(("backup_id".to_owned(), backup.to_owned()));
        params
    }

    /// Deletes one backup: first the deletions of those that need it must have ended and the
    /// service must say it has no dependents; then `deleteBackup`; then (with `--wait`) its
    /// deletion waited for.
    fn delete(
        &mut self,
        backup: &BackupRecord,
        resource: &ResourcePlan,
        deletions: &BTreeMap<(String, String), Deletion>,
        io: &mut Io<'_>,
    ) -> Result<(), String> {
        let dependents = resource.deleted_dependents(&backup.id);
        if !dependents.is_empty() || backup.has_dependents == Some(true) {
            for dependent in &dependents {
                let key = (self.account.to_owned(), (*dependent).to_owned());
                if !deletions.get(&key).is_some_and(|d| d.deleted) {
                    return Err(format!(
                        "backup {dependent}, which needs it, was not deleted"
                    ));
                }
                if !self.wait_each {
                    self.wait_gone(dependent, io)?;
                }
            }
            // Read it again: the service must see no dependents left.
            let params = self.params(&backup.id);
            let reading = waiting::read(&mut self.runner, self.waiting.api, "showBackup", &params)
                .map_err(|failure| failure.message)?
                .map_err(|error| error.to_string())?;
            if reading.pointer("/backup/has_dependent_backups") == Some(&Value::Bool(true)) {
                return Err("the service still says it has dependent backups".to_owned());
            }
        }
        let params = self.params(&backup.id);
        waiting::read(&mut self.runner, self.waiting.api, "deleteBackup", &params)
            .map_err(|failure| failure.message)?
            .map_err(|error| error.to_string())?;
        if self.wait_each {
            self.wait_gone(&backup.id, io)?;
        }
        Ok(())
    }

    /// Waits until `backup` is gone.
    fn wait_gone(&mut self, backup: &str, io: &mut Io<'_>) -> Result<(), String> {
        let params = self.params(backup);
        let what = format!("backup {backup}");
        let plan = self.waiting.plan;
        match waiting::watch(&what, plan, &self.waiting, &params, &mut self.runner, io) {
            Ok(Ok(watched)) if watched.end != End::Failed => Ok(()),
            Ok(Ok(_)) => Err(format!(
                "the deletion of backup {backup} ended in error_deleting"
            )),
            Ok(Err(_)) => Err(format!(
                "the deletion of backup {backup} passed --wait-timeout"
            )),
            Err(failure) => Err(failure.message),
        }
    }
}

/// `2026-12-01T17:00:00Z`, or `-`.
fn when(backup: &BackupRecord) -> String {
    backup
        .created_at
        .map_or_else(|| "-".to_owned(), |at| at.to_string())
}

/// The plan (and what deleting did) as JSON.
fn to_json(
    outcomes: &[AccountOutcome],
    plans: &BTreeMap<(String, Api, String), ResourcePlan>,
    deletions: &BTreeMap<(String, String), Deletion>,
    deleting: bool,
) -> Value {
    let cut = |text: &str| safe::cut(text, safe::LIMIT).into_owned();
    json!({
        "accounts": outcomes.iter().map(|o| json!({
            "name": cut(&o.name),
            "api": o.api.key(),
            "ok": o.error.is_none() && o.skipped.is_none(),
            "error": o.error.as_deref().map(cut),
            "skipped": o.skipped,
        })).collect::<Vec<_>>(),
        "resources": plans.iter().map(|((account, api, resource), plan)| json!({
            "account": cut(account),
            "api": api.key(),
            "resource_id": cut(resource),
            "keep": plan.keep.iter().map(|kept| json!({
                "id": cut(&kept.backup.id),
                "created_at": kept.backup.created_at.map(|at| at.to_string()),
                "reasons": kept.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "delete": plan.delete.iter().map(|backup| {
                let mut entry = json!({
                    "id": cut(&backup.id),
                    "created_at": backup.created_at.map(|at| at.to_string()),
                });
                if deleting {
                    let key = (account.clone(), backup.id.clone());
                    let done = deletions.get(&key).cloned().unwrap_or_default();
                    entry["deleted"] = json!(done.deleted);
                    entry["error"] = json!(done.error.as_deref().map(cut));
                }
                entry
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One row per backup: kept and why, or deleted (and what deleting did).
fn table(
    plans: &BTreeMap<(String, Api, String), ResourcePlan>,
    deletions: &BTreeMap<(String, String), Deletion>,
    deleting: bool,
) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "ACCOUNT", "API", "RESOURCE", "BACKUP", "CREATED", "ACTION", "WHY",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for ((account, api, resource), plan) in plans {
        let mut lines: Vec<(&BackupRecord, String, String)> = Vec::new();
        for kept in &plan.keep {
            let why = kept
                .reasons
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            lines.push((&kept.backup, "keep".to_owned(), why));
        }
        for backup in &plan.delete {
            let (action, why) = match deletions.get(&(account.clone(), backup.id.clone())) {
                Some(Deletion { deleted: true, .. }) => ("deleted".to_owned(), String::new()),
                Some(Deletion {
                    error: Some(error), ..
                }) => ("not deleted".to_owned(), error.clone()),
                _ if deleting => ("not deleted".to_owned(), String::new()),
                _ => ("delete".to_owned(), String::new()),
            };
            lines.push((backup, action, why));
        }
        lines.sort_by(|a, b| (b.0.created_at, &b.0.id).cmp(&(a.0.created_at, &a.0.id)));
        for (backup, action, why) in lines {
            rows.push(vec![
                safe::text(account),
                api.to_string(),
                safe::text(resource),
                safe::text(&backup.id),
                when(backup),
                action,
                safe::text(&why),
            ]);
        }
    }
    backup_status::report::aligned(&rows)
}
