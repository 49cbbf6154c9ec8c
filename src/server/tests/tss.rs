//! tss over the wire.

use serde_json::{json, Value};

use super::{start_default, Auth, Ctx};

const PROFILE_FIELDS: [&str; 21] = [
    "user_id",
    "firstname",
    "lastname",
    "email",
    "telephone",
    "gender",
    "birthdate",
    "cashback",
    "tss_money",
    "tss_points",
    "next_Tss_Money_To_Expire",
    "tss_money_expiry",
    "next_Tss_Point_To_Expire",
    "tss_point_expiry",
    "order_count",
    "total_spending",
    "successful_orders",
    "disable_birthdate",
    "has_password",
    "is_two_fa",
    "referal_code",
];

pub(super) const MONEY_FIELDS: [&str; 6] = [
    "cashback",
    "tss_money",
    "tss_points",
    "next_Tss_Money_To_Expire",
    "next_Tss_Point_To_Expire",
    "total_spending",
];

/// True when the JSON text of a number has at most 2 decimals.
pub(super) fn two_decimals(value: &Value) -> bool {
    let text = value.to_string();
    match text.split_once('.') {
        Some((_, decimals)) => decimals.len() <= 2,
        None => true,
    }
}

pub(super) fn body() -> Value {
    json!({
        "firstname": "John",
        "lastname": "Doe",
        "gender": "male",
        "birthdate": "1990-05-15",
        "telephone": "9876543210"
    })
}

pub(super) fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

async fn get_profile(ctx: &Ctx, token: &str) -> Value {
    let reply = ctx.get("/api/user/profile", Auth::Bearer(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn profile_has_every_documented_field() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    for path in [
        "/api/user/profile",
        "/api/user/profile?platform=web",
        "/api/user/profile?platform=mobile",
        "/api/user/profile?platform=ios_app-2",
    ] {
        let reply = ctx.get(path, Auth::Bearer(&token)).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.content_type.starts_with("application/json"));
        let profile = reply.json();
        for field in PROFILE_FIELDS {
            assert!(profile.get(field).is_some(), "missing {field}");
        }
        for field in MONEY_FIELDS {
            assert!(profile[field].is_number(), "{field}");
            assert!(two_decimals(&profile[field]), "{field}: {}", profile[field]);
        }
        assert_eq!(profile["birthdate"], "1990-05-15");
        assert_eq!(profile["cashback"], 150.5);
        assert_eq!(profile["is_two_fa"], 0);
        assert_eq!(profile["has_password"], 1);
    }
    for bad in [
        "?platform=",
        "?platform=web%20app",
        "?platform=%3Cscript%3E",
        "?platform=web&platform=bad!",
    ] {
        let reply = ctx
            .get(&format!("/api/user/profile{bad}"), Auth::Bearer(&token))
            .await;
        assert_eq!(reply.status, 400, "{bad}");
        assert!(reply.json().is_object());
    }
    let long = format!("/api/user/profile?platform={}", "a".repeat(33));
    assert_eq!(ctx.get(&long, Auth::Bearer(&token)).await.status, 400);
}

#[tokio::test]
async fn auth_is_required_and_checked_first() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    let basic = format!("Basic {token}");
    for auth in [
        Auth::None,
        Auth::Bearer("tss_sess_unknown"),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &token),
    ] {
        assert_eq!(ctx.get("/api/user/profile", auth).await.status, 401);
        for path in [
            "/profile",
            "/profile/2fa",
            "/profile/verify-otp",
            "/change-password",
        ] {
            let reply = ctx
                .post_raw(&format!("/api/user{path}"), auth, Some("text/plain"), "{x")
                .await;
            assert_eq!(reply.status, 401, "{path} {auth:?}");
            assert!(reply.json().is_object());
        }
    }
}

#[tokio::test]
async fn update_rejects_bad_bodies() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    let auth = Auth::Bearer(&token);
    for (content_type, raw) in [
        (Some("application/json"), "{broken".to_string()),
        (Some("application/json"), "\"a string\"".to_string()),
        (Some("text/plain"), body().to_string()),
        (None, body().to_string()),
    ] {
        let reply = ctx
            .post_raw("/api/user/profile", auth, content_type, raw.clone())
            .await;
        assert_eq!(reply.status, 400, "{content_type:?} {raw}");
        assert!(reply.json().is_object());
    }
    let cases = [
        with(body(), "gender", json!("MALE")),
        with(body(), "gender", json!("robot")),
        with(body(), "firstname", json!(42)),
        with(body(), "firstname", json!("")),
        with(body(), "lastname", json!("x".repeat(101))),
        with(body(), "birthdate", json!("1990-02-30")),
        with(body(), "birthdate", json!("05/15/1990")),
        with(body(), "telephone", json!("12345")),
        with(body(), "telephone", json!("+19876543210")),
        with(body(), "email", json!("nope")),
        json!({"firstname": "John"}),
    ];
    for case in &cases {
        let reply = ctx.post("/api/user/profile", auth, case.clone()).await;
        assert_eq!(reply.status, 400, "{case}");
    }
    // /profile/2fa also needs is_two_fa, as a boolean.
    let reply = ctx.post("/api/user/profile/2fa", auth, body()).await;
    assert_eq!(reply.status, 400);
    let reply = ctx
        .post(
            "/api/user/profile/2fa",
            auth,
            with(body(), "is_two_fa", json!(1)),
        )
        .await;
    assert_eq!(reply.status, 400);
    for case in [
        json!({"telephone": "9876543210", "otp": "12345"}),
        json!({"telephone": "98", "otp": "654321"}),
        json!({"otp": "654321"}),
    ] {
        let reply = ctx
            .post("/api/user/profile/verify-otp", auth, case.clone())
            .await;
        assert_eq!(reply.status, 400, "{case}");
    }
    for case in [
        json!({"old_password": "OldPassword123", "password": "short"}),
        json!({"old_password": "", "password": "long-enough-1"}),
        json!({"password": "long-enough-1"}),
    ] {
        let reply = ctx
            .post("/api/user/change-password", auth, case.clone())
            .await;
        assert_eq!(reply.status, 400, "{case}");
    }
    // Nothing changed.
    let profile = get_profile(&ctx, &token).await;
    assert_eq!(profile["firstname"], "John");
    assert_eq!(profile["gender"], "male");
}

#[tokio::test]
async fn update_applies_the_documented_rules() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    let auth = Auth::Bearer(&token);
    let update = json!({
        "firstname": "  <b>Johnny</b> ",
        "lastname": "<script>alert(1)</script>Doe-Smith",
        "gender": "female",
        "birthdate": "0000-00-00",
        "telephone": "9876543211",
        "email": "someone.else@example.com",
        "unknown_extra": true
    });
    let reply = ctx.post("/api/user/profile", auth, update).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let profile = reply.json();
    for field in PROFILE_FIELDS {
        assert!(profile.get(field).is_some(), "missing {field}");
    }
    assert_eq!(profile["firstname"], "Johnny");
    assert_eq!(profile["lastname"], "Doe-Smith");
    assert_eq!(profile["gender"], "female");
    assert_eq!(profile["birthdate"], "1990-05-15");
    assert_eq!(profile["telephone"], "9876543211");
    assert_eq!(profile["email"], "john.doe@example.com");
    assert_eq!(get_profile(&ctx, &token).await, profile);

    let reply = ctx
        .post(
            "/api/user/profile",
            auth,
            with(body(), "birthdate", json!("1991-01-02")),
        )
        .await;
    assert_eq!(reply.json()["birthdate"], "1991-01-02");

    // Another user's telephone.
    let taken = ctx.cfg("tss", "taken_telephone");
    let reply = ctx
        .post(
            "/api/user/profile",
            auth,
            with(body(), "telephone", json!(taken)),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert!(reply.json().is_object());
    assert_ne!(get_profile(&ctx, &token).await["telephone"], json!(taken));
}

#[tokio::test]
async fn locked_birthdate_and_temporary_email() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "locked_birthdate_token");
    let before = get_profile(&ctx, &token).await;
    assert_eq!(before["disable_birthdate"], true);
    let update = json!({
        "firstname": "Sam",
        "lastname": "Lee",
        "gender": "other",
        "birthdate": "2001-01-01",
        "telephone": before["telephone"],
        "email": "sam.lee@example.com"
    });
    let reply = ctx
        .post("/api/user/profile", Auth::Bearer(&token), update)
        .await;
    assert_eq!(reply.status, 200);
    let after = reply.json();
    assert_eq!(after["birthdate"], before["birthdate"]);
    assert_eq!(after["email"], "sam.lee@example.com");
}

#[tokio::test]
async fn otp_flow() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    let auth = Auth::Bearer(&token);
    let otp = ctx.cfg("tss", "otp");

    // Nothing pending yet.
    let reply = ctx
        .post(
            "/api/user/profile/verify-otp",
            auth,
            json!({"telephone": "9876543210", "otp": otp}),
        )
        .await;
    assert_eq!(reply.status, 400);

    // No telephone/2FA change: applies at once.
    let reply = ctx
        .post(
            "/api/user/profile/2fa",
            auth,
            with(
                with(body(), "is_two_fa", json!(false)),
                "firstname",
                json!("Jon"),
            ),
        )
        .await;
    assert_eq!(reply.status, 200);
    let answer = reply.json();
    assert_eq!(answer["is_otp_sent"], false);
    assert_eq!(answer["is_profile_updated"], true);
    assert_eq!(answer["message"], "Profile updated successfully!");
    assert_eq!(answer["valid_token_count"], 2);
    assert_eq!(get_profile(&ctx, &token).await["firstname"], "Jon");

    // Turning 2FA on waits for the OTP.
    let reply = ctx
        .post(
            "/api/user/profile/2fa",
            auth,
            with(body(), "is_two_fa", json!(true)),
        )
        .await;
    let answer = reply.json();
    assert_eq!(
        answer,
        json!({
            "telephone": "9876543210",
            "is_otp_sent": true,
            "message": "OTP Sent successfully!",
            "disable_birthdate": false,
            "is_profile_updated": false,
            "valid_token_count": 2
        })
    );
    let profile = get_profile(&ctx, &token).await;
    assert_eq!(profile["is_two_fa"], 0);
    assert_eq!(profile["firstname"], "Jon");

    for wrong in [
        json!({"telephone": "9876543210", "otp": "000000"}),
        json!({"telephone": "9876543299", "otp": otp}),
    ] {
        let reply = ctx.post("/api/user/profile/verify-otp", auth, wrong).await;
        assert_eq!(reply.status, 400);
        assert_eq!(get_profile(&ctx, &token).await["is_two_fa"], 0);
    }
    let reply = ctx
        .post(
            "/api/user/profile/verify-otp",
            auth,
            json!({"telephone": "9876543210", "otp": otp}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["is_two_fa"], 1);
    assert_eq!(answer["firstname"], "John");
    assert_eq!(answer["valid_token_count"], 2);
    assert!(answer.get("access_token").is_none());

    // A 2FA user's new telephone waits for the OTP; the other fields apply.
    let reply = ctx
        .post(
            "/api/user/profile",
            auth,
            with(
                with(body(), "telephone", json!("9000000001")),
                "lastname",
                json!("Doh"),
            ),
        )
        .await;
    assert_eq!(reply.status, 200);
    let answer = reply.json();
    assert_eq!(answer["is_otp_sent"], true);
    assert_eq!(answer["telephone"], "9876543210");
    assert_eq!(answer["lastname"], "Doh");
    assert_eq!(get_profile(&ctx, &token).await["telephone"], "9876543210");

    let reply = ctx
        .post(
            "/api/user/profile/verify-otp",
            auth,
            json!({"telephone": "9000000001", "otp": otp}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let answer = reply.json();
    assert_eq!(answer["telephone"], "9000000001");
    assert_eq!(answer["valid_token_count"], 3);
    let access = answer["access_token"].as_str().unwrap().to_string();
    assert_eq!(access.split('.').count(), 3);
    let profile = get_profile(&ctx, &access).await;
    assert_eq!(profile["telephone"], "9000000001");

    // The change is done: a second verify has nothing to complete.
    let reply = ctx
        .post(
            "/api/user/profile/verify-otp",
            auth,
            json!({"telephone": "9000000001", "otp": otp}),
        )
        .await;
    assert_eq!(reply.status, 400);
}

#[tokio::test]
async fn change_password_logs_out_other_sessions() {
    let ctx = start_default().await;
    let token = ctx.cfg("tss", "token");
    let second = ctx.cfg("tss", "second_token");
    let password = ctx.cfg("tss", "password");
    get_profile(&ctx, &second).await;

    let reply = ctx
        .post(
            "/api/user/change-password",
            Auth::Bearer(&token),
            json!({"old_password": "not-the-password", "password": "NewPassword456"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["msg"], "Old password is incorrect");
    get_profile(&ctx, &second).await;

    let reply = ctx
        .post(
            "/api/user/change-password",
            Auth::Bearer(&token),
            json!({"old_password": password, "password": "NewPassword456"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"msg": "Password Updated"}));
    assert_eq!(
        ctx.get("/api/user/profile", Auth::Bearer(&second))
            .await
            .status,
        401
    );
    get_profile(&ctx, &token).await;
    // Other users keep their sessions.
    get_profile(&ctx, &ctx.cfg("tss", "locked_birthdate_token")).await;

    let reply = ctx
        .post(
            "/api/user/change-password",
            Auth::Bearer(&token),
            json!({"old_password": "NewPassword456", "password": password}),
        )
        .await;
    assert_eq!(reply.status, 200);
}
