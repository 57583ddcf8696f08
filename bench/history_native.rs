//! Native benchmark of the log history store: a million lines of the sandbox's own archives
//! (Paris offsets, locally shuffled order, some `\r\n`, `[manager]` lines), split from
//! 64 KiB chunks as the browser's `DecompressionStream` yields them, then stored three ways.
//!
//! `cargo run --release --example history_bench` prints the figures; nothing is asserted
//! (the memory goal is asserted at a smaller scale by the store's own tests).

use std::time::Instant;

#[path = "archive.rs"]
mod archive;

use dashboard::logs::history::lines::LineSplitter;
use dashboard::logs::store::{Batch, LineStore, ParsedLine};

const LINES: usize = 1_000_000;
/// Chunk size of the decompressed stream.
const CHUNK: usize = 64 * 1024;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let start = Instant::now();
    let files = archive::archive_bytes(LINES);
    let gen_ms = ms(start);

    // Split each file from 64 KiB chunks; one batch of lines per chunk, as the loader will.
    let start = Instant::now();
    let mut batches: Vec<Vec<String>> = Vec::new();
    for file in &files {
        let mut splitter = LineSplitter::new();
        for chunk in file.chunks(CHUNK) {
            let mut batch = Vec::new();
            splitter.feed(chunk, |l| batch.push(l.to_owned()));
            batches.push(batch);
        }
        let mut last = Vec::new();
        let _ = splitter.finish(|l| last.push(l.to_owned()));
        batches.push(last);
    }
    let split_ms = ms(start);
    let lines: usize = batches.iter().map(Vec::len).sum();
    let text: usize = batches.iter().flatten().map(String::len).sum();
    let vec_string: usize = batches
        .iter()
        .flatten()
        .map(|l| l.capacity() + std::mem::size_of::<String>())
        .sum();

    // 1. As the history loader does: one batch per chunk, each line's time read once while
    //    splitting, one extend per batch sorting only the tail it reaches into.
    let start = Instant::now();
    let mut store = LineStore::new(LINES);
    let mut batch = Batch::new();
    for file in &files {
        let mut splitter = LineSplitter::new();
        for chunk in file.chunks(CHUNK) {
            splitter.feed(chunk, |l| batch.push(ParsedLine::parse(l)));
            store.extend_batch_evicting(&batch, &mut |_| {});
            batch.clear();
        }
        let _ = splitter.finish(|l| batch.push(ParsedLine::parse(l)));
        store.extend_batch_evicting(&batch, &mut |_| {});
        batch.clear();
    }
    let chunked_ms = ms(start);
    let used = store.bytes_used();
    let sorted = store
        .iter()
        .zip(store.iter().skip(1))
        .all(|(a, b)| a.time <= b.time);

    // 2. Worst case: every line at once in an order unrelated to time, one full sort.
    let mut all: Vec<&String> = batches.iter().flatten().collect();
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..all.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        all.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let start = Instant::now();
    let mut shuffled = LineStore::new(LINES);
    shuffled.extend(all);
    let shuffled_ms = ms(start);

    // 3. As the live store will: one insert per line, late ones by binary search.
    let start = Instant::now();
    let mut live = LineStore::new(LINES);
    for l in batches.iter().flatten() {
        live.insert(l);
    }
    let live_ms = ms(start);

    // 4. The live store at a tenth of the capacity: every line past it evicts one.
    let start = Instant::now();
    let mut ring = LineStore::new(LINES / 10);
    for l in batches.iter().flatten() {
        ring.insert(l);
    }
    let ring_ms = ms(start);

    println!(
        "archives generated        {:>10.0} ms ({} files)",
        gen_ms,
        files.len()
    );
    println!("split from 64 KiB chunks  {:>10.0} ms", split_ms);
    println!("lines                     {:>10}", lines);
    println!(
        "raw text bytes            {:>10} ({:.1} per line)",
        text,
        text as f64 / lines as f64
    );
    println!(
        "Vec<String> bytes         {:>10} ({:.2}x the text)",
        vec_string,
        vec_string as f64 / text as f64
    );
    println!("store bytes               {:>10}", used);
    println!(
        "store / raw text          {:>10.3} (goal <= 1.6)",
        used as f64 / text as f64
    );
    println!(
        "store bytes per line      {:>10.1}",
        used as f64 / lines as f64
    );
    println!("store sorted by time      {:>10}", sorted);
    println!("split + insert by chunk   {:>10.0} ms", chunked_ms);
    println!(
        "insert all shuffled, sort {:>10.0} ms (store {} bytes)",
        shuffled_ms,
        shuffled.bytes_used()
    );
    println!("insert one by one (live)  {:>10.0} ms", live_ms);
    println!(
        "live at 100k capacity     {:>10.0} ms ({} evicted, {} bytes, {:.3}x its text)",
        ring_ms,
        ring.evicted(),
        ring.bytes_used(),
        ring.bytes_used() as f64 / ring.text_bytes() as f64
    );
}
