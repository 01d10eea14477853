//! The four APIs as one table: each API's operations (from its model crate), its body round
//! trip, and its dispatch by operationId (from its endpoint crate).

use backup_runtime::dynamic::ParamError;
use backup_runtime::registry::{BodyKind, OperationInfo, Roundtrip, RoundtripError};

use crate::Failure;
use crate::call::{CallResult, HttpRunner};

/// A model crate's `roundtrip`.
pub type RoundtripFn = fn(&str, BodyKind, &str) -> Option<Result<Roundtrip, RoundtripError>>;

/// A model crate's `body_schema`: the JSON Schema of an operation's body.
pub type BodySchemaFn = fn(&str, BodyKind) -> Option<schemars::Schema>;

/// An endpoint crate's `dispatch`, for the runner `call` uses.
pub(crate) type DispatchFn = fn(
    &mut HttpRunner,
    &str,
    &[(String, String)],
    Option<&str>,
) -> Option<Result<CallResult, ParamError>>;

/// One API.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// The API key, e.g. `cbr-v3` (the spec's file stem).
    pub name: &'static str,
    /// Every operation, with its documented statuses and bodies.
    pub operations: &'static [OperationInfo],
    /// Parses a body of an operation and writes it back.
    pub roundtrip: RoundtripFn,
    /// The JSON Schema of a body of an operation (for `validate --drift`).
    pub body_schema: BodySchemaFn,
    pub(crate) dispatch: DispatchFn,
}

/// Every API, in the order of `specs/README.md`.
pub static APIS: &[Api] = &[
    Api {
        name: "rackspace-backup-v2",
        operations: rackspace_backup_v2_models::OPERATIONS,
        roundtrip: rackspace_backup_v2_models::roundtrip,
        body_schema: rackspace_backup_v2_models::body_schema,
        dispatch: rackspace_backup_v2_endpoints::dispatch::<HttpRunner>,
    },
    Api {
        name: "vbs-v3",
        operations: vbs_v3_models::OPERATIONS,
        roundtrip: vbs_v3_models::roundtrip,
        body_schema: vbs_v3_models::body_schema,
        dispatch: vbs_v3_endpoints::dispatch::<HttpRunner>,
    },
    Api {
        name: "vbs-v2",
        operations: vbs_v2_models::OPERATIONS,
        roundtrip: vbs_v2_models::roundtrip,
        body_schema: vbs_v2_models::body_schema,
        dispatch: vbs_v2_endpoints::dispatch::<HttpRunner>,
    },
    Api {
        name: "cbr-v3",
        operations: cbr_v3_models::OPERATIONS,
        roundtrip: cbr_v3_models::roundtrip,
        body_schema: cbr_v3_models::body_schema,
        dispatch: cbr_v3_endpoints::dispatch::<HttpRunner>,
    },
];

/// The API named `name`.
///
/// # Errors
///
/// [`Exit::Invalid`](crate::Exit::Invalid), listing the API keys.
pub fn api(name: &str) -> Result<&'static Api, Failure> {
    APIS.iter().find(|api| api.name == name).ok_or_else(|| {
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
        self.operations
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
            "unknown api `cbr`; the apis are: rackspace-backup-v2, vbs-v3, vbs-v2, cbr-v3"
        );
        let err = api("cbr-v3").unwrap().operation("getBackup").unwrap_err();
        assert_eq!(
            err.message,
            "cbr-v3 has no operation `getBackup`; its operations are: showBackup"
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
            "201 (Backup), --request (StartBackupRequest)"
        );
    }
}
