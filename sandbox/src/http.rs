//! Error answers in the contract's shapes, and a body extractor that never panics on input.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The largest request body accepted, as the issue asks.
pub const MAX_BODY: usize = 1024 * 1024;

/// Per-field validation messages, as a 422 carries them.
pub type FieldErrors = BTreeMap<&'static str, Vec<String>>;

/// Every error answer the sandbox gives, each rendered in the contract's body shape.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `{"error"}`.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `{"error"}`.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 `{"error"}`.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `{"resource","error":"not found"}`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 413 `{"error"}`.
    #[error("request body too large (the API accepts 1 MiB)")]
    TooLarge,
    /// 422 `{"errors":{field:[messages]}}`.
    #[error("validation failed")]
    Invalid(FieldErrors),
    /// 429, plain text `Retry later`.
    #[error("Retry later")]
    TooManyRequests,
    /// 500 with the contract's message.
    #[error("Internal error occured, we're on it!")]
    Internal,
    /// Any other status, injected by the fault admin.
    #[error("injected failure")]
    Injected(StatusCode),
}

impl ApiError {
    /// A 422 with one message on one field.
    pub fn field(field: &'static str, message: &str) -> Self {
        ApiError::Invalid(BTreeMap::from([(field, vec![message.to_string()])]))
    }

    /// The error for an injected status: the contract's body for 429 and 500, a generic one otherwise.
    pub fn for_status(status: StatusCode) -> Self {
        match status.as_u16() {
            429 => ApiError::TooManyRequests,
            500 => ApiError::Internal,
            _ => ApiError::Injected(status),
        }
    }
}

/// A JSON response with the given status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    raw_json(status, body.to_string())
}

/// A response whose body is already-serialized JSON, served byte for byte.
pub fn raw_json(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        match self {
            ApiError::BadRequest(_) => {
                json_response(StatusCode::BAD_REQUEST, &json!({ "error": message }))
            }
            ApiError::Unauthorized(_) => {
                json_response(StatusCode::UNAUTHORIZED, &json!({ "error": message }))
            }
            ApiError::Forbidden(_) => {
                json_response(StatusCode::FORBIDDEN, &json!({ "error": message }))
            }
            ApiError::NotFound(resource) => json_response(
                StatusCode::NOT_FOUND,
                &json!({ "resource": resource, "error": "not found" }),
            ),
            ApiError::TooLarge => {
                json_response(StatusCode::PAYLOAD_TOO_LARGE, &json!({ "error": message }))
            }
            ApiError::Invalid(errors) => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "errors": errors }),
            ),
            ApiError::TooManyRequests => {
                let mut res = (StatusCode::TOO_MANY_REQUESTS, "Retry later").into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                res
            }
            ApiError::Internal => json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({ "error": message }),
            ),
            ApiError::Injected(status) => json_response(
                status,
                &json!({ "error": status.canonical_reason().unwrap_or("injected failure") }),
            ),
        }
    }
}

/// The largest admin request body: test helpers inject megabyte lines, several at a time.
pub const ADMIN_MAX_BODY: usize = 64 * 1024 * 1024;

/// A request body parsed as JSON: `None` when empty, 400 when malformed, 413 when over `LIMIT` bytes.
#[derive(Debug)]
pub struct JsonBody<const LIMIT: usize = MAX_BODY>(pub Option<Value>);

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

impl<S: Send + Sync, const LIMIT: usize> FromRequest<S> for JsonBody<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if declared_length(req.headers()).is_some_and(|n| n > LIMIT as u64) {
            return Err(ApiError::TooLarge);
        }
        let bytes = axum::body::to_bytes(req.into_body(), LIMIT)
            .await
            .map_err(|_| ApiError::TooLarge)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(None));
        }
        serde_json::from_slice(&bytes)
            .map(|v| JsonBody(Some(v)))
            .map_err(|e| ApiError::BadRequest(format!("malformed JSON body: {e}")))
    }
}

/// The origin the client reached us on, so URLs work behind any name, port or reverse proxy.
///
/// `X-Forwarded-Host` (first value) wins over `Host`, as a proxy that rewrites `Host` sets it.
pub fn origin(headers: &HeaderMap) -> String {
    let valid = |h: &&str| !h.is_empty() && !h.contains(['/', ' ', '\\', '@', '?', '#']);
    let forwarded = headers
        .get("x-forwarded-host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(',').next())
        .map(str::trim)
        .filter(valid);
    let host = forwarded
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(valid)
        })
        .unwrap_or("127.0.0.1");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// An empty body, for 204 answers.
pub fn no_content() -> Response {
    (StatusCode::NO_CONTENT, Body::empty()).into_response()
}
