//! `junit.xml`: one testsuite per contract, one testcase per case, failure text that a CI viewer
//! shows usefully (the check, expected against got, the clause, the curl line).
//!
//! A known failure is written as skipped with its reason ("expected failure: ..."), as pytest
//! does for xfail, so that a CI test tab agrees with the job's exit code. The contract's content
//! hash, target and the run's seed and digest are suite properties, for traceability.

use std::path::Path;

use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};

use super::{Format, Report, ReportError};
use crate::checks::Verdict;

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> Result<String, String> {
    let mut junit = JUnit::new("conform");
    for target in &report.targets {
        let mut suite = TestSuite::new(target.contract.as_str());
        suite.add_property(("document", target.document.as_str()));
        suite.add_property(("content_hash", target.content_hash.as_str()));
        suite.add_property(("target", target.base_url.as_str()));
        if let Some(seed) = report.seed {
            suite.add_property(("seed", seed.to_string().as_str()));
        }
        suite.add_property(("report_digest", report.certificate.digest.as_str()));
        for case in report
            .cases
            .iter()
            .filter(|c| c.contract == target.contract)
        {
            let known = report.known_failure(&case.id);
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
                    s.set_description(case.message.as_str());
                    s
                }
                Verdict::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let first = case.message.lines().next().unwrap_or("");
                    s.set_message(first);
                    s.set_type(case.check.as_deref().unwrap_or("failure"));
                    s.set_description(case.message.as_str());
                    s
                }
                Verdict::Pass | Verdict::Advisory => TestCaseStatus::success(),
            };
            let mut tc = TestCase::new(case.id.as_str(), status);
            tc.set_classname(format!("{}.{}", case.contract, case.endpoint));
            tc.set_time(std::time::Duration::from_millis(case.duration_ms));
            suite.add_test_case(tc);
        }
        junit.add_test_suite(suite);
    }
    junit.set_time(std::time::Duration::from_millis(report.duration_ms));
    junit.to_string().map_err(|e| e.to_string())
}

/// Writes `dir/junit.xml`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), ReportError> {
    super::write_all(report, dir, &[Format::Junit]).map(|_| ())
}
