//! tropipay over the wire.

use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use super::{start_default, Auth, Ctx};

const USER_ATTRIBUTES: [&str; 14] = [
    "id",
    "name",
    "surname",
    "email",
    "phone",
    "state",
    "kycLevel",
    "balance",
    "pendingIn",
    "pendingOut",
    "twoFaMode",
    "logo",
    "createdAt",
    "updatedAt",
];

fn is_rfc3339_millis(text: &str) -> bool {
    let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").unwrap();
    re.is_match(text)
}

async fn profile(ctx: &Ctx, token: &str) -> Value {
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

pub(super) fn code_for(secret_b32: &str) -> String {
    let secret = Secret::Encoded(secret_b32.to_string()).to_bytes().unwrap();
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, String::new())
        .unwrap()
        .generate_current()
        .unwrap()
}

#[tokio::test]
async fn profile_has_the_user_object() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx.get("/api/v3/users/profile", Auth::Bearer(&token)).await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("application/json"));
    let user = reply.json();
    for key in USER_ATTRIBUTES {
        assert!(user.get(key).is_some(), "missing {key}");
    }
    for key in ["group", "userDetail", "options"] {
        assert!(user[key].is_object(), "{key}");
    }
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user["logo"].as_str().unwrap().starts_with("https://"));
    assert!(is_rfc3339_millis(user["createdAt"].as_str().unwrap()));
    assert!(is_rfc3339_millis(user["updatedAt"].as_str().unwrap()));
    assert_eq!(user["twoFaMode"], 0);
    assert!(user["balance"].is_u64());
}

#[tokio::test]
async fn auth_is_required_everywhere_and_checked_first() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let basic = format!("Basic {token}");
    let bad_auths = [
        Auth::None,
        Auth::Bearer("tp_live_not_a_real_token"),
        Auth::Bearer(""),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &token),
    ];
    for auth in bad_auths {
        let reply = ctx.get("/api/v3/users/profile", auth).await;
        assert_eq!(reply.status, 401, "{auth:?}");
        assert!(reply.json().is_object());
        for path in [
            "/users/sendSecurityCode",
            "/users/validateToken",
            "/users/2fa",
            "/users/2fa/secret",
            "/users/pass",
            "/users/disable",
        ] {
            // A broken body must not matter: auth comes first.
            let reply = ctx
                .post_raw(
                    &format!("/api/v3{path}"),
                    auth,
                    Some("application/json"),
                    "{oops",
                )
                .await;
            assert_eq!(reply.status, 401, "{path} {auth:?}");
        }
    }
}

#[tokio::test]
async fn bad_bodies_are_400() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let auth = Auth::Bearer(&token);
    let raw_cases: [(&str, Option<&str>, &str); 4] = [
        (
            "/users/sendSecurityCode",
            Some("application/json"),
            "{not json",
        ),
        ("/users/sendSecurityCode", Some("application/json"), "[1,2]"),
        (
            "/users/validateToken",
            Some("text/plain"),
            r#"{"securityCode":"123456","type":"sms"}"#,
        ),
        (
            "/users/validateToken",
            None,
            r#"{"securityCode":"123456","type":"sms"}"#,
        ),
    ];
    for (path, content_type, body) in raw_cases {
        let reply = ctx
            .post_raw(&format!("/api/v3{path}"), auth, content_type, body)
            .await;
        assert_eq!(reply.status, 400, "{path} {body}");
        assert!(reply.json().is_object());
    }
    let long_email = format!("{}@example.com", "a".repeat(250));
    let cases = [
        ("/users/sendSecurityCode", json!({})),
        (
            "/users/sendSecurityCode",
            json!({"type": "SMS", "callingCode": "+1", "phone": "234567890"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "phone": "234567890"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": "+1"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": "1", "phone": "234567890"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "sms", "callingCode": "+1", "phone": "23a4567890"}),
        ),
        ("/users/sendSecurityCode", json!({"type": "email"})),
        (
            "/users/sendSecurityCode",
            json!({"type": "email", "email": "not-an-email"}),
        ),
        (
            "/users/sendSecurityCode",
            json!({"type": "email", "email": long_email}),
        ),
        (
            "/users/validateToken",
            json!({"securityCode": "12345", "type": "sms"}),
        ),
        (
            "/users/validateToken",
            json!({"securityCode": 123456, "type": "sms"}),
        ),
        (
            "/users/validateToken",
            json!({"securityCode": "123456", "type": "TOTP"}),
        ),
        ("/users/validateToken", json!({"securityCode": "123456"})),
        (
            "/users/2fa",
            json!({"enabled": "true", "type": "sms", "securityCode": "123456"}),
        ),
        (
            "/users/2fa",
            json!({"enabled": true, "type": "email", "securityCode": "123456"}),
        ),
        (
            "/users/2fa",
            json!({"type": "sms", "securityCode": "123456"}),
        ),
        (
            "/users/pass",
            json!({"oldPass": "password123", "newPass": "short"}),
        ),
        (
            "/users/pass",
            json!({"oldPass": "", "newPass": "longenough"}),
        ),
        (
            "/users/pass",
            json!({"oldPass": "password123", "newPass": "x".repeat(129)}),
        ),
        (
            "/users/pass",
            json!({"oldPass": "wrong-password", "newPass": "longenough"}),
        ),
    ];
    for (path, body) in cases {
        let reply = ctx
            .post(&format!("/api/v3{path}"), auth, body.clone())
            .await;
        assert_eq!(reply.status, 400, "{path} {body}");
        assert!(reply.json().is_object());
    }
    // A field of the other type is not checked (decisions.md states the rules per type).
    for other in [
        json!({"type": "sms", "callingCode": "+1", "phone": "234567890", "email": "SPN"}),
        json!({"type": "email", "email": "john.doe@example.com", "phone": "n/a", "callingCode": 1}),
    ] {
        let reply = ctx
            .post("/api/v3/users/sendSecurityCode", auth, other.clone())
            .await;
        assert_eq!(reply.status, 200, "{other}");
    }
    // Nothing above changed the password.
    let reply = ctx
        .post(
            "/api/v3/users/pass",
            auth,
            json!({"oldPass": ctx.cfg("tropipay", "password"), "newPass": "newpassword456"}),
        )
        .await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn validated_sms_code_updates_the_phone_and_gives_a_jwt() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let auth = Auth::Bearer(&token);
    let reply = ctx
        .post(
            "/api/v3/users/sendSecurityCode",
            auth,
            json!({"type": "sms", "callingCode": "+34", "phone": "55555555"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["success"], true);
    let before = profile(&ctx, &token).await;

    let wrong = ctx
        .post(
            "/api/v3/users/validateToken",
            auth,
            json!({"securityCode": "000000", "type": "sms"}),
        )
        .await;
    assert_eq!(wrong.status, 200);
    assert_eq!(wrong.json(), json!({"isValid": false}));
    assert_eq!(profile(&ctx, &token).await["phone"], "+1234567890");

    let reply = ctx
        .post(
            "/api/v3/users/validateToken",
            auth,
            json!({"securityCode": ctx.cfg("tropipay", "security_code"), "type": "sms"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["isValid"], true);
    assert_eq!(body["user"]["phone"], "+3455555555");
    let jwt = body["token"].as_str().unwrap().to_string();
    assert_eq!(jwt.split('.').count(), 3);
    assert!(jwt.starts_with("eyJ"));
    let after = profile(&ctx, &jwt).await;
    assert_eq!(after["phone"], "+3455555555");
    assert_eq!(after["id"], before["id"]);
    assert_ne!(after["updatedAt"], before["updatedAt"]);

    // The email flow too.
    ctx.post(
        "/api/v3/users/sendSecurityCode",
        auth,
        json!({"type": "email", "email": "john.new@example.com"}),
    )
    .await;
    let reply = ctx
        .post(
            "/api/v3/users/validateToken",
            auth,
            json!({"securityCode": "123456", "type": "email"}),
        )
        .await;
    assert_eq!(reply.json()["user"]["email"], "john.new@example.com");
}

#[tokio::test]
async fn totp_flow() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let auth = Auth::Bearer(&token);
    let reply = ctx
        .post_raw("/api/v3/users/2fa/secret", auth, None, "")
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16);
    assert!(secret
        .chars()
        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    let qr = body["qrCodeUrl"].as_str().unwrap();
    let decoded = decode_qr(qr);
    assert!(decoded.starts_with("otpauth://totp/TropiPay:"), "{decoded}");
    assert!(decoded.contains(&format!("secret={secret}")), "{decoded}");
    assert!(decoded.contains("issuer=TropiPay"), "{decoded}");

    // A wrong code does not enable 2FA.
    let wrong = if code_for(&secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let reply = ctx
        .post(
            "/api/v3/users/2fa",
            auth,
            json!({"enabled": true, "type": "totp", "securityCode": wrong}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(profile(&ctx, &token).await["twoFaMode"], 0);

    let reply = ctx
        .post(
            "/api/v3/users/2fa",
            auth,
            json!({"enabled": true, "type": "totp", "securityCode": code_for(&secret)}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({"success": true, "twoFaMode": 1}));
    assert_eq!(profile(&ctx, &token).await["twoFaMode"], 1);

    let reply = ctx
        .post(
            "/api/v3/users/validateToken",
            auth,
            json!({"securityCode": code_for(&secret), "type": "totp"}),
        )
        .await;
    assert_eq!(reply.json()["isValid"], true);

    let reply = ctx
        .post(
            "/api/v3/users/2fa",
            auth,
            json!({"enabled": false, "type": "totp", "securityCode": code_for(&secret)}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["twoFaMode"], 0);
    assert_eq!(profile(&ctx, &token).await["twoFaMode"], 0);
}

pub(super) fn decode_qr(data_url: &str) -> String {
    use base64::Engine as _;
    let b64 = data_url
        .strip_prefix("data:image/png;base64,")
        .expect("png data url");
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let image = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    let (_, content) = grids[0].decode().unwrap();
    content
}

#[tokio::test]
async fn sms_two_fa() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let auth = Auth::Bearer(&token);
    let reply = ctx
        .post(
            "/api/v3/users/2fa",
            auth,
            json!({"enabled": true, "type": "sms", "securityCode": "999999"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    let reply = ctx
        .post(
            "/api/v3/users/2fa",
            auth,
            json!({"enabled": true, "type": "sms", "securityCode": "123456"}),
        )
        .await;
    assert_eq!(reply.json()["twoFaMode"], 2);
    assert_eq!(profile(&ctx, &token).await["twoFaMode"], 2);
}

#[tokio::test]
async fn password_change() {
    let ctx = start_default().await;
    let token = ctx.cfg("tropipay", "token");
    let auth = Auth::Bearer(&token);
    let old = ctx.cfg("tropipay", "password");
    let reply = ctx
        .post(
            "/api/v3/users/pass",
            auth,
            json!({"oldPass": old, "newPass": "newpassword456"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.json().is_object());
    let again = ctx
        .post(
            "/api/v3/users/pass",
            auth,
            json!({"oldPass": old, "newPass": "another-one-789"}),
        )
        .await;
    assert_eq!(again.status, 400);
    let back = ctx
        .post(
            "/api/v3/users/pass",
            auth,
            json!({"oldPass": "newpassword456", "newPass": old}),
        )
        .await;
    assert_eq!(back.status, 200);
}

#[tokio::test]
async fn disable_kills_only_that_account() {
    let ctx = start_default().await;
    let disposable = ctx.cfg("tropipay", "disposable_token");
    let main = ctx.cfg("tropipay", "token");
    profile(&ctx, &disposable).await;
    let reply = ctx
        .post_raw("/api/v3/users/disable", Auth::Bearer(&disposable), None, "")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"success": true, "message": "User account has been disabled"})
    );
    let reply = ctx
        .get("/api/v3/users/profile", Auth::Bearer(&disposable))
        .await;
    assert_eq!(reply.status, 401);
    let reply = ctx
        .post_raw(
            "/api/v3/users/2fa/secret",
            Auth::Bearer(&disposable),
            None,
            "",
        )
        .await;
    assert_eq!(reply.status, 401);
    profile(&ctx, &main).await;
}
