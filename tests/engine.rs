//! The one engine as `conform run` drives it: slimmed cases with a transcript give the same
//! report as cases kept whole; the console's three formats; the transcript's digest.

mod common;

use std::collections::BTreeMap;

use common::{conform, text};
use conform::checks::Verdict;
use conform::engine::{self, RunContext, RunOptions, RunSettings};
use conform::report::transcript;

/// Runs the cases of `filter` against a server with `faults`, slimmed with a transcript in
/// `dir` when `slim`, else kept whole.
fn run(
    faults: &[&str],
    filter: &str,
    slim: bool,
    dir: &std::path::Path,
) -> conform::report::Report {
    let (_server, config) = common::server(faults);
    let ctx = std::sync::Arc::new(
        RunContext::new(common::contracts(), config, &RunSettings::default()).unwrap(),
    );
    let plans: Vec<_> = engine::plan_for(&ctx, Default::default())
        .unwrap()
        .cases
        .into_iter()
        .filter(|p| p.id.starts_with(filter))
        .collect();
    let mut writer = transcript::Writer::create(dir).unwrap();
    let options = RunOptions {
        concurrency: 4,
        slim,
    };
    let mut report =
        common::runtime().block_on(engine::run(ctx, plans, options, &mut [&mut writer]));
    report.transcript = Some(writer.finish().unwrap());
    report.finish();
    report
}

#[test]
fn slimmed_cases_give_the_report_whole_cases_give_and_the_transcript_holds_the_rest() {
    // tenpay-status-1 fails a case; the status table of tenpay reads a value from 2xx bodies.
    let faults = ["tenpay-status-1"];
    let slim_dir = tempfile::tempdir().unwrap();
    let whole_dir = tempfile::tempdir().unwrap();
    let slim = run(&faults, "tenpay::", true, slim_dir.path());
    let whole = run(&faults, "tenpay::", false, whole_dir.path());
    assert!(slim.summary.failed > 0, "the fault shows");
    assert_eq!(slim.summary, whole.summary);
    assert_eq!(
        slim.coverage, whole.coverage,
        "table values survive the slimming"
    );
    // Groups and clauses the same (their curl lines and targets name each server's own port).
    let groups = |r: &conform::report::Report| {
        r.failure_groups
            .iter()
            .map(|g| (g.id.clone(), g.cases.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(groups(&slim), groups(&whole));
    let clauses = |r: &conform::report::Report| {
        r.certificate
            .contracts
            .iter()
            .map(|c| (c.verdict, c.clauses.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(clauses(&slim), clauses(&whole));
    let tenpay = slim
        .coverage
        .iter()
        .find(|c| c.contract == "tenpay")
        .unwrap();
    let seen: usize = tenpay
        .tables
        .iter()
        .flat_map(|t| t.values.iter())
        .map(|v| v.responses)
        .sum();
    assert!(
        seen > 0,
        "a status table value was seen: {:#?}",
        tenpay.tables
    );
    // Passed cases keep no bodies in memory; failed ones keep everything.
    for case in &slim.cases {
        for step in &case.steps {
            let response = step.response.as_ref().unwrap();
            if case.outcome == Verdict::Pass {
                assert!(
                    response.body.is_empty() && response.headers.is_empty(),
                    "{}",
                    case.id
                );
                assert!(
                    step.request.headers.is_empty() && step.curl.is_empty(),
                    "{}",
                    case.id
                );
            } else {
                assert!(!step.curl.is_empty(), "{}", case.id);
            }
        }
    }
    // The transcript has every case whole, as the whole run has them.
    let path = slim_dir.path().join(transcript::FILE);
    let lines: BTreeMap<String, transcript::TranscriptCase> = transcript::read(&path)
        .unwrap()
        .map(|c| c.unwrap())
        .map(|c| (c.id.clone(), c))
        .collect();
    assert_eq!(lines.len(), slim.cases.len());
    let info = slim.transcript.as_ref().unwrap();
    assert_eq!(info.cases, slim.cases.len());
    assert_eq!(
        transcript::digest_file(&path).unwrap(),
        (info.cases, info.sha256.clone())
    );
    for case in &whole.cases {
        let line = &lines[&case.id];
        assert_eq!(line.steps.len(), case.steps.len(), "{}", case.id);
        for (a, b) in line.steps.iter().zip(&case.steps) {
            assert_eq!(a.request.method, b.request.method);
            let (ra, rb) = (a.response.as_ref().unwrap(), b.response.as_ref().unwrap());
            assert_eq!(ra.status, rb.status, "{}", case.id);
            assert!(!ra.headers.is_empty(), "{}", case.id);
        }
    }
}

/// `conform run` on the tenpay cases with these extra arguments, in `dir`.
fn run_cli(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    common::run_cli(dir, "out", extra).0
}

#[test]
fn the_console_speaks_libtest_terse_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    // JSON: every stdout line is an event; the summary a person reads goes to stderr.
    let o = run_cli(tmp.path(), &["--format", "json", "tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("out/report.json")).unwrap())
            .unwrap();
    let cases = report["cases"].as_array().unwrap().len();
    assert_eq!(events[0]["type"], "suite");
    assert_eq!(events[0]["event"], "started");
    assert_eq!(events[0]["test_count"], cases);
    let count = |kind: &str, event: &str| {
        events
            .iter()
            .filter(|e| e["type"] == kind && e["event"] == event)
            .count()
    };
    assert_eq!(count("test", "started"), cases);
    assert_eq!(count("test", "ok"), cases);
    assert!(count("step", "finished") >= cases);
    let last = events.last().unwrap();
    assert_eq!(
        (&last["type"], &last["event"]),
        (&"suite".into(), &"ok".into())
    );
    assert_eq!(last["passed"], cases);
    // A case's events come in order: started, its steps, then its verdict.
    for case in report["cases"].as_array().unwrap() {
        let id = &case["id"];
        let mine: Vec<&serde_json::Value> = events.iter().filter(|e| &e["name"] == id).collect();
        assert_eq!(mine.first().unwrap()["event"], "started", "{id}");
        assert_eq!(mine.last().unwrap()["type"], "test", "{id}");
        assert_eq!(
            mine.len(),
            2 + case["steps"].as_array().unwrap().len(),
            "{id}"
        );
    }
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("conform: "),
        "{}",
        text(&o)
    );

    // Terse: one character per case, then libtest's result line.
    let o = run_cli(tmp.path(), &["--format", "terse", "tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let dots: usize = stdout
        .lines()
        .filter(|l| l.starts_with('.'))
        .map(|l| l.chars().take_while(|c| *c == '.').count())
        .sum();
    assert_eq!(dots, cases, "{stdout}");
    assert!(
        stdout.contains(&format!("test result: ok. {cases} passed; 0 failed")),
        "{stdout}"
    );

    // libtest, with a failure: its section and its line, and the exit code 1.
    let o = run_cli(tmp.path(), &["--fault", "tenpay-status-1", "tenpay::"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("\nfailures:\n\n---- tenpay::"), "{stdout}");
    assert!(stdout.contains("test result: FAILED."), "{stdout}");
    // --exact on a listed name runs exactly it.
    let o = run_cli(tmp.path(), &["--list", "tenpay::"]);
    let first = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap()
        .trim_end_matches(": test")
        .to_string();
    let o = run_cli(tmp.path(), &["--exact", &first]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("running 1 test\n"), "{stdout}");
    assert!(stdout.contains(" filtered out;"), "{stdout}");
}

#[test]
fn verify_catches_an_edited_transcript() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_cli(tmp.path(), &["tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let verify = || conform(&["verify", "out/report.json"], tmp.path());
    let o = verify();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("transcript.jsonl: "), "{}", text(&o));
    let path = tmp.path().join("out").join(transcript::FILE);
    let edited =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"status\":200", "\"status\":201", 1);
    std::fs::write(&path, edited).unwrap();
    let o = verify();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("it was changed after conform wrote it"),
        "{}",
        text(&o)
    );
}
