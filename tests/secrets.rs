//! No secret reaches any output: the whole suite runs through the real binary, and every file
//! it writes and everything it prints are searched for every secret of the config and every
//! token the target issued during the run. Also: the warning for a config file every user can
//! read that holds literal secrets.

mod common;

use common::{conform, text};
mod hostile_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use conform::config::TargetConfig;
use conform::redact::LONG_SECRET_LEN;
use hostile_support::Tee;
use regex::Regex;
use serde_json::Value;

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// Every value of the config that a suite marks secret.
fn configured_secrets(config: &TargetConfig) -> BTreeSet<String> {
    let contracts = common::contracts();
    let mut out = BTreeSet::new();
    for (name, target) in &config.targets {
        let contract = contracts.iter().find(|c| c.name() == name).unwrap();
        for (key, value) in &target.vars {
            if contract.suite.variables.get(key).is_some_and(|v| v.secret) {
                match value {
                    Value::String(s) => out.insert(s.clone()),
                    other => out.insert(other.to_string()),
                };
            }
        }
    }
    out
}

/// Every token in the target's answers: JWTs, and the values of token-like JSON members.
fn issued_tokens(answers: &str) -> BTreeSet<String> {
    let jwt = Regex::new(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+").unwrap();
    let member =
        Regex::new(r#""(access_token|token|refresh_token|secret)"\s*:\s*"([^"]{8,})""#).unwrap();
    let mut out: BTreeSet<String> = jwt
        .find_iter(answers)
        .map(|m| m.as_str().to_string())
        .collect();
    out.extend(member.captures_iter(answers).map(|c| c[2].to_string()));
    out
}

/// `secret` shows in `text`: a long one anywhere; a short one (fewer than
/// [`LONG_SECRET_LEN`] characters, or digits only) where it is not part of a longer run of
/// letters and digits: the code 654321 inside the telephone 9876543210 is not a leak.
fn shows(text: &str, secret: &str) -> bool {
    let short =
        secret.chars().count() < LONG_SECRET_LEN || secret.chars().all(|c| c.is_ascii_digit());
    if !short {
        return text.contains(secret);
    }
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(secret).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + secret.len()..].chars().next();
        let joined_before = alnum(before) && alnum(secret.chars().next());
        let joined_after = alnum(after) && alnum(secret.chars().next_back());
        !joined_before && !joined_after
    })
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_secret_of_the_config_or_token_of_the_target_reaches_any_output() {
    let (server, config) = common::server(&[]);
    // A tap in front of the server sees every token it hands out.
    let tap = Tee::start(common::runtime(), server.addr());
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("conform.toml");
    let toml = server
        .target_config_toml()
        .replace(&server.addr().to_string(), &tap.addr().to_string());
    std::fs::write(&cfg, toml).unwrap();
    set_mode(&cfg, 0o600);
    let reports = tmp.path().join("reports");
    let o = conform(
        &[
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--report-dir",
            reports.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let console = text(&o);
    assert_eq!(o.status.code(), Some(0), "{console}");

    let secrets = configured_secrets(&config);
    assert!(secrets.len() >= 10, "{secrets:?}");
    let issued = issued_tokens(&tap.received_text());
    // The run did get tokens: validateToken's JWT, tss verify-otp's access_token, the TOTP secret.
    let answers = tap.received_text();
    for (what, pattern) in [
        ("validateToken's JWT", r#""token":"eyJ"#),
        ("verify-otp's access_token", r#""access_token":"eyJ"#),
        ("the 2FA secret", r#""secret":""#),
    ] {
        assert!(answers.contains(pattern), "{what} was never issued");
    }
    assert!(issued.len() >= 3, "{issued:?}");

    let mut outputs = vec![("console".to_string(), console)];
    let mut files = Vec::new();
    files_under(&reports, &mut files);
    assert!(files.len() >= 2, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        outputs.push((
            f.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let mut leaks = Vec::new();
    for (name, text) in &outputs {
        for s in secrets.iter().chain(issued.iter()) {
            if shows(text, s) {
                leaks.push(format!("{s:?} in {name}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    // The requests still say where secrets were: their stand-ins (in the transcript, which
    // holds the requests of the passed cases).
    let transcript = std::fs::read_to_string(reports.join("transcript.jsonl")).unwrap();
    assert!(
        transcript.contains("$TROPIPAY_TOKEN"),
        "stand-ins in the transcript"
    );
}

#[test]
fn snapshots_hold_no_secret_of_the_reference_fixtures() {
    let (_server, config) = common::server(&[]);
    let secrets = configured_secrets(&config);
    let mut files = Vec::new();
    files_under(&common::path("tests/snapshots"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for s in &secrets {
            assert!(!shows(&text, s), "{s:?} in {}", f.display());
        }
    }
}

fn warning_for(toml: &str, mode: u32, env: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("conform.toml");
    std::fs::write(&cfg, toml).unwrap();
    set_mode(&cfg, mode);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
    cmd.args([
        "run",
        "--contracts",
        common::root().to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
        "--list",
    ])
    .current_dir(tmp.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[cfg(unix)]
#[test]
fn a_world_readable_config_with_literal_secrets_is_warned_about() {
    let literal =
        "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"obp_key_literal_1234\"\n";
    let from_env = "[onboard]\nbase_url = \"http://127.0.0.1:9\"\ntoken = \"${CONFORM_T_TOKEN}\"\n";
    let w = warning_for(literal, 0o644, &[]);
    assert!(
        w.contains("warning:")
            && w.contains("can be read by every user")
            && w.contains("[onboard] token")
            && w.contains("chmod 600"),
        "{w}"
    );
    assert!(
        !w.contains("obp_key_literal_1234"),
        "the warning names keys, never values: {w}"
    );
    // Private, or every secret from the environment: no warning.
    assert!(!warning_for(literal, 0o600, &[]).contains("warning"));
    assert!(
        !warning_for(from_env, 0o644, &[("CONFORM_T_TOKEN", "obp_key_env_1234")])
            .contains("warning")
    );
    // A password in the base URL is a literal secret too.
    let in_url = "[onboard]\nbase_url = \"http://u:pw-in-url@127.0.0.1:9\"\n\
                  token = \"${CONFORM_T_TOKEN}\"\n";
    let w = warning_for(in_url, 0o644, &[("CONFORM_T_TOKEN", "obp_key_env_1234")]);
    assert!(w.contains("[onboard] base_url"), "{w}");
}

#[test]
fn a_password_in_the_base_url_is_not_in_the_report() {
    let (server, mut config) = common::server(&[]);
    config.targets.get_mut("onboard").unwrap().base_url =
        format!("http://conform:pw-in-url-5678@{}", server.addr());
    let report = common::run(config, "onboard::me");
    assert!(!report.cases.is_empty());
    let all = serde_json::to_string(&report).unwrap();
    assert!(!all.contains("pw-in-url-5678"), "{all}");
    assert!(
        all.contains("http://conform:$ONBOARD_BASE_URL_PASSWORD@127.0.0.1:"),
        "the report still names the target"
    );
}

/// Every format of `report`, rendered.
fn every_format(report: &conform::report::Report) -> Vec<(String, String)> {
    conform::report::Format::ALL
        .iter()
        .map(|f| (format!("{f:?}"), f.render(report).unwrap()))
        .collect()
}

#[test]
fn a_telephone_holding_another_contracts_code_stays_whole_in_every_report_format() {
    // tropipay's security code is a substring of the tss telephone 9876543210, and so is tss's
    // own OTP (654321): neither may cut it.
    // A fault (an integer accepted as firstname) fails generated cases that send the example
    // profile, so that every format shows bodies and curl lines holding the telephone.
    let (_server, mut config) = common::server(&["tss-wrong-type-accepted"]);
    let tropipay = config.targets.get_mut("tropipay").unwrap();
    tropipay
        .vars
        .insert("security_code".into(), Value::String("543210".into()));
    let report = common::run(config.clone(), "tss::");
    assert!(report.summary.failed > 0, "{:?}", report.summary);
    for (format, text) in every_format(&report) {
        assert!(
            !text.contains("TROPIPAY_SECURITY_CODE")
                && !text.contains("987$")
                && !text.contains("987'\"$")
                && !text.contains("987&#39;"),
            "{format}: a code cut into a telephone"
        );
        assert!(
            text.contains("9876543210"),
            "{format}: the telephone is shown whole"
        );
    }
    let json = conform::report::Format::Json.render(&report).unwrap();
    assert!(
        json.contains(r#"\"telephone\":\"9876543210\""#),
        "report.json"
    );
    assert!(
        json.contains(r#"\"otp\":\"$TSS_OTP\""#) && !json.contains(r#"\"otp\":\"654321\""#),
        "the OTP standing alone is still redacted"
    );
    // In tropipay's own texts the code is a secret wherever it stands alone.
    let report = common::run(config, "tropipay::validate-token::negative::body-not-json");
    assert!(!report.cases.is_empty());
    let json = conform::report::Format::Json.render(&report).unwrap();
    assert!(
        json.contains(r#"\"securityCode\":\"$TROPIPAY_SECURITY_CODE\""#),
        "{json}"
    );
    assert!(!json.contains("543210"), "{json}");
}

#[test]
fn bodies_that_were_json_are_still_json_after_redaction() {
    let (_server, config) = common::server(&[]);
    let report = common::run(config, "");
    assert!(report.held(), "{:?}", common::failures(&report));
    let (mut parsed, mut with_stand_ins) = (0, 0);
    let mut broken = Vec::new();
    for case in &report.cases {
        // The one body the harness sends broken on purpose.
        let sent_broken = case.id.ends_with("::body-malformed");
        for step in &case.steps {
            let mut bodies = Vec::new();
            if let Some(b) = step.request.body.as_deref().filter(|b| !b.is_empty()) {
                if !sent_broken {
                    bodies.push(("request", b));
                }
            }
            if let Some(r) = &step.response {
                let json_type = r.headers.iter().any(|(k, v)| {
                    k.eq_ignore_ascii_case("content-type") && v.contains("application/json")
                });
                if json_type && !r.truncated && !r.body.is_empty() {
                    bodies.push(("response", r.body.as_str()));
                }
            }
            for (what, body) in bodies {
                match serde_json::from_str::<Value>(body) {
                    Ok(_) => parsed += 1,
                    Err(e) => broken.push(format!("{} {what}: {e}: {body}", case.id)),
                }
                if body.contains("\"$") {
                    with_stand_ins += 1;
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(
        parsed > 500 && with_stand_ins > 100,
        "{parsed} {with_stand_ins}"
    );
}
