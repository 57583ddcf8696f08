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
    // The lines are assembled here rather than serialised from structs: the times are
    // written with a fixed number of decimals, and only the strings go through serde_json.
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

/// Characters that some line-based readers take for a line break although JSON writers
/// (serde_json among them) leave them as they are: U+2028 and U+2029 (JavaScript before
/// ES2019, editors) and U+0085 (Python's `str.splitlines`). An asciicast is one event per
/// line, so the export escapes them.
const LINE_BREAKS_FOR_SOME: [char; 3] = ['\u{85}', '\u{2028}', '\u{2029}'];

/// `text` as a JSON string literal, written by serde_json, with [`LINE_BREAKS_FOR_SOME`]
/// escaped as `\uXXXX` too.
fn json_string(text: &str) -> String {
    // A `str` always serialises.
    let out = serde_json::to_string(text).unwrap_or_default();
    if !out.contains(LINE_BREAKS_FOR_SOME) {
        return out;
    }
    let mut escaped = String::with_capacity(out.len() + 12);
    for c in out.chars() {
        if LINE_BREAKS_FOR_SOME.contains(&c) {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// The longest app part and subject part of an export's file name, in bytes. With the date
/// and extension the name stays far below the 255 bytes every common file system allows.
const MAX_APP_BYTES: usize = 40;
const MAX_SUBJECT_BYTES: usize = 60;

/// Names Windows reserves for devices, with or without an extension (`CON.txt` too).
const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// `part` made safe in a file name on Windows, macOS and Linux, at most `max` bytes: ASCII
/// letters and digits, `_` and `.` are kept; anything else (path separators,
/// `\ : * ? " < > |`, spaces, control and invisible formatting characters such as
/// right-to-left overrides, emoji, other scripts) becomes one `-`; dots and dashes are trimmed
/// from both ends, so no part is hidden (`.x`), a path (`..`) or ends in a dot.
///
/// ASCII only on purpose: macOS stores names decomposed (NFD) and other systems do not, so
/// non-ASCII names do not survive every copy; and telling letters from invisible formatting
/// characters would bring Unicode's tables into the bundle.
fn file_name_part(part: &str, max: usize) -> String {
    let mut out = String::new();
    for c in part.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if out.len() >= max {
            break;
        }
        out.push(c);
    }
    out.trim_matches(|c| c == '-' || c == '.').to_owned()
}

/// The file name of an export: `<app>-<subject>-<date>.<extension>`, e.g.
/// `example-app-rails-console-2019-05-03.cast`, where `subject` is the command that was run
/// (or the audit log id when the command is unknown or empty) and `date` the session's day.
///
/// Every part is made safe for Windows, macOS and Linux (see `file_name_part`): no path
/// separator or reserved character, no control or formatting character, no leading or
/// trailing dot, no Windows device name (`CON`, `nul.txt`), and a bounded length. An empty
/// result is named `session`.
pub fn file_name(app: &str, subject: &str, date: Option<&str>, extension: &str) -> String {
    let mut stem = String::new();
    for part in [
        file_name_part(app, MAX_APP_BYTES),
        file_name_part(subject, MAX_SUBJECT_BYTES),
        file_name_part(date.unwrap_or_default(), 10),
    ] {
        if !part.is_empty() {
            if !stem.is_empty() {
                stem.push('-');
            }
            stem.push_str(&part);
        }
    }
    if stem.is_empty() {
        stem = "session".into();
    }
    let device = stem.split('.').next().unwrap_or_default();
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(device))
    {
        stem.insert(0, '_');
    }
    let extension = file_name_part(extension, 8);
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{extension}")
    }
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
                serde_json::json!({"time": "2020-01-01T00:00:00Z", "type": "output", "content": "Downloading  10%"}),
                serde_json::json!({"time": "2020-01-01T00:00:01Z", "type": "output", "content": "\r\x1b[KDownloading 100%\ndone\n"}),
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
                serde_json::json!({"time": "2020-01-01T00:00:00Z", "type": "output", "content": "\"<script>\"\u{1b}[0m\u{7}"}),
            ],
            None,
        );
        let cast = asciicast(&timeline, 80, 24, None);
        let line = cast.lines().nth(1).unwrap();
        assert_eq!(line, r#"[0.000000, "o", "\"<script>\"\u001b[0m\u0007"]"#);
    }

    #[test]
    fn asciicast_lines_never_hold_a_character_some_readers_split_lines_at() {
        let content = "a\u{2028}b\u{2029}c \u{85}d";
        let timeline = Timeline::from_values(
            vec![
                serde_json::json!({"time": "2020-01-01T00:00:00Z", "type": "input", "content": content}),
            ],
            None,
        );
        let cast = asciicast(&timeline, 80, 24, Some("x\u{2028}y"));
        assert!(!cast.contains(LINE_BREAKS_FOR_SOME));
        assert!(cast.contains(r#""a\u2028b\u2029c \u0085d""#));
        // Split the way a line-based reader would; each line still parses to the same text.
        let lines: Vec<&str> = cast
            .split(['\n', '\u{85}', '\u{2028}', '\u{2029}'])
            .collect();
        assert_eq!(lines.len(), 3, "{cast:?}");
        let header: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(header["title"], "x\u{2028}y");
        let event: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(event[2], content);
    }

    #[test]
    fn export_file_names_are_app_subject_and_date() {
        assert_eq!(
            file_name("example-app", "rails console", Some("2019-05-03"), "cast"),
            "example-app-rails-console-2019-05-03.cast"
        );
        assert_eq!(
            file_name("example-app", "al-5f3c", Some("2024-05-02"), "txt"),
            "example-app-al-5f3c-2024-05-02.txt"
        );
        assert_eq!(file_name("", "", None, "txt"), "session.txt");
    }

    /// A name is safe when no common file system refuses or misreads it.
    fn assert_safe(name: &str) {
        assert!(!name.is_empty() && name.len() <= 255, "{name:?}");
        assert!(
            !name.chars().any(|c| c.is_control()
                || "/\\:*?\"<>|".contains(c)
                || c.is_whitespace()
                || ('\u{200b}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || c == '\u{feff}'),
            "{name:?}"
        );
        assert!(
            !name.starts_with(['.', '-']) && !name.ends_with(['.', ' ']),
            "{name:?}"
        );
        let device = name.split('.').next().unwrap().to_ascii_uppercase();
        assert!(!WINDOWS_RESERVED.contains(&device.as_str()), "{name:?}");
    }

    #[test]
    fn hostile_names_give_safe_file_names() {
        let hostile = [
            "../../etc/passwd",
            "..",
            "C:\\Windows\\System32",
            "a:b*c?d\"e<f>g|h",
            "CON",
            "nul",
            "com1.txt",
            "Lpt9",
            "ls...",
            "trailing space ",
            "tab\tnew\nline\u{0}nul\u{7f}del\u{9b}csi",
            "\u{202e}gpj.exe",
            "zero\u{200b}width\u{feff}",
            "rm -rf / ; echo \"hi\" > out.txt",
            "🔥💥",
            "",
            &"x".repeat(1000),
            &"é".repeat(1000),
        ];
        for app in ["example-app", "CON", "", "../x", "nul."] {
            for subject in hostile {
                for date in [Some("2019-05-03"), None, Some("../:")] {
                    for ext in ["txt", "cast"] {
                        let name = file_name(app, subject, date, ext);
                        assert_safe(&name);
                        assert!(name.ends_with(&format!(".{ext}")), "{name:?}");
                    }
                }
            }
        }
        assert_eq!(file_name("", "CON", None, "txt"), "_CON.txt");
        assert_eq!(file_name("nul", "", None, "cast"), "_nul.cast");
        assert_eq!(
            file_name("app", "../../etc/passwd", None, "txt"),
            "app-etc-passwd.txt"
        );
        assert_eq!(file_name("app", "名前 テスト", None, "txt"), "app.txt");
        assert_eq!(
            file_name("app", "rails c 🔥", None, "txt"),
            "app-rails-c.txt"
        );
    }
}
