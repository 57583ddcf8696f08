//! The `/v1` API (also served under `/proxy/v1`), the token exchange, regions and the database API.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::http::{json_response, no_content, origin, raw_json, ApiError, JsonBody};
use crate::logs::lock;
use crate::world::App;
use crate::{auth, drains, Shared};

type St = State<Arc<Shared>>;
type ApiResult = Result<Response, ApiError>;

/// How long addon tokens last, as on the platform.
const ADDON_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The routes under `/v1`, relative to it.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/apps", get(list_apps))
        .route("/apps/{app}", get(show_app))
        .route("/apps/{app}/addons", get(list_addons))
        .route("/apps/{app}/containers", get(containers))
        .route(
            "/apps/{app}/log_drains",
            get(list_app_drains)
                .post(add_app_drain)
                .delete(delete_app_drain),
        )
        .route(
            "/apps/{app}/addons/{addon_id}/log_drains",
            get(list_addon_drains)
                .post(add_addon_drain)
                .delete(delete_addon_drain),
        )
        .route("/apps/{app}/addons/{addon_id}/token", post(addon_token))
        .route("/apps/{app}/logs", get(logs_url))
        .route(
            "/apps/{app}/logs_archives",
            get(crate::archives::app_archives),
        )
        .route("/apps/{app}/events", get(events))
        .route("/apps/{app}/audit_logs/{id}", get(audit_log))
        .fallback(|| async { ApiError::NotFound("route") })
}

/// The query string as a map; repeated keys keep the last value.
pub fn params(uri: &Uri) -> Result<HashMap<String, String>, ApiError> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::BadRequest(format!("invalid query string: {e}")))
}

/// `POST /auth/v1/tokens/exchange`: HTTP Basic with the API token as password, answered with a JWT.
pub async fn exchange(State(s): St, headers: HeaderMap) -> ApiResult {
    let password = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(auth::basic_password);
    let role = match password {
        Some(p) if p == s.config.token => "user",
        Some(p) if p == s.config.limited_token => auth::LIMITED,
        _ => return Err(ApiError::Unauthorized("invalid token".into())),
    };
    let token = auth::jwt(s.config.token_ttl);
    s.bearers
        .insert(token.clone(), role.into(), s.config.token_ttl);
    Ok(Json(json!({ "token": token })).into_response())
}

/// `GET /auth/v1/regions`: both regions are this same server.
pub async fn regions(headers: HeaderMap) -> Response {
    let o = origin(&headers);
    let region = |name: &str, display: &str, default: bool| json!({ "name": name, "display_name": display, "api": o, "database_api": format!("{o}/db-api"), "default": default });
    Json(json!({ "regions": [
        region("osc-fr1", "Paris - Outscale (sandbox)", true),
        region("osc-secnum-fr1", "Paris - SecNumCloud (sandbox)", false),
    ]}))
    .into_response()
}

async fn list_apps(State(s): St) -> Response {
    let apps: Vec<Value> = s.apps.iter().map(|a| a.to_json(s.started)).collect();
    Json(json!({ "apps": apps })).into_response()
}

async fn show_app(State(s): St, Path(app): Path<String>) -> ApiResult {
    Ok(Json(json!({ "app": s.app(&app)?.to_json(s.started) })).into_response())
}

async fn list_addons(State(s): St, Path(app): Path<String>) -> ApiResult {
    let app = s.app(&app)?;
    let malformed = lock(&s.faults).malformed_addons.clone();
    let addons: Vec<Value> = app
        .addons
        .iter()
        .map(|a| {
            let mut json = a.to_json(app, s.started);
            if malformed.iter().any(|id| id == a.id) {
                // The `malformed_addons` fault: an addon without its provider id.
                json["addon_provider"]
                    .as_object_mut()
                    .map(|p| p.remove("id"));
            }
            json
        })
        .collect();
    Ok(Json(json!({ "addons": addons })).into_response())
}

async fn containers(State(s): St, Path(app): Path<String>) -> ApiResult {
    let list: Vec<Value> = s
        .app(&app)?
        .containers
        .iter()
        .map(|c| json!({ "name": c.name, "amount": c.amount, "size": c.size }))
        .collect();
    Ok(Json(json!({ "containers": list })).into_response())
}

/// Where drains go: the state key and the id the drains report as `app_id`.
struct Target {
    key: String,
    id: String,
}

fn target(s: &Shared, app: &str, addon: Option<&str>) -> Result<Target, ApiError> {
    let app = s.app(app)?;
    let Some(addon_id) = addon else {
        return Ok(Target {
            key: format!("app:{}", app.name),
            id: app.id.into(),
        });
    };
    let addon = app.addon(addon_id).ok_or(ApiError::NotFound("addon"))?;
    if !addon.drains_allowed {
        return Err(ApiError::BadRequest(
            "This addon doesn't support log drains".into(),
        ));
    }
    Ok(Target {
        key: format!("addon:{}", addon.id),
        id: addon.id.into(),
    })
}

async fn list_drains(s: &Shared, t: Target) -> ApiResult {
    let state = s.drains.lock().await;
    let drains: Vec<Value> = state
        .drains
        .get(&t.key)
        .into_iter()
        .flatten()
        .map(|url| json!({ "app_id": t.id, "url": url }))
        .collect();
    Ok(Json(json!({ "drains": drains })).into_response())
}

async fn add_drain(s: &Shared, t: Target, body: Option<Value>) -> ApiResult {
    let url = drains::build_url(body.as_ref())?;
    let mut state = s.drains.lock().await;
    let list = state.drains.entry(t.key.clone()).or_default();
    if list.contains(&url) {
        return Err(ApiError::field("url", "has already been taken"));
    }
    list.push(url.clone());
    save(s, &state)?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "drain": { "app_id": t.id, "url": url } }),
    ))
}

async fn delete_drain(s: &Shared, t: Target, uri: &Uri, body: Option<Value>) -> ApiResult {
    let from_query = params(uri)?.remove("url").filter(|u| !u.is_empty());
    let from_body = || {
        body.as_ref()?
            .get("url")?
            .as_str()
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    };
    let Some(url) = from_query.or_else(from_body) else {
        return Err(ApiError::field("url", "can't be blank"));
    };
    let mut state = s.drains.lock().await;
    let list = state.drains.entry(t.key.clone()).or_default();
    let Some(at) = list.iter().position(|u| *u == url) else {
        return Err(ApiError::NotFound("log_drain"));
    };
    list.remove(at);
    save(s, &state)?;
    Ok(no_content())
}

/// Writes the drains; a failed write is a 500, as the change would not survive a restart.
///
/// The write is synchronous on purpose: it is small and rare, and the answer must not leave
/// before the change is durable (a `spawn_blocking` would add nothing but ordering worries).
pub fn save(s: &Shared, state: &drains::State) -> Result<(), ApiError> {
    state.save(&s.config.data).map_err(|e| {
        eprintln!("scalingo-sandbox: {e}");
        ApiError::Internal
    })
}

async fn list_app_drains(State(s): St, Path(app): Path<String>) -> ApiResult {
    list_drains(&s, target(&s, &app, None)?).await
}

async fn add_app_drain(
    State(s): St,
    Path(app): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    add_drain(&s, target(&s, &app, None)?, body).await
}

async fn delete_app_drain(
    State(s): St,
    Path(app): Path<String>,
    uri: Uri,
    JsonBody(body): JsonBody,
) -> ApiResult {
    delete_drain(&s, target(&s, &app, None)?, &uri, body).await
}

async fn list_addon_drains(State(s): St, Path((app, addon)): Path<(String, String)>) -> ApiResult {
    list_drains(&s, target(&s, &app, Some(&addon))?).await
}

async fn add_addon_drain(
    State(s): St,
    Path((app, addon)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    add_drain(&s, target(&s, &app, Some(&addon))?, body).await
}

async fn delete_addon_drain(
    State(s): St,
    Path((app, addon)): Path<(String, String)>,
    uri: Uri,
    JsonBody(body): JsonBody,
) -> ApiResult {
    delete_drain(&s, target(&s, &app, Some(&addon))?, &uri, body).await
}

/// A logs URL for a source, carrying its own short-lived token.
fn logs_url_for(s: &Shared, headers: &HeaderMap, kind: &str, key: &str) -> String {
    let token = s.logs_tokens.issue(key, s.config.logs_url_ttl);
    format!(
        "{}/logs/{kind}/{key}/logs?token={token}&timestamp={}",
        origin(headers),
        s.clock.now_secs()
    )
}

async fn logs_url(State(s): St, Path(app): Path<String>, headers: HeaderMap) -> ApiResult {
    let app: &App = s.app(&app)?;
    let url = logs_url_for(&s, &headers, "apps", app.name);
    Ok(Json(json!({ "app": app.to_json(s.started), "logs_url": url })).into_response())
}

async fn addon_token(
    State(s): St,
    Path((app, addon)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let app = s.app(&app)?;
    let addon = app.addon(&addon).ok_or(ApiError::NotFound("addon"))?;
    // The token remembers a limited caller's role, so the database API can refuse its archives.
    let subject = if auth::is_limited(&s.bearers, &headers) {
        format!("{} {}", addon.id, auth::LIMITED)
    } else {
        addon.id.to_string()
    };
    let token = s.addon_tokens.issue(&subject, ADDON_TOKEN_TTL);
    let mut body = addon.to_json(app, s.started);
    body["token"] = json!(token);
    Ok(Json(json!({ "addon": body })).into_response())
}

/// What the addon token of a database API call grants (`"<addon id>"`, with the limited role
/// appended when a limited collaborator obtained it), after checking that it is a live token
/// for `addon`; 401 otherwise.
pub fn database_grant(s: &Shared, headers: &HeaderMap, addon: &str) -> Result<String, ApiError> {
    let token = auth::bearer(headers)
        .ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    let granted = s
        .addon_tokens
        .check(token)
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    if auth::addon_of(&granted) != addon {
        return Err(ApiError::Unauthorized(
            "token not valid for this database".into(),
        ));
    }
    Ok(granted)
}

/// `GET /db-api/api/databases/:addon_id/logs` with an addon token: a logs URL for the database.
pub async fn db_logs(State(s): St, Path(addon): Path<String>, headers: HeaderMap) -> ApiResult {
    database_grant(&s, &headers, &addon)?;
    Ok(Json(json!({ "url": logs_url_for(&s, &headers, "addons", &addon) })).into_response())
}

/// A positive integer parameter, clamped to `max`; 400 when it is not a positive integer.
pub fn positive(
    params: &HashMap<String, String>,
    key: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .map(|n| n.min(max))
            .ok_or_else(|| ApiError::BadRequest(format!("{key} must be a positive integer"))),
    }
}

async fn events(State(s): St, Path(app): Path<String>, uri: Uri) -> ApiResult {
    let app = s.app(&app)?;
    let q = params(&uri)?;
    let page = positive(&q, "page", 1, 1_000_000)?;
    let per_page = positive(&q, "per_page", 30, 1000)?;
    let history = s.history.read().unwrap_or_else(|e| e.into_inner());
    let all = history
        .events
        .get(app.name)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let total = all.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let slice: Vec<&Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let body = json!({
        "events": slice,
        "meta": { "pagination": {
            "current_page": page,
            "next_page": if page < total_pages { Some(page + 1) } else { None },
            "prev_page": if page > 1 { Some(page - 1) } else { None },
            "total_pages": total_pages,
            "total_count": total,
        }},
    });
    Ok(Json(body).into_response())
}

async fn audit_log(State(s): St, Path((app, id)): Path<(String, String)>) -> ApiResult {
    let app = s.app(&app)?;
    let history = s.history.read().unwrap_or_else(|e| e.into_inner());
    // Only an audit log that one of this app's run events points at belongs to the app.
    let owned = history.events.get(app.name).is_some_and(|events| {
        events
            .iter()
            .any(|e| e["type_data"]["audit_log_id"].as_str() == Some(id.as_str()))
    });
    match history.audit_logs.get(&id) {
        Some(log) if owned => Ok(raw_json(StatusCode::OK, log.to_string())),
        _ => Err(ApiError::NotFound("audit_log")),
    }
}
