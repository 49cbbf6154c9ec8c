//! The fifth contract (issue 9): a notes API that is none of the four, written only as files in
//! `tests/fixtures/fifth/`, checked by the real `conform run` against a tiny target served here:
//! the correct target passes, each faulty one fails. The same API as an OpenAPI 3.0 document
//! goes through `conform import openapi` and gives the same verdicts. No Rust in the harness
//! knows this API.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

/// How the target behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// As the README says.
    Correct,
    /// Accepts any JSON object as a new note (no field checks).
    Lax,
    /// Notes lack `created_at`.
    NoCreatedAt,
}

const TOKEN: &str = "secret-token";

struct App {
    mode: Mode,
    notes: Mutex<Vec<Value>>,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// Serves the notes API on 127.0.0.1:0 in `mode`; it lives as long as the test binary.
fn serve(mode: Mode) -> SocketAddr {
    let app = Arc::new(App {
        mode,
        notes: Mutex::new(vec![note(1, "Welcome", "first note", &["home"], mode)]),
    });
    runtime().block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = Router::new().fallback(handle).with_state(app);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        addr
    })
}

fn note(id: u64, title: &str, body: &str, tags: &[&str], mode: Mode) -> Value {
    let mut n = json!({
        "id": id, "title": title, "body": body, "tags": tags, "pinned": false,
        "pinned_at": null, "created_at": "2026-01-01T00:00:00Z",
    });
    if mode == Mode::NoCreatedAt {
        n.as_object_mut().map(|o| o.remove("created_at"));
    }
    n
}

fn error(status: StatusCode, why: &str) -> Response {
    (status, Json(json!({ "error": why }))).into_response()
}

fn is_tag(s: &str) -> bool {
    (1..=20).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"));
    let path = uri.path();
    let route = if path == "/notes" {
        Some(None)
    } else {
        path.strip_prefix("/notes/").map(Some)
    };
    let Some(id) = route else {
        return error(StatusCode::NOT_FOUND, "no such path");
    };
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "a valid bearer token is required");
    }
    match (method, id) {
        (Method::GET, Some(raw)) => {
            let id = (raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0'))
                .then(|| raw.parse::<u64>().ok())
                .flatten()
                .filter(|id| (1..=1_000_000).contains(id));
            let Some(id) = id else {
                return error(StatusCode::UNPROCESSABLE_ENTITY, "id must be 1..1000000");
            };
            let notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
            match notes.iter().find(|n| n["id"] == id) {
                Some(n) => Json(n.clone()).into_response(),
                None => error(StatusCode::NOT_FOUND, "no such note"),
            }
        }
        (Method::GET, None) => {
            let mut params: BTreeMap<String, String> = BTreeMap::new();
            for pair in uri
                .query()
                .unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
            {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                match (percent_decode(k), percent_decode(v)) {
                    (Some(k), Some(v)) => params.insert(k, v),
                    _ => return error(StatusCode::UNPROCESSABLE_ENTITY, "bad query"),
                };
            }
            let tag = params.get("tag");
            if tag.is_some_and(|t| !is_tag(t)) {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "tag must match ^[a-z0-9-]{1,20}$",
                );
            }
            let notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
            let listed: Vec<Value> = notes
                .iter()
                .filter(|n| {
                    tag.is_none_or(|t| {
                        n["tags"]
                            .as_array()
                            .is_some_and(|ts| ts.contains(&json!(t)))
                    })
                })
                .cloned()
                .collect();
            Json(json!({ "notes": listed })).into_response()
        }
        (Method::POST, None) => create(&app, &headers, &body),
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    }
}

fn create(app: &App, headers: &HeaderMap, body: &[u8]) -> Response {
    let json_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim() == "application/json");
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let Some(Value::Object(b)) = parsed.filter(|_| json_type) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a JSON object body is required",
        );
    };
    let title = b.get("title").and_then(Value::as_str);
    let text = b.get("body").and_then(Value::as_str);
    let tags = b.get("tags").map(|t| {
        t.as_array().and_then(|ts| {
            (ts.len() <= 5)
                .then(|| {
                    ts.iter()
                        .map(|t| t.as_str().filter(|s| is_tag(s)))
                        .collect::<Option<Vec<_>>>()
                })
                .flatten()
        })
    });
    let valid = title.is_some_and(|t| (1..=80).contains(&t.chars().count()))
        && text.is_some_and(|t| t.chars().count() <= 2000)
        && !matches!(tags, Some(None))
        && b.get("pinned").is_none_or(Value::is_boolean);
    if !valid && app.mode != Mode::Lax {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid note");
    }
    let mut notes = app.notes.lock().unwrap_or_else(|e| e.into_inner());
    let id = notes.len() as u64 + 1;
    let as_text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let tags: Vec<&str> = tags.flatten().unwrap_or_default();
    let mut n = note(
        id,
        &as_text(b.get("title")),
        &as_text(b.get("body")),
        &tags,
        app.mode,
    );
    n["pinned"] = json!(b.get("pinned").and_then(Value::as_bool).unwrap_or(false));
    notes.push(n.clone());
    (StatusCode::CREATED, Json(n)).into_response()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `conform run` on `contracts` against the target at `addr`, with `vars` in its config table.
fn conform_run(dir: &Path, contracts: &Path, addr: SocketAddr, vars: &str) -> Output {
    let config = dir.join(format!("conform-{}.toml", addr.port()));
    std::fs::write(
        &config,
        format!("[notes]\nbase_url = \"http://{addr}\"\ntoken = \"{TOKEN}\"\n{vars}"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    Command::new(env!("CARGO_BIN_EXE_conform"))
        .arg("run")
        .arg("--contracts")
        .arg(contracts)
        .arg("--config")
        .arg(&config)
        .arg("--report-dir")
        .arg(dir.join(format!("reports-{}", addr.port())))
        .output()
        .expect("conform runs")
}

fn failed_line(out: &Output, case: &str) -> bool {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.contains(case) && l.contains("FAILED"))
}

fn explain(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_fifth_contract_holds_on_a_correct_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = conform_run(
        dir.path(),
        &root().join("tests/fixtures/fifth"),
        serve(Mode::Correct),
        "note_id = 1\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Suite, auth, negative, boundary and positive cases all ran, from the files alone.
    for case in [
        "notes::get-note ",
        "notes::create-then-read",
        "notes::create-note::auth::missing",
        "notes::create-note::negative::title-too-long",
        "notes::get-note::boundary::id-maximum",
        "notes::create-note::positive::0",
    ] {
        assert!(
            stdout.contains(case),
            "{case} did not run:\n{}",
            explain(&out)
        );
    }
}

#[test]
fn the_fifth_contract_fails_a_faulty_target() {
    let dir = tempfile::tempdir().unwrap();
    let contracts = root().join("tests/fixtures/fifth");
    let lax_addr = serve(Mode::Lax);
    let lax = conform_run(dir.path(), &contracts, lax_addr, "note_id = 1\n");
    assert_eq!(lax.status.code(), Some(1), "{}", explain(&lax));
    // The README requires a title: a body without one, accepted, fails.
    assert!(
        failed_line(&lax, "notes::create-note::negative::missing-title"),
        "{}",
        explain(&lax)
    );
    // It gives no length: the contract's 80 characters only advise (marked in the data, no
    // Rust knows this API).
    assert!(
        !failed_line(&lax, "notes::create-note::negative::title-too-long"),
        "{}",
        explain(&lax)
    );
    let report = dir
        .path()
        .join(format!("reports-{}", lax_addr.port()))
        .join("report.json");
    let report = std::fs::read_to_string(report).unwrap();
    let report: Value = serde_json::from_str(&report).unwrap();
    let long = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "notes::create-note::negative::title-too-long")
        .unwrap();
    assert_eq!(long["outcome"], "advisory", "{long:#}");
    let shape = conform_run(
        dir.path(),
        &contracts,
        serve(Mode::NoCreatedAt),
        "note_id = 1\n",
    );
    assert_eq!(shape.status.code(), Some(1), "{}", explain(&shape));
    assert!(
        failed_line(&shape, "notes::get-note "),
        "{}",
        explain(&shape)
    );
}

#[test]
fn the_fifth_api_as_an_openapi_document_imports_and_gives_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["import", "openapi"])
        .arg(root().join("tests/fixtures/fifth/notes.openapi.json"))
        .args(["--name", "notes", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let text = std::fs::read_to_string(dir.path().join("suites/notes.toml")).unwrap();
    let suite: conform::contract::SuiteFile = toml::from_str(&text).unwrap();
    // The credential and the path parameter are the suite's variables; 3.0's nullable is a
    // type that admits null.
    assert_eq!(
        suite.auth.scheme,
        conform::contract::AuthScheme::Bearer,
        "{text}"
    );
    assert_eq!(suite.auth.doc, "Authorization: Bearer <token>", "{text}");
    let variables: Vec<&str> = suite.variables.keys().map(String::as_str).collect();
    assert_eq!(variables, ["id", "token"], "{text}");
    assert_eq!(suite.negative.status, [422], "{text}");
    let note = std::fs::read_to_string(dir.path().join("schemas/notes/Note.json")).unwrap();
    let note: Value = serde_json::from_str(&note).unwrap();
    assert_eq!(
        note["properties"]["pinned_at"]["type"],
        json!(["string", "null"])
    );

    let correct = conform_run(dir.path(), dir.path(), serve(Mode::Correct), "id = 1\n");
    assert_eq!(correct.status.code(), Some(0), "{}", explain(&correct));
    let stdout = String::from_utf8_lossy(&correct.stdout);
    assert!(
        stdout.contains("notes::createNote::negative::title-too-long"),
        "{stdout}"
    );
    assert!(
        stdout.contains("notes::createNote::positive::0"),
        "{stdout}"
    );
    assert!(stdout.contains("notes::getNote::auth::missing"), "{stdout}");

    let lax = conform_run(dir.path(), dir.path(), serve(Mode::Lax), "id = 1\n");
    assert_eq!(lax.status.code(), Some(1), "{}", explain(&lax));
    assert!(
        failed_line(&lax, "notes::createNote::negative::title-too-long"),
        "{}",
        explain(&lax)
    );
    let shape = conform_run(dir.path(), dir.path(), serve(Mode::NoCreatedAt), "id = 1\n");
    assert_eq!(shape.status.code(), Some(1), "{}", explain(&shape));
    assert!(
        failed_line(&shape, "notes::getNote "),
        "{}",
        explain(&shape)
    );
}
