//! What `backupctl status` and `backupctl check` print: a [`Report`] of every account, resource
//! and backup, rendered as a table, JSON, CSV, OpenMetrics, Prometheus text, or a
//! monitoring-plugin check.

use std::fmt::Write as _;

use serde_json::Value;

use crate::fetch::{AccountResult, format_account_error};
use crate::record::{Api, BackupRecord, State};
use crate::safe;
use crate::summary::{ResourceSummary, Thresholds, Verdict, format_age, summarize};

/// When each account was last read successfully (`backupctl_account_last_read_timestamp_seconds`).
pub const LAST_READ: &str = "backupctl_account_last_read_timestamp_seconds";

/// An account's outcome, as reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    /// Its name.
    pub name: String,
    /// Its API.
    pub api: Api,
    /// Why it could not be read ([`format_account_error`]); `None` when it was.
    pub error: Option<String>,
    /// The microversion its requests carried (`3.64`), if any.
    pub microversion: Option<String>,
    /// When it was last read successfully: the report's time when it was read now; for an
    /// account that could not be read, the time kept by [`Report::carry_over`], if any.
    pub last_read: Option<jiff::Timestamp>,
    /// How long reading it took this time (login and every page).
    pub elapsed: std::time::Duration,
}

/// Everything read, at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// When ages are measured from.
    pub now: jiff::Timestamp,
    /// Every account, in configuration order.
    pub accounts: Vec<AccountStatus>,
    /// Every resource, by account, API and resource id.
    pub resources: Vec<ResourceSummary>,
    /// Every backup, by account, API, resource, then newest first.
    pub backups: Vec<BackupRecord>,
    /// Lines for stderr on every run, each once (e.g. a cloud with `verify: false`); they
    /// start with `warning: `.
    pub warnings: Vec<String>,
}

/// A check's verdict and its text (first line, then one line per problem).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The worst verdict.
    pub verdict: Verdict,
    /// The plugin output, ending with a newline.
    pub text: String,
}

impl Report {
    /// The report of `results` at `now`.
    pub fn new(results: Vec<AccountResult>, now: jiff::Timestamp) -> Self {
        let mut accounts = Vec::new();
        let mut backups = Vec::new();
        let mut warnings: Vec<String> = Vec::new();
        for result in results {
            for warning in result.warnings {
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
            let error = match result.outcome {
                Ok(records) => {
                    backups.extend(records);
                    None
                }
                Err(error) => Some(format_account_error(&error)),
            };
            accounts.push(AccountStatus {
                name: result.name,
                api: result.api,
                last_read: error.is_none().then_some(now),
                error,
                microversion: result.microversion,
                elapsed: result.elapsed,
            });
        }
        sort_backups(&mut backups);
        let resources = summarize(&backups);
        Self {
            now,
            accounts,
            resources,
            backups,
            warnings,
        }
    }

    /// Keeps what `previous` (an earlier reading) knew of every account this report could not
    /// read: its backups (so its resources and their series stay, same labels, same values)
    /// and the time it was last read. Its error stays: it is still unreadable now. An account
    /// is the same when its name and API are.
    pub fn carry_over(&mut self, previous: &Self) {
        let mut carried = false;
        for account in self.accounts.iter_mut().filter(|a| a.error.is_some()) {
            let Some(old) = previous
                .accounts
                .iter()
                .find(|old| old.name == account.name && old.api == account.api)
            else {
                continue;
            };
            if old.last_read.is_none() {
                continue;
            }
            account.last_read = old.last_read;
            self.backups.extend(
                previous
                    .backups
                    .iter()
                    .filter(|b| b.account == old.name && b.api == old.api)
                    .cloned(),
            );
            carried = true;
        }
        if carried {
            sort_backups(&mut self.backups);
            self.resources = summarize(&self.backups);
        }
    }

    /// Whether every account was read.
    pub fn all_read(&self) -> bool {
        self.accounts.iter().all(|account| account.error.is_none())
    }

    /// An aligned table: one row per resource, or per backup with `backups`. Accounts that
    /// could not be read are not rows; see [`Report::account_errors`].
    pub fn table(&self, backups: bool) -> String {
        let (header, rows) = if backups {
            (
                vec![
                    "ACCOUNT",
                    "API",
                    "RESOURCE",
                    "BACKUP",
                    "STATE",
                    "CREATED",
                    "FINISHED",
                    "RAW STATUS",
                ],
                self.backups
                    .iter()
                    .map(|b| {
                        vec![
                            safe::text(&b.account),
                            b.api.to_string(),
                            safe::text(&b.resource_id),
                            safe::text(&b.id),
                            b.state.to_string(),
                            self.when(b.created_at),
                            self.when(b.finished_at),
                            safe::text(&b.raw_status),
                        ]
                    })
                    .collect::<Vec<_>>(),
            )
        } else {
            (
                vec![
                    "ACCOUNT",
                    "API",
                    "RESOURCE",
                    "STATE",
                    "LAST SUCCESS",
                    "NEWEST BACKUP",
                    "RAW STATUS",
                ],
                self.resources
                    .iter()
                    .map(|r| {
                        let resource = match &r.resource_name {
                            Some(name) if *name != r.resource_id => {
                                format!("{} ({})", safe::text(name), safe::text(&r.resource_id))
                            }
                            _ => safe::text(&r.resource_id),
                        };
                        vec![
                            safe::text(&r.account),
                            r.api.to_string(),
                            resource,
                            r.newest.state.to_string(),
                            r.last_success_at
                                .map_or_else(|| "never".to_owned(), |t| self.when(Some(t))),
                            safe::text(&r.newest.id),
                            safe::text(&r.newest.raw_status),
                        ]
                    })
                    .collect(),
            )
        };
        let header: Vec<String> = header.into_iter().map(str::to_owned).collect();
        aligned(std::iter::once(&header).chain(&rows))
    }

    /// One line per account that could not be read: `account NAME (API): ERROR`, escaped
    /// ([`safe::text`]).
    pub fn account_errors(&self) -> Vec<String> {
        self.accounts
            .iter()
            .filter_map(|a| {
                let error = a.error.as_ref()?;
                Some(format!(
                    "account {} ({}): {}",
                    safe::text(&a.name),
                    a.api,
                    safe::text(error)
                ))
            })
            .collect()
    }

    /// `2026-12-01T17:00:00Z (3h ago)`, or `-`.
    fn when(&self, at: Option<jiff::Timestamp>) -> String {
        match at {
            Some(at) => {
                let age = self.now.as_second().saturating_sub(at.as_second());
                let at = at.round(jiff::Unit::Second).unwrap_or(at);
                match u64::try_from(age) {
                    Ok(age) => format!(
                        "{at} ({} ago)",
                        format_age(std::time::Duration::from_secs(age))
                    ),
                    Err(_) => format!("{at} (in the future)"),
                }
            }
            None => "-".to_owned(),
        }
    }

    /// The JSON object: `accounts`, `resources` and `backups` (field names are a contract;
    /// fields may be added, never renamed). Server text is cut ([`safe::cut`]); serialize it
    /// through [`safe::json`], or take [`Report::json_text`], which writes the same object
    /// without building it in memory first.
    pub fn json(&self) -> Value {
        serde_json::to_value(self.json_view()).unwrap_or(Value::Null)
    }

    /// [`Report::json`] as pretty JSON text, escaped as [`safe::json`] escapes it, ending with
    /// a newline ([`Report::write_json`] into a string).
    pub fn json_text(&self) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = self.write_json(&mut out);
        String::from_utf8(out)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }

    /// Writes [`Report::json`] to `out` as pretty JSON, escaped as [`safe::json`] escapes it,
    /// and a newline: straight from the report, item by item (a tree of 100,000 backups would
    /// take ten times the memory of its text). Give it a buffered writer.
    ///
    /// # Errors
    ///
    /// Writing to `out` fails.
    pub fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use serde::Serialize as _;
        let formatter = SafeFormatter(serde_json::ser::PrettyFormatter::new());
        let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
        self.json_view()
            .serialize(&mut serializer)
            .map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    }

    /// What [`Report::json`] and [`Report::json_text`] write, borrowed from the report.
    fn json_view(&self) -> JsonReport<'_> {
        JsonReport {
            accounts: self
                .accounts
                .iter()
                .map(|a| JsonAccount {
                    name: cut(&a.name),
                    api: a.api.key(),
                    ok: a.error.is_none(),
                    error: a.error.as_deref().map(cut),
                    microversion: a.microversion.as_deref().map(cut),
                })
                .collect(),
            resources: Seq(self, |report: &Self, out| {
                for r in &report.resources {
                    out(&JsonResource {
                        account: cut(&r.account),
                        api: r.api.key(),
                        resource_id: cut(&r.resource_id),
                        resource_name: r.resource_name.as_deref().map(cut),
                        state: r.newest.state.as_str(),
                        last_success_at: r.last_success_at.map(Rfc3339),
                        last_success_age_seconds: r
                            .last_success_age(report.now)
                            .map(|age| age.as_secs()),
                        newest_backup_id: cut(&r.newest.id),
                        raw_status: cut(&r.newest.raw_status),
                    })?;
                }
                Ok(())
            }),
            backups: Seq(self, |report: &Self, out| {
                for b in &report.backups {
                    out(&JsonBackup {
                        account: cut(&b.account),
                        api: b.api.key(),
                        id: cut(&b.id),
                        resource_id: cut(&b.resource_id),
                        state: b.state.as_str(),
                        raw_status: cut(&b.raw_status),
                        created_at: b.created_at.map(Rfc3339),
                        finished_at: b.finished_at.map(Rfc3339),
                        size_bytes: b.size_bytes,
                    })?;
                }
                Ok(())
            }),
        }
    }

    /// CSV (RFC 4180) with a header row: resources, or backups with `backups`; every field
    /// through [`safe::csv_field`] (no line break inside a field, not even quoted).
    pub fn csv(&self, backups: bool) -> String {
        let time = |t: Option<jiff::Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        let mut rows: Vec<Vec<String>> = Vec::new();
        if backups {
            rows.push(
                [
                    "account",
                    "api",
                    "id",
                    "resource_id",
                    "state",
                    "raw_status",
                    "created_at",
                    "finished_at",
                    "size_bytes",
                ]
                .map(str::to_owned)
                .to_vec(),
            );
            rows.extend(self.backups.iter().map(|b| {
                vec![
                    b.account.clone(),
                    b.api.to_string(),
                    b.id.clone(),
                    b.resource_id.clone(),
                    b.state.to_string(),
                    b.raw_status.clone(),
                    time(b.created_at),
                    time(b.finished_at),
                    b.size_bytes.map(|s| s.to_string()).unwrap_or_default(),
                ]
            }));
        } else {
            rows.push(
                [
                    "account",
                    "api",
                    "resource_id",
                    "resource_name",
                    "state",
                    "last_success_at",
                    "last_success_age_seconds",
                    "newest_backup_id",
                    "raw_status",
                ]
                .map(str::to_owned)
                .to_vec(),
            );
            rows.extend(self.resources.iter().map(|r| {
                vec![
                    r.account.clone(),
                    r.api.to_string(),
                    r.resource_id.clone(),
                    r.resource_name.clone().unwrap_or_default(),
                    r.newest.state.to_string(),
                    time(r.last_success_at),
                    r.last_success_age(self.now)
                        .map(|age| age.as_secs().to_string())
                        .unwrap_or_default(),
                    r.newest.id.clone(),
                    r.newest.raw_status.clone(),
                ]
            }));
        }
        let mut out = String::new();
        for row in rows {
            let cells: Vec<String> = row.iter().map(|cell| safe::csv_field(cell)).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// OpenMetrics 1.0 text, ending with `# EOF`.
    pub fn openmetrics(&self) -> String {
        self.metrics_text(true)
    }

    /// Prometheus' classic text format (for node_exporter's textfile collector): the same
    /// metrics, the state as a gauge with a `state` label.
    pub fn prometheus_text(&self) -> String {
        self.metrics_text(false)
    }

    /// [`Report::openmetrics`] written to `out` as it is made (the text of 100,000 resources
    /// is tens of megabytes). Give it a buffered writer.
    ///
    /// # Errors
    ///
    /// Writing to `out` fails.
    pub fn write_openmetrics(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.write_metrics(out, true)
    }

    fn metrics_text(&self, openmetrics: bool) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail, and every piece is UTF-8.
        let _ = self.write_metrics(&mut out, openmetrics);
        String::from_utf8(out)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }

    fn write_metrics(
        &self,
        out: &mut dyn std::io::Write,
        openmetrics: bool,
    ) -> std::io::Result<()> {
        let mut sink = Sink { out, error: None };
        self.metrics(&mut sink, openmetrics);
        sink.error.map_or(Ok(()), Err)
    }

    fn metrics(&self, out: &mut Sink<'_>, openmetrics: bool) {
        // `# HELP`, `# TYPE` and, in OpenMetrics, `# UNIT` (the name ends with it).
        let family =
            |out: &mut Sink<'_>, name: &str, kind: &str, unit: Option<&str>, help: &str| {
                let _ = writeln!(out, "# HELP {name} {help}");
                let _ = writeln!(out, "# TYPE {name} {kind}");
                if let (true, Some(unit)) = (openmetrics, unit) {
                    let _ = writeln!(out, "# UNIT {name} {unit}");
                }
            };
        let account_labels =
            |a: &AccountStatus| format!("{{account=\"{}\",api=\"{}\"}}", escape(&a.name), a.api);

        let last = "backupctl_resource_last_success_timestamp_seconds";
        family(
            out,
            last,
            "gauge",
            Some("seconds"),
            "When the resource's newest good backup finished (or was created, where the API gives no finish time).",
        );
        for r in &self.resources {
            if let Some(at) = r.last_success_at {
                let _ = writeln!(out, "{last}{} {}", resource_labels(r, None), seconds(at));
            }
        }
        let state = "backupctl_resource_state";
        family(
            out,
            state,
            if openmetrics { "stateset" } else { "gauge" },
            None,
            "The state of the resource's newest backup.",
        );
        let label = if openmetrics { state } else { "state" };
        for r in &self.resources {
            for candidate in State::ALL {
                let value = u8::from(candidate == r.newest.state);
                let _ = writeln!(
                    out,
                    "{state}{} {value}",
                    resource_labels(r, Some((label, candidate.as_str())))
                );
            }
        }
        let backups = "backupctl_backups";
        family(out, backups, "gauge", None, "Backups by normalized state.");
        // One pass over the backups; accounts with backups (read now, or kept).
        let mut counts: std::collections::BTreeMap<(&str, Api), [usize; State::ALL.len()]> =
            std::collections::BTreeMap::new();
        for b in &self.backups {
            counts.entry((&b.account, b.api)).or_default()[b.state as usize] += 1;
        }
        for account in self
            .accounts
            .iter()
            .filter(|a| a.error.is_none() || counts.contains_key(&(a.name.as_str(), a.api)))
        {
            let counts = counts
                .get(&(account.name.as_str(), account.api))
                .copied()
                .unwrap_or_default();
            for candidate in State::ALL {
                let _ = writeln!(
                    out,
                    "{backups}{{account=\"{}\",api=\"{}\",state=\"{}\"}} {}",
                    escape(&account.name),
                    account.api,
                    candidate,
                    counts[candidate as usize]
                );
            }
        }
        let up = "backupctl_account_up";
        family(out, up, "gauge", None, "Whether the account could be read.");
        for account in &self.accounts {
            let _ = writeln!(
                out,
                "{up}{} {}",
                account_labels(account),
                u8::from(account.error.is_none())
            );
        }
        let last_read = LAST_READ;
        family(
            out,
            last_read,
            "gauge",
            Some("seconds"),
            "When the account was last read successfully (kept while it cannot be read).",
        );
        for account in &self.accounts {
            if let Some(at) = account.last_read {
                let _ = writeln!(
                    out,
                    "{last_read}{} {}",
                    account_labels(account),
                    seconds(at)
                );
            }
        }
        let size = "backupctl_backup_size_bytes";
        family(
            out,
            size,
            "gauge",
            Some("bytes"),
            "The size of the resource's newest good backup, where the API gives one.",
        );
        for r in &self.resources {
            if let Some(bytes) = r.newest_good.as_ref().and_then(|b| b.size_bytes) {
                let _ = writeln!(out, "{size}{} {bytes}", resource_labels(r, None));
            }
        }
        let duration = "backupctl_backup_duration_seconds";
        family(
            out,
            duration,
            "gauge",
            Some("seconds"),
            "How long the resource's newest good backup took, where the API gives its start and end.",
        );
        for r in &self.resources {
            let Some(good) = &r.newest_good else { continue };
            if let (Some(start), Some(end)) = (good.created_at, good.finished_at)
                && end >= start
            {
                let took = (end.as_millisecond() - start.as_millisecond()) as f64 / 1000.0;
                let _ = writeln!(out, "{duration}{} {took}", resource_labels(r, None));
            }
        }
        let oldest = "backupctl_oldest_backup_timestamp_seconds";
        family(
            out,
            oldest,
            "gauge",
            Some("seconds"),
            "When the resource's oldest kept backup (not being deleted) was created.",
        );
        for r in &self.resources {
            if let Some(at) = r.oldest_at {
                let _ = writeln!(out, "{oldest}{} {}", resource_labels(r, None), seconds(at));
            }
        }
        let scrape = "backupctl_scrape_duration_seconds";
        family(
            out,
            scrape,
            "gauge",
            Some("seconds"),
            "How long reading the account took at the last refresh (login and every page).",
        );
        for account in &self.accounts {
            let _ = writeln!(
                out,
                "{scrape}{} {}",
                account_labels(account),
                account.elapsed.as_secs_f64()
            );
        }
        let refresh = "backupctl_last_refresh_timestamp_seconds";
        family(
            out,
            refresh,
            "gauge",
            Some("seconds"),
            "When the last complete reading of every account ended.",
        );
        let _ = writeln!(out, "{refresh} {}", seconds(self.now));
        if openmetrics {
            let _ = out.write_str("# EOF\n");
        }
    }

    /// The monitoring-plugin check with each account's thresholds.
    pub fn check(&self, thresholds: &dyn Fn(&str) -> Thresholds) -> CheckOutcome {
        let mut worst = Verdict::Ok;
        let mut details = Vec::new();
        let mut perfdata = Vec::new();
        let mut counts = [0usize; 4];
        for r in &self.resources {
            let limits = thresholds(&r.account);
            let (verdict, why) = r.verdict(self.now, limits);
            worst = worst.max(verdict);
            counts[verdict as usize] += 1;
            if verdict != Verdict::Ok {
                details.push(safe::check_line(&format!(
                    "{verdict}: {} {} {}: {why}",
                    safe::cut(&r.account, safe::LIMIT),
                    r.api,
                    safe::cut(&r.resource_id, safe::LIMIT)
                )));
            }
            let value = r
                .last_success_age(self.now)
                .map_or_else(|| "U".to_owned(), |age| format!("{}s", age.as_secs()));
            perfdata.push(format!(
                "'{}'={value};{};{};0;",
                safe::perfdata_label(&format!("{}/{}", r.account, r.resource_id)),
                limits.warning.as_secs(),
                limits.critical.as_secs()
            ));
        }
        let mut unreadable = 0;
        for account in &self.accounts {
            if let Some(error) = &account.error {
                worst = worst.max(Verdict::Unknown);
                unreadable += 1;
                details.push(safe::check_line(&format!(
                    "UNKNOWN: account {} ({}): {}",
                    safe::cut(&account.name, safe::LIMIT),
                    account.api,
                    safe::cut(error, safe::LIMIT)
                )));
            }
        }
        let mut summary = format!(
            "{} resources: {} critical, {} warning, {} ok",
            self.resources.len(),
            counts[Verdict::Critical as usize],
            counts[Verdict::Warning as usize],
            counts[Verdict::Ok as usize]
        );
        if unreadable > 0 {
            let _ = write!(
                summary,
                "; {unreadable} of {} accounts unreadable",
                self.accounts.len()
            );
        }
        let mut text = format!("BACKUP {worst} - {summary}");
        if !perfdata.is_empty() {
            let _ = write!(text, " | {}", perfdata.join(" "));
        }
        text.push('\n');
        for line in details {
            text.push_str(&line);
            text.push('\n');
        }
        CheckOutcome {
            verdict: worst,
            text,
        }
    }
}

/// serde_json's pretty formatter, writing the characters [`safe::json`] escapes (DEL, C1, the
/// separators, the bidi controls) as `\uXXXX` inside strings (C0 serde_json escapes itself).
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if c > '\u{1f}' && safe::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every such character is in the Basic Multilingual Plane: one escape.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// Rows as aligned columns, two spaces apart, each line trimmed at its end (cells must be
/// escaped already, e.g. with [`safe::text`]; widths count characters).
pub fn aligned<'a>(rows: impl IntoIterator<Item = &'a Vec<String>> + Clone) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows.clone() {
        widths.resize(widths.len().max(row.len()), 0);
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(width - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `fmt::Write` onto an `io::Write`, keeping the first error (then writing nothing more).
struct Sink<'a> {
    out: &'a mut dyn std::io::Write,
    error: Option<std::io::Error>,
}

impl std::fmt::Write for Sink<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        self.out.write_all(text.as_bytes()).map_err(|err| {
            self.error = Some(err);
            std::fmt::Error
        })
    }
}

/// Server text in JSON: cut to [`safe::LIMIT`].
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    safe::cut(text, safe::LIMIT)
}

/// A timestamp written as `2026-12-01T17:00:00Z` without an intermediate string.
#[derive(Clone, Copy)]
struct Rfc3339(jiff::Timestamp);

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// Writes one item of a [`Seq`].
type Emit<'a, T> = dyn FnMut(&T) -> Result<(), SeqError> + 'a;

/// A JSON array written item by item by a function of the report (no vector of items).
struct Seq<'r, T: ?Sized>(
    &'r Report,
    fn(&'r Report, &mut Emit<'_, T>) -> Result<(), SeqError>,
);

/// An item that could not be written (the serializer's error, as text).
struct SeqError(String);

impl<T: serde::Serialize + ?Sized> serde::Serialize for Seq<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeSeq as _};
        let mut seq = serializer.serialize_seq(None)?;
        (self.1)(self.0, &mut |item| {
            seq.serialize_element(item)
                .map_err(|err| SeqError(err.to_string()))
        })
        .map_err(|SeqError(message)| S::Error::custom(message))?;
        seq.end()
    }
}

// The fields of the JSON structs are in alphabetical order, the order `Report::json` has
// always written them in (a `serde_json::Map` is sorted).
#[derive(serde::Serialize)]
struct JsonReport<'r> {
    accounts: Vec<JsonAccount<'r>>,
    backups: Seq<'r, JsonBackup<'r>>,
    resources: Seq<'r, JsonResource<'r>>,
}

#[derive(serde::Serialize)]
struct JsonAccount<'r> {
    api: &'static str,
    error: Option<std::borrow::Cow<'r, str>>,
    microversion: Option<std::borrow::Cow<'r, str>>,
    name: std::borrow::Cow<'r, str>,
    ok: bool,
}

#[derive(serde::Serialize)]
struct JsonResource<'r> {
    account: std::borrow::Cow<'r, str>,
    api: &'static str,
    last_success_age_seconds: Option<u64>,
    last_success_at: Option<Rfc3339>,
    newest_backup_id: std::borrow::Cow<'r, str>,
    raw_status: std::borrow::Cow<'r, str>,
    resource_id: std::borrow::Cow<'r, str>,
    resource_name: Option<std::borrow::Cow<'r, str>>,
    state: &'static str,
}

#[derive(serde::Serialize)]
struct JsonBackup<'r> {
    account: std::borrow::Cow<'r, str>,
    api: &'static str,
    created_at: Option<Rfc3339>,
    finished_at: Option<Rfc3339>,
    id: std::borrow::Cow<'r, str>,
    raw_status: std::borrow::Cow<'r, str>,
    resource_id: std::borrow::Cow<'r, str>,
    size_bytes: Option<u64>,
    state: &'static str,
}

/// By account, API, resource, then newest first.
fn sort_backups(backups: &mut [BackupRecord]) {
    // Records equal in this order are one backup listed twice (the id is in it): their order
    // does not matter, so the faster unstable sort gives the same report.
    backups.sort_unstable_by(|a, b| {
        (&a.account, a.api, &a.resource_id)
            .cmp(&(&b.account, b.api, &b.resource_id))
            .then_with(|| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)))
    });
}

/// Seconds since the epoch, with milliseconds.
fn seconds(at: jiff::Timestamp) -> f64 {
    at.as_millisecond() as f64 / 1000.0
}

/// `{account="…",api="…",resource_id="…"}`, with one more label when given.
fn resource_labels(r: &ResourceSummary, extra: Option<(&str, &str)>) -> String {
    let mut labels = format!(
        "{{account=\"{}\",api=\"{}\",resource_id=\"{}\"",
        escape(&r.account),
        r.api,
        escape(&r.resource_id)
    );
    if let Some((name, value)) = extra {
        let _ = write!(labels, ",{name}=\"{}\"", escape(value));
    }
    labels.push('}');
    labels
}

/// A label value escaped for both text formats ([`safe::label_value`]).
fn escape(value: &str) -> String {
    safe::label_value(value)
}
