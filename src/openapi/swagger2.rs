//! Swagger 2.0 documents brought to OpenAPI 3.0.3, so that the importer reads one form.
//!
//! Many APIs still publish Swagger 2.0 (Jupyter Server's own `api.yaml` is one). Rather than
//! teach the importer a second dialect, [`to_openapi3`] rewrites the document once, as the
//! OpenAPI 3.0 specification's own migration notes describe: `definitions`, global `parameters`
//! and `responses` become `components`; `in: body` and `in: formData` parameters become a
//! `requestBody`; a parameter's or header's type keywords move into `schema`; `produces` and
//! `consumes` become `content` media types; `securityDefinitions` become `securitySchemes`;
//! `host`/`basePath`/`schemes` become `servers`. Everything else (tags, info, externalDocs,
//! security requirements, `x-` extensions) is kept as written.
//!
//! The conversion is pure and total: a malformed document is an `Err` naming the part, never a
//! panic. Where Swagger 2.0 says something OpenAPI 3.0 cannot (a `tsv` collection format, a
//! per-operation `schemes`), the conversion approximates or drops it and says so in a note, so
//! that the user sees every place where the contract rests on a reading rather than on the text.

use serde_json::{json, Map, Value};

/// The keywords of a Swagger 2.0 non-body parameter, header or items object that describe its
/// value, and so belong in an OpenAPI 3.0 `schema`.
const TYPE_KEYWORDS: [&str; 17] = [
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

/// A Swagger 2.0 document as OpenAPI 3.0.3, with a note per thing changed or left out.
pub fn to_openapi3(doc: &Value) -> Result<(Value, Vec<String>), String> {
    let root = doc
        .as_object()
        .ok_or("a Swagger document is a JSON object")?;
    match root.get("swagger") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(v) => {
            return Err(format!(
                "`swagger: {v}` is not a version conform reads (Swagger \"2.0\" and OpenAPI 3.0/3.1 are)"
            ))
        }
        None => return Err("no `swagger` version field".into()),
    }
    let mut c = Converter {
        root,
        notes: Vec::new(),
    };
    let out = c.document()?;
    Ok((out, c.notes))
}

struct Converter<'a> {
    root: &'a Map<String, Value>,
    notes: Vec<String>,
}

/// `what` as an object, or an error naming where it is.
fn object<'v>(v: &'v Value, at: &str) -> Result<&'v Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{at} is not an object"))
}

/// The media types listed under `key` (`produces`/`consumes`) of `holder`, if it lists any.
fn media_list(
    holder: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<Vec<String>>, String> {
    match holder.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, m) in items.iter().enumerate() {
                let m = m
                    .as_str()
                    .ok_or_else(|| format!("{at}/{key}/{i} is not a media type string"))?;
                if !out.iter().any(|o: &String| o == m) {
                    out.push(m.to_string());
                }
            }
            Ok((!out.is_empty()).then_some(out))
        }
        Some(_) => Err(format!("{at}/{key} is not a list of media types")),
    }
}

impl<'a> Converter<'a> {
    fn note(&mut self, s: String) {
        self.notes.push(s);
    }

    fn document(&mut self) -> Result<Value, String> {
        let root = self.root;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        let produces = media_list(root, "produces", "")?.unwrap_or_else(default_media);
        let consumes = media_list(root, "consumes", "")?.unwrap_or_else(default_media);
        for (k, v) in root {
            match k.as_str() {
                "info" | "tags" | "externalDocs" | "security" => {
                    out.insert(k.clone(), v.clone());
                }
                _ if k.starts_with("x-") => {
                    out.insert(k.clone(), v.clone());
                }
                _ => {}
            }
        }
        if let Some(servers) = self.servers()? {
            out.insert("servers".into(), servers);
        }

        let mut components = Map::new();
        if let Some(defs) = root.get("definitions") {
            let defs = object(defs, "definitions")?;
            let mut schemas = Map::new();
            for (name, s) in defs {
                schemas.insert(name.clone(), self.schema(s));
            }
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(params) = root.get("parameters") {
            let params = object(params, "parameters")?;
            let mut plain = Map::new();
            let mut bodies = Map::new();
            for (name, p) in params {
                let at = format!("parameters/{name}");
                let p = object(p, &at)?;
                match p.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        bodies.insert(name.clone(), self.body(p, &consumes, &at)?);
                    }
                    // No OpenAPI 3.0 component holds one form field; they are inlined where used.
                    Some("formData") => {}
                    _ => {
                        plain.insert(name.clone(), self.parameter(p, &at)?);
                    }
                }
            }
            if !plain.is_empty() {
                components.insert("parameters".into(), Value::Object(plain));
            }
            if !bodies.is_empty() {
                components.insert("requestBodies".into(), Value::Object(bodies));
            }
        }
        if let Some(responses) = root.get("responses") {
            let responses = object(responses, "responses")?;
            let mut conv = Map::new();
            for (name, r) in responses {
                conv.insert(
                    name.clone(),
                    self.response(r, &produces, &format!("responses/{name}"))?,
                );
            }
            components.insert("responses".into(), Value::Object(conv));
        }
        if let Some(defs) = root.get("securityDefinitions") {
            let defs = object(defs, "securityDefinitions")?;
            let mut schemes = Map::new();
            for (name, d) in defs {
                schemes.insert(
                    name.clone(),
                    self.security_scheme(d, &format!("securityDefinitions/{name}"))?,
                );
            }
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }

        let paths = root
            .get("paths")
            .ok_or("no `paths` object: nothing to test")?;
        let paths = object(paths, "paths")?;
        let mut out_paths = Map::new();
        for (path, item) in paths {
            if path.starts_with("x-") {
                out_paths.insert(path.clone(), item.clone());
                continue;
            }
            let at = format!("paths/{path}");
            out_paths.insert(
                path.clone(),
                self.path_item(item, &produces, &consumes, &at)?,
            );
        }
        out.insert("paths".into(), Value::Object(out_paths));
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        let mut out = Value::Object(out);
        rewrite_refs(&mut out);
        Ok(out)
    }

    /// `host`, `basePath` and `schemes` as `servers` (none when the document gives neither).
    fn servers(&mut self) -> Result<Option<Value>, String> {
        let root = self.root;
        let host = match root.get("host") {
            None => None,
            Some(Value::String(h)) => Some(h.clone()),
            Some(_) => return Err("host is not a string".into()),
        };
        let base = match root.get("basePath") {
            None => None,
            Some(Value::String(b)) => Some(b.clone()),
            Some(_) => return Err("basePath is not a string".into()),
        };
        let schemes = match root.get("schemes") {
            None => Vec::new(),
            Some(Value::Array(s)) => s
                .iter()
                .map(|v| v.as_str().map(String::from))
                .collect::<Option<Vec<_>>>()
                .ok_or("schemes is not a list of strings")?,
            Some(_) => return Err("schemes is not a list of strings".into()),
        };
        if let Some(b) = base.as_deref().filter(|b| !b.is_empty() && *b != "/") {
            self.note(format!(
                "basePath {b:?} became the servers' path: the document's paths are relative to it"
            ));
        }
        let path = base.unwrap_or_default();
        let urls: Vec<String> = match host {
            Some(h) => {
                let schemes = if schemes.is_empty() {
                    self.note(format!(
                        "host {h:?} without `schemes`: https assumed in `servers`"
                    ));
                    vec!["https".to_string()]
                } else {
                    schemes
                };
                schemes.iter().map(|s| format!("{s}://{h}{path}")).collect()
            }
            None if path.is_empty() => return Ok(None),
            None => vec![path],
        };
        Ok(Some(Value::Array(
            urls.into_iter().map(|u| json!({ "url": u })).collect(),
        )))
    }

    fn security_scheme(&mut self, d: &Value, at: &str) -> Result<Value, String> {
        let d = object(d, at)?;
        let mut out = Map::new();
        for (k, v) in d {
            if k == "description" || k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        match d.get("type").and_then(Value::as_str) {
            Some("basic") => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            Some("apiKey") => {
                out.insert("type".into(), json!("apiKey"));
                for k in ["in", "name"] {
                    let v = d
                        .get(k)
                        .filter(|v| v.is_string())
                        .ok_or_else(|| format!("{at}: an apiKey scheme needs a string `{k}`"))?;
                    out.insert(k.into(), v.clone());
                }
            }
            Some("oauth2") => {
                let flow = d.get("flow").and_then(Value::as_str).unwrap_or_default();
                let name = match flow {
                    "implicit" => "implicit",
                    "password" => "password",
                    "application" => "clientCredentials",
                    "accessCode" => "authorizationCode",
                    other => {
                        return Err(format!(
                            "{at}: oauth2 flow {other:?} is not one of implicit, password, application, accessCode"
                        ))
                    }
                };
                let mut f = Map::new();
                for k in ["authorizationUrl", "tokenUrl"] {
                    if let Some(v) = d.get(k) {
                        f.insert(k.into(), v.clone());
                    }
                }
                f.insert(
                    "scopes".into(),
                    d.get("scopes").cloned().unwrap_or_else(|| json!({})),
                );
                out.insert("type".into(), json!("oauth2"));
                out.insert("flows".into(), json!({ name: Value::Object(f) }));
            }
            other => {
                return Err(format!(
                    "{at}: security type {} is not basic, apiKey or oauth2",
                    other.map_or("(none)".to_string(), |t| format!("{t:?}"))
                ))
            }
        }
        Ok(Value::Object(out))
    }

    fn path_item(
        &mut self,
        item: &Value,
        produces: &[String],
        consumes: &[String],
        at: &str,
    ) -> Result<Value, String> {
        let item = object(item, at)?;
        let mut out = Map::new();
        // Path-level body and form parameters have no path-level place in OpenAPI 3.0: they go
        // into each operation (which may override them by name).
        let mut shared_plain = Vec::new();
        let mut shared_payload = Vec::new();
        for (i, p) in params_of(item, at)?.into_iter().enumerate() {
            let here = format!("{at}/parameters/{i}");
            let resolved = self.resolve_param(p, &here)?;
            match resolved.get("in").and_then(Value::as_str) {
                Some("body" | "formData") => shared_payload.push(resolved.clone()),
                _ => shared_plain.push(self.parameter_or_ref(p, &here)?),
            }
        }
        if !shared_plain.is_empty() {
            out.insert("parameters".into(), Value::Array(shared_plain));
        }
        for (k, v) in item {
            match k.as_str() {
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    let op = self.operation(
                        v,
                        &shared_payload,
                        produces,
                        consumes,
                        &format!("{at}/{k}"),
                    )?;
                    out.insert(k.clone(), op);
                }
                "parameters" => {}
                "$ref" => {
                    self.note(format!(
                        "{at}: the path item's $ref is kept as written (conform resolves references within the document only)"
                    ));
                    out.insert(k.clone(), v.clone());
                }
                _ if k.starts_with("x-") => {
                    out.insert(k.clone(), v.clone());
                }
                other => self.note(format!("{at}: unknown key {other:?} left out")),
            }
        }
        Ok(Value::Object(out))
    }

    /// A `#/parameters/X` reference followed to the global parameter (one level, as Swagger
    /// allows), or the parameter itself.
    fn resolve_param<'p>(&self, p: &'p Value, at: &str) -> Result<&'p Map<String, Value>, String>
    where
        'a: 'p,
    {
        let root: &'a Map<String, Value> = self.root;
        let m = object(p, at)?;
        let Some(r) = m.get("$ref") else {
            return Ok(m);
        };
        let r = r
            .as_str()
            .ok_or_else(|| format!("{at}: $ref is not a string"))?;
        let name = r.strip_prefix("#/parameters/").ok_or_else(|| {
            format!(
                "{at}: $ref {r:?} is not a reference to #/parameters (external references are not supported)"
            )
        })?;
        let name = super::unescape(name);
        let target = root
            .get("parameters")
            .and_then(Value::as_object)
            .and_then(|ps| ps.get(&name))
            .ok_or_else(|| format!("{at}: $ref {r:?} names no global parameter"))?;
        object(target, &format!("parameters/{name}"))
    }

    fn operation(
        &mut self,
        op: &Value,
        shared_payload: &[Map<String, Value>],
        produces: &[String],
        consumes: &[String],
        at: &str,
    ) -> Result<Value, String> {
        let op = object(op, at)?;
        let produces = media_list(op, "produces", at)?.unwrap_or_else(|| produces.to_vec());
        let consumes = media_list(op, "consumes", at)?.unwrap_or_else(|| consumes.to_vec());
        let mut out = Map::new();
        for (k, v) in op {
            match k.as_str() {
                "tags" | "summary" | "description" | "externalDocs" | "operationId"
                | "deprecated" | "security" => {
                    out.insert(k.clone(), v.clone());
                }
                "parameters" | "responses" | "produces" | "consumes" => {}
                "schemes" => self.note(format!(
                    "{at}: the operation's own `schemes` left out (the base URL decides the scheme)"
                )),
                _ if k.starts_with("x-") => {
                    out.insert(k.clone(), v.clone());
                }
                other => self.note(format!("{at}: unknown key {other:?} left out")),
            }
        }
        let mut params = Vec::new();
        let mut payload: Vec<Map<String, Value>> = Vec::new();
        for (i, p) in params_of(op, at)?.into_iter().enumerate() {
            let here = format!("{at}/parameters/{i}");
            let resolved = self.resolve_param(p, &here)?;
            match resolved.get("in").and_then(Value::as_str) {
                Some("body" | "formData") => payload.push(resolved.clone()),
                _ => params.push(self.parameter_or_ref(p, &here)?),
            }
        }
        let same = |a: &Map<String, Value>, b: &Map<String, Value>| {
            a.get("name") == b.get("name") && a.get("in") == b.get("in")
        };
        for s in shared_payload {
            if !payload.iter().any(|p| same(p, s)) {
                payload.push(s.clone());
            }
        }
        let is_in = |p: &Map<String, Value>, place: &str| {
            p.get("in").and_then(Value::as_str) == Some(place)
        };
        let bodies: Vec<&Map<String, Value>> =
            payload.iter().filter(|p| is_in(p, "body")).collect();
        let forms: Vec<&Map<String, Value>> =
            payload.iter().filter(|p| is_in(p, "formData")).collect();
        if bodies.len() > 1 {
            return Err(format!("{at}: more than one `in: body` parameter"));
        }
        if let Some(b) = bodies.first() {
            if !forms.is_empty() {
                return Err(format!(
                    "{at}: both `in: body` and `in: formData` parameters (Swagger 2.0 allows one or the other)"
                ));
            }
            out.insert("requestBody".into(), self.body(b, &consumes, at)?);
        } else if !forms.is_empty() {
            out.insert("requestBody".into(), self.form(&forms, &consumes, at)?);
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        if let Some(responses) = op.get("responses") {
            let responses = object(responses, &format!("{at}/responses"))?;
            let mut conv = Map::new();
            for (code, r) in responses {
                if code.starts_with("x-") {
                    conv.insert(code.clone(), r.clone());
                    continue;
                }
                conv.insert(
                    code.clone(),
                    self.response(r, &produces, &format!("{at}/responses/{code}"))?,
                );
            }
            out.insert("responses".into(), Value::Object(conv));
        }
        Ok(Value::Object(out))
    }

    /// A path, query or header parameter: a `#/parameters/X` reference kept (rewritten at the
    /// end), anything else converted.
    fn parameter_or_ref(&mut self, p: &Value, at: &str) -> Result<Value, String> {
        let m = object(p, at)?;
        match m.get("$ref") {
            Some(r) => Ok(json!({ "$ref": r })),
            None => self.parameter(m, at),
        }
    }

    fn parameter(&mut self, p: &Map<String, Value>, at: &str) -> Result<Value, String> {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{at}: a parameter needs a string `name`"))?;
        let place = match p.get("in").and_then(Value::as_str) {
            Some(l @ ("path" | "query" | "header")) => l,
            Some(other) => {
                return Err(format!(
                    "{at}: parameter {name:?} is `in: {other}`, not one of path, query, header, body, formData"
                ))
            }
            None => return Err(format!("{at}: parameter {name:?} has no string `in`")),
        };
        let mut out = Map::new();
        out.insert("name".into(), json!(name));
        out.insert("in".into(), json!(place));
        for (k, v) in p {
            let kept = matches!(k.as_str(), "description" | "allowEmptyValue")
                || (k.starts_with("x-") && k != "x-nullable");
            if kept {
                out.insert(k.clone(), v.clone());
            }
        }
        if place == "path" {
            out.insert("required".into(), json!(true));
        } else if let Some(r) = p.get("required") {
            out.insert("required".into(), r.clone());
        }
        let schema = self.value_schema(p, &format!("{at} ({name})"))?;
        if p.get("type").and_then(Value::as_str) == Some("array") {
            let format = match p.get("collectionFormat") {
                None => "csv",
                Some(Value::String(f)) => f.as_str(),
                Some(_) => return Err(format!("{at}: collectionFormat is not a string")),
            };
            let style = match (format, place) {
                ("csv", "query") => Some(("form", false)),
                ("csv", _) => Some(("simple", false)),
                ("multi", "query") => Some(("form", true)),
                ("ssv", "query") => Some(("spaceDelimited", false)),
                ("pipes", "query") => Some(("pipeDelimited", false)),
                (f @ ("multi" | "ssv" | "pipes" | "tsv"), _) => {
                    self.note(format!(
                        "{at}: collectionFormat {f:?} has no OpenAPI 3.0 form for a {place} parameter; comma-separated assumed"
                    ));
                    Some(if place == "query" {
                        ("form", false)
                    } else {
                        ("simple", false)
                    })
                }
                (f, _) => {
                    return Err(format!(
                        "{at}: collectionFormat {f:?} is not one of csv, ssv, tsv, pipes, multi"
                    ))
                }
            };
            if let Some((style, explode)) = style {
                out.insert("style".into(), json!(style));
                out.insert("explode".into(), json!(explode));
            }
        }
        out.insert("schema".into(), schema);
        Ok(Value::Object(out))
    }

    /// The type keywords of a non-body parameter, header or items object as a schema.
    fn value_schema(&mut self, p: &Map<String, Value>, at: &str) -> Result<Value, String> {
        let mut s = Map::new();
        for k in TYPE_KEYWORDS {
            let Some(v) = p.get(k) else {
                continue;
            };
            match k {
                "items" => {
                    let items = object(v, &format!("{at}/items"))?;
                    if items
                        .get("collectionFormat")
                        .is_some_and(|f| f.as_str() != Some("csv"))
                    {
                        self.note(format!(
                            "{at}: the items' own collectionFormat left out (nested arrays are read comma-separated)"
                        ));
                    }
                    s.insert(
                        "items".into(),
                        self.value_schema(items, &format!("{at}/items"))?,
                    );
                }
                "x-nullable" => {
                    if v == &json!(true) {
                        s.insert("nullable".into(), json!(true));
                    }
                }
                _ => {
                    s.insert(k.into(), v.clone());
                }
            }
        }
        if s.get("type").and_then(Value::as_str) == Some("file") {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("binary"));
        }
        Ok(Value::Object(s))
    }

    fn body(
        &mut self,
        p: &Map<String, Value>,
        consumes: &[String],
        at: &str,
    ) -> Result<Value, String> {
        let schema = p
            .get("schema")
            .ok_or_else(|| format!("{at}: the `in: body` parameter has no `schema`"))?;
        let schema = self.schema(schema);
        let mut out = Map::new();
        for (k, v) in p {
            if k == "description" || (k.starts_with("x-") && k != "x-nullable") {
                out.insert(k.clone(), v.clone());
            }
        }
        let content: Map<String, Value> = consumes
            .iter()
            .map(|m| (m.clone(), json!({ "schema": schema.clone() })))
            .collect();
        out.insert("content".into(), Value::Object(content));
        if p.get("required") == Some(&json!(true)) {
            out.insert("required".into(), json!(true));
        }
        Ok(Value::Object(out))
    }

    /// `in: formData` parameters as one form body (an object schema, a property per field).
    fn form(
        &mut self,
        fields: &[&Map<String, Value>],
        consumes: &[String],
        at: &str,
    ) -> Result<Value, String> {
        let mut props = Map::new();
        let mut required = Vec::new();
        let mut file = false;
        for f in fields {
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{at}: a formData parameter needs a string `name`"))?;
            file |= f.get("type").and_then(Value::as_str) == Some("file");
            let mut s = self.value_schema(f, &format!("{at} ({name})"))?;
            if let (Some(d), Some(m)) = (f.get("description"), s.as_object_mut()) {
                m.insert("description".into(), d.clone());
            }
            props.insert(name.to_string(), s);
            if f.get("required") == Some(&json!(true)) {
                required.push(json!(name));
            }
        }
        let multipart = "multipart/form-data";
        let urlencoded = "application/x-www-form-urlencoded";
        let media = if consumes.iter().any(|c| c == multipart) {
            multipart
        } else if consumes.iter().any(|c| c == urlencoded) {
            urlencoded
        } else if file {
            multipart
        } else {
            urlencoded
        };
        let mut schema = json!({ "type": "object", "properties": props });
        if !required.is_empty() {
            schema["required"] = Value::Array(required);
        }
        let mut out = json!({ "content": { media: { "schema": schema } } });
        if fields
            .iter()
            .any(|f| f.get("required") == Some(&json!(true)))
        {
            out["required"] = json!(true);
        }
        Ok(out)
    }

    fn response(&mut self, r: &Value, produces: &[String], at: &str) -> Result<Value, String> {
        let m = object(r, at)?;
        if let Some(rf) = m.get("$ref") {
            return Ok(json!({ "$ref": rf }));
        }
        let mut out = Map::new();
        for (k, v) in m {
            if k == "description" || k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
        if !out.contains_key("description") {
            out.insert("description".into(), json!(""));
        }
        let schema = m.get("schema").map(|s| self.schema(s));
        let mut content = Map::new();
        if let Some(s) = &schema {
            for mt in produces {
                content.insert(mt.clone(), json!({ "schema": s }));
            }
        }
        if let Some(examples) = m.get("examples") {
            let examples = object(examples, &format!("{at}/examples"))?;
            for (mt, e) in examples {
                let entry = content.entry(mt.clone()).or_insert_with(|| match &schema {
                    Some(s) => json!({ "schema": s }),
                    None => json!({}),
                });
                if let Some(entry) = entry.as_object_mut() {
                    entry.insert("example".into(), e.clone());
                }
            }
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        if let Some(headers) = m.get("headers") {
            let headers = object(headers, &format!("{at}/headers"))?;
            let mut conv = Map::new();
            for (name, h) in headers {
                let here = format!("{at}/headers/{name}");
                let h = object(h, &here)?;
                let mut oh = Map::new();
                for (k, v) in h {
                    if k == "description" || (k.starts_with("x-") && k != "x-nullable") {
                        oh.insert(k.clone(), v.clone());
                    }
                }
                if h.get("collectionFormat")
                    .is_some_and(|f| f.as_str() != Some("csv"))
                {
                    self.note(format!(
                        "{here}: collectionFormat left out (headers are read comma-separated)"
                    ));
                }
                oh.insert("schema".into(), self.value_schema(h, &here)?);
                conv.insert(name.clone(), Value::Object(oh));
            }
            out.insert("headers".into(), Value::Object(conv));
        }
        Ok(Value::Object(out))
    }

    /// A Swagger 2.0 schema as an OpenAPI 3.0 one: `x-nullable` → `nullable`, `type: file` →
    /// a binary string, a string `discriminator` → `{propertyName}`; references are rewritten
    /// with the rest of the document.
    fn schema(&mut self, s: &Value) -> Value {
        let mut v = s.clone();
        upgrade_schema(&mut v);
        v
    }
}

fn upgrade_schema(v: &mut Value) {
    let Some(m) = v.as_object_mut() else {
        return;
    };
    if m.get("x-nullable") == Some(&json!(true)) {
        m.remove("x-nullable");
        m.insert("nullable".into(), json!(true));
    } else if m.get("x-nullable") == Some(&json!(false)) {
        m.remove("x-nullable");
    }
    if m.get("type").and_then(Value::as_str) == Some("file") {
        m.insert("type".into(), json!("string"));
        m.insert("format".into(), json!("binary"));
    }
    if let Some(Value::String(d)) = m.get("discriminator") {
        let d = json!({ "propertyName": d });
        m.insert("discriminator".into(), d);
    }
    for key in ["properties", "patternProperties", "definitions"] {
        if let Some(Value::Object(children)) = m.get_mut(key) {
            children.values_mut().for_each(upgrade_schema);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        match m.get_mut(key) {
            Some(Value::Array(items)) => items.iter_mut().for_each(upgrade_schema),
            Some(child) => upgrade_schema(child),
            None => {}
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = m.get_mut(key) {
            items.iter_mut().for_each(upgrade_schema);
        }
    }
}

fn default_media() -> Vec<String> {
    vec!["application/json".to_string()]
}

fn params_of<'v>(holder: &'v Map<String, Value>, at: &str) -> Result<Vec<&'v Value>, String> {
    match holder.get("parameters") {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a.iter().collect()),
        Some(_) => Err(format!("{at}/parameters is not a list")),
    }
}

/// Every Swagger 2.0 local reference, anywhere in the document, to its OpenAPI 3.0 place.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(from) {
                        *r = format!("{to}{rest}");
                        break;
                    }
                }
            }
            for child in map.values_mut() {
                rewrite_refs(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(doc: Value) -> (Value, Vec<String>) {
        to_openapi3(&doc).unwrap()
    }

    fn petstore() -> Value {
        json!({
            "swagger": "2.0",
            "info": { "title": "pets", "version": "1" },
            "host": "api.example.com",
            "basePath": "/v1",
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "tags": [{ "name": "pets" }],
            "externalDocs": { "url": "https://example.com" },
            "x-owner": "team",
            "security": [{ "key": [] }],
            "securityDefinitions": {
                "key": { "type": "apiKey", "in": "header", "name": "X-Key" },
                "basic": { "type": "basic", "description": "b" },
                "app": { "type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": { "r": "read" } },
                "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {} }
            },
            "definitions": {
                "Pet": {
                    "type": "object",
                    "required": ["name"],
                    "discriminator": "kind",
                    "properties": {
                        "name": { "type": "string" },
                        "kind": { "type": "string" },
                        "tag": { "type": "string", "x-nullable": true },
                        "photo": { "type": "file" },
                        "owner": { "$ref": "#/definitions/Owner" },
                        "friends": { "type": "array", "items": { "$ref": "#/definitions/Pet" } }
                    }
                },
                "Owner": { "type": "object", "x-nullable": true }
            },
            "parameters": {
                "petId": { "name": "petId", "in": "path", "required": true, "type": "integer", "format": "int64", "minimum": 1 },
                "newPet": { "name": "pet", "in": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } }
            },
            "responses": {
                "NotFound": { "description": "gone", "schema": { "$ref": "#/definitions/Owner" } }
            },
            "paths": {
                "/pets": {
                    "get": {
                        "operationId": "listPets",
                        "tags": ["pets"],
                        "x-rate": 5,
                        "parameters": [
                            { "name": "tags", "in": "query", "type": "array", "items": { "type": "string", "enum": ["a", "b"] }, "collectionFormat": "multi" },
                            { "name": "ids", "in": "query", "type": "array", "items": { "type": "integer" } },
                            { "name": "limit", "in": "query", "type": "integer", "maximum": 100, "default": 20, "allowEmptyValue": true },
                            { "name": "X-Trace", "in": "header", "type": "string", "pattern": "^[a-z]+$", "maxLength": 8 }
                        ],
                        "responses": {
                            "200": {
                                "description": "pets",
                                "schema": { "type": "array", "items": { "$ref": "#/definitions/Pet" } },
                                "examples": { "application/json": [{ "name": "rex" }] },
                                "headers": { "X-Total": { "type": "integer", "description": "n" } }
                            },
                            "default": { "$ref": "#/responses/NotFound" }
                        }
                    },
                    "post": {
                        "consumes": ["application/json", "application/xml"],
                        "parameters": [{ "$ref": "#/parameters/newPet" }],
                        "responses": { "201": { "description": "made" } }
                    }
                },
                "/pets/{petId}": {
                    "parameters": [{ "$ref": "#/parameters/petId" }],
                    "put": {
                        "parameters": [{ "name": "body", "in": "body", "schema": { "$ref": "#/definitions/Pet" } }],
                        "responses": { "200": { "description": "ok" } }
                    },
                    "post": {
                        "consumes": ["multipart/form-data"],
                        "parameters": [
                            { "name": "file", "in": "formData", "type": "file", "required": true },
                            { "name": "note", "in": "formData", "type": "string", "description": "why" }
                        ],
                        "responses": { "204": { "description": "stored" } }
                    },
                    "patch": {
                        "parameters": [{ "name": "name", "in": "formData", "type": "string" }],
                        "responses": { "204": { "description": "renamed" } }
                    }
                }
            }
        })
    }

    #[test]
    fn the_root_becomes_openapi_3_0() {
        let (d, notes) = convert(petstore());
        assert_eq!(d["openapi"], "3.0.3");
        assert!(d.get("swagger").is_none());
        assert_eq!(d["info"]["title"], "pets");
        assert_eq!(d["tags"][0]["name"], "pets");
        assert_eq!(d["externalDocs"]["url"], "https://example.com");
        assert_eq!(d["x-owner"], "team");
        assert_eq!(d["security"], json!([{ "key": [] }]));
        assert_eq!(
            d["servers"],
            json!([{ "url": "https://api.example.com/v1" }, { "url": "http://api.example.com/v1" }])
        );
        assert!(
            notes.iter().any(|n| n.contains("basePath \"/v1\"")),
            "{notes:?}"
        );
        for key in [
            "host",
            "basePath",
            "schemes",
            "definitions",
            "securityDefinitions",
            "parameters",
            "responses",
            "consumes",
            "produces",
        ] {
            assert!(d.get(key).is_none(), "{key} left at the root");
        }
    }

    #[test]
    fn security_definitions_become_schemes() {
        let (d, _) = convert(petstore());
        let s = &d["components"]["securitySchemes"];
        assert_eq!(
            s["key"],
            json!({ "type": "apiKey", "in": "header", "name": "X-Key" })
        );
        assert_eq!(
            s["basic"],
            json!({ "type": "http", "scheme": "basic", "description": "b" })
        );
        assert_eq!(
            s["app"]["flows"]["clientCredentials"],
            json!({ "tokenUrl": "https://t", "scopes": { "r": "read" } })
        );
        assert_eq!(
            s["code"]["flows"]["authorizationCode"]["authorizationUrl"],
            "https://a"
        );
        for (flow, name) in [("implicit", "implicit"), ("password", "password")] {
            let mut doc = petstore();
            doc["securityDefinitions"]["o"] =
                json!({ "type": "oauth2", "flow": flow, "scopes": {} });
            let (d, _) = convert(doc);
            assert!(d["components"]["securitySchemes"]["o"]["flows"]
                .get(name)
                .is_some());
        }
    }

    #[test]
    fn definitions_and_every_reference_move_to_components() {
        let (d, _) = convert(petstore());
        let pet = &d["components"]["schemas"]["Pet"];
        assert_eq!(
            pet["properties"]["owner"]["$ref"],
            "#/components/schemas/Owner"
        );
        assert_eq!(
            pet["properties"]["friends"]["items"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            pet["properties"]["tag"],
            json!({ "type": "string", "nullable": true })
        );
        assert_eq!(
            pet["properties"]["photo"],
            json!({ "type": "string", "format": "binary" })
        );
        assert_eq!(pet["discriminator"], json!({ "propertyName": "kind" }));
        assert_eq!(
            d["components"]["schemas"]["Owner"],
            json!({ "type": "object", "nullable": true })
        );
        assert_eq!(
            d["paths"]["/pets/{petId}"]["parameters"],
            json!([{ "$ref": "#/components/parameters/petId" }])
        );
        assert_eq!(
            d["components"]["parameters"]["petId"],
            json!({ "name": "petId", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64", "minimum": 1 } })
        );
        assert_eq!(
            d["paths"]["/pets"]["get"]["responses"]["default"],
            json!({ "$ref": "#/components/responses/NotFound" })
        );
        assert_eq!(
            d["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/Owner"
        );
        // No Swagger 2.0 reference is left anywhere.
        let text = d.to_string();
        assert!(
            !text.contains("#/definitions/")
                && !text.contains("\"#/parameters/")
                && !text.contains("\"#/responses/"),
            "{text}"
        );
    }

    #[test]
    fn parameters_get_a_schema_and_a_style() {
        let (d, _) = convert(petstore());
        let ps = d["paths"]["/pets"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(
            ps[0],
            json!({ "name": "tags", "in": "query", "style": "form", "explode": true,
                    "schema": { "type": "array", "items": { "type": "string", "enum": ["a", "b"] } } })
        );
        // Swagger's default collection format is csv, OpenAPI's default for query is exploded.
        assert_eq!(ps[1]["style"], "form");
        assert_eq!(ps[1]["explode"], false);
        assert_eq!(
            ps[2],
            json!({ "name": "limit", "in": "query", "allowEmptyValue": true,
                    "schema": { "type": "integer", "maximum": 100, "default": 20 } })
        );
        assert_eq!(
            ps[3]["schema"],
            json!({ "type": "string", "pattern": "^[a-z]+$", "maxLength": 8 })
        );
        for (format, style) in [("ssv", "spaceDelimited"), ("pipes", "pipeDelimited")] {
            let mut doc = petstore();
            doc["paths"]["/pets"]["get"]["parameters"][0]["collectionFormat"] = json!(format);
            let (d, notes) = convert(doc);
            assert_eq!(d["paths"]["/pets"]["get"]["parameters"][0]["style"], style);
            assert!(notes.is_empty() || !notes.iter().any(|n| n.contains("collectionFormat")));
        }
        let mut doc = petstore();
        doc["paths"]["/pets"]["get"]["parameters"][0]["collectionFormat"] = json!("tsv");
        let (_, notes) = convert(doc);
        assert!(notes.iter().any(|n| n.contains("\"tsv\"")), "{notes:?}");
    }

    #[test]
    fn body_parameters_become_request_bodies() {
        let (d, _) = convert(petstore());
        let post = &d["paths"]["/pets"]["post"];
        assert!(post.get("parameters").is_none());
        assert_eq!(post["requestBody"]["required"], true);
        let content = post["requestBody"]["content"].as_object().unwrap();
        assert_eq!(
            content.keys().collect::<Vec<_>>(),
            ["application/json", "application/xml"]
        );
        assert_eq!(
            content["application/xml"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
        let put = &d["paths"]["/pets/{petId}"]["put"];
        assert!(put["requestBody"].get("required").is_none());
        assert!(put["requestBody"]["content"]
            .get("application/json")
            .is_some());
        // The global body parameter is kept as a request body component too.
        assert!(
            d["components"]["requestBodies"]["newPet"]["content"]["application/json"].is_object()
        );
    }

    #[test]
    fn form_parameters_become_a_form_body() {
        let (d, _) = convert(petstore());
        let upload = &d["paths"]["/pets/{petId}"]["post"]["requestBody"];
        assert_eq!(upload["required"], true);
        assert_eq!(
            upload["content"]["multipart/form-data"]["schema"],
            json!({ "type": "object", "required": ["file"], "properties": {
                "file": { "type": "string", "format": "binary" },
                "note": { "type": "string", "description": "why" }
            } })
        );
        let rename = &d["paths"]["/pets/{petId}"]["patch"]["requestBody"];
        assert!(
            rename["content"]["application/x-www-form-urlencoded"]["schema"]["properties"]["name"]
                .is_object()
        );
    }

    #[test]
    fn responses_get_content_examples_and_header_schemas() {
        let (d, _) = convert(petstore());
        let ok = &d["paths"]["/pets"]["get"]["responses"]["200"];
        assert_eq!(
            ok["content"]["application/json"]["schema"]["items"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert_eq!(
            ok["content"]["application/json"]["example"],
            json!([{ "name": "rex" }])
        );
        assert_eq!(
            ok["headers"]["X-Total"],
            json!({ "description": "n", "schema": { "type": "integer" } })
        );
        assert_eq!(d["paths"]["/pets"]["get"]["x-rate"], 5);
        assert_eq!(d["paths"]["/pets"]["get"]["operationId"], "listPets");
        // No schema: no content.
        assert_eq!(
            d["paths"]["/pets"]["post"]["responses"]["201"],
            json!({ "description": "made" })
        );
        // The operation's own produces wins over the root's.
        let mut doc = petstore();
        doc["paths"]["/pets"]["get"]["produces"] = json!(["text/csv"]);
        let (d, _) = convert(doc);
        let content = d["paths"]["/pets"]["get"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
        assert!(content.contains_key("text/csv"));
    }

    #[test]
    fn a_document_without_produces_or_host_gets_json_and_no_servers() {
        let (d, notes) = convert(json!({
            "swagger": "2.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "post": {
                "parameters": [{ "name": "b", "in": "body", "schema": { "type": "object" } }],
                "responses": { "200": { "description": "ok", "schema": { "type": "object" } } }
            } } }
        }));
        assert!(d.get("servers").is_none());
        assert!(notes.is_empty(), "{notes:?}");
        let op = &d["paths"]["/a"]["post"];
        assert!(op["requestBody"]["content"]["application/json"].is_object());
        assert!(op["responses"]["200"]["content"]["application/json"].is_object());
    }

    #[test]
    fn bad_documents_are_errors_that_say_where() {
        let cases = [
            (json!([]), "a JSON object"),
            (json!({ "swagger": "3.0", "paths": {} }), "swagger: \"3.0\""),
            (json!({ "swagger": 2.0, "paths": {} }), "is not a version"),
            (json!({ "swagger": "2.0" }), "no `paths`"),
            (
                json!({ "swagger": "2.0", "paths": [] }),
                "paths is not an object",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": 1 } }),
                "paths//a is not an object",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": 1 } } }),
                "paths//a/get is not an object",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": {} } } } }),
                "parameters is not a list",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "$ref": "#/parameters/x" }] } } } }),
                "names no global parameter",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "name": "x", "in": "cookie" }] } } } }),
                "in: cookie",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "in": "body" }] } } } }),
                "has no `schema`",
            ),
            (
                json!({ "swagger": "2.0", "paths": { "/a": { "get": { "responses": [] } } } }),
                "responses is not an object",
            ),
            (
                json!({ "swagger": "2.0", "paths": {}, "definitions": 1 }),
                "definitions is not an object",
            ),
            (
                json!({ "swagger": "2.0", "paths": {}, "securityDefinitions": { "k": { "type": "magic" } } }),
                "not basic, apiKey or oauth2",
            ),
            (
                json!({ "swagger": "2.0", "paths": {}, "securityDefinitions": { "k": { "type": "apiKey", "in": "header" } } }),
                "string `name`",
            ),
            (
                json!({ "swagger": "2.0", "paths": {}, "produces": "json" }),
                "list of media types",
            ),
        ];
        for (doc, says) in cases {
            let e = to_openapi3(&doc).unwrap_err();
            assert!(e.contains(says), "{doc}: {e}");
        }
    }

    #[test]
    fn any_damage_is_an_error_or_a_document_never_a_panic() {
        use rand::{Rng, SeedableRng};
        fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
            out.push(at.clone());
            match v {
                Value::Object(m) => m.iter().for_each(|(k, c)| {
                    pointers(c, format!("{at}/{}", super::super::escape(k)), out)
                }),
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, c)| pointers(c, format!("{at}/{i}"), out)),
                _ => {}
            }
        }
        let doc = petstore();
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let junk = [
            json!(null),
            json!(7),
            json!("x"),
            json!([]),
            json!({}),
            json!({ "$ref": "#/parameters/nope" }),
            json!(true),
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let mut outcomes = (0, 0);
        for _ in 0..400 {
            let mut d = doc.clone();
            for _ in 0..rng.random_range(1..4) {
                let at = &all[rng.random_range(0..all.len())];
                if let Some(node) = d.pointer_mut(at) {
                    *node = junk[rng.random_range(0..junk.len())].clone();
                }
            }
            match to_openapi3(&d) {
                Ok(_) => outcomes.0 += 1,
                Err(e) => {
                    assert!(!e.is_empty());
                    outcomes.1 += 1;
                }
            }
        }
        assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
    }
}
