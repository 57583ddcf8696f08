//! Native micro-benchmark of the audit player's model: parse the sandbox's long session (about
//! 50,000 events, the very text the sandbox serves), replay it once to take snapshots, then
//! seek at random.
//!
//! `cargo run --release --example audit_bench` prints the figures; nothing is asserted.

use std::time::Instant;

use dashboard::audit::replay::Replay;
use dashboard::audit::search::ScreenText;
use dashboard::audit::timeline::{Timeline, DEFAULT_IDLE_LIMIT};

const SEEKS: usize = 500;

/// A tiny deterministic generator of seek targets, so runs compare.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let text = scalingo_sandbox::audit::long_session();
    let bytes = text.len();

    let start = Instant::now();
    let timeline = Timeline::from_json(&text, Some(DEFAULT_IDLE_LIMIT));
    let parse_ms = ms(start);

    let start = Instant::now();
    let cols = timeline.guess_width();
    let mut replay = Replay::new(&timeline, cols, 24);
    let snapshot_ms = ms(start);

    let start = Instant::now();
    replay.seek(&timeline, 0);
    let html = replay.terminal().to_html();
    let first_paint_ms = ms(start);

    let mut rng = Lcg(42);
    let mut times: Vec<f64> = (0..SEEKS)
        .map(|_| {
            let target = rng.below(timeline.len() as u64 + 1) as usize;
            let start = Instant::now();
            replay.seek(&timeline, target);
            let html = replay.terminal().to_html();
            std::hint::black_box(html);
            ms(start)
        })
        .collect();
    times.sort_by(f64::total_cmp);

    // The first search replays the session once more to learn what the screen showed.
    let start = Instant::now();
    let screen_text = ScreenText::new(&timeline, cols, 24);
    let index_ms = ms(start);
    let start = Instant::now();
    let hits = screen_text.search("document 4", 200).len();
    let search_ms = ms(start);

    println!(
        "events: {}, JSON bytes: {bytes}, terminal {cols}x24",
        timeline.len()
    );
    println!("open: parse {parse_ms:.1} ms + replay with snapshots {snapshot_ms:.1} ms + first paint {first_paint_ms:.2} ms (html {} B)", html.as_str().len());
    println!(
        "seek + render ({SEEKS} random): median {:.3} ms, p95 {:.3} ms, worst {:.3} ms",
        times[SEEKS / 2],
        times[SEEKS * 95 / 100],
        times[SEEKS - 1]
    );
    println!(
        "search: screen text built in {index_ms:.1} ms, then {hits} hits in {search_ms:.2} ms"
    );
    println!(
        "snapshots: {} holding {:.1} KB",
        replay.snapshot_count(),
        replay.snapshot_bytes() as f64 / 1024.0
    );
}
