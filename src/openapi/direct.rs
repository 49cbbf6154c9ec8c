//! A team's own OpenAPI document run directly: `conform run --openapi FILE --base-url URL
//! [-H 'Name: value'] [--var name=value]`, the one command a Schemathesis user expects.
//!
//! The document is imported in memory (nothing is written) into a contract, and the command
//! line becomes its target: the base URL, the operator's headers and variables. A credential
//! given as a header the document's security scheme describes (`Authorization: Bearer T` for a
//! bearer scheme, the API-key header) becomes the scheme's variable, so that auth cases can
//! vary it; any other header goes on every request as it is. A parameter the operator gives
//! no value for (an id in a path) is made up from its schema, one value per case, and the
//! requests that send it may be refused (the object may not exist); other variables the
//! operator did not give skip the cases that need them, each saying which `--var` would run
//! it. Only a missing credential is an error, as a run where every case is refused proves
//! nothing.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::{build, load_built, read_document};
use crate::config::{Target, TargetConfig};
use crate::contract::{AuthScheme, Contract};

/// What the caller says about a document run directly (`conform run --openapi FILE ...`;
/// the command line's own spelling of these is `cli::openapi::DirectArgs`).
#[derive(Debug, Clone, Default)]
pub struct DirectOptions {
    /// The OpenAPI document (3.0, 3.1 or Swagger 2.0; YAML or JSON), imported in memory.
    pub openapi: Option<PathBuf>,
    /// The target's base URL (a path of the document's first `servers` entry is appended when
    /// the URL has none).
    pub base_url: Option<String>,
    /// Headers sent on every request, `Name: value`; one naming the carrier of the document's
    /// security scheme is that scheme's credential.
    pub headers: Vec<String>,
    /// Variables of the imported contract, `name=value` (a string) or `name:=JSON`.
    pub vars: Vec<String>,
    /// Name of the imported contract (default: from the file name).
    pub name: Option<String>,
}

/// The imported contract and its target, with the notes of the import.
pub struct Direct {
    pub contract: Contract,
    pub config: TargetConfig,
    pub notes: Vec<String>,
}

/// A contract name from a file name: `api.yaml` → `api`, `My API.json` → `my-api`.
fn name_from(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        "api".into()
    } else {
        out
    }
}

/// Imports the document and builds its target. `placeholder_url` is used when no base URL is
/// given (for `list`, which sends nothing); `run` gives none and requires one.
pub fn prepare(
    args: &DirectOptions,
    config: Option<&TargetConfig>,
    placeholder_url: Option<&str>,
) -> Result<Direct> {
    let Some(file) = &args.openapi else {
        bail!("--openapi FILE is required");
    };
    let doc = read_document(file)?;
    let name = args.name.clone().unwrap_or_else(|| name_from(file));
    let built = build(&doc.value, &doc.source, &name)?;
    let mut notes = doc.notes.clone();
    notes.extend(built.notes.iter().cloned());
    let mut contract = load_built(built, &doc.source)?;

    let from_config = config.and_then(|c| c.targets.get(&name)).cloned();
    let base_url = match (&args.base_url, &from_config, placeholder_url) {
        (Some(u), _, _) => with_server_path(u, &doc.value, &mut notes)?,
        (None, Some(t), _) => t.base_url.clone(),
        (None, None, Some(p)) => p.to_string(),
        (None, None, None) => bail!(
            "--base-url URL is required with --openapi (or a [{name}] table with base_url in --config)"
        ),
    };
    let parsed = reqwest::Url::parse(&base_url)
        .with_context(|| format!("--base-url {base_url:?} is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        bail!("--base-url {base_url:?} must be http or https");
    }
    let mut target = from_config.unwrap_or(Target {
        base_url: String::new(),
        vars: Default::default(),
        from_env: Default::default(),
        strict: false,
        headers: Vec::new(),
        made_up: Default::default(),
    });
    target.base_url = base_url.trim_end_matches('/').to_string();

    for h in &args.headers {
        let Some((n, v)) = h.split_once(':') else {
            bail!("-H {h:?}: a header is `Name: value`");
        };
        let (n, v) = (n.trim(), v.trim());
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            bail!("-H {h:?}: {n:?} is not a header name");
        }
        if v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            bail!("-H {n}: a header value cannot hold a line break");
        }
        match credential_of(&contract, n, v) {
            Some(token) => {
                target
                    .vars
                    .insert(contract.suite.auth.variable.clone(), Value::String(token));
            }
            None => target.headers.push((n.to_string(), v.to_string())),
        }
    }
    for v in &args.vars {
        let (key, value) = if let Some((k, json)) = v.split_once(":=") {
            let value: Value = serde_json::from_str(json)
                .with_context(|| format!("--var {k}:= needs a JSON value"))?;
            (k, value)
        } else if let Some((k, s)) = v.split_once('=') {
            (k, Value::String(s.to_string()))
        } else {
            bail!("--var {v:?}: a variable is `name=value` or `name:=JSON`");
        };
        if !contract.suite.variables.contains_key(key) {
            let known: Vec<&str> = contract
                .suite
                .variables
                .keys()
                .map(String::as_str)
                .collect();
            bail!(
                "--var {key}: the imported contract has no variable `{key}` (it has: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
        target.vars.insert(key.to_string(), value);
    }

    let credential = contract.suite.auth.variable.clone();
    if placeholder_url.is_none()
        && contract.suite.auth.scheme != AuthScheme::None
        && !target.vars.contains_key(&credential)
    {
        bail!(
            "the document requires a credential ({}): give it with -H '{}' or --var {credential}=VALUE",
            contract.suite.auth.doc,
            credential_hint(&contract)
        );
    }
    // Everything but the credential may be absent: the cases that need it are skipped, each
    // naming the variable.
    for (key, spec) in contract.suite.variables.iter_mut() {
        if *key != credential {
            spec.optional = true;
        }
    }
    // A parameter the operator names no value for gets one made from its schema, as other
    // tools do: the requests may then name objects that do not exist, which is why a refusal
    // conforms there (the plan widens them); a server error is still a server error.
    // (`list` makes the same, so that it lists the cases `run` runs.)
    for (var, pool) in made_up_values(&contract, &target) {
        notes.push(format!(
            "`{var}` made up from its schema, one value per case (e.g. {}; no --var {var}=...): requests that use it accept a refusal",
            crate::template::as_text(&pool[0])
        ));
        target.vars.insert(var.clone(), pool[0].clone());
        target.made_up.insert(var, pool);
    }
    let missing: Vec<&str> = contract
        .suite
        .variables
        .iter()
        .filter(|(k, v)| !target.vars.contains_key(*k) && **k != credential && v.default.is_none())
        .map(|(k, _)| k.as_str())
        .collect();
    if !missing.is_empty() {
        notes.push(format!(
            "cases that need {} are skipped: give {}",
            missing.join(", "),
            missing
                .iter()
                .map(|m| format!("--var {m}=VALUE"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    let mut config = TargetConfig {
        origin: format!("--openapi {}", file.display()),
        ..TargetConfig::default()
    };
    config.targets.insert(name, target);
    Ok(Direct {
        contract,
        config,
        notes,
    })
}

/// Distinct values made up per parameter variable (at most this many).
const POOL: usize = 512;

/// Values for every parameter variable the operator did not give: drawn from the parameter's
/// schema (seeded, so every run makes the same), URL-safe, valid against the schema, distinct.
fn made_up_values(contract: &Contract, target: &Target) -> Vec<(String, Vec<Value>)> {
    use rand::SeedableRng;
    let resolver = crate::generate::view::Resolver::new(&contract.schemas);
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    for e in &contract.suite.endpoints {
        let Some(example) = &e.example else {
            continue;
        };
        for p in &e.params {
            let Some(Value::String(raw)) = example.params.get(&p.name) else {
                continue;
            };
            let Some(var) = raw
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .map(String::from)
            else {
                continue;
            };
            if !contract.suite.variables.contains_key(&var)
                || target.vars.contains_key(&var)
                || out.iter().any(|(v, _)| *v == var)
            {
                continue;
            }
            let Some(field) = resolver.field(&p.schema) else {
                continue;
            };
            let usable = |v: &Value| {
                let text = crate::template::as_text(v);
                !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
                    && contract
                        .schemas
                        .validate(&p.schema, &crate::generate::negative::param_as_json(&text))
                        .is_ok()
            };
            let mut rng = rand::rngs::StdRng::seed_from_u64(0x636f_6e66_6f72_6d00);
            let mut pool: Vec<Value> = Vec::new();
            for _ in 0..POOL * 4 {
                let v = crate::generate::values::valid(&field, &mut rng);
                if usable(&v) && !pool.contains(&v) {
                    pool.push(v);
                    if pool.len() == POOL {
                        break;
                    }
                }
            }
            if !pool.is_empty() {
                out.push((var, pool));
            }
        }
    }
    out
}

/// The value of a header that carries the document's credential, as the scheme's variable
/// holds it (the token of `Bearer T`, `user:password` of `Basic B`, an API key).
fn credential_of(contract: &Contract, name: &str, value: &str) -> Option<String> {
    let auth = &contract.suite.auth;
    if !name.eq_ignore_ascii_case(auth.carrier()) {
        return None;
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    match auth.scheme {
        AuthScheme::Bearer if scheme.eq_ignore_ascii_case("bearer") => {
            Some(rest.trim().to_string())
        }
        AuthScheme::Basic if scheme.eq_ignore_ascii_case("basic") => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()?;
            String::from_utf8(bytes).ok()
        }
        AuthScheme::Header => Some(value.to_string()),
        _ => None,
    }
}

fn credential_hint(contract: &Contract) -> String {
    let auth = &contract.suite.auth;
    match auth.scheme {
        AuthScheme::Bearer => "Authorization: Bearer TOKEN".into(),
        AuthScheme::Basic => "Authorization: Basic BASE64(user:password)".into(),
        AuthScheme::Header => format!("{}: KEY", auth.carrier()),
        _ => format!("{}: ...", auth.carrier()),
    }
}

/// `url` with the path of the document's first server appended, when `url` has no path of its
/// own (`--base-url http://host:8080` and `servers: [{url: /api/v1}]` → `http://host:8080/api/v1`).
fn with_server_path(url: &str, doc: &Value, notes: &mut Vec<String>) -> Result<String> {
    let parsed =
        reqwest::Url::parse(url).with_context(|| format!("--base-url {url:?} is not a URL"))?;
    if parsed.path() != "/" {
        return Ok(url.to_string());
    }
    let Some(server) = doc.pointer("/servers/0/url").and_then(Value::as_str) else {
        return Ok(url.to_string());
    };
    // An absolute server URL's path, or a relative one as it is; variables are left alone.
    let path = match reqwest::Url::parse(server) {
        Ok(u) => u.path().to_string(),
        Err(_) => server.to_string(),
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() || !path.starts_with('/') || path.contains('{') {
        return Ok(url.to_string());
    }
    notes.push(format!(
        "base URL {}{path} (the path of the document's first server)",
        url.trim_end_matches('/')
    ));
    Ok(format!("{}{path}", url.trim_end_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_come_from_file_names() {
        assert_eq!(name_from(std::path::Path::new("dir/api.yaml")), "api");
        assert_eq!(
            name_from(std::path::Path::new("My API v2.json")),
            "my-api-v2"
        );
        assert_eq!(name_from(std::path::Path::new("..json")), "api");
    }

    #[test]
    fn a_server_path_is_appended_only_to_a_bare_origin() {
        let doc = json!({ "servers": [{ "url": "https://api.example/v1/" }] });
        let mut notes = Vec::new();
        assert_eq!(
            with_server_path("http://127.0.0.1:9", &doc, &mut notes).unwrap(),
            "http://127.0.0.1:9/v1"
        );
        assert_eq!(
            with_server_path("http://127.0.0.1:9/x", &doc, &mut notes).unwrap(),
            "http://127.0.0.1:9/x"
        );
        let templated = json!({ "servers": [{ "url": "/{version}" }] });
        assert_eq!(
            with_server_path("http://h", &templated, &mut notes).unwrap(),
            "http://h"
        );
    }
}
