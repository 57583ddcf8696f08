//! The viewer's state without the browser: the lines, the search, and which lines are
//! shown. The view feeds it stream events once per animation frame (or archive chunks as
//! they are read) and reads rows from it.
//!
//! Lines live in a [`LineStore`], in time order: a late line is inserted where it belongs,
//! which moves the lines after it down one place. Every line has a sequence number, its
//! place counted from the first line the model ever held, so the view keeps its place (a
//! selected line, a "new lines" count) while old lines are evicted.
//!
//! A new search does not run at once: [`Model::set_matcher`] starts it and
//! [`Model::search_step`] advances it from the oldest line to the newest, so the view can
//! search a large buffer in slices (see [`super::search`]). Rows found so far are shown
//! meanwhile; lines that arrive before the search reaches them wait for it. Lines inserted
//! before what the search has reached (late lines, older archive lines) send it back there.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::rc::Rc;

use super::fields::{self, Facets, FilterSet, Requests, Volume};
use super::line::LogLine;
use super::overlap;
use super::store::{Batch, LineStore, StoredLine};
use crate::hooks::use_log_stream::StreamEvent;
use crate::search::Matcher;

/// What a batch of events changed, for the view to keep its scroll position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Shown rows removed from the top (evicted from the buffer).
    pub removed_front: usize,
    /// Shown rows added (at the bottom, but for late lines).
    pub added: usize,
    /// The shown rows were rebuilt from scratch (reset).
    pub reset: bool,
    /// Lines were inserted before others: rows kept their numbers but may show other lines.
    pub reordered: bool,
}

/// What one entry costs the scan besides its text, in bytes, so that a slice of many
/// short lines is bounded too.
pub const ENTRY_COST: usize = 64;

/// New lines scanned at once when they arrive, if the scan has caught up; beyond this (a
/// large archive chunk, a late line far back) the view's sliced scan takes over.
const INLINE_SCAN: u64 = 20_000;

/// Minutes east of UTC at a Unix second: the zone the volume chart's buckets align to.
pub type OffsetFn = Rc<dyn Fn(i64) -> i64>;

/// Counts over the shown lines, kept as lines come and go: facets, the volume chart and the
/// requests summary (see [`super::fields`]).
pub struct Stats {
    /// Field values and their counts.
    pub facets: Facets,
    /// Lines per time bucket and severity.
    pub volume: Volume,
    /// Router requests per path.
    pub requests: Requests,
    /// Reused for a line's message without its colours.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stats")
            .field("lines", &self.facets.lines())
            .finish()
    }
}

impl Stats {
    fn new(offset: &OffsetFn, span: Option<(i64, i64)>) -> Stats {
        let o = offset.clone();
        let volume = match span {
            Some((first, last)) => Volume::with_span(move |s| o(s), first, last),
            None => Volume::new(move |s| o(s)),
        };
        Stats {
            facets: Facets::new(),
            volume,
            requests: Requests::new(),
            scratch: Vec::new(),
        }
    }

    /// Counts `line` in (`add`) or out.
    fn count(&mut self, line: &StoredLine<'_>, add: bool) {
        if !line.gap {
            let plain = line.plain_message(&mut self.scratch);
            count_plain(
                &mut self.facets,
                &mut self.volume,
                &mut self.requests,
                line,
                &plain,
                add,
            );
        }
    }

    /// [`Stats::count`] for a line (not a gap marker) whose plain message the caller
    /// already has.
    fn count_plain(&mut self, line: &StoredLine<'_>, plain: &str, add: bool) {
        count_plain(
            &mut self.facets,
            &mut self.volume,
            &mut self.requests,
            line,
            plain,
            add,
        );
    }
}

/// Counts a line (not a gap marker) with its plain message into the three counts: apart from
/// [`Stats`] so that the message may borrow the stats' own scratch buffer.
fn count_plain(
    facets: &mut Facets,
    volume: &mut Volume,
    requests: &mut Requests,
    line: &StoredLine<'_>,
    plain: &str,
    add: bool,
) {
    let secs = line.time.div_euclid(1_000_000_000);
    fields::count_line(facets, volume, requests, plain, line.container, secs, add);
}

/// Which lines are shown: the search, the field filters and a time window.
struct Keep<'a> {
    matcher: &'a Matcher,
    filters: &'a FilterSet,
    window: Option<(i64, i64)>,
}

impl Keep<'_> {
    fn all(&self) -> bool {
        self.matcher.is_everything() && self.filters.is_empty() && self.window.is_none()
    }

    /// The plain message of `line` if it is shown, `None` if not.
    ///
    /// The message is read as the store filed it ([`StoredLine::plain_message`]): the text
    /// itself for most lines, without colours in `scratch` for coloured ones, so the search
    /// reads only the message's bytes, once.
    fn keeps<'s>(&self, line: &StoredLine<'s>, scratch: &'s mut Vec<u8>) -> Option<Cow<'s, str>> {
        if line.gap {
            return None;
        }
        if let Some((from, to)) = self.window {
            if line.time < from || line.time >= to {
                return None;
            }
        }
        let plain = line.plain_message(scratch);
        let kept = self.matcher.keeps(&plain)
            && (self.filters.is_empty()
                || self
                    .filters
                    .matches(&fields::fields(&plain).with_container(line.container)));
        kept.then_some(plain)
    }
}

/// The lines, which of them are shown (search, field filters, time window) and the counts
/// over the shown ones.
///
/// One scan walks the lines in order: it decides which are shown and counts them. Lines
/// before `scan_next` are decided and counted; the others wait for [`Model::search_step`]
/// (or are scanned at once when few arrive). Every stored line is a row, without a list,
/// when nothing narrows the view.
pub struct Model {
    store: LineStore,
    /// The sequence number of the store's first line.
    base: u64,
    matcher: Matcher,
    filters: FilterSet,
    /// Shown lines' time window, `[from, to)` in Unix nanoseconds.
    window: Option<(i64, i64)>,
    /// When something narrows the view, the sequence numbers of the shown lines scanned so
    /// far, in order; empty otherwise.
    shown: VecDeque<u64>,
    /// The next sequence number the scan must examine.
    scan_next: u64,
    stats: Stats,
    offset: OffsetFn,
    /// Reused by the scan for a line's text without its colours.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("lines", &self.store.len())
            .field("shown", &self.shown_len())
            .field("scan_next", &self.scan_next)
            .finish()
    }
}

impl Model {
    /// An empty model keeping at most `capacity` lines, its chart in UTC.
    pub fn new(capacity: usize) -> Self {
        Model::with_offset(capacity, Rc::new(|_| 0))
    }

    /// An empty model whose volume chart aligns buckets to the zone `offset` gives.
    pub fn with_offset(capacity: usize, offset: OffsetFn) -> Self {
        Model {
            store: LineStore::new(capacity),
            base: 0,
            matcher: Matcher::everything(),
            filters: FilterSet::default(),
            window: None,
            shown: VecDeque::new(),
            scan_next: 0,
            stats: Stats::new(&offset, None),
            offset,
            scratch: Vec::new(),
        }
    }

    /// An empty model of `capacity` lines with this one's search, field filters and zone
    /// (not its time window): for switching between live, history and a file.
    pub fn fresh(&self, capacity: usize) -> Model {
        let mut m = Model::with_offset(capacity, self.offset.clone());
        m.matcher = self.matcher.clone();
        m.filters = self.filters.clone();
        m
    }

    /// The lines, in time order.
    pub fn store(&self) -> &LineStore {
        &self.store
    }

    /// The counts over the shown lines scanned so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The sequence number the next appended line would get.
    pub fn next_seq(&self) -> u64 {
        self.base + self.store.len() as u64
    }

    fn keep(&self) -> Keep<'_> {
        Keep {
            matcher: &self.matcher,
            filters: &self.filters,
            window: self.window,
        }
    }

    fn all_shown(&self) -> bool {
        self.keep().all()
    }

    /// Forgets every line; sequence numbers keep increasing.
    pub fn clear(&mut self) -> Applied {
        self.base = self.next_seq();
        self.store.clear();
        self.shown.clear();
        self.scan_next = self.base;
        self.stats = Stats::new(&self.offset, None);
        Applied {
            reset: true,
            ..Applied::default()
        }
    }

    /// Applies stream events in order.
    pub fn apply(&mut self, events: impl IntoIterator<Item = StreamEvent>) -> Applied {
        let mut out = Applied::default();
        let before = self.shown_len();
        for e in events {
            match e {
                StreamEvent::Reset => out = self.clear(),
                StreamEvent::Lines(lines) => {
                    for l in lines {
                        self.insert(&l, &mut out);
                    }
                }
                StreamEvent::Resync { lines, complete } => {
                    // Compare with as many shown lines as the batch could overlap, plus slack
                    // for lines that arrived out of order.
                    let window = lines.len() + 64;
                    let merged = overlap::merge(&self.store.tail_raw(window), lines, complete);
                    if merged.gap {
                        let evicted_before = self.store.evicted();
                        self.forget_front_if_full();
                        self.store.push_gap();
                        let n = (self.store.evicted() - evicted_before) as usize;
                        self.after_evicted(n, &mut out);
                    }
                    for l in merged.new_lines {
                        self.insert(&l, &mut out);
                    }
                }
            }
        }
        self.finish(before, out)
    }

    /// Stores a batch of lines in any order (an archive chunk), each where its time puts it.
    pub fn extend(&mut self, lines: &Batch) -> Applied {
        let before = self.shown_len();
        let old_len = self.store.len();
        let from = self.store.batch_position(lines);
        let mut out = Applied::default();
        if from < old_len {
            out.reordered = true;
            self.dirty_from(self.base + from as u64);
        }
        let (base, scan_next, all) = (self.base, self.scan_next, self.all_shown());
        let mut popped = 0;
        let evicted = {
            let (store, stats, shown) = (&mut self.store, &mut self.stats, &mut self.shown);
            let mut k = 0u64;
            store
                .extend_batch_evicting(lines, &mut |line| {
                    let seq = base + k;
                    k += 1;
                    popped +=
                        usize::from(uncount_evicted(stats, shown, &line, seq, scan_next, all));
                })
                .evicted
        };
        out.removed_front += popped;
        self.after_evicted(evicted, &mut out);
        // With nothing narrowing the view every line is already a row and the scan only
        // counts: an archive's chunks leave it to the view's slices, which can wait for the
        // load (counting took half the time of a 400,000-line archive).
        let scan = !self.all_shown();
        self.finish_scanning(before, out, scan)
    }

    fn finish(&mut self, before: usize, out: Applied) -> Applied {
        self.finish_scanning(before, out, true)
    }

    fn finish_scanning(&mut self, before: usize, mut out: Applied, scan: bool) -> Applied {
        if scan && self.next_seq() - self.scan_next <= INLINE_SCAN {
            self.search_to_end();
        }
        if !out.reset {
            out.added = (self.shown_len() + out.removed_front).saturating_sub(before);
        }
        out
    }

    fn insert(&mut self, raw: &str, out: &mut Applied) {
        let at = self.store.insert_position(raw);
        if at < self.store.len() {
            out.reordered = true;
            self.dirty_from(self.base + at as u64);
        }
        let evicted_before = self.store.evicted();
        let (base, scan_next, all) = (self.base, self.scan_next, self.all_shown());
        let mut popped = 0;
        {
            let (store, stats, shown) = (&mut self.store, &mut self.stats, &mut self.shown);
            let mut k = 0u64;
            let refused = store
                .insert_evicting(raw, &mut |line| {
                    let seq = base + k;
                    k += 1;
                    popped +=
                        usize::from(uncount_evicted(stats, shown, &line, seq, scan_next, all));
                })
                .is_none();
            out.removed_front += popped;
            if refused {
                // Older than everything in a full store: it was the one evicted, nothing moved.
                return;
            }
        }
        let evicted = (self.store.evicted() - evicted_before) as usize;
        self.after_evicted(evicted, out);
    }

    /// A gap marker is about to be appended to a full store: its eviction is the front
    /// line's, counted out like any.
    fn forget_front_if_full(&mut self) {
        if self.store.len() >= self.store.capacity() {
            if let Some(line) = self.store.get(0) {
                let seq = self.base;
                if seq < self.scan_next && (self.all_shown() || self.shown.front() == Some(&seq)) {
                    self.stats.count(&line, false);
                }
            }
        }
    }

    /// `n` lines left the front of the store (already counted out).
    fn after_evicted(&mut self, n: usize, out: &mut Applied) {
        if n == 0 {
            return;
        }
        self.base += n as u64;
        if self.all_shown() {
            out.removed_front += n;
        }
        while self.shown.front().is_some_and(|&s| s < self.base) {
            self.shown.pop_front();
            out.removed_front += 1;
        }
        self.scan_next = self.scan_next.max(self.base);
    }

    /// The lines from `seq` on are about to change places: what the scan decided and counted
    /// there is undone, and the scan goes back there.
    fn dirty_from(&mut self, seq: u64) {
        let all = self.all_shown();
        let end = self.scan_next;
        let mut s = seq.max(self.base);
        let mut i = self.shown.partition_point(|&x| x < seq);
        while s < end {
            let counted = if all {
                true
            } else if self.shown.get(i) == Some(&s) {
                i += 1;
                true
            } else {
                false
            };
            if counted {
                if let Some(line) = self.store.get((s - self.base) as usize) {
                    self.stats.count(&line, false);
                }
            }
            s += 1;
        }
        let keep = self.shown.partition_point(|&x| x < seq);
        self.shown.truncate(keep);
        self.scan_next = self.scan_next.min(seq.max(self.base));
    }

    /// Starts the scan over from the oldest line, with fresh counts.
    fn restart_scan(&mut self) {
        self.shown.clear();
        self.scan_next = self.base;
        let span = match (
            self.store.get(0),
            self.store.get(self.store.len().wrapping_sub(1)),
        ) {
            (Some(a), Some(b)) => Some((
                a.time.div_euclid(1_000_000_000),
                b.time.div_euclid(1_000_000_000),
            )),
            _ => None,
        };
        self.stats = Stats::new(&self.offset, span);
    }

    /// Changes the search; the scan starts over (see [`Model::search_step`]).
    pub fn set_matcher(&mut self, matcher: Matcher) {
        self.matcher = matcher;
        self.restart_scan();
    }

    /// Changes the field filters; the scan starts over.
    pub fn set_filters(&mut self, filters: FilterSet) {
        self.filters = filters;
        self.restart_scan();
    }

    /// The field filters in force.
    pub fn filters(&self) -> &FilterSet {
        &self.filters
    }

    /// Shows only lines of `[from, to)` (Unix nanoseconds), or every time; the scan starts
    /// over.
    pub fn set_window(&mut self, window: Option<(i64, i64)>) {
        self.window = window;
        self.restart_scan();
    }

    /// The time window in force.
    pub fn window(&self) -> Option<(i64, i64)> {
        self.window
    }

    /// Changes the zone the chart's buckets align to; the counts start over.
    pub fn set_offset(&mut self, offset: OffsetFn) {
        self.offset = offset;
        self.restart_scan();
    }

    /// Advances the scan over at least one line and about `max_bytes` of text (each line
    /// counting its message plus [`ENTRY_COST`]). Returns whether it has caught up with the
    /// lines; new lines are then decided as they arrive. Gap markers are rows only when
    /// nothing narrows the view.
    pub fn search_step(&mut self, max_bytes: usize) -> bool {
        let end = self.next_seq();
        let mut spent = 0;
        let Model {
            store,
            base,
            matcher,
            filters,
            window,
            shown,
            scan_next,
            stats,
            scratch,
            ..
        } = self;
        let keep = Keep {
            matcher,
            filters,
            window: *window,
        };
        let all = keep.all();
        while *scan_next < end && spent < max_bytes {
            let seq = *scan_next;
            if let Some(line) = store.get((seq - *base) as usize) {
                if !line.gap {
                    spent += line.raw.len() + ENTRY_COST;
                    if all {
                        stats.count(&line, true);
                    } else if let Some(plain) = keep.keeps(&line, scratch) {
                        shown.push_back(seq);
                        stats.count_plain(&line, &plain, true);
                    }
                }
            }
            *scan_next += 1;
        }
        // Do not keep a megabyte line's worth of memory for the next, short ones.
        for buffer in [scratch, &mut stats.scratch] {
            if buffer.capacity() > 64 * 1024 {
                *buffer = Vec::new();
            }
        }
        *scan_next >= end
    }

    /// Runs the scan to the end at once (tests, and small buffers).
    pub fn search_to_end(&mut self) {
        while !self.search_step(usize::MAX) {}
    }

    /// Whether the scan has lines left: the view keeps stepping it.
    pub fn scanning(&self) -> bool {
        self.scan_next < self.next_seq()
    }

    /// Whether a search or filter is still going through the lines (rows may be missing).
    pub fn searching(&self) -> bool {
        !self.all_shown() && self.scanning()
    }

    /// How far the running search is, in whole percent of the stored lines; `None` when no
    /// search is running.
    pub fn search_percent(&self) -> Option<u8> {
        if !self.searching() {
            return None;
        }
        let total = self.store.len() as u64;
        let done = self.scan_next.saturating_sub(self.base);
        Some((done * 100 / total.max(1)).min(99) as u8)
    }

    /// The search in force.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Whether anything narrows the view (search, field filter, time window).
    pub fn narrowed(&self) -> bool {
        !self.all_shown()
    }

    /// How many rows are shown.
    pub fn shown_len(&self) -> usize {
        if self.all_shown() {
            self.store.len()
        } else {
            self.shown.len()
        }
    }

    /// How many shown rows are lines (not gap markers).
    pub fn shown_lines(&self) -> usize {
        if self.all_shown() {
            self.store.len() - self.store.gaps()
        } else {
            self.shown.len()
        }
    }

    /// The sequence number and line (or gap marker) of shown row `row`.
    pub fn row(&self, row: usize) -> Option<(u64, StoredLine<'_>)> {
        let seq = if self.all_shown() {
            self.base + row as u64
        } else {
            *self.shown.get(row)?
        };
        Some((seq, self.line(seq)?))
    }

    /// The line (or gap marker) with sequence number `seq`, if still stored.
    pub fn line(&self, seq: u64) -> Option<StoredLine<'_>> {
        let index = seq.checked_sub(self.base)?;
        self.store.get(usize::try_from(index).ok()?)
    }

    /// The sequence number of shown row `row`.
    pub fn seq_at(&self, row: usize) -> Option<u64> {
        if self.all_shown() {
            (row < self.store.len()).then(|| self.base + row as u64)
        } else {
            self.shown.get(row).copied()
        }
    }

    /// The row showing `seq`, if shown.
    pub fn row_of(&self, seq: u64) -> Option<usize> {
        if self.all_shown() {
            let row = usize::try_from(seq.checked_sub(self.base)?).ok()?;
            (row < self.store.len()).then_some(row)
        } else {
            self.shown.binary_search(&seq).ok()
        }
    }

    /// The raw text of the shown lines, oldest first (gap markers left out).
    pub fn shown_raw(&self) -> impl Iterator<Item = &str> {
        (0..self.shown_len())
            .filter_map(|r| self.row(r))
            .filter(|(_, l)| !l.gap)
            .map(|(_, l)| l.raw)
    }

    /// The raw text of every stored line, oldest first.
    pub fn all_raw(&self) -> impl Iterator<Item = &str> {
        self.store.iter().filter(|l| !l.gap).map(|l| l.raw)
    }
}

/// Counts out an evicted line if the scan counted it, and drops it from the shown rows;
/// returns whether a shown row was dropped.
fn uncount_evicted(
    stats: &mut Stats,
    shown: &mut VecDeque<u64>,
    line: &StoredLine<'_>,
    seq: u64,
    scan_next: u64,
    all: bool,
) -> bool {
    if seq >= scan_next {
        return false;
    }
    if all {
        stats.count(line, false);
        false
    } else if shown.front() == Some(&seq) {
        shown.pop_front();
        stats.count(line, false);
        true
    } else {
        false
    }
}

/// The text of a `.log` download: one line per entry, escapes kept or stripped.
pub fn download_text<'a>(lines: impl Iterator<Item = &'a str>, strip_ansi: bool) -> String {
    let mut out = String::new();
    for raw in lines {
        if strip_ansi {
            out.push_str(&LogLine::parse(raw).plain_line());
        } else {
            out.push_str(raw);
        }
        out.push('\n');
    }
    out
}

/// One of eight colour classes for a container, stable across sessions and users.
pub fn container_class(name: &str) -> &'static str {
    const CLASSES: [&str; 8] = [
        "sld-log-c0",
        "sld-log-c1",
        "sld-log-c2",
        "sld-log-c3",
        "sld-log-c4",
        "sld-log-c5",
        "sld-log-c6",
        "sld-log-c7",
    ];
    // FNV-1a: tiny, and stable unlike std's randomly seeded hasher.
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    CLASSES[(h % 8) as usize]
}

/// What the view should do after queueing a stream event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queued {
    /// Apply the queue at the next animation frame.
    AtNextFrame,
    /// Apply it now: it holds more than the buffer keeps, and no frame came to apply it (a
    /// hidden tab gets no animation frames). The model is bounded, so applying bounds memory.
    Now,
}

/// The stream events received and not yet applied to the [`Model`], bounded so that a
/// paused view or a hidden tab cannot grow it without limit.
#[derive(Debug)]
pub struct PendingEvents {
    events: Vec<StreamEvent>,
    lines: usize,
    capacity: usize,
}

impl PendingEvents {
    /// An empty queue for a buffer keeping `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        PendingEvents {
            events: Vec::new(),
            lines: 0,
            capacity,
        }
    }

    /// Queues `event`. While paused nothing is applied, so the oldest queued lines are
    /// dropped once more than twice the capacity wait (the buffer would evict them anyway).
    pub fn push(&mut self, event: StreamEvent, paused: bool) -> Queued {
        self.lines += event_lines(&event);
        self.events.push(event);
        if !paused {
            return if self.lines > self.capacity {
                Queued::Now
            } else {
                Queued::AtNextFrame
            };
        }
        if self.lines > self.capacity * 2 {
            let mut excess = self.lines - self.capacity;
            for e in &mut self.events {
                if let StreamEvent::Lines(l) = e {
                    let cut = excess.min(l.len());
                    l.drain(..cut);
                    excess -= cut;
                    self.lines -= cut;
                }
            }
        }
        Queued::AtNextFrame
    }

    /// Takes every queued event, oldest first.
    pub fn take(&mut self) -> Vec<StreamEvent> {
        self.lines = 0;
        std::mem::take(&mut self.events)
    }

    /// Lines waiting.
    pub fn lines(&self) -> usize {
        self.lines
    }
}

fn event_lines(event: &StreamEvent) -> usize {
    match event {
        StreamEvent::Lines(l) | StreamEvent::Resync { lines: l, .. } => l.len(),
        StreamEvent::Reset => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchSpec;
    use fields::FilterSet;

    fn lines(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    fn shown(m: &Model) -> Vec<String> {
        (0..m.shown_len())
            .filter_map(|r| m.row(r))
            .map(|(_, l)| {
                if l.gap {
                    "<gap>".to_owned()
                } else {
                    l.raw.to_owned()
                }
            })
            .collect()
    }

    #[test]
    fn a_reconnect_shows_no_duplicate_and_marks_possible_gaps() {
        let mut m = Model::new(100);
        m.apply([
            StreamEvent::Reset,
            StreamEvent::Lines(lines(&["a", "b", "c"])),
        ]);
        m.apply([StreamEvent::Resync {
            lines: lines(&["b", "c", "d"]),
            complete: false,
        }]);
        assert_eq!(shown(&m), vec!["a", "b", "c", "d"]);
        m.apply([StreamEvent::Resync {
            lines: lines(&["x", "y"]),
            complete: false,
        }]);
        assert_eq!(shown(&m), vec!["a", "b", "c", "d", "<gap>", "x", "y"]);
    }

    #[test]
    fn search_filters_the_shown_rows_and_follows_new_lines() {
        let mut m = Model::new(100);
        m.apply([StreamEvent::Lines(lines(&["error 1", "ok", "error 2"]))]);
        m.set_matcher(
            Matcher::new(&SearchSpec {
                query: "error".into(),
                ..SearchSpec::default()
            })
            .expect("valid"),
        );
        m.search_to_end();
        assert_eq!(shown(&m), vec!["error 1", "error 2"]);
        let applied = m.apply([StreamEvent::Lines(lines(&["ok", "error 3"]))]);
        assert_eq!(applied.added, 1);
        assert_eq!(m.shown_lines(), 3);
        assert_eq!(m.row_of(4), Some(2));
    }

    #[test]
    fn gap_markers_are_shown_rows_but_not_lines_nor_search_results() {
        let mut m = Model::new(4);
        m.apply([StreamEvent::Lines(lines(&["a", "b"]))]);
        m.apply([StreamEvent::Resync {
            lines: lines(&["x"]),
            complete: false,
        }]);
        assert_eq!((m.shown_len(), m.shown_lines()), (4, 3));
        m.set_matcher(matcher("x"));
        m.search_to_end();
        assert_eq!(shown(&m), vec!["x"]);
        m.apply([StreamEvent::Lines(lines(&["x1", "x2", "x3"]))]);
        assert_eq!(shown(&m), vec!["x", "x1", "x2", "x3"]);
        assert_eq!(m.shown_lines(), 4);
        m.set_matcher(Matcher::everything());
        // The marker was evicted with "a" and "b".
        assert_eq!((m.shown_len(), m.shown_lines()), (4, 4));
        m.apply([StreamEvent::Reset, StreamEvent::Lines(lines(&["xy", "y"]))]);
        assert_eq!(m.shown_lines(), 2);
    }

    fn at(secs: u32, text: &str) -> String {
        format!(
            "2026-12-07 06:{:02}:{:02}.000 +0100 CET [web-1] {text}",
            secs / 60,
            secs % 60
        )
    }

    #[test]
    fn a_late_line_is_shown_where_its_time_puts_it_and_searched_again() {
        let mut m = Model::new(100);
        m.apply([StreamEvent::Lines(vec![
            at(1, "e1"),
            at(3, "ok"),
            at(5, "e5"),
        ])]);
        m.set_matcher(matcher("e"));
        m.search_to_end();
        let applied = m.apply([StreamEvent::Lines(vec![at(2, "e2")])]);
        assert!(applied.reordered);
        assert_eq!(shown(&m), vec![at(1, "e1"), at(2, "e2"), at(5, "e5")]);
        m.set_matcher(Matcher::everything());
        assert_eq!(
            m.row(1).map(|(seq, l)| (seq, l.raw.to_owned())),
            Some((1, at(2, "e2")))
        );
    }

    #[test]
    fn an_archive_chunk_in_any_order_is_shown_sorted() {
        let mut m = Model::new(100);
        m.set_matcher(matcher("e"));
        m.extend(&Batch::of([at(9, "e9"), at(2, "e2"), at(4, "ok")]));
        m.extend(&Batch::of([at(1, "e1"), at(8, "e8")]));
        assert_eq!(
            shown(&m),
            vec![at(1, "e1"), at(2, "e2"), at(8, "e8"), at(9, "e9")]
        );
        m.set_matcher(Matcher::everything());
        assert_eq!(m.shown_len(), 5);
    }

    fn matcher(query: &str) -> Matcher {
        Matcher::new(&SearchSpec {
            query: query.into(),
            ..SearchSpec::default()
        })
        .expect("valid")
    }

    #[test]
    fn a_search_advances_in_bounded_steps_and_reports_its_progress() {
        let mut m = Model::new(1000);
        let many: Vec<String> = (0..1000)
            .map(|i| format!("line {i:04} {}", "x".repeat(100)))
            .collect();
        m.apply([StreamEvent::Lines(many)]);
        m.set_matcher(matcher("line 09"));
        assert!(m.searching());
        assert_eq!(m.search_percent(), Some(0));
        // About ten entries of 175 bytes per step.
        assert!(!m.search_step(1_700));
        assert_eq!(m.search_percent(), Some(1));
        let mut steps = 1;
        while !m.search_step(1_700) {
            steps += 1;
            assert!(m.shown_lines() <= 100);
        }
        assert!((90..=110).contains(&steps), "{steps} steps");
        assert_eq!(m.search_percent(), None);
        assert_eq!(m.shown_lines(), 100);
        // A step always advances, even when one line is larger than the budget.
        m.set_matcher(matcher("line"));
        assert!(!m.search_step(1));
        assert_eq!(m.shown_lines(), 1);
    }

    #[test]
    fn lines_arriving_during_a_search_are_matched_in_order() {
        let mut m = Model::new(6);
        m.apply([StreamEvent::Lines(lines(&["e1", "ok", "e2", "ok"]))]);
        m.set_matcher(matcher("e"));
        assert!(!m.search_step(1));
        // Two new lines evict "e1" (already found) and "ok"; a gap marker comes with them.
        let applied = m.apply([
            StreamEvent::Lines(lines(&["e3"])),
            StreamEvent::Resync {
                lines: lines(&["e4"]),
                complete: false,
            },
        ]);
        // The backlog is small: the search catches up at once, in order.
        assert_eq!(applied.removed_front, 1);
        assert_eq!(shown(&m), vec!["e2", "e3", "e4"]);
        assert_eq!(m.shown_lines(), 3);
        let applied = m.apply([StreamEvent::Lines(lines(&["e5", "ok"]))]);
        assert_eq!(applied.added, 1);
        assert_eq!(shown(&m), vec!["e3", "e4", "e5"]);
    }

    #[test]
    fn a_new_search_replaces_a_running_one_from_the_start() {
        let mut m = Model::new(100);
        m.apply([StreamEvent::Lines(lines(&["a1", "b1", "a2", "b2"]))]);
        m.set_matcher(matcher("a"));
        m.search_step(1);
        m.set_matcher(matcher("b"));
        m.search_to_end();
        assert_eq!(shown(&m), vec!["b1", "b2"]);
        m.set_matcher(Matcher::everything());
        assert!(!m.searching());
        assert_eq!(m.shown_len(), 4);
    }

    #[test]
    fn evicted_lines_leave_the_shown_rows() {
        let mut m = Model::new(2);
        let applied = m.apply([StreamEvent::Lines(lines(&["a", "b", "c", "d"]))]);
        assert_eq!(shown(&m), vec!["c", "d"]);
        assert_eq!(applied.removed_front, 2);
    }

    /// A router line at `secs` past 06:00 with `status` and `path`.
    fn router(secs: u32, status: u16, path: &str) -> String {
        at(
            secs,
            &format!("method=GET path=\"{path}\" status={status} duration=0.{secs:03}s"),
        )
        .replace("[web-1]", "[router]")
    }

    fn recount(m: &Model) -> Stats {
        let mut fresh = Stats::new(&m.offset, None);
        for r in 0..m.shown_len() {
            if let Some((_, l)) = m.row(r) {
                fresh.count(&l, true);
            }
        }
        fresh
    }

    fn same_counts(a: &Stats, b: &Stats) -> Result<(), String> {
        let top = |s: &Stats, k: &str| -> Vec<(String, u64)> {
            s.facets
                .top(k, 50)
                .iter()
                .map(|v| (v.value.to_owned(), v.count))
                .collect()
        };
        for key in ["status", "path", "container", "method"] {
            if top(a, key) != top(b, key) {
                return Err(format!("{key}: {:?} != {:?}", top(a, key), top(b, key)));
            }
        }
        let lines = |s: &Stats| {
            s.volume.buckets().iter().fold([0u64; 3], |[a, b, c], k| {
                [a + k.counts[0], b + k.counts[1], c + k.counts[2]]
            })
        };
        if lines(a) != lines(b) {
            return Err(format!("volume {:?} != {:?}", lines(a), lines(b)));
        }
        let rows = |s: &Stats| -> Vec<(String, u64, u64)> {
            s.requests
                .rows(fields::RequestColumn::Path, false)
                .into_iter()
                .map(|r| (r.path, r.count, r.errors))
                .collect()
        };
        if rows(a) != rows(b) {
            return Err(format!("requests {:?} != {:?}", rows(a), rows(b)));
        }
        Ok(())
    }

    #[test]
    fn facets_follow_a_filter_and_evictions() {
        let mut m = Model::new(3);
        m.apply([StreamEvent::Lines(vec![
            router(1, 200, "/a"),
            router(2, 502, "/b"),
            router(3, 502, "/users/42"),
        ])]);
        m.set_filters(FilterSet::parse("status>=500").expect("valid"));
        m.search_to_end();
        assert_eq!(m.shown_lines(), 2);
        assert_eq!(m.stats().facets.top("status", 5)[0].count, 2);
        m.apply([StreamEvent::Lines(vec![router(4, 200, "/c")])]);
        // "/a" (not shown) was evicted; "/b" still shown.
        assert_eq!(m.stats().facets.top("status", 5)[0].count, 2);
        m.apply([StreamEvent::Lines(vec![router(5, 200, "/d")])]);
        assert_eq!(m.stats().facets.top("status", 5)[0].count, 1);
        same_counts(m.stats(), &recount(&m)).unwrap();
    }

    /// Pieces of messages that the fast search paths treat differently: colours (with
    /// and without sub-parameters), sequences that move the cursor, carriage returns, tabs,
    /// letters outside ASCII, the query's own letters split by a colour.
    const MESSAGE_PIECES: &[&str] = &[
        "status=500",
        "STATUS",
        "sta",
        "tus=5",
        "00",
        "err",
        "Échec",
        "été",
        "é",
        "\u{1b}[32m",
        "\u{1b}[0m",
        "\u{1b}[1;31m",
        "\u{1b}[m",
        "\u{1b}[38:5:1m",
        "\u{1b}[3D",
        "\u{1b}[K",
        "\r",
        "\t",
        "\u{1b}",
        "[",
        "]",
        " ",
        "x",
        "\u{1b}]8;;https://a.b/\u{7}",
    ];
    const QUERIES: &[&str] = &[
        "status=500",
        "ERR",
        "tus=5",
        "00 s",
        "été",
        "échec",
        "s.a",
        "status=5\\d\\d",
        "e",
        "5\\d",
        "[0-9]{2}",
        "ta",
    ];

    proptest::proptest! {
        #[test]
        fn the_scan_keeps_exactly_the_lines_whose_plain_message_matches(
            messages in proptest::collection::vec(
                proptest::collection::vec(0..MESSAGE_PIECES.len(), 0..8), 1..30),
            headers in proptest::collection::vec(0u8..4, 30),
            query in 0..QUERIES.len(),
            regex: bool,
            case_sensitive: bool,
            invert: bool,
        ) {
            let raws: Vec<String> = messages.iter().zip(&headers).enumerate().map(|(i, (pieces, h))| {
                let msg: String = pieces.iter().map(|&p| MESSAGE_PIECES[p]).collect();
                match h {
                    0 => at(i as u32, &msg),
                    1 => format!("2026-12-07 06:00:{:02}.000 +0100 CET {msg}", i % 60),
                    2 => format!("2026-12-07 06:00:{:02}.000 +0100 CET [\u{1b}[1mweb\u{1b}[0m] {msg}", i % 60),
                    _ => msg,
                }
            }).collect();
            let spec = SearchSpec { query: QUERIES[query].into(), regex, case_sensitive, invert };
            let Ok(matcher) = Matcher::new(&spec) else { return Ok(()) };
            let mut m = Model::new(100);
            m.extend(&Batch::of(raws));
            m.set_matcher(matcher.clone());
            while !m.search_step(50) {}
            let expected: Vec<String> = m
                .all_raw()
                .filter(|raw| matcher.keeps(&crate::logs::line::plain_message_of(raw)))
                .map(str::to_owned)
                .collect();
            proptest::prop_assert_eq!(shown(&m), expected);
            proptest::prop_assert_eq!(same_counts(m.stats(), &recount(&m)), Ok(()));
        }
    }

    proptest::proptest! {
        #[test]
        fn incremental_counts_equal_a_recount(
            ops in proptest::collection::vec((0u8..6, 0u32..120, 0usize..4, 0usize..4), 1..60),
            capacity in 3usize..40,
        ) {
            let statuses = [200u16, 404, 500, 502];
            let paths = ["/a", "/users/7", "/b", "/users/9"];
            let mut m = Model::new(capacity);
            for (op, secs, st, pa) in ops {
                let line = router(secs, statuses[st], paths[pa]);
                match op {
                    0 | 1 => { m.apply([StreamEvent::Lines(vec![line])]); }
                    2 => { m.extend(&Batch::of([line, router(secs / 2, statuses[pa], paths[st])])); }
                    3 => m.set_filters(FilterSet::parse(if st % 2 == 0 { "status>=500" } else { "" }).expect("valid")),
                    4 => m.set_matcher(if pa % 2 == 0 { matcher("users") } else { Matcher::everything() }),
                    _ => { m.search_step(200); }
                }
                if !m.scanning() {
                    proptest::prop_assert_eq!(same_counts(m.stats(), &recount(&m)), Ok(()));
                }
            }
            m.search_to_end();
            proptest::prop_assert_eq!(same_counts(m.stats(), &recount(&m)), Ok(()));
        }
    }

    #[test]
    fn downloads_keep_or_strip_escapes() {
        let l = "\u{1b}[31mred\u{1b}[0m";
        assert_eq!(download_text([l].into_iter(), true), "red\n");
        assert_eq!(download_text([l].into_iter(), false), format!("{l}\n"));
    }

    #[test]
    fn container_colours_are_stable() {
        assert_eq!(container_class("web-1"), container_class("web-1"));
        let distinct: std::collections::HashSet<_> =
            ["web-1", "web-2", "worker-1", "router", "clock-1"]
                .iter()
                .map(|c| container_class(c))
                .collect();
        assert!(distinct.len() > 1);
    }

    #[test]
    fn a_hidden_tab_applies_its_queue_once_it_holds_more_than_the_buffer_keeps() {
        let mut q = PendingEvents::new(10);
        assert_eq!(q.push(StreamEvent::Reset, false), Queued::AtNextFrame);
        assert_eq!(
            q.push(StreamEvent::Lines(lines(&["a"; 10])), false),
            Queued::AtNextFrame
        );
        assert_eq!(
            q.push(StreamEvent::Lines(lines(&["b"])), false),
            Queued::Now
        );
        assert_eq!(q.take().len(), 3);
        assert_eq!(q.lines(), 0);
    }

    #[test]
    fn a_paused_queue_keeps_at_most_twice_the_capacity_and_drops_the_oldest_lines() {
        let mut q = PendingEvents::new(10);
        for i in 0..50 {
            let line = format!("line {i}");
            assert_eq!(
                q.push(StreamEvent::Lines(vec![line]), true),
                Queued::AtNextFrame
            );
            assert!(q.lines() <= 20, "{} lines queued", q.lines());
        }
        let kept: Vec<String> = q
            .take()
            .into_iter()
            .flat_map(|e| match e {
                StreamEvent::Lines(l) => l,
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(kept.last().map(String::as_str), Some("line 49"));
        assert!(kept.len() >= 10, "the newest capacity's worth is kept");
    }
}
