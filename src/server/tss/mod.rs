//! TSS shop "User Profile" API (document 001) under `/api/user`: profile read and update,
//! OTP-guarded telephone and 2FA changes, password change with logout of other sessions.
//!
//! Why stateful, with several sessions per user: the document's rules are about what
//! happens *next* (the old birthdate is kept, the phone waits for the OTP, the other devices
//! are logged out), and the harness can only check them against a server that remembers.
//!
//! Lenient mode answers 403 for credentials (a logged-out session included), 422 for
//! invalid input, 415 for a non-JSON media type, all without a body; it reads the body
//! before the credentials, accepts any `platform`, drops the length limits (a password needs
//! one character), the gender enum, the telephone pattern (see `update`) and the otp pattern
//! (the document says only "One-time password received"; a wrong one is still refused).

mod update;
mod users;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::{json, Map, Value};

use update::{same_telephone, ParseRules, Update};
pub(crate) use users::Users;
use users::{ApplyRules, Pending, Profile, TelephoneTaken};

use super::app::{self, lock, App};
use super::clock;
use super::faults::Fault;
use super::fixtures::TSS_OTP;
use super::reply::{self, Api, Failure, Refusal};
use super::request::{self, BodyError};
use super::validate::{self, Fields, Invalid};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/profile", get(profile).post(update_profile))
        .route("/profile/2fa", post(update_with_two_fa))
        .route("/profile/verify-otp", post(verify_otp))
        .route("/change-password", post(change_password))
        .method_not_allowed_fallback(app::not_found)
}

/// What a handler returns: the answer, or a failure rendered as the tss error object.
type Answer = Result<Response, Failure>;

/// A tss error answer (strict: `{"error": code, "msg": text}`; see `reply::error`).
fn fail(app: &App, refusal: Refusal, code: &'static str, message: impl Into<String>) -> Failure {
    Failure::new(Api::Tss, app.lenient, refusal, code, message)
}

fn invalid(app: &App, problem: &Invalid) -> Failure {
    fail(app, Refusal::Invalid, "bad_request", problem.to_string())
}

fn conflict(app: &App, taken: &TelephoneTaken) -> Failure {
    fail(app, Refusal::Conflict, "telephone_taken", taken.to_string())
}

fn unknown_user(app: &App) -> Failure {
    fail(
        app,
        Refusal::Unauthenticated,
        "unauthorized",
        "unknown user",
    )
}

/// A 200 JSON answer, dressed in lenient mode.
fn ok<T: Serialize + ?Sized>(app: &App, value: &T) -> Response {
    reply::success(app.lenient, StatusCode::OK, value)
}

/// The session's user and its token.
struct Caller {
    user: usize,
    token: String,
}

fn authenticate(app: &App, headers: &HeaderMap) -> Result<Caller, Failure> {
    let unauthorized = || {
        fail(
            app,
            Refusal::Unauthenticated,
            "unauthorized",
            "a valid Bearer token is required",
        )
    };
    let token = request::bearer(headers, false).ok_or_else(unauthorized)?;
    let user = lock(&app.tss).by_token(token).ok_or_else(unauthorized)?;
    Ok(Caller {
        user,
        token: token.to_string(),
    })
}

async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Body,
) -> Result<Map<String, Value>, Failure> {
    let check_type = !app.has(Fault::TssContentTypeIgnored);
    match request::json_object(headers, body, check_type).await {
        Ok(map) => Ok(map),
        Err(BodyError::NotJson(_)) if app.has(Fault::TssMalformedJson500) => Err(fail(
            app,
            Refusal::Fixed(StatusCode::INTERNAL_SERVER_ERROR),
            "internal_error",
            "unexpected error while reading the request",
        )),
        Err(err) => Err(fail(app, err.refusal(), "bad_request", err.to_string())),
    }
}

/// The rules of `update::parse`. Some faults are moot in lenient mode, which already accepts
/// what they let through (`tss-enum-case-insensitive` still lowercases the gender it stores).
fn parse_rules(app: &App) -> ParseRules {
    ParseRules {
        lenient: app.lenient,
        accept_non_string_names: app.has(Fault::TssWrongTypeAccepted),
        refuse_female: app.has(Fault::TssValidGenderRefused),
        gender_case_insensitive: app.has(Fault::TssEnumCaseInsensitive),
        keep_markup: app.has(Fault::TssNoSanitize),
        any_birthdate: app.has(Fault::TssBirthdateFormatUnchecked),
    }
}

fn apply_rules(app: &App) -> ApplyRules {
    ApplyRules {
        store_skip_literal: app.has(Fault::TssBirthdateSkipOverwrites),
        ignore_disable_birthdate: app.has(Fault::TssDisableBirthdateIgnored),
        telephone_not_unique: app.has(Fault::TssTelephoneNotUnique),
        overwrite_email: app.has(Fault::TssEmailOverwritten),
    }
}

/// Authentication, then the body as a validated update.
async fn authenticated_update(
    app: &App,
    headers: &HeaderMap,
    body: Body,
    two_fa: bool,
) -> Result<(Caller, Update), Failure> {
    reply::in_order(app.lenient, authenticate(app, headers), async {
        let map = read_body(app, headers, body).await?;
        update::parse(Fields::new(&map), two_fa, parse_rules(app)).map_err(|p| invalid(app, &p))
    })
    .await
}

/// The profile plus the members some answers add.
#[derive(Serialize)]
struct ProfileAnswer<'a> {
    #[serde(flatten)]
    profile: Profile<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_otp_sent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_token_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
}

fn profile_answer(
    app: &App,
    users: &Users,
    user: usize,
    is_otp_sent: Option<bool>,
    valid_token_count: Option<usize>,
    access_token: Option<String>,
) -> Answer {
    let found = users.list.get(user).ok_or_else(|| unknown_user(app))?;
    Ok(ok(
        app,
        &ProfileAnswer {
            profile: found.profile(app.has(Fault::TssMoneyUnrounded)),
            is_otp_sent,
            valid_token_count,
            access_token,
        },
    ))
}

/// `^[A-Za-z0-9_-]{1,32}$`.
fn is_platform(value: &str) -> bool {
    (1..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `GET /profile?platform=...`. "e.g. 'web', 'mobile'" leaves the values open: decisions.md
/// allows identifiers, lenient any value (`tss-platform-unchecked` is moot there).
async fn profile(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Answer {
    let caller = authenticate(&app, &headers)?;
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map_err(|_| invalid(&app, &Invalid::new("query", "is not a valid query string")))?;
    if !app.lenient && !app.has(Fault::TssPlatformUnchecked) {
        let bad = pairs
            .iter()
            .any(|(key, value)| key == "platform" && !is_platform(value));
        if bad {
            return Err(invalid(
                &app,
                &Invalid::new("platform", "must be 1 to 32 letters, digits, '_' or '-'"),
            ));
        }
    }
    if app.has(Fault::TssProfile500) {
        return Err(fail(
            &app,
            Refusal::Fixed(StatusCode::INTERNAL_SERVER_ERROR),
            "internal_error",
            "unexpected error while loading the profile",
        ));
    }
    let users = lock(&app.tss);
    profile_answer(&app, &users, caller.user, None, None, None)
}

/// `POST /profile`: applies at once, except a 2FA user's telephone, which waits for the OTP.
async fn update_profile(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let (caller, update) = authenticated_update(&app, &headers, body, false).await?;
    let rules = apply_rules(&app);
    let mut users = lock(&app.tss);
    let user = users
        .list
        .get(caller.user)
        .ok_or_else(|| unknown_user(&app))?;
    let phone_changes = !same_telephone(&user.telephone, &update.telephone);
    let needs_otp = phone_changes && user.is_two_fa && !app.has(Fault::TssProfilePhoneNoOtp);
    users
        .check_unique(caller.user, &update.telephone, rules)
        .map_err(|t| conflict(&app, &t))?;
    users
        .apply(caller.user, &update, !needs_otp, rules)
        .map_err(|t| conflict(&app, &t))?;
    if needs_otp {
        if let Some(user) = users.list.get_mut(caller.user) {
            user.pending = Some(Pending {
                telephone: update.telephone.clone(),
                update: None,
            });
        }
    }
    profile_answer(
        &app,
        &users,
        caller.user,
        needs_otp.then_some(true),
        None,
        None,
    )
}

#[derive(Serialize)]
struct TwoFaAnswer<'a> {
    telephone: &'a str,
    is_otp_sent: bool,
    message: &'a str,
    disable_birthdate: bool,
    is_profile_updated: bool,
    valid_token_count: usize,
}

/// `POST /profile/2fa`: a telephone or 2FA change waits for the OTP; anything else applies.
async fn update_with_two_fa(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let (caller, update) = authenticated_update(&app, &headers, body, true).await?;
    let rules = apply_rules(&app);
    let mut users = lock(&app.tss);
    let user = users
        .list
        .get(caller.user)
        .ok_or_else(|| unknown_user(&app))?;
    let needs_otp = !same_telephone(&user.telephone, &update.telephone)
        || update.is_two_fa != Some(user.is_two_fa);
    users
        .check_unique(caller.user, &update.telephone, rules)
        .map_err(|t| conflict(&app, &t))?;
    let apply_now = !needs_otp || app.has(Fault::Tss2faAppliesImmediately);
    if apply_now {
        users
            .apply(caller.user, &update, true, rules)
            .map_err(|t| conflict(&app, &t))?;
    }
    if needs_otp {
        if let Some(user) = users.list.get_mut(caller.user) {
            user.pending = Some(Pending {
                telephone: update.telephone.clone(),
                update: Some(update.clone()),
            });
        }
    }
    let disable_birthdate = users
        .list
        .get(caller.user)
        .is_some_and(|user| user.disable_birthdate);
    let (telephone, message) = if needs_otp {
        (update.telephone.clone(), "OTP Sent successfully!")
    } else {
        (
            users
                .list
                .get(caller.user)
                .map(|user| user.telephone.clone())
                .unwrap_or_default(),
            "Profile updated successfully!",
        )
    };
    Ok(ok(
        &app,
        &TwoFaAnswer {
            telephone: &telephone,
            is_otp_sent: needs_otp,
            message,
            disable_birthdate,
            is_profile_updated: !needs_otp,
            valid_token_count: users.valid_token_count(caller.user),
        },
    ))
}

/// `POST /profile/verify-otp`: completes the pending change; a new telephone also opens a
/// new session whose token is returned.
async fn verify_otp(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let lenient = app.lenient;
    let (caller, (telephone, otp)) =
        reply::in_order(lenient, authenticate(&app, &headers), async {
            let map = read_body(&app, &headers, body).await?;
            let fields = Fields::new(&map);
            let parse = || {
                let telephone = fields.string("telephone")?;
                update::telephone("telephone", telephone, lenient)?;
                let otp = fields.string("otp")?;
                if !lenient {
                    validate::digits("otp", otp, 6, 6)?;
                }
                Ok::<_, Invalid>((telephone.to_string(), otp.to_string()))
            };
            parse().map_err(|p| invalid(&app, &p))
        })
        .await?;
    let rules = apply_rules(&app);
    let mut users = lock(&app.tss);
    let user = users
        .list
        .get(caller.user)
        .ok_or_else(|| unknown_user(&app))?;
    let pending = user.pending.clone().ok_or_else(|| {
        fail(
            &app,
            Refusal::Invalid,
            "no_pending_change",
            "there is no profile change waiting for an OTP",
        )
    })?;
    // The fault accepts any otp that passes the mode's format check.
    if otp != TSS_OTP && !app.has(Fault::TssOtpUnchecked) {
        return Err(fail(
            &app,
            Refusal::Invalid,
            "invalid_otp",
            "otp is not valid",
        ));
    }
    if !same_telephone(&telephone, &pending.telephone) {
        return Err(fail(
            &app,
            Refusal::Invalid,
            "telephone_mismatch",
            "telephone is not the one the OTP was sent to",
        ));
    }
    let phone_changed = !same_telephone(&user.telephone, &pending.telephone);
    let applied = match &pending.update {
        Some(update) => users.apply(caller.user, update, true, rules),
        None => users
            .check_unique(caller.user, &pending.telephone, rules)
            .map(|()| {
                if let Some(user) = users.list.get_mut(caller.user) {
                    user.telephone.clone_from(&pending.telephone);
                }
            }),
    };
    applied.map_err(|t| conflict(&app, &t))?;
    let user_id = users.list.get(caller.user).map_or(0, |user| user.user_id);
    if let Some(user) = users.list.get_mut(caller.user) {
        user.pending = None;
    }
    let access_token = phone_changed.then(|| {
        let token = app.jwt.sign(&json!({
            "sub": user_id,
            "aud": "tss",
            "iat": clock::now_unix(),
            "jti": uuid::Uuid::new_v4().to_string(),
        }));
        users.sessions.push(users::Session {
            token: token.clone(),
            user: caller.user,
            alive: !app.has(Fault::TssAccessTokenDead),
        });
        token
    });
    let count = users.valid_token_count(caller.user);
    let access_token = access_token.filter(|_| !app.has(Fault::TssVerifyNoAccessToken));
    profile_answer(&app, &users, caller.user, None, Some(count), access_token)
}

/// `POST /change-password`: checks the old password and logs out every other session.
/// The lengths are decisions.md's (old_password 1..128, password 8..128); lenient takes any
/// password of at least one character.
async fn change_password(State(app): State<App>, headers: HeaderMap, body: Body) -> Answer {
    let (max, new_min) = if app.lenient {
        (None, 1)
    } else {
        (Some(128), 8)
    };
    let (caller, (old, new)) = reply::in_order(app.lenient, authenticate(&app, &headers), async {
        let map = read_body(&app, &headers, body).await?;
        let fields = Fields::new(&map);
        let parse = || {
            let old = fields.string("old_password")?;
            validate::length("old_password", old, 1, max)?;
            let new = fields.string("password")?;
            validate::length("password", new, new_min, max)?;
            Ok::<_, Invalid>((old.to_string(), new.to_string()))
        };
        parse().map_err(|p| invalid(&app, &p))
    })
    .await?;
    let mut users = lock(&app.tss);
    let user = users
        .list
        .get_mut(caller.user)
        .ok_or_else(|| unknown_user(&app))?;
    if user.password != old {
        return Err(fail(
            &app,
            Refusal::Invalid,
            "bad_request",
            "Old password is incorrect",
        ));
    }
    user.password = new;
    user.has_password = true;
    if !app.has(Fault::TssSessionsKept) {
        for session in &mut users.sessions {
            if session.user == caller.user && session.token != caller.token {
                session.alive = false;
            }
        }
    }
    Ok(ok(&app, &json!({"msg": "Password Updated"})))
}
