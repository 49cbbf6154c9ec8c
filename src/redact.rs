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
//!
//! Redaction must not corrupt the data around a secret:
//!
//! - **Scope.** Configured and captured secrets belong to their contract. A text of contract
//!   `tss` (its requests, answers, curl lines, messages) is redacted with tss's secrets and the
//!   run-wide ones (values learned from answers, values added without a contract, JWT shapes):
//!   [`Redactor::scoped`] / [`Redactor::apply_for`]. A tropipay security code is never looked
//!   for in tss output. [`Redactor::apply`] is for text of no contract and uses every secret.
//! - **Short secrets only as whole tokens.** A secret of fewer than [`LONG_SECRET_LEN`]
//!   characters, or of digits only, is replaced only where it is not part of a longer run of
//!   letters and digits: `"654321"`, `?otp=654321&`, `code 654321.` are redacted, the telephone
//!   `9876543210` is left whole. Such values are what ordinary data is made of (codes, PINs,
//!   ids, phone numbers, epoch-millisecond timestamps), so found inside a longer run they are a
//!   coincidence, not a leak. A longer secret with a letter in it (tokens, passwords, JWTs) is
//!   replaced wherever it appears: it does not occur inside other data by chance.
//!
//! One pass of one automaton per scope (Aho-Corasick, leftmost-longest) finds every secret, so
//! the cost per text does not grow with the number of secrets. The automaton is rebuilt when a
//! secret is added, which a run does a dozen times, whatever its size; a regular expression
//! of the same alternation took half a millisecond to compile, the automaton some microseconds.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde_json::Value;

use crate::config::TargetConfig;
use crate::contract::Contract;

/// Shortest value treated as a secret: shorter ones would blank ordinary text.
const MIN_SECRET_LEN: usize = 4;
/// Shortest value learned from a response: a target's `"token": "none"` is not a secret.
const MIN_LEARNED_LEN: usize = 8;
/// Values with fewer characters than this (and values of digits only) are redacted only where
/// they stand as a whole token; longer ones wherever they appear.
pub const LONG_SECRET_LEN: usize = 12;
/// Stand-in prefix of values learned from responses: `$RESPONSE_ACCESS_TOKEN`.
const LEARNED_PREFIX: &str = "RESPONSE";
/// Most secrets in one automaton; more are split over several (each one is searched).
const MATCHER_PATTERNS: usize = 4096;

/// Secret values and their stand-in names; cheap to clone, shared by all cases of a run.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    inner: Arc<RwLock<Secrets>>,
}

/// A [`Redactor`] for the texts of one contract: that contract's secrets and the run-wide ones.
#[derive(Debug, Clone)]
pub struct ScopedRedactor {
    redactor: Redactor,
    contract: String,
}

#[derive(Debug, Default)]
struct Secrets {
    /// Every spelling of every secret.
    entries: HashMap<String, Entry>,
    /// Bumped by every change; a matcher built at an older generation is rebuilt before use.
    generation: u64,
    /// The matcher of each contract's texts, built when first needed.
    scoped: HashMap<String, Matcher>,
    /// The matcher of texts of no contract (every secret).
    all: Option<Matcher>,
}

#[derive(Debug, Default)]
struct Entry {
    /// Stand-in name in each contract this value is a secret of.
    contracts: BTreeMap<String, String>,
    /// Stand-in name when the value is a secret of the whole run, and whether it was only
    /// learned from a response (a configured or captured name is better).
    run_wide: Option<(String, bool)>,
    /// Redacted only as a whole token (see the module docs).
    short: bool,
}

impl Entry {
    /// The stand-in name of this value in the texts of `scope` (`None`: of no contract), or
    /// `None` when it is not a secret there.
    fn name(&self, scope: Option<&str>) -> Option<&str> {
        let run_wide = self.run_wide.as_ref().map(|(n, _)| n.as_str());
        match scope {
            Some(c) => self.contracts.get(c).map(String::as_str).or(run_wide),
            None => match &self.run_wide {
                Some((n, false)) => Some(n.as_str()),
                _ => self
                    .contracts
                    .values()
                    .next()
                    .map(String::as_str)
                    .or(run_wide),
            },
        }
    }
}

/// Finds the secrets of one scope: one automaton, or a few when there are very many secrets.
#[derive(Debug)]
struct Matcher {
    generation: u64,
    automata: Vec<AhoCorasick>,
    /// Byte length of the longest short secret of the scope.
    longest_short: usize,
}

impl Matcher {
    fn build(secrets: &Secrets, scope: Option<&str>) -> Self {
        Self::build_within(secrets, scope, MATCHER_PATTERNS)
    }

    fn build_within(secrets: &Secrets, scope: Option<&str>, most: usize) -> Self {
        let mut values: Vec<&String> = secrets
            .entries
            .iter()
            .filter(|(_, e)| e.name(scope).is_some())
            .map(|(v, _)| v)
            .collect();
        // Longest first: at one position, a secret that contains another wins whole.
        values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let longest_short = values
            .iter()
            .filter(|v| secrets.entries.get(v.as_str()).is_some_and(|e| e.short))
            .map(|v| v.len())
            .max()
            .unwrap_or(0);
        Matcher {
            generation: secrets.generation,
            automata: compile(&values, most),
            longest_short,
        }
    }

    /// The leftmost secret at or after `from`, the longest of those starting there. `ahead`
    /// keeps each automaton's last find: still right while it starts at or after `from` (the
    /// patterns are plain literals), so no automaton scans the same text twice.
    fn find_at(
        &self,
        text: &str,
        from: usize,
        ahead: &mut Vec<Option<Option<(usize, usize)>>>,
    ) -> Option<(usize, usize)> {
        ahead.resize(self.automata.len(), None);
        self.automata
            .iter()
            .zip(ahead.iter_mut())
            .filter_map(|(a, known)| {
                let stale = known.is_none_or(|k| k.is_some_and(|(s, _)| s < from));
                if stale {
                    let input = aho_corasick::Input::new(text).range(from..);
                    *known = Some(a.find(input).map(|m| (m.start(), m.end())));
                }
                known.flatten()
            })
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
    }
}

/// Automata finding `values` (at most `most` each), the longest at a place first.
fn compile(values: &[&String], most: usize) -> Vec<AhoCorasick> {
    values
        .chunks(most.max(1))
        .flat_map(|chunk| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                // Not the DFA it picks for a few patterns: building that was a fifth of a
                // millisecond; the search leans on the literal prefilter either way.
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(chunk)
                // Too many states for one automaton: in halves.
                .map(|a| vec![a])
                .unwrap_or_else(|_| {
                    // One pattern always fits: state ids are 32 bits, and no secret (a part of a
                    // request, or of an answer within the body limit) comes near 2^32 bytes.
                    if chunk.len() > 1 {
                        compile(chunk, chunk.len() / 2)
                    } else {
                        vec![]
                    }
                })
        })
        .collect()
}

/// Whose secret a value is.
#[derive(Debug, Clone, Copy)]
enum Owner<'a> {
    Contract(&'a str),
    /// Of the whole run; `true` when only learned from a response.
    Run {
        learned: bool,
    },
}

impl Secrets {
    fn insert(&mut self, spelling: String, name: &str, owner: Owner<'_>, short: bool) {
        let entry = self.entries.entry(spelling).or_insert_with(|| Entry {
            short,
            ..Entry::default()
        });
        let mut changed = false;
        if entry.short && !short {
            // The spelling of a long secret too: redacted wherever it appears.
            entry.short = false;
            changed = true;
        }
        match owner {
            Owner::Contract(c) => {
                if !entry.contracts.contains_key(c) {
                    entry.contracts.insert(c.to_string(), name.to_string());
                    changed = true;
                }
            }
            Owner::Run { learned } => match &entry.run_wide {
                None => {
                    entry.run_wide = Some((name.to_string(), learned));
                    changed = true;
                }
                // A configured or captured name is better than a learned one.
                Some((_, true)) if !learned => {
                    entry.run_wide = Some((name.to_string(), false));
                    changed = true;
                }
                Some(_) => {}
            },
        }
        if changed {
            self.generation += 1;
        }
    }

    fn matcher(&self, scope: Option<&str>) -> Option<&Matcher> {
        match scope {
            Some(c) => self.scoped.get(c),
            None => self.all.as_ref(),
        }
        .filter(|m| m.generation == self.generation)
    }

    /// Builds the matcher of `scope` again if a secret was added since it was built.
    fn rebuild(&mut self, scope: Option<&str>) {
        if self.matcher(scope).is_some() {
            return;
        }
        let m = Matcher::build(self, scope);
        match scope {
            Some(c) => {
                self.scoped.insert(c.to_string(), m);
            }
            None => self.all = Some(m),
        }
    }

    /// `text` with every secret of `scope` replaced by `stand_in(NAME)`.
    fn redact(
        &self,
        matcher: &Matcher,
        scope: Option<&str>,
        text: &str,
        stand_in: &dyn Fn(&str) -> String,
    ) -> String {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut from = 0;
        let mut ahead = Vec::new();
        while let Some((start, end)) = matcher.find_at(text, from, &mut ahead) {
            // The longest secret starting here may be a short one inside a longer token while a
            // shorter one starting here stands alone: try those too (few, and bounded in length).
            let hit = std::iter::once(end)
                .chain(
                    (start + 1..end.min(start + matcher.longest_short + 1))
                        .rev()
                        .filter(|&e| text.is_char_boundary(e)),
                )
                .find_map(|e| {
                    let entry = self.entries.get(&text[start..e])?;
                    let name = entry.name(scope)?;
                    (!entry.short || stands_alone(text, start, e)).then_some((e, name))
                });
            match hit {
                Some((e, name)) => {
                    out.push_str(&text[copied..start]);
                    out.push_str(&stand_in(name));
                    copied = e;
                    from = e;
                }
                None => {
                    from = start + text[start..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        out.push_str(&text[copied..]);
        out
    }
}

/// `text[start..end]` is not part of a longer run of letters and digits: the characters on
/// either side of it are not letters or digits (or it does not begin or end with one there).
/// An escape just before it (`\n`, `\u00e9`, `%2F`) ends the run before it like a space would.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let inside = &text[start..end];
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = inside.chars().next();
    let last = inside.chars().next_back();
    let joins = |outside: Option<char>, edge: Option<char>| {
        outside.is_some_and(char::is_alphanumeric) && edge.is_some_and(char::is_alphanumeric)
    };
    let joined_before = joins(before, first) && !ends_with_escape(&text[..start]);
    !joined_before && !joins(after, last)
}

/// `text` ends with a JSON escape (`\n`, `\t`, `\uXXXX`, ...) or a percent escape (`%2F`).
fn ends_with_escape(text: &str) -> bool {
    let b = text.as_bytes();
    let odd_backslashes_before =
        |i: usize| b[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1;
    let n = b.len();
    let json_short = n >= 2 && b"bfnrt".contains(&b[n - 1]) && odd_backslashes_before(n - 1);
    let json_unicode = n >= 6
        && b[n - 5] == b'u'
        && b[n - 4..].iter().all(u8::is_ascii_hexdigit)
        && odd_backslashes_before(n - 5);
    let percent = n >= 3 && b[n - 3] == b'%' && b[n - 2..].iter().all(u8::is_ascii_hexdigit);
    json_short || json_unicode || percent
}

/// A value that outputs may hold as part of ordinary data: redacted only as a whole token.
fn is_short(value: &str) -> bool {
    value.chars().count() < LONG_SECRET_LEN || value.chars().all(|c| c.is_ascii_digit())
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// The run's secrets: every `${ENV}` value, every variable a suite marks secret, and the
    /// password of any `base_url` that carries credentials, each a secret of its contract.
    pub fn for_config(contracts: &[Contract], config: &TargetConfig) -> Self {
        let redactor = Redactor::new();
        for (name, target) in &config.targets {
            let scoped = redactor.scoped(name);
            let contract = contracts.iter().find(|c| c.name() == name);
            let spec = contract.map(|c| &c.suite.variables);
            for (key, value) in &target.vars {
                let secret = target.from_env.contains(key)
                    || spec.and_then(|s| s.get(key)).is_some_and(|v| v.secret);
                if secret {
                    scoped.add_value(value, &env_name(name, key));
                }
                // Basic credentials travel base64-encoded: that spelling is the secret too.
                let basic = contract.is_some_and(|c| {
                    c.suite.auth.scheme == crate::contract::AuthScheme::Basic
                        && c.suite.auth.variable == *key
                });
                if let (true, Some(text)) = (basic, value.as_str()) {
                    scoped.add(&crate::contract::basic_token(text), &env_name(name, key));
                }
            }
            for (header, value) in &target.headers {
                let name = env_name(name, &format!("header_{header}"));
                // `token T`, `Bearer T`: the credential after the scheme word, and the whole.
                if let Some((_, credential)) = value.split_once(' ') {
                    scoped.add(credential.trim(), &name);
                }
                scoped.add(value, &name);
            }
            if let Ok(url) = reqwest::Url::parse(&target.base_url) {
                if let Some(password) = url.password() {
                    scoped.add(password, &env_name(name, "base_url_password"));
                }
            }
        }
        redactor
    }

    /// The secrets, also after a panic elsewhere while they were held: each change leaves them
    /// whole, and redacting with them beats showing a text unredacted.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Secrets> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Secrets> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The redactor of the texts of `contract`: its secrets and the run-wide ones.
    pub fn scoped(&self, contract: &str) -> ScopedRedactor {
        ScopedRedactor {
            redactor: self.clone(),
            contract: contract.to_string(),
        }
    }

    /// Registers `value` as a secret of the whole run, shown as `$NAME` in every text.
    pub fn add(&self, value: &str, name: &str) {
        self.add_spellings(value, name, Owner::Run { learned: false });
    }

    /// Registers a JSON value (each item of an array; text of a number) as a secret of the
    /// whole run.
    pub fn add_value(&self, value: &Value, name: &str) {
        for_each_text(value, &mut |s| self.add(s, name));
    }

    /// The value and the spellings that outputs give it: JSON-escaped, percent-encoded (as in
    /// a path) and form-encoded (as in a query).
    fn add_spellings(&self, value: &str, name: &str, owner: Owner<'_>) {
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
        let short = is_short(value);
        let mut secrets = self.write();
        for s in spellings {
            secrets.insert(s, name, owner, short);
        }
    }

    /// Learns the secrets a target handed out in a response: values of token-like JSON
    /// fields, at any depth, and cookie values. Bodies that are not JSON teach nothing. What
    /// is learned is a secret of the whole run: it is redacted in the texts of every contract.
    /// `json` is the body already parsed (strictly), when it was: it is not parsed again.
    pub fn learn_from_response(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        json: Option<&Value>,
    ) {
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
        if let Some(json) = json {
            self.learn_from_json(json);
            return;
        }
        // Not strict JSON (a duplicate key, say) may still be JSON to serde_json, which stops at
        // 128 levels, so a hostile body cannot exhaust the stack here.
        if !may_hold_secret_keys(body) {
            return;
        }
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
        // A JWT is blanked by its shape wherever it stands (its spellings are all the same:
        // base64url and dots need no escaping): learning it would only grow every matcher.
        if is_whole_jwt(value) {
            return;
        }
        if value.chars().count() >= MIN_LEARNED_LEN {
            self.add_spellings(
                value,
                &env_name(LEARNED_PREFIX, key),
                Owner::Run { learned: true },
            );
        }
    }

    /// Every known secret value, in every spelling (for tests that search outputs).
    pub fn values(&self) -> Vec<String> {
        self.read().entries.keys().cloned().collect()
    }

    /// Text of no contract with each secret of every contract and of the run replaced by
    /// `$NAME` (short ones only as whole tokens) and JWT-shaped tokens blanked.
    pub fn apply(&self, text: &str) -> String {
        self.redact(None, text, &|name| format!("${name}"))
    }

    /// Like [`Redactor::apply`], with the stand-in spelled by `stand_in(NAME)`.
    pub fn apply_with(&self, text: &str, stand_in: impl Fn(&str) -> String) -> String {
        self.redact(None, text, &stand_in)
    }

    /// Text of `contract` with its secrets and the run's replaced: `scoped(contract).apply`.
    pub fn apply_for(&self, contract: &str, text: &str) -> String {
        self.redact(Some(contract), text, &|name| format!("${name}"))
    }

    fn redact(&self, scope: Option<&str>, text: &str, stand_in: &dyn Fn(&str) -> String) -> String {
        let out = {
            let secrets = self.read();
            secrets
                .matcher(scope)
                .map(|m| secrets.redact(m, scope, text, stand_in))
        };
        // A secret was added since the scope's matcher was built: rebuild it, then redact
        // under the same lock so that no newer secret is missed.
        let out = out.unwrap_or_else(|| {
            let mut secrets = self.write();
            secrets.rebuild(scope);
            match secrets.matcher(scope) {
                Some(m) => secrets.redact(m, scope, text, stand_in),
                None => secrets.redact(&Matcher::build(&secrets, scope), scope, text, stand_in),
            }
        });
        // Most texts hold no JWT: a search for its fixed start is cheaper than setting the
        // regex up (a cache from its pool, per call) to find nothing.
        if !out.contains(JWT_START) {
            return out;
        }
        match jwt_shape().replace_all(&out, "[redacted-jwt]") {
            std::borrow::Cow::Borrowed(_) => out,
            std::borrow::Cow::Owned(blanked) => blanked,
        }
    }
}

impl ScopedRedactor {
    /// The contract whose texts this redacts.
    pub fn contract(&self) -> &str {
        &self.contract
    }

    /// Registers `value` as a secret of this contract, shown as `$NAME` in its texts.
    pub fn add(&self, value: &str, name: &str) {
        self.redactor
            .add_spellings(value, name, Owner::Contract(&self.contract));
    }

    /// Registers a JSON value (each item of an array; text of a number) as a secret of this
    /// contract.
    pub fn add_value(&self, value: &Value, name: &str) {
        for_each_text(value, &mut |s| self.add(s, name));
    }

    /// Text of this contract with its secrets and the run's replaced by `$NAME` (short ones
    /// only as whole tokens) and JWT-shaped tokens blanked.
    pub fn apply(&self, text: &str) -> String {
        self.redactor
            .redact(Some(&self.contract), text, &|name| format!("${name}"))
    }

    /// Like [`ScopedRedactor::apply`], with the stand-in spelled by `stand_in(NAME)`.
    pub fn apply_with(&self, text: &str, stand_in: impl Fn(&str) -> String) -> String {
        self.redactor.redact(Some(&self.contract), text, &stand_in)
    }
}

/// The texts of a JSON value as secrets: a string as it is, a number or boolean as JSON
/// writes it, each item of an array; nothing for null.
fn for_each_text(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| for_each_text(v, f)),
        Value::Null => {}
        Value::String(s) => f(s),
        other => f(&other.to_string()),
    }
}

/// Field and header names whose values are credentials: `token`, `access_token`,
/// `refreshToken`, `client_secret`, `password`, `api_key`, `x-auth-token`, ... but not
/// `token_type` or `expires_in`.
/// Ends of key names that hold secrets, lower case, letters and digits only.
const SECRET_KEY_ENDS: [&str; 7] = [
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "jwt",
    "authorization",
];

/// Whether a key names a secret: it ends, once lower-cased and stripped to letters and digits,
/// with one of [`SECRET_KEY_ENDS`] (`access_token`, `X-Api-Key`, `newPassword`).
fn is_secret_key(key: &str) -> bool {
    let mut k = key
        .bytes()
        .rev()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_lowercase());
    let mut tail = [0u8; 16];
    let mut n = 0;
    while n < tail.len() {
        match k.next() {
            Some(b) => tail[tail.len() - 1 - n] = b,
            None => break,
        }
        n += 1;
    }
    let tail = &tail[tail.len() - n..];
    SECRET_KEY_ENDS.iter().any(|s| tail.ends_with(s.as_bytes()))
}

/// Whether a JSON body may have a key that names a secret: one of [`SECRET_KEY_ENDS`]'s words
/// (or the start of one split by `_` or `-`, `api_key`) in any case, or an escape that could
/// spell one. A body with none is not parsed a second time to learn from it.
fn may_hold_secret_keys(body: &[u8]) -> bool {
    static WORDS: OnceLock<Option<regex::bytes::Regex>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            regex::bytes::Regex::new(r"(?i-u)token|secret|passw|key|jwt|authorization|\\u").ok()
        })
        .as_ref()
        // Without the expression (it always compiles), every body is read.
        .is_none_or(|words| words.is_match(body))
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

/// The whole value is one JWT-shaped token, which [`jwt_shape`] blanks wherever it appears.
fn is_whole_jwt(value: &str) -> bool {
    jwt_shape()
        .find(value)
        .is_some_and(|m| m.start() == 0 && m.end() == value.len())
}

/// How every token [`jwt_shape`] matches begins (`{"` in base64url).
const JWT_START: &str = "eyJ";

fn jwt_shape() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::expect_used)] // a constant pattern, covered by the unit tests
        Regex::new(&format!(
            r"{JWT_START}[A-Za-z0-9_-]{{4,}}\.[A-Za-z0-9_-]{{4,}}\.[A-Za-z0-9_-]*"
        ))
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
    fn secret_keys_are_known_by_their_end_whatever_the_spelling() {
        for k in [
            "access_token",
            "X-Api-Key",
            "newPassword",
            "client-secret",
            "id_JWT",
            "token",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "tokens",
            "keyword",
            "password_hint",
            "",
            "secretary",
            "a_very_long_name_token_x",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
        assert!(is_secret_key(
            "a_very_long_prefix_of_a_name_then_access_token"
        ));
    }

    #[test]
    fn a_body_without_secret_words_is_not_read_again_and_one_with_them_is() {
        assert!(!may_hold_secret_keys(
            br#"{"name":"Ana","phone":"+34600000000"}"#
        ));
        for body in [
            &br#"{"Access_TOKEN":"x"}"#[..],
            br#"{"api_key":"x"}"#,
            br#"{"a":{"PassWord":"x"}}"#,
            br#"{"token":"x"}"#,
            br#"{"jwt":"x"}"#,
        ] {
            assert!(
                may_hold_secret_keys(body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let r = Redactor::new();
        r.learn_from_response(&[], br#"{"\u0074oken":"learned_secret_value_1"}"#, None);
        assert_eq!(r.apply("x learned_secret_value_1 y"), "x $RESPONSE_TOKEN y");
    }

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
        r.learn_from_response(&headers, body, None);
        let s = r.apply("opaque-abcdef-123 Bearer rt-0123456789 cookie-value-42 3600");
        assert_eq!(
            s,
            "$RESPONSE_ACCESS_TOKEN Bearer $RESPONSE_REFRESHTOKEN $RESPONSE_COOKIE_SID 3600"
        );
        // A capture of the same value names it better.
        r.add("opaque-abcdef-123", "TSS_ACCESS_TOKEN");
        assert_eq!(r.apply("x opaque-abcdef-123"), "x $TSS_ACCESS_TOKEN");
        // Hostile bodies teach nothing and break nothing.
        r.learn_from_response(&[], &[b'['; 10_000], None);
        r.learn_from_response(&[], b"\xff\xfe", None);
    }

    #[test]
    fn a_learned_jwt_is_blanked_by_shape_without_growing_the_matchers() {
        let r = Redactor::new();
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        let before = r.values().len();
        let body = format!(r#"{{"token":"{jwt}"}}"#);
        r.learn_from_response(&[], body.as_bytes(), None);
        assert_eq!(r.values().len(), before, "nothing added for a JWT");
        assert_eq!(r.apply(&format!("a {jwt} b")), "a [redacted-jwt] b");
        assert_eq!(
            r.apply_for("tss", &format!("Bearer {jwt}")),
            "Bearer [redacted-jwt]"
        );
    }

    #[test]
    fn a_short_secret_is_redacted_only_as_a_whole_token() {
        let r = Redactor::new();
        r.add("654321", "OTP");
        for (text, want) in [
            ("9876543210", "9876543210"),
            ("6543210", "6543210"),
            ("a654321", "a654321"),
            ("654321", "$OTP"),
            (r#"{"otp":"654321","n":"x"}"#, r#"{"otp":"$OTP","n":"x"}"#),
            (
                "/verify?otp=654321&tel=9876543210",
                "/verify?otp=$OTP&tel=9876543210",
            ),
            ("code: 654321.", "code: $OTP."),
            ("otp_654321", "otp_$OTP"),
            ("654321,654321", "$OTP,$OTP"),
            // An escape ends the run before it; an escaped backslash does not.
            (r#""code:\n654321""#, r#""code:\n$OTP""#),
            (r#""c:\\n654321""#, r#""c:\\n654321""#),
            ("code%3A654321", "code%3A$OTP"),
            ("é654321", "é654321"),
        ] {
            assert_eq!(r.apply(text), want, "{text}");
        }
    }

    #[test]
    fn digits_only_are_short_at_any_length_and_long_secrets_match_anywhere() {
        let r = Redactor::new();
        r.add("123456789012", "ACCOUNT");
        r.add("OldPassword123", "PW");
        assert_eq!(r.apply("t=1123456789012345"), "t=1123456789012345");
        assert_eq!(r.apply("acct 123456789012"), "acct $ACCOUNT");
        assert_eq!(
            r.apply(r#"{"m":"xOldPassword123y","p":"%22OldPassword123"}"#),
            r#"{"m":"x$PWy","p":"%22$PW"}"#
        );
        assert!(is_short("abcdefghijk") && !is_short("abcdefghijkl") && is_short("0123456789012"));
    }

    #[test]
    fn a_shorter_secret_at_the_same_place_can_stand_alone_where_a_longer_one_does_not() {
        let r = Redactor::new();
        r.add("1234", "A");
        r.add("1234-5", "B");
        assert_eq!(r.apply("1234-56 1234-5 x1234"), "$A-56 $B x1234");
    }

    #[test]
    fn secrets_split_over_several_expressions_are_found_the_same() {
        let r = Redactor::new();
        for i in 0..40 {
            r.add(&format!("secret-value-{i:03}-xyz"), &format!("S{i}"));
            r.add(&format!("{i:06}"), &format!("C{i}"));
        }
        let text: String = (0..40)
            .map(|i| format!("a secret-value-{i:03}-xyz b {i:06} c 9{i:06}9 "))
            .collect();
        let one = r.apply(&text);
        assert!(
            !one.contains("secret-value") && one.contains("90000109"),
            "{one}"
        );
        let secrets = r.read();
        let split = Matcher::build_within(&secrets, None, 7);
        assert!(split.automata.len() > 1);
        let redacted = secrets.redact(&split, None, &text, &|n| format!("${n}"));
        assert_eq!(redacted, one);
    }

    #[test]
    fn a_contract_text_is_redacted_with_its_own_and_the_run_wide_secrets_only() {
        let r = Redactor::new();
        let tp = r.scoped("tropipay");
        let tss = r.scoped("tss");
        tp.add("543210", "TROPIPAY_SECURITY_CODE");
        tp.add("tp_live_0123456789abcdef", "TROPIPAY_TOKEN");
        tss.add("654321", "TSS_OTP");
        tss.add("shared-password-1", "TSS_PASSWORD");
        tp.add("shared-password-1", "TROPIPAY_PASSWORD");
        r.learn_from_response(&[], br#"{"access_token":"learned-token-xyz"}"#, None);
        let text = r#"{"code":"543210","t":"tp_live_0123456789abcdef","otp":"654321","tel":"9876543210","p":"shared-password-1","a":"learned-token-xyz"}"#;
        assert_eq!(
            tss.apply(text),
            r#"{"code":"543210","t":"tp_live_0123456789abcdef","otp":"$TSS_OTP","tel":"9876543210","p":"$TSS_PASSWORD","a":"$RESPONSE_ACCESS_TOKEN"}"#
        );
        assert_eq!(r.apply_for("tss", text), tss.apply(text));
        assert_eq!(
            tp.apply(text),
            r#"{"code":"$TROPIPAY_SECURITY_CODE","t":"$TROPIPAY_TOKEN","otp":"654321","tel":"9876543210","p":"$TROPIPAY_PASSWORD","a":"$RESPONSE_ACCESS_TOKEN"}"#
        );
        // A text of no contract: every secret (short ones as whole tokens).
        let all = r.apply(text);
        for gone in [
            "\"543210\"",
            "tp_live_",
            "\"654321\"",
            "shared-password-1",
            "learned-token",
        ] {
            assert!(!all.contains(gone), "{all}");
        }
        assert!(all.contains("9876543210"), "{all}");
        // A contract with no secrets of its own still gets the run's.
        assert_eq!(
            r.apply_for("onboard", "learned-token-xyz 543210"),
            "$RESPONSE_ACCESS_TOKEN 543210"
        );
        // A secret added later is found at once.
        tss.add("9988776655", "TSS_LATER");
        assert_eq!(tss.apply("tel 9988776655"), "tel $TSS_LATER");
    }

    #[test]
    fn redaction_keeps_json_valid_and_changes_nothing_around_a_secret() {
        let r = Redactor::new();
        let s = r.scoped("tss");
        s.add("654321", "TSS_OTP");
        s.add("OldPassword123", "TSS_PASSWORD");
        s.add("p\"w\\d/é x", "TSS_ODD");
        r.learn_from_response(&[], br#"{"token":"tok-learned-1"}"#, None);
        let doc = serde_json::json!({
            "otp": "654321",
            "telephone": "9876543210",
            "note": "otp 654321, pw OldPassword123, odd p\"w\\d/é x, tok-learned-1.",
            "list": ["654321", "x654321", 6543210, "OldPassword123OldPassword123"],
            "OldPassword123": {"654321": true},
        });
        for text in [doc.to_string(), serde_json::to_string_pretty(&doc).unwrap()] {
            let out = s.apply(&text);
            let parsed: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
            assert_eq!(parsed["otp"], "$TSS_OTP");
            assert_eq!(parsed["telephone"], "9876543210");
            assert_eq!(
                parsed["note"],
                "otp $TSS_OTP, pw $TSS_PASSWORD, odd $TSS_ODD, $RESPONSE_TOKEN."
            );
            assert_eq!(
                parsed["list"],
                serde_json::json!(["$TSS_OTP", "x654321", 6543210, "$TSS_PASSWORD$TSS_PASSWORD"])
            );
            assert_eq!(parsed["$TSS_PASSWORD"]["$TSS_OTP"], true);
            // Outside the secrets, every byte is where it was.
            let back = out
                .replace("$TSS_OTP", "654321")
                .replace("$TSS_PASSWORD", "OldPassword123")
                .replace("$TSS_ODD", r#"p\"w\\d/é x"#)
                .replace("$RESPONSE_TOKEN", "tok-learned-1");
            assert_eq!(back, text);
        }
    }
}
