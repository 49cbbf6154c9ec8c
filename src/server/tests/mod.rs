//! Tests against a live server on 127.0.0.1:0, through a real HTTP client.
//!
//! Why over the wire rather than calling handlers: the rules under test are about what a
//! client sees (status, content type, raw path, header order of auth and body checks).
//! The fixture values are read back from `target_config_toml`, which tests that too.

mod faults;
mod lenient;
mod onboard;
mod tenpay;
mod tropipay;
mod tss;

use std::time::Duration;

use serde_json::Value;

use super::{start, RunningServer, ServerOptions};

/// A started server, a client, and the parsed target config.
pub(super) struct Ctx {
    pub(super) server: RunningServer,
    pub(super) client: reqwest::Client,
    pub(super) config: toml::Table,
    pub(super) root: String,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub(super) enum Auth<'a> {
    None,
    Bearer(&'a str),
    Header(&'static str, &'a str),
}

/// What came back.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) content_type: String,
    pub(super) headers: reqwest::header::HeaderMap,
    pub(super) body: Vec<u8>,
}

impl Reply {
    pub(super) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!("not json ({err}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub(super) async fn start_with(faults: &[&str]) -> Ctx {
    start_in_mode(faults, false).await
}

/// A client builder without proxies. reqwest's rustls has no crypto provider of its own (see
/// Cargo.toml), so ring is installed first, as the harness's client does.
fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy()
}

/// A lenient server with `faults` on top.
pub(super) async fn start_lenient(faults: &[&str]) -> Ctx {
    start_in_mode(faults, true).await
}

async fn start_in_mode(faults: &[&str], lenient: bool) -> Ctx {
    let server = start(ServerOptions {
        faults: faults.iter().map(|f| (*f).to_string()).collect(),
        lenient,
        ..ServerOptions::default()
    })
    .await
    .expect("server starts");
    let config: toml::Table = toml::from_str(&server.target_config_toml()).expect("valid toml");
    let client = client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let root = format!("http://{}", server.addr());
    Ctx {
        server,
        client,
        config,
        root,
    }
}

pub(super) async fn start_default() -> Ctx {
    start_with(&[]).await
}

impl Ctx {
    /// A string value of the config, e.g. `cfg("tss", "token")`.
    pub(super) fn cfg(&self, table: &str, key: &str) -> String {
        self.config[table][key]
            .as_str()
            .unwrap_or_else(|| panic!("{table}.{key}"))
            .to_string()
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    fn with_auth(
        &self,
        request: reqwest::RequestBuilder,
        auth: Auth<'_>,
    ) -> reqwest::RequestBuilder {
        match auth {
            Auth::None => request,
            Auth::Bearer(token) => request.header("authorization", format!("Bearer {token}")),
            Auth::Header(name, value) => request.header(name, value),
        }
    }

    pub(super) async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.bytes().await.expect("body").to_vec();
        Reply {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub(super) async fn get(&self, path: &str, auth: Auth<'_>) -> Reply {
        let request = self.with_auth(self.client.get(self.url(path)), auth);
        self.send(request).await
    }

    pub(super) async fn post(&self, path: &str, auth: Auth<'_>, body: Value) -> Reply {
        self.post_raw(path, auth, Some("application/json"), body.to_string())
            .await
    }

    pub(super) async fn post_raw(
        &self,
        path: &str,
        auth: Auth<'_>,
        content_type: Option<&str>,
        body: impl Into<String>,
    ) -> Reply {
        let mut request = self.with_auth(self.client.post(self.url(path)), auth);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        self.send(request.body(body.into())).await
    }
}

#[tokio::test]
async fn config_has_every_key() {
    let ctx = start_default().await;
    for (table, keys) in [
        (
            "tropipay",
            &[
                "base_url",
                "token",
                "password",
                "security_code",
                "disposable_token",
            ][..],
        ),
        (
            "tss",
            &[
                "base_url",
                "token",
                "second_token",
                "password",
                "otp",
                "taken_telephone",
                "locked_birthdate_token",
            ][..],
        ),
        ("tenpay", &["base_url", "token"][..]),
        ("onboard", &["base_url", "token"][..]),
    ] {
        for key in keys {
            assert!(!ctx.cfg(table, key).is_empty(), "{table}.{key}");
        }
    }
    assert_eq!(ctx.cfg("tropipay", "base_url"), ctx.url("/api/v3"));
    assert_eq!(ctx.cfg("tss", "base_url"), ctx.root);
    assert_eq!(ctx.cfg("tenpay", "base_url"), ctx.root);
    assert_eq!(ctx.cfg("tropipay", "security_code"), "123456");
    assert_eq!(ctx.cfg("tss", "otp"), "654321");
    assert!(ctx.cfg("tropipay", "password").len() >= 8);
    let ids: Vec<i64> = ctx.config["tenpay"]["user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_integer().unwrap())
        .collect();
    assert_eq!(ids, [1001, 1002, 1003, 1004, 1005, 1006]);
    assert_eq!(
        ctx.config["tenpay"]["unknown_id"].as_integer(),
        Some(999_999)
    );
    let text = ctx.server.fixtures_text();
    assert!(text.contains(&ctx.cfg("tss", "second_token")));
    assert!(text.contains("654321"));
    assert!(ctx.server.addr().ip().is_loopback());
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json_404() {
    let ctx = start_default().await;
    for path in [
        "/",
        "/nope",
        "/api/v3/users/profile/",
        "/api/v3",
        "/user/1001/status",
    ] {
        let reply = ctx.get(path, Auth::None).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.content_type.starts_with("application/json"), "{path}");
        assert!(reply.json().is_object());
    }
    let token = ctx.cfg("tropipay", "token");
    let reply = ctx
        .send(
            ctx.client
                .delete(ctx.url("/api/v3/users/profile"))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert!(reply.json().is_object());
    let reply = ctx
        .post("/users/me", Auth::None, serde_json::json!({}))
        .await;
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn start_refuses_unknown_faults() {
    let err = start(ServerOptions {
        faults: vec!["no-such-fault".into()],
        ..ServerOptions::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(err, super::ServerError::UnknownFault(ref name) if name == "no-such-fault"));
    assert!(err.to_string().contains("tss-otp-unchecked"));
}

#[tokio::test]
async fn latency_is_added_and_shutdown_stops_listening() {
    let server = start(ServerOptions {
        latency: Duration::from_millis(150),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let addr = server.addr();
    let client = client_builder().build().unwrap();
    let began = std::time::Instant::now();
    let response = client
        .get(format!("http://{addr}/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert!(began.elapsed() >= Duration::from_millis(150));
    drop(client);
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn drop_stops_listening() {
    let server = start(ServerOptions::default()).await.unwrap();
    let addr = server.addr();
    drop(server);
    // The abort takes effect at the task's next poll.
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("still listening after drop");
}
