//! The bodiless CBR operations (`deleteBackup` 204, `restoreBackup` 202 without its optional
//! body, and with Huawei Cloud's `job_id`) and the `CbrError` body of an error status, against a
//! loopback server (wiremock on 127.0.0.1), through the blocking and the async client.
//! Hand-written: the generated `live.rs` covers the operations with a documented response body.
#![cfg(all(feature = "blocking", feature = "async"))]

use backup_runtime::{ApiError, AuthToken, Endpoint};
use cbr_v3_endpoints::*;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "lifecycle-token-9f8e7d";

/// Calls `endpoint` with the async client and then with the blocking one.
async fn both<E>(server: &MockServer, endpoint: &E) -> [Result<E::Output, ApiError>; 2]
where
    E: Endpoint + Clone + Send + 'static,
    E::Output: Send + 'static,
{
    let first = backup_runtime::nonblocking::Client::builder(&server.uri())
        .token(AuthToken::new(TOKEN))
        .build()
        .expect("a client")
        .call(endpoint)
        .await;
    let uri = server.uri();
    let endpoint = endpoint.clone();
    let second = tokio::task::spawn_blocking(move || {
        backup_runtime::blocking::Client::builder(&uri)
            .token(AuthToken::new(TOKEN))
            .build()
            .expect("a client")
            .call(&endpoint)
    })
    .await
    .expect("the blocking call does not panic");
    [first, second]
}

fn restore_request() -> models::RestoreBackupRequest {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/examples/cbr-v3/restoreBackup.request.json"
    )))
    .expect("the written example fits the model")
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_backup_is_204_without_a_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v3/p1/backups/b%2F1"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    let endpoint = DeleteBackup::builder()
        .project_id("p1")
        .backup_id("b/1")
        .build()
        .expect("every parameter is set");
    assert_eq!(endpoint.body().expect("no body to serialize"), None);
    for outcome in both(&server, &endpoint).await {
        let outcome = outcome.expect("204");
        assert!(
            matches!(&outcome, DeleteBackupOutput::NoContent(response) if response.status == 204)
        );
        assert!(!backup_runtime::Outcome::has_body(&outcome));
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_backup_sends_its_body_and_is_202() {
    let server = MockServer::start().await;
    let request = restore_request();
    Mock::given(method("POST"))
        .and(path("/v3/p1/backups/b1/restore"))
        .and(header("X-Auth-Token", TOKEN))
        .and(body_json(
            serde_json::to_value(&request).expect("serializes"),
        ))
        .respond_with(ResponseTemplate::new(202))
        .expect(2)
        .mount(&server)
        .await;
    let endpoint = RestoreBackup::builder()
        .project_id("p1")
        .backup_id("b1")
        .body(request)
        .build()
        .expect("every parameter is set");
    for outcome in both(&server, &endpoint).await {
        let outcome = outcome.expect("202");
        assert!(
            matches!(&outcome, RestoreBackupOutput::Accepted(response) if response.status == 202 && response.body.is_none())
        );
        assert!(!backup_runtime::Outcome::has_body(&outcome));
    }
    server.verify().await;
}

/// Huawei Cloud answers a restore with its task's ID (terraform-provider-huaweicloud reads
/// `job_id`), the operation log that `showOpLog` follows to the restore's end.
#[tokio::test(flavor = "multi_thread")]
async fn restore_backup_202_keeps_the_job_id_of_its_task() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/p1/backups/b1/restore"))
        .respond_with(ResponseTemplate::new(202).set_body_raw(
            r#"{"job_id": "3b7d9f1a-5c2e-4b8d-a0f6-2c4e6a8b1d3f"}"#,
            "application/json",
        ))
        .expect(2)
        .mount(&server)
        .await;
    let endpoint = RestoreBackup::builder()
        .project_id("p1")
        .backup_id("b1")
        .body(restore_request())
        .build()
        .expect("every parameter is set");
    for outcome in both(&server, &endpoint).await {
        let RestoreBackupOutput::Accepted(response) = outcome.expect("202") else {
            panic!("a 202 outcome");
        };
        let job = response
            .body
            .as_ref()
            .and_then(|body| body.job_id.as_deref());
        assert_eq!(job, Some("3b7d9f1a-5c2e-4b8d-a0f6-2c4e6a8b1d3f"));
        let follow = ShowOpLog::builder()
            .project_id("p1")
            .operation_log_id(job.expect("a job"))
            .build()
            .expect("a task to follow");
        assert_eq!(
            follow.path(),
            "/v3/p1/operation-logs/3b7d9f1a-5c2e-4b8d-a0f6-2c4e6a8b1d3f"
        );
    }
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_error_statuses_keep_the_cbr_error_body() {
    let cases = [
        (
            400,
            "Bad Request",
            "CSBS.2003",
            "The backup is being executed.",
        ),
        (
            404,
            "Not Found",
            "BackupService.6200",
            "The backup does not exist.",
        ),
        (
            500,
            "Internal Server Error",
            "BackupService.9999",
            "Internal error.",
        ),
    ];
    let server = MockServer::start().await;
    let delete = DeleteBackup::builder()
        .project_id("p1")
        .backup_id("b1")
        .build()
        .expect("every parameter is set");
    let restore = RestoreBackup::builder()
        .project_id("p1")
        .backup_id("b1")
        .body(restore_request())
        .build()
        .expect("every parameter is set");
    for (status, description, code, message) in cases {
        server.reset().await;
        let body = serde_json::json!({"error_code": code, "error_msg": message}).to_string();
        Mock::given(wiremock::matchers::any())
            .respond_with(
                ResponseTemplate::new(status).set_body_raw(body.clone(), "application/json"),
            )
            .mount(&server)
            .await;
        let errors = both(&server, &delete)
            .await
            .into_iter()
            .map(|r| r.expect_err("an error status"))
            .chain(
                both(&server, &restore)
                    .await
                    .into_iter()
                    .map(|r| r.expect_err("an error status")),
            );
        for error in errors {
            assert!(
                !format!("{error} {error:?}").contains(TOKEN),
                "the token leaked"
            );
            match &error {
                ApiError::Status {
                    status: got,
                    description: said,
                    ..
                } => assert_eq!((*got, *said), (status, Some(description))),
                other => panic!("expected status {status}, got {other:?}"),
            }
            let raw = error.body().expect("the raw body is kept");
            let parsed: models::CbrError = serde_json::from_slice(raw).expect("a CbrError body");
            assert_eq!(
                (parsed.error_code.as_str(), parsed.error_msg.as_str()),
                (code, message)
            );
        }
    }
}
