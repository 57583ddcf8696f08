//! Runtime configuration: `config.json` beside `index.html`, overridden by `data-*`
//! attributes on the element the app mounts into.
//!
//! The same built files can then be pointed at the sandbox, the real Scalingo API or an
//! internal portal's proxy without a rebuild. This module is pure: the browser layer
//! (`crate::boot`) fetches the file, reads the attributes and resolves relative URLs.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// How requests are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// The user gives a Scalingo API token, exchanged for a short-lived bearer.
    Token,
    /// A same-origin reverse proxy authenticates: the dashboard sends no credentials.
    Proxy,
}

/// Where the current view lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutingMode {
    /// In the URL fragment (`#/apps/example-app/logs`): deep links work on any static host.
    Hash,
    /// In memory only, for portals that own the page URL themselves.
    Memory,
}

/// One configuration layer as written by a person: every field optional.
///
/// `config.json` may hold only these fields: a misspelt one is reported, not ignored
/// (`deny_unknown_fields`; serde's message lists the fields, and serde_json adds the
/// position). A repeated field is refused too; `null` counts as unset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Fixed API base URL; when set, no region list is fetched.
    pub api_url: Option<String>,
    /// Auth service base URL (token exchange and regions).
    pub auth_url: Option<String>,
    /// Database API base URL, for addon logs, when `api_url` is fixed.
    pub database_api_url: Option<String>,
    /// `token` or `proxy`.
    pub auth_mode: Option<String>,
    /// Region preselected on the login form.
    pub default_region: Option<String>,
    /// `hash` or `memory`.
    pub routing: Option<String>,
    /// How many lines the log viewer keeps; a number in `config.json`, text in an attribute.
    #[serde(default, deserialize_with = "number_or_text")]
    pub log_buffer_lines: Option<String>,
    /// How many lines a history range (or an opened file) may load; as `log_buffer_lines`.
    #[serde(default, deserialize_with = "number_or_text")]
    pub history_buffer_lines: Option<String>,
}

/// `log_buffer_lines` accepts `50000` as well as `"50000"`, so that the file can say it
/// naturally and the attribute layer (always text) merges with it.
fn number_or_text<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    struct NumberOrText;
    impl Visitor<'_> for NumberOrText {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number or a string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            Ok(Some(n.to_string()))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Some(text.to_owned()))
        }
    }
    de.deserialize_any(NumberOrText)
}

/// The log viewer's buffer, in lines: the default and the accepted range.
pub const LOG_BUFFER_LINES: std::ops::RangeInclusive<usize> = 1_000..=1_000_000;
/// How many lines the log viewer keeps when nothing is configured.
pub const DEFAULT_LOG_BUFFER_LINES: usize = 50_000;
/// The history buffer, in lines (a range's archives, an opened file): the accepted range.
pub const HISTORY_BUFFER_LINES: std::ops::RangeInclusive<usize> = 1_000..=5_000_000;
/// How many lines a history range may load when nothing is configured: about 130 MB of
/// wasm memory for a million typical lines (see `cargo xtask bench-history`).
pub const DEFAULT_HISTORY_BUFFER_LINES: usize = 1_000_000;

/// A configuration mistake, shown on the start-up screen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid JSON of the expected shape.
    #[error("config.json is invalid: {0}")]
    InvalidFile(String),
    /// A field has a value outside its known set.
    #[error("{field} must be one of {allowed}, not \"{value}\"")]
    InvalidValue {
        /// The offending field.
        field: &'static str,
        /// What was given.
        value: String,
        /// What is accepted.
        allowed: &'static str,
    },
    /// A number outside its accepted range, or not a number.
    #[error("{field} must be a whole number from {min} to {max}, not \"{value}\"")]
    OutOfRange {
        /// The offending field.
        field: &'static str,
        /// What was given.
        value: String,
        /// The smallest accepted value.
        min: usize,
        /// The largest accepted value.
        max: usize,
    },
    /// Proxy mode without an API URL cannot reach anything.
    #[error("auth_mode \"proxy\" needs api_url: the path of the authenticating proxy")]
    ProxyWithoutApiUrl,
}

/// The effective configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Fixed API base URL, if any.
    pub api_url: Option<String>,
    /// Auth service base URL.
    pub auth_url: String,
    /// Database API base URL, if fixed.
    pub database_api_url: Option<String>,
    /// How requests are authenticated.
    pub auth_mode: AuthMode,
    /// Region preselected on the login form.
    pub default_region: Option<String>,
    /// Where the current view lives.
    pub routing: RoutingMode,
    /// How many lines the log viewer keeps before dropping the oldest.
    pub log_buffer_lines: usize,
    /// How many lines a history range or an opened file may load.
    pub history_buffer_lines: usize,
}

/// The public Scalingo auth service, used when nothing else is configured.
pub const DEFAULT_AUTH_URL: &str = "https://auth.scalingo.com";

impl RawConfig {
    /// Parses a `config.json` document: one JSON object of the fields above.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        // serde would also read the struct from an array of its values.
        if !text.trim_start().starts_with('{') {
            return Err(ConfigError::InvalidFile(
                "expected an object of settings, e.g. {\"auth_url\": \"/auth\"}".into(),
            ));
        }
        serde_json::from_str(text).map_err(|e| ConfigError::InvalidFile(e.to_string()))
    }

    /// Reads the `data-*` attributes of the mount element (names as in HTML, e.g. `data-api-url`).
    pub fn from_attributes<'a>(attrs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut raw = Self::default();
        for (name, value) in attrs {
            let slot = match name {
                "data-api-url" => &mut raw.api_url,
                "data-auth-url" => &mut raw.auth_url,
                "data-database-api-url" => &mut raw.database_api_url,
                "data-auth-mode" => &mut raw.auth_mode,
                "data-default-region" => &mut raw.default_region,
                "data-routing" => &mut raw.routing,
                "data-log-buffer-lines" => &mut raw.log_buffer_lines,
                "data-history-buffer-lines" => &mut raw.history_buffer_lines,
                _ => continue,
            };
            *slot = Some(value.to_owned());
        }
        raw
    }

    /// Lays `over` on top of `self`: every field `over` sets wins.
    pub fn overlay(self, over: RawConfig) -> RawConfig {
        RawConfig {
            api_url: over.api_url.or(self.api_url),
            auth_url: over.auth_url.or(self.auth_url),
            database_api_url: over.database_api_url.or(self.database_api_url),
            auth_mode: over.auth_mode.or(self.auth_mode),
            default_region: over.default_region.or(self.default_region),
            routing: over.routing.or(self.routing),
            log_buffer_lines: over.log_buffer_lines.or(self.log_buffer_lines),
            history_buffer_lines: over.history_buffer_lines.or(self.history_buffer_lines),
        }
    }

    /// Validates the layered values into a [`Config`]. Blank strings count as unset.
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let auth_mode = match clean(self.auth_mode).as_deref() {
            None | Some("token") => AuthMode::Token,
            Some("proxy") => AuthMode::Proxy,
            Some(other) => {
                return Err(ConfigError::InvalidValue {
                    field: "auth_mode",
                    value: other.to_owned(),
                    allowed: "\"token\" or \"proxy\"",
                })
            }
        };
        let routing = match clean(self.routing).as_deref() {
            None | Some("hash") => RoutingMode::Hash,
            Some("memory") => RoutingMode::Memory,
            Some(other) => {
                return Err(ConfigError::InvalidValue {
                    field: "routing",
                    value: other.to_owned(),
                    allowed: "\"hash\" or \"memory\"",
                })
            }
        };
        let lines = |field: &'static str,
                     value: Option<String>,
                     default: usize,
                     range: std::ops::RangeInclusive<usize>| match clean(value)
        {
            None => Ok(default),
            Some(text) => text
                .replace(['_', ','], "")
                .parse::<usize>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or(ConfigError::OutOfRange {
                    field,
                    value: text,
                    min: *range.start(),
                    max: *range.end(),
                }),
        };
        let log_buffer_lines = lines(
            "log_buffer_lines",
            self.log_buffer_lines,
            DEFAULT_LOG_BUFFER_LINES,
            LOG_BUFFER_LINES,
        )?;
        let history_buffer_lines = lines(
            "history_buffer_lines",
            self.history_buffer_lines,
            DEFAULT_HISTORY_BUFFER_LINES,
            HISTORY_BUFFER_LINES,
        )?;
        let api_url = clean(self.api_url).map(|u| trim_slash(&u));
        if auth_mode == AuthMode::Proxy && api_url.is_none() {
            return Err(ConfigError::ProxyWithoutApiUrl);
        }
        Ok(Config {
            api_url,
            auth_url: trim_slash(&clean(self.auth_url).unwrap_or_else(|| DEFAULT_AUTH_URL.into())),
            database_api_url: clean(self.database_api_url).map(|u| trim_slash(&u)),
            auth_mode,
            default_region: clean(self.default_region),
            routing,
            log_buffer_lines,
            history_buffer_lines,
        })
    }
}

impl Config {
    /// Applies `resolve` to every URL field, e.g. to make relative paths absolute.
    pub fn map_urls(mut self, resolve: impl Fn(&str) -> String) -> Self {
        self.api_url = self.api_url.map(|u| trim_slash(&resolve(&u)));
        self.auth_url = trim_slash(&resolve(&self.auth_url));
        self.database_api_url = self.database_api_url.map(|u| trim_slash(&resolve(&u)));
        self
    }
}

fn trim_slash(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_configuration_talks_to_the_public_scalingo_auth_service() {
        let config = RawConfig::default().resolve().unwrap();
        assert_eq!(config.auth_url, DEFAULT_AUTH_URL);
        assert_eq!(config.auth_mode, AuthMode::Token);
        assert_eq!(config.routing, RoutingMode::Hash);
        assert_eq!(config.api_url, None);
    }

    #[test]
    fn data_attributes_override_the_config_file_field_by_field() {
        let file = RawConfig::from_json(
            r#"{"auth_url":"/auth","default_region":"osc-fr1","api_url":"https://api.example/"}"#,
        )
        .unwrap();
        let attrs = RawConfig::from_attributes([
            ("data-default-region", "osc-secnum-fr1"),
            ("class", "ignored"),
            ("data-unknown", "ignored"),
        ]);
        let config = file.overlay(attrs).resolve().unwrap();
        assert_eq!(config.default_region.as_deref(), Some("osc-secnum-fr1"));
        assert_eq!(config.auth_url, "/auth");
        assert_eq!(config.api_url.as_deref(), Some("https://api.example"));
    }

    #[test]
    fn proxy_mode_requires_an_api_url() {
        let raw = RawConfig::from_attributes([("data-auth-mode", "proxy")]);
        assert_eq!(raw.resolve(), Err(ConfigError::ProxyWithoutApiUrl));
        let raw =
            RawConfig::from_attributes([("data-auth-mode", "proxy"), ("data-api-url", "/proxy")]);
        assert_eq!(raw.resolve().unwrap().auth_mode, AuthMode::Proxy);
    }

    #[test]
    fn unknown_modes_and_fields_are_reported_not_ignored() {
        let err = RawConfig::from_attributes([("data-auth-mode", "oauth")])
            .resolve()
            .unwrap_err();
        assert!(err.to_string().contains("oauth"));
        assert!(RawConfig::from_json(r#"{"api_ur":"x"}"#).is_err());
        assert!(RawConfig::from_json("not json").is_err());
    }

    #[test]
    fn config_file_mistakes_are_reported_with_their_position() {
        let err = |text: &str| RawConfig::from_json(text).unwrap_err().to_string();
        assert_eq!(
            err(r#"{"api_ur":"x"}"#),
            "config.json is invalid: unknown field `api_ur`, expected one of `api_url`, \
             `auth_url`, `database_api_url`, `auth_mode`, `default_region`, `routing`, \
             `log_buffer_lines`, `history_buffer_lines` at line 1 column 9"
        );
        assert!(err("{\n  \"routing\": \"hash\",\n  \"foo\": 1\n}").ends_with("at line 3 column 7"));
        assert_eq!(
            err(r#"{"api_url":"a","api_url":"b"}"#),
            "config.json is invalid: duplicate field `api_url` at line 1 column 24"
        );
        assert_eq!(
            err(r#"{"api_url":5}"#),
            "config.json is invalid: invalid type: integer `5`, expected a string at line 1 column 12"
        );
        assert_eq!(
            err(r#"{"log_buffer_lines":true}"#),
            "config.json is invalid: invalid type: boolean `true`, expected a whole number or a \
             string at line 1 column 24"
        );
        assert!(err("[]").contains("expected an object"));
        assert!(
            err(r#"["x","y","z","token","osc-fr1","hash","1000"]"#).contains("expected an object")
        );
        assert!(err(r#"{"api_url":"x"} x"#).ends_with("trailing characters at line 1 column 17"));
        let nulls = RawConfig::from_json(r#"{"api_url":null,"log_buffer_lines":"1000"}"#).unwrap();
        assert_eq!(nulls.api_url, None);
        assert_eq!(nulls.log_buffer_lines.as_deref(), Some("1000"));
        let unset = RawConfig::from_json(r#"{"log_buffer_lines":null}"#).unwrap();
        assert_eq!(unset, RawConfig::default());
    }

    #[test]
    fn a_deeply_nested_config_file_is_refused_not_a_stack_overflow() {
        let deep = format!(r#"{{"api_url":{}"#, "[".repeat(100_000));
        let err = RawConfig::from_json(&deep).unwrap_err().to_string();
        // Every field is text, so serde_json refuses the first `[` without descending.
        assert!(err.contains("invalid type: sequence"), "{err}");
    }

    #[test]
    fn blank_values_count_as_unset() {
        let raw = RawConfig::from_attributes([("data-auth-url", "  "), ("data-routing", "")]);
        let config = raw.resolve().unwrap();
        assert_eq!(config.auth_url, DEFAULT_AUTH_URL);
        assert_eq!(config.routing, RoutingMode::Hash);
    }

    #[test]
    fn the_log_buffer_size_comes_from_the_file_or_an_attribute_within_its_range() {
        let default = RawConfig::default().resolve().unwrap();
        assert_eq!(default.log_buffer_lines, DEFAULT_LOG_BUFFER_LINES);
        assert_eq!(default.history_buffer_lines, DEFAULT_HISTORY_BUFFER_LINES);
        let history = RawConfig::from_json(r#"{"history_buffer_lines":"2,000,000"}"#).unwrap();
        assert_eq!(history.resolve().unwrap().history_buffer_lines, 2_000_000);
        assert!(RawConfig::from_json(r#"{"history_buffer_lines":10}"#)
            .unwrap()
            .resolve()
            .is_err());
        let file = RawConfig::from_json(r#"{"log_buffer_lines":200000}"#).unwrap();
        assert_eq!(file.clone().resolve().unwrap().log_buffer_lines, 200_000);
        let attr = RawConfig::from_attributes([("data-log-buffer-lines", "5,000")]);
        assert_eq!(
            file.overlay(attr).resolve().unwrap().log_buffer_lines,
            5_000
        );
        for bad in ["10", "2000000", "lots", "-5"] {
            let err = RawConfig::from_attributes([("data-log-buffer-lines", bad)])
                .resolve()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "log_buffer_lines must be a whole number from 1000 to 1000000, not \"{bad}\""
                )
            );
        }
        assert!(RawConfig::from_json(r#"{"log_buffer_lines":-1}"#).is_err());
    }

    #[test]
    fn map_urls_resolves_every_url_and_drops_trailing_slashes() {
        let config = RawConfig::from_json(r#"{"auth_url":"/auth/","api_url":"api"}"#)
            .unwrap()
            .resolve()
            .unwrap()
            .map_urls(|u| format!("https://cdn.example/tools/{}", u.trim_start_matches('/')));
        assert_eq!(config.auth_url, "https://cdn.example/tools/auth");
        assert_eq!(
            config.api_url.as_deref(),
            Some("https://cdn.example/tools/api")
        );
    }
}
