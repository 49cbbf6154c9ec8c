//! `${name}` templates in suite values: the one place where config variables and values captured
//! from earlier responses enter requests.
//!
//! A string that is exactly `${name}` becomes the variable's JSON value (numbers stay numbers).
//! `name.0` / `name.key` reach into lists and objects. Filters, chained with `|`:
//! `bool` (0/1 → false/true), `not` (negates a boolean), `string` (any value as text), `totp` (the current RFC 6238 code
//! of a base32 secret), `wrong` (a different value of the same shape: each digit shifted for a
//! code, a suffix for a password) and `after:PREFIX` (the text after a prefix that must be there).
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
    let mut parts = expr.split('|');
    let name = parts.next().unwrap_or("").trim();
    let mut path = name.split('.');
    let mut value = path
        .next()
        .and_then(|root| vars.get(root))
        .cloned()
        .ok_or_else(|| MissingVar(name.to_string()))?;
    for part in path {
        let next = match &value {
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) => map.get(part),
            _ => None,
        };
        value = next.cloned().ok_or_else(|| MissingVar(name.to_string()))?;
    }
    for filter in parts {
        value = apply_filter(filter.trim(), value)
            .map_err(|why| MissingVar(format!("{name} ({why})")))?;
    }
    Ok(value)
}

fn apply_filter(filter: &str, value: Value) -> Result<Value, String> {
    Ok(match filter {
        "bool" => match &value {
            Value::Number(n) => Value::Bool(n.as_f64().is_some_and(|f| f != 0.0)),
            Value::String(s) => Value::Bool(matches!(s.as_str(), "1" | "true")),
            other => other.clone(),
        },
        "string" => Value::String(as_text(&value)),
        "not" => match &value {
            Value::Bool(b) => Value::Bool(!b),
            other => return Err(format!("`not` needs a boolean, got {other}")),
        },
        "totp" => Value::String(totp_now(&as_text(&value))?),
        "wrong" => {
            let text = as_text(&value);
            if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
                Value::String(
                    text.chars()
                        .map(|c| char::from(b'0' + (c as u8 - b'0' + 1) % 10))
                        .collect(),
                )
            } else {
                Value::String(format!("{text}-wrong"))
            }
        }
        f if f.starts_with("after:") => {
            let prefix = &f["after:".len()..];
            let text = as_text(&value);
            match text.strip_prefix(prefix) {
                Some(rest) => Value::String(rest.to_string()),
                None => return Err(format!("{text:?} does not start with {prefix:?}")),
            }
        }
        other => return Err(format!("unknown filter `{other}`")),
    })
}

/// The current 6-digit, 30-second, SHA-1 RFC 6238 code of a base32 secret.
fn totp_now(secret: &str) -> Result<String, String> {
    let bytes = totp_rs::Secret::Encoded(secret.trim_end_matches('=').to_string())
        .to_bytes()
        .map_err(|e| format!("not a base32 secret: {e:?}"))?;
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        String::new(),
    );
    totp.generate_current().map_err(|e| e.to_string())
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

    fn with(k: &str, v: &str) -> Vars {
        Vars::from([(k.to_string(), json!(v))])
    }

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
        assert_eq!(
            render(&json!("${code|wrong}"), &with("code", "123459")).unwrap(),
            json!("234560")
        );
        assert_eq!(
            render(&json!("${name|wrong}"), &vars()).unwrap(),
            json!("Ada-wrong")
        );
        assert_eq!(
            render(&json!("${p|after:+1}"), &with("p", "+1234")).unwrap(),
            json!("234")
        );
        assert!(render(&json!("${p|after:+44}"), &with("p", "+1234")).is_err());
        let code = render(&json!("${s|totp}"), &with("s", "JBSWY3DPEHPK3PXP")).unwrap();
        assert!(code
            .as_str()
            .is_some_and(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
        assert!(render(&json!("${s|totp}"), &with("s", "not base32!")).is_err());
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
