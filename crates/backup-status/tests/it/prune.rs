//! The prune plan against a brute-force reference written from the rules' definitions (not
//! restic's bucket walk): random resources of up to 14 backups over two months, every state,
//! incremental chains, the service's `has_dependent_backups`, and every keep option; plus the
//! invariants no option may break, and hand-made chains.

use std::collections::BTreeSet;
use std::time::Duration;

use backup_status::prune::{self, Policy, Reason, Standing, standing};
use backup_status::{Api, BackupRecord, State};
use proptest::prelude::*;

const STATUSES: [&str; 9] = [
    "available",
    "available",
    "available",
    "available",
    "error",
    "creating",
    "deleting",
    "restoring",
    "error_deleting",
];

fn record(n: usize, hours: u32, status: &str, incremental: bool, dependents: bool) -> BackupRecord {
    let base: jiff::Timestamp = "2026-10-01T00:00:00Z".parse().unwrap();
    BackupRecord {
        account: "prod".into(),
        api: Api::VbsV3,
        id: format!("b{n:02}"),
        resource_id: "vol-1".into(),
        resource_name: None,
        raw_status: status.into(),
        state: State::from_raw(Api::VbsV3, status),
        created_at: Some(base + jiff::SignedDuration::from_hours(i64::from(hours))),
        finished_at: None,
        size_bytes: None,
        incremental: Some(incremental),
        has_dependents: Some(dependents),
    }
}

fn backups() -> impl Strategy<Value = Vec<BackupRecord>> {
    prop::collection::vec(
        (
            0u32..24 * 60,
            0usize..STATUSES.len(),
            any::<bool>(),
            any::<bool>(),
        ),
        0..14,
    )
    .prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(n, (hours, status, incremental, dependents))| {
                // Six-hour steps: equal times and bucket edges are common.
                record(n, hours * 6, STATUSES[status], incremental, dependents)
            })
            .collect()
    })
}

fn policies() -> impl Strategy<Value = Policy> {
    (
        0usize..4,
        0usize..4,
        0usize..5,
        0usize..4,
        0usize..3,
        0usize..2,
        prop::option::of(0u64..80),
    )
        .prop_map(
            |(last, hourly, daily, weekly, monthly, yearly, within)| Policy {
                last,
                hourly,
                daily,
                weekly,
                monthly,
                yearly,
                within: within.map(|steps| Duration::from_secs(steps * 6 * 3600)),
            },
        )
}

/// A calendar rule's bucket of a backup, as text.
type BucketKey<'a> = dyn Fn(&BackupRecord) -> String + 'a;

/// The kept ids by the definitions, straightforwardly.
fn reference(backups: &[BackupRecord], policy: &Policy) -> BTreeSet<String> {
    let mut all: Vec<&BackupRecord> = backups.iter().collect();
    all.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let good: Vec<&BackupRecord> = all
        .iter()
        .copied()
        .filter(|b| standing(b.api, &b.raw_status) == Standing::Good)
        .collect();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let newest = good.first().map(|b| b.created_at.unwrap());
    kept.extend(good.first().map(|b| b.id.clone()));
    kept.extend(good.iter().take(policy.last).map(|b| b.id.clone()));
    let utc = |b: &BackupRecord| b.created_at.unwrap().to_zoned(jiff::tz::TimeZone::UTC);
    let keys: [(usize, &BucketKey<'_>); 5] = [
        (policy.hourly, &|b| {
            utc(b).strftime("%Y-%m-%d %H").to_string()
        }),
        (policy.daily, &|b| utc(b).strftime("%Y-%m-%d").to_string()),
        (policy.weekly, &|b| {
            let week = utc(b).date().iso_week_date();
            format!("{}-W{:02}", week.year(), week.week())
        }),
        (policy.monthly, &|b| utc(b).strftime("%Y-%m").to_string()),
        (policy.yearly, &|b| utc(b).strftime("%Y").to_string()),
    ];
    for (count, key) in keys {
        // The `count` newest buckets that hold a good backup; the newest backup of each.
        let mut buckets: Vec<String> = Vec::new();
        for b in &good {
            let bucket = key(b);
            if !buckets.contains(&bucket) {
                buckets.push(bucket);
            }
        }
        for bucket in buckets.into_iter().take(count) {
            let newest_in = good.iter().find(|b| key(b) == bucket).unwrap();
            kept.insert(newest_in.id.clone());
        }
    }
    if let (Some(within), Some(newest)) = (policy.within.filter(|d| !d.is_zero()), newest) {
        let since = newest - jiff::SignedDuration::try_from(within).unwrap();
        kept.extend(
            good.iter()
                .filter(|b| b.created_at.unwrap() > since)
                .map(|b| b.id.clone()),
        );
    }
    for b in &all {
        match standing(b.api, &b.raw_status) {
            Standing::NotFinished => {
                kept.insert(b.id.clone());
            }
            Standing::Failed if newest.is_none_or(|n| b.created_at.unwrap() > n) => {
                kept.insert(b.id.clone());
            }
            _ => {}
        }
    }
    // What each backup needs: the next older good backup, for an incremental good one or a
    // not finished one that may be incremental.
    let needs = |b: &BackupRecord| -> Option<String> {
        let may = match standing(b.api, &b.raw_status) {
            Standing::Good => b.incremental == Some(true),
            Standing::NotFinished => b.incremental != Some(false),
            Standing::Failed => false,
        };
        if !may {
            return None;
        }
        good.iter()
            .find(|g| (g.created_at, &g.id) < (b.created_at, &b.id))
            .map(|g| g.id.clone())
    };
    loop {
        let before = kept.len();
        for b in &all {
            if kept.contains(&b.id)
                && let Some(parent) = needs(b)
            {
                kept.insert(parent);
            }
        }
        for b in &all {
            let needed_by_any = all
                .iter()
                .any(|d| needs(d).as_deref() == Some(b.id.as_str()));
            if b.has_dependents == Some(true) && !needed_by_any {
                kept.insert(b.id.clone());
            }
        }
        if kept.len() == before {
            break;
        }
    }
    kept
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn plans_match_the_reference_and_keep_the_invariants(backups in backups(), policy in policies()) {
        let plan = prune::plan(&backups, &policy);
        let kept: BTreeSet<String> = plan.keep.iter().map(|k| k.backup.id.clone()).collect();
        prop_assert_eq!(&kept, &reference(&backups, &policy));
        prop_assert_eq!(plan.keep.len() + plan.delete.len(), backups.len());
        // Deleted newest first; never the newest good backup nor an unfinished one.
        let times: Vec<_> = plan.delete.iter().map(|b| (b.created_at, b.id.clone())).collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        prop_assert_eq!(times, sorted);
        for deleted in &plan.delete {
            prop_assert_ne!(standing(deleted.api, &deleted.raw_status), Standing::NotFinished);
        }
        let newest_good = backups
            .iter()
            .filter(|b| standing(b.api, &b.raw_status) == Standing::Good)
            .max_by_key(|b| (b.created_at, b.id.clone()));
        if let Some(newest) = newest_good {
            prop_assert!(kept.contains(&newest.id));
        }
        prop_assert!(plan.keep.iter().all(|k| !k.reasons.is_empty()));
    }
}

#[test]
fn a_chain_is_kept_whole_below_a_kept_incremental() {
    // Daily at 03:00: full b00, incrementals b01..b03, full b04, incrementals b05, b06.
    let chain: Vec<BackupRecord> = (0..7)
        .map(|n| {
            // What the service says: b00..b02 and b04, b05 have a later incremental.
            let has_dependents = !matches!(n, 3 | 6);
            record(
                n,
                24 * n as u32 + 3,
                "available",
                !matches!(n, 0 | 4),
                has_dependents,
            )
        })
        .collect();
    let plan = prune::plan(
        &chain,
        &Policy {
            last: 1,
            ..Policy::default()
        },
    );
    let kept: Vec<(&str, Vec<Reason>)> = plan
        .keep
        .iter()
        .map(|k| (k.backup.id.as_str(), k.reasons.clone()))
        .collect();
    assert_eq!(
        kept,
        [
            ("b06", vec![Reason::NewestGood, Reason::Last]),
            ("b05", vec![Reason::HasDependents]),
            ("b04", vec![Reason::HasDependents]),
        ]
    );
    let deleted: Vec<&str> = plan.delete.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        deleted,
        ["b03", "b02", "b01", "b00"],
        "dependents before what they need"
    );
    // A backup the service says has dependents, none of them listed: kept.
    let mut lone = chain[..1].to_vec();
    lone.push(record(9, 200, "available", false, false));
    lone[0].has_dependents = Some(true);
    let plan = prune::plan(
        &lone,
        &Policy {
            last: 1,
            ..Policy::default()
        },
    );
    assert_eq!(plan.keep.len(), 2, "{plan:?}");
    assert!(plan.delete.is_empty());
}

#[test]
fn keep_within_counts_from_the_newest_good_backup_and_excludes_the_edge() {
    let backups: Vec<BackupRecord> = [0, 6, 12, 18]
        .into_iter()
        .enumerate()
        .map(|(n, hours)| {
            let status = if n == 3 { "error" } else { "available" };
            record(n, hours, status, false, false)
        })
        .collect();
    // The newest good backup is b02 (12h; b03 failed after it): within 6h of it is only
    // itself, as restic's "after newest - d"; b01, exactly 6h before, goes.
    let policy = Policy {
        within: Some(Duration::from_secs(6 * 3600)),
        ..Policy::default()
    };
    let plan = prune::plan(&backups, &policy);
    let kept: Vec<(&str, Vec<Reason>)> = plan
        .keep
        .iter()
        .map(|k| (k.backup.id.as_str(), k.reasons.clone()))
        .collect();
    assert_eq!(
        kept,
        [
            ("b03", vec![Reason::FailedRecently]),
            ("b02", vec![Reason::NewestGood, Reason::Within]),
        ]
    );
    let policy = Policy {
        within: Some(Duration::from_secs(6 * 3600 + 1)),
        ..Policy::default()
    };
    assert_eq!(prune::plan(&backups, &policy).keep.len(), 3);
}

#[test]
fn no_rule_is_an_empty_policy() {
    assert!(Policy::default().is_empty());
    assert!(
        Policy {
            within: Some(Duration::ZERO),
            ..Policy::default()
        }
        .is_empty()
    );
    assert!(
        !Policy {
            weekly: 4,
            ..Policy::default()
        }
        .is_empty()
    );
    assert!(
        !Policy {
            within: Some(Duration::from_secs(1)),
            ..Policy::default()
        }
        .is_empty()
    );
}
