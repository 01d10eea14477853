//! Reading every account: one thread per account with the blocking client, each following
//! its list operation's pages up to a limit.
//!
//! Threads and the blocking client, not the async client: accounts are few (one thread each
//! costs nothing next to a network round trip), each account's pages must be read one after
//! the other anyway (the next page comes from the previous one), and `backupctl` then needs no
//! async runtime. Every account runs to the end on its own: one that fails does not stop the
//! others.
//!
//! Each API has its own `fetch_*` function; the item → record adapters are in
//! [`crate::adapt`]. `vbs-v2` lists with `listBackupsDetail`; the list operations of
//! `rackspace-backup-v2` (`listBackups`), `vbs-v3` (`listBackupsDetail`) and `cbr-v3`
//! (`listBackups`) are not in this build's specs yet, so those accounts report
//! [`AccountError::NotAvailable`] instead of pretending to be empty.

use std::time::Duration;

use backup_runtime::blocking::Client;
use backup_runtime::{ApiError, Paginated, RetryPolicy};

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
    /// This build has no list operation for the API.
    NotAvailable(Api, &'static str),
}

/// One line saying why an account could not be read: `connection refused: …`,
/// `timed out: …`, `HTTP status 401 (Unauthorized): …`, ….
///
/// This is the one place that words account errors (table, JSON, check output).
pub fn format_account_error(error: &AccountError) -> String {
    match error {
        AccountError::Token(message) => format!("no token: {message}"),
        AccountError::Setup(message) => message.clone(),
        AccountError::Request(ApiError::Status {
            status,
            description,
            body,
            ..
        }) => {
            let mut text = format!("HTTP status {status}");
            if let Some(description) = description {
                text.push_str(&format!(" ({description})"));
            }
            let body = String::from_utf8_lossy(body);
            let body: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
            if !body.is_empty() {
                let shown: String = body.chars().take(200).collect();
                let more = if shown.len() < body.len() { "…" } else { "" };
                text.push_str(&format!(": {shown}{more}"));
            }
            text
        }
        AccountError::Request(other) => other.to_string(),
        AccountError::PageLimit(pages) => format!(
            "more than {pages} pages of backups; the list would be incomplete (raise --max-pages \
             or narrow the account's filters)"
        ),
        AccountError::NotAvailable(api, operation) => format!(
            "this build of backupctl cannot list {api} backups yet (no `{operation}` operation \
             in the spec)"
        ),
    }
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
    /// The list operation's parameters: the account's filters and the project under
    /// `project_param` (the path parameter's name in the spec).
    fn params(&self, project_param: &str) -> Vec<(String, String)> {
        let mut params = vec![(project_param.to_owned(), self.account.project_id.clone())];
        params.extend(
            self.account
                .filters
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
        params
    }

    /// Follows the pages from `first`, turning each page into records with `records`.
    fn follow<E: Paginated>(
        &self,
        first: E,
        records: impl Fn(&E::Output) -> Vec<BackupRecord>,
    ) -> Result<Vec<BackupRecord>, AccountError> {
        let mut all = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(endpoint) = next.take() {
            if pages == self.options.max_pages {
                return Err(AccountError::PageLimit(self.options.max_pages));
            }
            let output = self.client.call(&endpoint).map_err(AccountError::Request)?;
            pages += 1;
            all.extend(records(&output));
            (self.progress)(&self.account.name, pages, all.len());
            next = endpoint.next_page(&output);
        }
        Ok(all)
    }

    /// VBS v2: `listBackupsDetail`, link pages.
    fn vbs_v2(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use vbs_v2_endpoints::{ListBackupsDetail, ListBackupsDetailOutput};
        let first = ListBackupsDetail::from_params(&self.params("project_id"), None)
            .map_err(|err| AccountError::Setup(format!("filters: {err}")))?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsDetailOutput::Ok(body) = output;
            body.backups
                .iter()
                .map(|backup| adapt::vbs_v2(name, backup))
                .collect()
        })
    }

    /// VBS v3: `listBackupsDetail` is not in the spec yet. Once it is, this is [`Self::vbs_v2`]
    /// with `vbs_v3_endpoints` and [`adapt::vbs_v3`].
    fn vbs_v3(&self) -> Result<Vec<BackupRecord>, AccountError> {
        Err(AccountError::NotAvailable(Api::VbsV3, "listBackupsDetail"))
    }

    /// Rackspace v2: `listBackups` is not in the spec yet. Once it is: `from_params` with
    /// `self.params("tenant_id")`, and [`adapt::rackspace_backup_v2`] over the page's items.
    fn rackspace_backup_v2(&self) -> Result<Vec<BackupRecord>, AccountError> {
        Err(AccountError::NotAvailable(
            Api::RackspaceBackupV2,
            "listBackups",
        ))
    }

    /// CBR v3: `listBackups` is not in the spec yet. Once it is: `from_params` with
    /// `self.params("project_id")` (offset pages), and [`adapt::cbr_v3`] over `backups`.
    fn cbr_v3(&self) -> Result<Vec<BackupRecord>, AccountError> {
        Err(AccountError::NotAvailable(Api::CbrV3, "listBackups"))
    }
}
