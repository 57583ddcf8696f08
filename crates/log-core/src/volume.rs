//! The volume chart's model: lines per time bucket and severity, kept up to date as lines
//! arrive and are evicted, with bucket boundaries on the viewer's local clock.
//!
//! **Bucket size**: the smallest of [`STEPS`] (1 s to 1 day) that covers the span in at most
//! [`MAX_BUCKETS`] buckets; the steps are at most 5 apart, so a span of a few minutes or more
//! gets at least 24 buckets (usually 40 to 120). While streaming, a span that outgrows the
//! step moves to a coarser one by merging buckets (each step's buckets nest in the next's); a
//! span that shrinks a lot (evictions) asks for a rebuild ([`Volume::wants_rebuild`]).
//!
//! **Alignment**: boundaries fall on round local times of the viewer's time zone, given as an
//! offset function (`Fn(unix_secs) -> minutes east of UTC`, e.g. JavaScript's
//! `-Date.getTimezoneOffset()`): 5-minute buckets start at :00, :05…; hour and longer buckets
//! at local hours (3-hour ones at 00:00, 03:00…, days at local midnight). Across a daylight
//! saving change a day bucket lasts 23 or 25 hours, a 3-hour bucket 2 or 4, and the repeated
//! hour of autumn is two 1-hour buckets.
//!
//! **Severity** ([`classify`]): error for router lines with `status>=500`, a `level` of
//! error, fatal, critical, crit, panic, emerg or alert (or a number of 50 and up, as pino
//! writes them), or a message starting with `ERROR`, `FATAL`, `CRITICAL`, `PANIC`, `Error:`,
//! `panic:` and the like; warning for `status` 4xx, a `level` of warn or warning (pino 40), or
//! a message starting with `WARN`/`WARNING`/`Warning:`; info otherwise.

use std::fmt;

use super::extract::{key_eq, parse_status, Fields};
use crate::time::Timestamp;

/// Bucket sizes in seconds, finest first: 1 s, 5 s, 10 s, 30 s, 1 min, 5 min, 10 min, 30 min,
/// 1 h, 3 h, 6 h, 12 h, 1 day.
pub const STEPS: [i64; 13] = [
    1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400,
];

/// Most buckets the chart shows (a span of more than 120 days still gets 1-day buckets).
pub const MAX_BUCKETS: i64 = 120;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// How bad a line is, for the chart's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Everything else.
    Info = 0,
    /// Client errors and warnings.
    Warning = 1,
    /// Server errors and errors.
    Error = 2,
}

/// Classifies a line from its fields and its plain message, as the module documentation says:
/// an explicit `level` first, then `status`, then the message's first word.
pub fn classify(fields: &Fields<'_>, message: &str) -> Severity {
    // One pass over the fields (this runs for every line counted); the last of a repeated key
    // wins, as everywhere.
    let (mut level, mut status) = (None, None);
    for f in fields.iter() {
        let key: &str = &f.key;
        if ["level", "lvl", "severity", "log.level"]
            .iter()
            .any(|k| key_eq(key, k))
        {
            level = Some(&f.value);
        } else if key_eq(key, "status") {
            status = Some(&f.value);
        }
    }
    if let Some(s) = level.and_then(|l| level_severity(l)) {
        return s;
    }
    if let Some(status) = status.and_then(|s| parse_status(s)) {
        match status {
            500..=599 => return Severity::Error,
            400..=499 => return Severity::Warning,
            _ => {}
        }
    }
    word_severity(message)
}

fn level_severity(level: &str) -> Option<Severity> {
    let level = level.trim();
    if let Ok(n) = level.parse::<u32>() {
        // pino/bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
        return Some(match n {
            50.. => Severity::Error,
            40..=49 => Severity::Warning,
            _ => Severity::Info,
        });
    }
    const ERRORS: [&str; 10] = [
        "error",
        "err",
        "fatal",
        "critical",
        "crit",
        "panic",
        "emerg",
        "emergency",
        "alert",
        "dpanic",
    ];
    if ERRORS.iter().any(|e| level.eq_ignore_ascii_case(e)) {
        Some(Severity::Error)
    } else if level.eq_ignore_ascii_case("warn") || level.eq_ignore_ascii_case("warning") {
        Some(Severity::Warning)
    } else if level.is_empty() {
        None
    } else {
        Some(Severity::Info)
    }
}

/// The severity a message's first word gives: upper-case words alone (`ERROR x`, `[ERROR]`,
/// `ERROR:`), other cases only with a colon (`Error: x`, `panic: x`), and Ruby Logger's
/// `E, [time…]`.
fn word_severity(message: &str) -> Severity {
    // A byte search: a word ends at the first byte that is not an ASCII letter, digit or
    // `_`, as at the first such character.
    let m = message.trim_start();
    let m = m.strip_prefix('[').unwrap_or(m);
    let end = m
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(m.len());
    let (word, after) = m.split_at(end);
    let colon = after.starts_with(':');
    // Every word below but the colon ones starts with a capital: most lines stop here.
    if !colon && !word.bytes().next().is_some_and(|b| b.is_ascii_uppercase()) {
        return Severity::Info;
    }
    const UPPER_ERRORS: [&str; 7] = [
        "ERROR", "FATAL", "CRITICAL", "CRIT", "PANIC", "EMERG", "ALERT",
    ];
    const COLON_ERRORS: [&str; 3] = ["error", "fatal", "panic"];
    if UPPER_ERRORS.contains(&word)
        || (colon && COLON_ERRORS.iter().any(|e| word.eq_ignore_ascii_case(e)))
    {
        return Severity::Error;
    }
    if word == "WARN"
        || word == "WARNING"
        || (colon && (word.eq_ignore_ascii_case("warning") || word.eq_ignore_ascii_case("warn")))
    {
        return Severity::Warning;
    }
    // Ruby's Logger: `E, [2026-12-07T06:12:03.123 #12] ERROR -- : boom`.
    match (word, after.starts_with(", [")) {
        ("E" | "F", true) => Severity::Error,
        ("W", true) => Severity::Warning,
        _ => Severity::Info,
    }
}

/// The smallest step of [`STEPS`] that covers `span_secs` in at most [`MAX_BUCKETS`] buckets
/// (1 day for longer spans).
pub fn step_for_span(span_secs: i64) -> i64 {
    STEPS
        .iter()
        .copied()
        .find(|&s| span_secs.max(1) <= s * MAX_BUCKETS)
        .unwrap_or(DAY)
}

/// One bar of the chart: `[start, end)` in Unix seconds (UTC), and its lines by severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// First second of the bucket, Unix seconds.
    pub start: i64,
    /// First second after it; `end - start` is the step except across a DST change.
    pub end: i64,
    /// Lines per severity, indexed by `Severity as usize` (info, warning, error).
    pub counts: [u64; 3],
}

impl Bucket {
    /// Lines in the bucket.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Lines per bucket and severity (see the module documentation).
pub struct Volume {
    offset: Box<dyn Fn(i64) -> i64>,
    step: i64,
    /// (bucket start, counts) sorted by start, no all-zero entry: at most about
    /// [`MAX_BUCKETS`] entries, so a sorted `Vec` rather than a `BTreeMap` and its wasm code.
    counts: Vec<(i64, [u64; 3])>,
    lines: u64,
    /// The last two buckets looked up, `[start, end)` in Unix seconds, newest first: one for
    /// arriving lines and one for evicted ones.
    cache: [Option<(i64, i64)>; 2],
}

impl fmt::Debug for Volume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Volume")
            .field("step", &self.step)
            .field("buckets", &self.counts.len())
            .field("lines", &self.lines)
            .finish_non_exhaustive()
    }
}

impl Volume {
    /// An empty chart in the time zone `offset` gives (minutes east of UTC at a Unix second),
    /// starting at 1-second buckets and coarsening as lines spread.
    pub fn new(offset: impl Fn(i64) -> i64 + 'static) -> Volume {
        Volume {
            offset: Box::new(offset),
            step: STEPS[0],
            counts: Vec::new(),
            lines: 0,
            cache: [None; 2],
        }
    }

    /// An empty chart whose step already suits lines from `first` to `last` (Unix seconds), for
    /// a rebuild over stored lines: no merging on the way.
    pub fn with_span(offset: impl Fn(i64) -> i64 + 'static, first: i64, last: i64) -> Volume {
        let mut v = Volume::new(offset);
        v.step = step_for_span(last.saturating_sub(first).saturating_add(1));
        v
    }

    /// The bucket size in seconds (nominal: a day bucket is 23 or 25 hours across DST).
    pub fn step(&self) -> i64 {
        self.step
    }

    /// Lines counted.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Counts a line at `secs` (Unix seconds).
    pub fn add(&mut self, secs: i64, severity: Severity) {
        if let (Some(&(first, _)), Some(&(last, _))) = (self.counts.first(), self.counts.last()) {
            let span = (last + self.step).max(secs + 1) - first.min(secs);
            if span > self.step * MAX_BUCKETS && self.step < DAY {
                self.coarsen(step_for_span(span));
            }
        }
        let key = self.bucket_start(secs);
        self.slot(key)[severity as usize] += 1;
        self.lines += 1;
    }

    /// Uncounts a line counted at `secs` with `severity` (an evicted line).
    pub fn remove(&mut self, secs: i64, severity: Severity) {
        let key = self.bucket_start(secs);
        if let Ok(at) = self.counts.binary_search_by_key(&key, |e| e.0) {
            let c = &mut self.counts[at].1;
            if c[severity as usize] > 0 {
                c[severity as usize] -= 1;
                self.lines -= 1;
            }
            if *c == [0; 3] {
                self.counts.remove(at);
            }
        }
        if self.counts.is_empty() {
            // Nothing left to merge: start fine again, as a new chart would.
            self.clear();
        }
    }

    /// Forgets every count and goes back to 1-second buckets.
    pub fn clear(&mut self) {
        self.counts.clear();
        self.lines = 0;
        self.step = STEPS[0];
        self.cache = [None; 2];
    }

    /// Whether the lines left span so little that a finer step would show them better: the
    /// caller then rebuilds with [`Volume::with_span`] over the stored lines.
    pub fn wants_rebuild(&self) -> bool {
        match (self.counts.first(), self.counts.last()) {
            (Some(&(first, _)), Some(&(last, _))) => {
                // Two steps finer, so a span near a threshold does not rebuild back and forth.
                let ideal = step_for_span(last + self.step - first);
                let i = STEPS.iter().position(|&s| s == ideal).unwrap_or(0);
                let now = STEPS.iter().position(|&s| s == self.step).unwrap_or(0);
                i + 2 <= now
            }
            _ => false,
        }
    }

    /// Every bucket from the first line's to the last line's, empty ones included, oldest first.
    pub fn buckets(&self) -> Vec<Bucket> {
        let (Some(&(first, _)), Some(&(last, _))) = (self.counts.first(), self.counts.last())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut start = first;
        let mut counted = self.counts.iter().peekable();
        while start <= last {
            let end = self.next_boundary(start);
            let counts = match counted.peek() {
                Some(&&(s, c)) if s == start => {
                    counted.next();
                    c
                }
                _ => [0; 3],
            };
            out.push(Bucket { start, end, counts });
            start = end;
        }
        out
    }

    /// The chart as text, one row per non-empty bucket, for screen readers and the chart's
    /// table view: `2026-12-07 06:10:00 – 06:15:00: 1204 lines, 3 errors, 12 warnings`.
    pub fn text_rows(&self) -> Vec<String> {
        self.buckets()
            .into_iter()
            .filter(|b| b.total() > 0)
            .map(|b| {
                let start = self.local_text(b.start);
                let end = self.local_text(b.end);
                // The end's date only when it differs from the start's.
                let end = if end[..10] == start[..10] {
                    &end[11..]
                } else {
                    &end[..]
                };
                format!(
                    "{start} – {end}: {} {}, {} {}, {} {}",
                    b.total(),
                    plural(b.total(), "line", "lines"),
                    b.counts[Severity::Error as usize],
                    plural(b.counts[Severity::Error as usize], "error", "errors"),
                    b.counts[Severity::Warning as usize],
                    plural(b.counts[Severity::Warning as usize], "warning", "warnings"),
                )
            })
            .collect()
    }

    /// An estimate of the heap bytes held, for the benchmark.
    pub fn approx_bytes(&self) -> usize {
        self.counts.len() * (8 + 24 + 16)
    }

    fn local_text(&self, secs: i64) -> String {
        let mut t = Timestamp { secs, nanos: 0 }.format((self.offset)(secs));
        t.truncate(19);
        t
    }

    fn offset_secs(&self, t: i64) -> i64 {
        (self.offset)(t) * 60
    }

    /// Re-buckets every count at the coarser `step`.
    fn coarsen(&mut self, step: i64) {
        self.step = step;
        self.cache = [None; 2];
        let old = std::mem::take(&mut self.counts);
        for (start, c) in old {
            let key = self.bucket_start(start);
            for (s, n) in self.slot(key).iter_mut().zip(c) {
                *s += n;
            }
        }
    }

    /// The counts of the bucket starting at `key`, made empty if it has none yet. Lines
    /// arrive mostly in time order, so the search usually ends at the last bucket.
    fn slot(&mut self, key: i64) -> &mut [u64; 3] {
        let at = match self.counts.last() {
            Some(&(last, _)) if last == key => self.counts.len() - 1,
            Some(&(last, _)) if last < key => {
                self.counts.push((key, [0; 3]));
                self.counts.len() - 1
            }
            None => {
                self.counts.push((key, [0; 3]));
                0
            }
            _ => match self.counts.binary_search_by_key(&key, |e| e.0) {
                Ok(at) => at,
                Err(at) => {
                    self.counts.insert(at, (key, [0; 3]));
                    at
                }
            },
        };
        &mut self.counts[at].1
    }

    /// The UTC start of the bucket holding `t`, through the two-bucket cache: lines in the
    /// buckets looked up last (most of them: lines arrive in or near time order and are
    /// evicted oldest first) cost no offset look-up, which matters when the offset function
    /// calls into JavaScript's `Date`.
    fn bucket_start(&mut self, t: i64) -> i64 {
        for &(start, end) in self.cache.iter().flatten() {
            if (start..end).contains(&t) {
                return start;
            }
        }
        let start = self.bucket_start_uncached(t);
        self.cache = [Some((start, self.next_boundary(start))), self.cache[0]];
        start
    }

    /// The UTC start of the bucket holding `t`: the latest instant at or before `t` whose local
    /// time is on the step's grid.
    fn bucket_start_uncached(&self, t: i64) -> i64 {
        let off = self.offset_secs(t);
        let local = t + off;
        if self.step < HOUR {
            return self.sub_hour_start(local, off);
        }
        self.local_to_utc(self.local_grid(local), t)
    }

    /// Steps under an hour divide it, and offsets change by whole hours or half hours, so the
    /// local grid start is the same instant whichever offset reads it.
    fn sub_hour_start(&self, local: i64, off: i64) -> i64 {
        local - local.rem_euclid(self.step) - off
    }

    /// The local grid time at or before the local time `local` (hour and longer steps divide a
    /// day).
    fn local_grid(&self, local: i64) -> i64 {
        let sod = local.rem_euclid(DAY);
        local - sod + sod / self.step * self.step
    }

    /// The latest instant at or before `t` whose local time is `l`; across a spring-forward gap
    /// that skips `l`, the instant the clock jumps past it.
    fn local_to_utc(&self, l: i64, t: i64) -> i64 {
        let step = self.step;
        let lo = t - step - 3 * HOUR;
        let mut best: Option<i64> = None;
        for probe in [t, t - step / 2, t - step, lo] {
            let c = l - self.offset_secs(probe);
            if c <= t && c + self.offset_secs(c) == l {
                best = Some(best.map_or(c, |b: i64| b.max(c)));
            }
        }
        if let Some(b) = best {
            return b;
        }
        // A gap: the first instant in (lo, t] whose local time is at least `l`.
        let (mut lo, mut hi) = (lo, t);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if mid + self.offset_secs(mid) >= l {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    }

    /// The first instant after `start` (a bucket start) that is in another bucket.
    fn next_boundary(&self, start: i64) -> i64 {
        let e = start + self.step;
        if self.step < HOUR {
            return e;
        }
        // Usually the nominal end; across a DST change, search (bucket starts only grow).
        if self.bucket_start_uncached(e - 1) == start && self.bucket_start_uncached(e) != start {
            return e;
        }
        let (mut lo, mut hi) = (start, e + 3 * HOUR);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.bucket_start_uncached(mid) == start {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fields;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn at(text: &str) -> i64 {
        Timestamp::parse(text).expect("a time").secs
    }

    /// Europe/Paris in 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
    fn paris(t: i64) -> i64 {
        let spring = 1_774_746_000; // 2026-03-29 01:00:00 UTC
        let autumn = 1_792_890_000; // 2026-10-25 01:00:00 UTC
        if (spring..autumn).contains(&t) {
            120
        } else {
            60
        }
    }

    #[test]
    fn the_paris_rule_of_the_tests_is_right() {
        assert_eq!(at("2026-03-29 01:00:00 +0000 UTC"), 1_774_746_000);
        assert_eq!(at("2026-10-25 01:00:00 +0000 UTC"), 1_792_890_000);
    }

    #[test]
    fn the_step_is_the_smallest_that_fits_in_120_buckets() {
        assert_eq!(step_for_span(0), 1);
        assert_eq!(step_for_span(120), 1);
        assert_eq!(step_for_span(121), 5);
        assert_eq!(step_for_span(3600), 30);
        assert_eq!(step_for_span(86_400), 1800);
        assert_eq!(step_for_span(30 * 86_400), 21_600);
        assert_eq!(step_for_span(400 * 86_400), 86_400);
        for span in [60, 600, 7200, 86_400, 7 * 86_400, 60 * 86_400] {
            let n = span / step_for_span(span);
            assert!((24..=120).contains(&n), "{span}: {n} buckets");
        }
    }

    fn starts(v: &Volume) -> Vec<(i64, i64)> {
        v.buckets()
            .iter()
            .map(|b| (b.start, b.end - b.start))
            .collect()
    }

    #[test]
    fn minute_buckets_start_on_round_local_minutes() {
        let mut v = Volume::with_span(|_| 330, 0, 3 * 3600); // India, +05:30: 5-min buckets
        assert_eq!(v.step(), 300);
        let t = at("2026-01-01 05:33:20 +0530 IST");
        v.add(t, Severity::Info);
        assert_eq!(starts(&v), [(at("2026-01-01 05:30:00 +0530 IST"), 300)]);
    }

    #[test]
    fn hour_buckets_start_on_local_hours() {
        let mut v = Volume::with_span(|_| 330, 0, 4 * 86_400);
        assert_eq!(v.step(), 3600);
        v.add(at("2026-01-01 00:10:00 +0000 UTC"), Severity::Info);
        // 00:10 UTC is 05:40 in India: the bucket starts at 05:00 there, 23:30 UTC.
        assert_eq!(starts(&v), [(at("2025-12-31 23:30:00 +0000 UTC"), 3600)]);
    }

    #[test]
    fn a_day_bucket_lasts_23_hours_in_spring_and_25_in_autumn() {
        let mut v = Volume::with_span(paris, 0, 200 * 86_400);
        assert_eq!(v.step(), 86_400);
        for day in ["28", "29", "30"] {
            v.add(
                at(&format!("2026-03-{day} 12:00:00 +0000 UTC")),
                Severity::Info,
            );
        }
        assert_eq!(
            starts(&v),
            [
                (at("2026-03-28 00:00:00 +0100 CET"), 86_400),
                (at("2026-03-29 00:00:00 +0100 CET"), 23 * 3600),
                (at("2026-03-30 00:00:00 +0200 CEST"), 86_400),
            ]
        );
        let mut v = Volume::with_span(paris, 0, 200 * 86_400);
        for day in ["24", "25", "26"] {
            v.add(
                at(&format!("2026-10-{day} 12:00:00 +0000 UTC")),
                Severity::Info,
            );
        }
        assert_eq!(
            starts(&v),
            [
                (at("2026-10-24 00:00:00 +0200 CEST"), 86_400),
                (at("2026-10-25 00:00:00 +0200 CEST"), 25 * 3600),
                (at("2026-10-26 00:00:00 +0100 CET"), 86_400),
            ]
        );
    }

    #[test]
    fn the_repeated_autumn_hour_is_two_hour_buckets() {
        let mut v = Volume::with_span(paris, 0, 4 * 86_400);
        assert_eq!(v.step(), 3600);
        // 02:30 CEST, then 02:30 CET an hour later.
        let first = at("2026-10-25 02:30:00 +0200 CEST");
        let second = at("2026-10-25 02:30:00 +0100 CET");
        v.add(first, Severity::Error);
        v.add(second, Severity::Info);
        assert_eq!(
            starts(&v),
            [
                (at("2026-10-25 02:00:00 +0200 CEST"), 3600),
                (at("2026-10-25 02:00:00 +0100 CET"), 3600),
            ]
        );
        assert_eq!(v.buckets()[0].counts, [0, 0, 1]);
        assert_eq!(v.buckets()[1].counts, [1, 0, 0]);
    }

    #[test]
    fn a_three_hour_bucket_over_the_spring_change_lasts_two_hours() {
        let mut v = Volume::with_span(paris, 0, 12 * 86_400);
        assert_eq!(v.step(), 10_800);
        v.add(at("2026-03-29 00:30:00 +0100 CET"), Severity::Info);
        v.add(at("2026-03-29 03:30:00 +0200 CEST"), Severity::Info);
        assert_eq!(
            starts(&v),
            [
                (at("2026-03-29 00:00:00 +0100 CET"), 2 * 3600),
                (at("2026-03-29 03:00:00 +0200 CEST"), 3 * 3600),
            ]
        );
    }

    #[test]
    fn a_midnight_skipped_by_the_clock_starts_the_day_when_the_clock_jumps() {
        // A zone whose clocks go from 00:00 straight to 01:00 on 2026-03-29 (UTC+0 to UTC+1).
        let jump = at("2026-03-29 00:00:00 +0000 UTC");
        let zone = move |t: i64| if t < jump { 0 } else { 60 };
        let mut v = Volume::with_span(zone, 0, 200 * 86_400);
        v.add(at("2026-03-29 12:00:00 +0000 UTC"), Severity::Info);
        assert_eq!(starts(&v), [(jump, 23 * 3600)]);
    }

    #[test]
    fn streaming_coarsens_the_step_and_keeps_every_line() {
        let mut v = Volume::new(paris);
        let t0 = at("2026-12-07 06:00:00 +0100 CET");
        for i in 0..7200 {
            v.add(
                t0 + i,
                if i % 10 == 0 {
                    Severity::Error
                } else {
                    Severity::Info
                },
            );
        }
        assert_eq!(v.step(), 60);
        let b = v.buckets();
        assert_eq!(b.len(), 120);
        assert_eq!(b.iter().map(Bucket::total).sum::<u64>(), 7200);
        assert!(b.iter().all(|b| b.counts == [54, 0, 6]));
        assert_eq!(b[0].start, t0);
        assert!(!v.wants_rebuild());
        for i in 0..7000 {
            v.remove(
                t0 + i,
                if i % 10 == 0 {
                    Severity::Error
                } else {
                    Severity::Info
                },
            );
        }
        assert_eq!(v.lines(), 200);
        assert!(v.wants_rebuild(), "200 s left in 1-minute buckets");
    }

    #[test]
    fn the_text_alternative_lists_non_empty_buckets() {
        let mut v = Volume::with_span(paris, 0, 599);
        let t0 = at("2026-12-07 06:10:00 +0100 CET");
        v.add(t0, Severity::Error);
        v.add(t0 + 1, Severity::Warning);
        v.add(t0 + 2, Severity::Info);
        v.add(t0 + 30, Severity::Info);
        assert_eq!(v.step(), 5);
        assert_eq!(
            v.text_rows(),
            [
                "2026-12-07 06:10:00 – 06:10:05: 3 lines, 1 error, 1 warning",
                "2026-12-07 06:10:30 – 06:10:35: 1 line, 0 errors, 0 warnings",
            ]
        );
        assert_eq!(v.buckets().len(), 7, "empty buckets between are drawn");
    }

    #[test]
    fn severities_come_from_level_status_or_the_first_word() {
        let s = |m: &str| classify(&fields(m), m);
        use Severity::*;
        assert_eq!(s("method=GET path=/ status=502 duration=1s"), Error);
        assert_eq!(s("method=GET path=/ status=404"), Warning);
        assert_eq!(s("method=GET path=/ status=200"), Info);
        assert_eq!(s(r#"{"level":"error","msg":"x"}"#), Error);
        assert_eq!(s(r#"{"level":"FATAL"}"#), Error);
        assert_eq!(s(r#"{"level":"warn"}"#), Warning);
        assert_eq!(s(r#"{"level":50}"#), Error);
        assert_eq!(s(r#"{"level":40}"#), Warning);
        assert_eq!(s(r#"{"level":"info","msg":"ERROR in text"}"#), Info);
        assert_eq!(s("level=debug status=500"), Info, "the level decides");
        assert_eq!(s("ERROR NoMethodError: undefined method"), Error);
        assert_eq!(s("ERROR:  duplicate key value"), Error);
        assert_eq!(s("[ERROR] boom"), Error);
        assert_eq!(s("Error: ENOENT"), Error);
        assert_eq!(s("panic: runtime error: index out of range"), Error);
        assert_eq!(s("FATAL:  the database system is starting up"), Error);
        assert_eq!(s("E, [2026-12-07T06:12:03.123 #12] ERROR -- : boom"), Error);
        assert_eq!(s("WARN  slow query (512 ms)"), Warning);
        assert_eq!(s("WARNING:  there is no transaction in progress"), Warning);
        assert_eq!(s("W, [2026-12-07T06:12:03.123 #12]  WARN -- : hm"), Warning);
        assert_eq!(s("Errors are fine in the middle"), Info);
        assert_eq!(s("error handling is done"), Info);
        assert_eq!(s("ERRORS_TOTAL=3 ok=1"), Info);
        assert_eq!(s("INFO  [puma] Completed 200 OK in 12ms"), Info);
        assert_eq!(s("\tfrom app/models/invoice.rb:57"), Info);
    }

    #[test]
    fn debug_output_names_the_step() {
        let v = Volume::new(|_| 0);
        assert!(format!("{v:?}").contains("step: 1"));
    }

    proptest! {
        #[test]
        fn incremental_counts_equal_a_recount(
            times in proptest::collection::vec((0i64..400 * 86_400, 0usize..3), 1..80),
            keep in 0usize..40,
        ) {
            let base = at("2026-01-01 00:00:00 +0000 UTC");
            let sev = |i: usize| [Severity::Info, Severity::Warning, Severity::Error][i];
            let mut v = Volume::new(paris);
            let mut live: Vec<(i64, usize)> = Vec::new();
            for &(t, s) in &times {
                v.add(base + t, sev(s));
                live.push((base + t, s));
                if live.len() > keep {
                    let (t, s) = live.remove(0);
                    v.remove(t, sev(s));
                }
            }
            let mut fresh = Volume::new(paris);
            fresh.step = v.step();
            let mut want: BTreeMap<i64, [u64; 3]> = BTreeMap::new();
            for &(t, s) in &live {
                want.entry(fresh.bucket_start_uncached(t)).or_insert([0; 3])[s] += 1;
            }
            let got: BTreeMap<i64, [u64; 3]> = v
                .buckets()
                .into_iter()
                .filter(|b| b.total() > 0)
                .map(|b| (b.start, b.counts))
                .collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(v.lines(), live.len() as u64);
            prop_assert!(v.buckets().len() as i64 <= MAX_BUCKETS + 1 || v.step() == DAY);
        }

        #[test]
        fn buckets_tile_time_without_gaps(
            first in 0i64..365 * 86_400,
            len in 1i64..200 * 86_400,
        ) {
            let base = at("2026-01-01 00:00:00 +0000 UTC") + first;
            let mut v = Volume::with_span(paris, base, base + len);
            v.add(base, Severity::Info);
            v.add(base + len, Severity::Info);
            let b = v.buckets();
            prop_assert!(b[0].start <= base && base < b[0].end);
            for w in b.windows(2) {
                prop_assert_eq!(w[0].end, w[1].start);
                prop_assert!(w[0].end - w[0].start >= v.step() - 3600);
                prop_assert!(w[0].end - w[0].start <= v.step() + 3600);
            }
            let last = b.last().expect("a bucket");
            prop_assert!(last.start <= base + len && base + len < last.end);
        }
    }
}
