//! Plain lossy models of the same bodies: what one would write by hand with
//! `#[derive(Deserialize, Serialize)]`, with the same fields and presence as the generated
//! models. Timestamps and enums are `String`s, a missing field and a `null` both become `None`
//! (and are written back as `null`), a number-or-string is an untagged enum, unknown fields are
//! skipped.
//!
//! They are the speed baseline: the generated lossless models should parse about as fast.

use serde::{Deserialize, Serialize};

/// A VBS v2 `listBackupsDetail` response.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct VbsV2List {
    backups: Vec<VbsV2Backup>,
    backups_links: Option<Vec<Link>>,
}

impl VbsV2List {
    /// How many backups it lists.
    pub fn len(&self) -> usize {
        self.backups.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.backups.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct VbsV2Backup {
    status: String,
    description: Option<String>,
    links: Vec<Link>,
    availability_zone: Option<String>,
    volume_id: String,
    fail_reason: Option<String>,
    id: String,
    size: Option<i64>,
    object_count: Option<i64>,
    container: Option<String>,
    name: Option<String>,
    created_at: String,
    #[serde(rename = "os-bak-tenant-attr:tenant_id")]
    os_bak_tenant_attr_tenant_id: Option<String>,
    service_metadata: Option<String>,
    updated_at: Option<String>,
    data_timestamp: Option<String>,
    has_dependent_backups: Option<bool>,
    snapshot_id: Option<String>,
    is_incremental: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct Link {
    href: String,
    rel: String,
}

/// A number that some servers send as a string.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
enum NumOrString<T> {
    Num(T),
    Str(String),
}

/// A CBR v3 `showBackup` response.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct CbrShow {
    backup: CbrBackupResp,
}

impl CbrShow {
    /// How many children the backup has.
    pub fn children_len(&self) -> usize {
        self.backup.children.as_ref().map_or(0, Vec::len)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrBackupResp {
    checkpoint_id: String,
    created_at: String,
    description: Option<String>,
    expired_at: Option<String>,
    extend_info: CbrExtendInfo,
    id: String,
    image_type: String,
    name: String,
    parent_id: Option<String>,
    project_id: String,
    protected_at: Option<String>,
    resource_az: Option<String>,
    resource_id: String,
    resource_name: String,
    resource_size: NumOrString<i32>,
    resource_type: String,
    status: String,
    updated_at: Option<String>,
    vault_id: String,
    children: Option<Vec<CbrBackupResp>>,
    provider_id: Option<String>,
    enterprise_project_id: Option<NumOrString<i64>>,
    replication_records: Option<Vec<CbrReplicationRecord>>,
    incremental: Option<bool>,
    version: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrExtendInfo {
    auto_trigger: Option<bool>,
    bootable: Option<bool>,
    incremental: Option<bool>,
    snapshot_id: Option<String>,
    support_lld: Option<bool>,
    supported_restore_mode: Option<String>,
    os_images_data: Option<Vec<CbrImageData>>,
    contain_system_disk: Option<bool>,
    encrypted: Option<bool>,
    system_disk: Option<bool>,
    is_multi_az: Option<bool>,
    progress: Option<i32>,
    architecture: Option<String>,
    app_consistency: Option<CbrAppConsistency>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrImageData {
    image_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrAppConsistency {
    app_consistency: Option<String>,
    app_consistency_status: Option<String>,
    app_consistency_error_code: Option<String>,
    app_consistency_error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrReplicationRecord {
    id: String,
    created_at: Option<String>,
    destination_backup_id: Option<String>,
    destination_checkpoint_id: Option<String>,
    destination_project_id: Option<String>,
    destination_region: Option<String>,
    destination_vault_id: Option<String>,
    source_backup_id: Option<String>,
    source_checkpoint_id: Option<String>,
    source_project_id: Option<String>,
    source_region: Option<String>,
    status: Option<String>,
    vault_id: Option<String>,
    extra_info: Option<CbrReplicationExtraInfo>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct CbrReplicationExtraInfo {
    progress: Option<i32>,
    fail_code: Option<String>,
    fail_reason: Option<String>,
    auto_trigger: Option<bool>,
    destinatio_vault_id: Option<String>,
    destination_vault_id: Option<String>,
}
