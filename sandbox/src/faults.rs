//! Fault injection and the rate limiter, both off until asked for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::http::ApiError;
use crate::logs::lock;

/// Answer the next `count` API calls (optionally of one method) with `status`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FailNext {
    /// The status to answer.
    pub status: u16,
    /// How many calls are left to fail.
    pub count: u32,
    /// Only calls with this method fail, when set.
    pub method: Option<String>,
    /// Only calls to this API path fail, when set: the call's path, with or without the `/v1`
    /// (or `/proxy/v1`) prefix, equal to it or ending with it (`/events` fails every events
    /// page, `/apps/a/addons` not `/apps/a/addons/x/log_drains`).
    pub path: Option<String>,
    /// Concerned calls still to answer normally before the failures start, so that a test
    /// can fail, say, the seventh page of a walk through the events.
    pub after: u32,
}

/// The current faults, as `POST /_sandbox/faults` returns them.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Faults {
    /// Delay before every API answer.
    pub delay_ms: u64,
    /// Calls still to fail.
    pub fail_next: Option<FailNext>,
    /// Whether WebSocket upgrades on logs URLs are refused.
    pub refuse_websocket: bool,
    /// Whether the auth service (`/auth/v1/…`: regions, token exchange) is down.
    pub auth_down: bool,
    /// Archive URLs issued up to this instant (Unix nanoseconds) are refused as expired.
    pub archive_urls_expired_at: Option<i64>,
    /// Whether archive downloads stop halfway, leaving a gzip stream without its end.
    pub truncate_archives: bool,
    /// Whether the archive storage leaves out its CORS headers (and refuses preflights).
    pub refuse_archive_cors: bool,
    /// Addons (by id) listed without their `addon_provider.id`, as a malformed answer.
    pub malformed_addons: Vec<String>,
}

/// An API path without its `/proxy` and `/v1` prefixes, as the routes under `/v1` see it.
fn api_path(path: &str) -> &str {
    let path = path.strip_prefix("/proxy").unwrap_or(path);
    path.strip_prefix("/v1").unwrap_or(path)
}

fn bad(message: &str) -> ApiError {
    ApiError::BadRequest(message.into())
}

impl Faults {
    /// Applies a fault request; returns whether open streams must be dropped now.
    pub fn apply(&mut self, body: &Value) -> Result<bool, ApiError> {
        let Some(obj) = body.as_object() else {
            return Err(bad("expected a JSON object"));
        };
        let mut update = self.clone();
        let mut drop_streams = false;
        for (key, value) in obj {
            match key.as_str() {
                "drop_streams" => {
                    drop_streams = value
                        .as_bool()
                        .ok_or_else(|| bad("drop_streams must be a boolean"))?
                }
                "refuse_websocket" => {
                    update.refuse_websocket = value
                        .as_bool()
                        .ok_or_else(|| bad("refuse_websocket must be a boolean"))?
                }
                "auth_down" => {
                    update.auth_down = value
                        .as_bool()
                        .ok_or_else(|| bad("auth_down must be a boolean"))?
                }
                "expire_archive_urls" => {
                    let now = value
                        .as_bool()
                        .ok_or_else(|| bad("expire_archive_urls must be a boolean"))?;
                    update.archive_urls_expired_at = now.then(crate::clock::now_nanos);
                }
                "truncate_archives" => {
                    update.truncate_archives = value
                        .as_bool()
                        .ok_or_else(|| bad("truncate_archives must be a boolean"))?
                }
                "refuse_archive_cors" => {
                    update.refuse_archive_cors = value
                        .as_bool()
                        .ok_or_else(|| bad("refuse_archive_cors must be a boolean"))?
                }
                "malformed_addons" => {
                    update.malformed_addons = value
                        .as_array()
                        .and_then(|ids| {
                            ids.iter()
                                .map(|id| id.as_str().map(str::to_string))
                                .collect::<Option<Vec<_>>>()
                        })
                        .ok_or_else(|| bad("malformed_addons must be an array of addon ids"))?
                }
                "delay_ms" => {
                    update.delay_ms = value
                        .as_u64()
                        .filter(|d| *d <= 600_000)
                        .ok_or_else(|| bad("delay_ms must be an integer between 0 and 600000"))?
                }
                "fail_next" if value.is_null() => update.fail_next = None,
                "fail_next" => {
                    let status = value
                        .get("status")
                        .and_then(Value::as_u64)
                        .filter(|s| (400..=599).contains(s))
                        .ok_or_else(|| {
                            bad("fail_next.status must be a status between 400 and 599")
                        })?;
                    let count = match value.get("count") {
                        None => 1,
                        Some(c) => c
                            .as_u64()
                            .and_then(|c| u32::try_from(c).ok())
                            .ok_or_else(|| bad("fail_next.count must be a non-negative integer"))?,
                    };
                    let method = match value.get("method") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(m)) => Some(m.to_ascii_uppercase()),
                        Some(_) => return Err(bad("fail_next.method must be a string")),
                    };
                    let path = match value.get("path") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(p)) if p.starts_with('/') => {
                            Some(api_path(p).to_string())
                        }
                        Some(_) => {
                            return Err(bad("fail_next.path must be a path starting with /"))
                        }
                    };
                    let after = match value.get("after") {
                        None => 0,
                        Some(a) => a
                            .as_u64()
                            .and_then(|a| u32::try_from(a).ok())
                            .ok_or_else(|| bad("fail_next.after must be a non-negative integer"))?,
                    };
                    update.fail_next = (count > 0).then_some(FailNext {
                        status: status as u16,
                        count,
                        method,
                        path,
                        after,
                    });
                }
                other => return Err(bad(&format!("unknown fault {other:?}"))),
            }
        }
        *self = update;
        Ok(drop_streams)
    }

    /// Consumes one planned failure if this call (`path` as the API routes see it, or with
    /// its prefix) is concerned.
    pub fn take_failure(&mut self, method: &Method, path: &str) -> Option<ApiError> {
        let plan = self.fail_next.as_mut()?;
        if plan.method.as_deref().is_some_and(|m| m != method.as_str())
            || plan
                .path
                .as_deref()
                .is_some_and(|p| !api_path(path).ends_with(p))
        {
            return None;
        }
        if plan.after > 0 {
            plan.after -= 1;
            return None;
        }
        let status = StatusCode::from_u16(plan.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        plan.count -= 1;
        if plan.count == 0 {
            self.fail_next = None;
        }
        Some(ApiError::for_status(status))
    }
}

/// Fixed one-minute windows per key (a bearer or a client IP).
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts a request; false when the key is over `limit` this minute. A limit of 0 is off.
    pub fn allow(&self, key: &str, limit: u32) -> bool {
        if limit == 0 {
            return true;
        }
        let now = Instant::now();
        let mut map = lock(&self.windows);
        map.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        let (_, count) = map.entry(key.to_string()).or_insert((now, 0));
        *count += 1;
        *count <= limit
    }

    /// Forgets every window.
    pub fn reset(&self) {
        lock(&self.windows).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_method_scoped_failure_spares_other_methods() {
        let mut f = Faults::default();
        f.apply(&json!({"fail_next": {"status": 500, "count": 1, "method": "post"}}))
            .expect("valid");
        assert!(f.take_failure(&Method::GET, "/apps").is_none());
        assert!(matches!(
            f.take_failure(&Method::POST, "/apps/a/log_drains"),
            Some(ApiError::Internal)
        ));
        assert!(f.fail_next.is_none());
    }

    #[test]
    fn a_path_scoped_failure_spares_other_paths_and_ignores_the_prefix() {
        let mut f = Faults::default();
        f.apply(&json!({"fail_next": {"status": 500, "count": 2, "path": "/v1/apps/a/addons"}}))
            .expect("valid");
        assert!(f.take_failure(&Method::GET, "/apps/a/log_drains").is_none());
        assert!(f.take_failure(&Method::GET, "/apps/a/addons/x").is_none());
        assert!(f.take_failure(&Method::GET, "/apps/a/addons").is_some());
        assert!(f
            .take_failure(&Method::GET, "/proxy/v1/apps/a/addons")
            .is_some());
        assert!(f.fail_next.is_none());
        assert!(f
            .apply(&json!({"fail_next": {"status": 500, "path": "apps"}}))
            .is_err());
    }

    #[test]
    fn a_path_scoped_failure_lets_its_first_calls_through_and_spares_other_paths() {
        let mut f = Faults::default();
        f.apply(&json!({"fail_next": {"status": 500, "path": "/events", "after": 2}}))
            .expect("valid");
        assert!(f.take_failure(&Method::GET, "/apps/a/events").is_none());
        assert!(f.take_failure(&Method::GET, "/apps").is_none());
        assert!(f.take_failure(&Method::GET, "/apps/a/events").is_none());
        assert!(f.take_failure(&Method::GET, "/apps").is_none());
        assert!(matches!(
            f.take_failure(&Method::GET, "/apps/a/events"),
            Some(ApiError::Internal)
        ));
        assert!(f.fail_next.is_none());
        assert!(f
            .apply(&json!({"fail_next": {"status": 500, "path": 3}}))
            .is_err());
        assert!(f
            .apply(&json!({"fail_next": {"status": 500, "after": -1}}))
            .is_err());
    }

    #[test]
    fn an_invalid_fault_changes_nothing() {
        let mut f = Faults::default();
        assert!(f
            .apply(&json!({"delay_ms": 5, "refuse_websocket": "yes"}))
            .is_err());
        assert_eq!(f, Faults::default());
    }

    #[test]
    fn the_limiter_counts_per_key() {
        let r = RateLimiter::default();
        assert!(r.allow("a", 2) && r.allow("a", 2) && !r.allow("a", 2));
        assert!(r.allow("b", 2));
        assert!(r.allow("a", 0));
    }
}
