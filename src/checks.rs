//! The checks run on every response, each with a stable id that reports, known-failure lists and
//! fault-injection tests refer to.
//!
//! | id | what holds |
//! |---|---|
//! | `status` | the status is one the document allows for this case |
//! | `no-5xx` | the target did not fail with a server error |
//! | `content-type` | a JSON media type (or the one the document shows, e.g. problem+json) |
//! | `schema` | the body validates against the schema of that status, every error with its pointer |
//! | `status-table` | values the document tabulates (error statuses, lifecycle codes) are in the table |
//! | `transport` | an answer arrived at all, whole, in time, within the size limit |
//! | `capture` | the values that later steps of the case use are in the body |
//!
//! A check that does not hold says what it found as data, a [`Finding`] (what the rule wants,
//! what came, where in the body), so that reports, tools and tests read fields, not sentences;
//! its message is the finding's sentence, written in one place ([`Finding::sentence`]).

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use serde_json::Value;

use crate::contract::{Contract, EndpointSpec, ResponseSpec, StatusPattern, Violation};
use crate::http::Incoming;

/// What a check judged. Spelled in reports as the kebab-case word (`no-5xx`, `status-table`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// An answer came, whole and in time (`--timeout`, `--body-limit`, TLS, redirects).
    Transport,
    /// The status is one the document states for the request.
    Status,
    /// No 5xx answer (unless the document declares it).
    #[serde(rename = "no-5xx")]
    No5xx,
    /// The answer's media type is the one the document shows.
    ContentType,
    /// The body is valid against its schema.
    Schema,
    /// A value the document's status table lists.
    StatusTable,
    /// The values later steps need are in the answer.
    Capture,
    /// A promise of the document across calls (`assert` in a suite).
    Promise,
    /// conform itself failed while running the case (a panic): says nothing about the target.
    Harness,
    /// The case as a whole: cut off or not run by the run's time limit.
    Case,
    /// An id this conform does not know (a report of another version).
    #[default]
    #[serde(other)]
    Unknown,
}

impl CheckId {
    /// The id as reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Transport => "transport",
            CheckId::Status => "status",
            CheckId::No5xx => "no-5xx",
            CheckId::ContentType => "content-type",
            CheckId::Schema => "schema",
            CheckId::StatusTable => "status-table",
            CheckId::Capture => "capture",
            CheckId::Promise => "promise",
            CheckId::Harness => "harness",
            CheckId::Case => "case",
            CheckId::Unknown => "unknown",
        }
    }
}

/// An id reads as its spelling, so renderers can write it where text goes.
impl std::ops::Deref for CheckId {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const STATUS: CheckId = CheckId::Status;
pub const NO_5XX: CheckId = CheckId::No5xx;
pub const CONTENT_TYPE: CheckId = CheckId::ContentType;
pub const SCHEMA: CheckId = CheckId::Schema;
pub const STATUS_TABLE: CheckId = CheckId::StatusTable;
pub const TRANSPORT: CheckId = CheckId::Transport;
pub const CAPTURE: CheckId = CheckId::Capture;
pub const HARNESS: CheckId = CheckId::Harness;

/// Every check of a response, in the order checks run.
pub const ALL: &[CheckId] = &[
    TRANSPORT,
    STATUS,
    NO_5XX,
    CONTENT_TYPE,
    SCHEMA,
    STATUS_TABLE,
    CAPTURE,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
    /// A *decided* rule (the contract's reading where the document is silent) did not hold:
    /// reported with its reason, counted apart, never failing the case (except under
    /// `--strict`).
    #[serde(alias = "warn")]
    Advisory,
}

/// What did not hold, as data: what the rule wants, what the target gave, and where in the
/// body. Reports, the console and tests read these fields; [`Finding::sentence`] is the one
/// place the words around them are written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Finding {
    /// What the rule wants: `status 200 or any 4xx`, `a body valid against profile.json`.
    pub expected: String,
    /// What the target gave: `404 "..."`, `no Content-Type`, `2 violations`.
    pub got: String,
    /// JSON pointers into the body where the rule broke, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
    /// What the sentence says after expected and got (each violation, the contract's reading).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub more: String,
}

impl Finding {
    pub fn new(expected: impl Into<String>, got: impl Into<String>) -> Self {
        Finding {
            expected: expected.into(),
            got: got.into(),
            at: vec![],
            more: String::new(),
        }
    }

    /// Where in the body the rule broke.
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.at.push(pointer.into());
        self
    }

    /// Words after "expected ..., got ...": a parenthesis, a list, a consequence.
    pub fn more(mut self, text: impl Into<String>) -> Self {
        self.more.push_str(&text.into());
        self
    }

    /// `expected <expected>, got <got><more>`.
    pub fn sentence(&self) -> String {
        format!("expected {}, got {}{}", self.expected, self.got, self.more)
    }

    /// The finding with `redact` applied to each of its texts.
    pub fn redacted(self, redact: impl Fn(&str) -> String) -> Self {
        Finding {
            expected: redact(&self.expected),
            got: redact(&self.got),
            at: self.at.iter().map(|p| redact(p)).collect(),
            more: redact(&self.more),
        }
    }
}

/// The result of one check on one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: CheckId,
    pub outcome: Verdict,
    /// For a failure or an advisory: expected against got (made from `finding`, when there is
    /// one); for a skip: why.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// What did not hold, as data (boxed: a passing check, most of a run's, holds a pointer's
    /// worth of nothing here, not an empty finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<Box<Finding>>,
    /// The document clause the check comes from (shared: thousands of checks cite a clause).
    pub doc: Arc<str>,
    /// The document's own words for the rule (a verbatim quote), when it states the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the rule is the contract's reading where the document is silent (a decided rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CheckResult {
    pub fn new(id: CheckId, outcome: Verdict, message: String, doc: impl AsRef<str>) -> Self {
        CheckResult {
            id,
            outcome,
            message,
            finding: None,
            doc: crate::intern::intern(doc.as_ref()),
            quote: None,
            reason: None,
        }
    }

    /// A passing result.
    pub fn pass(id: CheckId, doc: impl AsRef<str>) -> Self {
        Self::new(id, Verdict::Pass, String::new(), doc)
    }

    /// A failure of a stated rule, quoting the document.
    pub fn fail(id: CheckId, message: String, doc: impl AsRef<str>, quote: Option<&str>) -> Self {
        let mut r = Self::new(id, Verdict::Fail, message, doc);
        r.quote = quote.map(String::from);
        r
    }

    /// A decided rule that did not hold.
    pub fn advisory(id: CheckId, message: String, doc: impl AsRef<str>, reason: &str) -> Self {
        let mut r = Self::new(id, Verdict::Advisory, message, doc);
        r.reason = Some(reason.to_string());
        r
    }

    /// A stated rule that did not hold, as data (the message is its sentence).
    pub fn broken(
        id: CheckId,
        finding: Finding,
        doc: impl AsRef<str>,
        quote: Option<&str>,
    ) -> Self {
        Self::fail(id, finding.sentence(), doc, quote).with(finding)
    }

    /// A decided rule that did not hold, as data (the message is its sentence).
    pub fn advised(id: CheckId, finding: Finding, doc: impl AsRef<str>, reason: &str) -> Self {
        Self::advisory(id, finding.sentence(), doc, reason).with(finding)
    }

    /// A stated rule broken, or a decided one (with its reason) not holding.
    fn judged(
        id: CheckId,
        finding: Finding,
        doc: impl AsRef<str>,
        quote: Option<&str>,
        decided: Option<&str>,
    ) -> Self {
        match decided {
            Some(reason) => Self::advised(id, finding, doc, reason),
            None => Self::broken(id, finding, doc, quote),
        }
    }

    /// The result with this finding attached (its message unchanged).
    pub fn with(mut self, finding: Finding) -> Self {
        self.finding = Some(Box::new(finding));
        self
    }

    /// Failing under `--strict`: a decided rule that did not hold fails like a stated one.
    pub fn strict(mut self) -> Self {
        if self.outcome == Verdict::Advisory {
            self.outcome = Verdict::Fail;
        }
        self
    }
}

/// Statuses: listed codes and whole classes (`2` for any 2xx, `4` for any 4xx).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expected {
    pub codes: Vec<u16>,
    pub classes: Vec<u16>,
}

impl Expected {
    pub fn codes(codes: Vec<u16>) -> Self {
        Expected {
            codes,
            classes: vec![],
        }
    }

    /// Any status of these classes (`2` = 2xx, `4` = 4xx).
    pub fn classes(classes: &[u16]) -> Self {
        Expected {
            codes: vec![],
            classes: classes.to_vec(),
        }
    }

    /// Any status at all (a rule that is wholly decided: the stated side expects nothing).
    pub fn any() -> Self {
        Self::classes(&[1, 2, 3, 4, 5])
    }

    /// From a suite's `expect` list (codes and classes like `"4xx"`).
    pub fn from_patterns(patterns: &[StatusPattern]) -> Self {
        let mut e = Expected::default();
        for p in patterns {
            match p {
                StatusPattern::Code(c) => e.codes.push(*c),
                StatusPattern::Class(_) => e.classes.extend(p.class()),
            }
        }
        e
    }

    /// The classes of these statuses: what the document states when it names no code.
    pub fn widened(&self) -> Self {
        let mut classes: Vec<u16> = self
            .classes
            .iter()
            .copied()
            .chain(self.codes.iter().map(|c| c / 100))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        Self::classes(&classes)
    }

    pub fn allows(&self, status: u16) -> bool {
        self.codes.contains(&status) || self.classes.contains(&(status / 100))
    }

    pub fn describe(&self) -> String {
        if self.classes.len() == 5 {
            return "any status".into();
        }
        let mut parts: Vec<String> = self.codes.iter().map(u16::to_string).collect();
        parts.extend(self.classes.iter().map(|c| format!("any {c}xx")));
        parts.join(" or ")
    }
}

/// What a step expects of the status, and where that comes from: the *stated* part (the
/// document's words, failing when broken) and, where the contract narrows it, the *decided*
/// part (advising when broken).
#[derive(Debug, Clone, PartialEq, Eq)]
///
/// Its texts are shared ([`crate::intern`]): every case of an endpoint cites the same clause,
/// quote and reason, and a plan of fifty thousand cases holds each once.
pub struct Expectation {
    pub stated: Expected,
    /// Clause (`file > section`) of the stated part.
    pub clause: Arc<str>,
    /// The document's words for it.
    pub quote: Option<Arc<str>>,
    /// The contract's narrower reading, and why.
    pub decided: Option<(Expected, Arc<str>)>,
}

impl Expectation {
    pub fn stated(stated: Expected, clause: String, quote: Option<String>) -> Self {
        Expectation {
            stated,
            clause: crate::intern::intern(&clause),
            quote: quote.map(|q| crate::intern::intern(&q)),
            decided: None,
        }
    }

    /// The contract narrows the stated statuses to `narrow`, for `reason`.
    pub fn narrowed(mut self, narrow: Expected, reason: &str) -> Self {
        self.decided = Some((narrow, crate::intern::intern(reason)));
        self
    }

    /// `expected` as the contract's reading: its classes stated, its codes decided.
    pub fn decided_codes(
        expected: Expected,
        clause: String,
        quote: Option<String>,
        reason: &str,
    ) -> Self {
        Self::stated(expected.widened(), clause, quote).narrowed(expected, reason)
    }

    /// The expectation of a request whose path names an object conform made up (the operator
    /// gave none): a refusal (any 4xx) also conforms; what was expected becomes the contract's
    /// reading, for `reason`.
    pub fn admitting_refusal(self, reason: &str) -> Self {
        if self.stated.classes.contains(&4) {
            return self;
        }
        let narrow = self.narrowest().clone();
        let mut stated = self.stated.clone();
        stated.classes.push(4);
        Expectation {
            stated,
            decided: Some((narrow, crate::intern::intern(reason))),
            ..self
        }
    }

    /// The statuses a conforming target answers when every decided rule holds.
    pub fn narrowest(&self) -> &Expected {
        self.decided.as_ref().map_or(&self.stated, |(e, _)| e)
    }
}

/// Everything a check needs to know about the step that produced a response.
pub struct StepContext<'a> {
    pub contract: &'a Contract,
    pub endpoint: &'a EndpointSpec,
    /// Statuses the step accepts, stated and decided.
    pub expected: &'a Expectation,
}

impl StepContext<'_> {
    fn doc(&self, section: &str) -> String {
        format!("{} > {}", self.contract.suite.document, section)
    }

    /// The documented response for `status`: the one named by that code, else, when the
    /// document names no success code (the contract's 2xx is decided), the decided 2xx
    /// response for any 2xx (its body is the same success response).
    pub fn response(&self, status: u16) -> Option<&ResponseSpec> {
        if let Some(r) = self.endpoint.responses.get(&status.to_string()) {
            return Some(r);
        }
        if !(200..300).contains(&status) {
            return None;
        }
        self.endpoint
            .responses
            .iter()
            .find(|(code, r)| code.starts_with('2') && r.status_decided.is_some())
            .map(|(_, r)| r)
    }

    /// The document's words to quote for a failure with no rule of its own (no answer, a
    /// server error): the stated outcome the step expected.
    fn outcome_quote(&self) -> Option<&str> {
        self.expected.quote.as_deref()
    }
}

/// Where a body rule comes from, for one response.
struct BodyRules<'a> {
    schema: &'a str,
    clause: String,
    quote: Option<&'a str>,
    /// The media type the document (or the contract) names, if any, and why it is decided.
    media_type: Option<(&'a str, Option<&'a str>)>,
    /// Why the body is the contract's reading (the document shows none here).
    decided: Option<&'a str>,
    /// An empty body conforms.
    may_be_empty: bool,
}

fn body_rules<'a>(ctx: &'a StepContext<'_>, status: u16) -> Option<BodyRules<'a>> {
    if let Some(r) = ctx.response(status) {
        return Some(BodyRules {
            schema: &r.schema,
            clause: ctx.doc(&r.doc),
            quote: r.quote.as_deref(),
            media_type: r.media_type.as_deref().map(|m| (m, None)),
            decided: r.body_decided.as_deref(),
            may_be_empty: status == 204 || r.body_decided.is_some(),
        });
    }
    if status >= 400 {
        let e = &ctx.contract.suite.errors;
        let decided = match &ctx.endpoint.error_bodies {
            Some(shown) if shown.iter().any(|p| p.matches(status)) => None,
            Some(_) => Some(ERROR_BODY_NOT_SHOWN),
            None => e.body_decided(status),
        };
        return Some(BodyRules {
            schema: &e.schema,
            clause: ctx.doc(&e.doc),
            quote: e.quote.as_deref(),
            media_type: e
                .media_type
                .as_deref()
                .map(|m| (m, e.media_type_decided.as_deref())),
            decided,
            may_be_empty: e.body_optional || decided.is_some(),
        });
    }
    None
}

/// Runs every check on a response; returns the results and the body parsed as JSON, if it was.
pub fn evaluate(ctx: &StepContext<'_>, got: &Incoming) -> (Vec<CheckResult>, Option<Arc<Value>>) {
    let mut out = vec![
        CheckResult::pass(TRANSPORT, ctx.doc(&ctx.endpoint.doc)),
        status(ctx, got),
        no_5xx(ctx, got),
    ];
    let rules = body_rules(ctx, got.status);
    out.push(content_type(ctx, rules.as_ref(), got));
    let (schema_results, body) = schema(ctx, rules.as_ref(), got);
    out.extend(schema_results);
    out.extend(status_tables(ctx, got, body.as_deref()));
    (out, body)
}

fn status(ctx: &StepContext<'_>, got: &Incoming) -> CheckResult {
    let e = ctx.expected;
    let got_text = || format!("{} {}", got.status, snippet(&got.body));
    if !e.stated.allows(got.status) {
        let finding = Finding::new(format!("status {}", e.stated.describe()), got_text());
        // A declared status softens only an expectation the document does not word itself (a
        // link's promise that the created object reads back is held to).
        if e.quote.is_none() && ctx.endpoint.declares(got.status) {
            return CheckResult::advised(
                STATUS,
                finding.more(" (a status the document declares for this operation)"),
                e.clause.clone(),
                DECLARED_STATUS,
            );
        }
        return CheckResult::broken(STATUS, finding, e.clause.clone(), e.quote.as_deref());
    }
    match &e.decided {
        Some((narrow, reason)) if !narrow.allows(got.status) => CheckResult::advised(
            STATUS,
            Finding::new(format!("status {}", narrow.describe()), got_text()).more(format!(
                " (the contract's reading; the document allows {})",
                e.stated.describe()
            )),
            e.clause.clone(),
            reason,
        ),
        _ => CheckResult::pass(STATUS, e.clause.clone()),
    }
}

/// Why an error body of an imported operation is only advised on where its document shows none.
const ERROR_BODY_NOT_SHOWN: &str = "the document shows no error body for this status of this operation: any body or none conforms; the error schema is the one its other operations show";

/// Why an answer the document declares for the operation does not fail the case's expectation.
const DECLARED_STATUS: &str = "the document declares this status for the operation, so a target may answer it; the case's expectation is the contract's reading of which answer this request gets";

fn no_5xx(ctx: &StepContext<'_>, got: &Incoming) -> CheckResult {
    let errors = &ctx.contract.suite.errors;
    let doc = ctx.doc(&errors.doc);
    if got.status < 500 || ctx.endpoint.declares(got.status) {
        return CheckResult::pass(NO_5XX, doc);
    }
    CheckResult::broken(
        NO_5XX,
        Finding::new(
            "no server error",
            format!("{} {}", got.status, snippet(&got.body)),
        ),
        doc,
        errors.quote.as_deref().or(ctx.outcome_quote()),
    )
}

fn is_json_media_type(essence: &str) -> bool {
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn content_type(
    ctx: &StepContext<'_>,
    rules: Option<&BodyRules<'_>>,
    got: &Incoming,
) -> CheckResult {
    let Some(rules) = rules else {
        return CheckResult::new(
            CONTENT_TYPE,
            Verdict::Skip,
            format!("the document gives no body for status {}", got.status),
            ctx.doc(&ctx.endpoint.doc),
        );
    };
    let doc = rules.clause.clone();
    if got.body.is_empty() && rules.may_be_empty {
        return CheckResult::new(
            CONTENT_TYPE,
            Verdict::Skip,
            "empty body, which the document allows here".into(),
            doc,
        );
    }
    let header = got.header("content-type").unwrap_or("");
    let essence = header
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let got_text = if header.is_empty() {
        "no Content-Type".to_string()
    } else {
        format!("{header:?}")
    };
    let json_wanted = "a JSON media type (application/json or application/*+json)";
    if !is_json_media_type(&essence) {
        let finding = Finding::new(format!("Content-Type {json_wanted}"), got_text);
        return CheckResult::judged(CONTENT_TYPE, finding, doc, rules.quote, rules.decided);
    }
    match rules.media_type {
        Some((wanted, decided)) if essence != wanted.to_ascii_lowercase() => {
            let finding = Finding::new(format!("Content-Type {wanted}"), got_text);
            let decided = decided.or(rules.decided);
            CheckResult::judged(CONTENT_TYPE, finding, doc, rules.quote, decided)
        }
        _ => CheckResult::pass(CONTENT_TYPE, doc),
    }
}

/// Schema violations as a finding: each one's place in the body, and a line each (the first
/// [`SHOWN_VIOLATIONS`]).
fn violations_finding(file: &str, violations: &[Violation]) -> Finding {
    let mut finding = Finding::new(
        format!("a body valid against {file}"),
        format!(
            "{} violation{}",
            violations.len(),
            if violations.len() == 1 { "" } else { "s" }
        ),
    )
    .more(":");
    for v in violations.iter().take(SHOWN_VIOLATIONS) {
        finding = finding
            .at(v.instance_path.clone())
            .more(format!("\n  - {v}"));
    }
    if violations.len() > SHOWN_VIOLATIONS {
        finding = finding.more(format!(
            "\n  - ... {} more",
            violations.len() - SHOWN_VIOLATIONS
        ));
    }
    finding
}

/// Violations of one body listed in a finding.
const SHOWN_VIOLATIONS: usize = 20;

fn schema(
    ctx: &StepContext<'_>,
    rules: Option<&BodyRules<'_>>,
    got: &Incoming,
) -> (Vec<CheckResult>, Option<Arc<Value>>) {
    let Some(rules) = rules else {
        let r = CheckResult::new(
            SCHEMA,
            Verdict::Skip,
            format!("the document gives no body for status {}", got.status),
            ctx.doc(&ctx.endpoint.doc),
        );
        return (vec![r], body_json(got).ok());
    };
    let file = rules.schema;
    let doc = rules.clause.clone();
    if got.body.is_empty() && rules.may_be_empty {
        let r = CheckResult::new(
            SCHEMA,
            Verdict::Skip,
            "empty body, which the document allows here".into(),
            doc,
        );
        return (vec![r], None);
    }
    let body = match body_json(got) {
        Ok(v) => v,
        Err(why) => {
            let finding = Finding::new(format!("a JSON body valid against {file}"), why);
            let r = CheckResult::judged(SCHEMA, finding, doc, rules.quote, rules.decided);
            return (vec![r], None);
        }
    };
    let judged = ctx.contract.schemas.judge(file, &body);
    let mut out = Vec::new();
    if !judged.failures.is_empty() {
        let quote = judged
            .failures
            .iter()
            .find_map(|v| v.quote.as_deref())
            .or(rules.quote);
        let finding = violations_finding(file, &judged.failures);
        out.push(CheckResult::judged(
            SCHEMA,
            finding,
            doc.clone(),
            quote,
            rules.decided,
        ));
    }
    if !judged.advisories.is_empty() {
        let mut reasons: Vec<&str> = judged
            .advisories
            .iter()
            .filter_map(|v| v.reason.as_deref())
            .collect();
        reasons.dedup();
        let reason = rules
            .decided
            .map(String::from)
            .unwrap_or_else(|| reasons.join("; "));
        out.push(CheckResult::advised(
            SCHEMA,
            violations_finding(file, &judged.advisories),
            doc.clone(),
            &reason,
        ));
    }
    if out.is_empty() {
        out.push(CheckResult::pass(SCHEMA, doc));
    }
    (out, Some(body))
}

fn status_tables(ctx: &StepContext<'_>, got: &Incoming, body: Option<&Value>) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for table in &ctx.contract.suite.status_tables {
        if !table.endpoints.is_empty() && !table.endpoints.contains(&ctx.endpoint.id) {
            continue;
        }
        let doc = ctx.doc(&table.doc);
        let listed = table
            .values
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let (value, subject, at) = if table.http_error_status {
            if got.status < 400 {
                continue;
            }
            (Some(i64::from(got.status)), "HTTP status".to_string(), None)
        } else {
            let pointer = table.pointer.as_deref().unwrap_or("");
            if !(200..300).contains(&got.status) {
                continue;
            }
            match body.and_then(|b| b.pointer(pointer)) {
                None => continue,
                Some(v) => match v.as_i64() {
                    Some(i) => (Some(i), pointer.to_string(), Some(pointer)),
                    None => (None, format!("{pointer} = {v}"), Some(pointer)),
                },
            }
        };
        if value.is_some_and(|v| table.values.contains(&v)) {
            out.push(CheckResult::pass(STATUS_TABLE, doc));
            continue;
        }
        let shown = value.map_or(subject.clone(), |v| format!("{subject} {v}"));
        let mut finding = Finding::new(
            format!("a value of the {} table ({listed})", table.name),
            shown,
        );
        if let Some(pointer) = at {
            finding = finding.at(pointer);
        }
        out.push(CheckResult::judged(
            STATUS_TABLE,
            finding,
            doc,
            table.quote.as_deref(),
            table.decided.as_deref(),
        ));
    }
    out
}

/// The body as JSON: as the client parsed it, else parsed here (saying why it is not JSON).
fn body_json(got: &Incoming) -> Result<Arc<Value>, String> {
    match &got.json {
        Some(json) => Ok(json.clone()),
        None => parse(&got.body).map(Arc::new),
    }
}

/// Parses a body as JSON, with a reason a person can act on when it is not.
/// Strict: duplicate member names, numbers out of range and nesting past 128 levels are
/// failures too (see [`crate::strict_json`]).
pub fn parse(body: &[u8]) -> Result<Value, String> {
    crate::strict_json::parse(body).map_err(|e| match e {
        crate::strict_json::BodyError::Empty => e.to_string(),
        _ => format!("{e}: {}", snippet(body)),
    })
}

/// The start of a body, for messages.
pub fn snippet(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]).into_owned();
    if body.len() > MAX {
        format!("{text:?}...")
    } else {
        format!("{text:?}")
    }
}

#[cfg(test)]
mod finding_tests {
    use super::*;

    fn answer(status: u16, content_type: &str, body: &str) -> Incoming {
        Incoming {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            elapsed: std::time::Duration::ZERO,
            json: None,
        }
    }

    /// What each check finds is data: what the rule wants, what came, where in the body; the
    /// message is the sentence made of it.
    #[test]
    fn a_failure_says_what_was_expected_what_came_and_where() {
        let contracts =
            crate::contract::load_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let contract = contracts.iter().find(|c| c.name() == "tss").unwrap();
        let endpoint = contract
            .suite
            .endpoints
            .iter()
            .find(|e| e.responses.contains_key("200"))
            .unwrap();
        let expected = Expectation::stated(Expected::codes(vec![200]), "doc > x".into(), None);
        let ctx = StepContext {
            contract,
            endpoint,
            expected: &expected,
        };
        let finding = |results: &[CheckResult], id: CheckId| {
            let r = results
                .iter()
                .find(|r| r.id == id && r.outcome == Verdict::Fail);
            let f = r
                .and_then(|r| r.finding.as_deref().cloned())
                .unwrap_or_default();
            assert_eq!(r.map(|r| r.message.clone()), Some(f.sentence()));
            f
        };

        let (results, _) = evaluate(&ctx, &answer(503, "text/html", "<h1>down</h1>"));
        let status = finding(&results, STATUS);
        assert_eq!(status.expected, "status 200");
        assert_eq!(status.got, r#"503 "<h1>down</h1>""#);
        let server_error = finding(&results, NO_5XX);
        assert_eq!(server_error.expected, "no server error");
        assert!(server_error.got.starts_with("503 "));

        let (results, _) = evaluate(&ctx, &answer(200, "text/html", "[]"));
        let media = finding(&results, CONTENT_TYPE);
        assert!(media.expected.starts_with("Content-Type a JSON media type"));
        assert_eq!(media.got, r#""text/html""#);
        let schema = finding(&results, SCHEMA);
        let file = &endpoint.responses["200"].schema;
        assert_eq!(schema.expected, format!("a body valid against {file}"));
        assert!(schema.got.ends_with("violation") || schema.got.ends_with("violations"));
        assert_eq!(
            schema.at.first().map(String::as_str),
            Some(""),
            "{schema:#?}"
        );

        let (results, _) = evaluate(&ctx, &answer(200, "application/json", "{"));
        let parse = finding(&results, SCHEMA);
        assert_eq!(parse.expected, format!("a JSON body valid against {file}"));
        assert!(parse.got.contains("not JSON"), "{parse:#?}");
    }

    /// A long run keeps a result per check per step of every case: a finding, which most
    /// results do not have, must not make every result bigger (an inline one cost 96 bytes a
    /// result, 70 MB in a run of 50,000 cases).
    #[test]
    fn a_result_holds_its_finding_behind_a_pointer() {
        assert!(
            std::mem::size_of::<CheckResult>() <= 112,
            "{} bytes",
            std::mem::size_of::<CheckResult>()
        );
    }

    #[test]
    fn a_finding_redacts_every_text_it_holds() {
        let f = Finding::new("a = s3cret", "s3cret")
            .at("/s3cret")
            .more(" (s3cret)");
        let r = f.redacted(|t| t.replace("s3cret", "$X"));
        assert_eq!(r.sentence(), "expected a = $X, got $X ($X)");
        assert_eq!(r.at, vec!["/$X".to_string()]);
    }
}

#[cfg(test)]
mod expectation_tests {
    use super::*;

    #[test]
    fn a_made_up_object_admits_a_refusal_and_keeps_the_reading_as_a_decision() {
        let e = Expectation::stated(Expected::codes(vec![200]), "doc".into(), None);
        let wide = e.admitting_refusal("made up");
        assert!(wide.stated.allows(200) && wide.stated.allows(404));
        assert!(!wide.stated.allows(500) && !wide.stated.allows(302));
        assert_eq!(wide.narrowest(), &Expected::codes(vec![200]));
        assert_eq!(wide.decided.as_ref().map(|d| &*d.1), Some("made up"));
        // An expectation that already admits any 4xx is left as it is.
        let refusal = Expectation::stated(Expected::classes(&[4]), "doc".into(), None);
        assert_eq!(refusal.clone().admitting_refusal("x"), refusal);
    }
}
