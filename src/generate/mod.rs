//! Cases generated from the request schemas: invalid bodies and parameters that must be refused
//! (negative), edge values that must not be refused as malformed (boundary), and seeded valid
//! bodies that must be accepted (positive).
//!
//! Nothing is sent that the request schema itself does not judge as the case claims: a negative
//! body must break exactly the keyword at the path its case names, a positive body must be valid.
//! Candidates that fail that test are dropped and counted, never run.

pub mod negative;
pub mod values;
pub mod view;

use std::collections::BTreeMap;

use crate::case_kind::CaseKind;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::checks::{Expectation, Expected};
use crate::contract::{Contract, EndpointSpec, ParamLocation};
pub use negative::BodyInput;
use negative::Breaks;
use view::Resolver;

/// Generation settings: `--seed` and `--max-cases`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateOptions {
    pub seed: u64,
    /// Property-based valid bodies per endpoint.
    pub max_cases: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            seed: 1,
            max_cases: 4,
        }
    }
}

/// One generated request for an endpoint.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Negative, boundary or positive.
    pub kind: CaseKind,
    /// Family within the kind (missing, wrong-type, pattern, ...).
    pub family: &'static str,
    /// Name unique within the endpoint.
    pub name: String,
    /// What was sent and why it is (in)valid, in one line.
    pub description: String,
    /// Document clause of the rule.
    pub doc: String,
    /// The body to send (`None`: the endpoint's example body, or none).
    pub body: Option<BodyInput>,
    /// Raw parameter values replacing the example's.
    pub params: BTreeMap<String, String>,
    /// What the target must answer (stated) and what the contract reads into it (decided).
    pub expected: Expectation,
}

/// Why a generated body that the schema calls valid may be refused by a correct target.
pub const POSITIVE_DECIDED: &str =
    "a generated body that the schema calls valid: whether a target \
     accepts it may depend on its state, so only the document's example and the configured \
     fixtures must be accepted";
/// Why a JSON body sent with another media type may be accepted.
pub const MEDIA_TYPE_DECIDED: &str = "the document's examples send JSON with `Content-Type: \
     application/json`; it does not say that a server refuses another media type";
/// Why an edge id that may be unknown is expected to answer success or 404.
pub const BOUNDARY_DECIDED: &str = "the document gives the valid range but names no status for a \
     valid id with no user; 404 is the contract's reading";
/// Separates two quotes of one rule (the rule broken, the status it gets).
pub const QUOTE_SEPARATOR: &str = " \u{2026} ";

/// What invalid input must get: the stated refusal (any 4xx, or the codes the document
/// names), the rule's clause and the document's words for it.
fn refusal(contract: &Contract, clause: &str, rule_quote: Option<String>) -> Expectation {
    let n = &contract.suite.negative;
    let any_4xx = Expected::classes(&[4]);
    if n.status.is_empty() {
        return Expectation::stated(any_4xx, clause.to_string(), rule_quote);
    }
    let codes = Expected::codes(n.status.clone());
    match &n.decided {
        Some(reason) => {
            Expectation::stated(any_4xx, clause.to_string(), rule_quote).narrowed(codes, reason)
        }
        None => {
            let quote = match (rule_quote, &n.quote) {
                (Some(r), Some(q)) => Some(format!("{r}{QUOTE_SEPARATOR}{q}")),
                (r, q) => r.or(q.clone()),
            };
            Expectation::stated(codes, clause.to_string(), quote)
        }
    }
}

/// A refusal that only the contract's own rule asks for: nothing is stated, the refusal
/// advises.
fn decided_refusal(contract: &Contract, clause: &str, reason: String) -> Expectation {
    let narrow = refusal(contract, clause, None).narrowest().clone();
    Expectation::stated(Expected::any(), clause.to_string(), None).narrowed(narrow, &reason)
}

/// The expectation of a generated negative: stated when the stated copy of the schema also
/// refuses `value` (the document's rule is broken), else decided with the keyword's reason.
fn negative_expectation(
    contract: &Contract,
    file: &str,
    value: &Value,
    at: &str,
    keyword: &str,
    clause: &str,
) -> Expectation {
    if contract.schemas.validate_stated(file, value).is_err() {
        let quote = contract
            .schemas
            .quote_at(file, at)
            .or_else(|| contract.schemas.quote_at(file, ""));
        refusal(contract, clause, quote)
    } else {
        let reason = contract
            .schemas
            .decision_at(file, at, keyword)
            .unwrap_or_else(|| {
                format!("keyword `{keyword}` is the contract's reading, not the document's")
            });
        decided_refusal(contract, clause, reason)
    }
}

/// Candidates dropped because the schema did not judge them as their case claimed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    pub names: Vec<String>,
}

/// Everything generated for one endpoint.
pub fn for_endpoint(
    contract: &Contract,
    endpoint: &EndpointSpec,
    base_body: Option<&Value>,
    base_params: &BTreeMap<String, String>,
    opts: GenerateOptions,
) -> (Vec<Generated>, Dropped) {
    let mut out = Vec::new();
    let mut dropped = Dropped::default();
    let resolver = Resolver::new(&contract.schemas);
    if let (Some(file), Some(base)) = (&endpoint.body, base_body) {
        let doc = schema_doc(contract, file, &endpoint.doc);
        if let Some(view) = resolver.object(file) {
            let siblings = sibling_enums(contract, &resolver, file);
            let branch_bases = branch_bases(contract, file, &view, base, opts.seed);
            for c in negative::bodies(&view, base, &siblings, &branch_bases) {
                if judged_as_claimed(contract, file, &c.input, &c.breaks) {
                    let expected = body_expectation(contract, file, &c.input, &c.breaks, &doc);
                    out.push(Generated {
                        kind: CaseKind::Negative,
                        family: c.family,
                        name: c.name,
                        description: format!("{}: {}", c.why, breaks_text(&c.breaks)),
                        doc: doc.clone(),
                        body: Some(c.input),
                        params: BTreeMap::new(),
                        expected,
                    });
                } else {
                    dropped.names.push(c.name);
                }
            }
            if endpoint.generate.positive {
                out.extend(positives(
                    contract,
                    endpoint,
                    file,
                    &view,
                    base,
                    &doc,
                    opts,
                    &mut dropped,
                ));
            }
        }
    }
    for p in &endpoint.params {
        let Some(field) = resolver.field(&p.schema) else {
            continue;
        };
        let doc = schema_doc(contract, &p.schema, &p.doc);
        let valid = base_params.get(&p.name).cloned().unwrap_or_default();
        for (name, raw, keyword) in negative::param_values(&field, &valid) {
            let (claim, expected) = match keyword {
                Some(k) => {
                    let v = negative::param_as_json(&raw);
                    let ok = contract
                        .schemas
                        .validate(&p.schema, &v)
                        .err()
                        .is_some_and(|vs| vs.iter().any(|x| keyword_is(&x.schema_path, k)));
                    if !ok {
                        dropped.names.push(format!("{}-{name}", p.name));
                        continue;
                    }
                    (
                        format!("keyword `{k}` of {}", p.schema),
                        negative_expectation(contract, &p.schema, &v, "", k, &doc),
                    )
                }
                None => (
                    "the document: provide a concrete numeric id; do not percent-encode".into(),
                    refusal(contract, &doc, p.quote.clone()),
                ),
            };
            let location = p.location.as_str();
            // A header or cookie value must be one HTTP can carry (visible ASCII, spaces).
            if matches!(p.location, ParamLocation::Header | ParamLocation::Cookie)
                && !raw.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
            {
                dropped.names.push(format!("{}-{name}", p.name));
                continue;
            }
            out.push(Generated {
                kind: CaseKind::Negative,
                family: "param",
                name: format!("{}-{name}", p.name),
                description: format!("{location} parameter `{}` = {raw:?} breaks {claim}", p.name),
                doc: doc.clone(),
                body: None,
                params: BTreeMap::from([(p.name.clone(), raw)]),
                expected,
            });
        }
        for (name, raw) in negative::param_boundaries(&field) {
            let v = negative::param_as_json(&raw);
            if contract.schemas.validate(&p.schema, &v).is_err() {
                dropped.names.push(format!("{}-{name}", p.name));
                continue;
            }
            let mut narrow = success_expectation(contract, endpoint).narrowest().clone();
            narrow.codes.push(404);
            let quote = contract
                .schemas
                .quote_at(&p.schema, "")
                .or_else(|| p.quote.clone());
            let expected = Expectation::stated(Expected::classes(&[2, 4]), doc.clone(), quote)
                .narrowed(narrow, BOUNDARY_DECIDED);
            out.push(Generated {
                kind: CaseKind::Boundary,
                family: "param",
                name: format!("{}-{name}", p.name),
                description: format!(
                    "`{}` = {raw} is at the edge of the valid range: it may be unknown, never malformed",
                    p.name
                ),
                doc: doc.clone(),
                body: None,
                params: BTreeMap::from([(p.name.clone(), raw)]),
                expected,
            });
        }
    }
    (out, dropped)
}

#[allow(clippy::too_many_arguments)]
fn positives(
    contract: &Contract,
    endpoint: &EndpointSpec,
    file: &str,
    view: &view::ObjectView,
    base: &Value,
    doc: &str,
    opts: GenerateOptions,
    dropped: &mut Dropped,
) -> Vec<Generated> {
    let mut out = Vec::new();
    let Some(base_obj) = base.as_object() else {
        return out;
    };
    for i in 0..opts.max_cases {
        let mut rng =
            StdRng::seed_from_u64(seed_for(opts.seed, &contract.suite.name, &endpoint.id, i));
        let kept: serde_json::Map<String, Value> = endpoint
            .generate
            .fixed
            .iter()
            .filter_map(|name| Some((name.clone(), base_obj.get(name)?.clone())))
            .collect();
        let found = valid_body(&contract.schemas, file, view, &kept, true, &mut rng);
        match found {
            Some(body) => out.push(Generated {
                kind: CaseKind::Positive,
                family: "valid",
                name: format!("{i}"),
                description: format!("a valid body (seed {}, #{i}) must be accepted", opts.seed),
                doc: doc.to_string(),
                body: Some(BodyInput::Json(body)),
                params: BTreeMap::new(),
                expected: Expectation::stated(
                    Expected::classes(&[2, 4]),
                    doc.to_string(),
                    contract.schemas.quote_at(file, ""),
                )
                .narrowed(
                    success_expectation(contract, endpoint).narrowest().clone(),
                    POSITIVE_DECIDED,
                ),
            }),
            None => dropped.names.push(format!("positive-{i}")),
        }
    }
    out
}

/// A body the schema `file` accepts, drawn from `rng`: the fields in `kept` as given, every
/// required field (conditional branches included) generated, and, when `optional`, each other
/// field with even odds. `None` when 20 draws give no valid body.
pub fn valid_body(
    schemas: &crate::contract::SchemaSet,
    file: &str,
    view: &view::ObjectView,
    kept: &serde_json::Map<String, Value>,
    optional: bool,
    rng: &mut StdRng,
) -> Option<Value> {
    for _ in 0..20 {
        let mut body = serde_json::Map::new();
        // Discriminators first, so conditional branches see them.
        let mut names: Vec<&String> = view.properties.keys().collect();
        names.sort_by_key(|n| !view.conditionals.iter().any(|c| &c.discriminator == *n));
        for name in names {
            if let Some(v) = kept.get(name) {
                body.insert(name.clone(), v.clone());
                continue;
            }
            let current = Value::Object(body.clone());
            let required = view.required_for(&current).contains(name);
            if !required && (!optional || !rng.random_bool(0.5)) {
                continue;
            }
            if let Some(field) = view.field_for(name, &current) {
                body.insert(name.clone(), values::valid(&field, rng));
            }
        }
        // Fields only a conditional branch declares.
        let current = Value::Object(body.clone());
        for c in view.active(&current) {
            for name in &c.required {
                if !body.contains_key(name) {
                    if let Some(field) = c.properties.get(name) {
                        body.insert(name.clone(), values::valid(field, rng));
                    }
                }
            }
        }
        let candidate = Value::Object(body);
        if schemas.validate(file, &candidate).is_ok() {
            return Some(candidate);
        }
    }
    None
}

/// A deterministic per-case seed (FNV-1a over the names, mixed with the run seed).
fn seed_for(seed: u64, contract: &str, endpoint: &str, i: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in contract
        .bytes()
        .chain([0])
        .chain(endpoint.bytes())
        .chain([0])
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The `x-doc` clause of a schema file, else `file > fallback`.
fn schema_doc(contract: &Contract, file: &str, fallback: &str) -> String {
    contract
        .schemas
        .raw(file)
        .and_then(|s| s.get("x-doc"))
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| format!("{} > {fallback}", contract.suite.document))
}

fn breaks_text(b: &Breaks) -> String {
    match b {
        Breaks::Keyword { keyword, at } => {
            let at = if at.is_empty() { "(root)" } else { at };
            format!("breaks keyword `{keyword}` at {at}")
        }
        Breaks::Protocol(why) => why.clone(),
    }
}

/// The expectation of a negative body: see [`negative_expectation`]; a body that is not JSON
/// (or not sent as JSON) breaks the document's rules only when the document requires a field.
fn body_expectation(
    contract: &Contract,
    file: &str,
    input: &BodyInput,
    breaks: &Breaks,
    clause: &str,
) -> Expectation {
    match (input, breaks) {
        (BodyInput::Json(v), Breaks::Keyword { keyword, at }) => {
            negative_expectation(contract, file, v, at, keyword, clause)
        }
        (BodyInput::Raw { content_type, .. }, _)
            if !content_type.starts_with("application/json") =>
        {
            decided_refusal(contract, clause, MEDIA_TYPE_DECIDED.to_string())
        }
        _ => negative_expectation(
            contract,
            file,
            &Value::Object(Default::default()),
            "",
            "required",
            clause,
        ),
    }
}

/// What a successful call answers: the documented 2xx codes where the document names them,
/// any 2xx where it does not (the contract's code then decided).
pub fn success_expectation(contract: &Contract, endpoint: &EndpointSpec) -> Expectation {
    let doc = |section: &str| format!("{} > {}", contract.suite.document, section);
    let mut stated = Expected::default();
    let mut narrow = Expected::default();
    let mut reason: Option<&str> = None;
    let mut clause = doc(&endpoint.doc);
    let mut quote = endpoint.quote.clone();
    for (code, r) in &endpoint.responses {
        let Ok(code) = code.parse::<u16>() else {
            continue;
        };
        if !(200..300).contains(&code) {
            continue;
        }
        clause = doc(&r.doc);
        quote = r.quote.clone().or(quote);
        narrow.codes.push(code);
        match &r.status_decided {
            Some(why) => {
                stated.classes = vec![2];
                reason = Some(why);
            }
            None => stated.codes.push(code),
        }
    }
    if narrow.codes.is_empty() {
        return Expectation::stated(Expected::classes(&[2]), clause, quote).narrowed(
            Expected::codes(vec![200]),
            "the document names no success status",
        );
    }
    let e = Expectation::stated(stated, clause, quote);
    match reason {
        Some(why) => e.narrowed(narrow, why),
        None => e,
    }
}

fn keyword_is(schema_path: &str, keyword: &str) -> bool {
    schema_path.rsplit('/').next() == Some(keyword)
}

/// True when the schema judges `input` exactly as `breaks` claims.
fn judged_as_claimed(contract: &Contract, file: &str, input: &BodyInput, breaks: &Breaks) -> bool {
    match (input, breaks) {
        (BodyInput::Json(v), Breaks::Keyword { keyword, at }) => {
            match contract.schemas.validate(file, v) {
                Ok(()) => false,
                // Every violation is at the named field (or under it), and the named keyword is
                // among them: the body is invalid for the reason the case names and no other.
                Err(vs) => {
                    vs.iter().all(|x| x.instance_path.starts_with(at.as_str()))
                        && vs
                            .iter()
                            .any(|x| x.instance_path == *at && keyword_is(&x.schema_path, keyword))
                }
            }
        }
        (
            BodyInput::Raw {
                bytes,
                content_type,
            },
            Breaks::Protocol(_),
        ) => {
            let is_json_type = content_type.starts_with("application/json");
            let parses = serde_json::from_slice::<Value>(bytes)
                .ok()
                .is_some_and(|v| contract.schemas.validate(file, &v).is_ok());
            !(is_json_type && parses)
        }
        _ => false,
    }
}

/// For each conditional branch the base body is not in, a valid body that is in it.
fn branch_bases(
    contract: &Contract,
    file: &str,
    view: &view::ObjectView,
    base: &Value,
    seed: u64,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut rng = StdRng::seed_from_u64(seed);
    for c in &view.conditionals {
        let label = format!("{}-{}", c.discriminator, crate::template::as_text(&c.value));
        let mut b = base.clone();
        let Some(obj) = b.as_object_mut() else {
            continue;
        };
        if obj.get(&c.discriminator) != Some(&c.value) {
            // Leave the other branch's fields out, add this branch's required ones.
            for other in &view.conditionals {
                if other.discriminator == c.discriminator {
                    for f in &other.required {
                        obj.remove(f);
                    }
                }
            }
            obj.insert(c.discriminator.clone(), c.value.clone());
            for f in &c.required {
                if let Some(field) = c.properties.get(f) {
                    obj.insert(f.clone(), values::valid(field, &mut rng));
                }
            }
        }
        if contract.schemas.validate(file, &b).is_ok() {
            out.push((label, b));
        }
    }
    out
}

/// Enum values that same-named fields allow in the contract's other request schemas.
fn sibling_enums(
    contract: &Contract,
    resolver: &Resolver<'_>,
    this: &str,
) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in &contract.suite.endpoints {
        let Some(file) = &e.body else { continue };
        if file == this {
            continue;
        }
        let Some(view) = resolver.object(file) else {
            continue;
        };
        for (name, field) in &view.properties {
            for v in field.enumeration.iter().flatten() {
                let list = out.entry(name.clone()).or_default();
                if !list.contains(v) {
                    list.push(v.clone());
                }
            }
        }
    }
    out
}
