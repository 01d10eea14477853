//! Open enums: the generated string enums keep values the spec does not list. Their
//! `Deserialize` impls call [`deserialize_open_enum`] instead of each writing a visitor.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// Reads a JSON string into an open enum `T`: a documented value becomes its variant, any other
/// becomes `T`'s catch-all (the generated `From<&str>` and `From<String>` decide).
///
/// ```
/// #[derive(Debug, PartialEq)]
/// enum Color { Red, Other(String) }
/// impl From<&str> for Color {
///     fn from(s: &str) -> Self { if s == "red" { Color::Red } else { Color::Other(s.to_owned()) } }
/// }
/// impl From<String> for Color {
///     fn from(s: String) -> Self { if s == "red" { Color::Red } else { Color::Other(s) } }
/// }
/// let mut json = serde_json::Deserializer::from_str(r#""teal""#);
/// let color: Color = backup_runtime::deserialize_open_enum(&mut json)?;
/// assert_eq!(color, Color::Other("teal".to_owned()));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn deserialize_open_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    deserializer.deserialize_str(OpenEnumVisitor(PhantomData))
}

struct OpenEnumVisitor<T>(PhantomData<T>);

impl<T> Visitor<'_> for OpenEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}
