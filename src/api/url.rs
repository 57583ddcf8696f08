//! URL building: the only place that joins base URLs, paths and query strings.
//!
//! Percent-encoding is written here rather than taken from `percent-encoding` (in the build
//! already, through Leptos): that crate decodes a malformed escape such as `%G1` as literal
//! text, while a route read from the page URL must refuse it, and the encoder is a
//! dozen lines. The browser's `encodeURIComponent` is not used because these functions are
//! tested natively and shared with the route parser.

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes and `+` as space; `None` for malformed escapes or invalid UTF-8.
pub fn decode_component(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Joins `base` (no trailing slash needed) and `path` (starting with `/`), then appends `query`.
pub fn build(base: &str, path: &str, query: &[(&str, &str)]) -> String {
    let mut url = format!("{}{}", base.trim_end_matches('/'), path);
    append_query(&mut url, query);
    url
}

/// Appends `query` to a URL that may already have one (logs URLs carry their own token).
pub fn append_query(url: &mut String, query: &[(&str, &str)]) {
    for (i, (k, v)) in query.iter().enumerate() {
        let sep = if i == 0 && !url.contains('?') {
            '?'
        } else {
            '&'
        };
        url.push(sep);
        url.push_str(&encode_component(k));
        url.push('=');
        url.push_str(&encode_component(v));
    }
}

/// Percent-encodes one path segment (app names, addon ids, audit log ids).
pub fn segment(text: &str) -> String {
    encode_component(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn build_joins_base_path_and_encoded_query() {
        assert_eq!(
            build(
                "https://api.example/",
                "/v1/apps/a/log_drains",
                &[("url", "syslog://:t@h:1?x=y")]
            ),
            "https://api.example/v1/apps/a/log_drains?url=syslog%3A%2F%2F%3At%40h%3A1%3Fx%3Dy"
        );
    }

    #[test]
    fn append_query_extends_a_url_that_already_has_parameters() {
        let mut url = "https://logs.example/apps/a/logs?token=abc".to_owned();
        append_query(&mut url, &[("n", "100"), ("stream", "true")]);
        assert_eq!(
            url,
            "https://logs.example/apps/a/logs?token=abc&n=100&stream=true"
        );
    }

    #[test]
    fn malformed_escapes_do_not_decode() {
        assert_eq!(decode_component("%G1"), None);
        assert_eq!(decode_component("%4"), None);
        assert_eq!(decode_component("%FF"), None);
        assert_eq!(decode_component("a+b%20c").as_deref(), Some("a b c"));
    }

    proptest! {
        #[test]
        fn any_text_survives_encoding_and_decoding(text in ".*") {
            prop_assert_eq!(decode_component(&encode_component(&text)), Some(text));
        }
    }
}
