//! Building a step's request from the plan and the case's variables, and sending it within the
//! run's rate ceiling.
//!
//! The credential goes where the contract's auth scheme says (a header, a query parameter, a
//! cookie); an auth case varies it (missing, empty, malformed, expired, wrong scheme, wrong
//! header). The operator's own headers go on every request except where the credential is what
//! the step varies.

use crate::config::Target;
use crate::contract::{AuthSpec, Contract, EndpointSpec, ParamLocation};
use crate::http::{Incoming, Outgoing, TransportError};
use crate::plan::{AuthVariant, Credential, LiteralBody, PlannedStep};
use crate::rate::{self, MAX_429_RETRIES};
use crate::template::{self, Vars};

use super::RunContext;

/// Sends within the run's rate ceiling; a 429 is retried after its Retry-After, at most
/// [`MAX_429_RETRIES`] times. Returns the last answer and how many retries it took.
pub(super) async fn send_paced(
    ctx: &RunContext,
    out: &Outgoing,
) -> Result<(Incoming, u32), TransportError> {
    let mut retries = 0;
    loop {
        if let Some(p) = &ctx.pacer {
            p.wait().await;
        }
        let got = ctx.client.send(out).await?;
        if got.status != 429 || retries >= MAX_429_RETRIES {
            return Ok((got, retries));
        }
        retries += 1;
        tokio::time::sleep(rate::retry_after(got.header("retry-after"))).await;
    }
}

/// Builds the request of a step: URL with path and query parameters, credential, JSON body.
pub(super) fn build_request(
    contract: &Contract,
    target: &Target,
    endpoint: &EndpointSpec,
    step: &PlannedStep,
    vars: &Vars,
) -> Result<Outgoing, template::MissingVar> {
    let mut path = endpoint.path.clone();
    let mut query = Vec::new();
    let mut param_headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    let mut values: Vec<(String, String)> = Vec::new();
    for (name, raw) in &step.spec.params {
        values.push((
            name.clone(),
            template::as_text(&template::render(raw, vars)?),
        ));
    }
    values.extend(step.literal_params.clone());
    for (name, value) in values {
        let location = endpoint
            .params
            .iter()
            .find(|p| p.name == name)
            .map_or(ParamLocation::Query, |p| p.location);
        match location {
            // Path values go in raw: boundary cases send exactly what they name.
            ParamLocation::Path => path = path.replace(&format!("{{{name}}}"), &value),
            ParamLocation::Query => query.push((name, value)),
            ParamLocation::Header => param_headers.push((name, value)),
            ParamLocation::Cookie => cookies.push(format!("{name}={value}")),
        }
    }
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    credential_parts(
        &contract.suite.auth,
        &step.credential,
        vars,
        &mut headers,
        &mut query,
    )?;
    // The operator's own headers (`-H`, `headers` in the config) go on every request, except
    // where the credential is what the step varies.
    for (name, value) in &target.headers {
        let already = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let varied = matches!(step.credential, Credential::Bad(..))
            && name.eq_ignore_ascii_case(contract.suite.auth.carrier());
        if !already && !varied {
            headers.push((name.clone(), value.clone()));
        }
    }
    // The operation's header and cookie parameters; cookies join a credential cookie.
    headers.extend(param_headers);
    if !cookies.is_empty() {
        match headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        {
            Some((_, v)) => {
                v.push_str("; ");
                v.push_str(&cookies.join("; "));
            }
            None => headers.push(("Cookie".into(), cookies.join("; "))),
        }
    }
    let mut url = format!("{}{}", target.base_url, path);
    if !query.is_empty() {
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect();
        url.push('?');
        url.push_str(&encoded.join("&"));
    }
    let body = match (&step.literal_body, &step.spec.body) {
        (
            Some(LiteralBody::Raw {
                bytes,
                content_type,
            }),
            _,
        ) => {
            headers.push(("Content-Type".into(), content_type.to_string()));
            Some(bytes.to_vec())
        }
        (Some(LiteralBody::Json(text)), _) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(text.as_bytes().to_vec())
        }
        (None, Some(b)) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            Some(template::render(b, vars)?.to_string().into_bytes())
        }
        (None, None) => None,
    };
    Ok(Outgoing {
        method: step
            .spec
            .method
            .clone()
            .unwrap_or_else(|| endpoint.method.clone()),
        url,
        headers,
        body,
    })
}

/// A token no target ever issued, shaped like a real one.
const FOREIGN_TOKEN: &str = "conform-not-a-token-0000000000000000";
/// Basic credentials no target ever issued.
const FOREIGN_USER: &str = "conform-not-a-user:conform-not-a-password";
/// `{"alg":"HS256","typ":"JWT"}.{"sub":"1","iat":1,"exp":2}` with a signature no key made.
const EXPIRED_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwiaWF0IjoxLCJleHAiOjJ9.Y29uZm9ybS1ub3QtYS1zaWduYXR1cmU";

/// How a step's credential travels: headers to add, query parameters to add.
fn credential_parts(
    auth: &AuthSpec,
    credential: &Credential,
    vars: &Vars,
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
) -> Result<(), template::MissingVar> {
    use crate::contract::AuthScheme as S;
    let value_of = |var: &str| {
        vars.get(var)
            .map(template::as_text)
            .ok_or_else(|| template::MissingVar(var.to_string()))
    };
    let name = auth.carrier().to_string();
    let mut present = |token: &str| match auth.scheme {
        S::Bearer => headers.push(("Authorization".into(), format!("Bearer {token}"))),
        S::Basic => headers.push((
            "Authorization".into(),
            format!("Basic {}", crate::contract::basic_token(token)),
        )),
        S::Header => headers.push((name.clone(), token.to_string())),
        S::Query => query.push((name.clone(), token.to_string())),
        S::Cookie => headers.push(("Cookie".into(), format!("{name}={token}"))),
        S::None => {}
    };
    match credential {
        Credential::None => {}
        Credential::Var(var) => present(&value_of(var)?),
        Credential::Bad(variant, var) => match variant {
            AuthVariant::Missing => {}
            AuthVariant::Empty => match auth.scheme {
                S::Bearer => headers.push(("Authorization".into(), "Bearer ".into())),
                S::Basic => headers.push(("Authorization".into(), "Basic ".into())),
                _ => present(""),
            },
            AuthVariant::Malformed if auth.scheme == S::Basic => present(FOREIGN_USER),
            AuthVariant::Malformed => present(FOREIGN_TOKEN),
            AuthVariant::ExpiredJwt => present(EXPIRED_JWT),
            AuthVariant::WrongScheme if auth.scheme == S::Basic => headers.push((
                "Authorization".into(),
                format!("Bearer {}", crate::contract::basic_token(&value_of(var)?)),
            )),
            AuthVariant::WrongScheme => {
                headers.push(("Authorization".into(), format!("Basic {}", value_of(var)?)))
            }
            AuthVariant::WrongHeader => {
                let token = value_of(var)?;
                match auth.scheme {
                    S::Bearer => headers.push(("x-auth-token".into(), token)),
                    _ => headers.push(("Authorization".into(), format!("Bearer {token}"))),
                }
            }
        },
    }
    Ok(())
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
