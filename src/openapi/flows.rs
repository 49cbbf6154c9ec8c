//! What an OpenAPI document says across requests, as multi-step suite cases of an import.
//!
//! A single request shows little of an API: a server whose "created" resource cannot be read
//! back passes every one-request case. Documents do say more, in three ways, and each becomes
//! cases with the provenance the golden rule asks for:
//!
//! - **links** (`responses.*.links`): the document states that a value of one answer feeds
//!   another operation. A link case sends the source operation's example request, captures
//!   what the link's runtime expressions name (`$response.body#/id`, `$response.header.X`,
//!   `$request.path.id`, ...) and sends the target operation with those values, which must get a
//!   documented success, quoting the link. A value the response schema does not promise (not
//!   `required`) is a decided capture: missing, the case is inconclusive, not failed.
//! - **resource sequences** inferred from path shapes (`POST /pets` + `GET /pets/{petId}`, and
//!   `PUT`/`PATCH`/`DELETE` there): create, read back, update, read, delete, read again. The
//!   document does not state the relation (that would be a link), so the case is decided as a
//!   whole: a created resource that cannot be read back is an advisory, never a failure. Only
//!   what holds independently (documented bodies of documented statuses, no 5xx) stays stated.
//! - **methods the document does not list** on a known path: HTTP's answer is 405 with an
//!   `Allow` header, but the document says nothing of them, so these cases (kind `method`)
//!   only ever advise, even on a 5xx (a 501 is HTTP's answer to an unknown method).
//!
//! The import calls this only for documents without `x-conform` extensions, so export then
//! import still gives back the contract as it was.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::{unescape, METHODS};

/// What the flows need of one imported operation.
pub(super) struct Op<'a> {
    pub id: &'a str,
    /// Upper case, as in the suite.
    pub method: &'a str,
    pub path: &'a str,
    /// The documented 2xx statuses (the suite's responses).
    pub success: Vec<u16>,
    /// The example request the import wrote (`params`, `body`), if any.
    pub example: Option<&'a Value>,
    /// The example body is one of the document's own examples (not drawn from the schema).
    pub body_from_document: bool,
    /// The operation object in the document.
    pub raw: &'a Value,
}

/// The cases, and notes on what was left out.
pub(super) fn cases<'a>(
    doc: &'a Value,
    ops: &'a [Op<'a>],
    taken: &BTreeSet<String>,
) -> (Vec<Value>, Vec<String>) {
    let mut f = Flows {
        doc,
        ops,
        names: taken.clone(),
        notes: Vec::new(),
        out: Vec::new(),
    };
    let linked = f.links();
    f.sequences(&linked);
    f.methods();
    (f.out, f.notes)
}

const INFERRED: &str =
    "the document does not link these operations; the sequence is inferred from the paths";
const GONE: &str = "the document rarely says what reading a deleted resource answers; 404 (HTTP's 'no such resource') is the contract's reading";

struct Flows<'a> {
    doc: &'a Value,
    ops: &'a [Op<'a>],
    names: BTreeSet<String>,
    notes: Vec<String>,
    out: Vec<Value>,
}

impl<'a> Flows<'a> {
    fn name(&mut self, base: &str) -> String {
        let base = clean(base);
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }

    /// Follows `#/...` references inside the document (one chain, bounded).
    fn deref(&self, v: &'a Value) -> &'a Value {
        let mut cur = v;
        for _ in 0..8 {
            match cur
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| self.doc.pointer(p))
            {
                Some(next) => cur = next,
                None => break,
            }
        }
        cur
    }

    fn op_by_raw(&self, raw: &Value) -> Option<&'a Op<'a>> {
        self.ops.iter().find(|o| std::ptr::eq(o.raw, raw))
    }

    fn label(op: &Op<'_>) -> String {
        format!("{} {}", op.method, op.path)
    }

    /// The example's parameters and body of `op`, as a step's.
    fn base_step(op: &Op<'_>) -> Value {
        let mut step = json!({ "endpoint": op.id });
        if let Some(ex) = op.example {
            for key in ["params", "body"] {
                if let Some(v) = ex.get(key) {
                    step[key] = v.clone();
                }
            }
        }
        step
    }

    /// The response schema the document gives for `code` of `op` (JSON media), raw.
    fn response_schema(&self, op: &Op<'a>, code: &str) -> Option<&'a Value> {
        let r = self.deref(
            op.raw
                .pointer(&format!("/responses/{}", super::escape(code)))?,
        );
        let content = r.get("content")?.as_object()?;
        let (_, media) = content
            .iter()
            .find(|(k, _)| k.contains("json"))
            .or_else(|| content.iter().next())?;
        media.get("schema")
    }

    /// Whether the document promises the value at `pointer` of an instance of `schema`: every
    /// property on the way is `required` (through `$ref` and `allOf`).
    fn promised(&self, schema: &'a Value, pointer: &str) -> bool {
        let mut level: Vec<&'a Value> = vec![schema];
        for seg in pointer.split('/').skip(1).map(unescape) {
            let expanded = self.expand(&level);
            if !expanded.iter().any(|s| {
                s.get("required")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|x| x == seg.as_str()))
            }) {
                return false;
            }
            level = expanded
                .iter()
                .filter_map(|s| s.pointer(&format!("/properties/{}", super::escape(&seg))))
                .collect();
        }
        true
    }

    /// The schemas that apply together: each with its `$ref` target and `allOf` branches.
    fn expand(&self, level: &[&'a Value]) -> Vec<&'a Value> {
        let mut out = Vec::new();
        let mut todo: Vec<&'a Value> = level.to_vec();
        while let Some(s) = todo.pop() {
            if out.len() > 64 {
                break;
            }
            let s = self.deref(s);
            out.push(s);
            for b in s
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                todo.push(b);
            }
        }
        out
    }

    /// The property names an instance of `schema` may have (through `$ref` and `allOf`), and
    /// the required ones.
    fn properties(&self, schema: &'a Value) -> (Vec<(String, &'a Value)>, BTreeSet<String>) {
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        for s in self.expand(&[schema]) {
            for (k, v) in s
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !props.iter().any(|(n, _)| n == k) {
                    props.push((k.clone(), self.deref(v)));
                }
            }
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(r) = r.as_str() {
                    required.insert(r.to_string());
                }
            }
        }
        (props, required)
    }

    /// One case per response link of every operation. Returns the (source, target) operation
    /// ids the links relate.
    fn links(&mut self) -> BTreeSet<(String, String)> {
        let mut related = BTreeSet::new();
        for op in self.ops {
            let responses = op.raw.get("responses").and_then(Value::as_object);
            for (code, r) in responses.into_iter().flatten() {
                if !code.starts_with('2') {
                    continue;
                }
                let r = self.deref(r);
                for (name, link) in r
                    .get("links")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let link = self.deref(link);
                    match self.link_case(op, code, name, link) {
                        Ok((case, target)) => {
                            related.insert((op.id.to_string(), target));
                            self.out.push(case);
                        }
                        Err(why) => self.notes.push(format!(
                            "{} response {code} link {name:?} left out: {why}",
                            Self::label(op)
                        )),
                    }
                }
            }
        }
        related
    }

    fn link_target(&self, link: &'a Value) -> Result<&'a Op<'a>, String> {
        if let Some(id) = link.get("operationId").and_then(Value::as_str) {
            return self
                .ops
                .iter()
                .find(|o| o.raw.get("operationId").and_then(Value::as_str) == Some(id))
                .ok_or_else(|| format!("operationId {id:?} names no imported operation"));
        }
        if let Some(r) = link.get("operationRef").and_then(Value::as_str) {
            let raw = r
                .strip_prefix('#')
                .and_then(|p| self.doc.pointer(p))
                .ok_or_else(|| {
                    format!("operationRef {r:?} is not an operation of this document")
                })?;
            return self
                .op_by_raw(raw)
                .ok_or_else(|| format!("operationRef {r:?} names no imported operation"));
        }
        Err("it names no operationId or operationRef".into())
    }

    fn link_case(
        &mut self,
        op: &'a Op<'a>,
        code: &str,
        name: &str,
        link: &'a Value,
    ) -> Result<(Value, String), String> {
        let target = self.link_target(link)?;
        let quote = link
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(String::from)
            .unwrap_or_else(|| format!("links.{name}"));
        let schema = self.response_schema(op, code);
        let headers = op
            .raw
            .pointer(&format!("/responses/{}", super::escape(code)))
            .map(|r| self.deref(r))
            .and_then(|r| r.get("headers"));
        let source_step = Self::base_step(op);
        let mut capture = Map::new();
        let mut ex = Expr {
            flows: self,
            link: name,
            schema,
            headers,
            source: &source_step,
            capture: &mut capture,
        };
        let mut params = Map::new();
        for (key, v) in link
            .get("parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            // `path.id` / `query.id` qualify a name that two places share.
            let pname = key.split_once('.').map_or(key.as_str(), |(_, n)| n);
            params.insert(pname.to_string(), ex.value(v)?);
        }
        let body = match link.get("requestBody") {
            Some(v) => Some(ex.value(v)?),
            None => None,
        };
        let mut step2 = Self::base_step(target);
        let merged = step2
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .chain(params)
            .collect::<Map<_, _>>();
        if !merged.is_empty() {
            step2["params"] = Value::Object(merged);
        }
        if let Some(b) = body {
            step2["body"] = b;
        }
        step2["expect"] = json!(target.success);
        step2["quote"] = json!(quote);
        let mut step1 = source_step.clone();
        if !capture.is_empty() {
            step1["capture"] = Value::Object(capture);
        }
        let mut case = json!({
            "name": self.name(&format!("link-{}-{name}", op.id)),
            "description": format!(
                "{} then {} with what link {name:?} takes from the answer: a documented success",
                Self::label(op),
                Self::label(target)
            ),
            "doc": format!("{} > responses > {code} > links > {name}", Self::label(op)),
            "quote": quote,
            "steps": [step1, step2],
        });
        if op.example.is_some_and(|e| e.get("body").is_some()) && !op.body_from_document {
            // The link is stated, but the first request is conform's: refused, nothing failed.
            case.as_object_mut().map(|m| m.remove("quote"));
            case["decided"] = json!("the first request's body is drawn from the schema (the document gives no example of it); whether the target accepts it may depend on its state");
        }
        Ok((case, target.id.to_string()))
    }

    /// Create, read back, update, read, delete, read again, for every collection with a
    /// `POST` whose items have a `GET`, unless a link already relates them.
    fn sequences(&mut self, linked: &BTreeSet<(String, String)>) {
        for create in self.ops.iter().filter(|o| o.method == "POST") {
            let Some((item_path, param)) = self.item_of(create.path) else {
                continue;
            };
            let on_item = |m: &str| {
                self.ops
                    .iter()
                    .find(|o| o.method == m && o.path == item_path)
            };
            let Some(read) = on_item("GET") else {
                continue;
            };
            if linked.contains(&(create.id.to_string(), read.id.to_string())) {
                continue;
            }
            let Some(code) = create.success.first().map(u16::to_string) else {
                continue;
            };
            let Some((capture, id_prop)) = self.created_id(create, &code, &param) else {
                self.notes.push(format!(
                    "{} then {}: no sequence, the create answer names no id (a property like `{param}` or `id`, or a Location header)",
                    Self::label(create),
                    Self::label(read)
                ));
                continue;
            };
            let with_id = |op: &Op<'_>| {
                let mut s = Self::base_step(op);
                let mut params = s
                    .get("params")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                params.insert(param.clone(), json!("${created_id}"));
                s["params"] = Value::Object(params);
                s["expect"] = json!(op.success);
                s
            };
            let read_schema = read
                .success
                .first()
                .and_then(|c| self.response_schema(read, &c.to_string()));
            let read_props: Vec<String> = read_schema
                .map(|s| self.properties(s).0.into_iter().map(|(n, _)| n).collect())
                .unwrap_or_default();
            let readback = |sent: Option<&Value>, after: &str| {
                let mut s = with_id(read);
                let mut asserts = Vec::new();
                if let Some(p) = id_prop.as_ref().filter(|p| read_props.contains(p)) {
                    asserts.push(json!({
                        "id": "same-id",
                        "description": format!("the resource read {after} is the one created"),
                        "doc": format!("{} > {p}", Self::label(read)),
                        "pointer": format!("/{}", super::escape(p)),
                        "equals": "${created_id}",
                        "decided": INFERRED,
                    }));
                }
                // Scalars sent are read back as sent (a server may normalise them: advice).
                for (k, v) in sent.and_then(Value::as_object).into_iter().flatten() {
                    let scalar = matches!(v, Value::Bool(_) | Value::Number(_))
                        || v.as_str().is_some_and(|t| !t.contains("${"));
                    if scalar && read_props.contains(k) {
                        asserts.push(json!({
                            "id": format!("kept-{}", clean(k)),
                            "description": format!("`{k}` read {after} is the value sent"),
                            "doc": format!("{} > {k}", Self::label(read)),
                            "pointer": format!("/{}", super::escape(k)),
                            "equals": v,
                            "decided": INFERRED,
                        }));
                    }
                }
                if !asserts.is_empty() {
                    s["assert"] = Value::Array(asserts);
                }
                s
            };
            let mut first = Self::base_step(create);
            first["expect"] = json!(create.success);
            first["capture"] = json!({ "created_id": capture });
            let sent = create.example.and_then(|e| e.get("body"));
            let mut steps = vec![first, readback(sent, "back")];
            let mut shown = vec![Self::label(create), Self::label(read)];
            if let Some(update) = on_item("PUT").or_else(|| on_item("PATCH")) {
                let s = with_id(update);
                let sent = s.get("body").cloned();
                steps.push(s);
                steps.push(readback(sent.as_ref(), "after the update"));
                shown.push(Self::label(update));
            }
            if let Some(delete) = on_item("DELETE") {
                steps.push(with_id(delete));
                let mut gone = with_id(read);
                gone["expect"] = json!([404]);
                gone["expect_decided"] = json!(GONE);
                steps.push(gone);
                shown.push(Self::label(delete));
            }
            let resource = create.path.rsplit('/').next().unwrap_or("resource");
            let case = json!({
                "name": self.name(&format!("crud-{resource}-{}", create.id)),
                "description": format!(
                    "what {} creates can be read back ({}){}",
                    Self::label(create),
                    shown.join(", "),
                    if on_item("DELETE").is_some() { ", and is gone once deleted" } else { "" }
                ),
                "doc": format!("{} > {}", Self::label(create), Self::label(read)),
                "decided": INFERRED,
                "steps": steps,
            });
            self.out.push(case);
        }
    }

    /// `/pets` → (`/pets/{petId}`, `petId`) when the document has such an item path.
    fn item_of(&self, collection: &str) -> Option<(String, String)> {
        let prefix = format!("{}/", collection.trim_end_matches('/'));
        self.ops.iter().find_map(|o| {
            let rest = o.path.strip_prefix(&prefix)?;
            let name = rest.strip_prefix('{')?.strip_suffix('}')?;
            (!name.contains(['{', '}', '/'])).then(|| (o.path.to_string(), name.to_string()))
        })
    }

    /// Where the create answer carries the new id: a capture spec, and the body property.
    fn created_id(
        &self,
        create: &Op<'a>,
        code: &str,
        param: &str,
    ) -> Option<(Value, Option<String>)> {
        let singular = create
            .path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches('s')
            .to_ascii_lowercase();
        if let Some(schema) = self.response_schema(create, code) {
            let (props, required) = self.properties(schema);
            let names: Vec<&str> = props.iter().map(|(n, _)| n.as_str()).collect();
            let lower = |n: &str| n.to_ascii_lowercase().replace(['_', '-'], "");
            let wanted = [
                param.to_ascii_lowercase().replace(['_', '-'], ""),
                "id".into(),
                format!("{singular}id"),
            ];
            let found = wanted
                .iter()
                .find_map(|w| names.iter().find(|n| lower(n) == *w).copied())
                .or_else(|| {
                    let id_like: Vec<&str> = names
                        .iter()
                        .filter(|n| required.contains(**n) && lower(n).ends_with("id"))
                        .copied()
                        .collect();
                    (id_like.len() == 1).then(|| id_like[0])
                });
            if let Some(p) = found {
                let pointer = format!("/{}", super::escape(p));
                let mut spec = json!({ "pointer": pointer });
                if !self.promised(schema, &pointer) {
                    spec["decided"] = json!(format!(
                        "the create answer's schema does not require `{p}`: the document does not promise the id"
                    ));
                }
                return Some((spec, Some(p.to_string())));
            }
        }
        let headers = create
            .raw
            .pointer(&format!("/responses/{}", super::escape(code)))
            .map(|r| self.deref(r))
            .and_then(|r| r.get("headers"))
            .and_then(Value::as_object)?;
        let (h, spec) = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))?;
        let required = self.deref(spec).get("required") == Some(&json!(true));
        let mut capture = json!({ "header": h, "decode": "last-segment" });
        if !required {
            capture["decided"] = json!("the document does not mark the Location header required");
        }
        Some((capture, None))
    }

    /// One probe per common method the document does not list for a path.
    fn methods(&mut self) {
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            return;
        };
        for (path, item) in paths {
            let item = self.deref(item);
            let listed: Vec<String> = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            // The probe needs an imported operation of the path for its URL and parameters.
            let Some(base) = self.ops.iter().find(|o| o.path == path.as_str()) else {
                continue;
            };
            // HEAD comes with GET, OPTIONS with any server: an Allow may name them.
            for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                if listed.iter().any(|l| l == m) {
                    continue;
                }
                let why = format!(
                    "the document lists {} for {path} and says nothing of {m}: 405 with an Allow header naming them is HTTP's answer (RFC 9110), not the document's",
                    listed.join(", ")
                );
                let mut step = json!({ "endpoint": base.id, "method": m, "expect": [405] });
                if let Some(p) = base.example.and_then(|e| e.get("params")) {
                    step["params"] = p.clone();
                }
                step["capture"] = json!({ "allow": { "header": "Allow", "decided": why } });
                let asserts: Vec<Value> = listed
                    .iter()
                    .map(|l| {
                        json!({
                            "id": format!("allow-names-{}", l.to_ascii_lowercase()),
                            "description": format!("the Allow header names {l}"),
                            "doc": format!("paths > {path}"),
                            "var": "allow",
                            "when_status": [405],
                            "matches": format!("(?i)(^|[ ,]){l}($|[ ,])"),
                            "decided": why,
                        })
                    })
                    .collect();
                step["assert"] = Value::Array(asserts);
                let case = json!({
                    "name": self.name(&format!("undocumented-method-{m}-{path}")),
                    "description": format!("{m} {path}, a method the document does not list, is refused with 405 and an Allow header"),
                    "doc": format!("paths > {path}"),
                    "decided": why,
                    "steps": [step],
                });
                self.out.push(case);
            }
        }
    }
}

/// Turns one link value (a runtime expression, a string embedding `{expressions}`, or a
/// constant) into a step value, adding the captures it needs.
struct Expr<'e, 'a> {
    flows: &'e Flows<'a>,
    link: &'e str,
    schema: Option<&'a Value>,
    /// The response's documented headers.
    headers: Option<&'a Value>,
    source: &'e Value,
    capture: &'e mut Map<String, Value>,
}

impl Expr<'_, '_> {
    fn value(&mut self, v: &Value) -> Result<Value, String> {
        let Some(s) = v.as_str() else {
            return Ok(v.clone());
        };
        if s.starts_with('$') {
            return self.expression(s);
        }
        if !s.contains("{$") {
            return Ok(v.clone());
        }
        // `prefix-{$response.body#/id}`: each embedded expression rendered as text.
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("{$") {
            let end = rest[start..]
                .find('}')
                .map(|e| start + e)
                .ok_or_else(|| format!("unclosed expression in {s:?}"))?;
            out.push_str(&rest[..start]);
            let part = self.expression(&rest[start + 1..end])?;
            match part {
                Value::String(t) => out.push_str(&t),
                other => out.push_str(&other.to_string()),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }

    fn expression(&mut self, e: &str) -> Result<Value, String> {
        if let Some(pointer) = e.strip_prefix("$response.body") {
            let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err(format!("{e:?} is not a JSON pointer expression"));
            }
            let var = self.var(pointer);
            let mut spec = json!({ "pointer": pointer });
            let promised = self.schema.is_some_and(|s| self.flows.promised(s, pointer));
            if !promised {
                spec["decided"] = json!(format!(
                    "the response schema does not require {}: the document does not promise the value link {:?} takes",
                    if pointer.is_empty() { "a body" } else { pointer },
                    self.link
                ));
            }
            self.capture.insert(var.clone(), spec);
            return Ok(json!(format!("${{{var}}}")));
        }
        if let Some(h) = e.strip_prefix("$response.header.") {
            let var = self.var(&format!("/{h}"));
            let required = self
                .headers
                .and_then(Value::as_object)
                .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(h)))
                .is_some_and(|(_, spec)| {
                    self.flows.deref(spec).get("required") == Some(&json!(true))
                });
            let mut spec = json!({ "header": h });
            if !required {
                spec["decided"] = json!(format!(
                    "the document does not mark header {h} required: it does not promise the value link {:?} takes",
                    self.link
                ));
            }
            self.capture.insert(var.clone(), spec);
            return Ok(json!(format!("${{{var}}}")));
        }
        for (prefix, key) in [("$request.path.", "params"), ("$request.query.", "params")] {
            if let Some(n) = e.strip_prefix(prefix) {
                return self
                    .source
                    .get(key)
                    .and_then(|p| p.get(n))
                    .cloned()
                    .ok_or_else(|| format!("{e:?}: the first request sends no `{n}`"));
            }
        }
        if let Some(pointer) = e.strip_prefix("$request.body") {
            let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
            return self
                .source
                .get("body")
                .and_then(|b| b.pointer(pointer))
                .cloned()
                .ok_or_else(|| format!("{e:?}: the first request's body has nothing there"));
        }
        Err(format!("runtime expression {e:?} is not supported"))
    }

    /// A capture variable for `pointer` that no config variable can be (`linked_...`).
    fn var(&self, pointer: &str) -> String {
        let tail = pointer.rsplit('/').next().unwrap_or("");
        let base = format!(
            "linked_{}",
            tail.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        );
        let mut var = base.clone();
        let mut n = 2;
        while self
            .capture
            .get(&var)
            .is_some_and(|v| v.get("pointer").and_then(Value::as_str) != Some(pointer))
        {
            var = format!("{base}_{n}");
            n += 1;
        }
        var
    }
}

/// A case name from any text: letters, digits, '-' and '_'.
fn clean(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// The operation object of `method path` in the document (a `$ref`'d path item followed).
pub(super) fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> Option<&'a Value> {
    let mut item = doc.get("paths")?.get(path)?;
    for _ in 0..8 {
        match item
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(p) => item = doc.pointer(p)?,
            None => break,
        }
    }
    item.get(method.to_ascii_lowercase())
}
