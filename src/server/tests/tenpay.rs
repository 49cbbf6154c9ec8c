//! tenpay over the wire.

use serde_json::Value;

use super::{start_default, Auth};

#[tokio::test]
async fn every_status_and_exactly_six_fields() {
    let ctx = start_default().await;
    let token = ctx.cfg("tenpay", "token");
    let ids = ctx.config["tenpay"]["user_ids"].as_array().unwrap().clone();
    let mut statuses = Vec::new();
    for id in ids {
        let id = id.as_integer().unwrap();
        let reply = ctx
            .get(&format!("/User/{id}/status"), Auth::Bearer(&token))
            .await;
        assert_eq!(reply.status, 200, "{id}");
        assert!(reply.content_type.starts_with("application/json"));
        let body = reply.json();
        let object = body.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "isAdditionalData",
                "isEmailVerified",
                "isOptionalKyc",
                "isPhoneNumberVerified",
                "isScaVerified",
                "status"
            ]
        );
        for (key, value) in object {
            if key != "status" {
                assert!(value.is_boolean(), "{key}");
            }
        }
        statuses.push(body["status"].as_u64().unwrap());
    }
    assert_eq!(statuses, [50, 150, 200, 300, 350, 400]);
}

#[tokio::test]
async fn invalid_ids_are_400_problems() {
    let ctx = start_default().await;
    let token = ctx.cfg("tenpay", "token");
    for id in [
        "1.5",
        "-1",
        "abc",
        "%31",
        "",
        "0001",
        "0",
        "2147483648",
        "99999999999999999999",
        "+1",
        "1e3",
        "%20",
    ] {
        let path = format!("/User/{id}/status");
        let reply = ctx.get(&path, Auth::Bearer(&token)).await;
        assert_eq!(reply.status, 400, "{path}");
        assert_eq!(reply.content_type, "application/problem+json", "{path}");
        let body: Value = reply.json();
        assert_eq!(body["status"], 400);
        for key in ["type", "title", "detail", "instance"] {
            assert!(body.get(key).is_some(), "{key}");
        }
    }
}

#[tokio::test]
async fn unknown_ids_are_404_and_auth_is_401() {
    let ctx = start_default().await;
    let token = ctx.cfg("tenpay", "token");
    for id in ["999999", "2147483647", "1"] {
        let reply = ctx
            .get(&format!("/User/{id}/status"), Auth::Bearer(&token))
            .await;
        assert_eq!(reply.status, 404, "{id}");
        assert_eq!(reply.content_type, "application/problem+json");
        assert_eq!(reply.json()["status"], 404);
    }
    let basic = format!("Basic {token}");
    for auth in [
        Auth::None,
        Auth::Bearer("wrong"),
        Auth::Header("authorization", &basic),
        Auth::Header("x-auth-token", &token),
    ] {
        // Auth comes before the id check.
        for id in ["1001", "abc"] {
            let reply = ctx.get(&format!("/User/{id}/status"), auth).await;
            assert_eq!(reply.status, 401, "{auth:?} {id}");
            assert_eq!(reply.content_type, "application/problem+json");
        }
    }
}
