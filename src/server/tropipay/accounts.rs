//! The tropipay accounts of one server and "The User Object" they render to.

use serde::Serialize;
use serde_json::{json, Value};

use crate::server::fixtures::{
    Fixtures, TROPIPAY_DISPOSABLE_ID, TROPIPAY_DISPOSABLE_PASSWORD, TROPIPAY_MAIN_ID,
    TROPIPAY_MAIN_PASSWORD,
};

/// `twoFaMode` values: off, authenticator app, SMS.
pub(crate) const TWO_FA_OFF: u8 = 0;
pub(crate) const TWO_FA_TOTP: u8 = 1;
pub(crate) const TWO_FA_SMS: u8 = 2;

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) token: String,
    pub(crate) id: &'static str,
    pub(crate) name: String,
    pub(crate) surname: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) state: u8,
    pub(crate) kyc_level: u8,
    pub(crate) balance: u64,
    pub(crate) pending_in: u64,
    pub(crate) pending_out: u64,
    pub(crate) two_fa_mode: u8,
    pub(crate) logo: String,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
    pub(crate) group: Value,
    pub(crate) user_detail: Value,
    pub(crate) options: Value,
    pub(crate) password: String,
    /// The secret behind `twoFaMode` 1.
    pub(crate) totp_active: Option<Vec<u8>>,
    /// The secret handed out by `2fa/secret`, waiting for a code that proves it was set up.
    pub(crate) totp_pending: Option<Vec<u8>>,
    /// A phone (`+` calling code and number) waiting for a validated sms code.
    pub(crate) pending_phone: Option<String>,
    /// An email waiting for a validated email code.
    pub(crate) pending_email: Option<String>,
    pub(crate) disabled: bool,
}

/// "The User Object" with the extra objects the profile shows, in the document's order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserObject<'a> {
    id: &'a str,
    name: &'a str,
    surname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    phone: &'a str,
    state: u8,
    kyc_level: u8,
    balance: u64,
    pending_in: u64,
    pending_out: u64,
    two_fa_mode: u8,
    logo: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    group: &'a Value,
    user_detail: &'a Value,
    options: &'a Value,
}

impl Account {
    /// The user object; `with_email` false leaves `email` out (a fault).
    pub(crate) fn object(&self, with_email: bool) -> UserObject<'_> {
        UserObject {
            id: self.id,
            name: &self.name,
            surname: &self.surname,
            email: with_email.then_some(self.email.as_str()),
            phone: &self.phone,
            state: self.state,
            kyc_level: self.kyc_level,
            balance: self.balance,
            pending_in: self.pending_in,
            pending_out: self.pending_out,
            two_fa_mode: self.two_fa_mode,
            logo: &self.logo,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            group: &self.group,
            user_detail: &self.user_detail,
            options: &self.options,
        }
    }
}

/// Every account of one server.
#[derive(Debug)]
pub(crate) struct Accounts {
    pub(crate) list: Vec<Account>,
}

impl Accounts {
    pub(crate) fn new(fixtures: &Fixtures) -> Self {
        let main = Account {
            token: fixtures.tropipay_token.clone(),
            id: TROPIPAY_MAIN_ID,
            name: "John".into(),
            surname: "Doe".into(),
            email: "john.doe@example.com".into(),
            phone: "+1234567890".into(),
            state: 1,
            kyc_level: 4,
            balance: 163_202,
            pending_in: 1_339_174,
            pending_out: 0,
            two_fa_mode: TWO_FA_OFF,
            logo: format!("https://umedia.tropipay.com/develop/{TROPIPAY_MAIN_ID}/logo-257.png"),
            created_at: "2022-06-10T11:48:38.319Z".into(),
            updated_at: "2025-07-24T05:50:54.066Z".into(),
            group: json!({"id": 1, "name": "Personal", "code": "PERSONAL"}),
            user_detail: json!({
                "birthDate": "1988-03-14",
                "countryId": 68,
                "city": "Madrid",
                "address": "Calle Mayor 12",
                "postalCode": "28013",
                "occupation": "Software engineer",
                "lang": "en",
            }),
            options: json!({"defaultCurrency": "EUR", "notifications": true, "newsletter": false}),
            password: TROPIPAY_MAIN_PASSWORD.into(),
            totp_active: None,
            totp_pending: None,
            pending_phone: None,
            pending_email: None,
            disabled: false,
        };
        let disposable = Account {
            token: fixtures.tropipay_disposable_token.clone(),
            id: TROPIPAY_DISPOSABLE_ID,
            name: "Maria".into(),
            surname: "Lopez".into(),
            email: "maria.lopez@example.com".into(),
            phone: "+5355512345".into(),
            state: 1,
            kyc_level: 4,
            balance: 2_500,
            pending_in: 0,
            pending_out: 1_200,
            two_fa_mode: TWO_FA_OFF,
            logo: format!(
                "https://umedia.tropipay.com/develop/{TROPIPAY_DISPOSABLE_ID}/logo-100.png"
            ),
            created_at: "2023-01-17T08:05:12.501Z".into(),
            updated_at: "2025-05-02T14:20:31.882Z".into(),
            group: json!({"id": 1, "name": "Personal", "code": "PERSONAL"}),
            user_detail: json!({
                "birthDate": "1995-11-30",
                "countryId": 53,
                "city": "La Habana",
                "address": "Calle 23 No. 456",
                "postalCode": "10400",
                "occupation": "Designer",
                "lang": "es",
            }),
            options: json!({"defaultCurrency": "USD", "notifications": false, "newsletter": false}),
            password: TROPIPAY_DISPOSABLE_PASSWORD.into(),
            totp_active: None,
            totp_pending: None,
            pending_phone: None,
            pending_email: None,
            disabled: false,
        };
        Self {
            list: vec![main, disposable],
        }
    }

    pub(crate) fn by_token(&self, token: &str) -> Option<usize> {
        self.list.iter().position(|account| account.token == token)
    }

    pub(crate) fn by_id(&self, id: &str) -> Option<usize> {
        self.list.iter().position(|account| account.id == id)
    }
}
