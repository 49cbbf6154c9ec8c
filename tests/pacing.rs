//! Rate ceiling and 429 handling: a run never trips a staging rate limit by accident, and
//! rides out one it does trip, within bounded retries that the report states.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use conform::checks::Verdict;
use conform::engine::{self, RunContext, RunSettings};

fn run(faults: &[&str], filter: &str, rate: Option<f64>) -> conform::report::Report {
    let (_server, config) = common::server(faults);
    let settings = RunSettings {
        rate,
        ..Default::default()
    };
    let ctx = Arc::new(RunContext::new(common::contracts(), config, &settings).unwrap());
    let plans = engine::plan_for(&ctx, Default::default())
        .unwrap()
        .cases
        .into_iter()
        .filter(|p| p.id.contains(filter))
        .collect();
    common::runtime().block_on(engine::execute(ctx, plans, 16))
}

#[test]
fn a_429_is_retried_after_its_retry_after_and_reported() {
    let report = run(&["tenpay-rate-limited"], "tenpay::status::", None);
    assert_eq!(report.summary.total, 6);
    assert_eq!(report.summary.failed, 0, "{:#?}", report.cases);
    for case in &report.cases {
        let transport = case.steps[0]
            .checks
            .iter()
            .find(|c| c.id == "transport")
            .unwrap();
        assert_eq!(
            case.steps[0].retries, 1,
            "{}: {}",
            case.id, transport.message
        );
        assert_eq!(transport.outcome, Verdict::Pass, "{}", case.id);
    }
}

#[test]
fn a_429_that_never_ends_fails_after_bounded_retries() {
    let report = run(&["tenpay-always-429"], "tenpay::status::1001", None);
    let case = &report.cases[0];
    assert_eq!(case.outcome, Verdict::Fail);
    assert_eq!(case.check.as_deref(), Some("status"));
    let status = case.steps[0]
        .checks
        .iter()
        .find(|c| c.id == conform::checks::STATUS)
        .and_then(|c| c.finding.as_ref())
        .expect("the status check's finding");
    assert!(status.got.starts_with("429 "), "{status:#?}");
    let transport = case.steps[0]
        .checks
        .iter()
        .find(|c| c.id == "transport")
        .unwrap();
    assert_eq!(case.steps[0].retries, 3, "{}", transport.message);
}

#[test]
fn the_rate_ceiling_spaces_requests() {
    // N single-request cases at 40 per second cannot take less than (N-1)/40 s.
    let started = Instant::now();
    let report = run(&[], "tenpay::user-status::negative::", Some(40.0));
    let elapsed = started.elapsed();
    assert!(report.summary.total >= 8, "{}", report.summary.total);
    let floor = Duration::from_secs_f64((report.summary.total - 1) as f64 / 40.0);
    assert!(elapsed >= floor, "{elapsed:?} < {floor:?}");
    assert_eq!(report.summary.failed, 0);
}
