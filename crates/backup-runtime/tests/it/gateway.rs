//! The fake Huawei API gateway (`tests/fakes/aksk_gateway.py`), run with the machine's
//! `python3`: it checks every request's AK/SK signature with its own implementation, answers
//! from a routes file and logs what it received.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// A running gateway; killed when dropped.
pub(crate) struct Gateway {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: Scratch,
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Gateway {
    /// Serves `GET` and `POST` of each path with 200 and its body; the key pair
    /// `AKEXAMPLE`/`SKEXAMPLE` is the only one it knows.
    pub(crate) fn start(routes: &[(String, Value)]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "aksk-gateway-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let routes: Vec<Value> = routes
            .iter()
            .flat_map(|(path, body)| {
                ["GET", "POST"].map(
                    |method| json!({"method": method, "path": path, "status": 200, "body": body}),
                )
            })
            .collect();
        let routes_file = dir.join("routes.json");
        std::fs::write(&routes_file, serde_json::to_vec(&routes).expect("routes"))
            .expect("write routes");
        let log = dir.join("log.jsonl");
        // Also included by backupctl's tests (`#[path]`): found from any crate of `crates/`.
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../backup-runtime/tests/fakes/aksk_gateway.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .args(["--keys", "AKEXAMPLE=SKEXAMPLE", "--routes"])
            .arg(&routes_file)
            .arg("--log")
            .arg(&log)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the fake gateway (python3 is part of every machine here)");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the gateway's first line");
        let port = first
            .trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the gateway did not say where it listens: {first:?}"));
        Self {
            child,
            port,
            log,
            _dir: Scratch(dir),
        }
    }

    /// The gateway's base URL.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request it received, in order, as logged.
    pub(crate) fn log(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON log line"))
            .collect()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
