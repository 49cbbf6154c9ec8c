//! A target's body read as JSON, strictly: the one parser the checks use on response bodies.
//!
//! Why not plain `serde_json::from_slice`: it silently keeps the last of two members with the
//! same name. RFC 8259 §4 says names SHOULD be unique and that readers of an object with
//! duplicate names disagree on its meaning (first wins, last wins, error), so a body with
//! them does not say one thing a client can rely on: conform judges it a failure of the
//! `schema` check, naming the key and where it is. The other limits come from serde_json and
//! are kept: nesting deeper than 128 levels is an error (never a stack overflow), and a
//! number outside the range of an `f64` (`1e400`) is an error rather than infinity.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Deepest nesting serde_json reads (its recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Why a body is not JSON conform can judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("an empty body")]
    Empty,
    #[error("a body that is not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("JSON nested deeper than {MAX_DEPTH} levels ({detail})")]
    TooDeep { detail: String },
    #[error("a JSON number outside the range of a double ({detail})")]
    NumberOutOfRange { detail: String },
    #[error(
        "JSON with the member {key:?} twice in the object at {pointer:?} ({detail}); RFC 8259 \
         says names should be unique, and readers disagree on which value counts"
    )]
    DuplicateKey {
        key: String,
        pointer: String,
        detail: String,
    },
    #[error("a body that is not JSON ({detail})")]
    NotJson { detail: String },
}

/// Parses `body` as one JSON value, rejecting duplicate member names.
pub fn parse(body: &[u8]) -> Result<Value, BodyError> {
    if body.is_empty() {
        return Err(BodyError::Empty);
    }
    let text = std::str::from_utf8(body).map_err(|e| BodyError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let path = RefCell::new(Vec::new());
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Seed {
        path: &path,
        duplicate: &duplicate,
    };
    let result = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    result.map_err(|e| {
        let detail = e.to_string();
        if let Some((key, pointer)) = duplicate.into_inner() {
            BodyError::DuplicateKey {
                key,
                pointer,
                detail,
            }
        } else if detail.starts_with("recursion limit exceeded") {
            BodyError::TooDeep { detail }
        } else if detail.starts_with("number out of range") {
            BodyError::NumberOutOfRange { detail }
        } else {
            BodyError::NotJson { detail }
        }
    })
}

/// Builds a [`Value`], keeping the path from the root for the duplicate-key message.
#[derive(Clone, Copy)]
struct Seed<'a> {
    path: &'a RefCell<Vec<String>>,
    duplicate: &'a RefCell<Option<(String, String)>>,
}

impl Seed<'_> {
    fn pointer(&self) -> String {
        self.path
            .borrow()
            .iter()
            .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.path.borrow_mut().push(items.len().to_string());
            let next = seq.next_element_seed(self)?;
            self.path.borrow_mut().pop();
            match next {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let pointer = self.pointer();
                *self.duplicate.borrow_mut() = Some((key.clone(), pointer));
                return Err(de::Error::custom(format!("duplicate member {key:?}")));
            }
            self.path.borrow_mut().push(key.clone());
            let value = map.next_value_seed(self)?;
            self.path.borrow_mut().pop();
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ordinary_json_like_serde_json() {
        for text in [
            r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}]}"#,
            "[]",
            "0",
            r#""s""#,
        ] {
            let ours = parse(text.as_bytes()).unwrap();
            let theirs: Value = serde_json::from_str(text).unwrap();
            assert_eq!(ours, theirs, "{text}");
        }
    }

    #[test]
    fn hostile_bodies_are_clear_errors() {
        assert_eq!(parse(b""), Err(BodyError::Empty));
        assert_eq!(
            parse(b"{\"a\":\"\xff\"}"),
            Err(BodyError::NotUtf8 { offset: 6 })
        );
        let deep = [vec![b'['; 10_000], vec![b']'; 10_000]].concat();
        assert!(matches!(parse(&deep), Err(BodyError::TooDeep { .. })));
        assert!(matches!(
            parse(br#"{"n":1e400}"#),
            Err(BodyError::NumberOutOfRange { .. })
        ));
        assert!(matches!(parse(b"{} x"), Err(BodyError::NotJson { .. })));
        assert!(matches!(parse(b"{\"a\":"), Err(BodyError::NotJson { .. })));
    }

    #[test]
    fn duplicate_keys_name_the_key_and_the_object() {
        let e = parse(br#"{"a":[{"x":1},{"y/z":{"k":1,"k":2}}]}"#).unwrap_err();
        assert_eq!(
            e,
            BodyError::DuplicateKey {
                key: "k".into(),
                pointer: "/a/1/y~1z".into(),
                detail: "duplicate member \"k\" at line 1 column 31".into(),
            }
        );
        assert!(e.to_string().contains("RFC 8259"), "{e}");
        // The same name in different objects is fine.
        assert!(parse(br#"[{"k":1},{"k":2}]"#).is_ok());
    }
}
