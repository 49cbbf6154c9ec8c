//! RFC 6238 codes for tropipay's authenticator-app 2FA (SHA-1, 6 digits, 30 s steps,
//! one step of skew either way), through totp-rs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "TropiPay";

fn totp(secret: &[u8], email: &str) -> TOTP {
    // Unchecked: the secret is always 160 bits, and a `:` in the label only affects the URL.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        30,
        secret.to_vec(),
        Some(ISSUER.to_string()),
        email.to_string(),
    )
}

/// A fresh random 160-bit secret.
pub(crate) fn new_secret() -> Vec<u8> {
    match Secret::generate_secret().to_bytes() {
        Ok(bytes) => bytes,
        // `generate_secret` returns raw bytes, so this is not reached; fall back to the OS
        // randomness behind v4 UUIDs all the same.
        Err(_) => uuid::Uuid::new_v4()
            .as_bytes()
            .iter()
            .chain(uuid::Uuid::new_v4().as_bytes())
            .take(20)
            .copied()
            .collect(),
    }
}

/// The secret as RFC 4648 base32 without padding.
pub(crate) fn base32(secret: &[u8]) -> String {
    totp(secret, "").get_secret_base32()
}

/// True when `code` is the current code of `secret` (or of the step before or after).
pub(crate) fn matches(secret: &[u8], code: &str) -> bool {
    totp(secret, "").check_current(code).unwrap_or(false)
}

/// `data:image/png;base64,...` of a QR code for
/// `otpauth://totp/TropiPay:<email>?secret=<secret>&issuer=TropiPay`.
pub(crate) fn qr_data_url(secret: &[u8], email: &str) -> Result<String, String> {
    let png = totp(secret, email).get_qr_png()?;
    Ok(format!("data:image/png;base64,{}", STANDARD.encode(png)))
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn current_code_matches() {
        let secret = new_secret();
        assert_eq!(secret.len(), 20);
        let code = totp(&secret, "").generate_current().unwrap();
        assert!(matches(&secret, &code));
        assert!(!matches(&secret, "abcdef"));
        let b32 = base32(&secret);
        assert_eq!(b32.len(), 32);
        assert!(b32
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
    }
}
