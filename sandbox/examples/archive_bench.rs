//! Measures how fast the sandbox makes logs archives, and what they weigh.
//!
//! `cargo run --release -p scalingo-sandbox --example archive_bench` generates `example-app`'s
//! newest 400,000-line archive in-process (lines only, then gzipped), prints MB/s and the gzip
//! bytes per line of every archived source (the figures `size` estimates from), then downloads
//! the same archive over HTTP from a sandbox started in-process.

use std::io::{self, Write};
use std::time::Instant;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use scalingo_sandbox::archives::{self, BIG_ARCHIVE_LINES};
use scalingo_sandbox::{clock, world, Config};

/// Counts what is written and drops it.
#[derive(Default)]
struct Count(u64);

impl Write for Count {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn mb(bytes: u64, secs: f64) -> String {
    format!(
        "{:.1} MB in {secs:.2} s = {:.0} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(1e-9)
    )
}

#[tokio::main]
async fn main() {
    let now = clock::now_secs();
    let sources = archives::sources(&world::apps());
    let busy = sources
        .iter()
        .find(|s| s.key == "example-app")
        .expect("example-app");
    let big = busy
        .archives(now)
        .into_iter()
        .find(|a| a.lines == BIG_ARCHIVE_LINES)
        .expect("a big archive");

    let t = Instant::now();
    let mut plain = Count::default();
    busy.write_lines(&big, big.lines, &mut plain)
        .expect("lines");
    println!(
        "lines only: {} lines, {}",
        big.lines,
        mb(plain.0, t.elapsed().as_secs_f64())
    );

    let t = Instant::now();
    let mut gz = Count::default();
    archives::write_gzip(busy, &big, false, &mut gz).expect("gzip");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "gzip (fast): {} uncompressed in {secs:.2} s = {:.0} MB/s of lines, {:.1} MB compressed",
        plain.0,
        plain.0 as f64 / 1e6 / secs,
        gz.0 as f64 / 1e6
    );

    for source in &sources {
        let a = source.archives(now).into_iter().nth(1).expect("an archive");
        let mut out = Count::default();
        archives::write_gzip(source, &a, false, &mut out).expect("gzip");
        println!(
            "{}: {} lines, {} gzip bytes = {:.1} bytes/line (estimated size {})",
            source.key,
            a.lines,
            out.0,
            out.0 as f64 / a.lines as f64,
            source.estimated_size(&a)
        );
    }

    let config = Config::from_args(
        [
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--log-rate",
            "0",
            "--data",
        ]
        .into_iter()
        .map(String::from)
        .chain([std::env::temp_dir()
            .join("archive-bench-state.json")
            .display()
            .to_string()]),
    )
    .expect("flags");
    let server = scalingo_sandbox::serve(config).await.expect("server");
    let mut url = None;
    for page in 1..=3 {
        let list = get(&format!(
            "{}/proxy/v1/apps/example-app/logs_archives?page={page}",
            server.url()
        ))
        .await;
        let list: serde_json::Value = serde_json::from_slice(&list.1).expect("JSON");
        url = url.or_else(|| {
            list["archives"]
                .as_array()?
                .iter()
                .filter_map(|a| a["url"].as_str())
                .find(|u| u.contains(&big.file))
                .map(|u| u.replace("localhost", "127.0.0.1"))
        });
    }
    let url = url.expect("the big archive in the first pages");
    let t = Instant::now();
    let (status, body) = get(&url).await;
    println!(
        "HTTP download: status {status}, {}",
        mb(body.len() as u64, t.elapsed().as_secs_f64())
    );
    server.stop().await;
}

async fn get(url: &str) -> (u16, Vec<u8>) {
    let uri: hyper::Uri = url.parse().expect("URL");
    let authority = uri.authority().expect("authority").to_string();
    let stream = tokio::net::TcpStream::connect(&authority)
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let req = hyper::Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header("host", authority)
        .body(Empty::<Bytes>::new())
        .expect("request");
    let res = sender.send_request(req).await.expect("response");
    let status = res.status().as_u16();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, body)
}
