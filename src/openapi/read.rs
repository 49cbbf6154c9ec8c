//! Reading an OpenAPI document as users have it: one entry point, [`read_document`], used by
//! `import openapi`, `run --openapi` and `list --openapi`, that gives the rest of conform a single
//! self-contained OpenAPI 3.x JSON value whatever the file was.
//!
//! **YAML or JSON, by content.** A file whose text starts with `{` or `[` goes through
//! `serde_json` (fast, exact numbers); anything else, and JSON that does not parse, is read as
//! YAML. The YAML crate is `serde-saphyr`: of the maintained successors of the archived
//! `serde_yaml` it is the one written in safe Rust with parsing that is designed not to panic,
//! it follows YAML 1.2 (`yes`/`no`/`on` stay strings), and it has budgets that bound what alias
//! expansion ("billion laughs") and nesting may cost, refusing a duplicate key by default; the
//! libyaml ports (`serde_yaml_ng`, `serde_norway`) have none of that and see few releases. Its
//! rust-version (1.89) is no higher than what the lockfile already needs (`uuid`).
//!
//! **`$ref`s into other files are bundled.** A relative file reference (`pet.yaml`,
//! `./schemas/pet.json#/Pet`, `../common.yaml#/components/schemas/Error`) is resolved against
//! the file that holds it, recursively, and what it names is copied into the document: a schema
//! under `components/schemas/<unique name>` (Swagger 2.0: `definitions`), likewise parameters,
//! responses, request bodies, headers, examples, links, callbacks and security schemes under
//! their `components/*` section, with the reference rewritten to point there; a path item is
//! inlined where it is used (OpenAPI 3.0 has no section for path items). A name is given before
//! what it names is walked, so a schema that refers to itself through another file ends as an
//! internal cycle, as in a one-file document. The importer then sees one document with internal
//! references only. URLs are refused (conform does not go to the network); a missing file or
//! pointer is an error naming the file and the reference.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{escape, unescape, OpenApiError, METHODS};

/// An OpenAPI 3.x document, read and brought to one JSON value.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document as OpenAPI 3.0/3.1 JSON (a Swagger 2.0 document converted).
    pub value: Value,
    /// What the reading changed or left out, one line each (shown to the user).
    pub notes: Vec<String>,
    /// The file's name, as suites and reports cite the document.
    pub source: String,
}

/// Reads an OpenAPI document from a file (YAML or JSON), bundling the files its `$ref`s name.
pub fn read_document(path: &Path) -> Result<Document, OpenApiError> {
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut value = read_value(path)?;
    let Some(root) = value.as_object_mut() else {
        return Err(OpenApiError::Invalid {
            origin: source,
            message: format!(
                "the document is {}, not a mapping: an OpenAPI document is a JSON object (a YAML mapping)",
                kind_of(&value)
            ),
        });
    };
    // `openapi: 3.0` / `swagger: 2.0` unquoted in YAML are numbers; the version is a string.
    for key in ["openapi", "swagger"] {
        if let Some(Value::Number(n)) = root.get(key) {
            let s = n.to_string();
            root.insert(key.into(), Value::String(s));
        }
    }
    let swagger = value.get("swagger").is_some();
    let mut notes = Vec::new();
    let value = Bundler::bundle(path, value, swagger, &mut notes)?;
    let value = if swagger {
        let (converted, more) =
            super::swagger2::to_openapi3(&value).map_err(|message| OpenApiError::Invalid {
                origin: source.clone(),
                message,
            })?;
        notes.extend(more);
        converted
    } else {
        value
    };
    Ok(Document {
        value,
        notes,
        source,
    })
}

/// A file as a JSON value, by its content: JSON when it looks like JSON and parses, else YAML.
fn read_value(path: &Path) -> Result<Value, OpenApiError> {
    let bytes = std::fs::read(path).map_err(|source| OpenApiError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| OpenApiError::Yaml {
        path: path.to_path_buf(),
        at: String::new(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with(['{', '[']) {
        match serde_json::from_str(text) {
            Ok(v) => Ok(v),
            // A YAML flow mapping starts with `{` too; when it is not YAML either, the JSON
            // error is the one that helps.
            Err(source) => parse_yaml(path, text).map_err(|_| OpenApiError::Json {
                path: path.to_path_buf(),
                source,
            }),
        }
    } else {
        parse_yaml(path, text)
    }
}

/// YAML as a JSON value, within budgets that bound alias expansion, nesting and size.
///
/// The parse runs on a thread of its own with a large stack: deserializing 128 levels of
/// nesting takes more stack than a test thread's 2 MiB in a debug build, and a stack overflow
/// aborts the process where an error was due.
fn parse_yaml(path: &Path, text: &str) -> Result<Value, OpenApiError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("yaml".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, || parse_yaml_here(path, text))
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_else(|| {
                Err(OpenApiError::Yaml {
                    path: path.to_path_buf(),
                    at: String::new(),
                    message: "the YAML reader could not run".into(),
                })
            })
    })
}

fn parse_yaml_here(path: &Path, text: &str) -> Result<Value, OpenApiError> {
    let mut options = serde_saphyr::Options::default();
    // The defaults suit configuration files; GitHub's and Stripe's documents have millions of
    // nodes. Alias replay keeps its default bound (a million events), which is what refuses a
    // billion-laughs document; nesting stays at serde_json's depth.
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 50_000_000;
    budget.max_nodes = 20_000_000;
    budget.max_depth = 128;
    budget.max_documents = 1;
    options.budget = Some(budget);
    options.with_snippet = false;
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options::<YamlValue>(text, options)
        .map(|v| v.0)
        .map_err(|e| {
            let location = e.location().map(|l| (l.line(), l.column()));
            let at = location
                .map(|(line, column)| format!(" at line {line}, column {column}"))
                .unwrap_or_default();
            let message = e.to_string();
            // The message may end with the same location; say it once.
            let message = message.lines().next().unwrap_or("").trim();
            let message = message
                .strip_suffix(at.as_str())
                .unwrap_or(message)
                .to_string();
            OpenApiError::Yaml {
                path: path.to_path_buf(),
                at,
                message,
            }
        })
}

/// A JSON value deserialized from YAML, with any scalar mapping key as a string (`200:` is
/// "200", `null:` is "null"); a list or mapping as a key is an error.
struct YamlValue(Value);

impl<'de> serde::Deserialize<'de> for YamlValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(YamlValue)
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::from(v as f64), Value::from))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| Value::from(v as f64), Value::from))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json: a non-finite number has no JSON form and becomes null.
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(YamlValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let YamlValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A mapping key as a string, spelled as written (`0x1F` stays `0x1F`).
struct KeySeed;

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed {
    type Value = String;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_option(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> serde::de::Visitor<'de> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a scalar as a mapping key (not a list or a mapping)")
    }
    fn visit_none<E>(self) -> Result<String, E> {
        Ok("null".into())
    }
    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".into())
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// What a reference stands for, by where it is used: it decides the `components` section that
/// a referenced part of another file goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Schema,
    Parameter,
    Response,
    RequestBody,
    Header,
    Example,
    Link,
    Callback,
    PathItem,
    SecurityScheme,
}

impl Kind {
    /// The section of the root document that gets it (`None`: inlined where used).
    fn section(self, swagger: bool) -> Option<&'static str> {
        if swagger {
            return match self {
                Kind::Schema => Some("definitions"),
                Kind::Parameter => Some("parameters"),
                Kind::Response => Some("responses"),
                _ => None,
            };
        }
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Parameter => "parameters",
            Kind::Response => "responses",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            Kind::SecurityScheme => "securitySchemes",
            Kind::PathItem => return None,
        })
    }

    /// The kind a `components` section (or a Swagger 2.0 root section) holds.
    fn of_section(section: &str) -> Option<Kind> {
        Some(match section {
            "schemas" | "definitions" => Kind::Schema,
            "parameters" => Kind::Parameter,
            "responses" => Kind::Response,
            "requestBodies" => Kind::RequestBody,
            "headers" => Kind::Header,
            "examples" => Kind::Example,
            "links" => Kind::Link,
            "callbacks" => Kind::Callback,
            "pathItems" => Kind::PathItem,
            "securitySchemes" => Kind::SecurityScheme,
            _ => return None,
        })
    }

    fn role(self) -> Role {
        match self {
            Kind::Schema => Role::Schema,
            Kind::Parameter => Role::Parameter,
            Kind::Response => Role::Response,
            Kind::RequestBody => Role::RequestBody,
            Kind::Header => Role::Header,
            Kind::Example => Role::Example,
            Kind::Link => Role::Link,
            Kind::Callback => Role::Callback,
            Kind::PathItem => Role::PathItem,
            Kind::SecurityScheme => Role::SecurityScheme,
        }
    }
}

/// Where a value sits in an OpenAPI document: what its children are, and so what a `$ref` in it
/// stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Components,
    /// A map (or list) whose every entry has this role.
    Each(Kind),
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    Content,
    MediaType,
    Encodings,
    Encoding,
    Example,
    Link,
    SecurityScheme,
    Callback,
    Schema,
    Discriminator,
    /// Something else: references in it are taken as schemas unless their pointer says more.
    Other,
    /// Data (examples, defaults, enums): a `$ref` key in it is not a reference.
    Literal,
}

impl Role {
    /// The kind of a `$ref` found in a value of this role.
    fn kind(self) -> Option<Kind> {
        Some(match self {
            Role::PathItem => Kind::PathItem,
            Role::Parameter => Kind::Parameter,
            Role::Header => Kind::Header,
            Role::RequestBody => Kind::RequestBody,
            Role::Response => Kind::Response,
            Role::Example => Kind::Example,
            Role::Link => Kind::Link,
            Role::SecurityScheme => Kind::SecurityScheme,
            Role::Callback => Kind::Callback,
            Role::Schema => Kind::Schema,
            _ => return None,
        })
    }

    /// The role of the child at `key` (an object's key, or the role of a list's elements).
    fn child(self, key: &str) -> Role {
        match self {
            Role::Root => match key {
                "paths" | "webhooks" => Role::Each(Kind::PathItem),
                "components" => Role::Components,
                "definitions" => Role::Each(Kind::Schema),
                "parameters" => Role::Each(Kind::Parameter),
                "responses" => Role::Each(Kind::Response),
                "securityDefinitions" => Role::Each(Kind::SecurityScheme),
                _ => Role::Literal,
            },
            Role::Components => Kind::of_section(key).map_or(Role::Literal, Role::Each),
            Role::Each(kind) => kind.role(),
            Role::PathItem => match key {
                "parameters" => Role::Each(Kind::Parameter),
                k if METHODS.contains(&k) => Role::Operation,
                _ => Role::Literal,
            },
            Role::Operation => match key {
                "parameters" => Role::Each(Kind::Parameter),
                "requestBody" => Role::RequestBody,
                "responses" => Role::Each(Kind::Response),
                "callbacks" => Role::Each(Kind::Callback),
                _ => Role::Literal,
            },
            Role::Parameter | Role::Header => match key {
                "schema" => Role::Schema,
                "content" => Role::Content,
                "examples" => Role::Each(Kind::Example),
                "items" => Role::Other,
                _ => Role::Literal,
            },
            Role::RequestBody => match key {
                "content" => Role::Content,
                _ => Role::Literal,
            },
            Role::Response => match key {
                "headers" => Role::Each(Kind::Header),
                "content" => Role::Content,
                "links" => Role::Each(Kind::Link),
                "schema" => Role::Schema,
                _ => Role::Literal,
            },
            Role::Content => Role::MediaType,
            Role::MediaType => match key {
                "schema" => Role::Schema,
                "examples" => Role::Each(Kind::Example),
                "encoding" => Role::Encodings,
                _ => Role::Literal,
            },
            Role::Encodings => Role::Encoding,
            Role::Encoding => match key {
                "headers" => Role::Each(Kind::Header),
                _ => Role::Literal,
            },
            Role::Example | Role::Link | Role::SecurityScheme => Role::Literal,
            Role::Callback => Role::PathItem,
            Role::Schema => match key {
                "example" | "examples" | "default" | "enum" | "const" | "xml" | "externalDocs" => {
                    Role::Literal
                }
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => Role::Each(Kind::Schema),
                "discriminator" => Role::Discriminator,
                _ => Role::Schema,
            },
            Role::Discriminator => Role::Literal,
            Role::Other => Role::Other,
            Role::Literal => Role::Literal,
        }
    }
}

/// A file other than the root, read once.
struct File {
    path: PathBuf,
    /// As notes and errors name it: relative to the root document's folder when inside it.
    shown: String,
    value: Value,
}

/// What a reference became.
enum Resolved {
    /// The new `$ref` string.
    Ref(String),
    /// The value to put in place of the reference object.
    Inline(Value),
}

/// Which file holds a value being walked: the root document or `files[i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum FileId {
    Root,
    Other(usize),
}

struct Bundler {
    root_path: PathBuf,
    root_dir: PathBuf,
    swagger: bool,
    files: Vec<File>,
    by_path: HashMap<PathBuf, usize>,
    /// (file, pointer) → the `$ref` it became.
    done: HashMap<(usize, String), String>,
    /// Path items being inlined (a path item that contains itself cannot be inlined).
    inlining: BTreeSet<(usize, String)>,
    /// Names taken in each section of the root document.
    taken: BTreeMap<&'static str, BTreeSet<String>>,
    /// What goes into each section.
    added: BTreeMap<&'static str, Map<String, Value>>,
    /// What each file gave, for the notes.
    given: BTreeMap<usize, Vec<String>>,
}

/// How many `$ref`s may lead to one another before the chain counts as a cycle.
const MAX_CHAIN: usize = 64;

impl Bundler {
    fn bundle(
        path: &Path,
        mut root: Value,
        swagger: bool,
        notes: &mut Vec<String>,
    ) -> Result<Value, OpenApiError> {
        let root_path = std::fs::canonicalize(path).map_err(|source| OpenApiError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let root_dir = root_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut taken: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for section in [
            "schemas",
            "parameters",
            "responses",
            "requestBodies",
            "headers",
            "examples",
            "links",
            "callbacks",
            "securitySchemes",
            "definitions",
        ] {
            let holder = if swagger {
                root.get(section)
            } else {
                root.pointer(&format!("/components/{section}"))
            };
            let names = holder
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            taken.insert(section, names);
        }
        let mut b = Bundler {
            root_path,
            root_dir,
            swagger,
            files: Vec::new(),
            by_path: HashMap::new(),
            done: HashMap::new(),
            inlining: BTreeSet::new(),
            taken,
            added: BTreeMap::new(),
            given: BTreeMap::new(),
        };
        b.walk(&mut root, Role::Root, FileId::Root, 0)?;
        if !b.added.is_empty() {
            let Some(obj) = root.as_object_mut() else {
                return Ok(root);
            };
            for (section, entries) in std::mem::take(&mut b.added) {
                let holder = if swagger {
                    obj.entry(section)
                        .or_insert_with(|| Value::Object(Map::new()))
                } else {
                    let components = obj
                        .entry("components")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !components.is_object() {
                        *components = Value::Object(Map::new());
                    }
                    components
                        .as_object_mut()
                        .map(|c| {
                            c.entry(section)
                                .or_insert_with(|| Value::Object(Map::new()))
                        })
                        .ok_or_else(|| b.root_error("components is not a mapping"))?
                };
                if !holder.is_object() {
                    return Err(b.root_error(&format!("{section} is not a mapping")));
                }
                if let Some(map) = holder.as_object_mut() {
                    map.extend(entries);
                }
            }
        }
        for (file, what) in &b.given {
            notes.push(format!(
                "bundled {} into the document: {}",
                b.files[*file].shown,
                what.join(", ")
            ));
        }
        Ok(root)
    }

    fn root_error(&self, message: &str) -> OpenApiError {
        OpenApiError::Invalid {
            origin: self.root_path.display().to_string(),
            message: message.to_string(),
        }
    }

    fn path_of(&self, file: FileId) -> &Path {
        match file {
            FileId::Root => &self.root_path,
            FileId::Other(i) => &self.files[i].path,
        }
    }

    fn ref_error(&self, file: FileId, reference: &str, message: String) -> OpenApiError {
        OpenApiError::Ref {
            file: self.path_of(file).to_path_buf(),
            reference: reference.to_string(),
            message,
        }
    }

    /// Rewrites every external reference under `v` (held by `file`), bundling what they name.
    fn walk(
        &mut self,
        v: &mut Value,
        role: Role,
        file: FileId,
        depth: usize,
    ) -> Result<(), OpenApiError> {
        if role == Role::Literal {
            return Ok(());
        }
        match v {
            Value::Array(items) => {
                let child = match role {
                    Role::Each(_) => role.child(""),
                    // `allOf: [...]`, `items: [...]`, `parameters: [...]` hold what they hold.
                    r => r,
                };
                for item in items {
                    self.walk(item, child, file, depth)?;
                }
            }
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let r = r.clone();
                    let kind = role.kind();
                    match self.resolve(&r, file, kind, depth)? {
                        Resolved::Ref(new) => {
                            map.insert("$ref".into(), Value::String(new));
                        }
                        Resolved::Inline(Value::Object(mut target)) => {
                            map.remove("$ref");
                            // Siblings of the reference win over what it names.
                            for (k, val) in std::mem::take(map) {
                                target.insert(k, val);
                            }
                            *map = target;
                        }
                        Resolved::Inline(other) => *v = other,
                    }
                    return Ok(());
                }
                if role == Role::Discriminator {
                    if let Some(Value::Object(mapping)) = map.get_mut("mapping") {
                        for target in mapping.values_mut() {
                            if let Value::String(r) = target {
                                if looks_like_ref(r) {
                                    if let Resolved::Ref(new) =
                                        self.resolve(&r.clone(), file, Some(Kind::Schema), depth)?
                                    {
                                        *r = new;
                                    }
                                }
                            }
                        }
                    }
                    return Ok(());
                }
                for (key, child) in map.iter_mut() {
                    self.walk(child, role.child(key), file, depth)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What reference `r`, held by `file`, becomes.
    fn resolve(
        &mut self,
        r: &str,
        file: FileId,
        kind: Option<Kind>,
        depth: usize,
    ) -> Result<Resolved, OpenApiError> {
        let (file_part, fragment) = match r.split_once('#') {
            Some((f, p)) => (f, p),
            None => (r, ""),
        };
        if file_part.is_empty() && file == FileId::Root {
            return Ok(Resolved::Ref(r.to_string()));
        }
        if depth > MAX_CHAIN {
            return Err(self.ref_error(
                file,
                r,
                format!("more than {MAX_CHAIN} references lead to one another (a cycle of $refs that name only $refs?)"),
            ));
        }
        if is_url(file_part) {
            return Err(self.ref_error(
                file,
                r,
                "conform does not fetch documents from the network: download the file, save it \
                 beside the document and refer to it by a relative path"
                    .into(),
            ));
        }
        let target = if file_part.is_empty() {
            file
        } else {
            self.load(file, r, file_part)?
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(self.ref_error(
                file,
                r,
                format!("the fragment {fragment:?} is not a JSON pointer (`#/...`)"),
            ));
        }
        let FileId::Other(index) = target else {
            // Into the root document, from another file: an internal reference.
            return Ok(Resolved::Ref(format!("#{fragment}")));
        };
        let key = (index, pointer.clone());
        if let Some(done) = self.done.get(&key) {
            return Ok(Resolved::Ref(done.clone()));
        }
        let Some(value) = self.files[index].value.pointer(&pointer) else {
            return Err(self.ref_error(
                file,
                r,
                format!(
                    "{} has nothing at {}",
                    self.files[index].shown,
                    if pointer.is_empty() {
                        "its top"
                    } else {
                        &pointer
                    }
                ),
            ));
        };
        let mut value = value.clone();
        // The pointer may say what it names (`#/components/parameters/x`) where the place
        // of the reference does not.
        let segments: Vec<String> = pointer.split('/').skip(1).map(unescape).collect();
        let hinted = match segments.as_slice() {
            [c, section, _] if c == "components" => Kind::of_section(section),
            [section, _] => Kind::of_section(section),
            _ => None,
        };
        let kind = kind.or(hinted).unwrap_or(Kind::Schema);

        // A reference to a reference: follow it, so the chain ends where the value is.
        if let Some(Value::String(next)) = value.get("$ref") {
            if value.as_object().is_some_and(|m| m.len() == 1) {
                let next = next.clone();
                let resolved = self.resolve(&next, target, Some(kind), depth + 1)?;
                if let Resolved::Ref(new) = &resolved {
                    self.done.insert(key, new.clone());
                }
                return Ok(resolved);
            }
        }

        let Some(section) = kind.section(self.swagger) else {
            if !self.inlining.insert(key.clone()) {
                return Err(self.ref_error(
                    file,
                    r,
                    "this part contains itself through references and cannot be inlined".into(),
                ));
            }
            self.walk(&mut value, kind.role(), target, depth + 1)?;
            self.inlining.remove(&key);
            self.given.entry(index).or_default().push(format!(
                "{} inlined",
                if pointer.is_empty() {
                    "its top"
                } else {
                    &pointer
                }
            ));
            return Ok(Resolved::Inline(value));
        };
        let name = self.unique_name(section, &segments, index);
        let new = if self.swagger {
            format!("#/{section}/{}", escape(&name))
        } else {
            format!("#/components/{section}/{}", escape(&name))
        };
        // Named before it is walked: a cycle back to it ends at this name.
        self.done.insert(key, new.clone());
        self.walk(&mut value, kind.role(), target, depth + 1)?;
        self.added
            .entry(section)
            .or_default()
            .insert(name.clone(), value);
        self.given
            .entry(index)
            .or_default()
            .push(new.trim_start_matches("#/").to_string());
        Ok(Resolved::Ref(new))
    }

    /// A component name not yet taken in `section`: the pointer's last segment, or the file's
    /// stem, with what component names may not hold made `_`.
    fn unique_name(&mut self, section: &'static str, segments: &[String], index: usize) -> String {
        let base = match segments.last() {
            Some(last) if !last.is_empty() && last.parse::<u64>().is_err() => last.clone(),
            _ => {
                let stem = self.files[index]
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let stem = stem.split('.').next().unwrap_or("").to_string();
                match segments.last() {
                    Some(last) if !last.is_empty() => format!("{stem}_{last}"),
                    _ => stem,
                }
            }
        };
        let mut base: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if base.is_empty() {
            base = "bundled".into();
        }
        let taken = self.taken.entry(section).or_default();
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        taken.insert(name.clone());
        name
    }

    /// The file `file_part` names, relative to the file holding the reference, read once.
    fn load(&mut self, from: FileId, r: &str, file_part: &str) -> Result<FileId, OpenApiError> {
        let decoded = percent_decode(file_part);
        let relative = Path::new(&decoded);
        let base = self
            .path_of(from)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let joined = base.join(relative);
        let path = std::fs::canonicalize(&joined).map_err(|e| {
            self.ref_error(from, r, format!("cannot open {} ({e})", joined.display()))
        })?;
        if path == self.root_path {
            return Ok(FileId::Root);
        }
        if let Some(&i) = self.by_path.get(&path) {
            return Ok(FileId::Other(i));
        }
        let value = read_value(&path)?;
        let shown = path
            .strip_prefix(&self.root_dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string());
        self.files.push(File {
            path: path.clone(),
            shown,
            value,
        });
        let i = self.files.len() - 1;
        self.by_path.insert(path, i);
        Ok(FileId::Other(i))
    }
}

/// A URL rather than a file path (`https://...`, `file:...`; not `C:\...`).
fn is_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => s.starts_with("//"),
    }
}

/// A discriminator mapping value that is a reference rather than a schema name.
fn looks_like_ref(s: &str) -> bool {
    s.contains('#')
        || s.contains('/')
        || s.ends_with(".json")
        || s.ends_with(".yaml")
        || s.ends_with(".yml")
}

/// `%XX` escapes decoded (URI references may percent-encode a path or a pointer).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Writes `files` (relative path, text) under a new temp dir.
    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn read(files: &[(&str, &str)]) -> Result<Document, String> {
        let dir = tree(files);
        read_document(&dir.path().join(files[0].0)).map_err(|e| error_text(&e))
    }

    fn error_text(e: &dyn std::error::Error) -> String {
        let mut s = e.to_string();
        let mut cur = e.source();
        while let Some(c) = cur {
            s.push_str(": ");
            s.push_str(&c.to_string());
            cur = c.source();
        }
        s
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn yaml_integer_and_other_scalar_keys_become_strings() {
        let doc = read(&[(
            "api.yaml",
            &format!(
                "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n        4XX: {{description: bad}}\n        default: {{description: other}}\nx-keys:\n  true: b\n  1.5: f\n  null: n\n  0x1F: h\n"
            ),
        )])
        .unwrap();
        let responses = &doc.value["paths"]["/a"]["get"]["responses"];
        assert_eq!(responses["200"]["description"], "ok");
        assert_eq!(responses["4XX"]["description"], "bad");
        let keys: Vec<&String> = doc.value["x-keys"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert!(keys.iter().any(|k| *k == "true"), "{keys:?}");
        assert!(keys.iter().any(|k| *k == "1.5"), "{keys:?}");
        assert!(keys.iter().any(|k| *k == "null"), "{keys:?}");
        assert!(keys.iter().any(|k| *k == "0x1F"), "{keys:?}");
        // A list as a key has no string form.
        let err = read(&[("k.yaml", "? [a, b]\n: c\n")]).unwrap_err();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn yaml_is_read_as_yaml_1_2_with_versions_as_strings() {
        let doc = read(&[(
            "api.yaml",
            "openapi: 3.0\ninfo: {title: t, version: 1.0}\npaths: {}\nx-words: [yes, no, on, off, y, n, ~, true, 12, 1e3]\n",
        )])
        .unwrap();
        assert_eq!(doc.value["openapi"], "3.0");
        assert_eq!(
            doc.value["x-words"],
            json!(["yes", "no", "on", "off", "y", "n", null, true, 12, 1000.0])
        );
    }

    #[test]
    fn anchors_and_aliases_and_merge_keys_work() {
        let doc = read(&[(
            "api.yaml",
            &format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Base: &base\n      type: object\n      properties: {{id: {{type: integer}}}}\n    Copy: *base\n    Merged:\n      <<: *base\n      description: merged\n"
            ),
        )])
        .unwrap();
        let schemas = &doc.value["components"]["schemas"];
        assert_eq!(schemas["Copy"], schemas["Base"]);
        assert_eq!(schemas["Merged"]["type"], "object");
        assert_eq!(schemas["Merged"]["description"], "merged");
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = read(&[("bomb.yaml", &text)]).unwrap_err();
        assert!(err.contains("bomb.yaml"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn a_duplicate_key_is_an_error_with_its_line() {
        let err = read(&[(
            "dup.yaml",
            &format!("{HEAD}paths:\n  /a: {{}}\n  /a: {{}}\n"),
        )])
        .unwrap_err();
        assert!(err.contains("dup.yaml"), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.to_lowercase().contains("duplicate"), "{err}");
    }

    #[test]
    fn a_yaml_syntax_error_names_the_file_and_line() {
        let err = read(&[(
            "bad.yaml",
            "openapi: 3.1.0\ninfo:\n  title: [unclosed\npaths: {}\n",
        )])
        .unwrap_err();
        assert!(err.contains("bad.yaml"), "{err}");
        assert!(err.contains("line "), "{err}");
        assert!(err.contains("not a valid YAML or JSON document"), "{err}");
    }

    #[test]
    fn what_is_not_a_mapping_is_a_clear_error() {
        for (text, says) in [
            ("- a\n- b\n", "a list"),
            ("just words\n", "a string"),
            ("", "empty"),
            ("[1, 2]", "a list"),
            ("42", "a number"),
        ] {
            let err = read(&[("x.yaml", text)]).unwrap_err();
            assert!(err.contains(says), "{text:?}: {err}");
            assert!(err.contains("not a mapping"), "{text:?}: {err}");
        }
    }

    #[test]
    fn the_content_decides_not_the_name() {
        let yaml_named_json = read(&[("api.json", &format!("{HEAD}paths: {{}}\n"))]).unwrap();
        assert_eq!(yaml_named_json.value["openapi"], "3.0.3");
        let json_named_yaml =
            read(&[("api.yaml", r#"{"openapi": "3.1.0", "paths": {"/a": {}}}"#)]).unwrap();
        assert_eq!(json_named_yaml.value["openapi"], "3.1.0");
        // JSON keeps its exact numbers.
        let big = read(&[(
            "n.json",
            r#"{"openapi": "3.1.0", "x-n": 12345678901234567890}"#,
        )])
        .unwrap();
        assert_eq!(big.value["x-n"].to_string(), "12345678901234567890");
        // A YAML flow mapping starts like JSON and is still read.
        let flow = read(&[("f.yaml", "{openapi: 3.1.0, paths: {}}")]).unwrap();
        assert_eq!(flow.value["openapi"], "3.1.0");
        // Broken JSON says so, with its line.
        let err = read(&[(
            "b.json",
            "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {,}\n}",
        )])
        .unwrap_err();
        assert!(err.contains("b.json is not valid JSON"), "{err}");
        assert!(err.contains("line 3"), "{err}");
    }

    const PET: &str = "type: object\nrequired: [id]\nproperties:\n  id: {type: integer}\n  tag: {$ref: 'tag.json#/Tag'}\n  error: {$ref: '../../common.yaml#/components/schemas/Error'}\n  children:\n    type: array\n    items: {$ref: '#'}\n";

    fn multi_file() -> Vec<(&'static str, String)> {
        vec![
            (
                "spec/openapi.yaml",
                format!(
                    "{HEAD}paths:\n  /pets:\n    $ref: paths/pets.yaml\n  /pets/{{id}}:\n    get:\n      parameters:\n        - $ref: 'params.yaml#/components/parameters/Id'\n      responses:\n        '200':\n          description: one\n          content:\n            application/json:\n              schema: {{$ref: './schemas/pet.yaml'}}\n        '404': {{$ref: '../common.yaml#/components/responses/NotFound'}}\ncomponents:\n  schemas:\n    Local: {{type: string}}\n"
                ),
            ),
            (
                "spec/paths/pets.yaml",
                "get:\n  parameters:\n    - $ref: '../params.yaml#/components/parameters/Limit'\n  responses:\n    '200':\n      description: all\n      content:\n        application/json:\n          schema:\n            type: array\n            items: {$ref: '../schemas/pet.yaml'}\n".into(),
            ),
            ("spec/schemas/pet.yaml", PET.into()),
            (
                "spec/schemas/tag.json",
                r#"{"Tag": {"type": "object", "properties": {"name": {"type": "string"}, "local": {"$ref": "../openapi.yaml#/components/schemas/Local"}}}}"#.into(),
            ),
            (
                "spec/params.yaml",
                "components:\n  parameters:\n    Id: {name: id, in: path, required: true, schema: {type: integer}}\n    Limit: {name: limit, in: query, schema: {$ref: '#/components/schemas/Limit'}}\n  schemas:\n    Limit: {type: integer, maximum: 100}\n".into(),
            ),
            (
                "common.yaml",
                "components:\n  schemas:\n    Error: {type: object, properties: {message: {type: string}}}\n  responses:\n    NotFound:\n      description: none\n      content:\n        application/json:\n          schema: {$ref: '#/components/schemas/Error'}\n".into(),
            ),
        ]
    }

    #[test]
    fn refs_into_other_files_are_bundled_into_one_document() {
        let files = multi_file();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let doc = read(&files).unwrap();
        let v = &doc.value;
        let c = &v["components"];
        // Schemas under components/schemas, refs rewritten, the local one kept.
        let get_one = &v["paths"]["/pets/{id}"]["get"];
        assert_eq!(
            get_one["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/pet"
        );
        assert_eq!(
            c["schemas"]["pet"]["properties"]["tag"]["$ref"],
            "#/components/schemas/Tag"
        );
        assert_eq!(
            c["schemas"]["pet"]["properties"]["error"]["$ref"],
            "#/components/schemas/Error"
        );
        // A file that refers to itself (`#`) refers to its own component.
        assert_eq!(
            c["schemas"]["pet"]["properties"]["children"]["items"]["$ref"],
            "#/components/schemas/pet"
        );
        // A ref back into the root document is internal again.
        assert_eq!(
            c["schemas"]["Tag"]["properties"]["local"]["$ref"],
            "#/components/schemas/Local"
        );
        assert_eq!(c["schemas"]["Local"]["type"], "string");
        // Parameters and responses under their sections, and what they refer to too.
        assert_eq!(
            get_one["parameters"][0]["$ref"],
            "#/components/parameters/Id"
        );
        assert_eq!(c["parameters"]["Id"]["in"], "path");
        assert_eq!(
            get_one["responses"]["404"]["$ref"],
            "#/components/responses/NotFound"
        );
        assert_eq!(
            c["responses"]["NotFound"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        // The path item is inlined; its refs are resolved from its own folder.
        let pets = &v["paths"]["/pets"];
        assert!(pets.get("$ref").is_none(), "{pets}");
        assert_eq!(
            pets["get"]["parameters"][0]["$ref"],
            "#/components/parameters/Limit"
        );
        assert_eq!(
            c["parameters"]["Limit"]["schema"]["$ref"],
            "#/components/schemas/Limit"
        );
        assert_eq!(
            pets["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"]
                ["$ref"],
            "#/components/schemas/pet"
        );
        // One note per file bundled.
        assert_eq!(doc.notes.len(), 5, "{:?}", doc.notes);
        assert!(
            doc.notes
                .iter()
                .any(|n| n.contains("schemas/pet.yaml") && n.contains("components/schemas/pet")),
            "{:?}",
            doc.notes
        );
        assert!(
            doc.notes.iter().any(|n| n.contains("../common.yaml"))
                || doc.notes.iter().any(|n| n.contains("common.yaml")),
            "{:?}",
            doc.notes
        );
        // No external reference is left.
        assert!(!v.to_string().contains(".yaml"), "{v}");
    }

    #[test]
    fn a_bundled_multi_file_document_imports() {
        let mut files = multi_file();
        files[0].1.push_str(
            "  securitySchemes:\n    bearer: {type: http, scheme: bearer}\nsecurity: [{bearer: []}]\n",
        );
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let doc = read(&files).unwrap();
        let out = tempfile::tempdir().unwrap();
        let imported = super::super::import(&doc.value, &doc.source, "pets", out.path())
            .map_err(|e| error_text(&e))
            .unwrap();
        assert!(imported.suite.exists());
    }

    #[test]
    fn a_cycle_across_files_ends_in_internal_refs() {
        let doc = read(&[
            (
                "api.yaml",
                &format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Tree: {{$ref: 'node.yaml'}}\n"),
            ),
            (
                "node.yaml",
                "type: object\nproperties:\n  leaf: {$ref: 'leaf.yaml#/Leaf'}\n",
            ),
            (
                "leaf.yaml",
                "Leaf:\n  type: object\n  properties:\n    parent: {$ref: 'node.yaml'}\n    root: {$ref: 'api.yaml#/components/schemas/Tree'}\n",
            ),
        ])
        .unwrap();
        let s = &doc.value["components"]["schemas"];
        assert_eq!(s["Tree"]["$ref"], "#/components/schemas/node");
        assert_eq!(
            s["node"]["properties"]["leaf"]["$ref"],
            "#/components/schemas/Leaf"
        );
        assert_eq!(
            s["Leaf"]["properties"]["parent"]["$ref"],
            "#/components/schemas/node"
        );
        assert_eq!(
            s["Leaf"]["properties"]["root"]["$ref"],
            "#/components/schemas/Tree"
        );
    }

    #[test]
    fn a_cycle_of_refs_that_name_only_refs_is_an_error() {
        let err = read(&[
            (
                "api.yaml",
                &format!(
                    "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: 'a.yaml#/A'}}\n"
                ),
            ),
            ("a.yaml", "A: {$ref: 'b.yaml#/B'}\n"),
            ("b.yaml", "B: {$ref: 'a.yaml#/A'}\n"),
        ])
        .unwrap_err();
        assert!(err.contains("references lead to one another"), "{err}");
        // A path item that contains itself cannot be inlined.
        let err = read(&[
            (
                "api.yaml",
                &format!("{HEAD}paths:\n  /a: {{$ref: 'p.yaml'}}\n"),
            ),
            (
                "p.yaml",
                "get:\n  callbacks:\n    c:\n      '{$url}': {$ref: 'p.yaml'}\n  responses: {}\n",
            ),
        ])
        .unwrap_err();
        assert!(err.contains("contains itself"), "{err}");
    }

    #[test]
    fn names_do_not_collide_with_the_documents_own() {
        let doc = read(&[
            (
                "api.yaml",
                &format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Pet: {{type: string}}\n    Other: {{$ref: 'more.yaml#/Pet'}}\n    Third: {{$ref: 'more/Pet.v2.json'}}\n"),
            ),
            ("more.yaml", "Pet: {type: integer}\n"),
            ("more/Pet.v2.json", r#"{"type": "boolean"}"#),
        ])
        .unwrap();
        let s = &doc.value["components"]["schemas"];
        assert_eq!(s["Pet"]["type"], "string");
        assert_eq!(s["Other"]["$ref"], "#/components/schemas/Pet_2");
        assert_eq!(s["Pet_2"]["type"], "integer");
        assert_eq!(s["Third"]["$ref"], "#/components/schemas/Pet_3");
        assert_eq!(s["Pet_3"]["type"], "boolean");
    }

    #[test]
    fn url_refs_missing_files_and_missing_pointers_are_clear_errors() {
        let with = |r: &str| {
            read(&[
                (
                    "api.yaml",
                    &format!(
                        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '{r}'}}\n"
                    ),
                ),
                ("there.yaml", "B: {type: string}\n"),
            ])
            .unwrap_err()
        };
        let err = with("https://example.com/schemas/pet.yaml#/Pet");
        assert!(err.contains("api.yaml"), "{err}");
        assert!(
            err.contains("https://example.com/schemas/pet.yaml#/Pet"),
            "{err}"
        );
        assert!(err.contains("download"), "{err}");
        let err = with("missing.yaml#/Pet");
        assert!(err.contains("missing.yaml"), "{err}");
        assert!(err.contains("cannot open"), "{err}");
        let err = with("there.yaml#/Nope");
        assert!(err.contains("there.yaml has nothing at /Nope"), "{err}");
        let err = with("there.yaml#Anchor");
        assert!(err.contains("not a JSON pointer"), "{err}");
        // A broken file that is referred to names itself.
        let err = read(&[
            (
                "api.yaml",
                &format!(
                    "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: 'broken.yaml'}}\n"
                ),
            ),
            ("broken.yaml", "a: [\n"),
        ])
        .unwrap_err();
        assert!(err.contains("broken.yaml is not a valid YAML"), "{err}");
    }

    #[test]
    fn internal_refs_and_data_are_left_alone() {
        let text = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          $ref: '#/components/responses/Ok'\ncomponents:\n  responses:\n    Ok:\n      description: ok\n      content:\n        application/json:\n          schema: {{$ref: '#/components/schemas/A'}}\n          example: {{$ref: 'not-a-file.yaml'}}\n  schemas:\n    A:\n      type: object\n      default: {{$ref: 'nor-this.yaml'}}\n      properties:\n        $ref: {{type: string}}\n"
        );
        let doc = read(&[("api.yaml", &text)]).unwrap();
        assert!(doc.notes.is_empty(), "{:?}", doc.notes);
        assert_eq!(
            doc.value["paths"]["/a"]["get"]["responses"]["200"]["$ref"],
            "#/components/responses/Ok"
        );
        assert_eq!(
            doc.value["components"]["responses"]["Ok"]["content"]["application/json"]["example"]
                ["$ref"],
            "not-a-file.yaml"
        );
    }

    #[test]
    fn swagger_2_refs_go_to_its_own_sections() {
        let dir = tree(&[
            (
                "api.yaml",
                "swagger: 2.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters: [{$ref: 'p.yaml#/parameters/Limit'}]\n      responses:\n        '200': {description: ok, schema: {$ref: 'defs.yaml#/definitions/Pet'}}\n",
            ),
            ("p.yaml", "parameters:\n  Limit: {name: limit, in: query, type: integer}\n"),
            ("defs.yaml", "definitions:\n  Pet: {type: object}\n"),
        ]);
        let path = dir.path().join("api.yaml");
        let mut value = read_value(&path).unwrap();
        value["swagger"] = json!("2.0");
        let mut notes = Vec::new();
        let v = Bundler::bundle(&path, value, true, &mut notes).unwrap();
        assert_eq!(
            v["paths"]["/a"]["get"]["parameters"][0]["$ref"],
            "#/parameters/Limit"
        );
        assert_eq!(v["parameters"]["Limit"]["in"], "query");
        assert_eq!(
            v["paths"]["/a"]["get"]["responses"]["200"]["schema"]["$ref"],
            "#/definitions/Pet"
        );
        assert_eq!(v["definitions"]["Pet"]["type"], "object");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        let deep_json = "[".repeat(100_000);
        let deep_yaml = "- ".repeat(10_000);
        let deep_flow = "{a: ".repeat(10_000);
        let nasty: Vec<&[u8]> = vec![
            b"\xff\xfe\x00garbage",
            b"{",
            b"[1,",
            b"\t\tkey: value\n\t- x",
            b"a: &x [*x]\n",
            b"a: *unknown\n",
            b"a: !!binary AAAA\n",
            b"a: !custom {b: 1}\n",
            b"? [complex, key]\n: value\n",
            b"x: 1e400\ny: .nan\nz: -.inf\n",
            b"--- a\n--- b\n",
            b"%YAML 9.9\n---\na: 1\n",
            b"openapi: 3.1.0\npaths: {/a: {get: {$ref: 7}}}\n",
            b"openapi: 3.1.0\npaths: {/a: {$ref: ''}}\n",
            b"openapi: 3.1.0\npaths: {/a: {$ref: '#'}}\ncomponents: 5\n",
            b"openapi: 3.1.0\ncomponents: [1]\npaths: {/a: {get: {responses: {'200': {$ref: 'x.yaml'}}}}}\n",
            b"\x00\x01\x02",
            b"\"unterminated",
            deep_json.as_bytes(),
            deep_yaml.as_bytes(),
            deep_flow.as_bytes(),
        ];
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.yaml"), "5").unwrap();
        for (i, bytes) in nasty.iter().enumerate() {
            let path = dir.path().join(format!("g{i}.yaml"));
            std::fs::write(&path, bytes).unwrap();
            let result = std::panic::catch_unwind(|| read_document(&path));
            assert!(result.is_ok(), "input {i} panicked");
        }
    }

    #[test]
    fn percent_escapes_in_refs_are_decoded() {
        assert_eq!(percent_decode("/paths/~1a%7Bid%7D"), "/paths/~1a{id}");
        assert_eq!(percent_decode("my%20file.yaml"), "my file.yaml");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert!(is_url("https://x/y.yaml"));
        assert!(is_url("//x/y.yaml"));
        assert!(!is_url("C:\\x.yaml"));
        assert!(!is_url("schemas/pet.yaml"));
    }
}
