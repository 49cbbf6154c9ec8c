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

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::contract::{Contract, EndpointSpec, StatusPattern};
use crate::http::Incoming;

/// Check ids.
pub const STATUS: &str = "status";
pub const NO_5XX: &str = "no-5xx";
pub const CONTENT_TYPE: &str = "content-type";
pub const SCHEMA: &str = "schema";
pub const STATUS_TABLE: &str = "status-table";
pub const TRANSPORT: &str = "transport";
pub const CAPTURE: &str = "capture";

/// Every check id, in the order checks run.
pub const ALL: &[&str] = &[
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
    /// A check of an inferred rule (one the document implies but does not state) that did not
    /// hold: reported, never failing the case.
    Warn,
}

/// The result of one check on one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub outcome: Verdict,
    /// For a failure: expected against got; for a skip: why.
    pub message: String,
    /// The document clause the check comes from.
    pub doc: String,
}

impl CheckResult {
    fn new(id: &str, outcome: Verdict, message: String, doc: String) -> Self {
        CheckResult {
            id: id.to_string(),
            outcome,
            message,
            doc,
        }
    }
}

/// The statuses a step accepts: listed codes, or any 4xx where the document names none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expected {
    pub codes: Vec<u16>,
    pub any_4xx: bool,
}

impl Expected {
    pub fn codes(codes: Vec<u16>) -> Self {
        Expected {
            codes,
            any_4xx: false,
        }
    }

    /// From a suite's `expect` list (codes and `"4xx"`).
    pub fn from_patterns(patterns: &[StatusPattern]) -> Self {
        let mut e = Expected::default();
        for p in patterns {
            match p {
                StatusPattern::Code(c) => e.codes.push(*c),
                StatusPattern::Class(_) => e.any_4xx = true,
            }
        }
        e
    }

    pub fn allows(&self, status: u16) -> bool {
        self.codes.contains(&status) || (self.any_4xx && (400..500).contains(&status))
    }

    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.codes.iter().map(u16::to_string).collect();
        if self.any_4xx {
            parts.push("any 4xx".into());
        }
        parts.join(" or ")
    }
}

/// Everything a check needs to know about the step that produced a response.
pub struct StepContext<'a> {
    pub contract: &'a Contract,
    pub endpoint: &'a EndpointSpec,
    /// Statuses the case accepts.
    pub expected: &'a Expected,
    /// Clause behind the expectation (the case's doc).
    pub expectation_doc: &'a str,
}

impl StepContext<'_> {
    fn doc(&self, section: &str) -> String {
        format!("{} > {}", self.contract.suite.document, section)
    }
}

/// Runs every check on a response; returns the results and the body parsed as JSON, if it was.
pub fn evaluate(ctx: &StepContext<'_>, got: &Incoming) -> (Vec<CheckResult>, Option<Value>) {
    let mut out = vec![
        CheckResult::new(
            TRANSPORT,
            Verdict::Pass,
            String::new(),
            ctx.doc(&ctx.endpoint.doc),
        ),
        status(ctx, got),
        no_5xx(ctx, got),
    ];
    out.push(content_type(ctx, got));
    let (schema_result, body) = schema(ctx, got);
    out.push(schema_result);
    out.extend(status_tables(ctx, got, body.as_ref()));
    (out, body)
}

fn status(ctx: &StepContext<'_>, got: &Incoming) -> CheckResult {
    let ok = ctx.expected.allows(got.status);
    let expected = ctx.expected.describe();
    CheckResult::new(
        STATUS,
        if ok { Verdict::Pass } else { Verdict::Fail },
        if ok {
            String::new()
        } else {
            format!(
                "expected status {expected}, got {} {}",
                got.status,
                snippet(&got.body)
            )
        },
        ctx.expectation_doc.to_string(),
    )
}

fn no_5xx(ctx: &StepContext<'_>, got: &Incoming) -> CheckResult {
    let ok = got.status < 500;
    CheckResult::new(
        NO_5XX,
        if ok { Verdict::Pass } else { Verdict::Fail },
        if ok {
            String::new()
        } else {
            format!(
                "expected no server error, got {} {}",
                got.status,
                snippet(&got.body)
            )
        },
        ctx.doc(&ctx.contract.suite.errors.doc),
    )
}

/// The media type the document requires for this status, if any, and the clause saying so.
fn required_media_type<'a>(ctx: &'a StepContext<'_>, status: u16) -> (Option<&'a str>, String) {
    if let Some(r) = ctx.endpoint.responses.get(&status.to_string()) {
        return (r.media_type.as_deref(), ctx.doc(&r.doc));
    }
    if status >= 400 {
        let e = &ctx.contract.suite.errors;
        return (e.media_type.as_deref(), ctx.doc(&e.doc));
    }
    (None, ctx.doc(&ctx.endpoint.doc))
}

fn content_type(ctx: &StepContext<'_>, got: &Incoming) -> CheckResult {
    let (required, doc) = required_media_type(ctx, got.status);
    if got.body.is_empty() && may_be_empty(ctx, got.status) {
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
    let (ok, wanted) = match required {
        Some(m) => (essence == m.to_ascii_lowercase(), m.to_string()),
        None => (
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json")),
            "a JSON media type (application/json or application/*+json)".to_string(),
        ),
    };
    CheckResult::new(
        CONTENT_TYPE,
        if ok { Verdict::Pass } else { Verdict::Fail },
        if ok {
            String::new()
        } else if header.is_empty() {
            format!("expected Content-Type {wanted}, got no Content-Type")
        } else {
            format!("expected Content-Type {wanted}, got {header:?}")
        },
        doc,
    )
}

fn may_be_empty(ctx: &StepContext<'_>, status: u16) -> bool {
    status == 204
        || (status >= 400
            && !ctx.endpoint.responses.contains_key(&status.to_string())
            && ctx.contract.suite.errors.body_optional)
}

fn schema(ctx: &StepContext<'_>, got: &Incoming) -> (CheckResult, Option<Value>) {
    let documented = ctx.endpoint.responses.get(&got.status.to_string());
    let (file, doc) = match documented {
        Some(r) => (r.schema.as_str(), ctx.doc(&r.doc)),
        None if got.status >= 400 => {
            let e = &ctx.contract.suite.errors;
            (e.schema.as_str(), ctx.doc(&e.doc))
        }
        None => {
            return (
                CheckResult::new(
                    SCHEMA,
                    Verdict::Skip,
                    format!("the document gives no body for status {}", got.status),
                    ctx.doc(&ctx.endpoint.doc),
                ),
                parse(&got.body).ok(),
            )
        }
    };
    if got.body.is_empty() && may_be_empty(ctx, got.status) {
        let r = CheckResult::new(
            SCHEMA,
            Verdict::Skip,
            "empty body, which the document allows here".into(),
            doc,
        );
        return (r, None);
    }
    let body = match parse(&got.body) {
        Ok(v) => v,
        Err(why) => {
            let r = CheckResult::new(
                SCHEMA,
                Verdict::Fail,
                format!("expected a JSON body valid against {file}, got {why}"),
                doc,
            );
            return (r, None);
        }
    };
    let result = match ctx.contract.schemas.validate(file, &body) {
        Ok(()) => CheckResult::new(SCHEMA, Verdict::Pass, String::new(), doc),
        Err(violations) => {
            let mut msg = format!(
                "expected a body valid against {file}, got {} violation{}:",
                violations.len(),
                if violations.len() == 1 { "" } else { "s" }
            );
            for v in violations.iter().take(20) {
                msg.push_str("\n  - ");
                msg.push_str(&v.to_string());
            }
            if violations.len() > 20 {
                msg.push_str(&format!("\n  - ... {} more", violations.len() - 20));
            }
            CheckResult::new(SCHEMA, Verdict::Fail, msg, doc)
        }
    };
    (result, Some(body))
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
        let (value, subject) = if table.http_error_status {
            if got.status < 400 {
                continue;
            }
            (Some(i64::from(got.status)), "HTTP status".to_string())
        } else {
            let pointer = table.pointer.as_deref().unwrap_or("");
            if !(200..300).contains(&got.status) {
                continue;
            }
            match body.and_then(|b| b.pointer(pointer)) {
                None => continue,
                Some(v) => match v.as_i64() {
                    Some(i) => (Some(i), pointer.to_string()),
                    None => (None, format!("{pointer} = {v}")),
                },
            }
        };
        let ok = value.is_some_and(|v| table.values.contains(&v));
        let shown = value.map_or(subject.clone(), |v| format!("{subject} {v}"));
        out.push(CheckResult::new(
            STATUS_TABLE,
            if ok { Verdict::Pass } else { Verdict::Fail },
            if ok {
                String::new()
            } else {
                format!(
                    "expected a value of the {} table ({listed}), got {shown}",
                    table.name
                )
            },
            doc,
        ));
    }
    out
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
