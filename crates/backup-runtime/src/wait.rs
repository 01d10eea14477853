//! Seeing work through: waiting until a backup, a restore, a deletion or a stop reaches its
//! end, by reading the resource again and again.
//!
//! Sans-IO: a [`Waiter`] is told what each reading gave ([`Waiter::observe`]) and answers how
//! long to sleep before the next one, or how the work ended; the clients' `wait` methods
//! (`blocking::Client::wait`, `nonblocking::Client::wait`) do the I/O, and so can anyone with
//! another way to read the resource (`backupctl call --wait` reads it with dynamic dispatch).
//!
//! - **What ends the work** is [`Work::judge`] of the state read, per kind of work, in the
//!   services' own words (Cinder's `available`/`error`, Rackspace's `completed`/`failed`/…,
//!   CBR's `available`/`error`); a state it does not know means "not over yet", so a new
//!   in-between state the service invents never ends a wait early.
//! - **Pace**: exponential backoff from [`WaitOptions::first_interval`], doubling up to
//!   [`WaitOptions::max_interval`] (60 s), each sleep shortened or lengthened by up to a tenth
//!   at random (jitter, so many waiters do not poll in step), a server's `Retry-After` winning,
//!   never past the deadline ([`WaitOptions::timeout`]).
//! - **Errors while waiting**: a `429`, a `503` or no answer at all (a dropped connection) is
//!   read again later, within the deadline; a `404` ends a deletion well (the resource is gone)
//!   and is an error for any other work; any other error ends the wait with it.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use backup_runtime::wait::{End, Next, Reading, Waiter, WaitOptions, Work};
//!
//! let options = WaitOptions::default().first_interval(Duration::from_secs(2));
//! let start = Instant::now();
//! let mut waiter = Waiter::new(Work::Create, options, start);
//! let mut seen = Vec::new();
//! let mut changed = |reading: &Reading| seen.push(reading.to_string());
//! let creating = Ok(Reading::state("creating"));
//! let Next::Sleep(first) = waiter.observe(creating, start, &mut changed) else { panic!() };
//! assert!(first >= Duration::from_millis(1800) && first <= Duration::from_millis(2200));
//! let later = start + Duration::from_secs(10);
//! let available = Ok(Reading::state("available"));
//! assert!(matches!(waiter.observe(available, later, &mut changed), Next::End(Ok(End::Done))));
//! assert_eq!(seen, ["creating", "available"]);
//! ```

use std::fmt;
use std::time::{Duration, Instant};

use crate::ApiError;

/// The kind of work waited for; it says which states end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Work {
    /// A backup (or a CBR checkpoint) being made.
    Create,
    /// A backup being restored.
    Restore,
    /// A backup being deleted.
    Delete,
    /// A running Rackspace backup asked to stop (`updateBackup`'s `stop` preset).
    Stop,
}

/// What one reading of the resource gave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reading {
    /// The resource's state as the service spells it, and its reason for a failure where it
    /// gives one (Cinder's `fail_reason`, Rackspace's `errors.reason`, CBR's `fail_reason`).
    State {
        /// The state, e.g. `creating`.
        state: String,
        /// Why it failed, if the service says.
        reason: Option<String>,
    },
    /// The resource is not there any more (`404`).
    Gone,
}

impl Reading {
    /// A state without a reason.
    pub fn state(state: impl Into<String>) -> Self {
        Self::State {
            state: state.into(),
            reason: None,
        }
    }

    /// The state, or `None` when gone.
    pub fn state_name(&self) -> Option<&str> {
        match self {
            Self::State { state, .. } => Some(state),
            Self::Gone => None,
        }
    }

    /// The reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::State { reason, .. } => reason.as_deref().filter(|r| !r.is_empty()),
            Self::Gone => None,
        }
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::State { state, .. } => f.write_str(state),
            Self::Gone => f.write_str("gone"),
        }
    }
}

/// How finished work ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum End {
    /// It ended well.
    Done,
    /// It ended, not cleanly (Rackspace `completed_with_errors`).
    DoneWithWarning,
    /// It ended in a failed state.
    Failed,
}

impl Work {
    /// Whether `reading` ends this work, and how; `None` while it is not over (including a
    /// state this table does not know).
    ///
    /// | work | done | done with a warning | failed |
    /// |---|---|---|---|
    /// | create | `available` (Cinder, CBR), `completed` (Rackspace) | `completed_with_errors` | `error`, `failed`, `skipped`, `missed`, `stopped` |
    /// | restore | `available` (not while `restoring`, `waiting_restore`); a CBR operation log's `success` | | `error`; a log's `failed`, `timeout` |
    /// | delete | gone (`404`), `deleted` | | `error_deleting` |
    /// | stop | `stopped`, `completed`, `skipped`, `missed`, `failed` | `completed_with_errors` | |
    ///
    /// A resource that is gone ends a creation, a restore or a stop as failed.
    pub fn judge(self, reading: &Reading) -> Option<End> {
        let Some(state) = reading.state_name() else {
            return Some(if self == Self::Delete {
                End::Done
            } else {
                End::Failed
            });
        };
        match (self, state) {
            (Self::Create, "available" | "completed")
            | (Self::Restore, "available" | "success")
            | (Self::Delete, "deleted")
            | (Self::Stop, "stopped" | "completed" | "skipped" | "missed" | "failed") => {
                Some(End::Done)
            }
            (Self::Create | Self::Stop, "completed_with_errors") => Some(End::DoneWithWarning),
            (Self::Create, "error" | "failed" | "skipped" | "missed" | "stopped")
            | (Self::Restore, "error" | "failed" | "timeout")
            | (Self::Delete, "error_deleting") => Some(End::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for Work {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Create => "creation",
            Self::Restore => "restore",
            Self::Delete => "deletion",
            Self::Stop => "stop",
        })
    }
}

/// How to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    first_interval: Duration,
    max_interval: Duration,
    timeout: Duration,
}

impl Default for WaitOptions {
    /// 5 s first, up to 60 s, for at most an hour.
    fn default() -> Self {
        Self {
            first_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(60),
            timeout: Duration::from_secs(3600),
        }
    }
}

impl WaitOptions {
    /// The sleep before the second reading; each next one doubles, up to the maximum.
    #[must_use]
    pub const fn first_interval(mut self, interval: Duration) -> Self {
        self.first_interval = interval;
        self
    }

    /// The longest sleep between two readings (60 s by default; `Retry-After` may ask for
    /// longer, and is heeded).
    #[must_use]
    pub const fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How long to wait in all, from the first reading.
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The deadline's length.
    pub const fn timeout_length(&self) -> Duration {
        self.timeout
    }
}

/// Why waiting stopped without an end.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// The deadline passed; the last reading, if any.
    Deadline {
        /// The last reading before the deadline.
        last: Option<Reading>,
        /// How long was waited.
        waited: Duration,
    },
    /// A reading failed in a way that waiting does not mend (a `404` for anything but a
    /// deletion, a `401`, a body that does not fit the model, …).
    Api(ApiError),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deadline { last, waited } => {
                let waited = Duration::from_secs(waited.as_secs());
                write!(f, "still not done after {}", humanize(waited))?;
                match last {
                    Some(last) => write!(f, " (last state: {last})"),
                    None => f.write_str(" (no state read)"),
                }
            }
            Self::Api(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for WaitError {}

/// `1h 2m 3s`-style text of a whole number of seconds.
fn humanize(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

/// What to do after a reading.
#[derive(Debug)]
#[non_exhaustive]
pub enum Next {
    /// Sleep this long, then read again.
    Sleep(Duration),
    /// The work ended (how), or waiting stopped (why).
    End(Result<End, WaitError>),
}

/// How waited work ended: its [`End`], the last reading, and the last body read (`None` when
/// the resource is gone).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Waited<T> {
    /// How it ended.
    pub end: End,
    /// The reading that ended it.
    pub reading: Reading,
    /// The last body read (the backup as it is now), unless the resource is gone.
    pub output: Option<T>,
}

impl<T> Waited<T> {
    /// The end of a wait whose last reading was `reading` ([`Waiter::last`]), with the last
    /// body read (dropped when the resource is gone), for loops of one's own.
    pub fn new(end: End, reading: Option<&Reading>, output: Option<T>) -> Self {
        let reading = reading.cloned().unwrap_or(Reading::Gone);
        let output = if reading == Reading::Gone {
            None
        } else {
            output
        };
        Self {
            end,
            reading,
            output,
        }
    }
}

/// One wait in progress; see the [module](self).
#[derive(Debug)]
pub struct Waiter {
    work: Work,
    options: WaitOptions,
    started: Instant,
    interval: Duration,
    readings: u32,
    last: Option<Reading>,
}

impl Waiter {
    /// A wait for `work` whose deadline counts from `now`.
    pub fn new(work: Work, options: WaitOptions, now: Instant) -> Self {
        Self {
            work,
            options,
            started: now,
            interval: options.first_interval,
            readings: 0,
            last: None,
        }
    }

    /// The last reading, if any.
    pub fn last(&self) -> Option<&Reading> {
        self.last.as_ref()
    }

    /// How long it has waited at `now`.
    pub fn elapsed(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.started)
    }

    /// Takes the result of a reading made at `now`: `on_change` is called with the first
    /// state and each different one after it; the answer is the sleep before the next reading
    /// or the end.
    pub fn observe(
        &mut self,
        reading: Result<Reading, ApiError>,
        now: Instant,
        on_change: &mut dyn FnMut(&Reading),
    ) -> Next {
        self.readings += 1;
        let retry_after = match reading {
            Ok(reading) => {
                if self.last.as_ref() != Some(&reading) {
                    on_change(&reading);
                }
                let end = self.work.judge(&reading);
                self.last = Some(reading);
                if let Some(end) = end {
                    return Next::End(Ok(end));
                }
                None
            }
            Err(error) if error.status() == Some(404) => {
                let gone = Reading::Gone;
                if self.work != Work::Delete {
                    return Next::End(Err(WaitError::Api(error)));
                }
                if self.last.as_ref() != Some(&gone) {
                    on_change(&gone);
                }
                self.last = Some(gone);
                return Next::End(Ok(End::Done));
            }
            Err(error) if is_transient(&error) => retry_after(&error),
            Err(error) => return Next::End(Err(WaitError::Api(error))),
        };
        let waited = self.elapsed(now);
        let Some(left) = self
            .options
            .timeout
            .checked_sub(waited)
            .filter(|l| !l.is_zero())
        else {
            return self.deadline(waited);
        };
        let planned = retry_after.unwrap_or_else(|| jitter(self.interval, self.readings));
        self.interval = (self.interval * 2).min(self.options.max_interval);
        if planned >= left && retry_after.is_some() {
            // The server asks for longer than there is left: no reading could come in time.
            return self.deadline(waited);
        }
        Next::Sleep(planned.min(left))
    }

    /// The end at the deadline: no end, the last reading.
    fn deadline(&self, waited: Duration) -> Next {
        Next::End(Err(WaitError::Deadline {
            last: self.last.clone(),
            waited,
        }))
    }
}

/// A `429`, a `503`, a dropped connection or a timed-out reading: worth reading again later.
/// (A refused connection, a name that does not resolve or a TLS failure are not mended by
/// waiting.)
fn is_transient(error: &ApiError) -> bool {
    use crate::TransportErrorKind::{Other, TimedOut};
    matches!(error.status(), Some(429 | 503))
        || matches!(error, ApiError::Transport(t) if matches!(t.kind, Other | TimedOut))
}

/// The `Retry-After` of an error status, as a wait.
fn retry_after(error: &ApiError) -> Option<Duration> {
    let ApiError::Status { headers, .. } = error else {
        return None;
    };
    let value = crate::endpoint::header_value(headers, "retry-after")?;
    crate::retry::parse_retry_after(value, jiff::Timestamp::now())
}

/// `interval` shortened or lengthened by up to a tenth, differently for each reading and
/// each process (std's random hasher keys; no random number crate needed).
fn jitter(interval: Duration, reading: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(reading);
    // A number in [-1, 1).
    let unit = (hasher.finish() % 2000) as f64 / 1000.0 - 1.0;
    interval.mul_f64(1.0 + unit / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RawResponse, error_status};

    fn status(code: u16, retry_after: Option<&str>) -> ApiError {
        error_status(
            RawResponse {
                status: code,
                headers: retry_after
                    .map(|v| vec![("Retry-After".to_owned(), v.to_owned())])
                    .unwrap_or_default(),
                body: Vec::new(),
            },
            None,
        )
    }

    #[test]
    fn every_work_s_ends() {
        use End::{Done, DoneWithWarning, Failed};
        let cases: &[(Work, &str, Option<End>)] = &[
            (Work::Create, "creating", None),
            (Work::Create, "protecting", None),
            (Work::Create, "available", Some(Done)),
            (Work::Create, "completed", Some(Done)),
            (Work::Create, "completed_with_errors", Some(DoneWithWarning)),
            (Work::Create, "error", Some(Failed)),
            (Work::Create, "failed", Some(Failed)),
            (Work::Create, "skipped", Some(Failed)),
            (Work::Create, "missed", Some(Failed)),
            (Work::Create, "stopped", Some(Failed)),
            (Work::Create, "something_new", None),
            (Work::Restore, "restoring", None),
            (Work::Restore, "waiting_restore", None),
            (Work::Restore, "available", Some(Done)),
            (Work::Restore, "error", Some(Failed)),
            (Work::Restore, "running", None),
            (Work::Restore, "waiting", None),
            (Work::Restore, "success", Some(Done)),
            (Work::Restore, "failed", Some(Failed)),
            (Work::Restore, "timeout", Some(Failed)),
            (Work::Delete, "deleting", None),
            (Work::Delete, "available", None),
            (Work::Delete, "deleted", Some(Done)),
            (Work::Delete, "error_deleting", Some(Failed)),
            (Work::Stop, "stop_requested", None),
            (Work::Stop, "in_progress", None),
            (Work::Stop, "stopped", Some(Done)),
            (Work::Stop, "completed", Some(Done)),
            (Work::Stop, "failed", Some(Done)),
            (Work::Stop, "completed_with_errors", Some(DoneWithWarning)),
        ];
        for (work, state, end) in cases {
            assert_eq!(work.judge(&Reading::state(*state)), *end, "{work} {state}");
        }
        assert_eq!(Work::Delete.judge(&Reading::Gone), Some(Done));
        assert_eq!(Work::Create.judge(&Reading::Gone), Some(Failed));
    }

    fn sleep_of(next: Next) -> Duration {
        match next {
            Next::Sleep(sleep) => sleep,
            Next::End(end) => panic!("ended: {end:?}"),
        }
    }

    #[test]
    fn backoff_doubles_to_the_maximum_with_jitter_and_stops_at_the_deadline() {
        let options = WaitOptions::default()
            .first_interval(Duration::from_secs(5))
            .max_interval(Duration::from_secs(60))
            .timeout(Duration::from_secs(300));
        let start = Instant::now();
        let mut waiter = Waiter::new(Work::Create, options, start);
        let mut at = start;
        let mut sleeps = Vec::new();
        loop {
            match waiter.observe(Ok(Reading::state("creating")), at, &mut |_| {}) {
                Next::Sleep(sleep) => {
                    sleeps.push(sleep);
                    at += sleep;
                }
                Next::End(end) => {
                    let Err(WaitError::Deadline { last, waited }) = end else {
                        panic!("{end:?}")
                    };
                    assert_eq!(last, Some(Reading::state("creating")));
                    assert!(waited >= Duration::from_secs(300));
                    break;
                }
            }
        }
        let plain = [5, 10, 20, 40, 60, 60, 60];
        for (sleep, plain) in sleeps.iter().zip(plain) {
            let plain = Duration::from_secs(plain);
            assert!(
                *sleep >= plain.mul_f64(0.9) && *sleep <= plain.mul_f64(1.1),
                "{sleeps:?}"
            );
        }
        // The last sleep is cut to the deadline.
        let total: Duration = sleeps.iter().sum();
        assert_eq!(total, Duration::from_secs(300), "{sleeps:?}");
    }

    #[test]
    fn transient_errors_are_read_again_honouring_retry_after() {
        let start = Instant::now();
        let mut waiter = Waiter::new(Work::Create, WaitOptions::default(), start);
        let mut changes = Vec::new();
        let mut on_change = |r: &Reading| changes.push(r.to_string());
        let sleep = sleep_of(waiter.observe(Err(status(503, Some("17"))), start, &mut on_change));
        assert_eq!(sleep, Duration::from_secs(17));
        let sleep = sleep_of(waiter.observe(Err(status(429, None)), start, &mut on_change));
        assert!(
            sleep >= Duration::from_secs(9),
            "the doubled interval: {sleep:?}"
        );
        let transport = ApiError::Transport(crate::TransportError {
            kind: crate::TransportErrorKind::Other,
            message: "connection reset".into(),
        });
        sleep_of(waiter.observe(Err(transport), start, &mut on_change));
        assert!(changes.is_empty(), "no state read yet");
        // A Retry-After beyond the deadline ends the wait at once.
        let short = WaitOptions::default().timeout(Duration::from_secs(10));
        let mut waiter = Waiter::new(Work::Create, short, start);
        let next = waiter.observe(Err(status(503, Some("60"))), start, &mut |_| {});
        assert!(matches!(
            next,
            Next::End(Err(WaitError::Deadline { last: None, .. }))
        ));
    }

    #[test]
    fn not_found_ends_a_deletion_well_and_anything_else_badly() {
        let start = Instant::now();
        let mut waiter = Waiter::new(Work::Delete, WaitOptions::default(), start);
        let mut changes = Vec::new();
        let mut on_change = |r: &Reading| changes.push(r.to_string());
        sleep_of(waiter.observe(Ok(Reading::state("deleting")), start, &mut on_change));
        let next = waiter.observe(Err(status(404, None)), start, &mut on_change);
        assert!(matches!(next, Next::End(Ok(End::Done))), "{next:?}");
        assert_eq!(changes, ["deleting", "gone"]);

        let mut waiter = Waiter::new(Work::Restore, WaitOptions::default(), start);
        let next = waiter.observe(Err(status(404, None)), start, &mut |_| {});
        assert!(
            matches!(next, Next::End(Err(WaitError::Api(_)))),
            "{next:?}"
        );
        let mut waiter = Waiter::new(Work::Create, WaitOptions::default(), start);
        let next = waiter.observe(Err(status(401, None)), start, &mut |_| {});
        assert!(
            matches!(next, Next::End(Err(WaitError::Api(_)))),
            "{next:?}"
        );
    }

    #[test]
    fn only_changes_are_reported() {
        let start = Instant::now();
        let mut waiter = Waiter::new(Work::Restore, WaitOptions::default(), start);
        let mut changes = Vec::new();
        for state in [
            "restoring",
            "restoring",
            "waiting_restore",
            "restoring",
            "available",
        ] {
            let _ = waiter.observe(Ok(Reading::state(state)), start, &mut |r| {
                changes.push(r.to_string());
            });
        }
        assert_eq!(
            changes,
            ["restoring", "waiting_restore", "restoring", "available"]
        );
    }

    #[test]
    fn deadline_text() {
        let error = WaitError::Deadline {
            last: Some(Reading::state("creating")),
            waited: Duration::from_secs(3723),
        };
        assert_eq!(
            error.to_string(),
            "still not done after 1h 2m 3s (last state: creating)"
        );
    }
}
