//! A plain OpenAPI import: the exported documents with every `x-conform` extension (and the
//! contracts' `x-decided` / `x-quote` provenance) removed, as a team's own OpenAPI document would
//! be: there, the document is the OpenAPI file, and every rule it holds is stated. Standard OpenAPI alone gives auth, negative and positive
//! cases that find most faults; what it cannot know (the sandbox's codes and passwords, which
//! user to ask for) is what the extensions and the suites add.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use conform::checks::Verdict;
use conform::config::TargetConfig;
use conform::contract::{self, Contract};
use conform::openapi;
use conform::report::Report;
use serde_json::Value;

fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove(openapi::EXTENSION);
            // A team's own document has no conform provenance: its rules are all stated.
            m.remove(contract::DECIDED_KEY);
            m.remove(contract::QUOTE_KEY);
            m.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

fn plain_import(name: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let mut doc = common::exported(name);
    strip(&mut doc);
    assert!(!doc.to_string().contains("x-conform"));
    let out = dir.join(name);
    openapi::import(&doc, "doc.json", name, &out).unwrap().suite
}

fn run(suite: &std::path::Path, faults: &[&str]) -> Report {
    let imported: Contract = contract::load_suite(
        suite,
        &suite.parent().unwrap().parent().unwrap().join("schemas"),
    )
    .unwrap();
    let name = imported.name().to_string();
    let (_server, config) = common::server(faults);
    let full = config.targets[&name].clone();
    let mut target = full.clone();
    target
        .vars
        .retain(|k, _| imported.suite.variables.contains_key(k));
    // A path parameter is a variable the operator gives: here, a user the fixtures have.
    if imported.suite.variables.contains_key("id") {
        target
            .vars
            .insert("id".into(), full.vars["user_ids"][0].clone());
    }
    let config = TargetConfig {
        targets: [(name, target)].into(),
        ..config
    };
    common::run_with(Arc::new(vec![imported]), config, "")
}

fn failed(report: &Report) -> BTreeSet<(String, String)> {
    report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Fail)
        .map(|c| {
            (
                c.id.clone(),
                c.check.map(|k| k.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_plain_openapi_import_finds_faults_from_standard_fields_alone() {
    let dir = tempfile::tempdir().unwrap();
    // (contract, fault, a case that must fail with it and hold without it)
    let expectations = [
        (
            "tropipay",
            "tropipay-profile-no-email",
            "tropipay::get-profile",
            "schema",
        ),
        ("tss", "tss-money-unrounded", "tss::get-profile", "schema"),
        (
            "tss",
            "tss-wrong-type-accepted",
            "tss::update-profile::negative::firstname-wrong-type-integer",
            "status",
        ),
        (
            "onboard",
            "onboard-auth-ignored",
            "onboard::me::auth::missing",
            "status",
        ),
    ];
    for (name, fault, case, check) in expectations {
        let suite = dir
            .path()
            .join(name)
            .join("suites")
            .join(format!("{name}.toml"));
        if !suite.exists() {
            plain_import(name, dir.path());
        }
        let correct = failed(&run(&suite, &[]));
        let faulty = failed(&run(&suite, &[fault]));
        let pair = (case.to_string(), check.to_string());
        assert!(!correct.contains(&pair), "{fault}: {case} fails without it");
        assert!(faulty.contains(&pair), "{fault}: not found: {faulty:#?}");
    }
}

#[test]
fn a_plain_import_holds_on_the_correct_server() {
    // Valid bodies of some endpoints depend on the target's state (the current password, the
    // sandbox's code): the importer takes those fields from the document's example and makes
    // no random ones, and a generated body the target refuses only advises.
    let dir = tempfile::tempdir().unwrap();
    for name in ["tropipay", "tss", "tenpay", "onboard"] {
        let suite = plain_import(name, dir.path());
        let report = run(&suite, &[]);
        assert!(report.cases.len() > 5, "{name}");
        let f = failed(&report);
        assert!(f.is_empty(), "{name}: {f:#?}");
    }
}
