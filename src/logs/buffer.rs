//! A bounded ring buffer of log lines: memory stays flat however noisy the stream.

use std::collections::VecDeque;

use super::line::LogLine;

/// How many lines the viewer keeps unless configured otherwise.
pub const DEFAULT_CAPACITY: usize = crate::config::DEFAULT_LOG_BUFFER_LINES;

/// One entry of the buffer: a line, or a marker where lines may be missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A log line.
    Line(LogLine),
    /// A reconnect happened and the fresh dump did not reach back to the last line seen.
    Gap,
}

impl Entry {
    /// The line, if this entry is one.
    pub fn line(&self) -> Option<&LogLine> {
        match self {
            Entry::Line(l) => Some(l),
            Entry::Gap => None,
        }
    }
}

/// Lines in arrival order with monotonically increasing sequence numbers; the oldest are
/// evicted past the capacity. Sequence numbers let the view keep its place (a selected
/// match, a "new lines" count) while the front is evicted.
#[derive(Clone, Debug)]
pub struct RingBuffer {
    entries: VecDeque<Entry>,
    capacity: usize,
    first_seq: u64,
    evicted: u64,
}

impl Default for RingBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl RingBuffer {
    /// An empty buffer keeping at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        RingBuffer {
            entries: VecDeque::with_capacity(capacity.min(4096)),
            capacity,
            first_seq: 0,
            evicted: 0,
        }
    }

    /// The most entries kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many entries are kept now.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sequence number of the oldest kept entry.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// The sequence number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    /// How many entries were evicted since the buffer was created or cleared.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Appends `entry`, evicting the oldest when full; returns its sequence number.
    pub fn push(&mut self, entry: Entry) -> u64 {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.first_seq += 1;
            self.evicted += 1;
        }
        self.entries.push_back(entry);
        self.next_seq() - 1
    }

    /// Appends every entry of `entries`.
    pub fn extend(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for e in entries {
            self.push(e);
        }
    }

    /// The entry at position `index` (0 = oldest kept).
    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    /// The entry with sequence number `seq`, if still kept.
    pub fn get_seq(&self, seq: u64) -> Option<&Entry> {
        let index = seq.checked_sub(self.first_seq)?;
        self.entries.get(usize::try_from(index).ok()?)
    }

    /// All kept entries, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// The raw text of the newest `n` lines (markers skipped), oldest first: the window
    /// a fresh dump is compared with after a reconnect.
    pub fn tail_raw(&self, n: usize) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .entries
            .iter()
            .rev()
            .filter_map(|e| e.line().map(LogLine::raw))
            .take(n)
            .collect();
        out.reverse();
        out
    }

    /// Forgets every entry (sequence numbers keep increasing).
    pub fn clear(&mut self) {
        self.first_seq = self.next_seq();
        self.entries.clear();
        self.evicted = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(text: &str) -> Entry {
        Entry::Line(LogLine::parse(text))
    }

    #[test]
    fn the_oldest_lines_are_evicted_past_the_capacity() {
        let mut buf = RingBuffer::new(3);
        for i in 0..5 {
            buf.push(line(&format!("line {i}")));
        }
        assert_eq!(buf.len(), 3);
        assert_eq!(buf.first_seq(), 2);
        assert_eq!(buf.evicted(), 2);
        assert_eq!(buf.tail_raw(10), vec!["line 2", "line 3", "line 4"]);
        assert_eq!(buf.get_seq(1), None);
        assert_eq!(buf.get_seq(4), Some(&line("line 4")));
    }

    #[test]
    fn the_tail_skips_gap_markers() {
        let mut buf = RingBuffer::new(10);
        buf.extend([line("a"), Entry::Gap, line("b")]);
        assert_eq!(buf.tail_raw(2), vec!["a", "b"]);
    }

    #[test]
    fn clearing_keeps_sequence_numbers_increasing() {
        let mut buf = RingBuffer::new(10);
        buf.push(line("a"));
        buf.clear();
        assert!(buf.is_empty());
        assert_eq!(buf.push(line("b")), 1);
    }

    proptest! {
        #[test]
        fn the_buffer_never_exceeds_its_capacity_and_keeps_the_newest(cap in 1usize..50, n in 0usize..200) {
            let mut buf = RingBuffer::new(cap);
            for i in 0..n {
                prop_assert_eq!(buf.push(line(&i.to_string())), i as u64);
            }
            prop_assert_eq!(buf.len(), n.min(cap));
            prop_assert_eq!(buf.next_seq(), n as u64);
            if n > 0 {
                let expected = (n - 1).to_string();
                prop_assert_eq!(buf.tail_raw(1), vec![expected.as_str()]);
            }
        }
    }
}
