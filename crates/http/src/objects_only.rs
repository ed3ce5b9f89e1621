//! A serde [`Deserializer`] adapter that reads structs only from maps (JSON objects).
//!
//! serde_json answers `deserialize_struct` with `visit_seq` when the input is an array, and
//! derived struct visitors accept a sequence as the fields in declaration order: so
//! `[null, null]` is a valid `{"status": null, "assignee_id": null}`, at any depth. The OpenAPI
//! document says every request body and every nested DTO is an object; this adapter makes the
//! server agree by asking the inner deserializer for a map wherever a struct is wanted, and by
//! wrapping every nested deserializer the same way. serde's maintainers leave this to the
//! format (serde-rs/serde#1587); the adapter is that format rule, put over serde_json.
//!
//! Integers are read as JSON Schema defines them too: `1.0` is an integer ([`Integral`]).
//!
//! What it cannot see: types that buffer their input through serde's private `Content` (an
//! internally tagged or untagged enum, `flatten`) deserialize their members from that buffer,
//! not from this adapter. Request DTOs of that kind go through a plain struct instead
//! (`#[serde(try_from = ...)]`), as `SendMessageRequest` does.

use std::fmt;

use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// Wraps a deserializer so that every struct in the value must come from a map.
#[derive(Debug)]
pub(crate) struct ObjectsOnly<D>(pub(crate) D);

/// Forwards `deserialize_*` methods that take only a visitor, wrapping the visitor.
macro_rules! forward_visitor_only {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(Wrap(visitor))
        }
    )*};
}

/// Forwards the integer `deserialize_*` methods, reading integral floats as integers.
macro_rules! forward_integers {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            self.0.$method(Integral(Wrap(visitor)))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectsOnly<D> {
    type Error = D::Error;

    forward_visitor_only! {
        deserialize_any deserialize_bool deserialize_f32 deserialize_f64 deserialize_char
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
        deserialize_identifier deserialize_ignored_any
    }

    forward_integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
    }

    /// The point of the adapter: a struct is read as a map, so a sequence is a type error.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(Wrap(visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_unit_struct(name, Wrap(visitor))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_newtype_struct(name, Wrap(visitor))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple(len, Wrap(visitor))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_tuple_struct(name, len, Wrap(visitor))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, Wrap(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// A visitor whose nested deserializers (and the accessors handing them out) are wrapped too.
struct Wrap<V>(V);

/// Forwards `visit_*` methods that take a plain value.
macro_rules! forward_values {
    ($($method:ident: $ty:ty)*) => {$(
        fn $method<E: serde::de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            self.0.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    forward_values! {
        visit_bool: bool visit_i8: i8 visit_i16: i16 visit_i32: i32 visit_i64: i64
        visit_i128: i128 visit_u8: u8 visit_u16: u16 visit_u32: u32 visit_u64: u64
        visit_u128: u128 visit_f32: f32 visit_f64: f64 visit_char: char visit_str: &str
        visit_borrowed_str: &'de str visit_string: String visit_bytes: &[u8]
        visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(ObjectsOnly(deserializer))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(ObjectsOnly(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(Wrap(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(Wrap(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(Wrap(data))
    }
}

/// An integer visitor that also takes a float with no fractional part: JSON Schema's `integer`
/// is any number that is mathematically an integer, so `1.0` is a valid `"type": "integer"`
/// (serde_json reads it as a float). Only floats below 2^53 qualify: above, a float is not
/// exactly the number that was written (serde_json also reads integers beyond `u64` as floats,
/// and `-9223372036854775809` would round to `i64::MIN`). Other floats stay type errors; the
/// wrapped visitor still checks the range of its type.
struct Integral<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Integral<V> {
    type Value = V::Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(formatter)
    }

    forward_values! {
        visit_i64: i64 visit_i128: i128 visit_u64: u64 visit_u128: u128
    }

    // Below 2^53 in magnitude an integral float converts exactly.
    #[allow(clippy::cast_possible_truncation)]
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if v.fract() == 0.0 && v.abs() < EXACT {
            self.0.visit_i64(v as i64)
        } else {
            self.0.visit_f64(v)
        }
    }
}

/// A seed whose deserializer is wrapped.
struct WrapSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for WrapSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(ObjectsOnly(deserializer))
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0.next_element_seed(WrapSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        self.0.next_key_seed(WrapSeed(seed))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        self.0.next_value_seed(WrapSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Wrap<A> {
    type Error = A::Error;
    type Variant = Wrap<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), Self::Error> {
        self.0
            .variant_seed(WrapSeed(seed))
            .map(|(value, variant)| (value, Wrap(variant)))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Wrap<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        self.0.newtype_variant_seed(WrapSeed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.tuple_variant(len, Wrap(visitor))
    }

    /// serde offers no way to ask a variant for a map, so an externally tagged struct variant
    /// (`{"Variant": [..]}`) still takes a sequence; no request DTO has one.
    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.struct_variant(fields, Wrap(visitor))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::ObjectsOnly;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        code: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: Option<String>,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        any: Option<serde_json::Value>,
    }

    fn parse<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = T::deserialize(ObjectsOnly(&mut de))?;
        de.end()?;
        Ok(value)
    }

    #[test]
    fn a_struct_given_as_an_array_is_a_type_error() {
        let error = parse::<Outer>("[null, null, null, null]").unwrap_err();
        assert!(error.is_data(), "{error}");
        assert!(
            error.to_string().contains("invalid type: sequence"),
            "{error}"
        );
        // serde_json alone takes it.
        assert!(serde_json::from_str::<Outer>("[null, null, null, null]").is_ok());
    }

    #[test]
    fn nested_structs_given_as_arrays_are_type_errors() {
        for text in [
            r#"{"inner": ["en_US"]}"#,
            r#"{"list": [{"code": "a"}, ["b"]]}"#,
        ] {
            let error = parse::<Outer>(text).unwrap_err();
            assert!(error.is_data(), "{text}: {error}");
            assert!(serde_json::from_str::<Outer>(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn objects_arrays_of_objects_and_free_json_still_parse() {
        let parsed = parse::<Outer>(
            r#"{"name": "x", "inner": {"code": "en"}, "list": [{"code": "a"}], "any": [1, [2], {"b": [3]}]}"#,
        )
        .unwrap();
        assert_eq!(parsed.inner, Some(Inner { code: "en".into() }));
        assert_eq!(parsed.list.map(|l| l.len()), Some(1));
        assert_eq!(parsed.any, Some(serde_json::json!([1, [2], {"b": [3]}])));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Numbers {
        id: i64,
        limit: u32,
    }

    #[test]
    fn integral_floats_are_integers_as_json_schema_counts_them() {
        let parsed = parse::<Numbers>(r#"{"id": 1103014.0, "limit": 5.0}"#).unwrap();
        assert_eq!(
            parsed,
            Numbers {
                id: 1_103_014,
                limit: 5
            }
        );
        assert!(serde_json::from_str::<Numbers>(r#"{"id": 1103014.0, "limit": 5}"#).is_err());
        for text in [
            r#"{"id": 1.5, "limit": 5}"#,
            r#"{"id": 1, "limit": -1.0}"#,
            r#"{"id": 1e300, "limit": 5}"#,
            r#"{"id": -9223372036854775809, "limit": 5}"#,
            r#"{"id": 9223372036854775808, "limit": 5}"#,
        ] {
            assert!(parse::<Numbers>(text).unwrap_err().is_data(), "{text}");
        }
    }

    #[test]
    fn serde_json_errors_keep_their_wording() {
        let error = parse::<Outer>(r#"{"nam": 1}"#).unwrap_err();
        assert!(
            error.to_string().starts_with("unknown field `nam`"),
            "{error}"
        );
        let error = parse::<Inner>(r#"{"code": "a", "code": "b"}"#).unwrap_err();
        assert!(
            error.to_string().starts_with("duplicate field `code`"),
            "{error}"
        );
    }
}
