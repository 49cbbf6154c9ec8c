//! Each fault changes what it claims to change.

use std::time::Duration;

use serde_json::{json, Value};

use super::tropipay::{code_for, decode_qr};
use super::tss::{body, two_decimals, with, MONEY_FIELDS};
use super::{start_with, Auth, Ctx};
use crate::server::fault_catalog;

async fn tp_post(ctx: &Ctx, path: &str, body: Value) -> super::Reply {
    let token = ctx.cfg("tropipay", "token");
    ctx.post(&format!("/api/v3{path}"), Auth::Bearer(&token), body)
        .await
}

async fn tss_post(ctx: &Ctx, path: &str, body: Value) -> super::Reply {
    let token = ctx.cfg("tss", "token");
    ctx.post(&format!("/api/user{path}"), Auth::Bearer(&token), body)
        .await
}

async fn tss_profile(ctx: &Ctx) -> Value {
    let token = ctx.cfg("tss", "token");
    ctx.get("/api/user/profile", Auth::Bearer(&token))
        .await
        .json()
}

async fn tenpay(ctx: &Ctx, id: &str) -> super::Reply {
    let token = ctx.cfg("tenpay", "token");
    ctx.get(&format!("/User/{id}/status"), Auth::Bearer(&token))
        .await
}

#[test]
fn every_fault_starts() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for info in fault_catalog() {
            let ctx = start_with(&[info.name]).await;
            assert!(!info.description.is_empty());
            ctx.server.shutdown().await;
        }
    });
}

#[tokio::test]
async fn tropipay_profile_faults() {
    let ctx = start_with(&["tropipay-profile-status-201"]).await;
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 201);

    let ctx = start_with(&["tropipay-profile-no-email"]).await;
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.json().get("email").is_none());
    assert!(reply.json().get("phone").is_some());

    let ctx = start_with(&["tropipay-redirect-other-origin"]).await;
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 307);
    let location = reply.headers["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!(
            "http://127.0.0.2:{}/api/v3/users/profile",
            ctx.server.addr().port()
        )
    );
    assert_eq!(
        ctx.get("/api/v3/users/profile", Auth::None).await.status,
        401
    );
}

#[tokio::test]
async fn tropipay_validation_faults() {
    let ctx = start_with(&["tropipay-error-418"]).await;
    let reply = tp_post(&ctx, "/users/validateToken", json!({"type": "sms"})).await;
    assert_eq!(reply.status, 418);
    assert!(reply.json().is_object());
    assert_eq!(
        ctx.get("/api/v3/users/profile", Auth::None).await.status,
        418
    );

    let ctx = start_with(&["tropipay-code-pattern-skipped"]).await;
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "12ab", "type": "sms"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["isValid"], false);

    let ctx = start_with(&["tropipay-sms-conditional-skipped"]).await;
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "sms", "phone": "234567890"}),
    )
    .await;
    assert_eq!(reply.status, 200);

    let ctx = start_with(&["tropipay-basic-auth-accepted"]).await;
    let basic = format!("Basic {}", ctx.cfg("tropipay", "token"));
    let reply = ctx
        .get(
            "/api/v3/users/profile",
            Auth::Header("authorization", &basic),
        )
        .await;
    assert_eq!(reply.status, 200);

    let ctx = start_with(&["tropipay-overlong-accepted"]).await;
    let reply = tp_post(
        &ctx,
        "/users/pass",
        json!({"oldPass": ctx.cfg("tropipay", "password"), "newPass": "x".repeat(200)}),
    )
    .await;
    assert_eq!(reply.status, 200);
    let long_email = format!("{}@example.com", "a".repeat(250));
    let reply = tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "email", "email": long_email}),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn tropipay_state_faults() {
    let ctx = start_with(&["tropipay-phone-not-updated"]).await;
    tp_post(
        &ctx,
        "/users/sendSecurityCode",
        json!({"type": "sms", "callingCode": "+34", "phone": "55555555"}),
    )
    .await;
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "123456", "type": "sms"}),
    )
    .await;
    assert_eq!(reply.json()["isValid"], true);
    assert_eq!(reply.json()["user"]["phone"], "+1234567890");

    let ctx = start_with(&["tropipay-wrong-code-valid"]).await;
    let reply = tp_post(
        &ctx,
        "/users/validateToken",
        json!({"securityCode": "000000", "type": "sms"}),
    )
    .await;
    assert_eq!(reply.json()["isValid"], true);

    let ctx = start_with(&["tropipay-pass-no-check"]).await;
    let reply = tp_post(
        &ctx,
        "/users/pass",
        json!({"oldPass": "wrong-password", "newPass": "newpassword456"}),
    )
    .await;
    assert_eq!(reply.status, 200);

    let ctx = start_with(&["tropipay-disable-token-alive"]).await;
    let disposable = ctx.cfg("tropipay", "disposable_token");
    let reply = ctx
        .post_raw("/api/v3/users/disable", Auth::Bearer(&disposable), None, "")
        .await;
    assert_eq!(reply.status, 200);
    let reply = ctx
        .get("/api/v3/users/profile", Auth::Bearer(&disposable))
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn tropipay_totp_faults() {
    let ctx = start_with(&["tropipay-qr-other-secret"]).await;
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx
        .post_raw("/api/v3/users/2fa/secret", Auth::Bearer(&token), None, "")
        .await;
    let body = reply.json();
    let secret = body["secret"].as_str().unwrap();
    let decoded = decode_qr(body["qrCodeUrl"].as_str().unwrap());
    assert!(decoded.starts_with("otpauth://totp/"));
    assert!(!decoded.contains(&format!("secret={secret}")), "{decoded}");
    // The answered secret is still the one that works.
    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "totp", "securityCode": code_for(secret)}),
    )
    .await;
    assert_eq!(reply.status, 200);

    let ctx = start_with(&["tropipay-totp-unverified"]).await;
    ctx.post_raw("/api/v3/users/2fa/secret", Auth::Bearer(&token), None, "")
        .await;
    let secret = ctx
        .post_raw("/api/v3/users/2fa/secret", Auth::Bearer(&token), None, "")
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = if code_for(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let reply = tp_post(
        &ctx,
        "/users/2fa",
        json!({"enabled": true, "type": "totp", "securityCode": wrong}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["twoFaMode"], 1);
}

#[tokio::test]
async fn tss_read_faults() {
    let ctx = start_with(&["tss-money-unrounded"]).await;
    let profile = tss_profile(&ctx).await;
    assert!(MONEY_FIELDS.iter().any(|f| !two_decimals(&profile[*f])));
    assert_eq!(profile["cashback"], 150.505);

    let ctx = start_with(&["tss-profile-500"]).await;
    let token = ctx.cfg("tss", "token");
    let reply = ctx.get("/api/user/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 500);
    assert!(reply.json().is_object());

    let ctx = start_with(&["tss-platform-unchecked"]).await;
    let reply = ctx
        .get("/api/user/profile?platform=%3Cbad%3E", Auth::Bearer(&token))
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn tss_body_faults() {
    let ctx = start_with(&["tss-malformed-json-500"]).await;
    let token = ctx.cfg("tss", "token");
    for path in [
        "/profile",
        "/profile/2fa",
        "/profile/verify-otp",
        "/change-password",
    ] {
        let reply = ctx
            .post_raw(
                &format!("/api/user{path}"),
                Auth::Bearer(&token),
                Some("application/json"),
                "{oops",
            )
            .await;
        assert_eq!(reply.status, 500, "{path}");
    }

    let ctx = start_with(&["tss-wrong-type-accepted"]).await;
    let reply = tss_post(&ctx, "/profile", with(body(), "firstname", json!(42))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["firstname"], "42");

    let ctx = start_with(&["tss-valid-gender-refused"]).await;
    let reply = tss_post(&ctx, "/profile", with(body(), "gender", json!("female"))).await;
    assert_eq!(reply.status, 400);

    let ctx = start_with(&["tss-content-type-ignored"]).await;
    let reply = ctx
        .post_raw(
            "/api/user/profile",
            Auth::Bearer(&token),
            Some("text/plain"),
            body().to_string(),
        )
        .await;
    assert_eq!(reply.status, 200);

    let ctx = start_with(&["tss-enum-case-insensitive"]).await;
    let reply = tss_post(&ctx, "/profile", with(body(), "gender", json!("MALE"))).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn tss_update_faults() {
    let ctx = start_with(&["tss-no-sanitize"]).await;
    let reply = tss_post(
        &ctx,
        "/profile",
        with(body(), "firstname", json!("<b>Jo</b>")),
    )
    .await;
    assert_eq!(reply.json()["firstname"], "<b>Jo</b>");

    let ctx = start_with(&["tss-birthdate-skip-overwrites"]).await;
    let reply = tss_post(
        &ctx,
        "/profile",
        with(body(), "birthdate", json!("0000-00-00")),
    )
    .await;
    assert_eq!(reply.json()["birthdate"], "0000-00-00");

    let ctx = start_with(&["tss-disable-birthdate-ignored"]).await;
    let locked = ctx.cfg("tss", "locked_birthdate_token");
    let update = json!({
        "firstname": "Sam", "lastname": "Lee", "gender": "other",
        "birthdate": "2001-01-01", "telephone": "9988776655"
    });
    let reply = ctx
        .post("/api/user/profile", Auth::Bearer(&locked), update)
        .await;
    assert_eq!(reply.json()["birthdate"], "2001-01-01");

    let ctx = start_with(&["tss-telephone-not-unique"]).await;
    let taken = ctx.cfg("tss", "taken_telephone");
    let reply = tss_post(&ctx, "/profile", with(body(), "telephone", json!(taken))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["telephone"], json!(taken));

    let ctx = start_with(&["tss-email-overwritten"]).await;
    let reply = tss_post(
        &ctx,
        "/profile",
        with(body(), "email", json!("other@example.com")),
    )
    .await;
    assert_eq!(reply.json()["email"], "other@example.com");
}

#[tokio::test]
async fn tss_otp_faults() {
    let two_fa_on = with(body(), "is_two_fa", json!(true));

    let ctx = start_with(&["tss-2fa-applies-immediately"]).await;
    let reply = tss_post(&ctx, "/profile/2fa", two_fa_on.clone()).await;
    assert_eq!(reply.json()["is_otp_sent"], true);
    assert_eq!(tss_profile(&ctx).await["is_two_fa"], 1);

    let ctx = start_with(&["tss-otp-unchecked"]).await;
    tss_post(&ctx, "/profile/2fa", two_fa_on.clone()).await;
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9876543210", "otp": "000000"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(tss_profile(&ctx).await["is_two_fa"], 1);

    let ctx = start_with(&["tss-sessions-kept"]).await;
    let reply = tss_post(
        &ctx,
        "/change-password",
        json!({"old_password": ctx.cfg("tss", "password"), "password": "NewPassword456"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    let second = ctx.cfg("tss", "second_token");
    assert_eq!(
        ctx.get("/api/user/profile", Auth::Bearer(&second))
            .await
            .status,
        200
    );

    let ctx = start_with(&["tss-access-token-dead"]).await;
    let with_phone = with(two_fa_on.clone(), "telephone", json!("9000000001"));
    tss_post(&ctx, "/profile/2fa", with_phone).await;
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9000000001", "otp": "654321"}),
    )
    .await;
    let access = reply.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        ctx.get("/api/user/profile", Auth::Bearer(&access))
            .await
            .status,
        401
    );

    let ctx = start_with(&["tss-verify-no-access-token"]).await;
    let with_phone = with(two_fa_on.clone(), "telephone", json!("9000000001"));
    tss_post(&ctx, "/profile/2fa", with_phone).await;
    let reply = tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9000000001", "otp": "654321"}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["telephone"], "9000000001");
    assert!(reply.json().get("access_token").is_none());

    let ctx = start_with(&["tss-profile-phone-no-otp"]).await;
    tss_post(&ctx, "/profile/2fa", two_fa_on).await;
    tss_post(
        &ctx,
        "/profile/verify-otp",
        json!({"telephone": "9876543210", "otp": "654321"}),
    )
    .await;
    let reply = tss_post(
        &ctx,
        "/profile",
        with(body(), "telephone", json!("9000000002")),
    )
    .await;
    assert_eq!(reply.json()["telephone"], "9000000002");
}

#[tokio::test]
async fn tenpay_faults() {
    let ctx = start_with(&["tenpay-text-content-type"]).await;
    let reply = tenpay(&ctx, "1001").await;
    assert_eq!(reply.content_type, "text/plain");
    assert_eq!(reply.json()["status"], 50);

    let ctx = start_with(&["tenpay-status-1"]).await;
    assert_eq!(tenpay(&ctx, "1003").await.json()["status"], 1);
    assert_eq!(tenpay(&ctx, "1001").await.json()["status"], 50);

    let ctx = start_with(&["tenpay-problem-as-json"]).await;
    let reply = tenpay(&ctx, "abc").await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.content_type, "application/json");

    let ctx = start_with(&["tenpay-id-zero-accepted"]).await;
    assert_eq!(tenpay(&ctx, "0").await.status, 200);
    assert_eq!(tenpay(&ctx, "-1").await.status, 400);

    let ctx = start_with(&["tenpay-unknown-200"]).await;
    let reply = tenpay(&ctx, "999999").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], 200);
    assert_eq!(reply.json()["isEmailVerified"], false);
}

#[tokio::test]
async fn onboard_faults() {
    let ctx = start_with(&["onboard-auth-ignored"]).await;
    let reply = ctx.get("/users/me", Auth::None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["userType"], "CUSTOMER");

    let token = ctx.cfg("onboard", "token");
    let ctx = start_with(&["onboard-merchant-flags"]).await;
    let me = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await
        .json();
    assert_eq!(me["userType"], "CUSTOMER");
    assert_eq!(me["isMerchant"], true);

    let ctx = start_with(&["onboard-kyc-retry-over"]).await;
    let me = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await
        .json();
    assert!(me["kycRetryCount"].as_u64() > me["kycRetryLimit"].as_u64());
}

#[tokio::test]
async fn hostile_bodies() {
    let ctx = start_with(&["tenpay-invalid-utf8"]).await;
    let reply = tenpay(&ctx, "1001").await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("application/json"));
    assert!(std::str::from_utf8(&reply.body).is_err());

    let ctx = start_with(&["tenpay-deep-json"]).await;
    let reply = tenpay(&ctx, "1001").await;
    assert_eq!(reply.body.len(), 20_000);
    assert!(reply.body.starts_with(b"[[[") && reply.body.ends_with(b"]]]"));

    let token = ctx.cfg("onboard", "token");
    let ctx = start_with(&["onboard-huge-number"]).await;
    let reply = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await;
    assert!(reply.text().contains("\"kycRetryCount\":1e400"));

    let ctx = start_with(&["onboard-duplicate-keys"]).await;
    let reply = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await;
    assert_eq!(reply.text().matches("\"userId\":").count(), 2);
    assert!(reply.json().is_object());
}

/// Reads up to `limit` bytes of a streaming answer and reports how many came.
async fn read_some(ctx: &Ctx, id: &str, limit: usize) -> (u16, usize) {
    let token = ctx.cfg("tenpay", "token");
    let mut response = ctx
        .client
        .get(ctx.url(&format!("/User/{id}/status")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let mut read = 0;
    while read < limit {
        match response.chunk().await.unwrap() {
            Some(chunk) => read += chunk.len(),
            None => break,
        }
    }
    (status, read)
}

#[tokio::test]
async fn hostile_streams() {
    let ctx = start_with(&["tenpay-huge-body"]).await;
    let (status, read) = read_some(&ctx, "1001", 4 << 20).await;
    assert_eq!(status, 200);
    assert!(read >= 4 << 20);

    let ctx = start_with(&["tenpay-endless-body"]).await;
    let (status, read) = read_some(&ctx, "1001", 4 << 20).await;
    assert_eq!(status, 200);
    assert!(read >= 4 << 20);
    ctx.server.shutdown().await;

    let ctx = start_with(&["onboard-never-answers"]).await;
    let token = ctx.cfg("onboard", "token");
    let request = ctx
        .client
        .get(ctx.url("/users/me"))
        .header("x-auth-token", &token)
        .send();
    assert!(tokio::time::timeout(Duration::from_millis(300), request)
        .await
        .is_err());
    let began = std::time::Instant::now();
    ctx.server.shutdown().await;
    assert!(began.elapsed() < Duration::from_secs(2));

    let ctx = start_with(&["onboard-slow-body"]).await;
    let mut response = ctx
        .client
        .get(ctx.url("/users/me"))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let began = std::time::Instant::now();
    let mut read = 0;
    while began.elapsed() < Duration::from_millis(1200) {
        match tokio::time::timeout(Duration::from_millis(300), response.chunk()).await {
            Ok(Ok(Some(chunk))) => read += chunk.len(),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    assert!((1..=3).contains(&read), "{read} bytes in 1.2 s");
}
