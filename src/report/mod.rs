//! The one report model that every output format renders; formats never talk to each other.
//!
//! `report.json` is this model serialized (its layout is versioned by [`FORMAT`] and described by
//! `docs/report.schema.json`); `junit.xml`, `report.md` and `report.html` are views of it and
//! read nothing else. Everything derived from the cases (summary, coverage, certificate, the
//! failure and advisory groups, the CI gate, the digest) is computed here by [`Report::finish`],
//! in one place, so that a single run, a partition of it and a merge of partitions agree by
//! construction.
//!
//! Format 2 added the derived `failure_groups` and `advisories` lists, the advisory counts of
//! clauses, contracts and coverage cells, and renamed what format 1 called warnings. A format 1
//! report still reads (for `diff`, `--baseline`, `merge` and `verify`): the renamed fields are
//! aliases, the added ones default, and [`Report::finish`] recomputes whatever is derived.
//!
//! Format 3 named the transcript (`transcript.jsonl`, every request and answer) that the report
//! points to, and left empty check messages out. Format 4 gives a check that did not hold its
//! `finding` (expected, got, the body pointers, the rest of the sentence); the steps of a passed
//! case carry no curl line (a case that does not pass has one for each of its steps).

pub mod baseline;
pub mod canonical;
pub mod certificate;
pub mod coverage;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod transcript;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::case_kind::CaseKind;
use crate::checks::{CheckId, CheckResult, Verdict};
use crate::partition::Partition;

pub use certificate::{Certificate, CertifiedContract, Clause, ClauseVerdict, RunVerdict};
pub use coverage::{
    table_values, CheckCell, ContractCoverage, DocEndpoint, DocTable, DocTableValue, Documented,
    EndpointCoverage, Mark, NamedStatus, StatusCoverage, TableCoverage, UnnamedStatus,
    ValueCoverage,
};
pub use groups::{AdvisoryGroup, FailureGroup, GroupedFailure};

/// Version of the `report.json` layout that this conform writes.
pub const FORMAT: u32 = 4;

/// The oldest layout this conform reads (see the module documentation).
pub const OLDEST_READ_FORMAT: u32 = 1;

/// A whole run (or one partition of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format: u32,
    pub tool: ToolInfo,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u64,
    /// `--seed` of the generated cases; `None` when the caller did not record it.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The share of the cases this report holds (`--partition K/N`); `None` for all of them.
    #[serde(default)]
    pub partition: Option<Partition>,
    /// TLS certificates were not verified (`--insecure`): the answers may not be the target's.
    #[serde(default)]
    pub insecure: bool,
    pub targets: Vec<TargetInfo>,
    pub summary: Summary,
    /// Whether a CI job should pass, given the known failures and the baseline.
    #[serde(default)]
    pub gate: Gate,
    #[serde(default)]
    pub certificate: Certificate,
    /// Per contract: endpoints x checks, and every status the documents name.
    #[serde(default)]
    pub coverage: Vec<ContractCoverage>,
    /// The failed cases grouped by the signature of their failures, largest group first.
    #[serde(default)]
    pub failure_groups: Vec<FailureGroup>,
    /// The decided rules that did not hold, each with its reason and cases.
    #[serde(default)]
    pub advisories: Vec<AdvisoryGroup>,
    /// The `--known-failures` list and what became of each entry.
    #[serde(default)]
    pub known_failures: Vec<KnownFailure>,
    /// The comparison with `--baseline`, when one was given.
    #[serde(default)]
    pub baseline: Option<BaselineDiff>,
    /// The transcript beside this report (every request and answer), when one was written.
    /// Cases that passed keep only their checks and statuses here; their bodies are there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<transcript::TranscriptInfo>,
    pub cases: Vec<CaseReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

impl ToolInfo {
    /// This build of conform.
    pub fn current() -> Self {
        ToolInfo {
            name: "conform".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// A contract that was run, where, and what its documents name (for coverage).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    pub contract: String,
    pub title: String,
    pub document: String,
    pub base_url: String,
    /// SHA-256 of the suite and its schemas.
    pub content_hash: String,
    /// Endpoints, statuses and status tables the contract names; coverage is measured against it.
    #[serde(default)]
    pub documented: Documented,
}

impl TargetInfo {
    /// The contract as run against `base_url`.
    pub fn new(contract: &crate::contract::Contract, base_url: &str) -> Self {
        TargetInfo {
            contract: contract.name().to_string(),
            title: contract.suite.title.clone(),
            document: contract.suite.document.clone(),
            base_url: base_url.to_string(),
            content_hash: contract.content_hash.clone(),
            documented: Documented::of(contract),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Checks of decided rules (the contract's readings where the document is silent) that
    /// did not hold: advisories, which never fail their case (except under `--strict`).
    #[serde(default, alias = "warnings")]
    pub advisories: usize,
    /// Cases that held every stated rule but not every decided one (counted in `passed` too).
    #[serde(default)]
    pub advised_cases: usize,
    /// Failed cases that the known-failures list expects to fail (counted in `failed` too).
    #[serde(default)]
    pub expected_failures: usize,
}

/// Whether a CI job should pass: every case held, or every failure is a known one, or (with a
/// baseline) nothing regressed. Exit code 1 exactly when `passed` is false.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub passed: bool,
    /// One line: why.
    pub reason: String,
}

/// One entry of the `--known-failures` list and what the run made of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownFailure {
    pub id: String,
    pub reason: String,
    pub status: KnownStatus,
}

/// What became of a known failure in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KnownStatus {
    /// It failed, as the list expects: an expected failure.
    Failing,
    /// It passed: fixed, so the entry should leave the list.
    Passing,
    /// It was skipped: nothing is known either way.
    Skipped,
    /// No case with this id ran (a typo, a renamed case, or another partition's case).
    Absent,
}

/// How this run differs from a baseline report (`--baseline OLD.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineDiff {
    /// The baseline file as given on the command line.
    pub source: String,
    /// The baseline's own certificate digest, to tell baselines apart.
    pub digest: String,
    /// Failing now; passed or was skipped in the baseline.
    pub newly_failing: Vec<CaseChange>,
    /// Passing now; failed in the baseline.
    pub newly_passing: Vec<CaseChange>,
    /// Not in the baseline.
    pub new: Vec<CaseChange>,
    /// In the baseline, not in this run.
    pub vanished: Vec<CaseChange>,
    /// Other outcome changes (to or from skipped).
    pub other_changes: Vec<CaseChange>,
    /// Why the comparison may mislead: the baseline ran another seed, other contracts or
    /// another conform, so some cases differ for that reason and not because of the target.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Ids of the regressions: newly failing or new and failing, and not a known failure.
    pub regressions: Vec<String>,
}

/// A case whose outcome differs between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChange {
    pub id: String,
    /// Outcome in the baseline (`None`: not there).
    pub before: Option<Verdict>,
    /// Outcome now (`None`: not run).
    pub after: Option<Verdict>,
    /// The check that fails now, if any.
    pub check: Option<CheckId>,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// Stable id: `contract::case` or `contract::endpoint::family::variant`.
    pub id: String,
    #[serde(deserialize_with = "crate::intern::read")]
    pub contract: Arc<str>,
    /// "METHOD /path" of the case's main step.
    #[serde(deserialize_with = "crate::intern::read")]
    pub endpoint: Arc<str>,
    /// Where the case comes from: written in the suite (`suite`, `flow`, `method`) or generated
    /// (`auth`, `negative`, `boundary`, `positive`).
    pub kind: CaseKind,
    /// Generator family within the kind (e.g. `wrong-type`, `conditional`); empty for suite cases.
    #[serde(default = "no_text", deserialize_with = "crate::intern::read")]
    pub family: Arc<str>,
    /// The first check that failed, if any.
    pub check: Option<CheckId>,
    pub outcome: Verdict,
    /// One screen: what failed, expected against got, and how to reproduce; or why skipped.
    pub message: String,
    /// Document clause the case exercises (file > section).
    #[serde(deserialize_with = "crate::intern::read")]
    pub doc: Arc<str>,
    pub duration_ms: u64,
    /// Optional steps the case left out for want of a value (its message lists them too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
    /// The run's time limit (`--run-timeout`) ended this case, or came before it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<TimeLimit>,
    pub steps: Vec<StepReport>,
}

/// An optional step a case left out: it needed a value the run did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The step's place in the case (`step 2/3`).
    pub step: String,
    /// "METHOD /path" of the step.
    pub endpoint: String,
    /// The variable that had no value.
    pub needs: String,
}

/// How the run's time limit ended a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeLimit {
    /// Reached while the case ran: its remaining steps, restore steps included, did not run.
    CutOff,
    /// Reached before the case started.
    NotRun,
}

fn no_text() -> Arc<str> {
    crate::intern::intern("")
}

#[cfg(test)]
impl CaseReport {
    /// A passed suite case `id` of contract `c` on `GET /s` (clause `d > s`), for unit tests.
    pub(crate) fn example(id: &str, steps: Vec<StepReport>) -> Self {
        CaseReport {
            id: id.into(),
            contract: "c".into(),
            endpoint: "GET /s".into(),
            kind: CaseKind::Suite,
            family: "".into(),
            check: None,
            outcome: Verdict::Pass,
            message: String::new(),
            doc: "d > s".into(),
            duration_ms: 0,
            left_out: vec![],
            time_limit: None,
            steps,
        }
    }
}

/// One request of a case and what came of it; secrets already redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// "METHOD /path".
    #[serde(deserialize_with = "crate::intern::read")]
    pub endpoint: Arc<str>,
    /// This step puts the target back as it was.
    pub restore: bool,
    /// Times the request was sent again because the target answered 429 Too Many Requests
    /// (honouring its `Retry-After`); the answer recorded is the last.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    pub request: RequestRecord,
    pub response: Option<ResponseRecord>,
    pub checks: Vec<CheckResult>,
    pub curl: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body was cut to the report limit.
    pub truncated: bool,
    /// The integers the documents' status tables read from this body, by JSON pointer: kept
    /// when the body itself is only in the transcript (a passed case of a long run).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub values: std::collections::BTreeMap<String, i64>,
}

impl Report {
    /// A report of these cases (sorted by id) against these targets, its derived parts not yet
    /// computed: the caller adds what it knows (seed, partition, known failures, a baseline),
    /// then calls [`Report::finish`] (or [`Report::derive`], for no digest). Deriving is a walk
    /// over every check of every case; done here too, a run would do it twice.
    pub fn new(
        targets: Vec<TargetInfo>,
        cases: Vec<CaseReport>,
        started_at: String,
        duration_ms: u64,
    ) -> Report {
        let mut report = Report {
            format: FORMAT,
            tool: ToolInfo::current(),
            started_at,
            duration_ms,
            seed: None,
            partition: None,
            insecure: false,
            targets,
            summary: Summary::default(),
            gate: Gate::default(),
            certificate: Certificate::default(),
            coverage: vec![],
            failure_groups: vec![],
            advisories: vec![],
            known_failures: vec![],
            baseline: None,
            transcript: None,
            cases,
        };
        report.cases.sort_by(|a, b| a.id.cmp(&b.id));
        report.targets.sort_by(|a, b| a.contract.cmp(&b.contract));
        report
    }

    /// [`Report::derive`], then the digest over all of it: what a report is written with.
    pub fn finish(&mut self) {
        self.derive();
        self.certificate.digest = certificate::digest_of(self);
    }

    /// Recomputes everything derived from the cases, the targets, the known-failures list and
    /// the baseline comparison: summary, known-failure statuses, regressions, coverage, failure
    /// and advisory groups, certificate and gate, not the digest (an empty one). Call it, or
    /// [`Report::finish`], after changing any of those. A derived report is of this conform's
    /// [`FORMAT`], whatever it was read as.
    pub fn derive(&mut self) {
        self.format = FORMAT;
        self.cases.sort_by(|a, b| a.id.cmp(&b.id));
        self.targets.sort_by(|a, b| a.contract.cmp(&b.contract));
        self.summary = Report::summarize(&self.cases);
        let outcome = |id: &str| {
            self.cases
                .binary_search_by(|c| c.id.as_str().cmp(id))
                .ok()
                .map(|i| self.cases[i].outcome)
        };
        for k in &mut self.known_failures {
            k.status = match outcome(&k.id) {
                None => KnownStatus::Absent,
                Some(Verdict::Fail) => KnownStatus::Failing,
                Some(Verdict::Skip) => KnownStatus::Skipped,
                Some(_) => KnownStatus::Passing,
            };
        }
        self.known_failures.sort_by(|a, b| a.id.cmp(&b.id));
        self.summary.expected_failures = self
            .known_failures
            .iter()
            .filter(|k| k.status == KnownStatus::Failing)
            .count();
        let known: std::collections::BTreeSet<&str> =
            self.known_failures.iter().map(|k| k.id.as_str()).collect();
        if let Some(b) = &mut self.baseline {
            for list in [
                &mut b.newly_failing,
                &mut b.newly_passing,
                &mut b.new,
                &mut b.vanished,
                &mut b.other_changes,
            ] {
                list.sort_by(|x, y| x.id.cmp(&y.id));
            }
            b.regressions = b
                .newly_failing
                .iter()
                .chain(b.new.iter().filter(|c| c.after == Some(Verdict::Fail)))
                .filter(|c| !known.contains(c.id.as_str()))
                .map(|c| c.id.clone())
                .collect();
            b.regressions.sort();
        }
        self.coverage = coverage::compute(&self.targets, &self.cases);
        self.failure_groups = groups::failure_groups(&self.cases);
        self.advisories = groups::advisory_groups(&self.cases);
        self.gate = self.compute_gate(&known);
        self.certificate = certificate::compute(self);
    }

    fn compute_gate(&self, known: &std::collections::BTreeSet<&str>) -> Gate {
        let failed: Vec<&str> = self
            .cases
            .iter()
            .filter(|c| c.outcome == Verdict::Fail)
            .map(|c| c.id.as_str())
            .collect();
        let unexpected = failed.iter().filter(|id| !known.contains(*id)).count();
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if let Some(b) = &self.baseline {
            let n = b.regressions.len();
            return Gate {
                passed: n == 0,
                reason: if n == 0 {
                    format!(
                        "no regressions against the baseline ({} failing now, {} newly passing)",
                        plural(failed.len(), "case", "cases"),
                        b.newly_passing.len()
                    )
                } else {
                    let shown: Vec<&str> =
                        b.regressions.iter().take(5).map(String::as_str).collect();
                    format!(
                        "{} against the baseline: {}{}",
                        plural(n, "regression", "regressions"),
                        shown.join(", "),
                        if n > shown.len() {
                            format!(" and {} more", n - shown.len())
                        } else {
                            String::new()
                        }
                    )
                },
            };
        }
        if failed.is_empty() {
            Gate {
                passed: true,
                reason: "every case held".into(),
            }
        } else if unexpected == 0 {
            Gate {
                passed: true,
                reason: format!(
                    "every failure is a known failure ({})",
                    plural(failed.len(), "expected failure", "expected failures")
                ),
            }
        } else {
            Gate {
                passed: false,
                reason: format!(
                    "{} failed{}",
                    plural(unexpected, "case", "cases"),
                    if unexpected < failed.len() {
                        format!(" besides {} known", failed.len() - unexpected)
                    } else {
                        String::new()
                    }
                ),
            }
        }
    }

    /// Recomputes the summary from the cases.
    pub fn summarize(cases: &[CaseReport]) -> Summary {
        let count = |v| cases.iter().filter(|c| c.outcome == v).count();
        Summary {
            total: cases.len(),
            passed: count(Verdict::Pass) + count(Verdict::Advisory),
            failed: count(Verdict::Fail),
            skipped: count(Verdict::Skip),
            advised_cases: count(Verdict::Advisory),
            advisories: cases
                .iter()
                .flat_map(|c| c.steps.iter())
                .flat_map(|s| s.checks.iter())
                .filter(|k| k.outcome == Verdict::Advisory)
                .count(),
            expected_failures: 0,
        }
    }

    /// True when no case failed.
    pub fn held(&self) -> bool {
        self.summary.failed == 0
    }

    /// The case with this id.
    pub fn case(&self, id: &str) -> Option<&CaseReport> {
        self.cases.iter().find(|c| c.id == id)
    }
}

impl CaseReport {
    /// The steps in which a check failed, with their 1-based number and the failed checks.
    pub fn failed_steps(&self) -> Vec<(usize, &StepReport, Vec<&CheckResult>)> {
        self.steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let failed: Vec<&CheckResult> = s
                    .checks
                    .iter()
                    .filter(|c| c.outcome == Verdict::Fail)
                    .collect();
                (!failed.is_empty()).then_some((i + 1, s, failed))
            })
            .collect()
    }
}

impl Report {
    /// The failed cases, in id order.
    pub fn failures(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.outcome == Verdict::Fail)
    }

    /// The known-failures entry of a case, if it has one.
    pub fn known_failure(&self, id: &str) -> Option<&KnownFailure> {
        self.known_failures.iter().find(|k| k.id == id)
    }
}

/// An output format of `--report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `report.json`, the model itself.
    Json,
    /// `junit.xml`, for CI test viewers.
    Junit,
    /// `report.md`, for a GitHub job summary.
    Md,
    /// `report.html`, one self-contained page to read and archive.
    Html,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Md, Format::Html];

    /// The name `--report` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Md => "md",
            Format::Html => "html",
        }
    }

    /// The format of that name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The file this format is written to.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "report.json",
            Format::Junit => "junit.xml",
            Format::Md => "report.md",
            Format::Html => "report.html",
        }
    }

    /// The report rendered in this format.
    pub fn render(self, report: &Report) -> Result<String, ReportError> {
        match self {
            Format::Json => json::render(report).map_err(ReportError::Json),
            Format::Junit => junit::render(report).map_err(ReportError::Junit),
            Format::Md => Ok(markdown::render(report)),
            Format::Html => Ok(html::render(report)),
        }
    }
}

/// Why a report could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("failed to write {path}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to read report {path}")]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a conform report: {message}")]
    Invalid {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{path} is report format {found}; this conform reads formats {OLDEST_READ_FORMAT} to {FORMAT}")]
    Version {
        path: std::path::PathBuf,
        found: u64,
    },
    #[error("failed to render report.json")]
    Json(#[source] serde_json::Error),
    #[error("failed to render junit.xml: {0}")]
    Junit(String),
}

/// Writes each of `formats` into `dir` (created if needed); returns the paths written.
pub fn write_all(
    report: &Report,
    dir: &Path,
    formats: &[Format],
) -> Result<Vec<std::path::PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for format in formats {
        let path = dir.join(format.file_name());
        let write_error = |source| ReportError::Write {
            path: path.clone(),
            source,
        };
        if *format == Format::Json {
            // Straight to the file: a long run's report is never one string in memory.
            use std::io::Write as _;
            let file = std::fs::File::create(&path).map_err(write_error)?;
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut out, report)
                .map_err(|e| write_error(std::io::Error::other(e)))?;
            out.write_all(b"\n")
                .and_then(|_| out.flush())
                .map_err(write_error)?;
        } else {
            let text = format.render(report)?;
            std::fs::write(&path, text).map_err(write_error)?;
        }
        written.push(path);
    }
    Ok(written)
}

/// Seconds since the epoch as RFC 3339 UTC (`2026-11-23T10:55:40Z`).
pub fn rfc3339(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_431_340), "2026-11-23T10:55:40Z");
    }
}
