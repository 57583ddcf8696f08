//! Log drains: provider validation, the URLs the server builds, and the persisted store.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{ApiError, FieldErrors};

const BLANK: &str = "can't be blank";
const INVALID: &str = "is invalid";
const BAD_PORT: &str = "must be between 1 and 65535";

/// The drain providers of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// `appsignal://:TOKEN@HOST:PORT`.
    Appsignal,
    /// `https://:TOKEN@HOST`.
    Betterstack,
    /// `datadog://TOKEN?region=REGION`.
    Datadog,
    /// The URL as given.
    Elk,
    /// `https://webhook.logentries.com/noformat/logs/TOKEN` (legacy).
    Logentries,
    /// `ovh://:TOKEN@HOST:6514`.
    OvhGraylog,
    /// `tcp+tls://HOST:PORT`.
    Papertrail,
    /// `syslog://:TOKEN@HOST:PORT`, or `tcp+tls://HOST:PORT` without a token.
    Syslog,
}

impl Provider {
    /// The provider named by a request's `type`.
    pub fn parse(name: &str) -> Option<Provider> {
        Some(match name {
            "appsignal" => Provider::Appsignal,
            "betterstack" => Provider::Betterstack,
            "datadog" => Provider::Datadog,
            "elk" => Provider::Elk,
            "logentries" => Provider::Logentries,
            "ovh-graylog" => Provider::OvhGraylog,
            "papertrail" => Provider::Papertrail,
            "syslog" => Provider::Syslog,
            _ => return None,
        })
    }
}

/// The six fields of an add-drain request; empty strings count as absent, as go-scalingo sends them all.
#[derive(Debug, Default)]
struct Fields {
    kind: Option<String>,
    token: Option<String>,
    host: Option<String>,
    port: Option<String>,
    drain_region: Option<String>,
    url: Option<String>,
}

fn text(drain: &Value, key: &str) -> Option<String> {
    let s = match drain.get(key)? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A bare host name or IPv4 address: no scheme, path, port or spaces.
fn valid_host(host: &str) -> bool {
    host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A token that can sit in a URL's user-info or path without changing its meaning.
fn valid_token(token: &str) -> bool {
    token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'='))
}

fn valid_port(port: &str) -> bool {
    port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p))
}

fn valid_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        !authority.is_empty() && !url.contains(char::is_whitespace)
    })
}

/// Validates an add-drain body (`{"drain":{…}}`) and builds the drain URL, or answers 422 per field.
pub fn build_url(body: Option<&Value>) -> Result<String, ApiError> {
    let drain = body.and_then(|b| b.get("drain")).unwrap_or(&Value::Null);
    let f = Fields {
        kind: text(drain, "type"),
        token: text(drain, "token"),
        host: text(drain, "host"),
        port: text(drain, "port"),
        drain_region: text(drain, "drain_region"),
        url: text(drain, "url"),
    };
    let Some(kind) = f.kind.as_deref() else {
        return Err(ApiError::field("type", BLANK));
    };
    let Some(provider) = Provider::parse(kind) else {
        return Err(ApiError::field("type", INVALID));
    };
    let mut errors = FieldErrors::new();
    let mut need = |field: &'static str,
                    value: &Option<String>,
                    ok: fn(&str) -> bool,
                    msg: &str| {
        match value {
            None => errors.entry(field).or_default().push(BLANK.into()),
            Some(v) if !ok(v) => errors.entry(field).or_default().push(msg.into()),
            Some(_) => {}
        }
    };
    use Provider::*;
    match provider {
        Appsignal | Logentries => need("token", &f.token, valid_token, INVALID),
        Betterstack | OvhGraylog => {
            need("token", &f.token, valid_token, INVALID);
            need("host", &f.host, valid_host, INVALID);
        }
        Datadog => {
            need("token", &f.token, valid_token, INVALID);
            need("drain_region", &f.drain_region, valid_token, INVALID);
        }
        Elk => need("url", &f.url, valid_http_url, INVALID),
        Papertrail | Syslog => {
            need("host", &f.host, valid_host, INVALID);
            need("port", &f.port, valid_port, BAD_PORT);
        }
    }
    // Optional fields are still checked when given, so a bad value is never silently dropped.
    if provider == Appsignal {
        if f.host.as_deref().is_some_and(|h| !valid_host(h)) {
            errors.entry("host").or_default().push(INVALID.into());
        }
        if f.port.as_deref().is_some_and(|p| !valid_port(p)) {
            errors.entry("port").or_default().push(BAD_PORT.into());
        }
    }
    if provider == Syslog && f.token.as_deref().is_some_and(|t| !valid_token(t)) {
        errors.entry("token").or_default().push(INVALID.into());
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let (token, host, port) = (v(&f.token), v(&f.host), v(&f.port));
    Ok(match provider {
        Appsignal => {
            // The host is optional: the sandbox picks AppSignal's public endpoint, a [choice] of the contract.
            let host = f
                .host
                .clone()
                .unwrap_or_else(|| "appsignal-endpoint.net".into());
            match &f.port {
                Some(p) => format!("appsignal://:{token}@{host}:{p}"),
                None => format!("appsignal://:{token}@{host}"),
            }
        }
        Betterstack => format!("https://:{token}@{host}"),
        Datadog => format!("datadog://{token}?region={}", v(&f.drain_region)),
        Elk => v(&f.url),
        Logentries => format!("https://webhook.logentries.com/noformat/logs/{token}"),
        OvhGraylog => format!("ovh://:{token}@{host}:6514"),
        Papertrail => format!("tcp+tls://{host}:{port}"),
        Syslog if token.is_empty() => format!("tcp+tls://{host}:{port}"),
        Syslog => format!("syslog://:{token}@{host}:{port}"),
    })
}

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but cannot be read.
    #[error("cannot read state file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a sandbox state; it is left untouched for the user to inspect.
    #[error(
        "state file {path} is corrupt ({source}); move it away or fix it, it was left untouched"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The file cannot be written.
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What the state file holds: drain URLs per target (`app:NAME` or `addon:ID`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct State {
    /// Format version, for future migrations.
    pub version: u32,
    /// Drain URLs per target, in insertion order.
    pub drains: BTreeMap<String, Vec<String>>,
}

impl State {
    /// The demo world's initial drains.
    pub fn initial() -> State {
        State {
            version: 1,
            drains: crate::world::initial_drains().into_iter().collect(),
        }
    }

    /// Loads the state file, or the initial state when it does not exist.
    pub fn load(path: &Path) -> Result<State, StateError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StateError::Corrupt {
                path: path.into(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::initial()),
            Err(source) => Err(StateError::Read {
                path: path.into(),
                source,
            }),
        }
    }

    /// Writes the state atomically: a temporary file in the same directory, fsynced, then renamed over.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let err = |source| StateError::Write {
            path: path.into(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| err(e.into()))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("state");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            // Persist the rename itself; not every platform can open a directory, hence best effort.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            err(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn url(drain: Value) -> Result<String, ApiError> {
        build_url(Some(&json!({ "drain": drain })))
    }

    #[test]
    fn each_provider_builds_the_contract_url() {
        let full = |t: &str| json!({"type": t, "token": "tok", "host": "h.example.com", "port": "514", "drain_region": "eu", "url": ""});
        let cases = [
            ("appsignal", "appsignal://:tok@h.example.com:514"),
            ("betterstack", "https://:tok@h.example.com"),
            ("datadog", "datadog://tok?region=eu"),
            (
                "logentries",
                "https://webhook.logentries.com/noformat/logs/tok",
            ),
            ("ovh-graylog", "ovh://:tok@h.example.com:6514"),
            ("papertrail", "tcp+tls://h.example.com:514"),
            ("syslog", "syslog://:tok@h.example.com:514"),
        ];
        for (kind, expected) in cases {
            assert_eq!(url(full(kind)).ok().as_deref(), Some(expected), "{kind}");
        }
        let syslog = json!({"type": "syslog", "token": "", "host": "10.0.0.1", "port": 6514});
        assert_eq!(url(syslog).ok().as_deref(), Some("tcp+tls://10.0.0.1:6514"));
        let elk = json!({"type": "elk", "url": "https://u:p@elk.example.com/in"});
        assert_eq!(
            url(elk).ok().as_deref(),
            Some("https://u:p@elk.example.com/in")
        );
    }

    #[test]
    fn bad_fields_are_reported_per_field() {
        let Err(ApiError::Invalid(errors)) =
            url(json!({"type": "syslog", "host": "tcp://x:1", "port": "70000"}))
        else {
            panic!("expected a 422");
        };
        assert_eq!(errors["host"], vec![INVALID]);
        assert_eq!(errors["port"], vec![BAD_PORT]);
        assert!(
            matches!(url(json!({"type": "nope"})), Err(ApiError::Invalid(e)) if e.contains_key("type"))
        );
    }
}
