//! Invalid inputs derived from a request schema, each naming the one rule it breaks.
//!
//! Every candidate says which schema keyword at which instance path it breaks; the caller checks
//! that against the real validator before anything is sent, so a "negative" case that is in fact
//! valid can never be reported as the target's failure.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::view::{json_type, FieldView, ObjectView};

/// How a negative input is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyInput {
    /// A JSON body.
    Json(Value),
    /// Raw bytes with this Content-Type.
    Raw {
        bytes: Vec<u8>,
        content_type: String,
    },
}

/// What makes a candidate invalid.
#[derive(Debug, Clone, PartialEq)]
pub enum Breaks {
    /// The schema keyword that must fail, at this instance path.
    Keyword { keyword: String, at: String },
    /// Not JSON at all, or not sent as JSON: no schema can say so.
    Protocol(String),
}

/// One invalid body.
#[derive(Debug, Clone)]
pub struct BodyCandidate {
    /// Short, stable name: `missing-type`, `phone-wrong-type-integer`, ...
    pub name: String,
    /// Family: body, missing, wrong-type, pattern, format, length, enum, case, conditional, bounds.
    pub family: &'static str,
    pub input: BodyInput,
    pub breaks: Breaks,
    /// One line: what was changed and why that is invalid.
    pub why: String,
}

/// Values of every JSON type, for wrong-type cases.
fn samples() -> [(&'static str, Value); 7] {
    [
        ("string", json!("conform")),
        ("integer", json!(12345)),
        ("number", json!(1.5)),
        ("boolean", json!(true)),
        ("null", Value::Null),
        ("array", json!([])),
        ("object", json!({})),
    ]
}

/// Every invalid body for an object schema, built from a valid `base` body.
/// `sibling_enums` holds, per field name, enum values the same field allows elsewhere in the
/// contract (e.g. `totp` for a `type` that only allows sms|email here).
pub fn bodies(
    view: &ObjectView,
    base: &Value,
    sibling_enums: &BTreeMap<String, Vec<Value>>,
    branch_bases: &[(String, Value)],
) -> Vec<BodyCandidate> {
    let mut out = Vec::new();
    let base_bytes = base.to_string().into_bytes();
    let raw = |bytes: &[u8], ct: &str| BodyInput::Raw {
        bytes: bytes.to_vec(),
        content_type: ct.to_string(),
    };
    out.push(BodyCandidate {
        name: "body-empty".into(),
        family: "body",
        input: raw(b"", "application/json"),
        breaks: Breaks::Protocol("an empty body is not a JSON object".into()),
        why: "no body at all".into(),
    });
    out.push(BodyCandidate {
        name: "body-malformed".into(),
        family: "body",
        input: raw(
            &base_bytes[..base_bytes.len().saturating_sub(1)],
            "application/json",
        ),
        breaks: Breaks::Protocol("the body is cut short: not valid JSON".into()),
        why: "the valid body without its closing brace".into(),
    });
    out.push(BodyCandidate {
        name: "body-not-json-content-type".into(),
        family: "body",
        input: raw(&base_bytes, "text/plain"),
        breaks: Breaks::Protocol("a JSON body sent as text/plain".into()),
        why: "the valid body with Content-Type: text/plain".into(),
    });
    for (name, v) in [
        ("body-empty-object", json!({})),
        ("body-null", Value::Null),
        ("body-array", json!([base])),
    ] {
        let (keyword, why) = if v.is_object() {
            ("required", "{} lacks the required fields")
        } else {
            ("type", "the body must be an object")
        };
        if v.is_object() && view.required.is_empty() {
            continue;
        }
        out.push(BodyCandidate {
            name: name.into(),
            family: "body",
            input: BodyInput::Json(v),
            breaks: Breaks::Keyword {
                keyword: keyword.into(),
                at: String::new(),
            },
            why: why.into(),
        });
    }
    for field in view.required_for(base) {
        if let Some(obj) = base.as_object() {
            let mut b = obj.clone();
            if b.remove(&field).is_some() {
                out.push(BodyCandidate {
                    name: format!("missing-{field}"),
                    family: "missing",
                    input: BodyInput::Json(Value::Object(b)),
                    breaks: Breaks::Keyword {
                        keyword: "required".into(),
                        at: String::new(),
                    },
                    why: format!("`{field}` is required and left out"),
                });
            }
        }
    }
    let names: Vec<String> = base
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for name in names {
        let Some(field) = view.field_for(&name, base) else {
            continue;
        };
        out.extend(field_candidates(
            &name,
            &field,
            base,
            sibling_enums.get(&name),
        ));
    }
    for (label, branch) in branch_bases {
        for c in view.active(branch) {
            for field in &c.required {
                let Some(obj) = branch.as_object() else {
                    continue;
                };
                let mut b = obj.clone();
                if b.remove(field).is_some() {
                    out.push(BodyCandidate {
                        name: format!("conditional-{label}-missing-{field}"),
                        family: "conditional",
                        input: BodyInput::Json(Value::Object(b)),
                        breaks: Breaks::Keyword {
                            keyword: "required".into(),
                            at: String::new(),
                        },
                        why: format!(
                            "`{field}` is required when {} is {} and left out",
                            c.discriminator, c.value
                        ),
                    });
                }
            }
        }
    }
    out
}

fn with(base: &Value, field: &str, value: Value) -> BodyInput {
    let mut b = base.clone();
    if let Some(o) = b.as_object_mut() {
        o.insert(field.to_string(), value);
    }
    BodyInput::Json(b)
}

fn field_candidates(
    name: &str,
    field: &FieldView,
    base: &Value,
    siblings: Option<&Vec<Value>>,
) -> Vec<BodyCandidate> {
    let mut out = Vec::new();
    let at = format!("/{}", name.replace('~', "~0").replace('/', "~1"));
    let kw = |k: &str| Breaks::Keyword {
        keyword: k.to_string(),
        at: at.clone(),
    };
    let accepted = field.accepted_types();
    if !accepted.is_empty() {
        for (ty, sample) in samples() {
            let ok = accepted.contains(&ty) || (ty == "integer" && accepted.contains(&"number"));
            if ok {
                continue;
            }
            // enum/const fields refuse a wrong type through enum/const, typed ones through type.
            let keyword = if field.types.is_empty() && field.any_of.is_empty() {
                if field.constant.is_some() {
                    "const"
                } else {
                    "enum"
                }
            } else if field.types.is_empty() {
                "anyOf"
            } else {
                "type"
            };
            out.push(BodyCandidate {
                name: format!("{name}-wrong-type-{ty}"),
                family: "wrong-type",
                input: with(base, name, sample.clone()),
                breaks: kw(keyword),
                why: format!(
                    "`{name}` given as {ty} {sample}; the schema allows {}",
                    accepted.join("|")
                ),
            });
        }
    }
    let is_string = accepted.contains(&"string");
    if let Some(options) = &field.enumeration {
        if is_string {
            out.push(BodyCandidate {
                name: format!("{name}-enum-outside"),
                family: "enum",
                input: with(base, name, json!("fax")),
                breaks: kw("enum"),
                why: format!(
                    "`{name}` = \"fax\", not one of {}",
                    Value::Array(options.clone())
                ),
            });
            if let Some(first) = options.iter().find_map(Value::as_str) {
                let upper = first.to_uppercase();
                if upper != first && !options.contains(&json!(upper)) {
                    out.push(BodyCandidate {
                        name: format!("{name}-enum-wrong-case"),
                        family: "case",
                        input: with(base, name, json!(upper)),
                        breaks: kw("enum"),
                        why: format!("`{name}` = {upper:?}: enum values are case-sensitive"),
                    });
                }
            }
        }
        for v in siblings.into_iter().flatten() {
            if !options.contains(v) && json_type(v) == "string" {
                let text = v.as_str().unwrap_or_default();
                out.push(BodyCandidate {
                    name: format!("{name}-enum-sibling-{text}"),
                    family: "enum",
                    input: with(base, name, v.clone()),
                    breaks: kw("enum"),
                    why: format!(
                        "`{name}` = {v}, which another endpoint allows but this one does not ({})",
                        Value::Array(options.clone())
                    ),
                });
            }
        }
    }
    if is_string && field.enumeration.is_none() && field.constant.is_none() {
        out.extend(string_candidates(name, field, base, &at));
    }
    if accepted.iter().any(|t| *t == "integer" || *t == "number") {
        if let Some(min) = field.minimum {
            out.push(BodyCandidate {
                name: format!("{name}-below-minimum"),
                family: "bounds",
                input: with(base, name, json!(min as i64 - 1)),
                breaks: kw("minimum"),
                why: format!("`{name}` below its minimum {min}"),
            });
        }
        if let Some(max) = field.maximum {
            out.push(BodyCandidate {
                name: format!("{name}-above-maximum"),
                family: "bounds",
                input: with(base, name, json!(max as i64 + 1)),
                breaks: kw("maximum"),
                why: format!("`{name}` above its maximum {max}"),
            });
        }
    }
    out
}

fn string_candidates(name: &str, field: &FieldView, base: &Value, at: &str) -> Vec<BodyCandidate> {
    let mut out = Vec::new();
    let kw = |k: &str| Breaks::Keyword {
        keyword: k.to_string(),
        at: at.to_string(),
    };
    // Strings that break a format, per format.
    let broken_format: Option<&str> = match field.format.as_deref() {
        Some("email") => Some("not-an-email"),
        Some("date") => Some("2024-13-45"),
        Some("date-time") => Some("yesterday at noon"),
        Some("uuid") => Some("not-a-uuid"),
        Some("uri") => Some("not a uri"),
        _ => None,
    };
    if let Some(bad) = broken_format {
        out.push(BodyCandidate {
            name: format!("{name}-bad-format"),
            family: "format",
            input: with(base, name, json!(bad)),
            breaks: kw("format"),
            why: format!(
                "`{name}` = {bad:?} is not a valid {}",
                field.format.as_deref().unwrap_or("")
            ),
        });
    }
    for alt in &field.any_of {
        if let Some(f) = alt.format.as_deref() {
            if f == "date" {
                out.push(BodyCandidate {
                    name: format!("{name}-bad-date"),
                    family: "format",
                    input: with(base, name, json!("15-05-1990")),
                    breaks: kw("anyOf"),
                    why: format!(
                        "`{name}` = \"15-05-1990\" is neither YYYY-MM-DD nor an allowed literal"
                    ),
                });
            }
        }
    }
    if let Some(p) = &field.pattern {
        if let Ok(re) = regex::Regex::new(p) {
            let tries = ["conform!", "abc", "12", "+", "0000000000000000000000", " "];
            if let Some(bad) = tries
                .iter()
                .find(|t| !re.is_match(t) && length_fits(field, t))
            {
                out.push(BodyCandidate {
                    name: format!("{name}-pattern"),
                    family: "pattern",
                    input: with(base, name, json!(bad)),
                    breaks: kw("pattern"),
                    why: format!("`{name}` = {bad:?} does not match {p}"),
                });
            }
        }
    }
    if let Some(max) = field.max_length {
        let current = base.get(name).and_then(Value::as_str).unwrap_or("a");
        let fill = current.chars().next().unwrap_or('a');
        let long: String = std::iter::repeat_n(fill, max as usize + 1).collect();
        out.push(BodyCandidate {
            name: format!("{name}-too-long"),
            family: "length",
            input: with(base, name, json!(long)),
            breaks: kw("maxLength"),
            why: format!("`{name}` is {} characters; maxLength is {max}", max + 1),
        });
    }
    if let Some(min) = field.min_length.filter(|m| *m >= 1) {
        let short: String = std::iter::repeat_n('a', min as usize - 1).collect();
        out.push(BodyCandidate {
            name: format!("{name}-too-short"),
            family: "length",
            input: with(base, name, json!(short)),
            breaks: kw("minLength"),
            why: format!("`{name}` is {} characters; minLength is {min}", min - 1),
        });
    }
    out
}

fn length_fits(field: &FieldView, s: &str) -> bool {
    let n = s.chars().count() as u64;
    field.min_length.is_none_or(|m| n >= m) && field.max_length.is_none_or(|m| n <= m)
}

/// Raw path/query values that break a parameter's schema, with the keyword each breaks
/// (`None` = a document rule no schema states, e.g. percent-encoding).
pub fn param_values(field: &FieldView, valid: &str) -> Vec<(String, String, Option<&'static str>)> {
    let mut out: Vec<(String, String, Option<&'static str>)> = Vec::new();
    let accepted = field.accepted_types();
    if accepted.contains(&"integer") {
        if let Some(min) = field.minimum {
            let min = min as i64;
            out.push((
                "below-minimum".into(),
                (min - 1).to_string(),
                Some("minimum"),
            ));
            if min - 1 != 0 && min > 0 {
                out.push(("zero".into(), "0".into(), Some("minimum")));
            }
            out.push(("negative".into(), "-1".into(), Some("minimum")));
        }
        if let Some(max) = field.maximum {
            let max = max as i64;
            out.push((
                "above-maximum".into(),
                (max + 1).to_string(),
                Some("maximum"),
            ));
            out.push((
                "far-above-maximum".into(),
                "9999999999".into(),
                Some("maximum"),
            ));
        }
        out.push(("fraction".into(), "1.5".into(), Some("type")));
        out.push(("letters".into(), "abc".into(), Some("type")));
        out.push(("empty".into(), String::new(), Some("type")));
        let encoded: String = valid.bytes().map(|b| format!("%{b:02X}")).collect();
        out.push(("percent-encoded".into(), encoded, None));
    } else if accepted.contains(&"string") {
        if let Some(max) = field.max_length {
            out.push((
                "too-long".into(),
                "a".repeat(max as usize + 1),
                Some("maxLength"),
            ));
        }
        if field.pattern.is_some() {
            out.push(("markup".into(), "web<script>".into(), Some("pattern")));
            out.push(("non-ascii".into(), "wéb".into(), Some("pattern")));
            out.push(("empty".into(), String::new(), Some("pattern")));
        }
        if let Some(min) = field.min_length.filter(|m| *m >= 1) {
            out.push((
                "too-short".into(),
                "a".repeat(min as usize - 1),
                Some("minLength"),
            ));
        }
    }
    out
}

/// Raw values at the edges of a parameter's range that must not be refused as malformed.
pub fn param_boundaries(field: &FieldView) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if field.accepted_types().contains(&"integer") {
        if let Some(min) = field.minimum {
            out.push(("minimum".into(), (min as i64).to_string()));
        }
        if let Some(max) = field.maximum {
            out.push(("maximum".into(), (max as i64).to_string()));
        }
    }
    out
}

/// The JSON value a raw path/query text stands for, for schema validation: a number if it
/// parses as one, else the string.
pub fn param_as_json(raw: &str) -> Value {
    match serde_json::from_str::<Value>(raw) {
        Ok(v @ Value::Number(_)) => v,
        _ => Value::String(raw.to_string()),
    }
}
