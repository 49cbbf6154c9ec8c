//! The shared state of one server and the router that ties the four APIs to one listener.
//!
//! Why one router: the harness addresses each API by its own base URL, and one port keeps
//! `conform serve` and the tests simple. Each API module owns its routes and its state;
//! this module only mounts them, answers 404 for everything else, adds the configured
//! latency and, in lenient mode, the lenient transport headers.

use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::sync::watch;

use super::faults::{Fault, FaultSet};
use super::fixtures::Fixtures;
use super::jwt::JwtKey;
use super::{lenient, onboard, reply, tenpay, tropipay, tss};

/// Cheap handle to the state of one server.
#[derive(Clone, Debug)]
pub(crate) struct App(Arc<Shared>);

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) faults: FaultSet,
    /// The listening port (the redirect fault points at the same port on another host).
    pub(crate) port: u16,
    pub(crate) latency: Duration,
    /// The lenient mode (see `lenient`): every handler asks this, faults apply on top.
    pub(crate) lenient: bool,
    pub(crate) jwt: JwtKey,
    /// Becomes true when the server stops, so hostile answers give up.
    pub(crate) stopping: watch::Receiver<bool>,
    pub(crate) tropipay: Mutex<tropipay::Accounts>,
    pub(crate) tss: Mutex<tss::Users>,
    pub(crate) tenpay: tenpay::Directory,
    pub(crate) onboard: onboard::Directory,
}

impl Deref for App {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What a server is started with, besides its fixtures.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) faults: FaultSet,
    pub(crate) port: u16,
    pub(crate) latency: Duration,
    pub(crate) lenient: bool,
}

impl App {
    pub(crate) fn new(
        settings: Settings,
        stopping: watch::Receiver<bool>,
        fixtures: &Fixtures,
    ) -> Self {
        let lenient = settings.lenient;
        Self(Arc::new(Shared {
            faults: settings.faults,
            port: settings.port,
            latency: settings.latency,
            lenient,
            jwt: JwtKey::random(),
            stopping,
            tropipay: Mutex::new(tropipay::Accounts::new(fixtures, lenient)),
            tss: Mutex::new(tss::Users::new(fixtures, lenient)),
            tenpay: tenpay::Directory::new(fixtures),
            onboard: onboard::Directory::new(fixtures, lenient),
        }))
    }

    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.faults.has(fault)
    }
}

/// Locks a state mutex. A handler that panicked mid-update cannot leave the data
/// half-typed (every update is a plain assignment), so a poisoned lock is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// All routes of all four APIs.
pub(crate) fn router(app: App) -> Router {
    let router = Router::new()
        .nest("/api/v3", tropipay::routes())
        .nest("/api/user", tss::routes())
        // Matched here and parsed by hand from the raw path: see `tenpay`.
        .route("/User/{*rest}", get(tenpay::status))
        .route("/users/me", get(onboard::me))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), latency));
    let router = if app.lenient {
        router.layer(middleware::from_fn(lenient::transport))
    } else {
        router
    };
    router.with_state(app)
}

pub(crate) async fn not_found(method: Method, uri: Uri) -> Response {
    reply::not_found(&method, &uri)
}

/// Waits the configured latency before the response leaves.
async fn latency(State(app): State<App>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    response
}
