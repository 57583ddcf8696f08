//! The built dashboard, served the way a static host would, optionally under a sub-path.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use crate::Shared;

/// The Content-Type of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file a URL path names inside the dist, refusing anything that would climb out of it.
fn resolve(root: &Path, rel: &str) -> Option<PathBuf> {
    let decoded = percent_decode(rel)?;
    if decoded.contains(['\\', '\0']) {
        return None;
    }
    let rel = Path::new(decoded.trim_start_matches('/'));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(rel))
}

fn plain_404() -> Response {
    (StatusCode::NOT_FOUND, "404 Not Found").into_response()
}

/// Everything no other route took: the dashboard's files, or 404.
pub async fn serve(State(s): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    let Some(root) = s.config.dist.as_deref() else {
        return plain_404();
    };
    let base = s.config.dist_path.as_str();
    let path = uri.path();
    if path == base.trim_end_matches('/') && base != "/" {
        return Redirect::permanent(base).into_response();
    }
    let Some(rel) = path.strip_prefix(base) else {
        return plain_404();
    };
    let Some(mut file) = resolve(root, rel) else {
        return plain_404();
    };
    let mut status = StatusCode::OK;
    if tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_dir()) {
        if !path.ends_with('/') {
            let target = match uri.query() {
                Some(q) => format!("{path}/?{q}"),
                None => format!("{path}/"),
            };
            return Redirect::permanent(&target).into_response();
        }
        file.push("index.html");
    }
    let body = match tokio::fs::read(&file).await {
        Ok(b) => b,
        Err(_) => {
            file = root.join("404.html");
            status = StatusCode::NOT_FOUND;
            match tokio::fs::read(&file).await {
                Ok(b) => b,
                Err(_) => return plain_404(),
            }
        }
    };
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(policy) = &s.config.csp {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let policy = policy
            .replace("{HOST}", host)
            .replace("{STORAGE}", &crate::archives::storage_origin(&headers));
        if let Ok(v) = HeaderValue::from_str(&policy) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_climb_out_of_the_dist() {
        let root = Path::new("/srv/dist");
        assert_eq!(resolve(root, "app.js"), Some(root.join("app.js")));
        assert_eq!(resolve(root, "../etc/passwd"), None);
        assert_eq!(resolve(root, "%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(root, "a%5c..%5cb"), None);
    }
}
