//! Memory stays bounded against a 1 GiB body and an endless one. A test binary of its own, with
//! one test, so that the process's peak resident set (VmHWM) measures this run alone: the
//! harness, the in-process reference server streaming the bodies, and nothing else.

mod common;
mod hostile_support;

use std::time::Duration;

use conform::checks::Verdict;
use conform::engine::RunSettings;

/// Far above what a 4 MiB body cap needs, far below what reading 1 GiB would take.
const PEAK_LIMIT: u64 = 200 * 1024 * 1024;

#[test]
fn huge_and_endless_bodies_keep_the_peak_resident_set_bounded() {
    for fault in ["tenpay-huge-body", "tenpay-endless-body"] {
        let (_server, config) = common::server(&[fault]);
        // Six 200 answers, read at once: each must stop at the cap.
        let settings = RunSettings {
            http: conform::http::HttpOptions {
                timeout: Duration::from_secs(120),
                ..Default::default()
            },
            ..Default::default()
        };
        let report = hostile_support::run_with_settings(config, "tenpay::status::", &settings);
        assert_eq!(report.cases.len(), 6, "{fault}");
        for c in &report.cases {
            assert_eq!(c.outcome, Verdict::Fail, "{fault} {}", c.id);
            let found = common::found(c, Verdict::Fail);
            assert!(
                found.iter().any(|(_, got)| got.contains("body too large")),
                "{fault}: {found:#?}"
            );
        }
        let peak = hostile_support::peak_rss();
        eprintln!("{fault}: peak resident set {} MiB", peak >> 20);
        assert!(
            peak < PEAK_LIMIT,
            "{fault}: peak resident set {} MiB is over {} MiB",
            peak >> 20,
            PEAK_LIMIT >> 20
        );
    }
}
