//! Purpose-built loopback servers for the hostile-target tests: a scripted raw-TCP server (to
//! answer with exactly the bytes a test wants, reset a connection mid-body, or redirect), and a
//! forwarder that records every byte in both directions (an HTTP proxy, or a tap in front of
//! the reference server). Every listener binds 127.0.0.1 on a free port and stops when dropped.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use conform::config::TargetConfig;
use conform::engine::{self, RunContext, RunSettings};
use conform::report::Report;

/// Longest request head a scripted server reads.
const MAX_HEAD: usize = 64 * 1024;

/// What a scripted server does with one request.
pub enum Answer {
    /// Writes these bytes and closes the connection.
    Bytes(Vec<u8>),
    /// Writes these bytes, then resets the connection (RST, not FIN).
    BytesThenReset(Vec<u8>),
}

/// A raw HTTP/1.1 server on 127.0.0.1 whose answers a closure writes byte for byte.
pub struct Scripted {
    addr: SocketAddr,
    accept: JoinHandle<()>,
    /// The request heads received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    pub fn start(
        rt: &tokio::runtime::Runtime,
        answer: impl Fn(&str) -> Answer + Send + Sync + 'static,
    ) -> Self {
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let answer = Arc::new(answer);
        let accept = rt.spawn(async move {
            // Dropped with the accept task: aborting it ends every connection too.
            let mut conns = JoinSet::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let answer = answer.clone();
                let seen = seen.clone();
                conns.spawn(async move {
                    let Some(head) = read_head(&mut stream).await else {
                        return;
                    };
                    seen.lock().unwrap().push(head.clone());
                    match answer(&head) {
                        Answer::Bytes(b) => {
                            let _ = stream.write_all(&b).await;
                            let _ = stream.shutdown().await;
                        }
                        Answer::BytesThenReset(b) => {
                            let _ = stream.write_all(&b).await;
                            let _ = stream.flush().await;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            // Linger 0 makes the close a reset; it does not block the thread.
                            #[allow(deprecated)]
                            let _ = stream.set_linger(Some(Duration::ZERO));
                            drop(stream);
                        }
                    }
                });
            }
        });
        Scripted {
            addr,
            accept,
            requests,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The request line and headers, up to the blank line (the body, if any, is not read).
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// An HTTP/1.1 answer with a JSON body.
pub fn json_answer(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A TCP forwarder on 127.0.0.1 to `upstream` that records everything in both directions.
/// As `HTTP_PROXY` it is a working proxy for plain HTTP (the upstream server reads the
/// absolute-form request line); as a `base_url` it is a tap in front of a server.
pub struct Tee {
    addr: SocketAddr,
    accept: JoinHandle<()>,
    /// Bytes clients sent.
    pub to_server: Arc<Mutex<Vec<u8>>>,
    /// Bytes the upstream answered.
    pub to_client: Arc<Mutex<Vec<u8>>>,
}

impl Tee {
    pub fn start(rt: &tokio::runtime::Runtime, upstream: SocketAddr) -> Self {
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let to_server = Arc::new(Mutex::new(Vec::new()));
        let to_client = Arc::new(Mutex::new(Vec::new()));
        let (up_log, down_log) = (to_server.clone(), to_client.clone());
        let accept = rt.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let (up_log, down_log) = (up_log.clone(), down_log.clone());
                conns.spawn(async move {
                    let Ok(server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = pump(&mut cr, &mut sw, &up_log);
                    let down = pump(&mut sr, &mut cw, &down_log);
                    tokio::join!(up, down);
                });
            }
        });
        Tee {
            addr,
            accept,
            to_server,
            to_client,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn sent_text(&self) -> String {
        String::from_utf8_lossy(&self.to_server.lock().unwrap()).into_owned()
    }

    pub fn received_text(&self) -> String {
        String::from_utf8_lossy(&self.to_client.lock().unwrap()).into_owned()
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn pump(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    log: &Mutex<Vec<u8>>,
) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                log.lock().unwrap().extend_from_slice(&buf[..n]);
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// Runs the cases whose id contains `filter` with `settings` and returns the report.
pub fn run_with_settings(config: TargetConfig, filter: &str, settings: &RunSettings) -> Report {
    let contracts = crate::common::contracts();
    config
        .check_against(&contracts)
        .expect("config fits the suites");
    let ctx = Arc::new(RunContext::new(contracts, config, settings).expect("run context"));
    let plans = engine::plan_for(&ctx, Default::default())
        .expect("plan")
        .cases
        .into_iter()
        .filter(|p| p.id.contains(filter))
        .collect();
    crate::common::runtime().block_on(engine::execute(ctx, plans, 8))
}

/// Settings with a per-request timeout.
pub fn with_timeout(timeout: Duration) -> RunSettings {
    RunSettings {
        http: conform::http::HttpOptions {
            timeout,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The TOML of one contract's table from a reference server's config, `base_url` replaced.
pub fn table_toml(server_toml: &str, contract: &str, base_url: &str) -> String {
    let mut table: toml::Table = toml::from_str(server_toml).expect("server config is TOML");
    let mut one = table
        .remove(contract)
        .and_then(|v| v.as_table().cloned())
        .expect("contract table");
    one.insert("base_url".into(), toml::Value::String(base_url.into()));
    let mut out = toml::Table::new();
    out.insert(contract.into(), toml::Value::Table(one));
    toml::to_string(&out).expect("TOML")
}

/// This process's peak resident set (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .expect("VmHWM in /proc/self/status")
}
