//! Reading what a request carries: credentials and a JSON object body.
//!
//! Why by hand rather than axum's `Json` extractor: decisions.md fixes the exact answer for
//! every malformed request (400 with a JSON body, after authentication), the lenient mode
//! another one (415 for the media type, the API's own status otherwise), and the extractor's
//! own rejections (415, 422, plain-text bodies) would match neither.

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::reply::Refusal;

/// Bodies larger than this are refused as invalid (every documented field is short).
const BODY_LIMIT: usize = 1 << 20;

/// Why a body is not a usable JSON object.
#[derive(thiserror::Error, Debug)]
pub(crate) enum BodyError {
    #[error("content-type must be application/json")]
    ContentType,
    #[error("request body could not be read or is larger than {BODY_LIMIT} bytes")]
    Unreadable,
    #[error("request body is not valid json: {0}")]
    NotJson(#[source] serde_json::Error),
    #[error("request body must be a json object")]
    NotObject,
}

impl BodyError {
    /// The kind of refusal: a wrong media type is its own (415 in lenient mode); anything
    /// else is an invalid body.
    pub(crate) fn refusal(&self) -> Refusal {
        match self {
            Self::ContentType => Refusal::MediaType,
            Self::Unreadable | Self::NotJson(_) | Self::NotObject => Refusal::Invalid,
        }
    }
}

/// How a caller presented a token in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Bearer,
    Basic,
}

/// The token of a single `Authorization: <scheme> <token>` header, with the scheme
/// (compared case-insensitively, as RFC 9110 says). Anything else is `None`.
pub(crate) fn authorization(headers: &HeaderMap) -> Option<(Scheme, &str)> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let text = value.to_str().ok()?;
    let (scheme, token) = text.trim().split_once(' ')?;
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Some((Scheme::Bearer, token))
    } else if scheme.eq_ignore_ascii_case("basic") {
        Some((Scheme::Basic, token))
    } else {
        None
    }
}

/// The bearer token, or, when `accept_basic`, a Basic one too.
pub(crate) fn bearer(headers: &HeaderMap, accept_basic: bool) -> Option<&str> {
    match authorization(headers)? {
        (Scheme::Bearer, token) => Some(token),
        (Scheme::Basic, token) if accept_basic => Some(token),
        (Scheme::Basic, _) => None,
    }
}

/// The value of a single, non-empty header `name`.
pub(crate) fn single_header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let text = value.to_str().ok()?.trim();
    (!text.is_empty()).then_some(text)
}

/// True when `Content-Type` is `application/json`, parameters allowed.
pub(crate) fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads the body as a JSON object. `check_content_type` false skips the media-type rule.
pub(crate) async fn json_object(
    headers: &HeaderMap,
    body: Body,
    check_content_type: bool,
) -> Result<Map<String, Value>, BodyError> {
    if check_content_type && !is_json_content_type(headers) {
        return Err(BodyError::ContentType);
    }
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| BodyError::Unreadable)?;
    match serde_json::from_slice::<Value>(&bytes).map_err(BodyError::NotJson)? {
        Value::Object(map) => Ok(map),
        _ => Err(BodyError::NotObject),
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn bearer_rules() {
        assert_eq!(
            bearer(&with("authorization", "Bearer abc"), false),
            Some("abc")
        );
        assert_eq!(
            bearer(&with("authorization", "bearer abc"), false),
            Some("abc")
        );
        assert_eq!(bearer(&with("authorization", "Basic abc"), false), None);
        assert_eq!(
            bearer(&with("authorization", "Basic abc"), true),
            Some("abc")
        );
        assert_eq!(bearer(&with("authorization", "Bearer "), false), None);
        assert_eq!(bearer(&with("authorization", "abc"), false), None);
        assert_eq!(bearer(&with("x-auth-token", "abc"), false), None);
    }

    #[test]
    fn content_types() {
        assert!(is_json_content_type(&with(
            "content-type",
            "application/json"
        )));
        assert!(is_json_content_type(&with(
            "content-type",
            "Application/JSON; charset=utf-8"
        )));
        assert!(!is_json_content_type(&with("content-type", "text/plain")));
        assert!(!is_json_content_type(&with(
            "content-type",
            "application/jsonx"
        )));
        assert!(!is_json_content_type(&HeaderMap::new()));
    }
}
