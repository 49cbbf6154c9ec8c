//! The lenient reference server takes the other side of every decision the contracts make
//! (other 4xx codes, 2xx other than 200 where no response is shown, errors without bodies, extra
//! fields, reordered keys, a charset, a new connection per request, longer and shorter strings,
//! values outside the contracts' chosen ranges) while holding every sentence of the documents.
//! A vendor's implementation like it must pass: zero failures, and each decision it breaks shown
//! as an advisory with its reason. Under `--strict` the same run fails.

mod common;

use std::collections::BTreeSet;

use conform::checks::Verdict;

#[test]
fn a_run_against_the_lenient_server_has_no_failure_and_advises_on_each_decision() {
    let (_server, config) = common::server_with(&[], true);
    let report = common::run(config, "");
    let failures: Vec<String> = report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Fail)
        .map(|c| c.message.clone())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert_eq!(report.summary.skipped, 0);
    let advisories = common::advisories(&report);
    let checks: BTreeSet<&str> = advisories
        .iter()
        .flat_map(|(_, c)| c.iter().map(String::as_str))
        .collect();
    // Decisions of every kind show: statuses, bodies, media types, schema ranges, promises.
    for check in ["status", "schema", "content-type", "status-table"] {
        assert!(
            checks.contains(check),
            "no `{check}` advisory: {advisories:#?}"
        );
    }
    let contracts: BTreeSet<&str> = report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Advisory)
        .map(|c| &*c.contract)
        .collect();
    assert_eq!(contracts.len(), 4, "{contracts:?}");
    // Every advisory says why the rule is the contract's and not the document's.
    for case in report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Advisory)
    {
        for check in case.steps.iter().flat_map(|s| s.checks.iter()) {
            if check.outcome == Verdict::Advisory {
                let reason = check.reason.as_deref().unwrap_or("");
                assert!(reason.len() > 20, "{}: {check:?}", case.id);
                // Each decided keyword's own reason, never the generic fallback.
                assert!(
                    !reason.contains("docs/decisions.md"),
                    "{}: {check:?}",
                    case.id
                );
            }
        }
    }
}

#[test]
fn under_strict_the_lenient_server_fails_on_the_decisions() {
    let (_server, config) = common::server_with(&[], true);
    let report = common::run_strict(config, "");
    assert!(report.summary.failed > 0, "{:?}", report.summary);
    let advisories = report
        .cases
        .iter()
        .flat_map(|c| c.steps.iter())
        .flat_map(|s| s.checks.iter())
        .filter(|k| k.outcome == Verdict::Advisory)
        .count();
    assert_eq!(advisories, 0, "--strict leaves no advisory");
}

#[test]
fn the_plain_reference_server_still_passes_without_advisories() {
    let (_server, config) = common::server(&[]);
    let report = common::run(config, "");
    assert_eq!(report.summary.failed, 0, "{:#?}", common::failures(&report));
    assert_eq!(
        report.summary.advisories,
        0,
        "{:#?}",
        common::advisories(&report)
    );
}
