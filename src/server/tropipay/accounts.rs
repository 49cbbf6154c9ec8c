//! The tropipay accounts of one server and "The User Object" they render to.
//!
//! The numbers the document leaves open differ by mode: decisions.md keeps `state`,
//! `kycLevel`, `twoFaMode` and the amounts at 0 or more; the lenient fixtures hold a negative
//! balance and pendingOut, other state/KYC codes, other 2FA mode codes and timestamps with a
//! numeric offset (still RFC 3339).

use serde::Serialize;
use serde_json::{json, Value};

use crate::server::fixtures::{
    Fixtures, TROPIPAY_DISPOSABLE_ID, TROPIPAY_DISPOSABLE_PASSWORD, TROPIPAY_MAIN_ID,
    TROPIPAY_MAIN_PASSWORD,
};

/// The 2FA mode of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TwoFa {
    Off,
    /// Authenticator app.
    Totp,
    Sms,
}

impl TwoFa {
    /// The `twoFaMode` code. The document only says "(e.g., 1 for enabled)": strict uses 0, 1
    /// and 2; lenient uses other integers, one of them negative.
    pub(crate) fn code(self, lenient: bool) -> i64 {
        match (self, lenient) {
            (Self::Off, false) => 0,
            (Self::Totp, false) => 1,
            (Self::Sms, false) => 2,
            (Self::Off, true) => -1,
            (Self::Totp, true) => 7,
            (Self::Sms, true) => 8,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) token: String,
    pub(crate) id: &'static str,
    pub(crate) name: String,
    pub(crate) surname: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) state: i64,
    pub(crate) kyc_level: i64,
    pub(crate) balance: i64,
    pub(crate) pending_in: i64,
    pub(crate) pending_out: i64,
    pub(crate) two_fa: TwoFa,
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
    state: i64,
    kyc_level: i64,
    balance: i64,
    pending_in: i64,
    pending_out: i64,
    two_fa_mode: i64,
    logo: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    group: &'a Value,
    user_detail: &'a Value,
    options: &'a Value,
}

impl Account {
    /// The user object; `with_email` false leaves `email` out (a fault).
    pub(crate) fn object(&self, with_email: bool, lenient: bool) -> UserObject<'_> {
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
            two_fa_mode: self.two_fa.code(lenient),
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
    pub(crate) fn new(fixtures: &Fixtures, lenient: bool) -> Self {
        let mut main = Account {
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
            two_fa: TwoFa::Off,
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
        let mut disposable = Account {
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
            two_fa: TwoFa::Off,
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
        if lenient {
            main.state = 9;
            main.kyc_level = -1;
            main.balance = -250;
            main.pending_out = -1_200;
            main.created_at = "2022-06-10T13:48:38.319+02:00".into();
            main.updated_at = "2025-07-24T07:50:54+02:00".into();
            disposable.state = 9;
            disposable.kyc_level = 0;
            disposable.balance = -99;
            disposable.created_at = "2023-01-17T03:05:12-05:00".into();
            disposable.updated_at = "2025-05-02T09:20:31-05:00".into();
        }
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
