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
#[derive(Clone, Debug, Default)]
pub struct ScreenText {
    /// `(event, kind, text)`, in event order.
    lines: Vec<(usize, Kind, String)>,
}

impl ScreenText {
    /// Replays `timeline` on a `cols` × `rows` terminal (the player's size, so lines wrap as
    /// they did on screen) and records each line drawn or changed by each output event, and
    /// the text of each input event.
    pub fn new(timeline: &Timeline, cols: usize, rows: usize) -> Self {
        let mut term = Terminal::new(cols, rows);
        let mut tokenizer = Tokenizer::default();
        // The screen's lines after the previous event, as hashes; and the buffers
        // the current screen is read into. Hashes rather than strings: reading 24 lines after
        // each of 50,000 events must not allocate.
        let mut shown: Vec<u64> = Vec::new();
        let mut now: Vec<String> = Vec::new();
        let mut hashes: Vec<u64> = Vec::new();
        let mut lines = Vec::new();
        for (index, event) in timeline.events().iter().enumerate() {
            if event.kind == Kind::Input {
                let typed: String = tokenizer
                    .feed(&event.content)
                    .into_iter()
                    .filter_map(|t| match t {
                        Token::Text(c) if !c.is_control() => Some(c),
                        _ => None,
                    })
                    .collect();
                if !typed.trim().is_empty() {
                    lines.push((index, Kind::Input, typed));
                }
                continue;
            }
            term.feed_output(&event.content, timeline.redraw(index));
            let count = term.lines_into(&mut now);
            // A line already on the screen before this event (perhaps on another row,
            // after scrolling) was not drawn by it; duplicates are counted, so a line
            // printed twice is found twice.
            hashes.clear();
            for line in &now[..count] {
                let hash = fnv1a(line);
                hashes.push(hash);
                // A linear scan of at most a screenful: std's sort would cost more bundle
                // than it saves time.
                match shown.iter().position(|&h| h == hash) {
                    Some(at) => {
                        shown.swap_remove(at);
                    }
                    None if line.trim().is_empty() => {}
                    None => lines.push((index, Kind::Output, line.clone())),
                }
            }
            std::mem::swap(&mut shown, &mut hashes);
        }
        ScreenText { lines }
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
}
