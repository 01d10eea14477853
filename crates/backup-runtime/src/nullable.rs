//! [`Nullable`]: a field that can be missing, `null`, or a value, and keeps which.
//!
//! `Option<T>` folds a missing key and an explicit `null` together; a body that round-trips
//! must not. Generated model structs mark such fields
//! `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`, so a missing key stays
//! [`Nullable::Absent`] and is not written back.

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that can be absent, `null`, or a value.
///
/// ```
/// use backup_runtime::Nullable;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Volume {
///     #[serde(default, skip_serializing_if = "Nullable::is_absent")]
///     description: Nullable<String>,
/// }
///
/// for body in [r#"{}"#, r#"{"description":null}"#, r#"{"description":"x"}"#] {
///     let volume: Volume = serde_json::from_str(body)?;
///     assert_eq!(serde_json::to_string(&volume)?, body);
/// }
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// The key was not there.
    #[default]
    Absent,
    /// The key was there with `null`.
    Null,
    /// The key was there with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the key was missing.
    pub const fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the key was there with `null`.
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The value, if there is one.
    pub const fn value(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, if there is one, by value.
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// Borrows the value, keeping the state.
    pub const fn as_ref(&self) -> Nullable<&T> {
        match self {
            Self::Absent => Nullable::Absent,
            Self::Null => Nullable::Null,
            Self::Value(value) => Nullable::Value(value),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `None` becomes [`Nullable::Null`]: an `Option` given on purpose is a present field.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    /// A value is written as `T`; `Null` and `Absent` as none (`null` in JSON). Skipping an
    /// absent field is the containing struct's job (`skip_serializing_if`).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => serializer.serialize_some(value),
            Self::Absent | Self::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` becomes [`Nullable::Null`], anything else [`Nullable::Value`]; a missing key
    /// gives [`Nullable::Absent`] through `#[serde(default)]`.
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // What `Option<T>` does, without going through an `Option` first.
        deserializer.deserialize_option(NullableVisitor(PhantomData))
    }
}

struct NullableVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for NullableVisitor<T> {
    type Value = Nullable<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<Nullable<T>, E> {
        Ok(Nullable::Null)
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<Nullable<T>, E> {
        Ok(Nullable::Null)
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Nullable<T>, D::Error> {
        T::deserialize(deserializer).map(Nullable::Value)
    }
}

#[cfg(feature = "schemars")]
impl<T: JsonSchema> JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        Option::<T>::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("backup_runtime::Nullable<{}>", T::schema_id()).into()
    }

    /// The schema of `T` that also allows `null`, as for `Option<T>`.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        Option::<T>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors() {
        let absent: Nullable<u8> = Nullable::default();
        assert!(absent.is_absent() && !absent.is_null() && absent.value().is_none());
        let null: Nullable<u8> = None.into();
        assert!(null.is_null() && null.into_value().is_none());
        let value: Nullable<u8> = 3.into();
        assert_eq!(value.as_ref(), Nullable::Value(&3));
        assert_eq!(value.into_value(), Some(3));
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn schema_allows_null() {
        let schema = schemars::schema_for!(Nullable<i64>);
        let json = serde_json::to_value(&schema).unwrap();
        assert_eq!(json["type"], serde_json::json!(["integer", "null"]));
    }
}
