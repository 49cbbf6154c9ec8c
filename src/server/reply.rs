//! Building responses: JSON bodies with the right status and content type, and the error
//! shapes each API uses.
//!
//! Why one place: every answer of every API is JSON (or problem+json), and none of the
//! helpers here may fail on request data, so handlers never need `unwrap`.

use axum::body::Body;
use axum::http::header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

pub(crate) const APPLICATION_JSON: &str = "application/json";
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// A response with `body` and the given content type.
pub(crate) fn bytes(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `value` serialized as `application/json`.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    json_as(status, APPLICATION_JSON, value)
}

/// `value` serialized with the given JSON content type.
pub(crate) fn json_as<T: Serialize + ?Sized>(
    status: StatusCode,
    content_type: &'static str,
    value: &T,
) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => bytes(status, content_type, body),
        // Our response types are plain structs and string-keyed maps; this does not happen.
        Err(_) => bytes(
            StatusCode::INTERNAL_SERVER_ERROR,
            APPLICATION_JSON,
            r#"{"error":"internal_error","message":"response serialization failed"}"#,
        ),
    }
}

/// The error object of tropipay and onboard: `{"error": code, "message": text}`.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json(status, &json!({ "error": code, "message": message }))
}

/// A 401 answer of a Bearer API also names the scheme it wants.
pub(crate) fn with_bearer_challenge(mut response: Response) -> Response {
    if response.status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The answer for any path (or method) the server does not serve.
pub(crate) fn not_found(method: &Method, uri: &Uri) -> Response {
    json(
        StatusCode::NOT_FOUND,
        &json!({
            "error": "not_found",
            "message": format!("no endpoint for {method} {}", uri.path()),
        }),
    )
}

/// How an API spells its error object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ErrorStyle {
    /// `{"error": code, "message": text}` (tropipay).
    Message,
    /// `{"error": code, "msg": text}` (tss, whose documented answers use `msg`).
    Msg,
}

/// An error answer of a Bearer API, not yet rendered: small enough to travel in a
/// `Result` and be returned with `?`.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) style: ErrorStyle,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(
        style: ErrorStyle,
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            style,
            code,
            message: message.into(),
        }
    }
}

impl axum::response::IntoResponse for Failure {
    fn into_response(self) -> Response {
        let key = match self.style {
            ErrorStyle::Message => "message",
            ErrorStyle::Msg => "msg",
        };
        let mut body = serde_json::Map::new();
        body.insert("error".into(), self.code.into());
        body.insert(key.into(), self.message.into());
        with_bearer_challenge(json(self.status, &body))
    }
}
