//! What the round trip cannot see: losses that happen while *reading* the input, so the
//! input's own `serde_json::Value` (which `validate` compares the output with) has them too.
//!
//! - A repeated object key: parsers keep its last value and drop the others.
//! - A number that `serde_json` (without `arbitrary_precision`) cannot hold as written: an
//!   integer beyond 64 bits or a decimal with more precision than an `f64` becomes the nearest
//!   `f64`, and an integer `-0` becomes `-0.0`. Typed fields reject such numbers; values kept in
//!   `extra` (unknown fields) carry them silently.
//!
//! [`lossy_spots`] scans the raw text of a body that `serde_json` has already accepted.

use std::collections::HashSet;

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
/// `json` must be valid JSON (the caller has parsed it); on anything else the scan stops
/// early and returns what it found so far.
pub fn lossy_spots(json: &str) -> Vec<Spot> {
    let mut scanner = Scanner {
        text: json.as_bytes(),
        source: json,
        at: 0,
        spots: Vec::new(),
    };
    let mut pointer = String::new();
    // `None` only for text that is not JSON, which the caller has already reported.
    let _ = scanner.value(&mut pointer);
    scanner.spots
}

struct Scanner<'a> {
    text: &'a [u8],
    source: &'a str,
    at: usize,
    spots: Vec<Spot>,
}

impl Scanner<'_> {
    fn skip_whitespace(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn value(&mut self, pointer: &mut String) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(pointer),
            b'[' => self.array(pointer),
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number(pointer),
            _ => {
                // true, false, null.
                while self.text.get(self.at).is_some_and(u8::is_ascii_alphabetic) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }

    fn object(&mut self, pointer: &mut String) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let mut seen = HashSet::new();
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            if !seen.insert(key) && !self.repeated(pointer) {
                self.spots.push(Spot {
                    pointer: pointer.clone(),
                    loss: Loss::RepeatedKey,
                });
            }
            self.value(pointer)?;
            pointer.truncate(len);
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    fn repeated(&self, pointer: &str) -> bool {
        self.spots
            .iter()
            .any(|spot| spot.loss == Loss::RepeatedKey && spot.pointer == pointer)
    }

    fn array(&mut self, pointer: &mut String) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        let mut index = 0usize;
        loop {
            let len = pointer.len();
            pointer.push('/');
            pointer.push_str(&index.to_string());
            self.value(pointer)?;
            pointer.truncate(len);
            index += 1;
            if self.eat(b',').is_none() {
                return self.eat(b']');
            }
        }
    }

    /// A string token, unescaped.
    fn string(&mut self) -> Option<String> {
        self.skip_whitespace();
        let start = self.at;
        if self.text.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        loop {
            match self.text.get(self.at)? {
                b'\\' => self.at += 2,
                b'"' => break,
                _ => self.at += 1,
            }
        }
        self.at += 1;
        serde_json::from_str(self.source.get(start..self.at)?).ok()
    }

    fn number(&mut self, pointer: &str) -> Option<()> {
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
        {
            self.at += 1;
        }
        let read = self.source.get(start..self.at)?;
        let written = serde_json::from_str::<serde_json::Value>(read)
            .ok()?
            .to_string();
        if !same_number(read, &written) {
            self.spots.push(Spot {
                pointer: pointer.to_owned(),
                loss: Loss::Number {
                    read: read.to_owned(),
                    written,
                },
            });
        }
        Some(())
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
