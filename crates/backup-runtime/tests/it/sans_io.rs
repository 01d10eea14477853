//! Sans-IO helpers: path and query encoding, response reading, errors, the token, retries.

use std::time::Duration;

use backup_runtime::{
    ApiError, AuthToken, BuildError, Endpoint, Method, RawResponse, RetryPolicy, TransportError,
    TransportErrorKind, encode_path_segment, endpoint_url, query_pairs_of,
};

use crate::support::{Page, Probe, SECRET, show_probe};

#[test]
fn path_segments_cannot_escape() {
    let cases = [
        ("../../x?y#z", "..%2F..%2Fx%3Fy%23z"),
        ("a b/ü%", "a%20b%2F%C3%BC%25"),
        (".", "%2E"),
        ("..", "%2E%2E"),
        (
            "b3cf7a16-decc-4beb-8077-682737d94a58",
            "b3cf7a16-decc-4beb-8077-682737d94a58",
        ),
        ("a;b=c&d+e", "a%3Bb%3Dc%26d%2Be"),
    ];
    for (value, encoded) in cases {
        assert_eq!(encode_path_segment(value), encoded, "{value}");
    }
}

#[test]
fn query_pairs_of_the_documented_next_link() {
    let href = "http://192.168.82.222:8776/b23b579f08c84228b9b4673c46f0c442/backups?limit=1&offset=1&marker=b3cf7a16-decc-4beb-8077-682737d94a58";
    let pairs = query_pairs_of(href);
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("limit", "1"),
            ("offset", "1"),
            ("marker", "b3cf7a16-decc-4beb-8077-682737d94a58")
        ]
    );
    assert_eq!(
        query_pairs_of("/x?name=a+b%26c&e=%C3%BC"),
        [
            ("name".to_owned(), "a b&c".to_owned()),
            ("e".to_owned(), "ü".to_owned())
        ]
    );
}

#[test]
fn endpoint_url_joins_and_encodes() {
    let probe = show_probe();
    let expected = "https://h/v2/backups/a%2Fb%20%C3%BC?name=a%20b%26c%2F%C3%BC&limit=10";
    assert_eq!(endpoint_url("https://h/v2", &probe), expected);
    assert_eq!(endpoint_url("https://h/v2/", &probe), expected);
    assert_eq!(
        endpoint_url("https://h/v2//", &Probe::get("/x")),
        "https://h/v2/x"
    );
}

#[test]
fn method_names() {
    let all = [
        (Method::Get, "GET"),
        (Method::Post, "POST"),
        (Method::Put, "PUT"),
        (Method::Patch, "PATCH"),
        (Method::Delete, "DELETE"),
        (Method::Head, "HEAD"),
    ];
    for (method, name) in all {
        assert_eq!((method.as_str(), method.to_string().as_str()), (name, name));
    }
    assert_eq!(Probe::get("/x").auth_header(), Some("X-Auth-Token"));
}

fn response(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        status,
        headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
        body: body.to_vec(),
    }
}

#[test]
fn parse_response_outcomes() {
    let probe = Probe::get("/x");
    assert_eq!(
        probe
            .parse_response(response(200, br#"{"items":[1]}"#))
            .unwrap(),
        Page {
            items: vec![1],
            next: None
        }
    );

    let err = probe
        .parse_response(response(200, b"{\"items\": [1,\n \"two\"]}"))
        .unwrap_err();
    let ApiError::Parse {
        status,
        path,
        line,
        column,
        body,
        ..
    } = &err
    else {
        panic!("expected Parse, got {err:?}");
    };
    assert_eq!(
        (*status, path.as_str(), *line, *column),
        (200, "items[1]", 2, 6)
    );
    assert_eq!(body, b"{\"items\": [1,\n \"two\"]}");

    let err = probe.parse_response(response(200, b"")).unwrap_err();
    assert!(matches!(err, ApiError::Parse { .. }), "{err:?}");
    let err = probe
        .parse_response(response(200, br#"{"items":[]} trailing"#))
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Parse { path, .. } if path == "."),
        "{err:?}"
    );

    let err = probe.parse_response(response(404, b"gone")).unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        err.to_string(),
        "HTTP status 404 (Not Found); response body: gone"
    );
    let ApiError::Status { headers, .. } = err else {
        panic!("expected Status");
    };
    assert_eq!(headers[0].1, "text/html");
}

#[test]
fn long_bodies_are_cut_in_messages_but_kept_whole() {
    let body = vec![b'x'; 10_000];
    let err = Probe::get("/x")
        .parse_response(response(502, &body))
        .unwrap_err();
    let text = err.to_string();
    assert!(text.len() < 2_200, "{}", text.len());
    assert!(text.ends_with("(7952 more bytes)"), "{text}");
    assert_eq!(err.body().map(<[u8]>::len), Some(10_000));
    assert!(!text.contains('\n'));
}

#[test]
fn build_error_message() {
    let err = BuildError::missing("showBackup", "backup_id");
    assert_eq!(
        err.to_string(),
        "showBackup: required parameter `backup_id` is not set"
    );
    let _: &dyn std::error::Error = &err;
}

#[test]
fn transport_error_message() {
    let err = ApiError::from(TransportError::new(
        TransportErrorKind::Refused,
        "127.0.0.1:9",
    ));
    assert_eq!(err.to_string(), "connection refused: 127.0.0.1:9");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(err.status(), None);
}

#[test]
fn token_is_never_printed() {
    let token = AuthToken::new(SECRET);
    assert_eq!(format!("{token:?}"), "AuthToken(<redacted>)");
    assert_eq!(format!("{token}"), "<redacted>");
    assert_eq!(format!("{token:#?}"), "AuthToken(<redacted>)");
    assert_eq!(token.expose(), SECRET);
}

#[test]
fn retry_decisions() {
    let policy = RetryPolicy::new(2)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(5));
    assert_eq!(policy.max_retries(), 2);
    assert_eq!(policy.delay_for(0, 503, Some("0")), Some(Duration::ZERO));
    assert_eq!(
        policy.delay_for(0, 429, Some("60")),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        policy.delay_for(0, 429, None),
        Some(Duration::from_millis(100))
    );
    assert_eq!(
        policy.delay_for(1, 503, Some("junk")),
        Some(Duration::from_millis(200))
    );
    assert_eq!(policy.delay_for(2, 503, None), None);
    assert_eq!(policy.delay_for(0, 500, None), None);
    assert_eq!(RetryPolicy::none().delay_for(0, 503, None), None);
    let now: jiff::Timestamp = "1994-11-06T08:49:30Z".parse().unwrap();
    assert_eq!(
        RetryPolicy::new(1).delay_for_at(0, 503, Some("Sun, 06 Nov 1994 08:49:37 GMT"), now),
        Some(Duration::from_secs(7))
    );
}
