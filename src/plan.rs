//! From contracts and a target config to the list of cases to run.
//!
//! Cases come from two places: the suite's own cases (one per `each` element when the case
//! iterates a list variable), and auth cases generated for every endpoint from its example
//! request and the suite's auth scheme. A case that needs an optional variable the operator did
//! not give is planned as skipped, naming the key.

use std::collections::BTreeSet;

use serde_json::Value;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::case_kind::CaseKind;
use crate::checks::{Expectation, Expected};
use crate::config::TargetConfig;
use crate::contract::{
    AuthScheme, AuthSpec, CaseSpec, Contract, EndpointSpec, StatusPattern, StepSpec,
};
use crate::generate::{self, BodyInput, Dropped, GenerateOptions};
use crate::intern::intern;
use crate::template::{self, Vars};

/// How a step presents its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// No credential at all.
    None,
    /// The suite's scheme with the value of this variable.
    Var(String),
    /// A deliberately wrong presentation of this variable's value (or none).
    Bad(AuthVariant, String),
}

/// Wrong ways to authenticate; each must be refused with 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVariant {
    Missing,
    Empty,
    Malformed,
    WrongScheme,
    WrongHeader,
    /// A well-formed JWT that expired long ago, signed with a key the target does not have.
    ExpiredJwt,
}

impl AuthVariant {
    pub const ALL: [AuthVariant; 6] = [
        AuthVariant::Missing,
        AuthVariant::Empty,
        AuthVariant::Malformed,
        AuthVariant::ExpiredJwt,
        AuthVariant::WrongScheme,
        AuthVariant::WrongHeader,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AuthVariant::Missing => "missing",
            AuthVariant::Empty => "empty",
            AuthVariant::Malformed => "malformed",
            AuthVariant::WrongScheme => "wrong-scheme",
            AuthVariant::WrongHeader => "wrong-header",
            AuthVariant::ExpiredJwt => "expired-jwt",
        }
    }

    fn applies_to(self, auth: &AuthSpec) -> bool {
        use AuthScheme as S;
        match self {
            AuthVariant::Missing | AuthVariant::Empty | AuthVariant::Malformed => {
                auth.scheme != S::None
            }
            AuthVariant::ExpiredJwt => !matches!(auth.scheme, S::None | S::Basic),
            // Only an Authorization scheme can be the wrong one.
            AuthVariant::WrongScheme => matches!(auth.scheme, S::Bearer | S::Basic),
            AuthVariant::WrongHeader => !matches!(auth.scheme, S::None | S::Basic),
        }
    }

    fn describe(self, auth: &AuthSpec) -> String {
        use AuthScheme as S;
        let carrier = auth.carrier();
        let place = match auth.scheme {
            S::Query => format!("{carrier} query parameter"),
            S::Cookie => format!("{carrier} cookie"),
            _ => format!("{carrier} header"),
        };
        match self {
            AuthVariant::Missing => format!("no {place}"),
            AuthVariant::Empty => match auth.scheme {
                S::Query | S::Cookie => format!("an empty {place}"),
                _ => format!("an empty {carrier} credential"),
            },
            AuthVariant::Malformed if auth.scheme == S::Basic => {
                "a user and password the target never issued".to_string()
            }
            AuthVariant::Malformed => "a token the target never issued".to_string(),
            AuthVariant::ExpiredJwt => "an expired JWT the target never signed".to_string(),
            AuthVariant::WrongScheme if auth.scheme == S::Basic => {
                "the credentials with the Bearer scheme instead of Basic".into()
            }
            AuthVariant::WrongScheme => "the token with the Basic scheme instead of Bearer".into(),
            AuthVariant::WrongHeader if auth.scheme == S::Bearer => {
                "the token in x-auth-token instead".into()
            }
            AuthVariant::WrongHeader => "the token in Authorization: Bearer instead".into(),
        }
    }
}

/// A generated body as it is sent: serialized once, when planned, so that a plan of fifty
/// thousand cases holds bytes, not JSON trees (and the cases that send the example's body share
/// one copy of it).
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralBody {
    /// JSON text, sent as `application/json`.
    Json(Arc<str>),
    /// Raw bytes with this Content-Type.
    Raw {
        bytes: Arc<[u8]>,
        content_type: Arc<str>,
    },
}

impl LiteralBody {
    fn of(input: BodyInput) -> Self {
        match input {
            BodyInput::Json(v) => LiteralBody::Json(v.to_string().into()),
            BodyInput::Raw {
                bytes,
                content_type,
            } => LiteralBody::Raw {
                bytes: bytes.into(),
                content_type: intern(&content_type),
            },
        }
    }
}

/// A step ready to run.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    /// Shared by the cases that take the same written step (an endpoint's before and restore
    /// steps are the same in each of its generated cases, and so is the main step of every
    /// case that sends the example's parameters).
    pub spec: Arc<StepSpec>,
    pub credential: Credential,
    /// A generated body sent as is (no templates), replacing `spec.body`.
    pub literal_body: Option<LiteralBody>,
    /// Generated raw parameter values (no templates), replacing `spec.params` entries.
    pub literal_params: BTreeMap<String, String>,
    /// Statuses accepted: stated by the document, narrowed by the contract's decisions.
    pub expected: Expectation,
    /// A restore step that only runs when an earlier step failed (the target wrongly accepted
    /// an invalid request).
    pub only_after_failure: bool,
}

impl PlannedStep {
    fn new(spec: StepSpec, credential: Credential, expected: Expectation) -> Self {
        Self::new_shared(Arc::new(spec), credential, expected)
    }

    fn new_shared(spec: Arc<StepSpec>, credential: Credential, expected: Expectation) -> Self {
        PlannedStep {
            spec,
            credential,
            literal_body: None,
            literal_params: BTreeMap::new(),
            expected,
            only_after_failure: false,
        }
    }

    /// A step written in the suite: what it expects comes from its `expect` (the case's clause
    /// and quote), or from the endpoint's documented success.
    fn written(contract: &Contract, spec: &StepSpec, case: Option<&CaseSpec>) -> Self {
        let expected = step_expectation(contract, spec, case);
        PlannedStep::new(spec.clone(), step_credential(contract, spec), expected)
    }
}

/// What a written step expects. Without `expect`: the endpoint's documented success. With it:
/// the listed statuses, stated by the case's clause, or decided (`expect_decided`, or a case
/// that is decided as a whole), their classes then being what is stated.
pub fn step_expectation(
    contract: &Contract,
    spec: &StepSpec,
    case: Option<&CaseSpec>,
) -> Expectation {
    let Some(endpoint) = contract.endpoint(&spec.endpoint) else {
        return Expectation::stated(Expected::any(), String::new(), None);
    };
    if spec.expect.is_empty() {
        return generate::success_expectation(contract, endpoint);
    }
    let clause = format!(
        "{} > {}",
        contract.suite.document,
        case.map_or(endpoint.doc.as_str(), |c| c.doc.as_str())
    );
    let quote = spec
        .quote
        .clone()
        .or_else(|| case.and_then(|c| c.quote.clone()))
        .or_else(|| endpoint.quote.clone());
    let listed = Expected::from_patterns(&spec.expect);
    if let Some(reason) = case.and_then(|c| c.decided.as_deref()) {
        // The whole case is the contract's reading: the document states nothing it expects.
        return Expectation::stated(Expected::any(), clause, quote).narrowed(listed, reason);
    }
    match spec.expect_decided.as_deref() {
        Some(reason) => Expectation::decided_codes(listed, clause, quote, reason),
        None => Expectation::stated(listed, clause, quote),
    }
}

/// What a refused credential gets: 401 where the document names it, else any 4xx (401 the
/// contract's reading).
pub fn auth_expectation(contract: &Contract) -> Expectation {
    let auth = &contract.suite.auth;
    let clause = format!("{} > {}", contract.suite.document, auth.doc());
    let quote = auth.quote().map(String::from);
    let code = Expected::codes(vec![401]);
    match auth.status_decided() {
        Some(reason) => Expectation::decided_codes(code, clause, quote, reason),
        None => Expectation::stated(code, clause, quote),
    }
}

/// One case ready to run.
///
/// Texts many cases share (the clause, the endpoint) are interned ([`crate::intern`]) and
/// steps are shared where cases take the same one: a plan of fifty thousand cases holds each
/// once.
#[derive(Debug, Clone)]
pub struct CasePlan {
    pub id: String,
    /// Index into the contracts slice.
    pub contract: usize,
    pub kind: CaseKind,
    /// The generator family within the kind (missing, wrong-type, pattern, ...); the auth
    /// variant for auth cases; empty for suite cases.
    pub family: &'static str,
    pub description: String,
    /// Document clause, `file > section`.
    pub doc: Arc<str>,
    /// "METHOD /path" of the main step.
    pub endpoint: Arc<str>,
    pub steps: Vec<Arc<PlannedStep>>,
    /// Values bound by `each`.
    pub bindings: Vars,
    pub serial: Option<String>,
    /// Why the case will not run.
    pub skip: Option<String>,
    /// Why what the case expects is the contract's reading (a case decided as a whole).
    pub decided: Option<String>,
}

/// Why cases could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("[{contract}] the example request of endpoint `{endpoint}` is not valid with this config: {detail}")]
    InvalidExample {
        contract: String,
        endpoint: String,
        detail: String,
    },
}

/// The planned cases, and the generated candidates that were dropped before sending because
/// the schema did not judge them as their case claimed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub cases: Vec<CasePlan>,
    /// Endpoint (`contract::endpoint`) → dropped candidate names.
    pub dropped: BTreeMap<String, Dropped>,
}

/// Plans every case of every contract that the config targets.
pub fn plan(
    contracts: &[Contract],
    config: &TargetConfig,
    opts: GenerateOptions,
) -> Result<Plan, PlanError> {
    let mut out = Plan::default();
    for (index, contract) in contracts.iter().enumerate() {
        let Some(target) = config.targets.get(contract.name()) else {
            continue;
        };
        let vars = Some(&target.vars);
        let first = out.cases.len();
        for case in &contract.suite.cases {
            out.cases.extend(suite_cases(index, contract, case, vars));
        }
        for endpoint in contract.suite.endpoints.iter().filter(|e| !e.public) {
            out.cases
                .extend(auth_cases(index, contract, endpoint, vars));
        }
        for endpoint in &contract.suite.endpoints {
            let (cases, dropped) = generated_cases(index, contract, endpoint, &target.vars, opts)?;
            out.cases.extend(cases);
            if !dropped.names.is_empty() {
                out.dropped
                    .insert(format!("{}::{}", contract.name(), endpoint.id), dropped);
            }
        }
        if !target.made_up.is_empty() {
            let mut k = 0;
            for case in &mut out.cases[first..] {
                if vary_made_up(case, &target.made_up, k) {
                    k += 1;
                }
            }
        }
    }
    Ok(out)
}

/// Why a request whose path names a made-up object may be refused.
const MADE_UP_REASON: &str = "the request names an object by a value conform made up (the operator gave none): it may not exist on the target, so a refusal conforms; the expected answer is the contract's reading";

/// A case that sends a value conform made up: it takes the `k`-th value of each pool (its own
/// object, which no other case touched), and its steps that send one accept a refusal (see
/// [`MADE_UP_REASON`]). Whether the case used one.
fn vary_made_up(case: &mut CasePlan, made_up: &BTreeMap<String, Vec<Value>>, k: usize) -> bool {
    let mut used = false;
    for step in &mut case.steps {
        let refs: Vec<String> = step
            .spec
            .params
            .values()
            .chain(step.spec.body.iter())
            .flat_map(template::references)
            .filter(|r| made_up.contains_key(r))
            .collect();
        if refs.is_empty() {
            continue;
        }
        used = true;
        for r in refs {
            let pool = &made_up[&r];
            case.bindings
                .entry(r)
                .or_insert_with(|| pool[k % pool.len()].clone());
        }
        let step = Arc::make_mut(step);
        step.expected = step.expected.clone().admitting_refusal(MADE_UP_REASON);
    }
    used
}

/// Negative, boundary and positive cases of one endpoint, from its example rendered with the
/// config's variables.
fn generated_cases(
    index: usize,
    contract: &Contract,
    endpoint: &EndpointSpec,
    vars: &BTreeMap<String, Value>,
    opts: GenerateOptions,
) -> Result<(Vec<CasePlan>, Dropped), PlanError> {
    let example = endpoint.example.clone().unwrap_or_default();
    let invalid = |detail: String| PlanError::InvalidExample {
        contract: contract.name().to_string(),
        endpoint: endpoint.id.clone(),
        detail,
    };
    let skip = example
        .body
        .iter()
        .chain(example.params.values())
        .flat_map(template::references)
        .chain(example.auth.clone())
        .find(|v| !vars.contains_key(v))
        .map(|v| needs(contract.name(), &v));
    if let Some(reason) = skip {
        // Without the example's variables nothing can be generated; one skipped case says so.
        let mut plan = generated_plan(
            index,
            contract,
            endpoint,
            CaseKind::Negative,
            "all",
            String::new(),
        );
        plan.skip = Some(reason);
        return Ok((vec![plan], Dropped::default()));
    }
    let base_json = match &example.body {
        Some(b) => {
            let body = template::render(b, vars).map_err(|e| invalid(e.to_string()))?;
            if let Some(file) = &endpoint.body {
                if let Err(vs) = contract.schemas.validate(file, &body) {
                    let first = vs.first().map(ToString::to_string).unwrap_or_default();
                    return Err(invalid(format!("body breaks {file}: {first}")));
                }
            }
            Some(body)
        }
        None => None,
    };
    let base_body = base_json
        .as_ref()
        .map(|b| LiteralBody::Json(b.to_string().into()));
    let mut base_params = BTreeMap::new();
    for (k, v) in &example.params {
        let value = template::render(v, vars).map_err(|e| invalid(e.to_string()))?;
        base_params.insert(k.clone(), template::as_text(&value));
    }
    let (generated, dropped) =
        generate::for_endpoint(contract, endpoint, base_json.as_ref(), &base_params, opts);
    let credential = default_credential(contract, example.auth.as_deref());
    // Written once, shared by every generated case of the endpoint.
    let before: Vec<Arc<PlannedStep>> = endpoint
        .generate
        .before
        .iter()
        .map(|s| Arc::new(PlannedStep::written(contract, s, None)))
        .collect();
    // The restore steps as positive cases take them (always) and as the others do (only after
    // the target wrongly accepted the request).
    let restore = |only_after_failure: bool| -> Vec<Arc<PlannedStep>> {
        endpoint
            .generate
            .restore
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.restore = true;
                let mut step = PlannedStep::written(contract, &r, None);
                step.only_after_failure = only_after_failure;
                Arc::new(step)
            })
            .collect()
    };
    let (restore_always, restore_after_failure) = (restore(false), restore(true));
    // The main step's spec, by the parameters a case replaces: most replace none.
    let mut mains: BTreeMap<Vec<String>, Arc<StepSpec>> = BTreeMap::new();
    let cases = generated
        .into_iter()
        .map(|g| {
            let mut plan =
                generated_plan(index, contract, endpoint, g.kind, &g.name, g.description);
            plan.family = g.family;
            plan.doc = intern(&g.doc);
            let mut steps: Vec<Arc<PlannedStep>> = before.clone();
            let replaced: Vec<String> = g.params.keys().cloned().collect();
            let spec = mains.entry(replaced).or_insert_with_key(|replaced| {
                let mut params = example.params.clone();
                for k in replaced {
                    params.remove(k);
                }
                Arc::new(main_step(endpoint, params))
            });
            let mut step = PlannedStep::new_shared(spec.clone(), credential.clone(), g.expected);
            step.literal_body = g.body.map(LiteralBody::of).or_else(|| base_body.clone());
            step.literal_params = g.params;
            steps.push(Arc::new(step));
            steps.extend(if g.kind == CaseKind::Positive {
                restore_always.iter().cloned()
            } else {
                restore_after_failure.iter().cloned()
            });
            plan.steps = steps;
            plan.serial = endpoint.generate.serial.clone();
            plan.skip = missing_variable(contract, &plan, vars);
            plan
        })
        .collect();
    Ok((cases, dropped))
}

/// The main step of a generated case: the endpoint with the example's parameters (less those
/// the case replaces), its body and credential set by the case.
fn main_step(endpoint: &EndpointSpec, params: BTreeMap<String, Value>) -> StepSpec {
    StepSpec {
        endpoint: endpoint.id.clone(),
        auth: None,
        method: None,
        params,
        body: None,
        expect: vec![],
        capture: Default::default(),
        restore: false,
        optional: false,
        asserts: vec![],
        expect_decided: None,
        quote: None,
    }
}

fn generated_plan(
    index: usize,
    contract: &Contract,
    endpoint: &EndpointSpec,
    kind: CaseKind,
    name: &str,
    description: String,
) -> CasePlan {
    CasePlan {
        id: format!("{}::{}::{kind}::{name}", contract.name(), endpoint.id),
        contract: index,
        kind,
        family: "",
        description,
        doc: intern(""),
        endpoint: endpoint_label(endpoint),
        steps: vec![],
        bindings: Vars::new(),
        serial: None,
        skip: None,
        decided: None,
    }
}

fn endpoint_label(e: &EndpointSpec) -> Arc<str> {
    intern(&format!("{} {}", e.method, e.path))
}

fn suite_cases(
    index: usize,
    contract: &Contract,
    case: &CaseSpec,
    vars: Option<&std::collections::BTreeMap<String, Value>>,
) -> Vec<CasePlan> {
    let name = contract.name();
    // The main step is the last one that is not a restore: earlier ones set it up.
    let main = case
        .steps
        .iter()
        .rev()
        .find(|s| !s.restore)
        .or(case.steps.first())
        .and_then(|s| {
            let e = contract.endpoint(&s.endpoint)?;
            // A probe of an undocumented method names the method it sends.
            Some(match &s.method {
                Some(m) => intern(&format!("{m} {}", e.path)),
                None => endpoint_label(e),
            })
        })
        .unwrap_or_else(|| intern(""));
    let steps: Vec<Arc<PlannedStep>> = case
        .steps
        .iter()
        .map(|s| Arc::new(PlannedStep::written(contract, s, Some(case))))
        .collect();
    let base = CasePlan {
        id: format!("{name}::{}", case.name),
        contract: index,
        // A probe of methods the document does not list is its own kind; a case that checks
        // promises across its steps is a flow.
        kind: if case.steps.iter().any(|s| s.method.is_some()) {
            CaseKind::Method
        } else if case.steps.iter().any(|s| !s.asserts.is_empty()) {
            CaseKind::Flow
        } else {
            CaseKind::Suite
        },
        family: "",
        description: case.description.clone(),
        doc: intern(&format!("{} > {}", contract.suite.document, case.doc)),
        endpoint: main,
        steps,
        bindings: Vars::new(),
        serial: case.serial.clone(),
        skip: None,
        decided: case.decided.clone(),
    };
    let Some(each) = &case.each else {
        let mut plan = base;
        plan.skip = vars.and_then(|v| missing_variable(contract, &plan, v));
        return vec![plan];
    };
    let Some(vars) = vars else {
        return vec![base];
    };
    let list = match vars.get(&each.variable) {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        _ => {
            let mut plan = base;
            plan.skip = Some(needs(name, &each.variable));
            return vec![plan];
        }
    };
    list.into_iter()
        .map(|item| {
            let mut plan = base.clone();
            plan.id = format!("{}::{}", plan.id, template::as_text(&item));
            plan.bindings.insert(each.bind.clone(), item);
            plan.skip = missing_variable(contract, &plan, vars);
            plan
        })
        .collect()
}

fn step_credential(contract: &Contract, step: &StepSpec) -> Credential {
    default_credential(contract, step.auth.as_deref())
}

/// The credential a step presents: the variable it names, else the suite's; none where the
/// step says `none` or the document requires no credential.
fn default_credential(contract: &Contract, named: Option<&str>) -> Credential {
    match named {
        Some("none") => Credential::None,
        Some(var) => Credential::Var(var.to_string()),
        None if contract.suite.auth.scheme == AuthScheme::None => Credential::None,
        None => Credential::Var(contract.suite.auth.variable().to_string()),
    }
}

fn auth_cases(
    index: usize,
    contract: &Contract,
    endpoint: &EndpointSpec,
    vars: Option<&std::collections::BTreeMap<String, Value>>,
) -> Vec<CasePlan> {
    let auth = &contract.suite.auth;
    let example = endpoint.example.clone().unwrap_or_default();
    let credential_var = example
        .auth
        .clone()
        .unwrap_or_else(|| auth.variable().to_string());
    AuthVariant::ALL
        .into_iter()
        .filter(|v| v.applies_to(auth))
        .map(|variant| {
            let step = StepSpec {
                endpoint: endpoint.id.clone(),
                auth: None,
                method: None,
                params: example.params.clone(),
                body: example.body.clone(),
                expect: vec![StatusPattern::Code(401)],
                expect_decided: None,
                quote: None,
                capture: Default::default(),
                restore: false,
                optional: false,
                asserts: vec![],
            };
            let mut plan = CasePlan {
                id: format!(
                    "{}::{}::auth::{}",
                    contract.name(),
                    endpoint.id,
                    variant.name()
                ),
                contract: index,
                kind: CaseKind::Auth,
                family: variant.name(),
                description: format!(
                    "{} with {} is refused with 401",
                    endpoint_label(endpoint),
                    variant.describe(auth)
                ),
                doc: intern(&format!("{} > {}", contract.suite.document, auth.doc())),
                endpoint: endpoint_label(endpoint),
                steps: vec![Arc::new(PlannedStep::new(
                    step,
                    Credential::Bad(variant, credential_var.clone()),
                    auth_expectation(contract),
                ))],
                bindings: Vars::new(),
                // A target that wrongly accepts the credential acts on the account: the case
                // holds the endpoint's serial key like the other generated cases.
                serial: endpoint.generate.serial.clone(),
                skip: None,
                decided: None,
            };
            plan.skip = vars.and_then(|v| missing_variable(contract, &plan, v));
            plan
        })
        .collect()
}

fn needs(contract: &str, key: &str) -> String {
    format!("needs `{key}` in [{contract}] of the target config")
}

/// The first variable the case reads that neither the config, `each`, nor an earlier capture
/// provides.
fn missing_variable(
    contract: &Contract,
    plan: &CasePlan,
    vars: &std::collections::BTreeMap<String, Value>,
) -> Option<String> {
    let mut known: BTreeSet<String> = vars.keys().cloned().collect();
    known.extend(plan.bindings.keys().cloned());
    // The body the previous step sent; set by the runner.
    known.insert("request".to_string());
    for step in &plan.steps {
        if step.spec.optional {
            known.extend(step.spec.capture.keys().cloned());
            continue;
        }
        let mut wanted = Vec::new();
        match &step.credential {
            Credential::Var(v) => wanted.push(v.clone()),
            Credential::Bad(variant, v) => {
                if matches!(variant, AuthVariant::WrongScheme | AuthVariant::WrongHeader) {
                    wanted.push(v.clone());
                }
            }
            Credential::None => {}
        }
        for v in step.spec.params.values() {
            wanted.extend(template::references(v));
        }
        if let Some(b) = &step.spec.body {
            wanted.extend(template::references(b));
        }
        if let Some(missing) = wanted.into_iter().find(|w| !known.contains(w)) {
            return Some(needs(contract.name(), &missing));
        }
        known.extend(step.spec.capture.keys().cloned());
    }
    None
}
