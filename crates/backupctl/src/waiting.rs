//! `backupctl call --wait`: after an operation that starts work, read the resource with its
//! API's show operation until the work ends ([`backup_runtime::wait`]).
//!
//! | API | operation | waits for | reads | state |
//! |---|---|---|---|---|
//! | rackspace-backup-v2 | `startBackup` | creation | `getBackup` (the new `id`) | `state`, `errors.reason` |
//! | rackspace-backup-v2 | `updateBackup`, the `stop` preset body only | stop | `getBackup` | `state` |
//! | vbs-v2, vbs-v3 | `createBackup` | creation | `showBackup` (`backup.id`) | `backup.status`, `backup.fail_reason` |
//! | vbs-v2, vbs-v3 | `restoreBackup` | restore | `showBackup` | `backup.status` |
//! | vbs-v2, vbs-v3, cbr-v3 | `deleteBackup` | deletion (a `404`) | `showBackup` | `backup.status` |
//! | cbr-v3 | `createCheckpoint` | creation, then each backup it made | `showCheckpoint` (`checkpoint.id`), then `listBackups?checkpoint_id=` and `showBackup` | `checkpoint.status`, `backup.status` |
//! | cbr-v3 | `restoreBackup` | restore | `showOpLog` (the answer's `job_id`, else the restore's log found with `listOpLogs`) | `operation_log.status`, `error_info.message` |
//!
//! Every reading goes through the same dynamic dispatch as the call itself (same client,
//! login, retries). On a terminal stderr shows one live line (what, state, time so far);
//! otherwise one line for the first state and one for each change.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

use backup_runtime::ApiError;
use backup_runtime::wait::{End, Next, Reading, WaitError, WaitOptions, Waiter, Work};
use serde_json::Value;

use crate::call::{CallError, HttpRunner, failure};
use crate::{Exit, Failure, Io, registry};

/// How to see one operation's work through.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    work: Work,
    /// What is waited for, for messages: `backup`, `checkpoint`.
    noun: &'static str,
    /// The show operation that reads it.
    show: &'static str,
    /// Its id parameter.
    id_param: &'static str,
    /// Where the id is: the call's parameter of that name, or a JSON pointer into the answer.
    id_from: IdFrom,
    /// The JSON pointers of the state and of a failure's reason in the show body.
    state: &'static str,
    reason: &'static str,
    /// CBR `createCheckpoint`: then wait for each backup the checkpoint made.
    then_backups: bool,
}

#[derive(Debug, Clone, Copy)]
enum IdFrom {
    Param,
    Answer(&'static str),
}

/// The JSON Patch of Rackspace's `stop` preset (`x-presets` of `updateBackup`).
fn is_stop_preset(body: Option<&str>) -> bool {
    let Some(value) = body.and_then(|body| serde_json::from_str::<Value>(body).ok()) else {
        return false;
    };
    value == serde_json::json!([{"op": "replace", "path": "/state", "value": "stop_requested"}])
}

/// The plan for `operation` of `api` (its request body given), or why `--wait` does not apply.
///
/// # Errors
///
/// The operation starts no work that can be waited for.
pub(crate) fn plan(api: &str, operation: &str, body: Option<&str>) -> Result<Plan, String> {
    let backup = |work, id_from| Plan {
        work,
        noun: "backup",
        show: "showBackup",
        id_param: "backup_id",
        id_from,
        state: "/backup/status",
        reason: "/backup/fail_reason",
        then_backups: false,
    };
    let rackspace = |work, id_from| Plan {
        show: "getBackup",
        state: "/state",
        reason: "/errors/reason",
        ..backup(work, id_from)
    };
    Ok(match (api, operation) {
        ("rackspace-backup-v2", "startBackup") => rackspace(Work::Create, IdFrom::Answer("/id")),
        ("rackspace-backup-v2", "updateBackup") if is_stop_preset(body) => {
            rackspace(Work::Stop, IdFrom::Param)
        }
        ("rackspace-backup-v2", "updateBackup") => {
            return Err("--wait on updateBackup needs the stop preset as the body: \
                 [{\"op\": \"replace\", \"path\": \"/state\", \"value\": \"stop_requested\"}]"
                .to_owned());
        }
        ("vbs-v2" | "vbs-v3", "createBackup") => backup(Work::Create, IdFrom::Answer("/backup/id")),
        ("vbs-v2" | "vbs-v3" | "cbr-v3", "restoreBackup") => backup(Work::Restore, IdFrom::Param),
        ("vbs-v2" | "vbs-v3" | "cbr-v3", "deleteBackup") => backup(Work::Delete, IdFrom::Param),
        ("cbr-v3", "createCheckpoint") => Plan {
            noun: "checkpoint",
            show: "showCheckpoint",
            id_param: "checkpoint_id",
            state: "/checkpoint/status",
            reason: "/checkpoint/fail_reason",
            then_backups: true,
            ..backup(Work::Create, IdFrom::Answer("/checkpoint/id"))
        },
        _ => {
            return Err(format!(
                "--wait: {api} {operation} starts no work to wait for (it applies to \
                 startBackup, the stop preset of updateBackup, createBackup, restoreBackup, \
                 deleteBackup and createCheckpoint)"
            ));
        }
    })
}

/// What `--wait` needs besides the plan.
#[derive(Debug)]
pub(crate) struct Wait<'a> {
    pub(crate) plan: Plan,
    pub(crate) api: &'a registry::Api,
    /// The call's parameters (the project among them).
    pub(crate) params: &'a [(String, String)],
    /// The call's answer, pretty JSON (empty when it had no body).
    pub(crate) answer: &'a str,
    pub(crate) options: WaitOptions,
    /// When the call was sent (an operation log of the work starts after it).
    pub(crate) sent_at: jiff::Timestamp,
}

/// One request of `operation`: its body as JSON (`null` when it has none), or its error.
pub(crate) fn read(
    runner: &mut HttpRunner,
    api: &registry::Api,
    operation: &str,
    params: &[(String, String)],
) -> Result<Result<Value, ApiError>, Failure> {
    let called = match api.dispatch(runner, operation, params, None) {
        Some(Ok(result)) => result,
        Some(Err(err)) => return Err(Failure::invalid(err.to_string())),
        None => return Err(Failure::invalid(format!("{} has no {operation}", api.name))),
    };
    match called {
        Ok(called) if called.json().is_empty() => Ok(Ok(Value::Null)),
        Ok(called) => serde_json::from_str(called.json())
            .map(Ok)
            .map_err(|err| Failure::new(Exit::Model, format!("{operation}: {err}"))),
        Err(CallError::Api { error, .. }) => Ok(Err(*error)),
        Err(other) => Err(failure(other)),
    }
}

/// The state and reason at `plan`'s pointers.
fn reading(plan: &Plan, body: &Value) -> Reading {
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Reading::State {
        state: text(plan.state).unwrap_or_else(|| "(no state)".to_owned()),
        reason: text(plan.reason),
    }
}

/// Waits as `wait.plan` says; prints the final body (none for a deletion) and returns the exit
/// status: 0 done, 6 ended in a failed state, 7 deadline.
///
/// # Errors
///
/// A reading failed in a way waiting does not mend (as `call` reports it), or the answer
/// has no id to wait for.
pub(crate) fn run(
    wait: &Wait<'_>,
    runner: &mut HttpRunner,
    io: &mut Io<'_>,
) -> Result<Exit, Failure> {
    let plan = wait.plan;
    let id = match plan.id_from {
        IdFrom::Param => wait
            .params
            .iter()
            .find(|(name, _)| name == plan.id_param)
            .map(|(_, value)| value.clone()),
        IdFrom::Answer(pointer) => serde_json::from_str::<Value>(wait.answer)
            .ok()
            .and_then(|answer| answer.pointer(pointer)?.as_str().map(str::to_owned)),
    }
    .ok_or_else(|| {
        Failure::new(
            Exit::Model,
            format!(
                "--wait: no {} id to wait for ({})",
                plan.noun, plan.id_param
            ),
        )
    })?;
    let mut params: Vec<(String, String)> = wait
        .params
        .iter()
        .filter(|(name, _)| matches!(name.as_str(), "project_id" | "tenant_id"))
        .cloned()
        .collect();
    params.push((plan.id_param.to_owned(), id.clone()));
    let what = format!("{} {id}", plan.noun);
    let tracked_by_log = plan.work == Work::Restore && wait.api.operation("listOpLogs").is_ok();
    let watched = if tracked_by_log {
        // CBR: a restore shows in its operation log, not on the backup.
        let mut reader = oplog::reader(&id, wait);
        watch_with(
            &format!("restore of {what}"),
            plan,
            wait,
            &mut reader,
            runner,
            io,
        )?
    } else {
        watch(&what, plan, wait, &params, runner, io)?
    };
    let Watched {
        end,
        mut body,
        last,
    } = match watched {
        Ok(watched) => watched,
        Err(exit) => return Ok(exit),
    };
    if end == End::Failed {
        return Ok(failed(&what, plan, last.as_ref(), wait, io));
    }
    if tracked_by_log {
        // The final body is the backup, as for every other wait.
        body = match read(runner, wait.api, plan.show, &params)? {
            Ok(backup) => Some(backup),
            Err(error) => {
                return Err(crate::call::api_failure(
                    &format!("{} {what}", plan.show),
                    &error,
                ));
            }
        };
    }
    if plan.work == Work::Restore && wait.api.name.starts_with("vbs") {
        // Cinder puts the backup back to `available` whether the restore worked or not; the
        // outcome is the volume's status (`available`, or `error_restoring`).
        let volume = restored_volume(wait).unwrap_or_else(|| "it went to".to_owned());
        io.warn(&format!(
            "{what} is available again; whether the restore worked shows on volume {volume} \
             (available, or error_restoring)"
        ));
    }
    if plan.then_backups {
        let exit = made_backups(&id, wait, runner, io)?;
        if exit != Exit::Success {
            return Ok(exit);
        }
    }
    if plan.work != Work::Delete
        && let Some(body) = body
    {
        let text = serde_json::to_string_pretty(&body)
            .map_err(|err| Failure::new(Exit::Model, err.to_string()))?;
        io.out(&format!("{text}\n"))?;
    }
    Ok(Exit::Success)
}

/// CBR: the backups checkpoint `id` made, each waited for until it is available.
fn made_backups(
    id: &str,
    wait: &Wait<'_>,
    runner: &mut HttpRunner,
    io: &mut Io<'_>,
) -> Result<Exit, Failure> {
    let mut params: Vec<(String, String)> = wait
        .params
        .iter()
        .filter(|(name, _)| name == "project_id")
        .cloned()
        .collect();
    params.push(("checkpoint_id".to_owned(), id.to_owned()));
    let listed = match read(runner, wait.api, "listBackups", &params)? {
        Ok(listed) => listed,
        Err(error) => return Err(crate::call::api_failure("listBackups", &error)),
    };
    let ids: Vec<String> = listed
        .pointer("/backups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|backup| backup.get("id")?.as_str().map(str::to_owned))
        .collect();
    let plan = plan("cbr-v3", "restoreBackup", None).map_err(Failure::invalid)?;
    let plan = Plan {
        work: Work::Create,
        ..plan
    };
    for backup in ids {
        let mut params = params.clone();
        params.retain(|(name, _)| name == "project_id");
        params.push(("backup_id".to_owned(), backup.clone()));
        let what = format!("backup {backup}");
        let watched = match watch(&what, plan, wait, &params, runner, io)? {
            Ok(watched) => watched,
            Err(exit) => return Ok(exit),
        };
        if watched.end == End::Failed {
            return Ok(failed(&what, plan, watched.last.as_ref(), wait, io));
        }
    }
    Ok(Exit::Success)
}

/// How waited work ended: how, the last body read and the last reading.
#[derive(Debug)]
pub(crate) struct Watched {
    pub(crate) end: End,
    pub(crate) body: Option<Value>,
    pub(crate) last: Option<Reading>,
}

/// One reading of the work: its state (and reason) and the body it came from, or the error.
pub(crate) type Reader<'r> =
    dyn FnMut(&mut HttpRunner) -> Result<Result<(Reading, Value), ApiError>, Failure> + 'r;

/// Reads `plan.show` with `params` until the end; see [`watch_with`].
pub(crate) fn watch(
    what: &str,
    plan: Plan,
    wait: &Wait<'_>,
    params: &[(String, String)],
    runner: &mut HttpRunner,
    io: &mut Io<'_>,
) -> Result<Result<Watched, Exit>, Failure> {
    let api = wait.api;
    let mut reader = |runner: &mut HttpRunner| {
        Ok(read(runner, api, plan.show, params)?.map(|value| (reading(&plan, &value), value)))
    };
    watch_with(what, plan, wait, &mut reader, runner, io)
}

/// Reads with `reader` until the end: `Ok(Watched)`, or `Err(7)` at the deadline (said on
/// stderr).
pub(crate) fn watch_with(
    what: &str,
    plan: Plan,
    wait: &Wait<'_>,
    reader: &mut Reader<'_>,
    runner: &mut HttpRunner,
    io: &mut Io<'_>,
) -> Result<Result<Watched, Exit>, Failure> {
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut waiter = Waiter::new(plan.work, wait.options, started);
    let mut body = None;
    loop {
        let reading = reader(runner)?.map(|(reading, value)| {
            body = Some(value);
            reading
        });
        let mut changed = None;
        let next = waiter.observe(reading, Instant::now(), &mut |reading| {
            changed = Some(reading.to_string());
        });
        let elapsed = |at: Instant| format_elapsed(at.saturating_duration_since(started));
        if let (Some(state), false) = (&changed, terminal) {
            io.warn(&format!("{what}: {state} ({})", elapsed(Instant::now())));
        }
        match next {
            Next::Sleep(sleep) => {
                let until = Instant::now() + sleep;
                loop {
                    if terminal {
                        let state = waiter
                            .last()
                            .map_or_else(|| "…".to_owned(), Reading::to_string);
                        let line = format!("{what}: {state}, {}", elapsed(Instant::now()));
                        let _ = write!(
                            std::io::stderr(),
                            "\r\x1b[2K{}",
                            backup_status::safe::message(&line)
                        );
                    }
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    std::thread::sleep(left.min(Duration::from_secs(1)));
                }
            }
            Next::End(end) => {
                if terminal {
                    let _ = write!(std::io::stderr(), "\r\x1b[2K");
                }
                return match end {
                    Ok(end) => {
                        if terminal || changed.is_none() {
                            let state = waiter.last().map_or_else(String::new, Reading::to_string);
                            io.warn(&format!("{what}: {state} ({})", elapsed(Instant::now())));
                        }
                        if end == End::DoneWithWarning {
                            io.warn(&format!(
                                "warning: {what} ended as {}",
                                waiter.last().map_or_else(String::new, Reading::to_string)
                            ));
                        }
                        Ok(Ok(Watched {
                            end,
                            body,
                            last: waiter.last().cloned(),
                        }))
                    }
                    Err(WaitError::Deadline { last, waited }) => {
                        let last = last.map_or_else(|| "none read".to_owned(), |l| l.to_string());
                        io.warn(&format!(
                            "{what}: still not done after {} (--wait-timeout); last state: {last}",
                            format_elapsed(waited)
                        ));
                        Ok(Err(Exit::Deadline))
                    }
                    Err(WaitError::Api(error)) => Err(crate::call::api_failure(
                        &format!("{} {what}", plan.show),
                        &error,
                    )),
                    Err(other) => Err(Failure::invalid(other.to_string())),
                };
            }
            _ => return Err(Failure::invalid("internal error: an unknown wait step")),
        }
    }
}

/// Says why the work failed (state, the service's reason) and returns 6.
fn failed(
    what: &str,
    plan: Plan,
    last: Option<&Reading>,
    wait: &Wait<'_>,
    io: &mut Io<'_>,
) -> Exit {
    let state = last.and_then(Reading::state_name).unwrap_or("gone");
    let mut line = format!("{what} ended in state {state}");
    if let Some(reason) = last.and_then(Reading::reason) {
        line.push_str(&format!(": {reason}"));
    }
    io.warn(&line);
    if plan.work == Work::Restore && wait.api.name.starts_with("vbs") {
        let volume = restored_volume(wait).unwrap_or_else(|| "it went to".to_owned());
        io.warn(&format!(
            "a failed restore shows on the volume too: look at volume {volume}"
        ));
    }
    Exit::WorkFailed
}

/// CBR restores, tracked through their operation logs: the backup itself reads `available`
/// before, during and after a restore, and the outcome (`success`, `failed`, `timeout`, with
/// `error_info`) is in the restore's task: the one the answer names (`job_id`), else the log of
/// `operation_type` `restore` whose `extra_info.restore.backup_id` is the backup (Huawei CBR API
/// reference, "Querying the Task List" / "Querying a Single Task").
mod oplog {
    use backup_runtime::ApiError;
    use backup_runtime::wait::Reading;
    use serde_json::Value;

    use super::{Failure, HttpRunner, Wait, read};

    /// How far before the call a log may start (clocks differ).
    const SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

    /// The state and reason of an operation log.
    fn reading(log: &Value) -> Reading {
        let text = |pointer: &str| {
            log.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Reading::State {
            state: text("/status").unwrap_or_else(|| "(no status)".to_owned()),
            reason: text("/error_info/message"),
        }
    }

    /// When a log started: RFC 3339, or a naive time read as UTC (as CBR writes them).
    fn started(log: &Value) -> Option<jiff::Timestamp> {
        let text = log.pointer("/started_at")?.as_str()?;
        let value: backup_runtime::Timestamp = serde_json::from_value(Value::from(text)).ok()?;
        value.to_utc().ok()
    }

    /// A reader that finds the restore's log (newest first among those started after the call,
    /// less the clock skew), then reads that log.
    pub(super) fn reader<'r>(
        backup_id: &'r str,
        wait: &'r Wait<'r>,
    ) -> impl FnMut(&mut HttpRunner) -> Result<Result<(Reading, Value), ApiError>, Failure> + 'r
    {
        let project: Vec<(String, String)> = wait
            .params
            .iter()
            .filter(|(name, _)| name == "project_id")
            .cloned()
            .collect();
        // Huawei Cloud answers the restore with the task's id (`job_id`, as
        // terraform-provider-huaweicloud reads it); without one, the task is looked up.
        let mut found: Option<String> = serde_json::from_str::<Value>(wait.answer)
            .ok()
            .and_then(|answer| answer.get("job_id")?.as_str().map(str::to_owned))
            .filter(|id| !id.is_empty());
        move |runner: &mut HttpRunner| {
            if let Some(id) = &found {
                let mut params = project.clone();
                params.push(("operation_log_id".to_owned(), id.clone()));
                return Ok(read(runner, wait.api, "showOpLog", &params)?.map(|body| {
                    let log = body
                        .pointer("/operation_log")
                        .cloned()
                        .unwrap_or(Value::Null);
                    (reading(&log), body)
                }));
            }
            let mut params = project.clone();
            params.push(("operation_type".to_owned(), "restore".to_owned()));
            let listed = match read(runner, wait.api, "listOpLogs", &params)? {
                Ok(listed) => listed,
                Err(error) => return Ok(Err(error)),
            };
            let since = wait.sent_at.checked_sub(SKEW).unwrap_or(wait.sent_at);
            let log = listed
                .pointer("/operation_logs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|log| {
                    log.pointer("/extra_info/restore/backup_id")
                        .and_then(Value::as_str)
                        == Some(backup_id)
                        && started(log).is_none_or(|at| at >= since)
                })
                .max_by_key(|log| started(log));
            Ok(Ok(match log {
                Some(log) => {
                    found = log.get("id").and_then(Value::as_str).map(str::to_owned);
                    (reading(log), log.clone())
                }
                None => (Reading::state("no operation log yet"), listed),
            }))
        }
    }
}

/// The volume a VBS restore went to (`restore.volume_id` of its answer).
fn restored_volume(wait: &Wait<'_>) -> Option<String> {
    let answer: Value = serde_json::from_str(wait.answer).ok()?;
    answer
        .pointer("/restore/volume_id")?
        .as_str()
        .map(str::to_owned)
}

/// `1h 2m 3s`, `12s`, `0.4s`.
fn format_elapsed(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(10) {
        return format!("{:.1}s", elapsed.as_secs_f64());
    }
    humantime::format_duration(Duration::from_secs(elapsed.as_secs())).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_work_starting_operations_wait() {
        for (api, op) in [
            ("rackspace-backup-v2", "startBackup"),
            ("vbs-v2", "createBackup"),
            ("vbs-v3", "restoreBackup"),
            ("vbs-v3", "deleteBackup"),
            ("cbr-v3", "createCheckpoint"),
            ("cbr-v3", "restoreBackup"),
            ("cbr-v3", "deleteBackup"),
        ] {
            assert!(plan(api, op, None).is_ok(), "{api} {op}");
        }
        for (api, op) in [
            ("vbs-v2", "showBackup"),
            ("cbr-v3", "listBackups"),
            ("vbs-v3", "updateBackup"),
            ("rackspace-backup-v2", "getBackup"),
        ] {
            assert!(plan(api, op, None).is_err(), "{api} {op}");
        }
        let stop = r#"[{"op":"replace","path":"/state","value":"stop_requested"}]"#;
        let plan_of = |body| plan("rackspace-backup-v2", "updateBackup", body).map(|p| p.work);
        assert_eq!(plan_of(Some(stop)).ok(), Some(Work::Stop));
        let other = r#"[{"op":"replace","path":"/state","value":"queued"}]"#;
        assert!(plan_of(Some(other)).is_err());
        assert!(plan_of(None).is_err());
    }
}
