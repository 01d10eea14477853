//! [`Timestamp`]: a date-time that keeps the exact text the server sent.
//!
//! The documented APIs write times in several shapes (`2014-08-05T18:22:22.238641Z`,
//! naive `2019-05-10T07:59:59.450700`, `+08:00` offsets, a space instead of `T`). A model
//! field of type [`Timestamp`] accepts any string, so an odd form never fails a whole body,
//! and serializes back byte-exact. Reading the instant is a separate, fallible step:
//! [`Timestamp::parse`] and [`Timestamp::to_utc`].

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;
#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// A date-time kept as the exact text received.
///
/// Equality and hashing compare the text, so `…Z` and `…+00:00` are different values even
/// though they name the same instant; compare [`Timestamp::to_utc`] results for instants.
/// There is deliberately no `Ord`: ordering by text would be misleading across forms.
///
/// [`FromStr`] checks that the text can be read ([`Timestamp::parse`]) and keeps it exactly;
/// [`Timestamp::new`] and deserialization accept any text.
///
/// ```
/// use backup_runtime::Timestamp;
///
/// let t: Timestamp = serde_json::from_str(r#""2019-05-10T07:59:59.450700""#)?;
/// assert_eq!(t.as_str(), "2019-05-10T07:59:59.450700");
/// // The documented APIs send naive times in UTC.
/// assert_eq!(t.to_utc()?.to_string(), "2019-05-10T07:59:59.4507Z");
/// assert_eq!(serde_json::to_string(&t)?, r#""2019-05-10T07:59:59.450700""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

/// What a [`Timestamp`]'s text says, once read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParsedTimestamp {
    /// The text carries a UTC offset (`Z`, `+00:00`, `+08:00`, …): the instant and the offset
    /// as written (`Z` and `-00:00` read as [`Offset::UTC`]).
    Zoned(jiff::Timestamp, Offset),
    /// The text carries no offset (`2013-06-27T08:48:03.000000`).
    Naive(DateTime),
}

impl ParsedTimestamp {
    /// The instant, reading a naive time as UTC.
    ///
    /// # Errors
    ///
    /// Only when a naive time at the very edge of the supported range cannot be placed in UTC.
    fn to_utc(self) -> Result<jiff::Timestamp, jiff::Error> {
        match self {
            Self::Zoned(instant, _) => Ok(instant),
            Self::Naive(civil) => Offset::UTC.to_timestamp(civil),
        }
    }
}

impl Timestamp {
    /// Wraps the text as is; nothing is checked.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exact text, by value.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Reads the text: RFC 3339 / ISO 8601 date and time, `T` or a space between them,
    /// optional fraction (up to nanoseconds), optional offset (`Z`, `±hh:mm`).
    ///
    /// A time-zone annotation such as `[Europe/Paris]` is ignored when an offset is present
    /// and rejected otherwise (this crate carries no time-zone database rules for it).
    ///
    /// # Errors
    ///
    /// [`TimestampError`] naming the text and the reason when it is not such a date-time.
    pub fn parse(&self) -> Result<ParsedTimestamp, TimestampError> {
        let text = self.0.as_str();
        let fail = |reason: String| TimestampError {
            text: text.to_owned(),
            reason,
        };
        let pieces = Pieces::parse(text).map_err(|e| fail(e.to_string()))?;
        let Some(time) = pieces.time() else {
            return Err(fail("it has a date but no time of day".to_owned()));
        };
        let civil = pieces.date().to_datetime(time);
        match pieces.offset() {
            Some(offset) => {
                let offset = offset.to_numeric_offset();
                let instant = offset
                    .to_timestamp(civil)
                    .map_err(|e| fail(e.to_string()))?;
                Ok(ParsedTimestamp::Zoned(instant, offset))
            }
            None if pieces.time_zone_annotation().is_some() => Err(fail(
                "it names a time zone but gives no UTC offset".to_owned(),
            )),
            None => Ok(ParsedTimestamp::Naive(civil)),
        }
    }

    /// The instant in time; a naive time (no offset) is read as UTC, which is what the
    /// documented APIs send.
    ///
    /// # Errors
    ///
    /// [`TimestampError`] when the text cannot be read (see [`Timestamp::parse`]).
    pub fn to_utc(&self) -> Result<jiff::Timestamp, TimestampError> {
        self.parse()?.to_utc().map_err(|e| TimestampError {
            text: self.0.clone(),
            reason: e.to_string(),
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// Keeps the exact text after checking it can be read (see [`Timestamp::parse`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let timestamp = Self::new(s);
        timestamp.parse()?;
        Ok(timestamp)
    }
}

impl From<jiff::Timestamp> for Timestamp {
    /// Writes the instant in RFC 3339 form with `Z`, e.g. `2024-05-01T10:00:00.5Z`.
    fn from(instant: jiff::Timestamp) -> Self {
        Self(instant.to_string())
    }
}

impl AsRef<str> for Timestamp {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "schemars")]
impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn schema_id() -> Cow<'static, str> {
        "backup_runtime::Timestamp".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A date-time as the server wrote it, e.g. `2014-08-05T18:22:22.238641Z` \
                or naive UTC `2019-05-10T07:59:59.450700`; kept byte-exact."
        })
    }
}

/// A [`Timestamp`]'s text could not be read as a date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    text: String,
    reason: String,
}

impl TimestampError {
    /// The text that could not be read.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Why it could not be read.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read timestamp {:?}: {}", self.text, self.reason)
    }
}

impl std::error::Error for TimestampError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_text_that_is_not_a_date_time() {
        for text in [
            "",
            "yesterday",
            "2013-06-27",
            "2013-06-27T25:00:00",
            "2013-06-27T08:48:03 junk",
        ] {
            let err = Timestamp::new(text).parse().unwrap_err();
            assert_eq!(err.text(), text);
            assert!(
                err.to_string().starts_with("cannot read timestamp"),
                "{err}"
            );
        }
    }

    #[test]
    fn from_str_checks_but_keeps_text() {
        let t: Timestamp = "2013-06-27 08:48:03".parse().unwrap();
        assert_eq!(t.as_str(), "2013-06-27 08:48:03");
        assert!("nope".parse::<Timestamp>().is_err());
    }

    #[test]
    fn keeps_the_written_offset() {
        let parsed = Timestamp::new("2020-01-01T08:00:00+08:00").parse().unwrap();
        let ParsedTimestamp::Zoned(instant, offset) = parsed else {
            panic!("expected zoned, got {parsed:?}");
        };
        assert_eq!(offset.seconds(), 8 * 3600);
        assert_eq!(instant.to_string(), "2020-01-01T00:00:00Z");
    }
}
