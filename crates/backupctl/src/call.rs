//! `backupctl call`: build an operation from `name=value` strings with the endpoint crate's
//! `dispatch`, send it with the runtime's blocking client, and print the response body.
//!
//! The token comes from `--token-file` or `BACKUP_AUTH_TOKEN` and is held as an
//! [`AuthToken`], which never prints its value; as a second line of defence every message
//! this command writes to stderr has the token text replaced by `<redacted>`, in case a server
//! echoes it back in an error body; then the message is kept to one line and the body's
//! control characters escaped ([`backup_status::safe`], in `Failure::report`).

use std::time::Duration;

use backup_runtime::blocking::Client;
use backup_runtime::dynamic::Runner;
use backup_runtime::{
    ApiError, AuthToken, Endpoint, Outcome, Paginated, RetryPolicy, TransportError,
};
use serde::Serialize;

use backup_clouds::Environment;
use backup_runtime::registry::OperationInfo;
use backup_status::safe::Redactor;

use crate::cli::CallArgs;
use backup_runtime::wait::WaitOptions;

use crate::{Exit, Failure, Io, TOKEN_ENV, input, login, registry, waiting};

/// What one dispatched call gives: the JSON to print, or why not.
pub(crate) type CallResult = Result<Called, CallError>;

/// A successful call.
#[derive(Debug)]
pub(crate) struct Called {
    /// The body (or array of page bodies) as pretty JSON, with a final newline; empty for a
    /// success without a body (e.g. `204 No Content`).
    json: String,
    /// With `--all-pages`: the page count, when `--max-pages` stopped before the last page.
    stopped_after: Option<usize>,
}

impl Called {
    /// The body as pretty JSON (empty for a success without one).
    pub(crate) fn json(&self) -> &str {
        &self.json
    }
}

/// A call that did not give a body to print.
#[derive(Debug)]
pub(crate) enum CallError {
    /// The operation sends a token and none was given.
    NeedsToken {
        operation: &'static str,
        header: &'static str,
    },
    /// `--all-pages` for an operation without pages.
    NotPaged { operation: &'static str },
    /// The request went out (or tried to) and failed.
    Api {
        /// `GET https://…`, for messages.
        request: String,
        /// Which page, counting from 1, when following pages.
        page: usize,
        /// Boxed: an `ApiError` is large and errors are rare.
        error: Box<ApiError>,
    },
    /// The parsed output could not be written as JSON (a model bug).
    Output(String),
}

/// The [`Runner`] that `call` hands to the generated `dispatch` functions.
#[derive(Debug)]
pub(crate) struct HttpRunner {
    client: Client,
    has_token: bool,
    all_pages: bool,
    max_pages: usize,
}

impl HttpRunner {
    /// A runner of single requests with `client`, which attaches the account's login.
    pub(crate) fn logged_in(client: Client) -> Self {
        Self {
            client,
            has_token: true,
            all_pages: false,
            max_pages: 1,
        }
    }

    /// Refuses to send an operation that carries a token when there is none.
    fn check_token<E: Endpoint>(&self, endpoint: &E) -> Result<(), CallError> {
        match endpoint.auth_header() {
            Some(header) if !self.has_token && endpoint.auth_required() => {
                Err(CallError::NeedsToken {
                    operation: endpoint.operation_id(),
                    header,
                })
            }
            _ => Ok(()),
        }
    }

    /// Sends the request once and gives its body (nothing for a status without one).
    fn single<E>(&self, endpoint: E) -> CallResult
    where
        E: Endpoint,
        E::Output: Serialize + Outcome,
    {
        self.check_token(&endpoint)?;
        let output = self.send(&endpoint, 1)?;
        let json = if output.has_body() {
            pretty(&output)?
        } else {
            String::new()
        };
        Ok(Called {
            json,
            stopped_after: None,
        })
    }

    /// Sends one request.
    fn send<E: Endpoint>(&self, endpoint: &E, page: usize) -> Result<E::Output, CallError> {
        self.client.call(endpoint).map_err(|error| CallError::Api {
            request: format!(
                "{} {}",
                endpoint.method(),
                self.client
                    .known_url(endpoint)
                    .unwrap_or_else(|| endpoint.path())
            ),
            page,
            error: Box::new(error),
        })
    }
}

/// Pretty JSON with a final newline.
fn pretty<T: Serialize>(value: &T) -> Result<String, CallError> {
    let mut json =
        serde_json::to_string_pretty(value).map_err(|err| CallError::Output(err.to_string()))?;
    json.push('\n');
    Ok(json)
}

impl Runner for HttpRunner {
    type Out = CallResult;

    fn run<E>(&mut self, endpoint: E) -> CallResult
    where
        E: Endpoint,
        E::Output: Serialize + Outcome,
    {
        if self.all_pages {
            return Err(CallError::NotPaged {
                operation: endpoint.operation_id(),
            });
        }
        self.single(endpoint)
    }

    fn run_paged<E>(&mut self, endpoint: E) -> CallResult
    where
        E: Paginated,
        E::Output: Serialize + Outcome,
    {
        if !self.all_pages {
            return self.single(endpoint);
        }
        self.check_token(&endpoint)?;
        let mut pages = Vec::new();
        let mut stopped_after = None;
        let mut next = Some(endpoint);
        while let Some(endpoint) = next.take() {
            let output = self.send(&endpoint, pages.len() + 1)?;
            // A next page that repeats this request would make no progress: stop there.
            next = endpoint
                .next_page(&output)
                .filter(|next| !same_request(&endpoint, next));
            pages.push(output);
            if next.is_some() && pages.len() >= self.max_pages {
                stopped_after = Some(pages.len());
                break;
            }
        }
        Ok(Called {
            json: pretty(&pages)?,
            stopped_after,
        })
    }
}

/// Whether `next` sends exactly the request `current` sent.
fn same_request<E: Endpoint>(current: &E, next: &E) -> bool {
    current.method() == next.method()
        && current.path() == next.path()
        && current.query() == next.query()
        && current.headers() == next.headers()
        && current.body() == next.body()
}

/// Runs `backupctl call`.
///
/// # Errors
///
/// A [`Failure`] with [`Exit::Invalid`] for a bad invocation, [`Exit::Status`] for an error
/// status, [`Exit::Transport`] when no response came and [`Exit::Model`] for a body that does
/// not fit the model. The token text never appears in it.
pub fn run(args: &CallArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let token = token(args, io)?;
    let env = Environment::from_process();
    let api = registry::api(&args.api)?;
    let login = login::login(
        &api,
        args.endpoint.as_deref(),
        args.os_cloud.as_deref(),
        args.region.as_deref(),
        token,
        &env,
    )?;
    for warning in &login.warnings {
        io.warn(warning);
    }
    let mut secrets = login.secrets.clone();
    let mut client = None;
    let result = call(args, api, login, io, &mut client);
    if let Some(token) = client.as_ref().and_then(login::current_token) {
        secrets.push(token);
    }
    result.map_err(|failure| redact(failure, &secrets))
}

fn call(
    args: &CallArgs,
    api: registry::Api,
    login: login::Login,
    io: &mut Io<'_>,
    client_out: &mut Option<Client>,
) -> Result<Exit, Failure> {
    let op = api.operation(&args.operation)?;
    let body = args
        .body
        .as_deref()
        .map(|path| input::read(path, io.stdin))
        .transpose()?;
    // Refused before any request: `--wait` on an operation that starts no work.
    let plan = args
        .wait
        .then(|| {
            waiting::plan(
                api.name,
                op.id,
                body.as_ref().map(|body| body.text.as_str()),
            )
        })
        .transpose()
        .map_err(Failure::invalid)?;
    let mut builder = login
        .builder
        .timeout(Duration::from_secs(args.timeout))
        .retry(RetryPolicy::new(args.retries));
    if let Some(supported) = backup_status::max_microversion(api.name) {
        builder = builder.negotiate_microversion("volume", supported);
    }
    if let Some(ca_file) = &args.ca_file {
        builder = builder.ca_file(ca_file);
    }
    let client = builder
        .build()
        .map_err(|err| Failure::invalid(err.to_string()))?;
    *client_out = Some(client.clone());
    let params = with_project(&client, op, &args.params)?;
    let mut runner = HttpRunner {
        client,
        has_token: login.authenticates,
        all_pages: args.all_pages,
        max_pages: usize::try_from(args.max_pages).unwrap_or(usize::MAX),
    };
    let body_text = body.as_ref().map(|body| body.text.as_str());
    let sent_at = jiff::Timestamp::now();
    let called = match api.dispatch(&mut runner, op.id, &params, body_text) {
        Some(Ok(result)) => result.map_err(failure)?,
        Some(Err(err)) => return Err(Failure::invalid(err.to_string())),
        None => {
            return Err(Failure::invalid(format!(
                "{} has no operation `{}` to call",
                api.name, op.id
            )));
        }
    };
    if let Some(pages) = called.stopped_after {
        if !args.allow_partial {
            return Err(Failure::new(
                Exit::Partial,
                format!(
                    "stopped after {pages} pages (--max-pages) and the last one links to more: \
                     the list would be incomplete; raise --max-pages, or pass --allow-partial \
                     to print the pages read"
                ),
            ));
        }
        io.warn(&format!(
            "stopped after {pages} pages (--max-pages); the last one links to more: the list \
             is incomplete (--allow-partial)"
        ));
    }
    if let Some(plan) = plan {
        let wait = waiting::Wait {
            plan,
            api: &api,
            params: &params,
            answer: &called.json,
            options: WaitOptions::default()
                .first_interval(args.poll_interval)
                .timeout(args.wait_timeout),
            sent_at,
        };
        return waiting::run(&wait, &mut runner, io);
    }
    if !called.json.is_empty() {
        io.out(&called.json)?;
    }
    Ok(Exit::Success)
}

/// The parameters, with `project_id` / `tenant_id` (when the path has one and it is not given)
/// set to the logged-in project.
fn with_project(
    client: &Client,
    op: &OperationInfo,
    params: &[(String, String)],
) -> Result<Vec<(String, String)>, Failure> {
    let mut params = params.to_vec();
    for name in ["project_id", "tenant_id"] {
        if op.path.contains(&format!("{{{name}}}")) && !params.iter().any(|(key, _)| key == name) {
            let project = client
                .project_id()
                .map_err(|error| api_failure(&format!("{} {}", op.method, op.path), &error))?;
            if let Some(project) = project {
                params.push((name.to_owned(), project));
            }
        }
    }
    Ok(params)
}

/// The message and exit status of a failed call.
pub(crate) fn failure(err: CallError) -> Failure {
    match err {
        CallError::NeedsToken { operation, header } => Failure::invalid(format!(
            "{operation} needs a token (sent in {header}): set {TOKEN_ENV} or pass --token-file \
             FILE, or log in with --os-cloud NAME"
        )),
        CallError::NotPaged { operation } => Failure::invalid(format!(
            "{operation} does not link to further pages; call it without --all-pages"
        )),
        CallError::Output(message) => Failure::new(
            Exit::Model,
            format!("the parsed response cannot be written as JSON: {message}"),
        ),
        CallError::Api {
            request,
            page,
            error,
        } => {
            let at = if page > 1 {
                format!("{request} (page {page})")
            } else {
                request
            };
            api_failure(&at, &error)
        }
    }
}

/// The message and exit status of an API error of the request `at`.
pub(crate) fn api_failure(at: &str, error: &ApiError) -> Failure {
    match error.clone() {
        ApiError::Status {
            status,
            description,
            body,
            provider,
            ..
        } => {
            let description = description.unwrap_or("not documented for this operation");
            // The service's own code and message, when the body is one of its error shapes.
            let provider = provider.map_or_else(String::new, |provider| {
                format!(": {provider}").replace(['\n', '\r'], " ")
            });
            let failure = Failure::new(
                Exit::Status,
                format!(
                    "{at}: HTTP status {status} ({description}){provider}{}",
                    if body.is_empty() {
                        "; empty response body"
                    } else {
                        "; response body:"
                    }
                ),
            );
            if body.is_empty() {
                failure
            } else {
                failure.with_details(String::from_utf8_lossy(&body))
            }
        }
        ApiError::Parse {
            status,
            path,
            line,
            column,
            message,
            body,
        } => Failure::new(
            Exit::Model,
            format!(
                "{at}: the response body (HTTP status {status}) does not fit the model at \
                 `{path}` (line {line}, column {column}): {message}; response body:"
            ),
        )
        .with_details(String::from_utf8_lossy(&body)),
        ApiError::Transport(err) => transport_failure(at, &err),
        // The identity service refused the login: its status and message (exit 3); it could
        // not be reached (exit 4).
        ApiError::Login(err) => match err.status {
            Some(_) => Failure::new(Exit::Status, err.to_string()),
            None => Failure::new(Exit::Transport, err.to_string()),
        },
        ApiError::Endpoint(err) => Failure::invalid(err.to_string()),
        // A kind of failure this version does not know: its message is all there is.
        other => Failure::new(Exit::Status, format!("{at}: {other}")),
    }
}

/// One line: what failed, the host, and the details.
fn transport_failure(request: &str, err: &TransportError) -> Failure {
    let message = err.message.replace(['\n', '\r'], " ");
    let url = request.split_once(' ').map_or(request, |(_, url)| url);
    Failure::new(
        Exit::Transport,
        format!("{} ({}): {message}", err.kind, host_of(url)),
    )
}

/// The `host[:port]` of a URL, without user info.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
}

/// The token from `--token-file` or the environment, trimmed; `None` when neither has one.
fn token(args: &CallArgs, io: &Io<'_>) -> Result<Option<AuthToken>, Failure> {
    let (text, source) = match &args.token_file {
        Some(path) => {
            let source = format!("token file {}", path.display());
            let bytes = std::fs::read(path)
                .map_err(|err| Failure::invalid(format!("cannot read {source}: {err}")))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::invalid(format!("{source} is not UTF-8 text")))?;
            if text.trim().is_empty() {
                return Err(Failure::invalid(format!("{source} is empty")));
            }
            (text, source)
        }
        None => match &io.env_token {
            None => return Ok(None),
            Some(value) => {
                let text = value
                    .to_str()
                    .ok_or_else(|| Failure::invalid(format!("{TOKEN_ENV} is not valid UTF-8")))?;
                (text.to_owned(), TOKEN_ENV.to_owned())
            }
        },
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let header_safe = text
        .bytes()
        .all(|b| b.is_ascii_graphic() || b == b' ' || b == b'\t');
    if !header_safe {
        return Err(Failure::invalid(format!(
            "the token in {source} has characters an HTTP header cannot carry \
             (control or non-ASCII characters)"
        )));
    }
    Ok(Some(AuthToken::new(text)))
}

/// Replaces every secret (token, password, keys; also JSON- or URL-escaped) in everything the
/// failure prints, before it is cut and escaped for stderr ([`backup_status::safe`]).
fn redact(mut failure: Failure, secrets: &[String]) -> Failure {
    let mut redactor = Redactor::with_marker("<redacted>");
    redactor.extend(secrets);
    failure.message = redactor.redact(&failure.message).into_owned();
    failure.details = failure
        .details
        .map(|details| redactor.redact(&details).into_owned());
    failure
}

#[cfg(test)]
mod tests {
    use backup_runtime::TransportErrorKind;

    use super::*;

    #[test]
    fn host_without_user_info_path_or_query() {
        assert_eq!(
            host_of("https://u:p@cbr.example.com:8443/v3?x=1"),
            "cbr.example.com:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9"), "127.0.0.1:9");
        assert_eq!(host_of("http://[::1]:9/x"), "[::1]:9");
    }

    #[test]
    fn transport_failure_is_one_line() {
        let err = TransportError::new(
            TransportErrorKind::Refused,
            "GET http://127.0.0.1:9/x: io:\nConnection refused",
        );
        let failure = transport_failure("GET http://127.0.0.1:9/x", &err);
        assert_eq!(failure.exit, Exit::Transport);
        assert_eq!(
            failure.message,
            "connection refused (127.0.0.1:9): GET http://127.0.0.1:9/x: io: Connection refused"
        );
        assert_eq!(failure.details, None);
    }

    /// `DELETE /gone`: a success without a body, as generated bodiless outcomes are.
    #[derive(Debug, Clone, PartialEq)]
    struct Delete;

    #[derive(Debug, Clone, PartialEq)]
    struct Deleted(backup_runtime::Response<()>);

    impl Serialize for Deleted {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_unit()
        }
    }

    impl Outcome for Deleted {
        fn status(&self) -> u16 {
            self.0.status
        }
        fn headers(&self) -> &[(String, String)] {
            &self.0.headers
        }
        fn has_body(&self) -> bool {
            false
        }
    }

    impl Endpoint for Delete {
        type Output = Deleted;
        fn operation_id(&self) -> &'static str {
            "deleteThing"
        }
        fn method(&self) -> backup_runtime::Method {
            backup_runtime::Method::Delete
        }
        fn path(&self) -> String {
            "/gone".to_owned()
        }
        fn query(&self) -> Vec<(&'static str, String)> {
            Vec::new()
        }
        fn headers(&self) -> Vec<(&'static str, String)> {
            Vec::new()
        }
        fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, backup_runtime::BodyError> {
            Ok(None)
        }
        fn auth_header(&self) -> Option<&'static str> {
            None
        }
        fn parse_response(
            &self,
            response: backup_runtime::RawResponse,
        ) -> Result<Deleted, ApiError> {
            match response.status {
                204 => Ok(Deleted(backup_runtime::empty_response(response))),
                _ => Err(backup_runtime::error_status(response, None)),
            }
        }
    }

    #[test]
    fn a_success_without_a_body_prints_nothing() {
        use wiremock::matchers::{method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("DELETE"))
                .and(path("/gone"))
                .respond_with(ResponseTemplate::new(204))
                .expect(1)
                .mount(&server)
                .await;
            server
        });
        let mut runner = HttpRunner {
            client: Client::builder(&server.uri()).build().expect("client"),
            has_token: false,
            all_pages: false,
            max_pages: 1,
        };
        let called = runner.run(Delete).expect("a success");
        assert_eq!(called.json, "");
        assert_eq!(called.stopped_after, None);
        runtime.block_on(server.verify());
    }

    #[test]
    fn redaction_covers_message_and_details() {
        let failure = Failure::new(Exit::Status, "echo s3cret").with_details("<p>s3cret</p>");
        let failure = redact(failure, &["s3cret".to_owned()]);
        assert_eq!(failure.message, "echo <redacted>");
        assert_eq!(failure.details.as_deref(), Some("<p><redacted></p>"));
    }
}
