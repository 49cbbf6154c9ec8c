//! Snapshots of every report format, for the reference server as it is and with injected faults,
//! and the committed baseline `reports/baseline.json`: any change in what the harness checks
//! (cases, requests, checks, messages, clauses, coverage) shows up in review as a snapshot diff.
//!
//! Timings, ports, dates, digests and the tool version are redacted (insta redactions and
//! filters); what the reference server makes up anew on each start (QR codes, TOTP codes, its
//! clock) is scrubbed from the model first. The baseline is stored normalized the same way
//! (and still verifies), so it too changes only when what the harness does changes. Update with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test report_snapshots`), and the baseline with
//! `CONFORM_UPDATE_BASELINE=1 cargo test --test report_snapshots`.

mod common;
mod report_support;

use conform::report::baseline;
use conform::report::{json::read_report, Format, Report};
use report_support::{
    faulted_run, first_difference, normalized, passing_run, scrub_target_noise, text_filters,
};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../reports/snapshots");
    s.set_prepend_module_to_snapshot(false);
    for (regex, replacement) in text_filters() {
        s.add_filter(regex, replacement);
    }
    s
}

/// Every format of `report`, as `name.<format>` snapshots.
fn snapshot_every_format(name: &str, report: &Report) {
    let report = scrub_target_noise(report);
    settings().bind(|| {
        insta::assert_json_snapshot!(format!("{name}.report.json"), report, {
            ".started_at" => "[date]",
            ".duration_ms" => "[ms]",
            ".cases[].duration_ms" => "[ms]",
            ".tool.version" => "[version]",
            ".certificate.date" => "[date]",
            ".certificate.tool" => "[tool]",
            ".certificate.digest" => "[digest]",
        });
        insta::assert_snapshot!(
            format!("{name}.junit.xml"),
            Format::Junit.render(&report).unwrap()
        );
        insta::assert_snapshot!(
            format!("{name}.report.md"),
            Format::Md.render(&report).unwrap()
        );
        insta::assert_snapshot!(
            format!("{name}.report.html"),
            Format::Html.render(&report).unwrap()
        );
    });
}

#[test]
fn every_format_of_the_reference_run() {
    let report = passing_run();
    assert!(report.held(), "{:?}", report.summary);
    snapshot_every_format("reference", &report);
}

#[test]
fn every_format_of_a_run_with_injected_faults() {
    let report = faulted_run();
    assert!(report.summary.failed >= 2, "{:?}", report.summary);
    snapshot_every_format("faults", &report);
}

#[test]
fn the_committed_baseline_matches_a_fresh_run() {
    let fresh = passing_run();
    let path = common::path("reports/baseline.json");
    if std::env::var_os("CONFORM_UPDATE_BASELINE").is_some() {
        // Normalized (no timings, port 0, a fixed date, the target's random values scrubbed) so
        // that it only changes when what the harness does changes; still a valid report.
        std::fs::write(&path, Format::Json.render(&normalized(&fresh)).unwrap()).unwrap();
    }
    let update =
        "regenerate it with `CONFORM_UPDATE_BASELINE=1 cargo test --test report_snapshots` \
                  and review the diff";
    let read = read_report(&path).unwrap_or_else(|e| panic!("{e}: {update}"));
    assert_eq!(
        read.integrity,
        Ok(()),
        "reports/baseline.json was edited by hand"
    );
    let baseline = read.report;
    // First the outcomes, which say the most...
    let diff = baseline::compare(&baseline, &fresh, "reports/baseline.json");
    let changed: Vec<String> = [
        ("newly failing", &diff.newly_failing),
        ("newly passing", &diff.newly_passing),
        ("new", &diff.new),
        ("vanished", &diff.vanished),
        ("other changes", &diff.other_changes),
    ]
    .iter()
    .flat_map(|(what, list)| list.iter().map(move |c| format!("{what}: {}", c.id)))
    .collect();
    assert!(changed.is_empty(), "{changed:#?}\n{update}");
    // ...then everything else the harness did: requests, checks, messages, coverage.
    assert_eq!(
        first_difference(&normalized(&baseline), &normalized(&fresh)),
        None,
        "{update}"
    );
}
