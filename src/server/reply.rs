//! Building responses: JSON bodies with the right status and content type, and the error
//! answers of each API in each mode.
//!
//! Why one place: every answer of every API is JSON (or problem+json), and none of the
//! helpers here may fail on request data, so handlers never need `unwrap`. Handlers name
//! *why* they refuse a request ([`Refusal`]); [`refusal_status`] and [`error`] turn that into
//! a status and a body for the API and the mode, so the strict/lenient split of error answers
//! is one table here instead of an `if` in every handler (see `lenient` for the mode).

use axum::body::Body;
use axum::http::header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::lenient;

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

/// A response without a body (and so without a `Content-Type`).
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// `value` serialized as `application/json`.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    json_as(status, APPLICATION_JSON, value)
}

/// The answer for a body that cannot be serialized. Our response types are plain structs
/// and string-keyed maps; this does not happen.
fn serialization_failed() -> Response {
    bytes(
        StatusCode::INTERNAL_SERVER_ERROR,
        APPLICATION_JSON,
        r#"{"error":"internal_error","message":"response serialization failed"}"#,
    )
}

/// `value` serialized with the given JSON content type.
pub(crate) fn json_as<T: Serialize + ?Sized>(
    status: StatusCode,
    content_type: &'static str,
    value: &T,
) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => bytes(status, content_type, body),
        Err(_) => serialization_failed(),
    }
}

/// The text of a success body: `value` as it is, or dressed by the lenient mode (extra
/// members, reversed member order; see [`lenient::dress`]).
pub(crate) fn success_text<T: Serialize + ?Sized>(
    lenient: bool,
    value: &T,
) -> serde_json::Result<String> {
    if lenient {
        lenient::dress(value)
    } else {
        serde_json::to_string(value)
    }
}

/// A 2xx JSON answer: `value`, dressed when `lenient`.
pub(crate) fn success<T: Serialize + ?Sized>(
    lenient: bool,
    status: StatusCode,
    value: &T,
) -> Response {
    match success_text(lenient, value) {
        Ok(text) => bytes(status, APPLICATION_JSON, text),
        Err(_) => serialization_failed(),
    }
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

/// The answer for any path (or method) the server does not serve. It belongs to no API's
/// document, so it is the same JSON object in both modes.
pub(crate) fn not_found(method: &Method, uri: &Uri) -> Response {
    json(
        StatusCode::NOT_FOUND,
        &json!({
            "error": "not_found",
            "message": format!("no endpoint for {method} {}", uri.path()),
        }),
    )
}

/// Which API an answer belongs to: each spells its errors its own way, and the lenient mode
/// treats tropipay (whose document has an error-code table) apart from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Tropipay,
    Tss,
    Tenpay,
    Onboard,
}

/// Why a request is refused. The status follows from the API and the mode
/// ([`refusal_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Missing, empty, unknown or expired credentials, another scheme, the token in the wrong
    /// header, or the token of a disabled account or a logged-out session.
    Unauthenticated,
    /// A parameter or body that breaks a rule, a body that is not a JSON object, or a request
    /// the state refuses (a wrong old password or code, nothing waiting for an OTP).
    Invalid,
    /// A body sent under a `Content-Type` that is not JSON.
    MediaType,
    /// A well-formed reference to something that does not exist (a tenpay id with no user).
    Unknown,
    /// The request collides with another account's data (a tss telephone already taken).
    Conflict,
    /// A status fixed by a fault or a server error; never remapped.
    Fixed(StatusCode),
}

/// The status of a refusal.
///
/// Strict (decisions.md): 401 for credentials, 400 for anything invalid (the media type
/// included), 404 for an unknown tenpay id, 409 for a taken telephone.
///
/// Lenient takes another 4xx wherever the document names none: 403 for credentials (tropipay
/// keeps 401, its table says "401 Unauthorized - Invalid authentication"), 422 for invalid
/// tss input, 404 for an invalid tenpay id and 410 for an unknown one, 415 for a non-JSON
/// media type on every API. Tropipay keeps 400 for invalid parameters ("400 Bad Request -
/// Invalid parameters").
pub(crate) fn refusal_status(api: Api, lenient: bool, refusal: Refusal) -> StatusCode {
    match (refusal, lenient) {
        (Refusal::Fixed(status), _) => status,
        (Refusal::Conflict, _) => StatusCode::CONFLICT,
        (Refusal::Unauthenticated, false) => StatusCode::UNAUTHORIZED,
        (Refusal::Unauthenticated, true) => match api {
            Api::Tropipay => StatusCode::UNAUTHORIZED,
            Api::Tss | Api::Tenpay | Api::Onboard => StatusCode::FORBIDDEN,
        },
        (Refusal::Invalid | Refusal::MediaType, false) => StatusCode::BAD_REQUEST,
        (Refusal::Invalid, true) => match api {
            Api::Tss => StatusCode::UNPROCESSABLE_ENTITY,
            Api::Tenpay => StatusCode::NOT_FOUND,
            Api::Tropipay | Api::Onboard => StatusCode::BAD_REQUEST,
        },
        (Refusal::MediaType, true) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        (Refusal::Unknown, false) => StatusCode::NOT_FOUND,
        (Refusal::Unknown, true) => StatusCode::GONE,
    }
}

/// An error answer of tropipay, tss or onboard (tenpay's problem details are built in
/// `tenpay`, which knows the request path for `instance`).
///
/// Strict: a JSON object, `{"error": code, "message": text}` (tss: `"msg"`, the key of its
/// documented answers). Lenient: a 4xx has no body at all, since none of these documents
/// shows an error body; a 5xx keeps the JSON object. A 401 of a Bearer API names the scheme.
pub(crate) fn error(
    api: Api,
    lenient: bool,
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response {
    let response = if lenient && status.is_client_error() {
        empty(status)
    } else {
        let key = if api == Api::Tss { "msg" } else { "message" };
        let mut body = serde_json::Map::new();
        body.insert("error".into(), code.into());
        body.insert(key.into(), message.into());
        json(status, &body)
    };
    match api {
        Api::Tropipay | Api::Tss | Api::Tenpay => with_bearer_challenge(response),
        Api::Onboard => response,
    }
}

/// An error answer, not yet rendered: small enough to travel in a `Result` and be returned
/// with `?`.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) api: Api,
    pub(crate) lenient: bool,
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(
        api: Api,
        lenient: bool,
        refusal: Refusal,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            api,
            lenient,
            status: refusal_status(api, lenient, refusal),
            code,
            message: message.into(),
        }
    }
}

impl axum::response::IntoResponse for Failure {
    fn into_response(self) -> Response {
        error(
            self.api,
            self.lenient,
            self.status,
            self.code,
            &self.message,
        )
    }
}

/// Credentials and body, checked in the mode's order. decisions.md checks the credentials
/// first; lenient takes the other side and reads the body first, so a request with both
/// wrong is refused for its body. `auth` is always computed up front (it changes nothing),
/// only its failure waits.
pub(crate) async fn in_order<A, B>(
    lenient: bool,
    auth: Result<A, Failure>,
    body: impl std::future::Future<Output = Result<B, Failure>>,
) -> Result<(A, B), Failure> {
    if lenient {
        let body = body.await?;
        Ok((auth?, body))
    } else {
        let auth = auth?;
        Ok((auth, body.await?))
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn strict_statuses_are_the_decisions() {
        for api in [Api::Tropipay, Api::Tss, Api::Tenpay, Api::Onboard] {
            let status = |r| refusal_status(api, false, r).as_u16();
            assert_eq!(status(Refusal::Unauthenticated), 401);
            assert_eq!(status(Refusal::Invalid), 400);
            assert_eq!(status(Refusal::MediaType), 400);
            assert_eq!(status(Refusal::Unknown), 404);
            assert_eq!(status(Refusal::Conflict), 409);
            assert_eq!(status(Refusal::Fixed(StatusCode::IM_A_TEAPOT)), 418);
        }
    }

    #[test]
    fn lenient_statuses_take_the_other_4xx() {
        let status = |api, r| refusal_status(api, true, r).as_u16();
        assert_eq!(status(Api::Tropipay, Refusal::Unauthenticated), 401);
        assert_eq!(status(Api::Tropipay, Refusal::Invalid), 400);
        for api in [Api::Tss, Api::Tenpay, Api::Onboard] {
            assert_eq!(status(api, Refusal::Unauthenticated), 403);
        }
        assert_eq!(status(Api::Tss, Refusal::Invalid), 422);
        assert_eq!(status(Api::Tenpay, Refusal::Invalid), 404);
        assert_eq!(status(Api::Tenpay, Refusal::Unknown), 410);
        for api in [Api::Tropipay, Api::Tss, Api::Tenpay, Api::Onboard] {
            assert_eq!(status(api, Refusal::MediaType), 415);
            assert_eq!(
                status(api, Refusal::Fixed(StatusCode::INTERNAL_SERVER_ERROR)),
                500
            );
        }
    }
}
