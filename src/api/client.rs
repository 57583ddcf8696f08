//! The HTTP client: bearer handling, the contract's error shapes, retries and cancellation.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};
use web_sys::AbortController;

use super::decode::{decode, or_default};
use super::{jwt, url, ApiError};
use crate::config::{AuthMode, Config};

/// A Scalingo region as listed by the auth service.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Region {
    /// Region id, e.g. `osc-fr1`.
    pub name: String,
    /// Human name.
    #[serde(default, deserialize_with = "or_default")]
    pub display_name: String,
    /// API base URL.
    pub api: String,
    /// Database API base URL.
    #[serde(default, deserialize_with = "or_default")]
    pub database_api: String,
    /// Whether this is the default region.
    #[serde(default, deserialize_with = "or_default")]
    pub default: bool,
}

/// The auth service's region list, `{"regions":[…]}`.
#[derive(Deserialize)]
struct Regions {
    regions: Vec<Region>,
}

/// A token answer: `{"token":"…"}` from the exchange, and the addon token's inner object.
#[derive(Deserialize)]
pub(super) struct Token {
    pub(super) token: String,
}

struct Credentials {
    api_token: String,
    bearer: String,
    exp: Option<f64>,
}

/// Reactive state of the client that the shell shows.
#[derive(Clone, Copy, Debug)]
pub struct ClientSignals {
    /// Whether requests can be made (always true in proxy mode).
    pub logged_in: RwSignal<bool>,
    /// Why the user was sent back to the login form, if they were.
    pub logout_reason: RwSignal<Option<String>>,
    /// Seconds until a rate-limited request is retried, while one waits.
    pub rate_limited: RwSignal<Option<u32>>,
}

struct Inner {
    config: Config,
    region: RefCell<Option<Region>>,
    credentials: RefCell<Option<Credentials>>,
    latest: RefCell<HashMap<&'static str, AbortController>>,
    signals: ClientSignals,
}

/// The API client. Cheap to clone; one per mounted dashboard.
#[derive(Clone)]
pub struct ApiClient(Rc<Inner>);

/// The client as a Leptos context (contexts must be `Send`; the app is single-threaded).
#[derive(Clone)]
pub struct ApiContext(pub SendWrapper<ApiClient>);

/// The client provided by the shell.
pub fn use_api() -> ApiClient {
    expect_context::<ApiContext>().0.take()
}

/// One API request, relative to the API base URL.
#[derive(Clone, Debug)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<String>,
    latest: Option<&'static str>,
}

impl Request {
    fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            latest: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path` with a JSON body.
    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Self {
        Self::new(Method::POST, path).json(body)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        // Request bodies are structs of strings, which always serialise; the fallback only
        // keeps a panic out of the bundle.
        self.body = Some(serde_json::to_string(body).unwrap_or_default());
        self
    }

    /// Aborts any earlier request with the same key that is still running: only the
    /// latest answer for, say, the drains of the selected app matters.
    pub fn latest(mut self, key: &'static str) -> Self {
        self.latest = Some(key);
        self
    }
}

/// Aborts its request when dropped before completion, e.g. when a view goes away; set the
/// field to `None` to disarm it. Also holds the log stream's SSE `fetch`.
pub(super) struct AbortOnDrop(pub(super) Option<AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(ctrl) = self.0.take() {
            ctrl.abort();
        }
    }
}

const MAX_RATE_LIMIT_RETRIES: u32 = 3;

fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

fn network_error(err: gloo_net::Error) -> ApiError {
    ApiError::Network(match err {
        gloo_net::Error::JsError(js) => js.message,
        gloo_net::Error::GlooError(text) => text,
        // The remaining variant is a failure of gloo-net's own JSON helpers, which the client
        // does not use; not formatting it keeps serde_json's error texts out of the bundle.
        #[allow(unreachable_patterns)] // Reachable only while Leptos enables gloo-net's `json`.
        _ => "the request could not be prepared".into(),
    })
}

impl ApiClient {
    /// A client for `config`; in proxy mode it is ready at once.
    pub fn new(config: Config) -> Self {
        let proxy = config.auth_mode == AuthMode::Proxy;
        ApiClient(Rc::new(Inner {
            config,
            region: RefCell::new(None),
            credentials: RefCell::new(None),
            latest: RefCell::new(HashMap::new()),
            signals: ClientSignals {
                logged_in: RwSignal::new(proxy),
                logout_reason: RwSignal::new(None),
                rate_limited: RwSignal::new(None),
            },
        }))
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The reactive state the shell shows.
    pub fn signals(&self) -> ClientSignals {
        self.0.signals
    }

    /// The region logged into, if any.
    pub fn region(&self) -> Option<Region> {
        self.0.region.borrow().clone()
    }

    /// The API base URL in force.
    pub fn api_base(&self) -> Option<String> {
        self.0
            .config
            .api_url
            .clone()
            .or_else(|| self.region().map(|r| r.api))
    }

    /// The database API base URL in force (addon logs).
    pub fn database_api_base(&self) -> Option<String> {
        self.0.config.database_api_url.clone().or_else(|| {
            self.region()
                .map(|r| r.database_api)
                .filter(|u| !u.is_empty())
        })
    }

    /// The regions the auth service offers.
    pub async fn regions(&self) -> Result<Vec<Region>, ApiError> {
        let url = url::build(&self.0.config.auth_url, "/v1/regions", &[]);
        let (status, body) = raw(
            Method::GET,
            &url,
            &[("Accept", "application/json")],
            None,
            None,
        )
        .await?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_response(status, &body));
        }
        Ok(decode::<Regions>(&body)?.regions)
    }

    /// Exchanges `api_token` for a bearer and remembers both, in memory only.
    pub async fn login(&self, api_token: &str, region: Option<Region>) -> Result<(), ApiError> {
        let api_token = api_token.trim();
        let bearer = self.exchange(api_token).await?;
        *self.0.region.borrow_mut() = region;
        *self.0.credentials.borrow_mut() = Some(Credentials {
            api_token: api_token.to_owned(),
            exp: jwt::expiry(&bearer),
            bearer,
        });
        self.0.signals.logout_reason.set(None);
        self.0.signals.logged_in.set(true);
        Ok(())
    }

    /// Forgets every credential and shows the login form, with `reason` if given.
    pub fn logout(&self, reason: Option<String>) {
        self.0.credentials.borrow_mut().take();
        self.0.region.borrow_mut().take();
        for (_, ctrl) in self.0.latest.borrow_mut().drain() {
            ctrl.abort();
        }
        if self.0.config.auth_mode == AuthMode::Token {
            self.0.signals.logged_in.set(false);
        }
        self.0.signals.logout_reason.set(reason);
    }

    async fn exchange(&self, api_token: &str) -> Result<String, ApiError> {
        let url = url::build(&self.0.config.auth_url, "/v1/tokens/exchange", &[]);
        let auth = jwt::basic_auth(api_token);
        let headers = [
            ("Authorization", auth.as_str()),
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
        ];
        let (status, body) = raw(Method::POST, &url, &headers, Some("{}".into()), None).await?;
        match status {
            200..=299 => Ok(decode::<Token>(&body)?.token),
            401 => Err(ApiError::Unauthorized(
                "this API token was refused. Check it in your Scalingo account (Profile > API tokens).".into(),
            )),
            _ => Err(ApiError::from_response(status, &body)),
        }
    }

    /// The bearer to send, refreshed first when it expires within five minutes.
    async fn bearer(&self, force_refresh: bool) -> Result<Option<String>, ApiError> {
        if self.0.config.auth_mode == AuthMode::Proxy {
            return Ok(None);
        }
        let api_token = match &*self.0.credentials.borrow() {
            None => return Err(ApiError::Unauthorized("you are not logged in".into())),
            Some(c) if !force_refresh && !jwt::needs_refresh(c.exp, now_secs()) => {
                return Ok(Some(c.bearer.clone()))
            }
            Some(c) => c.api_token.clone(),
        };
        let bearer = self.exchange(&api_token).await?;
        if let Some(c) = self.0.credentials.borrow_mut().as_mut() {
            c.exp = jwt::expiry(&bearer);
            c.bearer = bearer.clone();
        }
        Ok(Some(bearer))
    }

    /// Sends `req` and returns the body of a 2xx answer (empty for 204).
    ///
    /// A 401 triggers one bearer refresh and retry, then a logout with a message; a 429 is
    /// retried with backoff while the shell says "rate limited, retrying".
    pub async fn send(&self, req: Request) -> Result<String, ApiError> {
        let base = self
            .api_base()
            .ok_or_else(|| ApiError::Unauthorized("no region selected".into()))?;
        let query: Vec<(&str, &str)> = req
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let url = url::build(&base, &req.path, &query);
        let mut refreshed = false;
        let mut rate_retries = 0;
        loop {
            let bearer = match self.bearer(refreshed).await {
                Ok(b) => b,
                Err(ApiError::Unauthorized(_)) if self.0.config.auth_mode == AuthMode::Token => {
                    return Err(self.session_expired())
                }
                Err(e) => return Err(e),
            };
            let auth = bearer.map(|b| format!("Bearer {b}"));
            let mut headers = vec![
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
            ];
            if let Some(auth) = &auth {
                headers.push(("Authorization", auth.as_str()));
            }
            let ctrl = AbortController::new().ok();
            if let (Some(key), Some(ctrl)) = (req.latest, &ctrl) {
                if let Some(previous) = self.0.latest.borrow_mut().insert(key, ctrl.clone()) {
                    previous.abort();
                }
            }
            let mut guard = AbortOnDrop(ctrl);
            let result = raw(
                req.method.clone(),
                &url,
                &headers,
                req.body.clone(),
                guard.0.as_ref(),
            )
            .await;
            // The request is over: disarm the guard so dropping it aborts nothing.
            guard.0.take();
            let (status, body) = result?;
            match status {
                200..=299 => return Ok(body),
                401 if self.0.config.auth_mode == AuthMode::Token && !refreshed => refreshed = true,
                401 if self.0.config.auth_mode == AuthMode::Token => {
                    return Err(self.session_expired())
                }
                429 if rate_retries < MAX_RATE_LIMIT_RETRIES => {
                    rate_retries += 1;
                    self.wait_rate_limited(2u32.pow(rate_retries)).await;
                }
                _ => return Err(ApiError::from_response(status, &body)),
            }
        }
    }

    /// Sends `req` and reads its JSON answer as a `T` (see [`decode`]). Only the decoding is
    /// generic: every caller shares the one request future of [`ApiClient::send`].
    pub async fn json<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        decode(&self.send(req).await?)
    }

    fn session_expired(&self) -> ApiError {
        let message = "Your session expired. Log in again to continue.".to_owned();
        self.logout(Some(message.clone()));
        ApiError::Unauthorized(message)
    }

    async fn wait_rate_limited(&self, seconds: u32) {
        let signal = self.0.signals.rate_limited;
        for left in (1..=seconds).rev() {
            signal.set(Some(left));
            gloo_timers::future::TimeoutFuture::new(1_000).await;
        }
        signal.set(None);
    }
}

/// One HTTP exchange without any of the client's policies: the building block for the
/// auth service, logs URLs and the database API, which each authenticate their own way.
pub async fn raw(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
    abort: Option<&AbortController>,
) -> Result<(u16, String), ApiError> {
    let mut builder = RequestBuilder::new(url).method(method);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let signal = abort.map(AbortController::signal);
    builder = builder.abort_signal(signal.as_ref());
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(network_error)?;
    let response = request.send().await.map_err(network_error)?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    Ok((status, text))
}
