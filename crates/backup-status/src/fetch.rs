//! Reading every account: one thread per account with the blocking client, each following
//! its list operation's pages up to a limit.
//!
//! Threads and the blocking client, not the async client: accounts are few (one thread each
//! costs nothing next to a network round trip), each account's pages must be read one after
//! the other anyway (the next page comes from the previous one), and `backupctl` then needs no
//! async runtime. Every account runs to the end on its own: one that fails does not stop the
//! others.
//!
//! Each API lists with one operation, all followed by one generic page loop
//! (`Fetch::follow`, over the blocking client's `pages`): `rackspace-backup-v2` with
//! `listBackups` (link pages), `vbs-v2` and `vbs-v3` with `listBackupsDetail` (link pages),
//! `cbr-v3` with `listBackups` (offset pages). The item → record adapters are in
//! [`crate::adapt`]. The account's `filters` are the list operation's query parameters.

use std::time::Duration;

use backup_runtime::blocking::Client;
use backup_runtime::{ApiError, Paginated, ProviderError, RetryPolicy};

use crate::adapt;
use crate::config::Account;
use crate::record::{Api, BackupRecord};

/// How to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// The most pages read per account; an account with more is an error (its list would be
    /// incomplete, and a missing good backup would look like none).
    pub max_pages: usize,
    /// Limit for each request.
    pub timeout: Duration,
    /// Retries of a `429` or `503` answer.
    pub retries: u32,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            max_pages: 1000,
            timeout: Duration::from_secs(30),
            retries: 2,
        }
    }
}

/// Progress of one account: called after each page with the pages and backups read so far.
pub type Progress<'a> = &'a (dyn Fn(&str, usize, usize) + Sync);

/// Why an account could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountError {
    /// The token could not be obtained (the message never contains it).
    Token(String),
    /// The client or the request could not be set up (a bad endpoint, filter or CA file).
    Setup(String),
    /// A request failed: no answer, an error status, or a body that does not fit the model.
    Request(ApiError),
    /// There were more pages than [`FetchOptions::max_pages`].
    PageLimit(usize),
}

/// One line saying why an account could not be read: `connection refused: …`,
/// `timed out: …`, `HTTP 401 Unauthorized: VBS.0001: The token is invalid`, ….
///
/// An error status shows the service's code and message when the body has them
/// ([`ApiError::provider_error`]), else the start of the body.
///
/// This is the one place that words account errors (table, JSON, check output).
pub fn format_account_error(error: &AccountError) -> String {
    match error {
        AccountError::Token(message) => format!("no token: {message}"),
        AccountError::Setup(message) => message.clone(),
        AccountError::Request(
            api_error @ ApiError::Status {
                status,
                description,
                body,
                ..
            },
        ) => {
            let mut text = format!("HTTP {status}");
            let reason = http::StatusCode::from_u16(*status)
                .ok()
                .and_then(|code| code.canonical_reason())
                .or(*description);
            if let Some(reason) = reason {
                text.push_str(&format!(" {reason}"));
            }
            let detail = match api_error.provider_error() {
                Some(provider) => provider_detail(provider),
                None => {
                    let body = String::from_utf8_lossy(body);
                    body.split_whitespace().collect::<Vec<_>>().join(" ")
                }
            };
            if !detail.is_empty() {
                let shown: String = detail.chars().take(200).collect();
                let more = if shown.len() < detail.len() {
                    "…"
                } else {
                    ""
                };
                text.push_str(&format!(": {shown}{more}"));
            }
            text
        }
        AccountError::Request(other) => other.to_string(),
        AccountError::PageLimit(pages) => format!(
            "more than {pages} pages of backups; the list would be incomplete (raise --max-pages \
             or narrow the account's filters)"
        ),
    }
}

/// `code: message [errors; …]` of a provider error, leaving out what it lacks; its full
/// form (with the fault name) when it has neither code nor message.
fn provider_detail(provider: &ProviderError) -> String {
    let mut text = [&provider.code, &provider.message]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(": ");
    if text.is_empty() {
        return provider.to_string();
    }
    if !provider.errors.is_empty() {
        text.push_str(&format!(" [{}]", provider.errors.join("; ")));
    }
    text
}

/// An account and what reading it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountResult {
    /// The account's name.
    pub name: String,
    /// Its API.
    pub api: Api,
    /// Its backups, or why they could not be read.
    pub outcome: Result<Vec<BackupRecord>, AccountError>,
}

/// Reads every account at once (a thread each) and returns the results in `accounts` order.
pub fn fetch_all(
    accounts: &[Account],
    options: FetchOptions,
    progress: Progress<'_>,
) -> Vec<AccountResult> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = accounts
            .iter()
            .map(|account| scope.spawn(move || fetch_account(account, options, progress)))
            .collect();
        handles
            .into_iter()
            .zip(accounts)
            .map(|(handle, account)| AccountResult {
                name: account.name.clone(),
                api: account.api,
                outcome: handle.join().unwrap_or_else(|_| {
                    Err(AccountError::Setup(
                        "internal error: the fetch panicked".into(),
                    ))
                }),
            })
            .collect()
    })
}

/// Reads one account.
///
/// # Errors
///
/// [`AccountError`] saying what failed.
pub fn fetch_account(
    account: &Account,
    options: FetchOptions,
    progress: Progress<'_>,
) -> Result<Vec<BackupRecord>, AccountError> {
    let token = account.token.resolve().map_err(AccountError::Token)?;
    let mut builder = Client::builder(&account.endpoint)
        .token(token)
        .timeout(options.timeout)
        .retry(RetryPolicy::new(options.retries));
    if let Some(ca_file) = &account.ca_file {
        builder = builder.ca_file(ca_file);
    }
    let client = builder
        .build()
        .map_err(|err| AccountError::Setup(err.to_string()))?;
    let fetch = Fetch {
        client: &client,
        account,
        options,
        progress,
    };
    match account.api {
        Api::VbsV2 => fetch.vbs_v2(),
        Api::VbsV3 => fetch.vbs_v3(),
        Api::RackspaceBackupV2 => fetch.rackspace_backup_v2(),
        Api::CbrV3 => fetch.cbr_v3(),
    }
}

/// One account's fetch in progress.
struct Fetch<'a> {
    client: &'a Client,
    account: &'a Account,
    options: FetchOptions,
    progress: Progress<'a>,
}

impl Fetch<'_> {
    /// The list operation built from the project under `project_param` (the path parameter's
    /// name in the spec) and the account's filters (the spec's query parameter names).
    fn first<E>(
        &self,
        project_param: &str,
        from_params: impl FnOnce(
            &[(String, String)],
            Option<&str>,
        ) -> Result<E, backup_runtime::dynamic::ParamError>,
    ) -> Result<E, AccountError> {
        let mut params = vec![(project_param.to_owned(), self.account.project_id.clone())];
        params.extend(
            self.account
                .filters
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
        from_params(&params, None).map_err(|err| AccountError::Setup(format!("filters: {err}")))
    }

    /// Follows the pages from `first` (link or offset pages, as the operation's
    /// [`Paginated`] says), turning each page into records with `records`. More than
    /// [`FetchOptions::max_pages`] pages is [`AccountError::PageLimit`].
    fn follow<E: Paginated>(
        &self,
        first: E,
        records: impl Fn(&E::Output) -> Vec<BackupRecord>,
    ) -> Result<Vec<BackupRecord>, AccountError> {
        let mut all = Vec::new();
        // One page past the limit tells a list that ends exactly at the limit from one that
        // goes on.
        let limit = self.options.max_pages.saturating_add(1);
        for (index, page) in self.client.pages(first, limit).enumerate() {
            if index == self.options.max_pages {
                return Err(AccountError::PageLimit(self.options.max_pages));
            }
            let output = page.map_err(AccountError::Request)?;
            all.extend(records(&output));
            (self.progress)(&self.account.name, index + 1, all.len());
        }
        Ok(all)
    }

    /// Rackspace v2: `listBackups`, link pages (`links`, rel `next`).
    fn rackspace_backup_v2(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use rackspace_backup_v2_endpoints::{ListBackups, ListBackupsOutput};
        let first = self.first("tenant_id", ListBackups::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsOutput::Ok(page) = output;
            page.backups
                .iter()
                .map(|backup| adapt::rackspace_backup_v2(name, backup))
                .collect()
        })
    }

    /// VBS v2: `listBackupsDetail`, link pages (`backups_links`, rel `next`).
    fn vbs_v2(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use vbs_v2_endpoints::{ListBackupsDetail, ListBackupsDetailOutput};
        let first = self.first("project_id", ListBackupsDetail::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsDetailOutput::Ok(page) = output;
            page.backups
                .iter()
                .map(|backup| adapt::vbs_v2(name, backup))
                .collect()
        })
    }

    /// VBS v3: `listBackupsDetail`, link pages (`backups_links`, rel `next`).
    fn vbs_v3(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use vbs_v3_endpoints::{ListBackupsDetail, ListBackupsDetailOutput};
        let first = self.first("project_id", ListBackupsDetail::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsDetailOutput::Ok(page) = output;
            page.backups
                .iter()
                .map(|backup| adapt::vbs_v3(name, backup))
                .collect()
        })
    }

    /// CBR v3: `listBackups`, offset pages (`offset`, `limit`, `count`).
    ///
    /// Only the listed backups are records, not their nested `children`: the children of a
    /// whole-server backup are the per-disk parts of that one backup (their `resource_id` is
    /// the disk), taken and kept with it; the resource an operator protects, and the one whose
    /// health is asked, is the listed backup's `resource_id`.
    fn cbr_v3(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use cbr_v3_endpoints::{ListBackups, ListBackupsOutput};
        let first = self.first("project_id", ListBackups::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsOutput::Ok(page) = output;
            page.backups
                .iter()
                .map(|backup| adapt::cbr_v3(name, backup))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, body: &str) -> AccountError {
        let response = backup_runtime::RawResponse {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        AccountError::Request(backup_runtime::error_status(response, Some("documented")))
    }

    #[test]
    fn error_statuses_show_the_provider_code_and_message() {
        let cases = [
            (
                401,
                r#"{"unauthorized": {"code": "VBS.0001", "message": "The token is invalid"}}"#,
                "HTTP 401 Unauthorized: VBS.0001: The token is invalid",
            ),
            (
                403,
                r#"{"error_code": "BackupService.8600", "error_msg": "Not authenticated."}"#,
                "HTTP 403 Forbidden: BackupService.8600: Not authenticated.",
            ),
            (
                400,
                r#"{"message": "Bad request.", "errors": ["limit is too big"]}"#,
                "HTTP 400 Bad Request: Bad request. [limit is too big]",
            ),
            (
                502,
                "<html>\n  bad   gateway </html>",
                "HTTP 502 Bad Gateway: <html> bad gateway </html>",
            ),
            (599, "", "HTTP 599 documented"),
        ];
        for (code, body, expected) in cases {
            assert_eq!(format_account_error(&status(code, body)), expected);
        }
    }

    #[test]
    fn a_long_body_is_cut() {
        let text = format_account_error(&status(500, &"x".repeat(500)));
        assert_eq!(
            text,
            format!("HTTP 500 Internal Server Error: {}…", "x".repeat(200))
        );
    }
}
