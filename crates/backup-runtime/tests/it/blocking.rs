//! The blocking client against a local mock server (run on a Tokio runtime beside the test).

use std::time::Duration;

use backup_runtime::blocking::Client;
use backup_runtime::{ApiError, AuthToken, Method, RetryPolicy, TransportErrorKind};
use wiremock::MockServer;

use crate::support::{
    OffsetProbe, Probe, SECRET, closed_port, create_probe, mocks, patch_probe, show_probe,
};

/// A mock server with every mock mounted, and the runtime that serves it.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
}

impl Fixture {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            mocks::show(&server).await;
            mocks::create(&server).await;
            mocks::html_500(&server).await;
            mocks::not_found(&server).await;
            mocks::truncated(&server).await;
            mocks::slow(&server).await;
            mocks::busy_then_ok(&server).await;
            mocks::busy_one_second(&server).await;
            mocks::always_busy(&server).await;
            mocks::pages(&server).await;
            mocks::patch_and_versioned(&server).await;
            server
        });
        Self { runtime, server }
    }

    fn base(&self) -> String {
        format!("{}/v2/", self.server.uri())
    }

    fn client(&self) -> Client {
        Client::builder(&self.base())
            .token(AuthToken::new(SECRET))
            .build()
            .expect("client")
    }

    fn requests_to(&self, path: &str) -> usize {
        self.runtime
            .block_on(self.server.received_requests())
            .unwrap_or_default()
            .iter()
            .filter(|request| request.url.path() == path)
            .count()
    }
}

#[test]
fn sends_method_path_query_token_and_headers() {
    let fixture = Fixture::new();
    let client = fixture.client();
    let page = client.call(&show_probe()).unwrap();
    assert_eq!(page.items, [1, 2]);
    let page = client.call(&create_probe()).unwrap();
    assert_eq!(page.items, [7]);
    // Each request reached the server once (the mocks match method, path, query, headers
    // and body; a request that matched none would have failed the call).
    assert_eq!(fixture.requests_to("/v2/backups/a%2Fb%20%C3%BC"), 1);
    assert_eq!(fixture.requests_to("/v2/backups"), 1);
    assert!(!format!("{client:?}").contains(SECRET));
}

#[test]
fn non_success_status_keeps_the_body() {
    let fixture = Fixture::new();
    let err = fixture.client().call(&Probe::get("/html")).unwrap_err();
    let ApiError::Status {
        status,
        description,
        headers,
        body,
        provider,
    } = &err
    else {
        panic!("expected Status, got {err:?}");
    };
    assert_eq!((*status, *description), (500, None));
    assert_eq!(*provider, None, "an HTML body has no provider error");
    assert_eq!(body, b"<html><body>Internal Server Error</body></html>");
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "content-type" && v == "text/html")
    );
    assert!(err.to_string().contains("Internal Server Error"), "{err}");

    let err = fixture.client().call(&Probe::get("/missing")).unwrap_err();
    assert!(matches!(
        err,
        ApiError::Status {
            status: 404,
            description: Some("Not Found"),
            ..
        }
    ));
}

#[test]
fn truncated_json_is_a_parse_error() {
    let fixture = Fixture::new();
    let err = fixture
        .client()
        .call(&Probe::get("/truncated"))
        .unwrap_err();
    let ApiError::Parse {
        status, line, body, ..
    } = &err
    else {
        panic!("expected Parse, got {err:?}");
    };
    assert_eq!((*status, *line), (200, 2));
    assert_eq!(body, b"{\"items\": [1,\n 2");
    assert!(err.to_string().contains("EOF"), "{err}");
}

#[test]
fn refused_connection() {
    let port = closed_port();
    let client = Client::builder(&format!("http://127.0.0.1:{port}"))
        .token(AuthToken::new(SECRET))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/x")).unwrap_err();
    let ApiError::Transport(transport) = &err else {
        panic!("expected Transport, got {err:?}");
    };
    assert_eq!(transport.kind, TransportErrorKind::Refused, "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("connection refused: GET http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains(&port.to_string()) && !text.contains(SECRET),
        "{text}"
    );
    assert!(!text.contains('\n'), "{text}");
}

#[test]
fn slow_server_times_out() {
    let fixture = Fixture::new();
    let client = Client::builder(&fixture.base())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/slow")).unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(t) if t.kind == TransportErrorKind::TimedOut),
        "{err:?}"
    );
}

#[test]
fn tls_to_a_plain_http_server_is_a_tls_error() {
    let fixture = Fixture::new();
    let base = fixture.server.uri().replacen("http://", "https://", 1);
    let client = Client::builder(&base)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/x")).unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(t) if t.kind == TransportErrorKind::Tls),
        "{err:?}"
    );
}

#[test]
fn retries_503_after_retry_after() {
    let fixture = Fixture::new();
    let client = Client::builder(&fixture.base())
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let page = client.call(&Probe::get("/busy")).unwrap();
    assert_eq!(page.items, [5]);
    assert_eq!(fixture.requests_to("/v2/busy"), 2);
}

#[test]
fn gives_up_after_max_retries_and_returns_the_last_response() {
    let fixture = Fixture::new();
    let client = Client::builder(&fixture.base())
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/always-busy")).unwrap_err();
    assert!(
        matches!(&err, ApiError::Status { status: 429, .. }),
        "{err:?}"
    );
    assert_eq!(fixture.requests_to("/v2/always-busy"), 3);

    // Without retries, a 503 comes straight back.
    let err = fixture
        .client()
        .call(&Probe::get("/always-busy"))
        .unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(fixture.requests_to("/v2/always-busy"), 4);
}

#[test]
fn pages_follow_next_links_up_to_the_limit() {
    let fixture = Fixture::new();
    let client = fixture.client();

    let items: Vec<u32> = client
        .pages(Probe::get("/pages"), 3)
        .map(|page| page.unwrap().items[0])
        .collect();
    assert_eq!(items, [0, 1, 2]);
    assert_eq!(fixture.requests_to("/v2/pages"), 3);

    let items: Vec<u32> = client
        .pages(Probe::get("/pages-end"), 10)
        .map(|page| page.unwrap().items[0])
        .collect();
    assert_eq!(items, [0, 1, 2]);

    let results: Vec<_> = client.pages(Probe::get("/pages-broken"), 10).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(matches!(
        &results[1],
        Err(ApiError::Status { status: 500, .. })
    ));

    assert_eq!(client.pages(Probe::get("/pages"), 0).count(), 0);
}

#[test]
fn bad_base_urls_are_refused_at_build() {
    for base in [
        "",
        "not a url",
        "ftp://h/x",
        "http://h/x?q=1",
        "/relative",
        "http://h/#f",
    ] {
        let err = Client::builder(base).build().unwrap_err();
        assert_eq!(err.base_url(), base);
        assert!(
            err.to_string().starts_with("cannot build a client"),
            "{err}"
        );
    }
    assert!(
        Client::builder("http://h")
            .timeout(Duration::ZERO)
            .build()
            .is_err()
    );
}

#[test]
fn dot_segment_paths_are_not_sent() {
    let fixture = Fixture::new();
    let probe = Probe {
        method: Method::Delete,
        ..Probe::get(&format!(
            "/backups/{}",
            backup_runtime::encode_path_segment("..")
        ))
    };
    let err = fixture.client().call(&probe).unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(t) if t.kind == TransportErrorKind::Other),
        "{err:?}"
    );
    assert!(err.to_string().contains("DELETE"), "{err}");
    assert_eq!(fixture.requests_to("/v2/backups/%2E%2E"), 0);
}

#[test]
fn sends_one_accept_header_and_the_token_once() {
    let fixture = Fixture::new();
    let mut probe = show_probe();
    probe
        .headers
        .push(("X-Auth-Token", "from-endpoint".to_owned()));
    fixture.client().call(&probe).unwrap();
    let requests = fixture
        .runtime
        .block_on(fixture.server.received_requests())
        .unwrap();
    let headers = &requests[0].headers;
    assert_eq!(headers.get_all("accept").iter().count(), 1);
    let tokens: Vec<_> = headers.get_all("x-auth-token").iter().collect();
    assert_eq!(tokens, [SECRET]);
}

#[test]
fn token_that_is_not_a_header_value_is_not_sent_or_shown() {
    let fixture = Fixture::new();
    let bad = "bad\ntoken-value";
    let client = Client::builder(&fixture.base())
        .token(AuthToken::new(bad))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/missing")).unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(t) if t.kind == TransportErrorKind::Other),
        "{err:?}"
    );
    assert!(!format!("{err}{err:?}").contains("token-value"), "{err:?}");
    assert_eq!(fixture.requests_to("/v2/missing"), 0);
}

#[test]
fn unknown_host_is_a_dns_error() {
    let client = Client::builder("http://no-such-host.invalid")
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let err = client.call(&Probe::get("/x")).unwrap_err();
    assert!(
        matches!(&err, ApiError::Transport(t) if t.kind == TransportErrorKind::Dns),
        "{err:?}"
    );
}

#[test]
fn pages_stop_on_a_page_without_progress() {
    let fixture = Fixture::new();
    let pages: Vec<_> = fixture.client().pages(Probe::get("/stuck"), 10).collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert_eq!(fixture.requests_to("/v2/stuck"), 1);
}

#[test]
fn offset_pages_stop_at_the_count_and_at_the_limit() {
    let fixture = Fixture::new();
    let client = fixture.client();
    let first = OffsetProbe {
        path: "/offset-count",
        offset: None,
    };
    let items: Vec<Vec<u32>> = client
        .pages(first.clone(), 10)
        .map(|page| page.unwrap().items)
        .collect();
    assert_eq!(items, [vec![0, 1], vec![2, 3], vec![4]]);
    assert_eq!(fixture.requests_to("/v2/offset-count"), 3);
    let limited: Vec<_> = client.pages(first, 2).collect();
    assert_eq!(limited.len(), 2);
    assert_eq!(fixture.requests_to("/v2/offset-count"), 5);
}

#[test]
fn offset_pages_stop_at_an_empty_page() {
    let fixture = Fixture::new();
    let first = OffsetProbe {
        path: "/offset-empty",
        offset: None,
    };
    let items: Vec<Vec<u32>> = fixture
        .client()
        .pages(first, 10)
        .map(|page| page.unwrap().items)
        .collect();
    assert_eq!(items, [vec![0, 1], vec![2, 3], vec![]]);
    assert_eq!(fixture.requests_to("/v2/offset-empty"), 3);
}

#[test]
fn sends_the_body_media_type_and_default_headers() {
    let fixture = Fixture::new();
    let client = Client::builder(&fixture.base())
        .token(AuthToken::new(SECRET))
        .default_header("OpenStack-API-Version", "volume 3.64")
        .default_header("X-Trace", "default")
        .build()
        .expect("client");
    let raw = client.call_raw(&patch_probe()).unwrap();
    assert_eq!(raw.status, 204, "{raw:?}");
    let mut versioned = Probe::get("/versioned");
    versioned.headers = vec![("X-Trace", "mine".to_owned())];
    let page = client.call(&versioned).unwrap();
    assert_eq!(page.items, [9]);
    let bad = Client::builder(&fixture.base())
        .default_header("X-Version", "a\nb")
        .build()
        .unwrap_err();
    assert!(bad.reason().contains("control or non-ASCII"), "{bad}");
}

#[test]
fn waits_as_long_as_retry_after_says() {
    let fixture = Fixture::new();
    let client = Client::builder(&fixture.base())
        .retry(RetryPolicy::new(2))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let page = client.call(&Probe::get("/busy-1s")).unwrap();
    assert_eq!(page.items, [6]);
    assert_eq!(fixture.requests_to("/v2/busy-1s"), 2);
    // A lower bound only: the client may not retry before the server said.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn redirects_are_not_followed_and_the_token_stays_home() {
    let fixture = Fixture::new();
    let elsewhere = fixture.runtime.block_on(async {
        let elsewhere = MockServer::start().await;
        mocks::redirects(&fixture.server, &elsewhere.uri()).await;
        elsewhere
    });
    let client = fixture.client();
    for (route, status) in [("/moved", 302), ("/moved-here", 307)] {
        let err = client.call(&Probe::get(route)).unwrap_err();
        assert_eq!(err.status(), Some(status), "{err:?}");
    }
    let received = fixture
        .runtime
        .block_on(elsewhere.received_requests())
        .unwrap_or_default();
    assert!(
        received.is_empty(),
        "another origin was called: {received:?}"
    );
    assert_eq!(fixture.requests_to("/v2/backups/a%2Fb%20%C3%BC"), 0);
}

/// Mounts `script` at `/v2/waited` on a fresh server of the fixture's runtime.
fn scripted(fixture: &Fixture, answers: &[(u16, &'static str)]) -> MockServer {
    let script = crate::support::Script::new(answers);
    fixture.runtime.block_on(async {
        let server = MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::path("/v2/waited"))
            .respond_with(script)
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn waits_through_states_and_a_503_until_the_end() {
    use backup_runtime::wait::{End, WaitError, WaitOptions, Work};
    let fixture = Fixture::new();
    let fast = WaitOptions::default()
        .first_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(20));
    let answers = [
        (200, r#"{"items":[1]}"#),
        (503, "busy"),
        (200, r#"{"items":[1]}"#),
        (200, r#"{"items":[2]}"#),
    ];
    let server = scripted(&fixture, &answers);
    let client = Client::builder(&format!("{}/v2/", server.uri()))
        .build()
        .unwrap();
    let mut seen = Vec::new();
    let waited = client
        .wait(
            Work::Create,
            &Probe::get("/waited"),
            fast,
            crate::support::probe_state,
            &mut |r| {
                seen.push(r.to_string());
            },
        )
        .unwrap();
    assert_eq!(
        (waited.end, seen.as_slice()),
        (
            End::Done,
            &["creating".to_owned(), "available".to_owned()][..]
        )
    );
    assert_eq!(waited.output.unwrap().items, [2]);

    // A failure ends it; a deletion ends at 404; a deadline says the last state.
    let server = scripted(
        &fixture,
        &[(200, r#"{"items":[1]}"#), (200, r#"{"items":[3]}"#)],
    );
    let client = Client::builder(&format!("{}/v2/", server.uri()))
        .build()
        .unwrap();
    let waited = client
        .wait(
            Work::Create,
            &Probe::get("/waited"),
            fast,
            crate::support::probe_state,
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(waited.end, End::Failed);
    let server = scripted(&fixture, &[(200, r#"{"items":[4]}"#), (404, "gone")]);
    let client = Client::builder(&format!("{}/v2/", server.uri()))
        .build()
        .unwrap();
    let waited = client
        .wait(
            Work::Delete,
            &Probe::get("/waited"),
            fast,
            crate::support::probe_state,
            &mut |_| {},
        )
        .unwrap();
    assert!(waited.end == End::Done && waited.output.is_none());
    let server = scripted(&fixture, &[(200, r#"{"items":[1]}"#)]);
    let client = Client::builder(&format!("{}/v2/", server.uri()))
        .build()
        .unwrap();
    let short = fast.timeout(Duration::from_millis(200));
    let err = client
        .wait(
            Work::Create,
            &Probe::get("/waited"),
            short,
            crate::support::probe_state,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Deadline { last: Some(last), .. } if last.to_string() == "creating"),
        "{err:?}"
    );
}
