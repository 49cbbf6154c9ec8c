//! Contracts as data: a suite file plus the JSON Schemas it names, loaded and checked once.
//!
//! `load_dir` reads `suites/*.toml` and `schemas/<name>/*.json` under one root, checks that every
//! schema a suite names exists and compiles (formats asserted), and that every case refers to a
//! known endpoint. Nothing here knows any particular API.

mod schemas;
pub mod suite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use schemas::{Judgement, SchemaError, SchemaSet, Violation, DECIDED_KEY, QUOTE_KEY};
pub use suite::*;

/// Why a contract could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("failed to read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse suite {path}")]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("suite {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("contract {contract}: schema problem")]
    Schema {
        contract: String,
        #[source]
        source: SchemaError,
    },
    #[error("no suites found in {0}")]
    Empty(PathBuf),
}

/// A loaded contract: its suite, its compiled schemas and a digest of everything it was built from.
#[derive(Debug)]
pub struct Contract {
    pub suite: SuiteFile,
    pub schemas: SchemaSet,
    /// SHA-256 over the suite file and every schema file (sorted by name), hex.
    pub content_hash: String,
    pub suite_path: PathBuf,
}

impl Contract {
    pub fn name(&self) -> &str {
        &self.suite.name
    }

    pub fn endpoint(&self, id: &str) -> Option<&EndpointSpec> {
        self.suite.endpoints.iter().find(|e| e.id == id)
    }
}

/// Loads every suite in `root/suites` with its schemas from `root/schemas/<name>/`, sorted by name.
pub fn load_dir(root: &Path) -> Result<Vec<Contract>, ContractError> {
    let suites_dir = root.join("suites");
    let entries = std::fs::read_dir(&suites_dir).map_err(|source| ContractError::Read {
        path: suites_dir.clone(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(ContractError::Empty(suites_dir));
    }
    paths
        .iter()
        .map(|p| load_suite(p, &root.join("schemas")))
        .collect()
}

/// Loads one suite file; its schemas come from `schemas_root/<suite name>/`.
pub fn load_suite(path: &Path, schemas_root: &Path) -> Result<Contract, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let suite = parse_suite(&text, path)?;
    let dir = schemas_root.join(&suite.name);
    let files = schemas::read_schema_files(&dir).map_err(|source| ContractError::Schema {
        contract: suite.name.clone(),
        source,
    })?;
    assemble(suite, &text, &files, None, path)
}

/// A contract from a suite's text and its schema files held in memory, already compiled
/// (`conform run --openapi` imports a document this way, writing nothing, and the import
/// compiled the schemas to build the suite); `path` names the suite in messages and reports.
pub fn from_parts(
    text: &str,
    files: &[(String, Vec<u8>)],
    schemas: SchemaSet,
    path: &Path,
) -> Result<Contract, ContractError> {
    let suite = parse_suite(text, path)?;
    assemble(suite, text, files, Some(schemas), path)
}

fn parse_suite(text: &str, path: &Path) -> Result<SuiteFile, ContractError> {
    let suite: SuiteFile = toml::from_str(text).map_err(|source| ContractError::Parse {
        path: path.to_path_buf(),
        source: Box::new(source),
    })?;
    validate_suite(&suite).map_err(|message| ContractError::Invalid {
        path: path.to_path_buf(),
        message,
    })?;
    Ok(suite)
}

/// The contract of a parsed suite and its schema files (compiled here unless `compiled`).
fn assemble(
    suite: SuiteFile,
    text: &str,
    files: &[(String, Vec<u8>)],
    compiled: Option<SchemaSet>,
    path: &Path,
) -> Result<Contract, ContractError> {
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    for (name, bytes) in files {
        hasher.update(name.as_bytes());
        hasher.update(bytes);
    }
    let content_hash = hex::encode(hasher.finalize());
    let schema_err = |source| ContractError::Schema {
        contract: suite.name.clone(),
        source,
    };
    let schemas = match compiled {
        Some(s) => s,
        None => SchemaSet::compile(&suite.name, files).map_err(schema_err)?,
    };
    if let Some(file) = referenced_schemas(&suite)
        .into_iter()
        .find(|f| !schemas.has(f))
    {
        return Err(schema_err(SchemaError::Missing { file }));
    }
    Ok(Contract {
        suite,
        schemas,
        content_hash,
        suite_path: path.to_path_buf(),
    })
}

/// Every schema file a suite names.
fn referenced_schemas(suite: &SuiteFile) -> Vec<String> {
    let mut out = vec![suite.errors.schema.clone()];
    for e in &suite.endpoints {
        out.extend(e.body.iter().cloned());
        out.extend(e.params.iter().map(|p| p.schema.clone()));
        out.extend(e.responses.values().map(|r| r.schema.clone()));
    }
    out.sort();
    out.dedup();
    out
}

/// Cross-reference checks that serde cannot express.
fn validate_suite(suite: &SuiteFile) -> Result<(), String> {
    suite.auth.validate()?;
    if suite.name.is_empty()
        || !suite
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(format!(
            "contract name {:?} must be lower-case letters, digits, '-' or '_'",
            suite.name
        ));
    }
    let mut endpoints = BTreeMap::new();
    for e in &suite.endpoints {
        if endpoints.insert(e.id.as_str(), e).is_some() {
            return Err(format!("endpoint id {:?} is used twice", e.id));
        }
        if e.responses.is_empty() {
            return Err(format!("endpoint {:?} documents no response", e.id));
        }
        for code in e.responses.keys() {
            match code.parse::<u16>() {
                Ok(c) if (100..600).contains(&c) => {}
                _ => return Err(format!("endpoint {:?}: {code:?} is not a status", e.id)),
            }
        }
        for p in &e.params {
            if p.location == ParamLocation::Path && !e.path.contains(&format!("{{{}}}", p.name)) {
                return Err(format!(
                    "endpoint {:?}: path parameter {:?} is not in {:?}",
                    e.id, p.name, e.path
                ));
            }
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for c in &suite.cases {
        if !names.insert(c.name.as_str()) {
            return Err(format!("case name {:?} is used twice", c.name));
        }
        if c.steps.is_empty() {
            return Err(format!("case {:?} has no steps", c.name));
        }
        for s in &c.steps {
            for p in &s.expect {
                if let StatusPattern::Class(class) = p {
                    if p.class().is_none() {
                        return Err(format!(
                            "case {:?}: expect {class:?} is not a status or a class like \"4xx\"",
                            c.name
                        ));
                    }
                }
            }
            if s.expect_decided
                .as_deref()
                .is_some_and(|r| r.trim().is_empty())
            {
                return Err(format!("case {:?}: expect_decided needs a reason", c.name));
            }
            for a in &s.asserts {
                if a.quote.is_some() && a.decided.is_some() {
                    return Err(format!(
                        "case {:?}: assert {:?} is either stated (quote) or decided, not both",
                        c.name, a.id
                    ));
                }
            }
            for a in &s.asserts {
                if a.pointer.is_some() == a.var.is_some() {
                    return Err(format!(
                        "case {:?}: assert {:?} needs exactly one of pointer or var",
                        c.name, a.id
                    ));
                }
            }
            if !endpoints.contains_key(s.endpoint.as_str()) {
                return Err(format!(
                    "case {:?} refers to unknown endpoint {:?}",
                    c.name, s.endpoint
                ));
            }
        }
    }
    for t in &suite.status_tables {
        if t.http_error_status == t.pointer.is_some() {
            return Err(format!(
                "status table {:?} needs exactly one of http_error_status or pointer",
                t.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "t"
title = "T"
document = "d.txt"
auth = { scheme = "bearer", variable = "token" }
[errors]
schema = "e.json"
doc = "Errors"
[[endpoints]]
id = "e"
method = "GET"
path = "/x"
doc = "X"
responses."200" = { schema = "x.json", doc = "X" }
"#;

    fn check(case: &str) -> Result<(), String> {
        let suite: SuiteFile = toml::from_str(&format!("{BASE}{case}")).unwrap();
        validate_suite(&suite)
    }

    #[test]
    fn status_classes_and_provenance_are_checked() {
        let ok = "[[cases]]\nname = \"c\"\ndoc = \"X\"\nsteps = [{ endpoint = \"e\", expect = [\"2xx\", 404] }]\n";
        assert!(check(ok).is_ok());
        let bad = ok.replace("\"2xx\"", "\"6xx\"");
        assert!(check(&bad).unwrap_err().contains("not a status or a class"));
        let both = "[[cases]]\nname = \"c\"\ndoc = \"X\"\nsteps = [{ endpoint = \"e\", assert = [{ id = \"a\", doc = \"X\", pointer = \"/x\", present = true, quote = \"q\", decided = \"d\" }] }]\n";
        assert!(check(both).unwrap_err().contains("not both"));
        let empty = "[[cases]]\nname = \"c\"\ndoc = \"X\"\nsteps = [{ endpoint = \"e\", expect = [404], expect_decided = \" \" }]\n";
        assert!(check(empty).unwrap_err().contains("needs a reason"));
    }
}
