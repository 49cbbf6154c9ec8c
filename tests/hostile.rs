//! Hostile and broken targets, through the library: each test points the harness at a server
//! that misbehaves in one way (a reference-server fault, or a purpose-built loopback server)
//! and checks that the harness ends the case with a clear failure, on time, and goes on.

mod common;
mod hostile_support;

use std::time::{Duration, Instant};

use conform::checks::Verdict;
use conform::engine::RunSettings;
use conform::http::{HttpClient, HttpOptions, Outgoing, TransportError};
use conform::report::{CaseReport, Report};
use hostile_support::{json_answer, run_with_settings, with_timeout, Answer, Scripted};

fn case<'a>(report: &'a Report, id: &str) -> &'a CaseReport {
    report
        .cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id} in {:?}", ids(report)))
}

fn ids(report: &Report) -> Vec<&str> {
    report.cases.iter().map(|c| c.id.as_str()).collect()
}

/// The failed checks of a case, each with what it found the target gave (`Finding::got`).
fn failed_checks(case: &CaseReport) -> Vec<(String, String)> {
    case.steps
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter(|c| c.outcome == Verdict::Fail)
        .map(|c| {
            let finding = c
                .finding
                .as_ref()
                .expect("a failed check says what it found");
            assert!(!finding.expected.is_empty(), "{c:#?}");
            (c.id.to_string(), finding.got.clone())
        })
        .collect()
}

/// The case fails `check`, finding that the target gave `words` (as data), and its message
/// says so too.
fn assert_fails_with(case: &CaseReport, check: &str, words: &str) {
    let failed = failed_checks(case);
    assert_eq!(case.outcome, Verdict::Fail, "{}: {}", case.id, case.message);
    assert!(
        failed
            .iter()
            .any(|(id, got)| id == check && got.contains(words)),
        "{} should fail `{check}` having got {words:?}; failed checks: {failed:#?}",
        case.id
    );
    assert!(case.message.contains(words), "{}", case.message);
}

#[test]
fn a_huge_body_fails_its_case_with_body_too_large_and_the_others_pass() {
    let (_server, config) = common::server(&["tenpay-huge-body"]);
    let clock = Instant::now();
    let report = run_with_settings(config, "tenpay::", &RunSettings::default());
    for id in ["tenpay::status::1001", "tenpay::status::1004"] {
        assert_fails_with(case(&report, id), "transport", "body too large");
    }
    // Answers that are not 200 are not padded, and still pass.
    assert_eq!(case(&report, "tenpay::unknown-id").outcome, Verdict::Pass);
    assert!(
        clock.elapsed() < Duration::from_secs(60),
        "{:?}",
        clock.elapsed()
    );
}

#[test]
fn an_endless_chunked_body_fails_with_body_too_large_long_before_the_timeout() {
    let (_server, config) = common::server(&["tenpay-endless-body"]);
    let clock = Instant::now();
    let report = run_with_settings(
        config,
        "tenpay::status::1001",
        &with_timeout(Duration::from_secs(60)),
    );
    assert_fails_with(
        case(&report, "tenpay::status::1001"),
        "transport",
        "body too large",
    );
    assert!(
        clock.elapsed() < Duration::from_secs(30),
        "{:?}",
        clock.elapsed()
    );
}

#[test]
fn a_body_limit_is_configurable() {
    // The normal status answer is a few hundred bytes: a 64-byte limit refuses it.
    let (_server, config) = common::server(&[]);
    let settings = RunSettings {
        http: HttpOptions {
            body_limit: 64,
            ..Default::default()
        },
        ..Default::default()
    };
    let report = run_with_settings(config, "tenpay::status::1001", &settings);
    let c = case(&report, "tenpay::status::1001");
    assert_fails_with(c, "transport", "body too large: more than 64 bytes");
}

#[test]
fn a_target_that_never_answers_times_out_and_the_run_goes_on() {
    let (_server, config) = common::server(&["onboard-never-answers"]);
    let clock = Instant::now();
    let report = run_with_settings(config, "onboard::", &with_timeout(Duration::from_secs(1)));
    let elapsed = clock.elapsed();
    assert_fails_with(case(&report, "onboard::me"), "transport", "within 1s");
    // The auth cases are answered before the fault bites: the run went on and they passed.
    assert_eq!(
        case(&report, "onboard::me::auth::missing").outcome,
        Verdict::Pass
    );
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
}

#[test]
fn a_body_sent_one_byte_a_second_times_out() {
    let (_server, config) = common::server(&["onboard-slow-body"]);
    let clock = Instant::now();
    let report = run_with_settings(
        config,
        "onboard::me",
        &with_timeout(Duration::from_millis(1500)),
    );
    assert_fails_with(
        case(&report, "onboard::me"),
        "transport",
        "no complete answer",
    );
    assert!(
        clock.elapsed() < Duration::from_secs(15),
        "{:?}",
        clock.elapsed()
    );
}

#[test]
fn the_run_timeout_ends_a_run_on_time_with_the_remaining_cases_failed() {
    let (_server, config) = common::server(&["onboard-never-answers"]);
    // A generous per-request timeout: only the run's limit can end this run early.
    let settings = RunSettings {
        run_timeout: Some(Duration::from_millis(1500)),
        ..with_timeout(Duration::from_secs(120))
    };
    let clock = Instant::now();
    let report = run_with_settings(config, "onboard::", &settings);
    let elapsed = clock.elapsed();
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    let me = case(&report, "onboard::me");
    assert_eq!(me.outcome, Verdict::Fail);
    assert_eq!(
        me.time_limit,
        Some(conform::report::TimeLimit::CutOff),
        "{}",
        me.message
    );
    assert_eq!(report.summary.total, report.cases.len());
}

#[test]
fn invalid_utf8_is_a_clear_schema_failure() {
    let (_server, config) = common::server(&["tenpay-invalid-utf8"]);
    let report = run_with_settings(config, "tenpay::status::1001", &RunSettings::default());
    assert_fails_with(
        case(&report, "tenpay::status::1001"),
        "schema",
        "a body that is not UTF-8",
    );
}

#[test]
fn json_nested_10000_deep_is_a_clear_failure_not_a_stack_overflow() {
    let (_server, config) = common::server(&["tenpay-deep-json"]);
    let report = run_with_settings(config, "tenpay::status::1001", &RunSettings::default());
    assert_fails_with(
        case(&report, "tenpay::status::1001"),
        "schema",
        "JSON nested deeper than 128 levels",
    );
}

#[test]
fn a_huge_number_is_a_clear_failure() {
    let (_server, config) = common::server(&["onboard-huge-number"]);
    let report = run_with_settings(config, "onboard::me", &RunSettings::default());
    assert_fails_with(
        case(&report, "onboard::me"),
        "schema",
        "a JSON number outside the range of a double",
    );
}

#[test]
fn duplicate_keys_are_flagged_naming_the_key() {
    let (_server, config) = common::server(&["onboard-duplicate-keys"]);
    let report = run_with_settings(config, "onboard::me", &RunSettings::default());
    assert_fails_with(
        case(&report, "onboard::me"),
        "schema",
        "JSON with the member \"userId\" twice in the object at \"\"",
    );
}

#[test]
fn invalid_json_is_a_clear_failure() {
    let bad = Scripted::start(common::runtime(), |_| {
        Answer::Bytes(json_answer("200 OK", "{\"userId\": \"65f1\", "))
    });
    let (_server, mut config) = common::server(&[]);
    config.targets.get_mut("onboard").unwrap().base_url = bad.url();
    let report = run_with_settings(config, "onboard::me", &RunSettings::default());
    assert_fails_with(
        case(&report, "onboard::me"),
        "schema",
        "a body that is not JSON (EOF while parsing",
    );
}

#[test]
fn a_connection_reset_mid_body_fails_the_case_naming_the_target_and_the_run_goes_on() {
    // Headers promise 4000 bytes; 20 arrive, then the connection is reset.
    let resetting = Scripted::start(common::runtime(), |head| {
        if head.contains("x-auth-token") || head.contains("authorization") {
            let mut b = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                          content-length: 4000\r\n\r\n"
                .to_vec();
            b.extend_from_slice(b"{\"userId\": \"65f1c2a9");
            Answer::BytesThenReset(b)
        } else {
            Answer::BytesThenReset(Vec::new())
        }
    });
    let (_server, mut config) = common::server(&[]);
    config.targets.get_mut("onboard").unwrap().base_url = resetting.url();
    let clock = Instant::now();
    let report = run_with_settings(config, "onboard::", &with_timeout(Duration::from_secs(5)));
    let me = case(&report, "onboard::me");
    assert_eq!(me.outcome, Verdict::Fail);
    let failed = failed_checks(me);
    assert!(
        failed.iter().any(|(id, m)| id == "transport"
            && m.contains(&resetting.url())
            && (m.contains("broke off") || m.contains("failed"))),
        "{failed:#?}"
    );
    // Every onboard case ran to an end (none hung), each a transport failure.
    assert!(report.cases.len() >= 5, "{:?}", ids(&report));
    for c in &report.cases {
        assert_eq!(
            c.check.as_deref(),
            Some("transport"),
            "{}: {}",
            c.id,
            c.message
        );
    }
    assert!(
        clock.elapsed() < Duration::from_secs(20),
        "{:?}",
        clock.elapsed()
    );
    assert!(resetting.request_count() >= report.cases.len());
}

fn get(client: &HttpClient, url: String) -> Result<conform::http::Incoming, TransportError> {
    let out = Outgoing {
        method: "GET".into(),
        url,
        headers: vec![("Authorization".into(), "Bearer sekrit-token-123".into())],
        body: None,
    };
    common::runtime().block_on(client.send(&out))
}

/// `/same` redirects within the server; `/cross` to `elsewhere`, another origin.
fn redirecting(elsewhere: String) -> Scripted {
    Scripted::start(common::runtime(), move |head| {
        let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
        let redirect = |to: &str| {
            Answer::Bytes(
                format!(
                    "HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\n\
                     connection: close\r\n\r\n"
                )
                .into_bytes(),
            )
        };
        match target.as_str() {
            "/same" => redirect("/landed"),
            "/cross" => redirect(&format!("{elsewhere}/stolen")),
            _ => Answer::Bytes(json_answer("200 OK", "{\"landed\":true}")),
        }
    })
}

#[test]
fn redirects_are_not_followed_by_default() {
    let elsewhere = Scripted::start(common::runtime(), |_| {
        Answer::Bytes(json_answer("200 OK", "{}"))
    });
    let server = redirecting(elsewhere.url());
    let client = HttpClient::new(HttpOptions::default()).unwrap();
    for path in ["/same", "/cross"] {
        let got = get(&client, format!("{}{path}", server.url())).unwrap();
        assert_eq!(got.status, 302, "{path}");
    }
    assert_eq!(server.request_count(), 2);
    assert_eq!(elsewhere.request_count(), 0);
}

#[test]
fn follow_redirects_stays_in_the_origin_and_never_takes_credentials_elsewhere() {
    let elsewhere = Scripted::start(common::runtime(), |_| {
        Answer::Bytes(json_answer("200 OK", "{}"))
    });
    let server = redirecting(elsewhere.url());
    let client = HttpClient::new(HttpOptions {
        follow_redirects: true,
        ..Default::default()
    })
    .unwrap();
    let same = get(&client, format!("{}/same", server.url())).unwrap();
    assert_eq!(same.status, 200);
    assert_eq!(same.body, b"{\"landed\":true}");
    // The followed request kept its credential: it stayed with the target.
    let heads = server.requests.lock().unwrap().clone();
    assert!(
        heads.iter().any(|h| h.starts_with("GET /landed")
            && h.to_ascii_lowercase()
                .contains("authorization: bearer sekrit-token-123")),
        "{heads:#?}"
    );
    let cross = get(&client, format!("{}/cross", server.url())).unwrap();
    assert_eq!(
        cross.status, 302,
        "a redirect to another origin is the answer"
    );
    assert_eq!(
        elsewhere.request_count(),
        0,
        "nothing went to the other origin"
    );
}

#[test]
fn the_reference_servers_cross_origin_redirect_is_reported_not_followed() {
    for follow in [false, true] {
        let (_server, config) = common::server(&["tropipay-redirect-other-origin"]);
        let settings = RunSettings {
            http: HttpOptions {
                follow_redirects: follow,
                ..Default::default()
            },
            ..Default::default()
        };
        let report = run_with_settings(config, "tropipay::profile", &settings);
        let c = case(&report, "tropipay::profile");
        assert_eq!(c.check.as_deref(), Some("status"), "{}", c.message);
        let status = c.steps[0].response.as_ref().map(|r| r.status);
        assert_eq!(status, Some(307), "follow_redirects = {follow}");
    }
}

#[test]
fn connection_refused_names_the_target() {
    // A port that was just free: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = HttpClient::new(HttpOptions::default()).unwrap();
    let url = format!("http://127.0.0.1:{port}/users/me");
    let e = get(&client, url.clone()).unwrap_err();
    assert!(matches!(e, TransportError::Connect { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with(&format!("cannot connect to {url}")),
        "{e}"
    );
}
