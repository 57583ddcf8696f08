//! `/_sandbox/…`: fault injection and test helpers, for loopback peers only.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::http::{ApiError, JsonBody, ADMIN_MAX_BODY};

/// Admin bodies may carry megabyte lines.
type AdminBody = JsonBody<ADMIN_MAX_BODY>;
use crate::logs::{lock, Line, LogSource};
use crate::{api, drains, Shared};

type St = State<Arc<Shared>>;
type AdminResult = Result<Response, ApiError>;

/// The admin routes, relative to `/_sandbox`.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/reset", post(reset))
        .route("/faults", get(show_faults).post(set_faults))
        .route("/log-rate", post(log_rate))
        .route("/inject", post(inject))
        .route("/audit_logs", post(add_audit_log))
        .route("/events", post(add_event))
        .fallback(|| async { ApiError::NotFound("route") })
}

/// Refuses every peer that is not on the loopback interface.
pub async fn loopback_only(req: Request, next: Next) -> Response {
    match crate::peer(&req) {
        Some(addr) if addr.ip().is_loopback() => next.run(req).await,
        _ => ApiError::Forbidden("the sandbox admin answers loopback peers only".into())
            .into_response(),
    }
}

fn body_object(body: Option<Value>) -> Result<Value, ApiError> {
    match body {
        Some(v @ Value::Object(_)) => Ok(v),
        _ => Err(ApiError::BadRequest("expected a JSON object".into())),
    }
}

fn source<'a>(s: &'a Shared, body: &Value) -> Result<&'a Arc<LogSource>, ApiError> {
    let name = body
        .get("app")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest("app must be an app name or addon id".into()))?;
    s.sources.get(name).ok_or(ApiError::NotFound("app"))
}

fn strings(body: &Value, key: &str) -> Result<Vec<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::BadRequest(format!("{key} must be an array of strings"))),
        Some(_) => Err(ApiError::BadRequest(format!(
            "{key} must be an array of strings"
        ))),
    }
}

/// Initial drains, no faults, fresh rate-limit windows and the configured log rates.
async fn reset(State(s): St) -> AdminResult {
    {
        let mut state = s.drains.lock().await;
        *state = drains::State::initial();
        api::save(&s, &state)?;
    }
    *lock(&s.faults) = Default::default();
    s.limiter.reset();
    for source in s.sources.values() {
        source.reset_rate();
    }
    Ok(Json(json!({ "reset": true })).into_response())
}

async fn show_faults(State(s): St) -> Response {
    Json(lock(&s.faults).clone()).into_response()
}

async fn set_faults(State(s): St, JsonBody(body): AdminBody) -> AdminResult {
    let body = body_object(body)?;
    let (drop_streams, now) = {
        let mut faults = lock(&s.faults);
        let drop_streams = faults.apply(&body)?;
        (drop_streams, faults.clone())
    };
    if drop_streams {
        s.drop_all_streams();
    }
    Ok(Json(now).into_response())
}

async fn log_rate(State(s): St, JsonBody(body): AdminBody) -> AdminResult {
    let body = body_object(body)?;
    let source = source(&s, &body)?;
    let rate = body
        .get("rate")
        .and_then(Value::as_f64)
        .filter(|r| (0.0..=10_000_000.0).contains(r))
        .ok_or_else(|| {
            ApiError::BadRequest("rate must be a number between 0 and 10000000".into())
        })?;
    source.set_rate(rate);
    Ok(Json(json!({ "app": body["app"], "rate": rate })).into_response())
}

async fn inject(State(s): St, JsonBody(body): AdminBody) -> AdminResult {
    let body = body_object(body)?;
    let source = source(&s, &body)?;
    let lines = strings(&body, "lines")?;
    let raw = strings(&body, "raw_frames")?;
    let (n_lines, n_raw) = (lines.len(), raw.len());
    let now = s.clock.now_nanos();
    source.publish(
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| Arc::new(Line::verbatim(l, now + i as i64)))
            .collect(),
    );
    if n_raw > 0 {
        source.publish_raw(raw);
    }
    Ok(Json(json!({ "lines": n_lines, "raw_frames": n_raw })).into_response())
}

/// Stores `events` verbatim (or `raw`, any text, for truly malformed logs) as a new audit log.
async fn add_audit_log(State(s): St, JsonBody(body): AdminBody) -> AdminResult {
    let body = body_object(body)?;
    let app = s.app(body.get("app").and_then(Value::as_str).unwrap_or_default())?;
    let command = body
        .get("command")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let detached = body
        .get("detached")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let log: Arc<str> = match (body.get("raw").and_then(Value::as_str), body.get("events")) {
        (Some(raw), _) => Arc::from(raw),
        (None, Some(events)) => Arc::from(events.to_string()),
        (None, None) => return Err(ApiError::BadRequest("events (or raw) is required".into())),
    };
    let (event_id, audit_log_id) = s
        .history
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .add_run(app, s.clock.now_secs(), command, detached, log);
    Ok(Json(json!({ "audit_log_id": audit_log_id, "event_id": event_id })).into_response())
}

/// Stores `event` (any JSON, malformed on purpose if need be) verbatim as the app's newest event.
async fn add_event(State(s): St, JsonBody(body): AdminBody) -> AdminResult {
    let body = body_object(body)?;
    let app = s.app(body.get("app").and_then(Value::as_str).unwrap_or_default())?;
    let Some(event) = body.get("event") else {
        return Err(ApiError::BadRequest("event is required".into()));
    };
    let mut history = s.history.write().unwrap_or_else(|e| e.into_inner());
    let events = history.events.entry(app.name.to_string()).or_default();
    events.insert(0, event.clone());
    Ok(Json(json!({ "events": events.len() })).into_response())
}
