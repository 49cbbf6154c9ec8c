//! Captures: the values later steps of a case need, taken from an answer.
//!
//! A value that is not there fails the `capture` check (later steps cannot be built without
//! it), unless its presence is the contract's own reading: then the case is inconclusive, an
//! advisory. A secret capture is taught to the redactor before anything shows it.

use serde_json::Value;

use crate::checks::{self, CheckResult, Finding};
use crate::contract::Contract;
use crate::decode;
use crate::http::Incoming;
use crate::plan::PlannedStep;
use crate::redact::{env_name, ScopedRedactor};
use crate::template::{self, Vars};

use super::RunContext;

/// Takes the step's captures from the body into `vars`; a value that is not there fails the
/// `capture` check, since later steps cannot be built without it.
/// A value whose presence is the contract's reading (its schema's `required` is decided) that
/// is missing makes the case inconclusive, an advisory: the document never promised it.
pub(super) fn capture(
    ctx: &RunContext,
    contract: &Contract,
    step: &PlannedStep,
    schema: Option<&str>,
    incoming: &Incoming,
    body: Option<&Value>,
    vars: &mut Vars,
) -> Option<CheckResult> {
    let mut missing = Vec::new();
    let mut decided: Vec<String> = Vec::new();
    for (name, spec) in &step.spec.capture {
        let found = match spec.header() {
            Some(h) => incoming.header(h).map(|v| Value::String(v.to_string())),
            None => body.and_then(|b| b.pointer(spec.pointer())).cloned(),
        };
        let value = match (found, spec.decode()) {
            (None, _) => {
                missing.push(format!("{} (for `{name}`)", spec.source()));
                let parent = spec.pointer().rsplit_once('/').map_or("", |(p, _)| p);
                // The capture's own reason, else the schema's: the value was never promised.
                if let Some(why) = spec.decided().map(String::from).or_else(|| {
                    spec.header().is_none().then_some(())?;
                    schema.and_then(|f| contract.schemas.decision_at(f, parent, "required"))
                }) {
                    decided.push(why);
                }
                continue;
            }
            (Some(v), None) => v,
            (Some(v), Some(decoder)) => match decode::decode(decoder, &template::as_text(&v)) {
                Ok(text) => Value::String(text),
                Err(why) => {
                    missing.push(format!("{} (for `{name}`: {why})", spec.source()));
                    if let Some(why) = spec.decided() {
                        decided.push(why.to_string());
                    }
                    continue;
                }
            },
        };
        if spec.secret() {
            add_secret(
                &ctx.redactor.scoped(contract.name()),
                &value,
                &env_name(contract.name(), name),
            );
        }
        vars.insert(name.clone(), value);
    }
    if step.spec.capture.is_empty() {
        return None;
    }
    let doc = contract
        .endpoint(&step.spec.endpoint)
        .and_then(|e| e.responses.values().next())
        .map(|r| format!("{} > {}", contract.suite.document, r.doc))
        .unwrap_or_default();
    let finding = Finding::new(
        format!("values that later steps use at {}", missing.join(", ")),
        "none there",
    );
    Some(if missing.is_empty() {
        CheckResult::pass(checks::CAPTURE, doc)
    } else if decided.len() == missing.len() {
        decided.dedup();
        CheckResult::advised(
            checks::CAPTURE,
            finding.more("; the case could not go on (inconclusive)"),
            doc,
            &decided.join("; "),
        )
    } else {
        CheckResult::broken(
            checks::CAPTURE,
            finding,
            doc,
            step.expected.quote.as_deref(),
        )
    })
}

fn add_secret(redactor: &ScopedRedactor, value: &Value, name: &str) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| add_secret(redactor, v, name)),
        Value::Null => {}
        other => redactor.add(&template::as_text(other), name),
    }
}
