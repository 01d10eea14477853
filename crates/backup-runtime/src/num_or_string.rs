//! [`NumOrString`]: a value the document shows both as a number and as a string.
//!
//! Some responses write `"progress": "0"` where others write `"progress": 0`. The field keeps
//! whichever it received, writes it back the same way, and [`NumOrString::get`] gives the
//! number either way.

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number that may arrive as a JSON number or as a string, kept as sent.
///
/// ```
/// use backup_runtime::NumOrString;
///
/// let a: NumOrString<i64> = serde_json::from_str(r#""0""#)?;
/// let b: NumOrString<i64> = serde_json::from_str("0")?;
/// assert_eq!(a.get(), Some(0));
/// assert_eq!(b.get(), Some(0));
/// assert_eq!(serde_json::to_string(&a)?, r#""0""#);
/// assert_eq!(serde_json::to_string(&b)?, "0");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NumOrString<T> {
    /// It came as a JSON number.
    Number(T),
    /// It came as a JSON string (not necessarily a number).
    String(String),
}

impl<T: Clone + FromStr> NumOrString<T> {
    /// The number: as sent, or the trimmed string read with [`FromStr`]; `None` when the
    /// string is not a number of type `T`.
    pub fn get(&self) -> Option<T> {
        match self {
            Self::Number(number) => Some(number.clone()),
            Self::String(text) => text.trim().parse().ok(),
        }
    }
}

impl<T> From<T> for NumOrString<T> {
    fn from(number: T) -> Self {
        Self::Number(number)
    }
}

impl<T: fmt::Display> fmt::Display for NumOrString<T> {
    /// The number, or the string as sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(number) => number.fmt(f),
            Self::String(text) => f.write_str(text),
        }
    }
}

impl<T: Serialize> Serialize for NumOrString<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(number) => number.serialize(serializer),
            Self::String(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NumOrString<T> {
    /// Accepts a string, or a number that `T` accepts (an integer `T` rejects `1.5`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumOrStringVisitor(PhantomData))
    }
}

struct NumOrStringVisitor<T>(PhantomData<T>);

impl<T> NumOrStringVisitor<T> {
    fn number<'de, E, V>(value: V) -> Result<NumOrString<T>, E>
    where
        T: Deserialize<'de>,
        E: de::Error,
        V: IntoDeserializer<'de, E>,
    {
        T::deserialize(value.into_deserializer()).map(NumOrString::Number)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for NumOrStringVisitor<T> {
    type Value = NumOrString<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Self::number(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Self::number(value)
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Self::Value, E> {
        Self::number(value)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Self::Value, E> {
        Self::number(value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Self::number(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(NumOrString::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(NumOrString::String(value))
    }
}

#[cfg(feature = "schemars")]
impl<T: JsonSchema> JsonSchema for NumOrString<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("{}_or_string", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("backup_runtime::NumOrString<{}>", T::schema_id()).into()
    }

    /// `anyOf: [T, {type: string}]`.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [generator.subschema_for::<T>(), {"type": "string"}]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_rejects_fraction_with_a_clear_message() {
        let err = serde_json::from_str::<NumOrString<i32>>("1.5").unwrap_err();
        assert!(err.to_string().contains("expected i32"), "{err}");
        let err = serde_json::from_str::<NumOrString<i32>>("true").unwrap_err();
        assert!(err.to_string().contains("a number or a string"), "{err}");
    }

    #[test]
    fn get_trims_and_rejects_non_numbers() {
        assert_eq!(NumOrString::<u64>::String(" 42 ".into()).get(), Some(42));
        assert_eq!(NumOrString::<u64>::String("n/a".into()).get(), None);
        assert_eq!(NumOrString::<f32>::Number(0.5).get(), Some(0.5));
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn schema_is_any_of_number_and_string() {
        let json = serde_json::to_value(schemars::schema_for!(NumOrString<i64>)).unwrap();
        assert_eq!(json["anyOf"][1], serde_json::json!({"type": "string"}));
        assert_eq!(json["anyOf"][0]["type"], "integer");
    }
}
