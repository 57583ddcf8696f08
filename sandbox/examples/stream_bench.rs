//! Measures how many log lines per second one local WebSocket client receives.
//!
//! `cargo run --release -p scalingo-sandbox --example stream_bench -- [RATE] [SECONDS]`
//! starts the sandbox in-process, asks `example-app` for RATE lines/s (default 200,000),
//! reads one stream for SECONDS (default 5) and prints what arrived.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use scalingo_sandbox::Config;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let rate: f64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(200_000.0);
    let seconds: f64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5.0);
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
    let url = format!(
        "ws://{}/logs/apps/example-app/logs?token={token}&stream=true",
        server.addr
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    source.set_rate(rate);

    // The first second warms up (allocations, socket buffers) and is not counted.
    let warmup = Instant::now() + Duration::from_secs(1);
    let mut start = None;
    let deadline = warmup + Duration::from_secs_f64(seconds);
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(msg) = ws.next().await {
        let Message::Text(text) = msg? else { continue };
        let now = Instant::now();
        if now < warmup {
            continue;
        }
        let began = *start.get_or_insert(now);
        if text.starts_with("{\"event\":\"log\"") {
            lines += 1;
            bytes += text.len() as u64;
        }
        if now >= deadline {
            let secs = now.duration_since(began).as_secs_f64();
            println!(
                "asked {rate:.0} lines/s; received {lines} lines in {secs:.2} s = {:.0} lines/s ({:.1} MB/s of frames)",
                lines as f64 / secs,
                bytes as f64 / secs / 1e6
            );
            break;
        }
    }
    server.stop().await;
    let _ = std::fs::remove_file(data);
    Ok(())
}
