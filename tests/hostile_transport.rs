//! The transport, through the real binary: unreachable targets (exit 2 naming them), the run's
//! time limit, TLS with a private CA (`--ca-cert`, `--insecure`), and proxies from the
//! environment. Targets are the reference server, behind purpose-built loopback listeners.

mod common;

use common::text;
mod hostile_support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{Duration, Instant};

use conform::http::{HttpClient, HttpOptions, Outgoing, TransportError};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::rustls;

use hostile_support::{table_toml, Tee};

/// Proxy variables the binary could inherit; each test sets exactly the ones it means.
const PROXY_VARS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

fn conform(args: &[&str], dir: &Path, env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
    cmd.args(args).current_dir(dir).env_remove("RUST_LOG");
    for var in PROXY_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

/// A private config file (mode 600, so no warning) holding `toml`.
fn config_file(dir: &Path, toml: &str) -> PathBuf {
    let path = dir.join("conform.toml");
    std::fs::write(&path, toml).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_target_refusing_connections_from_the_start_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let cfg = config_file(
        tmp.path(),
        &format!("[onboard]\nbase_url = \"{url}\"\ntoken = \"obp_key_x\"\n"),
    );
    let o = conform(
        &["run", "--config", cfg.to_str().unwrap(), "--timeout", "5"],
        tmp.path(),
        &[],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains(&format!(
            "target of [onboard] is unreachable: cannot connect to {url}/"
        )),
        "{t}"
    );
}

#[test]
fn a_host_that_does_not_resolve_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config_file(
        tmp.path(),
        "[onboard]\nbase_url = \"http://conform-no-such-host.invalid\"\ntoken = \"obp_key_x\"\n",
    );
    let o = conform(
        &["run", "--config", cfg.to_str().unwrap(), "--timeout", "10"],
        tmp.path(),
        &[],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(
        t.contains("target of [onboard] is unreachable")
            && t.contains("http://conform-no-such-host.invalid/"),
        "{t}"
    );
}

#[test]
fn the_run_timeout_has_a_default_and_ends_a_stuck_run_on_time() {
    let tmp = tempfile::tempdir().unwrap();
    let help = conform(&["run", "--help"], tmp.path(), &[]);
    let h = text(&help);
    assert!(
        h.contains("--run-timeout <SECS>") && h.contains("[default: 1800]"),
        "{h}"
    );

    let root = common::root();
    let clock = Instant::now();
    let o = conform(
        &[
            "run",
            "--contracts",
            root.to_str().unwrap(),
            "--report-dir",
            "r",
            "--fault",
            "onboard-never-answers",
            "--timeout",
            "300",
            "--run-timeout",
            "3",
            "onboard::",
        ],
        tmp.path(),
        &[],
    );
    let elapsed = clock.elapsed();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}\n{t}");
    assert!(
        t.contains("the run's time limit (3s, --run-timeout)"),
        "{t}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("r/report.json")).unwrap()).unwrap();
    let me = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "onboard::me")
        .unwrap();
    assert_eq!(me["outcome"], "fail", "{me}");
}

#[test]
fn proxies_come_from_the_environment() {
    let (server, _) = common::server(&[]);
    let proxy = Tee::start(common::runtime(), server.addr());
    let tmp = tempfile::tempdir().unwrap();
    // A host no resolver knows: only the proxy can reach it.
    let base = format!("http://conform-proxied.invalid:{}", server.addr().port());
    let cfg = config_file(
        tmp.path(),
        &table_toml(&server.target_config_toml(), "onboard", &base),
    );
    let o = conform(
        &[
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--report-dir",
            "r",
        ],
        tmp.path(),
        &[("HTTP_PROXY", format!("http://{}", proxy.addr()))],
    );
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    let sent = proxy.sent_text();
    assert!(
        sent.contains(&format!("GET {base}/users/me HTTP/1.1")),
        "the proxy saw: {sent}"
    );
}

/// A private CA and a certificate it signed for 127.0.0.1 and localhost.
struct Pki {
    ca_pem: String,
    cert: rustls::pki_types::CertificateDer<'static>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "conform test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        cert: cert.der().clone(),
        key: rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    }
}

/// TLS on 127.0.0.1 in front of `upstream` (plain HTTP): an HTTPS target.
struct TlsFront {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl TlsFront {
    fn start(pki: &Pki, upstream: SocketAddr) -> Self {
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![pki.cert.clone()], pki.key.clone_key())
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let rt = common::runtime();
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = rt.spawn(async move {
            let mut conns = JoinSet::new();
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                conns.spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut plain) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                });
            }
        });
        TlsFront { addr, accept }
    }

    fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

#[test]
fn tls_with_a_private_ca_fails_clearly_without_ca_cert_and_works_with_it() {
    let pki = pki();
    let (server, _) = common::server(&[]);
    let front = TlsFront::start(&pki, server.addr());
    let tmp = tempfile::tempdir().unwrap();
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();

    // The library: a clear TLS error, then an answer once the CA is trusted.
    let out = Outgoing {
        method: "GET".into(),
        url: format!("{}/users/me", front.url()),
        headers: vec![],
        body: None,
    };
    let plain = HttpClient::new(HttpOptions::default()).unwrap();
    let e = common::runtime().block_on(plain.send(&out)).unwrap_err();
    assert!(matches!(e, TransportError::Tls { .. }), "{e:?}");
    assert!(e.to_string().contains("--ca-cert"), "{e}");
    let trusting = HttpClient::new(HttpOptions {
        ca_cert: Some(ca.clone()),
        ..Default::default()
    })
    .unwrap();
    let got = common::runtime().block_on(trusting.send(&out)).unwrap();
    assert_eq!(got.status, 401, "the reference server answered through TLS");

    // The binary: exit 2 naming TLS without --ca-cert, a passing run with it or --insecure.
    let cfg = config_file(
        tmp.path(),
        &table_toml(&server.target_config_toml(), "onboard", &front.url()),
    );
    let run = |extra: &[&str], dir: &str| {
        let mut args = vec![
            "run",
            "--contracts",
            common::root().to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--report-dir",
            dir,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        conform(&args, tmp.path(), &[])
    };
    let o = run(&[], "none");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("TLS with https://127.0.0.1:"), "{t}");

    let report_of = |dir: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(tmp.path().join(dir).join("report.json")).unwrap())
            .unwrap()
    };
    let o = run(&["--ca-cert", ca.to_str().unwrap()], "ca");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(report_of("ca")["insecure"], false);

    let o = run(&["--insecure"], "insecure");
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("--insecure"), "the console says so: {t}");
    assert_eq!(report_of("insecure")["insecure"], true);
}

#[test]
fn a_ca_cert_that_is_not_pem_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("ca.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let e = HttpClient::new(HttpOptions {
        ca_cert: Some(bad.clone()),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
    let o = conform(
        &["run", "--ca-cert", bad.to_str().unwrap(), "--list"],
        tmp.path(),
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
