//! The command line, as clap derive types. Names, flags and exit statuses are a public
//! contract: scripts depend on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Shown after every `--help`: what each exit status means.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success (validate: the body parsed and writes back unchanged)
  1  bad invocation: unknown api, operation, status or parameter, a bad value, an unreadable
     file, a missing token; validate: the body does not parse (the message names the JSON
     path, or the line and column of broken JSON)
  2  validate: the body parsed, but writing it back would change it (JSON pointers listed);
     with --drift also when the body has what the spec does not know (each listed with its
     JSON pointer)
  3  call: the server answered with an error status (status, description, the service's error
     code and message, and body on stderr)
  4  call: no response: connection refused, timed out, TLS or DNS failure
  5  call: the response body does not fit the model (JSON path and raw body on stderr)";

/// Extra help for `call`: where the token comes from, then the exit statuses.
const CALL_HELP: &str = "\
Authentication, the first that applies:
  1. a token: the file given with --token-file, else the environment variable
     BACKUP_AUTH_TOKEN (surrounding whitespace trimmed); needs --endpoint;
  2. a cloud of clouds.yaml: --os-cloud NAME, else OS_CLOUD, else a cloud made of the OS_*
     variables when OS_AUTH_URL is set (what `source openrc.sh` gives). Searched as openstacksdk
     does: OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/, /etc/openstack/, with
     secure.yaml merged over it. Keystone/IAM passwords, application credentials and tokens,
     Rackspace API keys (auth_type rackspace_apikey) and Huawei AK/SK (auth_type aksk). The
     endpoint comes from the login's service catalog (or <service_type>_endpoint_override),
     and project_id / tenant_id default to the login's project;
  3. Huawei AK/SK from HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID (and
     HUAWEICLOUD_SDK_SECURITY_TOKEN): every request is signed (SDK-HMAC-SHA256); needs
     --endpoint or --region.
Tokens, passwords and keys are never printed.

Exit status:
  0  success: the response body (or with --all-pages an array of every page's body) on stdout;
     nothing for a success without a body (e.g. 202 or 204); with --wait, the work ended well
     and its final body is on stdout (the backup; the checkpoint; nothing for a deletion)
  1  bad invocation: unknown api, operation or parameter, a bad value, an unreadable file, a
     missing token when the operation needs one, a clouds.yaml problem, no endpoint for the
     service in the catalog
  3  the server answered with an error status (status, description, the service's error code
     and message, and body on stderr), or the login was refused (the identity endpoint, its
     status and message)
  4  no response (from the service or the identity service): connection refused, timed out,
     TLS or DNS failure (one line)
  5  the response body does not fit the model (JSON path and raw body on stderr)
  6  --wait: the work ended in a failed state (the state and the service's reason on stderr)
  7  --wait: --wait-timeout passed before the work ended (the last state seen on stderr)
  8  --all-pages stopped at --max-pages while the last page links to more: the list would be
     incomplete, so nothing is printed (--allow-partial prints the pages read and exits 0)";

/// Check captured bodies against the backup API models, and call the APIs.
#[derive(Debug, Parser)]
#[command(name = "backupctl", version, after_help = EXIT_STATUS_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every operation of every API with its documented statuses and body types.
    #[command(after_help = "Exit status: 0, or 1 when stdout cannot be written.")]
    Operations(OperationsArgs),
    /// Parse a body as an operation's response (or request) and check it writes back unchanged.
    #[command(after_help = EXIT_STATUS_HELP)]
    Validate(ValidateArgs),
    /// Send an operation to a server and print the response body as JSON.
    #[command(after_help = CALL_HELP)]
    Call(CallArgs),
    /// Read every account in the accounts file and show each resource's backup health.
    Status(crate::status::StatusArgs),
    /// Check every resource's backups for a monitoring agent (exit 0 OK, 1 WARNING,
    /// 2 CRITICAL, 3 UNKNOWN).
    Check(crate::check::CheckArgs),
    /// Serve the health view as a Prometheus exporter (`/metrics`), reading every account in
    /// the background.
    Serve(crate::serve::ServeArgs),
    /// Keep the backups the --keep-* rules say, per resource; print the plan, and with
    /// --delete delete the rest (never the newest good backup, never part of a kept chain).
    Prune(crate::prune::PruneArgs),
}

/// `backupctl operations`.
#[derive(Debug, Args)]
pub struct OperationsArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `backupctl validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The API key: rackspace-backup-v2, vbs-v3, vbs-v2 or cbr-v3.
    #[arg(long)]
    pub api: String,
    /// The operationId, e.g. showBackup (see `backupctl operations`).
    #[arg(long, value_name = "OPERATION_ID")]
    pub operation: String,
    /// Read the body as the response of this status [default: the operation's documented 2xx
    /// status with a body].
    #[arg(long, value_name = "CODE", conflicts_with = "request")]
    pub status: Option<u16>,
    /// Read the body as the operation's request body.
    #[arg(long)]
    pub request: bool,
    /// Print the body as the model writes it back (pretty JSON) on stdout.
    #[arg(long)]
    pub print: bool,
    /// Also list what the body has that the spec does not know: unknown keys, enum values
    /// outside the documented set, and types the spec does not give there (exit 2 if any).
    #[arg(long)]
    pub drift: bool,
    /// The body: a file, or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
}

/// `backupctl call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The API key: rackspace-backup-v2, vbs-v3, vbs-v2 or cbr-v3.
    #[arg(long)]
    pub api: String,
    /// The operationId, e.g. showBackup (see `backupctl operations`).
    #[arg(long, value_name = "OPERATION_ID")]
    pub operation: String,
    /// The server's base URL (the operation's path is appended).
    #[arg(
        long,
        value_name = "URL",
        help = "The server's base URL, e.g. https://cbr.example.com (the operation's whole path \
                is appended) [default with a cloud: the service catalog's endpoint]"
    )]
    pub endpoint: Option<String>,
    /// The cloud of clouds.yaml to log in with [default: OS_CLOUD].
    #[arg(long, value_name = "NAME")]
    pub os_cloud: Option<String>,
    /// The region whose catalog endpoint to use [default: the cloud's region_name]; with AK/SK
    /// and no --endpoint, the region of the documented regional host.
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// A path, query or header parameter, by its name in the spec (e.g.
    /// `OpenStack-API-Version=volume 3.9`); repeatable. A query parameter that takes several
    /// values is sent once per value given (`--param status=available --param status=error`:
    /// `status=available&status=error`); any other parameter given twice keeps its last value.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// The request body (JSON, sent with the operation's media type, e.g.
    /// application/json-patch+json): a file, or `-` for standard input.
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<PathBuf>,
    /// Follow the pages (next links, or offset and limit up to the count) and print a JSON
    /// array of every page's body.
    #[arg(long)]
    pub all_pages: bool,
    /// With --all-pages: stop after this many pages.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        requires = "all_pages",
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_pages: u32,
    /// With --all-pages: when --max-pages is reached and the last page links to more, print
    /// the pages read and exit 0 (with a warning) instead of exiting 8 with nothing printed.
    #[arg(long, requires = "all_pages")]
    pub allow_partial: bool,
    /// Wait until the work the operation starts has ended (startBackup, the stop preset of
    /// updateBackup, createBackup, restoreBackup, deleteBackup, createCheckpoint), reading the
    /// resource again with backoff; print its final body (nothing for a deletion).
    #[arg(long, conflicts_with = "all_pages")]
    pub wait: bool,
    /// With --wait: how long to wait in all, e.g. 30m or 2h.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "1h",
        requires = "wait",
        value_parser = crate::status::parse_duration
    )]
    pub wait_timeout: std::time::Duration,
    /// With --wait: the first pause between readings (each next one doubles, up to 60s), e.g.
    /// 200ms, 5s or 2m.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "5s",
        requires = "wait",
        value_parser = crate::status::parse_duration
    )]
    pub poll_interval: std::time::Duration,
    /// Read the token from this file instead of BACKUP_AUTH_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Seconds each request may take, from connecting to reading the whole body.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub timeout: u64,
    /// How many times to retry a 429 or 503 answer (honouring Retry-After).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: u32,
    /// Also trust the CA certificates in this PEM file, besides the system's store.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// `name=value`, split at the first `=`; the value may be empty, the name may not.
fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_param("marker=a=b"),
            Ok(("marker".to_owned(), "a=b".to_owned()))
        );
        assert_eq!(parse_param("name="), Ok(("name".to_owned(), String::new())));
        assert!(parse_param("name").is_err());
        assert!(parse_param("=x").is_err());
    }
}
