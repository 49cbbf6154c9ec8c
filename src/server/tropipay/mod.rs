//! TropiPay "Users" API (document 000) under `/api/v3`: profile, security codes, 2FA,
//! password, account disabling, for two fixture accounts.
//!
//! Why stateful: the document's promises are about sequences (a validated code writes the
//! new phone to the profile, a TOTP secret must be proven before 2FA is on, a disabled
//! account stops working), and only a server that remembers can be checked for them.
//!
//! Lenient mode keeps the document's error-code table (400 for invalid parameters, 401 for
//! invalid authentication, a disabled account included) but answers 415 for a non-JSON
//! media type and 4xx without a body; sendSecurityCode, 2fa and pass (no response body in
//! the document) answer 202/204 with no body; phone, callingCode, the 2fa code and the
//! password lengths are not held to decisions.md's patterns and limits. validateToken's
//! "6-digit security code" and every `type` enum are stated, so they hold in both modes.

mod accounts;
mod totp;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{HeaderValue, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::{json, Map, Value};

pub(crate) use accounts::Accounts;
use accounts::{TwoFa, UserObject};
#[cfg(test)]
pub(crate) use totp::qr_data_url;

use super::app::{self, lock, App};
use super::clock;
use super::faults::Fault;
use super::fixtures::TROPIPAY_SECURITY_CODE;
use super::reply::{self, Api, Failure, Refusal};
use super::request;
use super::validate::{self, Fields, Invalid};

/// Lifetime of the JWT that `validateToken` hands out.
const SESSION_SECONDS: u64 = 300;

/// What a handler returns: the answer, or a failure rendered as the tropipay error object.
type Answer = Result<Response, Failure>;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/users/profile", get(profile))
        .route("/users/sendSecurityCode", post(send_security_code))
        .route("/users/validateToken", post(validate_token))
        .route("/users/2fa", post(two_fa))
        .route("/users/2fa/secret", post(two_fa_secret))
        .route("/users/pass", post(change_password))
        .route("/users/disable", post(disable))
        .method_not_allowed_fallback(app::not_found)
}

/// A tropipay error answer. Under `tropipay-error-418`, the 400 and 401 answers become 418,
/// a status outside the document's error-code table, in either mode (lenient keeps 400 and
/// 401 where they are due, so the fault still has them to replace).
fn fail(app: &App, refusal: Refusal, code: &'static str, message: impl Into<String>) -> Failure {
    let mut failure = Failure::new(Api::Tropipay, app.lenient, refusal, code, message);
    let replaced = [StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED].contains(&failure.status);
    if replaced && app.has(Fault::TropipayError418) {
        failure.status = StatusCode::IM_A_TEAPOT;
    }
    failure
}

fn invalid(app: &App, problem: &Invalid) -> Failure {
    fail(app, Refusal::Invalid, "bad_request", problem.to_string())
}

fn unauthorized(app: &App) -> Failure {
    fail(
        app,
        Refusal::Unauthenticated,
        "unauthorized",
        "a valid Bearer token is required",
    )
}

/// The account behind the request's credentials: a fixture token or a JWT from
/// `validateToken`. Disabled accounts are refused.
fn authenticate(app: &App, headers: &HeaderMap) -> Result<usize, Failure> {
    let token = request::bearer(headers, app.has(Fault::TropipayBasicAuthAccepted))
        .ok_or_else(|| unauthorized(app))?;
    let accounts = lock(&app.tropipay);
    let index = accounts
        .by_token(token)
        .or_else(|| {
            let claims = app.jwt.verify(token, clock::now_unix())?;
            if claims.get("aud").and_then(Value::as_str) != Some("tropipay") {
                return None;
            }
            accounts.by_id(claims.get("sub").and_then(Value::as_str)?)
        })
        .ok_or_else(|| unauthorized(app))?;
    let disabled = accounts.list.get(index).is_none_or(|a| a.disabled);
    if disabled && !app.has(Fault::TropipayDisableTokenAlive) {
        return Err(unauthorized(app));
    }
    Ok(index)
}

async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<Map<String, Value>, Failure> {
    request::json_object(headers, body, true)
        .await
        .map_err(|err| fail(app, err.refusal(), "bad_request", err.to_string()))
}

/// Runs `f` on the authenticated account (the lock is held for the duration of `f`).
fn with_account<T>(
    app: &App,
    index: usize,
    f: impl FnOnce(&mut accounts::Account) -> T,
) -> Result<T, Failure> {
    let mut accounts = lock(&app.tropipay);
    match accounts.list.get_mut(index) {
        Some(account) => Ok(f(account)),
        None => Err(unauthorized(app)),
    }
}

fn user_json(app: &App, account: &accounts::Account) -> Value {
    let object: UserObject<'_> =
        account.object(!app.has(Fault::TropipayProfileNoEmail), app.lenient);
    serde_json::to_value(object).unwrap_or(Value::Null)
}

/// A 200 JSON answer, dressed in lenient mode.
fn ok<T: Serialize + ?Sized>(app: &App, value: &T) -> Response {
    reply::success(app.lenient, StatusCode::OK, value)
}

fn done(app: &App, message: &str) -> Answer {
    Ok(ok(app, &json!({"success": true, "message": message})))
}

/// The answer of an endpoint whose success the document shows without a body
/// (sendSecurityCode, 2fa, pass): decisions.md expects a JSON object with 200 (`strict`);
/// lenient answers `lenient_status` with no body at all.
fn bodiless(app: &App, lenient_status: StatusCode, strict: &Value) -> Response {
    if app.lenient {
        reply::empty(lenient_status)
    } else {
        ok(app, strict)
    }
}

/// A timestamp for `updatedAt`, in the mode's RFC 3339 profile.
fn now(app: &App) -> String {
    if app.lenient {
        clock::now_rfc3339_offset()
    } else {
        clock::now_rfc3339_millis()
    }
}

/// `GET /users/profile`.
async fn profile(State(app): State<App>, headers: HeaderMap) -> Answer {
    let app = &app;
    let index = authenticate(app, &headers)?;
    if app.has(Fault::TropipayRedirectOtherOrigin) {
        let target = format!("http://127.0.0.2:{}/api/v3/users/profile", app.port);
        let mut response = reply::json(
            StatusCode::TEMPORARY_REDIRECT,
            &json!({"message": "moved", "location": target}),
        );
        if let Ok(value) = HeaderValue::try_from(target) {
            response.headers_mut().insert(LOCATION, value);
        }
        return Ok(response);
    }
    let user = with_account(app, index, |account| user_json(app, account))?;
    let status = if app.has(Fault::TropipayProfileStatus201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(reply::success(app.lenient, status, &user))
}

/// A validated `sendSecurityCode` body: where the code goes.
enum Contact {
    Phone(String),
    Email(String),
}

/// `+`, the calling code and the number, as the profile shows a phone. A lenient calling
/// code may come without its `+` ("1"), which still means +1.
fn international(code: &str, phone: &str) -> String {
    if code.starts_with('+') {
        format!("{code}{phone}")
    } else {
        format!("+{code}{phone}")
    }
}

/// decisions.md states each field's rules inside its type's condition (as the schema's
/// `allOf` branches do): a field that belongs to the other type is not checked. Lenient
/// drops the phone and callingCode patterns and the email length limits (none is in the
/// document); a required phone or callingCode must still be a non-empty string.
fn parse_contact(app: &App, fields: Fields<'_>) -> Result<Contact, Invalid> {
    let kind = fields.string("type")?;
    validate::one_of("type", kind, &["sms", "email"])?;
    if kind == "sms" {
        let phone = fields
            .optional_string("phone")?
            .ok_or_else(|| Invalid::new("phone", "is required when type is sms"))?;
        if app.lenient {
            validate::length("phone", phone, 1, None)?;
        } else {
            validate::digits("phone", phone, 4, 15)?;
        }
        match fields.optional_string("callingCode")? {
            Some(code) => {
                if app.lenient {
                    validate::length("callingCode", code, 1, None)?;
                } else if !validate::is_digits(code.strip_prefix('+').unwrap_or(""), 1, 4) {
                    return Err(Invalid::new(
                        "callingCode",
                        "must be + followed by 1 to 4 digits",
                    ));
                }
                Ok(Contact::Phone(international(code, phone)))
            }
            None if app.has(Fault::TropipaySmsConditionalSkipped) => {
                Ok(Contact::Phone(format!("+{phone}")))
            }
            None => Err(Invalid::new("callingCode", "is required when type is sms")),
        }
    } else {
        let email = fields
            .optional_string("email")?
            .ok_or_else(|| Invalid::new("email", "is required when type is email"))?;
        let check_lengths = !app.lenient && !app.has(Fault::TropipayOverlongAccepted);
        validate::email("email", email, check_lengths)?;
        Ok(Contact::Email(email.to_string()))
    }
}

/// `POST /users/sendSecurityCode`: remembers the contact the code was "sent" to.
async fn send_security_code(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let app = &app;
    let (index, contact) = reply::in_order(app.lenient, authenticate(app, &headers), async {
        let map = read_body(app, &headers, body).await?;
        parse_contact(app, Fields::new(&map)).map_err(|p| invalid(app, &p))
    })
    .await?;
    with_account(app, index, |account| {
        match contact {
            Contact::Phone(phone) => account.pending_phone = Some(phone),
            Contact::Email(email) => account.pending_email = Some(email),
        }
        bodiless(
            app,
            StatusCode::ACCEPTED,
            &json!({"success": true, "message": "Security code sent"}),
        )
    })
}

/// A validated `validateToken` or `2fa` code and type.
struct CodeRequest {
    code: String,
    kind: String,
}

fn parse_code(
    fields: Fields<'_>,
    kinds: &[&str],
    check_pattern: bool,
) -> Result<CodeRequest, Invalid> {
    let code = fields.string("securityCode")?;
    if check_pattern {
        validate::digits("securityCode", code, 6, 6)?;
    }
    let kind = fields.string("type")?;
    validate::one_of("type", kind, kinds)?;
    Ok(CodeRequest {
        code: code.to_string(),
        kind: kind.to_string(),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Validated {
    is_valid: bool,
    user: Value,
    token: String,
}

/// `POST /users/validateToken`. "The 6-digit security code" is stated, so the pattern holds
/// in both modes.
async fn validate_token(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let app = &app;
    let check_pattern = !app.has(Fault::TropipayCodePatternSkipped);
    let (index, request) = reply::in_order(app.lenient, authenticate(app, &headers), async {
        let map = read_body(app, &headers, body).await?;
        parse_code(Fields::new(&map), &["sms", "email", "totp"], check_pattern)
            .map_err(|p| invalid(app, &p))
    })
    .await?;
    with_account(app, index, |account| {
        let valid =
            if app.has(Fault::TropipayWrongCodeValid) && validate::is_digits(&request.code, 6, 6) {
                true
            } else if request.kind == "totp" {
                account.two_fa == TwoFa::Totp
                    && account
                        .totp_active
                        .as_deref()
                        .is_some_and(|secret| totp::matches(secret, &request.code))
            } else {
                request.code == TROPIPAY_SECURITY_CODE
            };
        if !valid {
            return ok(app, &json!({"isValid": false}));
        }
        if !app.has(Fault::TropipayPhoneNotUpdated) {
            let changed = match request.kind.as_str() {
                "sms" => account
                    .pending_phone
                    .take()
                    .map(|phone| account.phone = phone),
                "email" => account
                    .pending_email
                    .take()
                    .map(|email| account.email = email),
                _ => None,
            };
            if changed.is_some() {
                account.updated_at = now(app);
            }
        }
        let now = clock::now_unix();
        let token = app.jwt.sign(&json!({
            "sub": account.id,
            "aud": "tropipay",
            "iat": now,
            "exp": now + SESSION_SECONDS,
            "jti": uuid::Uuid::new_v4().to_string(),
        }));
        let validated = Validated {
            is_valid: true,
            user: user_json(app, account),
            token,
        };
        if app.has(Fault::TropipayValidateNoToken) {
            let mut body = serde_json::to_value(&validated).unwrap_or_default();
            if let Some(map) = body.as_object_mut() {
                map.remove("token");
            }
            return ok(app, &body);
        }
        ok(app, &validated)
    })
}

/// True when `code` is a current code of the secret (any code under
/// `tropipay-totp-unverified`).
fn totp_ok(app: &App, secret: Option<&[u8]>, code: &str) -> bool {
    secret.is_some_and(|secret| totp::matches(secret, code))
        || app.has(Fault::TropipayTotpUnverified)
}

/// `POST /users/2fa`. The document calls this code only "Verification code", so lenient
/// takes any string (a wrong one is still refused as wrong).
async fn two_fa(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let app = &app;
    let (index, (enabled, request)) =
        reply::in_order(app.lenient, authenticate(app, &headers), async {
            let map = read_body(app, &headers, body).await?;
            let fields = Fields::new(&map);
            fields
                .boolean("enabled")
                .and_then(|enabled| {
                    let request = parse_code(fields, &["totp", "sms"], !app.lenient)?;
                    Ok((enabled, request))
                })
                .map_err(|p| invalid(app, &p))
        })
        .await?;
    with_account(app, index, |account| {
        let code = request.code.as_str();
        let mode = match (request.kind.as_str(), enabled) {
            ("totp", true) => {
                if account.totp_pending.is_some()
                    && totp_ok(app, account.totp_pending.as_deref(), code)
                {
                    // The new secret is proven: it becomes the active one.
                    account.totp_active = account.totp_pending.take();
                } else if !totp_ok(app, account.totp_active.as_deref(), code) {
                    return Err(wrong_code(app));
                }
                TwoFa::Totp
            }
            ("totp", false) => {
                if !totp_ok(app, account.totp_active.as_deref(), code) {
                    return Err(wrong_code(app));
                }
                account.totp_active = None;
                TwoFa::Off
            }
            (_, enabled) => {
                if code != TROPIPAY_SECURITY_CODE {
                    return Err(wrong_code(app));
                }
                account.totp_active = None;
                if enabled {
                    TwoFa::Sms
                } else {
                    TwoFa::Off
                }
            }
        };
        account.two_fa = mode;
        account.updated_at = now(app);
        Ok(bodiless(
            app,
            StatusCode::NO_CONTENT,
            &json!({"success": true, "twoFaMode": mode.code(app.lenient)}),
        ))
    })?
}

fn wrong_code(app: &App) -> Failure {
    fail(
        app,
        Refusal::Invalid,
        "invalid_security_code",
        "securityCode is not valid",
    )
}

/// `POST /users/2fa/secret`: a new pending secret and its QR code.
async fn two_fa_secret(State(app): State<App>, headers: HeaderMap) -> Answer {
    let index = authenticate(&app, &headers)?;
    let secret = totp::new_secret();
    let email = with_account(&app, index, |account| {
        account.totp_pending = Some(secret.clone());
        account.email.clone()
    })?;
    let qr_secret = if app.has(Fault::TropipayQrOtherSecret) {
        totp::new_secret()
    } else {
        secret.clone()
    };
    let qr_code_url = totp::qr_data_url(&qr_secret, &email).map_err(|err| {
        fail(
            &app,
            Refusal::Fixed(StatusCode::INTERNAL_SERVER_ERROR),
            "internal_error",
            format!("qr code generation failed: {err}"),
        )
    })?;
    Ok(ok(
        &app,
        &json!({"secret": totp::base32(&secret), "qrCodeUrl": qr_code_url}),
    ))
}

/// `POST /users/pass`. The lengths are decisions.md's (oldPass 1..128, newPass 8..128);
/// lenient takes any password of at least one character.
async fn change_password(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let app = &app;
    let max = (!app.lenient && !app.has(Fault::TropipayOverlongAccepted)).then_some(128);
    let new_min = if app.lenient { 1 } else { 8 };
    let (index, (old, new)) = reply::in_order(app.lenient, authenticate(app, &headers), async {
        let map = read_body(app, &headers, body).await?;
        let fields = Fields::new(&map);
        let parse = || {
            let old = fields.string("oldPass")?;
            validate::length("oldPass", old, 1, max)?;
            let new = fields.string("newPass")?;
            validate::length("newPass", new, new_min, max)?;
            Ok::<_, Invalid>((old.to_string(), new.to_string()))
        };
        parse().map_err(|p| invalid(app, &p))
    })
    .await?;
    with_account(app, index, |account| {
        if account.password != old && !app.has(Fault::TropipayPassNoCheck) {
            return Err(fail(
                app,
                Refusal::Invalid,
                "wrong_password",
                "oldPass does not match the current password",
            ));
        }
        account.password = new;
        Ok(bodiless(
            app,
            StatusCode::NO_CONTENT,
            &json!({"success": true, "message": "Password updated"}),
        ))
    })?
}

/// `POST /users/disable`: the document shows its body, so both modes answer 200 with it.
async fn disable(State(app): State<App>, headers: HeaderMap) -> Answer {
    let index = authenticate(&app, &headers)?;
    with_account(&app, index, |account| {
        account.disabled = true;
        done(&app, "User account has been disabled")
    })?
}
