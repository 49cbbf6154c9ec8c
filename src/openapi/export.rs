//! A contract as an OpenAPI 3.1 document.
//!
//! Each schema file becomes a component named after the file (`user.json` → `user`); the
//! `$defs` at the top of a file are hoisted to components of their own (`defs.json#/$defs/uuid` →
//! `defs.uuid`), so every file-relative `$ref` becomes a `#/components/schemas/...` reference and
//! the document stands alone. Each endpoint becomes an operation (`operationId` = endpoint id)
//! with its parameters, its request body, every documented response, and the error answers the
//! suite knows about (401 for bad credentials, the negative-input statuses or `4XX`, the HTTP
//! status table). Concrete example requests and the documents' examples (`tests/examples`) go
//! into `examples`; suite-only settings go into `x-conform`, as the loaded suite serializes them
//! (the contract as loaded, not its file: an in-memory import has no suite file).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::{escape, unescape, OpenApiError, EXTENSION};
use crate::contract::{
    AuthSpec, CaseSpec, Contract, EndpointSpec, ExampleSpec, ParamLocation, ResponseSpec, SuiteFile,
};
use crate::template;

/// The OpenAPI 3.1 document of `contract`. `examples_dir` holds the documents' examples for this
/// contract (`{"schema": FILE, "doc": ..., "instance": ...}` files), if any.
pub fn export(contract: &Contract, examples_dir: Option<&Path>) -> Result<Value, OpenApiError> {
    let examples = read_examples(examples_dir)?;
    let components = Components::new(contract)?;
    let suite = &contract.suite;
    let (scheme_name, scheme) = security_scheme(&suite.auth);
    let security = if scheme.is_null() {
        json!([])
    } else {
        json!([{ scheme_name.clone(): [] }])
    };
    let schemes = if scheme.is_null() {
        json!({})
    } else {
        json!({ scheme_name: scheme })
    };
    let paths = paths(contract, &examples, &security)?;
    let ext = suite_extension(suite)?;
    let hash = contract
        .content_hash
        .get(..12)
        .unwrap_or(&contract.content_hash);
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": suite.title,
            "version": format!("conform-{hash}"),
            "description": format!(
                "The `{}` contract of conform, derived from the document {}. Paths are relative \
                 to the target's base URL. Exported by `conform export openapi`.",
                suite.name, suite.document
            ),
        },
        "security": security,
        "paths": paths,
        "components": {
            "schemas": components.schemas,
            "securitySchemes": schemes,
        },
        EXTENSION: ext,
    }))
}

/// Every endpoint as an operation, under its path.
fn paths(
    contract: &Contract,
    examples: &[DocExample],
    security: &Value,
) -> Result<Map<String, Value>, OpenApiError> {
    let mut paths: Map<String, Value> = Map::new();
    for endpoint in &contract.suite.endpoints {
        let op = operation(contract, endpoint, examples, security)?;
        let item = paths
            .entry(endpoint.path.clone())
            .or_insert_with(|| json!({}));
        let method = endpoint.method.to_ascii_lowercase();
        if !super::METHODS.contains(&method.as_str()) {
            return Err(invalid(
                contract,
                format!(
                    "endpoint {:?}: method {} has no OpenAPI form",
                    endpoint.id, endpoint.method
                ),
            ));
        }
        if let Some(map) = item.as_object_mut() {
            if map.insert(method, op).is_some() {
                return Err(invalid(
                    contract,
                    format!("two endpoints are {} {}", endpoint.method, endpoint.path),
                ));
            }
        }
    }
    Ok(paths)
}

/// What only conform reads of the suite as a whole: its name, its document, and the parts
/// OpenAPI cannot say, as the suite says them (fields at their defaults left out).
fn suite_extension(suite: &SuiteFile) -> Result<Map<String, Value>, OpenApiError> {
    let mut ext = Map::new();
    ext.insert("name".into(), json!(suite.name));
    ext.insert("document".into(), json!(suite.document));
    ext.insert("auth".into(), as_json(&suite.auth)?);
    ext.insert("errors".into(), as_json(&suite.errors)?);
    if !suite.variables.is_empty() {
        ext.insert("variables".into(), as_json(&suite.variables)?);
    }
    if !suite.negative.is_default() {
        ext.insert("negative".into(), as_json(&suite.negative)?);
    }
    if !suite.status_tables.is_empty() {
        ext.insert("status_tables".into(), as_json(&suite.status_tables)?);
    }
    Ok(ext)
}

fn invalid(contract: &Contract, message: String) -> OpenApiError {
    OpenApiError::Invalid {
        origin: format!("contract {}", contract.name()),
        message,
    }
}

/// One document example: which schema it is an instance of, its clause and its value.
struct DocExample {
    name: String,
    schema: String,
    doc: String,
    instance: Value,
}

fn read_examples(dir: Option<&Path>) -> Result<Vec<DocExample>, OpenApiError> {
    let Some(dir) = dir.filter(|d| d.is_dir()) else {
        return Ok(vec![]);
    };
    let read_err = |source| OpenApiError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let value = super::read_json(&path)?;
        let (Some(schema), Some(instance)) = (value["schema"].as_str(), value.get("instance"))
        else {
            continue;
        };
        out.push(DocExample {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            schema: schema.to_string(),
            doc: value["doc"].as_str().unwrap_or_default().to_string(),
            instance: instance.clone(),
        });
    }
    Ok(out)
}

/// Examples whose schema is `file`, as an OpenAPI `examples` map.
fn examples_for(file: &str, examples: &[DocExample]) -> Map<String, Value> {
    examples
        .iter()
        .filter(|e| e.schema == file)
        .map(|e| {
            (
                e.name.clone(),
                json!({ "summary": e.doc, "value": e.instance }),
            )
        })
        .collect()
}

/// A schema holding the value at JSON pointer `pointer` to `values` (`/a/b` → properties a, b).
fn enum_at(pointer: &str, values: &[i64]) -> Value {
    let mut schema = json!({ "enum": values });
    for segment in pointer
        .split('/')
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        schema = json!({ "properties": { super::unescape(segment): schema } });
    }
    schema
}

fn security_scheme(auth: &AuthSpec) -> (String, Value) {
    use crate::contract::AuthScheme as S;
    let doc = &auth.doc;
    let name = auth.carrier().to_string();
    match auth.scheme {
        S::Bearer => (
            "bearer".into(),
            json!({ "type": "http", "scheme": "bearer", "description": doc }),
        ),
        S::Basic => (
            "basic".into(),
            json!({ "type": "http", "scheme": "basic", "description": doc }),
        ),
        S::Header | S::Query | S::Cookie => {
            let place = match auth.scheme {
                S::Header => "header",
                S::Query => "query",
                _ => "cookie",
            };
            (
                name.clone(),
                json!({ "type": "apiKey", "in": place, "name": name, "description": doc }),
            )
        }
        S::None => (String::new(), Value::Null),
    }
}

/// `components/schemas`, and where each schema file went.
struct Components {
    schemas: Map<String, Value>,
}

impl Components {
    fn new(contract: &Contract) -> Result<Self, OpenApiError> {
        let files: Vec<&str> = contract.schemas.files().collect();
        let mut defs: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for f in &files {
            if let Some(d) = contract
                .schemas
                .raw(f)
                .and_then(|s| s.get("$defs"))
                .and_then(Value::as_object)
            {
                defs.insert(f, d.keys().cloned().collect());
            }
        }
        let rewriter = Rewriter {
            contract: contract.name(),
            defs: &defs,
        };
        let mut schemas = Map::new();
        let mut add = |name: String, value: Value| -> Result<(), OpenApiError> {
            if !valid_component_name(&name) {
                return Err(invalid(
                    contract,
                    format!("schema name {name:?} has no OpenAPI component form"),
                ));
            }
            if schemas.insert(name.clone(), value).is_some() {
                return Err(invalid(
                    contract,
                    format!("two schemas would both be component {name:?}"),
                ));
            }
            Ok(())
        };
        for f in &files {
            let Some(raw) = contract.schemas.raw(f) else {
                continue;
            };
            let mut root = raw.clone();
            let hoisted = root
                .as_object_mut()
                .and_then(|o| {
                    o.remove("$schema");
                    o.remove("$id");
                    o.remove("$defs")
                })
                .and_then(|d| match d {
                    Value::Object(m) => Some(m),
                    _ => None,
                })
                .unwrap_or_default();
            add(stem(f).to_string(), rewriter.rewrite(f, root)?)?;
            for (name, def) in hoisted {
                add(format!("{}.{name}", stem(f)), rewriter.rewrite(f, def)?)?;
            }
        }
        Ok(Components { schemas })
    }
}

fn valid_component_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn stem(file: &str) -> &str {
    file.strip_suffix(".json").unwrap_or(file)
}

/// A `$ref` to the component that holds schema `file`.
fn component_ref(file: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", stem(file)) })
}

/// Rewrites file-relative `$ref`s into component references.
struct Rewriter<'a> {
    contract: &'a str,
    /// Top-level `$defs` names of each file (the hoisted ones).
    defs: &'a BTreeMap<&'a str, BTreeSet<String>>,
}

impl Rewriter<'_> {
    fn rewrite(&self, file: &str, mut value: Value) -> Result<Value, OpenApiError> {
        self.walk(file, &mut value)?;
        Ok(value)
    }

    fn walk(&self, file: &str, value: &mut Value) -> Result<(), OpenApiError> {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "$ref" {
                        if let Value::String(r) = v {
                            *r = self.target(file, r)?;
                        }
                    } else {
                        self.walk(file, v)?;
                    }
                }
            }
            Value::Array(items) => {
                for v in items {
                    self.walk(file, v)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn target(&self, file: &str, r: &str) -> Result<String, OpenApiError> {
        let base = format!("{SCHEMA_BASE}/{}/", self.contract);
        let r = r.strip_prefix(&base).unwrap_or(r);
        let (target_file, pointer) = match r.split_once('#') {
            Some(("", p)) => (file, p),
            Some((f, p)) => (f, p),
            None => (r, ""),
        };
        if target_file.contains(':')
            || target_file.contains('/')
            || !pointer.is_empty() && !pointer.starts_with('/')
        {
            return Err(OpenApiError::Invalid {
                origin: format!("contract {} schema {file}", self.contract),
                message: format!("$ref {r:?} is not a file of the contract with a JSON pointer"),
            });
        }
        let mut segments = pointer.split('/').skip(1);
        let first = segments.next();
        if first == Some("$defs") {
            if let Some(name) = segments.next().map(unescape) {
                if self
                    .defs
                    .get(target_file)
                    .is_some_and(|d| d.contains(&name))
                {
                    let rest: String = segments.map(|s| format!("/{s}")).collect();
                    return Ok(format!(
                        "#/components/schemas/{}{rest}",
                        escape(&format!("{}.{name}", stem(target_file)))
                    ));
                }
            }
        }
        Ok(format!(
            "#/components/schemas/{}{pointer}",
            stem(target_file)
        ))
    }
}

/// The base URI conform registers schema files under (`contract::schemas`): an absolute
/// `$ref` into it is a file reference too.
const SCHEMA_BASE: &str = "https://conform.invalid/schemas";

fn is_concrete(v: &Value) -> bool {
    template::references(v).is_empty()
}

fn operation(
    contract: &Contract,
    endpoint: &EndpointSpec,
    examples: &[DocExample],
    security: &Value,
) -> Result<Value, OpenApiError> {
    let suite = &contract.suite;
    let example = endpoint.example.clone().unwrap_or_default();
    let mut op = json!({
        "operationId": endpoint.id,
        "summary": endpoint.doc,
        "x-doc": clause(suite, &endpoint.doc),
        "security": if endpoint.public { json!([]) } else { security.clone() },
    });
    let parameters = parameters(endpoint, &example, examples);
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if let Some(file) = &endpoint.body {
        op["requestBody"] = request_body(file, &example, examples);
    }
    let mut responses = documented_responses(suite, endpoint, examples);
    add_error_responses(suite, endpoint, examples, &mut responses);
    op["responses"] = Value::Object(responses);
    op[EXTENSION] = Value::Object(operation_extension(suite, endpoint)?);
    Ok(op)
}

/// A clause of the suite's document, as `x-doc` says it.
fn clause(suite: &SuiteFile, doc: &str) -> String {
    format!("{} > {doc}", suite.document)
}

/// The suite's example request as an OpenAPI example, when it holds no variable.
fn suite_example(value: &Value) -> Option<Value> {
    is_concrete(value)
        .then(|| json!({ "summary": "the example request of the suite", "value": value }))
}

/// The endpoint's parameters, with the documents' examples and the suite's example value.
fn parameters(
    endpoint: &EndpointSpec,
    example: &ExampleSpec,
    examples: &[DocExample],
) -> Vec<Value> {
    let mut parameters = Vec::new();
    for p in &endpoint.params {
        let mut param = json!({
            "name": p.name,
            "in": p.location.as_str(),
            "required": p.required || p.location == ParamLocation::Path,
            "description": p.doc,
            "schema": component_ref(&p.schema),
        });
        let mut ex = examples_for(&p.schema, examples);
        if let Some(v) = example.params.get(&p.name).and_then(suite_example) {
            ex.insert("conform".into(), v);
        }
        if !ex.is_empty() {
            param["examples"] = Value::Object(ex);
        }
        parameters.push(param);
    }
    parameters
}

/// The endpoint's JSON request body, with the documents' examples and the suite's example.
fn request_body(file: &str, example: &ExampleSpec, examples: &[DocExample]) -> Value {
    let mut media = json!({ "schema": component_ref(file) });
    let mut ex = examples_for(file, examples);
    if let Some(b) = example.body.as_ref().and_then(suite_example) {
        ex.insert("conform".into(), b);
    }
    if !ex.is_empty() {
        media["examples"] = Value::Object(ex);
    }
    json!({
        "required": true,
        "content": { "application/json": media },
    })
}

/// The endpoint's documented responses, keyed as OpenAPI keys them (a decided code as its
/// class). Standard fields say what the document states; what the contract decided travels in
/// `x-conform` (a team's document without the extensions states no more than the original).
fn documented_responses(
    suite: &SuiteFile,
    endpoint: &EndpointSpec,
    examples: &[DocExample],
) -> Map<String, Value> {
    let mut responses = Map::new();
    for (code, r) in &endpoint.responses {
        let (key, response) = response(suite, endpoint, code, r, examples);
        responses.insert(key, response);
    }
    responses
}

/// One documented response and the key it goes under.
fn response(
    suite: &SuiteFile,
    endpoint: &EndpointSpec,
    code: &str,
    r: &ResponseSpec,
    examples: &[DocExample],
) -> (String, Value) {
    let media_type = r
        .media_type
        .clone()
        .unwrap_or_else(|| "application/json".into());
    let mut media = json!({ "schema": response_schema(suite, endpoint, code, r) });
    let ex = examples_for(&r.schema, examples);
    if !ex.is_empty() {
        media["examples"] = Value::Object(ex);
    }
    let mut response = json!({ "description": r.doc, "x-doc": clause(suite, &r.doc) });
    let mut ext = Map::new();
    match &r.body_decided {
        None => response["content"] = json!({ media_type: media }),
        Some(reason) => {
            ext.insert("body_decided".into(), json!(reason));
            ext.insert("schema".into(), component_ref(&r.schema));
            if r.media_type.is_some() {
                ext.insert("media_type".into(), json!(media_type));
            }
        }
    }
    if let Some(q) = &r.quote {
        ext.insert("quote".into(), json!(q));
    }
    let key = match &r.status_decided {
        Some(reason) => {
            ext.insert("status_decided".into(), json!(reason));
            ext.insert("code".into(), json!(code));
            format!("{}XX", &code[..1])
        }
        None => code.to_string(),
    };
    if !ext.is_empty() {
        response[EXTENSION] = Value::Object(ext);
    }
    (key, response)
}

/// A response's schema: its file, and on a success answer, every table of values the document
/// states closed as an `enum` where its values sit.
fn response_schema(
    suite: &SuiteFile,
    endpoint: &EndpointSpec,
    code: &str,
    r: &ResponseSpec,
) -> Value {
    let mut schema = component_ref(&r.schema);
    if code.starts_with('2') {
        for t in suite.status_tables.iter().filter(|t| {
            t.decided.is_none() && (t.endpoints.is_empty() || t.endpoints.contains(&endpoint.id))
        }) {
            if let Some(pointer) = &t.pointer {
                schema = json!({ "allOf": [schema, enum_at(pointer, &t.values)] });
            }
        }
    }
    schema
}

/// The error answers the suite knows for an endpoint (bad credentials, invalid input, the
/// HTTP status table), keyed by status or class, with their clause.
fn known_errors(suite: &SuiteFile, endpoint: &EndpointSpec) -> BTreeMap<String, String> {
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    if suite.auth.scheme != crate::contract::AuthScheme::None {
        let key = if suite.auth.status_decided.is_some() {
            "4XX"
        } else {
            "401"
        };
        errors.insert(key.into(), suite.auth.doc().to_string());
    }
    if endpoint.body.is_some() || !endpoint.params.is_empty() {
        let doc = if suite.negative.doc.is_empty() {
            suite.errors.doc.clone()
        } else {
            suite.negative.doc.clone()
        };
        if suite.negative.status.is_empty() || suite.negative.decided.is_some() {
            errors.entry("4XX".into()).or_insert(doc);
        } else {
            for s in &suite.negative.status {
                errors.entry(s.to_string()).or_insert_with(|| doc.clone());
            }
        }
    }
    for t in &suite.status_tables {
        if t.http_error_status && (t.endpoints.is_empty() || t.endpoints.contains(&endpoint.id)) {
            for v in &t.values {
                errors.entry(v.to_string()).or_insert_with(|| t.doc.clone());
            }
        }
    }
    errors
}

/// Adds the known error answers the documented responses do not already give, each with the
/// suite's error body where the document shows it.
fn add_error_responses(
    suite: &SuiteFile,
    endpoint: &EndpointSpec,
    examples: &[DocExample],
    responses: &mut Map<String, Value>,
) {
    let error_media = match (&suite.errors.media_type, &suite.errors.media_type_decided) {
        (Some(m), None) => m.clone(),
        _ => "application/json".into(),
    };
    let mut error_content = json!({ "schema": component_ref(&suite.errors.schema) });
    let ex = examples_for(&suite.errors.schema, examples);
    if !ex.is_empty() {
        error_content["examples"] = Value::Object(ex);
    }
    for (code, doc) in known_errors(suite, endpoint) {
        if responses.contains_key(&code) {
            continue;
        }
        let status = code.replace("XX", "00").parse::<u16>().unwrap_or(400);
        let mut response = json!({ "description": doc, "x-doc": clause(suite, &doc) });
        // An error body the document does not show is left out: any body or none conforms.
        if suite.errors.body_decided(status).is_none() {
            response["content"] = json!({ error_media.clone(): error_content.clone() });
        }
        responses.insert(code, response);
    }
}

/// What only conform reads of an operation: its id and clause, the example request as written
/// (templates and all), the generators' settings and the suite's single-request cases of it.
fn operation_extension(
    suite: &SuiteFile,
    endpoint: &EndpointSpec,
) -> Result<Map<String, Value>, OpenApiError> {
    let mut ext = Map::new();
    ext.insert("id".into(), json!(endpoint.id));
    ext.insert("doc".into(), json!(endpoint.doc));
    if let Some(example) = &endpoint.example {
        ext.insert("example".into(), as_json(example)?);
    }
    if !endpoint.generate.is_default() {
        ext.insert("generate".into(), as_json(&endpoint.generate)?);
    }
    let cases = suite
        .cases
        .iter()
        .filter(|c| single_request_case_of(c, &endpoint.id))
        .map(as_json)
        .collect::<Result<Vec<_>, _>>()?;
    if !cases.is_empty() {
        ext.insert("cases".into(), Value::Array(cases));
    }
    Ok(ext)
}

/// A part of the loaded suite as the JSON the extension carries.
fn as_json<T: serde::Serialize>(part: &T) -> Result<Value, OpenApiError> {
    serde_json::to_value(part).map_err(|e| OpenApiError::Invalid {
        origin: "suite".into(),
        message: format!("cannot be written as JSON: {e}"),
    })
}

/// A suite case of one step on `endpoint` that checks no promise: the only cases with an
/// OpenAPI form (a request and its expected answer).
fn single_request_case_of(case: &CaseSpec, endpoint: &str) -> bool {
    match case.steps.as_slice() {
        [step] => step.endpoint == endpoint && step.asserts.is_empty(),
        _ => false,
    }
}
