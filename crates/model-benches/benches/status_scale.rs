//! The scale of one `backupctl status` reading: 100,000 backups in 20 VBS v2 accounts (pages of
//! 100, 250 volumes per account), served by a fast loopback server; CPU time and peak memory of
//! the reading, per output format.
//!
//! ```text
//! cargo bench -p model-benches --bench status_scale
//! ```
//!
//! The bench serves the pages from this process and measures each reading in a child process
//! of its own (this executable again, with `measure`), which runs `backupctl status` in
//! process and reports its own CPU time (`/proc/self/stat`) and peak resident set
//! (`VmHWM` of `/proc/self/status`): the figures of the reading alone, not of the server.
//! Linux only. `status_scale serve` only serves (and prints the accounts file), for profiling
//! one `measure` run by hand.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

const ACCOUNTS: usize = 20;
const BACKUPS_PER_ACCOUNT: usize = 5_000;
const PER_PAGE: usize = 100;
/// Volumes per account; `STATUS_SCALE_VOLUMES` overrides it (5000: every backup its own
/// resource, the worst case for the per-resource summaries).
const VOLUMES_PER_ACCOUNT: usize = 250;
const RUNS: usize = 3;
const TOKEN_ENV: &str = "STATUS_SCALE_TOKEN";

fn volumes() -> usize {
    std::env::var("STATUS_SCALE_VOLUMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(VOLUMES_PER_ACCOUNT)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("measure") {
        return measure(&args[2], &args[3]);
    }
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("a loopback port"));
    let port = server.server_addr().to_ip().expect("an IP address").port();
    let base = format!("http://127.0.0.1:{port}");
    let pages = Arc::new(render_pages(&base));
    for _ in 0..4 {
        let server = Arc::clone(&server);
        let pages = Arc::clone(&pages);
        std::thread::spawn(move || serve(&server, &pages));
    }
    let folder = std::env::temp_dir().join(format!("status-scale-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a scratch folder");
    let config = folder.join("backupctl.toml");
    let accounts: String = (0..ACCOUNTS)
        .map(|n| {
            format!(
                "[[account]]\nname = \"acct-{n}\"\napi = \"vbs-v2\"\nendpoint = \"{base}\"\n\
                 project_id = \"p-{n}\"\ntoken_env = \"{TOKEN_ENV}\"\n\n"
            )
        })
        .collect();
    std::fs::write(&config, accounts).expect("the accounts file");
    if args.get(1).map(String::as_str) == Some("serve") {
        // For a profiler: `status_scale serve`, then `<profiler> status_scale measure FORMAT
        // CONFIG` with the printed CONFIG and STATUS_SCALE_TOKEN set.
        println!("{}", config.display());
        loop {
            std::thread::park();
        }
    }
    println!(
        "status_scale: {} backups in {ACCOUNTS} accounts, pages of {PER_PAGE}, {} resources; \
         {RUNS} runs each, median",
        ACCOUNTS * BACKUPS_PER_ACCOUNT,
        ACCOUNTS * volumes()
    );
    println!("format        cpu_s   peak_rss_mib  wall_s  output_mib");
    let exe = std::env::current_exe().expect("this executable");
    for format in ["openmetrics", "json", "table"] {
        let mut runs: Vec<Value> = (0..RUNS)
            .map(|_| {
                let output = Command::new(&exe)
                    .args(["measure", format])
                    .arg(&config)
                    .env(TOKEN_ENV, "scale-token")
                    .output()
                    .expect("the measuring child runs");
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                serde_json::from_slice(&output.stdout).expect("figures")
            })
            .collect();
        runs.sort_by(|a, b| {
            a["cpu_s"]
                .as_f64()
                .partial_cmp(&b["cpu_s"].as_f64())
                .unwrap()
        });
        let median = &runs[RUNS / 2];
        println!(
            "{format:<12} {:>6.2} {:>14.1} {:>7.2} {:>11.1}",
            median["cpu_s"].as_f64().unwrap(),
            median["peak_rss_kib"].as_f64().unwrap() / 1024.0,
            median["wall_s"].as_f64().unwrap(),
            median["output_bytes"].as_f64().unwrap() / 1024.0 / 1024.0
        );
    }
    let _ = std::fs::remove_dir_all(&folder);
    ExitCode::SUCCESS
}

/// Every account's pages, rendered once: `pages[account][page]`, each linking the next with
/// `marker=m<page>`.
fn render_pages(base: &str) -> Vec<Vec<String>> {
    (0..ACCOUNTS)
        .map(|account| {
            let backups =
                model_benches::vbs_v2_backups(account as u64 + 1, BACKUPS_PER_ACCOUNT, volumes());
            let chunks: Vec<&[Value]> = backups.chunks(PER_PAGE).collect();
            let count = chunks.len();
            chunks
                .into_iter()
                .enumerate()
                .map(|(page, items)| {
                    let mut body = json!({ "backups": items });
                    if page + 1 < count {
                        body["backups_links"] = json!([{
                            "href": format!(
                                "{base}/v2/p-{account}/backups/detail?limit={PER_PAGE}&marker=m{}",
                                page + 1
                            ),
                            "rel": "next"
                        }]);
                    }
                    body.to_string()
                })
                .collect()
        })
        .collect()
}

/// Answers `/v2/p-<account>/backups/detail[?…marker=m<page>]` from `pages`.
fn serve(server: &tiny_http::Server, pages: &[Vec<String>]) {
    for request in server.incoming_requests() {
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let account = path
            .strip_prefix("/v2/p-")
            .and_then(|rest| rest.strip_suffix("/backups/detail"))
            .and_then(|n| n.parse::<usize>().ok());
        let page = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("marker=m"))
            .map_or(Some(0), |n| n.parse::<usize>().ok());
        let body = account
            .zip(page)
            .and_then(|(account, page)| pages.get(account)?.get(page));
        let response = match body {
            Some(body) => tiny_http::Response::from_string(body.as_str()).with_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json")
                    .expect("a header"),
            ),
            None => tiny_http::Response::from_string("not found").with_status_code(404),
        };
        let _ = request.respond(response);
    }
}

/// Counts what is written.
#[derive(Default)]
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// In the child: one `backupctl status -o FORMAT`, then its figures as JSON on stdout.
fn measure(format: &str, config: &str) -> ExitCode {
    let started = Instant::now();
    let mut stdin = std::io::empty();
    let mut stdout = Counter::default();
    let mut stderr = Vec::new();
    let mut io = backupctl::Io::new(&mut stdin, &mut stdout, &mut stderr, None);
    let args = ["backupctl", "status", "-o", format, "--config", config];
    let exit = backupctl::run(args, &mut io);
    let wall = started.elapsed().as_secs_f64();
    if exit != backupctl::Exit::Success {
        eprintln!(
            "status failed: {exit:?}: {}",
            String::from_utf8_lossy(&stderr)
        );
        return ExitCode::FAILURE;
    }
    // utime and stime are the 14th and 15th fields, in clock ticks of 1/100 s (USER_HZ).
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..]
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let peak_kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmHWM");
    println!(
        "{}",
        json!({
            "cpu_s": ticks / 100.0,
            "peak_rss_kib": peak_kib,
            "wall_s": wall,
            "output_bytes": stdout.0,
        })
    );
    ExitCode::SUCCESS
}
