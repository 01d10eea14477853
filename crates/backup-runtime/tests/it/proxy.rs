//! Both clients reach an HTTPS server through the proxy the environment names
//! (`HTTPS_PROXY`), with a CONNECT tunnel: the proxy sees the host and port, never the token.
//!
//! The environment belongs to the process, so each test runs itself again as a child process
//! with the proxy variables set (this test binary, `--exact` the test's name); the child does
//! the call and the parent checks what the proxy saw.

use std::process::Command;

use crate::support::{Probe, SECRET};
use crate::tls::TlsServer;

#[path = "../fakes/connect_proxy.rs"]
mod fake;

/// Set in the child: the server's base URL and CA file, tab-separated.
const CHILD: &str = "BACKUP_RUNTIME_PROXY_CHILD";

/// The child's side: the server to call, when this process is the child.
fn child_server() -> Option<(String, String)> {
    let value = std::env::var(CHILD).ok()?;
    let (base, ca) = value.split_once('\t')?;
    Some((base.to_owned(), ca.to_owned()))
}

/// The parent's side: serves over TLS, starts the proxy, runs `test` as a child through it,
/// and checks that the one tunnel went to the server and carried no token in the clear.
fn through_proxy(name: &str, test: &str) {
    let server = TlsServer::start(name);
    let (proxy, seen) = fake::connect_proxy(server.address);
    let mut child = Command::new(std::env::current_exe().expect("the test binary"));
    for variable in [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        child.env_remove(variable);
    }
    let output = child
        .args(["--exact", test, "--test-threads", "1"])
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env(
            CHILD,
            format!("{}\t{}", server.base_url, server.ca_file.display()),
        )
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen = seen.lock().expect("log").clone();
    let port = server.address.port();
    assert_eq!(seen, [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")]);
    assert!(!seen.concat().contains(SECRET));
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_tunnels_https_through_the_environment_s_proxy() {
    use backup_runtime::AuthToken;
    use backup_runtime::blocking::Client;
    let Some((base, ca)) = child_server() else {
        return through_proxy(
            "proxy-blocking",
            "proxy::blocking_client_tunnels_https_through_the_environment_s_proxy",
        );
    };
    let client = Client::builder(&base)
        .ca_file(ca)
        .token(AuthToken::new(SECRET))
        .build()
        .expect("client");
    let page = client.call(&Probe::get("/x")).expect("through the proxy");
    assert_eq!(page.items, [7]);
}

#[cfg(feature = "async")]
#[tokio::test]
async fn async_client_tunnels_https_through_the_environment_s_proxy() {
    use backup_runtime::AuthToken;
    use backup_runtime::nonblocking::Client;
    let Some((base, ca)) = child_server() else {
        return through_proxy(
            "proxy-async",
            "proxy::async_client_tunnels_https_through_the_environment_s_proxy",
        );
    };
    let client = Client::builder(&base)
        .ca_file(ca)
        .token(AuthToken::new(SECRET))
        .build()
        .expect("client");
    let page = client
        .call(&Probe::get("/x"))
        .await
        .expect("through the proxy");
    assert_eq!(page.items, [7]);
}
