//! Measures how many log lines per second one local client receives.
//!
//! `cargo run --release -p scalingo-sandbox --example stream_bench -- [RATE] [SECONDS] [ws|sse]`
//! starts the sandbox in-process, asks `example-app` for RATE lines/s (default 200,000),
//! reads one WebSocket (default) or SSE stream for SECONDS (default 5) and prints what arrived.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use scalingo_sandbox::Config;
use tokio_tungstenite::tungstenite::Message;

/// Counts log lines and bytes after a one-second warm-up, until the deadline.
struct Meter {
    warmup: Instant,
    deadline: Instant,
    start: Option<Instant>,
    lines: u64,
    bytes: u64,
}

impl Meter {
    fn new(seconds: f64) -> Self {
        // The first second warms up (allocations, socket buffers) and is not counted.
        let warmup = Instant::now() + Duration::from_secs(1);
        Meter {
            warmup,
            deadline: warmup + Duration::from_secs_f64(seconds),
            start: None,
            lines: 0,
            bytes: 0,
        }
    }

    /// Records `lines` log payloads in `bytes`; true once the time is up.
    fn record(&mut self, lines: u64, bytes: u64) -> bool {
        let now = Instant::now();
        if now < self.warmup {
            return false;
        }
        self.start.get_or_insert(now);
        self.lines += lines;
        self.bytes += bytes;
        now >= self.deadline
    }

    fn report(&self, rate: f64, kind: &str) {
        let secs = self
            .start
            .map_or(0.0, |s| s.elapsed().as_secs_f64())
            .max(1e-9);
        println!(
            "{kind}: asked {rate:.0} lines/s; received {} lines in {secs:.2} s = {:.0} lines/s ({:.1} MB/s)",
            self.lines,
            self.lines as f64 / secs,
            self.bytes as f64 / secs / 1e6
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rate: f64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000.0);
    let seconds: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5.0);
    let kind = args.next().unwrap_or_else(|| "ws".into());
    let data = std::env::temp_dir().join(format!("stream-bench-{}.json", std::process::id()));
    let config = Config::from_args(
        [
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--data",
            &data.display().to_string(),
        ]
        .map(String::from),
    )?;
    let server = scalingo_sandbox::serve(config).await?;
    let source = server
        .shared
        .sources
        .get("example-app")
        .ok_or("no example-app")?
        .clone();
    let token = server
        .shared
        .logs_tokens
        .issue("example-app", Duration::from_secs(600));
    let path = format!("/logs/apps/example-app/logs?token={token}&stream=true");
    let mut meter = Meter::new(seconds);
    if kind == "sse" {
        let stream = tokio::net::TcpStream::connect(server.addr).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let req = hyper::Request::get(path)
            .header("host", server.addr.to_string())
            .body(Empty::<Bytes>::new())?;
        let mut body = sender.send_request(req).await?.into_body();
        source.set_rate(rate);
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else {
                continue;
            };
            const NEEDLE: &[u8] = b"\"event\":\"log\"";
            let lines = data.windows(NEEDLE.len()).filter(|w| *w == NEEDLE).count() as u64;
            if meter.record(lines, data.len() as u64) {
                break;
            }
        }
    } else {
        let (mut ws, _) =
            tokio_tungstenite::connect_async(format!("ws://{}{path}", server.addr)).await?;
        source.set_rate(rate);
        while let Some(msg) = ws.next().await {
            let Message::Text(text) = msg? else { continue };
            let is_log = text.starts_with("{\"event\":\"log\"");
            if meter.record(
                u64::from(is_log),
                if is_log { text.len() as u64 } else { 0 },
            ) {
                break;
            }
        }
    }
    meter.report(rate, &kind);
    server.stop().await;
    let _ = std::fs::remove_file(data);
    Ok(())
}
