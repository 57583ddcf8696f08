//! Tokens the sandbox issues: bearer JWTs, logs URL tokens and addon tokens, each with an expiry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap};
use serde_json::json;

use crate::logs::lock;
use crate::{clock, rng};

/// The subject of bearers issued for the limited collaborator's API token (`--limited-token`).
pub const LIMITED: &str = "limited";

/// Whether the request's bearer was issued for the limited collaborator's token.
pub fn is_limited(bearers: &TokenStore, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|t| matches!(bearers.check(t).as_deref(), Ok(LIMITED)))
}

/// The addon an addon token's subject grants: `ADDON_ID`, or `ADDON_ID limited` when a limited
/// collaborator asked for it.
pub fn addon_of(subject: &str) -> &str {
    subject.split(' ').next().unwrap_or_default()
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    /// Never issued by this process.
    #[error("invalid token")]
    Unknown,
    /// Issued, but its lifetime is over.
    #[error("token expired")]
    Expired,
}

/// Issued tokens and what each grants, until it expires.
///
/// Remembering tokens is simpler than signing them, and the sandbox only has to recognise its own.
#[derive(Debug, Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl TokenStore {
    /// Stores `token` granting `subject` for `ttl`.
    pub fn insert(&self, token: String, subject: String, ttl: Duration) {
        let now = Instant::now();
        let mut map = lock(&self.tokens);
        // Expired tokens are dropped as new ones arrive, so the map stays small over long runs;
        // they stay a while after expiry so their holders hear "expired" rather than "invalid".
        map.retain(|_, (_, until)| now < *until + Duration::from_secs(3600));
        map.insert(token, (subject, now + ttl));
    }

    /// A fresh random token granting `subject` for `ttl`.
    pub fn issue(&self, subject: &str, ttl: Duration) -> String {
        let token = rng::token();
        self.insert(token.clone(), subject.to_string(), ttl);
        token
    }

    /// What the token grants, if it is known and alive.
    pub fn check(&self, token: &str) -> Result<String, TokenError> {
        match lock(&self.tokens).get(token) {
            None => Err(TokenError::Unknown),
            Some((_, until)) if Instant::now() >= *until => Err(TokenError::Expired),
            Some((subject, _)) => Ok(subject.clone()),
        }
    }
}

/// A JWT whose payload carries `exp`, `iat` and `sub`, as go-scalingo reads them.
pub fn jwt(ttl: Duration) -> String {
    let iat = clock::now_secs();
    let header = json!({ "alg": "HS256", "typ": "JWT" });
    let payload = json!({
        "iat": iat,
        "exp": iat + ttl.as_secs().max(1) as i64,
        "sub": "us-0e3f5c2a-1d4b-4c7e-8a9f-2b6d0e1c3a5f",
        "iss": "scalingo-sandbox",
    });
    let signature = [
        rng::secret_u64(),
        rng::secret_u64(),
        rng::secret_u64(),
        rng::secret_u64(),
    ]
    .iter()
    .flat_map(|n| n.to_le_bytes())
    .collect::<Vec<u8>>();
    format!(
        "{}.{}.{}",
        rng::base64url(header.to_string().as_bytes()),
        rng::base64url(payload.to_string().as_bytes()),
        rng::base64url(&signature)
    )
}

/// The password of an HTTP Basic `Authorization` header.
pub fn basic_password(header: &str) -> Option<String> {
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64_decode(encoded.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':').map(|(_, p)| p.to_string())
}

/// The token of a request's `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = s.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_gives_the_password_after_an_empty_user() {
        // ":tk-us-sandbox" in base64.
        assert_eq!(
            basic_password("Basic OnRrLXVzLXNhbmRib3g=").as_deref(),
            Some("tk-us-sandbox")
        );
        assert_eq!(basic_password("Basic !!!"), None);
    }

    #[test]
    fn expired_tokens_are_told_apart_from_unknown_ones() {
        let store = TokenStore::default();
        let live = store.issue("a", Duration::from_secs(60));
        let dead = store.issue("b", Duration::ZERO);
        assert_eq!(store.check(&live), Ok("a".into()));
        assert_eq!(store.check(&dead), Err(TokenError::Expired));
        assert_eq!(store.check("nope"), Err(TokenError::Unknown));
    }

    #[test]
    fn a_jwt_has_three_segments_and_an_exp_claim() {
        let token = jwt(Duration::from_secs(3600));
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let payload = base64_decode(parts[1]).expect("base64url");
        let v: serde_json::Value = serde_json::from_slice(&payload).expect("json");
        assert!(v["exp"].as_i64() > v["iat"].as_i64());
    }
}
