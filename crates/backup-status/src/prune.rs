//! Which backups of a resource to keep and which to delete: restic's `forget --keep-*` rules
//! (without restic's newer rule that also keeps the oldest backup of a bucket), over backups
//! that finished well, in UTC, with ISO weeks, and safety rules that no option overrides.
//!
//! **The rules** ([`Policy`]), over the resource's good backups (finished well), newest
//! first, by creation time:
//! - `last n`: the `n` newest;
//! - `hourly`, `daily`, `weekly`, `monthly`, `yearly n`: the newest backup of each of the `n`
//!   newest hours (days, ISO weeks, months, years) that have one;
//! - `within d`: every one created less than `d` before the newest good backup.
//!
//! **Never deleted**, whatever the rules say:
//! - the newest good backup;
//! - a backup that is not finished (any state but a final good or failed one: being made,
//!   restored or deleted, or a state nobody documents), and a good one without a creation time;
//! - a failed backup newer than the newest good backup (the evidence of a current problem);
//!   older failed backups are kept by no rule;
//! - a backup that a kept backup depends on: in an incremental chain (VBS `is_incremental`)
//!   each backup needs the good backup before it, so the kept set is closed under "needs";
//!   and a backup the service says has dependents (`has_dependent_backups`) stays unless every
//!   backup that needs it is deleted in the same run.
//!
//! What is deleted is listed newest first: in a chain, dependents go before what they need.
//!
//! ```
//! use backup_status::prune::{Policy, plan};
//! use backup_status::{Api, BackupRecord, State};
//!
//! let backup = |id: &str, day: u8, status: &str| BackupRecord {
//!     account: "prod".into(), api: Api::VbsV2, id: id.into(), resource_id: "vol-1".into(),
//!     resource_name: None, raw_status: status.into(), state: State::from_raw(Api::VbsV2, status),
//!     created_at: Some(format!("2026-12-{day:02}T03:00:00Z").parse().unwrap()),
//!     finished_at: None, size_bytes: None, incremental: Some(false), has_dependents: Some(false),
//! };
//! let backups = [backup("b1", 1, "available"), backup("b2", 2, "available"),
//!                backup("b3", 3, "error"), backup("b4", 4, "available"), backup("b5", 5, "error")];
//! let plan = plan(&backups, &Policy { daily: 2, ..Policy::default() });
//! let kept: Vec<&str> = plan.keep.iter().map(|k| k.backup.id.as_str()).collect();
//! let deleted: Vec<&str> = plan.delete.iter().map(|b| b.id.as_str()).collect();
//! // b5 failed after the newest good backup: kept as evidence; b3 failed before it: deleted.
//! assert_eq!((kept, deleted), (vec!["b5", "b4", "b2"], vec!["b3", "b1"]));
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::record::{Api, BackupRecord};

/// The keep rules; zero (or `None`) is "not given".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--keep-last`.
    pub last: usize,
    /// `--keep-hourly`.
    pub hourly: usize,
    /// `--keep-daily`.
    pub daily: usize,
    /// `--keep-weekly` (ISO weeks).
    pub weekly: usize,
    /// `--keep-monthly`.
    pub monthly: usize,
    /// `--keep-yearly`.
    pub yearly: usize,
    /// `--keep-within`, from the newest good backup.
    pub within: Option<Duration>,
}

impl Policy {
    /// Whether no rule is given (then nothing would be kept by a rule: refused by `prune`).
    pub fn is_empty(&self) -> bool {
        *self
            == Self {
                within: self.within.filter(|d| d.is_zero()),
                ..Self::default()
            }
    }
}

/// Why a backup is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The newest good backup.
    NewestGood,
    /// Not finished.
    NotFinished,
    /// A good backup without a creation time (it cannot be placed).
    NoTime,
    /// Failed after the newest good backup.
    FailedRecently,
    /// A kept backup needs it, or the service says it has dependents.
    HasDependents,
    /// `--keep-last`.
    Last,
    /// `--keep-hourly`.
    Hourly,
    /// `--keep-daily`.
    Daily,
    /// `--keep-weekly`.
    Weekly,
    /// `--keep-monthly`.
    Monthly,
    /// `--keep-yearly`.
    Yearly,
    /// `--keep-within`.
    Within,
}

impl Reason {
    /// `newest good backup`, `keep-daily`, ….
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NewestGood => "newest good backup",
            Self::NotFinished => "not finished",
            Self::NoTime => "no creation time",
            Self::FailedRecently => "failed after the newest good backup",
            Self::HasDependents => "has dependents",
            Self::Last => "keep-last",
            Self::Hourly => "keep-hourly",
            Self::Daily => "keep-daily",
            Self::Weekly => "keep-weekly",
            Self::Monthly => "keep-monthly",
            Self::Yearly => "keep-yearly",
            Self::Within => "keep-within",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kept backup and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The backup.
    pub backup: BackupRecord,
    /// Why, in [`Reason`] order.
    pub reasons: Vec<Reason>,
}

/// One resource's plan: what is kept (newest first) and what is deleted (newest first, the
/// order to delete in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourcePlan {
    /// Kept, newest first.
    pub keep: Vec<Kept>,
    /// Deleted, newest first.
    pub delete: Vec<BackupRecord>,
    /// What needs what, by id: (an incremental backup, the backup it is made on). Before
    /// deleting a backup, the deletions of the ones that need it must have ended.
    pub needs: Vec<(String, String)>,
}

impl ResourcePlan {
    /// The ids of the backups deleted in this plan that need `id` (deleted before it).
    pub fn deleted_dependents(&self, id: &str) -> Vec<&str> {
        self.needs
            .iter()
            .filter(|(_, parent)| parent == id)
            .map(|(child, _)| child.as_str())
            .filter(|child| self.delete.iter().any(|b| b.id == *child))
            .collect()
    }
}

/// Where a backup stands for pruning, from its raw status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Finished well: the rules count it.
    Good,
    /// Finished badly.
    Failed,
    /// Anything else: never deleted.
    NotFinished,
}

/// The [`Standing`] of `raw`, a status as `api` spells it: good is Cinder's and CBR's
/// `available` and Rackspace's `completed`; failed is `error` (and Rackspace's `failed`,
/// `missed`); `restoring`, `creating`, `deleting`, `error_deleting`, `protecting` and any other
/// are not finished.
pub fn standing(api: Api, raw: &str) -> Standing {
    match (api, raw) {
        (Api::RackspaceBackupV2, "completed")
        | (Api::VbsV2 | Api::VbsV3 | Api::CbrV3, "available") => Standing::Good,
        (Api::RackspaceBackupV2, "failed" | "missed")
        | (Api::VbsV2 | Api::VbsV3 | Api::CbrV3, "error") => Standing::Failed,
        _ => Standing::NotFinished,
    }
}

/// Newest first: by creation time (none counts as oldest), then id.
fn newest_first(a: &BackupRecord, b: &BackupRecord) -> std::cmp::Ordering {
    (b.created_at, &b.id).cmp(&(a.created_at, &a.id))
}

/// The bucket of `at` for a calendar rule: its hour, day, ISO week, month or year, in UTC.
fn bucket(rule: Reason, at: jiff::Timestamp) -> (i32, i32, i32, i32) {
    let at = at.to_zoned(jiff::tz::TimeZone::UTC);
    let (year, month, day, hour) = (
        i32::from(at.year()),
        i32::from(at.month()),
        i32::from(at.day()),
        i32::from(at.hour()),
    );
    match rule {
        Reason::Hourly => (year, month, day, hour),
        Reason::Daily => (year, month, day, 0),
        Reason::Weekly => {
            let week = at.date().iso_week_date();
            (i32::from(week.year()), i32::from(week.week()), 0, 0)
        }
        Reason::Monthly => (year, month, 0, 0),
        _ => (year, 0, 0, 0),
    }
}

/// The plan for `backups`, all of one resource, under `policy`; see the [module](self).
pub fn plan(backups: &[BackupRecord], policy: &Policy) -> ResourcePlan {
    let mut sorted: Vec<&BackupRecord> = backups.iter().collect();
    sorted.sort_by(|a, b| newest_first(a, b));
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); sorted.len()];
    let standings: Vec<Standing> = sorted
        .iter()
        .map(|b| standing(b.api, &b.raw_status))
        .collect();
    // The good backups with a time, newest first (indices into `sorted`).
    let good: Vec<usize> = (0..sorted.len())
        .filter(|&i| standings[i] == Standing::Good && sorted[i].created_at.is_some())
        .collect();
    let newest_good = good.first().copied();
    if let Some(newest) = newest_good {
        reasons[newest].push(Reason::NewestGood);
    }
    for (i, backup) in sorted.iter().enumerate() {
        match standings[i] {
            Standing::NotFinished => reasons[i].push(Reason::NotFinished),
            Standing::Good if backup.created_at.is_none() => reasons[i].push(Reason::NoTime),
            Standing::Failed => {
                let newest = newest_good.and_then(|n| sorted[n].created_at);
                // With no good backup at all, every failure is a current problem.
                if newest.is_none_or(|newest| backup.created_at.is_none_or(|at| at > newest)) {
                    reasons[i].push(Reason::FailedRecently);
                }
            }
            Standing::Good => {}
        }
    }
    for &i in good.iter().take(policy.last) {
        reasons[i].push(Reason::Last);
    }
    let calendar = [
        (Reason::Hourly, policy.hourly),
        (Reason::Daily, policy.daily),
        (Reason::Weekly, policy.weekly),
        (Reason::Monthly, policy.monthly),
        (Reason::Yearly, policy.yearly),
    ];
    for (rule, count) in calendar {
        let mut left = count;
        let mut last = None;
        for &i in &good {
            if left == 0 {
                break;
            }
            let key = sorted[i].created_at.map(|at| bucket(rule, at));
            if key != last {
                reasons[i].push(rule);
                left -= 1;
                last = key;
            }
        }
    }
    if let (Some(within), Some(newest)) = (
        policy.within.filter(|d| !d.is_zero()),
        newest_good.and_then(|n| sorted[n].created_at),
    ) {
        let within = jiff::SignedDuration::try_from(within).unwrap_or(jiff::SignedDuration::MAX);
        let since = newest.checked_sub(within).unwrap_or(jiff::Timestamp::MIN);
        for &i in &good {
            if sorted[i].created_at.is_some_and(|at| at > since) {
                reasons[i].push(Reason::Within);
            }
        }
    }
    let needs = needs(&sorted, &standings);
    keep_what_kept_backups_need(&sorted, &needs, &mut reasons);
    let mut plan = ResourcePlan {
        needs: needs
            .iter()
            .enumerate()
            .filter_map(|(i, parent)| Some((sorted[i].id.clone(), sorted[(*parent)?].id.clone())))
            .collect(),
        ..ResourcePlan::default()
    };
    for (i, backup) in sorted.into_iter().enumerate() {
        let mut why = std::mem::take(&mut reasons[i]);
        if why.is_empty() {
            plan.delete.push(backup.clone());
        } else {
            why.sort();
            why.dedup();
            plan.keep.push(Kept {
                backup: backup.clone(),
                reasons: why,
            });
        }
    }
    plan
}

/// What each backup needs (indices into `sorted`): the good backup just older than an
/// incremental good one, or than an unfinished one that may be incremental; nothing where the
/// API does not tell incremental backups apart.
fn needs(sorted: &[&BackupRecord], standings: &[Standing]) -> Vec<Option<usize>> {
    if sorted
        .iter()
        .all(|b| b.incremental.is_none() && b.has_dependents.is_none())
    {
        return vec![None; sorted.len()];
    }
    (0..sorted.len())
        .map(|i| {
            let may_need = match standings[i] {
                Standing::Good => sorted[i].incremental == Some(true),
                Standing::NotFinished => sorted[i].incremental != Some(false),
                Standing::Failed => false,
            };
            if !may_need {
                return None;
            }
            (i + 1..sorted.len()).find(|&j| standings[j] == Standing::Good)
        })
        .collect()
}

/// The chain rule: a kept backup that is incremental (or not finished and maybe incremental)
/// keeps the good backup before it, and so on down the chain; a backup the service says has
/// dependents is kept unless every backup that needs it is deleted.
fn keep_what_kept_backups_need(
    sorted: &[&BackupRecord],
    needs: &[Option<usize>],
    reasons: &mut [Vec<Reason>],
) {
    // Newest first: every backup that may need `i` is newer, so settled before `i` is reached,
    // and a kept `i` passes the keeping on to what it needs, further down.
    for i in 0..sorted.len() {
        if reasons[i].is_empty() {
            let dependents: Vec<usize> = (0..i).filter(|&d| needs[d] == Some(i)).collect();
            let service_says = sorted[i].has_dependents == Some(true);
            if service_says && dependents.is_empty() {
                // Dependents this listing does not show: they cannot be deleted first.
                reasons[i].push(Reason::HasDependents);
            }
        }
        if !reasons[i].is_empty()
            && let Some(parent) = needs[i]
            && !reasons[parent].contains(&Reason::HasDependents)
        {
            reasons[parent].push(Reason::HasDependents);
        }
    }
}

/// Groups `records` by (account, API, resource), in that order.
pub fn by_resource(records: &[BackupRecord]) -> BTreeMap<(String, Api, String), Vec<BackupRecord>> {
    let mut groups: BTreeMap<(String, Api, String), Vec<BackupRecord>> = BTreeMap::new();
    for record in records {
        groups
            .entry((
                record.account.clone(),
                record.api,
                record.resource_id.clone(),
            ))
            .or_default()
            .push(record.clone());
    }
    groups
}
