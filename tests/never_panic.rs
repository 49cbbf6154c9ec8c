//! Never panic: a seeded fuzz of the response path, bounded in time so it runs in CI.
//!
//! Two loops share one generator of hostile answers (random JSON with duplicate keys, huge
//! numbers and deep nesting; mutated document examples; random bytes; broken HTTP):
//! - in-process: status, headers and body bytes → every check of every endpoint of every
//!   contract → the redactor → the serialized check results;
//! - end to end: a loopback server answering every request of a run with such an answer →
//!   runner → report model → `report.json` text.
//!
//! A panic fails the test (in-process, with the input; end to end, as a case missing from the
//! report, since the runner's tasks would swallow it). `CONFORM_FUZZ_SECS` (default 3 per
//! loop) and `CONFORM_FUZZ_SEED` (default: fixed) change the budget and the seed.

mod common;
mod hostile_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use conform::checks::{self, Expectation, Expected, StepContext};
use conform::engine::{self, RunContext, RunSettings};
use conform::http::Incoming;
use conform::redact::Redactor;
use hostile_support::{Answer, Scripted};

fn budget() -> Duration {
    let secs = std::env::var("CONFORM_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs.clamp(0.1, 3600.0))
}

fn seed() -> u64 {
    std::env::var("CONFORM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xC0F0_2026)
}

/// The documents' examples: realistic bodies to mutate.
fn corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let dir = common::path("tests/examples");
    for api in std::fs::read_dir(dir).unwrap().flatten() {
        for file in std::fs::read_dir(api.path()).unwrap().flatten() {
            if file.path().extension().is_some_and(|e| e == "json") {
                out.push(std::fs::read(file.path()).unwrap());
            }
        }
    }
    assert!(out.len() >= 10, "examples corpus: {}", out.len());
    out
}

const STATUSES: &[u16] = &[
    200, 201, 204, 206, 301, 302, 307, 400, 401, 403, 404, 409, 413, 418, 422, 500, 502, 503,
];
const MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/problem+json",
    "application/json; charset=utf-8",
    "text/plain",
    "",
    "application/",
    ";;;",
    "application/vnd.x+json; a=\"b",
];
const KEYS: &[&str] = &[
    "data",
    "status",
    "code",
    "message",
    "userId",
    "token",
    "access_token",
    "email",
    "id",
    "detail",
    "type",
    "items",
    "",
    "\u{0}",
    "é",
];

/// A random JSON text, written by hand so it can hold what serializers never write.
fn json(rng: &mut StdRng, depth: usize, out: &mut String) {
    let pick = if depth > 6 {
        rng.random_range(0..5)
    } else {
        rng.random_range(0..8)
    };
    match pick {
        0 => out.push_str(["null", "true", "false"][rng.random_range(0..3)]),
        1 => out.push_str(
            [
                "0",
                "-0",
                "1e400",
                "-1e400",
                "1E-400",
                "123456789012345678901234567890",
                "3.14",
                "-1",
                "18446744073709551616",
                "9007199254740993",
                "1.0e+2",
            ][rng.random_range(0..11)],
        ),
        2 => out.push_str(&rng.random::<i64>().to_string()),
        3 => {
            let s: String = (0..rng.random_range(0..40))
                .map(|_| {
                    [
                        'a',
                        'Z',
                        '0',
                        ' ',
                        'é',
                        '€',
                        '\u{1F600}',
                        '\\',
                        '"',
                        '\n',
                        '\u{7}',
                        '.',
                    ][rng.random_range(0..12)]
                })
                .collect();
            out.push_str(&serde_json::to_string(&s).unwrap());
        }
        4 => out.push_str(
            [
                "\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln\"",
                "\"\\ud800\"",
                "\"\\u0000\"",
                "\"data:image/png;base64,iVBORw0KGgo=\"",
            ][rng.random_range(0..4)],
        ),
        5 | 6 => {
            out.push('{');
            let n = rng.random_range(0..6);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                let key = KEYS[rng.random_range(0..KEYS.len())];
                out.push_str(&serde_json::to_string(key).unwrap());
                out.push(':');
                json(rng, depth + 1, out);
            }
            out.push('}');
        }
        _ => {
            out.push('[');
            for i in 0..rng.random_range(0..6) {
                if i > 0 {
                    out.push(',');
                }
                json(rng, depth + 1, out);
            }
            out.push(']');
        }
    }
}

fn mutate(rng: &mut StdRng, body: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..6) {
        if body.is_empty() {
            body.push(rng.random());
            continue;
        }
        let at = rng.random_range(0..body.len());
        match rng.random_range(0..4) {
            0 => body[at] = rng.random(),
            1 => body.truncate(at),
            2 => body.insert(
                at,
                [b'{', b'[', b'"', b'\\', 0xff, b':', b','][rng.random_range(0..7)],
            ),
            _ => {
                let copy = body[at..].to_vec();
                body.extend_from_slice(&copy[..copy.len().min(256)]);
            }
        }
    }
}

/// Status, headers and body of one hostile answer.
fn answer(rng: &mut StdRng, corpus: &[Vec<u8>]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = if rng.random_bool(0.9) {
        STATUSES[rng.random_range(0..STATUSES.len())]
    } else {
        rng.random_range(100..1000)
    };
    // A 429 is retried after a wait, by design (the pacing tests cover it): not here.
    let status = if status == 429 { 428 } else { status };
    let mut headers = vec![(
        "content-type".to_string(),
        MEDIA_TYPES[rng.random_range(0..MEDIA_TYPES.len())].to_string(),
    )];
    if rng.random_bool(0.2) {
        headers.push(("set-cookie".into(), "sid=abcdefghijkl; Path=/".into()));
    }
    if rng.random_bool(0.1) {
        headers.push(("content-type".into(), "text/html".into()));
    }
    let body = match rng.random_range(0..6) {
        0 => Vec::new(),
        1 => (0..rng.random_range(0..2048))
            .map(|_| rng.random())
            .collect(),
        2 => {
            let n = rng.random_range(100..20_000);
            [vec![b'['; n], vec![b']'; rng.random_range(0..=n)]].concat()
        }
        3 | 4 => {
            let mut b = corpus[rng.random_range(0..corpus.len())].clone();
            if rng.random_bool(0.7) {
                mutate(rng, &mut b);
            }
            b
        }
        _ => {
            let mut s = String::new();
            json(rng, 0, &mut s);
            let mut b = s.into_bytes();
            if rng.random_bool(0.3) {
                mutate(rng, &mut b);
            }
            b
        }
    };
    (status, headers, body)
}

#[test]
fn checks_and_redaction_never_panic_on_hostile_answers() {
    let contracts = common::contracts();
    let corpus = corpus();
    let mut rng = StdRng::seed_from_u64(seed());
    let redactor = Redactor::new();
    redactor.add("a-configured-secret", "SECRET");
    let expected = [
        Expectation::stated(Expected::codes(vec![200]), "doc".into(), None),
        Expectation::decided_codes(
            Expected::codes(vec![400]),
            "doc".into(),
            Some("quote".into()),
            "reason",
        ),
    ];
    let clock = Instant::now();
    let mut rounds = 0u64;
    while clock.elapsed() < budget() {
        for contract in contracts.iter() {
            for endpoint in &contract.suite.endpoints {
                let (status, headers, body) = answer(&mut rng, &corpus);
                // Half the rounds as the client hands answers on (parsed once), half unparsed.
                let json = rounds
                    .is_multiple_of(2)
                    .then(|| conform::strict_json::parse(&body).ok())
                    .flatten()
                    .map(std::sync::Arc::new);
                let got = Incoming {
                    status,
                    headers,
                    body,
                    elapsed: Duration::ZERO,
                    json,
                };
                let sctx = StepContext {
                    contract,
                    endpoint,
                    expected: &expected[rounds as usize % 2],
                };
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let (results, _) = checks::evaluate(&sctx, &got);
                    redactor.learn_from_response(&got.headers, &got.body, got.json.as_deref());
                    let text = redactor.apply(&String::from_utf8_lossy(&got.body));
                    let _ = checks::snippet(&got.body);
                    serde_json::to_string(&results).map(|s| s.len() + text.len())
                }));
                match outcome {
                    Ok(serialized) => assert!(serialized.is_ok()),
                    Err(_) => panic!(
                        "panic on {} {}: status {status}, headers {:?}, body {:?}",
                        contract.name(),
                        endpoint.id,
                        got.headers,
                        String::from_utf8_lossy(&got.body)
                    ),
                }
                rounds += 1;
            }
        }
    }
    eprintln!("{rounds} hostile answers checked in {:?}", clock.elapsed());
    assert!(rounds > 100, "only {rounds} rounds");
}

#[test]
fn a_run_against_a_target_answering_garbage_never_panics_and_reports_every_case() {
    let corpus = Arc::new(corpus());
    let base = seed();
    let counter = Arc::new(AtomicU64::new(0));
    let (c, k) = (corpus.clone(), counter.clone());
    let target = Scripted::start(common::runtime(), move |_| {
        let n = k.fetch_add(1, Ordering::Relaxed);
        let mut rng = StdRng::seed_from_u64(base ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        if rng.random_bool(0.05) {
            // Not HTTP at all.
            return Answer::Bytes((0..rng.random_range(0..64)).map(|_| rng.random()).collect());
        }
        let (status, headers, body) = answer(&mut rng, &c);
        let mut head = format!("HTTP/1.1 {status} X\r\n");
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        // Sometimes the length lies; sometimes there is none.
        match rng.random_range(0..8) {
            0 => head.push_str(&format!("content-length: {}\r\n", body.len() + 10)),
            1 => {}
            _ => head.push_str(&format!("content-length: {}\r\n", body.len())),
        }
        head.push_str("connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&body);
        Answer::Bytes(bytes)
    });
    let (_server, mut config) = common::server(&[]);
    for t in config.targets.values_mut() {
        t.base_url = target.url();
    }
    let contracts = common::contracts();
    let settings = RunSettings {
        http: conform::http::HttpOptions {
            timeout: Duration::from_secs(5),
            ..Default::default()
        },
        ..Default::default()
    };
    let ctx = Arc::new(RunContext::new(contracts, config, &settings).unwrap());
    let plans = engine::plan_for(&ctx, Default::default()).unwrap().cases;
    let clock = Instant::now();
    let mut runs = 0;
    while runs == 0 || clock.elapsed() < budget() {
        let count = plans.len();
        let report = common::runtime().block_on(engine::execute(ctx.clone(), plans.clone(), 16));
        assert_eq!(
            report.cases.len(),
            count,
            "a case vanished: its task panicked"
        );
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.len() > 100);
        runs += 1;
    }
    eprintln!(
        "{runs} runs of {} cases, {} answers, in {:?}",
        plans.len(),
        counter.load(Ordering::Relaxed),
        clock.elapsed()
    );
}
