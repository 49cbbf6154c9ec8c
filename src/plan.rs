//! From contracts and a target config to the list of cases to run.
//!
//! Cases come from two places: the suite's own cases (one per `each` element when the case
//! iterates a list variable), and auth cases generated for every endpoint from its example
//! request and the suite's auth scheme. A case that needs an optional variable the operator did
//! not give is planned as skipped, naming the key.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::config::TargetConfig;
use crate::contract::{AuthSpec, CaseSpec, Contract, EndpointSpec, StepSpec};
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
}

impl AuthVariant {
    pub const ALL: [AuthVariant; 5] = [
        AuthVariant::Missing,
        AuthVariant::Empty,
        AuthVariant::Malformed,
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
        }
    }

    fn applies_to(self, auth: &AuthSpec) -> bool {
        // An API-key header has no scheme to get wrong.
        !(matches!(auth, AuthSpec::Header { .. }) && self == AuthVariant::WrongScheme)
    }

    fn describe(self, auth: &AuthSpec) -> String {
        let (header, bearer) = match auth {
            AuthSpec::Bearer { .. } => ("Authorization".to_string(), true),
            AuthSpec::Header { header, .. } => (header.clone(), false),
        };
        match self {
            AuthVariant::Missing => format!("no {header} header"),
            AuthVariant::Empty => format!("an empty {header} credential"),
            AuthVariant::Malformed => "a token the target never issued".to_string(),
            AuthVariant::WrongScheme => "the token with the Basic scheme instead of Bearer".into(),
            AuthVariant::WrongHeader if bearer => "the token in x-auth-token instead".into(),
            AuthVariant::WrongHeader => "the token in Authorization: Bearer instead".into(),
        }
    }
}

/// A step ready to run.
#[derive(Debug, Clone)]
pub struct PlannedStep {
    pub spec: StepSpec,
    pub credential: Credential,
}

/// One case ready to run.
#[derive(Debug, Clone)]
pub struct CasePlan {
    pub id: String,
    /// Index into the contracts slice.
    pub contract: usize,
    pub kind: &'static str,
    pub description: String,
    /// Document clause, `file > section`.
    pub doc: String,
    /// "METHOD /path" of the main step.
    pub endpoint: String,
    pub steps: Vec<PlannedStep>,
    /// Values bound by `each`.
    pub bindings: Vars,
    pub serial: Option<String>,
    /// Why the case will not run.
    pub skip: Option<String>,
}

/// Plans every case of every contract that the config targets (all contracts when `config` is
/// `None`, for listing; list-driven cases then appear once, unexpanded).
pub fn plan(contracts: &[Contract], config: Option<&TargetConfig>) -> Vec<CasePlan> {
    let mut out = Vec::new();
    for (index, contract) in contracts.iter().enumerate() {
        let vars = match config {
            Some(c) => match c.targets.get(contract.name()) {
                Some(t) => Some(&t.vars),
                None => continue,
            },
            None => None,
        };
        for case in &contract.suite.cases {
            out.extend(suite_cases(index, contract, case, vars));
        }
        for endpoint in &contract.suite.endpoints {
            out.extend(auth_cases(index, contract, endpoint, vars));
        }
    }
    out
}

fn endpoint_label(e: &EndpointSpec) -> String {
    format!("{} {}", e.method, e.path)
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
        .and_then(|s| contract.endpoint(&s.endpoint))
        .map(endpoint_label)
        .unwrap_or_default();
    let steps: Vec<PlannedStep> = case
        .steps
        .iter()
        .map(|s| PlannedStep {
            credential: step_credential(contract, s),
            spec: s.clone(),
        })
        .collect();
    let base = CasePlan {
        id: format!("{name}::{}", case.name),
        contract: index,
        kind: "suite",
        description: case.description.clone(),
        doc: format!("{} > {}", contract.suite.document, case.doc),
        endpoint: main,
        steps,
        bindings: Vars::new(),
        serial: case.serial.clone(),
        skip: None,
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
    match step.auth.as_deref() {
        Some("none") => Credential::None,
        Some(var) => Credential::Var(var.to_string()),
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
                params: example.params.clone(),
                body: example.body.clone(),
                expect: vec![401],
                capture: Default::default(),
                restore: false,
            };
            let mut plan = CasePlan {
                id: format!(
                    "{}::{}::auth::{}",
                    contract.name(),
                    endpoint.id,
                    variant.name()
                ),
                contract: index,
                kind: "auth",
                description: format!(
                    "{} with {} is refused with 401",
                    endpoint_label(endpoint),
                    variant.describe(auth)
                ),
                doc: format!("{} > {}", contract.suite.document, auth.doc()),
                endpoint: endpoint_label(endpoint),
                steps: vec![PlannedStep {
                    spec: step,
                    credential: Credential::Bad(variant, credential_var.clone()),
                }],
                bindings: Vars::new(),
                serial: None,
                skip: None,
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
    for step in &plan.steps {
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
