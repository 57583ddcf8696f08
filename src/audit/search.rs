//! Session search over what the screen showed, not over the recorded bytes.
//!
//! Raw output is the wrong thing to search: after `ESC(0` the bytes `lqqqqk` are drawn as
//! `┌────┐`, a progress bar's `\r` redraws leave one line, and colours or cursor moves split
//! words. So the session is replayed once through the same terminal model as the screen,
//! and each line is recorded at the event that drew it (a line that only scrolled is not
//! drawn again). What was typed is searched as typed text, terminal reports left out.

use super::input::{Token, Tokenizer};
use super::terminal::Terminal;
use super::timeline::{Kind, Timeline};
use crate::search::{Matcher, SearchSpec};

/// The longest hit line shown, in characters.
const MAX_HIT_CHARS: usize = 160;

/// The 64-bit FNV-1a hash of `text`: enough to tell a screenful of lines apart, and no
/// hashing machinery in the bundle.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index of the event that drew (or typed) the match.
    pub event: usize,
    /// Whether it was typed or printed.
    pub kind: Kind,
    /// The line that matched, as the screen showed it (or the typed text), at most 160
    /// characters.
    pub line: String,
}

/// The session's text as shown: every line at the event that drew it, and what was typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScreenText {
    /// `(event, kind, text)`, in event order.
    lines: Vec<(usize, Kind, String)>,
}

/// How far a [`ScreenTextBuilder`] has got: `done` of `total` events replayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Events replayed so far.
    pub done: usize,
    /// Events in the session.
    pub total: usize,
}

impl Progress {
    /// Whether every event has been replayed, so [`ScreenTextBuilder::finish`] gives the
    /// whole index.
    pub fn is_done(self) -> bool {
        self.done >= self.total
    }

    /// The share replayed, in whole percent (0–100; an empty session is 100).
    pub fn percent(self) -> u8 {
        if self.total == 0 {
            return 100;
        }
        // At most 100, so the cast cannot truncate.
        (self.done.min(self.total) * 100 / self.total) as u8
    }
}

/// Builds a [`ScreenText`] a few events at a time, so that a long session (the sandbox's
/// has 50,000 events, about 3 s to replay in the browser) can be indexed in slices that
/// give the thread back to the browser between them.
///
/// It keeps the replay's state between steps, not the timeline: every [`step`](Self::step)
/// must be given the same timeline. Stepping in any slice size gives the same index as
/// [`ScreenText::new`].
pub struct ScreenTextBuilder {
    term: Terminal,
    tokenizer: Tokenizer,
    /// The screen's lines after the previous event, as hashes. Hashes rather than strings:
    /// reading 24 lines after each of 50,000 events must not allocate.
    shown: Vec<u64>,
    /// The buffers the current screen is read into.
    now: Vec<String>,
    hashes: Vec<u64>,
    /// The index of the next event to replay.
    next: usize,
    lines: Vec<(usize, Kind, String)>,
}

impl ScreenTextBuilder {
    /// Replays at most `budget` more events of `timeline` (at least one, if any are left) and
    /// says how far the index has got.
    pub fn step(&mut self, timeline: &Timeline, budget: usize) -> Progress {
        let events = timeline.events();
        let end = events.len().min(self.next.saturating_add(budget.max(1)));
        for index in self.next..end {
            self.replay(timeline, index);
        }
        self.next = end.max(self.next);
        self.progress(timeline)
    }

    /// How far the index has got over `timeline`.
    pub fn progress(&self, timeline: &Timeline) -> Progress {
        Progress {
            done: self.next,
            total: timeline.events().len(),
        }
    }

    /// The index of the events replayed so far (all of them once [`Progress::is_done`]).
    pub fn finish(self) -> ScreenText {
        ScreenText { lines: self.lines }
    }

    /// Records what event `index` typed, or the lines it drew.
    fn replay(&mut self, timeline: &Timeline, index: usize) {
        let event = &timeline.events()[index];
        if event.kind == Kind::Input {
            let typed: String = self
                .tokenizer
                .feed(&event.content)
                .into_iter()
                .filter_map(|t| match t {
                    Token::Text(c) if !c.is_control() => Some(c),
                    _ => None,
                })
                .collect();
            if !typed.trim().is_empty() {
                self.lines.push((index, Kind::Input, typed));
            }
            return;
        }
        self.term
            .feed_output(&event.content, timeline.redraw(index));
        let count = self.term.lines_into(&mut self.now);
        // A line already on the screen before this event (perhaps on another row, after
        // scrolling) was not drawn by it; duplicates are counted, so a line printed twice
        // is found twice.
        self.hashes.clear();
        for line in &self.now[..count] {
            let hash = fnv1a(line);
            self.hashes.push(hash);
            // A linear scan of at most a screenful: std's sort would cost more bundle than
            // it saves time.
            match self.shown.iter().position(|&h| h == hash) {
                Some(at) => {
                    self.shown.swap_remove(at);
                }
                None if line.trim().is_empty() => {}
                None => self.lines.push((index, Kind::Output, line.clone())),
            }
        }
        std::mem::swap(&mut self.shown, &mut self.hashes);
    }
}

impl ScreenText {
    /// Replays `timeline` on a `cols` × `rows` terminal (the player's size, so lines wrap as
    /// they did on screen) and records each line drawn or changed by each output event, and
    /// the text of each input event. Blocks for the whole replay: the player uses
    /// [`ScreenText::builder`] instead.
    pub fn new(timeline: &Timeline, cols: usize, rows: usize) -> Self {
        let mut builder = Self::builder(cols, rows);
        builder.step(timeline, usize::MAX);
        builder.finish()
    }

    /// A builder that replays a session on a `cols` × `rows` terminal a few events at a
    /// time (see [`ScreenTextBuilder::step`]).
    pub fn builder(cols: usize, rows: usize) -> ScreenTextBuilder {
        ScreenTextBuilder {
            term: Terminal::new(cols, rows),
            tokenizer: Tokenizer::default(),
            shown: Vec::new(),
            now: Vec::new(),
            hashes: Vec::new(),
            next: 0,
            lines: Vec::new(),
        }
    }

    /// Case-insensitive search of the shown text; at most `limit` hits, in event order.
    ///
    /// Uses the log viewer's matcher, so both searches fold case alike (and the wasm build
    /// carries no Unicode case table of its own).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let query = query.trim();
        if query.is_empty() {
            return Vec::new();
        }
        let spec = SearchSpec {
            query: query.to_owned(),
            ..SearchSpec::default()
        };
        // A plain (not regex) search cannot be refused.
        let Ok(matcher) = Matcher::new(&spec) else {
            return Vec::new();
        };
        let mut hits: Vec<Hit> = Vec::new();
        for (event, kind, line) in &self.lines {
            if !matcher.keeps(line) {
                continue;
            }
            // One hit per event: the first line it drew that matches.
            if hits.last().is_some_and(|h| h.event == *event) {
                continue;
            }
            hits.push(Hit {
                event: *event,
                kind: *kind,
                line: line.trim().chars().take(MAX_HIT_CHARS).collect(),
            });
            if hits.len() >= limit {
                break;
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn timeline(events: &[(&str, &str)]) -> Timeline {
        let values = events
            .iter()
            .enumerate()
            .map(|(i, (kind, content))| {
                json!({"time": format!("2020-01-01T00:00:{i:02}Z"), "type": *kind, "content": *content})
            })
            .collect();
        Timeline::from_values(values, None)
    }

    fn search(t: &Timeline, query: &str) -> Vec<Hit> {
        ScreenText::new(t, 80, 24).search(query, 100)
    }

    #[test]
    fn line_drawing_characters_are_found_as_drawn_not_as_sent() {
        let t = timeline(&[("output", "\x1b(0lqqqqk\x1b(B box\n")]);
        let hits = search(&t, "┌────┐");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].line, "┌────┐ box");
        assert!(search(&t, "┌").len() == 1);
        assert!(search(&t, "lqqqqk").is_empty());
    }

    #[test]
    fn search_finds_plain_text_through_colours_and_reports_the_event() {
        let t = timeline(&[
            ("output", "\x1b[1;31mdbclient\x1b[0m-fetcher\n"),
            ("input", "echo TEST\n"),
            ("output", "TEST\n"),
        ]);
        let hits = search(&t, "DBCLIENT-fetch");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].event, 0);
        assert_eq!(hits[0].line, "dbclient-fetcher");
        let hits = search(&t, "test");
        assert_eq!(
            hits.iter().map(|h| h.kind).collect::<Vec<_>>(),
            [Kind::Input, Kind::Output]
        );
        assert_eq!(ScreenText::new(&t, 80, 24).search("test", 1).len(), 1);
        assert!(search(&t, "  ").is_empty());
    }

    #[test]
    fn a_line_that_only_scrolled_is_not_found_again() {
        let t = timeline(&[
            ("output", "needle\n"),
            ("output", "a\nb\nc\n"),
            ("output", "needle\n"),
        ]);
        let hits = search(&t, "needle");
        assert_eq!(hits.iter().map(|h| h.event).collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn text_erased_before_it_was_drawn_is_not_found_and_redraws_are() {
        // Written then erased in the same event: the screen never showed it.
        let t = timeline(&[
            ("output", "secret\r\x1b[Kshown\n"),
            ("output", "10%"),
            ("output", "\r\x1b[K100%\n"),
        ]);
        assert!(search(&t, "secret").is_empty());
        assert_eq!(search(&t, "100%")[0].event, 2);
        assert_eq!(search(&t, "10%")[0].event, 1);
    }

    #[test]
    fn a_wrapped_line_is_found_across_the_wrap() {
        let t = timeline(&[("output", &format!("{}needle\n", "x".repeat(77)))]);
        assert_eq!(search(&t, "needle").len(), 1);
    }

    /// The sandbox's `sh -l` session, the one the end-to-end tests replay.
    #[test]
    fn the_sandbox_session_with_terminal_replies_has_only_the_commands_that_ran() {
        let t = Timeline::from_json(&scalingo_sandbox::audit::terminal_replies("app", 0), None);
        let labels: Vec<String> = t.commands().iter().map(|c| c.label()).collect();
        assert_eq!(labels, ["ls -la", "cat notes.txt", "echo done", "exit"]);
        let typed: String = t.typed().into_iter().map(|(_, k)| k).collect();
        assert!(!typed.contains('#') && !typed.contains("rgb") && !typed.contains("62;"));
        let text = ScreenText::new(&t, 80, 24);
        assert_eq!(text.search("┌────┐", 10).len(), 1);
        assert!(text.search("lqqqqk", 10).is_empty());
        assert_eq!(text.search("漢字🙂END", 10).len(), 1);
    }

    #[test]
    fn terminal_reports_in_the_input_are_not_searched() {
        let t = timeline(&[("input", "\x1b[24;80R\x1b]11;rgb:0/0/0\x07ls\r")]);
        assert!(search(&t, "rgb").is_empty());
        assert!(search(&t, "80R").is_empty());
        assert_eq!(search(&t, "ls")[0].line, "ls");
    }

    /// Builds the index in slices of the given sizes, cycling through them.
    fn build_in_slices(t: &Timeline, slices: &[usize]) -> (ScreenText, Vec<Progress>) {
        let mut builder = ScreenText::builder(20, 4);
        let mut seen = Vec::new();
        for &budget in slices.iter().cycle() {
            let progress = builder.step(t, budget);
            seen.push(progress);
            if progress.is_done() {
                break;
            }
        }
        (builder.finish(), seen)
    }

    #[test]
    fn an_index_built_in_slices_finds_what_one_built_at_once_finds() {
        let t = Timeline::from_json(&scalingo_sandbox::audit::terminal_replies("app", 0), None);
        let at_once = ScreenText::new(&t, 20, 4);
        for slices in [&[1][..], &[2, 7], &[3], &[1000]] {
            let (sliced, progress) = build_in_slices(&t, slices);
            assert_eq!(sliced, at_once, "slices of {slices:?}");
            assert_eq!(sliced.search("done", 10), at_once.search("done", 10));
            // Progress only grows, and ends at 100 %.
            assert!(progress.windows(2).all(|w| w[0].done < w[1].done));
            assert_eq!(progress.last().map(|p| p.percent()), Some(100));
        }
    }

    #[test]
    fn progress_counts_events_and_an_empty_session_is_done_at_once() {
        let t = timeline(&[
            ("output", "a\n"),
            ("input", "ls\r"),
            ("output", "b\n"),
            ("output", "c\n"),
        ]);
        let mut builder = ScreenText::builder(80, 24);
        assert_eq!(builder.progress(&t), Progress { done: 0, total: 4 });
        assert_eq!(builder.step(&t, 1).percent(), 25);
        // A zero budget still moves on, so a slice loop cannot spin forever.
        assert_eq!(builder.step(&t, 0).done, 2);
        assert!(builder.step(&t, 99).is_done());
        assert!(builder.step(&t, 1).is_done());
        let empty = timeline(&[]);
        assert!(ScreenText::builder(80, 24).step(&empty, 1).is_done());
        assert_eq!(ScreenText::builder(80, 24).progress(&empty).percent(), 100);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn stepping_in_any_slice_size_gives_the_index_built_at_once(
            events in prop::collection::vec(
                (any::<bool>(), prop::sample::select(vec![
                    "word ", "\n", "\r", "\x1b[K", "\x1b[2J", "\x1b[H", "\x1b(0q", "\x1b(B",
                    "\x1b[31m", "\x1b[1;1H", "\x1b[A", "x", "ls\r", "\x1b[24;80R", "long line of text ",
                ]), 1usize..6),
                0..40,
            ),
            slices in prop::collection::vec(1usize..9, 1..5),
        ) {
            let events: Vec<(&str, String)> = events
                .into_iter()
                .map(|(input, piece, n)| (if input { "input" } else { "output" }, piece.repeat(n)))
                .collect();
            let borrowed: Vec<(&str, &str)> = events.iter().map(|(k, c)| (*k, c.as_str())).collect();
            let t = timeline(&borrowed);
            let (sliced, _) = build_in_slices(&t, &slices);
            prop_assert_eq!(sliced, ScreenText::new(&t, 20, 4));
        }
    }
}
