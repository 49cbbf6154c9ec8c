//! Valid values for a field, drawn from a seeded RNG: the same seed gives the same values on
//! every machine.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

use super::view::FieldView;

/// A value that should satisfy `field` (callers validate it against the real schema).
pub fn valid(field: &FieldView, rng: &mut StdRng) -> Value {
    if let Some(c) = &field.constant {
        return c.clone();
    }
    if let Some(options) = field.enumeration.as_ref().filter(|o| !o.is_empty()) {
        return options[rng.random_range(0..options.len())].clone();
    }
    if !field.any_of.is_empty() {
        let alt = &field.any_of[rng.random_range(0..field.any_of.len())];
        return valid(alt, rng);
    }
    let ty = field
        .types
        .iter()
        .find(|t| t.as_str() != "null")
        .map(String::as_str)
        .unwrap_or("string");
    match ty {
        "boolean" => Value::Bool(rng.random()),
        "integer" => {
            let lo = field.minimum.unwrap_or(0.0).max(-1e9) as i64;
            let hi = field.maximum.unwrap_or(10_000.0).min(1e12) as i64;
            json!(rng.random_range(lo..=hi.max(lo)))
        }
        "number" => {
            let lo = field.minimum.unwrap_or(0.0);
            let hi = field.maximum.unwrap_or(10_000.0);
            let cents = rng.random_range((lo * 100.0) as i64..=(hi * 100.0) as i64);
            json!(cents as f64 / 100.0)
        }
        "object" => json!({}),
        "array" => json!([]),
        _ => Value::String(string(field, rng)),
    }
}

fn string(field: &FieldView, rng: &mut StdRng) -> String {
    match field.format.as_deref() {
        Some("email") => return format!("conform{}@example.com", rng.random_range(1000..99_999)),
        Some("date") => {
            return format!(
                "{:04}-{:02}-{:02}",
                rng.random_range(1940..2006),
                rng.random_range(1..=12),
                rng.random_range(1..=28)
            )
        }
        Some("date-time") => {
            return format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
                rng.random_range(10..30),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
                rng.random_range(0..24),
                rng.random_range(0..60)
            )
        }
        Some("uuid") => {
            let n: u128 = rng.random();
            let h = format!("{n:032x}");
            return format!(
                "{}-{}-4{}-a{}-{}",
                &h[0..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            );
        }
        Some("uri") => return format!("https://example.com/{}", rng.random_range(1..1000)),
        _ => {}
    }
    if let Some(p) = &field.pattern {
        let max_repeat = field.max_length.unwrap_or(16).min(16) as u32;
        // rand_regex generates whole strings; anchors are implied and not supported.
        let body = p.strip_prefix('^').unwrap_or(p);
        let body = body.strip_suffix('$').unwrap_or(body);
        if let Ok(gen) = rand_regex::Regex::compile(body, max_repeat) {
            for _ in 0..20 {
                let s: String = rng.sample(&gen);
                if length_ok(field, &s) {
                    return s;
                }
            }
        }
    }
    let min = field.min_length.unwrap_or(1) as usize;
    let max = (field.max_length.unwrap_or(24) as usize).clamp(min, min.max(24));
    let len = rng.random_range(min..=max);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn length_ok(field: &FieldView, s: &str) -> bool {
    let n = s.chars().count() as u64;
    field.min_length.is_none_or(|m| n >= m) && field.max_length.is_none_or(|m| n <= m)
}
