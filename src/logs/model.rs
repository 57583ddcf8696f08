//! The viewer's state without the browser: the buffer, the search, and which entries are
//! shown. The view feeds it stream events once per animation frame and reads rows from it.
//!
//! A new search does not run at once: [`Model::set_matcher`] starts it and
//! [`Model::search_step`] advances it from the oldest buffered entry to the newest, so the
//! view can search a large buffer in slices (see [`super::search`]). Rows found so far are
//! shown meanwhile; lines that arrive before the search reaches them wait for it.

use std::collections::VecDeque;

use super::buffer::{Entry, RingBuffer};
use super::line::LogLine;
use super::overlap;
use crate::hooks::use_log_stream::StreamEvent;
use crate::search::Matcher;

/// What a batch of events changed, for the view to keep its scroll position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Shown rows removed from the top (evicted from the buffer).
    pub removed_front: usize,
    /// Shown rows added at the bottom.
    pub added: usize,
    /// The shown rows were rebuilt from scratch (reset).
    pub reset: bool,
}

/// What one entry costs the search besides its text, in bytes, so that a slice of many
/// short lines is bounded too.
pub const ENTRY_COST: usize = 64;

/// Buffer + search + the sequence numbers of the shown entries.
#[derive(Debug)]
pub struct Model {
    buffer: RingBuffer,
    matcher: Matcher,
    shown: VecDeque<u64>,
    /// Sequence numbers of the gap markers in the buffer (always shown), so the count of
    /// shown lines is a subtraction instead of a walk over 50,000 rows every frame.
    gaps: VecDeque<u64>,
    /// The next sequence number the search must examine: [`RingBuffer::next_seq`] once the
    /// search has caught up with the buffer.
    scan_next: u64,
}

impl Model {
    /// An empty model keeping at most `capacity` lines.
    pub fn new(capacity: usize) -> Self {
        Model {
            buffer: RingBuffer::new(capacity),
            matcher: Matcher::everything(),
            shown: VecDeque::new(),
            gaps: VecDeque::new(),
            scan_next: 0,
        }
    }

    /// The buffer.
    pub fn buffer(&self) -> &RingBuffer {
        &self.buffer
    }

    /// Applies stream events in order.
    pub fn apply(&mut self, events: impl IntoIterator<Item = StreamEvent>) -> Applied {
        let mut out = Applied::default();
        for e in events {
            match e {
                StreamEvent::Reset => {
                    self.buffer.clear();
                    self.shown.clear();
                    self.gaps.clear();
                    self.scan_next = self.buffer.next_seq();
                    out = Applied {
                        reset: true,
                        ..Applied::default()
                    };
                }
                StreamEvent::Lines(lines) => {
                    for l in lines {
                        self.push(Entry::Line(LogLine::parse(l)), &mut out);
                    }
                }
                StreamEvent::Resync { lines, complete } => {
                    // Compare with as many shown lines as the batch could overlap, plus slack
                    // for lines that arrived out of order.
                    let window = lines.len() + 64;
                    let merged = overlap::merge(&self.buffer.tail_raw(window), lines, complete);
                    if merged.gap {
                        self.push(Entry::Gap, &mut out);
                    }
                    for l in merged.new_lines {
                        self.push(Entry::Line(LogLine::parse(l)), &mut out);
                    }
                }
            }
        }
        out
    }

    fn push(&mut self, entry: Entry, out: &mut Applied) {
        // While a search runs, new entries wait for it to reach them, so rows stay in order.
        let caught_up = !self.searching();
        let (keep, gap) = match &entry {
            Entry::Gap => (caught_up, true),
            Entry::Line(l) => (caught_up && self.matcher.keeps(l.plain_message()), false),
        };
        let seq = self.buffer.push(entry);
        let first = self.buffer.first_seq();
        if caught_up {
            self.scan_next = self.buffer.next_seq();
        }
        self.scan_next = self.scan_next.max(first);
        if gap {
            self.gaps.push_back(seq);
        }
        while self.gaps.front().is_some_and(|&s| s < first) {
            self.gaps.pop_front();
        }
        while self.shown.front().is_some_and(|&s| s < first) {
            self.shown.pop_front();
            out.removed_front += 1;
        }
        if keep {
            self.shown.push_back(seq);
            out.added += 1;
        }
    }

    /// Changes the search. Showing every entry is immediate; any other search starts over
    /// from the oldest buffered entry and advances with [`Model::search_step`].
    pub fn set_matcher(&mut self, matcher: Matcher) {
        self.matcher = matcher;
        self.shown.clear();
        self.scan_next = self.buffer.first_seq();
        if self.matcher.is_everything() {
            self.shown.extend(self.scan_next..self.buffer.next_seq());
            self.scan_next = self.buffer.next_seq();
        }
    }

    /// Advances the search over at least one entry and about `max_bytes` of text (each
    /// entry counting its message plus [`ENTRY_COST`]). Returns whether the search has caught
    /// up with the buffer; new lines are then matched as they arrive.
    pub fn search_step(&mut self, max_bytes: usize) -> bool {
        let end = self.buffer.next_seq();
        let mut spent = 0;
        while self.scan_next < end && spent < max_bytes {
            let seq = self.scan_next;
            let keep = match self.buffer.get_seq(seq) {
                Some(Entry::Gap) => true,
                Some(Entry::Line(l)) => {
                    let text = l.plain_message();
                    spent += text.len() + ENTRY_COST;
                    self.matcher.keeps(text)
                }
                None => false,
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

    /// Whether a search is still going through the buffer.
    pub fn searching(&self) -> bool {
        self.scan_next < self.buffer.next_seq()
    }

    /// How far the running search is, in whole percent of the buffered entries; `None`
    /// when no search is running.
    pub fn search_percent(&self) -> Option<u8> {
        if !self.searching() {
            return None;
        }
        let first = self.buffer.first_seq();
        let total = self.buffer.next_seq() - first;
        let done = self.scan_next.saturating_sub(first);
        Some((done * 100 / total.max(1)).min(99) as u8)
    }

    /// The search in force.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// How many rows are shown.
    pub fn shown_len(&self) -> usize {
        self.shown.len()
    }

    /// How many shown rows are lines (not gap markers).
    pub fn shown_lines(&self) -> usize {
        // Gap markers are always shown once the search has reached them, so every one it
        // has reached is a shown row.
        let reached = self
            .gaps
            .iter()
            .take_while(|&&s| s < self.scan_next)
            .count();
        self.shown.len().saturating_sub(reached)
    }

    /// The sequence number and entry of shown row `row`.
    pub fn row(&self, row: usize) -> Option<(u64, &Entry)> {
        let seq = *self.shown.get(row)?;
        Some((seq, self.buffer.get_seq(seq)?))
    }

    /// The row showing `seq`, if shown.
    pub fn row_of(&self, seq: u64) -> Option<usize> {
        self.shown.binary_search(&seq).ok()
    }

    /// The shown entries, oldest first.
    pub fn shown_entries(&self) -> impl Iterator<Item = &Entry> {
        self.shown.iter().filter_map(|&s| self.buffer.get_seq(s))
    }
}

/// The text of a `.log` download: one line per entry, escapes kept or stripped.
pub fn download_text<'a>(lines: impl Iterator<Item = &'a LogLine>, strip_ansi: bool) -> String {
    let mut out = String::new();
    for l in lines {
        if strip_ansi {
            out.push_str(&l.plain_line());
        } else {
            out.push_str(l.raw());
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
        m.shown_entries()
            .map(|e| e.line().map_or("<gap>".to_owned(), |l| l.raw().to_owned()))
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
    fn the_count_of_shown_lines_leaves_out_gap_markers_until_they_are_evicted() {
        let mut m = Model::new(4);
        m.apply([StreamEvent::Lines(lines(&["a", "b"]))]);
        m.apply([StreamEvent::Resync {
            lines: lines(&["x"]),
            complete: false,
        }]);
        m.set_matcher(Matcher::new(&SearchSpec::default()).expect("valid"));
        assert_eq!((m.shown_len(), m.shown_lines()), (4, 3));
        let count = |m: &Model| m.shown_entries().filter(|e| e.line().is_some()).count();
        m.set_matcher(
            Matcher::new(&SearchSpec {
                query: "x".into(),
                ..SearchSpec::default()
            })
            .expect("valid"),
        );
        m.search_to_end();
        assert_eq!((m.shown_len(), m.shown_lines()), (2, count(&m)));
        m.apply([StreamEvent::Lines(lines(&["x1", "x2", "x3"]))]);
        assert_eq!(shown(&m), vec!["x", "x1", "x2", "x3"]);
        assert_eq!(m.shown_lines(), 4);
        m.apply([StreamEvent::Reset, StreamEvent::Lines(lines(&["xy", "y"]))]);
        assert_eq!(m.shown_lines(), 1);
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
    fn lines_arriving_during_a_search_wait_for_it_and_keep_their_order() {
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
        assert_eq!(applied.added, 0);
        assert_eq!(applied.removed_front, 1);
        assert_eq!(shown(&m), Vec::<String>::new());
        assert_eq!(m.shown_lines(), 0);
        m.search_to_end();
        assert_eq!(shown(&m), vec!["e2", "e3", "<gap>", "e4"]);
        assert_eq!(m.shown_lines(), 3);
        // Caught up: new lines are matched as they arrive again.
        let applied = m.apply([StreamEvent::Lines(lines(&["e5", "ok"]))]);
        assert_eq!(applied.added, 1);
        assert_eq!(shown(&m), vec!["e3", "<gap>", "e4", "e5"]);
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
        let l = LogLine::parse("\u{1b}[31mred\u{1b}[0m");
        assert_eq!(download_text([&l].into_iter(), true), "red\n");
        assert_eq!(
            download_text([&l].into_iter(), false),
            "\u{1b}[31mred\u{1b}[0m\n"
        );
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
