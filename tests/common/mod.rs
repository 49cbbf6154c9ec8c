//! Shared by the integration tests: the reference server on a free port and a run against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use conform::config::TargetConfig;
use conform::contract::{self, Contract};
use conform::engine::{self, RunContext, RunSettings};
use conform::report::Report;
use conform::server::{self, RunningServer, ServerOptions};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's contracts, loaded once per test binary.
pub fn contracts() -> Arc<Vec<Contract>> {
    static C: OnceLock<Arc<Vec<Contract>>> = OnceLock::new();
    C.get_or_init(|| Arc::new(contract::load_dir(&root()).expect("contracts load")))
        .clone()
}

/// One runtime per test binary; servers and runs share it.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// A reference server (with these faults) and the target config it prints.
pub fn server(faults: &[&str]) -> (RunningServer, TargetConfig) {
    server_with(faults, false)
}

/// A reference server with these faults, lenient (taking the other side of every decision)
/// or not, and the target config it prints.
pub fn server_with(faults: &[&str], lenient: bool) -> (RunningServer, TargetConfig) {
    let opts = ServerOptions {
        faults: faults.iter().map(|f| f.to_string()).collect(),
        lenient,
        ..ServerOptions::default()
    };
    let s = runtime()
        .block_on(server::start(opts))
        .expect("server starts");
    let config = TargetConfig::parse(&s.target_config_toml(), "reference", &|_| None)
        .expect("server config parses");
    (s, config)
}

/// Runs the cases whose id contains `filter` (all when empty) and returns the report.
pub fn run(config: TargetConfig, filter: &str) -> Report {
    run_with(contracts(), config, filter)
}

pub fn run_with(contracts: Arc<Vec<Contract>>, config: TargetConfig, filter: &str) -> Report {
    run_settings(contracts, config, filter, &RunSettings::default())
}

/// As [`run`], with decided rules failing (`--strict`).
pub fn run_strict(config: TargetConfig, filter: &str) -> Report {
    let settings = RunSettings {
        strict: true,
        ..RunSettings::default()
    };
    run_settings(contracts(), config, filter, &settings)
}

pub fn run_settings(
    contracts: Arc<Vec<Contract>>,
    config: TargetConfig,
    filter: &str,
    settings: &RunSettings,
) -> Report {
    config
        .check_against(&contracts)
        .expect("config fits the suites");
    let ctx = Arc::new(RunContext::new(contracts, config, settings).expect("ctx"));
    let plans = engine::plan_for(&ctx, Default::default())
        .expect("plan")
        .cases
        .into_iter()
        .filter(|p| p.id.contains(filter))
        .collect();
    runtime().block_on(engine::execute(ctx, plans, 8))
}

/// Ids of the cases with advisories and the checks that advised in them; every advisory must
/// carry its reason.
pub fn advisories(report: &Report) -> Vec<(String, Vec<String>)> {
    report
        .cases
        .iter()
        .filter_map(|c| {
            let mut checks: Vec<String> = c
                .steps
                .iter()
                .flat_map(|s| s.checks.iter())
                .filter(|k| k.outcome == conform::checks::Verdict::Advisory)
                .inspect(|k| {
                    assert!(
                        k.reason.as_deref().is_some_and(|r| !r.is_empty()),
                        "advisory without a reason in {}: {k:?}",
                        c.id
                    )
                })
                .map(|k| k.id.to_string())
                .collect();
            checks.sort();
            checks.dedup();
            (!checks.is_empty()).then(|| (c.id.clone(), checks))
        })
        .collect()
}

/// Ids of the failed cases and the checks that failed in them.
pub fn failures(report: &Report) -> Vec<(String, Vec<String>)> {
    report
        .cases
        .iter()
        .filter(|c| c.outcome == conform::checks::Verdict::Fail)
        .map(|c| {
            let mut checks: Vec<String> = c
                .steps
                .iter()
                .flat_map(|s| s.checks.iter())
                .filter(|k| k.outcome == conform::checks::Verdict::Fail)
                .map(|k| k.id.to_string())
                .collect();
            if let Some(first) = c.check {
                if !checks.iter().any(|k| first == k.as_str()) {
                    checks.push(first.to_string());
                }
            }
            checks.sort();
            checks.dedup();
            (c.id.clone(), checks)
        })
        .collect()
}

/// What the checks of `case` that came out `outcome` found: (check id, what was got), as data.
#[allow(dead_code)]
pub fn found(
    case: &conform::report::CaseReport,
    outcome: conform::checks::Verdict,
) -> Vec<(String, String)> {
    case.steps
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter(|c| c.outcome == outcome)
        .filter_map(|c| Some((c.id.to_string(), c.finding.as_deref()?.got.clone())))
        .collect()
}

pub fn path(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Runs the real binary in `dir`, with no logging or proxy settings from the environment.
pub fn conform(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("binary runs")
}

/// `conform run` of the shipped contracts in `dir` (the embedded server unless `extra` names a
/// config), reports in `dir/out`; returns the output and the path of report.json.
pub fn run_cli(dir: &Path, out: &str, extra: &[&str]) -> (std::process::Output, PathBuf) {
    let root = root();
    let mut args = vec![
        "run",
        "--contracts",
        root.to_str().expect("a UTF-8 path"),
        "--report-dir",
        out,
    ];
    args.extend_from_slice(extra);
    let o = conform(&args, dir);
    (o, dir.join(out).join("report.json"))
}

/// A run's stdout and stderr together.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A shipped contract as `conform export openapi` writes it (freshly loaded from its files,
/// with the documents' examples).
pub fn exported(name: &str) -> serde_json::Value {
    let c = contracts()
        .iter()
        .find(|c| c.name() == name)
        .map(|c| contract::load_suite(&c.suite_path, &path("schemas")).expect("reloads"))
        .expect("known contract");
    conform::openapi::export(&c, Some(&path("tests/examples").join(name))).expect("exports")
}
