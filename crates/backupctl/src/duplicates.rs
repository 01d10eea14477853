//! Duplicate object keys: JSON parsers keep the last value, so the model (and a
//! `serde_json::Value` of the input) never sees the earlier ones, and the round trip alone
//! cannot notice that writing the body back drops them. `validate` reports them as changes.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// JSON pointers (RFC 6901) of every repeated key, in document order (each repetition once).
///
/// Text that is not JSON gives what was found before the error; the caller reports the error.
pub fn duplicate_keys(json: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    // A parse error here is also one for the model, which reports it with a better path.
    let _ = Scan {
        pointer: String::new(),
        found: &mut found,
    }
    .deserialize(&mut deserializer);
    found
}

/// Walks one JSON value at `pointer`, recording repeated keys in `found`.
struct Scan<'a> {
    pointer: String,
    found: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let seed = Scan {
                pointer: format!("{}/{index}", self.pointer),
                found: &mut *self.found,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!(
                "{}/{}",
                self.pointer,
                key.replace('~', "~0").replace('/', "~1")
            );
            if !seen.insert(key) && !self.found.contains(&pointer) {
                self.found.push(pointer.clone());
            }
            map.next_value_seed(Scan {
                pointer,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeats_at_any_depth_once() {
        let json =
            r#"{"a": 1, "b": [{"x": 1, "x": 2, "x": 3}], "a": 2, "c/d": {"e~": 0, "e~": 1}}"#;
        assert_eq!(duplicate_keys(json), ["/b/0/x", "/a", "/c~1d/e~0"]);
    }

    #[test]
    fn none_in_ordinary_json() {
        assert!(duplicate_keys(r#"{"a": {"a": [1, {"a": null}]}, "b": -1.5}"#).is_empty());
        assert!(duplicate_keys("[1, 2").is_empty());
    }
}
