//! The body of `POST /profile` and `POST /profile/2fa`, validated and sanitized.
//!
//! Why sanitizing lives with parsing: the document says names "will be sanitized", so what
//! is stored (and echoed back) must never carry markup, whatever was sent.
//!
//! Lenient mode keeps what the document states (every field required and a string, the
//! `YYYY-MM-DD`/`0000-00-00` birthdate, `is_two_fa` a boolean, sanitizing) and drops what
//! decisions.md adds: the name and email lengths, the gender enum and the telephone pattern.

use serde_json::Value;

use crate::server::clock;
use crate::server::validate::{self, Fields, Invalid};

/// Literal that means "leave the birthdate as it is".
pub(crate) const SKIP_BIRTHDATE: &str = "0000-00-00";

/// The rule-bending faults that parsing honours, and the mode.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ParseRules {
    /// Lenient mode: no length limits, any gender string, a looser telephone.
    pub(crate) lenient: bool,
    pub(crate) accept_non_string_names: bool,
    pub(crate) refuse_female: bool,
    pub(crate) gender_case_insensitive: bool,
    pub(crate) keep_markup: bool,
    pub(crate) any_birthdate: bool,
}

/// A validated profile update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Update {
    /// `None` when nothing was left after sanitizing (the old name is kept).
    pub(crate) firstname: Option<String>,
    pub(crate) lastname: Option<String>,
    pub(crate) gender: String,
    pub(crate) birthdate: String,
    pub(crate) telephone: String,
    pub(crate) email: Option<String>,
    /// Only in `/profile/2fa` bodies.
    pub(crate) is_two_fa: Option<bool>,
}

fn name(
    fields: Fields<'_>,
    field: &'static str,
    rules: ParseRules,
) -> Result<Option<String>, Invalid> {
    let raw = match fields.get(field) {
        Some(Value::Number(n)) if rules.accept_non_string_names => n.to_string(),
        Some(Value::Bool(b)) if rules.accept_non_string_names => b.to_string(),
        _ => fields.string(field)?.to_string(),
    };
    if !rules.lenient {
        validate::length(field, &raw, 1, Some(100))?;
    }
    let stored = if rules.keep_markup {
        raw
    } else {
        sanitize(&raw)
    };
    Ok((!stored.is_empty()).then_some(stored))
}

/// Parses an update body; `two_fa` requires `is_two_fa` as well.
pub(crate) fn parse(
    fields: Fields<'_>,
    two_fa: bool,
    rules: ParseRules,
) -> Result<Update, Invalid> {
    let firstname = name(fields, "firstname", rules)?;
    let lastname = name(fields, "lastname", rules)?;

    let gender = fields.string("gender")?;
    let gender = if rules.gender_case_insensitive {
        gender.to_lowercase()
    } else {
        gender.to_string()
    };
    if !rules.lenient {
        validate::one_of("gender", &gender, &["male", "female", "other"])?;
    }
    if rules.refuse_female && gender == "female" {
        return Err(Invalid::new("gender", "is not accepted"));
    }

    let birthdate = fields.string("birthdate")?;
    if birthdate != SKIP_BIRTHDATE && !clock::is_full_date(birthdate) && !rules.any_birthdate {
        return Err(Invalid::new(
            "birthdate",
            "must be a YYYY-MM-DD date or 0000-00-00",
        ));
    }

    let telephone = fields.string("telephone")?;
    self::telephone("telephone", telephone, rules.lenient)?;

    let email = fields.optional_string("email")?;
    if let Some(email) = email {
        validate::email("email", email, !rules.lenient)?;
    }

    let is_two_fa = if two_fa {
        Some(fields.boolean("is_two_fa")?)
    } else {
        None
    };

    Ok(Update {
        firstname,
        lastname,
        gender,
        birthdate: birthdate.to_string(),
        telephone: telephone.to_string(),
        email: email.map(str::to_string),
        is_two_fa,
    })
}

/// A telephone: decisions.md's `^[0-9]{7,15}$`, or in lenient mode any number written with
/// digits, an optional leading `+`, spaces and dashes (the document only says "User's phone
/// number").
pub(crate) fn telephone(field: &'static str, value: &str, lenient: bool) -> Result<(), Invalid> {
    if !lenient {
        return validate::digits(field, value, 7, 15);
    }
    let rest = value.strip_prefix('+').unwrap_or(value);
    let allowed = rest
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    if allowed && rest.chars().any(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Invalid::new(
            field,
            "must be digits, with an optional leading '+', spaces and dashes",
        ))
    }
}

/// True when two telephones are the same number: spaces and dashes are only how a lenient
/// caller wrote it (strict telephones have neither, so this is plain equality there).
pub(crate) fn same_telephone(a: &str, b: &str) -> bool {
    let digits = |text: &str| {
        text.chars()
            .filter(|c| *c != ' ' && *c != '-')
            .collect::<String>()
    };
    a == b || digits(a) == digits(b)
}

/// Removes `<script>`/`<style>` elements with their content, every other tag, and any
/// stray `<` or `>`, then trims.
pub(crate) fn sanitize(input: &str) -> String {
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` are valid in
    // `input` (and always on char boundaries, since the patterns are ASCII).
    let lower = input.to_ascii_lowercase();
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    while let Some(c) = input.get(at..).and_then(|rest| rest.chars().next()) {
        let rest = lower.get(at..).unwrap_or("");
        let block_end = ["script", "style"].iter().find_map(|element| {
            if !rest.starts_with(&format!("<{element}")) {
                return None;
            }
            let close = format!("</{element}");
            Some(match rest.find(&close) {
                Some(pos) => match rest[pos..].find('>') {
                    Some(gt) => at + pos + gt + 1,
                    None => input.len(),
                },
                None => input.len(),
            })
        });
        if let Some(end) = block_end {
            at = end;
            continue;
        }
        match c {
            '<' => {
                at += match rest.find('>') {
                    Some(gt) => gt + 1,
                    None => 1,
                };
            }
            '>' => at += 1,
            c => {
                out.push(c);
                at += c.len_utf8();
            }
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde_json::json;

    #[test]
    fn sanitizes() {
        assert_eq!(sanitize("John"), "John");
        assert_eq!(sanitize("  <b>John</b> "), "John");
        assert_eq!(sanitize("<script>alert(1)</script>Jo"), "Jo");
        assert_eq!(sanitize("<SCRIPT src=x>alert(1)</SCRIPT >Jo<i>hn"), "John");
        assert_eq!(sanitize("a < b > c"), "a  c");
        assert_eq!(sanitize("<img src=x onerror=alert(1)>Zoë"), "Zoë");
        assert_eq!(sanitize("unclosed <b"), "unclosed b");
        assert_eq!(sanitize("<script>never closed"), "");
        assert_eq!(sanitize("İstanbul<br/>"), "İstanbul");
        for input in ["<<>>", "<a<b>>c", "x<", ">x", "<style>p{}</style>ok"] {
            let out = sanitize(input);
            assert!(!out.contains('<') && !out.contains('>'), "{input} -> {out}");
        }
    }

    fn body(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn parses_the_documented_example() {
        let map = body(json!({
            "firstname": "John", "lastname": "Doe", "gender": "male",
            "birthdate": "1990-05-15", "telephone": "9876543210", "is_two_fa": true
        }));
        let update = parse(Fields::new(&map), true, ParseRules::default()).unwrap();
        assert_eq!(update.firstname.as_deref(), Some("John"));
        assert_eq!(update.is_two_fa, Some(true));
        let missing = body(json!({"firstname": "John"}));
        assert!(parse(Fields::new(&missing), false, ParseRules::default()).is_err());
    }

    #[test]
    fn rules() {
        let base = json!({
            "firstname": "John", "lastname": "Doe", "gender": "male",
            "birthdate": "1990-05-15", "telephone": "9876543210"
        });
        let with = |key: &str, value: Value| {
            let mut map = body(base.clone());
            map.insert(key.to_string(), value);
            map
        };
        let strict = ParseRules::default();
        for (key, value) in [
            ("gender", json!("MALE")),
            ("gender", json!("unknown")),
            ("birthdate", json!("1990-02-30")),
            ("birthdate", json!("15/05/1990")),
            ("telephone", json!("+9876543210")),
            ("telephone", json!("123456")),
            ("telephone", json!(9876543210u64)),
            ("firstname", json!("")),
            ("firstname", json!("x".repeat(101))),
            ("firstname", json!(42)),
            ("email", json!("nope")),
            ("email", json!(null)),
        ] {
            assert!(
                parse(Fields::new(&with(key, value.clone())), false, strict).is_err(),
                "{key}={value}"
            );
        }
        assert!(parse(
            Fields::new(&with("birthdate", json!("0000-00-00"))),
            false,
            strict
        )
        .is_ok());
        let lax = ParseRules {
            accept_non_string_names: true,
            gender_case_insensitive: true,
            ..strict
        };
        let update = parse(Fields::new(&with("firstname", json!(42))), false, lax).unwrap();
        assert_eq!(update.firstname.as_deref(), Some("42"));
        let update = parse(Fields::new(&with("gender", json!("MALE"))), false, lax).unwrap();
        assert_eq!(update.gender, "male");
    }

    #[test]
    fn lenient_rules() {
        let base = json!({
            "firstname": "John", "lastname": "Doe", "gender": "male",
            "birthdate": "1990-05-15", "telephone": "9876543210"
        });
        let with = |key: &str, value: Value| {
            let mut map = body(base.clone());
            map.insert(key.to_string(), value);
            map
        };
        let lenient = ParseRules {
            lenient: true,
            ..ParseRules::default()
        };
        for (key, value) in [
            ("gender", json!("fax")),
            ("gender", json!("MALE")),
            ("firstname", json!("x".repeat(101))),
            ("telephone", json!("+91 98765-43210")),
            ("telephone", json!("1")),
            ("email", json!(format!("{}@example.com", "a".repeat(250)))),
        ] {
            let update = parse(Fields::new(&with(key, value.clone())), false, lenient);
            assert!(update.is_ok(), "{key}={value}");
        }
        let update = parse(Fields::new(&with("gender", json!("MALE"))), false, lenient).unwrap();
        assert_eq!(update.gender, "MALE");
        for (key, value) in [
            ("telephone", json!("+")),
            ("telephone", json!("98 76a")),
            ("telephone", json!("9++1")),
            ("telephone", json!(9876543210u64)),
            ("gender", json!(1)),
            ("firstname", json!(42)),
            ("birthdate", json!("1990-02-30")),
            ("email", json!("nope")),
        ] {
            let update = parse(Fields::new(&with(key, value.clone())), false, lenient);
            assert!(update.is_err(), "{key}={value}");
        }
        assert!(same_telephone("+91 98765-43210", "+919876543210"));
        assert!(!same_telephone("+919876543210", "919876543210"));
    }
}
