//! Every API as one table, generated from `specs/` into the `backup-apis` crate: each API's
//! operations (from its model crate), its body round trip, and its dispatch by operationId (from
//! its endpoint crate). This module adds backupctl's lookups and messages.

use backup_runtime::registry::OperationInfo;

use crate::Failure;

pub use backup_apis::{APIS, RoundtripFn};

/// One API: a row of the generated table ([`APIS`]), with backupctl's lookups.
#[derive(Debug, Clone, Copy)]
pub struct Api(&'static backup_apis::Api);

impl std::ops::Deref for Api {
    type Target = backup_apis::Api;

    fn deref(&self) -> &Self::Target {
        self.0
    }
}

/// The API named `name`.
///
/// # Errors
///
/// [`Exit::Invalid`](crate::Exit::Invalid), listing the API keys.
pub fn api(name: &str) -> Result<Api, Failure> {
    backup_apis::api(name).map(Api).ok_or_else(|| {
        let names: Vec<&str> = APIS.iter().map(|api| api.name).collect();
        Failure::invalid(format!(
            "unknown api `{name}`; the apis are: {}",
            names.join(", ")
        ))
    })
}

impl Api {
    /// The operation with operationId `id`.
    ///
    /// # Errors
    ///
    /// [`Exit::Invalid`](crate::Exit::Invalid), listing this API's operationIds.
    pub fn operation(&self, id: &str) -> Result<&'static OperationInfo, Failure> {
        self.0
            .operations
            .iter()
            .find(|op| op.id == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = self.operations.iter().map(|op| op.id).collect();
                Failure::invalid(format!(
                    "{} has no operation `{id}`; its operations are: {}",
                    self.name,
                    ids.join(", ")
                ))
            })
    }
}

/// The documented bodies of `op`, for messages: `200 (ShowBackupResponse)`, `--request (...)`.
pub fn documented_bodies(op: &OperationInfo) -> String {
    let mut bodies: Vec<String> = op
        .responses
        .iter()
        .filter_map(|response| Some(format!("{} ({})", response.status, response.body?)))
        .collect();
    if let Some(request) = op.request {
        bodies.push(format!("--request ({request})"));
    }
    if bodies.is_empty() {
        "none".to_owned()
    } else {
        bodies.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_lists_its_own_operations() {
        for api in APIS {
            assert!(!api.operations.is_empty(), "{}", api.name);
            for op in api.operations {
                assert_eq!(op.api, api.name, "{}", op.id);
            }
        }
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        let err = api("cbr").unwrap_err();
        assert_eq!(
            err.message,
            "unknown api `cbr`; the apis are: cbr-v3, rackspace-backup-v2, vbs-v2, vbs-v3"
        );
        let cbr = api("cbr-v3").unwrap();
        let err = cbr.operation("getBackupById").unwrap_err();
        let ids: Vec<&str> = cbr.operations.iter().map(|op| op.id).collect();
        assert!(ids.contains(&"showBackup"), "{ids:?}");
        assert_eq!(
            err.message,
            format!(
                "cbr-v3 has no operation `getBackupById`; its operations are: {}",
                ids.join(", ")
            )
        );
    }

    #[test]
    fn bodies_for_messages() {
        let op = api("rackspace-backup-v2")
            .unwrap()
            .operation("startBackup")
            .unwrap();
        assert_eq!(
            documented_bodies(op),
            "201 (Backup), 400 (RackspaceError), 401 (RackspaceError), 403 (RackspaceError), \
             404 (RackspaceError), 405 (RackspaceError), 409 (RackspaceError), \
             500 (RackspaceError), 501 (RackspaceError), 503 (RackspaceError), \
             --request (StartBackupRequest)"
        );
        let delete = api("cbr-v3").unwrap().operation("deleteBackup").unwrap();
        assert_eq!(
            documented_bodies(delete),
            "400 (CbrError), 401 (CbrError), 403 (CbrError), 404 (CbrError), 500 (CbrError)"
        );
    }
}
