//! API calls of the logs feature: logs URLs (app and addon), dumps, and the live stream
//! over WebSocket with a Server-Sent Events fallback.

use std::{cell::RefCell, rc::Rc};

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_net::http::Method;
use serde::Deserialize;
use wasm_bindgen::{closure::Closure, JsCast};

use super::{client::raw, url, ApiClient, ApiError, Request};
use crate::logs::frame::Transport;

/// Where a viewer's logs come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogSource {
    /// An app's logs (server-side container filter available).
    App(String),
    /// A database addon's logs, through the addon token and the database API.
    Addon {
        /// App name.
        app: String,
        /// Addon id.
        addon: String,
    },
}

impl LogSource {
    /// Whether the logs endpoint filters by container for this source.
    pub fn supports_filter(&self) -> bool {
        matches!(self, LogSource::App(_))
    }
}

#[derive(Deserialize)]
struct AppLogsBody {
    logs_url: String,
}

#[derive(Deserialize)]
struct AddonTokenInner {
    token: String,
}

#[derive(Deserialize)]
struct AddonTokenBody {
    addon: AddonTokenInner,
}

#[derive(Deserialize)]
struct DbLogsBody {
    url: String,
}

/// A fresh logs URL (with its own short-lived token) for `source`.
pub async fn logs_url(api: &ApiClient, source: &LogSource) -> Result<String, ApiError> {
    match source {
        LogSource::App(app) => {
            let path = format!("/v1/apps/{}/logs", url::segment(app));
            Ok(api.json::<AppLogsBody>(Request::get(path)).await?.logs_url)
        }
        LogSource::Addon { app, addon } => {
            let path = format!(
                "/v1/apps/{}/addons/{}/token",
                url::segment(app),
                url::segment(addon)
            );
            let token = api
                .json::<AddonTokenBody>(Request::post(path, &serde_json::json!({})))
                .await?
                .addon
                .token;
            let base = api.database_api_base().ok_or_else(|| {
                ApiError::Network("no database API is configured for this region".into())
            })?;
            let db_url = url::build(
                &base,
                &format!("/api/databases/{}/logs", url::segment(addon)),
                &[],
            );
            let auth = format!("Bearer {token}");
            let (status, body) = raw(
                Method::GET,
                &db_url,
                &[
                    ("Authorization", auth.as_str()),
                    ("Accept", "application/json"),
                ],
                None,
                None,
            )
            .await?;
            if !(200..300).contains(&status) {
                return Err(ApiError::from_response(status, &body));
            }
            serde_json::from_str::<DbLogsBody>(&body)
                .map(|b| b.url)
                .map_err(|e| ApiError::Decode(e.to_string()))
        }
    }
}

/// Why a dump or stream failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogsError {
    /// The logs URL's token expired or was refused: fetch a fresh URL.
    #[error("the logs link expired")]
    Expired,
    /// The filter was refused by the server.
    #[error("the server refused the filter: {0}")]
    BadFilter(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl From<ApiError> for LogsError {
    fn from(e: ApiError) -> Self {
        LogsError::Other(e.to_string())
    }
}

fn with_params(logs_url: &str, params: &[(&str, &str)]) -> String {
    let mut u = absolute(logs_url);
    let params: Vec<(&str, &str)> = params
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    url::append_query(&mut u, &params);
    u
}

/// Resolves a logs URL against the page when a same-origin proxy hands out a path.
fn absolute(logs_url: &str) -> String {
    if logs_url.starts_with("http://") || logs_url.starts_with("https://") {
        return logs_url.to_owned();
    }
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(logs_url, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| logs_url.to_owned())
}

/// The last `n` lines matching `filter` (empty: all), oldest first.
pub async fn dump(logs_url: &str, n: usize, filter: &str) -> Result<Vec<String>, LogsError> {
    let n = n.to_string();
    let u = with_params(
        logs_url,
        &[("n", &n), ("filter", filter), ("stream", "false")],
    );
    let (status, body) = raw(Method::GET, &u, &[("Accept", "text/plain")], None, None).await?;
    match status {
        200..=299 => Ok(body
            .lines()
            .map(|l| l.trim_end_matches('\r').to_owned())
            .filter(|l| !l.is_empty())
            .collect()),
        // "No logs yet" per the contract.
        404 => Ok(Vec::new()),
        401 | 403 => Err(LogsError::Expired),
        400 | 422 => Err(LogsError::BadFilter(
            ApiError::from_response(status, &body).to_string(),
        )),
        _ => Err(ApiError::from_response(status, &body).into()),
    }
}

/// What a stream connection reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// The connection is open.
    Open,
    /// One message (JSON text frame or SSE `data:` payload).
    Message(String),
    /// The connection failed or closed.
    Closed,
}

enum Socket {
    Ws(web_sys::WebSocket),
    Sse(web_sys::EventSource),
}

/// An open (or opening) stream; closing it is dropping it.
pub struct Connection {
    socket: Socket,
    rx: mpsc::UnboundedReceiver<ConnEvent>,
    // The callbacks must live as long as the socket may call them.
    _handlers: Handlers,
    transport: Transport,
}

/// The callbacks a WebSocket or an EventSource calls, each forwarding one event to the
/// connection's channel: both transports feed the hook the same events.
struct Handlers {
    open: Closure<dyn FnMut()>,
    message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    closed: Closure<dyn FnMut()>,
}

impl Handlers {
    fn new(send: impl Fn(ConnEvent) + Clone + 'static) -> Self {
        let s = send.clone();
        let open = Closure::<dyn FnMut()>::new(move || s(ConnEvent::Open));
        let s = send.clone();
        let message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if let Some(text) = e.data().as_string() {
                    s(ConnEvent::Message(text));
                }
            });
        let closed = Closure::<dyn FnMut()>::new(move || send(ConnEvent::Closed));
        Handlers {
            open,
            message,
            closed,
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("transport", &self.transport)
            .finish()
    }
}

impl Connection {
    /// Opens the stream of `logs_url` (with `filter`) over `transport` and waits until it
    /// is open; `None` if it fails first (a refused upgrade, an expired token…).
    pub async fn open(logs_url: &str, filter: &str, transport: Transport) -> Option<Connection> {
        let http = with_params(
            logs_url,
            &[("n", "0"), ("filter", filter), ("stream", "true")],
        );
        let (tx, rx) = mpsc::unbounded::<ConnEvent>();
        let tx = Rc::new(RefCell::new(tx));
        let send = {
            let tx = tx.clone();
            move |e: ConnEvent| {
                let _ = tx.borrow().unbounded_send(e);
            }
        };
        let handlers = Handlers::new(send);
        let socket = match transport {
            Transport::WebSocket => {
                let ws_url = if let Some(rest) = http.strip_prefix("https://") {
                    format!("wss://{rest}")
                } else if let Some(rest) = http.strip_prefix("http://") {
                    format!("ws://{rest}")
                } else {
                    http.clone()
                };
                let ws = web_sys::WebSocket::new(&ws_url).ok()?;
                ws.set_onopen(Some(handlers.open.as_ref().unchecked_ref()));
                ws.set_onmessage(Some(handlers.message.as_ref().unchecked_ref()));
                ws.set_onerror(Some(handlers.closed.as_ref().unchecked_ref()));
                ws.set_onclose(Some(handlers.closed.as_ref().unchecked_ref()));
                Socket::Ws(ws)
            }
            Transport::Sse => {
                let es = web_sys::EventSource::new(&http).ok()?;
                // EventSource retries by itself; the hook owns reconnection (backoff, fresh
                // URL, overlap removal), so any error ends this connection.
                es.set_onopen(Some(handlers.open.as_ref().unchecked_ref()));
                es.set_onmessage(Some(handlers.message.as_ref().unchecked_ref()));
                es.set_onerror(Some(handlers.closed.as_ref().unchecked_ref()));
                Socket::Sse(es)
            }
        };
        let mut conn = Connection {
            socket,
            rx,
            _handlers: handlers,
            transport,
        };
        match conn.rx.next().await {
            Some(ConnEvent::Open) => Some(conn),
            _ => None,
        }
    }

    /// Which transport this connection uses.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The next event; `Closed` once the connection is over.
    pub async fn next(&mut self) -> ConnEvent {
        self.rx.next().await.unwrap_or(ConnEvent::Closed)
    }

    /// An event already received, without waiting.
    pub fn try_next(&mut self) -> Option<ConnEvent> {
        self.rx.try_recv().ok()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        match &self.socket {
            Socket::Ws(ws) => {
                ws.set_onopen(None);
                ws.set_onmessage(None);
                ws.set_onerror(None);
                ws.set_onclose(None);
                let _ = ws.close();
            }
            Socket::Sse(es) => {
                es.set_onopen(None);
                es.set_onmessage(None);
                es.set_onerror(None);
                es.close();
            }
        }
    }
}
