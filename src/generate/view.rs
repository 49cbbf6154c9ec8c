//! A read-only view of a request schema for the generators: `$ref`s resolved across the
//! contract's files, and the keywords a generator reads (type, enum, const, pattern, format,
//! lengths, bounds, required, `allOf` + `if`/`then` conditionals, `anyOf` alternatives) lifted
//! into plain structs.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::SchemaSet;

/// What a generator knows about one field's schema.
#[derive(Debug, Clone, Default)]
pub struct FieldView {
    /// JSON types allowed (`string`, `integer`, ...); empty = any.
    pub types: Vec<String>,
    pub enumeration: Option<Vec<Value>>,
    pub constant: Option<Value>,
    pub pattern: Option<String>,
    pub format: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    /// `anyOf` alternatives (each a full view).
    pub any_of: Vec<FieldView>,
    /// The field's own object view, when it is an object.
    pub object: Option<Box<ObjectView>>,
}

/// What a generator knows about an object schema.
#[derive(Debug, Clone, Default)]
pub struct ObjectView {
    pub properties: BTreeMap<String, FieldView>,
    pub required: Vec<String>,
    /// `allOf` items of the form `if {properties: {d: {const: v}}} then {...}`.
    pub conditionals: Vec<Conditional>,
}

/// A requirement that holds when a discriminator field has a given value.
#[derive(Debug, Clone)]
pub struct Conditional {
    pub discriminator: String,
    pub value: Value,
    pub required: Vec<String>,
    pub properties: BTreeMap<String, FieldView>,
}

impl ObjectView {
    /// The view of `name` when the body has discriminator values `body`: a conditional branch
    /// that applies refines the base property.
    pub fn field_for(&self, name: &str, body: &Value) -> Option<FieldView> {
        let branch = self
            .active(body)
            .into_iter()
            .find_map(|c| c.properties.get(name).cloned());
        branch.or_else(|| self.properties.get(name).cloned())
    }

    /// Conditionals whose discriminator matches `body`.
    pub fn active(&self, body: &Value) -> Vec<&Conditional> {
        self.conditionals
            .iter()
            .filter(|c| body.get(&c.discriminator) == Some(&c.value))
            .collect()
    }

    /// Every field required for `body` (base plus active conditionals).
    pub fn required_for(&self, body: &Value) -> Vec<String> {
        let mut out = self.required.clone();
        for c in self.active(body) {
            out.extend(c.required.iter().cloned());
        }
        out.dedup();
        out
    }
}

/// Builds views by following `$ref`s within one contract's schema files.
pub struct Resolver<'a> {
    schemas: &'a SchemaSet,
}

impl<'a> Resolver<'a> {
    pub fn new(schemas: &'a SchemaSet) -> Self {
        Resolver { schemas }
    }

    /// The object view of schema file `file`.
    pub fn object(&self, file: &str) -> Option<ObjectView> {
        let root = self.schemas.raw(file)?;
        let (f, node) = self.deref(file, root, 0)?;
        self.object_of(&f, node, 0)
    }

    /// The field view of schema file `file` (for parameters).
    pub fn field(&self, file: &str) -> Option<FieldView> {
        let root = self.schemas.raw(file)?;
        Some(self.field_of(file, root, 0))
    }

    fn deref(&self, file: &str, node: &'a Value, depth: usize) -> Option<(String, &'a Value)> {
        if depth > 32 {
            return None;
        }
        let Some(r) = node.get("$ref").and_then(Value::as_str) else {
            return Some((file.to_string(), node));
        };
        let (target_file, pointer) = match r.split_once('#') {
            Some(("", p)) => (file.to_string(), p.to_string()),
            Some((f, p)) => (f.to_string(), p.to_string()),
            None => (r.to_string(), String::new()),
        };
        let root = self.schemas.raw(&target_file)?;
        let target = if pointer.is_empty() {
            root
        } else {
            root.pointer(&pointer)?
        };
        self.deref(&target_file, target, depth + 1)
    }

    fn object_of(&self, file: &str, node: &'a Value, depth: usize) -> Option<ObjectView> {
        let props = node.get("properties").and_then(Value::as_object);
        let mut view = ObjectView::default();
        if let Some(props) = props {
            for (name, p) in props {
                view.properties
                    .insert(name.clone(), self.field_of(file, p, depth + 1));
            }
        }
        view.required = strings(node.get("required"));
        for item in node
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some((f, item)) = self.deref(file, item, depth + 1) else {
                continue;
            };
            let (Some(cond), Some(then)) = (item.get("if"), item.get("then")) else {
                continue;
            };
            let Some((d, v)) = cond
                .get("properties")
                .and_then(Value::as_object)
                .and_then(|m| m.iter().next())
                .and_then(|(d, s)| Some((d.clone(), s.get("const")?.clone())))
            else {
                continue;
            };
            let mut properties = BTreeMap::new();
            for (name, p) in then
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let mut field = self.field_of(&f, p, depth + 1);
                if let Some(base) = view.properties.get(name) {
                    if field.types.is_empty() {
                        field.types = base.types.clone();
                    }
                }
                properties.insert(name.clone(), field);
            }
            view.conditionals.push(Conditional {
                discriminator: d,
                value: v,
                required: strings(then.get("required")),
                properties,
            });
        }
        Some(view)
    }

    fn field_of(&self, file: &str, node: &'a Value, depth: usize) -> FieldView {
        let Some((f, node)) = self.deref(file, node, depth + 1) else {
            return FieldView::default();
        };
        let types = match node.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect(),
            _ => vec![],
        };
        let any_of = node
            .get("anyOf")
            .and_then(Value::as_array)
            .map(|alts| {
                alts.iter()
                    .map(|a| self.field_of(&f, a, depth + 1))
                    .collect()
            })
            .unwrap_or_default();
        let object = (types.iter().any(|t| t == "object") || node.get("properties").is_some())
            .then(|| self.object_of(&f, node, depth + 1).map(Box::new))
            .flatten();
        FieldView {
            types,
            enumeration: node.get("enum").and_then(Value::as_array).cloned(),
            constant: node.get("const").cloned(),
            pattern: node
                .get("pattern")
                .and_then(Value::as_str)
                .map(String::from),
            format: node.get("format").and_then(Value::as_str).map(String::from),
            min_length: node.get("minLength").and_then(Value::as_u64),
            max_length: node.get("maxLength").and_then(Value::as_u64),
            minimum: node.get("minimum").and_then(Value::as_f64),
            maximum: node.get("maximum").and_then(Value::as_f64),
            any_of,
            object,
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

impl FieldView {
    /// The JSON types this field accepts, derived from type/enum/const/anyOf.
    pub fn accepted_types(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        let mut add = |t: &str| {
            let t: &'static str = match t {
                "string" => "string",
                "integer" => "integer",
                "number" => "number",
                "boolean" => "boolean",
                "null" => "null",
                "array" => "array",
                "object" => "object",
                _ => return,
            };
            if !out.contains(&t) {
                out.push(t);
            }
        };
        for t in &self.types {
            add(t);
        }
        for v in self
            .enumeration
            .iter()
            .flatten()
            .chain(self.constant.iter())
        {
            add(json_type(v));
        }
        for alt in &self.any_of {
            for t in alt.accepted_types() {
                add(t);
            }
        }
        out
    }
}

/// The JSON type name of a value (`integer` for whole numbers).
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
