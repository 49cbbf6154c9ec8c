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

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::checks::Expected;
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
    /// `negative`, `boundary` or `positive`.
    pub kind: &'static str,
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
    pub expected: Expected,
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
    let negative_expected = Expected {
        codes: contract.suite.negative.status.clone(),
        any_4xx: contract.suite.negative.status.is_empty(),
    };
    if let (Some(file), Some(base)) = (&endpoint.body, base_body) {
        let doc = schema_doc(contract, file, &endpoint.doc);
        if let Some(view) = resolver.object(file) {
            let siblings = sibling_enums(contract, &resolver, file);
            let branch_bases = branch_bases(contract, file, &view, base, opts.seed);
            for c in negative::bodies(&view, base, &siblings, &branch_bases) {
                if judged_as_claimed(contract, file, &c.input, &c.breaks) {
                    out.push(Generated {
                        kind: "negative",
                        family: c.family,
                        name: c.name,
                        description: format!("{}: {}", c.why, breaks_text(&c.breaks)),
                        doc: doc.clone(),
                        body: Some(c.input),
                        params: BTreeMap::new(),
                        expected: negative_expected.clone(),
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
            let claim = match keyword {
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
                    format!("keyword `{k}` of {}", p.schema)
                }
                None => "the document: provide a concrete numeric id; do not percent-encode".into(),
            };
            let location = match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
            };
            out.push(Generated {
                kind: "negative",
                family: "param",
                name: format!("{}-{name}", p.name),
                description: format!("{location} parameter `{}` = {raw:?} breaks {claim}", p.name),
                doc: doc.clone(),
                body: None,
                params: BTreeMap::from([(p.name.clone(), raw)]),
                expected: negative_expected.clone(),
            });
        }
        for (name, raw) in negative::param_boundaries(&field) {
            let v = negative::param_as_json(&raw);
            if contract.schemas.validate(&p.schema, &v).is_err() {
                dropped.names.push(format!("{}-{name}", p.name));
                continue;
            }
            let mut codes: Vec<u16> = endpoint.success_statuses();
            codes.push(404);
            out.push(Generated {
                kind: "boundary",
                family: "param",
                name: format!("{}-{name}", p.name),
                description: format!(
                    "`{}` = {raw} is at the edge of the valid range: it may be unknown, never malformed",
                    p.name
                ),
                doc: doc.clone(),
                body: None,
                params: BTreeMap::from([(p.name.clone(), raw)]),
                expected: Expected::codes(codes),
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
                kind: "positive",
                family: "valid",
                name: format!("{i}"),
                description: format!("a valid body (seed {}, #{i}) must be accepted", opts.seed),
                doc: doc.to_string(),
                body: Some(BodyInput::Json(body)),
                params: BTreeMap::new(),
                expected: Expected::codes(endpoint.success_statuses()),
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
