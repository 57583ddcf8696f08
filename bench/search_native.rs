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

use dashboard::logs::line::{message_start, plain_message_of};
use dashboard::logs::model::Model;
use dashboard::logs::render::{is_plain, strip_sgr};
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
    println!("plain message of each     {:>10.1} ms", plain);
    let _ = (lines_n, text);
    let start_only = best_of(|| {
        let n: usize = store.iter().map(|l| message_start(l.raw)).sum();
        std::hint::black_box(n);
    });
    println!("message start of each     {:>10.1} ms", start_only);
    let not_plain = store
        .iter()
        .filter(|l| !is_plain(&l.raw[message_start(l.raw)..]))
        .count();
    println!("lines with escapes        {:>10}", not_plain);
    for l in store
        .iter()
        .filter(|l| !is_plain(&l.raw[message_start(l.raw)..]))
        .take(3)
    {
        println!("  {:?}", l.raw);
    }

    let mut scratch = Vec::new();
    let strip = best_of(|| {
        let mut n = 0;
        for l in store.iter() {
            scratch.clear();
            if l.escapes == Escapes::Colours {
                strip_sgr(l.raw.as_bytes(), &mut scratch);
            }
            n += scratch.len();
        }
        std::hint::black_box(n);
    });
    println!("colours cut out of each   {:>10.1} ms", strip);
    let zzzz = Matcher::new(&SearchSpec {
        query: "zzzz".into(),
        ..SearchSpec::default()
    })
    .expect("valid");
    let raw_absent = best_of(|| {
        let n = store.iter().filter(|l| zzzz.absent_from(l.raw)).count();
        std::hint::black_box(n);
    });
    println!("zzzz absent from raw      {:>10.1} ms", raw_absent);

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
                    .filter(|l| matcher.keeps(&plain_message_of(l.raw)))
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
