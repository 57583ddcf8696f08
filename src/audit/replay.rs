//! Seeking: the terminal at any event, from the nearest snapshot instead of from the start.
//!
//! Opening a session replays it once and keeps a snapshot of the terminal every
//! [`SNAPSHOT_EVERY_EVENTS`] events or [`SNAPSHOT_EVERY_BYTES`] bytes of output, whichever
//! comes first. Seeking restores the snapshot at or before the target and feeds the few
//! events after it; playing forward just feeds the next events.

use super::terminal::{Snapshot, Terminal};
use super::timeline::{Kind, Timeline};

/// At most this many events are replayed to reach any position.
pub const SNAPSHOT_EVERY_EVENTS: usize = 500;

/// At most this many bytes of output are replayed to reach any position.
pub const SNAPSHOT_EVERY_BYTES: usize = 256 * 1024;

/// A terminal that can be put in the state of any prefix of a timeline.
#[derive(Debug)]
pub struct Replay {
    cols: usize,
    rows: usize,
    /// `(position, state)`: the terminal after the first `position` events.
    snapshots: Vec<(usize, Snapshot)>,
    term: Terminal,
    /// How many events `term` has been fed.
    applied: usize,
}

impl Replay {
    /// Replays `timeline` once, keeping snapshots, and leaves the terminal at the start.
    pub fn new(timeline: &Timeline, cols: usize, rows: usize) -> Self {
        let mut term = Terminal::new(cols, rows);
        let mut snapshots = vec![(0, term.snapshot())];
        let (mut events_since, mut bytes_since) = (0, 0);
        for (index, event) in timeline.events().iter().enumerate() {
            if event.kind == Kind::Output {
                term.feed_output(&event.content, timeline.redraw(index));
                bytes_since += event.content.len();
            }
            events_since += 1;
            if events_since >= SNAPSHOT_EVERY_EVENTS || bytes_since >= SNAPSHOT_EVERY_BYTES {
                snapshots.push((index + 1, term.snapshot()));
                events_since = 0;
                bytes_since = 0;
            }
        }
        let (cols, rows) = term.size();
        Replay {
            cols,
            rows,
            snapshots,
            term: Terminal::new(cols, rows),
            applied: 0,
        }
    }

    /// The terminal as it is now.
    pub fn terminal(&self) -> &Terminal {
        &self.term
    }

    /// How many events the terminal shows.
    pub fn position(&self) -> usize {
        self.applied
    }

    /// How many snapshots were kept.
    pub fn snapshot_count(&self) -> usize {
        self.snapshots.len()
    }

    /// Bytes held by the snapshots, for the benchmark's memory figure.
    pub fn snapshot_bytes(&self) -> usize {
        self.snapshots.iter().map(|(_, s)| s.len()).sum()
    }

    /// Puts the terminal in the state after the first `position` events of `timeline`
    /// (the timeline it was built from). Returns how many events were fed to get there.
    pub fn seek(&mut self, timeline: &Timeline, position: usize) -> usize {
        let position = position.min(timeline.len());
        let nearest = self
            .snapshots
            .partition_point(|(p, _)| *p <= position)
            .saturating_sub(1);
        let (snap_pos, snap) = &self.snapshots[nearest];
        // Going forward from where we are is cheaper than a restore when it is closer.
        if position < self.applied || *snap_pos > self.applied {
            self.term = Terminal::restore(snap, self.cols, self.rows);
            self.applied = *snap_pos;
        }
        let fed = position - self.applied;
        for index in self.applied..position {
            let event = &timeline.events()[index];
            if event.kind == Kind::Output {
                self.term
                    .feed_output(&event.content, timeline.redraw(index));
            }
        }
        self.applied = position;
        fed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::seed::seed_timeline;
    use serde_json::json;

    fn long_timeline(n: usize) -> Timeline {
        let values = (0..n)
            .map(|i| {
                let content = match i % 4 {
                    0 => format!("\x1b[3{}mline {i}\x1b[0m\n", i % 8),
                    1 => format!("\rprogress {i}%\x1b[K"),
                    2 => "\x1b[?1049h\x1b[H\x1b[2Jfull screen\x1b[5;5Hx".to_string(),
                    _ => "\x1b[?1049l\n".to_string(),
                };
                json!({"time": format!("2020-01-01T00:{:02}:{:02}Z", (i / 60) % 60, i % 60), "type": "output", "content": content})
            })
            .collect();
        Timeline::from_values(values, None)
    }

    fn replay_from_scratch(
        timeline: &Timeline,
        position: usize,
        cols: usize,
        rows: usize,
    ) -> Terminal {
        let mut term = Terminal::new(cols, rows);
        for (index, event) in timeline.events()[..position].iter().enumerate() {
            if event.kind == Kind::Output {
                term.feed_output(&event.content, timeline.redraw(index));
            }
        }
        term
    }

    #[test]
    fn seeking_anywhere_shows_the_same_screen_as_replaying_from_the_start() {
        let timeline = long_timeline(2_300);
        let mut replay = Replay::new(&timeline, 80, 24);
        for position in [2_299, 0, 1_001, 1_000, 999, 17, 2_300, 1_502, 1_503] {
            replay.seek(&timeline, position);
            let expected = replay_from_scratch(&timeline, position, 80, 24);
            assert_eq!(replay.terminal().text(), expected.text(), "at {position}");
            assert_eq!(replay.terminal().runs(), expected.runs(), "at {position}");
        }
    }

    #[test]
    fn a_seek_never_replays_more_than_one_snapshot_interval() {
        let timeline = long_timeline(5_000);
        let mut replay = Replay::new(&timeline, 80, 24);
        assert!(replay.snapshot_count() >= 5_000 / SNAPSHOT_EVERY_EVENTS);
        for position in [4_999, 10, 2_600, 2_400] {
            assert!(replay.seek(&timeline, position) < SNAPSHOT_EVERY_EVENTS);
        }
    }

    #[test]
    fn playing_forward_feeds_only_the_new_events() {
        let timeline = seed_timeline();
        let mut replay = Replay::new(&timeline, 80, 24);
        replay.seek(&timeline, 10);
        assert_eq!(replay.seek(&timeline, 12), 2);
        assert_eq!(replay.position(), 12);
    }
}
