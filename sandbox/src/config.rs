//! Server configuration and its command-line parser.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server needs to start; `Config::default()` is the documented default.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Directory of the built dashboard, served at `dist_path`.
    pub dist: Option<PathBuf>,
    /// URL path the dashboard is mounted under, always starting and ending with `/`.
    pub dist_path: String,
    /// State file holding the drains.
    pub data: PathBuf,
    /// The API token accepted by the token exchange.
    pub token: String,
    /// Lifetime of the bearer JWTs.
    pub token_ttl: Duration,
    /// Lifetime of the tokens inside logs URLs.
    pub logs_url_ttl: Duration,
    /// Synthetic lines per second per container instance.
    pub log_rate: f64,
    /// Interval between keepalive pings on streams.
    pub ping_interval: Duration,
    /// Requests per minute per bearer (or client IP on the proxy); 0 turns the limit off.
    pub rate_limit: u32,
    /// Origins answered with CORS headers; `*` matches any.
    pub cors_origins: Vec<String>,
    /// The Content-Security-Policy sent with the dashboard's files, if any; `{HOST}` is replaced.
    pub csp: Option<String>,
    /// A second API token, for a limited collaborator: everything but logs archives.
    pub limited_token: String,
    /// Lifetime of pre-signed archive URLs.
    pub archive_url_ttl: Duration,
    /// CORS of the archive storage: `Some("*")`, `Some(origin)`, or `None` for no CORS headers.
    pub archives_cors: Option<String>,
    /// Where the world clock starts, in Unix nanoseconds; `None`: the real time.
    pub start_at: Option<i64>,
    /// How far back the hot log reaches at start (bounded by `logs::HISTORY` lines per source);
    /// zero starts it empty.
    pub hot_log: Duration,
}

/// The policy the dashboard is tested under; `{HOST}` becomes the request's Host header and
/// `{STORAGE}` the origin of the logs archive storage (see `archives::storage_origin`).
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' ws://{HOST} wss://{HOST} {STORAGE}";

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dist: None,
            dist_path: "/".into(),
            data: PathBuf::from(".sandbox-state.json"),
            token: "tk-us-sandbox".into(),
            token_ttl: Duration::from_secs(3600),
            logs_url_ttl: Duration::from_secs(600),
            log_rate: 1.0,
            ping_interval: Duration::from_secs(10),
            rate_limit: 60,
            cors_origins: Vec::new(),
            csp: None,
            limited_token: "tk-us-sandbox-limited".into(),
            archive_url_ttl: Duration::from_secs(3600),
            archives_cors: Some("*".into()),
            start_at: None,
            hot_log: crate::logs::HOT_LOG,
        }
    }
}

/// Options that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "--listen",
    "--dist",
    "--dist-path",
    "--data",
    "--token",
    "--token-ttl",
    "--logs-url-ttl",
    "--log-rate",
    "--ping-interval",
    "--rate-limit",
    "--cors-origin",
    "--csp-policy",
    "--limited-token",
    "--archive-url-ttl",
    "--archives-cors",
    "--start-at",
    "--hot-log-minutes",
];

/// The `--help` text.
pub const HELP: &str = "\
scalingo-sandbox: a local Scalingo-compatible API server with a demo world

USAGE: scalingo-sandbox [OPTIONS]

OPTIONS:
  --listen ADDR          address to bind, IP:port or host:port (default 127.0.0.1:8080; port 0 = any free)
  --dist DIR             serve the built dashboard from DIR
  --dist-path PATH       URL path the dashboard is mounted under (default /)
  --data FILE            drains state file (default .sandbox-state.json)
  --token TOKEN          accepted API token (default tk-us-sandbox)
  --token-ttl SECS       lifetime of bearer tokens (default 3600)
  --logs-url-ttl SECS    lifetime of logs URL tokens (default 600)
  --log-rate N           synthetic lines per second per container (default 1, fractions allowed)
  --ping-interval SECS   keepalive ping interval on streams (default 10, fractions allowed)
  --rate-limit N         requests per minute per user, 0 = off (default 60)
  --cors-origin ORIGIN   answer CORS for ORIGIN (repeatable, '*' for any)
  --csp                  send a Content-Security-Policy header with the dashboard
  --csp-policy POLICY    the policy to send ({HOST} = request host, {STORAGE} = archive storage origin); implies --csp
  --limited-token TOKEN  API token of a limited collaborator, refused on archives (default tk-us-sandbox-limited)
  --archive-url-ttl SECS lifetime of pre-signed archive URLs (default 3600, fractions allowed)
  --archives-cors ORIGIN CORS of the archive storage: an origin, '*' (default) or 'none'
  --start-at TIME        start the world clock at TIME (RFC 3339, e.g. 2026-03-29T00:59:30Z); it runs at real speed
  --hot-log-minutes N    minutes of lines each source holds at start (default 60, 0 = none, fractions allowed)
  -h, --help             print this help
";

/// Why the command line was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CliError {
    /// `--help` was asked for; not an error, but it stops the program.
    #[error("help requested")]
    Help,
    /// An option the server does not know.
    #[error("unknown option {0} (see --help)")]
    Unknown(String),
    /// An option given without its value.
    #[error("option {0} needs a value")]
    MissingValue(String),
    /// A value that does not parse.
    #[error("invalid value {value:?} for {option}: {reason}")]
    Invalid {
        /// The option.
        option: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn invalid(option: &str, value: &str, reason: impl ToString) -> CliError {
    CliError::Invalid {
        option: option.into(),
        value: value.into(),
        reason: reason.to_string(),
    }
}

fn seconds(option: &str, value: &str) -> Result<Duration, CliError> {
    let secs: f64 = value.parse().map_err(|e| invalid(option, value, e))?;
    if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
        return Err(invalid(
            option,
            value,
            "must be a positive number of seconds",
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// An IP:port, or a host name such as `localhost:8080` resolved once at start.
fn listen_address(option: &str, value: &str) -> Result<SocketAddr, CliError> {
    if let Ok(addr) = value.parse() {
        return Ok(addr);
    }
    std::net::ToSocketAddrs::to_socket_addrs(value)
        .map_err(|e| invalid(option, value, e))?
        .next()
        .ok_or_else(|| invalid(option, value, "resolves to no address"))
}

impl Config {
    /// Parses the arguments after the program name; `--opt=value` and `--opt value` both work.
    pub fn from_args<I: IntoIterator<Item = String>>(args: I) -> Result<Config, CliError> {
        let mut config = Config::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let flag_only = matches!(name.as_str(), "-h" | "--help" | "--csp");
            if !flag_only && !VALUE_OPTIONS.contains(&name.as_str()) {
                return Err(CliError::Unknown(arg));
            }
            let value = if flag_only {
                String::new()
            } else {
                match inline {
                    Some(v) => v,
                    None => args
                        .next()
                        .ok_or_else(|| CliError::MissingValue(name.clone()))?,
                }
            };
            let v = value.as_str();
            match name.as_str() {
                "-h" | "--help" => return Err(CliError::Help),
                "--csp" => {
                    if config.csp.is_none() {
                        config.csp = Some(DEFAULT_CSP.into());
                    }
                }
                "--csp-policy" => config.csp = Some(value.clone()),
                "--listen" => config.listen = listen_address(&name, v)?,
                "--dist" => config.dist = Some(PathBuf::from(v)),
                "--dist-path" => {
                    let trimmed = v.trim_matches('/');
                    config.dist_path = if trimmed.is_empty() {
                        "/".into()
                    } else {
                        format!("/{trimmed}/")
                    };
                }
                "--data" => config.data = PathBuf::from(v),
                "--token" if !v.is_empty() => config.token = value.clone(),
                "--token" => return Err(invalid(&name, v, "must not be empty")),
                "--limited-token" if !v.is_empty() => config.limited_token = value.clone(),
                "--limited-token" => return Err(invalid(&name, v, "must not be empty")),
                "--archive-url-ttl" => config.archive_url_ttl = seconds(&name, v)?,
                "--archives-cors" => {
                    config.archives_cors = match v {
                        "none" => None,
                        "" => return Err(invalid(&name, v, "must be an origin, '*' or 'none'")),
                        _ => Some(v.trim_end_matches('/').to_string()),
                    }
                }
                "--token-ttl" => config.token_ttl = seconds(&name, v)?,
                "--logs-url-ttl" => config.logs_url_ttl = seconds(&name, v)?,
                "--ping-interval" => config.ping_interval = seconds(&name, v)?,
                "--log-rate" => {
                    let rate: f64 = v.parse().map_err(|e| invalid(&name, v, e))?;
                    if !(rate.is_finite() && (0.0..=10_000_000.0).contains(&rate)) {
                        return Err(invalid(&name, v, "must be between 0 and 10000000"));
                    }
                    config.log_rate = rate;
                }
                "--start-at" => {
                    config.start_at =
                        Some(crate::clock::parse_rfc3339(v).map_err(|e| invalid(&name, v, e))?)
                }
                "--hot-log-minutes" => {
                    let minutes: f64 = v.parse().map_err(|e| invalid(&name, v, e))?;
                    if !(minutes.is_finite() && (0.0..=10_080.0).contains(&minutes)) {
                        return Err(invalid(&name, v, "must be between 0 and 10080"));
                    }
                    config.hot_log = Duration::from_secs_f64(minutes * 60.0);
                }
                "--rate-limit" => {
                    config.rate_limit = v.parse().map_err(|e| invalid(&name, v, e))?
                }
                "--cors-origin" => config
                    .cors_origins
                    .push(value.trim_end_matches('/').to_string()),
                _ => return Err(CliError::Unknown(arg)),
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, CliError> {
        Config::from_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_match_the_issue() {
        let c = parse(&[]).expect("defaults");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.token, "tk-us-sandbox");
        assert_eq!(c.rate_limit, 60);
        assert!(c.csp.is_none());
        assert_eq!(c.archive_url_ttl, Duration::from_secs(3600));
        assert_eq!(c.archives_cors.as_deref(), Some("*"));
        assert_eq!(c.start_at, None);
        assert_eq!(c.hot_log, Duration::from_secs(3600));
    }

    #[test]
    fn the_world_clock_and_the_hot_log_are_configurable() {
        let c = parse(&[
            "--start-at",
            "2026-03-29T00:59:30Z",
            "--hot-log-minutes",
            "0",
        ])
        .expect("valid");
        assert_eq!(c.start_at, Some(1_774_745_970_000_000_000));
        assert_eq!(c.hot_log, Duration::ZERO);
        let c = parse(&["--hot-log-minutes=0.5"]).expect("valid");
        assert_eq!(c.hot_log, Duration::from_secs(30));
        for bad in [
            ["--start-at", "2026-03-29"],
            ["--start-at", "yesterday"],
            ["--hot-log-minutes", "-1"],
            ["--hot-log-minutes", "NaN"],
        ] {
            assert!(
                matches!(parse(&bad), Err(CliError::Invalid { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn archive_options_are_understood() {
        let c = parse(&["--archives-cors", "none", "--archive-url-ttl", "0.5"]).expect("valid");
        assert_eq!(c.archives_cors, None);
        assert_eq!(c.archive_url_ttl, Duration::from_millis(500));
        let c = parse(&["--archives-cors=http://127.0.0.1:8080/"]).expect("valid");
        assert_eq!(c.archives_cors.as_deref(), Some("http://127.0.0.1:8080"));
        assert!(parse(&["--limited-token", ""]).is_err());
    }

    #[test]
    fn repeatable_and_inline_options_are_understood() {
        let c = parse(&[
            "--cors-origin",
            "http://a",
            "--cors-origin=http://b/",
            "--log-rate",
            "0.5",
            "--dist-path",
            "tools/logs",
            "--csp",
        ])
        .expect("valid");
        assert_eq!(c.cors_origins, vec!["http://a", "http://b"]);
        assert_eq!(c.log_rate, 0.5);
        assert_eq!(c.dist_path, "/tools/logs/");
        assert_eq!(c.csp.as_deref(), Some(DEFAULT_CSP));
    }

    #[test]
    fn bad_values_are_refused_with_the_option_named() {
        assert!(matches!(
            parse(&["--listen", "nope"]),
            Err(CliError::Invalid { .. })
        ));
        assert_eq!(
            parse(&["--frobnicate"]).err(),
            Some(CliError::Unknown("--frobnicate".into()))
        );
        assert_eq!(
            parse(&["--data"]).err(),
            Some(CliError::MissingValue("--data".into()))
        );
    }
}
