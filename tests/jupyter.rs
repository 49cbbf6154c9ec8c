//! Jupyter Server 2.21.1, a real target nobody here wrote, run from its own Swagger 2.0
//! document (`jupyter_server/services/api/api.yaml`, shipped inside the package).
//!
//! Every other test runs conform against servers written alongside it; this one proves that
//! conform holds against the world: the document converts and imports into a contract that
//! loads, and a run against a live Jupyter ends with a verdict (exit 0 or 1, never 2 or a panic),
//! a complete report (one verdict per case, as many cases as `conform list` shows), failures
//! that reproduce when their curl line is replayed, and failures that each rest on a clause of
//! the document rather than on a rule conform decided.
//!
//! Jupyter is installed with pip into `<target>/third-party/jupyter-venv` (`.ci/run` makes it
//! first, so CI's time shows where it goes; the test makes it when missing). A venv that cannot
//! be made fails the test saying why: nothing here skips silently. Each server binds 127.0.0.1
//! on a free port with a fresh root, home and runtime folder, and a guard stops its process
//! group when the test ends, also on a panic.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const JUPYTER: &str = "2.21.1";
const TOKEN: &str = "conform-jupyter-token";

fn conform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conform"))
}

/// `<target>/third-party`, beside the build (the target dir is the parent of Cargo's
/// per-target tmp dir).
fn third_party() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent")
        .join("third-party")
}

fn has_jupyter(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args([
                "-c",
                &format!(
                    "import jupyter_server, yaml; assert jupyter_server.__version__ == {JUPYTER:?}"
                ),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// The venv's python, with jupyter_server installed. Made in a temporary folder and renamed
/// into place, so that two test binaries making it at once both end with a whole venv (Jupyter
/// is started as `python -m jupyter_server`, so the scripts' shebangs, which name the temporary
/// folder, are never used).
fn python() -> PathBuf {
    let dir = third_party().join("jupyter-venv");
    let python = dir.join("bin").join("python");
    if has_jupyter(&python) {
        return python;
    }
    std::fs::create_dir_all(third_party()).expect("create target/third-party");
    let tmp = tempfile::Builder::new()
        .prefix(".jupyter-venv-")
        .tempdir_in(third_party())
        .expect("a temporary folder in target/third-party");
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot make the Jupyter venv: {what}: {e}"));
        assert!(
            out.status.success(),
            "cannot make the Jupyter venv: {what} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(tmp.path()),
        "python3 -m venv (Debian: apt-get install python3-venv)",
    );
    run(
        Command::new(tmp.path().join("bin").join("python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("jupyter_server=={JUPYTER}"),
        ]),
        "pip install jupyter_server (needs PyPI)",
    );
    let tmp = tmp.keep();
    if std::fs::rename(&tmp, &dir).is_err() {
        // Another test binary got there first; its venv is as good as ours.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    assert!(
        has_jupyter(&python),
        "the Jupyter venv at {} does not import jupyter_server {JUPYTER}",
        dir.display()
    );
    python
}

/// The document inside the installed package.
fn api_yaml(python: &Path) -> PathBuf {
    let out = Command::new(python)
        .args([
            "-c",
            "import jupyter_server.services.api as a, os; print(os.path.join(os.path.dirname(a.__file__), 'api.yaml'))",
        ])
        .output()
        .expect("run the venv's python");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(path.is_file(), "no api.yaml at {}", path.display());
    path
}

/// A running Jupyter Server; dropping it stops the whole process group.
struct Jupyter {
    child: Child,
    port: u16,
    log: PathBuf,
    _home: tempfile::TempDir,
}

impl Jupyter {
    /// Starts Jupyter on a free port of 127.0.0.1 with an empty root folder, and waits until
    /// it answers `GET /api`. A port taken between choosing and binding is retried.
    fn start(python: &Path) -> Jupyter {
        let mut logs = String::new();
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let home = tempfile::tempdir().expect("a home folder");
            let root = home.path().join("root");
            std::fs::create_dir_all(&root).expect("the root folder");
            let log = home.path().join("jupyter.log");
            let log_file = std::fs::File::create(&log).expect("the log file");
            let child = Command::new(python)
                .args(["-m", "jupyter_server", "--allow-root", "--no-browser"])
                .arg(format!("--port={port}"))
                .args(["--ip=127.0.0.1", "--ServerApp.port_retries=0"])
                .arg(format!("--IdentityProvider.token={TOKEN}"))
                .arg(format!("--ServerApp.root_dir={}", root.display()))
                .arg("--ServerApp.log_level=WARN")
                .env("HOME", home.path())
                .env("JUPYTER_CONFIG_DIR", home.path().join("config"))
                .env("JUPYTER_DATA_DIR", home.path().join("data"))
                .env("JUPYTER_RUNTIME_DIR", home.path().join("runtime"))
                .env_remove("JUPYTER_PATH")
                .env_remove("JUPYTER_CONFIG_PATH")
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("the log file"))
                .stderr(log_file)
                .process_group(0)
                .spawn()
                .expect("start jupyter_server");
            let mut server = Jupyter {
                child,
                port,
                log,
                _home: home,
            };
            if server.wait_ready(Duration::from_secs(90)) {
                return server;
            }
            logs.push_str(&std::fs::read_to_string(&server.log).unwrap_or_default());
        }
        panic!("Jupyter Server did not start (three tries):\n{logs}");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if http_status(self.port, "/api").is_some_and(|s| s == 200) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Jupyter {
    fn drop(&mut self) {
        // SIGTERM first, so that Jupyter shuts down the terminals it started (they run in
        // sessions of their own, outside the group); then SIGKILL to the group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status of a plain `GET path` (no credential), or None when nothing answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

#[test]
fn the_real_document_converts_and_imports_into_a_contract_that_loads() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let doc = api_yaml(&python);
    // The document as shipped: Swagger 2.0, in YAML.
    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(text.starts_with("swagger: \"2.0\""), "{}", &text[..40]);

    let read = conform::openapi::read_document(&doc).expect("the document reads and converts");
    assert_eq!(read.value["openapi"], "3.0.3");
    assert!(!read.value.to_string().contains("#/definitions/"));
    let paths = read.value["paths"].as_object().unwrap();
    assert_eq!(
        paths.len(),
        18,
        "jupyter_server {JUPYTER} documents 18 paths"
    );

    let out = conform()
        .args(["import", "openapi"])
        .arg(&doc)
        .args(["--name", "jupyter", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    let suite = dir.path().join("suites").join("jupyter.toml");
    let contract = conform::contract::load_suite(&suite, &dir.path().join("schemas"))
        .expect("the imported contract loads");
    // Every operation is JSON (or has no body), so every one is an endpoint.
    let operations: usize = paths
        .values()
        .map(|item| {
            ["get", "put", "post", "delete", "patch"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .count()
        })
        .sum();
    assert_eq!(contract.suite.endpoints.len(), operations);
}

/// Runs a failure's recorded requests again, step by step, and gives the statuses answered.
fn replay(steps: &[Value], base_url: &str, recorded_base: &str) -> Vec<u16> {
    let mut out = Vec::new();
    for step in steps {
        let curl = step["curl"]
            .as_str()
            .expect("every step carries a curl line");
        let curl = curl.replace(recorded_base, base_url);
        // The report names the credential by a shell variable (`"$JUPYTER_HEADER_AUTHORIZATION"`);
        // the only secret of this run is the Authorization header.
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(format!("{curl} -o /dev/null -w '\\n%{{http_code}}'"));
        for var in curl.split("\"$").skip(1) {
            let name: String = var
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                name.contains("AUTHORIZATION"),
                "an unexpected secret {name} in {curl}"
            );
            sh.env(name, format!("token {TOKEN}"));
        }
        let output = sh.output().expect("run sh");
        let text = String::from_utf8_lossy(&output.stdout);
        let code = text
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .parse()
            .unwrap_or(0);
        out.push(code);
    }
    out
}

fn is_unsafe(step: &Value) -> bool {
    !matches!(
        step["request"]["method"].as_str(),
        Some("GET" | "HEAD" | "OPTIONS")
    )
}

#[test]
fn a_run_against_jupyter_is_complete_reproducible_and_stated() {
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let doc = api_yaml(&python);
    let server = Jupyter::start(&python);
    let reports = dir.path().join("reports");
    let out = conform()
        .args(["run", "--openapi"])
        .arg(&doc)
        .args(["--base-url", &server.base_url()])
        .args(["-H", &format!("Authorization: token {TOKEN}")])
        .arg("--report-dir")
        .arg(&reports)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let log = || std::fs::read_to_string(&server.log).unwrap_or_default();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}\n{stdout}{stderr}\njupyter log:\n{}",
        out.status.code(),
        log()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !stdout.contains(TOKEN),
        "the token is in the output:\n{stdout}"
    );

    // A complete report: it parses, every case has a verdict, the cases are those listed.
    let text = std::fs::read_to_string(reports.join("report.json")).expect("report.json");
    assert!(!text.contains(TOKEN), "the token is in report.json");
    let report: Value = serde_json::from_str(&text).expect("report.json parses");
    let cases = report["cases"].as_array().expect("cases");
    for c in cases {
        assert!(
            matches!(
                c["outcome"].as_str(),
                Some("pass" | "fail" | "skip" | "advisory")
            ),
            "a case without a verdict: {c}"
        );
    }
    let listed = conform()
        .args(["list", "--openapi"])
        .arg(&doc)
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&listed.stdout);
    let listed = listed.lines().filter(|l| l.starts_with("case ")).count();
    assert_eq!(
        cases.len(),
        listed,
        "report cases vs `conform list --openapi`"
    );
    assert!(
        cases.iter().any(|c| c["outcome"] == "pass"),
        "nothing passed"
    );

    // Every failure rests on a clause of the document, not on a rule conform decided.
    let document = report["targets"][0]["document"]
        .as_str()
        .unwrap()
        .to_string();
    for g in report["failure_groups"].as_array().unwrap() {
        for f in g["failures"].as_array().unwrap() {
            let clause = f["clause"].as_str().unwrap_or("");
            assert!(
                clause.starts_with(&format!("{document} > ")),
                "a failure cites no clause of the document: {f}"
            );
            assert!(f["reason"].is_null(), "a decided rule failed a case: {f}");
        }
    }

    // Every failure reproduces: its requests, replayed with their curl lines, get the statuses
    // the report recorded. A request that was refused (not 2xx) changed nothing, so it is
    // replayed on the same server after the run; a case that changed state (an unsafe request
    // answered 2xx) is replayed on a fresh Jupyter of its own, where it comes first again, as it
    // effectively did in the run.
    let recorded_base = server.base_url();
    let mut replayed = 0;
    for c in cases.iter().filter(|c| c["outcome"] == "fail") {
        let steps = c["steps"].as_array().unwrap();
        let recorded: Vec<u16> = steps
            .iter()
            .map(|s| s["response"]["status"].as_u64().unwrap_or(0) as u16)
            .collect();
        if recorded.contains(&0) {
            continue; // a transport failure has no status to compare
        }
        let changed_state = steps
            .iter()
            .zip(&recorded)
            .any(|(s, code)| is_unsafe(s) && (200..300).contains(code));
        let got = if changed_state {
            let fresh = Jupyter::start(&python);
            replay(steps, &fresh.base_url(), &recorded_base)
        } else {
            replay(steps, &recorded_base, &recorded_base)
        };
        assert_eq!(
            got, recorded,
            "{} does not reproduce:\n{}",
            c["id"], c["message"]
        );
        replayed += 1;
    }
    let failed = cases.iter().filter(|c| c["outcome"] == "fail").count();
    assert_eq!(
        out.status.code() == Some(1),
        failed > 0,
        "exit code vs failures"
    );
    assert!(replayed > 0 || failed == 0);
}
