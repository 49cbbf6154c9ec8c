//! `${name}` templates in suite values: the one place where config variables and values captured
//! from earlier responses enter requests.
//!
//! A string that is exactly `${name}` becomes the variable's JSON value (numbers stay numbers);
//! `${name|bool}` turns 0/1 into false/true and `${name|string}` renders any value as a string.
//! Inside a longer string a variable is rendered as text.

use std::collections::BTreeMap;

use serde_json::Value;

/// Variables by name.
pub type Vars = BTreeMap<String, Value>;

/// A template referenced a variable that has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value for variable `{0}`")]
pub struct MissingVar(pub String);

/// Every variable name a value refers to, in order of appearance.
pub fn references(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_strings(value, &mut |s| {
        for (expr, _) in placeholders(s) {
            out.push(name_of(expr).to_string());
        }
    });
    out
}

/// Substitutes every `${...}` in `value`.
pub fn render(value: &Value, vars: &Vars) -> Result<Value, MissingVar> {
    Ok(match value {
        Value::String(s) => render_str(s, vars)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render(v, vars)?)))
                .collect::<Result<_, MissingVar>>()?,
        ),
        other => other.clone(),
    })
}

/// Renders a value as the text that goes into a URL or header.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render_str(s: &str, vars: &Vars) -> Result<Value, MissingVar> {
    let found = placeholders(s);
    if let [(expr, range)] = found.as_slice() {
        if range.start == 0 && range.end == s.len() {
            return lookup(expr, vars);
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (expr, range) in found {
        out.push_str(&s[last..range.start]);
        out.push_str(&as_text(&lookup(expr, vars)?));
        last = range.end;
    }
    out.push_str(&s[last..]);
    Ok(Value::String(out))
}

fn lookup(expr: &str, vars: &Vars) -> Result<Value, MissingVar> {
    let (name, filter) = match expr.split_once('|') {
        Some((n, f)) => (n.trim(), Some(f.trim())),
        None => (expr.trim(), None),
    };
    let mut parts = name.split('.');
    let mut value = parts
        .next()
        .and_then(|root| vars.get(root))
        .cloned()
        .ok_or_else(|| MissingVar(name.to_string()))?;
    for part in parts {
        let next = match &value {
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) => map.get(part),
            _ => None,
        };
        value = next.cloned().ok_or_else(|| MissingVar(name.to_string()))?;
    }
    Ok(match filter {
        Some("bool") => match &value {
            Value::Number(n) => Value::Bool(n.as_f64().is_some_and(|f| f != 0.0)),
            Value::String(s) => Value::Bool(matches!(s.as_str(), "1" | "true")),
            other => other.clone(),
        },
        Some("string") => Value::String(as_text(&value)),
        _ => value,
    })
}

/// `(expression, byte range of "${...}")` for each well-formed placeholder of `s`.
fn placeholders(s: &str) -> Vec<(&str, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = s[from..].find("${").map(|i| i + from) {
        let Some(end) = s[start..].find('}').map(|i| i + start) else {
            break;
        };
        let expr = &s[start + 2..end];
        let path = expr.split('|').next().unwrap_or("").trim();
        if is_name(name_of(expr)) && path.split('.').all(is_name) {
            out.push((expr, start..end + 1));
        }
        from = end + 1;
    }
    out
}

/// The variable an expression reads: `user_ids` for `user_ids.0|string`.
fn name_of(expr: &str) -> &str {
    let path = expr.split('|').next().unwrap_or("").trim();
    path.split('.').next().unwrap_or(path)
}

fn is_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn walk_strings(value: &Value, f: &mut dyn FnMut(&str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| walk_strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| walk_strings(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("id".into(), json!(1001));
        v.insert("flag".into(), json!(1));
        v.insert("name".into(), json!("Ada"));
        v.insert("ids".into(), json!([7, 8]));
        v
    }

    #[test]
    fn whole_string_keeps_type() {
        assert_eq!(render(&json!("${id}"), &vars()).unwrap(), json!(1001));
        assert_eq!(
            render(&json!("${flag|bool}"), &vars()).unwrap(),
            json!(true)
        );
        assert_eq!(
            render(&json!("${id|string}"), &vars()).unwrap(),
            json!("1001")
        );
        assert_eq!(render(&json!("${ids.1}"), &vars()).unwrap(), json!(8));
        assert_eq!(references(&json!("${ids.1}")), vec!["ids"]);
    }

    #[test]
    fn embedded_renders_text() {
        let v = render(&json!({"a": ["x-${name}-${id}"]}), &vars()).unwrap();
        assert_eq!(v, json!({"a": ["x-Ada-1001"]}));
    }

    #[test]
    fn missing_is_named() {
        assert_eq!(
            render(&json!("${nope}"), &vars()),
            Err(MissingVar("nope".into()))
        );
        assert_eq!(references(&json!({"a": "${x} ${y|bool}"})), vec!["x", "y"]);
    }
}
