//! onboard over the wire.

use serde_json::Value;

use super::{start_default, Auth};

const KYC: [&str; 7] = [
    "VERIFIED",
    "UNVERIFIED",
    "IN_PROGRESS",
    "AWAITING_INPUT",
    "FAILED_VERIFICATION",
    "REVIEW_REQUIRED",
    "VERIFICATION_TIMEOUT",
];

pub(super) fn assert_consistent(me: &Value) {
    let roles: Vec<&str> = me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let user_type = me["userType"].as_str().unwrap();
    assert!(["CUSTOMER", "PARTNER"].contains(&user_type));
    assert!(roles.iter().all(|r| ["CUSTOMER", "PARTNER"].contains(r)));
    assert_eq!(me["isCustomer"], roles.contains(&"CUSTOMER"));
    assert_eq!(me["isMerchant"], roles.contains(&"PARTNER"));
    assert!(KYC.contains(&me["kycStatus"].as_str().unwrap()));
    assert!(KYC.contains(&me["profile"]["status"].as_str().unwrap()));
    assert!(me["kycRetryCount"].as_u64() <= me["kycRetryLimit"].as_u64());
    let limit = &me["transactionLimit"];
    let min = limit["minSingleTransactionLimit"].as_u64().unwrap();
    let single = limit["maxSingleTransactionLimit"].as_u64().unwrap();
    let daily = limit["dailyTransactionLimit"].as_u64().unwrap();
    let lifetime = limit["maxLifetimeLimit"].as_u64().unwrap();
    assert!(min <= single && single <= daily && daily <= lifetime);
    assert_eq!(me["includes"], serde_json::json!({}));
}

#[tokio::test]
async fn me_has_the_documented_shape() {
    let ctx = start_default().await;
    let token = ctx.cfg("onboard", "token");
    let reply = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("application/json"));
    let me = reply.json();
    for key in [
        "userId",
        "email",
        "name",
        "phoneNumber",
        "phoneNumberVerified",
        "fullName",
        "referralLink",
        "referralCode",
        "userType",
        "roles",
        "isCustomer",
        "isMerchant",
        "isOpnMerchant",
        "isMerchantNetwork",
        "kycStatus",
        "kycRetryCount",
        "kycRetryLimit",
        "kycNameHistory",
        "comments",
        "includes",
        "supportedCurrencies",
        "language",
        "availability",
        "active",
        "country",
        "verifiedAddress",
        "profile",
        "transactionLimit",
        "authSource",
        "createdAt",
        "lastActiveAt",
        "isTotpSetup",
        "totpSetupAt",
        "verifiedPhoneNumberLastUpdatedAt",
    ] {
        assert!(me.get(key).is_some(), "missing {key}");
    }
    for key in [
        "status",
        "fullname",
        "country",
        "dob",
        "displayName",
        "proofOfAddress",
        "hasBusinessBankAccount",
        "businessName",
        "certificateOfIncorporation",
        "hasShareHolderList",
        "userInShareHolderList",
        "noShareHolderListEvidence",
        "useOfBusinessAccountApprovedByShareholders",
        "noOfLegalDirectors",
        "regulatoryIdsOfDirectors",
        "depositTimeout",
        "approvalTimeout",
        "tradeHistoryDetails",
    ] {
        assert!(me["profile"].get(key).is_some(), "missing profile.{key}");
    }
    assert_eq!(me["userType"], "CUSTOMER");
    assert_consistent(&me);
}

#[tokio::test]
async fn me_needs_the_x_auth_token() {
    let ctx = start_default().await;
    let token = ctx.cfg("onboard", "token");
    for auth in [
        Auth::None,
        Auth::Header("x-auth-token", "obp_key_wrong"),
        Auth::Header("x-auth-token", ""),
        Auth::Bearer(&token),
    ] {
        let reply = ctx.get("/users/me", auth).await;
        assert_eq!(reply.status, 401, "{auth:?}");
        assert!(reply.json().is_object());
    }
}

#[tokio::test]
async fn partner_is_a_merchant() {
    let ctx = start_default().await;
    let token = crate::server::fixtures::Fixtures::new().onboard_partner_token;
    let reply = ctx
        .get("/users/me", Auth::Header("x-auth-token", &token))
        .await;
    assert_eq!(reply.status, 200);
    let me = reply.json();
    assert_eq!(me["userType"], "PARTNER");
    assert_eq!(me["isMerchant"], true);
    assert_consistent(&me);
}
