//! A live log stream that stays up: WebSocket first, Server-Sent Events when the
//! WebSocket cannot open, keepalive-based dead-stream detection, reconnection with
//! exponential backoff and jitter, a fresh logs URL when the old one expired, and a
//! re-dump after each reconnect so the viewer can remove overlaps.

use std::{cell::Cell, rc::Rc};

use futures::future::{self, AbortHandle, Either};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::backoff::Backoff;
use crate::api::frame::{Batch, Transport};
use crate::api::logs::{self as logs_api, ConnEvent, Connection, LogSource, LogsError};
use crate::api::ApiClient;

/// What the viewer asks the server for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamParams {
    /// History lines fetched when connecting.
    pub lines: usize,
    /// Server-side container filter (empty: all).
    pub filter: String,
    /// Whether to stream at all: the viewer showing history or a file stops the stream.
    pub enabled: bool,
}

/// What the stream hands the viewer, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEvent {
    /// First connection for these parameters: drop what is shown.
    Reset,
    /// Lines to append as they are.
    Lines(Vec<String>),
    /// Lines fetched around a reconnect: some may already be shown. `complete` says they
    /// are the whole recent history (nothing can be missing before them).
    Resync {
        /// The lines, oldest first.
        lines: Vec<String>,
        /// No lines can be missing before these.
        complete: bool,
    },
}

/// The connection state shown in the status pill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamState {
    /// Opening a connection.
    Connecting,
    /// Receiving lines.
    Live,
    /// Waiting before the next attempt.
    Reconnecting {
        /// Seconds left.
        in_secs: u32,
    },
    /// A failure that retrying will not fix (e.g. a refused filter).
    Error(String),
    /// Not streaming: the viewer shows something else (history, a file).
    Off,
}

/// State and transport of the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamStatus {
    /// Connection state.
    pub state: StreamState,
    /// Transport of the current or last connection.
    pub transport: Option<Transport>,
}

/// Options of [`use_log_stream_with_options`].
#[derive(Clone, Copy, Debug)]
pub struct UseLogStreamOptions {
    /// Interval at which the server sends keepalive pings. A stream silent for twice this
    /// long is treated as dead. Default: 10,000 ms (the platform's front servers cut idle
    /// connections after 30 s, so pings come more often than that).
    pub ping_interval_ms: u32,
}

impl Default for UseLogStreamOptions {
    fn default() -> Self {
        UseLogStreamOptions {
            ping_interval_ms: 10_000,
        }
    }
}

/// What [`use_log_stream`] returns.
#[derive(Clone, Copy, Debug)]
pub struct UseLogStreamReturn {
    /// State and transport.
    pub status: ReadSignal<StreamStatus>,
    /// Messages that could not be understood and were skipped.
    pub malformed: ReadSignal<u64>,
    /// How many times the stream reconnected.
    pub reconnects: ReadSignal<u32>,
}

/// [`use_log_stream_with_options`] with default options.
pub fn use_log_stream(
    api: ApiClient,
    source: LogSource,
    params: Signal<StreamParams>,
    on_event: impl Fn(StreamEvent) + 'static,
) -> UseLogStreamReturn {
    use_log_stream_with_options(
        api,
        source,
        params,
        on_event,
        UseLogStreamOptions::default(),
    )
}

/// Streams the logs of `source` with `params`, restarting when `params` change, and
/// hands every event to `on_event`. Stops when the owner is cleaned up.
pub fn use_log_stream_with_options(
    api: ApiClient,
    source: LogSource,
    params: Signal<StreamParams>,
    on_event: impl Fn(StreamEvent) + 'static,
    options: UseLogStreamOptions,
) -> UseLogStreamReturn {
    let (status, set_status) = signal(StreamStatus {
        state: StreamState::Connecting,
        transport: None,
    });
    let (malformed, set_malformed) = signal(0u64);
    let (reconnects, set_reconnects) = signal(0u32);
    let on_event: Rc<dyn Fn(StreamEvent)> = Rc::new(on_event);
    let current: Rc<Cell<Option<AbortHandle>>> = Rc::new(Cell::new(None));
    // After a refused WebSocket, later reconnects go straight to SSE.
    let prefer_sse = Rc::new(Cell::new(false));

    let ctx = Rc::new(Ctx {
        api,
        source,
        on_event,
        set_status,
        set_malformed,
        set_reconnects,
        options,
        prefer_sse,
    });
    {
        let current = current.clone();
        Effect::new(move |_| {
            let p = params.get();
            if let Some(h) = current.take() {
                h.abort();
            }
            if !p.enabled {
                ctx.set_status.set(StreamStatus {
                    state: StreamState::Off,
                    transport: None,
                });
                return;
            }
            let (task, handle) = future::abortable(run(ctx.clone(), p));
            current.set(Some(handle));
            spawn_local(async move {
                let _ = task.await;
            });
        });
    }
    on_cleanup({
        let current = send_wrapper::SendWrapper::new(current);
        move || {
            if let Some(h) = Cell::take(&current) {
                h.abort();
            }
        }
    });
    UseLogStreamReturn {
        status,
        malformed,
        reconnects,
    }
}

struct Ctx {
    api: ApiClient,
    source: LogSource,
    on_event: Rc<dyn Fn(StreamEvent)>,
    set_status: WriteSignal<StreamStatus>,
    set_malformed: WriteSignal<u64>,
    set_reconnects: WriteSignal<u32>,
    options: UseLogStreamOptions,
    prefer_sse: Rc<Cell<bool>>,
}

impl Ctx {
    fn state(&self, state: StreamState, transport: Option<Transport>) {
        self.set_status.set(StreamStatus { state, transport });
    }

    async fn wait_before_retry(&self, backoff: &mut Backoff, transport: Option<Transport>) {
        let ms = backoff.next_delay_ms(js_sys::Math::random());
        let mut left = ms;
        while left > 0 {
            self.state(
                StreamState::Reconnecting {
                    in_secs: left.div_ceil(1000),
                },
                transport,
            );
            let step = left.min(1000);
            TimeoutFuture::new(step).await;
            left -= step;
        }
    }

    fn count_malformed(&self, batch: &Batch) {
        if batch.malformed > 0 {
            self.set_malformed.update(|n| *n += batch.malformed);
        }
    }

    async fn open(&self, url: &str, filter: &str) -> Option<Connection> {
        if !self.prefer_sse.get() {
            if let Some(c) = Connection::open(url, filter, Transport::WebSocket).await {
                return Some(c);
            }
        }
        let c = Connection::open(url, filter, Transport::Sse).await?;
        // SSE worked where the WebSocket did not: a proxy or the server refuses upgrades.
        self.prefer_sse.set(true);
        Some(c)
    }
}

/// The connection loop for one set of parameters; aborted when they change.
async fn run(ctx: Rc<Ctx>, params: StreamParams) {
    let filter = if ctx.source.supports_filter() {
        params.filter.clone()
    } else {
        String::new()
    };
    let mut backoff = Backoff::new();
    let mut url: Option<String> = None;
    let mut first = true;
    let mut transport = None;
    loop {
        ctx.state(StreamState::Connecting, transport);
        let logs_url = match &url {
            Some(u) => u.clone(),
            None => match logs_api::logs_url(&ctx.api, &ctx.source).await {
                Ok(u) => {
                    url = Some(u.clone());
                    u
                }
                Err(e) => {
                    ctx.state(StreamState::Error(e.to_string()), transport);
                    TimeoutFuture::new(1500).await;
                    ctx.wait_before_retry(&mut backoff, transport).await;
                    continue;
                }
            },
        };
        // The stream opens before the dump so that no line falls between the two; the
        // overlap is removed by the viewer.
        let conn = ctx.open(&logs_url, &filter).await;
        let dumped = logs_api::dump(&logs_url, params.lines, &filter).await;
        let (mut conn, lines) = match (conn, dumped) {
            (_, Err(LogsError::Expired)) => {
                // The token of the logs URL expired: get a new one and try again at once.
                url = None;
                if backoff.attempt() > 0 {
                    ctx.wait_before_retry(&mut backoff, transport).await;
                } else {
                    backoff.next_delay_ms(0.0);
                }
                continue;
            }
            (_, Err(LogsError::BadFilter(message))) => {
                ctx.state(StreamState::Error(message), transport);
                return;
            }
            (None, _) | (_, Err(LogsError::Other(_))) => {
                ctx.wait_before_retry(&mut backoff, transport).await;
                continue;
            }
            (Some(conn), Ok(lines)) => (conn, lines),
        };
        transport = Some(conn.transport());
        let complete = lines.len() < params.lines;
        if first {
            (ctx.on_event)(StreamEvent::Reset);
            (ctx.on_event)(StreamEvent::Lines(lines));
            first = false;
        } else {
            ctx.set_reconnects.update(|n| *n += 1);
            (ctx.on_event)(StreamEvent::Resync { lines, complete });
        }
        // Lines that arrived on the stream while the dump was in flight may be in the
        // dump too.
        let (held, mut closed) = conn.take_now();
        ctx.count_malformed(&held);
        if !held.lines.is_empty() {
            (ctx.on_event)(StreamEvent::Resync {
                lines: held.lines,
                complete: true,
            });
        }
        ctx.state(StreamState::Live, transport);
        let dead_after = ctx.options.ping_interval_ms.saturating_mul(2);
        // One watchdog timer re-armed only when it fires: a timer per batch would cost a
        // setTimeout/clearTimeout pair and a closure for each animation frame.
        let mut last_message = js_sys::Date::now();
        let mut watchdog = Box::pin(TimeoutFuture::new(dead_after));
        while !closed {
            let event = match future::select(Box::pin(conn.next()), &mut watchdog).await {
                Either::Left((e, _)) => Some(e),
                Either::Right(_) => None,
            };
            match event {
                // The connection hands over what arrived once per animation frame, already
                // decoded: one event for the viewer per frame, whatever the line rate.
                Some(ConnEvent::Batch(batch)) => {
                    last_message = js_sys::Date::now();
                    backoff.reset();
                    ctx.count_malformed(&batch);
                    if !batch.lines.is_empty() {
                        (ctx.on_event)(StreamEvent::Lines(batch.lines));
                    }
                }
                Some(ConnEvent::Closed) => closed = true,
                None => {
                    // Batches wait for an animation frame, and a hidden tab has none: the
                    // connection's own clock of the last message counts, not the last batch.
                    let last_message = last_message.max(conn.last_message_at());
                    let silent = js_sys::Date::now() - last_message;
                    if silent >= f64::from(dead_after) {
                        // Silent for two ping intervals: the stream is dead even if the
                        // socket has not noticed.
                        closed = true;
                    } else {
                        watchdog = Box::pin(TimeoutFuture::new(dead_after - silent as u32));
                    }
                }
            }
        }
        drop(conn);
        ctx.wait_before_retry(&mut backoff, transport).await;
    }
}
