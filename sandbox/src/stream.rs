//! Logs URLs: dumps as text, streams over WebSocket or Server-Sent Events.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::api::{params, positive};
use crate::auth::TokenError;
use crate::clock::WorldClock;
use crate::http::{no_content, ApiError};
use crate::logs::{frame, lock, Filter, StreamItem, MAX_DUMP};
use crate::Shared;

/// Lines a dump returns when `n` is not given, like the CLI's default.
pub const DEFAULT_DUMP: usize = 20;

/// `GET /logs/apps/:app/logs`.
pub async fn app_logs(
    State(s): State<Arc<Shared>>,
    Path(app): Path<String>,
    req: Request,
) -> Response {
    logs(s, app, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /logs/addons/:addon_id/logs`.
pub async fn addon_logs(
    State(s): State<Arc<Shared>>,
    Path(addon): Path<String>,
    req: Request,
) -> Response {
    logs(s, addon, req)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

fn wants_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
}

async fn logs(s: Arc<Shared>, key: String, req: Request) -> Result<Response, ApiError> {
    let (mut parts, _body) = req.into_parts();
    let q = params(&parts.uri)?;
    let token = q.get("token").map(String::as_str).unwrap_or_default();
    match s.logs_tokens.check(token) {
        Ok(granted) if granted == key => {}
        Ok(_) | Err(TokenError::Unknown) => {
            return Err(ApiError::Unauthorized("invalid token".into()))
        }
        Err(TokenError::Expired) => return Err(ApiError::Unauthorized("token expired".into())),
    }
    let source = s
        .sources
        .get(&key)
        .ok_or(ApiError::NotFound("app"))?
        .clone();
    let filter = Filter::parse(q.get("filter").map(String::as_str).unwrap_or_default())
        .map_err(ApiError::BadRequest)?;
    if q.get("stream").map(String::as_str) != Some("true") {
        let n = positive(&q, "n", DEFAULT_DUMP, MAX_DUMP)?;
        let lines = source.dump(n, filter.as_ref());
        if lines.is_empty() {
            return Ok(no_content());
        }
        let mut text = String::with_capacity(lines.iter().map(|l| l.text.len() + 2).sum());
        for line in &lines {
            text.push_str(&line.text);
            text.push_str(line.dump_ending());
        }
        let mut res = text.into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return Ok(res);
    }
    let sub = Subscription::new(&s, source.subscribe(), filter);
    if wants_websocket(&parts.headers) {
        if lock(&s.faults).refuse_websocket {
            return Ok((
                StatusCode::FORBIDDEN,
                "WebSocket upgrades are refused (sandbox fault)",
            )
                .into_response());
        }
        let ws = WebSocketUpgrade::from_request_parts(&mut parts, &())
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        return Ok(ws.on_upgrade(move |socket| websocket(socket, sub)));
    }
    let body = futures_util::stream::unfold(sub, |mut sub| async move {
        let frames = sub.next().await?;
        let mut chunk = String::with_capacity(frames.iter().map(|f| f.len() + 8).sum());
        for f in frames {
            chunk.push_str("data: ");
            chunk.push_str(&f);
            chunk.push_str("\n\n");
        }
        Some((Ok::<_, Infallible>(Bytes::from(chunk)), sub))
    });
    let mut res = Body::from_stream(body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies such as nginx buffer responses unless told not to, which would stall the stream.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(res)
}

/// One client's view of a source: new lines through its filter, pings, and the drop signal.
struct Subscription {
    rx: broadcast::Receiver<StreamItem>,
    dropped: watch::Receiver<u64>,
    ping: Interval,
    filter: Option<Filter>,
    clock: WorldClock,
}

impl Subscription {
    fn new(s: &Shared, rx: broadcast::Receiver<StreamItem>, filter: Option<Filter>) -> Self {
        let period = s.config.ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut dropped = s.drop_streams.subscribe();
        dropped.mark_unchanged();
        Subscription {
            rx,
            dropped,
            ping,
            filter,
            clock: s.clock,
        }
    }

    /// The next payloads to send, or `None` when the stream must close.
    async fn next(&mut self) -> Option<Vec<String>> {
        loop {
            tokio::select! {
                // Either a drop was asked for or the server is going away: close in both cases.
                _ = self.dropped.changed() => return None,
                _ = self.ping.tick() => return Some(vec![frame("ping", None, self.clock.now_nanos())]),
                item = self.rx.recv() => match item {
                    Ok(StreamItem::Lines(lines)) => {
                        let frames: Vec<String> = lines
                            .iter()
                            .filter(|l| self.filter.as_ref().is_none_or(|f| f.matches(&l.container)))
                            .map(|l| l.frame())
                            .collect();
                        if !frames.is_empty() {
                            return Some(frames);
                        }
                    }
                    Ok(StreamItem::Raw(raw)) => return Some(raw.to_vec()),
                    // A client too slow for the rate skips ahead, as the platform drops lines too.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }
}

async fn websocket(mut socket: WebSocket, mut sub: Subscription) {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            frames = sub.next() => {
                let Some(frames) = frames else {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                };
                // Frames are queued and flushed once per batch: one write for many lines.
                for f in frames {
                    if socket.feed(Message::Text(f.into())).await.is_err() {
                        return;
                    }
                }
                if socket.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}
