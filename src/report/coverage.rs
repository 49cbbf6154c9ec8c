//! Coverage: what of a contract the run actually touched, so that "every case held" cannot hide
//! "half the contract was never tried".
//!
//! Two views per contract. The *matrix*: every documented endpoint against every check, with how
//! often each check held, failed, was skipped or advised there (an advisory is a decided rule
//! that did not hold: counted apart from the failures, which only stated rules make). The
//! *named values*: every status code and every status-table value the documents name, each
//! marked
//!
//! - `exercised`: it came back in a response whose checks all held, i.e. a case asked for it
//!   and the target answered as documented;
//! - `observed`: it came back, but only in responses where some check failed (an answer no case
//!   expected there, or one that broke another rule);
//! - `never-seen`: no response carried it.
//!
//! What the documents name is captured from the contract when the run starts ([`Documented`],
//! kept in the report's targets), so that the coverage of a merged or re-read report is computed
//! from the report alone.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{CaseReport, ResponseRecord, StepReport, TargetInfo};
use crate::checks::{self, CheckId, Verdict};
use crate::contract::Contract;

/// What a contract's documents name, as far as coverage is concerned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Documented {
    pub endpoints: Vec<DocEndpoint>,
    /// Every status code the contract names, with where.
    pub statuses: Vec<NamedStatus>,
    pub tables: Vec<DocTable>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocEndpoint {
    /// `METHOD /path`.
    pub endpoint: String,
    /// `document > section`.
    pub doc: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedStatus {
    pub code: u16,
    /// Each place that names it: what, then the clause.
    pub named_by: Vec<String>,
}

/// A table of allowed values the document gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocTable {
    pub name: String,
    pub doc: String,
    /// The values are the HTTP statuses of error answers.
    pub http_error_status: bool,
    /// The values are the integer at this JSON pointer of 2xx bodies.
    pub pointer: Option<String>,
    /// `METHOD /path` of the endpoints the table applies to; all when empty.
    pub endpoints: Vec<String>,
    pub values: Vec<DocTableValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocTableValue {
    pub value: i64,
    /// The document's name for it, if it gives one.
    pub name: Option<String>,
}

impl Documented {
    /// What `contract` names.
    pub fn of(contract: &Contract) -> Self {
        let suite = &contract.suite;
        let clause = |section: &str| format!("{} > {}", suite.document, section);
        let label_of = |id: &str| {
            contract
                .endpoint(id)
                .map_or_else(|| id.to_string(), |e| format!("{} {}", e.method, e.path))
        };
        let endpoints = suite
            .endpoints
            .iter()
            .map(|e| DocEndpoint {
                endpoint: format!("{} {}", e.method, e.path),
                doc: clause(&e.doc),
            })
            .collect();
        let mut statuses: BTreeMap<u16, BTreeSet<String>> = BTreeMap::new();
        let mut name = |code: u16, by: String| {
            statuses.entry(code).or_default().insert(by);
        };
        for e in &suite.endpoints {
            for (code, r) in &e.responses {
                if let Ok(code) = code.parse() {
                    name(
                        code,
                        format!("responses of {} {}: {}", e.method, e.path, clause(&r.doc)),
                    );
                }
            }
        }
        for t in suite.status_tables.iter().filter(|t| t.http_error_status) {
            for v in &t.values {
                if let Ok(code) = u16::try_from(*v) {
                    name(code, format!("{} table: {}", t.name, clause(&t.doc)));
                }
            }
        }
        for code in &suite.negative.status {
            name(
                *code,
                format!("invalid input: {}", clause(&suite.negative.doc)),
            );
        }
        // Every wrong credential must get 401 (the auth cases expect it).
        name(401, format!("authentication: {}", clause(suite.auth.doc())));
        let tables = suite
            .status_tables
            .iter()
            .map(|t| DocTable {
                name: t.name.clone(),
                doc: clause(&t.doc),
                http_error_status: t.http_error_status,
                pointer: t.pointer.clone(),
                endpoints: t.endpoints.iter().map(|id| label_of(id)).collect(),
                values: t
                    .values
                    .iter()
                    .map(|v| DocTableValue {
                        value: *v,
                        name: t.names.get(&v.to_string()).cloned(),
                    })
                    .collect(),
            })
            .collect();
        Documented {
            endpoints,
            statuses: statuses
                .into_iter()
                .map(|(code, by)| NamedStatus {
                    code,
                    named_by: by.into_iter().collect(),
                })
                .collect(),
            tables,
        }
    }
}

/// How far the run got with a named value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Exercised,
    Observed,
    NeverSeen,
}

impl Mark {
    pub fn word(self) -> &'static str {
        match self {
            Mark::Exercised => "exercised",
            Mark::Observed => "observed",
            Mark::NeverSeen => "never seen",
        }
    }
}

/// One contract's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractCoverage {
    pub contract: String,
    /// Check ids, in the order of every endpoint's `cells`.
    pub checks: Vec<CheckId>,
    pub endpoints: Vec<EndpointCoverage>,
    pub statuses: Vec<StatusCoverage>,
    /// Statuses that came back although no document names them.
    pub undocumented_statuses: Vec<UnnamedStatus>,
    pub tables: Vec<TableCoverage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointCoverage {
    pub endpoint: String,
    pub doc: String,
    /// Cases whose main request goes to this endpoint.
    pub cases: usize,
    /// One per entry of [`ContractCoverage::checks`].
    pub cells: Vec<CheckCell>,
}

/// How one check did on one endpoint (counted per response).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckCell {
    pub check: CheckId,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Responses where a decided rule of this check did not hold: not failures.
    #[serde(alias = "warned")]
    pub advisories: usize,
}

impl CheckCell {
    /// True when the check never ran here.
    pub fn is_empty(&self) -> bool {
        self.passed + self.failed + self.skipped + self.advisories == 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCoverage {
    pub code: u16,
    pub named_by: Vec<String>,
    pub mark: Mark,
    /// Responses that carried it.
    pub responses: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnnamedStatus {
    pub code: u16,
    pub responses: usize,
    /// A few cases in which it came back, to find them.
    pub cases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableCoverage {
    pub name: String,
    pub doc: String,
    pub values: Vec<ValueCoverage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueCoverage {
    pub value: i64,
    pub name: Option<String>,
    pub mark: Mark,
    pub responses: usize,
}

/// Sightings of one value: in how many responses, and in how many of those every check held.
#[derive(Default)]
struct Seen {
    responses: usize,
    clean: usize,
    cases: BTreeSet<String>,
}

impl Seen {
    fn note(&mut self, clean: bool, case: &str) {
        self.responses += 1;
        if clean {
            self.clean += 1;
        }
        self.cases.insert(case.to_string());
    }
    fn mark(&self) -> Mark {
        if self.clean > 0 {
            Mark::Exercised
        } else if self.responses > 0 {
            Mark::Observed
        } else {
            Mark::NeverSeen
        }
    }
}

/// Shown cases per undocumented status.
const EXAMPLE_CASES: usize = 3;

/// The coverage of every target from the cases.
pub fn compute(targets: &[TargetInfo], cases: &[CaseReport]) -> Vec<ContractCoverage> {
    targets
        .iter()
        .map(|t| {
            let cases: Vec<&CaseReport> = cases
                .iter()
                .filter(|c| *c.contract == *t.contract)
                .collect();
            of_contract(t, &cases)
        })
        .collect()
}

fn of_contract(target: &TargetInfo, cases: &[&CaseReport]) -> ContractCoverage {
    let doc = &target.documented;
    // Columns: every check conform has, then any other id the steps carry.
    let mut columns: Vec<CheckId> = checks::ALL.to_vec();
    let extra: BTreeSet<CheckId> = cases
        .iter()
        .flat_map(|c| c.steps.iter().flat_map(|s| s.checks.iter()))
        .map(|k| k.id)
        .filter(|id| !columns.contains(id))
        .collect();
    columns.extend(extra);
    // Rows: the documented endpoints, then any other endpoint a step went to.
    let mut rows: Vec<(String, String)> = doc
        .endpoints
        .iter()
        .map(|e| (e.endpoint.clone(), e.doc.clone()))
        .collect();
    for c in cases {
        for label in std::iter::once(&c.endpoint).chain(c.steps.iter().map(|s| &s.endpoint)) {
            if !rows.iter().any(|(e, _)| **e == **label) {
                rows.push((label.to_string(), String::new()));
            }
        }
    }
    let mut cells: BTreeMap<(String, CheckId), CheckCell> = BTreeMap::new();
    let mut statuses: BTreeMap<u16, Seen> = BTreeMap::new();
    let mut values: BTreeMap<(usize, i64), Seen> = BTreeMap::new();
    for case in cases {
        for step in &case.steps {
            for check in &step.checks {
                let cell = cells
                    .entry((step.endpoint.to_string(), check.id))
                    .or_default();
                match check.outcome {
                    Verdict::Fail => cell.failed += 1,
                    Verdict::Skip => cell.skipped += 1,
                    Verdict::Advisory => cell.advisories += 1,
                    Verdict::Pass => cell.passed += 1,
                }
            }
            let Some(response) = &step.response else {
                continue;
            };
            let clean = step.checks.iter().all(|k| k.outcome != Verdict::Fail);
            statuses
                .entry(response.status)
                .or_default()
                .note(clean, &case.id);
            for (i, table) in doc.tables.iter().enumerate() {
                if let Some(v) = table_value(table, step) {
                    values.entry((i, v)).or_default().note(clean, &case.id);
                }
            }
        }
    }
    let endpoints = rows
        .into_iter()
        .map(|(endpoint, doc)| EndpointCoverage {
            cases: cases.iter().filter(|c| *c.endpoint == *endpoint).count(),
            cells: columns
                .iter()
                .map(|check| {
                    let mut cell = cells
                        .remove(&(endpoint.clone(), *check))
                        .unwrap_or_default();
                    cell.check = *check;
                    cell
                })
                .collect(),
            endpoint,
            doc,
        })
        .collect();
    let named: BTreeSet<u16> = doc.statuses.iter().map(|s| s.code).collect();
    let status_rows = doc
        .statuses
        .iter()
        .map(|s| {
            let seen = statuses.get(&s.code);
            StatusCoverage {
                code: s.code,
                named_by: s.named_by.clone(),
                mark: seen.map_or(Mark::NeverSeen, Seen::mark),
                responses: seen.map_or(0, |x| x.responses),
            }
        })
        .collect();
    let undocumented = statuses
        .iter()
        .filter(|(code, _)| !named.contains(code))
        .map(|(code, seen)| UnnamedStatus {
            code: *code,
            responses: seen.responses,
            cases: seen.cases.iter().take(EXAMPLE_CASES).cloned().collect(),
        })
        .collect();
    let tables = doc
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| TableCoverage {
            name: t.name.clone(),
            doc: t.doc.clone(),
            values: t
                .values
                .iter()
                .map(|v| {
                    let seen = values.get(&(i, v.value));
                    ValueCoverage {
                        value: v.value,
                        name: v.name.clone(),
                        mark: seen.map_or(Mark::NeverSeen, Seen::mark),
                        responses: seen.map_or(0, |x| x.responses),
                    }
                })
                .collect(),
        })
        .collect();
    ContractCoverage {
        contract: target.contract.clone(),
        checks: columns,
        endpoints,
        statuses: status_rows,
        undocumented_statuses: undocumented,
        tables,
    }
}

/// The value a table constrains in this step's response, if the table applies to it.
fn table_value(table: &DocTable, step: &StepReport) -> Option<i64> {
    if !table.endpoints.is_empty() && !table.endpoints.iter().any(|e| **e == *step.endpoint) {
        return None;
    }
    let response = step.response.as_ref()?;
    if table.http_error_status {
        return (response.status >= 400).then_some(i64::from(response.status));
    }
    let pointer = table.pointer.as_deref()?;
    if let Some(v) = response.values.get(pointer) {
        return Some(*v);
    }
    if !(200..300).contains(&response.status) || response.truncated {
        return None;
    }
    let body: serde_json::Value = serde_json::from_str(&response.body).ok()?;
    body.pointer(pointer)?.as_i64()
}

/// The integers the `tables` read from this answer's body, by pointer: what coverage needs of a
/// body whose text does not stay in memory (see `engine::slim`).
pub fn table_values(
    tables: &[DocTable],
    endpoint: &str,
    response: &ResponseRecord,
) -> BTreeMap<String, i64> {
    let wanted: Vec<&str> = tables
        .iter()
        .filter(|t| t.endpoints.is_empty() || t.endpoints.iter().any(|e| e == endpoint))
        .filter_map(|t| t.pointer.as_deref())
        .collect();
    if wanted.is_empty() || !(200..300).contains(&response.status) || response.truncated {
        return BTreeMap::new();
    }
    let Ok(body) = serde_json::from_str::<serde_json::Value>(&response.body) else {
        return BTreeMap::new();
    };
    wanted
        .into_iter()
        .filter_map(|p| Some((p.to_string(), body.pointer(p)?.as_i64()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckResult;
    use crate::report::{RequestRecord, ResponseRecord};

    fn step(status: u16, body: &str, checks: &[(CheckId, Verdict)]) -> StepReport {
        StepReport {
            endpoint: "GET /s".into(),
            restore: false,
            retries: 0,
            request: RequestRecord {
                method: "GET".into(),
                url: "http://h/s".into(),
                headers: vec![],
                body: None,
            },
            response: Some(ResponseRecord {
                status,
                headers: vec![],
                body: body.into(),
                truncated: false,
                values: Default::default(),
            }),
            checks: checks
                .iter()
                .map(|(id, outcome)| CheckResult::new(*id, *outcome, String::new(), "d > s"))
                .collect(),
            curl: String::new(),
        }
    }

    fn case(id: &str, steps: Vec<StepReport>) -> CaseReport {
        CaseReport::example(id, steps)
    }

    #[test]
    fn exercised_observed_and_never_seen() {
        let target = TargetInfo {
            contract: "c".into(),
            title: String::new(),
            document: "d".into(),
            base_url: "http://h".into(),
            content_hash: String::new(),
            documented: Documented {
                endpoints: vec![DocEndpoint {
                    endpoint: "GET /s".into(),
                    doc: "d > s".into(),
                }],
                statuses: [200, 404, 500]
                    .into_iter()
                    .map(|code| NamedStatus {
                        code,
                        named_by: vec!["x".into()],
                    })
                    .collect(),
                tables: vec![DocTable {
                    name: "t".into(),
                    doc: "d > t".into(),
                    http_error_status: false,
                    pointer: Some("/status".into()),
                    endpoints: vec!["GET /s".into()],
                    values: [1, 2, 3]
                        .into_iter()
                        .map(|value| DocTableValue { value, name: None })
                        .collect(),
                }],
            },
        };
        let cases = vec![
            // 200 with value 1, every check held.
            case(
                "a",
                vec![step(
                    200,
                    r#"{"status":1}"#,
                    &[(CheckId::Status, Verdict::Pass)],
                )],
            ),
            // 404 and value 2 only where a check failed; 418 is named by nothing.
            case(
                "b",
                vec![
                    step(404, "{}", &[(CheckId::Status, Verdict::Fail)]),
                    step(200, r#"{"status":2}"#, &[(CheckId::Schema, Verdict::Fail)]),
                    step(418, "{}", &[(CheckId::Status, Verdict::Fail)]),
                ],
            ),
        ];
        let c = &compute(&[target], &cases)[0];
        let marks: Vec<(u16, Mark, usize)> = c
            .statuses
            .iter()
            .map(|s| (s.code, s.mark, s.responses))
            .collect();
        assert_eq!(
            marks,
            vec![
                (200, Mark::Exercised, 2),
                (404, Mark::Observed, 1),
                (500, Mark::NeverSeen, 0)
            ]
        );
        let values: Vec<(i64, Mark)> = c.tables[0]
            .values
            .iter()
            .map(|v| (v.value, v.mark))
            .collect();
        assert_eq!(
            values,
            vec![
                (1, Mark::Exercised),
                (2, Mark::Observed),
                (3, Mark::NeverSeen)
            ]
        );
        assert_eq!(c.undocumented_statuses.len(), 1);
        assert_eq!(c.undocumented_statuses[0].code, 418);
        assert_eq!(c.undocumented_statuses[0].cases, vec!["b".to_string()]);
        let cells = &c.endpoints[0].cells;
        let status = cells.iter().find(|k| k.check == "status").unwrap();
        assert_eq!((status.passed, status.failed), (1, 2));
        assert!(cells
            .iter()
            .find(|k| k.check == "capture")
            .unwrap()
            .is_empty());
        assert_eq!(c.endpoints[0].cases, 2);
    }
}
