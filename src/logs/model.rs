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

use std::collections::VecDeque;

use super::line::{plain_message_of, LogLine};
use super::overlap;
use super::store::{LineStore, StoredLine};
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

/// What one entry costs the search besides its text, in bytes, so that a slice of many
/// short lines is bounded too.
pub const ENTRY_COST: usize = 64;

/// New lines matched at once when they arrive, if the search has caught up; beyond this
/// (a large archive chunk, a late line far back) the view's sliced search takes over.
const INLINE_SCAN: u64 = 20_000;

/// The lines + search + the sequence numbers of the shown lines.
#[derive(Debug)]
pub struct Model {
    store: LineStore,
    /// The sequence number of the store's first line.
    base: u64,
    matcher: Matcher,
    /// With [`Matcher::everything`], every stored entry is shown and this stays empty;
    /// otherwise the sequence numbers of the matching lines found so far, in order.
    shown: VecDeque<u64>,
    /// The next sequence number the search must examine: the end of the store once the
    /// search has caught up.
    scan_next: u64,
}

impl Model {
    /// An empty model keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Model {
            store: LineStore::new(capacity),
            base: 0,
            matcher: Matcher::everything(),
            shown: VecDeque::new(),
            scan_next: 0,
        }
    }

    /// The lines, in time order.
    pub fn store(&self) -> &LineStore {
        &self.store
    }

    /// The sequence number the next appended line would get: how many lines the model
    /// received, less those inserted before others.
    pub fn next_seq(&self) -> u64 {
        self.base + self.store.len() as u64
    }

    fn all_shown(&self) -> bool {
        self.matcher.is_everything()
    }

    /// Forgets every line; sequence numbers keep increasing.
    pub fn clear(&mut self) -> Applied {
        self.base = self.next_seq();
        self.store.clear();
        self.shown.clear();
        self.scan_next = self.base;
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
                    if merged.gap && self.store.push_gap().is_some() {
                        self.after_append(&mut out);
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
    pub fn extend<S: AsRef<str>>(&mut self, lines: impl IntoIterator<Item = S>) -> Applied {
        let before = self.shown_len();
        let old_len = self.store.len();
        let done = self.store.extend(lines);
        let mut out = Applied::default();
        self.evicted(done.evicted, &mut out);
        if done.from < old_len.saturating_sub(done.evicted) {
            out.reordered = true;
            self.dirty_from(self.base + done.from as u64);
        }
        self.finish(before, out)
    }

    fn finish(&mut self, before: usize, mut out: Applied) -> Applied {
        if !self.all_shown() && self.next_seq() - self.scan_next <= INLINE_SCAN {
            self.search_to_end();
        }
        if !out.reset {
            out.added = (self.shown_len() + out.removed_front).saturating_sub(before);
        }
        out
    }

    fn insert(&mut self, raw: &str, out: &mut Applied) {
        let evicted_before = self.store.evicted();
        let Some(at) = self.store.insert(raw) else {
            // Older than everything in a full store: refused, nothing moved.
            return;
        };
        let evicted = (self.store.evicted() - evicted_before) as usize;
        self.evicted(evicted, out);
        if at + 1 < self.store.len() {
            out.reordered = true;
            self.dirty_from(self.base + at as u64);
        } else {
            self.after_append(out);
        }
    }

    /// A line or marker was appended: with every line shown there is nothing to do; the
    /// search reaches it in [`Model::finish`] or in its next step.
    fn after_append(&mut self, _out: &mut Applied) {
        if self.all_shown() {
            self.scan_next = self.next_seq();
        }
    }

    /// `n` lines left the front of the store.
    fn evicted(&mut self, n: usize, out: &mut Applied) {
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

    /// The lines from `seq` on changed places: what the search found there is forgotten
    /// and it goes back there.
    fn dirty_from(&mut self, seq: u64) {
        if self.all_shown() {
            self.scan_next = self.next_seq();
            return;
        }
        let keep = self.shown.partition_point(|&s| s < seq);
        self.shown.truncate(keep);
        self.scan_next = self.scan_next.min(seq);
    }

    /// Changes the search. Showing every entry is immediate; any other search starts over
    /// from the oldest line and advances with [`Model::search_step`].
    pub fn set_matcher(&mut self, matcher: Matcher) {
        self.matcher = matcher;
        self.shown.clear();
        self.scan_next = if self.all_shown() {
            self.next_seq()
        } else {
            self.base
        };
    }

    /// Advances the search over at least one line and about `max_bytes` of text (each line
    /// counting its message plus [`ENTRY_COST`]). Returns whether the search has caught up
    /// with the lines; new lines are then matched as they arrive. Gap markers are not
    /// search results.
    pub fn search_step(&mut self, max_bytes: usize) -> bool {
        let end = self.next_seq();
        let mut spent = 0;
        while self.scan_next < end && spent < max_bytes {
            let seq = self.scan_next;
            let keep = match self.store.get((seq - self.base) as usize) {
                Some(l) if !l.gap => {
                    let text = plain_message_of(l.raw);
                    spent += text.len() + ENTRY_COST;
                    self.matcher.keeps(&text)
                }
                _ => false,
            };
            if keep {
                self.shown.push_back(seq);
            }
            self.scan_next += 1;
        }
        self.scan_next >= end
    }

    /// Runs the search to the end at once (tests, and small buffers).
    pub fn search_to_end(&mut self) {
        while !self.search_step(usize::MAX) {}
    }

    /// Whether a search is still going through the lines.
    pub fn searching(&self) -> bool {
        self.scan_next < self.next_seq()
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
        m.extend([at(9, "e9"), at(2, "e2"), at(4, "ok")]);
        m.extend([at(1, "e1"), at(8, "e8")]);
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
