//! Keeps secrets out of every output: console, reports, curl lines, snapshots.
//!
//! The redactor knows every configured secret (every value read from `${ENV}`, every variable a
//! suite marks secret, the password of a `base_url` with credentials), every secret value a
//! case captures, and every token-like value a target returns on its own (`access_token`,
//! `token`, `secret`, `password` fields of JSON bodies, `Set-Cookie` values), each with the
//! environment-variable name that stands in for it, e.g. `$TROPIPAY_TOKEN`, so that a redacted
//! curl line still runs once the operator exports that variable. A secret is also found in the
//! spellings the outputs use for it (JSON-escaped, percent- and form-encoded), and JWT-shaped
//! tokens are blanked by shape whoever issued them.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use regex::Regex;
use serde_json::Value;

use crate::config::TargetConfig;
use crate::contract::Contract;

/// Shortest value treated as a secret: shorter ones would blank ordinary text.
const MIN_SECRET_LEN: usize = 4;
/// Shortest value learned from a response: a target's `"token": "none"` is not a secret.
const MIN_LEARNED_LEN: usize = 8;
/// Stand-in prefix of values learned from responses: `$RESPONSE_ACCESS_TOKEN`.
const LEARNED_PREFIX: &str = "RESPONSE";

/// Secret values and their stand-in names; cheap to clone, shared by all cases of a run.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    inner: Arc<RwLock<Secrets>>,
}

#[derive(Debug, Default)]
struct Secrets {
    /// value → (stand-in name, learned from a response rather than configured or captured).
    names: HashMap<String, (String, bool)>,
    /// One pass over a text finds every secret; rebuilt when a secret is added.
    matcher: Option<Regex>,
    /// A secret was added since the matcher was built.
    stale: bool,
}

impl Secrets {
    fn insert(&mut self, value: String, name: &str, learned: bool) {
        match self.names.get_mut(&value) {
            // A configured or captured name is better than a learned one.
            Some(entry) if entry.1 && !learned => *entry = (name.to_string(), false),
            Some(_) => {}
            None => {
                self.names.insert(value, (name.to_string(), learned));
                self.stale = true;
            }
        }
    }

    fn build_matcher(&mut self) {
        if self.stale {
            self.stale = false;
            let mut values: Vec<&String> = self.names.keys().collect();
            // Longest first: at one position, a secret that contains another wins whole.
            values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            let pattern = values
                .iter()
                .map(|v| regex::escape(v))
                .collect::<Vec<_>>()
                .join("|");
            self.matcher = regex::RegexBuilder::new(&pattern)
                .size_limit(64 << 20)
                .build()
                .ok();
        }
    }
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// The run's secrets: every `${ENV}` value, every variable a suite marks secret, and the
    /// password of any `base_url` that carries credentials.
    pub fn for_config(contracts: &[Contract], config: &TargetConfig) -> Self {
        let redactor = Redactor::new();
        for (name, target) in &config.targets {
            let spec = contracts
                .iter()
                .find(|c| c.name() == name)
                .map(|c| &c.suite.variables);
            for (key, value) in &target.vars {
                let secret = target.from_env.contains(key)
                    || spec.and_then(|s| s.get(key)).is_some_and(|v| v.secret);
                if secret {
                    redactor.add_value(value, &env_name(name, key));
                }
            }
            if let Ok(url) = reqwest::Url::parse(&target.base_url) {
                if let Some(password) = url.password() {
                    redactor.add_spellings(password, &env_name(name, "base_url_password"), false);
                }
            }
        }
        redactor
    }

    /// Registers `value` as a secret shown as `$NAME`.
    pub fn add(&self, value: &str, name: &str) {
        self.add_spellings(value, name, false);
    }

    /// Registers a JSON value (each item of an array; text of a number) as a secret.
    pub fn add_value(&self, value: &Value, name: &str) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.add_value(v, name)),
            Value::Null => {}
            Value::String(s) => self.add(s, name),
            other => self.add(&other.to_string(), name),
        }
    }

    /// The value and the spellings that outputs give it: JSON-escaped, percent-encoded (as in
    /// a path) and form-encoded (as in a query).
    fn add_spellings(&self, value: &str, name: &str, learned: bool) {
        if value.chars().count() < MIN_SECRET_LEN || value.trim().is_empty() {
            return;
        }
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(value)
            .to_string();
        let spellings = [
            value.to_string(),
            json,
            percent_encode(value, false),
            percent_encode(value, true),
        ];
        let Ok(mut secrets) = self.inner.write() else {
            return;
        };
        for s in spellings {
            secrets.insert(s, name, learned);
        }
    }

    /// Learns the secrets a target handed out in a response: values of token-like JSON
    /// fields, at any depth, and cookie values. Bodies that are not JSON teach nothing.
    pub fn learn_from_response(&self, headers: &[(String, String)], body: &[u8]) {
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let pair = v.split(';').next().unwrap_or("");
                if let Some((cookie, value)) = pair.split_once('=') {
                    self.learn(value.trim(), &format!("cookie_{}", cookie.trim()));
                }
            } else if is_secret_key(k) {
                self.learn(v, k);
            }
        }
        // serde_json stops at 128 levels, so a hostile body cannot exhaust the stack here.
        if let Ok(json) = serde_json::from_slice::<Value>(body) {
            self.learn_from_json(&json);
        }
    }

    fn learn_from_json(&self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if is_secret_key(k) => self.learn(s, k),
                        _ => self.learn_from_json(v),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_from_json(v)),
            _ => {}
        }
    }

    fn learn(&self, value: &str, key: &str) {
        if value.chars().count() >= MIN_LEARNED_LEN {
            self.add_spellings(value, &env_name(LEARNED_PREFIX, key), true);
        }
    }

    /// Every known secret value, in every spelling (for tests that search outputs).
    pub fn values(&self) -> Vec<String> {
        self.inner
            .read()
            .map(|s| s.names.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Text with each secret replaced by `$NAME` and JWT-shaped tokens blanked.
    pub fn apply(&self, text: &str) -> String {
        self.apply_with(text, |name| format!("${name}"))
    }

    /// Like [`Redactor::apply`], with the stand-in spelled by `stand_in(NAME)`.
    pub fn apply_with(&self, text: &str, stand_in: impl Fn(&str) -> String) -> String {
        if self.inner.read().is_ok_and(|s| s.stale) {
            if let Ok(mut secrets) = self.inner.write() {
                secrets.build_matcher();
            }
        }
        let mut out = text.to_string();
        if let Ok(secrets) = self.inner.read() {
            let name_of = |found: &str| {
                secrets
                    .names
                    .get(found)
                    .map_or_else(|| "[redacted]".to_string(), |(name, _)| stand_in(name))
            };
            match &secrets.matcher {
                Some(m) => {
                    out = m
                        .replace_all(text, |c: &regex::Captures<'_>| {
                            name_of(c.get(0).map_or("", |m| m.as_str()))
                        })
                        .into_owned();
                }
                // No matcher (none built, or too large): one secret at a time, longest first.
                None => {
                    let mut all: Vec<&String> = secrets.names.keys().collect();
                    all.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
                    for value in all {
                        if out.contains(value.as_str()) {
                            out = out.replace(value.as_str(), &name_of(value));
                        }
                    }
                }
            }
        }
        jwt_shape().replace_all(&out, "[redacted-jwt]").into_owned()
    }
}

/// Field and header names whose values are credentials: `token`, `access_token`,
/// `refreshToken`, `client_secret`, `password`, `api_key`, `x-auth-token`, ... but not
/// `token_type` or `expires_in`.
fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "apikey",
        "jwt",
        "authorization",
    ]
    .iter()
    .any(|s| k.ends_with(s))
}

fn percent_encode(s: &str, form: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn jwt_shape() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // a constant pattern, covered by the unit tests
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

    #[test]
    fn finds_encoded_spellings() {
        let r = Redactor::new();
        r.add("p@ss \"word\"/x", "PW");
        let s =
            r.apply(r#"{"p":"p@ss \"word\"/x"} ?p=p%40ss+%22word%22%2Fx /p%40ss%20%22word%22%2Fx"#);
        assert_eq!(s, r#"{"p":"$PW"} ?p=$PW /$PW"#);
    }

    #[test]
    fn learns_tokens_from_responses_and_keeps_configured_names() {
        let r = Redactor::new();
        let body = br#"{"data":{"access_token":"opaque-abcdef-123","token_type":"Bearer",
            "expires_in":3600,"items":[{"refreshToken":"rt-0123456789"}]}}"#;
        let headers = vec![(
            "Set-Cookie".to_string(),
            "sid=cookie-value-42; Path=/".to_string(),
        )];
        r.learn_from_response(&headers, body);
        let s = r.apply("opaque-abcdef-123 Bearer rt-0123456789 cookie-value-42 3600");
        assert_eq!(
            s,
            "$RESPONSE_ACCESS_TOKEN Bearer $RESPONSE_REFRESHTOKEN $RESPONSE_COOKIE_SID 3600"
        );
        // A capture of the same value names it better.
        r.add("opaque-abcdef-123", "TSS_ACCESS_TOKEN");
        assert_eq!(r.apply("x opaque-abcdef-123"), "x $TSS_ACCESS_TOKEN");
        // Hostile bodies teach nothing and break nothing.
        r.learn_from_response(&[], &[b'['; 10_000]);
        r.learn_from_response(&[], b"\xff\xfe");
    }
}
