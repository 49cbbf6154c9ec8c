//! The real binary: `conform run` on the embedded default, exit codes, config errors, `list`.

mod common;

use common::{conform, text};

use std::process::Command;

#[test]
fn run_on_the_embedded_server_passes_and_writes_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let reports = tmp.path().join("out");
    let o = conform(
        &[
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--report-dir",
            reports.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("test result: ok."), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains(" tropipay::profile ") && l.ends_with("... ok")),
        "{t}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["format"], conform::report::FORMAT);
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["targets"].as_array().unwrap().len(), 4);
    let junit = std::fs::read_to_string(reports.join("junit.xml")).unwrap();
    for contract in ["tropipay", "tss", "tenpay", "onboard"] {
        assert!(
            junit.contains(&format!("<testsuite name=\"{contract}\"")),
            "{junit}"
        );
    }
}

#[test]
fn a_fault_makes_the_run_exit_1_with_the_failure_in_junit() {
    // Only the tenpay status cases: the fault is in them, and the run stays short.
    let tmp = tempfile::tempdir().unwrap();
    let o = conform(
        &[
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--report-dir",
            "r",
            "--fault",
            "tenpay-status-1",
        ],
        tmp.path(),
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.lines()
            .any(|l| l.contains(" tenpay::status::1003 ") && l.ends_with("... FAILED")),
        "{t}"
    );
    let junit = std::fs::read_to_string(tmp.path().join("r/junit.xml")).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    assert!(junit.contains("status-table"), "{junit}");
}

#[test]
fn bad_usage_config_and_unreachable_targets_exit_2_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = common::root();
    let contracts = root.to_str().unwrap();
    let write = |name: &str, body: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases = [
        (write("broken.toml", "[tenpay\n"), "failed to parse config"),
        (write("env.toml", "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"${CONFORM_TEST_UNSET_TOKEN}\"\n"), "CONFORM_TEST_UNSET_TOKEN"),
        (write("unknown.toml", "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"t0000\"\ncolour = 1\n"), "unknown key `colour`"),
        (write("unknowns.toml", "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"t0000\"\ncolour = 1\nsize = 2\n"), "unknown keys `colour`, `size`"),
        (write("down.toml", "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"t0000\"\n"), "unreachable"),
        (tmp.path().join("absent.toml").to_str().unwrap().to_string(), "failed to read config"),
    ];
    for (config, expected) in cases {
        let o = conform(
            &[
                "run",
                "--contracts",
                contracts,
                "--config",
                &config,
                "--report-dir",
                "r",
            ],
            tmp.path(),
        );
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{config}: {t}");
        assert!(
            t.contains(expected),
            "{config}: expected {expected:?} in {t}"
        );
        assert!(!t.contains("panicked"), "{t}");
    }
    let o = conform(
        &["run", "--fault", "no-such-fault", "--contracts", contracts],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no-such-fault"), "{}", text(&o));
    let o = conform(&["frobnicate"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    // Numbers that mean nothing are refused before anything runs, not read as something else.
    for (flag, value, expected) in [
        ("--timeout", "0", "must be above 0"),
        ("--timeout", "-1", "must be above 0"),
        ("--rate", "0", "must be above 0"),
        ("--rate", "NaN", "must be above 0"),
        ("--rate", "fast", "not a number"),
        ("--concurrency", "0", "must be at least 1"),
        ("--test-threads", "0", "must be at least 1"),
    ] {
        let arg = format!("{flag}={value}");
        let o = conform(&["run", &arg, "--contracts", contracts], tmp.path());
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{arg}: {t}");
        assert!(t.contains(expected), "{arg}: expected {expected:?} in {t}");
        assert!(!tmp.path().join("reports").exists(), "{arg} ran: {t}");
    }
}

#[test]
fn a_schema_that_does_not_compile_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("suites")).unwrap();
    std::fs::create_dir_all(tmp.path().join("schemas/onboard")).unwrap();
    std::fs::copy(
        common::path("suites/onboard.toml"),
        tmp.path().join("suites/onboard.toml"),
    )
    .unwrap();
    for f in std::fs::read_dir(common::path("schemas/onboard")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(
            &f,
            tmp.path()
                .join("schemas/onboard")
                .join(f.file_name().unwrap()),
        )
        .unwrap();
    }
    std::fs::write(
        tmp.path().join("schemas/onboard/user.json"),
        r#"{"type": "objekt"}"#,
    )
    .unwrap();
    let o = conform(
        &["list", "--contracts", tmp.path().to_str().unwrap()],
        tmp.path(),
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("user.json does not compile"), "{t}");
}

#[test]
fn list_snapshot() {
    let o = conform(
        &["list", "--contracts", common::root().to_str().unwrap()],
        &common::root(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

#[test]
fn serve_writes_its_target_config_privately_and_run_uses_it() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("target.toml");
    let mut server = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["serve", "--port", "0", "--config-out"])
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !config.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the config holds secrets: {mode:o}");
    }
    let o = conform(
        &[
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--report-dir",
            "r",
            "tenpay::",
        ],
        tmp.path(),
    );
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
