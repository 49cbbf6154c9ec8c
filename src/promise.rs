//! The documents' promises across calls, as checks (id `promise`): a suite step's `assert`
//! entries, evaluated on the step's answer and on the values captured so far.
//!
//! Each promise names its clause and quotes the document; a promise the document only implies
//! (`decided = "why"`) advises instead of failing, so a vendor is told without being failed on
//! a guess.

use base64::Engine;
use serde_json::Value;

use crate::checks::CheckResult;
use crate::contract::AssertSpec;
use crate::template::{self, Vars};

/// The check id of every promise.
pub const PROMISE: crate::checks::CheckId = crate::checks::CheckId::Promise;

/// Evaluates the step's promises on `body` (the answer, parsed) with `vars`. `case_decided`
/// is the reason when the whole case is the contract's reading.
pub fn evaluate(
    asserts: &[AssertSpec],
    document: &str,
    status: u16,
    body: Option<&Value>,
    vars: &Vars,
    case_decided: Option<&str>,
) -> Vec<CheckResult> {
    asserts
        .iter()
        .filter(|a| a.when_status.is_empty() || a.when_status.contains(&status))
        .map(|a| {
            let doc = format!("{document} > {}", a.doc);
            let why = match check(a, body, vars) {
                Ok(()) => return CheckResult::pass(PROMISE, doc),
                Err(why) => why,
            };
            let message = format!(
                "{}{}: {why}",
                a.id,
                if a.description.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", a.description)
                },
            );
            match a.decided.as_deref().or(case_decided) {
                Some(reason) => CheckResult::advisory(PROMISE, message, doc, reason),
                None => CheckResult::fail(PROMISE, message, doc, a.quote.as_deref()),
            }
        })
        .collect()
}

fn check(a: &AssertSpec, body: Option<&Value>, vars: &Vars) -> Result<(), String> {
    let (subject, label) = match (&a.pointer, &a.var) {
        (Some(p), _) => (body.and_then(|b| b.pointer(p)).cloned(), p.clone()),
        (None, Some(v)) => (vars.get(v).cloned(), format!("`{v}`")),
        (None, None) => (None, "(nothing)".to_string()),
    };
    let render = |v: &Value| template::render(v, vars).map_err(|e| format!("cannot check: {e}"));
    if let Some(want) = a.present {
        if subject.is_some() != want {
            return Err(if want {
                format!("expected {label} to be present, got nothing")
            } else {
                format!("expected no {label}, got {}", shown(subject.as_ref()))
            });
        }
    }
    if let Some(want) = &a.equals {
        let want = render(want)?;
        if subject.as_ref() != Some(&want) {
            return Err(format!(
                "expected {label} = {want}, got {}",
                shown(subject.as_ref())
            ));
        }
    }
    if let Some(unwanted) = &a.not_equals {
        let unwanted = render(unwanted)?;
        if subject.as_ref() == Some(&unwanted) {
            return Err(format!(
                "expected {label} to differ from {unwanted}, got it"
            ));
        }
    }
    if let Some(pattern) = &a.matches {
        let pattern = render_regex(pattern, vars)?;
        let re = regex::Regex::new(&pattern).map_err(|e| format!("bad pattern: {e}"))?;
        let text = subject.as_ref().and_then(Value::as_str).unwrap_or("");
        if subject.as_ref().and_then(Value::as_str).is_none() || !re.is_match(text) {
            return Err(format!(
                "expected {label} to match {:?}, got {}",
                a.matches.as_deref().unwrap_or(""),
                shown(subject.as_ref())
            ));
        }
    }
    if let Some(needle) = &a.not_contains {
        if let Some(text) = subject.as_ref().and_then(Value::as_str) {
            if text.contains(needle.as_str()) {
                return Err(format!("expected {label} without {needle:?}, got {text:?}"));
            }
        }
    }
    if let Some(other) = &a.at_most {
        let here = subject.as_ref().and_then(Value::as_f64);
        let there = body.and_then(|b| b.pointer(other)).and_then(Value::as_f64);
        if let (Some(x), Some(y)) = (here, there) {
            if x > y {
                return Err(format!("expected {label} ({x}) <= {other} ({y})"));
            }
        }
    }
    if let Some(shape) = &a.shape {
        let text = subject.as_ref().and_then(Value::as_str).unwrap_or("");
        match shape.as_str() {
            "jwt" => {
                jwt_shape(text).map_err(|why| format!("expected {label} to be a JWT: {why}"))?
            }
            "base32" => {
                let ok = !text.is_empty()
                    && text
                        .trim_end_matches('=')
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
                if !ok {
                    return Err(format!(
                        "expected {label} to be RFC 4648 base32, got {text:?}"
                    ));
                }
            }
            other => return Err(format!("unknown shape `{other}`")),
        }
    }
    if let Some(agree) = &a.agrees_with {
        let other = body.and_then(|b| b.pointer(&agree.pointer));
        let holds = match other {
            Some(Value::Array(items)) => items.contains(&agree.value),
            Some(v) => v == &agree.value,
            None => return Ok(()),
        };
        match subject.as_ref().and_then(Value::as_bool) {
            Some(flag) if flag != holds => {
                return Err(format!(
                    "expected {label} = {holds} since {} {} {}, got {flag}",
                    agree.pointer,
                    if holds { "has" } else { "lacks" },
                    agree.value
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Inserts `${var}` values into a regex literally (escaped).
fn render_regex(pattern: &str, vars: &Vars) -> Result<String, String> {
    let mut escaped = Vars::new();
    for (k, v) in vars {
        escaped.insert(
            k.clone(),
            Value::String(regex::escape(&template::as_text(v))),
        );
    }
    template::render(&Value::String(pattern.to_string()), &escaped)
        .map(|v| template::as_text(&v))
        .map_err(|e| format!("cannot check: {e}"))
}

/// Three base64url parts, the first a JSON object with `alg`.
fn jwt_shape(token: &str) -> Result<(), String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!("{} part(s), not three non-empty ones", parts.len()));
    }
    let ok = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !parts.iter().all(|p| ok(p)) {
        return Err("a part is not base64url".into());
    }
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[0])
        .map_err(|e| format!("the header does not decode: {e}"))?;
    let header: Value =
        serde_json::from_slice(&header).map_err(|_| "the header is not JSON".to_string())?;
    if header.get("alg").and_then(Value::as_str).is_none() {
        return Err("the header has no alg".into());
    }
    Ok(())
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None => "nothing".into(),
        Some(v) => {
            let t = v.to_string();
            if t.len() > 120 {
                format!(
                    "{}...",
                    &t[..t.char_indices().nth(117).map_or(t.len(), |(i, _)| i)]
                )
            } else {
                t
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Verdict;
    use serde_json::json;

    fn spec(f: impl FnOnce(&mut AssertSpec)) -> AssertSpec {
        let mut a = AssertSpec {
            id: "t".into(),
            doc: "d".into(),
            pointer: Some("/x".into()),
            ..Default::default()
        };
        f(&mut a);
        a
    }

    fn outcome(a: AssertSpec, body: Value) -> Verdict {
        evaluate(&[a], "doc.txt", 200, Some(&body), &Vars::new(), None)[0].outcome
    }

    #[test]
    fn operators_hold_and_fail() {
        assert_eq!(
            outcome(spec(|a| a.equals = Some(json!(1))), json!({"x": 1})),
            Verdict::Pass
        );
        assert_eq!(
            outcome(spec(|a| a.equals = Some(json!(1))), json!({"x": 2})),
            Verdict::Fail
        );
        assert_eq!(
            outcome(
                spec(|a| a.not_contains = Some("<".into())),
                json!({"x": "<b>"})
            ),
            Verdict::Fail
        );
        assert_eq!(
            outcome(
                spec(|a| a.at_most = Some("/y".into())),
                json!({"x": 3, "y": 2})
            ),
            Verdict::Fail
        );
        assert_eq!(
            outcome(
                spec(|a| a.shape = Some("jwt".into())),
                json!({"x": "a.b.c"})
            ),
            Verdict::Fail
        );
        assert_eq!(
            outcome(
                spec(|a| a.shape = Some("jwt".into())),
                json!({"x": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"})
            ),
            Verdict::Pass
        );
        let agree = |a: &mut AssertSpec| {
            a.agrees_with = Some(crate::contract::AgreeSpec {
                pointer: "/roles".into(),
                value: json!("CUSTOMER"),
            })
        };
        assert_eq!(
            outcome(spec(agree), json!({"x": true, "roles": ["CUSTOMER"]})),
            Verdict::Pass
        );
        assert_eq!(
            outcome(spec(agree), json!({"x": true, "roles": ["PARTNER"]})),
            Verdict::Fail
        );
        let decided = spec(|a| {
            a.decided = Some("the document implies it".into());
            a.equals = Some(json!(1))
        });
        assert_eq!(outcome(decided, json!({"x": 2})), Verdict::Advisory);
    }
}
