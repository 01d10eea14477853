//! The generated model crates, by API key: their JSON Schemas and their operations.

use std::collections::BTreeMap;

use backup_runtime::registry::OperationInfo;

/// The JSON Schema (2020-12) of every model type of `api`, by type name, from schemars.
pub fn json_schemas(api: &str) -> Result<BTreeMap<&'static str, serde_json::Value>, String> {
    Ok(match api {
        "rackspace-backup-v2" => rackspace_backup_v2_models::json_schemas(),
        "vbs-v3" => vbs_v3_models::json_schemas(),
        "vbs-v2" => vbs_v2_models::json_schemas(),
        "cbr-v3" => cbr_v3_models::json_schemas(),
        other => return Err(format!("no model crate for API `{other}`")),
    })
}

/// Every operation of `api`, as its model crate lists them.
pub fn operations(api: &str) -> Result<&'static [OperationInfo], String> {
    Ok(match api {
        "rackspace-backup-v2" => rackspace_backup_v2_models::OPERATIONS,
        "vbs-v3" => vbs_v3_models::OPERATIONS,
        "vbs-v2" => vbs_v2_models::OPERATIONS,
        "cbr-v3" => cbr_v3_models::OPERATIONS,
        other => return Err(format!("no model crate for API `{other}`")),
    })
}
