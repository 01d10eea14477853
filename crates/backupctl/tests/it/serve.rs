//! `backupctl serve` against a loopback scene whose accounts fail and recover: the first
//! reading, both exposition formats (read by prometheus_client and by Prometheus' own parser,
//! `promtool check metrics`), the last known series of a failing account, the endpoints, and a
//! clean stop on SIGTERM.
//!
//! `serve_soak` runs the same scene for longer (ignored by default):
//! `BACKUPCTL_SOAK_SECS=600 cargo test -p backupctl --test it serve_soak -- --ignored`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::status::{
    Scratch, Style, TOKEN, TOKEN_ENV, account, ago, mount_vbs_v2, parse_metrics, python,
    sample_value, samples_of, vbs_backup, vbs_backups,
};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// What Prometheus 3 sends.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// `promtool` of `.ci/install-tools` (`.tools/bin`), else on `PATH`; its absence fails the
/// test.
fn promtool() -> PathBuf {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/bin/promtool");
    if installed.exists() {
        return installed;
    }
    let on_path = PathBuf::from("promtool");
    assert!(
        Command::new(&on_path)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "promtool is not installed: run .ci/install-tools"
    );
    on_path
}

/// Prometheus' own text parser (and linter) on `text`: `promtool check metrics`.
fn promtool_check(promtool: &Path, text: &str) {
    let output = crate::feed(
        Command::new(promtool).args(["check", "metrics"]),
        text.as_bytes(),
    );
    assert!(
        output.status.success(),
        "promtool rejected the scrape: {}{}\n{text}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An answer of the exporter.
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

/// One HTTP/1.1 request to the exporter at `addr`.
fn request(addr: &str, method: &str, path: &str, accept: Option<&str>) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("the exporter listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let accept = accept.map_or_else(String::new, |a| format!("Accept: {a}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{accept}Content-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("an answer");
    let raw = String::from_utf8(raw).expect("UTF-8");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    Answer {
        status,
        content_type,
        body: body.to_owned(),
    }
}

/// A list of backups that fails (HTTP 500) while `fail` is set; the first answer comes late.
struct Switch {
    fail: Arc<AtomicBool>,
    calls: AtomicUsize,
    first_delay: Duration,
    body: Value,
}

impl Respond for Switch {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let template = if self.fail.load(Ordering::SeqCst) {
            ResponseTemplate::new(500).set_body_string("backend down\n\x1b[31mCRITICAL: fake")
        } else {
            ResponseTemplate::new(200).set_body_json(&self.body)
        };
        if call == 0 {
            template.set_delay(self.first_delay)
        } else {
            template
        }
    }
}

/// The exporter process, its address and everything it wrote on stderr.
struct Exporter {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Exporter {
    /// Starts `backupctl serve` in `dir` on a free loopback port.
    fn start(dir: &Path, interval: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_backupctl"))
            .args(["serve", "--listen", "127.0.0.1:0", "--interval", interval])
            .current_dir(dir)
            .env(TOKEN_ENV, TOKEN)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (first, address) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().unwrap();
        let lines = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let line = line.expect("UTF-8 on stderr");
                if let Some(rest) = line.strip_prefix("backupctl: serving http://") {
                    let _ = first.send(rest.split('/').next().unwrap().to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = address
            .recv_timeout(Duration::from_secs(20))
            .expect("serve says where it listens");
        Self {
            child,
            addr,
            stderr,
        }
    }

    fn get(&self, path: &str, accept: Option<&str>) -> Answer {
        request(&self.addr, "GET", path, accept)
    }

    /// Scrapes (text format) until `done` holds for the parsed samples, for at most `limit`.
    fn scrape_until(
        &self,
        python: &Path,
        limit: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let answer = self.get("/metrics", None);
            if answer.status == 200 {
                let samples = parse_metrics(python, "text", &answer.body);
                if done(&samples) {
                    return samples;
                }
            }
            assert!(
                Instant::now() < deadline,
                "not reached in {limit:?}: {answer:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sends SIGTERM and waits for the exit (at most 5 s); returns the status and stderr.
    fn terminate(&mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(killed.is_ok_and(|s| s.success()), "kill -TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("serve did not stop within 5 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(100));
        let stderr = self.stderr.lock().unwrap().join("\n");
        (status.code(), stderr)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        // A test that failed half-way leaves no exporter behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The scene: `vbs` (always readable, two pages) and `flaky` (one page, fails while the
/// returned flag is set; its first answer takes `first_delay`).
async fn scene(now: Timestamp, first_delay: Duration) -> (MockServer, Arc<AtomicBool>, String) {
    let server = MockServer::start().await;
    mount_vbs_v2(&server, "p-vbs", &vbs_backups(now), 8).await;
    let fail = Arc::new(AtomicBool::new(false));
    let backups = vec![
        vbs_backup("f1", "vol-f", "available", &ago(now, 2, Style::Zulu)),
        vbs_backup("f2", "vol-f", "error", &ago(now, 26, Style::Zulu)),
    ];
    Mock::given(method("GET"))
        .and(path("/v2/p-flaky/backups/detail"))
        .and(header("x-auth-token", TOKEN))
        .respond_with(Switch {
            fail: Arc::clone(&fail),
            calls: AtomicUsize::new(0),
            first_delay,
            body: json!({ "backups": backups }),
        })
        .mount(&server)
        .await;
    let uri = server.uri();
    let config = [
        account("vbs", "vbs-v2", &uri, "p-vbs", ""),
        account("flaky", "vbs-v2", &uri, "p-flaky", ""),
    ]
    .concat();
    (server, fail, config)
}

/// No raw control character but the line ends, and no token.
fn assert_clean(what: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r'),
        "{what} has a raw control character:\n{text}"
    );
    assert!(!text.contains(TOKEN), "{what} shows the token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reads_in_the_background_and_keeps_failing_accounts() {
    let python = python();
    let promtool = promtool();
    let now = Timestamp::now();
    let (_server, fail, config) = scene(now, Duration::from_millis(1500)).await;
    let scratch = Scratch::new("serve");
    scratch.write("backupctl.toml", &config);
    let dir = scratch.0.clone();
    tokio::task::spawn_blocking(move || {
        let mut exporter = Exporter::start(&dir, "1s");

        // 1. Before the first reading is done: 503, at once.
        let started = Instant::now();
        assert_eq!(exporter.get("/healthz", None).status, 503);
        assert_eq!(exporter.get("/metrics", None).status, 503);
        assert!(started.elapsed() < Duration::from_secs(1));

        // 2. The first reading: both formats, each read by a real parser.
        let deadline = Instant::now() + Duration::from_secs(20);
        while exporter.get("/healthz", None).status != 200 {
            assert!(Instant::now() < deadline, "no first reading");
            std::thread::sleep(Duration::from_millis(100));
        }
        let om = exporter.get("/metrics", Some(PROMETHEUS_ACCEPT));
        assert_eq!((om.status, om.content_type.as_str()), (200, OPENMETRICS));
        assert!(om.body.ends_with("# EOF\n"), "{}", om.body);
        assert_clean("OpenMetrics", &om.body);
        let samples = parse_metrics(&python, "openmetrics", &om.body);
        assert_eq!(
            sample_value(&samples, "backupctl_account_up", "flaky"),
            Some(1.0)
        );
        let text = exporter.get("/metrics", None);
        assert_eq!((text.status, text.content_type.as_str()), (200, TEXT));
        assert_clean("text", &text.body);
        promtool_check(&promtool, &text.body);
        let first = parse_metrics(&python, "text", &text.body);
        let flaky_before = samples_of(&first, "flaky");
        assert!(
            flaky_before
                .iter()
                .any(|s| s.contains("backupctl_backup_size_bytes")),
            "{flaky_before:?}"
        );
        let last_read = "backupctl_account_last_read_timestamp_seconds";
        let read_at = sample_value(&first, last_read, "flaky").expect("read");

        // 3. flaky fails: up 0, its series kept with the same labels and values.
        fail.store(true, Ordering::SeqCst);
        let down = exporter.scrape_until(&python, Duration::from_secs(15), |samples| {
            sample_value(samples, "backupctl_account_up", "flaky") == Some(0.0)
        });
        assert_eq!(samples_of(&down, "flaky"), flaky_before);
        assert_eq!(sample_value(&down, last_read, "flaky"), Some(read_at));
        assert!(sample_value(&down, last_read, "vbs").unwrap() > read_at);
        let om = exporter.get("/metrics", Some("application/openmetrics-text"));
        assert_clean("OpenMetrics while down", &om.body);
        parse_metrics(&python, "openmetrics", &om.body);
        let text = exporter.get("/metrics", Some("text/plain"));
        assert_clean("text while down", &text.body);
        promtool_check(&promtool, &text.body);

        // 4. flaky recovers: up 1, read again.
        fail.store(false, Ordering::SeqCst);
        let up = exporter.scrape_until(&python, Duration::from_secs(15), |samples| {
            sample_value(samples, "backupctl_account_up", "flaky") == Some(1.0)
        });
        assert!(sample_value(&up, last_read, "flaky").unwrap() > read_at);

        // 5. Other paths and methods.
        assert_eq!(exporter.get("/nope", None).status, 404);
        assert_eq!(
            request(&exporter.addr, "POST", "/metrics", None).status,
            405
        );

        // 6. SIGTERM: exit 0 within seconds, and the log says what happened, safely.
        let (code, stderr) = exporter.terminate();
        assert_eq!(code, Some(0), "{stderr}");
        assert_clean("stderr", &stderr);
        assert!(
            stderr.contains("account flaky (vbs-v2): HTTP 500"),
            "{stderr}"
        );
        assert!(stderr.contains("\\u{1b}[31mCRITICAL"), "escaped: {stderr}");
        assert!(stderr.ends_with("backupctl: stopping"), "{stderr}");
    })
    .await
    .expect("the test body does not panic");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_a_bad_start() {
    let scratch = Scratch::new("serve-bad");
    scratch.write("backupctl.toml", "[[account]]\nname = 1\n");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_backupctl"))
            .args(args)
            .current_dir(&scratch.0)
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("backupctl.toml:2"), "{stderr}");
    let refused = account("a", "vbs-v2", "http://127.0.0.1:9", "p", "");
    scratch.write("backupctl.toml", &refused);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = run(&["serve", "--listen", &addr]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: run with BACKUPCTL_SOAK_SECS=600 and --ignored"]
async fn serve_soak() {
    let seconds: u64 = std::env::var("BACKUPCTL_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let python = python();
    let promtool = promtool();
    let now = Timestamp::now();
    let (_server, fail, config) = scene(now, Duration::ZERO).await;
    let scratch = Scratch::new("serve-soak");
    scratch.write("backupctl.toml", &config);
    let dir = scratch.0.clone();
    tokio::task::spawn_blocking(move || {
        let mut exporter = Exporter::start(&dir, "2s");
        let start = Instant::now();
        let (mut scrapes, mut down_seen, mut up_seen) = (0, 0, 0);
        let mut flips = 0;
        while start.elapsed() < Duration::from_secs(seconds) {
            // The account fails for 10 s of every 25.
            let failing = start.elapsed().as_secs() % 25 >= 15;
            if fail.swap(failing, Ordering::SeqCst) != failing {
                flips += 1;
            }
            let om = exporter.get("/metrics", Some(PROMETHEUS_ACCEPT));
            if om.status == 503 {
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
            assert_eq!(om.status, 200);
            assert_clean("OpenMetrics", &om.body);
            let samples = parse_metrics(&python, "openmetrics", &om.body);
            match sample_value(&samples, "backupctl_account_up", "flaky") {
                Some(0.0) => {
                    down_seen += 1;
                    assert!(
                        !samples_of(&samples, "flaky").is_empty(),
                        "kept series while down"
                    );
                }
                Some(_) => up_seen += 1,
                None => panic!("no up series"),
            }
            let text = exporter.get("/metrics", None);
            assert_clean("text", &text.body);
            promtool_check(&promtool, &text.body);
            parse_metrics(&python, "text", &text.body);
            scrapes += 2;
            std::thread::sleep(Duration::from_millis(500));
        }
        let (code, stderr) = exporter.terminate();
        assert_eq!(code, Some(0), "{stderr}");
        assert_clean("stderr", &stderr);
        eprintln!(
            "soak: {seconds} s, {scrapes} scrapes parsed, flaky up in {up_seen} and down in \
             {down_seen}, {flips} switches"
        );
        assert!(up_seen > 0 && (seconds < 30 || down_seen > 0));
    })
    .await
    .expect("the soak does not panic");
}
