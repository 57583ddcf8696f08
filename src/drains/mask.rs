//! What a drain URL says: which provider it points to, and how to show it without its secrets.
//!
//! Drain URLs embed credentials (`ovh://:TOKEN@host`, `datadog://TOKEN?region=eu`,
//! `https://user:password@logstash`, Logentries tokens in the path). The list shows them only
//! through [`mask_url`], the one place that decides what is secret.

use super::model::Provider;

/// What the list can tell about a drain from its URL alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainKind {
    /// A URL whose shape belongs to one provider.
    Known(Provider),
    /// `tcp+tls://host:port`: Papertrail and syslog without a token build the same URL.
    SyslogTls,
    /// A scheme the dashboard does not know.
    Other,
}

impl DrainKind {
    /// The name shown in the list.
    pub fn label(self) -> &'static str {
        match self {
            DrainKind::Known(p) => p.label(),
            DrainKind::SyslogTls => "Syslog TLS / Papertrail",
            DrainKind::Other => "Other",
        }
    }
}

/// The parts of `scheme://authority/rest` that masking and detection need.
pub(super) struct Parts<'a> {
    /// Lower-cased scheme, without `://`.
    pub scheme: String,
    /// Everything before the last `@` of the authority, if there is one.
    pub userinfo: Option<&'a str>,
    /// Host and port.
    pub host_port: &'a str,
    /// Path, query and fragment, starting with `/`, `?` or `#` (or empty).
    pub rest: &'a str,
}

pub(super) fn parts(url: &str) -> Option<Parts<'_>> {
    let (scheme, after) = url.split_once("://")?;
    let authority_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(authority_end);
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    Some(Parts {
        scheme: scheme.to_ascii_lowercase(),
        userinfo,
        host_port,
        rest,
    })
}

pub(super) fn host_of(host_port: &str) -> String {
    let host = if host_port.starts_with('[') {
        host_port
            .split_once(']')
            .map_or(host_port, |(h, _)| h.trim_start_matches('['))
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

pub(super) fn host_is(host: &str, domain: &str) -> bool {
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// Recognises the provider of a drain from its URL's scheme and host.
pub fn detect_provider(url: &str) -> DrainKind {
    let Some(p) = parts(url.trim()) else {
        return DrainKind::Other;
    };
    let host = host_of(p.host_port);
    match p.scheme.as_str() {
        "datadog" => DrainKind::Known(Provider::Datadog),
        "ovh" => DrainKind::Known(Provider::OvhGraylog),
        "appsignal" => DrainKind::Known(Provider::AppSignal),
        "syslog" => DrainKind::Known(Provider::Syslog),
        "tcp+tls" if host_is(&host, "papertrailapp.com") => DrainKind::Known(Provider::Papertrail),
        "tcp+tls" => DrainKind::SyslogTls,
        "http" | "https" if host_is(&host, "logentries.com") => {
            DrainKind::Known(Provider::Logentries)
        }
        "http" | "https" if host_is(&host, "betterstackdata.com") => {
            DrainKind::Known(Provider::BetterStack)
        }
        // The server builds Better Stack drains as `https://:TOKEN@HOST`: a password and no user.
        "https"
            if p.userinfo
                .is_some_and(|u| u.starts_with(':') && u.len() > 1) =>
        {
            DrainKind::Known(Provider::BetterStack)
        }
        "http" | "https" => DrainKind::Known(Provider::Elk),
        _ => DrainKind::Other,
    }
}

/// The bullets that replace a secret.
pub const MASK: &str = "••••";

/// Hides a secret, keeping its last four characters when it is long enough that they do not
/// give it away, so that users can still tell two drains apart.
fn mask_secret(secret: &str) -> String {
    let count = secret.chars().count();
    if count >= 16 {
        let tail: String = secret.chars().skip(count - 4).collect();
        format!("{MASK}{tail}")
    } else {
        MASK.to_owned()
    }
}

/// Query parameters whose value is a credential, matched on lower-cased names.
fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "key",
        "secret",
        "pass",
        "auth",
        "sig",
        "credential",
    ]
    .iter()
    .any(|needle| name.contains(needle))
}

/// The URL with every credential it carries hidden: userinfo passwords and tokens, the
/// Datadog token in host position, the Logentries token in the path, secret-looking query
/// values. Text that is not a URL is masked conservatively.
pub fn mask_url(url: &str) -> String {
    let Some(p) = parts(url) else {
        return mask_opaque(url);
    };
    let scheme_len = url.find("://").unwrap_or(0);
    let mut out = String::with_capacity(url.len());
    out.push_str(&url[..scheme_len + 3]);
    if let Some(userinfo) = p.userinfo {
        match userinfo.split_once(':') {
            // `user:password@`: the user name helps tell drains apart, the password never shows.
            Some((user, password)) => {
                out.push_str(user);
                out.push(':');
                out.push_str(&mask_secret(password));
            }
            // A lone userinfo is a token (`https://TOKEN@host`).
            None => out.push_str(&mask_secret(userinfo)),
        }
        out.push('@');
    }
    if p.scheme == "datadog" {
        // `datadog://TOKEN?region=eu`: the host position holds the API key.
        out.push_str(&mask_secret(p.host_port));
    } else {
        out.push_str(p.host_port);
    }
    let (path, query_and_fragment) = match p.rest.find(['?', '#']) {
        Some(i) => p.rest.split_at(i),
        None => (p.rest, ""),
    };
    if host_is(&host_of(p.host_port), "logentries.com") {
        // `/noformat/logs/TOKEN`: the last non-empty segment is the token.
        let trimmed = path.trim_end_matches('/');
        match trimmed.rsplit_once('/') {
            Some((head, token)) if !token.is_empty() => {
                out.push_str(head);
                out.push('/');
                out.push_str(&mask_secret(token));
                out.push_str(&path[trimmed.len()..]);
            }
            _ => out.push_str(path),
        }
    } else {
        out.push_str(path);
    }
    let (query, fragment) = match query_and_fragment.find('#') {
        Some(i) => query_and_fragment.split_at(i),
        None => (query_and_fragment, ""),
    };
    if let Some(query) = query.strip_prefix('?') {
        out.push('?');
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if is_secret_param(k) && !v.is_empty() => {
                    format!("{k}={}", mask_secret(v))
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&masked.join("&"));
    }
    if !fragment.is_empty() {
        // Fragments are never sent to a server, so one in a drain URL can only be a mistake
        // that may well hold a secret.
        out.push('#');
        out.push_str(MASK);
    }
    out
}

/// Masks text without `://`: anything before an `@` may be a credential.
fn mask_opaque(text: &str) -> String {
    match text.rsplit_once('@') {
        Some((_, host)) => format!("{MASK}@{host}"),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_url_the_server_builds_is_recognised() {
        let cases = [
            (
                "appsignal://:tok@appsignal-endpoint.net:6514",
                DrainKind::Known(Provider::AppSignal),
            ),
            (
                "https://:tok@abcdef.eu-nbg-2.betterstackdata.com",
                DrainKind::Known(Provider::BetterStack),
            ),
            (
                "https://:tok@in.logs.example",
                DrainKind::Known(Provider::BetterStack),
            ),
            (
                "datadog://5af97be7-34e5-47b6-a016-8d0001228ffb?region=eu-west-2",
                DrainKind::Known(Provider::Datadog),
            ),
            (
                "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io",
                DrainKind::Known(Provider::Elk),
            ),
            ("http://10.0.0.1:8080/", DrainKind::Known(Provider::Elk)),
            (
                "https://webhook.logentries.com/noformat/logs/5af97be7-34e5-47b6-a016-8d0001228ffb",
                DrainKind::Known(Provider::Logentries),
            ),
            (
                "ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514",
                DrainKind::Known(Provider::OvhGraylog),
            ),
            (
                "tcp+tls://logs2.papertrailapp.com:12345",
                DrainKind::Known(Provider::Papertrail),
            ),
            ("tcp+tls://custom.logstash.com:12345", DrainKind::SyslogTls),
            (
                "syslog://:5af97b34e547b6a016@custom.logs.com:1234",
                DrainKind::Known(Provider::Syslog),
            ),
            (
                "SYSLOG://custom.logs.com:1234",
                DrainKind::Known(Provider::Syslog),
            ),
            ("udp://logs.example:514", DrainKind::Other),
            ("not a url", DrainKind::Other),
            ("", DrainKind::Other),
        ];
        for (url, kind) in cases {
            assert_eq!(detect_provider(url), kind, "{url}");
        }
        assert_eq!(DrainKind::SyslogTls.label(), "Syslog TLS / Papertrail");
        assert_eq!(DrainKind::Other.label(), "Other");
    }

    #[test]
    fn the_seed_urls_are_masked_where_their_secrets_are() {
        assert_eq!(
            mask_url("ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514"),
            "ovh://:••••8ffb@tag1.logs.ovh.com:6514"
        );
        assert_eq!(
            mask_url("datadog://5af97be7-34e5-47b6-a016-8d0001228ffb?region=eu-west-2"),
            "datadog://••••8ffb?region=eu-west-2"
        );
        assert_eq!(
            mask_url("https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io"),
            "https://my-user:••••@logstash-app-name.osc-fr1.scalingo.io"
        );
        assert_eq!(
            mask_url(
                "https://webhook.logentries.com/noformat/logs/5af97be7-34e5-47b6-a016-8d0001228ffb"
            ),
            "https://webhook.logentries.com/noformat/logs/••••8ffb"
        );
        assert_eq!(
            mask_url("syslog://:5af97b34e547b6a016@custom.logs.com:1234"),
            "syslog://:••••a016@custom.logs.com:1234"
        );
        assert_eq!(
            mask_url("tcp+tls://logs2.papertrailapp.com:12345"),
            "tcp+tls://logs2.papertrailapp.com:12345"
        );
    }

    #[test]
    fn secret_query_values_and_fragments_are_masked_and_others_kept() {
        assert_eq!(
            mask_url("https://elk.example/in?appname=x&api_key=abcdefgh&X-Token=12345678#s3cr3t"),
            "https://elk.example/in?appname=x&api_key=••••&X-Token=••••#••••"
        );
    }

    #[test]
    fn short_secrets_are_masked_entirely() {
        assert_eq!(mask_url("ovh://:abc@h:6514"), "ovh://:••••@h:6514");
        assert_eq!(mask_url("https://tok@h"), "https://••••@h");
    }

    #[test]
    fn text_that_is_not_a_url_keeps_nothing_before_an_at_sign() {
        assert_eq!(mask_url("user:secretpw@host:514"), "••••@host:514");
        assert_eq!(mask_url("plain"), "plain");
    }

    fn templates() -> Vec<&'static str> {
        vec![
            "appsignal://:{T}@appsignal-endpoint.net:6514",
            "https://:{T}@abcdef.eu-nbg-2.betterstackdata.com",
            "datadog://{T}?region=eu",
            "https://user:{T}@logstash.example.com",
            "https://{T}@logstash.example.com/path",
            "http://logstash.example.com/in?token={T}&app=x",
            "https://logstash.example.com/?api_key={T}",
            "https://webhook.logentries.com/noformat/logs/{T}",
            "https://webhook.logentries.com/noformat/logs/{T}/",
            "ovh://:{T}@tag1.logs.ovh.com:6514",
            "syslog://:{T}@custom.logs.com:1234",
        ]
    }

    proptest! {
        #[test]
        fn masking_never_leaves_a_token_visible(token in "[A-Za-z0-9_~-]{8,64}", i in 0usize..11) {
            let url = templates()[i].replace("{T}", &token);
            let masked = mask_url(&url);
            prop_assert!(!masked.contains(&token), "{} -> {}", url, masked);
            // And the provider is still recognised from what is left.
            let kind = detect_provider(&url);
            prop_assert_eq!(detect_provider(&masked), kind);
        }

        #[test]
        fn masking_keeps_urls_without_secrets_unchanged(host in "[a-z]{1,10}\\.[a-z]{2,5}", port in 1u16..) {
            let url = format!("tcp+tls://{host}:{port}");
            prop_assert_eq!(mask_url(&url), url);
        }

        #[test]
        fn masking_and_detection_never_panic(url in ".*") {
            let _ = mask_url(&url);
            let _ = detect_provider(&url);
        }
    }
}
