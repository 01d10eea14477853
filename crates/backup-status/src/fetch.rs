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
//!
//! Cloud accounts (`cloud = "NAME"`): each cloud is loaded once before the threads start, and
//! a Keystone or Rackspace cloud gets one [`Session`], whose clones every account of the cloud
//! logs in through: one login for all of them, renewed when it nears its end. Where their
//! requests go is in [`crate::cloud`]. `vbs-v3` accounts negotiate the Block Storage
//! microversion ([`crate::cloud::VBS_V3_MICROVERSION`]) and report the one used.

use std::time::Duration;

use backup_clouds::Environment;
use backup_runtime::auth::{Credentials, Session};
use backup_runtime::blocking::{Client, ClientBuilder};
use backup_runtime::{ApiError, Paginated, ProviderError, RetryPolicy};

use crate::adapt;
use crate::cloud::{Cloud, CloudLoader, Clouds, regional_endpoint};
use crate::config::{Account, AccountAuth, CloudAccount};
use crate::record::{Api, BackupRecord};
use crate::safe::{self, Redactor};

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
    /// The account's cloud could not be loaded: `clouds.yaml: ` and what is wrong, naming the
    /// file, cloud and key (never a value).
    Cloud(String),
    /// The client or the request could not be set up (a bad endpoint, filter or CA file).
    Setup(String),
    /// A request failed: no answer, an error status, or a body that does not fit the model.
    Request(ApiError),
    /// There were more pages than [`FetchOptions::max_pages`].
    PageLimit(usize),
    /// An error whose text held one of the account's secrets (a server that echoed it back),
    /// as [`format_account_error`] words it, each secret replaced by `[redacted]` before the
    /// server's text was cut.
    Redacted(String),
}

/// One line saying why an account could not be read: `connection refused: …`,
/// `timed out: …`, `HTTP 401 Unauthorized: VBS.0001: The token is invalid`,
/// `login failed: HTTP 401 at https://iam.example.com/v3/auth/tokens: The request you have
/// made requires authentication.`, ….
///
/// An error status shows the service's code and message when the body has them
/// ([`ApiError::provider_error`]), else the start of the body; the server's text is cut to
/// [`DETAIL_LIMIT`] bytes with a visible marker ([`safe::cut`]).
///
/// This is the one place that words account errors (table, JSON, check output); each output
/// escapes it as its format needs ([`crate::safe`]).
pub fn format_account_error(error: &AccountError) -> String {
    describe(error, &|text| text.to_owned())
}

/// The most bytes of a server's message or body shown in an account error, marker included.
pub const DETAIL_LIMIT: usize = 256;

/// [`format_account_error`], with `clean` applied to each text the server sent before it is
/// cut (so a secret that straddles the cut is still found).
fn describe(error: &AccountError, clean: &dyn Fn(&str) -> String) -> String {
    let cut = |text: &str| safe::cut(&clean(text), DETAIL_LIMIT).into_owned();
    match error {
        AccountError::Token(message) => format!("no token: {message}"),
        AccountError::Cloud(message)
        | AccountError::Setup(message)
        | AccountError::Redacted(message) => message.clone(),
        AccountError::Request(ApiError::Login(login)) => {
            let message = cut(&login
                .message
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "));
            match login.status {
                Some(status) => format!(
                    "login failed: HTTP {status} at {}: {message}",
                    login.identity_url
                ),
                None => format!("login failed at {}: {message}", login.identity_url),
            }
        }
        AccountError::Request(ApiError::Endpoint(catalog)) => {
            format!("service catalog: {catalog}")
        }
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
                text.push_str(&format!(": {}", cut(&detail)));
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
    /// The microversion its requests carried (`3.64`): negotiated (`vbs-v3`), or set by the
    /// account's filters (`OpenStack-API-Version`); `None` when none was sent.
    pub microversion: Option<String>,
    /// Lines for stderr, printed on every run: a cloud with `verify: false`.
    pub warnings: Vec<String>,
    /// How long reading the account took, login and every page included.
    pub elapsed: Duration,
}

/// Reads every account at once (a thread each) and returns the results in `accounts` order.
/// Clouds come from the process's clouds.yaml and `OS_*` variables
/// (`backup_clouds::load(Some(name), &Environment::from_process())`); see [`fetch_all_with`].
pub fn fetch_all(
    accounts: &[Account],
    options: FetchOptions,
    progress: Progress<'_>,
) -> Vec<AccountResult> {
    let env = Environment::from_process();
    let load = |name: &str| backup_clouds::load(Some(name), &env);
    fetch_all_with(accounts, options, progress, &load)
}

/// [`fetch_all`] with the clouds loaded by `load_cloud`, once per cloud name, before any
/// request. A cloud that cannot be loaded is the error of each of its accounts.
pub fn fetch_all_with(
    accounts: &[Account],
    options: FetchOptions,
    progress: Progress<'_>,
    load_cloud: CloudLoader<'_>,
) -> Vec<AccountResult> {
    let clouds = Clouds::load(accounts, load_cloud);
    let clouds = &clouds;
    std::thread::scope(|scope| {
        let handles: Vec<_> = accounts
            .iter()
            .map(|account| scope.spawn(move || read_account(account, clouds, options, progress)))
            .collect();
        handles
            .into_iter()
            .zip(accounts)
            .map(|(handle, account)| {
                handle.join().unwrap_or_else(|_| AccountResult {
                    name: account.name.clone(),
                    api: account.api,
                    outcome: Err(AccountError::Setup(
                        "internal error: the fetch panicked".into(),
                    )),
                    microversion: None,
                    warnings: Vec::new(),
                    elapsed: Duration::ZERO,
                })
            })
            .collect()
    })
}

/// Reads one account (its cloud, if any, from the process's clouds.yaml and `OS_*`
/// variables).
pub fn fetch_account(
    account: &Account,
    options: FetchOptions,
    progress: Progress<'_>,
) -> AccountResult {
    read_account(account, &process_clouds(account), options, progress)
}

/// The cloud of `account`, if any, from the process's clouds.yaml and `OS_*` variables.
fn process_clouds(account: &Account) -> Clouds {
    let env = Environment::from_process();
    let load = |name: &str| backup_clouds::load(Some(name), &env);
    Clouds::load(std::slice::from_ref(account), &load)
}

/// An account's client, for requests of one's own (e.g. deleting backups): logged in as the
/// account says, its project, and the texts to redact from anything printed about it (token,
/// password, keys).
#[derive(Debug)]
pub struct Connection {
    /// The blocking client, with the account's endpoint, login, TLS settings and timeout.
    pub client: Client,
    /// The account's project (or the login's).
    pub project_id: String,
    /// The account's secrets.
    pub secrets: Redactor,
}

/// Connects to `account` (its cloud, if any, from the process's clouds.yaml and `OS_*`
/// variables) as [`fetch_all`] does, without reading anything but the login.
///
/// # Errors
///
/// The account cannot be set up or logged in (its secrets already redacted).
pub fn connect(account: &Account, options: FetchOptions) -> Result<Connection, AccountError> {
    let clouds = process_clouds(account);
    let cloud = account.cloud().and_then(|own| clouds.get(&own.cloud));
    let mut read = Read::default();
    let connected = read.connect(account, cloud, options);
    let secrets = read.redactor();
    match connected {
        Ok((client, project_id)) => Ok(Connection {
            client,
            project_id,
            secrets,
        }),
        Err(error) => Err(redact(error, &secrets)),
    }
}

/// Reads one account with the run's clouds.
fn read_account(
    account: &Account,
    clouds: &Clouds,
    options: FetchOptions,
    progress: Progress<'_>,
) -> AccountResult {
    let started = std::time::Instant::now();
    let cloud = account.cloud().and_then(|own| clouds.get(&own.cloud));
    let mut read = Read::default();
    let outcome = read.backups(account, cloud, options, progress);
    let elapsed = started.elapsed();
    let secrets = read.redactor();
    let redact_text = |text: String| match secrets.redact(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(redacted) => redacted,
    };
    let outcome = match outcome {
        Ok(records) if secrets.is_empty() => Ok(records),
        Ok(records) => Ok(records
            .into_iter()
            .map(|record| BackupRecord {
                id: redact_text(record.id),
                resource_id: redact_text(record.resource_id),
                resource_name: record.resource_name.map(redact_text),
                raw_status: redact_text(record.raw_status),
                ..record
            })
            .collect()),
        Err(error) => Err(redact(error, &secrets)),
    };
    AccountResult {
        name: account.name.clone(),
        api: account.api,
        outcome,
        microversion: read.microversion.map(redact_text),
        warnings: cloud
            .and_then(Cloud::warning)
            .into_iter()
            .map(redact_text)
            .collect(),
        elapsed,
    }
}

/// `error`, or its words with every secret replaced when one shows in them: in the server's
/// text before it is cut, then in the whole line.
fn redact(error: AccountError, secrets: &Redactor) -> AccountError {
    if secrets.is_empty() {
        return error;
    }
    let text = describe(&error, &|piece| secrets.redact(piece).into_owned());
    let text = secrets.redact(&text).into_owned();
    if text == format_account_error(&error) {
        return error;
    }
    AccountError::Redacted(text)
}

/// What reading an account leaves besides its outcome.
#[derive(Default)]
struct Read {
    /// The client, once built (its login's token is a secret too).
    client: Option<Client>,
    /// The account's secrets: token, password, keys.
    secrets: Vec<String>,
    /// The microversion sent.
    microversion: Option<String>,
}

impl Read {
    /// The account's secrets, with the token of its login if one was made.
    fn redactor(&self) -> Redactor {
        let mut secrets = Redactor::new();
        secrets.extend(&self.secrets);
        if let Some(login) = self
            .client
            .as_ref()
            .and_then(Client::session)
            .and_then(Session::login)
        {
            secrets.add(login.token.expose());
        }
        secrets
    }

    /// Logs in (as needed), finds the project and reads every page.
    fn backups(
        &mut self,
        account: &Account,
        cloud: Option<&Cloud>,
        options: FetchOptions,
        progress: Progress<'_>,
    ) -> Result<Vec<BackupRecord>, AccountError> {
        let (client, project_id) = self.connect(account, cloud, options)?;
        let fetch = Fetch {
            client: &client,
            account,
            project_id,
            options,
            progress,
        };
        let result = match account.api {
            Api::VbsV2 => fetch.vbs_v2(),
            Api::VbsV3 => fetch.vbs_v3(),
            Api::RackspaceBackupV2 => fetch.rackspace_backup_v2(),
            Api::CbrV3 => fetch.cbr_v3(),
        };
        if self.microversion.is_none() {
            self.microversion = client.microversion().map(|version| version.to_string());
        }
        result
    }

    /// The account's client (logged in as needed) and project.
    fn connect(
        &mut self,
        account: &Account,
        cloud: Option<&Cloud>,
        options: FetchOptions,
    ) -> Result<(Client, String), AccountError> {
        let mut builder = match &account.auth {
            AccountAuth::Token(source) => {
                let token = source.resolve().map_err(AccountError::Token)?;
                self.secrets.push(token.expose().to_owned());
                let endpoint = account.endpoint.as_deref().ok_or_else(|| {
                    AccountError::Setup("a token account needs an endpoint".into())
                })?;
                Client::builder(endpoint).token(token)
            }
            AccountAuth::Cloud(own) => {
                let cloud = cloud.ok_or_else(|| {
                    AccountError::Setup(format!("internal error: cloud {} not loaded", own.cloud))
                })?;
                self.cloud_builder(account, own, cloud)?
            }
        };
        builder = builder
            .timeout(options.timeout)
            .retry(RetryPolicy::new(options.retries));
        if let Some(ca_file) = &account.ca_file {
            builder = builder.ca_file(ca_file);
        }
        let own_version = account
            .filters
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("openstack-api-version"))
            .map(|(_, value)| {
                value
                    .split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_owned()
            });
        match (own_version, account.api.max_microversion()) {
            (Some(version), _) => self.microversion = Some(version),
            (None, Some(supported)) => {
                builder = builder.negotiate_microversion("volume", supported);
            }
            (None, None) => {}
        }
        let client = builder
            .build()
            .map_err(|err| AccountError::Setup(err.to_string()))?;
        self.client = Some(client.clone());
        let project_id = match &account.project_id {
            Some(project_id) => project_id.clone(),
            None => client
                .project_id()
                .map_err(AccountError::Request)?
                .ok_or_else(|| {
                    AccountError::Setup(
                        "no project: the login names none (an unscoped token, or AK/SK without \
                         a project_id); set project_id in the account, or scope the cloud's \
                         auth to a project"
                            .into(),
                    )
                })?,
        };
        Ok((client, project_id))
    }

    /// A client builder for a cloud account: its endpoint (see [`crate::cloud`]), the cloud's
    /// shared login (or AK/SK), and its TLS settings.
    fn cloud_builder(
        &mut self,
        account: &Account,
        own: &CloudAccount,
        cloud: &Cloud,
    ) -> Result<ClientBuilder, AccountError> {
        let config = cloud
            .config
            .as_ref()
            .map_err(|message| AccountError::Cloud(message.clone()))?;
        self.secrets.extend(
            config
                .credentials
                .secrets()
                .into_iter()
                .filter(|secret| !secret.is_empty())
                .map(str::to_owned),
        );
        let types = account.api.service_types();
        let region = own.region.as_deref().or(config.region_name.as_deref());
        let mut builder = match &account.endpoint {
            Some(endpoint) => Client::builder(endpoint),
            None => {
                let mut builder = Client::discover(types)
                    .interface(own.interface.as_deref().unwrap_or(&config.interface));
                if let Some(region) = region {
                    builder = builder.region(region);
                }
                // Exact service types only: an alias's override may be another API version.
                let overridden = types.iter().find_map(|service_type| {
                    config
                        .endpoint_overrides
                        .get(&service_type.replace('-', "_"))
                });
                if let Some(url) = overridden {
                    builder = builder.endpoint_override(url);
                } else if matches!(config.credentials, Credentials::AkSk(_)) {
                    builder =
                        builder.endpoint_override(aksk_endpoint(account, &config.name, region)?);
                }
                builder
            }
        };
        builder = match &cloud.session {
            Some(session) => builder.session(session.clone()),
            None => builder.credentials(config.credentials.clone()),
        };
        if !config.verify {
            builder = builder.danger_accept_invalid_certs(true);
        } else if let Some(cacert) = &config.cacert {
            builder = builder.ca_file(cacert);
        }
        Ok(builder)
    }
}

/// The regional host an AK/SK cloud account calls when it has no endpoint or override.
fn aksk_endpoint(
    account: &Account,
    cloud: &str,
    region: Option<&str>,
) -> Result<String, AccountError> {
    let key = account.api.service_types()[0].replace('-', "_");
    let region = region.ok_or_else(|| {
        AccountError::Setup(format!(
            "cloud {cloud} signs with AK/SK, which has no service catalog: give the account an \
             endpoint or a region (or the cloud a region_name or {key}_endpoint_override)"
        ))
    })?;
    regional_endpoint(account.api.key(), region).ok_or_else(|| {
        AccountError::Setup(format!(
            "cloud {cloud} signs with AK/SK and {} has no documented regional host: give the \
             account an endpoint (or the cloud {key}_endpoint_override)",
            account.api
        ))
    })
}

/// One account's fetch in progress.
struct Fetch<'a> {
    client: &'a Client,
    account: &'a Account,
    /// The account's project, or the login's.
    project_id: String,
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
        let mut params = vec![(project_param.to_owned(), self.project_id.clone())];
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
        records: impl Fn(&E::Output) -> Result<Vec<BackupRecord>, AccountError>,
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
            all.extend(records(&output)?);
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
            let ListBackupsOutput::Ok(page) = output else {
                return Err(unread(output));
            };
            Ok(page
                .backups
                .iter()
                .map(|backup| adapt::rackspace_backup_v2(name, backup))
                .collect())
        })
    }

    /// VBS v2: `listBackupsDetail`, link pages (`backups_links`, rel `next`).
    fn vbs_v2(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use vbs_v2_endpoints::{ListBackupsDetail, ListBackupsDetailOutput};
        let first = self.first("project_id", ListBackupsDetail::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsDetailOutput::Ok(page) = output else {
                return Err(unread(output));
            };
            Ok(page
                .backups
                .iter()
                .map(|backup| adapt::vbs_v2(name, backup))
                .collect())
        })
    }

    /// VBS v3: `listBackupsDetail`, link pages (`backups_links`, rel `next`).
    fn vbs_v3(&self) -> Result<Vec<BackupRecord>, AccountError> {
        use vbs_v3_endpoints::{ListBackupsDetail, ListBackupsDetailOutput};
        let first = self.first("project_id", ListBackupsDetail::from_params)?;
        let name = &self.account.name;
        self.follow(first, |output| {
            let ListBackupsDetailOutput::Ok(page) = output else {
                return Err(unread(output));
            };
            Ok(page
                .backups
                .iter()
                .map(|backup| adapt::vbs_v3(name, backup))
                .collect())
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
            let ListBackupsOutput::Ok(page) = output else {
                return Err(unread(output));
            };
            Ok(page
                .backups
                .iter()
                .map(|backup| adapt::cbr_v3(name, backup))
                .collect())
        })
    }
}

/// A success outcome a list reading does not know (a status the spec added since, the outcome
/// enums being `#[non_exhaustive]`): an error naming its status, never a page read as empty.
fn unread(output: &impl backup_runtime::Outcome) -> AccountError {
    AccountError::Request(ApiError::Status {
        status: output.status(),
        description: Some("a success status this version does not read"),
        headers: output.headers().to_vec(),
        body: Vec::new(),
        provider: None,
    })
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

    /// The outcome enums are `#[non_exhaustive]`: a success status a newer spec adds is an
    /// account error naming it, not an empty page.
    #[test]
    fn an_unread_success_status_is_an_error_naming_it() {
        struct Later(Vec<(String, String)>);
        impl backup_runtime::Outcome for Later {
            fn status(&self) -> u16 {
                206
            }
            fn headers(&self) -> &[(String, String)] {
                &self.0
            }
            fn has_body(&self) -> bool {
                true
            }
        }
        let error = unread(&Later(vec![("x-request-id".into(), "r-1".into())]));
        let AccountError::Request(ApiError::Status {
            status, headers, ..
        }) = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!((*status, headers.len()), (206, 1));
        assert_eq!(format_account_error(&error), "HTTP 206 Partial Content");
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
    fn login_errors_name_the_identity_url_and_status() {
        let login = |status| {
            AccountError::Request(ApiError::Login(backup_runtime::auth::LoginError {
                identity_url: "https://iam.example.com/v3/auth/tokens".into(),
                status,
                message: "The request you have made\n requires authentication.".into(),
            }))
        };
        assert_eq!(
            format_account_error(&login(Some(401))),
            "login failed: HTTP 401 at https://iam.example.com/v3/auth/tokens: The request you \
             have made requires authentication."
        );
        assert!(
            format_account_error(&login(None))
                .starts_with("login failed at https://iam.example.com/v3/auth/tokens: The")
        );
        let catalog =
            AccountError::Request(ApiError::Endpoint(backup_runtime::auth::CatalogError {
                message: "no public endpoint of service type volumev2".into(),
            }));
        assert_eq!(
            format_account_error(&catalog),
            "service catalog: no public endpoint of service type volumev2"
        );
    }

    fn redactor(secrets: &[&str]) -> Redactor {
        let mut redactor = Redactor::new();
        redactor.extend(secrets);
        redactor
    }

    #[test]
    fn a_secret_a_server_echoes_is_redacted() {
        let echoed = status(400, r#"{"message": "bad password hunter2 for alice"}"#);
        let secrets = redactor(&["", "hunter2"]);
        assert_eq!(
            redact(echoed, &secrets),
            AccountError::Redacted(
                "HTTP 400 Bad Request: bad password [redacted] for alice".into()
            )
        );
        let plain = status(400, r#"{"message": "bad request"}"#);
        assert_eq!(redact(plain.clone(), &secrets), plain);
    }

    #[test]
    fn a_long_body_is_cut() {
        let text = format_account_error(&status(500, &"x".repeat(10_000)));
        assert_eq!(
            text,
            format!(
                "HTTP 500 Internal Server Error: {}…(cut, 9770 more bytes)",
                "x".repeat(230)
            )
        );
    }

    #[test]
    fn a_token_that_straddles_the_cut_is_redacted_before_it() {
        let token = "tok-0123456789abcdef0123456789";
        // The token starts 10 bytes before the cut: cutting first would show its start.
        let body = format!("{}{token}{}", "x".repeat(221), "y".repeat(100));
        let plain = format_account_error(&status(500, &body));
        assert!(plain.contains("tok-0123"), "{plain}");
        let redacted = redact(status(500, &body), &redactor(&[token]));
        let AccountError::Redacted(text) = redacted else {
            panic!("{redacted:?}")
        };
        assert!(!text.contains("tok-0123"), "{text}");
        assert!(
            text.contains("[redacted]") && text.contains("more bytes)"),
            "{text}"
        );
        // In a login message and a provider message too.
        let login = AccountError::Request(ApiError::Login(backup_runtime::auth::LoginError {
            identity_url: "https://iam.example.com/v3/auth/tokens".into(),
            status: Some(401),
            message: format!("password {token} is wrong"),
        }));
        let text = format_account_error(&redact(login, &redactor(&[token])));
        assert!(
            !text.contains(token) && text.contains("[redacted]"),
            "{text}"
        );
        let provider = status(
            401,
            &format!(r#"{{"error": {{"code": "X", "message": "{token}"}}}}"#),
        );
        let text = format_account_error(&redact(provider, &redactor(&[token])));
        assert!(
            !text.contains(token) && text.contains("[redacted]"),
            "{text}"
        );
    }
}
