//! Native benchmark of structured logs (`dashboard::logs::fields`) on a million lines of the
//! sandbox's own archives: the live generator's router/app/worker mix in Paris time.
//!
//! `cargo xtask bench-fields` (or `cargo run --release --example fields_bench`) prints:
//! - reading fields alone, per line;
//! - facets + volume chart + requests summary from scratch over every line, as the viewer
//!   does it: its model counts the lines of its store again, in the search's steps (what
//!   opening a history, switching time zone or changing a filter costs);
//! - the same over parsed `LogLine`s, and one part at a time, to see where the time goes;
//! - one field filter over every line (what typing a filter costs);
//! - the streaming cost per line: count the new line and uncount the evicted one, as a
//!   100,000-line live store does, and what that makes per frame at 20,000 lines/s and 60 fps;
//! - the memory the counting structures hold. Nothing is stored per line: fields are read
//!   when needed and dropped, so a stored line costs what it cost before.
//!
//! The sandbox writes no JSON lines, so a separate figure reads 100,000 JSON lines made here.
//! Nothing is asserted; the modules' tests check correctness.

use std::time::Instant;

#[path = "archive.rs"]
mod archive;

use dashboard::logs::fields::{
    classify, count_line, fields, line_fields, FacetLimits, Facets, FieldFilter, Requests, Volume,
};
use dashboard::logs::line::LogLine;
use dashboard::logs::model::Model;
use dashboard::logs::search::STEP_BYTES;
use dashboard::logs::store::Batch;

const LINES: usize = 1_000_000;
/// Lines kept by the live store in the streaming figure.
const LIVE: usize = 100_000;
/// Streaming rate and frame rate the per-frame figure assumes.
const RATE: f64 = 20_000.0;
const FPS: f64 = 60.0;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The best of three runs of `f`, in milliseconds: the machine is shared, so the minimum is
/// the figure that compares between runs.
fn best_of(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            ms(start)
        })
        .fold(f64::INFINITY, f64::min)
}

fn paris_minutes(secs: i64) -> i64 {
    i64::from(scalingo_sandbox::tz::paris_offset(secs).0) / 60
}

fn json_lines(n: usize) -> Vec<String> {
    let levels = ["info", "info", "info", "debug", "warn", "error"];
    (0..n)
        .map(|i| {
            format!(
                r#"{{"level":"{}","time":"2026-12-07T06:12:03.{:03}Z","msg":"charge \"{}\" done","user_id":{},"ctx":{{"route":"/api/v1/invoices/{}","db":{{"ms":{}.{}}}}},"tags":["billing","v2"]}}"#,
                levels[i % levels.len()],
                i % 1000,
                i % 97,
                i % 5000,
                i,
                i % 300,
                i % 10
            )
        })
        .collect()
}

fn main() {
    let start = Instant::now();
    let raw = archive::archive_lines(LINES);
    let lines: Vec<LogLine> = raw.iter().map(|l| LogLine::parse(l.as_str())).collect();
    let gen_ms = ms(start);

    // The viewer's path: its model over the compact store, counted from scratch in the
    // search's steps, as a change of zone makes it.
    let mut model = Model::new(LINES);
    model.extend(&Batch::of(&raw));
    drop(raw);
    let viewer_ms = best_of(|| {
        model.set_offset(std::rc::Rc::new(paris_minutes));
        while !model.search_step(STEP_BYTES) {}
    });
    let viewer_lines = model.stats().facets.lines();
    let n = lines.len();
    let per_line = |t: f64| t * 1e6 / n as f64;

    // Reading fields alone.
    let mut with_fields = 0usize;
    let mut field_count = 0usize;
    let parse_ms = best_of(|| {
        (with_fields, field_count) = (0, 0);
        for l in &lines {
            let f = fields(l.plain_message());
            with_fields += usize::from(!f.is_empty());
            field_count += f.len();
        }
    });

    // Facets, chart and requests from scratch.
    // The store keeps each line's time (Unix nanoseconds), so the chart is given times rather
    // than parsing them; parsing them is timed apart.
    let start = Instant::now();
    let times: Vec<i64> = lines
        .iter()
        .map(|l| l.timestamp().map_or(0, |t| t.secs))
        .collect();
    let stamp_ms = ms(start);
    let (first, last) = (
        times.iter().copied().min().unwrap_or(0),
        times.iter().copied().max().unwrap_or(0),
    );
    let mut facets = Facets::new();
    let mut volume = Volume::new(paris_minutes);
    let mut requests = Requests::new();
    let scratch_ms = best_of(|| {
        facets = Facets::new();
        volume = Volume::with_span(paris_minutes, first, last);
        requests = Requests::new();
        for (l, &t) in lines.iter().zip(&times) {
            let f = line_fields(l);
            facets.add(&f);
            volume.add(t, classify(&f, l.plain_message()));
            requests.add(&f);
        }
    });

    // The same, one part at a time, to see where the time goes.
    let parsed: Vec<_> = lines.iter().map(line_fields).collect();
    let facets_ms = best_of(|| {
        let mut only = Facets::new();
        for f in &parsed {
            only.add(f);
        }
    });
    let volume_ms = best_of(|| {
        let mut only = Volume::with_span(paris_minutes, first, last);
        for ((l, f), &t) in lines.iter().zip(&parsed).zip(&times) {
            only.add(t, classify(f, l.plain_message()));
        }
    });
    let requests_ms = best_of(|| {
        let mut only = Requests::new();
        for f in &parsed {
            only.add(f);
        }
    });
    drop(parsed);

    // One filter over every line.
    let mut filter_figures = Vec::new();
    for expr in [
        "status>=500",
        "duration>250ms",
        "path~^/api/",
        "container=web-1",
    ] {
        let filter = FieldFilter::parse(expr).expect("a valid filter");
        let mut kept = 0;
        let t = best_of(|| {
            kept = lines
                .iter()
                .filter(|l| filter.matches(&line_fields(l)))
                .count();
        });
        filter_figures.push((expr, t, kept));
    }

    // Streaming: a live store of LIVE lines; each new line is counted, the oldest uncounted.
    let mut s_facets = Facets::new();
    let mut s_volume = Volume::new(paris_minutes);
    let mut s_requests = Requests::new();
    let count = |l: &LogLine,
                 facets: &mut Facets,
                 volume: &mut Volume,
                 requests: &mut Requests,
                 add: bool| {
        let t = l.timestamp().map_or(0, |t| t.secs);
        count_line(
            facets,
            volume,
            requests,
            l.plain_message(),
            l.container(),
            t,
            add,
        );
    };
    for l in &lines[..LIVE.min(n)] {
        count(l, &mut s_facets, &mut s_volume, &mut s_requests, true);
    }
    let start = Instant::now();
    for i in LIVE.min(n)..n {
        count(
            &lines[i],
            &mut s_facets,
            &mut s_volume,
            &mut s_requests,
            true,
        );
        count(
            &lines[i - LIVE],
            &mut s_facets,
            &mut s_volume,
            &mut s_requests,
            false,
        );
    }
    let streamed = n.saturating_sub(LIVE).max(1);
    let stream_ns = start.elapsed().as_secs_f64() * 1e9 / streamed as f64;

    // JSON lines.
    let json = json_lines(100_000);
    let start = Instant::now();
    let mut json_fields = 0usize;
    let mut j_facets = Facets::with_limits(FacetLimits::default());
    for l in &json {
        let f = fields(l);
        json_fields += f.len();
        j_facets.add(&f);
    }
    let json_ms = ms(start);

    println!("archives generated + LogLine::parse {:>8.0} ms", gen_ms);
    println!("lines                               {:>8}", n);
    println!(
        "lines with fields                   {:>8} ({:.1} fields each)",
        with_fields,
        field_count as f64 / with_fields.max(1) as f64
    );
    println!(
        "read fields (all lines)             {:>8.0} ms ({:.0} ns/line)",
        parse_ms,
        per_line(parse_ms)
    );
    println!(
        "facets + chart + requests, scratch  {:>8.0} ms ({:.0} ns/line): the viewer's model over its store, {} lines",
        viewer_ms,
        per_line(viewer_ms),
        viewer_lines
    );
    println!(
        "  the same over parsed LogLines     {:>8.0} ms ({:.0} ns/line, fields read included)",
        scratch_ms,
        per_line(scratch_ms)
    );
    println!(
        "  of which facets {:.0} ms, chart {:.0} ms (classify + count), requests {:.0} ms",
        facets_ms, volume_ms, requests_ms
    );
    println!(
        "  (not included: LogLine::timestamp() over all lines {:.0} ms; the store keeps times)",
        stamp_ms
    );
    for (expr, t, kept) in &filter_figures {
        println!(
            "filter {:<28} {:>8.0} ms ({:.0} ns/line, {} kept)",
            expr,
            t,
            per_line(*t),
            kept
        );
    }
    println!(
        "streaming, count + evict            {:>8.0} ns/line -> {:.2} ms per frame at {} lines/s, {} fps",
        stream_ns,
        stream_ns * RATE / FPS / 1e6,
        RATE,
        FPS
    );
    println!(
        "JSON lines (100k, nested + array)   {:>8.0} ms ({:.0} ns/line, {:.1} fields each, facets included)",
        json_ms,
        json_ms * 1e6 / json.len() as f64,
        json_fields as f64 / json.len() as f64
    );
    println!(
        "chart: step {} s, {} buckets",
        volume.step(),
        volume.buckets().len()
    );
    println!(
        "memory held: facets {} B ({} fields), chart {} B, requests {} B ({} rows); per line: 0 B",
        facets.approx_bytes(),
        facets.seen_fields().len(),
        volume.approx_bytes(),
        requests.approx_bytes(),
        requests
            .rows(dashboard::logs::fields::RequestColumn::Count, true)
            .len()
    );
    println!(
        "size_of::<LogLine>() {} B (unchanged: fields are not stored)",
        std::mem::size_of::<LogLine>()
    );
    let top: Vec<String> = facets
        .top("status", 5)
        .iter()
        .map(|v| format!("{}={} ({:.0}%)", v.value, v.count, v.share * 100.0))
        .collect();
    println!("top status: {}", top.join(", "));
}
