//! `backupctl operations`: every operation of every API, as a table or as JSON.
//!
//! The table has one row per documented body or status, repeating the operation's columns so
//! that `grep` keeps whole rows; the request body is the row with status `request`.

use backup_runtime::registry::OperationInfo;
use serde::Serialize;

use crate::cli::OperationsArgs;
use crate::registry::APIS;
use crate::{Exit, Failure, Io};

/// Runs `backupctl operations`.
///
/// # Errors
///
/// [`Exit::Invalid`] when stdout cannot be written.
pub fn run(args: &OperationsArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let operations = APIS.iter().flat_map(|api| api.operations);
    let text = if args.json {
        json_list(operations)
    } else {
        table(operations)
    };
    io.out(&text)?;
    Ok(Exit::Success)
}

/// The table: `API OPERATION METHOD PATH STATUS BODY`, columns aligned.
pub fn table<'a>(operations: impl IntoIterator<Item = &'a OperationInfo>) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        ["API", "OPERATION", "METHOD", "PATH", "STATUS", "BODY"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for op in operations {
        let row = |status: String, body: Option<&str>| {
            vec![
                op.api.to_owned(),
                op.id.to_owned(),
                op.method.to_owned(),
                op.path.to_owned(),
                status,
                body.unwrap_or("-").to_owned(),
            ]
        };
        if let Some(request) = op.request {
            rows.push(row("request".to_owned(), Some(request)));
        }
        for response in op.responses {
            rows.push(row(response.status.to_string(), response.body));
        }
    }
    backup_status::report::aligned(&rows)
}

/// One operation in `operations --json`.
#[derive(Serialize)]
struct Listed<'a> {
    api: &'a str,
    operation: &'a str,
    method: &'a str,
    path: &'a str,
    summary: &'a str,
    request: Option<&'a str>,
    responses: Vec<ListedResponse<'a>>,
}

/// One documented status in `operations --json`.
#[derive(Serialize)]
struct ListedResponse<'a> {
    status: u16,
    description: &'a str,
    body: Option<&'a str>,
}

/// A pretty JSON array: one object per operation with `api`, `operation`, `method`, `path`,
/// `summary`, `request` (type or null) and `responses` (`status`, `description`, `body`).
pub fn json_list<'a>(operations: impl IntoIterator<Item = &'a OperationInfo>) -> String {
    let list: Vec<Listed<'_>> = operations
        .into_iter()
        .map(|op| Listed {
            api: op.api,
            operation: op.id,
            method: op.method,
            path: op.path,
            summary: op.summary,
            request: op.request,
            responses: op
                .responses
                .iter()
                .map(|response| ListedResponse {
                    status: response.status,
                    description: response.description,
                    body: response.body,
                })
                .collect(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&list).expect("strings and numbers serialize");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use backup_runtime::registry::ResponseInfo;

    use super::*;

    const OP: OperationInfo = OperationInfo {
        api: "x-v1",
        id: "startThing",
        method: "POST",
        path: "/things",
        summary: "Start a thing",
        request: Some("StartThing"),
        responses: &[
            ResponseInfo {
                status: 201,
                description: "Created",
                body: Some("Thing"),
            },
            ResponseInfo {
                status: 404,
                description: "Not Found",
                body: None,
            },
        ],
    };

    #[test]
    fn table_has_a_row_per_body_and_status() {
        assert_eq!(
            table([&OP]),
            "\
API   OPERATION   METHOD  PATH     STATUS   BODY
x-v1  startThing  POST    /things  request  StartThing
x-v1  startThing  POST    /things  201      Thing
x-v1  startThing  POST    /things  404      -
"
        );
    }

    #[test]
    fn json_keeps_descriptions() {
        let value: serde_json::Value = serde_json::from_str(&json_list([&OP])).unwrap();
        assert_eq!(value[0]["request"], "StartThing");
        assert_eq!(value[0]["responses"][1]["description"], "Not Found");
        assert_eq!(value[0]["responses"][1]["body"], serde_json::Value::Null);
    }
}
