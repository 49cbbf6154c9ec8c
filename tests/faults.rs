//! Every fault of the reference server, judged as a vendor would dispute it: a fault that breaks
//! a rule the document states fails its check; a fault that breaks only a rule the contract
//! decided (where the document is silent) is an advisory, never a failure, and fails only under
//! `--strict`. The same holds when the reference server is lenient (it takes the other side of
//! every decision): a stated fault is still caught, a decided one still only advises.
//!
//! The hostile-target faults (endless bodies, redirects, ...) probe the harness's defences and
//! are tested in `hostile*.rs`.

mod common;

use conform::server;

/// What a fault breaks: a stated rule (the check that fails) or only a decided one (the check
/// that advises).
#[derive(Debug, Clone, Copy)]
enum Breaks {
    Stated(&'static str),
    Decided(&'static str),
}
use Breaks::{Decided, Stated};

/// (fault, the cases to run, what it breaks). Every non-hostile fault of the catalog is here.
const TABLE: &[(&str, &str, Breaks)] = &[
    (
        "tropipay-profile-status-201",
        "tropipay::",
        Decided("status"),
    ),
    ("tropipay-profile-no-email", "tropipay::", Decided("schema")),
    ("tropipay-error-418", "tropipay::", Stated("status")),
    (
        "tropipay-code-pattern-skipped",
        "tropipay::validate-token",
        Stated("status"),
    ),
    (
        "tropipay-sms-conditional-skipped",
        "tropipay::send-security-code",
        Stated("status"),
    ),
    (
        "tropipay-basic-auth-accepted",
        "tropipay::",
        Stated("status"),
    ),
    (
        "tropipay-overlong-accepted",
        "tropipay::",
        Decided("status"),
    ),
    (
        "tropipay-phone-not-updated",
        "tropipay::flow-",
        Stated("promise"),
    ),
    (
        "tropipay-qr-other-secret",
        "tropipay::flow-totp",
        Stated("promise"),
    ),
    (
        "tropipay-totp-unverified",
        "tropipay::flow-totp",
        Stated("status"),
    ),
    (
        "tropipay-wrong-code-valid",
        "tropipay::flow-new-email",
        Stated("promise"),
    ),
    // "returns a boolean isValid, the complete user object, and a new, short-lived JSON Web
    // Token": the token the flow needs next is promised, so its absence fails `capture`.
    (
        "tropipay-validate-no-token",
        "tropipay::flow-new-phone",
        Stated("capture"),
    ),
    (
        "tropipay-pass-no-check",
        "tropipay::flow-password",
        Stated("status"),
    ),
    (
        "tropipay-disable-token-alive",
        "tropipay::flow-disable",
        Stated("status"),
    ),
    ("tss-money-unrounded", "tss::", Stated("schema")),
    ("tss-profile-500", "tss::profile", Stated("no-5xx")),
    ("tss-malformed-json-500", "tss::", Stated("no-5xx")),
    ("tss-wrong-type-accepted", "tss::", Stated("status")),
    ("tss-valid-gender-refused", "tss::", Decided("status")),
    ("tss-platform-unchecked", "tss::", Decided("status")),
    ("tss-content-type-ignored", "tss::", Decided("status")),
    ("tss-enum-case-insensitive", "tss::", Decided("status")),
    ("tss-birthdate-format-unchecked", "tss::", Stated("status")),
    (
        "tss-no-sanitize",
        "tss::flow-update-profile",
        Stated("promise"),
    ),
    (
        "tss-birthdate-skip-overwrites",
        "tss::flow-update-profile",
        Stated("promise"),
    ),
    (
        "tss-disable-birthdate-ignored",
        "tss::flow-locked-birthdate",
        Stated("promise"),
    ),
    (
        "tss-telephone-not-unique",
        "tss::flow-unique-telephone",
        Stated("status"),
    ),
    (
        "tss-email-overwritten",
        "tss::flow-permanent-email",
        Stated("promise"),
    ),
    (
        "tss-2fa-applies-immediately",
        "tss::flow-telephone-otp",
        Stated("promise"),
    ),
    (
        "tss-otp-unchecked",
        "tss::flow-telephone-otp",
        Stated("status"),
    ),
    (
        "tss-sessions-kept",
        "tss::flow-change-password",
        Stated("status"),
    ),
    (
        "tss-access-token-dead",
        "tss::flow-telephone-otp",
        Stated("status"),
    ),
    (
        "tss-verify-no-access-token",
        "tss::flow-telephone-otp",
        Stated("promise"),
    ),
    (
        "tss-profile-phone-no-otp",
        "tss::flow-2fa-status",
        Stated("promise"),
    ),
    (
        "tenpay-text-content-type",
        "tenpay::",
        Stated("content-type"),
    ),
    ("tenpay-status-1", "tenpay::", Stated("status-table")),
    (
        "tenpay-problem-as-json",
        "tenpay::",
        Decided("content-type"),
    ),
    ("tenpay-id-zero-accepted", "tenpay::", Stated("status")),
    ("tenpay-max-id-refused", "tenpay::", Decided("status")),
    ("tenpay-unknown-200", "tenpay::", Decided("status")),
    ("onboard-auth-ignored", "onboard::", Stated("status")),
    ("onboard-merchant-flags", "onboard::", Decided("promise")),
    ("onboard-kyc-retry-over", "onboard::", Decided("promise")),
];

/// Faults the lenient server makes moot: they change what lenient mode already changes.
const MOOT_WHEN_LENIENT: &[&str] = &[
    // Lenient 4xx errors are application/json already.
    "tenpay-problem-as-json",
    // Lenient mode accepts any gender / platform / case / media type: the fault adds nothing.
    "tss-platform-unchecked",
    "tss-enum-case-insensitive",
    "tss-content-type-ignored",
    "tropipay-overlong-accepted",
];

fn checks_with(report: &conform::report::Report, outcome: conform::checks::Verdict) -> Vec<String> {
    let mut out: Vec<String> = report
        .cases
        .iter()
        .flat_map(|c| c.steps.iter())
        .flat_map(|s| s.checks.iter())
        .filter(|k| k.outcome == outcome)
        .map(|k| k.id.to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn judge(fault: &str, filter: &str, breaks: Breaks, lenient: bool) -> Result<(), String> {
    use conform::checks::Verdict::{Advisory, Fail};
    let (_server, config) = common::server_with(&[fault], lenient);
    let report = common::run(config, filter);
    let failures = common::failures(&report);
    let failed = checks_with(&report, Fail);
    let advised = checks_with(&report, Advisory);
    let _ = common::advisories(&report); // every advisory has a reason
    let mode = if lenient { "lenient" } else { "plain" };
    // Every failure rests on the document's words: a clause and a verbatim quote.
    for case in &report.cases {
        for check in case.steps.iter().flat_map(|s| s.checks.iter()) {
            if check.outcome == Fail
                && (check.doc.is_empty() || check.quote.as_deref().is_none_or(str::is_empty))
            {
                return Err(format!(
                    "{fault} ({mode}): {} failed `{}` without a clause and quote: {check:?}",
                    case.id, check.id
                ));
            }
        }
    }
    match breaks {
        Stated(check) if !failed.iter().any(|c| c == check) => Err(format!(
            "{fault} ({mode}): breaks a stated rule, expected `{check}` to fail; failed: {failures:?}"
        )),
        Decided(_) if !failures.is_empty() => Err(format!(
            "{fault} ({mode}): breaks only a decided rule, yet failures: {failures:?}"
        )),
        Decided(check) if !lenient && !advised.iter().any(|c| c == check) => Err(format!(
            "{fault} ({mode}): expected an advisory from `{check}`; advisories: {advised:?}"
        )),
        _ => Ok(()),
    }
}

/// Faults that probe pacing (429 and Retry-After), tested in `pacing.rs`.
const PACING: &[&str] = &["tenpay-rate-limited", "tenpay-always-429"];

#[test]
fn the_table_covers_every_fault_that_is_not_hostile() {
    let named: Vec<&str> = TABLE.iter().map(|(f, _, _)| *f).collect();
    let missing: Vec<&str> = server::fault_catalog()
        .iter()
        .filter(|f| !f.description.starts_with("hostile target") && !PACING.contains(&f.name))
        .map(|f| f.name)
        .filter(|n| !named.contains(n))
        .collect();
    assert!(missing.is_empty(), "faults without a verdict: {missing:?}");
}

#[test]
fn stated_faults_fail_and_decided_faults_advise() {
    let problems: Vec<String> = TABLE
        .iter()
        .filter_map(|(f, filter, b)| judge(f, filter, *b, false).err())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn decided_faults_fail_under_strict() {
    let mut problems = Vec::new();
    for (fault, filter, breaks) in TABLE {
        let Decided(check) = breaks else { continue };
        let (_server, config) = common::server(&[fault]);
        let report = common::run_strict(config, filter);
        if !checks_with(&report, conform::checks::Verdict::Fail)
            .iter()
            .any(|c| c == check)
        {
            problems.push(format!("{fault}: under --strict `{check}` should fail"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn on_the_lenient_server_stated_faults_still_fail_and_decided_ones_never_do() {
    let problems: Vec<String> = TABLE
        .iter()
        .filter(|(f, _, _)| !MOOT_WHEN_LENIENT.contains(f))
        .filter_map(|(f, filter, b)| judge(f, filter, *b, true).err())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}
