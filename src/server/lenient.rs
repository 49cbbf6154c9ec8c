//! The lenient mode: a second correct implementation of the four documents that takes the
//! other side of every reading in `docs/decisions.md` and of the freedoms the documents leave.
//!
//! Why: the harness's rule is that a target fails only on what its document states; where the
//! document is silent, the contract's reading is a *decision* and is reported as an advisory.
//! A run against a lenient server must therefore have no failures, only advisories. The mode
//! is on with `ServerOptions::lenient` and lives in `Shared::lenient`; every sentence of the
//! documents (cross-call promises included) holds in both modes. Each API module's own docs
//! say what it changes; this is the overview.
//!
//! - Error statuses (`reply::refusal_status`, one table): 403 for credentials on tss, tenpay
//!   and onboard (a logged-out tss session included; tropipay keeps 401, its table says "401
//!   Unauthorized - Invalid authentication", a disabled account included), 422 for invalid
//!   tss input (the state's refusals too: wrong old password or otp), 415 for a body under a
//!   non-JSON `Content-Type` on every API that reads one, tenpay 404 for an invalid id and
//!   410 for an unknown one. Tropipay keeps 400 for invalid parameters.
//! - Error bodies (`reply::error`, `tenpay::problem`): tss, tropipay and onboard 4xx have no
//!   body and no `Content-Type`; tenpay 4xx are `application/json` problem-details-shaped
//!   objects. 5xx keep their JSON bodies.
//! - The body is read before the credentials are checked (`reply::in_order`).
//! - Success bodies ([`dress`]): members in reversed order at every level, and `x_lenient`
//!   and `requestId` first.
//! - Transport ([`transport`]): `application/json; charset=utf-8` and `Connection: close` on
//!   every response.
//! - tropipay: sendSecurityCode 202, 2fa and pass 204, none with a body (disable keeps its
//!   documented 200 body); oldPass/newPass of any length from 1 character; phone and
//!   callingCode any non-empty string (a callingCode without `+` still means `+`); any
//!   `/2fa` code string (the document says "Verification code"; validateToken's "6-digit
//!   security code" is stated and kept); emails without length limits; negative `balance`
//!   and `pendingOut`, other `state`, `kycLevel` and `twoFaMode` codes; timestamps with a
//!   numeric offset (still RFC 3339).
//! - tss: names, passwords and emails of any length (passwords at least 1 character), any
//!   gender string (stored as sent), any `platform`, telephones of digits with an optional
//!   leading `+`, spaces and dashes (compared without the spaces and dashes, for uniqueness
//!   and the OTP), any otp string; negative money (still 2 decimals), expiry dates written
//!   as date-times.
//! - tenpay: ids with a leading `+` or leading zeros read as the number (percent-encoding
//!   and the range 1..2147483647 still refused with 404).
//! - onboard: a role beyond CUSTOMER/PARTNER (`ADMIN`), `profile.country` a country name,
//!   `profile.dob` a plain date, `profile.status` outside the kycStatus list.
//!
//! Faults compose: each applies on top of the mode (see `faults`).

use std::fmt;

use axum::extract::Request;
use axum::http::header::{HeaderValue, CONNECTION, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::Response;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// The content type of every lenient JSON answer.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A JSON value that keeps its members in the order they were written (serde_json's `Map`
/// sorts them unless its `preserve_order` feature is on, which nothing here may rely on).
#[derive(Debug, Clone, PartialEq)]
enum Ordered {
    Leaf(Value),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    /// Reverses the members of every object, at every depth.
    fn reverse_members(&mut self) {
        match self {
            Self::Leaf(_) => {}
            Self::Array(items) => items.iter_mut().for_each(Self::reverse_members),
            Self::Object(members) => {
                members.reverse();
                for (_, value) in members.iter_mut() {
                    value.reverse_members();
                }
            }
        }
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ordered, E> {
        // JSON text has no NaN or infinity, so `from_f64` always has a number to give.
        Ok(Ordered::Leaf(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Ordered, E> {
        Ok(Ordered::Leaf(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ordered::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Ordered>()? {
            members.push((key, value));
        }
        Ok(Ordered::Object(members))
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Leaf(value) => value.serialize(serializer),
            Self::Array(items) => serializer.collect_seq(items),
            Self::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// A success body as the lenient server writes it: `value` with its members reversed at
/// every level (the documents' examples fix no order) and, when it is an object, two
/// undocumented members in front (`x_lenient` and a fresh `requestId`; decisions.md allows
/// extra response properties everywhere).
pub(crate) fn dress<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let text = serde_json::to_string(value)?;
    let mut tree: Ordered = serde_json::from_str(&text)?;
    tree.reverse_members();
    if let Ordered::Object(members) = &mut tree {
        let extras = [
            ("x_lenient", Value::Bool(true)),
            ("requestId", Value::String(uuid::Uuid::new_v4().to_string())),
        ];
        for (key, value) in extras.into_iter().rev() {
            if !members.iter().any(|(known, _)| known == key) {
                members.insert(0, (key.to_string(), Ordered::Leaf(value)));
            }
        }
    }
    serde_json::to_string(&tree)
}

/// The lenient transport: every response says `Connection: close` (so a client opens a new
/// connection per request), and a plain `application/json` type gains `charset=utf-8`. Other
/// types (a fault's `text/plain`, problem+json) are left alone; bodies are never touched, so
/// streaming and hostile bodies go through as they are.
pub(crate) async fn transport(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    let plain_json = headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == super::reply::APPLICATION_JSON.as_bytes());
    if plain_json {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    }
    response
}

/// The member names of a JSON object's text, in the order written (for tests of the order).
#[cfg(test)]
pub(crate) fn top_level_keys(text: &str) -> Vec<String> {
    match serde_json::from_str::<Ordered>(text) {
        Ok(Ordered::Object(members)) => members.into_iter().map(|(key, _)| key).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde_json::json;

    #[derive(serde::Serialize)]
    struct Example {
        first: u32,
        second: &'static str,
        nested: Nested,
    }

    #[derive(serde::Serialize)]
    struct Nested {
        a: bool,
        z: Vec<i64>,
        m: f64,
    }

    #[test]
    fn dress_reverses_and_adds_members() {
        let text = dress(&Example {
            first: 1,
            second: "two",
            nested: Nested {
                a: true,
                z: vec![-1, 2],
                m: 150.5,
            },
        })
        .unwrap();
        assert_eq!(
            top_level_keys(&text),
            ["x_lenient", "requestId", "nested", "second", "first"]
        );
        assert!(
            text.contains(r#""nested":{"m":150.5,"z":[-1,2],"a":true}"#),
            "{text}"
        );
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["x_lenient"], true);
        assert!(uuid::Uuid::parse_str(value["requestId"].as_str().unwrap()).is_ok());
        assert_eq!(value["first"], 1);
    }

    #[test]
    fn dress_keeps_values_and_existing_members() {
        let value = json!({"requestId": "mine", "n": null, "big": u64::MAX, "neg": -12.5});
        let dressed: Value = serde_json::from_str(&dress(&value).unwrap()).unwrap();
        assert_eq!(dressed["requestId"], "mine");
        assert_eq!(dressed["big"], u64::MAX);
        assert_eq!(dressed["neg"], -12.5);
        assert!(dressed["n"].is_null());
        assert_eq!(dress(&json!([3, 2])).unwrap(), "[3,2]");
    }
}
