//! 10npay "User Status" (`GET /User/{id}/status`, document 002): verification flags and the
//! lifecycle status of six fixture users, one per canonical status.
//!
//! Why the id is parsed from the raw path: the document says "Do not percent-encode {id}"
//! and decisions.md refuses `%31`, signs, decimals, leading zeros and out-of-range values
//! with 400. A router parameter would decode (or not match) before we could tell.
//!
//! Lenient mode reads a leading `+` and leading zeros as the number they write (`+1001`,
//! `01001`), still refuses percent-encoding and anything outside 1..2147483647 (both stated),
//! and answers 4xx as `application/json` problem-details-shaped objects (the document shows
//! problem details only for 5xx): 403 for credentials, 404 for an invalid id, 410 for an
//! unknown one. Its 200 bodies carry extra members in another order.

use axum::extract::State;
use axum::http::header::{HeaderValue, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use super::app::App;
use super::faults::Fault;
use super::fixtures::{Fixtures, TENPAY_USER_IDS};
use super::reply::{self, Api, Refusal};
use super::{hostile, request};

const ONE_GIB: u64 = 1 << 30;

/// The documented 200 body, in the document's field order.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
struct UserStatus {
    is_email_verified: bool,
    is_phone_number_verified: bool,
    is_sca_verified: bool,
    is_additional_data: bool,
    is_optional_kyc: bool,
    status: u16,
}

/// The users of one server (read-only).
#[derive(Debug)]
pub(crate) struct Directory {
    token: String,
    users: Vec<(u32, UserStatus)>,
    /// Ids already asked for (the rate-limit fault answers 429 to the first ask of each).
    asked: std::sync::Mutex<std::collections::HashSet<String>>,
}

const fn user(flags: [bool; 5], status: u16) -> UserStatus {
    UserStatus {
        is_email_verified: flags[0],
        is_phone_number_verified: flags[1],
        is_sca_verified: flags[2],
        is_additional_data: flags[3],
        is_optional_kyc: flags[4],
        status,
    }
}

impl Directory {
    pub(crate) fn new(fixtures: &Fixtures) -> Self {
        let records = [
            user([false, false, false, false, false], 50), // Registered
            user([true, false, false, false, false], 150), // Pending Verification
            user([true, true, true, true, false], 200),    // Active
            user([true, true, true, false, false], 300),   // Deactivated
            user([true, true, false, true, true], 350),    // Closed
            user([true, false, false, false, false], 400), // Blocked
        ];
        Self {
            token: fixtures.tenpay_token.clone(),
            users: TENPAY_USER_IDS.into_iter().zip(records).collect(),
            asked: Default::default(),
        }
    }

    fn find(&self, id: u32) -> Option<UserStatus> {
        self.users
            .iter()
            .find(|(user_id, _)| *user_id == id)
            .map(|(_, status)| *status)
    }
}

/// Why an id segment is refused.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
enum BadId {
    #[error("id is empty")]
    Empty,
    #[error("id must be written with decimal digits only (no sign, point or percent-encoding)")]
    NotDigits,
    #[error("id must not have leading zeros")]
    LeadingZero,
    /// The id 0 (apart from the other out-of-range values: a fault lets it through).
    #[error("id must be in the range 1..2147483647")]
    Zero,
    #[error("id must be in the range 1..2147483647")]
    OutOfRange,
}

/// The raw `{id}` segment of `/User/{id}/status`, or None for any other path.
fn id_segment(path: &str) -> Option<&str> {
    let segment = path.strip_prefix("/User/")?.strip_suffix("/status")?;
    (!segment.contains('/')).then_some(segment)
}

/// The id of a path segment. Strict: digits only, no leading zero. Lenient: an optional
/// leading `+` and any leading zeros too (`+01001` is 1001).
fn parse_id(segment: &str, lenient: bool) -> Result<u32, BadId> {
    let digits = if lenient {
        segment.strip_prefix('+').unwrap_or(segment)
    } else {
        segment
    };
    if digits.is_empty() {
        return Err(if segment.is_empty() {
            BadId::Empty
        } else {
            BadId::NotDigits
        });
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadId::NotDigits);
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Err(if digits == "0" || lenient {
            BadId::Zero
        } else {
            BadId::LeadingZero
        });
    }
    if significant.len() != digits.len() && !lenient {
        return Err(BadId::LeadingZero);
    }
    if significant.len() > 10 {
        return Err(BadId::OutOfRange);
    }
    match significant.parse::<u32>() {
        Ok(id) if (1..=2_147_483_647).contains(&id) => Ok(id),
        _ => Err(BadId::OutOfRange),
    }
}

/// `path` as a valid URI reference: bytes outside RFC 3986 `pchar` and `/` (which the HTTP
/// parser lets through) and stray `%` are percent-encoded, so `instance` is always a
/// well-formed reference.
fn instance(path: &str) -> String {
    const ALLOWED: &[u8] = b"-._~!$&'()*+,;=:@/";
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escaped_already = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if b.is_ascii_alphanumeric() || ALLOWED.contains(&b) || escaped_already {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A problem-details error answer (RFC 9457) for a refusal; the status follows the mode.
///
/// Strict: `application/problem+json`. Lenient: 4xx are plain `application/json` (the
/// document shows problem details only for 5xx), so `tenpay-problem-as-json` is moot there
/// for 4xx; a 5xx would stay problem+json.
fn problem(app: &App, refusal: Refusal, detail: &str, path: &str) -> Response {
    let status = reply::refusal_status(Api::Tenpay, app.lenient, refusal);
    let plain = app.has(Fault::TenpayProblemAsJson) || (app.lenient && status.is_client_error());
    let content_type = if plain {
        reply::APPLICATION_JSON
    } else {
        reply::PROBLEM_JSON
    };
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
        "instance": instance(path),
    });
    reply::with_bearer_challenge(reply::json_as(status, content_type, &body))
}

/// `GET /User/{id}/status`.
pub(crate) async fn status(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path();
    let Some(segment) = id_segment(path) else {
        return reply::not_found(&method, &uri);
    };
    if request::bearer(&headers, false) != Some(app.tenpay.token.as_str()) {
        return problem(
            &app,
            Refusal::Unauthenticated,
            "a valid Bearer token is required",
            path,
        );
    }
    if app.has(Fault::TenpayAlways429) {
        return too_many(&app, "0", path);
    }
    if app.has(Fault::TenpayRateLimited) {
        let first = app
            .tenpay
            .asked
            .lock()
            .map(|mut asked| asked.insert(segment.to_string()))
            .unwrap_or(false);
        if first {
            return too_many(&app, "1", path);
        }
    }
    let id = match parse_id(segment, app.lenient) {
        Ok(id) => id,
        Err(BadId::Zero) if app.has(Fault::TenpayIdZeroAccepted) => TENPAY_USER_IDS[0],
        Err(bad) => return problem(&app, Refusal::Invalid, &bad.to_string(), path),
    };
    // The fault treats the largest id as an invalid one: 400, or lenient's 404.
    if id == i32::MAX as u32 && app.has(Fault::TenpayMaxIdRefused) {
        return problem(&app, Refusal::Invalid, "id out of range", path);
    }
    let user = match app.tenpay.find(id) {
        Some(user) => user,
        None if app.has(Fault::TenpayUnknown200) => user([false; 5], 200),
        None => {
            return problem(
                &app,
                Refusal::Unknown,
                &format!("no user with id {id}"),
                path,
            )
        }
    };
    let user = if id == TENPAY_USER_IDS[2] && app.has(Fault::TenpayStatus1) {
        UserStatus { status: 1, ..user }
    } else {
        user
    };
    let mut response = success_body(&app, &user);
    if app.has(Fault::TenpayTextContentType) {
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

/// The 200 answer (dressed in lenient mode), or one of the hostile bodies when such a fault
/// is on.
fn success_body(app: &App, user: &UserStatus) -> Response {
    let json_text = reply::success_text(app.lenient, user).unwrap_or_default();
    let ok = |body: axum::body::Body| reply::bytes(StatusCode::OK, reply::APPLICATION_JSON, body);
    // The object without its closing brace, so a padding member can follow.
    let open = json_text.strip_suffix('}').unwrap_or(&json_text);
    if app.has(Fault::TenpayHugeBody) {
        let prefix = format!("{open},\"padding\":\"");
        return ok(hostile::padded(
            prefix,
            "\"}",
            Some(ONE_GIB),
            app.stopping.clone(),
        ));
    }
    if app.has(Fault::TenpayEndlessBody) {
        let prefix = format!("{open},\"padding\":\"");
        return ok(hostile::padded(prefix, "", None, app.stopping.clone()));
    }
    if app.has(Fault::TenpayInvalidUtf8) {
        let mut bytes = format!("{open},\"note\":\"").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\xc3\x28");
        bytes.extend_from_slice(b"\"}");
        return ok(bytes.into());
    }
    if app.has(Fault::TenpayDeepJson) {
        let mut bytes = vec![b'['; 10_000];
        bytes.extend(std::iter::repeat_n(b']', 10_000));
        return ok(bytes.into());
    }
    ok(json_text.into())
}

/// 429 Too Many Requests with a Retry-After, as problem details.
fn too_many(app: &App, retry_after: &str, path: &str) -> Response {
    let mut response = problem(
        app,
        Refusal::Fixed(StatusCode::TOO_MANY_REQUESTS),
        "rate limit exceeded",
        path,
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(retry_after) {
        response
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    response
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn segments() {
        assert_eq!(id_segment("/User/1001/status"), Some("1001"));
        assert_eq!(id_segment("/User//status"), Some(""));
        assert_eq!(id_segment("/User/1/2/status"), None);
        assert_eq!(id_segment("/User/1001/status/"), None);
        assert_eq!(id_segment("/User/1001"), None);
    }

    #[test]
    fn instances_are_uri_references() {
        assert_eq!(instance("/User/1001/status"), "/User/1001/status");
        assert_eq!(instance("/User/%31/status"), "/User/%31/status");
        assert_eq!(instance("/User/%zz/status"), "/User/%25zz/status");
        assert_eq!(
            instance("/User/{\"x\"}/status"),
            "/User/%7B%22x%22%7D/status"
        );
    }

    #[test]
    fn ids() {
        let strict = |s| parse_id(s, false);
        assert_eq!(strict("1001"), Ok(1001));
        assert_eq!(strict("2147483647"), Ok(2_147_483_647));
        assert_eq!(strict("2147483648"), Err(BadId::OutOfRange));
        assert_eq!(strict("99999999999999999999"), Err(BadId::OutOfRange));
        assert_eq!(strict("0"), Err(BadId::Zero));
        assert_eq!(strict("0001"), Err(BadId::LeadingZero));
        assert_eq!(strict("00"), Err(BadId::LeadingZero));
        assert_eq!(strict(""), Err(BadId::Empty));
        for bad in ["1.5", "-1", "+1", "abc", "%31", "1e3", " 1"] {
            assert_eq!(strict(bad), Err(BadId::NotDigits), "{bad}");
        }
    }

    #[test]
    fn lenient_ids() {
        let lenient = |s| parse_id(s, true);
        for (text, id) in [
            ("1001", 1001),
            ("01001", 1001),
            ("+1001", 1001),
            ("+0001001", 1001),
            ("0002147483647", 2_147_483_647),
        ] {
            assert_eq!(lenient(text), Ok(id), "{text}");
        }
        for zero in ["0", "00", "+0", "+000"] {
            assert_eq!(lenient(zero), Err(BadId::Zero), "{zero}");
        }
        assert_eq!(lenient("2147483648"), Err(BadId::OutOfRange));
        assert_eq!(lenient("+2147483648"), Err(BadId::OutOfRange));
        assert_eq!(lenient(""), Err(BadId::Empty));
        for bad in ["+", "++1", "-1", "1.5", "%31", "+%31", "1e3", " 1", "+ 1"] {
            assert_eq!(lenient(bad), Err(BadId::NotDigits), "{bad}");
        }
    }
}
