//! Starting sandboxes and speaking to them with real clients.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use scalingo_sandbox::{Config, Server};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A fresh, empty directory for one test's state file.
pub fn temp_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scalingo-sandbox-test-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        scalingo_sandbox::clock::now_nanos()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A running sandbox and what a test needs to talk to it.
pub struct Sandbox {
    pub server: Server,
    pub url: String,
    pub data: PathBuf,
}

/// An HTTP answer, body read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|h| h.to_str().ok())
    }
}

/// Starts a sandbox with a state file in `data` (a fresh one when `None`) and extra flags.
pub async fn start_with(data: Option<PathBuf>, args: &[&str]) -> Sandbox {
    let data = data.unwrap_or_else(|| temp_dir().join("state.json"));
    let mut all: Vec<String> = vec![
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--data".into(),
        data.display().to_string(),
        "--rate-limit".into(),
        "0".into(),
    ];
    all.extend(args.iter().map(|s| s.to_string()));
    let config = Config::from_args(all).expect("valid flags");
    let server = scalingo_sandbox::serve(config)
        .await
        .expect("server starts");
    Sandbox {
        url: server.url(),
        server,
        data,
    }
}

/// Starts a sandbox with a fresh state file.
pub async fn start(args: &[&str]) -> Sandbox {
    start_with(None, args).await
}

async fn send_raw(
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> hyper::Response<Incoming> {
    let uri: hyper::Uri = url.parse().expect("valid URL");
    let authority = uri.authority().expect("authority").to_string();
    let stream = TcpStream::connect(&authority).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"));
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req = req.header("host", authority);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(Bytes::from(body))).expect("request");
    sender.send_request(req).await.expect("response")
}

/// Sends a request and reads the whole answer.
pub async fn send(url: &str, method: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    let res = send_raw(url, method, headers, body).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// A plain GET, answer read whole.
pub async fn get(url: &str) -> Answer {
    send(url, "GET", &[], Vec::new()).await
}

impl Sandbox {
    /// Asks the auth service to exchange the demo API token, answer read whole.
    pub async fn exchange(&self) -> Answer {
        send(
            &format!("{}/auth/v1/tokens/exchange", self.url),
            "POST",
            &[("authorization", "Basic OnRrLXVzLXNhbmRib3g=")],
            Vec::new(),
        )
        .await
    }

    /// Exchanges the demo API token for a bearer.
    pub async fn bearer(&self) -> String {
        let a = self.exchange().await;
        assert_eq!(a.status, 200, "{}", a.text());
        a.json()["token"].as_str().expect("token").to_string()
    }

    /// A `/v1` call with a fresh bearer.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let bearer = self.bearer().await;
        self.api_as(&bearer, method, path, body).await
    }

    /// A `/v1` call with the given bearer.
    pub async fn api_as(
        &self,
        bearer: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let auth = format!("Bearer {bearer}");
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        send(
            &format!("{}/v1{path}", self.url),
            method,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await
    }

    /// An admin call.
    pub async fn admin(&self, path: &str, body: Value) -> Answer {
        send(
            &format!("{}/_sandbox{path}", self.url),
            "POST",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// A fresh logs URL for an app.
    pub async fn logs_url(&self, app: &str) -> String {
        let a = self.api("GET", &format!("/apps/{app}/logs"), None).await;
        assert_eq!(a.status, 200, "{}", a.text());
        a.json()["logs_url"].as_str().expect("logs_url").to_string()
    }

    /// Appends lines to an app's logs.
    pub async fn inject<S: AsRef<str>>(&self, app: &str, lines: &[S]) {
        let lines: Vec<&str> = lines.iter().map(AsRef::as_ref).collect();
        let a = self
            .admin("/inject", serde_json::json!({ "app": app, "lines": lines }))
            .await;
        assert_eq!(a.status, 200, "{}", a.text());
    }
}

/// A line in the platform's format, stamped with a fixed time.
pub fn line(container: &str, message: &str) -> String {
    format!("2015-02-16 02:02:43.930163178 +0000 UTC [{container}] {message}")
}

/// The instant of a line in the platform's format (`2026-12-07 06:12:03.123456789 +0100 CET […`),
/// in Unix nanoseconds, read from its local time and offset.
pub fn instant(line: &str) -> i64 {
    let t: Vec<&str> = line.splitn(4, ' ').collect();
    let offset = t[2];
    let rfc = format!("{}T{}{}:{}", t[0], t[1], &offset[..3], &offset[3..5]);
    scalingo_sandbox::clock::parse_rfc3339(&rfc).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// A WebSocket stream of a logs URL.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket on a logs URL (with `stream=true` added).
pub async fn websocket(logs_url: &str, extra: &str) -> Ws {
    let url = format!(
        "{}&stream=true{extra}",
        logs_url.replacen("http://", "ws://", 1)
    );
    let (ws, res) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket");
    assert_eq!(res.status().as_u16(), 101);
    ws
}

/// The next text frame as JSON, or `None` on close; fails after `secs` seconds.
pub async fn next_frame(ws: &mut Ws, secs: u64) -> Option<Value> {
    let text = next_text(ws, secs).await?;
    Some(serde_json::from_str(&text).expect("JSON frame"))
}

/// The next text frame verbatim.
pub async fn next_text(ws: &mut Ws, secs: u64) -> Option<String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(secs), ws.next())
            .await
            .expect("a frame in time");
        match msg {
            Some(Ok(Message::Text(t))) => return Some(t.to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// An SSE stream of a logs URL, read chunk by chunk.
pub struct Sse {
    pub status: u16,
    pub content_type: String,
    body: Incoming,
    buffer: String,
}

/// Opens an SSE stream on a logs URL (with `stream=true` added).
pub async fn sse(logs_url: &str, extra: &str) -> Sse {
    let res = send_raw(
        &format!("{logs_url}&stream=true{extra}"),
        "GET",
        &[("accept", "text/event-stream")],
        Vec::new(),
    )
    .await;
    Sse {
        status: res.status().as_u16(),
        content_type: res
            .headers()
            .get("content-type")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: res.into_body(),
        buffer: String::new(),
    }
}

impl Sse {
    /// The next event's `data:` payload, or `None` when the stream ends; fails after `secs` seconds.
    pub async fn next_data(&mut self, secs: u64) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                let data = event
                    .trim_end()
                    .strip_prefix("data: ")
                    .expect("a data: line");
                return Some(data.to_string());
            }
            let frame = tokio::time::timeout(Duration::from_secs(secs), self.body.frame())
                .await
                .expect("an event in time");
            match frame {
                Some(Ok(f)) => {
                    if let Ok(data) = f.into_data() {
                        self.buffer.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return None,
            }
        }
    }

    /// The next event as JSON.
    pub async fn next_json(&mut self, secs: u64) -> Option<Value> {
        let data = self.next_data(secs).await?;
        Some(serde_json::from_str(&data).expect("JSON event"))
    }
}
