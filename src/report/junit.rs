//! `junit.xml`: one testsuite per contract, one testcase per case, failure text that a CI viewer
//! shows usefully.
//!
//! CI tools count and track testcases, so a case stays one testcase even when forty cases fail
//! alike; the failure's text names its group (the id `report.md`, `report.html` and
//! `report.json` list it under) and how many cases share it, so the reader of one red testcase
//! knows it is not alone. The text gives, for every failed check, expected against got, the
//! clause and the document's words the rule rests on, then the curl line.
//!
//! A decided rule that did not hold is an advisory, not a failure: its case is a success (CI
//! must not go red for the contract's own readings), with each advisory and its reason in
//! `system-out`, where viewers show it beside the case. Each suite carries the contract's
//! advisory count as a property, with its content hash, target, and the run's seed and digest,
//! for traceability.
//!
//! A known failure is written as skipped with its reason ("expected failure: ..."), as pytest
//! does for xfail, so that a CI test tab agrees with the job's exit code.

use std::fmt::Write as _;
use std::path::Path;

use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};

use super::{CaseReport, FailureGroup, Format, Report, ReportError};
use crate::checks::{CheckId, Verdict};

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> Result<String, String> {
    let mut junit = JUnit::new("conform");
    for target in &report.targets {
        let cases: Vec<&CaseReport> = report
            .cases
            .iter()
            .filter(|c| *c.contract == *target.contract)
            .collect();
        let advisories = cases
            .iter()
            .flat_map(|c| c.steps.iter().flat_map(|s| s.checks.iter()))
            .filter(|k| k.outcome == Verdict::Advisory)
            .count();
        let groups = report
            .failure_groups
            .iter()
            .filter(|g| g.contract == target.contract)
            .count();
        let mut suite = TestSuite::new(target.contract.as_str());
        suite.add_property(("document", target.document.as_str()));
        suite.add_property(("content_hash", target.content_hash.as_str()));
        suite.add_property(("target", target.base_url.as_str()));
        if let Some(seed) = report.seed {
            suite.add_property(("seed", seed.to_string().as_str()));
        }
        suite.add_property(("report_digest", report.certificate.digest.as_str()));
        suite.add_property(("advisories", advisories.to_string().as_str()));
        suite.add_property(("failure_groups", groups.to_string().as_str()));
        for case in cases {
            let known = report.known_failure(&case.id);
            let group = report.failure_group_of(&case.id);
            let status = match case.outcome {
                Verdict::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(case.message.as_str());
                    s
                }
                Verdict::Fail if known.is_some() => {
                    let mut s = TestCaseStatus::skipped();
                    let reason = known.map_or("", |k| k.reason.as_str());
                    s.set_message(format!("expected failure: {reason}"));
                    s.set_description(failure_text(case, group));
                    s
                }
                Verdict::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(failure_headline(case, group));
                    s.set_type(case.check.as_deref().unwrap_or("failure"));
                    s.set_description(failure_text(case, group));
                    s
                }
                Verdict::Pass | Verdict::Advisory => TestCaseStatus::success(),
            };
            let mut tc = TestCase::new(case.id.as_str(), status);
            tc.set_classname(format!("{}.{}", case.contract, case.endpoint));
            tc.set_time(std::time::Duration::from_millis(case.duration_ms));
            if let Some(text) = advisory_text(case) {
                tc.set_system_out(text);
            }
            suite.add_test_case(tc);
        }
        junit.add_test_suite(suite);
    }
    junit.set_time(std::time::Duration::from_millis(report.duration_ms));
    junit.to_string().map_err(|e| e.to_string())
}

/// "how many cases fail alike", for a group of `n`.
fn alike(group: &FailureGroup) -> String {
    match group.cases.len() {
        1 => format!("failure group {}, this case alone", group.id),
        n => format!("failure group {}, {n} cases fail alike", group.id),
    }
}

/// The `message` attribute: the first failure in one line, and its group.
fn failure_headline(case: &CaseReport, group: Option<&FailureGroup>) -> String {
    let first = group.and_then(|g| g.failures.first());
    let line = match first {
        Some(f) => format!(
            "[{}] {}",
            f.check,
            case_message_of(case, f.check).lines().next().unwrap_or("")
        ),
        None => case.message.lines().next().unwrap_or("").to_string(),
    };
    match group {
        Some(g) => format!("{line} ({})", alike(g)),
        None => line,
    }
}

/// This case's own message for `check` (the group's first case may be another case).
fn case_message_of(case: &CaseReport, check: CheckId) -> &str {
    case.steps
        .iter()
        .flat_map(|s| s.checks.iter())
        .find(|k| k.outcome == Verdict::Fail && k.id == check)
        .map_or(case.message.as_str(), |k| k.message.as_str())
}

/// The failure text: the group, then every failed check of this case with its clause and the
/// document's words, then how to reproduce it.
fn failure_text(case: &CaseReport, group: Option<&FailureGroup>) -> String {
    let mut out = String::new();
    if let Some(g) = group {
        let _ = writeln!(
            out,
            "{} (see report.md, report.html or report.json under {})",
            alike(g),
            g.id
        );
    }
    let steps = case.failed_steps();
    if steps.is_empty() {
        let _ = writeln!(out, "{}\n  clause: {}", case.message.trim_end(), case.doc);
        return out;
    }
    let total = case.steps.len();
    for (n, step, checks) in steps {
        let _ = writeln!(
            out,
            "step {n}/{total}{} {} -> {}",
            if step.restore { " (restore)" } else { "" },
            step.endpoint,
            step.response
                .as_ref()
                .map_or("no answer".to_string(), |r| r.status.to_string())
        );
        for k in checks {
            let _ = writeln!(out, "  [{}] {}", k.id, k.message.trim_end());
            let _ = writeln!(out, "      clause: {}", k.doc);
            if let Some(q) = &k.quote {
                let _ = writeln!(out, "      the document says: “{q}”");
            }
            if let Some(r) = &k.reason {
                let _ = writeln!(out, "      decided rule, failing under --strict: {r}");
            }
            if k.quote.is_none() && k.reason.is_none() {
                let _ = writeln!(
                    out,
                    "      (the suite quotes no words of the document here)"
                );
            }
        }
        let _ = writeln!(out, "  reproduce: {}", step.curl);
    }
    out
}

/// `system-out` of a case with advisories: each with its clause and reason.
fn advisory_text(case: &CaseReport) -> Option<String> {
    let mut out = String::new();
    for step in &case.steps {
        for k in step
            .checks
            .iter()
            .filter(|k| k.outcome == Verdict::Advisory)
        {
            let _ = writeln!(
                out,
                "advisory [{}] {}: {}\n    clause: {}\n    decided, not stated: {}",
                k.id,
                step.endpoint,
                k.message.trim_end(),
                k.doc,
                k.reason.as_deref().unwrap_or("no reason recorded")
            );
        }
    }
    (!out.is_empty()).then(|| {
        format!("Held the document; decided rules did not hold (advisories, not failures):\n{out}")
    })
}

/// Writes `dir/junit.xml`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), ReportError> {
    super::write_all(report, dir, &[Format::Junit]).map(|_| ())
}
