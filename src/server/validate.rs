//! Request-field rules of decisions.md, written by hand.
//!
//! Why not the repository's JSON Schemas: the server is the independent second reading of
//! decisions.md. If it loaded the harness's schemas, a mistake there would be mirrored here
//! and the reference run could never catch it. Lengths count Unicode scalar values, as JSON
//! Schema's `minLength`/`maxLength` do; patterns and enums are case-sensitive.

use serde_json::{Map, Value};

/// One broken rule: which field, and what is wrong with it.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[error("{field}: {problem}")]
pub(crate) struct Invalid {
    pub(crate) field: &'static str,
    pub(crate) problem: String,
}

impl Invalid {
    pub(crate) fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

/// The JSON type name of a value, for messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Typed access to the members of a request object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map<String, Value>) -> Self {
        Self(map)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name)
    }

    /// A required string member.
    pub(crate) fn string(&self, name: &'static str) -> Result<&'a str, Invalid> {
        self.optional_string(name)?
            .ok_or_else(|| Invalid::new(name, "is required"))
    }

    /// An optional string member (present means it must be a string; null is not one).
    pub(crate) fn optional_string(&self, name: &'static str) -> Result<Option<&'a str>, Invalid> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(Invalid::new(
                name,
                format!("must be a string, not {}", type_name(other)),
            )),
        }
    }

    /// A required boolean member.
    pub(crate) fn boolean(&self, name: &'static str) -> Result<bool, Invalid> {
        match self.0.get(name) {
            None => Err(Invalid::new(name, "is required")),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(other) => Err(Invalid::new(
                name,
                format!("must be a boolean, not {}", type_name(other)),
            )),
        }
    }
}

/// `min..=max` characters; `max` None means no upper bound.
pub(crate) fn length(
    field: &'static str,
    value: &str,
    min: usize,
    max: Option<usize>,
) -> Result<(), Invalid> {
    let count = value.chars().count();
    if count < min {
        return Err(Invalid::new(
            field,
            format!("must be at least {min} characters long"),
        ));
    }
    match max {
        Some(max) if count > max => Err(Invalid::new(
            field,
            format!("must be at most {max} characters long"),
        )),
        _ => Ok(()),
    }
}

/// One of `allowed`, exactly (case-sensitive).
pub(crate) fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<(), Invalid> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Invalid::new(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// True for `^[0-9]{min,max}$`.
pub(crate) fn is_digits(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// `^[0-9]{min,max}$`.
pub(crate) fn digits(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), Invalid> {
    if is_digits(value, min, max) {
        Ok(())
    } else if min == max {
        Err(Invalid::new(field, format!("must be exactly {min} digits")))
    } else {
        Err(Invalid::new(
            field,
            format!("must be {min} to {max} digits"),
        ))
    }
}

/// `format: email` with `maxLength: 254`. `check_lengths` false drops every length limit
/// (the overall one and those of the local part, domain and labels).
pub(crate) fn email(field: &'static str, value: &str, check_lengths: bool) -> Result<(), Invalid> {
    if check_lengths {
        length(field, value, 0, Some(254))?;
    }
    if is_email(value, check_lengths) {
        Ok(())
    } else {
        Err(Invalid::new(field, "must be an email address"))
    }
}

/// A dot-atom local part and a hostname domain (the common subset of RFC 5321 addresses;
/// quoted local parts and address literals are refused).
pub(crate) fn is_email(value: &str, check_lengths: bool) -> bool {
    const ATEXT: &str = "!#$%&'*+-/=?^_`{|}~";
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && (!check_lengths || local.len() <= 64)
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ATEXT.contains(c))
        });
    let domain_ok = !domain.is_empty()
        && (!check_lengths || domain.len() <= 253)
        && domain.split('.').all(|label| {
            !label.is_empty()
                && (!check_lengths || label.len() <= 63)
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails() {
        for good in [
            "john.doe@example.com",
            "a@b",
            "x+tag@sub.example.org",
            "guest.1@temp.tss.invalid",
        ] {
            assert!(is_email(good, true), "{good}");
        }
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@example..com",
            "a b@example.com",
            "a@exa_mple.com",
            "\"q\"@example.com",
            "ü@example.com",
        ] {
            assert!(!is_email(bad, true), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(!is_email(&long, true));
        assert!(is_email(&long, false));
        assert!(email("email", &long, true).is_err());
        assert!(email("email", &long, false).is_ok());
    }

    #[test]
    fn fields_and_rules() {
        let map = json!({"s": "abc", "n": 1, "b": true, "z": null});
        let Value::Object(map) = map else {
            unreachable!()
        };
        let fields = Fields::new(&map);
        assert_eq!(fields.string("s").unwrap(), "abc");
        assert!(fields.string("n").is_err());
        assert!(fields.string("z").is_err());
        assert!(fields.string("missing").is_err());
        assert_eq!(fields.optional_string("missing").unwrap(), None);
        assert!(fields.boolean("b").unwrap());
        assert!(fields.boolean("s").is_err());
        assert!(length("f", "ééé", 1, Some(3)).is_ok());
        assert!(length("f", "éééé", 1, Some(3)).is_err());
        assert!(length("f", "", 1, None).is_err());
        assert!(one_of("f", "sms", &["sms", "email"]).is_ok());
        assert!(one_of("f", "SMS", &["sms", "email"]).is_err());
        assert!(is_digits("123456", 6, 6));
        assert!(!is_digits("12345a", 6, 6));
        assert!(!is_digits("１２３４５６", 6, 6));
    }
}
