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
//! warning = "25h"                      # optional, overrides --warning
//! critical = "2d"                      # optional, overrides --critical
//! ca_file = "/etc/ssl/private-ca.pem"  # optional extra CA bundle (PEM)
//! filters = { status = "available" }   # optional, passed to the list operation
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
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
    /// Query parameters (wire names) for the list operation.
    pub filters: BTreeMap<String, String>,
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
    /// The standard output of this program with these arguments (run without a shell),
    /// trimmed.
    Command(Vec<String>),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "token_env {name:?}"),
            Self::File(path) => write!(f, "token_file {path:?}"),
            Self::Command(args) => write!(f, "token_command {args:?}"),
        }
    }
}

impl TokenSource {
    /// Reads the token. Error messages say where it was looked for, never what it is.
    ///
    /// # Errors
    ///
    /// The variable is unset or empty, the file cannot be read or is empty, or the command
    /// cannot be run, fails, or prints nothing.
    pub fn resolve(&self) -> Result<AuthToken, String> {
        let token = match self {
            Self::Env(name) => std::env::var(name)
                .map_err(|_| format!("token_env: environment variable {name} is not set"))?,
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|err| format!("token_file: cannot read {}: {err}", path.display()))?,
            Self::Command(args) => {
                let (program, rest) = args
                    .split_first()
                    .ok_or("token_command: the argument list is empty")?;
                let output = Command::new(program)
                    .args(rest)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .map_err(|err| format!("token_command: cannot run `{program}`: {err}"))?;
                if !output.status.success() {
                    // stderr may help; stdout might hold a token, so it is never shown.
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    let stderr = stderr.trim();
                    return Err(format!(
                        "token_command: `{program}` failed ({}){}{}",
                        output.status,
                        if stderr.is_empty() { "" } else { ": " },
                        stderr.lines().next().unwrap_or("")
                    ));
                }
                String::from_utf8(output.stdout)
                    .map_err(|_| format!("token_command: `{program}` printed non-UTF-8 text"))?
            }
        };
        let token = token.trim();
        if token.is_empty() {
            return Err(format!("{self:?} gives an empty token"));
        }
        Ok(AuthToken::new(token))
    }
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
    warning: Option<Spanned<String>>,
    critical: Option<Spanned<String>>,
    #[serde(default)]
    filters: BTreeMap<String, String>,
    ca_file: Option<PathBuf>,
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
                (None, None, Some(args)) => Some(TokenSource::Command(args)),
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
                filters: raw.filters,
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
        assert_eq!(account.filters["status"], "available");
        assert_eq!(account.line, 2);
    }

    fn error(text: &str) -> String {
        Config::parse(text, "f.toml").unwrap_err().to_string()
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

    #[test]
    fn token_from_command_is_trimmed_and_never_printed() {
        let source = TokenSource::Command(vec!["echo".into(), " secret-token ".into()]);
        assert_eq!(source.resolve().unwrap().expose(), "secret-token");
        let failing =
            TokenSource::Command(vec!["sh".into(), "-c".into(), "echo secret; exit 4".into()]);
        let err = failing.resolve().unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse_duration("0s").is_err());
    }
}
