//! The four shipped contracts as a team's own OpenAPI documents, run the way such a team runs
//! them: `conform run --openapi FILE --base-url URL -H 'credential' --var ...`, nothing but
//! standard OpenAPI in the document (every `x-conform` extension and the contracts' provenance
//! stripped). On the correct reference server, and on the lenient one that takes the other side
//! of every decision, no case fails; every fault whose rule OpenAPI can express is caught, and
//! every other fault is listed with the reason OpenAPI cannot say it.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use conform::checks::Verdict;
use conform::config::TargetConfig;
use conform::contract;
use conform::openapi::{self, DirectOptions};
use conform::report::Report;
use conform::server;
use serde_json::Value;

/// A document that states what the original states and no more: the extensions go, and so do
/// the schema keywords the contracts decided (`x-decided` names them; a reason alone makes the
/// whole subschema the contract's, so it becomes "anything").
fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove(openapi::EXTENSION);
            m.remove(contract::QUOTE_KEY);
            match m.remove(contract::DECIDED_KEY) {
                Some(Value::String(_)) => m.retain(|k, _| k == "description"),
                Some(Value::Object(keys)) => {
                    for k in keys.keys() {
                        m.remove(k);
                    }
                }
                _ => {}
            }
            m.values_mut().for_each(strip);
        }
        Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

/// The contract exported to a plain OpenAPI document, written to `dir/<name>.json`.
fn plain_document(name: &str, dir: &Path) -> PathBuf {
    let mut doc = common::exported(name);
    strip(&mut doc);
    let text = doc.to_string();
    assert!(!text.contains("\"x-conform\":") && !text.contains("\"x-decided\":"));
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    path
}

/// What the operator of the reference server would type: its base URL, its credential as a
/// header, the fixtures the document's state-bound fields and path parameters need.
fn command_line(name: &str, file: &Path, fixtures: &TargetConfig) -> DirectOptions {
    let t = &fixtures.targets[name];
    let s = |k: &str| t.vars[k].as_str().unwrap().to_string();
    let credential = match name {
        "onboard" => format!("x-auth-token: {}", s("token")),
        _ => format!("Authorization: Bearer {}", s("token")),
    };
    let vars: Vec<String> = match name {
        "tropipay" => vec![
            format!("oldPass={}", s("password")),
            format!("securityCode={}", s("security_code")),
        ],
        "tss" => vec![
            format!("old_password={}", s("password")),
            format!("otp={}", s("otp")),
        ],
        // User 1003: a plain document's run names one user, and `tenpay-status-1` breaks that
        // one's status.
        "tenpay" => vec![format!("id={}", t.vars["user_ids"][2])],
        _ => vec![],
    };
    DirectOptions {
        openapi: Some(file.to_path_buf()),
        base_url: Some(t.base_url.clone()),
        headers: vec![credential],
        vars,
        name: Some(name.to_string()),
    }
}

fn run(name: &str, file: &Path, faults: &[&str], lenient: bool) -> Report {
    let (_server, fixtures) = common::server_with(faults, lenient);
    run_direct(&command_line(name, file, &fixtures))
}

/// What `conform run --openapi` with these arguments reports (the library path the binary
/// takes).
fn run_direct(args: &DirectOptions) -> Report {
    let direct = openapi::prepare_direct(args, None, None).unwrap_or_else(|e| panic!("{e:#}"));
    common::run_with(Arc::new(vec![direct.contract]), direct.config, "")
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

const CONTRACTS: [&str; 4] = ["tropipay", "tss", "tenpay", "onboard"];

#[test]
fn plain_documents_hold_on_the_correct_and_the_lenient_server() {
    let dir = tempfile::tempdir().unwrap();
    for name in CONTRACTS {
        let file = plain_document(name, dir.path());
        for lenient in [false, true] {
            let report = run(name, &file, &[], lenient);
            assert!(
                report.cases.len() > 5,
                "{name}: {} cases",
                report.cases.len()
            );
            let f = failed(&report);
            assert!(f.is_empty(), "{name} (lenient {lenient}): {f:#?}");
            let skipped = report
                .cases
                .iter()
                .filter(|c| c.outcome == Verdict::Skip)
                .count();
            assert_eq!(skipped, 0, "{name}: every variable was given");
        }
    }
}

/// Faults a plain OpenAPI document cannot catch, and why: their rules live in the documents'
/// prose (cross-call promises, state, the values of a status table), which OpenAPI has no
/// field for, or in a contract decision OpenAPI does not carry.
const NOT_EXPRESSIBLE: &[(&str, &str)] = &[
    ("tropipay-profile-status-201", DECIDED),
    ("tropipay-profile-no-email", DECIDED),
    ("tropipay-overlong-accepted", DECIDED),
    ("tss-valid-gender-refused", DECIDED),
    ("tss-platform-unchecked", DECIDED),
    ("tss-content-type-ignored", DECIDED),
    ("tss-enum-case-insensitive", DECIDED),
    ("tenpay-problem-as-json", DECIDED),
    ("tenpay-max-id-refused", DECIDED),
    ("tenpay-unknown-200", DECIDED),
    ("onboard-merchant-flags", DECIDED),
    ("onboard-kyc-retry-over", DECIDED),
    ("tropipay-phone-not-updated", ACROSS_CALLS),
    ("tropipay-qr-other-secret", ACROSS_CALLS),
    ("tropipay-totp-unverified", ACROSS_CALLS),
    ("tropipay-wrong-code-valid", ACROSS_CALLS),
    ("tropipay-validate-no-token", ACROSS_CALLS),
    ("tropipay-pass-no-check", ACROSS_CALLS),
    ("tropipay-disable-token-alive", ACROSS_CALLS),
    ("tss-no-sanitize", ACROSS_CALLS),
    ("tss-birthdate-skip-overwrites", ACROSS_CALLS),
    ("tss-disable-birthdate-ignored", ACROSS_CALLS),
    ("tss-telephone-not-unique", ACROSS_CALLS),
    ("tss-email-overwritten", ACROSS_CALLS),
    ("tss-2fa-applies-immediately", ACROSS_CALLS),
    ("tss-otp-unchecked", ACROSS_CALLS),
    ("tss-sessions-kept", ACROSS_CALLS),
    ("tss-access-token-dead", ACROSS_CALLS),
    ("tss-verify-no-access-token", ACROSS_CALLS),
    ("tss-profile-phone-no-otp", ACROSS_CALLS),
];

/// The rule it breaks is the contract's reading where the document is silent (`tests/faults.rs`
/// calls it decided): a document that states what the original states does not say it, and a
/// correct server may do what the fault does.
const DECIDED: &str = "decided, not stated: the document does not say it";
/// The rule is a promise across calls in the document's prose (a validated phone lands on the
/// profile, a password change ends the other sessions): OpenAPI has no field for it, the
/// suite's flows check it.
const ACROSS_CALLS: &str = "a promise across calls, in prose: no OpenAPI field says it";

/// Faults that probe pacing (429 and Retry-After), tested in `pacing.rs`.
const PACING: &[&str] = &["tenpay-rate-limited", "tenpay-always-429"];

#[test]
fn every_fault_openapi_can_express_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let mut caught = Vec::new();
    let mut missed = Vec::new();
    for name in CONTRACTS {
        let file = plain_document(name, dir.path());
        for f in server::fault_catalog().iter().filter(|f| {
            f.contract == name
                && !f.description.starts_with("hostile target")
                && !PACING.contains(&f.name)
        }) {
            let report = run(name, &file, &[f.name], false);
            let failures = failed(&report);
            if failures.is_empty() {
                missed.push(f.name);
            } else {
                caught.push(f.name);
            }
        }
    }
    assert!(NOT_EXPRESSIBLE.iter().all(|(_, why)| !why.is_empty()));
    let listed: BTreeSet<&str> = NOT_EXPRESSIBLE.iter().map(|(n, _)| *n).collect();
    let missed_set: BTreeSet<&str> = missed.iter().copied().collect();
    assert_eq!(missed_set, listed, "caught: {caught:#?}");
}

/// The documents as `conform export openapi` writes them, extensions and all: the run is the
/// contract's own (its flows aside, which OpenAPI has no form for), on the correct and the
/// lenient server.
#[test]
fn exported_documents_run_with_openapi_hold_on_both_servers() {
    let dir = tempfile::tempdir().unwrap();
    for name in CONTRACTS {
        let doc = common::exported(name);
        let file = dir.path().join(format!("{name}-full.json"));
        std::fs::write(&file, doc.to_string()).unwrap();
        for lenient in [false, true] {
            let (_server, fixtures) = common::server_with(&[], lenient);
            let t = &fixtures.targets[name];
            let mut args = DirectOptions {
                openapi: Some(file.clone()),
                name: Some(name.to_string()),
                ..DirectOptions::default()
            };
            // The variables the imported contract reads (its flows, and theirs, are not there).
            let known = openapi::prepare_direct(&args, None, Some("http://127.0.0.1"))
                .unwrap()
                .contract
                .suite
                .variables;
            args.base_url = Some(t.base_url.clone());
            args.vars = t
                .vars
                .iter()
                .filter(|(k, _)| known.contains_key(*k))
                .map(|(k, v)| format!("{k}:={v}"))
                .collect();
            let report = run_direct(&args);
            assert!(report.cases.len() > 5, "{name}");
            let f = failed(&report);
            assert!(f.is_empty(), "{name} (lenient {lenient}): {f:#?}");
        }
    }
}

/// The one command through the real binary: it runs, writes every report, keeps the `-H`
/// credential out of all of them, and refuses bad input with exit 2 and a sentence.
#[test]
fn the_one_command_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = plain_document("tss", dir.path());
    let (_server, fixtures) = common::server(&[]);
    let t = &fixtures.targets["tss"];
    let token = t.vars["token"].as_str().unwrap().to_string();
    let header = format!("Authorization: Bearer {token}");
    let f = file.to_str().unwrap();
    let reports = dir.path().join("reports");
    let out = common::conform(
        &[
            "run",
            "--openapi",
            f,
            "--base-url",
            &t.base_url,
            "-H",
            &header,
            "--report-dir",
            reports.to_str().unwrap(),
        ],
        dir.path(),
    );
    let text = common::text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains(&token), "the credential is printed");
    for r in ["report.json", "junit.xml", "report.md", "report.html"] {
        let body = std::fs::read_to_string(reports.join(r)).unwrap();
        assert!(!body.contains(&token), "{r} holds the credential");
    }
    // `list` shows the same cases the run ran.
    let listed = common::conform(&["list", "--openapi", f], dir.path());
    assert_eq!(listed.status.code(), Some(0), "{}", common::text(&listed));
    let cases = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|l| l.starts_with("case "))
        .count();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["cases"].as_array().unwrap().len(), cases);

    let bad: [(&[&str], &str); 6] = [
        (&["run", "--openapi", f], "--base-url URL is required"),
        (
            &["run", "--openapi", f, "--base-url", &t.base_url],
            "requires a credential",
        ),
        (
            &[
                "run",
                "--openapi",
                f,
                "--base-url",
                "ftp://x",
                "-H",
                &header,
            ],
            "must be http or https",
        ),
        (
            &[
                "run",
                "--openapi",
                f,
                "--base-url",
                &t.base_url,
                "-H",
                "nocolon",
            ],
            "a header is `Name: value`",
        ),
        (
            &[
                "run",
                "--openapi",
                f,
                "--base-url",
                &t.base_url,
                "-H",
                &header,
                "--var",
                "nope=1",
            ],
            "no variable `nope`",
        ),
        (
            &[
                "run",
                "--openapi",
                "/nonexistent.yaml",
                "--base-url",
                &t.base_url,
            ],
            "failed to read",
        ),
    ];
    for (args, says) in bad {
        let out = common::conform(args, dir.path());
        let text = common::text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains(says), "{args:?}: {text}");
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
}

/// A path parameter the operator names no value for is made up from its schema: the cases
/// that use it run (none is skipped), a refusal of the unknown object conforms, and the run
/// holds on the correct server.
#[test]
fn a_path_parameter_without_a_var_is_made_up_and_its_refusal_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let file = plain_document("tenpay", dir.path());
    let (_server, fixtures) = common::server(&[]);
    let mut args = command_line("tenpay", &file, &fixtures);
    args.vars.clear();
    let direct = openapi::prepare_direct(&args, None, None).unwrap();
    let target = &direct.config.targets["tenpay"];
    assert!(target.made_up.contains_key("id"), "{:?}", target.vars);
    assert!(
        direct.notes.iter().any(|n| n.contains("made up")),
        "{:?}",
        direct.notes
    );
    let report = common::run_with(Arc::new(vec![direct.contract]), direct.config, "");
    assert!(report.cases.iter().all(|c| c.outcome != Verdict::Skip));
    let f = failed(&report);
    assert!(f.is_empty(), "{f:#?}");
}

/// Header and cookie parameters are sent where the document puts them: a server on
/// 127.0.0.1 that records every request it gets sees them on the example request.
#[test]
fn header_and_cookie_parameters_are_sent_where_the_document_puts_them() {
    let server = Recorder::start("200 OK", "{}");
    let port = server.port;
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("params.yaml");
    std::fs::write(
        &doc,
        r#"openapi: 3.0.3
info: {title: params, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: X-Tenant, in: header, required: true, schema: {type: string, enum: [acme]}, example: acme}
        - {name: session, in: cookie, required: true, schema: {type: string, pattern: "^s[0-9]+$"}, example: s42}
        - {name: Accept, in: header, schema: {type: string}}
      responses:
        "200":
          description: the things
          content:
            application/json:
              schema: {type: object}
"#,
    )
    .unwrap();
    let args = DirectOptions {
        openapi: Some(doc),
        base_url: Some(format!("http://127.0.0.1:{port}")),
        ..DirectOptions::default()
    };
    let direct = openapi::prepare_direct(&args, None, None).unwrap();
    let e = &direct.contract.suite.endpoints[0];
    // `Accept` is the media types' to say (OpenAPI ignores such a parameter).
    assert_eq!(e.params.len(), 2, "{:?}", e.params);
    let report = common::run_with(Arc::new(vec![direct.contract]), direct.config, "");
    let seen = server.stop();
    // (hyper writes header names in lower case)
    assert!(
        seen.iter().any(|r| r.starts_with("GET /things ")
            && r.contains("x-tenant: acme")
            && r.contains("cookie: session=s42")),
        "no request carried both: {seen:#?}"
    );
    // And the generated negatives vary them: a session the pattern refuses was sent, with the
    // tenant as the example gives it.
    assert!(
        seen.iter().any(|r| r.contains("cookie: session=")
            && !r.contains("cookie: session=s42")
            && r.contains("x-tenant: acme")),
        "{seen:#?}"
    );
    assert!(!report.cases.is_empty());
}

/// A server on 127.0.0.1 that answers every request with one status and JSON body, and keeps
/// each request's head; stopped by [`Recorder::stop`].
struct Recorder {
    port: u16,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start(status: &'static str, body: &'static str) -> Recorder {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut conn) = conn else { continue };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match conn.read(&mut chunk) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&buf).into_owned());
                    let answer = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(answer.as_bytes());
                }
            })
        };
        Recorder {
            port,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the server; the requests it got.
    fn stop(mut self) -> Vec<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        let seen = self.seen.lock().unwrap().clone();
        seen
    }
}

/// The error body a document shows for one operation is stated there only: the same body on
/// an operation whose document shows none only advises.
#[test]
fn an_error_body_is_stated_only_where_the_document_shows_it() {
    let server = Recorder::start("400 Bad Request", r#"{"reason": null}"#);
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("errors.yaml");
    std::fs::write(
        &doc,
        r#"openapi: 3.0.3
info: {title: errors, version: "1"}
paths:
  /shown:
    get:
      operationId: shown
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
        "400":
          description: Bad request
          content:
            application/json:
              schema: {type: object, properties: {reason: {type: string}}}
  /silent:
    get:
      operationId: silent
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"#,
    )
    .unwrap();
    let args = DirectOptions {
        openapi: Some(doc),
        base_url: Some(format!("http://127.0.0.1:{}", server.port)),
        ..DirectOptions::default()
    };
    let report = run_direct(&args);
    server.stop();
    let failed = common::failures(&report);
    let schema_failed = |name: &str| {
        failed
            .iter()
            .any(|(id, checks)| id.contains(name) && checks.iter().any(|c| c == "schema"))
    };
    assert!(
        schema_failed("::shown"),
        "the shown body's rule must fail: {failed:?}"
    );
    assert!(
        !schema_failed("::silent"),
        "no body is shown for /silent: {failed:?}"
    );
    let advised = common::advisories(&report);
    assert!(
        advised.iter().any(
            |(id, checks)| id.contains("silent") && checks.iter().any(|c| c.contains("schema"))
        ),
        "{advised:?}"
    );
}

/// Each security scheme conform can present puts the credential where the document says, and
/// its auth cases vary it there: an API key in the query or a cookie, HTTP basic.
#[test]
fn every_security_scheme_carries_its_credential_where_the_document_says() {
    let schemes = [
        (
            "query",
            r#"{type: apiKey, in: query, name: api_key}"#,
            vec!["--var", "token=k-123"],
            "GET /things?api_key=k-123 ",
        ),
        (
            "cookie",
            r#"{type: apiKey, in: cookie, name: sid}"#,
            vec!["--var", "token=k-123"],
            "cookie: sid=k-123",
        ),
        (
            "basic",
            r#"{type: http, scheme: basic}"#,
            vec!["-H", "Authorization: Basic dXNlcjpwdw=="],
            "authorization: Basic dXNlcjpwdw==",
        ),
    ];
    for (name, scheme, extra, carries) in schemes {
        let server = Recorder::start("200 OK", "{}");
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &doc,
            format!(
                r#"openapi: 3.0.3
info: {{title: {name}, version: "1"}}
security: [{{key: []}}]
components: {{securitySchemes: {{key: {scheme}}}}}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: object}}}}}}}}
        "401": {{description: no credential}}
"#
            ),
        )
        .unwrap();
        let mut args = DirectOptions {
            openapi: Some(doc),
            base_url: Some(format!("http://127.0.0.1:{}", server.port)),
            ..DirectOptions::default()
        };
        match extra[0] {
            "-H" => args.headers.push(extra[1].to_string()),
            _ => args.vars.push(extra[1].to_string()),
        }
        let report = run_direct(&args);
        let seen = server.stop();
        let example = seen
            .iter()
            .filter(|r| r.starts_with("GET /things"))
            .filter(|r| r.contains(carries))
            .count();
        assert!(
            example >= 1,
            "{name}: no request carried {carries:?}: {seen:#?}"
        );
        // The auth cases ran, and one of them sent no credential at all.
        let auth_cases = report
            .cases
            .iter()
            .filter(|c| c.kind == conform::case_kind::CaseKind::Auth)
            .count();
        assert!(auth_cases >= 3, "{name}: {auth_cases} auth cases");
        assert!(
            seen.iter().any(|r| r.starts_with("GET /things")
                && !r.contains("k-123")
                && !r.contains("dXNlcjpwdw==")
                && !r.to_ascii_lowercase().contains("authorization:")),
            "{name}: no request without the credential: {seen:#?}"
        );
        // The credential is in no output.
        let text = serde_json::to_string(&report).unwrap();
        assert!(
            !text.contains("k-123") && !text.contains("dXNlcjpwdw=="),
            "{name}"
        );
    }
}
