//! Per resource: the newest backup, the newest good backup, the last success, and the verdict
//! against age thresholds.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::record::{Api, BackupRecord, State};
use crate::safe;

/// Age thresholds for the last success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Older than this is WARNING.
    pub warning: Duration,
    /// Older than this is CRITICAL.
    pub critical: Duration,
}

/// A check result, ordered from best to worst: OK < WARNING < UNKNOWN < CRITICAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// Nothing to report.
    Ok,
    /// Look at it soon.
    Warning,
    /// The state could not be found out (an account that cannot be read).
    Unknown,
    /// Act now.
    Critical,
}

impl Verdict {
    /// `OK`, `WARNING`, `UNKNOWN` or `CRITICAL`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "WARNING",
            Self::Unknown => "UNKNOWN",
            Self::Critical => "CRITICAL",
        }
    }

    /// The monitoring-plugin exit status: 0, 1, 3, 2.
    pub const fn exit_code(self) -> u8 {
        match self {
            Self::Ok => 0,
            Self::Warning => 1,
            Self::Critical => 2,
            Self::Unknown => 3,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One backed-up resource and what its backups say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSummary {
    /// The account it was read with.
    pub account: String,
    /// The API.
    pub api: Api,
    /// The resource's id.
    pub resource_id: String,
    /// Its name, where an API gives one.
    pub resource_name: Option<String>,
    /// The newest backup that counts for health (any state but `deleting`), by creation time;
    /// when every backup is being deleted, the newest of those (for display only).
    pub newest: BackupRecord,
    /// Whether any backup counts for health (not all are `deleting`).
    pub has_counted: bool,
    /// The newest `ok` backup.
    pub newest_good: Option<BackupRecord>,
    /// The newest `ok` backup's [`BackupRecord::success_at`].
    pub last_success_at: Option<jiff::Timestamp>,
    /// When the oldest backup that counts (any state but `deleting`) was created: how far back
    /// the kept backups reach.
    pub oldest_at: Option<jiff::Timestamp>,
}

/// Newest first: by creation time, a backup without one counting as oldest; ties by id.
fn newer(a: &BackupRecord, b: &BackupRecord) -> bool {
    (a.created_at, &a.id) > (b.created_at, &b.id)
}

/// Groups `records` by (account, API, resource) and summarizes each resource, in that order.
pub fn summarize(records: &[BackupRecord]) -> Vec<ResourceSummary> {
    let mut groups: BTreeMap<(&str, Api, &str), Vec<&BackupRecord>> = BTreeMap::new();
    for record in records {
        groups
            .entry((&record.account, record.api, &record.resource_id))
            .or_default()
            .push(record);
    }
    groups
        .into_values()
        .filter_map(|backups| summarize_one(&backups))
        .collect()
}

/// One resource's summary; `None` for no backups.
fn summarize_one(backups: &[&BackupRecord]) -> Option<ResourceSummary> {
    let newest_of = |keep: &dyn Fn(&BackupRecord) -> bool| {
        backups.iter().copied().filter(|backup| keep(backup)).fold(
            None,
            |best: Option<&BackupRecord>, backup| match best {
                Some(best) if !newer(backup, best) => Some(best),
                _ => Some(backup),
            },
        )
    };
    let counted = newest_of(&|backup| backup.state != State::Deleting);
    let newest = counted.or_else(|| newest_of(&|_| true))?;
    let newest_good = newest_of(&|backup| backup.state == State::Ok);
    let resource_name = backups
        .iter()
        .find_map(|backup| backup.resource_name.clone());
    let oldest_at = backups
        .iter()
        .filter(|backup| backup.state != State::Deleting)
        .filter_map(|backup| backup.created_at)
        .min();
    Some(ResourceSummary {
        account: newest.account.clone(),
        api: newest.api,
        resource_id: newest.resource_id.clone(),
        resource_name,
        newest: newest.clone(),
        has_counted: counted.is_some(),
        last_success_at: newest_good.and_then(BackupRecord::success_at),
        newest_good: newest_good.cloned(),
        oldest_at,
    })
}

impl ResourceSummary {
    /// The age of the last success at `now` (zero for a success in the future).
    pub fn last_success_age(&self, now: jiff::Timestamp) -> Option<Duration> {
        let at = self.last_success_at?;
        let seconds = now.as_second().saturating_sub(at.as_second());
        Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
    }

    /// The verdict at `now` and why (empty for OK; the backup's id and status cut to
    /// [`safe::LIMIT`], not escaped):
    /// CRITICAL when the newest backup failed, there is no good backup, or the last success is
    /// older than `critical`; WARNING when the newest backup is `warning` or the last success
    /// is older than `warning`; else OK. `deleting` backups do not count.
    pub fn verdict(&self, now: jiff::Timestamp, thresholds: Thresholds) -> (Verdict, String) {
        let newest_state = self.has_counted.then_some(self.newest.state);
        if newest_state == Some(State::Failed) {
            return (
                Verdict::Critical,
                format!(
                    "newest backup {} failed (status {})",
                    safe::cut(&self.newest.id, safe::LIMIT),
                    safe::cut(&self.newest.raw_status, safe::LIMIT)
                ),
            );
        }
        let Some(age) = self.last_success_age(now) else {
            return (Verdict::Critical, "no good backup".to_owned());
        };
        if age > thresholds.critical {
            return (
                Verdict::Critical,
                format!(
                    "last success {} ago, older than {}",
                    format_age(age),
                    format_age(thresholds.critical)
                ),
            );
        }
        if newest_state == Some(State::Warning) {
            return (
                Verdict::Warning,
                format!(
                    "newest backup {} finished with status {}",
                    safe::cut(&self.newest.id, safe::LIMIT),
                    safe::cut(&self.newest.raw_status, safe::LIMIT)
                ),
            );
        }
        if age > thresholds.warning {
            return (
                Verdict::Warning,
                format!(
                    "last success {} ago, older than {}",
                    format_age(age),
                    format_age(thresholds.warning)
                ),
            );
        }
        (Verdict::Ok, String::new())
    }
}

/// A coarse age for people: `45s`, `12m`, `3h`, `50h`, `5d` (hours up to three days).
pub fn format_age(age: Duration) -> String {
    let seconds = age.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m", seconds / 60),
        3600..259_200 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(id: &str, raw: &str, created: &str, finished: Option<&str>) -> BackupRecord {
        BackupRecord {
            account: "a".into(),
            api: Api::RackspaceBackupV2,
            id: id.into(),
            resource_id: "r".into(),
            resource_name: None,
            raw_status: raw.into(),
            state: State::from_raw(Api::RackspaceBackupV2, raw),
            created_at: Some(created.parse().unwrap()),
            finished_at: finished.map(|t| t.parse().unwrap()),
            size_bytes: None,
            incremental: None,
            has_dependents: None,
        }
    }

    const HOURS: Thresholds = Thresholds {
        warning: Duration::from_secs(25 * 3600),
        critical: Duration::from_secs(49 * 3600),
    };

    fn verdict(backups: &[BackupRecord], now: &str) -> (Verdict, String) {
        let summaries = summarize(backups);
        assert_eq!(summaries.len(), 1);
        summaries[0].verdict(now.parse().unwrap(), HOURS)
    }

    #[test]
    fn last_success_is_the_finish_time_of_the_newest_ok() {
        let backups = [
            backup(
                "1",
                "completed",
                "2026-01-01T00:00:00Z",
                Some("2026-01-01T02:00:00Z"),
            ),
            backup(
                "2",
                "completed",
                "2026-01-02T00:00:00Z",
                Some("2026-01-02T03:00:00Z"),
            ),
            backup("3", "in_progress", "2026-01-03T00:00:00Z", None),
        ];
        let summary = &summarize(&backups)[0];
        assert_eq!(summary.newest.id, "3");
        assert_eq!(summary.newest_good.as_ref().unwrap().id, "2");
        assert_eq!(
            summary.last_success_at,
            Some("2026-01-02T03:00:00Z".parse().unwrap())
        );
        assert_eq!(verdict(&backups, "2026-01-03T03:00:00Z").0, Verdict::Ok);
        assert_eq!(
            verdict(&backups, "2026-01-03T05:00:00Z").0,
            Verdict::Warning
        );
        let (v, why) = verdict(&backups, "2026-01-04T05:00:00Z");
        assert_eq!(
            (v, why.as_str()),
            (Verdict::Critical, "last success 50h ago, older than 49h")
        );
    }

    #[test]
    fn newest_failed_or_warning_and_deleting_not_counted() {
        let ok = backup("1", "completed", "2026-01-01T00:00:00Z", None);
        let failed = backup("2", "failed", "2026-01-01T01:00:00Z", None);
        assert_eq!(
            verdict(&[ok.clone(), failed], "2026-01-01T02:00:00Z").0,
            Verdict::Critical
        );
        let partial = backup("2", "completed_with_errors", "2026-01-01T01:00:00Z", None);
        assert_eq!(
            verdict(&[ok.clone(), partial], "2026-01-01T02:00:00Z").0,
            Verdict::Warning
        );
        let mut deleting = backup("3", "failed", "2026-01-01T01:00:00Z", None);
        deleting.state = State::Deleting;
        assert_eq!(
            verdict(&[ok, deleting.clone()], "2026-01-01T02:00:00Z").0,
            Verdict::Ok
        );
        let (v, why) = verdict(&[deleting], "2026-01-01T02:00:00Z");
        assert_eq!((v, why.as_str()), (Verdict::Critical, "no good backup"));
    }

    #[test]
    fn verdict_order_and_exit_codes() {
        assert!(Verdict::Ok < Verdict::Warning && Verdict::Warning < Verdict::Unknown);
        assert!(Verdict::Unknown < Verdict::Critical);
        let codes = [
            Verdict::Ok,
            Verdict::Warning,
            Verdict::Unknown,
            Verdict::Critical,
        ]
        .map(Verdict::exit_code);
        assert_eq!(codes, [0, 1, 3, 2]);
        assert_eq!(format_age(Duration::from_secs(3 * 3600 + 5)), "3h");
    }
}
