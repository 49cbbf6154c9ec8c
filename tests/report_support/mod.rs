//! Shared by the report tests: runs of the reference server that return a finished report, and
//! the normalizations that make two runs comparable.
#![allow(dead_code)]

use std::sync::Arc;

use conform::engine::{self, RunContext, RunSettings};
use conform::generate::GenerateOptions;
use conform::partition::Partition;
use conform::report::Report;
use regex::Regex;
use serde_json::Value;

use crate::common;

/// The faults of the "run with injected faults" snapshots and tests: two that break stated
/// rules (`tenpay-status-1` in one case, `onboard-auth-ignored` in five alike: a group) and two
/// that break only decided ones (advisories, never failures).
pub const FAULTS: &[&str] = &[
    "tenpay-status-1",
    "onboard-auth-ignored",
    "tropipay-profile-status-201",
    "tenpay-problem-as-json",
];

/// The cases of the faulted snapshot run: everything the faults touch, and a little more.
pub fn faulted_subset(id: &str) -> bool {
    id.starts_with("tenpay::")
        || id.starts_with("onboard::")
        || id.starts_with("tropipay::profile")
        || id.starts_with("tropipay::get-profile")
        || id.starts_with("tropipay::flow-")
}

/// The faults of the whole-run tests of what reports say about failures and advisories:
/// `tss-money-unrounded` (stated: fails, in a hundred cases alike, and also advises on the
/// amounts the document does not name), `onboard-auth-ignored` (stated: five alike),
/// `tropipay-profile-status-201` and `tenpay-problem-as-json` (decided: advisories only).
pub const MIXED_FAULTS: &[&str] = &[
    "tss-money-unrounded",
    "onboard-auth-ignored",
    "tropipay-profile-status-201",
    "tenpay-problem-as-json",
];

/// Every case against a server with [`MIXED_FAULTS`].
pub fn mixed_run() -> Report {
    run_where(MIXED_FAULTS, None, |_| true)
}

/// A run of the cases that `keep` accepts (of `partition`, if given) against a fresh reference
/// server with `faults`, finished with the default seed recorded, as `conform run` does.
/// Sequential, so that two runs of the same cases get the same answers.
pub fn run_where(
    faults: &[&str],
    partition: Option<Partition>,
    keep: impl Fn(&str) -> bool,
) -> Report {
    let (_server, config) = common::server(faults);
    let contracts = common::contracts();
    config.check_against(&contracts).expect("config fits");
    let ctx =
        Arc::new(RunContext::new(contracts, config, &RunSettings::default()).expect("context"));
    let opts = GenerateOptions::default();
    let plans = engine::plan_for(&ctx, opts)
        .expect("plan")
        .cases
        .into_iter()
        .filter(|p| keep(&p.id) && partition.is_none_or(|s| s.contains(&p.id)))
        .collect();
    // One case at a time, in plan order: the reference server is stateful, and cases that run
    // side by side may see each other's changes in the bodies they get back.
    let mut report = common::runtime().block_on(engine::execute(ctx, plans, 1));
    report.seed = Some(opts.seed);
    report.partition = partition;
    report.finish();
    report
}

/// Every case against the correct reference server.
pub fn passing_run() -> Report {
    run_where(&[], None, |_| true)
}

/// The faulted snapshot run.
pub fn faulted_run() -> Report {
    run_where(FAULTS, None, faulted_subset)
}

fn map_strings(v: &mut Value, f: &dyn Fn(&str) -> String) {
    match v {
        Value::String(s) => *s = f(s),
        Value::Array(items) => items.iter_mut().for_each(|i| map_strings(i, f)),
        Value::Object(map) => map.values_mut().for_each(|i| map_strings(i, f)),
        _ => {}
    }
}

/// Replaces what the *target* makes up anew on each start or by the order of the cases (QR
/// images of a random secret, the TOTP codes derived from it, its clock in bodies, the count
/// of tokens it has issued, Date and Content-Length headers), so that two runs of the same
/// harness against the reference server are equal. Report-level volatile
/// values (timings, ports, dates, digests) are left to insta's redactions.
pub fn scrub_target_noise(report: &Report) -> Report {
    let qr = Regex::new(r"data:image/png;base64,[A-Za-z0-9+/=]+").unwrap();
    let clock = Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z").unwrap();
    let totp = Regex::new(r#""securityCode":"\d{6}","type":"totp""#).unwrap();
    let count = Regex::new(r#""valid_token_count":\d+"#).unwrap();
    let mut v = serde_json::to_value(report).unwrap();
    map_strings(&mut v, &|s| {
        let s = qr.replace_all(s, "data:image/png;base64,[qr]");
        let s = clock.replace_all(&s, "[timestamp]");
        let s = totp.replace_all(&s, r#""securityCode":"[totp]","type":"totp""#);
        count
            .replace_all(&s, r#""valid_token_count":"[n]""#)
            .into_owned()
    });
    let mut out: Report = serde_json::from_value(v).unwrap();
    for step in out.cases.iter_mut().flat_map(|c| c.steps.iter_mut()) {
        if let Some(r) = &mut step.response {
            for (name, value) in &mut r.headers {
                match name.to_ascii_lowercase().as_str() {
                    "date" => *value = "[http-date]".into(),
                    "content-length" => *value = "[length]".into(),
                    _ => {}
                }
            }
        }
    }
    out.finish();
    out
}

/// Everything that may differ between two runs of the same cases set to fixed values: the
/// target's noise, timings, the start date and loopback ports. Finished again, so the digests
/// of two normalized runs agree exactly when their content does.
pub fn normalized(report: &Report) -> Report {
    let port = Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let mut v = serde_json::to_value(scrub_target_noise(report)).unwrap();
    map_strings(&mut v, &|s| port.replace_all(s, "127.0.0.1:0").into_owned());
    let mut out: Report = serde_json::from_value(v).unwrap();
    out.started_at = "2000-01-01T00:00:00Z".into();
    out.duration_ms = 0;
    for c in &mut out.cases {
        c.duration_ms = 0;
    }
    out.finish();
    out
}

/// Insta filters for the rendered formats: ports, dates, durations, digests, the version.
pub fn text_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[date]"),
        (r"sha256:[0-9a-f]{64}", "sha256:[digest]"),
        (r"conform \d+\.\d+\.\d+", "conform [version]"),
        // report.md and report.html: "· 123 ms", "<td>123 ms</td>", per-case milliseconds.
        (r"\b\d+ ms\b", "[n] ms"),
        (
            r#"<td class="n ms">\d+</td>"#,
            r#"<td class="n ms">[ms]</td>"#,
        ),
        // junit.xml
        (r#"time="[0-9.]+""#, r#"time="[t]""#),
        (r#"timestamp="[^"]*""#, r#"timestamp="[ts]""#),
    ]
}

/// The first JSON path at which two reports differ, with both values, for readable failures.
pub fn first_difference(a: &Report, b: &Report) -> Option<String> {
    fn walk(a: &Value, b: &Value, path: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, va) in x {
                    let p = format!("{path}/{k}");
                    match y.get(k) {
                        None => return Some(format!("{p}: only on the left")),
                        Some(vb) => {
                            if let Some(d) = walk(va, vb, &p) {
                                return Some(d);
                            }
                        }
                    }
                }
                y.keys()
                    .find(|k| !x.contains_key(*k))
                    .map(|k| format!("{path}/{k}: only on the right"))
            }
            (Value::Array(x), Value::Array(y)) => {
                for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                    if let Some(d) = walk(va, vb, &format!("{path}/{i}")) {
                        return Some(d);
                    }
                }
                (x.len() != y.len())
                    .then(|| format!("{path}: {} against {} items", x.len(), y.len()))
            }
            _ if a == b => None,
            _ => Some(format!("{path}: {a} against {b}")),
        }
    }
    let (mut x, mut y) = (
        serde_json::to_value(a).unwrap(),
        serde_json::to_value(b).unwrap(),
    );
    for v in [&mut x, &mut y] {
        v["certificate"]["digest"] = Value::Null;
    }
    walk(&x, &y, "")
}

/// A `<testsuite>` of a junit.xml, read back.
#[derive(Debug)]
pub struct JunitSuite {
    pub name: String,
    pub properties: std::collections::BTreeMap<String, String>,
    pub cases: Vec<JunitCase>,
}

/// A `<testcase>`: its `<failure>` or `<skipped>` (message, type, text) and `<system-out>`.
#[derive(Debug, Default)]
pub struct JunitCase {
    pub name: String,
    pub classname: String,
    pub failure: Option<JunitOutcome>,
    pub skipped: Option<JunitOutcome>,
    pub system_out: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct JunitOutcome {
    pub message: String,
    pub kind: String,
    pub text: String,
}

/// Reads junit.xml as XML (not as text): suites, their properties, their cases.
pub fn parse_junit(xml: &str) -> Vec<JunitSuite> {
    use quick_xml::events::{BytesStart, Event};
    let attrs = |e: &BytesStart| -> std::collections::BTreeMap<String, String> {
        e.attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect()
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<JunitSuite> = Vec::new();
    let mut case: Option<JunitCase> = None;
    // The element whose text is being read ("failure", "skipped", "system-out") and its raw text.
    let mut open: Option<(String, std::collections::BTreeMap<String, String>, String)> = None;
    loop {
        let event = reader.read_event().unwrap();
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suites.push(JunitSuite {
                    name: attrs(&e).remove("name").unwrap_or_default(),
                    properties: Default::default(),
                    cases: vec![],
                });
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"property" => {
                let mut a = attrs(&e);
                suites.last_mut().unwrap().properties.insert(
                    a.remove("name").unwrap_or_default(),
                    a.remove("value").unwrap_or_default(),
                );
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                let mut a = attrs(&e);
                case = Some(JunitCase {
                    name: a.remove("name").unwrap_or_default(),
                    classname: a.remove("classname").unwrap_or_default(),
                    ..JunitCase::default()
                });
            }
            Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let mut a = attrs(&e);
                suites.last_mut().unwrap().cases.push(JunitCase {
                    name: a.remove("name").unwrap_or_default(),
                    classname: a.remove("classname").unwrap_or_default(),
                    ..JunitCase::default()
                });
            }
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                open = Some((name, attrs(&e), String::new()));
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                open = Some((name, attrs(&e), String::new()));
                close(&mut case, open.take());
            }
            Event::Text(t) => {
                if let Some((_, _, text)) = &mut open {
                    text.push_str(&t.decode().unwrap());
                }
            }
            Event::CData(t) => {
                if let Some((_, _, text)) = &mut open {
                    text.push_str(&quick_xml::escape::escape(t.decode().unwrap().as_ref()));
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, _, text)) = &mut open {
                    text.push('&');
                    text.push_str(&r.decode().unwrap());
                    text.push(';');
                }
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                suites.last_mut().unwrap().cases.push(case.take().unwrap());
            }
            Event::End(_) => close(&mut case, open.take()),
            _ => {}
        }
    }
    suites
}

fn close(
    case: &mut Option<JunitCase>,
    open: Option<(String, std::collections::BTreeMap<String, String>, String)>,
) {
    let (Some(case), Some((name, mut attrs, raw))) = (case.as_mut(), open) else {
        return;
    };
    let text = quick_xml::escape::unescape(&raw).unwrap().into_owned();
    let mut outcome = || JunitOutcome {
        message: attrs.remove("message").unwrap_or_default(),
        kind: attrs.remove("type").unwrap_or_default(),
        text: text.clone(),
    };
    match name.as_str() {
        "failure" | "error" => case.failure = Some(outcome()),
        "skipped" => case.skipped = Some(outcome()),
        "system-out" => case.system_out = Some(text.clone()),
        _ => {}
    }
}
