//! Lossless objects: the generated structs deserialize through [`deserialize_object`] instead of
//! each writing a visitor. The generated side supplies a [`PartialObject`]: one slot per
//! documented property, a key lookup, and how to finish the struct; this module does the map
//! walk, duplicate keys, unknown keys (into [`Extra`]) and missing required properties.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Error, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::{Extra, Nullable};

/// An object being read: the slots of its documented properties, filled key by key.
///
/// ```
/// use backup_runtime::object::{PartialObject, deserialize_object, read_once, required};
///
/// #[derive(Debug, PartialEq)]
/// struct Pet { name: String, age: Option<i64>, extra: backup_runtime::Extra }
///
/// #[derive(Default)]
/// struct PetPartial { name: Option<String>, age: Option<i64> }
///
/// impl PartialObject for PetPartial {
///     type Object = Pet;
///     const EXPECTING: &'static str = "an object of type Pet";
///     fn field(key: &str) -> Option<usize> {
///         match key { "name" => Some(0), "age" => Some(1), _ => None }
///     }
///     fn read<'de, A: serde::de::MapAccess<'de>>(&mut self, field: usize, map: &mut A) -> Result<(), A::Error> {
///         match field { 0 => read_once(&mut self.name, "name", map), _ => read_once(&mut self.age, "age", map) }
///     }
///     fn finish<E: serde::de::Error>(self, extra: backup_runtime::Extra) -> Result<Pet, E> {
///         Ok(Pet { name: required(self.name, "name")?, age: self.age, extra })
///     }
/// }
///
/// let mut json = serde_json::Deserializer::from_str(r#"{"name":"Rex","color":"brown"}"#);
/// let pet = deserialize_object::<_, PetPartial>(&mut json)?;
/// assert_eq!(pet.name, "Rex");
/// assert_eq!(pet.extra["color"], "brown");
///
/// let mut twice = serde_json::Deserializer::from_str(r#"{"name":"Rex","name":"Max"}"#);
/// let err = deserialize_object::<_, PetPartial>(&mut twice).unwrap_err();
/// assert!(err.to_string().starts_with("duplicate field `name`"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait PartialObject: Default {
    /// The struct this finishes into.
    type Object;
    /// What the error says was expected when the value is not an object.
    const EXPECTING: &'static str;
    /// The index of a documented property's key, `None` for any other key.
    fn field(key: &str) -> Option<usize>;
    /// Reads the value of documented property `field` (an index from [`Self::field`]) into its
    /// slot; fails on a duplicate key.
    ///
    /// # Errors
    /// The value does not fit, or the key came before.
    fn read<'de, A: MapAccess<'de>>(&mut self, field: usize, map: &mut A) -> Result<(), A::Error>;
    /// The struct, with the unknown keys in `extra`; fails when a required property is missing.
    ///
    /// # Errors
    /// A required property is missing.
    fn finish<E: Error>(self, extra: Extra) -> Result<Self::Object, E>;
}

/// Reads a JSON object through the partial object `P`: documented keys go to their slots, other
/// keys to `extra` (in the order sent), a repeated key is an error.
///
/// # Errors
/// The value is not an object, a property does not fit its type, a key is repeated, or a
/// required property is missing.
#[inline]
pub fn deserialize_object<'de, D, P>(deserializer: D) -> Result<P::Object, D::Error>
where
    D: Deserializer<'de>,
    P: PartialObject,
{
    deserializer.deserialize_map(ObjectVisitor::<P>(PhantomData))
}

/// Fills a slot that may be filled once: a required property, or an optional one that is never
/// `null` (`Option<Option<T>>` for a required one that may be).
///
/// # Errors
/// The value does not fit `T`, or the slot is already filled (a duplicate key).
#[inline]
pub fn read_once<'de, A, T>(
    slot: &mut Option<T>,
    wire: &'static str,
    map: &mut A,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(A::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Fills a [`Nullable`] slot: an optional property that may be `null`.
///
/// # Errors
/// The value does not fit `T`, or the slot is already filled (a duplicate key).
#[inline]
pub fn read_nullable<'de, A, T>(
    slot: &mut Nullable<T>,
    wire: &'static str,
    map: &mut A,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if !slot.is_absent() {
        return Err(A::Error::duplicate_field(wire));
    }
    *slot = map.next_value()?;
    Ok(())
}

/// The value of a required property, or the missing-field error.
///
/// # Errors
/// The slot is empty.
#[inline]
pub fn required<T, E: Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

struct ObjectVisitor<P>(PhantomData<P>);

impl<'de, P: PartialObject> Visitor<'de> for ObjectVisitor<P> {
    type Value = P::Object;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(P::EXPECTING)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<P::Object, A::Error> {
        let mut partial = P::default();
        let mut extra = Extra::new();
        while let Some(key) = map.next_key_seed(KeySeed::<P>(PhantomData))? {
            match key {
                Key::Field(index) => partial.read(index, &mut map)?,
                Key::Other(name) => {
                    let value = map.next_value()?;
                    extra.insert(name, value);
                }
            }
        }
        partial.finish(extra)
    }
}

/// A key: a documented property's index, or another key kept by name.
enum Key {
    Field(usize),
    Other(String),
}

/// Matches a key without allocating unless it is unknown.
struct KeySeed<P>(PhantomData<P>);

impl<'de, P: PartialObject> DeserializeSeed<'de> for KeySeed<P> {
    type Value = Key;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<P: PartialObject> Visitor<'_> for KeySeed<P> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, value: &str) -> Result<Key, E> {
        Ok(match P::field(value) {
            Some(index) => Key::Field(index),
            None => Key::Other(value.to_owned()),
        })
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Key, E> {
        Ok(match P::field(&value) {
            Some(index) => Key::Field(index),
            None => Key::Other(value),
        })
    }
}
