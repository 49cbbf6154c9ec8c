//! The suite file format: what a `suites/<contract>.toml` says, as plain serde structs.
//!
//! The loader deserializes them; the OpenAPI importer builds them and serializes them (fields
//! at their defaults are left out, so a written suite says only what differs), and the exporter
//! reads them back as JSON.
//!
//! A suite names its document, its authentication scheme, the variables it needs from the
//! target's operator, its endpoints (with the schema of the request and of each documented
//! response) and its cases. Everything that differs between APIs lives here, as data; the Rust
//! side only interprets it, so a fifth API needs a suite file and schemas, not code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One `suites/<contract>.toml` file, as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    /// Contract name; also the config table and the schema folder name.
    pub name: String,
    /// Human title of the API.
    pub title: String,
    /// The source document this contract is derived from (file name).
    pub document: String,
    /// How requests authenticate.
    pub auth: AuthSpec,
    /// Variables the operator provides in the target config (besides `base_url`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, VariableSpec>,
    /// The error body that every 4xx/5xx answer must carry.
    pub errors: ErrorSpec,
    /// Status-code tables the document gives for the whole API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_tables: Vec<StatusTableSpec>,
    /// What invalid input must get back.
    #[serde(default, skip_serializing_if = "NegativeSpec::is_default")]
    pub negative: NegativeSpec,
    pub endpoints: Vec<EndpointSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseSpec>,
}

/// The answer the document names for invalid input.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NegativeSpec {
    /// Statuses for invalid parameters; any 4xx when empty (the document names none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<u16>,
    /// The clause naming them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The document's words naming them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the listed statuses are the contract's reading; any 4xx is then stated and another
    /// 4xx than these an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
}

impl NegativeSpec {
    /// The document names nothing for invalid input (the suite need not say `[negative]`).
    pub fn is_default(&self) -> bool {
        self.status.is_empty()
            && self.doc.is_empty()
            && self.quote.is_none()
            && self.decided.is_none()
    }
}

/// How a request carries its credential: the scheme, where it goes, and the variable that
/// holds it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    pub scheme: AuthScheme,
    /// The header (`header`), query parameter (`query`) or cookie (`cookie`) that carries the
    /// credential; `scheme = "header"` may call it `header`.
    #[serde(default, alias = "header", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The variable holding the credential (`basic`: `user:password`). None for `none`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variable: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The document's words requiring the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why 401 is the contract's reading (the document names no status for a refused
    /// credential); a refusal with another 4xx is then an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_decided: Option<String>,
}

/// Where and how the credential travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>` (also OAuth2 and OpenID Connect access tokens).
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// `<name>: <key>`, an API-key header.
    Header,
    /// `?<name>=<key>`, an API key in the query.
    Query,
    /// `Cookie: <name>=<key>`.
    Cookie,
    /// The document requires no credential: no auth cases; headers given with `-H` are sent
    /// as they are.
    None,
}

/// `user:password` as the Basic scheme sends it (base64): what goes on the wire, and what the
/// redactor must also know as the secret.
pub fn basic_token(user_password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(user_password)
}

impl AuthSpec {
    pub fn variable(&self) -> &str {
        &self.variable
    }
    pub fn doc(&self) -> &str {
        &self.doc
    }
    pub fn quote(&self) -> Option<&str> {
        self.quote.as_deref()
    }
    pub fn status_decided(&self) -> Option<&str> {
        self.status_decided.as_deref()
    }
    /// The header, query parameter or cookie name (`Authorization` for bearer and basic).
    pub fn carrier(&self) -> &str {
        match self.scheme {
            AuthScheme::Bearer | AuthScheme::Basic => "Authorization",
            AuthScheme::None => "",
            _ => self.name.as_deref().unwrap_or(""),
        }
    }
    /// Checks that the scheme has what it needs.
    pub fn validate(&self) -> Result<(), String> {
        match self.scheme {
            AuthScheme::None => {
                if !self.variable.is_empty() {
                    return Err("auth scheme \"none\" takes no variable".into());
                }
            }
            AuthScheme::Header | AuthScheme::Query | AuthScheme::Cookie => {
                if self.name.as_deref().is_none_or(str::is_empty) {
                    return Err(format!(
                        "auth scheme {:?} needs the `name` of its {}",
                        self.scheme,
                        match self.scheme {
                            AuthScheme::Header => "header",
                            AuthScheme::Query => "query parameter",
                            _ => "cookie",
                        }
                    ));
                }
            }
            AuthScheme::Bearer | AuthScheme::Basic => {}
        }
        if self.scheme != AuthScheme::None && self.variable.is_empty() {
            return Err("auth needs the `variable` that holds the credential".into());
        }
        Ok(())
    }
}

/// A variable the operator gives in the target config.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariableSpec {
    /// What it is, for `conform list` and error messages.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Redacted from every output when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
    /// A case that needs an absent optional variable is skipped, naming it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The value used when the config does not give one (an imported document's example of a
    /// state-bound field: the operator's `--var` takes precedence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
}

/// The shape of error answers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// Schema file for error bodies.
    pub schema: String,
    /// A required media type (e.g. `application/problem+json`); any JSON type when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Whether an error answer may have an empty body.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_optional: bool,
    pub doc: String,
    /// The document's words about error answers (e.g. "5xx range indicate an error with ...").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the error body is the contract's reading (the document shows none): for the
    /// statuses outside `stated_for`, any body or none conforms and the schema only advises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
    /// Statuses (codes or classes like "5xx") whose error body the document does show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stated_for: Vec<StatusPattern>,
    /// Why `media_type` is the contract's reading; another JSON media type is then an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type_decided: Option<String>,
}

impl ErrorSpec {
    /// Why the error body of `status` is the contract's reading, if it is.
    pub fn body_decided(&self, status: u16) -> Option<&str> {
        let stated = self.stated_for.iter().any(|p| p.matches(status));
        if stated {
            None
        } else {
            self.decided.as_deref()
        }
    }
}

/// A table of allowed values from the document: either the HTTP statuses of error answers
/// (`http_error_status = true`) or an integer in the success body (`pointer = "/status"`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StatusTableSpec {
    /// Stable name of the table, used in check messages.
    pub name: String,
    /// The table constrains the HTTP status of every 4xx/5xx answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub http_error_status: bool,
    /// The table constrains the integer at this JSON pointer of 2xx bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Allowed values.
    pub values: Vec<i64>,
    /// Optional names of the values, for reports.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<String, String>,
    /// Restricts the table to these endpoint ids; all endpoints when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    pub doc: String,
    /// The document's words making the table a closed list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why holding values to the table is the contract's reading (e.g. a table headed
    /// "common" codes is not a closed list): a value outside it is an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
}

/// One documented endpoint.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Stable id, used in case ids.
    pub id: String,
    pub method: String,
    /// Path relative to the base URL, with `{param}` placeholders.
    pub path: String,
    /// Document section.
    pub doc: String,
    /// The document's words for what the endpoint does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Parameters in the path and the query.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamSpec>,
    /// Request body schema file, if the endpoint takes a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Documented responses, keyed by status code.
    pub responses: BTreeMap<String, ResponseSpec>,
    /// A valid request built from config variables only: the base of generated cases (auth
    /// variants today). An endpoint that destroys state names the credential the operator gave
    /// for that purpose here (e.g. `auth = "disposable_token"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<ExampleSpec>,
    /// How cases are generated from the endpoint's schemas.
    #[serde(default, skip_serializing_if = "GenerateSpec::is_default")]
    pub generate: GenerateSpec,
    /// The document says the endpoint needs no credential (OpenAPI `security: []`): no auth
    /// cases are made for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
    /// Error statuses the document declares for the operation (codes, or classes like "5XX";
    /// not `default`): an answer with one of them is something the document allows, so it is
    /// never more than an advisory, and a declared 5xx is not an undeclared server error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared: Vec<String>,
    /// An imported operation's error statuses whose body its document shows (codes or classes):
    /// for them the error schema is stated, for its other error answers it is decided. Absent,
    /// the suite's `[errors]` says for every operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_bodies: Option<Vec<StatusPattern>>,
}

/// Per-endpoint settings of the case generators.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateSpec {
    /// Property-based valid bodies are sent (false when valid-by-schema input still depends on
    /// state, e.g. an OTP that needs a pending change; say why in `reason`).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub positive: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Body fields kept from the example in positive bodies (fixture-bound values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
    /// Generated cases of this endpoint hold this serial key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Steps before a generated request (e.g. capture what a restore needs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<StepSpec>,
    /// Steps that put the target back: after every positive case, and after a negative case the
    /// target wrongly accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restore: Vec<StepSpec>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl GenerateSpec {
    /// Nothing differs from the defaults (the suite need not say `generate`).
    pub fn is_default(&self) -> bool {
        self.positive
            && self.reason.is_empty()
            && self.fixed.is_empty()
            && self.serial.is_none()
            && self.before.is_empty()
            && self.restore.is_empty()
    }
}

impl Default for GenerateSpec {
    fn default() -> Self {
        GenerateSpec {
            positive: true,
            reason: String::new(),
            fixed: vec![],
            serial: None,
            before: vec![],
            restore: vec![],
        }
    }
}

impl EndpointSpec {
    /// Whether the document declares `status` for this operation (see `declared`).
    pub fn declares(&self, status: u16) -> bool {
        let code = status.to_string();
        self.declared.iter().any(|d| {
            *d == code || (d.len() == 3 && d[1..].eq_ignore_ascii_case("xx") && d[..1] == code[..1])
        })
    }

    /// The 2xx statuses the document gives for this endpoint (200 when it gives none).
    pub fn success_statuses(&self) -> Vec<u16> {
        let codes: Vec<u16> = self
            .responses
            .keys()
            .filter_map(|k| k.parse().ok())
            .filter(|c| (200..300).contains(c))
            .collect();
        if codes.is_empty() {
            vec![200]
        } else {
            codes
        }
    }
}

/// A valid request for an endpoint, from config variables only.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A path or query parameter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    pub name: String,
    #[serde(rename = "in")]
    pub location: ParamLocation,
    pub schema: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The document's words for the parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    /// A request header (OpenAPI `in: header`).
    Header,
    /// A cookie (OpenAPI `in: cookie`), sent in the `Cookie` header.
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// A documented response.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    pub doc: String,
    /// The document's words showing this response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why this status code is the contract's reading (the document names no code): any
    /// status of its class conforms, another code of the class is an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_decided: Option<String>,
    /// Why this body is the contract's reading (the document shows no body): any body or none
    /// conforms, and the schema only advises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_decided: Option<String>,
}

/// A case as written in the suite: one or more ordered steps.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// Case name, unique within the suite; the case id is `contract::name`.
    pub name: String,
    /// What the case shows, in one line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Document clause the case exercises.
    pub doc: String,
    /// The document's words for what the case expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why what the case expects is the contract's reading: its statuses and promises advise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
    /// Expand into one case per element of this list variable, bound to `as`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<EachSpec>,
    /// Cases with the same serial key never run at the same time (they share state on the
    /// target, e.g. one account's profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    pub steps: Vec<StepSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EachSpec {
    /// A list variable from the target config.
    pub variable: String,
    /// The name each element is bound to.
    #[serde(rename = "as")]
    pub bind: String,
}

/// One request of a case, with what it must get back.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Endpoint id.
    pub endpoint: String,
    /// Credential variable; the suite's auth variable by default; `"none"` sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<String>,
    /// Sends the endpoint's path with this method instead of the endpoint's own: a probe of a
    /// method the document does not list for the path (imported contracts' `undocumented-method`
    /// cases). The endpoint's documented answers do not apply to such a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path and query parameter values (`${var}` substituted).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Value>,
    /// JSON body (`${var}` substituted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Statuses this step accepts (codes, or `"4xx"` for any client error); the endpoint's
    /// documented 2xx statuses by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<StatusPattern>,
    /// Why the codes in `expect` are the contract's reading: any status of their classes is
    /// stated, a code outside the list is an advisory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_decided: Option<String>,
    /// The document's words for what this step expects (the case's quote when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Values taken from the response body into variables for later steps.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, CaptureSpec>,
    /// A step that puts the target back as it was; reported as such.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restore: bool,
    /// The step runs only when the config gives the optional variables it uses; otherwise it
    /// is left out (and the report says so) while the rest of the case runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The document's promises checked on this step's answer (check id `promise`).
    #[serde(default, rename = "assert", skip_serializing_if = "Vec::is_empty")]
    pub asserts: Vec<AssertSpec>,
}

/// An accepted status: a code, or a class such as `"4xx"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum StatusPattern {
    Code(u16),
    Class(String),
}

impl StatusPattern {
    /// The class digit of a `"4xx"`-style pattern.
    pub fn class(&self) -> Option<u16> {
        match self {
            StatusPattern::Code(c) => Some(c / 100),
            StatusPattern::Class(s) => {
                let b = s.as_bytes();
                (b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && &s[1..] == "xx")
                    .then(|| u16::from(b[0] - b'0'))
            }
        }
    }

    pub fn matches(&self, status: u16) -> bool {
        match self {
            StatusPattern::Code(c) => *c == status,
            StatusPattern::Class(_) => self.class() == Some(status / 100),
        }
    }
}

/// One promise of the document, checked on a step's answer or on a captured value.
///
/// The subject is the body value at `pointer`, or the variable `var`; every operator given must
/// hold. `quote` gives the document's words for a stated promise; `decided` gives the reason
/// for a promise the document implies but does not state: it advises and never fails the case
/// (except under `--strict`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssertSpec {
    /// Stable name of the promise, shown in reports.
    pub id: String,
    /// What is promised, in one line.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The document clause that promises it.
    pub doc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub var: Option<String>,
    /// Only checked when the answer has one of these statuses (all answers when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when_status: Vec<u16>,
    /// The subject equals this value (`${var}` templates allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Value>,
    /// The subject (a string) matches this regex (`${var}` templates allowed, inserted literally).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
    /// The subject (a string) does not contain this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_contains: Option<String>,
    /// The subject is present (true) or absent (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// The subject (a number) is at most the number at this pointer (skipped if either is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<String>,
    /// The subject has a shape: `jwt` (three base64url parts, a JSON header) or `base32`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    /// The subject (a boolean) equals whether the value at `pointer` equals or contains `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agrees_with: Option<AgreeSpec>,
    /// The document's words for the promise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the promise is the contract's reading, not the document's statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
}

/// `agrees_with`: a boolean that must say whether another field holds a value.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgreeSpec {
    pub pointer: String,
    pub value: Value,
}

/// A value a step takes for later steps: a JSON pointer into the response body (or a response
/// header, `header = "Location"`), optionally secret (a token the target returned), optionally
/// decoded (`decode = "qr"`: a `data:` URL of an image whose QR code is the value;
/// `decode = "last-segment"`: the last path segment of a URL, e.g. the id in a `Location`), and
/// optionally `decided`: why needing it is the contract's reading (the document does not
/// promise the value), so that a missing one makes the case inconclusive, not failed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CaptureSpec {
    Pointer(String),
    Detailed {
        pointer: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        secret: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decode: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided: Option<String>,
    },
    Header {
        header: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        secret: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decode: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decided: Option<String>,
    },
}

impl CaptureSpec {
    /// The body pointer ("" for a header capture).
    pub fn pointer(&self) -> &str {
        match self {
            CaptureSpec::Pointer(p) | CaptureSpec::Detailed { pointer: p, .. } => p,
            CaptureSpec::Header { .. } => "",
        }
    }
    /// The response header taken, for a header capture.
    pub fn header(&self) -> Option<&str> {
        match self {
            CaptureSpec::Header { header, .. } => Some(header),
            _ => None,
        }
    }
    /// Where the value is taken from, for messages.
    pub fn source(&self) -> String {
        match self {
            CaptureSpec::Header { header, .. } => format!("header {header}"),
            _ => self.pointer().to_string(),
        }
    }
    pub fn secret(&self) -> bool {
        matches!(
            self,
            CaptureSpec::Detailed { secret: true, .. } | CaptureSpec::Header { secret: true, .. }
        )
    }
    pub fn decode(&self) -> Option<&str> {
        match self {
            CaptureSpec::Detailed { decode, .. } | CaptureSpec::Header { decode, .. } => {
                decode.as_deref()
            }
            CaptureSpec::Pointer(_) => None,
        }
    }
    /// Why the value's presence is the contract's reading, if the capture says so.
    pub fn decided(&self) -> Option<&str> {
        match self {
            CaptureSpec::Detailed { decided, .. } | CaptureSpec::Header { decided, .. } => {
                decided.as_deref()
            }
            CaptureSpec::Pointer(_) => None,
        }
    }
}
