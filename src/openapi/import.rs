//! An OpenAPI 3.0/3.1 document as a contract: `schemas/<name>/*.json` and `suites/<name>.toml`.
//!
//! Components become schema files (`User` → `User.json`; `defs.uuid` → `$defs/uuid` of
//! `defs.json`, the form `export` writes), `#/components/schemas/...` references become
//! file-relative ones, and inline schemas get a file named after their operation. OpenAPI 3.0
//! schemas are brought to JSON Schema 2020-12 on the way (`nullable` → a type that admits
//! null, boolean `exclusiveMinimum`/`exclusiveMaximum` → numbers, `example` → `examples`).
//!
//! The suite gets the security scheme as its auth (bearer; an API-key header), every JSON
//! operation as an endpoint, the 2xx answers as its responses and the error answers as its error
//! schema. Every endpoint needs a valid example request for the generators: a request body comes
//! from the document's examples when one validates, else from the schema, else from a variable;
//! path parameters always come from variables (an id in a document's example names an object on
//! the author's server, not on yours). The suite's variables are the credential and those. A
//! document written by `export` carries `x-conform` extensions; they take precedence, so export
//! then import gives back the contract (less its multi-step cases).
//!
//! The suite is built as the types the loader reads ([`contract::SuiteFile`]) and its text is
//! that value serialized by `toml`, so what the import writes is what `conform` loads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::{unescape, OpenApiError, EXTENSION, METHODS};
use crate::contract::{
    self, AuthScheme, AuthSpec, CaseSpec, EndpointSpec, ErrorSpec, ExampleSpec, GenerateSpec,
    NegativeSpec, ParamLocation, ParamSpec, ResponseSpec, SchemaSet, StatusPattern,
    StatusTableSpec, StepSpec, SuiteFile, VariableSpec,
};
use crate::generate::negative::param_as_json;
use crate::generate::view::Resolver;
use crate::template;

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Why a response the document shows no body for is checked for nothing but its status.
const NO_BODY_SHOWN: &str = "the document shows no body for this answer: any body or none conforms";

/// What an import wrote, and what it left out (one line each).
#[derive(Debug, Clone)]
pub struct Imported {
    pub suite: PathBuf,
    pub schemas: Vec<PathBuf>,
    pub notes: Vec<String>,
}

/// A contract built from an OpenAPI document, held in memory: its schema files (and their
/// compiled set, which building the suite needed), its suite's text, and what the import left
/// out.
pub struct Built {
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub schemas: SchemaSet,
    pub suite_text: String,
    pub notes: Vec<String>,
}

/// Builds the contract `name` from OpenAPI document `doc` (read from `source`, which names the
/// document in the suite), in memory.
pub fn build(doc: &Value, source: &str, name: &str) -> Result<Built, OpenApiError> {
    build_typed(doc, source, name).map(|(_, built)| built)
}

/// [`build`], with the suite as the importer built it (its text is this, serialized).
fn build_typed(doc: &Value, source: &str, name: &str) -> Result<(SuiteFile, Built), OpenApiError> {
    let mut imp = Importer::new(doc, source)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(imp.invalid(format!(
            "contract name {name:?} must be lower-case letters, digits, '-' or '_'"
        )));
    }
    // An example that breaks its own schema is the document's problem, not the target's: it
    // is named here, and `example()` only ever picks examples that validate.
    imp.example_problems();
    imp.components()?;
    let mut endpoints = imp.endpoints()?;
    imp.access_copies(&mut endpoints);
    if endpoints.is_empty() {
        return Err(imp.invalid("no operation with a JSON answer: nothing to test".into()));
    }
    let errors = imp.errors(&endpoints)?;
    let auth = imp.auth(&endpoints)?;
    let files: Vec<(String, Vec<u8>)> = imp
        .files
        .iter()
        .map(|(f, v)| (f.clone(), pretty(v).into_bytes()))
        .collect();
    let schemas = SchemaSet::compile(name, &files)
        .map_err(|e| imp.invalid(format!("the schemas do not compile: {}", error_chain(&e))))?;
    let suite = imp.suite(name, auth, errors, &endpoints, &schemas)?;
    let suite_text = imp.suite_text(&suite)?;
    let built = Built {
        name: name.to_string(),
        files,
        schemas,
        suite_text,
        notes: imp.notes,
    };
    Ok((suite, built))
}

/// The contract of a built import, loaded as `conform` loads any contract (the same checks,
/// on the schemas the build compiled).
pub fn load_built(built: Built, source: &str) -> Result<contract::Contract, OpenApiError> {
    let path = PathBuf::from(source);
    contract::from_parts(&built.suite_text, &built.files, built.schemas, &path).map_err(|e| {
        OpenApiError::LoadBuilt {
            origin: source.to_string(),
            source: e,
        }
    })
}

/// Writes `out/schemas/<name>/*.json` and `out/suites/<name>.toml` from OpenAPI document `doc`
/// (read from `source`, which names the document in the suite), then loads them to prove that
/// they form a contract. Refuses to overwrite an existing suite.
pub fn import(doc: &Value, source: &str, name: &str, out: &Path) -> Result<Imported, OpenApiError> {
    let built = build(doc, source, name)?;
    let suite_path = out.join("suites").join(format!("{name}.toml"));
    if suite_path.exists() {
        return Err(OpenApiError::Invalid {
            origin: source.to_string(),
            message: format!(
                "{} already exists; remove it or choose another --name",
                suite_path.display()
            ),
        });
    }
    let schema_dir = out.join("schemas").join(name);
    let write = |path: &Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(path, text))
            .map_err(|source| OpenApiError::Write {
                path: path.to_path_buf(),
                source,
            })
    };
    let mut written = Vec::new();
    for (file, bytes) in &built.files {
        let path = schema_dir.join(file);
        write(&path, &String::from_utf8_lossy(bytes))?;
        written.push(path);
    }
    write(&suite_path, &built.suite_text)?;
    contract::load_suite(&suite_path, &out.join("schemas")).map_err(|source| {
        OpenApiError::Load {
            dir: out.to_path_buf(),
            source,
        }
    })?;
    Ok(Imported {
        suite: suite_path,
        schemas: written,
        notes: built.notes,
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Where a component schema went.
#[derive(Debug, Clone)]
enum Loc {
    /// The whole of this file.
    File(String),
    /// `$defs/<name>` of this file.
    Def(String, String),
}

/// One operation, with its schemas already assigned to files.
struct Endpoint {
    id: String,
    method: String,
    path: String,
    doc: String,
    params: Vec<Param>,
    /// Body schema file and the document's example bodies.
    body: Option<(String, Vec<Value>)>,
    /// Status → the suite's response spec (schema, doc, media type, provenance).
    responses: BTreeMap<String, ResponseSpec>,
    /// Error answers: (schema as written, media type, description, status).
    errors: Vec<ErrorAnswer>,
    /// Every error status the operation documents, with a body or not.
    error_codes: Vec<String>,
    /// The operation needs no credential (`security: []`, or an empty requirement in it).
    public: bool,
    ext: Value,
}

/// An error answer of an operation: (schema as written, media type, description, status).
type ErrorAnswer = (Value, String, String, String);

/// One operation of the document, where it is, and how messages name it (`GET /pets`).
struct Operation<'a> {
    path: &'a str,
    method: &'static str,
    item: &'a Value,
    op: &'a Value,
    at: String,
}

/// What the request body of an operation comes to.
enum RequestBody {
    /// A JSON body: its schema file and the document's example bodies.
    Json(String, Vec<Value>),
    /// No body is sent.
    Absent,
    /// The body is not JSON and is the point of the operation: the operation is left out.
    NotJson,
}

/// What an operation answers: successes for the suite, errors for the error schema.
#[derive(Default)]
struct Answers {
    responses: BTreeMap<String, ResponseSpec>,
    errors: Vec<ErrorAnswer>,
    error_codes: Vec<String>,
}

struct Param {
    name: String,
    location: ParamLocation,
    file: String,
    required: bool,
    doc: String,
    examples: Vec<Value>,
}

struct Importer<'a> {
    doc: &'a Value,
    origin: String,
    v30: bool,
    files: BTreeMap<String, Value>,
    locations: BTreeMap<String, Loc>,
    notes: Vec<String>,
    /// Endpoint id → the body fields whose valid values depend on the target's state.
    state_bound: BTreeMap<String, Vec<String>>,
    /// The error body chosen as the suite's error schema (schema as written, media type).
    error_choice: Option<(Value, String)>,
}

impl<'a> Importer<'a> {
    fn new(doc: &'a Value, source: &str) -> Result<Self, OpenApiError> {
        let origin = source.to_string();
        let bad = |message: String| OpenApiError::Invalid {
            origin: origin.clone(),
            message,
        };
        if !doc.is_object() {
            return Err(bad("an OpenAPI document is a JSON object".into()));
        }
        if doc.get("swagger").is_some() {
            return Err(bad(
                "Swagger 2.0 is not supported: convert it to OpenAPI 3 first".into(),
            ));
        }
        let version = doc
            .get("openapi")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no `openapi` version field: not an OpenAPI 3 document".into()))?;
        let v30 = if version.starts_with("3.0") {
            true
        } else if version.starts_with("3.1") {
            false
        } else {
            return Err(bad(format!(
                "OpenAPI {version} is not supported (3.0.x and 3.1.x are)"
            )));
        };
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err(bad("no `paths` object: nothing to test".into()));
        }
        Ok(Importer {
            doc,
            origin,
            v30,
            files: BTreeMap::new(),
            locations: BTreeMap::new(),
            notes: Vec::new(),
            state_bound: BTreeMap::new(),
            error_choice: None,
        })
    }

    fn invalid(&self, message: String) -> OpenApiError {
        OpenApiError::Invalid {
            origin: self.origin.clone(),
            message,
        }
    }

    fn root_ext(&self) -> Option<&'a Value> {
        self.doc.get(EXTENSION).filter(|v| v.is_object())
    }

    /// `components/schemas` → files, grouping `P.D` names into `$defs/D` of `P.json`.
    fn components(&mut self) -> Result<(), OpenApiError> {
        let Some(schemas) = self.doc.pointer("/components/schemas") else {
            return Ok(());
        };
        let schemas = schemas
            .as_object()
            .ok_or_else(|| self.invalid("components/schemas is not an object".into()))?;
        let mut used: BTreeSet<String> = BTreeSet::new();
        for name in schemas.keys() {
            let loc = match name.split_once('.') {
                Some((p, d)) if !p.is_empty() && !d.is_empty() => {
                    let own_defs = schemas
                        .get(p)
                        .and_then(|s| s.pointer(&format!("/$defs/{}", super::escape(d))));
                    if own_defs.is_some() {
                        Loc::File(file_name(name))
                    } else {
                        Loc::Def(file_name(p), d.to_string())
                    }
                }
                _ => Loc::File(file_name(name)),
            };
            if let Loc::File(f) = &loc {
                if !used.insert(f.clone()) {
                    return Err(self.invalid(format!(
                        "components {name:?} and another component both become {f}"
                    )));
                }
            }
            self.locations.insert(name.clone(), loc);
        }
        for (name, schema) in schemas {
            let Some(loc) = self.locations.get(name).cloned() else {
                continue;
            };
            match loc {
                Loc::File(f) => {
                    let at = format!("components/schemas/{name}");
                    let Value::Object(mut root) = as_object(self.convert(schema, &f, &at)?) else {
                        continue;
                    };
                    let entry = self.files.entry(f.clone()).or_insert_with(|| json!({}));
                    if let Some(existing) = entry.as_object_mut() {
                        // `$defs` that `P.D` components put here before are kept.
                        if let Some(Value::Object(prior)) = existing.remove("$defs") {
                            let defs = root.entry("$defs").or_insert_with(|| json!({}));
                            if let Some(d) = defs.as_object_mut() {
                                for (k, v) in prior {
                                    d.entry(k).or_insert(v);
                                }
                            }
                        }
                        root.insert("$schema".into(), json!(DIALECT));
                        *existing = root;
                    }
                }
                Loc::Def(f, d) => {
                    let converted =
                        self.convert(schema, &f, &format!("components/schemas/{name}"))?;
                    let entry = self
                        .files
                        .entry(f.clone())
                        .or_insert_with(|| json!({ "$schema": DIALECT }));
                    if let Some(existing) = entry.as_object_mut() {
                        let defs = existing.entry("$defs").or_insert_with(|| json!({}));
                        if let Some(defs) = defs.as_object_mut() {
                            defs.insert(d, converted);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A schema of the document as JSON Schema 2020-12, in file `file`.
    fn convert(&mut self, schema: &Value, file: &str, at: &str) -> Result<Value, OpenApiError> {
        let mut s = schema.clone();
        self.walk_schema(&mut s, file, at)?;
        Ok(s)
    }

    fn walk_schema(&mut self, s: &mut Value, file: &str, at: &str) -> Result<(), OpenApiError> {
        let Some(map) = s.as_object_mut() else {
            return Ok(());
        };
        if let Some(Value::String(r)) = map.get("$ref") {
            let target = self.rewrite_ref(r, file, at)?;
            map.insert("$ref".into(), Value::String(target));
        }
        if map.remove("$id").is_some() {
            self.notes
                .push(format!("{at}: `$id` dropped (files are named by conform)"));
        }
        if self.v30 {
            upgrade_30(map);
        }
        for key in [
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ] {
            if let Some(Value::Object(children)) = map.get_mut(key) {
                for (k, child) in children.iter_mut() {
                    self.walk_schema(child, file, &format!("{at}/{key}/{k}"))?;
                }
            }
        }
        for key in [
            "items",
            "additionalProperties",
            "not",
            "if",
            "then",
            "else",
            "contains",
            "propertyNames",
            "unevaluatedItems",
            "unevaluatedProperties",
            "additionalItems",
        ] {
            if let Some(child) = map.get_mut(key) {
                if let Value::Array(items) = child {
                    for (i, c) in items.iter_mut().enumerate() {
                        self.walk_schema(c, file, &format!("{at}/{key}/{i}"))?;
                    }
                } else {
                    self.walk_schema(child, file, &format!("{at}/{key}"))?;
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(items)) = map.get_mut(key) {
                for (i, c) in items.iter_mut().enumerate() {
                    self.walk_schema(c, file, &format!("{at}/{key}/{i}"))?;
                }
            }
        }
        Ok(())
    }

    /// `#/components/schemas/N/rest` → a reference relative to `file`.
    fn rewrite_ref(&self, r: &str, file: &str, at: &str) -> Result<String, OpenApiError> {
        let Some(rest) = r.strip_prefix("#/components/schemas/") else {
            return Err(self.invalid(format!(
                "{at}: $ref {r:?} is not a reference to #/components/schemas (external and other references are not supported)"
            )));
        };
        let (name, pointer) = match rest.split_once('/') {
            Some((n, p)) => (unescape(n), format!("/{p}")),
            None => (unescape(rest), String::new()),
        };
        let Some(loc) = self.locations.get(&name) else {
            return Err(self.invalid(format!("{at}: $ref {r:?} names no component")));
        };
        let (target, pointer) = match loc {
            Loc::File(f) => (f.clone(), pointer),
            Loc::Def(f, d) => (f.clone(), format!("/$defs/{}{pointer}", super::escape(d))),
        };
        Ok(match (target == file, pointer.is_empty()) {
            (true, true) => "#".into(),
            (true, false) => format!("#{pointer}"),
            (false, true) => target,
            (false, false) => format!("{target}#{pointer}"),
        })
    }

    /// The file for a schema that appears inside an operation: the component's own file when
    /// the schema only references one, else a new file named `suggested`.
    fn schema_file(
        &mut self,
        schema: &Value,
        suggested: &str,
        at: &str,
    ) -> Result<String, OpenApiError> {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let only_ref = schema.as_object().is_some_and(|m| {
                m.keys()
                    .all(|k| matches!(k.as_str(), "$ref" | "description" | "summary"))
            });
            if let Some(Loc::File(f)) = r
                .strip_prefix("#/components/schemas/")
                .and_then(|n| self.locations.get(&unescape(n)))
            {
                if only_ref {
                    return Ok(f.clone());
                }
            }
        }
        let mut f = file_name(suggested);
        let mut n = 2;
        while self.files.contains_key(&f) {
            f = file_name(&format!("{suggested}-{n}"));
            n += 1;
        }
        let converted = self.convert(schema, &f, at)?;
        let mut root = as_object(converted);
        if let Some(m) = root.as_object_mut() {
            m.insert("$schema".into(), json!(DIALECT));
        }
        self.files.insert(f.clone(), root);
        Ok(f)
    }

    /// Follows a `#/components/<kind>/<name>` reference (parameters, request bodies, responses,
    /// examples), one level deep as OpenAPI allows.
    fn deref(&self, v: &'a Value, at: &str) -> Result<&'a Value, OpenApiError> {
        let mut cur = v;
        for _ in 0..8 {
            let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
                return Ok(cur);
            };
            let pointer = r
                .strip_prefix('#')
                .filter(|p| p.starts_with("/components/"));
            cur = pointer.and_then(|p| self.doc.pointer(p)).ok_or_else(|| {
                self.invalid(format!("{at}: $ref {r:?} does not resolve in the document"))
            })?;
        }
        Err(self.invalid(format!("{at}: $ref chain too long")))
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>, OpenApiError> {
        let doc = self.doc;
        let mut out = Vec::new();
        let mut ids = BTreeSet::new();
        let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
            return Ok(out);
        };
        for (path, item) in paths {
            let item = self.deref(item, &format!("paths/{path}"))?;
            let Some(item_map) = item.as_object() else {
                return Err(self.invalid(format!("paths/{path} is not an object")));
            };
            for method in METHODS {
                let Some(op) = item_map.get(method) else {
                    continue;
                };
                let at = format!("{} {path}", method.to_ascii_uppercase());
                if !op.is_object() {
                    return Err(self.invalid(format!("{at}: the operation is not an object")));
                }
                let o = Operation {
                    path,
                    method,
                    item,
                    op,
                    at,
                };
                let id = unique_id(&mut ids, operation_id(&o));
                if let Some(e) = self.endpoint(&o, id)? {
                    out.push(e);
                }
            }
        }
        Ok(out)
    }

    /// One operation as an endpoint, or None when conform leaves it out (noted).
    fn endpoint(
        &mut self,
        o: &Operation<'a>,
        id: String,
    ) -> Result<Option<Endpoint>, OpenApiError> {
        let ext = o.op.get(EXTENSION).cloned().unwrap_or(Value::Null);
        let doc = ext["doc"]
            .as_str()
            .or_else(|| o.op["summary"].as_str())
            .or_else(|| o.op["operationId"].as_str())
            .map(String::from)
            .unwrap_or_else(|| o.at.clone());
        let params = self.parameters(o, &id)?;
        let body = match self.request_body(o, &id)? {
            RequestBody::Json(file, examples) => Some((file, examples)),
            RequestBody::Absent => None,
            RequestBody::NotJson => return Ok(None),
        };
        let answers = self.answers(o, &id)?;
        Ok(Some(Endpoint {
            id,
            method: o.method.to_ascii_uppercase(),
            path: o.path.to_string(),
            doc,
            params,
            body,
            responses: answers.responses,
            errors: answers.errors,
            error_codes: answers.error_codes,
            public: needs_no_credential(o.op),
            ext,
        }))
    }

    /// The operation's parameters: the path item's, overridden by the operation's of the same
    /// name and place; those conform cannot send are left out.
    fn parameters(&mut self, o: &Operation<'a>, id: &str) -> Result<Vec<Param>, OpenApiError> {
        let mut merged: Vec<&Value> = Vec::new();
        for list in [o.item.get("parameters"), o.op.get("parameters")] {
            for p in list.and_then(Value::as_array).into_iter().flatten() {
                let p = self.deref(p, &o.at)?;
                let key = (p["name"].as_str(), p["in"].as_str());
                merged.retain(|q| (q["name"].as_str(), q["in"].as_str()) != key);
                merged.push(p);
            }
        }
        let mut params = Vec::new();
        for p in merged {
            if let Some(param) = self.parameter(p, &o.at, id)? {
                params.push(param);
            }
        }
        Ok(params)
    }

    /// One parameter with its schema file and the document's examples of it.
    fn parameter(&mut self, p: &Value, at: &str, id: &str) -> Result<Option<Param>, OpenApiError> {
        let (Some(name), Some(location)) = (p["name"].as_str(), p["in"].as_str()) else {
            return Err(self.invalid(format!("{at}: a parameter lacks `name` or `in`")));
        };
        let Some(location) = self.parameter_place(name, location, at) else {
            return Ok(None);
        };
        let schema = p
            .get("schema")
            .or_else(|| {
                p.get("content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().next())
                    .and_then(|m| m.get("schema"))
            })
            .cloned()
            .unwrap_or_else(|| json!({}));
        let file = self.schema_file(
            &schema,
            &format!("{id}-{name}"),
            &format!("{at} parameter {name}"),
        )?;
        let mut examples = self.written_examples(p, at)?;
        examples.extend(schema_examples(&schema));
        Ok(Some(Param {
            name: name.to_string(),
            location,
            file,
            required: location == ParamLocation::Path || p["required"].as_bool().unwrap_or(false),
            doc: p["description"].as_str().unwrap_or(name).to_string(),
            examples,
        }))
    }

    /// Where a parameter is sent; None for one conform leaves out.
    fn parameter_place(&mut self, name: &str, location: &str, at: &str) -> Option<ParamLocation> {
        match location {
            "path" => Some(ParamLocation::Path),
            "query" => Some(ParamLocation::Query),
            // OpenAPI: a header parameter named Accept, Content-Type or Authorization is
            // ignored (the media types and the security scheme say those).
            "header"
                if ["accept", "content-type", "authorization"]
                    .contains(&name.to_ascii_lowercase().as_str()) =>
            {
                None
            }
            "header" => Some(ParamLocation::Header),
            "cookie" => Some(ParamLocation::Cookie),
            other => {
                self.notes.push(format!(
                    "{at}: {other} parameter `{name}` left out (not a place OpenAPI names)"
                ));
                None
            }
        }
    }

    /// `example` and the values of `examples` of a parameter or a media type object.
    fn written_examples(&self, holder: &Value, at: &str) -> Result<Vec<Value>, OpenApiError> {
        let mut examples: Vec<Value> = holder.get("example").cloned().into_iter().collect();
        for e in holder
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.values())
        {
            if let Some(v) = self.deref(e, at)?.get("value") {
                examples.push(v.clone());
            }
        }
        Ok(examples)
    }

    /// The operation's request body, if it has one conform can send.
    fn request_body(&mut self, o: &Operation<'a>, id: &str) -> Result<RequestBody, OpenApiError> {
        let Some(rb) = o.op.get("requestBody") else {
            return Ok(RequestBody::Absent);
        };
        let rb = self.deref(rb, &o.at)?;
        let content = rb.get("content").and_then(Value::as_object);
        if let Some((_, media)) = content.and_then(json_media) {
            let (file, examples) = self.json_body(media, &o.at, id)?;
            return Ok(RequestBody::Json(file, examples));
        }
        if content.is_none_or(|c| c.is_empty()) {
            return Ok(RequestBody::Absent);
        }
        // An optional body that is not JSON on a method that seldom has one (Stripe's form
        // bodies on every GET): the operation is called without one. Elsewhere (an optional
        // upload) the body is the point, and the operation is left out.
        let at = &o.at;
        if !rb["required"].as_bool().unwrap_or(false)
            && matches!(o.method, "get" | "head" | "delete" | "options")
        {
            self.notes.push(format!(
                "{at}: its optional request body is not JSON; conform sends none"
            ));
            Ok(RequestBody::Absent)
        } else {
            self.notes.push(format!(
                "{at}: left out (its request body is not JSON; conform sends JSON bodies)"
            ));
            Ok(RequestBody::NotJson)
        }
    }

    /// A JSON request body's schema file and its examples (the media type's, the schema's and
    /// those of the component it references).
    fn json_body(
        &mut self,
        media: &Value,
        at: &str,
        id: &str,
    ) -> Result<(String, Vec<Value>), OpenApiError> {
        let schema = media.get("schema").cloned().unwrap_or_else(|| json!({}));
        let file = self.schema_file(
            &schema,
            &format!("{id}-request"),
            &format!("{at} request body"),
        )?;
        let mut examples = self.written_examples(media, at)?;
        examples.extend(schema_examples(&schema));
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(target) = r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                examples.extend(schema_examples(target));
            }
        }
        Ok((file, examples))
    }

    /// The operation's answers: its success responses, and its error answers for the suite's
    /// error schema. A success given only as the class 2XX, or none at all, is a decided 200.
    fn answers(&mut self, o: &Operation<'a>, id: &str) -> Result<Answers, OpenApiError> {
        let at = &o.at;
        let mut answers = Answers::default();
        let mut success_range = None;
        for (code, r) in
            o.op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
        {
            let r = self.deref(r, at)?;
            let doc = r["description"].as_str().unwrap_or(code).to_string();
            let media = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(json_media);
            let numeric = code.parse::<u16>().ok().filter(|c| (100..600).contains(c));
            if is_error_status(code, numeric) {
                answers.error_codes.push(code.clone());
                if let Some((media_type, m)) = media {
                    let schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
                    answers
                        .errors
                        .push((schema, media_type.to_string(), doc, code.clone()));
                }
                continue;
            }
            // What an export left to the extension: a decided code, a body the document
            // does not show (its schema only advises), the document's words.
            let x = r.get(EXTENSION).cloned().unwrap_or(Value::Null);
            let status = match (x["code"].as_str(), numeric) {
                (Some(c), _) => c.to_string(),
                (None, Some(c)) => c.to_string(),
                (None, None) if code.eq_ignore_ascii_case("2XX") => {
                    success_range = Some((doc, media.map(|(t, m)| (t.to_string(), m.clone()))));
                    continue;
                }
                (None, None) => continue,
            };
            let spec = self.success_response(r, &x, media, doc, &status, at, id)?;
            answers.responses.insert(status, spec);
        }
        if !answers.responses.keys().any(|c| c.starts_with('2')) {
            if let Some((doc, media)) = success_range {
                let spec = self.range_success(doc, media, at, id)?;
                answers.responses.insert("200".into(), spec);
            }
        }
        if answers.responses.is_empty() {
            let spec = self.undocumented_success(at);
            answers.responses.insert("200".into(), spec);
        }
        Ok(answers)
    }

    /// A documented success answer with a code: its schema file (the body's, the extension's,
    /// else any body) and what the document or the extension says of it.
    #[allow(clippy::too_many_arguments)]
    fn success_response(
        &mut self,
        r: &Value,
        x: &Value,
        media: Option<(&str, &Value)>,
        doc: String,
        status: &str,
        at: &str,
        id: &str,
    ) -> Result<ResponseSpec, OpenApiError> {
        let suggested = format!("{id}-{status}");
        let at = format!("{at} response {status}");
        let (schema, media_type) = match (media, x["schema"].as_object()) {
            (Some((t, m)), _) => {
                let schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
                let f = self.schema_file(&schema, &suggested, &at)?;
                (f, (t != "application/json").then(|| t.to_string()))
            }
            (None, Some(schema)) => {
                let f = self.schema_file(&Value::Object(schema.clone()), &suggested, &at)?;
                (f, x["media_type"].as_str().map(String::from))
            }
            (None, None) => (self.any_schema(), None),
        };
        let said = |key: &str| x[key].as_str().map(String::from);
        let body_decided = media.is_none().then(|| NO_BODY_SHOWN.to_string());
        let mut spec = ResponseSpec {
            schema,
            media_type,
            doc,
            quote: said("quote"),
            status_decided: said("status_decided"),
            body_decided: said("body_decided").or(body_decided),
        };
        // A team's own document: the answer's description is its words for this answer.
        if x.is_null() {
            if let Some(d) = r["description"]
                .as_str()
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                spec.quote = Some(d.to_string());
            }
        }
        Ok(spec)
    }

    /// The success answer of an operation that documents only the class 2XX, as a decided 200.
    fn range_success(
        &mut self,
        doc: String,
        media: Option<(String, Value)>,
        at: &str,
        id: &str,
    ) -> Result<ResponseSpec, OpenApiError> {
        let (schema, media_type) = match media {
            Some((t, m)) => {
                let schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
                let f =
                    self.schema_file(&schema, &format!("{id}-200"), &format!("{at} response 2XX"))?;
                (f, (t != "application/json").then_some(t))
            }
            None => (self.any_schema(), None),
        };
        let body_decided =
            (media_type.is_none() && schema == "any.json").then(|| NO_BODY_SHOWN.to_string());
        Ok(ResponseSpec {
            schema,
            media_type,
            doc,
            quote: None,
            status_decided: Some(
                "the document names the class 2XX, not a code: any 2xx conforms".into(),
            ),
            body_decided,
        })
    }

    /// The success answer of an operation that documents none: any 2xx, any body or none.
    fn undocumented_success(&mut self, at: &str) -> ResponseSpec {
        self.notes.push(format!(
            "{at}: the document gives no success answer; any 2xx with any body or none conforms"
        ));
        ResponseSpec {
            schema: self.any_schema(),
            media_type: None,
            doc: "no success answer documented".into(),
            quote: None,
            status_decided: Some("the document gives no success answer: any 2xx conforms".into()),
            body_decided: Some(NO_BODY_SHOWN.into()),
        }
    }

    /// Notes every example of the document that breaks its own schema ("document problem"),
    /// reading `readOnly` / `writeOnly` as OpenAPI does: a request example need not hold a
    /// readOnly property, an answer's need not hold a writeOnly one.
    fn example_problems(&mut self) {
        use super::access::{relaxed, Side};
        let mut found = Vec::new();
        for (side, request) in [(Side::Request, true), (Side::Response, false)] {
            match super::example_violations(&relaxed(self.doc, side)) {
                Ok(v) => found.extend(
                    v.into_iter()
                        .filter(|at| at.contains("/responses/") != request),
                ),
                Err(e) => {
                    self.notes.push(format!(
                        "document problem: its examples could not be checked: {e}"
                    ));
                    return;
                }
            }
        }
        for v in found {
            self.notes.push(format!(
                "document problem: the example at {v} (never sent as a valid request)"
            ));
        }
    }

    /// Points request bodies at copies without `readOnly` properties and answers at copies
    /// that do not require `writeOnly` ones ([`super::access`]).
    fn access_copies(&mut self, endpoints: &mut [Endpoint]) {
        use super::access::{copies, Side};
        let (request, a) = copies(&self.files, Side::Request);
        let (response, b) = copies(&self.files, Side::Response);
        let mut used = BTreeSet::new();
        for e in endpoints.iter_mut() {
            if let Some((file, _)) = &mut e.body {
                if let Some(copy) = request.get(file.as_str()) {
                    used.insert(copy.clone());
                    *file = copy.clone();
                }
            }
            for spec in e.responses.values_mut() {
                if let Some(copy) = response.get(spec.schema.as_str()) {
                    used.insert(copy.clone());
                    spec.schema = copy.clone();
                }
            }
        }
        // A copy is kept when an endpoint uses it, or a kept copy refers to it.
        let all: BTreeMap<String, Value> = a.into_iter().chain(b).collect();
        let mut keep = used.clone();
        loop {
            let before = keep.len();
            for f in keep.clone() {
                let text = all.get(&f).map(Value::to_string).unwrap_or_default();
                keep.extend(
                    all.keys()
                        .filter(|c| text.contains(&format!("\"{c}")))
                        .cloned(),
                );
            }
            if keep.len() == before {
                break;
            }
        }
        for (f, v) in all {
            if keep.contains(&f) {
                self.files.insert(f, v);
            }
        }
        if !used.is_empty() {
            self.notes.push(format!(
                "readOnly properties are left out of request bodies and writeOnly ones are not required in answers: {}",
                used.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }

    /// A schema file that accepts any body (answers the document gives no schema for).
    fn any_schema(&mut self) -> String {
        let f = "any.json".to_string();
        self.files.entry(f.clone()).or_insert_with(|| {
            json!({ "$schema": DIALECT, "description": "Any body: the document gives no schema for this answer." })
        });
        f
    }

    /// A part of the suite that the document's `x-conform` extension (an export) carries as
    /// JSON, as its type; `what` names it in the message when it does not fit.
    fn extension_part<T: DeserializeOwned>(
        &self,
        what: &str,
        v: &Value,
    ) -> Result<T, OpenApiError> {
        serde_json::from_value(v.clone())
            .map_err(|e| self.invalid(format!("{EXTENSION} {what}: {e}")))
    }

    /// The suite's auth: the extension's, else the first security scheme of the document's
    /// requirements that conform can present (bearer, basic, an API key in a header, the query
    /// or a cookie; OAuth2 and OpenID Connect as the bearer token the operator gives), else
    /// none (the operator's `-H` headers still go on every request).
    fn auth(&mut self, endpoints: &[Endpoint]) -> Result<AuthSpec, OpenApiError> {
        if let Some(a) = self
            .root_ext()
            .and_then(|e| e.get("auth"))
            .filter(|a| a.is_object())
        {
            return self.extension_part("auth", a);
        }
        let names = self.security_requirements();
        if names.is_empty() {
            self.notes.push(
                "the document names no security requirement: no auth cases; give a credential with -H if the target wants one"
                    .into(),
            );
            return Ok(no_auth());
        }
        // 401 is stated where every operation that needs the credential documents it.
        let documented_401 = endpoints
            .iter()
            .filter(|e| !e.public)
            .all(|e| e.error_codes.iter().any(|c| c == "401"));
        let schemes = self
            .doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let mut unsupported = Vec::new();
        for name in &names {
            let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
                return Err(self.invalid(format!(
                    "security scheme {name:?} is not in components/securitySchemes"
                )));
            };
            let scheme = self.deref(scheme, "components/securitySchemes")?;
            let Some(mut spec) = presentable_auth(name, scheme) else {
                let ty = scheme["type"].as_str().unwrap_or("");
                let http_scheme = scheme["scheme"].as_str().unwrap_or("").to_ascii_lowercase();
                unsupported.push(format!("{name} ({ty} {http_scheme})"));
                continue;
            };
            if !documented_401 {
                spec.status_decided = Some(
                    "the document names no status for a refused credential for every operation: 401 is HTTP's (RFC 9110), any 4xx conforms".into(),
                );
            }
            if names.len() > 1 {
                self.notes.push(format!(
                    "the document names {} security schemes; conform presents `{name}`",
                    names.len()
                ));
            }
            return Ok(spec);
        }
        Err(self.invalid(format!(
            "no security scheme conform can present (bearer, basic, API key in a header, query or cookie, OAuth2/OpenID Connect token) among: {}",
            unsupported.join(", ")
        )))
    }

    /// The security schemes the document's requirements name (its own, then its operations'),
    /// in order of first mention.
    fn security_requirements(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut push = |req: &Value| {
            for r in req.as_array().into_iter().flatten() {
                for k in r.as_object().into_iter().flat_map(|m| m.keys()) {
                    if !names.contains(k) {
                        names.push(k.clone());
                    }
                }
            }
        };
        if let Some(s) = self.doc.get("security") {
            push(s);
        }
        for item in self.doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for m in METHODS {
                if let Some(s) = item.get(m).and_then(|op| op.get("security")) {
                    push(s);
                }
            }
        }
        names
    }

    /// The error spec: the extension's, else the error answer the operations document most
    /// (401 first).
    fn errors(&mut self, endpoints: &[Endpoint]) -> Result<ErrorSpec, OpenApiError> {
        if let Some(e) = self
            .root_ext()
            .and_then(|x| x.get("errors"))
            .filter(|e| e.is_object())
        {
            if let Some(schema) = e["schema"].as_str() {
                if self.files.contains_key(schema) {
                    return self.extension_part("errors", e);
                }
            }
        }
        let counts = error_body_counts(endpoints);
        let best = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (c.4, c.3, usize::MAX - i))
            .map(|(_, c)| c.clone());
        let Some((schema, media, doc, _, _)) = best else {
            return Ok(self.no_error_body());
        };
        if counts.len() > 1 {
            self.notes.push(format!(
                "the operations document {} different error bodies; the most common one is the error schema",
                counts.len()
            ));
        }
        self.error_choice = Some((schema.clone(), media.clone()));
        let file = self.schema_file(&schema, "error", "error answer")?;
        // The body is stated for the statuses the document shows it for (every status, for a
        // `default` answer); for any other error status it is the contract's reading, so an
        // answer the document never describes (a 405, a 404 after a delete) only advises.
        let answers = endpoints.iter().flat_map(|e| &e.errors);
        let stated_for = statuses_showing(answers, &schema, &media).map(|shown| {
            let mut distinct: Vec<StatusPattern> = Vec::new();
            for p in shown {
                if !distinct.contains(&p) {
                    distinct.push(p);
                }
            }
            distinct
        });
        Ok(ErrorSpec {
            schema: file,
            media_type: (media != "application/json").then_some(media),
            body_optional: false,
            doc,
            quote: None,
            decided: stated_for.is_some().then(|| {
                "the document shows this error body for some statuses only; for the others any body or none conforms".into()
            }),
            stated_for: stated_for.unwrap_or_default(),
            media_type_decided: None,
        })
    }

    /// The error spec of a document that describes no error body: status only.
    fn no_error_body(&mut self) -> ErrorSpec {
        self.notes.push(
            "the document describes no error body: error answers are checked for status only"
                .into(),
        );
        let f = if self.files.contains_key("error.json") {
            "conform-error.json".to_string()
        } else {
            "error.json".to_string()
        };
        self.files.insert(
            f.clone(),
            json!({ "$schema": DIALECT, "description": "Any error body, or none: the document describes no error answer." }),
        );
        ErrorSpec {
            schema: f,
            media_type: None,
            body_optional: true,
            doc: "no error answer documented".into(),
            quote: None,
            decided: None,
            stated_for: vec![],
            media_type_decided: None,
        }
    }

    fn negative(&self, endpoints: &[Endpoint]) -> Result<NegativeSpec, OpenApiError> {
        if let Some(n) = self.root_ext().and_then(|x| x.get("negative")) {
            return self.extension_part("negative", n);
        }
        let with_input: Vec<&Endpoint> = endpoints
            .iter()
            .filter(|e| e.body.is_some() || !e.params.is_empty())
            .collect();
        if with_input.is_empty() {
            return Ok(NegativeSpec::default());
        }
        for code in ["400", "422"] {
            let docs: Vec<&str> = with_input
                .iter()
                .filter_map(|e| e.errors.iter().find(|x| x.3 == code).map(|x| x.2.as_str()))
                .collect();
            if docs.len() == with_input.len() {
                return Ok(NegativeSpec {
                    status: vec![code.parse::<u16>().unwrap_or(400)],
                    doc: docs[0].to_string(),
                    quote: None,
                    decided: None,
                });
            }
        }
        Ok(NegativeSpec::default())
    }

    /// The suite: the document's title and auth, every endpoint with its example request, the
    /// cases, and the variables those use.
    fn suite(
        &mut self,
        name: &str,
        auth: AuthSpec,
        errors: ErrorSpec,
        endpoints: &[Endpoint],
        schemas: &SchemaSet,
    ) -> Result<SuiteFile, OpenApiError> {
        // Examples first: they decide which variables the suite needs.
        let mut wanted = BTreeMap::new();
        let examples = self.examples(endpoints, schemas, &mut wanted)?;
        let cases = self.cases(endpoints, &examples)?;
        let specs = endpoints
            .iter()
            .zip(examples)
            .map(|(e, ex)| self.endpoint_spec(e, ex))
            .collect::<Result<Vec<_>, _>>()?;
        let variables = self.variables(&auth, &specs, &cases, wanted)?;
        Ok(SuiteFile {
            name: name.to_string(),
            title: self.title(name),
            document: self.document_name(),
            auth,
            variables,
            errors,
            status_tables: self.status_tables()?,
            negative: self.negative(endpoints)?,
            endpoints: specs,
            cases,
        })
    }

    /// The suite file's text: a header naming where it came from, then the suite as TOML.
    fn suite_text(&self, suite: &SuiteFile) -> Result<String, OpenApiError> {
        let body = toml::to_string(suite)
            .map_err(|e| self.invalid(format!("the suite cannot be written in TOML: {e}")))?;
        Ok(format!(
            "# Imported by `conform import openapi` from {} (OpenAPI {}).\n\
             # Contracts are data: edit this file and the schemas beside it freely.\n{body}",
            self.origin,
            self.doc["openapi"].as_str().unwrap_or("3")
        ))
    }

    fn title(&self, name: &str) -> String {
        self.doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string()
    }

    /// The source document the suite names: the extension's, else the one read.
    fn document_name(&self) -> String {
        self.root_ext()
            .and_then(|r| r["document"].as_str())
            .map(String::from)
            .unwrap_or_else(|| self.origin.clone())
    }

    /// The extension's status tables (a document of its own has none).
    fn status_tables(&self) -> Result<Vec<StatusTableSpec>, OpenApiError> {
        match self.root_ext().and_then(|r| r.get("status_tables")) {
            Some(t) if t.is_array() => self.extension_part("status_tables", t),
            _ => Ok(vec![]),
        }
    }

    /// Each endpoint's example request: the extension's, else one made from the document
    /// ([`Self::example`]), which records the variables it needs in `wanted`.
    fn examples(
        &mut self,
        endpoints: &[Endpoint],
        schemas: &SchemaSet,
        wanted: &mut BTreeMap<String, VariableSpec>,
    ) -> Result<Vec<Option<ExampleSpec>>, OpenApiError> {
        let mut examples = Vec::new();
        for e in endpoints {
            let ex = match e.ext.get("example") {
                Some(x) => Some(self.extension_part(&format!("example of {}", e.id), x)?),
                None => self.example(e, schemas, wanted)?,
            };
            examples.push(ex);
        }
        Ok(examples)
    }

    /// The suite's cases: the extension's, else a plain request per operation that gets one
    /// and the document's flows.
    fn cases(
        &mut self,
        endpoints: &[Endpoint],
        examples: &[Option<ExampleSpec>],
    ) -> Result<Vec<CaseSpec>, OpenApiError> {
        let mut cases: Vec<CaseSpec> = Vec::new();
        // A document `export` wrote brings its own cases; the importer makes none beside them.
        let exported = endpoints.iter().any(|e| !e.ext.is_null());
        for (e, ex) in endpoints.iter().zip(examples) {
            match e.ext.get("cases").filter(|c| c.is_array()) {
                Some(cs) => {
                    let written: Vec<CaseSpec> =
                        self.extension_part(&format!("cases of {}", e.id), cs)?;
                    cases.extend(written);
                }
                None if !exported => cases.extend(plain_request_case(e, ex.as_ref())),
                None => {}
            }
        }
        if !exported {
            for c in self.flows(endpoints, examples, &cases) {
                let case = serde_json::from_value(c)
                    .map_err(|e| self.invalid(format!("a flow case is not a suite case: {e}")))?;
                cases.push(case);
            }
        }
        Ok(cases)
    }

    /// An endpoint as the suite says it.
    fn endpoint_spec(
        &self,
        e: &Endpoint,
        example: Option<ExampleSpec>,
    ) -> Result<EndpointSpec, OpenApiError> {
        Ok(EndpointSpec {
            id: e.id.clone(),
            method: e.method.clone(),
            path: e.path.clone(),
            doc: e.doc.clone(),
            quote: None,
            params: e.params.iter().map(Param::spec).collect(),
            body: e.body.as_ref().map(|(file, _)| file.clone()),
            responses: e.responses.clone(),
            example,
            generate: self.generate(e)?,
            public: e.public,
            declared: e
                .error_codes
                .iter()
                .filter(|c| c.as_str() != "default")
                .cloned()
                .collect(),
            error_bodies: self.error_bodies(e),
        })
    }

    /// The generators' settings of an endpoint: the extension's; no positive bodies for one
    /// whose body holds state-bound values; else the defaults.
    fn generate(&self, e: &Endpoint) -> Result<GenerateSpec, OpenApiError> {
        if let Some(g) = e.ext.get("generate") {
            return self.extension_part(&format!("generate of {}", e.id), g);
        }
        let Some(fields) = self.state_bound.get(&e.id) else {
            return Ok(GenerateSpec::default());
        };
        Ok(GenerateSpec {
            positive: false,
            reason: format!(
                "the values of {} depend on the target's state: a generated one is refused by a correct server",
                fields.join(", ")
            ),
            ..GenerateSpec::default()
        })
    }

    /// The error statuses of an imported operation whose body its document shows (None: every
    /// status, or the extension's contract, where the suite's `[errors]` says).
    fn error_bodies(&self, e: &Endpoint) -> Option<Vec<StatusPattern>> {
        let (schema, media) = self.error_choice.as_ref()?;
        if !e.ext.is_null() {
            return None;
        }
        statuses_showing(&e.errors, schema, media)
    }

    /// The suite's variables: the credential, and every `${...}` that neither a capture nor
    /// `each` binds; the extension's declaration, else what the examples wanted, else a plain
    /// description.
    fn variables(
        &self,
        auth: &AuthSpec,
        endpoints: &[EndpointSpec],
        cases: &[CaseSpec],
        wanted: BTreeMap<String, VariableSpec>,
    ) -> Result<BTreeMap<String, VariableSpec>, OpenApiError> {
        let mut refs = References::default();
        refs.endpoints(endpoints);
        refs.cases(cases);
        if !auth.variable.is_empty() {
            refs.used.insert(auth.variable.clone());
        }
        let declared = self
            .root_ext()
            .and_then(|r| r.get("variables"))
            .and_then(Value::as_object);
        let mut variables = BTreeMap::new();
        for r in refs.used.difference(&refs.bound) {
            let spec = match declared.and_then(|d| d.get(r)) {
                Some(d) => self.extension_part(&format!("variable {r}"), d)?,
                None => wanted
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| plain_variable(r, auth)),
            };
            variables.insert(r.clone(), spec);
        }
        Ok(variables)
    }

    /// The document's relations between requests as cases ([`super::flows`]): links, inferred
    /// resource sequences, probes of undocumented methods.
    fn flows(
        &mut self,
        endpoints: &[Endpoint],
        examples: &[Option<ExampleSpec>],
        cases: &[CaseSpec],
    ) -> Vec<Value> {
        let examples: Vec<Option<Value>> = examples
            .iter()
            .map(|ex| ex.as_ref().and_then(|x| serde_json::to_value(x).ok()))
            .collect();
        let ops: Vec<super::flows::Op<'_>> = endpoints
            .iter()
            .zip(&examples)
            .filter_map(|(e, ex)| {
                Some(super::flows::Op {
                    id: &e.id,
                    method: &e.method,
                    path: &e.path,
                    success: e
                        .responses
                        .keys()
                        .filter_map(|c| c.parse::<u16>().ok())
                        .filter(|c| (200..300).contains(c))
                        .collect(),
                    example: ex.as_ref(),
                    body_from_document: e.body.as_ref().is_some_and(|(_, candidates)| {
                        ex.as_ref()
                            .and_then(|x| x.get("body"))
                            .is_some_and(|b| candidates.contains(b))
                    }),
                    raw: super::flows::operation(self.doc, &e.path, &e.method)?,
                })
            })
            .collect();
        let taken = cases.iter().map(|c| c.name.clone()).collect();
        let (out, notes) = super::flows::cases(self.doc, &ops, &taken);
        self.notes.extend(notes);
        out
    }

    /// A valid example request for an endpoint the extension says nothing about. Path
    /// parameters (and required query parameters without a valid example) become variables,
    /// recorded in `wanted`.
    fn example(
        &mut self,
        e: &Endpoint,
        schemas: &SchemaSet,
        wanted: &mut BTreeMap<String, VariableSpec>,
    ) -> Result<Option<ExampleSpec>, OpenApiError> {
        let params = example_params(e, schemas, wanted);
        let body = e
            .body
            .as_ref()
            .map(|(file, candidates)| self.example_body(e, file, candidates, schemas, wanted));
        Ok(
            (!params.is_empty() || body.is_some()).then_some(ExampleSpec {
                auth: None,
                params,
                body,
            }),
        )
    }

    /// The example body of an endpoint: the document's first valid one, else one made from
    /// the schema, else a variable; its state-bound fields become variables.
    fn example_body(
        &mut self,
        e: &Endpoint,
        file: &str,
        candidates: &[Value],
        schemas: &SchemaSet,
        wanted: &mut BTreeMap<String, VariableSpec>,
    ) -> Value {
        let found = candidates
            .iter()
            .find(|v| schemas.validate(file, v).is_ok() && toml_can_hold(v))
            .cloned();
        let from_document = found.is_some();
        let body = match found.or_else(|| synthesize(schemas, file, &e.id)) {
            Some(b) => b,
            None => {
                let var = format!("{}_body", variable_name(&e.id));
                self.notes.push(format!(
                    "{} {}: no valid example body could be found or made; give one as `{var}` (an inline table) in the config",
                    e.method, e.path
                ));
                wanted.entry(var.clone()).or_insert_with(|| {
                    described(format!(
                        "a valid JSON body for {} {} (a TOML table)",
                        e.method, e.path
                    ))
                });
                json!(format!("${{{var}}}"))
            }
        };
        self.bind_state(e, body, from_document, wanted)
    }
}

/// The example request's parameters: path parameters (and required query parameters without
/// a valid example) as variables, recorded in `wanted`; other required ones as their example.
fn example_params(
    e: &Endpoint,
    schemas: &SchemaSet,
    wanted: &mut BTreeMap<String, VariableSpec>,
) -> BTreeMap<String, Value> {
    let mut params = BTreeMap::new();
    for p in &e.params {
        let hint = p
            .examples
            .first()
            .map(|v| format!(" (the document's example: {})", template::as_text(v)))
            .unwrap_or_default();
        if p.location == ParamLocation::Path {
            let var = variable_name(&p.name);
            let entry = wanted.entry(var.clone()).or_insert_with(|| {
                described(format!(
                    "an existing `{}` on the target{hint}; used in",
                    p.name
                ))
            });
            entry.description = format!("{} {} {}", entry.description, e.method, e.path);
            params.insert(p.name.clone(), json!(format!("${{{var}}}")));
        } else if p.required {
            let valid_example = p.examples.iter().find(|v| {
                let text = template::as_text(v);
                schemas.validate(&p.file, &param_as_json(&text)).is_ok() && toml_can_hold(v)
            });
            let value = match valid_example {
                Some(v) => v.clone(),
                None => {
                    let var = variable_name(&p.name);
                    wanted.entry(var.clone()).or_insert_with(|| {
                        described(format!("a valid `{}` query parameter{hint}", p.name))
                    });
                    json!(format!("${{{var}}}"))
                }
            };
            params.insert(p.name.clone(), value);
        }
    }
    params
}

/// The variables a suite's requests use (`used`) and those its captures and `each` bind.
struct References {
    used: BTreeSet<String>,
    bound: BTreeSet<String>,
}

impl Default for References {
    fn default() -> Self {
        References {
            used: BTreeSet::new(),
            bound: BTreeSet::from(["request".to_string()]),
        }
    }
}

impl References {
    fn endpoints(&mut self, endpoints: &[EndpointSpec]) {
        for e in endpoints {
            if let Some(ex) = &e.example {
                self.request(&ex.params, ex.body.as_ref(), ex.auth.as_deref());
            }
            for s in e.generate.before.iter().chain(&e.generate.restore) {
                self.step(s);
            }
        }
    }

    fn cases(&mut self, cases: &[CaseSpec]) {
        for c in cases {
            if let Some(each) = &c.each {
                self.used.insert(each.variable.clone());
                self.bound.insert(each.bind.clone());
            }
            for s in &c.steps {
                self.step(s);
            }
        }
    }

    fn step(&mut self, s: &StepSpec) {
        self.request(&s.params, s.body.as_ref(), s.auth.as_deref());
        self.bound.extend(s.capture.keys().cloned());
    }

    fn request(
        &mut self,
        params: &BTreeMap<String, Value>,
        body: Option<&Value>,
        auth: Option<&str>,
    ) {
        for v in params.values().chain(body) {
            self.used.extend(template::references(v));
        }
        if let Some(a) = auth.filter(|a| *a != "none") {
            self.used.insert(a.to_string());
        }
    }
}

impl Importer<'_> {
    /// Fields of an example body whose valid values depend on the target's state (passwords,
    /// codes, OTPs, tokens) become variables: the operator's `--var`, else the document's
    /// example (or the made-up value) as the variable's default. Positive bodies are not
    /// generated for such an endpoint: a random password is refused by every correct server,
    /// and a right one with a random new password would change the account.
    fn bind_state(
        &mut self,
        e: &Endpoint,
        body: Value,
        from_document: bool,
        wanted: &mut BTreeMap<String, VariableSpec>,
    ) -> Value {
        let Value::Object(mut map) = body else {
            return body;
        };
        let mut bound = Vec::new();
        for (field, value) in map.iter_mut() {
            if !is_state_bound(field) || value.is_object() || value.is_array() || value.is_null() {
                continue;
            }
            let var = variable_name(field);
            let origin = if from_document {
                "the document's example"
            } else {
                "a made-up value: give the target's"
            };
            let entry = wanted.entry(var.clone()).or_insert_with(|| VariableSpec {
                description: format!(
                    "`{field}` of {} {}, whose valid value depends on the target's state (default: {origin})",
                    e.method, e.path
                ),
                secret: is_secret_name(field),
                optional: true,
                default: None,
            });
            entry.default.get_or_insert_with(|| value.clone());
            *value = json!(format!("${{{var}}}"));
            bound.push(field.clone());
        }
        if !bound.is_empty() {
            self.notes.push(format!(
                "{} {}: the values of {} depend on the target's state: taken from --var, else the document's example; no generated valid bodies",
                e.method,
                e.path,
                bound.join(", ")
            ));
            self.state_bound.insert(e.id.clone(), bound);
        }
        Value::Object(map)
    }
}

impl Param {
    /// The parameter as the suite says it.
    fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name.clone(),
            location: self.location,
            schema: self.file.clone(),
            required: self.required,
            doc: self.doc.clone(),
            quote: None,
        }
    }
}

/// The auth of a document that names no security requirement.
fn no_auth() -> AuthSpec {
    AuthSpec {
        scheme: AuthScheme::None,
        name: None,
        variable: String::new(),
        doc: "no security requirement".into(),
        quote: None,
        status_decided: None,
    }
}

/// The security scheme `name` as the suite's auth, if conform can present it.
fn presentable_auth(name: &str, scheme: &Value) -> Option<AuthSpec> {
    let doc = scheme["description"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| format!("securitySchemes > {name}"));
    let ty = scheme["type"].as_str().unwrap_or("");
    let http_scheme = scheme["scheme"].as_str().unwrap_or("").to_ascii_lowercase();
    let key_name = scheme["name"].as_str().unwrap_or("");
    let (scheme, name, variable) = match (ty, http_scheme.as_str(), scheme["in"].as_str()) {
        ("http", "bearer", _) | ("oauth2" | "openIdConnect", _, _) => {
            (AuthScheme::Bearer, None, "token")
        }
        ("http", "basic", _) => (AuthScheme::Basic, None, "credentials"),
        ("apiKey", _, Some(place)) if !key_name.is_empty() => {
            let scheme = match place {
                "header" => AuthScheme::Header,
                "query" => AuthScheme::Query,
                "cookie" => AuthScheme::Cookie,
                _ => return None,
            };
            (scheme, Some(key_name.to_string()), "token")
        }
        _ => return None,
    };
    Some(AuthSpec {
        scheme,
        name,
        variable: variable.into(),
        doc,
        quote: None,
        status_decided: None,
    })
}

/// The distinct error bodies the operations document: (schema, media type, the first
/// description, how many answers have it, whether a 401 has it).
fn error_body_counts(endpoints: &[Endpoint]) -> Vec<(Value, String, String, usize, bool)> {
    let mut counts: Vec<(Value, String, String, usize, bool)> = Vec::new();
    for e in endpoints {
        for (schema, media, doc, code) in &e.errors {
            match counts.iter_mut().find(|c| &c.0 == schema && &c.1 == media) {
                Some(c) => {
                    c.3 += 1;
                    c.4 |= code == "401";
                }
                None => counts.push((schema.clone(), media.clone(), doc.clone(), 1, code == "401")),
            }
        }
    }
    counts
}

/// The statuses (codes, or classes like "4xx") of the answers that show the error body
/// `schema` as `media`; None when a `default` answer shows it (for every status).
fn statuses_showing<'e>(
    answers: impl IntoIterator<Item = &'e ErrorAnswer>,
    schema: &Value,
    media: &str,
) -> Option<Vec<StatusPattern>> {
    let mut shown = Vec::new();
    let mut everywhere = false;
    for (s, m, _, code) in answers {
        if s != schema || m != media {
            continue;
        }
        match code.parse::<u16>() {
            Ok(c) => shown.push(StatusPattern::Code(c)),
            Err(_) if code.len() == 3 && code[1..].eq_ignore_ascii_case("xx") => {
                shown.push(StatusPattern::Class(code.to_ascii_lowercase()))
            }
            Err(_) => everywhere = true,
        }
    }
    (!everywhere).then_some(shown)
}

/// A variable with nothing but a description.
fn described(description: String) -> VariableSpec {
    VariableSpec {
        description,
        secret: false,
        optional: false,
        default: None,
    }
}

/// A variable no example or declaration describes: the credential, or a plain value.
fn plain_variable(name: &str, auth: &AuthSpec) -> VariableSpec {
    if name == auth.variable {
        VariableSpec {
            secret: true,
            ..described(credential_description(auth))
        }
    } else {
        described(format!("a value for `{name}`"))
    }
}

/// Whether TOML can hold a JSON value: it has no null, and its integers are i64.
fn toml_can_hold(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Number(n) => !(n.is_u64() && n.as_i64().is_none()),
        Value::Array(items) => items.iter().all(toml_can_hold),
        Value::Object(map) => map.values().all(toml_can_hold),
        Value::Bool(_) | Value::String(_) => true,
    }
}

/// The one-request case of an operation the generators have nothing to vary for, if it gets
/// one: a GET, with the example request, must answer a documented success; an action with no
/// body on a named object (restart a kernel, checkpoint a file) is held to no server error and
/// the documented answers' shapes, and since whether it succeeds depends on the object the
/// path names, any 2xx or 4xx is the expectation. An action on no named object (`POST
/// /users/disable`) may be the account's own, ending the credential the rest of the run needs:
/// it is not sent.
fn plain_request_case(e: &Endpoint, example: Option<&ExampleSpec>) -> Option<CaseSpec> {
    let mut step = StepSpec {
        endpoint: e.id.clone(),
        ..StepSpec::default()
    };
    let description = if e.method == "GET" {
        format!(
            "{} {} with the example request answers a documented success",
            e.method, e.path
        )
    } else if e.body.is_none()
        && matches!(e.method.as_str(), "POST" | "PUT" | "PATCH")
        && e.path.contains('{')
    {
        step.expect = vec![
            StatusPattern::Class("2xx".into()),
            StatusPattern::Class("4xx".into()),
        ];
        step.expect_decided = Some(
            "whether the action succeeds depends on the target's state (the object its path names): a refusal conforms".into(),
        );
        format!(
            "{} {} without a body (the document gives it none) answers without a server error",
            e.method, e.path
        )
    } else {
        return None;
    };
    if let Some(ex) = example {
        step.params = ex.params.clone();
    }
    Some(CaseSpec {
        name: e.id.clone(),
        description,
        doc: e.doc.clone(),
        steps: vec![step],
        ..CaseSpec::default()
    })
}

/// Whether a body field's valid values depend on the target's state (its name says so).
fn is_state_bound(field: &str) -> bool {
    let n: String = field
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    const EXACT: [&str; 6] = ["otp", "totp", "pin", "code", "passcode", "mfacode"];
    const PARTS: [&str; 5] = ["password", "passwd", "secret", "token", "otp"];
    const CODES: [&str; 7] = [
        "securitycode",
        "verificationcode",
        "authcode",
        "smscode",
        "confirmationcode",
        "twofactorcode",
        "validationcode",
    ];
    EXACT.contains(&n.as_str())
        || PARTS.iter().any(|p| n.contains(p))
        || CODES.iter().any(|c| n.ends_with(c))
        // `oldPass`, `newPass`.
        || n.ends_with("pass")
}

fn is_secret_name(field: &str) -> bool {
    let n = field.to_ascii_lowercase();
    ["password", "passwd", "secret", "token"]
        .iter()
        .any(|p| n.contains(p))
}

fn credential_description(auth: &AuthSpec) -> String {
    let name = auth.name.as_deref().unwrap_or("");
    match auth.scheme {
        AuthScheme::Header => format!("API key sent as the {name} header"),
        AuthScheme::Query => format!("API key sent as the {name} query parameter"),
        AuthScheme::Cookie => format!("API key sent as the {name} cookie"),
        AuthScheme::Basic => "user:password, sent with the Basic scheme".into(),
        _ => "Bearer access token".into(),
    }
}

/// A body built from the schema's view that the schema accepts (seeded: the same on every run).
fn synthesize(schemas: &SchemaSet, file: &str, id: &str) -> Option<Value> {
    let view = Resolver::new(schemas).object(file)?;
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        seed ^= u64::from(b);
        seed = seed.wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    crate::generate::valid_body(schemas, file, &view, &Map::new(), false, &mut rng)
}

/// `example` / `examples` of a schema object (either OpenAPI version).
fn schema_examples(schema: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = schema.get("example").cloned().into_iter().collect();
    if let Some(list) = schema.get("examples").and_then(Value::as_array) {
        out.extend(list.iter().cloned());
    }
    out
}

/// The JSON media type of a content map: `application/json`, else any `*/*+json`, else `*/*`.
fn json_media(content: &Map<String, Value>) -> Option<(&str, &Value)> {
    let essence = |k: &str| {
        k.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    content
        .iter()
        .find(|(k, _)| essence(k) == "application/json")
        .or_else(|| content.iter().find(|(k, _)| essence(k).ends_with("+json")))
        .or_else(|| content.iter().find(|(k, _)| essence(k) == "*/*"))
        .map(|(k, v)| {
            let k: &str = if essence(k) == "*/*" {
                "application/json"
            } else {
                k
            };
            (k, v)
        })
}

/// OpenAPI 3.0 schema keywords as JSON Schema 2020-12 says them.
fn upgrade_30(map: &mut Map<String, Value>) {
    if let Some(nullable) = map.remove("nullable") {
        if nullable == Value::Bool(true) {
            let has_enum = map.get("enum").is_some_and(Value::is_array);
            match map.get_mut("type") {
                Some(Value::String(t)) => {
                    let t = t.clone();
                    map.insert("type".into(), json!([t, "null"]));
                }
                Some(Value::Array(ts)) => {
                    if !ts.contains(&json!("null")) {
                        ts.push(json!("null"));
                    }
                }
                _ if has_enum => {}
                _ => {
                    // Only a $ref or a combination: null is one more alternative.
                    let rest = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([rest, { "type": "null" }]));
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("enum") {
                if !options.contains(&Value::Null) {
                    options.push(Value::Null);
                }
            }
        }
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(b)) = map.get(flag).cloned() {
            map.remove(flag);
            if b {
                if let Some(v) = map.remove(bound) {
                    map.insert(flag.into(), v);
                }
            }
        }
    }
    if let Some(example) = map.remove("example") {
        map.entry("examples").or_insert_with(|| json!([example]));
    }
}

fn as_object(v: Value) -> Value {
    match v {
        Value::Object(_) => v,
        Value::Bool(true) => json!({}),
        Value::Bool(false) => json!({ "not": {} }),
        other => json!({ "allOf": [other] }),
    }
}

fn file_name(component: &str) -> String {
    let s: String = component
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{s}.json")
}

/// The endpoint id of an operation: the extension's, else its `operationId`, else its method
/// and path.
fn operation_id(o: &Operation<'_>) -> String {
    o.op[EXTENSION]["id"]
        .as_str()
        .map(String::from)
        .or_else(|| o.op["operationId"].as_str().map(sanitize_id))
        .unwrap_or_else(|| sanitize_id(&format!("{}{}", o.method, o.path)))
}

/// `id`, or `id-2`, `id-3`... when an earlier endpoint took it.
fn unique_id(taken: &mut BTreeSet<String>, id: String) -> String {
    let mut candidate = id.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{id}-{n}");
        n += 1;
    }
    candidate
}

/// The operation needs no credential (`security: []`, or an empty requirement in it).
fn needs_no_credential(op: &Value) -> bool {
    op.get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| {
            reqs.is_empty()
                || reqs
                    .iter()
                    .any(|r| r.as_object().is_some_and(|m| m.is_empty()))
        })
}

/// Whether a response key is an error answer (4xx, 5xx, their classes, or `default`).
fn is_error_status(code: &str, numeric: Option<u16>) -> bool {
    match numeric {
        Some(c) => c >= 400,
        None => code == "default" || code.starts_with('4') || code.starts_with('5'),
    }
}

fn sanitize_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "endpoint".into()
    } else {
        out
    }
}

fn variable_name(s: &str) -> String {
    let v: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if v.is_empty() {
        "value".into()
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_type_that_admits_null() {
        let mut m = json!({ "type": "string", "nullable": true, "enum": ["a", "b"] });
        upgrade_30(m.as_object_mut().unwrap());
        assert_eq!(
            m,
            json!({ "type": ["string", "null"], "enum": ["a", "b", null] })
        );
        let mut r = json!({ "$ref": "x.json", "nullable": true });
        upgrade_30(r.as_object_mut().unwrap());
        assert_eq!(
            r,
            json!({ "anyOf": [{ "$ref": "x.json" }, { "type": "null" }] })
        );
        let mut b =
            json!({ "type": "integer", "minimum": 1, "exclusiveMinimum": true, "example": 2 });
        upgrade_30(b.as_object_mut().unwrap());
        assert_eq!(
            b,
            json!({ "type": "integer", "exclusiveMinimum": 1, "examples": [2] })
        );
    }

    #[test]
    fn toml_can_hold_what_its_writer_can_write() {
        let v = json!({ "a": "x\"y\n", "200": 1, "b c": [1.5, true, { "d": 2.0 }], "e": {} });
        assert!(toml_can_hold(&v));
        let text = toml::to_string(&json!({ "v": v })).unwrap();
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(serde_json::to_value(&parsed["v"]).unwrap(), v);
        for refused in [json!({ "n": null }), json!([1, null]), json!(u64::MAX)] {
            assert!(!toml_can_hold(&refused), "{refused}");
        }
    }

    /// The shipped contracts as their exports, and as plain documents (the extensions
    /// removed, so the importer makes its own examples, variables, cases and flows).
    fn documents() -> Vec<(String, Value)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for c in contract::load_dir(root).expect("the shipped contracts load") {
            let examples = root.join("tests/examples").join(c.name());
            let exported = super::super::export(&c, Some(&examples)).expect("exports");
            let mut plain = exported.clone();
            strip_extensions(&mut plain);
            out.push((c.name().to_string(), exported));
            out.push((c.name().to_string(), plain));
        }
        out
    }

    fn strip_extensions(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove(EXTENSION);
                m.values_mut().for_each(strip_extensions);
            }
            Value::Array(a) => a.iter_mut().for_each(strip_extensions),
            _ => {}
        }
    }

    #[test]
    fn a_built_suite_round_trips_through_its_text() {
        for (name, doc) in documents() {
            let (typed, built) = build_typed(&doc, "doc.json", &name).expect("imports");
            let parsed: SuiteFile = toml::from_str(&built.suite_text).expect("parses");
            let as_json = |s: &SuiteFile| serde_json::to_value(s).unwrap();
            assert_eq!(as_json(&parsed), as_json(&typed), "{name}");
            // The text is the suite serialized, under its header: writing it again gives it.
            let again = toml::to_string(&parsed).unwrap();
            assert!(
                built.suite_text.ends_with(&again),
                "{name}:\n{}",
                built.suite_text
            );
            assert!(built.suite_text.starts_with("# Imported by"), "{name}");
            let loaded = load_built(built, "doc.json").expect("loads");
            assert_eq!(as_json(&loaded.suite), as_json(&typed), "{name}");
        }
    }

    #[test]
    fn an_example_toml_cannot_hold_is_not_chosen() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "post": {
                "requestBody": { "content": { "application/json": {
                    "schema": { "type": "object", "properties": { "n": { "type": ["string", "null"] } } },
                    "examples": {
                        "null": { "value": { "n": null } },
                        "text": { "value": { "n": "x" } }
                    }
                } } },
                "responses": { "200": { "description": "ok", "content": { "application/json": {
                    "schema": { "type": "object" }
                } } } }
            } } }
        });
        let (typed, built) = build_typed(&doc, "doc.json", "t").expect("imports");
        let example = typed.endpoints[0].example.as_ref().expect("an example");
        assert_eq!(example.body, Some(json!({ "n": "x" })));
        assert!(
            built.suite_text.contains("n = \"x\""),
            "{}",
            built.suite_text
        );
    }
}
