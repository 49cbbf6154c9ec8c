//! The embedded reference server: a real, stateful, in-memory implementation of the four
//! documented APIs (tropipay, tss, tenpay, onboard) on one local listener.
//!
//! Why it exists: the harness needs a target that is known to honour the contracts (so a
//! green run means the checks are sound) and, through named *faults*, targets that are known
//! to break exactly one rule each (so every check can be shown to catch what it claims to
//! catch). By default it follows `docs/decisions.md` to the letter, because the harness's
//! schemas and negative cases are written from that same file; its *lenient* mode (see
//! `lenient`) takes the other side of every decision, to show that the harness fails a target
//! only on what the documents state.
//!
//! This module tree depends on nothing in the harness, and the harness never imports it;
//! tests and `conform serve` wire the two together through [`start`],
//! [`RunningServer::target_config_toml`] and [`fault_catalog`].
//!
//! Every `start` builds fresh state: servers started in parallel in one process share
//! nothing.

mod app;
mod clock;
mod faults;
mod fixtures;
mod hostile;
mod jwt;
mod lenient;
mod onboard;
mod reply;
mod request;
mod tenpay;
mod tropipay;
mod tss;
mod validate;

#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use faults::{fault_catalog, FaultInfo};
/// A QR code as the TropiPay API draws it (for the decoder's tests).
#[cfg(test)]
pub(crate) use tropipay::qr_data_url as qr_data_url_for_tests;

/// How long [`RunningServer::shutdown`] waits for open connections before it gives up on
/// them (a hostile fault may hold a connection open forever).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// What to start: where to listen, which faults to inject, how slow to be, which mode.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Fault names from [`fault_catalog`]; each changes exactly one behaviour.
    pub faults: Vec<String>,
    /// Added before every response.
    pub latency: Duration,
    /// Take the other side of every decision of docs/decisions.md (other 4xx codes, bodiless
    /// errors, extra members, looser inputs, other value ranges) while still honouring every
    /// sentence of the documents. Faults apply on top of it.
    pub lenient: bool,
}

/// Why the server could not start.
#[derive(thiserror::Error, Debug)]
pub enum ServerError {
    /// A fault name that is not in [`fault_catalog`].
    #[error("unknown fault `{0}` (known faults: {known})", known = faults::known_names())]
    UnknownFault(String),
    /// The listener could not be bound.
    #[error("failed to bind the reference server on 127.0.0.1")]
    Bind(#[source] std::io::Error),
    /// The bound listener could not report its address.
    #[error("failed to read the reference server's local address")]
    LocalAddr(#[source] std::io::Error),
}

/// A server that is listening. Dropping it stops the server; [`RunningServer::shutdown`]
/// stops it gracefully.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    fixtures: fixtures::Fixtures,
    stop: Option<Stop>,
}

/// The handles that end a running server.
#[derive(Debug)]
struct Stop {
    /// Tells axum to stop accepting and to close connections once their answer is out.
    graceful: oneshot::Sender<()>,
    /// Tells the hostile responses (endless bodies, answers that never come) to give up.
    hostile: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Stop {
    fn signal(self) -> JoinHandle<()> {
        let _ = self.hostile.send(true);
        let _ = self.graceful.send(());
        self.task
    }
}

/// Starts a reference server on 127.0.0.1 and returns once it is listening.
pub async fn start(opts: ServerOptions) -> Result<RunningServer, ServerError> {
    let fault_set = faults::FaultSet::parse(&opts.faults)?;
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port))
        .await
        .map_err(ServerError::Bind)?;
    let addr = listener.local_addr().map_err(ServerError::LocalAddr)?;

    let (hostile_tx, hostile_rx) = watch::channel(false);
    let fixtures = fixtures::Fixtures::new();
    let state = app::App::new(
        app::Settings {
            faults: fault_set,
            port: addr.port(),
            latency: opts.latency,
            lenient: opts.lenient,
        },
        hostile_rx,
        &fixtures,
    );
    let router = app::router(state);

    let (graceful_tx, graceful_rx) = oneshot::channel::<()>();
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        // Small writes (the slow-body fault sends one byte at a time) must not wait on Nagle.
        let _ = tcp.set_nodelay(true);
    });
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            // A dropped sender also means "stop".
            let _ = graceful_rx.await;
        });
        // The accept loop only ends on the shutdown signal; there is nothing to report.
        let _ = serve.await;
    });

    Ok(RunningServer {
        addr,
        fixtures,
        stop: Some(Stop {
            graceful: graceful_tx,
            hostile: hostile_tx,
            task,
        }),
    })
}

impl RunningServer {
    /// The address the server listens on (always 127.0.0.1).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fixtures as a conform target config (TOML), base URLs pointing at this server.
    pub fn target_config_toml(&self) -> String {
        self.fixtures.target_config_toml(self.addr)
    }

    /// A human-readable listing of the fixtures (tokens, passwords, codes, ids), for
    /// `conform serve`.
    pub fn fixtures_text(&self) -> String {
        self.fixtures.text(self.addr)
    }

    /// Stops accepting, lets answers in flight finish (for a short grace period) and waits
    /// for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let mut task = stop.signal();
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // Aborting drops the listener at once; the graceful signal still reaches the
            // connection tasks, which close after their answer.
            stop.signal().abort();
        }
    }
}
