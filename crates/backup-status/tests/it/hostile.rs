//! Every output of a [`Report`] with hostile server text: a newline in a resource name and
//! id, `\r`, an ANSI escape, bidi controls, commas, quotes, backslashes, `'` and `=`, a
//! 10 kB message. No output may gain a line, a field or a label from them, nor carry a raw
//! control character.

use std::time::Duration;

use backup_status::fetch::AccountError;
use backup_status::safe::{LIMIT, is_unsafe};
use backup_status::{AccountResult, Api, BackupRecord, Report, State, Thresholds};

fn at(text: &str) -> Option<jiff::Timestamp> {
    Some(text.parse().expect("a test timestamp"))
}

fn record(id: &str, resource: &str, name: Option<&str>, raw: &str, state: State) -> BackupRecord {
    BackupRecord {
        account: "acct".into(),
        api: Api::CbrV3,
        id: id.into(),
        resource_id: resource.into(),
        resource_name: name.map(str::to_owned),
        raw_status: raw.into(),
        state,
        created_at: at("2026-12-01T10:00:00Z"),
        finished_at: None,
        size_bytes: Some(1),
        incremental: None,
        has_dependents: None,
    }
}

/// Four resources, each with hostile text, and an account whose error is 10 kB with line
/// breaks and escapes.
fn report() -> Report {
    let records = vec![
        record(
            "b1\nCRITICAL: fake",
            "srv\nOK: injected",
            Some("name\r\x1b[31mred"),
            "error",
            State::Failed,
        ),
        record(
            "b2",
            "srv,\"q\"\\x'=|y",
            Some("a,b \"c\""),
            "available",
            State::Ok,
        ),
        record(
            "b3",
            "srv-rtl\u{202e}\u{2028}\u{85}\u{7f}",
            None,
            &format!("odd\r{}", "x".repeat(10_000)),
            State::Unknown,
        ),
    ];
    let message = format!(
        "HTTP 500: line one\nCRITICAL: fake\x1b[2J {}",
        "m".repeat(10_000)
    );
    let results = vec![
        AccountResult {
            name: "acct".into(),
            api: Api::CbrV3,
            outcome: Ok(records),
            microversion: None,
            warnings: Vec::new(),
            elapsed: std::time::Duration::from_millis(20),
        },
        AccountResult {
            name: "down\nOK: x".into(),
            api: Api::VbsV2,
            outcome: Err(AccountError::Setup(message)),
            microversion: None,
            warnings: Vec::new(),
            elapsed: std::time::Duration::from_millis(20),
        },
    ];
    Report::new(results, "2026-12-01T12:00:00Z".parse().unwrap())
}

/// No raw unsafe character but the line ends, and every line bounded.
fn assert_safe(format: &str, text: &str) {
    let raw: Vec<char> = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c != '\n' && is_unsafe(c))
        .collect();
    assert!(raw.is_empty(), "{format}: raw {raw:?} in\n{text}");
    for line in text.lines() {
        assert!(line.len() < 12 * LIMIT, "{format}: {} bytes", line.len());
    }
}

#[test]
fn table_has_one_line_per_resource() {
    let report = report();
    let table = report.table(false);
    assert_safe("table", &table);
    assert_eq!(table.lines().count(), 1 + 3, "{table}");
    assert!(
        table.contains(r"name\r\u{1b}[31mred (srv\nOK: injected)"),
        "{table}"
    );
    assert!(table.contains("more bytes)"), "{table}");
    let backups = report.table(true);
    assert_safe("table --backups", &backups);
    assert_eq!(backups.lines().count(), 1 + 3, "{backups}");
    let errors = report.account_errors();
    assert_eq!(errors.len(), 1);
    assert_safe("account errors", &errors[0]);
    assert!(errors[0].starts_with(r"account down\nOK: x (vbs-v2): HTTP 500: line one\nCRITICAL"));
    assert!(errors[0].len() <= 2 * LIMIT, "{}", errors[0].len());
}

#[test]
fn csv_has_one_record_per_line() {
    for backups in [false, true] {
        let csv = report().csv(backups);
        assert_safe("csv", &csv);
        assert_eq!(csv.matches("\r\n").count(), 1 + 3, "{csv}");
        assert_eq!(csv.matches('\n').count(), 1 + 3, "{csv}");
        assert!(csv.contains(r#""srv,""q""\x'=|y""#), "{csv}");
        assert!(csv.contains(r"srv\nOK: injected"), "{csv}");
    }
}

#[test]
fn json_keeps_values_and_cuts_long_ones() {
    let report = report();
    let text = report.json_text();
    // The streamed text is the value, pretty, escaped, byte for byte.
    let tree = serde_json::to_string_pretty(&report.json()).unwrap();
    assert_eq!(text, format!("{}\n", backup_status::safe::json(&tree)));
    assert_safe("json", &text);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<&str> = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"srv\nOK: injected"), "{ids:?}");
    assert!(
        ids.contains(&"srv-rtl\u{202e}\u{2028}\u{85}\u{7f}"),
        "{ids:?}"
    );
    let error = json["accounts"][1]["error"].as_str().unwrap();
    assert!(
        error.len() <= LIMIT && error.ends_with("more bytes)"),
        "{error}"
    );
}

#[test]
fn metrics_escape_label_values_per_openmetrics() {
    let report = report();
    for (format, text) in [
        ("openmetrics", report.openmetrics()),
        ("text", report.prometheus_text()),
    ] {
        assert_safe(format, &text);
        for line in text.lines() {
            assert!(
                line.starts_with("# ") || line.starts_with("backupctl_"),
                "{format}: {line}"
            );
        }
        assert!(
            text.contains(r#"resource_id="srv\nOK: injected""#),
            "{text}"
        );
        assert!(text.contains(r#"resource_id="srv,\"q\"\\x'=|y""#), "{text}");
        assert!(
            text.contains(r#"resource_id="srv-rtl\\u{202e}\\u{2028}\\u{85}\\u{7f}""#),
            "{text}"
        );
        assert!(text.contains(r#"account="down\nOK: x""#), "{text}");
    }
}

#[test]
fn check_lines_are_never_split_and_perfdata_labels_never_break() {
    let hours = |h: u64| Duration::from_secs(h * 3600);
    let check = report().check(&|_| Thresholds {
        warning: hours(25),
        critical: hours(49),
    });
    assert_safe("check", &check.text);
    let lines: Vec<&str> = check.text.lines().collect();
    // The summary, CRITICAL srv\n… (failed) and srv-rtl (no good backup), UNKNOWN down.
    assert_eq!(lines.len(), 4, "{}", check.text);
    assert!(lines[1].starts_with(
        r"CRITICAL: acct cbr-v3 srv\nOK: injected: newest backup b1\nCRITICAL: fake failed"
    ));
    assert!(lines[2].starts_with(r"CRITICAL: acct cbr-v3 srv-rtl\u{202e}"));
    assert!(lines[3].starts_with(r"UNKNOWN: account down\nOK: x (vbs-v2): HTTP 500"));
    for line in &lines[1..] {
        assert!(!line.contains('|'), "{line}");
        assert!(line.len() <= 3 * LIMIT, "{}", line.len());
    }
    let (_, perfdata) = lines[0].split_once(" | ").expect("perfdata");
    assert!(
        perfdata.contains(r#"'acct/srv,"q"\x___y'=7200s;90000;176400;0;"#),
        "{perfdata}"
    );
    assert!(
        perfdata.contains(r"'acct/srv\nOK: injected'=U;"),
        "{perfdata}"
    );
    assert_eq!(perfdata.matches("'=").count(), 3, "{perfdata}");
}
