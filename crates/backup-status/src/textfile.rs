//! The textfile for node_exporter's textfile collector (`status --textfile PATH`): Prometheus'
//! classic text format, written so that the collector never reads half a file, nobody can
//! redirect the write, and an account that cannot be read does not make its series vanish.
//!
//! - **Atomic and safe** ([`write_atomically`]): a temporary file `.NAME.RANDOM.tmp` in the
//!   target's folder (so the collector, which reads `*.prom`, skips it), with an unpredictable
//!   name, created with `O_EXCL` (`create_new`: never opens what is already there, a symlink
//!   included), written, fsynced, renamed over the target, then the folder fsynced so the
//!   rename survives a crash. On any failure the temporary file is removed: nothing but the
//!   target is ever left.
//! - **Last known series** ([`merge`]): the series of an account that cannot be read now are
//!   read back from the previous file (same labels, same values) and kept, next to
//!   `backupctl_account_up{…} 0`, until the account is read again; so alerts on staleness
//!   (`time() - backupctl_resource_last_success_timestamp_seconds`) do not flap.
//!   `backupctl_account_last_read_timestamp_seconds` says when each account was last read
//!   (kept the same way).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::Path;

use crate::report::Report;
use crate::safe;

/// When each account was last read successfully.
pub const LAST_READ: &str = crate::report::LAST_READ;

/// The family that says whether an account could be read; never carried over.
const UP: &str = "backupctl_account_up";

/// The most bytes of a previous file read back.
const PREVIOUS_LIMIT: u64 = 256 * 1024 * 1024;

/// Writes `report` to the textfile at `path`: [`merge`] with the previous file (if `path` is
/// a regular file, not a symlink), then [`write_atomically`].
///
/// # Errors
///
/// The folder cannot be written, or a write, sync or rename fails (the temporary file is then
/// removed).
pub fn write(path: &Path, report: &Report) -> io::Result<()> {
    let previous = read_previous(path);
    write_atomically(path, merge(report, previous.as_deref()).as_bytes())
}

/// The metrics of `report` in the classic text format ([`Report::prometheus_text`]), and, for
/// every account that could not be read, its series of the
/// `previous` file in every family where this report has none for it (its `up` stays 0).
pub fn merge(report: &Report, previous: Option<&str>) -> String {
    let mut families = parse(&report.prometheus_text());
    let failed: Vec<(String, &str)> = report
        .accounts
        .iter()
        .filter(|account| account.error.is_some())
        .map(|account| (safe::label_value(&account.name), account.api.key()))
        .collect();
    if let Some(previous) = previous.filter(|_| !failed.is_empty()) {
        for old in parse(previous) {
            if old.name == UP {
                continue;
            }
            let index = match families.iter().position(|family| family.name == old.name) {
                Some(index) => index,
                None => {
                    families.push(Family {
                        samples: Vec::new(),
                        ..old.clone()
                    });
                    families.len() - 1
                }
            };
            let family = &mut families[index];
            for (account, api) in &failed {
                let has_own = family
                    .samples
                    .iter()
                    .any(|sample| sample.label("account") == Some(account));
                if has_own {
                    continue;
                }
                family.samples.extend(
                    old.samples
                        .iter()
                        .filter(|sample| {
                            sample.label("account") == Some(account)
                                && sample.label("api").is_none_or(|own| own == *api)
                        })
                        .cloned(),
                );
            }
        }
    }
    let mut out = String::new();
    for family in families {
        if family.samples.is_empty() && family.comments.is_empty() {
            continue;
        }
        for line in family
            .comments
            .iter()
            .chain(family.samples.iter().map(|s| &s.line))
        {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// One metric family of a text exposition: its `# HELP` / `# TYPE` lines and its samples.
#[derive(Debug, Clone)]
struct Family {
    name: String,
    comments: Vec<String>,
    samples: Vec<Sample>,
}

/// One sample line and its labels (values as written, escaped).
#[derive(Debug, Clone)]
struct Sample {
    line: String,
    labels: Vec<(String, String)>,
}

impl Sample {
    /// The escaped value of the label `name`.
    fn label(&self, name: &str) -> Option<&String> {
        self.labels
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value))
    }
}

/// The families of a classic text exposition, in order; a sample belongs to the family named
/// by the `# HELP` or `# TYPE` line before it when its name starts with that name, else to a
/// family of its own. Lines that are not samples are left out.
fn parse(text: &str) -> Vec<Family> {
    let mut families: Vec<Family> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line == "# EOF" {
            continue;
        }
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.split_whitespace();
            let (Some("HELP" | "TYPE" | "UNIT"), Some(name)) = (words.next(), words.next()) else {
                continue;
            };
            match families.last_mut() {
                Some(family) if family.name == name => family.comments.push(line.to_owned()),
                _ => families.push(Family {
                    name: name.to_owned(),
                    comments: vec![line.to_owned()],
                    samples: Vec::new(),
                }),
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let name = &line[..name_end];
        let Some(labels) = labels(line) else { continue };
        let sample = Sample {
            line: line.to_owned(),
            labels,
        };
        match families.last_mut() {
            Some(family) if name.starts_with(family.name.as_str()) => family.samples.push(sample),
            _ => families.push(Family {
                name: name.to_owned(),
                comments: Vec::new(),
                samples: vec![sample],
            }),
        }
    }
    families
}

/// The labels of a sample line, values as written (escaped); `None` when the line is not a
/// well-formed sample `name{key="value",…} value`.
fn labels(line: &str) -> Option<Vec<(String, String)>> {
    let name_end = line.find(['{', ' '])?;
    let name = &line[..name_end];
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    {
        return None;
    }
    let mut labels = Vec::new();
    let mut rest = &line[name_end..];
    if let Some(mut inside) = rest.strip_prefix('{') {
        loop {
            inside = inside.trim_start_matches(',');
            if let Some(after) = inside.strip_prefix('}') {
                rest = after;
                break;
            }
            let (key, after) = inside.split_once("=\"")?;
            let mut end = None;
            let mut escaped = false;
            for (i, c) in after.char_indices() {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end?;
            labels.push((key.trim().to_owned(), after[..end].to_owned()));
            inside = &after[end + 1..];
        }
    }
    let value = rest.split_whitespace().next()?;
    value.parse::<f64>().ok()?;
    Some(labels)
}

/// The previous textfile's text, when `path` is a regular file (not a symlink, checked again
/// on the open file) of UTF-8 text.
fn read_previous(path: &Path) -> Option<String> {
    let before = std::fs::symlink_metadata(path).ok()?;
    if !before.file_type().is_file() {
        return None;
    }
    let file = File::open(path).ok()?;
    let opened = file.metadata().ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if (opened.dev(), opened.ino()) != (before.dev(), before.ino()) {
            return None;
        }
    }
    if !opened.is_file() {
        return None;
    }
    let mut text = String::new();
    file.take(PREVIOUS_LIMIT).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Writes `bytes` to `path` through a temporary file in the same folder: created with
/// `O_EXCL` under an unpredictable name, fsynced, renamed over `path`, then the folder
/// fsynced. A reader sees the old file or the new one, never half of one; a symlink at the
/// temporary name is never followed; on failure the temporary file is removed.
///
/// # Errors
///
/// `path` has no file name, or creating, writing, syncing or renaming fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut names = std::iter::repeat_with(|| {
        let mut temporary = OsString::from(".");
        temporary.push(name);
        temporary.push(format!(".{}.tmp", random_hex()));
        temporary
    });
    write_with_names(path, bytes, &mut names)
}

/// [`write_atomically`] with the temporary names taken from `names` (tests choose them).
fn write_with_names(
    path: &Path,
    bytes: &[u8],
    names: &mut dyn Iterator<Item = OsString>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // A name that is taken (by anything: a file, a symlink, a folder) is never opened; after
    // a few, something is wrong.
    let mut created = None;
    for name in names.take(8) {
        let temporary = folder.join(name);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(file) => {
                created = Some((temporary, file));
                break;
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    let (temporary, mut file) = created.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name in the folder",
        )
    })?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temporary, path)
        });
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(err);
    }
    sync_folder(folder)
}

/// Makes a rename in `folder` durable.
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

/// 32 hex digits nobody can guess: SipHash under the process's random keys (seeded by the
/// operating system) of the time, the process and a counter.
fn random_hex() -> String {
    use std::hash::{BuildHasher as _, Hasher as _, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let mut out = String::with_capacity(32);
    for round in 0..2u8 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.write_u64(count);
        hasher.write_u8(round);
        let _ = write!(out, "{:016x}", hasher.finish());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{AccountError, AccountResult};
    use crate::record::{Api, BackupRecord, State};

    /// A scratch folder removed on drop.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "backup-status-textfile-{name}-{}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(&self.0)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn record(account: &str, resource: &str, hours_ago: i64, now: jiff::Timestamp) -> BackupRecord {
        let at = jiff::Timestamp::from_second(now.as_second() - hours_ago * 3600).unwrap();
        BackupRecord {
            account: account.into(),
            api: Api::VbsV2,
            id: format!("b-{resource}"),
            resource_id: resource.into(),
            resource_name: None,
            raw_status: "available".into(),
            state: State::Ok,
            created_at: Some(at),
            finished_at: None,
            size_bytes: None,
            incremental: None,
            has_dependents: None,
        }
    }

    fn report(now: jiff::Timestamp, a_fails: bool, a_resources: &[(&str, i64)]) -> Report {
        let outcome = if a_fails {
            Err(AccountError::Setup("down".into()))
        } else {
            Ok(a_resources
                .iter()
                .map(|(resource, hours)| record("a\"b", resource, *hours, now))
                .collect())
        };
        let results = vec![
            AccountResult {
                name: "a\"b".into(),
                api: Api::VbsV2,
                outcome,
                microversion: None,
                warnings: Vec::new(),
                elapsed: std::time::Duration::from_millis(20),
            },
            AccountResult {
                name: "ok".into(),
                api: Api::VbsV2,
                outcome: Ok(vec![record("ok", "vol-ok", 1, now)]),
                microversion: None,
                warnings: Vec::new(),
                elapsed: std::time::Duration::from_millis(20),
            },
        ];
        Report::new(results, now)
    }

    fn lines_of<'a>(text: &'a str, account: &str) -> Vec<&'a str> {
        let label = format!("account=\"{account}\"");
        text.lines().filter(|line| line.contains(&label)).collect()
    }

    #[test]
    fn a_failing_account_keeps_its_series_until_it_is_read_again() {
        let t0: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let first = merge(&report(t0, false, &[("vol-1", 2), ("vol-2", 30)]), None);
        assert!(
            first.contains(&format!(
                "{LAST_READ}{{account=\"a\\\"b\",api=\"vbs-v2\"}} 1796119200\n"
            )),
            "{first}"
        );
        let t1: jiff::Timestamp = "2026-12-01T11:00:00Z".parse().unwrap();
        let second = merge(&report(t1, true, &[]), Some(&first));
        let kept: Vec<&str> = lines_of(&first, "a\\\"b")
            .into_iter()
            .filter(|line| !line.starts_with(UP))
            .collect();
        assert!(kept.len() > 10, "{first}");
        for line in &kept {
            assert!(
                second.lines().any(|l| l == *line),
                "{line} kept in\n{second}"
            );
        }
        assert!(second.contains("backupctl_account_up{account=\"a\\\"b\",api=\"vbs-v2\"} 0\n"));
        assert!(second.contains("backupctl_account_up{account=\"ok\",api=\"vbs-v2\"} 1\n"));
        // The account that was read is fresh.
        assert!(second.contains(&format!(
            "{LAST_READ}{{account=\"ok\",api=\"vbs-v2\"}} 1796122800\n"
        )));
        // Families stay together: each HELP once, every sample after its own TYPE line.
        for family in parse(&second) {
            assert_eq!(
                second.matches(&format!("# HELP {} ", family.name)).count(),
                1,
                "{}",
                family.name
            );
        }
        // Still failing an hour later: still there (read back from the merged file).
        let third = merge(&report(t1, true, &[]), Some(&second));
        assert_eq!(lines_of(&third, "a\\\"b"), lines_of(&second, "a\\\"b"));
        // Read again: only what it has now, fresh.
        let t2: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let fourth = merge(&report(t2, false, &[("vol-1", 1)]), Some(&third));
        assert!(!fourth.contains("vol-2"), "{fourth}");
        assert!(fourth.contains(&format!(
            "{LAST_READ}{{account=\"a\\\"b\",api=\"vbs-v2\"}} 1796126400\n"
        )));
        assert!(fourth.contains("backupctl_account_up{account=\"a\\\"b\",api=\"vbs-v2\"} 1\n"));
    }

    #[test]
    fn an_account_never_read_has_no_last_read() {
        let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let text = merge(
            &report(now, true, &[]),
            Some("garbage\nnot{a=\"sample\" x\n"),
        );
        assert!(
            !text.contains(&format!("{LAST_READ}{{account=\"a\\\"b\"")),
            "{text}"
        );
        assert!(!text.contains("garbage"), "{text}");
    }

    #[test]
    fn labels_are_read_as_written() {
        assert_eq!(
            labels(r#"m{account="a\"b,c}",api="x"} 1"#),
            Some(vec![
                ("account".to_owned(), r#"a\"b,c}"#.to_owned()),
                ("api".to_owned(), "x".to_owned())
            ])
        );
        assert_eq!(labels("m 1.5"), Some(Vec::new()));
        assert_eq!(labels("m{a=\"unterminated} 1"), None);
        assert_eq!(labels("m{a=\"1\"} x"), None);
    }

    #[test]
    fn a_symlink_at_the_temporary_name_is_not_followed() {
        let scratch = Scratch::new("symlink");
        let victim = scratch.0.join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let target = scratch.0.join("node.prom");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, scratch.0.join(".node.prom.planted.tmp")).unwrap();
        let mut names = ["planted", "second"]
            .into_iter()
            .map(|suffix| OsString::from(format!(".node.prom.{suffix}.tmp")));
        write_with_names(&target, b"new\n", &mut names).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
        assert!(
            !std::fs::symlink_metadata(&target)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the target is a file of its own"
        );
        // The planted link is not ours to remove; nothing of ours is left.
        assert_eq!(
            scratch.names(),
            [".node.prom.planted.tmp", "node.prom", "victim"]
        );
        // Only taken names: an error, and nothing written through them.
        let mut taken = std::iter::repeat_with(|| OsString::from(".node.prom.planted.tmp"));
        assert!(write_with_names(&target, b"other\n", &mut taken).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let scratch = Scratch::new("fails");
        // A folder at the target: the rename fails, and the temporary file goes.
        let target = scratch.0.join("node.prom");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), "x").unwrap();
        assert!(write_atomically(&target, b"new\n").is_err());
        assert_eq!(scratch.names(), ["node.prom"]);
        // A folder that does not exist: an error, nothing created.
        assert!(write_atomically(&scratch.0.join("missing/node.prom"), b"x").is_err());
        assert_eq!(scratch.names(), ["node.prom"]);
    }

    #[test]
    fn the_folder_holds_only_the_target_after_a_write() {
        let scratch = Scratch::new("only");
        let target = scratch.0.join("node.prom");
        let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        write(&target, &report(now, false, &[("vol-1", 2)])).unwrap();
        write(&target, &report(now, true, &[])).unwrap();
        assert_eq!(scratch.names(), ["node.prom"]);
        let text = std::fs::read_to_string(&target).unwrap();
        assert!(text.contains("resource_id=\"vol-1\""), "kept: {text}");
        // A symlink at the target is replaced, not read or written through.
        let victim = scratch.0.join("victim");
        std::fs::write(
            &victim,
            "backupctl_backups{account=\"a\\\"b\",api=\"vbs-v2\",state=\"ok\"} 99\n",
        )
        .unwrap();
        std::fs::remove_file(&target).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write(&target, &report(now, true, &[])).unwrap();
        assert!(!std::fs::read_to_string(&target).unwrap().contains(" 99"));
        assert!(std::fs::read_to_string(&victim).unwrap().contains(" 99"));
        assert_eq!(random_hex().len(), 32);
        assert_ne!(random_hex(), random_hex());
    }
}
