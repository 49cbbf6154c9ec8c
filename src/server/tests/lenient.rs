//! The lenient mode over the wire: each behaviour on a lenient server, the same request on
//! a strict (default) one, the documents' cross-call promises in lenient mode, and faults on
//! top of it.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::tss::{body, two_decimals, with, MONEY_FIELDS};
use super::{start_default, start_lenient, Auth, Ctx, Reply};
use crate::server::lenient::top_level_keys;

const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A lenient error of tss, tropipay or onboard: `status`, no body, no content type.
fn assert_bodiless(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    assert!(reply.body.is_empty(), "{what}: {}", reply.text());
    assert!(reply.headers.get("content-type").is_none(), "{what}");
}

/// A lenient tenpay error: `status`, a problem-details-shaped `application/json` body.
fn assert_tenpay_problem(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    assert_eq!(reply.content_type, JSON_UTF8, "{what}");
    let body = reply.json();
    assert_eq!(body["status"], status, "{what}");
    for key in ["type", "title", "detail", "instance"] {
        assert!(body.get(key).is_some(), "{what}: {key}");
    }
}

/// A lenient success body: the extra members first, the charset, `Connection: close`.
fn assert_dressed(reply: &Reply, what: &str) -> Value {
    assert_eq!(reply.content_type, JSON_UTF8, "{what}");
    assert_eq!(reply.headers["connection"], "close", "{what}");
    let keys = top_level_keys(&reply.text());
    assert_eq!(keys[..2], ["x_lenient", "requestId"], "{what}");
    let body = reply.json();
    assert_eq!(body["x_lenient"], true, "{what}");
    assert!(uuid::Uuid::parse_str(body["requestId"].as_str().unwrap()).is_ok());
    body
}

/// The keys of a body after the two extra members, which must be `documented` reversed.
fn assert_reversed(reply: &Reply, documented: &[&str]) {
    let keys = top_level_keys(&reply.text());
    let rest: Vec<&str> = keys[2..].iter().map(String::as_str).collect();
    let mut expected = documented.to_vec();
    expected.reverse();
    assert_eq!(rest, expected);
}

fn tss_auth(ctx: &Ctx) -> String {
    ctx.cfg("tss", "token")
}

async fn tp_post(ctx: &Ctx, path: &str, body: Value) -> Reply {
    let token = ctx.cfg("tropipay", "token");
    ctx.post(&format!("/api/v3{path}"), Auth::Bearer(&token), body)
        .await
}

async fn tss_post(ctx: &Ctx, path: &str, body: Value) -> Reply {
    let token = tss_auth(ctx);
    ctx.post(&format!("/api/user{path}"), Auth::Bearer(&token), body)
        .await
}

async fn tss_profile(ctx: &Ctx, token: &str) -> Reply {
    ctx.get("/api/user/profile", Auth::Bearer(token)).await
}

async fn tp_profile(ctx: &Ctx) -> Value {
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn tenpay(ctx: &Ctx, id: &str) -> Reply {
    let token = ctx.cfg("tenpay", "token");
    ctx.get(&format!("/User/{id}/status"), Auth::Bearer(&token))
        .await
}

async fn onboard(ctx: &Ctx) -> Reply {
    let token = ctx.cfg("onboard", "token");
    ctx.get("/users/me", Auth::Header("x-auth-token", &token))
        .await
}

// 1. Other 4xx codes where the document names none.

#[tokio::test]
async fn credentials_are_403_except_tropipay() {
    let ctx = start_lenient(&[]).await;
    let tss = tss_auth(&ctx);
    let tenpay_token = ctx.cfg("tenpay", "token");
    let onboard_token = ctx.cfg("onboard", "token");
    let tp = ctx.cfg("tropipay", "token");
    let basic = format!("Basic {tss}");
    for auth in [
        Auth::None,
        Auth::Bearer("tss_sess_unknown"),
        Auth::Header("authorization", "Bearer "),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &tss),
    ] {
        let reply = ctx.get("/api/user/profile", auth).await;
        assert_bodiless(&reply, 403, &format!("tss {auth:?}"));
        assert!(reply.headers.get("www-authenticate").is_none());
        let reply = ctx
            .post(
                "/api/user/change-password",
                auth,
                json!({"old_password": "a", "password": "b"}),
            )
            .await;
        assert_bodiless(&reply, 403, &format!("tss change-password {auth:?}"));
    }
    let basic = format!("Basic {tenpay_token}");
    for auth in [
        Auth::None,
        Auth::Bearer("wrong"),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &tenpay_token),
    ] {
        let reply = ctx.get("/User/1001/status", auth).await;
        assert_tenpay_problem(&reply, 403, &format!("tenpay {auth:?}"));
    }
    for auth in [
        Auth::None,
        Auth::Header("x-auth-token", "obp_key_wrong"),
        Auth::Header("x-auth-token", ""),
        Auth::Bearer(&onboard_token),
    ] {
        assert_bodiless(
            &ctx.get("/users/me", auth).await,
            403,
            &format!("onboard {auth:?}"),
        );
    }
    // tropipay's table: "401 Unauthorized - Invalid authentication".
    let basic = format!("Basic {tp}");
    for auth in [
        Auth::None,
        Auth::Bearer("tp_live_not_a_real_token"),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &tp),
    ] {
        let reply = ctx.get("/api/v3/users/profile", auth).await;
        assert_bodiless(&reply, 401, &format!("tropipay {auth:?}"));
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn logged_out_and_disabled_tokens() {
    let ctx = start_lenient(&[]).await;
    // tss: the other session, logged out by the password change, is refused like any bad
    // credential (403).
    let second = ctx.cfg("tss", "second_token");
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": ctx.cfg("tss", "password"), "password": "x"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_bodiless(&tss_profile(&ctx, &second).await, 403, "logged out");
    assert_eq!(tss_profile(&ctx, &tss_auth(&ctx)).await.status, 200);
    // tropipay: a disabled account's token keeps its 401.
    let disposable = ctx.cfg("tropipay", "disposable_token");
    let reply = ctx
        .post_raw("/api/v3/users/disable", Auth::Bearer(&disposable), None, "")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["message"], "User account has been disabled");
    let reply = ctx
        .get("/api/v3/users/profile", Auth::Bearer(&disposable))
        .await;
    assert_bodiless(&reply, 401, "disabled");
    tp_profile(&ctx).await;
}

#[tokio::test]
async fn invalid_input_and_media_type() {
    let ctx = start_lenient(&[]).await;
    let tss = tss_auth(&ctx);
    for path in [
        "/profile",
        "/profile/2fa",
        "/profile/verify-otp",
        "/change-password",
    ] {
        let path = format!("/api/user{path}");
        let reply = ctx
            .post_raw(
                &path,
                Auth::Bearer(&tss),
                Some("application/json"),
                "{broken",
            )
            .await;
        assert_bodiless(&reply, 422, &path);
        let reply = ctx.post(&path, Auth::Bearer(&tss), json!({})).await;
        assert_bodiless(&reply, 422, &path);
        for content_type in [Some("text/plain"), None] {
            let reply = ctx
                .post_raw(&path, Auth::Bearer(&tss), content_type, body().to_string())
                .await;
            assert_bodiless(&reply, 415, &format!("{path} {content_type:?}"));
        }
    }
    // Refusals the state makes are invalid input too.
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": "not-it", "password": "NewPassword456"}),
    )
    .await;
    assert_bodiless(&reply, 422, "wrong old password");
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9876543210", "otp": "654321"}),
    )
    .await;
    assert_bodiless(&reply, 422, "nothing pending");

    // tropipay keeps "400 Bad Request - Invalid parameters", but not for the media type.
    let cases = [
        ("/users/sendSecurityCode", json!({"type": "fax"})),
        (
            "/users/validateToken",
            json!({"securityCode": "12345", "type": "sms"}),
        ),
        (
            "/users/2fa",
            json!({"enabled": "yes", "type": "sms", "securityCode": "1"}),
        ),
        ("/users/pass", json!({"oldPass": "", "newPass": "x"})),
        (
            "/users/pass",
            json!({"oldPass": "wrong-password", "newPass": "x"}),
        ),
    ];
    for (path, case) in cases {
        assert_bodiless(
            &tp_post(&ctx, path, case.clone()).await,
            400,
            &format!("{path} {case}"),
        );
    }
    let tp = ctx.cfg("tropipay", "token");
    for path in [
        "/users/sendSecurityCode",
        "/users/validateToken",
        "/users/2fa",
        "/users/pass",
    ] {
        let path = format!("/api/v3{path}");
        let reply = ctx
            .post_raw(
                &path,
                Auth::Bearer(&tp),
                Some("text/plain"),
                r#"{"type":"sms"}"#,
            )
            .await;
        assert_bodiless(&reply, 415, &path);
        let reply = ctx
            .post_raw(&path, Auth::Bearer(&tp), Some("application/json"), "[1]")
            .await;
        assert_bodiless(&reply, 400, &path);
    }
    // The endpoints without a body still ignore what is sent.
    let reply = ctx
        .post_raw(
            "/api/v3/users/2fa/secret",
            Auth::Bearer(&tp),
            Some("text/plain"),
            "x",
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn strict_server_keeps_the_decided_4xx_and_bodies() {
    let ctx = start_default().await;
    let tss = tss_auth(&ctx);
    let reply = ctx.get("/api/user/profile", Auth::None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.content_type, "application/json");
    assert!(reply.json().is_object());
    assert!(reply.headers.get("connection").is_none());
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::Bearer(&tss),
            Some("text/plain"),
            body().to_string(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["msg"].is_string());
    let reply = tss_post(&ctx, "/profile", json!({})).await;
    assert_eq!(reply.status, 400);
    let tp = ctx.cfg("tropipay", "token");
    let reply = ctx
        .post_raw(
            "/api/v3/users/pass",
            Auth::Bearer(&tp),
            Some("text/plain"),
            "{}",
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.json()["message"].is_string());
    assert_eq!(ctx.get("/users/me", Auth::None).await.status, 401);
    let reply = tenpay(&ctx, "999999").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.content_type, "application/problem+json");
    let reply = ctx.get("/User/1001/status", Auth::None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.content_type, "application/problem+json");
    for id in ["01001", "+1001", "abc"] {
        assert_eq!(tenpay(&ctx, id).await.status, 400, "{id}");
    }
}

#[tokio::test]
async fn the_body_is_read_before_the_credentials() {
    let ctx = start_lenient(&[]).await;
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::None,
            Some("application/json"),
            "{oops",
        )
        .await;
    assert_bodiless(&reply, 422, "tss broken body, no credentials");
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::None,
            Some("text/plain"),
            body().to_string(),
        )
        .await;
    assert_bodiless(&reply, 415, "tss text/plain, no credentials");
    let reply = ctx.post("/api/user/profile", Auth::None, body()).await;
    assert_bodiless(&reply, 403, "tss valid body, no credentials");
    let reply = ctx
        .post_raw(
            "/api/v3/users/validateToken",
            Auth::None,
            Some("application/json"),
            "{oops",
        )
        .await;
    assert_bodiless(&reply, 400, "tropipay broken body, no credentials");
    let reply = ctx
        .post(
            "/api/v3/users/validateToken",
            Auth::None,
            json!({"securityCode": "123456", "type": "sms"}),
        )
        .await;
    assert_bodiless(&reply, 401, "tropipay valid body, no credentials");

    // Strict checks the credentials first.
    let ctx = start_default().await;
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::None,
            Some("application/json"),
            "{oops",
        )
        .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn tenpay_ids() {
    let ctx = start_lenient(&[]).await;
    for (id, status) in [
        ("1001", 50),
        ("01001", 50),
        ("+1001", 50),
        ("+0001003", 200),
        ("0000000000001006", 400),
    ] {
        let reply = tenpay(&ctx, id).await;
        assert_eq!(reply.status, 200, "{id}");
        assert_eq!(assert_dressed(&reply, id)["status"], status, "{id}");
    }
    for id in [
        "%31",
        "+%31",
        "abc",
        "-1",
        "1.5",
        "+",
        "",
        "0",
        "00",
        "+0",
        "2147483648",
        "1e3",
    ] {
        assert_tenpay_problem(&tenpay(&ctx, id).await, 404, id);
    }
    for id in ["999999", "2147483647", "+2147483647", "1"] {
        assert_tenpay_problem(&tenpay(&ctx, id).await, 410, id);
    }
}

// 2. 2xx other than 200 where the document shows no response body.

#[tokio::test]
async fn tropipay_bodiless_successes_still_do_their_work() {
    let ctx = start_lenient(&[]).await;
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "sms", "callingCode": "1", "phone": "5550100777"}),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert!(reply.body.is_empty());
    assert!(reply.headers.get("content-type").is_none());
    // "a successful validation will update the user's profile with the new number"
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "123456", "type": "sms"}),
    )
    .await;
    let answer = assert_dressed(&reply, "validateToken");
    assert_eq!(answer["isValid"], true);
    assert_eq!(answer["user"]["phone"], "+15550100777");
    let jwt = answer["token"].as_str().unwrap().to_string();
    assert_eq!(jwt.split('.').count(), 3);
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&jwt)).await;
    assert_eq!(reply.json()["phone"], "+15550100777");

    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "sms", "securityCode": "123456"}),
    )
    .await;
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    assert_eq!(tp_profile(&ctx).await["twoFaMode"], 8);
    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": false, "type": "sms", "securityCode": "654321"}),
    )
    .await;
    assert_bodiless(&reply, 400, "wrong sms code");

    let old = ctx.cfg("tropipay", "password");
    let reply = tp_post(&ctx, "/users/pass", json!({"oldPass": old, "newPass": "n"})).await;
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    let reply = tp_post(&ctx, "/users/pass", json!({"oldPass": old, "newPass": "m"})).await;
    assert_bodiless(&reply, 400, "the old password is gone");
    let reply = tp_post(&ctx, "/users/pass", json!({"oldPass": "n", "newPass": old})).await;
    assert_eq!(reply.status, 204);

    // Strict answers 200 with a JSON object.
    let ctx = start_default().await;
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "sms", "callingCode": "+1", "phone": "5550100777"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["success"], true);
}

#[tokio::test]
async fn totp_flow_in_lenient_mode() {
    let ctx = start_lenient(&[]).await;
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx
        .post_raw("/api/v3/users/2fa/secret", Auth::Bearer(&token), None, "")
        .await;
    let body = assert_dressed(&reply, "2fa/secret");
    let secret = body["secret"].as_str().unwrap().to_string();
    let decoded = super::tropipay::decode_qr(body["qrCodeUrl"].as_str().unwrap());
    assert!(decoded.contains(&format!("secret={secret}")), "{decoded}");
    // "Verification code": any string is read, a wrong one is still refused.
    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "totp", "securityCode": "not-a-code"}),
    )
    .await;
    assert_bodiless(&reply, 400, "wrong totp code");
    assert_eq!(tp_profile(&ctx).await["twoFaMode"], -1);
    let code = super::tropipay::code_for(&secret);
    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "totp", "securityCode": code}),
    )
    .await;
    assert_eq!(reply.status, 204);
    assert_eq!(tp_profile(&ctx).await["twoFaMode"], 7);
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": super::tropipay::code_for(&secret), "type": "totp"}),
    )
    .await;
    assert_eq!(reply.json()["isValid"], true);
}

// 4. Extra members, another order, the charset, a connection per request.

#[tokio::test]
async fn success_bodies_are_dressed_everywhere() {
    let ctx = start_lenient(&[]).await;
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_dressed(&reply, "tropipay profile");
    // The user object goes through serde_json's map, so compare with the strict server's
    // order rather than with the document's.
    let strict = start_default().await;
    let strict_reply = strict
        .get("/api/v3/users/profile", Auth::Bearer(&token))
        .await;
    let strict_keys = top_level_keys(&strict_reply.text());
    let strict_keys: Vec<&str> = strict_keys.iter().map(String::as_str).collect();
    assert_eq!(strict_keys.len(), 17);
    assert_reversed(&reply, &strict_keys);
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "000000", "type": "sms"}),
    )
    .await;
    assert_eq!(assert_dressed(&reply, "isValid false")["isValid"], false);

    let reply = tss_profile(&ctx, &tss_auth(&ctx)).await;
    let profile = assert_dressed(&reply, "tss profile");
    let keys = top_level_keys(&reply.text());
    assert_eq!(keys[2], "referal_code");
    assert_eq!(keys.last().map(String::as_str), Some("user_id"));
    assert_eq!(profile["user_id"], 12345);
    let reply = tss_post(
        &ctx,
        "/profile/2fa",
        with(body(), "is_two_fa", json!(false)),
    )
    .await;
    assert_dressed(&reply, "tss 2fa");
    assert_reversed(
        &reply,
        &[
            "telephone",
            "is_otp_sent",
            "message",
            "disable_birthdate",
            "is_profile_updated",
            "valid_token_count",
        ],
    );

    let reply = tenpay(&ctx, "1001").await;
    assert_dressed(&reply, "tenpay");
    assert_reversed(
        &reply,
        &[
            "isEmailVerified",
            "isPhoneNumberVerified",
            "isScaVerified",
            "isAdditionalData",
            "isOptionalKyc",
            "status",
        ],
    );
    let reply = onboard(&ctx).await;
    let me = assert_dressed(&reply, "onboard");
    assert_eq!(
        top_level_keys(&reply.text()).last().map(String::as_str),
        Some("userId")
    );
    // Nested objects are reversed too.
    let nested =
        r#""tradeHistoryDetails":{"referee":"","proofOfTrade":[],"hasPreviousTradeHistory":false}"#;
    assert!(
        reply.text().contains(&format!(r#""profile":{{{nested}"#)),
        "{}",
        reply.text()
    );
    assert!(me["userId"].is_string() && me["email"].is_string());

    // Errors and unknown paths say Connection: close as well.
    let reply = ctx.get("/users/me", Auth::None).await;
    assert_eq!(reply.headers["connection"], "close");
    let reply = ctx.get("/nope", Auth::None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.headers["connection"], "close");
    assert_eq!(reply.content_type, JSON_UTF8);

    // Strict: the documented members only where the document lists them, in its order.
    let ctx = start_default().await;
    let reply = tenpay(&ctx, "1001").await;
    assert_eq!(reply.content_type, "application/json");
    assert!(reply.headers.get("connection").is_none());
    assert_eq!(
        top_level_keys(&reply.text()),
        [
            "isEmailVerified",
            "isPhoneNumberVerified",
            "isScaVerified",
            "isAdditionalData",
            "isOptionalKyc",
            "status",
        ]
    );
    let reply = tss_profile(&ctx, &tss_auth(&ctx)).await;
    assert!(reply.json().get("x_lenient").is_none());
    assert_eq!(top_level_keys(&reply.text())[0], "user_id");
}

/// Sends one keep-alive request on a raw connection and tells whether the server closed the
/// connection after its answer (within a short wait).
async fn closes_after_answer(ctx: &Ctx) -> bool {
    let token = ctx.cfg("onboard", "token");
    let mut stream = tokio::net::TcpStream::connect(ctx.server.addr())
        .await
        .unwrap();
    let request = format!(
        "GET /users/me HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\nx-auth-token: {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut read = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let closed = loop {
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut chunk)).await {
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(n)) => read.extend_from_slice(&chunk[..n]),
            Err(_) => break false,
        }
    };
    assert!(
        read.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&read)
    );
    closed
}

#[tokio::test]
async fn a_new_connection_per_request() {
    assert!(closes_after_answer(&start_lenient(&[]).await).await);
    assert!(!closes_after_answer(&start_default().await).await);
}

// 5. Longer and shorter strings.

#[tokio::test]
async fn no_length_limits() {
    let ctx = start_lenient(&[]).await;
    let mut current = ctx.cfg("tropipay", "password");
    for new in ["x".repeat(7), "y".repeat(129), "z".to_string()] {
        let reply = tp_post(
            &ctx,
            "/users/pass",
            json!({"oldPass": current, "newPass": new}),
        )
        .await;
        assert_eq!(reply.status, 204, "{}", new.len());
        current = new;
    }
    let long_email = format!("{}@example.com", "a".repeat(250));
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "email", "email": long_email}),
    )
    .await;
    assert_eq!(reply.status, 202);
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "email", "email": "nope"}),
    )
    .await;
    assert_bodiless(&reply, 400, "still an email");

    let long_name = "N".repeat(150);
    let update = with(
        with(body(), "firstname", json!(long_name)),
        "lastname",
        json!(""),
    );
    let reply = tss_post(&ctx, "/profile", update).await;
    let profile = assert_dressed(&reply, "long name");
    assert_eq!(profile["firstname"], long_name.as_str());
    assert_eq!(
        profile["lastname"], "Doe",
        "an empty name keeps the old one"
    );
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": ctx.cfg("tss", "password"), "password": "p"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": "p", "password": "q".repeat(300)}),
    )
    .await;
    assert_eq!(reply.status, 200);
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": "", "password": "r"}),
    )
    .await;
    assert_bodiless(&reply, 422, "a password needs a character");
    let locked = ctx.cfg("tss", "locked_birthdate_token");
    let reply = ctx
        .post(
            "/api/user/profile",
            Auth::Bearer(&locked),
            json!({
                "firstname": "Sam", "lastname": "Lee", "gender": "other",
                "birthdate": "1985-11-02", "telephone": "9988776655",
                "email": format!("{}@example.com", "s".repeat(300))
            }),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.json()["email"].as_str().unwrap().len() > 254);

    // Strict keeps decisions.md's limits.
    let ctx = start_default().await;
    let reply = tp_post(
        &ctx,
        "/users/pass",
        json!({"oldPass": ctx.cfg("tropipay", "password"), "newPass": "x".repeat(7)}),
    )
    .await;
    assert_eq!(reply.status, 400);
    let reply = tss_post(
        &ctx,
        "/profile",
        with(body(), "firstname", json!("N".repeat(101))),
    )
    .await;
    assert_eq!(reply.status, 400);
}

// 6. Values the document does not list.

#[tokio::test]
async fn tss_values_the_document_does_not_list() {
    let ctx = start_lenient(&[]).await;
    let token = tss_auth(&ctx);
    for gender in ["fax", "MALE", ""] {
        let reply = tss_post(&ctx, "/profile", with(body(), "gender", json!(gender))).await;
        assert_eq!(reply.status, 200, "{gender}");
        assert_eq!(reply.json()["gender"], gender);
        assert_eq!(tss_profile(&ctx, &token).await.json()["gender"], gender);
    }
    for platform in ["web%3Cscript%3E", "", "a%20b", &"p".repeat(40)] {
        let reply = ctx
            .get(
                &format!("/api/user/profile?platform={platform}"),
                Auth::Bearer(&token),
            )
            .await;
        assert_eq!(reply.status, 200, "{platform}");
    }
    for telephone in ["+91 98765-43210", "1", "98-76"] {
        let reply = tss_post(
            &ctx,
            "/profile",
            with(body(), "telephone", json!(telephone)),
        )
        .await;
        assert_eq!(reply.status, 200, "{telephone}");
        assert_eq!(reply.json()["telephone"], telephone);
    }
    for telephone in ["", "+", "98a76", "9+8"] {
        let reply = tss_post(
            &ctx,
            "/profile",
            with(body(), "telephone", json!(telephone)),
        )
        .await;
        assert_bodiless(&reply, 422, telephone);
    }
    // Still stated: required strings, the birthdate format, is_two_fa a boolean.
    for case in [
        with(body(), "gender", json!(1)),
        with(body(), "birthdate", json!("1990-02-30")),
        json!({"firstname": "John"}),
    ] {
        assert_bodiless(
            &tss_post(&ctx, "/profile", case.clone()).await,
            422,
            &case.to_string(),
        );
    }
    let reply = tss_post(
        &ctx,
        "/profile/2fa",
        with(body(), "is_two_fa", json!("yes")),
    )
    .await;
    assert_bodiless(&reply, 422, "is_two_fa");
}

#[tokio::test]
async fn tropipay_values_the_document_does_not_list() {
    let ctx = start_lenient(&[]).await;
    for (code, phone, stored) in [
        ("1", "5550100777", "+15550100777"),
        ("+34", "(555) 55-555", "+34(555) 55-555"),
    ] {
        let reply = tp_post(
            &ctx,
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": code, "phone": phone}),
        )
        .await;
        assert_eq!(reply.status, 202, "{code} {phone}");
        let reply = tp_post(
            &ctx,
            "/users/validateToken",
            json!({"securityCode": "123456", "type": "sms"}),
        )
        .await;
        assert_eq!(reply.json()["user"]["phone"], stored);
        assert_eq!(tp_profile(&ctx).await["phone"], stored);
    }
    // Stated: the type enums, "The 6-digit security code", the conditional fields.
    for (path, case) in [
        (
            "/users/sendSecurityCode",
            json!({"type": "SMS", "callingCode": "+1", "phone": "1"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "phone": "234567890"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": "", "phone": "2"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": "+1", "phone": ""}),
        ),
        ("/users/sendSecurityCode", json!({"type": "email"})),
        (
            "/users/validateToken",
            json!({"securityCode": "12345", "type": "sms"}),
        ),
        (
            "/users/validateToken",
            json!({"securityCode": "1234567", "type": "sms"}),
        ),
        (
            "/users/validateToken",
            json!({"securityCode": "123456", "type": "TOTP"}),
        ),
        (
            "/users/2fa",
            json!({"enabled": true, "type": "email", "securityCode": "123456"}),
        ),
    ] {
        assert_bodiless(
            &tp_post(&ctx, path, case.clone()).await,
            400,
            &format!("{path} {case}"),
        );
    }
}

// 7. Response values outside the contract's ranges.

#[tokio::test]
async fn response_values_outside_the_decided_ranges() {
    let ctx = start_lenient(&[]).await;
    let user = tp_profile(&ctx).await;
    assert_eq!(user["balance"], -250);
    assert_eq!(user["pendingOut"], -1200);
    assert_eq!(user["state"], 9);
    assert_eq!(user["kycLevel"], -1);
    assert_eq!(user["twoFaMode"], -1);
    let rfc3339 =
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
            .unwrap();
    for key in ["createdAt", "updatedAt"] {
        let text = user[key].as_str().unwrap();
        assert!(
            rfc3339.is_match(text) && !text.ends_with('Z'),
            "{key} {text}"
        );
    }
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user["logo"].as_str().unwrap().starts_with("https://"));
    // An update writes the mode's timestamp.
    tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "sms", "securityCode": "123456"}),
    )
    .await;
    let after = tp_profile(&ctx).await;
    let updated = after["updatedAt"].as_str().unwrap();
    assert!(
        rfc3339.is_match(updated) && updated.ends_with("+00:00"),
        "{updated}"
    );
    assert_ne!(after["updatedAt"], user["updatedAt"]);

    let profile = tss_profile(&ctx, &tss_auth(&ctx)).await.json();
    assert_eq!(profile["cashback"], -12.5);
    assert_eq!(profile["tss_points"], -3.75);
    for field in MONEY_FIELDS {
        assert!(two_decimals(&profile[field]), "{field}: {}", profile[field]);
    }
    assert_eq!(profile["tss_money_expiry"], "2026-04-30T23:59:59Z");
    assert_eq!(profile["has_password"], 1);
    assert_eq!(profile["birthdate"], "1990-05-15");

    let me = onboard(&ctx).await.json();
    assert_eq!(me["roles"], json!(["CUSTOMER", "ADMIN"]));
    assert_eq!(me["userType"], "CUSTOMER");
    assert_eq!(me["isCustomer"], true);
    assert_eq!(me["kycStatus"], "VERIFIED");
    assert_eq!(me["profile"]["country"], "Nigeria");
    assert_eq!(me["profile"]["dob"], "1994-08-21");
    assert_eq!(me["profile"]["status"], "PENDING_REVIEW");
    assert_eq!(me["createdAt"], "2024-03-13T18:02:11Z");

    // Strict keeps the decided ranges.
    let ctx = start_default().await;
    let user = tp_profile(&ctx).await;
    assert_eq!(user["balance"], 163_202);
    assert_eq!(user["twoFaMode"], 0);
    assert!(user["createdAt"].as_str().unwrap().ends_with('Z'));
    let profile = tss_profile(&ctx, &tss_auth(&ctx)).await.json();
    assert_eq!(profile["cashback"], 150.5);
    assert_eq!(profile["tss_money_expiry"], "2026-04-30");
    let me = onboard(&ctx).await.json();
    assert_eq!(me["roles"], json!(["CUSTOMER"]));
    assert_eq!(me["profile"]["dob"], "1994-08-21T00:00:00.000Z");
    super::onboard::assert_consistent(&me);
}

// Every sentence of the documents still holds.

#[tokio::test]
async fn tss_promises_hold_in_lenient_mode() {
    let ctx = start_lenient(&[]).await;
    let token = tss_auth(&ctx);
    let otp = ctx.cfg("tss", "otp");
    // Names are sanitized; '0000-00-00' skips the birthdate; the email is permanent.
    let update = json!({
        "firstname": "<b>Johnny</b>", "lastname": "<script>x</script>Doe", "gender": "male",
        "birthdate": "0000-00-00", "telephone": "9876543210", "email": "other@example.com"
    });
    let profile = tss_post(&ctx, "/profile", update).await.json();
    assert_eq!(profile["firstname"], "Johnny");
    assert_eq!(profile["lastname"], "Doe");
    assert_eq!(profile["birthdate"], "1990-05-15");
    assert_eq!(profile["email"], "john.doe@example.com");
    // The telephone must be unique, however it is written.
    let taken = ctx.cfg("tss", "taken_telephone");
    let written = format!("{}-{}-{}", &taken[..3], &taken[3..6], &taken[6..]);
    for telephone in [taken.clone(), written] {
        let reply = tss_post(
            &ctx,
            "/profile",
            with(body(), "telephone", json!(telephone)),
        )
        .await;
        assert_bodiless(&reply, 409, &telephone);
    }
    // 2FA changes wait for the OTP; a new telephone brings a new access token.
    let two_fa_on = with(
        with(body(), "is_two_fa", json!(true)),
        "telephone",
        json!("+1 555-0100"),
    );
    let answer = tss_post(&ctx, "/profile/2fa", two_fa_on).await.json();
    assert_eq!(answer["is_otp_sent"], true);
    assert_eq!(tss_profile(&ctx, &token).await.json()["is_two_fa"], 0);
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "+1 555-0100", "otp": "000000"}),
    )
    .await;
    assert_bodiless(&reply, 422, "wrong otp");
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "+15550100", "otp": otp}),
    )
    .await;
    let answer = assert_dressed(&reply, "verify-otp");
    assert_eq!(answer["is_two_fa"], 1);
    assert_eq!(answer["telephone"], "+1 555-0100");
    let access = answer["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.split('.').count(), 3);
    assert_eq!(
        tss_profile(&ctx, &access).await.json()["telephone"],
        "+1 555-0100"
    );
    // A password change logs out the other sessions, the new one included.
    let second = ctx.cfg("tss", "second_token");
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": ctx.cfg("tss", "password"), "password": "1"}),
    )
    .await;
    assert_eq!(
        assert_dressed(&reply, "change-password")["msg"],
        "Password Updated"
    );
    assert_bodiless(&tss_profile(&ctx, &second).await, 403, "second session");
    assert_bodiless(&tss_profile(&ctx, &access).await, 403, "otp session");
    assert_eq!(tss_profile(&ctx, &token).await.status, 200);
    // The locked birthdate stays.
    let locked = ctx.cfg("tss", "locked_birthdate_token");
    let reply = ctx
        .post(
            "/api/user/profile",
            Auth::Bearer(&locked),
            json!({
                "firstname": "Sam", "lastname": "Lee", "gender": "other",
                "birthdate": "2001-01-01", "telephone": "9988776655"
            }),
        )
        .await;
    assert_eq!(reply.json()["birthdate"], "1985-11-02");
}

// Faults on top of the lenient mode.

#[tokio::test]
async fn faults_apply_on_top_of_lenient_mode() {
    let ctx = start_lenient(&["tss-valid-gender-refused"]).await;
    let reply = tss_post(&ctx, "/profile", with(body(), "gender", json!("female"))).await;
    assert_bodiless(&reply, 422, "female refused");
    let reply = tss_post(&ctx, "/profile", with(body(), "gender", json!("fax"))).await;
    assert_eq!(reply.status, 200);

    let ctx = start_lenient(&["tropipay-error-418"]).await;
    assert_bodiless(
        &tp_post(&ctx, "/users/validateToken", json!({"type": "sms"})).await,
        418,
        "400 due",
    );
    assert_bodiless(
        &ctx.get("/api/v3/users/profile", Auth::None).await,
        418,
        "401 due",
    );
    let tp = ctx.cfg("tropipay", "token");
    let reply = ctx
        .post_raw(
            "/api/v3/users/pass",
            Auth::Bearer(&tp),
            Some("text/plain"),
            "{}",
        )
        .await;
    assert_bodiless(&reply, 415, "a 415 is not a 400");

    // Moot: lenient 4xx are application/json already.
    let ctx = start_lenient(&["tenpay-problem-as-json"]).await;
    assert_tenpay_problem(&tenpay(&ctx, "abc").await, 404, "abc");

    let ctx = start_lenient(&["tenpay-max-id-refused"]).await;
    assert_tenpay_problem(&tenpay(&ctx, "2147483647").await, 404, "max id as invalid");
    assert_tenpay_problem(&tenpay(&ctx, "2147483646").await, 410, "unknown");

    let ctx = start_lenient(&["tenpay-id-zero-accepted"]).await;
    for zero in ["0", "00", "+0"] {
        assert_eq!(tenpay(&ctx, zero).await.status, 200, "{zero}");
    }

    let ctx = start_lenient(&["tenpay-rate-limited"]).await;
    let reply = tenpay(&ctx, "1001").await;
    assert_tenpay_problem(&reply, 429, "first ask");
    assert_eq!(reply.headers["retry-after"], "1");
    assert_eq!(tenpay(&ctx, "1001").await.status, 200);

    let ctx = start_lenient(&["tenpay-text-content-type", "tenpay-status-1"]).await;
    let reply = tenpay(&ctx, "1003").await;
    assert_eq!(reply.content_type, "text/plain");
    assert_eq!(reply.json()["status"], 1);
    assert_eq!(reply.json()["x_lenient"], true);

    let ctx = start_lenient(&["tss-profile-500"]).await;
    let reply = tss_profile(&ctx, &tss_auth(&ctx)).await;
    assert_eq!(reply.status, 500);
    assert!(reply.json()["msg"].is_string(), "a 5xx keeps its JSON body");

    let ctx = start_lenient(&["tss-money-unrounded"]).await;
    let profile = tss_profile(&ctx, &tss_auth(&ctx)).await.json();
    assert_eq!(profile["cashback"], -12.495);

    let ctx = start_lenient(&["tss-content-type-ignored"]).await;
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::Bearer(&tss_auth(&ctx)),
            Some("text/plain"),
            body().to_string(),
        )
        .await;
    assert_eq!(reply.status, 200);

    let ctx = start_lenient(&["tss-sessions-kept"]).await;
    tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": ctx.cfg("tss", "password"), "password": "1"}),
    )
    .await;
    assert_eq!(
        tss_profile(&ctx, &ctx.cfg("tss", "second_token"))
            .await
            .status,
        200
    );

    let ctx = start_lenient(&["tropipay-profile-no-email", "tropipay-phone-not-updated"]).await;
    let user = tp_profile(&ctx).await;
    assert!(user.get("email").is_none());
    assert_eq!(user["x_lenient"], true);
    tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "sms", "callingCode": "1", "phone": "5"}),
    )
    .await;
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "123456", "type": "sms"}),
    )
    .await;
    assert_eq!(reply.json()["user"]["phone"], "+1234567890");

    let ctx = start_lenient(&["onboard-auth-ignored", "onboard-duplicate-keys"]).await;
    let reply = ctx.get("/users/me", Auth::None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text().matches("\"userId\":").count(), 2);
    assert!(reply.text().contains("\"x_lenient\":true"));

    let ctx = start_lenient(&["tss-otp-unchecked"]).await;
    tss_post(&ctx, "/profile/2fa", with(body(), "is_two_fa", json!(true))).await;
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9876543210", "otp": "x"}),
    )
    .await;
    assert_eq!(reply.status, 200);
}
