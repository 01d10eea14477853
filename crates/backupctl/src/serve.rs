//! `backupctl serve`: the health view as a Prometheus exporter.
//!
//! A background thread reads every account at start and then every `--interval` (the next
//! reading starts one interval after the previous one started, or at once when it took
//! longer); `GET /metrics` answers at once from the last complete reading, also while the
//! next one runs. An account that cannot be read keeps the series of its last good reading
//! ([`Report::carry_over`]) next to `backupctl_account_up 0`, so alerts on staleness do not
//! flap. The accounts file is read again before each reading: an edit applies at the next one,
//! and a broken edit keeps the previous accounts (with a line on stderr).
//!
//! The HTTP side is `tiny_http` (blocking, no async runtime): a few worker threads answer
//! from shared, already rendered texts, so a slow client holds one worker, never the reading.
//! SIGTERM or SIGINT stop the process within a second with exit status 0. Every line on stderr
//! comes from the main thread (the only one that holds stderr), through a channel.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use backup_status::{Config, FetchOptions, Report, fetch_all};
use clap::Args;

use crate::status::{SourceArgs, parse_duration};
use crate::{Exit, Failure, Io};

/// Shown after `backupctl serve --help`.
const SERVE_HELP: &str = "\
Endpoints:
  GET /metrics  the last complete reading: OpenMetrics 1.0 when the Accept header prefers
                application/openmetrics-text (as Prometheus asks), else Prometheus' text format
                0.0.4; 503 until the first reading is done
  GET /healthz  200 once the first reading is done, else 503

Accounts: read from --config (default backupctl.toml in the working folder) at start and again
before each reading; see the README. Alert rules, a Grafana dashboard and their tests are in
deploy/monitoring/.

Exit status:
  0  stopped by SIGTERM or SIGINT
  1  bad invocation, an unreadable or invalid accounts file at start, the address cannot be
     listened on, or the reading thread failed (an internal error)";

/// How many threads answer HTTP requests.
const WORKERS: usize = 4;

/// How often idle threads look at the stop flag.
const TICK: Duration = Duration::from_millis(200);

/// `backupctl serve`.
#[derive(Debug, Args)]
#[command(after_help = SERVE_HELP)]
pub struct ServeArgs {
    /// Where the accounts are and how to read them.
    #[command(flatten)]
    pub source: SourceArgs,
    /// The address to listen on, e.g. 0.0.0.0:9808 (there is no authentication or TLS: keep it
    /// on a trusted network).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9808")]
    pub listen: String,
    /// How often to read every account, e.g. 5m or 30s.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub interval: Duration,
}

/// The last complete reading, rendered in both formats.
#[derive(Debug)]
struct Exposition {
    openmetrics: Arc<str>,
    text: Arc<str>,
}

/// What the threads share.
#[derive(Debug, Default)]
struct Shared {
    /// `None` until the first reading is done.
    latest: Mutex<Option<Exposition>>,
    stop: Arc<AtomicBool>,
}

/// Runs `backupctl serve` until SIGTERM or SIGINT.
///
/// # Errors
///
/// The accounts file cannot be read at start, the address cannot be listened on, or the
/// signal handlers cannot be set.
pub fn run(args: &ServeArgs, io: &mut Io<'_>) -> Result<Exit, Failure> {
    let config =
        Config::load(&args.source.config).map_err(|err| Failure::invalid(err.to_string()))?;
    if args.interval.is_zero() {
        return Err(Failure::invalid("--interval must be more than zero"));
    }
    let server = tiny_http::Server::http(&args.listen)
        .map_err(|err| Failure::invalid(format!("cannot listen on {}: {err}", args.listen)))?;
    let server = Arc::new(server);
    let shared = Arc::new(Shared::default());
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&shared.stop))
            .map_err(|err| Failure::invalid(format!("cannot handle signal {signal}: {err}")))?;
    }
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| args.listen.clone(), |addr| addr.to_string());
    io.warn(&format!(
        "serving http://{address}/metrics, reading {} accounts every {}",
        config.accounts.len(),
        humantime::format_duration(args.interval)
    ));

    let (lines, logged) = mpsc::channel::<String>();
    let options = FetchOptions {
        max_pages: args.source.max_pages.max(1),
        timeout: args.source.timeout,
        ..FetchOptions::default()
    };
    {
        let shared = Arc::clone(&shared);
        let path = args.source.config.clone();
        let interval = args.interval;
        std::thread::spawn(move || refresh(&path, config, options, interval, &shared, &lines));
    }
    for _ in 0..WORKERS {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || answer(&server, &shared));
    }
    while !shared.stop.load(Ordering::Relaxed) {
        match logged.recv_timeout(TICK) {
            Ok(line) => io.warn(&line),
            Err(RecvTimeoutError::Timeout) => {}
            // The reading thread ends only when asked to; otherwise it panicked: stop, so that
            // a supervisor restarts the exporter rather than it serving an old reading.
            Err(RecvTimeoutError::Disconnected) if !shared.stop.load(Ordering::Relaxed) => {
                server.unblock();
                return Err(Failure::invalid("the reading thread stopped unexpectedly"));
            }
            Err(RecvTimeoutError::Disconnected) => {}
        }
    }
    server.unblock();
    io.warn("stopping");
    Ok(Exit::Success)
}

/// The reading loop: read, publish, log, wait for the next one (or the stop).
fn refresh(
    path: &Path,
    mut config: Config,
    options: FetchOptions,
    interval: Duration,
    shared: &Shared,
    log: &Sender<String>,
) {
    let mut previous: Option<Report> = None;
    let mut warned = false;
    while !shared.stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let results = fetch_all(&config.accounts, options, &|_, _, _| {});
        let mut report = Report::new(results, jiff::Timestamp::now());
        if let Some(previous) = &previous {
            report.carry_over(previous);
        }
        let exposition = Exposition {
            openmetrics: report.openmetrics().into(),
            text: report.prometheus_text().into(),
        };
        *shared.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(exposition);
        if !warned {
            for warning in &report.warnings {
                let _ = log.send(warning.clone());
            }
            warned = true;
        }
        let unreadable = report.account_errors();
        let _ = log.send(format!(
            "read {} accounts ({} backups) in {:.1}s{}",
            report.accounts.len(),
            report.backups.len(),
            started.elapsed().as_secs_f64(),
            if unreadable.is_empty() {
                String::new()
            } else {
                format!("; {} unreadable", unreadable.len())
            }
        ));
        for line in unreadable {
            let _ = log.send(line);
        }
        previous = Some(report);
        let next = started + interval;
        while !shared.stop.load(Ordering::Relaxed) && Instant::now() < next {
            std::thread::sleep(TICK.min(next.saturating_duration_since(Instant::now())));
        }
        match Config::load(path) {
            Ok(reloaded) => config = reloaded,
            Err(err) => {
                let _ = log.send(format!("{err}; keeping the previous accounts"));
            }
        }
    }
}

/// A worker: answers requests until the stop.
fn answer(server: &tiny_http::Server, shared: &Shared) {
    while !shared.stop.load(Ordering::Relaxed) {
        let request = match server.recv_timeout(TICK) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(_) => return,
        };
        let response = respond(&request, shared);
        // A client that went away is its own problem.
        let _ = request.respond(response);
    }
}

/// The answer to one request.
fn respond(
    request: &tiny_http::Request,
    shared: &Shared,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    use tiny_http::Method;
    let plain = |status: u16, text: &str| reply(status, "text/plain; charset=utf-8", text);
    if !matches!(request.method(), Method::Get | Method::Head) {
        return plain(405, "only GET and HEAD\n").with_header(header("Allow", "GET, HEAD"));
    }
    let path = request.url().split('?').next().unwrap_or_default();
    // Hold the lock only to clone the two pointers.
    let latest = shared
        .latest
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(|latest| (Arc::clone(&latest.openmetrics), Arc::clone(&latest.text)));
    match path {
        "/metrics" => {
            let Some((openmetrics, text)) = latest else {
                return plain(503, "the first reading is not done yet\n");
            };
            let accept = request
                .headers()
                .iter()
                .filter(|h| h.field.equiv("Accept"))
                .map(|h| h.value.as_str())
                .collect::<Vec<_>>()
                .join(",");
            if prefers_openmetrics(&accept) {
                reply(200, OPENMETRICS, &openmetrics)
            } else {
                reply(200, TEXT, &text)
            }
        }
        "/healthz" => match latest {
            Some(_) => plain(200, "ok\n"),
            None => plain(503, "the first reading is not done yet\n"),
        },
        "/" => plain(200, "backupctl exporter: /metrics, /healthz\n"),
        _ => plain(404, "not found: try /metrics\n"),
    }
}

/// The content type of OpenMetrics 1.0.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The content type of Prometheus' classic text format.
const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

fn reply(
    status: u16,
    content_type: &str,
    body: &str,
) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_data(body.as_bytes().to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    // Both are ASCII constants of this file.
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("a valid header: {name}"))
}

/// Whether an `Accept` header ranks `application/openmetrics-text` above the text format:
/// the highest `q` of each (a range without `q` is 1; `*/*` and `text/*` count for text),
/// OpenMetrics winning a tie only when it is listed; no header means text.
fn prefers_openmetrics(accept: &str) -> bool {
    let mut openmetrics: Option<f32> = None;
    let mut text: Option<f32> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|param| param.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .map_or(Some(1.0), |(_, value)| value.trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        let slot = match media.as_str() {
            "application/openmetrics-text" => &mut openmetrics,
            "text/plain" | "text/*" | "*/*" => &mut text,
            _ => continue,
        };
        *slot = Some(slot.map_or(q, |own| own.max(q)));
    }
    match openmetrics {
        Some(q) if q > 0.0 => q >= text.unwrap_or(0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::prefers_openmetrics;

    #[test]
    fn accept_negotiation() {
        // What Prometheus 2.x and 3.x send.
        assert!(prefers_openmetrics(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        ));
        assert!(prefers_openmetrics(
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
        ));
        // Prometheus with scrape_protocols: [PrometheusText0.0.4] first.
        assert!(!prefers_openmetrics(
            "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5"
        ));
        assert!(!prefers_openmetrics(""));
        assert!(!prefers_openmetrics("*/*"));
        assert!(!prefers_openmetrics("text/plain"));
        assert!(!prefers_openmetrics("application/openmetrics-text;q=0"));
        assert!(prefers_openmetrics("Application/OpenMetrics-Text"));
        assert!(!prefers_openmetrics(
            "application/openmetrics-text;q=bogus, text/plain"
        ));
    }
}
