//! The reference server passes every case, and every check catches a fault injected into it.

mod common;

use std::collections::BTreeSet;

use conform::case_kind::CaseKind;
use conform::checks::Verdict;
use conform::config::TargetConfig;

#[test]
fn reference_server_passes_every_case_and_exercises_every_endpoint() {
    let (_server, config) = common::server(&[]);
    let report = common::run(config, "");
    let failures = common::failures(&report);
    assert!(
        failures.is_empty(),
        "failures on the reference server: {failures:#?}\n{}",
        report
            .cases
            .iter()
            .filter(|c| c.outcome == Verdict::Fail)
            .map(|c| c.message.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert_eq!(
        report.summary.skipped, 0,
        "the reference server gives every variable"
    );
    assert!(report.summary.passed >= 60, "{:?}", report.summary);
    // Every one of the fourteen endpoints answered a passing positive (suite) case.
    let exercised: BTreeSet<String> = report
        .cases
        .iter()
        .filter(|c| {
            matches!(c.kind, CaseKind::Suite | CaseKind::Flow) && c.outcome == Verdict::Pass
        })
        .flat_map(|c| c.steps.iter())
        .filter(|s| {
            s.response
                .as_ref()
                .is_some_and(|r| (200..300).contains(&r.status))
        })
        .map(|s| s.endpoint.to_string())
        .collect();
    let documented: BTreeSet<String> = common::contracts()
        .iter()
        .flat_map(|c| {
            c.suite
                .endpoints
                .iter()
                .map(|e| format!("{} {}", e.method, e.path))
        })
        .collect();
    assert_eq!(documented.len(), 14, "{documented:?}");
    assert_eq!(exercised, documented);
}

/// Runs the cases matching `filter` against a server with `fault` and returns the failures.
fn failures_with(fault: &str, filter: &str) -> Vec<(String, Vec<String>)> {
    let (_server, config) = common::server(&[fault]);
    common::failures(&common::run(config, filter))
}

/// A fault that breaks only a decided rule: no failure, an advisory with `check` on `case`,
/// and under `--strict` that case fails with `check`.
fn assert_advised(fault: &str, filter: &str, case: &str, check: &str) {
    let (_server, config) = common::server(&[fault]);
    let report = common::run(config.clone(), filter);
    let failures = common::failures(&report);
    assert!(
        failures.is_empty(),
        "fault {fault} breaks only a decided rule, yet: {failures:#?}"
    );
    let advisories = common::advisories(&report);
    assert!(
        advisories
            .iter()
            .any(|(id, checks)| id.contains(case) && checks.iter().any(|c| c == check)),
        "fault {fault} should advise on {case} with check `{check}`; advisories: {advisories:#?}"
    );
    let (_server, config) = common::server(&[fault]);
    let strict = common::failures(&common::run_strict(config, filter));
    assert!(
        strict
            .iter()
            .any(|(id, checks)| id.contains(case) && checks.iter().any(|c| c == check)),
        "under --strict, fault {fault} should fail {case} with `{check}`: {strict:#?}"
    );
}

fn assert_caught(fault: &str, filter: &str, case: &str, check: &str) {
    let failures = failures_with(fault, filter);
    assert!(
        failures
            .iter()
            .any(|(id, checks)| id.contains(case) && checks.iter().any(|c| c == check)),
        "fault {fault} should fail {case} with check `{check}`; failures: {failures:#?}"
    );
}

#[test]
fn another_2xx_where_the_document_names_no_code_is_an_advisory() {
    // TropiPay names no code: "2xx range indicate success"; 200 is the contract's reading.
    assert_advised(
        "tropipay-profile-status-201",
        "tropipay::profile",
        "tropipay::profile",
        "status",
    );
}

#[test]
fn status_check_catches_ignored_auth() {
    assert_caught(
        "onboard-auth-ignored",
        "onboard::me::auth",
        "onboard::me::auth::missing",
        "status",
    );
    assert_caught(
        "onboard-auth-ignored",
        "onboard::me::auth",
        "onboard::me::auth::malformed",
        "status",
    );
}

#[test]
fn no_5xx_check_catches_a_server_error() {
    assert_caught("tss-profile-500", "tss::profile", "tss::profile", "no-5xx");
}

#[test]
fn content_type_check_catches_a_non_json_media_type() {
    assert_caught(
        "tenpay-text-content-type",
        "tenpay::status",
        "tenpay::status::1001",
        "content-type",
    );
}

#[test]
fn problem_details_served_as_plain_json_is_an_advisory() {
    // "may include a problem-details payload": the document names no media type.
    assert_advised(
        "tenpay-problem-as-json",
        "tenpay::unknown-id",
        "tenpay::unknown-id",
        "content-type",
    );
}

#[test]
fn a_field_the_document_shows_but_does_not_require_is_an_advisory_when_missing() {
    assert_advised(
        "tropipay-profile-no-email",
        "tropipay::profile",
        "tropipay::profile",
        "schema",
    );
}

#[test]
fn schema_check_catches_unrounded_amounts() {
    assert_caught(
        "tss-money-unrounded",
        "tss::profile",
        "tss::profile",
        "schema",
    );
}

#[test]
fn status_table_check_catches_a_non_canonical_lifecycle_code() {
    assert_caught(
        "tenpay-status-1",
        "tenpay::status",
        "tenpay::status::1003",
        "status-table",
    );
}

#[test]
fn an_error_status_outside_a_common_codes_table_advises_but_a_stated_401_fails() {
    // The table is headed "Common Error Codes": not a closed list. But the table does say
    // "401 Unauthorized - Invalid authentication": a 418 for a missing token fails `status`.
    let failures = failures_with("tropipay-error-418", "tropipay::get-profile::auth");
    let missing = failures
        .iter()
        .find(|(id, _)| id == "tropipay::get-profile::auth::missing")
        .unwrap_or_else(|| panic!("{failures:#?}"));
    assert_eq!(missing.1, vec!["status".to_string()], "{failures:#?}");
    let (_server, config) = common::server(&["tropipay-error-418"]);
    let advisories = common::advisories(&common::run(config, "tropipay::get-profile::auth"));
    assert!(
        advisories
            .iter()
            .any(|(id, checks)| id == "tropipay::get-profile::auth::missing"
                && checks.contains(&"status-table".to_string())),
        "{advisories:#?}"
    );
}

#[test]
fn transport_check_catches_a_target_that_never_answers() {
    let (_server, config) = common::server(&["onboard-never-answers"]);
    let contracts = common::contracts();
    config.check_against(&contracts).unwrap();
    let settings = conform::engine::RunSettings {
        http: conform::http::HttpOptions {
            timeout: std::time::Duration::from_millis(300),
            ..Default::default()
        },
        ..Default::default()
    };
    let ctx = std::sync::Arc::new(
        conform::engine::RunContext::new(contracts, config, &settings).unwrap(),
    );
    let plans = conform::engine::plan_for(&ctx, Default::default())
        .unwrap()
        .cases
        .into_iter()
        .filter(|p| p.id == "onboard::me")
        .collect();
    let report = common::runtime().block_on(conform::engine::execute(ctx, plans, 4));
    let f = common::failures(&report);
    assert_eq!(
        f,
        vec![("onboard::me".to_string(), vec!["transport".to_string()])],
        "{f:?}"
    );
    let found = common::found(&report.cases[0], Verdict::Fail);
    assert!(
        found
            .iter()
            .any(|(id, got)| id == "transport" && got.contains("within")),
        "{found:#?}"
    );
}

#[test]
fn a_missing_value_the_document_promises_fails_and_its_capture_is_inconclusive() {
    // "Returns updated user profile with new access token if phone number changed": the
    // promise is stated and fails; the schema does not require `access_token` in every answer,
    // so the capture that later steps need only advises and the case stops there.
    assert_caught(
        "tss-verify-no-access-token",
        "tss::flow-telephone-otp",
        "tss::flow-telephone-otp",
        "promise",
    );
    let (_server, config) = common::server(&["tss-verify-no-access-token"]);
    let advisories = common::advisories(&common::run(config, "tss::flow-telephone-otp"));
    assert!(
        advisories
            .iter()
            .any(|(_, checks)| checks.contains(&"capture".to_string())),
        "{advisories:#?}"
    );
}

#[test]
fn failures_name_check_clause_quote_expected_got_and_curl_without_secrets() {
    let (_server, config) = common::server(&["tropipay-error-418"]);
    let token = config.targets["tropipay"].vars["token"]
        .as_str()
        .unwrap()
        .to_string();
    let report = common::run(config, "tropipay::get-profile::auth::wrong-scheme");
    let case = report
        .cases
        .iter()
        .find(|c| c.id == "tropipay::get-profile::auth::wrong-scheme")
        .unwrap();
    assert_eq!(case.check.as_deref(), Some("status"));
    let status = case
        .steps
        .iter()
        .flat_map(|s| s.checks.iter())
        .find(|c| c.id == "status")
        .unwrap();
    assert_eq!(status.outcome, Verdict::Fail);
    assert_eq!(
        status.quote.as_deref(),
        Some("401Unauthorized - Invalid authentication")
    );
    let m = &case.message;
    assert!(m.contains("[status] expected status 401, got 418 "), "{m}");
    assert!(
        m.contains("000_f52575afaf544cbe.txt > Error Handling > Common Error Codes"),
        "{m}"
    );
    assert!(
        m.contains("the document says: “401Unauthorized - Invalid authentication”"),
        "{m}"
    );
    assert!(m.contains("curl -sS -i -X GET"), "{m}");
    assert!(m.contains("\"$TROPIPAY_TOKEN\""), "{m}");
    let all = serde_json::to_string(&report).unwrap();
    assert!(!all.contains(&token), "the token leaked into the report");
}

#[test]
fn unknown_contract_and_missing_variables_are_config_errors() {
    let contracts = common::contracts();
    let bad = TargetConfig::parse("[nope]\nbase_url = \"http://127.0.0.1:1\"\n", "t", &|_| {
        None
    })
    .unwrap();
    assert!(bad
        .check_against(&contracts)
        .unwrap_err()
        .to_string()
        .contains("no contract named `nope`"));
    let missing = TargetConfig::parse(
        "[onboard]\nbase_url = \"http://127.0.0.1:1\"\n",
        "t",
        &|_| None,
    )
    .unwrap();
    assert!(missing
        .check_against(&contracts)
        .unwrap_err()
        .to_string()
        .contains("`token` is required"));
    // Every missing key is named at once, each with what it is for.
    let several = TargetConfig::parse(
        "[tss]\nbase_url = \"http://127.0.0.1:1\"\ntoken = \"t\"\n",
        "t",
        &|_| None,
    )
    .unwrap();
    let message = several.check_against(&contracts).unwrap_err().to_string();
    assert!(message.contains("required keys are missing"), "{message}");
    assert!(message.contains("`password` is required: "), "{message}");
    assert!(message.contains("`otp` is required: "), "{message}");
}

#[test]
fn a_case_needing_an_absent_optional_variable_is_skipped_naming_it() {
    let (_server, mut config) = common::server(&[]);
    config
        .targets
        .get_mut("tropipay")
        .unwrap()
        .vars
        .remove("disposable_token");
    let report = common::run(config, "tropipay::flow-disable");
    let case = report
        .cases
        .iter()
        .find(|c| c.id == "tropipay::flow-disable")
        .unwrap();
    assert_eq!(case.outcome, Verdict::Skip);
    assert!(
        case.message
            .contains("needs `disposable_token` in [tropipay]"),
        "{}",
        case.message
    );
}
