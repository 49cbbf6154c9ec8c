//! Real HS256 JSON Web Tokens for the short-lived sessions the documents promise
//! (tropipay `validateToken`, tss `verify-otp`).
//!
//! Why real ones: the harness checks that a token is three base64url parts and that the
//! server accepts it afterwards; a fake string would let a lax check pass. The key is random
//! per server, so tokens of one server mean nothing to another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The signing key of one server.
#[derive(Clone)]
pub(crate) struct JwtKey([u8; 32]);

impl std::fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKey(..)")
    }
}

impl JwtKey {
    /// 244 bits of OS randomness (two v4 UUIDs).
    pub(crate) fn random() -> Self {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self(key)
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; this cannot fail for a 32-byte key.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("hmac accepts keys of any length"),
        }
    }

    /// Signs `claims` (a JSON object) as `header.payload.signature`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// The claims of a token this key signed, if the signature holds and `exp` (when
    /// present) is in the future.
    pub(crate) fn verify(&self, token: &str, now: u64) -> Option<Value> {
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        match claims.get("exp").and_then(Value::as_u64) {
            Some(exp) if exp <= now => None,
            _ => Some(claims),
        }
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_expiry() {
        let key = JwtKey::random();
        let token = key.sign(&json!({"sub": "u1", "exp": 100}));
        assert_eq!(token.split('.').count(), 3);
        assert!(token.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
        assert_eq!(key.verify(&token, 99).unwrap()["sub"], "u1");
        assert!(key.verify(&token, 100).is_none());
        assert!(JwtKey::random().verify(&token, 1).is_none());
        assert!(key.verify("a.b", 1).is_none());
        assert!(key.verify("a.b.c.d", 1).is_none());
    }
}
