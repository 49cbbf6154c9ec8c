//! The report model against real runs of the reference server: the JSON Schema, the digest,
//! coverage, the certificate, known failures, baselines, partitions and merging; failure groups
//! and advisories, checked on the data (the model, junit.xml read back as XML) of runs with
//! injected faults that break stated rules (failures) and decided ones (advisories).

mod common;
mod report_support;

use std::collections::BTreeSet;
use std::path::Path;

use conform::checks::{CheckResult, Verdict};
use conform::partition::Partition;
use conform::report::baseline;
use conform::report::{
    self, markdown, merge::merge, ClauseVerdict, Format, KnownStatus, Mark, Report, RunVerdict,
};
use report_support::{faulted_run, mixed_run, normalized, passing_run, run_where, FAULTS};
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(common::path("docs/report.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, report: &Value) -> Vec<String> {
    v.iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect()
}

fn as_written(report: &Report) -> Value {
    serde_json::from_str(&Format::Json.render(report).unwrap()).unwrap()
}

fn known(text: &str) -> Vec<report::KnownFailure> {
    baseline::parse_known_failures(text, "test").unwrap()
}

#[test]
fn report_json_of_every_kind_of_run_validates_against_the_committed_schema() {
    let v = schema();
    let mut faulted = faulted_run();
    baseline::apply_known_failures(
        &mut faulted,
        known(
            "[[known]]\nid = \"tenpay::status::1003\"\nreason = \"legacy code\"\n\
             [[known]]\nid = \"tenpay::status::1001\"\nreason = \"was flaky\"\n",
        ),
    );
    let passing = passing_run();
    baseline::apply_baseline(&mut faulted, &passing, "reports/baseline.json");
    let share = run_where(&[], Some(Partition { index: 1, count: 3 }), |_| true);
    for (name, report) in [
        ("passing", &passing),
        ("faulted", &faulted),
        ("partition", &share),
    ] {
        let errors = schema_errors(&v, &as_written(report));
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    // The optional parts were there to be validated.
    assert!(faulted.baseline.is_some() && !faulted.known_failures.is_empty());
    assert_eq!(
        share.partition.map(|p| p.to_string()).as_deref(),
        Some("1/3")
    );
}

#[test]
fn the_schema_is_strict_so_a_new_or_missing_field_is_caught() {
    let v = schema();
    let report = as_written(&faulted_run());
    let mut extra = report.clone();
    extra["summary"]["flaky"] = Value::from(0);
    assert!(
        !schema_errors(&v, &extra).is_empty(),
        "an undocumented field"
    );
    let mut missing = report.clone();
    missing["cases"][0].as_object_mut().unwrap().remove("doc");
    assert!(!schema_errors(&v, &missing).is_empty(), "a missing field");
    let mut wrong = report.clone();
    wrong["format"] = Value::from(5);
    assert!(!schema_errors(&v, &wrong).is_empty(), "another format");
    // The renamed fields of format 1 are not format 2.
    let mut old = report;
    old["summary"]["warnings"] = old["summary"]["advisories"].take();
    old["summary"].as_object_mut().unwrap().remove("advisories");
    assert!(!schema_errors(&v, &old).is_empty(), "format 1's summary");
}

#[test]
fn the_digest_matches_and_an_edited_report_no_longer_does() {
    let report = faulted_run();
    assert!(report.certificate.digest.starts_with("sha256:"));
    let text = Format::Json.render(&report).unwrap();
    let read = report::json::parse_report(&text, Path::new("report.json")).unwrap();
    assert_eq!(read.integrity, Ok(()));
    assert_eq!(read.report, report, "report.json reads back as written");
    // The digest is over the canonical JSON, so re-indenting the file does not matter...
    let compact = serde_json::to_string(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
    let read = report::json::parse_report(&compact, Path::new("compact.json")).unwrap();
    assert_eq!(read.integrity, Ok(()));
    // ...but turning a failure into a pass does, and so does adding a field.
    let edited = text.replacen("\"outcome\": \"fail\"", "\"outcome\": \"pass\"", 1);
    assert_ne!(edited, text);
    let read = report::json::parse_report(&edited, Path::new("edited.json")).unwrap();
    let mismatch = read.integrity.unwrap_err();
    assert_eq!(mismatch.recorded, report.certificate.digest);
    assert_ne!(mismatch.computed, report.certificate.digest);
    let added = text.replacen("\"cases\": [", "\"note\": \"all good\",\n  \"cases\": [", 1);
    let read = report::json::parse_report(&added, Path::new("added.json")).unwrap();
    assert!(read.integrity.is_err());
}

#[test]
fn malformed_reports_are_clear_errors() {
    let p = Path::new("old.json");
    for (text, expected) in [
        ("", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ("{\"cases\": []}", "no \"format\" number"),
        (
            "{\"format\": 9}",
            "report format 9; this conform reads formats 1 to 4",
        ),
        ("{\"format\": 1, \"cases\": 3}", "is not a conform report"),
    ] {
        let e = report::json::parse_report(text, p).unwrap_err().to_string();
        assert!(e.contains(expected), "{text:?}: {e}");
        assert!(e.contains("old.json"), "{e}");
    }
}

#[test]
fn the_certificate_names_contracts_seed_and_every_clause_with_its_verdict() {
    let report = faulted_run();
    let c = &report.certificate;
    assert_eq!(c.verdict, RunVerdict::Failed);
    assert_eq!(c.seed, Some(1));
    assert_eq!(c.tool, format!("conform {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(c.date, report.started_at);
    assert_eq!(c.contracts.len(), 4);
    let tenpay = c.contracts.iter().find(|k| k.contract == "tenpay").unwrap();
    assert_eq!(tenpay.content_hash.len(), 64);
    assert!(tenpay.target.starts_with("http://127.0.0.1:"));
    assert_eq!(tenpay.verdict, RunVerdict::Failed);
    let table = tenpay
        .clauses
        .iter()
        .find(|k| k.clause == "002_c38a1a7fb53d3796.txt > 3) Responses > Status Codes")
        .expect("the status-table clause is listed");
    assert_eq!(table.verdict, ClauseVerdict::Failed);
    assert_eq!(table.failed_cases, vec!["tenpay::status::1003".to_string()]);
    assert!(tenpay
        .clauses
        .iter()
        .any(|k| k.verdict == ClauseVerdict::Held));
    // Every clause any check cites is listed, and nothing else.
    let cited: BTreeSet<&str> = report
        .cases
        .iter()
        .filter(|k| &*k.contract == "tenpay")
        .flat_map(|k| k.steps.iter().flat_map(|s| s.checks.iter()))
        .map(|k| &*k.doc)
        .collect();
    let listed: BTreeSet<&str> = tenpay.clauses.iter().map(|k| k.clause.as_str()).collect();
    assert_eq!(cited, listed);
    // tss ran no case here: not certified either way.
    let tss = c.contracts.iter().find(|k| k.contract == "tss").unwrap();
    assert_eq!(tss.verdict, RunVerdict::Inconclusive);
    assert_eq!(passing_run().certificate.verdict, RunVerdict::Held);
}

#[test]
fn a_skipped_clause_says_why() {
    let (_server, mut config) = common::server(&[]);
    config
        .targets
        .get_mut("tropipay")
        .unwrap()
        .vars
        .remove("disposable_token");
    let mut report = common::run(config, "tropipay::disable");
    report.finish();
    let tropipay = report
        .certificate
        .contracts
        .iter()
        .find(|k| k.contract == "tropipay")
        .unwrap();
    let skipped: Vec<_> = tropipay
        .clauses
        .iter()
        .filter(|k| k.verdict == ClauseVerdict::Skipped)
        .collect();
    assert!(!skipped.is_empty(), "{:#?}", tropipay.clauses);
    assert!(
        skipped
            .iter()
            .all(|k| k.because.iter().any(|b| b.contains("disposable_token"))),
        "{skipped:#?}"
    );
}

#[test]
fn coverage_marks_documented_statuses_and_table_values() {
    let passing = passing_run();
    let tropipay = passing
        .coverage
        .iter()
        .find(|c| c.contract == "tropipay")
        .unwrap();
    let mark = |code| {
        tropipay
            .statuses
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.mark)
    };
    assert_eq!(mark(200), Some(Mark::Exercised));
    assert_eq!(mark(401), Some(Mark::Exercised));
    assert_eq!(
        mark(429),
        Some(Mark::NeverSeen),
        "the reference never rate-limits"
    );
    assert_eq!(tropipay.endpoints.len(), 7);
    assert!(tropipay.undocumented_statuses.is_empty());
    // A cell per check per endpoint; the status check held on every profile response.
    let profile = tropipay
        .endpoints
        .iter()
        .find(|e| e.endpoint == "GET /users/profile")
        .unwrap();
    assert_eq!(profile.cells.len(), tropipay.checks.len());
    let status = profile.cells.iter().find(|c| c.check == "status").unwrap();
    assert!(status.passed > 0 && status.failed == 0, "{status:?}");

    // 1003 is the only Active (200) user; with the fault it reports 1 instead.
    let faulted = run_where(&["tenpay-status-1"], None, |id| id.starts_with("tenpay::"));
    let tenpay = faulted
        .coverage
        .iter()
        .find(|c| c.contract == "tenpay")
        .unwrap();
    let lifecycle = &tenpay.tables[0];
    let value = |v| lifecycle.values.iter().find(|x| x.value == v).unwrap().mark;
    assert_eq!(value(200), Mark::NeverSeen, "{lifecycle:#?}");
    assert_eq!(value(50), Mark::Exercised);
    let passing_tenpay = passing
        .coverage
        .iter()
        .find(|c| c.contract == "tenpay")
        .unwrap();
    assert!(passing_tenpay.tables[0]
        .values
        .iter()
        .all(|v| v.mark == Mark::Exercised));
    let faulted = run_where(FAULTS, None, |id| id.starts_with("tropipay::profile"));
    let tropipay = faulted
        .coverage
        .iter()
        .find(|c| c.contract == "tropipay")
        .unwrap();
    assert_eq!(tropipay.undocumented_statuses[0].code, 201);
    assert_eq!(
        tropipay.undocumented_statuses[0].cases,
        vec!["tropipay::profile".to_string()]
    );

    let cell = |endpoint: &str, check: &str| {
        tropipay
            .endpoints
            .iter()
            .find(|e| e.endpoint == endpoint)
            .unwrap()
            .cells
            .iter()
            .find(|c| c.check == check)
            .unwrap()
            .clone()
    };
    // 201 where the document names no code breaks a decided rule only: the cell counts it as
    // an advisory, apart from the failures.
    let status = cell("GET /users/profile", "status");
    assert_eq!((status.failed, status.advisories), (0, 1), "{status:?}");
    assert!(
        cell("POST /users/pass", "status").is_empty(),
        "not run here"
    );
}

#[test]
fn known_failures_are_expected_and_a_passing_or_absent_entry_is_reported() {
    let mut report = faulted_run();
    // The faults that break stated rules fail cases; the decided-only ones do not.
    let failing: Vec<String> = report.failures().map(|c| c.id.clone()).collect();
    assert!(
        failing.contains(&"tenpay::status::1003".to_string()),
        "{failing:?}"
    );
    assert!(
        failing
            .iter()
            .filter(|id| id.starts_with("onboard::"))
            .count()
            >= 2,
        "{failing:?}"
    );
    let advised = report.case("tropipay::profile").unwrap();
    assert_eq!(advised.outcome, Verdict::Advisory);
    let mut list = String::new();
    for id in &failing {
        list.push_str(&format!(
            "[[known]]\nid = \"{id}\"\nreason = \"ticket 1\"\n"
        ));
    }
    list.push_str("[[known]]\nid = \"tenpay::status::1001\"\nreason = \"fixed last week\"\n");
    list.push_str("[[known]]\nid = \"tenpay::no-such-case\"\nreason = \"typo\"\n");
    // An advisory is no failure: a list entry for it is reported as passing.
    list.push_str("[[known]]\nid = \"tropipay::profile\"\nreason = \"201\"\n");
    baseline::apply_known_failures(&mut report, known(&list));
    assert!(report.gate.passed, "{:?}", report.gate);
    assert_eq!(report.summary.expected_failures, failing.len());
    assert_eq!(report.summary.failed, failing.len());
    let status = |id: &str| report.known_failure(id).unwrap().status;
    assert_eq!(status(&failing[0]), KnownStatus::Failing);
    assert_eq!(status("tenpay::status::1001"), KnownStatus::Passing);
    assert_eq!(status("tenpay::no-such-case"), KnownStatus::Absent);
    assert_eq!(status("tropipay::profile"), KnownStatus::Passing);
    // Rendered where people look.
    let md = Format::Md.render(&report).unwrap();
    assert!(md.contains("passing: remove it from the list"), "{md}");
    assert!(md.contains("did not run: check the id"), "{md}");
    assert!(md.contains("(expected failure: ticket 1)"), "{md}");
    let junit = Format::Junit.render(&report).unwrap();
    assert!(junit.contains("expected failure: ticket 1"), "{junit}");
    assert!(
        !junit.contains("<failure"),
        "known failures are not CI failures"
    );

    // One failure left off the list fails the gate again, naming it.
    let mut report = faulted_run();
    let partial: String = failing[1..]
        .iter()
        .map(|id| format!("[[known]]\nid = \"{id}\"\nreason = \"r\"\n"))
        .collect();
    baseline::apply_known_failures(&mut report, known(&partial));
    assert!(!report.gate.passed);
    assert!(
        report.gate.reason.starts_with("1 case failed"),
        "{}",
        report.gate.reason
    );
}

#[test]
fn with_a_baseline_only_regressions_fail_the_gate() {
    let passing = passing_run();
    let faulted = run_where(FAULTS, None, |_| true);
    assert!(!faulted.held());

    // The same failures as the baseline: green.
    let mut again = run_where(FAULTS, None, |_| true);
    baseline::apply_baseline(&mut again, &faulted, "old.json");
    let b = again.baseline.as_ref().unwrap();
    assert!(again.gate.passed, "{:?}", again.gate);
    assert!(
        b.newly_failing.is_empty() && b.regressions.is_empty(),
        "{b:#?}"
    );
    assert_eq!(b.digest, faulted.certificate.digest);

    // Fixed: newly passing, still green.
    let mut fixed = passing.clone();
    baseline::apply_baseline(&mut fixed, &faulted, "old.json");
    let b = fixed.baseline.as_ref().unwrap();
    assert_eq!(b.newly_passing.len(), faulted.summary.failed);
    assert!(fixed.gate.passed);

    // Broken: every new failure is a regression, named.
    let mut broken = run_where(FAULTS, None, |_| true);
    baseline::apply_baseline(&mut broken, &passing, "old.json");
    let b = broken.baseline.as_ref().unwrap();
    assert_eq!(b.regressions.len(), faulted.summary.failed, "{b:#?}");
    assert!(b.regressions.contains(&"tenpay::status::1003".to_string()));
    assert!(!broken.gate.passed);
    assert!(
        broken.gate.reason.contains(&b.regressions[0]),
        "{}",
        broken.gate.reason
    );
    // One line: the first five, then how many more.
    assert!(
        broken
            .gate
            .reason
            .ends_with(&format!(" and {} more", b.regressions.len() - 5)),
        "{}",
        broken.gate.reason
    );

    // ...unless the list knows them.
    baseline::apply_known_failures(
        &mut broken,
        known("[[known]]\nid = \"tenpay::status::1003\"\nreason = \"r\"\n"),
    );
    let b = broken.baseline.as_ref().unwrap();
    assert!(!b.regressions.contains(&"tenpay::status::1003".to_string()));
    assert_eq!(b.regressions.len(), faulted.summary.failed - 1);

    // New and vanished cases, and a new case that fails is a regression.
    let mut old = passing.clone();
    old.cases.retain(|c| c.id != "tenpay::status::1003");
    old.cases.push({
        let mut gone = passing.cases[0].clone();
        gone.id = "tenpay::retired".into();
        gone
    });
    old.finish();
    let mut new = run_where(FAULTS, None, |id| id.starts_with("tenpay::"));
    baseline::apply_baseline(&mut new, &old, "old.json");
    let b = new.baseline.as_ref().unwrap();
    assert_eq!(
        b.new.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        vec!["tenpay::status::1003"]
    );
    assert_eq!(b.new[0].after, Some(Verdict::Fail));
    assert_eq!(b.regressions, vec!["tenpay::status::1003".to_string()]);
    // The old run had every contract; this one only tenpay: the rest vanished.
    assert!(b.vanished.iter().any(|c| c.id == "tenpay::retired"));
    assert!(b.vanished.iter().any(|c| c.id == "tropipay::profile"));
    assert!(
        b.notes.is_empty(),
        "same seed, conform and contracts: {:?}",
        b.notes
    );
    let text = baseline::render_diff(b, "new.json");
    assert!(
        text.contains("tenpay::status::1003 (absent -> fail) [status-table]  REGRESSION")
            || text.contains("tenpay::status::1003 (absent -> fail) [schema]  REGRESSION"),
        "{text}"
    );
    assert!(text.ends_with("1 regression\n"), "{text}");
}

#[test]
fn a_baseline_from_another_seed_or_contract_is_noted() {
    let mut old = run_where(&[], None, |id| id.starts_with("tenpay::"));
    old.seed = Some(7);
    old.targets[1].content_hash = "f".repeat(64);
    old.tool.version = "0.0.1".into();
    old.finish();
    let mut new = run_where(&[], None, |id| id.starts_with("tenpay::"));
    baseline::apply_baseline(&mut new, &old, "old.json");
    let notes = &new.baseline.as_ref().unwrap().notes;
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(
        notes[0].contains("seed 7, this run with seed 1"),
        "{notes:#?}"
    );
    assert!(notes[1].contains("conform 0.0.1"), "{notes:#?}");
    assert!(
        notes[2].starts_with(&format!("contract {} changed", new.targets[1].contract)),
        "{notes:#?}"
    );
    let md = Format::Md.render(&new).unwrap();
    assert!(md.contains("> Note: the baseline ran with seed 7"), "{md}");
    let text = baseline::render_diff(new.baseline.as_ref().unwrap(), "new.json");
    assert!(
        text.contains("note: the baseline ran with seed 7"),
        "{text}"
    );
}

#[test]
fn the_merge_of_n_partitions_equals_the_whole_run() {
    // The whole run and every share get the same known-failures list and the same baseline,
    // as a CI matrix would: the merge must hold the same expected failures and comparison.
    let baseline = passing_run();
    let list = "[[known]]\nid = \"tenpay::status::1003\"\nreason = \"legacy code\"\n\
                [[known]]\nid = \"tenpay::status::1001\"\nreason = \"fixed\"\n\
                [[known]]\nid = \"tropipay::gone\"\nreason = \"renamed\"\n";
    let finish = |mut r: Report| {
        baseline::apply_known_failures(&mut r, known(list));
        baseline::apply_baseline(&mut r, &baseline, "baseline.json");
        r
    };
    let whole = finish(run_where(FAULTS, None, |_| true));
    assert_eq!(whole.known_failures.len(), 3);
    assert!(!whole.baseline.as_ref().unwrap().regressions.is_empty());
    for n in [2u32, 3] {
        let shares: Vec<(String, Report)> = (1..=n)
            .map(|k| {
                let p = Partition { index: k, count: n };
                let share = finish(run_where(FAULTS, Some(p), |_| true));
                (format!("share-{p}.json"), share)
            })
            .collect();
        // Every share holds a real part of the run, and none the whole.
        for (name, r) in &shares {
            assert!(
                !r.cases.is_empty() && r.cases.len() < whole.cases.len(),
                "{name}"
            );
        }
        // Each entry of the list belongs to exactly one share, like the case with its id.
        let entries: usize = shares.iter().map(|(_, r)| r.known_failures.len()).sum();
        assert_eq!(entries, 3);
        let merged = merge(shares).expect("the shares merge");
        assert_eq!(merged.partition, None);
        let (a, b) = (normalized(&merged), normalized(&whole));
        assert_eq!(
            a.cases.iter().map(|c| &c.id).collect::<Vec<_>>(),
            b.cases.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.coverage, b.coverage);
        assert_eq!(a.known_failures, b.known_failures);
        assert_eq!(a.baseline, b.baseline);
        assert_eq!(a.gate, b.gate);
        assert_eq!(report_support::first_difference(&a, &b), None, "{n} shares");
        assert_eq!(
            a.certificate.digest, b.certificate.digest,
            "same content, same digest"
        );
    }
}

#[test]
fn merge_refuses_what_is_not_one_run() {
    let share = |k, n| {
        let p = Partition { index: k, count: n };
        run_where(&[], Some(p), |id| id.starts_with("tenpay::"))
    };
    let (a, b) = (share(1, 2), share(2, 2));
    let err = |inputs: Vec<(&str, Report)>| {
        merge(
            inputs
                .into_iter()
                .map(|(n, r)| (n.to_string(), r))
                .collect(),
        )
        .unwrap_err()
        .to_string()
    };
    assert!(err(vec![("a", a.clone())]).contains("share 2/2 is missing"));
    assert!(
        err(vec![("a", a.clone()), ("a2", a.clone()), ("b", b.clone())])
            .contains("share 1/2 is given twice")
    );
    let mut other_seed = b.clone();
    other_seed.seed = Some(7);
    assert!(err(vec![("a", a.clone()), ("b", other_seed)]).contains("seed differs"));
    let mut other_contract = b.clone();
    other_contract.targets[0].content_hash = "0".repeat(64);
    assert!(err(vec![("a", a.clone()), ("b", other_contract)]).contains("contracts differ"));
    let mut elsewhere = b.clone();
    elsewhere.targets[0].base_url = "https://staging.example".into();
    assert!(err(vec![("a", a.clone()), ("b", elsewhere)]).contains("target differs"));
    let whole = run_where(&[], None, |id| id.starts_with("tenpay::"));
    assert!(err(vec![("a", a.clone()), ("w", whole.clone())]).contains("mixed partitioned"));
    assert!(err(vec![("w", whole.clone()), ("w2", whole)]).contains("is in both"));
    assert!(merge(vec![]).is_err());
    let ok = merge(vec![("a".into(), a.clone()), ("b".into(), b.clone())]).unwrap();
    assert!(!ok.insecure && !ok.certificate.insecure);
    // One share that did not verify TLS makes the merged run unverified, and it says so.
    let mut unverified = b;
    unverified.insecure = true;
    let merged = merge(vec![("a".into(), a), ("b".into(), unverified)]).unwrap();
    assert!(merged.insecure && merged.certificate.insecure);
    assert!(Format::Md
        .render(&merged)
        .unwrap()
        .contains("TLS certificates were not verified"));
    assert!(Format::Html
        .render(&merged)
        .unwrap()
        .contains("not verified (--insecure)"));
}

#[test]
fn report_md_fits_a_job_summary_with_expected_got_and_curl() {
    let report = faulted_run();
    let md = Format::Md.render(&report).unwrap();
    assert!(md.starts_with("# ❌ conform: FAILED\n"), "{md}");
    assert!(md.contains("CI gate: **failed**"), "{md}");
    for contract in ["tenpay", "onboard"] {
        assert!(md.contains(&format!("## ❌ {contract} — ")), "{md}");
    }
    // Only advisories: held.
    assert!(md.contains("## ✅ tropipay — "), "{md}");
    assert!(
        md.contains("| endpoint | cases | transport | status |"),
        "{md}"
    );
    assert!(md.contains("| `GET /users/profile` |"), "{md}");
    // The five auth cases that all got 200 are one entry, with one curl line.
    let onboard = report
        .failure_groups
        .iter()
        .find(|g| g.contract == "onboard")
        .unwrap();
    assert!(onboard.cases.len() >= 2, "{onboard:#?}");
    assert!(
        md.contains(&format!(
            "### ❌ {} cases alike — `status` at `GET /users/me` · `{}`",
            onboard.cases.len(),
            onboard.id
        )),
        "{md}"
    );
    assert!(md.contains("expected status any 4xx, got 200"), "{md}");
    assert_eq!(
        md.matches("curl -sS -i -X GET 'http://127.0.0.1:").count(),
        report.failure_groups.len(),
        "one curl line per group: {md}"
    );
    assert!(
        md.contains("```sh\ncurl -sS -i -X GET 'http://127.0.0.1:"),
        "{md}"
    );
    // The advisories come after the failures, apart.
    let failures = md.find("## Failures: ").unwrap();
    let advisories = md
        .find("## Advisories (decided rules that did not hold)")
        .unwrap();
    assert!(failures < advisories);
    assert!(
        md[advisories..].contains("expected status 200, got 201"),
        "{md}"
    );
    assert!(md[advisories..].contains("`tropipay::profile`"), "{md}");

    // A run where everything fails alike stays one entry, its cases listed up to a cap...
    let mut huge = report.clone();
    let failed = huge.case("tenpay::status::1003").unwrap().clone();
    for i in 0..2000 {
        let mut c = failed.clone();
        c.id = format!("zz::copy-{i:04}");
        huge.cases.push(c);
    }
    huge.finish();
    let md = Format::Md.render(&huge).unwrap();
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    let group = huge.failure_group_of("zz::copy-1999").unwrap();
    assert_eq!(group.cases.len(), 2001);
    assert!(md.contains("### ❌ 2001 cases alike"), "{md}");
    assert!(
        md.contains("… and 1901 more (report.json lists them all)"),
        "{md}"
    );
    // ...and thousands of distinct failures stay under GitHub's 1 MiB summary limit.
    let mut distinct = report.clone();
    for i in 0..2000 {
        let mut c = failed.clone();
        c.id = format!("zz::other-{i:04}");
        for k in c.steps.iter_mut().flat_map(|s| s.checks.iter_mut()) {
            k.doc = format!("{} (variant {i})", k.doc).into();
        }
        distinct.cases.push(c);
    }
    distinct.finish();
    assert!(distinct.failure_groups.len() > 2000);
    let md = Format::Md.render(&distinct).unwrap();
    assert!(md.len() < 1024 * 1024, "{} bytes", md.len());
    assert!(
        md.contains("more failure groups (details in report.html and report.json)"),
        "{md}"
    );
}

#[test]
fn report_html_is_self_contained_and_shows_failures_with_request_response_and_clause() {
    let report = faulted_run();
    let html = Format::Html.render(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "<link", "src=", "url(", "@import", "<iframe"] {
        assert!(!html.contains(forbidden), "{forbidden} in report.html");
    }
    assert!(html.contains("<h1 id=\"verdict\">FAILED</h1>"));
    assert!(html.contains("<section id=\"certificate\">"));
    assert!(html.contains("Coverage: tenpay"));
    assert!(html.contains("never seen"));
    assert!(html.contains(
        "clause: <em>003_d12a7968fd0b4b34.txt &gt; Authorizations (x-auth-token, header, required)"
    ));
    assert!(html.contains("the document says: “x-auth-token string header required”"));
    assert!(html.contains("GET http://127.0.0.1:"), "the request");
    assert!(html.contains("HTTP 200"), "the response");
    assert!(html.contains("x-auth-token: "), "the header sent");
    // Advisories: their own section after the failures, with the reason and the response.
    let failures = html.find("<section id=\"failures\">").unwrap();
    let advisories = html.find("<section id=\"advisories\">").unwrap();
    assert!(failures < advisories);
    assert!(html[advisories..].contains("HTTP 201") || html[advisories..].contains("got 201"));
    assert!(html[advisories..].contains("decided, not stated: the document names no status code"));
    // Every case of a failure group has an anchor, for the clause table's links.
    for g in &report.failure_groups {
        for id in &g.cases {
            let anchor: String = id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            assert!(html.contains(&format!("<li id=\"c-{anchor}\">")), "{id}");
        }
    }
}

#[test]
fn no_format_leaks_a_secret() {
    let (_server, config) = common::server(FAULTS);
    let secrets: Vec<String> = config
        .targets
        .values()
        .flat_map(|t| t.vars.iter())
        .filter(|(k, _)| k.contains("token") || k.contains("password"))
        .filter_map(|(_, v)| v.as_str().map(str::to_string))
        .filter(|v| v.len() >= 4)
        .collect();
    assert!(!secrets.is_empty());
    drop(_server);
    let report = faulted_run();
    for format in Format::ALL {
        let text = format.render(&report).unwrap();
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{format:?} leaks a secret");
        }
    }
}

#[test]
fn write_all_writes_exactly_the_formats_asked_for() {
    let report = faulted_run();
    let dir = tempfile::tempdir().unwrap();
    let written = report::write_all(&report, dir.path(), &[Format::Md, Format::Html]).unwrap();
    assert_eq!(written.len(), 2);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["report.html", "report.md"]);
    assert_eq!(
        passing_run().certificate.verdict.word(),
        "HELD",
        "the words the renderers use"
    );
}

/// The failed checks of the first step of a case that failed: what its group stands for.
fn first_failure(case: &report::CaseReport) -> Vec<&CheckResult> {
    case.failed_steps()
        .into_iter()
        .next()
        .map(|(_, _, checks)| checks)
        .unwrap_or_default()
}

/// The failed checks of a case, in step order.
fn failed_checks(case: &report::CaseReport) -> Vec<&CheckResult> {
    case.steps
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter(|k| k.outcome == Verdict::Fail)
        .collect()
}

fn advisory_checks(case: &report::CaseReport) -> Vec<(&str, &CheckResult)> {
    case.steps
        .iter()
        .flat_map(|s| s.checks.iter().map(move |k| (&*s.endpoint, k)))
        .filter(|(_, k)| k.outcome == Verdict::Advisory)
        .collect()
}

#[test]
fn every_failure_rests_on_a_quote_every_advisory_on_a_reason_and_alike_failures_are_one_group() {
    let report = mixed_run();
    // The stated faults fail; the decided ones only advise.
    let failed: BTreeSet<&str> = report.failures().map(|c| &*c.contract).collect();
    assert_eq!(failed, BTreeSet::from(["onboard", "tss"]));
    assert!(report.summary.advisories > 0 && report.summary.advised_cases > 0);
    for case in &report.cases {
        for k in case.steps.iter().flat_map(|s| s.checks.iter()) {
            match k.outcome {
                Verdict::Fail => {
                    assert!(!k.doc.trim().is_empty(), "no clause: {} {k:?}", case.id);
                    assert!(
                        k.quote.as_deref().is_some_and(|q| !q.trim().is_empty()),
                        "a failure without the document's words: {} {k:?}",
                        case.id
                    );
                }
                Verdict::Advisory => {
                    assert!(!k.doc.trim().is_empty(), "no clause: {} {k:?}", case.id);
                    assert!(
                        k.reason.as_deref().is_some_and(|r| !r.trim().is_empty()),
                        "an advisory without its reason: {} {k:?}",
                        case.id
                    );
                }
                _ => {}
            }
        }
    }

    // Every failed case is in exactly one group...
    let mut grouped: Vec<&str> = report
        .failure_groups
        .iter()
        .flat_map(|g| g.cases.iter().map(String::as_str))
        .collect();
    grouped.sort();
    let failed: Vec<&str> = report.failures().map(|c| c.id.as_str()).collect();
    assert_eq!(grouped, failed);
    // ...whose entry is its first case's failures, with their clauses and quotes, and the
    // first case's curl line; every case of it has the group's signature.
    for g in &report.failure_groups {
        let first = report.case(&g.cases[0]).unwrap();
        let checks = first_failure(first);
        assert_eq!(g.failures.len(), checks.len(), "{g:#?}");
        for (f, k) in g.failures.iter().zip(&checks) {
            assert_eq!(
                (&f.check, &f.clause, &f.quote, &f.message),
                (&k.id, &k.doc.to_string(), &k.quote, &k.message)
            );
            assert!(f.quote.is_some(), "{g:#?}");
        }
        let (_, step, _) = first.failed_steps().into_iter().next().unwrap();
        assert_eq!(g.curl, step.curl);
        assert!(g.curl.starts_with("curl "), "{}", g.curl);
        for id in &g.cases {
            let case = report.case(id).unwrap();
            assert_eq!(report::groups::signature(case), g.signature, "{id}");
            assert_eq!(*case.contract, *g.contract);
        }
    }
    let signatures: BTreeSet<&str> = report
        .failure_groups
        .iter()
        .map(|g| g.signature.as_str())
        .collect();
    assert_eq!(
        signatures.len(),
        report.failure_groups.len(),
        "no group twice"
    );
    let ids: BTreeSet<&str> = report
        .failure_groups
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(ids.len(), report.failure_groups.len(), "distinct ids");
    // Alike failures collapse: all the auth cases onboard let through are one group, and the
    // hundred cases that read the same unrounded profile are one too...
    let of = |contract: &str| -> Vec<&report::FailureGroup> {
        report
            .failure_groups
            .iter()
            .filter(|g| g.contract == contract)
            .collect()
    };
    let onboard = of("onboard");
    assert_eq!(onboard.len(), 1, "{onboard:#?}");
    assert!(onboard[0].cases.len() >= 5, "{onboard:#?}");
    assert!(onboard[0].cases.iter().all(|c| c.contains("::auth::")));
    assert_eq!(onboard[0].failures[0].check, "status");
    let tss = of("tss");
    assert!(tss[0].cases.len() >= 100, "{:?}", tss[0].cases.len());
    assert_eq!(
        (
            tss[0].failures[0].check.as_str(),
            tss[0].failures[0].endpoint.as_str()
        ),
        ("schema", "GET /api/user/profile")
    );
    // (a restore that then fails too, in one flow, is that case's note: it stays in the group)
    let tss_failed = report.failures().filter(|c| &*c.contract == "tss").count();
    assert_eq!(
        tss.len(),
        1,
        "{:#?}",
        tss.iter().map(|g| &g.signature).collect::<Vec<_>>()
    );
    assert_eq!(tss[0].cases.len(), tss_failed);
    let restore_note = report.case("tss::flow-change-password").unwrap();
    assert!(failed_checks(restore_note).len() > first_failure(restore_note).len());
    // ...but distinct failures do not.
    assert_ne!(onboard[0].signature, tss[0].signature);

    // Advisories are grouped by rule, and the groups account for every one of them.
    assert_eq!(
        report.advisories.iter().map(|g| g.results).sum::<usize>(),
        report.summary.advisories
    );
    for case in &report.cases {
        for (_, k) in advisory_checks(case) {
            let group = report
                .advisories
                .iter()
                .find(|g| {
                    *g.contract == *case.contract
                        && g.check == k.id
                        && *g.clause == *k.doc
                        && Some(g.reason.as_str()) == k.reason.as_deref()
                })
                .unwrap_or_else(|| panic!("no group for {} {k:?}", case.id));
            assert!(group.cases.contains(&case.id));
        }
    }
    let rule = |contract: &str, check: &str| {
        report
            .advisories
            .iter()
            .find(|g| g.contract == contract && g.check == check)
            .unwrap_or_else(|| panic!("no {contract} {check} advisory: {:#?}", report.advisories))
    };
    assert!(rule("tropipay", "status")
        .cases
        .contains(&"tropipay::profile".to_string()));
    // The group's case advised on the status it got, as data.
    let advised = report
        .case("tropipay::profile")
        .into_iter()
        .flat_map(|c| c.steps.iter().flat_map(|s| s.checks.iter()))
        .find(|c| c.id == "status" && c.outcome == Verdict::Advisory)
        .and_then(|c| c.finding.as_deref())
        .expect("tropipay::profile's status advisory has a finding");
    assert!(advised.got.starts_with("201"), "{advised:#?}");
    assert!(rule("tenpay", "content-type").cases.len() >= 2);
    assert!(rule("tss", "schema").reason.contains("2-decimal"));
}

#[test]
fn junit_xml_read_back_keeps_advisories_green_and_names_each_failures_group_clause_and_quote() {
    let report = mixed_run();
    let suites = report_support::parse_junit(&Format::Junit.render(&report).unwrap());
    assert_eq!(suites.len(), report.targets.len());
    let mut seen = 0;
    for suite in &suites {
        let cases: Vec<&report::CaseReport> = report
            .cases
            .iter()
            .filter(|c| *c.contract == *suite.name)
            .collect();
        assert_eq!(suite.cases.len(), cases.len(), "{}", suite.name);
        let advisories: usize = cases.iter().map(|c| advisory_checks(c).len()).sum();
        assert_eq!(
            suite.properties.get("advisories"),
            Some(&advisories.to_string()),
            "{}",
            suite.name
        );
        let groups = report
            .failure_groups
            .iter()
            .filter(|g| g.contract == suite.name)
            .count();
        assert_eq!(
            suite.properties.get("failure_groups"),
            Some(&groups.to_string())
        );
        for tc in &suite.cases {
            seen += 1;
            let case = report.case(&tc.name).unwrap();
            assert_eq!(tc.classname, format!("{}.{}", case.contract, case.endpoint));
            match case.outcome {
                Verdict::Fail => {
                    let f = tc.failure.as_ref().unwrap_or_else(|| panic!("{tc:#?}"));
                    let group = report.failure_group_of(&case.id).unwrap();
                    assert!(f.message.contains(&group.id), "{f:#?}");
                    assert!(f.text.contains(&group.id), "{f:#?}");
                    assert!(
                        f.text
                            .contains(&format!("{} cases fail alike", group.cases.len()))
                            || group.cases.len() == 1,
                        "{f:#?}"
                    );
                    assert_eq!(Some(f.kind.as_str()), case.check.as_deref());
                    for k in failed_checks(case) {
                        assert!(f.text.contains(&format!("clause: {}", k.doc)), "{f:#?}");
                        let quote = k.quote.as_deref().unwrap();
                        assert!(
                            f.text.contains(&format!("the document says: “{quote}”")),
                            "{f:#?}"
                        );
                        assert!(f.text.contains(k.message.lines().next().unwrap()));
                    }
                    assert!(f.text.contains("reproduce: curl "), "{f:#?}");
                }
                Verdict::Pass | Verdict::Advisory => {
                    assert!(tc.failure.is_none() && tc.skipped.is_none(), "{tc:#?}");
                }
                Verdict::Skip => assert!(tc.skipped.is_some()),
            }
            let advised = advisory_checks(case);
            match &tc.system_out {
                None => assert!(advised.is_empty(), "advisories missing: {tc:#?}"),
                Some(out) => {
                    assert!(!advised.is_empty(), "{tc:#?}");
                    for (endpoint, k) in advised {
                        assert!(
                            out.contains(&format!("advisory [{}] {endpoint}: ", k.id)),
                            "{out}"
                        );
                        assert!(out.contains(&format!("clause: {}", k.doc)), "{out}");
                        assert!(
                            out.contains(&format!(
                                "decided, not stated: {}",
                                k.reason.as_deref().unwrap()
                            )),
                            "{out}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(seen, report.cases.len());
    // Advisory cases are there, green.
    let tropipay = suites.iter().find(|s| s.name == "tropipay").unwrap();
    let profile = tropipay
        .cases
        .iter()
        .find(|c| c.name == "tropipay::profile")
        .unwrap();
    assert!(profile.failure.is_none());
    assert!(profile.system_out.as_deref().unwrap().contains("got 201"));
}

/// The entry of report.md that starts at `at`: up to the next heading.
fn entry_at(md: &str, at: usize) -> &str {
    let rest = &md[at..];
    let end = rest
        .match_indices("\n#")
        .map(|(i, _)| i)
        .next()
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn report_md_and_html_show_every_group_with_its_clause_quote_reason_and_cases() {
    let report = mixed_run();
    let md = Format::Md.render(&report).unwrap();
    let html = Format::Html.render(&report).unwrap();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let md_text = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('|', "\\|")
    };
    let failures = md.find("## Failures: ").unwrap();
    let advisories = md
        .find("## Advisories (decided rules that did not hold)")
        .unwrap();
    assert!(failures < advisories);
    for g in &report.failure_groups {
        let at = md.find(&format!("· `{}`\n", g.id)).unwrap();
        assert!(failures < at && at < advisories, "{}", g.id);
        let entry = entry_at(&md, at);
        for f in &g.failures {
            assert!(
                entry.contains(&format!("clause: {}", md_text(&f.clause))),
                "{entry}"
            );
            let quote = f.quote.as_deref().unwrap();
            assert!(
                entry.contains(&format!("> the document says: “{}”", md_text(quote))),
                "{entry}"
            );
        }
        assert_eq!(
            entry.matches("```sh\ncurl ").count(),
            1,
            "one curl line: {entry}"
        );
        for id in g.cases.iter().take(markdown::LISTED_CASES) {
            assert!(entry.contains(&format!("`{id}`")), "{id} in {entry}");
        }
        // report.html: the same, uncapped.
        let at = html
            .find(&format!("<article class=\"failure\" id=\"{}\">", g.id))
            .unwrap();
        let article = &html[at..at + html[at..].find("</article>").unwrap()];
        for f in &g.failures {
            assert!(article.contains(&format!("clause: <em>{}</em>", escape(&f.clause))));
            assert!(article.contains(&format!(
                "the document says: “{}”",
                escape(f.quote.as_deref().unwrap())
            )));
        }
        for id in &g.cases {
            assert!(
                article.contains(&format!("<code>{}</code>", escape(id))),
                "{id}"
            );
        }
    }
    for g in &report.advisories {
        let at = md.find(&format!("· `{}`\n", g.id)).unwrap();
        assert!(at > advisories, "{}", g.id);
        let entry = entry_at(&md, at);
        assert!(
            entry.contains(&format!("> decided, not stated: {}", md_text(&g.reason))),
            "{entry}"
        );
        assert!(
            entry.contains(&format!("Clause: {}", md_text(&g.clause))),
            "{entry}"
        );
        assert!(entry.contains(&format!("`{}`", g.cases[0])), "{entry}");
        let at = html
            .find(&format!("<article class=\"advisory\" id=\"{}\">", g.id))
            .unwrap();
        let article = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(article.contains(&format!("decided, not stated: {}", escape(&g.reason))));
        assert!(article.contains(&format!("clause: <em>{}</em>", escape(&g.clause))));
        for id in &g.cases {
            assert!(
                article.contains(&format!("<code>{}</code>", escape(id))),
                "{id}"
            );
        }
    }
    let html_failures = html.find("<section id=\"failures\">").unwrap();
    let html_advisories = html.find("<section id=\"advisories\">").unwrap();
    assert!(html_failures < html_advisories);
}

#[test]
fn advisories_never_fail_a_case_a_clause_a_contract_or_the_run_but_do_under_strict() {
    let report = run_where(
        &["tropipay-profile-status-201", "tenpay-problem-as-json"],
        None,
        |_| true,
    );
    assert_eq!(report.summary.failed, 0, "{:#?}", common::failures(&report));
    assert!(report.summary.advisories > 0 && report.summary.advised_cases > 0);
    assert!(report.gate.passed, "{:?}", report.gate);
    assert!(report.failure_groups.is_empty());
    assert!(report.advisories.len() >= 2, "{:#?}", report.advisories);
    let c = &report.certificate;
    assert_eq!(c.verdict, RunVerdict::Held);
    for k in &c.contracts {
        assert_eq!(k.verdict, RunVerdict::Held, "{}", k.contract);
        assert_eq!(k.failed, 0);
        for clause in &k.clauses {
            assert_ne!(clause.verdict, ClauseVerdict::Failed, "{clause:#?}");
            assert_eq!(
                clause.verdict == ClauseVerdict::Advisory,
                !clause.advised_cases.is_empty(),
                "{clause:#?}"
            );
            if clause.verdict == ClauseVerdict::Advisory {
                assert!(clause.verdict.held());
                assert!(!clause.advisory_reasons.is_empty(), "{clause:#?}");
            }
        }
    }
    let tropipay = c
        .contracts
        .iter()
        .find(|k| k.contract == "tropipay")
        .unwrap();
    assert!(tropipay.advised > 0);
    let profile = tropipay
        .clauses
        .iter()
        .find(|k| k.clause == "000_f52575afaf544cbe.txt > Retrieve User Profile > Response")
        .unwrap();
    assert_eq!(profile.verdict, ClauseVerdict::Advisory);
    assert!(profile
        .advised_cases
        .contains(&"tropipay::profile".to_string()));
    // Coverage counts them apart from failures.
    let cells: Vec<&report::CheckCell> = report
        .coverage
        .iter()
        .flat_map(|c| c.endpoints.iter().flat_map(|e| e.cells.iter()))
        .collect();
    assert!(cells.iter().all(|k| k.failed == 0));
    assert_eq!(
        cells.iter().map(|k| k.advisories).sum::<usize>(),
        report.summary.advisories
    );
    // The console says so, apart.
    let console = conform::cli::report_args::console_summary(&report, "reports in x");
    assert!(
        console.starts_with(&format!(
            "conform: {} passed, 0 failed (0 expected), 0 skipped; {} advisories apart from the failures; reports in x\n",
            report.summary.passed, report.summary.advisories
        )),
        "{console}"
    );
    assert!(
        console.contains("decided: the document names no status code"),
        "{console}"
    );
    assert!(!console.contains("failures:"), "{console}");

    // Under --strict the same decided rule fails, and the failure carries its reason.
    let (_server, config) = common::server(&["tropipay-profile-status-201"]);
    let mut strict = common::run_strict(config, "tropipay::profile");
    strict.finish();
    assert!(strict.summary.failed > 0);
    assert_eq!(strict.certificate.verdict, RunVerdict::Failed);
    let g = strict
        .failure_groups
        .iter()
        .find(|g| g.cases.contains(&"tropipay::profile".to_string()))
        .unwrap();
    assert!(
        g.failures[0].reason.is_some() && g.failures[0].quote.is_none(),
        "{g:#?}"
    );
    let md = Format::Md.render(&strict).unwrap();
    assert!(
        md.contains("> decided rule (failing under `--strict`): the document names no status code"),
        "{md}"
    );
}

#[test]
fn a_format_1_report_still_reads_as_a_baseline_and_upgrades_when_finished() {
    // Written by conform before format 2, against a server with tenpay-status-1 (a failure)
    // and tenpay-problem-as-json (advisories).
    let path = common::path("tests/fixtures/reports/format-1.json");
    let read = report::json::read_report(&path).unwrap();
    assert_eq!(
        read.integrity,
        Ok(()),
        "the digest is over the file as written"
    );
    let old = read.report;
    assert_eq!(old.format, 1);
    assert!(old.failure_groups.is_empty() && old.advisories.is_empty());
    assert!(old.cases.iter().any(|c| c.outcome == Verdict::Advisory));
    assert_eq!(old.summary.failed, 1);
    // As a baseline: the same failure is no regression.
    let mut new = run_where(&["tenpay-status-1"], None, |id| id.starts_with("tenpay::"));
    baseline::apply_baseline(&mut new, &old, "format-1.json");
    let b = new.baseline.as_ref().unwrap();
    assert!(
        b.regressions.is_empty() && b.newly_failing.is_empty(),
        "{b:#?}"
    );
    assert_eq!(b.digest, old.certificate.digest);
    // The advisories of the old run are gone now: not a change of outcome that matters.
    assert!(new.gate.passed, "{:?}", new.gate);
    // Finished, it is a format 2 report with its groups, valid against the schema.
    let mut upgraded = old.clone();
    upgraded.finish();
    assert_eq!(upgraded.format, report::FORMAT);
    assert_eq!(upgraded.failure_groups.len(), 1);
    assert_eq!(
        upgraded.failure_groups[0].cases,
        vec!["tenpay::status::1003".to_string()]
    );
    assert!(upgraded
        .advisories
        .iter()
        .any(|g| g.contract == "tenpay" && g.check == "content-type"));
    assert_eq!(upgraded.certificate.verdict, old.certificate.verdict);
    let errors = schema_errors(&schema(), &as_written(&upgraded));
    assert!(errors.is_empty(), "{errors:#?}");
    // Shares of another format are not shares of one run.
    let e = merge(vec![
        ("old.json".into(), old),
        ("new.json".into(), upgraded),
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("report format differs"), "{e}");
}
