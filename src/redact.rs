//! Keeps secrets out of every output: console, reports, curl lines, snapshots.
//!
//! The redactor knows every configured secret (and every secret value captured from a response)
//! with the environment-variable name that stands in for it, e.g. `$TROPIPAY_TOKEN`, so that a
//! redacted curl line still runs once the operator exports that variable. Tokens that a target
//! returns on its own (JWTs) are blanked by shape.

use std::sync::{Arc, OnceLock, RwLock};

use regex::Regex;

/// Shortest value treated as a secret: shorter ones would blank ordinary text.
const MIN_SECRET_LEN: usize = 4;

/// Secret values and their stand-in names; cheap to clone, shared by all cases of a run.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<(String, String)>>>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `value` as a secret shown as `$NAME`.
    pub fn add(&self, value: &str, name: &str) {
        if value.len() < MIN_SECRET_LEN {
            return;
        }
        let Ok(mut secrets) = self.secrets.write() else {
            return;
        };
        if secrets.iter().any(|(v, _)| v == value) {
            return;
        }
        secrets.push((value.to_string(), name.to_string()));
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    }

    /// Every known secret value (for tests that search outputs).
    pub fn values(&self) -> Vec<String> {
        self.secrets
            .read()
            .map(|s| s.iter().map(|(v, _)| v.clone()).collect())
            .unwrap_or_default()
    }

    /// Text with each secret replaced by `$NAME` and JWT-shaped tokens blanked.
    pub fn apply(&self, text: &str) -> String {
        self.apply_with(text, |name| format!("${name}"))
    }

    /// Like [`Redactor::apply`], with the stand-in spelled by `stand_in(NAME)`.
    pub fn apply_with(&self, text: &str, stand_in: impl Fn(&str) -> String) -> String {
        let mut out = text.to_string();
        if let Ok(secrets) = self.secrets.read() {
            for (value, name) in secrets.iter() {
                if out.contains(value.as_str()) {
                    out = out.replace(value.as_str(), &stand_in(name));
                }
            }
        }
        jwt_shape().replace_all(&out, "[redacted-jwt]").into_owned()
    }
}

fn jwt_shape() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
            .expect("static regex")
    })
}

/// The stand-in name of a contract's variable: `TROPIPAY_TOKEN`.
pub fn env_name(contract: &str, variable: &str) -> String {
    format!("{contract}_{variable}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_longest_first_and_jwts() {
        let r = Redactor::new();
        r.add("tok_1234", "T");
        r.add("tok_12345678", "LONG");
        r.add("abc", "SHORT_IGNORED");
        let s = r.apply("a tok_12345678 b tok_1234 abc eyJhbGciOi.eyJzdWIiOi.sig_x");
        assert_eq!(s, "a $LONG b $T abc [redacted-jwt]");
        assert_eq!(env_name("tss", "second_token"), "TSS_SECOND_TOKEN");
    }
}
