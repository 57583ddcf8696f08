//! API calls of the logs feature: logs URLs (app and addon), dumps, and the live stream
//! over WebSocket with a Server-Sent Events fallback.
//!
//! Messages are decoded in the socket callback into a batch that the stream's task takes
//! once per animation frame: no channel message, task wake-up or reactive update per line.

use std::{cell::RefCell, rc::Rc};

use std::task::{Poll, Waker};

use futures::future;
use gloo_net::http::{Method, RequestBuilder};
use leptos::task::spawn_local;
use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_futures::JsFuture;

use serde::Deserialize;

use super::client::{raw, AbortOnDrop, Token};
use super::decode::decode;
use super::frame::{Batch, SseEvent, SseParser, Transport};
use super::{url, ApiClient, ApiError, Request};

/// `{"logs_url":"…"}`.
#[derive(Deserialize)]
struct LogsUrl {
    logs_url: String,
}

/// The addon token request's body, `{}`.
#[derive(serde::Serialize)]
struct EmptyObject {}

/// `{"addon":{"token":"…"}}`.
#[derive(Deserialize)]
struct AddonToken {
    addon: Token,
}

/// The database API's answer, `{"url":"…"}`.
#[derive(Deserialize)]
struct DatabaseLogsUrl {
    url: String,
}

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

/// A fresh logs URL (with its own short-lived token) for `source`.
pub async fn logs_url(api: &ApiClient, source: &LogSource) -> Result<String, ApiError> {
    match source {
        LogSource::App(app) => {
            let path = format!("/v1/apps/{}/logs", url::segment(app));
            let body: LogsUrl = api.json(Request::get(path)).await?;
            Ok(body.logs_url)
        }
        LogSource::Addon { app, addon } => {
            let access = DatabaseAccess::new(api, app, addon).await?;
            let (status, body) = access.get("logs", &[]).await?;
            if !(200..300).contains(&status) {
                return Err(ApiError::from_response(status, &body));
            }
            Ok(decode::<DatabaseLogsUrl>(&body)?.url)
        }
    }
}

/// A database addon's own API, reached with the addon token: its logs URL and its logs
/// archives (API-CONTRACT.md "Addon logs" and "Logs archives").
#[derive(Clone, Debug)]
pub struct DatabaseAccess {
    base: String,
    addon: String,
    auth: String,
}

impl DatabaseAccess {
    /// Asks the API for the addon token (`POST /v1/apps/:app/addons/:id/token`).
    ///
    /// # Errors
    /// The token request's error, or [`ApiError::Network`] when no database API is
    /// configured for the region.
    pub async fn new(api: &ApiClient, app: &str, addon: &str) -> Result<Self, ApiError> {
        let path = format!(
            "/v1/apps/{}/addons/{}/token",
            url::segment(app),
            url::segment(addon)
        );
        let body: AddonToken = api.json(Request::post(path, &EmptyObject {})).await?;
        let base = api.database_api_base().ok_or_else(|| {
            ApiError::Network("no database API is configured for this region".into())
        })?;
        Ok(DatabaseAccess {
            base,
            addon: addon.to_owned(),
            auth: format!("Bearer {}", body.addon.token),
        })
    }

    /// `GET {database_api}/api/databases/:id/{what}?query`: the status and body.
    ///
    /// # Errors
    /// [`ApiError::Network`] when no answer came.
    pub async fn get(&self, what: &str, query: &[(&str, &str)]) -> Result<(u16, String), ApiError> {
        let u = url::build(
            &self.base,
            &format!("/api/databases/{}/{what}", url::segment(&self.addon)),
            query,
        );
        raw(
            Method::GET,
            &u,
            &[
                ("Authorization", self.auth.as_str()),
                ("Accept", "application/json"),
            ],
            None,
            None,
        )
        .await
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

/// What a stream connection hands over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnEvent {
    /// The messages received since the last hand-over, decoded.
    Batch(Batch),
    /// The connection failed or closed (after the last batch).
    Closed,
}

/// Lines the inbox collects before handing them over without waiting for an animation
/// frame: frames stop in a hidden tab, and the inbox must stay bounded there too.
const MAX_INBOX_LINES: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LinkState {
    Opening,
    Open,
    Closed,
}

/// What the socket callbacks and the stream's task share: decoded messages waiting for
/// the next animation frame, the link state, and who to wake.
struct Inbox {
    batch: Batch,
    state: LinkState,
    /// The batch may be handed over (an animation frame passed, or it is large).
    due: bool,
    /// An animation frame is requested to hand the batch over.
    frame: Option<i32>,
    /// When the last message arrived (ms since the epoch), for the dead-stream watchdog.
    last_message_at: f64,
    waker: Option<Waker>,
}

type Shared = Rc<RefCell<Inbox>>;

/// Wakes the stream's task; called with the inbox released.
fn wake(inbox: &Shared) {
    let waker = inbox.borrow_mut().waker.take();
    if let Some(w) = waker {
        w.wake();
    }
}

/// The callbacks shared by both transports: per message, decode into the inbox and ask
/// for one animation frame; per frame, wake the task once.
struct Callbacks {
    inbox: Shared,
    on_frame: Closure<dyn FnMut()>,
}

impl Callbacks {
    fn new(inbox: Shared) -> Rc<Self> {
        let i = inbox.clone();
        let on_frame = Closure::<dyn FnMut()>::new(move || {
            {
                let mut ib = i.borrow_mut();
                ib.frame = None;
                ib.due = true;
            }
            wake(&i);
        });
        Rc::new(Callbacks { inbox, on_frame })
    }

    /// Called after messages were added to the batch.
    fn received(&self) {
        let urgent = {
            let mut ib = self.inbox.borrow_mut();
            ib.last_message_at = js_sys::Date::now();
            if ib.batch.lines.len() >= MAX_INBOX_LINES {
                ib.due = true;
                true
            } else {
                // Never after the connection was dropped: the callback could be freed
                // before the frame comes.
                if ib.frame.is_none() && !ib.batch.is_empty() && ib.state != LinkState::Closed {
                    ib.frame = web_sys::window().and_then(|w| {
                        w.request_animation_frame(self.on_frame.as_ref().unchecked_ref())
                            .ok()
                    });
                }
                false
            }
        };
        if urgent {
            wake(&self.inbox);
        }
    }

    fn set_state(&self, state: LinkState) {
        let mut ib = self.inbox.borrow_mut();
        if ib.state == LinkState::Closed {
            return;
        }
        ib.state = state;
        drop(ib);
        wake(&self.inbox);
    }
}

enum Socket {
    Ws {
        ws: web_sys::WebSocket,
        // The callbacks must live as long as the socket may call them.
        _message: Closure<dyn FnMut(web_sys::MessageEvent)>,
        _open: Closure<dyn FnMut()>,
        _closed: Closure<dyn FnMut()>,
    },
    /// Server-Sent Events read with `fetch`: dropping it aborts the request, which ends
    /// the reading task.
    Sse { _fetch: AbortOnDrop },
}

/// An open (or opening) stream; closing it is dropping it.
pub struct Connection {
    socket: Socket,
    callbacks: Rc<Callbacks>,
    transport: Transport,
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
        let inbox = Rc::new(RefCell::new(Inbox {
            batch: Batch::default(),
            state: LinkState::Opening,
            due: false,
            frame: None,
            last_message_at: 0.0,
            waker: None,
        }));
        let callbacks = Callbacks::new(inbox);
        let socket = match transport {
            Transport::WebSocket => open_websocket(&http, &callbacks)?,
            Transport::Sse => open_sse(&http, &callbacks).await?,
        };
        let conn = Connection {
            socket,
            callbacks,
            transport,
        };
        let opened = future::poll_fn(|cx| {
            let mut ib = conn.callbacks.inbox.borrow_mut();
            match ib.state {
                LinkState::Opening => {
                    ib.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
                state => Poll::Ready(state == LinkState::Open),
            }
        })
        .await;
        opened.then_some(conn)
    }

    /// Which transport this connection uses.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The next batch, at most one per animation frame; `Closed` once the connection is
    /// over and every message was handed over.
    pub async fn next(&mut self) -> ConnEvent {
        future::poll_fn(|cx| {
            let mut ib = self.callbacks.inbox.borrow_mut();
            let closed = ib.state == LinkState::Closed;
            if !ib.batch.is_empty() && (ib.due || closed) {
                ib.due = false;
                return Poll::Ready(ConnEvent::Batch(ib.batch.take()));
            }
            if closed {
                return Poll::Ready(ConnEvent::Closed);
            }
            ib.due = false;
            ib.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// When the last message arrived (ms since the epoch; 0 before the first), whether or
    /// not it was handed over yet.
    pub fn last_message_at(&self) -> f64 {
        self.callbacks.inbox.borrow().last_message_at
    }

    /// Everything received so far without waiting for a frame, and whether the
    /// connection is already over.
    pub fn take_now(&mut self) -> (Batch, bool) {
        let mut ib = self.callbacks.inbox.borrow_mut();
        (ib.batch.take(), ib.state == LinkState::Closed)
    }
}

fn open_websocket(http: &str, callbacks: &Rc<Callbacks>) -> Option<Socket> {
    let ws_url = if let Some(rest) = http.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = http.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        http.to_owned()
    };
    let ws = web_sys::WebSocket::new(&ws_url).ok()?;
    let c = callbacks.clone();
    let open = Closure::<dyn FnMut()>::new(move || c.set_state(LinkState::Open));
    let c = callbacks.clone();
    let closed = Closure::<dyn FnMut()>::new(move || c.set_state(LinkState::Closed));
    let c = callbacks.clone();
    let message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(text) = e.data().as_string() {
                c.inbox.borrow_mut().batch.push(&text, Transport::WebSocket);
                c.received();
            }
        });
    ws.set_onopen(Some(open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(message.as_ref().unchecked_ref()));
    ws.set_onerror(Some(closed.as_ref().unchecked_ref()));
    ws.set_onclose(Some(closed.as_ref().unchecked_ref()));
    Some(Socket::Ws {
        ws,
        _message: message,
        _open: open,
        _closed: closed,
    })
}

/// Starts reading the event stream of `http` with `fetch`; `None` when the server
/// answers anything but `200 text/event-stream` (as `EventSource` would fail).
async fn open_sse(http: &str, callbacks: &Rc<Callbacks>) -> Option<Socket> {
    // Held from here, so that a connection dropped while still opening aborts too.
    let abort = AbortOnDrop(Some(web_sys::AbortController::new().ok()?));
    let response = RequestBuilder::new(http)
        .header("Accept", "text/event-stream")
        .abort_signal(
            abort
                .0
                .as_ref()
                .map(web_sys::AbortController::signal)
                .as_ref(),
        )
        .send()
        .await
        .ok()?;
    let event_stream = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.trim_start().starts_with("text/event-stream"));
    if response.status() != 200 || !event_stream {
        return None;
    }
    let reader = response.body()?.get_reader();
    let read: js_sys::Function = js_sys::Reflect::get(&reader, &"read".into())
        .ok()?
        .dyn_into()
        .ok()?;
    callbacks.set_state(LinkState::Open);
    let c = callbacks.clone();
    spawn_local(async move {
        let mut parser = SseParser::new();
        let mut buf = Vec::new();
        loop {
            let Ok(promise) = read.call0(&reader) else {
                break;
            };
            // Rejected once the connection is dropped (aborted) or the network fails.
            let Ok(result) = JsFuture::from(js_sys::Promise::from(promise)).await else {
                break;
            };
            let done = js_sys::Reflect::get(&result, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            let Ok(chunk) = js_sys::Reflect::get(&result, &"value".into()) else {
                break;
            };
            let Ok(chunk) = chunk.dyn_into::<js_sys::Uint8Array>() else {
                break;
            };
            buf.resize(chunk.length() as usize, 0);
            chunk.copy_to(&mut buf);
            {
                let mut ib = c.inbox.borrow_mut();
                let batch = &mut ib.batch;
                parser.feed(&buf, |e| match e {
                    SseEvent::Data(data) => batch.push(data, Transport::Sse),
                    SseEvent::TooLong => batch.push_malformed(),
                });
            }
            c.received();
        }
        c.set_state(LinkState::Closed);
    });
    Some(Socket::Sse { _fetch: abort })
}

impl Drop for Connection {
    fn drop(&mut self) {
        match &self.socket {
            Socket::Ws { ws, .. } => {
                ws.set_onopen(None);
                ws.set_onmessage(None);
                ws.set_onerror(None);
                ws.set_onclose(None);
                let _ = ws.close();
            }
            // Dropping the field aborts the fetch, which ends the reading task.
            Socket::Sse { .. } => {}
        }
        let mut ib = self.callbacks.inbox.borrow_mut();
        ib.state = LinkState::Closed;
        ib.waker = None;
        if let Some(id) = ib.frame.take() {
            if let Some(w) = web_sys::window() {
                let _ = w.cancel_animation_frame(id);
            }
        }
    }
}
