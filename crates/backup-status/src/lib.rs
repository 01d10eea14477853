//! One health view of backups across Rackspace Cloud Backup v2, Huawei VBS (v2, v3) and
//! Huawei CBR v3: has every resource had a good backup recently enough?
//!
//! - [`record`]: the normalized [`BackupRecord`] and the [`State`] mapping of raw statuses;
//! - [`adapt`]: each API's item model → [`BackupRecord`];
//! - [`summary`]: per resource, the newest backup, the newest good one, and the [`Verdict`];
//! - [`config`]: the accounts file (`backupctl.toml`);
//! - [`cloud`]: accounts that log in as a cloud of clouds.yaml (service types, regional hosts,
//!   the VBS v3 microversion, one login per cloud);
//! - [`fetch`]: reading every account at once, page by page;
//! - [`prune`]: which backups of a resource to keep and delete (restic's rules, chains kept
//!   whole, the newest good backup never deleted);
//! - [`report`]: the table, JSON, CSV, OpenMetrics, Prometheus text and check output;
//! - [`safe`]: what every output passes server text through (secrets redacted, long text cut,
//!   control characters escaped per format);
//! - [`textfile`]: the node_exporter textfile, written atomically, keeping the last known
//!   series of accounts that cannot be read.
//!
//! # Tutorial
//!
//! ```
//! use std::time::Duration;
//! use backup_status::{Api, Report, State, Thresholds, Verdict, adapt, fetch::AccountResult};
//!
//! // A VBS v2 backup as `listBackupsDetail` lists it (naive times are UTC).
//! let backup: vbs_v2_models::Backup = serde_json::from_value(serde_json::json!({
//!     "id": "b1", "status": "available", "volume_id": "vol-1", "size": 1,
//!     "created_at": "2026-12-01T06:00:00.000000", "links": [], "fail_reason": "",
//!     "container": "c", "name": "daily"
//! }))?;
//! let record = adapt::vbs_v2("prod", &backup);
//! assert_eq!((record.api, record.state), (Api::VbsV2, State::Ok));
//! assert_eq!(record.created_at.unwrap().to_string(), "2026-12-01T06:00:00Z");
//!
//! // Ten hours later, against 25h/49h thresholds, the volume is OK...
//! let result = AccountResult {
//!     name: "prod".into(), api: Api::VbsV2, outcome: Ok(vec![record]),
//!     microversion: None, warnings: Vec::new(), elapsed: Duration::from_millis(20),
//! };
//! let report = Report::new(vec![result], "2026-12-01T16:00:00Z".parse()?);
//! let hours = |h: u64| Duration::from_secs(h * 3600);
//! let check = report.check(&|_| Thresholds { warning: hours(25), critical: hours(49) });
//! assert_eq!(check.verdict, Verdict::Ok);
//! assert!(check.text.starts_with("BACKUP OK - 1 resources: 0 critical, 0 warning, 1 ok | 'prod/vol-1'=36000s;90000;176400;0;"));
//! // ...and WARNING against a 6h threshold.
//! let check = report.check(&|_| Thresholds { warning: hours(6), critical: hours(49) });
//! assert_eq!((check.verdict, check.verdict.exit_code()), (Verdict::Warning, 1));
//! assert_eq!(report.json()["resources"][0]["last_success_age_seconds"], 36000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod adapt;
pub mod cloud;
pub mod config;
pub mod fetch;
pub mod prune;
pub mod record;
pub mod report;
pub mod safe;
pub mod summary;
pub mod textfile;

pub use cloud::{CloudLoader, VBS_V3_MICROVERSION, max_microversion, regional_endpoint};
pub use config::{
    Account, AccountAuth, CloudAccount, Config, ConfigError, TOKEN_TIMEOUT, TokenSource,
    parse_duration,
};
pub use fetch::{
    AccountError, AccountResult, Connection, FetchOptions, connect, fetch_all, fetch_all_with,
    format_account_error,
};
pub use record::{Api, BackupRecord, State};
pub use report::{AccountStatus, CheckOutcome, Report};
pub use summary::{ResourceSummary, Thresholds, Verdict, format_age, summarize};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
