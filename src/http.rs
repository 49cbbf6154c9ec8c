//! One pooled HTTP client for the whole run, and the records of what was sent and received.
//!
//! Bodies are read with a cap and every request has a timeout, so a hostile target cannot make
//! the harness hang or grow without bound. Redirects are never followed: a conformance check
//! must see the status the target answered.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Defaults, printed by `--help`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

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

/// Why no response was received.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },
    #[error("no complete answer from {url} within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("body too large: more than {limit} bytes from {url}")]
    TooLarge { url: String, limit: usize },
    #[error("request to {url} failed: {detail}")]
    Other { url: String, detail: String },
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub body_limit: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: DEFAULT_TIMEOUT,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// The run's one pooled client.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    options: HttpOptions,
}

impl HttpClient {
    pub fn new(options: HttpOptions) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .user_agent(concat!("conform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Other {
                url: String::new(),
                detail: e.to_string(),
            })?;
        Ok(HttpClient { client, options })
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
        let fut = async {
            let mut response = request
                .send()
                .await
                .map_err(|e| classify(&url, timeout, e))?;
            let status = response.status().as_u16();
            let headers = response
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
                if body.len() + chunk.len() > self.options.body_limit {
                    return Err(TransportError::TooLarge {
                        url: url.clone(),
                        limit: self.options.body_limit,
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Incoming {
                status,
                headers,
                body,
                elapsed: started.elapsed(),
            })
        };
        // reqwest's timeout covers the body too; this outer one is a second fence.
        match tokio::time::timeout(timeout + Duration::from_millis(500), fut).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::Timeout {
                url: url.clone(),
                timeout,
            }),
        }
    }
}

fn classify(url: &str, timeout: Duration, e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout {
            url: url.to_string(),
            timeout,
        }
    } else if e.is_connect() {
        TransportError::Connect {
            url: url.to_string(),
            detail: error_chain(&e),
        }
    } else {
        TransportError::Other {
            url: url.to_string(),
            detail: error_chain(&e),
        }
    }
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
