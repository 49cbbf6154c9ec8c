//! JSON Schemas of one contract: read from `schemas/<contract>/`, registered under a fixed base
//! URI so files can `$ref` each other by relative name, and compiled once with format assertion
//! on (jsonschema treats `format` as an annotation unless asked).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

/// Base URI of every schema file: `BASE/<contract>/<file>`.
pub const SCHEMA_BASE: &str = "https://conform.invalid/schemas";
/// Base URI of the *stated* copy of every schema file: the same file with its decided
/// keywords taken out, so that only the document's own rules can fail a target.
pub const STATED_BASE: &str = "https://conform.invalid/stated";

/// Annotation: the document's words for the rules of the subschema it sits in.
pub const QUOTE_KEY: &str = "x-quote";
/// Annotation: a rule the contract decides where the document is silent. Either a string (the
/// whole subschema is the contract's reading, and why) or an object naming sibling keywords
/// and why each is decided: `"x-decided": {"maxLength": "the document gives no length"}`.
pub const DECIDED_KEY: &str = "x-decided";

/// Keywords whose value is one subschema.
const SUBSCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "contains",
    "propertyNames",
    "then",
    "else",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
];
/// Keywords whose value is a list of subschemas.
const SUBSCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas.
const SUBSCHEMA_MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords under which removing a rule would make the schema stricter, not looser.
const INVERTING: &[&str] = &["not", "if"];

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("failed to read schema folder {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("schema {file} is not valid JSON")]
    Json {
        file: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("schema {file} is referenced but does not exist")]
    Missing { file: String },
    #[error("schema {file} does not compile: {message}")]
    Compile { file: String, message: String },
}

/// One way an instance breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// JSON pointer into the instance.
    pub instance_path: String,
    /// JSON pointer into the schema (the keyword that failed is the last segment).
    pub schema_path: String,
    pub message: String,
    /// The document's words for the broken rule (the nearest `x-quote`), when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the broken rule is the contract's reading (its `x-decided`), when decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Violation {
    fn plain(message: String) -> Self {
        Violation {
            instance_path: String::new(),
            schema_path: String::new(),
            message,
            quote: None,
            reason: None,
        }
    }

    /// The keyword that failed.
    pub fn keyword(&self) -> &str {
        self.schema_path.rsplit('/').next().unwrap_or("")
    }
}

/// How an instance fares against a schema, rule by rule: the broken rules the document states
/// (failures), and the broken rules the contract decided (advisories).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judgement {
    pub failures: Vec<Violation>,
    pub advisories: Vec<Violation>,
}

impl Judgement {
    pub fn is_valid(&self) -> bool {
        self.failures.is_empty() && self.advisories.is_empty()
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{at}: {} [{}]", self.message, self.schema_path)
    }
}

/// The compiled schemas of one contract, by file name, with their raw JSON kept for generators.
///
/// All files are compiled together, as one validator whose `properties` name every file (see
/// [`SchemaSet::compile`]): a file another file references is compiled once for the whole
/// set, not once for every file that reaches it, which made a big document's thousands of
/// files cost the square of its size.
pub struct SchemaSet {
    contract: String,
    raw: BTreeMap<String, Value>,
    compiled: Validator,
    /// The same files with every decided keyword taken out.
    stated: Validator,
}

impl std::fmt::Debug for SchemaSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaSet")
            .field("contract", &self.contract)
            .field("files", &self.raw.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Reads every `*.json` file of a folder, sorted by name.
pub(crate) fn read_schema_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, SchemaError> {
    let read_err = |source| SchemaError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if path.extension().is_some_and(|x| x == "json") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).map_err(read_err)?;
            out.push((name, bytes));
        }
    }
    out.sort();
    Ok(out)
}

impl SchemaSet {
    /// Parses `files` and compiles them, as written and as their stated copies.
    ///
    /// Each of the two is one resource, `{"$defs": {"<file>": <file>, ...}}` (a bundle, with
    /// every `$ref` between files made a pointer into it), and one validator over it,
    /// `{"properties": {"<file>": {"$ref": "<bundle>#/$defs/<file>"}, ...}}`: validating
    /// `instance` against a file is validating `{"<file>": instance}`, and `SchemaSet::run`
    /// takes that step off the paths again. jsonschema compiles a `$ref` target once per
    /// validator and per dynamic scope, and every `$ref` into another resource starts a new
    /// scope: with one resource a file compiles once for the whole set, where a resource per
    /// file compiled it again for every chain of files that reaches it (minutes, gigabytes,
    /// for a big document's thousands of files).
    pub fn compile(contract: &str, files: &[(String, Vec<u8>)]) -> Result<Self, SchemaError> {
        let mut raw = BTreeMap::new();
        for (name, bytes) in files {
            let value: Value =
                serde_json::from_slice(bytes).map_err(|source| SchemaError::Json {
                    file: name.clone(),
                    source,
                })?;
            raw.insert(name.clone(), value);
        }
        let compile_err = |file: &str, e: &dyn std::fmt::Display| SchemaError::Compile {
            file: file.to_string(),
            message: e.to_string(),
        };
        let mut written = serde_json::Map::new();
        let mut stated = serde_json::Map::new();
        for (name, value) in &raw {
            let copy = stated_copy(value, "").map_err(|message| SchemaError::Compile {
                file: name.clone(),
                message,
            })?;
            written.insert(name.clone(), bundled(value, name, contract, &raw));
            stated.insert(name.clone(), bundled(&copy, name, contract, &raw));
        }
        let written = json!({ "$defs": written });
        let stated = json!({ "$defs": stated });
        let written_uri = bundle_uri(SCHEMA_BASE, contract);
        let stated_uri = bundle_uri(STATED_BASE, contract);
        // The registry borrows the bundles; the validators own what they compiled.
        let (compiled, stated) = {
            let registry = Registry::new()
                .add(&written_uri, &written)
                .and_then(|r| r.add(&stated_uri, &stated))
                .and_then(|r| r.prepare())
                .map_err(|e| compile_err("(registry)", &e))?;
            let options = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .should_validate_formats(true)
                .offline();
            let build = |bundle: &str| {
                let target = |name: &str| format!("{bundle}#/$defs/{}", fragment_segment(name));
                let properties: serde_json::Map<String, Value> = raw
                    .keys()
                    .map(|name| (name.clone(), json!({ "$ref": target(name) })))
                    .collect();
                options
                    .build(&json!({ "properties": properties }))
                    .map_err(|e| {
                        // Name the file that does not compile: the first, in name order, that
                        // does not compile alone (only on this path does a file compile alone).
                        raw.keys()
                            .find_map(|name| {
                                options
                                    .build(&json!({ "$ref": target(name) }))
                                    .err()
                                    .map(|e| compile_err(name, &e))
                            })
                            .unwrap_or_else(|| compile_err("(set)", &e))
                    })
            };
            (build(&written_uri)?, build(&stated_uri)?)
        };
        Ok(SchemaSet {
            contract: contract.to_string(),
            raw,
            compiled,
            stated,
        })
    }

    /// Validates `instance` against the stated copy of `name`: only the document's rules.
    pub fn validate_stated(&self, name: &str, instance: &Value) -> Result<(), Vec<Violation>> {
        self.run(&self.stated, name, instance)
    }

    /// Judges `instance` against schema file `name`, rule by rule. A violation is a failure
    /// when the stated copy (decided keywords taken out) breaks too, an advisory otherwise;
    /// each carries the nearest quote or the reason of its keyword.
    pub fn judge(&self, name: &str, instance: &Value) -> Judgement {
        let all = match self.validate(name, instance) {
            Ok(()) => return Judgement::default(),
            Err(all) => all,
        };
        let stated = self
            .validate_stated(name, instance)
            .err()
            .unwrap_or_default();
        let mut out = Judgement::default();
        for mut v in all {
            let is_stated = stated
                .iter()
                .any(|s| s.instance_path == v.instance_path && s.schema_path == v.schema_path);
            if is_stated {
                out.failures.push(v);
            } else {
                v.quote = None;
                if v.reason.is_none() {
                    v.reason = Some(
                        "a rule of the contract's (docs/decisions.md), not of the document".into(),
                    );
                }
                out.advisories.push(v);
            }
        }
        // A stated copy that breaks where the full schema held (an `anyOf` branch decided
        // away): still the document's rule.
        for s in stated {
            if !out
                .failures
                .iter()
                .any(|f| f.instance_path == s.instance_path && f.schema_path == s.schema_path)
            {
                out.failures.push(s);
            }
        }
        out
    }

    /// Validates `instance` against schema file `name`; every violation, in schema order,
    /// each with the quote or the reason of the rule it breaks.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), Vec<Violation>> {
        self.run(&self.compiled, name, instance)
    }

    fn run(&self, set: &Validator, name: &str, instance: &Value) -> Result<(), Vec<Violation>> {
        if !self.raw.contains_key(name) {
            return Err(vec![Violation::plain(format!(
                "schema {name} is not compiled"
            ))]);
        }
        // The set's validator holds every file under `properties` (see `compile`): the instance
        // goes in under the file's name, and the paths of its errors lose that step again.
        let mut wrapped = serde_json::Map::with_capacity(1);
        wrapped.insert(name.to_string(), instance.clone());
        let wrapped = Value::Object(wrapped);
        // Most answers hold: `is_valid` stops at nothing and builds no error, where
        // `iter_errors` keeps error bookkeeping along the whole walk.
        if set.is_valid(&wrapped) {
            return Ok(());
        }
        let step = format!("/{}", escape_pointer(name));
        let keyword_step = format!("/properties{step}");
        let unwrap = |path: String, prefix: &str| match path.strip_prefix(prefix) {
            Some(rest) => rest.to_string(),
            None => path,
        };
        let errors: Vec<Violation> = set
            .iter_errors(&wrapped)
            .map(|e| {
                let location = e
                    .absolute_keyword_location()
                    .map(|u| u.as_str().to_string());
                let missing = match e.kind() {
                    jsonschema::error::ValidationErrorKind::Required { property } => {
                        property.as_str().map(String::from)
                    }
                    _ => None,
                };
                let (quote, reason) = location
                    .as_deref()
                    .and_then(|l| self.provenance(l, missing.as_deref()))
                    .unwrap_or((None, None));
                let instance_path = unwrap(e.instance_path().to_string(), &step);
                let schema_path =
                    self.unbundled(unwrap(e.schema_path().to_string(), &keyword_step));
                // A decision or quote may sit where the keyword's subschema is referenced (a
                // property beside its `$ref`), not in the referenced file: look along the
                // instance path from the validated file's root too.
                let keyword = schema_path.rsplit('/').next().unwrap_or("");
                let reason = reason.or_else(|| self.decision_at(name, &instance_path, keyword));
                let quote = quote.or_else(|| self.quote_at(name, &instance_path));
                Violation {
                    instance_path,
                    schema_path,
                    message: e.to_string(),
                    quote,
                    reason,
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A schema path as the file's own: jsonschema gives the path inside the resource the
    /// keyword sits in, which is the bundle (`/$defs/<file>/...`), not the file.
    fn unbundled(&self, path: String) -> String {
        let Some(rest) = path.strip_prefix("/$defs/") else {
            return path;
        };
        let (segment, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let file = segment.replace("~1", "/").replace("~0", "~");
        if !self.raw.contains_key(&file) {
            return path;
        }
        if tail.is_empty() {
            String::new()
        } else {
            format!("/{tail}")
        }
    }

    /// The quote and the decision behind the keyword at `location` (an absolute keyword
    /// location in a bundle, `BASE/<contract>/set.json#/$defs/<file>/pointer/keyword`). `missing` names the property a
    /// `required` keyword misses: its own quote is the better one.
    fn provenance(
        &self,
        location: &str,
        missing: Option<&str>,
    ) -> Option<(Option<String>, Option<String>)> {
        let (file, pointer) = bundled_location(location)?;
        let root = self.raw.get(&file)?;
        let (parent, keyword) = pointer.rsplit_once('/').unwrap_or(("", pointer.as_str()));
        let mut reason = None;
        let mut quote = None;
        if let Some(prop) = missing {
            let own = format!("{parent}/properties/{}", escape_pointer(prop));
            quote = root
                .pointer(&own)
                .and_then(|s| s.get(QUOTE_KEY))
                .and_then(Value::as_str)
                .map(String::from);
        }
        // From the keyword's own subschema up to the file's root.
        let mut at = parent.to_string();
        loop {
            if let Some(schema) = root.pointer(&at) {
                match schema.get(DECIDED_KEY) {
                    Some(Value::String(why)) if reason.is_none() => reason = Some(why.clone()),
                    Some(Value::Object(map)) if reason.is_none() && at == parent => {
                        reason = map.get(keyword).and_then(Value::as_str).map(String::from);
                    }
                    _ => {}
                }
                if quote.is_none() {
                    quote = schema
                        .get(QUOTE_KEY)
                        .and_then(Value::as_str)
                        .map(String::from);
                }
            }
            match at.rsplit_once('/') {
                Some((up, _)) => at = up.to_string(),
                None if at.is_empty() => break,
                None => at = String::new(),
            }
        }
        Some((quote, reason))
    }

    /// The decision behind `keyword` for the value at `instance_path` of an instance of
    /// `file` (following `properties` and `$ref`s); for generated cases, which know the
    /// keyword and path they break.
    pub fn decision_at(&self, file: &str, instance_path: &str, keyword: &str) -> Option<String> {
        self.subschemas_at(file, instance_path)
            .into_iter()
            .rev()
            .find_map(|(schema, own)| match schema.get(DECIDED_KEY) {
                Some(Value::String(why)) => Some(why.clone()),
                Some(Value::Object(map)) if own => {
                    map.get(keyword).and_then(Value::as_str).map(String::from)
                }
                _ => None,
            })
    }

    /// The nearest quote for the value at `instance_path` of an instance of `file`.
    pub fn quote_at(&self, file: &str, instance_path: &str) -> Option<String> {
        self.subschemas_at(file, instance_path)
            .into_iter()
            .rev()
            .find_map(|(schema, _)| schema.get(QUOTE_KEY).and_then(Value::as_str))
            .map(String::from)
    }

    /// Every subschema on the way from the root of `file` to the value at `instance_path`
    /// (through `properties`, `items`, `$ref` and the branches of `allOf`/`anyOf`/`oneOf`/
    /// `then`/`else`), root first; `true` marks the ones that describe the value itself.
    fn subschemas_at(&self, file: &str, instance_path: &str) -> Vec<(&Value, bool)> {
        let Some((file, root)) = self.raw.get_key_value(file) else {
            return vec![];
        };
        let file = file.as_str();
        let segments: Vec<String> = instance_path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut level = self.expand(file, root, 0);
        let mut out: Vec<(&Value, bool)> = level
            .iter()
            .map(|(_, s)| (*s, segments.is_empty()))
            .collect();
        for (i, seg) in segments.iter().enumerate() {
            let mut next = Vec::new();
            for (f, schema) in &level {
                let child = schema
                    .get("properties")
                    .and_then(|p| p.get(seg))
                    .or_else(|| schema.get("items").filter(|_| seg.parse::<usize>().is_ok()));
                if let Some(c) = child {
                    next.extend(self.expand(f, c, 0));
                }
            }
            let last = i + 1 == segments.len();
            out.extend(next.iter().map(|(_, s)| (*s, last)));
            level = next;
        }
        out
    }

    /// A subschema with everything it pulls in: `$ref` targets and the applicator branches.
    fn expand<'a>(
        &'a self,
        file: &'a str,
        schema: &'a Value,
        depth: usize,
    ) -> Vec<(&'a str, &'a Value)> {
        let mut out = vec![(file, schema)];
        if depth > 16 {
            return out;
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let (target_file, pointer) = r.split_once('#').unwrap_or((r, ""));
            let target_file = if target_file.is_empty() {
                file
            } else {
                target_file
            };
            if let Some((name, root)) = self.raw.get_key_value(target_file) {
                if let Some(t) = root.pointer(&percent_decode(pointer)) {
                    out.extend(self.expand(name, t, depth + 1));
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for branch in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(self.expand(file, branch, depth + 1));
            }
        }
        for key in ["then", "else"] {
            if let Some(branch) = schema.get(key) {
                out.extend(self.expand(file, branch, depth + 1));
            }
        }
        out
    }

    /// Whether the contract has a schema file of this name.
    pub fn has(&self, name: &str) -> bool {
        self.raw.contains_key(name)
    }

    /// The raw JSON of schema file `name`.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.raw.get(name)
    }

    /// File names of every schema of the contract.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.raw.keys().map(String::as_str)
    }
}

/// The URI of the resource that holds every file of a contract (see [`SchemaSet::compile`]).
fn bundle_uri(base: &str, contract: &str) -> String {
    format!("{base}/{contract}/{BUNDLE}")
}

/// The name of a contract's bundle, beside where its files would be.
const BUNDLE: &str = "set.json";

/// Keywords whose values are data, not schemas: a `$ref` in them is not a reference.
fn is_data(keyword: &str) -> bool {
    matches!(
        keyword,
        "const" | "enum" | "default" | "examples" | "example"
    ) || keyword.starts_with("x-")
}

/// Schema file `file` as it sits in the bundle: a `$ref` to a file of the set (by its name,
/// `./name` or its URI, with or without a pointer) becomes a pointer into the bundle, and the
/// 2020-12 `$schema` (the draft every file is compiled with) is left out.
fn bundled(schema: &Value, file: &str, contract: &str, files: &BTreeMap<String, Value>) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, value) in map {
                let copy = match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => {
                        Value::String(bundled_ref(r, file, contract, files))
                    }
                    ("$schema", Value::String(d)) if d == DRAFT_2020_12 => continue,
                    (k, v) if is_data(k) => v.clone(),
                    (_, v) => bundled(v, file, contract, files),
                };
                out.insert(key.clone(), copy);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| bundled(v, file, contract, files))
                .collect(),
        ),
        other => other.clone(),
    }
}

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// A `$ref` of file `file`, pointing into the bundle when it names a file of the set.
fn bundled_ref(r: &str, file: &str, contract: &str, files: &BTreeMap<String, Value>) -> String {
    let (target, fragment) = match r.split_once('#') {
        Some((t, f)) => (t, Some(f)),
        None => (r, None),
    };
    let own_base = format!("{SCHEMA_BASE}/{contract}/");
    let target = target.strip_prefix(own_base.as_str()).unwrap_or(target);
    let target = target.strip_prefix("./").unwrap_or(target);
    let target = if target.is_empty() { file } else { target };
    if !files.contains_key(target) {
        return r.to_string();
    }
    match fragment {
        // A plain name (`$anchor`) is looked up in the whole bundle.
        Some(f) if !f.is_empty() && !f.starts_with('/') => format!("#{f}"),
        f => format!(
            "#/$defs/{}{}",
            fragment_segment(target),
            f.unwrap_or_default()
        ),
    }
}

/// A file name as one segment of a JSON pointer in a URI fragment (escaped, then
/// percent-encoded where a fragment may not hold the character).
fn fragment_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in escape_pointer(name).bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file and the pointer inside it of an absolute keyword location in a bundle
/// (`BASE/<contract>/set.json#/$defs/<file>/pointer`).
fn bundled_location(location: &str) -> Option<(String, String)> {
    let (_, fragment) = location.split_once('#')?;
    let pointer = percent_decode(fragment);
    let rest = pointer.strip_prefix("/$defs/")?;
    let (segment, pointer) = match rest.split_once('/') {
        Some((s, p)) => (s, format!("/{p}")),
        None => (rest, String::new()),
    };
    Some((segment.replace("~1", "/").replace("~0", "~"), pointer))
}

fn percent_decode(pointer: &str) -> String {
    let bytes = pointer.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&pointer[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The schema with every decided keyword taken out (a wholly decided subschema becomes
/// `true`), checking the `x-decided` annotations on the way. `at` is the pointer, for errors.
fn stated_copy(schema: &Value, at: &str) -> Result<Value, String> {
    let Value::Object(map) = schema else {
        return Ok(schema.clone());
    };
    let mut out = map.clone();
    match map.get(DECIDED_KEY) {
        None => {}
        Some(Value::String(why)) if !why.trim().is_empty() => return Ok(Value::Bool(true)),
        Some(Value::Object(decided)) => {
            for (keyword, why) in decided {
                if why.as_str().is_none_or(|w| w.trim().is_empty()) {
                    return Err(format!(
                        "{at}/{DECIDED_KEY}/{keyword}: the reason must be a non-empty string"
                    ));
                }
                if !map.contains_key(keyword) {
                    return Err(format!(
                        "{at}/{DECIDED_KEY}: `{keyword}` is not a keyword of this subschema"
                    ));
                }
                out.remove(keyword);
            }
        }
        Some(_) => {
            return Err(format!(
                "{at}/{DECIDED_KEY}: must be a reason (string) or an object of keyword: reason"
            ))
        }
    }
    for key in INVERTING {
        if let Some(sub) = map.get(*key) {
            if contains_decided(sub) {
                return Err(format!(
                    "{at}/{key}: a decided rule under `{key}` would make the stated schema stricter"
                ));
            }
        }
    }
    for (key, value) in map {
        let here = format!("{at}/{key}");
        if SUBSCHEMA.contains(&key.as_str()) {
            out.insert(key.clone(), stated_copy(value, &here)?);
        } else if SUBSCHEMA_LIST.contains(&key.as_str()) {
            if let Value::Array(items) = value {
                let copied: Result<Vec<Value>, String> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| stated_copy(v, &format!("{here}/{i}")))
                    .collect();
                out.insert(key.clone(), Value::Array(copied?));
            }
        } else if SUBSCHEMA_MAP.contains(&key.as_str()) {
            if let Value::Object(entries) = value {
                let mut copied = serde_json::Map::new();
                for (name, v) in entries {
                    copied.insert(name.clone(), stated_copy(v, &format!("{here}/{name}"))?);
                }
                out.insert(key.clone(), Value::Object(copied));
            }
        }
    }
    // Decided keywords were taken out above; keep them out of the copy.
    if let Some(Value::Object(decided)) = map.get(DECIDED_KEY) {
        for keyword in decided.keys() {
            out.remove(keyword);
        }
    }
    Ok(Value::Object(out))
}

fn contains_decided(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.contains_key(DECIDED_KEY) || map.values().any(contains_decided),
        Value::Array(items) => items.iter().any(contains_decided),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(files: &[(&str, Value)]) -> Result<SchemaSet, SchemaError> {
        let files: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string().into_bytes()))
            .collect();
        SchemaSet::compile("t", &files)
    }

    #[test]
    fn decided_keywords_advise_and_stated_ones_fail_with_their_quote() {
        let s = set(&[
            (
                "defs.json",
                json!({"$defs": {"name": {"type": "string", "maxLength": 3,
                    "x-decided": {"maxLength": "no length in the document"}}}}),
            ),
            (
                "body.json",
                json!({"type": "object", "x-quote": "the body", "required": ["name"],
                    "properties": {
                        "name": {"$ref": "defs.json#/$defs/name", "x-quote": "name string required"},
                        "kind": {"enum": ["a"], "x-decided": "the document lists no kinds"}}}),
            ),
        ])
        .unwrap();
        assert!(s.judge("body.json", &json!({"name": "abc"})).is_valid());
        let long = s.judge("body.json", &json!({"name": "abcd", "kind": "b"}));
        assert!(long.failures.is_empty(), "{long:?}");
        let mut reasons: Vec<&str> = long
            .advisories
            .iter()
            .filter_map(|v| v.reason.as_deref())
            .collect();
        reasons.sort_unstable();
        assert_eq!(
            reasons,
            vec!["no length in the document", "the document lists no kinds"]
        );
        let wrong = s.judge("body.json", &json!({"name": 5}));
        assert_eq!(wrong.failures.len(), 1, "{wrong:?}");
        assert_eq!(
            wrong.failures[0].quote.as_deref(),
            Some("name string required")
        );
        // A missing property quotes its own line, not the object's.
        let missing = s.judge("body.json", &json!({}));
        assert_eq!(
            missing.failures[0].quote.as_deref(),
            Some("name string required")
        );
        let not_object = s.judge("body.json", &json!([]));
        assert_eq!(not_object.failures[0].quote.as_deref(), Some("the body"));
        assert!(s
            .validate_stated("body.json", &json!({"name": "abcdef"}))
            .is_ok());
    }

    #[test]
    fn paths_are_the_files_own_not_the_bundles() {
        let s = set(&[
            ("defs.json", json!({"$defs": {"n": {"minimum": 0}}})),
            (
                "body.json",
                json!({"properties": {"a": {"$ref": "defs.json#/$defs/n"}, "b": {"type": "string"}}}),
            ),
        ])
        .unwrap();
        let errors = s
            .validate("body.json", &json!({"a": -1, "b": 1}))
            .unwrap_err();
        let mut paths: Vec<(&str, &str)> = errors
            .iter()
            .map(|v| (v.instance_path.as_str(), v.schema_path.as_str()))
            .collect();
        paths.sort_unstable();
        assert_eq!(
            paths,
            vec![("/a", "/$defs/n/minimum"), ("/b", "/properties/b/type")]
        );
        let root = s.validate("defs.json", &json!(5)).map(|()| "held");
        assert_eq!(root, Ok("held"));
    }

    #[test]
    fn a_decision_that_would_tighten_or_names_nothing_is_refused() {
        let under_not = set(&[(
            "a.json",
            json!({"not": {"maxLength": 2, "x-decided": {"maxLength": "why"}}}),
        )]);
        assert!(under_not
            .unwrap_err()
            .to_string()
            .contains("does not compile"));
        let unknown = set(&[(
            "a.json",
            json!({"type": "string", "x-decided": {"maxLength": "why"}}),
        )]);
        assert!(
            matches!(unknown, Err(SchemaError::Compile { message, .. }) if message.contains("not a keyword"))
        );
        let empty = set(&[("a.json", json!({"type": "string", "x-decided": ""}))]);
        assert!(empty.is_err());
    }
}
