//! A tiny hand-written endpoint, shaped like the generated ones, and mock-server helpers.

// The mock-server helpers serve only the client tests, which need a client feature.
#![cfg_attr(not(any(feature = "blocking", feature = "async")), allow(dead_code))]

use backup_runtime::{
    ApiError, BodyError, Endpoint, Method, Paginated, RawResponse, error_status, next_offset,
    parse_json_body, query_pairs_of,
};
use serde::Deserialize;

/// The token the tests send; it must never show up in any message.
pub(crate) const SECRET: &str = "s3cr3t-token-value";

/// One page of a listing: items and an optional `next` link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Page {
    pub(crate) items: Vec<u32>,
    #[serde(default)]
    pub(crate) next: Option<String>,
}

/// Any request shape; reads `Page` from 200 and documents 404.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Option<(&'static str, Vec<u8>)>,
}

impl Probe {
    pub(crate) fn get(path: &str) -> Self {
        Self {
            method: Method::Get,
            path: path.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }
}

impl Endpoint for Probe {
    type Output = Page;

    fn operation_id(&self) -> &'static str {
        "probe"
    }

    fn method(&self) -> Method {
        self.method
    }

    fn path(&self) -> String {
        self.path.clone()
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        self.query.clone()
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        self.headers.clone()
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
        Ok(self.body.clone())
    }

    fn parse_response(&self, response: RawResponse) -> Result<Page, ApiError> {
        match response.status {
            200 => parse_json_body(&response),
            404 => Err(error_status(response, Some("Not Found"))),
            _ => Err(error_status(response, None)),
        }
    }
}

impl Paginated for Probe {
    /// Applies the `next` link's `marker` and `limit` to the same operation.
    fn next_page(&self, output: &Page) -> Option<Self> {
        let href = output.next.as_deref()?;
        let mut next = self.clone();
        next.query = query_pairs_of(href)
            .into_iter()
            .filter_map(|(key, value)| match key.as_str() {
                "marker" => Some(("marker", value)),
                "limit" => Some(("limit", value)),
                _ => None,
            })
            .collect();
        Some(next)
    }
}

/// One page of an offset-paged listing: items and, when the server says, the total count.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct OffsetPage {
    pub(crate) items: Vec<u32>,
    #[serde(default)]
    pub(crate) count: Option<i64>,
}

/// `GET {path}?offset=…&limit=2`, paged as generated offset endpoints page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OffsetProbe {
    pub(crate) path: &'static str,
    pub(crate) offset: Option<i64>,
}

impl Endpoint for OffsetProbe {
    type Output = OffsetPage;

    fn operation_id(&self) -> &'static str {
        "offsetProbe"
    }

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> String {
        self.path.to_owned()
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("limit", "2".to_owned())];
        if let Some(offset) = self.offset {
            pairs.push(("offset", offset.to_string()));
        }
        pairs
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn body(&self) -> Result<Option<(&'static str, Vec<u8>)>, BodyError> {
        Ok(None)
    }

    fn parse_response(&self, response: RawResponse) -> Result<OffsetPage, ApiError> {
        match response.status {
            200 => parse_json_body(&response),
            _ => Err(error_status(response, None)),
        }
    }
}

impl Paginated for OffsetProbe {
    fn next_page(&self, output: &OffsetPage) -> Option<Self> {
        let offset = next_offset(self.offset, output.items.len(), output.count)?;
        Some(Self {
            offset: Some(offset),
            ..self.clone()
        })
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub(crate) fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    port
}

/// Shared mock setups, used by both clients' tests.
pub(crate) mod mocks {
    use std::time::Duration;

    use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::SECRET;

    /// `GET /v2/backups/a%2Fb%20%C3%BC?name=…&limit=10` with the token and JSON accept header.
    pub(crate) async fn show(server: &MockServer) {
        Mock::given(method("GET"))
            .and(path("/v2/backups/a%2Fb%20%C3%BC"))
            .and(query_param("name", "a b&c/ü"))
            .and(query_param("limit", "10"))
            .and(header("X-Auth-Token", SECRET))
            .and(header("Accept", "application/json"))
            .and(header("X-Trace", "t1"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"items":[1,2]}"#))
            .mount(server)
            .await;
    }

    /// `POST /v2/backups` echoing a JSON body with `Content-Type`.
    pub(crate) async fn create(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path("/v2/backups"))
            .and(header("Content-Type", "application/json"))
            .and(wiremock::matchers::body_string(r#"{"name":"x"}"#))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"items":[7]}"#))
            .mount(server)
            .await;
    }

    /// `PATCH /v2/backups/b1` with a JSON Patch body and a version header: 204, no body;
    /// `GET /v2/versioned` with the version header: 202 with `Location`.
    pub(crate) async fn patch_and_versioned(server: &MockServer) {
        Mock::given(method("PATCH"))
            .and(path("/v2/backups/b1"))
            .and(header("Content-Type", "application/json-patch+json"))
            .and(header("OpenStack-API-Version", "volume 3.64"))
            .and(wiremock::matchers::body_string(
                r#"[{"op":"replace","path":"/state","value":"stop_requested"}]"#,
            ))
            .respond_with(ResponseTemplate::new(204))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/versioned"))
            .and(header("OpenStack-API-Version", "volume 3.64"))
            .and(header("X-Trace", "mine"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"items":[9]}"#))
            .mount(server)
            .await;
    }

    /// `GET /v2/html`: 500 with an HTML body.
    pub(crate) async fn html_500(server: &MockServer) {
        Mock::given(path("/v2/html"))
            .respond_with(ResponseTemplate::new(500).set_body_raw(
                "<html><body>Internal Server Error</body></html>",
                "text/html",
            ))
            .mount(server)
            .await;
    }

    /// `GET /v2/missing`: documented 404.
    pub(crate) async fn not_found(server: &MockServer) {
        Mock::given(path("/v2/missing"))
            .respond_with(ResponseTemplate::new(404).set_body_string("no such backup"))
            .mount(server)
            .await;
    }

    /// `GET /v2/truncated`: 200 with a cut-off JSON body.
    pub(crate) async fn truncated(server: &MockServer) {
        Mock::given(path("/v2/truncated"))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"items\": [1,\n 2"))
            .mount(server)
            .await;
    }

    /// `GET /v2/slow`: answers after two seconds.
    pub(crate) async fn slow(server: &MockServer) {
        Mock::given(path("/v2/slow"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"items":[]}"#)
                    .set_delay(Duration::from_secs(2)),
            )
            .mount(server)
            .await;
    }

    /// `GET /v2/busy`: one 503 with `Retry-After: 0`, then 200.
    pub(crate) async fn busy_then_ok(server: &MockServer) {
        Mock::given(path("/v2/busy"))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(path("/v2/busy"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"items":[5]}"#))
            .with_priority(2)
            .mount(server)
            .await;
    }

    /// `GET /v2/busy-1s`: one 503 with `Retry-After: 1`, then 200.
    pub(crate) async fn busy_one_second(server: &MockServer) {
        Mock::given(path("/v2/busy-1s"))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(path("/v2/busy-1s"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"items":[6]}"#))
            .with_priority(2)
            .mount(server)
            .await;
    }

    /// `GET /v2/moved` and `/v2/moved-here`: redirects (302, 307) to `elsewhere` (another
    /// origin) and to this server's `/v2/backups/a%2Fb%20%C3%BC`.
    pub(crate) async fn redirects(server: &MockServer, elsewhere: &str) {
        Mock::given(path("/v2/moved"))
            .respond_with(
                ResponseTemplate::new(302).insert_header("Location", format!("{elsewhere}/v2/x")),
            )
            .mount(server)
            .await;
        Mock::given(path("/v2/moved-here"))
            .respond_with(
                ResponseTemplate::new(307).insert_header("Location", "/v2/backups/a%2Fb%20%C3%BC"),
            )
            .mount(server)
            .await;
    }

    /// `GET /v2/always-busy`: 429 every time, `Retry-After: 0`.
    pub(crate) async fn always_busy(server: &MockServer) {
        Mock::given(path("/v2/always-busy"))
            .respond_with(
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "0")
                    .set_body_string("slow down"),
            )
            .mount(server)
            .await;
    }

    /// `GET /v2/pages`: pages m0 -> m1 -> m2 -> m3 …, each linking to the next with an absolute
    /// href (as the documented API does); `/pages-end` has three pages, the last without link.
    pub(crate) async fn pages(server: &MockServer) {
        let base = server.uri();
        for (prefix, last) in [("/pages", 99), ("/pages-end", 2)] {
            for page in 0..4u32 {
                let next = (page < last)
                    .then(|| format!("{base}/v2{prefix}?limit=1&marker=m{}", page + 1));
                let body = serde_json::json!({"items": [page], "next": next});
                let mock = Mock::given(method("GET")).and(path(format!("/v2{prefix}")));
                let mock = if page == 0 {
                    mock.and(query_param_is_missing("marker"))
                } else {
                    mock.and(query_param("marker", format!("m{page}")))
                        .and(query_param("limit", "1"))
                };
                mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
                    .mount(server)
                    .await;
            }
        }
        // A listing whose second page fails.
        Mock::given(path("/v2/pages-broken"))
            .and(query_param_is_missing("marker"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"items": [0], "next": format!("{base}/v2/pages-broken?marker=m1")}),
            ))
            .mount(server)
            .await;
        Mock::given(path("/v2/pages-broken"))
            .and(query_param("marker", "m1"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
            .mount(server)
            .await;
        // A listing whose next link repeats the request just sent: no progress.
        Mock::given(path("/v2/stuck"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"items": [0], "next": format!("{base}/v2/stuck?other=1")}),
            ))
            .mount(server)
            .await;
        // Offset pages of two: `/offset-count` reports 5 items in all (pages 0, 2, 4);
        // `/offset-empty` reports no count and answers offset 4 with an empty page.
        for (offset, items, count) in [
            (None, vec![0, 1], Some(5)),
            (Some(2), vec![2, 3], Some(5)),
            (Some(4), vec![4], Some(5)),
        ] {
            let mock = Mock::given(path("/v2/offset-count")).and(query_param("limit", "2"));
            let mock = match offset {
                None => mock.and(query_param_is_missing("offset")),
                Some(offset) => mock.and(query_param("offset", offset.to_string())),
            };
            mock.respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"items": items, "count": count})),
            )
            .mount(server)
            .await;
        }
        for (offset, items) in [(None, vec![0, 1]), (Some(2), vec![2, 3]), (Some(4), vec![])] {
            let mock = Mock::given(path("/v2/offset-empty"));
            let mock = match offset {
                None => mock.and(query_param_is_missing("offset")),
                Some(offset) => mock.and(query_param("offset", offset.to_string())),
            };
            mock.respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"items": items})),
            )
            .mount(server)
            .await;
        }
    }
}

/// The [`Probe`] for `mocks::show`.
pub(crate) fn show_probe() -> Probe {
    Probe {
        method: Method::Get,
        path: format!("/backups/{}", backup_runtime::encode_path_segment("a/b ü")),
        query: vec![("name", "a b&c/ü".to_owned()), ("limit", "10".to_owned())],
        headers: vec![("X-Trace", "t1".to_owned())],
        body: None,
    }
}

/// The [`Probe`] for the `PATCH` of `mocks::patch_and_versioned`.
pub(crate) fn patch_probe() -> Probe {
    Probe {
        method: Method::Patch,
        path: "/backups/b1".to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Some((
            "application/json-patch+json",
            br#"[{"op":"replace","path":"/state","value":"stop_requested"}]"#.to_vec(),
        )),
    }
}

/// The [`Probe`] for `mocks::create`.
pub(crate) fn create_probe() -> Probe {
    Probe {
        method: Method::Post,
        path: "/backups".to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Some(("application/json", br#"{"name":"x"}"#.to_vec())),
    }
}

/// A resource whose readings follow a script: each request gets the next answer (the last
/// one repeats). Answers are a status and a body.
pub(crate) struct Script(
    pub(crate) std::sync::Mutex<std::collections::VecDeque<(u16, &'static str)>>,
);

impl Script {
    pub(crate) fn new(answers: &[(u16, &'static str)]) -> Self {
        Self(std::sync::Mutex::new(answers.iter().copied().collect()))
    }
}

impl wiremock::Respond for Script {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let mut answers = self.0.lock().expect("script");
        let (status, body) = if answers.len() > 1 {
            answers.pop_front().expect("an answer")
        } else {
            *answers.front().expect("an answer")
        };
        let template = wiremock::ResponseTemplate::new(status).set_body_string(body);
        if status == 503 {
            template.insert_header("Retry-After", "0")
        } else {
            template
        }
    }
}

/// The state a waiting test reads from a [`Page`]: its first item, 1 creating, 2 available,
/// 3 error, 4 deleting.
pub(crate) fn probe_state(page: &Page) -> backup_runtime::wait::Reading {
    let state = match page.items.first() {
        Some(1) => "creating",
        Some(2) => "available",
        Some(3) => "error",
        Some(4) => "deleting",
        _ => "unknown",
    };
    backup_runtime::wait::Reading::state(state)
}
