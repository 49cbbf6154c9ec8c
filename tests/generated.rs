//! Generated cases (issue: negative and boundary cases from the schemas): every request field is
//! attacked, the generation is reproducible, and each family catches a fault in the reference
//! server that the correct server does not have.

mod common;

use std::collections::BTreeMap;

use conform::case_kind::CaseKind;
use conform::checks::Verdict;
use conform::generate::GenerateOptions;
use conform::plan::{self, LiteralBody};

fn planned(opts: GenerateOptions) -> plan::Plan {
    let (_server, config) = common::server(&[]);
    plan::plan(&common::contracts(), &config, opts).expect("plan")
}

#[test]
fn every_request_field_of_every_endpoint_is_attacked() {
    let p = planned(GenerateOptions::default());
    let contracts = common::contracts();
    let mut per_endpoint: BTreeMap<String, usize> = BTreeMap::new();
    for c in &p.cases {
        if matches!(c.kind, CaseKind::Negative | CaseKind::Auth) {
            let endpoint = c.id.split("::").take(2).collect::<Vec<_>>().join("::");
            *per_endpoint.entry(endpoint).or_default() += 1;
        }
    }
    let mut uncovered = Vec::new();
    for contract in contracts.iter() {
        let resolver = conform::generate::view::Resolver::new(&contract.schemas);
        for e in &contract.suite.endpoints {
            let key = format!("{}::{}", contract.name(), e.id);
            if per_endpoint.get(&key).copied().unwrap_or(0) == 0 {
                uncovered.push(format!("{key}: no negative case at all"));
            }
            let negative_names: Vec<&str> = p
                .cases
                .iter()
                .filter(|c| c.kind == CaseKind::Negative && c.id.starts_with(&format!("{key}::")))
                .map(|c| c.id.rsplit("::").next().unwrap_or(""))
                .collect();
            let mut fields: Vec<String> = e.params.iter().map(|p| p.name.clone()).collect();
            if let Some(file) = &e.body {
                let view = resolver.object(file).expect("object schema");
                fields.extend(view.properties.keys().cloned());
                for c in &view.conditionals {
                    fields.extend(c.required.iter().cloned());
                }
            }
            fields.sort();
            fields.dedup();
            for f in fields {
                let hit = negative_names.iter().any(|n| {
                    n.starts_with(&format!("{f}-")) || n.ends_with(&format!("missing-{f}"))
                });
                if !hit {
                    uncovered.push(format!("{key}: field `{f}` has no negative case"));
                }
            }
        }
    }
    // One optional field is only attackable where the example body carries it.
    uncovered.retain(|u| {
        u != "tss::update-profile: field `email` has no negative case"
            && u != "tss::profile-2fa: field `email` has no negative case"
    });
    assert!(uncovered.is_empty(), "{uncovered:#?}");
    assert_eq!(per_endpoint.len(), 14, "{per_endpoint:#?}");
}

#[test]
fn nothing_generated_is_dropped_for_the_shipped_contracts() {
    // A dropped candidate means the generator and the schema disagree: it is never sent, but
    // for the shipped contracts there should be none.
    let p = planned(GenerateOptions::default());
    assert!(p.dropped.is_empty(), "{:#?}", p.dropped);
}

#[test]
fn the_same_seed_gives_the_same_cases() {
    let a = planned(GenerateOptions {
        seed: 7,
        max_cases: 6,
    });
    let b = planned(GenerateOptions {
        seed: 7,
        max_cases: 6,
    });
    let c = planned(GenerateOptions {
        seed: 8,
        max_cases: 6,
    });
    let bodies = |p: &plan::Plan| -> Vec<String> {
        p.cases
            .iter()
            .filter(|c| c.kind == CaseKind::Positive)
            .map(|c| {
                format!(
                    "{:?}",
                    c.steps.iter().map(|s| &s.literal_body).collect::<Vec<_>>()
                )
            })
            .collect()
    };
    assert_eq!(bodies(&a), bodies(&b));
    assert_ne!(bodies(&a), bodies(&c));
    assert_eq!(
        a.cases
            .iter()
            .filter(|c| c.kind == CaseKind::Positive)
            .count(),
        6 * 5
    );
}

#[test]
fn generated_case_list_snapshot() {
    let p = planned(GenerateOptions::default());
    let listing: Vec<String> = p
        .cases
        .iter()
        .filter(|c| c.id.starts_with("tropipay::send-security-code::"))
        .map(|c| {
            let body = c
                .steps
                .iter()
                .find_map(|s| s.literal_body.as_ref())
                .map(|b| match b {
                    LiteralBody::Json(text) => text.to_string(),
                    LiteralBody::Raw {
                        bytes,
                        content_type,
                    } => {
                        format!("{content_type}: {}", String::from_utf8_lossy(bytes))
                    }
                })
                .unwrap_or_default();
            format!(
                "{} [{}]\n    {}\n    sends {}",
                c.id, c.family, c.description, body
            )
        })
        .collect();
    insta::assert_snapshot!(listing.join("\n"));
}

/// Failures of the cases matching `filter` with `fault` injected.
fn failures_with(fault: &str, filter: &str) -> Vec<(String, String, Vec<String>)> {
    let (_server, config) = common::server(&[fault]);
    let report = common::run(config, filter);
    report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Fail)
        .map(|c| {
            let f = common::failures(&conform::report::Report {
                cases: vec![c.clone()],
                ..report.clone()
            });
            (
                c.id.clone(),
                c.family.to_string(),
                f.into_iter().next().map(|x| x.1).unwrap_or_default(),
            )
        })
        .collect()
}

/// `fault` fails a case of `family` whose id contains `case`, and every case it fails in
/// `filter` is of that family: only that family catches it.
fn caught_only_by(fault: &str, filter: &str, family: &str, case: &str) {
    caught_by(fault, filter, family, case, &[]);
}

/// Like [`caught_only_by`], where the one rule the fault skips also backs `also` families.
fn caught_by(fault: &str, filter: &str, family: &str, case: &str, also: &[&str]) {
    let failures = failures_with(fault, filter);
    assert!(
        failures
            .iter()
            .any(|(id, fam, _)| id.contains(case) && fam == family),
        "{fault}: expected {case} ({family}) to fail; failures: {failures:#?}"
    );
    let others: Vec<_> = failures
        .iter()
        .filter(|(_, fam, _)| fam != family && !also.contains(&fam.as_str()))
        .collect();
    assert!(
        others.is_empty(),
        "{fault}: other families also failed: {others:#?}"
    );
}

/// `fault` breaks only a decided rule: nothing in `filter` fails, a case of `family` whose id
/// contains `case` advises (and every advising case is of that family), and under `--strict`
/// that case fails.
fn advised_only_by(fault: &str, filter: &str, family: &str, case: &str) {
    let failures = failures_with(fault, filter);
    assert!(
        failures.is_empty(),
        "{fault} breaks only decided rules: {failures:#?}"
    );
    let (_server, config) = common::server(&[fault]);
    let report = common::run(config, filter);
    let advised: Vec<(String, String)> = report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Advisory)
        .map(|c| (c.id.clone(), c.family.to_string()))
        .collect();
    let _ = common::advisories(&report); // every advisory has its reason
    assert!(
        advised
            .iter()
            .any(|(id, fam)| id.contains(case) && fam == family),
        "{fault}: expected {case} ({family}) to advise; advisories: {advised:#?}"
    );
    let others: Vec<_> = advised.iter().filter(|(_, fam)| fam != family).collect();
    assert!(
        others.is_empty(),
        "{fault}: other families advised too: {others:#?}"
    );
    let (_server, config) = common::server(&[fault]);
    let strict = common::run_strict(config, filter);
    assert!(
        strict
            .cases
            .iter()
            .any(|c| c.id.contains(case) && c.outcome == Verdict::Fail),
        "{fault}: under --strict {case} should fail"
    );
}

#[test]
fn missing_family_catches_a_skipped_required_check() {
    caught_only_by(
        "tropipay-sms-conditional-skipped",
        "tropipay::send-security-code::negative::missing",
        "missing",
        "missing-callingCode",
    );
}

#[test]
fn conditional_family_catches_a_skipped_conditional_requirement() {
    caught_only_by(
        "tropipay-sms-conditional-skipped",
        "tropipay::send-security-code::negative::conditional",
        "conditional",
        "conditional-type-sms-missing-callingCode",
    );
}

#[test]
fn body_family_catches_a_500_on_malformed_json() {
    caught_only_by("tss-malformed-json-500", "tss::", "body", "body-malformed");
}

#[test]
fn an_ignored_content_type_is_an_advisory() {
    advised_only_by(
        "tss-content-type-ignored",
        "tss::",
        "body",
        "body-not-json-content-type",
    );
}

#[test]
fn wrong_type_family_catches_a_coerced_type() {
    caught_only_by(
        "tss-wrong-type-accepted",
        "tss::",
        "wrong-type",
        "firstname-wrong-type-integer",
    );
}

#[test]
fn pattern_family_catches_a_skipped_pattern() {
    // The server's one 6-digit check is both the pattern and the length rule.
    caught_by(
        "tropipay-code-pattern-skipped",
        "tropipay::validate-token::negative",
        "pattern",
        "securityCode-pattern",
        &["length"],
    );
}

#[test]
fn missing_max_lengths_are_advisories() {
    advised_only_by(
        "tropipay-overlong-accepted",
        "tropipay::pass::negative",
        "length",
        "newPass-too-long",
    );
}

#[test]
fn case_insensitive_enums_are_advisories() {
    advised_only_by(
        "tss-enum-case-insensitive",
        "tss::",
        "case",
        "gender-enum-wrong-case",
    );
}

#[test]
fn format_family_catches_an_unchecked_date() {
    caught_only_by(
        "tss-birthdate-format-unchecked",
        "tss::",
        "format",
        "birthdate-bad-date",
    );
}

#[test]
fn param_family_catches_id_zero_accepted() {
    caught_only_by(
        "tenpay-id-zero-accepted",
        "tenpay::",
        "param",
        "id-below-minimum",
    );
}

#[test]
fn an_unchecked_query_parameter_pattern_is_an_advisory() {
    advised_only_by(
        "tss-platform-unchecked",
        "tss::",
        "param",
        "platform-markup",
    );
}

#[test]
fn the_largest_id_refused_is_an_advisory() {
    advised_only_by(
        "tenpay-max-id-refused",
        "tenpay::",
        "param",
        "boundary::id-maximum",
    );
}

#[test]
fn generated_valid_data_refused_is_an_advisory() {
    advised_only_by("tss-valid-gender-refused", "tss::", "valid", "positive::");
}

#[test]
fn auth_family_catches_the_basic_scheme_accepted() {
    caught_only_by(
        "tropipay-basic-auth-accepted",
        "tropipay::",
        "wrong-scheme",
        "auth::wrong-scheme",
    );
}

#[test]
fn a_wrongly_accepted_password_change_is_restored_and_reported() {
    let (_server, config) = common::server(&["tropipay-overlong-accepted"]);
    let report = common::run(config.clone(), "tropipay::pass::negative::newPass-too-long");
    let case = &report.cases[0];
    // newPass' length is the contract's reading: accepting it advises, and the restore runs.
    assert_eq!(case.outcome, Verdict::Advisory, "{}", case.message);
    let restore = case
        .steps
        .iter()
        .find(|s| s.restore)
        .expect("a restore step ran");
    assert!(
        restore.checks.iter().all(|c| c.outcome != Verdict::Fail),
        "the restore took: {:#?}",
        restore.checks
    );
    assert_eq!(
        restore.response.as_ref().map(|r| r.status),
        Some(200),
        "{:#?}",
        case.steps
    );
    // The password is the configured one again: the password-change case passes.
    let after = common::run(config, "tropipay::password-change");
    assert_eq!(after.summary.failed, 0, "{:#?}", after.cases);
}
