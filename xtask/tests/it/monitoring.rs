//! `deploy/monitoring`: the alert rules pass `promtool check rules` and their unit tests pass
//! `promtool test rules`; the dashboard is JSON; every metric the rules and the dashboard name
//! is one backupctl exports (so renaming a metric breaks this test, not an operator's alerts).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use xtask::project_root;

fn monitoring() -> PathBuf {
    project_root().join("deploy/monitoring")
}

/// The metric families backupctl exports, as operators' rules and dashboards name them: a
/// rename must change this list, `report.rs` and `deploy/monitoring` together.
const EXPORTED: [&str; 10] = [
    "backupctl_account_last_read_timestamp_seconds",
    "backupctl_account_up",
    "backupctl_backup_duration_seconds",
    "backupctl_backup_size_bytes",
    "backupctl_backups",
    "backupctl_last_refresh_timestamp_seconds",
    "backupctl_oldest_backup_timestamp_seconds",
    "backupctl_resource_last_success_timestamp_seconds",
    "backupctl_resource_state",
    "backupctl_scrape_duration_seconds",
];

/// `.tools/bin/promtool` (`.ci/install-tools` puts it there), else `promtool` on the PATH; its
/// absence fails the test.
fn promtool() -> PathBuf {
    let installed = xtask::tools::tool("promtool");
    if installed.exists() {
        return installed;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("promtool"))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "promtool is neither at {} nor on the PATH: run .ci/install-tools",
                installed.display()
            )
        })
}

fn run_promtool(args: &[&str]) -> String {
    let output = Command::new(promtool())
        .args(args)
        .current_dir(monitoring())
        .output()
        .expect("promtool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "promtool {args:?}:\n{text}");
    text
}

#[test]
fn rules_are_valid_and_their_tests_pass() {
    let checked = run_promtool(&["check", "rules", "backupctl.rules.yml"]);
    assert!(checked.contains("SUCCESS: 9 rules found"), "{checked}");
    let tested = run_promtool(&["test", "rules", "backupctl.rules.test.yml"]);
    assert!(tested.contains("SUCCESS"), "{tested}");
}

/// The `backupctl_*` names in `text`.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("backupctl_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

/// The metric families `backupctl status -o openmetrics` writes (from its `# TYPE` lines).
fn exported() -> BTreeSet<String> {
    let source = std::fs::read_to_string(project_root().join("crates/backup-status/src/report.rs"))
        .expect("report.rs");
    metric_names(&source)
        .into_iter()
        .filter(|name| name.len() > "backupctl_".len())
        .collect()
}

#[test]
fn the_dashboard_is_json_and_every_metric_named_is_exported() {
    let dashboard =
        std::fs::read_to_string(monitoring().join("grafana-dashboard.json")).expect("dashboard");
    let parsed: serde_json::Value =
        serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    assert!(parsed["panels"].as_array().is_some_and(|p| !p.is_empty()));
    let exported = exported();
    let listed: BTreeSet<String> = EXPORTED.iter().map(|name| (*name).to_owned()).collect();
    assert_eq!(
        exported, listed,
        "report.rs exports other metrics than the list operators' rules rely on"
    );
    for file in [
        "backupctl.rules.yml",
        "backupctl.rules.test.yml",
        "grafana-dashboard.json",
        "README.md",
    ] {
        let text = std::fs::read_to_string(monitoring().join(file)).expect(file);
        let named = metric_names(&text);
        assert!(!named.is_empty(), "{file} names no metric");
        let unknown: Vec<_> = named.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{file} names metrics backupctl does not export: {unknown:?}"
        );
    }
}
