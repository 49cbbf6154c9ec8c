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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Map, Value};

use super::{unescape, OpenApiError, EXTENSION, METHODS};
use crate::contract::{self, SchemaSet};
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
    let suite_text = imp.suite(name, &auth, &errors, &endpoints, &schemas)?;
    Ok(Built {
        name: name.to_string(),
        files,
        schemas,
        suite_text,
        notes: imp.notes,
    })
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
    /// Status → (schema file, media type if not application/json, doc).
    /// Status → the suite's response spec (schema, doc, media type, provenance).
    responses: BTreeMap<String, Value>,
    /// Error answers: (schema as written, media type, description, status).
    errors: Vec<(Value, String, String, String)>,
    /// Every error status the operation documents, with a body or not.
    error_codes: Vec<String>,
    /// The operation needs no credential (`security: []`, or an empty requirement in it).
    public: bool,
    ext: Value,
}

struct Param {
    name: String,
    location: &'static str,
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
                let ext = op.get(EXTENSION).cloned().unwrap_or(Value::Null);
                let mut id = ext["id"]
                    .as_str()
                    .map(String::from)
                    .or_else(|| op["operationId"].as_str().map(sanitize_id))
                    .unwrap_or_else(|| sanitize_id(&format!("{method}{path}")));
                let mut n = 2;
                let base = id.clone();
                while !ids.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                let doc_text = ext["doc"]
                    .as_str()
                    .or_else(|| op["summary"].as_str())
                    .or_else(|| op["operationId"].as_str())
                    .map(String::from)
                    .unwrap_or_else(|| at.clone());
                match self.endpoint(path, method, item, op, &at, id, doc_text, ext)? {
                    Some(e) => out.push(e),
                    None => continue,
                }
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn endpoint(
        &mut self,
        path: &str,
        method: &str,
        item: &'a Value,
        op: &'a Value,
        at: &str,
        id: String,
        doc_text: String,
        ext: Value,
    ) -> Result<Option<Endpoint>, OpenApiError> {
        // Parameters: the path item's, overridden by the operation's of the same name and place.
        let mut raw_params: Vec<&Value> = Vec::new();
        for list in [item.get("parameters"), op.get("parameters")] {
            for p in list.and_then(Value::as_array).into_iter().flatten() {
                let p = self.deref(p, at)?;
                let key = (p["name"].as_str(), p["in"].as_str());
                raw_params.retain(|q| (q["name"].as_str(), q["in"].as_str()) != key);
                raw_params.push(p);
            }
        }
        let mut params = Vec::new();
        for p in raw_params {
            let (Some(name), Some(location)) = (p["name"].as_str(), p["in"].as_str()) else {
                return Err(self.invalid(format!("{at}: a parameter lacks `name` or `in`")));
            };
            let location = match location {
                "path" => "path",
                "query" => "query",
                // OpenAPI: a header parameter named Accept, Content-Type or Authorization is
                // ignored (the media types and the security scheme say those).
                "header"
                    if ["accept", "content-type", "authorization"]
                        .contains(&name.to_ascii_lowercase().as_str()) =>
                {
                    continue;
                }
                "header" => "header",
                "cookie" => "cookie",
                other => {
                    self.notes.push(format!(
                        "{at}: {other} parameter `{name}` left out (not a place OpenAPI names)"
                    ));
                    continue;
                }
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
            let mut examples: Vec<Value> = p.get("example").cloned().into_iter().collect();
            for e in p
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                if let Some(v) = self.deref(e, at)?.get("value") {
                    examples.push(v.clone());
                }
            }
            examples.extend(schema_examples(&schema));
            params.push(Param {
                name: name.to_string(),
                location,
                file,
                required: location == "path" || p["required"].as_bool().unwrap_or(false),
                doc: p["description"].as_str().unwrap_or(name).to_string(),
                examples,
            });
        }

        let mut body = None;
        if let Some(rb) = op.get("requestBody") {
            let rb = self.deref(rb, at)?;
            let content = rb.get("content").and_then(Value::as_object);
            match content.and_then(json_media) {
                Some((_, media)) => {
                    let schema = media.get("schema").cloned().unwrap_or_else(|| json!({}));
                    let file = self.schema_file(
                        &schema,
                        &format!("{id}-request"),
                        &format!("{at} request body"),
                    )?;
                    let mut examples: Vec<Value> =
                        media.get("example").cloned().into_iter().collect();
                    for e in media
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|m| m.values())
                    {
                        if let Some(v) = self.deref(e, at)?.get("value") {
                            examples.push(v.clone());
                        }
                    }
                    examples.extend(schema_examples(&schema));
                    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
                        if let Some(target) = r.strip_prefix('#').and_then(|p| self.doc.pointer(p))
                        {
                            examples.extend(schema_examples(target));
                        }
                    }
                    body = Some((file, examples));
                }
                // An optional body that is not JSON on a method that seldom has one (Stripe's
                // form bodies on every GET): the operation is called without one. Elsewhere
                // (an optional upload) the body is the point, and the operation is left out.
                None if content.is_some_and(|c| !c.is_empty())
                    && !rb["required"].as_bool().unwrap_or(false)
                    && matches!(method, "get" | "head" | "delete" | "options") =>
                {
                    self.notes.push(format!(
                        "{at}: its optional request body is not JSON; conform sends none"
                    ));
                }
                None if content.is_some_and(|c| !c.is_empty()) => {
                    self.notes.push(format!(
                        "{at}: left out (its request body is not JSON; conform sends JSON bodies)"
                    ));
                    return Ok(None);
                }
                None => {}
            }
        }

        let mut responses = BTreeMap::new();
        let mut errors = Vec::new();
        let mut error_codes = Vec::new();
        let mut success_range = None;
        for (code, r) in op
            .get("responses")
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
            let is_error = match numeric {
                Some(c) => c >= 400,
                None => code == "default" || code.starts_with('4') || code.starts_with('5'),
            };
            if is_error {
                error_codes.push(code.clone());
                if let Some((media_type, m)) = media {
                    errors.push((
                        m.get("schema").cloned().unwrap_or_else(|| json!({})),
                        media_type.to_string(),
                        doc,
                        code.clone(),
                    ));
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
            let (file, media_type) = match (media, x["schema"].as_object()) {
                (Some((t, m)), _) => {
                    let schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
                    let f = self.schema_file(
                        &schema,
                        &format!("{id}-{status}"),
                        &format!("{at} response {status}"),
                    )?;
                    (f, (t != "application/json").then(|| t.to_string()))
                }
                (None, Some(schema)) => {
                    let f = self.schema_file(
                        &Value::Object(schema.clone()),
                        &format!("{id}-{status}"),
                        &format!("{at} response {status}"),
                    )?;
                    (f, x["media_type"].as_str().map(String::from))
                }
                (None, None) => (self.any_schema(), None),
            };
            let mut spec = json!({ "schema": file, "doc": doc });
            if media.is_none() {
                spec["body_decided"] = json!(NO_BODY_SHOWN);
            }
            if let Some(m) = media_type {
                spec["media_type"] = json!(m);
            }
            for key in ["quote", "status_decided", "body_decided"] {
                if let Some(v) = x[key].as_str() {
                    spec[key] = json!(v);
                }
            }
            // A team's own document: the answer's description is its words for this answer.
            if x.is_null() {
                if let Some(d) = r["description"]
                    .as_str()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                {
                    spec["quote"] = json!(d);
                }
            }
            responses.insert(status, spec);
        }
        if !responses.keys().any(|c| c.starts_with('2')) {
            if let Some((doc, media)) = success_range {
                let (file, media_type) = match media {
                    Some((t, m)) => {
                        let schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
                        let f = self.schema_file(
                            &schema,
                            &format!("{id}-200"),
                            &format!("{at} response 2XX"),
                        )?;
                        (f, (t != "application/json").then_some(t))
                    }
                    None => (self.any_schema(), None),
                };
                let mut spec = json!({
                    "schema": file,
                    "doc": doc,
                    "status_decided": "the document names the class 2XX, not a code: any 2xx conforms",
                });
                if media_type.is_none() && file == "any.json" {
                    spec["body_decided"] = json!(NO_BODY_SHOWN);
                }
                if let Some(m) = media_type {
                    spec["media_type"] = json!(m);
                }
                responses.insert("200".into(), spec);
            }
        }
        if responses.is_empty() {
            self.notes.push(format!(
                "{at}: the document gives no success answer; any 2xx with any body or none conforms"
            ));
            let any = self.any_schema();
            responses.insert(
                "200".into(),
                json!({
                    "schema": any,
                    "doc": "no success answer documented",
                    "status_decided": "the document gives no success answer: any 2xx conforms",
                    "body_decided": NO_BODY_SHOWN,
                }),
            );
        }
        Ok(Some(Endpoint {
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            doc: doc_text,
            params,
            body,
            responses,
            errors,
            error_codes,
            public: op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|reqs| {
                    reqs.is_empty()
                        || reqs
                            .iter()
                            .any(|r| r.as_object().is_some_and(|m| m.is_empty()))
                }),
            ext,
        }))
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
                let copy = spec["schema"].as_str().and_then(|f| response.get(f));
                if let Some(copy) = copy {
                    used.insert(copy.clone());
                    spec["schema"] = json!(copy);
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

    /// The suite's auth: the extension's, else the first security scheme of the document's
    /// requirements that conform can present (bearer, basic, an API key in a header, the query
    /// or a cookie; OAuth2 and OpenID Connect as the bearer token the operator gives), else
    /// none (the operator's `-H` headers still go on every request).
    fn auth(&mut self, endpoints: &[Endpoint]) -> Result<Value, OpenApiError> {
        if let Some(a) = self
            .root_ext()
            .and_then(|e| e.get("auth"))
            .filter(|a| a.is_object())
        {
            return Ok(a.clone());
        }
        let schemes = self
            .doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
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
        if names.is_empty() {
            self.notes.push(
                "the document names no security requirement: no auth cases; give a credential with -H if the target wants one"
                    .into(),
            );
            return Ok(json!({ "scheme": "none", "doc": "no security requirement" }));
        }
        // 401 is stated where every operation that needs the credential documents it.
        let secured: Vec<&Endpoint> = endpoints.iter().filter(|e| !e.public).collect();
        let documented_401 = secured
            .iter()
            .all(|e| e.error_codes.iter().any(|c| c == "401"));
        let mut unsupported = Vec::new();
        for name in &names {
            let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
                return Err(self.invalid(format!(
                    "security scheme {name:?} is not in components/securitySchemes"
                )));
            };
            let scheme = self.deref(scheme, "components/securitySchemes")?;
            let doc = scheme["description"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| format!("securitySchemes > {name}"));
            let ty = scheme["type"].as_str().unwrap_or("");
            let http_scheme = scheme["scheme"].as_str().unwrap_or("").to_ascii_lowercase();
            let key_name = scheme["name"].as_str().unwrap_or("");
            let mut spec = match (ty, http_scheme.as_str(), scheme["in"].as_str()) {
                ("http", "bearer", _) | ("oauth2" | "openIdConnect", _, _) => {
                    json!({ "scheme": "bearer", "variable": "token", "doc": doc })
                }
                ("http", "basic", _) => {
                    json!({ "scheme": "basic", "variable": "credentials", "doc": doc })
                }
                ("apiKey", _, Some(place @ ("header" | "query" | "cookie")))
                    if !key_name.is_empty() =>
                {
                    json!({ "scheme": place, "name": key_name, "variable": "token", "doc": doc })
                }
                _ => {
                    unsupported.push(format!("{name} ({ty} {http_scheme})"));
                    continue;
                }
            };
            if !documented_401 {
                spec["status_decided"] = json!(
                    "the document names no status for a refused credential for every operation: 401 is HTTP's (RFC 9110), any 4xx conforms"
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

    /// The error spec (as suite TOML fields): the extension's, else the error answer the
    /// operations document most (401 first).
    fn errors(&mut self, endpoints: &[Endpoint]) -> Result<Value, OpenApiError> {
        if let Some(e) = self
            .root_ext()
            .and_then(|x| x.get("errors"))
            .filter(|e| e.is_object())
        {
            if let Some(schema) = e["schema"].as_str() {
                if self.files.contains_key(schema) {
                    return Ok(e.clone());
                }
            }
        }
        let mut counts: Vec<(Value, String, String, usize, bool)> = Vec::new();
        for e in endpoints {
            for (schema, media, doc, code) in &e.errors {
                match counts.iter_mut().find(|c| &c.0 == schema && &c.1 == media) {
                    Some(c) => {
                        c.3 += 1;
                        c.4 |= code == "401";
                    }
                    None => {
                        counts.push((schema.clone(), media.clone(), doc.clone(), 1, code == "401"))
                    }
                }
            }
        }
        let best = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (c.4, c.3, usize::MAX - i))
            .map(|(_, c)| c.clone());
        let Some((schema, media, doc, _, _)) = best else {
            self.notes.push(
                "the document describes no error body: error answers are checked for status only"
                    .into(),
            );
            let f = "error.json".to_string();
            let f = if self.files.contains_key(&f) {
                "conform-error.json".to_string()
            } else {
                f
            };
            self.files.insert(
                f.clone(),
                json!({ "$schema": DIALECT, "description": "Any error body, or none: the document describes no error answer." }),
            );
            return Ok(
                json!({ "schema": f, "body_optional": true, "doc": "no error answer documented" }),
            );
        };
        if counts.len() > 1 {
            self.notes.push(format!(
                "the operations document {} different error bodies; the most common one is the error schema",
                counts.len()
            ));
        }
        self.error_choice = Some((schema.clone(), media.clone()));
        let file = self.schema_file(&schema, "error", "error answer")?;
        let mut spec = json!({ "schema": file, "doc": doc });
        // The body is stated for the statuses the document shows it for (every status, for a
        // `default` answer); for any other error status it is the contract's reading, so an
        // answer the document never describes (a 405, a 404 after a delete) only advises.
        let mut shown: Vec<Value> = Vec::new();
        let mut everywhere = false;
        for e in endpoints {
            for (s, m, _, code) in &e.errors {
                if s != &schema || m != &media {
                    continue;
                }
                let pattern = match code.parse::<u16>() {
                    Ok(c) => json!(c),
                    Err(_) if code.len() == 3 && code[1..].eq_ignore_ascii_case("xx") => {
                        json!(code.to_ascii_lowercase())
                    }
                    Err(_) => {
                        everywhere = true;
                        continue;
                    }
                };
                if !shown.contains(&pattern) {
                    shown.push(pattern);
                }
            }
        }
        if !everywhere {
            spec["decided"] = json!(
                "the document shows this error body for some statuses only; for the others any body or none conforms"
            );
            spec["stated_for"] = Value::Array(shown);
        }
        if media != "application/json" {
            spec["media_type"] = json!(media);
        }
        Ok(spec)
    }

    fn negative(&self, endpoints: &[Endpoint]) -> Option<Value> {
        if let Some(n) = self.root_ext().and_then(|x| x.get("negative")) {
            return Some(n.clone());
        }
        let with_input: Vec<&Endpoint> = endpoints
            .iter()
            .filter(|e| e.body.is_some() || !e.params.is_empty())
            .collect();
        if with_input.is_empty() {
            return None;
        }
        for code in ["400", "422"] {
            let docs: Vec<&str> = with_input
                .iter()
                .filter_map(|e| e.errors.iter().find(|x| x.3 == code).map(|x| x.2.as_str()))
                .collect();
            if docs.len() == with_input.len() {
                return Some(
                    json!({ "status": [code.parse::<u16>().unwrap_or(400)], "doc": docs[0] }),
                );
            }
        }
        None
    }

    /// The suite file's text.
    fn suite(
        &mut self,
        name: &str,
        auth: &Value,
        errors: &Value,
        endpoints: &[Endpoint],
        schemas: &SchemaSet,
    ) -> Result<String, OpenApiError> {
        let root = self.root_ext();
        let title = self
            .doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .unwrap_or(name);
        let document = root
            .and_then(|r| r["document"].as_str())
            .map(String::from)
            .unwrap_or_else(|| self.origin.clone());
        let auth_var = auth["variable"].as_str().unwrap_or("").to_string();

        // Examples first: they decide which variables the suite needs.
        let mut wanted: BTreeMap<String, Value> = BTreeMap::new();
        let mut examples: Vec<Option<Value>> = Vec::new();
        for e in endpoints {
            let ex = match e.ext.get("example") {
                Some(x) => Some(x.clone()),
                None => self.example(e, schemas, &mut wanted)?,
            };
            examples.push(ex);
        }
        let mut cases: Vec<Value> = Vec::new();
        let from_ext = endpoints.iter().any(|e| !e.ext.is_null());
        for (e, ex) in endpoints.iter().zip(&examples) {
            if let Some(cs) = e.ext.get("cases").and_then(Value::as_array) {
                cases.extend(cs.iter().cloned());
            } else if !from_ext {
                if let Some(c) = plain_request_case(e, ex.as_ref()) {
                    cases.push(c);
                }
            }
        }

        if !from_ext {
            cases.extend(self.flows(endpoints, &examples, &cases));
        }

        // Variables: the credential, and every ${...} that neither a capture nor `each` binds.
        let mut refs: BTreeSet<String> = BTreeSet::new();
        let mut bound: BTreeSet<String> = BTreeSet::from(["request".to_string()]);
        let scan_step = |s: &Value, refs: &mut BTreeSet<String>, bound: &mut BTreeSet<String>| {
            for key in ["params", "body"] {
                if let Some(v) = s.get(key) {
                    refs.extend(template::references(v));
                }
            }
            if let Some(a) = s["auth"].as_str().filter(|a| *a != "none") {
                refs.insert(a.to_string());
            }
            for k in s
                .get("capture")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.keys())
            {
                bound.insert(k.clone());
            }
        };
        for ex in examples.iter().flatten() {
            scan_step(ex, &mut refs, &mut bound);
        }
        for e in endpoints {
            for key in ["before", "restore"] {
                for s in e
                    .ext
                    .pointer(&format!("/generate/{key}"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    scan_step(s, &mut refs, &mut bound);
                }
            }
        }
        for c in &cases {
            if let Some(each) = c.get("each") {
                if let Some(v) = each["variable"].as_str() {
                    refs.insert(v.to_string());
                }
                if let Some(b) = each["as"].as_str() {
                    bound.insert(b.to_string());
                }
            }
            for s in c["steps"].as_array().into_iter().flatten() {
                scan_step(s, &mut refs, &mut bound);
            }
        }
        if !auth_var.is_empty() {
            refs.insert(auth_var.clone());
        }
        let declared = root
            .and_then(|r| r.get("variables"))
            .and_then(Value::as_object);
        let mut variables: BTreeMap<String, Value> = BTreeMap::new();
        for r in refs.difference(&bound) {
            let spec = declared
                .and_then(|d| d.get(r))
                .cloned()
                .or_else(|| wanted.get(r).cloned())
                .unwrap_or_else(|| {
                    if *r == auth_var {
                        json!({ "secret": true, "description": credential_description(auth) })
                    } else {
                        json!({ "description": format!("a value for `{r}`") })
                    }
                });
            variables.insert(r.clone(), spec);
        }

        let mut t = String::new();
        t.push_str(&format!(
            "# Imported by `conform import openapi` from {} (OpenAPI {}).\n",
            self.origin,
            self.doc["openapi"].as_str().unwrap_or("3")
        ));
        t.push_str("# Contracts are data: edit this file and the schemas beside it freely.\n");
        t.push_str(&format!("name = {}\n", toml_inline(&json!(name))?));
        t.push_str(&format!("title = {}\n", toml_inline(&json!(title))?));
        t.push_str(&format!("document = {}\n", toml_inline(&json!(document))?));
        t.push_str(&format!("auth = {}\n", toml_inline(auth)?));
        t.push_str("\n[variables]\n");
        for (k, v) in &variables {
            t.push_str(&format!("{} = {}\n", toml_key(k), toml_inline(v)?));
        }
        t.push_str("\n[errors]\n");
        table_lines(&mut t, errors)?;
        if let Some(n) = self.negative(endpoints) {
            t.push_str("\n[negative]\n");
            table_lines(&mut t, &n)?;
        }
        for st in root
            .and_then(|r| r.get("status_tables"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            t.push_str("\n[[status_tables]]\n");
            table_lines(&mut t, st)?;
        }
        for (e, ex) in endpoints.iter().zip(&examples) {
            t.push_str("\n[[endpoints]]\n");
            t.push_str(&format!("id = {}\n", toml_inline(&json!(e.id))?));
            t.push_str(&format!("method = {}\n", toml_inline(&json!(e.method))?));
            t.push_str(&format!("path = {}\n", toml_inline(&json!(e.path))?));
            t.push_str(&format!("doc = {}\n", toml_inline(&json!(e.doc))?));
            if !e.params.is_empty() {
                let params: Vec<Value> = e
                    .params
                    .iter()
                    .map(|p| {
                        json!({ "name": p.name, "in": p.location, "schema": p.file, "required": p.required, "doc": p.doc })
                    })
                    .collect();
                t.push_str(&format!(
                    "params = {}\n",
                    toml_inline(&Value::Array(params))?
                ));
            }
            if let Some((file, _)) = &e.body {
                t.push_str(&format!("body = {}\n", toml_inline(&json!(file))?));
            }
            for (code, r) in &e.responses {
                t.push_str(&format!(
                    "responses.{} = {}\n",
                    toml_key(code),
                    toml_inline(r)?
                ));
            }
            if let Some(x) = ex {
                t.push_str(&format!("example = {}\n", toml_inline(x)?));
            }
            if let Some(g) = e.ext.get("generate") {
                t.push_str(&format!("generate = {}\n", toml_inline(g)?));
            } else if let Some(fields) = self.state_bound.get(&e.id) {
                let g = json!({
                    "positive": false,
                    "reason": format!(
                        "the values of {} depend on the target's state: a generated one is refused by a correct server",
                        fields.join(", ")
                    ),
                });
                t.push_str(&format!("generate = {}\n", toml_inline(&g)?));
            }
            if e.public {
                t.push_str("public = true\n");
            }
            let declared: Vec<&String> = e
                .error_codes
                .iter()
                .filter(|c| c.as_str() != "default")
                .collect();
            if !declared.is_empty() {
                t.push_str(&format!("declared = {}\n", toml_inline(&json!(declared))?));
            }
            if let (Some((schema, media)), true) = (&self.error_choice, e.ext.is_null()) {
                let mut shown: Vec<Value> = Vec::new();
                let mut everywhere = false;
                for (s, m, _, code) in &e.errors {
                    if s != schema || m != media {
                        continue;
                    }
                    match code.parse::<u16>() {
                        Ok(c) => shown.push(json!(c)),
                        Err(_) if code.len() == 3 && code[1..].eq_ignore_ascii_case("xx") => {
                            shown.push(json!(code.to_ascii_lowercase()))
                        }
                        Err(_) => everywhere = true,
                    }
                }
                if !everywhere {
                    t.push_str(&format!(
                        "error_bodies = {}\n",
                        toml_inline(&Value::Array(shown))?
                    ));
                }
            }
        }
        for c in &cases {
            t.push_str("\n[[cases]]\n");
            table_lines(&mut t, c)?;
        }
        Ok(t)
    }

    /// The document's relations between requests as cases ([`super::flows`]): links, inferred
    /// resource sequences, probes of undocumented methods.
    fn flows(
        &mut self,
        endpoints: &[Endpoint],
        examples: &[Option<Value>],
        cases: &[Value],
    ) -> Vec<Value> {
        let ops: Vec<super::flows::Op<'_>> = endpoints
            .iter()
            .zip(examples)
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
        let taken = cases
            .iter()
            .filter_map(|c| c["name"].as_str().map(String::from))
            .collect();
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
        wanted: &mut BTreeMap<String, Value>,
    ) -> Result<Option<Value>, OpenApiError> {
        let mut ex = Map::new();
        let mut params = Map::new();
        for p in &e.params {
            let valid_example = p.examples.iter().find(|v| {
                let text = template::as_text(v);
                schemas.validate(&p.file, &param_as_json(&text)).is_ok() && toml_inline(v).is_ok()
            });
            let hint = p
                .examples
                .first()
                .map(|v| format!(" (the document's example: {})", template::as_text(v)))
                .unwrap_or_default();
            if p.location == "path" {
                let var = variable_name(&p.name);
                let entry = wanted.entry(var.clone()).or_insert_with(|| {
                    json!({ "description": format!("an existing `{}` on the target{hint}; used in", p.name) })
                });
                if let Some(d) = entry["description"].as_str() {
                    entry["description"] = json!(format!("{d} {} {}", e.method, e.path));
                }
                params.insert(p.name.clone(), json!(format!("${{{var}}}")));
            } else if p.required {
                match valid_example {
                    Some(v) => {
                        params.insert(p.name.clone(), v.clone());
                    }
                    None => {
                        let var = variable_name(&p.name);
                        wanted.entry(var.clone()).or_insert_with(|| {
                            json!({ "description": format!("a valid `{}` query parameter{hint}", p.name) })
                        });
                        params.insert(p.name.clone(), json!(format!("${{{var}}}")));
                    }
                }
            }
        }
        if !params.is_empty() {
            ex.insert("params".into(), Value::Object(params));
        }
        if let Some((file, candidates)) = &e.body {
            let found = candidates
                .iter()
                .find(|v| schemas.validate(file, v).is_ok() && toml_inline(v).is_ok())
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
                        json!({ "description": format!("a valid JSON body for {} {} (a TOML table)", e.method, e.path) })
                    });
                    json!(format!("${{{var}}}"))
                }
            };
            let body = self.bind_state(e, body, from_document, wanted);
            ex.insert("body".into(), body);
        }
        Ok((!ex.is_empty()).then_some(Value::Object(ex)))
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
        wanted: &mut BTreeMap<String, Value>,
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
            let entry = wanted.entry(var.clone()).or_insert_with(|| {
                json!({
                    "description": format!(
                        "`{field}` of {} {}, whose valid value depends on the target's state (default: {origin})",
                        e.method, e.path
                    ),
                    "secret": is_secret_name(field),
                    "optional": true,
                    "default": value.clone(),
                })
            });
            if entry.get("default").is_none() {
                entry["default"] = value.clone();
            }
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

/// The one-request case of an operation the generators have nothing to vary for, if it gets
/// one: a GET, with the example request, must answer a documented success; an action with no
/// body on a named object (restart a kernel, checkpoint a file) is held to no server error and
/// the documented answers' shapes, and since whether it succeeds depends on the object the
/// path names, any 2xx or 4xx is the expectation. An action on no named object (`POST
/// /users/disable`) may be the account's own, ending the credential the rest of the run needs:
/// it is not sent.
fn plain_request_case(e: &Endpoint, example: Option<&Value>) -> Option<Value> {
    let mut step = json!({ "endpoint": e.id });
    let description = if e.method == "GET" {
        format!(
            "{} {} with the example request answers a documented success",
            e.method, e.path
        )
    } else if e.body.is_none()
        && matches!(e.method.as_str(), "POST" | "PUT" | "PATCH")
        && e.path.contains('{')
    {
        step["expect"] = json!(["2xx", "4xx"]);
        step["expect_decided"] = json!(
            "whether the action succeeds depends on the target's state (the object its path names): a refusal conforms"
        );
        format!(
            "{} {} without a body (the document gives it none) answers without a server error",
            e.method, e.path
        )
    } else {
        return None;
    };
    if let Some(p) = example.and_then(|x| x.get("params")) {
        step["params"] = p.clone();
    }
    Some(json!({ "name": e.id, "description": description, "doc": e.doc, "steps": [step] }))
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

fn credential_description(auth: &Value) -> String {
    let name = auth["name"]
        .as_str()
        .or(auth["header"].as_str())
        .unwrap_or("");
    match auth["scheme"].as_str() {
        Some("header") => format!("API key sent as the {name} header"),
        Some("query") => format!("API key sent as the {name} query parameter"),
        Some("cookie") => format!("API key sent as the {name} cookie"),
        Some("basic") => "user:password, sent with the Basic scheme".into(),
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

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.chars().all(|c| c.is_ascii_digit())
    {
        k.to_string()
    } else {
        serde_json::to_string(k).unwrap_or_default()
    }
}

/// One `key = value` line per member of a JSON object.
fn table_lines(out: &mut String, table: &Value) -> Result<(), OpenApiError> {
    for (k, v) in table.as_object().into_iter().flatten() {
        out.push_str(&format!("{} = {}\n", toml_key(k), toml_inline(v)?));
    }
    Ok(())
}

/// A JSON value as an inline TOML value. TOML has no null: a value holding one is refused.
fn toml_inline(v: &Value) -> Result<String, OpenApiError> {
    let refuse = |why: &str| OpenApiError::Invalid {
        origin: "suite".into(),
        message: format!("{why} cannot be written in TOML"),
    };
    Ok(match v {
        Value::Null => return Err(refuse("null")),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if n.is_u64() && n.as_i64().is_none() {
                return Err(refuse("an integer above i64::MAX"));
            }
            let s = n.to_string();
            if n.is_f64() && !s.contains(['.', 'e', 'E']) {
                format!("{s}.0")
            } else {
                s
            }
        }
        // JSON string escapes are TOML basic-string escapes.
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(items) => {
            let parts: Result<Vec<String>, _> = items.iter().map(toml_inline).collect();
            format!("[{}]", parts?.join(", "))
        }
        Value::Object(map) => {
            if map.is_empty() {
                return Ok("{}".into());
            }
            let parts: Result<Vec<String>, OpenApiError> = map
                .iter()
                .map(|(k, v)| Ok(format!("{} = {}", toml_key(k), toml_inline(v)?)))
                .collect();
            format!("{{ {} }}", parts?.join(", "))
        }
    })
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
    fn toml_inline_round_trips_through_the_toml_parser() {
        let v = json!({ "a": "x\"y\n", "200": 1, "b c": [1.5, true, { "d": 2.0 }], "e": {} });
        let text = format!("v = {}\n", toml_inline(&v).unwrap());
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(super::super::toml_to_json(&parsed["v"]), v);
        assert!(toml_inline(&json!({ "n": null })).is_err());
    }
}
