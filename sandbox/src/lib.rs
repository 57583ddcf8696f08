//! A local Scalingo-compatible API server with a demo world, for the logs dashboard and its tests.
//!
//! [`serve`] starts the whole server in-process; `main.rs` only parses flags and prints the URL.

pub mod admin;
pub mod api;
pub mod archives;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod dist;
pub mod drains;
pub mod faults;
pub mod http;
pub mod logs;
pub mod rng;
pub mod stream;
pub mod tz;
pub mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub use config::Config;

use crate::auth::TokenStore;
use crate::drains::{State as DrainState, StateError};
use crate::faults::{Faults, RateLimiter};
use crate::http::ApiError;
use crate::logs::{lock, LogSource};
use crate::world::{App, History};

/// Everything the handlers share.
#[derive(Debug)]
pub struct Shared {
    /// The configuration the server started with.
    pub config: Config,
    /// Unix seconds at start on the world clock, the anchor of the demo world's dates.
    pub started: i64,
    /// The world clock: real time, or shifted by `--start-at`.
    pub clock: clock::WorldClock,
    /// The demo world's apps.
    pub apps: Vec<App>,
    /// Drains, persisted after every change; the async lock is held across the file write so writes never reorder.
    pub drains: tokio::sync::Mutex<DrainState>,
    /// Events and audit logs.
    pub history: RwLock<History>,
    /// Log sources by app name or addon id.
    pub sources: HashMap<String, Arc<LogSource>>,
    /// Bearer JWTs issued by the token exchange.
    pub bearers: TokenStore,
    /// Tokens inside logs URLs, granting one source.
    pub logs_tokens: TokenStore,
    /// Addon tokens for the database API, granting one addon.
    pub addon_tokens: TokenStore,
    /// Injected faults.
    pub faults: Mutex<Faults>,
    /// Bumped to close every open stream.
    pub drop_streams: watch::Sender<u64>,
    /// Per-user request counts.
    pub limiter: RateLimiter,
    /// The key that signs archive URLs, new in every process.
    pub archive_signer: archives::Signer,
}

impl Shared {
    /// The app with this name, or the contract's 404.
    pub fn app(&self, name: &str) -> Result<&App, ApiError> {
        self.apps
            .iter()
            .find(|a| a.name == name)
            .ok_or(ApiError::NotFound("app"))
    }

    /// Closes every open stream.
    pub fn drop_all_streams(&self) {
        self.drop_streams.send_modify(|n| *n += 1);
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address is unavailable.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The state file is unreadable or corrupt.
    #[error(transparent)]
    State(#[from] StateError),
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    /// The address actually bound.
    pub addr: SocketAddr,
    /// Shared state, for tests that look inside.
    pub shared: Arc<Shared>,
    task: JoinHandle<()>,
    generator: JoinHandle<()>,
    shutdown: oneshot::Sender<()>,
}

impl Server {
    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes streams and waits (briefly) for connections to finish.
    pub async fn stop(self) {
        self.generator.abort();
        self.shared.drop_all_streams();
        let _ = self.shutdown.send(());
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(3), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }

    /// Runs until the server task ends.
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Loads the state, binds, and starts serving in the background.
pub async fn serve(config: Config) -> Result<Server, StartError> {
    let drains = DrainState::load(&config.data)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.listen,
        source,
    })?;
    let world_clock = config
        .start_at
        .map_or_else(clock::WorldClock::real, clock::WorldClock::starting_at);
    // With `--start-at` the hot log ends exactly there, so its stamps are the same in every run.
    let start = config.start_at.unwrap_or_else(|| world_clock.now_nanos());
    let started = start.div_euclid(1_000_000_000);
    let apps = world::apps();
    let history = world::history(&apps, started);
    let sources = logs::sources(&apps, config.log_rate);
    for source in sources.values() {
        source.backfill(start, config.hot_log);
    }
    let shared = Arc::new(Shared {
        started,
        clock: world_clock,
        history: RwLock::new(history),
        sources,
        apps,
        drains: tokio::sync::Mutex::new(drains),
        bearers: TokenStore::default(),
        logs_tokens: TokenStore::default(),
        addon_tokens: TokenStore::default(),
        faults: Mutex::new(Faults::default()),
        drop_streams: watch::channel(0).0,
        limiter: RateLimiter::default(),
        archive_signer: archives::Signer::random(),
        config,
    });
    let mut names: Vec<&String> = shared.sources.keys().collect();
    names.sort();
    let generator = tokio::spawn(logs::generate(
        names
            .into_iter()
            .map(|n| shared.sources[n].clone())
            .collect(),
        world_clock,
    ));
    let app = router(shared.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Server {
        addr,
        shared,
        task,
        generator,
        shutdown,
    })
}

/// Every route of the sandbox.
pub fn router(shared: Arc<Shared>) -> Router {
    let api = api::router();
    Router::new()
        .nest(
            "/auth/v1",
            Router::new()
                .route("/tokens/exchange", post(api::exchange))
                .route("/regions", get(api::regions))
                .layer(from_fn_with_state(shared.clone(), guard_auth)),
        )
        .nest(
            "/v1",
            api.clone()
                .layer(from_fn_with_state(shared.clone(), guard_bearer)),
        )
        .nest(
            "/proxy/v1",
            api.layer(from_fn_with_state(shared.clone(), guard_proxy)),
        )
        .route("/db-api/api/databases/{addon_id}/logs", get(api::db_logs))
        .route(
            "/db-api/api/databases/{addon_id}/logs_archives",
            get(archives::db_archives),
        )
        .route(
            "/archives/{file}",
            get(archives::download).options(archives::preflight),
        )
        .route("/logs/apps/{app}/logs", get(stream::app_logs))
        .route("/logs/addons/{addon_id}/logs", get(stream::addon_logs))
        .nest(
            "/_sandbox",
            admin::router().layer(from_fn(admin::loopback_only)),
        )
        .fallback(dist::serve)
        .layer(from_fn_with_state(shared.clone(), cors))
        .with_state(shared)
}

/// `/auth/v1`: down while the `auth_down` fault is set, as an unreachable auth service's
/// gateway answers.
async fn guard_auth(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if lock(&s.faults).auth_down {
        return ApiError::for_status(StatusCode::SERVICE_UNAVAILABLE).into_response();
    }
    next.run(req).await
}

/// The client's address, as the listener saw it.
pub fn peer(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// `/v1`: faults, bearer check, rate limit.
async fn guard_bearer(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let token = auth::bearer(req.headers()).map(str::to_string);
    let check = match token {
        None => Err(ApiError::Unauthorized("missing bearer token".into())),
        Some(t) => s
            .bearers
            .check(&t)
            .map(|_| t)
            .map_err(|e| ApiError::Unauthorized(e.to_string())),
    };
    guarded(s, check, req, next).await
}

/// `/proxy/v1`: the same API with no auth, as behind an authenticating reverse proxy; limited per client IP.
async fn guard_proxy(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let key = peer(&req).map_or_else(|| "unknown".into(), |a| format!("ip:{}", a.ip()));
    guarded(s, Ok(key), req, next).await
}

async fn guarded(
    s: Arc<Shared>,
    key: Result<String, ApiError>,
    req: Request,
    next: Next,
) -> Response {
    let delay = lock(&s.faults).delay_ms;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let key = match key {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    if !s.limiter.allow(&key, s.config.rate_limit) {
        return ApiError::TooManyRequests.into_response();
    }
    if let Some(e) = lock(&s.faults).take_failure(req.method(), req.uri().path()) {
        return e.into_response();
    }
    next.run(req).await
}

/// CORS for configured origins, preflights included; the admin routes never get it.
async fn cors(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| {
            s.config
                .cors_origins
                .iter()
                .any(|c| c == "*" || c.eq_ignore_ascii_case(o))
        })
        .and_then(|o| HeaderValue::from_str(o).ok())
        // The archive storage is another service with its own CORS (`--archives-cors`).
        .filter(|_| !req.uri().path().starts_with("/_sandbox"))
        .filter(|_| !req.uri().path().starts_with(archives::PREFIX));
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE, PUT, PATCH, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type, Accept"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    res
}
