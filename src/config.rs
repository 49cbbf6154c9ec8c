//! The target config: which contracts to run, against which base URL, with which fixtures.
//!
//! TOML, one table per contract (a contract without a table is not run). String values may be
//! `${NAME}`, read from the environment; a missing variable is an error that names it. Values
//! read from the environment are secrets whatever the suite says, so they are always redacted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::contract::Contract;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read config {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to parse config {origin}")]
    Parse {
        origin: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("config {origin}: [{contract}] {message}")]
    Invalid {
        origin: String,
        contract: String,
        message: String,
    },
    #[error("config {origin}: `{key}` in [{contract}] needs environment variable {var}, which is not set")]
    MissingEnv {
        origin: String,
        contract: String,
        key: String,
        var: String,
    },
    #[error("config {origin}: no contract named `{contract}` (known: {known})")]
    UnknownContract {
        origin: String,
        contract: String,
        known: String,
    },
}

/// One contract's target: where it is and the operator's variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub base_url: String,
    /// Every key of the table but `base_url`, as JSON values.
    pub vars: BTreeMap<String, Value>,
    /// Keys whose value came from the environment.
    pub from_env: BTreeSet<String>,
    /// `strict = true`: the contract's decided rules fail like stated ones (for the API owner
    /// whose rules they are), as `--strict` does for every contract.
    pub strict: bool,
    /// Headers sent on every request (`headers = { Name = "value" }`, or `-H` with
    /// `run --openapi`): a credential the document describes no scheme for, a tenant header.
    /// Their values are secrets.
    pub headers: Vec<(String, String)>,
    /// Variables conform made up from their schemas because the operator gave none (a path
    /// parameter of `run --openapi`), each with a pool of distinct values: the requests that
    /// use them may name objects that do not exist, so a refusal conforms there, and each case
    /// takes its own value from the pool, so that no case sees what another made (its failure
    /// replays alone).
    pub made_up: BTreeMap<String, Vec<Value>>,
}

/// The whole config: contract name → target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetConfig {
    pub targets: BTreeMap<String, Target>,
    /// Where the config came from, for messages.
    pub origin: String,
    /// The config file can be read by every user of the machine (mode `o+r`).
    pub world_readable: bool,
}

impl TargetConfig {
    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::parse(&text, &path.display().to_string(), &|k| {
            std::env::var(k).ok()
        })?;
        config.world_readable = world_readable(path);
        Ok(config)
    }

    /// Parses config text; `env` looks up `${NAME}` values.
    pub fn parse(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let table: toml::Table = toml::from_str(text).map_err(|source| ConfigError::Parse {
            origin: origin.to_string(),
            source: Box::new(source),
        })?;
        let invalid = |contract: &str, message: String| ConfigError::Invalid {
            origin: origin.to_string(),
            contract: contract.to_string(),
            message,
        };
        let mut targets = BTreeMap::new();
        for (contract, value) in table {
            let toml::Value::Table(t) = value else {
                return Err(invalid(&contract, "must be a table".into()));
            };
            let mut vars = BTreeMap::new();
            let mut from_env = BTreeSet::new();
            let mut t = t;
            let mut headers = Vec::new();
            match t.remove("headers") {
                None => {}
                Some(toml::Value::Table(h)) => {
                    for (name, value) in h {
                        let toml::Value::String(value) = value else {
                            return Err(invalid(
                                &contract,
                                format!("header `{name}` must be a string"),
                            ));
                        };
                        let value = match env_reference(&value) {
                            Some(var) => env(var).ok_or_else(|| ConfigError::MissingEnv {
                                origin: origin.to_string(),
                                contract: contract.clone(),
                                key: format!("headers.{name}"),
                                var: var.to_string(),
                            })?,
                            None => value,
                        };
                        headers.push((name, value));
                    }
                }
                Some(_) => {
                    return Err(invalid(
                        &contract,
                        "`headers` must be a table of header names and values".into(),
                    ))
                }
            }
            for (key, value) in t {
                let mut json = toml_to_json(value);
                if let Value::String(s) = &json {
                    if let Some(var) = env_reference(s) {
                        let got = env(var).ok_or_else(|| ConfigError::MissingEnv {
                            origin: origin.to_string(),
                            contract: contract.clone(),
                            key: key.clone(),
                            var: var.to_string(),
                        })?;
                        json = Value::String(got);
                        from_env.insert(key.clone());
                    }
                }
                vars.insert(key, json);
            }
            let base_url = match vars.remove("base_url") {
                Some(Value::String(s)) => s,
                Some(_) => return Err(invalid(&contract, "`base_url` must be a string".into())),
                None => return Err(invalid(&contract, "`base_url` is missing".into())),
            };
            let parsed = reqwest::Url::parse(&base_url)
                .map_err(|e| invalid(&contract, format!("`base_url` {base_url:?}: {e}")))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(invalid(
                    &contract,
                    format!("`base_url` {base_url:?} must be http or https"),
                ));
            }
            from_env.remove("base_url");
            let strict = match vars.remove("strict") {
                None => false,
                Some(Value::Bool(b)) => b,
                Some(_) => return Err(invalid(&contract, "`strict` must be true or false".into())),
            };
            targets.insert(
                contract,
                Target {
                    base_url: base_url.trim_end_matches('/').to_string(),
                    vars,
                    from_env,
                    strict,
                    headers,
                    made_up: BTreeMap::new(),
                },
            );
        }
        Ok(TargetConfig {
            targets,
            origin: origin.to_string(),
            world_readable: false,
        })
    }

    /// Secrets written literally in the config, as `[contract] key`: variables the suite marks
    /// secret whose value is not a `${ENV}` reference, and passwords inside a `base_url`.
    pub fn literal_secrets(&self, contracts: &[Contract]) -> Vec<String> {
        let mut found = Vec::new();
        for (name, target) in &self.targets {
            let spec = contracts
                .iter()
                .find(|c| c.name() == name)
                .map(|c| &c.suite.variables);
            for key in target.vars.keys() {
                let secret = spec.and_then(|s| s.get(key)).is_some_and(|v| v.secret);
                if secret && !target.from_env.contains(key) {
                    found.push(format!("[{name}] {key}"));
                }
            }
            if reqwest::Url::parse(&target.base_url).is_ok_and(|u| u.password().is_some()) {
                found.push(format!("[{name}] base_url (a password in the URL)"));
            }
        }
        found
    }

    /// The warning for a config file that every user can read and that holds literal
    /// secrets; `None` when the file is private or every secret comes from the environment.
    pub fn exposure_warning(&self, contracts: &[Contract]) -> Option<String> {
        if !self.world_readable {
            return None;
        }
        let secrets = self.literal_secrets(contracts);
        if secrets.is_empty() {
            return None;
        }
        Some(format!(
            "{} can be read by every user and holds literal secrets ({}); \
             use ${{ENV}} references or `chmod 600 {}`",
            self.origin,
            secrets.join(", "),
            self.origin
        ))
    }

    /// The config with every variable a suite gives a `default` for filled in where the
    /// operator gave none.
    pub fn with_defaults(mut self, contracts: &[Contract]) -> Self {
        for (name, target) in &mut self.targets {
            let Some(c) = contracts.iter().find(|c| c.name() == name) else {
                continue;
            };
            for (key, spec) in &c.suite.variables {
                if let Some(d) = &spec.default {
                    target.vars.entry(key.clone()).or_insert_with(|| d.clone());
                }
            }
        }
        self
    }

    /// Checks the config against the loaded contracts: every table names a contract, every
    /// key is a variable of it, every required variable is there.
    pub fn check_against(&self, contracts: &[Contract]) -> Result<(), ConfigError> {
        for (name, target) in &self.targets {
            let Some(contract) = contracts.iter().find(|c| c.name() == name) else {
                return Err(ConfigError::UnknownContract {
                    origin: self.origin.clone(),
                    contract: name.clone(),
                    known: contracts
                        .iter()
                        .map(|c| c.name())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let invalid = |message: String| ConfigError::Invalid {
                origin: self.origin.clone(),
                contract: name.clone(),
                message,
            };
            let spec = &contract.suite.variables;
            let unknown: Vec<String> = target
                .vars
                .keys()
                .filter(|key| !spec.contains_key(*key))
                .map(|key| format!("`{key}`"))
                .collect();
            if !unknown.is_empty() {
                let known: Vec<&str> = spec.keys().map(String::as_str).collect();
                return Err(invalid(format!(
                    "unknown key{} {} (the suite takes base_url, strict, headers, {})",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", "),
                    known.join(", ")
                )));
            }
            // Every missing key at once: a config is written by hand, one fix per run is slow.
            let missing: Vec<String> = spec
                .iter()
                .filter(|(key, v)| {
                    !v.optional && v.default.is_none() && !target.vars.contains_key(*key)
                })
                .map(|(key, v)| {
                    let what = if v.description.is_empty() {
                        "see the suite"
                    } else {
                        &v.description
                    };
                    format!("`{key}` is required: {what}")
                })
                .collect();
            match missing.as_slice() {
                [] => {}
                [one] => return Err(invalid(one.clone())),
                many => {
                    return Err(invalid(format!(
                        "{} required keys are missing:\n  {}",
                        many.len(),
                        many.join("\n  ")
                    )))
                }
            }
        }
        Ok(())
    }
}

/// `Some("NAME")` when `s` is exactly `${NAME}`.
fn env_reference(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(inner)
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(unix)]
fn world_readable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o004 != 0)
}

#[cfg(not(unix))]
fn world_readable(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        (k == "TP_TOKEN").then(|| "s3cret".to_string())
    }

    #[test]
    fn reads_env_and_lists() {
        let c = TargetConfig::parse(
            "[tenpay]\nbase_url = \"http://x/\"\ntoken = \"${TP_TOKEN}\"\nuser_ids = [1, 2]\n",
            "t.toml",
            &env,
        )
        .unwrap();
        let t = &c.targets["tenpay"];
        assert_eq!(t.base_url, "http://x");
        assert_eq!(t.vars["token"], "s3cret");
        assert_eq!(t.vars["user_ids"], serde_json::json!([1, 2]));
        assert!(t.from_env.contains("token"));
    }

    #[test]
    fn missing_env_is_named() {
        let e = TargetConfig::parse(
            "[tss]\nbase_url = \"http://x\"\ntoken = \"${NOPE_TOKEN}\"\n",
            "t.toml",
            &env,
        )
        .unwrap_err();
        assert!(e.to_string().contains("NOPE_TOKEN"), "{e}");
        assert!(e.to_string().contains("token"), "{e}");
    }

    #[test]
    fn bad_input_is_an_error() {
        for text in [
            "not toml [",
            "tss = 1",
            "[tss]\ntoken = \"x\"",
            "[tss]\nbase_url = \"ftp://x\"",
            "[tss]\nbase_url = 3",
        ] {
            assert!(TargetConfig::parse(text, "t", &env).is_err(), "{text}");
        }
    }
}
