//! The fixture accounts every server starts with, and the two ways they are handed out: a
//! conform target config (TOML) and a human-readable listing for `conform serve`.
//!
//! Why deterministic: the tokens look like opaque secrets but are derived from fixed labels,
//! so every start (and every snapshot of a report) sees the same values. Each server still
//! has its own state, so one test's password change never leaks into another's server.

use std::fmt::Write as _;
use std::net::SocketAddr;

use sha2::{Digest, Sha256};

/// The sandbox security code tropipay accepts for `sms` and `email`.
pub(crate) const TROPIPAY_SECURITY_CODE: &str = "123456";
/// The sandbox OTP tss accepts in `verify-otp`.
pub(crate) const TSS_OTP: &str = "654321";

pub(crate) const TROPIPAY_MAIN_PASSWORD: &str = "password123";
pub(crate) const TROPIPAY_DISPOSABLE_PASSWORD: &str = "disposable-pass-1";
pub(crate) const TSS_MAIN_PASSWORD: &str = "OldPassword123";
pub(crate) const TSS_OTHER_PASSWORD: &str = "JanePassword789";
pub(crate) const TSS_LOCKED_PASSWORD: &str = "LockedPassword321";

pub(crate) const TROPIPAY_MAIN_ID: &str = "443b4dd0-e8b3-11ec-bcf1-49674ab3a8ea";
pub(crate) const TROPIPAY_DISPOSABLE_ID: &str = "9a1c6f2e-3b7d-4e8a-9f10-2c5d7e8b4a61";
pub(crate) const TSS_MAIN_USER_ID: u64 = 12345;
pub(crate) const TSS_OTHER_USER_ID: u64 = 12346;
pub(crate) const TSS_LOCKED_USER_ID: u64 = 12347;
pub(crate) const TSS_MAIN_TELEPHONE: &str = "9876543210";
pub(crate) const TSS_TAKEN_TELEPHONE: &str = "9123456780";
pub(crate) const TSS_LOCKED_TELEPHONE: &str = "9988776655";
/// Emails on this domain are "temporary": tss lets the user replace them.
pub(crate) const TSS_TEMP_EMAIL_DOMAIN: &str = "@temp.tss.invalid";
pub(crate) const TENPAY_USER_IDS: [u32; 6] = [1001, 1002, 1003, 1004, 1005, 1006];
pub(crate) const TENPAY_UNKNOWN_ID: u32 = 999_999;

/// The tokens of one server.
#[derive(Debug, Clone)]
pub(crate) struct Fixtures {
    pub(crate) tropipay_token: String,
    pub(crate) tropipay_disposable_token: String,
    pub(crate) tss_token: String,
    pub(crate) tss_second_token: String,
    pub(crate) tss_other_token: String,
    pub(crate) tss_locked_token: String,
    pub(crate) tenpay_token: String,
    pub(crate) onboard_token: String,
    pub(crate) onboard_partner_token: String,
}

/// A secret-looking token: `prefix` and 32 hex characters derived from `label`.
fn token(prefix: &str, label: &str) -> String {
    let digest = Sha256::digest(format!("conform reference server fixture: {label}"));
    format!("{prefix}{}", hex::encode(&digest[..16]))
}

/// A TOML basic string.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Fixtures {
    pub(crate) fn new() -> Self {
        Self {
            tropipay_token: token("tp_live_", "tropipay main"),
            tropipay_disposable_token: token("tp_live_", "tropipay disposable"),
            tss_token: token("tss_sess_", "tss main session 1"),
            tss_second_token: token("tss_sess_", "tss main session 2"),
            tss_other_token: token("tss_sess_", "tss other user"),
            tss_locked_token: token("tss_sess_", "tss locked birthdate user"),
            tenpay_token: token("tnp_sk_", "tenpay"),
            onboard_token: token("obp_key_", "onboard customer"),
            onboard_partner_token: token("obp_key_", "onboard partner"),
        }
    }

    pub(crate) fn target_config_toml(&self, addr: SocketAddr) -> String {
        let root = format!("http://{addr}");
        let ids = TENPAY_USER_IDS
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            r#"# conform target config for the embedded reference server at {root}

[tropipay]
base_url = {tp_base}
token = {tp_token} # Bearer token of the main account
password = {tp_password} # its current password
security_code = {tp_code} # the sandbox code accepted for sms/email
disposable_token = {tp_disposable} # token of a second account that checks may disable

[tss]
base_url = {tss_base}
token = {tss_token}
second_token = {tss_second} # another session of the same user
password = {tss_password}
otp = {tss_otp} # the sandbox OTP
taken_telephone = {tss_taken} # telephone that another tss user has
locked_birthdate_token = {tss_locked} # token of a user whose disable_birthdate is true

[tenpay]
base_url = {root_q}
token = {tenpay_token}
user_ids = [{ids}] # statuses 50, 150, 200, 300, 350, 400
unknown_id = {unknown}

[onboard]
base_url = {root_q}
token = {onboard_token}
"#,
            tp_base = quoted(&format!("{root}/api/v3")),
            tp_token = quoted(&self.tropipay_token),
            tp_password = quoted(TROPIPAY_MAIN_PASSWORD),
            tp_code = quoted(TROPIPAY_SECURITY_CODE),
            tp_disposable = quoted(&self.tropipay_disposable_token),
            tss_base = quoted(&root),
            tss_token = quoted(&self.tss_token),
            tss_second = quoted(&self.tss_second_token),
            tss_password = quoted(TSS_MAIN_PASSWORD),
            tss_otp = quoted(TSS_OTP),
            tss_taken = quoted(TSS_TAKEN_TELEPHONE),
            tss_locked = quoted(&self.tss_locked_token),
            root_q = quoted(&root),
            tenpay_token = quoted(&self.tenpay_token),
            unknown = TENPAY_UNKNOWN_ID,
            onboard_token = quoted(&self.onboard_token),
        )
    }

    pub(crate) fn text(&self, addr: SocketAddr) -> String {
        let root = format!("http://{addr}");
        let mut out = String::new();
        let _ = writeln!(out, "reference server listening on {root}");
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "tropipay  {root}/api/v3  (Authorization: Bearer <token>)"
        );
        let _ = writeln!(
            out,
            "  main account        id {TROPIPAY_MAIN_ID}  john.doe@example.com  +1234567890"
        );
        let _ = writeln!(out, "    token             {}", self.tropipay_token);
        let _ = writeln!(out, "    password          {TROPIPAY_MAIN_PASSWORD}");
        let _ = writeln!(
            out,
            "  disposable account  id {TROPIPAY_DISPOSABLE_ID}  maria.lopez@example.com  +5355512345"
        );
        let _ = writeln!(
            out,
            "    token             {}",
            self.tropipay_disposable_token
        );
        let _ = writeln!(out, "    password          {TROPIPAY_DISPOSABLE_PASSWORD}");
        let _ = writeln!(
            out,
            "  security code       {TROPIPAY_SECURITY_CODE} (sms and email)"
        );
        let _ = writeln!(
            out,
            "  TOTP secrets        none until POST /users/2fa/secret (a fresh random secret each call)"
        );
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "tss       {root}  (paths /api/user/...; Authorization: Bearer <token>)"
        );
        let _ = writeln!(
            out,
            "  user {TSS_MAIN_USER_ID}  john.doe@example.com  telephone {TSS_MAIN_TELEPHONE}  password {TSS_MAIN_PASSWORD}"
        );
        let _ = writeln!(out, "    token             {}", self.tss_token);
        let _ = writeln!(out, "    second_token      {}", self.tss_second_token);
        let _ = writeln!(
            out,
            "  user {TSS_OTHER_USER_ID}  jane.roe@example.com  telephone {TSS_TAKEN_TELEPHONE}  password {TSS_OTHER_PASSWORD}"
        );
        let _ = writeln!(out, "    token             {}", self.tss_other_token);
        let _ = writeln!(
            out,
            "  user {TSS_LOCKED_USER_ID}  guest.{TSS_LOCKED_USER_ID}{TSS_TEMP_EMAIL_DOMAIN} (temporary)  telephone {TSS_LOCKED_TELEPHONE}  password {TSS_LOCKED_PASSWORD}  disable_birthdate true"
        );
        let _ = writeln!(out, "    token             {}", self.tss_locked_token);
        let _ = writeln!(out, "  OTP                 {TSS_OTP}");
        let _ = writeln!(out);
        let _ = writeln!(out, "tenpay    {root}  (Authorization: Bearer <token>)");
        let _ = writeln!(out, "  token               {}", self.tenpay_token);
        let _ = writeln!(
            out,
            "  user ids            1001 (50 Registered), 1002 (150 Pending Verification), 1003 (200 Active),"
        );
        let _ = writeln!(
            out,
            "                      1004 (300 Deactivated), 1005 (350 Closed), 1006 (400 Blocked)"
        );
        let _ = writeln!(out, "  unknown id          {TENPAY_UNKNOWN_ID}");
        let _ = writeln!(out);
        let _ = writeln!(out, "onboard   {root}  (x-auth-token: <token>)");
        let _ = writeln!(out, "  CUSTOMER token      {}", self.onboard_token);
        let _ = writeln!(out, "  PARTNER token       {}", self.onboard_partner_token);
        out
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn tokens_look_like_secrets_and_are_distinct() {
        let f = Fixtures::new();
        let all = [
            &f.tropipay_token,
            &f.tropipay_disposable_token,
            &f.tss_token,
            &f.tss_second_token,
            &f.tss_other_token,
            &f.tss_locked_token,
            &f.tenpay_token,
            &f.onboard_token,
            &f.onboard_partner_token,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(a.len() > 32);
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(Fixtures::new().tss_token, f.tss_token);
    }

    #[test]
    fn toml_quoting() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
