//! Canonical JSON written straight from any `Serialize` value: every object's keys sorted by
//! their UTF-8 bytes, no whitespace outside strings, strings and numbers as `serde_json` writes
//! them. The bytes are those of `serde_json::to_value` followed by a sorted compact write, without
//! building the `Value`.
//!
//! Why: the report's digest hashes the canonical JSON of every case, and turning each case into
//! a `Value` first (a map node and a `String` per field, all freed again) was a tenth of a run's
//! CPU. Here an object's members are written where they go as they come; only an object whose
//! members arrive out of order (a struct's fields in declaration order) is re-laid, once, by
//! copying its members' byte ranges in sorted order. Nested objects are settled before the one
//! holding them, so the ranges never move under a parent.

use std::borrow::Cow;
use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize};

/// The error of a value that has no JSON form (a map key that is not a string or a number, or
/// what the value's own `Serialize` reports).
pub type Error = serde_json::Error;

/// Appends the canonical JSON of `value` to `out`. On error, `out` holds a partial write.
pub fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    Canonical::default().write(value, out)
}

/// A writer's working space, kept from one value to the next (the digest writes thousands of
/// cases, each with the same few dozen objects).
#[derive(Default)]
pub struct Canonical {
    members: Vec<Member>,
    scratch: Vec<u8>,
}

impl Canonical {
    /// [`write()`], reusing this space.
    pub fn write<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let mut w = Writer {
            out,
            members: std::mem::take(&mut self.members),
            scratch: std::mem::take(&mut self.scratch),
        };
        let written = value.serialize(&mut w);
        // After an error, members of unfinished objects may be left.
        w.members.clear();
        self.members = w.members;
        self.scratch = w.scratch;
        written
    }
}

/// The canonical JSON of `value` as text.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut out = Vec::new();
    write(value, &mut out)?;
    // Only UTF-8 is written: keys and strings come from `str`.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// One member of an object being written: its key and where its `"key":value` lies in `out`.
struct Member {
    key: Cow<'static, str>,
    start: usize,
    end: usize,
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// The members of every object being written, innermost last (one stack, no allocation per
    /// object).
    members: Vec<Member>,
    /// Where an out-of-order object is copied while it is re-laid.
    scratch: Vec<u8>,
}

impl<'x> Writer<'x> {
    fn scalar<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, v)
    }

    /// `{"variant":`, the one member around a tuple or struct variant (nothing to sort).
    fn variant_key(&mut self, variant: &str) -> Result<(), Error> {
        self.out.push(b'{');
        self.scalar(variant)?;
        self.out.push(b':');
        Ok(())
    }

    fn open_object<'w>(&'w mut self) -> Object<'w, 'x> {
        self.out.push(b'{');
        let start = self.out.len();
        let base = self.members.len();
        Object {
            w: self,
            start,
            base,
            ordered: true,
        }
    }
}

/// The scalar methods of a `Serializer`, each `$write(self, v)`.
macro_rules! each_scalar {
    ($write:ident) => {
        each_scalar!($write; serialize_bool: bool, serialize_i8: i8, serialize_i16: i16,
            serialize_i32: i32, serialize_i64: i64, serialize_i128: i128, serialize_u8: u8,
            serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128,
            serialize_char: char);
    };
    ($write:ident; $($method:ident: $t:ty),*) => {
        $(fn $method(self, v: $t) -> Result<Self::Ok, Error> {
            $write(self, v)
        })*
    };
}

fn key_error() -> Error {
    ser::Error::custom("key must be a string")
}

/// An object being written.
struct Object<'w, 'x> {
    w: &'w mut Writer<'x>,
    /// Where its first member begins (just after `{`).
    start: usize,
    /// Its first member in `w.members`.
    base: usize,
    /// Every key so far came after the one before it.
    ordered: bool,
}

impl<'w, 'x> Object<'w, 'x> {
    fn begin(&mut self, key: Cow<'static, str>) -> Result<(), Error> {
        if self.w.members.len() > self.base {
            self.w.out.push(b',');
            let last = &self.w.members[self.w.members.len() - 1].key;
            if last.as_bytes() >= key.as_bytes() {
                self.ordered = false;
            }
        }
        let start = self.w.out.len();
        serde_json::to_writer(&mut *self.w.out, key.as_ref())?;
        self.w.out.push(b':');
        self.w.members.push(Member {
            key,
            start,
            end: start,
        });
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.w)?;
        let end = self.w.out.len();
        if let Some(m) = self.w.members.last_mut() {
            m.end = end;
        }
        Ok(())
    }

    fn member<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.begin(Cow::Borrowed(key))?;
        self.value(value)
    }

    /// Closes the object, re-laid in key order if its members came in another (a key that
    /// came twice keeps its last value, as a JSON map would).
    fn end(self) -> Result<(), Error> {
        self.finish();
        Ok(())
    }

    /// [`Object::end`], giving back the writer (a struct variant closes its `{"variant":`).
    fn finish(self) -> &'w mut Writer<'x> {
        let w = self.w;
        if !self.ordered {
            let members = &mut w.members[self.base..];
            members.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
            w.scratch.clear();
            w.scratch.extend_from_slice(&w.out[self.start..]);
            w.out.truncate(self.start);
            let mut first = true;
            for (i, m) in members.iter().enumerate() {
                // A stable sort keeps repeated keys in the order they came: the last one wins.
                if members.get(i + 1).is_some_and(|next| next.key == m.key) {
                    continue;
                }
                if !first {
                    w.out.push(b',');
                }
                first = false;
                w.out
                    .extend_from_slice(&w.scratch[m.start - self.start..m.end - self.start]);
            }
        }
        w.members.truncate(self.base);
        w.out.push(b'}');
        w
    }
}

/// A sequence being written.
struct Seq<'w, 'x> {
    w: &'w mut Writer<'x>,
    first: bool,
}

impl Seq<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
        value.serialize(&mut *self.w)
    }

    fn end(self) -> Result<(), Error> {
        self.w.out.push(b']');
        Ok(())
    }
}

/// `{"variant": ...}` around a sequence or an object (a tuple or struct variant).
struct Variant<T> {
    inner: T,
}

impl<'w, 'x> ser::Serializer for &'w mut Writer<'x> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'w, 'x>;
    type SerializeTuple = Seq<'w, 'x>;
    type SerializeTupleStruct = Seq<'w, 'x>;
    type SerializeTupleVariant = Variant<Seq<'w, 'x>>;
    type SerializeMap = Object<'w, 'x>;
    type SerializeStruct = Object<'w, 'x>;
    type SerializeStructVariant = Variant<Object<'w, 'x>>;

    each_scalar!(written_as_json);
    // `to_value` keeps an f32 as the f64 it widens to; written the same way here.
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.scalar(&f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.scalar(v)
    }
    // `to_value` makes bytes an array of numbers.
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.scalar(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.scalar(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut o = self.open_object();
        o.member(variant, value)?;
        o.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'w, 'x>, Error> {
        self.out.push(b'[');
        Ok(Seq {
            w: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'w, 'x>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'w, 'x>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<Seq<'w, 'x>>, Error> {
        self.variant_key(variant)?;
        self.out.push(b'[');
        Ok(Variant {
            inner: Seq {
                w: self,
                first: true,
            },
        })
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Object<'w, 'x>, Error> {
        Ok(self.open_object())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'w, 'x>, Error> {
        Ok(self.open_object())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Variant<Object<'w, 'x>>, Error> {
        self.variant_key(variant)?;
        Ok(Variant {
            inner: self.open_object(),
        })
    }
}

/// A sequence's serde traits: every element by [`Seq::element`].
macro_rules! seq_trait {
    ($($trait:ident :: $method:ident),*) => {
        $(impl ser::$trait for Seq<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                Seq::end(self)
            }
        })*
    };
}

seq_trait!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

impl ser::SerializeTupleVariant for Variant<Seq<'_, '_>> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.inner.element(value)
    }
    fn end(self) -> Result<(), Error> {
        let w = self.inner.w;
        w.out.extend_from_slice(b"]}");
        Ok(())
    }
}

impl ser::SerializeMap for Object<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key = key.serialize(KeyText)?;
        self.begin(Cow::Owned(key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        Object::end(self)
    }
}

impl ser::SerializeStruct for Object<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Error> {
        Object::end(self)
    }
}

impl ser::SerializeStructVariant for Variant<Object<'_, '_>> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.inner.member(key, value)
    }
    fn end(self) -> Result<(), Error> {
        let w = self.inner.finish();
        w.out.push(b'}');
        Ok(())
    }
}

/// A map key as JSON would have it: strings as they are, numbers, booleans and unit variants
/// as their text, like `serde_json`'s own map keys.
struct KeyText;

/// A scalar map key's text.
fn key_text(_: KeyText, v: impl Display) -> Result<String, Error> {
    Ok(v.to_string())
}

/// A scalar written by `serde_json` itself.
fn written_as_json(w: &mut Writer<'_>, v: impl Serialize) -> Result<(), Error> {
    w.scalar(&v)
}

impl ser::Serializer for KeyText {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Impossible<String, Error>;
    type SerializeTuple = Impossible<String, Error>;
    type SerializeTupleStruct = Impossible<String, Error>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    each_scalar!(key_text);
    fn serialize_f32(self, _: f32) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_str(self, v: &str) -> Result<String, Error> {
        Ok(v.to_string())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Serialize;
    use serde_json::{json, Value};

    use super::*;

    /// The definition this module must match: the value as a `Value`, written with sorted keys.
    fn through_value<T: Serialize>(v: &T) -> String {
        fn put(v: &Value, out: &mut String) {
            match v {
                Value::Object(map) => {
                    let mut entries: Vec<_> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    out.push('{');
                    for (i, (k, v)) in entries.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push(':');
                        put(v, out);
                    }
                    out.push('}');
                }
                Value::Array(items) => {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        put(item, out);
                    }
                    out.push(']');
                }
                scalar => out.push_str(&serde_json::to_string(scalar).unwrap()),
            }
        }
        let mut out = String::new();
        put(&serde_json::to_value(v).unwrap(), &mut out);
        out
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Pair(i32, &'static str),
        Named { zeta: bool, alpha: Option<u8> },
    }

    #[derive(Serialize)]
    struct Unsorted {
        zulu: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        none: Option<u8>,
        alpha: Vec<Shape>,
        #[serde(rename = "é")]
        accent: f64,
        #[serde(rename = "Z")]
        upper: f32,
        nested: Inner,
        by_number: BTreeMap<u32, &'static str>,
        by_name: HashMap<&'static str, i64>,
        bytes: &'static [u8],
        unit: (),
        tuple: (u8, char),
    }

    #[derive(Serialize)]
    struct Inner {
        y: u64,
        x: Vec<Inner>,
        text: &'static str,
    }

    fn sample() -> Unsorted {
        Unsorted {
            zulu: "quote \" backslash \\ tab \t nul \u{0} é \u{1F600}",
            skipped: None,
            none: None,
            alpha: vec![
                Shape::Unit,
                Shape::New(7),
                Shape::Pair(-3, "p"),
                Shape::Named {
                    zeta: true,
                    alpha: None,
                },
            ],
            accent: 0.1 + 0.2,
            upper: 0.1,
            nested: Inner {
                y: u64::MAX,
                x: vec![Inner {
                    y: 0,
                    x: vec![],
                    text: "",
                }],
                text: "inner",
            },
            by_number: [(10, "ten"), (9, "nine"), (100, "hundred")].into(),
            by_name: [("b", 2), ("a", 1), ("c", -1)].into(),
            bytes: b"\x00\xff",
            unit: (),
            tuple: (1, 'c'),
        }
    }

    #[test]
    fn writes_what_a_value_written_with_sorted_keys_is() {
        let s = sample();
        assert_eq!(to_string(&s).unwrap(), through_value(&s));
        // Numbers as map keys sort as text: "10" < "100" < "9".
        assert!(to_string(&s)
            .unwrap()
            .contains(r#"{"10":"ten","100":"hundred","9":"nine"}"#));
    }

    #[test]
    fn a_value_is_written_canonically() {
        let v = json!({"b": [ {"z": 1, "a": "x y"} ], "a": null, "é": true, "Z": 2.5, "n": -1});
        assert_eq!(
            to_string(&v).unwrap(),
            r#"{"Z":2.5,"a":null,"b":[{"a":"x y","z":1}],"n":-1,"é":true}"#
        );
        assert_eq!(to_string(&v).unwrap(), through_value(&v));
    }

    /// A map that names a key twice (as `#[serde(flatten)]` can): the last value wins.
    struct Twice;
    impl Serialize for Twice {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut m = s.serialize_map(None)?;
            m.serialize_entry("k", &1)?;
            m.serialize_entry("a", &2)?;
            m.serialize_entry("k", &3)?;
            m.end()
        }
    }

    #[test]
    fn a_key_named_twice_keeps_its_last_value() {
        assert_eq!(to_string(&Twice).unwrap(), r#"{"a":2,"k":3}"#);
        assert_eq!(to_string(&Twice).unwrap(), through_value(&Twice));
    }

    #[test]
    fn a_key_that_is_not_text_is_an_error() {
        let m: BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into();
        assert!(to_string(&m).is_err());
    }

    #[test]
    fn the_cases_of_a_real_report_are_written_as_their_values() {
        let report = crate::report::json::parse_report(
            crate::report::json::tests::FORMAT_1,
            std::path::Path::new("r.json"),
        )
        .unwrap()
        .report;
        assert!(!report.cases.is_empty());
        for case in &report.cases {
            assert_eq!(to_string(case).unwrap(), through_value(case));
        }
        assert_eq!(to_string(&report).unwrap(), through_value(&report));
    }
}
