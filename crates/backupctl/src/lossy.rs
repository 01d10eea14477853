//! What the round trip cannot see: losses that happen while *reading* the input, so the
//! input's own `serde_json::Value` (which `validate` compares the output with) has them too.
//!
//! - A repeated object key: parsers keep its last value and drop the others.
//! - A number that `serde_json` (without `arbitrary_precision`) cannot hold as written: an
//!   integer beyond 64 bits or a decimal with more precision than an `f64` becomes the nearest
//!   `f64`, and an integer `-0` becomes `-0.0`. Typed fields reject such numbers; values kept in
//!   `extra` (unknown fields) carry them silently.
//!
//! [`lossy_spots`] walks a body that `serde_json` has already accepted, with `serde_json` doing
//! all the tokenizing: each value is first taken as its exact source text (a
//! [`RawValue`], from the `raw_value` feature, which leaves
//! `Value` as it is), then objects and arrays are visited entry by entry, and a number's text is
//! compared with what `serde_json::Value` writes back.

use std::collections::HashSet;
use std::fmt;

use serde::Deserializer as _;
use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A place where writing the body back loses something, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    /// JSON pointer (RFC 6901).
    pub pointer: String,
    /// What is lost there.
    pub loss: Loss,
}

/// What is lost at a [`Spot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loss {
    /// The key appears more than once in its object; only the last value is kept.
    RepeatedKey,
    /// The number is written back differently.
    Number {
        /// As in the input.
        read: String,
        /// As it is written back.
        written: String,
    },
}

impl std::fmt::Display for Spot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.loss {
            Loss::RepeatedKey => write!(
                f,
                "{} (a repeated key: only its last value is kept)",
                self.pointer
            ),
            Loss::Number { read, written } => write!(
                f,
                "{} (the number {read} is written back as {written})",
                self.pointer
            ),
        }
    }
}

/// Every [`Spot`] of `json`, in document order; each repeated key once.
///
/// `json` must be valid JSON (the caller has parsed it); for anything else it returns no spots.
pub fn lossy_spots(json: &str) -> Vec<Spot> {
    let mut walk = Walk::default();
    // Text that is not JSON has already been reported by the caller; once the whole body has
    // been read, reading its parts again cannot fail.
    if let Ok(raw) = serde_json::from_str::<&RawValue>(json) {
        let _ = walk.value(raw);
    }
    walk.spots
}

/// The JSON pointer of the value being visited, and the spots found so far.
#[derive(Default)]
struct Walk {
    pointer: String,
    spots: Vec<Spot>,
}

impl Walk {
    /// Visits one value, given as its source text. An object or array is read again to visit
    /// its entries, so each byte is read once per enclosing level (bodies are shallow).
    fn value(&mut self, raw: &RawValue) -> serde_json::Result<()> {
        let text = raw.get();
        let mut tokens = serde_json::Deserializer::from_str(text);
        match text.as_bytes().first() {
            Some(b'{') => tokens.deserialize_map(Entries(self)),
            Some(b'[') => tokens.deserialize_seq(Elements(self)),
            Some(b'-' | b'0'..=b'9') => self.number(text),
            // Strings, true, false, null are kept as written.
            _ => Ok(()),
        }
    }

    fn number(&mut self, read: &str) -> serde_json::Result<()> {
        let written = serde_json::from_str::<serde_json::Value>(read)?.to_string();
        if !same_number(read, &written) {
            self.spots.push(Spot {
                pointer: self.pointer.clone(),
                loss: Loss::Number {
                    read: read.to_owned(),
                    written,
                },
            });
        }
        Ok(())
    }

    fn repeated(&self) -> bool {
        self.spots
            .iter()
            .any(|spot| spot.loss == Loss::RepeatedKey && spot.pointer == self.pointer)
    }
}

/// Takes the next value as its source text and visits it.
struct Child<'w>(&'w mut Walk);

impl<'de> DeserializeSeed<'de> for Child<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let raw = <&RawValue>::deserialize(deserializer)?;
        self.0.value(raw).map_err(de::Error::custom)
    }
}

/// Visits an object's entries, noting each repeated key.
struct Entries<'w>(&'w mut Walk);

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let len = walk.pointer.len();
            walk.pointer.push('/');
            walk.pointer
                .push_str(&key.replace('~', "~0").replace('/', "~1"));
            if !seen.insert(key) && !walk.repeated() {
                walk.spots.push(Spot {
                    pointer: walk.pointer.clone(),
                    loss: Loss::RepeatedKey,
                });
            }
            map.next_value_seed(Child(&mut *walk))?;
            walk.pointer.truncate(len);
        }
        Ok(())
    }
}

/// Visits an array's elements.
struct Elements<'w>(&'w mut Walk);

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walk = self.0;
        for index in 0usize.. {
            let len = walk.pointer.len();
            walk.pointer.push('/');
            walk.pointer.push_str(&index.to_string());
            let more = seq.next_element_seed(Child(&mut *walk))?.is_some();
            walk.pointer.truncate(len);
            if !more {
                break;
            }
        }
        Ok(())
    }
}

/// Whether two JSON number tokens have the same decimal value and the same kind (integer or
/// not, as `serde_json::Value` tells them apart).
fn same_number(a: &str, b: &str) -> bool {
    let is_integer = |text: &str| !text.contains(['.', 'e', 'E']);
    is_integer(a) == is_integer(b) && decimal(a) == decimal(b)
}

/// A number token as (negative, significant digits, exponent), with zero as `(false, "", 0)`.
fn decimal(token: &str) -> (bool, String, i64) {
    let (negative, unsigned) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().unwrap_or(i64::MAX)),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = whole.chars().chain(fraction.chars()).collect();
    let mut exponent = exponent.saturating_sub(i64::try_from(fraction.len()).unwrap_or(i64::MAX));
    let trailing = digits.len() - digits.trim_end_matches('0').len();
    digits.truncate(digits.len() - trailing);
    exponent = exponent.saturating_add(i64::try_from(trailing).unwrap_or(i64::MAX));
    let digits = digits.trim_start_matches('0').to_owned();
    if digits.is_empty() {
        (false, digits, 0)
    } else {
        (negative, digits, exponent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(json: &str) -> Vec<String> {
        lossy_spots(json).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn repeated_keys_at_any_depth_once() {
        let json =
            r#"{"a": 1, "b": [{"x": 1, "x": 2, "x": 3}], "a": 2, "c/d": {"e~": 0, "\u0065~": 1}}"#;
        assert_eq!(
            lossy_spots(json)
                .into_iter()
                .map(|spot| spot.pointer)
                .collect::<Vec<_>>(),
            ["/b/0/x", "/a", "/c~1d/e~0"]
        );
    }

    #[test]
    fn numbers_that_do_not_survive() {
        assert_eq!(
            shown(
                r#"{"big": 123456789012345678901234567890, "zero": [-0], "pi": 3.14159265358979323846}"#
            ),
            [
                "/big (the number 123456789012345678901234567890 is written back as 1.2345678901234568e+29)",
                "/zero/0 (the number -0 is written back as -0.0)",
                "/pi (the number 3.14159265358979323846 is written back as 3.141592653589793)",
            ]
        );
    }

    #[test]
    fn numbers_and_strings_that_survive() {
        let json = r#"{"a": [0, -1, 18446744073709551615, -9223372036854775808, 1.5, 1e2, 1E-7,
            -0.0, 0.1, 2.50, "12345678901234567890123 \" \\", true, null, false], "b": {}, "c": []}"#;
        assert_eq!(shown(json), Vec::<String>::new());
    }

    #[test]
    fn decimals_compare_by_value() {
        assert_eq!(decimal("1e2"), decimal("100.0"));
        assert_eq!(decimal("-0.0"), decimal("0"));
        assert_eq!(decimal("0.00120"), (false, "12".to_owned(), -4));
        assert_ne!(decimal("1.5"), decimal("-1.5"));
    }
}
