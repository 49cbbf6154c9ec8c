//! A contract as an OpenAPI 3.1 document.
//!
//! Each schema file becomes a component named after the file (`user.json` → `user`); the
//! `$defs` at the top of a file are hoisted to components of their own (`defs.json#/$defs/uuid` →
//! `defs.uuid`), so every file-relative `$ref` becomes a `#/components/schemas/...` reference and
//! the document stands alone. Each endpoint becomes an operation (`operationId` = endpoint id)
//! with its parameters, its request body, every documented response, and the error answers the
//! suite knows about (401 for bad credentials, the negative-input statuses or `4XX`, the HTTP
//! status table). Concrete example requests and the documents' examples (`tests/examples`) go
//! into `examples`; suite-only settings go into `x-conform`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Map, Value};

use super::{escape, toml_to_json, unescape, OpenApiError, EXTENSION};
use crate::contract::{AuthSpec, Contract, EndpointSpec, ParamLocation};
use crate::template;

/// The OpenAPI 3.1 document of `contract`. `examples_dir` holds the documents' examples for this
/// contract (`{"schema": FILE, "doc": ..., "instance": ...}` files), if any.
pub fn export(contract: &Contract, examples_dir: Option<&Path>) -> Result<Value, OpenApiError> {
    let raw = raw_suite(contract)?;
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

    let mut paths: Map<String, Value> = Map::new();
    for endpoint in &suite.endpoints {
        let op = operation(contract, endpoint, &examples, &raw, &security)?;
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

    let mut ext = Map::new();
    ext.insert("name".into(), json!(suite.name));
    ext.insert("document".into(), json!(suite.document));
    ext.insert(
        "auth".into(),
        raw.get("auth").cloned().unwrap_or(Value::Null),
    );
    for key in ["variables", "errors", "negative", "status_tables"] {
        if let Some(v) = raw.get(key) {
            ext.insert(key.into(), v.clone());
        }
    }
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

fn invalid(contract: &Contract, message: String) -> OpenApiError {
    OpenApiError::Invalid {
        origin: format!("contract {}", contract.name()),
        message,
    }
}

/// The suite file as JSON: the parts OpenAPI cannot say are copied from it as written.
fn raw_suite(contract: &Contract) -> Result<Value, OpenApiError> {
    let path = &contract.suite_path;
    let text = std::fs::read_to_string(path).map_err(|source| OpenApiError::Read {
        path: path.clone(),
        source,
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| OpenApiError::Invalid {
        origin: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(toml_to_json(&toml::Value::Table(table)))
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
    raw: &Value,
    security: &Value,
) -> Result<Value, OpenApiError> {
    let suite = &contract.suite;
    let clause = |doc: &str| format!("{} > {doc}", suite.document);
    let example = endpoint.example.clone().unwrap_or_default();

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
        if let Some(v) = example.params.get(&p.name).filter(|v| is_concrete(v)) {
            ex.insert(
                "conform".into(),
                json!({ "summary": "the example request of the suite", "value": v }),
            );
        }
        if !ex.is_empty() {
            param["examples"] = Value::Object(ex);
        }
        parameters.push(param);
    }

    let mut op = json!({
        "operationId": endpoint.id,
        "summary": endpoint.doc,
        "x-doc": clause(&endpoint.doc),
        "security": if endpoint.public { json!([]) } else { security.clone() },
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    if let Some(file) = &endpoint.body {
        let mut media = json!({ "schema": component_ref(file) });
        let mut ex = examples_for(file, examples);
        if let Some(b) = example.body.as_ref().filter(|b| is_concrete(b)) {
            ex.insert(
                "conform".into(),
                json!({ "summary": "the example request of the suite", "value": b }),
            );
        }
        if !ex.is_empty() {
            media["examples"] = Value::Object(ex);
        }
        op["requestBody"] = json!({
            "required": true,
            "content": { "application/json": media },
        });
    }

    // Standard fields say what the document states; what the contract decided travels in
    // `x-conform` (a team's document without the extensions states no more than the original).
    let mut responses = Map::new();
    for (code, r) in &endpoint.responses {
        let media_type = r
            .media_type
            .clone()
            .unwrap_or_else(|| "application/json".into());
        let mut schema = component_ref(&r.schema);
        // A table of values the document states closed is an `enum` where its values sit.
        if code.starts_with('2') {
            for t in suite.status_tables.iter().filter(|t| {
                t.decided.is_none()
                    && (t.endpoints.is_empty() || t.endpoints.contains(&endpoint.id))
            }) {
                if let Some(pointer) = &t.pointer {
                    schema = json!({ "allOf": [schema, enum_at(pointer, &t.values)] });
                }
            }
        }
        let mut media = json!({ "schema": schema });
        let ex = examples_for(&r.schema, examples);
        if !ex.is_empty() {
            media["examples"] = Value::Object(ex);
        }
        let mut response = json!({ "description": r.doc, "x-doc": clause(&r.doc) });
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
            None => code.clone(),
        };
        if !ext.is_empty() {
            response[EXTENSION] = Value::Object(ext);
        }
        responses.insert(key, response);
    }
    // The error answers the suite knows: bad credentials, invalid input, the status table.
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
    let error_media = match (&suite.errors.media_type, &suite.errors.media_type_decided) {
        (Some(m), None) => m.clone(),
        _ => "application/json".into(),
    };
    let mut error_content = json!({ "schema": component_ref(&suite.errors.schema) });
    let ex = examples_for(&suite.errors.schema, examples);
    if !ex.is_empty() {
        error_content["examples"] = Value::Object(ex);
    }
    for (code, doc) in errors {
        if responses.contains_key(&code) {
            continue;
        }
        let status = code.replace("XX", "00").parse::<u16>().unwrap_or(400);
        let mut response = json!({ "description": doc, "x-doc": clause(&doc) });
        // An error body the document does not show is left out: any body or none conforms.
        if suite.errors.body_decided(status).is_none() {
            response["content"] = json!({ error_media.clone(): error_content.clone() });
        }
        responses.insert(code, response);
    }
    op["responses"] = Value::Object(responses);

    // What only conform reads: the example request as written (templates and all), the
    // generators' settings and the suite's single-request cases of this endpoint.
    let raw_endpoint = raw
        .get("endpoints")
        .and_then(Value::as_array)
        .and_then(|es| es.iter().find(|e| e["id"] == endpoint.id.as_str()));
    let mut ext = Map::new();
    ext.insert("id".into(), json!(endpoint.id));
    ext.insert("doc".into(), json!(endpoint.doc));
    for key in ["example", "generate"] {
        if let Some(v) = raw_endpoint.and_then(|e| e.get(key)) {
            ext.insert(key.into(), v.clone());
        }
    }
    let cases: Vec<Value> = raw
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| single_request_case_of(c, &endpoint.id))
        .cloned()
        .collect();
    if !cases.is_empty() {
        ext.insert("cases".into(), Value::Array(cases));
    }
    op[EXTENSION] = Value::Object(ext);
    Ok(op)
}

/// A suite case of one step on `endpoint` that checks no promise: the only cases with an
/// OpenAPI form (a request and its expected answer).
fn single_request_case_of(case: &Value, endpoint: &str) -> bool {
    let Some([step]) = case
        .get("steps")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    else {
        return false;
    };
    step["endpoint"] == endpoint
        && step
            .get("assert")
            .and_then(Value::as_array)
            .is_none_or(|a| a.is_empty())
}
