//! The audit log as a timeline: lenient parsing, idle-time compression, commands.
//!
//! An audit log is a JSON array of `{"time", "content", "type"}` entries. Real logs can be
//! damaged or hostile, so parsing never fails: entries that cannot be placed are skipped,
//! entries that can be repaired are clamped, and [`Issues`] counts both for the player to show.

use super::input::{push_key_label, Edit, Line, LineEditor, Tokenizer};
use super::terminal::{redraw_of, Redraw, Stripper};
use crate::text::count;
use serde_json::Value;

/// The largest `content` kept from one event; longer content is cut (and counted).
pub const MAX_CONTENT_BYTES: usize = 1 << 20;

/// The idle-time limit the player starts with, in seconds.
pub const DEFAULT_IDLE_LIMIT: f64 = 2.0;

/// The slowest and fastest playback speeds offered.
pub const SPEED_RANGE: (f64, f64) = (0.5, 8.0);

/// Who produced an event's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Typed by the user.
    Input,
    /// Printed by the container.
    Output,
}

impl Kind {
    /// The asciicast v2 event code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Input => "i",
            Kind::Output => "o",
        }
    }
}

/// One usable event of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds since the first event, as recorded (not compressed).
    pub time: f64,
    /// Input or output.
    pub kind: Kind,
    /// The raw terminal bytes, as text.
    pub content: String,
}

/// What was wrong with the log, for the "skipped" notice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Issues {
    /// Entries that are not objects, have no string `content` or an unknown `type`.
    pub skipped: usize,
    /// Entries whose `time` was missing, unparsable or earlier than the previous one;
    /// they take the previous event's time.
    pub bad_time: usize,
    /// Entries whose `content` was longer than [`MAX_CONTENT_BYTES`] and was cut.
    pub truncated: usize,
}

impl Issues {
    /// Whether anything was skipped or repaired.
    pub fn any(&self) -> bool {
        self.skipped + self.bad_time + self.truncated > 0
    }

    /// One sentence for the user, e.g. `2 events skipped, 1 with a bad time`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if self.skipped > 0 {
            parts.push(format!(
                "{} skipped",
                count(self.skipped, "malformed event", "malformed events")
            ));
        }
        if self.bad_time > 0 {
            parts.push(format!(
                "{} with a missing or invalid time placed after the previous one",
                count(self.bad_time, "event", "events")
            ));
        }
        if self.truncated > 0 {
            parts.push(format!(
                "{} cut to {} KB",
                count(self.truncated, "oversized event", "oversized events"),
                MAX_CONTENT_BYTES / 1024
            ));
        }
        parts.join("; ")
    }
}

/// A command typed during the session: a marker on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// The command line after line editing, without its newline and control keys.
    pub text: String,
    /// Index of the event where its first key was typed.
    pub event: usize,
    /// Whether the shell put in text the log cannot show (a line recalled from history, a
    /// Tab completion): `text` is then only what was typed.
    pub incomplete: bool,
    /// Whether Enter was pressed; false for a line left unfinished when the session ended.
    pub submitted: bool,
}

impl Command {
    /// The command of `line`, typed from event `event`; `None` for a blank line.
    fn of(line: Line, event: usize, submitted: bool) -> Option<Command> {
        let text = line.text.trim().to_owned();
        (!text.is_empty() || line.incomplete).then_some(Command {
            text,
            event,
            incomplete: line.incomplete,
            submitted,
        })
    }

    /// The command as the player shows it: what ran, and plainly what the log cannot tell.
    pub fn label(&self) -> String {
        let mut label = if self.text.is_empty() {
            "(a line recalled from the shell's history)".to_owned()
        } else {
            self.text.clone()
        };
        if self.incomplete && !self.text.is_empty() {
            label.push_str(" (partly from the shell's history or completion)");
        }
        if !self.submitted {
            label.push_str(" (typed, never run)");
        }
        label
    }
}

/// Parses an RFC 3339 time (`2019-05-03T17:27:32.681685591+02:00`) into nanoseconds since
/// the Unix epoch. Returns `None` for anything else.
pub fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = (i - start).min(9);
        if digits == 0 {
            return None;
        }
        nanos *= 10_i64.pow(9 - digits as u32);
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'+' {
                minutes * 60
            } else {
                -minutes * 60
            }
        }
        _ => return None,
    };
    // The ranges were checked above.
    let days = log_core::time::days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Cuts `text` to at most `max` bytes on a character boundary.
fn clamp_content(mut text: String, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

/// A parsed audit log with its play times.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    events: Vec<Event>,
    /// Play time of each event, after idle compression.
    play: Vec<f64>,
    /// How each event relates to the line the recorder flushed early, if it does.
    redraw: Vec<Redraw>,
    idle_limit: Option<f64>,
    issues: Issues,
    /// Wall-clock time of the first event, in Unix seconds, if known.
    start_unix: Option<f64>,
}

impl Timeline {
    /// Parses the entries of an audit log, skipping or repairing malformed ones.
    pub fn from_values(values: Vec<Value>, idle_limit: Option<f64>) -> Self {
        let mut issues = Issues::default();
        let mut events = Vec::with_capacity(values.len());
        let mut first: Option<i64> = None;
        let mut last_time = 0.0_f64;
        for value in values {
            let Value::Object(mut map) = value else {
                issues.skipped += 1;
                continue;
            };
            let kind = match map.get("type").and_then(Value::as_str) {
                Some("input") => Kind::Input,
                Some("output") => Kind::Output,
                _ => {
                    issues.skipped += 1;
                    continue;
                }
            };
            let content = match map.remove("content") {
                Some(Value::String(s)) => s,
                _ => {
                    issues.skipped += 1;
                    continue;
                }
            };
            let (content, cut) = clamp_content(content, MAX_CONTENT_BYTES);
            if cut {
                issues.truncated += 1;
            }
            let nanos = map.get("time").and_then(Value::as_str).and_then(parse_time);
            let time = match (nanos, first) {
                (Some(n), None) => {
                    first = Some(n);
                    0.0
                }
                (Some(n), Some(f)) => (n - f) as f64 / 1e9,
                (None, _) => f64::NAN,
            };
            let time = if time.is_finite() && time >= last_time {
                time
            } else {
                issues.bad_time += 1;
                last_time
            };
            last_time = time;
            events.push(Event {
                time,
                kind,
                content,
            });
        }
        let mut previous_output: &str = "";
        let mut redraw = Vec::with_capacity(events.len());
        for event in &events {
            redraw.push(if event.kind == Kind::Output {
                redraw_of(previous_output, &event.content)
            } else {
                Redraw::None
            });
            if event.kind == Kind::Output {
                previous_output = &event.content;
            }
        }
        let mut timeline = Timeline {
            events,
            play: Vec::new(),
            redraw,
            idle_limit: None,
            issues,
            start_unix: first.map(|n| n as f64 / 1e9),
        };
        timeline.set_idle_limit(idle_limit);
        timeline
    }

    /// Parses an audit log from its JSON text; a body that is not an array is one skipped entry.
    pub fn from_json(text: &str, idle_limit: Option<f64>) -> Self {
        match serde_json::from_str::<Vec<Value>>(text) {
            Ok(values) => Self::from_values(values, idle_limit),
            _ => {
                let mut t = Self::from_values(Vec::new(), idle_limit);
                t.issues.skipped = 1;
                t
            }
        }
    }

    /// Compresses every pause longer than `limit` seconds to `limit` (no compression on `None`).
    pub fn set_idle_limit(&mut self, limit: Option<f64>) {
        let limit = limit.filter(|l| l.is_finite() && *l > 0.0);
        self.idle_limit = limit;
        self.play.clear();
        self.play.reserve(self.events.len());
        let mut prev_real = 0.0;
        let mut t = 0.0;
        for event in &self.events {
            let gap = event.time - prev_real;
            t += limit.map_or(gap, |l| gap.min(l));
            prev_real = event.time;
            self.play.push(t);
        }
    }

    /// The idle-time limit in force.
    pub fn idle_limit(&self) -> Option<f64> {
        self.idle_limit
    }

    /// The events.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the log has no usable event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// What was skipped or repaired.
    pub fn issues(&self) -> Issues {
        self.issues
    }

    /// The wall-clock time of the first event, in Unix seconds.
    pub fn start_unix(&self) -> Option<f64> {
        self.start_unix
    }

    /// The play time (seconds, after compression) of event `index`.
    pub fn play_time(&self, index: usize) -> f64 {
        self.play.get(index).copied().unwrap_or(0.0)
    }

    /// Whether output event `index` redraws the line flushed early by the recorder
    /// (see [`redraw_of`]).
    pub fn redraw(&self, index: usize) -> Redraw {
        self.redraw.get(index).copied().unwrap_or_default()
    }

    /// The play length of the session.
    pub fn duration(&self) -> f64 {
        self.play.last().copied().unwrap_or(0.0)
    }

    /// How many events have happened at play time `t`: the screen at `t` shows events
    /// `0..position_at(t)`.
    pub fn position_at(&self, t: f64) -> usize {
        self.play.partition_point(|&p| p <= t)
    }

    /// The commands typed during the session, each where its first key was typed.
    ///
    /// Input may arrive a line at a time (as in Scalingo's logs) or a key at a time. It is
    /// split by [`input::Tokenizer`], so the terminal's own reports (mouse, cursor position,
    /// device attributes, colours, focus, paste brackets) are never taken for keys, and
    /// replayed through [`input::LineEditor`], so each command reads as it ran after
    /// Backspace, Ctrl-U, Ctrl-W, arrow keys and the like. A line still being typed when the
    /// session ends is returned last, with `submitted` false.
    pub fn commands(&self) -> Vec<Command> {
        let mut out = Vec::new();
        let mut tokenizer = Tokenizer::default();
        let mut editor = LineEditor::default();
        let mut start: Option<usize> = None;
        // Keys typed while a full-screen program has the alternate screen (`q` in `htop`)
        // are not command lines; entering or leaving it also ends any partial line.
        let mut alternate = false;
        for (index, event) in self.events.iter().enumerate() {
            if event.kind == Kind::Output {
                if let Some(now) = alternate_screen_after(&event.content) {
                    if now != alternate {
                        editor.clear();
                        start = None;
                    }
                    alternate = now;
                }
                continue;
            }
            // The tokenizer reads every input event, so a report cut across events (or
            // sent while the program held the screen) is still recognised.
            for token in tokenizer.feed(&event.content) {
                if alternate {
                    continue;
                }
                match editor.apply(token) {
                    Edit::Submitted(line) => {
                        if let Some(command) = Command::of(line, start.unwrap_or(index), true) {
                            out.push(command);
                        }
                        start = None;
                    }
                    Edit::None if editor.is_active() => {
                        start.get_or_insert(index);
                    }
                    Edit::None => start = None,
                }
            }
        }
        if let (true, Some(event)) = (editor.is_active(), start) {
            out.extend(Command::of(editor.line(), event, false));
        }
        out
    }

    /// The keys of each input event as the "Last typed" strip shows them (`ls⏎`, `↑`,
    /// `^C`), terminal reports left out; events that held only reports are not listed.
    pub fn typed(&self) -> Vec<(usize, String)> {
        let mut tokenizer = Tokenizer::default();
        self.events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == Kind::Input)
            .filter_map(|(index, event)| {
                let mut keys = String::new();
                for token in tokenizer.feed(&event.content) {
                    push_key_label(&mut keys, token);
                }
                (!keys.is_empty()).then_some((index, keys))
            })
            .collect()
    }

    /// A terminal width that fits the widest printed line: 80 columns at least, 200 at most.
    /// Scalingo does not record the terminal size, so this is the best guess available.
    pub fn guess_width(&self) -> usize {
        let mut stripper = Stripper::default();
        let mut widest = 0;
        let mut current = 0;
        for event in self.events.iter().filter(|e| e.kind == Kind::Output) {
            for c in stripper.strip(&event.content).chars() {
                match c {
                    '\n' | '\r' => current = 0,
                    _ => {
                        current += 1;
                        widest = widest.max(current);
                    }
                }
            }
        }
        widest.clamp(80, 200)
    }
}

/// Whether `output` leaves the terminal on the alternate screen (`Some(true)`), on the
/// primary one (`Some(false)`), or does not switch (`None`): the last switch wins.
fn alternate_screen_after(output: &str) -> Option<bool> {
    let mut last: Option<(usize, bool)> = None;
    for mode in ["\x1b[?1049", "\x1b[?1047", "\x1b[?47"] {
        for (at, _) in output.match_indices(mode) {
            let on = match output.as_bytes().get(at + mode.len()) {
                Some(b'h') => true,
                Some(b'l') => false,
                _ => continue,
            };
            if last.is_none_or(|(prev, _)| at > prev) {
                last = Some((at, on));
            }
        }
    }
    last.map(|(_, on)| on)
}

/// Formats `value` with `decimals` (at most 6) decimals, e.g. `fixed(1.5, 3)` = `1.500`.
///
/// Integer arithmetic on purpose: core's float formatting costs several KB of wasm, and
/// these figures (times, percentages) never need more than microseconds.
pub fn fixed(value: f64, decimals: u32) -> String {
    let decimals = decimals.min(6);
    let scale = 10_u64.pow(decimals);
    let negative = value < 0.0;
    let scaled = if value.is_finite() {
        (value.abs() * scale as f64).round() as u64
    } else {
        0
    };
    let sign = if negative && scaled > 0 { "-" } else { "" };
    if decimals == 0 {
        return format!("{sign}{scaled}");
    }
    format!(
        "{sign}{}.{:0width$}",
        scaled / scale,
        scaled % scale,
        width = decimals as usize
    )
}

/// Formats seconds as `m:ss` (or `h:mm:ss`).
pub fn format_clock(seconds: f64) -> String {
    let total = if seconds.is_finite() {
        seconds.max(0.0).floor() as u64
    } else {
        0
    };
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The playback clock: where the player is, at what speed, and whether it runs.
/// Pure so that speed and pausing are tested natively; the view feeds it frame times.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    position: f64,
    speed: f64,
    playing: bool,
    last_tick: Option<f64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            position: 0.0,
            speed: 1.0,
            playing: false,
            last_tick: None,
        }
    }
}

impl Clock {
    /// The play position in seconds.
    pub fn position(&self) -> f64 {
        self.position
    }

    /// The speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Whether time advances.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Sets the speed, kept within [`SPEED_RANGE`].
    pub fn set_speed(&mut self, speed: f64) {
        let speed = if speed.is_finite() { speed } else { 1.0 };
        self.speed = speed.clamp(SPEED_RANGE.0, SPEED_RANGE.1);
    }

    /// Starts playing; at the end, starts again from the beginning.
    pub fn play(&mut self, duration: f64) {
        if self.position >= duration {
            self.position = 0.0;
        }
        self.playing = true;
        self.last_tick = None;
    }

    /// Stops time.
    pub fn pause(&mut self) {
        self.playing = false;
        self.last_tick = None;
    }

    /// Moves to `t`, kept within the session.
    pub fn seek(&mut self, t: f64, duration: f64) {
        let t = if t.is_finite() { t } else { 0.0 };
        self.position = t.clamp(0.0, duration.max(0.0));
        self.last_tick = None;
    }

    /// Advances to wall-clock time `now_ms` (e.g. an animation frame's timestamp) and
    /// returns the new position; stops at `duration`.
    pub fn tick(&mut self, now_ms: f64, duration: f64) -> f64 {
        if self.playing {
            if let Some(last) = self.last_tick {
                let dt = ((now_ms - last) / 1000.0).max(0.0);
                self.position = (self.position + dt * self.speed).min(duration);
            }
            self.last_tick = Some(now_ms);
            if self.position >= duration {
                self.playing = false;
                self.last_tick = None;
            }
        }
        self.position
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(time: &str, kind: &str, content: &str) -> Value {
        json!({"time": time, "type": kind, "content": content})
    }

    #[test]
    fn rfc3339_times_with_nanoseconds_and_offsets_are_parsed() {
        let a = parse_time("2019-05-03T17:27:32.681685591+02:00").unwrap();
        let b = parse_time("2019-05-03T15:27:32.681685591Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1_000_000_000));
        assert_eq!(parse_time("1970-01-01T00:00:00.5Z"), Some(500_000_000));
        assert_eq!(parse_time("2019-05-03 17:27:32"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2019-13-03T17:27:32Z"), None);
    }

    #[test]
    fn times_are_seconds_since_the_first_event() {
        let t = Timeline::from_values(
            vec![
                ev("2019-05-03T17:27:27.5+02:00", "output", "a"),
                ev("2019-05-03T17:27:28.75+02:00", "output", "b"),
            ],
            None,
        );
        assert_eq!(t.events()[0].time, 0.0);
        assert!((t.events()[1].time - 1.25).abs() < 1e-9);
        assert_eq!(t.duration(), 1.25);
    }

    #[test]
    fn malformed_events_are_skipped_or_clamped_and_counted() {
        let t = Timeline::from_values(
            vec![
                ev("2019-05-03T17:27:27Z", "output", "ok"),
                json!("not an object"),
                json!({"time": "2019-05-03T17:27:28Z", "type": "resize", "content": "x"}),
                json!({"time": "2019-05-03T17:27:28Z", "type": "output", "content": 42}),
                json!({"type": "output", "content": "no time"}),
                ev("garbage", "output", "bad time"),
                ev("2019-05-03T17:27:20Z", "output", "goes back in time"),
                ev(
                    "2019-05-03T17:27:30Z",
                    "input",
                    &"x".repeat(MAX_CONTENT_BYTES + 10),
                ),
            ],
            None,
        );
        assert_eq!(t.len(), 5);
        let issues = t.issues();
        assert_eq!(issues.skipped, 3);
        assert_eq!(issues.bad_time, 3);
        assert_eq!(issues.truncated, 1);
        assert_eq!(t.events()[4].content.len(), MAX_CONTENT_BYTES);
        assert!(t.events().windows(2).all(|w| w[0].time <= w[1].time));
        assert_eq!(
            issues.summary(),
            "3 malformed events skipped; 3 events with a missing or invalid time placed after \
             the previous one; 1 oversized event cut to 1024 KB"
        );
    }

    #[test]
    fn a_body_that_is_not_an_array_is_reported_not_fatal() {
        let t = Timeline::from_json("{\"error\":1}", None);
        assert!(t.is_empty());
        assert!(t.issues().any());
    }

    #[test]
    fn the_idle_limit_compresses_long_pauses_only() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "output", "a"),
            ev("2020-01-01T00:00:01Z", "output", "b"),
            ev("2020-01-01T00:01:01Z", "output", "c"),
        ];
        let mut t = Timeline::from_values(values, Some(2.0));
        assert_eq!(t.play_time(1), 1.0);
        assert_eq!(t.play_time(2), 3.0);
        assert_eq!(t.duration(), 3.0);
        t.set_idle_limit(None);
        assert_eq!(t.duration(), 61.0);
    }

    #[test]
    fn position_at_counts_the_events_that_have_happened() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "output", "a"),
            ev("2020-01-01T00:00:01Z", "output", "b"),
            ev("2020-01-01T00:00:02Z", "output", "c"),
        ];
        let t = Timeline::from_values(values, None);
        assert_eq!(t.position_at(-1.0), 0);
        assert_eq!(t.position_at(0.0), 1);
        assert_eq!(t.position_at(1.5), 2);
        assert_eq!(t.position_at(99.0), 3);
    }

    #[test]
    fn commands_are_typed_lines_whether_sent_whole_or_key_by_key() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "output", "$ "),
            ev("2020-01-01T00:00:01Z", "input", "echo \"TEST\"\n"),
            ev("2020-01-01T00:00:02Z", "output", "TEST\n"),
            ev("2020-01-01T00:00:03Z", "input", "l"),
            ev("2020-01-01T00:00:04Z", "input", "sx\u{7f}"),
            ev("2020-01-01T00:00:05Z", "input", "\u{1b}[D\u{1b}[C\r"),
            ev("2020-01-01T00:00:06Z", "input", "\n"),
        ];
        let t = Timeline::from_values(values, None);
        let commands = t.commands();
        let typed = |text: &str, event| Command {
            text: text.into(),
            event,
            incomplete: false,
            submitted: true,
        };
        assert_eq!(commands, vec![typed("echo \"TEST\"", 1), typed("ls", 3)]);
    }

    /// The field report: an X10 mouse click (`ESC[M` + 3 bytes) after the program turned
    /// mouse tracking on, then `ls`.
    #[test]
    fn a_mouse_report_before_a_command_is_not_part_of_it() {
        let t = Timeline::from_json(
            r#"[{"time":"2024-05-02T10:00:01.0+02:00","content":"\u001b[?1000h","type":"output"},
                {"time":"2024-05-02T10:00:01.1+02:00","content":"\u001b[M #!","type":"input"},
                {"time":"2024-05-02T10:00:02.0+02:00","content":"ls\r","type":"input"}]"#,
            None,
        );
        let commands = t.commands();
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].label(), "ls");
        assert_eq!(commands[0].event, 2);
        assert_eq!(t.typed(), [(2, "ls⏎".to_owned())]);
    }

    #[test]
    fn a_report_split_across_input_events_is_still_left_out() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "input", "\u{1b}[<0;1"),
            ev("2020-01-01T00:00:01Z", "input", "2;5M\u{1b}]11;rgb:0/0"),
            ev("2020-01-01T00:00:02Z", "input", "/0\u{7}pwd\r"),
        ];
        let t = Timeline::from_values(values, None);
        let labels: Vec<String> = t.commands().iter().map(Command::label).collect();
        assert_eq!(labels, ["pwd"]);
    }

    #[test]
    fn a_line_never_submitted_is_marked_as_never_run() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "input", "ls\r"),
            ev("2020-01-01T00:00:01Z", "input", "rm -rf tmp"),
        ];
        let t = Timeline::from_values(values, None);
        let commands = t.commands();
        assert_eq!(commands.len(), 2);
        assert!(commands[0].submitted);
        assert!(!commands[1].submitted);
        assert_eq!(commands[1].label(), "rm -rf tmp (typed, never run)");
        assert_eq!(commands[1].event, 1);
    }

    #[test]
    fn a_recalled_line_says_so_instead_of_guessing() {
        let values = vec![ev("2020-01-01T00:00:00Z", "input", "\u{1b}[A\r")];
        let t = Timeline::from_values(values, None);
        let commands = t.commands();
        assert_eq!(commands.len(), 1);
        assert_eq!(
            commands[0].label(),
            "(a line recalled from the shell's history)"
        );
    }

    #[test]
    fn keys_typed_in_a_full_screen_program_are_not_commands() {
        let values = vec![
            ev("2020-01-01T00:00:00Z", "input", "htop\n"),
            ev(
                "2020-01-01T00:00:01Z",
                "output",
                "\u{1b}[?1049h\u{1b}[Htop - 15:21",
            ),
            ev("2020-01-01T00:00:02Z", "input", "q"),
            ev(
                "2020-01-01T00:00:03Z",
                "output",
                "\u{1b}[?25h\u{1b}[?1049l$ ",
            ),
            ev("2020-01-01T00:00:04Z", "input", "exit\n"),
        ];
        let t = Timeline::from_values(values, None);
        let texts: Vec<String> = t.commands().into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["htop", "exit"]);
    }

    #[test]
    fn the_clock_advances_with_speed_and_stops_at_the_end() {
        let mut clock = Clock::default();
        clock.set_speed(2.0);
        clock.play(10.0);
        assert_eq!(clock.tick(1000.0, 10.0), 0.0);
        assert_eq!(clock.tick(2000.0, 10.0), 2.0);
        clock.pause();
        assert_eq!(clock.tick(9000.0, 10.0), 2.0);
        clock.play(10.0);
        clock.tick(10_000.0, 10.0);
        assert_eq!(clock.tick(20_000.0, 10.0), 10.0);
        assert!(!clock.playing());
        clock.set_speed(100.0);
        assert_eq!(clock.speed(), 8.0);
        clock.set_speed(0.1);
        assert_eq!(clock.speed(), 0.5);
    }

    #[test]
    fn seeking_is_kept_within_the_session_and_playing_at_the_end_restarts() {
        let mut clock = Clock::default();
        clock.seek(-3.0, 10.0);
        assert_eq!(clock.position(), 0.0);
        clock.seek(30.0, 10.0);
        assert_eq!(clock.position(), 10.0);
        clock.play(10.0);
        assert_eq!(clock.position(), 0.0);
    }

    #[test]
    fn fixed_decimals_round_like_printf() {
        assert_eq!(fixed(1.5, 3), "1.500");
        assert_eq!(fixed(0.0004, 3), "0.000");
        assert_eq!(fixed(6.495_288_4, 6), "6.495288");
        assert_eq!(fixed(-2.25, 1), "-2.3");
        assert_eq!(fixed(42.0, 0), "42");
        assert_eq!(fixed(f64::NAN, 2), "0.00");
    }

    #[test]
    fn clock_times_read_as_minutes_and_seconds() {
        assert_eq!(format_clock(0.0), "0:00");
        assert_eq!(format_clock(65.9), "1:05");
        assert_eq!(format_clock(3725.0), "1:02:05");
        assert_eq!(format_clock(f64::NAN), "0:00");
    }
}
