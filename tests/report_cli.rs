//! The real binary on reports: `--report`, `--baseline`, `--known-failures`, `--partition`,
//! `diff`, `merge` and `verify`, with their exit codes (0 held, 1 failure or regression,
//! 2 unusable input) and clear errors instead of panics.

mod common;

use common::{conform, text};

use std::path::{Path, PathBuf};
use std::process::Output;

/// `conform run` on the embedded server into `dir/out`, with extra arguments; returns the
/// output and the report.json path.
fn run(dir: &Path, out: &str, extra: &[&str]) -> (Output, PathBuf) {
    common::run_cli(dir, out, extra)
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn run_writes_every_format_by_default_and_only_those_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, _) = run(tmp.path(), "all", &["tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        assert!(tmp.path().join("all").join(f).is_file(), "{f}");
    }
    // Only tenpay ran: the job passes, but that is no certificate for the other contracts.
    assert!(
        text(&o).contains("verdict INCONCLUSIVE; CI gate passed: every case held"),
        "{}",
        text(&o)
    );
    let (o, _) = run(tmp.path(), "some", &["--report", "md,json", "tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("some"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // The transcript (every request and answer) is always written: it is what lets a long run
    // keep only a slim copy of each case in memory.
    assert_eq!(names, vec!["report.json", "report.md", "transcript.jsonl"]);
    let o = conform(&["--help"], tmp.path());
    assert!(
        text(&o).contains("1 a conformance failure (with --baseline or"),
        "{}",
        text(&o)
    );
    let (o, _) = run(tmp.path(), "bad", &["--report", "pdf"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("invalid value 'pdf'"), "{}", text(&o));
}

#[test]
fn the_seed_is_recorded_and_the_report_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, report) = run(tmp.path(), "r", &["--seed", "42", "tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = read_json(&report);
    assert_eq!(v["seed"], 42);
    assert_eq!(v["certificate"]["seed"], 42);
    let o = conform(&["verify", report.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("matches"), "{}", text(&o));
    // An edited report no longer verifies.
    let edited =
        std::fs::read_to_string(&report)
            .unwrap()
            .replacen("\"seed\": 42", "\"seed\": 43", 1);
    let path = tmp.path().join("edited.json");
    std::fs::write(&path, edited).unwrap();
    let o = conform(&["verify", path.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("changed after conform wrote it"),
        "{}",
        text(&o)
    );
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, "{not json").unwrap();
    let o = conform(&["verify", garbage.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn diff_exits_1_on_a_regression_0_otherwise_and_2_on_a_bad_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, good) = run(tmp.path(), "good", &["tenpay::"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let (o, bad) = run(
        tmp.path(),
        "bad",
        &["--fault", "tenpay-status-1", "tenpay::"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());

    let o = conform(&["diff", good, bad], tmp.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("newly failing: 1\n  tenpay::status::1003 (pass -> fail)"),
        "{t}"
    );
    assert!(t.contains("REGRESSION"), "{t}");
    assert!(t.ends_with("1 regression\n"), "{t}");

    let o = conform(&["diff", bad, good], tmp.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("newly passing: 1\n  tenpay::status::1003 (fail -> pass)"),
        "{t}"
    );
    assert!(t.ends_with("no regressions\n"), "{t}");

    let o = conform(&["diff", good, good], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    for (name, body, expected) in [
        ("garbage.json", "{\"format\": 1, \"cases\": [", "not JSON"),
        ("future.json", "{\"format\": 5}", "report format 5"),
        (
            "other.json",
            "{\"format\": 1, \"cases\": {}}",
            "is not a conform report",
        ),
    ] {
        let p = tmp.path().join(name);
        std::fs::write(&p, body).unwrap();
        let o = conform(&["diff", p.to_str().unwrap(), good], tmp.path());
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {t}");
        assert!(t.contains(expected) && t.contains(name), "{name}: {t}");
        assert!(!t.contains("panicked"), "{t}");
    }
    let o = conform(&["diff", "absent.json", good], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("failed to read report absent.json"),
        "{}",
        text(&o)
    );
}

#[test]
fn run_with_a_baseline_exits_1_only_on_regressions() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, old) = run(
        tmp.path(),
        "old",
        &["--fault", "tenpay-status-1", "tenpay::"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let old = old.to_str().unwrap().to_string();

    // Same failure as the baseline: the job stays green.
    let (o, new) = run(
        tmp.path(),
        "same",
        &["--baseline", &old, "--fault", "tenpay-status-1", "tenpay::"],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("CI gate passed: no regressions against the baseline"),
        "{t}"
    );
    assert_eq!(
        read_json(&new)["baseline"]["regressions"],
        serde_json::json!([])
    );
    let md = std::fs::read_to_string(tmp.path().join("same/report.md")).unwrap();
    assert!(md.contains("## Against the baseline"), "{md}");

    // Something new breaks: exit 1, named.
    let (o, _) = run(
        tmp.path(),
        "worse",
        &[
            "--baseline",
            &old,
            "--fault",
            "tenpay-status-1",
            "--fault",
            "tenpay-text-content-type",
            "tenpay::",
        ],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("regression: tenpay::status::1001"), "{t}");

    // A baseline that is not a report is a usage error before anything runs.
    let p = tmp.path().join("nope.json");
    std::fs::write(&p, "[]").unwrap();
    let (o, _) = run(tmp.path(), "x", &["--baseline", p.to_str().unwrap()]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("failed to use") && t.contains("as the baseline"),
        "{t}"
    );
    assert!(!t.contains("test result"), "nothing ran: {t}");
}

#[test]
fn known_failures_keep_the_job_green_and_a_stale_entry_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("known.toml");
    std::fs::write(
        &list,
        "[[known]]\nid = \"tenpay::status::1003\"\nreason = \"legacy code 1 (TICKET-812)\"\n\n\
         [[known]]\nid = \"tenpay::status::1001\"\nreason = \"was broken last week\"\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let (o, report) = run(
        tmp.path(),
        "r",
        &[
            "--known-failures",
            list,
            "--fault",
            "tenpay-status-1",
            "tenpay::",
        ],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("1 failed (1 expected)"), "{t}");
    assert!(
        t.contains("note: known failure tenpay::status::1001 passes now; remove it from the list"),
        "{t}"
    );
    let v = read_json(&report);
    assert_eq!(v["summary"]["expected_failures"], 1);
    assert_eq!(
        v["certificate"]["verdict"], "failed",
        "still not conformant"
    );
    // Without the list the same run fails.
    let (o, _) = run(
        tmp.path(),
        "r2",
        &["--fault", "tenpay-status-1", "tenpay::"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A list that does not parse is a usage error.
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[[known]]\nid = \"x\"\n").unwrap();
    let (o, _) = run(
        tmp.path(),
        "r3",
        &["--known-failures", bad.to_str().unwrap()],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("missing field `reason`"), "{t}");
}

#[test]
fn partitions_merge_into_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, whole) = run(tmp.path(), "whole", &["--fault", "tenpay-status-1"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("verdict FAILED; CI gate failed"),
        "{}",
        text(&o)
    );
    let mut shares = Vec::new();
    for k in 1..=3 {
        let p = format!("{k}/3");
        let (o, report) = run(
            tmp.path(),
            &format!("share{k}"),
            &["--partition", &p, "--fault", "tenpay-status-1"],
        );
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
        assert_eq!(read_json(&report)["partition"]["index"], k);
        shares.push(report.to_str().unwrap().to_string());
    }
    let mut args = vec!["merge", "--report-dir", "merged"];
    args.extend(shares.iter().map(String::as_str));
    let o = conform(&args, tmp.path());
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "the merged run failed: {t}");
    let merged = read_json(&tmp.path().join("merged/report.json"));
    let whole = read_json(&whole);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {}", c["id"], c["outcome"]))
            .collect()
    };
    assert_eq!(ids(&merged), ids(&whole));
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["partition"], serde_json::Value::Null);
    assert!(tmp.path().join("merged/report.html").is_file());
    // Two of three shares is not the run.
    let o = conform(
        &["merge", "--report-dir", "partial", &shares[0], &shares[1]],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("share 3/3 is missing"), "{}", text(&o));
    // A bad partition is a usage error.
    let (o, _) = run(tmp.path(), "x", &["--partition", "4/3"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("K must be between 1 and N"),
        "{}",
        text(&o)
    );
}

#[test]
fn the_console_prints_failure_groups_with_their_quote_and_advisories_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, report) = run(
        tmp.path(),
        "r",
        &[
            "--fault",
            "onboard-auth-ignored",
            "--fault",
            "tenpay-problem-as-json",
            "onboard::",
        ],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    let v = read_json(&report);
    let group = &v["failure_groups"][0];
    let n = group["cases"].as_array().unwrap().len();
    assert!(n >= 5, "{group:#}");
    let summary = t.lines().find(|l| l.starts_with("conform: ")).unwrap();
    assert!(
        summary.contains(&format!(
            "{} failed (0 expected), 0 skipped; 0 advisories apart from the failures",
            v["summary"]["failed"]
        )),
        "{summary}"
    );
    assert!(
        t.contains(&format!("failures: {n} cases in 1 group of alike failures")),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "{n} × {} [status] onboard GET /users/me: expected status any 4xx, got 200",
            group["id"].as_str().unwrap()
        )),
        "{t}"
    );
    assert!(
        t.contains("the document says: “x-auth-token string header required”"),
        "{t}"
    );
    // libtest's own failure text quotes the document too.
    assert!(
        t.matches("      the document says: “x-auth-token string header required”")
            .count()
            >= n,
        "{t}"
    );

    // Only decided rules broken: exit 0, the advisories counted and listed apart.
    let (o, report) = run(
        tmp.path(),
        "a",
        &["--fault", "tenpay-problem-as-json", "tenpay::"],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    let v = read_json(&report);
    let advisories = v["summary"]["advisories"].as_u64().unwrap();
    assert!(advisories > 0);
    assert!(
        t.contains(&format!(
            "0 failed (0 expected), 0 skipped; {advisories} advisories apart from the failures"
        )),
        "{t}"
    );
    assert!(t.contains("advisories: 1 decided rule did not hold"), "{t}");
    assert!(
        t.contains("decided: the document says the body 'may include a problem-details payload'"),
        "{t}"
    );
    assert!(t.contains("CI gate passed: every case held"), "{t}");
}

#[test]
fn a_format_1_report_verifies_and_diffs() {
    let tmp = tempfile::tempdir().unwrap();
    let old = common::path("tests/fixtures/reports/format-1.json");
    let old = old.to_str().unwrap();
    let o = conform(&["verify", old], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("matches; verdict FAILED"), "{}", text(&o));
    // It was written with tenpay-status-1: the same failure now is no regression...
    let (o, new) = run(
        tmp.path(),
        "same",
        &["--baseline", old, "--fault", "tenpay-status-1", "tenpay::"],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("no regressions against the baseline"), "{t}");
    assert_eq!(read_json(&new)["format"], conform::report::FORMAT);
    let o = conform(&["diff", old, new.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // ...and a new one is.
    let (o, _) = run(
        tmp.path(),
        "worse",
        &[
            "--baseline",
            old,
            "--fault",
            "tenpay-status-1",
            "--fault",
            "tenpay-text-content-type",
            "tenpay::",
        ],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("regression: tenpay::status::1001"), "{t}");
}
