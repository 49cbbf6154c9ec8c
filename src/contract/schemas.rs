//! JSON Schemas of one contract: read from `schemas/<contract>/`, registered under a fixed base
//! URI so files can `$ref` each other by relative name, and compiled once with format assertion
//! on (jsonschema treats `format` as an annotation unless asked).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

/// Base URI of every schema file: `BASE/<contract>/<file>`.
pub const SCHEMA_BASE: &str = "https://conform.invalid/schemas";

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
pub struct SchemaSet {
    contract: String,
    raw: BTreeMap<String, Value>,
    compiled: BTreeMap<String, Validator>,
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
    /// Parses `files`, registers them all under one base URI, and compiles each of them.
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
        let mut builder = Registry::new();
        for (name, value) in &raw {
            builder = builder
                .add(uri(contract, name), value.clone())
                .map_err(|e| compile_err(name, &e))?;
        }
        let registry = builder
            .prepare()
            .map_err(|e| compile_err("(registry)", &e))?;
        let mut compiled = BTreeMap::new();
        for name in raw.keys() {
            let validator = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .should_validate_formats(true)
                .offline()
                .build(&json!({ "$ref": uri(contract, name) }))
                .map_err(|e| compile_err(name, &e))?;
            compiled.insert(name.clone(), validator);
        }
        Ok(SchemaSet {
            contract: contract.to_string(),
            raw,
            compiled,
        })
    }

    /// Validates `instance` against schema file `name`; every violation, in schema order.
    pub fn validate(&self, name: &str, instance: &Value) -> Result<(), Vec<Violation>> {
        let Some(validator) = self.compiled.get(name) else {
            return Err(vec![Violation {
                instance_path: String::new(),
                schema_path: String::new(),
                message: format!("schema {name} is not compiled"),
            }]);
        };
        let errors: Vec<Violation> = validator
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                schema_path: e.schema_path().to_string(),
                message: e.to_string(),
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
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

fn uri(contract: &str, file: &str) -> String {
    format!("{SCHEMA_BASE}/{contract}/{file}")
}
