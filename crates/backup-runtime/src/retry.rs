//! [`RetryPolicy`]: when the clients repeat a request, as a pure, testable decision.
//!
//! Only `429 Too Many Requests` and `503 Service Unavailable` are retried: both mean "not
//! now" and neither means the request had an effect. Transport errors are never retried,
//! since a request that timed out may have reached the server.

use std::time::Duration;

/// When and how long to wait before repeating a request. The default is [`RetryPolicy::none`].
///
/// ```
/// use std::time::Duration;
/// use backup_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::new(3).base_delay(Duration::from_millis(100));
/// // The server's Retry-After wins, capped by max_delay (30 s by default).
/// assert_eq!(policy.delay_for(0, 503, Some("2")), Some(Duration::from_secs(2)));
/// // Otherwise exponential backoff: 100 ms, 200 ms, 400 ms, then give up.
/// assert_eq!(policy.delay_for(1, 429, None), Some(Duration::from_millis(200)));
/// assert_eq!(policy.delay_for(3, 429, None), None);
/// // Other statuses are never retried.
/// assert_eq!(policy.delay_for(0, 500, None), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl RetryPolicy {
    /// Default wait before the first retry when the server gives no `Retry-After`.
    pub const DEFAULT_BASE_DELAY: Duration = Duration::from_secs(1);
    /// Default cap on any single wait.
    pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(30);

    /// Never retry.
    pub const fn none() -> Self {
        Self::new(0)
    }

    /// Retry a 429 or 503 response up to `max_retries` times (so at most `max_retries + 1`
    /// requests).
    pub const fn new(max_retries: u32) -> Self {
        Self {
            max_retries,
            base_delay: Self::DEFAULT_BASE_DELAY,
            max_delay: Self::DEFAULT_MAX_DELAY,
        }
    }

    /// The wait before the first retry when the server sends no usable `Retry-After`; it
    /// doubles on each further retry.
    #[must_use]
    pub const fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest single wait, whatever `Retry-After` or the backoff says.
    #[must_use]
    pub const fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How many retries are allowed.
    pub const fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// How long to wait before retrying, or `None` to give up and return the response.
    ///
    /// `attempt` counts the retries already made (0 when deciding on the first retry);
    /// `status` is the response status and `retry_after` its `Retry-After` header.
    ///
    /// `Retry-After` may be delta-seconds (`"120"`) or an HTTP-date
    /// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, measured from the system clock; a date in the past
    /// means no wait). A value that is neither falls back to exponential backoff:
    /// `base_delay * 2^attempt`. Either way the wait is capped by `max_delay`.
    pub fn delay_for(
        &self,
        attempt: u32,
        status: u16,
        retry_after: Option<&str>,
    ) -> Option<Duration> {
        self.delay_for_at(attempt, status, retry_after, jiff::Timestamp::now())
    }

    /// [`RetryPolicy::delay_for`] with the current time given, for reproducible decisions.
    pub fn delay_for_at(
        &self,
        attempt: u32,
        status: u16,
        retry_after: Option<&str>,
        now: jiff::Timestamp,
    ) -> Option<Duration> {
        if attempt >= self.max_retries || !matches!(status, 429 | 503) {
            return None;
        }
        let delay = retry_after
            .and_then(|value| parse_retry_after(value, now))
            .unwrap_or_else(|| self.backoff(attempt));
        Some(delay.min(self.max_delay))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        2u32.checked_pow(attempt)
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .unwrap_or(Duration::MAX)
    }
}

/// A `Retry-After` value as a wait from `now`; `None` when it is neither form.
pub(crate) fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: only overflow can fail, and a huge wait is capped anyway.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    // A date in the past (negative duration) means "retry now".
    Some(Duration::try_from(now.duration_until(date)).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2015-10-21T07:27:00Z".parse().unwrap()
    }

    #[test]
    fn none_never_retries() {
        assert_eq!(RetryPolicy::none().delay_for(0, 503, Some("1")), None);
        assert_eq!(RetryPolicy::default(), RetryPolicy::none());
    }

    #[test]
    fn only_429_and_503() {
        let policy = RetryPolicy::new(5);
        for status in [200, 400, 404, 500, 502, 504] {
            assert_eq!(
                policy.delay_for_at(0, status, None, now()),
                None,
                "{status}"
            );
        }
        assert!(policy.delay_for_at(0, 429, None, now()).is_some());
        assert!(policy.delay_for_at(0, 503, None, now()).is_some());
    }

    #[test]
    fn stops_after_max_retries() {
        let policy = RetryPolicy::new(2);
        assert!(policy.delay_for_at(1, 503, None, now()).is_some());
        assert_eq!(policy.delay_for_at(2, 503, None, now()), None);
    }

    #[test]
    fn exponential_backoff_capped() {
        let policy = RetryPolicy::new(100)
            .base_delay(Duration::from_millis(250))
            .max_delay(Duration::from_secs(3));
        let delays: Vec<_> = (0..6)
            .map(|attempt| policy.delay_for_at(attempt, 429, None, now()).unwrap())
            .collect();
        let millis: Vec<_> = delays.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [250, 500, 1000, 2000, 3000, 3000]);
        // No overflow at absurd attempt counts.
        assert_eq!(
            policy.delay_for_at(99, 429, None, now()),
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_seconds() {
        let policy = RetryPolicy::new(1);
        assert_eq!(
            policy.delay_for_at(0, 503, Some("0"), now()),
            Some(Duration::ZERO)
        );
        assert_eq!(
            policy.delay_for_at(0, 503, Some(" 7 "), now()),
            Some(Duration::from_secs(7))
        );
        // Capped by max_delay, including absurd values.
        assert_eq!(
            policy.delay_for_at(0, 503, Some("99999999999999999999999"), now()),
            Some(RetryPolicy::DEFAULT_MAX_DELAY)
        );
    }

    #[test]
    fn retry_after_http_date() {
        let policy = RetryPolicy::new(1).max_delay(Duration::from_secs(600));
        assert_eq!(
            policy.delay_for_at(0, 429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), now()),
            Some(Duration::from_secs(60))
        );
        // In the past: retry at once.
        assert_eq!(
            policy.delay_for_at(0, 429, Some("Wed, 21 Oct 2015 07:00:00 GMT"), now()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn unusable_retry_after_falls_back_to_backoff() {
        let policy = RetryPolicy::new(1).base_delay(Duration::from_millis(10));
        for value in ["", "soon", "-1", "1.5"] {
            assert_eq!(
                policy.delay_for_at(0, 503, Some(value), now()),
                Some(Duration::from_millis(10)),
                "{value:?}"
            );
        }
    }
}
