//! Reading a bearer's expiry, so it is refreshed before it lapses (as go-scalingo does).
//!
//! The base64 below is written here although the `base64` crate is in the build already
//! (through Leptos's server functions): using its engines for these two calls measured
//! +2.5 KB gzipped (359,955 → 362,506 B), over the bundle's 360 KB ceiling, for what is two
//! short loops tested below. The browser's `atob`/`btoa` would cost nothing but handle only
//! Latin-1 text and cannot run in the native tests.

use serde::Deserialize;

/// The one claim the client reads; the others are skipped.
#[derive(Deserialize)]
struct Claims {
    exp: Option<f64>,
}

/// Refresh when fewer than this many seconds are left.
pub const REFRESH_MARGIN_SECS: f64 = 300.0;

/// The `exp` claim (Unix seconds) of a JWT, if it has a readable one.
pub fn expiry(jwt: &str) -> Option<f64> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = decode_base64url(payload)?;
    serde_json::from_slice::<Claims>(&bytes).ok()?.exp
}

/// Whether a bearer expiring at `exp` must be refreshed at `now` (both Unix seconds).
/// A token without a readable expiry is used until the server refuses it.
pub fn needs_refresh(exp: Option<f64>, now: f64) -> bool {
    exp.is_some_and(|exp| exp - now < REFRESH_MARGIN_SECS)
}

/// The `Authorization` value of the token exchange: Basic auth, empty user, token as password.
pub fn basic_auth(api_token: &str) -> String {
    format!(
        "Basic {}",
        encode_base64(format!(":{api_token}").as_bytes())
    )
}

/// Standard padded base64.
pub fn encode_base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes unpadded (or padded) base64url.
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"alg":"HS256"} . {"exp":1700003600,"sub":"u"} . sig
    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDM2MDAsInN1YiI6InUifQ.c2ln";

    #[test]
    fn the_expiry_claim_is_read_from_the_payload() {
        assert_eq!(expiry(JWT), Some(1_700_003_600.0));
    }

    #[test]
    fn a_bearer_is_refreshed_within_five_minutes_of_expiry() {
        let exp = expiry(JWT);
        assert!(!needs_refresh(exp, 1_700_000_000.0));
        assert!(needs_refresh(exp, 1_700_003_400.0));
        assert!(needs_refresh(exp, 1_800_000_000.0));
        assert!(!needs_refresh(None, 1_800_000_000.0));
    }

    #[test]
    fn garbage_tokens_have_no_expiry() {
        assert_eq!(expiry("not-a-jwt"), None);
        assert_eq!(expiry("a.!!!.c"), None);
        assert_eq!(expiry("a.bm90IGpzb24.c"), None);
        // {"exp":"soon"} and {"sub":"u"}: a claim of the wrong type, or none.
        assert_eq!(expiry("a.eyJleHAiOiJzb29uIn0.c"), None);
        assert_eq!(expiry("a.eyJzdWIiOiJ1In0.c"), None);
    }

    #[test]
    fn the_token_exchange_sends_the_api_token_as_basic_password() {
        assert_eq!(basic_auth("tk-us-sandbox"), "Basic OnRrLXVzLXNhbmRib3g=");
        assert_eq!(encode_base64(b"ab"), "YWI=");
        assert_eq!(encode_base64(b"a"), "YQ==");
        assert_eq!(encode_base64(b""), "");
    }

    #[test]
    fn base64url_decodes_with_and_without_padding() {
        assert_eq!(decode_base64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(decode_base64url("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64url("-_8").unwrap(), vec![0xfb, 0xff]);
    }
}
