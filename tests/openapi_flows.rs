//! What an imported OpenAPI document says across requests, against a real tiny server: a pet
//! store whose "created" pet cannot be read back passes every single-request case, and is
//! caught by the import's resource sequence (an advisory: the document does not link the
//! operations) and, when the document has a `links` entry, by the link case (a failure: the
//! document states the relation).

// The test server's helpers return the refusal itself as their error: an axum response.
#![allow(clippy::result_large_err)]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use conform::checks::Verdict;
use conform::config::TargetConfig;
use conform::contract::{self, Contract};
use conform::openapi;
use conform::report::Report;
use serde_json::{json, Value};

const TOKEN: &str = "pet-token";

/// The pet store's state; `lose_created` is the fault: a POST answers 201 with an id but keeps
/// nothing, so a GET of that id answers 404.
struct Store {
    pets: Mutex<HashMap<i64, Value>>,
    next: AtomicI64,
    lose_created: bool,
}

type Shared = Arc<Store>;

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

fn authorized(h: &HeaderMap) -> Result<(), Response> {
    match h.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(v) if v == format!("Bearer {TOKEN}") => Ok(()),
        _ => Err(error(StatusCode::UNAUTHORIZED, "unauthorized")),
    }
}

/// A NewPet as the document says: `name` 1..=50 characters, `tag` at most 20.
fn new_pet(h: &HeaderMap, body: &Bytes) -> Result<Value, Response> {
    let json_type = h
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bad = || error(StatusCode::BAD_REQUEST, "invalid pet");
    if !json_type {
        return Err(bad());
    }
    let v: Value = serde_json::from_slice(body).map_err(|_| bad())?;
    let o = v.as_object().ok_or_else(bad)?;
    let name = o.get("name").and_then(Value::as_str).ok_or_else(bad)?;
    if name.chars().count() < 1 || name.chars().count() > 50 {
        return Err(bad());
    }
    let mut pet = json!({ "name": name });
    match o.get("tag") {
        None => {}
        Some(Value::String(t)) if t.chars().count() <= 20 => pet["tag"] = json!(t),
        Some(_) => return Err(bad()),
    }
    Ok(pet)
}

/// The id as the URI has it (not percent-decoded): digits, an optional sign.
fn pet_id(uri: &Uri) -> Result<i64, Response> {
    let raw = uri.path().rsplit('/').next().unwrap_or("");
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(StatusCode::BAD_REQUEST, "petId is an integer"));
    }
    raw.parse()
        .map_err(|_| error(StatusCode::BAD_REQUEST, "petId is an integer"))
}

async fn no_id() -> Response {
    error(StatusCode::BAD_REQUEST, "petId is an integer")
}

async fn list(State(s): State<Shared>, h: HeaderMap) -> Response {
    if let Err(r) = authorized(&h) {
        return r;
    }
    let mut pets: Vec<Value> = s.pets.lock().unwrap().values().cloned().collect();
    pets.sort_by_key(|p| p["id"].as_i64());
    Json(Value::Array(pets)).into_response()
}

async fn create(State(s): State<Shared>, h: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authorized(&h) {
        return r;
    }
    let mut pet = match new_pet(&h, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let id = s.next.fetch_add(1, Ordering::SeqCst);
    pet["id"] = json!(id);
    if !s.lose_created {
        s.pets.lock().unwrap().insert(id, pet.clone());
    }
    (
        StatusCode::CREATED,
        [("location", format!("/pets/{id}"))],
        Json(pet),
    )
        .into_response()
}

async fn read(State(s): State<Shared>, h: HeaderMap, uri: Uri) -> Response {
    if let Err(r) = authorized(&h) {
        return r;
    }
    let id = match pet_id(&uri) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match s.pets.lock().unwrap().get(&id) {
        Some(p) => Json(p.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such pet"),
    }
}

async fn replace(State(s): State<Shared>, h: HeaderMap, uri: Uri, body: Bytes) -> Response {
    if let Err(r) = authorized(&h) {
        return r;
    }
    let id = match pet_id(&uri) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut pet = match new_pet(&h, &body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    pet["id"] = json!(id);
    let mut pets = s.pets.lock().unwrap();
    match pets.get_mut(&id) {
        Some(p) => {
            *p = pet.clone();
            Json(pet).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "no such pet"),
    }
}

async fn remove(State(s): State<Shared>, h: HeaderMap, uri: Uri) -> Response {
    if let Err(r) = authorized(&h) {
        return r;
    }
    let id = match pet_id(&uri) {
        Ok(id) => id,
        Err(r) => return r,
    };
    match s.pets.lock().unwrap().remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::NOT_FOUND, "no such pet"),
    }
}

/// A running pet store on 127.0.0.1, stopped by [`PetStore::stop`].
struct PetStore {
    base_url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl PetStore {
    fn start(lose_created: bool) -> PetStore {
        let store = Arc::new(Store {
            pets: Mutex::new(HashMap::from([(1, json!({ "id": 1, "name": "Fido" }))])),
            next: AtomicI64::new(100),
            lose_created,
        });
        let app = Router::new()
            .route("/pets", get(list).post(create))
            .route("/pets/{petId}", get(read).put(replace).delete(remove))
            .route("/pets/", any(no_id))
            .with_state(store);
        let rt = common::runtime();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = rt.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        PetStore {
            base_url: format!("http://{addr}"),
            stop,
            task,
        }
    }

    fn stop(self) {
        let _ = self.stop.send(());
        common::runtime().block_on(self.task).unwrap();
    }
}

fn pet_store_document(links: bool) -> Value {
    let error = json!({ "description": "an error", "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/Error" } } } });
    let pet = |description: &str| {
        json!({ "description": description, "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/Pet" } } } })
    };
    let new_pet = json!({ "required": true, "content": { "application/json": {
        "schema": { "$ref": "#/components/schemas/NewPet" },
        "example": { "name": "Rex", "tag": "dog" } } } });
    let pet_id = json!([{ "name": "petId", "in": "path", "required": true,
        "schema": { "type": "integer" } }]);
    let mut created = pet("the new pet");
    created["headers"] = json!({ "Location": { "schema": { "type": "string" } } });
    if links {
        created["links"] = json!({ "GetPetById": {
            "operationId": "getPet",
            "parameters": { "petId": "$response.body#/id" },
            "description": "The `id` value returned in the response can be used as the `petId` parameter in `GET /pets/{petId}`."
        } });
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Pets", "version": "1" },
        "security": [{ "bearer": [] }],
        "paths": {
            "/pets": {
                "get": { "operationId": "listPets", "responses": {
                    "200": { "description": "the pets", "content": { "application/json": {
                        "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } } } } },
                    "401": error } },
                "post": { "operationId": "createPet", "requestBody": new_pet.clone(), "responses": {
                    "201": created, "400": error, "401": error } }
            },
            "/pets/{petId}": {
                "parameters": pet_id,
                "get": { "operationId": "getPet", "responses": {
                    "200": pet("the pet"), "400": error, "401": error, "404": error } },
                "put": { "operationId": "replacePet", "requestBody": new_pet, "responses": {
                    "200": pet("the pet as replaced"), "400": error, "401": error, "404": error } },
                "delete": { "operationId": "deletePet", "responses": {
                    "204": { "description": "deleted" }, "400": error, "401": error, "404": error } }
            }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "NewPet": { "type": "object", "required": ["name"], "properties": {
                    "name": { "type": "string", "minLength": 1, "maxLength": 50 },
                    "tag": { "type": "string", "maxLength": 20 } } },
                "Pet": { "type": "object", "required": ["id", "name"], "properties": {
                    "id": { "type": "integer" },
                    "name": { "type": "string", "minLength": 1, "maxLength": 50 },
                    "tag": { "type": "string", "maxLength": 20 } } },
                "Error": { "type": "object", "required": ["message"], "properties": {
                    "message": { "type": "string" } } }
            }
        }
    })
}

fn import(doc: &Value, dir: &std::path::Path) -> Contract {
    let imported = openapi::import(doc, "pets.json", "pets", dir).unwrap();
    contract::load_suite(&imported.suite, &dir.join("schemas")).unwrap()
}

fn run(dir: &std::path::Path, store: &PetStore) -> Report {
    let c = contract::load_suite(&dir.join("suites/pets.toml"), &dir.join("schemas")).unwrap();
    let config = TargetConfig::parse(
        &format!(
            "[pets]\nbase_url = \"{}\"\ntoken = \"{TOKEN}\"\npetId = 1\n",
            store.base_url
        ),
        "test",
        &|_| None,
    )
    .unwrap();
    common::run_with(Arc::new(vec![c]), config, "")
}

fn outcome<'r>(report: &'r Report, name_starts: &str) -> Vec<(&'r str, Verdict)> {
    report
        .cases
        .iter()
        .filter(|c| c.id.starts_with(&format!("pets::{name_starts}")))
        .map(|c| (c.id.as_str(), c.outcome))
        .collect()
}

fn failed(report: &Report) -> Vec<(String, String, String)> {
    report
        .cases
        .iter()
        .filter(|c| c.outcome == Verdict::Fail)
        .map(|c| {
            (
                c.id.clone(),
                c.check.map(|k| k.to_string()).unwrap_or_default(),
                c.message.clone(),
            )
        })
        .collect()
}

#[test]
fn a_created_pet_that_cannot_be_read_back_is_advised_without_links_and_failed_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let (plain_dir, linked_dir) = (dir.path().join("plain"), dir.path().join("linked"));
    let plain = import(&pet_store_document(false), &plain_dir);
    let linked = import(&pet_store_document(true), &linked_dir);
    let names: Vec<&str> = plain.suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.iter().any(|n| n.starts_with("crud-pets")),
        "{names:?}"
    );
    assert!(
        !linked
            .suite
            .cases
            .iter()
            .any(|c| c.name.starts_with("crud-")),
        "a link replaces the inferred sequence"
    );
    assert!(linked
        .suite
        .cases
        .iter()
        .any(|c| c.name.starts_with("link-")));

    let correct = PetStore::start(false);
    for c in [&plain_dir, &linked_dir] {
        let report = run(c, &correct);
        assert!(failed(&report).is_empty(), "{:#?}", failed(&report));
        for (id, v) in outcome(&report, "crud-")
            .into_iter()
            .chain(outcome(&report, "link-"))
        {
            assert_eq!(v, Verdict::Pass, "{id}: {report:#?}");
        }
        // axum answers an unlisted method with 405 and an Allow header: the probes hold.
        let probes = outcome(&report, "undocumented-method-");
        assert_eq!(probes.len(), 5, "{probes:?}");
        for (id, v) in probes {
            assert_eq!(v, Verdict::Pass, "{id}");
        }
        assert!(report
            .cases
            .iter()
            .filter(|c| c.id.contains("undocumented-method-"))
            .all(|c| c.kind == conform::case_kind::CaseKind::Method));
    }
    correct.stop();

    let faulty = PetStore::start(true);
    let report = run(&plain_dir, &faulty);
    assert!(failed(&report).is_empty(), "{:#?}", failed(&report));
    let crud = outcome(&report, "crud-");
    assert_eq!(crud.len(), 1);
    assert_eq!(crud[0].1, Verdict::Advisory, "{report:#?}");
    let crud_case = report
        .cases
        .iter()
        .find(|c| c.id.starts_with("pets::crud-"))
        .unwrap();
    let found = common::found(crud_case, Verdict::Advisory);
    assert!(
        found.iter().any(|(_, got)| got.starts_with("404")),
        "{found:#?}"
    );

    let report = run(&linked_dir, &faulty);
    let failures = failed(&report);
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(failures[0].0.starts_with("pets::link-createPet-GetPetById"));
    assert_eq!(failures[0].1, "status");
    assert!(
        failures[0]
            .2
            .contains("can be used as the `petId` parameter"),
        "the failure quotes the link: {}",
        failures[0].2
    );
    faulty.stop();
}

/// A one-operation document: `POST /accounts` takes and answers `Account`, whose `id` is
/// readOnly and whose `password` is writeOnly (both required), with the request example given.
fn accounts_document(example: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Accounts", "version": "1" },
        "security": [{ "bearer": [] }],
        "paths": { "/accounts": { "post": {
            "operationId": "createAccount",
            "requestBody": { "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Account" },
                "example": example } } },
            "responses": { "201": { "description": "created", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Account" } } } } }
        } } },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "Account": { "type": "object",
                "required": ["id", "name", "password"],
                "properties": {
                    "id": { "type": "integer", "readOnly": true },
                    "name": { "type": "string", "minLength": 1, "maxLength": 20 },
                    "password": { "type": "string", "minLength": 8, "maxLength": 64, "writeOnly": true }
                } } }
        }
    })
}

#[test]
fn read_only_is_never_sent_and_write_only_never_demanded() {
    let dir = tempfile::tempdir().unwrap();
    // The document's example holds the server's id: it breaks no schema, but is no request.
    let doc = accounts_document(json!({ "name": "ann", "password": "correct horse" }));
    let imported = openapi::import(&doc, "accounts.json", "accounts", dir.path()).unwrap();
    let c = contract::load_suite(&imported.suite, &dir.path().join("schemas")).unwrap();
    let e = &c.suite.endpoints[0];
    let body = e.body.as_deref().unwrap();
    assert_eq!(body, "Account.request.json");
    let answer = &e.responses["201"].schema;
    assert_eq!(answer, "Account.response.json");
    // A request needs no id, and the request copy does not describe one.
    assert!(c
        .schemas
        .validate(body, &json!({ "name": "a", "password": "12345678" }))
        .is_ok());
    assert!(c.schemas.raw(body).unwrap()["properties"]
        .get("id")
        .is_none());
    assert!(c.schemas.raw("Account.json").unwrap()["properties"]
        .get("id")
        .is_some());
    // An answer needs its id, not the password.
    assert!(c
        .schemas
        .validate(answer, &json!({ "id": 1, "name": "a" }))
        .is_ok());
    assert!(c.schemas.validate(answer, &json!({ "name": "a" })).is_err());
    // The positive generator never sends the id.
    let view = conform::generate::view::Resolver::new(&c.schemas)
        .object(body)
        .unwrap();
    assert!(!view.properties.contains_key("id"));
}

#[test]
fn an_example_that_breaks_its_schema_is_a_document_problem_not_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let doc = accounts_document(json!({ "name": "ann", "password": "short" }));
    let imported = openapi::import(&doc, "accounts.json", "accounts", dir.path()).unwrap();
    let problems: Vec<&String> = imported
        .notes
        .iter()
        .filter(|n| n.starts_with("document problem:"))
        .collect();
    assert_eq!(problems.len(), 1, "{:#?}", imported.notes);
    assert!(problems[0].contains("/requestBody/content/application~1json/example/password"));
    let c = contract::load_suite(&imported.suite, &dir.path().join("schemas")).unwrap();
    let example = c.suite.endpoints[0].example.as_ref().unwrap();
    let sent = example.body.as_ref().unwrap();
    assert_ne!(
        sent["password"],
        json!("short"),
        "the broken example is not sent"
    );
    assert!(c
        .schemas
        .validate(c.suite.endpoints[0].body.as_deref().unwrap(), sent)
        .is_ok());
}
