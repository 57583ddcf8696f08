//! Exports of a session: its plain-text transcript and an asciicast v2 file.
//!
//! Both are built from the same interpretation of the log as the player (new-line mode,
//! redrawn prompts), so what is exported is what was seen.
//!
//! Layering: `terminal` (the model) ← `timeline` ← `export`; this module imports both and
//! neither imports it.

use super::terminal::NEW_LINE_MODE;
use super::timeline::{fixed, Kind, Timeline};

/// Translates bare `\n` to `\r\n`, as the pty's `onlcr` did for the user's terminal.
pub fn onlcr(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + content.len() / 16);
    let mut prev = '\0';
    for c in content.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// The session as plain text, as the terminal showed it: carriage-return redraws and
/// erased text resolved, colours and other escapes removed, full-screen programs left out
/// (they drew on the alternate screen, which is not part of the scrolling history).
pub fn transcript(timeline: &Timeline, cols: usize) -> String {
    let mut vt = avt::Terminal::new(cols.max(1), 24).expect("a positive size");
    let mut observer = avt::observer::Transcript::new();
    let mut lines: Vec<String> = vt.feed_with(NEW_LINE_MODE, &mut observer);
    for (index, event) in timeline.events().iter().enumerate() {
        if event.kind != Kind::Output {
            continue;
        }
        let prefix = timeline.redraw(index).prefix();
        if !prefix.is_empty() {
            lines.extend(vt.feed_with(prefix, &mut observer));
        }
        lines.extend(vt.feed_with(event.content.as_str(), &mut observer));
    }
    lines.extend(observer.finish(&vt));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The session as an asciicast v2 file (`asciinema play session.cast`).
///
/// Times are the recorded ones; the player's idle-time limit, if on, is written to the
/// header so asciinema compresses the same pauses. Output is written as the terminal
/// received it (`\r\n` line ends, redrawn prompts moved back up), so any player shows the
/// same screen as ours.
pub fn asciicast(timeline: &Timeline, cols: usize, rows: usize, title: Option<&str>) -> String {
    // Written by hand rather than through `json::Value`: only strings need JSON escaping,
    // and the times are written with a fixed number of decimals.
    let mut out = format!("{{\"version\": 2, \"width\": {cols}, \"height\": {rows}");
    if let Some(start) = timeline.start_unix() {
        out.push_str(&format!(", \"timestamp\": {}", start.floor() as i64));
    }
    if let Some(limit) = timeline.idle_limit() {
        out.push_str(&format!(", \"idle_time_limit\": {}", fixed(limit, 3)));
    }
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        out.push_str(&format!(", \"title\": {}", json_string(title)));
    }
    out.push_str("}\n");
    for (index, event) in timeline.events().iter().enumerate() {
        let data = match event.kind {
            Kind::Output => format!(
                "{}{}",
                timeline.redraw(index).prefix(),
                onlcr(&event.content)
            ),
            Kind::Input => event.content.clone(),
        };
        let data = json_string(&data);
        out.push_str(&format!(
            "[{}, \"{}\", {data}]\n",
            fixed(event.time, 6),
            event.kind.code()
        ));
    }
    out
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::new();
    crate::json::write_string(&mut out, text);
    out
}

/// A file name for an export of `command`'s session: letters, digits and dashes only.
pub fn file_name(command: &str, id: &str, extension: &str) -> String {
    let base: String = format!("{command}-{id}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut base = base.trim_matches('-').to_owned();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    base.truncate(80);
    if base.is_empty() {
        base = "session".into();
    }
    format!("{base}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::seed::seed_timeline;
    use serde_json::Value;

    #[test]
    fn onlcr_adds_a_carriage_return_to_bare_line_feeds_only() {
        assert_eq!(onlcr("a\nb\r\nc"), "a\r\nb\r\nc");
    }

    #[test]
    fn the_seed_transcript_reads_as_the_terminal_showed_it() {
        let timeline = seed_timeline();
        let text = transcript(&timeline, 80);
        assert!(
            text.starts_with("You are in a one-off container. This is a copy of your production\n")
        );
        assert!(text.contains("dbclient-fetcher <DB type> [<version>]\n"));
        assert!(text.ends_with(
            "[15:27] Scalingo:rss-john ~ $ echo \"TEST\"\nTEST\n[15:27] Scalingo:rss-john ~ $ exit\nexit\n"
        ));
        assert_eq!(text.matches("$ echo").count(), 1);
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn a_progress_bar_drawn_with_carriage_returns_leaves_its_last_state() {
        let timeline = Timeline::from_values(
            vec![
                crate::json::json!({"time": "2020-01-01T00:00:00Z", "type": "output", "content": "Downloading  10%"}),
                crate::json::json!({"time": "2020-01-01T00:00:01Z", "type": "output", "content": "\r\x1b[KDownloading 100%\ndone\n"}),
            ],
            None,
        );
        assert_eq!(transcript(&timeline, 80), "Downloading 100%\ndone\n");
    }

    #[test]
    fn the_asciicast_has_a_valid_header_and_one_json_event_per_line() {
        let timeline = seed_timeline();
        let cast = asciicast(&timeline, 80, 24, Some("bash"));
        let mut lines = cast.lines();
        let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(header["version"], 2);
        assert_eq!(header["width"], 80);
        assert_eq!(header["height"], 24);
        assert_eq!(header["title"], "bash");
        assert_eq!(header["timestamp"], 1_556_897_247);
        assert_eq!(header["idle_time_limit"], 2.0);
        let events: Vec<Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(events.len(), timeline.len());
        assert_eq!(events[0][0], 0.0);
        assert_eq!(events[0][1], "o");
        assert!(events[0][2].as_str().unwrap().ends_with("production \r\n"));
        let input = events.iter().find(|e| e[1] == "i").unwrap();
        assert_eq!(input[2], "echo \"TEST\"\n");
        let times: Vec<f64> = events.iter().map(|e| e[0].as_f64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert!((times.last().unwrap() - 6.495_288).abs() < 1e-5);
    }

    #[test]
    fn asciicast_strings_escape_quotes_controls_and_markup() {
        let timeline = Timeline::from_values(
            vec![
                crate::json::json!({"time": "2020-01-01T00:00:00Z", "type": "output", "content": "\"<script>\"\u{1b}[0m\u{7}"}),
            ],
            None,
        );
        let cast = asciicast(&timeline, 80, 24, None);
        let line = cast.lines().nth(1).unwrap();
        assert_eq!(line, r#"[0.000000, "o", "\"<script>\"\u001b[0m\u0007"]"#);
    }

    #[test]
    fn export_file_names_are_tame() {
        assert_eq!(
            file_name("rails console", "abc-1", "cast"),
            "rails-console-abc-1.cast"
        );
        assert_eq!(file_name("", "", "txt"), "session.txt");
        assert_eq!(
            file_name("../../etc/passwd", "x", "txt"),
            "etc-passwd-x.txt"
        );
    }
}
