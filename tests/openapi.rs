//! OpenAPI out and in (issue 9): every contract exports to a document the official OpenAPI 3.1
//! schema accepts, whose examples hold against their own schemas; export then import gives a
//! contract that finds the same faults in the reference server; malformed documents are clear
//! errors (exit 2), never panics.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use conform::checks::Verdict;
use conform::config::TargetConfig;
use conform::contract::{self, Contract};
use conform::openapi;
use conform::report::Report;
use jsonschema::{Draft, Validator};
use serde_json::{json, Value};

const CONTRACTS: [&str; 4] = ["tropipay", "tss", "tenpay", "onboard"];

/// The official JSON Schema of OpenAPI 3.1 documents (iteration 2022-10-07), vendored.
fn oas_validator() -> Validator {
    let text = std::fs::read_to_string(common::path(
        "tests/fixtures/openapi/oas-3.1-schema-2022-10-07.json",
    ))
    .expect("vendored OpenAPI schema");
    let schema: Value = serde_json::from_str(&text).expect("vendored schema is JSON");
    assert_eq!(
        schema["$id"], "https://spec.openapis.org/oas/3.1/schema/2022-10-07",
        "the vendored file is the 2022-10-07 iteration"
    );
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the OpenAPI schema compiles")
}

fn contract(name: &str) -> Contract {
    common::contracts()
        .iter()
        .find(|c| c.name() == name)
        .map(|c| contract::load_suite(&c.suite_path, &common::path("schemas")).expect("reloads"))
        .expect("known contract")
}

fn violations(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_contract_exports_a_valid_openapi_3_1_document() {
    let v = oas_validator();
    for name in CONTRACTS {
        let doc = common::exported(name);
        let errors = violations(&v, &doc);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_vendored_schema_refuses_a_broken_document() {
    // The validity test above is only worth something if the schema can say no.
    let v = oas_validator();
    let mut doc = common::exported("tenpay");
    doc["paths"]["/User/{id}/status"]["get"]["responses"]["200"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    assert!(!violations(&v, &doc).is_empty());
    let mut doc = common::exported("onboard");
    doc["components"]["securitySchemes"]["x-auth-token"]["in"] = json!("body");
    assert!(!violations(&v, &doc).is_empty());
}

#[test]
fn every_example_in_the_export_validates_against_its_own_schema() {
    let mut total = 0;
    for name in CONTRACTS {
        let doc = common::exported(name);
        let text = doc.to_string();
        total += text.matches("\"value\":").count();
        let bad = openapi::example_violations(&doc).expect("schemas compile in the document");
        assert!(bad.is_empty(), "{name}: {bad:#?}");
    }
    // The suites' concrete example requests and the documents' examples are all there.
    assert!(total >= 20, "only {total} examples exported");
}

#[test]
fn the_example_check_catches_a_broken_example() {
    let mut doc = common::exported("tss");
    let media = &mut doc["paths"]["/api/user/profile"]["post"]["requestBody"]["content"]
        ["application/json"];
    media["examples"]["conform"]["value"]["gender"] = json!("MALE");
    let bad = openapi::example_violations(&doc).unwrap();
    assert!(
        bad.iter()
            .any(|b| b.contains("/examples/conform/value/gender")),
        "{bad:#?}"
    );
}

#[test]
fn the_export_says_what_the_suite_says() {
    let tropipay = common::exported("tropipay");
    let op = &tropipay["paths"]["/users/sendSecurityCode"]["post"];
    assert_eq!(op["operationId"], "send-security-code");
    // Every documented response, bad credentials, invalid input and the status table.
    let codes: BTreeSet<&str> = op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The document shows no answer to a sent code: its code is the contract's reading, so the
    // standard field says only the class, and the extension keeps the code and the reason.
    assert_eq!(
        codes,
        BTreeSet::from(["2XX", "400", "401", "403", "404", "429", "500"])
    );
    let success = &op["responses"]["2XX"];
    assert_eq!(success["x-conform"]["code"], "200");
    assert!(success["x-conform"]["status_decided"].is_string());
    assert!(
        success.get("content").is_none(),
        "no body is shown: {success}"
    );
    // TropiPay's document shows no error body: the error answers show none either (the schema
    // travels in the extension).
    assert!(op["responses"]["401"].get("content").is_none());
    assert_eq!(tropipay["x-conform"]["errors"]["schema"], "error.json");
    // Hoisted $defs: file-relative references became component references.
    let text = tropipay.to_string();
    assert!(!text.contains(".json#"), "a file-relative $ref is left");
    assert_eq!(
        tropipay["components"]["schemas"]["user"]["properties"]["id"]["$ref"],
        "#/components/schemas/defs.uuid"
    );
    assert_eq!(
        tropipay["components"]["schemas"]["defs.uuid"]["format"],
        "uuid"
    );
    // Clauses are kept.
    assert!(tropipay["components"]["schemas"]["user"]["x-doc"]
        .as_str()
        .unwrap()
        .contains("The User Object"));
    assert_eq!(
        tropipay["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // A templated example request is not an OpenAPI example, but it travels in x-conform.
    let validate = &tropipay["paths"]["/users/validateToken"]["post"];
    assert!(
        validate["requestBody"]["content"]["application/json"]["examples"]
            .get("conform")
            .is_none()
    );
    assert_eq!(
        validate["x-conform"]["example"]["body"]["securityCode"],
        "${security_code}"
    );

    let onboard = common::exported("onboard");
    assert_eq!(
        onboard["components"]["securitySchemes"]["x-auth-token"],
        json!({ "type": "apiKey", "in": "header", "name": "x-auth-token",
                "description": "Authorizations (x-auth-token, header, required)" })
    );
    // Multi-step cases and flows have no OpenAPI form: onboard's flow is not exported.
    let cases = &onboard["paths"]["/users/me"]["get"]["x-conform"]["cases"];
    assert_eq!(cases.as_array().unwrap().len(), 1);
    assert_eq!(cases[0]["name"], "me");

    let tenpay = common::exported("tenpay");
    // Its problem+json media type is decided: no standard field says it, the extension does.
    let problem = &tenpay["paths"]["/User/{id}/status"]["get"]["responses"]["4XX"];
    assert!(!problem.to_string().contains("problem+json"), "{problem}");
    assert_eq!(
        tenpay["x-conform"]["errors"]["media_type"],
        "application/problem+json"
    );
}

/// (endpoint, check) of every failed check of the cases `keep` selects.
fn failing_pairs(report: &Report, keep: &dyn Fn(&str) -> bool) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for c in report.cases.iter().filter(|c| keep(&c.id)) {
        if c.outcome != Verdict::Fail {
            continue;
        }
        for s in &c.steps {
            for k in s.checks.iter().filter(|k| k.outcome == Verdict::Fail) {
                out.insert((c.endpoint.to_string(), k.id.to_string()));
            }
        }
        if let Some(first) = &c.check {
            out.insert((c.endpoint.to_string(), first.to_string()));
        }
    }
    out
}

fn run_one(contract: Contract, faults: &[&str]) -> Report {
    let (_server, config) = common::server(faults);
    let name = contract.name().to_string();
    let mut config = TargetConfig {
        targets: config
            .targets
            .into_iter()
            .filter(|(k, _)| *k == name)
            .collect(),
        ..config
    };
    // The imported suite declares only the variables it needs.
    if let Some(t) = config.targets.get_mut(&name) {
        t.vars
            .retain(|k, _| contract.suite.variables.contains_key(k));
    }
    common::run_with(Arc::new(vec![contract]), config, "")
}

const FAULTS: [&str; 5] = [
    "tenpay-status-1",
    "tropipay-code-pattern-skipped",
    "tss-money-unrounded",
    "onboard-auth-ignored",
    "tss-wrong-type-accepted",
];

#[test]
fn export_then_import_finds_the_same_faults() {
    // Flows and hand-written multi-step cases have no OpenAPI form: the comparison covers the
    // generated cases (auth, negative, boundary, positive) and the single-request suite cases.
    let dir = tempfile::tempdir().unwrap();
    for name in CONTRACTS {
        let doc = common::exported(name);
        let out = dir.path().join(name);
        openapi::import(&doc, &format!("{name}.openapi.json"), name, &out)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    for fault in FAULTS {
        let name = fault.split('-').next().unwrap();
        let original = contract(name);
        let single: BTreeSet<String> = original
            .suite
            .cases
            .iter()
            .filter(|c| c.steps.len() == 1 && c.steps[0].asserts.is_empty())
            .map(|c| format!("{name}::{}", c.name))
            .collect();
        let representable = |id: &str| {
            let parts: Vec<&str> = id.split("::").collect();
            parts.len() >= 4 && ["auth", "negative", "boundary", "positive"].contains(&parts[2])
                || single
                    .iter()
                    .any(|s| id == s || id.starts_with(&format!("{s}::")))
        };
        let out = dir.path().join(name);
        let imported = contract::load_suite(
            &out.join("suites").join(format!("{name}.toml")),
            &out.join("schemas"),
        )
        .expect("the imported contract loads");

        let before = run_one(original, &[fault]);
        let after = run_one(imported, &[fault]);
        let ids = |r: &Report, keep: &dyn Fn(&str) -> bool| -> BTreeSet<String> {
            r.cases
                .iter()
                .map(|c| c.id.clone())
                .filter(|id| keep(id))
                .collect()
        };
        assert_eq!(
            ids(&before, &representable),
            ids(&after, &|_| true),
            "{fault}: the round trip has the same single-request and generated cases"
        );
        let want = failing_pairs(&before, &representable);
        let got = failing_pairs(&after, &|_| true);
        eprintln!(
            "{fault}: {} cases compared ({} in the original run); failing (endpoint, check): {want:?}",
            after.cases.len(),
            before.cases.len()
        );
        assert!(!want.is_empty(), "{fault}: the fault is found at all");
        assert_eq!(want, got, "{fault}: the same (endpoint, check) pairs fail");
    }
}

#[test]
fn a_round_trip_on_the_correct_server_holds() {
    let dir = tempfile::tempdir().unwrap();
    for name in CONTRACTS {
        let out = dir.path().join(name);
        openapi::import(&common::exported(name), "x.json", name, &out).unwrap();
        let imported = contract::load_suite(
            &out.join("suites").join(format!("{name}.toml")),
            &out.join("schemas"),
        )
        .unwrap();
        let report = run_one(imported, &[]);
        assert!(
            report.cases.len() > 5,
            "{name}: {} cases",
            report.cases.len()
        );
        assert_eq!(common::failures(&report), vec![], "{name}");
    }
}

/// `conform list`'s text for one contract, planned against the reference server's config.
fn listed(contract: Contract, config: &TargetConfig) -> String {
    let contracts = vec![contract];
    let config = config.clone().with_defaults(&contracts);
    let planned = conform::plan::plan(&contracts, &config, Default::default()).expect("plans");
    conform::cli::render_list(&contracts, &planned)
}

fn without_extensions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove(openapi::EXTENSION);
            m.values_mut().for_each(without_extensions);
        }
        Value::Array(a) => a.iter_mut().for_each(without_extensions),
        _ => {}
    }
}

/// The suite text an import writes is the suite it built: written, parsed back from disk and
/// loaded, it is the contract `run --openapi` holds in memory, with the same endpoints and cases
/// in `conform list` (exports, and plain documents whose cases the importer makes itself).
#[test]
fn an_imported_suite_text_round_trips_to_the_built_contract() {
    let (_server, config) = common::server(&[]);
    for name in CONTRACTS {
        let exported = common::exported(name);
        let mut plain = exported.clone();
        without_extensions(&mut plain);
        for doc in [exported, plain] {
            let built = openapi::build(&doc, "doc.json", name).unwrap();
            let parsed: contract::SuiteFile = toml::from_str(&built.suite_text).unwrap();
            let in_memory = openapi::load_built(built, "doc.json").unwrap();
            let dir = tempfile::tempdir().unwrap();
            let written = openapi::import(&doc, "doc.json", name, dir.path()).unwrap();
            let reloaded =
                contract::load_suite(&written.suite, &dir.path().join("schemas")).unwrap();
            let json = |s: &contract::SuiteFile| serde_json::to_value(s).unwrap();
            assert_eq!(json(&parsed), json(&in_memory.suite), "{name}");
            assert_eq!(json(&reloaded.suite), json(&in_memory.suite), "{name}");
            let (a, b) = (listed(in_memory, &config), listed(reloaded, &config));
            assert!(
                a.lines().filter(|l| l.starts_with("case ")).count() > 0,
                "{a}"
            );
            assert_eq!(a, b, "{name}");
        }
    }
}

#[test]
fn the_import_keeps_the_schema_files_and_their_refs() {
    let dir = tempfile::tempdir().unwrap();
    openapi::import(&common::exported("tss"), "tss.json", "tss", dir.path()).unwrap();
    let schemas = dir.path().join("schemas/tss");
    let defs: Value =
        serde_json::from_str(&std::fs::read_to_string(schemas.join("defs.json")).unwrap()).unwrap();
    assert_eq!(defs["$defs"]["money"]["multipleOf"], 0.01);
    // A reference inside defs.json stays inside it.
    assert_eq!(
        defs["$defs"]["birthdate"]["anyOf"][0]["$ref"],
        "#/$defs/date"
    );
    let request: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas.join("profile-update-request.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        request["properties"]["gender"]["$ref"],
        "defs.json#/$defs/gender"
    );
    assert!(request["x-doc"]
        .as_str()
        .unwrap()
        .contains("Update User Profile"));
}

fn conform() -> Command {
    Command::new(env!("CARGO_BIN_EXE_conform"))
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn malformed_documents_are_clear_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &str); 10] = [
        // YAML is read whatever the file's name; what it lacks is then the error.
        ("yaml-named-json.json", "openapi: 3.1.0\n", "no `paths` object"),
        ("broken.json", "{\"openapi\": \"3.1.0\",\n  \"paths\": {,}}", "is not valid JSON"),
        ("broken.yaml", "openapi: 3.1.0\npaths: [\n", "not a valid YAML or JSON document at line"),
        (
            "url-ref.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {$ref: 'https://example.com/a.yaml'}\n",
            "download the file",
        ),
        ("array.json", "[1, 2]", "a JSON object"),
        (
            "swagger.json",
            r##"{"swagger": "3.0", "paths": {}}"##,
            "is not a version conform reads",
        ),
        (
            "v4.json",
            r##"{"openapi": "4.0.0", "paths": {}}"##,
            "not supported",
        ),
        (
            "mutual-tls.json",
            r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "security": [{"m": []}], "components": {"securitySchemes": {"m": {"type": "mutualTLS"}}}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}}"##,
            "no security scheme conform can present",
        ),
        (
            "bad-ref.json",
            r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "security": [{"k": []}], "components": {"securitySchemes": {"k": {"type": "http", "scheme": "bearer"}}}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nope"}}}}}}}}}"##,
            "names no component",
        ),
        (
            "paths-array.json",
            r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": [1]}}"##,
            "paths//a is not an object",
        ),
    ];
    for (file, text, says) in cases {
        let path = write(dir.path(), file, text);
        let out = conform()
            .args(["import", "openapi"])
            .arg(&path)
            .args(["--name", "x", "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
    // A missing file, and a bad name, are errors too.
    let out = conform()
        .args(["import", "openapi", "/nonexistent.json", "--name", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let good = write(
        dir.path(),
        "good.json",
        &common::exported("onboard").to_string(),
    );
    let out = conform()
        .args(["import", "openapi"])
        .arg(&good)
        .args(["--name", "Bad Name", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lower-case"));
}

#[test]
fn export_and_import_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("onboard.json");
    let out = conform()
        .args(["export", "openapi", "--contract", "onboard", "-o"])
        .arg(&doc)
        .arg("--contracts")
        .arg(common::root())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&doc).unwrap()).unwrap();
    assert!(violations(&oas_validator(), &exported).is_empty());

    let out = conform()
        .args(["import", "openapi"])
        .arg(&doc)
        .args(["--name", "onboard", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("suites/onboard.toml"), "{stdout}");
    // A second import does not overwrite the first.
    let again = conform()
        .args(["import", "openapi"])
        .arg(&doc)
        .args(["--name", "onboard", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let out = conform()
        .args(["export", "openapi", "--contract", "nope", "--contracts"])
        .arg(common::root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no contract named `nope`"));
}

/// Every node of `v`, as JSON pointers.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

#[test]
fn damaged_documents_never_panic_the_import() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().unwrap();
    let junk = [
        json!(null),
        json!(7),
        json!("x"),
        json!([]),
        json!({}),
        json!({ "$ref": "#/components/schemas/nope" }),
        json!({ "$ref": "#/nowhere" }),
        json!(true),
    ];
    let mut rng = StdRng::seed_from_u64(9);
    let mut outcomes = (0, 0);
    for name in CONTRACTS {
        let doc = common::exported(name);
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        for i in 0..40 {
            let mut d = doc.clone();
            for _ in 0..rng.random_range(1..4) {
                let at = &all[rng.random_range(0..all.len())];
                if let Some(node) = d.pointer_mut(at) {
                    *node = junk[rng.random_range(0..junk.len())].clone();
                }
            }
            let out = dir.path().join(format!("{name}-{i}"));
            let result = std::panic::catch_unwind(|| openapi::import(&d, "d.json", name, &out));
            match result {
                Ok(Ok(_)) => outcomes.0 += 1,
                Ok(Err(e)) => {
                    assert!(!e.to_string().is_empty());
                    outcomes.1 += 1
                }
                Err(_) => panic!("{name}: the import panicked on a damaged document"),
            }
        }
    }
    // Both paths were exercised.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");

    // A Swagger 2.0 document, damaged, goes through the conversion and then the import.
    let doc: Value = serde_json::from_str(SWAGGER).unwrap();
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    let mut outcomes = (0, 0);
    for i in 0..60 {
        let mut d = doc.clone();
        for _ in 0..rng.random_range(1..4) {
            let at = &all[rng.random_range(0..all.len())];
            if let Some(node) = d.pointer_mut(at) {
                *node = junk[rng.random_range(0..junk.len())].clone();
            }
        }
        let file = write(dir.path(), &format!("swagger-{i}.json"), &d.to_string());
        let out = dir.path().join(format!("swagger-{i}"));
        let result = std::panic::catch_unwind(|| {
            openapi::read_document(&file)
                .and_then(|doc| openapi::import(&doc.value, &doc.source, "pets", &out))
        });
        match result {
            Ok(Ok(_)) => outcomes.0 += 1,
            Ok(Err(e)) => {
                assert!(!e.to_string().is_empty());
                outcomes.1 += 1
            }
            Err(_) => panic!("the conversion or import panicked on a damaged Swagger document"),
        }
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

/// A small Swagger 2.0 document: a global path parameter, a body, a form upload, definitions.
const SWAGGER: &str = r##"{
  "swagger": "2.0",
  "info": { "title": "pets", "version": "1" },
  "basePath": "/",
  "produces": ["application/json"],
  "securityDefinitions": { "key": { "type": "apiKey", "in": "header", "name": "X-Key" } },
  "security": [{ "key": [] }],
  "parameters": {
    "petId": { "name": "petId", "in": "path", "required": true, "type": "string", "format": "uuid" }
  },
  "definitions": {
    "Pet": {
      "type": "object",
      "required": ["name"],
      "properties": {
        "name": { "type": "string", "minLength": 1 },
        "tag": { "type": "string", "x-nullable": true },
        "owner": { "$ref": "#/definitions/Owner" }
      }
    },
    "Owner": { "type": "object", "properties": { "id": { "type": "integer" } } },
    "Error": { "type": "object", "properties": { "message": { "type": "string" } } }
  },
  "paths": {
    "/pets": {
      "get": {
        "operationId": "listPets",
        "parameters": [
          { "name": "limit", "in": "query", "type": "integer", "minimum": 1, "maximum": 50 }
        ],
        "responses": {
          "200": { "description": "pets", "schema": { "type": "array", "items": { "$ref": "#/definitions/Pet" } } },
          "400": { "description": "bad", "schema": { "$ref": "#/definitions/Error" } }
        }
      },
      "post": {
        "operationId": "addPet",
        "parameters": [{ "name": "pet", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } }],
        "responses": { "201": { "description": "made", "schema": { "$ref": "#/definitions/Pet" } } }
      }
    },
    "/pets/{petId}": {
      "parameters": [{ "$ref": "#/parameters/petId" }],
      "get": {
        "operationId": "getPet",
        "responses": { "200": { "description": "a pet", "schema": { "$ref": "#/definitions/Pet" } } }
      },
      "post": {
        "operationId": "uploadPhoto",
        "consumes": ["multipart/form-data"],
        "parameters": [{ "name": "photo", "in": "formData", "type": "file" }],
        "responses": { "204": { "description": "stored" } }
      }
    }
  }
}"##;

#[test]
fn a_swagger_2_document_imports_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let doc = write(dir.path(), "pets.json", SWAGGER);
    let out = conform()
        .args(["import", "openapi"])
        .arg(&doc)
        .args(["--name", "pets", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The form upload is left out, saying why; the JSON operations are endpoints.
    assert!(stdout.contains("POST /pets/{petId}: left out"), "{stdout}");
    // The contract loads.
    contract::load_suite(
        &dir.path().join("suites").join("pets.toml"),
        &dir.path().join("schemas"),
    )
    .unwrap();
    let suite = std::fs::read_to_string(dir.path().join("suites").join("pets.toml")).unwrap();
    for id in ["listPets", "addPet", "getPet"] {
        assert!(suite.contains(id), "{id} missing from\n{suite}");
    }
    assert!(!suite.contains("uploadPhoto"), "{suite}");
    // Definitions became schema files, references between them kept.
    let pet: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("schemas/pets/Pet.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(pet["properties"]["owner"]["$ref"], "Owner.json");
    assert_eq!(pet["properties"]["tag"]["type"], json!(["string", "null"]));
}
