//! Item model → [`BackupRecord`], one function per API, built from small per-field readers so
//! a model field that becomes optional (or changes type) is a one-line change here.
//!
//! What each API gives:
//!
//! | API | resource | created | finished | size |
//! |---|---|---|---|---|
//! | Rackspace v2 | `configuration.id` | `started_time` | `ended_time` | `bytes_backed_up` |
//! | VBS v2, v3 | `volume_id` | `created_at` | none (Cinder keeps no end time) | `size` GiB |
//! | CBR v3 | `resource_id` (`resource_name`) | `created_at` | none | none (only the resource's size) |
//!
//! A time that is absent or cannot be read is `None`; naive times are read as UTC
//! ([`Timestamp::to_utc`]).

use backup_runtime::{Nullable, Timestamp};

use crate::record::{Api, BackupRecord, State};

/// The instant of a timestamp, `None` when the text is not a date-time.
fn utc(time: &Timestamp) -> Option<jiff::Timestamp> {
    time.to_utc().ok()
}

/// The instant of a timestamp that may be missing or `null`.
fn utc_nullable(time: &Nullable<Timestamp>) -> Option<jiff::Timestamp> {
    time.value().and_then(utc)
}

/// A non-negative count of bytes.
fn bytes(count: i64) -> Option<u64> {
    u64::try_from(count).ok()
}

/// GiB (VBS sizes) in bytes.
fn gib(count: i64) -> Option<u64> {
    bytes(count)?.checked_mul(1 << 30)
}

/// Assembles the record; `state` comes from the raw status.
fn record(account: &str, api: Api, id: &str, resource_id: &str, raw_status: &str) -> BackupRecord {
    BackupRecord {
        account: account.to_owned(),
        api,
        id: id.to_owned(),
        resource_id: resource_id.to_owned(),
        resource_name: None,
        raw_status: raw_status.to_owned(),
        state: State::from_raw(api, raw_status),
        created_at: None,
        finished_at: None,
        size_bytes: None,
        incremental: None,
        has_dependents: None,
    }
}

/// A Rackspace Cloud Backup v2 backup (`getBackup`, and the items of `listBackups`).
pub fn rackspace_backup_v2(
    account: &str,
    backup: &rackspace_backup_v2_models::Backup,
) -> BackupRecord {
    BackupRecord {
        created_at: utc_nullable(&backup.started_time),
        finished_at: utc_nullable(&backup.ended_time),
        size_bytes: bytes(backup.bytes_backed_up),
        ..record(
            account,
            Api::RackspaceBackupV2,
            &backup.id,
            &backup.configuration.id,
            backup.state.as_str(),
        )
    }
}

/// A VBS v2 backup (the items of `listBackupsDetail`).
pub fn vbs_v2(account: &str, backup: &vbs_v2_models::Backup) -> BackupRecord {
    BackupRecord {
        created_at: utc(&backup.created_at),
        size_bytes: backup.size.value().copied().and_then(gib),
        incremental: backup.is_incremental,
        has_dependents: backup.has_dependent_backups,
        ..record(
            account,
            Api::VbsV2,
            &backup.id,
            &backup.volume_id,
            backup.status.as_str(),
        )
    }
}

/// A VBS v3 backup (`showBackup`, and the items of `listBackupsDetail`).
pub fn vbs_v3(account: &str, backup: &vbs_v3_models::Backup) -> BackupRecord {
    BackupRecord {
        created_at: utc(&backup.created_at),
        size_bytes: backup.size.value().copied().and_then(gib),
        incremental: Some(backup.is_incremental),
        has_dependents: Some(backup.has_dependent_backups),
        ..record(
            account,
            Api::VbsV3,
            &backup.id,
            &backup.volume_id,
            backup.status.as_str(),
        )
    }
}

/// A CBR v3 backup as `listBackups` lists it, `showBackup` returns it and `children` nest it.
pub fn cbr_v3(account: &str, backup: &cbr_v3_models::BackupResp) -> BackupRecord {
    BackupRecord {
        resource_name: Some(backup.resource_name.clone()).filter(|name| !name.is_empty()),
        created_at: utc(&backup.created_at),
        ..record(
            account,
            Api::CbrV3,
            &backup.id,
            &backup.resource_id,
            backup.status.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(gib(2), Some(2 << 30));
        assert_eq!(gib(-1), None);
        assert_eq!(bytes(7), Some(7));
    }
}
