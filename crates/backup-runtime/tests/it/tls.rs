//! Both clients against a loopback HTTPS server whose CA the test makes: trusted with the CA
//! file, refused as a TLS failure without it (the CA is in no system store), and a CA file
//! without a certificate is a build error naming the file; with every TLS backend compiled in.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use backup_runtime::{ApiError, TlsBackend, TransportErrorKind};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

use crate::support::Probe;

/// A CA (its PEM written to a file) and an HTTPS server for `127.0.0.1` signed by it, answering
/// every request with `{"items": [7]}`.
pub(crate) struct TlsServer {
    pub(crate) base_url: String,
    pub(crate) ca_file: PathBuf,
    pub(crate) address: std::net::SocketAddr,
}

impl TlsServer {
    pub(crate) fn start(name: &str) -> Self {
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "backup-runtime test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate().expect("server key");
        let server_cert = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server params")
            .signed_by(&server_key, &issuer)
            .expect("server certificate");

        let ca_file = std::env::temp_dir().join(format!(
            "backup-runtime-{name}-{}-ca.pem",
            std::process::id()
        ));
        std::fs::write(&ca_file, ca_cert.pem()).expect("CA file");

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::try_from(server_key.serialize_der())
                    .expect("server key DER"),
            )
            .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let port = address.port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let config = Arc::clone(&config);
                std::thread::spawn(move || serve(stream, config));
            }
        });
        Self {
            base_url: format!("https://127.0.0.1:{port}"),
            ca_file,
            address,
        }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// One connection: reads the request head, answers 200 with a small JSON page. A client that
/// rejects the certificate ends the handshake; that is not an error here.
fn serve(stream: std::net::TcpStream, config: Arc<rustls::ServerConfig>) {
    let Ok(connection) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut reader = BufReader::new(&mut tls);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let body = br#"{"items": [7]}"#;
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(body);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn assert_tls_failure(result: Result<crate::support::Page, ApiError>) {
    match result {
        Err(ApiError::Transport(err)) => assert_eq!(err.kind, TransportErrorKind::Tls, "{err}"),
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}

/// A PEM file without any certificate.
fn not_a_ca_file(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("backup-runtime-{name}-{}.pem", std::process::id()));
    std::fs::write(&path, "no certificate here\n").expect("write");
    path
}

fn assert_names_file(message: &str, path: &Path) {
    assert!(
        message.contains(&path.display().to_string()) && message.contains("no PEM certificate"),
        "{message}"
    );
}

/// The TLS backends this build has: each test runs with every one of them.
fn backends() -> Vec<TlsBackend> {
    let mut backends = Vec::new();
    if cfg!(feature = "rustls") {
        backends.push(TlsBackend::Rustls);
    }
    if cfg!(feature = "native-tls") {
        backends.push(TlsBackend::NativeTls);
    }
    assert!(!backends.is_empty(), "the clients need a TLS feature");
    backends
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_client_trusts_the_ca_file_and_only_then() {
    use backup_runtime::blocking::Client;
    let server = TlsServer::start("blocking");
    for backend in backends() {
        let trusting = Client::builder(&server.base_url)
            .tls_backend(backend)
            .ca_file(&server.ca_file)
            .build()
            .expect("client");
        let page = trusting
            .call(&Probe::get("/x"))
            .unwrap_or_else(|err| panic!("{backend:?}: trusted through the CA file: {err}"));
        assert_eq!(page.items, [7]);
        let system_only = Client::builder(&server.base_url)
            .tls_backend(backend)
            .build()
            .expect("client");
        assert_tls_failure(system_only.call(&Probe::get("/x")));
        let insecure = Client::builder(&server.base_url)
            .tls_backend(backend)
            .danger_accept_invalid_certs(true)
            .build()
            .expect("client");
        let page = insecure
            .call(&Probe::get("/x"))
            .unwrap_or_else(|err| panic!("{backend:?}: any certificate accepted: {err}"));
        assert_eq!(page.items, [7]);
        let bad = not_a_ca_file("blocking-bad");
        let err = Client::builder(&server.base_url)
            .tls_backend(backend)
            .ca_file(&bad)
            .build()
            .unwrap_err();
        assert_names_file(&err.to_string(), &bad);
        let _ = std::fs::remove_file(bad);
    }
}

#[cfg(feature = "async")]
#[tokio::test]
async fn async_client_trusts_the_ca_file_and_only_then() {
    use backup_runtime::nonblocking::Client;
    let server = TlsServer::start("async");
    for backend in backends() {
        let trusting = Client::builder(&server.base_url)
            .tls_backend(backend)
            .ca_file(&server.ca_file)
            .build()
            .expect("client");
        let page = trusting
            .call(&Probe::get("/x"))
            .await
            .unwrap_or_else(|err| panic!("{backend:?}: trusted through the CA file: {err}"));
        assert_eq!(page.items, [7]);
        let system_only = Client::builder(&server.base_url)
            .tls_backend(backend)
            .build()
            .expect("client");
        assert_tls_failure(system_only.call(&Probe::get("/x")).await);
        let insecure = Client::builder(&server.base_url)
            .tls_backend(backend)
            .danger_accept_invalid_certs(true)
            .build()
            .expect("client");
        let page = insecure
            .call(&Probe::get("/x"))
            .await
            .unwrap_or_else(|err| panic!("{backend:?}: any certificate accepted: {err}"));
        assert_eq!(page.items, [7]);
        let bad = not_a_ca_file("async-bad");
        let err = Client::builder(&server.base_url)
            .tls_backend(backend)
            .ca_file(&bad)
            .build()
            .unwrap_err();
        assert_names_file(&err.to_string(), &bad);
        let _ = std::fs::remove_file(bad);
    }
}

/// A backend whose feature is off is a build error that names the feature.
#[cfg(all(feature = "blocking", not(feature = "native-tls")))]
#[test]
fn a_backend_not_compiled_in_is_refused() {
    let err = backup_runtime::blocking::Client::builder("https://example.com")
        .tls_backend(TlsBackend::NativeTls)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("`native-tls` feature"), "{err}");
}
