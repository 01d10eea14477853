//! The normalized backup record, the APIs it is built from, and the state mapping.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the backup APIs an account can use; the key is the spec's file stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Api {
    /// Rackspace Cloud Backup v2 (`rackspace-backup-v2`).
    #[serde(rename = "rackspace-backup-v2")]
    RackspaceBackupV2,
    /// Huawei Volume Backup Service v2 (`vbs-v2`).
    #[serde(rename = "vbs-v2")]
    VbsV2,
    /// Huawei Volume Backup Service v3 (`vbs-v3`).
    #[serde(rename = "vbs-v3")]
    VbsV3,
    /// Huawei Cloud Backup and Recovery v3 (`cbr-v3`).
    #[serde(rename = "cbr-v3")]
    CbrV3,
}

impl Api {
    /// Every API, in a fixed order.
    pub const ALL: [Self; 4] = [
        Self::RackspaceBackupV2,
        Self::VbsV2,
        Self::VbsV3,
        Self::CbrV3,
    ];

    /// The API key: `rackspace-backup-v2`, `vbs-v2`, `vbs-v3` or `cbr-v3`.
    pub const fn key(self) -> &'static str {
        match self {
            Self::RackspaceBackupV2 => "rackspace-backup-v2",
            Self::VbsV2 => "vbs-v2",
            Self::VbsV3 => "vbs-v3",
            Self::CbrV3 => "cbr-v3",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Api {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|api| api.key() == text)
            .ok_or_else(|| {
                format!(
                    "unknown api `{text}` (expected one of: {})",
                    Self::ALL.map(Self::key).join(", ")
                )
            })
    }
}

/// A backup's state, the same across APIs. The mapping from each API's raw status is
/// [`State::from_raw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// A good backup that can be restored.
    Ok,
    /// Finished, but not cleanly (`completed_with_errors`, `skipped`, `stopped`).
    Warning,
    /// Being made.
    Running,
    /// The backup failed or was missed.
    Failed,
    /// Being deleted or deleted; does not count for health.
    Deleting,
    /// A raw status this mapping does not know.
    Unknown,
}

impl State {
    /// Every state, in a fixed order (the order of the OpenMetrics StateSet).
    pub const ALL: [Self; 6] = [
        Self::Ok,
        Self::Warning,
        Self::Running,
        Self::Failed,
        Self::Deleting,
        Self::Unknown,
    ];

    /// The state's name: `ok`, `warning`, `running`, `failed`, `deleting` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Running => "running",
            Self::Failed => "failed",
            Self::Deleting => "deleting",
            Self::Unknown => "unknown",
        }
    }

    /// The normalized state of `raw`, a status as `api` sends it. Any value not in the table
    /// below is [`State::Unknown`].
    ///
    /// | state | Rackspace v2 | VBS (Cinder) | CBR |
    /// |---|---|---|---|
    /// | `ok` | completed | available, restoring | available, restoring, waiting_restore |
    /// | `warning` | completed_with_errors, skipped, stopped | | |
    /// | `running` | start_requested, start_scheduled, queued, preparing, in_progress, stop_requested | creating | protecting, waiting_protect |
    /// | `failed` | failed, missed | error | error |
    /// | `deleting` | | deleting, error_deleting, deleted | deleting, waiting_delete |
    pub fn from_raw(api: Api, raw: &str) -> Self {
        match api {
            Api::RackspaceBackupV2 => match raw {
                "completed" => Self::Ok,
                "completed_with_errors" | "skipped" | "stopped" => Self::Warning,
                "start_requested" | "start_scheduled" | "queued" | "preparing" | "in_progress"
                | "stop_requested" => Self::Running,
                "failed" | "missed" => Self::Failed,
                _ => Self::Unknown,
            },
            Api::VbsV2 | Api::VbsV3 => match raw {
                "available" | "restoring" => Self::Ok,
                "creating" => Self::Running,
                "error" => Self::Failed,
                "deleting" | "error_deleting" | "deleted" => Self::Deleting,
                _ => Self::Unknown,
            },
            Api::CbrV3 => match raw {
                "available" | "restoring" | "waiting_restore" => Self::Ok,
                "protecting" | "waiting_protect" => Self::Running,
                "error" => Self::Failed,
                "deleting" | "waiting_delete" => Self::Deleting,
                _ => Self::Unknown,
            },
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One backup, the same shape whatever API it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    /// The account (from the configuration) the backup was read with.
    pub account: String,
    /// The API it was read from.
    pub api: Api,
    /// The backup's id.
    pub id: String,
    /// What was backed up: the Rackspace backup configuration, the VBS volume, the CBR resource.
    pub resource_id: String,
    /// The resource's name, where the API gives one.
    pub resource_name: Option<String>,
    /// The status exactly as the API sent it.
    pub raw_status: String,
    /// [`State::from_raw`] of the raw status.
    pub state: State,
    /// When the backup was created (or started), in UTC; `None` when absent or unreadable.
    pub created_at: Option<jiff::Timestamp>,
    /// When it finished, in UTC, where the API says.
    pub finished_at: Option<jiff::Timestamp>,
    /// Its size in bytes, where the API gives one.
    pub size_bytes: Option<u64>,
    /// Whether it is incremental (it needs the backup before it), where the API says (VBS
    /// `is_incremental`).
    pub incremental: Option<bool>,
    /// Whether later backups need it, where the API says (VBS `has_dependent_backups`).
    pub has_dependents: Option<bool>,
}

impl BackupRecord {
    /// When this backup last counted as a success: its finish time, or its creation time when
    /// the API gives no finish time. `None` unless the state is [`State::Ok`].
    pub fn success_at(&self) -> Option<jiff::Timestamp> {
        if self.state == State::Ok {
            self.finished_at.or(self.created_at)
        } else {
            None
        }
    }
}
