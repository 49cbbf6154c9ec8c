//! OnboardPay `GET /users/me` (document 003): the profile behind an `x-auth-token`, for a
//! CUSTOMER and a PARTNER (merchant) user.
//!
//! Why two users: the document's example shows `isCustomer` and `isMerchant` both true for
//! a CUSTOMER, which only makes sense if the flags follow `userType`/`roles`; the fixtures
//! make them consistent so a check on that consistency has something true to hold to.
//!
//! Lenient mode answers 403 without a body for a missing or wrong `x-auth-token`, and its
//! profiles take values decisions.md rules out but the document leaves open: a role beyond
//! CUSTOMER/PARTNER (`roles` is `enum<string>[]` with no list), a country name and a plain
//! date in `profile` (untyped there), a `profile.status` outside the kycStatus list.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value};

use super::app::App;
use super::faults::Fault;
use super::fixtures::Fixtures;
use super::reply::{self, Api, Refusal};
use super::{hostile, request};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct NameChange {
    reason: &'static str,
    actor: &'static str,
    previous_name: &'static str,
    current_name: &'static str,
    evidence_url: &'static str,
    timestamp: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    comment: &'static str,
    added_by: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct TradeHistory {
    has_previous_trade_history: bool,
    proof_of_trade: Vec<&'static str>,
    referee: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    status: &'static str,
    fullname: &'static str,
    country: &'static str,
    dob: String,
    display_name: &'static str,
    proof_of_address: &'static str,
    has_business_bank_account: bool,
    business_name: &'static str,
    certificate_of_incorporation: &'static str,
    has_share_holder_list: bool,
    user_in_share_holder_list: bool,
    no_share_holder_list_evidence: &'static str,
    use_of_business_account_approved_by_shareholders: bool,
    no_of_legal_directors: u32,
    regulatory_ids_of_directors: Vec<&'static str>,
    deposit_timeout: u32,
    approval_timeout: u32,
    trade_history_details: TradeHistory,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct TransactionLimit {
    daily_transaction_limit: u64,
    max_single_transaction_limit: u64,
    min_single_transaction_limit: u64,
    max_lifetime_limit: u64,
}

/// The documented `/users/me` object, in the document's field order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Me {
    user_id: &'static str,
    email: &'static str,
    name: &'static str,
    phone_number: &'static str,
    phone_number_verified: bool,
    full_name: &'static str,
    referral_link: &'static str,
    referral_code: &'static str,
    user_type: &'static str,
    roles: Vec<&'static str>,
    is_customer: bool,
    is_merchant: bool,
    is_opn_merchant: bool,
    is_merchant_network: bool,
    kyc_status: &'static str,
    kyc_retry_count: u32,
    kyc_retry_limit: u32,
    kyc_name_history: Vec<NameChange>,
    comments: Vec<Comment>,
    includes: Map<String, Value>,
    supported_currencies: Vec<&'static str>,
    language: &'static str,
    availability: bool,
    active: bool,
    country: &'static str,
    verified_address: &'static str,
    profile: Profile,
    transaction_limit: TransactionLimit,
    auth_source: &'static str,
    created_at: &'static str,
    last_active_at: &'static str,
    is_totp_setup: bool,
    totp_setup_at: &'static str,
    verified_phone_number_last_updated_at: &'static str,
}

fn customer() -> Me {
    Me {
        user_id: "65f1c2a9e4b0d8a1c3f70a12",
        email: "ada.obi@example.com",
        name: "Ada",
        phone_number: "2348100000000",
        phone_number_verified: true,
        full_name: "Ada Chioma Obi",
        referral_link: "https://onboard.xyz/invite/ADAOBI7",
        referral_code: "ADAOBI7",
        user_type: "CUSTOMER",
        roles: vec!["CUSTOMER"],
        is_customer: true,
        is_merchant: false,
        is_opn_merchant: false,
        is_merchant_network: false,
        kyc_status: "VERIFIED",
        kyc_retry_count: 1,
        kyc_retry_limit: 3,
        kyc_name_history: vec![NameChange {
            reason: "Name on ID document differs from sign-up name",
            actor: "kyc-service",
            previous_name: "Ada Obi",
            current_name: "Ada Chioma Obi",
            evidence_url: "https://files.onboard.xyz/kyc/65f1c2a9/id-front.jpg",
            timestamp: "2024-03-14T09:12:44Z",
        }],
        comments: vec![Comment {
            comment: "ID document verified manually after a blurry first upload",
            added_by: "support@onboard.xyz",
        }],
        includes: Map::new(),
        supported_currencies: vec!["NGN", "USDT", "USDC"],
        language: "en-NG",
        availability: true,
        active: true,
        country: "NG",
        verified_address: "0x15b8b00fb8d2bd7d76e90e70294e87fc6ba79e3b",
        profile: Profile {
            status: "VERIFIED",
            fullname: "Ada Chioma Obi",
            country: "NG",
            dob: "1994-08-21T00:00:00.000Z".into(),
            display_name: "Ada O.",
            proof_of_address: "https://files.onboard.xyz/kyc/65f1c2a9/utility-bill.pdf",
            has_business_bank_account: false,
            business_name: "",
            certificate_of_incorporation: "",
            has_share_holder_list: false,
            user_in_share_holder_list: false,
            no_share_holder_list_evidence: "",
            use_of_business_account_approved_by_shareholders: false,
            no_of_legal_directors: 0,
            regulatory_ids_of_directors: vec![],
            deposit_timeout: 1200,
            approval_timeout: 1200,
            trade_history_details: TradeHistory {
                has_previous_trade_history: false,
                proof_of_trade: vec![],
                referee: "",
            },
        },
        transaction_limit: TransactionLimit {
            daily_transaction_limit: 5_000_000,
            max_single_transaction_limit: 1_000_000,
            min_single_transaction_limit: 1_000,
            max_lifetime_limit: 100_000_000,
        },
        auth_source: "EMAIL",
        created_at: "2024-03-13T18:02:11Z",
        last_active_at: "2025-07-24T05:50:54Z",
        is_totp_setup: true,
        totp_setup_at: "2024-03-15T10:00:00Z",
        verified_phone_number_last_updated_at: "2024-03-14T09:30:00Z",
    }
}

fn partner() -> Me {
    Me {
        user_id: "65f1c2a9e4b0d8a1c3f70b34",
        email: "payments@lagos-traders.example.com",
        name: "Tunde",
        phone_number: "2348031234567",
        phone_number_verified: true,
        full_name: "Babatunde Adeyemi",
        referral_link: "https://onboard.xyz/invite/LAGOSTR",
        referral_code: "LAGOSTR",
        user_type: "PARTNER",
        roles: vec!["PARTNER"],
        is_customer: false,
        is_merchant: true,
        is_opn_merchant: true,
        is_merchant_network: true,
        kyc_status: "VERIFIED",
        kyc_retry_count: 0,
        kyc_retry_limit: 3,
        kyc_name_history: vec![],
        comments: vec![],
        includes: Map::new(),
        supported_currencies: vec!["NGN", "USDT"],
        language: "en",
        availability: true,
        active: true,
        country: "NG",
        verified_address: "0x8ba1f109551bd432803012645ac136ddd64dba72",
        profile: Profile {
            status: "VERIFIED",
            fullname: "Babatunde Adeyemi",
            country: "NG",
            dob: "1987-02-03T00:00:00.000Z".into(),
            display_name: "Lagos Traders",
            proof_of_address: "https://files.onboard.xyz/kyc/65f1c2b3/lease.pdf",
            has_business_bank_account: true,
            business_name: "Lagos Traders Ltd",
            certificate_of_incorporation: "https://files.onboard.xyz/kyc/65f1c2b3/cac.pdf",
            has_share_holder_list: true,
            user_in_share_holder_list: true,
            no_share_holder_list_evidence: "",
            use_of_business_account_approved_by_shareholders: true,
            no_of_legal_directors: 2,
            regulatory_ids_of_directors: vec!["RC-1234567", "RC-7654321"],
            deposit_timeout: 1200,
            approval_timeout: 1800,
            trade_history_details: TradeHistory {
                has_previous_trade_history: true,
                proof_of_trade: vec!["https://files.onboard.xyz/kyc/65f1c2b3/trades-2023.pdf"],
                referee: "Chinedu Okafor",
            },
        },
        transaction_limit: TransactionLimit {
            daily_transaction_limit: 50_000_000,
            max_single_transaction_limit: 10_000_000,
            min_single_transaction_limit: 5_000,
            max_lifetime_limit: 2_000_000_000,
        },
        auth_source: "EMAIL",
        created_at: "2023-11-07T05:31:56Z",
        last_active_at: "2025-07-23T16:40:02Z",
        is_totp_setup: true,
        totp_setup_at: "2023-11-08T08:15:00Z",
        verified_phone_number_last_updated_at: "2023-11-07T06:00:00Z",
    }
}

/// The users of one server (read-only): (token, profile).
#[derive(Debug)]
pub(crate) struct Directory {
    users: Vec<(String, Me)>,
}

/// The lenient variant of a profile: the same user, with the values decisions.md rules
/// out and the document allows.
fn loosened(mut me: Me) -> Me {
    me.roles.push("ADMIN");
    me.profile.status = "PENDING_REVIEW";
    me.profile.country = "Nigeria";
    if let Some((date, _)) = me.profile.dob.split_once('T') {
        me.profile.dob = date.to_string();
    }
    me
}

impl Directory {
    pub(crate) fn new(fixtures: &Fixtures, lenient: bool) -> Self {
        let mode = |me: Me| if lenient { loosened(me) } else { me };
        Self {
            users: vec![
                (fixtures.onboard_token.clone(), mode(customer())),
                (fixtures.onboard_partner_token.clone(), mode(partner())),
            ],
        }
    }

    fn find(&self, token: &str) -> Option<&Me> {
        self.users
            .iter()
            .find(|(known, _)| known == token)
            .map(|(_, me)| me)
    }

    fn main_user(&self) -> Option<&Me> {
        self.users.first().map(|(_, me)| me)
    }
}

/// `GET /users/me`.
pub(crate) async fn me(State(app): State<App>, headers: HeaderMap) -> Response {
    let found =
        request::single_header(&headers, "x-auth-token").and_then(|token| app.onboard.find(token));
    let me = match found {
        Some(me) => me,
        None if app.has(Fault::OnboardAuthIgnored) => match app.onboard.main_user() {
            Some(me) => me,
            None => return unauthorized(&app),
        },
        None => return unauthorized(&app),
    };
    let mut me = me.clone();
    if me.user_type == "CUSTOMER" && app.has(Fault::OnboardMerchantFlags) {
        me.is_merchant = true;
    }
    if app.has(Fault::OnboardKycRetryOver) {
        me.kyc_retry_count = me.kyc_retry_limit + 2;
    }
    if app.has(Fault::OnboardNeverAnswers) {
        hostile::until_stopped(&app.stopping).await;
        return reply::error(
            Api::Onboard,
            app.lenient,
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the server is stopping",
        );
    }
    let body = body_bytes(&app, &me);
    if app.has(Fault::OnboardSlowBody) {
        return reply::bytes(
            StatusCode::OK,
            reply::APPLICATION_JSON,
            hostile::trickle(body, app.stopping.clone()),
        );
    }
    reply::bytes(StatusCode::OK, reply::APPLICATION_JSON, body)
}

/// The serialized profile (dressed in lenient mode), with the hand-written distortions of
/// the hostile faults.
fn body_bytes(app: &App, me: &Me) -> Vec<u8> {
    let mut text = reply::success_text(app.lenient, me).unwrap_or_default();
    if app.has(Fault::OnboardHugeNumber) {
        let exact = format!("\"kycRetryCount\":{}", me.kyc_retry_count);
        text = text.replacen(&exact, "\"kycRetryCount\":1e400", 1);
    }
    if app.has(Fault::OnboardDuplicateKeys) {
        if let Some(rest) = text.strip_prefix('{') {
            text = format!("{{\"userId\":\"65f1c2a9e4b0d8a1c3f7ffff\",{rest}");
        }
    }
    text.into_bytes()
}

fn unauthorized(app: &App) -> Response {
    reply::error(
        Api::Onboard,
        app.lenient,
        reply::refusal_status(Api::Onboard, app.lenient, Refusal::Unauthenticated),
        "unauthorized",
        "a valid x-auth-token header is required",
    )
}
