//! The documents' promises across calls, as checks (id `promise`): a suite step's `assert`
//! entries, evaluated on the step's answer and on the values captured so far.
//!
//! Each promise names its clause and quotes the document; a promise the document only implies
//! (`decided = "why"`) advises instead of failing, so a vendor is told without being failed on
//! a guess.

use base64::Engine;
use serde_json::Value;

use crate::checks::{CheckResult, Finding};
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
            let mut finding = match check(a, body, vars) {
                Ok(()) => return CheckResult::pass(PROMISE, doc),
                Err(finding) => finding,
            };
            if let Some(pointer) = &a.pointer {
                finding = finding.at(pointer.clone());
            }
            let message = format!(
                "{}{}: {}",
                a.id,
                if a.description.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", a.description)
                },
                finding.sentence()
            );
            let result = match a.decided.as_deref().or(case_decided) {
                Some(reason) => CheckResult::advisory(PROMISE, message, doc, reason),
                None => CheckResult::fail(PROMISE, message, doc, a.quote.as_deref()),
            };
            result.with(finding)
        })
        .collect()
}

/// A promise that cannot be checked (a value it compares with is missing, a bad pattern): the
/// contract's fault or the case's, said as what the check needed.
fn unchecked(why: String) -> Finding {
    Finding::new("a promise conform can check", why)
}

fn check(a: &AssertSpec, body: Option<&Value>, vars: &Vars) -> Result<(), Finding> {
    let (subject, label) = match (&a.pointer, &a.var) {
        (Some(p), _) => (body.and_then(|b| b.pointer(p)).cloned(), p.clone()),
        (None, Some(v)) => (vars.get(v).cloned(), format!("`{v}`")),
        (None, None) => (None, "(nothing)".to_string()),
    };
    let render =
        |v: &Value| template::render(v, vars).map_err(|e| unchecked(format!("cannot check: {e}")));
    let got = || shown(subject.as_ref());
    if let Some(want) = a.present {
        if subject.is_some() != want {
            return Err(if want {
                Finding::new(format!("{label} to be present"), "nothing")
            } else {
                Finding::new(format!("no {label}"), got())
            });
        }
    }
    if let Some(want) = &a.equals {
        let want = render(want)?;
        if subject.as_ref() != Some(&want) {
            return Err(Finding::new(format!("{label} = {want}"), got()));
        }
    }
    if let Some(unwanted) = &a.not_equals {
        let unwanted = render(unwanted)?;
        if subject.as_ref() == Some(&unwanted) {
            return Err(Finding::new(
                format!("{label} to differ from {unwanted}"),
                "it",
            ));
        }
    }
    if let Some(pattern) = &a.matches {
        let pattern = render_regex(pattern, vars).map_err(unchecked)?;
        let re = regex::Regex::new(&pattern).map_err(|e| unchecked(format!("bad pattern: {e}")))?;
        let text = subject.as_ref().and_then(Value::as_str).unwrap_or("");
        if subject.as_ref().and_then(Value::as_str).is_none() || !re.is_match(text) {
            return Err(Finding::new(
                format!("{label} to match {:?}", a.matches.as_deref().unwrap_or("")),
                got(),
            ));
        }
    }
    if let Some(needle) = &a.not_contains {
        if let Some(text) = subject.as_ref().and_then(Value::as_str) {
            if text.contains(needle.as_str()) {
                return Err(Finding::new(
                    format!("{label} without {needle:?}"),
                    format!("{text:?}"),
                ));
            }
        }
    }
    if let Some(other) = &a.at_most {
        let here = subject.as_ref().and_then(Value::as_f64);
        let there = body.and_then(|b| b.pointer(other)).and_then(Value::as_f64);
        if let (Some(x), Some(y)) = (here, there) {
            if x > y {
                return Err(Finding::new(
                    format!("{label} <= {other} ({y})"),
                    x.to_string(),
                ));
            }
        }
    }
    if let Some(shape) = &a.shape {
        let text = subject.as_ref().and_then(Value::as_str).unwrap_or("");
        match shape.as_str() {
            "jwt" => {
                jwt_shape(text).map_err(|why| Finding::new(format!("{label} to be a JWT"), why))?
            }
            "base32" => {
                let ok = !text.is_empty()
                    && text
                        .trim_end_matches('=')
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c));
                if !ok {
                    return Err(Finding::new(
                        format!("{label} to be RFC 4648 base32"),
                        format!("{text:?}"),
                    ));
                }
            }
            other => return Err(unchecked(format!("unknown shape `{other}`"))),
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
                return Err(Finding::new(
                    format!(
                        "{label} = {holds} since {} {} {}",
                        agree.pointer,
                        if holds { "has" } else { "lacks" },
                        agree.value
                    ),
                    flag.to_string(),
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
