//! `junit.xml`: one testsuite per contract, one testcase per case, failure text that a CI viewer
//! shows usefully (the check, expected against got, the curl line).

use std::path::Path;

use quick_junit::{NonSuccessKind, Report as JUnit, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::checks::Verdict;

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> Result<String, String> {
    let mut junit = JUnit::new("conform");
    for target in &report.targets {
        let mut suite = TestSuite::new(target.contract.as_str());
        for case in report
            .cases
            .iter()
            .filter(|c| c.contract == target.contract)
        {
            let status = match case.outcome {
                Verdict::Pass | Verdict::Warn => TestCaseStatus::success(),
                Verdict::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(case.message.as_str());
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
pub fn write_report(report: &Report, dir: &Path) -> std::io::Result<()> {
    let text = render(report).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("junit.xml"), text)
}
