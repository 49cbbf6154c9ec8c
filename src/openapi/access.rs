//! `readOnly` and `writeOnly` as OpenAPI means them: one schema, two readings.
//!
//! A property marked `readOnly` is sent by the server only: a request body never carries it,
//! and a `required` one is required in answers only. A `writeOnly` property (a password) is sent
//! by the client only: an answer need not carry it. JSON Schema validators treat both as
//! annotations, so a schema shared by requests and answers would make the generators send a
//! server's `id` and the checks demand a password back. The import therefore writes a request
//! copy (`Pet.request.json`: readOnly properties removed) and a response copy
//! (`Pet.response.json`: writeOnly properties not required) of every file that needs one,
//! following `$ref`s between files, and points the endpoints at the copies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Request,
    Response,
}

impl Side {
    fn keyword(self) -> &'static str {
        match self {
            Side::Request => "readOnly",
            Side::Response => "writeOnly",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// The copies of `files` one side needs: original file name → copy's name, and the copies
/// (named apart from every file in `files`).
pub(super) fn copies(
    files: &BTreeMap<String, Value>,
    side: Side,
) -> (BTreeMap<String, String>, Vec<(String, Value)>) {
    // Files that mark a property, then those that reference one of them, until nothing changes.
    let mut needs: BTreeSet<String> = files
        .iter()
        .filter(|(_, v)| marks(v, side.keyword()))
        .map(|(f, _)| f.clone())
        .collect();
    loop {
        let more: Vec<String> = files
            .iter()
            .filter(|(f, v)| !needs.contains(*f) && refs(v).iter().any(|r| needs.contains(r)))
            .map(|(f, _)| f.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        needs.extend(more);
    }
    let mut names = BTreeMap::new();
    for f in &needs {
        let stem = f.strip_suffix(".json").unwrap_or(f);
        let mut name = format!("{stem}.{}.json", side.suffix());
        let mut n = 2;
        while files.contains_key(&name) {
            name = format!("{stem}.{}-{n}.json", side.suffix());
            n += 1;
        }
        names.insert(f.clone(), name);
    }
    let mut out = Vec::new();
    for (f, name) in &names {
        let mut copy = files[f].clone();
        rewrite(&mut copy, side, &names, side == Side::Request);
        out.push((name.clone(), copy));
    }
    (names, out)
}

/// A whole OpenAPI document with the side's marked properties no longer required (kept, so an
/// example that shows one still validates): what that side's examples are checked against.
pub(super) fn relaxed(doc: &Value, side: Side) -> Value {
    let mut d = doc.clone();
    rewrite(&mut d, side, &BTreeMap::new(), false);
    d
}

fn marked(v: &Value, keyword: &str) -> bool {
    v.get(keyword) == Some(&Value::Bool(true))
}

/// Whether any subschema of `v` has a property marked with `keyword`.
fn marks(v: &Value, keyword: &str) -> bool {
    match v {
        Value::Object(m) => {
            m.get("properties")
                .and_then(Value::as_object)
                .is_some_and(|p| p.values().any(|s| marked(s, keyword)))
                || m.values().any(|c| marks(c, keyword))
        }
        Value::Array(a) => a.iter().any(|c| marks(c, keyword)),
        _ => false,
    }
}

/// The files `v` references (`$ref` values with a file part).
fn refs(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_refs(v, &mut |r| {
        let file = r.split('#').next().unwrap_or("");
        if !file.is_empty() {
            out.push(file.to_string());
        }
    });
    out
}

fn walk_refs(v: &Value, f: &mut dyn FnMut(&str)) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                f(r);
            }
            m.values().for_each(|c| walk_refs(c, f));
        }
        Value::Array(a) => a.iter().for_each(|c| walk_refs(c, f)),
        _ => {}
    }
}

/// One side's copy: marked properties dropped (request) or not required (response), and
/// references to files with copies pointed at the copies.
fn rewrite(v: &mut Value, side: Side, names: &BTreeMap<String, String>, drop: bool) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                let (file, rest) = r
                    .split_once('#')
                    .map_or((r.as_str(), None), |(f, p)| (f, Some(p)));
                if let Some(copy) = names.get(file) {
                    *r = match rest {
                        Some(p) => format!("{copy}#{p}"),
                        None => copy.clone(),
                    };
                }
            }
            // Names marked here or in an `allOf` branch beside this `required`.
            let mut gone: BTreeSet<String> = BTreeSet::new();
            let mut collect = |s: &Value| {
                for (k, p) in s
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if marked(p, side.keyword()) {
                        gone.insert(k.clone());
                    }
                }
            };
            collect(&Value::Object(m.clone()));
            for b in m
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect(b);
            }
            if !gone.is_empty() {
                if let Some(Value::Array(req)) = m.get_mut("required") {
                    req.retain(|x| x.as_str().is_none_or(|x| !gone.contains(x)));
                }
                if drop {
                    if let Some(Value::Object(props)) = m.get_mut("properties") {
                        props.retain(|k, _| !gone.contains(k));
                    }
                }
                for b in m
                    .get_mut("allOf")
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    if let Some(Value::Array(req)) = b.get_mut("required") {
                        req.retain(|x| x.as_str().is_none_or(|x| !gone.contains(x)));
                    }
                }
            }
            m.values_mut().for_each(|c| rewrite(c, side, names, drop));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| rewrite(c, side, names, drop)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_side_gets_its_reading() {
        let mut files = BTreeMap::from([
            (
                "Pet.json".to_string(),
                json!({ "type": "object", "required": ["id", "name", "secret"], "properties": {
                    "id": { "type": "integer", "readOnly": true },
                    "name": { "type": "string" },
                    "secret": { "type": "string", "writeOnly": true } } }),
            ),
            (
                "Owner.json".to_string(),
                json!({ "type": "object", "properties": { "pet": { "$ref": "Pet.json" } } }),
            ),
            ("Plain.json".to_string(), json!({ "type": "string" })),
        ]);
        let (req, a) = copies(&files, Side::Request);
        let (resp, b) = copies(&files, Side::Response);
        files.extend(a.into_iter().chain(b));
        assert_eq!(req["Pet.json"], "Pet.request.json");
        assert_eq!(req["Owner.json"], "Owner.request.json");
        assert!(!req.contains_key("Plain.json"));
        assert_eq!(
            files["Pet.request.json"]["required"],
            json!(["name", "secret"])
        );
        assert!(files["Pet.request.json"]["properties"].get("id").is_none());
        assert_eq!(
            files["Owner.request.json"]["properties"]["pet"]["$ref"],
            "Pet.request.json"
        );
        assert_eq!(resp["Pet.json"], "Pet.response.json");
        assert_eq!(
            files["Pet.response.json"]["required"],
            json!(["id", "name"])
        );
        assert!(files["Pet.response.json"]["properties"]
            .get("secret")
            .is_some());
        // The original is left as the document wrote it.
        assert_eq!(
            files["Pet.json"]["required"],
            json!(["id", "name", "secret"])
        );
    }
}
