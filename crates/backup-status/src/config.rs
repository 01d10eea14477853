//! The accounts file (`backupctl.toml`): `[[account]]` tables read with the `toml` crate; every
//! error names the file and line.
//!
//! An account logs in one of two ways: with a token it is given (`token_env`, `token_file` or
//! `token_command`, with `endpoint` and `project_id`), or as a cloud of clouds.yaml
//! (`cloud = "NAME"`, read as openstacksdk reads it by `backup-clouds`), which logs in itself
//! and renews its token, so a check that runs every few minutes for months keeps working.
//!
//! ```toml
//! [[account]]
//! name = "prod-volumes"
//! api = "vbs-v2"                       # rackspace-backup-v2, vbs-v2, vbs-v3 or cbr-v3
//! endpoint = "https://vbs.eu-west-0.example.com"
//! project_id = "0123456789abcdef"
//! token_command = ["openstack", "token", "issue", "-f", "value", "-c", "id"]
//! token_timeout = "10s"                # optional, default 30s: the command is killed after it
//! warning = "25h"                      # optional, overrides --warning
//! critical = "2d"                      # optional, overrides --critical
//! ca_file = "/etc/ssl/private-ca.pem"  # optional extra CA bundle (PEM)
//! filters = { status = "available" }   # optional, passed to the list operation; a list
//!                                      # (status = ["available", "error"]) repeats it
//!
//! [[account]]
//! name = "otc-volumes"
//! api = "vbs-v3"
//! cloud = "otc"                        # a cloud of clouds.yaml: logs in, renews its token
//! region = "eu-nl"                     # optional, overrides the cloud's region_name
//! interface = "public"                 # optional, overrides the cloud's interface
//! # endpoint: optional, wins over the cloud's <service_type>_endpoint_override and the
//! #   service catalog (AK/SK clouds, which have no catalog: the documented regional host)
//! # project_id: optional, wins over the login's project (AK/SK: the cloud's project_id)
//! ```
//!
//! With `cloud`, accounts that name the same cloud log in once, together. The cloud's
//! `verify: false` turns certificate checks off for its accounts, and the fetch says so in a
//! warning each run; its `cacert` is trusted (an account's own `ca_file` wins).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use backup_runtime::AuthToken;
use serde::Deserialize;
use toml::Spanned;

use crate::record::Api;

/// The accounts file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The accounts, in file order.
    pub accounts: Vec<Account>,
}

/// One `[[account]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its name, unique in the file; shown in every output.
    pub name: String,
    /// The API.
    pub api: Api,
    /// The service's base URL, without the version and project (e.g. `https://vbs.example.com`).
    /// Always set for a token account. With a cloud, `None` finds it (the cloud's
    /// `<service_type>_endpoint_override`, the service catalog, or for AK/SK the regional
    /// host); when set it wins over all of them.
    pub endpoint: Option<String>,
    /// The tenant or project in the path. Always set for a token account; with a cloud, `None`
    /// is the login's project (AK/SK: the cloud's `project_id`).
    pub project_id: Option<String>,
    /// How the account logs in.
    pub auth: AccountAuth,
    /// Age of the last success over which the account's resources are WARNING.
    pub warning: Option<Duration>,
    /// Age of the last success over which they are CRITICAL.
    pub critical: Option<Duration>,
    /// Query parameters (wire names) for the list operation, in order; a name given a list in
    /// the file (`status = ["available", "error"]`) appears once per value, for the parameters
    /// the spec repeats.
    pub filters: Vec<(String, String)>,
    /// An extra CA bundle (PEM) to trust besides the system's certificate store.
    pub ca_file: Option<PathBuf>,
    /// The line of the `[[account]]` header in the file.
    pub line: usize,
}

/// How an account logs in: a token it is given, or a cloud of clouds.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountAuth {
    /// A token from `token_env`, `token_file` or `token_command`, sent as is.
    Token(TokenSource),
    /// `cloud = "NAME"`: the cloud's credentials (password, application credential, API key,
    /// AK/SK), a login shared with the other accounts of the cloud.
    Cloud(CloudAccount),
}

/// An account's cloud and its own overrides of the cloud's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudAccount {
    /// The cloud's name in clouds.yaml (`clouds.NAME`).
    pub cloud: String,
    /// `region`: the catalog region (and AK/SK regional host), instead of the cloud's
    /// `region_name`.
    pub region: Option<String>,
    /// `interface`: `public`, `internal` or `admin`, instead of the cloud's.
    pub interface: Option<String>,
}

impl Account {
    /// The account's cloud, if it logs in as one.
    pub fn cloud(&self) -> Option<&CloudAccount> {
        match &self.auth {
            AccountAuth::Cloud(cloud) => Some(cloud),
            AccountAuth::Token(_) => None,
        }
    }
}

/// Where an account's token comes from: exactly one of `token_env`, `token_file`,
/// `token_command`.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// The value of this environment variable.
    Env(String),
    /// The contents of this file, trimmed.
    File(PathBuf),
    /// The standard output of a program (run without a shell), trimmed.
    Command {
        /// The program and its arguments (which may hold secrets: never shown).
        args: Vec<String>,
        /// How long it may run before it is killed (`token_timeout`, default
        /// [`TOKEN_TIMEOUT`]).
        timeout: Duration,
    },
}

/// How long a `token_command` may run unless the account says otherwise (`token_timeout`).
pub const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes of a `token_command`'s output read.
const TOKEN_OUTPUT_LIMIT: u64 = 1024 * 1024;

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "token_env {name:?}"),
            Self::File(path) => write!(f, "token_file {path:?}"),
            // Arguments may carry a password: the program's name only.
            Self::Command { args, timeout } => write!(
                f,
                "token_command `{}` (timeout {})",
                args.first().map_or("", String::as_str),
                humantime::format_duration(*timeout)
            ),
        }
    }
}

impl TokenSource {
    /// Reads the token. Error messages say where it was looked for, never what it is; for a
    /// command they name the program only (not its arguments) and never show its output or
    /// its stderr (which it does not inherit).
    ///
    /// # Errors
    ///
    /// The variable is unset or empty, the file cannot be read or is empty, or the command
    /// cannot be run, fails, runs longer than its timeout (it is killed), or prints nothing.
    pub fn resolve(&self) -> Result<AuthToken, String> {
        let token = match self {
            Self::Env(name) => std::env::var(name)
                .map_err(|_| format!("token_env: environment variable {name} is not set"))?,
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|err| format!("token_file: cannot read {}: {err}", path.display()))?,
            Self::Command { args, timeout } => run_token_command(args, *timeout)?,
        };
        let token = token.trim();
        if token.is_empty() {
            return Err(match self {
                Self::Env(name) => format!("token_env: environment variable {name} is empty"),
                Self::File(path) => format!("token_file: {} is empty", path.display()),
                Self::Command { args, .. } => format!(
                    "token_command: `{}` printed an empty token",
                    args.first().map_or("", String::as_str)
                ),
            });
        }
        Ok(AuthToken::new(token))
    }
}

/// Runs a token command: stdin from nothing, stderr to nothing (a helper may print secrets
/// there), stdout read on a thread of its own (a full pipe never blocks the helper), killed
/// after `timeout`.
fn run_token_command(args: &[String], timeout: Duration) -> Result<String, String> {
    let (program, rest) = args
        .split_first()
        .ok_or("token_command: the argument list is empty")?;
    let mut child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("token_command: cannot run `{program}`: {err}"))?;
    let deadline = Instant::now() + timeout;
    let (sender, receiver) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let read = stdout.take(TOKEN_OUTPUT_LIMIT).read_to_end(&mut bytes);
            let _ = sender.send(read.map(|_| bytes));
        });
    }
    let killed = |child: &mut std::process::Child, why: String| {
        let _ = child.kill();
        let _ = child.wait();
        Err(why)
    };
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                return killed(
                    &mut child,
                    format!(
                        "token_command: `{program}` did not finish within {} and was killed \
                         (token_timeout)",
                        humantime::format_duration(timeout)
                    ),
                );
            }
            Ok(None) => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(err) => {
                return killed(
                    &mut child,
                    format!("token_command: cannot wait for `{program}`: {err}"),
                );
            }
        }
    };
    if !status.success() {
        // Neither stdout (it may hold a token) nor stderr (it may hold anything) is shown.
        return Err(format!("token_command: `{program}` failed ({status})"));
    }
    // A helper's own child may keep stdout open: wait no longer than the deadline for it.
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    let bytes = match receiver.recv_timeout(left) {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            return Err(format!(
                "token_command: cannot read `{program}`'s output: {err}"
            ));
        }
        Err(_) => {
            return Err(format!(
                "token_command: `{program}` exited but its output stayed open beyond {}",
                humantime::format_duration(timeout)
            ));
        }
    };
    String::from_utf8(bytes)
        .map_err(|_| format!("token_command: `{program}` printed non-UTF-8 text"))
}

/// A bad accounts file: the message starts with `FILE:LINE:` where the line is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    account: Vec<Spanned<RawAccount>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    api: Spanned<String>,
    endpoint: Option<String>,
    project_id: Option<String>,
    cloud: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    interface: Option<Spanned<String>>,
    token_env: Option<String>,
    token_file: Option<PathBuf>,
    token_command: Option<Vec<String>>,
    token_timeout: Option<Spanned<String>>,
    warning: Option<Spanned<String>>,
    critical: Option<Spanned<String>>,
    #[serde(default)]
    filters: BTreeMap<String, FilterValue>,
    ca_file: Option<PathBuf>,
}

/// A filter's value in the file: one string, or a list for a repeated query parameter.
#[derive(Debug)]
enum FilterValue {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for FilterValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = FilterValue;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, or a list of strings")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<FilterValue, E> {
                Ok(FilterValue::One(value.to_owned()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FilterValue, A::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element::<String>()? {
                    values.push(value);
                }
                Ok(FilterValue::Many(values))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Parses a duration such as `90m`, `25h`, `2d` or `1h 30m` (humantime's syntax).
///
/// # Errors
///
/// A text that is not such a duration, or zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|err| format!("`{text}` is not a duration like 90m, 25h or 2d ({err})"))?;
    if duration.is_zero() {
        return Err(format!("`{text}` is zero"));
    }
    Ok(duration)
}

/// An endpoint interface as clouds.yaml writes it: `public`, `internal` or `admin`
/// (keystoneauth also accepts `publicURL` and the like).
fn parse_interface(text: &str) -> Result<String, String> {
    let interface = text.strip_suffix("URL").unwrap_or(text);
    match interface {
        "public" | "internal" | "admin" => Ok(interface.to_owned()),
        _ => Err(format!(
            "interface `{text}` is not one of public, internal, admin"
        )),
    }
}

impl Config {
    /// Reads the file at `path`.
    ///
    /// # Errors
    ///
    /// The file cannot be read, or [`Config::parse`] fails.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ConfigError(format!("{}: cannot read: {err}", path.display())))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses the text of an accounts file; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// Not TOML, an unknown or missing key, a wrong type, an unknown API, a bad duration, not
    /// exactly one of `cloud` or a token source, no `endpoint` or `project_id` for a token,
    /// `region` or `interface` without a cloud, an unknown interface, a duplicate name, or no
    /// account at all: with the line.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let at = |offset: usize, message: String| {
            ConfigError(format!("{origin}:{}: {message}", line_of(offset)))
        };
        let raw: RawConfig = toml::from_str(text).map_err(|err| match err.span() {
            Some(span) => at(span.start, err.message().to_owned()),
            None => ConfigError(format!("{origin}: {}", err.message())),
        })?;
        if raw.account.is_empty() {
            return Err(ConfigError(format!(
                "{origin}: no [[account]] table (each needs name, api, and either cloud, or \
                 endpoint, project_id and one of token_env, token_file, token_command)"
            )));
        }
        let mut accounts: Vec<Account> = Vec::new();
        for spanned in raw.account {
            let start = spanned.span().start;
            let raw = spanned.into_inner();
            let name = raw.name.get_ref().clone();
            if name.is_empty() {
                return Err(at(raw.name.span().start, "name must not be empty".into()));
            }
            if let Some(first) = accounts.iter().find(|account| account.name == name) {
                return Err(at(
                    raw.name.span().start,
                    format!(
                        "account name `{name}` is already used on line {}",
                        first.line
                    ),
                ));
            }
            let api = raw
                .api
                .get_ref()
                .parse::<Api>()
                .map_err(|err| at(raw.api.span().start, err))?;
            let token_timeout = match (&raw.token_timeout, &raw.token_command) {
                (None, _) => TOKEN_TIMEOUT,
                (Some(value), Some(_)) => parse_duration(value.get_ref())
                    .map_err(|err| at(value.span().start, format!("token_timeout: {err}")))?,
                (Some(value), None) => {
                    return Err(at(
                        value.span().start,
                        format!(
                            "account `{name}`: token_timeout limits token_command, and this \
                             account has none"
                        ),
                    ));
                }
            };
            let token = match (raw.token_env, raw.token_file, raw.token_command) {
                (None, None, None) => None,
                (Some(name), None, None) => Some(TokenSource::Env(name)),
                (None, Some(path), None) => Some(TokenSource::File(path)),
                (None, None, Some(args)) if args.is_empty() => {
                    return Err(at(
                        start,
                        format!("account `{name}`: token_command is empty"),
                    ));
                }
                (None, None, Some(args)) => Some(TokenSource::Command {
                    args,
                    timeout: token_timeout,
                }),
                _ => {
                    return Err(at(
                        start,
                        format!(
                            "account `{name}` needs exactly one of token_env, token_file, \
                             token_command"
                        ),
                    ));
                }
            };
            let auth = match (raw.cloud, token) {
                (Some(cloud), Some(_)) => {
                    return Err(at(
                        cloud.span().start,
                        format!(
                            "account `{name}`: give either cloud or a token (token_env, \
                             token_file, token_command), not both"
                        ),
                    ));
                }
                (None, None) => {
                    return Err(at(
                        start,
                        format!(
                            "account `{name}` needs a way to log in: cloud = \"NAME\" (a cloud \
                             of clouds.yaml) or one of token_env, token_file, token_command"
                        ),
                    ));
                }
                (Some(cloud), None) => {
                    if cloud.get_ref().is_empty() {
                        return Err(at(
                            cloud.span().start,
                            format!("account `{name}`: cloud must not be empty"),
                        ));
                    }
                    let interface = raw
                        .interface
                        .map(|interface| {
                            parse_interface(interface.get_ref()).map_err(|err| {
                                at(interface.span().start, format!("account `{name}`: {err}"))
                            })
                        })
                        .transpose()?;
                    AccountAuth::Cloud(CloudAccount {
                        cloud: cloud.into_inner(),
                        region: raw.region.map(Spanned::into_inner),
                        interface,
                    })
                }
                (None, Some(token)) => {
                    let what = "a token account (one with token_env, token_file or token_command)";
                    if raw.endpoint.is_none() {
                        return Err(at(
                            start,
                            format!(
                                "account `{name}` needs endpoint: {what} does not log in, so \
                                 it has no service catalog (or give cloud = \"NAME\" instead \
                                 of the token)"
                            ),
                        ));
                    }
                    if raw.project_id.is_none() {
                        return Err(at(
                            start,
                            format!(
                                "account `{name}` needs project_id: {what} does not log in, \
                                 so no project is known (or give cloud = \"NAME\" instead of \
                                 the token)"
                            ),
                        ));
                    }
                    for (key, value) in [("region", &raw.region), ("interface", &raw.interface)] {
                        if let Some(value) = value {
                            return Err(at(
                                value.span().start,
                                format!(
                                    "account `{name}`: {key} chooses a cloud's catalog \
                                     endpoint, and this account has no cloud"
                                ),
                            ));
                        }
                    }
                    AccountAuth::Token(token)
                }
            };
            let duration = |value: Option<Spanned<String>>, key: &str| {
                value
                    .map(|value| {
                        parse_duration(value.get_ref())
                            .map_err(|err| at(value.span().start, format!("{key}: {err}")))
                    })
                    .transpose()
            };
            let warning = duration(raw.warning, "warning")?;
            let critical = duration(raw.critical, "critical")?;
            accounts.push(Account {
                name,
                api,
                endpoint: raw.endpoint,
                project_id: raw.project_id,
                auth,
                warning,
                critical,
                filters: raw
                    .filters
                    .into_iter()
                    .flat_map(|(name, value)| {
                        let values = match value {
                            FilterValue::One(value) => vec![value],
                            FilterValue::Many(values) => values,
                        };
                        values.into_iter().map(move |value| (name.clone(), value))
                    })
                    .collect(),
                ca_file: raw.ca_file,
                line: line_of(start),
            });
        }
        Ok(Self { accounts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[account]]
name = "a"
api = "vbs-v2"
endpoint = "http://127.0.0.1:1"
project_id = "p"
token_env = "X"
warning = "90m"
critical = "2d"
filters = { status = "available" }
"#;

    #[test]
    fn reads_an_account() {
        let config = Config::parse(GOOD, "f.toml").unwrap();
        let account = &config.accounts[0];
        assert_eq!(account.api, Api::VbsV2);
        assert_eq!(account.warning, Some(Duration::from_secs(90 * 60)));
        assert_eq!(account.critical, Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(
            account.filters,
            [("status".to_owned(), "available".to_owned())]
        );
        assert_eq!(account.line, 2);
    }

    fn error(text: &str) -> String {
        Config::parse(text, "f.toml").unwrap_err().to_string()
    }

    #[test]
    fn a_list_filter_repeats_its_parameter_and_anything_else_is_refused() {
        let list = GOOD.replace(
            r#"filters = { status = "available" }"#,
            r#"filters = { status = ["available", "error"], limit = "100" }"#,
        );
        let config = Config::parse(&list, "f.toml").unwrap();
        let pairs: Vec<(&str, &str)> = config.accounts[0]
            .filters
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("limit", "100"),
                ("status", "available"),
                ("status", "error")
            ]
        );
        let number = GOOD.replace(r#"status = "available""#, "status = 7");
        let text = error(&number);
        assert!(text.starts_with("f.toml:"), "{text}");
        assert!(text.contains("a string, or a list of strings"), "{text}");
    }

    #[test]
    fn errors_name_the_line() {
        let bad_api = GOOD.replace("vbs-v2", "vbs-v9");
        assert!(
            error(&bad_api).starts_with("f.toml:4: unknown api `vbs-v9`"),
            "{}",
            error(&bad_api)
        );
        let bad_duration = GOOD.replace("90m", "soon");
        assert!(
            error(&bad_duration).starts_with("f.toml:8: warning:"),
            "{}",
            error(&bad_duration)
        );
        let two_tokens = GOOD.replace("token_env = \"X\"", "token_env = \"X\"\ntoken_file = \"t\"");
        assert!(
            error(&two_tokens).contains("exactly one of token_env"),
            "{}",
            error(&two_tokens)
        );
        let unknown = GOOD.replace("project_id", "projectid");
        assert!(
            error(&unknown).starts_with("f.toml:"),
            "{}",
            error(&unknown)
        );
        let twice = format!("{GOOD}{GOOD}");
        assert!(
            error(&twice).starts_with("f.toml:13: account name `a` is already used on line 2"),
            "{}",
            error(&twice)
        );
        assert!(
            error("[[account]\n").starts_with("f.toml:1:"),
            "{}",
            error("[[account]\n")
        );
        assert!(error("").contains("no [[account]]"));
    }

    const CLOUD: &str = r#"
[[account]]
name = "c"
api = "vbs-v3"
cloud = "otc"
region = "eu-nl"
interface = "internalURL"
"#;

    #[test]
    fn reads_a_cloud_account() {
        let config = Config::parse(&format!("{GOOD}{CLOUD}"), "f.toml").unwrap();
        let account = &config.accounts[1];
        assert_eq!(
            (account.endpoint.as_deref(), account.project_id.as_deref()),
            (None, None)
        );
        assert_eq!(
            account.auth,
            AccountAuth::Cloud(CloudAccount {
                cloud: "otc".into(),
                region: Some("eu-nl".into()),
                interface: Some("internal".into()),
            })
        );
        assert_eq!(account.line, 12);
        assert!(matches!(
            config.accounts[0].auth,
            AccountAuth::Token(TokenSource::Env(_))
        ));
        assert_eq!(config.accounts[0].cloud(), None);
        // An explicit endpoint and project stay with a cloud.
        let explicit = CLOUD.replace(
            "region = \"eu-nl\"",
            "endpoint = \"https://e\"\nproject_id = \"p\"",
        );
        let config = Config::parse(&explicit, "f.toml").unwrap();
        assert_eq!(config.accounts[0].endpoint.as_deref(), Some("https://e"));
        assert_eq!(config.accounts[0].project_id.as_deref(), Some("p"));
    }

    #[test]
    fn a_cloud_or_a_token_not_both_nor_neither() {
        let both = CLOUD.replace("cloud = \"otc\"", "token_env = \"X\"\ncloud = \"otc\"");
        assert!(
            error(&both).starts_with("f.toml:6: account `c`: give either cloud or a token"),
            "{}",
            error(&both)
        );
        let neither = GOOD.replace("token_env = \"X\"\n", "");
        assert!(
            error(&neither).starts_with("f.toml:2: account `a` needs a way to log in: cloud = "),
            "{}",
            error(&neither)
        );
        let no_endpoint = GOOD.replace("endpoint = \"http://127.0.0.1:1\"\n", "");
        assert!(
            error(&no_endpoint).starts_with("f.toml:2: account `a` needs endpoint"),
            "{}",
            error(&no_endpoint)
        );
        let no_project = GOOD.replace("project_id = \"p\"\n", "");
        assert!(
            error(&no_project).starts_with("f.toml:2: account `a` needs project_id"),
            "{}",
            error(&no_project)
        );
        let region = GOOD.replace("warning = ", "region = \"eu-de\"\nwarning = ");
        assert!(
            error(&region).starts_with("f.toml:8: account `a`: region chooses a cloud's"),
            "{}",
            error(&region)
        );
        let interface = CLOUD.replace("internalURL", "private");
        assert!(
            error(&interface)
                .starts_with("f.toml:7: account `c`: interface `private` is not one of public"),
            "{}",
            error(&interface)
        );
        let empty = CLOUD.replace("\"otc\"", "\"\"");
        assert!(
            error(&empty).contains("cloud must not be empty"),
            "{}",
            error(&empty)
        );
    }

    fn command(args: &[&str], timeout: Duration) -> TokenSource {
        TokenSource::Command {
            args: args.iter().map(|&arg| arg.to_owned()).collect(),
            timeout,
        }
    }

    #[test]
    fn token_from_command_is_trimmed_and_never_printed() {
        let source = command(&["echo", " secret-token "], TOKEN_TIMEOUT);
        assert_eq!(source.resolve().unwrap().expose(), "secret-token");
        let failing = command(&["sh", "-c", "echo secret; exit 4"], TOKEN_TIMEOUT);
        let err = failing.resolve().unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn a_failing_helper_s_stderr_is_never_shown() {
        let helper = "echo 'password=hunter2 token=tok-leak' >&2; exit 3";
        let err = command(&["sh", "-c", helper], TOKEN_TIMEOUT)
            .resolve()
            .unwrap_err();
        assert_eq!(err, "token_command: `sh` failed (exit status: 3)");
    }

    #[test]
    fn an_empty_token_names_the_program_not_its_arguments() {
        let source = command(
            &["sh", "-c", "printf ' '", "--password=hunter2"],
            TOKEN_TIMEOUT,
        );
        let err = source.resolve().unwrap_err();
        assert_eq!(err, "token_command: `sh` printed an empty token");
        assert!(!format!("{source:?}").contains("hunter2"), "{source:?}");
    }

    #[test]
    fn a_hung_helper_is_killed_at_its_timeout() {
        let scratch =
            std::env::temp_dir().join(format!("backup-status-hung-{}", std::process::id()));
        let _ = std::fs::remove_file(&scratch);
        let marker = scratch.display().to_string();
        // The helper would write the marker after 3 s; it must be dead by then.
        let script = format!("sleep 3; echo late > '{marker}'; echo token");
        let started = Instant::now();
        let err = command(&["sh", "-c", &script], Duration::from_millis(300))
            .resolve()
            .unwrap_err();
        let took = started.elapsed();
        assert!(
            err.contains("did not finish within 300ms and was killed"),
            "{err}"
        );
        assert!(took < Duration::from_secs(2), "{took:?}");
        std::thread::sleep(Duration::from_millis(3500).saturating_sub(took));
        assert!(
            !scratch.exists(),
            "the helper kept running after its timeout"
        );
    }

    #[test]
    fn token_timeout_is_read_per_account() {
        let text = GOOD.replace(
            "token_env = \"X\"",
            "token_command = [\"helper\", \"--secret\"]\ntoken_timeout = \"10s\"",
        );
        let config = Config::parse(&text, "f.toml").unwrap();
        assert_eq!(
            config.accounts[0].auth,
            AccountAuth::Token(TokenSource::Command {
                args: vec!["helper".into(), "--secret".into()],
                timeout: Duration::from_secs(10),
            })
        );
        let default = GOOD.replace("token_env = \"X\"", "token_command = [\"helper\"]");
        let config = Config::parse(&default, "f.toml").unwrap();
        assert!(matches!(
            &config.accounts[0].auth,
            AccountAuth::Token(TokenSource::Command { timeout, .. }) if *timeout == TOKEN_TIMEOUT
        ));
        let bad = GOOD.replace(
            "token_env = \"X\"",
            "token_command = [\"helper\"]\ntoken_timeout = \"soon\"",
        );
        assert!(
            error(&bad).starts_with("f.toml:8: token_timeout:"),
            "{}",
            error(&bad)
        );
        let without = GOOD.replace(
            "token_env = \"X\"",
            "token_env = \"X\"\ntoken_timeout = \"5s\"",
        );
        assert!(
            error(&without).contains("token_timeout limits token_command"),
            "{}",
            error(&without)
        );
    }
}
