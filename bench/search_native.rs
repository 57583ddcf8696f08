//! Native benchmark of the log viewer's search over a million lines of the sandbox's own
//! archives (the history benchmark's lines), as the view runs it: `Model::search_step` in
//! steps of [`STEP_BYTES`] until the scan has caught up.
//!
//! `cargo run --release --example search_bench` prints, for each query, the whole scan and
//! its parts (reading the lines, the plain message, the matcher alone); nothing is asserted
//! (the modules' tests check that fast paths find what the slow ones do).

use std::time::Instant;

#[path = "archive.rs"]
mod archive;

use dashboard::logs::line::plain_message_of;
use dashboard::logs::model::Model;
use dashboard::logs::search::STEP_BYTES;
use dashboard::logs::store::Escapes;
use dashboard::search::{Matcher, SearchSpec};

const LINES: usize = 1_000_000;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The best of three runs of `f`, in milliseconds (the machine is shared).
fn best_of(mut f: impl FnMut()) -> f64 {
    let runs = std::env::var("SEARCH_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            ms(start)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let lines = archive::archive_lines(LINES);
    let mut model = Model::new(LINES);
    model.extend(&dashboard::logs::store::Batch::of(lines));
    model.search_to_end();
    let store = model.store();
    let (lines_n, text) = (store.len(), store.text_bytes());
    println!("lines                     {:>10}", store.len());
    println!(
        "text bytes                {:>10} ({:.1} per line)",
        store.text_bytes(),
        store.text_bytes() as f64 / store.len() as f64
    );
    let read = best_of(|| {
        let n: usize = store.iter().map(|l| l.raw.len()).sum();
        std::hint::black_box(n);
    });
    println!("read every line           {:>10.1} ms", read);
    let plain = best_of(|| {
        let n: usize = store.iter().map(|l| plain_message_of(l.raw).len()).sum();
        std::hint::black_box(n);
    });
    println!("plain message of each     {:>10.1} ms (split again)", plain);
    let mut scratch = Vec::new();
    let stored = best_of(|| {
        let n: usize = store
            .iter()
            .map(|l| l.plain_message(&mut scratch).len())
            .sum();
        std::hint::black_box(n);
    });
    println!("plain message of each     {:>10.1} ms (as stored)", stored);
    let message_bytes: usize = store.iter().map(|l| l.message.len()).sum();
    println!(
        "message bytes             {:>10} ({:.1} per line)",
        message_bytes,
        message_bytes as f64 / lines_n.max(1) as f64
    );
    let coloured = store
        .iter()
        .filter(|l| l.escapes == Escapes::Colours)
        .count();
    println!("lines with colours        {:>10}", coloured);
    for l in store
        .iter()
        .filter(|l| l.escapes == Escapes::Colours)
        .take(3)
    {
        println!("  {:?}", l.raw);
    }
    let _ = text;

    let queries: [(&str, bool, bool, bool); 6] = [
        ("status=500", false, false, false),
        ("status=500", false, true, false),
        ("status=5\\d\\d", true, false, false),
        ("zzzz", false, false, false),
        ("échec", false, false, false),
        ("status=500", false, false, true),
    ];
    let only = std::env::var("SEARCH_BENCH_ONLY").ok();
    for (query, regex, case_sensitive, invert) in queries {
        if only.as_deref().is_some_and(|o| o != query) {
            continue;
        }
        let spec = SearchSpec {
            query: query.into(),
            regex,
            case_sensitive,
            invert,
        };
        let matcher = Matcher::new(&spec).expect("valid");
        let mut kept = 0;
        let step_only = std::env::var("SEARCH_BENCH_STEP_ONLY").is_ok();
        let keeps = if step_only {
            0.0
        } else {
            best_of(|| {
                kept = model
                    .store()
                    .iter()
                    .filter(|l| matcher.keeps(&l.plain_message(&mut scratch)))
                    .count();
            })
        };
        let mut shown = 0;
        let scan = best_of(|| {
            model.set_matcher(matcher.clone());
            while !model.search_step(STEP_BYTES) {}
            shown = model.shown_lines();
        });
        println!(
            "{:<24} {}{}{}: matcher alone {:>7.1} ms, search_step {:>7.1} ms ({} kept, {} shown)",
            query,
            if regex { "re" } else { "plain" },
            if case_sensitive { " Aa" } else { "" },
            if invert { " inv" } else { "" },
            keeps,
            scan,
            kept,
            shown
        );
    }
}
