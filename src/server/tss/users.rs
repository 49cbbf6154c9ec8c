//! The tss users and sessions of one server, and the profile they render to.
//!
//! Money is kept in integer cents and rendered as `cents / 100`, which is how "rounded to 2
//! decimals" is guaranteed rather than hoped for. The lenient fixtures hold negative amounts
//! (decisions.md's `>= 0` is not in the document) and expiry dates written as date-times
//! (the document says only "Expiry date").

use serde::Serialize;

use super::update::{same_telephone, Update};
use crate::server::fixtures::{
    Fixtures, TSS_LOCKED_PASSWORD, TSS_LOCKED_TELEPHONE, TSS_LOCKED_USER_ID, TSS_MAIN_PASSWORD,
    TSS_MAIN_TELEPHONE, TSS_MAIN_USER_ID, TSS_OTHER_PASSWORD, TSS_OTHER_USER_ID,
    TSS_TAKEN_TELEPHONE, TSS_TEMP_EMAIL_DOMAIN,
};

/// The rule-bending faults that `apply` honours.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ApplyRules {
    pub(crate) store_skip_literal: bool,
    pub(crate) ignore_disable_birthdate: bool,
    pub(crate) telephone_not_unique: bool,
    pub(crate) overwrite_email: bool,
}

/// A change that waits for `verify-otp`.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The telephone the OTP was "sent" to, and that `verify-otp` must name.
    pub(crate) telephone: String,
    /// The whole update (from `/profile/2fa`); `None` when only the telephone waits
    /// (from `/profile`, whose other fields were applied at once).
    pub(crate) update: Option<Update>,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) user_id: u64,
    pub(crate) firstname: String,
    pub(crate) lastname: String,
    pub(crate) email: String,
    pub(crate) telephone: String,
    pub(crate) gender: String,
    pub(crate) birthdate: String,
    pub(crate) disable_birthdate: bool,
    pub(crate) is_two_fa: bool,
    pub(crate) has_password: bool,
    pub(crate) password: String,
    cashback: i64,
    tss_money: i64,
    tss_points: i64,
    next_money_to_expire: i64,
    money_expiry: Option<&'static str>,
    next_points_to_expire: i64,
    point_expiry: Option<&'static str>,
    order_count: u32,
    total_spending: i64,
    successful_orders: u32,
    referal_code: &'static str,
    pub(crate) pending: Option<Pending>,
}

impl User {
    /// True when the email may still be replaced: none yet, or a temporary one.
    fn email_is_replaceable(&self) -> bool {
        self.email.is_empty() || self.email.ends_with(TSS_TEMP_EMAIL_DOMAIN)
    }
}

/// The documented profile, in the document's field order.
#[derive(Debug, Serialize)]
pub(crate) struct Profile<'a> {
    user_id: u64,
    firstname: &'a str,
    lastname: &'a str,
    email: &'a str,
    telephone: &'a str,
    gender: &'a str,
    birthdate: &'a str,
    cashback: f64,
    tss_money: f64,
    tss_points: f64,
    #[serde(rename = "next_Tss_Money_To_Expire")]
    next_tss_money_to_expire: f64,
    tss_money_expiry: Option<&'a str>,
    #[serde(rename = "next_Tss_Point_To_Expire")]
    next_tss_point_to_expire: f64,
    tss_point_expiry: Option<&'a str>,
    order_count: u32,
    total_spending: f64,
    successful_orders: u32,
    disable_birthdate: bool,
    has_password: u8,
    is_two_fa: u8,
    referal_code: &'a str,
}

/// Cents as a JSON number with at most 2 decimals; `unrounded` adds a third (a fault).
fn money(cents: i64, unrounded: bool) -> f64 {
    if unrounded {
        (cents * 10 + 5) as f64 / 1000.0
    } else {
        cents as f64 / 100.0
    }
}

impl User {
    pub(crate) fn profile(&self, unrounded: bool) -> Profile<'_> {
        let m = |cents| money(cents, unrounded);
        Profile {
            user_id: self.user_id,
            firstname: &self.firstname,
            lastname: &self.lastname,
            email: &self.email,
            telephone: &self.telephone,
            gender: &self.gender,
            birthdate: &self.birthdate,
            cashback: m(self.cashback),
            tss_money: m(self.tss_money),
            tss_points: m(self.tss_points),
            next_tss_money_to_expire: m(self.next_money_to_expire),
            tss_money_expiry: self.money_expiry,
            next_tss_point_to_expire: m(self.next_points_to_expire),
            tss_point_expiry: self.point_expiry,
            order_count: self.order_count,
            total_spending: m(self.total_spending),
            successful_orders: self.successful_orders,
            disable_birthdate: self.disable_birthdate,
            has_password: u8::from(self.has_password),
            is_two_fa: u8::from(self.is_two_fa),
            referal_code: self.referal_code,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub(crate) token: String,
    pub(crate) user: usize,
    pub(crate) alive: bool,
}

/// The telephone is another user's.
#[derive(thiserror::Error, Debug)]
#[error("telephone is already used by another account and must be unique")]
pub(crate) struct TelephoneTaken;

#[derive(Debug)]
pub(crate) struct Users {
    pub(crate) list: Vec<User>,
    pub(crate) sessions: Vec<Session>,
}

impl Users {
    pub(crate) fn new(fixtures: &Fixtures, lenient: bool) -> Self {
        let mut main = User {
            user_id: TSS_MAIN_USER_ID,
            firstname: "John".into(),
            lastname: "Doe".into(),
            email: "john.doe@example.com".into(),
            telephone: TSS_MAIN_TELEPHONE.into(),
            gender: "male".into(),
            birthdate: "1990-05-15".into(),
            disable_birthdate: false,
            is_two_fa: false,
            has_password: true,
            password: TSS_MAIN_PASSWORD.into(),
            cashback: 15_050,
            tss_money: 50_000,
            tss_points: 125_000,
            next_money_to_expire: 10_000,
            money_expiry: Some("2026-04-30"),
            next_points_to_expire: 25_000,
            point_expiry: Some("2026-05-15"),
            order_count: 25,
            total_spending: 4_500_000,
            successful_orders: 23,
            referal_code: "JOHN2024",
            pending: None,
        };
        let other = User {
            user_id: TSS_OTHER_USER_ID,
            firstname: "Jane".into(),
            lastname: "Roe".into(),
            email: "jane.roe@example.com".into(),
            telephone: TSS_TAKEN_TELEPHONE.into(),
            gender: "female".into(),
            birthdate: "1992-09-03".into(),
            disable_birthdate: false,
            is_two_fa: true,
            has_password: true,
            password: TSS_OTHER_PASSWORD.into(),
            cashback: 0,
            tss_money: 12_075,
            tss_points: 3_000,
            next_money_to_expire: 0,
            money_expiry: None,
            next_points_to_expire: 0,
            point_expiry: None,
            order_count: 3,
            total_spending: 89_999,
            successful_orders: 3,
            referal_code: "JANE2025",
            pending: None,
        };
        let locked = User {
            user_id: TSS_LOCKED_USER_ID,
            firstname: "Sam".into(),
            lastname: "Lee".into(),
            email: format!("guest.{TSS_LOCKED_USER_ID}{TSS_TEMP_EMAIL_DOMAIN}"),
            telephone: TSS_LOCKED_TELEPHONE.into(),
            gender: "other".into(),
            birthdate: "1985-11-02".into(),
            disable_birthdate: true,
            is_two_fa: false,
            has_password: true,
            password: TSS_LOCKED_PASSWORD.into(),
            cashback: 1_999,
            tss_money: 0,
            tss_points: 50,
            next_money_to_expire: 0,
            money_expiry: None,
            next_points_to_expire: 50,
            point_expiry: Some("2026-01-31"),
            order_count: 1,
            total_spending: 1_999,
            successful_orders: 1,
            referal_code: "SAMLEE85",
            pending: None,
        };
        if lenient {
            main.cashback = -1_250;
            main.tss_points = -375;
            main.money_expiry = Some("2026-04-30T23:59:59Z");
            main.point_expiry = Some("2026-05-15T00:00:00+05:30");
        }
        let session = |token: &String, user| Session {
            token: token.clone(),
            user,
            alive: true,
        };
        Self {
            list: vec![main, other, locked],
            sessions: vec![
                session(&fixtures.tss_token, 0),
                session(&fixtures.tss_second_token, 0),
                session(&fixtures.tss_other_token, 1),
                session(&fixtures.tss_locked_token, 2),
            ],
        }
    }

    /// The user of a live session.
    pub(crate) fn by_token(&self, token: &str) -> Option<usize> {
        self.sessions
            .iter()
            .find(|session| session.alive && session.token == token)
            .map(|session| session.user)
    }

    /// Live sessions of `user`.
    pub(crate) fn valid_token_count(&self, user: usize) -> usize {
        self.sessions
            .iter()
            .filter(|session| session.alive && session.user == user)
            .count()
    }

    /// Fails when another user holds `telephone` (unless the rule is off).
    pub(crate) fn check_unique(
        &self,
        user: usize,
        telephone: &str,
        rules: ApplyRules,
    ) -> Result<(), TelephoneTaken> {
        let taken = self
            .list
            .iter()
            .enumerate()
            .any(|(index, other)| index != user && same_telephone(&other.telephone, telephone));
        if taken && !rules.telephone_not_unique {
            Err(TelephoneTaken)
        } else {
            Ok(())
        }
    }

    /// Applies `update` to `user` with the document's rules: names only when something is
    /// left after sanitizing, birthdate `0000-00-00` and locked birthdates kept, email only
    /// when replaceable. `with_telephone` false leaves the telephone alone.
    pub(crate) fn apply(
        &mut self,
        user: usize,
        update: &Update,
        with_telephone: bool,
        rules: ApplyRules,
    ) -> Result<(), TelephoneTaken> {
        if with_telephone {
            self.check_unique(user, &update.telephone, rules)?;
        }
        let Some(target) = self.list.get_mut(user) else {
            return Ok(());
        };
        if let Some(name) = &update.firstname {
            target.firstname.clone_from(name);
        }
        if let Some(name) = &update.lastname {
            target.lastname.clone_from(name);
        }
        target.gender.clone_from(&update.gender);
        let locked = target.disable_birthdate && !rules.ignore_disable_birthdate;
        let skipped = update.birthdate == "0000-00-00" && !rules.store_skip_literal;
        if !locked && !skipped {
            target.birthdate.clone_from(&update.birthdate);
        }
        if with_telephone {
            target.telephone.clone_from(&update.telephone);
        }
        if let Some(email) = &update.email {
            if target.email_is_replaceable() || rules.overwrite_email {
                target.email.clone_from(email);
            }
        }
        if let Some(flag) = update.is_two_fa {
            target.is_two_fa = flag;
        }
        Ok(())
    }
}
