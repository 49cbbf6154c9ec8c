//! One pooled HTTP client for the whole run, and the records of what was sent and received.
//!
//! The target is not trusted, so everything it can make the harness do is bounded here:
//! bodies are read with a cap (`--body-limit`; a declared `Content-Length` over it is refused
//! before a byte is read), every request has a timeout that covers connecting, the answer and
//! the whole body (`--timeout`), and redirects are not followed. With `--follow-redirects` they
//! are followed within the same origin only, so credentials never travel to another host.
//!
//! TLS is rustls with the system's roots (through rustls-platform-verifier); `--ca-cert FILE`
//! adds a private CA, and `--insecure` (reported in the run's metadata) turns verification off.
//! Its crypto is ring, installed as the process's provider when a client is made (see
//! `install_crypto_provider`).
//! Proxies come from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::redact::Redactor;

/// Defaults, printed by `--help`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// Most redirects followed for one request with `--follow-redirects`.
pub const MAX_REDIRECTS: usize = 5;

/// A request as the harness sends it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response as the harness received it.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
    /// The body parsed as strict JSON ([`crate::strict_json`]) when it is, parsed once here for
    /// the secrets the redactor learns from it and for every check that reads it; `None` when
    /// it is not JSON (or nobody parsed it: a check then parses the body itself).
    pub json: Option<std::sync::Arc<serde_json::Value>>,
}

impl Incoming {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why no (whole) response was received. Every message names the URL it was sent to.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("no complete answer from {url} within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error(
        "body too large: more than {limit} bytes from {url} (raise --body-limit to read more)"
    )]
    TooLarge { url: String, limit: usize },
    #[error(
        "TLS with {url} failed: {detail} (a private CA needs --ca-cert FILE; \
         --insecure turns verification off)"
    )]
    Tls { url: String, detail: String },
    #[error("the answer from {url} broke off: {detail}")]
    Broken { url: String, detail: String },
    #[error("request to {url} failed: {detail}")]
    Other { url: String, detail: String },
}

impl TransportError {
    /// The same error with its text passed through `redact` (e.g. a contract's
    /// [`crate::redact::ScopedRedactor::apply`]).
    pub fn redacted(self, redact: impl Fn(&str) -> String) -> Self {
        let r = |s: String| redact(&s);
        match self {
            TransportError::Connect { url, detail } => TransportError::Connect {
                url: r(url),
                detail: r(detail),
            },
            TransportError::Timeout { url, timeout } => TransportError::Timeout {
                url: r(url),
                timeout,
            },
            TransportError::TooLarge { url, limit } => {
                TransportError::TooLarge { url: r(url), limit }
            }
            TransportError::Tls { url, detail } => TransportError::Tls {
                url: r(url),
                detail: r(detail),
            },
            TransportError::Broken { url, detail } => TransportError::Broken {
                url: r(url),
                detail: r(detail),
            },
            TransportError::Other { url, detail } => TransportError::Other {
                url: r(url),
                detail: r(detail),
            },
        }
    }
}

/// Why the client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("failed to read the CA certificate {path}")]
    ReadCa {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} holds no PEM certificate")]
    BadCa {
        path: PathBuf,
        #[source]
        source: Option<reqwest::Error>,
    },
    #[error("failed to build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub body_limit: usize,
    /// PEM file of extra trusted CA certificates (`--ca-cert`), besides the system's.
    pub ca_cert: Option<PathBuf>,
    /// Accept any server certificate (`--insecure`).
    pub insecure: bool,
    /// Follow redirects within the same origin (`--follow-redirects`); never to another one.
    pub follow_redirects: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: DEFAULT_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
            ca_cert: None,
            insecure: false,
            follow_redirects: false,
        }
    }
}

/// The run's one pooled client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    options: HttpOptions,
    /// Shown every answer, to learn the tokens the target hands out.
    learner: Option<Redactor>,
}

impl HttpClient {
    pub fn new(options: HttpOptions) -> Result<Self, ClientError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .redirect(redirect_policy(options.follow_redirects))
            // No retries of reqwest's own: what was sent is what the report says was sent (a
            // 429 is retried by the engine, and said so). Its default retries only HTTP/2
            // refusals, which this HTTP/1 client never gets, yet copies every request's headers
            // in case it should.
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .user_agent(concat!("conform/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &options.ca_cert {
            builder = builder.tls_certs_merge(read_ca(path)?);
        }
        if options.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(ClientError::Build)?;
        Ok(HttpClient {
            client,
            options,
            learner: None,
        })
    }

    /// Shows every answer read whole to `redactor`, which learns the secrets in it (see
    /// [`Redactor::learn_from_response`]) before anything is reported.
    pub fn learning_secrets(mut self, redactor: Redactor) -> Self {
        self.learner = Some(redactor);
        self
    }

    /// The settings this client was built with.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Sends a request and reads the whole body, within the timeout and the body limit.
    pub async fn send(&self, out: &Outgoing) -> Result<Incoming, TransportError> {
        let started = Instant::now();
        let url = out.url.clone();
        let method = reqwest::Method::from_bytes(out.method.as_bytes()).map_err(|e| {
            TransportError::Other {
                url: url.clone(),
                detail: e.to_string(),
            }
        })?;
        let mut headers = HeaderMap::new();
        for (k, v) in &out.headers {
            let name = HeaderName::from_bytes(k.as_bytes());
            let value = HeaderValue::from_str(v);
            match (name, value) {
                (Ok(n), Ok(v)) => {
                    headers.append(n, v);
                }
                _ => {
                    return Err(TransportError::Other {
                        url,
                        detail: format!("header {k:?} cannot be sent"),
                    })
                }
            }
        }
        let mut request = self.client.request(method, &url).headers(headers);
        if let Some(body) = &out.body {
            request = request.body(body.clone());
        }
        let timeout = self.options.timeout;
        let limit = self.options.body_limit;
        let fut = async {
            let mut response = request
                .send()
                .await
                .map_err(|e| classify(&url, timeout, e))?;
            let too_large = || TransportError::TooLarge {
                url: url.clone(),
                limit,
            };
            // A declared length over the limit is refused before a byte of the body is read.
            if response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(too_large());
            }
            let status = response.status().as_u16();
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| classify(&url, timeout, e))?
            {
                if body.len().saturating_add(chunk.len()) > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            let json = crate::strict_json::parse(&body)
                .ok()
                .map(std::sync::Arc::new);
            if let Some(learner) = &self.learner {
                learner.learn_from_response(&headers, &body, json.as_deref());
            }
            Ok(Incoming {
                status,
                headers,
                body,
                elapsed: started.elapsed(),
                json,
            })
        };
        // reqwest's timeout covers the body too; this outer one is a second fence.
        match tokio::time::timeout(timeout.saturating_add(Duration::from_millis(500)), fut).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout {
                url: url.clone(),
                timeout,
            }),
        }
    }
}

/// No redirects, or same-origin ones only (at most [`MAX_REDIRECTS`]). A redirect that is not
/// followed is the answer: the checks see its 3xx status.
fn redirect_policy(follow: bool) -> reqwest::redirect::Policy {
    if !follow {
        return reqwest::redirect::Policy::none();
    }
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if same && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Makes ring the process's rustls crypto provider, unless one is installed already.
///
/// reqwest is built with `rustls-no-provider`, so that aws-lc-rs (C code, most of a cold build)
/// is not compiled; a client then takes the process-wide provider, and building one without it
/// panics. Calling this again, or after another provider was installed, changes nothing.
pub(crate) fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The certificates of a PEM file (one or more).
fn read_ca(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let pem = std::fs::read(path).map_err(|source| ClientError::ReadCa {
        path: path.to_path_buf(),
        source,
    })?;
    let certs =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| ClientError::BadCa {
            path: path.to_path_buf(),
            source: Some(source),
        })?;
    if certs.is_empty() {
        return Err(ClientError::BadCa {
            path: path.to_path_buf(),
            source: None,
        });
    }
    Ok(certs)
}

fn classify(url: &str, timeout: Duration, e: reqwest::Error) -> TransportError {
    let url = url.to_string();
    // Our messages name the URL themselves; reqwest's would name it again.
    let e = e.without_url();
    let detail = error_chain(&e);
    if e.is_timeout() {
        TransportError::Timeout { url, timeout }
    } else if is_tls(&detail) {
        TransportError::Tls { url, detail }
    } else if e.is_connect() {
        TransportError::Connect { url, detail }
    } else if e.is_body() || e.is_decode() {
        TransportError::Broken { url, detail }
    } else {
        TransportError::Other { url, detail }
    }
}

/// rustls and the platform verifier describe their failures in these words.
fn is_tls(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("certificate") || d.contains("handshake") || d.contains("tls")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.dedup();
    parts.join(": ")
}
