//! OpenAPI out and in: a contract written as an OpenAPI 3.1 document, and an OpenAPI 3.0/3.1
//! document turned into a contract.
//!
//! Teams describe their APIs in OpenAPI; `conform` describes them as suites and JSON Schema files.
//! This module is the bridge both ways, so that a contract can be read by OpenAPI tools
//! ([`export`]) and an OpenAPI document gets positive, negative and auth cases without anyone
//! writing a suite by hand ([`import`]).
//!
//! What OpenAPI cannot say (a suite's variables, status tables, the generators' settings, the
//! example requests written with `${var}` templates, the single-request cases) travels in
//! `x-conform` extensions, so that export then import gives back the same contract. Multi-step
//! cases and flows have no OpenAPI form and are left out of the export. Documents are read as YAML
//! or JSON, with `$ref`s into other files bundled into one document ([`read_document`]), since
//! that is how teams keep them.

mod access;
mod direct;
mod export;
mod flows;
mod import;
mod read;
mod swagger2;

use std::path::{Path, PathBuf};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

pub use direct::{prepare as prepare_direct, Direct, DirectOptions};
pub use export::export;
pub use import::{build, import, load_built, Built, Imported};
pub use read::{read_document, Document};

use crate::contract::ContractError;

/// Why an export or an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    #[error("failed to read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON (nor YAML)")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path} is not a valid YAML or JSON document{at}: {message}")]
    Yaml {
        path: PathBuf,
        /// ` at line L, column C`, or empty.
        at: String,
        message: String,
    },
    #[error("{file}: $ref {reference:?}: {message}")]
    Ref {
        file: PathBuf,
        reference: String,
        message: String,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("failed to write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the imported contract in {dir} does not load (its files are left there to inspect)")]
    Load {
        dir: PathBuf,
        #[source]
        source: ContractError,
    },
    #[error("the contract imported from {origin} does not load")]
    LoadBuilt {
        origin: String,
        #[source]
        source: ContractError,
    },
}

/// The extension key that carries what OpenAPI cannot say.
pub const EXTENSION: &str = "x-conform";

/// Reads a JSON file (the examples `export` embeds).
pub(crate) fn read_json(path: &Path) -> Result<Value, OpenApiError> {
    let text = std::fs::read_to_string(path).map_err(|source| OpenApiError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| OpenApiError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// Every example of an OpenAPI document (parameters, request bodies, responses; `example` and
/// `examples.*.value`) that does not validate against the schema beside it, one line each.
/// The schemas are compiled in the context of the whole document, so `#/components/...`
/// references resolve; formats are asserted, as conform asserts them.
pub fn example_violations(doc: &Value) -> Result<Vec<String>, OpenApiError> {
    const DOC: &str = "https://conform.invalid/openapi.json";
    let invalid = |message: String| OpenApiError::Invalid {
        origin: "OpenAPI document".into(),
        message,
    };
    let registry = Registry::new()
        .add(DOC, doc)
        .and_then(|r| r.prepare())
        .map_err(|e| invalid(e.to_string()))?;
    let options = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .with_registry(&registry)
        .should_validate_formats(true)
        .offline();
    let sites = example_sites(doc);
    // Every site's schema in one validator, under `properties` by the site's index: a schema
    // that many sites reach (a big document's components) compiles once, not once per site.
    // An example is validated as `{"<index>": example}`, and the index taken off its path.
    let properties: serde_json::Map<String, Value> = sites
        .iter()
        .enumerate()
        .map(|(i, (pointer, _))| {
            let target = format!("{DOC}#{}", fragment(pointer));
            (i.to_string(), json!({ "$ref": target }))
        })
        .collect();
    let validator: Validator = options
        .build(&json!({ "properties": properties }))
        .map_err(|e| {
            // Name the schema that does not compile: the first site's that does not alone.
            let first = sites.iter().find_map(|(pointer, _)| {
                let target = format!("{DOC}#{}", fragment(pointer));
                options
                    .build(&json!({ "$ref": target }))
                    .err()
                    .map(|e| invalid(format!("schema at {pointer}: {e}")))
            });
            first.unwrap_or_else(|| invalid(format!("the document's schemas: {e}")))
        })?;
    let mut out = Vec::new();
    for (i, (_, example_pointers)) in sites.iter().enumerate() {
        let key = i.to_string();
        let step = format!("/{key}");
        for at in example_pointers {
            let Some(instance) = doc.pointer(at) else {
                continue;
            };
            let wrapped = json!({ key.as_str(): instance });
            for e in validator.iter_errors(&wrapped) {
                let path = e.instance_path().to_string();
                let path = path.strip_prefix(&step).unwrap_or(&path);
                out.push(format!("{at}{path}: {e}"));
            }
        }
    }
    Ok(out)
}

/// (JSON pointer of a schema, JSON pointers of the examples that must validate against it).
fn example_sites(doc: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let item_at = format!("/paths/{}", escape(path));
        for (method, op) in item {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let op_at = format!("{item_at}/{method}");
            for (i, p) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if p.get("schema").is_some() {
                    let at = format!("{op_at}/parameters/{i}");
                    out.push((format!("{at}/schema"), examples_of(p, &at)));
                }
            }
            if let Some(content) = op
                .pointer("/requestBody/content")
                .and_then(Value::as_object)
            {
                for (media, m) in content {
                    let at = format!("{op_at}/requestBody/content/{}", escape(media));
                    if m.get("schema").is_some() {
                        out.push((format!("{at}/schema"), examples_of(m, &at)));
                    }
                }
            }
            for (code, r) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                for (media, m) in r
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let at = format!("{op_at}/responses/{code}/content/{}", escape(media));
                    if m.get("schema").is_some() {
                        out.push((format!("{at}/schema"), examples_of(m, &at)));
                    }
                }
            }
        }
    }
    out
}

fn examples_of(holder: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if holder.get("example").is_some() {
        out.push(format!("{at}/example"));
    }
    for (name, e) in holder
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if e.get("value").is_some() {
            out.push(format!("{at}/examples/{}/value", escape(name)));
        }
    }
    out
}

/// The HTTP methods a path item may hold, in the order OpenAPI lists them.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A JSON pointer as a URI fragment: characters a fragment may not hold are percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes one JSON pointer segment.
pub(crate) fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer segment.
pub(crate) fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_example_that_breaks_its_schema_is_named() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": { "responses": { "200": {
                "description": "ok",
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/thing" },
                    "examples": {
                        "good": { "value": { "n": 1 } },
                        "bad": { "value": { "n": "one" } }
                    }
                } }
            } } } } },
            "components": { "schemas": { "thing": {
                "type": "object", "properties": { "n": { "type": "integer" } }
            } } }
        });
        let v = example_violations(&doc).unwrap();
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("/examples/bad/value/n"), "{v:?}");
    }
}
