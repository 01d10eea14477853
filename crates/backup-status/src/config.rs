//! The accounts file (`backupctl.toml`): `[[account]]` tables read with the `toml` crate; every
//! error names the file and line.
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
//! ```

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
    pub endpoint: String,
    /// The tenant or project in the path.
    pub project_id: String,
    /// Where the token comes from.
    pub token: TokenSource,
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
    endpoint: String,
    project_id: String,
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
    /// exactly one token source, a duplicate name, or no account at all: with the line.
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
                "{origin}: no [[account]] table (each needs name, api, endpoint, project_id and \
                 one of token_env, token_file, token_command)"
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
                (Some(name), None, None) => TokenSource::Env(name),
                (None, Some(path), None) => TokenSource::File(path),
                (None, None, Some(args)) if args.is_empty() => {
                    return Err(at(
                        start,
                        format!("account `{name}`: token_command is empty"),
                    ));
                }
                (None, None, Some(args)) => TokenSource::Command(args),
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
                token,
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
