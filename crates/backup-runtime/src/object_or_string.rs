//! [`ObjectOrString`]: a value one reference types as a string and a service sends as an object.
//!
//! Huawei's CBR reference types a restore point resource's `extra_info` as a string, while Open
//! Telekom Cloud answers with an object (`{}`). The field keeps whichever it received and
//! writes it back the same way: the string as sent (never parsed), the object through its model
//! (unknown keys kept).

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JSON object of type `T` that may also arrive as a JSON string, kept as sent.
///
/// ```
/// use backup_runtime::ObjectOrString;
/// use std::collections::BTreeMap;
///
/// type Info = ObjectOrString<BTreeMap<String, u32>>;
/// let object: Info = serde_json::from_str(r#"{"a": 1}"#)?;
/// let text: Info = serde_json::from_str(r#""{\"a\": 1}""#)?;
/// assert_eq!(object.object().map(|map| map["a"]), Some(1));
/// assert_eq!(text.as_str(), Some(r#"{"a": 1}"#));
/// assert_eq!(serde_json::to_string(&object)?, r#"{"a":1}"#);
/// assert_eq!(serde_json::to_string(&text)?, r#""{\"a\": 1}""#);
/// assert!(serde_json::from_str::<Info>("7").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ObjectOrString<T> {
    /// It came as a JSON object.
    Object(T),
    /// It came as a JSON string, kept as sent (not parsed).
    String(String),
}

impl<T> ObjectOrString<T> {
    /// The object, when it came as one.
    pub fn object(&self) -> Option<&T> {
        match self {
            Self::Object(object) => Some(object),
            Self::String(_) => None,
        }
    }

    /// The string, when it came as one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Object(_) => None,
            Self::String(text) => Some(text),
        }
    }
}

impl<T> From<T> for ObjectOrString<T> {
    fn from(object: T) -> Self {
        Self::Object(object)
    }
}

impl<T: Serialize> Serialize for ObjectOrString<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Object(object) => object.serialize(serializer),
            Self::String(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOrString<T> {
    /// Accepts a string, or an object that `T` accepts; nothing else (not `null`: a nullable
    /// field wraps this type).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectOrStringVisitor(PhantomData))
    }
}

struct ObjectOrStringVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOrStringVisitor<T> {
    type Value = ObjectOrString<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(ObjectOrString::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(ObjectOrString::String(value))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOrString::Object)
    }
}

#[cfg(feature = "schemars")]
impl<T: JsonSchema> JsonSchema for ObjectOrString<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("{}_or_string", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("backup_runtime::ObjectOrString<{}>", T::schema_id()).into()
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
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Debug, PartialEq, Deserialize, Serialize)]
    #[cfg_attr(feature = "schemars", derive(JsonSchema))]
    struct Info {
        exclude_volumes: Vec<String>,
    }

    #[test]
    fn object_string_and_nothing_else() {
        let empty: ObjectOrString<BTreeMap<String, u8>> = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, ObjectOrString::Object(BTreeMap::new()));
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        let text: ObjectOrString<Info> = serde_json::from_str(r#""""#).unwrap();
        assert_eq!(text.as_str(), Some(""));
        for bad in ["null", "1", "true", "[]"] {
            let err = serde_json::from_str::<ObjectOrString<Info>>(bad).unwrap_err();
            assert!(
                err.to_string().contains("an object or a string"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn an_object_that_does_not_fit_names_its_path() {
        let mut json = serde_json::Deserializer::from_str(r#"{"exclude_volumes": [1]}"#);
        let err =
            serde_path_to_error::deserialize::<_, ObjectOrString<Info>>(&mut json).unwrap_err();
        assert_eq!(err.path().to_string(), "exclude_volumes[0]");
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn schema_is_any_of_object_and_string() {
        let json = serde_json::to_value(schemars::schema_for!(ObjectOrString<Info>)).unwrap();
        assert_eq!(json["anyOf"][1], serde_json::json!({"type": "string"}));
    }
}
